//! Generating code from checked input. Generated code names core's items through
//! `::landlock_test_core::__private`, so users need no other dependency.

pub mod closure;
pub mod fixture;
pub mod test;
pub mod variant;

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

/// Path to core's support module.
pub fn private() -> TokenStream {
    quote!(::landlock_test_core::__private)
}

/// The same path, spanned at `span`: for bounds, whose notes point at the path.
pub fn private_at(span: Span) -> TokenStream {
    quote_spanned!(span=> ::landlock_test_core::__private)
}

/// The attributes that put a static into one of core's link-time registries.
pub fn registered_in(slice: &str) -> TokenStream {
    let private = private();
    let slice = proc_macro2::Ident::new(slice, Span::call_site());
    quote! {
        #[#private::linkme::distributed_slice(#private::#slice)]
        #[linkme(crate = #private::linkme)]
        #[allow(non_upper_case_globals)]
    }
}
