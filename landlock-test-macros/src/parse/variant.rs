//! `variant! { fixture { field: Type, ... } name { field: value, ... } ... }` declares the
//! variant type and instances; `variant! { fixture: name { ... } ... }` adds instances.

use std::collections::HashSet;

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Attribute, FieldValue, FieldsNamed, Ident, Token, braced};

/// What comes before the instances: the fixture and, when declared here, the variant type.
pub struct VariantHead {
    pub fixture: Ident,
    /// The declared type: `#[attrs] fixture { fields }`; `None` when only adding instances.
    pub declared: Option<(Vec<Attribute>, FieldsNamed)>,
}

pub struct Instance {
    pub name: Ident,
    pub fields: Punctuated<FieldValue, Token![,]>,
}

impl Parse for Instance {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let name: Ident = input.parse()?;
        let content;
        braced!(content in input);
        Ok(Instance {
            name,
            fields: content.parse_terminated(FieldValue::parse, Token![,])?,
        })
    }
}

impl Parse for VariantHead {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let fixture: Ident = input.parse()?;
        let declared = if input.peek(Token![:]) {
            input.parse::<Token![:]>()?;
            if let Some(attr) = attrs.first() {
                return Err(syn::Error::new_spanned(
                    attr,
                    "attributes go on the variant type, where `variant!` declares its fields",
                ));
            }
            None
        } else if input.peek(syn::token::Brace) {
            Some((attrs, input.parse()?))
        } else {
            return Err(input.error(
                "expected the variant type's fields `{ field: Type, ... }`, \
                 or `:` to add instances to a declared variant type",
            ));
        };
        Ok(VariantHead { fixture, declared })
    }
}

impl VariantHead {
    /// Reads the instances into `instances`; on error, those read before it stay there, so
    /// that the one mistake is the one error.
    pub fn parse_instances(
        &self,
        input: ParseStream,
        instances: &mut Vec<Instance>,
    ) -> syn::Result<()> {
        let fixture = &self.fixture;
        let mut seen = HashSet::new();
        while !input.is_empty() {
            let instance: Instance = input.parse()?;
            if !seen.insert(instance.name.to_string()) {
                return Err(syn::Error::new_spanned(
                    &instance.name,
                    format!(
                        "variant `{}` of fixture `{fixture}` is added twice",
                        instance.name
                    ),
                ));
            }
            instances.push(instance);
            if input.peek(Token![,]) {
                input.parse::<Token![,]>()?;
            }
        }
        if self.declared.is_none() && instances.is_empty() {
            return Err(syn::Error::new_spanned(
                fixture,
                format!(
                    "`variant! {{ {fixture}: ... }}` adds no variant: name one, `name {{ field: value }}`"
                ),
            ));
        }
        Ok(())
    }
}
