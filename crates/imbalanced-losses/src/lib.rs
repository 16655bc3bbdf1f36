//! Imbalance-aware losses with closed-form gradients, for any model.
//!
//! Every loss maps a batch of logits to per-sample losses and their
//! gradients with respect to the logits ([`LossOutput`]); a [`Reduction`]
//! turns them into one value and its gradient. Single-label losses
//! ([`Loss`]) take class codes; multi-label ones ([`MultiLabelLoss`]) take
//! a 0/1 (or soft) target matrix.
//!
//! Numerics follow `../shared/design/LOSSES.md` §0: log-softmax through
//! log-sum-exp, `log σ` through softplus, `(1 - p_t)^γ` as
//! `exp(γ log(1 - p_t))` with `log(1 - p_t)` from softplus or `log1p`, and
//! closed-form gradients, so every loss stays finite at |logit| = 40 for
//! any γ >= 0 (the NaN gradients of `pow` at γ < 1 never arise).

#![forbid(unsafe_code)]

#[cfg(feature = "burn")]
pub mod burn_losses;
mod class_weights;
mod cross_entropy;
mod focal;
mod focal_entropy;
mod incremental;
mod lcr;
mod margin;
pub mod math;
mod multilabel;
mod newton;
mod overlap;
mod proportion;
mod registry;

pub use class_weights::{effective_number_weights, inverse_frequency_weights, sqrt_inverse_frequency_weights};
pub use cross_entropy::{CrossEntropy, Smoothing};
pub use focal::{Focal, SigmoidFocal};
pub use focal_entropy::{
    advise_gamma, focal_calibrate, focal_h, focal_minimiser, focal_table, FocalMinimiser, FocalRow, FOCAL_GAMMAS,
};
pub use incremental::TemporalDecay;
pub use lcr::{Lcr, PriorWeighting};
pub use margin::{post_hoc_logit_adjustment, BalancedSoftmax, DeferredReweighting, Ldam, LogitAdjusted, Seesaw};
pub use multilabel::{Asl, BinaryCrossEntropy, MultiLabelLdam};
pub use newton::NewtonObjective;
pub use overlap::{CrossEntropyDice, Tversky};
pub use proportion::ProportionLoss;
pub use registry::{
    newton_losses, AslLoss, BalancedSoftmaxLoss, BatchLoss, BceLoss, CbFocalLoss, CeDiceLoss, CeLoss, ClassWeighting,
    DiceLoss, FocalLoss, LabelSmoothingLoss, LcrLoss, LdamDrwLoss, LdamLoss, LogitAdjustedLoss, LossFactory, LossSpec,
    MultiLabelBatchLoss, PositiveWeight, ProportionLossParams, SeesawLoss, SigmoidFocalLoss, SmoothingConvention,
    TalLoss, TverskyLoss, WeightedCeLoss, LOSSES, MULTILABEL,
};

use ndarray::{Array2, ArrayView2};

/// Errors: each names the problem and the fix.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum LossError {
    #[error("{logits} rows of logits but {targets} targets: give one target per row")]
    ShapeMismatch { logits: usize, targets: usize },
    #[error("no samples")]
    Empty,
    #[error("target {target} in row {row} is not below the {classes} classes")]
    BadTarget { row: usize, target: usize, classes: usize },
    #[error("logit {value} in row {row}, column {column} is not finite")]
    NonFinite { row: usize, column: usize, value: f64 },
    #[error("{name}={value}: {fix}")]
    Parameter {
        name: &'static str,
        value: f64,
        fix: &'static str,
    },
    #[error("class {class} has a count of 0: {what} needs every count >= 1 (drop the class or add it to the data)")]
    ZeroCount { class: usize, what: &'static str },
    #[error("{0}")]
    Invalid(String),
}

/// Result of a loss computation.
pub type Result<T> = std::result::Result<T, LossError>;

/// How per-sample losses become one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Reduction {
    /// Σ l_i / N. The default.
    #[default]
    Mean,
    /// Σ l_i.
    Sum,
    /// Σ l_i / Σ w_i with `w_i` the class weight of sample `i`: PyTorch's
    /// `cross_entropy(weight=w, reduction="mean")`.
    WeightedMean,
    /// Σ l_i / (number of positive targets): RetinaNet's normalisation;
    /// for single-label losses every sample has one positive, so = Mean.
    MeanPositive,
}

/// Per-sample losses and their gradients.
#[derive(Debug, Clone, PartialEq)]
pub struct LossOutput {
    /// Loss of each sample (class weights applied).
    pub losses: Vec<f64>,
    /// `∂ losses[i] / ∂ logits[i, j]`.
    pub grad: Array2<f64>,
    /// Each sample's class weight (1 without weights), the denominator of
    /// [`Reduction::WeightedMean`].
    pub weights: Vec<f64>,
    /// Positive targets in the batch (N for single-label losses).
    pub positives: f64,
    /// `∂² losses[i] / ∂ logits[i, j]²`, the diagonal Hessian a boosting
    /// objective needs; given for cross-entropy, its weighted, smoothed and
    /// shifted forms (LDAM, logit adjustment, balanced softmax, Seesaw,
    /// TAL) and BCE; `None` for the focal forms and ASL.
    pub hess: Option<Array2<f64>>,
}

impl LossOutput {
    /// The reduced loss and its gradient with respect to the logits.
    pub fn reduce(&self, reduction: Reduction) -> (f64, Array2<f64>) {
        let total: f64 = self.losses.iter().sum();
        let denom = self.denominator(reduction);
        (total / denom, &self.grad / denom)
    }

    /// [`reduce`](Self::reduce) consuming the output: the gradient divided
    /// in place (the same bits, one allocation fewer per batch).
    pub fn into_reduced(self, reduction: Reduction) -> (f64, Array2<f64>) {
        let total: f64 = self.losses.iter().sum();
        let denom = self.denominator(reduction);
        let mut grad = self.grad;
        grad.mapv_inplace(|g| g / denom);
        (total / denom, grad)
    }

    /// What `reduction` divides the summed losses by.
    fn denominator(&self, reduction: Reduction) -> f64 {
        match reduction {
            Reduction::Sum => 1.0,
            Reduction::Mean => self.losses.len() as f64,
            Reduction::WeightedMean => self.weights.iter().sum(),
            Reduction::MeanPositive => self.positives.max(1.0),
        }
    }

    /// The diagonal Hessian of the reduced loss, where the loss provides one.
    pub fn reduce_hessian(&self, reduction: Reduction) -> Option<Array2<f64>> {
        let denom = self.denominator(reduction);
        self.hess.as_ref().map(|h| h / denom)
    }
}

/// A single-label loss: logits `n x C`, targets in `0..C`.
pub trait Loss {
    /// Per-sample losses and gradients.
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<LossOutput>;

    /// The reduced value and its gradient.
    fn loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize], reduction: Reduction) -> Result<(f64, Array2<f64>)> {
        Ok(self.forward(logits, targets)?.into_reduced(reduction))
    }
}

/// A multi-label loss: logits `n x C`, targets `n x C` in `[0, 1]`.
pub trait MultiLabelLoss {
    /// Per-sample losses (summed over labels) and gradients.
    fn forward(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<LossOutput>;

    /// The reduced value and its gradient.
    fn loss(
        &self,
        logits: ArrayView2<'_, f64>,
        targets: ArrayView2<'_, f64>,
        reduction: Reduction,
    ) -> Result<(f64, Array2<f64>)> {
        Ok(self.forward(logits, targets)?.into_reduced(reduction))
    }
}

pub(crate) fn check_logits(logits: ArrayView2<'_, f64>) -> Result<()> {
    if logits.nrows() == 0 {
        return Err(LossError::Empty);
    }
    if let Some(((row, column), &value)) = logits.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(LossError::NonFinite { row, column, value });
    }
    Ok(())
}

pub(crate) fn check_single(logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<()> {
    if logits.nrows() != targets.len() {
        return Err(LossError::ShapeMismatch {
            logits: logits.nrows(),
            targets: targets.len(),
        });
    }
    check_logits(logits)?;
    let classes = logits.ncols();
    if let Some((row, &target)) = targets.iter().enumerate().find(|(_, &t)| t >= classes) {
        return Err(LossError::BadTarget { row, target, classes });
    }
    Ok(())
}

pub(crate) fn check_multi(logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<()> {
    if logits.dim() != targets.dim() {
        return Err(LossError::Invalid(format!(
            "logits are {:?} but targets {:?}: give one target per logit",
            logits.dim(),
            targets.dim()
        )));
    }
    check_logits(logits)?;
    if let Some(((row, column), &value)) = targets.indexed_iter().find(|(_, v)| !(0.0..=1.0).contains(*v)) {
        return Err(LossError::Invalid(format!(
            "target {value} in row {row}, column {column} is outside [0, 1]"
        )));
    }
    Ok(())
}

/// Adds one to `counts[t]` for every target `t` (Seesaw's cumulative and
/// TAL's decayed counts).
pub(crate) fn add_counts(counts: &mut [f64], targets: &[usize]) -> Result<()> {
    let classes = counts.len();
    for (row, &target) in targets.iter().enumerate() {
        *counts
            .get_mut(target)
            .ok_or(LossError::BadTarget { row, target, classes })? += 1.0;
    }
    Ok(())
}

/// A per-class vector of the right length, finite and non-negative.
pub(crate) fn check_class_vector(v: &[f64], classes: usize, name: &'static str) -> Result<()> {
    if v.len() != classes {
        return Err(LossError::Invalid(format!(
            "{name} has {} entries for {classes} classes: give one per class",
            v.len()
        )));
    }
    if let Some(&value) = v.iter().find(|x| !x.is_finite() || **x < 0.0) {
        return Err(LossError::Parameter {
            name,
            value,
            fix: "use finite, non-negative values",
        });
    }
    Ok(())
}
