//! Models trained with imbalance-aware losses.

use imbalanced_data::{read, ReadOptions};
use imbalanced_losses::LossSpec;
use imbalanced_models::*;
use imbalanced_scores::balanced_accuracy_score;
use ndarray::{Array2, ArrayView2};

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
    for name in imbalanced_losses::LOSSES.entries.iter().map(|e| e.info.name) {
        let s = score(name);
        assert!(s.is_finite(), "{name}");
        if ["weighted-ce", "logit-adjusted", "balanced-softmax", "ldam-drw"].contains(&name) {
            assert!(s > ce + 0.05, "{name}: balanced accuracy {s:.3} vs ce {ce:.3}");
        }
    }
    assert!(LossSpec::new("focal", &[("gamma".into(), "-1".into())]).is_err());
    assert!(LossSpec::new("focal", &[("alpha".into(), "1".into())]).is_err());
    let unknown = LossSpec::new("nope", &[]).unwrap_err().to_string();
    assert!(
        unknown.contains("unknown loss \"nope\"")
            && unknown.contains("the losses are: ce (cross-entropy, log_loss), weighted-ce"),
        "{unknown}"
    );
    let typo = LossSpec::new("focal", &[("gama".into(), "1".into())])
        .unwrap_err()
        .to_string();
    assert!(typo.contains("did you mean \"gamma\""), "{typo}");
    let alias = LossSpec::new("LA", &[("tau".into(), "0.5".into())]).unwrap();
    assert_eq!(alias.name, "logit-adjusted");
    assert!(LossSpec::new("cb-focal", &[("beta".into(), "1".into())]).is_err());
    // The text form `evaluate --losses` takes.
    let text: LossSpec = "LA:tau=0.5".parse().unwrap();
    assert_eq!(text, alias);
    let bare = "focal:gamma".parse::<LossSpec>().unwrap_err().to_string();
    assert!(bare.contains("NAME:key=value"), "{bare}");
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
    for name in ["bce", "asl", "sigmoid-focal", "lcr", "ldam", "ldam-drw"] {
        let params: Vec<(String, String)> = if name.starts_with("ldam") {
            vec![("s".into(), "5".into())]
        } else {
            vec![]
        };
        for sampling in [BatchSampling::Instance, BatchSampling::ClassBalanced] {
            let m = MlpClassifier {
                sampling,
                loss: LossSpec::new_multilabel(name, &params).unwrap(),
                ..model.clone()
            };
            let mut epochs = 0;
            let f = m.fit_multilabel(x.view(), t.view(), &mut |_| epochs += 1).unwrap();
            assert_eq!(epochs, 60);
            let p = f.predict_label_proba(x.view()).unwrap();
            let correct = p.iter().zip(&t).filter(|(p, t)| (**p > 0.5) == (**t > 0.5)).count() as f64 / (3 * n) as f64;
            assert!(correct > 0.93, "{name} {sampling:?}: {correct}");
        }
    }
    let bce = MlpClassifier {
        loss: LossSpec::new_multilabel("bce", &[]).unwrap(),
        ..model.clone()
    };
    assert!(bce
        .fit_multilabel(x.view(), t.slice(ndarray::s![..5, ..]), &mut |_| {})
        .is_err());
    let mut not_binary = t.clone();
    not_binary[(3, 1)] = 2.0;
    assert!(bce.fit_multilabel(x.view(), not_binary.view(), &mut |_| {}).is_err());
    // A single-label loss is refused, naming the multi-label ones.
    let err = model.fit_multilabel(x.view(), t.view(), &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("asl"), "{err}");
    assert!(LossSpec::new_multilabel("seesaw", &[]).is_err());
    assert!(LossSpec::new_multilabel("asl", &[("gamma_neg".into(), "-1".into())]).is_err());
    assert!(LossSpec::new_multilabel("bce", &[("pos_weight".into(), "sometimes".into())]).is_err());
}

/// Two overlapping Gaussian classes (means -0.5 and +0.5 on the first feature).
fn two_gaussians(n0: usize, n1: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = imbalanced_random::SamplerRng::new(imbalanced_random::RngKind::Default, seed);
    let y: Vec<usize> = (0..n0 + n1).map(|i| usize::from(i >= n0)).collect();
    let x = Array2::from_shape_fn((n0 + n1, 2), |(i, j)| {
        rng.standard_normal() + if j == 0 { y[i] as f64 - 0.5 } else { 0.0 }
    });
    (x, y)
}

#[test]
fn the_proportion_loss_pulls_unlabelled_predictions_to_the_class_proportions() {
    // Balanced labelled rows, unlabelled rows 90/10: the labelled prior says
    // 50/50, the proportion loss is told 90/10.
    let (x, y) = two_gaussians(100, 100, 3);
    let (xu, _) = two_gaussians(900, 100, 4);
    let model = MlpClassifier {
        hidden: vec![16],
        learning_rate: 1e-2,
        batch_size: 50,
        epochs: 40,
        ..Default::default()
    };
    let mean_p0 = |f: &imbalanced_models::FittedMlp| f.predict_proba(xu.view()).unwrap().column(0).mean().unwrap();
    let supervised = mean_p0(&model.fit(x.view(), &y, 2).unwrap());
    let ssl = imbalanced_models::ProportionSsl {
        weight: 2.0,
        proportions: Some(vec![0.9, 0.1]),
        ..Default::default()
    };
    let fitted = model
        .fit_semi_supervised(x.view(), &y, 2, xu.view(), &ssl, &mut |_| {})
        .unwrap();
    let semi = mean_p0(&fitted);
    // The labelled term pulls the other way, so the pull is partial: the
    // gap to 0.9 at least halves.
    eprintln!("mean p0 on unlabelled rows: supervised {supervised}, semi-supervised {semi}");
    assert!(
        (semi - 0.9).abs() < 0.5 * (supervised - 0.9).abs(),
        "{supervised} -> {semi}"
    );
    // The stochastic variant: seeded, and near the proportions too.
    let stochastic = imbalanced_models::ProportionSsl {
        stochastic: true,
        ..ssl.clone()
    };
    let a = model
        .fit_semi_supervised(x.view(), &y, 2, xu.view(), &stochastic, &mut |_| {})
        .unwrap();
    let b = model
        .fit_semi_supervised(x.view(), &y, 2, xu.view(), &stochastic, &mut |_| {})
        .unwrap();
    assert_eq!(a.predict_proba(xu.view()).unwrap(), b.predict_proba(xu.view()).unwrap());
    let sto = mean_p0(&a);
    assert!(
        (sto - 0.9).abs() < 0.5 * (supervised - 0.9).abs(),
        "{supervised} -> {sto}"
    );
    // Weight 0 is plain supervised training on the same batches.
    let off = imbalanced_models::ProportionSsl {
        weight: 0.0,
        ..ssl.clone()
    };
    let zero = mean_p0(
        &model
            .fit_semi_supervised(x.view(), &y, 2, xu.view(), &off, &mut |_| {})
            .unwrap(),
    );
    assert!((zero - 0.9).abs() > 0.5 * (supervised - 0.9).abs(), "weight 0: {zero}");
    // Bad input.
    let fit = |xu: ArrayView2<'_, f64>, ssl: &imbalanced_models::ProportionSsl| {
        model.fit_semi_supervised(x.view(), &y, 2, xu, ssl, &mut |_| {})
    };
    assert!(fit(xu.slice(ndarray::s![.., ..1]), &ssl).is_err());
    assert!(fit(xu.slice(ndarray::s![..0, ..]), &ssl).is_err());
    let mut nan = xu.clone();
    nan[(5, 1)] = f64::NAN;
    assert!(fit(nan.view(), &ssl).is_err());
    for bad in [
        imbalanced_models::ProportionSsl {
            proportions: Some(vec![0.5, 0.3, 0.2]),
            ..ssl.clone()
        },
        imbalanced_models::ProportionSsl {
            proportions: Some(vec![0.9, 0.2]),
            ..ssl.clone()
        },
        imbalanced_models::ProportionSsl {
            weight: -1.0,
            ..ssl.clone()
        },
    ] {
        assert!(fit(xu.view(), &bad).is_err(), "{bad:?}");
    }
}

#[test]
fn class_alignment_of_the_hidden_space_is_seeded_and_off_at_weight_zero() {
    use imbalanced_models::{ClassAlignment, ProportionSsl};
    let (x, y) = two_gaussians(150, 30, 5);
    let (xu, _) = two_gaussians(400, 80, 6);
    let model = MlpClassifier {
        hidden: vec![8],
        learning_rate: 1e-2,
        batch_size: 30,
        epochs: 10,
        ..Default::default()
    };
    let fit = |alignment: Option<ClassAlignment>| {
        let ssl = ProportionSsl {
            alignment,
            ..Default::default()
        };
        model.fit_semi_supervised(x.view(), &y, 2, xu.view(), &ssl, &mut |_| {})
    };
    let proba = |m: &imbalanced_models::FittedMlp| m.predict_proba(x.view()).unwrap();
    let plain = proba(&fit(None).unwrap());
    // Weight 0: the proxies learn nothing and the network is the one without them.
    let zero = ClassAlignment {
        weight: 0.0,
        ..Default::default()
    };
    assert_eq!(proba(&fit(Some(zero)).unwrap()), plain);
    let on = proba(&fit(Some(ClassAlignment::default())).unwrap());
    assert_eq!(on, proba(&fit(Some(ClassAlignment::default())).unwrap()), "seeded");
    assert!(on != plain && on.iter().all(|v| v.is_finite()));
    for bad in [
        ClassAlignment {
            weight: -1.0,
            ..Default::default()
        },
        ClassAlignment {
            temperature: 0.0,
            ..Default::default()
        },
        ClassAlignment {
            proxy_temperature: f64::NAN,
            ..Default::default()
        },
    ] {
        let err = fit(Some(bad.clone())).unwrap_err().to_string();
        assert!(err.contains("alignment"), "{bad:?}: {err}");
    }
}

/// The reports of an MLP fit with early stopping on.
fn reports(model: &MlpClassifier, x: ArrayView2<'_, f64>, y: &[usize]) -> Vec<EpochReport> {
    let mut out = Vec::new();
    let xy = imbalanced_data::Xy::new(x, y, 2).unwrap();
    model.fit_with_progress(xy, &mut |r| out.push(r)).unwrap();
    out
}

#[test]
fn early_stopping_waits_for_the_schedule_to_take_effect() {
    let (x, y, _) = keel("yeast6");
    let (x, y) = (x.view(), &y[..]);
    // Impatient early stopping that, counted from the start, ends training
    // within a few epochs, long before LDAM-DRW re-weights (at 0.8 x 40 = 32).
    let base = MlpClassifier {
        hidden: vec![8],
        epochs: 40,
        validation_fraction: 0.2,
        patience: 1,
        ..Default::default()
    };
    let ce = reports(&base, x, y);
    assert!(ce.len() < 32, "cross-entropy stops early ({} epochs)", ce.len());
    assert!(ce.last().unwrap().stopped.is_some() && ce[0].schedule_settles == 0);

    let drw = MlpClassifier {
        loss: LossSpec::new("ldam-drw", &[]).unwrap(),
        ..base.clone()
    };
    let r = reports(&drw, x, y);
    assert_eq!(r[0].schedule_settles, 32);
    assert!(r.len() > 32, "re-weighting ran ({} epochs)", r.len());
    if let Some(stop) = r.last().unwrap().stopped {
        assert!(stop.best_epoch >= 32, "the kept weights are re-weighted ones: {stop:?}");
    }

    let progressive = MlpClassifier {
        sampling: BatchSampling::Progressive,
        ..base
    };
    let r = reports(&progressive, x, y);
    assert_eq!(
        (r.len(), r[0].schedule_settles),
        (40, 39),
        "progressive sampling runs to its end"
    );
}
