//! Classifiers for imbalanced learning, with scikit-learn's parameters and
//! defaults: logistic regression (L-BFGS), k-nearest neighbours, CART
//! decision trees, random forests, Gaussian naive Bayes; softmax regression
//! and an MLP trained with any loss of `imbalanced-losses` (class-aware
//! batch sampling, multi-label targets for the MLP); post-training
//! calibration and decision thresholds; the preprocessing a pipeline needs
//! (standard scaling, one-hot encoding); the L-BFGS solver; and the two
//! estimators the samplers lean on, k-means ([`kmeans`]) and an RBF C-SVC's
//! support vectors ([`svm`]).
//!
//! Parameters implement [`Fit`]; fitted models implement [`Predict`].
//! Class labels are codes `0..n_classes`. The catalogue of every classifier
//! by name (these and the balanced ensembles) is `imbalanced-classifiers`.

mod alignment;
mod batch_sampling;
mod calibration;
mod class_weight;
mod forest;
mod holdout;
pub mod kmeans;
mod knn;
mod logistic;
mod mlp;
mod naive_bayes;
pub mod optim;
pub mod persist;
mod preprocessing;
pub mod regression;
mod softmax;
pub mod svm;
mod thresholds;
mod traits;
mod tree;

pub use alignment::ClassAlignment;
pub use batch_sampling::{draw_weighted, rarest_positive_weights, sampling_weights, BatchSampling};
pub use calibration::{
    histogram_binning, isotonic, platt, BinaryCalibrator, CalibrationMethod, OneVsRestCalibration, TemperatureScaling,
};
pub use class_weight::ClassWeight;
pub use forest::{member_seeds, FittedForest, OutOfBag, RandomForestClassifier};
pub use holdout::stratified_holdout;
pub use knn::{FittedKnn, KNeighborsClassifier, KnnWeights};
pub use logistic::{FittedLogistic, LogisticRegression};
pub use mlp::{Activation, Dense, EarlyStop, EpochReport, FittedMlp, MlpClassifier, ProportionSsl};
pub use naive_bayes::{FittedGaussianNB, GaussianNB};
pub use preprocessing::{FittedOneHot, FittedScaler, OneHotEncoder, StandardScaler};
pub use softmax::{FittedSoftmax, SoftmaxRegression};
pub use thresholds::{ThresholdObjective, Thresholds};
pub use traits::{
    argmax_rows, check_sample_weight, mean_proba, more_members, Fit, FitBoxed, FitWeighted, Predict, WarmStart,
};
pub use tree::{Columns, Criterion, DecisionTreeClassifier, FittedTree, MaxFeatures};

/// Errors of model fitting and prediction.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    #[error("{x_rows} rows of features but {y_len} labels: give one label per row")]
    ShapeMismatch { x_rows: usize, y_len: usize },
    #[error("no rows to fit on")]
    Empty,
    #[error("no feature columns to fit on: give at least one")]
    NoFeatures,
    #[error("the training rows hold a single class: a classifier needs at least 2")]
    SingleClass,
    #[error("label {label} is not below n_classes = {n_classes}")]
    BadLabel { label: usize, n_classes: usize },
    #[error("feature values must be finite: row {row}, column {column} is {value}")]
    NonFinite { row: usize, column: usize, value: f64 },
    #[error("the model was fitted on {fitted} features but got {got}")]
    FeatureMismatch { got: usize, fitted: usize },
    #[error("{model} needs samples of every class, but class {class} has none in the training rows")]
    MissingClass { model: &'static str, class: usize },
    #[error("invalid parameter: {0}")]
    Parameter(String),
    #[error("not a valid model: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Catalog(#[from] imbalanced_catalog::CatalogError),
}

impl From<imbalanced_data::InputError> for ModelError {
    fn from(e: imbalanced_data::InputError) -> Self {
        use imbalanced_data::InputError as E;
        match e {
            E::ShapeMismatch { x_rows, y_len } => ModelError::ShapeMismatch { x_rows, y_len },
            E::Empty => ModelError::Empty,
            E::NoFeatures => ModelError::NoFeatures,
            E::SingleClass => ModelError::SingleClass,
            E::BadLabel { label, n_classes } => ModelError::BadLabel { label, n_classes },
            E::NonFinite { row, column, value } => ModelError::NonFinite { row, column, value },
        }
    }
}

/// Models whose parameters are per class (logistic regression, naive Bayes)
/// need every class among the training rows.
pub(crate) fn check_all_classes_present(y: &[usize], n_classes: usize, model: &'static str) -> Result<(), ModelError> {
    let mut seen = vec![false; n_classes];
    y.iter().for_each(|&c| seen[c] = true);
    match seen.iter().position(|s| !s) {
        Some(class) => Err(ModelError::MissingClass { model, class }),
        None if n_classes < 2 => Err(ModelError::Parameter(format!(
            "{model} needs at least two classes, got {n_classes}"
        ))),
        None => Ok(()),
    }
}
