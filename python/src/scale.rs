//! `imbalanced.scale`: the DataFusion engine (`imbalanced-datafusion`) on
//! files, folders and globs, in a build with the `datafusion` feature. Each
//! call starts an engine, runs without the GIL, and returns its report as
//! JSON for the Python layer to read.

use std::path::PathBuf;

use imbalanced_datafusion::{Engine, EngineOptions, Execution, FileJob};
use pyo3::prelude::*;

use crate::{given, value_error};

/// How an engine runs, as Python gives it: partitions (None: the cores) and
/// a memory limit (a size such as "2G"; None: no limit).
type Settings = (Option<usize>, Option<String>);

/// An engine with `settings`.
fn engine((partitions, memory_limit): Settings) -> PyResult<Engine> {
    let defaults = EngineOptions::default();
    let opts = EngineOptions {
        partitions: partitions.unwrap_or(defaults.partitions),
        memory_limit: memory_limit
            .as_deref()
            .map(imbalanced::data::parse_size)
            .transpose()
            .map_err(|e| value_error(format!("memory_limit {e}")))?,
        ..defaults
    };
    Engine::new(&opts).map_err(value_error)
}

/// What `work` reports, run on an engine with `settings` without the GIL,
/// as JSON for the Python layer.
fn report<T: serde::Serialize>(
    py: Python<'_>,
    settings: Settings,
    work: impl FnOnce(&Engine) -> imbalanced_datafusion::Result<T> + Send,
) -> PyResult<String> {
    py.detach(|| {
        let out = work(&engine(settings)?).map_err(value_error)?;
        serde_json::to_string(&out).map_err(value_error)
    })
}

/// Rows, features, class counts and imbalance ratio of `source`, as JSON.
#[pyfunction]
#[pyo3(signature = (source, target, settings))]
pub(crate) fn scale_inspect(
    py: Python<'_>,
    source: &str,
    target: Option<&str>,
    settings: Settings,
) -> PyResult<String> {
    report(py, settings, |e| e.inspect(source, target))
}

/// `sampler` (a name of the catalogue the engine runs, and its parameters
/// as a JSON object) on `source`, run `how` (the seed, RandomUnderSampler's
/// one-pass Bernoulli selection, SMOTE's buckets), written to `out`; the
/// summary as JSON.
#[pyfunction]
#[pyo3(signature = (source, target, sampler, how, out, settings))]
pub(crate) fn scale_resample(
    py: Python<'_>,
    source: &str,
    target: Option<&str>,
    sampler: (String, String),
    how: (u64, bool, usize),
    out: PathBuf,
    settings: Settings,
) -> PyResult<String> {
    let (method, params) = sampler;
    let params = given(&params)?;
    let (seed, bernoulli, buckets) = how;
    report(py, settings, |e| {
        let job = FileJob {
            input: source,
            target,
            method: &method,
            params: &params,
            how: Execution::new(bernoulli, buckets),
            seed,
            out: &out,
        };
        e.resample_file(&job)
    })
}

/// `n_splits` stratified folds of `source` (seeded), written with their
/// `fold` column to `out` where given; each fold's class counts as JSON.
#[pyfunction]
#[pyo3(signature = (source, target, n_splits, seed, out, settings))]
pub(crate) fn scale_folds(
    py: Python<'_>,
    source: &str,
    target: Option<&str>,
    n_splits: usize,
    seed: u64,
    out: Option<PathBuf>,
    settings: Settings,
) -> PyResult<String> {
    report(py, settings, |e| {
        e.folds_file(source, target, n_splits, seed, out.as_deref())
    })
}

/// Federated partitions of `source` by partitioner `name` with `params`
/// (a JSON object, flwr-datasets' names), written with their `partition`
/// column to `out` where given; each partition's class counts as JSON.
#[pyfunction]
#[pyo3(signature = (source, target, name, params, out, settings))]
pub(crate) fn scale_partition(
    py: Python<'_>,
    source: &str,
    target: Option<&str>,
    name: &str,
    params: &str,
    out: Option<PathBuf>,
    settings: Settings,
) -> PyResult<String> {
    let params = given(params)?;
    report(py, settings, |e| {
        e.partition_file(source, target, name, &params, out.as_deref())
    })
}

/// Stratified cross-validation of `methods` (`none`, `balanced`, or a
/// sampler the engine runs, parameters as `NAME:key=value`) with the
/// classifier `model` (a name of the catalogue and its parameters as a
/// JSON object) on `source`, in `n_splits` of the engine's folds seeded
/// with `seed`; the results as JSON (`imbalanced evaluate --json`'s, the
/// dataset called by the source's `name`).
#[pyfunction]
#[pyo3(signature = (source, target, methods, model, cv, settings))]
pub(crate) fn scale_evaluate(
    py: Python<'_>,
    source: (String, String),
    target: Option<&str>,
    methods: Vec<String>,
    model: (String, String),
    cv: (usize, u64, bool),
    settings: Settings,
) -> PyResult<String> {
    use imbalanced::eval::{EvaluateOptions, Method};
    use imbalanced::models::MODELS;
    let (n_splits, seed, scale) = cv;
    let (path, name) = source;
    let model = MODELS
        .build(&model.0, &given(&model.1)?, &[("random_state", seed.into())])
        .map_err(value_error)?;
    let methods = Method::list_configured(Some(&methods), &[], seed, Default::default()).map_err(value_error)?;
    let opts = EvaluateOptions {
        model: *model,
        n_splits,
        n_repeats: 1,
        shuffle: false,
        seed,
        scale,
    };
    report(py, settings, |e| {
        let job = imbalanced_datafusion::EvaluateJob {
            input: &path,
            target,
            name: &name,
            methods: &methods,
            opts: &opts,
        };
        Ok(e.evaluate_file(&job, &|| {})?.to_json())
    })
}
