//! What the user reads: libtest's pretty and terse formats under `cargo test`, and TAP 13 as
//! kselftest_harness.h prints it, for kernel CI. Cases are reported in their declared order,
//! each with the output it printed, so that two runs compare line by line.

use std::io::Write;
use std::time::Duration;

use super::args::Format;
use super::verdict::Verdict;

/// Per-status counts, as the C harness's `# Totals:` line has them.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Totals {
    pub pass: usize,
    pub fail: usize,
    pub xfail: usize,
    pub xpass: usize,
    pub skip: usize,
}

impl Totals {
    fn add(&mut self, verdict: &Verdict) {
        match verdict {
            Verdict::Pass => self.pass += 1,
            Verdict::Fail(_) => self.fail += 1,
            Verdict::Skip(_) => self.skip += 1,
            Verdict::XFail(_) => self.xfail += 1,
            Verdict::XPass => self.xpass += 1,
        }
    }
}

pub(crate) struct Reporter {
    format: Format,
    out: std::io::Stdout,
    totals: Totals,
    number: usize,
    failures: Vec<String>,
}

impl Reporter {
    pub(crate) fn new(format: Format) -> Self {
        Reporter {
            format,
            out: std::io::stdout(),
            totals: Totals::default(),
            number: 0,
            failures: Vec::new(),
        }
    }

    pub(crate) fn totals(&self) -> Totals {
        self.totals
    }

    /// `context` says what the run is about (the Landlock ABI, the listen mode...).
    pub(crate) fn start(&mut self, count: usize, fixtures: usize, context: &[String]) {
        let out = &mut self.out;
        match self.format {
            Format::Tap => {
                let _ = writeln!(out, "TAP version 13\n1..{count}");
                for line in context {
                    let _ = writeln!(out, "# {line}");
                }
                let _ = writeln!(out, "# Starting {count} tests from {fixtures} test cases.");
            }
            Format::Pretty | Format::Terse => {
                let _ = writeln!(out);
                for line in context {
                    let _ = writeln!(out, "{line}");
                }
                let s = if count == 1 { "" } else { "s" };
                let _ = writeln!(out, "running {count} test{s}");
            }
        }
        let _ = out.flush();
    }

    pub(crate) fn case(
        &mut self,
        name: &str,
        verdict: &Verdict,
        output: &[u8],
        duration: Duration,
    ) {
        self.number += 1;
        self.totals.add(verdict);
        if !verdict.passed() {
            self.failures.push(name.to_owned());
        }
        let output = String::from_utf8_lossy(output);
        let out = &mut self.out;
        match self.format {
            Format::Tap => {
                let _ = writeln!(out, "#  RUN           {name} ...");
                for line in output.lines() {
                    let _ = writeln!(out, "# {line}");
                }
                if let Verdict::Fail(Some(reason)) = verdict {
                    let _ = writeln!(out, "# {name}: {reason}");
                }
                let ok = if verdict.passed() && !matches!(verdict, Verdict::XFail(_)) {
                    "  OK"
                } else {
                    "FAIL"
                };
                let _ = writeln!(out, "#          {ok}  {name}");
                let n = self.number;
                let _ = match verdict {
                    Verdict::Pass => writeln!(out, "ok {n} {name}"),
                    Verdict::Fail(_) => writeln!(out, "not ok {n} {name}"),
                    Verdict::Skip(reason) => writeln!(out, "ok {n} {name} # SKIP {reason}"),
                    Verdict::XFail(_) => writeln!(out, "ok {n} {name} # XFAIL unknown"),
                    Verdict::XPass => writeln!(out, "ok {n} {name} # XPASS unknown"),
                };
            }
            Format::Pretty => {
                let status = match verdict {
                    Verdict::Pass => "ok".to_owned(),
                    Verdict::Fail(None) => "FAILED".to_owned(),
                    Verdict::Fail(Some(reason)) => format!("FAILED ({reason})"),
                    Verdict::Skip(reason) => format!("skipped, SKIP: {reason}"),
                    Verdict::XFail(_) => "ok (XFAIL: failed as expected)".to_owned(),
                    Verdict::XPass => "ok (XPASS: expected to fail, passed)".to_owned(),
                };
                let time = duration.as_secs_f64() * 1000.0;
                let _ = writeln!(out, "test {name} ... {status} [{time:.1} ms]");
                for line in output.lines() {
                    let _ = writeln!(out, "    {line}");
                }
            }
            Format::Terse => {
                let c = match verdict {
                    Verdict::Pass | Verdict::XFail(_) | Verdict::XPass => '.',
                    Verdict::Fail(_) => 'F',
                    Verdict::Skip(_) => 's',
                };
                let _ = write!(out, "{c}");
                if !verdict.passed() {
                    let _ = writeln!(out, "\n---- {name} ----");
                    if let Verdict::Fail(Some(reason)) = verdict {
                        let _ = writeln!(out, "{reason}");
                    }
                    let _ = write!(out, "{output}");
                }
            }
        }
        let _ = out.flush();
    }

    pub(crate) fn finish(&mut self, filtered_out: usize, elapsed: Duration) {
        let t = self.totals;
        let out = &mut self.out;
        match self.format {
            Format::Tap => {
                let passed = t.pass + t.xfail + t.xpass + t.skip;
                let word = if t.fail == 0 { "PASSED" } else { "FAILED" };
                let _ = writeln!(out, "# {word}: {passed} / {} tests passed.", self.number);
                let _ = writeln!(
                    out,
                    "# Totals: pass:{} fail:{} xfail:{} xpass:{} skip:{} error:0",
                    t.pass, t.fail, t.xfail, t.xpass, t.skip
                );
            }
            Format::Pretty | Format::Terse => {
                let _ = writeln!(out);
                if !self.failures.is_empty() {
                    let _ = writeln!(out, "failures:");
                    for name in &self.failures {
                        let _ = writeln!(out, "    {name}");
                    }
                    let _ = writeln!(out);
                }
                let word = if t.fail == 0 { "ok" } else { "FAILED" };
                let _ = writeln!(
                    out,
                    "test result: {word}. {} passed; {} failed; {} skipped; {} xfail; {} xpass; \
                     0 ignored; 0 measured; {filtered_out} filtered out; finished in {:.2}s",
                    t.pass,
                    t.fail,
                    t.skip,
                    t.xfail,
                    t.xpass,
                    elapsed.as_secs_f64()
                );
                let _ = writeln!(
                    out,
                    "{} passed, {} failed, {} skipped",
                    t.pass, t.fail, t.skip
                );
                let _ = writeln!(out);
            }
        }
        let _ = out.flush();
    }
}
