//! Learning from class-imbalanced data.
//!
//! The facade over the workspace's crates:
//!
//! * [`catalog`]: every estimator's name, parameters and defaults, and
//!   building estimators by name from parameter values;
//! * [`data`]: the [`Dataset`](data::Dataset) type and CSV / KEEL / ARFF
//!   (and, with the `parquet` feature, Parquet) readers and writers;
//! * [`neighbors`]: exact k-nearest-neighbour search;
//! * [`resample`]: every imbalanced-learn sampler behind the
//!   [`Resampler`](resample::Resampler) trait, with NumPy-parity randomness;
//! * [`diagnose`]: class counts, imbalance ratio and sample difficulty;
//! * [`relational`]: a parent table and its child tables flattened into
//!   per-relation aggregate blocks, for `RelationalSMOTE`;
//! * [`models`]: classifiers with scikit-learn's defaults (logistic
//!   regression, k-NN, CART, random forest, Gaussian naive Bayes, softmax
//!   regression and an MLP with any loss) and the catalogue of every
//!   classifier by name;
//! * [`boosting`]: AdaBoost (SAMME) and histogram gradient boosting with
//!   any loss that has a Newton form, as scikit-learn's;
//! * [`ensemble`]: balanced ensembles with imbalanced-learn's semantics
//!   (balanced random forest, balanced bagging, RUSBoost, EasyEnsemble);
//! * [`losses`]: imbalance-aware losses with closed-form gradients and
//!   focal-entropy tools;
//! * [`scores`]: metrics equal to scikit-learn's and imbalanced-learn's;
//! * [`eval`]: stratified splitters, leak-free pipelines, cross-validated
//!   comparisons, rankings and HTML reports;
//! * [`explain`]: exact attributions (linear SHAP, path-dependent TreeSHAP),
//!   equal to shap's;
//! * [`active`]: pool-based active learning (uncertainty, coreset, BADGE,
//!   FairFAL's class-balanced query) and its learning curves;
//! * [`random`]: NumPy's `Generator` and `RandomState`, bit-identical;
//! * [`federated`]: flwr-datasets' partitioners (Dirichlet, pathological,
//!   shard, ...), identical for the same seed, and a dataset's split over
//!   clients as files;
//! * [`charts`]: the charts of the reports and of `inspect --plot` (SVG, PNG).
//!
//! ```
//! use imbalanced::prelude::*;
//! use ndarray::array;
//!
//! let x = array![[0.0, 0.0], [0.1, 0.2], [0.2, 0.1], [0.3, 0.3], [1.0, 1.0], [1.1, 0.9]];
//! let data = Dataset::from_numeric(x, &["maj", "maj", "maj", "maj", "min", "min"])?;
//! let smote = Smote::default().k_neighbors(1).random_state(7);
//! let balanced = smote.fit_resample_dataset(&data)?;
//! assert_eq!(balanced.class_counts(), vec![4, 4]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![forbid(unsafe_code)]

pub use imbalanced_active as active;
pub use imbalanced_boosting as boosting;
pub use imbalanced_catalog as catalog;
pub use imbalanced_charts as charts;
pub use imbalanced_data as data;
pub use imbalanced_diagnose as diagnose;
pub use imbalanced_ensemble as ensemble;
pub use imbalanced_eval as eval;
pub use imbalanced_explain as explain;
pub use imbalanced_federated as federated;
pub use imbalanced_losses as losses;
pub use imbalanced_random as random;
pub use imbalanced_relational as relational;

/// Every classifier: the models of `imbalanced-models` and, by name, the
/// catalogue of all classifiers with the balanced ensembles
/// ([`MODELS`](models::MODELS), [`AnyClassifier`](models::AnyClassifier),
/// [`FittedModel`](models::FittedModel), from `imbalanced-classifiers`).
pub mod models {
    pub use imbalanced_classifiers::{AnyClassifier, FittedModel, MODELS};
    pub use imbalanced_models::*;
}
pub use imbalanced_neighbors as neighbors;
pub use imbalanced_resample as resample;
pub use imbalanced_scores as scores;

/// The names most programs need: reading and writing data, every sampler
/// with its parameter types, the models, evaluation, and ndarray's `array!`
/// and array types for data built in code.
pub mod prelude {
    pub use imbalanced_classifiers::AnyClassifier;
    pub use imbalanced_data::{bundled, bundled_names, read, write, Dataset, ReadOptions};
    pub use imbalanced_diagnose::{profile, Difficulty, Profile};
    pub use imbalanced_eval::{evaluate, EvaluateOptions, Method, Pipeline, StratifiedKFold};
    pub use imbalanced_models::{ClassWeight, Fit, LogisticRegression, Predict};
    pub use imbalanced_resample::{
        Adasyn, AllKnn, BorderlineKind, BorderlineSmote, ClusterCentroids, CondensedNearestNeighbour,
        EditedNearestNeighbours, InstanceHardnessThreshold, KMeansSmote, KindSel, Named, NearMiss,
        NeighbourhoodCleaningRule, OneSidedSelection, RandomOverSampler, RandomUnderSampler,
        RepeatedEditedNearestNeighbours, Resampled, Resampler, RngKind, SamplingStrategy, Shrinkage, Smote, SmoteEnn,
        SmoteN, SmoteNc, SmoteTomek, SvmSmote, TomekLinks, Voting,
    };
    pub use ndarray::{array, Array1, Array2, ArrayView2};
}

/// The README's Rust examples, compiled and run as doc tests.
#[doc = include_str!("../../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
