use std::path::PathBuf;

/// Everything that can go wrong while building, reading or writing a [`crate::Dataset`].
///
/// Every message names the problem and, where there is one, the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty: expected a header line with column names, then one row per sample")]
    Empty { path: PathBuf },
    #[error("{path} has a header but no data rows: add at least one row per class")]
    NoRows { path: PathBuf },
    #[error("line {line} has {found} fields but the header has {expected}: every row needs one value per column")]
    Ragged { line: u64, expected: usize, found: usize },
    #[error("column name {name:?} appears twice in the header: rename one of them")]
    DuplicateColumn { name: String },
    #[error("unknown column {name:?}: the columns are {available}")]
    UnknownColumn { name: String, available: String },
    #[error(
        "column {column:?} is numeric but has {count} non-numeric value{}, e.g. {examples}: \
         fix those values, or declare the column categorical",
        if *count == 1 { "" } else { "s" }
    )]
    StrayNonNumeric {
        column: String,
        count: usize,
        examples: String,
    },
    #[error(
        "column {column:?} is numeric but line {line} has {value:?}, a number with a decimal comma: \
         read the file with a decimal comma (its delimiter is then not a comma)"
    )]
    DecimalComma { column: String, line: u64, value: String },
    #[error("column {column:?}, line {line}: value {value:?} is not finite: replace it with a finite number or mark it missing")]
    NonFinite { column: String, line: u64, value: String },
    #[error(
        "column {column:?}, line {line}: missing value: fill it in, or impute missing values \
         (median for numeric columns, most frequent value for categorical ones)"
    )]
    Missing { column: String, line: u64 },
    #[error("the target column {column:?} has a missing label on line {line}: every row needs a class label")]
    MissingLabel { column: String, line: u64 },
    #[error("column {column:?} has no values at all: drop it")]
    AllMissing { column: String },
    #[error(
        "only one column found in {path} (delimiter {delimiter}){}",
        match likely {
            Some(d) => format!(": is the delimiter {d}?"),
            None => ": a dataset needs feature columns and a label column; name the delimiter if it is another character".into(),
        }
    )]
    OneColumn {
        path: PathBuf,
        delimiter: String,
        likely: Option<String>,
    },
    #[error("{path}: line {line}: {message}")]
    Syntax { path: PathBuf, line: u64, message: String },
    #[error(
        "cannot tell the format of {path}: use a .csv, .tsv, .dat, .arff or .parquet file name \
         (optionally compressed: .gz, .zst, .bz2), or name the format"
    )]
    UnknownFormat { path: PathBuf },
    #[error("{format} support is not built in: rebuild with `--features {feature}`")]
    FeatureDisabled {
        format: &'static str,
        feature: &'static str,
    },
    #[error("invalid dataset: {0}")]
    Invalid(String),
}

pub type Result<T, E = DataError> = std::result::Result<T, E>;
