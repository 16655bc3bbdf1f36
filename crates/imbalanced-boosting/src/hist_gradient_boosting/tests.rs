use super::*;
use crate::test_data::{blobs, imbalanced_blobs, recall};

fn fit(m: &HistGradientBoostingClassifier, x: &Array2<f64>, y: &[usize], k: usize) -> FittedHistGradientBoosting {
    m.fit(x.view(), y, k).unwrap()
}

/// Keeps the training scores every round and never stops early.
fn scored() -> HistGradientBoostingClassifier {
    HistGradientBoostingClassifier {
        early_stopping: EarlyStopping::On,
        n_iter_no_change: 1000,
        ..Default::default()
    }
}

#[test]
fn boosting_learns_three_classes_and_gives_probabilities() {
    let (x, y) = blobs(600, 1);
    let m = fit(&HistGradientBoostingClassifier::default(), &x, &y, 3);
    assert_eq!((m.n_iter, m.trees.len(), m.baseline.len()), (100, 300, 3));
    let p = m.predict_proba(x.view()).unwrap();
    assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-12));
    let hits = m
        .predict(x.view())
        .unwrap()
        .iter()
        .zip(&y)
        .filter(|(a, b)| a == b)
        .count();
    assert!(hits as f64 / 600.0 > 0.85, "{hits}");
    assert!(
        m.train_score.is_empty() && m.validation_score.is_empty(),
        "no early stopping at 600 rows"
    );
}

#[test]
fn the_same_seed_gives_the_same_model_on_any_thread_count() {
    let (x, y) = imbalanced_blobs(3000, 0.1, 4);
    let m = HistGradientBoostingClassifier {
        early_stopping: EarlyStopping::On,
        max_iter: 30,
        ..Default::default()
    };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let a = one.install(|| fit(&m, &x, &y, 2));
    let b = fit(&m, &x, &y, 2);
    assert_eq!(a, b);
}

#[test]
fn class_weights_and_lightgbm_weights_raise_minority_recall() {
    let (x, y) = imbalanced_blobs(4000, 0.05, 7);
    let (x_test, y_test) = imbalanced_blobs(4000, 0.05, 8);
    let plain = fit(&HistGradientBoostingClassifier::default(), &x, &y, 2);
    let base = recall(&plain, x_test.view(), &y_test, 1);
    for m in [
        HistGradientBoostingClassifier {
            class_weight: ClassWeight::Balanced,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            is_unbalance: true,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            scale_pos_weight: 19.0,
            ..Default::default()
        },
    ] {
        let r = recall(&fit(&m, &x, &y, 2), x_test.view(), &y_test, 1);
        assert!(r > base + 0.1, "{r} vs {base}");
    }
    // is_unbalance is scale_pos_weight = n_neg / n_pos.
    let ratio = y.iter().filter(|&&c| c == 0).count() as f64 / y.iter().filter(|&&c| c == 1).count() as f64;
    let a = fit(
        &HistGradientBoostingClassifier {
            is_unbalance: true,
            ..Default::default()
        },
        &x,
        &y,
        2,
    );
    let b = fit(
        &HistGradientBoostingClassifier {
            scale_pos_weight: ratio,
            ..Default::default()
        },
        &x,
        &y,
        2,
    );
    assert_eq!(a, b);
}

#[test]
fn every_newton_loss_trains_and_lowers_its_own_loss() {
    let (x, y) = imbalanced_blobs(2000, 0.1, 9);
    for name in imbalanced_losses::newton_losses() {
        // LDAM's default scale 30 is for a cosine head: with raw tree
        // scores its logits saturate and Newton steps overshoot.
        let spec = if name == "ldam" { "ldam:s=1" } else { name };
        let m = HistGradientBoostingClassifier {
            loss: spec.parse().unwrap(),
            max_iter: 20,
            ..scored()
        };
        let f = fit(&m, &x, &y, 2);
        let first = f.train_score[0];
        let last = *f.train_score.last().unwrap();
        assert!(last > first, "{name}: {first} -> {last}");
        for tree in &f.trees {
            assert!(tree.nodes.iter().all(|n| n.value.is_finite()), "{name}");
        }
        assert!(recall(&f, x.view(), &y, 1) > 0.3, "{name}");
    }
}

#[test]
fn focal_loss_decreases_round_by_round_with_finite_leaves() {
    let (x, y) = blobs(900, 5);
    let m = HistGradientBoostingClassifier {
        loss: "focal:gamma=2".parse().unwrap(),
        max_iter: 50,
        ..scored()
    };
    let f = fit(&m, &x, &y, 3);
    assert!(
        f.train_score.windows(2).all(|w| w[1] >= w[0] - 1e-9),
        "{:?}",
        f.train_score
    );
}

#[test]
fn early_stopping_stops_when_the_validation_loss_stalls() {
    let (x, y) = imbalanced_blobs(12_000, 0.2, 2);
    let f = fit(&HistGradientBoostingClassifier::default(), &x, &y, 2);
    assert!(f.n_iter < 100, "{}", f.n_iter);
    assert_eq!(f.validation_score.len(), f.n_iter + 1);
    let s = &f.validation_score;
    assert!(should_stop(s, 10, 1e-7));
    assert!(!should_stop(&s[..s.len() - 1], 10, 1e-7));
    let off = HistGradientBoostingClassifier {
        early_stopping: EarlyStopping::Off,
        max_iter: 15,
        ..Default::default()
    };
    assert_eq!(fit(&off, &x, &y, 2).n_iter, 15);
}

#[test]
fn limits_shape_every_tree() {
    let (x, y) = blobs(1200, 3);
    let m = HistGradientBoostingClassifier {
        max_leaf_nodes: Some(5),
        max_depth: Some(2),
        min_samples_leaf: 50,
        max_iter: 10,
        ..Default::default()
    };
    let f = fit(&m, &x, &y, 3);
    for tree in &f.trees {
        let leaves: Vec<&BoostedNode> = tree.nodes.iter().filter(|n| n.left == 0).collect();
        assert!(leaves.len() <= 4, "depth 2 has at most 4 leaves");
        assert!(leaves.iter().all(|n| n.n_samples >= 50));
    }
}

#[test]
fn paths_leaves_importances_and_the_model_file() {
    let (x, y) = imbalanced_blobs(1500, 0.2, 3);
    let f = fit(
        &HistGradientBoostingClassifier {
            max_iter: 10,
            ..Default::default()
        },
        &x,
        &y,
        2,
    );
    let leaves = f.apply(x.view()).unwrap();
    assert_eq!(leaves.dim(), (1500, 10));
    let row = x.row(0).to_vec();
    let path = f.trees[0].path(&row);
    assert_eq!((path[0], *path.last().unwrap()), (0, leaves[(0, 0)]));
    let imp = f.feature_importances();
    assert!((imp.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    // The class lives on features 0 and 1.
    assert!(imp[0] + imp[1] > 0.8, "{imp:?}");
    let text = serde_json::to_string(&f).unwrap();
    let back: FittedHistGradientBoosting = serde_json::from_str(&text).unwrap();
    assert_eq!(
        back.predict_proba(x.view()).unwrap(),
        f.predict_proba(x.view()).unwrap()
    );
    back.validate().unwrap();
    let mut cyclic = f.clone();
    cyclic.trees[0].nodes[1].left = 1;
    cyclic.trees[0].nodes[1].right = 1;
    assert!(cyclic.validate().is_err());
    let mut wide = f.clone();
    let split = wide.trees[0].nodes.iter().position(|n| n.left != 0).unwrap();
    wide.trees[0].nodes[split].feature = 9;
    assert!(wide.validate().is_err());
    let mut short = f.clone();
    short.trees.pop();
    assert!(short.validate().is_err());
}

#[test]
fn bad_parameters_and_inputs_are_typed_errors() {
    let (x, y) = blobs(90, 1);
    let cases = [
        HistGradientBoostingClassifier {
            learning_rate: 0.0,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            max_iter: 0,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            max_bins: 256,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            max_leaf_nodes: Some(1),
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            loss: "dice".parse().unwrap(),
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            scale_pos_weight: 3.0,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            is_unbalance: true,
            scale_pos_weight: 2.0,
            ..Default::default()
        },
        HistGradientBoostingClassifier {
            validation_fraction: 1.0,
            ..Default::default()
        },
    ];
    for m in cases {
        assert!(matches!(m.fit(x.view(), &y, 3), Err(ModelError::Parameter(_))), "{m:?}");
    }
    let f = fit(&HistGradientBoostingClassifier::default(), &x, &y, 3);
    assert!(matches!(
        f.predict_proba(x.select(Axis(1), &[0]).view()),
        Err(ModelError::FeatureMismatch { .. })
    ));
    let mut nan = x.clone();
    nan[(3, 1)] = f64::NAN;
    assert!(matches!(f.predict_proba(nan.view()), Err(ModelError::NonFinite { .. })));
}

#[test]
fn unit_sample_weights_fit_what_no_weights_fit() {
    let (x, y) = imbalanced_blobs(3000, 0.1, 11);
    let m = HistGradientBoostingClassifier {
        max_iter: 20,
        early_stopping: EarlyStopping::On,
        ..Default::default()
    };
    let data = || imbalanced_data::Xy::new(x.view(), &y, 2).unwrap();
    let plain = fit(&m, &x, &y, 2);
    assert_eq!(m.fit_with_weights(data(), &vec![1.0; y.len()]).unwrap(), plain);
    // Weight 2 on the minority is class_weight {0: 1, 1: 2}.
    let twice: Vec<f64> = y.iter().map(|&c| if c == 1 { 2.0 } else { 1.0 }).collect();
    let by_class = HistGradientBoostingClassifier {
        class_weight: ClassWeight::Given(vec![1.0, 2.0]),
        ..m.clone()
    };
    assert_eq!(m.fit_with_weights(data(), &twice).unwrap(), fit(&by_class, &x, &y, 2));
    assert!(m.fit_with_weights(data(), &[1.0]).is_err());
}
