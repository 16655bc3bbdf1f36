//! Invariants and bad input.

use imbalanced_scores::*;
use ndarray::{array, Array2};
use proptest::prelude::*;

fn labels(n_classes: usize) -> impl Strategy<Value = (Vec<usize>, Vec<usize>)> {
    (1usize..80).prop_flat_map(move |n| {
        (
            proptest::collection::vec(0..n_classes, n),
            proptest::collection::vec(0..n_classes, n),
        )
    })
}

proptest! {
    #[test]
    fn label_scores_are_bounded((t, p) in labels(4)) {
        let s = all_scores(&t, &p, None).unwrap();
        for (name, v) in &s.0 {
            let (lo, hi) = match name.as_str() {
                "matthews_corrcoef" | "cohen_kappa_score" | "balanced_accuracy_score_adjusted" => (-1.0 - 1e-12, 1.0 + 1e-12),
                // IBA weighs G² by (1 + alpha · dominance), alpha = 0.1.
                "index_balanced_accuracy" => (0.0, 1.1 + 1e-12),
                _ => (0.0, 1.0 + 1e-12),
            };
            // Kappa and adjusted balanced accuracy are NaN/infinite on degenerate inputs.
            prop_assert!(!v.is_finite() || (lo..=hi).contains(v) || name.ends_with("adjusted"), "{name} = {v}");
        }
        // Perfect predictions score 1 wherever the score is a rate.
        let perfect = all_scores(&t, &t, None).unwrap();
        for name in ["accuracy_score", "balanced_accuracy_score", "f1_score_macro", "geometric_mean_score"] {
            prop_assert!((perfect.get(name).unwrap() - 1.0).abs() < 1e-12, "{name}");
        }
    }

    #[test]
    fn micro_f1_is_accuracy((t, p) in labels(3)) {
        let f = f1_score(&t, &p, Average::Micro).unwrap();
        prop_assert!((f - accuracy_score(&t, &p).unwrap()).abs() < 1e-12);
    }

    #[test]
    fn roc_auc_is_the_probability_a_positive_outranks_a_negative(
        scores in proptest::collection::vec(0u8..10, 2..60),
        flags in proptest::collection::vec(any::<bool>(), 2..60),
    ) {
        let n = scores.len().min(flags.len());
        let (s, f): (Vec<f64>, Vec<bool>) = (scores[..n].iter().map(|&v| f64::from(v) / 10.0).collect(), flags[..n].to_vec());
        let pos = f.iter().filter(|&&b| b).count();
        prop_assume!(pos > 0 && pos < n);
        let proba = Array2::from_shape_fn((n, 2), |(i, k)| if k == 1 { s[i] } else { 1.0 - s[i] });
        let y: Vec<usize> = f.iter().map(|&b| usize::from(b)).collect();
        let auc = roc_auc_score(&y, proba.view(), MulticlassAverage::Macro).unwrap();
        let mut wins = 0.0;
        for i in (0..n).filter(|&i| f[i]) {
            for j in (0..n).filter(|&j| !f[j]) {
                wins += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
            }
        }
        prop_assert!((auc - wins / (pos * (n - pos)) as f64).abs() < 1e-9);
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    assert_eq!(
        accuracy_score(&[0, 1], &[0]),
        Err(MetricError::LengthMismatch { y_true: 2, y_pred: 1 })
    );
    assert_eq!(f1_score(&[], &[], Average::Macro), Err(MetricError::Empty));
    assert_eq!(
        f1_score(&[0, 1, 2], &[0, 1, 2], Average::Binary),
        Err(MetricError::NotBinary(3))
    );
    let p = array![[0.2, 0.8], [0.6, 0.4]];
    assert_eq!(
        roc_auc_score(&[1, 1], p.view(), MulticlassAverage::Macro),
        Err(MetricError::SingleClass("ROC AUC"))
    );
    let unnormalised = array![[0.2, 0.2, 0.2], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]];
    assert!(matches!(
        roc_auc_score(&[0, 1, 2], unnormalised.view(), MulticlassAverage::Macro),
        Err(MetricError::ProbaNotNormalised { row: 0, .. })
    ));
    assert!(matches!(
        log_loss(&[0, 1, 2], unnormalised.view()),
        Err(MetricError::ProbaNotNormalised { .. })
    ));
    assert!(matches!(
        log_loss(&[0, 3], p.view()),
        Err(MetricError::UnknownLabel { label: 3, classes: 2 })
    ));
    let negative = array![[-0.5, 1.5], [0.5, 0.5]];
    assert!(matches!(
        brier_score_loss(&[0, 1], negative.view()),
        Err(MetricError::ProbaOutOfRange { .. })
    ));
    let nan = array![[f64::NAN, 1.0], [0.5, 0.5]];
    assert!(matches!(
        average_precision_score(&[0, 1], nan.view(), MulticlassAverage::Macro),
        Err(MetricError::NonFinite { .. })
    ));
    let three = array![[0.5, 0.5, 0.0], [0.5, 0.5, 0.0]];
    assert!(matches!(
        roc_auc_score(&[0, 1], three.view(), MulticlassAverage::Macro),
        Err(MetricError::ProbaShape { columns: 3, classes: 2 })
    ));
    assert!(expected_calibration_error(&[0, 1], p.view(), 0).is_err());
    assert!(fbeta_score(&[0, 1], &[0, 1], -1.0, Average::Macro).is_err());
    // Errors name the fix.
    let msg = MetricError::ProbaNotNormalised { row: 3, sum: 0.9 }.to_string();
    assert!(msg.contains("row 3") && msg.contains("probabilities"), "{msg}");
}
