//! `imbalanced evaluate` and `imbalanced bench`: cross-validated comparison
//! of imbalance strategies, as a table, JSON and an HTML report.

use std::path::PathBuf;

use clap::Args;
use imbalanced::eval::{
    bench, evaluate, load_datasets, metric_position, report, Bench, EvaluateOptions, Evaluation, Folder, Method,
};
use imbalanced::resample::RngKind;
use indicatif::{ProgressBar, ProgressStyle};

use crate::InputArgs;

/// Settings shared by `evaluate` and `bench`.
#[derive(Args, Clone)]
pub struct CvArgs {
    /// Methods to compare (comma-separated): `none`, `balanced`
    /// (class_weight="balanced") and any sampler `resample --list` shows, its
    /// parameters as NAME:key=value:key=value (SMOBD:max_eps=3).
    /// Default: none,balanced,SMOTE,RandomUnderSampler,SMOTETomek (none when --losses is given).
    #[arg(long, value_delimiter = ',')]
    pub methods: Option<Vec<String>>,
    /// Losses to compare with the same folds (comma-separated), each trained into
    /// --model (logreg becomes a softmax regression; or mlp): ce, focal, cb-focal,
    /// ldam-drw, la, balanced-softmax, ...; parameters as NAME:key=value:key=value.
    #[arg(long, value_delimiter = ',')]
    pub losses: Vec<String>,
    #[command(flatten)]
    pub model: crate::ModelArgs,
    /// Number of stratified folds.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Repeats of the k-fold (more than 1 shuffles each, as RepeatedStratifiedKFold).
    #[arg(long, default_value_t = 1)]
    pub repeats: usize,
    /// Shuffle rows within classes before making folds (StratifiedKFold's shuffle).
    #[arg(long, default_value_t = false, action = clap::ArgAction::Set, value_name = "true|false")]
    pub shuffle: bool,
    /// Seed of the fold shuffle, of randomised samplers and of the classifier.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Sampler random generator: `numpy` reproduces imbalanced-learn's draws.
    #[arg(long, default_value = "default")]
    pub rng: RngKind,
    /// Do not standardise features inside the pipeline.
    #[arg(long)]
    pub no_scale: bool,
    /// Print the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Write a self-contained HTML report (inline SVG plots).
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// CSV, KEEL .dat, ARFF or Parquet file (with --engine: also a folder or glob of Parquet or
    /// CSV files).
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub cv: CvArgs,
    /// With --engine datafusion: cross-validate a file larger than memory on the engine's folds.
    /// Each method's training rows, resampled by the engine (none, balanced, rus, ros, TomekLinks,
    /// enn, ncr, SMOTE, BorderlineSMOTE, ADASYN), must fit in memory; the test folds are streamed.
    #[command(flatten)]
    pub engine: crate::scale::EngineArgs,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Folder of datasets (.csv, .tsv, .dat, .arff, .parquet; subfolders included;
    /// files named like an earlier one are left out). Default: the 12 KEEL
    /// datasets built into imbalanced (those of the repository's data/keel).
    pub dir: Option<PathBuf>,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub cv: CvArgs,
    /// Metric that ranks the methods (one of the reported metric names).
    #[arg(long, default_value = "balanced_accuracy_score")]
    pub rank_by: String,
}

impl CvArgs {
    fn options(&self) -> Result<EvaluateOptions, Box<dyn std::error::Error>> {
        Ok(EvaluateOptions {
            model: self.model.build(self.seed)?,
            n_splits: self.folds,
            n_repeats: self.repeats.max(1),
            shuffle: self.shuffle,
            seed: self.seed,
            scale: !self.no_scale,
        })
    }

    fn methods(&self) -> Result<Vec<Method>, imbalanced::eval::EvalError> {
        Method::list(self.methods.as_deref(), &self.losses, self.seed, self.rng)
    }
}

pub(crate) fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} fits [{elapsed}, eta {eta}] {msg}").expect("valid template"),
    );
    bar
}

pub(crate) fn print_table(e: &Evaluation) {
    let (header, rows) = e.table();
    let winners: Vec<usize> = (0..e.metrics.len()).map(|m| e.winner(m)).collect();
    let n: usize = e.class_counts.iter().sum();
    println!("{} ({n} rows, {} classes)", e.dataset, e.classes.len());
    crate::print_table(header, rows);
    let best: Vec<String> = e
        .metrics
        .iter()
        .zip(&winners)
        .map(|(m, &w)| format!("{m}: {}", e.results[w].method))
        .collect();
    println!("best (*): {}", best.join(", "));
    for f in &e.failed {
        println!("failed: {}: {}", f.method, f.reason);
    }
    for note in &e.notes {
        println!("note: {note}");
    }
}

pub fn run_evaluate(args: EvaluateArgs) -> Result<(), Box<dyn std::error::Error>> {
    let opts = args.cv.options()?;
    let name = args
        .file
        .file_stem()
        .map_or_else(|| args.file.display().to_string(), |s| s.to_string_lossy().into_owned());
    let e = if args.engine.engine.is_some() {
        crate::scale::evaluate(&args, &name, &opts)?
    } else {
        let data = args.input.load(&args.file)?;
        let methods = args.cv.methods()?;
        let bar = progress_bar(methods.len() * opts.n_splits * opts.n_repeats);
        let result = evaluate(&data, &name, &methods, &opts, &|| bar.inc(1));
        bar.finish_and_clear();
        result?
    };
    if let Some(path) = &args.cv.report {
        imbalanced::data::write_text(path, &report::evaluation_html(&e, &opts.describe()))?;
    }
    if args.cv.json {
        println!("{}", serde_json::to_string_pretty(&e.to_json())?);
    } else {
        print_table(&e);
        if let Some(path) = &args.cv.report {
            println!("wrote {}", path.display());
        }
    }
    Ok(())
}

fn print_bench(b: &Bench, rank_by: usize, model: &str) {
    let test = &b.tests[rank_by];
    let (header, rows) = b.table(rank_by);
    println!("{model} by {} ({} datasets)", b.metrics[rank_by], b.evaluations.len());
    crate::print_table(header, rows);
    if let Some(t) = test {
        println!(
            "Friedman chi2 = {:.3} (p = {:.3e}), Iman-Davenport F = {:.3} (p = {:.3e}); Nemenyi CD (alpha 0.05) = {:.3}",
            t.chi_square, t.chi_square_p, t.f_statistic, t.f_p, t.critical_difference
        );
    }
    for (n, why) in &b.skipped {
        println!("skipped {n}: {why}");
    }
}

pub fn run_bench(args: BenchArgs) -> Result<(), Box<dyn std::error::Error>> {
    let Folder { datasets, left_out } = match &args.dir {
        Some(dir) => load_datasets(dir, &args.input.options())?,
        None => Folder::bundled(&args.input.options())?,
    };
    if !left_out.is_empty() && !args.cv.json {
        let names: Vec<String> = left_out.iter().map(|p| p.display().to_string()).collect();
        eprintln!(
            "{} files share a name with an earlier one and are left out: {}",
            names.len(),
            names.join(", ")
        );
    }
    let opts = args.cv.options()?;
    let methods = args.cv.methods()?;
    let rank_by = metric_position(&args.rank_by, 2).map_err(|e| format!("--rank-by: {e}"))?;
    let bar = progress_bar(datasets.len() * methods.len() * opts.n_splits * opts.n_repeats);
    let result = bench(&datasets, &methods, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let b = result?;
    if let Some(path) = &args.cv.report {
        imbalanced::data::write_text(path, &report::bench_html(&b, rank_by, &opts.describe()))?;
    }
    if args.cv.json {
        println!("{}", serde_json::to_string_pretty(&b.to_json(rank_by))?);
        return Ok(());
    }
    print_bench(&b, rank_by, opts.model.name());
    if let Some(path) = &args.cv.report {
        println!("wrote {}", path.display());
    }
    Ok(())
}
