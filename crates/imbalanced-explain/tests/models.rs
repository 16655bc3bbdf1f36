//! Every model of the catalogue: the attributions of those with exact ones
//! add up to their raw output; the others are refused with the reason.

use imbalanced_classifiers::{FittedModel, MODELS};
use imbalanced_explain::{explain, explain_interventional, output_names};
use imbalanced_models::{Fit, Predict};
use imbalanced_random::Generator;
use ndarray::Array2;

fn data() -> (Array2<f64>, Vec<usize>) {
    let mut rng = Generator::new(11);
    let x = Array2::from_shape_fn((300, 5), |_| rng.standard_normal());
    let y = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] + 0.5 * r[1] > 0.3) + usize::from(r[2] > 1.0))
        .collect();
    (x, y)
}

/// The raw output the attributions explain.
fn raw_output(model: &FittedModel, x: ndarray::ArrayView2<'_, f64>) -> Array2<f64> {
    match model {
        FittedModel::Logistic(m) => m.decision_function(x).unwrap(),
        FittedModel::Softmax(m) => m.decision_function(x).unwrap(),
        FittedModel::HistGradientBoosting(_)
        | FittedModel::AdaBoost(_)
        | FittedModel::RusBoost(_)
        | FittedModel::EasyEnsemble(_) => model.votes(x).unwrap().unwrap(),
        other => other.predict_proba(x).unwrap(),
    }
}

#[test]
fn attributions_add_up_to_each_models_raw_output() {
    let (x, y) = data();
    let rows = x.slice(ndarray::s![..40, ..]);
    let mut explained = Vec::new();
    for e in MODELS.entries {
        let small: Vec<(String, serde_json::Value)> = match e.info.name {
            "RandomForestClassifier" | "BalancedRandomForestClassifier" | "BalancedBaggingClassifier" => {
                vec![("n_estimators".into(), 8.into())]
            }
            "HistGradientBoostingClassifier" => vec![("max_iter".into(), 15.into())],
            "MLPClassifier" => vec![("max_iter".into(), 5.into())],
            "RUSBoostClassifier" | "AdaBoostClassifier" => vec![("n_estimators".into(), 3.into())],
            "EasyEnsembleClassifier" => vec![
                ("n_estimators".into(), 2.into()),
                ("n_boosting_rounds".into(), 2.into()),
            ],
            _ => vec![],
        };
        let model = *MODELS.build(e.info.name, &small, &[]).unwrap();
        let fitted = model.fit(x.view(), &y, 3).unwrap();
        match explain(&fitted, rows, x.view()) {
            Ok(a) => {
                let want = raw_output(&fitted, rows);
                let got = a.outputs();
                assert_eq!(got.dim(), want.dim(), "{}", e.info.name);
                let worst = got.iter().zip(&want).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
                assert!(worst < 1e-9, "{}: off by {worst}", e.info.name);
                // Interventional attributions add up to the same outputs.
                let background = x.slice(ndarray::s![200..230, ..]);
                let inter = explain_interventional(&fitted, rows, background).unwrap();
                let worst = inter
                    .outputs()
                    .iter()
                    .zip(&want)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0.0, f64::max);
                assert!(worst < 1e-9, "{} (interventional): off by {worst}", e.info.name);
                if fitted.votes(rows).is_some() {
                    // The boosted models' interventional values are the
                    // Shapley values of their votes (or raw scores), enumerated.
                    let votes = |r: ndarray::ArrayView2<'_, f64>| Ok(fitted.votes(r).unwrap().unwrap());
                    let exact = imbalanced_explain::KernelShap::default()
                        .explain(&votes, rows.slice(ndarray::s![..6, ..]), background)
                        .unwrap();
                    let fast = explain_interventional(&fitted, rows.slice(ndarray::s![..6, ..]), background).unwrap();
                    let worst = fast
                        .values
                        .iter()
                        .zip(&exact.values)
                        .map(|(a, b)| (a - b).abs())
                        .fold(0.0, f64::max);
                    assert!(
                        worst < 1e-12,
                        "{}: interventional off the enumeration by {worst}",
                        e.info.name
                    );
                }
                let names = output_names(&fitted, &["a".into(), "b".into(), "c".into()]);
                assert_eq!(names.len(), got.ncols(), "{}", e.info.name);
                explained.push(e.info.name);
            }
            Err(err) => assert!(
                err.to_string().contains("has no exact attributions"),
                "{}: {err}",
                e.info.name
            ),
        }
    }
    for name in [
        "LogisticRegression",
        "SoftmaxRegression",
        "DecisionTreeClassifier",
        "RandomForestClassifier",
        "BalancedRandomForestClassifier",
        "BalancedBaggingClassifier",
        "HistGradientBoostingClassifier",
        "AdaBoostClassifier",
        "RUSBoostClassifier",
        "EasyEnsembleClassifier",
    ] {
        assert!(explained.contains(&name), "{name} was not explained: {explained:?}");
    }
}

#[test]
fn two_class_models_explain_one_raw_output() {
    let (x, y) = data();
    let y: Vec<usize> = y.iter().map(|&c| usize::from(c > 0)).collect();
    for name in ["LogisticRegression", "HistGradientBoostingClassifier"] {
        let fitted = MODELS.build(name, &[], &[]).unwrap().fit(x.view(), &y, 2).unwrap();
        let a = explain(&fitted, x.slice(ndarray::s![..10, ..]), x.view()).unwrap();
        assert_eq!(a.base_values.len(), 1, "{name}");
        assert_eq!(output_names(&fitted, &["no".into(), "yes".into()]).len(), 1);
    }
}
