//! Exact attributions: how much each feature moved a model's output for a
//! row, away from the model's expected output.
//!
//! [`linear`](mod@linear): exact SHAP values of linear and softmax models, as
//! `shap.LinearExplainer` (interventional, the background's mean): on the
//! logit scale, `phi_kj = w_kj (x_j - mean_j)`, base value `w_k · mean + b_k`.
//!
//! [`tree`](mod@tree): path-dependent TreeSHAP (Lundberg, Erion & Lee 2018,
//! algorithm 2; shap's `TreeExplainer` with `feature_perturbation =
//! "tree_path_dependent"`) for a fitted tree and the mean over a forest's
//! trees, on the trees' output (class shares), each branch weighed by its
//! training rows.
//!
//! [`kernel`]: SHAP values of any model (interventional, against a
//! background): exact over every coalition when they fit shap's budget,
//! KernelSHAP's sampled weighted least squares beyond.
//!
//! [`explain`]: the method that fits a fitted model of the catalogue (also
//! bagged trees and histogram gradient boosting, on its raw scores).
//!
//! [`permutation`]: scikit-learn's permutation importance, the same
//! shuffles for the same seed, for any model.
//!
//! [`rank`]: how far two attributions' feature rankings are apart: the
//! weighted Kendall tau (equal to scipy's), a CIES-style rank-weighted
//! distance (our formulation), rank-biased overlap, top-k agreement; the
//! stability index builds on them.
//!
//! [`stability`]: a CIES-style credibility index of explanations under
//! noise (our formulation), per row, overall and per class, with bootstrap
//! intervals and the uniform-weight baseline.
//!
//! [`explain_pipeline`]: a fitted pipeline's attributions on a file's rows,
//! named by the model's input columns, as JSON or CSV (`imbalanced explain`).
//!
//! Every method returns [`Attributions`]: per class a base value, and per
//! class, row and feature a value; for each row and class the values plus
//! the base value are the model's output (additivity, tested).

#![deny(unsafe_code)]

pub mod kernel;
pub mod linear;
pub mod model;
pub mod permutation;
pub mod pipeline;
pub mod rank;
pub mod report;
pub mod stability;
pub mod tree;

pub use kernel::KernelShap;
pub use linear::linear;
pub use model::{explain, explain_interventional, kernel_explain, output_names};
pub use permutation::{Importances, MaxSamples, PermutationImportance, Scoring};
pub use pipeline::{
    compare_stability, explain_pipeline, permutation_pipeline, stability_pipeline, Attribution, Explanation,
};
pub use rank::{rank_biased_overlap, rank_distance, top_k_agreement, weighted_tau, RankWeights};
pub use report::{StabilityComparison, StabilityRun};
pub use stability::{paired_test, Columns, Estimate, RowStability, Stability, StabilityReport, Summary};
pub use tree::{ensemble, ensemble_interventional, forest, forest_interventional, tree, Member, TreeView, Votes};

use ndarray::{Array2, Array3};

/// What the explainers refuse.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ExplainError {
    #[error("{0}")]
    Input(String),
}

/// Attributions of `n` rows over `d` features for `k` outputs (classes).
#[derive(Debug, Clone, PartialEq)]
pub struct Attributions {
    /// The expected output per class (shap's `expected_value`).
    pub base_values: Vec<f64>,
    /// `k x n x d`: class, row, feature.
    pub values: Array3<f64>,
}

impl Attributions {
    /// The mean absolute attribution per output and feature (`k x d`): a
    /// global importance, shap's bar summary.
    pub fn mean_abs(&self) -> Array2<f64> {
        let (k, n, d) = self.values.dim();
        Array2::from_shape_fn((k, d), |(c, j)| {
            self.values
                .slice(ndarray::s![c, .., j])
                .iter()
                .map(|v| v.abs())
                .sum::<f64>()
                / n.max(1) as f64
        })
    }

    /// Each row's output per class the attributions add up to: base value
    /// plus the row's values (`n x k`).
    pub fn outputs(&self) -> Array2<f64> {
        let (k, n, _) = self.values.dim();
        Array2::from_shape_fn((n, k), |(i, c)| {
            self.base_values[c] + self.values.slice(ndarray::s![c, i, ..]).sum()
        })
    }
}
