//! imbalanced-learn's behaviour tests of warm starts and out-of-bag
//! estimates (`test_forest.py::test_balanced_random_forest_oob`,
//! `test_bagging.py::test_warm_start`, `test_oob_score_*`,
//! `test_easy_ensemble.py::test_warm_start`), on data shaped like theirs.

use imbalanced_ensemble::{BalancedBaggingClassifier, BalancedRandomForestClassifier, EasyEnsembleClassifier};
use imbalanced_models::{Fit, ModelError, Predict, WarmStart};
use imbalanced_random::{RngKind, SamplerRng};
use ndarray::Array2;

/// Their `imbalanced_dataset`: three classes of 1%, 5% and 94% in two
/// informative dimensions, one cluster each, rows `n`.
fn imbalanced(n: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = SamplerRng::new(RngKind::Default, seed);
    let y: Vec<usize> = (0..n)
        .map(|_| {
            let u = rng.random();
            if u < 0.01 {
                0
            } else if u < 0.06 {
                1
            } else {
                2
            }
        })
        .collect();
    let centre = [[-1.2, 0.8], [0.8, -0.8], [0.0, 0.6]];
    let x = Array2::from_shape_fn((n, 2), |(i, j)| centre[y[i]][j] + rng.standard_normal());
    (x, y)
}

fn accuracy(p: &[usize], y: &[usize]) -> f64 {
    p.iter().zip(y).filter(|(a, b)| a == b).count() as f64 / y.len() as f64
}

#[test]
fn forest_out_of_bag_score_is_close_to_the_test_score() {
    let (x, y) = imbalanced(10_000, 0);
    let (xt, yt) = imbalanced(3_000, 1);
    let forest = BalancedRandomForestClassifier {
        oob_score: true,
        bootstrap: true,
        n_estimators: 1000,
        min_samples_leaf: 2,
        ..Default::default()
    }
    .fit(x.view(), &y, 3)
    .unwrap();
    let oob = forest.oob.as_ref().unwrap();
    let test = accuracy(&forest.predict(xt.view()).unwrap(), &yt);
    assert!((test - oob.score).abs() < 0.1, "oob {} test {test}", oob.score);
    assert_eq!(oob.decision_function.dim(), (10_000, 3));
    // Only rows of an under-sample can be out of its bag: a majority row is
    // in ~1 in 94 under-samples, so a few of them are in none's out-of-bag.
    assert!(oob.unscored < 500, "{}", oob.unscored);
    // One tree leaves rows without an estimate (imbalanced-learn warns).
    let one = BalancedRandomForestClassifier {
        oob_score: true,
        bootstrap: true,
        n_estimators: 1,
        ..Default::default()
    }
    .fit(x.view(), &y, 3)
    .unwrap();
    assert!(one.oob.unwrap().unscored > 0);
}

#[test]
fn out_of_bag_needs_a_bootstrap_and_no_warm_start() {
    let (x, y) = imbalanced(500, 2);
    let forest = BalancedRandomForestClassifier {
        oob_score: true,
        ..Default::default()
    };
    assert!(matches!(forest.fit(x.view(), &y, 3), Err(ModelError::Parameter(m)) if m.contains("bootstrap")));
    let bagging = BalancedBaggingClassifier {
        oob_score: true,
        bootstrap: false,
        ..Default::default()
    };
    assert!(bagging.fit(x.view(), &y, 3).is_err());
    let fitted = BalancedBaggingClassifier::default().fit(x.view(), &y, 3).unwrap();
    let warm = BalancedBaggingClassifier {
        oob_score: true,
        n_estimators: 12,
        ..Default::default()
    };
    let data = imbalanced_data::Xy::new(x.view(), &y, 3).unwrap();
    assert!(warm.fit_more(fitted, data).is_err());
}

#[test]
fn bagging_out_of_bag_score_is_close_to_the_test_score() {
    let (x, y) = imbalanced(4_000, 3);
    let (xt, yt) = imbalanced(2_000, 4);
    let fitted = BalancedBaggingClassifier {
        oob_score: true,
        n_estimators: 50,
        ..Default::default()
    }
    .fit(x.view(), &y, 3)
    .unwrap();
    let oob = fitted.oob.as_ref().unwrap();
    let test = accuracy(&fitted.predict(xt.view()).unwrap(), &yt);
    assert!((test - oob.score).abs() < 0.1, "oob {} test {test}", oob.score);
    // A bootstrap leaves out about a third of the rows: with 50 bags, every row is out of one.
    assert_eq!(oob.unscored, 0);
}

/// Fits `n_estimators` 5 and then 10 with warm starts, and 10 at once.
fn warm_and_cold<M: WarmStart + Clone>(m: &M, set: impl Fn(&mut M, usize)) -> (M::Fitted, M::Fitted)
where
    M::Fitted: Predict,
{
    let (x, y) = imbalanced(600, 5);
    let data = || imbalanced_data::Xy::new(x.view(), &y, 3).unwrap();
    let mut five = m.clone();
    set(&mut five, 5);
    let mut ten = m.clone();
    set(&mut ten, 10);
    let first = five.fit(x.view(), &y, 3).unwrap();
    let warm = ten.fit_more(first, data()).unwrap();
    let cold = ten.fit(x.view(), &y, 3).unwrap();
    (warm, cold)
}

#[test]
fn five_and_five_more_are_the_ten_of_one_fit() {
    let (warm, cold) = warm_and_cold(&BalancedRandomForestClassifier::default(), |m, n| m.n_estimators = n);
    assert_eq!((warm.trees().len(), &warm), (10, &cold));
    // The out-of-bag estimate covers the kept trees too.
    let bagged = BalancedRandomForestClassifier {
        bootstrap: true,
        oob_score: true,
        ..Default::default()
    };
    let (warm, cold) = warm_and_cold(&bagged, |m, n| m.n_estimators = n);
    assert!(cold.oob.is_some());
    assert_eq!(warm, cold);
    let (warm, cold) = warm_and_cold(&BalancedBaggingClassifier::default(), |m, n| m.n_estimators = n);
    assert_eq!((warm.members.len(), &warm), (10, &cold));
    let (warm, cold) = warm_and_cold(&EasyEnsembleClassifier::default(), |m, n| m.n_estimators = n);
    assert_eq!((warm.members.len(), &warm), (10, &cold));
}

#[test]
fn a_warm_start_cannot_shrink_or_change_the_data() {
    let (x, y) = imbalanced(300, 6);
    let ten = BalancedRandomForestClassifier {
        n_estimators: 10,
        ..Default::default()
    };
    let fitted = ten.fit(x.view(), &y, 3).unwrap();
    let five = BalancedRandomForestClassifier {
        n_estimators: 5,
        ..Default::default()
    };
    let data = imbalanced_data::Xy::new(x.view(), &y, 3).unwrap();
    let err = five.fit_more(fitted.clone(), data).unwrap_err().to_string();
    assert!(err.contains("n_estimators=5"), "{err}");
    let narrow = x.column(0).to_owned().insert_axis(ndarray::Axis(1));
    let data = imbalanced_data::Xy::new(narrow.view(), &y, 3).unwrap();
    assert!(ten.fit_more(fitted.clone(), data).is_err());
    // The same size again fits nothing new.
    let data = imbalanced_data::Xy::new(x.view(), &y, 3).unwrap();
    assert_eq!(ten.fit_more(fitted.clone(), data).unwrap(), fitted);
}

#[test]
fn max_samples_bounds_each_bootstrap() {
    let (x, y) = imbalanced(2_000, 7);
    let small: BalancedRandomForestClassifier = serde_json::from_value(serde_json::json!({
        "bootstrap": true, "max_samples": 5, "n_estimators": 3
    }))
    .unwrap();
    let forest = small.fit(x.view(), &y, 3).unwrap();
    for tree in forest.trees() {
        // Five draws: at most five distinct rows, so at most 5 leaves (9 nodes).
        assert!(tree.node_count() <= 9);
    }
    let share: BalancedRandomForestClassifier =
        serde_json::from_value(serde_json::json!({"bootstrap": true, "max_samples": 0.5})).unwrap();
    assert!(share.fit(x.view(), &y, 3).is_ok());
    for bad in [serde_json::json!(0), serde_json::json!(1.5), serde_json::json!(-0.5)] {
        let m: BalancedRandomForestClassifier =
            serde_json::from_value(serde_json::json!({"bootstrap": true, "max_samples": bad})).unwrap();
        assert!(matches!(m.fit(x.view(), &y, 3), Err(ModelError::Parameter(_))), "{bad}");
    }
}

#[test]
fn unit_sample_weights_fit_what_no_weights_fit() {
    use imbalanced_ensemble::{AdaBoostClassifier, RusBoostClassifier};
    use imbalanced_models::FitWeighted;
    let (x, y) = imbalanced(3_000, 8);
    let data = || imbalanced_data::Xy::new(x.view(), &y, 3).unwrap();
    let ones = vec![1.0; y.len()];
    let ramp: Vec<f64> = (0..y.len()).map(|i| 0.5 + (i % 7) as f64).collect();
    let forest = BalancedRandomForestClassifier {
        n_estimators: 5,
        ..Default::default()
    };
    let unit = forest.fit_with_weights(data(), &ones).unwrap();
    assert_eq!(unit, forest.fit(x.view(), &y, 3).unwrap());
    assert_ne!(forest.fit_with_weights(data(), &ramp).unwrap(), unit);
    // Boosting stumps: two classes (the rarest against the rest).
    let y2: Vec<usize> = y.iter().map(|&c| usize::from(c == 0)).collect();
    let data2 = || imbalanced_data::Xy::new(x.view(), &y2, 2).unwrap();
    let rus = RusBoostClassifier::default();
    let unit = rus.fit_with_weights(data2(), &ones).unwrap();
    assert_eq!(unit, rus.fit(x.view(), &y2, 2).unwrap());
    assert_ne!(rus.fit_with_weights(data2(), &ramp).unwrap(), unit);
    let ada = AdaBoostClassifier::default();
    assert_eq!(
        ada.fit_with_weights(data2(), &ones).unwrap(),
        ada.fit(x.view(), &y2, 2).unwrap()
    );
    for bad in [
        vec![1.0; 5],
        vec![-1.0; y.len()],
        vec![0.0; y.len()],
        vec![f64::NAN; y.len()],
    ] {
        assert!(matches!(
            rus.fit_with_weights(data2(), &bad),
            Err(ModelError::Parameter(_))
        ));
    }
    let boot = BalancedRandomForestClassifier {
        bootstrap: true,
        ..Default::default()
    };
    assert!(boot.fit_with_weights(data(), &ones).is_err());
}
