//! Our balanced ensembles against imbalanced-learn's on the bundled KEEL
//! sets: the same StratifiedKFold(5) folds, the mean balanced accuracy
//! averaged over random states 0..3 on both sides, then over the datasets
//! where both fit (`scripts/fixtures/ensembles.py` wrote the fixture). The
//! trees and the random draws differ, so the scores are compared as
//! averages, with the tolerance.

use imbalanced_data::{read, ReadOptions};
use imbalanced_ensemble::{
    AdaBoostClassifier, BalancedBaggingClassifier, BalancedRandomForestClassifier, EasyEnsembleClassifier,
    RusBoostClassifier,
};
use imbalanced_models::{Fit, ModelError, Predict};
use serde_json::Value;

/// Mean balanced accuracy over the folds and seeds, or the fit's error.
fn score(name: &str, dataset: &str, folds: &[Vec<usize>], seeds: u64) -> Result<f64, ModelError> {
    let path = format!("{}/../../data/keel/{dataset}.csv", env!("CARGO_MANIFEST_DIR"));
    let data = read(&path, &ReadOptions::default()).unwrap();
    let (x, y, k) = (data.numeric(), data.y(), data.classes().len());
    let mut scores = Vec::new();
    for seed in 0..seeds {
        for test in folds {
            let mut is_test = vec![false; y.len()];
            test.iter().for_each(|&i| is_test[i] = true);
            let train: Vec<usize> = (0..y.len()).filter(|&i| !is_test[i]).collect();
            let (xt, yt) = (
                imbalanced_data::take_rows(x, &train),
                train.iter().map(|&i| y[i]).collect::<Vec<_>>(),
            );
            let xs = imbalanced_data::take_rows(x, test);
            let ys: Vec<usize> = test.iter().map(|&i| y[i]).collect();
            let predicted = match name {
                "BalancedRandomForestClassifier" => BalancedRandomForestClassifier {
                    random_state: seed,
                    ..Default::default()
                }
                .fit(xt.view(), &yt, k)?
                .predict(xs.view())?,
                "RUSBoostClassifier" => RusBoostClassifier {
                    random_state: seed,
                    ..Default::default()
                }
                .fit(xt.view(), &yt, k)?
                .predict(xs.view())?,
                "EasyEnsembleClassifier" => EasyEnsembleClassifier {
                    random_state: seed,
                    ..Default::default()
                }
                .fit(xt.view(), &yt, k)?
                .predict(xs.view())?,
                "BalancedBaggingClassifier" => BalancedBaggingClassifier {
                    random_state: seed,
                    ..Default::default()
                }
                .fit(xt.view(), &yt, k)?
                .predict(xs.view())?,
                _ => AdaBoostClassifier {
                    random_state: seed,
                    ..Default::default()
                }
                .fit(xt.view(), &yt, k)?
                .predict(xs.view())?,
            };
            scores.push(imbalanced_scores::balanced_accuracy_score(&ys, &predicted, false).unwrap());
        }
    }
    Ok(scores.iter().sum::<f64>() / scores.len() as f64)
}

#[test]
fn mean_balanced_accuracy_within_a_hundredth_of_imblearns() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/ensembles.json")).unwrap();
    let seeds = fixture["seeds"].as_u64().unwrap();
    let mut report = String::new();
    for name in [
        "BalancedRandomForestClassifier",
        "RUSBoostClassifier",
        "EasyEnsembleClassifier",
        "AdaBoostClassifier",
        "BalancedBaggingClassifier",
    ] {
        let (mut ours, mut theirs) = (Vec::new(), Vec::new());
        for d in fixture["datasets"].as_array().unwrap() {
            let dataset = d["name"].as_str().unwrap();
            let Some(reference) = d["balanced_accuracy"][name].as_f64() else {
                continue; // imbalanced-learn's fit failed there
            };
            let folds: Vec<Vec<usize>> = serde_json::from_value(d["folds"].clone()).unwrap();
            let s = score(name, dataset, &folds, seeds).unwrap_or_else(|e| panic!("{name} on {dataset}: {e}"));
            report.push_str(&format!("{name} {dataset}: ours {s:.4} theirs {reference:.4}\n"));
            if name == "AdaBoostClassifier" {
                // Stumps over every feature leave no randomness: scikit-learn's numbers.
                assert!((s - reference).abs() < 1e-9, "{name} on {dataset}: {s} vs {reference}");
            }
            ours.push(s);
            theirs.push(reference);
        }
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (a, b) = (mean(&ours), mean(&theirs));
        report.push_str(&format!(
            "{name}: mean ours {a:.4} theirs {b:.4} over {} datasets\n",
            ours.len()
        ));
        assert!(ours.len() >= 9, "{report}");
        assert!(
            (a - b).abs() <= 0.01,
            "{name}: mean {a} vs imbalanced-learn's {b}\n{report}"
        );
    }
    println!("{report}");
}
