//! Compile-fail tests: each file under `ui/` makes one mistake with the macros and must give
//! exactly the one error recorded next to it in `*.stderr`, at the offending tokens.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p landlock-test-macros
//! --test ui`, then read every changed `.stderr`.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
