//! A class-conditional denoising-diffusion sampler for minority rows, after
//! TabDDPM (Kotelnikov et al. 2023) and the physics-informed diffusion model
//! of the seed papers (generation given known parameters). Our formulation:
//! Gaussian diffusion of the standardised numeric features with a cosine
//! schedule (Nichol & Dhariwal 2021), an MLP denoiser that predicts the
//! noise from the noisy row, the step, the class and the conditioning
//! columns, trained on every class's rows; DDPM ancestral sampling.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use imbalanced_models::regression::Regressor;
use imbalanced_models::Activation;
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng};
use crate::{class_counts, Resampled, Resampler};

/// Sinusoidal features of the step: `TIME_FEATURES / 2` frequencies.
const TIME_FEATURES: usize = 16;

/// New minority rows from a class-conditional diffusion model.
///
/// Our formulation of a TabDDPM-style sampler (Kotelnikov et al. 2023):
/// numeric features are standardised and diffused with Gaussian noise over
/// `n_steps` steps (cosine schedule); an MLP (`hidden_layer_sizes`, ReLU,
/// Adam) learns to predict the noise from the noisy row, the step, the
/// class and the `condition` columns, on the rows of every class
/// (`max_iter` batches of `batch_size`). New rows of a class start as pure
/// noise and are denoised step by step (DDPM's ancestral sampling from the
/// posterior around the predicted clean row, kept within each column's
/// range in the data). The
/// `condition` columns (the physics-informed idea: generate given known
/// parameters) are not generated: each new row takes them from a random
/// real row of its class and is generated given them. The output is the
/// input, then the new rows class by class. Numeric features only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "DiffusionOverSampler", kind = "over", aliases = ["diffusion"])]
pub struct DiffusionOverSampler {
    /// Which classes to over-sample and to what size: `auto` (every class but the majority, up to its size),
    /// `minority`, `not minority`, `not majority`, `all`, a ratio minority / majority (binary targets) or
    /// `{"label": count}`. Default: `auto`.
    pub sampling_strategy: SamplingStrategy,
    /// Diffusion steps. Default: 100.
    pub n_steps: usize,
    /// Sizes of the denoiser's hidden layers. Default: `[128, 128]`.
    pub hidden_layer_sizes: Vec<usize>,
    /// Training batches. Default: 2000.
    pub max_iter: usize,
    /// Rows per training batch (drawn with replacement). Default: 256.
    pub batch_size: usize,
    /// Adam's learning rate. Default: 0.001.
    pub learning_rate: f64,
    /// Columns (0-based) the rows are generated given, not generated: each new row takes them from a real row
    /// of its class. Default: none.
    pub condition: Vec<usize>,
    /// Seed of the network, the batches and the noise. Default: 0.
    pub random_state: u64,
    /// Bit source: `default` (xoshiro256++) or `numpy` (MT19937). Default: `default`.
    pub rng: RngKind,
}

impl Default for DiffusionOverSampler {
    fn default() -> Self {
        DiffusionOverSampler {
            sampling_strategy: SamplingStrategy::Auto,
            n_steps: 100,
            hidden_layer_sizes: vec![128, 128],
            max_iter: 2000,
            batch_size: 256,
            learning_rate: 1e-3,
            condition: Vec::new(),
            random_state: 0,
            rng: RngKind::Default,
        }
    }
}

/// The cosine schedule: `alpha_bar[t]` for `t = 0..=n` (`alpha_bar[0] =
/// 1`) and each step's `beta[t]`, `t = 1..=n` (index 0 unused), capped at
/// 0.999.
fn cosine_schedule(n: usize) -> (Vec<f64>, Vec<f64>) {
    let s = 0.008;
    let f = |t: usize| {
        ((t as f64 / n as f64 + s) / (1.0 + s) * std::f64::consts::FRAC_PI_2)
            .cos()
            .powi(2)
    };
    let mut alpha_bar = vec![1.0; n + 1];
    let mut beta = vec![0.0; n + 1];
    for t in 1..=n {
        beta[t] = (1.0 - f(t) / f(t - 1)).min(0.999);
        alpha_bar[t] = alpha_bar[t - 1] * (1.0 - beta[t]);
    }
    (alpha_bar, beta)
}

/// The denoiser's input row: the noisy features, the step's sinusoidal
/// features, the class one-hot, the conditions.
fn input_row(out: &mut [f64], noisy: &[f64], t: usize, n_steps: usize, class: usize, n_classes: usize, cond: &[f64]) {
    let d = noisy.len();
    out[..d].copy_from_slice(noisy);
    let phase = t as f64 / n_steps as f64;
    for k in 0..TIME_FEATURES / 2 {
        let freq = (2.0f64).powi(k as i32) * std::f64::consts::PI;
        out[d + 2 * k] = (freq * phase).sin();
        out[d + 2 * k + 1] = (freq * phase).cos();
    }
    let base = d + TIME_FEATURES;
    out[base..base + n_classes].fill(0.0);
    out[base + class] = 1.0;
    out[base + n_classes..].copy_from_slice(cond);
}

/// Column means and standard deviations (1 for a constant column).
fn standardiser(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = x.mean_axis(Axis(0)).expect("rows");
    let std = x.std_axis(Axis(0), 0.0).mapv(|s| if s > 0.0 { s } else { 1.0 });
    (mean, std)
}

impl DiffusionOverSampler {
    fn check(&self, d: usize) -> Result<()> {
        let bad = |name: &str, value: String, expected: &str| {
            Err(ResampleError::Parameter {
                name: name.into(),
                value,
                expected: expected.into(),
            })
        };
        if self.n_steps == 0 {
            return bad("n_steps", "0".into(), "at least 1 diffusion step");
        }
        if self.max_iter == 0 || self.batch_size == 0 {
            return bad(
                "max_iter",
                format!("{} (batch_size {})", self.max_iter, self.batch_size),
                "at least 1 each",
            );
        }
        if self.hidden_layer_sizes.contains(&0) {
            return bad(
                "hidden_layer_sizes",
                format!("{:?}", self.hidden_layer_sizes),
                "layers of 1 unit or more",
            );
        }
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad("learning_rate", self.learning_rate.to_string(), "a positive step size");
        }
        if let Some(&c) = self.condition.iter().find(|&&c| c >= d) {
            return bad("condition", c.to_string(), &format!("column indices below {d}"));
        }
        if self.condition.len() >= d {
            return bad(
                "condition",
                format!("{:?}", self.condition),
                "fewer columns than the data has: some must be generated",
            );
        }
        Ok(())
    }

    /// The trained denoiser of the standardised generated columns `z`
    /// given the classes `y` and standardised conditions `c`.
    fn train(
        &self,
        z: ArrayView2<'_, f64>,
        c: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        alpha_bar: &[f64],
        rng: &mut SamplerRng,
    ) -> Regressor {
        let (n, d) = z.dim();
        let width = d + TIME_FEATURES + n_classes + c.ncols();
        let mut net = Regressor::new(width, &self.hidden_layer_sizes, d, Activation::Relu, rng);
        let b = self.batch_size;
        let (mut inputs, mut noise) = (Array2::zeros((b, width)), Array2::zeros((b, d)));
        let mut noisy = vec![0.0; d];
        for _ in 0..self.max_iter {
            for r in 0..b {
                let i = rng.randint(n);
                let t = 1 + rng.randint(self.n_steps);
                let (a, s) = (alpha_bar[t].sqrt(), (1.0 - alpha_bar[t]).sqrt());
                for j in 0..d {
                    let e = rng.standard_normal();
                    noise[(r, j)] = e;
                    noisy[j] = a * z[(i, j)] + s * e;
                }
                let cond = c.row(i).to_vec();
                input_row(
                    inputs.row_mut(r).as_slice_mut().expect("contiguous"),
                    &noisy,
                    t,
                    self.n_steps,
                    y[i],
                    n_classes,
                    &cond,
                );
            }
            net.train_step(inputs.view(), noise.view(), self.learning_rate);
        }
        net
    }

    /// `m` new standardised rows of class `class` given the conditions
    /// `cond` (one row each), denoised from pure noise; each column's clean
    /// value is kept within `range`.
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &self,
        net: &Regressor,
        class: usize,
        n_classes: usize,
        cond: ArrayView2<'_, f64>,
        range: &[(f64, f64)],
        schedule: &(Vec<f64>, Vec<f64>),
        rng: &mut SamplerRng,
    ) -> Array2<f64> {
        let (alpha_bar, beta) = schedule;
        let d = range.len();
        let m = cond.nrows();
        let width = d + TIME_FEATURES + n_classes + cond.ncols();
        let mut x = Array2::from_shape_simple_fn((m, d), || rng.standard_normal());
        let mut inputs = Array2::zeros((m, width));
        for t in (1..=self.n_steps).rev() {
            for r in 0..m {
                let noisy = x.row(r).to_vec();
                let c = cond.row(r).to_vec();
                input_row(
                    inputs.row_mut(r).as_slice_mut().expect("contiguous"),
                    &noisy,
                    t,
                    self.n_steps,
                    class,
                    n_classes,
                    &c,
                );
            }
            let eps = net.predict(inputs.view());
            // The posterior q(x_{t-1} | x_t, x0) around the predicted clean row, clipped to the
            // training data's range (the noise prediction alone is unstable where alpha_t is small).
            let (ab, ab_prev) = (alpha_bar[t], alpha_bar[t - 1]);
            let (c0, ct) = (
                ab_prev.sqrt() * beta[t] / (1.0 - ab),
                (1.0 - beta[t]).sqrt() * (1.0 - ab_prev) / (1.0 - ab),
            );
            let sigma = (beta[t] * (1.0 - ab_prev) / (1.0 - ab)).sqrt();
            for ((r, j), v) in x.indexed_iter_mut() {
                let x0 = ((*v - (1.0 - ab).sqrt() * eps[(r, j)]) / ab.sqrt()).clamp(range[j].0, range[j].1);
                let mean = c0 * x0 + ct * *v;
                *v = if t > 1 {
                    mean + sigma * rng.standard_normal()
                } else {
                    mean
                };
            }
        }
        x
    }
}

impl Resampler for DiffusionOverSampler {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let (n, d) = x.dim();
        self.check(d)?;
        let targets = self
            .sampling_strategy
            .resolve(&class_counts(y), SamplingKind::Over, classes)?;
        let total: usize = targets.values().sum();
        let mut out_x = Array2::zeros((n + total, d));
        out_x.slice_mut(ndarray::s![..n, ..]).assign(&x);
        let mut out_y = y.to_vec();
        if total > 0 {
            let generated: Vec<usize> = (0..d).filter(|j| !self.condition.contains(j)).collect();
            let (mean, std) = standardiser(x);
            let standard = (&x - &mean) / &std;
            let z = standard.select(Axis(1), &generated);
            let c = standard.select(Axis(1), &self.condition);
            let schedule = cosine_schedule(self.n_steps);
            let mut rng = make_rng(self.rng, self.random_state)?;
            let net = self.train(z.view(), c.view(), y, data.n_classes(), &schedule.0, &mut rng);
            let range: Vec<(f64, f64)> = z
                .columns()
                .into_iter()
                .map(|col| {
                    col.iter()
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)))
                })
                .collect();
            for (&class, &m) in targets.iter().filter(|(_, &m)| m > 0) {
                let members = class_indices(y, class);
                let donors: Vec<usize> = (0..m).map(|_| members[rng.randint(members.len())]).collect();
                let cond = c.select(Axis(0), &donors);
                let new = self.generate(&net, class, data.n_classes(), cond.view(), &range, &schedule, &mut rng);
                if new.iter().any(|v| !v.is_finite()) {
                    return Err(ResampleError::NotApplicable(
                        "DiffusionOverSampler diverged (non-finite rows): lower learning_rate or raise n_steps".into(),
                    ));
                }
                for (&donor, row) in donors.iter().zip(new.rows()) {
                    let r = out_y.len();
                    for (g, &j) in generated.iter().enumerate() {
                        out_x[(r, j)] = row[g] * std[j] + mean[j];
                    }
                    for &j in &self.condition {
                        out_x[(r, j)] = x[(donor, j)];
                    }
                    out_y.push(class);
                }
            }
        }
        Ok(Resampled {
            x: out_x,
            origin: (0..n + total).map(|r| (r < n).then_some(r)).collect(),
            y: out_y,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cosine_schedule_falls_from_one_towards_zero() {
        let (alpha_bar, beta) = cosine_schedule(100);
        assert_eq!(alpha_bar[0], 1.0);
        assert!(alpha_bar.windows(2).all(|w| w[1] < w[0]));
        assert!(alpha_bar[100] < 1e-3 && alpha_bar[1] > 0.999);
        assert!(beta[1..].iter().all(|&b| b > 0.0 && b <= 0.999));
    }
}
