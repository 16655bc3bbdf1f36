//! Classifiers for imbalanced learning.
//!
//! So far: CART decision trees and random forests with class-probability
//! output, which InstanceHardnessThreshold needs. Parameters and defaults
//! follow scikit-learn's; class labels are codes `0..n_classes`.

mod forest;
mod tree;

use ndarray::ArrayView2;

pub use forest::{FittedForest, RandomForestClassifier};
pub use tree::{Criterion, DecisionTreeClassifier, FittedTree, MaxFeatures};

/// Errors of model fitting.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("{x_rows} rows of features but {y_len} labels: give one label per row")]
    ShapeMismatch { x_rows: usize, y_len: usize },
    #[error("no rows to fit on")]
    Empty,
    #[error("label {label} is not below n_classes = {n_classes}")]
    BadLabel { label: usize, n_classes: usize },
    #[error("feature values must be finite: row {row}, column {column} is {value}")]
    NonFinite { row: usize, column: usize, value: f64 },
    #[error("invalid parameter: {0}")]
    Parameter(String),
}

pub(crate) fn check_xy(x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<(), ModelError> {
    if x.nrows() != y.len() {
        return Err(ModelError::ShapeMismatch {
            x_rows: x.nrows(),
            y_len: y.len(),
        });
    }
    if y.is_empty() {
        return Err(ModelError::Empty);
    }
    if let Some(&label) = y.iter().find(|&&c| c >= n_classes) {
        return Err(ModelError::BadLabel { label, n_classes });
    }
    if let Some(((row, column), &value)) = x.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(ModelError::NonFinite { row, column, value });
    }
    Ok(())
}
