//! InstanceHardnessThreshold drops the hard samples first.

use imbalanced_resample::{class_counts, InstanceHardnessThreshold, Resampler};
use ndarray::Array2;

#[test]
fn majority_rows_inside_the_minority_blob_go_first() {
    // 60 majority rows around 0, 20 minority rows around 10, and 4 majority rows at 10.
    let mut rows = Vec::new();
    let mut y = Vec::new();
    for i in 0..60 {
        rows.push([(i % 7) as f64 * 0.1, (i % 5) as f64 * 0.1]);
        y.push(0);
    }
    for i in 0..20 {
        rows.push([10.0 + (i % 4) as f64 * 0.1, 10.0 + (i % 5) as f64 * 0.1]);
        y.push(1);
    }
    let intruders: Vec<usize> = (80..84).collect();
    for i in 0..4 {
        rows.push([10.05 + i as f64 * 0.1, 10.05]);
        y.push(0);
    }
    let x = Array2::from_shape_fn((rows.len(), 2), |(i, j)| rows[i][j]);
    let iht = InstanceHardnessThreshold::default().n_estimators(20).random_state(1);
    let out = iht.fit_resample(x.view(), &y).unwrap();
    assert_eq!(class_counts(&out.y)[&1], 20);
    let kept = out.sample_indices();
    assert!(
        intruders.iter().all(|i| !kept.contains(i)),
        "an intruder survived: {kept:?}"
    );
    assert_eq!(out, iht.fit_resample(x.view(), &y).unwrap());
    assert!(InstanceHardnessThreshold::default()
        .cv(100)
        .fit_resample(x.view(), &y)
        .is_err());
}
