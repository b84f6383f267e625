//! TEST_HARNESS_MAIN: the main of every test binary. Selects cases from the command line,
//! runs each in a process of its own, several at once, and reports them.

mod args;
mod cgroup;
mod orphans;
mod pool;
mod report;
mod verdict;

use std::process::ExitCode;
use std::time::Instant;

use args::{Args, Format, USAGE};
use pool::Pool;
use report::Reporter;
use verdict::judge;

use crate::harness::registry::{self, Case};

pub use cgroup::CGROUPS_ENV;

/// Environment variable that turns every skip into a failure.
pub const STRICT_ENV: &str = "LANDLOCK_TEST_STRICT";

/// Lines that say what the run is about, printed before the cases, or configuration errors
/// that stop the run before any case; set by the suites (e.g. which listen mode they use)
/// through [`add_context`].
static CONTEXT: std::sync::Mutex<Vec<Result<String, String>>> = std::sync::Mutex::new(Vec::new());

/// Adds a line to the run's header, before any case runs: a `String`, or a `Result` whose
/// `Err` is a configuration error that ends the run with status 2 before any case.
pub fn add_context(line: impl Into<Context>) {
    CONTEXT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(line.into().0);
}

/// A line of the run's header, or why the run cannot start ([`add_context`]).
pub struct Context(Result<String, String>);

impl From<String> for Context {
    fn from(line: String) -> Self {
        Context(Ok(line))
    }
}

impl From<&str> for Context {
    fn from(line: &str) -> Self {
        Context(Ok(line.to_owned()))
    }
}

impl From<Result<String, String>> for Context {
    fn from(line: Result<String, String>) -> Self {
        Context(line)
    }
}

/// What the domain's start-up hook tells the runner.
pub struct Start {
    /// The first lines of the run's header.
    pub header: Vec<String>,
    /// Whether the runner now has a mount namespace of its own: the cases' working directories
    /// then go on a tmpfs of the run's, where making and removing them costs little, and which
    /// goes with the namespace whatever ends the run.
    pub own_mount_namespace: bool,
}

/// The main of a test binary (`test_harness_main!()`). `start` is the domain's start-up: called
/// once before any case, while the runner is single-threaded.
pub fn main(start: fn() -> Start) -> ExitCode {
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
    run(&args, &cases, filtered_out, start)
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

fn run(args: &Args, cases: &[Case], filtered_out: usize, start: fn() -> Start) -> ExitCode {
    let started = Instant::now();
    let strict = std::env::var_os(STRICT_ENV).is_some_and(|v| !v.is_empty() && v != "0");
    let threads = args
        .test_threads
        .map(usize::from)
        .or_else(|| std::thread::available_parallelism().ok().map(usize::from))
        .unwrap_or(1);

    let suite_context: Result<Vec<String>, String> = CONTEXT
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .iter()
        .cloned()
        .collect();
    let suite_context = match suite_context {
        Ok(lines) => lines,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let Start {
        header: mut context,
        own_mount_namespace,
    } = start();
    let mut fixtures: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c.test.fixture, c.variant_name()))
        .collect();
    fixtures.dedup();

    let mut pool = match Pool::new(threads, !args.nocapture, own_mount_namespace) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("error: the runner could not make its temporary directory: {e}");
            return ExitCode::from(2);
        }
    };
    context.push(pool.describe());
    context.extend(suite_context);
    if strict {
        context.push(format!("{STRICT_ENV} is set: skips count as failures"));
    }

    let mut reporter = Reporter::new(args.format);
    reporter.start(cases.len(), fixtures.len(), &context);

    // Results arrive in completion order; they are reported in declared order.
    let mut done: Vec<Option<(verdict::Verdict, Vec<u8>, std::time::Duration)>> =
        vec![None; cases.len()];
    let mut next = 0;
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
        eprintln!("error: the runner: {e}");
        return ExitCode::FAILURE;
    }
    reporter.finish(filtered_out, started.elapsed());
    if reporter.totals().fail == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
