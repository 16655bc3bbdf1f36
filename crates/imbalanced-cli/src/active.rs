use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use imbalanced::active::{compare, ActiveLearning, Comparison, QueryModel, QueryStrategy};
use imbalanced::federated::{ModelSpec, Simulation};
use imbalanced::losses::LossSpec;
use indicatif::{ProgressBar, ProgressStyle};

use crate::InputArgs;

#[derive(Args)]
pub struct ActiveArgs {
    /// The pool: rows whose labels the loop reveals only when it queries them.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Test rows with the same columns; default: a stratified fifth of FILE held out.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// Query strategies, comma-separated, each run from the same start: random,
    /// least-confident, margin, entropy, coreset, badge, class-balanced (FairFAL's).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "random,entropy,coreset,badge,class-balanced"
    )]
    pub strategy: Vec<QueryStrategy>,
    /// Share of the pool labelled at random before the first query.
    #[arg(long, default_value_t = 0.05)]
    pub initial: f64,
    /// Share of the pool queried each cycle.
    #[arg(long, default_value_t = 0.05)]
    pub query_ratio: f64,
    /// Share of the pool labelled when the loop stops.
    #[arg(long, default_value_t = 0.45)]
    pub end_ratio: f64,
    /// The model, retrained each cycle by SGD: softmax (logreg is the same model) or
    /// mlp (one hidden ReLU layer of --hidden units; the queries see its hidden features).
    #[arg(long, default_value = "softmax", value_parser = ["softmax", "logreg", "mlp"])]
    pub model: String,
    /// The MLP's hidden units.
    #[arg(long, default_value_t = 64)]
    pub hidden: usize,
    /// The model's training loss: any of `train --loss`.
    #[arg(long, default_value = "ce")]
    pub loss: String,
    /// Training epochs per cycle (federated: per round, default 1).
    #[arg(long)]
    pub epochs: Option<usize>,
    /// Split the pool over clients (FairFAL's federated active learning): each
    /// cycle trains a global model by --rounds of FedAvg and every client queries
    /// its own rows with --query-model.
    #[arg(long)]
    pub federated: bool,
    /// Federated: how the pool is split, a partitioner of `partition --list`.
    #[arg(long, default_value = "dirichlet", requires = "federated")]
    pub partitioner: String,
    /// Federated: number of clients.
    #[arg(long, short = 'n', default_value_t = 10, requires = "federated")]
    pub num_partitions: usize,
    /// Federated: a partitioner parameter, repeatable: alpha=0.1, min_partition_size=5, ...
    #[arg(long, value_name = "KEY=VALUE", requires = "federated")]
    pub partition_param: Vec<String>,
    /// Federated: rounds of FedAvg per cycle (each client trains --epochs per round).
    #[arg(long, default_value_t = 20, requires = "federated")]
    pub rounds: usize,
    /// Federated: the model each client queries with: global, local (trained on its
    /// labels alone) or adaptive (FairFAL's choice between them per client).
    #[arg(long, default_value = "adaptive", requires = "federated")]
    pub query_model: QueryModel,
    /// Seed of the initial labels, the queries that draw, and the training order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Draw the learning curves (balanced accuracy against the labelled share), .png or .svg.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
    /// Write a self-contained HTML report: the learning curves, the rarest class's
    /// recall and the labels' class balance per cycle as charts, every cycle.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the curves as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ActiveArgs) -> Result<(), Box<dyn std::error::Error>> {
    let settings = ActiveLearning {
        initial: args.initial,
        query_ratio: args.query_ratio,
        end_ratio: args.end_ratio,
        training: Simulation {
            rounds: if args.federated { args.rounds } else { 1 },
            local_epochs: args.epochs.unwrap_or(if args.federated { 1 } else { 20 }),
            loss: LossSpec::new(&args.loss, &[])?,
            model: match args.model.as_str() {
                "mlp" => ModelSpec::Mlp { hidden: args.hidden },
                _ => ModelSpec::Softmax,
            },
            seed: args.seed,
            ..Default::default()
        },
        query_model: if args.federated {
            args.query_model
        } else {
            QueryModel::Global
        },
        seed: args.seed,
        ..Default::default()
    };
    let partitioner = args
        .federated
        .then(|| {
            crate::federate::clients_partitioner(
                &args.partitioner,
                args.num_partitions,
                &args.partition_param,
                args.seed,
            )
        })
        .transpose()?;
    let pool = args.input.load(&args.file)?;
    let test = args.test.as_ref().map(|t| args.input.load(t)).transpose()?;
    let spinner = ProgressBar::new_spinner().with_message(format!("{} strategies", args.strategy.len()));
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = compare(&pool, test.as_ref(), &args.strategy, &settings, partitioner.as_deref());
    spinner.finish_and_clear();
    let report = result?;
    if let Some(out) = &args.plot {
        report.save_plot(out)?;
    }
    if let Some(path) = &args.report {
        let settings = format!(
            "{}% labelled at first, {}% queried per cycle until {}%, model {}, loss {}, seed {}{}.",
            100.0 * args.initial,
            100.0 * args.query_ratio,
            100.0 * args.end_ratio,
            args.model,
            args.loss,
            args.seed,
            if args.federated {
                format!(
                    "; federated: {} over {} clients, {} rounds of FedAvg per cycle, {:?} query model",
                    args.partitioner, args.num_partitions, args.rounds, args.query_model
                )
            } else {
                String::new()
            }
        );
        imbalanced::data::write_text(path, &report.html(&settings))?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{}", curves_table(&report));
    if let Some(out) = &args.plot {
        println!("plot written to {}", out.display());
    }
    if let Some(path) = &args.report {
        println!("report written to {}", path.display());
    }
    Ok(())
}

/// A row per strategy and cycle: labelled rows, scores, and the rarest
/// class's share of the labels so far.
fn curves_table(report: &Comparison) -> String {
    let mut table = crate::table();
    let cycles = || report.curves.iter().flat_map(|(_, c)| &c.cycles);
    let fairness = cycles().any(|c| c.fairness.is_some());
    let adaptive = cycles().any(|c| c.global_queries.is_some());
    let mut header = vec![
        "strategy",
        "labelled",
        "balanced acc.",
        "minority recall",
        "labels per class",
        "mean over curve",
    ];
    if fairness {
        header.push("worst client");
    }
    if adaptive {
        header.push("clients querying with the global model");
    }
    table.set_header(header);
    for (strategy, curve) in &report.curves {
        let name = serde_json::to_value(strategy)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        for (i, c) in curve.cycles.iter().enumerate() {
            let mut row = vec![
                if i == 0 { name.clone() } else { String::new() },
                c.labelled.to_string(),
                format!("{:.3}", c.balanced_accuracy),
                format!("{:.3}", c.minority_recall),
                c.labelled_counts
                    .iter()
                    .map(usize::to_string)
                    .collect::<Vec<_>>()
                    .join(" / "),
                if i + 1 == curve.cycles.len() {
                    format!("{:.4}", curve.mean_balanced_accuracy)
                } else {
                    String::new()
                },
            ];
            if fairness {
                row.push(c.fairness.map_or("n/a".into(), |f| format!("{:.3}", f.worst)));
            }
            if adaptive {
                row.push(c.global_queries.map_or(String::new(), |g| g.to_string()));
            }
            table.add_row(row);
        }
    }
    let clients = report.client_rows.as_ref().map_or(String::new(), |rows| {
        format!(
            "; {} clients of {} to {} rows",
            rows.len(),
            rows.iter().min().unwrap_or(&0),
            rows.iter().max().unwrap_or(&0)
        )
    });
    format!(
        "{} pool rows, {} test rows{clients}; labels per class in the order {}\n{table}",
        report.pool_rows,
        report.test_rows,
        report.classes.join(" / ")
    )
}
