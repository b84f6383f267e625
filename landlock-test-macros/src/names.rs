//! The identifiers the macros generate, in one place: each macro finds the items of the
//! others by these names, and a duplicate name becomes a compile error at the user's tokens.

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

/// The registry entry of one variant instance; spanned at the instance's name.
pub fn variant_entry(fixture: &Ident, variant: &Ident) -> Ident {
    format_ident!(
        "__landlock_test_variant__{}__{}",
        fixture,
        variant,
        span = variant.span()
    )
}

/// The registry entry of one test; spanned at the test's name.
pub fn test_entry(fixture: &str, test: &Ident) -> Ident {
    format_ident!(
        "__landlock_test_test__{}__{}",
        fixture,
        test,
        span = test.span()
    )
}
