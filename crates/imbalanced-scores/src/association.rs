//! How strongly a numeric column is tied to the classes.

/// The correlation ratio η of `x` by the classes `y` (codes below
/// `n_classes`): the square root of the share of `x`'s variance between the
/// class means, in [0, 1]; 0 when `x` is constant.
pub fn correlation_ratio(x: &[f64], y: &[usize], n_classes: usize) -> f64 {
    let n = x.len() as f64;
    let mean = x.iter().sum::<f64>() / n;
    let (mut sums, mut counts) = (vec![0.0; n_classes], vec![0usize; n_classes]);
    for (&v, &c) in x.iter().zip(y) {
        sums[c] += v;
        counts[c] += 1;
    }
    let between: f64 = (0..n_classes)
        .filter(|&c| counts[c] > 0)
        .map(|c| counts[c] as f64 * (sums[c] / counts[c] as f64 - mean).powi(2))
        .sum();
    let total: f64 = x.iter().map(|v| (v - mean).powi(2)).sum();
    if total == 0.0 {
        0.0
    } else {
        (between / total).sqrt().min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_between_over_total_sum_of_squares() {
        // Class means 1.5, 4.5, 7.5 around 4.5: between 36, total 37.5.
        let eta = correlation_ratio(&[1.0, 2.0, 4.0, 5.0, 7.0, 8.0], &[0, 0, 1, 1, 2, 2], 3);
        assert!((eta - (36.0f64 / 37.5).sqrt()).abs() < 1e-12, "{eta}");
        assert_eq!(correlation_ratio(&[3.0; 4], &[0, 1, 0, 1], 2), 0.0);
        assert!((correlation_ratio(&[0.0, 0.0, 1.0, 1.0], &[0, 0, 1, 1], 2) - 1.0).abs() < 1e-12);
    }
}
