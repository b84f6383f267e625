//! `test!` next to user items named like what the macro generates: the test bodies and
//! options must reach the user's items.

use std::sync::atomic::{AtomicBool, Ordering};

use landlock_test_core::prelude::*;

static BODY_CALLED: AtomicBool = AtomicBool::new(false);

/// Called by a test body: calling the macro's own function instead recurses until the stack
/// overflows, and the case dies of SIGSEGV.
fn body() {
    BODY_CALLED.store(true, Ordering::Relaxed);
}

struct Body {
    n: u32,
}

/// SIGABRT on Linux, read by a body and by a `signal =` option.
const ENTRY: i32 = 6;

#[allow(dead_code)]
enum Variant {
    One,
}

fn variant() -> u32 {
    1
}

fn run_test() -> u32 {
    2
}

mod core {}

mod runner {}

#[allow(dead_code)]
struct ExitCode;

#[allow(dead_code)]
fn add_context() {}

test!(calls_user_body, || {
    body();
    assert_true!(BODY_CALLED.load(Ordering::Relaxed));
});

test!(body, || {
    let b = Body { n: 3 };
    expect_eq!(3, b.n);
    expect_eq!(1, variant());
    expect_eq!(2, run_test());
});

test!(reads_user_entry, || {
    expect_eq!(6, ENTRY);
});

test!(signal_from_user_const, signal = ENTRY, || {
    std::process::abort();
});

test_harness_main!(String::from("next to user items named like generated ones"));
