//! `imbalanced evaluate` and `imbalanced bench`: cross-validated comparison
//! of imbalance strategies, as a table, JSON and an HTML report.

use std::path::PathBuf;

use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use imbalanced::data::Dataset;
use imbalanced::eval::{bench, dataset_files, evaluate, report, Bench, EvaluateOptions, Evaluation, Method};
use imbalanced::losses::LossSpec;
use imbalanced::resample::RngKind;
use indicatif::{ProgressBar, ProgressStyle};

use crate::InputArgs;

/// Settings shared by `evaluate` and `bench`.
#[derive(Args, Clone)]
pub struct CvArgs {
    /// Methods to compare (comma-separated): `none`, `balanced`
    /// (class_weight="balanced") and any sampler `resample --list` shows.
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
    #[arg(long, default_value = "default", value_parser = parse_rng)]
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

fn parse_rng(s: &str) -> Result<RngKind, String> {
    s.parse()
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// CSV, KEEL .dat, ARFF or Parquet file.
    pub file: PathBuf,
    #[command(flatten)]
    pub input: InputArgs,
    #[command(flatten)]
    pub cv: CvArgs,
}

#[derive(Args)]
pub struct BenchArgs {
    /// Folder of datasets (.csv, .dat, .arff, .parquet; subfolders included;
    /// files named like an earlier one are left out). Default: the KEEL
    /// collection bundled with the repository (data/keel).
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

    fn methods(&self) -> Result<Vec<Method>, Box<dyn std::error::Error>> {
        let default: Vec<String> = if self.losses.is_empty() {
            ["none", "balanced", "SMOTE", "RandomUnderSampler", "SMOTETomek"]
                .map(String::from)
                .to_vec()
        } else {
            Vec::new()
        };
        let mut methods = self
            .methods
            .as_ref()
            .unwrap_or(&default)
            .iter()
            .map(|m| Ok(Method::parse(m, &[], self.seed, self.rng)?.0))
            .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
        for l in &self.losses {
            let mut parts = l.trim().split(':');
            let name = parts.next().unwrap_or_default();
            let params = parts
                .map(|p| {
                    p.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .ok_or_else(|| format!("--losses {l}: parameters go as NAME:key=value"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            methods.push(Method::Loss(LossSpec::new(name, &params)?));
        }
        if methods.is_empty() {
            return Err("nothing to compare: give --methods or --losses".into());
        }
        Ok(methods)
    }

    fn settings(&self, model: &str) -> String {
        format!(
            "{model}; StratifiedKFold({}{}), {} repeat(s), seed {}; {}; samplers inside the training folds only.",
            self.folds,
            if self.shuffle || self.repeats > 1 {
                ", shuffled"
            } else {
                ""
            },
            self.repeats.max(1),
            self.seed,
            if self.no_scale {
                "no scaling"
            } else {
                "StandardScaler fitted per fold"
            },
        )
    }
}

fn progress_bar(total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{bar:30} {pos}/{len} fits [{elapsed}, eta {eta}] {msg}").expect("valid template"),
    );
    bar
}

fn print_table(e: &Evaluation) {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["method".to_string()];
    header.extend(e.metrics.iter().map(|m| m.to_string()));
    table.set_header(header);
    let winners: Vec<usize> = (0..e.metrics.len()).map(|m| e.winner(m)).collect();
    for (i, r) in e.results.iter().enumerate() {
        let mut row = vec![r.method.clone()];
        for (m, &w) in winners.iter().enumerate() {
            let (mean, std) = r.mean_std(m);
            row.push(format!("{mean:.4} ± {std:.4}{}", if w == i { " *" } else { "" }));
        }
        table.add_row(row);
    }
    println!("{} ({} rows, {} classes)", e.dataset, e.y.len(), e.classes.len());
    println!("{table}");
    let best: Vec<String> = e
        .metrics
        .iter()
        .zip(&winners)
        .map(|(m, &w)| format!("{m}: {}", e.results[w].method))
        .collect();
    println!("best (*): {}", best.join(", "));
}

pub fn run_evaluate(args: EvaluateArgs) -> Result<(), Box<dyn std::error::Error>> {
    let data = args.input.load(&args.file)?;
    let opts = args.cv.options()?;
    let methods = args.cv.methods()?;
    let name = args
        .file
        .file_stem()
        .map_or_else(|| args.file.display().to_string(), |s| s.to_string_lossy().into_owned());
    let bar = progress_bar(methods.len() * opts.n_splits * opts.n_repeats);
    let result = evaluate(&data, &name, &methods, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let e = result?;
    if let Some(path) = &args.cv.report {
        crate::write_text(path, &report::evaluation_html(&e, &args.cv.settings(opts.model.name())))?;
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

/// The datasets of `args.dir`, each name once (the same dataset in two
/// formats or folders, KEEL's .dat beside a CSV, is benchmarked once).
fn load_datasets(args: &BenchArgs) -> Result<Vec<(String, Dataset)>, Box<dyn std::error::Error>> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("data/keel"));
    let mut datasets: Vec<(String, Dataset)> = Vec::new();
    let mut duplicates = Vec::new();
    for f in &dataset_files(&dir)? {
        let name = f
            .file_stem()
            .map_or_else(String::new, |s| s.to_string_lossy().into_owned());
        if datasets.iter().any(|(n, _)| *n == name) {
            duplicates.push(f.display().to_string());
            continue;
        }
        let data = args.input.load(f).map_err(|e| format!("{}: {e}", f.display()))?;
        datasets.push((name, data));
    }
    if !duplicates.is_empty() && !args.cv.json {
        eprintln!(
            "{} files share a name with an earlier one and are left out: {}",
            duplicates.len(),
            duplicates.join(", ")
        );
    }
    Ok(datasets)
}

fn print_bench(b: &Bench, rank_by: usize, model: &str) {
    let test = &b.tests[rank_by];
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    let mut header = vec!["dataset".to_string()];
    header.extend(b.methods.iter().cloned());
    table.set_header(header);
    for (i, e) in b.evaluations.iter().enumerate() {
        let mut row = vec![e.dataset.clone()];
        for (m, r) in e.results.iter().enumerate() {
            let rank = test.as_ref().map_or(String::new(), |t| format!(" ({})", t.ranks[i][m]));
            row.push(format!("{:.4}{rank}", r.mean_std(rank_by).0));
        }
        table.add_row(row);
    }
    if let Some(t) = test {
        let mut row = vec!["average rank".to_string()];
        row.extend(t.average_ranks.iter().map(|r| format!("{r:.3}")));
        table.add_row(row);
    }
    println!("{model} by {} ({} datasets)", b.metrics[rank_by], b.evaluations.len());
    println!("{table}");
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
    let datasets = load_datasets(&args)?;
    let opts = args.cv.options()?;
    let methods = args.cv.methods()?;
    let metrics = imbalanced::eval::metric_names(2);
    let rank_by = metrics
        .iter()
        .position(|m| *m == args.rank_by || m.trim_end_matches("_score") == args.rank_by)
        .ok_or_else(|| format!("--rank-by {}: choose one of {}", args.rank_by, metrics.join(", ")))?;
    let bar = progress_bar(datasets.len() * methods.len() * opts.n_splits * opts.n_repeats);
    let result = bench(&datasets, &methods, &opts, &|| bar.inc(1));
    bar.finish_and_clear();
    let b = result?;
    if let Some(path) = &args.cv.report {
        crate::write_text(
            path,
            &report::bench_html(&b, rank_by, &args.cv.settings(opts.model.name())),
        )?;
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
