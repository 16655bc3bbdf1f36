//! LCRLoss of IAENet (Wang et al., AAAI 2026; wan-g/IAENet-pytorch
//! utils/loss.py): label-prior-weighted BCE plus a label co-occurrence
//! penalty on logit differences, for multi-label targets.

use ndarray::{Array2, ArrayView2};

use crate::math::sigmoid;
use crate::{check_multi, LossError, Result};

/// How positive and negative terms are weighted from the label prior π.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PriorWeighting {
    /// `w+ = 1/sqrt(π)`, `w- = 1/sqrt(1-π)`. The default.
    #[default]
    SqrtInverse,
    /// `1/π`, `1/(1-π)`.
    Inverse,
    /// `π^(-1/3)`, `(1-π)^(-1/3)`.
    CubicInverse,
    /// `log(1/(π+ε))`, `log(1/(1-π+ε))` (the reference's sibling
    /// `PriorWeightedBCELoss` form; `LCRLoss`'s own `1/log π` branch gives
    /// negative weights and is not reproduced).
    LogInverse,
    /// No weighting.
    None,
}

/// LCRLoss: `mean_{b,c} ce_bc + λ co / C²` with
/// `ce_bc = -[w+_c y log(σ(z) + ε) + w-_c (1-y) log(1 - σ(z) + ε)]` and
/// `co = Σ_{i≠j} M_ij mean_b (z_bi - z_bj)²`. The prior is the batch's own
/// label frequency (`(Σ_b y_bc + ε)/(B + 2ε)`, the reference's default
/// "local") unless `global_prior` is set; `M` is the training set's label
/// co-occurrence matrix, max-normalised ([`Lcr::co_occurrence`]).
/// Defaults: sqrt-inverse weights, λ = 0.02, ε = 1e-8.
#[derive(Debug, Clone, PartialEq)]
pub struct Lcr {
    pub weighting: PriorWeighting,
    pub lambda: f64,
    pub global_prior: Option<Vec<f64>>,
    pub co_occurrence: Option<Array2<f64>>,
}

const EPS: f64 = 1e-8;

impl Default for Lcr {
    fn default() -> Self {
        Lcr {
            weighting: PriorWeighting::SqrtInverse,
            lambda: 0.02,
            global_prior: None,
            co_occurrence: None,
        }
    }
}

impl Lcr {
    /// `Yᵀ Y` over the training labels, divided by its largest entry.
    pub fn co_occurrence(labels: ArrayView2<'_, f64>) -> Array2<f64> {
        let m = labels.t().dot(&labels);
        let top = m.iter().copied().fold(0.0, f64::max);
        if top > 0.0 {
            m / top
        } else {
            m
        }
    }

    fn weights(&self, prior: f64) -> (f64, f64) {
        let (a, b) = (prior, 1.0 - prior);
        match self.weighting {
            PriorWeighting::SqrtInverse => (1.0 / a.sqrt(), 1.0 / b.sqrt()),
            PriorWeighting::Inverse => (1.0 / a, 1.0 / b),
            PriorWeighting::CubicInverse => (a.powf(-1.0 / 3.0), b.powf(-1.0 / 3.0)),
            PriorWeighting::LogInverse => ((1.0 / (a + EPS)).ln(), (1.0 / (b + EPS)).ln()),
            PriorWeighting::None => (1.0, 1.0),
        }
    }

    /// The batch loss and its gradient with respect to the logits.
    pub fn compute(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>)> {
        check_multi(logits, targets)?;
        let (b, c) = logits.dim();
        if !(self.lambda >= 0.0 && self.lambda.is_finite()) {
            return Err(LossError::Parameter {
                name: "lambda",
                value: self.lambda,
                fix: "the co-occurrence weight must be finite and >= 0",
            });
        }
        let prior: Vec<f64> = match &self.global_prior {
            Some(p) => {
                if p.len() != c || p.iter().any(|v| !(*v > 0.0 && *v < 1.0)) {
                    return Err(LossError::Invalid(format!(
                        "global_prior {p:?}: give {c} label frequencies strictly between 0 and 1"
                    )));
                }
                p.clone()
            }
            None => (0..c)
                .map(|j| (targets.column(j).sum() + EPS) / (b as f64 + 2.0 * EPS))
                .collect(),
        };
        let mut grad = Array2::zeros((b, c));
        let mut total = 0.0;
        let n = (b * c) as f64;
        for ((i, j), &z) in logits.indexed_iter() {
            let (wp, wn) = self.weights(prior[j]);
            let y = targets[(i, j)];
            let p = sigmoid(z);
            let dp = p * (1.0 - p);
            total += -(wp * y * (p + EPS).ln() + wn * (1.0 - y) * (1.0 - p + EPS).ln());
            grad[(i, j)] = -(wp * y * dp / (p + EPS) - wn * (1.0 - y) * dp / (1.0 - p + EPS)) / n;
        }
        let mut value = total / n;
        if let (Some(m), true) = (&self.co_occurrence, self.lambda > 0.0) {
            if m.dim() != (c, c) {
                return Err(LossError::Invalid(format!(
                    "co-occurrence matrix is {:?}, expected {c} x {c}",
                    m.dim()
                )));
            }
            let scale = self.lambda / (c * c) as f64;
            let mut co = 0.0;
            for r in 0..b {
                for a in 0..c {
                    for d in 0..c {
                        if a == d {
                            continue;
                        }
                        let diff = logits[(r, a)] - logits[(r, d)];
                        co += m[(a, d)] * diff * diff / b as f64;
                        // ∂/∂z_ra of M_ad (z_ra - z_rd)² / B and of M_da (z_rd - z_ra)² / B.
                        grad[(r, a)] += scale * 2.0 * (m[(a, d)] + m[(d, a)]) * diff / b as f64;
                    }
                }
            }
            value += scale * co;
        }
        Ok((value, grad))
    }
}
