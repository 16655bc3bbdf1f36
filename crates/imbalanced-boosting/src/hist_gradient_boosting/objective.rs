//! What each boosting round fits: per-row gradients and Hessians of the
//! loss at the current raw scores, weighted by the sample weights.
//!
//! Raw scores are `n x T` row-major, `T = 1` for two classes (the score of
//! class 1, the other's fixed at 0: scikit-learn's binomial form) and
//! `T = K` for more. Any loss of the library with a Newton form
//! ([`imbalanced_losses::NewtonObjective`]) can be fitted; log loss, the
//! default, is computed here directly because the library's general path
//! builds an `n x K` logit matrix per round (it gives the same numbers:
//! tested).

use imbalanced_losses::math::{logsumexp, sigmoid, softmax_into, softplus};
use imbalanced_losses::{LossSpec, NewtonObjective};
use ndarray::Array2;
use rayon::prelude::*;

use imbalanced_models::ModelError;

/// Rows per task of the library path.
const CHUNK: usize = 4096;

/// A fitted loss.
pub(crate) enum Objective {
    /// scikit-learn's `log_loss`: `g = w (p - y)`, `h = w p (1 - p)`.
    LogLoss,
    /// A loss of the library, built for the training class counts.
    Library(Box<dyn NewtonObjective>),
}

impl Objective {
    pub fn new(loss: &LossSpec, counts: &[f64]) -> Result<Self, ModelError> {
        if loss.name == "ce" {
            return Ok(Objective::LogLoss);
        }
        loss.newton(counts)
            .map(Objective::Library)
            .map_err(|e| ModelError::Parameter(format!("loss={}: {e}", loss.name)))
    }

    /// Gradients and Hessians of every row for each of the `t` trees of a
    /// round, tree-major: `out[k][i]` for tree `k`, row `i`.
    pub fn gradients(
        &self,
        raw: &[f64],
        t: usize,
        y: &[usize],
        w: Option<&[f64]>,
        out: &mut [Vec<[f32; 2]>],
    ) -> Result<(), ModelError> {
        let n = y.len();
        let chunks = n.div_ceil(CHUNK);
        let parts: Vec<Vec<[f32; 2]>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let rows = c * CHUNK..((c + 1) * CHUNK).min(n);
                self.chunk(raw, t, y, w, rows)
            })
            .collect::<Result<_, _>>()?;
        for (c, part) in parts.into_iter().enumerate() {
            let start = c * CHUNK;
            let len = part.len() / t;
            for (k, tree) in out.iter_mut().enumerate() {
                tree[start..start + len].copy_from_slice(&part[k * len..(k + 1) * len]);
            }
        }
        Ok(())
    }

    /// One chunk's pairs, tree-major.
    fn chunk(
        &self,
        raw: &[f64],
        t: usize,
        y: &[usize],
        w: Option<&[f64]>,
        rows: std::ops::Range<usize>,
    ) -> Result<Vec<[f32; 2]>, ModelError> {
        let len = rows.len();
        let mut out = vec![[0.0f32; 2]; len * t];
        let weight = |i: usize| w.map_or(1.0, |w| w[i]);
        match self {
            Objective::LogLoss => {
                let mut p = vec![0.0; t];
                for (r, i) in rows.enumerate() {
                    let z = &raw[i * t..(i + 1) * t];
                    let wi = weight(i);
                    if t == 1 {
                        let p = sigmoid(z[0]);
                        let target = f64::from(u8::from(y[i] == 1));
                        out[r] = [(wi * (p - target)) as f32, (wi * p * (1.0 - p)) as f32];
                    } else {
                        softmax_into(z, &mut p);
                        for k in 0..t {
                            let target = f64::from(u8::from(y[i] == k));
                            out[k * len + r] = [(wi * (p[k] - target)) as f32, (wi * p[k] * (1.0 - p[k])) as f32];
                        }
                    }
                }
            }
            Objective::Library(loss) => {
                let logits = logits(raw, t, rows.clone());
                let res = loss
                    .newton(logits.view(), &y[rows.clone()])
                    .map_err(|e| ModelError::Parameter(e.to_string()))?;
                let hess = res.hess.expect("a Newton objective gives its Hessian");
                // Two classes: the score is class 1's logit.
                let first = usize::from(t == 1);
                for (r, i) in rows.enumerate() {
                    let wi = weight(i);
                    for k in 0..t {
                        let (g, h) = (res.grad[(r, k + first)], hess[(r, k + first)]);
                        out[k * len + r] = [(wi * g) as f32, (wi * h) as f32];
                    }
                }
            }
        }
        Ok(out)
    }

    /// The weighted mean loss at `raw` (what early stopping watches).
    pub fn loss(&self, raw: &[f64], t: usize, y: &[usize], w: Option<&[f64]>) -> Result<f64, ModelError> {
        let n = y.len();
        let weight = |i: usize| w.map_or(1.0, |w| w[i]);
        let sums: Vec<(f64, f64)> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let rows = c * CHUNK..((c + 1) * CHUNK).min(n);
                let losses: Vec<f64> = match self {
                    Objective::LogLoss => rows
                        .clone()
                        .map(|i| {
                            let z = &raw[i * t..(i + 1) * t];
                            if t == 1 {
                                softplus(z[0]) - if y[i] == 1 { z[0] } else { 0.0 }
                            } else {
                                logsumexp(ndarray::ArrayView1::from(z)) - z[y[i]]
                            }
                        })
                        .collect(),
                    Objective::Library(loss) => {
                        loss.newton(logits(raw, t, rows.clone()).view(), &y[rows.clone()])
                            .map_err(|e| ModelError::Parameter(e.to_string()))?
                            .losses
                    }
                };
                Ok(rows
                    .zip(losses)
                    .fold((0.0, 0.0), |(s, ws), (i, l)| (s + weight(i) * l, ws + weight(i))))
            })
            .collect::<Result<_, ModelError>>()?;
        let (s, ws) = sums.into_iter().fold((0.0, 0.0), |(a, b), (c, d)| (a + c, b + d));
        Ok(s / ws)
    }

    /// The constant raw score that minimises the weighted training loss:
    /// scikit-learn's for log loss (the log-odds, or the centred log, of the
    /// weighted class shares), refined by Newton steps on the class totals
    /// for the other losses.
    pub fn baseline(&self, class_weights: &[f64], t: usize) -> Result<Vec<f64>, ModelError> {
        let total: f64 = class_weights.iter().sum();
        let eps = f64::EPSILON;
        let share = |k: usize| class_weights[k] / total;
        let mut base: Vec<f64> = if t == 1 {
            let p = share(1).clamp(10.0 * eps, 1.0 - 10.0 * eps);
            vec![(p / (1.0 - p)).ln()]
        } else {
            let logs: Vec<f64> = (0..t).map(|k| share(k).clamp(eps, 1.0 - eps).ln()).collect();
            let mean = logs.iter().sum::<f64>() / t as f64;
            logs.iter().map(|l| l - mean).collect()
        };
        if let Objective::Library(_) = self {
            // One row per class, weighted by the class's total weight:
            // damped Newton steps (halved until the loss falls; the Fisher
            // Hessian of focal losses can under-estimate the curvature).
            let classes: Vec<usize> = (0..class_weights.len()).collect();
            let at = |b: &[f64]| -> Vec<f64> { classes.iter().flat_map(|_| b.iter().copied()).collect() };
            let loss = |b: &[f64]| self.loss(&at(b), t, &classes, Some(class_weights));
            let mut pairs = vec![vec![[0.0f32; 2]; classes.len()]; t];
            let mut current = loss(&base)?;
            for _ in 0..100 {
                self.gradients(&at(&base), t, &classes, Some(class_weights), &mut pairs)?;
                let step: Vec<f64> = pairs
                    .iter()
                    .map(|tree| {
                        let (g, h) = tree
                            .iter()
                            .fold((0.0, 0.0), |(g, h), p| (g + f64::from(p[0]), h + f64::from(p[1])));
                        if h > 0.0 {
                            -g / h
                        } else {
                            0.0
                        }
                    })
                    .collect();
                let mut scale = 1.0;
                let moved = loop {
                    let next: Vec<f64> = base.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
                    let value = loss(&next)?;
                    if value < current {
                        base = next;
                        current = value;
                        break true;
                    }
                    scale /= 2.0;
                    if scale < 1e-6 {
                        break false;
                    }
                };
                if !moved || step.iter().all(|s| (scale * s).abs() < 1e-10) {
                    break;
                }
            }
        }
        Ok(base)
    }
}

/// The logits of rows `rows` as the library takes them: `[0, z]` for one
/// score, the scores themselves for more.
fn logits(raw: &[f64], t: usize, rows: std::ops::Range<usize>) -> Array2<f64> {
    if t == 1 {
        Array2::from_shape_fn((rows.len(), 2), |(r, j)| if j == 0 { 0.0 } else { raw[rows.start + r] })
    } else {
        Array2::from_shape_fn((rows.len(), t), |(r, k)| raw[(rows.start + r) * t + k])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_loss_equals_the_library_cross_entropy() {
        let ce: LossSpec = "ce".parse().unwrap();
        let library = Objective::Library(ce.newton(&[1.0, 1.0]).unwrap());
        let w = [1.0, 2.0, 0.5, 3.0, 1.0];
        for (t, y) in [(1, vec![0, 1, 1, 0, 1]), (3, vec![0, 1, 2, 2, 1])] {
            let raw: Vec<f64> = (0..5 * t).map(|i| (i as f64 * 0.7).sin() * 3.0).collect();
            let mut a = vec![vec![[0.0f32; 2]; 5]; t];
            let mut b = a.clone();
            Objective::LogLoss.gradients(&raw, t, &y, Some(&w), &mut a).unwrap();
            library.gradients(&raw, t, &y, Some(&w), &mut b).unwrap();
            assert_eq!(a.len(), t);
            for (x, z) in a.iter().flatten().zip(b.iter().flatten()) {
                assert!((x[0] - z[0]).abs() < 1e-6 && (x[1] - z[1]).abs() < 1e-6, "{x:?} {z:?}");
            }
            let (la, lb) = (
                Objective::LogLoss.loss(&raw, t, &y, Some(&w)).unwrap(),
                library.loss(&raw, t, &y, Some(&w)).unwrap(),
            );
            assert!((la - lb).abs() < 1e-12, "{la} {lb}");
        }
    }

    #[test]
    fn the_baseline_minimises_the_loss_of_a_constant() {
        let counts = [90.0, 10.0];
        let base = Objective::LogLoss.baseline(&counts, 1).unwrap();
        assert!((base[0] - (1.0f64 / 9.0).ln()).abs() < 1e-12);
        // Logit adjustment already adds the log prior: its best constant is 0.
        let la: LossSpec = "logit-adjusted".parse().unwrap();
        let o = Objective::new(&la, &counts).unwrap();
        assert!(o.baseline(&counts, 1).unwrap()[0].abs() < 1e-6);
        // Focal's best constant is found too: no other constant does better.
        let focal: LossSpec = "focal".parse().unwrap();
        let o = Objective::new(&focal, &counts).unwrap();
        let b = o.baseline(&counts, 1).unwrap()[0];
        let y: Vec<usize> = (0..100).map(|i| usize::from(i < 10)).collect();
        let at = |z: f64| o.loss(&vec![z; 100], 1, &y, None).unwrap();
        assert!(at(b) <= at(b + 0.01) && at(b) <= at(b - 0.01), "{b}");
    }

    #[test]
    fn losses_without_a_hessian_are_refused_by_name() {
        let dice: LossSpec = "dice".parse().unwrap();
        let err = Objective::new(&dice, &[1.0, 1.0]).err().unwrap().to_string();
        assert!(err.contains("dice") && err.contains("focal"), "{err}");
    }
}
