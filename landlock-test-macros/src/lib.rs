//! Procedural macros of landlock-test: [`fixture!`], [`variant!`], [`test_f!`] and [`test!`],
//! kselftest_harness.h's FIXTURE*, FIXTURE_VARIANT*, TEST_F* and TEST* in Rust. Use them
//! through `landlock_test_core::prelude`, whose crate documentation describes the runtime they
//! drive: one process per case, checks, skips, output.

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::{ParseStream, Parser};

mod names;
mod parse;
mod render;

use parse::fixture::{FixtureHead, FixtureInput};
use parse::test::TestInput;
use parse::variant::VariantHead;

/// A fixture: `FIXTURE(f)`, `FIXTURE_SETUP(f)`, and `FIXTURE_TEARDOWN(f)` or
/// `FIXTURE_TEARDOWN_PARENT(f)`.
///
/// ```text
/// fixture! {
///     #[attributes]
///     name { field: Type, ... }
///     setup: |variant| expression returning Self,
///     teardown: |self, variant| expression,          (optional)
///     teardown_parent: |self, variant| expression,   (or instead)
/// }
/// ```
///
/// `name { fields }` declares the data of one case, a struct named `name` (C's
/// `FIXTURE_DATA(name)`, the `self` of C's setup, teardown and tests). Every test of the
/// fixture ([`test_f!`]) runs once per variant ([`variant!`]), or once if it has none, each
/// time in a process of its own.
///
/// - `setup: |variant| ...` (`FIXTURE_SETUP`) runs first, in the case's process, and returns
///   `Self`. `variant` is the case's variant, `&name_variant`. A `skip!` here skips the case:
///   neither the body nor the teardown runs.
/// - `teardown: |self, variant| ...` (`FIXTURE_TEARDOWN`) runs in the same process after the
///   body, also after a fatal `assert_*!`, at most once, and only when setup completed.
/// - `teardown_parent: |self, variant| ...` (`FIXTURE_TEARDOWN_PARENT`) runs instead in the
///   unrestricted parent once the test process ended, however it ended (crash, timeout, a
///   Landlock domain that forbids cleaning up), if setup completed: for a cleanup the test
///   process may not be able to do. Setup and body then run in a child process, and the
///   fixture lives in memory shared with the parent, which reads it after the child is gone.
///
/// Without a teardown, nothing runs after the body. The first parameter of a teardown may be
/// named (`|this, variant|`) instead of `self`; any parameter may be `_`.
///
/// Attributes go on the struct, before its name. A fixture with `teardown_parent` must be
/// `Copy` and so carries `#[derive(Clone, Copy)]`: the parent reads it from shared memory, a
/// byte copy of what the test process left there, so it must be plain data, with no pointer
/// into the child's memory and nothing to drop (no `String`, `Vec` or `OwnedFd`). Without it,
/// the error says so at `teardown_parent`.
///
/// A fixture, its variants and its tests are declared in the same module. The macro also
/// names the variant type `name_variant`: `landlock_test_core::NoVariant` until a
/// [`variant!`] declares it.
///
/// ```no_run
/// use landlock_test_core::assert_eq;
/// use landlock_test_core::fs::prelude::*;
/// use landlock_test_core::prelude::*;
///
/// fixture! {
///     #[derive(Clone, Copy)]
///     layout1 {}
///     setup: |_| {
///         prepare_layout();
///         create_layout1();
///         Self {}
///     },
///     teardown_parent: |self, _| {
///         remove_layout1();
///         cleanup_layout();
///     },
/// }
///
/// test_f!(layout1, no_restriction, |self, _| {
///     assert_eq!(Ok(()), test_open(dir_s1d1, libc::O_RDONLY));
///     assert_eq!(Ok(()), test_open(file1_s1d1, libc::O_RDONLY));
/// });
///
/// test_harness_main!();
/// ```
#[proc_macro]
pub fn fixture(input: TokenStream) -> TokenStream {
    let parser = |input: ParseStream| {
        let head: FixtureHead = input.parse()?;
        let head_tokens = render::fixture::head(&head);
        // Past the struct, an error still emits the struct, the default variant type and a
        // stand-in `Fixture` impl, so that the one mistake is the one error. The rest is read
        // on its own so that what the error left unread is not a second error.
        let rest: proc_macro2::TokenStream = input.parse()?;
        let parse_rest = |input: ParseStream| FixtureInput::parse_rest(&head, input);
        Ok(match parse_rest.parse2(rest) {
            Ok(fixture) => {
                let rest = render::fixture::render(&fixture);
                quote!(#head_tokens #rest)
            }
            Err(e) => {
                let stand_in = render::fixture::stand_in(&head);
                let e = e.to_compile_error();
                quote!(#head_tokens #stand_in #e)
            }
        })
    };
    expand(parser, input)
}

/// The variants of a fixture: `FIXTURE_VARIANT(f)` and `FIXTURE_VARIANT_ADD(f, v)`.
///
/// ```text
/// variant! {
///     #[attributes]
///     fixture { field: Type, ... }           declares the variant type
///     v1 { field: value, ... }               adds instances
///     v2 { field: value, ... }
/// }
/// variant! {
///     fixture:                               adds instances to a declared variant type
///     v3 { field: value, ... }
/// }
/// ```
///
/// The first form declares the variant type, named `fixture_variant` (C's
/// `FIXTURE_VARIANT(fixture)`), with public fields and the attributes given before it, and
/// then its instances (`FIXTURE_VARIANT_ADD(fixture, v1)`); the second form adds more
/// instances, anywhere in the fixture's module. An instance lists every field, as a struct
/// literal does; its values are constant expressions, like C's designated initializers.
///
/// Every test of the fixture runs once per variant, in the order the variants are declared,
/// as case `fixture.variant.test`; a fixture without variants runs each test once, as
/// `fixture.test`. Setup, teardown and body get the case's variant as `variant`. A variant is
/// named in [`test_f!`]'s `xfail = [v1, ...]`, where an unknown name is a compile error.
///
/// ```no_run
/// use landlock_test_core::net::prelude::*;
/// use landlock_test_core::prelude::*;
///
/// fixture! {
///     port_specific {
///         srv0: Service,
///     }
///     setup: |variant| {
///         disable_caps();
///         setup_loopback();
///         Self { srv0: Service::new(variant.prot, 0) }
///     },
/// }
///
/// variant! {
///     port_specific {
///         sandbox: Sandbox,
///         prot: Protocol,
///     }
///     no_sandbox_with_ipv4 { sandbox: Sandbox::None, prot: Protocol::TCP_V4 }
///     sandbox_with_ipv4 { sandbox: Sandbox::Tcp, prot: Protocol::TCP_V4 }
/// }
///
/// variant! {
///     port_specific:
///     sandbox_with_ipv6 { sandbox: Sandbox::Tcp, prot: Protocol::TCP_V6 }
/// }
///
/// test_f!(port_specific, bind_connect_zero, |self, variant| {
///     assert_ok!(socket_variant(&self.srv0));
/// });
///
/// test_harness_main!();
/// ```
#[proc_macro]
pub fn variant(input: TokenStream) -> TokenStream {
    let parser = |input: ParseStream| {
        let head: VariantHead = input.parse()?;
        // An error in an instance still emits the variant type and the instances before it.
        let rest: proc_macro2::TokenStream = input.parse()?;
        let mut instances = Vec::new();
        let result =
            (|input: ParseStream| head.parse_instances(input, &mut instances)).parse2(rest);
        let tokens = render::variant::render(&head, &instances);
        Ok(match result {
            Ok(()) => tokens,
            Err(e) => {
                let e = e.to_compile_error();
                quote!(#tokens #e)
            }
        })
    };
    expand(parser, input)
}

/// A test of a fixture: `TEST_F(f, t)`, `TEST_F_TIMEOUT(f, t, s)`, `TEST_F_SIGNAL(f, t, sig)`
/// and `XFAIL_ADD(f, v, t)`.
///
/// ```text
/// test_f!(fixture, name, |self, variant| body);
/// test_f!(fixture, name, option, ..., |self, variant| body);
/// ```
///
/// The test runs once per variant of the fixture, each time in a process of its own: the
/// fixture's setup, then the body, then its teardown. In the body, `self` is the fixture
/// (`&mut fixture`, C's `self`) and `variant` the case's variant (`&fixture_variant`); the
/// first parameter may be named (`|this, variant|`) and either may be `_`. A fatal check
/// (`assert_*!`) ends the body; the teardown still runs.
///
/// Options, before the closure, each at most once:
///
/// - `timeout = SECONDS`: `TEST_F_TIMEOUT`. The case fails, killed, if it runs longer;
///   the default is 30 seconds, as in C.
/// - `signal = SIGNUM`: `TEST_F_SIGNAL`. The case passes only if a signal of this number
///   (an `i32` expression, such as `libc::SIGABRT`) kills it.
/// - `xfail` or `xfail = [variant, ...]`: `XFAIL_ADD`, for every variant or the ones named.
///   A failure of such a case is reported as XFAIL, a pass as XPASS.
/// - `exclusive = GROUP`, not in C: no two cases of the group run at once, for a resource only
///   one process may hold (such as the audit daemon's netlink port). The runner starts such
///   cases first, one after the other, while the others run.
///
/// Each test of a fixture has its own name: a second test of that name is a compile error.
///
/// ```no_run
/// use landlock_test_core::net::prelude::*;
/// use landlock_test_core::prelude::*;
///
/// fixture! {
///     port_specific {
///         srv0: Service,
///     }
///     setup: |variant| {
///         setup_loopback();
///         Self { srv0: Service::new(variant.prot, 0) }
///     },
/// }
///
/// variant! {
///     port_specific {
///         prot: Protocol,
///     }
///     ipv4 { prot: Protocol::TCP_V4 }
///     ipv6 { prot: Protocol::TCP_V6 }
/// }
///
/// test_f!(port_specific, socket, timeout = 5, |self, variant| {
///     expect_true!(variant.prot.is_tcp());
///     assert_ok!(socket_variant(&self.srv0));
/// });
///
/// test_harness_main!();
/// ```
#[proc_macro]
pub fn test_f(input: TokenStream) -> TokenStream {
    expand(
        |input: ParseStream| Ok(render::test::render(&TestInput::parse_fixture_test(input)?)),
        input,
    )
}

/// A test without fixture: `TEST(t)` and `TEST_SIGNAL(t, sig)`.
///
/// ```text
/// test!(name, || body);
/// test!(name, option, ..., || body);
/// ```
///
/// The test runs once, in a process of its own, as case `global.name`, before the tests of
/// fixtures, as in C. It takes the options of [`test_f!`]: `signal = SIGNUM` is
/// `TEST_SIGNAL`, `exclusive = GROUP` works the same; `timeout = SECONDS` and `xfail` are not
/// in C for a plain test (C has `TEST_F_TIMEOUT`, and `XFAIL_ADD` names a variant), and
/// `xfail` takes no list. A second test of the same name is a compile error.
///
/// ```no_run
/// use landlock_test_core::prelude::*;
///
/// test!(abi_version, || {
///     expect_le!(1, abi());
/// });
///
/// test!(aborts, signal = libc::SIGABRT, || {
///     std::process::abort();
/// });
///
/// test_harness_main!();
/// ```
#[proc_macro]
pub fn test(input: TokenStream) -> TokenStream {
    expand(
        |input: ParseStream| Ok(render::test::render(&TestInput::parse_plain_test(input)?)),
        input,
    )
}

fn expand(
    parser: impl Parser<Output = proc_macro2::TokenStream>,
    input: TokenStream,
) -> TokenStream {
    parser
        .parse(input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
