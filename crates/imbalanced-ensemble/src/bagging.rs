//! Balanced bagging (Maclin & Opitz 1997; Hido, Kashima & Takahashi 2009),
//! as imbalanced-learn 0.14's `BalancedBaggingClassifier`.

use imbalanced_catalog::{Estimator, Value};
use imbalanced_data::{take_rows, Xy};
use imbalanced_models::persist::{ensure, Validate};
use imbalanced_models::{
    member_seeds, more_members, Columns, DecisionTreeClassifier, Fit, FittedTree, ModelError, OutOfBag, Predict,
    WarmStart,
};
use imbalanced_random::{RngKind, SamplerRng};
use imbalanced_resample::{code_labels, RandomUnderSampler, SamplerSpec, SamplingStrategy, SAMPLERS};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Bagged decision trees whose every bag a sampler re-balances:
/// imbalanced-learn's `BalancedBaggingClassifier`.
///
/// Per member: a bag of rows (a bootstrap by default) and of features, then
/// the sampler on the bag (by default random under-sampling; its
/// `sampling_strategy` is the ensemble's), then a CART tree on what the
/// sampler returns (a bag of one class as it is); probabilities are the
/// members' mean. With `oob_score`, each row is also predicted by the
/// members whose bag left it out (scikit-learn's out-of-bag estimate).
/// Defaults are
/// imbalanced-learn's: 10 members, bags as large as the data, every
/// feature, `sampling_strategy` `auto`, without replacement.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "BalancedBaggingClassifier", kind = "classifier", aliases = ["balanced-bagging"])]
pub struct BalancedBaggingClassifier {
    /// Members. Default: 10.
    pub n_estimators: usize,
    /// Rows of each bag, as a share of the data's, in (0, 1]. Default: 1.0.
    pub max_samples: f64,
    /// Features of each member, as a share of the data's, in (0, 1]. Default: 1.0.
    pub max_features: f64,
    /// Draw the bags' rows with replacement. Default: `true`.
    pub bootstrap: bool,
    /// Draw the members' features with replacement. Default: `false`.
    pub bootstrap_features: bool,
    /// The sampler that re-balances each bag, any of the catalogue: a name or `{"name": ..., parameters}`.
    /// Default: `RandomUnderSampler`.
    pub sampler: SamplerSpec,
    /// The sampler's `sampling_strategy` (it replaces the sampler's own). Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// The default random under-sampler's `replacement`. Default: `false`.
    pub replacement: bool,
    /// Estimate the accuracy on each member's out-of-bag rows (needs `bootstrap`). Default: `false`.
    pub oob_score: bool,
    /// Seed of the bags, the samplers and the trees (independent of threads). Default: 0.
    pub random_state: u64,
}

impl Default for BalancedBaggingClassifier {
    fn default() -> Self {
        BalancedBaggingClassifier {
            n_estimators: 10,
            max_samples: 1.0,
            max_features: 1.0,
            bootstrap: true,
            bootstrap_features: false,
            sampler: SamplerSpec::default(),
            sampling_strategy: SamplingStrategy::Auto,
            replacement: false,
            oob_score: false,
            random_state: 0,
        }
    }
}

/// One member of a bagging ensemble: the features it reads and its tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaggedTree {
    /// The columns of the input the tree reads, in its order.
    pub features: Vec<usize>,
    /// The tree, fitted on those columns.
    pub tree: FittedTree,
}

/// A fitted balanced bagging ensemble.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedBagging {
    /// The members.
    pub members: Vec<BaggedTree>,
    n_classes: usize,
    n_features: usize,
    /// The out-of-bag estimate of the fit that asked for one; a fit-time
    /// diagnostic, not kept in model files.
    #[serde(skip)]
    pub oob: Option<OutOfBag>,
}

/// `share` of `n`, at least 1 (scikit-learn's `max(1, int(share * n))`).
fn count(share: f64, n: usize) -> usize {
    ((share * n as f64) as usize).max(1)
}

/// `k` of `0..n`: with replacement, or distinct in a random order.
fn draw(rng: &mut SamplerRng, n: usize, k: usize, replace: bool) -> Vec<usize> {
    if replace {
        (0..k).map(|_| rng.randint(n)).collect()
    } else {
        let mut all = rng.permutation(n);
        all.truncate(k);
        all
    }
}

impl BalancedBaggingClassifier {
    fn check(&self) -> Result<(), ModelError> {
        for (name, v) in [("max_samples", self.max_samples), ("max_features", self.max_features)] {
            if !(v > 0.0 && v <= 1.0) {
                return Err(ModelError::Parameter(format!("{name} = {v}: give a share in (0, 1]")));
            }
        }
        if self.oob_score && !self.bootstrap {
            return Err(ModelError::Parameter(
                "oob_score needs bootstrap=true: without a bootstrap no row is out of bag".into(),
            ));
        }
        Ok(())
    }

    /// The bag of the member seeded `seed` (its rows and features) and the
    /// generator, positioned for the member's sampler and tree.
    fn bag(&self, n: usize, d: usize, seed: u64) -> (SamplerRng, Vec<usize>, Vec<usize>) {
        let mut rng = SamplerRng::new(RngKind::Default, seed);
        let rows = draw(&mut rng, n, count(self.max_samples, n), self.bootstrap);
        let features = draw(&mut rng, d, count(self.max_features, d), self.bootstrap_features);
        (rng, rows, features)
    }

    /// The members seeded `seeds`.
    fn members(&self, data: &Xy<'_>, seeds: &[u64]) -> Result<Vec<BaggedTree>, ModelError> {
        // Ranked once, by the first member that fits on shared columns.
        let columns = std::sync::OnceLock::new();
        seeds
            .par_iter()
            .map(|&seed| self.member(data.x(), &columns, data.y(), data.n_classes(), seed))
            .collect()
    }

    /// The ensemble with its out-of-bag estimate, when asked for: each
    /// member's bag is drawn again from its seed.
    fn finish(&self, mut fitted: FittedBagging, data: &Xy<'_>, seeds: &[u64]) -> Result<FittedBagging, ModelError> {
        if self.oob_score {
            let (x, y) = (data.x(), data.y());
            let out_of_bag: Vec<Vec<usize>> = seeds
                .iter()
                .map(|&s| {
                    let mut inside = vec![false; y.len()];
                    self.bag(x.nrows(), x.ncols(), s)
                        .1
                        .iter()
                        .for_each(|&i| inside[i] = true);
                    (0..y.len()).filter(|&i| !inside[i]).collect()
                })
                .collect();
            let members = &fitted.members;
            let predict = |m: usize, rows: &[usize]| {
                let member = &members[m];
                member
                    .tree
                    .predict_proba(take_rows(x, rows).select(Axis(1), &member.features).view())
            };
            fitted.oob = Some(OutOfBag::new(&out_of_bag, predict, y, data.n_classes())?);
        }
        Ok(fitted)
    }

    /// One member on its bag, seeded by `seed`.
    fn member(
        &self,
        x: ArrayView2<'_, f64>,
        columns: &std::sync::OnceLock<Columns>,
        y: &[usize],
        n_classes: usize,
        seed: u64,
    ) -> Result<BaggedTree, ModelError> {
        let (mut rng, rows, features) = self.bag(x.nrows(), x.ncols(), seed);
        let bag_y: Vec<usize> = rows.iter().map(|&i| y[i]).collect();
        let strategy = serde_json::to_value(&self.sampling_strategy).expect("a strategy serialises");
        let ambient = [
            ("sampling_strategy", strategy),
            ("random_state", Value::from(rng.next_u64())),
            ("replacement", Value::from(self.replacement)),
        ];
        let given: Vec<(String, Value)> = self
            .sampler
            .params
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "sampling_strategy" | "random_state"))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let sampler_error = |e: String| ModelError::Parameter(format!("the sampler of a member: {e}"));
        let entry = SAMPLERS
            .find(&self.sampler.name)
            .map_err(|e| sampler_error(e.to_string()))?;
        let params = entry
            .configure(&given, &ambient)
            .map_err(|e| sampler_error(e.to_string()))?;
        let tree = DecisionTreeClassifier {
            random_state: rng.next_u64(),
            ..Default::default()
        };
        // A bag of one class has nothing to re-balance: it is kept as it is
        // (imbalanced-learn's sampler refuses it, and its fit fails).
        let one_class = bag_y.iter().all(|&c| c == bag_y[0]);
        if one_class || entry.info.name == "RandomUnderSampler" {
            // The kept rows as weights on the shared columns: the same tree
            // as on a copy of them (weights are whole counts, so their sums
            // do not depend on the order), without copying the bag.
            let kept: Vec<usize> = if one_class {
                (0..rows.len()).collect()
            } else {
                let sampler: RandomUnderSampler =
                    serde_json::from_value(params).map_err(|e| sampler_error(e.to_string()))?;
                sampler
                    .sample_indices(&bag_y, &code_labels(&bag_y))
                    .map_err(|e| sampler_error(e.to_string()))?
            };
            let mut weights = vec![0.0; y.len()];
            kept.iter().for_each(|&k| weights[rows[k]] += 1.0);
            let columns = columns.get_or_init(|| Columns::new(x));
            let tree = tree.fit_columns_of(columns, &features, y, n_classes, Some(&weights))?;
            return Ok(BaggedTree { features, tree });
        }
        let sampler = entry.build(params).map_err(|e| sampler_error(e.to_string()))?;
        let bag = take_rows(x, &rows).select(Axis(1), &features);
        let resampled = sampler
            .fit_resample(bag.view(), &bag_y)
            .map_err(|e| sampler_error(e.to_string()))?;
        let tree = tree.fit_weighted(resampled.x.view(), &resampled.y, n_classes, None)?;
        Ok(BaggedTree { features, tree })
    }
}

impl Fit for BalancedBaggingClassifier {
    type Fitted = FittedBagging;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedBagging, ModelError> {
        self.check()?;
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let fitted = FittedBagging {
            members: self.members(&data, &seeds)?,
            n_classes: data.n_classes(),
            n_features: data.x().ncols(),
            oob: None,
        };
        self.finish(fitted, &data, &seeds)
    }
}

impl WarmStart for BalancedBaggingClassifier {
    /// As scikit-learn, a warm start gives no out-of-bag estimate.
    fn fit_more(&self, mut fitted: FittedBagging, data: Xy<'_>) -> Result<FittedBagging, ModelError> {
        self.check()?;
        if self.oob_score {
            return Err(ModelError::Parameter(
                "oob_score is only available without warm_start (scikit-learn's rule): set one of them".into(),
            ));
        }
        let seeds = member_seeds(self.n_estimators, self.random_state)?;
        let more = more_members(&fitted, fitted.members.len(), self.n_estimators, &data)?;
        fitted.members.extend(self.members(&data, &seeds[more])?);
        Ok(fitted)
    }
}

impl Predict for FittedBagging {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// The mean of the members' probabilities, each on its own columns.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        if x.ncols() != self.n_features {
            return Err(ModelError::FeatureMismatch {
                got: x.ncols(),
                fitted: self.n_features,
            });
        }
        let mut sum = Array2::zeros((x.nrows(), self.n_classes));
        for m in &self.members {
            sum += &m.tree.predict_proba(x.select(Axis(1), &m.features).view())?;
        }
        Ok(sum / self.members.len() as f64)
    }
}

impl Validate for FittedBagging {
    fn validate(&self) -> Result<(), String> {
        ensure(!self.members.is_empty(), || {
            "members: an ensemble needs at least one".into()
        })?;
        for (i, m) in self.members.iter().enumerate() {
            ensure(
                !m.features.is_empty() && m.features.iter().all(|&f| f < self.n_features),
                || format!("members[{i}].features: give columns below {}", self.n_features),
            )?;
            m.tree.validate().map_err(|e| format!("members[{i}].tree.{e}"))?;
            ensure(
                m.tree.n_classes() == self.n_classes && m.tree.n_features() == m.features.len(),
                || format!("members[{i}].tree: classes or features differ from the member's"),
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_boosting::test_data::{imbalanced_blobs, recall};

    #[test]
    fn members_rebalance_their_bags() {
        let (x, y) = imbalanced_blobs(600, 0.05, 3);
        let m = BalancedBaggingClassifier::default().fit(x.view(), &y, 2).unwrap();
        assert_eq!(m.members.len(), 10);
        assert!(recall(&m, x.view(), &y, 1) > 0.8);
        let p = m.predict_proba(x.view()).unwrap();
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
    }

    #[test]
    fn any_sampler_of_the_catalogue_and_feature_bags() {
        let (x, y) = imbalanced_blobs(300, 0.1, 5);
        let spec: SamplerSpec = serde_json::from_str(r#"{"name": "smote", "k_neighbors": 3}"#).unwrap();
        assert_eq!(spec.name, "SMOTE");
        let m = BalancedBaggingClassifier {
            sampler: spec,
            max_features: 0.5,
            n_estimators: 4,
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        assert!(m.members.iter().all(|b| b.features.len() == 2));
        assert!(recall(&m, x.view(), &y, 1) > 0.7);
        let text = serde_json::to_string(&m).unwrap();
        let back: FittedBagging = serde_json::from_str(&text).unwrap();
        back.validate().unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn bad_parameters_and_samplers_are_errors() {
        let (x, y) = imbalanced_blobs(100, 0.2, 1);
        for m in [
            BalancedBaggingClassifier {
                n_estimators: 0,
                ..Default::default()
            },
            BalancedBaggingClassifier {
                max_samples: 0.0,
                ..Default::default()
            },
            BalancedBaggingClassifier {
                max_features: 1.5,
                ..Default::default()
            },
        ] {
            assert!(matches!(m.fit(x.view(), &y, 2), Err(ModelError::Parameter(_))));
        }
        assert!(serde_json::from_str::<SamplerSpec>(r#""smoote""#).is_err());
        assert!(serde_json::from_str::<SamplerSpec>(r#"{"name": "SMOTE", "k": 3}"#).is_err());
    }
}
