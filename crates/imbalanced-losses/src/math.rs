//! Stable building blocks.

use ndarray::ArrayView1;

/// `log(1 + e^x)` without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `1 / (1 + e^-x)` without overflow.
pub(crate) fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `log Σ e^z`.
pub(crate) fn logsumexp(z: ArrayView1<'_, f64>) -> f64 {
    let m = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    m + z.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// Log-softmax of a row.
pub(crate) fn log_softmax(z: ArrayView1<'_, f64>) -> Vec<f64> {
    let l = logsumexp(z);
    z.iter().map(|v| v - l).collect()
}
