//! How stable a model's explanations are under realistic noise: a
//! CIES-style credibility index (Vaduva, Oprea & Bara 2026, arXiv
//! 2603.05024; **our formulation** from the paper's abstract, which gives
//! no formulas).
//!
//! For each row, `perturbations` noisy copies are made (Gaussian noise of
//! `noise` times each numeric column's standard deviation; each categorical
//! value, a group of one-hot columns, moved to another of its levels with
//! probability `flip`, by default the noise level), every copy is
//! explained, and the rank-weighted distance ([`rank_distance`]) between
//! the row's attributions and each copy's is averaged; the row's index is
//! `1 - mean distance` (1: the ranking never moves). The index of a set of
//! rows is their mean, with a percentile bootstrap interval; it is given
//! overall and per class (minority against majority), with the
//! uniform-weight baseline beside it and the mean weighted Kendall tau,
//! rank-biased overlap and top-3 agreement of the same pairs. The report
//! also keeps what the rankings were about: each feature's mean absolute
//! attribution, and how far the feature at each place moved.

use std::ops::Range;

use imbalanced_random::Generator;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::rank::{importance_ranks, rank_biased_overlap, rank_distance, top_k_agreement, weighted_tau, RankWeights};
use crate::{Attributions, ExplainError};

/// The settings. Defaults: noise 0.1, flips at the noise level, 20
/// perturbations, harmonic weights, 1000 bootstrap resamples, seed 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stability {
    /// Noise level: the noise's standard deviation over each column's.
    pub noise: f64,
    /// The probability that a categorical value moves to another level
    /// (uniformly among them); `None`: the noise level, capped at 1, so
    /// that noise 0 leaves every copy equal to its row.
    pub flip: Option<f64>,
    pub perturbations: usize,
    pub weights: RankWeights,
    pub bootstrap: usize,
    pub seed: u64,
}

impl Default for Stability {
    fn default() -> Self {
        Stability {
            noise: 0.1,
            flip: None,
            perturbations: 20,
            weights: RankWeights::Harmonic,
            bootstrap: 1000,
            seed: 0,
        }
    }
}

/// Each row's agreement between its attributions and its noisy copies'.
#[derive(Debug, Clone, PartialEq)]
pub struct RowStability {
    /// `1 - mean rank-weighted distance` (the settings' weights).
    pub index: f64,
    /// The same with uniform weights: the baseline.
    pub uniform_index: f64,
    pub weighted_tau: f64,
    pub rank_biased_overlap: f64,
    pub top3: f64,
}

/// A mean over rows and its 95% percentile bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The index over a set of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub rows: usize,
    pub index: Estimate,
    pub uniform_index: Estimate,
    pub weighted_tau: f64,
    pub rank_biased_overlap: f64,
    pub top3: f64,
}

/// The stability of every row, overall and per class.
#[derive(Debug, Clone, PartialEq)]
pub struct StabilityReport {
    pub rows: Vec<RowStability>,
    pub overall: Summary,
    /// Per class of the rows' labels (`None` for a class without rows).
    pub per_class: Vec<Option<Summary>>,
    /// Per feature: the mean absolute attribution of the rows (each for
    /// its output), without noise: what the rankings rank.
    pub mean_abs: Vec<f64>,
    /// Per place `p` of a row's ranking (0 the most important): how many
    /// places the feature there moved in its noisy copies, on average.
    pub rank_shift: Vec<f64>,
}

/// What the noise acts on: each column's standard deviation (0 for a
/// column left alone, as one-hot columns) and the one-hot groups of the
/// categorical values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Columns<'a> {
    pub scale: &'a [f64],
    /// The input columns of each categorical value's levels; a row has a
    /// 1 in at most one of them.
    pub categorical: &'a [Range<usize>],
}

impl<'a> Columns<'a> {
    /// Numeric columns only, of these standard deviations.
    pub fn numeric(scale: &'a [f64]) -> Self {
        Columns {
            scale,
            categorical: &[],
        }
    }
}

/// What one row contributes: its agreement, its attributions' magnitudes
/// and the shift per place.
struct RowResult {
    stability: RowStability,
    abs: Vec<f64>,
    shift: Vec<f64>,
}

impl Stability {
    fn check(&self) -> Result<(), ExplainError> {
        if !(self.noise >= 0.0 && self.noise.is_finite()) {
            return Err(ExplainError::Input(format!(
                "noise = {}: give levels >= 0 (shares of each column's deviation)",
                self.noise
            )));
        }
        if let Some(p) = self.flip {
            if !(0.0..=1.0).contains(&p) {
                return Err(ExplainError::Input(format!(
                    "flip = {p}: give a probability in [0, 1] that a categorical value changes"
                )));
            }
        }
        if self.perturbations == 0 {
            return Err(ExplainError::Input("perturbations must be at least 1".into()));
        }
        Ok(())
    }

    /// The flip probability in force.
    fn flip_probability(&self) -> f64 {
        self.flip.unwrap_or(self.noise.min(1.0))
    }

    /// Row `i`'s noisy copies: row 0 the original, then `perturbations`
    /// copies. The draws depend on the seed and the row only (any thread
    /// count): per copy a normal per column, then per categorical group a
    /// uniform, and a level when it flips.
    fn copies(&self, x: ArrayView2<'_, f64>, i: usize, columns: &Columns<'_>) -> Array2<f64> {
        let d = x.ncols();
        let flip = self.flip_probability();
        let mut rng = Generator::new((u128::from(self.seed) << 64) | i as u128);
        let mut batch = Array2::zeros((self.perturbations + 1, d));
        batch.row_mut(0).assign(&x.row(i));
        for p in 1..=self.perturbations {
            for j in 0..d {
                batch[(p, j)] = x[(i, j)] + self.noise * columns.scale[j] * rng.standard_normal();
            }
            for group in columns.categorical {
                let levels = group.len();
                if levels < 2 || rng.random() >= flip {
                    continue;
                }
                let mut copy = batch.row_mut(p);
                let now = group.clone().find(|&j| copy[j] > 0.5);
                // Another level, uniformly: the current one is skipped.
                let others = levels - usize::from(now.is_some());
                let mut pick = group.start + rng.integers(0, others as i64).unwrap_or(0) as usize;
                if now.is_some_and(|c| pick >= c) {
                    pick += 1;
                }
                for j in group.clone() {
                    copy[j] = f64::from(u8::from(j == pick));
                }
            }
        }
        batch
    }

    /// The stability of the rows `x` (labels `y` of `n_classes`, for the
    /// per-class summaries) under `explain`, reading each row's
    /// attributions for the output `output[i]` (its class, or 0 for a
    /// single-output model); `columns` says how the noise acts on each
    /// column.
    pub fn run<E>(
        &self,
        explain: E,
        x: ArrayView2<'_, f64>,
        (y, n_classes): (&[usize], usize),
        output: &[usize],
        columns: &Columns<'_>,
    ) -> Result<StabilityReport, ExplainError>
    where
        E: Fn(ArrayView2<'_, f64>) -> Result<Attributions, ExplainError> + Sync,
    {
        self.check()?;
        let (n, d) = x.dim();
        if y.len() != n || output.len() != n || columns.scale.len() != d || n == 0 {
            return Err(ExplainError::Input(
                "give one label and one output per row, one scale per column, and some rows".into(),
            ));
        }
        if columns.categorical.iter().any(|g| g.end > d || g.start > g.end) {
            return Err(ExplainError::Input(format!(
                "a categorical group reaches beyond the {d} columns"
            )));
        }
        if let Some(&c) = y.iter().find(|&&c| c >= n_classes) {
            return Err(ExplainError::Input(format!("label {c} of {n_classes} classes")));
        }
        let results: Vec<RowResult> = (0..n)
            .into_par_iter()
            .map(|i| {
                let batch = self.copies(x, i, columns);
                let a = explain(batch.view())?;
                let o = output[i];
                if o >= a.values.len_of(Axis(0)) {
                    return Err(ExplainError::Input(format!(
                        "output {o} of {} outputs",
                        a.values.len_of(Axis(0))
                    )));
                }
                let values = a.values.index_axis(Axis(0), o);
                let original = values.row(0).to_vec();
                let places = importance_ranks(&original);
                let mut shift = vec![0.0; d];
                let m = self.perturbations as f64;
                let mut r = RowStability {
                    index: 0.0,
                    uniform_index: 0.0,
                    weighted_tau: 0.0,
                    rank_biased_overlap: 0.0,
                    top3: 0.0,
                };
                for p in 1..=self.perturbations {
                    let copy = values.row(p).to_vec();
                    r.index += rank_distance(&original, &copy, self.weights) / m;
                    r.uniform_index += rank_distance(&original, &copy, RankWeights::Uniform) / m;
                    r.weighted_tau += weighted_tau(&original, &copy) / m;
                    r.rank_biased_overlap += rank_biased_overlap(&original, &copy, 0.9) / m;
                    r.top3 += top_k_agreement(&original, &copy, 3) / m;
                    for (j, place) in importance_ranks(&copy).into_iter().enumerate() {
                        shift[places[j]] += places[j].abs_diff(place) as f64 / m;
                    }
                }
                r.index = 1.0 - r.index;
                r.uniform_index = 1.0 - r.uniform_index;
                Ok(RowResult {
                    stability: r,
                    abs: original.iter().map(|v| v.abs()).collect(),
                    shift,
                })
            })
            .collect::<Result<_, ExplainError>>()?;
        // Summed in row order: the same on any thread count.
        let mean_over_rows = |part: &dyn Fn(&RowResult) -> &[f64]| -> Vec<f64> {
            (0..d)
                .map(|j| results.iter().map(|r| part(r)[j]).sum::<f64>() / n as f64)
                .collect()
        };
        let mean_abs = mean_over_rows(&|r| &r.abs);
        let rank_shift = mean_over_rows(&|r| &r.shift);
        let rows: Vec<RowStability> = results.into_iter().map(|r| r.stability).collect();
        let all: Vec<usize> = (0..n).collect();
        let overall = self.summary(&rows, &all, 0);
        let per_class = (0..n_classes)
            .map(|c| {
                let members: Vec<usize> = (0..n).filter(|&i| y[i] == c).collect();
                (!members.is_empty()).then(|| self.summary(&rows, &members, c as u64 + 1))
            })
            .collect();
        Ok(StabilityReport {
            rows,
            overall,
            per_class,
            mean_abs,
            rank_shift,
        })
    }

    /// The summary of the rows `members`; `stream` separates the
    /// bootstrap draws of different summaries.
    fn summary(&self, rows: &[RowStability], members: &[usize], stream: u64) -> Summary {
        let mean =
            |f: &dyn Fn(&RowStability) -> f64| members.iter().map(|&i| f(&rows[i])).sum::<f64>() / members.len() as f64;
        let estimate = |f: &dyn Fn(&RowStability) -> f64, salt: u64| {
            let values: Vec<f64> = members.iter().map(|&i| f(&rows[i])).collect();
            bootstrap(
                &values,
                self.bootstrap,
                (u128::from(self.seed) << 64) | u128::from(stream * 2 + salt),
            )
        };
        Summary {
            rows: members.len(),
            index: estimate(&|r| r.index, 0),
            uniform_index: estimate(&|r| r.uniform_index, 1),
            weighted_tau: mean(&|r| r.weighted_tau),
            rank_biased_overlap: mean(&|r| r.rank_biased_overlap),
            top3: mean(&|r| r.top3),
        }
    }
}

/// The mean of `values` and the 2.5% and 97.5% percentiles of the means of
/// `resamples` bootstrap resamples (NumPy's linear percentile).
fn bootstrap(values: &[f64], resamples: usize, seed: u128) -> Estimate {
    let n = values.len();
    let mean = values.iter().sum::<f64>() / n as f64;
    if resamples == 0 || n < 2 {
        return Estimate {
            mean,
            low: mean,
            high: mean,
        };
    }
    let mut rng = Generator::new(seed);
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| {
            (0..n)
                .map(|_| values[rng.integers(0, n as i64).unwrap_or(0) as usize])
                .sum::<f64>()
                / n as f64
        })
        .collect();
    means.sort_by(f64::total_cmp);
    let percentile = |q: f64| {
        let at = q * (resamples - 1) as f64;
        let (lo, frac) = (at.floor() as usize, at - at.floor());
        means[lo] + frac * (means[(lo + 1).min(resamples - 1)] - means[lo])
    };
    Estimate {
        mean,
        low: percentile(0.025),
        high: percentile(0.975),
    }
}

/// A paired comparison of two pipelines' per-row values `a` and `b` (the
/// same rows): the mean difference `a - b` and its two-sided p-value by a
/// sign-flip permutation test (`resamples` random sign patterns, seeded;
/// `p = (1 + #{|flipped mean| >= |observed|}) / (1 + resamples)`).
pub fn paired_test(a: &[f64], b: &[f64], resamples: usize, seed: u64) -> Result<(f64, f64), ExplainError> {
    if a.len() != b.len() || a.is_empty() || resamples == 0 {
        return Err(ExplainError::Input(
            "a paired test needs the same rows on both sides, some rows, and resamples >= 1".into(),
        ));
    }
    let diffs: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let n = diffs.len() as f64;
    let observed = diffs.iter().sum::<f64>() / n;
    let mut rng = Generator::new(u128::from(seed));
    let extreme = (0..resamples)
        .filter(|_| {
            let flipped: f64 = diffs
                .iter()
                .map(|&d| if rng.random() < 0.5 { -d } else { d })
                .sum::<f64>()
                / n;
            flipped.abs() >= observed.abs() - 1e-12
        })
        .count();
    Ok((observed, (1 + extreme) as f64 / (1 + resamples) as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paired_test_finds_a_shift_and_not_noise() {
        let mut rng = Generator::new(1);
        let a: Vec<f64> = (0..60).map(|_| rng.standard_normal()).collect();
        let shifted: Vec<f64> = a.iter().map(|v| v + 0.5 + 0.1 * rng.standard_normal()).collect();
        let (d, p) = paired_test(&shifted, &a, 2000, 3).unwrap();
        assert!((d - 0.5).abs() < 0.05 && p < 0.001, "{d} {p}");
        let same_but_noisy: Vec<f64> = a.iter().map(|v| v + 0.1 * rng.standard_normal()).collect();
        let (_, p) = paired_test(&same_but_noisy, &a, 2000, 3).unwrap();
        assert!(p > 0.01, "{p}");
        assert_eq!(paired_test(&a, &a, 100, 0).unwrap(), (0.0, 1.0));
        assert!(paired_test(&a, &a[..3], 100, 0).is_err());
    }
}
