//! Relational minority over-sampling: a spin-off of Rel-MOSS (Yin et al.
//! 2026), our formulation. The features are blocks, one per relation of a
//! database (a parent table's own columns, then per child table its row
//! count and aggregates); a relation gate weighs the blocks; SMOTE finds
//! neighbours in the gated space and interpolates block by block.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use imbalanced_neighbors::self_neighbors;
use imbalanced_random::RngKind;
use imbalanced_scores::correlation_ratio;
use ndarray::{Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::{check_k, too_few, Output};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng};
use crate::{class_counts, Resampled, Resampler};

/// How the relation gate weighs the blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RelationGate {
    /// Each block by its strongest column's correlation ratio with the class, squared (the share of its
    /// variance the class explains; for Gaussian columns a monotone function of their mutual information).
    /// The default.
    #[default]
    Association,
    /// Every block the same.
    Uniform,
    /// Learned for balanced accuracy: starting from equal weights, each block's weight in turn is set to the
    /// value of {0, 1/4, 1/2, 1, 2, 4} that gives the best leave-one-out k-NN balanced accuracy in the gated
    /// space (two passes over the blocks; a tie keeps the weight).
    BalancedAccuracy,
}

/// SMOTE over relation blocks: gated neighbours, one interpolation per block.
///
/// Relational SMOTE, a spin-off of Rel-MOSS (Yin et al. 2026), our
/// formulation. The columns form consecutive blocks of `blocks[b]` columns
/// (one per relation: `imbalanced relational` prints them). Columns are
/// standardised; the gate gives block `b` a weight `w_b` (`gate`), scaled
/// (the association of its strongest column with the class, or weights
/// learned for leave-one-out k-NN balanced accuracy, or equal), scaled
/// so that the weights sum to the number of blocks, and each of its columns
/// the factor `sqrt(w_b / width_b)`, so that a block counts by its weight,
/// not its width. Neighbours are the `k_neighbors` nearest rows of the class
/// in that space; a new row takes one random gap per block between a seed
/// and a neighbour, so each relation's aggregates move together. Columns
/// listed in `integral` (counts) are rounded. The output is the input, then
/// the new rows class by class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RelationalSMOTE", kind = "over", aliases = ["relational-smote"])]
pub struct RelationalSmote {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Widths of the column blocks, in column order, summing to the number of columns; empty: one block.
    /// Default: `[]`.
    pub blocks: Vec<usize>,
    /// Columns (0-based) rounded to whole numbers in new rows. Default: `[]`.
    pub integral: Vec<usize>,
    /// The relation gate: `association`, `balanced_accuracy` (learned) or `uniform`. Default: `association`.
    pub gate: RelationGate,
    /// Same-class nearest neighbours (in the gated space) a new row is interpolated towards. Default: 5.
    pub k_neighbors: usize,
    /// Seed of the seeds, neighbours and gaps drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937). Default: `default`.
    pub rng: RngKind,
}

impl Default for RelationalSmote {
    fn default() -> Self {
        RelationalSmote {
            sampling_strategy: SamplingStrategy::Auto,
            blocks: Vec::new(),
            integral: Vec::new(),
            gate: RelationGate::Association,
            k_neighbors: 5,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// The standardised columns of `x`, block `b`'s scaled by
/// `sqrt(weights[b] / width_b)`, so that a block counts by its weight, not
/// its width.
fn gated(x: ArrayView2<'_, f64>, block_of: &[usize], weights: &[f64]) -> Array2<f64> {
    let (n, d) = x.dim();
    let width = |b: usize| block_of.iter().filter(|&&c| c == b).count() as f64;
    let mean = x.mean_axis(Axis(0)).expect("rows");
    let std = x.std_axis(Axis(0), 0.0).mapv(|s| if s > 0.0 { s } else { 1.0 });
    let factor: Vec<f64> = (0..d)
        .map(|j| (weights[block_of[j]] / width(block_of[j])).sqrt() / std[j])
        .collect();
    Array2::from_shape_fn((n, d), |(i, j)| (x[(i, j)] - mean[j]) * factor[j])
}

/// Leave-one-out balanced accuracy of a `k`-NN vote (ties to the lower
/// class) over the rows of `z`.
fn loo_balanced_accuracy(z: ArrayView2<'_, f64>, y: &[usize], n_classes: usize, k: usize) -> Result<f64> {
    let nn = self_neighbors(z, k.min(z.nrows() - 1))?.indices;
    let (mut hits, mut counts) = (vec![0usize; n_classes], vec![0usize; n_classes]);
    for (i, row) in nn.rows().into_iter().enumerate() {
        let mut votes = vec![0usize; n_classes];
        row.iter().for_each(|&j| votes[y[j]] += 1);
        let vote = (0..n_classes).fold(0, |best, c| if votes[c] > votes[best] { c } else { best });
        counts[y[i]] += 1;
        hits[y[i]] += usize::from(vote == y[i]);
    }
    let present: Vec<usize> = (0..n_classes).filter(|&c| counts[c] > 0).collect();
    Ok(present.iter().map(|&c| hits[c] as f64 / counts[c] as f64).sum::<f64>() / present.len() as f64)
}

impl RelationalSmote {
    /// The block of each column (`blocks` checked against `d` columns).
    fn block_of(&self, d: usize) -> Result<Vec<usize>> {
        let widths = if self.blocks.is_empty() {
            vec![d]
        } else {
            self.blocks.clone()
        };
        if widths.contains(&0) || widths.iter().sum::<usize>() != d {
            return Err(ResampleError::Parameter {
                name: "blocks".into(),
                value: format!("{:?}", self.blocks),
                expected: format!("block widths of 1 or more summing to the {d} columns"),
            });
        }
        if let Some(&c) = self.integral.iter().find(|&&c| c >= d) {
            return Err(ResampleError::Parameter {
                name: "integral".into(),
                value: c.to_string(),
                expected: format!("column indices below {d}"),
            });
        }
        Ok(widths
            .iter()
            .enumerate()
            .flat_map(|(b, &w)| std::iter::repeat_n(b, w))
            .collect())
    }

    /// The gate's weight of each block, summing to the number of blocks.
    pub fn gate_weights(&self, x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<Vec<f64>> {
        let block_of = self.block_of(x.ncols())?;
        let n_blocks = block_of.last().map_or(0, |b| b + 1);
        let mut weights = vec![0.0f64; n_blocks];
        match self.gate {
            RelationGate::Uniform => weights.fill(1.0),
            RelationGate::Association => {
                for (j, &b) in block_of.iter().enumerate() {
                    weights[b] = weights[b].max(correlation_ratio(&x.column(j).to_vec(), y, n_classes).powi(2));
                }
            }
            RelationGate::BalancedAccuracy => {
                weights.fill(1.0);
                let score =
                    |w: &[f64]| loo_balanced_accuracy(gated(x, &block_of, w).view(), y, n_classes, self.k_neighbors);
                let mut best = score(&weights)?;
                for _pass in 0..2 {
                    for b in 0..n_blocks {
                        for candidate in [0.0, 0.25, 0.5, 1.0, 2.0, 4.0] {
                            let mut trial = weights.clone();
                            trial[b] = candidate;
                            if trial == weights || trial.iter().all(|&w| w == 0.0) {
                                continue;
                            }
                            let s = score(&trial)?;
                            if s > best {
                                (best, weights) = (s, trial);
                            }
                        }
                    }
                }
            }
        }
        let total: f64 = weights.iter().sum();
        Ok(if total > 0.0 {
            weights.iter().map(|w| w * n_blocks as f64 / total).collect()
        } else {
            vec![1.0; n_blocks]
        })
    }
}

impl Resampler for RelationalSmote {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        check_k("k_neighbors", self.k_neighbors)?;
        let (x, y) = (data.x(), data.y());
        let d = x.ncols();
        let block_of = self.block_of(d)?;
        let targets = self
            .sampling_strategy
            .resolve(&class_counts(y), SamplingKind::Over, classes)?;
        let weights = self.gate_weights(x, y, data.n_classes())?;
        let gated = gated(x, &block_of, &weights);
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut out = Output::new(x, y, targets.values().sum());
        let n_blocks = weights.len();
        for (&c, &m) in targets.iter().filter(|(_, &m)| m > 0) {
            let members = class_indices(y, c);
            if members.len() < self.k_neighbors + 1 {
                return Err(too_few(c, members.len(), self.k_neighbors));
            }
            let rows = gated.select(Axis(0), &members);
            let nn = self_neighbors(rows.view(), self.k_neighbors)?.indices;
            let values = out.rows_of(c, m);
            for _ in 0..m {
                let seed = rng.randint(members.len());
                let other = nn[(seed, rng.randint(self.k_neighbors))];
                let gaps: Vec<f64> = (0..n_blocks).map(|_| rng.random()).collect();
                let (a, b) = (members[seed], members[other]);
                values.extend((0..d).map(|j| {
                    let v = x[(a, j)] + gaps[block_of[j]] * (x[(b, j)] - x[(a, j)]);
                    if self.integral.contains(&j) {
                        v.round()
                    } else {
                        v
                    }
                }));
            }
        }
        Ok(out.finish())
    }
}
