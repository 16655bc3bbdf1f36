//! `--engine datafusion`: the commands on Apache DataFusion, out of core
//! (`imbalanced-datafusion`), in a build with the `datafusion` feature;
//! `--engine ballista[://HOST:PORT]`: the same plans on Apache Ballista, in a
//! build with the `ballista` feature.

use std::path::Path;

use clap::Args;
use imbalanced::catalog::Value;
use imbalanced::resample::ResampleSummary;

use crate::evaluate::EvaluateArgs;
use crate::inspect::InspectArgs;
use crate::partition::PartitionArgs;
use crate::resample::ResampleArgs;

type BoxError = Box<dyn std::error::Error>;

/// The engine's flags, on every command that takes them.
#[derive(Args, Clone, Debug)]
pub struct EngineArgs {
    /// Run on Apache DataFusion, out of core: `datafusion`. FILE may then be a Parquet or CSV
    /// file, a folder or a glob of them, with the same rows for any --partitions. Needs the
    /// command built with `--features datafusion`. `ballista://HOST:PORT`: the same plans on
    /// the Apache Ballista scheduler there (imbalanced-scheduler, with imbalanced-executor
    /// processes; the files must be where the executors can read and write them);
    /// `ballista`: an in-process Ballista cluster. Needs `--features ballista`.
    #[arg(long, value_name = "ENGINE", value_parser = engine_name)]
    pub engine: Option<String>,
    /// With --engine: partitions of each scan (default: the cores).
    #[arg(long, requires = "engine")]
    pub partitions: Option<usize>,
    /// With --engine: memory the plans may hold (512M, 4G); beyond it sorts and aggregations
    /// spill to disk.
    #[arg(long, value_name = "SIZE", requires = "engine", value_parser = imbalanced::data::parse_size)]
    pub memory_limit: Option<usize>,
}

/// `--engine`'s value, checked: `datafusion`, `ballista` or
/// `ballista://HOST:PORT`.
fn engine_name(text: &str) -> Result<String, String> {
    if text == "datafusion" || text == "ballista" || text.starts_with("ballista://") {
        Ok(text.to_string())
    } else {
        Err("give datafusion, ballista://HOST:PORT (a Ballista scheduler) or ballista (an in-process cluster)".into())
    }
}

#[cfg(feature = "datafusion")]
impl EngineArgs {
    /// The engine, once the reader's flags are checked: those it cannot
    /// honour are refused.
    fn start(&self, input: &crate::InputArgs) -> Result<imbalanced_datafusion::Engine, BoxError> {
        imbalanced_datafusion::check_read_options(&input.options())?;
        let defaults = imbalanced_datafusion::EngineOptions::default();
        let opts = imbalanced_datafusion::EngineOptions {
            partitions: self.partitions.unwrap_or(defaults.partitions),
            memory_limit: self.memory_limit,
            ..defaults
        };
        let location = self.engine.as_deref().unwrap_or("datafusion");
        Ok(imbalanced_datafusion::Engine::connect(location, &opts)?)
    }
}

/// What a build without the engine says.
#[cfg(not(feature = "datafusion"))]
const NOT_BUILT: &str = "--engine: this build of imbalanced has no DataFusion engine; build it with `cargo build \
                         --release -p imbalanced-cli --features datafusion` (or `--features ballista` for \
                         --engine ballista)";

/// `imbalanced resample --engine datafusion`.
#[cfg(feature = "datafusion")]
pub fn resample(
    args: &ResampleArgs,
    file: &Path,
    method: &str,
    params: &[(String, Value)],
    out: &Path,
) -> Result<ResampleSummary, BoxError> {
    use imbalanced_datafusion::{Execution, FileJob};
    refuse(&[("--rng numpy", args.rng != imbalanced::resample::RngKind::Default)])?;
    let engine = args.engine.start(&args.input)?;
    let input = file.to_string_lossy();
    let job = FileJob {
        input: &input,
        target: args.input.target.as_deref(),
        method,
        params,
        how: Execution::new(args.bernoulli, args.buckets),
        seed: args.seed,
        out,
    };
    Ok(engine.resample_file(&job)?)
}

#[cfg(not(feature = "datafusion"))]
pub fn resample(
    _: &ResampleArgs,
    _: &Path,
    _: &str,
    _: &[(String, Value)],
    _: &Path,
) -> Result<ResampleSummary, BoxError> {
    Err(NOT_BUILT.into())
}

/// `imbalanced partition --engine datafusion`: Dirichlet partitions; the
/// clients x classes counts, and the rows with their partition where
/// `--out` names a file.
#[cfg(feature = "datafusion")]
pub fn partition(args: &PartitionArgs, file: &Path, name: &str, given: &[(String, Value)]) -> Result<Counts, BoxError> {
    refuse(&[
        ("--long-tail", args.long_tail.is_some()),
        ("--plot", args.plot.is_some()),
        ("--json", args.json),
    ])?;
    Ok(args.engine.start(&args.input)?.partition_file(
        &file.to_string_lossy(),
        args.input.target.as_deref(),
        name,
        given,
        args.out.as_deref(),
    )?)
}

#[cfg(not(feature = "datafusion"))]
pub fn partition(_: &PartitionArgs, _: &Path, _: &str, _: &[(String, Value)]) -> Result<Counts, BoxError> {
    Err(NOT_BUILT.into())
}

/// `imbalanced inspect --engine datafusion`: rows, features and classes.
#[cfg(feature = "datafusion")]
pub fn inspect(args: &InspectArgs) -> Result<(), BoxError> {
    refuse(&[
        ("--plot", args.plot.is_some()),
        ("--focal", args.focal),
        ("--synthetic", args.synthetic.is_some()),
    ])?;
    let report = args
        .engine
        .start(&args.input)?
        .inspect(&args.file.to_string_lossy(), args.input.target.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!("{}", report.summary());
    let (header, rows) = report.table();
    crate::print_table(header, rows);
    Ok(())
}

#[cfg(not(feature = "datafusion"))]
pub fn inspect(_: &InspectArgs) -> Result<(), BoxError> {
    Err(NOT_BUILT.into())
}

/// `imbalanced evaluate --engine datafusion`: cross-validation on the
/// engine's folds.
#[cfg(feature = "datafusion")]
pub fn evaluate(
    args: &EvaluateArgs,
    name: &str,
    opts: &imbalanced::eval::EvaluateOptions,
) -> Result<imbalanced::eval::Evaluation, BoxError> {
    refuse(&[
        ("--report", args.cv.report.is_some()),
        ("--losses", !args.cv.losses.is_empty()),
        ("--shuffle", args.cv.shuffle),
        ("--rng numpy", args.cv.rng != imbalanced::resample::RngKind::Default),
    ])?;
    let methods =
        imbalanced::eval::Method::list_configured(args.cv.methods.as_deref(), &[], args.cv.seed, args.cv.rng)?;
    let input = args.file.to_string_lossy();
    let job = imbalanced_datafusion::EvaluateJob {
        input: &input,
        target: args.input.target.as_deref(),
        name,
        methods: &methods,
        opts,
    };
    let bar = crate::evaluate::progress_bar(methods.len() * opts.n_splits);
    let result = args.engine.start(&args.input)?.evaluate_file(&job, &|| bar.inc(1));
    bar.finish_and_clear();
    Ok(result?)
}

#[cfg(not(feature = "datafusion"))]
pub fn evaluate(
    _: &EvaluateArgs,
    _: &str,
    _: &imbalanced::eval::EvaluateOptions,
) -> Result<imbalanced::eval::Evaluation, BoxError> {
    Err(NOT_BUILT.into())
}

/// Each partition's rows of each class, as the engine counts them.
#[cfg(feature = "datafusion")]
pub type Counts = imbalanced_datafusion::PartitionCounts;

/// Each partition's rows of each class (a build without the engine has none).
#[cfg(not(feature = "datafusion"))]
pub struct Counts {
    pub classes: Vec<String>,
    pub counts: Vec<Vec<u64>>,
}

/// The first of `flags` given (name, whether given), as an error: the
/// command's options the engine does not take.
#[cfg(feature = "datafusion")]
fn refuse(flags: &[(&str, bool)]) -> Result<(), BoxError> {
    match flags.iter().find(|(_, g)| *g) {
        Some((flag, _)) => Err(format!("{flag} is not supported with --engine").into()),
        None => Ok(()),
    }
}
