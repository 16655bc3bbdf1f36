//! Classification metrics for imbalanced data.
//!
//! Every function reproduces the scikit-learn 1.9.1 or imbalanced-learn
//! 0.14.2 function of the same name on the same inputs (to 1e-9; the tests
//! check fixtures written by those libraries). Labels are class codes
//! (`usize`), ordered as the original labels sort, so "the larger label"
//! of a binary problem is code 1, as scikit-learn's `pos_label=1`.
//!
//! As in scikit-learn, the label set of a label metric is the sorted union
//! of the labels in `y_true` and `y_pred`; a class that is never predicted
//! gets a precision of `zero_division` (default 0). Probability metrics
//! take an `n x C` matrix whose column `k` is the probability of class `k`.

#![forbid(unsafe_code)]

mod association;
mod classification;
mod confusion;
mod probabilistic;
mod ranking;
mod summary;

pub use association::correlation_ratio;
pub use classification::{
    accuracy_score, balanced_accuracy_score, classification_report_imbalanced, cohen_kappa_score, f1_score,
    fbeta_score, geometric_mean_score, index_balanced_accuracy, macro_averaged_mean_absolute_error, matthews_corrcoef,
    precision_recall_fscore, precision_recall_fscore_support, precision_score, recall_score,
    sensitivity_specificity_support, ClassReport, ClassScores, GmeanAverage, ImbalancedReport,
};
pub use confusion::{confusion_matrix, Confusion, LabelSums};
pub use probabilistic::{brier_score_loss, expected_calibration_error, log_loss, maximum_calibration_error};
pub use ranking::{
    average_precision_score, precision_recall_curve, roc_auc_score, roc_curve, Curve, MulticlassAverage,
};
pub use summary::{all_scores, all_scores_labelled, Scores};

/// How per-class scores are combined, as scikit-learn's `average`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Average {
    /// The score of class code 1 only (scikit-learn's `pos_label=1`);
    /// at most two labels may be present.
    Binary,
    /// Global counts of true positives, false negatives and false positives.
    Micro,
    /// Unweighted mean over labels.
    Macro,
    /// Mean over labels weighted by their support in `y_true`.
    Weighted,
}

/// Errors of metric computation: each names the problem and what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricError {
    #[error("y_true has {y_true} entries but the predictions have {y_pred}: give one prediction per sample")]
    LengthMismatch { y_true: usize, y_pred: usize },
    #[error("no samples: metrics need at least one prediction")]
    Empty,
    #[error("average=binary needs at most two labels, found {0}: use Macro, Weighted or Micro")]
    NotBinary(usize),
    #[error("only one class is present in y_true: {0} is not defined in that case")]
    SingleClass(&'static str),
    #[error("the probability matrix has {columns} columns but there are {classes} classes: give one column per class")]
    ProbaShape { columns: usize, classes: usize },
    #[error(
        "probabilities of row {row} sum to {sum}, not 1: pass class probabilities (e.g. a softmax), not raw scores"
    )]
    ProbaNotNormalised { row: usize, sum: f64 },
    #[error("probability {value} in row {row} is outside [0, 1]")]
    ProbaOutOfRange { row: usize, value: f64 },
    #[error("score {value} in row {row} is not finite")]
    NonFinite { row: usize, value: f64 },
    #[error("label code {label} has no probability column (there are {classes} classes)")]
    UnknownLabel { label: usize, classes: usize },
    #[error("{0}")]
    Undefined(String),
}

/// Result of a metric.
pub type Result<T> = std::result::Result<T, MetricError>;

pub(crate) fn check_lengths(a: usize, b: usize) -> Result<()> {
    if a != b {
        return Err(MetricError::LengthMismatch { y_true: a, y_pred: b });
    }
    if a == 0 {
        return Err(MetricError::Empty);
    }
    Ok(())
}

/// `num / den`, or `zero_division` where `den` is 0 (scikit-learn's `_prf_divide`).
pub(crate) fn divide(num: f64, den: f64, zero_division: f64) -> f64 {
    if den == 0.0 {
        zero_division
    } else {
        num / den
    }
}

/// numpy's `average(values, weights)`, skipping NaN values as scikit-learn's
/// `_nanaverage` does (NaN arises only from `zero_division = NaN`).
pub(crate) fn nan_average(values: &[f64], weights: Option<&[f64]>) -> f64 {
    let (mut sum, mut wsum) = (0.0, 0.0);
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            continue;
        }
        let w = weights.map_or(1.0, |w| w[i]);
        sum += w * v;
        wsum += w;
    }
    if wsum == 0.0 {
        f64::NAN
    } else {
        sum / wsum
    }
}
