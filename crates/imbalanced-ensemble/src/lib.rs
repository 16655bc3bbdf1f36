//! Balanced ensembles with imbalanced-learn 0.14's semantics: the balanced
//! random forest, balanced bagging (with any sampler of the catalogue),
//! RUSBoost and EasyEnsemble, and the AdaBoost (SAMME) they build on; and
//! histogram gradient boosting (scikit-learn's) whose loss is any loss of
//! the loss library with a Newton form.
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

mod adaboost;
mod bagging;
mod balanced_forest;
mod easy_ensemble;
mod hist_gradient_boosting;
mod rusboost;

pub use adaboost::{AdaBoostClassifier, FittedBoosting};
pub use bagging::{BaggedTree, BalancedBaggingClassifier, FittedBagging};
pub use balanced_forest::BalancedRandomForestClassifier;
pub use easy_ensemble::{EasyEnsembleClassifier, FittedEasyEnsemble};
pub use hist_gradient_boosting::{
    BoostedNode, BoostedTree, EarlyStopping, FittedHistGradientBoosting, HistGradientBoostingClassifier,
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

#[cfg(test)]
pub(crate) mod tests {
    use imbalanced_models::Predict;
    use imbalanced_random::{RngKind, SamplerRng};
    use ndarray::{Array2, ArrayView2};

    /// `n` rows of three classes in three overlapping Gaussian blobs, 2-D.
    pub fn blobs(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = SamplerRng::new(RngKind::Default, seed);
        let y: Vec<usize> = (0..n).map(|i| i % 3).collect();
        let x = Array2::from_shape_fn((n, 2), |(i, j)| {
            0.5 + 0.2 * (y[i] as f64 - 1.0) * (j as f64 + 1.0) + 0.1 * rng.standard_normal()
        });
        (x, y)
    }

    /// `n` rows, a share `minority` of class 1, the classes shifted apart
    /// on 4 noisy features.
    pub fn imbalanced_blobs(n: usize, minority: f64, seed: u64) -> (Array2<f64>, Vec<usize>) {
        let mut rng = SamplerRng::new(RngKind::Default, seed);
        let y: Vec<usize> = (0..n).map(|_| usize::from(rng.random() < minority)).collect();
        let x = Array2::from_shape_fn((n, 4), |(i, j)| {
            let shift = if y[i] == 1 && j < 2 { 1.5 } else { 0.0 };
            shift + rng.standard_normal()
        });
        (x, y)
    }

    /// The share of class `class`'s rows predicted as it.
    pub fn recall(m: &impl Predict, x: ArrayView2<'_, f64>, y: &[usize], class: usize) -> f64 {
        let p = m.predict(x).unwrap();
        let (hit, all) = y
            .iter()
            .zip(&p)
            .filter(|(t, _)| **t == class)
            .fold((0, 0), |(h, a), (_, p)| (h + usize::from(*p == class), a + 1));
        hit as f64 / all as f64
    }
}
