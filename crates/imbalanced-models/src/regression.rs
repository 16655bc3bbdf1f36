//! A feed-forward network fitted to numeric targets by mean squared error:
//! the denoiser of the diffusion sampler. The layers, activations and Adam
//! are [`MlpClassifier`](crate::MlpClassifier)'s.

use imbalanced_random::SamplerRng;
use ndarray::{Array2, ArrayView2, Axis};

use crate::mlp::{act, act_grad, Activation, Dense, Moments};

/// A loss of a batch's outputs: its value and its gradient with respect to them.
pub type OutputLoss<'a> = dyn FnMut(&Array2<f64>) -> (f64, Array2<f64>) + 'a;

/// A network `inputs -> hidden... -> outputs` with a linear output layer,
/// trained step by step with Adam on the mean squared error.
pub struct Regressor {
    layers: Vec<Dense>,
    activation: Activation,
    moments: Vec<(Moments, Moments)>,
    steps: i32,
}

impl Regressor {
    /// PyTorch's initialisation (`U(±1/sqrt(inputs))`), from `rng`.
    pub fn new(inputs: usize, hidden: &[usize], outputs: usize, activation: Activation, rng: &mut SamplerRng) -> Self {
        let sizes: Vec<usize> = std::iter::once(inputs)
            .chain(hidden.iter().copied())
            .chain(std::iter::once(outputs))
            .collect();
        let layers: Vec<Dense> = sizes.windows(2).map(|w| Dense::new(w[0], w[1], rng)).collect();
        let moments = layers
            .iter()
            .map(|l| (Moments::new(l.w.len()), Moments::new(l.b.len())))
            .collect();
        Regressor {
            layers,
            activation,
            moments,
            steps: 0,
        }
    }

    /// Each layer's pre-activations, the last being the output.
    fn forward(&self, x: ArrayView2<'_, f64>) -> Vec<Array2<f64>> {
        let mut pre = Vec::with_capacity(self.layers.len());
        let mut a = x.to_owned();
        for (i, l) in self.layers.iter().enumerate() {
            let z = a.dot(&l.w.t()) + &l.b;
            if i + 1 < self.layers.len() {
                a = z.mapv(|v| act(self.activation, v));
            }
            pre.push(z);
        }
        pre
    }

    /// The network's outputs for the rows of `x`.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        self.forward(x).pop().expect("at least one layer")
    }

    /// One Adam step (learning rate `lr`) on the mean squared error of the
    /// rows `x` against `target`; returns that error before the step.
    pub fn train_step(&mut self, x: ArrayView2<'_, f64>, target: ArrayView2<'_, f64>, lr: f64) -> f64 {
        let scale = 1.0 / target.len() as f64;
        self.train_step_with(x, lr, &mut |out| {
            let diff = out - &target;
            (diff.iter().map(|v| v * v).sum::<f64>() * scale, diff * (2.0 * scale))
        })
    }

    /// One Adam step (learning rate `lr`) on a loss of the outputs:
    /// `loss(outputs)` gives its value and its gradient with respect to
    /// them; returns the value before the step.
    pub fn train_step_with(&mut self, x: ArrayView2<'_, f64>, lr: f64, loss: &mut OutputLoss<'_>) -> f64 {
        let pre = self.forward(x);
        let (value, mut grad) = loss(pre.last().expect("at least one layer"));
        self.steps += 1;
        for i in (0..self.layers.len()).rev() {
            let input = if i == 0 {
                x.to_owned()
            } else {
                pre[i - 1].mapv(|v| act(self.activation, v))
            };
            let gw = grad.t().dot(&input);
            let gb = grad.sum_axis(Axis(0));
            if i > 0 {
                let back = grad.dot(&self.layers[i].w);
                grad = back * &pre[i - 1].mapv(|v| act_grad(self.activation, v));
            }
            let (mw, mb) = &mut self.moments[i];
            let layer = &mut self.layers[i];
            mw.step(
                layer.w.as_slice_mut().expect("contiguous"),
                gw.as_slice().expect("contiguous"),
                lr,
                self.steps,
            );
            mb.step(
                layer.b.as_slice_mut().expect("contiguous"),
                gb.as_slice().expect("contiguous"),
                lr,
                self.steps,
            );
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_random::RngKind;

    #[test]
    fn learns_a_smooth_function_and_its_gradient_is_the_finite_difference() {
        let mut rng = SamplerRng::new(RngKind::Default, 0);
        let x = Array2::from_shape_fn((128, 2), |_| rng.uniform(-1.0, 1.0));
        let y = Array2::from_shape_fn((128, 1), |(i, _)| (2.0 * x[(i, 0)]).sin() + x[(i, 1)] * x[(i, 1)]);
        let mut net = Regressor::new(2, &[16, 16], 1, Activation::Relu, &mut rng);
        let first = net.train_step(x.view(), y.view(), 1e-2);
        let mut last = first;
        for _ in 0..800 {
            last = net.train_step(x.view(), y.view(), 1e-2);
        }
        assert!(last < first / 20.0 && last < 0.01, "{first} -> {last}");

        // The backward pass against finite differences of the loss, on a fresh net (one weight).
        let mut net = Regressor::new(2, &[4], 1, Activation::Gelu, &mut rng);
        let loss = |n: &Regressor| {
            let d = n.predict(x.view()) - &y;
            d.iter().map(|v| v * v).sum::<f64>() / 128.0
        };
        let h = 1e-6;
        net.layers[0].w[(1, 0)] += h;
        let up = loss(&net);
        net.layers[0].w[(1, 0)] -= 2.0 * h;
        let down = loss(&net);
        net.layers[0].w[(1, 0)] += h;
        let numeric = (up - down) / (2.0 * h);
        let before = net.layers[0].w[(1, 0)];
        // Adam's first step moves each weight by lr against the sign of its gradient.
        net.train_step(x.view(), y.view(), 1e-3);
        let moved = net.layers[0].w[(1, 0)] - before;
        assert!(
            numeric.abs() > 1e-6 && (moved + 1e-3 * numeric.signum()).abs() < 1e-9,
            "{numeric} {moved}"
        );
    }
}
