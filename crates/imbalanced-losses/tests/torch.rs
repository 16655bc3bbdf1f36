//! Every loss against PyTorch 2.15 / torchvision 0.29 and the papers'
//! reference code (tests/fixtures/losses.json, scripts/fixtures/losses.py):
//! values to 1e-9, gradients to 1e-7, on ordinary and saturated logits.

use imbalanced_losses::*;
use ndarray::Array2;
use serde_json::Value;

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = serde_json::from_value(v.clone()).unwrap();
    Array2::from_shape_fn((rows.len(), rows[0].len()), |(i, j)| rows[i][j])
}

fn vector(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn check(case: &str, name: &str, got: (f64, Array2<f64>), want: &Value) {
    let value = want[0].as_f64().unwrap();
    assert!(
        (got.0 - value).abs() <= 1e-9 * value.abs().max(1.0),
        "{case} {name}: {} vs {value}",
        got.0
    );
    assert!(
        got.1.iter().all(|g| g.is_finite()),
        "{case} {name}: non-finite gradient"
    );
    if !want[1].is_null() {
        let g = matrix(&want[1]);
        let err = got.1.iter().zip(&g).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        assert!(err <= 1e-7, "{case} {name}: gradient off by {err:e}");
    }
}

#[test]
fn losses_match_pytorch() {
    let fixture: Value = serde_json::from_str(include_str!("fixtures/losses.json")).unwrap();
    let mut checked = 0;
    for c in fixture["cases"].as_array().unwrap() {
        let case = if c["saturated"].as_bool().unwrap() {
            "saturated"
        } else {
            "plain"
        };
        let z = matrix(&c["logits"]);
        let cos = matrix(&c["cos_logits"]);
        let y: Vec<usize> = c["targets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let counts = vector(&c["counts"]);
        let w = vector(&c["cb_weights"]);
        assert!(effective_number_weights(&counts, 0.9999)
            .unwrap()
            .iter()
            .zip(&w)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        let s = &c["single"];
        let single: Vec<(&str, Box<dyn Loss>, Reduction, bool)> = vec![
            ("ce_mean", Box::new(CrossEntropy::default()), Reduction::Mean, false),
            ("ce_sum", Box::new(CrossEntropy::default()), Reduction::Sum, false),
            (
                "ce_weighted_mean",
                Box::new(CrossEntropy::default().weights(w.clone())),
                Reduction::WeightedMean,
                false,
            ),
            (
                "ce_smooth_0.1_weighted_mean",
                Box::new(
                    CrossEntropy::default()
                        .weights(w.clone())
                        .label_smoothing(0.1, Smoothing::AllClasses),
                ),
                Reduction::WeightedMean,
                false,
            ),
            (
                "ce_smooth_0.1_mean",
                Box::new(CrossEntropy::default().label_smoothing(0.1, Smoothing::AllClasses)),
                Reduction::Mean,
                false,
            ),
            (
                "ce_smooth_others_0.1_mean",
                Box::new(CrossEntropy::default().label_smoothing(0.1, Smoothing::OtherClasses)),
                Reduction::Mean,
                false,
            ),
            (
                "focal_0.0_mean",
                Box::new(Focal {
                    gamma: 0.0,
                    alpha: None,
                }),
                Reduction::Mean,
                false,
            ),
            (
                "focal_0.5_mean",
                Box::new(Focal {
                    gamma: 0.5,
                    alpha: None,
                }),
                Reduction::Mean,
                false,
            ),
            (
                "focal_1.0_mean",
                Box::new(Focal {
                    gamma: 1.0,
                    alpha: None,
                }),
                Reduction::Mean,
                false,
            ),
            (
                "focal_2.0_mean",
                Box::new(Focal {
                    gamma: 2.0,
                    alpha: None,
                }),
                Reduction::Mean,
                false,
            ),
            (
                "cb_focal_1.0_sum",
                Box::new(Focal {
                    gamma: 1.0,
                    alpha: Some(w.clone()),
                }),
                Reduction::Sum,
                false,
            ),
            (
                "ldam_mean_cos",
                Box::new(Ldam::from_counts(&counts, 0.5, 30.0).unwrap()),
                Reduction::Mean,
                true,
            ),
            (
                "ldam_drw_weighted_mean_cos",
                Box::new(Ldam::from_counts(&counts, 0.5, 30.0).unwrap().weights(Some(w.clone()))),
                Reduction::WeightedMean,
                true,
            ),
            (
                "la_1.0_mean",
                Box::new(LogitAdjusted::from_counts(&counts, 1.0).unwrap()),
                Reduction::Mean,
                false,
            ),
            (
                "la_0.5_mean",
                Box::new(LogitAdjusted::from_counts(&counts, 0.5).unwrap()),
                Reduction::Mean,
                false,
            ),
            (
                "balanced_softmax_mean",
                Box::new(BalancedSoftmax::from_counts(&counts).unwrap()),
                Reduction::Mean,
                false,
            ),
            (
                "seesaw_mean",
                Box::new(Seesaw {
                    counts: counts.clone(),
                    ..Seesaw::new(counts.len())
                }),
                Reduction::Mean,
                false,
            ),
        ];
        for (name, loss, reduction, on_cos) in single {
            let input = if on_cos { cos.view() } else { z.view() };
            check(case, name, loss.loss(input, &y, reduction).unwrap(), &s[name]);
            checked += 1;
        }
        let t = matrix(&c["multi_targets"]);
        let m = &c["multi"];
        let multi: Vec<(&str, Box<dyn MultiLabelLoss>)> = vec![
            (
                "sigmoid_focal_2.0_0.25_sum",
                Box::new(SigmoidFocal {
                    alpha: Some(0.25),
                    gamma: 2.0,
                }),
            ),
            (
                "sigmoid_focal_0.5_0.25_sum",
                Box::new(SigmoidFocal {
                    alpha: Some(0.25),
                    gamma: 0.5,
                }),
            ),
            (
                "sigmoid_focal_0.0_-1.0_sum",
                Box::new(SigmoidFocal {
                    alpha: None,
                    gamma: 0.0,
                }),
            ),
            (
                "sigmoid_focal_1.0_-1.0_sum",
                Box::new(SigmoidFocal {
                    alpha: None,
                    gamma: 1.0,
                }),
            ),
            ("asl_default_sum", Box::new(Asl::default())),
            (
                "asl_train_sum",
                Box::new(Asl {
                    gamma_pos: 0.0,
                    stop_gradient_weights: true,
                    ..Asl::default()
                }),
            ),
            (
                "asl_zero_sum",
                Box::new(Asl {
                    gamma_neg: 0.0,
                    gamma_pos: 0.0,
                    clip: 0.0,
                    ..Asl::default()
                }),
            ),
            (
                "bce_pos_weight_sum",
                Box::new(BinaryCrossEntropy {
                    pos_weight: Some(vector(&c["pos_weight"])),
                    weight: None,
                }),
            ),
            (
                "bce_weight_pos_weight_sum",
                Box::new(BinaryCrossEntropy {
                    pos_weight: Some(vector(&c["pos_weight"])),
                    weight: Some(w.clone()),
                }),
            ),
        ];
        for (name, loss) in multi {
            check(
                case,
                name,
                loss.loss(z.view(), t.view(), Reduction::Sum).unwrap(),
                &m[name],
            );
            checked += 1;
        }
        let tal = TemporalDecay {
            q: vector(&c["tal_q"]),
            lambda: 0.9,
        };
        check(
            case,
            "tal_mean",
            tal.loss(z.view(), &y, Reduction::Mean).unwrap(),
            &s["tal_mean"],
        );
        check(
            case,
            "dice_1.0",
            Tversky::dice(1.0).compute(z.view(), &y).unwrap(),
            &s["dice_1.0"],
        );
        let tv = Tversky {
            alpha: 0.3,
            beta: 0.7,
            smooth: 1.0,
        };
        check(
            case,
            "tversky_0.3_0.7_1.0",
            tv.compute(z.view(), &y).unwrap(),
            &s["tversky_0.3_0.7_1.0"],
        );
        let co = matrix(&c["co_occurrence"]);
        assert!(Lcr::co_occurrence(t.view())
            .iter()
            .zip(&co)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        let lcr = Lcr {
            co_occurrence: Some(co),
            ..Lcr::default()
        };
        check(case, "lcr", lcr.compute(z.view(), t.view()).unwrap(), &m["lcr"]);
        let ml = MultiLabelLdam {
            weights: Some(w.clone()),
            ..MultiLabelLdam::from_counts(&counts, 0.5, 30.0).unwrap()
        };
        check(
            case,
            "ml_ldam_sum_cos",
            ml.loss(cos.view(), t.view(), Reduction::Sum).unwrap(),
            &m["ml_ldam_sum_cos"],
        );
        checked += 6;
        let prop = ProportionLoss::new(vector(&c["proportion_target"])).unwrap();
        check(case, "proportion", prop.compute(z.view()).unwrap(), &c["proportion"]);
        let adjusted = post_hoc_logit_adjustment(z.view(), &counts, 1.0).unwrap();
        assert!(adjusted
            .iter()
            .zip(&matrix(&c["post_hoc_1.0"]))
            .all(|(a, b)| (a - b).abs() < 1e-12));
    }
    assert_eq!(checked, 2 * 32);
}
