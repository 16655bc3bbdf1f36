//! One method that cannot run on a dataset does not stop the others.

use imbalanced_data::{read, ReadOptions};
use imbalanced_eval::{bench, evaluate, EvalError, EvaluateOptions, Method};
use imbalanced_resample::RngKind;

fn keel(name: &str) -> imbalanced_data::Dataset {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/keel")
        .join(name);
    read(path, &ReadOptions::default()).unwrap()
}

fn methods(names: &[&str]) -> Vec<Method> {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    Method::list(Some(&names), &[], 0, RngKind::Default).unwrap()
}

/// `evaluate` of `names` on flare-F (all its features categorical).
fn on_flare(names: &[&str]) -> Result<imbalanced_eval::Evaluation, EvalError> {
    evaluate(
        &keel("flare-F.dat"),
        "flare-F",
        &methods(names),
        &EvaluateOptions::default(),
        &|| {},
    )
}

#[test]
fn a_failing_method_is_reported_and_the_others_run() {
    // flare-F's features are all categorical: ADASYN cannot run on them.
    let e = on_flare(&["none", "ADASYN", "rus"]).unwrap();
    let ran: Vec<(&str, usize)> = e.results.iter().map(|r| (r.method.as_str(), r.position)).collect();
    assert_eq!(ran, [("none", 0), ("RandomUnderSampler", 2)]);
    assert_eq!(e.failed.len(), 1);
    assert_eq!((e.failed[0].method.as_str(), e.failed[0].position), ("ADASYN", 1));
    assert!(e.failed[0].reason.contains("categorical"), "{}", e.failed[0].reason);
    let scores = e.scores(3, 0);
    assert!(scores[0].is_finite() && scores[1].is_nan() && scores[2].is_finite());
    let json = e.to_json();
    assert_eq!(json["failed"][0]["method"], "ADASYN");
}

#[test]
fn smote_on_categorical_columns_runs_as_smotenc_or_smoten_with_a_note() {
    let e = on_flare(&["SMOTE"]).unwrap();
    assert!(e.failed.is_empty(), "{:?}", e.failed);
    assert_eq!(e.notes.len(), 1);
    assert!(e.notes[0].contains("SMOTEN"), "{}", e.notes[0]);
}

#[test]
fn when_every_method_fails_that_is_the_error() {
    let err = on_flare(&["ADASYN"]).unwrap_err();
    assert!(matches!(err, EvalError::Method { .. }), "{err}");
    assert!(err.to_string().contains("ADASYN"), "{err}");
}

#[test]
fn bench_keeps_a_dataset_where_a_method_failed_and_ranks_that_method_last_there() {
    let datasets = vec![
        ("flare-F".to_string(), keel("flare-F.dat")),
        ("glass4".to_string(), keel("glass4.csv")),
        ("haberman".to_string(), keel("haberman.csv")),
    ];
    let b = bench(
        &datasets,
        &methods(&["none", "ADASYN", "rus"]),
        &EvaluateOptions::default(),
        &|| {},
    )
    .unwrap();
    assert_eq!(b.evaluations.len(), 3, "no dataset skipped: {:?}", b.skipped);
    let t = b.tests[0].as_ref().unwrap();
    assert_eq!(t.ranks[0][1], 3.0, "ADASYN failed on flare-F: last there");
    assert!(t.ranks[1][1] < 3.0 || t.ranks[2][1] < 3.0, "it ran elsewhere");
}

#[test]
fn a_class_of_one_row_is_not_told_to_use_one_fold() {
    let err = imbalanced_eval::StratifiedKFold::default()
        .split(&[0, 0, 0, 1])
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("at most 1 folds"), "{text}");
    assert!(text.contains("at least 2 rows"), "{text}");
}
