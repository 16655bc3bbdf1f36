//! The `imbalanced` command: a thin shell over the `imbalanced` library.

mod active;
mod convert;
mod evaluate;
mod explain;
mod federate;
mod inspect;
mod metrics;
mod multilabel;
mod partition;
mod relational;
mod resample;
mod scale;
mod stability;
mod train;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use imbalanced::data::{read, Dataset, ReadOptions};
use imbalanced::models::{AnyClassifier, MODELS};

/// Learning from class-imbalanced data: inspect a dataset's imbalance,
/// resample it with any imbalanced-learn sampler, and find out which
/// strategy works with leak-free cross-validation.
#[derive(Parser)]
#[command(name = "imbalanced", version, propagate_version = true)]
#[command(after_help = "Examples:\n  \
    imbalanced inspect data/keel/yeast6.csv --plot yeast6.svg\n  \
    imbalanced resample data/keel/yeast6.csv --method SMOTE --param k_neighbors=3 --out balanced.csv\n  \
    imbalanced resample --list\n  \
    imbalanced evaluate data/keel/yeast6.csv --report yeast6.html\n  \
    imbalanced bench --report bench.html\n  \
    imbalanced metrics predictions.csv --json")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Class counts, imbalance ratio and how hard each class is to learn
    /// (safe / borderline / rare / outlier samples, Napierala & Stefanowski 2016).
    #[command(after_help = "Examples:\n  \
        imbalanced inspect data/keel/glass4.csv\n  \
        imbalanced inspect data/keel/flare-F.dat --plot classes.png\n  \
        imbalanced inspect data.csv --target label --categorical colour,shape --json")]
    Inspect(inspect::InspectArgs),
    /// Resample a dataset with an imbalanced-learn sampler and write the result.
    #[command(after_help = "Examples:\n  \
        imbalanced resample data/keel/yeast6.csv --method SMOTE --out balanced.csv\n  \
        imbalanced resample data.csv --method NearMiss --param version=2 --out small.csv\n  \
        imbalanced resample data.csv --method smote --param 'sampling_strategy={\"1\": 200}' \\\n      \
        --seed 0 --rng numpy --out same-as-imblearn.csv\n  \
        imbalanced resample --list")]
    Resample(resample::ResampleArgs),
    /// Relational minority over-sampling (a Rel-MOSS spin-off, our formulation): flatten a
    /// parent table and its child tables into per-relation blocks (counts, mean, min, max, last),
    /// over-sample them with RelationalSMOTE, and compare with flat SMOTE.
    #[command(after_help = "Examples:\n  \
        imbalanced relational customers.csv --key id --target churn \\\n      \
        --child orders.csv:customer_id --child tickets.csv:customer_id --evaluate --model forest\n  \
        imbalanced relational customers.csv --key id --child orders.csv:customer_id --resample -o flat.csv")]
    Relational(relational::RelationalArgs),
    /// Compare imbalance strategies on one dataset by stratified cross-validation
    /// (resampling inside training folds only): balanced accuracy, macro F1,
    /// G-mean, MCC, ROC AUC and average precision, mean ± std per method.
    #[command(after_help = "Examples:\n  \
        imbalanced evaluate data/keel/yeast6.csv\n  \
        imbalanced evaluate data/keel/glass4.csv --methods none,balanced,smote,adasyn --model knn\n  \
        imbalanced evaluate data.csv --target label --folds 10 --repeats 3 --report report.html --json")]
    Evaluate(evaluate::EvaluateArgs),
    /// Run `evaluate` over every dataset of a folder, rank the methods per dataset,
    /// and test the ranks (Friedman, Nemenyi critical difference; Demšar 2006).
    #[command(after_help = "Examples:\n  \
        imbalanced bench --report bench.html\n  \
        imbalanced bench ../shared/data/keel/binary --methods none,smote,rus --rank-by geometric_mean_score")]
    Bench(evaluate::BenchArgs),
    /// Every metric from a CSV of predictions made elsewhere:
    /// y_true,y_pred[,score | proba_<label>...].
    #[command(after_help = "Examples:\n  \
        imbalanced metrics predictions.csv\n  \
        imbalanced metrics predictions.csv --json")]
    Metrics(metrics::MetricsArgs),
    /// Fit the pipeline `evaluate` cross-validates (scaler -> method -> classifier)
    /// on the whole file and save it as JSON: any classifier, any method
    /// (none, balanced, a sampler) or loss.
    #[command(after_help = "Examples:\n  \
        imbalanced train data/keel/yeast6.csv --model logreg --method SMOTE --out model.json\n  \
        imbalanced train data/keel/yeast6.csv --model forest --method balanced --param max_depth=8 --out model.json\n  \
        imbalanced train data/keel/yeast6.csv --model mlp --loss ldam-drw --epochs 100 --out model.json\n  \
        imbalanced train data/keel/glass.csv --model logreg --loss focal --loss-param gamma=1 --out model.json\n  \
        imbalanced train data.csv --method SMOTETomek --sampler-param smote__k_neighbors=3 --seed 3 --out model.json\n  \
        imbalanced train tags.csv --labels spam,urgent,invoice --loss asl --out model.json   # multi-label\n  \
        imbalanced train labelled.csv --unlabelled pool.csv --stochastic-proportions --out model.json   # semi-supervised")]
    Train(Box<train::TrainArgs>),
    /// Convert a data file to another format, delimiter or compression
    /// (CSV, TSV, KEEL .dat, ARFF, Parquet; .gz, .zst, .bz2; - for standard
    /// input and output), optionally leaving out columns.
    #[command(after_help = "Examples:\n  \
        imbalanced convert data.csv data.parquet\n  \
        imbalanced convert export.csv.gz clean.csv --drop id,'debug_*'\n  \
        imbalanced convert european.csv standard.csv --decimal ,\n  \
        cat data.tsv | imbalanced convert - data.csv.zst")]
    #[command(mut_arg("target", |a| a.help("A label column, read as the label (labels stay text). Default: none; every column is data")))]
    Convert(convert::ConvertArgs),
    /// Predict with a model from `train`: y_true, y_pred and proba_<label> columns.
    #[command(after_help = "Examples:\n  \
        imbalanced predict model.json data/keel/yeast6.csv --out predictions.csv\n  \
        imbalanced metrics predictions.csv")]
    Predict(train::PredictArgs),
    /// Split a dataset over federated clients with a flwr-datasets partitioner
    /// (Dirichlet label skew, pathological, shards, ...): the same rows as
    /// flwr-datasets 0.6.1 for the same seed.
    #[command(after_help = "Examples:\n  \
        imbalanced partition data/keel/ecoli.csv --partitioner dirichlet -n 5 --param alpha=0.3 --json\n  \
        imbalanced partition data/keel/ecoli.csv --partitioner pathological -n 4 \\\n      \
        --param num_classes_per_partition=2 --out clients/ --plot clients.png\n  \
        imbalanced partition data.csv --partitioner natural-id --param partition_by=hospital --out sites/\n  \
        imbalanced partition --list")]
    Partition(partition::PartitionArgs),
    /// Simulate federated training in-process: the file split over clients by a
    /// partitioner, rounds of local SGD (any loss) and server aggregation (FedAvg,
    /// FedProx, FedAvgM, FedAdam, FedTrimmedAvg), scored each round on test rows,
    /// with client fairness and the centralised baseline.
    #[command(after_help = "Examples:\n  \
        imbalanced federate data/keel/ecoli.csv --partitioner dirichlet -n 4 --partition-param alpha=0.3 \\\n      \
        --partition-param min_partition_size=5 --rounds 20\n  \
        imbalanced federate train.csv --test test.csv --strategy fedprox --param proximal_mu=0.1 \\\n      \
        --loss logit-adjusted --rounds 50 --local-epochs 2 --fraction-train 0.5 --json")]
    Federate(Box<federate::FederateArgs>),
    /// Compare active-learning query strategies on a labelled pool: from the
    /// same random start, each strategy queries labels cycle by cycle
    /// (uncertainty, coreset, BADGE, FairFAL's class-balanced query) and the
    /// model is scored on test rows, giving one learning curve per strategy.
    #[command(after_help = "Examples:\n  \
        imbalanced active data/keel/ecoli.csv --plot curves.png\n  \
        imbalanced active pool.csv --test test.csv --strategy random,badge,class-balanced \\\n      \
        --initial 0.02 --query-ratio 0.02 --end-ratio 0.3 --loss logit-adjusted --json")]
    Active(Box<active::ActiveArgs>),
    /// Explain a model's outputs row by row: exact SHAP values (linear models on
    /// their logits; TreeSHAP for trees, forests, bagged trees and gradient boosting),
    /// equal to shap's, adding up to each row's output.
    #[command(after_help = "Examples:\n  \
        imbalanced explain data/keel/ecoli.csv --model forest --rows 0:10 --out attributions.csv\n  \
        imbalanced explain data/keel/yeast6.csv --model hgb --method SMOTE --json\n  \
        imbalanced explain new_rows.csv --model-file model.json --rows 0,5,9")]
    Explain(Box<explain::ExplainArgs>),
    /// How stable a model's explanations are under noise, per class and per imbalance
    /// method: a CIES-style credibility index (1 - the rank-weighted distance between
    /// each row's attributions and its noisy copies'), with bootstrap intervals, the
    /// uniform-weight baseline, weighted Kendall tau, rank-biased overlap and top-3 agreement.
    #[command(after_help = "Examples:\n  \
        imbalanced stability data/keel/yeast6.csv --model forest --methods none,SMOTE --noise 0.1,0.3\n  \
        imbalanced stability data/keel/ecoli.csv --model hgb --rows 0:100 --perturbations 10 --json")]
    Stability(Box<stability::StabilityArgs>),
}

/// How to read the input file; shared by every command.
#[derive(Args, Clone)]
pub struct InputArgs {
    /// The label column. Default: KEEL's @outputs attribute, else the last column.
    #[arg(long, value_name = "COL")]
    pub target: Option<String>,
    /// Columns to read as categorical even if their values look numeric (comma-separated).
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub categorical: Vec<String>,
    /// Fill missing values (median for numeric columns, most frequent value for
    /// categorical ones) instead of stopping with an error.
    #[arg(long)]
    pub impute: bool,
    /// Columns to leave out, by name or glob (comma-separated): identifiers, leaks.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub drop: Vec<String>,
    /// Only these columns (names or globs, comma-separated) and the target.
    #[arg(long, value_name = "COLS", value_delimiter = ',')]
    pub keep: Vec<String>,
    /// The delimiter of CSV text: , ; | or tab (\t). Default: tab for .tsv, else
    /// detected from the first lines.
    #[arg(long, value_name = "CHAR", value_parser = imbalanced::data::parse_delimiter)]
    pub delimiter: Option<u8>,
    /// The decimal separator of numbers in CSV text: . (default) or , (then the
    /// delimiter is another character, usually ;).
    #[arg(long, value_name = "CHAR", default_value = ".", value_parser = [".", ","])]
    pub decimal: String,
    /// CSV text without a header line: the columns are named 0, 1, 2, ...
    #[arg(long)]
    pub no_header: bool,
}

impl InputArgs {
    pub fn options(&self) -> ReadOptions {
        ReadOptions {
            target: self.target.clone(),
            categorical: self.categorical.clone(),
            impute: self.impute,
            delimiter: self.delimiter,
            decimal_comma: self.decimal == ",",
            no_header: self.no_header,
            drop: self.drop.clone(),
            keep: self.keep.clone(),
            ..Default::default()
        }
    }

    /// Reads `path` (`-`: standard input) and warns on standard error about
    /// feature columns that look like row identifiers.
    pub fn load(&self, path: &PathBuf) -> Result<Dataset, Box<dyn std::error::Error>> {
        let data = read(path, &self.options())?;
        warn_identifiers(&data);
        Ok(data)
    }
}

/// Warns on standard error about feature columns that look like row identifiers.
pub fn warn_identifiers(data: &Dataset) {
    for id in imbalanced::data::identifier_columns(data) {
        eprintln!("warning: {id}\nhint: --drop {} leaves it out", id.column);
    }
}

/// The classifier of `evaluate`, `bench` and `train`: one definition, so
/// that a name means the same model in every command.
#[derive(Args, Clone)]
pub struct ModelArgs {
    /// Classifier: a scikit-learn or imbalanced-learn class name, any case
    /// (LogisticRegression, KNeighborsClassifier, DecisionTreeClassifier,
    /// RandomForestClassifier, GaussianNB, MLPClassifier, AdaBoostClassifier,
    /// HistGradientBoostingClassifier; BalancedRandomForestClassifier,
    /// BalancedBaggingClassifier, RUSBoostClassifier, EasyEnsembleClassifier; and
    /// SoftmaxRegression) or an alias (logreg, knn, tree, forest, nb, mlp, adaboost, hgb,
    /// brf, balanced-bagging, rusboost, easy-ensemble, softmax). Default: logreg (train
    /// --labels and --unlabelled: mlp).
    #[arg(long)]
    pub model: Option<String>,
    /// A classifier parameter in scikit-learn's name, repeatable: C=0.5,
    /// class_weight=balanced, n_neighbors=3, max_depth=4, hidden_layer_sizes=[64,32],
    /// max_iter=50, loss=focal (hgb: loss=focal:gamma=1, is_unbalance=true).
    #[arg(long = "param", short, value_name = "KEY=VALUE")]
    pub params: Vec<String>,
}

/// `KEY=VALUE` texts as parameter values; `flag` names the option in the error.
pub fn parse_params(
    texts: &[String],
    flag: &str,
) -> Result<Vec<(String, imbalanced::catalog::Value)>, Box<dyn std::error::Error>> {
    texts
        .iter()
        .map(|p| {
            imbalanced::catalog::assignment(p)
                .ok_or_else(|| format!("{flag} {p:?} is not KEY=VALUE (e.g. {flag} max_iter=50)").into())
        })
        .collect()
}

impl ModelArgs {
    /// The `--model` name, or `default`.
    pub fn name<'a>(&'a self, default: &'a str) -> &'a str {
        self.model.as_deref().unwrap_or(default)
    }

    /// The classifier with its parameters; `seed` is its `random_state`
    /// unless a parameter sets it.
    pub fn build(&self, seed: u64) -> Result<AnyClassifier, Box<dyn std::error::Error>> {
        self.build_with("logreg", &[], seed)
    }

    /// [`ModelArgs::build`] with another default model and `extra`
    /// parameters after `--param`'s.
    pub fn build_with(
        &self,
        default: &str,
        extra: &[(String, imbalanced::catalog::Value)],
        seed: u64,
    ) -> Result<AnyClassifier, Box<dyn std::error::Error>> {
        let mut given = parse_params(&self.params, "--param")?;
        given.extend_from_slice(extra);
        Ok(*MODELS.build(self.name(default), &given, &[("random_state", seed.into())])?)
    }
}

/// A terminal table: condensed borders, and wrapped to the terminal's width
/// when it would not fit (on a terminal; piped output is not wrapped).
pub fn table() -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    t
}

/// A table of `header` and `rows` (a library's), printed.
pub fn print_table(header: Vec<String>, rows: Vec<Vec<String>>) {
    let mut t = table();
    t.set_header(header);
    for row in rows {
        t.add_row(row);
    }
    println!("{t}");
}

/// The option that fixes a library error, where there is one: the library
/// names parameters and classes, the command line adds its flags.
fn hint(e: &(dyn std::error::Error + 'static)) -> Option<String> {
    use imbalanced::data::DataError;
    use imbalanced::eval::EvalError;
    use imbalanced::resample::ResampleError;
    let data = |d: &DataError| match d {
        DataError::StrayNonNumeric { column, .. } => Some(format!("--categorical {column} reads it as categorical")),
        DataError::Missing { .. } => Some("--impute fills missing values".into()),
        DataError::DecimalComma { .. } => Some("--decimal , reads 0,5 as 0.5".into()),
        DataError::OneColumn { likely: Some(d), .. } => Some(format!("--delimiter {d} names the delimiter")),
        DataError::OneColumn { .. } => Some("--delimiter CHAR names the delimiter".into()),
        _ => None,
    };
    if let Some(d) = e.downcast_ref::<DataError>() {
        return data(d);
    }
    if let Some(ResampleError::Data(d)) = e.downcast_ref::<ResampleError>() {
        return data(d);
    }
    match e.downcast_ref::<EvalError>()? {
        EvalError::Data(d) => data(d),
        EvalError::TooManyFolds { count, .. } if *count >= 2 => Some(format!("--folds {count}")),
        EvalError::TooManyFolds { .. } => Some("a class of one row cannot be cross-validated: drop or merge it".into()),
        EvalError::Method { source, .. } => hint(source.as_ref()),
        _ => None,
    }
}

// Large arrays mapped in one call: first runs without ~7,500 page faults per 30 MB.
#[global_allocator]
static ALLOC: imbalanced::data::PrefaultAlloc = imbalanced::data::PrefaultAlloc;

fn main() -> ExitCode {
    // Die quietly when the reader of stdout goes away (`imbalanced metrics f.csv | head`),
    // as command-line tools do, instead of panicking on the failed write.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Inspect(args) => inspect::run(args),
        Command::Resample(args) => resample::run(args),
        Command::Relational(args) => relational::run(args),
        Command::Evaluate(args) => evaluate::run_evaluate(args),
        Command::Bench(args) => evaluate::run_bench(args),
        Command::Metrics(args) => metrics::run(args),
        Command::Train(args) => train::run_train(*args),
        Command::Predict(args) => train::run_predict(args),
        Command::Convert(args) => convert::run(args),
        Command::Partition(args) => partition::run(args),
        Command::Federate(args) => federate::run(*args),
        Command::Active(args) => active::run(*args),
        Command::Explain(args) => explain::run(*args),
        Command::Stability(args) => stability::run(*args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            if let Some(h) = hint(e.as_ref()) {
                eprintln!("hint: {h}");
            }
            ExitCode::FAILURE
        }
    }
}
