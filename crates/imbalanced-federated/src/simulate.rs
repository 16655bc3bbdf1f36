//! An in-process federated simulation: rounds of local training on the
//! clients' rows and server aggregation with Flower 1.42's strategies
//! (FedAvg, FedProx, FedAvgM, FedAdam, FedTrimmedAvg), clients trained in
//! parallel, the same result on any thread count for a seed.
//!
//! The model is a linear softmax classifier (`z = W x + b`), trained on each
//! client by mini-batch SGD on any loss of the loss library, built from the
//! client's own class counts (so `logit-adjusted` adjusts by each client's
//! prior; a class the client lacks counts as one row). Each round reports the global model's balanced accuracy, macro
//! F1 and per-class recall on the test rows, and client fairness: the mean,
//! standard deviation and worst of the clients' balanced accuracies on
//! their own test rows.

use imbalanced_losses::LossSpec;
use imbalanced_random::Generator;
use ndarray::{s, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::partition::PartitionError;

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
/// `min_fit_clients`), FedAvg, cross-entropy, seed 0.
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

/// The global model: `K x (d + 1)` weights, the last column the intercepts.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    pub weights: Array2<f64>,
}

impl Linear {
    fn zeros(k: usize, d: usize) -> Self {
        Linear {
            weights: Array2::zeros((k, d + 1)),
        }
    }

    /// The logits of `x`.
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let d = x.ncols();
        x.dot(&self.weights.slice(s![.., ..d]).t()) + self.weights.column(d)
    }

    /// The most probable class of each row.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Vec<usize> {
        self.logits(x)
            .rows()
            .into_iter()
            .map(|r| (0..r.len()).fold(0, |b, k| if r[k] > r[b] { k } else { b }))
            .collect()
    }
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
    /// Mean, standard deviation and worst of the clients' balanced accuracies on their own test rows.
    pub fairness: Option<Fairness>,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Fairness {
    pub mean: f64,
    pub std: f64,
    pub worst: f64,
}

/// A finished simulation: every round, and the final global model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct History {
    pub rounds: Vec<Round>,
    #[serde(skip)]
    pub model: Linear,
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
        let d = clients[0].x.ncols();
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
        let mut global = Linear::zeros(k, d);
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
            let trained: Vec<(Array2<f64>, f64)> = chosen
                .par_iter()
                .map(|&c| {
                    let first_epoch = (round - 1) * self.local_epochs;
                    self.train_client(
                        &global,
                        clients[c],
                        &counts[c],
                        first_epoch,
                        epochs,
                        client_seed(self.seed, round, c),
                    )
                })
                .collect::<Result<_, _>>()?;
            let sizes: Vec<f64> = chosen.iter().map(|&c| clients[c].y.len() as f64).collect();
            let total: f64 = sizes.iter().sum();
            let train_loss = trained.iter().zip(&sizes).map(|((_, l), n)| l * n / total).sum();
            let models: Vec<Array2<f64>> = trained.into_iter().map(|(w, _)| w).collect();
            global.weights = server.aggregate(&self.strategy, round, &global.weights, &models, &sizes);
            let (balanced_accuracy, macro_f1, recall) = match test {
                Some(t) => {
                    let pred = global.predict(t.x);
                    let (b, r) = recalls(t.y, &pred, k);
                    let f1 = imbalanced_scores::f1_score(t.y, &pred, imbalanced_scores::Average::Macro).ok();
                    (b, f1, r)
                }
                None => (None, None, Vec::new()),
            };
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
                fairness,
            });
        }
        Ok(History { rounds, model: global })
    }

    /// The centralised baseline: the same training on all `rows` as one
    /// client that takes part in every round (its draws seeded as client 0's),
    /// what a federated run is compared with.
    pub fn centralised(&self, rows: Rows<'_>, n_classes: usize) -> Result<Linear, PartitionError> {
        self.check(&[rows], n_classes)?;
        let mut counts = vec![0.0; n_classes];
        rows.y.iter().for_each(|&y| counts[y] += 1.0);
        counts.iter_mut().for_each(|v| *v = f64::max(*v, 1.0));
        let mut model = Linear::zeros(n_classes, rows.x.ncols());
        let epochs = self.rounds * self.local_epochs;
        for round in 1..=self.rounds {
            let first_epoch = (round - 1) * self.local_epochs;
            model.weights = self
                .train_client(
                    &model,
                    rows,
                    &counts,
                    first_epoch,
                    epochs,
                    client_seed(self.seed, round, 0),
                )?
                .0;
        }
        Ok(model)
    }

    /// One client's local training from the global model: `local_epochs`
    /// of mini-batch SGD over its shuffled rows; returns its model and its
    /// mean batch loss.
    fn train_client(
        &self,
        global: &Linear,
        rows: Rows<'_>,
        counts: &[f64],
        first_epoch: usize,
        epochs: usize,
        seed: u128,
    ) -> Result<(Array2<f64>, f64), PartitionError> {
        let (d, k) = (rows.x.ncols(), global.weights.nrows());
        let x = rows.x.as_standard_layout();
        let x = x.as_slice().expect("standard layout");
        let mut w = global.weights.clone();
        let global_w = global.weights.as_slice().expect("standard layout");
        let mut rng = Generator::new(seed);
        let mu = match self.strategy {
            Strategy::FedProx { proximal_mu } => proximal_mu,
            _ => 0.0,
        };
        let (mut loss_sum, mut batches) = (0.0, 0usize);
        let loss_error = |e: imbalanced_losses::LossError| PartitionError::Parameter(e.to_string());
        let mut order: Vec<usize> = (0..rows.y.len()).collect();
        // Buffers reused by every batch. Why by hand: gathering each batch's
        // rows and multiplying small matrices through ndarray spent most of a
        // round in allocation and dispatch (a batch is 32 rows x 20 features).
        let mut z = Array2::<f64>::zeros((self.batch_size, k));
        let mut grad = vec![0.0; k * (d + 1)];
        let mut yb = Vec::with_capacity(self.batch_size);
        for e in 0..self.local_epochs {
            let loss = self.loss.build(counts, first_epoch + e, epochs).map_err(loss_error)?;
            rng.shuffle(&mut order);
            for batch in order.chunks(self.batch_size) {
                let m = batch.len();
                let ws = w.as_slice().expect("standard layout");
                yb.clear();
                for (r, &i) in batch.iter().enumerate() {
                    let xi = &x[i * d..(i + 1) * d];
                    for c in 0..k {
                        let wc = &ws[c * (d + 1)..(c + 1) * (d + 1)];
                        z[(r, c)] = xi.iter().zip(wc).fold(0.0, |a, (xv, wv)| a + xv * wv) + wc[d];
                    }
                    yb.push(rows.y[i]);
                }
                let (value, gz) = loss.batch_loss(z.slice(s![..m, ..]), &yb).map_err(loss_error)?;
                grad.fill(0.0);
                for (r, &i) in batch.iter().enumerate() {
                    let xi = &x[i * d..(i + 1) * d];
                    for c in 0..k {
                        let g = gz[(r, c)];
                        let gc = &mut grad[c * (d + 1)..(c + 1) * (d + 1)];
                        gc[..d].iter_mut().zip(xi).for_each(|(a, xv)| *a += g * xv);
                        gc[d] += g;
                    }
                }
                let ws = w.as_slice_mut().expect("standard layout");
                for ((wv, gv), gw) in ws.iter_mut().zip(&grad).zip(global_w) {
                    let g = if mu > 0.0 { gv + mu * (*wv - gw) } else { *gv };
                    *wv -= self.learning_rate * g;
                }
                loss_sum += value;
                batches += 1;
            }
        }
        if w.iter().any(|v| !v.is_finite()) {
            return Err(PartitionError::Infeasible(
                "a client's model diverged (non-finite weights): lower learning_rate".into(),
            ));
        }
        Ok((w, loss_sum / batches.max(1) as f64))
    }
}

/// The server's memory between rounds: FedAvgM's momentum, FedAdam's moments.
#[derive(Debug, Default)]
struct ServerState {
    momentum: Option<Array2<f64>>,
    m: Option<Array2<f64>>,
    v: Option<Array2<f64>>,
}

impl ServerState {
    /// The new global model from the clients' `models` (of `sizes` rows).
    fn aggregate(
        &mut self,
        strategy: &Strategy,
        round: usize,
        current: &Array2<f64>,
        models: &[Array2<f64>],
        sizes: &[f64],
    ) -> Array2<f64> {
        // Flower's in-place FedAvg: sum of (rows / total rows) x model.
        let total: f64 = sizes.iter().sum();
        let mut avg = &models[0] * (sizes[0] / total);
        for (m, &n) in models.iter().zip(sizes).skip(1) {
            avg.scaled_add(n / total, m);
        }
        match *strategy {
            Strategy::FedAvg | Strategy::FedProx { .. } => avg,
            Strategy::FedAvgM {
                server_learning_rate,
                server_momentum,
            } => {
                if server_momentum == 0.0 && server_learning_rate == 1.0 {
                    return avg;
                }
                let mut pseudo = current - &avg;
                if server_momentum > 0.0 {
                    let next = match self.momentum.take() {
                        Some(v) if round > 1 => v * server_momentum + &pseudo,
                        _ => pseudo.clone(),
                    };
                    pseudo = next.clone();
                    self.momentum = Some(next);
                }
                current - &(pseudo * server_learning_rate)
            }
            Strategy::FedAdam {
                eta,
                beta_1,
                beta_2,
                tau,
            } => {
                let delta = &avg - current;
                let m = self.m.take().unwrap_or_else(|| Array2::zeros(delta.dim())) * beta_1 + &delta * (1.0 - beta_1);
                let v = self.v.take().unwrap_or_else(|| Array2::zeros(delta.dim())) * beta_2
                    + &delta.mapv(|x| x * x) * (1.0 - beta_2);
                // Flower's bias correction, with its exponent `server_round + 1`.
                let t = round as f64 + 1.0;
                let eta_norm = eta * (1.0 - beta_2.powf(t)).sqrt() / (1.0 - beta_1.powf(t));
                let step = ndarray::Zip::from(&m)
                    .and(&v)
                    .map_collect(|&m, &v| eta_norm * m / (v.sqrt() + tau));
                self.m = Some(m);
                self.v = Some(v);
                current + &step
            }
            Strategy::FedTrimmedAvg { beta } => {
                let n = models.len();
                let cut = (beta * n as f64) as usize;
                let mut out = Array2::zeros(current.dim());
                let mut column = vec![0.0; n];
                for (idx, o) in out.indexed_iter_mut() {
                    for (c, m) in column.iter_mut().zip(models) {
                        *c = m[idx];
                    }
                    column.sort_by(f64::total_cmp);
                    let kept = &column[cut..n - cut];
                    *o = kept.iter().sum::<f64>() / kept.len() as f64;
                }
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::{Column, DirichletPartitioner, Partition};

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
            (Simulation::default(), vec![all, empty]),
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
