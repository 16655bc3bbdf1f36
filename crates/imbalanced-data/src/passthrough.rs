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
use crate::error::Result;
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
    let Some(p) = passthrough.filter(|p| output_delimiter(out) == Some(p.kept.delimiter)) else {
        return write(ds, out);
    };
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
