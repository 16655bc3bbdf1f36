//! AdaBoost with the SAMME rule (Zhu, Zou, Rosset & Hastie 2009), as
//! scikit-learn 1.9's `AdaBoostClassifier`, on decision trees (stumps by
//! default); the boosting loop RUSBoost shares.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use imbalanced_models::persist::{ensure, finite, validate_members, Validate};
use imbalanced_models::{
    check_sample_weight, Columns, DecisionTreeClassifier, Fit, FitWeighted, FittedTree, MaxFeatures, ModelError,
    Predict,
};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// Boosted decision trees (SAMME), scikit-learn's `AdaBoostClassifier`.
///
/// Each round fits a tree on the current sample weights, then raises the
/// weights of the rows it gets wrong by `exp(alpha)`, with
/// `alpha = learning_rate * (ln((1 - err) / err) + ln(K - 1))`. Stops early
/// on a perfect round, or drops a round no better than chance
/// (`err >= 1 - 1/K`). Defaults are scikit-learn's: 50 stumps, learning
/// rate 1.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "AdaBoostClassifier", kind = "classifier", aliases = ["adaboost"])]
pub struct AdaBoostClassifier {
    /// Boosting rounds at most. Default: 50.
    pub n_estimators: usize,
    /// Shrinks each round's weight `alpha`. Default: 1.0.
    pub learning_rate: f64,
    /// Depth of each tree (1: stumps, scikit-learn's default estimator). Default: 1.
    pub max_depth: usize,
    /// Seed of the trees' feature orders. Default: 0.
    pub random_state: u64,
}

impl Default for AdaBoostClassifier {
    fn default() -> Self {
        AdaBoostClassifier {
            n_estimators: 50,
            learning_rate: 1.0,
            max_depth: 1,
            random_state: 0,
        }
    }
}

/// A fitted boosted ensemble: its trees and their weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedBoosting {
    /// The trees of the rounds kept.
    pub trees: Vec<FittedTree>,
    /// Each kept round's weight `alpha`.
    pub weights: Vec<f64>,
    /// Each kept round's weighted training error.
    pub errors: Vec<f64>,
    n_classes: usize,
    n_features: usize,
}

/// The checks of the boosting parameters shared by AdaBoost and RUSBoost.
pub fn check_boosting(n_estimators: usize, learning_rate: f64) -> Result<(), ModelError> {
    if n_estimators == 0 {
        return Err(ModelError::Parameter("n_estimators must be at least 1".into()));
    }
    if !(learning_rate > 0.0 && learning_rate.is_finite()) {
        return Err(ModelError::Parameter(format!(
            "learning_rate = {learning_rate}: give a positive number"
        )));
    }
    Ok(())
}

/// The rounds of a SAMME loop: how many, their shrinkage, their seed.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub n_estimators: usize,
    pub learning_rate: f64,
    pub random_state: u64,
}

/// The SAMME loop. `fit_round(weights, seed)` fits round `m`'s tree on the
/// current sample weights (normalised to sum 1; at the start `initial`
/// over its sum, or uniform); its predictions on every training row give
/// the round's error. As scikit-learn: a round with error 0 is kept with
/// weight 1 and ends the loop; a round no better than chance is dropped and
/// ends it (an error if it was the first); the weights are not updated
/// after the last round.
pub fn samme(
    schedule: Schedule,
    x: ArrayView2<'_, f64>,
    y: &[usize],
    n_classes: usize,
    initial: Option<&[f64]>,
    mut fit_round: impl FnMut(&[f64], u64) -> Result<FittedTree, ModelError>,
) -> Result<FittedBoosting, ModelError> {
    let Schedule {
        n_estimators,
        learning_rate,
        random_state,
    } = schedule;
    let n = y.len();
    let k = n_classes as f64;
    // scikit-learn's start: the given weights over their sum (1/n each without).
    let mut sample_weight = match initial {
        Some(w) => {
            let total: f64 = w.iter().sum();
            w.iter().map(|v| v / total).collect()
        }
        None => vec![1.0 / n as f64; n],
    };
    let mut seeds = SamplerRng::new(RngKind::Default, random_state);
    let mut out = FittedBoosting {
        trees: Vec::new(),
        weights: Vec::new(),
        errors: Vec::new(),
        n_classes,
        n_features: x.ncols(),
    };
    for round in 0..n_estimators {
        let tree = fit_round(&sample_weight, seeds.next_u64())?;
        // The training rows, checked once by the fit.
        let predicted = tree.predict_finite(x)?;
        let incorrect: Vec<bool> = predicted.iter().zip(y).map(|(p, t)| p != t).collect();
        let total: f64 = sample_weight.iter().sum();
        let wrong: f64 = sample_weight
            .iter()
            .zip(&incorrect)
            .filter(|(_, &i)| i)
            .map(|(w, _)| w)
            .sum();
        let error = wrong / total;
        if error <= 0.0 {
            out.trees.push(tree);
            out.weights.push(1.0);
            out.errors.push(0.0);
            break;
        }
        if error >= 1.0 - 1.0 / k {
            if out.trees.is_empty() {
                return Err(ModelError::Parameter(
                    "the first boosting round is no better than chance (error >= 1 - 1/n_classes): \
                     the base trees cannot fit these data"
                        .into(),
                ));
            }
            break;
        }
        let alpha = learning_rate * (((1.0 - error) / error).ln() + (k - 1.0).ln());
        out.trees.push(tree);
        out.weights.push(alpha);
        out.errors.push(error);
        if round + 1 == n_estimators {
            break;
        }
        let boost = alpha.exp();
        for (w, &wrong) in sample_weight.iter_mut().zip(&incorrect) {
            if wrong && *w > 0.0 {
                *w *= boost;
            }
        }
        let sum: f64 = sample_weight.iter().sum();
        if !sum.is_finite() || sum <= 0.0 {
            break;
        }
        sample_weight.iter_mut().for_each(|w| *w /= sum);
    }
    Ok(out)
}

/// The tree of one boosting round: scikit-learn's default estimator of
/// AdaBoost (a stump at depth 1), every feature considered.
pub fn round_tree(max_depth: usize, seed: u64) -> DecisionTreeClassifier {
    DecisionTreeClassifier {
        max_depth: Some(max_depth),
        max_features: MaxFeatures::All,
        random_state: seed,
        ..Default::default()
    }
}

impl Fit for AdaBoostClassifier {
    type Fitted = FittedBoosting;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedBoosting, ModelError> {
        check_boosting(self.n_estimators, self.learning_rate)?;
        self.boost(data.x(), data.y(), data.n_classes(), None)
    }
}

impl FitWeighted for AdaBoostClassifier {
    fn fit_with_weights(&self, data: Xy<'_>, sample_weight: &[f64]) -> Result<FittedBoosting, ModelError> {
        check_boosting(self.n_estimators, self.learning_rate)?;
        check_sample_weight(sample_weight, data.y().len())?;
        self.boost(data.x(), data.y(), data.n_classes(), Some(sample_weight))
    }
}

impl AdaBoostClassifier {
    /// SAMME on rows known finite (EasyEnsemble's members boost their
    /// under-samples with it); the parameters are checked by the caller.
    pub fn boost(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        sample_weight: Option<&[f64]>,
    ) -> Result<FittedBoosting, ModelError> {
        let columns = Columns::new(x);
        let schedule = Schedule {
            n_estimators: self.n_estimators,
            learning_rate: self.learning_rate,
            random_state: self.random_state,
        };
        samme(schedule, x, y, n_classes, sample_weight, |w, seed| {
            round_tree(self.max_depth, seed).fit_columns(&columns, y, n_classes, Some(w))
        })
    }
}

impl FittedBoosting {
    /// scikit-learn's SAMME decision: per class, the weight of the rounds
    /// voting for it over the total weight (`decision_function` is this for
    /// three classes or more, the second column minus the first for two).
    pub fn votes(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut votes = Array2::zeros((x.nrows(), self.n_classes));
        for (tree, &w) in self.trees.iter().zip(&self.weights) {
            for (i, c) in tree.predict(x)?.into_iter().enumerate() {
                votes[(i, c)] += w;
            }
        }
        let total: f64 = self.weights.iter().sum();
        Ok(votes / total)
    }
}

impl FittedBoosting {
    /// scikit-learn's `feature_importances_` of AdaBoost: the trees'
    /// importances weighted by their rounds' weights; `None` when a tree
    /// comes from an older model file without them.
    pub fn feature_importances(&self) -> Option<Vec<f64>> {
        let mut sum = vec![0.0; self.n_features];
        for (t, &w) in self.trees.iter().zip(&self.weights) {
            sum.iter_mut()
                .zip(t.feature_importances()?)
                .for_each(|(s, v)| *s += w * v);
        }
        let norm: f64 = self.weights.iter().sum();
        sum.iter_mut().for_each(|s| *s /= norm);
        Some(sum)
    }
}

impl Predict for FittedBoosting {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// scikit-learn's `predict_proba` of SAMME: the softmax of the votes
    /// divided by `K - 1` (for two classes, of `(-d, d) / 2` with `d` the
    /// second class's vote minus the first's).
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut scores = self.votes(x)?;
        if self.n_classes == 2 {
            for mut row in scores.rows_mut() {
                let d = row[1] - row[0];
                row[0] = -d / 2.0;
                row[1] = d / 2.0;
            }
        } else {
            scores /= (self.n_classes - 1) as f64;
        }
        for mut row in scores.rows_mut() {
            let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
            row.mapv_inplace(|v| (v - max).exp());
            let sum = row.sum();
            row /= sum;
        }
        Ok(scores)
    }
}

impl Validate for FittedBoosting {
    fn validate(&self) -> Result<(), String> {
        validate_members("trees", &self.trees, self.n_classes, self.n_features)?;
        ensure(
            self.weights.len() == self.trees.len() && self.errors.len() == self.trees.len(),
            || "weights, errors: one per tree".into(),
        )?;
        finite("weights", &self.weights)?;
        finite("errors", &self.errors)?;
        ensure(self.weights.iter().sum::<f64>() > 0.0, || {
            "weights: their sum must be positive".into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_data::{blobs, recall};

    #[test]
    fn boosted_stumps_fit_what_one_stump_cannot() {
        // Class 1 lies between two bands of class 0 on one feature: no
        // stump separates it, fifty rounds do.
        let (x, y) = blobs(300, 3);
        let y: Vec<usize> = (0..y.len())
            .map(|i| usize::from((x[(i, 0)] - 0.5).abs() < 0.2))
            .collect();
        let one = AdaBoostClassifier {
            n_estimators: 1,
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        let many = AdaBoostClassifier::default().fit(x.view(), &y, 2).unwrap();
        let acc = |m: &FittedBoosting| {
            m.predict(x.view())
                .unwrap()
                .iter()
                .zip(&y)
                .filter(|(p, t)| p == t)
                .count() as f64
                / y.len() as f64
        };
        assert!(acc(&many) > acc(&one) + 0.1, "{} vs {}", acc(&many), acc(&one));
        assert_eq!(many.trees.len(), many.weights.len());
        assert!(many.trees.len() <= 50);
        let p = many.predict_proba(x.view()).unwrap();
        for row in p.rows() {
            assert!((row.sum() - 1.0).abs() < 1e-12);
        }
        assert!(recall(&many, x.view(), &y, 1) > 0.5);
    }

    #[test]
    fn a_perfect_first_round_stops_with_weight_one() {
        let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64);
        let y: Vec<usize> = (0..20).map(|i| usize::from(i >= 10)).collect();
        let m = AdaBoostClassifier::default().fit(x.view(), &y, 2).unwrap();
        assert_eq!(
            (m.trees.len(), m.weights.clone(), m.errors.clone()),
            (1, vec![1.0], vec![0.0])
        );
    }

    #[test]
    fn weights_follow_the_samme_formula() {
        let (x, y) = blobs(200, 4);
        let m = AdaBoostClassifier {
            n_estimators: 5,
            learning_rate: 0.5,
            ..Default::default()
        }
        .fit(x.view(), &y, 3)
        .unwrap();
        for (&w, &e) in m.weights.iter().zip(&m.errors) {
            assert!((w - 0.5 * (((1.0 - e) / e).ln() + 2f64.ln())).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_parameters_are_errors() {
        let (x, y) = blobs(50, 1);
        for m in [
            AdaBoostClassifier {
                n_estimators: 0,
                ..Default::default()
            },
            AdaBoostClassifier {
                learning_rate: 0.0,
                ..Default::default()
            },
            AdaBoostClassifier {
                learning_rate: f64::NAN,
                ..Default::default()
            },
        ] {
            assert!(matches!(m.fit(x.view(), &y, 3), Err(ModelError::Parameter(_))));
        }
    }
}
