//! Saving fitted models: serde forms of arrays, and the checks a loaded
//! model passes before it may predict.
//!
//! A model file is untrusted input. Deserialising gives the fields as
//! written; [`Validate::validate`] then checks every shape and value against
//! the rest of the model (layer sizes chain, coefficients match features
//! and classes, tree children lie in range and after their parent, every
//! size equals the length of an array in the file, so no edited number can
//! make prediction allocate more than the file holds). Only a validated
//! model is handed out by the loaders (`imbalanced_classifiers::FittedModel::from_json` and
//! the pipeline loader of `imbalanced-eval`).

use ndarray::{Array1, Array2};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The most classes a loaded model may claim where no array of the file
/// has one entry per class (k-NN): prediction allocates `rows x classes`.
pub(crate) const MAX_CLASSES: usize = 1 << 16;

/// The checks of a loaded model; `Err` names the field that is wrong.
pub trait Validate {
    fn validate(&self) -> Result<(), String>;
}

/// `Err(message)` unless `ok`.
pub fn ensure(ok: bool, message: impl FnOnce() -> String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(message())
    }
}

/// Every value of `values` is finite, else the field and position.
pub fn finite<'a>(field: &str, values: impl IntoIterator<Item = &'a f64>) -> Result<(), String> {
    match values.into_iter().position(|v| !v.is_finite()) {
        None => Ok(()),
        Some(i) => Err(format!("{field}: value {i} is not a finite number")),
    }
}

/// The members of a loaded ensemble (`field`: their field's name): at
/// least one, each valid, each with the ensemble's classes and features.
pub fn validate_members<P: Validate + crate::Predict>(
    field: &str,
    members: &[P],
    n_classes: usize,
    n_features: usize,
) -> Result<(), String> {
    ensure(!members.is_empty(), || {
        format!("{field}: an ensemble needs at least one")
    })?;
    for (i, m) in members.iter().enumerate() {
        m.validate().map_err(|e| format!("{field}[{i}].{e}"))?;
        ensure(m.n_classes() == n_classes && m.n_features() == n_features, || {
            format!("{field}[{i}]: classes or features differ from the ensemble's")
        })?;
    }
    Ok(())
}

/// An `Array2<f64>` as `{"shape": [rows, cols], "data": [row-major values]}`.
pub(crate) mod matrix {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Wire {
        shape: [usize; 2],
        data: Vec<f64>,
    }

    pub fn serialize<S: Serializer>(a: &Array2<f64>, s: S) -> Result<S::Ok, S::Error> {
        Wire {
            shape: [a.nrows(), a.ncols()],
            data: a.iter().copied().collect(),
        }
        .serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array2<f64>, D::Error> {
        let w = Wire::deserialize(d)?;
        let [r, c] = w.shape;
        if r.checked_mul(c) != Some(w.data.len()) {
            return Err(serde::de::Error::custom(format!(
                "shape [{r}, {c}] does not match its {} values",
                w.data.len()
            )));
        }
        Array2::from_shape_vec((r, c), w.data).map_err(serde::de::Error::custom)
    }
}

/// An `Array1<f64>` as a list.
pub(crate) mod vector {
    use super::*;

    pub fn serialize<S: Serializer>(a: &Array1<f64>, s: S) -> Result<S::Ok, S::Error> {
        a.as_slice().map_or_else(|| a.to_vec(), <[f64]>::to_vec).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Array1<f64>, D::Error> {
        Ok(Array1::from(Vec::<f64>::deserialize(d)?))
    }
}
