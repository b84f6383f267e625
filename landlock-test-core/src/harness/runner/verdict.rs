//! From how a case process ended and what its shared result holds, to the case's verdict, as
//! kselftest_harness.h's `__wait_for_test()` and `__run_test()` decide it.

use std::time::Duration;

use nix::sys::signal::Signal;
use nix::sys::wait::WaitStatus;

use crate::harness::registry::Case;
use crate::harness::shared::Shared;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    /// Failed: by its checks alone (`None`: they printed why), or for a reason of the runner's.
    Fail(Option<String>),
    Skip(String),
    /// Expected failure (XFAIL_ADD) that failed.
    XFail(Option<String>),
    /// Expected failure that passed.
    XPass,
}

impl Verdict {
    /// The C harness's `__test_passed()`: only a failure fails the run.
    pub(crate) fn passed(&self) -> bool {
        !matches!(self, Verdict::Fail(_))
    }
}

/// How the case process ended, as the runner saw it.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ending {
    Exited(i32),
    Signaled(i32),
    TimedOut(Duration),
}

impl Ending {
    pub(crate) fn from_wait(status: WaitStatus) -> Option<Self> {
        match status {
            WaitStatus::Exited(_, code) => Some(Ending::Exited(code)),
            WaitStatus::Signaled(_, signal, _) => Some(Ending::Signaled(signal as i32)),
            _ => None,
        }
    }
}

fn signal_name(signal: i32) -> String {
    Signal::try_from(signal).map_or_else(|_| format!("signal {signal}"), |s| s.as_str().to_owned())
}

pub(crate) fn judge(
    case: &Case,
    ending: Ending,
    shared: &Shared,
    leftovers: Option<String>,
    strict: bool,
) -> Verdict {
    // Leftovers are told even for a case that failed anyway: they outlive it.
    let verdict = match (raw_verdict(case, ending, shared), leftovers) {
        (verdict, None) => verdict,
        (Verdict::Fail(Some(reason)), Some(leftovers)) => {
            Verdict::Fail(Some(format!("{reason}; {leftovers}")))
        }
        (_, Some(leftovers)) => Verdict::Fail(Some(leftovers)),
    };
    let verdict = match (case.xfail(), verdict) {
        (true, Verdict::Fail(reason)) => Verdict::XFail(reason),
        (true, Verdict::Pass) => Verdict::XPass,
        (_, verdict) => verdict,
    };
    match verdict {
        Verdict::Skip(reason) if strict => Verdict::Fail(Some(format!(
            "skipped, and LANDLOCK_TEST_STRICT forbids skips: {reason}"
        ))),
        verdict => verdict,
    }
}

fn raw_verdict(case: &Case, ending: Ending, shared: &Shared) -> Verdict {
    // A signal that killed the test grandchild counts as if it killed the case process.
    let signal = match ending {
        Ending::TimedOut(after) => {
            return Verdict::Fail(Some(format!(
                "terminated by timeout after {} s",
                after.as_secs_f32()
            )));
        }
        Ending::Signaled(signal) => Some(signal),
        Ending::Exited(_) => Some(shared.signal()).filter(|&s| s != 0),
    };
    if let Some(expected) = case.test.options.signal {
        return match signal {
            Some(s) if s == expected && !shared.failed() => Verdict::Pass,
            Some(s) if s == expected => {
                Verdict::Fail(Some("failed before the expected signal".into()))
            }
            Some(s) => Verdict::Fail(Some(format!(
                "terminated by {} instead of the expected {}",
                signal_name(s),
                signal_name(expected)
            ))),
            None => Verdict::Fail(Some(format!(
                "ended without the expected signal {}",
                signal_name(expected)
            ))),
        };
    }
    if let Some(s) = signal {
        return Verdict::Fail(Some(format!(
            "terminated unexpectedly by {}",
            signal_name(s)
        )));
    }
    if !shared.finished() {
        let code = match ending {
            Ending::Exited(code) => code,
            _ => -1,
        };
        return Verdict::Fail(Some(format!(
            "exited with status {code} before the case completed (exit() called in a test?)"
        )));
    }
    if shared.failed() {
        Verdict::Fail(None)
    } else if shared.skipped() {
        Verdict::Skip(shared.reason())
    } else {
        Verdict::Pass
    }
}
