//! Post-training steps of `imbalanced train`, fitted on a held-out share of
//! the training data and stored in the model file: calibration and
//! per-class decision thresholds.

use imbalanced::models::{
    argmax_rows, BinaryCalibrator, CalibrationMethod, OneVsRestCalibration, TemperatureScaling, ThresholdObjective,
    Thresholds,
};
use imbalanced::scores::{expected_calibration_error, maximum_calibration_error};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

type BoxError = Box<dyn std::error::Error>;

#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Calibrator {
    Platt { a: f64, b: f64 },
    Isotonic { x: Vec<f64>, y: Vec<f64> },
    Histogram { values: Vec<f64> },
}

#[derive(Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Calibration {
    Temperature { temperatures: Vec<f64> },
    OneVsRest { calibrators: Vec<Calibrator> },
}

/// What the model file stores after the network.
#[derive(Serialize, Deserialize, Default)]
pub struct PostProcessing {
    pub calibration: Option<Calibration>,
    /// Per-class thresholds: the decision is argmax p_c / t_c (class 1 iff p_1 >= t_1 for two classes).
    pub thresholds: Option<Vec<f64>>,
}

/// Parses `--calibrate`.
pub fn parse_calibration(s: &str) -> Result<(bool, Option<CalibrationMethod>), String> {
    Ok(match s {
        "temperature" => (false, None),
        "temperature-per-class" => (true, None),
        "platt" => (false, Some(CalibrationMethod::Platt)),
        "isotonic" => (false, Some(CalibrationMethod::Isotonic)),
        "histogram" => (false, Some(CalibrationMethod::Histogram(10))),
        other => {
            return Err(format!(
                "--calibrate {other}: use temperature, temperature-per-class, platt, isotonic or histogram"
            ))
        }
    })
}

/// Parses `--threshold`: `f1`, `precision=0.9` or `recall=0.8`.
pub fn parse_threshold(s: &str) -> Result<ThresholdObjective, String> {
    let target = |v: &str| {
        v.parse::<f64>()
            .map_err(|_| format!("--threshold {s}: {v:?} is not a number"))
    };
    match s.split_once('=') {
        None if s == "f1" => Ok(ThresholdObjective::F1),
        Some(("precision", v)) => Ok(ThresholdObjective::Precision(target(v)?)),
        Some(("recall", v)) => Ok(ThresholdObjective::Recall(target(v)?)),
        _ => Err(format!("--threshold {s}: use f1, precision=P or recall=R")),
    }
}

fn log_probabilities(p: ArrayView2<'_, f64>) -> Array2<f64> {
    // Temperature scaling on log p equals scaling the logits: the row constant cancels.
    p.mapv(|v| v.max(1e-300).ln())
}

impl PostProcessing {
    /// Fits on held-out probabilities and labels, printing ECE / MCE before and after.
    pub fn fit(
        proba: ArrayView2<'_, f64>,
        y: &[usize],
        calibrate: Option<&str>,
        threshold: Option<&str>,
    ) -> Result<Self, BoxError> {
        let mut post = PostProcessing::default();
        if let Some(c) = calibrate {
            let (per_class, method) = parse_calibration(c)?;
            post.calibration = Some(match method {
                None => Calibration::Temperature {
                    temperatures: TemperatureScaling::fit(log_probabilities(proba).view(), y, per_class)?.temperatures,
                },
                Some(m) => Calibration::OneVsRest {
                    calibrators: OneVsRestCalibration::fit(proba, y, m)?
                        .calibrators
                        .into_iter()
                        .map(|c| match c {
                            BinaryCalibrator::Platt { a, b } => Calibrator::Platt { a, b },
                            BinaryCalibrator::Isotonic { x, y } => Calibrator::Isotonic { x, y },
                            BinaryCalibrator::Histogram { values } => Calibrator::Histogram { values },
                        })
                        .collect(),
                },
            });
            let after = post.calibrate(proba);
            println!(
                "calibration ({c}) on {} held-out rows: ECE {:.4} -> {:.4}, MCE {:.4} -> {:.4}",
                y.len(),
                expected_calibration_error(y, proba, 10)?,
                expected_calibration_error(y, after.view(), 10)?,
                maximum_calibration_error(y, proba, 10)?,
                maximum_calibration_error(y, after.view(), 10)?
            );
        }
        if let Some(t) = threshold {
            let objective = parse_threshold(t)?;
            let calibrated = post.calibrate(proba);
            let th = Thresholds::fit(calibrated.view(), y, objective)?;
            println!(
                "thresholds ({t}): {:?}",
                th.thresholds
                    .iter()
                    .map(|v| (v * 1e4).round() / 1e4)
                    .collect::<Vec<_>>()
            );
            post.thresholds = Some(th.thresholds);
        }
        Ok(post)
    }

    /// Calibrated probabilities (unchanged without a calibration).
    pub fn calibrate(&self, proba: ArrayView2<'_, f64>) -> Array2<f64> {
        match &self.calibration {
            None => proba.to_owned(),
            Some(Calibration::Temperature { temperatures }) => TemperatureScaling {
                temperatures: temperatures.clone(),
            }
            .transform(log_probabilities(proba).view()),
            Some(Calibration::OneVsRest { calibrators }) => OneVsRestCalibration {
                calibrators: calibrators
                    .iter()
                    .map(|c| match c {
                        Calibrator::Platt { a, b } => BinaryCalibrator::Platt { a: *a, b: *b },
                        Calibrator::Isotonic { x, y } => BinaryCalibrator::Isotonic {
                            x: x.clone(),
                            y: y.clone(),
                        },
                        Calibrator::Histogram { values } => BinaryCalibrator::Histogram { values: values.clone() },
                    })
                    .collect(),
            }
            .transform(proba),
        }
    }

    /// Decisions: tuned thresholds, else the most probable class.
    pub fn decide(&self, proba: ArrayView2<'_, f64>) -> Vec<usize> {
        match &self.thresholds {
            Some(t) => Thresholds { thresholds: t.clone() }.predict(proba),
            None => argmax_rows(proba),
        }
    }
}
