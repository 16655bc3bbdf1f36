use imbalanced_catalog::Estimator;
use imbalanced_data::take_rows;
use imbalanced_models::{Fit, Predict, RandomForestClassifier};
use imbalanced_random::RngKind;
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng, shuffled_folds};
use crate::{class_counts, Resampled, Resampler};
use imbalanced_data::Xy;

/// Keep the rows a cross-validated random forest finds easiest.
///
/// Instance hardness threshold (Smith, Martinez & Giraud-Carrier 2014):
/// estimates, by `cv`-fold cross-validation, each sample's probability of
/// its own class under a classifier, and keeps the most probable (easiest)
/// samples of each under-sampled class: those at or above the percentile
/// that leaves the wanted count (ties may keep a few more).
///
/// imbalanced-learn's `InstanceHardnessThreshold` with its default
/// estimator, a random forest of `n_estimators` trees (our CART forest from
/// `imbalanced-models`, not scikit-learn's, so probabilities differ), and
/// shuffled stratified folds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "InstanceHardnessThreshold", kind = "under", aliases = ["iht"])]
pub struct InstanceHardnessThreshold {
    /// Which classes to under-sample and to what size: `auto` (every class but the minority, down to its size),
    /// `majority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Seed of the random draws. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: imbalanced-learn's
    /// exact output for the same seed). Default: `default`.
    pub rng: RngKind,
    /// Folds of the cross-validated random forest. Default: 5.
    pub cv: usize,
    /// Trees of the random forest. Default: 100.
    pub n_estimators: usize,
}

impl Default for InstanceHardnessThreshold {
    fn default() -> Self {
        InstanceHardnessThreshold {
            sampling_strategy: SamplingStrategy::Auto,
            random_state: 0,
            rng: RngKind::Default,
            cv: 5,
            n_estimators: 100,
        }
    }
}

/// `np.percentile(v, q)` with linear interpolation (NumPy's `_lerp`).
fn percentile(v: &[f64], q: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let pos = q / 100.0 * (s.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = (lo + 1).min(s.len() - 1);
    let t = pos - lo as f64;
    let (a, b) = (s[lo], s[hi]);
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

impl Resampler for InstanceHardnessThreshold {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let counts = class_counts(y);
        let targets = self.sampling_strategy.resolve(&counts, SamplingKind::Under, classes)?;
        let n_classes = counts.keys().max().map_or(0, |&c| c + 1);
        let mut rng = make_rng(self.rng, self.random_state)?;
        let folds = shuffled_folds(y, self.cv, &mut rng)?;
        let forest = RandomForestClassifier {
            n_estimators: self.n_estimators,
            random_state: self.random_state,
            ..Default::default()
        };
        // Out-of-fold probability of each sample's own class.
        let mut own = vec![0.0; y.len()];
        for f in 0..self.cv {
            let (train, test): (Vec<usize>, Vec<usize>) = (0..y.len()).partition(|&i| folds[i] != f);
            let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
            let model_error = |e| ResampleError::NotApplicable(format!("InstanceHardnessThreshold: {e}"));
            let model = forest
                .fit(take_rows(x.view(), &train).view(), &ytr, n_classes)
                .map_err(model_error)?;
            let p = model
                .predict_proba(take_rows(x.view(), &test).view())
                .map_err(model_error)?;
            for (r, &i) in test.iter().enumerate() {
                own[i] = p[(r, y[i])];
            }
        }
        let mut keep = Vec::new();
        for &c in counts.keys() {
            let members = class_indices(y, c);
            match targets.get(&c) {
                Some(&n) => {
                    let probs: Vec<f64> = members.iter().map(|&i| own[i]).collect();
                    let threshold = percentile(&probs, (1.0 - n as f64 / members.len() as f64) * 100.0);
                    keep.extend(members.into_iter().filter(|&i| own[i] >= threshold));
                }
                None => keep.extend(members),
            }
        }
        Ok(Resampled::from_indices(x, y, keep))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_matches_numpy() {
        // np.percentile([1, 2, 3, 4], [0, 25, 50, 90, 100])
        let v = [4.0, 1.0, 3.0, 2.0];
        let got: Vec<f64> = [0.0, 25.0, 50.0, 90.0, 100.0]
            .iter()
            .map(|&q| percentile(&v, q))
            .collect();
        assert_eq!(got, vec![1.0, 1.75, 2.5, 3.7, 4.0]);
    }
}
