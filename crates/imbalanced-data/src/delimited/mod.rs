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
pub(crate) use write::{header_line, write_with_copies, Copied};
pub use write::{quote_field, write_delimited};

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
/// whole is); the error is the first invalid byte's offset, as
/// `from_utf8`'s `valid_up_to`.
fn utf8_in_parallel(bytes: &[u8], pieces: usize) -> std::result::Result<&str, usize> {
    let n = pieces.max(1);
    // The first piece starts at the text's start, whatever is there.
    let mut cuts: Vec<usize> = std::iter::once(0)
        .chain((1..n).map(|i| char_start(bytes, i * bytes.len() / n)))
        .collect();
    cuts.push(bytes.len());
    cuts.dedup();
    let errors: Vec<Option<usize>> = cuts
        .par_windows(2)
        .map(|w| utf8(&bytes[w[0]..w[1]]).err().map(|at| w[0] + at))
        .collect();
    match errors.into_iter().flatten().next() {
        Some(at) => Err(at),
        // SAFETY: every piece is valid UTF-8 and each cut lies before a
        // byte that starts a character, so their concatenation, `bytes`, is.
        #[allow(unsafe_code)]
        None => Ok(unsafe { std::str::from_utf8_unchecked(bytes) }),
    }
}

/// `bytes` as text, or the offset of its first invalid byte (`from_utf8`'s
/// `valid_up_to`): `str::from_utf8`'s answer, checked with SIMD.
fn utf8(bytes: &[u8]) -> std::result::Result<&str, usize> {
    simdutf8::compat::from_utf8(bytes).map_err(|e| e.valid_up_to())
}

/// The first offset from `at` where a character starts (or the end).
fn char_start(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| b & 0xC0 == 0x80) {
        at += 1;
    }
    at
}

/// What one pass over a piece of the body finds, block by block while each
/// block is in cache: whether it is UTF-8 (else the first invalid byte's
/// offset), whether it holds a `"`, and its line breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scan {
    quotes: bool,
    newlines: u64,
}

/// Bytes per block of [`scan`]: well within a core's cache.
const SCAN_BLOCK: usize = 1 << 18;

/// [`Scan`] of `piece`, whose first byte starts a character, in blocks of
/// about `block` bytes; the error is the first invalid byte's offset.
fn scan(piece: &[u8], block: usize) -> std::result::Result<Scan, usize> {
    let mut found = Scan {
        quotes: false,
        newlines: 0,
    };
    let mut at = 0;
    while at < piece.len() {
        let end = char_start(piece, (at + block.max(1)).min(piece.len()));
        let b = &piece[at..end];
        utf8(b).map_err(|e| at + e)?;
        found.quotes |= memchr::memchr(b'"', b).is_some();
        found.newlines += memchr::memchr_iter(b'\n', b).count() as u64;
        at = end;
    }
    Ok(found)
}

/// Bytes of a file's start that are checked first, for its delimiter and
/// header (the rest is checked piece by piece with the body).
const HEAD: usize = 1 << 20;

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

/// A piece's rows, and where its records stand if they are kept.
type Part = (TableBuilder, Option<Vec<Range<usize>>>);

/// The records of `body` (cut at `starts`, as if nothing were quoted) in
/// one pass, for a read that places no value in the matrix (only labels or
/// categories are read, so rows need no room counted first): each block of
/// each piece is checked and its records parsed while it is in cache.
/// `None` where a block is not UTF-8, holds a quote or a record is wrong:
/// the general read then reads the text again and says where. Line numbers
/// here count from each piece's start: only errors would show them.
fn read_unplaced(
    body: &[u8],
    starts: &[usize],
    block: usize,
    proto: &TableBuilder,
    delimiter: u8,
    keep: bool,
    body_at: usize,
) -> Option<(TableBuilder, Vec<Range<usize>>)> {
    let parts: Vec<Option<Part>> = starts
        .par_windows(2)
        .map(|w| {
            let piece = &body[w[0]..w[1]];
            let mut rows = Rows {
                table: proto.clone(),
                delimiter,
                out: &mut [],
                next: 0,
                spans: keep.then(Vec::new),
                base: 0,
            };
            let (mut at, mut line) = (0, 1);
            while at < piece.len() {
                // Blocks end after a line break, which (with no quote before it) ends a record.
                let from = (at + block.max(1)).min(piece.len());
                let end = memchr::memchr(b'\n', &piece[from..]).map_or(piece.len(), |i| from + i + 1);
                let block = utf8(&piece[at..end]).ok()?;
                if memchr::memchr(b'"', block.as_bytes()).is_some() {
                    return None;
                }
                rows.base = body_at + w[0] + at;
                line = split::for_each_record(block, delimiter, false, line, &mut rows).ok()?;
                at = end;
            }
            Some((rows.table, rows.spans))
        })
        .collect();
    let mut table = proto.clone();
    let mut spans = Vec::new();
    for part in parts {
        let (part, part_spans) = part?;
        spans.extend(part_spans.into_iter().flatten());
        table.append(part);
    }
    Some((table, spans))
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
    read_in_chunks(bytes, path, opts, default_delimiter, Cuts::default(), None).map(|(data, _)| data)
}

/// [`read_delimited`], keeping the records as they stand where `keep` says.
pub(crate) fn read_keeping(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    default_delimiter: Option<u8>,
    keep: Keep,
) -> Result<(Dataset, Option<Kept>)> {
    read_in_chunks(bytes, path, opts, default_delimiter, Cuts::default(), Some(keep))
}

/// Where a read cuts its text: tests cut it finer than files need.
#[derive(Debug, Clone, Copy)]
struct Cuts {
    /// About how many pieces the body is cut into (default: one per MiB,
    /// at most four per thread).
    chunks: Option<usize>,
    /// Bytes of the head, checked first for the delimiter and the header.
    head: usize,
    /// Bytes of a block that one pass over a piece handles at a time.
    block: usize,
}

impl Cuts {
    /// How many pieces `len` bytes are cut into.
    fn pieces(&self, len: usize) -> usize {
        self.chunks
            .unwrap_or_else(|| (len / MIN_CHUNK).clamp(1, 4 * rayon::current_num_threads()))
    }
}

impl Default for Cuts {
    fn default() -> Self {
        Cuts {
            chunks: None,
            head: HEAD,
            block: SCAN_BLOCK,
        }
    }
}

/// [`read_delimited`], its text cut as `cuts` says.
fn read_in_chunks(
    bytes: &[u8],
    path: &Path,
    opts: &ReadOptions,
    default_delimiter: Option<u8>,
    cuts: Cuts,
    keep: Option<Keep>,
) -> Result<(Dataset, Option<Kept>)> {
    let not_utf8 = |at: usize| {
        DataError::Invalid(format!(
            "{}: not UTF-8 text (at byte {at}): save the file as UTF-8",
            path.display(),
        ))
    };
    // The head holds the delimiter's sample and the header; the body is
    // checked as it is cut into pieces. A head too short for them (lines
    // longer than it allows) falls back to checking the whole text first.
    let head_end = char_start(bytes, cuts.head.min(bytes.len()));
    let mut text = utf8(&bytes[..head_end]).map_err(not_utf8)?;
    let whole = |text: &str| text.len() == bytes.len();
    let bom = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    // The delimiter and the first record, found in `text` without its mark.
    let head_of = |text: &str| -> Result<(u8, Option<split::FirstRecord>)> {
        let head = &text[bom..];
        let delimiter = opts
            .delimiter
            .or(default_delimiter)
            .unwrap_or_else(|| dialect::detect_delimiter(head));
        Ok((delimiter, split::first_record(head, delimiter)?))
    };
    let sampled = text[bom..].lines().filter(|l| !l.trim().is_empty()).nth(20).is_some();
    let (mut delimiter, mut first) = head_of(text)?;
    // A first record that runs to the head's end may go on past it.
    let cut_short = first.as_ref().is_some_and(|f| bom + f.end >= text.len());
    if !whole(text) && (!sampled || cut_short) {
        text = utf8_in_parallel(bytes, cuts.pieces(bytes.len())).map_err(not_utf8)?;
        (delimiter, first) = head_of(text)?;
    }
    let head = &text[bom..];
    if opts.decimal_comma && delimiter == b',' {
        return Err(DataError::Invalid(
            "numbers with a decimal comma need another delimiter than ',' (e.g. ';')".into(),
        ));
    }
    let Some(first) = first else {
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
            likely: dialect::likely_delimiter(&head[first.start..first.end]).map(dialect::show),
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

    let body_at = bom + body_start;
    let body = &bytes[body_at..];
    let n = cuts.pieces(body.len());
    // Pieces cut at line breaks as if no field were quoted; one pass over
    // each checks it, looks for quotes and counts its lines.
    let mut starts = split::chunk_starts(body, delimiter, n, false);
    starts.push(body.len());
    if proto.stride() == 0 {
        // Errors are left to the general read below, which numbers their lines.
        let unplaced = read_unplaced(body, &starts, cuts.block, &proto, delimiter, keep.is_some(), body_at);
        if let Some((table, spans)) = unplaced {
            if let Ok(data) = table.finish(path, opts.impute) {
                let kept = kept_names.map(|names| Kept {
                    spans,
                    names,
                    delimiter,
                });
                return Ok((data, kept));
            }
        }
    }
    let scans: Vec<std::result::Result<Scan, usize>> = starts
        .par_windows(2)
        .map(|w| scan(&body[w[0]..w[1]], cuts.block).map_err(|at| body_at + w[0] + at))
        .collect();
    let scans = scans
        .into_iter()
        .collect::<std::result::Result<Vec<Scan>, usize>>()
        .map_err(not_utf8)?;
    // SAFETY: the body starts where the (checked) header ends, at a
    // character, and each piece of it, cut after a line break, is UTF-8.
    #[allow(unsafe_code)]
    let body = unsafe { std::str::from_utf8_unchecked(body) };
    let quotes = scans.iter().any(|s| s.quotes);
    let mut newlines: Vec<u64> = scans.iter().map(|s| s.newlines).collect();
    if quotes {
        // A line break inside a quoted field is no place to cut.
        starts = split::chunk_starts(body.as_bytes(), delimiter, n, true);
        starts.push(body.len());
        newlines = starts
            .par_windows(2)
            .map(|w| memchr::memchr_iter(b'\n', &body.as_bytes()[w[0]..w[1]]).count() as u64)
            .collect();
    }
    let pieces: Vec<&str> = starts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
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
                base: body_at + start,
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
