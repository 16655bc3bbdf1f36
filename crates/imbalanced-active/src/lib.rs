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
pub mod selection;

pub use experiment::{compare, Comparison};
pub use query::{balanced_selection, gradient_embeddings, prototype_pseudo_labels, Pool, QueryStrategy};
pub use selection::QueryModel;

use imbalanced_federated::{Network, Rows, Simulation};
use imbalanced_random::Generator;
use ndarray::{Array2, ArrayView2};
use selection::{balanced_mean, divergence_and_balance, fairfal_choice, probabilities};
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
/// cross-entropy); in federated runs the global model queries, local models
/// train 50 epochs (FairFAL's); seed 0.
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
    /// Federated runs: the model each client queries with.
    pub query_model: QueryModel,
    /// Federated runs: epochs of a client's local model, trained from
    /// scratch on its labelled rows (local and adaptive query models).
    pub local_model_epochs: usize,
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
            query_model: QueryModel::Global,
            local_model_epochs: 50,
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
    /// Federated runs with the adaptive query model: the clients whose
    /// uncertainty came from the global model this cycle.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_queries: Option<usize>,
    /// Federated runs given client test rows: their balanced accuracies' mean, std and worst.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fairness: Option<imbalanced_federated::Fairness>,
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
    /// oracle reveals when queried, scoring each cycle's model on the test
    /// rows: [`run_federated`](Self::run_federated) with one client holding
    /// every row (federated training of one client is centralised training).
    pub fn run(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        x_test: ArrayView2<'_, f64>,
        y_test: &[usize],
    ) -> Result<Curve, ActiveError> {
        let everyone: Vec<usize> = (0..y.len()).collect();
        self.run_federated(x, y, n_classes, &[everyone], (x_test, y_test), None)
    }

    /// Federated active learning (FairFAL's setting): each client's pool is
    /// its rows of `x` (`clients`, e.g. a partitioner's). Each client labels
    /// `initial` of its rows at random (at least one); each cycle trains a
    /// fresh global model by `training`'s federated rounds on the labelled
    /// rows, scores it on the test rows (and each client's `client_tests`
    /// rows of them, for fairness), and each client queries
    /// `query_ratio x rows / clients` of its unlabelled rows with the
    /// `query_model`, until `end_ratio` of all rows is labelled.
    pub fn run_federated(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        clients: &[Vec<usize>],
        (x_test, y_test): (ArrayView2<'_, f64>, &[usize]),
        client_tests: Option<&[Vec<usize>]>,
    ) -> Result<Curve, ActiveError> {
        let n = y.len();
        self.check(n)?;
        let bad = |m: String| Err(ActiveError::Parameter(m));
        if x.nrows() != n || x_test.nrows() != y_test.len() || x_test.ncols() != x.ncols() {
            return bad("the pool and test rows must have one label each and the same columns".into());
        }
        if let Some(&c) = y.iter().chain(y_test).find(|&&c| c >= n_classes) {
            return bad(format!("label {c} of {n_classes} classes"));
        }
        if clients.is_empty() || clients.iter().any(Vec::is_empty) {
            return bad("every client needs rows: partition the pool so that none is empty".into());
        }
        if let Some(&r) = clients.iter().flatten().find(|&&r| r >= n) {
            return bad(format!("client row {r} of {n} rows"));
        }
        if let Some(&r) = client_tests
            .into_iter()
            .flatten()
            .flatten()
            .find(|&&r| r >= y_test.len())
        {
            return bad(format!("client test row {r} of {} test rows", y_test.len()));
        }
        let error = |e: imbalanced_federated::PartitionError| ActiveError::Parameter(e.to_string());
        let k = clients.len();
        let mut rng = Generator::new(u128::from(self.seed));
        let mut labelled: Vec<Vec<usize>> = clients
            .iter()
            .map(|rows| {
                let m = ((self.initial * rows.len() as f64) as usize).max(1);
                let picked = rng.choice(rows.len(), m, false, true).unwrap_or_default();
                picked.into_iter().map(|i| rows[i]).collect()
            })
            .collect();
        let total = |l: &[Vec<usize>]| l.iter().map(Vec::len).sum::<usize>();
        let end = ((self.end_ratio * n as f64) as usize).max(total(&labelled));
        let step = ((self.query_ratio * n as f64 / k as f64) as usize).max(1);
        let rarest = {
            let mut counts = vec![0usize; n_classes];
            y_test.iter().for_each(|&c| counts[c] += 1);
            (0..n_classes)
                .filter(|&c| counts[c] > 0)
                .min_by_key(|&c| (counts[c], c))
        };
        let test_parts: Option<Vec<(Array2<f64>, Vec<usize>)>> = client_tests.map(|parts| {
            parts
                .iter()
                .map(|p| {
                    (
                        x_test.select(ndarray::Axis(0), p),
                        p.iter().map(|&i| y_test[i]).collect(),
                    )
                })
                .collect()
        });
        let mut mean_balance = None;
        let mut cycles = Vec::new();
        loop {
            labelled.iter_mut().for_each(|l| l.sort_unstable());
            let rows: Vec<(Array2<f64>, Vec<usize>)> = labelled
                .iter()
                .map(|l| (x.select(ndarray::Axis(0), l), l.iter().map(|&i| y[i]).collect()))
                .collect();
            let views: Vec<Rows<'_>> = rows.iter().map(|(x, y)| Rows { x: x.view(), y }).collect();
            let test_views: Option<Vec<Rows<'_>>> = test_parts
                .as_ref()
                .map(|t| t.iter().map(|(x, y)| Rows { x: x.view(), y }).collect());
            let history = self
                .training
                .run(
                    &views,
                    n_classes,
                    Some(Rows { x: x_test, y: y_test }),
                    test_views.as_deref(),
                )
                .map_err(error)?;
            let last = history.rounds.last().expect("at least one round");
            let mut labelled_counts = vec![0usize; n_classes];
            rows.iter().flat_map(|(_, y)| y).for_each(|&c| labelled_counts[c] += 1);
            let mut cycle = Cycle {
                labelled: total(&labelled),
                balanced_accuracy: last.balanced_accuracy.unwrap_or(f64::NAN),
                minority_recall: rarest.and_then(|c| last.recall[c]).unwrap_or(f64::NAN),
                labelled_counts,
                queried_counts: Vec::new(),
                global_queries: None,
                fairness: last.fairness,
            };
            if cycle.labelled >= end || cycle.labelled == n {
                cycles.push(cycle);
                break;
            }
            let global = &history.model;
            let unlabelled: Vec<Vec<usize>> = clients
                .iter()
                .zip(&labelled)
                .map(|(rows, l)| {
                    let mut v = rows.clone();
                    v.retain(|r| l.binary_search(r).is_err());
                    v
                })
                .collect();
            // Local models and FairFAL's statistics, for the query models that use them.
            let locals: Vec<Option<Network>> = match self.query_model {
                QueryModel::Global => vec![None; k],
                _ => views
                    .iter()
                    .map(|&v| {
                        let local = Simulation {
                            rounds: 1,
                            local_epochs: self.local_model_epochs,
                            ..self.training.clone()
                        };
                        local.centralised(v, n_classes).map(Some).map_err(error)
                    })
                    .collect::<Result<_, _>>()?,
            };
            let stats: Vec<(f64, f64)> = locals
                .iter()
                .zip(&rows)
                .map(|(local, (lx, ly))| {
                    local.as_ref().map_or((0.0, 1.0), |local| {
                        let g = balanced_mean(probabilities(global, lx.view()).view(), ly);
                        let l = balanced_mean(probabilities(local, lx.view()).view(), ly);
                        let mut classes: Vec<usize> = ly.clone();
                        classes.sort_unstable();
                        classes.dedup();
                        divergence_and_balance(&g, &l, &classes)
                    })
                })
                .collect();
            // FairFAL fixes the clients' mean global balance at the first query.
            let r = *mean_balance.get_or_insert_with(|| stats.iter().map(|s| s.1).sum::<f64>() / k as f64);
            let mut queried = vec![0usize; n_classes];
            let mut from_global = 0;
            let mut so_far = cycle.labelled;
            for c in 0..k {
                let budget = step.min(end.saturating_sub(so_far));
                if budget == 0 || unlabelled[c].is_empty() {
                    continue;
                }
                let (uncertainty_global, gradient_global) = match (self.query_model, &locals[c]) {
                    (QueryModel::Adaptive, Some(_)) => fairfal_choice(stats[c].0, r),
                    (QueryModel::Local, Some(_)) => (false, false),
                    _ => (true, true),
                };
                from_global += usize::from(uncertainty_global);
                let pick = |global_model: bool| locals[c].as_ref().filter(|_| !global_model).unwrap_or(global);
                let (lx, ly) = (&rows[c].0, &rows[c].1);
                let ux = x.select(ndarray::Axis(0), &unlabelled[c]);
                let proba = probabilities(pick(uncertainty_global), ux.view());
                // The global model's penultimate features: the scaled inputs
                // for the softmax, the hidden activations for the MLP.
                let (ufeat, lfeat) = (global.features(ux.view()), global.features(lx.view()));
                let gradient_model = pick(gradient_global);
                let grads = (
                    gradient_embeddings(probabilities(gradient_model, ux.view()).view(), ufeat.view(), None),
                    gradient_embeddings(probabilities(gradient_model, lx.view()).view(), lfeat.view(), Some(ly)),
                );
                let pool = Pool {
                    proba: proba.view(),
                    features: ufeat.view(),
                    labelled_features: lfeat.view(),
                    labelled_y: ly,
                    gradients: Some((grads.0.view(), grads.1.view())),
                };
                let picked = self.strategy.query(&pool, budget, &mut rng)?;
                so_far += picked.len();
                for &p in &picked {
                    queried[y[unlabelled[c][p]]] += 1;
                    labelled[c].push(unlabelled[c][p]);
                }
            }
            cycle.queried_counts = queried;
            cycle.global_queries = (self.query_model == QueryModel::Adaptive).then_some(from_global);
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
    fn federated_runs_query_per_client_with_the_chosen_model() {
        use imbalanced_federated::{Column, Partition};
        let (x, y) = blobs(1);
        let (xt, yt) = blobs(2);
        let split = |y: &[usize], seed| {
            imbalanced_federated::partition::DirichletPartitioner {
                num_partitions: 4,
                alpha: imbalanced_federated::partition::Alpha::Scalar(0.3),
                min_partition_size: 20,
                seed,
                ..Default::default()
            }
            .partition(Column::new(y, 4).unwrap())
            .unwrap()
        };
        let (clients, tests) = (split(&y, 1), split(&yt, 2));
        let run = |strategy, query_model| {
            ActiveLearning {
                strategy,
                query_model,
                initial: 0.05,
                query_ratio: 0.08,
                end_ratio: 0.3,
                local_model_epochs: 10,
                training: Simulation {
                    rounds: 10,
                    local_epochs: 2,
                    loss: imbalanced_losses::LossSpec::new("logit-adjusted", &[]).unwrap(),
                    ..Default::default()
                },
                ..Default::default()
            }
            .run_federated(x.view(), &y, 4, &clients, (xt.view(), &yt), Some(&tests))
            .unwrap()
        };
        for query_model in [QueryModel::Global, QueryModel::Local, QueryModel::Adaptive] {
            let curve = run(QueryStrategy::ClassBalanced, query_model);
            let labelled: Vec<usize> = curve.cycles.iter().map(|c| c.labelled).collect();
            // Each client labels 5% of its rows (at least one); 4 clients query 11 rows a cycle.
            let first: usize = clients.iter().map(|c| ((0.05 * c.len() as f64) as usize).max(1)).sum();
            assert_eq!(labelled[0], first, "{query_model:?}");
            assert!(labelled.windows(2).all(|w| w[1] - w[0] <= 44), "{labelled:?}");
            assert_eq!(*labelled.last().unwrap(), 168, "30% of 560 rows");
            let last = curve.cycles.last().unwrap();
            assert!(last.balanced_accuracy > 0.6, "{query_model:?}: {last:?}");
            assert!(last.fairness.is_some_and(|f| f.worst <= f.mean));
            assert_eq!(
                curve.cycles[0].global_queries.is_some(),
                query_model == QueryModel::Adaptive
            );
            assert!(curve.cycles[0].global_queries.is_none_or(|g| g <= 4));
            let threads = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
            assert_eq!(
                threads.install(|| run(QueryStrategy::ClassBalanced, query_model)),
                curve,
                "the same on any thread count"
            );
        }
        // The local models change what the clients query.
        assert_ne!(
            run(QueryStrategy::Entropy, QueryModel::Local),
            run(QueryStrategy::Entropy, QueryModel::Global)
        );
        let settings = ActiveLearning::default();
        let bad = |clients: &[Vec<usize>]| {
            settings
                .run_federated(x.view(), &y, 4, clients, (xt.view(), &yt), None)
                .unwrap_err()
                .to_string()
        };
        assert!(bad(&[vec![0, 1], vec![]]).contains("every client needs rows"));
        assert!(bad(&[vec![0, 9999]]).contains("client row 9999"));
        assert!(bad(&[]).contains("every client needs rows"));
        let e = settings
            .run_federated(x.view(), &y, 4, &clients, (xt.view(), &yt), Some(&[vec![5000]]))
            .unwrap_err();
        assert!(e.to_string().contains("client test row 5000"), "{e}");
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
