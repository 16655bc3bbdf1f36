//! The Rust side of the `imbalanced` Python package: the engine's
//! samplers, metrics, losses, models, federated partitioners and active
//! learning on NumPy
//! arrays. The Python layer
//! (`python/imbalanced`) holds the API glue (imbalanced-learn's and
//! scikit-learn's classes and signatures, validation, pandas); this crate
//! only converts arrays, releases the GIL and maps errors to `ValueError`.

use imbalanced::catalog::{Catalog, Value};
use imbalanced::data::{Dataset, Feature, FeatureKind};
use ndarray::{Array2, ArrayView2};
use numpy::PyReadonlyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

mod active;
mod explain;
mod federated;
mod losses;
mod metrics;
mod models;
mod samplers;
#[cfg(feature = "datafusion")]
mod scale;

/// A parameter as the Python layer reads it: name, doc line, default (JSON).
type ParamRow = (String, String, String);

/// An estimator of a catalogue as the Python layer reads it: name, kind,
/// summary, parameters.
type Described = (String, String, String, Vec<ParamRow>);

/// Every entry of `catalog`, described from its one description.
fn describe<B: ?Sized>(catalog: &Catalog<B>) -> Vec<Described> {
    catalog
        .entries
        .iter()
        .map(|e| {
            let defaults = e.defaults();
            let params = e
                .params
                .iter()
                .map(|p| (p.name.to_string(), p.doc.to_string(), defaults[p.name].to_string()))
                .collect();
            (
                e.info.name.to_string(),
                e.info.kind.to_string(),
                e.info.summary.to_string(),
                params,
            )
        })
        .collect()
}

/// Parameters given as a JSON object, as the catalogue takes them.
pub(crate) fn given(params: &str) -> PyResult<Vec<(String, Value)>> {
    match serde_json::from_str(params).map_err(value_error)? {
        Value::Object(map) => Ok(map.into_iter().collect()),
        other => Err(value_error(format!("parameters must be a JSON object, not {other}"))),
    }
}

/// Class codes from Python's integers, each below `below` (the number of
/// classes or labels) when it is given.
pub(crate) fn class_codes(y: &PyReadonlyArray1<'_, i64>, below: Option<usize>) -> PyResult<Vec<usize>> {
    y.as_array()
        .iter()
        .map(|&c| {
            usize::try_from(c)
                .ok()
                .filter(|&c| below.is_none_or(|n| c < n))
                .ok_or_else(|| match below {
                    Some(n) => value_error(format!("class code {c} is not in 0..{n}")),
                    None => value_error(format!("class code {c} is negative")),
                })
        })
        .collect()
}

/// A `ValueError` carrying `e`'s message.
pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs `work` on `n_jobs` threads (None or -1: all cores), without the GIL.
pub(crate) fn on_threads<T: Send>(py: Python<'_>, n_jobs: Option<i64>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| match n_jobs {
        None | Some(-1) => Ok(work()),
        Some(n) if n >= 1 => rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build()
            .map(|pool| pool.install(work))
            .map_err(value_error),
        Some(n) => Err(value_error(format!(
            "n_jobs={n}: give a positive number of threads, or -1 / None for all cores"
        ))),
    })
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(samplers::samplers, m)?)?;
    m.add_function(wrap_pyfunction!(samplers::fit_resample, m)?)?;
    m.add_function(wrap_pyfunction!(samplers::fit_resample_integers, m)?)?;
    m.add_function(wrap_pyfunction!(samplers::association_test, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::label_sums, m)?)?;
    m.add_function(wrap_pyfunction!(losses::losses, m)?)?;
    m.add_function(wrap_pyfunction!(losses::loss, m)?)?;
    m.add_function(wrap_pyfunction!(losses::focal_h, m)?)?;
    m.add_function(wrap_pyfunction!(losses::focal_minimiser, m)?)?;
    m.add_function(wrap_pyfunction!(losses::focal_calibrate, m)?)?;
    m.add_function(wrap_pyfunction!(losses::advise_gamma, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::macro_averaged_mean_absolute_error, m)?)?;
    m.add_function(wrap_pyfunction!(models::models, m)?)?;
    m.add_function(wrap_pyfunction!(samplers::judges, m)?)?;
    m.add_function(wrap_pyfunction!(explain::kernel_shap, m)?)?;
    m.add_function(wrap_pyfunction!(explain::permutation_importance, m)?)?;
    m.add_function(wrap_pyfunction!(models::fit, m)?)?;
    m.add_function(wrap_pyfunction!(models::fit_more, m)?)?;
    m.add_function(wrap_pyfunction!(models::fit_semi_supervised, m)?)?;
    m.add_function(wrap_pyfunction!(federated::partitioners, m)?)?;
    m.add_function(wrap_pyfunction!(federated::partition, m)?)?;
    m.add_function(wrap_pyfunction!(federated::long_tail, m)?)?;
    m.add_function(wrap_pyfunction!(federated::simulate, m)?)?;
    m.add_function(wrap_pyfunction!(active::query, m)?)?;
    m.add_function(wrap_pyfunction!(active::gradient_embeddings, m)?)?;
    m.add_function(wrap_pyfunction!(active::learning_curve, m)?)?;
    m.add_class::<models::Model>()?;
    #[cfg(feature = "datafusion")]
    {
        m.add_function(wrap_pyfunction!(scale::scale_inspect, m)?)?;
        m.add_function(wrap_pyfunction!(scale::scale_resample, m)?)?;
        m.add_function(wrap_pyfunction!(scale::scale_folds, m)?)?;
        m.add_function(wrap_pyfunction!(scale::scale_partition, m)?)?;
        m.add_function(wrap_pyfunction!(scale::scale_evaluate, m)?)?;
    }
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

/// A dataset of numeric columns `n0..`, categorical columns `c0..` (column
/// `j`'s categories named by their codes) and class codes.
pub(crate) fn mixed_dataset(
    num: ArrayView2<'_, f64>,
    cat: Array2<u32>,
    n_categories: &[usize],
    codes: &[usize],
    labels: &[String],
) -> Result<Dataset, imbalanced::data::DataError> {
    let (p, q) = (num.ncols(), cat.ncols());
    let feature = |name: String, kind, index| Feature { name, kind, index };
    let features = (0..p)
        .map(|j| feature(format!("n{j}"), FeatureKind::Numeric, j))
        .chain((0..q).map(|j| feature(format!("c{j}"), FeatureKind::Categorical, j)))
        .collect();
    let categories = n_categories
        .iter()
        .map(|&k| (0..k).map(|c| c.to_string()).collect())
        .collect();
    Dataset::from_parts(
        features,
        num.to_owned(),
        cat,
        categories,
        "y".into(),
        p + q,
        labels.to_vec(),
        codes.to_vec(),
    )
}
