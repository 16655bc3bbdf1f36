//! Gaussian naive Bayes, as scikit-learn's `GaussianNB`.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::persist::{ensure, finite, Validate};
use crate::preprocessing::mean_variance;
use crate::traits::{check_predict_input, Fit, Predict};
use crate::ModelError;

/// Gaussian naive Bayes, scikit-learn's `GaussianNB`.
///
/// Parameters. Defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "GaussianNB", kind = "classifier", aliases = ["nb", "gnb", "naive-bayes"])]
pub struct GaussianNB {
    /// Class priors in label order; `null` takes the training class frequencies. Default: `null`.
    pub priors: Option<Vec<f64>>,
    /// Share of the largest feature variance added to every variance, for stability. Default: 1e-9.
    pub var_smoothing: f64,
}

impl Default for GaussianNB {
    fn default() -> Self {
        GaussianNB {
            priors: None,
            var_smoothing: 1e-9,
        }
    }
}

/// A fitted model: per-class means and variances.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedGaussianNB {
    /// Per-class feature means (`C x d`).
    #[serde(with = "crate::persist::matrix")]
    pub theta: Array2<f64>,
    /// Per-class feature variances, smoothed (`C x d`).
    #[serde(with = "crate::persist::matrix")]
    pub var: Array2<f64>,
    /// Class priors.
    #[serde(with = "crate::persist::vector")]
    pub class_prior: Array1<f64>,
}

impl Fit for GaussianNB {
    type Fitted = FittedGaussianNB;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedGaussianNB, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        crate::check_all_classes_present(y, n_classes, "GaussianNB")?;
        let d = x.ncols();
        let epsilon = self.var_smoothing * mean_variance(x).1.fold(0.0, |m: f64, &v| m.max(v));
        let mut theta = Array2::zeros((n_classes, d));
        let mut var = Array2::zeros((n_classes, d));
        let mut counts = vec![0.0; n_classes];
        for (k, count) in counts.iter_mut().enumerate() {
            let rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == k).collect();
            let xk = x.select(Axis(0), &rows);
            let (m, v) = mean_variance(xk.view());
            theta.row_mut(k).assign(&m);
            var.row_mut(k).assign(&(v + epsilon));
            *count = rows.len() as f64;
        }
        let class_prior = match &self.priors {
            Some(p) => {
                let sum: f64 = p.iter().sum();
                if p.len() != n_classes || p.iter().any(|v| v.is_nan() || *v < 0.0) || (sum - 1.0).abs() > 1e-8 {
                    return Err(ModelError::Parameter(format!(
                        "priors {p:?}: give {n_classes} non-negative numbers that sum to 1"
                    )));
                }
                Array1::from(p.clone())
            }
            None => Array1::from(counts.iter().map(|c| c / y.len() as f64).collect::<Vec<_>>()),
        };
        Ok(FittedGaussianNB {
            theta,
            var,
            class_prior,
        })
    }
}

impl FittedGaussianNB {
    /// Joint log-likelihood `log P(c) + log P(x | c)` of each row and class.
    pub fn joint_log_likelihood(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, self.theta.ncols())?;
        let c = self.theta.nrows();
        let mut out = Array2::zeros((x.nrows(), c));
        for k in 0..c {
            let norm = -0.5
                * self
                    .var
                    .row(k)
                    .iter()
                    .map(|v| (2.0 * std::f64::consts::PI * v).ln())
                    .sum::<f64>();
            let prior = self.class_prior[k].ln();
            for (r, row) in x.rows().into_iter().enumerate() {
                let quad: f64 = row
                    .iter()
                    .zip(self.theta.row(k))
                    .zip(self.var.row(k))
                    .map(|((xv, m), v)| (xv - m) * (xv - m) / v)
                    .sum();
                out[(r, k)] = prior + norm - 0.5 * quad;
            }
        }
        Ok(out)
    }
}

impl Predict for FittedGaussianNB {
    fn n_classes(&self) -> usize {
        self.theta.nrows()
    }
    fn n_features(&self) -> usize {
        self.theta.ncols()
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let mut jll = self.joint_log_likelihood(x)?;
        for mut row in jll.rows_mut() {
            let m = row.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            let lse = m + row.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            row.mapv_inplace(|v| (v - lse).exp());
        }
        Ok(jll)
    }
}

impl Validate for FittedGaussianNB {
    fn validate(&self) -> Result<(), String> {
        ensure(self.var.dim() == self.theta.dim(), || {
            format!("var is {:?} but theta {:?}", self.var.dim(), self.theta.dim())
        })?;
        ensure(
            self.class_prior.len() == self.theta.nrows() && !self.class_prior.is_empty(),
            || {
                format!(
                    "class_prior: {} values for {} classes",
                    self.class_prior.len(),
                    self.theta.nrows()
                )
            },
        )?;
        finite("theta", self.theta.iter())?;
        finite("var", self.var.iter())?;
        finite("class_prior", self.class_prior.iter())?;
        ensure(self.var.iter().all(|&v| v > 0.0), || {
            "var: variances must be positive".into()
        })?;
        ensure(self.class_prior.iter().all(|&p| p >= 0.0), || {
            "class_prior: priors must be >= 0".into()
        })
    }
}
