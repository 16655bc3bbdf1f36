//! Times fitting each balanced ensemble on a data file, as
//! `bench/ensembles.py` compares with imbalanced-learn:
//!
//! ```sh
//! cargo run --release -p imbalanced-ensemble --example ensemble_timing -- DATA.csv [--repeats R] [NAME...]
//! ```
//!
//! Prints one JSON line per ensemble: `{"name": ..., "fit": seconds,
//! "balanced_accuracy": on the training rows}` (defaults, random_state 0);
//! `fit` is the median of R fits (default 1) in this one process, as the
//! Python side times its fits in one interpreter.

use std::time::Instant;

use imbalanced_ensemble::{
    AdaBoostClassifier, BalancedBaggingClassifier, BalancedRandomForestClassifier, EasyEnsembleClassifier,
    RusBoostClassifier,
};
use imbalanced_models::{Fit, Predict};

fn timed<M: Fit>(
    m: &M,
    x: ndarray::ArrayView2<'_, f64>,
    y: &[usize],
    k: usize,
    repeats: usize,
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let mut seconds = Vec::new();
    let mut fitted = None;
    for _ in 0..repeats.max(1) {
        let started = Instant::now();
        fitted = Some(m.fit(x, y, k)?);
        seconds.push(started.elapsed().as_secs_f64());
    }
    seconds.sort_by(f64::total_cmp);
    let seconds = seconds[seconds.len() / 2];
    let predicted = fitted.ok_or("no fit")?.predict(x)?;
    let score = imbalanced_scores::balanced_accuracy_score(y, &predicted, false)?;
    Ok((seconds, score))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, mut names)) = args.split_first() else {
        return Err("usage: ensemble_timing DATA.csv [--repeats R] [NAME...]".into());
    };
    let mut repeats = 1;
    if let [flag, r, rest @ ..] = names {
        if flag == "--repeats" {
            repeats = r.parse()?;
            names = rest;
        }
    }
    let data = imbalanced_data::read(path, &imbalanced_data::ReadOptions::default())?;
    let (x, y, k) = (data.numeric(), data.y(), data.classes().len());
    let all = [
        "BalancedRandomForestClassifier",
        "RUSBoostClassifier",
        "EasyEnsembleClassifier",
        "AdaBoostClassifier",
        "BalancedBaggingClassifier",
    ];
    let chosen: Vec<&str> = if names.is_empty() {
        all.to_vec()
    } else {
        names.iter().map(String::as_str).collect()
    };
    for name in chosen {
        let (fit, score) = match name {
            "BalancedRandomForestClassifier" => timed(&BalancedRandomForestClassifier::default(), x, y, k, repeats)?,
            "RUSBoostClassifier" => timed(&RusBoostClassifier::default(), x, y, k, repeats)?,
            "EasyEnsembleClassifier" => timed(&EasyEnsembleClassifier::default(), x, y, k, repeats)?,
            "AdaBoostClassifier" => timed(&AdaBoostClassifier::default(), x, y, k, repeats)?,
            "BalancedBaggingClassifier" => timed(&BalancedBaggingClassifier::default(), x, y, k, repeats)?,
            other => return Err(format!("unknown ensemble {other}").into()),
        };
        println!("{{\"name\": \"{name}\", \"fit\": {fit}, \"balanced_accuracy\": {score}}}");
    }
    Ok(())
}
