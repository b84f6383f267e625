//! The identifiers the macros generate, in one place: each macro finds the items of the
//! others by these names, and a duplicate name becomes a compile error at the user's tokens.
//!
//! Hygiene: `Span::mixed_site()` hides locals from the user's code, never items (`fn`,
//! `struct`, `trait`, `static`, associated items), which resolve as if the user had written
//! them. So generated locals are spanned at the mixed site, and every generated item the
//! user's code can see (its block, its type's associated items) has a reserved name, starting
//! with `__` and holding `landlock_test`, so that it cannot shadow or clash with a name of the
//! user's. The one exception is the documented variant type, `<fixture>_variant`.
//!
//! A variant instance `v` of fixture `f` is also a hidden associated constant of the fixture,
//! `f::__landlock_test_variant__v` (see `render::variant`): `xfail = [v]` names it, and a
//! variant added twice is an error at its name.

use proc_macro2::{Ident, Span};
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

/// The fixture's associated constant standing for variant `v`, spanned at `v`: an unknown or
/// duplicate variant is an error there.
pub fn variant_marker(variant: &Ident) -> Ident {
    format_ident!(
        "__landlock_test_variant__{}",
        variant,
        span = variant.span()
    )
}

/// The registry entry of a test or a variant, a static in a `const _` block that also holds
/// the user's code (test body, options, variant values).
pub fn entry() -> Ident {
    Ident::new("__landlock_test_ENTRY", Span::call_site())
}

/// The alias of the fixture's variant type that a variant's value is built with, spanned at
/// the instance: a missing field is reported at its name.
pub fn variant_alias(instance: &Ident) -> Ident {
    Ident::new("__landlock_test_Variant", instance.span())
}

/// The trait, local to one `test_f!`, whose method on the fixture is the test body, and that
/// method: the body is a method so that `self` in it is the fixture.
pub fn body_trait() -> Ident {
    Ident::new("__landlock_test_Body", Span::call_site())
}

/// Unlike the other names, it does not start with `__landlock_test_`: rustc suggests
/// associated items of similar names, and this method would then be the suggestion for a
/// misspelled variant in `xfail = [...]`.
pub fn body_method() -> Ident {
    Ident::new("__body_of_landlock_test", Span::call_site())
}

/// The crate-wide name that makes a second fixture of the same name an error, spanned at
/// the fixture's name.
pub fn fixture_unique(fixture: &Ident) -> Ident {
    format_ident!(
        "__landlock_test_fixture__{}",
        fixture,
        span = fixture.span()
    )
}
