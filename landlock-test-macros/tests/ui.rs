//! Compile-fail tests: each file under `ui/` makes one mistake with the macros and must give
//! exactly the one error recorded next to it in `*.stderr`, at the offending tokens.
//!
//! Regenerate the expected output with `TRYBUILD=overwrite cargo test -p landlock-test-macros
//! --test ui`, then read every changed `.stderr`.
//!
//! The programs that must compile, under `ui/pass/`, are test targets of this crate (see
//! `Cargo.toml`), not trybuild pass cases: they run on the harness, where a wrong item called
//! from a body fails its case, and they reuse the workspace's build, where a trybuild pass
//! case would make trybuild build, not just check, its own copy of every dependency.

#[test]
fn ui() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
