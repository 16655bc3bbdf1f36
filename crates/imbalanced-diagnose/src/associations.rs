//! Does a synthetic (or resampled) table keep the strongest associations
//! of the real one with the target? An association-guided corruption test
//! after ReTabSyn (Lin et al. 2026), our formulation: each feature's
//! association with the target is measured on the real table; the
//! strongest `top` are measured again on the synthetic table, and on the
//! synthetic table with that feature's column shuffled (the corruption,
//! which keeps nothing of it). A feature's association is kept when the
//! synthetic value lies nearer the real one than the corrupted one.
//!
//! Measures: Pearson's r with the target coded 0/1 (numeric feature, two
//! classes); the correlation ratio η (numeric feature, more classes);
//! Theil's uncertainty coefficient U(target | feature) (categorical).
//!
//! r and η also move with the class balance: a resampled table, balanced,
//! has larger ones than its imbalanced source. Read the signs and the
//! order then, or compare tables of the same balance.

use imbalanced_data::{Dataset, FeatureKind};
use imbalanced_random::{RngKind, SamplerRng};
use imbalanced_scores::correlation_ratio;
use serde::Serialize;

use crate::DiagnoseError;

/// How a feature's association with the target is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Pearson's r with the target coded 0/1, in [-1, 1].
    Pearson,
    /// The correlation ratio η, in [0, 1].
    CorrelationRatio,
    /// Theil's U(target | feature), in [0, 1].
    TheilsU,
}

/// One feature's association with the target in the three tables.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetAssociation {
    pub feature: String,
    pub measure: Measure,
    pub real: f64,
    pub synthetic: f64,
    /// The synthetic table with this feature's column shuffled.
    pub corrupted: f64,
    /// `|synthetic - real| < |synthetic - corrupted|`.
    pub kept: bool,
}

/// The test's result: the `top` features by real association, strongest
/// first, and the share of them kept.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssociationTest {
    pub features: Vec<TargetAssociation>,
    /// Share of the features whose association is kept, in [0, 1].
    pub score: f64,
    /// Mean `|synthetic - real|` over them.
    pub mean_abs_change: f64,
}

impl AssociationTest {
    /// The report as a table: a header and a row per feature.
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = ["feature", "measure", "real", "synthetic", "corrupted", "kept"];
        let rows = self
            .features
            .iter()
            .map(|a| {
                let measure = match a.measure {
                    Measure::Pearson => "Pearson r",
                    Measure::CorrelationRatio => "correlation ratio",
                    Measure::TheilsU => "Theil's U",
                };
                vec![
                    a.feature.clone(),
                    measure.to_string(),
                    format!("{:.3}", a.real),
                    format!("{:.3}", a.synthetic),
                    format!("{:.3}", a.corrupted),
                    if a.kept { "yes" } else { "no" }.to_string(),
                ]
            })
            .collect();
        (header.map(String::from).to_vec(), rows)
    }
}

/// Pearson's r of `x` with `y` coded 0/1 (0 when either is constant).
fn pearson(x: &[f64], y: &[usize]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<usize>() as f64 / n);
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (&a, &b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b as f64 - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        0.0
    } else {
        sxy / (sxx * syy).sqrt()
    }
}

/// Entropy (nats) of the counts.
fn entropy(counts: impl Iterator<Item = usize>, n: f64) -> f64 {
    counts
        .filter(|&c| c > 0)
        .map(|c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

/// Theil's U(y | x) = (H(y) - H(y | x)) / H(y) (0 when y is constant).
fn theils_u(x: &[u32], y: &[usize], n_categories: usize, n_classes: usize) -> f64 {
    let n = y.len() as f64;
    let mut joint = vec![0usize; n_categories * n_classes];
    let (mut by_x, mut by_y) = (vec![0usize; n_categories], vec![0usize; n_classes]);
    for (&a, &c) in x.iter().zip(y) {
        joint[a as usize * n_classes + c] += 1;
        by_x[a as usize] += 1;
        by_y[c] += 1;
    }
    let h_y = entropy(by_y.into_iter(), n);
    if h_y == 0.0 {
        return 0.0;
    }
    let h_y_given_x: f64 = (0..n_categories)
        .filter(|&a| by_x[a] > 0)
        .map(|a| {
            by_x[a] as f64 / n
                * entropy(
                    joint[a * n_classes..(a + 1) * n_classes].iter().copied(),
                    by_x[a] as f64,
                )
        })
        .sum();
    ((h_y - h_y_given_x) / h_y).clamp(0.0, 1.0)
}

/// Feature `f`'s association with the target of `data`, its values in
/// `order` (a permutation of the rows, or none).
fn association(data: &Dataset, f: usize, order: Option<&[usize]>) -> (Measure, f64) {
    let feature = &data.features()[f];
    let rows: Vec<usize> = order.map_or_else(|| (0..data.n_samples()).collect(), <[usize]>::to_vec);
    let (y, n_classes) = (data.y(), data.classes().len());
    match feature.kind {
        FeatureKind::Numeric => {
            let x: Vec<f64> = rows.iter().map(|&i| data.numeric()[(i, feature.index)]).collect();
            if n_classes == 2 {
                (Measure::Pearson, pearson(&x, y))
            } else {
                (Measure::CorrelationRatio, correlation_ratio(&x, y, n_classes))
            }
        }
        FeatureKind::Categorical => {
            let x: Vec<u32> = rows.iter().map(|&i| data.categorical()[(i, feature.index)]).collect();
            let n_categories = data.categories()[feature.index].len();
            (Measure::TheilsU, theils_u(&x, y, n_categories, n_classes))
        }
    }
}

/// The association-guided corruption test of `synthetic` against `real`
/// (the same features and classes): the `top` features by real association
/// (by its absolute value), each corrupted by a shuffle seeded with `seed`.
pub fn association_test(
    real: &Dataset,
    synthetic: &Dataset,
    top: usize,
    seed: u64,
) -> Result<AssociationTest, DiagnoseError> {
    let names = |d: &Dataset| {
        d.features()
            .iter()
            .map(|f| (f.name.clone(), f.kind))
            .collect::<Vec<_>>()
    };
    if names(real) != names(synthetic) {
        return Err(DiagnoseError::Mismatch(
            "the synthetic table's columns differ from the real table's: give both the same features".into(),
        ));
    }
    if real.classes() != synthetic.classes() {
        return Err(DiagnoseError::Mismatch(format!(
            "the synthetic table's classes ({}) differ from the real table's ({})",
            synthetic.classes().join(", "),
            real.classes().join(", ")
        )));
    }
    if top == 0 {
        return Err(DiagnoseError::Mismatch("top must be at least 1 feature".into()));
    }
    let mut strongest: Vec<(usize, Measure, f64)> = (0..real.features().len())
        .map(|f| {
            let (m, v) = association(real, f, None);
            (f, m, v)
        })
        .collect();
    strongest.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
    strongest.truncate(top);
    let mut rng = SamplerRng::new(RngKind::Default, seed);
    let features: Vec<TargetAssociation> = strongest
        .into_iter()
        .map(|(f, measure, real_value)| {
            let (_, synthetic_value) = association(synthetic, f, None);
            let order = rng.permutation(synthetic.n_samples());
            let (_, corrupted) = association(synthetic, f, Some(&order));
            TargetAssociation {
                feature: real.features()[f].name.clone(),
                measure,
                real: real_value,
                synthetic: synthetic_value,
                corrupted,
                kept: (synthetic_value - real_value).abs() < (synthetic_value - corrupted).abs(),
            }
        })
        .collect();
    let n = features.len().max(1) as f64;
    Ok(AssociationTest {
        score: features.iter().filter(|a| a.kept).count() as f64 / n,
        mean_abs_change: features.iter().map(|a| (a.synthetic - a.real).abs()).sum::<f64>() / n,
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_equal_their_textbook_values() {
        // r of (1, 2, 3, 4) with (0, 0, 1, 1): 0.894427190999916 (numpy.corrcoef).
        assert!((pearson(&[1.0, 2.0, 3.0, 4.0], &[0, 0, 1, 1]) - 0.894_427_190_999_916).abs() < 1e-12);
        assert_eq!(pearson(&[2.0; 4], &[0, 0, 1, 1]), 0.0);
        // U(y | x) where x determines y: 1; where x is independent of y: 0.
        assert!((theils_u(&[0, 0, 1, 1], &[1, 1, 0, 0], 2, 2) - 1.0).abs() < 1e-12);
        assert!(theils_u(&[0, 1, 0, 1], &[0, 0, 1, 1], 2, 2).abs() < 1e-12);
        // dython's theils_u(y, x) for x = a a b b c c, y = 0 0 0 1 1 1:
        // (ln 2 - (2/6) ln 2) / ln 2 = 2/3.
        assert!((theils_u(&[0, 0, 1, 1, 2, 2], &[0, 0, 0, 1, 1, 1], 3, 2) - 2.0 / 3.0).abs() < 1e-12);
    }
}
