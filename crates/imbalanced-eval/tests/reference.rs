//! Our pipelines against imbalanced-learn's reference runs
//! (tests/fixtures/pipeline.json, scripts/fixtures/pipeline.py) on the KEEL
//! datasets bundled in data/keel; with `IMBALANCED_KEEL_DIR` set to the whole
//! collection (e.g. `../shared/data/keel`), on every dataset of the fixture:
//!
//!     IMBALANCED_KEEL_DIR=$PWD/../shared/data/keel cargo test --release -p imbalanced-eval --test reference

use std::sync::Arc;

use imbalanced_data::{read, ReadOptions};
use imbalanced_eval::*;
use imbalanced_resample::{randomness, RngKind, SAMPLERS};
use serde_json::Value;

fn bundled(file: &str) -> Option<std::path::PathBuf> {
    if let Ok(dir) = std::env::var("IMBALANCED_KEEL_DIR") {
        let p = std::path::Path::new(&dir).join(file);
        return p.exists().then_some(p);
    }
    let name = std::path::Path::new(file).file_name()?;
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/keel")
        .join(name);
    p.exists().then_some(p)
}

#[test]
fn pipelines_reproduce_imbalanced_learn() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/pipeline.json")).unwrap();
    let mut compared = 0;
    let mut early_stops = 0;
    for d in fixture["datasets"].as_array().unwrap() {
        let Some(path) = bundled(d["file"].as_str().unwrap()) else {
            continue;
        };
        let name = d["name"].as_str().unwrap();
        let data = read(&path, &ReadOptions::default()).unwrap();
        let want_folds: Vec<usize> = serde_json::from_value(d["test_fold"].clone()).unwrap();
        assert_eq!(
            StratifiedKFold::default().folds(data.y()).unwrap(),
            want_folds,
            "{name}: folds"
        );

        let sampler = |s: &str| {
            Method::Sampler(
                Arc::from(SAMPLERS.build(s, &[], &randomness(0, RngKind::Numpy)).unwrap()),
                None,
            )
        };
        let methods = [
            Method::None,
            Method::Balanced,
            sampler("SMOTE"),
            sampler("RandomUnderSampler"),
            sampler("SMOTETomek"),
        ];
        for (method, m) in methods
            .into_iter()
            .zip(["none", "balanced", "SMOTE", "RandomUnderSampler", "SMOTETomek"])
        {
            let ours = evaluate(&data, name, &[method], &EvaluateOptions::default(), &|| {});
            let Some(want) = d["methods"][m].as_array() else {
                // imbalanced-learn refused (e.g. a class smaller than k_neighbors + 1): so do we.
                assert!(ours.is_err(), "{name} {m}: imbalanced-learn failed, we did not");
                continue;
            };
            let eval = ours.unwrap_or_else(|e| panic!("{name} {m}: {e}"));
            let r = &eval.results[0];
            let want: Vec<Vec<f64>> = serde_json::from_value(Value::Array(want.clone())).unwrap();
            if m == "none" || m == "balanced" {
                // Deterministic: every fold's every metric, against scikit-learn's
                // optimum, and against its default run wherever that reached it.
                let optimum: Vec<Vec<f64>> =
                    serde_json::from_value(d["methods"][format!("{m}@optimum")].clone()).unwrap();
                for (f, g) in r.folds.iter().enumerate() {
                    for (i, a) in g.iter().enumerate() {
                        let (default, best) = (want[f][i], optimum[f][i]);
                        assert!(
                            (a - best).abs() < 1e-3,
                            "{name} {m} fold {f} {}: {a} vs {best}",
                            eval.metrics[i]
                        );
                        if (a - default).abs() >= 1e-3 {
                            eprintln!(
                                "{name} {m} fold {f} {}: {a}; scikit-learn's default run {default}",
                                eval.metrics[i]
                            );
                            early_stops += 1;
                        }
                    }
                }
            } else {
                let mean = |v: &[Vec<f64>]| v.iter().map(|f| f[0]).sum::<f64>() / v.len() as f64;
                let (a, b) = (mean(&r.folds), mean(&want));
                assert!(
                    (a - b).abs() < 0.03,
                    "{name} {m}: mean balanced accuracy {a:.4} vs {b:.4}"
                );
            }
        }
        compared += 1;
    }
    eprintln!("compared {compared} datasets; {early_stops} fold metrics differ from scikit-learn's default run");
    // scikit-learn's default tol=1e-4 stops short of the optimum on some folds
    // (haberman, balanced, fold 4: after 5 iterations; on the whole collection 162
    // of 2820 fold metrics, 31 of them on splice's 227 features); there its scores
    // differ from the optimum's, which we match everywhere (checked above).
    assert!(
        early_stops * 10 < compared * 60,
        "{early_stops} fold metrics differ from scikit-learn's default run"
    );
    assert!(compared >= 8, "only {compared} bundled datasets in the fixture");
}
