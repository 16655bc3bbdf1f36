//! Rows written back as they were read: a command whose output rows are
//! mostly rows of its input (a sampler's) copies their records from the
//! input file instead of formatting their values again, and a sampler that
//! only picks rows needs only the labels parsed.
//!
//! The copied text reads back to the values it was read as (the reader
//! parsed it), so the output holds the same dataset as one formatted
//! whole; its bytes keep the input's way of writing each value (`1.50`,
//! a quoted field, a missing value's token).

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::dataset::Dataset;
use crate::delimited::{header_line, read_keeping, write_with_copies, Copied, Keep, Kept};
use crate::error::{DataError, Result};
use crate::io::{input_format, output_format, parse, write, Format, PendingFile, ReadOptions};
use crate::source::{is_stdio, read_bytes, write_output, Bytes, Compression};

/// An input file's records as they stand, kept by [`read_rows`] for
/// [`write_rows`]: the file's bytes, where each row's record stands in
/// them, its column names and delimiter.
pub struct Passthrough {
    bytes: Arc<Bytes>,
    kept: Kept,
}

impl Passthrough {
    /// The records kept: one per row of the dataset read.
    pub fn n_records(&self) -> usize {
        self.kept.spans.len()
    }

    /// Begins `out` with the input's header and every record, in order, on
    /// a thread of its own, for a command whose output rows will start with
    /// every input row in order (an over-sampler's: see
    /// `Resampler::output_starts_with_input`): the system copies that text
    /// while the rows after it are computed, and [`write_rows`] writes only
    /// those. `None` where [`write_rows`] would not copy records to `out`
    /// (another delimiter, a compressed file or standard output), or the
    /// records do not follow one another in the text as the output writes
    /// them (a BOM, blank lines, `\r\n` line ends, no final line end).
    pub fn begin_output(&self, out: &Path) -> Option<BegunOutput> {
        let plain = !is_stdio(out) && Compression::from_path(out) == Compression::None;
        if !plain || output_delimiter(out) != Some(self.kept.delimiter) || self.kept.spans.is_empty() {
            return None;
        }
        let len = self.text_of_records()?;
        let (pending, mut file) = PendingFile::create(out).ok()?;
        let bytes = Arc::clone(&self.bytes);
        let copying = std::thread::spawn(move || file.write_all(&bytes[..len]).map(|()| file));
        Some(BegunOutput {
            copying: Copying(Some(copying)),
            pending,
            out: out.to_path_buf(),
            records: self.n_records(),
        })
    }

    /// The length of the text that is the header and every record, each
    /// ended by `\n`, as the output writes them: `None` where the input's
    /// text is not that from its start.
    fn text_of_records(&self) -> Option<usize> {
        let (text, spans) = (&self.bytes[..], &self.kept.spans);
        let header = header_line(self.kept.names.iter().map(String::as_str), self.kept.delimiter);
        let mut at = header.len();
        if !text.starts_with(header.as_bytes()) {
            return None;
        }
        for span in spans {
            if span.start != at || text.get(span.end) != Some(&b'\n') {
                return None;
            }
            at = span.end + 1;
        }
        Some(at)
    }
}

/// An output file begun with its input's records ([`Passthrough::begin_output`]),
/// under a temporary name until [`write_rows`] ends it; given up (its file
/// removed) where dropped or not used.
pub struct BegunOutput {
    // Dropped first: a copy still running is waited for before its file is removed.
    copying: Copying,
    pending: PendingFile,
    out: PathBuf,
    records: usize,
}

/// The thread that copies the records, joined when dropped.
struct Copying(Option<JoinHandle<std::io::Result<File>>>);

impl Drop for Copying {
    fn drop(&mut self) {
        if let Some(h) = self.0.take() {
            let _ = h.join();
        }
    }
}

impl BegunOutput {
    /// Whether this output serves writing `origin` to `out`: the same file,
    /// and output rows that start with every record, in order.
    fn serves(&self, origin: &[Option<usize>], out: &Path) -> bool {
        self.out == out
            && origin.len() >= self.records
            && origin[..self.records].iter().enumerate().all(|(i, &o)| o == Some(i))
    }

    /// Writes the rows after the records, then renames the file into place.
    fn finish(mut self, copied: Copied<'_>, ds: &Dataset, delimiter: u8) -> Result<()> {
        let copying = self.copying.0.take().expect("joined only here or when dropped");
        let failed = || DataError::Invalid("the thread copying the input's records failed".into());
        let file = copying.join().map_err(|_| failed())?.map_err(|source| DataError::Io {
            action: "write",
            path: self.out.clone(),
            source,
        })?;
        let records = self.records;
        self.pending
            .finish(file, |w| write_with_copies(ds, Some(copied), w, delimiter, records))
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
    Ok((
        data,
        kept.map(|kept| Passthrough {
            bytes: Arc::new(bytes),
            kept,
        }),
    ))
}

/// Writes `ds` to `out` as [`crate::write`] does, except that with the
/// `passthrough` of its input, each row whose `origin` is an input row
/// (`Some(i)`: record `i`) is that record copied as it stands. Without a
/// passthrough, `origin` is not used. An output `begun` with the records
/// ([`Passthrough::begin_output`]) is ended with the rows after them where
/// `origin` starts with every record in order, and given up otherwise.
pub fn write_rows(
    ds: &Dataset,
    origin: &[Option<usize>],
    passthrough: Option<&Passthrough>,
    begun: Option<BegunOutput>,
    out: impl AsRef<Path>,
) -> Result<()> {
    let out = out.as_ref();
    let Some(p) = passthrough else {
        return write(ds, out);
    };
    // An output not served is given up here, before the same file is begun again.
    if let Some(begun) = begun.filter(|b| b.serves(origin, out)) {
        let copied = Copied {
            text: &p.bytes,
            kept: &p.kept,
            origin,
        };
        return begun.finish(copied, ds, p.kept.delimiter);
    }
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
    write_output(out, |w| write_with_copies(ds, Some(copied), w, p.kept.delimiter, 0))
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
    use proptest::prelude::*;

    use super::*;

    /// The files in `dir`, sorted.
    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// `data`'s rows, then `extra` new rows of class 0 with values from `next`.
    fn over_sampled(data: &Dataset, extra: usize, next: &mut impl FnMut() -> f64) -> Dataset {
        let (n, d) = data.numeric().dim();
        let new = ndarray::Array2::from_shape_fn((extra, d), |_| next());
        let x = ndarray::concatenate![ndarray::Axis(0), data.numeric().view(), new.view()];
        let y = data.y().iter().copied().chain(std::iter::repeat_n(0, extra)).collect();
        data.with_rows(x, ndarray::Array2::zeros((n + extra, 0)), y).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// An output begun with the input's records and ended by write_rows
        /// is the file write_rows writes alone, whatever rows follow; one
        /// whose rows do not start with the records is given up, and the
        /// file is the same again. No temporary file is left.
        #[test]
        fn a_begun_output_ends_as_the_output_written_whole(
            n in 1usize..9_000,
            extra in 0usize..5_000,
            seed in any::<u64>(),
            reorder in 0u8..3,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let input = dir.path().join("in.csv");
            let mut state = seed | 1;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                (state >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 100.0
            };
            let mut text = String::from("a,b,y\n");
            for i in 0..n {
                // Values written as a formatter would not write them: the copies show.
                text.push_str(&format!("{:.3},{:e},{}\n", next(), next(), i % 3));
            }
            std::fs::write(&input, &text).unwrap();
            let (whole, begun_path) = (dir.path().join("whole.csv"), dir.path().join("begun.csv"));
            let (data, kept) = read_rows(&input, &ReadOptions::default(), &whole, true).unwrap();
            let kept = kept.unwrap();
            let out = over_sampled(&data, extra, &mut next);
            let mut origin: Vec<Option<usize>> = (0..n + extra).map(|r| (r < n).then_some(r)).collect();
            // The records out of order, or a new row first.
            match reorder {
                1 => origin.swap(0, n - 1),
                2 => origin.swap(0, n + extra - 1),
                _ => {}
            }
            let begun = kept.begin_output(&begun_path);
            prop_assert!(begun.is_some());
            write_rows(&out, &origin, Some(&kept), None, &whole).unwrap();
            write_rows(&out, &origin, Some(&kept), begun, &begun_path).unwrap();
            prop_assert_eq!(std::fs::read(&begun_path).unwrap(), std::fs::read(&whole).unwrap());
            prop_assert_eq!(files(dir.path()), ["begun.csv", "in.csv", "whole.csv"]);
        }
    }

    #[test]
    fn only_text_that_is_its_header_and_records_in_order_begins_an_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out.csv");
        // Read for `out`, begun for `target`.
        let begins = |text: &str, target: &Path| {
            let input = dir.path().join("in.csv");
            std::fs::write(&input, text).unwrap();
            let (_, kept) = read_rows(&input, &ReadOptions::default(), &out, true).unwrap();
            kept.expect("records kept").begin_output(target).is_some()
        };
        assert!(begins("a,b,y\n1,2,0\n3,4,1\n", &out));
        for text in [
            "a,b,y\r\n1,2,0\r\n3,4,1\r\n",
            "\u{feff}a,b,y\n1,2,0\n3,4,1\n",
            "a,b,y\n1,2,0\n3,4,1",
            "a,b,y\n1,2,0\n\n3,4,1\n",
            "\"a\",b,y\n1,2,0\n3,4,1\n",
        ] {
            assert!(!begins(text, &out), "{text:?}");
        }
        for other in ["out.csv.gz", "out.tsv", "-"] {
            assert!(!begins("a,b,y\n1,2,0\n3,4,1\n", &dir.path().join(other)), "{other}");
        }
        // Nothing was left behind by the outputs begun and dropped.
        assert_eq!(files(dir.path()), ["in.csv"]);
    }

    #[test]
    fn a_begun_output_for_another_file_is_given_up() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.csv");
        std::fs::write(&input, "a,y\n1.50,0\n2,1\n").unwrap();
        let (first, second) = (dir.path().join("first.csv"), dir.path().join("second.csv"));
        let (data, kept) = read_rows(&input, &ReadOptions::default(), &first, true).unwrap();
        let kept = kept.unwrap();
        let begun = kept.begin_output(&first);
        write_rows(&data, &[Some(0), Some(1)], Some(&kept), begun, &second).unwrap();
        assert_eq!(std::fs::read_to_string(&second).unwrap(), "a,y\n1.50,0\n2,1\n");
        assert_eq!(files(dir.path()), ["in.csv", "second.csv"]);
    }

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
        write_rows(&three, &origin, Some(&kept), None, &csv).unwrap();
        assert_eq!(
            std::fs::read_to_string(&csv).unwrap(),
            "a,b,y\n1.0,,0\n0.50,x,1\n1.0,,0\n"
        );
        // Another output would need the other columns: refused, nothing written.
        let err = write_rows(&three, &origin, Some(&kept), None, &tsv)
            .unwrap_err()
            .to_string();
        assert!(err.contains("read for its labels alone"), "{err}");
        assert!(!tsv.exists());
        // Another format is read whole, with no records kept.
        let (data, kept) = read_rows(&input, &ReadOptions { impute: true, ..opts }, &csv, false).unwrap();
        assert!(kept.is_none() && data.features().len() == 2);
    }
}
