//! Delimited text: CSV, TSV, and semicolon- or pipe-separated files.
//!
//! Reading cuts the text into chunks of whole records (never inside a
//! quoted field, see [`split`]) that parse in parallel into column builders,
//! merged in file order: the same dataset, errors and line numbers as a
//! sequential read. Writing formats rows in parallel chunks (shortest
//! round-trip numbers) and writes them in order.
//!
//! Why not the `csv` crate here: it yields one record at a time, which
//! serialises parsing; the dialect it reads (RFC 4180 quoting, `\r\n`,
//! trimmed fields, blank lines skipped) is kept.

mod dialect;
#[cfg(test)]
mod reference_tests;
mod split;
mod write;

use std::io::Read;
use std::ops::Range;
use std::path::Path;

use rayon::prelude::*;

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::{resolve_target, target_column, ReadOptions};
use crate::table::{Declared, TableBuilder};
pub use dialect::parse_delimiter;
pub use write::{quote_field, write_delimited};
pub(crate) use write::{write_with_copies, Copied};

/// Reads CSV text (any detected delimiter) from `reader`; `path` only names
/// the source in messages. [`crate::read`] reads files by name.
pub fn read_csv<R: Read>(mut reader: R, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
    let mut bytes = Vec::new();
    reader.read_to_end(&mut bytes).map_err(|source| DataError::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    read_delimited(&bytes, path, opts, None)
}

/// Writes `ds` as comma-separated text (see [`write_delimited`]).
pub fn write_csv<W: std::io::Write + Send>(ds: &Dataset, writer: W) -> Result<()> {
    write_delimited(ds, writer, b',')
}

/// Chunks are at least this many bytes: below it, a thread costs more than it saves.
const MIN_CHUNK: usize = 1 << 20;

/// `bytes` as text, checked on the pool in about `pieces` pieces cut where a character
/// starts (never inside one, so the pieces are valid exactly when the
/// whole is), and the offset of its last `"` (if any): the same pass over
/// each piece, while it is in cache, looks for quotes. The error is the
/// first invalid byte's offset, as `from_utf8`'s `valid_up_to`. Why in
/// parallel: the first pass over a mapped file also maps its pages, which
/// one thread did for the whole file (a quarter of a one-thread read).
fn utf8_in_parallel(bytes: &[u8], pieces: usize) -> std::result::Result<(&str, Option<usize>), usize> {
    let n = pieces.max(1);
    let mut cuts: Vec<usize> = (0..n)
        .map(|i| {
            let mut at = i * bytes.len() / n;
            // The first piece starts at the text's start, whatever is there.
            while i > 0 && bytes.get(at).is_some_and(|b| b & 0xC0 == 0x80) {
                at += 1;
            }
            at
        })
        .collect();
    cuts.push(bytes.len());
    cuts.dedup();
    let checked: Vec<std::result::Result<Option<usize>, usize>> = cuts
        .par_windows(2)
        .map(|w| {
            let piece = &bytes[w[0]..w[1]];
            match std::str::from_utf8(piece) {
                Ok(_) => Ok(memchr::memrchr(b'"', piece).map(|q| w[0] + q)),
                Err(e) => Err(w[0] + e.valid_up_to()),
            }
        })
        .collect();
    let mut last_quote = None;
    for piece in checked {
        last_quote = piece?.or(last_quote);
    }
    // SAFETY: every piece is valid UTF-8 and each cut lies before a
    // byte that starts a character, so their concatenation, `bytes`, is.
    #[allow(unsafe_code)]
    Ok((unsafe { std::str::from_utf8_unchecked(bytes) }, last_quote))
}

/// Records into a table: one row each, their numbers into `out`, a part
/// of the matrix of every row with room for as many rows as the part's text
/// has lines; and, when kept, where each record stands in the file.
struct Rows<'m> {
    table: TableBuilder,
    delimiter: u8,
    out: &'m mut [f64],
    /// Rows written so far.
    next: usize,
    /// The records' byte ranges in the file, and where this part starts in it.
    spans: Option<Vec<Range<usize>>>,
    base: usize,
}

impl Rows<'_> {
    /// The next row's place in `out`, after noting where its record stands.
    fn next_row(&mut self, span: Range<usize>) -> Result<Range<usize>> {
        if let Some(spans) = &mut self.spans {
            spans.push(self.base + span.start..self.base + span.end);
        }
        let stride = self.table.stride();
        let at = self.next * stride;
        self.next += 1;
        if at + stride > self.out.len() {
            return Err(DataError::Invalid(
                "a piece of the file held more records than lines".into(),
            ));
        }
        Ok(at..at + stride)
    }
}

impl split::Records for Rows<'_> {
    fn line(&mut self, text: &str, at: usize, line: u64) -> Result<()> {
        let row = self.next_row(at..at + text.len())?;
        self.table
            .push_line_into(text, self.delimiter, line, &mut self.out[row])
            .map_err(|found| DataError::Ragged {
                line,
                expected: self.table.n_columns(),
                found,
            })
    }

    fn fields(&mut self, fields: &[&str], span: Range<usize>, line: u64) -> Result<()> {
        if fields.len() != self.table.n_columns() {
            return Err(DataError::Ragged {
                line,
                expected: self.table.n_columns(),
                found: fields.len(),
            });
        }
        let row = self.next_row(span)?;
        self.table
            .push_row_into(fields.iter().copied(), line, &mut self.out[row]);
        Ok(())
    }
}

/// When a read keeps its records as they stand ([`Kept`]): when the file's
/// delimiter is `delimiter` (the output's). Without `features`, only the
/// labels of such a file are parsed (its rows are copied, never computed on).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Keep {
    pub delimiter: u8,
    pub features: bool,
}

/// The records a read kept: their byte ranges in the file (row order, line
/// breaks left out), the file's column names and its delimiter.
pub(crate) struct Kept {
    pub spans: Vec<Range<usize>>,
    pub names: Vec<String>,
    pub delimiter: u8,
}

/// Reads delimited text. `path` only names the source in messages;
/// `default_delimiter` is the format's (tab for `.tsv`), used unless
/// `opts.delimiter` says otherwise; with neither, it is detected.
pub(crate) fn read_delimited(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    default_delimiter: Option<u8>,
) -> Result<Dataset> {
    read_in_chunks(bytes, path, opts, default_delimiter, None, None).map(|(data, _)| data)
}

/// [`read_delimited`], keeping the records as they stand where `keep` says.
pub(crate) fn read_keeping(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    default_delimiter: Option<u8>,
    keep: Keep,
) -> Result<(Dataset, Option<Kept>)> {
    read_in_chunks(bytes, path, opts, default_delimiter, None, Some(keep))
}

/// [`read_delimited`], its body cut into about `chunks` pieces (default:
/// one per MiB, at most four per thread).
fn read_in_chunks(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    default_delimiter: Option<u8>,
    chunks: Option<usize>,
    keep: Option<Keep>,
) -> Result<(Dataset, Option<Kept>)> {
    let pieces = chunks.unwrap_or_else(|| (bytes.len() / MIN_CHUNK).clamp(1, 4 * rayon::current_num_threads()));
    let (text, last_quote) = utf8_in_parallel(bytes, pieces).map_err(|at| {
        DataError::Invalid(format!(
            "{}: not UTF-8 text (at byte {at}): save the file as UTF-8",
            path.display(),
        ))
    })?;
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let text = &text[bom..];
    let delimiter = opts
        .delimiter
        .or(default_delimiter)
        .unwrap_or_else(|| dialect::detect_delimiter(text));
    if opts.decimal_comma && delimiter == b',' {
        return Err(DataError::Invalid(
            "numbers with a decimal comma need another delimiter than ',' (e.g. ';')".into(),
        ));
    }
    let Some(first) = split::first_record(text, delimiter)? else {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    };
    let (names, body_start, body_line) = if opts.no_header {
        let names = (0..first.fields.len()).map(|j| j.to_string()).collect();
        (names, first.start, first.line)
    } else {
        let names: Vec<String> = first.fields.iter().map(|n| n.trim().to_string()).collect();
        (names, first.end, first.next_line)
    };
    if names.len() == 1 && !opts.unlabelled {
        return Err(DataError::OneColumn {
            path: path.to_path_buf(),
            delimiter: dialect::show(delimiter),
            likely: dialect::likely_delimiter(&text[first.start..first.end]).map(dialect::show),
        });
    }
    let target = target_column(&names, opts.target.as_deref(), opts)?;
    let mut declared = vec![Declared::Infer; names.len()];
    for c in &opts.categorical {
        declared[resolve_target(&names, Some(c))?] = Declared::Categorical(None);
    }
    crate::table::select_columns(&names, target, &mut declared, opts)?;
    let keep = keep.filter(|k| k.delimiter == delimiter);
    if keep.is_some_and(|k| !k.features) {
        for (j, d) in declared.iter_mut().enumerate() {
            if Some(j) != target {
                *d = Declared::Dropped;
            }
        }
    }
    let kept_names = keep.map(|_| names.clone());
    let mut proto = TableBuilder::new(names, target, declared)?;
    proto.set_decimal_comma(opts.decimal_comma);

    let body = &text[body_start..];
    let n = chunks.unwrap_or_else(|| (body.len() / MIN_CHUNK).clamp(1, 4 * rayon::current_num_threads()));
    let quotes = last_quote.is_some_and(|q| q >= bom + body_start);
    let mut starts = split::chunk_starts(body.as_bytes(), delimiter, n, quotes);
    starts.push(body.len());
    let pieces: Vec<&str> = starts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let newlines: Vec<u64> = pieces
        .par_iter()
        .map(|p| memchr::memchr_iter(b'\n', p.as_bytes()).count() as u64)
        .collect();
    let first_lines: Vec<u64> = newlines
        .iter()
        .scan(body_line, |line, n| {
            let first = *line;
            *line += n;
            Some(first)
        })
        .collect();
    // Every piece parses into its part of one matrix, with room for a row
    // per line (a record is at least one line): no buffers per piece to
    // copy from, the matrix only closed up where blank lines or quoted line
    // breaks left room unused.
    let stride = proto.stride();
    let room: Vec<usize> = pieces
        .iter()
        .zip(&newlines)
        .map(|(p, &lines)| lines as usize + usize::from(!p.ends_with('\n')))
        .collect();
    let mut matrix = vec![0.0; room.iter().sum::<usize>() * stride];
    let mut outs = Vec::with_capacity(pieces.len());
    let mut rest = matrix.as_mut_slice();
    for &r in &room {
        let (out, tail) = rest.split_at_mut(r * stride);
        outs.push(out);
        rest = tail;
    }
    // Each piece's rows, and where its records stand if they are kept.
    type Part = (TableBuilder, Option<Vec<Range<usize>>>);
    let parts: Vec<Result<Part>> = pieces
        .par_iter()
        .zip(first_lines)
        .zip(outs)
        .zip(&starts)
        .map(|(((piece, line), out), &start)| {
            let mut rows = Rows {
                table: proto.clone(),
                delimiter,
                out,
                next: 0,
                spans: keep.map(|_| Vec::new()),
                base: bom + body_start + start,
            };
            split::for_each_record(piece, delimiter, quotes, line, &mut rows)?;
            Ok((rows.table, rows.spans))
        })
        .collect();
    let mut table = proto;
    let mut spans = Vec::new();
    let (mut from, mut filled) = (0, 0);
    for (part, r) in parts.into_iter().zip(room) {
        let (part, part_spans) = part?;
        spans.extend(part_spans.into_iter().flatten());
        let rows = part.n_rows();
        if from != filled {
            matrix.copy_within(from * stride..(from + rows) * stride, filled * stride);
        }
        (from, filled) = (from + r, filled + rows);
        table.append(part);
    }
    matrix.truncate(filled * stride);
    table.set_values(matrix);
    let data = table.finish(path, opts.impute)?;
    let kept = kept_names.map(|names| Kept {
        spans,
        names,
        delimiter,
    });
    Ok((data, kept))
}
