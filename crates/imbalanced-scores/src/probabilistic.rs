//! Metrics on class probabilities: log loss, Brier score, expected
//! calibration error. Probability matrices are `n x C` with rows that sum
//! to 1 (checked as numpy's `allclose`) and values in `[0, 1]`.

use ndarray::ArrayView2;

use crate::ranking::check_proba;
use crate::{MetricError, Result};

fn check_range(proba: ArrayView2<'_, f64>) -> Result<()> {
    for (row, r) in proba.rows().into_iter().enumerate() {
        if let Some(&value) = r.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(MetricError::ProbaOutOfRange { row, value });
        }
    }
    Ok(())
}

/// scikit-learn's `log_loss(y_true, proba, labels=range(C))`: the mean of
/// `-log p_{i, y_i}`, with probabilities clipped to `[eps, 1 - eps]`
/// (`eps` = f64 machine epsilon).
pub fn log_loss(y_true: &[usize], proba: ArrayView2<'_, f64>) -> Result<f64> {
    check_proba(y_true, proba, true)?;
    check_range(proba)?;
    let eps = f64::EPSILON;
    let total: f64 = y_true
        .iter()
        .zip(proba.rows())
        .map(|(&c, r)| -r[c].clamp(eps, 1.0 - eps).ln())
        .sum();
    Ok(total / y_true.len() as f64)
}

/// scikit-learn's `brier_score_loss` with `scale_by_half="auto"`: the mean
/// over samples of `Σ_k (1[y = k] - p_k)²`, halved for two classes, where
/// it equals the familiar `mean((y - p)²)` of the positive class.
pub fn brier_score_loss(y_true: &[usize], proba: ArrayView2<'_, f64>) -> Result<f64> {
    let classes = check_proba(y_true, proba, true)?;
    check_range(proba)?;
    let total: f64 = y_true
        .iter()
        .zip(proba.rows())
        .map(|(&c, r)| {
            r.iter()
                .enumerate()
                .map(|(k, &p)| (f64::from(u8::from(k == c)) - p).powi(2))
                .sum::<f64>()
        })
        .sum();
    let scale = if classes < 3 { 0.5 } else { 1.0 };
    Ok(scale * total / y_true.len() as f64)
}

/// Per-bin (count, accuracy, mean confidence) of the top label, bins
/// `(b/B, (b+1)/B]` with numpy's linspace edges.
fn calibration_bins(y_true: &[usize], proba: ArrayView2<'_, f64>, n_bins: usize) -> Result<Vec<(f64, f64, f64)>> {
    check_proba(y_true, proba, true)?;
    check_range(proba)?;
    if n_bins == 0 {
        return Err(MetricError::Undefined("n_bins=0: use at least one bin".into()));
    }
    let edge = |i: usize| {
        if i == n_bins {
            1.0
        } else {
            i as f64 * (1.0 / n_bins as f64)
        }
    };
    let mut count = vec![0.0; n_bins];
    let mut correct = vec![0.0; n_bins];
    let mut confidence = vec![0.0; n_bins];
    for (&c, r) in y_true.iter().zip(proba.rows()) {
        let (pred, conf) = r.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |best, (k, &p)| if p > best.1 { (k, p) } else { best },
        );
        let mut b = ((conf * n_bins as f64).ceil() as usize).clamp(1, n_bins) - 1;
        while b > 0 && conf <= edge(b) {
            b -= 1;
        }
        while b + 1 < n_bins && conf > edge(b + 1) {
            b += 1;
        }
        count[b] += 1.0;
        confidence[b] += conf;
        correct[b] += f64::from(u8::from(pred == c));
    }
    Ok((0..n_bins)
        .filter(|&b| count[b] > 0.0)
        .map(|b| (count[b], correct[b] / count[b], confidence[b] / count[b]))
        .collect())
}

/// Expected calibration error of the top label (Guo et al. 2017, "On
/// calibration of modern neural networks"): samples are binned by their
/// largest probability into `n_bins` equal-width bins `(b/B, (b+1)/B]`;
/// `ECE = Σ_b (n_b / n) |accuracy_b - confidence_b|`. The predicted class
/// is the first column with the largest probability. Usual `n_bins`: 10.
pub fn expected_calibration_error(y_true: &[usize], proba: ArrayView2<'_, f64>, n_bins: usize) -> Result<f64> {
    let n = y_true.len() as f64;
    Ok(calibration_bins(y_true, proba, n_bins)?
        .iter()
        .map(|(count, acc, conf)| count / n * (acc - conf).abs())
        .sum())
}

/// Maximum calibration error: the largest `|accuracy_b - confidence_b|`
/// over the non-empty bins of [`expected_calibration_error`].
pub fn maximum_calibration_error(y_true: &[usize], proba: ArrayView2<'_, f64>, n_bins: usize) -> Result<f64> {
    Ok(calibration_bins(y_true, proba, n_bins)?
        .iter()
        .map(|(_, acc, conf)| (acc - conf).abs())
        .fold(0.0, f64::max))
}
