use imbalanced_catalog::Estimator;
use imbalanced_neighbors::KnnIndex;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::over::check_k;
use crate::strategy::{minority_class_by_appearance, Bound, SamplingKind, SamplingStrategy};
use crate::under::enn::enn_keep;
use crate::under::KindSel;
use crate::util::class_indices;
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;

/// ENN plus the neighbours of misclassified minority rows.
///
/// Neighbourhood cleaning rule (Laurikkala 2001): removes (1) the samples
/// that ENN (`kind_sel='mode'`) would remove and (2) the neighbours, in
/// classes larger than `threshold_cleaning` times the minority, of minority
/// samples that a `n_neighbors`-NN classifier misclassifies. Keeps the input
/// order. imbalanced-learn's `NeighbourhoodCleaningRule`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "NeighbourhoodCleaningRule", kind = "cleaning", aliases = ["ncr", "NeighborhoodCleaningRule"])]
pub struct NeighbourhoodCleaningRule {
    /// Which classes to clean: `auto` (every class but the minority), `majority`, `not minority`, `not
    /// majority`, `all` or `["label", ...]`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Nearest neighbours of the edited-nearest-neighbours step and of the minority rows. Default: 3.
    pub n_neighbors: usize,
    /// A class is cleaned around misclassified minority rows only if it holds more than this share of all rows.
    /// Default: 0.5.
    pub threshold_cleaning: f64,
}

impl Default for NeighbourhoodCleaningRule {
    fn default() -> Self {
        NeighbourhoodCleaningRule {
            sampling_strategy: SamplingStrategy::Auto,
            n_neighbors: 3,
            threshold_cleaning: 0.5,
        }
    }
}

impl NeighbourhoodCleaningRule {
    /// Checks `n_neighbors` (at least 1) and `threshold_cleaning` (in [0, 1]).
    pub fn check(&self) -> Result<()> {
        check_k("n_neighbors", self.n_neighbors)?;
        if !(self.threshold_cleaning >= 0.0 && self.threshold_cleaning <= 1.0) {
            return Err(ResampleError::Parameter {
                name: "threshold_cleaning".into(),
                value: self.threshold_cleaning.to_string(),
                expected: "a number in [0, 1]".into(),
            });
        }
        Ok(())
    }

    /// Whether a class of `n` rows, `cleaned` by the sampling strategy,
    /// loses the rows that neighbour misclassified minority rows (of which
    /// there are `minority`): when it has more than `threshold_cleaning`
    /// times the minority's rows.
    pub fn cleans_around_minority(&self, cleaned: bool, n: usize, minority: usize) -> bool {
        cleaned && n as f64 > minority as f64 * self.threshold_cleaning
    }

    /// Whether a minority row whose `n_neighbors` nearest rows (itself
    /// first) have classes `nearest` is misclassified by them: their most
    /// frequent class, ties to the smaller code, is not `minority`.
    pub fn misclassified(minority: usize, nearest: impl Iterator<Item = usize>) -> bool {
        !KindSel::Mode.agrees(minority, nearest)
    }
}

impl Resampler for NeighbourhoodCleaningRule {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        self.check()?;
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Clean, classes)?;
        let k = self.n_neighbors;
        let mut removed = vec![true; y.len()];
        for i in enn_keep(
            x,
            y,
            Bound {
                strategy: &self.sampling_strategy,
                classes,
            },
            k,
            KindSel::Mode,
        )? {
            removed[i] = false;
        }
        let minority = minority_class_by_appearance(y, &counts);
        let to_clean = |c: usize| self.cleans_around_minority(targets.contains_key(&c), counts[&c], counts[&minority]);
        let min_rows = class_indices(y, minority);
        // The classifier is fit on all of x, so each minority sample is its own nearest neighbour.
        let nn = KnnIndex::new(x).query_points(&min_rows, k + 1)?;
        for row in nn.indices.rows() {
            if Self::misclassified(minority, row.iter().take(k).map(|&j| y[j])) {
                for &j in row.iter().skip(1) {
                    if to_clean(y[j]) {
                        removed[j] = true;
                    }
                }
            }
        }
        let keep = (0..y.len()).filter(|&i| !removed[i]).collect();
        Ok(Resampled::from_indices(x, y, keep))
    }
}
