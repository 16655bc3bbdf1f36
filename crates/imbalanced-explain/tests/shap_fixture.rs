//! Our attributions against shap 0.51's on the same models
//! (scripts/fixtures/shap_values.py): scikit-learn's trees loaded into
//! ours for TreeSHAP (`TreeExplainer`, path-dependent), a multinomial
//! logistic regression's coefficients for linear SHAP (`LinearExplainer`).

use imbalanced_explain::{forest, linear};
use imbalanced_models::FittedTree;
use ndarray::{Array2, Array3};
use serde_json::Value;

fn fixture() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/shap_values.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).unwrap()
}

fn cube(v: &Value) -> Array3<f64> {
    let c: Vec<Vec<Vec<f64>>> = serde_json::from_value(v.clone()).unwrap();
    let (k, n, d) = (c.len(), c[0].len(), c[0][0].len());
    Array3::from_shape_vec((k, n, d), c.concat().concat()).unwrap()
}

/// data/keel/ecoli.csv's features as float32 values, as the fixture fitted them.
fn ecoli_rows(n: usize) -> Array2<f64> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/keel/ecoli.csv")).unwrap();
    let rows: Vec<Vec<f64>> = text
        .lines()
        .skip(1)
        .take(n)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            f[..f.len() - 1]
                .iter()
                .map(|v| f64::from(v.parse::<f32>().unwrap()))
                .collect()
        })
        .collect();
    let d = rows[0].len();
    Array2::from_shape_vec((rows.len(), d), rows.concat()).unwrap()
}

/// The trees of a fixture case, loaded from scikit-learn's arrays.
fn trees_of(case: &Value, d: usize) -> Vec<FittedTree> {
    case["trees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            FittedTree::from_arrays(
                &serde_json::from_value::<Vec<(i64, i64)>>(t["children"].clone()).unwrap(),
                &serde_json::from_value::<Vec<usize>>(t["feature"].clone()).unwrap(),
                &serde_json::from_value::<Vec<f64>>(t["threshold"].clone()).unwrap(),
                &serde_json::from_value::<Vec<Vec<f64>>>(t["value"].clone()).unwrap(),
                &serde_json::from_value::<Vec<f64>>(t["cover"].clone()).unwrap(),
                d,
            )
            .unwrap()
        })
        .collect()
}

fn close(a: &Array3<f64>, b: &Array3<f64>, tol: f64, what: &str) {
    assert_eq!(a.dim(), b.dim(), "{what}");
    let worst = a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max);
    assert!(worst < tol, "{what}: largest difference {worst}");
}

#[test]
fn tree_shap_equals_shaps_tree_explainer() {
    let f = fixture();
    let d = f["n_features"].as_u64().unwrap() as usize;
    let rows = ecoli_rows(40);
    for case in f["trees"].as_array().unwrap() {
        let trees = trees_of(case, d);
        let model = case["model"].as_str().unwrap();
        // The loaded trees predict what scikit-learn's did.
        let proba = FittedTree::mean_proba(&trees, rows.view(), d).unwrap();
        let want = matrix(&case["proba"]);
        assert!(
            proba.iter().zip(&want).all(|(a, b)| (a - b).abs() < 1e-12),
            "{model}: predictions"
        );
        let a = forest(&trees, rows.view()).unwrap();
        let base: Vec<f64> = serde_json::from_value(case["expected_value"].clone()).unwrap();
        for (x, y) in a.base_values.iter().zip(&base) {
            assert!(
                (x - y).abs() < 1e-9,
                "{model}: base values {:?} vs {base:?}",
                a.base_values
            );
        }
        close(&a.values, &cube(&case["values"]), 1e-9, model);
    }
}

#[test]
fn linear_shap_equals_shaps_linear_explainer() {
    let f = fixture();
    let lin = &f["linear"];
    let coef = matrix(&lin["coef"]);
    let intercept: Vec<f64> = serde_json::from_value(lin["intercept"].clone()).unwrap();
    // The standardised rows, as the fixture standardised them.
    let x = ecoli_rows(336);
    let mean = x.mean_axis(ndarray::Axis(0)).unwrap();
    let std = x.std_axis(ndarray::Axis(0), 0.0);
    let z = (&x - &mean) / &std;
    let a = linear(coef.view(), &intercept, z.view(), z.slice(ndarray::s![..40, ..])).unwrap();
    let base: Vec<f64> = serde_json::from_value(lin["expected_value"].clone()).unwrap();
    for (x, y) in a.base_values.iter().zip(&base) {
        assert!((x - y).abs() < 1e-9, "base values {:?} vs {base:?}", a.base_values);
    }
    close(&a.values, &cube(&lin["values"]), 1e-9, "linear");
}

#[test]
fn permutation_importance_equals_scikit_learns_for_the_same_tree_and_seed() {
    use imbalanced_explain::{ExplainError, PermutationImportance};
    use imbalanced_models::Predict;
    let f = fixture();
    let d = f["n_features"].as_u64().unwrap() as usize;
    let tree = trees_of(&f["trees"][0], d).remove(0);
    let x = ecoli_rows(336);
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/keel/ecoli.csv")).unwrap();
    let labels: Vec<&str> = text.lines().skip(1).map(|l| l.rsplit(',').next().unwrap()).collect();
    let mut classes = labels.clone();
    classes.sort_unstable();
    classes.dedup();
    let y: Vec<usize> = labels
        .iter()
        .map(|l| classes.iter().position(|c| c == l).unwrap())
        .collect();
    for case in f["permutation"].as_array().unwrap() {
        let settings = PermutationImportance {
            n_repeats: case["n_repeats"].as_u64().unwrap() as usize,
            random_state: case["random_state"].as_u64().unwrap() as u32,
            scoring: case["scoring"].as_str().unwrap().parse().unwrap(),
            max_samples: case["max_samples"].to_string().parse().unwrap(),
        };
        let got = settings
            .compute(
                |rows| tree.predict(rows).map_err(|e| ExplainError::Input(e.to_string())),
                x.view(),
                &y,
            )
            .unwrap();
        let want = matrix(&case["importances"]);
        let worst = got
            .importances
            .iter()
            .zip(&want)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-12, "{case}: off by {worst}\n{:?}\n{want:?}", got.importances);
    }
}

#[test]
fn interventional_tree_shap_equals_shaps_with_a_background() {
    use imbalanced_explain::forest_interventional;
    let f = fixture();
    let d = f["n_features"].as_u64().unwrap() as usize;
    let all = ecoli_rows(150);
    let (rows, background) = (all.slice(ndarray::s![..40, ..]), all.slice(ndarray::s![100..150, ..]));
    for case in f["trees"].as_array().unwrap() {
        let trees = trees_of(case, d);
        let a = forest_interventional(&trees, rows, background).unwrap();
        let model = case["model"].as_str().unwrap();
        let want = &case["interventional"];
        let base: Vec<f64> = serde_json::from_value(want["expected_value"].clone()).unwrap();
        for (x, y) in a.base_values.iter().zip(&base) {
            assert!((x - y).abs() < 1e-9, "{:?} vs {base:?}", a.base_values);
        }
        // Ours equal the definition (every coalition's mean predict_proba,
        // computed by scikit-learn in the fixture) on every row.
        let definition = cube(&case["interventional_by_enumeration"]);
        close(&a.values, &definition, 1e-9, model);
        // shap's agree with ours (to 2.5e-8, its rounding) wherever they agree
        // with the definition; they depart from it on two rows of the forest.
        let theirs = cube(&want["values"]);
        let row_gap = |m: &Array3<f64>, i: usize| {
            let (k, _, d) = m.dim();
            (0..k)
                .flat_map(|c| (0..d).map(move |j| (c, j)))
                .map(|(c, j)| (m[(c, i, j)] - definition[(c, i, j)]).abs())
                .fold(0.0, f64::max)
        };
        let departures: Vec<usize> = (0..40).filter(|&i| row_gap(&theirs, i) > 1e-6).collect();
        assert!(departures.len() <= 2, "{model}: shap departs on rows {departures:?}");
        for i in (0..40).filter(|i| !departures.contains(i)) {
            assert!(
                row_gap(&theirs, i) < 1e-7 && row_gap(&a.values, i) < 1e-9,
                "{model} row {i}"
            );
        }
    }
}
