//! Support of `expect_*!`, `assert_*!`, `th_log!` and `skip!`: recording a failure in the
//! case's shared result, printing it the way the C harness does, and ending the case early.

use std::fmt::{self, Debug};
use std::panic::Location;

use crate::harness::context;

/// Unwinding payload of a fatal check: ends the body, teardown still runs.
pub(crate) struct Fatal;

/// Unwinding payload of `skip!`: the reason is already in the shared result.
pub(crate) struct Skipped;

/// Prints one diagnostic line attributed to the running case: `file:line:case:message`.
pub fn log_at(file: &str, line: u32, args: fmt::Arguments<'_>) {
    eprintln!("{file}:{line}:{}:{args}", context::case_name());
}

/// Marks the running case failed without stopping it (EXPECT_* semantics).
pub fn fail_at(file: &str, line: u32, args: fmt::Arguments<'_>) {
    log_at(file, line, args);
    context::mark_failed();
}

/// Marks the running case failed and ends the current test process step (ASSERT_* semantics).
pub fn fatal_at(file: &str, line: u32, args: fmt::Arguments<'_>) -> ! {
    fail_at(file, line, args);
    std::panic::resume_unwind(Box::new(Fatal))
}

/// Fatal failure reported at the caller's location: for helpers that assert on behalf of a test.
#[track_caller]
pub fn fatal(args: fmt::Arguments<'_>) -> ! {
    let loc = Location::caller();
    fatal_at(loc.file(), loc.line(), args)
}

/// Records a skip with its reason and ends the current step: setup skips body and teardown,
/// body skips to teardown.
pub fn skip_at(file: &str, line: u32, args: fmt::Arguments<'_>) -> ! {
    let reason = args.to_string();
    log_at(file, line, format_args!("SKIP: {reason}"));
    context::mark_skipped(&reason);
    std::panic::resume_unwind(Box::new(Skipped))
}

/// Skip reported at the caller's location, for helpers (missing kernel feature or privilege).
#[track_caller]
pub fn skip(args: fmt::Arguments<'_>) -> ! {
    let loc = Location::caller();
    skip_at(loc.file(), loc.line(), args)
}

/// A failed comparison: `Expected <expr> (<value>) <op> <expr> (<value>)`, then the user's
/// optional message, as EXPECT_*() followed by TH_LOG() prints it in C.
#[doc(hidden)]
#[allow(clippy::too_many_arguments)]
pub fn compare_failed(
    file: &str,
    line: u32,
    expected: &str,
    expected_value: &dyn Debug,
    op: &str,
    seen: &str,
    seen_value: &dyn Debug,
    message: Option<fmt::Arguments<'_>>,
    fatal: bool,
) {
    check_failed(
        file,
        line,
        format_args!("Expected {expected} ({expected_value:?}) {op} {seen} ({seen_value:?})"),
        message,
        fatal,
    );
}

/// A failed boolean check: `Expected <expr> (<value>)` is true/false.
#[doc(hidden)]
pub fn bool_failed(
    file: &str,
    line: u32,
    expr: &str,
    wanted: bool,
    message: Option<fmt::Arguments<'_>>,
    fatal: bool,
) {
    check_failed(
        file,
        line,
        format_args!("Expected {expr} ({}) is {wanted}", !wanted),
        message,
        fatal,
    );
}

/// What every failed check does: record and print it, then the user's optional message, then
/// end the step when the check is fatal.
fn check_failed(
    file: &str,
    line: u32,
    what: fmt::Arguments<'_>,
    message: Option<fmt::Arguments<'_>>,
    fatal: bool,
) {
    fail_at(file, line, what);
    if let Some(message) = message {
        log_at(file, line, message);
    }
    if fatal {
        std::panic::resume_unwind(Box::new(Fatal))
    }
}
