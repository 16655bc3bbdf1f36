//! `imbalanced metrics PRED.csv`: every metric from a file of predictions.

use std::collections::BTreeMap;
use std::path::PathBuf;

use clap::Args;
use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use imbalanced::data::sort_labels;
use imbalanced::scores::{all_scores, classification_report_imbalanced, macro_averaged_mean_absolute_error};
use ndarray::Array2;

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

/// Rows whose probabilities are off by more than this are refused; within
/// it (rounded values in a file) they are renormalised.
const SUM_TOLERANCE: f64 = 1e-3;

struct Predictions {
    labels: Vec<String>,
    y_true: Vec<usize>,
    y_pred: Vec<usize>,
    proba: Option<Array2<f64>>,
}

fn read(path: &PathBuf) -> Result<Predictions, BoxError> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, header) = lines
        .next()
        .ok_or("the file is empty: expected a header y_true,y_pred[,...]")?;
    let header: Vec<&str> = header.split(',').map(str::trim).collect();
    if header.len() < 2 || header[0] != "y_true" || header[1] != "y_pred" {
        return Err(format!("header {header:?}: the first two columns must be y_true,y_pred").into());
    }
    let extra = &header[2..];
    let score = extra == ["score"];
    let proba_labels: Vec<String> = if score {
        Vec::new()
    } else {
        extra
            .iter()
            .map(|h| {
                h.strip_prefix("proba_")
                    .map(str::to_string)
                    .ok_or_else(|| format!("column {h:?}: expected `score` or proba_<label> columns"))
            })
            .collect::<Result<_, _>>()?
    };
    let mut rows: Vec<(String, String, Vec<f64>)> = Vec::new();
    for (i, line) in lines {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != header.len() {
            return Err(format!(
                "line {}: {} fields, the header has {}",
                i + 1,
                fields.len(),
                header.len()
            )
            .into());
        }
        let values = fields[2..]
            .iter()
            .map(|v| match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(format!("line {}: {v:?} is not a finite number", i + 1)),
            })
            .collect::<Result<Vec<f64>, _>>()?;
        rows.push((fields[0].to_string(), fields[1].to_string(), values));
    }
    if rows.is_empty() {
        return Err("no predictions after the header".into());
    }
    let labels: Vec<String> = if proba_labels.is_empty() {
        let mut l: Vec<String> = rows.iter().flat_map(|r| [r.0.clone(), r.1.clone()]).collect();
        sort_labels(&mut l);
        l.dedup();
        l
    } else {
        let mut l = proba_labels.clone();
        sort_labels(&mut l);
        if l.windows(2).any(|w| w[0] == w[1]) {
            return Err("a proba_<label> column appears twice".into());
        }
        l
    };
    let code = |s: &str, line: usize| {
        labels.iter().position(|l| l == s).ok_or_else(|| {
            format!(
                "line {line}: unknown label {s:?}: the proba_ columns name {labels:?}; add its column or fix the label"
            )
        })
    };
    let mut y_true = Vec::new();
    let mut y_pred = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        y_true.push(code(&r.0, i + 2)?);
        y_pred.push(code(&r.1, i + 2)?);
    }
    let proba = if score {
        if labels.len() != 2 {
            return Err(format!(
                "a score column needs exactly two labels, found {}: give proba_<label> columns instead",
                labels.len()
            )
            .into());
        }
        Some(Array2::from_shape_fn((rows.len(), 2), |(i, k)| {
            let s = rows[i].2[0];
            if k == 1 {
                s
            } else {
                1.0 - s
            }
        }))
    } else if proba_labels.is_empty() {
        None
    } else {
        // Columns in the sorted label order.
        let column: Vec<usize> = labels
            .iter()
            .map(|l| proba_labels.iter().position(|p| p == l).expect("same set"))
            .collect();
        let mut p = Array2::from_shape_fn((rows.len(), labels.len()), |(i, k)| rows[i].2[column[k]]);
        for (i, mut row) in p.rows_mut().into_iter().enumerate() {
            let sum = row.sum();
            if let Some(v) = row.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                return Err(format!("line {}: probability {v} is outside [0, 1]", i + 2).into());
            }
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err(format!(
                    "line {}: probabilities sum to {sum}, not 1: give class probabilities (e.g. predict_proba)",
                    i + 2
                )
                .into());
            }
            row.mapv_inplace(|v| v / sum);
        }
        Some(p)
    };
    Ok(Predictions {
        labels,
        y_true,
        y_pred,
        proba,
    })
}

pub fn run(args: MetricsArgs) -> Result<(), BoxError> {
    let p = read(&args.file)?;
    let scores = all_scores(&p.y_true, &p.y_pred, p.proba.as_ref().map(|a| a.view()))?;
    let mut out: BTreeMap<String, f64> = scores.0.iter().cloned().collect();
    // Ordinal labels: the mean absolute error between label values.
    let values: Option<Vec<f64>> = p.labels.iter().map(|l| l.parse::<f64>().ok()).collect();
    if let Some(values) = values {
        let t: Vec<f64> = p.y_true.iter().map(|&c| values[c]).collect();
        let q: Vec<f64> = p.y_pred.iter().map(|&c| values[c]).collect();
        if let Ok(mae) = macro_averaged_mean_absolute_error(&t, &q) {
            out.insert("macro_averaged_mean_absolute_error".into(), mae);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
    table.set_header(["metric", "value"]);
    for (name, v) in &scores.0 {
        table.add_row([name.clone(), format!("{v:.6}")]);
    }
    if let Some(v) = out.get("macro_averaged_mean_absolute_error") {
        table.add_row(["macro_averaged_mean_absolute_error".to_string(), format!("{v:.6}")]);
    }
    println!("{} predictions, {} labels", p.y_true.len(), p.labels.len());
    println!("{table}");
    let report = classification_report_imbalanced(&p.y_true, &p.y_pred, 0.1)?;
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED);
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
