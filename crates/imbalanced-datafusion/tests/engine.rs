//! The DataFusion engine: the same rows for any partitioning, exact counts,
//! the SMOTE path equal to the in-memory sampler, folds, and bad input.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use imbalanced_datafusion::{Engine, EngineOptions, ScaleError, Selection};
use imbalanced_resample::{SamplerSpec, SamplingStrategy};

/// 760 rows: classes "no" (600), "yes" (120), "rare" (40); two float
/// features and an integer one, with a few exact duplicate rows.
fn csv_text() -> String {
    let mut s = String::from("a,b,n,label\n");
    let mut state = 12345u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..760 {
        let label = if i % 19 == 0 {
            "rare"
        } else if i % 19 < 4 {
            "yes"
        } else {
            "no"
        };
        let shift = match label {
            "rare" => 2.0,
            "yes" => 1.0,
            _ => 0.0,
        };
        s.push_str(&format!(
            "{},{},{},{label}\n",
            shift + next(),
            next() - shift,
            (next() * 10.0).floor()
        ));
    }
    s.push_str("0.5,0.5,3,no\n0.5,0.5,3,no\n");
    s
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn engine(partitions: usize) -> Engine {
    Engine::new(&EngineOptions {
        partitions,
        ..Default::default()
    })
    .unwrap()
}

/// Every row as text, in order.
fn rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let columns: Vec<_> = b.columns().iter().map(|c| cast(c, &DataType::Utf8).unwrap()).collect();
        for i in 0..b.num_rows() {
            out.push(
                columns
                    .iter()
                    .map(|c| c.as_string::<i32>().value(i).to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
        }
    }
    out
}

/// What `run` gives on 1, 4 and 16 partitions, which must be the same; once.
fn on_any_partitioning(csv: &Path, run: impl Fn(&Engine, &imbalanced_datafusion::Table) -> Vec<String>) -> Vec<String> {
    let outputs: Vec<Vec<String>> = [1, 4, 16]
        .iter()
        .map(|&p| {
            let e = engine(p);
            run(&e, &e.read(csv.to_str().unwrap(), Some("label")).unwrap())
        })
        .collect();
    assert!(outputs.iter().all(|o| o == &outputs[0]));
    outputs.into_iter().next().unwrap()
}

fn label_counts(rows: &[String]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(r.rsplit(',').next().unwrap().to_string()).or_insert(0) += 1;
    }
    m
}

#[test]
fn class_counts_are_the_files_in_the_engines_class_order() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let e = engine(4);
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let counts = e.class_counts(&t).unwrap();
    assert_eq!(
        counts.0,
        [
            ("no".to_string(), 602),
            ("rare".to_string(), 40),
            ("yes".to_string(), 120)
        ]
    );
    assert_eq!(t.features(), ["a", "b", "n"]);
}

#[test]
fn under_sampling_keeps_the_same_rows_on_any_partitioning() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    // A folder of Parquet files, written by the engine from the CSV.
    let folder = dir.path().join("parts");
    std::fs::create_dir(&folder).unwrap();
    let e = engine(1);
    let text = csv_text();
    let lines: Vec<&str> = text.lines().collect();
    for (i, part) in lines[1..].chunks(200).enumerate() {
        let path = write(
            dir.path(),
            &format!("p{i}.csv"),
            &format!("{}\n{}\n", lines[0], part.join("\n")),
        );
        let t = e.read(path.to_str().unwrap(), Some("label")).unwrap();
        e.write(t.frame(), &folder.join(format!("p{i}.parquet"))).unwrap();
    }
    let mut outputs = Vec::new();
    for (input, partitions) in [
        (csv.clone(), 1),
        (csv.clone(), 4),
        (csv.clone(), 16),
        (folder.clone(), 1),
        (folder.clone(), 16),
    ] {
        let e = engine(partitions);
        let t = e.read(input.to_str().unwrap(), Some("label")).unwrap();
        let exact = e
            .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 7)
            .unwrap();
        let exact = rows(&e.collect(exact).unwrap());
        // Exactly the minority's 40 rows per class.
        assert_eq!(
            label_counts(&exact),
            BTreeMap::from([("no".into(), 40), ("rare".into(), 40), ("yes".into(), 40)]),
            "{input:?} on {partitions}"
        );
        let bernoulli = e
            .under_sample(&t, &SamplingStrategy::Auto, Selection::Bernoulli, 7)
            .unwrap();
        outputs.push((exact, rows(&e.collect(bernoulli).unwrap())));
    }
    for (exact, bernoulli) in &outputs[1..] {
        assert_eq!(exact, &outputs[0].0);
        assert_eq!(bernoulli, &outputs[0].1);
    }
    // Bernoulli: the counts in expectation (40 of 602 and of 120, each row by itself).
    let b = label_counts(&outputs[0].1);
    assert_eq!(b["rare"], 40);
    assert!((20..=60).contains(&b["no"]) && (20..=60).contains(&b["yes"]), "{b:?}");
    // Another seed, other rows.
    let e = engine(4);
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let other = e
        .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 8)
        .unwrap();
    assert_ne!(rows(&e.collect(other).unwrap()), outputs[0].0);
    // Every kept row is an input row.
    let input: std::collections::HashSet<String> = rows(&e.collect(t.frame()).unwrap()).into_iter().collect();
    assert!(outputs[0].0.iter().all(|r| input.contains(r)));
}

#[test]
fn exact_counts_hold_when_duplicate_rows_straddle_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    // 300 "no" rows, 12 distinct ones 25 times each; 30 "yes" rows.
    let mut text = String::from("a,label\n");
    for i in 0..300 {
        text.push_str(&format!("{},no\n", i % 12));
    }
    for i in 0..30 {
        text.push_str(&format!("{}.5,yes\n", i));
    }
    let csv = write(dir.path(), "d.csv", &text);
    for seed in 0..5 {
        let out = on_any_partitioning(&csv, |e, t| {
            let kept = e
                .under_sample(t, &SamplingStrategy::Auto, Selection::Exact, seed)
                .unwrap();
            rows(&e.collect(kept).unwrap())
        });
        assert_eq!(
            label_counts(&out),
            BTreeMap::from([("no".into(), 30), ("yes".into(), 30)]),
            "seed {seed}"
        );
        // 30 of 12 groups of 25: at least two groups, their copies together in the output.
        assert!(out.windows(2).any(|w| w[0] == w[1] && w[0].ends_with(",no")));
    }
}

#[test]
fn over_sampling_meets_the_targets_exactly_with_whole_copies() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let out = on_any_partitioning(&csv, |e, t| {
        rows(
            &e.collect(e.over_sample(t, &SamplingStrategy::Auto, 3).unwrap())
                .unwrap(),
        )
    });
    assert_eq!(
        label_counts(&out),
        BTreeMap::from([("no".into(), 602), ("rare".into(), 602), ("yes".into(), 602)])
    );
    // A "rare" row appears 15 or 16 times (602 = 15 x 40 + 2).
    let mut copies: BTreeMap<&str, usize> = BTreeMap::new();
    for r in out.iter().filter(|r| r.ends_with(",rare")) {
        *copies.entry(r.as_str()).or_insert(0) += 1;
    }
    assert_eq!(copies.len(), 40);
    assert_eq!(copies.values().filter(|&&c| c == 16).count(), 2);
    assert!(copies.values().all(|&c| c == 15 || c == 16));
}

#[test]
fn the_smote_path_makes_the_in_memory_samplers_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    // In memory: the whole file, SMOTE seeded 5.
    let data = imbalanced_data::read(&csv, &imbalanced_data::ReadOptions::default()).unwrap();
    let smote = imbalanced_resample::SAMPLERS
        .build("SMOTE", &[], &imbalanced_resample::randomness(5, Default::default()))
        .unwrap();
    let resampled = smote.fit_resample_dataset(&data).unwrap();
    let x = resampled.numeric();
    let mut want: Vec<String> = (0..resampled.n_samples())
        .map(|r| {
            let x = x.row(r);
            format!("{},{},{},{}", x[0], x[1], x[2], resampled.classes()[resampled.y()[r]])
        })
        .collect();
    want.sort();
    // The same rows from Parquet, whose integer column the scan reads as floats.
    let parquet = dir.path().join("d.parquet");
    let e = engine(1);
    e.write(e.read(csv.to_str().unwrap(), Some("label")).unwrap().frame(), &parquet)
        .unwrap();
    for (input, partitions) in [(&csv, 1), (&csv, 4), (&parquet, 4)] {
        let e = engine(partitions);
        let t = e.read(input.to_str().unwrap(), Some("label")).unwrap();
        let spec: SamplerSpec = serde_json::from_str("\"SMOTE\"").unwrap();
        let out = e
            .over_sample_in_memory(&t, &spec, &SamplingStrategy::Auto, 5, 1)
            .unwrap();
        let batches = e.collect(out).unwrap();
        // Numbers as Rust prints them (Arrow's text form differs for whole floats).
        let mut got = Vec::new();
        for b in &batches {
            let f = |j: usize| {
                b.column(j)
                    .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
                    .clone()
            };
            let (a, bb, n) = (f(0), f(1), f(2));
            let label = cast(b.column(3), &DataType::Utf8).unwrap();
            for i in 0..b.num_rows() {
                got.push(format!(
                    "{},{},{},{}",
                    a.value(i),
                    bb.value(i),
                    n.value(i),
                    label.as_string::<i32>().value(i)
                ));
            }
        }
        got.sort();
        assert_eq!(got.len(), want.len(), "{input:?} on {partitions} partitions");
        assert_eq!(got, want, "{input:?} on {partitions} partitions");
    }
}

#[test]
fn folds_are_stratified_and_the_same_on_any_partitioning() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let folds = on_any_partitioning(&csv, |e, t| {
        rows(&e.collect(e.stratified_folds(t, 5, 1).unwrap()).unwrap())
    });
    let mut per: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &folds {
        let f: Vec<&str> = r.split(',').collect();
        *per.entry((f[3].to_string(), f[4].to_string())).or_insert(0) += 1;
    }
    for ((label, fold), n) in &per {
        let total = match label.as_str() {
            "no" => 602,
            "yes" => 120,
            _ => 40,
        };
        assert!(*n == total / 5 || *n == total / 5 + 1, "{label} fold {fold}: {n}");
    }
}

#[test]
fn bad_input_is_named_and_leaves_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let e = engine(2);
    let err = e.read(csv.to_str().unwrap(), Some("class")).err().unwrap();
    assert!(matches!(err, ScaleError::MissingTarget { .. }));
    let message = err.to_string();
    assert!(
        message.contains("\"class\"") && message.contains("a, b, n, label"),
        "{message}"
    );
    // Files whose schemas differ, in one folder.
    let mixed = dir.path().join("mixed");
    std::fs::create_dir(&mixed).unwrap();
    write(&mixed, "1.csv", "a,label\n1,x\n2,y\n");
    write(&mixed, "2.csv", "a,b,label\n1,2,x\n");
    let out = dir.path().join("out.parquet");
    let failed = e.read(mixed.to_str().unwrap(), Some("label")).and_then(|t| {
        let df = e.under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 0)?;
        e.write(df, &out)
    });
    assert!(failed.is_err(), "{failed:?}");
    assert!(!out.exists());
    // A text feature for SMOTE, an unknown file type, a missing file.
    let text = write(dir.path(), "t.csv", "a,city,label\n1,x,p\n2,y,p\n3,z,q\n4,w,q\n5,v,q\n");
    let t = e.read(text.to_str().unwrap(), Some("label")).unwrap();
    let spec: SamplerSpec = serde_json::from_str("\"SMOTE\"").unwrap();
    let err = e
        .over_sample_in_memory(&t, &spec, &SamplingStrategy::Auto, 0, 1)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("\"city\""), "{err}");
    assert!(e.read("data.xlsx", Some("label")).is_err());
    assert!(e
        .read(dir.path().join("none.csv").to_str().unwrap(), Some("label"))
        .is_err());
    // A sampler that looks at every class's rows is refused by name.
    let spec: SamplerSpec = serde_json::from_str("\"SVMSMOTE\"").unwrap();
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let err = e
        .over_sample_in_memory(&t, &spec, &SamplingStrategy::Auto, 0, 1)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("SVMSMOTE"), "{err}");
    // One class, a missing target value, an output under a file: typed errors.
    let one = write(dir.path(), "one.csv", "a,label\n1,x\n2,x\n");
    let t = e.read(one.to_str().unwrap(), Some("label")).unwrap();
    let err = e
        .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 0)
        .err()
        .unwrap();
    assert!(matches!(err, ScaleError::Strategy(_)), "{err}");
    let holes = write(dir.path(), "holes.csv", "a,label\n1,x\n2,\n3,y\n");
    let t = e.read(holes.to_str().unwrap(), Some("label")).unwrap();
    let err = e.class_counts(&t).err().unwrap().to_string();
    assert!(err.contains("missing"), "{err}");
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let df = e
        .under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 0)
        .unwrap();
    // A file where the output's folder should be.
    let nowhere = csv.join("out.parquet");
    assert!(matches!(e.write(df, &nowhere), Err(ScaleError::Write { .. })));
    // Reader options the engine does not take, named; the target alone is fine.
    let drop = imbalanced_data::ReadOptions {
        drop: vec!["a".into()],
        ..Default::default()
    };
    let err = imbalanced_datafusion::check_read_options(&drop)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("--drop is not supported"), "{err}");
    let target = imbalanced_data::ReadOptions {
        target: Some("label".into()),
        ..Default::default()
    };
    assert!(imbalanced_datafusion::check_read_options(&target).is_ok());
    // Nothing else was written.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.iter().all(|n| !n.to_string_lossy().contains("tmp")), "{left:?}");
}

#[test]
fn written_files_read_back_to_the_same_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let e = engine(4);
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let want = rows(
        &e.collect(
            e.under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 2)
                .unwrap(),
        )
        .unwrap(),
    );
    for name in ["out.parquet", "out.csv"] {
        let out = dir.path().join(name);
        let n = e
            .write(
                e.under_sample(&t, &SamplingStrategy::Auto, Selection::Exact, 2)
                    .unwrap(),
                &out,
            )
            .unwrap();
        assert_eq!(n, 120);
        let back = e.read(out.to_str().unwrap(), Some("label")).unwrap();
        assert_eq!(rows(&e.collect(back.frame()).unwrap()).len(), 120);
        // Read back in file order: the written order.
        let again = rows(&e.collect(back.frame()).unwrap());
        assert_eq!(again, want, "{name}");
    }
}

#[test]
fn dirichlet_partitions_have_flwr_datasets_counts_on_any_partitioning() {
    use imbalanced_federated::partition::DirichletPartitioner;
    use imbalanced_federated::{Column, Partition};
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let partitioner = DirichletPartitioner {
        num_partitions: 5,
        alpha: serde_json::from_str("0.5").unwrap(),
        seed: 11,
        ..Default::default()
    };
    let out = on_any_partitioning(&csv, |e, t| {
        rows(&e.collect(e.dirichlet_partitions(t, &partitioner).unwrap()).unwrap())
    });
    let mut got: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in &out {
        let f: Vec<&str> = r.split(',').collect();
        *got.entry((f[4].to_string(), f[3].to_string())).or_insert(0) += 1;
    }
    // In memory, on the labels: the same clients x classes counts.
    let data = imbalanced_data::read(&csv, &imbalanced_data::ReadOptions::default()).unwrap();
    let parts = partitioner
        .partition(Column::new(data.y(), data.classes().len()).unwrap())
        .unwrap();
    let mut want: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (p, rows) in parts.iter().enumerate() {
        for &r in rows {
            *want
                .entry((p.to_string(), data.classes()[data.y()[r]].clone()))
                .or_insert(0) += 1;
        }
    }
    assert_eq!(got, want);
    assert!(want.len() > 5, "{want:?}");
}

/// Two overlapping classes: 300 "no" rows, 60 "yes" rows shifted by 0.3.
#[cfg(feature = "ballista")]
fn overlapping_text() -> String {
    let mut text = String::from("a,b,n,label\n");
    let mut state = 7u64;
    let mut next = || {
        state = imbalanced_datafusion::splitmix64(state);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..360 {
        let (shift, label) = if i % 6 == 0 { (0.3, "yes") } else { (0.0, "no") };
        text.push_str(&format!("{},{},{},{label}\n", shift + next(), shift + next(), next()));
    }
    text
}

/// Every operation, as rows: class counts, both under-samplings,
/// over-sampling, SMOTE, folds, Dirichlet partitions, NCR, and TomekLinks
/// and ENN on `two` (a file of two classes). The same on any engine that runs the
/// plans.
#[cfg(feature = "ballista")]
fn every_operation(e: &Engine, csv: &Path, two: &Path) -> Vec<Vec<String>> {
    use imbalanced_federated::partition::DirichletPartitioner;
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let counts = e.class_counts(&t).unwrap();
    let auto = SamplingStrategy::Auto;
    let smote = SamplerSpec::named("SMOTE");
    let partitioner = DirichletPartitioner {
        num_partitions: 3,
        seed: 5,
        ..Default::default()
    };
    let plans = [
        e.under_sample(&t, &auto, Selection::Exact, 7).unwrap(),
        e.under_sample(&t, &auto, Selection::Bernoulli, 7).unwrap(),
        e.over_sample(&t, &auto, 3).unwrap(),
        e.over_sample_in_memory(&t, &smote, &auto, 3, 1).unwrap(),
        e.over_sample_in_memory(&t, &smote, &auto, 3, 3).unwrap(),
        e.stratified_folds(&t, 5, 1).unwrap(),
        e.dirichlet_partitions(&t, &partitioner).unwrap(),
    ];
    let mut out = vec![counts.0.iter().map(|(l, n)| format!("{l}:{n}")).collect()];
    out.extend(plans.into_iter().map(|p| rows(&e.collect(p).unwrap())));
    let two = e.read(two.to_str().unwrap(), Some("label")).unwrap();
    out.push(rows(&e.collect(e.tomek_links(&two).unwrap()).unwrap()));
    for (table, method) in [(&two, "EditedNearestNeighbours"), (&t, "NeighbourhoodCleaningRule")] {
        let cleaned = e.resample(table, method, &[], Default::default(), 0).unwrap();
        out.push(rows(&e.collect(cleaned).unwrap()));
    }
    out
}

/// An in-process Ballista cluster (a scheduler and an executor on
/// loopback) runs every plan, and gives the embedded engine's rows.
#[cfg(feature = "ballista")]
#[test]
fn an_in_process_ballista_cluster_gives_the_embedded_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let two = write(dir.path(), "two.csv", &overlapping_text());
    let cluster = Engine::ballista(
        &EngineOptions {
            partitions: 4,
            ..Default::default()
        },
        None,
    )
    .unwrap();
    let (want, got) = (
        every_operation(&engine(4), &csv, &two),
        every_operation(&cluster, &csv, &two),
    );
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(w, g, "operation {i}");
    }
}

/// Child processes killed when dropped (a failing test leaves none behind;
/// each also has `--exit-after`, should this process be killed first).
#[cfg(feature = "ballista")]
struct Processes(Vec<std::process::Child>);

#[cfg(feature = "ballista")]
impl Drop for Processes {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// A port free now on loopback.
#[cfg(feature = "ballista")]
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A scheduler and two executors, each its own process (this crate's
/// binaries) on loopback, run every plan and give the embedded rows; both
/// executors take part. The processes stop by themselves after two minutes.
#[cfg(feature = "ballista")]
#[test]
fn a_scheduler_and_two_executor_processes_give_the_embedded_rows() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let two = write(dir.path(), "two.csv", &overlapping_text());
    let port = free_port();
    let mut processes = Processes(vec![Command::new(env!("CARGO_BIN_EXE_imbalanced-scheduler"))
        .args(["--bind-port", &port.to_string(), "--exit-after", "120"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()]);
    let work: Vec<PathBuf> = (0..2).map(|i| dir.path().join(format!("executor{i}"))).collect();
    for w in &work {
        std::fs::create_dir(w).unwrap();
        processes.0.push(
            Command::new(env!("CARGO_BIN_EXE_imbalanced-executor"))
                .args(["--scheduler", &format!("127.0.0.1:{port}")])
                .args(["--bind-port", &free_port().to_string()])
                .args(["--bind-grpc-port", &free_port().to_string()])
                .args(["--concurrent-tasks", "1", "--exit-after", "120"])
                .arg("--work-dir")
                .arg(w)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
    }
    let started = std::time::Instant::now();
    let address = format!("127.0.0.1:{port}");
    let cluster = loop {
        let opts = EngineOptions {
            partitions: 4,
            ..Default::default()
        };
        match Engine::ballista(&opts, Some(&address)) {
            Ok(e) => break e,
            Err(e) if started.elapsed().as_secs() > 30 => panic!("no scheduler after 30 s: {e}"),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(200)),
        }
    };
    let (want, got) = (
        every_operation(&engine(4), &csv, &two),
        every_operation(&cluster, &csv, &two),
    );
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        assert_eq!(w, g, "operation {i}");
    }
    // Both executors wrote shuffle files: the work was shared.
    for w in &work {
        let files = walk(w);
        assert!(files > 0, "{w:?} took no task");
    }
}

#[cfg(feature = "ballista")]
fn walk(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(feature = "ballista")]
#[test]
fn an_unreachable_scheduler_is_named_with_what_to_start() {
    let port = free_port();
    let e = Engine::ballista(&EngineOptions::default(), Some(&format!("127.0.0.1:{port}")));
    let message = e.err().unwrap().to_string();
    assert!(
        message.contains(&format!("cannot reach a Ballista scheduler at 127.0.0.1:{port}")),
        "{message}"
    );
    assert!(message.contains("imbalanced-executor"), "{message}");
    let e = Engine::ballista(&EngineOptions::default(), Some("nowhere"));
    assert!(e.err().unwrap().to_string().contains("give host:port"));
}

/// SMOTE in hash buckets, for classes too large to gather: the targets are
/// met exactly, the rows do not depend on the partitioning, the input rows
/// are all kept, the new rows lie within their class's range, and a bucket
/// too small for the neighbours says to give fewer.
#[test]
fn smote_in_buckets_meets_the_targets_on_any_partitioning() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "d.csv", &csv_text());
    let smote = SamplerSpec::named("SMOTE");
    let out = on_any_partitioning(&csv, |e, t| {
        let df = e
            .over_sample_in_memory(t, &smote, &SamplingStrategy::Auto, 9, 2)
            .unwrap();
        rows(&e.collect(df).unwrap())
    });
    assert_eq!(
        label_counts(&out),
        BTreeMap::from([("no".into(), 602), ("rare".into(), 602), ("yes".into(), 602)])
    );
    let e = engine(2);
    let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
    let exact = rows(
        &e.collect(
            e.over_sample_in_memory(&t, &smote, &SamplingStrategy::Auto, 9, 1)
                .unwrap(),
        )
        .unwrap(),
    );
    assert_ne!(out, exact, "buckets change the neighbours");
    // Every input row is in the output (as floats).
    let floats = |r: &String| -> (Vec<f64>, String) {
        let f: Vec<&str> = r.split(',').collect();
        (f[..3].iter().map(|v| v.parse().unwrap()).collect(), f[3].to_string())
    };
    let input = rows(&e.collect(t.frame()).unwrap());
    let output: Vec<(Vec<f64>, String)> = out.iter().map(floats).collect();
    for r in &input {
        assert!(output.contains(&floats(r)), "{r} lost");
    }
    // New rows lie between rows of their class: within its range.
    for label in ["rare", "yes"] {
        let class: Vec<Vec<f64>> = input
            .iter()
            .map(floats)
            .filter(|(_, l)| l == label)
            .map(|(x, _)| x)
            .collect();
        for (x, _) in output.iter().filter(|(_, l)| l == label) {
            for (j, v) in x.iter().enumerate() {
                let (lo, hi) = class.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), r| {
                    (lo.min(r[j]), hi.max(r[j]))
                });
                assert!(*v >= lo && *v <= hi, "{label} {j}: {v} outside {lo}..{hi}");
            }
        }
    }
    // 40 "rare" rows in 20 buckets: some bucket has fewer than k_neighbors + 1.
    let too_many = e
        .over_sample_in_memory(&t, &smote, &SamplingStrategy::Auto, 9, 20)
        .err()
        .unwrap()
        .to_string();
    assert!(too_many.contains("give fewer buckets"), "{too_many}");
    // Buckets are for SMOTE only.
    let given = [("sampling_strategy".to_string(), serde_json::json!("auto"))];
    let how = imbalanced_datafusion::Execution {
        buckets: 4,
        ..Default::default()
    };
    let refused = e
        .resample(&t, "RandomOverSampler", &given, how, 0)
        .err()
        .unwrap()
        .to_string();
    assert!(refused.contains("buckets is not supported"), "{refused}");
}
