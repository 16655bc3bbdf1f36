//! polynom_fit_SMOTE (Gazzah & Amara 2008, "New Oversampling Approaches
//! Based on Polynomial Fitting for Imbalanced Data Sets"), as
//! smote-variants 1.0.1 implements its star, bus and polynomial topologies
//! (its `polynom_fit_SMOTE_star`, `_bus`, `_poly` and `_mesh`; equal to
//! its output, fixture `scripts/fixtures/sv_samplers.py`).

use imbalanced_catalog::Estimator;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{check_proportion, choice_uniform, resample, Binary, BinaryVariant, Outcome};
use crate::error::{ResampleError, Result};
use crate::util::{make_rng, numpy_sum};
use crate::{Resampled, Resampler};
use imbalanced_data::Xy;
use imbalanced_random::RngKind;

/// New rows per minority row (star) or per pair of neighbours in row order
/// (bus): `max(1, rint(n / n_min))`, NumPy's `rint` (ties to even), each at
/// the points `s / (k + 1)`, `s = 1..=k`, of the way.
fn per_row(n: usize, n_min: usize) -> usize {
    ((n as f64 / n_min as f64).round_ties_even() as usize).max(1)
}

/// `k` rows from `from` towards each `to` row: `(to - from) x s/(k+1) + from`,
/// in smote-variants' order (row by row, then by step).
fn along(from: ArrayView2<'_, f64>, to: &dyn Fn(usize, usize) -> f64, k: usize) -> Array2<f64> {
    let (n, d) = from.dim();
    let mut out = Array2::zeros((n * k, d));
    for i in 0..n {
        for s in 1..=k {
            let split = s as f64 / (k + 1) as f64;
            for j in 0..d {
                out[(i * k + s - 1, j)] = (to(i, j) - from[(i, j)]) * split + from[(i, j)];
            }
        }
    }
    out
}

struct Star;

impl BinaryVariant for Star {
    /// Each minority row towards the minority's mean.
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let minority = data.minority_rows();
        let minority = minority.view();
        let n_min = minority.nrows();
        // np.mean over axis 0: the rows added in order, then divided.
        let mut mean = vec![0.0; minority.ncols()];
        for row in minority.rows() {
            for (m, v) in mean.iter_mut().zip(row) {
                *m += v;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n_min as f64);
        Ok(along(minority, &|_, j| mean[j], per_row(n, n_min)).into())
    }
}

struct Bus;

impl BinaryVariant for Bus {
    /// Each minority row towards the next one, in the data's order.
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let minority = data.minority_rows();
        let minority = minority.view();
        let n_min = minority.nrows();
        let from = minority.slice(ndarray::s![..n_min - 1, ..]);
        Ok(along(from, &|i, j| minority[(i + 1, j)], per_row(n, n_min)).into())
    }
}

struct Poly {
    order: usize,
    random_state: u64,
    rng: RngKind,
}

/// The least-squares polynomial of degree `order` through `(i, values[i])`,
/// highest power first, as `np.polyfit` (its columns scaled to unit norm),
/// solved by Householder QR.
fn polyfit(values: &[f64], order: usize) -> Option<Vec<f64>> {
    let (m, p) = (values.len(), order + 1);
    let mut a = Array2::from_shape_fn((m, p), |(i, c)| (i as f64).powi((order - c) as i32));
    let scale: Vec<f64> = (0..p)
        .map(|c| a.column(c).iter().map(|v| v * v).sum::<f64>().sqrt())
        .collect();
    for (c, &s) in scale.iter().enumerate() {
        let s = if s == 0.0 { 1.0 } else { s };
        a.column_mut(c).mapv_inplace(|v| v / s);
    }
    let mut b = values.to_vec();
    for c in 0..p {
        let norm = (c..m).map(|i| a[(i, c)] * a[(i, c)]).sum::<f64>().sqrt();
        if norm == 0.0 {
            return None;
        }
        let alpha = if a[(c, c)] > 0.0 { -norm } else { norm };
        let mut v: Vec<f64> = (c..m).map(|i| a[(i, c)]).collect();
        v[0] -= alpha;
        let vv: f64 = v.iter().map(|x| x * x).sum();
        if vv == 0.0 {
            continue;
        }
        for col in c..p {
            let dot: f64 = (c..m).map(|i| v[i - c] * a[(i, col)]).sum();
            for i in c..m {
                a[(i, col)] -= 2.0 * dot / vv * v[i - c];
            }
        }
        let dot: f64 = (c..m).map(|i| v[i - c] * b[i]).sum();
        for i in c..m {
            b[i] -= 2.0 * dot / vv * v[i - c];
        }
    }
    let mut coef = vec![0.0; p];
    for c in (0..p).rev() {
        let tail: f64 = (c + 1..p).map(|k| a[(c, k)] * coef[k]).sum();
        if a[(c, c)].abs() < 1e-300 {
            return None;
        }
        coef[c] = (b[c] - tail) / a[(c, c)];
    }
    Some(
        coef.iter()
            .zip(&scale)
            .map(|(v, s)| if *s == 0.0 { *v } else { v / s })
            .collect(),
    )
}

impl BinaryVariant for Poly {
    /// A polynomial per feature through the minority rows ordered by their
    /// mean, evaluated at uniform random positions (a fresh batch of draws
    /// per feature).
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let minority = data.minority_rows();
        let minority = minority.view();
        let (n_min, d) = minority.dim();
        if self.order >= n_min {
            return Err(ResampleError::NotApplicable(format!(
                "polynom_fit_SMOTE_poly fits polynomials of order {} through {n_min} minority rows: give an order \
                 below the class size",
                self.order
            )));
        }
        // Rows by their mean (NumPy's pairwise sum; equal means keep their order).
        let means: Vec<f64> = minority
            .rows()
            .into_iter()
            .map(|r| numpy_sum(&r.to_vec()) / d as f64)
            .collect();
        let mut order: Vec<usize> = (0..n_min).collect();
        order.sort_by(|&a, &b| means[a].total_cmp(&means[b]));
        let mut rng = make_rng(self.rng, self.random_state)?;
        let mut out = Array2::zeros((n, d));
        for j in 0..d {
            let column: Vec<f64> = order.iter().map(|&i| minority[(i, j)]).collect();
            let coef = polyfit(&column, self.order).ok_or_else(|| {
                ResampleError::NotApplicable("polynom_fit_SMOTE_poly: the polynomial fit is singular".into())
            })?;
            for r in 0..n {
                let at = rng.random() * n_min as f64;
                // np.poly1d: Horner from the highest power.
                out[(r, j)] = coef.iter().fold(0.0, |acc, &c| acc * at + c);
            }
        }
        Ok(out.into())
    }
}

struct Mesh {
    random_state: u64,
    rng: RngKind,
}

impl BinaryVariant for Mesh {
    /// smote-variants' simplex sampling at its defaults for the mesh
    /// (segments, simplices drawn at random, points spread evenly on
    /// them): `k` random partners per minority row, `n` of those segments
    /// drawn uniformly, and a segment drawn `c` times gets the `c` points
    /// `s / (c + 1)` of the way, `s = 1..=c`.
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome> {
        let minority = data.minority_rows();
        let minority = minority.view();
        let (n_min, d) = minority.dim();
        let k = per_row(n, n_min);
        let mut rng = make_rng(self.rng, self.random_state)?;
        // k rows of choice(n_min, n_min, replace=True), row by row.
        let partners: Vec<Vec<usize>> = (0..k)
            .map(|_| (0..n_min).map(|_| rng.randint(n_min)).collect())
            .collect();
        let segments: Vec<(usize, usize)> = (0..n_min)
            .flat_map(|i| partners.iter().map(move |p| (i, p[i])))
            .collect();
        let mut counts = std::collections::BTreeMap::new();
        for s in choice_uniform(&mut rng, segments.len(), n) {
            let (a, b) = segments[s];
            *counts.entry((a.min(b), a.max(b))).or_insert(0usize) += 1;
        }
        let most = counts.values().copied().max().unwrap_or(0);
        let mut out = Array2::zeros((n, d));
        let mut r = 0;
        for count in 1..=most {
            let step = 1.0 / (count + 1) as f64;
            for s in 1..=count {
                let split = step * s as f64;
                for (&(a, b), _) in counts.iter().filter(|(_, &c)| c == count) {
                    for j in 0..d {
                        out[(r, j)] = minority[(a, j)] + (minority[(b, j)] - minority[(a, j)]) * split;
                    }
                    r += 1;
                }
            }
        }
        Ok(out.into())
    }
}

/// Each minority row towards the minority's mean (the star topology).
///
/// polynom_fit_SMOTE with the star topology (Gazzah & Amara 2008), as
/// smote-variants 1.0.1's `polynom_fit_SMOTE_star`: `max(1, rint(n /
/// n_min))` rows on the segment from each minority row to the minority's
/// mean, where `n = int((n_maj - n_min) x proportion)`. No randomness.
/// Binary at heart; more classes go through smote-variants'
/// `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "polynom_fit_SMOTE_star", kind = "over", aliases = ["polynom-fit-star"])]
pub struct PolynomFitSmoteStar {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
}

impl Default for PolynomFitSmoteStar {
    fn default() -> Self {
        PolynomFitSmoteStar { proportion: 1.0 }
    }
}

impl Resampler for PolynomFitSmoteStar {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        resample(&Star, data.x(), data.y(), self.proportion)
    }
}

/// Each minority row towards the next (the bus topology).
///
/// polynom_fit_SMOTE with the bus topology (Gazzah & Amara 2008), as
/// smote-variants 1.0.1's `polynom_fit_SMOTE_bus`: `max(1, rint(n /
/// n_min))` rows on the segment from each minority row to the next one in
/// the data's order, where `n = int((n_maj - n_min) x proportion)`. No
/// randomness. More classes go through `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "polynom_fit_SMOTE_bus", kind = "over", aliases = ["polynom-fit-bus"])]
pub struct PolynomFitSmoteBus {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
}

impl Default for PolynomFitSmoteBus {
    fn default() -> Self {
        PolynomFitSmoteBus { proportion: 1.0 }
    }
}

impl Resampler for PolynomFitSmoteBus {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        resample(&Bus, data.x(), data.y(), self.proportion)
    }
}

/// Rows drawn from polynomials fitted per feature through the minority.
///
/// polynom_fit_SMOTE with the polynomial topology (Gazzah & Amara 2008), as
/// smote-variants 1.0.1's `polynom_fit_SMOTE_poly`: the minority rows ordered
/// by their mean, a least-squares polynomial of degree `order` per feature
/// through them (`np.polyfit` over their positions), and `n = int((n_maj -
/// n_min) x proportion)` rows, each feature the polynomial at a uniform
/// random position. More classes go through `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "polynom_fit_SMOTE_poly", kind = "over", aliases = ["polynom-fit-poly"])]
pub struct PolynomFitSmotePoly {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// The degree of the fitted polynomials. Default: 2.
    pub order: usize,
    /// Seed of the random positions. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for PolynomFitSmotePoly {
    fn default() -> Self {
        PolynomFitSmotePoly {
            proportion: 1.0,
            order: 2,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl Resampler for PolynomFitSmotePoly {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        if self.order == 0 {
            return Err(ResampleError::Parameter {
                name: "order".into(),
                value: "0".into(),
                expected: "a polynomial degree >= 1".into(),
            });
        }
        let poly = Poly {
            order: self.order,
            random_state: self.random_state,
            rng: self.rng,
        };
        resample(&poly, data.x(), data.y(), self.proportion)
    }
}

/// Points evenly spread on random segments between minority rows (the mesh
/// topology).
///
/// polynom_fit_SMOTE with the mesh topology (Gazzah & Amara 2008), as
/// smote-variants 1.0.1's `polynom_fit_SMOTE_mesh` with its default simplex
/// sampling (`ss_params`: segments, drawn at random, points spread evenly
/// on them): each minority row gets `max(1, rint(n / n_min))` random
/// partners among the minority rows, `n = int((n_maj - n_min) x
/// proportion)` of those segments are drawn uniformly, and a segment drawn
/// `c` times gets `c` evenly spaced points. More classes go through
/// `eq_1_vs_many_successive`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "polynom_fit_SMOTE_mesh", kind = "over", aliases = ["polynom-fit-mesh"])]
pub struct PolynomFitSmoteMesh {
    /// The share of the gap between the majority and the minority to generate (1.0: up to the majority's
    /// size). With more than two classes each class is brought to the majority's size instead. Default: 1.0.
    pub proportion: f64,
    /// Seed of the partners and the segments drawn. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937 with NumPy's algorithms: smote-variants' exact
    /// output for the same seed). Default: `default`.
    pub rng: RngKind,
}

impl Default for PolynomFitSmoteMesh {
    fn default() -> Self {
        PolynomFitSmoteMesh {
            proportion: 1.0,
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

impl Resampler for PolynomFitSmoteMesh {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        check_proportion(self.proportion)?;
        let mesh = Mesh {
            random_state: self.random_state,
            rng: self.rng,
        };
        resample(&mesh, data.x(), data.y(), self.proportion)
    }
}
