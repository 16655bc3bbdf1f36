//! The federated partitioners of the catalogue on NumPy arrays.

use imbalanced::federated::{Column, LongTail, PARTITIONERS};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::{class_codes, describe, given, value_error, Described};

/// Every partitioner of the catalogue: name, kind, summary, parameters.
#[pyfunction]
pub(crate) fn partitioners() -> Vec<Described> {
    describe(&PARTITIONERS)
}

/// The rows of each partition of partitioner `name` (flwr-datasets' class
/// name) with `params` (a JSON object, flwr-datasets' names), splitting a
/// column given as `codes` into its `n_values` sorted distinct values.
#[pyfunction]
pub(crate) fn partition(
    py: Python<'_>,
    name: &str,
    params: &str,
    codes: PyReadonlyArray1<'_, i64>,
    n_values: usize,
) -> PyResult<Vec<Vec<usize>>> {
    let given = given(params)?;
    let partitioner = PARTITIONERS
        .find(name)
        .and_then(|e| e.build_with(&given, &[]))
        .map_err(value_error)?;
    let codes = class_codes(&codes, Some(n_values))?;
    py.detach(|| {
        let column = Column::new(&codes, n_values).map_err(value_error)?;
        partitioner.partition(column).map_err(value_error)
    })
}

/// The rows (increasing) of a long-tailed subsample of rows with class
/// codes `codes` (0..n_classes): `profile` "exponential" or "step", the
/// first class's rows over the last's `imbalance_ratio`.
#[pyfunction]
pub(crate) fn long_tail(
    codes: PyReadonlyArray1<'_, i64>,
    n_classes: usize,
    profile: &str,
    imbalance_ratio: f64,
    seed: u64,
) -> PyResult<Vec<usize>> {
    let codes = class_codes(&codes, Some(n_classes))?;
    let tail = LongTail {
        profile: profile.parse().map_err(value_error)?,
        imbalance_ratio,
        seed,
    };
    tail.rows(Column::new(&codes, n_classes).map_err(value_error)?)
        .map_err(value_error)
}
