//! L2-regularised logistic regression, as scikit-learn's
//! `LogisticRegression(solver="lbfgs")`: a single logistic model for two
//! classes, the multinomial (softmax) model for more.
//!
//! Objective (scikit-learn's, divided by the total sample weight `S`):
//! `(1/S) Σ_i s_i ℓ(y_i, W x_i + b) + ||W||² / (2 C S)`, where `ℓ` is the
//! log loss and the intercept `b` is not penalised.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::class_weight::ClassWeight;
use crate::optim::Lbfgs;
use crate::persist::{ensure, finite, Validate};
use crate::traits::{check_predict_input, Fit, Predict};
use crate::ModelError;

/// L2-regularised logistic regression (L-BFGS), scikit-learn's `LogisticRegression`.
///
/// Parameters. Defaults are scikit-learn's, except the tolerance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "LogisticRegression", kind = "classifier", aliases = ["logreg", "lr", "logistic"])]
pub struct LogisticRegression {
    /// Inverse regularisation strength. Default: 1.0.
    #[serde(rename = "C")]
    pub c: f64,
    /// Fit an (unpenalised) intercept. Default: `true`.
    pub fit_intercept: bool,
    /// Per-class multipliers of the sample weights: `null` (uniform), `balanced` (`n / (n_classes *
    /// count)`) or a list, one weight per class in label order. Default: `null`.
    pub class_weight: ClassWeight,
    /// L-BFGS iterations at most. Default: 1000 (scikit-learn: 100; running out is reported, not warned).
    pub max_iter: usize,
    /// Largest gradient component of the scaled objective at the optimum. Default: 1e-9, far tighter than
    /// scikit-learn's 1e-4, so that the result is the optimum itself rather than wherever a solver stopped
    /// (see imbalanced-eval's reference test).
    pub tol: f64,
}

impl Default for LogisticRegression {
    fn default() -> Self {
        LogisticRegression {
            c: 1.0,
            fit_intercept: true,
            class_weight: ClassWeight::Uniform,
            max_iter: 1000,
            tol: 1e-9,
        }
    }
}

/// A fitted logistic regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedLogistic {
    /// Coefficients: one row for two classes (of class 1), one per class otherwise.
    #[serde(with = "crate::persist::matrix")]
    pub coef: Array2<f64>,
    /// Intercepts, one per row of `coef`.
    #[serde(with = "crate::persist::vector")]
    pub intercept: Array1<f64>,
    /// L-BFGS iterations used.
    pub n_iter: usize,
    /// Whether the solver met its tolerance within `max_iter`.
    pub converged: bool,
    n_classes: usize,
}

/// Numerically stable `log(1 + e^z)`.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// Softmax of each row in place, returning each row's log-sum-exp.
pub(crate) fn softmax_rows(z: &mut Array2<f64>) -> Array1<f64> {
    let mut lse = Array1::zeros(z.nrows());
    for (mut row, l) in z.rows_mut().into_iter().zip(lse.iter_mut()) {
        let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        row.mapv_inplace(|v| (v - m).exp());
        let sum = row.sum();
        row.mapv_inplace(|v| v / sum);
        *l = m + sum.ln();
    }
    lse
}

impl Fit for LogisticRegression {
    type Fitted = FittedLogistic;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedLogistic, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(ModelError::Parameter(format!(
                "C={}: must be a positive number",
                self.c
            )));
        }
        crate::check_all_classes_present(y, n_classes, "LogisticRegression")?;
        let (n, d) = x.dim();
        let w = self
            .class_weight
            .sample_weights(y, n_classes)?
            .unwrap_or_else(|| vec![1.0; n]);
        let total: f64 = w.iter().sum();
        let rows = if n_classes == 2 { 1 } else { n_classes };
        let width = d + 1; // coefficients, then the intercept
        let l2 = 1.0 / (self.c * total);
        let intercept = self.fit_intercept;
        let objective = |theta: &[f64], grad: &mut [f64]| -> f64 {
            let coef = ArrayView2::from_shape((rows, width), theta).expect("parameter length");
            let mut z = x.dot(&coef.slice(s![.., ..d]).t());
            if intercept {
                z += &coef.column(d);
            }
            let mut g = Array2::<f64>::zeros((rows, width));
            let mut loss = 0.0;
            // residual[i, k] = s_i (p_ik - y_ik) / S, the gradient w.r.t. z.
            let residual = if rows == 1 {
                let mut r = Array2::zeros((n, 1));
                for i in 0..n {
                    let zi = z[(i, 0)];
                    let yi = if y[i] == 1 { 1.0 } else { 0.0 };
                    loss += w[i] * (softplus(zi) - yi * zi);
                    r[(i, 0)] = w[i] * (sigmoid(zi) - yi) / total;
                }
                r
            } else {
                let zy: Vec<f64> = (0..n).map(|i| z[(i, y[i])]).collect();
                let lse = softmax_rows(&mut z);
                let mut r = z; // now the probabilities
                for i in 0..n {
                    loss += w[i] * (lse[i] - zy[i]);
                    r[(i, y[i])] -= 1.0;
                    r.row_mut(i).mapv_inplace(|v| v * w[i] / total);
                }
                r
            };
            g.slice_mut(s![.., ..d]).assign(&residual.t().dot(&x));
            if intercept {
                g.column_mut(d).assign(&residual.sum_axis(Axis(0)));
            }
            let penalty: f64 = coef.slice(s![.., ..d]).iter().map(|v| v * v).sum::<f64>();
            g.slice_mut(s![.., ..d]).scaled_add(l2, &coef.slice(s![.., ..d]));
            grad.copy_from_slice(g.as_slice().expect("standard layout"));
            loss / total + 0.5 * l2 * penalty
        };
        let solver = Lbfgs {
            max_iter: self.max_iter,
            gtol: self.tol,
            ..Lbfgs::default()
        };
        let m = solver.minimize(vec![0.0; rows * width], objective);
        let theta = Array2::from_shape_vec((rows, width), m.x).expect("parameter length");
        Ok(FittedLogistic {
            coef: theta.slice(s![.., ..d]).to_owned(),
            intercept: theta.column(d).to_owned(),
            n_iter: m.n_iter,
            converged: m.converged,
            n_classes,
        })
    }
}

impl FittedLogistic {
    /// The linear scores `x Wᵀ + b` (scikit-learn's `decision_function`).
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        linear_scores(x, &self.coef, &self.intercept)
    }
}

/// `x Wᵀ + b` after the checks of every prediction: the scores of both
/// linear models.
pub(crate) fn linear_scores(
    x: ArrayView2<'_, f64>,
    coef: &Array2<f64>,
    intercept: &Array1<f64>,
) -> Result<Array2<f64>, ModelError> {
    check_predict_input(x, coef.ncols())?;
    Ok(x.dot(&coef.t()) + intercept)
}

impl Predict for FittedLogistic {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.coef.ncols()
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut z = self.decision_function(x)?;
        if self.n_classes == 2 {
            let p1 = z.column(0).mapv(sigmoid);
            let mut out = Array2::zeros((z.nrows(), 2));
            out.column_mut(1).assign(&p1);
            out.column_mut(0).assign(&p1.mapv(|p| 1.0 - p));
            return Ok(out);
        }
        softmax_rows(&mut z);
        Ok(z)
    }
}

impl Validate for FittedLogistic {
    fn validate(&self) -> Result<(), String> {
        let rows = if self.n_classes == 2 { 1 } else { self.n_classes };
        ensure(self.n_classes >= 2 && self.coef.nrows() == rows, || {
            format!(
                "coef: {} rows for n_classes = {} (one row for two classes, one per class otherwise)",
                self.coef.nrows(),
                self.n_classes
            )
        })?;
        ensure(self.intercept.len() == rows, || {
            format!("intercept: {} values for {rows} rows of coef", self.intercept.len())
        })?;
        finite("coef", self.coef.iter())?;
        finite("intercept", self.intercept.iter())
    }
}
