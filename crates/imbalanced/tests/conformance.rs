//! The conformance battery, as imbalanced-learn's `estimator_checks`: every
//! sampler and every model of the catalogue, by being in it, is checked
//! for typed errors on bad input (never a panic), for the same bytes on one
//! and two threads, and (models) for a persistence round trip. The
//! properties of each kind of sampler are checked in
//! `imbalanced-resample/tests/invariants.rs` over the same catalogue.

use std::panic::{catch_unwind, AssertUnwindSafe};

use imbalanced::data::Xy;
use imbalanced::models::{Fit, FittedModel, ModelError, Predict, MODELS};
use imbalanced::resample::{randomness, ResampleError, RngKind, SAMPLERS};
use ndarray::Array2;

/// Two overlapping blobs, 30 and 12 rows, 3 features.
fn blobs() -> (Array2<f64>, Vec<usize>) {
    let x = Array2::from_shape_fn((42, 3), |(i, j)| {
        let c = usize::from(i >= 30) as f64;
        c * 1.5 + ((i * 31 + j * 17) % 23) as f64 / 11.0
    });
    let y = (0..42).map(|i| usize::from(i >= 30)).collect();
    (x, y)
}

/// Each bad input, its name, and whether a sampler that never reads feature
/// values (random under- and over-sampling) may accept it.
fn bad_inputs() -> Vec<(&'static str, Array2<f64>, Vec<usize>, bool)> {
    let (x, y) = blobs();
    let mut nan = x.clone();
    nan[(3, 1)] = f64::NAN;
    let mut inf = x.clone();
    inf[(7, 0)] = f64::INFINITY;
    vec![
        ("NaN", nan, y.clone(), true),
        ("inf", inf, y.clone(), true),
        ("no rows", Array2::zeros((0, 3)), vec![], false),
        ("one class", x.clone(), vec![0; 42], false),
        ("mismatched lengths", x.clone(), y[..40].to_vec(), false),
        ("zero features", Array2::zeros((42, 0)), y, true),
    ]
}

#[test]
fn every_sampler_refuses_bad_input_with_a_typed_error() {
    for e in SAMPLERS.entries {
        let s = e.build_with(&[], &randomness(0, RngKind::Default)).unwrap();
        for (what, x, y, free) in bad_inputs() {
            let got = catch_unwind(AssertUnwindSafe(|| s.fit_resample(x.view(), &y)));
            let Ok(result) = got else {
                panic!("{} panicked on {what}", e.info.name)
            };
            match result {
                Err(ResampleError::NotApplicable(_)) if matches!(e.info.name, "SMOTENC" | "SMOTEN") => {}
                Err(_) => {}
                Ok(_) if free && !s.reads_features() => {}
                Ok(_) => panic!("{} accepted {what}", e.info.name),
            }
            // The checked entry point scans a view not yet known finite:
            // no sampler can skip the value checks by being handed one.
            if let Ok(xy) = Xy::unscanned(x.view(), &y, 2) {
                let classes = ["0".to_string(), "1".to_string()];
                let result = s.fit_resample_checked(xy, &classes);
                if s.reads_features() && !matches!(e.info.name, "SMOTENC" | "SMOTEN") {
                    assert!(result.is_err(), "{} accepted {what} as a checked view", e.info.name);
                }
            }
        }
    }
}

#[test]
fn every_model_refuses_bad_input_with_a_typed_error() {
    for e in MODELS.entries {
        let m = e.build_with(&[], &[]).unwrap();
        for (what, x, y, _) in bad_inputs() {
            let got = catch_unwind(AssertUnwindSafe(|| Fit::fit(&*m, x.view(), &y, 2)));
            match got {
                Ok(Err(ModelError::Parameter(_) | ModelError::Catalog(_))) => {
                    panic!("{}: {what} reported as a parameter error", e.info.name)
                }
                Ok(Err(_)) => {}
                Ok(Ok(_)) => panic!("{} accepted {what}", e.info.name),
                Err(_) => panic!("{} panicked on {what}", e.info.name),
            }
            if let Ok(xy) = Xy::unscanned(x.view(), &y, 2) {
                assert!(
                    m.fit_checked(xy).is_err(),
                    "{} accepted {what} as a checked view",
                    e.info.name
                );
            }
        }
        let (x, mut y) = blobs();
        y[5] = 2;
        assert!(
            matches!(
                m.fit(x.view(), &y, 2),
                Err(ModelError::BadLabel { label: 2, n_classes: 2 })
            ),
            "{} accepted a class code beyond n_classes",
            e.info.name
        );
    }
}

fn on_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn every_estimator_gives_the_same_bytes_on_one_and_two_threads() {
    let (x, y) = blobs();
    // The diffusion sampler's own test checks its threads with a network small enough for a debug build.
    for e in SAMPLERS
        .entries
        .iter()
        .filter(|e| !matches!(e.info.name, "SMOTENC" | "SMOTEN" | "DiffusionOverSampler"))
    {
        let s = e.build_with(&[], &randomness(7, RngKind::Default)).unwrap();
        let one = on_threads(1, || s.fit_resample(x.view(), &y).map_err(|e| e.to_string()));
        let two = on_threads(2, || s.fit_resample(x.view(), &y).map_err(|e| e.to_string()));
        assert_eq!(one, two, "{}", e.info.name);
    }
    for e in MODELS.entries {
        let m = e.build_with(&[], &[("random_state", 7.into())]).unwrap();
        let fit = || Fit::fit(&*m, x.view(), &y, 2).unwrap();
        let (one, two) = (on_threads(1, fit), on_threads(2, fit));
        assert_eq!(one, two, "{}", e.info.name);
    }
}

#[test]
fn every_fitted_model_round_trips_through_its_file_form() {
    let (x, y) = blobs();
    for e in MODELS.entries {
        let m = e.build_with(&[], &[]).unwrap();
        let fitted = Fit::fit(&*m, x.view(), &y, 2).unwrap();
        let back = FittedModel::from_json(&serde_json::to_string(&fitted).unwrap()).unwrap();
        assert_eq!(
            back.predict_proba(x.view()).unwrap(),
            fitted.predict_proba(x.view()).unwrap()
        );
    }
}
