//! Runtime of landlock-test.

pub mod check;
mod checks;
mod case;

#[doc(hidden)]
pub mod __private {
    pub use crate::check::{bool_failed, compare_failed, fatal_at, log_at, skip_at};
}
