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
use crate::overlap::{CrossEntropyDice, Tversky};
use crate::proportion::ProportionLoss;
use crate::{Loss, LossError, MultiLabelLoss, Reduction, Result};

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

/// The single-label loss names, with their parameters and defaults.
pub const LOSSES: &[(&str, &str)] = &[
    ("ce", "cross-entropy"),
    (
        "weighted-ce",
        "weights=balanced|sqrt|cb (balanced), beta=0.9999 for cb; PyTorch's weighted mean",
    ),
    ("focal", "gamma=2 (Lin et al. 2017)"),
    (
        "cb-focal",
        "gamma=1, beta=0.9999: focal with effective-number class weights (Cui et al. 2019)",
    ),
    ("ldam", "max_m=0.5, s=30 (Cao et al. 2019; meant for a cosine head)"),
    (
        "ldam-drw",
        "max_m=0.5, s=30, beta=0.9999, t0=0.8 (share of epochs before re-weighting)",
    ),
    ("logit-adjusted", "tau=1 (Menon et al. 2021); alias la"),
    ("balanced-softmax", "(Ren et al. 2020) = logit-adjusted with tau=1"),
    (
        "label-smoothing",
        "eps=0.1, convention=all|others (eps/K on all classes, or eps/(K-1) on the others)",
    ),
    ("seesaw", "p=0.8, q=2 (Wang et al. 2021; counts = training counts)"),
    (
        "tal",
        "lambda=0.99: temporal-decay negative re-weighting (our formulation of the TAL idea)",
    ),
    ("dice", "smooth=1: soft Dice on softmax probabilities"),
    ("tversky", "alpha=0.3, beta=0.7, smooth=1"),
    ("ce-dice", "smooth=1, dice_weight=1: cross-entropy + soft Dice"),
    (
        "sigmoid-focal",
        "alpha=0.25, gamma=2: one sigmoid per class on one-hot targets (RetinaNet)",
    ),
    ("bce", "one sigmoid per class on one-hot targets"),
    (
        "asl",
        "gamma_neg=4, gamma_pos=1, clip=0.05: asymmetric loss on one-hot targets (Ridnik et al. 2021)",
    ),
    (
        "lcr",
        "lambda=0.02: IAENet's LCRLoss on one-hot targets (co-occurrence from the batch)",
    ),
    (
        "proportion",
        "weight=1: cross-entropy + proportion loss toward the training class prior",
    ),
];

/// The multi-label loss names (`n x L` 0/1 targets, one sigmoid per label),
/// with their parameters and defaults. The first four also train
/// single-label models on one-hot targets.
pub const MULTILABEL_LOSSES: &[(&str, &str)] = &[
    (
        "bce",
        "pos_weight=none: binary cross-entropy; pos_weight=balanced weighs each label's positives by negatives/positives",
    ),
    ("sigmoid-focal", "alpha=0.25 gamma=2: RetinaNet's sigmoid focal loss"),
    (
        "asl",
        "gamma_neg=4 gamma_pos=1 clip=0.05: asymmetric loss (Ridnik et al. 2021)",
    ),
    (
        "lcr",
        "lambda=0.02: IAENet's label-constrained loss (batch label prior, co-occurrence penalty)",
    ),
    ("ldam", "max_m=0.5 s=30: LDAM margins on positive terms, from each label's positives"),
    (
        "ldam-drw",
        "max_m=0.5 s=30 beta=0.9999 t0=0.8: multi-label LDAM, effective-number weights on positives after t0 of the epochs",
    ),
];

/// A loss chosen by name with `key=value` parameters, built per training
/// run from the class counts (and, for LDAM-DRW, the epoch).
#[derive(Debug, Clone, PartialEq)]
pub struct LossSpec {
    pub name: String,
    pub params: BTreeMap<String, String>,
}

/// The name of [`LOSSES`] (or, `multilabel`, of [`MULTILABEL_LOSSES`]) that
/// `name` or one of its aliases means.
fn canonical(name: &str, multilabel: bool) -> Option<&'static str> {
    let n = name.to_ascii_lowercase().replace('_', "-");
    let n = match n.as_str() {
        "la" | "logit-adjustment" => "logit-adjusted",
        "bs" | "balanced" | "balanced-softmax-loss" => "balanced-softmax",
        "cross-entropy" => "ce",
        "ls" => "label-smoothing",
        "focal" if multilabel => "sigmoid-focal",
        other => other,
    };
    names(multilabel).find(|k| *k == n)
}

fn names(multilabel: bool) -> impl Iterator<Item = &'static str> {
    let table = if multilabel { MULTILABEL_LOSSES } else { LOSSES };
    table.iter().map(|(k, _)| *k)
}

/// The parameter names a loss takes.
fn allowed(canon: &str) -> &'static [&'static str] {
    match canon {
        "weighted-ce" => &["weights", "beta"],
        "focal" => &["gamma"],
        "cb-focal" => &["gamma", "beta"],
        "ldam" => &["max_m", "s"],
        "ldam-drw" => &["max_m", "s", "beta", "t0"],
        "logit-adjusted" => &["tau"],
        "label-smoothing" => &["eps", "convention"],
        "seesaw" => &["p", "q"],
        "tal" => &["lambda"],
        "dice" => &["smooth"],
        "tversky" => &["alpha", "beta", "smooth"],
        "ce-dice" => &["smooth", "dice_weight"],
        "sigmoid-focal" => &["alpha", "gamma"],
        "asl" => &["gamma_neg", "gamma_pos", "clip"],
        "lcr" => &["lambda"],
        "proportion" => &["weight"],
        "bce" => &["pos_weight"],
        _ => &[],
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

/// Reads what `Serialize` writes and checks it as [`LossSpec::new`] does.
impl<'de> serde::Deserialize<'de> for LossSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error;
        use serde_json::Value;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let (name, params) = match Value::deserialize(d)? {
            Value::String(name) => (name, Vec::new()),
            Value::Object(mut map) => {
                let name = map
                    .remove("name")
                    .map(|v| text(&v))
                    .ok_or_else(|| D::Error::custom("a loss object needs a \"name\""))?;
                (name, map.iter().map(|(k, v)| (k.clone(), text(v))).collect())
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

impl LossSpec {
    /// Parses a single-label loss name ([`LOSSES`]) and `key=value` pairs;
    /// unknown names and keys are errors.
    pub fn new(name: &str, params: &[(String, String)]) -> Result<Self> {
        let spec = Self::parse(name, params, false)?;
        // Check the values once, on a tiny batch.
        spec.build(&[1.0, 1.0], 0, 1)?
            .batch_loss(Array2::zeros((1, 2)).view(), &[0])?;
        Ok(spec)
    }

    /// Parses a multi-label loss name ([`MULTILABEL_LOSSES`]) and `key=value`
    /// pairs; build it with [`LossSpec::build_multilabel`].
    pub fn new_multilabel(name: &str, params: &[(String, String)]) -> Result<Self> {
        let spec = Self::parse(name, params, true)?;
        let targets = ndarray::arr2(&[[1.0, 0.0]]);
        spec.build_multilabel(&[1.0, 1.0], 2.0, 0, 1)?
            .batch_loss(Array2::zeros((1, 2)).view(), targets.view())?;
        Ok(spec)
    }

    fn parse(name: &str, params: &[(String, String)], multilabel: bool) -> Result<Self> {
        let Some(canon) = canonical(name, multilabel) else {
            return Err(LossError::Invalid(format!(
                "unknown {}loss {name:?}: choose one of {}",
                if multilabel { "multi-label " } else { "" },
                names(multilabel).collect::<Vec<_>>().join(", ")
            )));
        };
        let spec = LossSpec {
            name: canon.to_string(),
            params: params.iter().cloned().collect(),
        };
        let allowed = allowed(canon);
        if let Some(k) = spec.params.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(LossError::Invalid(format!(
                "{canon} has no parameter {k:?}; it takes: {}",
                if allowed.is_empty() {
                    "none".to_string()
                } else {
                    allowed.join(", ")
                }
            )));
        }
        Ok(spec)
    }

    fn number(&self, key: &str, default: f64) -> Result<f64> {
        match self.params.get(key) {
            None => Ok(default),
            Some(v) => v
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| LossError::Invalid(format!("{}: {key}={v:?} is not a number", self.name))),
        }
    }

    /// Whether the loss changes with the epoch (LDAM-DRW).
    pub fn is_scheduled(&self) -> bool {
        self.name == "ldam-drw"
    }

    /// The loss for training counts `counts` at `epoch` of `epochs`.
    pub fn build(&self, counts: &[f64], epoch: usize, epochs: usize) -> Result<Box<dyn BatchLoss>> {
        let mean = |l: Box<dyn BatchLossLoss>| -> Box<dyn BatchLoss> { l.into_batch(Reduction::Mean) };
        let weighted = |l: Box<dyn BatchLossLoss>| -> Box<dyn BatchLoss> { l.into_batch(Reduction::WeightedMean) };
        Ok(match self.name.as_str() {
            "ce" => mean(Box::<CrossEntropy>::default()),
            "weighted-ce" => {
                let w = match self.params.get("weights").map(String::as_str).unwrap_or("balanced") {
                    "balanced" | "inverse" => inverse_frequency_weights(counts)?,
                    "sqrt" | "sqrt-inverse" => sqrt_inverse_frequency_weights(counts)?,
                    "cb" | "effective-number" => effective_number_weights(counts, self.number("beta", 0.9999)?)?,
                    other => {
                        return Err(LossError::Invalid(format!(
                            "weighted-ce: weights={other:?}; use balanced, sqrt or cb"
                        )))
                    }
                };
                weighted(Box::new(CrossEntropy::default().weights(w)))
            }
            "focal" => mean(Box::new(Focal {
                gamma: self.number("gamma", 2.0)?,
                alpha: None,
            })),
            "cb-focal" => mean(Box::new(Focal {
                gamma: self.number("gamma", 1.0)?,
                alpha: Some(effective_number_weights(counts, self.number("beta", 0.9999)?)?),
            })),
            "ldam" => mean(Box::new(Ldam::from_counts(
                counts,
                self.number("max_m", 0.5)?,
                self.number("s", 30.0)?,
            )?)),
            "ldam-drw" => {
                let ldam = Ldam::from_counts(counts, self.number("max_m", 0.5)?, self.number("s", 30.0)?)?;
                weighted(Box::new(ldam.weights(Some(self.drw(counts, epochs)?.weights(epoch)?))))
            }
            "logit-adjusted" => mean(Box::new(LogitAdjusted::from_counts(counts, self.number("tau", 1.0)?)?)),
            "balanced-softmax" => mean(Box::new(BalancedSoftmax::from_counts(counts)?)),
            "label-smoothing" => {
                let convention = match self.params.get("convention").map(String::as_str).unwrap_or("all") {
                    "all" => Smoothing::AllClasses,
                    "others" => Smoothing::OtherClasses,
                    other => {
                        return Err(LossError::Invalid(format!(
                            "label-smoothing: convention={other:?}; use all or others"
                        )))
                    }
                };
                mean(Box::new(
                    CrossEntropy::default().label_smoothing(self.number("eps", 0.1)?, convention),
                ))
            }
            "seesaw" => mean(Box::new(Seesaw {
                counts: counts.to_vec(),
                p: self.number("p", 0.8)?,
                q: self.number("q", 2.0)?,
                ..Seesaw::new(counts.len())
            })),
            "tal" => mean(Box::new(TemporalDecay {
                q: counts.to_vec(),
                lambda: self.number("lambda", 0.99)?,
            })),
            "dice" => Box::new(Tversky::dice(self.number("smooth", 1.0)?)),
            "tversky" => Box::new(Tversky {
                alpha: self.number("alpha", 0.3)?,
                beta: self.number("beta", 0.7)?,
                smooth: self.number("smooth", 1.0)?,
            }),
            "ce-dice" => Box::new(CrossEntropyDice {
                dice: Tversky::dice(self.number("smooth", 1.0)?),
                dice_weight: self.number("dice_weight", 1.0)?,
                ..CrossEntropyDice::default()
            }),
            "sigmoid-focal" | "bce" | "asl" | "lcr" => {
                let total = counts.iter().sum();
                Box::new(OneHot(self.build_multilabel(counts, total, epoch, epochs)?))
            }
            "proportion" => {
                let total: f64 = counts.iter().sum();
                Box::new(CeProportion {
                    prior: ProportionLoss::new(counts.iter().map(|c| c / total).collect())?,
                    weight: self.number("weight", 1.0)?,
                })
            }
            other => unreachable!("canonical names only: {other}"),
        })
    }

    /// LDAM-DRW's schedule: uniform weights for the first `t0` share of the
    /// epochs, effective-number weights (`beta`) after.
    fn drw(&self, counts: &[f64], epochs: usize) -> Result<DeferredReweighting> {
        let t0_share = self.number("t0", 0.8)?;
        if !(0.0..=1.0).contains(&t0_share) {
            return Err(LossError::Parameter {
                name: "t0",
                value: t0_share,
                fix: "t0 is the share of epochs before re-weighting, in [0, 1]",
            });
        }
        Ok(DeferredReweighting {
            counts: counts.to_vec(),
            beta: self.number("beta", 0.9999)?,
            t0: (t0_share * epochs as f64).round() as usize,
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
        Ok(match self.name.as_str() {
            "bce" => {
                let pos_weight = match self.params.get("pos_weight").map(String::as_str).unwrap_or("none") {
                    "none" => None,
                    "balanced" => Some(
                        positive_counts
                            .iter()
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
                    other => {
                        return Err(LossError::Invalid(format!(
                            "bce: pos_weight={other:?}; use none or balanced"
                        )))
                    }
                };
                mean_over_rows(BinaryCrossEntropy {
                    pos_weight,
                    weight: None,
                })
            }
            "sigmoid-focal" => mean_over_rows(SigmoidFocal {
                alpha: Some(self.number("alpha", 0.25)?),
                gamma: self.number("gamma", 2.0)?,
            }),
            "asl" => mean_over_rows(Asl {
                gamma_neg: self.number("gamma_neg", 4.0)?,
                gamma_pos: self.number("gamma_pos", 1.0)?,
                clip: self.number("clip", 0.05)?,
                ..Asl::default()
            }),
            "lcr" => Box::new(Lcr {
                lambda: self.number("lambda", 0.02)?,
                ..Lcr::default()
            }),
            "ldam" => mean_over_rows(MultiLabelLdam::from_counts(
                positive_counts,
                self.number("max_m", 0.5)?,
                self.number("s", 30.0)?,
            )?),
            "ldam-drw" => {
                let mut ldam =
                    MultiLabelLdam::from_counts(positive_counts, self.number("max_m", 0.5)?, self.number("s", 30.0)?)?;
                ldam.weights = Some(self.drw(positive_counts, epochs)?.weights(epoch)?);
                mean_over_rows(ldam)
            }
            other => {
                return Err(LossError::Invalid(format!(
                    "{other} is a single-label loss; multi-label training takes {}",
                    names(true).collect::<Vec<_>>().join(", ")
                )))
            }
        })
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
