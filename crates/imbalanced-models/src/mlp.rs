//! A multilayer perceptron trained with any loss of `imbalanced-losses`:
//! minibatch Adam, dropout and multi-sample dropout (Inoue 2019), an
//! optional cosine (normalised) head for LDAM, early stopping on the
//! balanced accuracy of a stratified validation split. Seeded: the same
//! seed gives the same model on any thread count.
//!
//! Why hand-written: analytic gradients on ndarray keep the default build
//! lean and seedable (`../shared/design/STACK.md`: burn adds ~280 CPU-s of
//! build; candle cannot be seeded on CPU).

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use imbalanced_losses::{LossSpec, ProportionLoss};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::linalg::general_mat_mul;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};

use crate::alignment::ClassAlignment;
use crate::batch_sampling::{draw_weighted, rarest_positive_weights, sampling_weights, BatchSampling};
use crate::persist::{ensure, finite, Validate};
use crate::softmax::{class_counts, loss_error};
use crate::traits::{argmax_rows, check_predict_input, Fit, Predict};
use crate::ModelError;

/// Hidden-layer activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    /// `max(0, x)`. The default.
    #[default]
    Relu,
    /// `x Φ(x)` (tanh approximation, as PyTorch's `approximate="tanh"`).
    Gelu,
}

/// A multi-layer perceptron trained with any imbalance-aware loss (Adam).
///
/// Parameters. Defaults: one hidden layer of 100 ReLU units (scikit-learn's
/// `MLPClassifier`), no dropout, Adam lr 1e-3, batch 200, 200 epochs, L2
/// 1e-4, loss `ce`, early stopping off, seed 0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "MLPClassifier", kind = "classifier", aliases = ["mlp"])]
pub struct MlpClassifier {
    /// Sizes of the hidden layers. Default: `[100]`.
    #[serde(rename = "hidden_layer_sizes")]
    pub hidden: Vec<usize>,
    /// `relu` or `gelu` (tanh approximation, as PyTorch's). Default: `relu`.
    pub activation: Activation,
    /// Dropout probability after each hidden layer. Default: 0.
    pub dropout: f64,
    /// Multi-sample dropout (Inoue 2019): this many masks on the last hidden layer, each through the shared
    /// head, losses averaged; 1 is plain dropout. Default: 1.
    pub dropout_samples: usize,
    /// A cosine head: logits are `cos(h, w_j)` in [-1, 1], no bias (LDAM's `NormedLinear`). Default:
    /// `false`.
    pub cosine_head: bool,
    /// Groups of input columns (e.g. one per sensor) that training drops together, each with probability
    /// `feature_group_dropout` per row (kept inputs scaled by 1/(1-p)). Default: none.
    pub feature_groups: Vec<Vec<usize>>,
    /// Drop probability of each feature group. Default: 0.
    pub feature_group_dropout: f64,
    /// The training loss: a name (`ce`, `focal`, `ldam-drw`, ...) or `{"name": ..., parameters}`. Default:
    /// `ce`.
    pub loss: LossSpec,
    /// Adam's learning rate. Default: 1e-3.
    #[serde(rename = "learning_rate_init")]
    pub learning_rate: f64,
    /// Rows per step. Default: 200.
    pub batch_size: usize,
    /// Epochs at most. Default: 200.
    #[serde(rename = "max_iter")]
    pub epochs: usize,
    /// L2 penalty on the weights. Default: 1e-4.
    #[serde(rename = "alpha")]
    pub weight_decay: f64,
    /// Share of each class held out to stop early when its balanced accuracy has not improved for
    /// `n_iter_no_change` epochs (the best weights kept); 0 turns early stopping off. Default: 0.
    pub validation_fraction: f64,
    /// Epochs without improvement before early stopping. Default: 10.
    #[serde(rename = "n_iter_no_change")]
    pub patience: usize,
    /// How epochs draw their rows: `instance` (every row once), `class-balanced`, `sqrt` or `progressive`.
    /// Default: `instance`.
    pub sampling: BatchSampling,
    /// Seed of the initial weights, batches and dropout masks. Default: 0.
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
            feature_groups: Vec::new(),
            feature_group_dropout: 0.0,
            loss: LossSpec::new("ce", &[]).expect("known loss"),
            learning_rate: 1e-3,
            batch_size: 200,
            epochs: 200,
            weight_decay: 1e-4,
            validation_fraction: 0.0,
            patience: 10,
            sampling: BatchSampling::Instance,
            random_state: 0,
        }
    }
}

/// One dense layer, `y = x Wᵀ + b`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dense {
    /// `outputs x inputs`.
    #[serde(with = "crate::persist::matrix")]
    pub w: Array2<f64>,
    /// One bias per output.
    #[serde(with = "crate::persist::vector")]
    pub b: Array1<f64>,
}

/// A fitted network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

pub(crate) fn act(a: Activation, x: f64) -> f64 {
    match a {
        Activation::Relu => x.max(0.0),
        Activation::Gelu => 0.5 * x * (1.0 + (SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)).tanh()),
    }
}

pub(crate) fn act_grad(a: Activation, x: f64) -> f64 {
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
    pub(crate) fn new(inputs: usize, outputs: usize, rng: &mut SamplerRng) -> Self {
        // PyTorch's nn.Linear initialisation: U(-1/sqrt(in), 1/sqrt(in)).
        let bound = 1.0 / (inputs as f64).sqrt();
        Dense {
            w: Array2::from_shape_simple_fn((outputs, inputs), || rng.uniform(-bound, bound)),
            b: Array1::from_shape_simple_fn(outputs, || rng.uniform(-bound, bound)),
        }
    }
}

/// Adam state of one tensor.
pub(crate) struct Moments {
    m: Vec<f64>,
    v: Vec<f64>,
}

impl Moments {
    pub(crate) fn new(n: usize) -> Self {
        Moments {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }
    pub(crate) fn step(&mut self, param: &mut [f64], grad: &[f64], lr: f64, t: i32) {
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

impl FittedMlp {
    /// Per-label probabilities `σ(z)` of a multi-label network (see
    /// [`MlpClassifier::fit_multilabel`]).
    pub fn predict_label_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, self.n_features())?;
        Ok(self.logits(x).mapv(|z| {
            if z >= 0.0 {
                1.0 / (1.0 + (-z).exp())
            } else {
                z.exp() / (1.0 + z.exp())
            }
        }))
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
        if !(0.0..1.0).contains(&self.feature_group_dropout) {
            return bad(format!(
                "feature_group_dropout={}: use a probability in [0, 1)",
                self.feature_group_dropout
            ));
        }
        if !(0.0..0.5).contains(&self.validation_fraction) {
            return bad(format!(
                "validation_fraction={}: use [0, 0.5)",
                self.validation_fraction
            ));
        }
        Ok(())
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
    /// The first epoch of the training schedule's final phase (LDAM-DRW's
    /// re-weighting, progressive sampling's last epoch); 0 without a
    /// schedule. Early stopping neither counts nor keeps earlier epochs, so
    /// it cannot stop a schedule from taking effect.
    pub schedule_settles: usize,
    /// On the last report, when early stopping ended training: why.
    pub stopped: Option<EarlyStop>,
}

impl EpochReport {
    /// The epoch as one line: its loss, and the validation balanced
    /// accuracy where there is one.
    pub fn line(&self) -> String {
        match self.validation {
            Some(v) => format!(
                "epoch {:>4}: loss {:.4}, validation balanced accuracy {v:.4}",
                self.epoch + 1,
                self.loss
            ),
            None => format!("epoch {:>4}: loss {:.4}", self.epoch + 1, self.loss),
        }
    }

    /// How training ended, said from its last epoch's report: all epochs or
    /// an early stop and why, and when the schedule took full effect.
    pub fn summary(&self) -> String {
        let mut s = match self.stopped {
            Some(stop) => format!(
                "stopped early after epoch {} of {}: validation balanced accuracy did not improve for {} epochs; \
                 the weights of epoch {} ({:.4}) are kept",
                self.epoch + 1,
                self.epochs,
                stop.patience,
                stop.best_epoch + 1,
                stop.best_score
            ),
            None => format!("trained all {} epochs", self.epochs),
        };
        if self.schedule_settles > 0 {
            s += &if self.schedule_settles < self.epochs {
                format!(
                    "; the schedule (LDAM-DRW's re-weighting, progressive sampling) took full effect at epoch {}, \
                     and early stopping counted only from there",
                    self.schedule_settles + 1
                )
            } else {
                "; the schedule never took full effect within these epochs (e.g. LDAM-DRW with t0=1)".to_string()
            };
        }
        s
    }
}

/// Why early stopping ended training before its last epoch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlyStop {
    /// The epoch whose weights are kept: the best validation score.
    pub best_epoch: usize,
    pub best_score: f64,
    /// Epochs without improvement after it (`n_iter_no_change`).
    pub patience: usize,
}

/// A batch objective: the batch's logits to its value and gradient.
type StepLoss<'a> = dyn Fn(ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>), ModelError> + 'a;

/// A loss of the last hidden layer's activations (before dropout): its
/// value and gradient with respect to them.
type HiddenLoss<'a> = dyn FnMut(ArrayView2<'_, f64>) -> (f64, Array2<f64>) + 'a;

/// Buffers reused by every training step: allocating the large per-batch
/// arrays anew each step made the allocator return and re-fault their pages.
struct Workspace {
    xb: Array2<f64>,
    pre: Vec<Array2<f64>>,
    acts: Vec<Array2<f64>>,
    grads: Vec<Array2<f64>>,
    masks: Vec<Array2<f64>>,
    /// Gradients of each hidden layer's weights and biases after a step.
    gws: Vec<Array2<f64>>,
    gbs: Vec<Array1<f64>>,
}

impl Workspace {
    fn new(hidden: &[usize], rows: usize, inputs: usize) -> Self {
        let per_layer: Vec<Array2<f64>> = hidden.iter().map(|&h| Array2::zeros((rows, h))).collect();
        let mut widths = vec![inputs];
        widths.extend(hidden);
        Workspace {
            xb: Array2::zeros((rows, inputs)),
            pre: per_layer.clone(),
            acts: per_layer.clone(),
            grads: per_layer.clone(),
            masks: per_layer,
            gws: widths.windows(2).map(|w| Array2::zeros((w[1], w[0]))).collect(),
            gbs: hidden.iter().map(|&h| Array1::zeros(h)).collect(),
        }
    }
}

impl MlpClassifier {
    /// Feature-group dropout on the first `rows` rows of a batch.
    fn drop_feature_groups(&self, xb: &mut Array2<f64>, rows: usize, rng: &mut SamplerRng) {
        let p = self.feature_group_dropout;
        if p == 0.0 || self.feature_groups.is_empty() {
            return;
        }
        for r in 0..rows {
            for group in &self.feature_groups {
                let factor = if rng.random() < p { 0.0 } else { 1.0 / (1.0 - p) };
                for &c in group {
                    xb[(r, c)] *= factor;
                }
            }
        }
    }

    /// Fresh layers (PyTorch's initialisation), head and Adam state.
    fn init_network(
        &self,
        inputs: usize,
        outputs: usize,
        rng: &mut SamplerRng,
    ) -> (Vec<Dense>, Dense, Vec<(Moments, Moments)>) {
        let mut widths = vec![inputs];
        widths.extend(&self.hidden);
        let layers: Vec<Dense> = widths.windows(2).map(|w| Dense::new(w[0], w[1], rng)).collect();
        let head = Dense::new(*widths.last().expect("input width"), outputs, rng);
        let moments = layers
            .iter()
            .chain(std::iter::once(&head))
            .map(|l| (Moments::new(l.w.len()), Moments::new(l.b.len())))
            .collect();
        (layers, head, moments)
    }

    /// Adam on every parameter, with the L2 penalty added to the weights' gradients.
    #[allow(clippy::too_many_arguments)]
    fn adam_step(
        &self,
        layers: &mut [Dense],
        head: &mut Dense,
        ws: &mut Workspace,
        mut gw_head: Array2<f64>,
        gb_head: &Array1<f64>,
        moments: &mut [(Moments, Moments)],
        t: i32,
    ) {
        let lr = self.learning_rate;
        for (li, l) in layers.iter_mut().enumerate() {
            ws.gws[li].scaled_add(self.weight_decay, &l.w);
            let (mw, mb) = &mut moments[li];
            mw.step(
                l.w.as_slice_mut().expect("contiguous"),
                ws.gws[li].as_slice().expect("contiguous"),
                lr,
                t,
            );
            mb.step(
                l.b.as_slice_mut().expect("contiguous"),
                ws.gbs[li].as_slice().expect("contiguous"),
                lr,
                t,
            );
        }
        gw_head.scaled_add(self.weight_decay, &head.w);
        let (mw, mb) = moments.last_mut().expect("head moments");
        mw.step(
            head.w.as_slice_mut().expect("contiguous"),
            gw_head.as_slice().expect("contiguous"),
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

    /// Trains on multi-label targets (`n x L`, 0/1) with `loss` read as a
    /// multi-label loss ([`imbalanced_losses::MULTILABEL_LOSSES`]: BCE, sigmoid
    /// focal, ASL, LCR, multi-label LDAM / LDAM-DRW), built from each label's
    /// positive count; one sigmoid per label: predict with
    /// [`FittedMlp::predict_label_proba`]. Rows are drawn once per epoch, or
    /// weighted by their rarest positive label with any non-instance
    /// `sampling`. No early stopping; `progress` is called after every epoch.
    pub fn fit_multilabel(
        &self,
        x: ArrayView2<'_, f64>,
        targets: ArrayView2<'_, f64>,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedMlp, ModelError> {
        if x.nrows() != targets.nrows() {
            return Err(ModelError::ShapeMismatch {
                x_rows: x.nrows(),
                y_len: targets.nrows(),
            });
        }
        if x.nrows() == 0 || targets.ncols() == 0 {
            return Err(ModelError::Empty);
        }
        if let Some(((row, column), value)) = imbalanced_data::first_non_finite(x.view()) {
            return Err(ModelError::NonFinite { row, column, value });
        }
        if let Some(((row, column), &value)) = targets.indexed_iter().find(|(_, v)| !(0.0..=1.0).contains(*v)) {
            return Err(ModelError::Parameter(format!(
                "target ({row}, {column}) is {value}; multi-label targets are 0/1 (or in [0, 1])"
            )));
        }
        self.check()?;
        let n = x.nrows();
        let positives = targets.sum_axis(Axis(0)).to_vec();
        let mut rng = SamplerRng::new(RngKind::Default, self.random_state);
        let (mut layers, mut head, mut moments) = self.init_network(x.ncols(), targets.ncols(), &mut rng);
        let mut ws = Workspace::new(&self.hidden, self.batch_size.min(n), x.ncols());
        let weights = (self.sampling != BatchSampling::Instance).then(|| rarest_positive_weights(targets));
        let mut order: Vec<usize> = (0..n).collect();
        let mut loss_curve = Vec::with_capacity(self.epochs);
        let mut t = 0;
        for epoch in 0..self.epochs {
            let loss = self
                .loss
                .build_multilabel(&positives, n as f64, epoch, self.epochs)
                .map_err(loss_error)?;
            match &weights {
                None => rng.shuffle(&mut order),
                Some(w) => order = draw_weighted(w, n, &mut rng),
            }
            let mut epoch_loss = 0.0;
            for batch in order.chunks(self.batch_size) {
                for (r, &i) in batch.iter().enumerate() {
                    ws.xb.row_mut(r).assign(&x.row(i));
                }
                self.drop_feature_groups(&mut ws.xb, batch.len(), &mut rng);
                let tb = targets.select(Axis(0), batch);
                let step_loss = |z: ArrayView2<'_, f64>| loss.batch_loss(z, tb.view()).map_err(loss_error);
                let (value, gw_head, gb_head) =
                    self.gradients(&mut ws, &layers, &head, batch.len(), &step_loss, None, &mut rng)?;
                epoch_loss += value * batch.len() as f64;
                t += 1;
                self.adam_step(&mut layers, &mut head, &mut ws, gw_head, &gb_head, &mut moments, t);
            }
            loss_curve.push(epoch_loss / n as f64);
            progress(EpochReport {
                epoch,
                epochs: self.epochs,
                loss: epoch_loss / n as f64,
                validation: None,
                schedule_settles: 0,
                stopped: None,
            });
        }
        Ok(FittedMlp {
            layers,
            head,
            activation: self.activation,
            cosine_head: self.cosine_head,
            validation_curve: Vec::new(),
            loss_curve,
        })
    }

    /// One step's loss (`loss` maps the batch's logits to value and gradient)
    /// on the first `rows` rows of `ws.xb` and its
    /// gradients: the hidden layers' into `ws.gws` / `ws.gbs`, the head's
    /// returned. Dropout masks are drawn from `rng`. No weight decay here.
    #[allow(clippy::too_many_arguments)]
    fn gradients(
        &self,
        ws: &mut Workspace,
        layers: &[Dense],
        head: &Dense,
        rows: usize,
        loss: &StepLoss<'_>,
        hidden: Option<&mut HiddenLoss<'_>>,
        rng: &mut SamplerRng,
    ) -> Result<(f64, Array2<f64>, Array1<f64>), ModelError> {
        let k = head.w.nrows();
        let keep = 1.0 - self.dropout;
        let dropout = self.dropout > 0.0 && !layers.is_empty();
        let samples = if dropout { self.dropout_samples } else { 1 };
        let draw_mask = |m: &mut ndarray::ArrayViewMut2<'_, f64>, rng: &mut SamplerRng| {
            m.iter_mut()
                .for_each(|v| *v = if rng.random() < keep { 1.0 / keep } else { 0.0 });
        };
        // Forward: pre-activations, activations (times the dropout masks of
        // all but the last hidden layer, whose dropout is the multi-sample one below).
        for li in 0..layers.len() {
            let (done, rest) = ws.acts.split_at_mut(li);
            let input = if li == 0 {
                ws.xb.slice(s![..rows, ..])
            } else {
                done[li - 1].slice(s![..rows, ..])
            };
            let mut z = ws.pre[li].slice_mut(s![..rows, ..]);
            general_mat_mul(1.0, &input, &layers[li].w.t(), 0.0, &mut z);
            z += &layers[li].b;
            let mut a = rest[0].slice_mut(s![..rows, ..]);
            a.zip_mut_with(&z, |a, &v| *a = act(self.activation, v));
            if dropout && li + 1 < layers.len() {
                let mut m = ws.masks[li].slice_mut(s![..rows, ..]);
                draw_mask(&mut m, rng);
                a *= &m;
            }
        }
        let h = match ws.acts.last() {
            Some(a) => a.slice(s![..rows, ..]),
            None => ws.xb.slice(s![..rows, ..]),
        };
        let (mut total, mut grad_h) = match hidden {
            Some(f) => f(h.view()),
            None => (0.0, Array2::<f64>::zeros(h.dim())),
        };
        let mut gw_head = Array2::<f64>::zeros(head.w.dim());
        let mut gb_head = Array1::<f64>::zeros(k);
        let share = 1.0 / samples as f64;
        for _ in 0..samples {
            let (hm, mask) = if dropout {
                let mut mask = Array2::zeros(h.dim());
                draw_mask(&mut mask.view_mut(), rng);
                (&h * &mask, Some(mask))
            } else {
                (h.to_owned(), None)
            };
            let (value, gh) = if self.cosine_head {
                let (z, hn, wn) = cosine(&hm, &head.w);
                let (value, gz) = loss(z.view())?;
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
                            gw_head[(j, f)] += share * g * (hv - zij * wv) / wn[j];
                        }
                    }
                }
                (value, gh)
            } else {
                let z = hm.dot(&head.w.t()) + &head.b;
                let (value, gz) = loss(z.view())?;
                general_mat_mul(share, &gz.t(), &hm, 1.0, &mut gw_head);
                gb_head.scaled_add(share, &gz.sum_axis(Axis(0)));
                (value, gz.dot(&head.w))
            };
            total += value * share;
            match mask {
                Some(m) => grad_h.scaled_add(share, &(gh * &m)),
                None => grad_h.scaled_add(share, &gh),
            }
        }
        // Backward through the hidden layers.
        if let Some(last) = ws.grads.last_mut() {
            last.slice_mut(s![..rows, ..]).assign(&grad_h);
        }
        for li in (0..layers.len()).rev() {
            let (below, here) = ws.grads.split_at_mut(li);
            let mut g = here[0].slice_mut(s![..rows, ..]);
            if dropout && li + 1 < layers.len() {
                g *= &ws.masks[li].slice(s![..rows, ..]);
            }
            g.zip_mut_with(&ws.pre[li].slice(s![..rows, ..]), |g, &z| {
                *g *= act_grad(self.activation, z)
            });
            let input = if li == 0 {
                ws.xb.slice(s![..rows, ..])
            } else {
                ws.acts[li - 1].slice(s![..rows, ..])
            };
            general_mat_mul(1.0, &g.t(), &input, 0.0, &mut ws.gws[li]);
            ws.gbs[li] = g.sum_axis(Axis(0));
            if li > 0 {
                general_mat_mul(
                    1.0,
                    &g,
                    &layers[li].w,
                    0.0,
                    &mut below[li - 1].slice_mut(s![..rows, ..]),
                );
            }
        }
        Ok((total, gw_head, gb_head))
    }
}

impl Fit for MlpClassifier {
    type Fitted = FittedMlp;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedMlp, ModelError> {
        self.fit_inner(data, None, &mut |_| {})
    }
}

/// The class proxies of [`ClassAlignment`] with their Adam state.
struct Proxies {
    align: ClassAlignment,
    mean: Array2<f64>,
    log_scale: Array1<f64>,
    moments: (Moments, Moments),
    /// Whether the means were set from a first batch.
    started: bool,
}

impl Proxies {
    fn new(align: ClassAlignment, k: usize, width: usize) -> Self {
        Proxies {
            align,
            mean: Array2::zeros((k, width)),
            log_scale: Array1::zeros(k),
            moments: (Moments::new(k * width), Moments::new(k)),
            started: false,
        }
    }

    /// Adam on the means and log-scales (step `t`) with the step's gradients.
    fn adam_step(&mut self, st: &crate::alignment::AlignmentStep, lr: f64, t: i32) {
        let w = self.align.weight;
        let (gm, gs) = (&st.grad_mean * w, &st.grad_log_scale * w);
        let mean = self.mean.as_slice_mut().expect("contiguous");
        self.moments.0.step(mean, gm.as_slice().expect("contiguous"), lr, t);
        let log_scale = self.log_scale.as_slice_mut().expect("contiguous");
        self.moments
            .1
            .step(log_scale, gs.as_slice().expect("contiguous"), lr, t);
    }
}

/// Each class's mean row of `h` among the labelled rows (zero for a class
/// without one).
fn class_means(h: ArrayView2<'_, f64>, labels: &[Option<usize>], k: usize) -> Array2<f64> {
    let mut sums = Array2::<f64>::zeros((k, h.ncols()));
    let mut counts = vec![0.0; k];
    for (row, label) in h.rows().into_iter().zip(labels) {
        if let Some(c) = label {
            sums.row_mut(*c).scaled_add(1.0, &row);
            counts[*c] += 1.0;
        }
    }
    for (mut row, &n) in sums.rows_mut().into_iter().zip(&counts) {
        if n > 0.0 {
            row.mapv_inplace(|v| v / n);
        }
    }
    sums
}

/// Semi-supervised training with the proportion loss: every step adds a
/// batch of unlabelled rows whose mean prediction is pulled toward the
/// class proportions, `weight × (-Σ_c π_c log p̄_c)`
/// ([`imbalanced_losses::ProportionLoss`]; learning from label proportions,
/// as in class-imbalanced semi-supervised learning, Akiba et al. 2026).
#[derive(Debug, Clone, PartialEq)]
pub struct ProportionSsl {
    /// Weight of the unlabelled term. Default: 1.
    pub weight: f64,
    /// Class proportions π of the unlabelled data. Default: `None`, the
    /// labelled training rows' class shares.
    pub proportions: Option<Vec<f64>>,
    /// Draw each batch's target proportions from the multivariate
    /// hypergeometric of a batch taken from a pool with π's class counts
    /// (the stochastic variant) instead of using π itself. Default: `false`.
    pub stochastic: bool,
    /// Also align the hidden space's class distribution with learnable class
    /// proxies ([`ClassAlignment`], our formulation of SCDL). Default: `None`.
    pub alignment: Option<ClassAlignment>,
}

impl Default for ProportionSsl {
    fn default() -> Self {
        ProportionSsl {
            weight: 1.0,
            proportions: None,
            stochastic: false,
            alignment: None,
        }
    }
}

/// The unlabelled rows of semi-supervised training, drawn in shuffled
/// order, cycling as often as the labelled epochs need.
struct UnlabelledStream<'a> {
    x: ArrayView2<'a, f64>,
    ssl: &'a ProportionSsl,
    proportions: Vec<f64>,
    /// π's class counts in a pool the size of the unlabelled data.
    pool: Vec<usize>,
    order: Vec<usize>,
    next: usize,
}

impl<'a> UnlabelledStream<'a> {
    fn new(x: ArrayView2<'a, f64>, ssl: &'a ProportionSsl, prior: &[f64]) -> Result<Self, ModelError> {
        let proportions = ssl.proportions.clone().unwrap_or_else(|| prior.to_vec());
        ProportionLoss::new(proportions.clone()).map_err(loss_error)?;
        if proportions.len() != prior.len() {
            return Err(ModelError::Parameter(format!(
                "{} unlabelled class proportions for {} classes",
                proportions.len(),
                prior.len()
            )));
        }
        if !(ssl.weight >= 0.0 && ssl.weight.is_finite()) {
            return Err(ModelError::Parameter(format!(
                "proportion loss weight {}: use a finite number >= 0",
                ssl.weight
            )));
        }
        let pool = proportions
            .iter()
            .map(|p| (p * x.nrows() as f64).round() as usize)
            .collect();
        Ok(UnlabelledStream {
            x,
            ssl,
            proportions,
            pool,
            order: (0..x.nrows()).collect(),
            next: x.nrows(),
        })
    }

    /// Copies the next `rows` unlabelled rows into `xb` from row `at` on and
    /// returns the loss their logits get.
    fn fill(
        &mut self,
        xb: &mut Array2<f64>,
        at: usize,
        rows: usize,
        rng: &mut SamplerRng,
    ) -> Result<ProportionLoss, ModelError> {
        for r in 0..rows {
            if self.next == self.order.len() {
                rng.shuffle(&mut self.order);
                self.next = 0;
            }
            xb.row_mut(at + r).assign(&self.x.row(self.order[self.next]));
            self.next += 1;
        }
        if self.ssl.stochastic && self.pool.iter().sum::<usize>() >= rows {
            ProportionLoss::hypergeometric(&self.pool, rows, || rng.random()).map_err(loss_error)
        } else {
            ProportionLoss::new(self.proportions.clone()).map_err(loss_error)
        }
    }
}

impl MlpClassifier {
    /// [`Fit::fit_checked`], calling `progress` after every epoch.
    pub fn fit_with_progress(
        &self,
        mut data: Xy<'_>,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedMlp, ModelError> {
        data.require_finite()?;
        self.fit_inner(data, None, progress)
    }

    /// Semi-supervised training: the labelled rows `x`, `y` with the model's
    /// loss, plus the proportion loss of `ssl` on batches of
    /// `x_unlabelled` (one unlabelled row per labelled row of each batch).
    /// Validation and early stopping use labelled rows only.
    pub fn fit_semi_supervised(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        x_unlabelled: ArrayView2<'_, f64>,
        ssl: &ProportionSsl,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedMlp, ModelError> {
        if x_unlabelled.nrows() == 0 {
            return Err(ModelError::Empty);
        }
        if x_unlabelled.ncols() != x.ncols() {
            return Err(ModelError::Parameter(format!(
                "{} unlabelled columns for {} labelled ones",
                x_unlabelled.ncols(),
                x.ncols()
            )));
        }
        if let Some(((row, column), value)) = imbalanced_data::first_non_finite(x_unlabelled.view()) {
            return Err(ModelError::NonFinite { row, column, value });
        }
        if let Some(align) = &ssl.alignment {
            align.check()?;
        }
        self.fit_inner(Xy::new(x, y, n_classes)?, Some((x_unlabelled, ssl)), progress)
    }

    /// Trains on checked rows known finite.
    fn fit_inner(
        &self,
        data: Xy<'_>,
        unlabelled: Option<(ArrayView2<'_, f64>, &ProportionSsl)>,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedMlp, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        self.check()?;
        if let Some(&c) = self.feature_groups.iter().flatten().find(|&&c| c >= x.ncols()) {
            return Err(ModelError::Parameter(format!(
                "feature group column {c} is beyond the {} input columns",
                x.ncols()
            )));
        }
        let k = n_classes;
        let mut rng = SamplerRng::new(RngKind::Default, self.random_state);
        let (train, valid) = crate::stratified_holdout(y, k, self.validation_fraction, &mut rng);
        let counts = class_counts(&train.iter().map(|&i| y[i]).collect::<Vec<_>>(), k);
        if let Some(c) = counts.iter().position(|&n| n == 0.0) {
            return Err(ModelError::MissingClass {
                model: "MlpClassifier",
                class: c,
            });
        }
        let total: f64 = counts.iter().sum();
        let prior: Vec<f64> = counts.iter().map(|c| c / total).collect();
        let mut stream = unlabelled
            .map(|(xu, ssl)| UnlabelledStream::new(xu, ssl, &prior))
            .transpose()?;
        let width = self.hidden.last().copied().unwrap_or(x.ncols());
        let mut aligned = unlabelled
            .and_then(|(_, ssl)| ssl.alignment.clone())
            .map(|align| Proxies::new(align, k, width));
        let (mut layers, mut head, mut moments) = self.init_network(x.ncols(), k, &mut rng);
        let mut model = FittedMlp {
            layers: Vec::new(),
            head: head.clone(),
            activation: self.activation,
            cosine_head: self.cosine_head,
            validation_curve: Vec::new(),
            loss_curve: Vec::new(),
        };
        let (mut best, mut best_score, mut since_best) = (None, f64::NEG_INFINITY, 0);
        let mut best_epoch = 0;
        // Early stopping waits for the schedule: before this epoch the
        // objective is still changing (DRW has not re-weighted yet).
        let settles = self
            .loss
            .settles_at(self.epochs)
            .map_err(loss_error)?
            .max(self.sampling.settles_at(self.epochs));
        let mut t = 0;
        let mut order = train.clone();
        let batch_rows = self.batch_size.min(train.len().max(1));
        let capacity = if stream.is_some() { 2 * batch_rows } else { batch_rows };
        let mut ws = Workspace::new(&self.hidden, capacity, x.ncols());
        let ytrain: Vec<usize> = train.iter().map(|&i| y[i]).collect();
        let xv = x.select(Axis(0), &valid);
        let yv: Vec<usize> = valid.iter().map(|&i| y[i]).collect();
        for epoch in 0..self.epochs {
            let loss = self.loss.build(&counts, epoch, self.epochs).map_err(loss_error)?;
            match sampling_weights(&ytrain, k, self.sampling, epoch, self.epochs) {
                None => rng.shuffle(&mut order),
                Some(w) => {
                    order = draw_weighted(&w, train.len(), &mut rng)
                        .into_iter()
                        .map(|p| train[p])
                        .collect();
                }
            }
            let mut epoch_loss = 0.0;
            for batch in order.chunks(self.batch_size) {
                let yb: Vec<usize> = batch.iter().map(|&i| y[i]).collect();
                for (r, &i) in batch.iter().enumerate() {
                    ws.xb.row_mut(r).assign(&x.row(i));
                }
                let bl = batch.len();
                let proportion = match &mut stream {
                    Some(st) => Some((st.fill(&mut ws.xb, bl, bl, &mut rng)?, st.ssl.weight)),
                    None => None,
                };
                let rows = if proportion.is_some() { 2 * bl } else { bl };
                self.drop_feature_groups(&mut ws.xb, rows, &mut rng);
                let step = |z: ArrayView2<'_, f64>| {
                    let (value, grad) = loss.batch_loss(z.slice(s![..bl, ..]), &yb).map_err(loss_error)?;
                    match &proportion {
                        Some((p, weight)) => {
                            let (vu, gu) = p.compute(z.slice(s![bl.., ..])).map_err(loss_error)?;
                            let grad = ndarray::concatenate![Axis(0), grad, gu * *weight];
                            Ok((value + weight * vu, grad))
                        }
                        None => Ok((value, grad)),
                    }
                };
                // The labelled rows lead the batch; unlabelled ones follow.
                let labels: Vec<Option<usize>> = yb
                    .iter()
                    .map(|&c| Some(c))
                    .chain(std::iter::repeat_n(None, rows - bl))
                    .collect();
                let mut align_step = None;
                let aligning = aligned.is_some();
                let mut hidden = |h: ArrayView2<'_, f64>| match &mut aligned {
                    Some(p) => {
                        if !p.started {
                            // The proxies start at the classes' mean embeddings in the first batch.
                            p.mean = class_means(h, &labels, k);
                            p.started = true;
                        }
                        let st = p.align.step(h, &labels, &p.mean, &p.log_scale);
                        let out = (st.value * p.align.weight, &st.grad_h * p.align.weight);
                        align_step = Some(st);
                        out
                    }
                    None => (0.0, Array2::zeros(h.dim())),
                };
                let hook: Option<&mut HiddenLoss<'_>> = if aligning { Some(&mut hidden) } else { None };
                let (value, gw_head, gb_head) = self.gradients(&mut ws, &layers, &head, rows, &step, hook, &mut rng)?;
                if let (Some(p), Some(st)) = (&mut aligned, align_step) {
                    p.adam_step(&st, self.learning_rate, t + 1);
                }
                epoch_loss += value * batch.len() as f64;
                t += 1;
                self.adam_step(&mut layers, &mut head, &mut ws, gw_head, &gb_head, &mut moments, t);
            }
            model.layers.clone_from(&layers);
            model.head.clone_from(&head);
            model.loss_curve.push(epoch_loss / train.len() as f64);
            let mut report = EpochReport {
                epoch,
                epochs: self.epochs,
                loss: *model.loss_curve.last().expect("pushed"),
                validation: None,
                schedule_settles: settles,
                stopped: None,
            };
            if !valid.is_empty() {
                let pred = argmax_rows(model.logits(xv.view()).view());
                let score = imbalanced_scores::balanced_accuracy_score(&yv, &pred, false).unwrap_or(0.0);
                model.validation_curve.push(score);
                report.validation = Some(score);
                if epoch < settles {
                    // Not yet the final objective: neither kept nor counted.
                } else if score > best_score {
                    (best_score, since_best, best_epoch) = (score, 0, epoch);
                    best = Some((layers.clone(), head.clone()));
                } else {
                    since_best += 1;
                    if since_best >= self.patience {
                        report.stopped = Some(EarlyStop {
                            best_epoch,
                            best_score,
                            patience: self.patience,
                        });
                    }
                }
            }
            progress(report);
            if report.stopped.is_some() {
                break;
            }
        }
        if let Some((l, h)) = best {
            model.layers = l;
            model.head = h;
        }
        Ok(model)
    }
}

impl Validate for FittedMlp {
    fn validate(&self) -> Result<(), String> {
        let mut inputs = self.n_features();
        for (i, d) in self.layers.iter().chain(std::iter::once(&self.head)).enumerate() {
            let name = if i == self.layers.len() {
                "head".to_string()
            } else {
                format!("layers[{i}]")
            };
            ensure(d.w.ncols() == inputs && d.w.nrows() >= 1, || {
                format!("{name}.w is {:?} but the layer before gives {inputs} values", d.w.dim())
            })?;
            ensure(d.b.len() == d.w.nrows(), || {
                format!("{name}.b: {} biases for {} outputs", d.b.len(), d.w.nrows())
            })?;
            finite(&format!("{name}.w"), d.w.iter())?;
            finite(&format!("{name}.b"), d.b.iter())?;
            inputs = d.w.nrows();
        }
        ensure(self.head.w.nrows() >= 2, || "head: at least 2 outputs".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The step's gradients against central differences of the loss, for
    /// two hidden layers, GELU, with and without the cosine head.
    #[test]
    fn gradients_match_finite_differences() {
        let mut rng = SamplerRng::new(RngKind::Default, 5);
        let x = Array2::from_shape_simple_fn((6, 3), || rng.standard_normal());
        let y = [0, 1, 2, 1, 0, 2];
        for cosine_head in [false, true] {
            let model = MlpClassifier {
                hidden: vec![4, 5],
                activation: Activation::Gelu,
                cosine_head,
                loss: LossSpec::new("focal", &[("gamma".into(), "1.5".into())]).unwrap(),
                ..Default::default()
            };
            let mut layers = vec![Dense::new(3, 4, &mut rng), Dense::new(4, 5, &mut rng)];
            let mut head = Dense::new(5, 3, &mut rng);
            let loss = model.loss.build(&[2.0, 2.0, 2.0], 0, 1).unwrap();
            let value_of = |layers: &[Dense], head: &Dense| {
                let f = FittedMlp {
                    layers: layers.to_vec(),
                    head: head.clone(),
                    activation: Activation::Gelu,
                    cosine_head,
                    validation_curve: Vec::new(),
                    loss_curve: Vec::new(),
                };
                loss.batch_loss(f.logits(x.view()).view(), &y).unwrap().0
            };
            let mut ws = Workspace::new(&model.hidden, 6, 3);
            ws.xb.assign(&x);
            let step = |z: ArrayView2<'_, f64>| loss.batch_loss(z, &y).map_err(loss_error);
            let (value, gw_head, _) = model
                .gradients(&mut ws, &layers, &head, 6, &step, None, &mut rng)
                .unwrap();
            assert!((value - value_of(&layers, &head)).abs() < 1e-12);
            let h = 1e-6;
            for li in 0..2 {
                for idx in ndarray::indices(layers[li].w.dim()) {
                    let base = layers[li].w[idx];
                    layers[li].w[idx] = base + h;
                    let up = value_of(&layers, &head);
                    layers[li].w[idx] = base - h;
                    let down = value_of(&layers, &head);
                    layers[li].w[idx] = base;
                    let numeric = (up - down) / (2.0 * h);
                    assert!(
                        (ws.gws[li][idx] - numeric).abs() < 1e-6,
                        "layer {li} {idx:?}: {} vs {numeric}",
                        ws.gws[li][idx]
                    );
                }
            }
            for idx in ndarray::indices(head.w.dim()) {
                let base = head.w[idx];
                head.w[idx] = base + h;
                let up = value_of(&layers, &head);
                head.w[idx] = base - h;
                let down = value_of(&layers, &head);
                head.w[idx] = base;
                let numeric = (up - down) / (2.0 * h);
                assert!(
                    (gw_head[idx] - numeric).abs() < 1e-6,
                    "head {idx:?} (cosine {cosine_head}): {} vs {numeric}",
                    gw_head[idx]
                );
            }
        }
    }
}
