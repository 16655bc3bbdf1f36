//! LabelConsistentOverSampler (our formulation of ReTabSyn's idea): it
//! raises the share of synthetic rows a held-out classifier agrees with,
//! keeps only rows its judge gives their class, and never returns fewer rows
//! than asked without saying so.

use imbalanced_models::{Fit, Predict, RandomForestClassifier};
use imbalanced_resample::{class_counts, Resampled, RngKind, SamplerRng, SAMPLERS};
use ndarray::Array2;
use serde_json::json;

/// Two overlapping Gaussian classes: `n0` rows around 0, `n1` around 1.
fn overlapping(n0: usize, n1: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = SamplerRng::new(RngKind::Default, seed);
    let y: Vec<usize> = std::iter::repeat_n(0, n0).chain(std::iter::repeat_n(1, n1)).collect();
    let x = Array2::from_shape_fn((y.len(), 4), |(i, _)| rng.standard_normal() + y[i] as f64);
    (x, y)
}

fn build(params: serde_json::Value) -> Box<dyn imbalanced_resample::Resampler> {
    let given: Vec<(String, serde_json::Value)> = params.as_object().unwrap().clone().into_iter().collect();
    SAMPLERS.build("LabelConsistentOverSampler", &given, &[]).unwrap()
}

fn synthetic(out: &Resampled) -> (Array2<f64>, Vec<usize>) {
    let rows: Vec<usize> = (0..out.y.len()).filter(|&r| out.origin[r].is_none()).collect();
    (
        imbalanced_data::take_rows(out.x.view(), &rows),
        rows.iter().map(|&r| out.y[r]).collect(),
    )
}

#[test]
fn a_held_out_classifier_agrees_with_more_of_the_kept_rows() {
    let (x, y) = overlapping(600, 80, 1);
    // Even rows feed the samplers; odd rows train the held-out forest.
    let (fit_rows, held_rows): (Vec<usize>, Vec<usize>) = (0..y.len()).partition(|i| i % 2 == 0);
    let pick = |rows: &[usize]| {
        (
            imbalanced_data::take_rows(x.view(), rows),
            rows.iter().map(|&i| y[i]).collect::<Vec<_>>(),
        )
    };
    let ((xa, ya), (xb, yb)) = (pick(&fit_rows), pick(&held_rows));
    let forest = RandomForestClassifier::default().fit(xb.view(), &yb, 2).unwrap();
    let agreement = |out: &Resampled| {
        let (rows, labels) = synthetic(out);
        let predicted = forest.predict(rows.view()).unwrap();
        predicted.iter().zip(&labels).filter(|(p, l)| p == l).count() as f64 / labels.len() as f64
    };
    let smote = SAMPLERS
        .build("SMOTE", &[], &[])
        .unwrap()
        .fit_resample(xa.view(), &ya)
        .unwrap();
    let filtered = build(json!({})).fit_resample(xa.view(), &ya).unwrap();
    let (plain, kept) = (agreement(&smote), agreement(&filtered));
    assert!(
        kept > plain + 0.05,
        "held-out agreement: filtered {kept:.3} vs SMOTE {plain:.3}"
    );
    // As many new rows per class as SMOTE made.
    assert_eq!(class_counts(&filtered.y), class_counts(&smote.y));
}

#[test]
fn every_kept_row_has_its_class_judged_at_least_the_threshold() {
    let (x, y) = overlapping(300, 40, 2);
    for rejected in ["drop", "relabel"] {
        let out = build(json!({"rejected": rejected, "threshold": 0.6, "judge": "random_forest", "cv": 3}))
            .fit_resample(x.view(), &y)
            .unwrap();
        let (rows, labels) = synthetic(&out);
        assert!(!labels.is_empty());
        // The judge: the mean of the three fold forests, refitted here as the sampler fits them.
        let mut rng = SamplerRng::new(RngKind::Default, 0);
        let mut shuffle = |f: &mut [usize]| rng.shuffle(f);
        let folds = imbalanced_data::stratified_kfold(&y, 3, Some(&mut shuffle)).unwrap();
        let mut proba = Array2::<f64>::zeros((labels.len(), 2));
        for f in 0..3 {
            let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
            let ytr: Vec<usize> = train.iter().map(|&i| y[i]).collect();
            let model = RandomForestClassifier {
                random_state: f as u64,
                ..Default::default()
            }
            .fit(imbalanced_data::take_rows(x.view(), &train).view(), &ytr, 2)
            .unwrap();
            proba += &model.predict_proba(rows.view()).unwrap();
        }
        proba /= 3.0;
        for (r, &c) in labels.iter().enumerate() {
            assert!(
                proba[(r, c)] >= 0.6 - 1e-12,
                "{rejected}: row {r} of class {c}: {}",
                proba[(r, c)]
            );
        }
    }
}

#[test]
fn too_few_accepted_rows_are_an_error_unless_kept_on_purpose() {
    let (x, y) = overlapping(300, 40, 3);
    let strict = json!({"threshold": 0.8, "max_rounds": 1});
    let err = build(strict.clone())
        .fit_resample(x.view(), &y)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("shortfall") && err.contains("max_rounds") && err.contains("1 ("),
        "{err}"
    );
    let mut keep = strict;
    keep["shortfall"] = json!("keep");
    let out = build(keep).fit_resample(x.view(), &y).unwrap();
    let after = class_counts(&out.y);
    assert!(after[&1] < 300 && after[&1] >= 40, "{after:?}");
    // More rounds find more rows.
    let out = build(json!({"threshold": 0.8, "max_rounds": 5, "shortfall": "keep"}))
        .fit_resample(x.view(), &y)
        .unwrap();
    assert!(
        class_counts(&out.y)[&1] > after[&1],
        "{:?} vs {after:?}",
        class_counts(&out.y)
    );
}

#[test]
fn any_catalogue_over_sampler_proposes_and_bad_parameters_are_named() {
    let (x, y) = overlapping(200, 30, 4);
    for sampler in [
        json!("ADASYN"),
        json!({"name": "BorderlineSMOTE", "k_neighbors": 3}),
        json!("ProWSyn"),
    ] {
        let out = build(json!({"sampler": sampler, "shortfall": "keep"}))
            .fit_resample(x.view(), &y)
            .unwrap();
        assert!(out.n_synthetic() > 0, "{sampler}");
    }
    for (param, value) in [
        ("cv", json!(1)),
        ("threshold", json!(1.5)),
        ("max_rounds", json!(0)),
        ("sampler", json!("NoSuchSampler")),
        ("sampler", json!("RandomUnderSampler")),
        ("judge", json!("oracle")),
        ("rejected", json!("keep")),
    ] {
        let given = vec![(param.to_string(), value.clone())];
        let message = match SAMPLERS.build("LabelConsistentOverSampler", &given, &[]) {
            Err(e) => e.to_string(),
            Ok(s) => s.fit_resample(x.view(), &y).unwrap_err().to_string(),
        };
        assert!(message.contains(param), "{param}={value}: {message}");
    }
}

#[test]
fn any_model_of_the_judge_catalogue_judges_with_its_parameters() {
    let (x, y) = overlapping(200, 30, 5);
    let run = |judge: serde_json::Value| {
        build(json!({"judge": judge, "cv": 3, "shortfall": "keep"}))
            .fit_resample(x.view(), &y)
            .unwrap()
    };
    for entry in imbalanced_resample::JUDGES.entries {
        let out = run(json!(entry.info.name));
        assert!(out.n_synthetic() > 0, "{}", entry.info.name);
    }
    // Parameters reach the judge: a 1-neighbour judge keeps other rows than the 5-neighbour default.
    assert_ne!(run(json!("knn")).x, run(json!({"name": "knn", "n_neighbors": 1})).x);
    // A parameter the judge does not take, and a classifier that cannot judge, are named.
    for (judge, expected) in [
        (json!({"name": "knn", "n_trees": 3}), "n_trees"),
        (json!("BalancedRandomForestClassifier"), "KNeighborsClassifier"),
    ] {
        let given = vec![("judge".to_string(), judge.clone())];
        let message = SAMPLERS
            .build("LabelConsistentOverSampler", &given, &[])
            .err()
            .unwrap()
            .to_string();
        assert!(
            message.contains(expected) && message.contains("judge"),
            "{judge}: {message}"
        );
    }
}
