//! `cargo xtask kernel-matrix`: boots real kernels under qemu and runs the built test suites
//! inside each with `--format tap`, then checks every case's result against that kernel's
//! table, `kernel/matrix/<kernel-id>.expected`. How to run it and how to add a kernel:
//! README.md ("Kernel matrix").
//!
//! A kernel is a Debian package ([`debian`]), one built by [`build`] (a table with `source`),
//! or an image built elsewhere ([`check_image`]);
//! from the image on, everything is shared: initramfs, boot, TAP, table.

mod check;
mod debian;
pub(crate) mod guest;
mod summary;
mod table;
pub(crate) mod tap;
mod version;

use crate::build;
use check::{GuestLog, Report};
use guest::{QemuSettings, Suites};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use table::Table;
use tap::Outcome;

pub type Error = Box<dyn std::error::Error>;

const USAGE: &str = "\
Usage: cargo xtask kernel-matrix [OPTIONS] [KERNEL-ID...]

Boots each kernel of kernel/matrix/*.expected (or only the KERNEL-IDs given) under qemu, runs
the test suites inside, and checks their results against the kernel's table. A table with
`source` (and `patches`, `config`) is a kernel that `cargo xtask build-kernel` builds, cached.

Options:
  --check        do not build or boot: re-check the last run's results against the tables
                 (after editing a table)
  --list         list the kernels and the package each one resolves to (no download)
  --update       refresh the package lists first (else only when there are none, or when a
                 download fails)
  -v, --verbose  also list every case's result and the table lines that matched no case
  -h, --help     this help

A kernel image built elsewhere (a bzImage), instead of the tables' Debian kernels:
  --image BZIMAGE --table TABLE [--modules DIR] [--env NAME=VALUE]...
                 boots it, with the modules found under DIR and NAME=VALUE set for the
                 suites, and checks it against TABLE (its kernel id is the table's file name)

Environment:
  KM_CACHE       downloads and unpacked kernels (default:
                 ${XDG_CACHE_HOME:-$HOME/.cache}/landlock-test/kernel-matrix)
  KM_MIRROR      the Debian mirror (default: http://deb.debian.org)
  KM_TIMEOUT     seconds one guest may run, boot included, before it is killed (default: 180)
  KM_MEMORY      guest memory in MiB (default: 1024)
  KM_SMP         guest CPUs (default: 2); the suites run with --test-threads $KM_SMP
  KM_MAX_DIFF    lines of deviations shown per kernel (default: 60; all are in
                 target/kernel-matrix/runs/<kernel-id>/deviations)
  KM_SUITE_ARGS  more arguments for every suite, e.g. a filter while debugging one case
                 (the tables then report the cases left out as missing: not for CI)

Results, per kernel, in target/kernel-matrix/runs/<kernel-id>/: console.log (the kernel's
console), guest.log (the suites' output with the init's markers), <suite>.tap, deviations,
draft.expected (the run written as a table: a starting point for new cases, never to be copied
without checking each line against the ABI each case needs); the summary of all kernels in
target/kernel-matrix/summary.md.

Exit status: 0 every kernel as its table says; 1 some kernel deviates; 2 the matrix itself could
not run.";

/// Base kernel command line; a table's `cmdline` is appended.
const BASE_CMDLINE: &str = "console=ttyS0 panic=-1 oops=panic";

pub fn note(message: &str) {
    eprintln!("kernel-matrix: {message}");
}

/// Runs a command with its output kept; on failure shows the end of it.
pub fn run_quiet(command: &mut Command, what: &str) -> Result<(), Error> {
    let out = command.output().map_err(|e| format!("{what}: {e}"))?;
    if out.status.success() {
        return Ok(());
    }
    let text = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = text.lines().rev().take(10).collect();
    for line in tail.into_iter().rev() {
        eprintln!("   | {line}");
    }
    Err(format!("{what} failed ({})", out.status).into())
}

/// Knobs and places, from the environment.
struct Settings {
    root: PathBuf,
    tables: PathBuf,
    cache: PathBuf,
    out: PathBuf,
    qemu: QemuSettings,
    max_diff: usize,
    suite_args: String,
    verbose: bool,
}

fn env_number(name: &str, default: u64) -> Result<u64, Error> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(v) => v
            .parse()
            .map_err(|_| format!("{name} must be a number, not '{v}'").into()),
    }
}

impl Settings {
    fn from_env(verbose: bool) -> Result<Settings, Error> {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .ok_or("xtask has no parent directory")?
            .to_owned();
        let cache = match std::env::var_os("KM_CACHE") {
            Some(dir) => PathBuf::from(dir),
            None => std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".cache")))
                .ok_or("neither KM_CACHE, XDG_CACHE_HOME nor HOME is set")?
                .join("landlock-test/kernel-matrix"),
        };
        Ok(Settings {
            tables: root.join("kernel/matrix"),
            out: root.join("target/kernel-matrix"),
            cache,
            qemu: QemuSettings {
                timeout: Duration::from_secs(env_number("KM_TIMEOUT", 180)?),
                memory_mib: env_number("KM_MEMORY", 1024)? as u32,
                cpus: env_number("KM_SMP", 2)?.max(1) as u32,
            },
            max_diff: env_number("KM_MAX_DIFF", 60)? as usize,
            suite_args: std::env::var("KM_SUITE_ARGS").unwrap_or_default(),
            verbose,
            root,
        })
    }

    fn table_path(&self, id: &str) -> PathBuf {
        self.tables.join(format!("{id}.expected"))
    }
}

/// What one kernel did, for the summary.
pub struct KernelResult {
    pub id: String,
    pub kernel: String,
    pub landlock: String,
    pub seconds: f64,
    /// Per suite: name, count per outcome (in [`Outcome::ALL`] order), ran at all.
    pub suites: Vec<(String, [usize; 5])>,
    pub deviations: usize,
}

/// A kernel ready to boot.
struct Kernel<'a> {
    id: &'a str,
    image: &'a Path,
    modules: Option<&'a Path>,
    table: Table,
    table_path: PathBuf,
    /// What it is, for people: its package, or the image's path.
    description: String,
    env: Vec<(String, String)>,
}

/// The suites built and the shared part of the initramfs, once per run.
struct Prepared {
    suites: Suites,
    common: Vec<u8>,
}

fn prepare(settings: &Settings) -> Result<Prepared, Error> {
    fs::create_dir_all(&settings.out)?;
    let suites = guest::build_suites(&settings.root, &settings.out)?;
    let common = guest::common_initramfs(
        &suites,
        settings.qemu.cpus,
        &settings.suite_args,
        &settings.out,
    )?;
    Ok(Prepared { suites, common })
}

/// The suites the guest runs, by test binary name.
fn suite_names(prepared: &Prepared) -> Vec<String> {
    prepared
        .suites
        .tests
        .iter()
        .map(|(n, _)| n.clone())
        .collect()
}

/// Boots one kernel, checks its run, prints its report.
fn run_kernel(
    kernel: &Kernel,
    prepared: &Prepared,
    settings: &Settings,
) -> Result<KernelResult, Error> {
    let run = settings.out.join("runs").join(kernel.id);
    if run.exists() {
        fs::remove_dir_all(&run)?;
    }
    fs::create_dir_all(&run)?;
    let mut initramfs = prepared.common.clone();
    initramfs.extend(guest::kernel_initramfs(kernel.modules, &kernel.env)?);
    let initramfs_path = run.join("initramfs.cpio");
    fs::write(&initramfs_path, initramfs)?;
    let cmdline = format!("{BASE_CMDLINE} {}", kernel.table.cmdline);
    note(&format!(
        "{}: booting {}{}",
        kernel.id,
        kernel.description,
        if kernel.table.cmdline.is_empty() {
            String::new()
        } else {
            format!(" with {}", kernel.table.cmdline)
        }
    ));
    let boot = guest::boot(
        kernel.image,
        &initramfs_path,
        cmdline.trim(),
        &run,
        &settings.qemu,
    )?;
    fs::remove_file(&initramfs_path)?;
    let qemu = if boot.timed_out {
        format!(
            "killed after KM_TIMEOUT={} s",
            settings.qemu.timeout.as_secs()
        )
    } else {
        format!("exit status {:?}", boot.status)
    };
    fs::write(
        run.join("meta"),
        format!(
            "description {}\nseconds {:.1}\nqemu {qemu}\ntable {}\n",
            kernel.description,
            boot.seconds,
            kernel.table_path.display()
        ),
    )?;
    check_run(
        kernel.id,
        &kernel.table,
        &kernel.table_path,
        suite_names(prepared),
        settings,
    )
}

/// Checks the run kept in `target/kernel-matrix/runs/<id>/` and prints the kernel's report.
fn check_run(
    id: &str,
    table: &Table,
    table_path: &Path,
    suites: Vec<String>,
    settings: &Settings,
) -> Result<KernelResult, Error> {
    let run = settings.out.join("runs").join(id);
    let text = fs::read_to_string(run.join("guest.log")).map_err(|e| {
        format!(
            "{id}: no results in {}: {e}; run the matrix first (without --check)",
            run.display()
        )
    })?;
    let meta = fs::read_to_string(run.join("meta")).unwrap_or_default();
    let meta_value = |key: &str| {
        meta.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .unwrap_or("?")
            .to_owned()
    };
    let log = GuestLog::parse(&text);
    let names: Vec<&str> = suites.iter().map(String::as_str).collect();
    let report = check::check(&log, table, &names);
    fs::write(run.join("deviations"), report.deviations.join("\n") + "\n")?;
    fs::write(
        run.join("draft.expected"),
        format!(
            "# DRAFT written from the run of {id}: what the suites DID. Review every line\n\
             # against the ABI each case needs before copying any into {}:\n\
             # the table states the truth, not what ran.\n\n{}",
            table_path.display(),
            report.draft
        ),
    )?;
    for suite in &log.suites {
        fs::write(run.join(format!("{}.tap", suite.name)), &suite.tap_text)?;
    }
    for warning in &log.warnings {
        note(&format!("{id}: {warning}"));
    }

    let kernel = log.kernel.clone().unwrap_or_else(|| "?".to_owned());
    let landlock = match table.abi {
        table::Abi::Disabled => "disabled".to_owned(),
        table::Abi::Version(n) => format!("ABI {n}"),
    };
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\n== {id}: {kernel} ({}), Landlock {landlock}; boot and suites {} s",
        meta_value("description"),
        meta_value("seconds")
    );
    let mut result = KernelResult {
        id: id.to_owned(),
        kernel,
        landlock,
        seconds: meta_value("seconds").parse().unwrap_or(0.0),
        suites: Vec::new(),
        deviations: report.unexpected_cases
            + report
                .deviations
                .iter()
                .filter(|d| d.starts_with('!'))
                .count(),
    };
    for name in &suites {
        let Some(suite) = log.suites.iter().find(|s| &s.name == name) else {
            let _ = writeln!(out, "   {name:<8} did not run");
            result.suites.push((name.clone(), [0; 5]));
            continue;
        };
        let counts = Outcome::ALL.map(|o| suite.tap.count(o));
        let extra: String = [(Outcome::Xfail, counts[2]), (Outcome::Xpass, counts[3])]
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(o, n)| format!(", {n} {o}"))
            .collect();
        let _ = writeln!(
            out,
            "   {name:<8} {:>3} cases: {:>3} passed, {} failed, {:>3} skipped{extra}  ({} s in the guest)",
            suite.tap.cases.len(),
            counts[0],
            counts[4],
            counts[1],
            suite.seconds.map_or("?".to_owned(), |s| format!("{s:.1}")),
        );
        result.suites.push((name.clone(), counts));
    }
    print_deviations(
        &mut out,
        &report,
        &run,
        table_path,
        settings,
        &meta_value("qemu"),
    );
    if settings.verbose {
        verbose_listing(&mut out, &log, table, &suites);
    }
    print!("{out}");
    Ok(result)
}

fn print_deviations(
    out: &mut String,
    report: &Report,
    run: &Path,
    table_path: &Path,
    settings: &Settings,
    qemu: &str,
) {
    if report.deviations.is_empty() {
        out.push_str("   as expected\n");
        return;
    }
    let _ = writeln!(
        out,
        "   DEVIATES from {} (- expected, + actual, ! run): {} unexpected case(s)",
        table_path.display(),
        report.unexpected_cases
    );
    for line in report.deviations.iter().take(settings.max_diff) {
        let _ = writeln!(out, "   {line}");
    }
    if report.deviations.len() > settings.max_diff {
        let _ = writeln!(
            out,
            "   ... {} more lines in {}",
            report.deviations.len() - settings.max_diff,
            run.join("deviations").display()
        );
    }
    if report.deviations.iter().any(|d| d.starts_with('!')) {
        let console = fs::read_to_string(run.join("console.log")).unwrap_or_default();
        let lines: Vec<&str> = console.lines().collect();
        let _ = writeln!(
            out,
            "   qemu: {qemu}; last lines of the console ({}):",
            run.join("console.log").display()
        );
        for line in &lines[lines.len().saturating_sub(15)..] {
            let _ = writeln!(out, "   | {line}");
        }
    }
    let _ = writeln!(
        out,
        "   (the run written as a table, to review: {})",
        run.join("draft.expected").display()
    );
}

fn verbose_listing(out: &mut String, log: &GuestLog, table: &Table, suites: &[String]) {
    let mut used = vec![false; table.rules.len()];
    for suite in &log.suites {
        for case in &suite.tap.cases {
            if let Some(i) = table
                .rules
                .iter()
                .position(|r| r.suite == suite.name && table::glob_match(&r.glob, &case.name))
            {
                used[i] = true;
            }
            let _ = writeln!(
                out,
                "      {:<6} {}  {}",
                case.outcome, case.name, case.reason
            );
        }
    }
    for (rule, used) in table.rules.iter().zip(used) {
        if !used && suites.contains(&rule.suite) {
            let _ = writeln!(
                out,
                "   note: line {} ([{}] {}) matched no case",
                rule.line, rule.suite, rule.glob
            );
        }
    }
}

/// The host tools the matrix runs, and the Debian packages that bring them.
const HOST_TOOLS: [(&str, &str); 6] = [
    ("qemu-system-x86_64", "qemu-system-x86"),
    ("busybox", "busybox-static"),
    ("objcopy", "binutils"),
    ("dpkg-deb", "dpkg"),
    ("xz", "xz-utils"),
    ("ldd", "libc-bin"),
];

fn check_host_tools() -> Result<(), Error> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let missing: Vec<&str> = HOST_TOOLS
        .iter()
        .filter(|(tool, _)| !std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the kernel matrix needs host tools: apt-get install {}",
            missing.join(" ")
        )
        .into())
    }
}

/// An image built elsewhere (e.g. from a patched Linux tree), checked against a table as the
/// Debian kernels are: `modules` is a directory with the kernel's modules anywhere under it
/// (`make modules_install`'s tree will do), `env` is added to the table's for the suites
/// (e.g. `LANDLOCK_TEST_LISTEN_TCP=0x10`). Prints the kernel's report, writes its run under
/// `target/kernel-matrix/runs/<id>/` and the summary; returns whether the run matched.
pub fn check_image(
    id: &str,
    image: &Path,
    modules: Option<&Path>,
    table_path: &Path,
    env: &[(String, String)],
) -> Result<bool, Error> {
    let settings = Settings::from_env(false)?;
    check_host_tools()?;
    let table = Table::load(table_path)?;
    let prepared = prepare(&settings)?;
    let kernel = Kernel {
        id,
        image,
        modules,
        env: table.env.iter().chain(env).cloned().collect(),
        description: image.display().to_string(),
        table_path: table_path.to_owned(),
        table,
    };
    let result = run_kernel(&kernel, &prepared, &settings)?;
    let ok = result.deviations == 0;
    summary::write(&settings.out, &[result])?;
    Ok(ok)
}

enum Mode {
    Run,
    Check,
    List,
}

pub fn main(args: Vec<String>) -> ExitCode {
    match run(args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("kernel-matrix: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<bool, Error> {
    let start = Instant::now();
    let mut mode = Mode::Run;
    let mut verbose = false;
    let mut update = false;
    let mut ids = Vec::new();
    let mut image: Option<PathBuf> = None;
    let mut image_table: Option<PathBuf> = None;
    let mut modules: Option<PathBuf> = None;
    let mut env = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = |name: &str| {
            args.next()
                .ok_or_else(|| format!("{name} needs a value (see --help)"))
        };
        match arg.as_str() {
            "--image" => image = Some(value("--image")?.into()),
            "--table" => image_table = Some(value("--table")?.into()),
            "--modules" => modules = Some(value("--modules")?.into()),
            "--env" => {
                let pair = value("--env")?;
                let (k, v) = pair
                    .split_once('=')
                    .ok_or_else(|| format!("--env needs NAME=VALUE, not {pair}"))?;
                env.push((k.to_owned(), v.to_owned()));
            }
            "--check" => mode = Mode::Check,
            "--list" => mode = Mode::List,
            "--update" => update = true,
            "-v" | "--verbose" => verbose = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(true);
            }
            a if a.starts_with('-') => {
                return Err(format!("unknown option {a} (see --help)").into());
            }
            _ => ids.push(arg),
        }
    }
    if let Some(image) = image {
        let table = image_table.ok_or("--image needs --table")?;
        let id = table
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or("--table needs a file name")?
            .to_owned();
        return check_image(&id, &image, modules.as_deref(), &table, &env);
    }
    let settings = Settings::from_env(verbose)?;
    let mut all: Vec<String> = fs::read_dir(&settings.tables)
        .map_err(|e| format!("{}: {e}", settings.tables.display()))?
        .flatten()
        .filter_map(|e| {
            e.file_name()
                .to_str()?
                .strip_suffix(".expected")
                .map(str::to_owned)
        })
        .collect();
    all.sort();
    if ids.is_empty() {
        ids = all.clone();
    }
    let mut tables = Vec::new();
    for id in &ids {
        if !all.contains(id) {
            return Err(format!(
                "no table {} (kernels: {})",
                settings.table_path(id).display(),
                all.join(" ")
            )
            .into());
        }
        tables.push(Table::load(&settings.table_path(id))?);
    }

    if let Mode::Check = mode {
        let names: Vec<String> = guest::SUITES.iter().map(|(_, t)| t.to_string()).collect();
        let mut results = Vec::new();
        for (id, table) in ids.iter().zip(&tables) {
            results.push(check_run(
                id,
                table,
                &settings.table_path(id),
                names.clone(),
                &settings,
            )?);
        }
        return finish(&settings, &results, start);
    }

    if let Mode::Run = mode {
        check_host_tools()?;
    }
    // Resolve every Debian kernel first: a missing package fails before anything is built.
    let debian_ids: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].build.is_none())
        .collect();
    let mut resolved = Vec::new();
    let mut apt = debian::Apt::new(&settings.cache);
    if !debian_ids.is_empty() {
        apt.update(update)?;
        let regexes: Vec<&[String]> = debian_ids
            .iter()
            .map(|&i| tables[i].packages.as_slice())
            .collect();
        resolved = apt.resolve(&regexes)?;
    }
    let mut packages = vec![None; tables.len()];
    for (&i, package) in debian_ids.iter().zip(resolved) {
        packages[i] = Some(package.ok_or_else(|| {
            format!(
                "{}: no package matches {} (try --update)",
                ids[i],
                tables[i].packages.join(" ")
            )
        }));
    }
    if let Mode::List = mode {
        for ((id, table), package) in ids.iter().zip(&tables).zip(&packages) {
            let what = match (package, &table.build) {
                (Some(Ok(p)), _) => p.describe(),
                (_, Some(b)) => describe_build(b),
                _ => "(no package found)".to_owned(),
            };
            println!(
                "{id:<28} {what:<56} Landlock {:<9} {}",
                table.abi.to_string(),
                table.cmdline
            );
        }
        return Ok(true);
    }
    // The kernel of every table: an image, its modules, what it is.
    let mut kernels = Vec::new();
    for (table, package) in tables.iter().zip(packages) {
        match (package, &table.build) {
            (Some(package), _) => {
                let package = package?;
                let unpacked = apt.fetch(&package)?;
                kernels.push((unpacked.image, Some(unpacked.modules), package.describe()));
            }
            (None, Some(b)) => {
                let image = build::build_kernel(&build_spec(b, &settings.root))?;
                kernels.push((image, None, describe_build(b)));
            }
            (None, None) => unreachable!("a table without 'source' is a Debian kernel"),
        }
    }
    note(&format!(
        "kernels ready after {:.0} s",
        start.elapsed().as_secs_f64()
    ));

    let prepared = prepare(&settings)?;
    let mut results = Vec::new();
    for ((id, table), (image, modules, description)) in ids.iter().zip(tables).zip(&kernels) {
        let kernel = Kernel {
            id,
            image,
            modules: modules.as_deref(),
            description: description.clone(),
            table_path: settings.table_path(id),
            env: table.env.clone(),
            table,
        };
        results.push(run_kernel(&kernel, &prepared, &settings)?);
    }
    finish(&settings, &results, start)
}

/// A table's `source`, `patches` and `config` as `cargo xtask build-kernel`'s arguments, with
/// the paths taken from the workspace root.
fn build_spec(build: &table::Build, root: &Path) -> build::KernelSpec {
    build::KernelSpec {
        source: build::Source::parse(&build.source),
        patch_dirs: build.patches.iter().map(|p| root.join(p)).collect(),
        config: build
            .config
            .as_ref()
            .map_or_else(build::default_config, |c| root.join(c)),
    }
}

fn describe_build(build: &table::Build) -> String {
    let mut text = format!("built from {}", build.source);
    for p in &build.patches {
        let _ = write!(text, " + {p}");
    }
    text
}

fn finish(settings: &Settings, results: &[KernelResult], start: Instant) -> Result<bool, Error> {
    let path = summary::write(&settings.out, results)?;
    let deviating: Vec<&str> = results
        .iter()
        .filter(|r| r.deviations > 0)
        .map(|r| r.id.as_str())
        .collect();
    println!();
    note(&format!(
        "{} kernel(s) in {:.0} s; summary: {}",
        results.len(),
        start.elapsed().as_secs_f64(),
        path.display()
    ));
    if deviating.is_empty() {
        println!(
            "kernel-matrix: all {} kernel(s) as their tables say",
            results.len()
        );
        Ok(true)
    } else {
        println!(
            "kernel-matrix: FAILED: {} deviate(s) from their table",
            deviating.join(" ")
        );
        Ok(false)
    }
}
