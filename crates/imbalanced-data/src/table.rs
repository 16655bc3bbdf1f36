//! Column-wise assembly of a [`Dataset`] from text fields, shared by every
//! text reader: type inference, missing values, imputation, label encoding.

use std::collections::HashMap;
use std::path::Path;

use ndarray::Array2;

use crate::dataset::{encode, median, sort_labels, Dataset, Feature, FeatureKind};
use crate::error::{DataError, Result};

/// What the file (or the user) says a column is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Declared {
    /// Numeric unless none of its values is a number.
    Infer,
    Numeric,
    /// Categorical, with the dictionary when the header lists it.
    Categorical(Option<Vec<String>>),
}

/// One value of a binary format's row.
#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
pub(crate) enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    Missing,
}

/// Tokens read as a missing value (pandas' defaults, plus KEEL's `<null>`).
pub(crate) fn is_missing(s: &str) -> bool {
    matches!(
        s.trim(),
        "" | "?" | "NA" | "N/A" | "NaN" | "nan" | "null" | "NULL" | "<null>" | "None"
    )
}

struct Column {
    name: String,
    declared: Declared,
    nums: Vec<f64>,
    /// The raw strings: always for categorical/target columns, and for
    /// inferred columns only while no value has parsed as a number.
    strs: Vec<Option<String>>,
    n_numeric: usize,
    bad: Vec<(u64, String)>,
    n_bad: usize,
    first_missing: Option<u64>,
    n_missing: usize,
    non_finite: Option<(u64, String)>,
}

impl Column {
    fn keeps_strings(&self) -> bool {
        match self.declared {
            Declared::Categorical(_) => true,
            Declared::Numeric => false,
            Declared::Infer => self.n_numeric == 0,
        }
    }

    /// A value that is already a number (binary formats).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    fn push_number(&mut self, v: f64, line: u64) {
        if v.is_nan() {
            self.push("", line);
        } else if matches!(self.declared, Declared::Categorical(_)) {
            self.push(&crate::io::format_number(v), line);
        } else {
            if !v.is_finite() && self.non_finite.is_none() {
                self.non_finite = Some((line, v.to_string()));
            }
            self.n_numeric += 1;
            self.nums.push(v);
            if self.n_numeric == 1 && self.declared == Declared::Infer {
                self.strs = Vec::new();
            }
        }
    }

    fn push(&mut self, raw: &str, line: u64) {
        let v = raw.trim();
        if is_missing(v) {
            self.first_missing.get_or_insert(line);
            self.n_missing += 1;
            self.nums.push(f64::NAN);
            if self.keeps_strings() {
                self.strs.push(None);
            }
            return;
        }
        if matches!(self.declared, Declared::Categorical(_)) {
            self.strs.push(Some(v.to_string()));
            return;
        }
        match v.parse::<f64>() {
            Ok(x) => {
                if !x.is_finite() && self.non_finite.is_none() {
                    self.non_finite = Some((line, v.to_string()));
                }
                self.n_numeric += 1;
                self.nums.push(x);
                if self.n_numeric == 1 && self.declared == Declared::Infer {
                    self.strs = Vec::new();
                }
            }
            Err(_) => {
                self.n_bad += 1;
                if self.bad.len() < 3 {
                    self.bad.push((line, v.to_string()));
                }
                self.nums.push(f64::NAN);
                if self.keeps_strings() {
                    self.strs.push(Some(v.to_string()));
                }
            }
        }
    }

    fn is_categorical(&self) -> bool {
        match self.declared {
            Declared::Categorical(_) => true,
            Declared::Numeric => false,
            Declared::Infer => self.n_numeric == 0 && self.n_bad > 0,
        }
    }
}

/// Collects rows of text fields, then builds a [`Dataset`].
pub(crate) struct TableBuilder {
    columns: Vec<Column>,
    target: usize,
    lines: Vec<u64>,
}

impl TableBuilder {
    /// `names` are all columns of the file, `target` the index of the label
    /// column, `declared` what is known of each column's kind.
    pub(crate) fn new(names: Vec<String>, target: usize, declared: Vec<Declared>) -> Result<Self> {
        let mut seen = HashMap::new();
        for n in &names {
            if seen.insert(n.as_str(), ()).is_some() {
                return Err(DataError::DuplicateColumn { name: n.clone() });
            }
        }
        let columns = names
            .into_iter()
            .zip(declared)
            .enumerate()
            .map(|(i, (name, declared))| Column {
                name,
                declared: if i == target {
                    Declared::Categorical(None)
                } else {
                    declared
                },
                nums: Vec::new(),
                strs: Vec::new(),
                n_numeric: 0,
                bad: Vec::new(),
                n_bad: 0,
                first_missing: None,
                n_missing: 0,
                non_finite: None,
            })
            .collect();
        Ok(TableBuilder {
            columns,
            target,
            lines: Vec::new(),
        })
    }

    pub(crate) fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// Adds one row; the caller has checked that it has one field per column.
    pub(crate) fn push_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>, line: u64) {
        for (col, f) in self.columns.iter_mut().zip(fields) {
            col.push(f, line);
        }
        self.lines.push(line);
    }

    /// Adds one row of typed cells (binary formats).
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn push_cells<'a>(&mut self, cells: impl Iterator<Item = Cell<'a>>, line: u64) {
        for (col, cell) in self.columns.iter_mut().zip(cells) {
            match cell {
                Cell::Text(t) => col.push(t, line),
                Cell::Number(v) => col.push_number(v, line),
                Cell::Missing => col.push("", line),
            }
        }
        self.lines.push(line);
    }

    pub(crate) fn finish(self, path: &Path, impute: bool) -> Result<Dataset> {
        let n = self.lines.len();
        if n == 0 {
            return Err(DataError::NoRows {
                path: path.to_path_buf(),
            });
        }
        let mut features = Vec::new();
        let mut num_cols: Vec<Vec<f64>> = Vec::new();
        let mut cat_cols: Vec<Vec<u32>> = Vec::new();
        let mut dictionaries = Vec::new();
        let mut target = None;
        for (i, col) in self.columns.into_iter().enumerate() {
            if let Some(line) = col.first_missing.filter(|_| i == self.target) {
                return Err(DataError::MissingLabel { column: col.name, line });
            }
            if col.n_missing == n {
                return Err(DataError::AllMissing { column: col.name });
            }
            if i == self.target {
                let labels: Vec<String> = col.strs.into_iter().map(Option::unwrap_or_default).collect();
                target = Some((col.name, i, labels));
                continue;
            }
            if !impute {
                if let Some(line) = col.first_missing {
                    return Err(DataError::Missing { column: col.name, line });
                }
            }
            if col.is_categorical() {
                let (dict, codes) = categorical_codes(&col.strs, col.declared, &col.name)?;
                features.push(Feature {
                    name: col.name,
                    kind: FeatureKind::Categorical,
                    index: cat_cols.len(),
                });
                cat_cols.push(codes);
                dictionaries.push(dict);
            } else {
                if col.n_bad > 0 {
                    let examples = col
                        .bad
                        .iter()
                        .map(|(l, v)| format!("{v:?} on line {l}"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    return Err(DataError::StrayNonNumeric {
                        column: col.name,
                        count: col.n_bad,
                        examples,
                    });
                }
                if let Some((line, value)) = col.non_finite {
                    return Err(DataError::NonFinite {
                        column: col.name,
                        line,
                        value,
                    });
                }
                let mut nums = col.nums;
                if col.first_missing.is_some() {
                    let mut present: Vec<f64> = nums.iter().copied().filter(|v| !v.is_nan()).collect();
                    let m = median(&mut present);
                    nums.iter_mut().filter(|v| v.is_nan()).for_each(|v| *v = m);
                }
                features.push(Feature {
                    name: col.name,
                    kind: FeatureKind::Numeric,
                    index: num_cols.len(),
                });
                num_cols.push(nums);
            }
        }
        let (target_name, target_position, labels) = target.expect("the target column is always collected");
        let (classes, y) = encode(&labels);
        let numeric = Array2::from_shape_fn((n, num_cols.len()), |(i, j)| num_cols[j][i]);
        let categorical = Array2::from_shape_fn((n, cat_cols.len()), |(i, j)| cat_cols[j][i]);
        Dataset::from_parts(
            features,
            numeric,
            categorical,
            dictionaries,
            target_name,
            target_position,
            classes,
            y,
        )
    }
}

/// Codes of a categorical column; missing values get the most frequent
/// category (ties: the first in sorted order, as scikit-learn's SimpleImputer).
fn categorical_codes(strs: &[Option<String>], declared: Declared, name: &str) -> Result<(Vec<String>, Vec<u32>)> {
    let mut dict: Vec<String> = match declared {
        Declared::Categorical(Some(d)) => d,
        _ => strs.iter().flatten().cloned().collect(),
    };
    dict.sort_unstable();
    dict.dedup();
    sort_labels(&mut dict);
    let lookup: HashMap<&str, u32> = dict.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
    let mut counts = vec![0usize; dict.len()];
    let mut codes = Vec::with_capacity(strs.len());
    for s in strs {
        match s {
            Some(v) => {
                let c = *lookup.get(v.as_str()).ok_or_else(|| DataError::Invalid(format!(
                    "column {name:?} has value {v:?}, which its header does not declare: add it to the attribute's {{...}} list"
                )))?;
                counts[c as usize] += 1;
                codes.push(c);
            }
            None => codes.push(u32::MAX),
        }
    }
    let mode = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i as u32);
    codes.iter_mut().filter(|c| **c == u32::MAX).for_each(|c| *c = mode);
    Ok((dict, codes))
}
