//! Resampling happens on training rows only, and predicting never resamples.

use std::sync::{Arc, Mutex};

use imbalanced_classifiers::AnyClassifier;
use imbalanced_data::{Dataset, Xy};
use imbalanced_eval::*;
use imbalanced_resample::{Named, Resampled, Resampler, Result};
use ndarray::Array2;

/// A sampler that records the first feature of every row it is shown and
/// returns its input unchanged.
#[derive(Default)]
struct Recorder(Mutex<Vec<Vec<f64>>>);

impl Named for Recorder {
    fn name(&self) -> &'static str {
        "Recorder"
    }
}

impl Resampler for Recorder {
    fn resample(&self, data: Xy<'_>, _classes: &[String]) -> Result<Resampled> {
        let (x, y) = (data.x(), data.y());
        self.0.lock().unwrap().push(x.column(0).to_vec());
        Ok(Resampled {
            x: x.to_owned(),
            y: y.to_vec(),
            origin: (0..y.len()).map(Some).collect(),
        })
    }
}

#[test]
fn the_sampler_sees_each_training_fold_and_nothing_else() {
    // Row i carries the id i in its first feature.
    let n = 60;
    let x = Array2::from_shape_fn((n, 2), |(i, j)| if j == 0 { i as f64 } else { (i % 7) as f64 });
    let labels: Vec<&str> = (0..n).map(|i| if i % 4 == 0 { "rare" } else { "common" }).collect();
    let data = Dataset::from_numeric(x, &labels).unwrap();
    let recorder = Arc::new(Recorder::default());
    let opts = EvaluateOptions {
        scale: false, // keep the ids readable
        model: AnyClassifier::from_name("knn").unwrap(),
        ..Default::default()
    };
    let methods = [Method::Sampler(recorder.clone(), None)];
    evaluate(&data, "ids", &methods, &opts, &|| {}).unwrap();
    let seen = recorder.0.lock().unwrap().clone();
    let splits = opts.splits(data.y()).unwrap();
    // One call per fold (fitting), none for the test rows (predicting).
    assert_eq!(seen.len(), splits.len());
    let mut seen_sets: Vec<Vec<usize>> = seen
        .iter()
        .map(|ids| {
            let mut v: Vec<usize> = ids.iter().map(|&v| v as usize).collect();
            v.sort_unstable();
            v
        })
        .collect();
    seen_sets.sort();
    let mut train_sets: Vec<Vec<usize>> = splits.iter().map(|s| s.train.clone()).collect();
    train_sets.sort();
    assert_eq!(seen_sets, train_sets);
    for (s, split) in splits.iter().enumerate() {
        for t in &split.test {
            assert!(!split.train.contains(t), "fold {s}: test row {t} in training");
        }
    }
}

#[test]
fn fitted_pipelines_predict_without_the_sampler() {
    let x = Array2::from_shape_fn((20, 1), |(i, _)| i as f64);
    let labels: Vec<&str> = (0..20).map(|i| if i < 15 { "a" } else { "b" }).collect();
    let data = Dataset::from_numeric(x, &labels).unwrap();
    let recorder = Arc::new(Recorder::default());
    let fitted = Pipeline::new(AnyClassifier::from_name("logreg").unwrap())
        .sampler(recorder.clone())
        .fit(&data)
        .unwrap();
    for _ in 0..3 {
        fitted.predict_proba(&data).unwrap();
    }
    assert_eq!(recorder.0.lock().unwrap().len(), 1);
}
