//! Cross-validated comparison of imbalance strategies on one dataset.

use std::sync::Arc;

use imbalanced_catalog::Value;
use imbalanced_classifiers::AnyClassifier;
use imbalanced_data::Dataset;
use imbalanced_losses::LossSpec;
use imbalanced_models::ClassWeight;
use imbalanced_resample::{randomness, Resampler, RngKind, SAMPLERS};
use imbalanced_scores::{
    average_precision_score, balanced_accuracy_score, f1_score, geometric_mean_score, matthews_corrcoef, roc_auc_score,
    Average, Confusion, GmeanAverage, MulticlassAverage,
};
use ndarray::Array2;
use rayon::prelude::*;
use serde_json::json;

use crate::pipeline::Pipeline;
use crate::splits::{RepeatedStratifiedKFold, Split, StratifiedKFold};
use crate::EvalError;

/// What [`Method::list`] compares when given no methods and no losses.
pub const DEFAULT_METHODS: [&str; 5] = ["none", "balanced", "SMOTE", "RandomUnderSampler", "SMOTETomek"];

/// A way of handling imbalance, compared by [`evaluate`].
#[derive(Clone)]
pub enum Method {
    /// Nothing: the classifier on the data as it is.
    None,
    /// `class_weight="balanced"` on the classifier.
    Balanced,
    /// A sampler inside the pipeline (training folds only), with the name
    /// it was given by when that carried parameters (`SMOBD:max_eps=3`).
    Sampler(Arc<dyn Resampler>, Option<String>),
    /// The classifier trained with this loss (SoftmaxRegression or MLP).
    Loss(LossSpec),
}

impl Method {
    /// `none`, `balanced`, or the sampler's imbalanced-learn name (as
    /// written, with its parameters, when it has some).
    pub fn name(&self) -> &str {
        match self {
            Method::None => "none",
            Method::Balanced => "balanced",
            Method::Sampler(s, label) => label.as_deref().unwrap_or(s.name()),
            Method::Loss(l) => &l.name,
        }
    }

    /// `none`, `balanced` (also `class_weight=balanced`), or a sampler of
    /// the catalogue by name or alias, built with `params` and the seed and
    /// generator; with the sampler's full parameters (`null` otherwise).
    pub fn parse(
        name: &str,
        params: &[(String, Value)],
        seed: u64,
        rng: RngKind,
    ) -> Result<(Method, Value), EvalError> {
        let simple = |m| {
            if params.is_empty() {
                Ok((m, Value::Null))
            } else {
                Err(EvalError::Invalid(format!("{name} takes no parameters")))
            }
        };
        match name.trim().to_ascii_lowercase().as_str() {
            "none" => simple(Method::None),
            "balanced" | "class_weight=balanced" => simple(Method::Balanced),
            _ => {
                let entry = SAMPLERS.find(name.trim())?;
                let configured = entry.configure(params, &randomness(seed, rng))?;
                let sampler = entry.build(configured.clone())?;
                Ok((Method::Sampler(Arc::from(sampler), None), configured))
            }
        }
    }

    /// The methods to compare: `methods` by name, a sampler's parameters
    /// as `NAME:key=value:key=value` (default [`DEFAULT_METHODS`], none
    /// when losses are given), then each loss of `losses`, written
    /// `NAME[:key=value...]`.
    pub fn list(
        methods: Option<&[String]>,
        losses: &[String],
        seed: u64,
        rng: RngKind,
    ) -> Result<Vec<Method>, EvalError> {
        Ok(Method::list_configured(methods, losses, seed, rng)?
            .into_iter()
            .map(|(m, _)| m)
            .collect())
    }

    /// [`Method::list`], each method with its full parameters as
    /// [`Method::parse`] configures them (`null` but for samplers): what
    /// an engine that runs the sampler itself needs.
    pub fn list_configured(
        methods: Option<&[String]>,
        losses: &[String],
        seed: u64,
        rng: RngKind,
    ) -> Result<Vec<(Method, Value)>, EvalError> {
        let default: &[&str] = if losses.is_empty() { &DEFAULT_METHODS } else { &[] };
        let names: Vec<&str> = methods.map_or_else(|| default.to_vec(), |m| m.iter().map(String::as_str).collect());
        let mut list = names
            .into_iter()
            .map(|text| {
                let mut parts = text.split(':');
                let name = parts.next().unwrap_or_default();
                let params = parts
                    .map(|p| {
                        imbalanced_catalog::assignment(p).ok_or_else(|| {
                            EvalError::Invalid(format!("{text}: a method's parameters go as NAME:key=value, not {p:?}"))
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                let labelled = !params.is_empty();
                let (method, configured) = Method::parse(name, &params, seed, rng)?;
                let method = match method {
                    Method::Sampler(s, _) if labelled => Method::Sampler(s, Some(text.trim().to_string())),
                    m => m,
                };
                Ok((method, configured))
            })
            .collect::<Result<Vec<_>, EvalError>>()?;
        for l in losses {
            list.push((
                Method::Loss(l.parse().map_err(|e| EvalError::Invalid(format!("{e}")))?),
                Value::Null,
            ));
        }
        if list.is_empty() {
            return Err(EvalError::Invalid("nothing to compare: give methods or losses".into()));
        }
        Ok(list)
    }

    /// The pipeline that applies this method to `model`: what
    /// [`evaluate`] cross-validates and `imbalanced train` fits.
    pub fn pipeline(&self, model: &AnyClassifier, scale: bool) -> Result<Pipeline, EvalError> {
        Ok(match self {
            Method::None => Pipeline::new(model.clone()),
            Method::Balanced => Pipeline::new(model.with_class_weight(ClassWeight::Balanced)?),
            Method::Sampler(s, _) => Pipeline::new(model.clone()).sampler(Arc::clone(s)),
            Method::Loss(l) => Pipeline::new(model.with_loss(l.clone())?),
        }
        .scale(scale))
    }
}

/// The position of metric `name` among [`metric_names`] (the `_score`
/// suffix may be left out), or an error listing them.
pub fn metric_position(name: &str, n_classes: usize) -> Result<usize, EvalError> {
    let metrics = metric_names(n_classes);
    metrics
        .iter()
        .position(|m| *m == name || m.trim_end_matches("_score") == name)
        .ok_or_else(|| EvalError::Invalid(format!("unknown metric {name:?}: choose one of {}", metrics.join(", "))))
}

/// The metrics [`evaluate`] reports, by their scikit-learn names.
pub fn metric_names(n_classes: usize) -> [&'static str; 6] {
    [
        "balanced_accuracy_score",
        "f1_score_macro",
        "geometric_mean_score",
        "matthews_corrcoef",
        if n_classes > 2 {
            "roc_auc_score_ovr_macro"
        } else {
            "roc_auc_score"
        },
        "average_precision_score",
    ]
}

/// Cross-validation settings. Defaults: logistic regression, 5 folds, 1
/// repeat, no shuffle, seed 0, scaling on.
#[derive(Debug, Clone, PartialEq)]
pub struct EvaluateOptions {
    pub model: AnyClassifier,
    pub n_splits: usize,
    /// More than 1 shuffles every repeat (scikit-learn's `RepeatedStratifiedKFold`).
    pub n_repeats: usize,
    pub shuffle: bool,
    pub seed: u64,
    pub scale: bool,
}

impl Default for EvaluateOptions {
    fn default() -> Self {
        EvaluateOptions {
            model: AnyClassifier::from_name("LogisticRegression").expect("known model"),
            n_splits: 5,
            n_repeats: 1,
            shuffle: false,
            seed: 0,
            scale: true,
        }
    }
}

impl EvaluateOptions {
    /// One line saying what these options do, for reports.
    pub fn describe(&self) -> String {
        let shuffled = if self.shuffle || self.n_repeats > 1 {
            ", shuffled"
        } else {
            ""
        };
        let scaling = if self.scale {
            "StandardScaler fitted per fold"
        } else {
            "no scaling"
        };
        format!(
            "{}; StratifiedKFold({}{shuffled}), {} repeat{}, seed {}; {scaling}; samplers inside the training folds only.",
            self.model.name(),
            self.n_splits,
            self.n_repeats.max(1),
            if self.n_repeats > 1 { "s" } else { "" },
            self.seed,
        )
    }

    /// The splits of `y` these options ask for.
    pub fn splits(&self, y: &[usize]) -> Result<Vec<Split>, EvalError> {
        if self.n_repeats > 1 {
            RepeatedStratifiedKFold {
                n_splits: self.n_splits,
                n_repeats: self.n_repeats,
                random_state: self.seed,
            }
            .split(y)
        } else {
            StratifiedKFold {
                n_splits: self.n_splits,
                shuffle: self.shuffle,
                random_state: self.seed,
            }
            .split(y)
        }
    }
}

/// One method's results.
#[derive(Debug, Clone)]
pub struct MethodResult {
    pub method: String,
    /// Its place among the methods [`evaluate`] was given.
    pub position: usize,
    /// `folds[f][m]`: metric `m` (see [`metric_names`]) on split `f`.
    pub folds: Vec<Vec<f64>>,
    /// Out-of-fold class probabilities of the first repeat (`n x C`).
    pub oof_proba: Array2<f64>,
    /// Confusion matrix of the first repeat's out-of-fold predictions.
    pub confusion: Array2<u64>,
    /// Seconds spent fitting and predicting, summed over splits.
    pub seconds: f64,
}

impl MethodResult {
    /// Mean and population standard deviation of metric `m` over splits
    /// (numpy's `std`, as `cross_validate` users report it).
    pub fn mean_std(&self, m: usize) -> (f64, f64) {
        let v: Vec<f64> = self.folds.iter().map(|f| f[m]).collect();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / v.len() as f64;
        (mean, var.sqrt())
    }
}

/// A method that could not be cross-validated on a dataset, and why (a
/// class too small for its neighbours, nothing to generate, ...).
#[derive(Debug, Clone, PartialEq)]
pub struct FailedMethod {
    pub method: String,
    /// Its place among the methods [`evaluate`] was given.
    pub position: usize,
    /// The error of its first failing split.
    pub reason: String,
}

/// Everything [`evaluate`] measured on one dataset.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub dataset: String,
    pub classes: Vec<String>,
    pub class_counts: Vec<usize>,
    pub metrics: Vec<&'static str>,
    pub y: Vec<usize>,
    /// The methods that ran on every split, in the order given.
    pub results: Vec<MethodResult>,
    /// The methods that failed on some split, in the order given.
    pub failed: Vec<FailedMethod>,
    /// What was done differently from what was asked, and why (SMOTE
    /// replaced by SMOTENC on categorical columns).
    pub notes: Vec<String>,
}

impl Evaluation {
    /// The mean of metric `m` for each of the `n_methods` methods given, in
    /// their order; NaN for a method that failed.
    pub fn scores(&self, n_methods: usize, m: usize) -> Vec<f64> {
        let mut out = vec![f64::NAN; n_methods];
        for r in &self.results {
            if let Some(o) = out.get_mut(r.position) {
                *o = r.mean_std(m).0;
            }
        }
        out
    }

    /// The results as a table: a header (`method`, then each metric) and a
    /// row per method, `mean ± std`, the best of each metric marked `*`.
    pub fn table(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let header = std::iter::once("method".to_string())
            .chain(self.metrics.iter().map(|m| m.to_string()))
            .collect();
        let winners: Vec<usize> = (0..self.metrics.len()).map(|m| self.winner(m)).collect();
        let rows = self
            .results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                std::iter::once(r.method.clone())
                    .chain(winners.iter().enumerate().map(|(m, &w)| {
                        let (mean, std) = r.mean_std(m);
                        format!("{mean:.4} ± {std:.4}{}", if w == i { " *" } else { "" })
                    }))
                    .collect()
            })
            .collect();
        (header, rows)
    }

    /// Index of the best method on metric `m` (highest mean; first on ties).
    pub fn winner(&self, m: usize) -> usize {
        (0..self.results.len())
            .fold(None::<(usize, f64)>, |best, i| {
                let v = self.results[i].mean_std(m).0;
                match best {
                    Some((_, b)) if b >= v || v.is_nan() => best,
                    _ => Some((i, v)),
                }
            })
            .map_or(0, |(i, _)| i)
    }
}

/// The [`metric_names`] scores of class probabilities `proba` for the true
/// classes `y` (one test fold), and the predicted classes (the argmax).
pub fn fold_scores(y: &[usize], proba: &Array2<f64>) -> Result<(Vec<f64>, Vec<usize>), EvalError> {
    let pred = imbalanced_models::argmax_rows(proba.view());
    let macro_ = MulticlassAverage::Macro;
    let scores = vec![
        balanced_accuracy_score(y, &pred, false)?,
        f1_score(y, &pred, Average::Macro)?,
        geometric_mean_score(y, &pred, GmeanAverage::default())?,
        matthews_corrcoef(y, &pred)?,
        roc_auc_score(y, proba.view(), macro_)?,
        average_precision_score(y, proba.view(), macro_)?,
    ];
    Ok((scores, pred))
}

/// Cross-validates every method with the same splits. Each split fits a
/// fresh pipeline on its training rows (resampling them only) and scores
/// its test rows. Splits run in parallel; results do not depend on the
/// thread count. `progress` is called once per finished (method, split).
///
/// A method that fails on a split (a class smaller than its
/// `k_neighbors`, nothing for ADASYN to generate) is listed in
/// [`Evaluation::failed`] with the error and the others go on; when every
/// method fails, that is the error.
pub fn evaluate(
    data: &Dataset,
    name: &str,
    methods: &[Method],
    opts: &EvaluateOptions,
    progress: &(dyn Fn() + Sync),
) -> Result<Evaluation, EvalError> {
    let k = data.classes().len();
    if k < 2 {
        return Err(EvalError::Invalid(format!(
            "{name}: only one class ({}): there is nothing to classify",
            data.classes().first().map_or("none", String::as_str)
        )));
    }
    if methods.is_empty() {
        return Err(EvalError::Invalid("no methods to compare".into()));
    }
    let splits = opts.splits(data.y()).map_err(|e| match e {
        EvalError::TooManyFolds { n_splits, class, count } => EvalError::TooManyFolds {
            n_splits,
            class: class
                .strip_prefix("code ")
                .and_then(|c| c.parse::<usize>().ok())
                .and_then(|c| data.classes().get(c))
                .map_or(class.clone(), |label| format!("{label:?}")),
            count,
        },
        other => other,
    })?;
    let pipelines = methods
        .iter()
        .map(|m| m.pipeline(&opts.model, opts.scale))
        .collect::<Result<Vec<_>, _>>()?;
    let notes = methods
        .iter()
        .filter_map(|m| match m {
            Method::Sampler(s, _) => s.categorical_variant(data).map(|v| {
                format!(
                    "{}: the data has categorical columns, so {} (the same parameters) resampled them",
                    s.name(),
                    v.name()
                )
            }),
            _ => None,
        })
        .collect();
    let tasks: Vec<(usize, usize)> = (0..methods.len())
        .flat_map(|m| (0..splits.len()).map(move |s| (m, s)))
        .collect();
    let outcomes = tasks
        .par_iter()
        .map(|&(m, s)| {
            let start = std::time::Instant::now();
            let split = &splits[s];
            let fitted = pipelines[m]
                .fit_rows(data, &split.train, &mut |_| {})
                .map_err(|e| e.context(methods[m].name()))?;
            let test = data.select_rows(&split.test);
            let proba = fitted.predict_proba(&test)?;
            let (scores, pred) = fold_scores(test.y(), &proba).map_err(|e| e.context(methods[m].name()))?;
            progress();
            Ok((proba, pred, scores, start.elapsed().as_secs_f64()))
        })
        .collect::<Vec<Result<_, EvalError>>>();
    let mut outcomes = outcomes.into_iter();
    let mut ran = Vec::with_capacity(methods.len());
    let mut failed = Vec::new();
    let mut first_error = None;
    for (m, method) in methods.iter().enumerate() {
        // All of this method's splits; the first failing one, in split order, decides.
        let mine: Vec<_> = outcomes.by_ref().take(splits.len()).collect();
        match mine.into_iter().collect::<Result<Vec<_>, _>>() {
            Ok(mine) => ran.push((m, method, mine)),
            Err(e) => {
                let reason = match &e {
                    EvalError::Method { source, .. } => source.to_string(),
                    other => other.to_string(),
                };
                failed.push(FailedMethod {
                    method: method.name().to_string(),
                    position: m,
                    reason,
                });
                first_error.get_or_insert(e);
            }
        }
    }
    if let (true, Some(e)) = (ran.is_empty(), first_error) {
        return Err(e);
    }
    let n = data.n_samples();
    let mut results = Vec::with_capacity(ran.len());
    for (m, method, outcomes) in ran {
        let mut oof_proba = Array2::zeros((n, k));
        let mut oof_pred = vec![0usize; n];
        let mut folds = Vec::new();
        let mut seconds = 0.0;
        for (s, split) in splits.iter().enumerate() {
            let (proba, pred, scores, secs) = &outcomes[s];
            if s < opts.n_splits {
                for (r, &i) in split.test.iter().enumerate() {
                    oof_proba.row_mut(i).assign(&proba.row(r));
                    oof_pred[i] = pred[r];
                }
            }
            folds.push(scores.clone());
            seconds += secs;
        }
        let confusion = full_confusion(data.y(), &oof_pred, k);
        results.push(MethodResult {
            method: method.name().to_string(),
            position: m,
            folds,
            oof_proba,
            confusion,
            seconds,
        });
    }
    Ok(Evaluation {
        dataset: name.to_string(),
        classes: data.classes().to_vec(),
        class_counts: data.class_counts(),
        metrics: metric_names(k).to_vec(),
        y: data.y().to_vec(),
        results,
        failed,
        notes,
    })
}

/// A `k x k` confusion matrix over all classes, present or not.
fn full_confusion(y: &[usize], pred: &[usize], k: usize) -> Array2<u64> {
    let c = Confusion::new(y, pred).expect("one prediction per row");
    let mut out = Array2::zeros((k, k));
    for (i, &a) in c.labels().iter().enumerate() {
        for (j, &b) in c.labels().iter().enumerate() {
            out[(a, b)] = c.matrix()[(i, j)];
        }
    }
    out
}

impl Evaluation {
    /// The results as `imbalanced evaluate --json` prints them: per method,
    /// each metric's mean, std and fold values, and the seconds taken.
    pub fn to_json(&self) -> Value {
        let e = self;
        let results: Vec<Value> = e
            .results
            .iter()
            .map(|r| {
                let metrics: serde_json::Map<String, Value> = e
                    .metrics
                    .iter()
                    .enumerate()
                    .map(|(m, name)| {
                        let (mean, std) = r.mean_std(m);
                        let folds: Vec<f64> = r.folds.iter().map(|f| f[m]).collect();
                        (name.to_string(), json!({"mean": mean, "std": std, "folds": folds}))
                    })
                    .collect();
                json!({"method": r.method, "metrics": metrics, "seconds": r.seconds})
            })
            .collect();
        let failed: Vec<Value> = e
            .failed
            .iter()
            .map(|f| json!({"method": f.method, "reason": f.reason}))
            .collect();
        json!({"dataset": e.dataset, "results": results, "failed": failed, "notes": e.notes})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_default_to_the_five_and_losses_replace_them() {
        let names = |m: Vec<Method>| m.iter().map(|m| m.name().to_string()).collect::<Vec<_>>();
        assert_eq!(
            names(Method::list(None, &[], 0, RngKind::Default).unwrap()),
            DEFAULT_METHODS
        );
        let losses = ["focal:gamma=2".to_string()];
        assert_eq!(
            names(Method::list(None, &losses, 0, RngKind::Default).unwrap()),
            ["focal"]
        );
        let both = Method::list(Some(&["rus".to_string()]), &losses, 0, RngKind::Default).unwrap();
        assert_eq!(names(both), ["RandomUnderSampler", "focal"]);
        assert!(Method::list(Some(&[]), &[], 0, RngKind::Default).is_err());
        assert_eq!(metric_position("geometric_mean", 2).unwrap(), 2);
        assert!(metric_position("accuracy", 2)
            .unwrap_err()
            .to_string()
            .contains("choose one of"));
    }
}
