//! The class-balanced query against FairFAL's own selection code
//! (`balanced_sample_by_pred_kmeans_maxscore` at commit ca14e07, run by
//! scripts/fixtures/fairfal.py): the same prototype pseudo-labels and the
//! same rows, for pools with capped quotas, classes without labelled rows,
//! and budgets from one row to more than the pool.

use imbalanced_active::{gradient_embeddings, prototype_pseudo_labels, Pool, QueryStrategy};
use imbalanced_random::Generator;
use ndarray::Array2;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    let cols = rows[0].len();
    Array2::from_shape_vec((rows.len(), cols), rows.concat()).unwrap()
}

#[test]
fn class_balanced_queries_select_what_fairfals_code_selects() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/fairfal_queries.json"
    ))
    .unwrap();
    let fixture: Value = serde_json::from_str(&text).unwrap();
    let cases = fixture["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 7);
    for (i, case) in cases.iter().enumerate() {
        let k = case["n_classes"].as_u64().unwrap() as usize;
        let features = matrix(&case["features"]);
        let proba = matrix(&case["proba"]);
        let labelled_features = matrix(&case["labelled_features"]);
        let labelled_proba = matrix(&case["labelled_proba"]);
        let labelled_y: Vec<usize> = serde_json::from_value(case["labelled_y"].clone()).unwrap();
        let pseudo: Vec<usize> = serde_json::from_value(case["pseudo"].clone()).unwrap();
        let want: Vec<usize> = serde_json::from_value(case["selected"].clone()).unwrap();
        assert_eq!(
            prototype_pseudo_labels(features.view(), labelled_features.view(), &labelled_y, k),
            pseudo,
            "case {i}: pseudo-labels"
        );
        let gradients = (
            gradient_embeddings(proba.view(), features.view(), None),
            gradient_embeddings(labelled_proba.view(), labelled_features.view(), Some(&labelled_y)),
        );
        let pool = Pool {
            proba: proba.view(),
            features: features.view(),
            labelled_features: labelled_features.view(),
            labelled_y: &labelled_y,
            gradients: Some((gradients.0.view(), gradients.1.view())),
        };
        let budget = case["budget"].as_u64().unwrap() as usize;
        let got = QueryStrategy::ClassBalanced
            .query(&pool, budget, &mut Generator::new(0))
            .unwrap();
        assert_eq!(got, want, "case {i}");
    }
}
