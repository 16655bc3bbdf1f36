//! The balanced random forest (Chen, Liaw & Breiman 2004), as
//! imbalanced-learn 0.14's `BalancedRandomForestClassifier`.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use imbalanced_models::{
    member_seeds, ClassWeight, Columns, Criterion, DecisionTreeClassifier, Fit, FittedForest, MaxFeatures, ModelError,
};
use imbalanced_random::{RngKind, SamplerRng};
use imbalanced_resample::{RandomUnderSampler, SamplingStrategy};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{kept_rows, under_sample};

/// Randomised trees, each on its own random under-sample of the data:
/// imbalanced-learn's `BalancedRandomForestClassifier`.
///
/// Per tree: a random under-sample of the whole data (by default every
/// class down to the minority's size, drawn with replacement), then,
/// only if `bootstrap`, a bootstrap sample of it, then a randomised CART
/// tree; probabilities are the trees' mean. Defaults are imbalanced-learn
/// 0.14's: 100 trees, `sampling_strategy` `all`, `replacement` true,
/// `bootstrap` false, `max_features` `sqrt`, Gini.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(
    name = "BalancedRandomForestClassifier",
    kind = "classifier",
    aliases = ["balanced-forest", "brf"]
)]
pub struct BalancedRandomForestClassifier {
    /// Trees in the forest. Default: 100.
    pub n_estimators: usize,
    /// Impurity of a split: `gini` or `entropy`. Default: `gini`.
    pub criterion: Criterion,
    /// Deepest level of a tree; `null` grows until leaves are pure or too small. Default: `null`.
    pub max_depth: Option<usize>,
    /// Fewest rows a node needs to be split. Default: 2.
    pub min_samples_split: usize,
    /// Fewest rows a leaf may hold. Default: 1.
    pub min_samples_leaf: usize,
    /// Features each split considers: `null` (all), `sqrt`, `log2` or a count. Default: `sqrt`.
    pub max_features: MaxFeatures,
    /// Each tree's under-sampling, as `RandomUnderSampler`'s: `all`, `auto`, `majority`, `not minority`,
    /// `not majority`, a ratio or `{"label": count}`. Default: `all`.
    pub sampling_strategy: SamplingStrategy,
    /// Under-sample with replacement. Default: `true`.
    pub replacement: bool,
    /// Train each tree on a bootstrap sample of its under-sample. Default: `false`.
    pub bootstrap: bool,
    /// Per-class multipliers of the sample weights: `null` (uniform), `balanced` or a list. Default: `null`.
    pub class_weight: ClassWeight,
    /// Seed of the under-samples, bootstraps and feature orders (independent of threads). Default: 0.
    pub random_state: u64,
}

impl Default for BalancedRandomForestClassifier {
    fn default() -> Self {
        BalancedRandomForestClassifier {
            n_estimators: 100,
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            sampling_strategy: SamplingStrategy::All,
            replacement: true,
            bootstrap: false,
            class_weight: ClassWeight::Uniform,
            random_state: 0,
        }
    }
}

impl Fit for BalancedRandomForestClassifier {
    type Fitted = FittedForest;

    /// The rows are ranked once ([`Columns`]); each tree fits on its
    /// under-sample as row weights (a row drawn twice weighs 2).
    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedForest, ModelError> {
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        let columns = Columns::new(x);
        let trees = seeds
            .into_par_iter()
            .map(|seed| {
                let mut rng = SamplerRng::new(RngKind::Default, seed);
                let sampler = RandomUnderSampler {
                    sampling_strategy: self.sampling_strategy.clone(),
                    replacement: self.replacement,
                    random_state: rng.next_u64(),
                    ..Default::default()
                };
                let kept = kept_rows(under_sample(&sampler, x, y)?);
                let mut weights = vec![0.0; y.len()];
                if self.bootstrap {
                    for _ in 0..kept.len() {
                        weights[kept[rng.randint(kept.len())]] += 1.0;
                    }
                } else {
                    kept.iter().for_each(|&i| weights[i] += 1.0);
                }
                DecisionTreeClassifier {
                    criterion: self.criterion,
                    max_depth: self.max_depth,
                    min_samples_split: self.min_samples_split,
                    min_samples_leaf: self.min_samples_leaf,
                    max_features: self.max_features,
                    random_state: rng.next_u64(),
                    class_weight: self.class_weight.clone(),
                }
                .fit_columns(&columns, y, n_classes, Some(&weights))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FittedForest::new(trees, n_classes, x.ncols()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{imbalanced_blobs, recall};
    use imbalanced_models::RandomForestClassifier;

    #[test]
    fn has_n_estimators_trees_and_beats_a_plain_forest_on_the_minority() {
        let (x, y) = imbalanced_blobs(1000, 0.03, 11);
        let brf = BalancedRandomForestClassifier {
            n_estimators: 30,
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        assert_eq!(brf.trees().len(), 30);
        let rf = RandomForestClassifier {
            n_estimators: 30,
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        assert!(recall(&brf, x.view(), &y, 1) >= recall(&rf, x.view(), &y, 1));
        assert!(recall(&brf, x.view(), &y, 1) > 0.9);
    }

    #[test]
    fn seeded_and_independent_of_threads() {
        let (x, y) = imbalanced_blobs(300, 0.1, 4);
        let m = BalancedRandomForestClassifier {
            n_estimators: 8,
            bootstrap: true,
            ..Default::default()
        };
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| m.fit(x.view(), &y, 2).unwrap());
        assert_eq!(one, m.fit(x.view(), &y, 2).unwrap());
        let other = BalancedRandomForestClassifier {
            random_state: 1,
            ..m.clone()
        };
        assert_ne!(one, other.fit(x.view(), &y, 2).unwrap());
    }

    #[test]
    fn zero_trees_is_an_error() {
        let (x, y) = imbalanced_blobs(50, 0.2, 1);
        let m = BalancedRandomForestClassifier {
            n_estimators: 0,
            ..Default::default()
        };
        assert!(matches!(m.fit(x.view(), &y, 2), Err(ModelError::Parameter(_))));
    }
}
