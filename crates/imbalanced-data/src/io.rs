//! Reading and writing datasets by file name, in any supported format.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::csv_io::{read_csv, write_csv};
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::keel::{read_keel, write_keel, Dialect};

/// File formats, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: a header line, comma-separated values.
    Csv,
    /// `.dat`: KEEL's ARFF-like format with `@inputs`/`@outputs`.
    Keel,
    /// `.arff`: Weka's attribute-relation file format.
    Arff,
    /// `.parquet` (cargo feature `parquet`).
    Parquet,
}

impl Format {
    /// The format a file name's extension names.
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" => Ok(Format::Csv),
            "dat" => Ok(Format::Keel),
            "arff" => Ok(Format::Arff),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(DataError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }
}

/// Options of [`read`].
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// The label column; default: KEEL's `@outputs` attribute, else the last column.
    pub target: Option<String>,
    /// Columns to treat as categorical even if their values look numeric.
    /// Default: none (a column is categorical when none of its values is a number).
    pub categorical: Vec<String>,
    /// Fill missing feature values (median for numeric columns, most frequent
    /// value for categorical ones) instead of failing. Default: `false`.
    pub impute: bool,
    /// Override the format the extension implies. Default: from the extension.
    pub format: Option<Format>,
    /// Unlabelled data: every column is a feature and `target` is ignored.
    /// The dataset then has an empty target name and one placeholder class
    /// `""` for every row ([`Dataset::is_labelled`] is `false`). Default: `false`.
    pub unlabelled: bool,
}

/// Reads a dataset from `path`, in the format its extension names.
pub fn read(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Dataset> {
    let path = path.as_ref();
    let format = match opts.format {
        Some(f) => f,
        None => Format::from_path(path)?,
    };
    let file = File::open(path).map_err(|source| DataError::Io {
        action: "open",
        path: path.to_path_buf(),
        source,
    })?;
    if file.metadata().map(|m| m.len() == 0).unwrap_or(false) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    let reader = BufReader::new(file);
    match format {
        Format::Csv => read_csv(reader, path, opts),
        Format::Keel | Format::Arff => read_keel(reader, path, opts),
        Format::Parquet => crate::parquet_io::read_parquet(path, opts),
    }
}

/// Writes `ds` to `path` in the format its extension names.
///
/// The file appears whole or not at all: the data goes to a temporary file
/// in the same folder, which is renamed over `path` once complete.
pub fn write(ds: &Dataset, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let format = Format::from_path(path)?;
    let relation = path.file_stem().and_then(|s| s.to_str()).unwrap_or("data").to_string();
    write_atomic(path, |w| match format {
        Format::Csv => write_csv(ds, w),
        Format::Keel => write_keel(ds, &relation, Dialect::Keel, w),
        Format::Arff => write_keel(ds, &relation, Dialect::Arff, w),
        Format::Parquet => crate::parquet_io::write_parquet(ds, w),
    })
}

/// Runs `body` on a temporary file beside `path`, then renames it to `path`;
/// on any error the temporary file is removed and `path` is left untouched.
pub fn write_atomic(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let io_err = |action, source| DataError::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(&tmp).map_err(|e| io_err("create", e))?;
    let mut w = BufWriter::new(file);
    let result = body(&mut w).and_then(|()| w.flush().map_err(|e| io_err("write", e)));
    drop(w);
    let result = result.and_then(|()| std::fs::rename(&tmp, path).map_err(|e| io_err("write", e)));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Writes `text` to `path` atomically (a model file, a report): a failed
/// write leaves no partial file.
pub fn write_text(path: &Path, text: &str) -> Result<()> {
    write_atomic(path, |w| {
        w.write_all(text.as_bytes()).map_err(|source| DataError::Io {
            action: "write",
            path: path.to_path_buf(),
            source,
        })
    })
}

/// Index of the label column: `None` for unlabelled data, else the column
/// named `name`, or the last column when `name` is `None`.
pub(crate) fn target_column(names: &[String], name: Option<&str>, opts: &ReadOptions) -> Result<Option<usize>> {
    if opts.unlabelled {
        Ok(None)
    } else {
        resolve_target(names, name).map(Some)
    }
}

/// Index of the column named `name`, or of the last column when `None`.
pub(crate) fn resolve_target(names: &[String], name: Option<&str>) -> Result<usize> {
    match name {
        None => Ok(names.len() - 1),
        Some(n) => names
            .iter()
            .position(|c| c == n)
            .ok_or_else(|| DataError::UnknownColumn {
                name: n.to_string(),
                available: names.join(", "),
            }),
    }
}

/// Shortest text that reads back as the same `f64`; integers without a
/// fractional part, so unchanged integer columns keep their look.
pub fn format_number(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else if v.abs() >= 1e-5 && v.abs() < 1e15 {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip() {
        for v in [0.0, 1.0, -3.0, 0.1, 1.0 / 3.0, 1e-300, 6.02e23, -2.5e-7, 123456.789] {
            assert_eq!(format_number(v).parse::<f64>().unwrap(), v, "{v}");
        }
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(-0.0), "0");
    }
}
