//! What a case process knows about itself: its name, its exclusive group and its shared
//! result. Set once, right after the runner forks the case; inherited by every process the case
//! forks.

use std::sync::OnceLock;

use crate::harness::registry::Case;
use crate::harness::shared::Shared;

struct Context {
    name: String,
    exclusive: Option<&'static str>,
    shared: &'static Shared,
}

static CONTEXT: OnceLock<Context> = OnceLock::new();

pub(crate) fn enter(case: &Case, shared: &'static Shared) {
    let context = Context {
        name: case.name(),
        exclusive: case.test.options.exclusive,
        shared,
    };
    if CONTEXT.set(context).is_err() {
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

/// The exclusive group of the running case (`exclusive = GROUP`), whose teardown the runner
/// calls after the group's last case; `None` outside a case.
pub(crate) fn exclusive_group() -> Option<&'static str> {
    CONTEXT.get().and_then(|c| c.exclusive)
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
