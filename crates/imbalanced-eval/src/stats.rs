//! Comparing methods over many datasets (Demšar 2006, "Statistical
//! comparisons of classifiers over multiple data sets", JMLR 7): average
//! ranks, the Friedman test with Iman & Davenport's correction, and the
//! Nemenyi critical difference.

/// Ranks of each method on each dataset (1 = best = highest score; ties
/// share their average rank), and the Friedman test over them.
#[derive(Debug, Clone, PartialEq)]
pub struct RankTest {
    /// `ranks[d][m]`: rank of method `m` on dataset `d`.
    pub ranks: Vec<Vec<f64>>,
    /// Mean rank of each method over datasets.
    pub average_ranks: Vec<f64>,
    /// Friedman's chi-square statistic, `k - 1` degrees of freedom, corrected
    /// for ties as `scipy.stats.friedmanchisquare`.
    pub chi_square: f64,
    pub chi_square_p: f64,
    /// Iman & Davenport's F statistic, `(k - 1, (k - 1)(N - 1))` degrees of freedom.
    pub f_statistic: f64,
    pub f_p: f64,
    /// Nemenyi critical difference of average ranks at alpha = 0.05.
    pub critical_difference: f64,
}

/// Ranks of `scores` (higher is better), ties averaged; NaN ranks last.
pub fn rank_descending(scores: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    let key = |i: usize| {
        if scores[i].is_nan() {
            f64::NEG_INFINITY
        } else {
            scores[i]
        }
    };
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)));
    let mut ranks = vec![0.0; scores.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && key(order[j + 1]) == key(order[i]) {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        order[i..=j].iter().for_each(|&o| ranks[o] = r);
        i = j + 1;
    }
    ranks
}

/// Demšar's table 5 (two-tailed Nemenyi, alpha 0.05): the studentized range
/// quantile over sqrt(2), for k = 2..=20 methods.
const Q_005: [f64; 19] = [
    1.959964233,
    2.343700476,
    2.569032073,
    2.727774717,
    2.849705382,
    2.948319908,
    3.030878867,
    3.10173026,
    3.16368342,
    3.218653901,
    3.268003591,
    3.312738701,
    3.353617959,
    3.391230382,
    3.426041249,
    3.458424619,
    3.488684546,
    3.517072762,
    3.543799277,
];

/// The Friedman test on `scores[d][m]` (dataset `d`, method `m`).
/// Needs at least 2 methods and 2 datasets; the critical difference is
/// NaN above 20 methods.
pub fn friedman(scores: &[Vec<f64>]) -> Option<RankTest> {
    let n = scores.len();
    let k = scores.first()?.len();
    if n < 2 || k < 2 || scores.iter().any(|s| s.len() != k) {
        return None;
    }
    let ranks: Vec<Vec<f64>> = scores.iter().map(|s| rank_descending(s)).collect();
    let average_ranks: Vec<f64> = (0..k)
        .map(|m| ranks.iter().map(|r| r[m]).sum::<f64>() / n as f64)
        .collect();
    let (nf, kf) = (n as f64, k as f64);
    let sum_sq: f64 = average_ranks.iter().map(|r| r * r).sum();
    // With scipy's tie correction 1 - Σ (t³ - t) / (N k (k² - 1)).
    let ties: f64 = ranks
        .iter()
        .map(|r| {
            let mut sorted = r.clone();
            sorted.sort_by(f64::total_cmp);
            sorted
                .chunk_by(|a, b| a == b)
                .map(|g| (g.len() as f64).powi(3) - g.len() as f64)
                .sum::<f64>()
        })
        .sum();
    let correction = 1.0 - ties / (nf * kf * (kf * kf - 1.0));
    let chi_square = 12.0 * nf / (kf * (kf + 1.0)) * (sum_sq - kf * (kf + 1.0).powi(2) / 4.0) / correction;
    let chi_square_p = gamma_q((kf - 1.0) / 2.0, chi_square / 2.0);
    let (d1, d2) = (kf - 1.0, (kf - 1.0) * (nf - 1.0));
    let f_statistic = (nf - 1.0) * chi_square / (nf * (kf - 1.0) - chi_square);
    let f_p = if f_statistic.is_finite() && f_statistic > 0.0 {
        beta_i(d2 / 2.0, d1 / 2.0, d2 / (d2 + d1 * f_statistic))
    } else if f_statistic.is_infinite() {
        0.0
    } else {
        1.0
    };
    let q = Q_005.get(k - 2).copied().unwrap_or(f64::NAN);
    Some(RankTest {
        ranks,
        average_ranks,
        chi_square,
        chi_square_p,
        f_statistic,
        f_p,
        critical_difference: q * (kf * (kf + 1.0) / (6.0 * nf)).sqrt(),
    })
}

/// log Γ(x) (Lanczos, g = 7, n = 9), accurate to ~1e-15 for x > 0.
fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let a = C[1..]
        .iter()
        .enumerate()
        .fold(C[0], |acc, (i, c)| acc + c / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Regularised upper incomplete gamma Q(a, x): the chi-square survival
/// function is `Q(df / 2, x / 2)` (series or Lentz continued fraction).
pub fn gamma_q(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    let front = (-x + a * x.ln() - ln_gamma(a)).exp();
    if x < a + 1.0 {
        let (mut sum, mut term, mut ap) = (1.0 / a, 1.0 / a, a);
        for _ in 0..1000 {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * 1e-16 {
                break;
            }
        }
        1.0 - sum * front
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..1000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        front * h
    }
}

/// Regularised incomplete beta I_x(a, b) (Lentz continued fraction); the
/// F survival function is `I_{d2/(d2 + d1 F)}(d2/2, d1/2)`.
pub fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    if x > (a + 1.0) / (a + b + 2.0) {
        return 1.0 - beta_i(b, a, 1.0 - x);
    }
    let tiny = 1e-300;
    let (mut c, mut d) = (1.0, 1.0 - (a + b) * x / (a + 1.0));
    if d.abs() < tiny {
        d = tiny;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..1000 {
        let m = m as f64;
        for num in [
            m * (b - m) * x / ((a + 2.0 * m - 1.0) * (a + 2.0 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2.0 * m) * (a + 2.0 * m + 1.0)),
        ] {
            d = 1.0 + num * d;
            if d.abs() < tiny {
                d = tiny;
            }
            c = 1.0 + num / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            h *= d * c;
        }
        if (d * c - 1.0).abs() < 1e-16 {
            break;
        }
    }
    front * h / a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ties_share_ranks() {
        assert_eq!(rank_descending(&[0.5, 0.9, 0.5, f64::NAN]), vec![2.5, 1.0, 2.5, 4.0]);
    }

    #[test]
    fn distributions_match_scipy() {
        // scipy.stats.chi2.sf(7.8, 3) and f.sf(3.2, 3, 12), scipy 1.17.1.
        assert!((gamma_q(1.5, 3.9) - 0.050_331_097_859_853_326).abs() < 1e-12);
        assert!((beta_i(6.0, 1.5, 12.0 / (12.0 + 3.0 * 3.2)) - 0.062_277_550_565_349_664).abs() < 1e-12);
    }

    #[test]
    fn friedman_matches_scipy() {
        // scipy.stats.friedmanchisquare(*scores.T) = (5.1578947368421115, 0.07585380812713433).
        let scores = vec![
            vec![0.8, 0.7, 0.9],
            vec![0.6, 0.65, 0.7],
            vec![0.9, 0.85, 0.95],
            vec![0.5, 0.5, 0.6],
            vec![0.7, 0.8, 0.75],
        ];
        let t = friedman(&scores).unwrap();
        assert!(
            (t.chi_square - 5.157_894_736_842_111_5).abs() < 1e-12,
            "{}",
            t.chi_square
        );
        assert!(
            (t.chi_square_p - 0.075_853_808_127_134_33).abs() < 1e-12,
            "{}",
            t.chi_square_p
        );
        assert_eq!(t.average_ranks, vec![2.5, 2.3, 1.2]);
        assert!(friedman(&scores[..1]).is_none());
    }

    #[test]
    fn demsar_example() {
        // Demšar (2006), section 3.2.4: 4 methods on 14 datasets, average ranks
        // 3.143, 2.000, 2.893, 1.964; chi2_F = 9.28, F_F = 3.69, CD = 1.25.
        let r = [3.143, 2.000, 2.893, 1.964];
        let (n, k) = (14.0f64, 4.0f64);
        let sum_sq: f64 = r.iter().map(|v| v * v).sum();
        let chi = 12.0 * n / (k * (k + 1.0)) * (sum_sq - k * (k + 1.0).powi(2) / 4.0);
        assert!((chi - 9.28).abs() < 0.01, "{chi}");
        let cd = Q_005[2] * (k * (k + 1.0) / (6.0 * n)).sqrt();
        assert!((cd - 1.25).abs() < 0.01, "{cd}");
    }
}
