//! KernelSHAP for `imbalanced.explain.KernelExplainer`: on an engine
//! model's class probabilities without leaving Rust, or on any Python
//! function of rows, called back (under the GIL) from the rows' threads;
//! permutation importance of an engine model.

use std::sync::Mutex;

use imbalanced::explain::{kernel_explain, ExplainError, KernelShap, PermutationImportance};
use imbalanced::models::Predict;
use ndarray::{Array2, ArrayView2};
use numpy::{IntoPyArray, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::models::Model;
use crate::value_error;

/// SHAP values of the rows of `x` against the `background` rows by
/// KernelSHAP (`imbalanced::explain::KernelShap`): `model` is an engine
/// [`Model`] (its class probabilities) or a Python function from a 2-d
/// float64 array of rows to a 2-d float64 array of outputs. The base value
/// per output and the values `outputs x n x d`. An exception the function
/// raises is raised again as it was.
#[pyfunction]
#[pyo3(signature = (model, x, background, nsamples=None, seed=0))]
pub(crate) fn kernel_shap<'py>(
    py: Python<'py>,
    model: &Bound<'py, PyAny>,
    x: PyReadonlyArray2<'py, f64>,
    background: PyReadonlyArray2<'py, f64>,
    nsamples: Option<usize>,
    seed: u64,
) -> PyResult<(Vec<f64>, Bound<'py, PyArray3<f64>>)> {
    let settings = KernelShap { nsamples, seed };
    let (x, background) = (x.as_array(), background.as_array());
    let attributions = if let Ok(engine) = model.cast::<Model>() {
        let engine = engine.get();
        py.detach(|| kernel_explain(engine.fitted(), x, background, &settings))
            .map_err(value_error)?
    } else {
        let function: Py<PyAny> = model.clone().unbind();
        let raised: Mutex<Option<PyErr>> = Mutex::new(None);
        let call = |rows: ArrayView2<'_, f64>| -> Result<Array2<f64>, ExplainError> {
            Python::attach(|py| {
                let out = function.call1(py, (rows.to_owned().into_pyarray(py),))?;
                let out: PyReadonlyArray2<'_, f64> = out.extract(py)?;
                Ok(out.as_array().to_owned())
            })
            .map_err(|e: PyErr| {
                let message = e.to_string();
                if let Ok(mut first) = raised.lock() {
                    first.get_or_insert(e);
                }
                ExplainError::Input(message)
            })
        };
        match py.detach(|| settings.explain(&call, x, background)) {
            Ok(a) => a,
            Err(e) => return Err(raised.into_inner().ok().flatten().unwrap_or_else(|| value_error(e))),
        }
    };
    Ok((attributions.base_values, attributions.values.into_pyarray(py)))
}

/// scikit-learn's permutation importance of an engine [`Model`] on the rows
/// `x` and class codes `y` (`imbalanced::explain::PermutationImportance`),
/// every column's shuffles from `seed` (scikit-learn's draw from its
/// `random_state`, made by the caller): the baseline score and the score
/// drops, `n_features x n_repeats`.
#[pyfunction]
#[pyo3(signature = (model, x, y, scoring, n_repeats, max_samples, seed))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn permutation_importance<'py>(
    py: Python<'py>,
    model: PyRef<'py, Model>,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    scoring: &str,
    n_repeats: usize,
    max_samples: &str,
    seed: u32,
) -> PyResult<(f64, Bound<'py, PyArray2<f64>>)> {
    let fitted = model.fitted();
    let y = crate::class_codes(&y, Some(fitted.n_classes()))?;
    let settings = PermutationImportance {
        n_repeats,
        scoring: scoring.parse().map_err(value_error)?,
        max_samples: max_samples.parse().map_err(value_error)?,
        random_state: 0,
    };
    let x = x.as_array();
    let r = py
        .detach(|| {
            settings.compute_seeded(
                |rows| fitted.predict(rows).map_err(|e| ExplainError::Input(e.to_string())),
                x,
                &y,
                seed,
            )
        })
        .map_err(value_error)?;
    Ok((r.baseline, r.importances.into_pyarray(py)))
}
