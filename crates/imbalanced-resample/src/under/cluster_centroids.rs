use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use imbalanced_neighbors::KnnIndex;
use ndarray::{concatenate, Array2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, class_rng};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_models::kmeans::kmeans;
use imbalanced_random::RngKind;

/// How ClusterCentroids turns clusters into rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Voting {
    /// `Soft` for dense data (always here). The default.
    #[default]
    Auto,
    /// Each cluster is replaced by the class's row nearest to its centroid.
    Hard,
    /// Each cluster is replaced by its centroid (a synthetic row).
    Soft,
}

/// Replace the larger classes by k-means centroids (soft) or the rows nearest them (hard).
///
/// Prototype generation (Yen & Lee 2009): each under-sampled class is
/// replaced by the centroids of a k-means clustering with as many clusters
/// as rows wanted. imbalanced-learn's `ClusterCentroids` with its default
/// estimator, `KMeans(random_state)` (k-means++, Lloyd, `max_iter` 300).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ClusterCentroids", kind = "generation", aliases = ["cc"])]
pub struct ClusterCentroids {
    /// Which classes to under-sample and to what size: `auto` (every class but the minority, down to its size),
    /// `majority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// `soft` (each cluster becomes its centroid), `hard` (the class's row nearest to it) or `auto` (soft).
    /// Default: `auto`.
    pub voting: Voting,
    /// Lloyd iterations of k-means at most. Default: 300.
    pub max_iter: usize,
}

impl Default for ClusterCentroids {
    fn default() -> Self {
        ClusterCentroids {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            voting: Voting::Auto,
            max_iter: 300,
        }
    }
}

impl Resampler for ClusterCentroids {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        if self.max_iter == 0 {
            return Err(ResampleError::Parameter {
                name: "max_iter".into(),
                value: "0".into(),
                expected: "an integer >= 1".into(),
            });
        }
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Under, classes)?;
        let mut blocks: Vec<Array2<f64>> = Vec::new();
        let (mut out_y, mut origin) = (Vec::new(), Vec::new());
        for &c in counts.keys() {
            let members = class_indices(y, c);
            let xc = take_rows(x.view(), &members);
            match targets.get(&c) {
                Some(&n_keep) if n_keep > 0 => {
                    let mut rng = class_rng(self.rng, self.random_state, c)?;
                    let clusters = kmeans(xc.view(), n_keep, self.max_iter, &mut rng)?;
                    match self.voting {
                        Voting::Hard => {
                            let nn = KnnIndex::new(xc.view()).query(clusters.centers.view(), 1)?;
                            let rows: Vec<usize> = nn.indices.column(0).iter().map(|&p| members[p]).collect();
                            blocks.push(take_rows(x.view(), &rows));
                            origin.extend(rows.into_iter().map(Some));
                        }
                        Voting::Soft | Voting::Auto => {
                            origin.extend(std::iter::repeat_n(None, clusters.centers.nrows()));
                            blocks.push(clusters.centers);
                        }
                    }
                    out_y.extend(std::iter::repeat_n(c, n_keep));
                }
                Some(_) => {}
                None => {
                    blocks.push(xc);
                    out_y.extend(std::iter::repeat_n(c, members.len()));
                    origin.extend(members.into_iter().map(Some));
                }
            }
        }
        let views: Vec<_> = blocks.iter().map(|b| b.view()).collect();
        Ok(Resampled {
            x: concatenate(Axis(0), &views).expect("same width"),
            y: out_y,
            origin,
        })
    }
}
