//! Closures become functions: `|self, variant| body` is a method of the fixture, so that
//! `self` in the body means what it means in C.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::parse::closure::{Closure, Param};

/// `(receiver, prologue)`: `&mut self` and nothing, or `this: &mut Self` for `|this, ...|`.
pub fn fixture_receiver(closure: &Closure) -> (TokenStream, TokenStream) {
    match closure.params.first() {
        Some(Param::SelfValue(token)) => (quote_spanned!(token.span=> &mut #token), quote!()),
        Some(Param::Pat(pat)) => (quote!(&mut self), quote!(let #pat = self;)),
        None => unreachable!("the parser checked the parameter count"),
    }
}

/// The pattern of parameter `index` (never `self`: the parser rejects it there).
pub fn param_pat(closure: &Closure, index: usize) -> TokenStream {
    match closure.params.iter().nth(index) {
        Some(Param::Pat(pat)) => quote!(#pat),
        _ => unreachable!("the parser checked the parameters"),
    }
}
