//! SMOTE-NC and SMOTE-N: parity with imbalanced-learn and their defining properties.

mod common;
use common::light;

use std::path::Path;

use imbalanced_data::{Dataset, Feature, FeatureKind};
use imbalanced_resample::{Resampler, RngKind, SmoteN, SmoteNc};
use ndarray::Array2;
use serde::Deserialize;

#[derive(Deserialize)]
struct Record {
    seed: u64,
    k_neighbors: usize,
    num: Vec<Vec<f64>>,
    cat: Vec<Vec<String>>,
    y: Vec<usize>,
    num_res: Vec<Vec<f64>>,
    cat_res: Vec<Vec<String>>,
    y_res: Vec<usize>,
}

#[derive(Deserialize)]
struct Fixture {
    records: Vec<Record>,
}

/// A mixed dataset with numeric columns `n0..`, categorical `c0..`, labels "0", "1".
fn mixed(num: &[Vec<f64>], cat: &[Vec<String>], y: &[usize]) -> Dataset {
    let n = y.len();
    let (p, q) = (num[0].len(), cat[0].len());
    let mut features: Vec<Feature> = (0..p)
        .map(|j| Feature {
            name: format!("n{j}"),
            kind: FeatureKind::Numeric,
            index: j,
        })
        .collect();
    features.extend((0..q).map(|j| Feature {
        name: format!("c{j}"),
        kind: FeatureKind::Categorical,
        index: j,
    }));
    let mut dicts: Vec<Vec<String>> = (0..q)
        .map(|j| {
            let mut d: Vec<String> = cat.iter().map(|r| r[j].clone()).collect();
            d.sort();
            d.dedup();
            d
        })
        .collect();
    dicts.iter_mut().for_each(|d| d.sort());
    let codes = Array2::from_shape_fn((n, q), |(i, j)| {
        dicts[j].iter().position(|v| *v == cat[i][j]).unwrap() as u32
    });
    let x = Array2::from_shape_fn((n, p), |(i, j)| num[i][j]);
    Dataset::from_parts(
        features,
        x,
        codes,
        dicts,
        "y".into(),
        p + q,
        vec!["0".into(), "1".into()],
        y.to_vec(),
    )
    .unwrap()
}

#[test]
fn smotenc_matches_imblearn() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/smotenc.json");
    let fx: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for rec in &fx.records {
        let data = mixed(&rec.num, &rec.cat, &rec.y);
        let out = SmoteNc::default()
            .k_neighbors(rec.k_neighbors)
            .random_state(rec.seed)
            .rng(RngKind::Numpy)
            .fit_resample_dataset(&data)
            .unwrap();
        assert_eq!(out.y(), rec.y_res.as_slice(), "seed {}", rec.seed);
        for (i, want) in rec.num_res.iter().enumerate() {
            for (j, w) in want.iter().enumerate() {
                let got = out.numeric()[(i, j)];
                assert!(
                    (got - w).abs() <= 1e-12 * (1.0 + w.abs()),
                    "seed {} row {i}: {got} vs {w}",
                    rec.seed
                );
            }
        }
        for (i, want) in rec.cat_res.iter().enumerate() {
            for (j, w) in want.iter().enumerate() {
                let got = &out.categories()[j][out.categorical()[(i, j)] as usize];
                assert_eq!(got, w, "seed {} row {i} column {j}", rec.seed);
            }
        }
    }
}

#[test]
fn smotenc_values_are_the_neighbours_most_frequent() {
    // Minority rows 0..4 sit far from rows 4..8; their categories differ by group,
    // so with k = 3 every new sample copies its own group's category.
    let num: Vec<Vec<f64>> = (0..8)
        .map(|i| {
            vec![if i < 4 {
                i as f64 * 0.01
            } else {
                100.0 + i as f64 * 0.01
            }]
        })
        .collect();
    let mut all_num = num.clone();
    all_num.extend((0..20).map(|i| vec![50.0 + i as f64]));
    let mut cat: Vec<Vec<String>> = (0..8)
        .map(|i| vec![if i < 4 { "near" } else { "far" }.to_string()])
        .collect();
    cat.extend((0..20).map(|_| vec!["other".to_string()]));
    let y: Vec<usize> = (0..28).map(|i| usize::from(i < 8)).collect();
    let data = mixed(&all_num, &cat, &y);
    let out = SmoteNc::default()
        .k_neighbors(3)
        .random_state(5)
        .fit_resample_dataset(&data)
        .unwrap();
    assert_eq!(out.class_counts(), vec![20, 20]);
    for i in 28..out.n_samples() {
        let v = out.numeric()[(i, 0)];
        let c = &out.categories()[0][out.categorical()[(i, 0)] as usize];
        assert_eq!(c, if v < 50.0 { "near" } else { "far" }, "row {i} at {v}");
    }
}

#[test]
fn smoten_generates_only_the_classes_categories() {
    // imbalanced-learn's test_smoten_resampling: the minority class is all "blue".
    let colours = ["green", "red", "blue"];
    let mut cat = Vec::new();
    let mut y = Vec::new();
    for i in 0..40 {
        let minority = i % 4 == 0;
        cat.push(vec![
            if minority { "blue" } else { colours[i % 2] }.to_string(),
            ["s", "m"][i % 2].to_string(),
        ]);
        y.push(usize::from(minority));
    }
    let n = y.len();
    let features = vec![
        Feature {
            name: "colour".into(),
            kind: FeatureKind::Categorical,
            index: 0,
        },
        Feature {
            name: "size".into(),
            kind: FeatureKind::Categorical,
            index: 1,
        },
    ];
    let dicts = vec![
        vec!["blue".to_string(), "green".into(), "red".into()],
        vec!["m".to_string(), "s".into()],
    ];
    let codes = Array2::from_shape_fn((n, 2), |(i, j)| {
        dicts[j].iter().position(|v| *v == cat[i][j]).unwrap() as u32
    });
    let data = Dataset::from_parts(
        features,
        Array2::zeros((n, 0)),
        codes,
        dicts,
        "y".into(),
        2,
        vec!["0".into(), "1".into()],
        y,
    )
    .unwrap();
    let out = SmoteN::default().random_state(0).fit_resample_dataset(&data).unwrap();
    assert_eq!(out.class_counts(), vec![30, 30]);
    for i in n..out.n_samples() {
        assert_eq!(out.categorical()[(i, 0)], 0, "row {i} is not blue");
    }
    // Deterministic for a seed.
    assert_eq!(
        out,
        SmoteN::default().random_state(0).fit_resample_dataset(&data).unwrap()
    );
}

#[test]
fn categorical_samplers_refuse_the_wrong_inputs() {
    let data = Dataset::from_numeric(
        Array2::zeros((10, 2)),
        &["a", "a", "a", "a", "a", "a", "b", "b", "b", "b"],
    )
    .unwrap();
    let e = SmoteNc::default().fit_resample_dataset(&data).unwrap_err().to_string();
    assert!(e.contains("SMOTE"), "{e}");
    let e = SmoteN::default().fit_resample_dataset(&data).unwrap_err().to_string();
    assert!(e.contains("f0, f1"), "{e}");
    assert!(SmoteNc::default().fit_resample(data.numeric(), data.y()).is_err());
}

#[test]
fn every_sampler_handles_tiny_mixed_data_without_panicking() {
    let num = vec![vec![0.0], vec![1.0], vec![1.0], vec![5.0], vec![6.0]];
    let cat: Vec<Vec<String>> = ["a", "b", "a", "c", "c"].iter().map(|s| vec![s.to_string()]).collect();
    let data = mixed(&num, &cat, &[0, 0, 0, 1, 1]);
    for e in imbalanced_resample::SAMPLERS.entries {
        let info = e.info;
        let s = e
            .build_with(&light(info.name), &imbalanced_resample::randomness(0, RngKind::Default))
            .unwrap();
        let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| s.fit_resample_dataset(&data)));
        assert!(run.is_ok(), "{} panicked", info.name);
        if let Ok(Ok(out)) = run {
            // Whatever comes back keeps the schema and valid category codes.
            assert_eq!(out.features(), data.features());
            assert!(out
                .categorical()
                .iter()
                .all(|&c| (c as usize) < out.categories()[0].len()));
        }
    }
}

/// Mixed rows: numeric `n0` (real), `n1` (whole numbers), categorical `c0`
/// (3 values) and `c1` (2 values); class 1 is the rarer.
fn bucket_data(seed: u64) -> Dataset {
    let mut rng = imbalanced_resample::SamplerRng::new(RngKind::Default, seed);
    let y: Vec<usize> = (0..120).map(|i| usize::from(i % 6 == 0)).collect();
    let num: Vec<Vec<f64>> = y
        .iter()
        .map(|&c| vec![rng.standard_normal() + c as f64, rng.randint(10) as f64])
        .collect();
    let cat: Vec<Vec<String>> = y
        .iter()
        .map(|_| {
            vec![
                ["a", "b", "c"][rng.randint(3)].to_string(),
                ["x", "y"][rng.randint(2)].to_string(),
            ]
        })
        .collect();
    mixed(&num, &cat, &y)
}

#[test]
fn bucketed_smote_nc_interpolates_only_inside_a_categorical_signature() {
    use imbalanced_resample::BucketedSmoteNc;
    for seed in 0..5 {
        let data = bucket_data(seed);
        let out = BucketedSmoteNc::default()
            .random_state(seed)
            .fit_resample_dataset(&data)
            .unwrap();
        assert_eq!(out.class_counts(), vec![100, 100]);
        let again = BucketedSmoteNc::default()
            .random_state(seed)
            .fit_resample_dataset(&data)
            .unwrap();
        assert_eq!(out.numeric(), again.numeric());
        let n = data.n_samples();
        for r in n..out.n_samples() {
            let (c, sig) = (out.y()[r], out.categorical().row(r).to_vec());
            let bucket: Vec<usize> = (0..n)
                .filter(|&i| data.y()[i] == c && data.categorical().row(i).to_vec() == sig)
                .collect();
            assert!(
                !bucket.is_empty(),
                "row {r}: signature {sig:?} is not among class {c}'s rows"
            );
            for j in 0..2 {
                let v = out.numeric()[(r, j)];
                let (lo, hi) = bucket
                    .iter()
                    .map(|&i| data.numeric()[(i, j)])
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x), b.max(x)));
                assert!(
                    v >= lo - 0.5 && v <= hi + 0.5,
                    "row {r} column {j}: {v} outside [{lo}, {hi}]"
                );
                if j == 0 {
                    assert!(v >= lo - 1e-12 && v <= hi + 1e-12);
                }
            }
            assert_eq!(
                out.numeric()[(r, 1)].fract(),
                0.0,
                "the whole-number column stays whole"
            );
        }
    }
}

#[test]
fn bucketed_smote_nc_copies_a_bucket_of_one_and_runs_without_categories() {
    use imbalanced_resample::BucketedSmoteNc;
    // Class 1 has one row per signature: every new row copies one.
    let num = vec![vec![0.0], vec![1.0], vec![2.0], vec![3.0], vec![10.5], vec![20.5]];
    let cat: Vec<Vec<String>> = ["a", "a", "a", "a", "a", "b"]
        .iter()
        .map(|s| vec![s.to_string()])
        .collect();
    let data = mixed(&num, &cat, &[0, 0, 0, 0, 1, 1]);
    let out = BucketedSmoteNc::default().fit_resample_dataset(&data).unwrap();
    for r in 6..out.n_samples() {
        let v = out.numeric()[(r, 0)];
        let want = if out.categorical()[(r, 0)] == 0 { 10.5 } else { 20.5 };
        assert_eq!(v, want);
    }
    // Numeric data only: SMOTE inside the class, whole numbers kept whole.
    let x = Array2::from_shape_fn(
        (40, 2),
        |(i, j)| if j == 0 { (i * 7 % 13) as f64 } else { i as f64 * 0.37 },
    );
    let y: Vec<usize> = (0..40).map(|i| usize::from(i >= 32)).collect();
    let out = BucketedSmoteNc::default().fit_resample(x.view(), &y).unwrap();
    assert_eq!(out.y.iter().filter(|&&c| c == 1).count(), 32);
    for r in 40..out.y.len() {
        assert_eq!(out.x[(r, 0)].fract(), 0.0);
        assert!(out.x[(r, 1)] >= 32.0 * 0.37 - 1e-12 && out.x[(r, 1)] <= 39.0 * 0.37 + 1e-12);
    }
}
