//! Conformance with imbalanced-learn 0.14.2: the fixtures under
//! `tests/fixtures/` were written by `scripts/fixtures/generate.py`.
//! Randomised samplers run in NumPy parity mode with the same seed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use imbalanced_catalog::value_from_text;
use imbalanced_resample::{code_labels, randomness, RngKind, SAMPLERS};
use ndarray::Array2;
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    sampler: String,
    params: BTreeMap<String, String>,
    seed: Option<u64>,
    #[serde(default)]
    y: Vec<i64>,
    skip_rows: Option<usize>,
    x: Option<Vec<Vec<f64>>>,
    sample_indices: Option<Vec<usize>>,
    n_iter: Option<usize>,
    error: Option<String>,
    test: Option<String>,
    x_in: Option<Vec<Vec<f64>>>,
    y_in: Option<Vec<i64>>,
}

#[derive(Deserialize)]
struct Fixture {
    records: Vec<Record>,
    dataset: Option<String>,
    n: Option<usize>,
    tied_rows: Option<usize>,
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn load(path: &Path) -> Fixture {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn matrix(rows: &[Vec<f64>]) -> Array2<f64> {
    let d = rows.first().map_or(0, Vec::len);
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

/// The record's parameters as values (the fixture writes them as text).
fn params(rec: &Record) -> Vec<(String, serde_json::Value)> {
    rec.params
        .iter()
        .map(|(k, v)| (k.clone(), value_from_text(v)))
        .collect()
}

/// Runs one record; `Err` describes the first difference.
fn check(rec: &Record, x: &Array2<f64>, labels: &[i64]) -> Result<(), String> {
    let mut classes: Vec<i64> = labels.to_vec();
    classes.sort_unstable();
    classes.dedup();
    let names: Vec<String> = classes.iter().map(i64::to_string).collect();
    let y: Vec<usize> = labels.iter().map(|l| classes.binary_search(l).unwrap()).collect();
    let sampler = SAMPLERS
        .build(
            &rec.sampler,
            &params(rec),
            &randomness(rec.seed.unwrap_or(0), RngKind::Numpy),
        )
        .map_err(|e| format!("build: {e}"))?;
    let out = match (sampler.fit_resample_labelled(x.view(), &y, &names), &rec.error) {
        (Err(_), Some(_)) => return Ok(()),
        (Ok(_), Some(want)) => return Err(format!("expected an error like {want:?}")),
        (Err(e), None) => return Err(format!("unexpected error: {e}")),
        (Ok(out), None) => out,
    };
    let got_y: Vec<i64> = out.y.iter().map(|&c| classes[c]).collect();
    if got_y != rec.y {
        return Err(format!(
            "labels differ: {} rows vs {} expected",
            got_y.len(),
            rec.y.len()
        ));
    }
    if let Some(want) = &rec.sample_indices {
        // Rows equal to input rows (a zero shrinkage makes synthetic rows equal too).
        if out.x != x.select(ndarray::Axis(0), want) {
            return Err("the output rows are not the input rows imbalanced-learn keeps".into());
        }
        let got = out.sample_indices();
        if out.n_synthetic() == 0 && &got != want {
            let first = got.iter().zip(want).position(|(a, b)| a != b);
            return Err(format!(
                "sample_indices differ (first at {first:?}, {} vs {})",
                got.len(),
                want.len()
            ));
        }
    }
    if let (Some(skip), Some(want)) = (rec.skip_rows, &rec.x) {
        if skip > 0 && out.x.slice(ndarray::s![..skip, ..]) != x.view() {
            return Err("the output does not start with the input".into());
        }
        let got = out.x.slice(ndarray::s![skip.., ..]);
        let want = matrix(want);
        if got.dim() != want.dim() {
            return Err(format!("shape {:?} vs {:?}", got.dim(), want.dim()));
        }
        for ((idx, a), b) in got.indexed_iter().zip(want.iter()) {
            if (a - b).abs() > 1e-12 * (1.0 + b.abs()) {
                return Err(format!("x{idx:?} = {a} vs {b}"));
            }
        }
    }
    Ok(())
}

fn describe(rec: &Record) -> String {
    format!("{} {:?} seed={:?}", rec.sampler, rec.params, rec.seed)
}

#[test]
fn imblearn_hard_coded_tests() {
    let fx = load(&fixtures().join("imblearn_tests.json"));
    assert!(fx.records.len() >= 30);
    let mut failures = Vec::new();
    for rec in &fx.records {
        let x = matrix(rec.x_in.as_ref().unwrap());
        if let Err(e) = check(rec, &x, rec.y_in.as_ref().unwrap()) {
            failures.push(format!(
                "{}: {}: {e}",
                rec.test.as_deref().unwrap_or("?"),
                describe(rec)
            ));
        }
        if let Some(n_iter) = rec.n_iter {
            let renn: imbalanced_resample::RepeatedEditedNearestNeighbours =
                serde_json::from_value(SAMPLERS.find("RENN").unwrap().configure(&params(rec), &[]).unwrap()).unwrap();
            let y: Vec<usize> = rec.y_in.as_ref().unwrap().iter().map(|&l| l as usize).collect();
            let (_, got) = renn.fit_resample_iter(x.view(), &y, &code_labels(&y)).unwrap();
            if got != n_iter {
                failures.push(format!("{}: n_iter {got} vs {n_iter}", describe(rec)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn keel_datasets_match_imblearn() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/keel");
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures().join("keel"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 6);
    let mut failures = Vec::new();
    let (mut checked, mut strict_sets, mut loose) = (0, 0, Vec::new());
    for f in files {
        let fx = load(&f);
        let name = fx.dataset.unwrap();
        // Exact ties among neighbours are ordered by scikit-learn's KD-tree
        // traversal; datasets with many are compared for errors only.
        let strict = fx.tied_rows.unwrap() * 10 < fx.n.unwrap();
        strict_sets += usize::from(strict);
        let ds = imbalanced_data::read(data.join(format!("{name}.csv")), &Default::default()).unwrap();
        let labels: Vec<i64> = ds.y().iter().map(|&c| ds.classes()[c].parse().unwrap()).collect();
        let x = ds.numeric().to_owned();
        for rec in &fx.records {
            checked += 1;
            match check(rec, &x, &labels) {
                Err(e) if strict || e.contains("error") => failures.push(format!("{name}: {}: {e}", describe(rec))),
                Err(_) => loose.push(format!("{name}: {}", describe(rec))),
                Ok(()) => {}
            }
        }
    }
    println!(
        "{} of {checked} records differ on tie-heavy datasets:\n{}",
        loose.len(),
        loose.join("\n")
    );
    assert!(strict_sets >= 6, "only {strict_sets} datasets are compared exactly");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
