//! G-SMOTE as smote-variants 1.0.1 implements it (`G_SMOTE`; after
//! Sandhan & Choi 2014, "Handling Imbalanced Datasets by Partially Guided
//! Hybrid Sampling for Pattern Recognition").

use imbalanced_catalog::Estimator;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{
    check_at_least, check_proportion, principal_axis, resample, sample_segments, self_query, Binary, BinaryVariant,
    Outcome,
};
use crate::error::{ResampleError, Result};
use crate::util::make_rng;
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// SMOTE towards the neighbour best aligned with the minority's main axis.
///
/// smote-variants 1.0.1's `G_SMOTE` (after Sandhan & Choi 2014) with its
/// `linear` method: each minority row's partner is, of its `n_neighbors`
/// nearest minority rows, the one whose direction from it makes the
/// smallest angle with the minority's principal axis; the `n = int((n_maj
/// - n_min) x proportion)` rows are random points on segments to those
/// partners, rows drawn uniformly. Data with one column comes back
/// unchanged. More classes go through `eq_1_vs_many_successive`.
///
/// Differs from smote-variants: it takes `eigv[argmax(eigw)]`, a row of
/// NumPy's eigenvector matrix (one component of every eigenvector, with
/// signs LAPACK chooses), where the principal axis is a column; we take
/// the axis, so no parity mode reproduces its output. Its `non-linear_<s>`
/// methods (a kernel `exp(+d^2 / 2 s^2)`, which overflows on unscaled
/// data) are not offered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "G_SMOTE", kind = "over", aliases = ["g-smote"])]
pub struct GSmote {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Nearest minority rows among which a row's partner is chosen. Default: 5.
    pub n_neighbors: usize,
    /// How the main axis is found: `linear` (the covariance's principal eigenvector). Default: `linear`.
    pub method: String,
    /// Seed of the rows and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms). Default: `default`.
    pub rng: RngKind,
}

impl Default for GSmote {
    fn default() -> Self {
        GSmote {
            proportion: 1.0,
            n_neighbors: 5,
            method: "linear".into(),
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl BinaryVariant for GSmote {
    fn min_columns(&self) -> usize {
        2
    }

    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let x_min = data.minority_rows();
        let found = self_query(x_min.view(), self.n_neighbors)?;
        let axis = principal_axis(x_min.view());
        let axis_norm = axis.iter().map(|v| v * v).sum::<f64>().sqrt();
        let d = x_min.ncols();
        let mut partners = Array2::zeros((x_min.nrows(), 2));
        for (i, row) in found.rows().into_iter().enumerate() {
            let angle = |&j: &usize| {
                let diff: Vec<f64> = (0..d).map(|c| x_min[(j, c)] - x_min[(row[0], c)]).collect();
                let inner = diff.iter().zip(&axis).map(|(a, b)| a * b).sum::<f64>().abs();
                let norm = diff.iter().map(|v| v * v).sum::<f64>().sqrt() * axis_norm;
                let angle = (inner / if norm == 0.0 { 1e-5 } else { norm }).acos();
                // NumPy sorts a NaN (rounding past 1) last.
                if angle.is_nan() {
                    f64::INFINITY
                } else {
                    angle
                }
            };
            // The smallest angle, the nearer neighbour on a tie (a stable argsort).
            let best = row
                .iter()
                .skip(1)
                .fold(None, |best: Option<(usize, f64)>, j| {
                    let a = angle(j);
                    match best {
                        Some((_, b)) if b <= a => best,
                        _ => Some((*j, a)),
                    }
                })
                .map_or(i, |(j, _)| j);
            partners[(i, 0)] = i;
            partners[(i, 1)] = best;
        }
        let mut rng = make_rng(self.rng, self.random_state)?;
        Ok(sample_segments(x_min.view(), &partners, n, &mut rng).into())
    }
}

impl Resampler for GSmote {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        if self.method != "linear" {
            return Err(ResampleError::Parameter {
                name: "method".into(),
                value: self.method.clone(),
                expected: "`linear` (smote-variants' `non-linear_<sigma>` kernels are not offered)".into(),
            });
        }
        resample(self, data.x(), data.y(), self.proportion)
    }
}
