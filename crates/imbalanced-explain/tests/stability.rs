//! The stability index's invariants: 1 without noise, falling with the
//! noise on average, the same on any thread count, per class, and bad input.

use imbalanced_explain::{forest, RankWeights, Stability};
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
        .run(explain, rows, (labels, 2), labels, &[1.0; 6])
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
    .run(explain, rows, (labels, 2), labels, &[1.0; 6])
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
        let e = settings.run(explain, rows, (&y[..5], 2), &y[..5], &scale).unwrap_err();
        assert!(e.to_string().contains(message), "{e}");
    }
    let e = Stability::default()
        .run(explain, rows, (&y[..5], 2), &[7; 5], &[1.0; 6])
        .unwrap_err();
    assert!(e.to_string().contains("output 7"), "{e}");
}
