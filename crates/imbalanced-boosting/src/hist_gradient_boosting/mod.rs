//! Histogram gradient boosting, scikit-learn's
//! `HistGradientBoostingClassifier`, whose loss is any loss of the loss
//! library with a Newton form (log loss, weighted cross-entropy, focal,
//! class-balanced focal, logit-adjusted, LDAM, ASL, ...), plus LightGBM's
//! `scale_pos_weight` and `is_unbalance`.
//!
//! Features are binned once ([`binning`]: at most 255 bins, scikit-learn's
//! quantiles), each round computes per-row gradients and Hessians of the
//! loss at the current scores ([`objective`]), and one tree per score
//! (one for two classes, one per class for more) is grown leaf-wise on
//! them ([`grower`]).

mod binning;
mod grower;
mod objective;

use imbalanced_catalog::Estimator;
use imbalanced_data::{take_rows, Xy};
use imbalanced_losses::LossSpec;
use imbalanced_models::persist::{ensure, finite, Validate};
use imbalanced_models::{check_sample_weight, stratified_holdout, ClassWeight, Fit, FitWeighted, ModelError, Predict};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView2, Axis, CowArray, Ix2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

use binning::{BinMapper, Binned};
use grower::{grow, GrownTree, Limits};
use imbalanced_losses::math::{sigmoid, softmax_into};
use objective::Objective;

/// When to stop on a validation score: scikit-learn's `early_stopping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum EarlyStopping {
    /// On when there are more than 10,000 rows. The default.
    #[default]
    Auto,
    On,
    Off,
}

/// `"auto"`, `true` or `false`, as scikit-learn writes it.
impl Serialize for EarlyStopping {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            EarlyStopping::Auto => s.serialize_str("auto"),
            EarlyStopping::On => s.serialize_bool(true),
            EarlyStopping::Off => s.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for EarlyStopping {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::Bool(true) => Ok(EarlyStopping::On),
            serde_json::Value::Bool(false) => Ok(EarlyStopping::Off),
            serde_json::Value::String(s) if s == "auto" => Ok(EarlyStopping::Auto),
            other => Err(serde::de::Error::custom(format!(
                "early_stopping must be \"auto\", true or false, not {other}"
            ))),
        }
    }
}

/// Gradient-boosted trees on binned features, scikit-learn's
/// `HistGradientBoostingClassifier`, fitting any loss of the library that
/// has a Newton form.
///
/// Each round adds one tree per raw score (one for two classes, one per
/// class for more), grown leaf-wise on the loss's gradients `g` and
/// Hessians `h`: the split of largest gain
/// `G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)` first, leaf values
/// `-learning_rate · G/(H+λ)` (Chen & Guestrin 2016). For the focal forms and
/// ASL, which are not convex, `h` is the Fisher form (see
/// [`imbalanced_losses::NewtonObjective`]), so no leaf divides by a negative
/// sum. Sample weights (`class_weight`, `scale_pos_weight`, `is_unbalance`)
/// multiply `g` and `h`. Early stopping holds out a stratified
/// `validation_fraction` and stops when the validation loss has not
/// improved by `tol` in `n_iter_no_change` rounds.
///
/// LDAM's default logit scale `s = 30` is meant for a cosine head: on raw
/// tree scores its logits saturate and Newton leaves overshoot, so use
/// `ldam:s=1` here.
///
/// Defaults are scikit-learn's: log loss, learning rate 0.1, 100 rounds,
/// 31 leaves, 20 rows per leaf, 255 bins, early stopping above 10,000 rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(
    name = "HistGradientBoostingClassifier",
    kind = "classifier",
    aliases = ["hgb", "gbdt", "hist-gradient-boosting"]
)]
pub struct HistGradientBoostingClassifier {
    /// The loss: `log_loss` (`ce`), `weighted-ce`, `focal`, `cb-focal`, `logit-adjusted`, `ldam`,
    /// `balanced-softmax`, `asl`, ... with parameters as `focal:gamma=1`. Default: `ce` (log loss).
    pub loss: LossSpec,
    /// Shrinks every leaf value. Default: 0.1.
    pub learning_rate: f64,
    /// Boosting rounds at most. Default: 100.
    pub max_iter: usize,
    /// Leaves per tree at most (`null`: no limit). Default: 31.
    pub max_leaf_nodes: Option<usize>,
    /// Depth per tree at most (`null`: no limit). Default: `null`.
    pub max_depth: Option<usize>,
    /// Rows per leaf at least. Default: 20.
    pub min_samples_leaf: usize,
    /// L2 penalty `λ` on leaf values. Default: 0.
    pub l2_regularization: f64,
    /// Bins per feature, 2 to 255. Default: 255.
    pub max_bins: usize,
    /// `"auto"` (on above 10,000 rows), `true` or `false`. Default: `"auto"`.
    pub early_stopping: EarlyStopping,
    /// Share of rows held out (stratified) for early stopping. Default: 0.1.
    pub validation_fraction: f64,
    /// Rounds without improvement before stopping. Default: 10.
    pub n_iter_no_change: usize,
    /// Smallest improvement of the validation loss that counts. Default: 1e-7.
    pub tol: f64,
    /// `null`, `"balanced"` or one weight per class. Default: `null`.
    pub class_weight: ClassWeight,
    /// LightGBM's weight of the positive class (class 1 of two). Default: 1.
    pub scale_pos_weight: f64,
    /// LightGBM's `is_unbalance`: weighs the smaller of two classes by the size ratio. Default: `false`.
    pub is_unbalance: bool,
    /// Seed of the binning subsample and the validation split. Default: 0.
    pub random_state: u64,
}

impl Default for HistGradientBoostingClassifier {
    fn default() -> Self {
        HistGradientBoostingClassifier {
            loss: LossSpec::new("ce", &[]).expect("known loss"),
            learning_rate: 0.1,
            max_iter: 100,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2_regularization: 0.0,
            max_bins: 255,
            early_stopping: EarlyStopping::Auto,
            validation_fraction: 0.1,
            n_iter_no_change: 10,
            tol: 1e-7,
            class_weight: ClassWeight::Uniform,
            scale_pos_weight: 1.0,
            is_unbalance: false,
            random_state: 0,
        }
    }
}

/// A node of a boosted tree: a split (`left > 0`: rows with
/// `x[feature] <= threshold` go to `left`, the others to `right`) or a
/// leaf adding `value` to its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedNode {
    pub feature: usize,
    pub threshold: f64,
    pub left: usize,
    pub right: usize,
    pub value: f64,
    /// The split's loss reduction (0 for leaves).
    pub gain: f64,
    /// Training rows that reached the node.
    pub n_samples: usize,
}

/// One tree of a boosted ensemble; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoostedTree {
    pub nodes: Vec<BoostedNode>,
}

impl BoostedTree {
    /// The leaf that a row reaches.
    pub fn leaf(&self, row: &[f64]) -> usize {
        let mut at = 0;
        while self.nodes[at].left != 0 {
            let n = &self.nodes[at];
            at = if row[n.feature] <= n.threshold { n.left } else { n.right };
        }
        at
    }

    /// The nodes a row passes through, root to leaf: its decision path.
    pub fn path(&self, row: &[f64]) -> Vec<usize> {
        let mut at = 0;
        let mut path = vec![0];
        while self.nodes[at].left != 0 {
            let n = &self.nodes[at];
            at = if row[n.feature] <= n.threshold { n.left } else { n.right };
            path.push(at);
        }
        path
    }
}

/// A fitted [`HistGradientBoostingClassifier`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedHistGradientBoosting {
    pub n_classes: usize,
    pub n_features: usize,
    /// The raw score before any tree: one for two classes, one per class for more.
    pub baseline: Vec<f64>,
    /// `n_iter` rounds of one tree per raw score, round-major.
    pub trees: Vec<BoostedTree>,
    /// Rounds fitted (scikit-learn's `n_iter_`).
    pub n_iter: usize,
    /// Minus the training loss before the first round and after each, when
    /// early stopping was on (scikit-learn's `train_score_`).
    pub train_score: Vec<f64>,
    /// Minus the validation loss likewise, when early stopping was on (`validation_score_`).
    pub validation_score: Vec<f64>,
}

impl HistGradientBoostingClassifier {
    fn check(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Parameter(m));
        if !(self.learning_rate > 0.0 && self.learning_rate.is_finite()) {
            return bad(format!("learning_rate={}: give a positive number", self.learning_rate));
        }
        if self.max_iter == 0 {
            return bad("max_iter must be at least 1".into());
        }
        if self.max_leaf_nodes.is_some_and(|m| m < 2) {
            return bad("max_leaf_nodes must be at least 2 (or null for no limit)".into());
        }
        if self.max_depth == Some(0) {
            return bad("max_depth must be at least 1 (or null for no limit)".into());
        }
        if self.min_samples_leaf == 0 {
            return bad("min_samples_leaf must be at least 1".into());
        }
        if !(self.l2_regularization >= 0.0 && self.l2_regularization.is_finite()) {
            return bad(format!(
                "l2_regularization={}: give a number >= 0",
                self.l2_regularization
            ));
        }
        if !(2..=255).contains(&self.max_bins) {
            return bad(format!(
                "max_bins={}: use 2 to 255 (a bin index is one byte)",
                self.max_bins
            ));
        }
        if !(self.validation_fraction > 0.0 && self.validation_fraction < 1.0) {
            return bad(format!(
                "validation_fraction={}: use a share in (0, 1)",
                self.validation_fraction
            ));
        }
        if self.n_iter_no_change == 0 {
            return bad("n_iter_no_change must be at least 1".into());
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return bad(format!("tol={}: give a number >= 0", self.tol));
        }
        if !(self.scale_pos_weight > 0.0 && self.scale_pos_weight.is_finite()) {
            return bad(format!(
                "scale_pos_weight={}: give a positive number",
                self.scale_pos_weight
            ));
        }
        if self.is_unbalance && self.scale_pos_weight != 1.0 {
            return bad("is_unbalance and scale_pos_weight both weigh the classes: set only one (as LightGBM)".into());
        }
        Ok(())
    }

    /// Per-row weights from `class_weight`, `scale_pos_weight` and
    /// `is_unbalance` (the last two only for two classes); `None` if all 1.
    fn sample_weights(&self, y: &[usize], n_classes: usize) -> Result<Option<Vec<f64>>, ModelError> {
        let mut w = self.class_weight.sample_weights(y, n_classes)?;
        let mut positive = self.scale_pos_weight;
        if self.is_unbalance || positive != 1.0 {
            if n_classes != 2 {
                return Err(ModelError::Parameter(
                    "scale_pos_weight and is_unbalance are for two classes: use class_weight for more".into(),
                ));
            }
            let n_pos = y.iter().filter(|&&c| c == 1).count() as f64;
            let n_neg = y.len() as f64 - n_pos;
            // LightGBM weighs the smaller class up by the ratio.
            let mut negative = 1.0;
            if self.is_unbalance && n_pos > 0.0 && n_neg > 0.0 {
                if n_pos > n_neg {
                    negative = n_pos / n_neg;
                } else {
                    positive = n_neg / n_pos;
                }
            }
            let weights = w.get_or_insert_with(|| vec![1.0; y.len()]);
            weights
                .iter_mut()
                .zip(y)
                .for_each(|(w, &c)| *w *= if c == 1 { positive } else { negative });
        }
        Ok(w)
    }
}

/// Rows, their classes and weights: the caller's or a copy of some.
type Rows<'a> = (CowArray<'a, f64, Ix2>, Cow<'a, [usize]>, Option<Vec<f64>>);

/// The training (or validation) rows as the boosting loop keeps them.
struct Part {
    binned: Binned,
    y: Vec<usize>,
    w: Option<Vec<f64>>,
    raw: Vec<f64>,
}

impl Part {
    fn new(x: ArrayView2<'_, f64>, y: &[usize], w: Option<Vec<f64>>, mapper: &BinMapper, base: &[f64]) -> Self {
        Part {
            binned: mapper.transform(x),
            y: y.to_vec(),
            w,
            raw: base.iter().copied().cycle().take(base.len() * y.len()).collect(),
        }
    }

    fn loss(&self, objective: &Objective, t: usize) -> Result<f64, ModelError> {
        objective.loss(&self.raw, t, &self.y, self.w.as_deref())
    }
}

impl Fit for HistGradientBoostingClassifier {
    type Fitted = FittedHistGradientBoosting;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedHistGradientBoosting, ModelError> {
        self.fit_rows(data, None)
    }
}

impl FitWeighted for HistGradientBoostingClassifier {
    /// scikit-learn's `fit(X, y, sample_weight)`: the weights multiply the
    /// class weights, the gradients and Hessians, the baseline's shares and
    /// the binning quantiles.
    fn fit_with_weights(&self, data: Xy<'_>, sample_weight: &[f64]) -> Result<FittedHistGradientBoosting, ModelError> {
        check_sample_weight(sample_weight, data.y().len())?;
        self.fit_rows(data, Some(sample_weight))
    }
}

impl HistGradientBoostingClassifier {
    fn fit_rows(&self, data: Xy<'_>, sample_weight: Option<&[f64]>) -> Result<FittedHistGradientBoosting, ModelError> {
        self.check()?;
        let (x, y, k) = (data.x(), data.y(), data.n_classes());
        if k < 2 {
            return Err(ModelError::Parameter(
                "gradient boosting needs at least 2 classes in y".into(),
            ));
        }
        let t = if k == 2 { 1 } else { k };
        let mut w = self.sample_weights(y, k)?;
        if let Some(sw) = sample_weight {
            let w = w.get_or_insert_with(|| vec![1.0; y.len()]);
            w.iter_mut().zip(sw).for_each(|(w, s)| *w *= s);
        }
        let stop = match self.early_stopping {
            EarlyStopping::Auto => y.len() > 10_000,
            EarlyStopping::On => true,
            EarlyStopping::Off => false,
        };
        let mut rng = SamplerRng::new(RngKind::Default, self.random_state);
        let (train, valid) = if stop {
            stratified_holdout(y, k, self.validation_fraction, &mut rng)
        } else {
            (Vec::new(), Vec::new())
        };
        let pick = |rows: &[usize]| -> Rows<'_> {
            (
                take_rows(x, rows).into(),
                rows.iter().map(|&i| y[i]).collect(),
                w.as_ref().map(|w| rows.iter().map(|&i| w[i]).collect()),
            )
        };
        // Without a hold-out the rows train as they are, not copied.
        let (x_train, y_train, w_train) = if valid.is_empty() {
            (x.into(), Cow::Borrowed(y), w.clone())
        } else {
            pick(&train)
        };
        let mut totals = vec![0.0; k];
        for (i, &c) in y_train.iter().enumerate() {
            totals[c] += w_train.as_ref().map_or(1.0, |w| w[i]);
        }
        let counts: Vec<f64> = {
            let mut c = vec![0.0; k];
            y_train.iter().for_each(|&v| c[v] += 1.0);
            c
        };
        let objective = Objective::new(&self.loss, &counts)?;
        let baseline = objective.baseline(&totals, t)?;
        let mapper = BinMapper::fit(x_train.view(), w_train.as_deref(), self.max_bins, self.random_state);
        let n_bins: Vec<usize> = mapper.thresholds.iter().map(|t| t.len() + 1).collect();
        let mut fit = Part::new(x_train.view(), &y_train, w_train, &mapper, &baseline);
        let mut held = (!valid.is_empty()).then(|| {
            let (xv, yv, wv) = pick(&valid);
            Part::new(xv.view(), &yv, wv, &mapper, &baseline)
        });
        let limits = Limits {
            max_leaf_nodes: self.max_leaf_nodes,
            max_depth: self.max_depth,
            min_samples_leaf: self.min_samples_leaf,
            l2_regularization: self.l2_regularization,
            min_hessian_to_split: 1e-3,
            learning_rate: self.learning_rate,
        };
        let n = fit.y.len();
        let mut gh = vec![vec![[0.0f32; 2]; n]; t];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        let mut trees = Vec::new();
        // As scikit-learn, the scores are kept only when they decide the stop.
        let (mut train_score, mut validation_score) = (Vec::new(), Vec::new());
        if let Some(v) = &held {
            train_score.push(-fit.loss(&objective, t)?);
            validation_score.push(-v.loss(&objective, t)?);
        }
        let mut n_iter = 0;
        for _ in 0..self.max_iter {
            objective.gradients(&fit.raw, t, &fit.y, fit.w.as_deref(), &mut gh)?;
            for (c, pairs) in gh.iter().enumerate() {
                rows.clear();
                rows.extend(0..n as u32);
                let grown = grow(&fit.binned, &n_bins, pairs, &mut rows, &limits);
                for &(leaf, start, end) in &grown.leaves {
                    let value = grown.nodes[leaf].value;
                    rows[start..end]
                        .iter()
                        .for_each(|&i| fit.raw[i as usize * t + c] += value);
                }
                if let Some(v) = &mut held {
                    add_binned(&grown, &v.binned, &mut v.raw, t, c);
                }
                trees.push(to_tree(&grown, &mapper));
            }
            n_iter += 1;
            if let Some(v) = &held {
                train_score.push(-fit.loss(&objective, t)?);
                validation_score.push(-v.loss(&objective, t)?);
                if should_stop(&validation_score, self.n_iter_no_change, self.tol) {
                    break;
                }
            }
        }
        Ok(FittedHistGradientBoosting {
            n_classes: k,
            n_features: x.ncols(),
            baseline,
            trees,
            n_iter,
            train_score,
            validation_score,
        })
    }
}

/// scikit-learn's `_should_stop`: none of the last `n` scores beats the
/// one before them by more than `tol`.
fn should_stop(scores: &[f64], n: usize, tol: f64) -> bool {
    if scores.len() < n + 1 {
        return false;
    }
    let reference = scores[scores.len() - n - 1] + tol;
    !scores[scores.len() - n..].iter().any(|&s| s > reference)
}

/// Adds a grown tree's leaf values to score `c` of binned rows.
fn add_binned(tree: &GrownTree, binned: &Binned, raw: &mut [f64], t: usize, c: usize) {
    for i in 0..binned.n_rows {
        let mut at = 0;
        while tree.nodes[at].left != 0 {
            let n = &tree.nodes[at];
            at = if binned.codes[n.feature * binned.n_rows + i] <= n.bin {
                n.left
            } else {
                n.right
            };
        }
        raw[i * t + c] += tree.nodes[at].value;
    }
}

/// A grown tree with its bin thresholds as feature values.
fn to_tree(tree: &GrownTree, mapper: &BinMapper) -> BoostedTree {
    BoostedTree {
        nodes: tree
            .nodes
            .iter()
            .map(|n| BoostedNode {
                feature: n.feature,
                threshold: if n.left == 0 {
                    0.0
                } else {
                    mapper.thresholds[n.feature][usize::from(n.bin)]
                },
                left: n.left,
                right: n.right,
                value: n.value,
                gain: n.gain,
                n_samples: n.n_samples,
            })
            .collect(),
    }
}

impl FittedHistGradientBoosting {
    /// Raw scores per score per row before any tree.
    fn scores_per_round(&self) -> usize {
        self.baseline.len()
    }

    /// The raw scores (`decision_function`): `n x 1` for two classes, `n x K` for more.
    pub fn raw_scores(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        self.check_input(x)?;
        let t = self.scores_per_round();
        let mut raw = Array2::zeros((x.nrows(), t));
        raw.axis_iter_mut(Axis(0))
            .into_par_iter()
            .zip(x.axis_iter(Axis(0)).into_par_iter())
            .for_each(|(mut out, row)| {
                let row = row.to_vec();
                for (c, o) in out.iter_mut().enumerate() {
                    *o = self.baseline[c]
                        + self
                            .trees
                            .iter()
                            .skip(c)
                            .step_by(t)
                            .map(|tree| tree.nodes[tree.leaf(&row)].value)
                            .sum::<f64>();
                }
            });
        Ok(raw)
    }

    /// The leaf each row reaches in each tree (`n x trees`, round-major):
    /// the per-row tree paths the explanations build on end there.
    pub fn apply(&self, x: ArrayView2<'_, f64>) -> Result<Array2<usize>, ModelError> {
        self.check_input(x)?;
        let mut leaves = Array2::zeros((x.nrows(), self.trees.len()));
        for (mut out, row) in leaves.rows_mut().into_iter().zip(x.rows()) {
            let row = row.to_vec();
            out.iter_mut()
                .zip(&self.trees)
                .for_each(|(o, tree)| *o = tree.leaf(&row));
        }
        Ok(leaves)
    }

    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<(), ModelError> {
        if x.ncols() != self.n_features {
            return Err(ModelError::FeatureMismatch {
                got: x.ncols(),
                fitted: self.n_features,
            });
        }
        match imbalanced_data::first_non_finite(x.view()) {
            Some(((row, column), value)) => Err(ModelError::NonFinite { row, column, value }),
            None => Ok(()),
        }
    }

    /// Each feature's share of the total split gain over all trees
    /// (LightGBM's `importance_type="gain"`, normalised to sum 1; scikit-learn's
    /// histogram boosting has no `feature_importances_`). All zeros when no
    /// tree split.
    pub fn feature_importances(&self) -> Vec<f64> {
        let mut gain = vec![0.0; self.n_features];
        for n in self.trees.iter().flat_map(|t| &t.nodes).filter(|n| n.left != 0) {
            gain[n.feature] += n.gain;
        }
        let total: f64 = gain.iter().sum();
        if total > 0.0 {
            gain.iter_mut().for_each(|g| *g /= total);
        }
        gain
    }
}

impl Predict for FittedHistGradientBoosting {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// The sigmoid of the score for two classes, the softmax of the scores for more.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        let raw = self.raw_scores(x)?;
        let mut p = Array2::zeros((x.nrows(), self.n_classes));
        for (mut out, z) in p.rows_mut().into_iter().zip(raw.rows()) {
            if self.n_classes == 2 {
                let q = sigmoid(z[0]);
                out[0] = 1.0 - q;
                out[1] = q;
            } else {
                softmax_into(
                    z.as_slice().expect("a standard-layout row"),
                    out.as_slice_mut().expect("a row"),
                );
            }
        }
        Ok(p)
    }
}

impl Validate for FittedHistGradientBoosting {
    fn validate(&self) -> Result<(), String> {
        ensure(self.n_classes >= 2, || "n_classes: at least 2".into())?;
        let t = if self.n_classes == 2 { 1 } else { self.n_classes };
        ensure(self.baseline.len() == t, || {
            format!("baseline: {t} values for {} classes", self.n_classes)
        })?;
        finite("baseline", &self.baseline)?;
        ensure(self.trees.len() == self.n_iter * t, || {
            format!("trees: {} rounds of {t} trees", self.n_iter)
        })?;
        let scored = self.validation_score.len();
        ensure(
            (scored == 0 || scored == self.n_iter + 1) && self.train_score.len() == scored,
            || {
                format!(
                    "train_score, validation_score: both empty or {} values (one before each round and after the last)",
                    self.n_iter + 1
                )
            },
        )?;
        finite("train_score", &self.train_score)?;
        finite("validation_score", &self.validation_score)?;
        for (i, tree) in self.trees.iter().enumerate() {
            ensure(!tree.nodes.is_empty(), || format!("trees[{i}]: no nodes"))?;
            // Every node but the root is the child of exactly one node.
            let mut parents = vec![0usize; tree.nodes.len()];
            for n in tree.nodes.iter().filter(|n| n.left != 0) {
                for c in [n.left, n.right] {
                    if let Some(p) = parents.get_mut(c) {
                        *p += 1;
                    }
                }
            }
            ensure(parents[0] == 0 && parents[1..].iter().all(|&p| p == 1), || {
                format!("trees[{i}]: every node but the root must have exactly one parent")
            })?;
            for (j, n) in tree.nodes.iter().enumerate() {
                let at = || format!("trees[{i}].nodes[{j}]");
                ensure(n.value.is_finite() && n.threshold.is_finite(), || {
                    format!("{}: value and threshold must be finite", at())
                })?;
                if n.left != 0 {
                    // Children after their parent: no cycles, every path ends.
                    ensure(
                        n.left > j && n.right > j && n.left < tree.nodes.len() && n.right < tree.nodes.len(),
                        || format!("{}: children must be later nodes of the tree", at()),
                    )?;
                    ensure(n.feature < self.n_features, || {
                        format!("{}: feature {} of {}", at(), n.feature, self.n_features)
                    })?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
