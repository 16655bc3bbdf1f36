//! The steps after the classifier, fitted on held-out rows and saved with
//! the pipeline: probability calibration and per-class decision thresholds.

use imbalanced_models::{
    argmax_rows, CalibrationMethod, OneVsRestCalibration, TemperatureScaling, ThresholdObjective, Thresholds,
};
use imbalanced_scores::{expected_calibration_error, maximum_calibration_error};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::EvalError;

/// A calibration to fit: temperature scaling (one temperature, or one per
/// class) or a one-vs-rest calibrator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CalibrationChoice {
    Temperature { per_class: bool },
    OneVsRest(CalibrationMethod),
}

impl std::str::FromStr for CalibrationChoice {
    type Err = EvalError;
    /// `temperature`, `temperature-per-class`, `platt`, `isotonic` or `histogram` (10 bins).
    fn from_str(s: &str) -> Result<Self, EvalError> {
        Ok(match s {
            "temperature" => CalibrationChoice::Temperature { per_class: false },
            "temperature-per-class" => CalibrationChoice::Temperature { per_class: true },
            "platt" => CalibrationChoice::OneVsRest(CalibrationMethod::Platt),
            "isotonic" => CalibrationChoice::OneVsRest(CalibrationMethod::Isotonic),
            "histogram" => CalibrationChoice::OneVsRest(CalibrationMethod::Histogram(10)),
            other => {
                return Err(EvalError::Invalid(format!(
                "unknown calibration {other:?}: use temperature, temperature-per-class, platt, isotonic or histogram"
            )))
            }
        })
    }
}

/// Parses a threshold objective: `f1`, `precision=P` or `recall=R`.
pub fn parse_threshold(s: &str) -> Result<ThresholdObjective, EvalError> {
    let target = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| EvalError::Invalid(format!("threshold objective {s:?}: {v:?} is not a number")))
    };
    match s.split_once('=') {
        None if s == "f1" => Ok(ThresholdObjective::F1),
        Some(("precision", v)) => Ok(ThresholdObjective::Precision(target(v)?)),
        Some(("recall", v)) => Ok(ThresholdObjective::Recall(target(v)?)),
        _ => Err(EvalError::Invalid(format!(
            "threshold objective {s:?}: use f1, precision=P or recall=R"
        ))),
    }
}

/// A fitted calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    Temperature(TemperatureScaling),
    OneVsRest(OneVsRestCalibration),
}

/// What follows the classifier: neither step by default.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostProcessing {
    pub calibration: Option<Calibration>,
    pub thresholds: Option<Thresholds>,
}

/// Expected and maximum calibration error (10 bins) on the held-out rows,
/// before and after calibrating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationReport {
    pub ece: (f64, f64),
    pub mce: (f64, f64),
}

fn log_probabilities(p: ArrayView2<'_, f64>) -> Array2<f64> {
    // Temperature scaling on log p equals scaling the logits: the row constant cancels.
    p.mapv(|v| v.max(1e-300).ln())
}

impl PostProcessing {
    /// Fits on held-out probabilities `proba` and labels `y`: the
    /// calibration first, then thresholds on calibrated probabilities.
    pub fn fit(
        proba: ArrayView2<'_, f64>,
        y: &[usize],
        calibrate: Option<CalibrationChoice>,
        threshold: Option<ThresholdObjective>,
    ) -> Result<(Self, Option<CalibrationReport>), EvalError> {
        let mut post = PostProcessing::default();
        let mut report = None;
        if let Some(c) = calibrate {
            post.calibration = Some(match c {
                CalibrationChoice::Temperature { per_class } => {
                    Calibration::Temperature(TemperatureScaling::fit(log_probabilities(proba).view(), y, per_class)?)
                }
                CalibrationChoice::OneVsRest(m) => Calibration::OneVsRest(OneVsRestCalibration::fit(proba, y, m)?),
            });
            let after = post.calibrate(proba);
            report = Some(CalibrationReport {
                ece: (
                    expected_calibration_error(y, proba, 10)?,
                    expected_calibration_error(y, after.view(), 10)?,
                ),
                mce: (
                    maximum_calibration_error(y, proba, 10)?,
                    maximum_calibration_error(y, after.view(), 10)?,
                ),
            });
        }
        if let Some(objective) = threshold {
            post.thresholds = Some(Thresholds::fit(post.calibrate(proba).view(), y, objective)?);
        }
        Ok((post, report))
    }

    /// Calibrated probabilities (unchanged without a calibration).
    pub fn calibrate(&self, proba: ArrayView2<'_, f64>) -> Array2<f64> {
        match &self.calibration {
            None => proba.to_owned(),
            Some(Calibration::Temperature(t)) => t.transform(log_probabilities(proba).view()),
            Some(Calibration::OneVsRest(c)) => c.transform(proba),
        }
    }

    /// Decisions: tuned thresholds, else the most probable class.
    pub fn decide(&self, proba: ArrayView2<'_, f64>) -> Vec<usize> {
        match &self.thresholds {
            Some(t) => t.predict(proba),
            None => argmax_rows(proba),
        }
    }

    /// The checks of loaded steps for `n_classes` columns.
    pub fn check(&self, n_classes: usize) -> Result<(), String> {
        match &self.calibration {
            Some(Calibration::Temperature(t)) => t.check(n_classes),
            Some(Calibration::OneVsRest(c)) => c.check(n_classes),
            None => Ok(()),
        }
        .map_err(|e| format!("post.calibration.{e}"))?;
        match &self.thresholds {
            Some(t) => t.check(n_classes).map_err(|e| format!("post.{e}")),
            None => Ok(()),
        }
    }
}
