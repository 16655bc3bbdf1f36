//! Model files: the golden files of earlier versions still load and predict
//! what they predicted when written; a damaged or edited file is refused
//! with an error naming the field, never a panic or a silent prediction.

use std::path::{Path, PathBuf};

use imbalanced_classifiers::MODELS;
use imbalanced_data::{read, read_predictions, write_predictions, ReadOptions};
use imbalanced_eval::{EvalError, HeldOut, ModelFile, Pipeline, PostProcessing};
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model-files")
}

fn golden() -> Vec<(PathBuf, &'static str)> {
    vec![
        (fixtures().join("logreg-smote-0.1.0.json"), "glass4.csv"),
        (fixtures().join("forest-categorical-0.1.0.json"), "flare-F.dat"),
    ]
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/keel").join(name)
}

/// Predictions equal those written with the file: the same decisions, and
/// probabilities to 1e-12 (not to the bit: matrix products may take other
/// vector kernels on another CPU).
#[test]
fn golden_files_load_and_predict_as_when_written() {
    for (file, dataset) in golden() {
        let m = ModelFile::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
        let ds = read(data(dataset), &m.read_options(Default::default())).unwrap();
        let proba = m.predict_proba(&ds).unwrap();
        let pred = m.decide(proba.view());
        let want = read_predictions(&file.with_extension("predictions.csv")).unwrap();
        assert_eq!(want.labels, m.classes);
        assert_eq!(want.y_pred, pred, "{}", file.display());
        let want_proba = want.proba.unwrap();
        assert_eq!(want_proba.dim(), proba.dim());
        for (a, b) in want_proba.iter().zip(&proba) {
            assert!((a - b).abs() <= 1e-12, "{}: {a} vs {b}", file.display());
        }
    }
}

/// The forest's predictions, written as `predict` writes them, are the
/// committed text byte for byte (trees and scaling use no vector kernels
/// whose rounding could differ between CPUs).
#[test]
fn golden_forest_predictions_are_written_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (file, dataset) = &golden()[1];
    let m = ModelFile::from_json(&std::fs::read_to_string(file).unwrap()).unwrap();
    let ds = read(data(dataset), &m.read_options(Default::default())).unwrap();
    let proba = m.predict_proba(&ds).unwrap();
    let truth: Vec<&str> = ds.y().iter().map(|&c| ds.classes()[c].as_str()).collect();
    let out = dir.path().join("p.csv");
    write_predictions(&out, &m.classes, Some(&truth), &m.decide(proba.view()), proba.view()).unwrap();
    let want = std::fs::read_to_string(file.with_extension("predictions.csv")).unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), want);
}

#[test]
fn the_golden_files_cover_categorical_columns_calibration_and_thresholds() {
    let text = |i: usize| std::fs::read_to_string(&golden()[i].0).unwrap();
    let logreg: Value = serde_json::from_str(&text(0)).unwrap();
    assert_eq!(logreg["post"]["calibration"]["method"], "one_vs_rest");
    assert!(logreg["post"]["thresholds"].is_array());
    assert_eq!(logreg["method_params"]["k_neighbors"], 5);
    let forest: Value = serde_json::from_str(&text(1)).unwrap();
    assert!(!forest["categorical"].as_array().unwrap().is_empty());
}

/// Paths of every array of numbers or strings in `v`.
fn arrays(v: &Value, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match v {
        Value::Array(items) if items.iter().all(|i| i.is_number() || i.is_string()) => out.push(path.clone()),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, item)| {
            path.push(i.to_string());
            arrays(item, path, out);
            path.pop();
        }),
        Value::Object(map) => map.iter().for_each(|(k, item)| {
            path.push(k.clone());
            arrays(item, path, out);
            path.pop();
        }),
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[String]) -> &'a mut Vec<Value> {
    let mut cur = v;
    for p in path {
        cur = match cur {
            Value::Array(a) => &mut a[p.parse::<usize>().unwrap()],
            other => &mut other[p.as_str()],
        };
    }
    cur.as_array_mut().unwrap()
}

/// Arrays whose length the rest of the file does not fix: parameters (the
/// record of what was trained), the lists of category names, which may
/// hold categories a model never split on, and the MLP's training curves,
/// which only report what happened.
fn free(path: &[String]) -> bool {
    // A tree's importances and node weights may be empty: a file written
    // before they were kept.
    path.iter()
        .any(|p| p.ends_with("_params") || p.ends_with("_curve") || p == "importances" || p == "cover")
        || (path[0] == "categorical" && path.last().unwrap() == "categories")
}

/// The golden files, and a fresh file of every catalogue model (small
/// settings) trained on glass4.
fn model_files() -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = golden()
        .into_iter()
        .map(|(f, _)| {
            (
                f.display().to_string(),
                serde_json::from_str(&std::fs::read_to_string(&f).unwrap()).unwrap(),
            )
        })
        .collect();
    let ds = read(data("glass4.csv"), &ReadOptions::default()).unwrap();
    for e in MODELS.entries {
        let small = match e.info.name {
            "RandomForestClassifier"
            | "BalancedRandomForestClassifier"
            | "RUSBoostClassifier"
            | "AdaBoostClassifier"
            | "BalancedBaggingClassifier" => vec![("n_estimators".to_string(), 2.into())],
            "EasyEnsembleClassifier" => vec![
                ("n_estimators".to_string(), 2.into()),
                ("n_boosting_rounds".to_string(), 2.into()),
            ],
            "MLPClassifier" => vec![
                ("hidden_layer_sizes".to_string(), serde_json::json!([3, 2])),
                ("max_iter".to_string(), 2.into()),
            ],
            _ => vec![],
        };
        let model = *MODELS.build(e.info.name, &small, &[]).unwrap();
        let fitted = Pipeline::new(model).fit(&ds).unwrap();
        let file = ModelFile::new(&ds, "none", Value::Null, fitted, PostProcessing::default());
        out.push((e.info.name.to_string(), serde_json::from_str(&file.to_json()).unwrap()));
    }
    out
}

#[test]
fn every_damaged_file_is_refused() {
    for (file, value) in model_files() {
        let mut paths = Vec::new();
        arrays(&value, &mut Vec::new(), &mut paths);
        paths.retain(|p| !free(p));
        assert!(paths.len() > 3, "{file}: {paths:?}");
        for path in &paths {
            for edit in ["drop", "append", "empty"] {
                let mut v = value.clone();
                let a = at(&mut v, path);
                if a.is_empty() && edit != "append" {
                    continue;
                }
                let sample = a.first().cloned().unwrap_or(Value::from(0.5));
                match edit {
                    "drop" => drop(a.pop()),
                    "append" => a.push(sample),
                    _ => a.clear(),
                }
                let text = serde_json::to_string(&v).unwrap();
                let got = std::panic::catch_unwind(|| ModelFile::from_json(&text));
                assert!(
                    matches!(got, Ok(Err(EvalError::ModelFile(_)))),
                    "{file}: {edit} at {} was not refused",
                    path.join(".")
                );
            }
        }
        let text = value.to_string();
        for cut in [0, 1, text.len() / 2, text.len() - 2] {
            assert!(ModelFile::from_json(&text[..cut]).is_err());
        }
    }
}

#[test]
fn newer_versions_and_other_formats_are_refused_with_the_reason() {
    let (file, _) = &golden()[0];
    let value: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let with = |key: &str, v: Value| {
        let mut edited = value.clone();
        edited[key] = v;
        ModelFile::from_json(&edited.to_string()).unwrap_err().to_string()
    };
    let err = with("version", "0.99.0".into());
    assert!(err.contains("newer than this") && err.contains("upgrade"), "{err}");
    let err = with("version", "2.0.0".into());
    assert!(err.contains("newer than this"), "{err}");
    assert!(with("format", "imbalanced-model/1".into()).contains("not a pipeline"));
    assert!(with("version", "x".into()).contains("not a version"));
    let err = with("classes", serde_json::json!(["negative"]));
    assert!(err.contains("classes"), "{err}");
    // Older minor versions of the same major load.
    let mut older = value.clone();
    older["version"] = "0.0.9".into();
    assert!(ModelFile::from_json(&older.to_string()).is_ok());
}

#[test]
fn training_holds_out_a_stratified_share_before_fitting_only_when_post_processing_is_asked() {
    let ds = read(data("glass4.csv"), &ReadOptions::default()).unwrap();
    let model = *MODELS.build("logreg", &[], &[]).unwrap();
    let pipeline = Pipeline::new(model);
    let mut seen = Vec::new();
    let mut fit = |rows: &imbalanced_data::Dataset| {
        seen.push(rows.class_counts());
        pipeline.fit(rows)
    };
    let plain = HeldOut {
        calibrate: None,
        threshold: None,
        fraction: 0.2,
        seed: 0,
    };
    let all = ModelFile::train(&ds, "none", Value::Null, &plain, &mut fit).unwrap();
    assert_eq!((all.rows, all.held_out, all.calibration), (ds.n_samples(), 0, None));
    let post = HeldOut {
        calibrate: Some("temperature".parse().unwrap()),
        threshold: Some(imbalanced_eval::post::parse_threshold("f1").unwrap()),
        ..plain
    };
    let held = ModelFile::train(&ds, "none", Value::Null, &post, &mut fit).unwrap();
    assert_eq!(held.rows + held.held_out, ds.n_samples());
    assert!(held.calibration.is_some() && held.file.post.thresholds.is_some());
    // The pipeline saw the training share only, every class in it.
    let (full, part) = (&seen[0], &seen[1]);
    assert_eq!(part.iter().sum::<usize>(), held.rows);
    assert!(
        part.iter().zip(full).all(|(p, f)| *p > 0 && p < f),
        "{part:?} of {full:?}"
    );
}
