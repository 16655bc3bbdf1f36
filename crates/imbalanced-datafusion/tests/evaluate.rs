//! `Engine::evaluate_file`: cross-validation on the engine's folds, the same
//! scores on any partitioning, equal to the same pipeline fitted in memory
//! on the same folds, and its refusals.

use std::path::Path;

use datafusion::arrow::array::AsArray;
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use imbalanced_datafusion::{Engine, EngineOptions, EvaluateJob};
use imbalanced_eval::{fold_scores, EvaluateOptions, Method, Pipeline};
use imbalanced_resample::RngKind;

/// 600 rows, two overlapping classes (500 "a", 100 "b") and two features.
fn csv(dir: &Path) -> String {
    let mut s = String::from("x0,x1,label\n");
    let mut state = 99u64;
    let mut next = || {
        state = imbalanced_datafusion::splitmix64(state);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..600 {
        let (shift, label) = if i % 6 == 0 { (0.6, "b") } else { (0.0, "a") };
        s.push_str(&format!("{},{},{label}\n", next() + shift, next() + shift));
    }
    let path = dir.join("d.csv");
    std::fs::write(&path, s).unwrap();
    path.to_string_lossy().into_owned()
}

fn engine(partitions: usize) -> Engine {
    Engine::new(&EngineOptions {
        partitions,
        ..Default::default()
    })
    .unwrap()
}

fn methods(names: &[&str]) -> Vec<(Method, serde_json::Value)> {
    let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
    Method::list_configured(Some(&names), &[], 3, RngKind::Default).unwrap()
}

#[test]
fn the_scores_are_the_same_on_any_partitioning() {
    let dir = tempfile::tempdir().unwrap();
    let input = csv(dir.path());
    let methods = methods(&["none", "balanced", "rus", "SMOTE:k_neighbors=3", "ros"]);
    let opts = EvaluateOptions {
        n_splits: 3,
        seed: 3,
        ..Default::default()
    };
    let run = |partitions| {
        let job = EvaluateJob {
            input: &input,
            target: Some("label"),
            name: "d",
            methods: &methods,
            opts: &opts,
        };
        engine(partitions).evaluate_file(&job, &|| {}).unwrap()
    };
    let (a, b) = (run(1), run(4));
    assert_eq!(a.results.len(), 5);
    assert!(a.failed.is_empty(), "{:?}", a.failed);
    for (x, y) in a.results.iter().zip(&b.results) {
        assert_eq!(x.method, y.method);
        assert_eq!(x.folds, y.folds, "{}", x.method);
        assert_eq!(x.confusion, y.confusion, "{}", x.method);
        // Every test row scored once.
        assert_eq!(x.confusion.sum(), 600);
        assert_eq!(x.folds.len(), 3);
    }
    assert_eq!(a.class_counts, [500, 100]);
    // Re-balancing helps the minority: balanced accuracy rises over `none`.
    let ba = |m: usize| a.results[m].mean_std(0).0;
    assert!(ba(1) > ba(0) && ba(2) > ba(0), "{} {} {}", ba(0), ba(1), ba(2));
}

#[test]
fn none_equals_the_pipeline_fitted_in_memory_on_the_same_folds() {
    let dir = tempfile::tempdir().unwrap();
    let input = csv(dir.path());
    let e = engine(2);
    let t = e.read(&input, Some("label")).unwrap();
    // The engine's folds, as rows (sorted by class, then draw).
    let batches = e.collect(e.stratified_folds(&t, 3, 5).unwrap()).unwrap();
    let mut rows: Vec<(f64, f64, usize, u32)> = Vec::new();
    for b in &batches {
        let f = |j: usize| cast(b.column(j), &DataType::Float64).unwrap();
        let (x0, x1) = (f(0), f(1));
        let label = b.column(2).as_string::<i32>();
        let fold = cast(b.column(3), &DataType::UInt32).unwrap();
        for i in 0..b.num_rows() {
            rows.push((
                x0.as_primitive::<Float64Type>().value(i),
                x1.as_primitive::<Float64Type>().value(i),
                usize::from(label.value(i) == "b"),
                fold.as_primitive::<datafusion::arrow::datatypes::UInt32Type>().value(i),
            ));
        }
    }
    let opts = EvaluateOptions {
        n_splits: 3,
        seed: 5,
        ..Default::default()
    };
    let methods = methods(&["none"]);
    let job = EvaluateJob {
        input: &input,
        target: Some("label"),
        name: "d",
        methods: &methods,
        opts: &opts,
    };
    let got = e.evaluate_file(&job, &|| {}).unwrap();
    let dataset = |rows: &[&(f64, f64, usize, u32)]| {
        let mut text = String::from("x0,x1,label\n");
        for r in rows {
            text.push_str(&format!("{},{},{}\n", r.0, r.1, ["a", "b"][r.2]));
        }
        let path = dir.path().join("fold.csv");
        std::fs::write(&path, text).unwrap();
        imbalanced_data::read(&path, &imbalanced_data::ReadOptions::default()).unwrap()
    };
    for f in 0..3u32 {
        let train: Vec<_> = rows.iter().filter(|r| r.3 != f).collect();
        let test: Vec<_> = rows.iter().filter(|r| r.3 == f).collect();
        let fitted = Pipeline::new(opts.model.clone()).fit(&dataset(&train)).unwrap();
        let test = dataset(&test);
        let proba = fitted.predict_proba(&test).unwrap();
        let (want, _) = fold_scores(test.y(), &proba).unwrap();
        for (g, w) in got.results[0].folds[f as usize].iter().zip(&want) {
            assert!((g - w).abs() < 1e-9, "fold {f}: {g} vs {w}");
        }
    }
}

#[test]
fn what_cannot_run_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = csv(dir.path());
    let e = engine(2);
    let job = |methods: &[(Method, serde_json::Value)], opts: &EvaluateOptions| {
        let job = EvaluateJob {
            input: &input,
            target: Some("label"),
            name: "d",
            methods,
            opts,
        };
        e.evaluate_file(&job, &|| {}).map(|_| ()).unwrap_err().to_string()
    };
    let opts = EvaluateOptions::default();
    let repeated = EvaluateOptions {
        n_repeats: 2,
        ..Default::default()
    };
    assert!(job(&methods(&["none"]), &repeated).contains("one repeat"));
    let many = EvaluateOptions {
        n_splits: 200,
        ..Default::default()
    };
    assert!(job(&methods(&["none"]), &many).contains("--folds 100 or fewer"));
    // A sampler the engine does not run fails alone, named; when every method fails, that is the error.
    let only_svm = job(&methods(&["SVMSMOTE"]), &opts);
    assert!(only_svm.contains("SVMSMOTE"), "{only_svm}");
    let job = EvaluateJob {
        input: &input,
        target: Some("label"),
        name: "d",
        methods: &methods(&["none", "SVMSMOTE"]),
        opts: &opts,
    };
    let partly = e.evaluate_file(&job, &|| {}).unwrap();
    assert_eq!(partly.results.len(), 1);
    assert_eq!(partly.failed[0].method, "SVMSMOTE");
    assert!(partly.failed[0].reason.contains("does not run on DataFusion"));
}
