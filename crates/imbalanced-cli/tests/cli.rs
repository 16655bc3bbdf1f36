//! The `imbalanced` binary end to end: outputs, exit codes, messages, and
//! that a failed run leaves no output file behind.

mod common;
use std::path::Path;

use common::*;

/// `imbalanced resample INPUT --method METHOD --out OUT.csv`, which must
/// succeed: its printed table and the CSV it wrote.
fn resample(input: &Path, method: &str) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let o = ok(&[
        "resample",
        input.to_str().unwrap(),
        "--method",
        method,
        "--out",
        out.to_str().unwrap(),
    ]);
    (stdout(&o), std::fs::read_to_string(&out).unwrap())
}

#[test]
fn resample_writes_the_balanced_data_and_a_table() {
    let (table, text) = resample(&data("glass4.csv"), "smote");
    assert!(table.contains("+188"), "{table}");
    assert_eq!(text.lines().count(), 1 + 2 * 201);
    assert!(text.starts_with("f0,f1,f2,f3,f4,f5,f6,f7,f8,target\n"));
}

#[test]
fn resample_json_reports_counts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("small.dat");
    let o = ok(&[
        "resample",
        data("glass4.dat").to_str().unwrap(),
        "--method",
        "NearMiss",
        "--param",
        "version=2",
        "--out",
        out.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["method"], "NearMiss");
    assert_eq!(v["rows_after"], 26);
    assert_eq!(v["classes"][1]["label"], "positive");
    assert!(std::fs::read_to_string(&out).unwrap().contains("@outputs Class"));
}

#[test]
fn strategies_name_the_files_labels_and_nested_steps_take_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let file = data("glass4.dat");
    let counts = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "resample",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--json",
        ];
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        v["classes"].clone()
    };
    let v = counts(&["-m", "SMOTE", "-p", r#"sampling_strategy={"positive": 40}"#]);
    assert_eq!((v[0]["after"].as_u64(), v[1]["after"].as_u64()), (Some(201), Some(40)));
    // SMOTETomek's inner SMOTE gets the outer strategy and its own k.
    let v = counts(&[
        "-m",
        "smote-tomek",
        "-p",
        "smote__k_neighbors=2",
        "-p",
        r#"sampling_strategy={"positive": 30}"#,
    ]);
    assert!(
        v[1]["after"].as_u64().unwrap() <= 30 && v[1]["after"].as_u64().unwrap() > 13,
        "{v}"
    );
    let o = run(&[
        "resample",
        file.to_str().unwrap(),
        "-m",
        "SMOTE",
        "-p",
        r#"sampling_strategy={"1": 40}"#,
        "-o",
        out.to_str().unwrap(),
    ]);
    says(
        &o,
        "class \"1\" is not present in the data (classes: negative, positive)",
    );
}

#[test]
fn the_same_seed_and_generator_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    std::fs::write(&input, "a,b,y\n0,0,0\n1,0,0\n0,1,0\n1,1,0\n5,5,1\n6,5,1\n").unwrap();
    let out = dir.path().join("out.csv");
    let args = |rng: &str| {
        run(&[
            "resample",
            input.to_str().unwrap(),
            "-m",
            "SMOTE",
            "-p",
            "k_neighbors=1",
            "--rng",
            rng,
            "--seed",
            "3",
            "-o",
            out.to_str().unwrap(),
        ])
    };
    assert!(args("numpy").status.success());
    let first = std::fs::read_to_string(&out).unwrap();
    assert!(args("numpy").status.success());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), first);
    assert!(!args("mersenne").status.success());
}

#[test]
fn list_and_help_work() {
    let o = run(&["resample", "--list"]);
    assert!(o.status.success());
    let s = stdout(&o);
    for name in [
        "SMOTE",
        "TomekLinks",
        "NearMiss",
        "SMOTEENN",
        "CondensedNearestNeighbour",
    ] {
        assert!(s.contains(name), "{name} missing from --list");
    }
    for cmd in [&["--help"][..], &["inspect", "--help"], &["resample", "--help"]] {
        let o = run(cmd);
        assert!(o.status.success());
        assert!(stdout(&o).contains("Examples:"), "{cmd:?}");
    }
}

#[test]
fn inspect_prints_profile_json_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let o = ok(&["inspect", data("glass.csv").to_str().unwrap(), "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["classes"].as_array().unwrap().len(), 6);
    assert!((v["imbalance_ratio"].as_f64().unwrap() - 76.0 / 9.0).abs() < 1e-12);
    for ext in ["svg", "png"] {
        let plot = dir.path().join(format!("p.{ext}"));
        ok(&[
            "inspect",
            data("glass.csv").to_str().unwrap(),
            "--plot",
            plot.to_str().unwrap(),
        ]);
        let bytes = std::fs::read(&plot).unwrap();
        match ext {
            "svg" => assert!(String::from_utf8(bytes).unwrap().contains("<svg")),
            _ => assert_eq!(&bytes[1..4], b"PNG"),
        }
    }
    let o = run(&["inspect", data("glass.csv").to_str().unwrap(), "--plot", "p.gif"]);
    assert!(!o.status.success() && stderr(&o).contains(".svg or .png"));
}

#[test]
fn inspect_tests_whether_a_synthetic_table_keeps_the_associations() {
    let dir = tempfile::tempdir().unwrap();
    let glass4 = data("glass4.csv");
    let out = dir.path().join("smote.csv");
    ok(&[
        "resample",
        glass4.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--method",
        "SMOTE",
    ]);
    let o = ok(&[
        "inspect",
        glass4.to_str().unwrap(),
        "--synthetic",
        out.to_str().unwrap(),
        "--top",
        "3",
    ]);
    assert!(stdout(&o).contains("of the 3 strongest associations") && stdout(&o).contains("Pearson r"));
    let o = ok(&[
        "inspect",
        glass4.to_str().unwrap(),
        "--synthetic",
        glass4.to_str().unwrap(),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["associations"]["score"], 1.0);
    assert_eq!(v["associations"]["features"].as_array().unwrap().len(), 5);
    assert!(v["profile"]["classes"].is_array());
    // Another table's columns: an error that says so.
    let o = run(&[
        "inspect",
        glass4.to_str().unwrap(),
        "--synthetic",
        data("glass.csv").to_str().unwrap(),
    ]);
    assert!(!o.status.success() && stderr(&o).contains("differ"), "{}", stderr(&o));
}

/// Runs a failing resample and checks the exit code, the message, and that
/// the output directory stays empty.
fn fails(input: &str, extra: &[&str], message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.csv");
    std::fs::write(&src, input).unwrap();
    let outdir = tempfile::tempdir().unwrap();
    let out = outdir.path().join("out.csv");
    let mut args = vec!["resample", src.to_str().unwrap(), "--out", out.to_str().unwrap()];
    if !extra.contains(&"--method") {
        args.extend(["--method", "SMOTE"]);
    }
    args.extend(extra);
    let o = run(&args);
    assert!(!o.status.success(), "{input:?} {extra:?} should fail");
    let e = stderr(&o);
    assert!(e.contains(message), "expected {message:?} in {e:?}");
    assert!(!e.contains("panicked"), "{e}");
    assert_eq!(
        std::fs::read_dir(outdir.path()).unwrap().count(),
        0,
        "output left behind"
    );
}

#[test]
fn bad_input_fails_cleanly() {
    let ok = "a,b,y\n0,0,0\n1,0,0\n0,1,0\n1,1,0\n2,2,0\n3,3,0\n5,5,1\n6,5,1\n";
    fails("", &[], "empty");
    fails("a,b,y\n", &[], "no data rows");
    fails("a,b,y\n1,2,0\n1,2\n", &[], "line 3 has 2 fields");
    fails("a,b,y\n1,2,0\nnan,2,1\n", &[], "missing value");
    fails("a,b,y\n1,2,0\nnan,2,1\n", &[], "hint: --impute");
    fails("a,b,y\n1,2,0\ninf,2,1\n", &[], "not finite");
    fails("a,b,y\n1,2,0\n1,oops,1\n", &[], "\"oops\" on line 3");
    fails("a,b,y\n1,2,0\n1,oops,1\n", &[], "hint: --categorical b");
    fails(ok, &["--target", "label"], "unknown column \"label\"");
    fails("a,b,y\n1,2,0\n3,4,0\n", &[], "at least 2 classes");
    fails(ok, &[], "class \"1\" has 2 samples but k_neighbors=5 needs at least 6");
    fails("a,a,y\n1,2,0\n", &[], "appears twice");
    fails(
        ok,
        &["--param", "k_neighbors=1", "--param", r#"sampling_strategy={"0": 3}"#],
        "cannot shrink",
    );
    fails(
        ok,
        &["--method", "rus", "--param", r#"sampling_strategy={"1": 5}"#],
        "cannot grow",
    );
    fails(
        ok,
        &["--method", "SMOOTE"],
        "unknown sampler \"SMOOTE\" (did you mean \"SMOTE\"?)",
    );
    fails(
        ok,
        &["--param", "k_neighbours=3"],
        "SMOTE has no parameter \"k_neighbours\" (did you mean \"k_neighbors\"?)",
    );
    fails(ok, &["--param", "k_neighbors=three"], "invalid value for k_neighbors");
    fails(
        ok,
        &["--method", "SMOTETomek", "--param", "smote__k_neighbours=3"],
        "did you mean \"k_neighbors\"",
    );
    fails(ok, &["--param", "k_neighbors"], "KEY=VALUE");
    fails("c,y\nred,0\nblue,0\nred,1\n", &["--method", "enn"], "categorical");
}

#[test]
fn unreadable_and_unwritable_paths_fail() {
    let glass = data("glass4.csv");
    let glass = glass.to_str().unwrap();
    for (input, out, message) in [
        ("/nonexistent/in.csv", "/tmp/x.csv", "cannot open"),
        (glass, "/nonexistent/out.csv", "/nonexistent/out.csv"),
        (glass, "out.xlsx", "cannot tell the format"),
    ] {
        let o = run(&["resample", input, "--method", "rus", "--out", out]);
        assert!(!o.status.success() && stderr(&o).contains(message), "{}", stderr(&o));
    }
}

#[test]
fn categorical_data_passes_through_random_samplers() {
    let (_, text) = resample(&data("flare-F.dat"), "RandomUnderSampler");
    assert_eq!(text.lines().count(), 1 + 2 * 43);
    assert!(text.lines().nth(1).unwrap().ends_with(",negative"));
}

#[test]
fn smotenc_takes_categorical_features_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    let mut text = String::from("size,code,y\n");
    for i in 0..30 {
        text.push_str(&format!(
            "{},{},{}\n",
            i as f64 * 0.1,
            10 + i % 3,
            usize::from(i % 5 == 0)
        ));
    }
    std::fs::write(&input, text).unwrap();
    let out = dir.path().join("out.csv");
    ok(&[
        "resample",
        input.to_str().unwrap(),
        "--method",
        "SMOTENC",
        "--param",
        "categorical_features=code",
        "--param",
        "k_neighbors=3",
        "--out",
        out.to_str().unwrap(),
    ]);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written.lines().count(), 1 + 2 * 24);
    // Categorical codes stay among the original values.
    for line in written.lines().skip(1) {
        let code = line.split(',').nth(1).unwrap();
        assert!(["10", "11", "12"].contains(&code), "{line}");
    }
}

#[test]
fn relational_flattens_resamples_evaluates_and_names_bad_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let mut customers = String::from("id,age,region,churn\n");
    let mut orders = String::from("customer_id,amount\n");
    let mut tickets = String::from("customer_id,wait,kind\n");
    for i in 0..80 {
        let churn = i % 8 == 0;
        let region = ["north", "south"][i % 2];
        customers.push_str(&format!(
            "c{i},{},{region},{}\n",
            20 + i % 50,
            if churn { "yes" } else { "no" }
        ));
        for k in 0..(i % 4) {
            orders.push_str(&format!("c{i},{}\n", 10 + k * 3 + i % 7));
        }
        for k in 0..(if churn { 3 } else { i % 2 }) {
            let kind = if churn && k > 0 { "complaint" } else { "question" };
            tickets.push_str(&format!("c{i},{},{kind}\n", if churn { 20 + k } else { 3 + k }));
        }
    }
    std::fs::write(p("customers.csv"), &customers).unwrap();
    std::fs::write(p("orders.csv"), &orders).unwrap();
    std::fs::write(p("tickets.csv"), &tickets).unwrap();
    let children = [
        "--child".to_string(),
        format!("{}:customer_id", p("orders.csv")),
        "--child".to_string(),
        format!("{}:customer_id", p("tickets.csv")),
    ];
    let mut args = vec![
        "relational".to_string(),
        p("customers.csv"),
        "--key".into(),
        "id".into(),
    ];
    args.extend(children.iter().cloned());
    let with = |extra: &[&str]| {
        let mut a = args.clone();
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let a = with(&[
        "--target",
        "churn",
        "--resample",
        "-o",
        &p("flat.csv"),
        "--children-out",
        &p("new"),
    ]);
    let o = ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(stdout(&o).contains("tickets.csv") && stdout(&o).contains("association gate weight"));
    assert!(
        stdout(&o).contains("left out: customers.csv.region (a categorical column of the parent)"),
        "{}",
        stdout(&o)
    );
    let flat = std::fs::read_to_string(p("flat.csv")).unwrap();
    assert!(flat.starts_with("customers.csv.age,orders.csv.count,orders.csv.amount.mean"));
    assert!(flat
        .lines()
        .next()
        .unwrap()
        .ends_with("tickets.csv.kind=complaint,tickets.csv.kind=question,churn"));
    assert_eq!(flat.lines().count(), 1 + 70 + 70, "balanced: 70 of each class");
    // The 60 new customers as tables to append: parents keyed synthetic-1.., their orders and tickets.
    let parents = std::fs::read_to_string(p("new/customers.csv")).unwrap();
    assert!(parents.starts_with("id,age,churn\nsynthetic-1,"), "{parents}");
    assert_eq!(parents.lines().count(), 1 + 60);
    assert!(parents.lines().skip(1).all(|l| l.ends_with(",yes")));
    let orders = std::fs::read_to_string(p("new/orders.csv")).unwrap();
    assert!(orders.starts_with("customer_id,amount\n"));
    assert!(orders.lines().skip(1).all(|l| l.starts_with("synthetic-")));
    let tickets = std::fs::read_to_string(p("new/tickets.csv")).unwrap();
    assert!(tickets.starts_with("customer_id,wait,kind\n") && tickets.lines().count() > 1);
    assert!(tickets.contains(",complaint\n"), "{tickets}");
    let a = with(&["--target", "churn", "--evaluate", "--model", "knn", "--json"]);
    let o = ok(&a.iter().map(String::as_str).collect::<Vec<_>>());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let methods: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(
        methods,
        [
            "none",
            "SMOTE (flat)",
            "RelationalSMOTE (uniform gate)",
            "RelationalSMOTE (association gate)",
            "RelationalSMOTE (learned gate)"
        ]
    );
    // Bad tables: the key missing, a dangling foreign key, a child without its parent column.
    std::fs::write(p("dangling.csv"), "customer_id,amount\nc1,3\nc999,4\n").unwrap();
    std::fs::write(p("nokey.csv"), "client,amount\nc1,3\n").unwrap();
    for (extra, message) in [
        (
            vec!["relational", &p("customers.csv"), "--key", "cid", "--target", "churn"],
            "no column \"cid\" (the key)",
        ),
        (
            vec![
                "relational",
                &p("customers.csv"),
                "--key",
                "id",
                "--target",
                "churn",
                "--child",
                &format!("{}:customer_id", p("dangling.csv")),
            ],
            "dangling.csv: row 2's \"customer_id\" is \"c999\"",
        ),
        (
            vec![
                "relational",
                &p("customers.csv"),
                "--key",
                "id",
                "--target",
                "churn",
                "--child",
                &format!("{}:customer_id", p("nokey.csv")),
            ],
            "nokey.csv: no column \"customer_id\" (the foreign key)",
        ),
    ] {
        let mut a: Vec<&str> = extra.clone();
        let out = p("never.csv");
        a.extend(["-o", &out]);
        let o = run(&a);
        assert!(!o.status.success() && stderr(&o).contains(message), "{}", stderr(&o));
        assert!(!Path::new(&out).exists());
    }
}
