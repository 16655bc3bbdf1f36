//! DiffusionOverSampler (our formulation of a TabDDPM-style sampler): its
//! rows look like their class, conditioning columns are taken from real rows
//! and the rest generated given them, and bad parameters are named.

use imbalanced_resample::{class_counts, Resampled, RngKind, SamplerRng, SAMPLERS};
use ndarray::Array2;
use serde_json::json;

/// Light settings, so that the debug build trains in a second.
fn build(extra: serde_json::Value) -> Box<dyn imbalanced_resample::Resampler> {
    let mut params = json!({"max_iter": 400, "hidden_layer_sizes": [32, 32], "n_steps": 40, "batch_size": 128});
    params
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let given: Vec<(String, serde_json::Value)> = params.as_object().unwrap().clone().into_iter().collect();
    SAMPLERS.build("DiffusionOverSampler", &given, &[]).unwrap()
}

fn new_rows(out: &Resampled) -> Vec<usize> {
    (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect()
}

#[test]
fn new_rows_resemble_their_class() {
    // Class 0 around (0, 0, 0), class 1 around (4, -4, 2), unit spread.
    let mut rng = SamplerRng::new(RngKind::Default, 5);
    let y: Vec<usize> = (0..240).map(|i| usize::from(i >= 200)).collect();
    let centre = [[0.0, 0.0, 0.0], [4.0, -4.0, 2.0]];
    let x = Array2::from_shape_fn((240, 3), |(i, j)| centre[y[i]][j] + rng.standard_normal());
    let out = build(json!({})).fit_resample(x.view(), &y).unwrap();
    assert_eq!(class_counts(&out.y)[&1], 200);
    let rows = new_rows(&out);
    assert!(rows
        .iter()
        .all(|&r| out.y[r] == 1 && out.x.row(r).iter().all(|v| v.is_finite())));
    for (j, &want) in centre[1].iter().enumerate() {
        let mean = rows.iter().map(|&r| out.x[(r, j)]).sum::<f64>() / rows.len() as f64;
        assert!((mean - want).abs() < 0.6, "column {j}: mean {mean} vs {want}");
    }
    // Nearer the minority's centre than the majority's, row by row, for most rows.
    let near = rows
        .iter()
        .filter(|&&r| {
            let d = |c: &[f64; 3]| (0..3).map(|j| (out.x[(r, j)] - c[j]).powi(2)).sum::<f64>();
            d(&centre[1]) < d(&centre[0])
        })
        .count();
    assert!(near as f64 > 0.9 * rows.len() as f64, "{near} of {}", rows.len());
    // Seeded: the same rows again, on one thread or two.
    let on = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| build(json!({})).fit_resample(x.view(), &y).unwrap())
    };
    assert_eq!(on(1), out);
    assert_eq!(on(2), out);
}

#[test]
fn conditioning_columns_come_from_real_rows_and_the_rest_follows_them() {
    // Column 1 is twice column 0, plus a little noise; column 0 is the condition.
    let mut rng = SamplerRng::new(RngKind::Default, 6);
    let y: Vec<usize> = (0..260).map(|i| usize::from(i >= 200)).collect();
    let x0: Vec<f64> = (0..260).map(|_| rng.uniform(-2.0, 2.0)).collect();
    let x = Array2::from_shape_fn((260, 2), |(i, j)| {
        if j == 0 {
            x0[i]
        } else {
            2.0 * x0[i] + 0.1 * rng.standard_normal()
        }
    });
    let out = build(json!({"condition": [0], "max_iter": 800}))
        .fit_resample(x.view(), &y)
        .unwrap();
    let rows = new_rows(&out);
    let minority: Vec<f64> = (200..260).map(|i| x[(i, 0)]).collect();
    for &r in &rows {
        assert!(
            minority.contains(&out.x[(r, 0)]),
            "the condition is a real minority row's value"
        );
    }
    let err: f64 = rows
        .iter()
        .map(|&r| (out.x[(r, 1)] - 2.0 * out.x[(r, 0)]).abs())
        .sum::<f64>()
        / rows.len() as f64;
    assert!(err < 0.5, "mean |x1 - 2 x0| = {err}");
}

#[test]
fn bad_parameters_are_named() {
    let x = Array2::from_shape_fn((30, 2), |(i, j)| (i * (j + 1)) as f64);
    let y: Vec<usize> = (0..30).map(|i| usize::from(i >= 24)).collect();
    for (param, value) in [
        ("n_steps", json!(0)),
        ("condition", json!([2])),
        ("condition", json!([0, 1])),
        ("learning_rate", json!(0.0)),
        ("hidden_layer_sizes", json!([0])),
        ("max_iter", json!(0)),
    ] {
        let err = build(json!({ param: value }))
            .fit_resample(x.view(), &y)
            .unwrap_err()
            .to_string();
        assert!(err.contains(param), "{param}={value}: {err}");
    }
}

#[test]
fn categorical_columns_follow_their_class_by_multinomial_diffusion() {
    use imbalanced_data::{Dataset, Feature, FeatureKind};
    let mut rng = SamplerRng::new(RngKind::Default, 8);
    let y: Vec<usize> = (0..240).map(|i| usize::from(i >= 200)).collect();
    // Minority rows: category 1 ("b") nine times in ten; majority: category 0 ("a").
    let cat = Array2::from_shape_fn((240, 1), |(i, _)| {
        let own = y[i] as u32;
        if rng.random() < 0.9 {
            own
        } else {
            1 - own
        }
    });
    let num = Array2::from_shape_fn((240, 1), |(i, _)| rng.standard_normal() + 2.0 * y[i] as f64);
    let features = vec![
        Feature {
            name: "x".into(),
            kind: FeatureKind::Numeric,
            index: 0,
        },
        Feature {
            name: "c".into(),
            kind: FeatureKind::Categorical,
            index: 0,
        },
    ];
    let data = Dataset::from_parts(
        features,
        num,
        cat,
        vec![vec!["a".into(), "b".into()]],
        "y".into(),
        2,
        vec!["maj".into(), "min".into()],
        y,
    )
    .unwrap();
    let out = build(json!({})).fit_resample_dataset(&data).unwrap();
    assert_eq!(out.class_counts(), vec![200, 200]);
    let new: Vec<u32> = (240..400).map(|r| out.categorical()[(r, 0)]).collect();
    let b = new.iter().filter(|&&c| c == 1).count() as f64 / new.len() as f64;
    assert!(b > 0.75, "share of the minority's category among new rows: {b}");
    let mean = (240..400).map(|r| out.numeric()[(r, 0)]).sum::<f64>() / 160.0;
    assert!((mean - 2.0).abs() < 0.6, "numeric mean {mean}");
}
