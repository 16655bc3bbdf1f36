//! Assembled-SMOTE (Zhou, Yang, Guo & Hu 2013, "A Hybrid Oversampling
//! Technique Based on Cluster Assembled and Distance-Based Filtering"), as
//! smote-variants 1.0.1's `Assembled_SMOTE`.

use imbalanced_catalog::Estimator;
use imbalanced_neighbors::KnnIndex;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{
    check_at_least, check_proportion, normalised, principal_axis, resample, sample_segments, self_query, Binary,
    BinaryVariant, Outcome,
};
use crate::error::{ResampleError, Result};
use crate::util::{make_rng, numpy_sum};
use crate::{Resampled, Resampler};
use imbalanced_data::{take_rows, Xy};
use imbalanced_random::RngKind;

/// SMOTE inside clusters of borderline minority rows that share a
/// direction.
///
/// Assembled-SMOTE (Zhou et al. 2013), as smote-variants 1.0.1's
/// `Assembled_SMOTE`: minority rows with a majority row among their
/// `n_neighbors + 1` nearest rows are borderline. Borderline rows are
/// merged by single linkage (nearest pair first); two clusters of at least
/// `pop` rows merge only when their first principal components make
/// `|cos| > thres`. The clusters, and the other minority rows as one more,
/// are drawn in proportion to their size; inside one, SMOTE (segments to
/// the `n_neighbors` nearest rows of the cluster, a random point). More
/// classes go through `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "Assembled_SMOTE", kind = "over", aliases = ["assembled-smote"])]
pub struct AssembledSmote {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Neighbours that find the borderline rows, and SMOTE's partners inside a cluster. Default: 5.
    pub n_neighbors: usize,
    /// Clusters smaller than this always merge with their nearest. Default: 2.
    pub pop: usize,
    /// Two larger clusters merge when the |cosine| of their first principal components exceeds this.
    /// Default: 0.3.
    pub thres: f64,
    /// Seed of the clusters, segments and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for AssembledSmote {
    fn default() -> Self {
        AssembledSmote {
            proportion: 1.0,
            n_neighbors: 5,
            pop: 2,
            thres: 0.3,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// `|cos|` of the angle between the first principal components of two
/// sets of rows.
fn alignment(a: ArrayView2<'_, f64>, b: ArrayView2<'_, f64>) -> f64 {
    let (u, v) = (principal_axis(a), principal_axis(b));
    let dot: f64 = u.iter().zip(&v).map(|(p, q)| p * q).sum();
    let norm = |w: &[f64]| w.iter().map(|x| x * x).sum::<f64>().sqrt();
    (dot / (norm(&u) * norm(&v))).abs()
}

impl AssembledSmote {
    /// smote-variants' agglomeration of the borderline rows `border`: rows
    /// of `border` per cluster, in merge order.
    fn clusters(&self, border: ArrayView2<'_, f64>) -> Vec<Vec<usize>> {
        let m = border.nrows();
        let mut clusters: Vec<Vec<usize>> = (0..m).map(|i| vec![i]).collect();
        // sqrt(np.sum((X[:, None] - X) ** 2, axis=-1)), the diagonal infinite.
        let mut dist = Array2::from_shape_fn((m, m), |(i, j)| {
            if i == j {
                return f64::INFINITY;
            }
            let sq: Vec<f64> = border
                .row(i)
                .iter()
                .zip(border.row(j))
                .map(|(a, b)| (a - b) * (a - b))
                .collect();
            numpy_sum(&sq).sqrt()
        });
        while dist.nrows() > 1 {
            // np.where(distm == np.min(distm)): the first in row order.
            let (mut a, mut b, mut least) = (0, 0, f64::INFINITY);
            for ((i, j), &v) in dist.indexed_iter() {
                if v < least {
                    (a, b, least) = (i, j, v);
                }
            }
            if least == f64::INFINITY {
                break;
            }
            let merge = clusters[a].len() < self.pop
                || clusters[b].len() < self.pop
                || alignment(
                    take_rows(border, &clusters[a]).view(),
                    take_rows(border, &clusters[b]).view(),
                ) > self.thres;
            if !merge {
                dist[(a, b)] = f64::INFINITY;
                dist[(b, a)] = f64::INFINITY;
                continue;
            }
            let moved = clusters.remove(b);
            clusters[a].extend(moved);
            let joined: Vec<f64> = (0..dist.ncols()).map(|j| dist[(a, j)].min(dist[(b, j)])).collect();
            for (j, &v) in joined.iter().enumerate() {
                dist[(a, j)] = v;
                dist[(j, a)] = v;
            }
            let keep: Vec<usize> = (0..dist.nrows()).filter(|&r| r != b).collect();
            dist = dist.select(ndarray::Axis(0), &keep).select(ndarray::Axis(1), &keep);
            for i in 0..dist.nrows() {
                dist[(i, i)] = f64::INFINITY;
            }
        }
        clusters
    }
}

impl BinaryVariant for AssembledSmote {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let x_min = data.minority_rows();
        let k = data.x.nrows().min(self.n_neighbors + 1);
        let found = KnnIndex::new(data.x).query(x_min.view(), k)?.indices;
        let border: Vec<bool> = found
            .rows()
            .into_iter()
            .map(|row| row.iter().any(|&i| !data.minority[i]))
            .collect();
        let pick = |b: bool| -> Vec<usize> { (0..x_min.nrows()).filter(|&i| border[i] == b).collect() };
        let border_rows = take_rows(x_min.view(), &pick(true));
        if border_rows.nrows() == 0 {
            return Ok(Array2::zeros((0, data.x.ncols())).into());
        }
        let mut groups: Vec<Array2<f64>> = self
            .clusters(border_rows.view())
            .iter()
            .map(|c| take_rows(border_rows.view(), c))
            .collect();
        let inner = pick(false);
        if !inner.is_empty() {
            groups.push(take_rows(x_min.view(), &inner));
        }
        let sizes: Vec<f64> = groups.iter().map(|g| g.nrows() as f64).collect();
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut counts = vec![0usize; groups.len()];
        rng.choice_p(&normalised(&sizes), n)
            .into_iter()
            .for_each(|g| counts[g] += 1);
        let mut out = Array2::zeros((0, data.x.ncols()));
        for (group, &count) in groups.iter().zip(&counts).filter(|(_, &c)| c > 0) {
            let partners = self_query(group.view(), self.n_neighbors)?;
            let block = sample_segments(group.view(), &partners, count, &mut rng);
            out.append(ndarray::Axis(0), block.view()).expect("same width");
        }
        Ok(out.into())
    }
}

impl Resampler for AssembledSmote {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        check_at_least("pop", self.pop as f64, 1.0)?;
        if !(0.0..=1.0).contains(&self.thres) {
            return Err(ResampleError::Parameter {
                name: "thres".into(),
                value: self.thres.to_string(),
                expected: "a |cosine| threshold in [0, 1]".into(),
            });
        }
        resample(self, data.x(), data.y(), self.proportion)
    }
}
