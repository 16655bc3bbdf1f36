//! Random forests (Breiman 2001), as scikit-learn's `RandomForestClassifier`.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView2};
use rayon::prelude::*;

use crate::class_weight::ClassWeight;
use crate::persist::{validate_members, Validate};
use crate::traits::{Fit, Predict};
use crate::tree::{Columns, Criterion, DecisionTreeClassifier, FittedTree, MaxFeatures};
use crate::ModelError;

/// Bootstrap-aggregated randomised trees, scikit-learn's `RandomForestClassifier`.
///
/// Parameters of a forest. Defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "RandomForestClassifier", kind = "classifier", aliases = ["forest", "rf", "random-forest"])]
pub struct RandomForestClassifier {
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
    /// Train each tree on a bootstrap sample. Default: `true`.
    pub bootstrap: bool,
    /// Seed of the bootstrap samples and feature orders (independent of threads). Default: 0.
    pub random_state: u64,
    /// Per-class multipliers of the sample weights: `null` (uniform), `balanced` (`n / (n_classes *
    /// count)`) or a list, one weight per class in label order. Default: `null`.
    pub class_weight: ClassWeight,
}

impl Default for RandomForestClassifier {
    fn default() -> Self {
        RandomForestClassifier {
            n_estimators: 100,
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            bootstrap: true,
            random_state: 0,
            class_weight: ClassWeight::Uniform,
        }
    }
}

/// A fitted forest (also the balanced random forest's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedForest {
    trees: Vec<FittedTree>,
    n_classes: usize,
    n_features: usize,
    /// The out-of-bag estimate of the fit that asked for one; a fit-time
    /// diagnostic, not kept in model files.
    #[serde(skip)]
    pub oob: Option<OutOfBag>,
}

/// scikit-learn's out-of-bag estimate: each training row predicted by the
/// trees that did not train on it.
#[derive(Debug, Clone, PartialEq)]
pub struct OutOfBag {
    /// The accuracy of the rows' most probable class (`oob_score_`).
    pub score: f64,
    /// Each row's mean probabilities over the trees it was out of bag for;
    /// zeros for rows in every tree's bag (`oob_decision_function_`).
    pub decision_function: Array2<f64>,
    /// Rows out of no tree's bag (scikit-learn warns of them).
    pub unscored: usize,
}

impl OutOfBag {
    /// The estimate from each member's out-of-bag rows (`oob[m]` for
    /// member `m`), `predict(m, rows)` giving member `m`'s probabilities of
    /// the rows `rows` of the input, and labels `y`.
    pub fn new(
        oob: &[Vec<usize>],
        predict: impl Fn(usize, &[usize]) -> Result<Array2<f64>, ModelError>,
        y: &[usize],
        n_classes: usize,
    ) -> Result<Self, ModelError> {
        let mut sum = Array2::zeros((y.len(), n_classes));
        let mut seen = vec![0usize; y.len()];
        for (m, rows) in oob.iter().enumerate() {
            if rows.is_empty() {
                continue;
            }
            let p = predict(m, rows)?;
            for (r, &i) in rows.iter().enumerate() {
                sum.row_mut(i).scaled_add(1.0, &p.row(r));
                seen[i] += 1;
            }
        }
        for (mut row, &n) in sum.rows_mut().into_iter().zip(&seen) {
            row /= n.max(1) as f64;
        }
        let predicted = crate::argmax_rows(sum.view());
        let hits = predicted.iter().zip(y).filter(|(p, t)| p == t).count();
        Ok(OutOfBag {
            score: hits as f64 / y.len() as f64,
            decision_function: sum,
            unscored: seen.iter().filter(|&&n| n == 0).count(),
        })
    }
}

impl FittedForest {
    /// A forest of `trees` (at least one), fitted on `n_features` features and `n_classes` classes.
    pub fn new(trees: Vec<FittedTree>, n_classes: usize, n_features: usize) -> Self {
        FittedForest {
            trees,
            n_classes,
            n_features,
            oob: None,
        }
    }

    /// The trees.
    pub fn trees(&self) -> &[FittedTree] {
        &self.trees
    }

    /// The forest with `more` trees after its own (a warm start).
    #[must_use]
    pub fn with_more(mut self, more: Vec<FittedTree>) -> Self {
        self.trees.extend(more);
        self.oob = None;
        self
    }

    /// scikit-learn's `feature_importances_` of a forest: the mean of the
    /// trees' (those with a split), normalised to sum 1; `None` when a tree
    /// comes from an older model file without them.
    pub fn feature_importances(&self) -> Option<Vec<f64>> {
        let mut sum = vec![0.0; self.n_features];
        for t in &self.trees {
            // A single leaf's importances are all 0: it adds nothing.
            sum.iter_mut().zip(t.feature_importances()?).for_each(|(s, v)| *s += v);
        }
        let total: f64 = sum.iter().sum();
        if total > 0.0 {
            sum.iter_mut().for_each(|s| *s /= total);
        }
        Some(sum)
    }
}

/// One seed per member of an ensemble of `n` (at least one), drawn from
/// `random_state` up front so that the members do not depend on the order
/// the threads fit them in.
pub fn member_seeds(n: usize, random_state: u64) -> Result<Vec<u64>, ModelError> {
    if n == 0 {
        return Err(ModelError::Parameter("n_estimators must be at least 1".into()));
    }
    let mut seeder = SamplerRng::new(RngKind::Default, random_state);
    Ok((0..n).map(|_| seeder.next_u64()).collect())
}

impl Fit for RandomForestClassifier {
    type Fitted = FittedForest;

    /// Fits `n_estimators` trees, each on its own bootstrap sample and
    /// feature order, seeded from `random_state` (independent of threads).
    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedForest, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let n = y.len();
        let columns = Columns::new(x);
        let trees = seeds
            .into_par_iter()
            .map(|seed| {
                let mut rng = SamplerRng::new(RngKind::Default, seed);
                let weights = self.bootstrap.then(|| {
                    let mut w = vec![0.0; n];
                    for _ in 0..n {
                        w[rng.randint(n)] += 1.0;
                    }
                    w
                });
                let tree = DecisionTreeClassifier {
                    criterion: self.criterion,
                    max_depth: self.max_depth,
                    min_samples_split: self.min_samples_split,
                    min_samples_leaf: self.min_samples_leaf,
                    max_features: self.max_features,
                    random_state: rng.next_u64(),
                    class_weight: self.class_weight.clone(),
                    ..Default::default()
                };
                tree.fit_columns(&columns, y, n_classes, weights.as_deref())
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FittedForest::new(trees, n_classes, x.ncols()))
    }
}

impl Predict for FittedForest {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// Mean of the trees' class probabilities.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        FittedTree::mean_proba(&self.trees, x, self.n_features)
    }
}

impl Validate for FittedForest {
    fn validate(&self) -> Result<(), String> {
        validate_members("trees", &self.trees, self.n_classes, self.n_features)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    #[test]
    fn separates_two_blobs_and_is_deterministic() {
        let x = Array2::from_shape_fn((40, 2), |(i, j)| {
            if i < 20 {
                (i + j) as f64 * 0.01
            } else {
                5.0 + (i * j) as f64 * 0.01
            }
        });
        let y: Vec<usize> = (0..40).map(|i| usize::from(i >= 20)).collect();
        let f = RandomForestClassifier {
            n_estimators: 10,
            ..Default::default()
        };
        let p = f.fit(x.view(), &y, 2).unwrap().predict_proba(x.view()).unwrap();
        for (i, &c) in y.iter().enumerate() {
            assert!(p[(i, c)] > 0.9, "row {i}: {}", p[(i, c)]);
        }
        assert_eq!(p, f.fit(x.view(), &y, 2).unwrap().predict_proba(x.view()).unwrap());
    }

    #[test]
    fn importances_sum_to_one_and_favour_the_informative_feature() {
        // Only feature 0 separates the classes; feature 1 is noise.
        let x = Array2::from_shape_fn((60, 2), |(i, j)| {
            if j == 0 {
                (i / 30) as f64 + (i % 7) as f64 * 0.01
            } else {
                ((i * 13) % 17) as f64
            }
        });
        let y: Vec<usize> = (0..60).map(|i| i / 30).collect();
        let f = RandomForestClassifier {
            n_estimators: 10,
            max_features: MaxFeatures::All,
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        let imp = f.feature_importances().unwrap();
        assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(imp[0] > 0.9, "{imp:?}");
    }
}
