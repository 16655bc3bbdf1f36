//! Class counts of long-tailed training sets built from balanced data, as
//! the long-tail literature builds CIFAR-10-LT / CIFAR-100-LT (Cao et al.
//! 2019; Cui et al. 2019; Menon et al. 2021 use the same formula).

use crate::error::{DataError, Result};

/// The exponential profile `n_i = floor(n_max · (1/IR)^(i/(C-1)))`,
/// `i = 0..C`: from `n_max` down to `n_max / IR`. CIFAR-10 at IR 100
/// (`n_max` 5000) totals 12,406 rows; CIFAR-100 at IR 100 (500) 10,847.
pub fn exponential_counts(n_max: usize, classes: usize, imbalance_ratio: f64) -> Result<Vec<usize>> {
    check(classes, imbalance_ratio)?;
    if classes == 1 {
        return Ok(vec![n_max]);
    }
    Ok((0..classes)
        .map(|i| (n_max as f64 * (1.0 / imbalance_ratio).powf(i as f64 / (classes - 1) as f64)) as usize)
        .collect())
}

/// The step profile: the first `floor(C/2)` classes keep `n_max`, the
/// rest get `floor(n_max / IR)`.
pub fn step_counts(n_max: usize, classes: usize, imbalance_ratio: f64) -> Result<Vec<usize>> {
    check(classes, imbalance_ratio)?;
    let low = (n_max as f64 / imbalance_ratio) as usize;
    Ok((0..classes)
        .map(|i| if i < classes / 2 { n_max } else { low })
        .collect())
}

fn check(classes: usize, ir: f64) -> Result<()> {
    if classes == 0 || !(ir >= 1.0 && ir.is_finite()) {
        return Err(DataError::Invalid(format!(
            "{classes} classes at imbalance ratio {ir}: need at least one class and a ratio >= 1"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reproduces_the_cifar_lt_counts() {
        let c10 = exponential_counts(5000, 10, 100.0).unwrap();
        assert_eq!(c10, vec![5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]);
        assert_eq!(c10.iter().sum::<usize>(), 12_406);
        let c100 = exponential_counts(500, 100, 100.0).unwrap();
        assert_eq!(c100.iter().sum::<usize>(), 10_847);
        assert_eq!(
            exponential_counts(500, 100, 200.0).unwrap().iter().sum::<usize>(),
            9_502
        );
        assert_eq!(
            step_counts(5000, 10, 100.0).unwrap(),
            [vec![5000; 5], vec![50; 5]].concat()
        );
        assert!(exponential_counts(10, 3, 0.5).is_err());
    }
}
