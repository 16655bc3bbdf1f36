//! `imbalanced stability`: how stable a model's explanations are under
//! noise, for each imbalance method, per class.

use std::path::PathBuf;

use clap::Args;
use imbalanced::explain::{compare_stability, RankWeights, Stability};

use crate::explain::{parse_rows, RowList};
use crate::{InputArgs, ModelArgs};

type BoxError = Box<dyn std::error::Error>;

#[derive(Args)]
pub struct StabilityArgs {
    /// The data (any format `train` reads), labelled.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub model: ModelArgs,
    /// Imbalance methods to compare, comma-separated, as `train --method`: none,
    /// balanced, or samplers of `resample --list` (each fitted on FILE, then explained).
    #[arg(long, value_delimiter = ',', default_value = "none,SMOTE")]
    pub methods: Vec<String>,
    /// Noise levels (the noise's standard deviation over each column's), comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0.05,0.1,0.2,0.3")]
    pub noise: Vec<f64>,
    /// The probability that a noisy copy's categorical value moves to another level.
    /// Default: the noise level (so noise 0 changes nothing).
    #[arg(long, value_name = "P")]
    pub flip: Option<f64>,
    /// Noisy copies explained per row.
    #[arg(long, default_value_t = 20)]
    pub perturbations: usize,
    /// How a feature's displacement is weighted by its place: harmonic (1/(r+1)) or dcg
    /// (1/log2(r+2)); the uniform baseline is reported beside it.
    #[arg(long, default_value = "harmonic", value_parser = ["harmonic", "dcg"])]
    pub weights: String,
    /// Rows to explain, 0-based: a range 0:100 or a list 3,17,42. Default: all.
    #[arg(long, value_parser = parse_rows)]
    pub rows: Option<RowList>,
    /// Do not standardise the numeric columns (train --no-scale).
    #[arg(long)]
    pub no_scale: bool,
    /// Seed of the models, the samplers, the noise and the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Write a self-contained HTML report: the index against the noise per method,
    /// the index per class with its interval, each method's mean |attribution| per
    /// feature, how far each place of the rankings moves, every configuration.
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: StabilityArgs) -> Result<(), BoxError> {
    let data = args.input.load(&args.file)?;
    let classifier = args.model.build_with("forest", &[], args.seed)?;
    let rows = args.rows.clone().map(|r| r.0).unwrap_or_default();
    let settings = Stability {
        perturbations: args.perturbations,
        flip: args.flip,
        weights: if args.weights == "dcg" {
            RankWeights::Dcg
        } else {
            RankWeights::Harmonic
        },
        seed: args.seed,
        ..Default::default()
    };
    let results = compare_stability(
        &data,
        &classifier,
        (&args.methods, &args.noise),
        &rows,
        !args.no_scale,
        &settings,
    )?;
    if let Some(path) = &args.report {
        let settings = format!(
            "{} on {}, {} noisy copies per row, categorical values flipped with probability {}, {} weights, seed {}.",
            classifier.name(),
            args.file.display(),
            args.perturbations,
            flip_text(args.flip),
            args.weights,
            args.seed
        );
        imbalanced::data::write_text(path, &results.to_html(&settings))?;
    }
    if args.json {
        println!("{}", results.to_json());
        return Ok(());
    }
    let (header, rows) = results.table();
    crate::print_table(header, rows);
    println!(
        "index: 1 - the mean rank-weighted distance ({}) between each row's attributions and those of \
         {} noisy copies (CIES-style, our formulation; categorical values flipped with probability {}); \
         1 = rankings never move",
        args.weights,
        args.perturbations,
        flip_text(args.flip)
    );
    if let Some(path) = &args.report {
        println!("report written to {}", path.display());
    }
    Ok(())
}

/// The flip probability as the reports say it.
fn flip_text(flip: Option<f64>) -> String {
    flip.map_or_else(|| "the noise level".to_string(), |p| p.to_string())
}
