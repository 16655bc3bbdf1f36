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
    assert!(LossSpec::new("asl", &[])
        .unwrap_err()
        .to_string()
        .contains("multi-label"));
}
