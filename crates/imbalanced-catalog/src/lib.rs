//! The catalogue: every estimator described once, next to its code.
//!
//! An estimator is a parameter struct with `Default`, serde and
//! `#[derive(Estimator)]`: its name, aliases, kind and one doc line per
//! parameter come from the struct and its doc comments, its defaults from
//! its `Default` (through serde, so they are never written twice). A crate
//! collects its estimators into a [`Catalog`] of [`Entry`]s; front ends (the
//! CLI's `--method` / `--model` / `--param`, `resample --list`, the docs
//! table, the Python classes) read names, parameters and defaults from it
//! and build estimators from parameter values.
//!
//! Parameter values are JSON values, as scikit-learn's `get_params` would
//! print them: `5`, `"auto"`, `{"0": 100}`, `null`. Nested estimators'
//! parameters are set with scikit-learn's `__` syntax (`smote__k_neighbors`);
//! a nested estimator left at `null` is first replaced by the step its
//! parent would build ([`Described::step`]). Unknown names and parameters
//! are errors that suggest the nearest valid one.

#![forbid(unsafe_code)]

use std::fmt::Write as _;

pub use imbalanced_catalog_derive::Estimator;
use serde::de::DeserializeOwned;
use serde::Serialize;
pub use serde_json::{to_value, Value};

/// What identifies an estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Info {
    /// The reference library's class name (`"SMOTE"`, `"LogisticRegression"`).
    pub name: &'static str,
    /// Other accepted names; matching ignores case, `-` and `_`.
    pub aliases: &'static [&'static str],
    /// A sampler's kind (`over`, `under`, `generation`, `cleaning`,
    /// `combined`), `classifier`, or `loss`.
    pub kind: &'static str,
    /// One line: what it does (the first sentence of its doc comment).
    pub summary: &'static str,
}

/// One parameter, as declared by its field.
#[derive(Debug, Clone, Copy)]
pub struct ParamDoc {
    /// The name `get_params` and `--param` use.
    pub name: &'static str,
    /// The first paragraph of the field's doc comment.
    pub doc: &'static str,
    /// The Rust type, as written.
    pub ty: &'static str,
    /// The parameters of a nested estimator.
    pub nested: Option<&'static [ParamDoc]>,
}

/// Implemented by `#[derive(Estimator)]`.
pub trait Described: Serialize + DeserializeOwned + Default {
    const INFO: Info;
    const PARAMS: &'static [ParamDoc];
    /// The value of the nested estimator `param` as this estimator will
    /// run it: the one given, or the step it builds when given none.
    fn step(&self, param: &str) -> Option<Value>;
}

/// An estimator's name where its type is not known (a `dyn Resampler`):
/// every [`Described`] estimator has it, from its [`Info`].
pub trait Named {
    /// The reference library's class name (`"SMOTE"`, `"TomekLinks"`).
    fn name(&self) -> &'static str;
}

impl<T: Described> Named for T {
    fn name(&self) -> &'static str {
        T::INFO.name
    }
}

/// `losses`, `samplers`: the plural of a catalogue's kind.
fn plural(what: &str) -> String {
    if what.ends_with('s') {
        format!("{what}es")
    } else {
        format!("{what}s")
    }
}

/// Everything a catalogue refuses. Each message names the estimator or
/// parameter and what would be accepted.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    #[error("unknown {what} {name:?}{}; the {} are: {known}", suggest(suggestion), plural(what))]
    UnknownName {
        what: &'static str,
        name: String,
        suggestion: Option<String>,
        known: String,
    },
    #[error("{estimator} has no parameter {name:?}{}; it takes: {accepted}", suggest(suggestion))]
    UnknownParam {
        estimator: &'static str,
        name: String,
        suggestion: Option<String>,
        accepted: String,
    },
    #[error("{estimator}: {param} is not an estimator, so {param}__... cannot be set")]
    NotNested { estimator: &'static str, param: String },
    #[error("{estimator}: invalid value for {param}: {message}")]
    BadValue {
        estimator: &'static str,
        param: String,
        message: String,
    },
}

fn suggest(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean {s:?}?)"))
        .unwrap_or_default()
}

/// Lower case without `-` and `_`: how names and aliases are matched.
pub fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '-' && *c != '_' && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The candidate nearest to `wrong`, if it is near enough to be a typo
/// (Damerau-Levenshtein distance of at most a third of the length, and 1
/// for short names).
pub fn nearest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let w = normalise(wrong);
    let limit = (w.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&w, &normalise(c)), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.to_string())
}

/// A parameter value typed on a command line: JSON where it parses
/// (`3`, `0.5`, `true`, `{"0": 100}`, `[1, 2]`, `null`), `None`/`none` as
/// `null` (Python's spelling), else the text itself as a string (`auto`,
/// `borderline-1`).
pub fn value_from_text(text: &str) -> Value {
    let t = text.trim();
    if t == "None" || t == "none" {
        return Value::Null;
    }
    serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_string()))
}

/// A `KEY=VALUE` assignment as typed on a command line (`k_neighbors=3`,
/// `smote__k_neighbors=3`, `sampling_strategy={"0": 100}`), the value read
/// by [`value_from_text`]; `None` if there is no `=` or no key.
pub fn assignment(text: &str) -> Option<(String, Value)> {
    let (k, v) = text.split_once('=')?;
    let k = k.trim();
    (!k.is_empty()).then(|| (k.to_string(), value_from_text(v)))
}

/// A value as it would be typed: strings bare, `null` as `None`, the rest
/// as JSON (the inverse of [`value_from_text`]).
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "None".to_string(),
        other => other.to_string(),
    }
}

/// A parameter with its default, flattened (`smote__k_neighbors`), for
/// listings and docs.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSummary {
    pub name: String,
    pub doc: &'static str,
    pub ty: &'static str,
    pub default: Value,
}

/// How to describe and build one estimator as a `B` (`dyn Resampler`, ...).
pub struct Entry<B: ?Sized + 'static> {
    pub info: Info,
    pub params: &'static [ParamDoc],
    defaults: fn() -> Value,
    step: fn(&Value, &str) -> Option<Value>,
    build: fn(Value) -> Result<Box<B>, String>,
}

fn defaults_of<T: Described>() -> Value {
    to_value(T::default()).expect("parameters serialise to JSON")
}

fn step_of<T: Described>(params: &Value, param: &str) -> Option<Value> {
    serde_json::from_value::<T>(params.clone()).ok()?.step(param)
}

/// Parameter values as `T`, or the message naming the parameter that is wrong.
pub fn from_params<T: DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_path_to_error::deserialize(params).map_err(|e| {
        let path = e.path().to_string().replace('.', "__");
        format!("{path}\u{0}{}", e.inner())
    })
}

impl<B: ?Sized + 'static> Entry<B> {
    /// The entry of `T`, built into a `B` by `build` (a function that
    /// deserialises with [`from_params`] and boxes the result).
    pub const fn of<T: Described>(build: fn(Value) -> Result<Box<B>, String>) -> Self {
        Entry {
            info: T::INFO,
            params: T::PARAMS,
            defaults: defaults_of::<T>,
            step: step_of::<T>,
            build,
        }
    }

    /// The default parameter values, as an object keyed by parameter name.
    pub fn defaults(&self) -> Value {
        (self.defaults)()
    }

    /// Whether `name` (the name or an alias) means this entry.
    pub fn is_named(&self, name: &str) -> bool {
        let n = normalise(name);
        normalise(self.info.name) == n || self.info.aliases.iter().any(|a| normalise(a) == n)
    }

    /// Sets `key` (`k_neighbors`, or nested `smote__k_neighbors`) in the
    /// parameter object `params`.
    pub fn set(&self, params: &mut Value, key: &str, value: Value) -> Result<(), CatalogError> {
        set_in(self.info.name, self.params, Some(self.step), params, key, value)
    }

    /// The estimator with these parameter values (a full or partial object;
    /// missing parameters keep their defaults).
    pub fn build(&self, params: Value) -> Result<Box<B>, CatalogError> {
        let mut full = self.defaults();
        if let (Value::Object(full), Value::Object(given)) = (&mut full, params) {
            full.extend(given);
        }
        (self.build)(full).map_err(|e| {
            let (param, message) = e.split_once('\u{0}').unwrap_or(("", &e));
            CatalogError::BadValue {
                estimator: self.info.name,
                param: param.to_string(),
                message: message.to_string(),
            }
        })
    }

    /// Defaults, then `ambient` values for the parameters this estimator
    /// declares (a seed for those that take `random_state`), then `given`:
    /// top-level parameters first, nested ones (`smote__k_neighbors`) after,
    /// as scikit-learn's `set_params` does, so that a nested step built
    /// from its parent sees the parent's final parameters.
    pub fn configure(&self, given: &[(String, Value)], ambient: &[(&str, Value)]) -> Result<Value, CatalogError> {
        let mut params = self.defaults();
        for (k, v) in ambient {
            if self.params.iter().any(|p| p.name == *k) {
                params[*k] = v.clone();
            }
        }
        let (nested, top): (Vec<_>, Vec<_>) = given.iter().partition(|(k, _)| k.contains("__"));
        for (k, v) in top.into_iter().chain(nested) {
            self.set(&mut params, k, v.clone())?;
        }
        Ok(params)
    }

    /// [`configure`](Self::configure), then [`build`](Self::build).
    pub fn build_with(&self, given: &[(String, Value)], ambient: &[(&str, Value)]) -> Result<Box<B>, CatalogError> {
        self.build(self.configure(given, ambient)?)
    }

    /// Every parameter with its default, nested ones flattened with `__`
    /// (their defaults being those of the step built by default).
    pub fn summaries(&self) -> Vec<ParamSummary> {
        let defaults = self.defaults();
        let mut out = Vec::new();
        flatten("", self.params, &defaults, Some(self.step), &mut out);
        out
    }

    /// `name=default` for every top-level parameter, space-separated, as
    /// they would be typed (`sampling_strategy=auto k_neighbors=5`).
    pub fn signature(&self) -> String {
        let defaults = self.defaults();
        let mut s = String::new();
        for p in self.params {
            let sep = if s.is_empty() { "" } else { " " };
            let _ = write!(s, "{sep}{}={}", p.name, value_text(&defaults[p.name]));
        }
        s
    }
}

fn flatten(
    prefix: &str,
    docs: &'static [ParamDoc],
    values: &Value,
    step: Option<fn(&Value, &str) -> Option<Value>>,
    out: &mut Vec<ParamSummary>,
) {
    for p in docs {
        let name = format!("{prefix}{}", p.name);
        out.push(ParamSummary {
            name: name.clone(),
            doc: p.doc,
            ty: p.ty,
            default: values[p.name].clone(),
        });
        if let (Some(nested), Some(step)) = (p.nested, step) {
            if let Some(inner) = step(values, p.name) {
                flatten(&format!("{name}__"), nested, &inner, None, out);
            }
        }
    }
}

fn set_in(
    estimator: &'static str,
    docs: &'static [ParamDoc],
    step: Option<fn(&Value, &str) -> Option<Value>>,
    params: &mut Value,
    key: &str,
    value: Value,
) -> Result<(), CatalogError> {
    let (head, rest) = match key.split_once("__") {
        Some((h, r)) => (h, Some(r)),
        None => (key, None),
    };
    let Some(doc) = docs.iter().find(|p| p.name == head) else {
        return Err(CatalogError::UnknownParam {
            estimator,
            name: key.to_string(),
            suggestion: nearest(head, docs.iter().map(|p| p.name)),
            accepted: docs.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
        });
    };
    let Some(rest) = rest else {
        params[head] = value;
        return Ok(());
    };
    let Some(nested) = doc.nested else {
        return Err(CatalogError::NotNested {
            estimator,
            param: head.to_string(),
        });
    };
    if params[head].is_null() {
        // The step the parent would build, so that one parameter changes
        // and the others stay as they would have been.
        let built = step.and_then(|s| s(params, head));
        params[head] = built.unwrap_or_else(|| Value::Object(Default::default()));
    }
    set_in(estimator, nested, None, &mut params[head], rest, value)
}

/// A catalogue of estimator types, each built into a `Box<B>` by `into`
/// (a closure from the estimator to the box):
///
/// ```ignore
/// catalog!(pub static SAMPLERS: dyn Resampler = "sampler", |s| Box::new(s); [Smote, TomekLinks]);
/// ```
#[macro_export]
macro_rules! catalog {
    ($(#[$meta:meta])* $vis:vis static $name:ident: $b:ty = $what:literal, $into:expr; [$($t:ty),* $(,)?]) => {
        $(#[$meta])*
        $vis static $name: $crate::Catalog<$b> = $crate::Catalog {
            what: $what,
            entries: &[$($crate::Entry::of::<$t>(|params| {
                let into: fn($t) -> Box<$b> = $into;
                Ok(into($crate::from_params::<$t>(params)?))
            })),*],
        };
    };
}

/// A set of entries of one kind, looked up by name or alias.
pub struct Catalog<B: ?Sized + 'static> {
    /// What the entries are, for messages: `"sampler"`, `"model"`, `"loss"`.
    pub what: &'static str,
    pub entries: &'static [Entry<B>],
}

impl<B: ?Sized + 'static> Catalog<B> {
    /// The entry `name` means (its name or an alias, ignoring case, `-` and
    /// `_`), or an error suggesting the nearest name.
    pub fn find(&self, name: &str) -> Result<&'static Entry<B>, CatalogError> {
        self.entries.iter().find(|e| e.is_named(name)).ok_or_else(|| {
            let names = self
                .entries
                .iter()
                .flat_map(|e| std::iter::once(e.info.name).chain(e.info.aliases.iter().copied()));
            CatalogError::UnknownName {
                what: self.what,
                name: name.to_string(),
                suggestion: nearest(name, names)
                    .and_then(|n| self.entries.iter().find(|e| e.is_named(&n)))
                    .map(|e| e.info.name.to_string()),
                known: self
                    .entries
                    .iter()
                    .map(|e| match e.info.aliases {
                        [] => e.info.name.to_string(),
                        aliases => format!("{} ({})", e.info.name, aliases.join(", ")),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            }
        })
    }

    /// The entries as a Markdown section: a line per estimator (name,
    /// aliases, kind, summary), then a table of its parameters with their
    /// defaults and doc lines, nested ones flattened with `__`.
    pub fn markdown(&self) -> String {
        let mut s = String::new();
        for e in self.entries {
            let aliases = match e.info.aliases {
                [] => String::new(),
                a => format!(
                    " (also {})",
                    a.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                ),
            };
            let _ = writeln!(
                s,
                "### `{}`{aliases}\n\n{}. Kind: {}.\n",
                e.info.name, e.info.summary, e.info.kind
            );
            let params = e.summaries();
            if params.is_empty() {
                s.push_str("No parameters.\n\n");
                continue;
            }
            s.push_str("| parameter | default | |\n|---|---|---|\n");
            for p in params {
                let _ = writeln!(
                    s,
                    "| `{}` | `{}` | {} |",
                    p.name,
                    value_text(&p.default),
                    p.doc.replace('|', "\\|")
                );
            }
            s.push('\n');
        }
        s
    }

    /// Builds `name` with `given` parameters over its defaults and the
    /// `ambient` ones it declares (see [`Entry::configure`]).
    pub fn build(
        &self,
        name: &str,
        given: &[(String, Value)],
        ambient: &[(&str, Value)],
    ) -> Result<Box<B>, CatalogError> {
        self.find(name)?.build_with(given, ambient)
    }
}
