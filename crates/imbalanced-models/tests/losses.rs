//! Models trained with imbalance-aware losses.

use imbalanced_data::{read, ReadOptions};
use imbalanced_losses::LossSpec;
use imbalanced_models::*;
use imbalanced_scores::balanced_accuracy_score;
use ndarray::Array2;

fn keel(name: &str) -> (Array2<f64>, Vec<usize>, usize) {
    let path = format!("{}/../../data/keel/{name}.csv", env!("CARGO_MANIFEST_DIR"));
    let data = read(&path, &ReadOptions::default()).unwrap();
    let x = StandardScaler
        .fit(data.numeric())
        .unwrap()
        .transform(data.numeric())
        .unwrap();
    (x, data.y().to_vec(), data.classes().len())
}

#[test]
fn softmax_regression_with_cross_entropy_is_multinomial_logistic_regression() {
    let (x, y, k) = keel("glass");
    let lr = LogisticRegression::default().fit(x.view(), &y, k).unwrap();
    let sm = SoftmaxRegression {
        tol: 1e-9,
        ..Default::default()
    }
    .fit(x.view(), &y, k)
    .unwrap();
    let scale = lr.coef.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let err = lr
        .coef
        .iter()
        .zip(&sm.coef)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err / scale < 1e-4, "coefficients differ by {err}");
}

#[test]
fn every_loss_trains_and_rebalancing_losses_help_the_minority() {
    let (x, y, k) = keel("yeast6");
    let score = |loss: &str| {
        let model = SoftmaxRegression {
            loss: LossSpec::new(loss, &[]).unwrap(),
            ..Default::default()
        };
        let fitted = model.fit(x.view(), &y, k).unwrap();
        let p = fitted.predict_proba(x.view()).unwrap();
        assert!(p.rows().into_iter().all(|r| (r.sum() - 1.0).abs() < 1e-9), "{loss}");
        balanced_accuracy_score(&y, &fitted.predict(x.view()).unwrap(), false).unwrap()
    };
    let ce = score("ce");
    for (name, _) in imbalanced_losses::LOSSES {
        let s = score(name);
        assert!(s.is_finite(), "{name}");
        if ["weighted-ce", "logit-adjusted", "balanced-softmax", "ldam-drw"].contains(name) {
            assert!(s > ce + 0.05, "{name}: balanced accuracy {s:.3} vs ce {ce:.3}");
        }
    }
    assert!(LossSpec::new("focal", &[("gamma".into(), "-1".into())]).is_err());
    assert!(LossSpec::new("focal", &[("alpha".into(), "1".into())]).is_err());
    assert!(LossSpec::new("nope", &[])
        .unwrap_err()
        .to_string()
        .contains("choose one of"));
    assert!(LossSpec::new("cb-focal", &[("beta".into(), "1".into())]).is_err());
}

/// Two interleaved half-moons: not linearly separable.
fn moons(n: usize) -> (Array2<f64>, Vec<usize>) {
    let mut x = Array2::zeros((n, 2));
    let mut y = vec![0; n];
    for i in 0..n {
        let t = std::f64::consts::PI * (i as f64 / n as f64 * 2.0 % 1.0);
        let c = usize::from(i * 2 >= n);
        let (a, b) = if c == 0 {
            (t.cos(), t.sin())
        } else {
            (1.0 - t.cos(), 0.5 - t.sin())
        };
        x[(i, 0)] = a + 0.05 * ((i * 7919) % 13) as f64 / 13.0;
        x[(i, 1)] = b;
        y[i] = c;
    }
    (x, y)
}

#[test]
fn the_mlp_learns_a_nonlinear_boundary_in_every_configuration() {
    let (x, y) = moons(200);
    let lr_acc = {
        let f = LogisticRegression::default().fit(x.view(), &y, 2).unwrap();
        balanced_accuracy_score(&y, &f.predict(x.view()).unwrap(), false).unwrap()
    };
    let base = MlpClassifier {
        hidden: vec![32, 32],
        learning_rate: 1e-2,
        batch_size: 32,
        epochs: 150,
        ..Default::default()
    };
    let configs = vec![
        ("relu", base.clone()),
        (
            "gelu",
            MlpClassifier {
                activation: Activation::Gelu,
                ..base.clone()
            },
        ),
        (
            "dropout",
            MlpClassifier {
                dropout: 0.1,
                ..base.clone()
            },
        ),
        (
            "multi-sample dropout",
            MlpClassifier {
                dropout: 0.1,
                dropout_samples: 4,
                ..base.clone()
            },
        ),
        (
            "cosine head + ldam",
            MlpClassifier {
                cosine_head: true,
                loss: LossSpec::new("ldam", &[("s".into(), "10".into())]).unwrap(),
                ..base.clone()
            },
        ),
        (
            "focal",
            MlpClassifier {
                loss: LossSpec::new("focal", &[]).unwrap(),
                ..base.clone()
            },
        ),
        (
            "early stopping",
            MlpClassifier {
                validation_fraction: 0.2,
                patience: 30,
                ..base.clone()
            },
        ),
    ];
    for (name, model) in configs {
        let f = model.fit(x.view(), &y, 2).unwrap();
        let acc = balanced_accuracy_score(&y, &f.predict(x.view()).unwrap(), false).unwrap();
        assert!(
            acc > 0.95 && acc > lr_acc + 0.05,
            "{name}: {acc:.3} (logistic regression {lr_acc:.3})"
        );
        assert!(
            f.loss_curve.last().unwrap() < &f.loss_curve[0],
            "{name}: loss did not fall"
        );
        // Same seed, same model.
        assert_eq!(f, model.fit(x.view(), &y, 2).unwrap(), "{name}: not deterministic");
    }
    assert!(MlpClassifier {
        dropout: 1.0,
        ..Default::default()
    }
    .fit(x.view(), &y, 2)
    .is_err());
    assert!(MlpClassifier {
        hidden: vec![0],
        ..Default::default()
    }
    .fit(x.view(), &y, 2)
    .is_err());
}

#[test]
fn the_mlp_learns_multi_label_targets_with_multi_label_losses() {
    // Label 0: x0 > 0; label 1: x1 > 0.5 (rare); label 2: both.
    let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, 1);
    let n = 600;
    let x = Array2::from_shape_simple_fn((n, 2), || rng.standard_normal());
    let t = Array2::from_shape_fn((n, 3), |(i, j)| {
        let (a, b) = (x[(i, 0)] > 0.0, x[(i, 1)] > 0.5);
        f64::from(u8::from([a, b, a && b][j]))
    });
    let model = MlpClassifier {
        hidden: vec![16],
        learning_rate: 1e-2,
        batch_size: 64,
        epochs: 60,
        ..Default::default()
    };
    let losses: Vec<(&str, Box<dyn imbalanced_losses::MultiLabelLoss>)> = vec![
        ("bce", Box::new(imbalanced_losses::BinaryCrossEntropy::default())),
        ("asl", Box::new(imbalanced_losses::Asl::default())),
        ("sigmoid focal", Box::new(imbalanced_losses::SigmoidFocal::default())),
    ];
    for (name, loss) in losses {
        for sampling in [BatchSampling::Instance, BatchSampling::ClassBalanced] {
            let m = MlpClassifier {
                sampling,
                ..model.clone()
            };
            let f = m
                .fit_multilabel(x.view(), t.view(), loss.as_ref(), imbalanced_losses::Reduction::Mean)
                .unwrap();
            let p = f.predict_label_proba(x.view()).unwrap();
            let correct = p.iter().zip(&t).filter(|(p, t)| (**p > 0.5) == (**t > 0.5)).count() as f64 / (3 * n) as f64;
            assert!(correct > 0.93, "{name} {sampling:?}: {correct}");
        }
    }
    assert!(model
        .fit_multilabel(
            x.view(),
            t.slice(ndarray::s![..5, ..]),
            &imbalanced_losses::BinaryCrossEntropy::default(),
            imbalanced_losses::Reduction::Mean
        )
        .is_err());
}
