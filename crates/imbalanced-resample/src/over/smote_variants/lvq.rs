//! LVQ-SMOTE (Nakamura, Kajiwara, Otsuka & Kimura 2013, "LVQ-SMOTE:
//! Learning Vector Quantization based Synthetic Minority Over-sampling
//! Technique for biomedical data"), as smote-variants 1.0.1's `LVQ_SMOTE`.

use imbalanced_catalog::Estimator;
use imbalanced_models::kmeans::kmeans;
use imbalanced_neighbors::KnnIndex;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, resample, Binary, BinaryVariant, Outcome};
use crate::error::Result;
use crate::util::make_rng;
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// New rows that copy the offset between two codebook vectors.
///
/// LVQ-SMOTE (Nakamura et al. 2013), as smote-variants 1.0.1's
/// `LVQ_SMOTE`: the codebook is the minority's k-means centres
/// (`min(n_min, n_clusters)`, scikit-learn's `KMeans` with k-means++ and
/// one start, seeded with `random_state`). Each new row draws two centres
/// `a`, `b`; among the pairs of other centres `(i, j)` (`i = j` included,
/// as smote-variants) the one whose difference is nearest to `a - b` gives
/// one of its two centres `c` (drawn at each improvement); the row is `a +
/// (x - c)` for `x` drawn among the `n_neighbors` nearest minority rows of
/// `c`. More classes go through `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "LVQ_SMOTE", kind = "over", aliases = ["lvq-smote"])]
pub struct LvqSmote {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Nearest minority rows of a codebook vector that a new row copies from. Default: 5.
    pub n_neighbors: usize,
    /// Codebook size: k-means centres of the minority (at least 3). Default: 10.
    pub n_clusters: usize,
    /// Seed of the k-means and of the draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms). Default: `default`.
    pub rng: RngKind,
}

impl Default for LvqSmote {
    fn default() -> Self {
        LvqSmote {
            proportion: 1.0,
            n_neighbors: 5,
            n_clusters: 10,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl BinaryVariant for LvqSmote {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let x_min = data.minority_rows();
        let d = x_min.ncols();
        // scikit-learn's KMeans has its own RandomState(random_state).
        let mut kmeans_rng = make_rng(self.rng, self.random_state)?;
        let codebook = kmeans(x_min.view(), self.n_clusters.min(x_min.nrows()), 300, &mut kmeans_rng)?.centers;
        // At least 3 centres: the class has 3 rows or more, n_clusters >= 3.
        let m = codebook.nrows();
        let k = x_min.nrows().min(self.n_neighbors);
        let near = KnnIndex::new(x_min.view()).query(codebook.view(), k)?.indices;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut out = Array2::zeros((n, d));
        for r in 0..n {
            let codes = rng.choice(m, 2, false);
            let (a, b) = (codes[0], codes[1]);
            let mut best = (f64::INFINITY, usize::MAX);
            for i in (0..m).filter(|&i| i != a && i != b) {
                for j in (0..m).filter(|&j| j != a && j != b) {
                    let gap = (0..d)
                        .map(|c| {
                            let v = (codebook[(a, c)] - codebook[(b, c)]) - (codebook[(i, c)] - codebook[(j, c)]);
                            v * v
                        })
                        .sum::<f64>()
                        .sqrt();
                    if gap < best.0 {
                        best = (gap, if rng.randint(2) == 0 { i } else { j });
                    }
                }
            }
            let c = best.1;
            let x = near[(c, rng.randint(k))];
            for col in 0..d {
                out[(r, col)] = codebook[(a, col)] + (x_min[(x, col)] - codebook[(c, col)]);
            }
        }
        Ok(out.into())
    }
}

impl Resampler for LvqSmote {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        check_at_least("n_clusters", self.n_clusters as f64, 3.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}
