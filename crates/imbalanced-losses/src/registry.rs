//! Losses by name, with text parameters, for models and the CLI: the names
//! `imbalanced train --loss` and `imbalanced evaluate --losses` take.

use std::collections::BTreeMap;

use ndarray::{Array2, ArrayView2};

use crate::class_weights::{effective_number_weights, inverse_frequency_weights, sqrt_inverse_frequency_weights};
use crate::cross_entropy::{CrossEntropy, Smoothing};
use crate::focal::Focal;
use crate::focal::SigmoidFocal;
use crate::incremental::TemporalDecay;
use crate::lcr::Lcr;
use crate::margin::{BalancedSoftmax, DeferredReweighting, Ldam, LogitAdjusted, Seesaw};
use crate::multilabel::{Asl, BinaryCrossEntropy, MultiLabelLdam};
use crate::newton::{Exact, NewtonObjective, OneHotSigmoid, SoftmaxFisher};
use crate::overlap::{CrossEntropyDice, Tversky};
use crate::proportion::ProportionLoss;
use crate::{Loss, LossError, MultiLabelLoss, Reduction, Result};
use imbalanced_catalog as catalogue;
use imbalanced_catalog::{Estimator, Value};
use serde::{Deserialize, Serialize};

/// A loss reduced over a batch: value and gradient of the batch objective.
pub trait BatchLoss {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)>;
}

struct Reduced<L: Loss>(L, Reduction);

impl<L: Loss> BatchLoss for Reduced<L> {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        self.0.loss(logits, targets, self.1)
    }
}

/// A multi-label loss reduced over a batch: value and gradient of the batch
/// objective for `n x L` targets in [0, 1].
pub trait MultiLabelBatchLoss {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>)>;
}

/// A per-sample multi-label loss, summed over labels and averaged over rows.
struct MeanOverRows<L: MultiLabelLoss>(L);

impl<L: MultiLabelLoss> MultiLabelBatchLoss for MeanOverRows<L> {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>)> {
        self.0.loss(logits, targets, Reduction::Mean)
    }
}

impl MultiLabelBatchLoss for Lcr {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: ArrayView2<'_, f64>) -> Result<(f64, Array2<f64>)> {
        self.compute(logits, targets)
    }
}

fn mean_over_rows(l: impl MultiLabelLoss + 'static) -> Box<dyn MultiLabelBatchLoss> {
    Box::new(MeanOverRows(l))
}

/// A multi-label loss applied to one-hot targets (single-label data
/// through independent sigmoids).
struct OneHot(Box<dyn MultiLabelBatchLoss>);

fn one_hot(targets: &[usize], classes: usize) -> Array2<f64> {
    let mut t = Array2::zeros((targets.len(), classes));
    targets.iter().enumerate().for_each(|(i, &c)| {
        if c < classes {
            t[(i, c)] = 1.0;
        }
    });
    t
}

impl BatchLoss for OneHot {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        crate::check_single(logits, targets)?;
        self.0.batch_loss(logits, one_hot(targets, logits.ncols()).view())
    }
}

/// Cross-entropy plus `weight` times the proportion loss toward the
/// training class prior (the labelled part of the semi-supervised recipe).
struct CeProportion {
    prior: ProportionLoss,
    weight: f64,
}

impl BatchLoss for CeProportion {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        let (ce, g) = CrossEntropy::default().loss(logits, targets, Reduction::Mean)?;
        let (p, gp) = self.prior.compute(logits)?;
        Ok((ce + self.weight * p, g + gp * self.weight))
    }
}

impl BatchLoss for Tversky {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        self.compute(logits, targets)
    }
}

impl BatchLoss for CrossEntropyDice {
    fn batch_loss(&self, logits: ArrayView2<'_, f64>, targets: &[usize]) -> Result<(f64, Array2<f64>)> {
        self.compute(logits, targets)
    }
}

/// A loss's parameters, built into the batch objective for the training
/// class counts (and, for the scheduled losses, the epoch): what a
/// [`LOSSES`] entry builds.
pub trait LossFactory: Send + Sync {
    /// The single-label loss for class counts `counts` at `epoch` of `epochs`.
    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>>;

    /// The first epoch (of `epochs`) from which the loss no longer changes:
    /// LDAM-DRW's re-weighting epoch; 0 for losses without a schedule.
    fn settles_at(&self, epochs: usize) -> usize {
        let _ = epochs;
        0
    }

    /// The multi-label loss for labels with `positive_counts` positives
    /// among `n_rows` rows, for the losses that have one.
    fn build_multilabel(
        &self,
        _positive_counts: &[f64],
        _n_rows: f64,
        _epoch: usize,
        _epochs: usize,
    ) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        None
    }

    /// The loss summed over samples with per-sample gradients and a
    /// non-negative Hessian, for training class counts `counts`: what
    /// gradient boosting fits (see [`crate::NewtonObjective`]); `None` for
    /// losses that are not a sum over samples (Dice, Tversky, LCR,
    /// proportion) or change with the epoch (LDAM-DRW).
    fn newton(&self, _counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        None
    }
}

/// A factory's [`LossFactory::newton`] answer for a built objective.
fn boosted<N: NewtonObjective + 'static>(objective: Result<N>) -> Option<Result<Box<dyn NewtonObjective>>> {
    Some(objective.map(|n| Box::new(n) as Box<dyn NewtonObjective>))
}

fn mean(l: Box<dyn BatchLossLoss>) -> Box<dyn BatchLoss> {
    l.into_batch(Reduction::Mean)
}

fn weighted(l: Box<dyn BatchLossLoss>) -> Box<dyn BatchLoss> {
    l.into_batch(Reduction::WeightedMean)
}

/// A multi-label loss on one-hot targets, for single-label training.
fn one_hot_of(f: &dyn LossFactory, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
    let total = counts.iter().sum();
    let inner = f
        .build_multilabel(counts, total, epoch, epochs)
        .expect("a multi-label loss")?;
    Ok(Box::new(OneHot(inner)))
}

/// Cross-entropy.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ce", kind = "loss", aliases = ["cross-entropy", "log_loss"])]
pub struct CeLoss {}

impl LossFactory for CeLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::<CrossEntropy>::default()))
    }
    fn newton(&self, _: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ok(Exact(CrossEntropy::default())))
    }
}

/// How [`WeightedCeLoss`] weighs the classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClassWeighting {
    /// `n / (K n_c)`. The default.
    #[default]
    #[serde(alias = "inverse")]
    Balanced,
    /// `1 / sqrt(n_c)`, normalised.
    #[serde(alias = "sqrt-inverse")]
    Sqrt,
    /// Effective number of samples (Cui et al. 2019), with `beta`.
    #[serde(alias = "effective-number")]
    Cb,
}

/// Cross-entropy with class weights, PyTorch's weighted mean.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "weighted-ce", kind = "loss")]
pub struct WeightedCeLoss {
    /// `balanced` (inverse frequency), `sqrt` (inverse square root) or `cb` (effective number). Default: `balanced`.
    pub weights: ClassWeighting,
    /// The effective-number `beta` of `weights=cb`. Default: 0.9999.
    pub beta: f64,
}

impl Default for WeightedCeLoss {
    fn default() -> Self {
        WeightedCeLoss {
            weights: ClassWeighting::Balanced,
            beta: 0.9999,
        }
    }
}

impl WeightedCeLoss {
    fn loss(&self, counts: &[f64]) -> Result<CrossEntropy> {
        let w = match self.weights {
            ClassWeighting::Balanced => inverse_frequency_weights(counts)?,
            ClassWeighting::Sqrt => sqrt_inverse_frequency_weights(counts)?,
            ClassWeighting::Cb => effective_number_weights(counts, self.beta)?,
        };
        Ok(CrossEntropy::default().weights(w))
    }
}

impl LossFactory for WeightedCeLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(weighted(Box::new(self.loss(counts)?)))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(self.loss(counts).map(Exact))
    }
}

/// Focal loss (Lin et al. 2017).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "focal", kind = "loss")]
pub struct FocalLoss {
    /// Focusing parameter: `(1 - p_t)^gamma` down-weights easy rows. Default: 2.
    pub gamma: f64,
}

impl Default for FocalLoss {
    fn default() -> Self {
        FocalLoss { gamma: 2.0 }
    }
}

impl FocalLoss {
    fn loss(&self) -> Focal {
        Focal {
            gamma: self.gamma,
            alpha: None,
        }
    }
}

impl LossFactory for FocalLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(self.loss())))
    }
    fn newton(&self, _: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ok(SoftmaxFisher(self.loss())))
    }
}

/// Focal loss with effective-number class weights (Cui et al. 2019).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "cb-focal", kind = "loss")]
pub struct CbFocalLoss {
    /// Focusing parameter. Default: 1.
    pub gamma: f64,
    /// Effective-number `beta` in [0, 1). Default: 0.9999.
    pub beta: f64,
}

impl Default for CbFocalLoss {
    fn default() -> Self {
        CbFocalLoss {
            gamma: 1.0,
            beta: 0.9999,
        }
    }
}

impl CbFocalLoss {
    fn loss(&self, counts: &[f64]) -> Result<Focal> {
        Ok(Focal {
            gamma: self.gamma,
            alpha: Some(effective_number_weights(counts, self.beta)?),
        })
    }
}

impl LossFactory for CbFocalLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(self.loss(counts)?)))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(self.loss(counts).map(SoftmaxFisher))
    }
}

/// LDAM: per-class margins `max_m / n_c^(1/4)` scaled by `s` (Cao et al. 2019; meant for a cosine head).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ldam", kind = "loss")]
pub struct LdamLoss {
    /// The largest margin (of the rarest class). Default: 0.5.
    pub max_m: f64,
    /// Logit scale. Default: 30.
    pub s: f64,
}

impl Default for LdamLoss {
    fn default() -> Self {
        LdamLoss { max_m: 0.5, s: 30.0 }
    }
}

impl LossFactory for LdamLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(Ldam::from_counts(counts, self.max_m, self.s)?)))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ldam::from_counts(counts, self.max_m, self.s).map(Exact))
    }
    fn build_multilabel(
        &self,
        pos: &[f64],
        _: f64,
        _: usize,
        _: usize,
    ) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        Some(MultiLabelLdam::from_counts(pos, self.max_m, self.s).map(mean_over_rows))
    }
}

/// LDAM with deferred re-weighting (Cao et al. 2019): uniform weights for the first `t0` share of the epochs,
/// effective-number weights after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ldam-drw", kind = "loss")]
pub struct LdamDrwLoss {
    /// The largest margin (of the rarest class). Default: 0.5.
    pub max_m: f64,
    /// Logit scale. Default: 30.
    pub s: f64,
    /// Effective-number `beta` of the deferred weights. Default: 0.9999.
    pub beta: f64,
    /// Share of the epochs before re-weighting, in [0, 1]. Default: 0.8.
    pub t0: f64,
}

impl Default for LdamDrwLoss {
    fn default() -> Self {
        LdamDrwLoss {
            max_m: 0.5,
            s: 30.0,
            beta: 0.9999,
            t0: 0.8,
        }
    }
}

impl LdamDrwLoss {
    fn drw(&self, counts: &[f64], epochs: usize) -> Result<DeferredReweighting> {
        if !(0.0..=1.0).contains(&self.t0) {
            return Err(LossError::Parameter {
                name: "t0",
                value: self.t0,
                fix: "t0 is the share of epochs before re-weighting, in [0, 1]",
            });
        }
        Ok(DeferredReweighting {
            counts: counts.to_vec(),
            beta: self.beta,
            t0: (self.t0 * epochs as f64).round() as usize,
        })
    }
}

impl LossFactory for LdamDrwLoss {
    fn settles_at(&self, epochs: usize) -> usize {
        (self.t0.clamp(0.0, 1.0) * epochs as f64).round() as usize
    }

    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        let ldam = Ldam::from_counts(counts, self.max_m, self.s)?;
        Ok(weighted(Box::new(
            ldam.weights(Some(self.drw(counts, epochs)?.weights(epoch)?)),
        )))
    }
    fn build_multilabel(
        &self,
        pos: &[f64],
        _: f64,
        epoch: usize,
        epochs: usize,
    ) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        let build = || -> Result<Box<dyn MultiLabelBatchLoss>> {
            let mut ldam = MultiLabelLdam::from_counts(pos, self.max_m, self.s)?;
            ldam.weights = Some(self.drw(pos, epochs)?.weights(epoch)?);
            Ok(mean_over_rows(ldam))
        };
        Some(build())
    }
}

/// Logit-adjusted cross-entropy (Menon et al. 2021): logits plus `tau log prior`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "logit-adjusted", kind = "loss", aliases = ["la", "logit-adjustment"])]
pub struct LogitAdjustedLoss {
    /// Scale of the log-prior adjustment. Default: 1.
    pub tau: f64,
}

impl Default for LogitAdjustedLoss {
    fn default() -> Self {
        LogitAdjustedLoss { tau: 1.0 }
    }
}

impl LossFactory for LogitAdjustedLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(LogitAdjusted::from_counts(counts, self.tau)?)))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(LogitAdjusted::from_counts(counts, self.tau).map(Exact))
    }
}

/// Balanced softmax (Ren et al. 2020): logit adjustment with `tau = 1`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "balanced-softmax", kind = "loss", aliases = ["bs", "balanced", "balanced-softmax-loss"])]
pub struct BalancedSoftmaxLoss {}

impl LossFactory for BalancedSoftmaxLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(BalancedSoftmax::from_counts(counts)?)))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(BalancedSoftmax::from_counts(counts).map(Exact))
    }
}

/// Where [`LabelSmoothingLoss`] puts the smoothed mass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmoothingConvention {
    /// `eps / K` on every class (PyTorch). The default.
    #[default]
    All,
    /// `eps / (K - 1)` on each other class.
    Others,
}

/// Cross-entropy on smoothed targets (Szegedy et al. 2016).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "label-smoothing", kind = "loss", aliases = ["ls"])]
pub struct LabelSmoothingLoss {
    /// Mass moved off the true class. Default: 0.1.
    pub eps: f64,
    /// `all` (`eps/K` on every class) or `others` (`eps/(K-1)` on the others). Default: `all`.
    pub convention: SmoothingConvention,
}

impl Default for LabelSmoothingLoss {
    fn default() -> Self {
        LabelSmoothingLoss {
            eps: 0.1,
            convention: SmoothingConvention::All,
        }
    }
}

impl LabelSmoothingLoss {
    fn loss(&self) -> CrossEntropy {
        let convention = match self.convention {
            SmoothingConvention::All => Smoothing::AllClasses,
            SmoothingConvention::Others => Smoothing::OtherClasses,
        };
        CrossEntropy::default().label_smoothing(self.eps, convention)
    }
}

impl LossFactory for LabelSmoothingLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(self.loss())))
    }
    fn newton(&self, _: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ok(Exact(self.loss())))
    }
}

/// Seesaw loss (Wang et al. 2021), with the training counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "seesaw", kind = "loss")]
pub struct SeesawLoss {
    /// Exponent of the mitigation factor. Default: 0.8.
    pub p: f64,
    /// Exponent of the compensation factor. Default: 2.
    pub q: f64,
}

impl Default for SeesawLoss {
    fn default() -> Self {
        SeesawLoss { p: 0.8, q: 2.0 }
    }
}

impl LossFactory for SeesawLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(Seesaw {
            counts: counts.to_vec(),
            p: self.p,
            q: self.q,
            ..Seesaw::new(counts.len())
        })))
    }
}

/// Temporal-decay re-weighting of negative classes (our formulation of the TAL idea).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "tal", kind = "loss")]
pub struct TalLoss {
    /// Decay of the class statistics per batch. Default: 0.99.
    pub lambda: f64,
}

impl Default for TalLoss {
    fn default() -> Self {
        TalLoss { lambda: 0.99 }
    }
}

impl LossFactory for TalLoss {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(mean(Box::new(TemporalDecay {
            q: counts.to_vec(),
            lambda: self.lambda,
        })))
    }
}

/// Soft Dice on softmax probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "dice", kind = "loss")]
pub struct DiceLoss {
    /// Added to numerator and denominator. Default: 1.
    pub smooth: f64,
}

impl Default for DiceLoss {
    fn default() -> Self {
        DiceLoss { smooth: 1.0 }
    }
}

impl LossFactory for DiceLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(Box::new(Tversky::dice(self.smooth)))
    }
}

/// Tversky loss: Dice with separate weights of false positives and false negatives.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "tversky", kind = "loss")]
pub struct TverskyLoss {
    /// Weight of false positives. Default: 0.3.
    pub alpha: f64,
    /// Weight of false negatives. Default: 0.7.
    pub beta: f64,
    /// Added to numerator and denominator. Default: 1.
    pub smooth: f64,
}

impl Default for TverskyLoss {
    fn default() -> Self {
        TverskyLoss {
            alpha: 0.3,
            beta: 0.7,
            smooth: 1.0,
        }
    }
}

impl LossFactory for TverskyLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(Box::new(Tversky {
            alpha: self.alpha,
            beta: self.beta,
            smooth: self.smooth,
        }))
    }
}

/// Cross-entropy plus soft Dice.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "ce-dice", kind = "loss")]
pub struct CeDiceLoss {
    /// Dice's smoothing. Default: 1.
    pub smooth: f64,
    /// Weight of the Dice term. Default: 1.
    pub dice_weight: f64,
}

impl Default for CeDiceLoss {
    fn default() -> Self {
        CeDiceLoss {
            smooth: 1.0,
            dice_weight: 1.0,
        }
    }
}

impl LossFactory for CeDiceLoss {
    fn build(&self, _: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        Ok(Box::new(CrossEntropyDice {
            dice: Tversky::dice(self.smooth),
            dice_weight: self.dice_weight,
            ..CrossEntropyDice::default()
        }))
    }
}

/// RetinaNet's sigmoid focal loss: one sigmoid per class (per label), on one-hot targets for single-label data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "sigmoid-focal", kind = "loss")]
pub struct SigmoidFocalLoss {
    /// Weight of the positive terms. Default: 0.25.
    pub alpha: f64,
    /// Focusing parameter. Default: 2.
    pub gamma: f64,
}

impl Default for SigmoidFocalLoss {
    fn default() -> Self {
        SigmoidFocalLoss {
            alpha: 0.25,
            gamma: 2.0,
        }
    }
}

impl SigmoidFocalLoss {
    fn loss(&self) -> SigmoidFocal {
        SigmoidFocal {
            alpha: Some(self.alpha),
            gamma: self.gamma,
        }
    }
}

impl LossFactory for SigmoidFocalLoss {
    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        one_hot_of(self, counts, epoch, epochs)
    }
    fn build_multilabel(&self, _: &[f64], _: f64, _: usize, _: usize) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        Some(Ok(mean_over_rows(self.loss())))
    }
    fn newton(&self, _: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ok(OneHotSigmoid(self.loss())))
    }
}

/// How [`BceLoss`] weighs each label's positive terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PositiveWeight {
    /// Weight 1. The default.
    #[default]
    None,
    /// Negatives / positives of each label.
    Balanced,
}

/// Binary cross-entropy, one sigmoid per class (per label), on one-hot targets for single-label data.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "bce", kind = "loss")]
pub struct BceLoss {
    /// `none`, or `balanced` (each label's positives weighed by negatives / positives). Default: `none`.
    pub pos_weight: PositiveWeight,
}

impl BceLoss {
    fn loss(&self, pos: &[f64], n_rows: f64) -> Result<BinaryCrossEntropy> {
        let pos_weight = match self.pos_weight {
            PositiveWeight::None => None,
            PositiveWeight::Balanced => Some(
                pos.iter()
                    .map(|&p| {
                        if p > 0.0 {
                            Ok((n_rows - p) / p)
                        } else {
                            Err(LossError::Invalid(
                                "bce: pos_weight=balanced needs a positive row for every label".into(),
                            ))
                        }
                    })
                    .collect::<Result<Vec<f64>>>()?,
            ),
        };
        Ok(BinaryCrossEntropy {
            pos_weight,
            weight: None,
        })
    }
}

impl LossFactory for BceLoss {
    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        one_hot_of(self, counts, epoch, epochs)
    }
    fn build_multilabel(
        &self,
        pos: &[f64],
        n_rows: f64,
        _: usize,
        _: usize,
    ) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        Some(self.loss(pos, n_rows).map(mean_over_rows))
    }
    fn newton(&self, counts: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(self.loss(counts, counts.iter().sum()).map(OneHotSigmoid))
    }
}

/// Asymmetric loss (Ridnik et al. 2021), one sigmoid per class (per label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "asl", kind = "loss")]
pub struct AslLoss {
    /// Focusing of the negative terms. Default: 4.
    pub gamma_neg: f64,
    /// Focusing of the positive terms. Default: 1.
    pub gamma_pos: f64,
    /// Probability margin shifted off easy negatives. Default: 0.05.
    pub clip: f64,
}

impl Default for AslLoss {
    fn default() -> Self {
        AslLoss {
            gamma_neg: 4.0,
            gamma_pos: 1.0,
            clip: 0.05,
        }
    }
}

impl AslLoss {
    fn loss(&self) -> Asl {
        Asl {
            gamma_neg: self.gamma_neg,
            gamma_pos: self.gamma_pos,
            clip: self.clip,
            ..Asl::default()
        }
    }
}

impl LossFactory for AslLoss {
    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        one_hot_of(self, counts, epoch, epochs)
    }
    fn build_multilabel(&self, _: &[f64], _: f64, _: usize, _: usize) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        Some(Ok(mean_over_rows(self.loss())))
    }
    fn newton(&self, _: &[f64]) -> Option<Result<Box<dyn NewtonObjective>>> {
        boosted(Ok(OneHotSigmoid(self.loss())))
    }
}

/// IAENet's label-constrained loss: batch label prior and a co-occurrence penalty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "lcr", kind = "loss")]
pub struct LcrLoss {
    /// Weight of the co-occurrence penalty. Default: 0.02.
    pub lambda: f64,
}

impl Default for LcrLoss {
    fn default() -> Self {
        LcrLoss { lambda: 0.02 }
    }
}

impl LossFactory for LcrLoss {
    fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        one_hot_of(self, counts, epoch, epochs)
    }
    fn build_multilabel(&self, _: &[f64], _: f64, _: usize, _: usize) -> Option<Result<Box<dyn MultiLabelBatchLoss>>> {
        Some(Ok(Box::new(Lcr {
            lambda: self.lambda,
            ..Lcr::default()
        })))
    }
}

/// Cross-entropy plus `weight` times the proportion loss toward the training class prior.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "proportion", kind = "loss")]
pub struct ProportionLossParams {
    /// Weight of the proportion term. Default: 1.
    pub weight: f64,
}

impl Default for ProportionLossParams {
    fn default() -> Self {
        ProportionLossParams { weight: 1.0 }
    }
}

impl LossFactory for ProportionLossParams {
    fn build(&self, counts: &[f64], _: usize, _: usize) -> Result<Box<dyn BatchLoss>> {
        let total: f64 = counts.iter().sum();
        Ok(Box::new(CeProportion {
            prior: ProportionLoss::new(counts.iter().map(|c| c / total).collect())?,
            weight: self.weight,
        }))
    }
}

imbalanced_catalog::catalog!(
    /// Every loss by name or alias, with its parameters and defaults: the
    /// names `train --loss` and `evaluate --losses` take. Those of
    /// [`MULTILABEL`] also train multi-label models; the sigmoid ones train
    /// single-label models on one-hot targets.
    pub static LOSSES: dyn LossFactory = "loss", |l| Box::new(l);
    [
        CeLoss,
        WeightedCeLoss,
        FocalLoss,
        CbFocalLoss,
        LdamLoss,
        LdamDrwLoss,
        LogitAdjustedLoss,
        BalancedSoftmaxLoss,
        LabelSmoothingLoss,
        SeesawLoss,
        TalLoss,
        DiceLoss,
        TverskyLoss,
        CeDiceLoss,
        SigmoidFocalLoss,
        BceLoss,
        AslLoss,
        LcrLoss,
        ProportionLossParams,
    ]
);

/// The names of the losses of [`LOSSES`] that gradient boosting fits
/// (those with a [`LossFactory::newton`] form).
pub fn newton_losses() -> Vec<&'static str> {
    LOSSES
        .entries
        .iter()
        .filter(|e| e.build(e.defaults()).is_ok_and(|f| f.newton(&[1.0, 1.0]).is_some()))
        .map(|e| e.info.name)
        .collect()
}

/// The losses of [`LOSSES`] that also train multi-label models (`n x L` 0/1
/// targets, one sigmoid per label).
pub const MULTILABEL: &[&str] = &["bce", "sigmoid-focal", "asl", "lcr", "ldam", "ldam-drw"];

/// A loss chosen by name with `key=value` parameters (the texts as given),
/// built per training run from the class counts (and, for LDAM-DRW, the
/// epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct LossSpec {
    /// The catalogue name.
    pub name: String,
    pub params: BTreeMap<String, String>,
}

impl std::str::FromStr for LossSpec {
    type Err = LossError;

    /// A single-label loss written `NAME[:key=value...]`, as
    /// `focal:gamma=2` or `ldam-drw:max_m=0.5:s=30`.
    fn from_str(text: &str) -> Result<Self> {
        let mut parts = text.trim().split(':');
        let name = parts.next().unwrap_or_default();
        let params = parts
            .map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                    .ok_or_else(|| LossError::Invalid(format!("{text}: parameters go as NAME:key=value, not {p:?}")))
            })
            .collect::<Result<Vec<_>>>()?;
        LossSpec::new(name, &params)
    }
}

impl LossSpec {
    /// A single-label loss of [`LOSSES`] by name or alias, with `key=value`
    /// pairs; unknown names and keys are errors suggesting the nearest.
    pub fn new(name: &str, params: &[(String, String)]) -> Result<Self> {
        let spec = Self::parse(name, params)?;
        // Check the values once, on a tiny batch.
        spec.build(&[1.0, 1.0], 0, 1)?
            .batch_loss(Array2::zeros((1, 2)).view(), &[0])?;
        Ok(spec)
    }

    /// A multi-label loss ([`MULTILABEL`]; `focal` means `sigmoid-focal`),
    /// with `key=value` pairs; build it with [`LossSpec::build_multilabel`].
    pub fn new_multilabel(name: &str, params: &[(String, String)]) -> Result<Self> {
        let name = if catalogue::normalise(name) == "focal" {
            "sigmoid-focal"
        } else {
            name
        };
        let spec = Self::parse(name, params)?;
        if !MULTILABEL.contains(&spec.name.as_str()) {
            return Err(LossError::Invalid(format!(
                "{} is not a multi-label loss: multi-label training takes {}",
                spec.name,
                MULTILABEL.join(", ")
            )));
        }
        let targets = ndarray::arr2(&[[1.0, 0.0]]);
        spec.build_multilabel(&[1.0, 1.0], 2.0, 0, 1)?
            .batch_loss(Array2::zeros((1, 2)).view(), targets.view())?;
        Ok(spec)
    }

    fn parse(name: &str, params: &[(String, String)]) -> Result<Self> {
        let entry = LOSSES.find(name).map_err(|e| LossError::Invalid(e.to_string()))?;
        let spec = LossSpec {
            name: entry.info.name.to_string(),
            params: params.iter().cloned().collect(),
        };
        spec.factory()?;
        Ok(spec)
    }

    /// The parameters as values, built into the loss's factory.
    fn factory(&self) -> Result<Box<dyn LossFactory>> {
        let given: Vec<(String, Value)> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), catalogue::value_from_text(v)))
            .collect();
        LOSSES
            .build(&self.name, &given, &[])
            .map_err(|e| LossError::Invalid(e.to_string()))
    }

    /// Whether the loss changes with the epoch (LDAM-DRW).
    pub fn is_scheduled(&self) -> bool {
        self.name == "ldam-drw"
    }

    /// The first epoch of `epochs` from which the loss no longer changes
    /// (LDAM-DRW: `round(t0 * epochs)`, when re-weighting starts); 0 for
    /// losses without a schedule.
    pub fn settles_at(&self, epochs: usize) -> Result<usize> {
        Ok(self.factory()?.settles_at(epochs))
    }

    /// The loss for training counts `counts` at `epoch` of `epochs`.
    pub fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        self.factory()?.build(counts, epoch, epochs)
    }

    /// The loss as gradient boosting fits it (see
    /// [`crate::NewtonObjective`]), for training counts `counts`; an error
    /// naming the losses that have one for those that do not.
    pub fn newton(&self, counts: &[f64]) -> Result<Box<dyn NewtonObjective>> {
        self.factory()?.newton(counts).unwrap_or_else(|| {
            Err(LossError::Invalid(format!(
                "{} is not a sum of per-sample terms with a Hessian, so gradient boosting cannot fit it: \
                 use one of {}",
                self.name,
                newton_losses().join(", ")
            )))
        })
    }

    /// The multi-label loss for labels with `positive_counts` positives among
    /// `n_rows` training rows, at `epoch` of `epochs`.
    pub fn build_multilabel(
        &self,
        positive_counts: &[f64],
        n_rows: f64,
        epoch: usize,
        epochs: usize,
    ) -> Result<Box<dyn MultiLabelBatchLoss>> {
        self.factory()?
            .build_multilabel(positive_counts, n_rows, epoch, epochs)
            .unwrap_or_else(|| {
                Err(LossError::Invalid(format!(
                    "{} is not a multi-label loss: multi-label training takes {}",
                    self.name,
                    MULTILABEL.join(", ")
                )))
            })
    }
}

/// A parameter value: `"focal"` without parameters, else
/// `{"name": "focal", "gamma": 2}` (parameter values as numbers where they
/// are numbers).
impl serde::Serialize for LossSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        if self.params.is_empty() {
            return s.serialize_str(&self.name);
        }
        let mut map = serde_json::Map::new();
        map.insert("name".into(), self.name.clone().into());
        for (k, v) in &self.params {
            let value = serde_json::from_str::<serde_json::Number>(v).map_or_else(|_| v.clone().into(), Into::into);
            map.insert(k.clone(), value);
        }
        map.serialize(s)
    }
}

/// Reads what `Serialize` writes, or the text form `focal:gamma=2`, and
/// checks it as [`LossSpec::new`] does.
impl<'de> serde::Deserialize<'de> for LossSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error;
        use serde_json::Value;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (name, params) = match Value::deserialize(d)? {
            // A name, or the CLI's `NAME:key=value...`.
            Value::String(spec) => return spec.parse().map_err(D::Error::custom),
            Value::Object(mut map) => {
                let name = map
                    .remove("name")
                    .map(|v| text(&v))
                    .ok_or_else(|| D::Error::custom("a loss object needs a \"name\""))?;
                (name, map.iter().map(|(k, v)| (k.clone(), text(v))).collect::<Vec<_>>())
            }
            other => {
                return Err(D::Error::custom(format!(
                    "{other} is not a loss: give a name or {{\"name\": ...}}"
                )))
            }
        };
        LossSpec::new(&name, &params).map_err(D::Error::custom)
    }
}

/// A boxed per-sample loss that can be given a reduction.
trait BatchLossLoss {
    fn into_batch(self: Box<Self>, reduction: Reduction) -> Box<dyn BatchLoss>;
}

impl<L: Loss + 'static> BatchLossLoss for L {
    fn into_batch(self: Box<Self>, reduction: Reduction) -> Box<dyn BatchLoss> {
        Box::new(Reduced(*self, reduction))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_loss_spec_reads_its_name_object_and_text_forms() {
        let spec: LossSpec = serde_json::from_str(r#"{"name": "focal", "gamma": 3}"#).unwrap();
        assert_eq!(spec, "focal:gamma=3".parse().unwrap());
        assert_eq!(serde_json::from_str::<LossSpec>(r#""focal:gamma=3""#).unwrap(), spec);
        assert_eq!(serde_json::to_string(&spec).unwrap(), r#"{"gamma":3,"name":"focal"}"#);
        assert_eq!(serde_json::from_str::<LossSpec>(r#""ce""#).unwrap().name, "ce");
        for bad in [
            r#""focal:gamma""#,
            r#""nope""#,
            r#"{"gamma": 2}"#,
            "3",
            r#""focal:gamma=-1""#,
        ] {
            assert!(serde_json::from_str::<LossSpec>(bad).is_err(), "{bad}");
        }
    }
}
