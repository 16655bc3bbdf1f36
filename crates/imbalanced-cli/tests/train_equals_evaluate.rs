//! `train` builds what `evaluate` measures: for every model and for a
//! seeded sampler, a loss and class weighting, training on each fold's
//! training rows with `imbalanced train`, predicting its test rows with
//! `imbalanced predict` and scoring them with `imbalanced metrics` gives
//! `evaluate`'s fold metrics to 1e-9.

mod common;
use std::path::Path;

use common::{data, ok};

use imbalanced::data::{read, write, ReadOptions};
use imbalanced::eval::StratifiedKFold;
use imbalanced::models::MODELS;
use serde_json::Value;

/// Runs `imbalanced ARGS`, asserts success, and reads its stdout as JSON (null if it is not).
fn run(args: &[&str]) -> Value {
    serde_json::from_slice(&ok(args).stdout).unwrap_or(Value::Null)
}

/// `--method M` for train, or `--loss L`.
fn method_args(method: &str) -> Vec<&str> {
    match method.strip_prefix("loss:") {
        Some(loss) => vec!["--loss", loss],
        None => vec!["--method", method],
    }
}

fn check(file: &str, model: &str, params: &[&str], method: &str) {
    let path = data(file);
    let ds = read(&path, &ReadOptions::default()).unwrap();
    let mut cv = vec![
        "evaluate",
        path.to_str().unwrap(),
        "--model",
        model,
        "--seed",
        "3",
        "--json",
    ];
    for p in params {
        cv.extend(["--param", p]);
    }
    match method.strip_prefix("loss:") {
        Some(loss) => cv.extend(["--losses", loss]),
        None => cv.extend(["--methods", method]),
    }
    let evaluated = run(&cv);
    let metrics = evaluated["results"][0]["metrics"].as_object().unwrap().clone();
    let dir = tempfile::tempdir().unwrap();
    let splits = StratifiedKFold {
        n_splits: 5,
        shuffle: false,
        random_state: 0,
    }
    .split(ds.y())
    .unwrap();
    for (f, split) in splits.iter().enumerate() {
        let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
        write(&ds.select_rows(&split.train), Path::new(&p("train.csv"))).unwrap();
        write(&ds.select_rows(&split.test), Path::new(&p("test.csv"))).unwrap();
        let mut train = vec!["train", &*p("train.csv").leak(), "--model", model, "--seed", "3"];
        for p in params {
            train.extend(["--param", p]);
        }
        train.extend(method_args(method));
        let (model_file, preds) = (p("m.json"), p("p.csv"));
        train.extend(["--out", &model_file]);
        run(&train);
        run(&["predict", &model_file, &p("test.csv"), "--out", &preds]);
        let scored = run(&["metrics", &preds, "--json"]);
        for (name, m) in &metrics {
            let want = m["folds"][f].as_f64().unwrap();
            let got = scored[name]
                .as_f64()
                .unwrap_or_else(|| panic!("metrics has no {name}: {scored}"));
            assert!(
                (want - got).abs() <= 1e-9 || (want.is_nan() && got.is_nan()),
                "{file} {model} {method} fold {f} {name}: evaluate {want}, train+predict {got}"
            );
        }
    }
}

#[test]
fn every_model_trains_what_evaluate_measured_with_a_sampler() {
    for e in MODELS.entries {
        let params: &[&str] = match e.info.name {
            "MLPClassifier" => &["hidden_layer_sizes=[8]", "max_iter=15"],
            "RandomForestClassifier" => &["n_estimators=10"],
            _ => &[],
        };
        check("glass4.csv", e.info.name, params, "SMOTE");
    }
}

#[test]
fn class_weights_losses_and_multiclass_data_agree_too() {
    check("glass4.csv", "logreg", &["C=0.5"], "balanced");
    check("glass4.csv", "forest", &["n_estimators=5", "max_depth=3"], "balanced");
    check("glass4.csv", "logreg", &[], "loss:focal");
    check("glass4.csv", "logreg", &[], "SMOTETomek");
    check("glass.csv", "tree", &[], "RandomUnderSampler");
    check("glass.csv", "softmax", &[], "loss:ldam-drw");
}
