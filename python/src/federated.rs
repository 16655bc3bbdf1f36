//! The federated partitioners of the catalogue on NumPy arrays.

use imbalanced::federated::{Column, PARTITIONERS};
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
