//! Lee's over-sampler (Lee, Kim & Lee 2015, "Gaussian-based SMOTE
//! Algorithm for Solving Skewed Class Distributions"; its rejection
//! step), as smote-variants 1.0.1's `Lee`.

use imbalanced_catalog::Estimator;
use imbalanced_neighbors::KnnIndex;
use ndarray::{Array2, Axis};
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, resample, sample_segments, self_query, Binary, BinaryVariant, Outcome};
use crate::error::{ResampleError, Result};
use crate::util::make_rng;
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// SMOTE that rejects synthetic rows in majority neighbourhoods.
///
/// Lee et al. (2015), as smote-variants 1.0.1's `Lee`: SMOTE points
/// (segments to the `n_neighbors` nearest minority rows) are drawn in
/// batches of `max(missing, 20)`; a point is kept when the share of
/// majority rows among its `n_neighbors` nearest rows of the data is below
/// `rejection_level`. After more than five batches in a row keep nothing,
/// the level rises by 0.1, so the loop ends. The first `n = int((n_maj -
/// n_min) x proportion)` points kept are returned. More classes go through
/// `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "Lee", kind = "over", aliases = ["lee"])]
pub struct Lee {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Neighbours: the minority partners of a row, and the rows that judge a new point. Default: 5.
    pub n_neighbors: usize,
    /// A new point is kept when fewer than this share of its neighbours are majority rows. Default: 0.5.
    pub rejection_level: f64,
    /// Seed of the segments and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for Lee {
    fn default() -> Self {
        Lee {
            proportion: 1.0,
            n_neighbors: 5,
            rejection_level: 0.5,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl BinaryVariant for Lee {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let x_min = data.minority_rows();
        let judges = KnnIndex::new(data.x);
        let k_judge = x_min.nrows().min(self.n_neighbors);
        let partners = self_query(x_min.view(), self.n_neighbors)?;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut kept = Array2::zeros((0, data.x.ncols()));
        let (mut level, mut tries) = (self.rejection_level, 0);
        while kept.nrows() < n {
            let batch = sample_segments(x_min.view(), &partners, (n - kept.nrows()).max(20), &mut rng);
            let found = judges.query(batch.view(), k_judge)?.indices;
            // Majority shares; smote-variants divides by n_neighbors even when fewer are found.
            let shares: Vec<f64> = found
                .rows()
                .into_iter()
                .map(|row| row.iter().filter(|&&i| !data.minority[i]).count() as f64 / self.n_neighbors as f64)
                .collect();
            if !shares.iter().any(|&s| s < level) {
                tries += 1;
            }
            if tries > 5 {
                level += 0.1;
                tries = 0;
            }
            // Judged at the level just raised, as smote-variants.
            let accept: Vec<bool> = shares.iter().map(|&s| s < level).collect();
            for (row, _) in batch.rows().into_iter().zip(&accept).filter(|(_, &a)| a) {
                kept.push_row(row).expect("same width");
            }
        }
        Ok(kept.slice_axis(Axis(0), (0..n).into()).to_owned().into())
    }
}

impl Resampler for Lee {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        if !(0.0..=1.0).contains(&self.rejection_level) {
            return Err(ResampleError::Parameter {
                name: "rejection_level".into(),
                value: self.rejection_level.to_string(),
                expected: "a share of majority neighbours in [0, 1]".into(),
            });
        }
        resample(self, data.x(), data.y(), self.proportion)
    }
}
