//! Feature binning as scikit-learn 1.9's `_BinMapper`: per feature at most
//! `max_bins` bins, cut at the midpoints of the distinct values where there
//! are few enough of them, else at (weighted) quantiles of a subsample of
//! 200,000 rows; a value `x` falls in bin `b` when
//! `thresholds[b - 1] < x <= thresholds[b]`.

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::ArrayView2;
use rayon::prelude::*;

/// Rows scikit-learn finds the quantiles on (`_BinMapper.subsample`).
const SUBSAMPLE: usize = 200_000;

/// The bin edges of every feature.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BinMapper {
    /// Increasing thresholds of each feature: `thresholds[f].len() + 1` bins.
    pub thresholds: Vec<Vec<f64>>,
}

/// Binned rows, feature-major: feature `f` of row `i` at `codes[f * n_rows + i]`.
pub(crate) struct Binned {
    pub n_rows: usize,
    pub codes: Vec<u8>,
}

impl Binned {
    pub fn column(&self, f: usize) -> &[u8] {
        &self.codes[f * self.n_rows..(f + 1) * self.n_rows]
    }
}

impl BinMapper {
    /// Bin edges of `x` (weights `w` of its rows, if any) with at most
    /// `max_bins` bins per feature (`max_bins <= 255`).
    pub fn fit(x: ArrayView2<'_, f64>, w: Option<&[f64]>, max_bins: usize, seed: u64) -> Self {
        let n = x.nrows();
        // Above 200,000 rows scikit-learn draws that many rows with
        // replacement, in proportion to their weights, and drops the weights.
        let (rows, w): (Vec<usize>, Option<&[f64]>) = if n > SUBSAMPLE {
            let mut rng = SamplerRng::new(RngKind::Default, seed);
            let cumulative: Vec<f64> = w
                .unwrap_or(&vec![1.0; n])
                .iter()
                .scan(0.0, |s, v| {
                    *s += v;
                    Some(*s)
                })
                .collect();
            let total = cumulative[n - 1];
            let mut rows: Vec<usize> = (0..SUBSAMPLE)
                .map(|_| {
                    let t = rng.random() * total;
                    cumulative.partition_point(|&c| c <= t).min(n - 1)
                })
                .collect();
            rows.sort_unstable();
            (rows, None)
        } else {
            ((0..n).collect(), w)
        };
        let thresholds = (0..x.ncols())
            .into_par_iter()
            .map(|f| {
                let mut pairs: Vec<(f64, f64)> = rows
                    .iter()
                    .map(|&i| (x[(i, f)], w.map_or(1.0, |w| w[i])))
                    .filter(|&(_, w)| w != 0.0)
                    .collect();
                pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
                thresholds(&pairs, w.is_some(), max_bins)
            })
            .collect();
        BinMapper { thresholds }
    }

    /// The bin of every value of `x`, feature-major.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Binned {
        let n = x.nrows();
        let mut codes = vec![0u8; n * x.ncols()];
        codes.par_chunks_mut(n.max(1)).enumerate().for_each(|(f, out)| {
            let t = &self.thresholds[f];
            for (i, code) in out.iter_mut().enumerate() {
                *code = bin_of(t, x[(i, f)]) as u8;
            }
        });
        Binned { n_rows: n, codes }
    }
}

/// The first bin whose threshold is `>= v`.
fn bin_of(thresholds: &[f64], v: f64) -> usize {
    thresholds.partition_point(|&t| t < v)
}

/// One feature's thresholds from its sorted (value, weight) pairs.
fn thresholds(pairs: &[(f64, f64)], weighted: bool, max_bins: usize) -> Vec<f64> {
    let mut distinct: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    distinct.dedup();
    if distinct.len() <= 1 {
        return Vec::new();
    }
    let mut out: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| (w[0] + w[1]) / 2.0).collect()
    } else {
        let cumulative: Vec<f64> = pairs
            .iter()
            .scan(0.0, |s, p| {
                *s += if weighted { p.1 } else { 1.0 };
                Some(*s)
            })
            .collect();
        let total = cumulative[cumulative.len() - 1];
        (1..max_bins)
            .map(|k| averaged_inverted_cdf(pairs, &cumulative, total * k as f64 / max_bins as f64))
            .collect()
    };
    out.dedup();
    // scikit-learn's ALMOST_INF: +inf thresholds are kept for NaN splits.
    out.iter_mut().for_each(|t| *t = t.min(1e300));
    out
}

/// NumPy's `percentile(method="averaged_inverted_cdf")` (and
/// scikit-learn's `_weighted_percentile(average=True)`): the value where
/// the cumulative weight first exceeds `target`, averaged with the next
/// value where it lands exactly on a boundary.
fn averaged_inverted_cdf(pairs: &[(f64, f64)], cumulative: &[f64], target: f64) -> f64 {
    let i = cumulative.partition_point(|&c| c < target).min(pairs.len() - 1);
    if cumulative[i] == target && i + 1 < pairs.len() {
        (pairs[i].0 + pairs[i + 1].0) / 2.0
    } else {
        pairs[i].0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn few_distinct_values_are_cut_at_midpoints() {
        let pairs: Vec<(f64, f64)> = [1.0, 1.0, 2.0, 4.0].iter().map(|&v| (v, 1.0)).collect();
        assert_eq!(thresholds(&pairs, false, 255), vec![1.5, 3.0]);
        assert!(thresholds(&[(3.0, 1.0)], false, 255).is_empty());
        let t = [1.5, 3.0];
        assert_eq!([1.0, 1.5, 1.6, 3.0, 9.0].map(|v| bin_of(&t, v)), [0, 0, 1, 1, 2]);
    }

    #[test]
    fn many_values_are_cut_at_numpy_quantiles() {
        // np.percentile(np.arange(10.), [25, 50, 75], method="averaged_inverted_cdf") = [2, 4.5, 7]
        let pairs: Vec<(f64, f64)> = (0..10).map(|v| (f64::from(v), 1.0)).collect();
        assert_eq!(thresholds(&pairs, false, 4), vec![2.0, 4.5, 7.0]);
        // Weights 3 on the first value move the quantiles as repeats would.
        let mut weighted = pairs.clone();
        weighted[0].1 = 3.0;
        let repeated: Vec<(f64, f64)> = [0.0, 0.0].iter().map(|&v| (v, 1.0)).chain(pairs).collect();
        assert_eq!(thresholds(&weighted, true, 4), thresholds(&repeated, false, 4));
    }

    #[test]
    fn binning_keeps_the_order_of_values_and_fits_in_a_byte() {
        let x = Array2::from_shape_fn((1000, 2), |(i, j)| ((i * 7919) % 1000) as f64 * (j as f64 + 1.0));
        let m = BinMapper::fit(x.view(), None, 255, 0);
        let b = m.transform(x.view());
        for f in 0..2 {
            assert_eq!(m.thresholds[f].len(), 254);
            let col = b.column(f);
            for i in 0..1000 {
                for k in 0..1000 {
                    if x[(i, f)] < x[(k, f)] {
                        assert!(col[i] <= col[k]);
                    }
                }
            }
        }
    }
}
