//! Attributions of any fitted model of the catalogue that has exact ones,
//! on the model's raw output: logits for the linear models (one, class 1's,
//! for a two-class logistic regression, as scikit-learn's
//! `decision_function`), class shares for trees, forests and bagged trees,
//! raw scores for gradient boosting (one for two classes), the SAMME votes
//! for AdaBoost, RUSBoost and EasyEnsemble (per class, the weight of the
//! rounds voting for it over their total, as `decision_function` reads
//! them).

use imbalanced_classifiers::FittedModel;
use imbalanced_models::Predict;
use ndarray::ArrayView2;

use crate::tree::{averaged, ensemble, ensemble_interventional, Member, Votes};
use crate::{linear, Attributions, ExplainError, KernelShap};

/// What the model's attributions add up to, per output.
pub fn output_names(model: &FittedModel, classes: &[String]) -> Vec<String> {
    match model {
        FittedModel::Logistic(m) if m.coef.nrows() == 1 => {
            vec![format!("logit of {}", classes.last().map_or("", String::as_str))]
        }
        FittedModel::HistGradientBoosting(m) if m.baseline.len() == 1 => {
            vec![format!("raw score of {}", classes.last().map_or("", String::as_str))]
        }
        FittedModel::AdaBoost(_) | FittedModel::RusBoost(_) | FittedModel::EasyEnsemble(_) => {
            classes.iter().map(|c| format!("votes for {c}")).collect()
        }
        _ => classes.to_vec(),
    }
}

/// Runs `attribute` on a tree model's members (what TreeSHAP adds up),
/// its base output and its features; `None` for other models.
fn with_tree_members<R>(
    model: &FittedModel,
    attribute: impl FnOnce(&[Member<'_>], &[f64], usize) -> Result<R, ExplainError>,
) -> Option<Result<R, ExplainError>> {
    // A boosting round votes for one class per leaf: its view of the tree
    // is made here and lives while `attribute` runs.
    fn rounds(b: &imbalanced_ensemble::FittedBoosting, share: f64) -> Vec<(Votes<'_>, f64)> {
        let total: f64 = b.weights.iter().sum();
        b.trees
            .iter()
            .zip(&b.weights)
            .map(|(t, &w)| (Votes::new(t), share * w / total))
            .collect()
    }
    let votes: Vec<(Votes<'_>, f64)> = match model {
        FittedModel::AdaBoost(b) | FittedModel::RusBoost(b) => rounds(b, 1.0),
        FittedModel::EasyEnsemble(e) => {
            let share = 1.0 / e.members.len().max(1) as f64;
            e.members.iter().flat_map(|m| rounds(m, share)).collect()
        }
        _ => Vec::new(),
    };
    let voted = |d: usize, k: usize| {
        let members = votes
            .iter()
            .map(|(tree, scale)| Member {
                tree,
                features: None,
                output: None,
                scale: *scale,
            })
            .collect();
        Ok((members, vec![0.0; k], d))
    };
    let parts = match model {
        FittedModel::DecisionTree(t) => averaged(std::slice::from_ref(t)),
        FittedModel::RandomForest(f) | FittedModel::BalancedRandomForest(f) => averaged(f.trees()),
        FittedModel::BalancedBagging(b) => {
            let scale = 1.0 / b.members.len().max(1) as f64;
            let members = b
                .members
                .iter()
                .map(|m| Member {
                    tree: &m.tree,
                    features: Some(&m.features),
                    output: None,
                    scale,
                })
                .collect();
            Ok((members, vec![0.0; b.n_classes()], b.n_features()))
        }
        FittedModel::HistGradientBoosting(m) => {
            let outputs = m.baseline.len();
            let members = m
                .trees
                .iter()
                .enumerate()
                .map(|(i, t)| Member {
                    tree: t,
                    features: None,
                    output: Some(i % outputs),
                    scale: 1.0,
                })
                .collect();
            Ok((members, m.baseline.clone(), m.n_features))
        }
        FittedModel::AdaBoost(b) | FittedModel::RusBoost(b) => voted(b.n_features(), b.n_classes()),
        FittedModel::EasyEnsemble(e) => voted(e.n_features(), e.n_classes()),
        _ => return None,
    };
    Some(parts.and_then(|(members, base, d)| attribute(&members, &base, d)))
}

fn no_exact(model: &FittedModel) -> ExplainError {
    ExplainError::Input(format!(
        "{} has no exact attributions: use KernelSHAP (`explain --explainer kernel`, `kernel_explain`), or a \
         linear model, a tree, a forest, bagged trees, boosting or gradient boosting",
        model.name()
    ))
}

/// Exact attributions of the rows `x` for `model`: linear SHAP against the
/// mean of `background` (the training rows) for the linear models,
/// path-dependent TreeSHAP for the tree models (which ignore
/// `background`: their node weights are the training distribution).
/// Models without exact attributions (k-NN, naive Bayes, the MLP) are
/// refused.
pub fn explain(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    let intercept = |b: &ndarray::Array1<f64>| b.to_vec();
    match model {
        FittedModel::Logistic(m) => linear(m.coef.view(), &intercept(&m.intercept), background, x),
        FittedModel::Softmax(m) => linear(m.coef.view(), &intercept(&m.intercept), background, x),
        other => with_tree_members(other, |members, base, d| ensemble(members, base, d, x))
            .unwrap_or_else(|| Err(no_exact(other))),
    }
}

/// Interventional attributions of the rows `x` for `model` against the
/// `background` rows: interventional TreeSHAP for the tree models (exact;
/// shap's `feature_perturbation="interventional"`), linear SHAP for the
/// linear models (which is interventional already).
pub fn explain_interventional(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    with_tree_members(model, |members, base, d| {
        ensemble_interventional(members, base, d, x, background)
    })
    .unwrap_or_else(|| explain(model, x, background))
}

/// KernelSHAP values of the rows `x` for any fitted `model`, on its class
/// probabilities, against the `background` rows (keep them few: every
/// coalition is evaluated on each).
pub fn kernel_explain(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
    settings: &KernelShap,
) -> Result<Attributions, ExplainError> {
    let f = |rows: ArrayView2<'_, f64>| {
        model
            .predict_proba(rows)
            .map_err(|e| ExplainError::Input(e.to_string()))
    };
    settings.explain(&f, x, background)
}
