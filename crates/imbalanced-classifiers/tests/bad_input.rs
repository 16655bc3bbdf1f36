//! Every classifier refuses bad input with a typed error, never a panic.

use imbalanced_classifiers::*;
use imbalanced_models::*;
use ndarray::{array, Array2};
use proptest::prelude::*;

fn all_models() -> Vec<AnyClassifier> {
    MODELS
        .entries
        .iter()
        .map(|e| AnyClassifier::from_name(e.info.name).unwrap())
        .map(|m| match m {
            AnyClassifier::RandomForest(f) => {
                AnyClassifier::RandomForest(RandomForestClassifier { n_estimators: 5, ..f })
            }
            AnyClassifier::Mlp(m) => AnyClassifier::Mlp(MlpClassifier {
                hidden: vec![8],
                epochs: 5,
                ..m
            }),
            AnyClassifier::KNeighbors(_) => AnyClassifier::KNeighbors(KNeighborsClassifier {
                n_neighbors: 2,
                ..Default::default()
            }),
            other => other,
        })
        .collect()
}

#[test]
fn bad_input_is_a_typed_error() {
    let x = array![[0.0, 1.0], [1.0, 0.0], [2.0, 2.0], [3.0, 1.0]];
    let y = [0, 0, 1, 1];
    for m in all_models() {
        let name = m.name();
        assert!(
            matches!(m.fit(x.view(), &y[..3], 2), Err(ModelError::ShapeMismatch { .. })),
            "{name}"
        );
        assert!(
            matches!(m.fit(x.view(), &[0, 0, 1, 2], 2), Err(ModelError::BadLabel { .. })),
            "{name}"
        );
        let mut nan = x.clone();
        nan[(1, 1)] = f64::NAN;
        assert!(
            matches!(
                m.fit(nan.view(), &y, 2),
                Err(ModelError::NonFinite { row: 1, column: 1, .. })
            ),
            "{name}"
        );
        assert!(
            matches!(m.fit(Array2::zeros((0, 2)).view(), &[], 2), Err(ModelError::Empty)),
            "{name}"
        );
        let fitted = m.fit(x.view(), &y, 2).unwrap();
        assert!(
            matches!(
                fitted.predict(array![[1.0]].view()),
                Err(ModelError::FeatureMismatch { got: 1, fitted: 2 })
            ),
            "{name}"
        );
        assert!(
            matches!(fitted.predict_proba(nan.view()), Err(ModelError::NonFinite { .. })),
            "{name}"
        );
    }
    let lr = LogisticRegression::default();
    assert!(matches!(
        lr.fit(x.view(), &[0, 0, 2, 2], 3),
        Err(ModelError::MissingClass { class: 1, .. })
    ));
    assert!(lr.clone().c(0.0).fit(x.view(), &y, 2).is_err());
    assert!(KNeighborsClassifier {
        n_neighbors: 9,
        ..Default::default()
    }
    .fit(x.view(), &y, 2)
    .is_err());
    let err = AnyClassifier::from_name("svm").unwrap_err().to_string();
    assert!(err.contains("LogisticRegression") && err.contains("knn"), "{err}");
    assert!(AnyClassifier::from_name("knn")
        .unwrap()
        .with_class_weight(ClassWeight::Balanced)
        .is_err());
    assert_eq!(AnyClassifier::from_name("LOGREG").unwrap().name(), "LogisticRegression");
    assert!(ClassWeight::Given(vec![1.0, -1.0]).sample_weights(&y, 2).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn probabilities_are_distributions(rows in proptest::collection::vec((-5.0f64..5.0, -5.0f64..5.0, 0usize..3), 6..40)) {
        let x = Array2::from_shape_fn((rows.len(), 2), |(i, j)| if j == 0 { rows[i].0 } else { rows[i].1 });
        let mut y: Vec<usize> = rows.iter().map(|r| r.2).collect();
        y[0] = 0; y[1] = 1; y[2] = 2;
        for m in all_models() {
            let fitted = match m.fit(x.view(), &y, 3) {
                Ok(f) => f,
                // As scikit-learn's AdaBoost: a first stump no better than
                // chance on three classes (error >= 2/3) cannot be boosted.
                Err(ModelError::Parameter(e)) if e.contains("no better than chance") => {
                    prop_assert!(["AdaBoostClassifier", "RUSBoostClassifier", "EasyEnsembleClassifier"].contains(&m.name()));
                    continue;
                }
                Err(e) => panic!("{}: {e}", m.name()),
            };
            let p = fitted.predict_proba(x.view()).unwrap();
            for row in p.rows() {
                prop_assert!((row.sum() - 1.0).abs() < 1e-9, "{}: {row}", m.name());
                prop_assert!(row.iter().all(|v| (0.0..=1.0 + 1e-12).contains(v)));
            }
            // Same input, same model: deterministic.
            prop_assert_eq!(p, m.fit(x.view(), &y, 3).unwrap().predict_proba(x.view()).unwrap());
        }
    }
}
