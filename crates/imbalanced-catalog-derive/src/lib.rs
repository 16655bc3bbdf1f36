//! `#[derive(Estimator)]`: describes an estimator once, where it is defined.
//!
//! ```ignore
//! /// SMOTE: interpolate between a row and one of its nearest same-class neighbours.
//! #[derive(Default, Serialize, Deserialize, Estimator)]
//! #[estimator(name = "SMOTE", kind = "over", aliases = ["smote-default"])]
//! pub struct Smote {
//!     /// Same-class neighbours to interpolate with. Default: 5.
//!     pub k_neighbors: usize,
//!     /// The over-sampling step; `None` builds `SMOTE(...)` from this
//!     /// estimator's own parameters (see `smote_step`).
//!     #[param(nested = Self::smote_step)]
//!     pub smote: Option<Smote>,
//! }
//! ```
//!
//! The summary is the first sentence of the struct's doc comment, each
//! parameter's doc the first paragraph of the field's; a parameter is named
//! as serde names it (`#[serde(rename = "C")]`). Defaults are not restated:
//! the catalogue reads them from the type's `Default` through serde. Each
//! field also gets a builder setter of its name and visibility
//! (`Smote::default().k_neighbors(3)`).

#![forbid(unsafe_code)]

use proc_macro::TokenStream;
use quote::quote;
use syn::{parse_macro_input, Attribute, Data, DeriveInput, Expr, Fields, Lit, LitStr, Meta, Path, Type};

#[proc_macro_derive(Estimator, attributes(estimator, param))]
pub fn derive_estimator(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// The text of the `///` comments among `attrs`, one entry per line.
fn doc_lines(attrs: &[Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            Meta::NameValue(nv) => match &nv.value {
                Expr::Lit(syn::ExprLit { lit: Lit::Str(s), .. }) => Some(s.value().trim().to_string()),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// The first paragraph of a doc comment, as one line.
fn first_paragraph(lines: &[String]) -> String {
    lines
        .iter()
        .take_while(|l| !l.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The first sentence of a paragraph: up to the first ". " before a capital
/// letter (so "et al. 2002" does not end it), or all of it.
fn first_sentence(paragraph: &str) -> String {
    let ends = paragraph
        .match_indices(". ")
        .map(|(i, _)| i)
        .find(|&i| paragraph[i + 2..].chars().next().is_some_and(char::is_uppercase));
    match ends {
        Some(i) => paragraph[..i].to_string(),
        None => paragraph.trim_end_matches('.').to_string(),
    }
}

struct EstimatorAttr {
    name: LitStr,
    kind: LitStr,
    aliases: Vec<LitStr>,
}

fn estimator_attr(input: &DeriveInput) -> syn::Result<EstimatorAttr> {
    let attr = input
        .attrs
        .iter()
        .find(|a| a.path().is_ident("estimator"))
        .ok_or_else(|| syn::Error::new_spanned(&input.ident, "missing #[estimator(name = \"...\", kind = \"...\")]"))?;
    let (mut name, mut kind, mut aliases) = (None, None, Vec::new());
    attr.parse_nested_meta(|meta| {
        if meta.path.is_ident("name") {
            name = Some(meta.value()?.parse::<LitStr>()?);
        } else if meta.path.is_ident("kind") {
            kind = Some(meta.value()?.parse::<LitStr>()?);
        } else if meta.path.is_ident("aliases") {
            let content;
            let value = meta.value()?;
            syn::bracketed!(content in value);
            aliases.extend(content.parse_terminated(|p| p.parse::<LitStr>(), syn::Token![,])?);
        } else {
            return Err(meta.error("expected name, kind or aliases"));
        }
        Ok(())
    })?;
    let missing = |what: &str| syn::Error::new_spanned(attr, format!("#[estimator] needs {what} = \"...\""));
    Ok(EstimatorAttr {
        name: name.ok_or_else(|| missing("name"))?,
        kind: kind.ok_or_else(|| missing("kind"))?,
        aliases,
    })
}

/// `#[serde(rename = "...")]` on a field, if any.
fn serde_rename(attrs: &[Attribute]) -> syn::Result<Option<String>> {
    let mut rename = None;
    for a in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        a.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                rename = Some(meta.value()?.parse::<LitStr>()?.value());
            } else if meta.input.peek(syn::Token![=]) {
                // Other `key = value` serde options: skip the value.
                meta.value()?.parse::<Expr>()?;
            }
            Ok(())
        })?;
    }
    Ok(rename)
}

/// A nested estimator parameter: `#[param(nested)]` or
/// `#[param(nested = path::to::step_fn)]`.
enum Nested {
    No,
    Default,
    Step(Path),
}

fn nested(attrs: &[Attribute]) -> syn::Result<Nested> {
    let mut out = Nested::No;
    for a in attrs.iter().filter(|a| a.path().is_ident("param")) {
        a.parse_nested_meta(|meta| {
            if !meta.path.is_ident("nested") {
                return Err(meta.error("expected `nested` or `nested = step_fn`"));
            }
            out = if meta.input.peek(syn::Token![=]) {
                Nested::Step(meta.value()?.parse::<Path>()?)
            } else {
                Nested::Default
            };
            Ok(())
        })?;
    }
    Ok(out)
}

/// `T` of `Option<T>`, if `ty` is an `Option`.
fn option_inner(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(args) => match args.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let ident = &input.ident;
    let EstimatorAttr { name, kind, aliases } = estimator_attr(input)?;
    let struct_doc = doc_lines(&input.attrs);
    let summary = first_sentence(&first_paragraph(&struct_doc));
    if summary.is_empty() {
        return Err(syn::Error::new_spanned(
            ident,
            "an estimator needs a doc comment: its first sentence is the summary",
        ));
    }
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(ident, "#[derive(Estimator)] is for structs"));
    };
    let Fields::Named(fields) = &data.fields else {
        return Err(syn::Error::new_spanned(
            ident,
            "#[derive(Estimator)] needs named fields",
        ));
    };
    let mut params = Vec::new();
    let mut steps = Vec::new();
    let mut setters = Vec::new();
    for f in &fields.named {
        let field = f.ident.as_ref().expect("named field");
        let pname = serde_rename(&f.attrs)?.unwrap_or_else(|| field.to_string());
        let doc = first_paragraph(&doc_lines(&f.attrs));
        if doc.is_empty() {
            return Err(syn::Error::new_spanned(field, "every parameter needs a doc comment"));
        }
        let ty = &f.ty;
        let vis = &f.vis;
        let setter_doc = format!("Sets `{pname}`: {doc}");
        setters.push(quote! {
            #[doc = #setter_doc]
            #[must_use]
            #vis fn #field(mut self, value: #ty) -> Self {
                self.#field = value;
                self
            }
        });
        let ty_text = quote!(#ty).to_string().replace(' ', "");
        let inner = option_inner(ty);
        let nested = nested(&f.attrs)?;
        let nested_params = match (&nested, inner) {
            (Nested::No, _) => quote!(::core::option::Option::None),
            (_, Some(t)) => quote!(::core::option::Option::Some(<#t as ::imbalanced_catalog::Described>::PARAMS)),
            (_, None) => quote!(::core::option::Option::Some(<#ty as ::imbalanced_catalog::Described>::PARAMS)),
        };
        params.push(quote! {
            ::imbalanced_catalog::ParamDoc { name: #pname, doc: #doc, ty: #ty_text, nested: #nested_params }
        });
        let value = match (&nested, inner) {
            (Nested::No, _) => continue,
            (Nested::Default, Some(_)) => quote!(self.#field.clone().unwrap_or_default()),
            (Nested::Step(path), Some(_)) => quote!(self.#field.clone().unwrap_or_else(|| #path(self))),
            (_, None) => quote!(self.#field.clone()),
        };
        steps.push(quote! { #pname => ::imbalanced_catalog::to_value(&#value).ok(), });
    }
    let aliases = aliases.iter();
    Ok(quote! {
        /// Builder-style setters, one per parameter.
        impl #ident {
            #(#setters)*
        }

        impl ::imbalanced_catalog::Described for #ident {
            const INFO: ::imbalanced_catalog::Info = ::imbalanced_catalog::Info {
                name: #name,
                aliases: &[#(#aliases),*],
                kind: #kind,
                summary: #summary,
            };
            const PARAMS: &'static [::imbalanced_catalog::ParamDoc] = &[#(#params),*];
            fn step(&self, param: &str) -> ::core::option::Option<::imbalanced_catalog::Value> {
                match param {
                    #(#steps)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    })
}
