//! Finite-difference gradients, the invariants of LOSSES.md §15, stability
//! at saturated logits, and bad input.

use imbalanced_losses::*;
use ndarray::{array, Array2};
use proptest::prelude::*;

const COUNTS: [f64; 4] = [1000.0, 300.0, 50.0, 10.0];

fn single_losses() -> Vec<(&'static str, Box<dyn Loss>)> {
    let w = effective_number_weights(&COUNTS, 0.999).unwrap();
    vec![
        ("ce", Box::new(CrossEntropy::default())),
        (
            "ce weighted smoothed",
            Box::new(
                CrossEntropy::default()
                    .weights(w.clone())
                    .label_smoothing(0.2, Smoothing::AllClasses),
            ),
        ),
        (
            "ce smoothed others",
            Box::new(
                CrossEntropy::default()
                    .weights(w.clone())
                    .label_smoothing(0.2, Smoothing::OtherClasses),
            ),
        ),
        (
            "focal 0.5",
            Box::new(Focal {
                gamma: 0.5,
                alpha: None,
            }),
        ),
        (
            "focal 2 cb",
            Box::new(Focal {
                gamma: 2.0,
                alpha: Some(w.clone()),
            }),
        ),
        (
            "ldam",
            Box::new(Ldam::from_counts(&COUNTS, 0.5, 3.0).unwrap().weights(Some(w))),
        ),
        ("la", Box::new(LogitAdjusted::from_counts(&COUNTS, 0.7).unwrap())),
        ("bs", Box::new(BalancedSoftmax::from_counts(&COUNTS).unwrap())),
        // Seesaw's compensation factor is detached (as mmdetection): only q = 0 is a true gradient.
        (
            "seesaw",
            Box::new(Seesaw {
                counts: COUNTS.to_vec(),
                q: 0.0,
                ..Seesaw::new(4)
            }),
        ),
        (
            "tal",
            Box::new(TemporalDecay {
                q: vec![3.0, 1.0, 0.5, 2.0],
                lambda: 0.9,
            }),
        ),
    ]
}

fn multi_losses() -> Vec<(&'static str, Box<dyn MultiLabelLoss>)> {
    vec![
        (
            "bce",
            Box::new(BinaryCrossEntropy {
                pos_weight: Some(vec![1.0, 2.0, 0.5, 3.0]),
                weight: Some(vec![0.5, 1.0, 2.0, 1.5]),
            }),
        ),
        (
            "sigmoid focal 0.5",
            Box::new(SigmoidFocal {
                alpha: Some(0.25),
                gamma: 0.5,
            }),
        ),
        ("sigmoid focal 2", Box::new(SigmoidFocal::default())),
        ("asl", Box::new(Asl::default())),
        (
            "asl no clip",
            Box::new(Asl {
                clip: 0.0,
                ..Asl::default()
            }),
        ),
    ]
}

/// Central differences of `f` at `z`, h = 1e-6.
fn numeric_grad(z: &Array2<f64>, f: impl Fn(&Array2<f64>) -> f64) -> Array2<f64> {
    let h = 1e-6;
    let mut g = Array2::zeros(z.dim());
    for idx in ndarray::indices(z.dim()) {
        let (mut a, mut b) = (z.clone(), z.clone());
        a[idx] += h;
        b[idx] -= h;
        g[idx] = (f(&a) - f(&b)) / (2.0 * h);
    }
    g
}

fn close(a: &Array2<f64>, b: &Array2<f64>, tol: f64) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tol * (1.0 + y.abs()))
}

proptest! {
    #[test]
    fn gradients_match_finite_differences(
        values in proptest::collection::vec(-4.0f64..4.0, 12),
        targets in proptest::collection::vec(0usize..4, 3),
        bits in proptest::collection::vec(any::<bool>(), 12),
    ) {
        let z = Array2::from_shape_vec((3, 4), values).unwrap();
        for (name, loss) in single_losses() {
            let (_, g) = loss.loss(z.view(), &targets, Reduction::Mean).unwrap();
            let n = numeric_grad(&z, |v| loss.loss(v.view(), &targets, Reduction::Mean).unwrap().0);
            prop_assert!(close(&g, &n, 1e-5), "{}: {} vs {}", name, g, n);
        }
        let t = Array2::from_shape_vec((3, 4), bits.iter().map(|&b| f64::from(u8::from(b))).collect()).unwrap();
        for (name, loss) in multi_losses() {
            let (_, g) = loss.loss(z.view(), t.view(), Reduction::Sum).unwrap();
            let n = numeric_grad(&z, |v| loss.loss(v.view(), t.view(), Reduction::Sum).unwrap().0);
            // ASL's clip makes a kink at p = clip; skip points within h of it.
            let near_kink = z.iter().any(|&x| (1.0 / (1.0 + (-x).exp()) - 0.05).abs() < 1e-4);
            prop_assert!(near_kink || close(&g, &n, 1e-5), "{}: {} vs {}", name, g, n);
        }
        let lcr = Lcr { co_occurrence: Some(Lcr::co_occurrence(t.view())), ..Lcr::default() };
        let (_, g) = lcr.compute(z.view(), t.view()).unwrap();
        let n = numeric_grad(&z, |v| lcr.compute(v.view(), t.view()).unwrap().0);
        prop_assert!(close(&g, &n, 1e-5), "lcr: {} vs {}", g, n);
        for tv in [Tversky::dice(1.0), Tversky { alpha: 0.3, beta: 0.7, smooth: 0.5 }] {
            let (_, g) = tv.compute(z.view(), &targets).unwrap();
            let n = numeric_grad(&z, |v| tv.compute(v.view(), &targets).unwrap().0);
            prop_assert!(close(&g, &n, 1e-5), "tversky: {} vs {}", g, n);
        }
        let mix = CrossEntropyDice::default();
        let (_, g) = mix.compute(z.view(), &targets).unwrap();
        let n = numeric_grad(&z, |v| mix.compute(v.view(), &targets).unwrap().0);
        prop_assert!(close(&g, &n, 1e-5));
        let target = ProportionLoss::new(vec![0.4, 0.3, 0.2, 0.1]).unwrap();
        let (_, g) = target.compute(z.view()).unwrap();
        let n = numeric_grad(&z, |v| target.compute(v.view()).unwrap().0);
        prop_assert!(close(&g, &n, 1e-5));
    }
}

fn same(a: (f64, Array2<f64>), b: (f64, Array2<f64>)) {
    assert!((a.0 - b.0).abs() < 1e-12, "{} vs {}", a.0, b.0);
    assert!(close(&a.1, &b.1, 1e-12));
}

#[test]
fn invariants() {
    let z = array![[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, 0.0], [-2.0, 3.0, 0.5, 1.0]];
    let y = [2, 0, 3];
    let ce = CrossEntropy::default().loss(z.view(), &y, Reduction::Mean).unwrap();
    same(
        Focal {
            gamma: 0.0,
            alpha: None,
        }
        .loss(z.view(), &y, Reduction::Mean)
        .unwrap(),
        ce.clone(),
    );
    let cb0 = effective_number_weights(&COUNTS, 0.0).unwrap();
    same(
        CrossEntropy::default()
            .weights(cb0)
            .loss(z.view(), &y, Reduction::Mean)
            .unwrap(),
        ce.clone(),
    );
    same(
        LogitAdjusted::from_counts(&COUNTS, 0.0)
            .unwrap()
            .loss(z.view(), &y, Reduction::Mean)
            .unwrap(),
        ce.clone(),
    );
    same(
        LogitAdjusted::from_counts(&COUNTS, 1.0)
            .unwrap()
            .loss(z.view(), &y, Reduction::Mean)
            .unwrap(),
        BalancedSoftmax::from_counts(&COUNTS)
            .unwrap()
            .loss(z.view(), &y, Reduction::Mean)
            .unwrap(),
    );
    // LDAM with max_m = 0 is CE of the scaled logits, its gradient scaled by s.
    let s = 5.0;
    let (v, g) = Ldam::from_counts(&COUNTS, 0.0, s)
        .unwrap()
        .loss(z.view(), &y, Reduction::Mean)
        .unwrap();
    let (cv, cg) = CrossEntropy::default()
        .loss((&z * s).view(), &y, Reduction::Mean)
        .unwrap();
    same((v, g), (cv, cg * s));
    // ASL with zero parameters is the BCE sum.
    let t = array![[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]];
    same(
        Asl {
            gamma_neg: 0.0,
            gamma_pos: 0.0,
            clip: 0.0,
            ..Asl::default()
        }
        .loss(z.view(), t.view(), Reduction::Sum)
        .unwrap(),
        BinaryCrossEntropy::default()
            .loss(z.view(), t.view(), Reduction::Sum)
            .unwrap(),
    );
    // ASL's clip zeroes negatives with p <= clip.
    let low = array![[-5.0]];
    let (v, g) = Asl::default()
        .loss(low.view(), array![[0.0]].view(), Reduction::Sum)
        .unwrap();
    assert_eq!((v, g[(0, 0)]), (0.0, 0.0));
    // Label smoothing 0 is CE; DRW is uniform before t0.
    same(
        CrossEntropy::default()
            .label_smoothing(0.0, Smoothing::OtherClasses)
            .loss(z.view(), &y, Reduction::Mean)
            .unwrap(),
        ce,
    );
    let drw = DeferredReweighting {
        counts: COUNTS.to_vec(),
        beta: 0.9999,
        t0: 160,
    };
    assert_eq!(drw.weights(159).unwrap(), vec![1.0; 4]);
    assert!(drw.weights(160).unwrap()[3] > 1.0);
    // The proportion loss is minimised, with zero gradient, at the target.
    let uniform_logits = Array2::from_shape_fn((4, 4), |(_, j)| [0.4f64, 0.3, 0.2, 0.1][j].ln());
    let p = ProportionLoss::new(vec![0.4, 0.3, 0.2, 0.1]).unwrap();
    let (v, g) = p.compute(uniform_logits.view()).unwrap();
    let entropy = -[0.4f64, 0.3, 0.2, 0.1].iter().map(|q| q * q.ln()).sum::<f64>();
    assert!((v - entropy).abs() < 1e-12 && g.iter().all(|x| x.abs() < 1e-12));
    // Equal counts: all LDAM margins equal max_m.
    assert_eq!(Ldam::from_counts(&[7.0; 3], 0.5, 30.0).unwrap().margins, vec![0.5; 3]);
}

#[test]
fn hypergeometric_targets_count_a_batch() {
    let mut state = 12345u64;
    let mut uniform = || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let counts = [50, 30, 15, 5];
    let mut mean = [0.0; 4];
    for _ in 0..2000 {
        let p = ProportionLoss::hypergeometric(&counts, 20, &mut uniform).unwrap();
        assert!((p.target.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        assert!(p.target.iter().zip(counts).all(|(t, c)| t * 20.0 <= c as f64 + 1e-9));
        mean.iter_mut().zip(&p.target).for_each(|(m, t)| *m += t / 2000.0);
    }
    for (m, c) in mean.iter().zip(counts) {
        assert!((m - c as f64 / 100.0).abs() < 0.01, "{mean:?}");
    }
    assert!(ProportionLoss::hypergeometric(&counts, 101, &mut uniform).is_err());
    // TAL: equal decayed counts give plain cross-entropy.
    let z = array![[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, 0.0]];
    let mut tal = TemporalDecay::new(4, 0.5);
    tal.update(&[0, 1, 2, 3]).unwrap();
    same(
        tal.loss(z.view(), &[1, 2], Reduction::Mean).unwrap(),
        CrossEntropy::default()
            .loss(z.view(), &[1, 2], Reduction::Mean)
            .unwrap(),
    );
    assert!(TemporalDecay::new(4, 0.5)
        .loss(z.view(), &[1, 2], Reduction::Mean)
        .is_err());
    // LCR with no weighting and no penalty is mean BCE (up to its +1e-8 in the logs).
    let t = array![[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0]];
    let plain = Lcr {
        weighting: PriorWeighting::None,
        lambda: 0.0,
        ..Lcr::default()
    }
    .compute(z.view(), t.view())
    .unwrap()
    .0;
    let bce = BinaryCrossEntropy::default()
        .loss(z.view(), t.view(), Reduction::Sum)
        .unwrap()
        .0
        / 8.0;
    assert!((plain - bce).abs() < 1e-7, "{plain} vs {bce}");
}

#[test]
fn saturated_logits_stay_finite() {
    let z = array![[40.0, -40.0, 0.0], [-40.0, 40.0, 0.0], [40.0, 40.0, -40.0]];
    let y = [0, 0, 2];
    let t = array![[1.0, 0.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 1.0]];
    for gamma in [0.0, 0.5, 1.0, 2.0] {
        for (v, g) in [
            Focal { gamma, alpha: None }
                .loss(z.view(), &y, Reduction::Mean)
                .unwrap(),
            SigmoidFocal {
                alpha: Some(0.25),
                gamma,
            }
            .loss(z.view(), t.view(), Reduction::Sum)
            .unwrap(),
            Asl {
                gamma_neg: gamma,
                gamma_pos: gamma,
                ..Asl::default()
            }
            .loss(z.view(), t.view(), Reduction::Sum)
            .unwrap(),
        ] {
            assert!(
                v.is_finite() && g.iter().all(|x| x.is_finite()),
                "gamma {gamma}: {v} {g}"
            );
        }
    }
    let z4 = array![
        [40.0, -40.0, 0.0, 1.0],
        [-40.0, 40.0, 0.0, -1.0],
        [40.0, 40.0, -40.0, 0.0]
    ];
    for (name, loss) in single_losses() {
        let (v, g) = loss.loss(z4.view(), &y, Reduction::Mean).unwrap();
        assert!(v.is_finite() && g.iter().all(|x| x.is_finite()), "{name}");
    }
}

#[test]
fn bad_input_is_a_typed_error() {
    let z = array![[0.0, 1.0], [1.0, 0.0]];
    assert!(matches!(
        Focal {
            gamma: -1.0,
            alpha: None
        }
        .forward(z.view(), &[0, 1]),
        Err(LossError::Parameter { name: "gamma", .. })
    ));
    assert!(matches!(
        effective_number_weights(&[3.0, 1.0], 1.0),
        Err(LossError::Parameter { name: "beta", .. })
    ));
    assert!(matches!(
        effective_number_weights(&[3.0, 0.0], 0.9),
        Err(LossError::ZeroCount { class: 1, .. })
    ));
    assert!(matches!(
        LogitAdjusted::from_counts(&[3.0, 0.0], 1.0),
        Err(LossError::ZeroCount { .. })
    ));
    assert!(matches!(
        Ldam::from_counts(&[0.0, 1.0], 0.5, 30.0),
        Err(LossError::ZeroCount { .. })
    ));
    let nan = array![[f64::NAN, 1.0], [1.0, 0.0]];
    assert!(matches!(
        CrossEntropy::default().forward(nan.view(), &[0, 1]),
        Err(LossError::NonFinite { row: 0, column: 0, .. })
    ));
    assert!(matches!(
        CrossEntropy::default().forward(z.view(), &[0, 2]),
        Err(LossError::BadTarget { target: 2, .. })
    ));
    assert!(matches!(
        CrossEntropy::default().forward(z.view(), &[0]),
        Err(LossError::ShapeMismatch { .. })
    ));
    assert!(CrossEntropy::default()
        .weights(vec![1.0])
        .forward(z.view(), &[0, 1])
        .is_err());
    assert!(Asl::default()
        .forward(z.view(), array![[0.5, 1.0], [0.0, 0.0]].view())
        .is_err());
    assert!(ProportionLoss::new(vec![0.5, 0.6]).is_err());
    assert!(LogitAdjusted::from_counts(&[3.0, 1.0, 1.0], 1.0)
        .unwrap()
        .forward(z.view(), &[0, 1])
        .is_err());
    let msg = LossError::ZeroCount {
        class: 3,
        what: "balanced softmax",
    }
    .to_string();
    assert!(msg.contains("class 3") && msg.contains("count of 0"), "{msg}");
}

#[test]
fn hessian_diagonals_match_finite_differences() {
    let z = array![[0.3, -1.2, 2.0, 0.1], [1.5, 0.2, -0.7, 0.0], [-2.0, 3.0, 0.5, 1.0]];
    let y = [2, 0, 3];
    let h = 1e-5;
    let mut checked = 0;
    for (name, loss) in single_losses() {
        let out = loss.forward(z.view(), &y).unwrap();
        let Some(hess) = out.reduce_hessian(Reduction::Mean) else {
            continue;
        };
        for idx in ndarray::indices(z.dim()) {
            let (mut a, mut b) = (z.clone(), z.clone());
            a[idx] += h;
            b[idx] -= h;
            let ga = loss.loss(a.view(), &y, Reduction::Mean).unwrap().1[idx];
            let gb = loss.loss(b.view(), &y, Reduction::Mean).unwrap().1[idx];
            let numeric = (ga - gb) / (2.0 * h);
            assert!(
                (hess[idx] - numeric).abs() < 1e-6,
                "{name} at {idx:?}: {} vs {numeric}",
                hess[idx]
            );
        }
        checked += 1;
    }
    assert!(checked >= 6, "{checked}");
    let t = array![[1.0, 0.0, 0.0, 1.0], [0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 0.0, 0.0]];
    let bce = BinaryCrossEntropy {
        pos_weight: Some(vec![1.0, 2.0, 0.5, 3.0]),
        weight: Some(vec![0.5, 1.0, 2.0, 1.5]),
    };
    let hess = bce
        .forward(z.view(), t.view())
        .unwrap()
        .reduce_hessian(Reduction::Sum)
        .unwrap();
    for idx in ndarray::indices(z.dim()) {
        let (mut a, mut b) = (z.clone(), z.clone());
        a[idx] += h;
        b[idx] -= h;
        let numeric = (bce.loss(a.view(), t.view(), Reduction::Sum).unwrap().1[idx]
            - bce.loss(b.view(), t.view(), Reduction::Sum).unwrap().1[idx])
            / (2.0 * h);
        assert!((hess[idx] - numeric).abs() < 1e-6);
    }
    assert!(Focal::default().forward(z.view(), &y).unwrap().hess.is_none());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// `inspect --focal`'s advice is one of the table's safe rows' kind: the
    /// advised γ over-suppresses no class, and no row of the table that
    /// over-suppresses none has a larger γ.
    #[test]
    fn the_focal_advice_agrees_with_the_table(counts in proptest::collection::vec(1u32..2000, 2..12)) {
        let total: f64 = counts.iter().map(|&c| c as f64).sum();
        let prior: Vec<f64> = counts.iter().map(|&c| c as f64 / total).collect();
        let labels: Vec<String> = (0..prior.len()).map(|i| i.to_string()).collect();
        let (rows, advice) = imbalanced_losses::focal_table(&prior, &labels).unwrap();
        prop_assert!(imbalanced_losses::focal_minimiser(&prior, advice).unwrap().over_suppressed.is_empty());
        for r in rows.iter().filter(|r| r.over_suppressed.is_empty()) {
            prop_assert!(r.gamma <= advice + 1e-12, "row gamma {} is safe but the advice is {advice}", r.gamma);
        }
    }
}
