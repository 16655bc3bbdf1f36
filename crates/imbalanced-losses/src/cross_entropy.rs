//! Softmax cross-entropy with class weights and label smoothing.

use ndarray::{Array2, ArrayView2};

use crate::math::log_softmax_into;
use crate::{check_class_vector, check_single, Loss, LossError, LossOutput, Result};

/// Where label smoothing puts its mass ε.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Smoothing {
    /// ε/K on every class, the true one included (Szegedy et al. 2016;
    /// PyTorch's `label_smoothing`, timm, burn). The default.
    #[default]
    AllClasses,
    /// ε/(K-1) on each other class, 1-ε on the true one.
    OtherClasses,
}

/// Cross-entropy `-log softmax(z)_y`, optionally with class weights `w`
/// and label smoothing ε. With [`Smoothing::AllClasses`] it is PyTorch's
/// `cross_entropy(z, y, weight=w, label_smoothing=ε)`:
/// `l = (1-ε) w_y (-log p_y) + (ε/K) Σ_c w_c (-log p_c)`, and
/// [`crate::Reduction::WeightedMean`] divides by `Σ w_{y_i}` as PyTorch does.
/// With [`Smoothing::OtherClasses`]: `l = w_y Σ_c q_c (-log p_c)` with
/// `q_y = 1-ε`, `q_c = ε/(K-1)`. Defaults: no weights, ε = 0.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CrossEntropy {
    pub weights: Option<Vec<f64>>,
    pub label_smoothing: f64,
    pub smoothing: Smoothing,
}

impl CrossEntropy {
    /// Sets the class weights.
    #[must_use]
    pub fn weights(mut self, w: Vec<f64>) -> Self {
        self.weights = Some(w);
        self
    }
    /// Sets ε and its convention.
    #[must_use]
    pub fn label_smoothing(mut self, eps: f64, smoothing: Smoothing) -> Self {
        self.label_smoothing = eps;
        self.smoothing = smoothing;
        self
    }
}

impl Loss for CrossEntropy {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        let k = logits.ncols();
        let eps = self.label_smoothing;
        if !(0.0..=1.0).contains(&eps) {
            return Err(LossError::Parameter {
                name: "label_smoothing",
                value: eps,
                fix: "use a value in [0, 1]",
            });
        }
        if let Some(w) = &self.weights {
            check_class_vector(w, k, "weights")?;
        }
        let w = |c: usize| self.weights.as_ref().map_or(1.0, |w| w[c]);
        let w_sum: f64 = (0..k).map(w).sum();
        let mut losses = Vec::with_capacity(targets.len());
        let mut grad = Array2::zeros(logits.dim());
        let mut hess = Array2::zeros(logits.dim());
        let mut lp = Vec::with_capacity(k);
        for (i, (&y, z)) in targets.iter().zip(logits.rows()).enumerate() {
            log_softmax_into(z, &mut lp);
            let mut g = grad.row_mut(i);
            match self.smoothing {
                Smoothing::AllClasses => {
                    let smooth: f64 = (0..k).map(|c| -w(c) * lp[c]).sum();
                    losses.push((1.0 - eps) * w(y) * -lp[y] + eps / k as f64 * smooth);
                    for j in 0..k {
                        let p = lp[j].exp();
                        let hard = if j == y { p - 1.0 } else { p };
                        g[j] = (1.0 - eps) * w(y) * hard + eps / k as f64 * (w_sum * p - w(j));
                        hess[(i, j)] = p * (1.0 - p) * ((1.0 - eps) * w(y) + eps * w_sum / k as f64);
                    }
                }
                Smoothing::OtherClasses => {
                    let q = |c: usize| {
                        if c == y {
                            1.0 - eps
                        } else if k > 1 {
                            eps / (k - 1) as f64
                        } else {
                            0.0
                        }
                    };
                    losses.push(w(y) * (0..k).map(|c| -q(c) * lp[c]).sum::<f64>());
                    let qs: f64 = (0..k).map(q).sum();
                    for j in 0..k {
                        let p = lp[j].exp();
                        g[j] = w(y) * (qs * p - q(j));
                        hess[(i, j)] = w(y) * qs * p * (1.0 - p);
                    }
                }
            }
        }
        Ok(LossOutput {
            losses,
            grad,
            weights: targets.iter().map(|&y| w(y)).collect(),
            positives: targets.len() as f64,
            hess: Some(hess),
        })
    }
}
