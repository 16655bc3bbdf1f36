//! Per-class weights from class counts. A zero count is an error: every
//! scheme below divides by it (documented policy; drop the class instead).

use crate::{LossError, Result};

/// Class counts must be finite and >= 1: every count-based loss divides by them.
pub(crate) fn check_counts(counts: &[f64], what: &'static str) -> Result<()> {
    if counts.is_empty() {
        return Err(LossError::Invalid("no class counts".into()));
    }
    for (class, &c) in counts.iter().enumerate() {
        if !c.is_finite() || c < 0.0 {
            return Err(LossError::Parameter {
                name: "count",
                value: c,
                fix: "class counts must be finite and non-negative",
            });
        }
        if c == 0.0 {
            return Err(LossError::ZeroCount { class, what });
        }
    }
    Ok(())
}

/// `w_c = N / (C n_c)`: scikit-learn's "balanced" (each class weighs N / C in total).
pub fn inverse_frequency_weights(counts: &[f64]) -> Result<Vec<f64>> {
    check_counts(counts, "inverse-frequency weights")?;
    let total: f64 = counts.iter().sum();
    let c = counts.len() as f64;
    Ok(counts.iter().map(|n| total / (c * n)).collect())
}

/// `w_c ∝ 1 / sqrt(n_c)`, normalised to sum to C.
pub fn sqrt_inverse_frequency_weights(counts: &[f64]) -> Result<Vec<f64>> {
    check_counts(counts, "sqrt-inverse weights")?;
    Ok(normalise(counts.iter().map(|n| 1.0 / n.sqrt()).collect()))
}

/// Class-balanced weights of Cui et al. (2019): `w_c = (1 - β) / (1 - β^{n_c})`
/// (the inverse effective number of samples), normalised to sum to C.
/// `β = 0` gives ones; `β -> 1` inverse frequency. Usual β: 0.9999.
pub fn effective_number_weights(counts: &[f64], beta: f64) -> Result<Vec<f64>> {
    check_counts(counts, "effective-number weights")?;
    if !(0.0..1.0).contains(&beta) {
        return Err(LossError::Parameter {
            name: "beta",
            value: beta,
            fix: "beta must be in [0, 1)",
        });
    }
    if beta == 0.0 {
        return Ok(vec![1.0; counts.len()]);
    }
    // 1 - β^n = -expm1(n log β), exact where β^n is close to 1.
    let ln_beta = beta.ln();
    Ok(normalise(
        counts.iter().map(|n| (1.0 - beta) / -(n * ln_beta).exp_m1()).collect(),
    ))
}

fn normalise(w: Vec<f64>) -> Vec<f64> {
    let sum: f64 = w.iter().sum();
    let c = w.len() as f64;
    w.into_iter().map(|v| v / sum * c).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_reference_vectors() {
        // LOSSES.md §3: counts [1000, 300, 50, 10], β = 0.9999.
        let w = effective_number_weights(&[1000.0, 300.0, 50.0, 10.0], 0.9999).unwrap();
        for (a, b) in w.iter().zip([0.03375, 0.10868, 0.64400, 3.21357]) {
            assert!((a - b).abs() < 5e-5, "{w:?}");
        }
        assert_eq!(effective_number_weights(&[5.0, 1.0], 0.0).unwrap(), vec![1.0, 1.0]);
        assert!(effective_number_weights(&[5.0, 0.0], 0.9).is_err());
        assert!(effective_number_weights(&[5.0, 1.0], 1.0).is_err());
        let inv = inverse_frequency_weights(&[3.0, 1.0]).unwrap();
        assert_eq!(inv, vec![4.0 / 6.0, 2.0]);
    }
}
