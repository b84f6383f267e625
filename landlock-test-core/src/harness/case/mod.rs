//! One case's life: its process, setup, body and teardown, and the helper children it forks.

pub(crate) mod fork;
pub(crate) mod run;
