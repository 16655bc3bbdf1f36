//! Overlap losses for per-point / per-pixel class imbalance: soft Dice,
//! Tversky, and a weighted cross-entropy + Dice composite.

use ndarray::{Array2, ArrayView2};

use crate::cross_entropy::CrossEntropy;
use crate::math::log_softmax;
use crate::{check_single, Loss, LossError, Reduction, Result};

/// Soft Tversky loss over the batch (Salehi et al. 2017) on softmax
/// probabilities: `1 - mean_c (TP_c + s) / (TP_c + α FP_c + β FN_c + s)`
/// with `TP_c = Σ_i p_ic y_ic`, `FP_c = Σ_i p_ic (1 - y_ic)`,
/// `FN_c = Σ_i (1 - p_ic) y_ic`. α = β = 0.5 is the soft Dice loss
/// (Milletari et al. 2016). Defaults: α = β = 0.5, smoothing s = 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Tversky {
    pub alpha: f64,
    pub beta: f64,
    pub smooth: f64,
}

impl Default for Tversky {
    fn default() -> Self {
        Tversky {
            alpha: 0.5,
            beta: 0.5,
            smooth: 1.0,
        }
    }
}

impl Tversky {
    /// The soft Dice loss (α = β = 0.5) with smoothing `smooth`.
    pub fn dice(smooth: f64) -> Self {
        Tversky {
            alpha: 0.5,
            beta: 0.5,
            smooth,
        }
    }

    /// The batch loss and its gradient with respect to the logits.
    pub fn compute(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        check_single(logits, targets)?;
        for (name, v) in [("alpha", self.alpha), ("beta", self.beta), ("smooth", self.smooth)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(LossError::Parameter {
                    name,
                    value: v,
                    fix: "Tversky's alpha, beta and smoothing must be finite and >= 0",
                });
            }
        }
        let (n, k) = logits.dim();
        let p: Vec<Vec<f64>> = logits
            .rows()
            .into_iter()
            .map(|z| log_softmax(z).into_iter().map(f64::exp).collect())
            .collect();
        let (mut tp, mut fp, mut fn_) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
        for (row, &y) in p.iter().zip(targets) {
            for c in 0..k {
                let t = f64::from(u8::from(c == y));
                tp[c] += row[c] * t;
                fp[c] += row[c] * (1.0 - t);
                fn_[c] += (1.0 - row[c]) * t;
            }
        }
        let (a, b, s) = (self.alpha, self.beta, self.smooth);
        let mut value = 0.0;
        // ∂TI_c/∂p_ic for y_ic = 1 and = 0.
        let mut d_pos = vec![0.0; k];
        let mut d_neg = vec![0.0; k];
        for c in 0..k {
            let num = tp[c] + s;
            let den = tp[c] + a * fp[c] + b * fn_[c] + s;
            if den == 0.0 {
                return Err(LossError::Invalid(format!(
                    "class {c} is neither present nor predicted and smooth = 0: use smooth > 0"
                )));
            }
            value += num / den;
            // With y = 1: dTP = 1, dFN = -1; with y = 0: dFP = 1.
            d_pos[c] = (den - num * (1.0 - b)) / (den * den);
            d_neg[c] = -num * a / (den * den);
        }
        value = 1.0 - value / k as f64;
        let mut grad = Array2::zeros((n, k));
        for (i, (row, &y)) in p.iter().zip(targets).enumerate() {
            // g = ∂L/∂p, then through the softmax.
            let g: Vec<f64> = (0..k)
                .map(|c| -(if c == y { d_pos[c] } else { d_neg[c] }) / k as f64)
                .collect();
            let dot: f64 = (0..k).map(|c| g[c] * row[c]).sum();
            for c in 0..k {
                grad[(i, c)] = row[c] * (g[c] - dot);
            }
        }
        Ok((value, grad))
    }
}

/// `ce_weight · CE (mean over samples, class weights as given) + dice_weight · Dice`.
#[derive(Debug, Clone, PartialEq)]
pub struct CrossEntropyDice {
    pub cross_entropy: CrossEntropy,
    pub dice: Tversky,
    pub ce_weight: f64,
    pub dice_weight: f64,
}

impl Default for CrossEntropyDice {
    fn default() -> Self {
        CrossEntropyDice {
            cross_entropy: CrossEntropy::default(),
            dice: Tversky::default(),
            ce_weight: 1.0,
            dice_weight: 1.0,
        }
    }
}

impl CrossEntropyDice {
    /// The batch loss and its gradient.
    pub fn compute(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        let (ce, gce) = self.cross_entropy.loss(logits, targets, Reduction::Mean)?;
        let (dice, gd) = self.dice.compute(logits, targets)?;
        Ok((
            self.ce_weight * ce + self.dice_weight * dice,
            gce * self.ce_weight + gd * self.dice_weight,
        ))
    }
}
