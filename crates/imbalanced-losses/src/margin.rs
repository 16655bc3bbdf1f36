//! Losses that shift the logits before a softmax cross-entropy: LDAM
//! (+ deferred re-weighting), logit adjustment, balanced softmax, Seesaw.

use ndarray::{Array2, ArrayView2};

use crate::class_weights::effective_number_weights;
use crate::math::log_softmax;
use crate::{check_class_vector, check_single, Loss, LossError, LossOutput, Result};

/// `w_y CE(s (z + shift(i, y)), y)` per sample, with its gradient
/// `w_y s (softmax(s (z + shift)) - e_y)`. `shift` is treated as a constant.
pub(crate) fn shifted_ce(
    logits: ArrayView2<'_, f64>,
    targets: &[usize],
    scale: f64,
    weights: Option<&[f64]>,
    shift: impl Fn(usize, usize, usize) -> f64,
) -> LossOutput {
    let k = logits.ncols();
    let w = |c: usize| weights.map_or(1.0, |w| w[c]);
    let mut losses = Vec::with_capacity(targets.len());
    let mut grad = Array2::zeros(logits.dim());
    let mut hess = Array2::zeros(logits.dim());
    let mut row = ndarray::Array1::zeros(k);
    for (i, (&y, z)) in targets.iter().zip(logits.rows()).enumerate() {
        for j in 0..k {
            row[j] = scale * (z[j] + shift(i, y, j));
        }
        let lp = log_softmax(row.view());
        losses.push(-w(y) * lp[y]);
        for j in 0..k {
            let d = if j == y { 1.0 } else { 0.0 };
            let p = lp[j].exp();
            grad[(i, j)] = w(y) * scale * (p - d);
            hess[(i, j)] = w(y) * scale * scale * p * (1.0 - p);
        }
    }
    LossOutput {
        losses,
        grad,
        weights: targets.iter().map(|&y| w(y)).collect(),
        positives: targets.len() as f64,
        hess: Some(hess),
    }
}

fn log_counts(counts: &[f64], what: &'static str) -> Result<Vec<f64>> {
    crate::class_weights::check_counts(counts, what)?;
    Ok(counts.iter().map(|c| c.ln()).collect())
}

/// LDAM (Cao et al. 2019): `w_y CE(s (z - Δ_y e_y), y)` with margins
/// `Δ_j = max_m n_j^{-1/4} / max_k n_k^{-1/4}` (the rarest class gets
/// `max_m`). Meant for cosine logits (a normalised head). Defaults of the
/// reference code: `max_m` 0.5, `s` 30.
#[derive(Debug, Clone, PartialEq)]
pub struct Ldam {
    pub margins: Vec<f64>,
    pub scale: f64,
    /// Class weights (the DRW phase); see [`DeferredReweighting`].
    pub weights: Option<Vec<f64>>,
}

impl Ldam {
    /// Margins from class counts; `max_m` 0.5 and `s` 30 are the paper's code defaults.
    pub fn from_counts(counts: &[f64], max_m: f64, scale: f64) -> Result<Self> {
        log_counts(counts, "LDAM margins")?;
        if !(max_m >= 0.0 && max_m.is_finite()) {
            return Err(LossError::Parameter {
                name: "max_m",
                value: max_m,
                fix: "the largest margin must be >= 0",
            });
        }
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(LossError::Parameter {
                name: "s",
                value: scale,
                fix: "the scale must be > 0",
            });
        }
        let raw: Vec<f64> = counts.iter().map(|n| n.powf(-0.25)).collect();
        let top = raw.iter().copied().fold(0.0, f64::max);
        Ok(Ldam {
            margins: raw.iter().map(|m| max_m * m / top).collect(),
            scale,
            weights: None,
        })
    }

    /// Sets the class weights.
    #[must_use]
    pub fn weights(mut self, w: Option<Vec<f64>>) -> Self {
        self.weights = w;
        self
    }
}

impl Loss for Ldam {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        check_class_vector(&self.margins, logits.ncols(), "margins")?;
        if let Some(w) = &self.weights {
            check_class_vector(w, logits.ncols(), "weights")?;
        }
        let m = &self.margins;
        Ok(shifted_ce(
            logits,
            targets,
            self.scale,
            self.weights.as_deref(),
            |_, y, j| {
                if j == y {
                    -m[y]
                } else {
                    0.0
                }
            },
        ))
    }
}

/// Deferred re-weighting (Cao et al. 2019): uniform class weights before
/// epoch `t0`, effective-number weights (β, normalised to sum C) from
/// `t0` on. Reference defaults: β 0.9999, `t0` 160 (of 200 epochs).
#[derive(Debug, Clone, PartialEq)]
pub struct DeferredReweighting {
    pub counts: Vec<f64>,
    pub beta: f64,
    pub t0: usize,
}

impl DeferredReweighting {
    /// The class weights of (0-based) `epoch`.
    pub fn weights(&self, epoch: usize) -> Result<Vec<f64>> {
        let beta = if epoch >= self.t0 { self.beta } else { 0.0 };
        effective_number_weights(&self.counts, beta)
    }
}

/// Logit-adjusted loss (Menon et al. 2021): `CE(z + τ log π, y)`, π the
/// training class prior; predict with plain `argmax z`. τ = 0 is
/// cross-entropy; τ = 1 (the default) is balanced softmax.
#[derive(Debug, Clone, PartialEq)]
pub struct LogitAdjusted {
    /// `τ log π_c`.
    pub adjustment: Vec<f64>,
}

impl LogitAdjusted {
    /// From training class counts (a zero count is an error) and τ.
    pub fn from_counts(counts: &[f64], tau: f64) -> Result<Self> {
        if !tau.is_finite() {
            return Err(LossError::Parameter {
                name: "tau",
                value: tau,
                fix: "tau must be finite (1 is the usual choice)",
            });
        }
        let logs = log_counts(counts, "the class prior")?;
        let log_total = counts.iter().sum::<f64>().ln();
        Ok(LogitAdjusted {
            adjustment: logs.iter().map(|l| tau * (l - log_total)).collect(),
        })
    }
}

impl Loss for LogitAdjusted {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        if self.adjustment.len() != logits.ncols() {
            return Err(LossError::Invalid(format!(
                "{} class priors for {} logits",
                self.adjustment.len(),
                logits.ncols()
            )));
        }
        let a = &self.adjustment;
        Ok(shifted_ce(logits, targets, 1.0, None, |_, _, j| a[j]))
    }
}

/// Balanced softmax (Ren et al. 2020): `CE(z + log n, y)`, which equals
/// the logit-adjusted loss with τ = 1 (log n and log π differ by a constant).
#[derive(Debug, Clone, PartialEq)]
pub struct BalancedSoftmax {
    pub log_counts: Vec<f64>,
}

impl BalancedSoftmax {
    /// From training class counts (a zero count is an error).
    pub fn from_counts(counts: &[f64]) -> Result<Self> {
        Ok(BalancedSoftmax {
            log_counts: log_counts(counts, "balanced softmax")?,
        })
    }
}

impl Loss for BalancedSoftmax {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        check_class_vector(&vec![0.0; self.log_counts.len()], logits.ncols(), "counts")?;
        let a = &self.log_counts;
        Ok(shifted_ce(logits, targets, 1.0, None, |_, _, j| a[j]))
    }
}

/// Post-hoc logit adjustment (Menon et al. 2021): `z - τ log π` for a model
/// trained with plain cross-entropy; take the argmax of the result.
pub fn post_hoc_logit_adjustment(logits: ArrayView2<'_, f64>, counts: &[f64], tau: f64) -> Result<Array2<f64>> {
    let la = LogitAdjusted::from_counts(counts, tau)?;
    if la.adjustment.len() != logits.ncols() {
        return Err(LossError::Invalid(format!(
            "{} class counts for {} logits",
            la.adjustment.len(),
            logits.ncols()
        )));
    }
    let mut out = logits.to_owned();
    for mut row in out.rows_mut() {
        row.iter_mut().zip(&la.adjustment).for_each(|(v, a)| *v -= a);
    }
    Ok(out)
}

/// Seesaw loss (Wang et al. 2021), as mmdetection's `seesaw_ce_loss`:
/// `CE(z + (1 - e_y) log S_y, y)` with `S_{y,j} = M_{y,j} C_{y,j}`;
/// mitigation `M = (N_j / N_y)^p` where `N_j < N_y` (cumulative counts,
/// clamped >= 1), compensation `C = (σ_j / σ_y)^q` where `σ_j > σ_y` (σ the
/// softmax, not differentiated; `σ_y` clamped >= eps). Defaults p 0.8, q 2,
/// eps 0.01. Keep `counts` up to date with [`Seesaw::update`].
#[derive(Debug, Clone, PartialEq)]
pub struct Seesaw {
    pub counts: Vec<f64>,
    pub p: f64,
    pub q: f64,
    pub eps: f64,
}

impl Seesaw {
    /// A loss for `classes` classes with zero counts and the defaults.
    pub fn new(classes: usize) -> Self {
        Seesaw {
            counts: vec![0.0; classes],
            p: 0.8,
            q: 2.0,
            eps: 1e-2,
        }
    }

    /// Adds a batch's labels to the cumulative counts (mmdetection does this
    /// before computing each batch's loss).
    pub fn update(&mut self, targets: &[usize]) -> Result<()> {
        crate::add_counts(&mut self.counts, targets)
    }
}

impl Loss for Seesaw {
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput> {
        check_single(logits, targets)?;
        check_class_vector(&self.counts, logits.ncols(), "counts")?;
        for (name, v) in [("p", self.p), ("q", self.q), ("eps", self.eps)] {
            if !(v >= 0.0 && v.is_finite()) {
                return Err(LossError::Parameter {
                    name,
                    value: v,
                    fix: "Seesaw's p, q and eps must be finite and >= 0",
                });
            }
        }
        let n: Vec<f64> = self.counts.iter().map(|c| c.max(1.0)).collect();
        let sigma: Vec<Vec<f64>> = logits.rows().into_iter().map(|z| log_softmax(z)).collect();
        let (p, q, eps) = (self.p, self.q, self.eps);
        Ok(shifted_ce(logits, targets, 1.0, None, |i, y, j| {
            if j == y {
                return 0.0;
            }
            let mut log_s = 0.0;
            if p > 0.0 && n[j] < n[y] {
                log_s += p * (n[j] / n[y]).ln();
            }
            if q > 0.0 {
                let ratio = sigma[i][j].exp() / sigma[i][y].exp().max(eps);
                if ratio > 1.0 {
                    log_s += q * ratio.ln();
                }
            }
            log_s
        }))
    }
}
