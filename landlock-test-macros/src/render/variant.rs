//! `variant!` → the variant type (`<fixture>_variant`) and, per instance, one registry entry
//! and one hidden associated constant of the fixture named after it.

use proc_macro2::{Ident, TokenStream};
use quote::{quote, quote_spanned};

use super::{private, registered_in};
use crate::names;
use crate::parse::variant::{Instance, VariantHead};

pub fn declared_type(head: &VariantHead) -> TokenStream {
    let Some((attrs, fields)) = &head.declared else {
        return quote!();
    };
    let variant = names::variant_type(&head.fixture);
    // Fields are public: test bodies read them as `variant.field`.
    let fields = fields.named.iter().map(|f| {
        let (attrs, ident, ty) = (&f.attrs, &f.ident, &f.ty);
        quote!(#(#attrs)* pub #ident: #ty)
    });
    quote! {
        #(#attrs)*
        #[allow(non_camel_case_types)]
        pub struct #variant { #(#fields),* }
    }
}

// Everything here names the fixture by its own identifier, never by a name derived from it:
// an unknown fixture is then one error, at its name.
fn instance(fixture: &Ident, instance: &Instance) -> TokenStream {
    let private = private();
    let registered = registered_in("VARIANTS");
    let name = &instance.name;
    let name_str = name.to_string();
    let fields = &instance.fields;
    // Spanned at the instance: a missing field is reported at its name.
    let variant = names::variant_alias(name);
    let entry = names::entry();
    let marker = names::variant_marker(name);
    let line = quote_spanned!(name.span()=> ::core::line!());
    let fixture_trait = quote_spanned!(fixture.span()=> <#fixture as #private::Fixture>);
    // `xfail = [name]` names this constant, and a variant added twice in the module defines
    // it twice: spanned at the name, both errors point there.
    let constant = quote_spanned! {name.span()=>
        impl #fixture {
            #[doc(hidden)]
            #[allow(non_upper_case_globals, dead_code)]
            const #marker: () = ();
        }
    };
    quote! {
        #constant

        const _: () = {
            #[allow(non_camel_case_types)]
            type #variant = #fixture_trait::Variant;

            #registered
            static #entry: #private::VariantEntry = #private::VariantEntry {
                fixture: ::core::any::TypeId::of::<#fixture>,
                name: #name_str,
                file: ::core::file!(),
                line: #line,
                value: &#variant { #fields },
            };
        };
    }
}

pub fn render(head: &VariantHead, instances: &[Instance]) -> TokenStream {
    let declared = declared_type(head);
    let instances = instances.iter().map(|i| instance(&head.fixture, i));
    quote! {
        #declared
        #(#instances)*
    }
}
