//! The model every client trains, as one flat parameter vector the server
//! aggregates: a softmax regression, or a one-hidden-layer ReLU network
//! whose hidden activations are the features prototypes are taken in.

use imbalanced_losses::{BatchLoss, LossError};
use imbalanced_random::Generator;
use ndarray::{s, Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::prototypes::Alignment;

/// The clients' model. Default: softmax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase", deny_unknown_fields)]
pub enum ModelSpec {
    /// Softmax regression `z = W x + b`, from zeros.
    #[default]
    Softmax,
    /// `z = W2 relu(W1 x + b1) + b2` with `hidden` units (default 64),
    /// initialised from the seed as scikit-learn's `MLPClassifier` does
    /// (uniform in `±sqrt(6 / (fan_in + fan_out))`, intercepts too).
    Mlp {
        #[serde(default = "default_hidden")]
        hidden: usize,
    },
}

fn default_hidden() -> usize {
    64
}

/// A model's layers in one vector: each layer `out x (in + 1)`, row-major,
/// its last column the intercepts; the hidden layer (if any) first.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    pub inputs: usize,
    /// Hidden units; 0 for the softmax regression.
    pub hidden: usize,
    pub classes: usize,
    pub params: Array1<f64>,
}

/// `x W^T + b` for a layer `out x (in + 1)`.
fn affine(x: ArrayView2<'_, f64>, layer: ArrayView2<'_, f64>) -> Array2<f64> {
    let d = x.ncols();
    x.dot(&layer.slice(s![.., ..d]).t()) + layer.column(d)
}

impl Network {
    /// A fresh model of `spec` for `inputs` features and `classes` classes.
    pub fn new(spec: ModelSpec, inputs: usize, classes: usize, seed: u64) -> Network {
        match spec {
            ModelSpec::Softmax => Network {
                inputs,
                hidden: 0,
                classes,
                params: Array1::zeros(classes * (inputs + 1)),
            },
            ModelSpec::Mlp { hidden } => {
                let mut rng = Generator::new(u128::from(seed));
                let mut params = Vec::with_capacity(hidden * (inputs + 1) + classes * (hidden + 1));
                for (fan_in, fan_out) in [(inputs, hidden), (hidden, classes)] {
                    let bound = (6.0 / (fan_in + fan_out) as f64).sqrt();
                    params.extend((0..fan_out * (fan_in + 1)).map(|_| (2.0 * rng.random() - 1.0) * bound));
                }
                Network {
                    inputs,
                    hidden,
                    classes,
                    params: Array1::from(params),
                }
            }
        }
    }

    /// Columns of the features the output layer reads.
    pub fn feature_dim(&self) -> usize {
        if self.hidden == 0 {
            self.inputs
        } else {
            self.hidden
        }
    }

    fn hidden_len(&self) -> usize {
        self.hidden * (self.inputs + 1)
    }

    /// The hidden layer, `hidden x (inputs + 1)`; `None` for the softmax regression.
    pub fn hidden_layer(&self) -> Option<ArrayView2<'_, f64>> {
        (self.hidden > 0).then(|| {
            self.params
                .slice(s![..self.hidden_len()])
                .into_shape_with_order((self.hidden, self.inputs + 1))
                .expect("the hidden layer's length")
        })
    }

    /// The output layer, `classes x (features + 1)`.
    pub fn output_layer(&self) -> ArrayView2<'_, f64> {
        self.params
            .slice(s![self.hidden_len()..])
            .into_shape_with_order((self.classes, self.feature_dim() + 1))
            .expect("the output layer's length")
    }

    /// The penultimate features of `x`: the hidden activations, or `x`
    /// itself for the softmax regression.
    pub fn features(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        match self.hidden_layer() {
            Some(layer) => affine(x, layer).mapv(|v| v.max(0.0)),
            None => x.to_owned(),
        }
    }

    /// The logits of `x`.
    pub fn logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        match self.hidden_layer() {
            Some(_) => affine(self.features(x).view(), self.output_layer()),
            None => affine(x, self.output_layer()),
        }
    }

    /// The most probable class of each row.
    pub fn predict(&self, x: ArrayView2<'_, f64>) -> Vec<usize> {
        self.logits(x)
            .rows()
            .into_iter()
            .map(|r| (0..r.len()).fold(0, |b, k| if r[k] > r[b] { k } else { b }))
            .collect()
    }
}

/// Buffers one client's batches reuse. Why by hand for the softmax:
/// gathering each batch's rows and multiplying small matrices through
/// ndarray spent most of a round in allocation and dispatch (a batch is 32
/// rows x 20 features).
pub(crate) struct Batch {
    z: Array2<f64>,
    /// The last batch's gradient with respect to the parameters.
    pub(crate) grad: Vec<f64>,
}

impl Batch {
    pub(crate) fn new(net: &Network, batch_size: usize) -> Batch {
        Batch {
            z: Array2::zeros((batch_size, net.classes)),
            grad: vec![0.0; net.params.len()],
        }
    }
}

/// `a · b` in four running sums: one sum's chain of additions kept each
/// row's loads waiting on the last.
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut sums = [0.0; 4];
    let (ac, bc) = (a.chunks_exact(4), b.chunks_exact(4));
    let tail: f64 = ac.remainder().iter().zip(bc.remainder()).map(|(x, y)| x * y).sum();
    for (x, y) in ac.zip(bc) {
        for j in 0..4 {
            sums[j] += x[j] * y[j];
        }
    }
    (sums[0] + sums[1]) + (sums[2] + sums[3]) + tail
}

impl Network {
    /// The loss of a batch of rows `x` (row-major, `inputs` columns) with
    /// labels `y`, plus the prototype-alignment term, and its gradient with
    /// respect to `params`, written to `buffers.grad`.
    pub(crate) fn batch_gradient(
        &self,
        x: &[f64],
        y: &[usize],
        loss: &dyn BatchLoss,
        align: Option<&Alignment<'_>>,
        buffers: &mut Batch,
    ) -> Result<f64, LossError> {
        let (d, k, m) = (self.inputs, self.classes, y.len());
        let grad = &mut buffers.grad;
        grad.fill(0.0);
        if self.hidden == 0 {
            // The inputs are the features: the alignment term has no gradient.
            let ws = self.params.as_slice().expect("contiguous");
            for (r, xi) in x.chunks_exact(d).enumerate() {
                for c in 0..k {
                    let wc = &ws[c * (d + 1)..(c + 1) * (d + 1)];
                    buffers.z[(r, c)] = dot(xi, &wc[..d]) + wc[d];
                }
            }
            let (value, gz) = loss.batch_loss(buffers.z.slice(s![..m, ..]), y)?;
            for (r, xi) in x.chunks_exact(d).enumerate() {
                for c in 0..k {
                    let g = gz[(r, c)];
                    let gc = &mut grad[c * (d + 1)..(c + 1) * (d + 1)];
                    gc[..d].iter_mut().zip(xi).for_each(|(a, xv)| *a += g * xv);
                    gc[d] += g;
                }
            }
            return Ok(value);
        }
        let h_dim = self.hidden;
        let xb = ArrayView2::from_shape((m, d), x).expect("m rows of the inputs");
        let w1 = self.hidden_layer().expect("a hidden layer");
        let w2 = self.output_layer();
        let pre = affine(xb.view(), w1);
        let h = pre.mapv(|v| v.max(0.0));
        let z = affine(h.view(), w2);
        let (mut value, gz) = loss.batch_loss(z.view(), y)?;
        let (g1, g2) = grad.split_at_mut(self.hidden_len());
        let mut g2 = ndarray::ArrayViewMut2::from_shape((k, h_dim + 1), g2).expect("the output layer's length");
        g2.slice_mut(s![.., ..h_dim]).assign(&gz.t().dot(&h));
        g2.column_mut(h_dim).assign(&gz.sum_axis(ndarray::Axis(0)));
        let mut gh = gz.dot(&w2.slice(s![.., ..h_dim]));
        if let Some(a) = align {
            value += a.add_gradient(h.view(), y, &mut gh);
        }
        let ga = ndarray::Zip::from(&gh)
            .and(&pre)
            .map_collect(|&g, &p| if p > 0.0 { g } else { 0.0 });
        let mut g1 = ndarray::ArrayViewMut2::from_shape((h_dim, d + 1), g1).expect("the hidden layer's length");
        g1.slice_mut(s![.., ..d]).assign(&ga.t().dot(&xb));
        g1.column_mut(d).assign(&ga.sum_axis(ndarray::Axis(0)));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imbalanced_losses::LossSpec;

    /// The MLP's gradient equals central finite differences of its loss.
    #[test]
    fn the_mlp_gradient_is_the_loss_derivative() {
        let net = Network::new(ModelSpec::Mlp { hidden: 5 }, 3, 4, 1);
        let mut rng = Generator::new(2);
        let x: Vec<f64> = (0..24).map(|_| rng.standard_normal()).collect();
        let labels = [0, 1, 2, 3, 1, 0, 2, 3];
        let batch = [1, 4, 6, 7, 0];
        let xb: Vec<f64> = batch.iter().flat_map(|&i| x[i * 3..(i + 1) * 3].to_vec()).collect();
        let y: Vec<usize> = batch.iter().map(|&i| labels[i]).collect();
        let loss = LossSpec::new("focal", &[])
            .unwrap()
            .build(&[3.0, 2.0, 2.0, 1.0], 0, 1)
            .unwrap();
        let value = |n: &Network| {
            n.batch_gradient(&xb, &y, loss.as_ref(), None, &mut Batch::new(n, 8))
                .unwrap()
        };
        let mut buffers = Batch::new(&net, 8);
        net.batch_gradient(&xb, &y, loss.as_ref(), None, &mut buffers).unwrap();
        for (i, &g) in buffers.grad.iter().enumerate() {
            let (mut up, mut down) = (net.clone(), net.clone());
            up.params[i] += 1e-6;
            down.params[i] -= 1e-6;
            let numeric = (value(&up) - value(&down)) / 2e-6;
            assert!((numeric - g).abs() < 1e-6, "parameter {i}: {numeric} vs {g}");
        }
        assert_eq!(net, Network::new(ModelSpec::Mlp { hidden: 5 }, 3, 4, 1), "seeded");
        assert_eq!(net.logits(ndarray::Array2::zeros((2, 3)).view()).dim(), (2, 4));
    }
}
