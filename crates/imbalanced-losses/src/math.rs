//! Stable building blocks, for the losses and for models that evaluate
//! them row by row (gradient boosting's log loss).

use ndarray::ArrayView1;

/// `log(1 + e^x)` without overflow.
pub fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `1 / (1 + e^-x)` without overflow.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `log Σ e^z`.
pub fn logsumexp(z: ArrayView1<'_, f64>) -> f64 {
    let m = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Log-softmax of a row.
pub fn log_softmax(z: ArrayView1<'_, f64>) -> Vec<f64> {
    let mut out = Vec::with_capacity(z.len());
    log_softmax_into(z, &mut out);
    out
}

/// Log-softmax of a row into `out` (cleared first), so that a loop over
/// rows reuses one buffer.
pub fn log_softmax_into(z: ArrayView1<'_, f64>, out: &mut Vec<f64>) {
    let l = logsumexp(z);
    out.clear();
    out.extend(z.iter().map(|v| v - l));
}

/// `p = softmax(z)`, into `p` (a row at a time, no allocation).
pub fn softmax_into(z: &[f64], p: &mut [f64]) {
    let m = z.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    let mut total = 0.0;
    for (p, &v) in p.iter_mut().zip(z) {
        *p = (v - m).exp();
        total += *p;
    }
    p.iter_mut().for_each(|p| *p /= total);
}
