//! The multi-label model file: an MLP with one sigmoid per label column,
//! its scaler and its column names (format `imbalanced-multilabel`).

use std::path::Path;

use imbalanced_data::{Dataset, ReadOptions};
use imbalanced_losses::LossSpec;
use imbalanced_models::persist::Validate;
use imbalanced_models::{EpochReport, FittedMlp, FittedScaler, MlpClassifier, Predict, StandardScaler};
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::model_file::VERSION;
use crate::EvalError;

/// The `format` of a multi-label model file.
pub const FORMAT: &str = "imbalanced-multilabel";

/// A saved multi-label MLP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MultiLabelFile {
    pub format: String,
    pub version: String,
    pub loss: LossSpec,
    /// The feature columns, in the network's input order.
    pub features: Vec<String>,
    /// The label columns, in the network's output order.
    pub labels: Vec<String>,
    pub scaler: Option<FittedScaler>,
    pub network: FittedMlp,
}

fn scaled(scaler: &Option<FittedScaler>, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, EvalError> {
    Ok(match scaler {
        Some(s) => s.transform(x)?,
        None => x.to_owned(),
    })
}

impl MultiLabelFile {
    /// Fits `mlp` with `loss` on `data`, whose numeric columns `labels`
    /// (0 or 1) are the targets and the other numeric columns the features;
    /// standardised first when `scale`.
    pub fn fit(
        data: &Dataset,
        labels: &[String],
        mlp: &MlpClassifier,
        loss: &LossSpec,
        scale: bool,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<Self, EvalError> {
        let names: Vec<&str> = labels.iter().map(String::as_str).collect();
        let (features, targets) = data.take_numeric_columns(&names)?;
        if let Some(((row, column), v)) = targets.indexed_iter().find(|(_, v)| **v != 0.0 && **v != 1.0) {
            return Err(EvalError::Invalid(format!(
                "label column {:?} has {v} on data row {}; label columns hold 0 or 1",
                names[column],
                row + 1
            )));
        }
        let scaler = if scale {
            Some(StandardScaler.fit(features.numeric())?)
        } else {
            None
        };
        let x = scaled(&scaler, features.numeric())?;
        let mlp = MlpClassifier {
            loss: loss.clone(),
            ..mlp.clone()
        };
        let network = mlp.fit_multilabel(x.view(), targets.view(), progress)?;
        Ok(MultiLabelFile {
            format: FORMAT.into(),
            version: VERSION.into(),
            loss: loss.clone(),
            features: features.numeric_names().map(str::to_string).collect(),
            labels: labels.to_vec(),
            scaler,
            network,
        })
    }

    /// Reads a file for multi-label training or prediction: every column is
    /// a feature or a label column, all numeric.
    pub fn read_data(path: &Path, options: &ReadOptions) -> Result<Dataset, EvalError> {
        let data = imbalanced_data::read(
            path,
            &ReadOptions {
                unlabelled: true,
                ..options.clone()
            },
        )?;
        if data.has_categorical() {
            return Err(EvalError::Invalid(format!(
                "{}: multi-label training needs numeric features",
                path.display()
            )));
        }
        Ok(data)
    }

    /// Writes the predictions for `data` to `path`: `true_<label>` for the
    /// label columns `data` has, then `pred_<label>` and `proba_<label>`
    /// ([`imbalanced_data::write_multilabel_predictions`]). Returns the rows written.
    pub fn write_predictions(&self, data: &Dataset, path: &Path) -> Result<usize, EvalError> {
        let proba = self.predict_label_proba(data)?;
        let names: Vec<&str> = data.numeric_names().collect();
        let numeric = data.numeric();
        let truth: Vec<(&str, ndarray::ArrayView1<'_, f64>)> = self
            .labels
            .iter()
            .filter_map(|l| {
                names
                    .iter()
                    .position(|n| n == l)
                    .map(|j| (l.as_str(), numeric.column(j)))
            })
            .collect();
        imbalanced_data::write_multilabel_predictions(path, &self.labels, &truth, proba.view())?;
        Ok(proba.nrows())
    }

    /// Whether `text` is a multi-label model file.
    pub fn is_multilabel(text: &str) -> bool {
        serde_json::from_str::<serde_json::Value>(text).is_ok_and(|v| v["format"] == FORMAT)
    }

    /// The file as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a model file serialises")
    }

    /// Reads and checks a multi-label model file.
    pub fn from_json(text: &str) -> Result<Self, EvalError> {
        let bad = |e: String| EvalError::ModelFile(e);
        let m: MultiLabelFile = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
        m.network.validate().map_err(|e| bad(format!("network.{e}")))?;
        if let Some(s) = &m.scaler {
            s.validate().map_err(|e| bad(format!("scaler.{e}")))?;
            if s.mean.len() != m.features.len() {
                return Err(bad("scaler: not one value per feature".into()));
            }
        }
        if m.network.n_features() != m.features.len() || m.network.n_classes() != m.labels.len() {
            return Err(bad("network: inputs or outputs differ from features and labels".into()));
        }
        Ok(m)
    }

    /// Each label's probability for `data`'s rows (`n x labels`), the
    /// feature columns found by name.
    pub fn predict_label_proba(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        let names: Vec<&str> = data.numeric_names().collect();
        let cols =
            self.features
                .iter()
                .map(|f| {
                    names.iter().position(|n| n == f).ok_or_else(|| {
                        EvalError::Invalid(format!("the data has no column {f:?}, which the model needs"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
        let x = scaled(&self.scaler, data.numeric().select(Axis(1), &cols).view())?;
        Ok(self.network.predict_label_proba(x.view())?)
    }
}
