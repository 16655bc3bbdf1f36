//! Every fitted model saves to JSON and loads back to bit-identical
//! predictions. Damaged files: `imbalanced-eval/tests/model_file.rs`, over
//! the saved pipelines of every model.

use imbalanced_classifiers::*;
use imbalanced_models::*;
use ndarray::Array2;

fn data() -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((60, 3), |(i, j)| {
        ((i * 7 + j * 13) % 17) as f64 / 4.0 + (i % 3) as f64 * j as f64
    });
    let y = (0..60).map(|i| i % 3).collect();
    (x, y)
}

/// Every catalogue model, small enough to fit quickly.
fn fitted() -> Vec<FittedModel> {
    let (x, y) = data();
    MODELS
        .entries
        .iter()
        .map(|e| {
            let small = match e.info.name {
                "RandomForestClassifier" => vec![("n_estimators".to_string(), 3.into())],
                "MLPClassifier" => vec![
                    ("hidden_layer_sizes".to_string(), serde_json::json!([4, 3])),
                    ("max_iter".to_string(), 5.into()),
                ],
                _ => vec![],
            };
            MODELS
                .build(e.info.name, &small, &[])
                .unwrap()
                .fit(x.view(), &y, 3)
                .unwrap()
        })
        .collect()
}

#[test]
fn every_model_round_trips_to_identical_predictions() {
    let (x, _) = data();
    for m in fitted() {
        let text = serde_json::to_string(&m).unwrap();
        let back = FittedModel::from_json(&text).unwrap();
        assert_eq!(back, m);
        let (a, b) = (
            m.predict_proba(x.view()).unwrap(),
            back.predict_proba(x.view()).unwrap(),
        );
        assert!(a.iter().zip(&b).all(|(p, q)| p.to_bits() == q.to_bits()), "{text:.80}");
    }
}
