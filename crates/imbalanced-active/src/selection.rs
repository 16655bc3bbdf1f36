//! Which model a federated client queries with: the global model, its own
//! local model, or FairFAL's choice between them (Zong & Huang, CVPR 2026,
//! `FairFALSampling.query_model_selection` and `query` of its code).

use imbalanced_federated::Network;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// The model whose outputs a client's query reads. Default: global.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryModel {
    /// The federated (global) model.
    #[default]
    Global,
    /// A model trained from scratch on the client's labelled rows alone.
    Local,
    /// FairFAL's rule: the global model for the uncertainty scores when
    /// `1 - t (d + r) + (1 - 2t) d r > 0.75` (t = 0.5), where `d` is the
    /// client's divergence between the two models and `r` the clients' mean
    /// global balance (both below), else the local model; the global model's
    /// probabilities in the gradient embeddings when `r < 0.5`, else the
    /// local model's. The features (prototypes, coreset, the embeddings'
    /// `h`) are the global model's.
    Adaptive,
}

impl std::str::FromStr for QueryModel {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
            .map_err(|_| format!("unknown query model {s:?}: use global, local or adaptive"))
    }
}

/// FairFAL's rule's temperature `t`.
const T: f64 = 0.5;

/// The class probabilities of `x` under `net`.
pub(crate) fn probabilities(net: &Network, x: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut p = net.logits(x);
    for mut r in p.rows_mut() {
        let m = r.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        r.mapv_inplace(|v| (v - m).exp());
        let s = r.sum();
        r.mapv_inplace(|v| v / s);
    }
    p
}

/// The class-balanced mean of the predicted probabilities of the rows
/// `proba` labelled `y`: the mean over the classes present of each class's
/// mean probability vector (our deterministic form of FairFAL's
/// `predict_balanced_prob_mean`, which averages over a class-balanced
/// resample of the rows).
pub(crate) fn balanced_mean(proba: ArrayView2<'_, f64>, y: &[usize]) -> Vec<f64> {
    let k = proba.ncols();
    let mut sums = Array2::<f64>::zeros((k, k));
    let mut counts = vec![0usize; k];
    for (p, &c) in proba.rows().into_iter().zip(y) {
        sums.row_mut(c).scaled_add(1.0, &p);
        counts[c] += 1;
    }
    let present: Vec<usize> = (0..k).filter(|&c| counts[c] > 0).collect();
    (0..k)
        .map(|j| present.iter().map(|&c| sums[(c, j)] / counts[c] as f64).sum::<f64>() / present.len().max(1) as f64)
        .collect()
}

/// FairFAL's statistics of one client, from the class-balanced mean
/// probabilities of its labelled rows under the global (`g`) and local
/// (`l`) models: the divergence `d = 0.5 mean_c |g_c - l_c| / ((g_c + l_c) / 2)`
/// over all classes (a class both models give 0 adds 0), and the global
/// balance `min g_c / max g_c` over the classes the client has labelled.
pub(crate) fn divergence_and_balance(g: &[f64], l: &[f64], labelled_classes: &[usize]) -> (f64, f64) {
    let d = 0.5
        * g.iter()
            .zip(l)
            .map(|(a, b)| {
                let mid = 0.5 * a + 0.5 * b;
                if mid > 0.0 {
                    (a - b).abs() / mid
                } else {
                    0.0
                }
            })
            .sum::<f64>()
        / g.len().max(1) as f64;
    let picked = labelled_classes.iter().map(|&c| g[c]);
    let (lo, hi) = picked.fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    (d, if hi > 0.0 { lo / hi } else { 0.0 })
}

/// FairFAL's choices for one client: (uncertainty from the global model?,
/// gradient probabilities from the global model?).
pub(crate) fn fairfal_choice(d: f64, mean_balance: f64) -> (bool, bool) {
    let ratio = 1.0 - (1.0 - T) * (d + mean_balance) + (1.0 - 2.0 * T) * (d * mean_balance);
    (ratio > 0.75, mean_balance < 0.5)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn the_statistics_follow_fairfals_formulas() {
        // Two rows of class 0, one of class 2: class means, then their mean.
        let p = array![[0.6, 0.3, 0.1], [0.8, 0.1, 0.1], [0.2, 0.2, 0.6]];
        let m = balanced_mean(p.view(), &[0, 0, 2]);
        let want = [(0.7 + 0.2) / 2.0, (0.2 + 0.2) / 2.0, (0.1 + 0.6) / 2.0];
        for (a, b) in m.iter().zip(want) {
            assert!((a - b).abs() < 1e-12);
        }
        let (d, r) = divergence_and_balance(&[0.5, 0.3, 0.2], &[0.5, 0.1, 0.4], &[0, 2]);
        let want_d = 0.5 * (0.0 + 0.2 / 0.2 + 0.2 / 0.3) / 3.0;
        assert!((d - want_d).abs() < 1e-12 && (r - 0.4).abs() < 1e-12, "{d} {r}");
        assert_eq!(divergence_and_balance(&[0.0, 1.0], &[0.0, 1.0], &[1]), (0.0, 1.0));
        // ratio = 1 - (d + r) / 2: global uncertainty only when both are small.
        assert_eq!(fairfal_choice(0.1, 0.3), (true, true));
        assert_eq!(fairfal_choice(0.4, 0.3), (false, true));
        assert_eq!(fairfal_choice(0.1, 0.6), (false, false));
    }
}
