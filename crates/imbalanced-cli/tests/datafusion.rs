//! `imbalanced resample --engine datafusion`: the same file for any
//! partitioning, exact class counts, a folder as input, and the errors.

mod common;

use common::{data, refused, run};
#[cfg(feature = "datafusion")]
use common::{ok, stdout};

#[cfg(feature = "datafusion")]
#[test]
fn the_engine_resamples_files_and_folders_to_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("glass4.csv");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut texts = Vec::new();
    for partitions in ["1", "4", "16"] {
        let o = ok(&[
            "resample",
            input.to_str().unwrap(),
            "--engine",
            "datafusion",
            "--method",
            "RandomUnderSampler",
            "--partitions",
            partitions,
            "-o",
            &out(&format!("u{partitions}.csv")),
        ]);
        // glass4: 201 and 13 rows; 13 of each kept.
        let s = stdout(&o);
        assert!(
            s.contains("RandomUnderSampler") && s.contains("201") && s.contains("-188"),
            "{s}"
        );
        texts.push(std::fs::read_to_string(out(&format!("u{partitions}.csv"))).unwrap());
    }
    assert!(texts.iter().all(|t| t == &texts[0]));
    assert_eq!(texts[0].lines().count(), 1 + 26);
    // SMOTE and RandomOverSampler to Parquet, then a folder of those files as input.
    let folder = dir.path().join("parts");
    std::fs::create_dir(&folder).unwrap();
    for (method, name) in [("SMOTE", "a.parquet"), ("RandomOverSampler", "b.parquet")] {
        let path = folder.join(name);
        let v: serde_json::Value = serde_json::from_slice(
            &ok(&[
                "resample",
                input.to_str().unwrap(),
                "--engine",
                "datafusion",
                "-m",
                method,
                "--seed",
                "3",
                "-o",
                path.to_str().unwrap(),
                "--json",
            ])
            .stdout,
        )
        .unwrap();
        assert_eq!(v["rows_after"], 402, "{method}: {v}");
    }
    // The input as it is (a strategy that keeps every row), the third file.
    ok(&[
        "resample",
        input.to_str().unwrap(),
        "--engine",
        "datafusion",
        "-m",
        "rus",
        "-p",
        r#"sampling_strategy={"0":201}"#,
        "-o",
        folder.join("c.parquet").to_str().unwrap(),
    ]);
    // A file whose target is another type (the in-memory writer's floats) does not join them.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    std::fs::copy(folder.join("a.parquet"), mixed.join("a.parquet")).unwrap();
    ok(&[
        "convert",
        input.to_str().unwrap(),
        mixed.join("c.parquet").to_str().unwrap(),
    ]);
    let args = [
        "resample",
        mixed.to_str().unwrap(),
        "--engine",
        "datafusion",
        "-m",
        "rus",
        "-o",
        &out("mixed.parquet"),
    ];
    refused(&run(&args), &args, "merge schema field 'target'");
    assert!(!dir.path().join("mixed.parquet").exists());
    let under_sample_folder = |extra: &[&str], name: &str| -> serde_json::Value {
        let mut args = vec![
            "resample",
            folder.to_str().unwrap(),
            "--engine",
            "datafusion",
            "-m",
            "rus",
            "--json",
        ];
        args.extend_from_slice(extra);
        let path = out(name);
        args.extend(["-o", path.as_str()]);
        serde_json::from_slice(&ok(&args).stdout).unwrap()
    };
    // 603 and 415 rows in the three files; the larger class cut to 415.
    let v = under_sample_folder(&[], "folder.parquet");
    assert_eq!(v["rows_before"], 1018, "{v}");
    assert_eq!(v["classes"][0]["after"], 415, "{v}");
    // Bernoulli: about as many, in one pass.
    let v = under_sample_folder(&["--bernoulli"], "bernoulli.parquet");
    let after = v["classes"][0]["after"].as_u64().unwrap();
    assert!((350..=480).contains(&after), "{v}");
}

#[cfg(feature = "datafusion")]
#[test]
fn inspect_on_the_engine_counts_as_in_memory() {
    let input = data("ecoli.csv");
    let in_memory = stdout(&ok(&["inspect", input.to_str().unwrap()]));
    let engine = stdout(&ok(&["inspect", input.to_str().unwrap(), "--engine", "datafusion"]));
    // The same first line: rows, features, classes, imbalance ratio.
    assert_eq!(engine.lines().next(), in_memory.lines().next(), "{engine}");
    let v: serde_json::Value =
        serde_json::from_slice(&ok(&["inspect", input.to_str().unwrap(), "--engine", "datafusion", "--json"]).stdout)
            .unwrap();
    assert_eq!(v["n_samples"], 336);
    let args = ["inspect", input.to_str().unwrap(), "--engine", "datafusion", "--focal"];
    refused(&run(&args), &args, "--focal is not supported");
}

#[cfg(feature = "datafusion")]
#[test]
fn dirichlet_partitions_on_the_engine_count_as_in_memory() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("ecoli.csv");
    let out = dir.path().join("clients.parquet");
    let common = [
        "partition",
        input.to_str().unwrap(),
        "--partitioner",
        "dirichlet",
        "-n",
        "4",
        "--seed",
        "5",
        "-p",
        "alpha=0.5",
    ];
    let in_memory = stdout(&ok(&common));
    let mut args = common.to_vec();
    args.extend([
        "--engine",
        "datafusion",
        "--partitions",
        "3",
        "-o",
        out.to_str().unwrap(),
    ]);
    let engine = stdout(&ok(&args));
    assert_eq!(engine.lines().next(), in_memory.lines().next());
    assert!(engine.starts_with(in_memory.trim_end()), "{engine}\nvs\n{in_memory}");
    assert!(out.exists());
    let args = [
        "partition",
        input.to_str().unwrap(),
        "--partitioner",
        "iid",
        "-n",
        "4",
        "--engine",
        "datafusion",
    ];
    refused(&run(&args), &args, "does not run on DataFusion yet");
}

#[cfg(feature = "datafusion")]
#[test]
fn the_engine_names_what_it_cannot_do() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("glass4.csv");
    let out = dir.path().join("o.parquet");
    let base = |method: &'static str| {
        vec![
            "resample".to_string(),
            input.to_str().unwrap().to_string(),
            "--engine".into(),
            "datafusion".into(),
            "-m".into(),
            method.into(),
            "-o".into(),
            out.to_str().unwrap().to_string(),
        ]
    };
    for (extra, text) in [
        (vec!["--target", "nope"], "no column \"nope\""),
        (vec!["--drop", "f0"], "--drop is not supported"),
        (vec!["--memory-limit", "lots"], "--memory-limit"),
    ] {
        let mut args = base("RandomUnderSampler");
        args.extend(extra.iter().map(|s| s.to_string()));
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&run(&a), &a, text);
    }
    let args = base("SVMSMOTE");
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    refused(
        &run(&a),
        &a,
        "RandomUnderSampler, RandomOverSampler, TomekLinks, EditedNearestNeighbours, NeighbourhoodCleaningRule, SMOTE, \
         BorderlineSMOTE, ADASYN",
    );
    // The cleaning samplers run (glass4 has two classes).
    for method in ["TomekLinks", "enn", "ncr"] {
        let args = base(method);
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        ok(&a);
        assert!(out.exists());
        std::fs::remove_file(&out).unwrap();
    }
}

#[cfg(feature = "datafusion")]
#[test]
fn smote_in_buckets_meets_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.csv");
    let input = data("vehicle0.csv");
    let args = [
        "resample",
        input.to_str().unwrap(),
        "--engine",
        "datafusion",
        "-m",
        "SMOTE",
        "--buckets",
        "3",
        "-o",
        out.to_str().unwrap(),
        "--json",
    ];
    let v: serde_json::Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
    assert_eq!(v["rows_after"], 2 * 647);
    let args = [
        "resample",
        input.to_str().unwrap(),
        "--engine",
        "datafusion",
        "-m",
        "rus",
        "--buckets",
        "3",
        "-o",
        out.to_str().unwrap(),
    ];
    refused(&run(&args), &args, "buckets is not supported");
}

#[cfg(feature = "datafusion")]
#[test]
fn evaluate_on_the_engine_gives_the_same_scores_on_any_partitioning() {
    let input = data("glass4.csv");
    let scores = |partitions: &str| {
        let args = [
            "evaluate",
            input.to_str().unwrap(),
            "--engine",
            "datafusion",
            "--partitions",
            partitions,
            "--methods",
            "none,rus,SMOTE",
            "--folds",
            "3",
            "--json",
        ];
        let mut v = serde_json::from_slice::<serde_json::Value>(&ok(&args).stdout).unwrap();
        for r in v["results"].as_array_mut().unwrap() {
            r.as_object_mut().unwrap().remove("seconds");
        }
        v
    };
    let (a, b) = (scores("1"), scores("4"));
    assert_eq!(a, b);
    let results = a["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert_eq!(results[1]["method"], "RandomUnderSampler");
    assert_eq!(
        results[0]["metrics"]["balanced_accuracy_score"]["folds"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let table = stdout(&ok(&[
        "evaluate",
        input.to_str().unwrap(),
        "--engine",
        "datafusion",
        "--methods",
        "none,SVMSMOTE,enn",
    ]));
    assert!(table.contains("glass4 (214 rows, 2 classes)"), "{table}");
    assert!(table.contains("failed: SVMSMOTE"), "{table}");
    assert!(table.contains("│ EditedNearestNeighbours"), "{table}");
    assert!(table.contains("note: on DataFusion"), "{table}");
    for (flag, value) in [("--report", "r.html"), ("--losses", "focal"), ("--repeats", "2")] {
        let args = [
            "evaluate",
            input.to_str().unwrap(),
            "--engine",
            "datafusion",
            flag,
            value,
        ];
        refused(
            &run(&args),
            &args,
            if flag == "--repeats" { "one repeat" } else { flag },
        );
    }
}

#[cfg(not(feature = "datafusion"))]
#[test]
fn without_the_feature_the_engine_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let input = data("glass4.csv");
    let args = [
        "resample",
        input.to_str().unwrap(),
        "--engine",
        "datafusion",
        "-m",
        "rus",
        "-o",
        out.to_str().unwrap(),
    ];
    refused(&run(&args), &args, "--features datafusion");
}

/// `--engine ballista` (an in-process cluster) writes the bytes the
/// embedded engine writes, for every operation the engine runs; an
/// unreachable scheduler is named, with no output file.
#[cfg(feature = "ballista")]
#[test]
fn ballista_writes_the_embedded_engines_files() {
    let dir = tempfile::tempdir().unwrap();
    let input = data("glass4.csv");
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    for method in [
        "RandomUnderSampler",
        "RandomOverSampler",
        "SMOTE",
        "TomekLinks",
        "enn",
        "ncr",
    ] {
        for engine in ["datafusion", "ballista"] {
            ok(&[
                "resample",
                input.to_str().unwrap(),
                "--engine",
                engine,
                "-m",
                method,
                "--seed",
                "4",
                "-o",
                &out(&format!("{engine}.csv")),
            ]);
        }
        let read = |engine: &str| std::fs::read_to_string(out(&format!("{engine}.csv"))).unwrap();
        assert_eq!(read("datafusion"), read("ballista"), "{method}");
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nowhere = format!("ballista://127.0.0.1:{port}");
    let target = out("never.csv");
    let args = [
        "resample",
        input.to_str().unwrap(),
        "--engine",
        &nowhere,
        "-m",
        "rus",
        "-o",
        &target,
    ];
    refused(&run(&args), &args, "cannot reach a Ballista scheduler");
    assert!(!std::path::Path::new(&target).exists());
}

#[cfg(all(feature = "datafusion", not(feature = "ballista")))]
#[test]
fn without_ballista_the_engine_says_how_to_get_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.csv");
    let input = data("glass4.csv");
    let args = [
        "resample",
        input.to_str().unwrap(),
        "--engine",
        "ballista://localhost:50050",
        "-m",
        "rus",
        "-o",
        out.to_str().unwrap(),
    ];
    refused(&run(&args), &args, "--features ballista");
}
