//! Pool-based active learning under class imbalance.
//!
//! [`QueryStrategy`]: random, least-confident, margin and entropy sampling,
//! coreset (k-center greedy), BADGE (k-means++ on gradient embeddings) and
//! FairFAL's class-balanced query (Zong & Huang, CVPR 2026; the rows its
//! published code selects, tests/fairfal.rs). [`ActiveLearning::run`]: the loop that labels an
//! initial share of the pool, then trains, scores and queries until the
//! labelled share reaches its end, reporting a learning curve (balanced
//! accuracy and the rarest class's recall against the labelled count) and
//! the class balance of each cycle's queried labels. [`compare`]: the loop
//! on data files for several strategies, and their curves as a chart
//! (`imbalanced active`).

#![deny(unsafe_code)]

pub mod experiment;
pub mod query;

pub use experiment::{compare, Comparison};
pub use query::{balanced_selection, gradient_embeddings, prototype_pseudo_labels, Pool, QueryStrategy};

use imbalanced_federated::{Network, Rows, Simulation};
use imbalanced_random::Generator;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// What active learning refuses.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ActiveError {
    #[error("{0}")]
    Parameter(String),
}

/// The loop's settings. Defaults: random queries, 5% labelled at first, 5%
/// of the pool queried per cycle, until 45% is labelled; the model a
/// softmax trained by SGD (the federated simulator's trainer, 20 epochs,
/// cross-entropy); seed 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ActiveLearning {
    pub strategy: QueryStrategy,
    /// Share of the pool labelled at random before the first query.
    pub initial: f64,
    /// Share of the pool queried each cycle.
    pub query_ratio: f64,
    /// Share of the pool labelled when the loop stops.
    pub end_ratio: f64,
    /// How the model is trained each cycle, afresh (its `model`: softmax or
    /// MLP; its `rounds` x `local_epochs` are the epochs). Queries see the
    /// model's penultimate features: the scaled inputs for the softmax, the
    /// hidden activations for the MLP.
    pub training: Simulation,
    pub seed: u64,
}

impl Default for ActiveLearning {
    fn default() -> Self {
        ActiveLearning {
            strategy: QueryStrategy::Random,
            initial: 0.05,
            query_ratio: 0.05,
            end_ratio: 0.45,
            training: Simulation {
                rounds: 1,
                local_epochs: 20,
                ..Default::default()
            },
            seed: 0,
        }
    }
}

/// One cycle: the model trained on the labelled rows, scored, and the rows it queried.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cycle {
    /// Rows labelled when the model was trained.
    pub labelled: usize,
    pub balanced_accuracy: f64,
    /// Recall of the rarest class of the test rows.
    pub minority_recall: f64,
    /// The labelled rows per class.
    pub labelled_counts: Vec<usize>,
    /// This cycle's queried rows per class (empty after the last training).
    pub queried_counts: Vec<usize>,
}

/// A finished loop: its cycles, and the normalised area under its
/// balanced-accuracy curve.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Curve {
    pub cycles: Vec<Cycle>,
    /// The area under balanced accuracy against the labelled count
    /// (trapezoids) divided by the span of labelled counts covered: the
    /// curve's mean, 1 for a perfect learner, comparable across spans; the
    /// single cycle's score when the loop stopped at its start.
    pub mean_balanced_accuracy: f64,
}

fn softmax_rows(logits: &Array2<f64>) -> Array2<f64> {
    let mut p = logits.clone();
    for mut r in p.rows_mut() {
        let m = r.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        r.mapv_inplace(|v| (v - m).exp());
        let s = r.sum();
        r /= s;
    }
    p
}

impl ActiveLearning {
    fn check(&self, n: usize) -> Result<(), ActiveError> {
        let share = |v: f64| v > 0.0 && v <= 1.0;
        if !(share(self.initial) && share(self.query_ratio) && share(self.end_ratio)) || self.end_ratio < self.initial {
            return Err(ActiveError::Parameter(format!(
                "initial {}, query_ratio {}, end_ratio {}: give shares in (0, 1] with initial <= end_ratio",
                self.initial, self.query_ratio, self.end_ratio
            )));
        }
        if ((self.initial * n as f64) as usize) == 0 {
            return Err(ActiveError::Parameter(format!(
                "initial = {} of {n} rows labels no row: raise it",
                self.initial
            )));
        }
        Ok(())
    }

    /// Runs the loop on the pool `x` (scaled features) whose labels `y` the
    /// oracle reveals when queried, scoring each cycle's model on the test rows.
    pub fn run(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        x_test: ArrayView2<'_, f64>,
        y_test: &[usize],
    ) -> Result<Curve, ActiveError> {
        let n = y.len();
        self.check(n)?;
        if x.nrows() != n || x_test.nrows() != y_test.len() || x_test.ncols() != x.ncols() {
            return Err(ActiveError::Parameter(
                "the pool and test rows must have one label each and the same columns".into(),
            ));
        }
        if let Some(&c) = y.iter().chain(y_test).find(|&&c| c >= n_classes) {
            return Err(ActiveError::Parameter(format!("label {c} of {n_classes} classes")));
        }
        let mut rng = Generator::new(u128::from(self.seed));
        let mut labelled = rng
            .choice(n, (self.initial * n as f64) as usize, false, true)
            .unwrap_or_default();
        let end = ((self.end_ratio * n as f64) as usize).max(labelled.len());
        let step = ((self.query_ratio * n as f64) as usize).max(1);
        let rarest = {
            let mut counts = vec![0usize; n_classes];
            y_test.iter().for_each(|&c| counts[c] += 1);
            (0..n_classes)
                .filter(|&c| counts[c] > 0)
                .min_by_key(|&c| (counts[c], c))
        };
        let mut cycles = Vec::new();
        loop {
            labelled.sort_unstable();
            let lx = x.select(ndarray::Axis(0), &labelled);
            let ly: Vec<usize> = labelled.iter().map(|&i| y[i]).collect();
            let model: Network = self
                .training
                .centralised(Rows { x: lx.view(), y: &ly }, n_classes)
                .map_err(|e| ActiveError::Parameter(e.to_string()))?;
            let pred = model.predict(x_test);
            let balanced_accuracy =
                imbalanced_scores::balanced_accuracy_score(y_test, &pred, false).unwrap_or(f64::NAN);
            let minority_recall = rarest.map_or(f64::NAN, |c| {
                let (hit, all) = y_test
                    .iter()
                    .zip(&pred)
                    .filter(|(&t, _)| t == c)
                    .fold((0usize, 0usize), |(h, a), (_, &p)| (h + usize::from(p == c), a + 1));
                hit as f64 / all as f64
            });
            let mut labelled_counts = vec![0usize; n_classes];
            ly.iter().for_each(|&c| labelled_counts[c] += 1);
            let mut cycle = Cycle {
                labelled: labelled.len(),
                balanced_accuracy,
                minority_recall,
                labelled_counts,
                queried_counts: Vec::new(),
            };
            if labelled.len() >= end || labelled.len() == n {
                cycles.push(cycle);
                break;
            }
            let is_labelled = {
                let mut v = vec![false; n];
                labelled.iter().for_each(|&i| v[i] = true);
                v
            };
            let unlabelled: Vec<usize> = (0..n).filter(|&i| !is_labelled[i]).collect();
            let ux = x.select(ndarray::Axis(0), &unlabelled);
            let proba = softmax_rows(&model.logits(ux.view()));
            let lproba = softmax_rows(&model.logits(lx.view()));
            // The model's penultimate features: the scaled inputs for the
            // softmax, the hidden activations for the MLP.
            let (ufeat, lfeat) = (model.features(ux.view()), model.features(lx.view()));
            let grads = (
                gradient_embeddings(proba.view(), ufeat.view(), None),
                gradient_embeddings(lproba.view(), lfeat.view(), Some(&ly)),
            );
            let pool = Pool {
                proba: proba.view(),
                features: ufeat.view(),
                labelled_features: lfeat.view(),
                labelled_y: &ly,
                gradients: Some((grads.0.view(), grads.1.view())),
            };
            let budget = step.min(end - labelled.len());
            let picked = self.strategy.query(&pool, budget, &mut rng)?;
            let mut queried = vec![0usize; n_classes];
            for &p in &picked {
                queried[y[unlabelled[p]]] += 1;
                labelled.push(unlabelled[p]);
            }
            cycle.queried_counts = queried;
            cycles.push(cycle);
        }
        let span = cycles.last().map_or(0, |c| c.labelled) - cycles[0].labelled;
        let mean = if span == 0 {
            cycles[0].balanced_accuracy
        } else {
            cycles
                .windows(2)
                .map(|w| {
                    (w[1].labelled - w[0].labelled) as f64 * (w[0].balanced_accuracy + w[1].balanced_accuracy) / 2.0
                })
                .sum::<f64>()
                / span as f64
        };
        Ok(Curve {
            cycles,
            mean_balanced_accuracy: mean,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// Gaussian blobs of 4 classes with counts 400, 100, 40, 20 in 3-D.
    fn blobs(seed: u128) -> (Array2<f64>, Vec<usize>) {
        let mut rng = Generator::new(seed);
        let counts = [400, 100, 40, 20];
        let y: Vec<usize> = counts.iter().enumerate().flat_map(|(c, &n)| vec![c; n]).collect();
        let centres = [[0.0, 0.0, 0.0], [2.5, 0.0, 0.0], [0.0, 2.5, 0.0], [0.0, 0.0, 2.5]];
        let x = Array2::from_shape_fn((y.len(), 3), |(i, j)| centres[y[i]][j] + rng.standard_normal());
        (x, y)
    }

    #[test]
    fn uncertainty_strategies_pick_the_uncertain_rows() {
        let proba = array![[0.9, 0.1, 0.0], [0.4, 0.35, 0.25], [0.5, 0.5, 0.0], [0.98, 0.01, 0.01]];
        let features = array![[0.0], [1.0], [2.0], [10.0]];
        let labelled = array![[0.5]];
        let pool = Pool {
            proba: proba.view(),
            features: features.view(),
            labelled_features: labelled.view(),
            labelled_y: &[0],
            gradients: None,
        };
        let mut rng = Generator::new(0);
        let q = |s: QueryStrategy, b: usize, rng: &mut Generator| s.query(&pool, b, rng).unwrap();
        assert_eq!(q(QueryStrategy::LeastConfident, 1, &mut rng), vec![1]);
        assert_eq!(q(QueryStrategy::Margin, 1, &mut rng), vec![2]);
        assert_eq!(q(QueryStrategy::Entropy, 1, &mut rng), vec![1]);
        assert_eq!(q(QueryStrategy::Coreset, 2, &mut rng), vec![3, 2]);
        for s in [
            QueryStrategy::Random,
            QueryStrategy::Badge,
            QueryStrategy::ClassBalanced,
        ] {
            let mut picked = q(s, 3, &mut rng);
            assert!(picked.len() <= 3);
            picked.sort_unstable();
            picked.dedup();
            assert!(picked.iter().all(|&i| i < 4), "{s:?}");
        }
        assert!(QueryStrategy::Entropy
            .query(
                &Pool {
                    labelled_y: &[7],
                    ..pool
                },
                1,
                &mut rng
            )
            .is_err());
        for s in [QueryStrategy::Random, QueryStrategy::Badge, QueryStrategy::Coreset] {
            assert!(q(s, 0, &mut rng).is_empty(), "{s:?} with no budget");
        }
        let wide = array![[0.5, 1.0]];
        let grads = (array![[1.0], [1.0], [1.0]], array![[1.0]]);
        for bad in [
            Pool {
                labelled_features: wide.view(),
                ..pool
            },
            Pool {
                gradients: Some((grads.0.view(), grads.1.view())),
                ..pool
            },
        ] {
            let e = QueryStrategy::Coreset.query(&bad, 1, &mut rng).unwrap_err();
            assert!(e.to_string().contains("do not line up"), "{e}");
        }
        let empty = ndarray::Array2::<f64>::zeros((0, 1));
        let e = QueryStrategy::ClassBalanced
            .query(
                &Pool {
                    labelled_features: empty.view(),
                    labelled_y: &[],
                    ..pool
                },
                1,
                &mut rng,
            )
            .unwrap_err();
        assert!(e.to_string().contains("label a few rows first"), "{e}");
        assert_eq!(
            "class_balanced".parse::<QueryStrategy>(),
            Ok(QueryStrategy::ClassBalanced)
        );
        assert!("uncertain".parse::<QueryStrategy>().is_err());
    }

    #[test]
    fn the_loop_labels_step_by_step_and_class_balanced_queries_balance_the_labels() {
        let (x, y) = blobs(1);
        let (xt, yt) = blobs(2);
        let run = |strategy| {
            ActiveLearning {
                strategy,
                initial: 0.05,
                query_ratio: 0.05,
                end_ratio: 0.25,
                ..Default::default()
            }
            .run(x.view(), &y, 4, xt.view(), &yt)
            .unwrap()
        };
        let mut balance = Vec::new();
        for strategy in [
            QueryStrategy::Random,
            QueryStrategy::LeastConfident,
            QueryStrategy::Margin,
            QueryStrategy::Entropy,
            QueryStrategy::Coreset,
            QueryStrategy::Badge,
            QueryStrategy::ClassBalanced,
        ] {
            let curve = run(strategy);
            let labelled: Vec<usize> = curve.cycles.iter().map(|c| c.labelled).collect();
            assert_eq!(labelled, vec![28, 56, 84, 112, 140], "{strategy:?}");
            let scores = curve.cycles.iter().map(|c| c.balanced_accuracy);
            let (lo, hi) = scores.fold((1.0f64, 0.0f64), |(l, h), b| (l.min(b), h.max(b)));
            assert!(
                (lo..=hi).contains(&curve.mean_balanced_accuracy) && hi > 0.5,
                "{strategy:?}: {curve:?}"
            );
            assert_eq!(curve, run(strategy), "{strategy:?} is seeded");
            // The queried labels' balance: the rarest class's share of all queries.
            let queried: Vec<usize> = (0..4)
                .map(|c| {
                    curve
                        .cycles
                        .iter()
                        .map(|k| k.queried_counts.get(c).copied().unwrap_or(0))
                        .sum()
                })
                .collect();
            let total: usize = queried.iter().sum();
            balance.push((strategy, queried[3] as f64 / total as f64));
        }
        let share = |s| balance.iter().find(|(t, _)| *t == s).unwrap().1;
        assert!(
            share(QueryStrategy::ClassBalanced) > share(QueryStrategy::Random),
            "{balance:?}"
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let (x, y) = blobs(1);
        for al in [
            ActiveLearning {
                initial: 0.0,
                ..Default::default()
            },
            ActiveLearning {
                end_ratio: 0.01,
                ..Default::default()
            },
            ActiveLearning {
                query_ratio: 2.0,
                ..Default::default()
            },
            ActiveLearning {
                initial: 0.001,
                ..Default::default()
            },
        ] {
            assert!(al.run(x.view(), &y, 4, x.view(), &y).is_err(), "{al:?}");
        }
        assert!(ActiveLearning::default().run(x.view(), &y, 3, x.view(), &y).is_err());
    }
}
