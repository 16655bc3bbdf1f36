//! Focal-entropy tools (after Shah, Cardone & Dytso 2026, "Functional
//! properties of the focal-entropy"; derivations in LOSSES.md §2).
//!
//! For a class distribution `p` and focusing parameter γ, the focal
//! entropy `FE_γ(p, q) = Σ_i p_i (1 - q_i)^γ log(1/q_i)` is minimised by
//! the unique `q*` solving `p_i h(q_i) = μ`, `Σ q_i = 1`, where
//! `h(q) = (1-q)^(γ-1) [(1-q)/q - γ log q]` is strictly decreasing on (0, 1).
//! A focal-trained model's probabilities estimate `q*`, not `p`; the map is
//! invertible: `p_i ∝ 1 / h(q_i)`. When μ > 1 (typical of many-class long
//! tails) the rarest classes are over-suppressed: `q*_i < p_i`.

use crate::{LossError, Result};

/// `h(q) = -d/dq [-(1-q)^γ log q]`, finite on (0, 1).
pub fn focal_h(q: f64, gamma: f64) -> f64 {
    let r = 1.0 - q;
    // (1-q)^(γ-1) [(1-q)/q - γ log q], written as r^γ/q - γ r^(γ-1) log q.
    let first = if gamma == 0.0 {
        1.0 / q
    } else {
        (gamma * r.ln()).exp() / q
    };
    let second = if gamma == 0.0 || q == 1.0 {
        0.0
    } else {
        gamma * ((gamma - 1.0) * r.ln()).exp() * q.ln()
    };
    first - second
}

/// `h^{-1}(v)` on (0, 1) by bisection (h is decreasing).
fn h_inverse(v: f64, gamma: f64) -> f64 {
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if focal_h(mid, gamma) > v {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The focal-entropy minimiser of a class distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct FocalMinimiser {
    pub gamma: f64,
    /// The Lagrange multiplier μ; > 1 means the rarest classes are over-suppressed.
    pub mu: f64,
    /// `q*`, summing to 1.
    pub q: Vec<f64>,
    /// Classes with `q*_i < p_i` (head classes always are).
    pub suppressed: Vec<usize>,
    /// The over-suppressed tail: suppressed classes rarer than the peak of
    /// `φ_γ(p) = p h(p)`, where focal loss would otherwise amplify.
    pub over_suppressed: Vec<usize>,
}

/// The `p` maximising `φ_γ(p) = p h(p)` (0.135 = e^-2 for γ = 1), by golden-section search.
fn phi_peak(gamma: f64) -> f64 {
    let phi = |x: f64| x * focal_h(x, gamma);
    let (mut a, mut b) = (1e-9f64, 0.5f64);
    let g = (5f64.sqrt() - 1.0) / 2.0;
    for _ in 0..100 {
        let (c, d) = (b - g * (b - a), a + g * (b - a));
        if phi(c) > phi(d) {
            b = d;
        } else {
            a = c;
        }
    }
    0.5 * (a + b)
}

fn check_distribution(p: &[f64]) -> Result<()> {
    let sum: f64 = p.iter().sum();
    if p.len() < 2 || p.iter().any(|v| !(v.is_finite() && *v >= 0.0)) || (sum - 1.0).abs() > 1e-9 {
        return Err(LossError::Invalid(format!(
            "{p:?} is not a class distribution: give 2 or more non-negative numbers summing to 1"
        )));
    }
    Ok(())
}

/// Solves `p_i h(q_i) = μ`, `Σ q_i = 1` (a 1-D bisection on log μ).
/// Classes with `p_i = 0` get `q_i = 0`.
pub fn focal_minimiser(p: &[f64], gamma: f64) -> Result<FocalMinimiser> {
    check_distribution(p)?;
    if !(gamma >= 0.0 && gamma.is_finite()) {
        return Err(LossError::Parameter {
            name: "gamma",
            value: gamma,
            fix: "gamma must be a finite number >= 0",
        });
    }
    let q_of = |mu: f64| -> Vec<f64> {
        p.iter()
            .map(|&pi| if pi == 0.0 { 0.0 } else { h_inverse(mu / pi, gamma) })
            .collect()
    };
    // Σ q(μ) decreases in μ; bracket log μ generously.
    let (mut lo, mut hi) = (-60.0f64, 60.0f64);
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        let total: f64 = q_of(mid.exp()).iter().sum();
        if total > 1.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let mu = (0.5 * (lo + hi)).exp();
    let mut q = q_of(mu);
    let sum: f64 = q.iter().sum();
    q.iter_mut().for_each(|v| *v /= sum);
    let suppressed: Vec<usize> = (0..p.len()).filter(|&i| p[i] > 0.0 && q[i] < p[i]).collect();
    let peak = if gamma > 0.0 { phi_peak(gamma) } else { 0.0 };
    let over_suppressed = suppressed.iter().copied().filter(|&i| p[i] < peak).collect();
    Ok(FocalMinimiser {
        gamma,
        mu,
        q,
        suppressed,
        over_suppressed,
    })
}

/// The exact inverse map: from a focal-trained model's probabilities `q`
/// (one row) back to calibrated ones, `p_i = h(q_i)^{-1} / Σ_j h(q_j)^{-1}`.
pub fn focal_calibrate(q: &[f64], gamma: f64) -> Result<Vec<f64>> {
    check_distribution(q)?;
    let inv: Vec<f64> = q
        .iter()
        .map(|&qi| {
            if qi <= 0.0 {
                0.0
            } else if qi >= 1.0 {
                f64::INFINITY
            } else {
                1.0 / focal_h(qi, gamma)
            }
        })
        .collect();
    if let Some(i) = inv.iter().position(|v| v.is_infinite()) {
        let mut out = vec![0.0; q.len()];
        out[i] = 1.0;
        return Ok(out);
    }
    let sum: f64 = inv.iter().sum();
    Ok(inv.iter().map(|v| v / sum).collect())
}

/// The largest γ of `0, step, 2 step, ..., max` whose minimiser
/// over-suppresses no class of `p` (no class below the peak of `φ_γ` ends up
/// with `q* < p`: the definition of [`FocalMinimiser::over_suppressed`],
/// which [`focal_table`] reports); γ = 0 always qualifies. The stricter
/// `μ <= 1` would also protect classes rarer than any of `p`.
pub fn advise_gamma(p: &[f64], max: f64, step: f64) -> Result<f64> {
    if !(step > 0.0 && max >= 0.0) {
        return Err(LossError::Invalid(format!(
            "grid 0..={max} by {step}: use step > 0 and max >= 0"
        )));
    }
    let mut best = 0.0;
    let steps = (max / step + 1e-9).floor() as usize;
    for k in 1..=steps {
        // Rounded so that the grid holds the table's γ exactly (3, not 3.0000000000000004).
        let g = (k as f64 * step * 1e9).round() / 1e9;
        if focal_minimiser(p, g)?.over_suppressed.is_empty() {
            best = g;
        }
    }
    Ok(best)
}

/// The γ values [`focal_table`] reports.
pub const FOCAL_GAMMAS: [f64; 6] = [0.5, 1.0, 2.0, 3.0, 4.0, 5.0];

/// What focal loss with one γ does to a class prior.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FocalRow {
    pub gamma: f64,
    /// [`FocalMinimiser::mu`].
    pub mu: f64,
    /// The labels of the rare classes whose minimiser falls below their prior.
    pub over_suppressed: Vec<String>,
    /// `q*/p` of the rarest class.
    pub rarest_ratio: f64,
}

/// [`focal_minimiser`] of `prior` (class shares, `labels` naming them) for
/// each of [`FOCAL_GAMMAS`], and [`advise_gamma`]'s largest γ (up to 5,
/// step 0.1) that over-suppresses no class: a row of the table with no
/// over-suppressed class is safe, and the advice is one of those.
pub fn focal_table(prior: &[f64], labels: &[String]) -> Result<(Vec<FocalRow>, f64)> {
    let rarest = (0..prior.len())
        .min_by(|&a, &b| prior[a].total_cmp(&prior[b]))
        .unwrap_or(0);
    let rows = FOCAL_GAMMAS
        .iter()
        .map(|&g| {
            let m = focal_minimiser(prior, g)?;
            Ok(FocalRow {
                gamma: g,
                mu: m.mu,
                over_suppressed: m.over_suppressed.iter().map(|&i| labels[i].clone()).collect(),
                rarest_ratio: m.q[rarest] / prior[rarest],
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((rows, advise_gamma(prior, 5.0, 0.1)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp_profile(n_max: f64, c: usize, ir: f64) -> Vec<f64> {
        let n: Vec<f64> = (0..c)
            .map(|i| (n_max * (1.0 / ir).powf(i as f64 / (c - 1) as f64)).floor())
            .collect();
        let t: f64 = n.iter().sum();
        n.iter().map(|v| v / t).collect()
    }

    #[test]
    fn gamma_zero_is_the_identity_and_the_inverse_map_recovers_p() {
        let p = exp_profile(5000.0, 10, 100.0);
        let m = focal_minimiser(&p, 0.0).unwrap();
        assert!((m.mu - 1.0).abs() < 1e-9);
        assert!(m.q.iter().zip(&p).all(|(a, b)| (a - b).abs() < 1e-9));
        for gamma in [0.5, 1.0, 2.0, 5.0] {
            let m = focal_minimiser(&p, gamma).unwrap();
            assert!((m.q.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let back = focal_calibrate(&m.q, gamma).unwrap();
            assert!(
                back.iter().zip(&p).all(|(a, b)| (a - b).abs() < 1e-9),
                "{gamma}: {back:?}"
            );
        }
    }

    #[test]
    fn phi_peaks_where_the_notes_say() {
        for (gamma, peak) in [(0.5, 0.161), (1.0, (-2.0f64).exp()), (2.0, 0.104), (5.0, 0.064)] {
            assert!((phi_peak(gamma) - peak).abs() < 1e-3, "{gamma}: {}", phi_peak(gamma));
        }
    }

    #[test]
    fn matches_the_design_notes() {
        // LOSSES.md §2: (C, IR, γ) -> (μ, q*_min / p_min).
        for (n_max, c, ir, gamma, mu, ratio) in [
            (5000.0, 10, 100.0, 1.0, 1.060, 0.960),
            (5000.0, 10, 1000.0, 2.0, 0.902, 1.117),
            (500.0, 100, 100.0, 2.0, 1.118, 0.900),
        ] {
            let p = exp_profile(n_max, c, ir);
            let m = focal_minimiser(&p, gamma).unwrap();
            let last = c - 1;
            assert!((m.mu - mu).abs() < 5e-3, "{c} {ir} {gamma}: mu {}", m.mu);
            assert!(
                (m.q[last] / p[last] - ratio).abs() < 5e-3,
                "{c} {ir} {gamma}: {}",
                m.q[last] / p[last]
            );
            assert_eq!(m.suppressed.contains(&last), ratio < 1.0);
            assert_eq!(m.over_suppressed.contains(&last), ratio < 1.0);
            assert!(
                !m.over_suppressed.contains(&0),
                "the head class is suppressed, not over-suppressed"
            );
        }
        // Binary problems: the tail is amplified, never suppressed, so any γ qualifies.
        assert_eq!(advise_gamma(&[0.9, 0.1], 3.0, 0.5).unwrap(), 3.0);
        let many = exp_profile(500.0, 100, 100.0);
        assert!(advise_gamma(&many, 5.0, 0.5).unwrap() < 0.5);
        assert!(focal_minimiser(&[0.5, 0.6], 1.0).is_err());
        assert!(focal_minimiser(&[0.5, 0.5], -1.0).is_err());
    }
}

#[cfg(test)]
mod table_tests {
    use super::*;

    #[test]
    fn the_table_names_over_suppressed_classes_by_label() {
        let labels = vec!["common".to_string(), "rare".to_string()];
        let (rows, _) = focal_table(&[0.5, 0.5], &labels).unwrap();
        assert_eq!(rows.len(), FOCAL_GAMMAS.len());
        assert!(rows.iter().all(|r| r.over_suppressed.is_empty()));
        let prior = [0.98, 0.02];
        let (rows, _) = focal_table(&prior, &labels).unwrap();
        for r in &rows {
            let m = focal_minimiser(&prior, r.gamma).unwrap();
            assert_eq!(r.rarest_ratio, m.q[1] / prior[1]);
            assert_eq!(r.over_suppressed.is_empty(), m.over_suppressed.is_empty());
            assert!(r.over_suppressed.iter().all(|l| l == "rare"));
        }
    }
}
