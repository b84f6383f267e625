//! Closures as the macros take them: `|variant| ...`, `|self, variant| ...`, `|| ...`. The
//! first parameter may be `self`, which ordinary closures cannot name, so that a body reads
//! like the C one (`self.srv0`, `variant.prot`).

use proc_macro2::Span;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, Pat, Token};

/// One closure parameter.
pub enum Param {
    SelfValue(Token![self]),
    Pat(Box<Pat>),
}

pub struct Closure {
    pub params: Punctuated<Param, Token![,]>,
    /// The `|...|` part, for errors about the parameters.
    pub params_span: Span,
    pub body: Expr,
}

impl Parse for Param {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![self]) {
            Ok(Param::SelfValue(input.parse()?))
        } else {
            Ok(Param::Pat(Box::new(Pat::parse_single(input)?)))
        }
    }
}

impl Parse for Closure {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let params_start = input.span();
        let mut params = Punctuated::new();
        if input.peek(Token![||]) {
            input.parse::<Token![||]>()?;
        } else {
            input.parse::<Token![|]>().map_err(|e| {
                syn::Error::new(e.span(), "expected a closure: `|variant| { ... }`")
            })?;
            while !input.peek(Token![|]) {
                params.push_value(input.parse()?);
                if input.peek(Token![|]) {
                    break;
                }
                params.push_punct(input.parse()?);
            }
            input.parse::<Token![|]>()?;
        }
        let params_span = params_start.join(input.span()).unwrap_or(params_start);
        if input.peek(Token![->]) {
            return Err(
                input.error("no return type here: the macro knows what this closure returns")
            );
        }
        let body: Expr = input.parse()?;
        Ok(Closure {
            params,
            params_span,
            body,
        })
    }
}

impl Closure {
    /// Checks the number of parameters; `shape` shows the expected form in the message.
    pub fn expect_params(&self, count: usize, shape: &str) -> syn::Result<()> {
        if self.params.len() == count {
            return Ok(());
        }
        let span = if self.params.is_empty() {
            self.params_span
        } else {
            self.params
                .iter()
                .map(Param::span)
                .reduce(|a, b| a.join(b).unwrap_or(a))
                .unwrap_or(self.params_span)
        };
        let s = if count == 1 { "" } else { "s" };
        Err(syn::Error::new(
            span,
            format!("expected {count} parameter{s}: `{shape}`"),
        ))
    }

    /// `self` is only for the fixture parameter.
    pub fn reject_self_at(&self, index: usize) -> syn::Result<()> {
        match self.params.iter().nth(index) {
            Some(Param::SelfValue(token)) => Err(syn::Error::new_spanned(
                token,
                "`self` can only be the first parameter, the fixture",
            )),
            _ => Ok(()),
        }
    }
}

impl Param {
    pub fn span(&self) -> Span {
        match self {
            Param::SelfValue(token) => token.span,
            Param::Pat(pat) => pat.span(),
        }
    }
}
