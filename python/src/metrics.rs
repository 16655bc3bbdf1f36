//! The counting kernels of `imbalanced.metrics`: the Python layer resolves
//! labels, `pos_label` and `average` as imbalanced-learn does, the sums over
//! the samples run here.

use imbalanced::scores::LabelSums;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::{class_codes, value_error};

/// Weighted true positives, predictions and support per label code:
/// `(tp_sum, pred_sum, true_sum)` as scikit-learn's bincounts.
#[pyfunction]
#[pyo3(signature = (y_true, y_pred, n_labels, sample_weight=None))]
#[allow(clippy::type_complexity)]
pub(crate) fn label_sums<'py>(
    py: Python<'py>,
    y_true: PyReadonlyArray1<'py, i64>,
    y_pred: PyReadonlyArray1<'py, i64>,
    n_labels: usize,
    sample_weight: Option<PyReadonlyArray1<'py, f64>>,
) -> PyResult<(
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
)> {
    let (t, p) = (class_codes(&y_true, None)?, class_codes(&y_pred, None)?);
    let weights = sample_weight.as_ref().map(|w| w.as_array().to_vec());
    let sums = py
        .detach(|| LabelSums::new(&t, &p, n_labels, weights.as_deref()))
        .map_err(value_error)?;
    Ok((
        sums.tp.into_pyarray(py),
        sums.pred.into_pyarray(py),
        sums.truth.into_pyarray(py),
    ))
}

/// imbalanced-learn's `macro_averaged_mean_absolute_error` on numeric labels.
#[pyfunction]
#[pyo3(signature = (y_true, y_pred, sample_weight=None))]
pub(crate) fn macro_averaged_mean_absolute_error(
    py: Python<'_>,
    y_true: PyReadonlyArray1<'_, f64>,
    y_pred: PyReadonlyArray1<'_, f64>,
    sample_weight: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<f64> {
    let (t, p) = (y_true.as_array().to_vec(), y_pred.as_array().to_vec());
    let weights = sample_weight.as_ref().map(|w| w.as_array().to_vec());
    py.detach(|| imbalanced::scores::macro_averaged_mean_absolute_error(&t, &p, weights.as_deref()))
        .map_err(value_error)
}
