//! The association-guided corruption test: a table keeps its own
//! associations, loses them when its labels are shuffled, and refuses a
//! table of other columns or classes.

use imbalanced_data::Dataset;
use imbalanced_diagnose::associations::{association_test, Measure};
use ndarray::Array2;

/// Feature 0 tied to the class, feature 1 weakly, feature 2 noise.
fn table(n: usize, labels: &[&str], shuffle_labels: bool) -> Dataset {
    let mut state = 7u64;
    let mut next = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let y: Vec<usize> = (0..n).map(|i| i % labels.len()).collect();
    let x = Array2::from_shape_fn((n, 3), |(i, j)| match j {
        0 => y[i] as f64 * 2.0 + next(),
        1 => y[i] as f64 * 0.3 + next(),
        _ => next(),
    });
    let mut names: Vec<&str> = y.iter().map(|&c| labels[c]).collect();
    if shuffle_labels {
        for i in (1..n).rev() {
            names.swap(i, (next() * (i + 1) as f64) as usize);
        }
    }
    Dataset::from_numeric(x, &names).unwrap()
}

#[test]
fn a_table_keeps_its_own_associations_and_shuffled_labels_lose_them() {
    for labels in [&["a", "b"][..], &["a", "b", "c"][..]] {
        let real = table(300, labels, false);
        let same = association_test(&real, &real, 2, 0).unwrap();
        assert_eq!(same.score, 1.0);
        assert_eq!(same.mean_abs_change, 0.0);
        assert_eq!(same.features[0].feature, "f0", "the strongest first");
        let want = if labels.len() == 2 {
            Measure::Pearson
        } else {
            Measure::CorrelationRatio
        };
        assert_eq!(same.features[0].measure, want);
        assert!(same.features[0].real.abs() > 0.8 && same.features[0].corrupted.abs() < 0.2);
        let broken = association_test(&real, &table(300, labels, true), 2, 0).unwrap();
        assert_eq!(broken.score, 0.0, "{broken:?}");
        assert!(broken.mean_abs_change > 0.5);
    }
}

#[test]
fn other_columns_classes_or_top_zero_are_refused() {
    let real = table(60, &["a", "b"], false);
    let other_classes = table(60, &["a", "c"], false);
    let err = association_test(&real, &other_classes, 2, 0).unwrap_err().to_string();
    assert!(err.contains("classes"), "{err}");
    let fewer = Dataset::from_numeric(
        real.numeric().slice(ndarray::s![.., ..2]).to_owned(),
        &vec!["a"; 30].into_iter().chain(vec!["b"; 30]).collect::<Vec<_>>(),
    )
    .unwrap();
    let err = association_test(&real, &fewer, 2, 0).unwrap_err().to_string();
    assert!(err.contains("columns"), "{err}");
    assert!(association_test(&real, &real, 0, 0)
        .unwrap_err()
        .to_string()
        .contains("top"));
}
