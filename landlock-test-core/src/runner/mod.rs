//! TEST_HARNESS_MAIN: the main of every test binary. Selects cases from the command line,
//! runs each in a process of its own, several at once, and reports them.

mod args;
mod pool;
mod report;
mod verdict;
pub(crate) mod workdir;

use std::process::ExitCode;
use std::time::Instant;

use args::{Args, Format, USAGE};
use pool::Pool;
use report::Reporter;
use verdict::judge;

use crate::registry::{self, Case};

/// Environment variable that turns every skip into a failure.
pub const STRICT_ENV: &str = "LANDLOCK_TEST_STRICT";

/// Lines that say what the run is about, printed before the cases; set by the suites (e.g.
/// which listen mode they use) through [`add_context`].
static CONTEXT: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Adds a line to the run's header, before any case runs.
pub fn add_context(line: impl Into<String>) {
    CONTEXT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(line.into());
}

/// The main of a test binary (`test_harness_main!()`).
pub fn main() -> ExitCode {
    let args = match Args::parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("error: {message}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if args.help {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let (cases, filtered_out) = select(&args);
    if args.list {
        list(&args, &cases);
        return ExitCode::SUCCESS;
    }
    run(&args, &cases, filtered_out)
}

fn select(args: &Args) -> (Vec<Case>, usize) {
    if let Some(name) = args.exact_name() {
        let found: Vec<Case> = registry::find(name).into_iter().collect();
        return (found, 0);
    }
    let all = registry::cases();
    let total = all.len();
    let selected: Vec<Case> = all
        .into_iter()
        .filter(|case| args.selects(case, &case.name()))
        .collect();
    let filtered_out = total - selected.len();
    (selected, filtered_out)
}

fn list(args: &Args, cases: &[Case]) {
    for case in cases {
        println!("{}: test", case.name());
    }
    if args.format != Format::Terse {
        println!("\n{} tests, 0 benchmarks", cases.len());
    }
}

fn run(args: &Args, cases: &[Case], filtered_out: usize) -> ExitCode {
    let started = Instant::now();
    let strict = std::env::var_os(STRICT_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    let threads = args
        .test_threads
        .map(usize::from)
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1);

    let privilege = crate::privilege::establish();
    let errata = format!("Landlock errata fixed: {}", crate::landlock::errata());
    let mut context = vec![describe_kernel(), errata, privilege.to_string()];
    context.extend(crate::privilege::isolate_mounts());
    context.extend(
        CONTEXT
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned(),
    );
    if strict {
        context.push(format!("{STRICT_ENV} is set: skips count as failures"));
    }
    let mut fixtures: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.test.fixture, c.variant_name()))
        .collect();
    fixtures.dedup();

    let mut reporter = Reporter::new(args.format);
    reporter.start(cases.len(), fixtures.len(), &context);

    // Results arrive in completion order; they are reported in declared order.
    let mut done: Vec<Option<(verdict::Verdict, Vec<u8>, std::time::Duration)>> =
        vec![None; cases.len()];
    let mut next = 0;
    let mut pool = Pool::new(threads, !args.nocapture);
    let result = pool.run(cases, |finished| {
        let case = &cases[finished.index];
        let verdict = judge(
            case,
            finished.ending,
            finished.shared,
            finished.leftovers,
            strict,
        );
        done[finished.index] = Some((verdict, finished.output, finished.duration));
        while let Some(Some((verdict, output, duration))) = done.get_mut(next).map(Option::take) {
            reporter.case(&cases[next].name(), &verdict, &output, duration);
            next += 1;
        }
    });
    if let Err(e) = result {
        eprintln!("error: the runner could not start a case process: {e}");
        return ExitCode::FAILURE;
    }
    reporter.finish(filtered_out, started.elapsed());
    if reporter.totals().fail == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The kernel under test, first line of every run: results only mean something with it.
fn describe_kernel() -> String {
    let release = nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_else(|e| format!("(uname: {e})"));
    match crate::landlock::status() {
        crate::landlock::LandlockStatus::Available(abi) => {
            format!("Linux {release}, Landlock ABI {abi}")
        }
        status => format!("Linux {release}, no Landlock: {status}"),
    }
}
