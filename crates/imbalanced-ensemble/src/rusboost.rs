//! RUSBoost (Seiffert, Khoshgoftaar, Van Hulse & Napolitano 2010), as
//! imbalanced-learn 0.14's `RUSBoostClassifier` (SAMME).

use imbalanced_catalog::Estimator;
use imbalanced_data::{take_rows, Xy};
use imbalanced_models::{check_sample_weight, Columns, Fit, FitWeighted, ModelError};
use imbalanced_resample::{RandomUnderSampler, SamplingStrategy};
use serde::{Deserialize, Serialize};

use crate::kept_rows;
use imbalanced_boosting::{check_boosting, round_tree, samme, FittedBoosting, Schedule};

/// AdaBoost whose every round first under-samples the data at random,
/// imbalanced-learn's `RUSBoostClassifier`.
///
/// Each round draws a fresh random under-sample of the rows (the rows keep
/// their current boosting weights), fits a stump on it, and measures the
/// round's error and updates the weights on all rows, as AdaBoost SAMME
/// (see [`crate::AdaBoostClassifier`]). Defaults are imbalanced-learn's:
/// 50 rounds, learning rate 1, `sampling_strategy` `auto`, without
/// replacement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RUSBoostClassifier", kind = "classifier", aliases = ["rusboost"])]
pub struct RusBoostClassifier {
    /// Boosting rounds at most. Default: 50.
    pub n_estimators: usize,
    /// Shrinks each round's weight. Default: 1.0.
    pub learning_rate: f64,
    /// Depth of each tree (1: stumps). Default: 1.
    pub max_depth: usize,
    /// The under-sampling of each round, as `RandomUnderSampler`'s: `auto`, `majority`, `not minority`,
    /// `not majority`, `all`, a ratio or `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Under-sample with replacement. Default: `false`.
    pub replacement: bool,
    /// Seed of the under-samples and the trees. Default: 0.
    pub random_state: u64,
}

impl Default for RusBoostClassifier {
    fn default() -> Self {
        RusBoostClassifier {
            n_estimators: 50,
            learning_rate: 1.0,
            max_depth: 1,
            sampling_strategy: SamplingStrategy::Auto,
            replacement: false,
            random_state: 0,
        }
    }
}

impl Fit for RusBoostClassifier {
    type Fitted = FittedBoosting;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedBoosting, ModelError> {
        self.boost(data, None)
    }
}

impl FitWeighted for RusBoostClassifier {
    /// The rounds start from `sample_weight` (over its sum), as
    /// imbalanced-learn's with `fit(X, y, sample_weight)`.
    fn fit_with_weights(&self, data: Xy<'_>, sample_weight: &[f64]) -> Result<FittedBoosting, ModelError> {
        check_sample_weight(sample_weight, data.y().len())?;
        self.boost(data, Some(sample_weight))
    }
}

impl RusBoostClassifier {
    fn boost(&self, data: Xy<'_>, sample_weight: Option<&[f64]>) -> Result<FittedBoosting, ModelError> {
        check_boosting(self.n_estimators, self.learning_rate)?;
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        let schedule = Schedule {
            n_estimators: self.n_estimators,
            learning_rate: self.learning_rate,
            random_state: self.random_state,
        };
        samme(schedule, x, y, n_classes, sample_weight, |w, seed| {
            let sampler = RandomUnderSampler {
                sampling_strategy: self.sampling_strategy.clone(),
                replacement: self.replacement,
                random_state: seed,
                ..Default::default()
            };
            // The under-sample's rows with their boosting weights (a row
            // drawn twice counts twice), in row order as a tree on all rows
            // with the others at weight 0 would take them. Why a copy: the
            // under-sample is a small share of the rows, and ranking only
            // its rows each round beats ranking all of them once (three
            // quarters of a fit on 100k rows went to that ranking).
            let mut round = vec![0.0; y.len()];
            for i in kept_rows(&sampler, y)? {
                round[i] += w[i];
            }
            let rows: Vec<usize> = (0..y.len()).filter(|&i| round[i] > 0.0).collect();
            let weights: Vec<f64> = rows.iter().map(|&i| round[i]).collect();
            let labels: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
            let sample = take_rows(x, &rows);
            round_tree(self.max_depth, seed).fit_columns(
                &Columns::new(sample.view()),
                &labels,
                n_classes,
                Some(&weights),
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AdaBoostClassifier;
    use imbalanced_boosting::test_data::{imbalanced_blobs, recall};
    use imbalanced_models::Predict;

    #[test]
    fn raises_minority_recall_over_adaboost() {
        let (x, y) = imbalanced_blobs(600, 0.05, 7);
        let ada = AdaBoostClassifier::default().fit(x.view(), &y, 2).unwrap();
        let rus = RusBoostClassifier::default().fit(x.view(), &y, 2).unwrap();
        assert!(recall(&rus, x.view(), &y, 1) >= recall(&ada, x.view(), &y, 1));
        assert!(recall(&rus, x.view(), &y, 1) > 0.7);
        assert!(!rus.trees.is_empty() && rus.trees.len() <= 50);
        let p = rus.predict_proba(x.view()).unwrap();
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
    }

    #[test]
    fn same_seed_same_model_other_seed_other_model() {
        let (x, y) = imbalanced_blobs(300, 0.1, 2);
        let fit = |s| {
            RusBoostClassifier {
                random_state: s,
                n_estimators: 10,
                ..Default::default()
            }
            .fit(x.view(), &y, 2)
            .unwrap()
        };
        assert_eq!(fit(1), fit(1));
        assert_ne!(fit(1), fit(2));
    }

    #[test]
    fn a_strategy_the_data_cannot_meet_is_an_error() {
        let (x, y) = imbalanced_blobs(100, 0.1, 1);
        let m = RusBoostClassifier {
            sampling_strategy: SamplingStrategy::Counts([("0".to_string(), 10_000)].into()),
            ..Default::default()
        };
        assert!(matches!(m.fit(x.view(), &y, 2), Err(ModelError::Parameter(_))));
    }
}
