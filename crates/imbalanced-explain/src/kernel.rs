//! Model-agnostic SHAP values (interventional): the Shapley values of
//! `v(S) = mean over background rows b of f(x_S, b_rest)`, for any model
//! given as a function from rows to outputs.
//!
//! With `2^M - 2` coalitions within the sample budget (shap's `nsamples
//! = "auto"`: `2M + 2048`), every coalition is evaluated and the values are
//! exact (what shap's `KernelExplainer` gives when it enumerates them all).
//! Beyond, KernelSHAP (Lundberg & Lee 2017): coalitions drawn by the Shapley
//! kernel's size distribution, each with its complement, and the weighted
//! least-squares fit with the efficiency constraint, as shap solves it (the
//! values then carry sampling error; our draws, seeded, not shap's).

use imbalanced_random::Generator;
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
        let budget = self.nsamples.unwrap_or(2 * d + 2048);
        let base = coalition_values(model, &vec![0.0; d], background, &[0])?
            .row(0)
            .to_vec();
        let k = base.len();
        let full = d < 63 && (1u64 << d) - 2 <= budget as u64;
        let rows: Vec<Vec<Vec<f64>>> = (0..x.nrows())
            .into_par_iter()
            .map(|i| {
                let row = x.row(i).to_vec();
                if full {
                    let masks: Vec<u64> = (0..1u64 << d).collect();
                    let values = coalition_values(model, &row, background, &masks)?;
                    return Ok(exact(&values, d));
                }
                self.sampled(model, &row, background, &base, budget, i)
            })
            .collect::<Result<_, ExplainError>>()?;
        let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| rows[i][j][c]);
        Ok(Attributions {
            base_values: base,
            values,
        })
    }

    /// KernelSHAP by sampling: `budget` coalitions (in complementary pairs)
    /// drawn by the Shapley kernel's size distribution, then the weighted
    /// least squares with `Σ phi = f(x) - base` imposed by eliminating the
    /// last feature (as shap does).
    fn sampled(
        &self,
        model: &Model<'_>,
        row: &[f64],
        background: ArrayView2<'_, f64>,
        base: &[f64],
        budget: usize,
        i: usize,
    ) -> Result<Vec<Vec<f64>>, ExplainError> {
        let d = row.len();
        let mut rng = Generator::new((u128::from(self.seed) << 64) | i as u128);
        // The kernel's mass of each coalition size 1..d-1: (d-1) / (s (d-s)).
        let sizes: Vec<f64> = (1..d).map(|s| (d - 1) as f64 / (s * (d - s)) as f64).collect();
        let total: f64 = sizes.iter().sum();
        let mut masks = Vec::with_capacity(budget);
        while masks.len() + 1 < budget.max(2) {
            let u = rng.random() * total;
            let mut acc = 0.0;
            let size = 1 + sizes
                .iter()
                .position(|w| {
                    acc += w;
                    acc > u
                })
                .unwrap_or(d - 2);
            let chosen = rng.choice(d, size, false, true).unwrap_or_default();
            let mask = chosen.iter().fold(0u64, |m, &j| m | 1 << j);
            masks.push(mask);
            masks.push(!mask & ((1u64 << d) - 1));
        }
        let everything = (1u64 << d) - 1;
        let mut all = masks.clone();
        all.push(everything);
        let values = coalition_values(model, row, background, &all)?;
        let k = base.len();
        let fx: Vec<f64> = (0..k).map(|c| values[(all.len() - 1, c)]).collect();
        // Each sampled coalition has weight 1 (its draw already follows the
        // kernel); eliminate the last feature: phi_last = (f(x) - base) - Σ others.
        let m = d - 1;
        (0..k)
            .map(|c| {
                let target = fx[c] - base[c];
                let mut ata = Array2::<f64>::zeros((m, m));
                let mut atb = vec![0.0; m];
                for (s, &mask) in masks.iter().enumerate() {
                    let last = f64::from(u8::from(mask >> m & 1 == 1));
                    let z: Vec<f64> = (0..m).map(|j| f64::from(u8::from(mask >> j & 1 == 1)) - last).collect();
                    let yv = values[(s, c)] - base[c] - last * target;
                    for a in 0..m {
                        atb[a] += z[a] * yv;
                        for b in 0..m {
                            ata[(a, b)] += z[a] * z[b];
                        }
                    }
                }
                for a in 0..m {
                    ata[(a, a)] += 1e-12;
                }
                let phi =
                    solve(ata, atb).ok_or_else(|| ExplainError::Input("too few coalitions: raise nsamples".into()))?;
                let last = target - phi.iter().sum::<f64>();
                Ok(phi.into_iter().chain(std::iter::once(last)).collect::<Vec<f64>>())
            })
            .collect::<Result<Vec<Vec<f64>>, ExplainError>>()
            .map(|per_class| (0..d).map(|j| per_class.iter().map(|p| p[j]).collect()).collect())
    }
}
