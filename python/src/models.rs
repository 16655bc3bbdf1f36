//! The engine's classifiers on NumPy arrays: fitted by name and parameters,
//! held as a [`Model`] that predicts and pickles through the library's
//! persistence (the JSON of a model file, checked when read back).

use imbalanced::data::Xy;
use imbalanced::models::{AnyClassifier, ClassAlignment, Fit, FittedModel, ModelError, Predict, ProportionSsl, MODELS};
use numpy::{IntoPyArray, PyArray2, PyArray3, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyTuple;

use crate::{class_codes, describe, given, on_threads, value_error, Described};

/// Every classifier of the catalogue.
#[pyfunction]
pub(crate) fn models() -> Vec<Described> {
    describe(&MODELS)
}

/// A fitted classifier of the engine.
#[pyclass(module = "imbalanced._native", frozen)]
pub(crate) struct Model {
    inner: FittedModel,
}

impl Model {
    /// The library's fitted model.
    pub(crate) fn fitted(&self) -> &FittedModel {
        &self.inner
    }
}

#[pymethods]
impl Model {
    /// Reads a model from its JSON (the library's model format), checking
    /// every shape and value before it may predict.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Model> {
        FittedModel::from_json(text)
            .map(|inner| Model { inner })
            .map_err(value_error)
    }

    /// The model as JSON (what [`Model::from_json`] reads).
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(value_error)
    }

    /// Class probabilities of the rows of `x` (`n x n_classes`).
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = x.as_array();
        let x = x.as_standard_layout();
        let proba = py.detach(|| self.inner.predict_proba(x.view())).map_err(value_error)?;
        Ok(proba.into_pyarray(py))
    }

    /// The scikit-learn class name of the fitted model.
    #[getter]
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    /// Exact SHAP values of the rows of `x` (`imbalanced::explain::explain`):
    /// the base value per output and the values `outputs x n x d`;
    /// `background` (the training rows) sets the linear models' mean, and
    /// with `interventional` the tree models' reference rows.
    #[pyo3(signature = (x, background, interventional=false))]
    fn shap_values<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        background: PyReadonlyArray2<'py, f64>,
        interventional: bool,
    ) -> PyResult<(Vec<f64>, Bound<'py, PyArray3<f64>>)> {
        let (x, background) = (x.as_array(), background.as_array());
        let a = py
            .detach(|| {
                if interventional {
                    imbalanced::explain::explain_interventional(&self.inner, x, background)
                } else {
                    imbalanced::explain::explain(&self.inner, x, background)
                }
            })
            .map_err(value_error)?;
        Ok((a.base_values, a.values.into_pyarray(py)))
    }

    /// The stability of the attributions of the rows of `x` under noise
    /// (`imbalanced::explain::Stability`): `y` their class codes,
    /// `output` the output each row's attributions are read for, `scale`
    /// each column's deviation, `groups` the one-hot column ranges (start,
    /// end) whose level flips with probability `flip`; the report as JSON.
    #[pyo3(signature = (x, background, y, n_classes, output, scale, noise, perturbations, weights, bootstrap, seed, groups, flip))]
    #[allow(clippy::too_many_arguments)]
    fn stability<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        background: PyReadonlyArray2<'py, f64>,
        y: PyReadonlyArray1<'py, i64>,
        n_classes: usize,
        output: PyReadonlyArray1<'py, i64>,
        scale: Vec<f64>,
        noise: f64,
        perturbations: usize,
        weights: &str,
        bootstrap: usize,
        seed: u64,
        groups: Vec<(usize, usize)>,
        flip: Option<f64>,
    ) -> PyResult<String> {
        use imbalanced::explain::{Columns, RankWeights, Stability};
        let weights = match weights {
            "harmonic" => RankWeights::Harmonic,
            "dcg" => RankWeights::Dcg,
            "uniform" => RankWeights::Uniform,
            other => return Err(value_error(format!("weights={other:?}: use harmonic, dcg or uniform"))),
        };
        let y = crate::class_codes(&y, Some(n_classes))?;
        let output = crate::class_codes(&output, None)?;
        let groups: Vec<std::ops::Range<usize>> = groups.into_iter().map(|(a, b)| a..b).collect();
        let settings = Stability {
            noise,
            flip,
            perturbations,
            weights,
            bootstrap,
            seed,
        };
        let (x, background) = (x.as_array(), background.as_array());
        let report = py
            .detach(|| {
                settings.run(
                    |batch| imbalanced::explain::explain(&self.inner, batch, background),
                    x,
                    (&y, n_classes),
                    &output,
                    &Columns {
                        scale: &scale,
                        categorical: &groups,
                    },
                )
            })
            .map_err(value_error)?;
        let rows: Vec<[f64; 5]> = report
            .rows
            .iter()
            .map(|r| [r.index, r.uniform_index, r.weighted_tau, r.rank_biased_overlap, r.top3])
            .collect();
        let mut json = report.to_json();
        json["rows"] = serde_json::json!(rows);
        Ok(json.to_string())
    }

    /// The boosting votes of the rows of `x` (`n x n_classes`), for a
    /// boosted model's `decision_function`; a `ValueError` for other models.
    fn votes<'py>(&self, py: Python<'py>, x: PyReadonlyArray2<'py, f64>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let x = x.as_array();
        let x = x.as_standard_layout();
        let votes = py
            .detach(|| self.inner.votes(x.view()))
            .ok_or_else(|| value_error(format!("{} has no boosting votes", self.inner.name())))?
            .map_err(value_error)?;
        Ok(votes.into_pyarray(py))
    }

    /// Impurity-based feature importances of a tree model (scikit-learn's
    /// `feature_importances_`); a `ValueError` for other models.
    fn feature_importances(&self) -> PyResult<Vec<f64>> {
        self.inner.feature_importances().ok_or_else(|| {
            value_error(format!(
                "{} has no impurity-based feature importances",
                self.inner.name()
            ))
        })
    }

    /// The out-of-bag accuracy and per-row probabilities (zeros for rows
    /// out of no member's bag) and how many rows those are, of a fit with
    /// `oob_score`; `None` otherwise.
    #[allow(clippy::type_complexity)]
    fn out_of_bag<'py>(&self, py: Python<'py>) -> Option<(f64, Bound<'py, PyArray2<f64>>, usize)> {
        self.inner
            .out_of_bag()
            .map(|o| (o.score, o.decision_function.clone().into_pyarray(py), o.unscored))
    }

    #[getter]
    fn n_features(&self) -> usize {
        self.inner.n_features()
    }

    #[getter]
    fn n_classes(&self) -> usize {
        self.inner.n_classes()
    }

    /// Pickles as its JSON, read back through [`Model::from_json`].
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyTuple>)> {
        let py = slf.py();
        let from_json = py.get_type::<Model>().getattr("from_json")?;
        let text = slf.get().to_json()?;
        Ok((from_json, PyTuple::new(py, [text])?))
    }
}

/// Fits classifier `name` (parameters as a JSON object, the catalogue's
/// names) on `x` with class codes `y` in `0..n_classes`, and per-row
/// `sample_weight` where given.
#[pyfunction]
#[pyo3(signature = (name, params, x, y, n_classes, n_jobs=None, sample_weight=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    py: Python<'_>,
    name: &str,
    params: &str,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    n_classes: usize,
    n_jobs: Option<i64>,
    sample_weight: Option<PyReadonlyArray1<'_, f64>>,
) -> PyResult<Model> {
    let weights = sample_weight.map(|w| w.as_array().to_vec());
    train(
        py,
        name,
        params,
        x,
        y,
        n_classes,
        n_jobs,
        |classifier, data| match &weights {
            None => classifier.fit_checked(data),
            Some(w) => classifier.fit_with_weights(data, w),
        },
    )
}

/// Fits `MLPClassifier` (parameters as a JSON object) semi-supervised:
/// the labelled rows `x` with class codes `y`, and the proportion loss of
/// `weight` (towards `proportions`, or the labelled shares; `stochastic`
/// for hypergeometric batch targets) on the rows `x_unlabelled`, with the
/// class-distribution alignment `(weight, temperature, proxy_temperature)`
/// where given (a temperature not given is the engine's default) (`imbalanced::models::ProportionSsl`).
#[pyfunction]
#[pyo3(signature = (params, x, y, n_classes, x_unlabelled, weight, proportions, stochastic, alignment, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_semi_supervised(
    py: Python<'_>,
    params: &str,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    n_classes: usize,
    x_unlabelled: PyReadonlyArray2<'_, f64>,
    weight: f64,
    proportions: Option<Vec<f64>>,
    stochastic: bool,
    alignment: Option<(f64, Option<f64>, Option<f64>)>,
    n_jobs: Option<i64>,
) -> PyResult<Model> {
    let ssl = ProportionSsl {
        weight,
        proportions,
        stochastic,
        alignment: alignment.map(|(weight, temperature, proxy_temperature)| {
            let default = ClassAlignment::default();
            ClassAlignment {
                weight,
                temperature: temperature.unwrap_or(default.temperature),
                proxy_temperature: proxy_temperature.unwrap_or(default.proxy_temperature),
            }
        }),
    };
    let xu = x_unlabelled.as_array();
    let xu = xu.as_standard_layout();
    train(
        py,
        "MLPClassifier",
        params,
        x,
        y,
        n_classes,
        n_jobs,
        |classifier, data| {
            let AnyClassifier::Mlp(mlp) = classifier else {
                return Err(ModelError::Parameter(
                    "only MLPClassifier trains semi-supervised".into(),
                ));
            };
            mlp.fit_semi_supervised(data.x(), data.y(), n_classes, xu.view(), &ssl, &mut |_| {})
                .map(FittedModel::Mlp)
        },
    )
}

/// Grows `model` to classifier `name`'s `n_estimators` (parameters as a
/// JSON object) on `x` with class codes `y`: scikit-learn's `warm_start`.
#[pyfunction]
#[pyo3(signature = (name, params, model, x, y, n_classes, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_more(
    py: Python<'_>,
    name: &str,
    params: &str,
    model: &Model,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    n_classes: usize,
    n_jobs: Option<i64>,
) -> PyResult<Model> {
    train(py, name, params, x, y, n_classes, n_jobs, |classifier, data| {
        classifier.fit_more(model.inner.clone(), data)
    })
}

/// Classifier `name` built from `params`, trained by `run` on `x` with
/// class codes `y` (checked) on `n_jobs` threads, the GIL released.
#[allow(clippy::too_many_arguments)]
fn train(
    py: Python<'_>,
    name: &str,
    params: &str,
    x: PyReadonlyArray2<'_, f64>,
    y: PyReadonlyArray1<'_, i64>,
    n_classes: usize,
    n_jobs: Option<i64>,
    run: impl FnOnce(&AnyClassifier, Xy<'_>) -> Result<FittedModel, ModelError> + Send,
) -> PyResult<Model> {
    let classifier: Box<AnyClassifier> = MODELS.build(name, &given(params)?, &[]).map_err(value_error)?;
    let codes = class_codes(&y, Some(n_classes))?;
    let x = x.as_array();
    let x = x.as_standard_layout();
    let data = Xy::new(x.view(), &codes, n_classes).map_err(value_error)?;
    let inner = on_threads(py, n_jobs, || run(&classifier, data))?.map_err(value_error)?;
    Ok(Model { inner })
}
