use std::path::PathBuf;
use std::time::{Duration, Instant};

use clap::Args;
use imbalanced::catalog::Value;
use imbalanced::federated::{
    federate, Experiment, LongTail, ModelSpec, Partition, Prototypes, Simulation, Strategy, PARTITIONERS,
};
use imbalanced::losses::LossSpec;
use indicatif::{ProgressBar, ProgressStyle};

use crate::partition::parse_long_tail;
use crate::{parse_params, InputArgs};

#[derive(Args)]
pub struct FederateArgs {
    /// The training rows (any format `partition` reads); split over the clients.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// Test rows with the same columns; default: a stratified fifth of FILE held out.
    #[arg(long, value_name = "FILE")]
    pub test: Option<PathBuf>,
    /// How FILE is split over the clients: a partitioner of `partition --list`.
    #[arg(long, default_value = "dirichlet")]
    pub partitioner: String,
    /// Number of clients (the partitioner's num_partitions).
    #[arg(long, short = 'n', default_value_t = 10)]
    pub num_partitions: usize,
    /// A partitioner parameter, repeatable: alpha=0.1, min_partition_size=5, ...
    #[arg(long, value_name = "KEY=VALUE")]
    pub partition_param: Vec<String>,
    /// Make FILE long-tailed first: PROFILE:RATIO (exponential:20, step:10).
    #[arg(long, value_name = "PROFILE:RATIO", value_parser = parse_long_tail)]
    pub long_tail: Option<(imbalanced::federated::Profile, f64)>,
    /// The clients' model: softmax (logistic regression on two classes; logreg is
    /// the same model) or mlp (one hidden ReLU layer of --hidden units).
    #[arg(long, default_value = "softmax", value_parser = ["softmax", "logreg", "mlp"])]
    pub model: String,
    /// The MLP's hidden units.
    #[arg(long, default_value_t = 64)]
    pub hidden: usize,
    /// Confidence-aware class prototypes (CAFedCL-style, our formulation): clients
    /// report per-class feature statistics, the server pools them weighted by count,
    /// inverse variance and confidence; they align local training and classify by
    /// the nearest prototype (a column of the report).
    #[arg(long)]
    pub prototypes: bool,
    /// A prototype setting, repeatable: lambda=1 (the alignment weight), count=true,
    /// inverse_variance=true, confidence=true (count alone: plain count-weighted).
    #[arg(long, value_name = "KEY=VALUE", requires = "prototypes")]
    pub prototype_param: Vec<String>,
    /// The clients' training loss: any of `train --loss` (ce, focal, logit-adjusted,
    /// ldam-drw, ...), built from each client's own class counts.
    #[arg(long, default_value = "ce")]
    pub loss: String,
    /// A loss parameter, repeatable: gamma=2, tau=1, ...
    #[arg(long, value_name = "KEY=VALUE")]
    pub loss_param: Vec<String>,
    /// The server's aggregation (Flower 1.42's): fedavg, fedprox, fedavgm, fedadam,
    /// fedtrimmedavg.
    #[arg(long, default_value = "fedavg", value_parser = ["fedavg", "fedprox", "fedavgm", "fedadam", "fedtrimmedavg"])]
    pub strategy: String,
    /// A strategy parameter in Flower's name, repeatable: proximal_mu=0.1 (fedprox),
    /// server_learning_rate=1, server_momentum=0.9 (fedavgm), eta=0.1, beta_1=0.9,
    /// beta_2=0.99, tau=1e-9 (fedadam), beta=0.2 (fedtrimmedavg).
    #[arg(long = "param", short, value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Rounds of training and aggregation.
    #[arg(long, default_value_t = 10)]
    pub rounds: usize,
    /// Passes over its rows each trained client makes per round.
    #[arg(long, default_value_t = 1)]
    pub local_epochs: usize,
    /// Rows per SGD step on a client.
    #[arg(long, default_value_t = 32)]
    pub batch_size: usize,
    /// The clients' SGD step size.
    #[arg(long, default_value_t = 0.1)]
    pub learning_rate: f64,
    /// Share of the clients trained each round (at least 2; Flower's fraction_train).
    #[arg(long, default_value_t = 1.0)]
    pub fraction_train: f64,
    /// Seed of the split (unless --partition-param seed=...), the client sampling and the SGD order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write a self-contained HTML report: scores, per-class recall and client
    /// fairness per round as charts, the clients' class counts, the rounds.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// The partitioner `name` with `params` (`--partition-param`); `n` clients
/// and `seed` fill its num_partitions and seed where it has them (the
/// catalogue's ambient values; a `--partition-param` says otherwise): how
/// `federate` and `active --federated` split a file over clients.
pub(crate) fn clients_partitioner(
    name: &str,
    n: usize,
    params: &[String],
    seed: u64,
) -> Result<Box<dyn Partition>, Box<dyn std::error::Error>> {
    let given = parse_params(params, "--partition-param")?;
    let ambient = [("num_partitions", Value::from(n)), ("seed", Value::from(seed))];
    Ok(PARTITIONERS.find(name)?.build_with(&given, &ambient)?)
}

pub fn run(args: FederateArgs) -> Result<(), Box<dyn std::error::Error>> {
    let partitioner = clients_partitioner(&args.partitioner, args.num_partitions, &args.partition_param, args.seed)?;
    let mut strategy = serde_json::Map::new();
    strategy.insert("name".into(), Value::from(args.strategy.clone()));
    strategy.extend(parse_params(&args.params, "--param")?);
    let strategy: Strategy = serde_json::from_value(Value::Object(strategy))
        .map_err(|e| format!("--strategy {} --param: {e}", args.strategy))?;
    let loss_params: Vec<(String, String)> = parse_params(&args.loss_param, "--loss-param")?
        .into_iter()
        .map(|(k, v)| (k, imbalanced::catalog::value_text(&v)))
        .collect();
    let model = match args.model.as_str() {
        "mlp" => ModelSpec::Mlp { hidden: args.hidden },
        _ => ModelSpec::Softmax,
    };
    let prototypes = args
        .prototypes
        .then(|| -> Result<Prototypes, Box<dyn std::error::Error>> {
            let given = serde_json::Map::from_iter(parse_params(&args.prototype_param, "--prototype-param")?);
            Ok(serde_json::from_value(Value::Object(given)).map_err(|e| format!("--prototype-param: {e}"))?)
        })
        .transpose()?;
    let simulation = Simulation {
        rounds: args.rounds,
        local_epochs: args.local_epochs,
        batch_size: args.batch_size,
        learning_rate: args.learning_rate,
        fraction_train: args.fraction_train,
        strategy,
        loss: LossSpec::new(&args.loss, &loss_params)?,
        model,
        prototypes,
        seed: args.seed,
        ..Default::default()
    };
    let long_tail = args.long_tail.map(|(profile, imbalance_ratio)| LongTail {
        profile,
        imbalance_ratio,
        seed: args.seed,
    });
    let train = args.input.load(&args.file)?;
    let test = args.test.as_ref().map(|t| args.input.load(t)).transpose()?;
    let spinner = ProgressBar::new_spinner().with_message(format!(
        "{} rounds of {} over {} clients",
        args.rounds, args.strategy, args.num_partitions
    ));
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let started = Instant::now();
    let result = federate(
        &train,
        test.as_ref(),
        partitioner.as_ref(),
        long_tail.as_ref(),
        &simulation,
    );
    spinner.finish_and_clear();
    let report = result?;
    if let Some(path) = &args.report {
        let settings = format!(
            "{} over {} clients, {} rounds of {} ({} local epochs, batch {}, step {}), loss {}, model {}{}, seed {}.",
            args.partitioner,
            report.client_rows.len(),
            args.rounds,
            args.strategy,
            args.local_epochs,
            args.batch_size,
            args.learning_rate,
            args.loss,
            args.model,
            if args.prototypes { " with prototypes" } else { "" },
            args.seed
        );
        imbalanced::data::write_text(path, &report.html(&settings))?;
    }
    if args.json {
        let mut json = serde_json::to_value(&report)?;
        json["seconds"] = Value::from(started.elapsed().as_secs_f64());
        println!("{}", serde_json::to_string_pretty(&json)?);
        return Ok(());
    }
    println!("{}", rounds_table(&report));
    if let Some(b) = report.centralised_balanced_accuracy {
        println!("centralised training on all training rows: balanced accuracy {b:.3}");
    }
    if let Some(note) = &report.fairness_note {
        println!("note: {note}");
    }
    if let Some(path) = &args.report {
        println!("report written to {}", path.display());
    }
    println!(
        "{} clients ({} to {} training rows), {} test rows, {:.2} s",
        report.client_rows.len(),
        report.client_rows.iter().min().unwrap_or(&0),
        report.client_rows.iter().max().unwrap_or(&0),
        report.test_rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// A row per round: its clients, loss and scores, and client fairness.
fn rounds_table(report: &Experiment) -> String {
    let mut table = crate::table();
    let prototypes = report.rounds.iter().any(|r| r.prototype_balanced_accuracy.is_some());
    let mut header = vec![
        "round",
        "clients",
        "train loss",
        "balanced acc.",
        "macro F1",
        "worst class recall",
        "clients' bal. acc. mean ± std",
        "worst client",
    ];
    if prototypes {
        header.push("nearest-prototype bal. acc.");
    }
    table.set_header(header);
    let f = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    for r in &report.rounds {
        let worst_class = r.recall.iter().flatten().copied().reduce(f64::min);
        let mut row = vec![
            r.round.to_string(),
            r.clients.len().to_string(),
            format!("{:.4}", r.train_loss),
            f(r.balanced_accuracy),
            f(r.macro_f1),
            f(worst_class),
            r.fairness
                .map_or("n/a".into(), |x| format!("{:.3} ± {:.3}", x.mean, x.std)),
            f(r.fairness.map(|x| x.worst)),
        ];
        if prototypes {
            row.push(f(r.prototype_balanced_accuracy));
        }
        table.add_row(row);
    }
    table.to_string()
}
