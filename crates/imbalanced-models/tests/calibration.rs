//! Calibration and thresholds: scikit-learn fixtures
//! (tests/fixtures/calibration.json, scripts/fixtures/calibration.py) and invariants.

use imbalanced_models::*;
use imbalanced_random::{RngKind, SamplerRng};
use imbalanced_scores::{expected_calibration_error, f1_score, log_loss, Average};
use ndarray::Array2;
use serde_json::Value;

#[test]
fn platt_and_isotonic_match_scikit_learn() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/calibration.json")).unwrap();
    for c in fixture["cases"].as_array().unwrap() {
        let s: Vec<f64> = serde_json::from_value(c["scores"].clone()).unwrap();
        let y: Vec<u8> = serde_json::from_value(c["y"].clone()).unwrap();
        let pos: Vec<bool> = y.iter().map(|&v| v == 1).collect();
        let want: Vec<f64> = serde_json::from_value(c["platt"].clone()).unwrap();
        let BinaryCalibrator::Platt { a, b } = platt(&s, &pos) else {
            panic!()
        };
        assert!(
            (a - want[0]).abs() < 1e-6 * want[0].abs().max(1.0) && (b - want[1]).abs() < 1e-6,
            "{a} {b} vs {want:?}"
        );
        let grid: Vec<f64> = serde_json::from_value(c["grid"].clone()).unwrap();
        let want: Vec<f64> = serde_json::from_value(c["isotonic"].clone()).unwrap();
        let iso = isotonic(&s, &pos);
        for (g, w) in grid.iter().zip(&want) {
            assert!(
                (iso.apply(*g) - w).abs() < 1e-12,
                "isotonic at {g}: {} vs {w}",
                iso.apply(*g)
            );
        }
    }
}

/// Logits whose calibrated temperature is 2: labels drawn from softmax(z / 2).
fn overconfident(n: usize) -> (Array2<f64>, Vec<usize>) {
    let mut rng = SamplerRng::new(RngKind::Default, 7);
    let z = Array2::from_shape_simple_fn((n, 3), || 3.0 * rng.standard_normal());
    let y = z
        .rows()
        .into_iter()
        .map(|r| {
            let e: Vec<f64> = r.iter().map(|v| (v / 2.0).exp()).collect();
            let u = rng.random() * e.iter().sum::<f64>();
            let mut acc = 0.0;
            e.iter()
                .position(|v| {
                    acc += v;
                    u < acc
                })
                .unwrap_or(2)
        })
        .collect();
    (z, y)
}

#[test]
fn temperature_scaling_recovers_the_temperature_and_lowers_the_error() {
    let (z, y) = overconfident(20_000);
    let t = TemperatureScaling::fit(z.view(), &y, false).unwrap();
    assert!((t.temperatures[0] - 2.0).abs() < 0.1, "{:?}", t.temperatures);
    let per_class = TemperatureScaling::fit(z.view(), &y, true).unwrap();
    assert!(
        per_class.temperatures.iter().all(|v| (v - 2.0).abs() < 0.2),
        "{:?}",
        per_class.temperatures
    );
    let mut raw = z.clone();
    raw.rows_mut().into_iter().for_each(|mut r| {
        let m = r.fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        r.mapv_inplace(|v| (v - m).exp());
        let s = r.sum();
        r.mapv_inplace(|v| v / s);
    });
    let cal = t.transform(z.view());
    assert!(log_loss(&y, cal.view()).unwrap() < log_loss(&y, raw.view()).unwrap());
    assert!(expected_calibration_error(&y, cal.view(), 10).unwrap() < 0.02);
    for method in [
        CalibrationMethod::Platt,
        CalibrationMethod::Isotonic,
        CalibrationMethod::Histogram(15),
    ] {
        let c = OneVsRestCalibration::fit(raw.view(), &y, method).unwrap();
        let p = c.transform(raw.view());
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-9), "{method:?}");
        let ece = expected_calibration_error(&y, p.view(), 10).unwrap();
        assert!(
            ece < expected_calibration_error(&y, raw.view(), 10).unwrap(),
            "{method:?}: {ece}"
        );
    }
}

#[test]
fn tuned_thresholds_raise_the_minority_f1() {
    // Scores where the default 0.5 cut misses most positives.
    let mut rng = SamplerRng::new(RngKind::Default, 3);
    let n = 2000;
    let y: Vec<usize> = (0..n).map(|i| usize::from(i % 10 == 0)).collect();
    let p1: Vec<f64> = y
        .iter()
        .map(|&c| (0.15 + 0.25 * c as f64 + 0.1 * rng.standard_normal()).clamp(0.0, 1.0))
        .collect();
    let proba = Array2::from_shape_fn((n, 2), |(i, j)| if j == 1 { p1[i] } else { 1.0 - p1[i] });
    let default = argmax_rows(proba.view());
    let t = Thresholds::fit(proba.view(), &y, ThresholdObjective::F1).unwrap();
    let tuned = t.predict(proba.view());
    assert!(f1_score(&y, &tuned, Average::Binary).unwrap() > f1_score(&y, &default, Average::Binary).unwrap() + 0.2);
    assert!((t.thresholds[0] + t.thresholds[1] - 1.0).abs() < 1e-12);
    let hi = Thresholds::fit(proba.view(), &y, ThresholdObjective::Recall(0.95)).unwrap();
    let pred = hi.predict(proba.view());
    let found = (0..n).filter(|&i| y[i] == 1 && pred[i] == 1).count() as f64 / 200.0;
    assert!(found >= 0.95, "{found}");
    assert!(Thresholds::fit(proba.view(), &y, ThresholdObjective::Precision(1.5)).is_err());
}
