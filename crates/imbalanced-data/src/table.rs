//! Column-wise assembly of a [`Dataset`] from text fields, shared by every
//! text reader: type inference, missing values, imputation, label encoding.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use ndarray::Array2;
use rayon::prelude::*;

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
    /// Left out (`drop` / `keep`): its values are not read.
    Dropped,
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

/// Interned strings of a column: each distinct value stored once.
#[derive(Default, Clone)]
struct Interned {
    /// Per row: index into `values`, or `u32::MAX` when missing.
    codes: Vec<u32>,
    values: Vec<String>,
    lookup: HashMap<String, u32>,
    /// Codes of values given as numbers (binary formats), by their bits: a
    /// number is formatted only the first time it is seen.
    numbers: HashMap<u64, u32>,
}

impl Interned {
    fn push(&mut self, v: Option<&str>) {
        let code = match v {
            None => u32::MAX,
            // A label column mostly repeats the value before: no hashing then.
            Some(v)
                if self
                    .codes
                    .last()
                    .is_some_and(|&c| c != u32::MAX && self.values[c as usize] == v) =>
            {
                self.codes[self.codes.len() - 1]
            }
            Some(v) => match self.lookup.get(v) {
                Some(&c) => c,
                None => {
                    let c = self.values.len() as u32;
                    self.values.push(v.to_string());
                    self.lookup.insert(v.to_string(), c);
                    c
                }
            },
        };
        self.codes.push(code);
    }

    /// A value given as a number, interned as its text.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    fn push_number(&mut self, v: f64) {
        match self.numbers.get(&v.to_bits()) {
            Some(&c) => self.codes.push(c),
            None => {
                self.push(Some(&crate::io::format_number(v)));
                let code = self.codes[self.codes.len() - 1];
                self.numbers.insert(v.to_bits(), code);
            }
        }
    }

    /// Appends `other`'s rows, its values merged into this dictionary.
    fn append(&mut self, other: Interned) {
        let remap: Vec<u32> = other
            .values
            .into_iter()
            .map(|v| match self.lookup.get(&v) {
                Some(&c) => c,
                None => {
                    let c = self.values.len() as u32;
                    self.lookup.insert(v.clone(), c);
                    self.values.push(v);
                    c
                }
            })
            .collect();
        self.codes.extend(
            other
                .codes
                .iter()
                .map(|&c| if c == u32::MAX { c } else { remap[c as usize] }),
        );
    }
}

/// `v` as a number: Rust's `str::parse::<f64>` (correctly rounded), after
/// turning a decimal comma into a point when asked.
fn parse_number(v: &str, decimal_comma: bool) -> Option<f64> {
    if decimal_comma && v.contains(',') {
        v.replacen(',', ".", 1).parse().ok()
    } else {
        v.parse().ok()
    }
}

#[derive(Clone)]
struct Column {
    name: String,
    declared: Declared,
    /// The strings: always for categorical/target columns, and for inferred
    /// columns only while no value has parsed as a number.
    strs: Interned,
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
            Declared::Numeric | Declared::Dropped => false,
            Declared::Infer => self.n_numeric == 0,
        }
    }

    /// Appends the rows `other` (the same column of later rows) has read.
    fn append(&mut self, other: Column) {
        let (mine, theirs) = (self.keeps_strings(), other.keeps_strings());
        self.n_numeric += other.n_numeric;
        if !self.keeps_strings() {
            self.strs = Interned::default();
        } else if mine && theirs {
            self.strs.append(other.strs);
        }
        self.n_bad += other.n_bad;
        self.bad.extend(other.bad);
        self.bad.truncate(3);
        self.first_missing = self.first_missing.or(other.first_missing);
        self.n_missing += other.n_missing;
        self.non_finite = self.non_finite.take().or(other.non_finite);
    }

    fn record_number(&mut self, x: f64, line: u64, text: impl FnOnce() -> String) {
        if !x.is_finite() && self.non_finite.is_none() {
            self.non_finite = Some((line, text()));
        }
        self.n_numeric += 1;
        if self.n_numeric == 1 && self.declared == Declared::Infer {
            self.strs = Interned::default();
        }
    }

    /// Whether a field that reads as a number is taken as one.
    fn parses_numbers(&self) -> bool {
        matches!(self.declared, Declared::Infer | Declared::Numeric)
    }

    /// A value that is already a number (binary formats); returns what the
    /// numeric buffer stores.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    fn push_number(&mut self, v: f64, line: u64) -> f64 {
        if v.is_nan() || self.declared == Declared::Dropped {
            self.push("", line, false)
        } else if matches!(self.declared, Declared::Categorical(_)) {
            self.strs.push_number(v);
            f64::NAN
        } else {
            self.record_number(v, line, || v.to_string());
            v
        }
    }

    /// Takes one text field; returns its number, or NaN when it is not one.
    fn push(&mut self, raw: &str, line: u64, decimal_comma: bool) -> f64 {
        if self.declared == Declared::Dropped {
            return f64::NAN;
        }
        let v = raw.trim();
        match self.declared {
            // Most fields are numbers: parse those first (no missing-value
            // token starts with a digit, a sign or a point, and "-NaN"-like
            // text parses to a non-finite number as before).
            Declared::Infer | Declared::Numeric
                if v.as_bytes()
                    .first()
                    .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.')) =>
            {
                if let Some(x) = parse_number(v, decimal_comma) {
                    self.record_number(x, line, || v.to_string());
                    return x;
                }
            }
            _ => {}
        }
        if is_missing(v) {
            self.first_missing.get_or_insert(line);
            self.n_missing += 1;
            if self.keeps_strings() {
                self.strs.push(None);
            }
            return f64::NAN;
        }
        if matches!(self.declared, Declared::Categorical(_)) {
            self.strs.push(Some(v));
            return f64::NAN;
        }
        match parse_number(v, decimal_comma) {
            Some(x) => {
                self.record_number(x, line, || v.to_string());
                x
            }
            None => {
                self.n_bad += 1;
                if self.bad.len() < 3 {
                    self.bad.push((line, v.to_string()));
                }
                if self.keeps_strings() {
                    self.strs.push(Some(v));
                }
                f64::NAN
            }
        }
    }

    fn is_categorical(&self) -> bool {
        match self.declared {
            Declared::Categorical(_) => true,
            Declared::Numeric | Declared::Dropped => false,
            Declared::Infer => self.n_numeric == 0 && self.n_bad > 0,
        }
    }
}

/// Writes one column of a block of rows ([`TableBuilder::push_columns`]).
pub(crate) struct ColumnWriter<'a, 'v> {
    column: &'a mut Column,
    block: &'a mut [f64],
    /// Plain float columns, copied into the block after all columns are seen.
    plain: &'a mut Vec<Plain<'v>>,
    /// The column's index in the file.
    index: usize,
    /// The column's place in a row of the block, if it holds numbers.
    slot: Option<usize>,
    stride: usize,
    first_line: u64,
}

#[cfg_attr(not(feature = "parquet"), allow(dead_code))]
impl<'v> ColumnWriter<'_, 'v> {
    /// The value of row `i`.
    pub(crate) fn cell(&mut self, i: usize, cell: Cell<'_>) {
        let line = self.first_line + i as u64;
        let v = match cell {
            Cell::Text(t) => self.column.push(t, line, false),
            Cell::Number(v) => self.column.push_number(v, line),
            Cell::Missing => self.column.push("", line, false),
        };
        if let Some(j) = self.slot {
            self.block[i * self.stride + j] = v;
        }
    }

    /// The values of every row, all present (the common case of a float
    /// column): stored with the block's other plain columns, and checked
    /// as they are copied into it ([`TableBuilder::push_columns`]).
    pub(crate) fn numbers(&mut self, values: &'v [f64]) {
        let Some(slot) = self.slot else {
            values
                .iter()
                .enumerate()
                .for_each(|(i, &v)| self.cell(i, Cell::Number(v)));
            return;
        };
        self.plain.push(Plain {
            column: self.index,
            slot,
            values,
        });
    }
}

/// A plain float column of a block of rows ([`ColumnWriter::numbers`]).
pub(crate) struct Plain<'v> {
    column: usize,
    slot: usize,
    values: &'v [f64],
}

impl Column {
    /// Records the numbers of a plain column of a block whose first row is
    /// line `first_line`; `finite`: whether all of them are.
    fn record_plain(&mut self, values: &[f64], first_line: u64, finite: bool) {
        match (finite, values.first()) {
            (true, Some(&first)) => {
                // The numbers are recorded as one, the count set after.
                self.record_number(first, first_line, || first.to_string());
                self.n_numeric += values.len() - 1;
            }
            (true, None) => {}
            (false, _) => values
                .iter()
                .enumerate()
                .for_each(|(i, &v)| self.record_number(v, first_line + i as u64, || v.to_string())),
        }
    }
}

/// Collects rows of fields, then builds a [`Dataset`]. Rows may be read by
/// several builders (clones of one made before any row) and appended in
/// order; those write their rows into parts of one matrix
/// ([`TableBuilder::push_line_into`]) that [`TableBuilder::set_values`]
/// hands over once they are merged.
#[derive(Clone)]
pub(crate) struct TableBuilder {
    columns: Vec<Column>,
    /// The label column; `None` for unlabelled data.
    target: Option<usize>,
    /// Each column's place in a row of `values`: the columns that may hold
    /// numbers (not the target, a categorical or a dropped one), in order.
    slots: Vec<Option<usize>>,
    /// The number of slots: the values per row.
    stride: usize,
    /// The first column from which every column but the last is dropped
    /// (the number of columns if the one before the last is not): a line's
    /// fields from there to the last are skipped in one search.
    dropped_from: usize,
    /// The numbers of every row, row-major, `stride` per row.
    values: Vec<f64>,
    n_rows: usize,
    /// Numbers are written `1,5` (see [`TableBuilder::set_decimal_comma`]).
    decimal_comma: bool,
}

impl TableBuilder {
    /// `names` are all columns of the file, `target` the index of the label
    /// column (`None`: unlabelled data), `declared` what is known of each column's kind.
    pub(crate) fn new(names: Vec<String>, target: Option<usize>, declared: Vec<Declared>) -> Result<Self> {
        let mut seen = HashMap::new();
        for n in &names {
            if seen.insert(n.as_str(), ()).is_some() {
                return Err(DataError::DuplicateColumn { name: n.clone() });
            }
        }
        let columns: Vec<Column> = names
            .into_iter()
            .zip(declared)
            .enumerate()
            .map(|(i, (name, declared))| Column {
                name,
                declared: if Some(i) == target {
                    Declared::Categorical(None)
                } else {
                    declared
                },
                strs: Interned::default(),
                n_numeric: 0,
                bad: Vec::new(),
                n_bad: 0,
                first_missing: None,
                n_missing: 0,
                non_finite: None,
            })
            .collect();
        let mut stride = 0;
        let slots = columns
            .iter()
            .map(|c| {
                c.parses_numbers().then(|| {
                    stride += 1;
                    stride - 1
                })
            })
            .collect();
        let width = columns.len();
        let dropped_from = match width.checked_sub(1) {
            Some(last) => (0..last)
                .rev()
                .take_while(|&j| columns[j].declared == Declared::Dropped)
                .last()
                .unwrap_or(width),
            None => width,
        };
        Ok(TableBuilder {
            columns,
            target,
            slots,
            stride,
            dropped_from,
            values: Vec::new(),
            n_rows: 0,
            decimal_comma: false,
        })
    }

    /// Reads `1,5` as 1.5 (text formats whose delimiter is not a comma).
    pub(crate) fn set_decimal_comma(&mut self, on: bool) {
        self.decimal_comma = on;
    }

    /// Appends the rows `later` has read (a clone of this builder's empty
    /// state, fed the rows that follow this one's).
    pub(crate) fn append(&mut self, later: TableBuilder) {
        for (col, other) in self.columns.iter_mut().zip(later.columns) {
            col.append(other);
        }
        self.values.extend(later.values);
        self.n_rows += later.n_rows;
    }

    pub(crate) fn n_columns(&self) -> usize {
        self.columns.len()
    }

    /// The rows read so far.
    pub(crate) fn n_rows(&self) -> usize {
        self.n_rows
    }

    /// The numbers a row holds: the length of the rows given to
    /// [`TableBuilder::push_line_into`].
    pub(crate) fn stride(&self) -> usize {
        self.stride
    }

    /// Takes `values` as the numbers of the rows read (row-major,
    /// [`TableBuilder::stride`] per row), for rows read into a matrix of
    /// the caller's; the caller has cut it to the rows read.
    pub(crate) fn set_values(&mut self, values: Vec<f64>) {
        debug_assert_eq!(values.len(), self.n_rows * self.stride);
        self.values = values;
    }

    /// Adds one row; the caller has checked that it has one field per column.
    pub(crate) fn push_row<'a>(&mut self, fields: impl Iterator<Item = &'a str>, line: u64) {
        let start = self.values.len();
        self.values.resize(start + self.stride, f64::NAN);
        let mut row = std::mem::take(&mut self.values);
        self.push_row_into(fields, line, &mut row[start..]);
        self.values = row;
    }

    /// [`TableBuilder::push_row`] into `row` (`stride` values) of a matrix
    /// of the caller's.
    pub(crate) fn push_row_into<'a>(&mut self, fields: impl Iterator<Item = &'a str>, line: u64, row: &mut [f64]) {
        self.n_rows += 1;
        for ((col, slot), f) in self.columns.iter_mut().zip(&self.slots).zip(fields) {
            let v = col.push(f, line, self.decimal_comma);
            if let Some(j) = *slot {
                row[j] = v;
            }
        }
    }

    /// Adds one unquoted line of delimited text as a row, its numbers
    /// written into `row` (`stride` values) of a matrix of the caller's.
    /// Numbers are parsed where they stand (`fast_float2::parse_partial`:
    /// the same correctly rounded value as `str::parse`) and taken when a
    /// delimiter or the line's end follows; any other field goes through
    /// the general path. Returns the number of fields the line has when it
    /// is not one per column.
    pub(crate) fn push_line_into(
        &mut self,
        text: &str,
        delimiter: u8,
        line: u64,
        row: &mut [f64],
    ) -> std::result::Result<(), usize> {
        self.n_rows += 1;
        let width = self.columns.len();
        let bytes = text.as_bytes();
        let mut pos = 0;
        let mut j = 0;
        while j < width {
            if pos > bytes.len() {
                return Err(j);
            }
            let rest = &bytes[pos..];
            if j == self.dropped_from {
                // Every field up to the last is dropped: count the line's
                // delimiters and go to its last field.
                let found = j + 1 + memchr::memchr_iter(delimiter, rest).count();
                if found != width {
                    return Err(found);
                }
                pos += memchr::memrchr(delimiter, rest).map_or(0, |i| i + 1);
                j = width - 1;
                continue;
            }
            let (col, slot) = (&mut self.columns[j], self.slots[j]);
            j += 1;
            if let Some(s) = slot {
                if rest
                    .first()
                    .is_some_and(|b| b.is_ascii_digit() || matches!(b, b'-' | b'.'))
                {
                    if let Ok((x, n)) = fast_float2::parse_partial::<f64, _>(rest) {
                        if rest.get(n).is_none_or(|&b| b == delimiter) {
                            col.record_number(x, line, || text[pos..pos + n].to_string());
                            row[s] = x;
                            pos += n + 1;
                            continue;
                        }
                    }
                }
            }
            let end = memchr::memchr(delimiter, rest).map_or(bytes.len(), |i| pos + i);
            let v = col.push(&text[pos..end], line, self.decimal_comma);
            if let Some(s) = slot {
                row[s] = v;
            }
            pos = end + 1;
        }
        if pos <= bytes.len() {
            return Err(width + 1 + memchr::memchr_iter(delimiter, &bytes[pos..]).count());
        }
        Ok(())
    }

    /// Adds `n` rows given column by column (columnar formats):
    /// `fill(j, writer)` is called once per column and gives the block's
    /// values of column `j` to `writer`; the first row is line `first_line`.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn push_columns<'v, E>(
        &mut self,
        n: usize,
        first_line: u64,
        mut fill: impl FnMut(usize, &mut ColumnWriter<'_, 'v>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let stride = self.stride;
        // Rows go where `reserve_rows` made room, or the values grow in place
        // (a large reallocation moves pages, not bytes). Every slot of the
        // block is written below.
        let start = self.n_rows * stride;
        if self.values.len() < start + n * stride {
            self.values.resize(start + n * stride, 0.0);
        }
        let block = &mut self.values[start..start + n * stride];
        let mut plain = Vec::new();
        for (j, (column, &slot)) in self.columns.iter_mut().zip(&self.slots).enumerate() {
            let mut writer = ColumnWriter {
                column,
                block: &mut *block,
                plain: &mut plain,
                index: j,
                slot,
                stride,
                first_line,
            };
            fill(j, &mut writer)?;
        }
        // Plain float columns go in by tiles of rows, on the pool: a whole
        // column at a time would stride through the entire block once per
        // column. Each value is checked as it is copied (a pass of its own
        // read every column once more, on one thread).
        const TILE: usize = 1024;
        let non_finite: Vec<AtomicBool> = plain.iter().map(|_| AtomicBool::new(false)).collect();
        block
            .par_chunks_mut(TILE * stride.max(1))
            .enumerate()
            .for_each(|(t, tile)| {
                for (p, flag) in plain.iter().zip(&non_finite) {
                    let mut finite = true;
                    for (row, &v) in tile.chunks_exact_mut(stride).zip(&p.values[t * TILE..]) {
                        row[p.slot] = v;
                        finite &= v.is_finite();
                    }
                    if !finite {
                        flag.store(true, Ordering::Relaxed);
                    }
                }
            });
        for (p, flag) in plain.iter().zip(&non_finite) {
            self.columns[p.column].record_plain(p.values, first_line, !flag.load(Ordering::Relaxed));
        }
        self.n_rows += n;
        Ok(())
    }

    /// Makes room for `n` rows at once (a columnar file says how many it
    /// has): one allocation of zeroed pages instead of growing the values
    /// batch by batch.
    #[cfg_attr(not(feature = "parquet"), allow(dead_code))]
    pub(crate) fn reserve_rows(&mut self, n: usize) {
        if self.values.is_empty() {
            self.values = vec![0.0; n * self.stride];
        }
    }

    pub(crate) fn finish(mut self, path: &Path, impute: bool) -> Result<Dataset> {
        let (n, stride) = (self.n_rows, self.stride);
        // Room made for rows that never came.
        self.values.truncate(n * stride);
        if n == 0 {
            return Err(DataError::NoRows {
                path: path.to_path_buf(),
            });
        }
        let mut features = Vec::new();
        let mut numeric_columns = Vec::new();
        let mut cat_cols: Vec<Vec<u32>> = Vec::new();
        let mut dictionaries = Vec::new();
        let mut target = None;
        let mut to_impute = Vec::new();
        for (i, (col, slot)) in self.columns.into_iter().zip(self.slots).enumerate() {
            if col.declared == Declared::Dropped {
                continue;
            }
            if let Some(line) = col.first_missing.filter(|_| Some(i) == self.target) {
                return Err(DataError::MissingLabel { column: col.name, line });
            }
            if col.n_missing == n {
                return Err(DataError::AllMissing { column: col.name });
            }
            if Some(i) == self.target {
                // Its place among the columns kept.
                target = Some((col.name, features.len(), col.strs));
                continue;
            }
            if !impute {
                if let Some(line) = col.first_missing {
                    return Err(DataError::Missing { column: col.name, line });
                }
            }
            if col.is_categorical() {
                let (dict, codes) = categorical_codes(col.strs, col.declared, &col.name)?;
                features.push(Feature {
                    name: col.name,
                    kind: FeatureKind::Categorical,
                    index: cat_cols.len(),
                });
                cat_cols.push(codes);
                dictionaries.push(dict);
            } else {
                if col.n_bad > 0 && col.bad.iter().all(|(_, v)| parse_number(v, true).is_some()) {
                    let (line, value) = col.bad[0].clone();
                    return Err(DataError::DecimalComma {
                        column: col.name,
                        line,
                        value,
                    });
                }
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
                if col.first_missing.is_some() {
                    to_impute.push(numeric_columns.len());
                }
                features.push(Feature {
                    name: col.name,
                    kind: FeatureKind::Numeric,
                    index: numeric_columns.len(),
                });
                numeric_columns.push(slot.expect("a numeric column has a slot"));
            }
        }
        let width = numeric_columns.len();
        let mut values = self.values;
        compact_rows(&mut values, stride, &numeric_columns);
        let mut numeric = Array2::from_shape_vec((n, width), values).expect("n rows of numeric values");
        for j in to_impute {
            let mut present: Vec<f64> = numeric.column(j).iter().copied().filter(|v| !v.is_nan()).collect();
            let m = median(&mut present);
            numeric
                .column_mut(j)
                .iter_mut()
                .filter(|v| v.is_nan())
                .for_each(|v| *v = m);
        }
        let (target_name, target_position, classes, y) = match target {
            Some((name, position, labels)) => {
                let (classes, y) = encode_interned(labels);
                (name, position, classes, y)
            }
            None => (String::new(), features.len(), vec![String::new()], vec![0; n]),
        };
        let categorical = Array2::from_shape_fn((n, cat_cols.len()), |(i, j)| cat_cols[j][i]);
        // Every numeric value was checked as it was read (non-finite ones
        // are errors above; imputed ones are medians of finite values).
        Dataset::from_finite_parts(
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

/// Keeps `columns` (ascending) of each row of `stride` values, in place:
/// every value moves to an index no larger than its own, and no row's
/// values are overwritten before they are read.
fn compact_rows(values: &mut Vec<f64>, stride: usize, columns: &[usize]) {
    let (n, width) = (values.len() / stride.max(1), columns.len());
    if width != stride {
        for r in 0..n {
            for (k, &j) in columns.iter().enumerate() {
                values[r * width + k] = values[r * stride + j];
            }
        }
    }
    values.truncate(n * width);
    values.shrink_to_fit();
}

/// Labels as sorted classes and per-row class codes (no missing labels here).
fn encode_interned(strs: Interned) -> (Vec<String>, Vec<usize>) {
    let (classes, order) = encode(&strs.values);
    let y = strs.codes.iter().map(|&c| order[c as usize]).collect();
    (classes, y)
}

/// Codes of a categorical column; missing values get the most frequent
/// category (ties: the first in sorted order, as scikit-learn's SimpleImputer).
fn categorical_codes(strs: Interned, declared: Declared, name: &str) -> Result<(Vec<String>, Vec<u32>)> {
    let mut dict: Vec<String> = match declared {
        Declared::Categorical(Some(d)) => d,
        _ => strs.values.clone(),
    };
    dict.sort_unstable();
    dict.dedup();
    sort_labels(&mut dict);
    let lookup: HashMap<&str, u32> = dict.iter().enumerate().map(|(i, s)| (s.as_str(), i as u32)).collect();
    // Interned value -> dictionary code.
    let remap = strs
        .values
        .iter()
        .map(|v| {
            lookup.get(v.as_str()).copied().ok_or_else(|| {
                DataError::Invalid(format!(
                    "column {name:?} has value {v:?}, which its header does not declare: add it to the attribute's {{...}} list"
                ))
            })
        })
        .collect::<Result<Vec<u32>>>()?;
    let mut counts = vec![0usize; dict.len()];
    let mut codes: Vec<u32> = strs
        .codes
        .iter()
        .map(|&c| {
            if c == u32::MAX {
                u32::MAX
            } else {
                let d = remap[c as usize];
                counts[d as usize] += 1;
                d
            }
        })
        .collect();
    let mode = counts
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
        .map_or(0, |(i, _)| i as u32);
    codes.iter_mut().filter(|c| **c == u32::MAX).for_each(|c| *c = mode);
    Ok((dict, codes))
}

/// Whether `name` matches `pattern`, where `*` stands for any run of
/// characters and `?` for one.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    let (mut i, mut j) = (0, 0);
    // The last `*` seen and where in `name` its run would end.
    let mut star: Option<(usize, usize)> = None;
    while j < n.len() {
        if i < p.len() && (p[i] == '?' || p[i] == n[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|&c| c == '*')
}

/// Marks the columns that `opts.drop` names, or that a non-empty
/// `opts.keep` does not, as [`Declared::Dropped`]. Patterns are names or
/// globs; one that matches no column is an error naming the columns, and
/// so is dropping the target.
pub(crate) fn select_columns(
    names: &[String],
    target: Option<usize>,
    declared: &mut [Declared],
    opts: &crate::io::ReadOptions,
) -> Result<()> {
    let matching = |pattern: &String| -> Result<Vec<usize>> {
        let hits: Vec<usize> = (0..names.len()).filter(|&j| glob_match(pattern, &names[j])).collect();
        if hits.is_empty() {
            return Err(DataError::UnknownColumn {
                name: pattern.clone(),
                available: names.join(", "),
            });
        }
        Ok(hits)
    };
    let mut dropped = vec![false; names.len()];
    if !opts.keep.is_empty() {
        dropped.iter_mut().for_each(|d| *d = true);
        for pattern in &opts.keep {
            matching(pattern)?.into_iter().for_each(|j| dropped[j] = false);
        }
    }
    for pattern in &opts.drop {
        for j in matching(pattern)? {
            if Some(j) == target {
                return Err(DataError::Invalid(format!(
                    "{pattern:?} would drop the target column {:?}: a dataset needs its labels",
                    names[j]
                )));
            }
            dropped[j] = true;
        }
    }
    for (j, d) in dropped.into_iter().enumerate() {
        if d && Some(j) != target {
            declared[j] = Declared::Dropped;
        }
    }
    Ok(())
}
