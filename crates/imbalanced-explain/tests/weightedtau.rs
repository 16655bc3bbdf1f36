//! The weighted Kendall tau against `scipy.stats.weightedtau`
//! (scripts/fixtures/weightedtau.py): random, tied, equal, reversed and
//! constant vectors.

use imbalanced_explain::weighted_tau;
use serde_json::Value;

#[test]
fn weighted_tau_equals_scipys() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/weightedtau.json")).unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert!(cases.len() > 30);
    for case in cases {
        let x: Vec<f64> = serde_json::from_value(case["x"].clone()).unwrap();
        let y: Vec<f64> = serde_json::from_value(case["y"].clone()).unwrap();
        let got = weighted_tau(&x, &y);
        match case["tau"].as_f64() {
            Some(want) => assert!((got - want).abs() < 1e-12, "{x:?} {y:?}: {got} vs {want}"),
            None => assert!(got.is_nan(), "{x:?} {y:?}: {got} should be NaN"),
        }
    }
    assert!(weighted_tau(&[1.0], &[1.0, 2.0]).is_nan());
}
