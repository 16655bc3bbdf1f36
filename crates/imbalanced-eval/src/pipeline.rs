//! preprocessing -> sampler -> classifier, fitted on training rows only.
//!
//! The leak is impossible by construction: [`Pipeline::fit`] takes the
//! training rows and nothing else, and the [`FittedPipeline`] it returns
//! holds no sampler, so predicting cannot resample.

use std::sync::Arc;

use imbalanced_classifiers::{AnyClassifier, FittedModel};
use imbalanced_data::{take_rows, Dataset, Xy};
use imbalanced_models::persist::Validate;
use imbalanced_models::{
    EpochReport, FittedOneHot, FittedScaler, ModelError, OneHotEncoder, Predict, ProportionSsl, StandardScaler,
};
use imbalanced_resample::{ResampleError, Resampler};
use ndarray::{concatenate, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::EvalError;

/// A pipeline's steps. Numeric features are standardised (fitted on the
/// training rows), the sampler resamples the training rows (categorical
/// columns still as codes, so SMOTENC sees them), then categorical columns
/// are one-hot encoded and the classifier is fitted.
#[derive(Clone)]
pub struct Pipeline {
    /// Standardise numeric features. Default: true.
    pub scale: bool,
    /// Applied to training rows only. Default: none.
    pub sampler: Option<Arc<dyn Resampler>>,
    pub model: AnyClassifier,
}

impl Pipeline {
    /// A scaling pipeline around `model`, without a sampler.
    pub fn new(model: AnyClassifier) -> Self {
        Pipeline {
            scale: true,
            sampler: None,
            model,
        }
    }

    /// Sets the sampler.
    #[must_use]
    pub fn sampler(mut self, sampler: Arc<dyn Resampler>) -> Self {
        self.sampler = Some(sampler);
        self
    }

    /// Sets `scale`.
    #[must_use]
    pub fn scale(mut self, scale: bool) -> Self {
        self.scale = scale;
        self
    }

    /// Fits every step on `train`.
    pub fn fit(&self, train: &Dataset) -> Result<FittedPipeline, EvalError> {
        self.fit_with_progress(train, &mut |_| {})
    }

    /// [`Pipeline::fit`], reporting the classifier's epochs (MLP) to `progress`.
    pub fn fit_with_progress(
        &self,
        train: &Dataset,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedPipeline, EvalError> {
        let all: Vec<usize> = (0..train.y().len()).collect();
        self.fit_rows(train, &all, progress)
    }

    /// Fits every step on the rows `rows` of `data` (a fold's training
    /// rows), copying them once: the copy is scaled in place, and the
    /// sampler and the model take it as a checked view, scanning for
    /// non-finite values only what a sampler synthesised.
    pub fn fit_rows(
        &self,
        data: &Dataset,
        rows: &[usize],
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedPipeline, EvalError> {
        let mut numeric = take_rows(data.numeric(), rows);
        let categorical = take_rows(data.categorical(), rows);
        let y: Vec<usize> = rows.iter().map(|&i| data.y()[i]).collect();
        let scaler = if self.scale {
            let s = StandardScaler.fit_finite(numeric.view())?;
            s.transform_inplace(&mut numeric)?;
            Some(s)
        } else {
            None
        };
        let k = data.classes().len();
        if data.has_categorical() {
            // The sampler sees category codes (SMOTENC), the model one-hot columns.
            let mut fold = data.with_derived_rows(numeric, categorical, y)?;
            let mut used = None;
            if let Some(sampler) = &self.sampler {
                let variant = sampler.categorical_variant(&fold);
                let sampler = variant.as_deref().unwrap_or(sampler.as_ref());
                fold = sampler.fit_resample_dataset(&fold)?;
                used = Some(sampler.name());
            }
            let encoder = OneHotEncoder.fit(fold.categorical());
            let x = encode(fold.numeric(), fold.categorical(), &encoder)?;
            let xy = Xy::trusted(x.view(), fold.y(), k).map_err(ModelError::from)?;
            let model = self.model.fit_with_progress(xy, progress)?;
            return Ok(self.fitted(used, scaler, encoder, model));
        }
        let resampled = match &self.sampler {
            Some(sampler) => {
                let xy = Xy::trusted(numeric.view(), &y, k).map_err(ResampleError::from)?;
                Some(sampler.fit_resample_checked(xy, data.classes())?)
            }
            None => None,
        };
        // Rows picked from the input stay finite; synthetic ones are new values.
        let xy = match &resampled {
            None => Xy::trusted(numeric.view(), &y, k),
            Some(out) if out.n_synthetic() == 0 => Xy::trusted(out.x.view(), &out.y, k),
            Some(out) => Xy::unscanned(out.x.view(), &out.y, k),
        }
        .map_err(ModelError::from)?;
        let model = self.model.fit_with_progress(xy, progress)?;
        let used = self.sampler.as_ref().map(|s| s.name());
        Ok(self.fitted(used, scaler, OneHotEncoder.fit(categorical.view()), model))
    }

    /// The fitted steps, with the name of the sampler that ran and the model's parameters.
    fn fitted(
        &self,
        sampler: Option<&str>,
        scaler: Option<FittedScaler>,
        encoder: FittedOneHot,
        model: FittedModel,
    ) -> FittedPipeline {
        FittedPipeline {
            scaler,
            sampler: sampler.map(str::to_string),
            model_params: self.model.params(),
            encoder,
            model,
        }
    }
}

impl Pipeline {
    /// Fits the scaler and the pipeline's MLP on `train`, the MLP also on
    /// `unlabelled` rows (the same numeric columns, found by name) through
    /// the proportion loss of `ssl`. Numeric features only, no sampler.
    pub fn fit_semi_supervised(
        &self,
        train: &Dataset,
        unlabelled: &Dataset,
        ssl: &ProportionSsl,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedPipeline, EvalError> {
        let AnyClassifier::Mlp(mlp) = &self.model else {
            return Err(EvalError::Invalid(
                "semi-supervised training is for the MLP only".into(),
            ));
        };
        if self.sampler.is_some() || train.has_categorical() {
            return Err(EvalError::Invalid(
                "semi-supervised training takes numeric features and no sampler".into(),
            ));
        }
        let pool: Vec<&str> = unlabelled.numeric_names().collect();
        let cols = train
            .numeric_names()
            .map(|n| {
                pool.iter().position(|h| *h == n).ok_or_else(|| {
                    EvalError::Invalid(format!(
                        "the unlabelled rows have no column {n:?}, which the model needs"
                    ))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let scaler = if self.scale {
            Some(StandardScaler.fit(train.numeric())?)
        } else {
            None
        };
        let scaled = |x: ArrayView2<'_, f64>| -> Result<Array2<f64>, EvalError> {
            Ok(match &scaler {
                Some(s) => s.transform(x)?,
                None => x.to_owned(),
            })
        };
        let x = scaled(train.numeric())?;
        let xu = scaled(unlabelled.numeric().select(Axis(1), &cols).view())?;
        let k = train.classes().len();
        let f = mlp.fit_semi_supervised(x.view(), train.y(), k, xu.view(), ssl, progress)?;
        let p = self.fitted(
            self.sampler.as_ref().map(|s| s.name()),
            scaler,
            OneHotEncoder.fit(train.categorical()),
            FittedModel::Mlp(f),
        );
        p.validate().map_err(EvalError::ModelFile)?;
        Ok(p)
    }
}

/// Numeric columns followed by the one-hot columns of the categorical ones.
fn encode(
    numeric: ArrayView2<'_, f64>,
    categorical: ArrayView2<'_, u32>,
    encoder: &FittedOneHot,
) -> Result<Array2<f64>, EvalError> {
    if categorical.ncols() == 0 {
        return Ok(numeric.to_owned());
    }
    let onehot = encoder.transform(categorical)?;
    Ok(concatenate(Axis(1), &[numeric, onehot.view()]).expect("same row count"))
}

/// A fitted pipeline: the fitted scaler, encoder and classifier. It holds
/// no sampler (resampling belongs to fitting only), just its name, and the
/// classifier's parameters, to say what was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedPipeline {
    scaler: Option<FittedScaler>,
    sampler: Option<String>,
    model_params: serde_json::Value,
    encoder: FittedOneHot,
    model: FittedModel,
}

impl Validate for FittedPipeline {
    /// Each step's own checks, and that they fit together: the scaler's
    /// width, plus the one-hot columns, is the model's.
    fn validate(&self) -> Result<(), String> {
        if let Some(s) = &self.scaler {
            s.validate().map_err(|e| format!("scaler.{e}"))?;
        }
        self.encoder.validate().map_err(|e| format!("encoder.{e}"))?;
        self.model.validate().map_err(|e| format!("model.{e}"))?;
        if let Some(s) = &self.scaler {
            let want = s.mean.len() + self.encoder.n_outputs();
            if want != self.model.n_features() {
                return Err(format!(
                    "model: fitted on {} features but the scaler and encoder give {want}",
                    self.model.n_features()
                ));
            }
        }
        Ok(())
    }
}

impl FittedPipeline {
    /// The fitted classifier.
    pub fn model(&self) -> &FittedModel {
        &self.model
    }

    /// The classifier's parameters, as the catalogue builds it.
    pub fn model_params(&self) -> &serde_json::Value {
        &self.model_params
    }

    /// The fitted one-hot encoder of the categorical columns.
    pub fn encoder(&self) -> &FittedOneHot {
        &self.encoder
    }

    /// The sampler applied to the training rows, if any.
    pub fn sampler(&self) -> Option<&str> {
        self.sampler.as_deref()
    }

    /// The number of numeric and of one-hot input columns the model takes.
    pub fn n_inputs(&self) -> (usize, usize) {
        let onehot = self.encoder.n_outputs();
        (self.model.n_features() - onehot.min(self.model.n_features()), onehot)
    }

    /// The model's input columns of each categorical column's levels (its
    /// one-hot group), after the numeric columns.
    pub fn onehot_groups(&self) -> Vec<std::ops::Range<usize>> {
        let mut start = self.n_inputs().0;
        self.encoder
            .categories
            .iter()
            .map(|levels| {
                start += levels.len();
                start - levels.len()..start
            })
            .collect()
    }

    /// The model's input for `data`'s rows: scaled numeric columns, then
    /// the one-hot columns of the categorical ones (what the attributions
    /// of a model are over).
    pub fn inputs(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        self.transform(data.numeric(), data.categorical())
    }

    /// The names of the model's input columns for data coded as `data`: the
    /// numeric columns' names, then `column=category` per one-hot column.
    pub fn input_names(&self, data: &Dataset) -> Vec<String> {
        let mut categorical: Vec<&imbalanced_data::Feature> = data
            .features()
            .iter()
            .filter(|f| f.kind == imbalanced_data::FeatureKind::Categorical)
            .collect();
        categorical.sort_by_key(|f| f.index);
        let categorical: Vec<&str> = categorical.iter().map(|f| f.name.as_str()).collect();
        let mut names: Vec<String> = data.numeric_names().map(String::from).collect();
        for (j, codes) in self.encoder.categories.iter().enumerate() {
            for &code in codes {
                let level = data.categories().get(j).and_then(|c| c.get(code as usize));
                names.push(format!(
                    "{}={}",
                    categorical.get(j).copied().unwrap_or("?"),
                    level.map_or("?", String::as_str)
                ));
            }
        }
        names
    }

    /// The model's input: scaled numeric columns, then the one-hot columns
    /// of the categorical codes (of the training data's coding).
    fn transform(
        &self,
        numeric: ArrayView2<'_, f64>,
        categorical: ArrayView2<'_, u32>,
    ) -> Result<Array2<f64>, EvalError> {
        match &self.scaler {
            Some(s) => encode(s.transform(numeric)?.view(), categorical, &self.encoder),
            None => encode(numeric, categorical, &self.encoder),
        }
    }

    /// Class probabilities of rows given as numeric columns and category
    /// codes, in the order and coding of the training data.
    pub fn predict_proba_parts(
        &self,
        numeric: ArrayView2<'_, f64>,
        categorical: ArrayView2<'_, u32>,
    ) -> Result<Array2<f64>, EvalError> {
        Ok(self.model.predict_proba(self.transform(numeric, categorical)?.view())?)
    }

    /// Class probabilities of `data`'s rows.
    pub fn predict_proba(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        self.predict_proba_parts(data.numeric(), data.categorical())
    }

    /// Predicted class codes of `data`'s rows.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<usize>, EvalError> {
        Ok(self
            .model
            .predict(self.transform(data.numeric(), data.categorical())?.view())?)
    }
}
