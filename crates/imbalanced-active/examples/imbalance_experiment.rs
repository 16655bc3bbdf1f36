//! Issue 16's experiment: federated training and active learning on a
//! long-tailed (imbalance ratio 20) 10-class task, as BENCHMARKS.md reports it.
//!
//! ```sh
//! cargo run --release -p imbalanced-active --example imbalance_experiment [-- SEEDS]
//! ```
//!
//! The task: 10 Gaussian classes in 20 dimensions (centres drawn per seed,
//! unit noise), 1000 training rows per class made long-tailed by the
//! exponential profile (1000 down to 50 rows), and a balanced test set of
//! 200 rows per class. Every number is the mean over SEEDS (default 3)
//! seeds of the data, the split and the training.
//!
//! (a) Federated: 10 clients by flwr's Dirichlet partitioner at beta 0.1 and
//! 100 (the test rows split the same way, for client fairness); 50 rounds of
//! one local epoch on an MLP (32 hidden units): FedAvg, FedProx (mu 0.1),
//! FedAvg with logit-adjusted clients, and FedAvg with count-weighted or
//! confidence-aware prototypes (their nearest-prototype score beside).
//!
//! (b) Active learning on the pooled long-tailed rows: 2% labelled at random,
//! 2% queried per cycle until 20%, a softmax retrained each cycle; the mean
//! balanced accuracy over the curve, the last cycle's scores, and how
//! balanced the queried labels are.
//!
//! (c) Federated active learning (FairFAL's setting): the rows split over 10
//! clients as in (a), each labelling 2% of its rows, then each cycle a
//! softmax trained by 20 rounds of FedAvg and every client querying its
//! share of 2% of all rows, until 20%; each strategy with FairFAL's adaptive
//! query model, and the class-balanced query also with the global and the
//! local model alone.

use imbalanced_active::{ActiveLearning, QueryModel, QueryStrategy};
use imbalanced_federated::partition::{Alpha, DirichletPartitioner};
use imbalanced_federated::{Column, LongTail, ModelSpec, Partition, Profile, Prototypes, Rows, Simulation, Strategy};
use imbalanced_losses::LossSpec;
use imbalanced_random::Generator;
use ndarray::Array2;

const CLASSES: usize = 10;
const FEATURES: usize = 20;

/// Rows of each class in `counts` around the class `centres`, unit noise.
fn gaussian_rows(centres: &Array2<f64>, counts: &[usize], rng: &mut Generator) -> (Array2<f64>, Vec<usize>) {
    let y: Vec<usize> = counts.iter().enumerate().flat_map(|(c, &n)| vec![c; n]).collect();
    let x = Array2::from_shape_fn((y.len(), FEATURES), |(i, j)| centres[(y[i], j)] + rng.standard_normal());
    (x, y)
}

struct Task {
    x: Array2<f64>,
    y: Vec<usize>,
    xt: Array2<f64>,
    yt: Vec<usize>,
}

fn task(seed: u64) -> Result<Task, Box<dyn std::error::Error>> {
    let mut rng = Generator::new(u128::from(seed));
    let centres = Array2::from_shape_fn((CLASSES, FEATURES), |_| 0.8 * rng.standard_normal());
    let (x, y) = gaussian_rows(&centres, &[1000; CLASSES], &mut rng);
    let (xt, yt) = gaussian_rows(&centres, &[200; CLASSES], &mut rng);
    let kept = LongTail {
        profile: Profile::Exponential,
        imbalance_ratio: 20.0,
        seed,
    }
    .rows(Column::new(&y, CLASSES)?)?;
    Ok(Task {
        x: x.select(ndarray::Axis(0), &kept),
        y: kept.iter().map(|&i| y[i]).collect(),
        xt,
        yt,
    })
}

/// Mean recall of the three rarest training classes (the last three).
fn tail_recall(recall: &[Option<f64>]) -> f64 {
    recall[CLASSES - 3..].iter().map(|r| r.unwrap_or(0.0)).sum::<f64>() / 3.0
}

struct Scores {
    balanced: f64,
    tail: f64,
    fair_mean: f64,
    fair_worst: f64,
    prototype: f64,
}

const METHODS: [&str; 5] = [
    "FedAvg",
    "FedProx (mu 0.1)",
    "FedAvg, logit-adjusted clients",
    "count-weighted prototypes",
    "confidence-aware prototypes",
];

fn federated(t: &Task, beta: f64, method: &str, seed: u64) -> Result<Scores, Box<dyn std::error::Error>> {
    let (pool, test_parts) = clients(t, beta, seed)?;
    let gather = |x: &Array2<f64>, y: &[usize], parts: &[Vec<usize>]| -> Vec<(Array2<f64>, Vec<usize>)> {
        parts
            .iter()
            .map(|rows| (x.select(ndarray::Axis(0), rows), rows.iter().map(|&i| y[i]).collect()))
            .collect()
    };
    let clients = gather(&t.x, &t.y, &pool);
    let tests = gather(&t.xt, &t.yt, &test_parts);
    let mut sim = Simulation {
        rounds: 50,
        learning_rate: 0.05,
        model: ModelSpec::Mlp { hidden: 32 },
        seed,
        ..Default::default()
    };
    match method {
        "FedAvg" => {}
        "FedProx (mu 0.1)" => sim.strategy = Strategy::FedProx { proximal_mu: 0.1 },
        "FedAvg, logit-adjusted clients" => sim.loss = LossSpec::new("logit-adjusted", &[])?,
        "count-weighted prototypes" => {
            sim.prototypes = Some(Prototypes {
                inverse_variance: false,
                confidence: false,
                ..Default::default()
            })
        }
        "confidence-aware prototypes" => sim.prototypes = Some(Prototypes::default()),
        other => return Err(format!("unknown method {other}").into()),
    }
    let test = Rows {
        x: t.xt.view(),
        y: &t.yt,
    };
    let history = sim.run(&views(&clients), CLASSES, Some(test), Some(&views(&tests)))?;
    let last = history.rounds.last().ok_or("no rounds")?;
    let fairness = last.fairness.ok_or("no client test rows")?;
    Ok(Scores {
        balanced: last.balanced_accuracy.unwrap_or(f64::NAN),
        tail: tail_recall(&last.recall),
        fair_mean: fairness.mean,
        fair_worst: fairness.worst,
        prototype: last.prototype_balanced_accuracy.unwrap_or(f64::NAN),
    })
}

struct Curve {
    worst_client: f64,
    /// Share of the clients' queries whose uncertainty came from the global model.
    global_share: f64,
    mean_balanced: f64,
    last_balanced: f64,
    last_minority: f64,
    tail_share: f64,
    labelled_ratio: f64,
}

/// Each client's rows.
type Clients = Vec<Vec<usize>>;

/// The clients' rows of the pool and of the test rows at Dirichlet `beta`.
fn clients(t: &Task, beta: f64, seed: u64) -> Result<(Clients, Clients), Box<dyn std::error::Error>> {
    let split = |y: &[usize], min_size: usize| {
        DirichletPartitioner {
            num_partitions: 10,
            alpha: Alpha::Scalar(beta),
            min_partition_size: min_size,
            seed,
            ..Default::default()
        }
        .partition(Column::new(y, CLASSES)?)
    };
    Ok((split(&t.y, 10)?, split(&t.yt, 5)?))
}

/// One active-learning run: centralised without `federation`, else on the
/// clients of Dirichlet `beta` with `query_model`.
fn active(
    t: &Task,
    strategy: QueryStrategy,
    federation: Option<(f64, QueryModel)>,
    seed: u64,
) -> Result<Curve, Box<dyn std::error::Error>> {
    let mut run = ActiveLearning {
        strategy,
        initial: 0.02,
        query_ratio: 0.02,
        end_ratio: 0.2,
        seed,
        ..Default::default()
    };
    let curve = match federation {
        None => run.run(t.x.view(), &t.y, CLASSES, t.xt.view(), &t.yt)?,
        Some((beta, query_model)) => {
            run.query_model = query_model;
            run.training = Simulation {
                rounds: 20,
                seed,
                ..Default::default()
            };
            let (pool, tests) = clients(t, beta, seed)?;
            run.run_federated(t.x.view(), &t.y, CLASSES, &pool, (t.xt.view(), &t.yt), Some(&tests))?
        }
    };
    let last = curve.cycles.last().ok_or("no cycles")?;
    let queried: Vec<usize> = (0..CLASSES)
        .map(|c| {
            curve
                .cycles
                .iter()
                .map(|k| k.queried_counts.get(c).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let total: usize = queried.iter().sum();
    let most = last.labelled_counts.iter().copied().max().unwrap_or(1) as f64;
    let least = last.labelled_counts.iter().copied().min().unwrap_or(1).max(1) as f64;
    let global: Vec<usize> = curve.cycles.iter().filter_map(|c| c.global_queries).collect();
    Ok(Curve {
        global_share: if global.is_empty() {
            f64::NAN
        } else {
            global.iter().sum::<usize>() as f64 / (10 * global.len()) as f64
        },
        worst_client: last.fairness.map_or(f64::NAN, |f| f.worst),
        mean_balanced: curve.mean_balanced_accuracy,
        last_balanced: last.balanced_accuracy,
        last_minority: last.minority_recall,
        tail_share: queried[CLASSES - 3..].iter().sum::<usize>() as f64 / total.max(1) as f64,
        labelled_ratio: most / least,
    })
}

/// Row views of each client's rows.
fn views(clients: &[(Array2<f64>, Vec<usize>)]) -> Vec<Rows<'_>> {
    clients.iter().map(|(x, y)| Rows { x: x.view(), y }).collect()
}

/// The mean of `f` over `runs`.
fn mean<T>(runs: &[T], f: impl Fn(&T) -> f64) -> f64 {
    runs.iter().map(f).sum::<f64>() / runs.len() as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seeds: u64 = std::env::args().nth(1).map_or(Ok(3), |s| s.parse())?;
    let tasks: Vec<Task> = (0..seeds).map(task).collect::<Result<_, _>>()?;
    let mut counts = vec![0usize; CLASSES];
    tasks[0].y.iter().for_each(|&y| counts[y] += 1);
    println!("training rows per class (seed 0): {counts:?}; test rows: 200 per class; {seeds} seeds\n");
    println!("(a) federated, 10 clients, MLP (32 hidden), 50 rounds\n");
    println!(
        "| Dirichlet beta | method | balanced acc. | tail-class recall | clients' bal. acc. mean / worst | \
         nearest-prototype bal. acc. |"
    );
    println!("|---|---|---|---|---|---|");
    for beta in [0.1, 100.0] {
        for method in METHODS {
            let runs: Vec<Scores> = tasks
                .iter()
                .zip(0..)
                .map(|(t, s)| federated(t, beta, method, s))
                .collect::<Result<_, _>>()?;
            let proto = mean(&runs, |s| s.prototype);
            println!(
                "| {beta} | {method} | {:.3} | {:.3} | {:.3} / {:.3} | {} |",
                mean(&runs, |s| s.balanced),
                mean(&runs, |s| s.tail),
                mean(&runs, |s| s.fair_mean),
                mean(&runs, |s| s.fair_worst),
                if proto.is_nan() {
                    String::new()
                } else {
                    format!("{proto:.3}")
                }
            );
        }
    }
    println!("\n(b) active learning on the pooled rows: 2% labelled, 2% queried per cycle, until 20%\n");
    println!(
        "| strategy | mean bal. acc. over the curve | last bal. acc. | last rarest-class recall | tail classes' \
         share of the queries | labelled max / min class |"
    );
    println!("|---|---|---|---|---|---|");
    for strategy in [
        QueryStrategy::Random,
        QueryStrategy::Entropy,
        QueryStrategy::Coreset,
        QueryStrategy::Badge,
        QueryStrategy::ClassBalanced,
    ] {
        let runs: Vec<Curve> = tasks
            .iter()
            .zip(0..)
            .map(|(t, s)| active(t, strategy, None, s))
            .collect::<Result<_, _>>()?;
        println!(
            "| {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} |",
            serde_json::to_value(strategy)?.as_str().unwrap_or_default(),
            mean(&runs, |c| c.mean_balanced),
            mean(&runs, |c| c.last_balanced),
            mean(&runs, |c| c.last_minority),
            mean(&runs, |c| c.tail_share),
            mean(&runs, |c| c.labelled_ratio),
        );
    }
    println!("\n(c) federated active learning, 10 clients, 20 rounds of FedAvg per cycle, 2% labelled, 2% queried per cycle, until 20%\n");
    println!(
        "| Dirichlet beta | strategy | query model | mean bal. acc. over the curve | last bal. acc. | tail classes' \
         share of the queries | labelled max / min class | last worst client | queries with the global model |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for beta in [0.1, 100.0] {
        let runs = [
            (QueryStrategy::Random, QueryModel::Global),
            (QueryStrategy::Entropy, QueryModel::Adaptive),
            (QueryStrategy::Coreset, QueryModel::Adaptive),
            (QueryStrategy::Badge, QueryModel::Adaptive),
            (QueryStrategy::ClassBalanced, QueryModel::Global),
            (QueryStrategy::ClassBalanced, QueryModel::Local),
            (QueryStrategy::ClassBalanced, QueryModel::Adaptive),
        ];
        for (strategy, query_model) in runs {
            let curves: Vec<Curve> = tasks
                .iter()
                .zip(0..)
                .map(|(t, s)| active(t, strategy, Some((beta, query_model)), s))
                .collect::<Result<_, _>>()?;
            println!(
                "| {beta} | {} | {} | {:.3} | {:.3} | {:.3} | {:.1} | {:.3} | {} |",
                serde_json::to_value(strategy)?.as_str().unwrap_or_default(),
                serde_json::to_value(query_model)?.as_str().unwrap_or_default(),
                mean(&curves, |c| c.mean_balanced),
                mean(&curves, |c| c.last_balanced),
                mean(&curves, |c| c.tail_share),
                mean(&curves, |c| c.labelled_ratio),
                mean(&curves, |c| c.worst_client),
                match mean(&curves, |c| c.global_share) {
                    share if share.is_nan() => String::new(),
                    share => format!("{:.0}%", 100.0 * share),
                },
            );
        }
    }
    Ok(())
}
