//! A class-conditional denoising-diffusion sampler for minority rows, after
//! TabDDPM (Kotelnikov et al. 2023) and the physics-informed diffusion model
//! of the seed papers (generation given known parameters). Our formulation:
//! Gaussian diffusion of the standardised numeric features with a cosine
//! schedule (Nichol & Dhariwal 2021), an MLP denoiser that predicts the
//! noise from the noisy row, the step, the class and the conditioning
//! columns, trained on every class's rows; DDPM ancestral sampling.

use imbalanced_catalog::Estimator;
use imbalanced_data::{Dataset, Xy};
use imbalanced_models::regression::Regressor;
use imbalanced_models::Activation;
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use crate::error::{ResampleError, Result};
use crate::strategy::{SamplingKind, SamplingStrategy};
use crate::util::{class_indices, make_rng, name_classes};
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
/// input, then the new rows class by class. Categorical columns (through
/// [`Resampler::fit_resample_dataset`]) diffuse by multinomial diffusion
/// (Hoogeboom et al. 2021): a category is kept with probability `abar_t`,
/// else drawn uniformly; the denoiser also predicts each column's clean
/// category (cross-entropy), and sampling draws from the posterior around
/// it. `condition` names numeric columns.
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

/// What the denoiser sees and predicts: `numeric` diffused columns, the
/// categorical columns' category counts, the classes, the conditions, over
/// `n_steps` steps.
struct Layout {
    numeric: usize,
    categories: Vec<usize>,
    n_classes: usize,
    conditions: usize,
    /// Diffusion steps, which scale the step's features.
    n_steps: usize,
}

impl Layout {
    fn one_hot(&self) -> usize {
        self.categories.iter().sum()
    }

    /// Inputs: the noisy numeric values, the noisy categories one-hot, the
    /// step's sinusoidal features, the class one-hot, the conditions.
    fn inputs(&self) -> usize {
        self.numeric + self.one_hot() + TIME_FEATURES + self.n_classes + self.conditions
    }

    /// Outputs: the numeric noise, then each categorical column's logits of
    /// its clean category.
    fn outputs(&self) -> usize {
        self.numeric + self.one_hot()
    }

    /// Writes one input row.
    fn input_row(&self, out: &mut [f64], noisy: &[f64], cats: &[usize], t: usize, class: usize, cond: &[f64]) {
        let g = self.numeric;
        out[..g].copy_from_slice(noisy);
        let mut at = g;
        out[at..at + self.one_hot()].fill(0.0);
        for (&k, &c) in self.categories.iter().zip(cats) {
            out[at + c] = 1.0;
            at += k;
        }
        let phase = t as f64 / self.n_steps as f64;
        for f in 0..TIME_FEATURES / 2 {
            let freq = (2.0f64).powi(f as i32) * std::f64::consts::PI;
            out[at + 2 * f] = (freq * phase).sin();
            out[at + 2 * f + 1] = (freq * phase).cos();
        }
        at += TIME_FEATURES;
        out[at..at + self.n_classes].fill(0.0);
        out[at + class] = 1.0;
        out[at + self.n_classes..].copy_from_slice(cond);
    }
}

/// Softmax of `logits` in place.
fn softmax(logits: &mut [f64]) {
    let top = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    logits.iter_mut().for_each(|v| *v = (*v - top).exp());
    let total: f64 = logits.iter().sum();
    logits.iter_mut().for_each(|v| *v /= total);
}

/// A category drawn from probabilities `p`.
fn draw(p: &[f64], rng: &mut SamplerRng) -> usize {
    let u = rng.random();
    let mut acc = 0.0;
    for (k, &v) in p.iter().enumerate() {
        acc += v;
        if u < acc {
            return k;
        }
    }
    p.len() - 1
}

/// Column means and standard deviations (1 for a constant column).
fn standardiser(x: ArrayView2<'_, f64>) -> (Array1<f64>, Array1<f64>) {
    let mean = x.mean_axis(Axis(0)).expect("rows");
    let std = x.std_axis(Axis(0), 0.0).mapv(|s| if s > 0.0 { s } else { 1.0 });
    (mean, std)
}

impl DiffusionOverSampler {
    /// Checks the parameters for `d` numeric columns and `q` categorical ones.
    fn check(&self, d: usize, q: usize) -> Result<()> {
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
            return bad(
                "condition",
                c.to_string(),
                &format!("indices of numeric columns, below {d}"),
            );
        }
        if self.condition.len() >= d + q {
            return bad(
                "condition",
                format!("{:?}", self.condition),
                "fewer columns than the data has: some must be generated",
            );
        }
        Ok(())
    }

    /// The trained denoiser of the standardised numeric columns `z` and
    /// the category codes `cats` given the classes `y` and standardised
    /// conditions `c`: mean squared error of the numeric noise plus the
    /// cross-entropy of each categorical column's clean category.
    #[allow(clippy::too_many_arguments)]
    fn train(
        &self,
        layout: &Layout,
        z: ArrayView2<'_, f64>,
        cats: ArrayView2<'_, u32>,
        c: ArrayView2<'_, f64>,
        y: &[usize],
        alpha_bar: &[f64],
        rng: &mut SamplerRng,
    ) -> Regressor {
        let (n, g) = (y.len(), layout.numeric);
        let mut net = Regressor::new(
            layout.inputs(),
            &self.hidden_layer_sizes,
            layout.outputs(),
            Activation::Relu,
            rng,
        );
        let b = self.batch_size;
        let mut inputs = Array2::zeros((b, layout.inputs()));
        let mut noise = Array2::zeros((b, g));
        let mut clean = vec![0usize; b * layout.categories.len()];
        let (mut noisy, mut noisy_cats) = (vec![0.0; g], vec![0usize; layout.categories.len()]);
        for _ in 0..self.max_iter {
            for r in 0..b {
                let i = rng.randint(n);
                let t = 1 + rng.randint(self.n_steps);
                let (a, s) = (alpha_bar[t].sqrt(), (1.0 - alpha_bar[t]).sqrt());
                for j in 0..g {
                    let e = rng.standard_normal();
                    noise[(r, j)] = e;
                    noisy[j] = a * z[(i, j)] + s * e;
                }
                // q(x_t | x_0) = Cat(abar_t x_0 + (1 - abar_t) / K): kept, or uniform.
                for (j, &k) in layout.categories.iter().enumerate() {
                    let code = cats[(i, j)] as usize;
                    clean[r * layout.categories.len() + j] = code;
                    noisy_cats[j] = if rng.random() < alpha_bar[t] {
                        code
                    } else {
                        rng.randint(k)
                    };
                }
                let cond = c.row(i).to_vec();
                layout.input_row(
                    inputs.row_mut(r).as_slice_mut().expect("contiguous"),
                    &noisy,
                    &noisy_cats,
                    t,
                    y[i],
                    &cond,
                );
            }
            let q = layout.categories.len();
            net.train_step_with(inputs.view(), self.learning_rate, &mut |out: &Array2<f64>| {
                let mut grad = Array2::zeros(out.dim());
                let mut value = 0.0;
                if g > 0 {
                    let scale = 1.0 / (b * g) as f64;
                    for r in 0..b {
                        for j in 0..g {
                            let d = out[(r, j)] - noise[(r, j)];
                            value += d * d * scale;
                            grad[(r, j)] = 2.0 * d * scale;
                        }
                    }
                }
                if q > 0 {
                    let scale = 1.0 / (b * q) as f64;
                    for r in 0..b {
                        let mut at = g;
                        for (j, &k) in layout.categories.iter().enumerate() {
                            let mut p: Vec<f64> = (0..k).map(|c| out[(r, at + c)]).collect();
                            softmax(&mut p);
                            let code = clean[r * q + j];
                            value -= p[code].max(1e-300).ln() * scale;
                            for (c, &pc) in p.iter().enumerate() {
                                grad[(r, at + c)] = (pc - f64::from(u8::from(c == code))) * scale;
                            }
                            at += k;
                        }
                    }
                }
                (value, grad)
            });
        }
        net
    }

    /// `m` new rows of class `class` given the conditions `cond` (one row
    /// each), denoised from pure noise: standardised numeric values (each
    /// column's clean value kept within `range`) and category codes.
    #[allow(clippy::too_many_arguments)]
    fn generate(
        &self,
        net: &Regressor,
        layout: &Layout,
        class: usize,
        cond: ArrayView2<'_, f64>,
        range: &[(f64, f64)],
        schedule: &(Vec<f64>, Vec<f64>),
        rng: &mut SamplerRng,
    ) -> (Array2<f64>, Array2<u32>) {
        let (alpha_bar, beta) = schedule;
        let (g, q, m) = (layout.numeric, layout.categories.len(), cond.nrows());
        let mut x = Array2::from_shape_simple_fn((m, g), || rng.standard_normal());
        let mut cats = Array2::<usize>::zeros((m, q));
        for r in 0..m {
            for (j, &k) in layout.categories.iter().enumerate() {
                cats[(r, j)] = rng.randint(k);
            }
        }
        let mut inputs = Array2::zeros((m, layout.inputs()));
        for t in (1..=self.n_steps).rev() {
            for r in 0..m {
                let noisy = x.row(r).to_vec();
                let noisy_cats = cats.row(r).to_vec();
                let c = cond.row(r).to_vec();
                layout.input_row(
                    inputs.row_mut(r).as_slice_mut().expect("contiguous"),
                    &noisy,
                    &noisy_cats,
                    t,
                    class,
                    &c,
                );
            }
            let out = net.predict(inputs.view());
            // The posterior q(x_{t-1} | x_t, x0) around the predicted clean row, clipped to the
            // training data's range (the noise prediction alone is unstable where alpha_t is small).
            let (ab, ab_prev, alpha) = (alpha_bar[t], alpha_bar[t - 1], 1.0 - beta[t]);
            let (c0, ct) = (
                ab_prev.sqrt() * beta[t] / (1.0 - ab),
                alpha.sqrt() * (1.0 - ab_prev) / (1.0 - ab),
            );
            let sigma = (beta[t] * (1.0 - ab_prev) / (1.0 - ab)).sqrt();
            for r in 0..m {
                for j in 0..g {
                    let v = x[(r, j)];
                    let x0 = ((v - (1.0 - ab).sqrt() * out[(r, j)]) / ab.sqrt()).clamp(range[j].0, range[j].1);
                    let mean = c0 * x0 + ct * v;
                    x[(r, j)] = if t > 1 {
                        mean + sigma * rng.standard_normal()
                    } else {
                        mean
                    };
                }
                // Multinomial: theta ∝ (alpha_t x_t + (1 - alpha_t)/K) ⊙ (abar_{t-1} p0 + (1 - abar_{t-1})/K).
                let mut at = g;
                for (j, &k) in layout.categories.iter().enumerate() {
                    let mut p0: Vec<f64> = (0..k).map(|c| out[(r, at + c)]).collect();
                    softmax(&mut p0);
                    cats[(r, j)] = if t > 1 {
                        let now = cats[(r, j)];
                        let mut theta: Vec<f64> = (0..k)
                            .map(|c| {
                                let stay = alpha * f64::from(u8::from(c == now)) + (1.0 - alpha) / k as f64;
                                stay * (ab_prev * p0[c] + (1.0 - ab_prev) / k as f64)
                            })
                            .collect();
                        let total: f64 = theta.iter().sum();
                        theta.iter_mut().for_each(|v| *v /= total);
                        draw(&theta, rng)
                    } else {
                        draw(&p0, rng)
                    };
                    at += k;
                }
            }
        }
        (x, cats.mapv(|c| c as u32))
    }

    /// New rows for every class the strategy names, in `x`'s units, with
    /// their categories and classes.
    #[allow(clippy::too_many_arguments)]
    fn synthesise(
        &self,
        x: ArrayView2<'_, f64>,
        cats: ArrayView2<'_, u32>,
        categories: Vec<usize>,
        y: &[usize],
        n_classes: usize,
        classes: &[String],
    ) -> Result<(Array2<f64>, Array2<u32>, Vec<usize>)> {
        let d = x.ncols();
        self.check(d, cats.ncols())?;
        let targets = self
            .sampling_strategy
            .resolve(&class_counts(y), SamplingKind::Over, classes)?;
        let total: usize = targets.values().sum();
        let (mut new_x, mut new_cat, mut new_y) = (
            Array2::zeros((total, d)),
            Array2::zeros((total, cats.ncols())),
            Vec::with_capacity(total),
        );
        if total == 0 {
            return Ok((new_x, new_cat, new_y));
        }
        let generated: Vec<usize> = (0..d).filter(|j| !self.condition.contains(j)).collect();
        let (mean, std) = standardiser(x);
        let standard = (&x - &mean) / &std;
        let z = standard.select(Axis(1), &generated);
        let c = standard.select(Axis(1), &self.condition);
        let layout = Layout {
            numeric: generated.len(),
            categories,
            n_classes,
            conditions: self.condition.len(),
            n_steps: self.n_steps,
        };
        let schedule = cosine_schedule(self.n_steps);
        let mut rng = make_rng(self.rng, self.random_state)?;
        let net = self.train(&layout, z.view(), cats, c.view(), y, &schedule.0, &mut rng);
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
            let (rows, codes) = self.generate(&net, &layout, class, cond.view(), &range, &schedule, &mut rng);
            if rows.iter().any(|v| !v.is_finite()) {
                return Err(ResampleError::NotApplicable(
                    "DiffusionOverSampler diverged (non-finite rows): lower learning_rate or raise n_steps".into(),
                ));
            }
            for ((&donor, row), code) in donors.iter().zip(rows.rows()).zip(codes.rows()) {
                let r = new_y.len();
                for (g, &j) in generated.iter().enumerate() {
                    new_x[(r, j)] = row[g] * std[j] + mean[j];
                }
                for &j in &self.condition {
                    new_x[(r, j)] = x[(donor, j)];
                }
                new_cat.row_mut(r).assign(&code);
                new_y.push(class);
            }
        }
        Ok((new_x, new_cat, new_y))
    }
}

impl Resampler for DiffusionOverSampler {
    fn resample(&self, data: Xy<'_>, classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        let n = x.nrows();
        let none = Array2::<u32>::zeros((n, 0));
        let (new_x, _, new_y) = self.synthesise(x, none.view(), Vec::new(), y, data.n_classes(), classes)?;
        let total = new_y.len();
        Ok(Resampled {
            x: ndarray::concatenate(Axis(0), &[x, new_x.view()]).expect("same width"),
            origin: crate::inputs_then_new(n, n + total),
            y: y.iter().copied().chain(new_y).collect(),
        })
    }

    /// Numeric and categorical columns: the categorical ones by
    /// multinomial diffusion (Hoogeboom et al. 2021), as TabDDPM.
    fn fit_resample_dataset_with_origin(&self, data: &Dataset) -> Result<(Dataset, Vec<Option<usize>>)> {
        let categories: Vec<usize> = data.categories().iter().map(Vec::len).collect();
        let (new_x, new_cat, new_y) = self
            .synthesise(
                data.numeric(),
                data.categorical(),
                categories,
                data.y(),
                data.classes().len(),
                data.classes(),
            )
            .map_err(|e| name_classes(e, data.classes()))?;
        let num = ndarray::concatenate(Axis(0), &[data.numeric(), new_x.view()]).expect("same width");
        let cat = ndarray::concatenate(Axis(0), &[data.categorical(), new_cat.view()]).expect("same width");
        let origin = crate::inputs_then_new(data.n_samples(), num.nrows());
        Ok((
            data.with_rows(num, cat, data.y().iter().copied().chain(new_y).collect())?,
            origin,
        ))
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
