//! KernelSHAP: exact over every coalition (equal to linear SHAP on a linear
//! model, to TreeSHAP's interventional definition by enumeration), equal to
//! shap 0.51's KernelExplainer when sampling (fixture
//! scripts/fixtures/kernel_shap.py), within sampling error of exact, and
//! always additive.

use imbalanced_explain::{linear, ExplainError, KernelShap};
use imbalanced_random::Generator;
use ndarray::{Array2, ArrayView2};

fn rows(seed: u128, n: usize, d: usize) -> Array2<f64> {
    let mut rng = Generator::new(seed);
    Array2::from_shape_fn((n, d), |_| rng.standard_normal())
}

#[test]
fn full_enumeration_equals_linear_shap_on_a_linear_model() {
    let (x, background) = (rows(1, 5, 4), rows(2, 30, 4));
    let coef = ndarray::array![[0.5, -1.0, 2.0, 0.0], [1.0, 1.0, -0.5, 0.3]];
    let intercept = [0.1, -0.2];
    let model = |r: ArrayView2<'_, f64>| -> Result<Array2<f64>, ExplainError> {
        Ok(r.dot(&coef.t()) + ndarray::aview1(&intercept))
    };
    let got = KernelShap::default()
        .explain(&model, x.view(), background.view())
        .unwrap();
    let want = linear(coef.view(), &intercept, background.view(), x.view()).unwrap();
    let worst = got
        .values
        .iter()
        .zip(&want.values)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-10, "{worst}");
    for (a, b) in got.base_values.iter().zip(&want.base_values) {
        assert!((a - b).abs() < 1e-12);
    }
}

/// A model with interactions: products and a threshold.
fn nonlinear(r: ArrayView2<'_, f64>) -> Result<Array2<f64>, ExplainError> {
    Ok(Array2::from_shape_fn((r.nrows(), 1), |(i, _)| {
        let v = r.row(i);
        v[0] * v[1] + f64::from(u8::from(v[2] > 0.3)) * v[3] - 0.5 * v[4] * v[4] + v.iter().skip(5).sum::<f64>() * 0.1
    }))
}

#[test]
fn sampling_is_additive_and_close_to_exact() {
    let d = 12;
    let (x, background) = (rows(3, 3, d), rows(4, 10, d));
    // 2^12 - 2 = 4094 coalitions: exact with a budget of 5000, sampled with 1200.
    let exact = KernelShap {
        nsamples: Some(5000),
        seed: 0,
    }
    .explain(&nonlinear, x.view(), background.view())
    .unwrap();
    let sampled = KernelShap {
        nsamples: Some(1200),
        seed: 7,
    }
    .explain(&nonlinear, x.view(), background.view())
    .unwrap();
    let f = nonlinear(x.view()).unwrap();
    for (outputs, what) in [(exact.outputs(), "exact"), (sampled.outputs(), "sampled")] {
        for (o, v) in outputs.iter().zip(f.iter()) {
            assert!((o - v).abs() < 1e-9, "{what} is not additive: {o} vs {v}");
        }
    }
    let worst = exact
        .values
        .iter()
        .zip(&sampled.values)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    let scale = exact.values.iter().map(|v| v.abs()).fold(0.0, f64::max);
    assert!(
        worst < 0.1 * scale,
        "sampling error {worst} against values up to {scale}"
    );
    // Seeded, and the same on one thread.
    let again = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| {
            KernelShap {
                nsamples: Some(1200),
                seed: 7,
            }
            .explain(&nonlinear, x.view(), background.view())
            .unwrap()
        });
    assert_eq!(again, sampled);
    // A feature the model ignores gets nothing when every coalition is evaluated.
    let ignores = |r: ArrayView2<'_, f64>| -> Result<Array2<f64>, ExplainError> {
        Ok(Array2::from_shape_fn((r.nrows(), 1), |(i, _)| r[(i, 0)] * r[(i, 1)]))
    };
    let a = KernelShap {
        nsamples: Some(5000),
        seed: 0,
    }
    .explain(&ignores, x.view(), background.view())
    .unwrap();
    let ignored: Vec<f64> = a.values.slice(ndarray::s![.., .., 2..]).iter().copied().collect();
    assert!(ignored.iter().all(|v| v.abs() < 1e-12), "{ignored:?}");
}

#[test]
fn bad_input_is_refused() {
    let x = rows(1, 2, 3);
    let e = KernelShap::default()
        .explain(&nonlinear, x.view(), rows(2, 4, 2).view())
        .unwrap_err();
    assert!(e.to_string().contains("background"), "{e}");
    let e = KernelShap::default()
        .explain(&nonlinear, x.view(), rows(2, 0, 3).view())
        .unwrap_err();
    assert!(e.to_string().contains("background"), "{e}");
}

#[test]
fn interventional_tree_shap_equals_the_enumerated_shapley_values() {
    use imbalanced_explain::forest_interventional;
    use imbalanced_models::{Fit, FittedTree, RandomForestClassifier};
    let x = rows(5, 200, 5);
    let y: Vec<usize> = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] * r[1] > 0.2) + usize::from(r[3] > 0.8))
        .collect();
    let model = RandomForestClassifier {
        n_estimators: 6,
        random_state: 2,
        ..Default::default()
    }
    .fit(x.view(), &y, 3)
    .unwrap();
    let background = x.slice(ndarray::s![100..112, ..]);
    let explained = x.slice(ndarray::s![..6, ..]);
    let fast = forest_interventional(model.trees(), explained, background).unwrap();
    let f = |r: ArrayView2<'_, f64>| {
        FittedTree::mean_proba(model.trees(), r, 5).map_err(|e| ExplainError::Input(e.to_string()))
    };
    let exact = KernelShap::default().explain(&f, explained, background).unwrap();
    let worst = fast
        .values
        .iter()
        .zip(&exact.values)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-12, "{worst}");
    for (a, b) in fast.base_values.iter().zip(&exact.base_values) {
        assert!((a - b).abs() < 1e-12);
    }
    let proba = f(explained).unwrap();
    for (o, p) in fast.outputs().iter().zip(proba.iter()) {
        assert!((o - p).abs() < 1e-12);
    }
}

/// `two_outputs` of scripts/fixtures/kernel_shap.py.
fn two_outputs(r: ArrayView2<'_, f64>) -> Result<Array2<f64>, ExplainError> {
    Ok(Array2::from_shape_fn((r.nrows(), 2), |(i, c)| {
        let v = r.row(i);
        let rest: f64 = v.iter().skip(5).sum();
        if c == 0 {
            v[0] * v[1] + f64::from(u8::from(v[2] > 0.3)) * v[3] - 0.5 * v[4] * v[4] + 0.1 * rest
        } else {
            v[1] * v[2] * v[3] - v[0] + 0.25 * rest * rest
        }
    }))
}

#[test]
fn equals_shaps_kernel_explainer_enumerated_and_sampled() {
    let fixture: serde_json::Value = serde_json::from_str(include_str!("fixtures/kernel_shap.json")).unwrap();
    let matrix = |v: &serde_json::Value| {
        let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
        Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap()
    };
    for case in fixture["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let (x, background) = (matrix(&case["x"]), matrix(&case["background"]));
        let settings = KernelShap {
            nsamples: case["nsamples"].as_u64().map(|n| n as usize),
            seed: case["seed"].as_u64().unwrap(),
        };
        let got = settings.explain(&two_outputs, x.view(), background.view()).unwrap();
        let base: Vec<f64> = serde_json::from_value(case["expected_value"].clone()).unwrap();
        for (a, b) in got.base_values.iter().zip(&base) {
            assert!((a - b).abs() < 1e-12, "{name}: base {a} vs {b}");
        }
        let want: Vec<Vec<Vec<f64>>> = serde_json::from_value(case["values"].clone()).unwrap();
        for (i, per_output) in want.iter().enumerate() {
            for (c, values) in per_output.iter().enumerate() {
                for (j, w) in values.iter().enumerate() {
                    let g = got.values[(c, i, j)];
                    assert!(
                        (g - w).abs() < 1e-9,
                        "{name}: row {i} output {c} feature {j}: {g} vs shap {w}"
                    );
                }
            }
        }
    }
}

/// Symmetric in columns 0 and 1, with interactions.
fn symmetric(r: ArrayView2<'_, f64>) -> Result<Array2<f64>, ExplainError> {
    Ok(Array2::from_shape_fn((r.nrows(), 1), |(i, _)| {
        let v = r.row(i);
        let rest: f64 = v.iter().skip(2).enumerate().map(|(j, x)| (j + 1) as f64 * x).sum();
        (v[0] + v[1]).powi(2) * rest.tanh() + v[0] * v[1] + rest
    }))
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(16))]
    /// Efficiency (the values add up to f(x) - base) whether enumerated or
    /// sampled; symmetry (interchangeable features get equal values) and
    /// the dummy axiom (a column the model ignores gets 0) when enumerated.
    #[test]
    fn kernel_shap_keeps_the_shapley_axioms(seed in 0u64..500, d in 3usize..9, nsamples in 4usize..40) {
        let x = rows(u128::from(seed), 3, d);
        let mut background = rows(u128::from(seed) + 1, 6, d);
        // Closed under swapping columns 0 and 1, so v treats them alike.
        let mut swapped = background.clone();
        for mut r in swapped.rows_mut() {
            r.swap(0, 1);
        }
        background.append(ndarray::Axis(0), swapped.view()).unwrap();
        let mut tied = x.clone();
        for mut r in tied.rows_mut() {
            r[1] = r[0];
        }
        let f = symmetric(tied.view()).unwrap();
        for settings in [KernelShap { nsamples: None, seed }, KernelShap { nsamples: Some(nsamples), seed }] {
            let a = match settings.explain(&symmetric, tied.view(), background.view()) {
                Ok(a) => a,
                // Too few distinct coalitions to determine every value: said, not guessed.
                Err(e) if settings.nsamples.is_some() => {
                    proptest::prop_assert!(e.to_string().contains("raise nsamples"), "{e}");
                    continue;
                }
                Err(e) => return Err(proptest::test_runner::TestCaseError::fail(e.to_string())),
            };
            for (o, v) in a.outputs().iter().zip(f.iter()) {
                proptest::prop_assert!((o - v).abs() < 1e-9, "{settings:?}: {o} vs {v}");
            }
            if settings.nsamples.is_none() {
                for i in 0..3 {
                    let (p0, p1) = (a.values[(0, i, 0)], a.values[(0, i, 1)]);
                    proptest::prop_assert!((p0 - p1).abs() < 1e-10, "row {i}: {p0} vs {p1}");
                }
            }
        }
        // A model that ignores every column but the first two: the rest get 0.
        let two = |r: ArrayView2<'_, f64>| -> Result<Array2<f64>, ExplainError> {
            Ok(Array2::from_shape_fn((r.nrows(), 1), |(i, _)| r[(i, 0)] * r[(i, 1)] + r[(i, 0)]))
        };
        let a = KernelShap::default().explain(&two, x.view(), background.view()).unwrap();
        proptest::prop_assert!(a.values.slice(ndarray::s![.., .., 2..]).iter().all(|v| v.abs() < 1e-12));
    }
}
