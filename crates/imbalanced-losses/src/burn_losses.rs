//! Every single-label and multi-label loss as burn tensor functions (the
//! `burn` feature): logits `Tensor<2>` (`n x C`), targets `Tensor<1, Int>`
//! (class codes) or `Tensor<2>` (multi-label 0/1), a scalar `Tensor<1>` out,
//! differentiable by burn's autodiff, so any burn network can train with
//! them on any burn device. Each equals its slice implementation in this
//! crate (tested to 1e-9 in value and 1e-7 in gradient, f64).
//!
//! Stability: log-softmax and log-sigmoid come from burn's stable
//! activations; `(1 - p)^γ` is `exp(γ log(max(1 - p, tiny)))`, whose
//! gradient is finite where `pow` would give NaN (γ < 1 at saturation).

use burn::tensor::{activation, DType, Int, Tensor, TensorData};

use crate::Reduction;

/// Smallest value `1 - p` is clamped to before its logarithm.
const TINY: f64 = 1e-300;

fn row(values: &[f64], like: &Tensor<2>) -> Tensor<2> {
    Tensor::<2>::from_data(
        TensorData::new(values.to_vec(), [1, values.len()]),
        (&like.device(), DType::F64),
    )
}

fn one_hot(targets: Tensor<1, Int>, classes: usize) -> Tensor<2> {
    targets.one_hot::<2>(classes).float().cast(DType::F64)
}

/// Reduces per-sample losses `[n, 1]` with per-sample weights `[n, 1]`.
fn reduce(losses: Tensor<2>, weights: Tensor<2>, positives: Tensor<1>, reduction: Reduction) -> Tensor<1> {
    match reduction {
        Reduction::Sum => losses.sum(),
        Reduction::Mean => losses.mean(),
        Reduction::WeightedMean => losses.sum() / weights.sum(),
        Reduction::MeanPositive => losses.sum() / positives.clamp_min(1.0),
    }
}

fn count(n: usize, like: &Tensor<2>) -> Tensor<1> {
    Tensor::<1>::from_data(TensorData::new(vec![n as f64], [1]), (&like.device(), DType::F64))
}

/// `w_y CE(s (z + shift), y)` per sample, `shift` `[n, C]` (no gradient).
fn shifted_ce(
    logits: Tensor<2>,
    onehot: Tensor<2>,
    shift: Tensor<2>,
    scale: f64,
    w: Tensor<2>,
) -> (Tensor<2>, Tensor<2>) {
    let lp = activation::log_softmax((logits + shift.detach()).mul_scalar(scale), 1);
    let wy = (onehot.clone() * w).sum_dim(1);
    ((onehot * lp).sum_dim(1).neg() * wy.clone(), wy)
}

/// The reduced [`shifted_ce`] with optional class weights.
fn shifted(
    logits: Tensor<2>,
    onehot: Tensor<2>,
    shift: Tensor<2>,
    scale: f64,
    weights: Option<&[f64]>,
    reduction: Reduction,
) -> Tensor<1> {
    let [n, k] = logits.dims();
    let w = row(&weights.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let positives = count(n, &logits);
    let (losses, wy) = shifted_ce(logits, onehot, shift, scale, w);
    reduce(losses, wy, positives, reduction)
}

/// [`crate::CrossEntropy`]: weights, label smoothing (both conventions).
pub fn cross_entropy(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    weights: Option<&[f64]>,
    label_smoothing: f64,
    smoothing: crate::Smoothing,
    reduction: Reduction,
) -> Tensor<1> {
    let [n, k] = logits.dims();
    let w = row(&weights.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let onehot = one_hot(targets, k);
    let lp = activation::log_softmax(logits.clone(), 1);
    let wy = (onehot.clone() * w.clone()).sum_dim(1);
    let eps = label_smoothing;
    let losses = match smoothing {
        crate::Smoothing::AllClasses => {
            let hard = (onehot * lp.clone()).sum_dim(1).neg() * wy.clone();
            let smooth = (lp * w).sum_dim(1).neg();
            hard.mul_scalar(1.0 - eps) + smooth.mul_scalar(eps / k as f64)
        }
        crate::Smoothing::OtherClasses => {
            let other = if k > 1 { eps / (k - 1) as f64 } else { 0.0 };
            let q = onehot.clone().mul_scalar(1.0 - eps - other).add_scalar(other);
            (q * lp).sum_dim(1).neg() * wy.clone()
        }
    };
    reduce(losses, wy, count(n, &logits), reduction)
}

/// [`crate::Focal`]: `-α_y (1 - p_y)^γ log p_y`.
pub fn focal(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    gamma: f64,
    alpha: Option<&[f64]>,
    reduction: Reduction,
) -> Tensor<1> {
    let [n, k] = logits.dims();
    let a = row(&alpha.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let onehot = one_hot(targets, k);
    let lpt = (onehot.clone() * activation::log_softmax(logits.clone(), 1)).sum_dim(1);
    let r = lpt.clone().exp().neg().add_scalar(1.0);
    let factor = if gamma == 0.0 {
        r.ones_like()
    } else {
        r.clamp_min(TINY).log().mul_scalar(gamma).exp()
    };
    let ay = (onehot * a).sum_dim(1);
    reduce(factor * lpt.neg() * ay.clone(), ay, count(n, &logits), reduction)
}

/// [`crate::Ldam`]: margins on the target logit, scale `s`, optional class weights.
pub fn ldam(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    margins: &[f64],
    scale: f64,
    weights: Option<&[f64]>,
    reduction: Reduction,
) -> Tensor<1> {
    let onehot = one_hot(targets, logits.dims()[1]);
    let shift = onehot.clone() * row(margins, &logits).neg();
    shifted(logits, onehot, shift, scale, weights, reduction)
}

/// [`crate::LogitAdjusted`] and [`crate::BalancedSoftmax`]: `CE(z + adjustment, y)`
/// (adjustment `τ log π`, or `log n`).
pub fn logit_adjusted(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    adjustment: &[f64],
    reduction: Reduction,
) -> Tensor<1> {
    let onehot = one_hot(targets, logits.dims()[1]);
    let shift = onehot.zeros_like() + row(adjustment, &logits);
    shifted(logits, onehot, shift, 1.0, None, reduction)
}

/// [`crate::TemporalDecay`]: `CE(z + (1 - e_y) log(Q / mean Q), y)`.
pub fn temporal_decay(logits: Tensor<2>, targets: Tensor<1, Int>, q: &[f64], reduction: Reduction) -> Tensor<1> {
    let mean = q.iter().sum::<f64>() / q.len() as f64;
    let log_w: Vec<f64> = q.iter().map(|v| (v / mean).ln()).collect();
    let onehot = one_hot(targets, logits.dims()[1]);
    let shift = (onehot.ones_like() - onehot.clone()) * row(&log_w, &logits);
    shifted(logits, onehot, shift, 1.0, None, reduction)
}

/// [`crate::Seesaw`]: mitigation from cumulative counts, compensation from
/// the detached softmax.
pub fn seesaw(
    logits: Tensor<2>,
    targets: Tensor<1, Int>,
    counts: &[f64],
    p: f64,
    q: f64,
    eps: f64,
    reduction: Reduction,
) -> Tensor<1> {
    let [_, k] = logits.dims();
    let onehot = one_hot(targets, k);
    let nc: Vec<f64> = counts.iter().map(|c| c.max(1.0)).collect();
    // log M_{y,j} = p log(N_j / N_y) where N_j < N_y: as the row y of a C x C matrix.
    let mut m = vec![0.0; k * k];
    for y in 0..k {
        for j in 0..k {
            if p > 0.0 && nc[j] < nc[y] {
                m[y * k + j] = p * (nc[j] / nc[y]).ln();
            }
        }
    }
    let mitigation = onehot.clone().matmul(Tensor::<2>::from_data(
        TensorData::new(m, [k, k]),
        (&logits.device(), DType::F64),
    ));
    let sigma = activation::softmax(logits.clone().detach(), 1);
    let self_score = (sigma.clone() * onehot.clone()).sum_dim(1).clamp_min(eps);
    let ratio = sigma / self_score;
    let compensation = if q > 0.0 {
        ratio.clone().clamp_min(1.0).log().mul_scalar(q)
    } else {
        ratio.zeros_like()
    };
    let shift = (onehot.ones_like() - onehot.clone()) * (mitigation + compensation);
    shifted(logits, onehot, shift, 1.0, None, reduction)
}

fn log_sigmoid(x: Tensor<2>) -> Tensor<2> {
    activation::log_sigmoid(x)
}

/// [`crate::BinaryCrossEntropy`] with `pos_weight` and class `weight`.
pub fn binary_cross_entropy(
    logits: Tensor<2>,
    targets: Tensor<2>,
    pos_weight: Option<&[f64]>,
    weight: Option<&[f64]>,
    reduction: Reduction,
) -> Tensor<1> {
    let [_, k] = logits.dims();
    let pw = row(&pos_weight.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let v = row(&weight.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let neg_t = targets.ones_like() - targets.clone();
    let l = (pw * targets.clone() * log_sigmoid(logits.clone()) + neg_t * log_sigmoid(logits.clone().neg())).neg() * v;
    reduce(
        l.sum_dim(1),
        logits.ones_like().narrow(1, 0, 1),
        targets.sum(),
        reduction,
    )
}

/// [`crate::SigmoidFocal`]: torchvision's `sigmoid_focal_loss`.
pub fn sigmoid_focal(
    logits: Tensor<2>,
    targets: Tensor<2>,
    alpha: Option<f64>,
    gamma: f64,
    reduction: Reduction,
) -> Tensor<1> {
    let neg_t = targets.ones_like() - targets.clone();
    let ce = (targets.clone() * log_sigmoid(logits.clone()) + neg_t.clone() * log_sigmoid(logits.clone().neg())).neg();
    let p = activation::sigmoid(logits.clone());
    // 1 - p_t = t (1 - p) + (1 - t) p.
    let one_minus_pt = targets.clone() * (p.ones_like() - p.clone()) + neg_t.clone() * p;
    let factor = if gamma == 0.0 {
        ce.ones_like()
    } else {
        one_minus_pt.clamp_min(TINY).log().mul_scalar(gamma).exp()
    };
    let mut l = ce * factor;
    if let Some(a) = alpha {
        l = l * (targets.clone().mul_scalar(a) + neg_t.mul_scalar(1.0 - a));
    }
    reduce(
        l.sum_dim(1),
        logits.ones_like().narrow(1, 0, 1),
        targets.sum(),
        reduction,
    )
}

/// [`crate::Asl`]; `stop_gradient_weights` detaches the focusing weights.
pub fn asl(
    logits: Tensor<2>,
    targets: Tensor<2>,
    gamma_neg: f64,
    gamma_pos: f64,
    clip: f64,
    eps: f64,
    stop_gradient_weights: bool,
) -> Tensor<1> {
    let p = activation::sigmoid(logits);
    let mut xs_neg = p.ones_like() - p.clone();
    if clip > 0.0 {
        xs_neg = xs_neg.add_scalar(clip).clamp_max(1.0);
    }
    let neg_t = targets.ones_like() - targets.clone();
    let base = targets.clone() * p.clone().clamp_min(eps).log() + neg_t.clone() * xs_neg.clone().clamp_min(eps).log();
    let loss = if gamma_neg > 0.0 || gamma_pos > 0.0 {
        let pt = p * targets.clone() + xs_neg * neg_t.clone();
        let gamma = targets.mul_scalar(gamma_pos) + neg_t.mul_scalar(gamma_neg);
        let mut w = (pt.ones_like() - pt).clamp_min(TINY).log().mul(gamma).exp();
        if stop_gradient_weights {
            w = w.detach();
        }
        base * w
    } else {
        base
    };
    loss.sum().neg()
}

/// [`crate::ProportionLoss`]: `-Σ_c π_c log mean_b softmax(z_b)_c`.
pub fn proportion(logits: Tensor<2>, target: &[f64]) -> Tensor<1> {
    let mean = activation::softmax(logits.clone(), 1).mean_dim(0);
    (row(target, &logits) * mean.clamp_min(TINY).log()).sum().neg()
}

/// [`crate::Tversky`] (α = β = 0.5: soft Dice).
pub fn tversky(logits: Tensor<2>, targets: Tensor<1, Int>, alpha: f64, beta: f64, smooth: f64) -> Tensor<1> {
    let [_, k] = logits.dims();
    let t = one_hot(targets, k);
    let p = activation::softmax(logits, 1);
    let tp = (p.clone() * t.clone()).sum_dim(0);
    let fp = (p.clone() * (t.ones_like() - t.clone())).sum_dim(0);
    let fn_ = ((p.ones_like() - p) * t).sum_dim(0);
    let ti = tp.clone().add_scalar(smooth) / (tp + fp.mul_scalar(alpha) + fn_.mul_scalar(beta)).add_scalar(smooth);
    ti.mean().neg().add_scalar(1.0)
}

/// [`crate::MultiLabelLdam`]: `w_c y softplus(-s (z - Δ_c)) + (1 - y) softplus(s z)`, summed.
pub fn multilabel_ldam(
    logits: Tensor<2>,
    targets: Tensor<2>,
    margins: &[f64],
    scale: f64,
    weights: Option<&[f64]>,
) -> Tensor<1> {
    let [_, k] = logits.dims();
    let w = row(&weights.map_or(vec![1.0; k], <[f64]>::to_vec), &logits);
    let neg_t = targets.ones_like() - targets.clone();
    let pos = (logits.clone() - row(margins, &logits)).mul_scalar(scale);
    // softplus(-x) = -log σ(x).
    let l = w * targets * log_sigmoid(pos).neg() + neg_t * log_sigmoid(logits.mul_scalar(scale).neg()).neg();
    l.sum()
}

/// [`crate::Lcr`] with sqrt-inverse weights from the batch prior and the
/// co-occurrence matrix `m` (`C x C`, row-major), weight `lambda`.
pub fn lcr(logits: Tensor<2>, targets: Tensor<2>, co_occurrence: Option<&[f64]>, lambda: f64) -> Tensor<1> {
    const EPS: f64 = 1e-8;
    let [b, c] = logits.dims();
    let prior = targets
        .clone()
        .sum_dim(0)
        .add_scalar(EPS)
        .div_scalar(b as f64 + 2.0 * EPS);
    let wp = prior.clone().sqrt().recip();
    let wn = (prior.ones_like() - prior).sqrt().recip();
    let p = activation::sigmoid(logits.clone());
    let neg_t = targets.ones_like() - targets.clone();
    let ce =
        (wp * targets * p.clone().add_scalar(EPS).log() + wn * neg_t * (p.ones_like() - p).add_scalar(EPS).log()).neg();
    let mut value = ce.mean();
    if let (Some(m), true) = (co_occurrence, lambda > 0.0) {
        let mut off = m.to_vec();
        (0..c).for_each(|i| off[i * c + i] = 0.0);
        let m = Tensor::<2>::from_data(TensorData::new(off, [c, c]), (&logits.device(), DType::F64));
        // mean_b (z_bi - z_bj)², as B x C x C through broadcasting.
        let zi = logits.clone().unsqueeze_dim::<3>(2);
        let zj = logits.unsqueeze_dim::<3>(1);
        let sq = (zi - zj).powi_scalar(2).mean_dim(0).squeeze_dim::<2>(0);
        value = value + (sq * m).sum().mul_scalar(lambda / (c * c) as f64);
    }
    value
}
