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

/// The rustc flags trybuild gives its program when it compiles the cases (trybuild 1.0.122,
/// `src/rustflags.rs`, plus the `--diagnostic-width=140` its `.stderr` files are written at).
const TRYBUILD_RUSTFLAGS: [&str; 6] = [
    "--cfg",
    "trybuild",
    "--verbose",
    "-A",
    "dead_code",
    "--diagnostic-width=140",
];

#[test]
fn ui() {
    // trybuild runs cargo twice: first for the dependencies, then for the cases, with one more
    // flag. Other flags are another build for cargo, which then checks every dependency (nix,
    // libc, landlock-test-core...) twice. CARGO_ENCODED_RUSTFLAGS, which cargo prefers to the
    // flags trybuild passes with `--config`, gives both runs the flags of the second.
    // SAFETY: the only test of this binary: no other thread of it uses the environment.
    unsafe { std::env::set_var("CARGO_ENCODED_RUSTFLAGS", TRYBUILD_RUSTFLAGS.join("\x1f")) };
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
