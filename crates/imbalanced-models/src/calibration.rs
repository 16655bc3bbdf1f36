//! Post-hoc probability calibration on held-out data: temperature scaling
//! (global and per class; Guo et al. 2017), Platt scaling (Platt 1999, as
//! scikit-learn's `_sigmoid_calibration`), isotonic regression (Zadrozny &
//! Elkan 2002, as `IsotonicRegression(out_of_bounds="clip")`) and histogram
//! binning (Zadrozny & Elkan 2001). Multiclass Platt / isotonic / binning
//! calibrate each class one-vs-rest and renormalise, as scikit-learn's
//! `CalibratedClassifierCV`.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

use crate::optim::Lbfgs;
use crate::persist::{ensure, finite};
use crate::ModelError;
use serde::{Deserialize, Serialize};

fn check(scores: ArrayView2<'_, f64>, y: &[usize]) -> Result<(), ModelError> {
    imbalanced_data::Xy::new(scores, y, scores.ncols())?;
    if scores.ncols() < 2 {
        return Err(ModelError::Parameter(
            "calibration needs at least two classes (columns)".into(),
        ));
    }
    Ok(())
}

fn log_softmax_row(z: ArrayView1<'_, f64>) -> Vec<f64> {
    let m = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let l = m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
    z.iter().map(|v| v - l).collect()
}

/// Temperature scaling: probabilities `softmax(z / T)`, with one `T` for
/// all classes or one per class, fitted by minimising the validation
/// log loss (over `log T`, so `T > 0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemperatureScaling {
    /// One temperature, or one per class.
    pub temperatures: Vec<f64>,
}

impl TemperatureScaling {
    /// Fits on validation logits (`n x C`) and labels.
    pub fn fit(logits: ArrayView2<'_, f64>, y: &[usize], per_class: bool) -> Result<Self, ModelError> {
        check(logits, y)?;
        let k = logits.ncols();
        let dims = if per_class { k } else { 1 };
        let n = y.len() as f64;
        let m = Lbfgs {
            gtol: 1e-10,
            ..Lbfgs::default()
        }
        .minimize(vec![0.0; dims], |lt, g| {
            g.fill(0.0);
            let inv: Vec<f64> = (0..k).map(|c| (-lt[if per_class { c } else { 0 }]).exp()).collect();
            let mut loss = 0.0;
            for (row, &t) in logits.rows().into_iter().zip(y) {
                let s: Array1<f64> = row.iter().zip(&inv).map(|(z, i)| z * i).collect();
                let lp = log_softmax_row(s.view());
                loss -= lp[t];
                // ∂/∂ log T_c of -log p_t = -(δ_ct - p_c) s_c (chain through s_c = z_c / T_c).
                for c in 0..k {
                    let d = (f64::from(u8::from(c == t)) - lp[c].exp()) * s[c];
                    g[if per_class { c } else { 0 }] += d / n;
                }
            }
            loss / n
        });
        Ok(TemperatureScaling {
            temperatures: m.x.iter().map(|v| v.exp()).collect(),
        })
    }

    /// Calibrated probabilities of logits.
    pub fn transform(&self, logits: ArrayView2<'_, f64>) -> Array2<f64> {
        let t = |c: usize| self.temperatures[if self.temperatures.len() == 1 { 0 } else { c }];
        let mut out = Array2::zeros(logits.dim());
        for (i, row) in logits.rows().into_iter().enumerate() {
            let s: Array1<f64> = row.iter().enumerate().map(|(c, z)| z / t(c)).collect();
            for (c, lp) in log_softmax_row(s.view()).into_iter().enumerate() {
                out[(i, c)] = lp.exp();
            }
        }
        out
    }
}

/// How one-vs-rest scores of a class are mapped to probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum BinaryCalibrator {
    /// `1 / (1 + exp(A s + B))`.
    Platt { a: f64, b: f64 },
    /// Increasing step function through `(x, y)` points, linear between, clipped outside.
    Isotonic { x: Vec<f64>, y: Vec<f64> },
    /// Equal-width bins of the score on [0, 1]; each bin's empirical frequency.
    Histogram { values: Vec<f64> },
}

/// Platt's method with his smoothed targets `(N+ + 1)/(N+ + 2)` and
/// `1/(N- + 2)`, scores scaled as scikit-learn does when `max |s| >= 30`.
pub fn platt(scores: &[f64], positive: &[bool]) -> BinaryCalibrator {
    let max = scores.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let scale = if max >= 30.0 { max } else { 1.0 };
    let f: Vec<f64> = scores.iter().map(|s| s / scale).collect();
    let n1 = positive.iter().filter(|&&p| p).count() as f64;
    let n0 = positive.len() as f64 - n1;
    let target: Vec<f64> = positive
        .iter()
        .map(|&p| if p { (n1 + 1.0) / (n1 + 2.0) } else { 1.0 / (n0 + 2.0) })
        .collect();
    let b0 = ((n0 + 1.0) / (n1 + 1.0)).ln();
    let m = Lbfgs {
        gtol: 1e-12,
        ..Lbfgs::default()
    }
    .minimize(vec![0.0, b0], |ab, g| {
        g.fill(0.0);
        let mut loss = 0.0;
        for (fi, ti) in f.iter().zip(&target) {
            // raw = -(A f + B); loss = softplus(raw) - t raw.
            let raw = -(ab[0] * fi + ab[1]);
            loss += raw.max(0.0) + (-raw.abs()).exp().ln_1p() - ti * raw;
            let d = 1.0 / (1.0 + (-raw).exp()) - ti; // ∂loss/∂raw
            g[0] -= d * fi;
            g[1] -= d;
        }
        loss
    });
    BinaryCalibrator::Platt {
        a: m.x[0] / scale,
        b: m.x[1],
    }
}

/// Pool-adjacent-violators fit of `positive` on `scores` (ties pooled first).
pub fn isotonic(scores: &[f64], positive: &[bool]) -> BinaryCalibrator {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Blocks of (x mean, y sum, weight), equal x merged (scikit-learn's _make_unique).
    let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
    for &i in &order {
        let yv = f64::from(u8::from(positive[i]));
        match blocks.last_mut() {
            Some(b) if b.0 == scores[i] => {
                b.1 += yv;
                b.2 += 1.0;
            }
            _ => blocks.push((scores[i], yv, 1.0)),
        }
    }
    let xs: Vec<f64> = blocks.iter().map(|b| b.0).collect();
    // PAV on the block means.
    let mut pools: Vec<(f64, f64, usize)> = Vec::new(); // (y sum, weight, blocks)
    for b in &blocks {
        pools.push((b.1, b.2, 1));
        while pools.len() > 1 {
            let (s2, w2, c2) = pools[pools.len() - 1];
            let (s1, w1, c1) = pools[pools.len() - 2];
            if s1 / w1 <= s2 / w2 {
                break;
            }
            pools.pop();
            *pools.last_mut().expect("two pools") = (s1 + s2, w1 + w2, c1 + c2);
        }
    }
    let ys: Vec<f64> = pools
        .iter()
        .flat_map(|&(s, w, c)| std::iter::repeat_n(s / w, c))
        .collect();
    BinaryCalibrator::Isotonic { x: xs, y: ys }
}

/// Histogram binning with `bins` equal-width bins on [0, 1]; an empty bin
/// keeps its centre.
pub fn histogram_binning(scores: &[f64], positive: &[bool], bins: usize) -> BinaryCalibrator {
    let bins = bins.max(1);
    let (mut hits, mut counts) = (vec![0.0; bins], vec![0.0; bins]);
    for (&s, &p) in scores.iter().zip(positive) {
        let b = ((s.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
        counts[b] += 1.0;
        hits[b] += f64::from(u8::from(p));
    }
    let values = (0..bins)
        .map(|b| {
            if counts[b] > 0.0 {
                hits[b] / counts[b]
            } else {
                (b as f64 + 0.5) / bins as f64
            }
        })
        .collect();
    BinaryCalibrator::Histogram { values }
}

impl BinaryCalibrator {
    /// The calibrated probability of a score.
    pub fn apply(&self, s: f64) -> f64 {
        match self {
            BinaryCalibrator::Platt { a, b } => 1.0 / (1.0 + (a * s + b).exp()),
            BinaryCalibrator::Isotonic { x, y } => {
                if s <= x[0] {
                    return y[0];
                }
                if s >= x[x.len() - 1] {
                    return y[y.len() - 1];
                }
                let j = x.partition_point(|&v| v <= s);
                let (x0, x1, y0, y1) = (x[j - 1], x[j], y[j - 1], y[j]);
                y0 + (y1 - y0) * (s - x0) / (x1 - x0)
            }
            BinaryCalibrator::Histogram { values } => {
                let b = ((s.clamp(0.0, 1.0) * values.len() as f64) as usize).min(values.len() - 1);
                values[b]
            }
        }
    }
}

/// Which one-vs-rest calibrator [`OneVsRestCalibration::fit`] uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationMethod {
    Platt,
    Isotonic,
    /// Histogram binning with this many bins.
    Histogram(usize),
}

/// One calibrator per class on that class's probability column; outputs
/// renormalised to sum to 1 (for two classes only class 1 is calibrated,
/// as scikit-learn does).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneVsRestCalibration {
    /// One per class; one (of class 1) for two classes.
    pub calibrators: Vec<BinaryCalibrator>,
}

impl OneVsRestCalibration {
    /// Fits on validation probabilities (or scores) and labels.
    pub fn fit(proba: ArrayView2<'_, f64>, y: &[usize], method: CalibrationMethod) -> Result<Self, ModelError> {
        check(proba, y)?;
        let k = proba.ncols();
        let classes: Vec<usize> = if k == 2 { vec![1] } else { (0..k).collect() };
        let calibrators = classes
            .iter()
            .map(|&c| {
                let s = proba.column(c).to_vec();
                let pos: Vec<bool> = y.iter().map(|&t| t == c).collect();
                match method {
                    CalibrationMethod::Platt => platt(&s, &pos),
                    CalibrationMethod::Isotonic => isotonic(&s, &pos),
                    CalibrationMethod::Histogram(b) => histogram_binning(&s, &pos, b),
                }
            })
            .collect();
        Ok(OneVsRestCalibration { calibrators })
    }

    /// Calibrated probabilities.
    pub fn transform(&self, proba: ArrayView2<'_, f64>) -> Array2<f64> {
        let k = proba.ncols();
        let mut out = Array2::zeros(proba.dim());
        for (i, row) in proba.rows().into_iter().enumerate() {
            if k == 2 {
                let p = self.calibrators[0].apply(row[1]);
                out[(i, 0)] = 1.0 - p;
                out[(i, 1)] = p;
                continue;
            }
            let vals: Vec<f64> = (0..k).map(|c| self.calibrators[c].apply(row[c])).collect();
            let sum: f64 = vals.iter().sum();
            for c in 0..k {
                // All zero: scikit-learn falls back to uniform.
                out[(i, c)] = if sum > 0.0 { vals[c] / sum } else { 1.0 / k as f64 };
            }
        }
        out
    }
}

impl TemperatureScaling {
    /// The checks of a loaded calibration for `n_classes` columns.
    pub fn check(&self, n_classes: usize) -> Result<(), String> {
        ensure(
            self.temperatures.len() == 1 || self.temperatures.len() == n_classes,
            || {
                format!(
                    "temperatures: {} values for {n_classes} classes (give 1 or one per class)",
                    self.temperatures.len()
                )
            },
        )?;
        finite("temperatures", &self.temperatures)?;
        ensure(self.temperatures.iter().all(|&t| t > 0.0), || {
            "temperatures must be positive".into()
        })
    }
}

impl BinaryCalibrator {
    fn check(&self) -> Result<(), String> {
        match self {
            BinaryCalibrator::Platt { a, b } => finite("platt", [a, b]),
            BinaryCalibrator::Isotonic { x, y } => {
                ensure(!x.is_empty() && x.len() == y.len(), || {
                    format!(
                        "isotonic: {} x and {} y values (the same number, at least one)",
                        x.len(),
                        y.len()
                    )
                })?;
                finite("isotonic.x", x)?;
                finite("isotonic.y", y)?;
                ensure(x.windows(2).all(|w| w[0] <= w[1]), || {
                    "isotonic.x must not decrease".into()
                })
            }
            BinaryCalibrator::Histogram { values } => {
                ensure(!values.is_empty(), || "histogram: no bins".into())?;
                finite("histogram.values", values)
            }
        }
    }
}

impl OneVsRestCalibration {
    /// The checks of a loaded calibration for `n_classes` columns.
    pub fn check(&self, n_classes: usize) -> Result<(), String> {
        let want = if n_classes == 2 { 1 } else { n_classes };
        ensure(self.calibrators.len() == want, || {
            format!(
                "calibrators: {} for {n_classes} classes, expected {want}",
                self.calibrators.len()
            )
        })?;
        for (i, c) in self.calibrators.iter().enumerate() {
            c.check().map_err(|e| format!("calibrators[{i}].{e}"))?;
        }
        Ok(())
    }
}
