//! ProWSyn (Barua, Islam & Murase 2013, "ProWSyn: Proximity Weighted
//! Synthetic Oversampling Technique for Imbalanced Data Set Learning"), as
//! smote-variants 1.0.1's `ProWSyn`.

use imbalanced_catalog::Estimator;
use imbalanced_neighbors::KnnIndex;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

use super::{check_at_least, check_proportion, normalised, resample, sample_segments, Binary, BinaryVariant, Outcome};
use crate::error::Result;
use crate::util::make_rng;
use crate::{Resampled, Resampler};
use imbalanced_data::{take_rows, Xy};
use imbalanced_random::RngKind;

/// Minority rows by proximity level, sampled more near the majority.
///
/// ProWSyn (Barua et al. 2013), as smote-variants 1.0.1's `ProWSyn`: for
/// `L` levels, the minority rows still unassigned that are among the
/// `n_neighbors` nearest of some majority row form the next level; what
/// remains joins the last level's weight. Level `l` gets the weight
/// `exp(-theta (l - 1))`; each of the `n = int((n_maj - n_min) x
/// proportion)` rows draws a level by weight, then a segment between two
/// rows of the level (smote-variants' simplex sampling over all pairs) and
/// a random point on it. More classes go through `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ProWSyn", kind = "over", aliases = ["prowsyn"])]
pub struct ProWSyn {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Nearest minority rows of each majority row that form a proximity level. Default: 5.
    pub n_neighbors: usize,
    /// Number of proximity levels. Default: 5.
    #[serde(rename = "L")]
    pub levels: usize,
    /// Decay of a level's weight, `exp(-theta (level - 1))`. Default: 1.0.
    pub theta: f64,
    /// Seed of the levels, segments and points drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for ProWSyn {
    fn default() -> Self {
        ProWSyn {
            proportion: 1.0,
            n_neighbors: 5,
            levels: 5,
            theta: 1.0,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl ProWSyn {
    /// The minority rows (indices into `data.x`) of each proximity level,
    /// and the levels' numbers.
    fn proximity_levels(&self, data: &Binary<'_>) -> Result<(Vec<Vec<usize>>, Vec<usize>)> {
        let majority = data.majority_rows();
        let mut left: Vec<usize> = (0..data.x.nrows()).filter(|&r| data.minority[r]).collect();
        let (mut groups, mut numbers) = (Vec::new(), Vec::new());
        let mut last = 0;
        for level in 0..self.levels {
            if left.is_empty() {
                break;
            }
            last = level;
            let rows = take_rows(data.x, &left);
            let k = self.n_neighbors.min(left.len());
            let found = KnnIndex::new(rows.view()).query(majority.view(), k)?.indices;
            let mut near = vec![false; left.len()];
            found.iter().for_each(|&i| near[i] = true);
            groups.push(left.iter().zip(&near).filter(|(_, &n)| n).map(|(&r, _)| r).collect());
            numbers.push(level + 1);
            left = left.iter().zip(&near).filter(|(_, &n)| !n).map(|(&r, _)| r).collect();
        }
        if !left.is_empty() {
            // smote-variants gives the rest the last level's number.
            groups.push(left);
            numbers.push(last + 1);
        }
        Ok((groups, numbers))
    }
}

impl BinaryVariant for ProWSyn {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let (groups, numbers) = self.proximity_levels(data)?;
        let weights: Vec<f64> = numbers
            .iter()
            .zip(&groups)
            .map(|(&l, g)| {
                if g.is_empty() {
                    0.0
                } else {
                    (-self.theta * (l as f64 - 1.0)).exp()
                }
            })
            .collect();
        let p = normalised(&weights);
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut counts = vec![0usize; groups.len()];
        rng.choice_p(&p, n).into_iter().for_each(|g| counts[g] += 1);
        let mut out = Array2::zeros((0, data.x.ncols()));
        for (group, &count) in groups.iter().zip(&counts).filter(|(_, &c)| c > 0) {
            let rows = take_rows(data.x, group);
            // scipy's circulant(arange(m)): row i is i, i-1, ..., i-m+1 (mod m).
            let m = group.len();
            let partners = Array2::from_shape_fn((m, m), |(i, j)| (i + m - j) % m);
            let block = sample_segments(rows.view(), &partners, count, &mut rng);
            out.append(ndarray::Axis(0), block.view()).expect("same width");
        }
        Ok(out.into())
    }
}

impl Resampler for ProWSyn {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        check_at_least("n_neighbors", self.n_neighbors as f64, 1.0)?;
        check_at_least("L", self.levels as f64, 1.0)?;
        check_at_least("theta", self.theta, 0.0)?;
        resample(self, data.x(), data.y(), self.proportion)
    }
}
