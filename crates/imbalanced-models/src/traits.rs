//! The two traits every classifier implements, in the manner of linfa:
//! parameters [`Fit`] into a fitted model, a fitted model [`Predict`]s.
//! Parameters and fitted models are different types, so a model cannot be
//! used before it is fitted and refitting never mutates a fitted one.

use imbalanced_data::Xy;
use ndarray::{Array2, ArrayView2};

use crate::ModelError;

/// Classifier parameters that can be fitted on rows `x` with class codes
/// `y` in `0..n_classes`.
pub trait Fit {
    /// The fitted model.
    type Fitted: Predict;
    /// Fits on checked rows whose values are known finite: the models'
    /// own code. Call [`Fit::fit_checked`] or [`Fit::fit`], which check.
    fn fit_finite(&self, data: Xy<'_>) -> Result<Self::Fitted, ModelError>;

    /// Fits on checked rows, scanning their values first only if no earlier
    /// step guaranteed them finite (rows of a `Dataset` are not scanned).
    fn fit_checked(&self, mut data: Xy<'_>) -> Result<Self::Fitted, ModelError> {
        data.require_finite()?;
        self.fit_finite(data)
    }

    /// Fits on `x` (`n x d`, finite) and `y` (`n` codes below `n_classes`),
    /// checking both.
    fn fit(&self, x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<Self::Fitted, ModelError> {
        self.fit_finite(Xy::new(x, y, n_classes)?)
    }
}

/// A classifier whose fitted type is not known where it is fitted (one
/// named in a parameter): [`Fit`] with the fitted model boxed.
pub trait FitBoxed: Send + Sync {
    /// [`Fit::fit_checked`], boxed.
    fn fit_boxed(&self, data: Xy<'_>) -> Result<Box<dyn Predict>, ModelError>;
}

impl<T: Fit + Send + Sync> FitBoxed for T
where
    T::Fitted: 'static,
{
    fn fit_boxed(&self, data: Xy<'_>) -> Result<Box<dyn Predict>, ModelError> {
        Ok(Box::new(self.fit_checked(data)?))
    }
}

/// A classifier that takes per-row sample weights (scikit-learn's
/// `fit(X, y, sample_weight)`); unit weights fit the model that no
/// weights fit.
pub trait FitWeighted: Fit {
    /// Fits on checked rows with `sample_weight`, one finite weight >= 0
    /// per row, not all 0 (see [`check_sample_weight`]).
    fn fit_with_weights(&self, data: Xy<'_>, sample_weight: &[f64]) -> Result<Self::Fitted, ModelError>;
}

/// The checks of [`FitWeighted`]'s weights, for `n` rows.
pub fn check_sample_weight(sample_weight: &[f64], n: usize) -> Result<(), ModelError> {
    if sample_weight.len() != n {
        return Err(ModelError::Parameter(format!(
            "{} sample weights for {n} rows: give one per row",
            sample_weight.len()
        )));
    }
    if let Some(bad) = sample_weight.iter().find(|w| !(w.is_finite() && **w >= 0.0)) {
        return Err(ModelError::Parameter(format!(
            "sample weight {bad}: weights must be finite and >= 0"
        )));
    }
    if sample_weight.iter().sum::<f64>() <= 0.0 {
        return Err(ModelError::Parameter(
            "every sample weight is 0: give some row a positive weight".into(),
        ));
    }
    Ok(())
}

/// An ensemble that can grow (scikit-learn's `warm_start`): fits the
/// members `fitted` lacks up to the parameters' `n_estimators` and keeps
/// its own. Members are seeded as a fit from scratch seeds them, so `n`
/// members and then `m` more are the `n + m` of one fit.
pub trait WarmStart: Fit {
    fn fit_more(&self, fitted: Self::Fitted, data: Xy<'_>) -> Result<Self::Fitted, ModelError>;
}

/// The members a warm start adds to `fitted`, an ensemble of `have`
/// members: their range in the seeds of `n_estimators`, or the error
/// scikit-learn gives.
pub fn more_members(
    fitted: &impl Predict,
    have: usize,
    n_estimators: usize,
    data: &Xy<'_>,
) -> Result<std::ops::Range<usize>, ModelError> {
    if (fitted.n_features(), fitted.n_classes()) != (data.x().ncols(), data.n_classes()) {
        return Err(ModelError::Parameter(format!(
            "warm start: the ensemble was fitted on {} features and {} classes, the data has {} and {}: \
             fit it from scratch",
            fitted.n_features(),
            fitted.n_classes(),
            data.x().ncols(),
            data.n_classes()
        )));
    }
    if have > n_estimators {
        return Err(ModelError::Parameter(format!(
            "n_estimators={n_estimators} must be larger or equal to the {have} members fitted when warm starting"
        )));
    }
    Ok(have..n_estimators)
}

/// A fitted classifier.
pub trait Predict: Send + Sync {
    /// Number of classes (columns of [`Predict::predict_proba`]).
    fn n_classes(&self) -> usize;
    /// Number of features the model was fitted on.
    fn n_features(&self) -> usize;
    /// Class probabilities, `n x n_classes`; rows sum to 1. Errors on a
    /// wrong number of columns or non-finite values.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError>;
    /// The most probable class of each row (the lowest code among ties, as
    /// scikit-learn's `argmax`).
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, ModelError> {
        Ok(argmax_rows(self.predict_proba(x)?.view()))
    }
}

impl<P: Predict + ?Sized> Predict for Box<P> {
    fn n_classes(&self) -> usize {
        (**self).n_classes()
    }
    fn n_features(&self) -> usize {
        (**self).n_features()
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        (**self).predict_proba(x)
    }
    fn predict(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, ModelError> {
        (**self).predict(x)
    }
}

/// The mean of the members' class probabilities (a forest's, a bagging
/// ensemble's): `n x n_classes`, each member's input checks included.
pub fn mean_proba<P: Predict>(
    members: &[P],
    x: ArrayView2<'_, f64>,
    n_classes: usize,
) -> Result<Array2<f64>, ModelError> {
    let mut sum = Array2::zeros((x.nrows(), n_classes));
    for m in members {
        sum += &m.predict_proba(x)?;
    }
    Ok(sum / members.len() as f64)
}

/// Index of the first maximum of each row.
pub fn argmax_rows(p: ArrayView2<'_, f64>) -> Vec<usize> {
    p.rows()
        .into_iter()
        .map(|r| {
            r.iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |best, (k, &v)| if v > best.1 { (k, v) } else { best },
                )
                .0
        })
        .collect()
}

/// The checks of every `predict_proba`: the fitted width and finite values.
pub(crate) fn check_predict_input(x: ArrayView2<'_, f64>, n_features: usize) -> Result<(), ModelError> {
    if x.ncols() != n_features {
        return Err(ModelError::FeatureMismatch {
            got: x.ncols(),
            fitted: n_features,
        });
    }
    if let Some(((row, column), value)) = imbalanced_data::first_non_finite(x.view()) {
        return Err(ModelError::NonFinite { row, column, value });
    }
    Ok(())
}
