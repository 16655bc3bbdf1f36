//! The burn tensor losses equal the slice implementations (values 1e-9,
//! autodiff gradients 1e-7), on ordinary and saturated logits.
#![cfg(feature = "burn")]

use burn::tensor::{DType, Device, Int, Tensor, TensorData};
use imbalanced_losses::burn_losses as bl;
use imbalanced_losses::*;
use ndarray::{array, Array2};

fn device() -> Device {
    Device::flex().autodiff()
}

fn tensor(a: &Array2<f64>) -> Tensor<2> {
    Tensor::<2>::from_data(
        TensorData::new(a.iter().copied().collect::<Vec<_>>(), [a.nrows(), a.ncols()]),
        (&device(), DType::F64),
    )
}

fn labels(y: &[usize]) -> Tensor<1, Int> {
    Tensor::<1, Int>::from_data(
        TensorData::new(y.iter().map(|&v| v as i64).collect::<Vec<_>>(), [y.len()]),
        &device(),
    )
}

/// Value and gradient of a burn loss at `z`.
fn run(z: &Array2<f64>, f: impl Fn(Tensor<2>) -> Tensor<1>) -> (f64, Array2<f64>) {
    let t = tensor(z).require_grad();
    let loss = f(t.clone());
    let grads = loss.backward();
    let g: Vec<f64> = t.grad(&grads).unwrap().into_data().try_to_vec::<f64>().unwrap();
    let v: Vec<f64> = loss.into_data().try_to_vec::<f64>().unwrap();
    (v[0], Array2::from_shape_vec(z.dim(), g).unwrap())
}

fn same(name: &str, burn: (f64, Array2<f64>), ours: (f64, Array2<f64>)) {
    assert!(
        (burn.0 - ours.0).abs() <= 1e-9 * ours.0.abs().max(1.0),
        "{name}: {} vs {}",
        burn.0,
        ours.0
    );
    let err = burn
        .1
        .iter()
        .zip(&ours.1)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    assert!(err <= 1e-7, "{name}: gradient off by {err:e}");
}

#[test]
fn burn_losses_equal_the_slice_losses() {
    let counts = [500.0, 120.0, 30.0, 6.0];
    let w = effective_number_weights(&counts, 0.999).unwrap();
    for z in [
        array![
            [0.3, -1.2, 2.0, 0.1],
            [1.5, 0.2, -0.7, 0.0],
            [-2.0, 3.0, 0.5, 1.0],
            [0.0, 0.4, -0.3, 2.2]
        ],
        array![
            [40.0, -40.0, 0.0, 1.0],
            [-40.0, 40.0, 0.0, -1.0],
            [3.0, 40.0, -40.0, 0.0],
            [0.5, 0.5, 0.5, 0.5]
        ],
    ] {
        let y = [0, 0, 2, 3];
        let r = Reduction::Mean;
        for (eps, sm) in [
            (0.0, Smoothing::AllClasses),
            (0.1, Smoothing::AllClasses),
            (0.1, Smoothing::OtherClasses),
        ] {
            let ours = CrossEntropy {
                weights: Some(w.clone()),
                label_smoothing: eps,
                smoothing: sm,
            };
            same(
                "ce",
                run(&z, |t| {
                    bl::cross_entropy(t, labels(&y), Some(&w), eps, sm, Reduction::WeightedMean)
                }),
                ours.loss(z.view(), &y, Reduction::WeightedMean).unwrap(),
            );
        }
        for gamma in [0.0, 0.5, 1.0, 2.0] {
            let ours = Focal {
                gamma,
                alpha: Some(w.clone()),
            };
            // Where p_y rounds to exactly 1 our closed form returns 0; burn's clamp does too.
            same(
                "focal",
                run(&z, |t| bl::focal(t, labels(&y), gamma, Some(&w), r)),
                ours.loss(z.view(), &y, r).unwrap(),
            );
        }
        let ldam = Ldam::from_counts(&counts, 0.5, 3.0).unwrap().weights(Some(w.clone()));
        same(
            "ldam",
            run(&z, |t| {
                bl::ldam(t, labels(&y), &ldam.margins, 3.0, Some(&w), Reduction::WeightedMean)
            }),
            ldam.loss(z.view(), &y, Reduction::WeightedMean).unwrap(),
        );
        let la = LogitAdjusted::from_counts(&counts, 0.7).unwrap();
        same(
            "la",
            run(&z, |t| bl::logit_adjusted(t, labels(&y), &la.adjustment, r)),
            la.loss(z.view(), &y, r).unwrap(),
        );
        let bs = BalancedSoftmax::from_counts(&counts).unwrap();
        same(
            "bs",
            run(&z, |t| bl::logit_adjusted(t, labels(&y), &bs.log_counts, r)),
            bs.loss(z.view(), &y, r).unwrap(),
        );
        let tal = TemporalDecay {
            q: vec![3.0, 1.0, 0.5, 2.0],
            lambda: 0.9,
        };
        same(
            "tal",
            run(&z, |t| bl::temporal_decay(t, labels(&y), &tal.q, r)),
            tal.loss(z.view(), &y, r).unwrap(),
        );
        let seesaw = Seesaw {
            counts: counts.to_vec(),
            ..Seesaw::new(4)
        };
        same(
            "seesaw",
            run(&z, |t| bl::seesaw(t, labels(&y), &counts, 0.8, 2.0, 0.01, r)),
            seesaw.loss(z.view(), &y, r).unwrap(),
        );
        let target = [0.4, 0.3, 0.2, 0.1];
        same(
            "proportion",
            run(&z, |t| bl::proportion(t, &target)),
            ProportionLoss::new(target.to_vec()).unwrap().compute(z.view()).unwrap(),
        );
        let tv = Tversky {
            alpha: 0.3,
            beta: 0.7,
            smooth: 1.0,
        };
        same(
            "tversky",
            run(&z, |t| bl::tversky(t, labels(&y), 0.3, 0.7, 1.0)),
            tv.compute(z.view(), &y).unwrap(),
        );
        let tm = array![
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 1.0, 0.0, 0.0],
            [1.0, 1.0, 0.0, 0.0],
            [0.0, 0.0, 1.0, 1.0]
        ];
        let pw = [1.0, 2.0, 0.5, 3.0];
        same(
            "bce",
            run(&z, |t| {
                bl::binary_cross_entropy(t, tensor(&tm), Some(&pw), Some(&w), Reduction::Sum)
            }),
            BinaryCrossEntropy {
                pos_weight: Some(pw.to_vec()),
                weight: Some(w.clone()),
            }
            .loss(z.view(), tm.view(), Reduction::Sum)
            .unwrap(),
        );
        for gamma in [0.0, 0.5, 2.0] {
            same(
                "sigmoid focal",
                run(&z, |t| {
                    bl::sigmoid_focal(t, tensor(&tm), Some(0.25), gamma, Reduction::Sum)
                }),
                SigmoidFocal {
                    alpha: Some(0.25),
                    gamma,
                }
                .loss(z.view(), tm.view(), Reduction::Sum)
                .unwrap(),
            );
        }
        let ml = MultiLabelLdam {
            weights: Some(w.clone()),
            ..MultiLabelLdam::from_counts(&counts, 0.5, 2.0).unwrap()
        };
        same(
            "multi-label ldam",
            run(&z, |t| bl::multilabel_ldam(t, tensor(&tm), &ml.margins, 2.0, Some(&w))),
            ml.loss(z.view(), tm.view(), Reduction::Sum).unwrap(),
        );
        let co = Lcr::co_occurrence(tm.view());
        let lcr = Lcr {
            co_occurrence: Some(co.clone()),
            ..Lcr::default()
        };
        let flat: Vec<f64> = co.iter().copied().collect();
        same(
            "lcr",
            run(&z, |t| bl::lcr(t, tensor(&tm), Some(&flat), 0.02)),
            lcr.compute(z.view(), tm.view()).unwrap(),
        );
        for stop in [false, true] {
            let asl = Asl {
                stop_gradient_weights: stop,
                ..Asl::default()
            };
            same(
                "asl",
                run(&z, |t| bl::asl(t, tensor(&tm), 4.0, 1.0, 0.05, 1e-8, stop)),
                asl.loss(z.view(), tm.view(), Reduction::Sum).unwrap(),
            );
        }
    }
}
