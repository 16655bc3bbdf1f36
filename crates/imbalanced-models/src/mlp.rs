//! A multilayer perceptron trained with any loss of `imbalanced-losses`:
//! minibatch Adam, dropout and multi-sample dropout (Inoue 2019), an
//! optional cosine (normalised) head for LDAM, early stopping on the
//! balanced accuracy of a stratified validation split. Seeded: the same
//! seed gives the same model on any thread count.
//!
//! Why hand-written: analytic gradients on ndarray keep the default build
//! lean and seedable (`../shared/design/STACK.md`: burn adds ~280 CPU-s of
//! build; candle cannot be seeded on CPU).

use imbalanced_losses::LossSpec;
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array1, Array2, ArrayView2, Axis};

use crate::softmax::{class_counts, loss_error};
use crate::traits::{argmax_rows, check_predict_input, Fit, Predict};
use crate::ModelError;

/// Hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Activation {
    /// `max(0, x)`. The default.
    #[default]
    Relu,
    /// `x Φ(x)` (tanh approximation, as PyTorch's `approximate="tanh"`).
    Gelu,
}

/// Parameters. Defaults: one hidden layer of 100 ReLU units (scikit-learn's
/// `MLPClassifier`), no dropout, Adam lr 1e-3, batch 200, 200 epochs, L2
/// 1e-4, loss `ce`, early stopping off, seed 0.
#[derive(Debug, Clone, PartialEq)]
pub struct MlpClassifier {
    pub hidden: Vec<usize>,
    pub activation: Activation,
    /// Dropout probability after each hidden layer.
    pub dropout: f64,
    /// Multi-sample dropout: this many masks on the last hidden layer, each
    /// through the shared head, losses averaged (Inoue 2019). 1 = plain dropout.
    pub dropout_samples: usize,
    /// A cosine head: logits are `cos(h, w_j)` in [-1, 1], no bias (LDAM's `NormedLinear`).
    pub cosine_head: bool,
    pub loss: LossSpec,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    /// L2 penalty on weights (scikit-learn's `alpha`).
    pub weight_decay: f64,
    /// Hold out this share of each class and stop when its balanced
    /// accuracy has not improved for `patience` epochs (keeping the best
    /// weights). 0 turns early stopping off.
    pub validation_fraction: f64,
    pub patience: usize,
    pub random_state: u64,
}

impl Default for MlpClassifier {
    fn default() -> Self {
        MlpClassifier {
            hidden: vec![100],
            activation: Activation::Relu,
            dropout: 0.0,
            dropout_samples: 1,
            cosine_head: false,
            loss: LossSpec::new("ce", &[]).expect("known loss"),
            learning_rate: 1e-3,
            batch_size: 200,
            epochs: 200,
            weight_decay: 1e-4,
            validation_fraction: 0.0,
            patience: 10,
            random_state: 0,
        }
    }
}

/// One dense layer, `y = x Wᵀ + b`.
#[derive(Debug, Clone, PartialEq)]
pub struct Dense {
    pub w: Array2<f64>,
    pub b: Array1<f64>,
}

/// A fitted network.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedMlp {
    pub layers: Vec<Dense>,
    pub head: Dense,
    pub activation: Activation,
    pub cosine_head: bool,
    /// Balanced accuracy on the validation split after each epoch (empty
    /// without early stopping).
    pub validation_curve: Vec<f64>,
    /// Mean training loss of each epoch.
    pub loss_curve: Vec<f64>,
}

const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;

fn act(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => x.max(0.0),
        Activation::Gelu => 0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh()),
    }
}

fn act_grad(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => f64::from(u8::from(x > 0.0)),
        Activation::Gelu => {
            let u = SQRT_2_OVER_PI * (x + 0.044715 * x * x * x);
            let t = u.tanh();
            0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * SQRT_2_OVER_PI * (1.0 + 3.0 * 0.044715 * x * x)
        }
    }
}

const NORM_EPS: f64 = 1e-12;

/// Cosine logits `z_ij = (h_i · w_j) / (|h_i| |w_j|)`.
fn cosine(h: &Array2<f64>, w: &Array2<f64>) -> (Array2<f64>, Array1<f64>, Array1<f64>) {
    let hn = h.map_axis(Axis(1), |r| r.dot(&r).sqrt().max(NORM_EPS));
    let wn = w.map_axis(Axis(1), |r| r.dot(&r).sqrt().max(NORM_EPS));
    let mut z = h.dot(&w.t());
    for ((i, j), v) in z.indexed_iter_mut() {
        *v /= hn[i] * wn[j];
    }
    (z, hn, wn)
}

impl Dense {
    fn new(inputs: usize, outputs: usize, rng: &mut SamplerRng) -> Self {
        // PyTorch's nn.Linear initialisation: U(-1/sqrt(in), 1/sqrt(in)).
        let bound = 1.0 / (inputs as f64).sqrt();
        Dense {
            w: Array2::from_shape_simple_fn((outputs, inputs), || rng.uniform(-bound, bound)),
            b: Array1::from_shape_simple_fn(outputs, || rng.uniform(-bound, bound)),
        }
    }
}

/// Adam state of one tensor.
struct Moments {
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Moments {
    fn new(n: usize) -> Self {
        Moments {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    fn step(&mut self, param: &mut [f64], grad: &[f64], lr: f64, t: i32) {
        let (b1, b2, eps): (f64, f64, f64) = (0.9, 0.999, 1e-8);
        let (c1, c2) = (1.0 - b1.powi(t), 1.0 - b2.powi(t));
        for i in 0..param.len() {
            self.m[i] = b1 * self.m[i] + (1.0 - b1) * grad[i];
            self.v[i] = b2 * self.v[i] + (1.0 - b2) * grad[i] * grad[i];
            param[i] -= lr * (self.m[i] / c1) / ((self.v[i] / c2).sqrt() + eps);
        }
    }
}

impl FittedMlp {
    /// Hidden representation (no dropout) and the logits.
    fn logits(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut a = x.to_owned();
        for l in &self.layers {
            a = (a.dot(&l.w.t()) + &l.b).mapv(|v| act(self.activation, v));
        }
        if self.cosine_head {
            cosine(&a, &self.head.w).0
        } else {
            a.dot(&self.head.w.t()) + &self.head.b
        }
    }
}

impl Predict for FittedMlp {
    fn n_classes(&self) -> usize {
        self.head.w.nrows()
    }
    fn n_features(&self) -> usize {
        self.layers.first().unwrap_or(&self.head).w.ncols()
    }
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, self.n_features())?;
        let mut z = self.logits(x);
        crate::logistic::softmax_rows(&mut z);
        Ok(z)
    }
}

fn balanced_accuracy(y: &[usize], pred: &[usize], k: usize) -> f64 {
    let (mut hit, mut total) = (vec![0.0; k], vec![0.0; k]);
    for (&t, &p) in y.iter().zip(pred) {
        total[t] += 1.0;
        hit[t] += f64::from(u8::from(t == p));
    }
    let present: Vec<f64> = (0..k).filter(|&c| total[c] > 0.0).map(|c| hit[c] / total[c]).collect();
    present.iter().sum::<f64>() / present.len().max(1) as f64
}

impl MlpClassifier {
    fn check(&self) -> Result<(), ModelError> {
        let bad = |what: String| Err(ModelError::Parameter(what));
        if self.hidden.contains(&0) {
            return bad("hidden layer sizes must be >= 1".into());
        }
        if !(0.0..1.0).contains(&self.dropout) {
            return bad(format!("dropout={}: use a probability in [0, 1)", self.dropout));
        }
        if self.dropout_samples == 0 || self.batch_size == 0 || self.epochs == 0 {
            return bad("dropout_samples, batch_size and epochs must be >= 1".into());
        }
        let finite_positive = self.learning_rate > 0.0 && self.learning_rate.is_finite();
        if !finite_positive || self.weight_decay.is_nan() || self.weight_decay < 0.0 {
            return bad("learning_rate must be > 0 and weight_decay >= 0".into());
        }
        if !(0.0..0.5).contains(&self.validation_fraction) {
            return bad(format!(
                "validation_fraction={}: use [0, 0.5)",
                self.validation_fraction
            ));
        }
        Ok(())
    }

    /// Per class, the last `validation_fraction` of a shuffled order (at
    /// least one row if the class has 2 or more).
    fn split(&self, y: &[usize], k: usize, rng: &mut SamplerRng) -> (Vec<usize>, Vec<usize>) {
        if self.validation_fraction == 0.0 {
            return ((0..y.len()).collect(), Vec::new());
        }
        let (mut train, mut valid) = (Vec::new(), Vec::new());
        for c in 0..k {
            let mut rows: Vec<usize> = (0..y.len()).filter(|&i| y[i] == c).collect();
            rng.shuffle(&mut rows);
            let n_valid = if rows.len() >= 2 {
                ((rows.len() as f64 * self.validation_fraction).round() as usize).clamp(1, rows.len() - 1)
            } else {
                0
            };
            valid.extend_from_slice(&rows[..n_valid]);
            train.extend_from_slice(&rows[n_valid..]);
        }
        train.sort_unstable();
        valid.sort_unstable();
        (train, valid)
    }
}

/// What [`MlpClassifier::fit_with_progress`] reports after each epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochReport {
    pub epoch: usize,
    pub epochs: usize,
    /// Mean training loss.
    pub loss: f64,
    /// Validation balanced accuracy, with early stopping on.
    pub validation: Option<f64>,
}

impl Fit for MlpClassifier {
    type Fitted = FittedMlp;

    fn fit(&self, x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<FittedMlp, ModelError> {
        self.fit_with_progress(x, y, n_classes, &mut |_| {})
    }
}

impl MlpClassifier {
    /// [`Fit::fit`], calling `progress` after every epoch.
    pub fn fit_with_progress(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedMlp, ModelError> {
        crate::check_xy(x, y, n_classes)?;
        self.check()?;
        let k = n_classes;
        let mut rng = SamplerRng::new(RngKind::Default, self.random_state);
        let (train, valid) = self.split(y, k, &mut rng);
        let counts = class_counts(&train.iter().map(|&i| y[i]).collect::<Vec<_>>(), k);
        if let Some(c) = counts.iter().position(|&n| n == 0.0) {
            return Err(ModelError::MissingClass {
                model: "MlpClassifier",
                class: c,
            });
        }
        let mut widths = vec![x.ncols()];
        widths.extend(&self.hidden);
        let mut layers: Vec<Dense> = widths.windows(2).map(|w| Dense::new(w[0], w[1], &mut rng)).collect();
        let mut head = Dense::new(*widths.last().expect("input width"), k, &mut rng);
        let mut moments: Vec<(Moments, Moments)> = layers
            .iter()
            .chain(std::iter::once(&head))
            .map(|l| (Moments::new(l.w.len()), Moments::new(l.b.len())))
            .collect();
        let mut model = FittedMlp {
            layers: Vec::new(),
            head: head.clone(),
            activation: self.activation,
            cosine_head: self.cosine_head,
            validation_curve: Vec::new(),
            loss_curve: Vec::new(),
        };
        let (mut best, mut best_score, mut since_best) = (None, f64::NEG_INFINITY, 0);
        let keep = 1.0 - self.dropout;
        let mut t = 0;
        let mut order = train.clone();
        for epoch in 0..self.epochs {
            let loss = self.loss.build(&counts, epoch, self.epochs).map_err(loss_error)?;
            rng.shuffle(&mut order);
            let mut epoch_loss = 0.0;
            for batch in order.chunks(self.batch_size) {
                let xb = x.select(Axis(0), batch);
                let yb: Vec<usize> = batch.iter().map(|&i| y[i]).collect();
                // Forward, keeping pre-activations and dropout masks.
                let mut inputs = vec![xb];
                let mut pre = Vec::new();
                let mut masks = Vec::new();
                for (li, l) in layers.iter().enumerate() {
                    let z = inputs[li].dot(&l.w.t()) + &l.b;
                    let mut a = z.mapv(|v| act(self.activation, v));
                    let last = li + 1 == layers.len();
                    // The last hidden layer's dropout is the multi-sample one, below.
                    if self.dropout > 0.0 && !last {
                        let mask =
                            Array2::from_shape_simple_fn(
                                a.dim(),
                                || {
                                    if rng.random() < keep {
                                        1.0 / keep
                                    } else {
                                        0.0
                                    }
                                },
                            );
                        a *= &mask;
                        masks.push(Some(mask));
                    } else {
                        masks.push(None);
                    }
                    pre.push(z);
                    inputs.push(a);
                }
                let h = inputs.last().expect("input").clone();
                let samples = if self.dropout > 0.0 && !layers.is_empty() {
                    self.dropout_samples
                } else {
                    1
                };
                let mut grad_h = Array2::<f64>::zeros(h.dim());
                let mut gw_head = Array2::<f64>::zeros(head.w.dim());
                let mut gb_head = Array1::<f64>::zeros(k);
                for _ in 0..samples {
                    let (hm, mask) =
                        if self.dropout > 0.0 && !layers.is_empty() {
                            let mask = Array2::from_shape_simple_fn(h.dim(), || {
                                if rng.random() < keep {
                                    1.0 / keep
                                } else {
                                    0.0
                                }
                            });
                            (&h * &mask, Some(mask))
                        } else {
                            (h.clone(), None)
                        };
                    let (value, gh) = if self.cosine_head {
                        let (z, hn, wn) = cosine(&hm, &head.w);
                        let (value, gz) = loss.batch_loss(z.view(), &yb).map_err(loss_error)?;
                        // ∂z_ij/∂h_i = (ŵ_j - z_ij ĥ_i)/|h_i|; ∂z_ij/∂w_j = (ĥ_i - z_ij ŵ_j)/|w_j|.
                        let mut gh = Array2::<f64>::zeros(hm.dim());
                        for i in 0..hm.nrows() {
                            for j in 0..k {
                                let g = gz[(i, j)];
                                if g == 0.0 {
                                    continue;
                                }
                                let zij = z[(i, j)];
                                for f in 0..hm.ncols() {
                                    let (hv, wv) = (hm[(i, f)] / hn[i], head.w[(j, f)] / wn[j]);
                                    gh[(i, f)] += g * (wv - zij * hv) / hn[i];
                                    gw_head[(j, f)] += g * (hv - zij * wv) / wn[j] / samples as f64;
                                }
                            }
                        }
                        (value, gh)
                    } else {
                        let z = hm.dot(&head.w.t()) + &head.b;
                        let (value, gz) = loss.batch_loss(z.view(), &yb).map_err(loss_error)?;
                        gw_head.scaled_add(1.0 / samples as f64, &gz.t().dot(&hm));
                        gb_head.scaled_add(1.0 / samples as f64, &gz.sum_axis(Axis(0)));
                        (value, gz.dot(&head.w))
                    };
                    epoch_loss += value * batch.len() as f64 / samples as f64;
                    let gh = match mask {
                        Some(m) => gh * &m,
                        None => gh,
                    };
                    grad_h.scaled_add(1.0 / samples as f64, &gh);
                }
                // Backward through the hidden layers.
                t += 1;
                let lr = self.learning_rate;
                let mut g = grad_h;
                let mut grads = Vec::with_capacity(layers.len());
                for li in (0..layers.len()).rev() {
                    if let Some(m) = &masks[li] {
                        g *= m;
                    }
                    let dz = &g * &pre[li].mapv(|v| act_grad(self.activation, v));
                    let gw = dz.t().dot(&inputs[li]);
                    let gb = dz.sum_axis(Axis(0));
                    if li > 0 {
                        g = dz.dot(&layers[li].w);
                    }
                    grads.push((gw, gb));
                }
                grads.reverse();
                for (li, (gw, gb)) in grads.into_iter().enumerate() {
                    let l = &mut layers[li];
                    let gw = gw + &(&l.w * self.weight_decay);
                    let (mw, mb) = &mut moments[li];
                    mw.step(
                        l.w.as_slice_mut().expect("contiguous"),
                        gw.as_slice().expect("contiguous"),
                        lr,
                        t,
                    );
                    mb.step(
                        l.b.as_slice_mut().expect("contiguous"),
                        gb.as_slice().expect("contiguous"),
                        lr,
                        t,
                    );
                }
                let gw = gw_head + &(&head.w * self.weight_decay);
                let (mw, mb) = moments.last_mut().expect("head moments");
                mw.step(
                    head.w.as_slice_mut().expect("contiguous"),
                    gw.as_slice().expect("contiguous"),
                    lr,
                    t,
                );
                if !self.cosine_head {
                    mb.step(
                        head.b.as_slice_mut().expect("contiguous"),
                        gb_head.as_slice().expect("contiguous"),
                        lr,
                        t,
                    );
                }
            }
            model.layers.clone_from(&layers);
            model.head.clone_from(&head);
            model.loss_curve.push(epoch_loss / train.len() as f64);
            if valid.is_empty() {
                progress(EpochReport {
                    epoch,
                    epochs: self.epochs,
                    loss: *model.loss_curve.last().expect("pushed"),
                    validation: None,
                });
            } else {
                let xv = x.select(Axis(0), &valid);
                let yv: Vec<usize> = valid.iter().map(|&i| y[i]).collect();
                let pred = argmax_rows(model.logits(xv.view()).view());
                let score = balanced_accuracy(&yv, &pred, k);
                model.validation_curve.push(score);
                progress(EpochReport {
                    epoch,
                    epochs: self.epochs,
                    loss: *model.loss_curve.last().expect("pushed"),
                    validation: Some(score),
                });
                if score > best_score {
                    (best_score, since_best) = (score, 0);
                    best = Some((layers.clone(), head.clone()));
                } else {
                    since_best += 1;
                    if since_best >= self.patience {
                        break;
                    }
                }
            }
        }
        if let Some((l, h)) = best {
            model.layers = l;
            model.head = h;
        }
        Ok(model)
    }
}
