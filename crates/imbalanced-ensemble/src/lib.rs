//! Balanced ensembles with imbalanced-learn 0.14's semantics: the balanced
//! random forest, balanced bagging (with any sampler of the catalogue),
//! RUSBoost and EasyEnsemble, on the AdaBoost (SAMME) of
//! `imbalanced-boosting`, which also holds histogram gradient boosting (both
//! re-exported here).
//!
//! Every ensemble draws its members' random under-samples with the
//! engine's `RandomUnderSampler` (the same `sampling_strategy` forms as
//! imbalanced-learn), fits them in parallel with seeds drawn up front (the
//! same model on any thread count), and fits its trees on shared ranked
//! columns ([`imbalanced_models::Columns`]), each member's rows given as
//! weights.
//!
//! The classifier catalogue (`imbalanced-classifiers`) takes them all.

#![forbid(unsafe_code)]

mod bagging;
mod balanced_forest;
mod easy_ensemble;
mod rusboost;

pub use bagging::{BaggedTree, BalancedBaggingClassifier, FittedBagging};
pub use balanced_forest::BalancedRandomForestClassifier;
pub use easy_ensemble::{EasyEnsembleClassifier, FittedEasyEnsemble};
pub use imbalanced_boosting::{
    AdaBoostClassifier, BoostedNode, BoostedTree, EarlyStopping, FittedBoosting, FittedHistGradientBoosting,
    HistGradientBoostingClassifier,
};
pub use imbalanced_resample::SamplerSpec;
pub use rusboost::RusBoostClassifier;

use imbalanced_models::ModelError;
use imbalanced_resample::{code_labels, RandomUnderSampler, Resampled, Resampler};
use ndarray::ArrayView2;

/// What `sampler` keeps of `x`, `y`: the rows, their classes and the input
/// row of each (`origin`, repeats where it draws with replacement). Its
/// errors (a strategy the data cannot meet) are parameter errors of the
/// ensemble.
pub(crate) fn under_sample(
    sampler: &RandomUnderSampler,
    x: ArrayView2<'_, f64>,
    y: &[usize],
) -> Result<Resampled, ModelError> {
    sampler
        .fit_resample(x, y)
        .map_err(|e| ModelError::Parameter(format!("the under-sampling of a member: {e}")))
}

/// The rows `sampler` keeps of labels `y` (repeats where it draws with
/// replacement), without copying features; its errors are parameter
/// errors of the ensemble.
pub(crate) fn kept_rows(sampler: &RandomUnderSampler, y: &[usize]) -> Result<Vec<usize>, ModelError> {
    sampler
        .sample_indices(y, &code_labels(y))
        .map_err(|e| ModelError::Parameter(format!("the under-sampling of a member: {e}")))
}
