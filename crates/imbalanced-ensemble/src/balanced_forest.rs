//! The balanced random forest (Chen, Liaw & Breiman 2004), as
//! imbalanced-learn 0.14's `BalancedRandomForestClassifier`.

use imbalanced_catalog::Estimator;
use imbalanced_data::{take_rows, Xy};
use imbalanced_models::{
    check_sample_weight, member_seeds, more_members, ClassWeight, Columns, Criterion, DecisionTreeClassifier, Fit,
    FitWeighted, FittedForest, FittedTree, MaxFeatures, ModelError, OutOfBag, Predict, WarmStart,
};
use imbalanced_random::{RngKind, SamplerRng};
use imbalanced_resample::{RandomUnderSampler, SamplingStrategy};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::kept_rows;

/// Randomised trees, each on its own random under-sample of the data:
/// imbalanced-learn's `BalancedRandomForestClassifier`.
///
/// Per tree: a random under-sample of the whole data (by default every
/// class down to the minority's size, drawn with replacement), then,
/// only if `bootstrap`, a bootstrap sample of it (`max_samples` draws),
/// then a randomised CART tree; probabilities are the trees' mean. With
/// `oob_score`, each row of a tree's under-sample that its bootstrap left
/// out is predicted by that tree (imbalanced-learn's out-of-bag estimate:
/// rows outside every under-sample get none). Defaults are
/// imbalanced-learn 0.14's: 100 trees, `sampling_strategy` `all`,
/// `replacement` true, `bootstrap` false, `max_features` `sqrt`, Gini.
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
    /// Smallest share of a tree's sample weight a leaf may hold. Default: 0.
    pub min_weight_fraction_leaf: f64,
    /// Most leaves per tree, grown best split first (`null`: no limit). Default: `null`.
    pub max_leaf_nodes: Option<usize>,
    /// Smallest weighted impurity decrease a split needs. Default: 0.
    pub min_impurity_decrease: f64,
    /// Minimal cost-complexity pruning of each tree. Default: 0 (none).
    pub ccp_alpha: f64,
    /// Each tree's under-sampling, as `RandomUnderSampler`'s: `all`, `auto`, `majority`, `not minority`,
    /// `not majority`, a ratio or `{"label": count}`. Default: `all`.
    pub sampling_strategy: SamplingStrategy,
    /// Under-sample with replacement. Default: `true`.
    pub replacement: bool,
    /// Train each tree on a bootstrap sample of its under-sample. Default: `false`.
    pub bootstrap: bool,
    /// Bootstrap draws per tree: `null` (the under-sample's size), a count, or a share of all rows;
    /// at most the under-sample's size. Default: `null`.
    pub max_samples: Option<MaxSamples>,
    /// Estimate the accuracy on each tree's out-of-bag rows (needs `bootstrap`). Default: `false`.
    pub oob_score: bool,
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
            min_weight_fraction_leaf: 0.0,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            ccp_alpha: 0.0,
            sampling_strategy: SamplingStrategy::All,
            replacement: true,
            bootstrap: false,
            max_samples: None,
            oob_score: false,
            class_weight: ClassWeight::Uniform,
            random_state: 0,
        }
    }
}

/// scikit-learn's `max_samples`: a count of draws, or a share of the rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum MaxSamples {
    Count(usize),
    Share(f64),
}

/// What a tree trains on: its rows as weights (a row drawn twice weighs
/// 2), the under-sampled rows its bootstrap left out, and its seed.
struct TreeSample {
    weights: Vec<f64>,
    out_of_bag: Vec<usize>,
    seed: u64,
}

impl BalancedRandomForestClassifier {
    fn check(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Parameter(m));
        if self.oob_score && !self.bootstrap {
            return bad("oob_score needs bootstrap=true: without a bootstrap no row is out of bag".into());
        }
        match self.max_samples {
            Some(MaxSamples::Count(0)) => bad("max_samples must be at least 1".into()),
            Some(MaxSamples::Share(f)) if !(f > 0.0 && f <= 1.0) => {
                bad(format!("max_samples={f}: give a share in (0, 1] or a count"))
            }
            _ => Ok(()),
        }
    }

    /// Bootstrap draws for `n` rows in all and an under-sample of `kept`
    /// (scikit-learn's `_get_n_samples_bootstrap`, capped by imbalanced-learn).
    fn draws(&self, n: usize, kept: usize) -> usize {
        match self.max_samples {
            None => kept,
            Some(MaxSamples::Count(c)) => c.min(kept),
            Some(MaxSamples::Share(f)) => ((f * n as f64) as usize).max(1).min(kept),
        }
    }

    /// The under-sample, bootstrap and tree seed of the member seeded `seed`.
    fn sample(&self, y: &[usize], seed: u64) -> Result<TreeSample, ModelError> {
        let mut rng = SamplerRng::new(RngKind::Default, seed);
        let sampler = RandomUnderSampler {
            sampling_strategy: self.sampling_strategy.clone(),
            replacement: self.replacement,
            random_state: rng.next_u64(),
            ..Default::default()
        };
        let kept = kept_rows(&sampler, y)?;
        let mut weights = vec![0.0; y.len()];
        let mut out_of_bag = Vec::new();
        if self.bootstrap {
            let mut drawn = vec![false; kept.len()];
            for _ in 0..self.draws(y.len(), kept.len()) {
                let at = rng.randint(kept.len());
                drawn[at] = true;
                weights[kept[at]] += 1.0;
            }
            out_of_bag = kept.iter().zip(&drawn).filter(|(_, d)| !**d).map(|(&i, _)| i).collect();
            out_of_bag.sort_unstable();
            out_of_bag.dedup();
        } else {
            kept.iter().for_each(|&i| weights[i] += 1.0);
        }
        Ok(TreeSample {
            weights,
            out_of_bag,
            seed: rng.next_u64(),
        })
    }

    /// The trees of the members seeded `seeds`, and the rows each left out
    /// of its bootstrap; a row's count in a member's sample times its
    /// `sample_weight` is its weight there.
    fn trees(
        &self,
        data: &Xy<'_>,
        columns: &Columns,
        seeds: &[u64],
        sample_weight: Option<&[f64]>,
    ) -> Result<(Vec<FittedTree>, Vec<Vec<usize>>), ModelError> {
        let (y, n_classes) = (data.y(), data.n_classes());
        let fitted: Vec<(FittedTree, Vec<usize>)> = seeds
            .par_iter()
            .map(|&seed| {
                let mut sample = self.sample(y, seed)?;
                if let Some(sw) = sample_weight {
                    sample.weights.iter_mut().zip(sw).for_each(|(w, s)| *w *= s);
                }
                DecisionTreeClassifier {
                    criterion: self.criterion,
                    max_depth: self.max_depth,
                    min_samples_split: self.min_samples_split,
                    min_samples_leaf: self.min_samples_leaf,
                    max_features: self.max_features,
                    min_weight_fraction_leaf: self.min_weight_fraction_leaf,
                    max_leaf_nodes: self.max_leaf_nodes,
                    min_impurity_decrease: self.min_impurity_decrease,
                    ccp_alpha: self.ccp_alpha,
                    random_state: sample.seed,
                    class_weight: self.class_weight.clone(),
                }
                .fit_columns(columns, y, n_classes, Some(&sample.weights))
                .map(|tree| (tree, sample.out_of_bag))
            })
            .collect::<Result<_, _>>()?;
        Ok(fitted.into_iter().unzip())
    }

    /// The forest with its out-of-bag estimate, when asked for, from each
    /// tree's out-of-bag rows `out_of_bag`.
    fn finish(
        &self,
        mut forest: FittedForest,
        data: &Xy<'_>,
        out_of_bag: &[Vec<usize>],
    ) -> Result<FittedForest, ModelError> {
        if self.oob_score {
            let (x, y) = (data.x(), data.y());
            let trees = forest.trees();
            let predict = |m: usize, rows: &[usize]| trees[m].predict_proba(take_rows(x, rows).view());
            forest.oob = Some(OutOfBag::new(out_of_bag, predict, y, data.n_classes())?);
        }
        Ok(forest)
    }
}

impl Fit for BalancedRandomForestClassifier {
    type Fitted = FittedForest;

    /// The rows are ranked once ([`Columns`]); each tree fits on its
    /// under-sample as row weights (a row drawn twice weighs 2).
    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedForest, ModelError> {
        self.fit_rows(data, None)
    }
}

impl FitWeighted for BalancedRandomForestClassifier {
    /// Each tree weighs its rows by `sample_weight`, as imbalanced-learn's
    /// `fit(X, y, sample_weight)` without a bootstrap. With one,
    /// scikit-learn 1.9 draws the bootstrap in proportion to the weights,
    /// which the engine does not: an error says so.
    fn fit_with_weights(&self, data: Xy<'_>, sample_weight: &[f64]) -> Result<FittedForest, ModelError> {
        check_sample_weight(sample_weight, data.y().len())?;
        if self.bootstrap {
            return Err(ModelError::Parameter(
                "sample weights with bootstrap=true: scikit-learn 1.9 draws the bootstrap by weight, \
                 which the engine does not; use bootstrap=false or no weights"
                    .into(),
            ));
        }
        self.fit_rows(data, Some(sample_weight))
    }
}

impl BalancedRandomForestClassifier {
    fn fit_rows(&self, data: Xy<'_>, sample_weight: Option<&[f64]>) -> Result<FittedForest, ModelError> {
        self.check()?;
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let (trees, out_of_bag) = self.trees(&data, &Columns::new(data.x()), &seeds, sample_weight)?;
        let forest = FittedForest::new(trees, data.n_classes(), data.x().ncols());
        self.finish(forest, &data, &out_of_bag)
    }
}

impl WarmStart for BalancedRandomForestClassifier {
    fn fit_more(&self, fitted: FittedForest, data: Xy<'_>) -> Result<FittedForest, ModelError> {
        self.check()?;
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let have = fitted.trees().len();
        let more = more_members(&fitted, have, self.n_estimators, &data)?;
        let (trees, new) = self.trees(&data, &Columns::new(data.x()), &seeds[more], None)?;
        // The kept trees' out-of-bag rows, drawn again from their seeds.
        let mut out_of_bag = Vec::new();
        if self.oob_score {
            out_of_bag = seeds[..have]
                .par_iter()
                .map(|&s| self.sample(data.y(), s).map(|t| t.out_of_bag))
                .collect::<Result<Vec<_>, _>>()?;
            out_of_bag.extend(new);
        }
        self.finish(fitted.with_more(trees), &data, &out_of_bag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_boosting::test_data::{imbalanced_blobs, recall};
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
