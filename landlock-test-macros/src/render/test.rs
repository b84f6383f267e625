//! `test_f!` and `test!` → the body as a function and one registry entry.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::closure::{fixture_receiver, param_pat};
use super::{private, registered_in};
use crate::names;
use crate::parse::test::{Options, TestInput, Xfail};

fn options(options: &Options, fixture: Option<&syn::Ident>) -> TokenStream {
    let private = private();
    let timeout = match &options.timeout {
        Some(secs) => {
            quote!(::core::option::Option::Some(::core::time::Duration::from_secs(#secs)))
        }
        None => quote!(::core::option::Option::None),
    };
    let exclusive = match &options.exclusive {
        Some(group) => {
            let group = group.to_string();
            quote!(::core::option::Option::Some(#group))
        }
        None => quote!(::core::option::Option::None),
    };
    let signal = match &options.signal {
        Some(signal) => quote!(::core::option::Option::Some(#signal)),
        None => quote!(::core::option::Option::None),
    };
    let xfail = match (&options.xfail, fixture) {
        (None, _) => quote!(#private::Xfail::No),
        (Some(Xfail::All), _) => quote!(#private::Xfail::All),
        (Some(Xfail::Variants(names)), Some(fixture)) => {
            // Each variant is a hidden associated constant of the fixture (see
            // `render::variant`): an unknown one is a compile error at its name.
            let checks = names.iter().map(|v| {
                let marker = names::variant_marker(v);
                quote!(let _ = <#fixture>::#marker;)
            });
            let names = names.iter().map(|v| v.to_string());
            quote! {{
                const _: () = { #(#checks)* };
                #private::Xfail::Variants(&[#(#names),*])
            }}
        }
        (Some(Xfail::Variants(_)), None) => unreachable!("the parser rejects variants for test!"),
    };
    quote! {
        #private::TestOptions {
            timeout: #timeout,
            signal: #signal,
            xfail: #xfail,
            exclusive: #exclusive,
        }
    }
}

pub fn render(input: &TestInput) -> TokenStream {
    let private = private();
    let name = &input.name;
    let name_str = name.to_string();
    let body = &input.body.body;
    let options = options(&input.options, input.fixture.as_ref());
    let line = quote_spanned!(name.span()=> ::core::line!());
    let registered = registered_in("TESTS");

    // The body lives inside the entry's initializer, and the entry inside a `const _` block:
    // the marker is the only name this test adds to the module, and a duplicate test is one
    // error, at its name. Inside the block, the user's code sees no name of ours but
    // reserved ones (see `names`).
    let entry = names::entry();
    let (marker, fixture_name, fixture_id, fixture_line, run) = match &input.fixture {
        Some(fixture) => {
            let (receiver, prologue) = fixture_receiver(&input.body);
            let variant_pat = param_pat(&input.body, 1);
            let fixture_trait = quote_spanned!(fixture.span()=> <#fixture as #private::Fixture>);
            let body_trait = names::body_trait();
            let body_method = names::body_method();
            let variant = Ident::new("variant", Span::mixed_site());
            let run = quote! {{
                #[allow(non_camel_case_types)]
                trait #body_trait: #private::Fixture {
                    fn #body_method(&mut self, variant: &Self::Variant);
                }
                impl #body_trait for #fixture {
                    #[allow(unused_variables)]
                    fn #body_method(#receiver, #variant_pat: &Self::Variant) {
                        #prologue
                        #body;
                    }
                }
                |#variant| #private::run_fixture_test::<#fixture>(
                    #variant,
                    <#fixture as #body_trait>::#body_method,
                )
            }};
            (
                names::test_marker(&fixture.to_string(), name),
                quote!(#fixture_trait::NAME),
                quote!(::core::any::TypeId::of::<#fixture>),
                quote!(#fixture_trait::LINE),
                run,
            )
        }
        None => {
            // A closure without captures is a `fn()`, and unlike a nested `fn` it adds no
            // name that the body could call instead of the user's.
            let run = quote! {
                |_| #private::run_test(|| {
                    #body;
                })
            };
            (
                names::test_marker("global", name),
                quote!(#private::GLOBAL),
                quote!(::core::any::TypeId::of::<#private::NoVariant>),
                line.clone(),
                run,
            )
        }
    };
    let marker = quote_spanned! {name.span()=>
        #[doc(hidden)]
        #[allow(dead_code, non_upper_case_globals)]
        const #marker: () = ();
    };
    quote! {
        #marker
        const _: () = {
            #registered
            static #entry: #private::TestEntry = #private::TestEntry {
                fixture: #fixture_name,
                fixture_id: #fixture_id,
                fixture_line: #fixture_line,
                name: #name_str,
                file: ::core::file!(),
                line: #line,
                options: #options,
                run: #run,
            };
        };
    }
}
