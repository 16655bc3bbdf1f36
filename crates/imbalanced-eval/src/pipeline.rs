//! preprocessing -> sampler -> classifier, fitted on training rows only.
//!
//! The leak is impossible by construction: [`Pipeline::fit`] takes the
//! training rows and nothing else, and the [`FittedPipeline`] it returns
//! holds no sampler, so predicting cannot resample.

use std::sync::Arc;

use imbalanced_data::Dataset;
use imbalanced_models::{AnyClassifier, Fit, FittedOneHot, FittedScaler, OneHotEncoder, Predict, StandardScaler};
use imbalanced_resample::Resampler;
use ndarray::{concatenate, Array2, ArrayView2, Axis};

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
        let scaler = if self.scale {
            Some(StandardScaler.fit(train.numeric())?)
        } else {
            None
        };
        let scaled;
        let mut data = train;
        if let Some(s) = &scaler {
            scaled = train.with_rows(
                s.transform(train.numeric())?,
                train.categorical().to_owned(),
                train.y().to_vec(),
            )?;
            data = &scaled;
        }
        let resampled;
        if let Some(sampler) = &self.sampler {
            resampled = sampler.fit_resample_dataset(data)?;
            data = &resampled;
        }
        let encoder = OneHotEncoder.fit(data.categorical());
        let x = encode(data.numeric(), data.categorical(), &encoder)?;
        let model = self.model.fit(x.view(), data.y(), train.classes().len())?;
        Ok(FittedPipeline { scaler, encoder, model })
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

/// A fitted pipeline: the fitted scaler, encoder and classifier. It has no
/// sampler: resampling belongs to fitting only.
pub struct FittedPipeline {
    scaler: Option<FittedScaler>,
    encoder: FittedOneHot,
    model: Box<dyn Predict>,
}

impl FittedPipeline {
    fn transform(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        match &self.scaler {
            Some(s) => encode(s.transform(data.numeric())?.view(), data.categorical(), &self.encoder),
            None => encode(data.numeric(), data.categorical(), &self.encoder),
        }
    }

    /// Class probabilities of `data`'s rows.
    pub fn predict_proba(&self, data: &Dataset) -> Result<Array2<f64>, EvalError> {
        Ok(self.model.predict_proba(self.transform(data)?.view())?)
    }

    /// Predicted class codes of `data`'s rows.
    pub fn predict(&self, data: &Dataset) -> Result<Vec<usize>, EvalError> {
        Ok(self.model.predict(self.transform(data)?.view())?)
    }
}
