use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use ndarray::{linalg::general_mat_mul, s, Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::smote::{check_k, Output, SampleDraw};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_rng, make_rng, neighbors_of_rows};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_models::kmeans::minibatch_kmeans;
use imbalanced_random::RngKind;

/// SMOTE inside the k-means clusters where the class is common, more in sparse ones.
///
/// k-means SMOTE (Douzas, Bacao & Last 2018): clusters the whole data with
/// k-means, keeps the clusters where the class is common enough
/// (`cluster_balance_threshold`) and has more than `k_neighbors` samples,
/// and shares the new samples among them in proportion to their sparsity
/// (`mean distance^density_exponent / n`); within a cluster, SMOTE.
///
/// imbalanced-learn's `KMeansSMOTE`: the clustering is mini-batch k-means
/// with scikit-learn's `MiniBatchKMeans` defaults (8 clusters, as
/// `n_clusters` here; our generator, so not its exact clusters, and without
/// its reassignment of nearly empty centres), and, as in imbalanced-learn
/// (not the paper), the automatic density exponent uses the number of the
/// cluster's class samples: `log_1.6(n)^1.8 * 0.16`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "KMeansSMOTE", kind = "over", aliases = ["kmeans-smote"])]
pub struct KMeansSmote {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Same-class nearest neighbours a new sample is interpolated towards. Default: 2.
    pub k_neighbors: usize,
    /// Number of k-means clusters (imbalanced-learn's `kmeans_estimator` given as an integer). Default: 8.
    #[serde(rename = "kmeans_estimator")]
    pub n_clusters: usize,
    /// Smallest share of the class in a cluster that is over-sampled: a number, or `auto` (samples wanted for
    /// the class / all samples wanted / 2). Default: `auto`.
    #[serde(with = "crate::util::auto_or_number")]
    pub cluster_balance_threshold: Option<f64>,
    /// Exponent of a cluster's mean distance in its sparsity: a number, or `auto` (`0.16 * log1.6(m)^1.8` for a
    /// cluster of m rows). Default: `auto`.
    #[serde(with = "crate::util::auto_or_number")]
    pub density_exponent: Option<f64>,
}

impl Default for KMeansSmote {
    fn default() -> Self {
        KMeansSmote {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            k_neighbors: 2,
            n_clusters: 8,
            cluster_balance_threshold: None,
            density_exponent: None,
        }
    }
}

impl KMeansSmote {
    /// `mean pairwise distance ^ exponent / n` of the rows `rows` of `x`.
    fn sparsity(&self, x: ArrayView2<'_, f64>, rows: &[usize]) -> f64 {
        let m = rows.len();
        let exponent = self
            .density_exponent
            .unwrap_or_else(|| (m as f64).log(1.6).powf(1.8) * 0.16);
        mean_pairwise_distance(x, rows).powf(exponent) / m as f64
    }
}

/// The mean Euclidean distance between distinct rows `rows` of `x`
/// (scikit-learn's `pairwise_distances(X).sum() / (m² - m)`, at least two
/// rows), as scikit-learn computes distances: `|a|² + |b|² - 2 a·b` from a
/// matrix product, here of the centred rows, each pair once. A product
/// of 256-row blocks rather than one measure per pair: a cluster of a few
/// thousand rows has millions of pairs.
fn mean_pairwise_distance(x: ArrayView2<'_, f64>, rows: &[usize]) -> f64 {
    const BLOCK: usize = 256;
    const COLUMNS: usize = 1024;
    let m = rows.len();
    let mut pts = take_rows(x, rows);
    if let Some(mean) = pts.mean_axis(Axis(0)) {
        pts -= &mean;
    }
    let norms: Vec<f64> = pts.rows().into_iter().map(|r| r.dot(&r)).collect();
    let block_sums: Vec<f64> = (0..m.div_ceil(BLOCK))
        .into_par_iter()
        .map(|b| {
            let (a0, a1) = (b * BLOCK, ((b + 1) * BLOCK).min(m));
            let mut gram = Array2::<f64>::zeros((a1 - a0, COLUMNS));
            let mut sum = 0.0;
            for c0 in (a0..m).step_by(COLUMNS) {
                let c1 = (c0 + COLUMNS).min(m);
                let mut g = gram.slice_mut(s![.., ..c1 - c0]);
                general_mat_mul(
                    1.0,
                    &pts.slice(s![a0..a1, ..]),
                    &pts.slice(s![c0..c1, ..]).t(),
                    0.0,
                    &mut g,
                );
                for (r, row) in g.rows().into_iter().enumerate() {
                    // Pairs (a, b > a) only.
                    let first = (a0 + r + 1).max(c0);
                    if first < c1 {
                        let row = &row.as_slice().expect("row-major")[first - c0..];
                        sum += sum_of_distances(norms[a0 + r], &norms[first..c1], row);
                    }
                }
            }
            sum
        })
        .collect();
    2.0 * block_sums.iter().sum::<f64>() / (m * m - m) as f64
}

/// `Σ sqrt(max(0, na + nb[i] - 2 g[i]))`, in eight running sums so that
/// the square roots vectorise.
fn sum_of_distances(na: f64, nb: &[f64], g: &[f64]) -> f64 {
    let dist = |nb: f64, g: f64| (na + nb - 2.0 * g).max(0.0).sqrt();
    let mut acc = [0.0; 8];
    let (nbs, gs) = (nb.chunks_exact(8), g.chunks_exact(8));
    let tail: f64 = nbs
        .remainder()
        .iter()
        .zip(gs.remainder())
        .map(|(&b, &g)| dist(b, g))
        .sum();
    for (nb8, g8) in nbs.zip(gs) {
        for l in 0..8 {
            acc[l] += dist(nb8[l], g8[l]);
        }
    }
    acc.iter().sum::<f64>() + tail
}

impl Resampler for KMeansSmote {
    fn output_starts_with_input(&self) -> bool {
        true
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        check_k("k_neighbors", self.k_neighbors)?;
        check_k("n_clusters", self.n_clusters)?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Over, classes)?;
        let total_wanted: usize = targets.values().sum();
        let mut rng = make_rng(self.rng, self.random_state)?;
        let clusters = minibatch_kmeans(x, self.n_clusters, &mut rng)?;
        let n_clusters = clusters.centers.nrows();
        let mut members = vec![Vec::new(); n_clusters];
        for (i, &c) in clusters.labels.iter().enumerate() {
            members[c].push(i);
        }
        let k = self.k_neighbors;
        let mut out = Output::new(x, y, total_wanted);
        for (&c, &n_new) in targets.iter().filter(|(_, &n)| n > 0) {
            let threshold = match (n_clusters, self.cluster_balance_threshold) {
                (1, _) => f64::NEG_INFINITY,
                (_, Some(t)) => t,
                (_, None) => n_new as f64 / total_wanted as f64 / 2.0,
            };
            let mut valid = Vec::new();
            for rows in members.iter().filter(|m| !m.is_empty()) {
                let own: Vec<usize> = rows.iter().copied().filter(|&i| y[i] == c).collect();
                let share = own.len() as f64 / rows.len() as f64;
                if share < threshold || (own.len() as f64) < (k + 1) as f64 {
                    continue;
                }
                let sparsity = self.sparsity(x, &own);
                valid.push((own, sparsity));
            }
            if valid.is_empty() {
                return Err(ResampleError::NotApplicable(format!(
                    "KMeansSMOTE: no cluster has enough samples of class {c}: lower cluster_balance_threshold \
                     or change n_clusters"
                )));
            }
            let total: f64 = valid.iter().map(|v| v.1).sum();
            for (ci, (own, sparsity)) in valid.iter().enumerate() {
                let weight = if total > 0.0 {
                    sparsity / total
                } else {
                    1.0 / valid.len() as f64
                };
                let n = (n_new as f64 * weight).ceil() as usize;
                let xc = take_rows(x.view(), own);
                let all: Vec<usize> = (0..own.len()).collect();
                let nns = neighbors_of_rows(xc.view(), &all, k, c, "k_neighbors")?.indices;
                // imbalanced-learn restarts the stream for every cluster; elsewhere one per cluster.
                let seed = match self.rng {
                    RngKind::Numpy => self.random_state,
                    RngKind::Default => self.random_state.wrapping_add(ci as u64),
                };
                let mut crng = class_rng(self.rng, seed, c)?;
                SampleDraw::within(xc.view(), &nns).append_to(&mut crng, n, out.rows_of(c, n));
            }
        }
        Ok(out.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::SamplerRng;

    #[test]
    fn mean_pairwise_distance_matches_every_pair_measured() {
        let mut rng = SamplerRng::new(RngKind::Default, 9);
        // Sizes around the block (256) and column (1024) edges.
        for m in [2, 3, 255, 257, 1030] {
            let x = Array2::from_shape_fn((m + 10, 4), |_| rng.uniform(-3.0, 3.0) + 100.0);
            let rows: Vec<usize> = (5..m + 5).collect();
            let mut total = 0.0;
            for &a in &rows {
                for &b in &rows {
                    total += imbalanced_neighbors::squared_distance(
                        x.row(a).as_slice().unwrap(),
                        x.row(b).as_slice().unwrap(),
                    )
                    .sqrt();
                }
            }
            let want = total / (m * m - m) as f64;
            let got = mean_pairwise_distance(x.view(), &rows);
            assert!((got - want).abs() <= 1e-12 * want, "m = {m}: {got} vs {want}");
        }
    }
}
