//! smote-variants 1.0.1's samplers: our output equals theirs on bundled
//! data, binary and multiclass (fixture scripts/fixtures/sv_samplers.py).

use imbalanced_resample::{randomness, RngKind, SAMPLERS};
use ndarray::Array2;

fn matrix(v: &serde_json::Value, d: usize) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

#[test]
fn samplers_equal_smote_variants_output() {
    let fixture: serde_json::Value = serde_json::from_str(include_str!("fixtures/smote_variants.json")).unwrap();
    for data in fixture["datasets"].as_array().unwrap() {
        let file = data["file"].as_str().unwrap();
        let y: Vec<usize> = serde_json::from_value(data["y"].clone()).unwrap();
        let d = data["x"][0].as_array().unwrap().len();
        let x = matrix(&data["x"], d);
        // Classes whose rows have equal means: polynom_fit_SMOTE_poly's
        // order of them is NumPy's unstable argsort's, ours keeps the data's.
        let tied: Vec<usize> = serde_json::from_value(data["tied_means"].clone()).unwrap();
        for case in data["results"].as_array().unwrap() {
            let name = case["sampler"].as_str().unwrap();
            let params: Vec<(String, serde_json::Value)> = case["params"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let seed = case["random_state"].as_u64().unwrap_or(0);
            let sampler = SAMPLERS
                .build(name, &params, &randomness(seed, RngKind::Numpy))
                .unwrap();
            let want_y: Vec<usize> = serde_json::from_value(case["y"].clone()).unwrap();
            // Where no core distance is within max_eps, smote-variants' SMOBD
            // leaves the class as it is; ours says so.
            let counts = imbalanced_resample::class_counts(&y);
            let most = counts.values().max().copied().unwrap();
            let skipped = counts.iter().any(|(&c, &n)| n > 2 && n < most && !want_y.contains(&c));
            if name == "SMOBD" && skipped {
                let err = sampler.fit_resample(x.view(), &y).unwrap_err().to_string();
                assert!(err.contains("max_eps"), "{file}: {err}");
                continue;
            }
            let out = sampler.fit_resample(x.view(), &y).unwrap();
            let want = matrix(&case["x"], d);
            let kept: Vec<usize> = serde_json::from_value(case["kept"].clone()).unwrap();
            let ours_kept: Vec<usize> = out.origin.iter().filter_map(|o| *o).collect();
            assert_eq!(ours_kept, kept, "{file} {name} {params:?}: input rows kept");
            let rows: Vec<usize> = (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect();
            assert_eq!(rows.len(), want.nrows(), "{file} {name} {params:?}: synthetic rows");
            assert!(
                rows.iter().enumerate().all(|(i, &r)| r == kept.len() + i),
                "synthetic rows follow the input"
            );
            let got_y: Vec<usize> = rows.iter().map(|&r| out.y[r]).collect();
            assert_eq!(got_y, want_y, "{file} {name} {params:?}: labels");
            for (i, &r) in rows.iter().enumerate() {
                // The cases the fixture script says differ (and why): only the counts compare.
                if !case["inexact"].is_null() || (name == "polynom_fit_SMOTE_poly" && tied.contains(&out.y[r])) {
                    assert!(out.x.row(r).iter().all(|v| v.is_finite()));
                    continue;
                }
                for j in 0..d {
                    let (g, w) = (out.x[(r, j)], want[(i, j)]);
                    assert!(
                        (g - w).abs() <= 1e-9 * w.abs().max(1.0),
                        "{file} {name} {params:?}: row {i} column {j}: {g} vs smote-variants {w}"
                    );
                }
            }
        }
    }
}

/// Gaussian rows: `sizes[c]` rows of class `c`, 3 features.
fn gaussian(sizes: &[usize]) -> (Array2<f64>, Vec<usize>) {
    let mut rng = imbalanced_resample::SamplerRng::new(RngKind::Default, 3);
    let y: Vec<usize> = sizes
        .iter()
        .enumerate()
        .flat_map(|(c, &n)| std::iter::repeat_n(c, n))
        .collect();
    let x = Array2::from_shape_fn((y.len(), 3), |(i, _)| rng.standard_normal() + y[i] as f64);
    (x, y)
}

#[test]
fn bad_parameters_are_refused_by_name() {
    let (x, y) = gaussian(&[30, 8]);
    let cases: [(&str, &str, serde_json::Value); 12] = [
        ("ProWSyn", "theta", (-1.0).into()),
        ("ProWSyn", "L", 0.into()),
        ("Lee", "rejection_level", 1.5.into()),
        ("SMOBD", "eta1", 2.0.into()),
        ("SMOBD", "min_samples", 1.into()),
        ("G_SMOTE", "method", "non-linear_1.0".into()),
        ("CCR", "energy", (-1.0).into()),
        ("LVQ_SMOTE", "n_clusters", 2.into()),
        ("Assembled_SMOTE", "thres", 2.0.into()),
        ("SMOTE_IPF", "n_folds", 1.into()),
        ("SMOTE_TomekLinks", "proportion", (-0.5).into()),
        ("SMOTE_IPF", "voting", "unanimous".into()),
    ];
    for (name, param, value) in cases {
        let built = SAMPLERS.build(name, &[(param.to_string(), value.clone())], &[]);
        let message = match built {
            Err(e) => e.to_string(),
            Ok(s) => s.fit_resample(x.view(), &y).unwrap_err().to_string(),
        };
        assert!(message.contains(param), "{name} {param}={value}: {message}");
    }
}

#[test]
fn classes_of_two_rows_or_nothing_to_add_come_back_unchanged() {
    for (sizes, proportion) in [(&[30, 2][..], 1.0), (&[30, 8][..], 0.0)] {
        let (x, y) = gaussian(sizes);
        for name in [
            "ProWSyn",
            "Lee",
            "SMOBD",
            "G_SMOTE",
            "CCR",
            "LVQ_SMOTE",
            "Assembled_SMOTE",
            "SMOTE_IPF",
        ] {
            let s = SAMPLERS
                .build(name, &[("proportion".into(), proportion.into())], &[])
                .unwrap();
            let out = s.fit_resample(x.view(), &y).unwrap();
            assert_eq!(out.x, x, "{name} {sizes:?} proportion {proportion}");
            assert_eq!(out.y, y);
        }
    }
}

#[test]
fn lee_keeps_rows_that_a_held_out_majority_vote_accepts() {
    // Rejection raises the share of new rows whose neighbours are mostly
    // minority, against plain segments to minority neighbours.
    let (x, y) = gaussian(&[200, 25]);
    let share = |name: &str| {
        let out = SAMPLERS
            .build(name, &[], &[])
            .unwrap()
            .fit_resample(x.view(), &y)
            .unwrap();
        let index = imbalanced_neighbors::KnnIndex::new(x.view());
        let new: Vec<usize> = (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect();
        let rows = imbalanced_data::take_rows(out.x.view(), &new);
        let found = index.query(rows.view(), 5).unwrap().indices;
        let good = found
            .rows()
            .into_iter()
            .filter(|r| r.iter().filter(|&&i| y[i] == 0).count() < 3)
            .count();
        good as f64 / new.len() as f64
    };
    assert!(
        share("Lee") > share("SMOTE_TomekLinks") + 0.1,
        "{} vs {}",
        share("Lee"),
        share("SMOTE_TomekLinks")
    );
}
