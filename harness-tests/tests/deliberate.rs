//! Runs the `deliberate` binary and checks what it reports: names, statuses, reasons,
//! `file:line`, output attribution, exit status, the timeout's kill, leftover processes, the
//! command line of libtest, nextest and the C harness, and TAP.

use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_deliberate");
const SOURCE: &str = "harness-tests/src/bin/deliberate.rs";

/// The line of the deliberate binary's source holding `needle`, as failures report it.
fn line_of(needle: &str) -> usize {
    let source = include_str!("../src/bin/deliberate.rs");
    1 + source
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is in the deliberate binary"))
}

fn run(args: &[&str]) -> Output {
    run_env(args, &[])
}

fn run_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove("LANDLOCK_TEST_STRICT");
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().expect("the deliberate binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// One reported case of the pretty format: its status text and the lines it printed.
#[derive(Debug)]
struct Reported {
    status: String,
    output: Vec<String>,
}

fn parse_pretty(text: &str) -> (Vec<String>, HashMap<String, Reported>) {
    let mut order = Vec::new();
    let mut cases: HashMap<String, Reported> = HashMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("test ")
            && let Some((name, status)) = rest.split_once(" ... ")
        {
            let status = status.rsplit_once(" [").map_or(status, |(s, _)| s);
            order.push(name.to_owned());
            cases.insert(
                name.to_owned(),
                Reported {
                    status: status.to_owned(),
                    output: Vec::new(),
                },
            );
            current = Some(name.to_owned());
        } else if let Some(attributed) = line.strip_prefix("    ")
            && let Some(name) = &current
        {
            cases
                .get_mut(name)
                .unwrap()
                .output
                .push(attributed.to_owned());
        } else {
            current = None;
        }
    }
    (order, cases)
}

/// One run of every case, shared by the tests that read it.
fn whole_run() -> &'static (Output, Vec<String>, HashMap<String, Reported>) {
    static RUN: OnceLock<(Output, Vec<String>, HashMap<String, Reported>)> = OnceLock::new();
    RUN.get_or_init(|| {
        let output = run(&["--test-threads", "2"]);
        let (order, cases) = parse_pretty(&stdout(&output));
        (output, order, cases)
    })
}

#[test]
fn cases_are_named_and_ordered_as_in_c() {
    let (_, order, _) = whole_run();
    let expected = [
        "global.pass",
        "global.expect_fails_and_goes_on",
        "global.assert_ends_body",
        "global.skip_with_reason",
        "global.panics",
        "global.crashes",
        "global.expected_signal",
        "global.hangs",
        "global.exits_early",
        "global.xfails",
        "global.xpasses",
        "global.child_failure_counts",
        "global.starts_in_an_empty_private_directory",
        "global.leaves_a_file",
        "global.fails_and_leaves_a_file",
        "global.prints_its_user_namespace",
        "global.leaves_a_mount",
        "global.exclusive_first",
        "global.exclusive_second",
        "global.declared_last",
        "fx.one.teardown_after_assert",
        "fx.one.xfail_one",
        "fx.two.teardown_after_assert",
        "fx.two.xfail_one",
        "fx.skipping.teardown_after_assert",
        "fx.skipping.xfail_one",
        "restricting.restricts_itself",
        "after.not_restricted",
        "after.leaves_a_sleeper",
        "escapee.setpgid.leaves_a_process",
        "escapee.setsid.leaves_a_process",
        "chatty.a.prints_many_lines",
        "chatty.b.prints_many_lines",
    ];
    assert_eq!(*order, expected);
}

#[test]
fn every_outcome_is_reported_with_its_reason() {
    let (output, _, cases) = whole_run();
    let status = |name: &str| cases[name].status.as_str();
    assert_eq!(status("global.pass"), "ok");
    assert_eq!(status("global.expect_fails_and_goes_on"), "FAILED");
    assert_eq!(status("global.assert_ends_body"), "FAILED");
    assert_eq!(
        status("global.skip_with_reason"),
        "skipped, SKIP: no feature here"
    );
    assert_eq!(status("global.panics"), "FAILED");
    assert_eq!(
        status("global.crashes"),
        "FAILED (terminated unexpectedly by SIGSEGV)"
    );
    assert_eq!(status("global.expected_signal"), "ok");
    assert_eq!(
        status("global.hangs"),
        "FAILED (terminated by timeout after 1 s)"
    );
    assert!(status("global.exits_early").starts_with("FAILED (exited with status 0 before"));
    assert_eq!(status("global.xfails"), "ok (XFAIL: failed as expected)");
    assert_eq!(
        status("global.xpasses"),
        "ok (XPASS: expected to fail, passed)"
    );
    assert_eq!(status("global.child_failure_counts"), "FAILED");
    assert_eq!(status("global.starts_in_an_empty_private_directory"), "ok");
    assert_eq!(
        status("global.leaves_a_file"),
        "FAILED (left behind in its working directory: junk)"
    );
    assert_eq!(
        status("global.fails_and_leaves_a_file"),
        "FAILED (left behind in its working directory: junk)"
    );
    assert_eq!(status("global.declared_last"), "ok");
    assert_eq!(
        status("global.leaves_a_mount"),
        "skipped, SKIP: SENTINEL_DIR names no directory to bind-mount"
    );
    assert_eq!(status("global.exclusive_first"), "ok");
    assert_eq!(status("global.exclusive_second"), "ok");
    assert_eq!(status("fx.one.xfail_one"), "ok (XFAIL: failed as expected)");
    assert_eq!(status("fx.two.xfail_one"), "ok");
    assert_eq!(
        status("fx.skipping.xfail_one"),
        "skipped, SKIP: setup skips variant 99"
    );
    assert_eq!(status("restricting.restricts_itself"), "ok");
    assert_eq!(status("after.not_restricted"), "ok");

    let text = stdout(output);
    assert!(text.contains(
        "test result: FAILED. 15 passed; 11 failed; 4 skipped; 2 xfail; 1 xpass; 0 ignored; \
         0 measured; 0 filtered out;"
    ));
    assert!(text.contains("\n15 passed, 11 failed, 4 skipped\n"));
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn failures_print_file_line_case_expressions_and_values() {
    let (_, _, cases) = whole_run();
    let line = line_of("expect_eq!(4, seen");
    let out = &cases["global.expect_fails_and_goes_on"].output;
    assert_eq!(
        out,
        &[
            format!("{SOURCE}:{line}:global.expect_fails_and_goes_on:Expected 4 (4) == seen (3)"),
            format!("{SOURCE}:{line}:global.expect_fails_and_goes_on:the message of TH_LOG"),
            "after the failed expectation".to_owned(),
        ]
    );
    let line = line_of("assert_eq!(1, 2)");
    let out = &cases["global.assert_ends_body"].output;
    assert_eq!(
        out,
        &[format!(
            "{SOURCE}:{line}:global.assert_ends_body:Expected 1 (1) == 2 (2)"
        )]
    );
    let line = line_of("panic!(\"deliberate panic\")");
    let out = &cases["global.panics"].output;
    assert_eq!(
        out,
        &[format!(
            "{SOURCE}:{line}:global.panics:panicked: deliberate panic"
        )]
    );
    let line = line_of("expect_eq!(1, 0)");
    let out = &cases["global.child_failure_counts"].output;
    assert_eq!(
        out,
        &[format!(
            "{SOURCE}:{line}:global.child_failure_counts:Expected 1 (1) == 0 (0)"
        )]
    );
}

#[test]
fn teardown_runs_after_a_fatal_assert_and_not_after_a_setup_skip() {
    let (_, _, cases) = whole_run();
    let out = &cases["fx.two.teardown_after_assert"].output;
    assert_eq!(out.first().map(String::as_str), Some("setup 2"));
    assert!(out[1].contains("Expected variant.base (2) == self.value + 1 (3)"));
    assert_eq!(out.last().map(String::as_str), Some("teardown 2"));
    let out = &cases["fx.skipping.teardown_after_assert"].output;
    assert_eq!(out.first().map(String::as_str), Some("setup 99"));
    assert!(!out.iter().any(|l| l.starts_with("teardown")));
}

#[test]
fn teardown_parent_sees_the_fixture_and_is_not_restricted() {
    let (_, _, cases) = whole_run();
    assert_eq!(
        cases["restricting.restricts_itself"].output,
        ["teardown_parent sees tag 8"]
    );
}

#[test]
fn output_of_concurrent_cases_is_never_interleaved() {
    let (_, _, cases) = whole_run();
    for (name, id) in [
        ("chatty.a.prints_many_lines", 1),
        ("chatty.b.prints_many_lines", 2),
    ] {
        let expected: Vec<String> = (0..100).map(|i| format!("chatty {id} line {i}")).collect();
        assert_eq!(cases[name].output, expected);
    }
}

#[test]
fn timeout_kills_the_case_after_its_time_and_the_suite_goes_on() {
    let started = Instant::now();
    let output = run(&["--exact", "global.hangs", "global.pass"]);
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1),
        "killed too early: {elapsed:?}"
    );
    // Far below the default 30 s: the case's own 1 s timeout did it, even on a loaded machine.
    assert!(
        elapsed < Duration::from_secs(5),
        "killed too late: {elapsed:?}"
    );
    let (_, cases) = parse_pretty(&stdout(&output));
    assert_eq!(cases["global.pass"].status, "ok");
}

/// The pid a case printed as `<prefix> <pid>`.
fn printed_pid(case: &Reported, prefix: &str) -> i32 {
    case.output
        .iter()
        .find_map(|line| line.strip_prefix(prefix)?.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix:?} line in {:?}", case.output))
}

/// Gone, not even a zombie: the pid no longer exists.
fn is_gone(pid: i32) -> bool {
    !std::path::Path::new(&format!("/proc/{pid}")).exists()
}

#[test]
fn no_process_of_a_case_outlives_the_run() {
    let output = run(&["--exact", "after.leaves_a_sleeper"]);
    let (_, cases) = parse_pretty(&stdout(&output));
    let pid = printed_pid(&cases["after.leaves_a_sleeper"], "sleeper pid ");
    assert!(is_gone(pid));
}

/// A process that left the case's process group is ended with the case, with a cgroup per case
/// and without (by the subreaper), and the run does not wait for it.
#[test]
fn a_process_that_left_the_group_ends_with_its_case() {
    for cgroups in ["1", "0"] {
        for variant in ["setpgid", "setsid"] {
            let name = format!("escapee.{variant}.leaves_a_process");
            let started = Instant::now();
            let output = run_env(&["--exact", &name], &[("LANDLOCK_TEST_CGROUPS", cgroups)]);
            let elapsed = started.elapsed();
            let (_, cases) = parse_pretty(&stdout(&output));
            assert_eq!(cases[&name].status, "ok", "{name}, cgroups {cgroups}");
            let pid = printed_pid(&cases[&name], "escapee pid ");
            assert!(is_gone(pid), "{name}, cgroups {cgroups}: {pid} lives");
            // Waiting for the output of a process that lives on would take 2.5 s.
            assert!(
                elapsed < Duration::from_secs(2),
                "{name}, cgroups {cgroups}: {elapsed:?}"
            );
        }
    }
}

/// A cgroup killed for an escapee is not used again: some kernels (6.18) kill every process
/// later started in it with `CLONE_INTO_CGROUP`, which would fail the next case at birth.
#[test]
fn the_case_after_a_killed_cgroup_runs() {
    // In declared order: the second starts once the first was killed.
    let names = [
        "escapee.setpgid.leaves_a_process",
        "escapee.setsid.leaves_a_process",
    ];
    let output = run(&["--test-threads", "1", "--exact", names[0], names[1]]);
    let (_, cases) = parse_pretty(&stdout(&output));
    for name in names {
        assert_eq!(cases[name].status, "ok", "{name}");
    }
}

/// An exclusive group's teardown runs once, after the group's last case, beside the other
/// cases; a case alone of its group is its last.
#[test]
fn a_group_teardown_runs_once_after_the_groups_last_case() {
    for filters in [
        &["exclusive_"][..],
        &["--exact", "global.exclusive_second"],
        &[],
    ] {
        let log = std::env::temp_dir().join(format!(
            "landlock-test-teardown-{}-{}",
            std::process::id(),
            filters.len()
        ));
        let _ = std::fs::remove_file(&log);
        let args: Vec<&str> = ["--test-threads", "2"]
            .iter()
            .chain(filters)
            .copied()
            .collect();
        let output = run_env(&args, &[("DELIBERATE_TEARDOWN_LOG", log.to_str().unwrap())]);
        let logged = std::fs::read_to_string(&log).unwrap_or_default();
        let _ = std::fs::remove_file(&log);
        assert_eq!(
            logged, "teardown, file held: false\n",
            "{filters:?}: {output:?}"
        );
    }
    // Without a case of the group, no teardown.
    let log = std::env::temp_dir().join(format!("landlock-test-teardown-{}", std::process::id()));
    run_env(
        &["--exact", "global.pass"],
        &[("DELIBERATE_TEARDOWN_LOG", log.to_str().unwrap())],
    );
    assert!(!log.exists());
}

/// A teardown that fails fails the run, saying which group's.
#[test]
fn a_failed_group_teardown_fails_the_run() {
    let output = run_env(
        &["--exact", "global.exclusive_first"],
        &[("DELIBERATE_TEARDOWN_FAIL", "1")],
    );
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("the teardown of the group group: deliberate teardown failure"),
        "{stderr}"
    );
}

/// In the whole run, other cases run beside the escapees' (two at a time).
#[test]
fn escapees_of_a_parallel_run_are_gone() {
    let (_, _, cases) = whole_run();
    for variant in ["setpgid", "setsid"] {
        let pid = printed_pid(
            &cases[&format!("escapee.{variant}.leaves_a_process")],
            "escapee pid ",
        );
        assert!(is_gone(pid), "{variant}: {pid} lives");
    }
}

#[test]
fn the_header_says_what_ends_a_case() {
    let text = stdout(&run_env(
        &["--exact", "global.pass"],
        &[("LANDLOCK_TEST_CGROUPS", "0")],
    ));
    assert!(
        text.contains(
            "processes: each case's process group is killed when the case ends, and what \
                 leaves it once the cases it may belong to have ended (no cgroup per case: \
                 LANDLOCK_TEST_CGROUPS=0)"
        ),
        "{text}"
    );
}

#[test]
fn a_leftover_mount_is_detached_not_emptied() {
    let sentinel =
        std::env::temp_dir().join(format!("landlock-test-sentinel-{}", std::process::id()));
    std::fs::create_dir_all(&sentinel).unwrap();
    std::fs::write(sentinel.join("keep"), b"must survive").unwrap();
    let output = run_env(
        &["--exact", "global.leaves_a_mount"],
        &[("SENTINEL_DIR", sentinel.to_str().unwrap())],
    );
    let (_, cases) = parse_pretty(&stdout(&output));
    let status = &cases["global.leaves_a_mount"].status;
    assert!(
        status.starts_with("FAILED (left behind in its working directory: m, mounts on /"),
        "{status}"
    );
    assert!(
        sentinel.join("keep").exists(),
        "the runner deleted through a mount"
    );
    std::fs::remove_dir_all(&sentinel).unwrap();
}

#[test]
fn libtest_filters_exact_and_skip() {
    let output = run(&["--list", "xfail_one"]);
    assert_eq!(
        stdout(&output),
        "fx.one.xfail_one: test\nfx.two.xfail_one: test\nfx.skipping.xfail_one: test\n\n\
         3 tests, 0 benchmarks\n"
    );
    let output = run(&[
        "--list",
        "--format",
        "terse",
        "xfail_one",
        "--skip",
        "skipping",
    ]);
    assert_eq!(
        stdout(&output),
        "fx.one.xfail_one: test\nfx.two.xfail_one: test\n"
    );
    let output = run(&["--list", "--exact", "global.pass"]);
    assert_eq!(
        stdout(&output),
        "global.pass: test\n\n1 tests, 0 benchmarks\n"
    );
}

#[test]
fn nextest_protocol() {
    let output = run(&["--list", "--format", "terse"]);
    assert_eq!(stdout(&output).lines().count(), 33);
    assert!(stdout(&output).lines().all(|l| l.ends_with(": test")));
    let output = run(&["--list", "--format", "terse", "--ignored"]);
    assert_eq!(stdout(&output), "");
    let output = run(&["--exact", "fx.one.xfail_one", "--nocapture"]);
    assert_eq!(output.status.code(), Some(0));
    let text = stdout(&output);
    assert!(text.contains("running 1 test\n"), "{text}");
    assert!(
        text.contains("setup 1"),
        "uncaptured output goes straight out: {text}"
    );
    let output = run(&["--exact", "global.skip_with_reason", "--nocapture"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).contains("SKIP: no feature here"));
}

#[test]
fn strict_mode_fails_skips() {
    let output = run_env(
        &["--exact", "global.skip_with_reason"],
        &[("LANDLOCK_TEST_STRICT", "1")],
    );
    assert_eq!(output.status.code(), Some(1));
    let (_, cases) = parse_pretty(&stdout(&output));
    assert_eq!(
        cases["global.skip_with_reason"].status,
        "FAILED (skipped, and LANDLOCK_TEST_STRICT forbids skips: no feature here)"
    );
}

#[test]
fn c_harness_filters() {
    let names = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--list", "--format", "terse"];
        all.extend_from_slice(args);
        stdout(&run(&all))
            .lines()
            .map(|l| l.trim_end_matches(": test").to_owned())
            .collect()
    };
    assert_eq!(names(&["-r", "fx.two.xfail_one"]), ["fx.two.xfail_one"]);
    assert_eq!(names(&["-v", "b"]), ["chatty.b.prints_many_lines"]);
    assert_eq!(names(&["-T", "xfail_one", "-f", "fx"]).len(), 3);
    assert_eq!(names(&["-f", "fx", "-T", "xfail_one"]).len(), 6);
    // The first matching option decides: `-T xfail_one -v one` keeps one's other tests only.
    assert_eq!(
        names(&["-T", "xfail_one", "-v", "one"]),
        ["fx.one.teardown_after_assert"]
    );
    assert_eq!(
        names(&["-F", "global", "-F", "fx", "-F", "chatty"]).len(),
        5
    );
}

#[test]
fn tap_output_is_the_c_harness_format() {
    let output = run(&[
        "--format",
        "tap",
        "--exact",
        "global.pass",
        "global.expect_fails_and_goes_on",
        "global.skip_with_reason",
        "global.xfails",
    ]);
    let text = stdout(&output);
    let lines: Vec<&str> = text.lines().collect();
    let (expect, skip, xfail) = (
        line_of("expect_eq!(4, seen"),
        line_of("skip!(\"no {} here\""),
        line_of("expect_true!(false)"),
    );
    assert_eq!(lines[0], "TAP version 13");
    assert_eq!(lines[1], "1..4");
    assert!(lines[2].starts_with("# Linux "));
    assert!(lines[3].starts_with("# Landlock errata fixed: "));
    assert!(lines[4].starts_with("# privilege: "));
    assert!(lines[5].starts_with("# processes: "));
    assert!(lines[6].starts_with("# listen(2): "));
    assert_eq!(lines[7], "# Starting 4 tests from 1 test cases.");
    let expected_tail = [
        "#  RUN           global.pass ...".to_owned(),
        "#            OK  global.pass".to_owned(),
        "ok 1 global.pass".to_owned(),
        "#  RUN           global.expect_fails_and_goes_on ...".to_owned(),
        format!("# {SOURCE}:{expect}:global.expect_fails_and_goes_on:Expected 4 (4) == seen (3)"),
        format!("# {SOURCE}:{expect}:global.expect_fails_and_goes_on:the message of TH_LOG"),
        "# after the failed expectation".to_owned(),
        "#          FAIL  global.expect_fails_and_goes_on".to_owned(),
        "not ok 2 global.expect_fails_and_goes_on".to_owned(),
        "#  RUN           global.skip_with_reason ...".to_owned(),
        format!("# {SOURCE}:{skip}:global.skip_with_reason:SKIP: no feature here"),
        "#            OK  global.skip_with_reason".to_owned(),
        "ok 3 global.skip_with_reason # SKIP no feature here".to_owned(),
        "#  RUN           global.xfails ...".to_owned(),
        format!("# {SOURCE}:{xfail}:global.xfails:Expected false (false) is true"),
        "#          FAIL  global.xfails".to_owned(),
        "ok 4 global.xfails # XFAIL unknown".to_owned(),
        "# FAILED: 3 / 4 tests passed.".to_owned(),
        "# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:1 error:0".to_owned(),
    ];
    assert_eq!(lines[8..], expected_tail);
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn unknown_option_is_an_error_with_usage() {
    let output = run(&["--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown option \"--frobnicate\""));
}

/// Root without capabilities may create a user namespace but not map root in it: the runner
/// must then stay where it is, and its header say so.
#[test]
fn a_failed_user_namespace_is_not_half_kept() {
    let output = Command::new("setpriv")
        .args([
            "--inh-caps=-all",
            "--ambient-caps=-all",
            "--bounding-set=-all",
            BIN,
        ])
        .args(["--exact", "global.prints_its_user_namespace"])
        .output()
        .expect("setpriv (util-linux) runs");
    let text = stdout(&output);
    let (_, cases) = parse_pretty(&text);
    let case = &cases["global.prints_its_user_namespace"];
    if nix::unistd::geteuid().is_root() {
        assert!(text.contains("\nprivilege: none (without "), "{text}");
        assert_eq!(case.output, ["uid_map 0 0 4294967295"], "{text}");
    } else {
        // Without root, the user namespace is made and mapped: the header says which.
        assert!(
            text.contains("\nprivilege: a user namespace mapping uid "),
            "{text}"
        );
    }
}

/// A configuration error of the suite (here a listen right the kernel refuses) stops the run
/// with status 2 before any case, saying why.
#[test]
fn a_configuration_error_stops_the_run_before_any_case() {
    let output = run_env(&[], &[("LANDLOCK_TEST_LISTEN_TCP", "1<<63")]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: LANDLOCK_TEST_LISTEN_TCP declares 0x8000000000000000"),
        "{stderr}"
    );
    assert!(!stdout(&output).contains("test "), "{}", stdout(&output));
}
