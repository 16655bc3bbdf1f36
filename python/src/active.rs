//! Active learning's query strategies and loop on NumPy arrays.

use imbalanced::active::{gradient_embeddings as embed, ActiveLearning, Pool, QueryStrategy};
use imbalanced::random::Generator;
use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{class_codes, value_error};

/// The rows of the unlabelled pool (`features`, `proba`) that `strategy`
/// (a `QueryStrategy` name) queries with `budget`, given the labelled rows
/// (`labelled_features`, class codes `labelled_y` below `proba`'s columns)
/// and optionally BADGE's gradient embeddings of both; `seed` seeds
/// NumPy's `default_rng` for the strategies that draw.
#[pyfunction]
#[pyo3(signature = (strategy, features, proba, labelled_features, labelled_y, budget, seed, gradients=None, labelled_gradients=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn query<'py>(
    py: Python<'py>,
    strategy: &str,
    features: PyReadonlyArray2<'py, f64>,
    proba: PyReadonlyArray2<'py, f64>,
    labelled_features: PyReadonlyArray2<'py, f64>,
    labelled_y: PyReadonlyArray1<'py, i64>,
    budget: usize,
    seed: u64,
    gradients: Option<PyReadonlyArray2<'py, f64>>,
    labelled_gradients: Option<PyReadonlyArray2<'py, f64>>,
) -> PyResult<Vec<usize>> {
    let strategy: QueryStrategy = strategy.parse().map_err(value_error)?;
    let labelled_y = class_codes(&labelled_y, Some(proba.as_array().ncols()))?;
    let gradients = match (&gradients, &labelled_gradients) {
        (Some(g), Some(l)) => Some((g.as_array(), l.as_array())),
        (None, None) => None,
        _ => {
            return Err(value_error(
                "give the gradients of both the pool and the labelled rows, or neither",
            ))
        }
    };
    let pool = Pool {
        proba: proba.as_array(),
        features: features.as_array(),
        labelled_features: labelled_features.as_array(),
        labelled_y: &labelled_y,
        gradients,
    };
    py.detach(|| strategy.query(&pool, budget, &mut Generator::new(u128::from(seed))))
        .map_err(value_error)
}

/// BADGE's gradient embeddings `(onehot(t) - p) ⊗ h`, `t` the class codes
/// `labels` or (without) the predicted classes.
#[pyfunction]
#[pyo3(signature = (proba, features, labels=None))]
pub(crate) fn gradient_embeddings<'py>(
    py: Python<'py>,
    proba: PyReadonlyArray2<'py, f64>,
    features: PyReadonlyArray2<'py, f64>,
    labels: Option<PyReadonlyArray1<'py, i64>>,
) -> PyResult<Bound<'py, PyArray2<f64>>> {
    let (proba, features) = (proba.as_array(), features.as_array());
    if proba.nrows() != features.nrows() {
        return Err(value_error("proba and X must have the same rows"));
    }
    let labels = labels.map(|l| class_codes(&l, Some(proba.ncols()))).transpose()?;
    if labels.as_ref().is_some_and(|l| l.len() != proba.nrows()) {
        return Err(value_error("y must have one label per row of proba"));
    }
    Ok(embed(proba, features, labels.as_deref()).into_pyarray(py))
}

/// The active-learning loop (`settings`: `ActiveLearning`'s fields as
/// JSON) on the pool `x` (class codes `y`), scored on the test rows;
/// federated when `clients` (each client's rows of `x`) are given, with
/// client fairness on `client_tests` (rows of `x_test`). The learning curve
/// as JSON.
#[pyfunction]
#[pyo3(signature = (settings, x, y, n_classes, x_test, y_test, clients=None, client_tests=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn learning_curve<'py>(
    py: Python<'py>,
    settings: &str,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    n_classes: usize,
    x_test: PyReadonlyArray2<'py, f64>,
    y_test: PyReadonlyArray1<'py, i64>,
    clients: Option<Vec<Vec<usize>>>,
    client_tests: Option<Vec<Vec<usize>>>,
) -> PyResult<String> {
    let settings: ActiveLearning = serde_json::from_str(settings).map_err(value_error)?;
    let y = class_codes(&y, Some(n_classes))?;
    let y_test = class_codes(&y_test, Some(n_classes))?;
    let (x, x_test) = (x.as_array(), x_test.as_array());
    let clients = clients.unwrap_or_else(|| vec![(0..y.len()).collect()]);
    let curve = py
        .detach(|| settings.run_federated(x, &y, n_classes, &clients, (x_test, &y_test), client_tests.as_deref()))
        .map_err(value_error)?;
    serde_json::to_string(&curve).map_err(value_error)
}
