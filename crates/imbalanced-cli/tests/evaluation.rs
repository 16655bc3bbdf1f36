//! `imbalanced evaluate`, `bench` and `metrics` end to end.

mod common;
use common::*;

/// The methods of an `evaluate --json` result, in order.
fn methods(v: &serde_json::Value) -> Vec<&str> {
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect()
}

#[test]
fn evaluate_prints_json_and_writes_a_report() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.html");
    let v = json(&[
        "evaluate",
        data("glass4.csv").to_str().unwrap(),
        "--methods",
        "none,balanced,smote,rus",
        "--json",
        "--report",
        report.to_str().unwrap(),
    ]);
    let results = v["results"].as_array().unwrap();
    let names: Vec<&str> = results.iter().map(|r| r["method"].as_str().unwrap()).collect();
    assert_eq!(names, ["none", "balanced", "SMOTE", "RandomUnderSampler"]);
    for r in results {
        for m in [
            "balanced_accuracy_score",
            "f1_score_macro",
            "geometric_mean_score",
            "matthews_corrcoef",
            "roc_auc_score",
            "average_precision_score",
        ] {
            let folds = r["metrics"][m]["folds"].as_array().unwrap();
            assert_eq!(folds.len(), 5, "{m}");
            let mean = r["metrics"][m]["mean"].as_f64().unwrap();
            let avg = folds.iter().map(|f| f.as_f64().unwrap()).sum::<f64>() / 5.0;
            assert!((mean - avg).abs() < 1e-12);
        }
    }
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("<svg") && html.contains("precision-recall"));
    assert!(
        !html.contains("<script"),
        "the report must be self-contained and static"
    );
}

#[test]
fn bench_ranks_methods_over_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["glass4.csv", "yeast6.csv"] {
        std::fs::copy(data(f), dir.path().join(f)).unwrap();
    }
    // Subfolders count too.
    std::fs::create_dir(dir.path().join("more")).unwrap();
    std::fs::copy(data("haberman.csv"), dir.path().join("more/haberman.csv")).unwrap();
    let report = dir.path().join("bench.html");
    let v = json(&[
        "bench",
        dir.path().to_str().unwrap(),
        "--methods",
        "none,balanced,rus",
        "--json",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(v["datasets"].as_array().unwrap().len(), 3);
    let ranks = v["average_ranks"].as_object().unwrap();
    let total: f64 = ranks.values().map(|r| r.as_f64().unwrap()).sum();
    assert!((total - 6.0).abs() < 1e-12, "ranks of 3 methods sum to 6 on average");
    assert!(v["friedman"]["critical_difference"].as_f64().unwrap() > 0.0);
    assert!(std::fs::read_to_string(&report).unwrap().contains("CD = "));
}

#[test]
fn metrics_reads_probabilities_and_names_its_keys_as_sklearn() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pred.csv");
    std::fs::write(
        &file,
        "y_true,y_pred,proba_a,proba_b,proba_c\na,a,0.7,0.2,0.1\nb,b,0.1,0.8,0.1\nc,b,0.2,0.5,0.3\nc,c,0.1,0.1,0.8\na,b,0.4,0.5,0.1\nb,b,0.3,0.6,0.1\n",
    )
    .unwrap();
    let v = json(&["metrics", file.to_str().unwrap(), "--json"]);
    // scikit-learn: accuracy 4/6; balanced accuracy mean(1/2, 1, 1/2) = 2/3.
    assert!((v["accuracy_score"].as_f64().unwrap() - 4.0 / 6.0).abs() < 1e-12);
    assert!((v["balanced_accuracy_score"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-12);
    for key in [
        "f1_score_macro",
        "roc_auc_score_ovr_macro",
        "log_loss",
        "brier_score_loss",
        "geometric_mean_score",
    ] {
        assert!(v[key].is_number(), "{key} missing");
    }
    // Binary with a score column, and the human-readable table.
    std::fs::write(&file, "y_true,y_pred,score\n0,0,0.2\n1,1,0.9\n1,0,0.4\n0,0,0.1\n").unwrap();
    let o = ok(&["metrics", file.to_str().unwrap()]);
    assert!(stdout(&o).contains("roc_auc_score") && stdout(&o).contains("avg / total"));
}

#[test]
fn bad_input_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pred.csv");
    let cases: &[(&str, &str)] = &[
        (
            "y_true,y_pred,proba_a,proba_b\na,a,0.9,0.1\nz,a,0.5,0.5\n",
            "unknown label \"z\"",
        ),
        ("y_true,y_pred\na,a\nb\n", "line 3 has 1 fields"),
        ("y_true,y_pred,proba_a,proba_b\na,a,0.9,0.3\n", "sum to 1.2"),
        ("y_true,y_pred,score\na,a,0.5\nb,c,0.2\n", "exactly two labels"),
        ("truth,pred\na,a\n", "y_true,y_pred"),
        ("y_true,y_pred,proba_a,proba_b\na,a,nan,0.1\n", "not a finite number"),
    ];
    for (body, message) in cases {
        std::fs::write(&file, body).unwrap();
        let o = run(&["metrics", file.to_str().unwrap()]);
        assert!(!o.status.success(), "{body}");
        assert!(stderr(&o).contains(message), "{body}: {}", stderr(&o));
    }
    // More folds than the smallest class has rows.
    let o = run(&["evaluate", data("glass4.csv").to_str().unwrap(), "--folds", "20"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("has only 13 rows: use at most 13 folds") && stderr(&o).contains("hint: --folds 13"),
        "{}",
        stderr(&o)
    );
    let o = run(&["evaluate", data("glass4.csv").to_str().unwrap(), "--model", "svm"]);
    says(&o, "unknown model \"svm\"");
    let o = run(&[
        "evaluate",
        data("glass4.csv").to_str().unwrap(),
        "--methods",
        "balanced",
        "--model",
        "knn",
    ]);
    says(&o, "has no class_weight");
    let o = run(&["evaluate", data("glass4.csv").to_str().unwrap(), "--methods", "smoot"]);
    assert!(!o.status.success() && stderr(&o).contains("smoot"), "{}", stderr(&o));
    // A failed run writes no report.
    let report = dir.path().join("never.html");
    let o = run(&[
        "evaluate",
        data("glass4.csv").to_str().unwrap(),
        "--folds",
        "20",
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(!o.status.success() && !report.exists());
}

#[test]
fn inspect_focal_reports_the_minimiser() {
    let v = json(&["inspect", data("ecoli.csv").to_str().unwrap(), "--focal", "--json"]);
    let rows = v["focal"].as_array().unwrap();
    assert_eq!(rows.len(), 6);
    // gamma 1 on ecoli's 8-class prior: mu > 1, so some rare classes are over-suppressed.
    assert!(rows[1]["mu"].as_f64().unwrap() > 1.0);
    assert!(!rows[1]["over_suppressed"].as_array().unwrap().is_empty());
    // The advice is a gamma the table would show as safe: no table row
    // without over-suppressed classes has a larger gamma.
    let advice = v["largest_safe_gamma"].as_f64().unwrap();
    for r in rows {
        if r["over_suppressed"].as_array().unwrap().is_empty() {
            assert!(r["gamma"].as_f64().unwrap() <= advice, "{r} is safe, advice {advice}");
        }
    }
    assert!(v["profile"]["classes"].is_array());
}

#[test]
fn train_says_how_training_ended_and_when_the_schedule_took_effect() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let yeast = data("yeast6.csv");
    let base = [
        "train",
        yeast.to_str().unwrap(),
        "--model",
        "mlp",
        "--hidden",
        "8",
        "--epochs",
        "30",
    ];
    let mut args = base.to_vec();
    args.extend([
        "--loss",
        "ldam-drw",
        "--validation",
        "0.2",
        "--param",
        "n_iter_no_change=1",
    ]);
    args.extend(["--out", model.to_str().unwrap()]);
    let e = stderr(&ok(&args));
    assert!(e.contains("took full effect at epoch 25"), "{e}");
    assert!(
        e.contains("trained all 30 epochs") || e.contains("stopped early after epoch"),
        "{e}"
    );
    let mut args = base.to_vec();
    args.extend([
        "--validation",
        "0.2",
        "--param",
        "n_iter_no_change=1",
        "--out",
        model.to_str().unwrap(),
    ]);
    let e = stderr(&ok(&args));
    assert!(e.contains("stopped early after epoch") && e.contains("are kept"), "{e}");
    assert!(!e.contains("schedule"), "{e}");
}

#[test]
fn train_predict_and_compare_losses() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let preds = dir.path().join("p.csv");
    let o = ok(&[
        "train",
        data("glass4.csv").to_str().unwrap(),
        "--model",
        "mlp",
        "--loss",
        "focal",
        "--loss-param",
        "gamma=1",
        "--hidden",
        "16",
        "--epochs",
        "20",
        "--validation",
        "0.1",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(
        stderr(&o).contains("validation balanced accuracy"),
        "per-epoch lines: {}",
        stderr(&o)
    );
    ok(&[
        "predict",
        model.to_str().unwrap(),
        data("glass4.csv").to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    let csv = std::fs::read_to_string(&preds).unwrap();
    assert!(csv.starts_with("y_true,y_pred,proba_"));
    assert_eq!(csv.lines().count(), 215);
    ok(&["metrics", preds.to_str().unwrap(), "--json"]);
    // Unlabelled data (no target column): predictions without y_true.
    let unlabelled = dir.path().join("u.csv");
    let body: String = std::fs::read_to_string(data("glass4.csv"))
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    std::fs::write(&unlabelled, body).unwrap();
    ok(&[
        "predict",
        model.to_str().unwrap(),
        unlabelled.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&preds).unwrap().starts_with("y_pred,proba_"));
    let v = json(&[
        "evaluate",
        data("glass4.csv").to_str().unwrap(),
        "--model",
        "logreg",
        "--losses",
        "ce,focal:gamma=1,la,ldam-drw",
        "--json",
    ]);
    let names = methods(&v);
    assert_eq!(names, ["ce", "focal", "logit-adjusted", "ldam-drw"]);
    for (args, message) in [
        (vec!["--loss", "nope"], "unknown loss"),
        (vec!["--loss", "focal", "--loss-param", "gamma=-2"], "gamma"),
        (vec!["--loss", "focal", "--loss-param", "beta=0.5"], "no parameter"),
        (
            vec!["--param", "gamma=1"],
            "LogisticRegression has no parameter \"gamma\"",
        ),
        (vec!["--model", "forest", "--epochs", "3"], "no parameter \"max_iter\""),
    ] {
        let input = data("glass4.csv");
        let mut all = vec!["train", input.to_str().unwrap(), "--out", model.to_str().unwrap()];
        all.extend(args);
        let o = run(&all);
        assert!(!o.status.success() && stderr(&o).contains(message), "{}", stderr(&o));
    }
    let o = run(&[
        "evaluate",
        data("glass4.csv").to_str().unwrap(),
        "--model",
        "knn",
        "--losses",
        "focal",
    ]);
    says(&o, "not trained by a loss");
}

#[test]
fn train_calibrates_and_tunes_thresholds_on_held_out_rows() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.json");
    let preds = dir.path().join("p.csv");
    let input = data("yeast6.csv");
    let o = ok(&[
        "train",
        input.to_str().unwrap(),
        "--model",
        "logreg",
        "--calibrate",
        "isotonic",
        "--threshold",
        "recall=0.9",
        "--out",
        model.to_str().unwrap(),
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("ECE") && out.contains("MCE") && out.contains("thresholds (recall=0.9)"),
        "{out}"
    );
    let saved: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    assert_eq!(saved["post"]["calibration"]["method"], "one_vs_rest");
    assert_eq!(saved["post"]["thresholds"].as_array().unwrap().len(), 2);
    ok(&[
        "predict",
        model.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap(),
    ]);
    let recall = |preds: &std::path::Path| {
        let o = run(&["metrics", preds.to_str().unwrap(), "--json"]);
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["recall_score"].as_f64().unwrap()
    };
    let tuned = recall(&preds);
    // The same model without tuned thresholds finds far fewer of the rare class.
    let plain = dir.path().join("plain.json");
    assert!(run(&[
        "train",
        input.to_str().unwrap(),
        "--model",
        "logreg",
        "--out",
        plain.to_str().unwrap()
    ])
    .status
    .success());
    assert!(run(&[
        "predict",
        plain.to_str().unwrap(),
        input.to_str().unwrap(),
        "--out",
        preds.to_str().unwrap()
    ])
    .status
    .success());
    assert!(
        tuned > recall(&preds) + 0.2,
        "tuned recall {tuned} vs {}",
        recall(&preds)
    );
    for bad in [["--calibrate", "magic"], ["--threshold", "precision=x"]] {
        let o = run(&[
            "train",
            input.to_str().unwrap(),
            bad[0],
            bad[1],
            "--out",
            model.to_str().unwrap(),
        ]);
        assert!(!o.status.success() && stderr(&o).contains(bad[0]), "{}", stderr(&o));
    }
}

#[test]
fn train_multi_label_and_semi_supervised_models() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    // Two label columns among the features: l1 = f1 > 0, l2 = f2 > 0.5 (rarer).
    let mut body = String::from("f1,l1,f2,l2\n");
    let mut features_only = String::from("f1,f2\n");
    for i in 0..400 {
        let (a, b) = ((i as f64 * 1.3).sin(), (i as f64 * 0.7).cos());
        body += &format!("{a},{},{b},{}\n", u8::from(a > 0.0), u8::from(b > 0.5));
        features_only += &format!("{a},{b}\n");
    }
    std::fs::write(p("ml.csv"), &body).unwrap();
    std::fs::write(p("ml_x.csv"), &features_only).unwrap();
    let train = |extra: &[&str]| {
        let mut args = vec![
            "train",
            "--hidden",
            "16",
            "--epochs",
            "80",
            "--lr",
            "0.01",
            "--batch-size",
            "32",
        ];
        args.extend(extra);
        run(&args)
    };
    let ml = p("ml.csv");
    let model = p("ml.json");
    for (loss, params) in [
        ("bce", vec![]),
        ("asl", vec![]),
        ("ldam-drw", vec!["--loss-param", "s=5"]),
    ] {
        let mut args = vec![
            ml.as_str(),
            "--labels",
            "l1,l2",
            "--loss",
            loss,
            "--out",
            model.as_str(),
        ];
        args.extend(params);
        let o = train(&args);
        assert!(o.status.success(), "{loss}: {}", stderr(&o));
        ok(&["predict", &model, &ml, "--out", &p("ml_pred.csv")]);
        let out = std::fs::read_to_string(p("ml_pred.csv")).unwrap();
        let mut lines = out.lines();
        assert_eq!(
            lines.next().unwrap(),
            "true_l1,true_l2,pred_l1,pred_l2,proba_l1,proba_l2"
        );
        let (mut right, mut all) = (0, 0);
        for line in lines {
            let v: Vec<&str> = line.split(',').collect();
            right += usize::from(v[0] == v[2]) + usize::from(v[1] == v[3]);
            all += 2;
        }
        assert_eq!(all, 800);
        assert!(right as f64 / all as f64 > 0.9, "{loss}: {right}/{all}");
    }
    ok(&["predict", &model, &p("ml_x.csv"), "--out", &p("ml_pred.csv")]);
    assert!(std::fs::read_to_string(p("ml_pred.csv"))
        .unwrap()
        .starts_with("pred_l1,pred_l2,proba_l1,proba_l2\n"));
    std::fs::write(p("bad.csv"), body.clone() + "0.5,2,0.1,0\n").unwrap();
    for (args, message) in [
        (vec![ml.as_str(), "--labels", "l1,nope"], "nope"),
        (
            vec![ml.as_str(), "--labels", "l1", "--loss", "seesaw"],
            "multi-label loss",
        ),
        (
            vec![ml.as_str(), "--labels", "l1", "--sampler", "smote"],
            "cannot be used with",
        ),
        (vec![ml.as_str(), "--labels", "l1", "--model", "logreg"], "--model mlp"),
        (vec![p("bad.csv").leak(), "--labels", "l1,l2"], "hold 0 or 1"),
    ] {
        let mut all = args.clone();
        all.extend(["--out", p("never.json").leak()]);
        let o = train(&all);
        assert!(
            !o.status.success() && stderr(&o).contains(message),
            "{args:?}: {}",
            stderr(&o)
        );
        assert!(!dir.path().join("never.json").exists());
    }
    // Semi-supervised: labelled glass4 plus its rows without labels.
    let glass = data("glass4.csv");
    let unlabelled = p("glass_x.csv");
    let rows: String = std::fs::read_to_string(&glass)
        .unwrap()
        .lines()
        .map(|l| l.rsplit_once(',').unwrap().0.to_string() + "\n")
        .collect();
    std::fs::write(&unlabelled, rows).unwrap();
    let glass = glass.to_str().unwrap();
    let o = train(&[
        glass,
        "--unlabelled",
        &unlabelled,
        "--stochastic-proportions",
        "--out",
        &model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("214 unlabelled rows"), "{}", stdout(&o));
    ok(&["predict", &model, glass, "--out", &p("g.csv")]);
    // With the hidden space's class alignment (our formulation of SCDL).
    let o = train(&[
        glass,
        "--unlabelled",
        &unlabelled,
        "--align",
        "0.1",
        "--align-temperatures",
        "0.5,0.3",
        "--out",
        &model,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (args, message) in [
        (
            vec!["--proportions", "0.5,0.3,0.2"],
            "3 unlabelled class proportions for 2 classes",
        ),
        (vec!["--proportions", "0.5,0.6"], "sum to 1"),
        (vec!["--model", "logreg"], "MLP only"),
        (
            vec!["--align", "0.1", "--align-temperatures", "0,0.5"],
            "alignment temperature 0",
        ),
    ] {
        let mut all = vec![glass, "--unlabelled", unlabelled.as_str(), "--out", model.as_str()];
        all.extend(args);
        let o = train(&all);
        assert!(
            !o.status.success() && stderr(&o).contains(message),
            "{message}: {}",
            stderr(&o)
        );
    }
}

#[test]
fn a_method_that_fails_on_the_data_is_reported_and_the_others_run() {
    let flare = data("flare-F.dat");
    let v = json(&[
        "evaluate",
        flare.to_str().unwrap(),
        "--methods",
        "none,adasyn,smote",
        "--json",
    ]);
    let ran = methods(&v);
    assert_eq!(ran, ["none", "SMOTE"]);
    assert_eq!(v["failed"][0]["method"], "ADASYN");
    assert!(v["notes"][0].as_str().unwrap().contains("SMOTEN"));
    let o = ok(&["evaluate", flare.to_str().unwrap(), "--methods", "none,adasyn"]);
    assert!(
        stdout(&o).contains("failed: ADASYN: ADASYN needs numeric features"),
        "{}",
        stdout(&o)
    );
    // Only failing methods: the command fails with the reason.
    let o = run(&["evaluate", flare.to_str().unwrap(), "--methods", "adasyn"]);
    assert!(!o.status.success() && stderr(&o).contains("ADASYN needs numeric features"));
}

#[test]
fn bench_shows_a_failed_method_in_its_own_column() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["flare-F.dat", "glass4.csv"] {
        std::fs::copy(data(f), dir.path().join(f)).unwrap();
    }
    let o = ok(&["bench", dir.path().to_str().unwrap(), "--methods", "none,adasyn,rus"]);
    let out = stdout(&o);
    let flare = out.lines().find(|l| l.contains("flare-F")).unwrap();
    let cells: Vec<&str> = flare.split('┆').map(str::trim).collect();
    // dataset, none, ADASYN, RandomUnderSampler: ADASYN failed and ranks last.
    assert_eq!(cells.len(), 4, "{flare}");
    assert!(cells[2].starts_with("failed (3)"), "{flare}");
    assert!(!cells[3].starts_with("failed"), "{flare}");
}
