//! Closures as the macros take them: `|variant| ...`, `|self, variant| ...`, `|| ...`. The
//! first parameter may be `self`, which ordinary closures cannot name, so that a body reads
//! like the C one (`self.srv0`, `variant.prot`).

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Expr, Pat, Token, Type};

/// The error for `self` anywhere but first.
pub const SELF_FIRST: &str = "`self` can only be the first parameter, the fixture";

/// One closure parameter.
pub enum Param {
    SelfValue(Token![self]),
    Pat(Box<Pat>),
}

pub struct Closure {
    pub params: Punctuated<Param, Token![,]>,
    pub body: Expr,
}

impl Param {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        if input.peek(Token![self]) {
            Ok(Param::SelfValue(input.parse()?))
        } else {
            Ok(Param::Pat(Box::new(Pat::parse_single(input)?)))
        }
    }
}

impl ToTokens for Param {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Param::SelfValue(token) => token.to_tokens(tokens),
            Param::Pat(pat) => pat.to_tokens(tokens),
        }
    }
}

impl Closure {
    /// Reads a closure that must have `count` parameters; `shape` is the expected form, shown
    /// in errors (`|self, variant| ...`).
    pub fn parse(input: ParseStream, count: usize, shape: &str) -> syn::Result<Self> {
        let mut params = Punctuated::new();
        let params_tokens = if input.peek(Token![||]) {
            input.parse::<Token![||]>()?.into_token_stream()
        } else if input.peek(Token![|]) {
            let open: Token![|] = input.parse()?;
            while !input.peek(Token![|]) {
                params.push_value(Param::parse(input)?);
                if input.peek(Token![|]) {
                    break;
                }
                params.push_punct(input.parse()?);
            }
            let close: Token![|] = input.parse()?;
            quote!(#open #params #close)
        } else {
            let message = format!("expected a closure: `{shape}`");
            return Err(match input.fork().parse::<TokenTree>() {
                Ok(found) => syn::Error::new_spanned(found, message),
                Err(_) => input.error(message),
            });
        };
        expect_params(&params, &params_tokens, count, shape)?;
        if input.peek(Token![->]) {
            let arrow: Token![->] = input.parse()?;
            let ty: Type = input.parse()?;
            return Err(syn::Error::new_spanned(
                quote!(#arrow #ty),
                "no return type here: the macro gives this closure its return type",
            ));
        }
        Ok(Closure {
            params,
            body: input.parse()?,
        })
    }

    /// `self` is only for the fixture parameter: rejects it at `index`, with `message`.
    pub fn reject_self_at(&self, index: usize, message: &str) -> syn::Result<()> {
        match self.params.iter().nth(index) {
            Some(Param::SelfValue(token)) => Err(syn::Error::new_spanned(token, message)),
            _ => Ok(()),
        }
    }
}

/// Checks the number of parameters; errors point at the whole `|...|`.
fn expect_params(
    params: &Punctuated<Param, Token![,]>,
    params_tokens: &TokenStream,
    count: usize,
    shape: &str,
) -> syn::Result<()> {
    if params.len() == count {
        return Ok(());
    }
    let expected = match count {
        0 => "no parameters".to_owned(),
        1 => "1 parameter".to_owned(),
        n => format!("{n} parameters"),
    };
    Err(syn::Error::new_spanned(
        params_tokens,
        format!("expected {expected}: `{shape}`"),
    ))
}
