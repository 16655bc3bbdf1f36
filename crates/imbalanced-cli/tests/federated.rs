//! `imbalanced partition`, `federate` and `active` end to end: the rows
//! flwr-datasets 0.6.1 gives for the same file and seed, the client files
//! and manifest, the simulation's report, and bad input.

mod common;

use common::*;

/// flwr-datasets' partitions of data/keel/ecoli.csv for one fixture case of
/// crates/imbalanced-federated (its labels are that file's).
fn flwr_case(partitioner: &str, params: serde_json::Value) -> Vec<Vec<u64>> {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../imbalanced-federated/tests/fixtures/flwr_partitions.json"),
    )
    .unwrap();
    let fixture: serde_json::Value = serde_json::from_str(&text).unwrap();
    let case = fixture["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["partitioner"] == partitioner && c["data"] == "ecoli" && c["params"] == params)
        .unwrap_or_else(|| panic!("no fixture for {partitioner} {params}"));
    serde_json::from_value(case["partitions"].clone()).unwrap()
}

#[test]
fn json_gives_flwr_datasets_rows_for_the_file() {
    let file = data("ecoli.csv");
    let got = json(&[
        "partition",
        file.to_str().unwrap(),
        "--partitioner",
        "dirichlet",
        "-n",
        "5",
        "--param",
        "alpha=0.5",
        "--param",
        "self_balancing=true",
        "--seed",
        "7",
        "--json",
    ]);
    let want = flwr_case(
        "DirichletPartitioner",
        serde_json::json!({"num_partitions": 5, "alpha": 0.5, "seed": 7, "self_balancing": true}),
    );
    assert_eq!(got["partitions"], serde_json::json!(want));
    let got = json(&[
        "partition",
        file.to_str().unwrap(),
        "--partitioner",
        "PathologicalPartitioner",
        "--num-partitions",
        "6",
        "-p",
        "class_assignment_mode=first-deterministic",
        "--json",
    ]);
    let want = flwr_case(
        "PathologicalPartitioner",
        serde_json::json!({"num_partitions": 6, "num_classes_per_partition": 2, "class_assignment_mode": "first-deterministic"}),
    );
    assert_eq!(got["partitions"], serde_json::json!(want));
}

#[test]
fn out_writes_client_files_a_manifest_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let clients = dir.path().join("clients");
    let plot = dir.path().join("clients.svg");
    let o = ok(&[
        "partition",
        data("ecoli.csv").to_str().unwrap(),
        "--partitioner",
        "iid",
        "-n",
        "3",
        "--out",
        clients.to_str().unwrap(),
        "--format",
        "csv.gz",
        "--plot",
        plot.to_str().unwrap(),
    ]);
    let table = stdout(&o);
    assert!(table.contains("IidPartitioner over 3 clients"), "{table}");
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(clients.join("manifest.json")).unwrap()).unwrap();
    let rows: Vec<u64> = manifest["clients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rows"].as_u64().unwrap())
        .collect();
    assert_eq!(rows, vec![112, 112, 112]);
    assert_eq!(manifest["params"]["num_partitions"], 3);
    assert!(clients.join("client_2.csv.gz").exists());
    assert!(std::fs::read_to_string(&plot).unwrap().contains("client 2 (112 rows)"));
}

#[test]
fn bad_partitions_fail_cleanly_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clients");
    let file = data("ecoli.csv");
    for (extra, message) in [
        (
            vec!["--partitioner", "dirichlet", "-n", "400"],
            "must not exceed the number of rows",
        ),
        (
            vec!["--partitioner", "dirichlet", "-n", "3", "-p", "alpha=0"],
            "greater than zero",
        ),
        (
            vec!["--partitioner", "dirichlet", "-n", "30", "-p", "alpha=0.05"],
            "min_partition_size",
        ),
        (
            vec!["--partitioner", "dirichlett"],
            "did you mean \"DirichletPartitioner\"",
        ),
        (
            vec!["--partitioner", "size", "-n", "3"],
            "has no parameter \"num_partitions\"",
        ),
        (vec!["--partitioner", "natural-id"], "needs partition_by"),
        (
            vec!["--partitioner", "natural-id", "-p", "partition_by=hospital"],
            "hospital",
        ),
        (
            vec![
                "--partitioner",
                "pathological",
                "-n",
                "10",
                "-p",
                "num_classes_per_partition=3",
            ],
            "class 2",
        ),
    ] {
        let mut args = vec!["partition", file.to_str().unwrap(), "--out", out.to_str().unwrap()];
        args.extend(&extra);
        refused(&run(&args), &args, message);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{extra:?} left output behind"
        );
    }
    // An existing folder with files in it is not written into.
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("keep.txt"), "mine").unwrap();
    let o = run(&[
        "partition",
        file.to_str().unwrap(),
        "--partitioner",
        "iid",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(stderr(&o).contains("not empty"), "{}", stderr(&o));
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn federate_reports_every_round_with_fairness_and_the_centralised_baseline() {
    let file = data("ecoli.csv");
    let report = json(&[
        "federate",
        file.to_str().unwrap(),
        "--partitioner",
        "dirichlet",
        "-n",
        "4",
        "--partition-param",
        "alpha=0.5",
        "--partition-param",
        "min_partition_size=5",
        "--rounds",
        "5",
        "--strategy",
        "fedprox",
        "--param",
        "proximal_mu=0.01",
        "--loss",
        "logit-adjusted",
        "--json",
    ]);
    let rounds = report["rounds"].as_array().unwrap();
    assert_eq!(rounds.len(), 5);
    assert_eq!(rounds[4]["recall"].as_array().unwrap().len(), 8);
    assert!(rounds[4]["balanced_accuracy"].as_f64().unwrap() > 0.3);
    assert!(rounds[4]["fairness"]["worst"].as_f64().unwrap() <= rounds[4]["fairness"]["mean"].as_f64().unwrap());
    assert!(report["centralised_balanced_accuracy"].as_f64().is_some());
    assert_eq!(report["client_rows"].as_array().unwrap().len(), 4);
    // The same seed, the same report (the time aside).
    let again = json(&[
        "federate",
        file.to_str().unwrap(),
        "-n",
        "4",
        "--partition-param",
        "alpha=0.5",
        "--partition-param",
        "min_partition_size=5",
        "--rounds",
        "5",
        "--strategy",
        "fedprox",
        "--param",
        "proximal_mu=0.01",
        "--loss",
        "logit-adjusted",
        "--json",
    ]);
    assert_eq!(again["rounds"], report["rounds"]);
    let table = stdout(&ok(&[
        "federate",
        file.to_str().unwrap(),
        "--partitioner",
        "iid",
        "-n",
        "3",
        "--rounds",
        "2",
    ]));
    assert!(table.contains("centralised training"), "{table}");
}

#[test]
fn federate_trains_an_mlp_with_confidence_aware_prototypes() {
    let file = data("ecoli.csv");
    let args = [
        "federate",
        file.to_str().unwrap(),
        "-n",
        "3",
        "--partition-param",
        "alpha=1",
        "--partition-param",
        "min_partition_size=5",
        "--model",
        "mlp",
        "--hidden",
        "12",
        "--prototypes",
        "--prototype-param",
        "confidence=false",
        "--rounds",
        "4",
        "--json",
    ];
    let report = json(&args);
    let rounds = report["rounds"].as_array().unwrap();
    assert!(rounds
        .iter()
        .all(|r| r["prototype_balanced_accuracy"].as_f64().is_some()));
    assert_eq!(json(&args)["rounds"], report["rounds"], "seeded");
    let table = stdout(&ok(&args[..args.len() - 1]));
    assert!(table.contains("nearest-prototype bal. acc."), "{table}");
}

#[test]
fn federate_and_active_write_html_reports() {
    let file = data("ecoli.csv");
    let dir = tempfile::tempdir().unwrap();
    let fed = dir.path().join("federate.html");
    let out = stdout(&ok(&[
        "federate",
        file.to_str().unwrap(),
        "-n",
        "3",
        "--partition-param",
        "alpha=1",
        "--partition-param",
        "min_partition_size=5",
        "--rounds",
        "4",
        "--prototypes",
        "--report",
        fed.to_str().unwrap(),
    ]));
    assert!(out.contains("report written to"), "{out}");
    let html = std::fs::read_to_string(&fed).unwrap();
    for part in [
        "Test scores per round",
        "Recall per class",
        "Client fairness",
        "Training rows per client and class",
        "nearest prototype",
        "centralised (bal. acc.)",
    ] {
        assert!(html.contains(part), "{part} missing");
    }
    assert_eq!(html.matches("<svg").count(), 4);
    assert_eq!(html.matches("<tr>").count(), 1 + 4, "a header and a row per round");
    let act = dir.path().join("active.html");
    ok(&[
        "active",
        file.to_str().unwrap(),
        "--strategy",
        "random,badge",
        "--end-ratio",
        "0.2",
        "--report",
        act.to_str().unwrap(),
    ]);
    let html = std::fs::read_to_string(&act).unwrap();
    assert_eq!(html.matches("<svg").count(), 3);
    assert!(html.contains("Recall of the rarest class") && html.contains("badge (mean"));
    // A failed run writes no report.
    let failed = dir.path().join("failed.html");
    let o = run(&[
        "active",
        file.to_str().unwrap(),
        "--initial",
        "0.001",
        "--report",
        failed.to_str().unwrap(),
    ]);
    assert!(!o.status.success() && !failed.exists());
}

#[test]
fn federate_refuses_bad_settings_with_their_fix() {
    let file = data("ecoli.csv");
    for (extra, message) in [
        (vec!["--strategy", "fedprox", "--param", "mu=1"], "unknown field `mu`"),
        (vec!["--strategy", "fedtrimmedavg", "--param", "beta=0.7"], "[0, 0.5)"),
        (vec!["--learning-rate", "0"], "learning_rate"),
        (vec!["--loss", "focall"], "focal"),
        (vec!["--partitioner", "iid", "-n", "1000"], "must not exceed"),
        (vec!["--model", "cnn"], "possible values: softmax, logreg, mlp"),
        (vec!["--model", "mlp", "--hidden", "0"], "hidden >= 1"),
        (vec!["--prototypes", "--prototype-param", "lambda=-1"], "lambda"),
        (
            vec!["--prototypes", "--prototype-param", "weight=1"],
            "unknown field `weight`",
        ),
        (vec!["--prototype-param", "lambda=1"], "--prototypes"),
    ] {
        let mut args = vec!["federate", file.to_str().unwrap(), "--rounds", "1"];
        args.extend(&extra);
        refused(&run(&args), &args, message);
    }
}

#[test]
fn active_gives_one_seeded_learning_curve_per_strategy_and_a_plot() {
    let file = data("ecoli.csv");
    let dir = tempfile::tempdir().unwrap();
    let plot = dir.path().join("curves.svg");
    let args = [
        "active",
        file.to_str().unwrap(),
        "--strategy",
        "random,badge,class-balanced",
        "--initial",
        "0.1",
        "--query-ratio",
        "0.1",
        "--end-ratio",
        "0.4",
        "--seed",
        "3",
        "--plot",
        plot.to_str().unwrap(),
        "--json",
    ];
    let report = json(&args);
    let curves = report["curves"].as_array().unwrap();
    let names: Vec<&str> = curves.iter().map(|c| c[0].as_str().unwrap()).collect();
    assert_eq!(names, ["random", "badge", "class-balanced"]);
    // ecoli: 336 rows, a stratified fifth held out: 268 in the pool; 10% steps from 26 to 107.
    assert_eq!(report["pool_rows"], 268);
    for c in curves {
        let labelled: Vec<u64> = c[1]["cycles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["labelled"].as_u64().unwrap())
            .collect();
        assert_eq!(labelled, [26, 52, 78, 104, 107], "{c}");
        // Every strategy starts from the same labelled rows.
        for key in ["labelled_counts", "balanced_accuracy"] {
            assert_eq!(c[1]["cycles"][0][key], curves[0][1]["cycles"][0][key]);
        }
    }
    assert!(std::fs::read_to_string(&plot).unwrap().contains("class-balanced"));
    let again = json(&args);
    assert_eq!(again, report, "the same seed, the same curves");
    let table = stdout(&ok(&[
        "active",
        file.to_str().unwrap(),
        "--strategy",
        "entropy,badge",
        "--end-ratio",
        "0.15",
        "--model",
        "mlp",
        "--hidden",
        "8",
    ]));
    assert!(
        table.contains("entropy") && table.contains("mean over curve"),
        "{table}"
    );
}

#[test]
fn active_federated_splits_the_pool_and_reports_the_clients() {
    let file = data("ecoli.csv");
    let args = [
        "active",
        file.to_str().unwrap(),
        "--federated",
        "-n",
        "3",
        "--partition-param",
        "alpha=1",
        "--partition-param",
        "min_partition_size=10",
        "--strategy",
        "entropy,class-balanced",
        "--initial",
        "0.1",
        "--query-ratio",
        "0.1",
        "--end-ratio",
        "0.3",
        "--rounds",
        "3",
        "--json",
    ];
    let report = json(&args);
    let clients = report["client_rows"].as_array().unwrap();
    assert_eq!(clients.len(), 3);
    assert_eq!(clients.iter().map(|c| c.as_u64().unwrap()).sum::<u64>(), 268);
    for (_, curve) in report["curves"].as_array().unwrap().iter().map(|c| (&c[0], &c[1])) {
        let cycles = curve["cycles"].as_array().unwrap();
        assert_eq!(cycles.last().unwrap()["labelled"], 80, "30% of 268");
        // The adaptive query model (the default) says how many clients used the global model.
        assert!(cycles[0]["global_queries"].as_u64().unwrap() <= 3);
    }
    assert_eq!(json(&args), report, "seeded");
    let mut table_args = args[..args.len() - 1].to_vec();
    table_args.extend(["--query-model", "local"]);
    let table = stdout(&ok(&table_args));
    assert!(
        table.contains("3 clients of") && table.contains("worst client"),
        "{table}"
    );
    assert!(!table.contains("global model"), "{table}");
}

#[test]
fn active_refuses_bad_settings_with_their_fix() {
    let file = data("ecoli.csv");
    let dir = tempfile::tempdir().unwrap();
    for (extra, message) in [
        (vec!["--strategy", "uncertainty"], "least-confident"),
        (vec!["--initial", "0.5", "--end-ratio", "0.2"], "initial <= end_ratio"),
        (vec!["--initial", "0.001"], "raise it"),
        (vec!["--query-ratio", "0"], "(0, 1]"),
        (vec!["--loss", "focall"], "focal"),
        (vec!["--test", "missing.csv"], "missing.csv"),
        (vec!["--plot", "curves.txt"], ".svg or .png"),
        (vec!["--query-model", "local"], "--federated"),
        (
            vec!["--federated", "--query-model", "both"],
            "global, local or adaptive",
        ),
        (vec!["--federated", "--partitioner", "dirichlett"], "dirichlet"),
        (vec!["--federated", "-n", "1000"], "must not exceed"),
    ] {
        let mut args = vec!["active", file.to_str().unwrap()];
        args.extend(&extra);
        refused(
            &bin().args(&args).current_dir(dir.path()).output().unwrap(),
            &args,
            message,
        );
    }
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no partial output");
}
