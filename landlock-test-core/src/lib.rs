//! # landlock-test: kselftest_harness.h for Landlock tests, in Rust
//!
//! Tests read like Landlock's C selftests and run with `cargo test`. A test binary is a
//! `harness = false` test target whose file ends with [`test_harness_main!`]`()`; everything
//! a test needs comes from the [`prelude`].
//!
//! ```no_run
//! use landlock_test_core::net::prelude::*;
//! use landlock_test_core::prelude::*;
//! use landlock_test_core::{assert_eq, assert_ne};
//!
//! fixture! {
//!     port_specific {
//!         srv0: Service,
//!     }
//!     setup: |variant| {
//!         disable_caps();
//!         setup_loopback();
//!         Self { srv0: Service::new(variant.prot, 0) }
//!     },
//! }
//!
//! variant! {
//!     port_specific {
//!         sandbox: Sandbox,
//!         prot: Protocol,
//!     }
//!     no_sandbox_with_ipv4 { sandbox: Sandbox::None, prot: Protocol::TCP_V4 }
//!     sandbox_with_ipv4 { sandbox: Sandbox::Tcp, prot: Protocol::TCP_V4 }
//! }
//!
//! test_f!(port_specific, bind_connect_zero, |self, variant| {
//!     let fd = socket_variant(&self.srv0);
//!     assert_true!(fd.is_ok());
//! });
//!
//! test_harness_main!();
//! ```
//!
//! ## The macros, as the C harness has them
//!
//! - [`fixture!`] — `FIXTURE(f)`, `FIXTURE_SETUP(f)`, `FIXTURE_TEARDOWN(f)`,
//!   `FIXTURE_TEARDOWN_PARENT(f)`. `name { fields }` declares the per-case data (C's `self`).
//!   `setup: |variant| ...` builds it, in the case's process, and returns `Self`.
//!   `teardown: |self, variant| ...` runs after the body, also after a fatal `assert_*!`, at
//!   most once, and only when setup completed. `teardown_parent: |self, variant| ...` instead
//!   runs in the unrestricted parent once the test process ended, however it ended: setup and
//!   body then run in a child, the fixture lives in shared memory and must be `Copy`.
//!   A fixture, its variants and its tests are declared in the same module.
//! - [`variant!`] — `FIXTURE_VARIANT(f)` and `FIXTURE_VARIANT_ADD(f, v)`.
//!   `variant! { f { field: Type, ... } v1 { field: value, ... } v2 { ... } }` declares the
//!   variant type (named `f_variant`) and instances; `variant! { f: v3 { ... } }` adds more,
//!   anywhere in the module. Instance values are constant expressions, as in C. Every test of
//!   `f` runs once per variant, named `f.v.test`; without variants, `f.test`.
//! - [`test_f!`] — `TEST_F(f, t)`: `test_f!(f, t, |self, variant| { ... })`. Options before the
//!   closure: `timeout = SECONDS` (`TEST_F_TIMEOUT`, default 30), `signal = SIGNUM`
//!   (`TEST_F_SIGNAL`: passes only if killed by it), `xfail` or `xfail = [v1, v2]`
//!   (`XFAIL_ADD`: a failure is XFAIL, a pass XPASS). Not in C, `exclusive = GROUP`: no two
//!   cases of the group run at once (a resource only one process may hold, such as the audit
//!   daemon's port); the runner starts such cases first, so that their chain overlaps the rest.
//!   After the group's last case, the runner calls the group's teardown, if the domain gives
//!   it one (`audit` deletes the audit exclude rule there, once, instead of in every case).
//! - [`test!`] — `TEST(t)`: `test!(t, || { ... })`, named `global.t`; same options.
//! - [`expect_eq!`], [`expect_ne!`], [`expect_lt!`], [`expect_le!`], [`expect_gt!`],
//!   [`expect_ge!`], [`expect_true!`], [`expect_false!`] — `EXPECT_*`: on failure print
//!   `file:line:case:Expected <expr> (<value>) == <expr> (<value>)`, mark the case failed, go
//!   on. The expected value comes first, as in C; each argument is evaluated once; a format
//!   string after the operands is printed on failure only (`EXPECT_EQ(...) TH_LOG(...)`).
//! - [`assert_eq!`] and the other `assert_*!` — `ASSERT_*`: the same, then the body ends;
//!   teardown still runs. [`assert_ok!`] unwraps a `Result` the same way (C's
//!   `ASSERT_LE(0, fd)` after a call returning a descriptor).
//! - [`skip!`]`("reason")` — `SKIP()`: from setup, neither body nor teardown runs; from the
//!   body, teardown runs. The case is reported as skipped with the reason, never as passed.
//! - [`th_log!`] — `TH_LOG()`: a diagnostic line attributed to the case.
//! - [`test_harness_main!`] — `TEST_HARNESS_MAIN`.
//!
//! ## Processes
//!
//! The runner forks one process per case, in its own process group, several at once
//! (`--test-threads`); it never runs test code itself and never has threads when it forks.
//! Restrictions, capability drops and namespaces of a case stay in that case. A case that
//! panics, is killed, exits early or outlives its timeout fails with the reason; its whole
//! process group is killed when it ends (a process that left it with `setsid(2)` escapes).
//! [`fork_child`] runs a helper process whose failed checks count for the case. Output of a
//! case is captured and printed with its result. Each case runs in a private, empty working
//! directory; what it leaves there (files, mounts) fails it. The runner itself runs in a
//! mount namespace of its own where every mount is private.
//!
//! ## Errors from syscall-like helpers
//!
//! Every helper that mimics a syscall returns `Result<T, Errno>`: `Ok` on success, `Err(errno)`
//! on failure, never C's `-errno` (net_test.c) or `+errno` (fs_test.c). Tests compare whole
//! results: `expect_eq!(Err(Errno::EACCES), test_listen(&fd, 10))`. Helpers that assert
//! (`enforce_ruleset`, `setup_loopback`, the capability helpers) fail the case themselves
//! with what went wrong and what is missing. [`fs`] shows how fs_test.c's checks map.

// The whole public API is documented (the test crates built on it are not held to this).
#![warn(missing_docs)]

// The harness, knowing nothing of Landlock.
#[doc(hidden)]
pub mod harness;

// The Landlock domain, on top of it.
pub mod abi;
pub mod audit;
pub mod fs;
pub mod net;
pub mod privilege;
pub mod process;
pub mod rights;
pub mod scope;
mod startup;
pub mod thread;

pub use harness::case::fork::{Child, fork_child};
/// What a fixture without `variant!` has as its variant; named in compiler errors.
#[doc(hidden)]
pub use harness::registry::NoVariant;
pub use landlock_test_macros::{fixture, test, test_f, variant};

/// TEST_HARNESS_MAIN: the `main` of a test binary. Optional arguments are lines printed in the
/// run's header, to say which mode the suite runs in: `String`s, or `Result<String, String>`s
/// whose `Err` is a configuration error that ends the run with status 2 before any case.
#[macro_export]
macro_rules! test_harness_main {
    ($($context:expr),* $(,)?) => {
        fn main() -> ::std::process::ExitCode {
            $($crate::harness::runner::add_context($context);)*
            $crate::harness::runner::main($crate::__private::start)
        }
    };
}

/// What every test file uses: the harness's macros and checks, helper processes, and Landlock's
/// rulesets, rights and capability helpers. The names of one suite's domain come from its own
/// prelude ([`net::prelude`], [`fs::prelude`], [`process::prelude`], [`scope::prelude`]).
///
/// [`assert_eq!`] and [`assert_ne!`] are not here: their names are also in Rust's own prelude,
/// so a glob import would make them ambiguous. Import them by name, as one does with
/// `pretty_assertions`:
///
/// ```ignore
/// use landlock_test_core::prelude::*;
/// use landlock_test_core::{assert_eq, assert_ne};
/// ```
///
/// (Forgetting it is not silent: the standard `assert_eq!` panics, and a panic fails the case
/// with both values.)
pub mod prelude {
    // kselftest_harness.h.
    pub use crate::{
        Child, assert_false, assert_ge, assert_gt, assert_le, assert_lt, assert_ok, assert_true,
        expect_eq, expect_false, expect_ge, expect_gt, expect_le, expect_lt, expect_ne,
        expect_true, fixture, fork_child, skip, test, test_f, test_harness_main, th_log, variant,
    };
    pub use nix::errno::Errno;
    /// `close(2)` that says how it went, for C's `EXPECT_EQ(0, close(fd))`.
    pub use nix::unistd::close;

    // Landlock's uapi and syscalls.
    pub use crate::abi::access::*;
    pub use crate::abi::{
        AccessBits, AccessFs, AccessNet, ERRATUM_DISCONNECTED_DIRECTORIES, ERRATUM_SCOPED_SIGNALS,
        ERRATUM_TCP_SOCKETS, ERRATUM_WHITEOUT, Errata, Erratum, LANDLOCK_CREATE_RULESET_ERRATA,
        LANDLOCK_CREATE_RULESET_VERSION, LANDLOCK_MAX_NUM_LAYERS,
        LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, LANDLOCK_RESTRICT_SELF_LOG_SAME_EXEC_OFF,
        LANDLOCK_RESTRICT_SELF_LOG_SUBDOMAINS_OFF, LANDLOCK_RULE_NET_PORT,
        LANDLOCK_RULE_PATH_BENEATH, LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET, LANDLOCK_SCOPE_SIGNAL,
        NetPortAttr, PathBeneathAttr, Rights, RulesetAttr, abi, access_fs_all, access_net_all,
        add_net_port_rule, add_path_beneath_rule, add_rule, bits_down_to, bits_up_to,
        create_ruleset, enforce_ruleset, errata, erratum_note, highest_bit, require_abi,
        sys_add_rule, sys_create_ruleset, sys_restrict_self,
    };

    // common.h's capability helpers, and what the run's privilege allows.
    pub use crate::privilege::caps::Cap;
    pub use crate::privilege::common::{
        clear_ambient_cap, clear_cap, disable_caps, drop_caps, raise, set_ambient_cap, set_cap,
    };
    pub use crate::privilege::{require_initial_namespace, require_privilege, require_uid_mapped};
}

/// A fixture with `teardown_parent` is read by the parent process from memory the test
/// process wrote: it must be plain data.
#[diagnostic::on_unimplemented(
    message = "`{Self}` must be `Copy` to have a `teardown_parent`",
    label = "the fixture is shared with the parent process, which reads it after the test \
             process ended: its fields must be plain data",
    note = "derive `Clone, Copy` on the fixture, or use `teardown` to run in the test process"
)]
pub trait SharedWithParent: Copy {}
impl<T: Copy> SharedWithParent for T {}

/// Support for the macros' generated code; not a stable interface.
#[doc(hidden)]
pub mod __private {
    pub use crate::SharedWithParent;
    pub use crate::harness::case::run::{run_fixture_test, run_test};
    pub use crate::harness::check::{bool_failed, compare_failed, fatal_at, log_at, skip_at};
    pub use crate::harness::registry::{
        Fixture, GLOBAL, GROUP_TEARDOWNS, GroupTeardown, NoVariant, TESTS, TestEntry, TestOptions,
        VARIANTS, VariantEntry, Xfail,
    };
    pub use crate::startup::start;
    pub use linkme;
}

/// The README's walk-through compiles, as a doctest.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
