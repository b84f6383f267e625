//! A guest's output against its kernel's table: every case as the table says, every skip that
//! blames the ABI true on this kernel, the run itself complete.

use super::table::{Abi, Errata, Table};
use super::tap::{CaseResult, Outcome, Tap};
use regex::Regex;
use std::fmt::Write as _;
use std::sync::LazyLock;

/// One suite's part of a guest's run.
#[derive(Debug, Default)]
pub struct SuiteRun {
    pub name: String,
    /// The TAP the suite printed (what came of it).
    pub tap_text: String,
    pub tap: Tap,
    /// Exit status; `None` when it never finished.
    pub rc: Option<i32>,
    /// Seconds in the guest.
    pub seconds: Option<f64>,
}

/// What the guest's init reported: the markers of `guest-init.sh`.
#[derive(Debug, Default)]
pub struct GuestLog {
    /// `uname -r` in the guest; `None` when the init never started.
    pub kernel: Option<String>,
    pub done: bool,
    pub warnings: Vec<String>,
    pub suites: Vec<SuiteRun>,
}

impl GuestLog {
    pub fn parse(text: &str) -> GuestLog {
        let mut log = GuestLog::default();
        let mut current: Option<(SuiteRun, f64)> = None;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            let mut words = line.split(' ');
            match words.next() {
                Some("KM-GUEST") => {
                    log.kernel = words
                        .next()
                        .and_then(|w| w.strip_prefix("kernel="))
                        .map(str::to_owned);
                }
                Some("KM-GUEST-DONE") => log.done = true,
                Some("KM-WARNING") => log.warnings.push(line["KM-WARNING ".len()..].to_owned()),
                Some("KM-SUITE-BEGIN") => {
                    let name = words.next().unwrap_or_default().to_owned();
                    let start = uptime(words.next());
                    current = Some((
                        SuiteRun {
                            name,
                            ..SuiteRun::default()
                        },
                        start,
                    ));
                }
                Some("KM-SUITE-END") => {
                    if let Some((mut suite, start)) = current.take() {
                        words.next();
                        suite.rc = words
                            .next()
                            .and_then(|w| w.strip_prefix("rc="))
                            .and_then(|rc| rc.parse().ok());
                        suite.seconds = Some(uptime(words.next()) - start);
                        log.push(suite);
                    }
                }
                _ => {
                    if let Some((suite, _)) = &mut current {
                        suite.tap_text.push_str(line);
                        suite.tap_text.push('\n');
                    }
                }
            }
        }
        if let Some((suite, _)) = current {
            log.push(suite);
        }
        log
    }

    fn push(&mut self, mut suite: SuiteRun) {
        suite.tap = Tap::parse(&suite.tap_text);
        self.suites.push(suite);
    }
}

fn uptime(word: Option<&str>) -> f64 {
    word.and_then(|w| w.strip_prefix("uptime="))
        .and_then(|w| w.parse().ok())
        .unwrap_or(0.0)
}

/// The verdict on one kernel's run.
#[derive(Debug, Default)]
pub struct Report {
    /// `-` what the table expects, `+` what ran, `!` a problem with the run itself.
    pub deviations: Vec<String>,
    /// Unexpected cases (a pair of `-`/`+` lines each); with the `!` lines, the deviations.
    pub unexpected_cases: usize,
    /// The run written as a table, to review before copying any line.
    pub draft: String,
}

static NEEDS_ABI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"needs Landlock ABI ([0-9]+)").expect("valid regex"));
static HEADER_ABI: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"Landlock ABI ([0-9]+)$").expect("valid regex"));

/// The line of the suites' header that lists the errata.
pub const ERRATA_PREFIX: &str = "Landlock errata fixed: ";

/// Checks the guest's run against the table; `suites` are the suites the guest had to run.
pub fn check(log: &GuestLog, table: &Table, suites: &[&str]) -> Report {
    let mut report = Report::default();
    let status_phrase = match table.abi {
        Abi::Disabled => "Landlock is disabled at boot".to_owned(),
        Abi::Version(n) => format!("this kernel has ABI {n}"),
    };
    if log.kernel.is_none() {
        report
            .deviations
            .push("!the guest did not start its init".to_owned());
    } else if !log.done {
        report
            .deviations
            .push("!the guest stopped before its init finished".to_owned());
    }
    for &name in suites {
        let Some(suite) = log.suites.iter().find(|s| s.name == name) else {
            report
                .deviations
                .push(format!("!{name}: did not start in the guest"));
            continue;
        };
        check_suite(suite, table, &status_phrase, &mut report);
    }
    report
}

fn check_suite(suite: &SuiteRun, table: &Table, status_phrase: &str, report: &mut Report) {
    let name = &suite.name;
    let tap = &suite.tap;
    let dev = &mut report.deviations;
    match suite.rc {
        None => dev.push(format!(
            "!{name}: did not finish (the guest crashed or timed out)"
        )),
        Some(rc) => {
            let failed = tap.count(Outcome::Fail) + tap.count(Outcome::Xpass);
            if failed == 0 && rc != 0 {
                dev.push(format!(
                    "!{name}: exited with status {rc} although no case failed"
                ));
            } else if failed > 0 && rc == 0 {
                dev.push(format!(
                    "!{name}: exited with status 0 although {failed} cases failed"
                ));
            }
            if !tap.totals {
                dev.push(format!("!{name}: no '# Totals:' line"));
            }
        }
    }
    let header = tap.kernel_line().unwrap_or("no '# Linux' header");
    let header_ok = match table.abi {
        Abi::Disabled => header.contains("Landlock is disabled at boot"),
        Abi::Version(n) => HEADER_ABI
            .captures(header)
            .is_some_and(|c| c[1] == *n.to_string()),
    };
    if !header_ok {
        dev.push(format!(
            "!{name}: the table says Landlock {}, the suite says: {header}",
            table.abi
        ));
    }
    if let Some(errata) = &table.errata {
        let line = tap
            .header
            .iter()
            .find_map(|l| l.strip_prefix(ERRATA_PREFIX));
        let said = line.map(|l| {
            let numbers: Vec<u32> = l
                .split(", ")
                .filter_map(|e| e.strip_prefix('#')?.split(' ').next()?.parse().ok())
                .collect();
            if l.starts_with("not reported") {
                Errata::Unreported
            } else {
                Errata::Fixed(numbers)
            }
        });
        if said.as_ref() != Some(errata) {
            dev.push(format!(
                "!{name}: the table says errata {errata:?}, the suite says: {}",
                line.unwrap_or("no errata line")
            ));
        }
    }
    match tap.plan {
        None => dev.push(format!(
            "!{name}: no TAP plan line (1..N): the suite did not start properly"
        )),
        Some(plan) if plan != tap.cases.len() => dev.push(format!(
            "!{name}: the plan announced {plan} cases, {} reported a result",
            tap.cases.len()
        )),
        Some(_) => {}
    }

    let _ = writeln!(report.draft, "[{name}]");
    for case in &tap.cases {
        let _ = writeln!(
            report.draft,
            "{:<60} {}  {}",
            case.name, case.outcome, case.reason
        );
        if let Some(problem) = case_problem(case, name, table, status_phrase) {
            let (want, rule_text) = match table.rule_for(name, &case.name) {
                Some(rule) if rule.reasons.is_empty() => (
                    rule.outcome.to_string(),
                    format!("line {}: {}", rule.line, rule.glob),
                ),
                Some(rule) => (
                    format!("{}  ~\"{}\"", rule.outcome, rule.reason_text()),
                    format!("line {}: {}", rule.line, rule.glob),
                ),
                None => ("pass".to_owned(), "no rule: default pass".to_owned()),
            };
            let got = match case.outcome {
                Outcome::Skip => format!("skip  \"{}\"", case.reason),
                o => o.to_string(),
            };
            report.unexpected_cases += 1;
            report
                .deviations
                .push(format!("-{name}: {}  {want}    ({rule_text})", case.name));
            report
                .deviations
                .push(format!("+{name}: {}  {got}    <- {problem}", case.name));
        }
    }
    report.draft.push('\n');
}

/// Why `case` deviates from the table, if it does.
fn case_problem(
    case: &CaseResult,
    suite: &str,
    table: &Table,
    status_phrase: &str,
) -> Option<String> {
    let rule = table.rule_for(suite, &case.name);
    let expected = rule.map_or(Outcome::Pass, |r| r.outcome);
    let mut problems = Vec::new();
    if case.outcome != expected {
        problems.push(format!("expected {expected}, got {}", case.outcome));
    } else if let Some(rule) = rule {
        match case.outcome {
            Outcome::Skip if !rule.reason_in(&case.reason) => problems.push(format!(
                "the skip reason has none of: {}",
                rule.reason_text()
            )),
            Outcome::Fail if !case.output.iter().any(|l| rule.reason_in(l)) => problems.push(
                format!("the failure's output names none of: {}", rule.reason_text()),
            ),
            _ => {}
        }
    }
    // Whatever the table says: a skip that blames the ABI must be true on this kernel.
    if case.outcome == Outcome::Skip
        && let Some(c) = NEEDS_ABI.captures(&case.reason)
    {
        let need: u32 = c[1].parse().unwrap_or(0);
        match table.abi {
            Abi::Version(abi) if need <= abi => problems.push(format!(
                "the skip claims ABI {need} is needed, this kernel has ABI {abi}"
            )),
            _ if !case.reason.contains(status_phrase) => {
                problems.push(format!("the skip reason does not say \"{status_phrase}\""))
            }
            _ => {}
        }
    }
    (!problems.is_empty()).then(|| problems.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn log(tap: &str) -> GuestLog {
        GuestLog::parse(&format!(
            "KM-GUEST kernel=6.1.0-50-amd64 uptime=1.0 cmdline=x\n\
             KM-SUITE-BEGIN fs_test uptime=2.0\n{tap}KM-SUITE-END fs_test rc=1 uptime=5.5\n\
             KM-GUEST-DONE uptime=6.0\n"
        ))
    }

    const HEADER: &str = "# Linux 6.1.0-50-amd64, Landlock ABI 2\n\
                          # Landlock errata fixed: not reported (the query needs ABI 7)\n";

    fn table(rules: &str) -> Table {
        Table::parse(&format!("abi 2\nerrata unreported\n[fs_test]\n{rules}")).unwrap()
    }

    #[test]
    fn a_run_as_the_table_says_has_no_deviation() {
        let l = log(&format!(
            "{HEADER}1..3\nok 1 a.x\n\
             ok 2 t.y # SKIP LANDLOCK_ACCESS_FS_TRUNCATE: needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2\n\
             #  RUN           b.z ...\n# erratum 3 (disconnected directories)\n#          FAIL  b.z\n\
             not ok 3 b.z\n# Totals: pass:1 fail:1 xfail:0 xpass:0 skip:1 error:0\n"
        ));
        assert_eq!(l.suites[0].seconds, Some(3.5));
        let r = check(
            &l,
            &table("t.*  skip  TRUNCATE\nb.z  fail  erratum 3\n"),
            &["fs_test"],
        );
        assert_eq!(r.deviations, Vec::<String>::new());
        assert!(r.draft.contains("b.z"));
    }

    #[test]
    fn finds_every_kind_of_deviation() {
        let l = log(&format!(
            "{HEADER}1..4\nok 1 a.x\n\
             ok 2 t.y # SKIP feature: needs Landlock ABI 2 (Linux 5.19); this kernel has ABI 2\n\
             #  RUN           b.z ...\n# some other failure\n#          FAIL  b.z\nnot ok 3 b.z\n"
        ));
        let r = check(
            &l,
            &table("a.*  skip  X\nt.*  skip  feature\nb.z  fail  erratum 3\n"),
            &["fs_test", "net_test"],
        );
        let text = r.deviations.join("\n");
        assert!(
            text.contains("a.x  pass    <- expected skip, got pass"),
            "{text}"
        );
        assert!(text.contains("the skip claims ABI 2 is needed, this kernel has ABI 2"));
        assert!(text.contains("the failure's output names none of: erratum 3"));
        assert!(text.contains("!fs_test: no '# Totals:' line"));
        assert!(text.contains("!fs_test: the plan announced 4 cases, 3 reported a result"));
        assert!(text.contains("!net_test: did not start in the guest"));
        assert_eq!(r.unexpected_cases, 3);
    }

    #[test]
    fn checks_header_abi_and_errata() {
        let l = log(
            "# Linux 7.2.13, Landlock ABI 10\n# Landlock errata fixed: #1 (tcp), #3 (dirs)\n1..0\n# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:0 error:0\n",
        );
        let t = Table::parse("abi 10\nerrata 1 3\n[fs_test]\n").unwrap();
        let r = check(&l, &t, &["fs_test"]);
        // rc=1 with no failure is a deviation; nothing else.
        assert_eq!(r.deviations.len(), 1, "{:?}", r.deviations);
        let t = Table::parse("abi 9\nerrata 1 2 3\n[fs_test]\n").unwrap();
        let r = check(&l, &t, &["fs_test"]);
        assert_eq!(r.deviations.len(), 3, "{:?}", r.deviations);
    }

    #[test]
    fn a_crashed_guest_is_a_deviation() {
        let l = GuestLog::parse(
            "KM-GUEST kernel=x uptime=1\nKM-SUITE-BEGIN fs_test uptime=1\n1..2\nok 1 a\n",
        );
        let r = check(&l, &table(""), &["fs_test"]);
        let text = r.deviations.join("\n");
        assert!(text.contains("!the guest stopped before its init finished"));
        assert!(text.contains("!fs_test: did not finish"));
    }
}
