//! Times fitting each balanced ensemble on a data file, as
//! `bench/ensembles.py` compares with imbalanced-learn:
//!
//! ```sh
//! cargo run --release -p imbalanced-ensemble --example ensemble_timing -- DATA.csv [NAME...]
//! ```
//!
//! Prints one JSON line per ensemble: `{"name": ..., "fit": seconds,
//! "balanced_accuracy": on the training rows}` (defaults, random_state 0).

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
) -> Result<(f64, f64), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let fitted = m.fit(x, y, k)?;
    let seconds = started.elapsed().as_secs_f64();
    let predicted = fitted.predict(x)?;
    let score = imbalanced_scores::balanced_accuracy_score(y, &predicted, false)?;
    Ok((seconds, score))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((path, names)) = args.split_first() else {
        return Err("usage: ensemble_timing DATA.csv [NAME...]".into());
    };
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
            "BalancedRandomForestClassifier" => timed(&BalancedRandomForestClassifier::default(), x, y, k)?,
            "RUSBoostClassifier" => timed(&RusBoostClassifier::default(), x, y, k)?,
            "EasyEnsembleClassifier" => timed(&EasyEnsembleClassifier::default(), x, y, k)?,
            "AdaBoostClassifier" => timed(&AdaBoostClassifier::default(), x, y, k)?,
            "BalancedBaggingClassifier" => timed(&BalancedBaggingClassifier::default(), x, y, k)?,
            other => return Err(format!("unknown ensemble {other}").into()),
        };
        println!("{{\"name\": \"{name}\", \"fit\": {fit}, \"balanced_accuracy\": {score}}}");
    }
    Ok(())
}
