//! How training batches are drawn: class-aware sampling schedules of the
//! long-tail literature (Kang et al. 2020, "Decoupling representation and
//! classifier"): instance-balanced, class-balanced, square-root, and
//! progressive; and, for multi-label data, weighting each sample by its
//! rarest positive label.

use imbalanced_random::SamplerRng;
use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

/// Which rows make an epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BatchSampling {
    /// Every training row once per epoch, shuffled. The default.
    #[default]
    Instance,
    /// Rows drawn with replacement so that every class is equally likely.
    ClassBalanced,
    /// Class probability ∝ sqrt(n_c).
    #[serde(rename = "sqrt")]
    SquareRoot,
    /// From instance-balanced (first epoch) to class-balanced (last),
    /// linearly in the epoch: `p_c ∝ (1 - t) n_c / N + t / C`.
    Progressive,
}

impl BatchSampling {
    /// The first epoch of `epochs` from which the scheme no longer changes:
    /// progressive sampling's last (fully class-balanced) epoch; 0 for the others.
    pub fn settles_at(self, epochs: usize) -> usize {
        match self {
            BatchSampling::Progressive => epochs.saturating_sub(1),
            _ => 0,
        }
    }
}

/// Per-row sampling weights of `scheme` at `epoch` of `epochs`
/// (`None` for [`BatchSampling::Instance`]).
pub fn sampling_weights(
    y: &[usize],
    n_classes: usize,
    scheme: BatchSampling,
    epoch: usize,
    epochs: usize,
) -> Option<Vec<f64>> {
    let mut counts = vec![0.0f64; n_classes];
    y.iter().for_each(|&c| counts[c] += 1.0);
    let n = y.len() as f64;
    let present = counts.iter().filter(|&&c| c > 0.0).count() as f64;
    let class_p: Vec<f64> = match scheme {
        BatchSampling::Instance => return None,
        BatchSampling::ClassBalanced => counts
            .iter()
            .map(|&c| if c > 0.0 { 1.0 / present } else { 0.0 })
            .collect(),
        BatchSampling::SquareRoot => {
            let total: f64 = counts.iter().map(|c| c.sqrt()).sum();
            counts.iter().map(|c| c.sqrt() / total).collect()
        }
        BatchSampling::Progressive => {
            let t = if epochs > 1 {
                epoch as f64 / (epochs - 1) as f64
            } else {
                1.0
            };
            counts
                .iter()
                .map(|&c| if c > 0.0 { (1.0 - t) * c / n + t / present } else { 0.0 })
                .collect()
        }
    };
    // A row's weight is its class's probability shared among the class's rows.
    Some(y.iter().map(|&c| class_p[c] / counts[c]).collect())
}

/// Multi-label: each sample weighs `1 / n_l` for its rarest positive label
/// `l` (`n_l` the label's positive count); samples without positives weigh
/// `1 / n` (n rows).
pub fn rarest_positive_weights(labels: ArrayView2<'_, f64>) -> Vec<f64> {
    let counts: Vec<f64> = labels
        .columns()
        .into_iter()
        .map(|c| c.iter().filter(|&&v| v > 0.0).count() as f64)
        .collect();
    let n = labels.nrows() as f64;
    labels
        .rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .zip(&counts)
                .filter(|(&v, _)| v > 0.0)
                .map(|(_, &c)| c)
                .fold(f64::INFINITY, f64::min)
        })
        .map(|c| if c.is_finite() { 1.0 / c } else { 1.0 / n })
        .collect()
}

/// `draws` row indices drawn with replacement with probability ∝ `weights`.
pub fn draw_weighted(weights: &[f64], draws: usize, rng: &mut SamplerRng) -> Vec<usize> {
    let mut cumulative = Vec::with_capacity(weights.len());
    let mut total = 0.0;
    for w in weights {
        total += w;
        cumulative.push(total);
    }
    (0..draws)
        .map(|_| {
            let u = rng.random() * total;
            cumulative.partition_point(|&c| c <= u).min(weights.len() - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::RngKind;
    use ndarray::array;

    #[test]
    fn schedules_give_the_intended_class_shares() {
        let y: Vec<usize> = (0..1000).map(|i| usize::from(i % 10 == 0)).collect(); // 900 : 100
        let share = |w: &[f64], c: usize| {
            (0..y.len()).filter(|&i| y[i] == c).map(|i| w[i]).sum::<f64>() / w.iter().sum::<f64>()
        };
        let cb = sampling_weights(&y, 2, BatchSampling::ClassBalanced, 0, 1).unwrap();
        assert!((share(&cb, 1) - 0.5).abs() < 1e-12);
        let sq = sampling_weights(&y, 2, BatchSampling::SquareRoot, 0, 1).unwrap();
        assert!((share(&sq, 1) - 10.0 / 40.0).abs() < 1e-12);
        let first = sampling_weights(&y, 2, BatchSampling::Progressive, 0, 10).unwrap();
        let last = sampling_weights(&y, 2, BatchSampling::Progressive, 9, 10).unwrap();
        assert!((share(&first, 1) - 0.1).abs() < 1e-12 && (share(&last, 1) - 0.5).abs() < 1e-12);
        assert!(sampling_weights(&y, 2, BatchSampling::Instance, 0, 1).is_none());
        let mut rng = SamplerRng::new(RngKind::Default, 0);
        let drawn = draw_weighted(&cb, 20_000, &mut rng);
        let minority = drawn.iter().filter(|&&i| y[i] == 1).count() as f64 / 20_000.0;
        assert!((minority - 0.5).abs() < 0.02, "{minority}");
        let w = rarest_positive_weights(array![[1.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]].view());
        assert_eq!(w, vec![1.0 / 3.0, 1.0, 1.0 / 3.0, 0.25]);
    }
}
