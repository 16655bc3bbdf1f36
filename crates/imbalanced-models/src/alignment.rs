//! Class-distribution alignment of the semi-supervised MLP's hidden space:
//! our formulation of SCDL's class-distribution bidirectional alignment and
//! soft anchor clustering (Su et al.) on tabular embeddings.
//!
//! Each class has a learnable proxy, a mean `μ_c` and a log-scale `s_c`, in
//! the last hidden layer. An embedding `h_i` is at distance
//! `d_ic = e^{-2 s_c} ||h_i - μ_c||² / (2H) + s_c` (a Gaussian's negative
//! log-density per dimension, `H` the width). Two soft assignments follow:
//! embeddings to proxies, `A = softmax_c(-d / τ)`, and proxies to
//! embeddings, `B = softmax_i(-d / τ_p)` over the batch, renormalised per
//! embedding (`B̃`). The bidirectional term is their symmetric KL,
//! `mean_i Σ_c (A - B̃)(log A - log B̃)`; labelled rows anchor their class,
//! `-mean_labelled log A_{i,y_i}`. The loss is `weight ×` their sum.

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The alignment's settings (our defaults: the paper's were not available).
#[derive(Debug, Clone, PartialEq)]
pub struct ClassAlignment {
    /// Weight of the alignment loss beside the model's. Default: 0.1.
    pub weight: f64,
    /// Temperature `τ` of the embedding-to-proxy assignment. Default: 0.5.
    pub temperature: f64,
    /// Temperature `τ_p` of the proxy-to-embedding assignment. Default: 0.5.
    pub proxy_temperature: f64,
}

impl Default for ClassAlignment {
    fn default() -> Self {
        ClassAlignment {
            weight: 0.1,
            temperature: 0.5,
            proxy_temperature: 0.5,
        }
    }
}

/// The loss at `h` (rows of the batch; `labels[i]` for labelled rows) and
/// its gradients with respect to `h`, the means and the log-scales.
pub struct AlignmentStep {
    pub value: f64,
    pub grad_h: Array2<f64>,
    pub grad_mean: Array2<f64>,
    pub grad_log_scale: Array1<f64>,
}

impl ClassAlignment {
    /// A weight >= 0 and positive temperatures, else an error naming them.
    pub fn check(&self) -> Result<(), crate::ModelError> {
        if !(self.weight >= 0.0 && self.weight.is_finite()) {
            return Err(crate::ModelError::Parameter(format!(
                "alignment weight {}: give a weight >= 0",
                self.weight
            )));
        }
        for (name, t) in [
            ("temperature", self.temperature),
            ("proxy_temperature", self.proxy_temperature),
        ] {
            if !(t > 0.0 && t.is_finite()) {
                return Err(crate::ModelError::Parameter(format!(
                    "alignment {name} {t}: give a temperature > 0"
                )));
            }
        }
        Ok(())
    }

    /// The loss and its gradients (before `weight`: the caller scales).
    pub fn step(
        &self,
        h: ArrayView2<'_, f64>,
        labels: &[Option<usize>],
        mean: &Array2<f64>,
        log_scale: &Array1<f64>,
    ) -> AlignmentStep {
        let (n, width) = h.dim();
        let k = mean.nrows();
        let hw = width as f64;
        // Distances and their parts.
        let mut sq = Array2::<f64>::zeros((n, k));
        for i in 0..n {
            for c in 0..k {
                sq[(i, c)] = h.row(i).iter().zip(mean.row(c)).map(|(a, b)| (a - b) * (a - b)).sum();
            }
        }
        let inv: Vec<f64> = log_scale.iter().map(|s| (-2.0 * s).exp()).collect();
        let d = Array2::from_shape_fn((n, k), |(i, c)| inv[c] * sq[(i, c)] / (2.0 * hw) + log_scale[c]);
        // A: softmax over proxies of -d/τ.
        let mut a = d.mapv(|v| -v / self.temperature);
        for mut row in a.rows_mut() {
            let top = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            row.mapv_inplace(|v| (v - top).exp());
            let total = row.sum();
            row.mapv_inplace(|v| v / total);
        }
        // B: softmax over the batch's embeddings of -d/τ_p, then per row renormalised.
        let mut b = d.mapv(|v| -v / self.proxy_temperature);
        for mut col in b.columns_mut() {
            let top = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            col.mapv_inplace(|v| (v - top).exp());
            let total = col.sum();
            col.mapv_inplace(|v| v / total);
        }
        let mut bt = b.clone();
        for mut row in bt.rows_mut() {
            let total = row.sum();
            row.mapv_inplace(|v| v / total);
        }
        let tiny = 1e-300;
        let log = |v: f64| v.max(tiny).ln();
        let mut value = 0.0;
        // ∂/∂A and ∂/∂B̃ of Σ (A - B̃)(log A - log B̃), per row, over n.
        let mut ga = Array2::<f64>::zeros((n, k));
        let mut gbt = Array2::<f64>::zeros((n, k));
        for i in 0..n {
            for c in 0..k {
                let (x, y) = (a[(i, c)], bt[(i, c)]);
                let l = log(x) - log(y);
                value += (x - y) * l / n as f64;
                ga[(i, c)] = (l + 1.0 - y / x.max(tiny)) / n as f64;
                gbt[(i, c)] = (-l - x / y.max(tiny) + 1.0) / n as f64;
            }
        }
        // Anchors: -mean log A_{i, y_i} over labelled rows.
        let labelled = labels.iter().filter(|l| l.is_some()).count();
        for (i, label) in labels.iter().enumerate() {
            if let Some(y) = label {
                value -= log(a[(i, *y)]) / labelled as f64;
                ga[(i, *y)] -= 1.0 / (a[(i, *y)].max(tiny) * labelled as f64);
            }
        }
        // Through the row softmax: ∂/∂L = A (g - Σ_c A g); L = -d/τ.
        let mut gd = Array2::<f64>::zeros((n, k));
        for i in 0..n {
            let dot: f64 = (0..k).map(|c| a[(i, c)] * ga[(i, c)]).sum();
            for c in 0..k {
                gd[(i, c)] -= a[(i, c)] * (ga[(i, c)] - dot) / self.temperature;
            }
        }
        // Through B̃ = B / rowsum(B): ∂/∂log B = g' - B̃ Σ_c g' with g' = B̃ ∂/∂B̃.
        let gp = &gbt * &bt;
        let mut glog_b = gp.clone();
        for i in 0..n {
            let total: f64 = gp.row(i).sum();
            for c in 0..k {
                glog_b[(i, c)] -= bt[(i, c)] * total;
            }
        }
        // Through the column softmax: ∂/∂M = ∂/∂log B - B Σ_i ∂/∂log B; M = -d/τ_p.
        let col_sums = glog_b.sum_axis(Axis(0));
        for i in 0..n {
            for c in 0..k {
                gd[(i, c)] -= (glog_b[(i, c)] - b[(i, c)] * col_sums[c]) / self.proxy_temperature;
            }
        }
        // Through d: ∂d/∂h = e^{-2s} (h - μ) / H, ∂d/∂μ = -that, ∂d/∂s = -e^{-2s} ||h - μ||² / H + 1.
        let mut grad_h = Array2::<f64>::zeros((n, width));
        let mut grad_mean = Array2::<f64>::zeros((k, width));
        let mut grad_log_scale = Array1::<f64>::zeros(k);
        for i in 0..n {
            for c in 0..k {
                let g = gd[(i, c)];
                if g == 0.0 {
                    continue;
                }
                let f = g * inv[c] / hw;
                for j in 0..width {
                    let diff = h[(i, j)] - mean[(c, j)];
                    grad_h[(i, j)] += f * diff;
                    grad_mean[(c, j)] -= f * diff;
                }
                grad_log_scale[c] += g * (1.0 - inv[c] * sq[(i, c)] / hw);
            }
        }
        AlignmentStep {
            value,
            grad_h,
            grad_mean,
            grad_log_scale,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::{RngKind, SamplerRng};

    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = SamplerRng::new(RngKind::Default, 3);
        let h = Array2::from_shape_simple_fn((6, 4), || rng.standard_normal());
        let mean = Array2::from_shape_simple_fn((3, 4), || rng.standard_normal());
        let log_scale = Array1::from_shape_simple_fn(3, || 0.3 * rng.standard_normal());
        let labels = [Some(0), None, Some(2), None, Some(1), None];
        let align = ClassAlignment {
            weight: 1.0,
            temperature: 0.7,
            proxy_temperature: 0.4,
        };
        let step = align.step(h.view(), &labels, &mean, &log_scale);
        let value = |h: &Array2<f64>, m: &Array2<f64>, s: &Array1<f64>| align.step(h.view(), &labels, m, s).value;
        let eps = 1e-6;
        let close = |analytic: f64, numeric: f64, what: &str| {
            assert!(
                (analytic - numeric).abs() < 1e-6 * numeric.abs().max(1.0),
                "{what}: {analytic} vs {numeric}"
            );
        };
        for (i, j) in [(0, 0), (1, 2), (3, 3), (5, 1)] {
            let (mut up, mut down) = (h.clone(), h.clone());
            up[(i, j)] += eps;
            down[(i, j)] -= eps;
            let numeric = (value(&up, &mean, &log_scale) - value(&down, &mean, &log_scale)) / (2.0 * eps);
            close(step.grad_h[(i, j)], numeric, "h");
        }
        for (c, j) in [(0, 1), (2, 3)] {
            let (mut up, mut down) = (mean.clone(), mean.clone());
            up[(c, j)] += eps;
            down[(c, j)] -= eps;
            let numeric = (value(&h, &up, &log_scale) - value(&h, &down, &log_scale)) / (2.0 * eps);
            close(step.grad_mean[(c, j)], numeric, "mean");
        }
        for c in 0..3 {
            let (mut up, mut down) = (log_scale.clone(), log_scale.clone());
            up[c] += eps;
            down[c] -= eps;
            let numeric = (value(&h, &mean, &up) - value(&h, &mean, &down)) / (2.0 * eps);
            close(step.grad_log_scale[c], numeric, "log scale");
        }
        assert!(step.value.is_finite() && step.value > 0.0);
    }
}
