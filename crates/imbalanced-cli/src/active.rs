use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use imbalanced::active::{compare, ActiveLearning, Comparison, QueryStrategy};
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
    /// Training epochs per cycle.
    #[arg(long, default_value_t = 20)]
    pub epochs: usize,
    /// Seed of the initial labels, the queries that draw, and the training order.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Draw the learning curves (balanced accuracy against the labelled share), .png or .svg.
    #[arg(long, value_name = "FILE")]
    pub plot: Option<PathBuf>,
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
            rounds: 1,
            local_epochs: args.epochs,
            loss: LossSpec::new(&args.loss, &[])?,
            model: match args.model.as_str() {
                "mlp" => ModelSpec::Mlp { hidden: args.hidden },
                _ => ModelSpec::Softmax,
            },
            seed: args.seed,
            ..Default::default()
        },
        seed: args.seed,
        ..Default::default()
    };
    let pool = args.input.load(&args.file)?;
    let test = args.test.as_ref().map(|t| args.input.load(t)).transpose()?;
    let spinner = ProgressBar::new_spinner().with_message(format!("{} strategies", args.strategy.len()));
    spinner.set_style(ProgressStyle::with_template("{spinner} {msg} [{elapsed}]").expect("valid template"));
    spinner.enable_steady_tick(Duration::from_millis(120));
    let result = compare(&pool, test.as_ref(), &args.strategy, &settings);
    spinner.finish_and_clear();
    let report = result?;
    if let Some(out) = &args.plot {
        report.save_plot(out)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{}", curves_table(&report));
    if let Some(out) = &args.plot {
        println!("plot written to {}", out.display());
    }
    Ok(())
}

/// A row per strategy and cycle: labelled rows, scores, and the rarest
/// class's share of the labels so far.
fn curves_table(report: &Comparison) -> String {
    let mut table = crate::table();
    table.set_header([
        "strategy",
        "labelled",
        "balanced acc.",
        "minority recall",
        "labels per class",
        "mean over curve",
    ]);
    for (strategy, curve) in &report.curves {
        let name = serde_json::to_value(strategy)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default();
        for (i, c) in curve.cycles.iter().enumerate() {
            table.add_row([
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
            ]);
        }
    }
    format!(
        "{} pool rows, {} test rows; labels per class in the order {}\n{table}",
        report.pool_rows,
        report.test_rows,
        report.classes.join(" / ")
    )
}
