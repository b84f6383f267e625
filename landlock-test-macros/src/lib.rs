//! Procedural macros of landlock-test. Use them through `landlock_test_core::prelude`; the
//! documentation of each lives there, with the runtime it drives.

use proc_macro::TokenStream;
use quote::quote;
use syn::parse::{ParseStream, Parser};

mod names;
mod parse;
mod render;

use parse::fixture::{FixtureHead, FixtureInput};
use parse::test::TestInput;
use parse::variant::VariantHead;

/// FIXTURE + FIXTURE_SETUP + FIXTURE_TEARDOWN(_PARENT).
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

/// FIXTURE_VARIANT + FIXTURE_VARIANT_ADD.
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

/// TEST_F, TEST_F_TIMEOUT, TEST_F_SIGNAL, XFAIL_ADD.
#[proc_macro]
pub fn test_f(input: TokenStream) -> TokenStream {
    expand(
        |input: ParseStream| Ok(render::test::render(&TestInput::parse_fixture_test(input)?)),
        input,
    )
}

/// TEST, TEST_SIGNAL.
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
