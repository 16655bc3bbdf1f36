use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use imbalanced_neighbors::KnnIndex;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::check_k;
use crate::strategy::{minority_class_by_appearance, SamplingKind, SamplingStrategy};
use crate::util::{class_indices, numpy_sum};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;

/// Keep the larger-class rows closest to the minority (versions 1, 2, 3).
///
/// NearMiss (Mani & Zhang 2003): keeps the samples of each under-sampled
/// class that are closest to the minority class.
///
/// * version 1: smallest mean distance to their `n_neighbors` nearest
///   minority samples;
/// * version 2: smallest mean distance to their `n_neighbors` *farthest*
///   minority samples;
/// * version 3: among the `n_neighbors_ver3` nearest neighbours (in the
///   class) of each minority sample, those with the largest mean distance to
///   their `n_neighbors` nearest minority samples; may keep fewer than asked.
///
/// Ties keep the input order (Python's stable sort). imbalanced-learn's `NearMiss`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "NearMiss", kind = "under", aliases = ["nm"])]
pub struct NearMiss {
    /// Which classes to under-sample and to what size: `auto` (every class but the minority, down to its size),
    /// `majority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// 1 (keep rows nearest on average to their nearest minority rows), 2 (to their farthest), 3 (rows pre-
    /// selected as minority rows' neighbours, farthest on average). Default: 1.
    pub version: u8,
    /// Minority neighbours whose mean distance ranks a row. Default: 3.
    pub n_neighbors: usize,
    /// Neighbours of each minority row that pre-select the candidates of version 3. Default: 3.
    pub n_neighbors_ver3: usize,
}

impl Default for NearMiss {
    fn default() -> Self {
        NearMiss {
            sampling_strategy: SamplingStrategy::Auto,
            version: 1,
            n_neighbors: 3,
            n_neighbors_ver3: 3,
        }
    }
}

/// Positions `0..scores.len()` sorted by score (stable), ascending or not.
fn stable_order(scores: &[f64], ascending: bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| {
        let o = scores[a].total_cmp(&scores[b]);
        if ascending {
            o
        } else {
            o.reverse()
        }
    });
    order
}

impl Resampler for NearMiss {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        if !(1..=3).contains(&self.version) {
            return Err(ResampleError::Parameter {
                name: "version".into(),
                value: self.version.to_string(),
                expected: "1, 2 or 3".into(),
            });
        }
        check_k("n_neighbors", self.n_neighbors)?;
        check_k("n_neighbors_ver3", self.n_neighbors_ver3)?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Under, classes)?;
        let minority = minority_class_by_appearance(y, &counts);
        let min_rows = class_indices(y, minority);
        let k = self.n_neighbors;
        // Version 2 looks at all minority samples, so only 1 and 3 need k of them.
        if self.version != 2 && k > min_rows.len() {
            return Err(ResampleError::TooFewSamples {
                class: minority.to_string(),
                n: min_rows.len(),
                needed: k,
                param: "n_neighbors",
                k,
            });
        }
        let x_min = take_rows(x.view(), &min_rows);
        let min_index = KnnIndex::new(x_min.view());
        // Sum of the last `k` distances of the `width` nearest minority
        // samples of each row `rows` of `x`.
        let scores = |rows: &[usize], width: usize| -> Result<Vec<f64>> {
            let nn = min_index.query_rows(x, rows, width)?;
            Ok(nn
                .distances
                .rows()
                .into_iter()
                .map(|r| numpy_sum(&r.to_vec()[width.saturating_sub(k)..]))
                .collect())
        };
        let mut keep = Vec::new();
        for &c in counts.keys() {
            let members = class_indices(y, c);
            let Some(&n_keep) = targets.get(&c) else {
                keep.extend(members);
                continue;
            };
            let chosen: Vec<usize> = match self.version {
                1 | 2 => {
                    let width = if self.version == 1 { k } else { min_rows.len() };
                    let s = scores(&members, width)?;
                    stable_order(&s, true).into_iter().take(n_keep).collect()
                }
                _ => {
                    let k3 = self.n_neighbors_ver3;
                    if k3 > members.len() {
                        return Err(ResampleError::TooFewSamples {
                            class: c.to_string(),
                            n: members.len(),
                            needed: k3,
                            param: "n_neighbors_ver3",
                            k: k3,
                        });
                    }
                    let xc = take_rows(x.view(), &members);
                    let near = KnnIndex::new(xc.view()).query(x_min.view(), k3)?.indices;
                    let mut selected: Vec<usize> = near.iter().copied().collect();
                    selected.sort_unstable();
                    selected.dedup();
                    let rows: Vec<usize> = selected.iter().map(|&p| members[p]).collect();
                    let s = scores(&rows, k)?;
                    stable_order(&s, false)
                        .into_iter()
                        .take(n_keep)
                        .map(|p| selected[p])
                        .collect()
                }
            };
            keep.extend(chosen.into_iter().map(|p| members[p]));
        }
        Ok(Resampled::from_indices(x, y, keep))
    }
}
