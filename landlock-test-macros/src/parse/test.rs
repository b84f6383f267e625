//! `test_f!(fixture, name, [options,] |self, variant| ...)` and `test!(name, [options,] || ...)`.
//! Options: `timeout = SECONDS` (TEST_F_TIMEOUT), `signal = SIGNAL` (TEST_F_SIGNAL), `xfail`
//! or `xfail = [variant, ...]` (XFAIL_ADD), and, not in C, `exclusive = GROUP`: no two cases of
//! the group run at once.

use syn::parse::ParseStream;
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, LitInt, Token, bracketed};

use super::closure::{Closure, SELF_FIRST};

pub struct TestInput {
    /// `None` for `test!`.
    pub fixture: Option<Ident>,
    pub name: Ident,
    pub options: Options,
    pub body: Closure,
}

#[derive(Default)]
pub struct Options {
    pub timeout: Option<LitInt>,
    pub signal: Option<Expr>,
    pub xfail: Option<Xfail>,
    pub exclusive: Option<Ident>,
}

pub enum Xfail {
    All,
    Variants(Vec<Ident>),
}

impl TestInput {
    pub fn parse_fixture_test(input: ParseStream) -> syn::Result<Self> {
        let fixture: Ident = input.parse()?;
        input.parse::<Token![,]>()?;
        Self::parse_rest(Some(fixture), input)
    }

    pub fn parse_plain_test(input: ParseStream) -> syn::Result<Self> {
        Self::parse_rest(None, input)
    }

    fn parse_rest(fixture: Option<Ident>, input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        input.parse::<Token![,]>()?;
        let mut options = Options::default();
        while input.peek(Ident) {
            options.parse_one(input, fixture.is_some())?;
            input.parse::<Token![,]>()?;
        }
        let body = if fixture.is_some() {
            let body = Closure::parse(input, 2, "|self, variant| ...")?;
            body.reject_self_at(1, SELF_FIRST)?;
            body
        } else {
            Closure::parse(input, 0, "|| ...")?
        };
        if input.peek(Token![,]) {
            input.parse::<Token![,]>()?;
        }
        if !input.is_empty() {
            return Err(input.error("unexpected tokens after the test's closure"));
        }
        Ok(TestInput {
            fixture,
            name,
            options,
            body,
        })
    }
}

impl Options {
    fn parse_one(&mut self, input: ParseStream, has_variants: bool) -> syn::Result<()> {
        let key: Ident = input.parse()?;
        let duplicate = || syn::Error::new_spanned(&key, format!("option `{key}` is given twice"));
        match key.to_string().as_str() {
            "timeout" => {
                input.parse::<Token![=]>()?;
                let seconds: LitInt = input.parse()?;
                if seconds.base10_parse::<u64>()? == 0 {
                    return Err(syn::Error::new_spanned(
                        &seconds,
                        "a timeout is a number of seconds above 0",
                    ));
                }
                if self.timeout.replace(seconds).is_some() {
                    return Err(duplicate());
                }
            }
            "signal" => {
                input.parse::<Token![=]>()?;
                if self.signal.replace(input.parse()?).is_some() {
                    return Err(duplicate());
                }
            }
            "xfail" => {
                let xfail = if input.peek(Token![=]) {
                    input.parse::<Token![=]>()?;
                    let content;
                    let brackets = bracketed!(content in input);
                    let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
                    if !has_variants {
                        return Err(syn::Error::new(
                            brackets.span.join(),
                            "a plain test has no variants: write `xfail` alone",
                        ));
                    }
                    if names.is_empty() {
                        return Err(syn::Error::new(
                            brackets.span.join(),
                            "name the variants expected to fail, or write `xfail` alone for all",
                        ));
                    }
                    Xfail::Variants(names.into_iter().collect())
                } else {
                    Xfail::All
                };
                if self.xfail.replace(xfail).is_some() {
                    return Err(duplicate());
                }
            }
            "exclusive" => {
                input.parse::<Token![=]>()?;
                if self.exclusive.replace(input.parse()?).is_some() {
                    return Err(duplicate());
                }
            }
            _ => {
                return Err(syn::Error::new_spanned(
                    &key,
                    format!(
                        "unknown test option `{key}`: expected `timeout`, `signal`, `xfail` or \
                         `exclusive`"
                    ),
                ));
            }
        }
        Ok(())
    }
}
