//! `variant!` → the variant type (`<fixture>_variant`) and one registry entry per instance.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use super::{private, registered_in};
use crate::names;
use crate::parse::variant::VariantInput;

pub fn declared_type(input: &VariantInput) -> TokenStream {
    let Some((attrs, fields)) = &input.declared else {
        return quote!();
    };
    let variant = names::variant_type(&input.fixture);
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

pub fn render(input: &VariantInput) -> TokenStream {
    let private = private();
    let fixture = &input.fixture;
    let variant = names::variant_type(fixture);
    let registered = registered_in("VARIANTS");
    let entries = input.instances.iter().map(|instance| {
        let entry = names::variant_entry(fixture, &instance.name);
        let name = instance.name.to_string();
        let fields = &instance.fields;
        let line = quote_spanned!(instance.name.span()=> ::core::line!());
        let fixture_name = quote_spanned!(fixture.span()=> <#fixture as #private::Fixture>::NAME);
        quote! {
            #registered
            static #entry: #private::VariantEntry = #private::VariantEntry {
                fixture: #fixture_name,
                name: #name,
                file: ::core::file!(),
                line: #line,
                value: &#variant { #fields },
            };
        }
    });
    let declared = declared_type(input);
    quote! {
        #declared
        #(#entries)*
    }
}
