//! Honest evaluation for imbalanced learning.
//!
//! * [`splits`]: scikit-learn's stratified splitters, fold for fold;
//! * [`Pipeline`]: scaling -> sampler -> classifier, where only fitting
//!   resamples, and only the training rows;
//! * [`evaluate`]: every method cross-validated on the same splits, scored
//!   with `imbalanced-scores`;
//! * [`bench()`]: [`evaluate`] over a folder of datasets, ranked with the
//!   Friedman test and the Nemenyi critical difference ([`stats`]);
//! * [`ModelFile`]: a fitted pipeline saved as versioned, checked JSON,
//!   with [`PostProcessing`] (calibration, thresholds);
//! * [`report`]: a self-contained HTML report with inline SVG plots.

#![forbid(unsafe_code)]

mod bench;
mod evaluate;
pub mod model_file;
pub mod multilabel_file;
mod pipeline;
pub mod post;
pub mod report;
pub mod splits;
pub mod stats;

pub use bench::{bench, dataset_files, load_datasets, Bench, Folder};
pub use evaluate::{
    evaluate, fold_scores, metric_names, metric_position, EvaluateOptions, Evaluation, FailedMethod, Method,
    MethodResult, DEFAULT_METHODS,
};
pub use model_file::{HeldOut, ModelFile, Predicted, SchemaReport, Trained};
pub use multilabel_file::MultiLabelFile;
pub use pipeline::{FittedPipeline, Pipeline};
pub use post::{CalibrationChoice, CalibrationReport, PostProcessing};
pub use splits::{train_test_split, RepeatedStratifiedKFold, Split, StratifiedGroupKFold, StratifiedKFold};

/// Errors of evaluation: each names the problem and the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EvalError {
    #[error("{}", too_many_folds(*n_splits, class, *count))]
    TooManyFolds {
        n_splits: usize,
        class: String,
        count: usize,
    },
    #[error(transparent)]
    Data(#[from] imbalanced_data::DataError),
    #[error(transparent)]
    Resample(#[from] imbalanced_resample::ResampleError),
    #[error(transparent)]
    Model(#[from] imbalanced_models::ModelError),
    #[error(transparent)]
    Metric(#[from] imbalanced_scores::MetricError),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Catalog(#[from] imbalanced_catalog::CatalogError),
    #[error("not a valid model file: {0}")]
    ModelFile(String),
    #[error("the data does not match the model: {0}")]
    Schema(String),
    #[error("{method}: {source}")]
    Method {
        method: String,
        #[source]
        source: Box<EvalError>,
    },
}

/// The message of [`EvalError::TooManyFolds`]: a fold count to use where
/// there is one (at least 2), else what to do with the class.
fn too_many_folds(n_splits: usize, class: &str, count: usize) -> String {
    if count >= 2 {
        format!("{n_splits} folds but class {class} has only {count} rows: use at most {count} folds, or merge rare classes")
    } else {
        format!(
            "class {class} has only {count} row{}: cross-validation needs at least 2 rows in every class; \
             drop that class or merge it with another",
            if count == 1 { "" } else { "s" }
        )
    }
}

impl EvalError {
    /// This error, said of `method`.
    pub fn context(self, method: &str) -> EvalError {
        EvalError::Method {
            method: method.to_string(),
            source: Box::new(self),
        }
    }
}
