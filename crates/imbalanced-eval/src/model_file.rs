//! The model file: a fitted pipeline with the schema it reads and the
//! steps after it, as versioned JSON.
//!
//! ```json
//! {"format": "imbalanced-pipeline", "version": "0.1.0", "method": "SMOTE",
//!  "method_params": {...}, "target": "Class", "classes": ["negative", "positive"],
//!  "numeric": ["f0", ...], "categorical": [{"name": "colour", "categories": ["blue", "red"]}],
//!  "pipeline": {"scaler": {...}, "sampler": "SMOTE", "model_params": {...},
//!               "encoder": {...}, "model": {"model": "LogisticRegression", ...}},
//!  "post": {"calibration": null, "thresholds": null}}
//! ```
//!
//! `version` is the crate version that wrote the file; a file of a newer
//! major version (minor, while the major is 0) is refused. Loading checks
//! everything against everything else ([`imbalanced_models::persist`]).

use std::path::Path;

use imbalanced_data::{DataError, Dataset, FeatureKind, ReadOptions};
use imbalanced_models::persist::Validate;
use imbalanced_models::Predict;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use imbalanced_models::ThresholdObjective;

use crate::{train_test_split, CalibrationChoice, CalibrationReport, EvalError, FittedPipeline, PostProcessing};

/// The `format` of a model file.
pub const FORMAT: &str = "imbalanced-pipeline";
/// The version written into new files: this crate's.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// A categorical input column and the categories the training data had,
/// in the order of its codes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoricalColumn {
    pub name: String,
    pub categories: Vec<String>,
}

/// A saved pipeline. Build it with [`ModelFile::new`], read it with
/// [`ModelFile::from_json`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelFile {
    pub format: String,
    pub version: String,
    /// The method's name as `evaluate` reports it (`none`, `balanced`, a
    /// sampler or a loss).
    pub method: String,
    /// The sampler's parameters, where the method is a sampler built from
    /// the catalogue.
    pub method_params: Value,
    pub target: String,
    pub classes: Vec<String>,
    pub numeric: Vec<String>,
    pub categorical: Vec<CategoricalColumn>,
    pub pipeline: FittedPipeline,
    pub post: PostProcessing,
}

fn corrupt(message: impl Into<String>) -> EvalError {
    EvalError::ModelFile(message.into())
}

/// `(major, minor)` of a version, the part that must not be newer.
fn compatibility(version: &str) -> Option<(u64, u64)> {
    let mut parts = version.split('.').map(|p| p.parse::<u64>().ok());
    let (major, minor) = (parts.next()??, parts.next()??);
    Some(if major == 0 { (0, minor) } else { (major, 0) })
}

/// What is worth telling about data that [`ModelFile::check_schema`] accepted.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchemaReport {
    /// The input columns come in another order than in training; they are
    /// found by name.
    pub reordered: bool,
    /// Labels in the data's target column that the model does not know,
    /// with their row counts: no prediction can match them.
    pub unknown_labels: Vec<(String, usize)>,
}

impl SchemaReport {
    /// What to tell the user about the data, one message each; `classes`
    /// are the model's labels.
    pub fn messages(&self, classes: &[String]) -> Vec<String> {
        let mut out = Vec::new();
        if self.reordered {
            out.push("the columns are in another order than in training; they were matched by name".to_string());
        }
        for (label, n) in &self.unknown_labels {
            let rows = if *n == 1 {
                "1 row has".to_string()
            } else {
                format!("{n} rows have")
            };
            out.push(format!(
                "{rows} the label {label:?}, which the model does not know (it knows {}); no prediction can match it",
                classes.join(", ")
            ));
        }
        out
    }
}

/// What [`ModelFile::predict`] gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Predicted {
    /// Calibrated class probabilities, columns in the order of the model's classes.
    pub proba: Array2<f64>,
    /// Decisions: codes into the model's classes.
    pub decisions: Vec<usize>,
    /// What is worth telling about the data.
    pub schema: SchemaReport,
}

/// A list of names for a message: the first few, then how many more.
fn some_of(names: &[&str]) -> String {
    let shown: Vec<String> = names.iter().take(5).map(|n| format!("{n:?}")).collect();
    match names.len() {
        n if n > 5 => format!("{} and {} more", shown.join(", "), n - 5),
        _ => shown.join(", "),
    }
}

/// What [`ModelFile::train`] fits after the pipeline, on held-out rows.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOut {
    pub calibrate: Option<CalibrationChoice>,
    pub threshold: Option<ThresholdObjective>,
    /// The share of each class held out (`imbalanced train` holds out 0.2).
    pub fraction: f64,
    /// Seed of the stratified split.
    pub seed: u64,
}

/// A model file as [`ModelFile::train`] made it, with what to tell the user.
#[derive(Debug)]
pub struct Trained {
    pub file: ModelFile,
    /// Rows the pipeline was fitted on.
    pub rows: usize,
    /// Rows held out for the post-processing (0 without it).
    pub held_out: usize,
    /// Calibration errors on the held-out rows, before and after.
    pub calibration: Option<CalibrationReport>,
}

impl ModelFile {
    /// Trains a model file on `data`: when `post` asks for calibration or
    /// thresholds, a stratified share of each class is held out first
    /// (before any sampler sees the rows), `fit` fits the pipeline on the
    /// rest, and the post-processing is fitted on the held-out rows'
    /// predictions.
    pub fn train<E: From<EvalError>>(
        data: &Dataset,
        method: &str,
        method_params: Value,
        post: &HeldOut,
        fit: impl FnOnce(&Dataset) -> Result<FittedPipeline, E>,
    ) -> Result<Trained, E> {
        if post.calibrate.is_none() && post.threshold.is_none() {
            let file = ModelFile::new(data, method, method_params, fit(data)?, PostProcessing::default());
            return Ok(Trained {
                file,
                rows: data.n_samples(),
                held_out: 0,
                calibration: None,
            });
        }
        let split = train_test_split(data.y(), post.fraction, post.seed)?;
        let (train, held) = (data.select_rows(&split.train), data.select_rows(&split.test));
        let mut file = ModelFile::new(&train, method, method_params, fit(&train)?, PostProcessing::default());
        let proba = file.predict_proba(&held)?;
        let (fitted, calibration) = PostProcessing::fit(proba.view(), held.y(), post.calibrate, post.threshold)?;
        file.post = fitted;
        Ok(Trained {
            file,
            rows: train.n_samples(),
            held_out: held.n_samples(),
            calibration,
        })
    }

    /// The file of `pipeline`, fitted on data with `train`'s schema.
    pub fn new(
        train: &Dataset,
        method: &str,
        method_params: Value,
        pipeline: FittedPipeline,
        post: PostProcessing,
    ) -> Self {
        let mut categories = train.categories().iter();
        let categorical = train
            .features()
            .iter()
            .filter(|f| f.kind == FeatureKind::Categorical)
            .map(|f| CategoricalColumn {
                name: f.name.clone(),
                categories: categories.next().cloned().unwrap_or_default(),
            })
            .collect();
        ModelFile {
            format: FORMAT.into(),
            version: VERSION.into(),
            method: method.into(),
            method_params,
            target: train.target_name().into(),
            classes: train.classes().to_vec(),
            numeric: train.numeric_names().map(str::to_string).collect(),
            categorical,
            pipeline,
            post,
        }
    }

    /// The file as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model file serialises")
    }

    /// Reads and checks a model file; errors name the field that is wrong.
    pub fn from_json(text: &str) -> Result<Self, EvalError> {
        let value: Value = serde_json::from_str(text).map_err(|e| corrupt(format!("not JSON ({e})")))?;
        if value["format"] != FORMAT {
            return Err(corrupt(format!(
                "format {} is not {FORMAT:?}: not a pipeline written by `imbalanced train`",
                value["format"]
            )));
        }
        let version = value["version"].as_str().unwrap_or("");
        match (compatibility(version), compatibility(VERSION)) {
            (Some(file), Some(ours)) if file <= ours => {}
            (Some(_), _) => {
                return Err(corrupt(format!(
                    "written by imbalanced {version}, newer than this {VERSION}: upgrade imbalanced to read it"
                )))
            }
            (None, _) => return Err(corrupt(format!("version {:?} is not a version", value["version"]))),
        }
        let file: ModelFile = imbalanced_catalog::from_params(value).map_err(|e| corrupt(e.replace('\u{0}', ": ")))?;
        file.check().map_err(corrupt)?;
        Ok(file)
    }

    fn check(&self) -> Result<(), String> {
        self.pipeline.validate().map_err(|e| format!("pipeline.{e}"))?;
        let n_classes = self.pipeline.model().n_classes();
        if self.classes.len() < 2 || self.classes.len() != n_classes {
            return Err(format!(
                "classes: {} labels for a model of {n_classes} classes",
                self.classes.len()
            ));
        }
        let (numeric, onehot) = self.pipeline.n_inputs();
        if numeric != self.numeric.len() {
            return Err(format!(
                "numeric: {} columns for a model of {numeric} numeric inputs",
                self.numeric.len()
            ));
        }
        let encoder = self.pipeline.encoder();
        if encoder.categories.len() != self.categorical.len() || encoder.n_outputs() != onehot {
            return Err(format!(
                "categorical: {} columns for an encoder of {}",
                self.categorical.len(),
                encoder.categories.len()
            ));
        }
        for (column, codes) in self.categorical.iter().zip(&encoder.categories) {
            if codes.iter().any(|&c| c as usize >= column.categories.len()) {
                return Err(format!("categorical: {} has codes beyond its categories", column.name));
            }
        }
        self.post.check(n_classes)
    }

    /// How to read data for this model: `base` (the file's delimiter,
    /// columns to leave out, ...) with the model's target column, and its
    /// categorical columns as categorical whatever their values look like.
    pub fn read_options(&self, base: ReadOptions) -> ReadOptions {
        ReadOptions {
            target: Some(self.target.clone()),
            categorical: self.categorical.iter().map(|c| c.name.clone()).collect(),
            ..base
        }
    }

    /// Reads data to predict, as [`ModelFile::read_options`] says: with
    /// the model's target column its labels come along (so predictions can
    /// be scored); a file without it is read as unlabelled.
    pub fn read_data(&self, path: &Path, base: ReadOptions) -> Result<Dataset, EvalError> {
        let opts = self.read_options(base);
        Ok(match imbalanced_data::read(path, &opts) {
            Err(DataError::UnknownColumn { name, .. }) if name == self.target => imbalanced_data::read(
                path,
                &ReadOptions {
                    unlabelled: true,
                    ..opts
                },
            )?,
            other => other?,
        })
    }

    /// Checks `data` against what the model was trained on: every input
    /// column present, numeric where it was numeric, no column the model
    /// does not know (a leak or a mix-up: leave it out of the file), and
    /// only categories the model has seen (scikit-learn's OneHotEncoder
    /// refuses unknown categories by default too). What does not stop a
    /// prediction (columns in another order, labels the model does not
    /// know) is reported.
    pub fn check_schema(&self, data: &Dataset) -> Result<SchemaReport, EvalError> {
        let schema = |m: String| EvalError::Schema(m);
        let known =
            |name: &str| self.numeric.iter().any(|n| n == name) || self.categorical.iter().any(|c| c.name == name);
        let extra: Vec<&str> = data
            .features()
            .iter()
            .map(|f| f.name.as_str())
            .filter(|n| !known(n))
            .collect();
        if !extra.is_empty() {
            let (noun, verb) = if extra.len() == 1 {
                ("column", "was")
            } else {
                ("columns", "were")
            };
            return Err(schema(format!(
                "{noun} {} {verb} not among the model's inputs; leave {} out of the data",
                some_of(&extra),
                if extra.len() == 1 { "it" } else { "them" }
            )));
        }
        for name in &self.numeric {
            match data.features().iter().find(|f| f.name == *name) {
                None => return Err(schema(format!("the model's numeric input {name:?} is missing"))),
                Some(f) if f.kind == FeatureKind::Categorical => {
                    return Err(schema(format!(
                        "{name:?} was numeric in training but holds text here (e.g. {:?})",
                        data.categories()[f.index].first().map_or("", String::as_str)
                    )))
                }
                Some(_) => {}
            }
        }
        for column in &self.categorical {
            let Some(f) = data.features().iter().find(|f| f.name == column.name) else {
                return Err(schema(format!(
                    "the model's categorical input {:?} is missing",
                    column.name
                )));
            };
            let mut counts = vec![0usize; data.categories()[f.index].len()];
            data.categorical()
                .column(f.index)
                .iter()
                .for_each(|&c| counts[c as usize] += 1);
            let unseen: Vec<&str> = data.categories()[f.index]
                .iter()
                .zip(&counts)
                .filter(|(c, &n)| n > 0 && !column.categories.contains(c))
                .map(|(c, _)| c.as_str())
                .collect();
            if !unseen.is_empty() {
                let knows: Vec<&str> = column.categories.iter().map(String::as_str).collect();
                return Err(schema(format!(
                    "column {:?} has categories the model never saw: {}; it knows {}",
                    column.name,
                    some_of(&unseen),
                    some_of(&knows)
                )));
            }
        }
        let order = |kind: FeatureKind| {
            data.features()
                .iter()
                .filter(move |f| f.kind == kind)
                .map(|f| f.name.as_str())
        };
        let reordered = !order(FeatureKind::Numeric).eq(self.numeric.iter().map(String::as_str))
            || !order(FeatureKind::Categorical).eq(self.categorical.iter().map(|c| c.name.as_str()));
        let counts = data.class_counts();
        let unknown_labels = if data.is_labelled() {
            data.classes()
                .iter()
                .zip(counts)
                .filter(|(label, n)| *n > 0 && !self.classes.contains(label))
                .map(|(label, n)| (label.clone(), n))
                .collect()
        } else {
            Vec::new()
        };
        Ok(SchemaReport {
            reordered,
            unknown_labels,
        })
    }

    /// The model's inputs from `data`, found by column name (any order):
    /// numeric columns as they are, categories recoded to the training
    /// data's codes. The data must pass [`ModelFile::check_schema`].
    pub fn inputs(&self, data: &Dataset) -> Result<(Array2<f64>, Array2<u32>), EvalError> {
        self.check_schema(data)?;
        self.checked_inputs(data)
    }

    /// [`ModelFile::inputs`] of data that passed the schema check.
    fn checked_inputs(&self, data: &Dataset) -> Result<(Array2<f64>, Array2<u32>), EvalError> {
        let missing =
            |name: &str, kind: &str| EvalError::Schema(format!("the model's {kind} input {name:?} is missing"));
        let numeric_names: Vec<&str> = data.numeric_names().collect();
        let numeric_cols = self
            .numeric
            .iter()
            .map(|n| {
                numeric_names
                    .iter()
                    .position(|h| h == n)
                    .ok_or_else(|| missing(n, "numeric"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let numeric = data.numeric().select(Axis(1), &numeric_cols);
        let categorical_names: Vec<&str> = data
            .features()
            .iter()
            .filter(|f| f.kind == FeatureKind::Categorical)
            .map(|f| f.name.as_str())
            .collect();
        let mut categorical = Array2::zeros((data.n_samples(), self.categorical.len()));
        for (j, column) in self.categorical.iter().enumerate() {
            let k = categorical_names
                .iter()
                .position(|h| *h == column.name)
                .ok_or_else(|| missing(&column.name, "categorical"))?;
            let recode: Vec<u32> = data.categories()[k]
                .iter()
                .map(|c| {
                    column
                        .categories
                        .iter()
                        .position(|t| t == c)
                        .map_or(u32::MAX, |p| p as u32)
                })
                .collect();
            for (out, &code) in categorical.column_mut(j).iter_mut().zip(data.categorical().column(k)) {
                *out = recode[code as usize];
            }
        }
        Ok((numeric, categorical))
    }

    /// Calibrated class probabilities of `data`'s rows (columns in the
    /// order of [`ModelFile::classes`]).
    pub fn predict_proba(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        self.check_schema(data)?;
        self.checked_proba(data)
    }

    fn checked_proba(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        let (numeric, categorical) = self.checked_inputs(data)?;
        let proba = self.pipeline.predict_proba_parts(numeric.view(), categorical.view())?;
        Ok(self.post.calibrate(proba.view()))
    }

    /// Predicts `data`: the schema checked once, then probabilities and
    /// decisions ([`ModelFile::predict_proba`], [`ModelFile::decide`]).
    pub fn predict(&self, data: &Dataset) -> Result<Predicted, EvalError> {
        let schema = self.check_schema(data)?;
        let proba = self.checked_proba(data)?;
        let decisions = self.decide(proba.view());
        Ok(Predicted {
            proba,
            decisions,
            schema,
        })
    }

    /// Decisions from [`ModelFile::predict_proba`]'s output: tuned
    /// thresholds, else the most probable class (codes into `classes`).
    pub fn decide(&self, proba: ndarray::ArrayView2<'_, f64>) -> Vec<usize> {
        self.post.decide(proba)
    }
}
