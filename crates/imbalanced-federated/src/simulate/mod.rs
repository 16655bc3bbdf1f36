//! An in-process federated simulation: rounds of local training on the
//! clients' rows and server aggregation with Flower 1.42's strategies
//! (FedAvg, FedProx, FedAvgM, FedAdam, FedTrimmedAvg), clients trained in
//! parallel, the same result on any thread count for a seed.
//!
//! The model ([`network`]) is a softmax regression or a one-hidden-layer
//! ReLU network, trained on each client by mini-batch SGD on any loss of the
//! loss library, built from the client's own class counts (so
//! `logit-adjusted` adjusts by each client's prior; a class the client lacks
//! counts as one row). With [`Prototypes`] the clients also report class
//! statistics of their features, pooled by confidence into global
//! prototypes that align the next round's training and classify by the
//! nearest prototype ([`prototypes`], CAFedCL-style, our formulation).
//! Each round reports the global model's balanced accuracy, macro F1 and
//! per-class recall on the test rows, and client fairness: the mean,
//! standard deviation and worst of the clients' balanced accuracies on
//! their own test rows.

pub mod network;
pub mod prototypes;
mod server;

pub use network::{ModelSpec, Network};
pub use prototypes::{class_stats, ClassStats, GlobalPrototypes, Prototypes};

use imbalanced_losses::LossSpec;
use imbalanced_random::Generator;
use ndarray::{Array1, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::partition::PartitionError;
use network::Batch;
use prototypes::Alignment;
use server::ServerState;

/// How the server combines the clients' models (Flower 1.42's strategies,
/// its parameter names and defaults).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase", deny_unknown_fields)]
pub enum Strategy {
    /// The mean of the clients' models weighted by their rows (McMahan et al. 2017).
    FedAvg,
    /// FedAvg whose clients add `proximal_mu / 2 ||w - w_global||²` to their loss (Li et al. 2020).
    FedProx {
        #[serde(default = "default_mu")]
        proximal_mu: f64,
    },
    /// FedAvg as a server step with momentum on the pseudo-gradient `w - avg` (Hsu et al. 2019).
    FedAvgM {
        #[serde(default = "one")]
        server_learning_rate: f64,
        #[serde(default)]
        server_momentum: f64,
    },
    /// Adam on the server with the FedAvg delta as gradient (Reddi et al. 2021).
    FedAdam {
        #[serde(default = "default_eta")]
        eta: f64,
        #[serde(default = "default_beta_1")]
        beta_1: f64,
        #[serde(default = "default_beta_2")]
        beta_2: f64,
        #[serde(default = "default_tau")]
        tau: f64,
    },
    /// The coordinate-wise mean of the clients' models without the `beta`
    /// share at each end (Yin et al. 2018), rows not weighted.
    FedTrimmedAvg {
        #[serde(default = "default_trim")]
        beta: f64,
    },
}

fn default_mu() -> f64 {
    1.0
}
fn one() -> f64 {
    1.0
}
fn default_eta() -> f64 {
    0.1
}
fn default_beta_1() -> f64 {
    0.9
}
fn default_beta_2() -> f64 {
    0.99
}
fn default_tau() -> f64 {
    1e-9
}
fn default_trim() -> f64 {
    0.2
}

/// A simulation's settings. Defaults: 10 rounds, 1 local epoch, batches of
/// 32, learning rate 0.1, every client each round (at least 2, Flower's
/// `min_fit_clients`), FedAvg, cross-entropy, the softmax model, no
/// prototypes, seed 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Simulation {
    pub rounds: usize,
    pub local_epochs: usize,
    pub batch_size: usize,
    /// The clients' SGD step.
    pub learning_rate: f64,
    /// Share of the clients trained each round (Flower's `fraction_train`).
    pub fraction_train: f64,
    /// Fewest clients trained each round (Flower's `min_fit_clients`).
    pub min_train_clients: usize,
    pub strategy: Strategy,
    pub loss: LossSpec,
    pub model: ModelSpec,
    /// Confidence-aware class prototypes: an alignment term in training
    /// and the nearest-prototype classifier's score each round.
    pub prototypes: Option<Prototypes>,
    pub seed: u64,
}

impl Default for Simulation {
    fn default() -> Self {
        Simulation {
            rounds: 10,
            local_epochs: 1,
            batch_size: 32,
            learning_rate: 0.1,
            fraction_train: 1.0,
            min_train_clients: 2,
            strategy: Strategy::FedAvg,
            loss: LossSpec::new("ce", &[]).expect("known loss"),
            model: ModelSpec::Softmax,
            prototypes: None,
            seed: 0,
        }
    }
}

/// One client's rows.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a> {
    pub x: ArrayView2<'a, f64>,
    pub y: &'a [usize],
}

/// What one round did and how the global model scored after it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    pub round: usize,
    /// The clients trained this round.
    pub clients: Vec<usize>,
    /// The trained clients' mean training loss (weighted by rows).
    pub train_loss: f64,
    pub balanced_accuracy: Option<f64>,
    pub macro_f1: Option<f64>,
    /// Per class (`None` where the test rows have none of it).
    pub recall: Vec<Option<f64>>,
    /// The nearest-prototype classifier's balanced accuracy (with prototypes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prototype_balanced_accuracy: Option<f64>,
    /// Mean, standard deviation and worst of the clients' balanced accuracies on their own test rows.
    pub fairness: Option<Fairness>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fairness {
    pub mean: f64,
    pub std: f64,
    pub worst: f64,
}

/// A finished simulation: every round, the final global model and (with
/// prototypes) the final global prototypes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub rounds: Vec<Round>,
    #[serde(skip)]
    pub model: Network,
    #[serde(skip)]
    pub prototypes: Option<GlobalPrototypes>,
}

/// Balanced accuracy (mean recall of the classes present), and recall per class.
fn recalls(y: &[usize], pred: &[usize], k: usize) -> (Option<f64>, Vec<Option<f64>>) {
    let (mut hit, mut support) = (vec![0usize; k], vec![0usize; k]);
    for (&t, &p) in y.iter().zip(pred) {
        support[t] += 1;
        hit[t] += usize::from(t == p);
    }
    let recall: Vec<Option<f64>> = hit
        .iter()
        .zip(&support)
        .map(|(&h, &s)| (s > 0).then(|| h as f64 / s as f64))
        .collect();
    let present: Vec<f64> = recall.iter().flatten().copied().collect();
    let balanced = (!present.is_empty()).then(|| present.iter().sum::<f64>() / present.len() as f64);
    (balanced, recall)
}

/// Seed of client `client`'s draws in round `round`: independent of which
/// thread trains it.
fn client_seed(seed: u64, round: usize, client: usize) -> u128 {
    (u128::from(seed) << 64) | ((round as u128) << 32) | client as u128
}

impl Simulation {
    fn check(&self, clients: &[Rows<'_>], n_classes: usize) -> Result<(), PartitionError> {
        let bad = |m: String| Err(PartitionError::Parameter(m));
        if clients.is_empty() {
            return bad("no clients: partition the data first".into());
        }
        if self.rounds == 0 || self.local_epochs == 0 || self.batch_size == 0 {
            return bad("rounds, local_epochs and batch_size must be at least 1".into());
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad(format!(
                "learning_rate = {}: give a positive number",
                self.learning_rate
            ));
        }
        if !(self.fraction_train > 0.0 && self.fraction_train <= 1.0) {
            return bad(format!(
                "fraction_train = {}: give a share in (0, 1]",
                self.fraction_train
            ));
        }
        match self.strategy {
            Strategy::FedProx { proximal_mu } if !(proximal_mu >= 0.0 && proximal_mu.is_finite()) => {
                return bad(format!("proximal_mu = {proximal_mu}: give a number >= 0"))
            }
            Strategy::FedTrimmedAvg { beta } if !(0.0..0.5).contains(&beta) => {
                return bad(format!("beta = {beta}: FedTrimmedAvg cuts a share in [0, 0.5)"))
            }
            _ => {}
        }
        if self.model == (ModelSpec::Mlp { hidden: 0 }) {
            return bad("an MLP needs hidden units: give hidden >= 1".into());
        }
        if let Some(p) = self.prototypes {
            if !(p.lambda >= 0.0 && p.lambda.is_finite()) {
                return bad(format!("prototype lambda = {}: give a number >= 0", p.lambda));
            }
        }
        let d = clients[0].x.ncols();
        if d == 0 {
            return bad("the rows have no feature columns: keep at least one".into());
        }
        for (i, c) in clients.iter().enumerate() {
            if c.y.is_empty() {
                return bad(format!(
                    "client {i} has no rows: use a partitioner that gives every client some"
                ));
            }
            if c.x.ncols() != d || c.x.nrows() != c.y.len() {
                return bad(format!(
                    "client {i}'s rows do not match the others' features or its labels"
                ));
            }
            if let Some(&c) = c.y.iter().find(|&&c| c >= n_classes) {
                return bad(format!("class code {c} of {n_classes} classes"));
            }
        }
        Ok(())
    }

    /// Runs the rounds on `clients`; scores the global model on `test` and,
    /// for fairness, on each client's `client_tests` after every round.
    pub fn run(
        &self,
        clients: &[Rows<'_>],
        n_classes: usize,
        test: Option<Rows<'_>>,
        client_tests: Option<&[Rows<'_>]>,
    ) -> Result<History, PartitionError> {
        self.check(clients, n_classes)?;
        let (k, d) = (n_classes, clients[0].x.ncols());
        // A class a client lacks counts as one row of its prior: the losses
        // built from counts (logit adjustment, class-balanced weights, LDAM
        // margins) need every count >= 1, and clients of a skewed split
        // routinely lack classes.
        let counts: Vec<Vec<f64>> = clients
            .iter()
            .map(|c| {
                let mut n = vec![0.0; k];
                c.y.iter().for_each(|&y| n[y] += 1.0);
                n.iter_mut().for_each(|v| *v = f64::max(*v, 1.0));
                n
            })
            .collect();
        let mut global = Network::new(self.model, d, k, self.seed);
        let mut prototypes: Option<GlobalPrototypes> = None;
        let mut server = ServerState::default();
        let mut rng = Generator::new(u128::from(self.seed));
        let per_round = ((clients.len() as f64 * self.fraction_train) as usize)
            .max(self.min_train_clients)
            .min(clients.len());
        let epochs = self.rounds * self.local_epochs;
        let mut rounds = Vec::with_capacity(self.rounds);
        for round in 1..=self.rounds {
            let mut chosen = if per_round == clients.len() {
                (0..clients.len()).collect()
            } else {
                rng.choice(clients.len(), per_round, false, true)
                    .expect("per_round <= clients")
            };
            chosen.sort_unstable();
            let trained: Vec<Trained> = chosen
                .par_iter()
                .map(|&c| {
                    let first_epoch = (round - 1) * self.local_epochs;
                    self.train_client(
                        &global,
                        clients[c],
                        &counts[c],
                        (first_epoch, epochs),
                        client_seed(self.seed, round, c),
                        prototypes.as_ref(),
                    )
                })
                .collect::<Result<_, _>>()?;
            let sizes: Vec<f64> = chosen.iter().map(|&c| clients[c].y.len() as f64).collect();
            let total: f64 = sizes.iter().sum();
            let train_loss = trained.iter().zip(&sizes).map(|(t, n)| t.loss * n / total).sum();
            if let Some(p) = &self.prototypes {
                let stats: Vec<Vec<Option<ClassStats>>> = trained.iter().filter_map(|t| t.stats.clone()).collect();
                prototypes = Some(p.pool(&stats, k, global.feature_dim()));
            }
            let models: Vec<Array1<f64>> = trained.into_iter().map(|t| t.params).collect();
            global.params = server.aggregate(&self.strategy, round, &global.params, &models, &sizes);
            let (balanced_accuracy, macro_f1, recall) = match test {
                Some(t) => {
                    let pred = global.predict(t.x);
                    let (b, r) = recalls(t.y, &pred, k);
                    let f1 = imbalanced_scores::f1_score(t.y, &pred, imbalanced_scores::Average::Macro).ok();
                    (b, f1, r)
                }
                None => (None, None, Vec::new()),
            };
            let prototype_balanced_accuracy = test.zip(prototypes.as_ref()).and_then(|(t, p)| {
                let pred = p.predict(global.features(t.x).view());
                recalls(t.y, &pred, k).0
            });
            let fairness = client_tests.and_then(|tests| {
                let scores: Vec<f64> = tests
                    .iter()
                    .filter_map(|t| recalls(t.y, &global.predict(t.x), k).0)
                    .collect();
                (!scores.is_empty()).then(|| {
                    let mean = scores.iter().sum::<f64>() / scores.len() as f64;
                    let var = scores.iter().map(|s| (s - mean) * (s - mean)).sum::<f64>() / scores.len() as f64;
                    Fairness {
                        mean,
                        std: var.sqrt(),
                        worst: scores.iter().copied().fold(f64::INFINITY, f64::min),
                    }
                })
            });
            rounds.push(Round {
                round,
                clients: chosen,
                train_loss,
                balanced_accuracy,
                macro_f1,
                recall,
                prototype_balanced_accuracy,
                fairness,
            });
        }
        Ok(History {
            rounds,
            model: global,
            prototypes,
        })
    }

    /// The centralised baseline: the same training on all `rows` as one
    /// client that takes part in every round (its draws seeded as client 0's),
    /// what a federated run is compared with.
    pub fn centralised(&self, rows: Rows<'_>, n_classes: usize) -> Result<Network, PartitionError> {
        self.check(&[rows], n_classes)?;
        let mut counts = vec![0.0; n_classes];
        rows.y.iter().for_each(|&y| counts[y] += 1.0);
        counts.iter_mut().for_each(|v| *v = f64::max(*v, 1.0));
        let mut model = Network::new(self.model, rows.x.ncols(), n_classes, self.seed);
        let epochs = self.rounds * self.local_epochs;
        let mut prototypes = None;
        for round in 1..=self.rounds {
            let first_epoch = (round - 1) * self.local_epochs;
            let trained = self.train_client(
                &model,
                rows,
                &counts,
                (first_epoch, epochs),
                client_seed(self.seed, round, 0),
                prototypes.as_ref(),
            )?;
            if let (Some(p), Some(stats)) = (&self.prototypes, trained.stats) {
                prototypes = Some(p.pool(&[stats], n_classes, model.feature_dim()));
            }
            model.params = trained.params;
        }
        Ok(model)
    }

    /// One client's local training from the global model: `local_epochs`
    /// of mini-batch SGD over its shuffled rows (epochs `first_epoch..` of
    /// `epochs` in all, for losses with schedules), aligned to `prototypes`
    /// when given; its model, mean batch loss and (with prototypes) its
    /// class statistics.
    fn train_client(
        &self,
        global: &Network,
        rows: Rows<'_>,
        counts: &[f64],
        (first_epoch, epochs): (usize, usize),
        seed: u128,
        prototypes: Option<&GlobalPrototypes>,
    ) -> Result<Trained, PartitionError> {
        let x = rows.x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let mut net = global.clone();
        let global_w = global.params.as_slice().expect("contiguous");
        let mut rng = Generator::new(seed);
        let mu = match self.strategy {
            Strategy::FedProx { proximal_mu } => proximal_mu,
            _ => 0.0,
        };
        let align = self.prototypes.zip(prototypes).map(|(p, g)| Alignment {
            prototypes: g,
            lambda: p.lambda,
        });
        let (mut loss_sum, mut batches) = (0.0, 0usize);
        let loss_error = |e: imbalanced_losses::LossError| PartitionError::Parameter(e.to_string());
        let mut order: Vec<usize> = (0..rows.y.len()).collect();
        let mut buffers = Batch::new(global, self.batch_size);
        let d = global.inputs;
        // The rows in this epoch's order, so that each batch is one
        // contiguous block: gathering them in one pass keeps many loads in
        // flight, where reading each batch's scattered rows waited on each.
        let (mut xs, mut ys) = (vec![0.0; x.len()], vec![0; rows.y.len()]);
        for e in 0..self.local_epochs {
            let loss = self.loss.build(counts, first_epoch + e, epochs).map_err(loss_error)?;
            rng.shuffle(&mut order);
            for ((to, ty), &i) in xs.chunks_exact_mut(d).zip(&mut ys).zip(&order) {
                to.copy_from_slice(&x[i * d..(i + 1) * d]);
                *ty = rows.y[i];
            }
            for (xb, yb) in xs.chunks(self.batch_size * d).zip(ys.chunks(self.batch_size)) {
                let value = net
                    .batch_gradient(xb, yb, loss.as_ref(), align.as_ref(), &mut buffers)
                    .map_err(loss_error)?;
                let ws = net.params.as_slice_mut().expect("contiguous");
                for ((wv, gv), gw) in ws.iter_mut().zip(&buffers.grad).zip(global_w) {
                    let g = if mu > 0.0 { gv + mu * (*wv - gw) } else { *gv };
                    *wv -= self.learning_rate * g;
                }
                loss_sum += value;
                batches += 1;
            }
        }
        if net.params.iter().any(|v| !v.is_finite()) {
            return Err(PartitionError::Infeasible(
                "a client's model diverged (non-finite weights): lower learning_rate".into(),
            ));
        }
        let stats = self.prototypes.map(|_| class_stats(&net, rows.x, rows.y));
        Ok(Trained {
            params: net.params,
            loss: loss_sum / batches.max(1) as f64,
            stats,
        })
    }
}

/// One client's round: its model, mean batch loss, and class statistics.
struct Trained {
    params: Array1<f64>,
    loss: f64,
    stats: Option<Vec<Option<ClassStats>>>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::{Column, DirichletPartitioner, Partition};
    use ndarray::{s, Array2};

    /// Three Gaussian classes (300, 60, 15 rows) in 4-D, standardised-ish.
    fn data() -> (Array2<f64>, Vec<usize>) {
        let mut rng = Generator::new(5);
        let counts = [300, 60, 15];
        let y: Vec<usize> = counts.iter().enumerate().flat_map(|(c, &n)| vec![c; n]).collect();
        let x = Array2::from_shape_fn((y.len(), 4), |(i, j)| {
            let centre = if j == y[i] { 2.0 } else { 0.0 };
            centre + rng.standard_normal()
        });
        (x, y)
    }

    fn split(x: &Array2<f64>, y: &[usize], k: usize) -> Vec<(Array2<f64>, Vec<usize>)> {
        let parts = DirichletPartitioner {
            num_partitions: k,
            alpha: crate::partition::Alpha::Scalar(1.0),
            min_partition_size: 5,
            ..Default::default()
        }
        .partition(Column::new(y, 3).unwrap())
        .unwrap();
        parts
            .iter()
            .map(|p| (x.select(ndarray::Axis(0), p), p.iter().map(|&i| y[i]).collect()))
            .collect()
    }

    fn rows(clients: &[(Array2<f64>, Vec<usize>)]) -> Vec<Rows<'_>> {
        clients.iter().map(|(x, y)| Rows { x: x.view(), y }).collect()
    }

    #[test]
    fn one_client_with_full_participation_is_centralised_training() {
        let (x, y) = data();
        let sim = Simulation {
            rounds: 4,
            local_epochs: 2,
            ..Default::default()
        };
        let all = Rows { x: x.view(), y: &y };
        let federated = sim.run(&[all], 3, Some(all), None).unwrap();
        assert_eq!(federated.model, sim.centralised(all, 3).unwrap());
        let scores: Vec<f64> = federated.rounds.iter().map(|r| r.balanced_accuracy.unwrap()).collect();
        assert!(scores[3] > 0.6, "{scores:?}");
    }

    #[test]
    fn fedprox_at_mu_zero_and_plain_fedavgm_are_fedavg() {
        let (x, y) = data();
        let clients = split(&x, &y, 5);
        let base = Simulation {
            rounds: 3,
            fraction_train: 0.6,
            ..Default::default()
        };
        let avg = base.run(&rows(&clients), 3, None, None).unwrap();
        for strategy in [
            Strategy::FedProx { proximal_mu: 0.0 },
            Strategy::FedAvgM {
                server_learning_rate: 1.0,
                server_momentum: 0.0,
            },
        ] {
            let other = Simulation {
                strategy,
                ..base.clone()
            };
            assert_eq!(other.run(&rows(&clients), 3, None, None).unwrap().model, avg.model);
        }
        // Three of five clients a round, drawn again each round.
        assert!(avg.rounds.iter().all(|r| r.clients.len() == 3));
        assert_ne!(avg.rounds[0].clients, avg.rounds[1].clients);
    }

    #[test]
    fn every_strategy_learns_and_is_the_same_on_any_thread_count() {
        let (x, y) = data();
        let clients = split(&x, &y, 6);
        let tests = split(&x, &y, 6);
        let test = Rows { x: x.view(), y: &y };
        for strategy in [
            Strategy::FedAvg,
            Strategy::FedProx { proximal_mu: 0.1 },
            Strategy::FedAvgM {
                server_learning_rate: 1.0,
                server_momentum: 0.9,
            },
            Strategy::FedAdam {
                eta: 0.1,
                beta_1: 0.9,
                beta_2: 0.99,
                tau: 1e-3,
            },
            Strategy::FedTrimmedAvg { beta: 0.2 },
        ] {
            let sim = Simulation {
                rounds: 8,
                strategy: strategy.clone(),
                loss: LossSpec::new("logit-adjusted", &[]).unwrap(),
                ..Default::default()
            };
            let run = |threads| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap()
                    .install(|| sim.run(&rows(&clients), 3, Some(test), Some(&rows(&tests))).unwrap())
            };
            let one = run(1);
            assert_eq!(one, run(3), "{strategy:?}");
            let last = one.rounds.last().unwrap();
            assert!(last.balanced_accuracy.unwrap() > 0.7, "{strategy:?}: {last:?}");
            let f = last.fairness.unwrap();
            assert!(f.worst <= f.mean && f.std >= 0.0);
            assert_eq!(last.recall.len(), 3);
        }
    }

    #[test]
    fn the_mlp_and_the_prototypes_learn_and_keep_the_invariants() {
        let (x, y) = data();
        let clients = split(&x, &y, 5);
        let tests = split(&x, &y, 5);
        let test = Rows { x: x.view(), y: &y };
        let mlp = Simulation {
            rounds: 10,
            model: ModelSpec::Mlp { hidden: 16 },
            loss: LossSpec::new("logit-adjusted", &[]).unwrap(),
            ..Default::default()
        };
        let plain = mlp.run(&rows(&clients), 3, Some(test), None).unwrap();
        assert!(
            plain.rounds[9].balanced_accuracy.unwrap() > 0.6,
            "{:?}",
            plain.rounds[9]
        );
        assert!(plain.rounds.iter().all(|r| r.prototype_balanced_accuracy.is_none()));
        assert_eq!(plain.model.params.len(), 16 * 5 + 3 * 17);
        // FedProx at mu 0 is FedAvg for the MLP too; one client is centralised training.
        let prox = Simulation {
            strategy: Strategy::FedProx { proximal_mu: 0.0 },
            ..mlp.clone()
        };
        assert_eq!(prox.run(&rows(&clients), 3, None, None).unwrap().model, plain.model);
        let with_prototypes = Simulation {
            prototypes: Some(Prototypes::default()),
            ..mlp.clone()
        };
        let all = Rows { x: x.view(), y: &y };
        assert_eq!(
            with_prototypes.run(&[all], 3, None, None).unwrap().model,
            with_prototypes.centralised(all, 3).unwrap()
        );
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| {
                    with_prototypes
                        .run(&rows(&clients), 3, Some(test), Some(&rows(&tests)))
                        .unwrap()
                })
        };
        let one = run(1);
        assert_eq!(one, run(4));
        assert_eq!(one.prototypes, run(2).prototypes);
        // The alignment changes training; the prototypes classify.
        assert_ne!(one.model, plain.model);
        let last = one.rounds.last().unwrap();
        assert!(last.prototype_balanced_accuracy.unwrap() > 0.6, "{last:?}");
        assert!(one.prototypes.as_ref().unwrap().present.iter().all(|&p| p));
        // lambda 0 trains as without prototypes and still scores them.
        let unaligned = Simulation {
            prototypes: Some(Prototypes {
                lambda: 0.0,
                ..Default::default()
            }),
            ..mlp.clone()
        };
        let u = unaligned.run(&rows(&clients), 3, Some(test), None).unwrap();
        assert_eq!(u.model, plain.model);
        assert!(u.rounds[0].prototype_balanced_accuracy.is_some());
    }

    #[test]
    fn bad_settings_are_refused() {
        let (x, y) = data();
        let all = Rows { x: x.view(), y: &y };
        let empty = Rows {
            x: x.slice(s![..0, ..]),
            y: &[],
        };
        for (sim, clients) in [
            (
                Simulation {
                    rounds: 0,
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    learning_rate: -1.0,
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    fraction_train: 0.0,
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    strategy: Strategy::FedTrimmedAvg { beta: 0.5 },
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    strategy: Strategy::FedProx { proximal_mu: -1.0 },
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    model: ModelSpec::Mlp { hidden: 0 },
                    ..Default::default()
                },
                vec![all],
            ),
            (
                Simulation {
                    prototypes: Some(Prototypes {
                        lambda: f64::NAN,
                        ..Default::default()
                    }),
                    ..Default::default()
                },
                vec![all],
            ),
            (Simulation::default(), vec![all, empty]),
            (
                Simulation::default(),
                vec![Rows {
                    x: x.slice(s![.., ..0]),
                    y: &y,
                }],
            ),
            (Simulation::default(), vec![]),
        ] {
            assert!(sim.run(&clients, 3, None, None).is_err(), "{sim:?}");
        }
        assert!(
            Simulation::default().run(&[all], 2, None, None).is_err(),
            "class 2 of 2 classes"
        );
    }
}
