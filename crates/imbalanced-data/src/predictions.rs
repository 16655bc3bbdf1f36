//! Prediction files, `y_true,y_pred[,score | proba_<label>...]`: what
//! `imbalanced predict` writes and `imbalanced metrics` reads, for our
//! models and for models trained elsewhere.

use std::path::Path;

use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::{format_number, sort_labels, write_atomic, DataError, Result};

/// Tolerance of a row of probabilities summing to 1 (rounded output of
/// other tools); rows are renormalised after the check.
const SUM_TOLERANCE: f64 = 1e-3;

/// A prediction file as class codes.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictions {
    /// The labels, in sorted label order (as a dataset's classes); codes index them.
    pub labels: Vec<String>,
    pub y_true: Vec<usize>,
    pub y_pred: Vec<usize>,
    /// Class probabilities, columns in `labels` order (a `score` column
    /// becomes `[1 - s, s]`).
    pub proba: Option<Array2<f64>>,
}

fn syntax(path: &Path, line: u64, message: impl Into<String>) -> DataError {
    DataError::Syntax {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

/// Reads a prediction file. Labels are those of the `proba_` columns, or
/// of `y_true` and `y_pred` without them; probabilities must lie in [0, 1]
/// and sum to 1 per row.
pub fn read_predictions(path: &Path) -> Result<Predictions> {
    let io = |source| DataError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    };
    let text = std::fs::read_to_string(path).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| syntax(path, 1, e.to_string()))?
        .iter()
        .map(str::to_string)
        .collect();
    if header.len() < 2 || header[0] != "y_true" || header[1] != "y_pred" {
        return Err(syntax(
            path,
            1,
            format!("header {header:?}: the first two columns must be y_true,y_pred"),
        ));
    }
    let extra = &header[2..];
    let score = extra == ["score"];
    let proba_labels: Vec<String> = if score {
        Vec::new()
    } else {
        extra
            .iter()
            .map(|h| {
                h.strip_prefix("proba_").map(str::to_string).ok_or_else(|| {
                    syntax(
                        path,
                        1,
                        format!("column {h:?}: expected `score` or proba_<label> columns"),
                    )
                })
            })
            .collect::<Result<_>>()?
    };
    let mut rows: Vec<(u64, String, String, Vec<f64>)> = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| syntax(path, e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        if record.iter().all(str::is_empty) {
            continue;
        }
        if record.len() != header.len() {
            return Err(DataError::Ragged {
                line,
                expected: header.len(),
                found: record.len(),
            });
        }
        let values = record
            .iter()
            .skip(2)
            .map(|v| match v.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(x),
                _ => Err(syntax(path, line, format!("{v:?} is not a finite number"))),
            })
            .collect::<Result<Vec<f64>>>()?;
        rows.push((line, record[0].to_string(), record[1].to_string(), values));
    }
    if rows.is_empty() {
        return Err(DataError::NoRows {
            path: path.to_path_buf(),
        });
    }
    let labels: Vec<String> = if proba_labels.is_empty() {
        let mut l: Vec<String> = rows.iter().flat_map(|r| [r.1.clone(), r.2.clone()]).collect();
        sort_labels(&mut l);
        l.dedup();
        l
    } else {
        let mut l = proba_labels.clone();
        sort_labels(&mut l);
        if l.windows(2).any(|w| w[0] == w[1]) {
            return Err(syntax(path, 1, "a proba_<label> column appears twice"));
        }
        l
    };
    let code = |s: &str, line: u64| {
        labels.iter().position(|l| l == s).ok_or_else(|| {
            syntax(
                path,
                line,
                format!("unknown label {s:?}: the proba_ columns name {labels:?}; add its column or fix the label"),
            )
        })
    };
    let (mut y_true, mut y_pred) = (Vec::with_capacity(rows.len()), Vec::with_capacity(rows.len()));
    for r in &rows {
        y_true.push(code(&r.1, r.0)?);
        y_pred.push(code(&r.2, r.0)?);
    }
    let proba = if score {
        if labels.len() != 2 {
            return Err(syntax(
                path,
                1,
                format!(
                    "a score column needs exactly two labels, found {}: give proba_<label> columns instead",
                    labels.len()
                ),
            ));
        }
        Some(Array2::from_shape_fn((rows.len(), 2), |(i, k)| {
            let s = rows[i].3[0];
            if k == 1 {
                s
            } else {
                1.0 - s
            }
        }))
    } else if proba_labels.is_empty() {
        None
    } else {
        let column: Vec<usize> = labels
            .iter()
            .map(|l| proba_labels.iter().position(|p| p == l).expect("the same labels"))
            .collect();
        let mut p = Array2::from_shape_fn((rows.len(), labels.len()), |(i, k)| rows[i].3[column[k]]);
        for (r, mut row) in rows.iter().zip(p.rows_mut()) {
            if let Some(v) = row.iter().find(|v| !(0.0..=1.0).contains(*v)) {
                return Err(syntax(path, r.0, format!("probability {v} is outside [0, 1]")));
            }
            let sum = row.sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err(syntax(
                    path,
                    r.0,
                    format!("probabilities sum to {sum}, not 1: give class probabilities (e.g. predict_proba)"),
                ));
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

/// Writes predictions whole or not at all: `y_true` (when given, as
/// labels, which may include labels the model does not know), `y_pred`
/// (codes into `labels`) and a `proba_<label>` column per label, numbers in
/// their shortest round-trip form.
pub fn write_predictions(
    path: &Path,
    labels: &[String],
    y_true: Option<&[&str]>,
    y_pred: &[usize],
    proba: ArrayView2<'_, f64>,
) -> Result<()> {
    let mut header: Vec<String> = y_true.iter().map(|_| "y_true".to_string()).collect();
    header.push("y_pred".into());
    header.extend(labels.iter().map(|l| format!("proba_{l}")));
    write_records(path, &header, y_pred.len(), |i, record| {
        if let Some(t) = y_true {
            record.push(t[i].to_string());
        }
        record.push(labels[y_pred[i]].clone());
        record.extend(proba.row(i).iter().map(|&v| format_number(v)));
    })
}

/// Writes multi-label predictions whole or not at all: `true_<label>` for
/// each `(label, values)` of `truth` (the labels the data has), then
/// `pred_<label>` (1 where the probability is at least 0.5) and
/// `proba_<label>` for every label of `labels`.
pub fn write_multilabel_predictions(
    path: &Path,
    labels: &[String],
    truth: &[(&str, ArrayView1<'_, f64>)],
    proba: ArrayView2<'_, f64>,
) -> Result<()> {
    let mut header: Vec<String> = truth.iter().map(|(l, _)| format!("true_{l}")).collect();
    header.extend(labels.iter().map(|l| format!("pred_{l}")));
    header.extend(labels.iter().map(|l| format!("proba_{l}")));
    write_records(path, &header, proba.nrows(), |i, record| {
        record.extend(truth.iter().map(|(_, v)| format_number(v[i])));
        record.extend(proba.row(i).iter().map(|&v| u8::from(v >= 0.5).to_string()));
        record.extend(proba.row(i).iter().map(|&v| format_number(v)));
    })
}

/// A CSV of `header` and `n` records, each filled by `fill(i, record)`
/// into a cleared buffer, written atomically.
fn write_records(
    path: &Path,
    header: &[String],
    n: usize,
    mut fill: impl FnMut(usize, &mut Vec<String>),
) -> Result<()> {
    let err = |e: csv::Error| DataError::Io {
        action: "write",
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    };
    write_atomic(path, |w| {
        let mut out = csv::Writer::from_writer(w);
        out.write_record(header).map_err(err)?;
        let mut record: Vec<String> = Vec::with_capacity(header.len());
        for i in 0..n {
            record.clear();
            fill(i, &mut record);
            out.write_record(&record).map_err(err)?;
        }
        out.flush().map_err(|source| DataError::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn written_predictions_read_back_to_the_same_bits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let labels = vec!["a,b".to_string(), "c".to_string()];
        let proba = array![[0.1 + 0.2, 1.0 - (0.1 + 0.2)], [1e-300, 1.0 - 1e-300], [0.5, 0.5]];
        write_predictions(&path, &labels, Some(&["c", "a,b", "c"]), &[0, 1, 1], proba.view()).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.starts_with("y_true,y_pred,\"proba_a,b\",proba_c\nc,\"a,b\",0.30000000000000004,"),
            "{text}"
        );
        let p = read_predictions(&path).unwrap();
        assert_eq!(p.labels, labels);
        assert_eq!((p.y_true, p.y_pred), (vec![1, 0, 1], vec![0, 1, 1]));
        let back = p.proba.unwrap();
        assert!(back.iter().zip(&proba).all(|(a, b)| a.to_bits() == b.to_bits()));
    }

    #[test]
    fn multilabel_predictions_have_truth_then_decisions_then_probabilities() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        let labels = vec!["spam".to_string(), "urgent".to_string()];
        let truth = array![1.0, 0.0];
        let proba = array![[0.5, 0.25], [0.1 + 0.2, 0.75]];
        write_multilabel_predictions(&path, &labels, &[("spam", truth.view())], proba.view()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "true_spam,pred_spam,pred_urgent,proba_spam,proba_urgent\n\
             1,1,0,0.5,0.25\n\
             0,0,1,0.30000000000000004,0.75\n"
        );
    }

    #[test]
    fn bad_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.csv");
        for (body, message) in [
            ("truth,pred\na,a\n", "y_true,y_pred"),
            ("y_true,y_pred,proba_a\na,a,2\n", "outside [0, 1]"),
            (
                "y_true,y_pred,proba_a,proba_b\na,a,0.5,0.6\n",
                "line 2: probabilities sum to 1.1",
            ),
            ("y_true,y_pred\n", "no data rows"),
        ] {
            std::fs::write(&path, body).unwrap();
            let err = read_predictions(&path).unwrap_err().to_string();
            assert!(err.contains(message), "{body:?}: {err}");
        }
    }
}
