//! The samplers that read rows' nearest rows, on the engine: the cleaning
//! samplers (TomekLinks, ENN, NCR) remove the rows the in-memory samplers
//! remove, and BorderlineSMOTE and ADASYN make the rows they make, on any
//! partitioning and chunking, with integer feature columns as read.

use std::path::{Path, PathBuf};

use datafusion::arrow::array::{AsArray, RecordBatch};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Float64Type};
use imbalanced_datafusion::{Engine, EngineOptions, Execution};
use serde_json::{json, Value};

/// Overlapping classes: "no" (shift 0), "yes" (shift 0.3), and where
/// `three`, "rare" (shift 0.6), one in 6 and one in 15 rows; two float
/// features and an integer one (0-2); and a few exact duplicate rows.
fn overlapping(rows: usize, three: bool) -> String {
    let mut text = String::from("a,b,n,label\n");
    let mut state = 11u64;
    let mut next = || {
        state = imbalanced_datafusion::splitmix64(state);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for i in 0..rows {
        let (shift, label) = match (i % 6, i % 15) {
            (_, 0) if three => (0.6, "rare"),
            (0, _) => (0.3, "yes"),
            _ => (0.0, "no"),
        };
        let n = (next() * 3.0).floor();
        text.push_str(&format!("{},{},{n},{label}\n", shift + next(), shift + next()));
    }
    // Exact duplicates: one key each, removed or kept together.
    text.push_str("0.41,0.43,1,no\n0.41,0.43,1,no\n0.41,0.43,1,no\n0.12,0.2,0,yes\n0.12,0.2,0,yes\n");
    text
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Rows as sorted text, features as numbers.
fn sorted_rows(batches: &[RecordBatch]) -> Vec<String> {
    let mut out = Vec::new();
    for b in batches {
        let f = |j: usize| cast(b.column(j), &DataType::Float64).unwrap();
        let (a, bb, n) = (f(0), f(1), f(2));
        let label = cast(b.column(3), &DataType::Utf8).unwrap();
        for i in 0..b.num_rows() {
            let v = |c: &datafusion::arrow::array::ArrayRef| c.as_primitive::<Float64Type>().value(i);
            out.push(format!(
                "{},{},{},{}",
                v(&a),
                v(&bb),
                v(&n),
                label.as_string::<i32>().value(i)
            ));
        }
    }
    out.sort();
    out
}

/// What the in-memory sampler keeps, as sorted text.
fn in_memory(csv: &Path, method: &str, params: &[(String, Value)]) -> Vec<String> {
    let data = imbalanced_data::read(csv, &imbalanced_data::ReadOptions::default()).unwrap();
    let sampler = imbalanced_resample::SAMPLERS.build(method, params, &[]).unwrap();
    let out = sampler.fit_resample_dataset(&data).unwrap();
    let x = out.numeric();
    let mut rows: Vec<String> = (0..out.n_samples())
        .map(|r| {
            format!(
                "{},{},{},{}",
                x[(r, 0)],
                x[(r, 1)],
                x[(r, 2)],
                out.classes()[out.y()[r]]
            )
        })
        .collect();
    rows.sort();
    rows
}

/// The engine's rows for every partitioning and chunk size, checked equal
/// to the in-memory sampler's; how many rows it removed (negative: added).
fn same_as_in_memory(csv: &Path, method: &str, params: &[(String, Value)]) -> isize {
    let want = in_memory(csv, method, params);
    for (partitions, chunk_rows) in [(1, None), (4, None), (16, Some(97)), (4, Some(7))] {
        let e = Engine::new(&EngineOptions {
            partitions,
            chunk_rows,
            ..Default::default()
        })
        .unwrap();
        let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
        let df = e.resample(&t, method, params, Execution::default(), 0).unwrap();
        let got = sorted_rows(&e.collect(df).unwrap());
        assert_eq!(
            got, want,
            "{method} {params:?} on {partitions} partitions, chunks of {chunk_rows:?}"
        );
    }
    let n = std::fs::read_to_string(csv).unwrap().lines().count() - 1;
    n as isize - want.len() as isize
}

fn params(v: Value) -> Vec<(String, Value)> {
    v.as_object().unwrap().clone().into_iter().collect()
}

#[test]
fn enn_ncr_and_tomek_links_remove_the_in_memory_samplers_rows() {
    let dir = tempfile::tempdir().unwrap();
    let three = write(dir.path(), "three.csv", &overlapping(420, true));
    let two = write(dir.path(), "two.csv", &overlapping(300, false));
    let enn = "EditedNearestNeighbours";
    let ncr = "NeighbourhoodCleaningRule";
    for (csv, method, given) in [
        (&two, enn, json!({})),
        (&three, enn, json!({})),
        (&three, enn, json!({"kind_sel": "mode"})),
        (&three, enn, json!({"n_neighbors": 5, "sampling_strategy": "all"})),
        (&three, enn, json!({"sampling_strategy": "not majority"})),
        (&three, enn, json!({"sampling_strategy": ["rare"], "kind_sel": "mode"})),
        (&two, enn, json!({"n_neighbors": 1})),
        (&two, ncr, json!({})),
        (&three, ncr, json!({})),
        (&three, ncr, json!({"threshold_cleaning": 0.0, "n_neighbors": 4})),
        (&three, ncr, json!({"sampling_strategy": "majority"})),
        (&two, "TomekLinks", json!({})),
    ] {
        let removed = same_as_in_memory(csv, method, &params(given.clone()));
        assert!(removed > 0, "{method} {given}: the data has rows to remove");
    }
    // TomekLinks takes two classes, and says so.
    let e = Engine::new(&EngineOptions::default()).unwrap();
    let t = e.read(three.to_str().unwrap(), Some("label")).unwrap();
    assert!(e.tomek_links(&t).err().unwrap().to_string().contains("two classes"));
}

#[test]
fn borderline_smote_and_adasyn_make_the_in_memory_samplers_rows() {
    let dir = tempfile::tempdir().unwrap();
    let three = write(dir.path(), "three.csv", &overlapping(420, true));
    let two = write(dir.path(), "two.csv", &overlapping(300, false));
    for (csv, method, given) in [
        (&two, "BorderlineSMOTE", json!({})),
        (
            &three,
            "BorderlineSMOTE",
            json!({"m_neighbors": 4, "k_neighbors": 3, "random_state": 9}),
        ),
        (&two, "ADASYN", json!({})),
        (&three, "ADASYN", json!({"n_neighbors": 3})),
    ] {
        let added = -same_as_in_memory(csv, method, &params(given.clone()));
        assert!(added > 0, "{method} {given}: rows are added");
    }
    let e = Engine::new(&EngineOptions::default()).unwrap();
    let t = e.read(two.to_str().unwrap(), Some("label")).unwrap();
    let refused = |method: &str, given: Value, how: Execution| {
        e.resample(&t, method, &params(given), how, 0)
            .err()
            .unwrap()
            .to_string()
    };
    let two_kind = refused("BorderlineSMOTE", json!({"kind": "borderline-2"}), Execution::default());
    assert!(two_kind.contains("borderline-1"), "{two_kind}");
    let bucketed = refused("ADASYN", json!({}), Execution::new(false, 3));
    assert!(bucketed.contains("buckets are for SMOTE"), "{bucketed}");
}

#[test]
fn bad_settings_and_small_tables_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let two = write(dir.path(), "two.csv", &overlapping(300, false));
    let tiny = write(
        dir.path(),
        "tiny.csv",
        "a,b,n,label\n0.1,0.2,1,no\n0.3,0.1,0,no\n0.9,0.8,2,yes\n",
    );
    let text = write(
        dir.path(),
        "text.csv",
        "a,c,label\n0.1,x,no\n0.2,y,no\n0.3,z,yes\n0.4,x,no\n",
    );
    let e = Engine::new(&EngineOptions::default()).unwrap();
    let run = |csv: &Path, method: &str, given: Value| {
        let t = e.read(csv.to_str().unwrap(), Some("label")).unwrap();
        e.resample(&t, method, &params(given), Execution::default(), 0)
            .err()
            .unwrap()
            .to_string()
    };
    assert!(run(&two, "enn", json!({"n_neighbors": 0})).contains("n_neighbors"));
    assert!(run(&two, "ncr", json!({"threshold_cleaning": 2.0})).contains("threshold_cleaning"));
    assert!(run(&tiny, "enn", json!({"n_neighbors": 3})).contains("n_neighbors"));
    assert!(run(&text, "enn", json!({})).contains("\"c\""));
    let bad = run(&two, "enn", json!({"kind_sel": "most"}));
    assert!(bad.contains("kind_sel"), "{bad}");
    let err = Engine::new(&EngineOptions {
        chunk_rows: Some(0),
        ..Default::default()
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("chunk_rows"));
}
