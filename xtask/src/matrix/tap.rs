//! The TAP 13 that the suites print with `--format tap` (kselftest's dialect): a plan, one
//! `ok`/`not ok` line per case with an optional `# SKIP`/`# XFAIL`/`# XPASS` directive, and the
//! case's own output as `# ` lines between `#  RUN name ...` and its result.

use std::fmt;

/// What a case ended as.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Outcome {
    Pass,
    Skip,
    Xfail,
    Xpass,
    Fail,
}

impl Outcome {
    pub const ALL: [Outcome; 5] = [
        Outcome::Pass,
        Outcome::Skip,
        Outcome::Xfail,
        Outcome::Xpass,
        Outcome::Fail,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Skip => "skip",
            Outcome::Xfail => "xfail",
            Outcome::Xpass => "xpass",
            Outcome::Fail => "fail",
        }
    }

    pub fn parse(word: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|o| o.name() == word)
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One case's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    pub name: String,
    pub outcome: Outcome,
    /// The directive's text: the skip reason (empty for pass and fail).
    pub reason: String,
    /// The case's diagnostic lines (without the leading `# `), where failure messages are.
    pub output: Vec<String>,
}

/// A whole TAP stream.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tap {
    /// `1..N`.
    pub plan: Option<usize>,
    /// The diagnostic lines before the first case (the run's header).
    pub header: Vec<String>,
    pub cases: Vec<CaseResult>,
    /// Whether the `# Totals:` line came.
    pub totals: bool,
}

impl Tap {
    pub fn parse(text: &str) -> Tap {
        let mut tap = Tap::default();
        let mut output: Vec<String> = Vec::new();
        let mut in_case = false;
        for line in text.lines() {
            let line = line.trim_end_matches('\r');
            if let Some(n) = line.strip_prefix("1..") {
                if tap.plan.is_none() {
                    tap.plan = n.trim().parse().ok();
                }
            } else if let Some(result) = parse_result(line) {
                tap.cases.push(CaseResult {
                    output: std::mem::take(&mut output),
                    ..result
                });
                in_case = false;
            } else if let Some(diag) = line.strip_prefix('#') {
                let diag = diag.strip_prefix(' ').unwrap_or(diag);
                if diag.starts_with("Totals: ") {
                    tap.totals = true;
                } else if diag.starts_with(" RUN ") {
                    in_case = true;
                    output.clear();
                } else if in_case {
                    output.push(diag.to_owned());
                } else if tap.cases.is_empty() {
                    tap.header.push(diag.to_owned());
                }
            }
        }
        tap
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        self.cases.iter().filter(|c| c.outcome == outcome).count()
    }

    /// The `# Linux <release>, ...` line the suites start with.
    pub fn kernel_line(&self) -> Option<&str> {
        self.header
            .iter()
            .find(|l| l.starts_with("Linux "))
            .map(String::as_str)
    }
}

/// `ok N name`, `ok N name # SKIP reason`, `not ok N name`.
fn parse_result(line: &str) -> Option<CaseResult> {
    let (failed, rest) = match line.strip_prefix("not ok ") {
        Some(rest) => (true, rest),
        None => (false, line.strip_prefix("ok ")?),
    };
    let (number, rest) = rest.split_once(' ')?;
    number.parse::<usize>().ok()?;
    let (name, directive) = match rest.split_once(" # ") {
        Some((name, directive)) => (name, Some(directive)),
        None => (rest, None),
    };
    let (outcome, reason) = match (failed, directive) {
        (true, _) => (Outcome::Fail, ""),
        (false, None) => (Outcome::Pass, ""),
        (false, Some(d)) => {
            let (word, reason) = d.split_once(' ').unwrap_or((d, ""));
            let outcome = match word {
                "SKIP" => Outcome::Skip,
                "XFAIL" => Outcome::Xfail,
                "XPASS" => Outcome::Xpass,
                _ => Outcome::Pass,
            };
            (outcome, reason)
        }
    };
    Some(CaseResult {
        name: name.trim().to_owned(),
        outcome,
        reason: reason.trim().to_owned(),
        output: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "\
TAP version 13
# Linux 6.1.0-50-amd64, Landlock ABI 2
# Landlock errata: not reported (the query needs ABI 7)
1..4
#  RUN           layout1.a ...
#            OK  layout1.a
ok 1 layout1.a
#  RUN           layout1_bind.path_disconnected ...
# fs_test.rs:10:layout1_bind.path_disconnected:Expected Ok(()) == rename(...) (Err(EACCES))
# erratum 3: disconnected directories
#          FAIL  layout1_bind.path_disconnected
not ok 2 layout1_bind.path_disconnected
#  RUN           ftruncate.w_w.x ...
#          SKIP  ...
ok 3 ftruncate.w_w.x # SKIP LANDLOCK_ACCESS_FS_TRUNCATE: needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2
ok 4 t.x # XFAIL unknown
# Totals: pass:1 fail:1 xfail:1 xpass:0 skip:1 error:0
";

    #[test]
    fn parses_plan_header_cases_and_output() {
        let tap = Tap::parse(RUN);
        assert_eq!(tap.plan, Some(4));
        assert!(tap.totals);
        assert_eq!(
            tap.kernel_line(),
            Some("Linux 6.1.0-50-amd64, Landlock ABI 2")
        );
        assert_eq!(tap.header.len(), 2);
        let outcomes: Vec<_> = tap.cases.iter().map(|c| c.outcome).collect();
        assert_eq!(
            outcomes,
            [Outcome::Pass, Outcome::Fail, Outcome::Skip, Outcome::Xfail]
        );
        assert_eq!(tap.cases[1].name, "layout1_bind.path_disconnected");
        assert!(tap.cases[1].output.iter().any(|l| l.contains("erratum 3")));
        assert!(tap.cases[0].output.iter().all(|l| !l.contains("erratum")));
        assert_eq!(
            tap.cases[2].reason,
            "LANDLOCK_ACCESS_FS_TRUNCATE: needs Landlock ABI 3 (Linux 6.2); this kernel has ABI 2"
        );
        assert_eq!(tap.count(Outcome::Skip), 1);
    }

    #[test]
    fn a_truncated_stream_has_what_came() {
        let tap = Tap::parse("1..3\nok 1 a\nnot ok 2 b\n");
        assert_eq!(tap.plan, Some(3));
        assert_eq!(tap.cases.len(), 2);
        assert!(!tap.totals);
    }

    #[test]
    fn ignores_lines_that_are_not_tap() {
        let tap = Tap::parse("[    1.0] random kernel line\nok one\nok 1 a\n");
        assert_eq!(tap.cases.len(), 1);
        assert_eq!(tap.cases[0].name, "a");
    }
}
