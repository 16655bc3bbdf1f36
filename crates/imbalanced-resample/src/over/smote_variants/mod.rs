//! Samplers of smote-variants (Kovács 2019, version 1.0.1), with its names,
//! parameters and defaults, and in parity mode (`rng = "numpy"`) its output
//! for the same seed where its randomness allows (fixture
//! `scripts/fixtures/sv_samplers.py`).
//!
//! What they share, here: smote-variants' binary core, which adds
//! `max(0, int((n_maj - n_min) x proportion))` rows to the minority class
//! (none when it has two rows or fewer); for more classes its
//! `MulticlassOversampling` with the default strategy,
//! `eq_1_vs_many_successive`; and its simplex sampling at the defaults
//! (segments, drawn uniformly, a uniform random point on each).

mod assembled;
mod ccr;
mod g_smote;
mod lee;
mod lvq;
mod polynom_fit;
mod prowsyn;
mod smobd;
mod smote_cleaned;

pub use assembled::AssembledSmote;
pub use ccr::Ccr;
pub use g_smote::GSmote;
pub use lee::Lee;
pub use lvq::LvqSmote;
pub use polynom_fit::{PolynomFitSmoteBus, PolynomFitSmoteMesh, PolynomFitSmotePoly, PolynomFitSmoteStar};
pub use prowsyn::ProWSyn;
pub use smobd::Smobd;
pub use smote_cleaned::{IpfVoting, SmoteIpf, SmoteTomekLinks};

use ndarray::{Array2, ArrayView2};

use crate::error::{ResampleError, Result};
use crate::util::{class_indices, numpy_sum};
use crate::{class_counts, Resampled};
use imbalanced_data::take_rows;
use imbalanced_neighbors::KnnIndex;
use imbalanced_random::SamplerRng;

/// The two-class problem a smote-variants sampler sees: its rows in its
/// order (the data's for two classes; the majority side, then the class,
/// for more), which of them are the minority, and the minority's label
/// there (0 or 1: the lower class code is 0 for two classes; the class
/// is 1 for more).
pub(crate) struct Binary<'a> {
    pub x: ArrayView2<'a, f64>,
    pub minority: Vec<bool>,
    pub min_label: usize,
}

impl Binary<'_> {
    /// Row `r`'s label as smote-variants sees it (0 or 1).
    pub fn label(&self, r: usize) -> usize {
        if self.minority[r] {
            self.min_label
        } else {
            1 - self.min_label
        }
    }

    fn rows(&self, minority: bool) -> Array2<f64> {
        let rows: Vec<usize> = (0..self.x.nrows()).filter(|&r| self.minority[r] == minority).collect();
        take_rows(self.x, &rows)
    }

    /// `X[y == min_label]`.
    pub fn minority_rows(&self) -> Array2<f64> {
        self.rows(true)
    }

    /// `X[y == maj_label]`.
    pub fn majority_rows(&self) -> Array2<f64> {
        self.rows(false)
    }
}

/// What a binary run returns: the synthetic minority rows and, for the
/// samplers that also clean, the rows of `[x; synthetic]` they drop
/// (ascending).
pub(crate) struct Outcome {
    pub synthetic: Array2<f64>,
    pub removed: Vec<usize>,
}

impl From<Array2<f64>> for Outcome {
    fn from(synthetic: Array2<f64>) -> Self {
        Outcome {
            synthetic,
            removed: Vec::new(),
        }
    }
}

/// A binary smote-variants sampler: the rows to add to the minority of
/// `data`, `n` of them as the method counts (some methods round it, as
/// polynom_fit_SMOTE's star does).
pub(crate) trait BinaryVariant {
    fn generate(&self, data: &Binary<'_>, n: usize) -> Result<Outcome>;

    /// Fewest columns the method needs (smote-variants' `min_n_dim` check):
    /// with fewer the data comes back unchanged.
    fn min_columns(&self) -> usize {
        0
    }

    /// Whether the method runs (and cleans) even with no rows to add.
    fn cleans_anyway(&self) -> bool {
        false
    }
}

/// `proportion` is a share >= 0 of the gap to the majority.
pub(crate) fn check_proportion(proportion: f64) -> Result<()> {
    if proportion.is_nan() || proportion < 0.0 {
        return Err(ResampleError::Parameter {
            name: "proportion".into(),
            value: proportion.to_string(),
            expected: "a share >= 0 of the gap to the majority class (1.0: as many rows as the majority)".into(),
        });
    }
    Ok(())
}

/// A parameter that must be at least `min` (smote-variants'
/// `check_greater_or_equal`).
pub(crate) fn check_at_least(name: &str, value: f64, min: f64) -> Result<()> {
    if value.is_nan() || value < min {
        return Err(ResampleError::Parameter {
            name: name.into(),
            value: value.to_string(),
            expected: format!("a value >= {min}"),
        });
    }
    Ok(())
}

/// The rows to generate: smote-variants' `det_n_to_sample`.
fn n_to_sample(n_maj: usize, n_min: usize, proportion: f64) -> usize {
    ((n_maj as f64 - n_min as f64) * proportion).max(0.0) as usize
}

/// One binary run, as smote-variants' `OverSampling.sample`: nothing for a
/// minority of two rows or fewer, too few columns, or nothing to generate.
fn binary_run(variant: &dyn BinaryVariant, data: &Binary<'_>, proportion: f64) -> Result<Outcome> {
    let n_min = data.minority.iter().filter(|&&m| m).count();
    let n = n_to_sample(data.x.nrows() - n_min, n_min, proportion);
    if n_min <= 2 || (n == 0 && !variant.cleans_anyway()) || data.x.ncols() < variant.min_columns() {
        return Ok(Array2::zeros((0, data.x.ncols())).into());
    }
    variant.generate(data, n)
}

/// The rows of `[x; synthetic]` that `outcome` keeps, in order.
fn kept(outcome: &Outcome, n: usize) -> Vec<usize> {
    let mut removed = outcome.removed.iter().peekable();
    (0..n + outcome.synthetic.nrows())
        .filter(|r| {
            if removed.peek() == Some(&r) {
                removed.next();
                false
            } else {
                true
            }
        })
        .collect()
}

/// `variant` on `x` and class codes `y`.
///
/// Two classes: the smaller one (the second on a tie, as smote-variants) is
/// over-sampled with `proportion` on the data as given; the output is the
/// rows the sampler keeps, input rows first, then its synthetic rows.
///
/// More classes: `eq_1_vs_many_successive`: the classes by decreasing size
/// (ties in code order); each in turn is over-sampled against the majority
/// class and every class already done, with the proportion that brings it
/// to the majority's size (`proportion` is not used, as in smote-variants).
/// The output is the input, then each class's synthetic rows in that order.
/// As smote-variants, a sampler that also cleans drops no input row here:
/// a class's rows are those its sampler kept past the length of its input,
/// and the rows it kept of the class join the majority side.
pub(crate) fn resample(
    variant: &dyn BinaryVariant,
    x: ArrayView2<'_, f64>,
    y: &[usize],
    proportion: f64,
) -> Result<Resampled> {
    let counts = class_counts(y);
    let mut order: Vec<(usize, usize)> = counts.iter().map(|(&c, &n)| (c, n)).collect();
    // Python's sorted by -count: stable, so ties keep the code order.
    order.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    if order.len() == 2 {
        let (first, second) = (order[0], order[1]);
        // np.unique's order: the smaller code first; the minority is the
        // first only when strictly smaller.
        let (low, high) = if first.0 < second.0 {
            (first, second)
        } else {
            (second, first)
        };
        let min = if low.1 < high.1 { low.0 } else { high.0 };
        let data = Binary {
            x,
            minority: y.iter().map(|&c| c == min).collect(),
            min_label: usize::from(min == high.0),
        };
        let outcome = binary_run(variant, &data, proportion)?;
        let n = x.nrows();
        let rows = kept(&outcome, n);
        let mut out = Array2::zeros((rows.len(), x.ncols()));
        for (o, &r) in rows.iter().enumerate() {
            let row = if r < n { x.row(r) } else { outcome.synthetic.row(r - n) };
            out.row_mut(o).assign(&row);
        }
        return Ok(Resampled {
            x: out,
            y: rows.iter().map(|&r| if r < n { y[r] } else { min }).collect(),
            origin: rows.iter().map(|&r| (r < n).then_some(r)).collect(),
        });
    }
    let rows_of = |c: usize| take_rows(x, &class_indices(y, c));
    let mut synthetic: Vec<(usize, Array2<f64>)> = Vec::new();
    if order.len() > 2 {
        let n_majority = order[0].1;
        let mut majority = rows_of(order[0].0);
        for (i, &(c, n_c)) in order.iter().enumerate().skip(1) {
            let proportion = (n_majority as f64 - n_c as f64) / (i as f64 * n_majority as f64 - n_c as f64);
            let own = rows_of(c);
            let train = ndarray::concatenate(ndarray::Axis(0), &[majority.view(), own.view()]).expect("same width");
            let n_train = train.nrows();
            let n_side = majority.nrows();
            let data = Binary {
                x: train.view(),
                minority: (0..n_train).map(|r| r >= n_side).collect(),
                min_label: 1,
            };
            let outcome = binary_run(variant, &data, proportion)?;
            let row = |r: usize| {
                if r < n_train {
                    train.row(r)
                } else {
                    outcome.synthetic.row(r - n_train)
                }
            };
            let rows = kept(&outcome, n_train);
            let class_rows: Vec<usize> = rows.iter().copied().filter(|&r| r >= n_side).collect();
            let tail: Vec<usize> = rows.iter().skip(n_train).copied().filter(|&r| r >= n_side).collect();
            let gather = |rows: &[usize]| {
                let mut out = Array2::zeros((rows.len(), x.ncols()));
                for (o, &r) in rows.iter().enumerate() {
                    out.row_mut(o).assign(&row(r));
                }
                out
            };
            let joined = gather(&class_rows);
            synthetic.push((c, gather(&tail)));
            majority = ndarray::concatenate(ndarray::Axis(0), &[majority.view(), joined.view()]).expect("same width");
        }
    }
    // One allocation for the output: the input rows, then each block.
    let (n, d) = x.dim();
    let total = n + synthetic.iter().map(|(_, rows)| rows.nrows()).sum::<usize>();
    let mut out_x = Array2::zeros((total, d));
    out_x.slice_mut(ndarray::s![..n, ..]).assign(&x);
    let mut out_y = y.to_vec();
    for (c, rows) in &synthetic {
        let start = out_y.len();
        out_x
            .slice_mut(ndarray::s![start..start + rows.nrows(), ..])
            .assign(rows);
        out_y.extend(std::iter::repeat_n(*c, rows.nrows()));
    }
    let origin = crate::inputs_then_new(n, out_y.len());
    Ok(Resampled {
        x: out_x,
        y: out_y,
        origin,
    })
}

/// `weights / np.sum(weights)`, the probabilities smote-variants passes to
/// `choice`.
pub(crate) fn normalised(weights: &[f64]) -> Vec<f64> {
    let total = numpy_sum(weights);
    weights.iter().map(|w| w / total).collect()
}

/// NumPy's legacy `choice(n, size, p=uniform)`, the probabilities being
/// smote-variants' `np.repeat(1/n, n)` normalised.
pub(crate) fn choice_uniform(rng: &mut SamplerRng, n: usize, size: usize) -> Vec<usize> {
    rng.choice_p(&normalised(&vec![1.0 / n as f64; n]), size)
}

/// smote-variants' `sample_simplex` at its defaults (`n_dim = 2`, simplices
/// drawn uniformly, a random point within): the segments are each base row
/// `i` of `x` with each of its partners `partners[i][1..]` (column 0 is the
/// row itself, as a k-NN query of the rows returns it); `n` of them are
/// drawn uniformly, then two uniform weights per segment, normalised to sum
/// to one, place the point. A row without partners gives itself.
pub(crate) fn sample_segments(
    x: ArrayView2<'_, f64>,
    partners: &Array2<usize>,
    n: usize,
    rng: &mut SamplerRng,
) -> Array2<f64> {
    let d = x.ncols();
    let k = partners.ncols();
    let mut out = Array2::zeros((n, d));
    if n == 0 {
        return out;
    }
    if k <= 1 {
        let chosen = choice_uniform(rng, partners.nrows(), n);
        for (r, &i) in chosen.iter().enumerate() {
            // The weight w / w = 1, drawn all the same.
            rng.random();
            out.row_mut(r).assign(&x.row(i));
        }
        return out;
    }
    let per = k - 1;
    let chosen = choice_uniform(rng, partners.nrows() * per, n);
    for (r, &s) in chosen.iter().enumerate() {
        let (base, other) = (s / per, partners[(s / per, s % per + 1)]);
        let (w0, w1) = (rng.random(), rng.random());
        let sum = w0 + w1;
        let (w0, w1) = (w0 / sum, w1 / sum);
        for j in 0..d {
            out[(r, j)] = x[(base, j)] * w0 + x[(other, j)] * w1;
        }
    }
    out
}

/// smote-variants' k-NN query of the rows of `x` among themselves with
/// `min(n, k + 1)` neighbours, the row itself (or an equal row of lower
/// index) first: the `indices` its simplex sampling takes.
pub(crate) fn self_query(x: ArrayView2<'_, f64>, k: usize) -> Result<Array2<usize>> {
    let k = (k + 1).min(x.nrows());
    let all: Vec<usize> = (0..x.nrows()).collect();
    Ok(KnnIndex::new(x).query_points(&all, k)?.indices)
}

/// smote-variants' SMOTE (its `SMOTE` at the default simplex sampling) on
/// the minority rows `x_min`: `n` points on segments between a row and one
/// of its `k` nearest minority neighbours.
pub(crate) fn smote(x_min: ArrayView2<'_, f64>, k: usize, n: usize, rng: &mut SamplerRng) -> Result<Array2<f64>> {
    let partners = self_query(x_min, k)?;
    Ok(sample_segments(x_min, &partners, n, rng))
}

/// The unit direction of largest variance of the rows of `x` (the
/// principal eigenvector of their covariance, `np.cov(x, rowvar=False)`;
/// scikit-learn's first PCA component up to its sign), by cyclic Jacobi
/// rotations. Ties between eigenvalues go to the lower index, as
/// `np.argmax`.
pub(crate) fn principal_axis(x: ArrayView2<'_, f64>) -> Vec<f64> {
    let (n, d) = x.dim();
    let mean: Vec<f64> = (0..d).map(|j| x.column(j).sum() / n as f64).collect();
    let mut a = Array2::<f64>::zeros((d, d));
    for row in x.rows() {
        for i in 0..d {
            for j in 0..d {
                a[(i, j)] += (row[i] - mean[i]) * (row[j] - mean[j]);
            }
        }
    }
    let mut v = Array2::<f64>::eye(d);
    for _sweep in 0..100 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[(i, j)] * a[(i, j)])
            .sum();
        let scale: f64 = a.iter().map(|v| v * v).sum();
        if off <= 1e-30 * scale || off == 0.0 {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                if a[(p, q)] == 0.0 {
                    continue;
                }
                let theta = (a[(q, q)] - a[(p, p)]) / (2.0 * a[(p, q)]);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..d {
                    let (akp, akq) = (a[(k, p)], a[(k, q)]);
                    a[(k, p)] = c * akp - s * akq;
                    a[(k, q)] = s * akp + c * akq;
                }
                for k in 0..d {
                    let (apk, aqk) = (a[(p, k)], a[(q, k)]);
                    a[(p, k)] = c * apk - s * aqk;
                    a[(q, k)] = s * apk + c * aqk;
                }
                for k in 0..d {
                    let (vkp, vkq) = (v[(k, p)], v[(k, q)]);
                    v[(k, p)] = c * vkp - s * vkq;
                    v[(k, q)] = s * vkp + c * vkq;
                }
            }
        }
    }
    let top = (0..d).fold(0, |best, i| if a[(i, i)] > a[(best, best)] { i } else { best });
    v.column(top).to_vec()
}
