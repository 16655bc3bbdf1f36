//! Feature preprocessing fitted on training rows only: scikit-learn's
//! `StandardScaler` and `OneHotEncoder(handle_unknown="ignore")`.

use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::persist::{ensure, finite, Validate};
use crate::ModelError;
use serde::{Deserialize, Serialize};

/// Column means and population variances of non-empty `x`.
pub(crate) fn mean_variance(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = x.mean_axis(Axis(0)).expect("rows present");
    let mut var = Array1::<f64>::zeros(x.ncols());
    for r in x.rows() {
        for ((v, &xv), &m) in var.iter_mut().zip(r).zip(&mean) {
            *v += (xv - m) * (xv - m);
        }
    }
    (mean, var / x.nrows() as f64)
}

/// Centres each feature and scales it to unit variance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StandardScaler;

/// Means and scales learnt by [`StandardScaler::fit`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedScaler {
    /// Per-feature mean.
    #[serde(with = "crate::persist::vector")]
    pub mean: Array1<f64>,
    /// Population standard deviation; 1 for constant features.
    #[serde(with = "crate::persist::vector")]
    pub scale: Array1<f64>,
}

impl Validate for FittedScaler {
    fn validate(&self) -> Result<(), String> {
        ensure(self.mean.len() == self.scale.len(), || {
            format!("scale: {} values for {} means", self.scale.len(), self.mean.len())
        })?;
        finite("mean", self.mean.iter())?;
        finite("scale", self.scale.iter())?;
        ensure(self.scale.iter().all(|&s| s > 0.0), || {
            "scale: scales must be positive".into()
        })
    }
}

impl StandardScaler {
    /// Learns the mean and population standard deviation of each column.
    /// A column is constant (scale 1) under scikit-learn's test
    /// `var <= n ε var + (n mean ε)²`.
    pub fn fit(&self, x: ArrayView2<'_, f64>) -> Result<FittedScaler, ModelError> {
        if x.nrows() == 0 {
            return Err(ModelError::Empty);
        }
        if let Some(((row, column), value)) = imbalanced_data::first_non_finite(x.view()) {
            return Err(ModelError::NonFinite { row, column, value });
        }
        self.fit_finite(x)
    }

    /// [`StandardScaler::fit`] on values known finite (a `Dataset`'s): no
    /// scan. The result is checked instead, so values whose sum or spread
    /// overflows are refused; with a finite mean and variance every
    /// transformed value is finite too, so what it scales needs no scan.
    pub fn fit_finite(&self, x: ArrayView2<'_, f64>) -> Result<FittedScaler, ModelError> {
        if x.nrows() == 0 {
            return Err(ModelError::Empty);
        }
        let n = x.nrows() as f64;
        let (mean, var) = mean_variance(x);
        if let Some(j) = (0..mean.len()).find(|&j| !(mean[j].is_finite() && var[j].is_finite())) {
            return Err(ModelError::Parameter(format!(
                "feature column {j} is too large to standardise (its mean or variance overflows): \
                 rescale it, or turn scaling off"
            )));
        }
        let eps = f64::EPSILON;
        let scale = var
            .iter()
            .zip(&mean)
            .map(|(&v, &m)| {
                let bound = n * eps * v + (n * m * eps).powi(2);
                if v <= bound {
                    1.0
                } else {
                    v.sqrt()
                }
            })
            .collect();
        Ok(FittedScaler { mean, scale })
    }
}

impl FittedScaler {
    /// `(x - mean) / scale`, column by column.
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        if x.ncols() != self.mean.len() {
            return Err(ModelError::FeatureMismatch {
                got: x.ncols(),
                fitted: self.mean.len(),
            });
        }
        Ok((&x - &self.mean) / &self.scale)
    }

    /// [`FittedScaler::transform`] in place.
    pub fn transform_inplace(&self, x: &mut Array2<f64>) -> Result<(), ModelError> {
        if x.ncols() != self.mean.len() {
            return Err(ModelError::FeatureMismatch {
                got: x.ncols(),
                fitted: self.mean.len(),
            });
        }
        for mut row in x.rows_mut() {
            row.iter_mut()
                .zip(self.mean.iter().zip(&self.scale))
                .for_each(|(v, (m, s))| *v = (*v - m) / s);
        }
        Ok(())
    }
}

/// One 0/1 column per category of each categorical feature seen in training.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OneHotEncoder;

/// The categories learnt by [`OneHotEncoder::fit`], per column, ascending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedOneHot {
    /// Per categorical column, its category codes in increasing order.
    pub categories: Vec<Vec<u32>>,
}

impl Validate for FittedOneHot {
    fn validate(&self) -> Result<(), String> {
        for (j, c) in self.categories.iter().enumerate() {
            ensure(c.windows(2).all(|w| w[0] < w[1]), || {
                format!("categories[{j}]: codes must increase")
            })?;
        }
        Ok(())
    }
}

impl OneHotEncoder {
    /// Learns the category codes present in each column.
    pub fn fit(&self, codes: ArrayView2<'_, u32>) -> FittedOneHot {
        let categories = codes
            .columns()
            .into_iter()
            .map(|c| {
                let mut v = c.to_vec();
                v.sort_unstable();
                v.dedup();
                v
            })
            .collect();
        FittedOneHot { categories }
    }
}

impl FittedOneHot {
    /// Number of output columns.
    pub fn n_outputs(&self) -> usize {
        self.categories.iter().map(Vec::len).sum()
    }

    /// The indicator columns; a category unseen in training gives a row of
    /// zeros for its feature (scikit-learn's `handle_unknown="ignore"`).
    pub fn transform(&self, codes: ArrayView2<'_, u32>) -> Result<Array2<f64>, ModelError> {
        if codes.ncols() != self.categories.len() {
            return Err(ModelError::FeatureMismatch {
                got: codes.ncols(),
                fitted: self.categories.len(),
            });
        }
        let mut out = Array2::zeros((codes.nrows(), self.n_outputs()));
        let mut offset = 0;
        for (j, cats) in self.categories.iter().enumerate() {
            for (r, &code) in codes.column(j).iter().enumerate() {
                if let Ok(p) = cats.binary_search(&code) {
                    out[(r, offset + p)] = 1.0;
                }
            }
            offset += cats.len();
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn scaler_centres_and_keeps_constant_columns() {
        let x = array![[1.0, 5.0], [3.0, 5.0]];
        let s = StandardScaler.fit(x.view()).unwrap();
        assert_eq!(s.scale.to_vec(), vec![1.0, 1.0]);
        assert_eq!(s.transform(x.view()).unwrap(), array![[-1.0, 0.0], [1.0, 0.0]]);
        assert!(s.transform(array![[1.0]].view()).is_err());
    }

    #[test]
    fn in_place_transform_equals_transform() {
        let x = array![[1.0, 5.0, -2.5], [3.0, 5.0, 7.25], [0.1, 5.0, 1e-3]];
        let s = StandardScaler.fit(x.view()).unwrap();
        let mut y = x.clone();
        s.transform_inplace(&mut y).unwrap();
        assert_eq!(y, s.transform(x.view()).unwrap());
        assert!(s.transform_inplace(&mut array![[1.0]]).is_err());
    }

    #[test]
    fn values_whose_spread_overflows_are_refused_not_scaled_to_nan() {
        // Finite values whose mean or variance is not: scaling them would
        // produce NaN in what the later steps trust to be finite.
        for x in [array![[1.7e308], [1.7e308]], array![[1.7e308], [-1.7e308], [-1.7e308]]] {
            let err = StandardScaler.fit_finite(x.view()).unwrap_err();
            assert!(err.to_string().contains("too large to standardise"), "{err}");
        }
    }

    #[test]
    fn one_hot_ignores_unseen_categories() {
        let enc = OneHotEncoder.fit(array![[0u32, 2], [1, 2]].view());
        let t = enc.transform(array![[1u32, 2], [3, 0]].view()).unwrap();
        assert_eq!(t, array![[0.0, 1.0, 1.0], [0.0, 0.0, 0.0]]);
    }
}
