//! Attributions of any fitted model of the catalogue that has exact ones,
//! on the model's raw output: logits for the linear models (one, class 1's,
//! for a two-class logistic regression, as scikit-learn's
//! `decision_function`), class shares for trees, forests and bagged trees,
//! raw scores for gradient boosting (one for two classes).

use imbalanced_classifiers::FittedModel;
use imbalanced_models::Predict;
use ndarray::ArrayView2;

use crate::tree::{averaged, ensemble, ensemble_interventional, Member};
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
        _ => classes.to_vec(),
    }
}

/// A tree model as the members TreeSHAP adds up, their base output and
/// the model's features; `None` for other models.
fn tree_members(model: &FittedModel) -> Option<(Vec<Member<'_>>, Vec<f64>, usize)> {
    Some(match model {
        FittedModel::DecisionTree(t) => averaged(std::slice::from_ref(t)).ok()?,
        FittedModel::RandomForest(f) | FittedModel::BalancedRandomForest(f) => averaged(f.trees()).ok()?,
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
            (members, vec![0.0; b.n_classes()], b.n_features())
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
            (members, m.baseline.clone(), m.n_features)
        }
        _ => return None,
    })
}

fn no_exact(model: &FittedModel) -> ExplainError {
    ExplainError::Input(format!(
        "{} has no exact attributions: use KernelSHAP (`explain --explainer kernel`, `kernel_explain`), or a \
         linear model, a tree, a forest, bagged trees or gradient boosting",
        model.name()
    ))
}

/// Exact attributions of the rows `x` for `model`: linear SHAP against the
/// mean of `background` (the training rows) for the linear models,
/// path-dependent TreeSHAP for the tree models (which ignore
/// `background`: their node weights are the training distribution).
/// Models without exact attributions (k-NN, naive Bayes, the MLP, the
/// AdaBoost family, whose vote takes an argmax per tree) are refused.
pub fn explain(
    model: &FittedModel,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    let intercept = |b: &ndarray::Array1<f64>| b.to_vec();
    match model {
        FittedModel::Logistic(m) => linear(m.coef.view(), &intercept(&m.intercept), background, x),
        FittedModel::Softmax(m) => linear(m.coef.view(), &intercept(&m.intercept), background, x),
        other => {
            let (members, base, d) = tree_members(other).ok_or_else(|| no_exact(other))?;
            ensemble(&members, &base, d, x)
        }
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
    match tree_members(model) {
        Some((members, base, d)) => ensemble_interventional(&members, &base, d, x, background),
        None => explain(model, x, background),
    }
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
