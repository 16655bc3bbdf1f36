//! Exact SHAP values of linear models (shap's `LinearExplainer`,
//! interventional): with independent features and a linear output
//! `z_k = w_k · x + b_k`, feature `j`'s Shapley value is `w_kj (x_j - mean_j)`
//! for the background's mean, and the base value `w_k · mean + b_k`.

use ndarray::{Array3, ArrayView2};

use crate::{Attributions, ExplainError};

/// SHAP values of the rows `x` for the linear outputs `coef` (`k x d`) and
/// `intercept` (`k`), against the mean of the `background` rows (the
/// training rows, as shap's default masker takes them).
pub fn linear(
    coef: ArrayView2<'_, f64>,
    intercept: &[f64],
    background: ArrayView2<'_, f64>,
    x: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    let (k, d) = coef.dim();
    if intercept.len() != k || background.ncols() != d || x.ncols() != d {
        return Err(ExplainError::Input(format!(
            "coef is {k} x {d}, but there are {} intercepts, {} background columns and {} columns to explain: \
             give one intercept per class and the model's features",
            intercept.len(),
            background.ncols(),
            x.ncols()
        )));
    }
    if background.nrows() == 0 {
        return Err(ExplainError::Input(
            "the background has no rows: give the training rows".into(),
        ));
    }
    if let Some(v) = x
        .iter()
        .chain(background.iter())
        .chain(coef.iter())
        .find(|v| !v.is_finite())
    {
        return Err(ExplainError::Input(format!(
            "{v} in the input: impute or drop non-finite values first"
        )));
    }
    let mean = background.mean_axis(ndarray::Axis(0)).expect("rows");
    let base_values = (0..k).map(|c| coef.row(c).dot(&mean) + intercept[c]).collect();
    let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| coef[(c, j)] * (x[(i, j)] - mean[j]));
    Ok(Attributions { base_values, values })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn values_add_up_to_the_logits() {
        let coef = array![[1.0, -2.0], [0.5, 0.0]];
        let b = [0.1, -0.3];
        let background = array![[0.0, 1.0], [2.0, 3.0]];
        let x = array![[1.0, 1.0], [4.0, -1.0]];
        let a = linear(coef.view(), &b, background.view(), x.view()).unwrap();
        // mean (1, 2): base 1 - 4 + 0.1 and 0.5 - 0.3.
        assert_eq!(a.base_values, vec![-2.9, 0.2]);
        let logits = x.dot(&coef.t()) + ndarray::aview1(&b);
        for (o, l) in a.outputs().iter().zip(logits.iter()) {
            assert!((o - l).abs() < 1e-12);
        }
        assert_eq!(a.values[(0, 1, 1)], -2.0 * (-1.0 - 2.0));
        assert!(linear(coef.view(), &b[..1], background.view(), x.view()).is_err());
        assert!(linear(coef.view(), &b, background.slice(ndarray::s![..0, ..]), x.view()).is_err());
        let nan = array![[f64::NAN, 0.0]];
        assert!(linear(coef.view(), &b, background.view(), nan.view()).is_err());
    }
}
