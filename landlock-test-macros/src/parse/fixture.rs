//! `fixture! { name { fields } setup: |variant| ..., teardown: |self, variant| ... }`

use syn::parse::{Parse, ParseStream};
use syn::{Attribute, FieldsNamed, Ident, Token, Visibility};

use super::closure::{Closure, SELF_FIRST};

/// What follows the struct; the struct itself is [`FixtureHead`].
pub struct FixtureInput {
    pub name: Ident,
    pub setup: Closure,
    pub teardown: Option<Teardown>,
}

pub struct Teardown {
    /// `teardown` or `teardown_parent`, for errors and the Copy check's span.
    pub keyword: Ident,
    pub in_parent: bool,
    pub closure: Closure,
}

/// The struct part alone, so that an error further on can still emit the type and spare the
/// user a second error wherever the fixture is used.
pub struct FixtureHead {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub name: Ident,
    pub fields: FieldsNamed,
}

impl Parse for FixtureHead {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        Ok(FixtureHead {
            attrs: input.call(Attribute::parse_outer)?,
            vis: input.parse()?,
            name: input.parse()?,
            fields: input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected the fixture's fields in braces: `name { field: Type, ... }`",
                )
            })?,
        })
    }
}

impl FixtureInput {
    pub fn parse_rest(head: &FixtureHead, input: ParseStream) -> syn::Result<Self> {
        let mut setup = None;
        let mut teardown: Option<Teardown> = None;
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            match key.to_string().as_str() {
                "setup" => {
                    if setup.is_some() {
                        return Err(syn::Error::new_spanned(&key, "`setup` is given twice"));
                    }
                    input.parse::<Token![:]>()?;
                    let closure = Closure::parse(input, 1, "|variant| ...")?;
                    closure.reject_self_at(
                        0,
                        "setup builds the fixture and has no `self`: `|variant| Self { ... }`",
                    )?;
                    setup = Some(closure);
                }
                "teardown" | "teardown_parent" => {
                    if let Some(first) = &teardown {
                        return Err(syn::Error::new_spanned(
                            &key,
                            format!(
                                "`{}` is already given: a fixture has one teardown, in the test \
                                 process (`teardown`) or in its parent (`teardown_parent`)",
                                first.keyword
                            ),
                        ));
                    }
                    input.parse::<Token![:]>()?;
                    let closure = Closure::parse(input, 2, "|self, variant| ...")?;
                    closure.reject_self_at(1, SELF_FIRST)?;
                    teardown = Some(Teardown {
                        in_parent: key == "teardown_parent",
                        keyword: key,
                        closure,
                    });
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &key,
                        format!(
                            "unknown fixture! item `{key}`: expected `setup`, `teardown` or \
                             `teardown_parent`"
                        ),
                    ));
                }
            }
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        let setup = setup.ok_or_else(|| {
            syn::Error::new_spanned(
                &head.name,
                format!(
                    "fixture `{}` has no setup: add `setup: |variant| Self {{ ... }}` \
                     (FIXTURE_SETUP)",
                    head.name
                ),
            )
        })?;
        Ok(FixtureInput {
            name: head.name.clone(),
            setup,
            teardown,
        })
    }
}
