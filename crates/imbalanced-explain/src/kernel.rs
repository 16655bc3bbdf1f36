//! Model-agnostic SHAP values (interventional): the Shapley values of
//! `v(S) = mean over background rows b of f(x_S, b_rest)`, for any model
//! given as a function from rows to outputs.
//!
//! `M` counts the varying features: those where the row differs from some
//! background row (as shap, `np.allclose`); the others get 0. With `2^M - 2`
//! coalitions within the sample budget (shap's `nsamples = "auto"`: `2M +
//! 2048`), every coalition is evaluated and the values are exact (what
//! shap's `KernelExplainer` gives when it enumerates them all). Beyond,
//! KernelSHAP (Lundberg & Lee 2017) as shap 0.51's `KernelExplainer` runs
//! it: the coalition sizes whose every coalition the budget affords at the
//! Shapley kernel's weight are enumerated (small sizes with their
//! complements), the rest of the budget is drawn at random by the kernel's
//! size distribution (a repeated draw adds weight to the first), and the
//! weighted least squares with `Σ phi = f(x) - base` imposed by eliminating
//! the last feature give the values. Row `i` draws from NumPy's
//! `RandomState(seed + i)`: shap's values with `l1_reg=False` after
//! `np.random.seed(seed + i)`, for that row alone, are the same (fixture
//! `scripts/fixtures/kernel_shap.py`). shap's default `l1_reg =
//! "num_features(10)"` keeps only ten features' values; we keep all.

use std::collections::HashMap;

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, Array3, ArrayView2};
use rayon::prelude::*;

use crate::{Attributions, ExplainError};

/// A model's outputs (`n x k`) for rows (`n x d`).
pub type Model<'a> = dyn Fn(ArrayView2<'_, f64>) -> Result<Array2<f64>, ExplainError> + Sync + 'a;

/// Settings: the coalition budget (`None`: shap's `2M + 2048`) and the seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KernelShap {
    pub nsamples: Option<usize>,
    pub seed: u64,
}

/// `v(S)` for the coalitions `masks` (bit `j` set: feature `j` from `x`):
/// the model's mean output over the background rows with the rest.
fn coalition_values(
    model: &Model<'_>,
    x: &[f64],
    background: ArrayView2<'_, f64>,
    masks: &[u64],
) -> Result<Array2<f64>, ExplainError> {
    let (b, d) = background.dim();
    let mut rows = Array2::zeros((masks.len() * b, d));
    for (m, &mask) in masks.iter().enumerate() {
        for r in 0..b {
            for j in 0..d {
                rows[(m * b + r, j)] = if mask >> j & 1 == 1 { x[j] } else { background[(r, j)] };
            }
        }
    }
    let out = model(rows.view())?;
    let k = out.ncols();
    Ok(Array2::from_shape_fn((masks.len(), k), |(m, c)| {
        (0..b).map(|r| out[(m * b + r, c)]).sum::<f64>() / b as f64
    }))
}

/// A coalition of the varying features (bit `b`: `varying[b]`) as a mask
/// of all the columns.
fn widen(mask: u64, varying: &[usize]) -> u64 {
    varying
        .iter()
        .enumerate()
        .fold(0u64, |m, (b, &j)| m | (mask >> b & 1) << j)
}

/// The columns where `row` differs from some background row, as shap
/// decides (`np.allclose(x_j, background[:, j])`: `|x - b| <= 1e-8 + 1e-5
/// |b|`, NaN equal to NaN).
fn varying_features(row: &[f64], background: ArrayView2<'_, f64>) -> Vec<usize> {
    (0..row.len())
        .filter(|&j| {
            background.column(j).iter().any(|&b| {
                let close = (row[j] - b).abs() <= 1e-8 + 1e-5 * b.abs() || (row[j].is_nan() && b.is_nan());
                !close
            })
        })
        .collect()
}

fn factorial(n: usize) -> f64 {
    (1..=n).map(|i| i as f64).product()
}

/// Exact Shapley values from every coalition's value (`values[mask]`).
fn exact(values: &Array2<f64>, d: usize) -> Vec<Vec<f64>> {
    let k = values.ncols();
    let weight: Vec<f64> = (0..d)
        .map(|s| factorial(s) * factorial(d - s - 1) / factorial(d))
        .collect();
    (0..d)
        .map(|j| {
            let mut phi = vec![0.0; k];
            for mask in 0u64..1 << d {
                if mask >> j & 1 == 0 {
                    let w = weight[mask.count_ones() as usize];
                    for (c, p) in phi.iter_mut().enumerate() {
                        *p += w * (values[((mask | 1 << j) as usize, c)] - values[(mask as usize, c)]);
                    }
                }
            }
            phi
        })
        .collect()
}

/// Solves the symmetric positive definite system `a z = b` (Cholesky).
fn solve(mut a: Array2<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for j in 0..n {
        let mut diag = a[(j, j)];
        for p in 0..j {
            diag -= a[(j, p)] * a[(j, p)];
        }
        if diag <= 0.0 {
            return None;
        }
        a[(j, j)] = diag.sqrt();
        for i in j + 1..n {
            let mut v = a[(i, j)];
            for p in 0..j {
                v -= a[(i, p)] * a[(j, p)];
            }
            a[(i, j)] = v / a[(j, j)];
        }
    }
    for i in 0..n {
        for p in 0..i {
            b[i] -= a[(i, p)] * b[p];
        }
        b[i] /= a[(i, i)];
    }
    for i in (0..n).rev() {
        for p in i + 1..n {
            b[i] -= a[(p, i)] * b[p];
        }
        b[i] /= a[(i, i)];
    }
    Some(b)
}

impl KernelShap {
    /// The SHAP values of the rows `x` for `model` against the `background`
    /// rows (keep it small: every coalition is evaluated on each of them),
    /// rows in parallel, the same on any thread count.
    pub fn explain(
        &self,
        model: &Model<'_>,
        x: ArrayView2<'_, f64>,
        background: ArrayView2<'_, f64>,
    ) -> Result<Attributions, ExplainError> {
        let d = x.ncols();
        if background.ncols() != d || background.nrows() == 0 {
            return Err(ExplainError::Input(
                "the background needs rows with the explained rows' columns".into(),
            ));
        }
        if d == 0 || d > 60 {
            return Err(ExplainError::Input(format!("{d} features: KernelSHAP takes 1 to 60")));
        }
        let base = coalition_values(model, &vec![0.0; d], background, &[0])?
            .row(0)
            .to_vec();
        let k = base.len();
        let rows: Vec<Vec<Vec<f64>>> = (0..x.nrows())
            .into_par_iter()
            .map(|i| {
                let row = x.row(i).to_vec();
                let fx = model(x.slice(ndarray::s![i..=i, ..]))?.row(0).to_vec();
                let varying = varying_features(&row, background);
                let m = varying.len();
                let mut phi = vec![vec![0.0; k]; d];
                if m == 1 {
                    phi[varying[0]] = fx.iter().zip(&base).map(|(f, b)| f - b).collect();
                }
                if m < 2 {
                    return Ok(phi);
                }
                // shap's budget counts the varying features.
                let budget = self.nsamples.unwrap_or(2 * m + 2048);
                if (1u64 << m) - 2 > budget as u64 {
                    return self.sampled(model, &row, background, (&base, &fx), &varying, budget, i);
                }
                let masks: Vec<u64> = (1..(1u64 << m) - 1).map(|mask| widen(mask, &varying)).collect();
                let inner = coalition_values(model, &row, background, &masks)?;
                let values = Array2::from_shape_fn((1 << m, k), |(mask, c)| match mask {
                    0 => base[c],
                    full if full == (1 << m) - 1 => fx[c],
                    mask => inner[(mask - 1, c)],
                });
                for (b, values) in exact(&values, m).into_iter().enumerate() {
                    phi[varying[b]] = values;
                }
                Ok(phi)
            })
            .collect::<Result<_, ExplainError>>()?;
        let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| rows[i][j][c]);
        Ok(Attributions {
            base_values: base,
            values,
        })
    }

    /// KernelSHAP by shap's scheme (module docs) over the varying
    /// features `varying`, with `budget` coalitions, for row `i`.
    #[allow(clippy::too_many_arguments)]
    fn sampled(
        &self,
        model: &Model<'_>,
        row: &[f64],
        background: ArrayView2<'_, f64>,
        (base, fx): (&[f64], &[f64]),
        varying: &[usize],
        budget: usize,
        i: usize,
    ) -> Result<Vec<Vec<f64>>, ExplainError> {
        let plan = Coalitions::shap(varying.len(), budget, self.seed.wrapping_add(i as u64));
        let masks: Vec<u64> = plan.masks.iter().map(|&m| widen(m, varying)).collect();
        let values = coalition_values(model, row, background, &masks)?;
        let m = varying.len();
        let mut phi = vec![vec![0.0; base.len()]; row.len()];
        for c in 0..base.len() {
            let target = fx[c] - base[c];
            let last = m - 1;
            // z_j = [j in S] - [last in S]; y = v(S) - base - [last in S] target.
            let mut ztwz = Array2::<f64>::zeros((last, last));
            let mut ztwy = vec![0.0; last];
            for (s, (&mask, &w)) in plan.masks.iter().zip(&plan.weights).enumerate() {
                let in_last = f64::from(u8::from(mask >> last & 1 == 1));
                let z: Vec<f64> = (0..last)
                    .map(|j| f64::from(u8::from(mask >> j & 1 == 1)) - in_last)
                    .collect();
                let y = values[(s, c)] - base[c] - in_last * target;
                for a in 0..last {
                    ztwy[a] += w * z[a] * y;
                    for b in 0..last {
                        ztwz[(a, b)] += w * z[a] * z[b];
                    }
                }
            }
            let solved = solve(ztwz, ztwy).ok_or_else(|| {
                ExplainError::Input(format!(
                    "{budget} coalitions do not determine {m} features' values: raise nsamples"
                ))
            })?;
            let rest = target - solved.iter().sum::<f64>();
            for (b, &j) in varying.iter().enumerate() {
                let v = if b == last { rest } else { solved[b] };
                // As shap, rounding noise is cleaned to 0.
                phi[j][c] = if v.abs() < 1e-10 { 0.0 } else { v };
            }
        }
        Ok(phi)
    }
}

/// The coalitions shap's `KernelExplainer` evaluates for `m` varying
/// features and a budget, with their kernel weights.
struct Coalitions {
    masks: Vec<u64>,
    weights: Vec<f64>,
}

fn binomial(n: usize, k: usize) -> f64 {
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

impl Coalitions {
    /// shap 0.51's `KernelExplainer.explain` for `2 <= m <= 60` features:
    /// whole sizes while the budget affords them, then random draws from
    /// `RandomState(seed)`.
    fn shap(m: usize, budget: usize, seed: u64) -> Self {
        let mut plan = Coalitions {
            masks: Vec::with_capacity(budget),
            weights: Vec::with_capacity(budget),
        };
        // shap: ceil((M - 1) / 2) sizes, the first floor((M - 1) / 2) paired with their complements.
        let sizes = (m - 1).div_ceil(2);
        let paired = (m - 1) / 2;
        let mut weight: Vec<f64> = (1..=sizes)
            .map(|s| (m as f64 - 1.0) / (s as f64 * (m - s) as f64))
            .collect();
        for w in weight.iter_mut().take(paired) {
            *w *= 2.0;
        }
        let total: f64 = weight.iter().sum();
        for w in &mut weight {
            *w /= total;
        }
        let everything = (1u64 << m) - 1;
        let mut full = 0;
        let mut left = budget as f64;
        let mut remaining = weight.clone();
        for size in 1..=sizes {
            let mut count = binomial(m, size);
            if size <= paired {
                count *= 2.0;
            }
            if left * remaining[size - 1] / count < 1.0 - 1e-8 {
                break;
            }
            full += 1;
            left -= count;
            if remaining[size - 1] < 1.0 {
                let scale = 1.0 - remaining[size - 1];
                for r in &mut remaining {
                    *r /= scale;
                }
            }
            let mut w = weight[size - 1] / binomial(m, size);
            if size <= paired {
                w /= 2.0;
            }
            for_each_combination(m, size, |mask| {
                plan.masks.push(mask);
                plan.weights.push(w);
                if size <= paired {
                    plan.masks.push(!mask & everything);
                    plan.weights.push(w);
                }
            });
        }
        let fixed = plan.masks.len();
        let mut samples_left = budget.saturating_sub(fixed);
        if full == sizes || samples_left == 0 {
            return plan;
        }
        // Draws for the sizes not enumerated, two samples per paired draw.
        let mut p: Vec<f64> = weight.clone();
        for w in p.iter_mut().take(paired) {
            *w /= 2.0;
        }
        let p = &p[full..];
        let sum: f64 = p.iter().sum();
        let mut cdf: Vec<f64> = p
            .iter()
            .scan(0.0, |acc, w| {
                *acc += w / sum;
                Some(*acc)
            })
            .collect();
        // NumPy's legacy choice(p=...): the cumulative sum over its last value.
        let last = *cdf.last().unwrap_or(&1.0);
        for c in &mut cdf {
            *c /= last;
        }
        let mut rng = SamplerRng::new(RngKind::Numpy, seed);
        let draws: Vec<usize> = (0..4 * samples_left)
            .map(|_| {
                let u = rng.random();
                cdf.partition_point(|&c| c <= u)
            })
            .collect();
        let mut seen: HashMap<u64, usize> = HashMap::new();
        for ind in draws {
            if samples_left == 0 {
                break;
            }
            let size = ind + full + 1;
            let order = rng.permutation(m);
            let mask = order[..size].iter().fold(0u64, |acc, &j| acc | 1 << j);
            let new = !seen.contains_key(&mask);
            if new {
                seen.insert(mask, plan.masks.len());
                plan.masks.push(mask);
                plan.weights.push(1.0);
                samples_left -= 1;
            } else {
                plan.weights[seen[&mask]] += 1.0;
            }
            if samples_left > 0 && size <= paired {
                if new {
                    plan.masks.push(!mask & everything);
                    plan.weights.push(1.0);
                    samples_left -= 1;
                } else {
                    plan.weights[seen[&mask] + 1] += 1.0;
                }
            }
        }
        // The drawn samples share the kernel weight the enumerated sizes left.
        let weight_left: f64 = weight[full..].iter().sum();
        let drawn: f64 = plan.weights[fixed..].iter().sum();
        for w in &mut plan.weights[fixed..] {
            *w *= weight_left / drawn;
        }
        plan
    }
}

/// Calls `f` with every mask of `size` of `m` bits, in
/// `itertools.combinations` order.
fn for_each_combination(m: usize, size: usize, mut f: impl FnMut(u64)) {
    let mut idx: Vec<usize> = (0..size).collect();
    loop {
        f(idx.iter().fold(0u64, |acc, &j| acc | 1 << j));
        let Some(i) = (0..size).rev().find(|&i| idx[i] != i + m - size) else {
            return;
        };
        idx[i] += 1;
        for k in i + 1..size {
            idx[k] = idx[k - 1] + 1;
        }
    }
}
