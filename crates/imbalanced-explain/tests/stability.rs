//! The stability index's invariants: 1 without noise, falling with the
//! noise on average, the same on any thread count, per class, and bad input.

use imbalanced_explain::{forest, Columns, RankWeights, Stability};
use imbalanced_models::{Fit, RandomForestClassifier};
use imbalanced_random::Generator;
use ndarray::Array2;

fn setup() -> (Array2<f64>, Vec<usize>, imbalanced_models::FittedForest) {
    let mut rng = Generator::new(4);
    let x = Array2::from_shape_fn((240, 6), |_| rng.standard_normal());
    let y: Vec<usize> = x
        .rows()
        .into_iter()
        .map(|r| usize::from(r[0] + 0.8 * r[1] - 0.5 * r[2] > 1.2))
        .collect();
    let model = RandomForestClassifier {
        n_estimators: 15,
        random_state: 1,
        ..Default::default()
    }
    .fit(x.view(), &y, 2)
    .unwrap();
    (x, y, model)
}

#[test]
fn the_index_is_one_without_noise_and_falls_with_it() {
    let (x, y, model) = setup();
    let rows = x.slice(ndarray::s![..40, ..]);
    let labels = &y[..40];
    let explain = |b: ndarray::ArrayView2<'_, f64>| forest(model.trees(), b);
    let run = |noise| {
        Stability {
            noise,
            perturbations: 8,
            bootstrap: 200,
            ..Default::default()
        }
        .run(explain, rows, (labels, 2), labels, &Columns::numeric(&[1.0; 6]))
        .unwrap()
    };
    let quiet = run(0.0);
    assert_eq!(quiet.overall.index.mean, 1.0);
    assert_eq!(quiet.overall.uniform_index.mean, 1.0);
    assert!((quiet.overall.rank_biased_overlap - 1.0).abs() < 1e-12 && quiet.overall.top3 == 1.0);
    let means: Vec<f64> = [0.05, 0.2, 0.6].iter().map(|&n| run(n).overall.index.mean).collect();
    assert!(means.windows(2).all(|w| w[0] >= w[1]), "{means:?}");
    assert!(means[2] < 1.0);
    let r = run(0.2);
    let o = &r.overall;
    assert!(o.index.low <= o.index.mean && o.index.mean <= o.index.high);
    assert_eq!(o.rows, 40);
    // Per class: the rows of each label, summing to all rows.
    let counted: usize = r.per_class.iter().flatten().map(|s| s.rows).sum();
    assert_eq!(counted, 40);
    // Seeded per row: the same on one thread.
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| run(0.2));
    assert_eq!(one, r);
    let uniform = Stability {
        noise: 0.2,
        perturbations: 8,
        bootstrap: 200,
        weights: RankWeights::Uniform,
        ..Default::default()
    }
    .run(explain, rows, (labels, 2), labels, &Columns::numeric(&[1.0; 6]))
    .unwrap();
    assert_eq!(uniform.overall.index.mean, r.overall.uniform_index.mean);
}

#[test]
fn bad_settings_are_refused() {
    let (x, y, model) = setup();
    let explain = |b: ndarray::ArrayView2<'_, f64>| forest(model.trees(), b);
    let rows = x.slice(ndarray::s![..5, ..]);
    for (settings, scale, message) in [
        (
            Stability {
                noise: -0.1,
                ..Default::default()
            },
            vec![1.0; 6],
            "noise",
        ),
        (
            Stability {
                perturbations: 0,
                ..Default::default()
            },
            vec![1.0; 6],
            "perturbations",
        ),
        (Stability::default(), vec![1.0; 5], "one scale per column"),
    ] {
        let e = settings
            .run(explain, rows, (&y[..5], 2), &y[..5], &Columns::numeric(&scale))
            .unwrap_err();
        assert!(e.to_string().contains(message), "{e}");
    }
    let e = Stability::default()
        .run(explain, rows, (&y[..5], 2), &[7; 5], &Columns::numeric(&[1.0; 6]))
        .unwrap_err();
    assert!(e.to_string().contains("output 7"), "{e}");
}

#[test]
fn categorical_values_flip_between_their_levels() {
    // Two numeric columns, then a categorical value of three levels as
    // one-hot columns 2..5; the explainer only records what it was given.
    let mut rng = Generator::new(9);
    let x = Array2::from_shape_fn((12, 5), |(i, j)| match j {
        0 | 1 => rng.standard_normal(),
        j => f64::from(u8::from(j - 2 == i % 3)),
    });
    let y: Vec<usize> = (0..12).map(|i| usize::from(i % 3 == 0)).collect();
    let seen = std::sync::Mutex::new(Vec::new());
    let explain = |b: ndarray::ArrayView2<'_, f64>| {
        seen.lock().unwrap().push(b.to_owned());
        let values = ndarray::Array3::from_shape_fn((1, b.nrows(), 5), |(_, r, j)| b[(r, j)] * (j + 1) as f64);
        Ok(imbalanced_explain::Attributions {
            base_values: vec![0.0],
            values,
        })
    };
    let groups = vec![std::ops::Range { start: 2, end: 5 }];
    let columns = Columns {
        scale: &[1.0, 1.0, 0.0, 0.0, 0.0],
        categorical: &groups,
    };
    let run = |noise, flip| {
        seen.lock().unwrap().clear();
        let settings = Stability {
            noise,
            flip,
            perturbations: 6,
            bootstrap: 50,
            ..Default::default()
        };
        let report = settings.run(explain, x.view(), (&y, 2), &[0; 12], &columns).unwrap();
        (report, std::mem::take(&mut *seen.lock().unwrap()))
    };
    // Always flipping: every copy holds exactly one level, never the row's own.
    let (report, batches) = run(0.0, Some(1.0));
    assert_eq!(batches.len(), 12);
    for b in &batches {
        let own = (2..5).find(|&j| b[(0, j)] == 1.0).unwrap();
        for p in 1..b.nrows() {
            let levels: Vec<usize> = (2..5).filter(|&j| b[(p, j)] == 1.0).collect();
            assert_eq!(levels.len(), 1, "{b}");
            assert_ne!(levels[0], own, "a flip moves to another level");
            assert!((2..5).all(|j| b[(p, j)] == 0.0 || b[(p, j)] == 1.0));
            assert_eq!(b[(p, 0)], b[(0, 0)], "noise 0 leaves numeric columns alone");
        }
    }
    assert!(report.overall.index.mean < 1.0, "the moved level changes the ranking");
    // The default flip follows the noise level: noise 0 changes nothing.
    let (quiet, batches) = run(0.0, None);
    assert_eq!(quiet.overall.index.mean, 1.0);
    assert!(batches.iter().all(|b| b.rows().into_iter().all(|r| r == b.row(0))));
    assert!(quiet.rank_shift.iter().all(|&s| s == 0.0));
    // The feature magnitudes: column j's attribution is (j + 1) x value.
    let expected: Vec<f64> = (0..5)
        .map(|j| (0..12).map(|i| (x[(i, j)] * (j + 1) as f64).abs()).sum::<f64>() / 12.0)
        .collect();
    for (a, e) in quiet.mean_abs.iter().zip(&expected) {
        assert!((a - e).abs() < 1e-12, "{:?} {expected:?}", quiet.mean_abs);
    }
    let bad = Columns {
        scale: &[1.0; 5],
        categorical: &[std::ops::Range { start: 3, end: 7 }],
    };
    let e = Stability::default()
        .run(explain, x.view(), (&y, 2), &[0; 12], &bad)
        .unwrap_err();
    assert!(e.to_string().contains("beyond the 5 columns"), "{e}");
}
