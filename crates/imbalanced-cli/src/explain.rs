//! `imbalanced explain`: exact attributions of a model's outputs for a
//! file's rows.

use std::path::PathBuf;

use clap::Args;
use imbalanced::data::Dataset;
use imbalanced::eval::FittedPipeline;
use imbalanced::eval::{Method, ModelFile};
use imbalanced::explain::{explain_pipeline, permutation_pipeline, Attribution, KernelShap, PermutationImportance};
use imbalanced::random::RngKind;

use crate::{parse_params, InputArgs, ModelArgs};

type BoxError = Box<dyn std::error::Error>;

#[derive(Args)]
pub struct ExplainArgs {
    /// The rows to explain (any format `train` reads).
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    /// A model written by `train`; without it the model is fitted on FILE through
    /// `train`'s pipeline (--model, --param, --method, scaling).
    #[arg(long, value_name = "MODEL.json", conflicts_with_all = ["model", "params", "method", "sampler_param"])]
    pub model_file: Option<PathBuf>,
    #[command(flatten)]
    pub model: ModelArgs,
    /// How `train` handles the imbalance: none, balanced or a sampler of `resample --list`.
    #[arg(long, default_value = "none")]
    pub method: String,
    /// A sampler parameter, repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub sampler_param: Vec<String>,
    /// Do not standardise the numeric columns (train --no-scale).
    #[arg(long)]
    pub no_scale: bool,
    /// Seed of the model and the sampler.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// shap: exact SHAP values per row (linear models, trees, forests, bagging, boosting on its
    /// votes, gradient boosting on its raw scores); kernel: KernelSHAP on
    /// the class probabilities of any model (exact over every coalition when they fit
    /// the budget, sampled beyond; against 50 training rows); permutation:
    /// scikit-learn's permutation importance of each column on FILE's rows.
    #[arg(long, default_value = "shap", value_parser = ["shap", "kernel", "permutation"])]
    pub explainer: String,
    /// Shap on tree models: interventional TreeSHAP against 100 of the training rows
    /// (shap's feature_perturbation="interventional") instead of path-dependent.
    #[arg(long)]
    pub interventional: bool,
    /// Kernel: the coalition budget per row (default: shap's 2 x features + 2048).
    #[arg(long)]
    pub nsamples: Option<usize>,
    /// Permutation: shuffles per column.
    #[arg(long, default_value_t = 5)]
    pub n_repeats: usize,
    /// Permutation: the rows each column's shuffles are scored on, a share (0.5) or a
    /// count (200), drawn per column as scikit-learn's max_samples.
    #[arg(long, default_value = "1.0")]
    pub max_samples: String,
    /// Permutation: the score compared, accuracy, balanced_accuracy or f1_macro.
    #[arg(long, default_value = "balanced_accuracy")]
    pub scoring: String,
    /// Rows to explain, 0-based: a range 0:100 (end excluded) or a list 3,17,42. Default: all.
    #[arg(long, value_parser = parse_rows)]
    pub rows: Option<RowList>,
    /// Write the attributions as CSV: per row and output, its base value, a column per
    /// feature, and the output value they add up to.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print {"features", "classes", "rows", "base_values", "attributions": [class][row][feature]}.
    #[arg(long)]
    pub json: bool,
}

/// Row numbers given on the command line.
#[derive(Clone)]
pub struct RowList(pub Vec<usize>);

/// `A:B` (B excluded) or `a,b,c`.
pub(crate) fn parse_rows(text: &str) -> Result<RowList, String> {
    let bad = |_| format!("--rows {text:?}: give a range like 0:100 or a list like 3,17,42");
    if let Some((a, b)) = text.split_once(':') {
        let (a, b): (usize, usize) = (a.trim().parse().map_err(bad)?, b.trim().parse().map_err(bad)?);
        if b <= a {
            return Err(format!("--rows {text}: the end must come after the start"));
        }
        return Ok(RowList((a..b).collect()));
    }
    text.split(',')
        .map(|v| v.trim().parse().map_err(bad))
        .collect::<Result<_, _>>()
        .map(RowList)
}

pub fn run(args: ExplainArgs) -> Result<(), BoxError> {
    let (pipeline, data, background, classes) = match &args.model_file {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let file = ModelFile::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            let data = file.read_data(&args.file, args.input.options())?;
            // Without the training rows, the file's own rows are the background.
            (file.pipeline, data.clone(), data, file.classes)
        }
        None => {
            let data: Dataset = args.input.load(&args.file)?;
            let classifier = args.model.build_with("logreg", &[], args.seed)?;
            let params = parse_params(&args.sampler_param, "--sampler-param")?;
            let (method, _) = Method::parse(&args.method, &params, args.seed, RngKind::Default)?;
            let fitted = method.pipeline(&classifier, !args.no_scale)?.fit(&data)?;
            let classes = data.classes().to_vec();
            (fitted, data.clone(), data, classes)
        }
    };
    if args.explainer == "permutation" {
        return permutation(&args, &pipeline, &data);
    }
    let rows = args.rows.clone().map(|r| r.0).unwrap_or_default();
    let method = match args.explainer.as_str() {
        "kernel" => Attribution::Kernel(KernelShap {
            nsamples: args.nsamples,
            seed: args.seed,
        }),
        _ if args.interventional => Attribution::Interventional,
        _ => Attribution::Exact,
    };
    let e = explain_pipeline(&pipeline, &data, &rows, &background, (&classes, method))?;
    if let Some(out) = &args.out {
        imbalanced::data::write_text(out, &e.to_csv())?;
    }
    if args.json {
        println!("{}", e.to_json());
        return Ok(());
    }
    let a = &e.attributions;
    println!(
        "{}: {} rows x {} features, outputs {}",
        pipeline.model().name(),
        e.rows.len(),
        e.features.len(),
        e.outputs.join(", ")
    );
    let (header, rows) = e.importance_table(20);
    crate::print_table(header, rows);
    let base: Vec<String> = a.base_values.iter().map(|b| format!("{b:.4}")).collect();
    println!("base values: {}", base.join(", "));
    if let Some(out) = &args.out {
        println!("attributions written to {}", out.display());
    }
    Ok(())
}

/// `--explainer permutation`: each column's score drop, as a table or JSON.
fn permutation(args: &ExplainArgs, pipeline: &FittedPipeline, data: &Dataset) -> Result<(), BoxError> {
    let settings = PermutationImportance {
        n_repeats: args.n_repeats,
        scoring: args.scoring.parse()?,
        max_samples: args.max_samples.parse()?,
        random_state: u32::try_from(args.seed).map_err(|_| "--seed: permutation shuffles take a seed below 2^32")?,
    };
    let (names, r) = permutation_pipeline(pipeline, data, &settings)?;
    if args.json {
        let json = r.to_json(&names, &args.scoring);
        println!("{json}");
        return Ok(());
    }
    println!(
        "{}: {} on {} rows {:.4}; its drop when a column is shuffled ({} repeats):",
        pipeline.model().name(),
        args.scoring,
        data.n_samples(),
        r.baseline,
        args.n_repeats
    );
    let (header, rows) = r.table(&names);
    crate::print_table(header, rows);
    Ok(())
}
