//! [`Xy`]: features and class codes checked once, then handed to samplers
//! and models, which no longer check them again.

use ndarray::ArrayView2;

use crate::{first_non_finite, Dataset};

/// What [`Xy::new`] refuses. Samplers and models map these onto their own
/// error types, so each caller sees its layer's error.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InputError {
    #[error("{x_rows} rows of features but {y_len} labels: give one label per row")]
    ShapeMismatch { x_rows: usize, y_len: usize },
    #[error("the data has no rows")]
    Empty,
    #[error("the data has no feature columns: give at least one")]
    NoFeatures,
    #[error("the rows hold a single class: at least 2 are needed")]
    SingleClass,
    #[error("class code {label} is not below n_classes = {n_classes}")]
    BadLabel { label: usize, n_classes: usize },
    #[error("feature values must be finite: row {row}, column {column} is {value}")]
    NonFinite { row: usize, column: usize, value: f64 },
}

/// Features `x` (`n x d`) and class codes `y` (`n`, each below
/// `n_classes`), checked: as many labels as rows, at least one row, at
/// least two classes present. A consumer that reads feature values calls
/// [`Xy::require_finite`] (at least one column, every value finite), which
/// scans only when no earlier step guaranteed it.
///
/// Built from a [`Dataset`] with [`Xy::of`], nothing is scanned: a dataset
/// already guarantees finite values and valid codes. This is how the
/// evaluation folds avoid re-validating data read once.
#[derive(Debug, Clone, Copy)]
pub struct Xy<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [usize],
    n_classes: usize,
    finite: bool,
}

impl<'a> Xy<'a> {
    /// Checks everything: shapes, labels, at least two classes, at least one
    /// column, finite values (one pass over `x`).
    pub fn new(x: ArrayView2<'a, f64>, y: &'a [usize], n_classes: usize) -> Result<Self, InputError> {
        let mut xy = Xy::unscanned(x, y, n_classes)?;
        xy.require_finite()?;
        Ok(xy)
    }

    /// Checks shapes and labels but not the feature values, for consumers
    /// that never read them (imbalanced-learn's random samplers accept NaN).
    /// [`Xy::require_finite`] scans later if one does.
    pub fn unscanned(x: ArrayView2<'a, f64>, y: &'a [usize], n_classes: usize) -> Result<Self, InputError> {
        if x.nrows() != y.len() {
            return Err(InputError::ShapeMismatch {
                x_rows: x.nrows(),
                y_len: y.len(),
            });
        }
        let Some(&first) = y.first() else {
            return Err(InputError::Empty);
        };
        if let Some(&label) = y.iter().find(|&&c| c >= n_classes) {
            return Err(InputError::BadLabel { label, n_classes });
        }
        if y.iter().all(|&c| c == first) {
            return Err(InputError::SingleClass);
        }
        Ok(Xy {
            x,
            y,
            n_classes,
            finite: false,
        })
    }

    /// The numeric features and labels of `data`, without a scan: a
    /// [`Dataset`] holds finite values and codes below its class count.
    /// Still refuses what a dataset allows and a fit does not: no rows, one
    /// class.
    pub fn of(data: &'a Dataset) -> Result<Self, InputError> {
        Xy::trusted(data.numeric(), data.y(), data.classes().len())
    }

    /// Rows derived from checked ones by an operation that keeps values
    /// finite (a fitted scaler, a selection of rows): shapes and labels are
    /// checked, values are not scanned.
    pub fn trusted(x: ArrayView2<'a, f64>, y: &'a [usize], n_classes: usize) -> Result<Self, InputError> {
        let mut xy = Xy::unscanned(x, y, n_classes)?;
        xy.finite = true;
        Ok(xy)
    }

    /// Ensures at least one column and finite values, scanning `x` only if
    /// that is not known yet.
    pub fn require_finite(&mut self) -> Result<(), InputError> {
        if self.x.ncols() == 0 {
            return Err(InputError::NoFeatures);
        }
        if !self.finite {
            if let Some(((row, column), value)) = first_non_finite(self.x) {
                return Err(InputError::NonFinite { row, column, value });
            }
            self.finite = true;
        }
        Ok(())
    }

    /// The features.
    pub fn x(&self) -> ArrayView2<'a, f64> {
        self.x
    }

    /// The class codes.
    pub fn y(&self) -> &'a [usize] {
        self.y
    }

    /// The number of classes the codes index.
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }
}

#[cfg(test)]
mod tests {
    use ndarray::array;

    use super::*;

    #[test]
    fn each_refusal_names_its_problem() {
        let x = array![[1.0], [2.0], [3.0]];
        assert_eq!(
            Xy::new(x.view(), &[0, 1], 2).unwrap_err(),
            InputError::ShapeMismatch { x_rows: 3, y_len: 2 }
        );
        assert_eq!(
            Xy::new(x.slice(ndarray::s![..0, ..]), &[], 2).unwrap_err(),
            InputError::Empty
        );
        assert_eq!(Xy::new(x.view(), &[1, 1, 1], 2).unwrap_err(), InputError::SingleClass);
        assert_eq!(
            Xy::new(x.view(), &[0, 1, 2], 2).unwrap_err(),
            InputError::BadLabel { label: 2, n_classes: 2 }
        );
        let none = ndarray::Array2::<f64>::zeros((3, 0));
        assert_eq!(Xy::new(none.view(), &[0, 1, 1], 2).unwrap_err(), InputError::NoFeatures);
        let nan = array![[1.0], [f64::NAN], [3.0]];
        assert!(matches!(
            Xy::new(nan.view(), &[0, 1, 1], 2).unwrap_err(),
            InputError::NonFinite { row: 1, column: 0, .. }
        ));
    }

    #[test]
    fn unscanned_accepts_nan_until_asked() {
        let nan = array![[1.0], [f64::NAN], [3.0]];
        let mut xy = Xy::unscanned(nan.view(), &[0, 1, 1], 2).unwrap();
        assert!(matches!(xy.require_finite(), Err(InputError::NonFinite { row: 1, .. })));
    }

    #[test]
    fn dataset_rows_are_trusted_without_a_scan() {
        let data = Dataset::from_numeric(array![[1.0], [2.0], [3.0]], &["a", "b", "b"]).unwrap();
        let mut xy = Xy::of(&data).unwrap();
        assert_eq!((xy.n_classes(), xy.y(), xy.x()), (2, &[0, 1, 1][..], data.numeric()));
        assert!(xy.require_finite().is_ok());
        // Trust is the point: a trusted view is never scanned, so this
        // (wrong) claim goes unnoticed; only finite-preserving steps use it.
        let nan = array![[f64::NAN], [1.0]];
        assert!(Xy::trusted(nan.view(), &[0, 1], 2).unwrap().require_finite().is_ok());
    }
}
