//! Rows written back as they were read: a command whose output rows are
//! mostly rows of its input (a sampler's) copies their records from the
//! input file instead of formatting their values again, and a sampler that
//! only picks rows needs only the labels parsed.
//!
//! The copied text reads back to the values it was read as (the reader
//! parsed it), so the output holds the same dataset as one formatted
//! whole; its bytes keep the input's way of writing each value (`1.50`,
//! a quoted field, a missing value's token).

use std::path::Path;

use crate::dataset::Dataset;
use crate::delimited::{read_keeping, write_with_copies, Copied, Keep, Kept};
use crate::error::{DataError, Result};
use crate::io::{input_format, output_format, parse, write, Format, ReadOptions};
use crate::source::{read_bytes, write_output, Bytes};

/// An input file's records as they stand, kept by [`read_rows`] for
/// [`write_rows`]: the file's bytes, where each row's record stands in
/// them, its column names and delimiter.
pub struct Passthrough {
    bytes: Bytes,
    kept: Kept,
}

impl Passthrough {
    /// The records kept: one per row of the dataset read.
    pub fn n_records(&self) -> usize {
        self.kept.spans.len()
    }
}

/// Reads `path` as [`crate::read`] does, for a command that writes rows of
/// it to `out`. Where `out` is delimited text with the input's delimiter
/// and the read changes no value (no `drop`, `keep`, `impute` or
/// `decimal_comma`), the records are kept as they stand, and [`write_rows`]
/// copies the output rows that are input rows.
///
/// `features: false` is for a command that never computes on the feature
/// values (a sampler that only picks rows, as imbalanced-learn's
/// RandomUnderSampler): where the records are kept, only the labels are
/// parsed, and the dataset has no feature columns; its feature values are
/// then neither read nor checked (imbalanced-learn accepts any values there
/// too). Elsewhere every column is read.
pub fn read_rows(
    path: impl AsRef<Path>,
    opts: &ReadOptions,
    out: impl AsRef<Path>,
    features: bool,
) -> Result<(Dataset, Option<Passthrough>)> {
    let path = path.as_ref();
    let bytes = read_bytes(path)?;
    let delimiter = output_delimiter(out.as_ref());
    let unchanged = opts.drop.is_empty() && opts.keep.is_empty() && !opts.impute && !opts.decimal_comma;
    let default_delimiter = match input_format(&bytes, path, opts)? {
        Format::Csv => None,
        Format::Tsv => Some(b'\t'),
        _ => return Ok((parse(bytes, path, opts)?, None)),
    };
    let (Some(delimiter), true, false) = (delimiter, unchanged, opts.unlabelled) else {
        return Ok((parse(bytes, path, opts)?, None));
    };
    let (data, kept) = read_keeping(&bytes, path, opts, default_delimiter, Keep { delimiter, features })?;
    Ok((data, kept.map(|kept| Passthrough { bytes, kept })))
}

/// Writes `ds` to `out` as [`crate::write`] does, except that with the
/// `passthrough` of its input, each row whose `origin` is an input row
/// (`Some(i)`: record `i`) is that record copied as it stands. Without a
/// passthrough, `origin` is not used.
pub fn write_rows(
    ds: &Dataset,
    origin: &[Option<usize>],
    passthrough: Option<&Passthrough>,
    out: impl AsRef<Path>,
) -> Result<()> {
    let out = out.as_ref();
    let Some(p) = passthrough else {
        return write(ds, out);
    };
    if output_delimiter(out) != Some(p.kept.delimiter) {
        // Another output than the one the input was read for: every value
        // is written, which a dataset read for its labels alone lacks.
        let columns = ds.features().len() + usize::from(ds.is_labelled());
        if columns != p.kept.names.len() {
            return Err(DataError::Invalid(format!(
                "{}: the input was read for its labels alone, for text with its delimiter; \
                 read it with read_rows for this output to write its other columns",
                out.display()
            )));
        }
        return write(ds, out);
    }
    let copied = Copied {
        text: &p.bytes,
        kept: &p.kept,
        origin,
    };
    write_output(out, |w| write_with_copies(ds, Some(copied), w, p.kept.delimiter))
}

/// The delimiter of the text [`write`] writes to `out`, if it writes text.
fn output_delimiter(out: &Path) -> Option<u8> {
    match output_format(out) {
        Ok(Format::Csv) => Some(b','),
        Ok(Format::Tsv) => Some(b'\t'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_for_their_labels_alone_go_only_to_the_output_they_were_read_for() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "a,b,y\n0.50,x,1\n1.0,,0\n").unwrap();
        let (csv, tsv) = (dir.path().join("out.csv"), dir.path().join("out.tsv"));
        let opts = ReadOptions::default();
        // Labels alone: no feature is read, so the odd values pass.
        let (data, kept) = read_rows(&input, &opts, &csv, false).unwrap();
        assert!(data.features().is_empty());
        let kept = kept.expect("text with the input's delimiter keeps the records");
        assert_eq!(kept.n_records(), 2);
        let origin = [Some(1), Some(0), Some(1)];
        let three = data.with_rows(
            ndarray::Array2::zeros((3, 0)),
            ndarray::Array2::zeros((3, 0)),
            vec![0, 1, 0],
        );
        let three = three.unwrap();
        write_rows(&three, &origin, Some(&kept), &csv).unwrap();
        assert_eq!(
            std::fs::read_to_string(&csv).unwrap(),
            "a,b,y\n1.0,,0\n0.50,x,1\n1.0,,0\n"
        );
        // Another output would need the other columns: refused, nothing written.
        let err = write_rows(&three, &origin, Some(&kept), &tsv).unwrap_err().to_string();
        assert!(err.contains("read for its labels alone"), "{err}");
        assert!(!tsv.exists());
        // Another format is read whole, with no records kept.
        let (data, kept) = read_rows(&input, &ReadOptions { impute: true, ..opts }, &csv, false).unwrap();
        assert!(kept.is_none() && data.features().len() == 2);
    }
}
