//! `fixture!` → the fixture struct, its default variant type, and its `Fixture` impl.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::closure::{fixture_receiver, param_pat};
use super::{private, private_at};
use crate::names;
use crate::parse::fixture::{FixtureHead, FixtureInput};

/// The struct and the default variant type: emitted even when the rest has an error.
pub fn head(head: &FixtureHead) -> TokenStream {
    let FixtureHead {
        attrs,
        vis,
        name,
        fields,
    } = head;
    let private = private();
    let variant = names::variant_type(name);
    let module = names::no_variant_module(name);
    quote! {
        #(#attrs)*
        #[allow(non_camel_case_types)]
        #vis struct #name #fields

        // The variant type when no `variant!` declares one: an item of that name declared by
        // `variant!` in this module shadows this glob import.
        #[doc(hidden)]
        #[allow(non_snake_case)]
        mod #module {
            #[allow(non_camel_case_types, dead_code)]
            pub type #variant = #private::NoVariant;
        }
        #[allow(unused_imports)]
        use #module::*;
    }
}

pub fn render(input: &FixtureInput) -> TokenStream {
    let private = private();
    let name = &input.name;
    let name_str = name.to_string();
    let variant = names::variant_type(name);
    let setup_variant = param_pat(&input.setup, 0);
    let setup_body = &input.setup.body;
    let line = quote_spanned!(name.span()=> ::core::line!());

    let (teardown, in_parent, copy_check) = match &input.teardown {
        Some(t) => {
            let (receiver, prologue) = fixture_receiver(&t.closure);
            let variant_pat = param_pat(&t.closure, 1);
            let body = &t.closure.body;
            let keyword = &t.keyword;
            let copy_check = t.in_parent.then(|| {
                // Spanned at `teardown_parent`, the bound's note points there.
                let private = private_at(keyword.span());
                quote_spanned! {keyword.span()=>
                    const _: () = {
                        fn shared_with_parent<T: #private::SharedWithParent>() {}
                        let _ = shared_with_parent::<#name>;
                    };
                }
            });
            (
                quote! {
                    #[allow(unused_variables)]
                    fn teardown(#receiver, #variant_pat: &Self::Variant) {
                        #prologue
                        #body;
                    }
                },
                t.in_parent,
                copy_check,
            )
        }
        None => (
            quote!(
                fn teardown(&mut self, _: &Self::Variant) {}
            ),
            false,
            None,
        ),
    };
    // Case names start with the fixture's name: two fixtures of one name in a binary would
    // give their cases the same names. `#[macro_export]` puts a macro named after the fixture
    // at the crate's root, whatever the module: a second fixture of that name is an error at
    // its name ("defined multiple times").
    let unique_name = names::fixture_unique(name);
    let unique = quote_spanned! {name.span()=>
        #[doc(hidden)]
        #[macro_export]
        macro_rules! #unique_name { () => {} }
    };
    quote! {
        #unique
        impl #private::Fixture for #name {
            const NAME: &'static str = #name_str;
            const LINE: u32 = #line;
            const TEARDOWN_PARENT: bool = #in_parent;
            type Variant = #variant;

            #[allow(unused_variables)]
            fn setup(#setup_variant: &Self::Variant) -> Self {
                #setup_body
            }

            #teardown
        }
        #copy_check
    }
}

/// After an error past the struct: a `Fixture` impl standing in for the one the error
/// prevented, so that the fixture's variants and tests add no errors of their own. The
/// program does not compile, so it never runs.
pub fn stand_in(head: &FixtureHead) -> TokenStream {
    let private = private();
    let name = &head.name;
    let name_str = name.to_string();
    let variant = names::variant_type(name);
    quote! {
        impl #private::Fixture for #name {
            const NAME: &'static str = #name_str;
            const LINE: u32 = 0;
            const TEARDOWN_PARENT: bool = false;
            type Variant = #variant;

            fn setup(_: &Self::Variant) -> Self {
                ::core::unreachable!()
            }

            fn teardown(&mut self, _: &Self::Variant) {}
        }
    }
}
