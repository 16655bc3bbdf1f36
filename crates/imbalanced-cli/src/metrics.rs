//! `imbalanced metrics PRED.csv`: every metric from a file of predictions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use imbalanced::scores::{all_scores_labelled, classification_report_imbalanced};

#[derive(Args)]
pub struct MetricsArgs {
    /// CSV with a header: y_true,y_pred and optionally either `score` (the
    /// probability of the larger label, binary only) or one `proba_<label>`
    /// column per class.
    pub file: PathBuf,
    /// Print one JSON object keyed by scikit-learn / imbalanced-learn function name.
    #[arg(long)]
    pub json: bool,
}

type BoxError = Box<dyn std::error::Error>;

pub fn run(args: MetricsArgs) -> Result<(), BoxError> {
    let p = imbalanced::data::read_predictions(&args.file)?;
    let scores = all_scores_labelled(&p.y_true, &p.y_pred, p.proba.as_ref().map(|a| a.view()), &p.labels)?;
    if args.json {
        let out: BTreeMap<&str, f64> = scores.0.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let mut table = crate::table();
    table.set_header(["metric", "value"]);
    for (name, v) in &scores.0 {
        table.add_row([name.clone(), format!("{v:.6}")]);
    }
    println!("{} predictions, {} labels", p.y_true.len(), p.labels.len());
    println!("{table}");
    let report = classification_report_imbalanced(&p.y_true, &p.y_pred, 0.1)?;
    let mut table = crate::table();
    table.set_header(["", "pre", "rec", "spe", "f1", "geo", "iba", "sup"]);
    let rows = report.labels.iter().map(|&l| p.labels[l].clone()).zip(&report.classes);
    for (name, r) in rows.chain(std::iter::once(("avg / total".to_string(), &report.average))) {
        let mut row = vec![name];
        row.extend(
            [r.pre, r.rec, r.spe, r.f1, r.geo, r.iba]
                .iter()
                .map(|v| format!("{v:.2}")),
        );
        row.push(format!("{}", r.sup));
        table.add_row(row);
    }
    println!("classification_report_imbalanced");
    println!("{table}");
    Ok(())
}
