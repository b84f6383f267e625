//! `cargo xtask unprivileged`: runs every suite as root and as an unprivileged uid (nobody,
//! through `setpriv`), and fails when the results differ beyond the documented skips. As a
//! user, the runner enters a user namespace, where only the cases that need the initial
//! namespace (audit, device nodes, mounting proc, sysfs or cgroup2) may skip, saying so. Then
//! runs them once more without a user namespace (`LANDLOCK_TEST_USERNS=0`), where every case
//! needing privilege must skip, and none may fail.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, ExitCode};

use crate::matrix::Error;
use crate::matrix::guest::build_suites;
use crate::matrix::tap::{Outcome, Tap};

const USAGE: &str = "\
Usage: cargo xtask unprivileged

Runs every suite as root, as nobody in a user namespace, and as nobody without one, and
compares: the cases that pass as root pass as nobody in a user namespace, but for those that
skip saying they need the initial namespace; without a user namespace nothing fails, and what
skips says it needs privilege. Needs root (for setpriv).";

/// The unprivileged user, with nothing inherited.
const NOBODY: [&str; 5] = [
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all",
    "--",
];
/// The one documented reason a case that passes as root may skip in a user namespace.
const USERNS_SKIP: &str = "needs root in the initial user namespace";
/// What a case says when it skips for want of any privilege.
const NO_PRIVILEGE_SKIP: &str = "needs privilege";

pub fn main(args: Vec<String>, root: &Path) -> ExitCode {
    if !args.is_empty() {
        println!("{USAGE}");
        return ExitCode::from(if args == ["--help"] || args == ["-h"] {
            0
        } else {
            2
        });
    }
    match compare(root) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("unprivileged: error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Whether every suite's results agree.
fn compare(root: &Path) -> Result<bool, Error> {
    let work = root.join("target/unprivileged");
    fs::create_dir_all(&work)?;
    let suites = build_suites(root, &work)?;
    // A copy the unprivileged uid can reach, wherever the checkout lives.
    let copies = work.join("suites");
    fs::create_dir_all(&copies)?;
    fs::set_permissions(&work, fs::Permissions::from_mode(0o755))?;
    fs::set_permissions(&copies, fs::Permissions::from_mode(0o755))?;
    let mut problems = Vec::new();
    for (suite, built) in &suites.tests {
        let binary = copies.join(suite);
        fs::copy(built, &binary)?;
        let as_root = run(&binary, false, &[])?;
        let in_userns = run(&binary, true, &[])?;
        let bare = run(&binary, true, &[("LANDLOCK_TEST_USERNS", "0")])?;
        let mut need_initial = 0;
        for case in &as_root.cases {
            let user = in_userns.cases.iter().find(|c| c.name == case.name);
            match user {
                Some(u) if (u.outcome, &u.reason) == (case.outcome, &case.reason) => {}
                // What passes (or skips for another reason) as root may skip in a user
                // namespace, saying it needs the initial one.
                Some(u)
                    if matches!(case.outcome, Outcome::Pass | Outcome::Skip)
                        && u.outcome == Outcome::Skip
                        && u.reason.contains(USERNS_SKIP) =>
                {
                    need_initial += 1;
                }
                _ => problems.push(format!(
                    "{suite}: {}: root {} {:?}, user {}",
                    case.name,
                    case.outcome,
                    case.reason,
                    user.map_or("missing".to_owned(), |u| format!(
                        "{} {:?}",
                        u.outcome, u.reason
                    ))
                )),
            }
        }
        for case in &bare.cases {
            let passed_as_root = as_root
                .cases
                .iter()
                .any(|c| c.name == case.name && c.outcome == Outcome::Pass);
            let unexplained_skip = case.outcome == Outcome::Skip
                && passed_as_root
                && !case.reason.contains(NO_PRIVILEGE_SKIP)
                && !case.reason.contains(USERNS_SKIP);
            if case.outcome == Outcome::Fail || unexplained_skip {
                problems.push(format!(
                    "{suite}: {}: without privilege {} {:?}",
                    case.name, case.outcome, case.reason
                ));
            }
        }
        let (pass, skip, fail) = (Outcome::Pass, Outcome::Skip, Outcome::Fail);
        println!(
            "{suite}: root {} passed {} skipped; user namespace {} passed {} skipped ({need_initial} \
             need the initial namespace); without privilege {} passed {} skipped {} failed",
            as_root.count(pass),
            as_root.count(skip),
            in_userns.count(pass),
            in_userns.count(skip),
            bare.count(pass),
            bare.count(skip),
            bare.count(fail),
        );
    }
    fs::remove_dir_all(&copies)?;
    for problem in &problems {
        println!("MISMATCH {problem}");
    }
    Ok(problems.is_empty())
}

/// One run of `binary` with TAP output, as nobody if `nobody`, in a world-writable working
/// directory (the runner makes its own private one inside).
fn run(binary: &Path, nobody: bool, env: &[(&str, &str)]) -> Result<Tap, Error> {
    let mut command = if nobody {
        let mut c = Command::new("setpriv");
        c.args(NOBODY).arg(binary);
        c
    } else {
        Command::new(binary)
    };
    let output = command
        .args(["--format", "tap", "--test-threads", "2"])
        .current_dir("/tmp")
        .env("TMPDIR", "/tmp")
        .envs(env.iter().copied())
        .output()?;
    let tap = Tap::parse(&String::from_utf8_lossy(&output.stdout));
    if tap.cases.is_empty() {
        return Err(format!(
            "{}: no TAP results\n{}\n{}",
            binary.display(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .into());
    }
    Ok(tap)
}
