//! The harness tested from outside: `src/bin/` holds test binaries built on the harness whose
//! cases pass, fail, skip, crash, hang, restrict themselves and fork on purpose; `tests/` runs
//! them and checks what they report.
