//! The Rust side of the `imbalanced` Python package: the samplers of the
//! catalogue on NumPy arrays. The Python layer (`python/imbalanced`) holds
//! the API glue (imbalanced-learn's classes, validation, pandas); this
//! module only converts arrays, releases the GIL and maps errors to
//! `ValueError`.

use imbalanced::catalog::Value;
use imbalanced::resample::SAMPLERS;
use ndarray::Array1;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

/// A parameter as the Python layer reads it: name, doc line, default (JSON).
type ParamRow = (String, String, String);

/// Every sampler of the catalogue: name, kind, summary, parameters.
#[pyfunction]
fn samplers() -> Vec<(String, String, String, Vec<ParamRow>)> {
    SAMPLERS
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

fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// Runs `work` on `n_jobs` threads (None or -1: all cores), without the GIL.
fn on_threads<T: Send>(py: Python<'_>, n_jobs: Option<i64>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
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

/// The resampled rows, their class codes, and the input row each comes
/// from (-1 for a synthetic row).
type ResampledArrays<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
);

/// Resamples `x` (float64, any layout) with class codes `y` (0..len(labels));
/// `labels[c]` is the label of code `c`, which label-keyed strategies name.
/// `params` is a JSON object of the sampler's parameters, with
/// imbalanced-learn's names and values.
#[pyfunction]
#[pyo3(signature = (name, params, x, y, labels, n_jobs=None))]
fn fit_resample<'py>(
    py: Python<'py>,
    name: &str,
    params: &str,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    labels: Vec<String>,
    n_jobs: Option<i64>,
) -> PyResult<ResampledArrays<'py>> {
    let given: Vec<(String, Value)> = match serde_json::from_str(params).map_err(value_error)? {
        Value::Object(map) => map.into_iter().collect(),
        other => return Err(value_error(format!("parameters must be a JSON object, not {other}"))),
    };
    let sampler = SAMPLERS.build(name, &given, &[]).map_err(value_error)?;
    let codes = y
        .as_array()
        .iter()
        .map(|&c| usize::try_from(c).ok().filter(|&c| c < labels.len()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| value_error("class codes must lie in 0..number of labels"))?;
    let x = x.as_array().as_standard_layout().into_owned();
    let out =
        on_threads(py, n_jobs, || sampler.fit_resample_labelled(x.view(), &codes, &labels))?.map_err(value_error)?;
    let y = out.y.iter().map(|&c| c as i64).collect::<Array1<i64>>();
    let origin = out
        .origin
        .iter()
        .map(|o| o.map_or(-1, |i| i as i64))
        .collect::<Array1<i64>>();
    Ok((out.x.into_pyarray(py), y.into_pyarray(py), origin.into_pyarray(py)))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(samplers, m)?)?;
    m.add_function(wrap_pyfunction!(fit_resample, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
