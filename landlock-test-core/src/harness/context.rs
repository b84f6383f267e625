//! What a case process knows about itself: its name and its shared result. Set once, right
//! after the runner forks the case; inherited by every process the case forks.

use std::sync::OnceLock;

use crate::harness::shared::Shared;

struct Context {
    name: String,
    shared: &'static Shared,
}

static CONTEXT: OnceLock<Context> = OnceLock::new();

pub(crate) fn enter(name: String, shared: &'static Shared) {
    if CONTEXT.set(Context { name, shared }).is_err() {
        unreachable!("a case process runs exactly one case");
    }
}

fn get() -> &'static Context {
    CONTEXT
        .get()
        .expect("landlock-test checks and helpers run only inside a test case")
}

pub(crate) fn case_name() -> &'static str {
    CONTEXT.get().map_or("<no case>", |c| c.name.as_str())
}

pub(crate) fn shared() -> &'static Shared {
    get().shared
}

pub(crate) fn mark_failed() {
    shared().mark_failed();
}

pub(crate) fn mark_skipped(reason: &str) {
    shared().mark_skipped(reason);
}
