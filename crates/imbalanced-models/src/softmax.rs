//! Softmax regression trained with any loss of `imbalanced-losses`.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use imbalanced_losses::LossSpec;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::optim::Lbfgs;
use crate::persist::{ensure, finite, Validate};
use crate::traits::{Fit, Predict};
use crate::ModelError;

/// A linear softmax model trained with any imbalance-aware loss (L-BFGS).
///
/// A linear model with one logit per class, `z = W x + b`, fitted by
/// L-BFGS on `loss(z, y) + ||W||² / (2 C n)` (the loss reduced over the
/// training set; the same scaling as [`crate::LogisticRegression`], so
/// `ce` gives multinomial logistic regression). LDAM-DRW's schedule runs as
/// two phases: uniform weights to convergence, then re-weighted from there.
/// Defaults: loss `ce`, C = 1, 1000 iterations, tol 1e-6.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "SoftmaxRegression", kind = "classifier", aliases = ["softmax"])]
pub struct SoftmaxRegression {
    /// The training loss: a name (`ce`, `focal`, `ldam-drw`, ...) or `{"name": ..., parameters}`. Default:
    /// `ce`.
    pub loss: LossSpec,
    /// Inverse regularisation strength: the penalty is `||W||² / (2 C n)`. Default: 1.0.
    #[serde(rename = "C")]
    pub c: f64,
    /// L-BFGS iterations at most (per phase). Default: 1000.
    pub max_iter: usize,
    /// Largest gradient component at the optimum. Default: 1e-6.
    pub tol: f64,
}

impl Default for SoftmaxRegression {
    fn default() -> Self {
        SoftmaxRegression {
            loss: LossSpec::new("ce", &[]).expect("known loss"),
            c: 1.0,
            max_iter: 1000,
            tol: 1e-6,
        }
    }
}

/// A fitted softmax regression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedSoftmax {
    /// `C x d` coefficients.
    #[serde(with = "crate::persist::matrix")]
    pub coef: Array2<f64>,
    /// One intercept per class.
    #[serde(with = "crate::persist::vector")]
    pub intercept: Array1<f64>,
    pub n_iter: usize,
    pub converged: bool,
}

pub(crate) fn class_counts(y: &[usize], n_classes: usize) -> Vec<f64> {
    let mut counts = vec![0.0; n_classes];
    y.iter().for_each(|&c| counts[c] += 1.0);
    counts
}

pub(crate) fn loss_error(e: imbalanced_losses::LossError) -> ModelError {
    ModelError::Parameter(e.to_string())
}

impl Fit for SoftmaxRegression {
    type Fitted = FittedSoftmax;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedSoftmax, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        crate::check_all_classes_present(y, n_classes, "SoftmaxRegression")?;
        if !(self.c > 0.0 && self.c.is_finite()) {
            return Err(ModelError::Parameter(format!(
                "C={}: must be a positive number",
                self.c
            )));
        }
        let (n, d) = x.dim();
        let k = n_classes;
        let counts = class_counts(y, k);
        let l2 = 1.0 / (self.c * n as f64);
        let phases: Vec<(usize, usize)> = if self.loss.is_scheduled() {
            vec![(0, 10), (9, 10)]
        } else {
            vec![(0, 1)]
        };
        let mut theta = vec![0.0; k * (d + 1)];
        let (mut n_iter, mut converged) = (0, true);
        for (epoch, epochs) in phases {
            let loss = self.loss.build(&counts, epoch, epochs).map_err(loss_error)?;
            let mut failure = None;
            let objective = |t: &[f64], grad: &mut [f64]| -> f64 {
                let w = ArrayView2::from_shape((k, d + 1), t).expect("parameter length");
                let z = x.dot(&w.slice(s![.., ..d]).t()) + w.column(d);
                match loss.batch_loss(z.view(), y) {
                    Ok((value, gz)) => {
                        let mut g = Array2::<f64>::zeros((k, d + 1));
                        g.slice_mut(s![.., ..d]).assign(&gz.t().dot(&x));
                        g.column_mut(d).assign(&gz.sum_axis(Axis(0)));
                        g.slice_mut(s![.., ..d]).scaled_add(l2, &w.slice(s![.., ..d]));
                        grad.copy_from_slice(g.as_slice().expect("standard layout"));
                        let penalty: f64 = w.slice(s![.., ..d]).iter().map(|v| v * v).sum();
                        value + 0.5 * l2 * penalty
                    }
                    Err(e) => {
                        failure = Some(e);
                        grad.fill(0.0);
                        f64::INFINITY
                    }
                }
            };
            let m = Lbfgs {
                max_iter: self.max_iter,
                gtol: self.tol,
                ..Lbfgs::default()
            }
            .minimize(theta, objective);
            if let Some(e) = failure {
                return Err(loss_error(e));
            }
            theta = m.x;
            n_iter += m.n_iter;
            converged &= m.converged;
        }
        let w = Array2::from_shape_vec((k, d + 1), theta).expect("parameter length");
        Ok(FittedSoftmax {
            coef: w.slice(s![.., ..d]).to_owned(),
            intercept: w.column(d).to_owned(),
            n_iter,
            converged,
        })
    }
}

impl FittedSoftmax {
    /// The logits `W x + b`.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        crate::logistic::linear_scores(x, &self.coef, &self.intercept)
    }
}

impl Predict for FittedSoftmax {
    fn n_classes(&self) -> usize {
        self.coef.nrows()
    }
    fn n_features(&self) -> usize {
        self.coef.ncols()
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut z = self.decision_function(x)?;
        crate::logistic::softmax_rows(&mut z);
        Ok(z)
    }
}

impl Validate for FittedSoftmax {
    fn validate(&self) -> Result<(), String> {
        ensure(self.coef.nrows() >= 2, || {
            format!("coef: {} rows; one per class, at least 2", self.coef.nrows())
        })?;
        ensure(self.intercept.len() == self.coef.nrows(), || {
            format!(
                "intercept: {} values for {} classes",
                self.intercept.len(),
                self.coef.nrows()
            )
        })?;
        finite("coef", self.coef.iter())?;
        finite("intercept", self.intercept.iter())
    }
}
