//! `imbalanced explain` and `imbalanced stability` end to end: attributions that add up to the model's
//! output, from a model fitted on the spot or written by `train`, CSV and
//! JSON, and bad input.

mod common;

use common::*;

/// Asserts that each row's outputs (base value plus attributions) are `want`'s row.
fn adds_up(report: &serde_json::Value, want: &[Vec<f64>]) {
    for (got, want) in sums(report).iter().zip(want) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 1e-9, "{got:?} vs {want:?}");
        }
    }
}

/// Base value plus attributions, per row and output, from the JSON.
fn sums(report: &serde_json::Value) -> Vec<Vec<f64>> {
    let base: Vec<f64> = serde_json::from_value(report["base_values"].clone()).unwrap();
    let values: Vec<Vec<Vec<f64>>> = serde_json::from_value(report["attributions"].clone()).unwrap();
    let rows = values[0].len();
    (0..rows)
        .map(|i| {
            (0..base.len())
                .map(|c| base[c] + values[c][i].iter().sum::<f64>())
                .collect()
        })
        .collect()
}

#[test]
fn forest_attributions_add_up_to_the_probabilities_predict_writes() {
    let file = data("ecoli.csv");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.json");
    ok(&[
        "train",
        file.to_str().unwrap(),
        "--model",
        "forest",
        "--param",
        "n_estimators=15",
        "--out",
        model.to_str().unwrap(),
    ]);
    let predictions = dir.path().join("pred.csv");
    ok(&[
        "predict",
        model.to_str().unwrap(),
        file.to_str().unwrap(),
        "--out",
        predictions.to_str().unwrap(),
    ]);
    let report = json(&[
        "explain",
        file.to_str().unwrap(),
        "--model-file",
        model.to_str().unwrap(),
        "--rows",
        "0:12",
        "--json",
    ]);
    assert_eq!(report["classes"].as_array().unwrap().len(), 8);
    assert_eq!(report["features"].as_array().unwrap().len(), 7);
    let text = std::fs::read_to_string(&predictions).unwrap();
    let proba: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .take(12)
        .map(|l| l.split(',').skip(2).map(|v| v.parse().unwrap()).collect())
        .collect();
    adds_up(&report, &proba);
    // The same model fitted on the spot gives the same attributions.
    let fresh = json(&[
        "explain",
        file.to_str().unwrap(),
        "--model",
        "forest",
        "--param",
        "n_estimators=15",
        "--rows",
        "0:12",
        "--json",
    ]);
    assert_eq!(fresh["attributions"], report["attributions"]);
    // Interventional TreeSHAP adds up to the same probabilities.
    let inter = json(&[
        "explain",
        file.to_str().unwrap(),
        "--model-file",
        model.to_str().unwrap(),
        "--rows",
        "0:12",
        "--interventional",
        "--json",
    ]);
    assert_ne!(inter["attributions"], report["attributions"]);
    adds_up(&inter, &proba);
}

#[test]
fn csv_has_a_line_per_row_and_output_and_a_two_class_logit() {
    let file = data("yeast6.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("attr.csv");
    let text = stdout(&ok(&[
        "explain",
        file.to_str().unwrap(),
        "--model",
        "logreg",
        "--rows",
        "3,17,42",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(
        text.contains("logit of") && text.contains("attributions written"),
        "{text}"
    );
    // The summary table: every feature of yeast6 (8 < 20) with its mean |value|.
    assert!(text.contains("mean |value|: logit of"), "{text}");
    assert!((0..8).all(|j| text.contains(&format!("f{j} "))), "{text}");
    let csv = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 1 + 3, "a header and one line per row (one logit)");
    assert!(lines[0].starts_with("row,output,base_value,") && lines[0].ends_with(",output_value"));
    for line in &lines[1..] {
        let v: Vec<f64> = line.split(',').skip(2).map(|x| x.parse().unwrap()).collect();
        let total: f64 = v[..v.len() - 1].iter().sum();
        assert!((total - v[v.len() - 1]).abs() < 1e-9, "{line}");
    }
    assert!(lines[1].starts_with("3,") && lines[3].starts_with("42,"));
}

#[test]
fn permutation_importance_scores_every_column_with_its_seed() {
    let file = data("ecoli.csv");
    let args = [
        "explain",
        file.to_str().unwrap(),
        "--model",
        "tree",
        "--explainer",
        "permutation",
        "--n-repeats",
        "4",
        "--seed",
        "9",
        "--json",
    ];
    let report = json(&args);
    let importances: Vec<Vec<f64>> = serde_json::from_value(report["importances"].clone()).unwrap();
    assert_eq!(importances.len(), 7);
    assert!(importances.iter().all(|r| r.len() == 4));
    assert_eq!(report["scoring"], "balanced_accuracy");
    let mean: Vec<f64> = serde_json::from_value(report["importances_mean"].clone()).unwrap();
    for (m, r) in mean.iter().zip(&importances) {
        assert!((m - r.iter().sum::<f64>() / 4.0).abs() < 1e-12);
    }
    assert_eq!(json(&args), report, "seeded");
    let table = stdout(&ok(&args[..args.len() - 1]));
    assert!(table.contains("mean drop"), "{table}");
}

#[test]
fn kernel_shap_explains_any_model_on_its_probabilities() {
    let file = data("yeast6.csv");
    let report = json(&[
        "explain",
        file.to_str().unwrap(),
        "--model",
        "knn",
        "--explainer",
        "kernel",
        "--rows",
        "0:4",
        "--json",
    ]);
    let classes: Vec<String> = serde_json::from_value(report["classes"].clone()).unwrap();
    assert_eq!(classes, ["probability of 0", "probability of 1"]);
    // Each row's outputs are its class probabilities: they sum to 1.
    for row in sums(&report) {
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{row:?}");
        assert!(row.iter().all(|p| (-1e-9..=1.0 + 1e-9).contains(p)));
    }
}

#[test]
fn bad_requests_fail_cleanly_and_write_nothing() {
    let file = data("ecoli.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("attr.csv");
    for (extra, message) in [
        (vec!["--model", "knn"], "has no exact attributions"),
        (vec!["--model", "mlp"], "has no exact attributions"),
        (vec!["--rows", "5:2"], "the end must come after the start"),
        (vec!["--rows", "a,b"], "give a range like 0:100"),
        (vec!["--rows", "0,999"], "row 999 of a file of 336 rows"),
        (vec!["--model", "forrest"], "forest"),
        (vec!["--model-file", "missing.json"], "missing.json"),
        (
            vec!["--explainer", "permutation", "--scoring", "roc_auc"],
            "unknown scoring",
        ),
        (
            vec!["--explainer", "permutation", "--n-repeats", "0"],
            "n_repeats must be at least 1",
        ),
        (
            vec!["--explainer", "permutation", "--max-samples", "2.5"],
            "a share in (0, 1]",
        ),
        (
            vec!["--explainer", "lime"],
            "possible values: shap, kernel, permutation",
        ),
    ] {
        let mut args = vec!["explain", file.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(&extra);
        refused(&run(&args), &args, message);
        assert!(!out.exists(), "{extra:?} wrote a file");
    }
}

#[test]
fn stability_compares_methods_per_class_and_noise() {
    let file = data("yeast6.csv");
    let args = [
        "stability",
        file.to_str().unwrap(),
        "--model",
        "tree",
        "--param",
        "max_depth=4",
        "--methods",
        "none,RandomOverSampler",
        "--noise",
        "0,0.3",
        "--perturbations",
        "4",
        "--rows",
        "0:40",
        "--json",
    ];
    let report = json(&args);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 4, "two methods x two noise levels");
    for r in results {
        let index = r["overall"]["index"].as_f64().unwrap();
        if r["noise"] == 0.0 {
            assert_eq!(index, 1.0, "{r}");
        } else {
            assert!(index <= 1.0 && r["overall"]["index_low"].as_f64().unwrap() <= index);
        }
        assert_eq!(r["per_class"].as_array().unwrap().len(), 2);
        let features = report["features"].as_array().unwrap().len();
        assert_eq!(r["mean_abs"].as_array().unwrap().len(), features);
        let shift = r["rank_shift"].as_array().unwrap();
        assert_eq!(shift.len(), features);
        if r["noise"] == 0.0 {
            assert!(shift.iter().all(|v| v == 0.0), "no noise, no movement: {r}");
        }
    }
    assert_eq!(report["features"][0], "f0");
    assert_eq!(json(&args), report, "seeded");
    let dir = tempfile::tempdir().unwrap();
    let html = dir.path().join("stability.html");
    let mut table_args = args[..args.len() - 1].to_vec();
    table_args.extend(["--report", html.to_str().unwrap()]);
    let text = stdout(&ok(&table_args));
    assert!(
        text.contains("index [95% CI]") && text.contains("RandomOverSampler"),
        "{text}"
    );
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Stability index against noise") && page.contains("Index per class at noise 0.3"));
    assert!(page.contains("RandomOverSampler: mean |attribution|") && page.contains("How far each place moves"));
    assert_eq!(
        page.matches("<svg").count(),
        6,
        "the curve, one bar chart per noise level, an attribution summary per method, the movement"
    );
    for (extra, message) in [
        (vec!["--noise=-1"], "give levels >= 0"),
        (vec!["--perturbations", "0"], "perturbations must be at least 1"),
        (vec!["--flip", "1.5"], "probability in [0, 1]"),
        (vec!["--methods", "SMOOTE"], "SMOTE"),
        (vec!["--model", "knn"], "has no exact attributions"),
    ] {
        let mut bad = vec!["stability", file.to_str().unwrap(), "--rows", "0:5"];
        bad.extend(&extra);
        refused(&run(&bad), &bad, message);
    }
}

#[test]
fn stability_flips_categorical_values() {
    // flare-F's columns are categorical: without --flip nothing but their
    // levels can move, and at noise 0 the default flip (the noise level) is 0.
    let file = data("flare-F.dat");
    let index = |flip: Option<&str>| {
        let mut args = vec![
            "stability",
            file.to_str().unwrap(),
            "--model",
            "tree",
            "--methods",
            "none",
            "--noise",
            "0",
            "--perturbations",
            "3",
            "--rows",
            "0:30",
            "--json",
        ];
        if let Some(p) = flip {
            args.extend(["--flip", p]);
        }
        let report = json(&args);
        assert!(
            report["features"][0].as_str().unwrap().contains('='),
            "one-hot inputs: {report}"
        );
        report["results"][0]["overall"]["index"].as_f64().unwrap()
    };
    assert_eq!(index(None), 1.0);
    assert_eq!(index(Some("0")), 1.0);
    assert!(index(Some("1")) < 1.0, "every copy moved a level");
}
