//! ClusterCentroids and KMeansSMOTE.

use imbalanced_resample::{class_counts, ClusterCentroids, KMeansSmote, Resampler, Voting};
use ndarray::Array2;

/// Two well separated majority blobs and a minority blob.
fn data() -> (Array2<f64>, Vec<usize>) {
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for i in 0..30 {
        let t = i as f64 * 0.01;
        rows.push([t, t]);
        y.push(0);
        rows.push([10.0 + t, 10.0 - t]);
        y.push(0);
    }
    for i in 0..8 {
        let t = i as f64 * 0.02;
        rows.push([5.0 + t, 5.0 + t * 0.5]);
        y.push(1);
    }
    (Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j]), y)
}

#[test]
fn soft_voting_returns_centroids_hard_voting_returns_rows() {
    let (x, y) = data();
    let soft = ClusterCentroids::default().fit_resample(x.view(), &y).unwrap();
    assert_eq!(class_counts(&soft.y)[&0], 8);
    assert_eq!(soft.n_synthetic(), 8);
    // Minority rows pass through unchanged, after the majority's centroids.
    assert_eq!(soft.origin[8..], (60..68).map(Some).collect::<Vec<_>>()[..]);
    // Centroids lie inside one of the two blobs.
    for r in soft.x.rows().into_iter().take(8) {
        assert!(r[0] < 0.5 || r[0] > 9.5, "{r}");
    }
    let hard = ClusterCentroids::default()
        .voting(Voting::Hard)
        .fit_resample(x.view(), &y)
        .unwrap();
    assert_eq!(hard.n_synthetic(), 0);
    assert!(hard.origin.iter().take(8).all(|o| o.is_some_and(|i| y[i] == 0)));
}

#[test]
fn kmeans_smote_balances_and_refuses_impossible_thresholds() {
    let (x, y) = data();
    let out = KMeansSmote::default().n_clusters(3).fit_resample(x.view(), &y).unwrap();
    let counts = class_counts(&out.y);
    assert!(counts[&1] >= 60, "{counts:?}");
    // New minority rows stay within the minority blob's bounding box.
    for r in out.x.rows().into_iter().skip(68) {
        assert!((5.0..=5.2).contains(&r[0]), "{r}");
    }
    let err = KMeansSmote::default()
        .n_clusters(3)
        .cluster_balance_threshold(Some(2.0))
        .fit_resample(x.view(), &y);
    assert!(err.unwrap_err().to_string().contains("cluster_balance_threshold"));
}
