use imbalanced_catalog::Estimator;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// Keep a random subset of the larger classes.
///
/// Random under-sampling: keeps a random subset of each resampled class.
/// imbalanced-learn's `RandomUnderSampler`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RandomUnderSampler", kind = "under", aliases = ["rus", "random-under"])]
pub struct RandomUnderSampler {
    /// Which classes to under-sample and to what size: `auto` (every class but the minority, down to its size),
    /// `majority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Draw with replacement. Default: `false`.
    pub replacement: bool,
}

impl Default for RandomUnderSampler {
    fn default() -> Self {
        RandomUnderSampler {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            replacement: false,
        }
    }
}

impl Resampler for RandomUnderSampler {
    fn reads_features(&self) -> bool {
        false
    }

    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let keep = self.sample_indices(data.y(), classes)?;
        Ok(Resampled::from_indices(data.x(), data.y(), keep))
    }
}

impl RandomUnderSampler {
    /// The rows `fit_resample` keeps of labels `y` (codes; `classes[c]`
    /// the label of code `c`), in its order. What it keeps depends on the
    /// labels alone, so ensembles draw their members' rows with it without
    /// copying any features.
    pub fn sample_indices(&self, y: &[usize], classes: &[String]) -> Result<Vec<usize>> {
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Under, classes)?;
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut keep = Vec::new();
        for &c in counts.keys() {
            let members = class_indices(y, c);
            match targets.get(&c) {
                Some(&n) => {
                    if !self.replacement && n > members.len() {
                        return Err(ResampleError::Strategy(format!(
                            "class {c} has {} samples; cannot draw {n} without replacement",
                            members.len()
                        )));
                    }
                    keep.extend(rng.choose(members, n, self.replacement));
                }
                None => keep.extend(members),
            }
        }
        Ok(keep)
    }
}
