//! Reading the macros' input and checking it; nothing here generates code.

pub mod closure;
pub mod fixture;
pub mod test;
pub mod variant;
