//! Proportion loss for class-imbalanced semi-supervised learning (learning
//! from label proportions, as used by Akiba et al. 2026).

use ndarray::{Array2, ArrayView2};

use crate::math::log_softmax;
use crate::{check_logits, LossError, Result};

/// `L = -Σ_c π_c log p̄_c` with `p̄ = (1/B) Σ_b softmax(z_b)`: the
/// cross-entropy between target class proportions π and the batch-mean
/// prediction. It is a batch loss (not a sum over samples), minimised with
/// value H(π) and zero gradient where `p̄ = π`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProportionLoss {
    pub target: Vec<f64>,
}

impl ProportionLoss {
    /// Target proportions; they must be non-negative and sum to 1.
    pub fn new(target: Vec<f64>) -> Result<Self> {
        let sum: f64 = target.iter().sum();
        if target.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || (sum - 1.0).abs() > 1e-9 {
            return Err(LossError::Invalid(format!(
                "target proportions {target:?} must be non-negative and sum to 1"
            )));
        }
        Ok(ProportionLoss { target })
    }

    /// Target proportions of a batch of `batch` rows drawn without
    /// replacement from a population with class `counts` (the multivariate
    /// hypergeometric draw of the stochastic variant), using `uniform`, a
    /// source of numbers in [0, 1).
    pub fn hypergeometric(counts: &[usize], batch: usize, mut uniform: impl FnMut() -> f64) -> Result<Self> {
        let mut left: Vec<usize> = counts.to_vec();
        let mut total: usize = left.iter().sum();
        if batch == 0 || batch > total {
            return Err(LossError::Invalid(format!(
                "cannot draw {batch} rows from a population of {total}"
            )));
        }
        let mut drawn = vec![0usize; counts.len()];
        for _ in 0..batch {
            let mut r = (uniform() * total as f64) as usize;
            let c = left
                .iter()
                .position(|&n| {
                    if r < n {
                        true
                    } else {
                        r -= n;
                        false
                    }
                })
                .unwrap_or(left.len() - 1);
            left[c] -= 1;
            drawn[c] += 1;
            total -= 1;
        }
        Self::new(drawn.iter().map(|&d| d as f64 / batch as f64).collect())
    }

    /// The loss of a batch of logits (`B x C`) and its gradient.
    pub fn compute(&self, logits: ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>)> {
        check_logits(logits)?;
        let (b, c) = logits.dim();
        if c != self.target.len() {
            return Err(LossError::Invalid(format!(
                "{} target proportions for {c} classes",
                self.target.len()
            )));
        }
        let p: Vec<Vec<f64>> = logits
            .rows()
            .into_iter()
            .map(|z| log_softmax(z).into_iter().map(f64::exp).collect())
            .collect();
        let mean: Vec<f64> = (0..c).map(|k| p.iter().map(|r| r[k]).sum::<f64>() / b as f64).collect();
        let value = -(0..c)
            .filter(|&k| self.target[k] > 0.0)
            .map(|k| self.target[k] * mean[k].ln())
            .sum::<f64>();
        let mut grad = Array2::zeros((b, c));
        for (i, row) in p.iter().enumerate() {
            let ratio = |k: usize| {
                if self.target[k] > 0.0 {
                    self.target[k] / mean[k]
                } else {
                    0.0
                }
            };
            let s: f64 = (0..c).map(|k| ratio(k) * row[k]).sum();
            for k in 0..c {
                grad[(i, k)] = -row[k] * (ratio(k) - s) / b as f64;
            }
        }
        Ok((value, grad))
    }
}
