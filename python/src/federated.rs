//! The federated partitioners of the catalogue on NumPy arrays.

use imbalanced::data::take_rows;
use imbalanced::federated::{Column, LongTail, Rows, Simulation, PARTITIONERS};
use ndarray::{Array2, ArrayView2};
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{class_codes, describe, given, on_threads, value_error, Described};

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

/// A simulation's rounds (JSON), the final model's layers (each
/// `out x (in + 1)`, the last column the intercepts; the hidden layer
/// first) and the final prototypes (a row per class, NaN for a class no
/// client reported).
type Simulated<'py> = (
    String,
    Vec<Bound<'py, PyArray2<f64>>>,
    Option<Bound<'py, PyArray2<f64>>>,
);

/// A federated simulation (see `imbalanced_federated::Simulation`):
/// `settings` a JSON object of its fields (`rounds`, `strategy`: `{"name":
/// "fedprox", "proximal_mu": 0.1}`, `loss`, ...); each client's rows of `x`
/// (float64) and class codes `y` (0..n_classes) in `clients`; optionally
/// test rows and each client's share of them (`client_tests`, rows of
/// `x_test`).
#[pyfunction]
#[pyo3(signature = (settings, x, y, n_classes, clients, x_test=None, y_test=None, client_tests=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate<'py>(
    py: Python<'py>,
    settings: &str,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    n_classes: usize,
    clients: Vec<Vec<usize>>,
    x_test: Option<PyReadonlyArray2<'py, f64>>,
    y_test: Option<PyReadonlyArray1<'py, i64>>,
    client_tests: Option<Vec<Vec<usize>>>,
    n_jobs: Option<i64>,
) -> PyResult<Simulated<'py>> {
    let simulation: Simulation = serde_json::from_str(settings).map_err(value_error)?;
    let y = class_codes(&y, Some(n_classes))?;
    let x = x.as_array();
    let check = |rows: &[Vec<usize>], n: usize, what: &str| -> PyResult<()> {
        match rows.iter().flatten().find(|&&r| r >= n) {
            Some(r) => Err(value_error(format!("{what} row {r} of {n} rows"))),
            None => Ok(()),
        }
    };
    if x.nrows() != y.len() {
        return Err(value_error(format!("{} rows and {} labels", x.nrows(), y.len())));
    }
    check(&clients, y.len(), "client")?;
    let split = |x: ArrayView2<'_, f64>, y: &[usize], parts: &[Vec<usize>]| -> Vec<(Array2<f64>, Vec<usize>)> {
        parts
            .iter()
            .map(|p| (take_rows(x, p), p.iter().map(|&i| y[i]).collect()))
            .collect()
    };
    let train = split(x, &y, &clients);
    let test = match (&x_test, &y_test) {
        (Some(xt), Some(yt)) => Some((xt.as_array(), class_codes(yt, Some(n_classes))?)),
        (None, None) => None,
        _ => return Err(value_error("give both x_test and y_test, or neither")),
    };
    if let Some((xt, yt)) = &test {
        if xt.nrows() != yt.len() || xt.ncols() != x.ncols() {
            return Err(value_error("x_test must have one row per y_test label and x's columns"));
        }
    }
    let tests = match (&test, &client_tests) {
        (Some((xt, yt)), Some(parts)) => {
            check(parts, yt.len(), "client test")?;
            Some(split(*xt, yt, parts))
        }
        (None, Some(_)) => return Err(value_error("client_tests need x_test and y_test")),
        _ => None,
    };
    let history = on_threads(py, n_jobs, || {
        let views: Vec<Rows<'_>> = train.iter().map(|(x, y)| Rows { x: x.view(), y }).collect();
        let test_view = test.as_ref().map(|(x, y)| Rows { x: x.view(), y });
        let test_views: Option<Vec<Rows<'_>>> = tests
            .as_ref()
            .map(|t| t.iter().map(|(x, y)| Rows { x: x.view(), y }).collect());
        simulation.run(&views, n_classes, test_view, test_views.as_deref())
    })?
    .map_err(value_error)?;
    let rounds = serde_json::to_string(&history.rounds).map_err(value_error)?;
    let model = &history.model;
    let layers = model
        .hidden_layer()
        .into_iter()
        .chain([model.output_layer()])
        .map(|l| l.to_owned().into_pyarray(py))
        .collect();
    let prototypes = history.prototypes.map(|p| {
        let mut means = p.means;
        for (mut row, present) in means.rows_mut().into_iter().zip(p.present) {
            if !present {
                row.fill(f64::NAN);
            }
        }
        means.into_pyarray(py)
    });
    Ok((rounds, layers, prototypes))
}
