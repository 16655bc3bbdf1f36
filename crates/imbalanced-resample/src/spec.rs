//! An estimator of a catalogue named in another estimator's parameters: the
//! sampler of a wrapper or an ensemble, the judge of label-consistent
//! over-sampling.

use std::marker::PhantomData;

use imbalanced_catalog::{Catalog, CatalogError, Value};
use imbalanced_models::FitBoxed;
use serde::{Deserialize, Serialize};

use crate::{Resampler, SAMPLERS};

/// The catalogue a [`Spec`] names its estimator in, and the default one.
pub trait Catalogued: 'static {
    /// What the catalogue builds.
    type Built: ?Sized + 'static;
    /// The catalogue.
    fn catalog() -> &'static Catalog<Self::Built>;
    /// The estimator a default spec names.
    const DEFAULT: &'static str;
}

/// An estimator of catalogue `K` by name, with parameters: `"SMOTE"`, or
/// `{"name": "SMOTE", "k_neighbors": 3}` (the reference libraries' names).
#[derive(Debug, Clone, PartialEq)]
pub struct Spec<K> {
    /// The estimator's catalogue name.
    pub name: String,
    /// Its parameters other than the defaults.
    pub params: serde_json::Map<String, Value>,
    kind: PhantomData<K>,
}

impl<K: Catalogued> Spec<K> {
    /// `name` with its default parameters.
    pub fn named(name: &str) -> Self {
        Spec {
            name: name.into(),
            params: serde_json::Map::new(),
            kind: PhantomData,
        }
    }

    /// The estimator, its parameters over the `ambient` ones it declares
    /// (see [`imbalanced_catalog::Entry::configure`]).
    pub fn build(&self, ambient: &[(&str, Value)]) -> Result<Box<K::Built>, CatalogError> {
        let given: Vec<(String, Value)> = self.params.clone().into_iter().collect();
        K::catalog().build(&self.name, &given, ambient)
    }
}

impl<K: Catalogued> Default for Spec<K> {
    fn default() -> Self {
        Spec::named(K::DEFAULT)
    }
}

impl<K> Serialize for Spec<K> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.params.is_empty() {
            return s.serialize_str(&self.name);
        }
        let mut map = self.params.clone();
        map.insert("name".into(), self.name.clone().into());
        map.serialize(s)
    }
}

/// Reads what `Serialize` writes; the name must be in the catalogue and the
/// parameters its estimator's own.
impl<'de, K: Catalogued> Deserialize<'de> for Spec<K> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let what = K::catalog().what;
        let (name, params) = match Value::deserialize(d)? {
            Value::String(name) => (name, serde_json::Map::new()),
            Value::Object(mut map) => match map.remove("name") {
                Some(Value::String(name)) => (name, map),
                _ => return Err(D::Error::custom(format!("a {what} object needs a \"name\""))),
            },
            other => return Err(D::Error::custom(format!("{other} is not a {what}: give a name"))),
        };
        let entry = K::catalog().find(&name).map_err(D::Error::custom)?;
        let given: Vec<(String, Value)> = params.clone().into_iter().collect();
        entry.build_with(&given, &[]).map_err(D::Error::custom)?;
        Ok(Spec {
            name: entry.info.name.to_string(),
            params,
            kind: PhantomData,
        })
    }
}

/// The sampler catalogue, [`SAMPLERS`]; by default `RandomUnderSampler`.
#[derive(Debug, Clone, PartialEq)]
pub enum Samplers {}

impl Catalogued for Samplers {
    type Built = dyn Resampler;
    fn catalog() -> &'static Catalog<dyn Resampler> {
        &SAMPLERS
    }
    const DEFAULT: &'static str = "RandomUnderSampler";
}

/// A sampler of the catalogue by name, with parameters.
pub type SamplerSpec = Spec<Samplers>;

imbalanced_catalog::catalog!(
    /// The classifiers that can judge synthetic rows: every classifier of the
    /// catalogue that fits the rows as they are. Not the balanced ensembles:
    /// they re-balance the rows they fit, so their probabilities are not the
    /// data's P(y | X) that a judge estimates (and they resample with this
    /// crate's samplers, so they cannot be built here).
    pub static JUDGES: dyn FitBoxed = "judge", |m| Box::new(m);
    [
        imbalanced_models::KNeighborsClassifier,
        imbalanced_models::RandomForestClassifier,
        imbalanced_models::DecisionTreeClassifier,
        imbalanced_models::LogisticRegression,
        imbalanced_models::GaussianNB,
        imbalanced_models::SoftmaxRegression,
        imbalanced_models::MlpClassifier,
        imbalanced_boosting::AdaBoostClassifier,
        imbalanced_boosting::HistGradientBoostingClassifier,
    ]
);

/// The judge catalogue, [`JUDGES`]; by default `KNeighborsClassifier`.
#[derive(Debug, Clone, PartialEq)]
pub enum Judges {}

impl Catalogued for Judges {
    type Built = dyn FitBoxed;
    fn catalog() -> &'static Catalog<dyn FitBoxed> {
        &JUDGES
    }
    const DEFAULT: &'static str = "KNeighborsClassifier";
}

/// A classifier of [`JUDGES`] by name, with parameters.
pub type JudgeSpec = Spec<Judges>;
