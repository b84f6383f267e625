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
use parse::variant::VariantInput;

/// FIXTURE + FIXTURE_SETUP + FIXTURE_TEARDOWN(_PARENT).
#[proc_macro]
pub fn fixture(input: TokenStream) -> TokenStream {
    let parser = |input: ParseStream| {
        let head: FixtureHead = input.parse()?;
        let head_tokens = render::fixture::head(&head);
        // Past the struct, an error still emits the struct and the default variant type, so
        // that the one mistake is the one error.
        Ok(match FixtureInput::parse_rest(&head, input) {
            Ok(fixture) => {
                let rest = render::fixture::render(&fixture);
                quote!(#head_tokens #rest)
            }
            Err(e) => {
                let e = e.to_compile_error();
                quote!(#head_tokens #e)
            }
        })
    };
    expand(parser, input)
}

/// FIXTURE_VARIANT + FIXTURE_VARIANT_ADD.
#[proc_macro]
pub fn variant(input: TokenStream) -> TokenStream {
    expand(
        |input: ParseStream| Ok(render::variant::render(&input.parse::<VariantInput>()?)),
        input,
    )
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
