//! `--engine datafusion`: the commands on Apache DataFusion, out of core
//! (`imbalanced-datafusion`), in a build with the `datafusion` feature.

use std::path::Path;

use imbalanced::catalog::Value;
use imbalanced::resample::ResampleSummary;

use crate::resample::ResampleArgs;

type BoxError = Box<dyn std::error::Error>;

/// `imbalanced resample --engine datafusion`.
#[cfg(feature = "datafusion")]
pub fn resample(
    args: &ResampleArgs,
    file: &Path,
    method: &str,
    params: &[(String, Value)],
    out: &Path,
) -> Result<ResampleSummary, BoxError> {
    use imbalanced_datafusion::{parse_size, Engine, EngineOptions, FileJob, Selection};
    refuse_reader_options(args)?;
    let mut opts = EngineOptions::default();
    if let Some(p) = args.partitions {
        opts.partitions = p;
    }
    opts.memory_limit = args
        .memory_limit
        .as_deref()
        .map(parse_size)
        .transpose()
        .map_err(|e| format!("--memory-limit {e}"))?;
    let engine = Engine::new(&opts)?;
    let input = file.to_string_lossy();
    let job = FileJob {
        input: &input,
        target: args.input.target.as_deref(),
        method,
        params,
        selection: if args.bernoulli {
            Selection::Bernoulli
        } else {
            Selection::Exact
        },
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
    Err(
        "--engine datafusion: this build of imbalanced has no DataFusion engine; build it with \
         `cargo build --release -p imbalanced-cli --features datafusion`"
            .into(),
    )
}

/// The reader's options that the DataFusion engine does not take.
#[cfg(feature = "datafusion")]
fn refuse_reader_options(args: &ResampleArgs) -> Result<(), BoxError> {
    let i = &args.input;
    let given = [
        ("--categorical", !i.categorical.is_empty()),
        ("--impute", i.impute),
        ("--drop", !i.drop.is_empty()),
        ("--keep", !i.keep.is_empty()),
        ("--delimiter", i.delimiter.is_some()),
        ("--no-header", i.no_header),
        ("--rng numpy", args.rng != imbalanced::resample::RngKind::Default),
    ];
    match given.iter().find(|(_, g)| *g) {
        Some((flag, _)) => Err(format!("{flag} is not supported with --engine datafusion").into()),
        None => Ok(()),
    }
}
