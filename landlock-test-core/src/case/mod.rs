//! One case's life.

pub(crate) mod context;
pub(crate) mod fork;
pub(crate) mod run;
pub(crate) mod shared;
