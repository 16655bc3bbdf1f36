//! EasyEnsemble (Liu, Wu & Zhou 2009), as imbalanced-learn 0.14's
//! `EasyEnsembleClassifier`.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use imbalanced_models::persist::{validate_members, Validate};
use imbalanced_models::{member_seeds, more_members, Fit, ModelError, Predict, WarmStart};
use imbalanced_resample::{RandomUnderSampler, SamplingStrategy};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::under_sample;
use imbalanced_boosting::{check_boosting, AdaBoostClassifier, FittedBoosting};

/// Boosted learners on balanced random under-samples, averaged:
/// imbalanced-learn's `EasyEnsembleClassifier`.
///
/// Each member under-samples the data at random, then fits AdaBoost (SAMME,
/// stumps) on what it kept; the members' probabilities are averaged.
/// Defaults are imbalanced-learn's: 10 members, each AdaBoost with 50
/// rounds and learning rate 1, `sampling_strategy` `auto`, without
/// replacement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "EasyEnsembleClassifier", kind = "classifier", aliases = ["easy-ensemble", "easyensemble"])]
pub struct EasyEnsembleClassifier {
    /// Members (under-sample and AdaBoost each). Default: 10.
    pub n_estimators: usize,
    /// Boosting rounds of each member's AdaBoost. Default: 50.
    pub n_boosting_rounds: usize,
    /// Learning rate of each member's AdaBoost. Default: 1.0.
    pub learning_rate: f64,
    /// Each member's under-sampling, as `RandomUnderSampler`'s: `auto`, `majority`, `not minority`,
    /// `not majority`, `all`, a ratio or `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Under-sample with replacement. Default: `false`.
    pub replacement: bool,
    /// Seed of the under-samples and the trees (members are independent of the thread count). Default: 0.
    pub random_state: u64,
}

impl Default for EasyEnsembleClassifier {
    fn default() -> Self {
        EasyEnsembleClassifier {
            n_estimators: 10,
            n_boosting_rounds: 50,
            learning_rate: 1.0,
            sampling_strategy: SamplingStrategy::Auto,
            replacement: false,
            random_state: 0,
        }
    }
}

/// A fitted EasyEnsemble: one boosted learner per member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedEasyEnsemble {
    /// The members' boosted trees.
    pub members: Vec<FittedBoosting>,
    n_classes: usize,
    n_features: usize,
}

impl Fit for EasyEnsembleClassifier {
    type Fitted = FittedEasyEnsemble;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedEasyEnsemble, ModelError> {
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        Ok(FittedEasyEnsemble {
            members: self.members(&data, &seeds)?,
            n_classes: data.n_classes(),
            n_features: data.x().ncols(),
        })
    }
}

impl WarmStart for EasyEnsembleClassifier {
    fn fit_more(&self, mut fitted: FittedEasyEnsemble, data: Xy<'_>) -> Result<FittedEasyEnsemble, ModelError> {
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let more = more_members(&fitted, fitted.members.len(), self.n_estimators, &data)?;
        fitted.members.extend(self.members(&data, &seeds[more])?);
        Ok(fitted)
    }
}

impl EasyEnsembleClassifier {
    /// The members seeded `seeds`.
    fn members(&self, data: &Xy<'_>, seeds: &[u64]) -> Result<Vec<FittedBoosting>, ModelError> {
        check_boosting(self.n_boosting_rounds, self.learning_rate)?;
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        seeds
            .par_iter()
            .map(|&seed| {
                let sampler = RandomUnderSampler {
                    sampling_strategy: self.sampling_strategy.clone(),
                    replacement: self.replacement,
                    random_state: seed,
                    ..Default::default()
                };
                // The under-sample's rows as the sampler copied them.
                let kept = under_sample(&sampler, x, y)?;
                AdaBoostClassifier {
                    n_estimators: self.n_boosting_rounds,
                    learning_rate: self.learning_rate,
                    random_state: seed,
                    ..Default::default()
                }
                .boost(kept.x.view(), &kept.y, n_classes, None)
            })
            .collect()
    }
}

impl FittedEasyEnsemble {
    /// The mean of the members' SAMME votes ([`FittedBoosting::votes`]):
    /// scikit-learn's bagging averages its members' decisions, which are
    /// linear in the votes.
    pub fn votes(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut sum = Array2::zeros((x.nrows(), self.n_classes));
        for m in &self.members {
            sum += &m.votes(x)?;
        }
        Ok(sum / self.members.len() as f64)
    }
}

impl Predict for FittedEasyEnsemble {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// The mean of the members' probabilities (scikit-learn's bagging).
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        imbalanced_models::mean_proba(&self.members, x, self.n_classes)
    }
}

impl Validate for FittedEasyEnsemble {
    fn validate(&self) -> Result<(), String> {
        validate_members("members", &self.members, self.n_classes, self.n_features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_boosting::test_data::{imbalanced_blobs, recall};

    #[test]
    fn has_one_member_per_estimator_and_finds_the_minority() {
        let (x, y) = imbalanced_blobs(800, 0.04, 5);
        let m = EasyEnsembleClassifier::default().fit(x.view(), &y, 2).unwrap();
        assert_eq!(m.members.len(), 10);
        assert!(m.members.iter().all(|b| !b.trees.is_empty() && b.trees.len() <= 50));
        assert!(recall(&m, x.view(), &y, 1) > 0.8);
        let ada = AdaBoostClassifier::default().fit(x.view(), &y, 2).unwrap();
        assert!(recall(&m, x.view(), &y, 1) >= recall(&ada, x.view(), &y, 1));
    }

    #[test]
    fn the_result_does_not_depend_on_the_thread_count() {
        let (x, y) = imbalanced_blobs(300, 0.1, 9);
        let m = EasyEnsembleClassifier {
            n_estimators: 4,
            n_boosting_rounds: 5,
            ..Default::default()
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| m.fit(x.view(), &y, 2).unwrap());
        assert_eq!(one, m.fit(x.view(), &y, 2).unwrap());
    }
}
