//! The identifiers the macros generate, in one place: each macro finds the items of the
//! others by these names, and a duplicate name becomes a compile error at the user's tokens.
//!
//! A variant instance `v` of fixture `f` is also a hidden associated constant of the fixture,
//! `f::v` (see `render::variant`): `xfail = [v]` names it, and a variant added twice is an
//! error at its name.

use proc_macro2::Ident;
use quote::format_ident;

/// The variant type of a fixture (C's `FIXTURE_VARIANT(f)`), `<fixture>_variant`.
pub fn variant_type(fixture: &Ident) -> Ident {
    format_ident!("{}_variant", fixture)
}

/// The module holding the default variant type of a fixture without `variant!`.
pub fn no_variant_module(fixture: &Ident) -> Ident {
    format_ident!("__landlock_test_no_variant_{}", fixture)
}

/// The item that makes a duplicate test a compile error, at the second one's name: the
/// registry entry itself is hidden in a `const _` block, where names never clash.
pub fn test_marker(fixture: &str, test: &Ident) -> Ident {
    format_ident!(
        "__landlock_test_test__{}__{}",
        fixture,
        test,
        span = test.span()
    )
}
