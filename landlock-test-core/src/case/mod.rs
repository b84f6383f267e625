//! One case's life.

pub(crate) mod context;
pub(crate) mod shared;
