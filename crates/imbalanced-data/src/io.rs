//! Reading and writing datasets by file name, in any supported format.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::dataset::Dataset;
use crate::delimited::{read_delimited, write_delimited};
use crate::error::{DataError, Result};
use crate::keel::{read_keel, write_keel, Dialect};
use crate::source::{is_stdio, read_bytes, uncompressed_name, write_output, Bytes};

/// File formats, chosen from the file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `.csv`: a header line, then delimited values (the delimiter is
    /// detected when reading: comma, tab, semicolon or pipe).
    Csv,
    /// `.tsv`: CSV with tabs.
    Tsv,
    /// `.dat`: KEEL's ARFF-like format with `@inputs`/`@outputs`.
    Keel,
    /// `.arff`: Weka's attribute-relation file format.
    Arff,
    /// `.parquet` (cargo feature `parquet`).
    Parquet,
}

impl Format {
    /// The format a file name's extension names, after any compression
    /// extension (`data.csv.gz` is CSV).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = uncompressed_name(path)
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "tsv" | "tab" => Ok(Format::Tsv),
            "dat" => Ok(Format::Keel),
            "arff" => Ok(Format::Arff),
            "parquet" | "pq" => Ok(Format::Parquet),
            _ => Err(DataError::UnknownFormat {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The format of data that starts with `head`: Parquet's magic number,
    /// a KEEL/ARFF header, else delimited text (standard input's default).
    pub fn sniff(head: &[u8]) -> Format {
        let text = String::from_utf8_lossy(&head[..head.len().min(4096)]).to_ascii_lowercase();
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('%'));
        if head.starts_with(b"PAR1") {
            Format::Parquet
        } else if first.is_some_and(|l| l.starts_with("@relation")) {
            Format::Keel
        } else {
            Format::Csv
        }
    }

    /// The format `path` names, or for standard input (`-`) what `head`
    /// (its first bytes) looks like.
    fn of_input(path: &Path, head: &[u8]) -> Result<Format> {
        if is_stdio(path) {
            Ok(Format::sniff(head))
        } else {
            Format::from_path(path)
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
    /// The delimiter of CSV text. Default: tab for `.tsv`, else detected
    /// (comma, tab, semicolon or pipe: the one that splits the first lines
    /// into the same number of fields).
    pub delimiter: Option<u8>,
    /// Numbers in CSV text have a decimal comma (`1,5`); the delimiter must
    /// then be another character. Default: `false` (a decimal point).
    pub decimal_comma: bool,
    /// CSV text without a header line: the columns are named `0`, `1`, ...
    /// (pandas' `header=None`). Default: `false`.
    pub no_header: bool,
    /// Columns to leave out, by name or glob (`*`, `?`): identifiers, leaks.
    /// Default: none.
    pub drop: Vec<String>,
    /// Only these columns (names or globs) and the target. Default: all.
    pub keep: Vec<String>,
}

/// Reads a dataset from `path` (`-`: standard input), in the format its
/// extension names (standard input: what its first bytes look like);
/// gzip, zstd and bzip2 files are decompressed first.
pub fn read(path: impl AsRef<Path>, opts: &ReadOptions) -> Result<Dataset> {
    let path = path.as_ref();
    parse(read_bytes(path)?, path, opts)
}

/// A dataset from the (uncompressed) content `bytes` of the file `path`,
/// whose extension names the format (`-`: what the bytes look like).
pub(crate) fn parse(bytes: Bytes, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
    match input_format(&bytes, path, opts)? {
        Format::Csv => read_delimited(&bytes, path, opts, None),
        Format::Tsv => read_delimited(&bytes, path, opts, Some(b'\t')),
        Format::Keel | Format::Arff => read_keel(&bytes[..], path, opts),
        // The bytes themselves: a mapped file goes to the Parquet reader as it is.
        Format::Parquet => crate::parquet_io::read_parquet(bytes, path, opts),
    }
}

/// The format of the content `bytes` of the file `path` (see [`parse`]);
/// text that is all white space is an empty file.
pub(crate) fn input_format(bytes: &[u8], path: &Path, opts: &ReadOptions) -> Result<Format> {
    let format = match opts.format {
        Some(f) => f,
        None => Format::of_input(path, bytes)?,
    };
    if format != Format::Parquet && bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(format)
}

/// The format [`write`] writes to `path` (`-`: CSV).
pub(crate) fn output_format(path: &Path) -> Result<Format> {
    if is_stdio(path) {
        Ok(Format::Csv)
    } else {
        Format::from_path(path)
    }
}

/// Writes `ds` to `path` in the format its extension names, compressed
/// when it ends in `.gz`, `.zst` or `.bz2`; `-` writes CSV to standard
/// output.
///
/// A file appears whole or not at all: the data goes to a temporary file
/// in the same folder, which is renamed over `path` once complete.
pub fn write(ds: &Dataset, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let format = output_format(path)?;
    let relation = uncompressed_name(path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("data")
        .to_string();
    write_output(path, |w| match format {
        Format::Csv => write_delimited(ds, w, b','),
        Format::Tsv => write_delimited(ds, w, b'\t'),
        Format::Keel => write_keel(ds, &relation, Dialect::Keel, w),
        Format::Arff => write_keel(ds, &relation, Dialect::Arff, w),
        Format::Parquet => crate::parquet_io::write_parquet(ds, w),
    })
}

/// Runs `body` on a temporary file beside `path`, then renames it to `path`;
/// on any error the temporary file is removed and `path` is left untouched.
pub fn write_atomic(path: &Path, body: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
    let (pending, file) = PendingFile::create(path)?;
    pending.finish(file, body)
}

/// A file being written under a temporary name beside `path`: renamed to
/// `path` by [`PendingFile::finish`], removed if dropped before.
pub(crate) struct PendingFile {
    /// `None` once renamed.
    tmp: Option<PathBuf>,
    path: PathBuf,
}

impl PendingFile {
    pub(crate) fn create(path: &Path) -> Result<(PendingFile, File)> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(|e| write_error(path, "create", e))?;
        let pending = PendingFile {
            tmp: Some(tmp),
            path: path.to_path_buf(),
        };
        Ok((pending, file))
    }

    /// Runs `body` on `file` (this one's, written up to where it stands),
    /// then renames it into place.
    pub(crate) fn finish(mut self, file: File, body: impl FnOnce(&mut BufWriter<File>) -> Result<()>) -> Result<()> {
        let mut w = BufWriter::new(file);
        body(&mut w).and_then(|()| w.flush().map_err(|e| write_error(&self.path, "write", e)))?;
        drop(w);
        let tmp = self.tmp.as_ref().expect("renamed only here");
        std::fs::rename(tmp, &self.path).map_err(|e| write_error(&self.path, "write", e))?;
        self.tmp = None;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(tmp) = &self.tmp {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

fn write_error(path: &Path, action: &'static str, source: std::io::Error) -> DataError {
    DataError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
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

/// Shortest text that reads back as the same `f64` (negative zero
/// included); integers without a fractional part, so unchanged integer
/// columns keep their look.
pub fn format_number(v: f64) -> String {
    if v == 0.0 && v.is_sign_negative() {
        "-0".to_string()
    } else if v == v.trunc() && v.abs() < 1e15 {
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
        for v in [
            0.0,
            -0.0,
            1.0,
            -3.0,
            0.1,
            1.0 / 3.0,
            1e-300,
            6.02e23,
            -2.5e-7,
            123456.789,
        ] {
            assert_eq!(format_number(v).parse::<f64>().unwrap().to_bits(), v.to_bits(), "{v}");
        }
        assert_eq!(format_number(2.0), "2");
        assert_eq!(format_number(-0.0), "-0");
        assert_eq!(format_number(0.0), "0");
    }
}
