//! The loss library on NumPy arrays: every loss of the catalogue as a value
//! and its gradient with respect to the logits, and the focal-entropy tools.

use imbalanced::losses::{self as loss_lib, LOSSES, MULTILABEL};
use ndarray::Array2;
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{class_codes, describe, given, value_error, Described};

/// Every loss of the catalogue, whether it also takes multi-label targets,
/// and whether it follows a schedule over the epochs (LDAM-DRW).
#[pyfunction]
pub(crate) fn losses() -> PyResult<Vec<(Described, bool, bool)>> {
    describe(&LOSSES)
        .into_iter()
        .zip(LOSSES.entries)
        .map(|(d, entry)| {
            let multilabel = MULTILABEL.contains(&d.0.as_str());
            let scheduled = entry.build(entry.defaults()).map_err(value_error)?.settles_at(100) > 0;
            Ok((d, multilabel, scheduled))
        })
        .collect()
}

/// The batch objective of loss `name` (parameters as a JSON object) on
/// `logits` (n x C) and its gradient: class codes `y` (single-label) or
/// 0/1 `targets` (n x C, multi-label losses). The losses that depend on the
/// class frequencies take them from `class_counts` (positives per label for
/// multi-label targets, among `n_rows`), by default those of the batch.
/// `epoch` of `epochs` drives the scheduled losses (LDAM-DRW).
#[pyfunction]
#[pyo3(signature = (name, params, logits, y=None, targets=None, class_counts=None, n_rows=None, epoch=0, epochs=1))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn loss<'py>(
    py: Python<'py>,
    name: &str,
    params: &str,
    logits: PyReadonlyArray2<'py, f64>,
    y: Option<PyReadonlyArray1<'py, i64>>,
    targets: Option<PyReadonlyArray2<'py, f64>>,
    class_counts: Option<Vec<f64>>,
    n_rows: Option<f64>,
    epoch: usize,
    epochs: usize,
) -> PyResult<(f64, Bound<'py, PyArray2<f64>>)> {
    let entry = LOSSES.find(name).map_err(value_error)?;
    let factory = entry.build_with(&given(params)?, &[]).map_err(value_error)?;
    let logits = logits.as_array();
    let logits = logits.as_standard_layout();
    let (value, grad): (f64, Array2<f64>) = match (y, targets) {
        (Some(y), None) => {
            let codes = class_codes(&y, None)?;
            let counts = class_counts.unwrap_or_else(|| {
                let mut counts = vec![0.0; logits.ncols()];
                for &c in &codes {
                    // A code out of range is the loss's error to report.
                    if let Some(n) = counts.get_mut(c) {
                        *n += 1.0;
                    }
                }
                counts
            });
            py.detach(|| factory.build(&counts, epoch, epochs)?.batch_loss(logits.view(), &codes))
                .map_err(value_error)?
        }
        (None, Some(targets)) => {
            let targets = targets.as_array();
            let positives = class_counts.unwrap_or_else(|| targets.sum_axis(ndarray::Axis(0)).to_vec());
            let n = n_rows.unwrap_or(targets.nrows() as f64);
            py.detach(|| {
                factory
                    .build_multilabel(&positives, n, epoch, epochs)
                    .map(|built| built?.batch_loss(logits.view(), targets))
            })
            .ok_or_else(|| {
                value_error(format!(
                    "{} takes class labels, not a multi-label target matrix; the multi-label losses are {}",
                    entry.info.name,
                    MULTILABEL.join(", ")
                ))
            })?
            .map_err(value_error)?
        }
        _ => return Err(value_error("give either class codes y or a target matrix, not both")),
    };
    Ok((value, grad.into_pyarray(py)))
}

/// `h(q)` of the focal entropy, elementwise.
#[pyfunction]
pub(crate) fn focal_h<'py>(py: Python<'py>, q: PyReadonlyArray1<'py, f64>, gamma: f64) -> Bound<'py, PyArray1<f64>> {
    q.as_array().mapv(|v| loss_lib::focal_h(v, gamma)).into_pyarray(py)
}

/// A focal-entropy minimiser: `(mu, q, suppressed, over_suppressed)`.
type Minimiser = (f64, Vec<f64>, Vec<usize>, Vec<usize>);

/// The focal-entropy minimiser of `p`.
#[pyfunction]
pub(crate) fn focal_minimiser(p: Vec<f64>, gamma: f64) -> PyResult<Minimiser> {
    let m = loss_lib::focal_minimiser(&p, gamma).map_err(value_error)?;
    Ok((m.mu, m.q, m.suppressed, m.over_suppressed))
}

/// Each row of `q` (a focal-trained model's probabilities) mapped back to
/// calibrated probabilities.
#[pyfunction]
pub(crate) fn focal_calibrate<'py>(
    py: Python<'py>,
    q: PyReadonlyArray2<'py, f64>,
    gamma: f64,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let q = q.as_array();
    let mut out = Array2::zeros(q.raw_dim());
    for (row, mut o) in q.rows().into_iter().zip(out.rows_mut()) {
        let p = loss_lib::focal_calibrate(&row.to_vec(), gamma).map_err(value_error)?;
        o.assign(&ndarray::ArrayView1::from(&p));
    }
    Ok(out.into_pyarray(py))
}

/// The largest focusing parameter of the grid `0, step, ..., max` that
/// over-suppresses no class of `p`.
#[pyfunction]
pub(crate) fn advise_gamma(p: Vec<f64>, max: f64, step: f64) -> PyResult<f64> {
    loss_lib::advise_gamma(&p, max, step).map_err(value_error)
}
