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
            let out = sampler.fit_resample(x.view(), &y).unwrap();
            let want_y: Vec<usize> = serde_json::from_value(case["y"].clone()).unwrap();
            let want = matrix(&case["x"], d);
            let rows: Vec<usize> = (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect();
            assert_eq!(rows.len(), want.nrows(), "{file} {name} {params:?}: synthetic rows");
            assert!(
                rows.iter().enumerate().all(|(i, &r)| r == x.nrows() + i),
                "synthetic rows follow the input"
            );
            let got_y: Vec<usize> = rows.iter().map(|&r| out.y[r]).collect();
            assert_eq!(got_y, want_y, "{file} {name} {params:?}: labels");
            for (i, &r) in rows.iter().enumerate() {
                if name == "polynom_fit_SMOTE_poly" && tied.contains(&out.y[r]) {
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
