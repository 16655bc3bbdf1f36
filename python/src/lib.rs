//! The Rust side of the `imbalanced` Python package: the engine's
//! samplers, metrics, losses and models on NumPy arrays. The Python layer
//! (`python/imbalanced`) holds the API glue (imbalanced-learn's and
//! scikit-learn's classes and signatures, validation, pandas); this crate
//! only converts arrays, releases the GIL and maps errors to `ValueError`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

mod metrics;
mod samplers;

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
    m.add_function(wrap_pyfunction!(metrics::label_sums, m)?)?;
    m.add_function(wrap_pyfunction!(metrics::macro_averaged_mean_absolute_error, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
