//! Focal loss (Lin et al. 2017), softmax and sigmoid forms, with closed-form
//! gradients that stay finite for every γ >= 0 (LOSSES.md §1).

use ndarray::{Array2, ArrayView2};

use crate::math::{logsumexp, softplus};
use crate::multilabel::per_label;
use crate::{check_class_vector, check_multi, check_single, Loss, LossError, LossOutput, MultiLabelLoss, Result};

fn check_gamma(gamma: f64) -> Result<()> {
    if !(gamma >= 0.0 && gamma.is_finite()) {
        return Err(LossError::Parameter {
            name: "gamma",
            value: gamma,
            fix: "gamma must be a finite number >= 0 (0 gives cross-entropy)",
        });
    }
    Ok(())
}

/// `x^γ` for `x = exp(log_x)` with `0^0 = 1`.
fn pow_from_log(log_x: f64, gamma: f64) -> f64 {
    if gamma == 0.0 {
        1.0
    } else {
        (gamma * log_x).exp()
    }
}

/// Softmax focal loss `-α_y (1 - p_y)^γ log p_y`. `alpha`: optional
/// per-class weights (class-balanced focal: effective-number weights).
/// γ = 0 is cross-entropy exactly. Default γ: 2 (the paper's; the LDAM-DRW
/// repository's baseline uses 1).
#[derive(Debug, Clone, PartialEq)]
pub struct Focal {
    pub gamma: f64,
    pub alpha: Option<Vec<f64>>,
}

impl Default for Focal {
    fn default() -> Self {
        Focal {
            gamma: 2.0,
            alpha: None,
        }
    }
}

impl Loss for Focal {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        check_gamma(self.gamma)?;
        let k = logits.ncols();
        if let Some(a) = &self.alpha {
            check_class_vector(a, k, "alpha")?;
        }
        let alpha = |c: usize| self.alpha.as_ref().map_or(1.0, |a| a[c]);
        let gamma = self.gamma;
        let mut losses = Vec::with_capacity(targets.len());
        let mut grad = Array2::zeros(logits.dim());
        for (i, (&y, z)) in targets.iter().zip(logits.rows()).enumerate() {
            let lse = logsumexp(z);
            // log r, r = 1 - p_y = Σ_{j≠y} p_j, summed directly: exact when p_y ≈ 1.
            let others = z.iter().enumerate().filter(|&(j, _)| j != y).map(|(_, &v)| v);
            let m = others.clone().fold(f64::NEG_INFINITY, f64::max);
            let log_r = if m == f64::NEG_INFINITY {
                f64::NEG_INFINITY
            } else {
                m + others.map(|v| (v - m).exp()).sum::<f64>().ln() - lse
            };
            let r = log_r.exp();
            // log p_y: log1p(-r) where r is small, else z_y - LSE.
            let log_pt = if r < 0.5 { (-r).ln_1p() } else { z[y] - lse };
            let rg = if r == 0.0 && gamma > 0.0 {
                0.0
            } else {
                pow_from_log(log_r, gamma)
            };
            losses.push(-alpha(y) * rg * log_pt);
            // F = r^γ (γ p_y log p_y / r - 1); p log p / r -> -1 as r -> 0.
            let t = if r == 0.0 { -1.0 } else { log_pt.exp() * log_pt / r };
            let f = rg * (gamma * t - 1.0);
            let mut g = grad.row_mut(i);
            for j in 0..k {
                let p = (z[j] - lse).exp();
                let d = if j == y { 1.0 - p } else { -p };
                g[j] = alpha(y) * f * d;
            }
            if r == 0.0 {
                g.fill(0.0);
            }
        }
        Ok(LossOutput {
            losses,
            grad,
            weights: targets.iter().map(|&y| alpha(y)).collect(),
            positives: targets.len() as f64,
            hess: None,
        })
    }
}

/// Sigmoid focal loss on each logit, as torchvision's
/// `ops.sigmoid_focal_loss(x, t, alpha, gamma)`: `α_t (1 - p_t)^γ BCE(x, t)`
/// with `p_t = p t + (1-p)(1-t)`, `α_t = α t + (1-α)(1-t)`; `alpha = None`
/// (torchvision's α < 0) turns the balance off. Defaults α = 0.25, γ = 2;
/// use [`crate::Reduction::MeanPositive`] for RetinaNet's normalisation.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmoidFocal {
    pub alpha: Option<f64>,
    pub gamma: f64,
}

impl Default for SigmoidFocal {
    fn default() -> Self {
        SigmoidFocal {
            alpha: Some(0.25),
            gamma: 2.0,
        }
    }
}

/// Loss and derivative of one sigmoid focal term.
fn sigmoid_focal_term(x: f64, t: f64, alpha: Option<f64>, gamma: f64) -> (f64, f64) {
    let p = crate::math::sigmoid(x);
    // BCE = t softplus(-x) + (1 - t) softplus(x): exact for hard targets.
    let ce = t * softplus(-x) + (1.0 - t) * softplus(x);
    let dce = p - t;
    let (m, dm) = if gamma == 0.0 {
        (1.0, 0.0)
    } else if t == 1.0 {
        let m = (-gamma * softplus(x)).exp(); // (1 - p)^γ
        (m, -gamma * p * m)
    } else if t == 0.0 {
        let m = (-gamma * softplus(-x)).exp(); // p^γ
        (m, gamma * (1.0 - p) * m)
    } else {
        // Soft target: 1 - p_t >= min(t, 1 - t) > 0.
        let q = t + p - 2.0 * t * p;
        (
            q.powf(gamma),
            gamma * q.powf(gamma - 1.0) * p * (1.0 - p) * (1.0 - 2.0 * t),
        )
    };
    let a = alpha.map_or(1.0, |a| a * t + (1.0 - a) * (1.0 - t));
    (a * ce * m, a * (dce * m + ce * dm))
}

impl MultiLabelLoss for SigmoidFocal {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<LossOutput> {
        check_multi(logits, targets)?;
        check_gamma(self.gamma)?;
        if let Some(a) = self.alpha {
            if !(0.0..=1.0).contains(&a) {
                return Err(LossError::Parameter {
                    name: "alpha",
                    value: a,
                    fix: "alpha must be in [0, 1], or None to turn it off",
                });
            }
        }
        Ok(per_label(
            logits,
            targets,
            |_, x, t| sigmoid_focal_term(x, t, self.alpha, self.gamma),
            None,
        ))
    }
}
