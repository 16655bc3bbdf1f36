//! Boosting on the toolkit's decision trees: AdaBoost with the SAMME rule
//! (scikit-learn's `AdaBoostClassifier`; the boosting loop RUSBoost and
//! EasyEnsemble of `imbalanced-ensemble` build on) and histogram gradient
//! boosting (scikit-learn's `HistGradientBoostingClassifier`) whose loss is
//! any loss of the loss library with a Newton form.
//!
//! Why a crate of its own: neither resamples, so both sit below the
//! samplers, which may use them (the judge of label-consistent
//! over-sampling); the balanced ensembles, which resample, sit above.

#![forbid(unsafe_code)]

mod adaboost;
mod hist_gradient_boosting;

pub use adaboost::{check_boosting, round_tree, samme, AdaBoostClassifier, FittedBoosting, Schedule};
pub use hist_gradient_boosting::{
    BoostedNode, BoostedTree, EarlyStopping, FittedHistGradientBoosting, HistGradientBoostingClassifier,
};

/// Data and a score for the tests of this crate and `imbalanced-ensemble`.
#[doc(hidden)]
pub mod test_data {
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
