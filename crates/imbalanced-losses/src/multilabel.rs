//! Multi-label losses on independent sigmoids: binary cross-entropy and the
//! asymmetric loss (ASL).

use ndarray::{Array2, ArrayView2};

use crate::math::{sigmoid, softplus};
use crate::{check_class_vector, check_multi, LossError, LossOutput, MultiLabelLoss, Result};

/// PyTorch's `binary_cross_entropy_with_logits(x, t, weight=v, pos_weight=w)`:
/// `v_c [w_c t softplus(-x) + (1 - t) softplus(x)]` per label.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BinaryCrossEntropy {
    /// Weight of each label's positive term. Default: none (1).
    pub pos_weight: Option<Vec<f64>>,
    /// Weight of each label (class weights: inverse frequency, sqrt-inverse,
    /// effective number). Default: none (1).
    pub weight: Option<Vec<f64>>,
}

/// Sums `term(label, logit, target)` over each row's labels.
pub(crate) fn per_label(
    logits: ArrayView2<'_, f64>,
    targets: ArrayView2<'_, f64>,
    term: impl Fn(usize, f64, f64) -> (f64, f64),
    second: Option<&dyn Fn(usize, f64, f64) -> f64>,
) -> LossOutput {
    let mut grad = Array2::zeros(logits.dim());
    let mut losses = vec![0.0; logits.nrows()];
    for ((i, j), &x) in logits.indexed_iter() {
        let (l, g) = term(j, x, targets[(i, j)]);
        losses[i] += l;
        grad[(i, j)] = g;
    }
    LossOutput {
        weights: vec![1.0; losses.len()],
        losses,
        grad,
        positives: targets.sum(),
        hess: second.map(|h| Array2::from_shape_fn(logits.dim(), |(i, j)| h(j, logits[(i, j)], targets[(i, j)]))),
    }
}

impl MultiLabelLoss for BinaryCrossEntropy {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<LossOutput> {
        check_multi(logits, targets)?;
        if let Some(w) = &self.pos_weight {
            check_class_vector(w, logits.ncols(), "pos_weight")?;
        }
        if let Some(v) = &self.weight {
            check_class_vector(v, logits.ncols(), "weight")?;
        }
        let w = |j: usize| self.pos_weight.as_ref().map_or(1.0, |w| w[j]);
        let v = |j: usize| self.weight.as_ref().map_or(1.0, |v| v[j]);
        let second = |j: usize, x: f64, t: f64| {
            let p = sigmoid(x);
            v(j) * (w(j) * t + 1.0 - t) * p * (1.0 - p)
        };
        Ok(per_label(
            logits,
            targets,
            |j, x, t| {
                let l = w(j) * t * softplus(-x) + (1.0 - t) * softplus(x);
                let p = sigmoid(x);
                (v(j) * l, v(j) * (w(j) * t * (p - 1.0) + (1.0 - t) * p))
            },
            Some(&second),
        ))
    }
}

/// Asymmetric loss (Ridnik et al. 2021), as the official `AsymmetricLoss`:
/// positives `-(1-p)^{γ+} log p`, negatives `-p_m^{γ-} log(1 - p_m)` with the
/// shifted probability `p_m = max(p - clip, 0)`; logs clamped at `eps`.
/// Defaults (the class's): γ- 4, γ+ 1, clip 0.05, eps 1e-8, and gradients
/// through the focusing weights; the official training script instead uses
/// γ+ 0 and stops their gradient (`stop_gradient_weights`). Targets are 0/1.
/// The official code returns the sum: use [`crate::Reduction::Sum`].
#[derive(Debug, Clone, PartialEq)]
pub struct Asl {
    pub gamma_neg: f64,
    pub gamma_pos: f64,
    pub clip: f64,
    pub eps: f64,
    pub stop_gradient_weights: bool,
}

impl Default for Asl {
    fn default() -> Self {
        Asl {
            gamma_neg: 4.0,
            gamma_pos: 1.0,
            clip: 0.05,
            eps: 1e-8,
            stop_gradient_weights: false,
        }
    }
}

impl Asl {
    fn term(&self, x: f64, t: f64) -> (f64, f64) {
        let p = sigmoid(x);
        let ln_eps = self.eps.ln();
        let stop = self.stop_gradient_weights;
        if t == 1.0 {
            let g = self.gamma_pos;
            let raw = -softplus(-x); // log p
            let (lp, dlp) = if raw > ln_eps { (raw, 1.0 - p) } else { (ln_eps, 0.0) };
            let w = if g == 0.0 { 1.0 } else { (-g * softplus(x)).exp() }; // (1 - p)^γ+
            let dw = if stop { 0.0 } else { -g * p * w };
            (-lp * w, -(dlp * w + lp * dw))
        } else {
            let g = self.gamma_neg;
            // p_m and its derivative; 1 - p_m = min(1 - p + clip, 1).
            let (pm, dpm) = if self.clip > 0.0 {
                if p > self.clip {
                    (p - self.clip, p * (1.0 - p))
                } else {
                    (0.0, 0.0)
                }
            } else {
                (p, p * (1.0 - p))
            };
            let raw = if self.clip > 0.0 { (-pm).ln_1p() } else { -softplus(x) };
            let (ln, dln) = if raw > ln_eps {
                (raw, -dpm / (1.0 - pm))
            } else {
                (ln_eps, 0.0)
            };
            let (w, dw) = if g == 0.0 {
                (1.0, 0.0)
            } else if pm == 0.0 {
                (0.0, 0.0)
            } else if self.clip > 0.0 {
                let w = pm.powf(g);
                (w, g * pm.powf(g - 1.0) * dpm)
            } else {
                let w = (-g * softplus(-x)).exp(); // p^γ-
                (w, g * (1.0 - p) * w)
            };
            let dw = if stop { 0.0 } else { dw };
            (-ln * w, -(dln * w + ln * dw))
        }
    }
}

impl MultiLabelLoss for Asl {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<LossOutput> {
        check_multi(logits, targets)?;
        for (name, v) in [("gamma_neg", self.gamma_neg), ("gamma_pos", self.gamma_pos)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(LossError::Parameter {
                    name,
                    value: v,
                    fix: "focusing parameters must be finite and >= 0",
                });
            }
        }
        if !(0.0..1.0).contains(&self.clip) {
            return Err(LossError::Parameter {
                name: "clip",
                value: self.clip,
                fix: "the probability margin must be in [0, 1)",
            });
        }
        if !(self.eps > 0.0 && self.eps < 1.0) {
            return Err(LossError::Parameter {
                name: "eps",
                value: self.eps,
                fix: "eps must be in (0, 1)",
            });
        }
        if let Some(&t) = targets.iter().find(|&&t| t != 0.0 && t != 1.0) {
            return Err(LossError::Invalid(format!("ASL needs 0/1 targets, got {t}")));
        }
        Ok(per_label(logits, targets, |_, x, t| self.term(x, t), None))
    }
}

/// Multi-label LDAM-DRW: per label `c`, the positive term is
/// `w_c softplus(-s (z - Δ_c))` (margin `Δ_c` on positives, margins from
/// positive counts as [`crate::Ldam`], weights on positive terms, e.g.
/// [`crate::DeferredReweighting`]); the negative term `softplus(s z)`.
#[derive(Debug, Clone, PartialEq)]
pub struct MultiLabelLdam {
    pub margins: Vec<f64>,
    pub scale: f64,
    pub weights: Option<Vec<f64>>,
}

impl MultiLabelLdam {
    /// Margins from each label's positive count (`max_m` 0.5, `s` 30 by default in LDAM).
    pub fn from_counts(positive_counts: &[f64], max_m: f64, scale: f64) -> Result<Self> {
        let ldam = crate::Ldam::from_counts(positive_counts, max_m, scale)?;
        Ok(MultiLabelLdam {
            margins: ldam.margins,
            scale,
            weights: None,
        })
    }
}

impl MultiLabelLoss for MultiLabelLdam {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<LossOutput> {
        check_multi(logits, targets)?;
        check_class_vector(&self.margins, logits.ncols(), "margins")?;
        if let Some(w) = &self.weights {
            check_class_vector(w, logits.ncols(), "weights")?;
        }
        let s = self.scale;
        let w = |j: usize| self.weights.as_ref().map_or(1.0, |w| w[j]);
        Ok(per_label(
            logits,
            targets,
            |j, x, t| {
                let pos = s * (x - self.margins[j]);
                let l = w(j) * t * softplus(-pos) + (1.0 - t) * softplus(s * x);
                (l, -w(j) * t * s * sigmoid(-pos) + (1.0 - t) * s * sigmoid(s * x))
            },
            None,
        ))
    }
}
