//! Confidence-aware class prototypes in the spirit of CAFedCL (Wu et al.
//! 2026; **our formulation** from the paper's abstract, which gives no
//! formulas): each client sends, per class it holds, statistics of its
//! trained model's penultimate features; the server pools them into global
//! prototypes weighted by count, inverse variance and confidence, breaking
//! the loop in which uncertain, skewed clients bias the prototypes they
//! then align to. The prototypes serve (a) as a FedProto-style alignment
//! term in local training and (b) as a nearest-prototype classifier.

use ndarray::{Array2, ArrayView2, ArrayViewMut2};
use serde::{Deserialize, Serialize};

use super::network::Network;

/// How the server weighs client `k`'s statistics of class `c`:
///
/// `w = n^[count] · (1 / (ŝ² + 1e-6))^[inverse_variance] · max(1 - H, 1e-3)^[confidence]`
///
/// with `n` the client's rows of the class, `H` their mean predictive
/// entropy over `ln K` (0: certain, 1: uniform), and `ŝ²` the variance of
/// their features (mean over the feature columns) shrunk towards the
/// class's pooled variance `s̄²` (count-weighted over the clients):
/// `ŝ² = (n s² + n0 s̄²) / (n + n0)`, `n0` = 10 rows, so that a client with
/// one or two rows of a class (variance near 0) does not outweigh the
/// rest; `[flag]` is 1 when the flag is on and 0 when off. Global
/// prototype `P_c = Σ_k w μ_kc / Σ_k w`.
/// The alignment term adds `lambda · mean over the batch's rows and
/// feature columns of (h - P_y)²` (FedProto's MSE) to each client's loss,
/// from the second round on (the first has no prototypes). Defaults: all
/// three weights on, `lambda` 1. With `count` alone the prototypes are
/// plain count-weighted means (FedProto's).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Prototypes {
    pub lambda: f64,
    pub count: bool,
    pub inverse_variance: bool,
    pub confidence: bool,
}

impl Default for Prototypes {
    fn default() -> Self {
        Prototypes {
            lambda: 1.0,
            count: true,
            inverse_variance: true,
            confidence: true,
        }
    }
}

/// What a client reports about one class of its rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassStats {
    pub count: usize,
    /// Mean of the rows' features.
    pub mean: Vec<f64>,
    /// Variance of the features, averaged over the columns.
    pub variance: f64,
    /// Mean predictive entropy of the rows, over `ln K`.
    pub entropy: f64,
}

/// Per class, the statistics of the rows `x`, `y` under `net` (`None` for
/// a class without rows).
pub fn class_stats(net: &Network, x: ArrayView2<'_, f64>, y: &[usize]) -> Vec<Option<ClassStats>> {
    let k = net.classes;
    let features = net.features(x);
    let logits = net.logits(x);
    let ln_k = (k as f64).ln().max(f64::MIN_POSITIVE);
    let f = features.ncols();
    let mut sum = Array2::<f64>::zeros((k, f));
    let mut square = Array2::<f64>::zeros((k, f));
    let (mut count, mut entropy) = (vec![0usize; k], vec![0.0; k]);
    for ((h, z), &c) in features.rows().into_iter().zip(logits.rows()).zip(y) {
        count[c] += 1;
        sum.row_mut(c).scaled_add(1.0, &h);
        square.row_mut(c).zip_mut_with(&h, |s, &v| *s += v * v);
        let top = z.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        let norm: f64 = z.iter().map(|v| (v - top).exp()).sum();
        entropy[c] -= z
            .iter()
            .map(|v| {
                let p = (v - top).exp() / norm;
                if p > 0.0 {
                    p * p.ln()
                } else {
                    0.0
                }
            })
            .sum::<f64>()
            / ln_k;
    }
    (0..k)
        .map(|c| {
            (count[c] > 0).then(|| {
                let n = count[c] as f64;
                let mean: Vec<f64> = sum.row(c).iter().map(|s| s / n).collect();
                let variance = square
                    .row(c)
                    .iter()
                    .zip(&mean)
                    .map(|(s, m)| (s / n - m * m).max(0.0))
                    .sum::<f64>()
                    / f.max(1) as f64;
                ClassStats {
                    count: count[c],
                    mean,
                    variance,
                    entropy: entropy[c] / n,
                }
            })
        })
        .collect()
}

/// The server's prototypes: one row per class, `present[c]` false where no
/// client reported class `c`.
#[derive(Debug, Clone, PartialEq)]
pub struct GlobalPrototypes {
    pub means: Array2<f64>,
    pub present: Vec<bool>,
}

/// Rows of prior weight in the shrunk variance (see [`Prototypes`]).
const PRIOR_ROWS: f64 = 10.0;

impl Prototypes {
    /// The weight of one client's statistics `s` of a class whose pooled
    /// variance is `pooled`.
    pub fn weight(&self, s: &ClassStats, pooled: f64) -> f64 {
        let n = s.count as f64;
        let mut w = 1.0;
        if self.count {
            w *= n;
        }
        if self.inverse_variance {
            w /= (n * s.variance + PRIOR_ROWS * pooled) / (n + PRIOR_ROWS) + 1e-6;
        }
        if self.confidence {
            w *= (1.0 - s.entropy).max(1e-3);
        }
        w
    }

    /// Pools the clients' statistics (each a list over the `classes`) into
    /// global prototypes of `dim` features.
    pub fn pool(&self, clients: &[Vec<Option<ClassStats>>], classes: usize, dim: usize) -> GlobalPrototypes {
        let mut means = Array2::<f64>::zeros((classes, dim));
        let mut total = vec![0.0; classes];
        let mut pooled = vec![(0.0, 0.0); classes];
        for stats in clients {
            for (c, s) in stats.iter().enumerate() {
                if let Some(s) = s {
                    pooled[c].0 += s.count as f64 * s.variance;
                    pooled[c].1 += s.count as f64;
                }
            }
        }
        for stats in clients {
            for (c, s) in stats.iter().enumerate() {
                if let Some(s) = s {
                    let w = self.weight(s, pooled[c].0 / pooled[c].1);
                    total[c] += w;
                    means.row_mut(c).iter_mut().zip(&s.mean).for_each(|(m, v)| *m += w * v);
                }
            }
        }
        for (mut row, &t) in means.rows_mut().into_iter().zip(&total) {
            if t > 0.0 {
                row.mapv_inplace(|v| v / t);
            }
        }
        GlobalPrototypes {
            means,
            present: total.iter().map(|&t| t > 0.0).collect(),
        }
    }
}

impl GlobalPrototypes {
    /// The class of the nearest (Euclidean) prototype to each row of `features`.
    pub fn predict(&self, features: ArrayView2<'_, f64>) -> Vec<usize> {
        features
            .rows()
            .into_iter()
            .map(|h| {
                (0..self.means.nrows())
                    .filter(|&c| self.present[c])
                    .map(|c| {
                        let d: f64 = h.iter().zip(self.means.row(c)).map(|(a, b)| (a - b) * (a - b)).sum();
                        (c, d)
                    })
                    .fold((0, f64::INFINITY), |b, (c, d)| if d < b.1 { (c, d) } else { b })
                    .0
            })
            .collect()
    }
}

/// The alignment term of one client's training: its prototypes and weight.
pub(crate) struct Alignment<'a> {
    pub prototypes: &'a GlobalPrototypes,
    pub lambda: f64,
}

impl Alignment<'_> {
    /// Adds the gradient of `lambda · mean((h - P_y)²)` (over the rows whose
    /// class has a prototype and the feature columns) with respect to the
    /// features `h` to `grad`; returns the term's value.
    pub(crate) fn add_gradient(&self, h: ArrayView2<'_, f64>, y: &[usize], grad: &mut Array2<f64>) -> f64 {
        let rows = y.iter().filter(|&&c| self.prototypes.present[c]).count();
        if rows == 0 || self.lambda == 0.0 {
            return 0.0;
        }
        let scale = self.lambda / (rows * h.ncols()) as f64;
        let mut value = 0.0;
        let mut grad: ArrayViewMut2<'_, f64> = grad.view_mut();
        for ((hr, &c), mut g) in h.rows().into_iter().zip(y).zip(grad.rows_mut()) {
            if !self.prototypes.present[c] {
                continue;
            }
            for ((gv, &hv), &p) in g.iter_mut().zip(hr).zip(self.prototypes.means.row(c)) {
                value += scale * (hv - p) * (hv - p);
                *gv += 2.0 * scale * (hv - p);
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn stats(count: usize, mean: f64, variance: f64, entropy: f64) -> Option<ClassStats> {
        Some(ClassStats {
            count,
            mean: vec![mean],
            variance,
            entropy,
        })
    }

    #[test]
    fn the_server_weighs_by_count_variance_and_confidence() {
        // Two clients report class 0: a large, tight, confident one at 0 and
        // a small, loose, unsure one at 10.
        let clients = vec![
            vec![stats(90, 0.0, 1.0, 0.1), None],
            vec![stats(10, 10.0, 4.0, 0.9), stats(5, 3.0, 1.0, 0.5)],
        ];
        let pooled = |p: Prototypes| p.pool(&clients, 2, 1);
        let plain = pooled(Prototypes {
            inverse_variance: false,
            confidence: false,
            ..Default::default()
        });
        assert!(
            (plain.means[(0, 0)] - 1.0).abs() < 1e-12,
            "count-weighted: 10 x 10 / 100"
        );
        let full = pooled(Prototypes::default());
        // Pooled variance of class 0: (90 x 1 + 10 x 4) / 100 = 1.3; shrunk:
        // (90 + 13) / 100 = 1.03 and (40 + 13) / 20 = 2.65. w0 = 90 / 1.03 x 0.9,
        // w1 = 10 / 2.65 x 0.1.
        let (w0, w1) = (90.0 / 1.03 * 0.9, 10.0 / 2.65 * 0.1);
        let want = w1 * 10.0 / (w0 + w1);
        assert!(
            (full.means[(0, 0)] - want).abs() < 1e-6,
            "{} vs {want}",
            full.means[(0, 0)]
        );
        // A client with one row of a class (variance 0) does not take over.
        let lone = vec![
            vec![stats(90, 0.0, 1.0, 0.1), None],
            vec![stats(1, 10.0, 0.0, 0.1), None],
        ];
        let p = Prototypes::default().pool(&lone, 2, 1);
        assert!(p.means[(0, 0)] < 0.5, "{}", p.means[(0, 0)]);
        assert_eq!(full.means[(1, 0)], 3.0);
        assert_eq!(full.present, vec![true, true]);
        let none = Prototypes::default().pool(&clients[..1], 2, 1);
        assert_eq!(none.present, vec![true, false]);
        // The nearest prototype among the present ones.
        assert_eq!(none.predict(array![[100.0], [-3.0]].view()), vec![0, 0]);
        assert_eq!(full.predict(array![[2.0], [-3.0]].view()), vec![1, 0]);
    }

    #[test]
    fn class_stats_are_the_rows_moments() {
        let net = Network::new(super::super::ModelSpec::Softmax, 2, 3, 0);
        let x = array![[1.0, 2.0], [3.0, 2.0], [5.0, 5.0]];
        let s = class_stats(&net, x.view(), &[0, 0, 2]);
        let s0 = s[0].as_ref().unwrap();
        assert_eq!((s0.count, s0.mean.clone(), s0.variance), (2, vec![2.0, 2.0], 0.5));
        // The zero model predicts uniformly: entropy 1.
        assert!((s0.entropy - 1.0).abs() < 1e-12);
        assert!(s[1].is_none() && s[2].as_ref().unwrap().variance == 0.0);
    }

    #[test]
    fn the_alignment_gradient_is_the_terms_derivative() {
        let protos = GlobalPrototypes {
            means: array![[1.0, -1.0], [0.5, 0.5]],
            present: vec![true, false],
        };
        let a = Alignment {
            prototypes: &protos,
            lambda: 0.7,
        };
        let h = array![[0.3, 0.2], [2.0, 1.0], [-1.0, 0.0]];
        let y = [0, 1, 0];
        let mut g = Array2::zeros((3, 2));
        let value = a.add_gradient(h.view(), &y, &mut g);
        for i in 0..3 {
            for j in 0..2 {
                let mut up = h.clone();
                up[(i, j)] += 1e-6;
                let numeric = (a.add_gradient(up.view(), &y, &mut Array2::zeros((3, 2))) - value) / 1e-6;
                assert!((numeric - g[(i, j)]).abs() < 1e-5, "{i},{j}");
            }
        }
        assert_eq!(g.row(1).to_vec(), vec![0.0, 0.0], "class 1 has no prototype");
    }
}
