//! Writing delimited text: rows formatted in parallel chunks, in order.

use std::io::Write;

use crate::dataset::{Dataset, FeatureKind};
use crate::error::{DataError, Result};
use crate::io::format_number;

use super::Kept;

/// Rows formatted by one task.
const CHUNK_ROWS: usize = 4096;

/// `s` as a field: quoted (with `"` doubled) when it holds the delimiter,
/// a quote or a line break, as the `csv` crate's `QuoteStyle::Necessary`.
pub fn quote_field(s: &str, delimiter: u8) -> String {
    if s.bytes()
        .any(|b| b == delimiter || b == b'"' || b == b'\n' || b == b'\r')
    {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Appends `v` as [`format_number`] lays it out (shortest round-trip
/// digits; integers plain, `1e-5 <= |v| < 1e15` in positional notation,
/// others as `1.5e-7`), without its allocation: the digits come from the
/// Żmij algorithm (`zmij`, several times faster than `Display` for `f64`).
/// Where the exact value lies halfway between two shortest candidates,
/// Żmij takes the even digit (as Python's `repr`) and `Display` may not;
/// both read back to the same bits.
#[inline]
pub(crate) fn push_number(out: &mut Vec<u8>, v: f64) {
    let a = v.abs();
    // `v == v.trunc()` without a call to libm's trunc (no SSE4.1 in the baseline target).
    if a < 1e15 && (v as i64) as f64 == v {
        if v == 0.0 && v.is_sign_negative() {
            out.extend_from_slice(b"-0");
        } else {
            out.extend_from_slice(itoa::Buffer::new().format(v as i64).as_bytes());
        }
        return;
    }
    if !v.is_finite() {
        out.extend_from_slice(format_number(v).as_bytes());
        return;
    }
    let mut buffer = zmij::Buffer::new();
    let s = buffer.format_finite(v);
    let positional = (1e-5..1e15).contains(&a);
    // zmij writes this range positionally, as Display does (the check keeps that true).
    if positional && !has_exponent(s.as_bytes()) {
        out.extend_from_slice(s.as_bytes());
        return;
    }
    lay_out(out, s, positional);
}

/// Whether zmij's `s` ends in an exponent: at most its last five bytes ("e-308").
#[inline]
fn has_exponent(s: &[u8]) -> bool {
    // Four fixed places rather than `contains`, which is a call to memchr per number.
    (2..=5).any(|k| s.len() >= k && s[s.len() - k] == b'e')
}

/// Appends zmij's digits `s` (non-zero) laid out as [`push_number`] says:
/// positionally, or as `1.5e-7`.
#[cold]
fn lay_out(out: &mut Vec<u8>, s: &str, positional: bool) {
    // Digits without leading or trailing zeros, and the position of the
    // decimal point relative to their start.
    let (sign, s) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (mantissa, exp) = s
        .split_once('e')
        .map_or((s, 0), |(m, e)| (m, e.parse::<i64>().unwrap_or(0)));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let all: String = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    let point = int.len() as i64 + exp - lead as i64;
    out.extend_from_slice(sign.as_bytes());
    if positional {
        if point <= 0 {
            out.extend_from_slice(b"0.");
            out.extend(std::iter::repeat_n(b'0', (-point) as usize));
            out.extend_from_slice(digits.as_bytes());
        } else {
            let p = point as usize;
            out.extend_from_slice(&digits.as_bytes()[..p]);
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[p..]);
        }
    } else {
        out.push(digits.as_bytes()[0]);
        if digits.len() > 1 {
            out.push(b'.');
            out.extend_from_slice(&digits.as_bytes()[1..]);
        }
        out.push(b'e');
        out.extend_from_slice(itoa::Buffer::new().format(point - 1).as_bytes());
    }
}

/// That `c` fits `ds` (written with `width` columns): an origin per row,
/// each an input record, and every row to format having every column of
/// the input (a dataset read for its labels alone has none to format).
fn check_copied(c: &Copied<'_>, ds: &Dataset, width: usize) -> Result<()> {
    if c.origin.len() != ds.n_samples() || c.origin.iter().flatten().any(|&k| k >= c.kept.spans.len()) {
        return Err(DataError::Invalid(format!(
            "{} output rows name their input records wrongly ({} origins, {} records)",
            ds.n_samples(),
            c.origin.len(),
            c.kept.spans.len()
        )));
    }
    if width != c.kept.names.len() && c.origin.iter().any(Option::is_none) {
        return Err(DataError::Invalid(format!(
            "a new row has {width} of the input's {} columns: read every column of a file whose rows are computed on",
            c.kept.names.len()
        )));
    }
    Ok(())
}

/// What each output column holds, in the file's column order.
enum Column {
    Numeric(usize),
    Categorical(usize),
    Label,
}

/// Writes `ds` as delimited text: a header, then one line per row, columns
/// in the source file's order with the target in its place, numbers as
/// [`format_number`] writes them, categories and labels as their strings
/// (quoted where needed).
pub fn write_delimited<W: Write + Send>(ds: &Dataset, w: W, delimiter: u8) -> Result<()> {
    write_with_copies(ds, None, w, delimiter, 0)
}

/// Rows of the output that are records of the input, copied as they stand.
pub(crate) struct Copied<'a> {
    /// The input file's text, and the records a read kept of it.
    pub text: &'a [u8],
    pub kept: &'a Kept,
    /// Each output row's input record (`None`: a row to format).
    pub origin: &'a [Option<usize>],
}

/// The header line of delimited text with columns `names`.
pub(crate) fn header_line<'n>(names: impl IntoIterator<Item = &'n str>, delimiter: u8) -> String {
    let fields: Vec<String> = names.into_iter().map(|n| quote_field(n, delimiter)).collect();
    fields.join(&(delimiter as char).to_string()) + "\n"
}

/// [`write_delimited`], where `copied` (if any) gives rows to copy rather
/// than format; the header is then the input's column names. With `first`
/// above 0, the header and the rows before `first` are in `w` already.
pub(crate) fn write_with_copies<W: Write + Send>(
    ds: &Dataset,
    copied: Option<Copied<'_>>,
    mut w: W,
    delimiter: u8,
    first: usize,
) -> Result<()> {
    let io = |e: std::io::Error| DataError::Invalid(format!("cannot write: {e}"));
    let mut columns: Vec<Column> = ds
        .features()
        .iter()
        .map(|f| match f.kind {
            FeatureKind::Numeric => Column::Numeric(f.index),
            FeatureKind::Categorical => Column::Categorical(f.index),
        })
        .collect();
    let mut names: Vec<&str> = ds.features().iter().map(|f| f.name.as_str()).collect();
    if ds.is_labelled() {
        columns.insert(ds.target_position(), Column::Label);
        names.insert(ds.target_position(), ds.target_name());
    }
    if let Some(c) = &copied {
        check_copied(c, ds, columns.len())?;
        names = c.kept.names.iter().map(String::as_str).collect();
    }
    if first == 0 {
        w.write_all(header_line(names, delimiter).as_bytes()).map_err(io)?;
    }
    let categories: Vec<Vec<String>> = ds
        .categories()
        .iter()
        .map(|c| c.iter().map(|s| quote_field(s, delimiter)).collect())
        .collect();
    let labels: Vec<String> = ds.classes().iter().map(|s| quote_field(s, delimiter)).collect();
    let (numeric, categorical, y) = (ds.numeric(), ds.categorical(), ds.y());
    // Buffers the writer has emptied, for the next chunks: fresh memory for
    // every chunk would cost the kernel's mapping and zeroing of its pages.
    let spare = &std::sync::Mutex::new(Vec::<Vec<u8>>::new());
    let format_rows = |rows: std::ops::Range<usize>| {
        let reused = spare.lock().ok().and_then(|mut s| s.pop());
        let mut out = reused.unwrap_or_default();
        // Room for 17-digit numbers: growing the buffer would copy it.
        out.reserve(rows.len() * columns.len() * 24);
        for i in rows {
            if let Some((c, k)) = copied.as_ref().and_then(|c| Some((c, c.origin[i]?))) {
                out.extend_from_slice(&c.text[c.kept.spans[k].clone()]);
                out.push(b'\n');
                continue;
            }
            let row = numeric.row(i);
            for (k, c) in columns.iter().enumerate() {
                if k > 0 {
                    out.push(delimiter);
                }
                match *c {
                    Column::Numeric(j) => push_number(&mut out, row[j]),
                    Column::Categorical(j) => {
                        out.extend_from_slice(categories[j][categorical[(i, j)] as usize].as_bytes())
                    }
                    Column::Label => out.extend_from_slice(labels[y[i]].as_bytes()),
                }
            }
            out.push(b'\n');
        }
        out
    };
    let n = ds.n_samples();
    let n_chunks = n.saturating_sub(first).div_ceil(CHUNK_ROWS);
    // Each of the pool's threads takes the next chunk in file order, so
    // chunks finish about in order: the writer writes them as they come
    // (formatting and the system's copying overlap) and their buffers are
    // reused. Split in halves instead, the second half would wait in
    // memory until the first was written.
    let next_chunk = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(4 * rayon::current_num_threads());
        let writer = scope.spawn(move || -> std::io::Result<()> {
            let mut pending = std::collections::BTreeMap::new();
            let mut next = 0;
            for (i, text) in rx {
                pending.insert(i, text);
                while let Some(mut text) = pending.remove(&next) {
                    w.write_all(&text)?;
                    next += 1;
                    text.clear();
                    if let Ok(mut s) = spare.lock() {
                        s.push(text);
                    }
                }
            }
            w.flush()
        });
        rayon::broadcast(|_| loop {
            let c = next_chunk.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            // A send fails only when the writer has stopped on an error, which it returns.
            if c >= n_chunks
                || tx
                    .send((
                        c,
                        format_rows(first + c * CHUNK_ROWS..(first + (c + 1) * CHUNK_ROWS).min(n)),
                    ))
                    .is_err()
            {
                break;
            }
        });
        drop(tx);
        writer
            .join()
            .map_err(|_| DataError::Invalid("the CSV writer thread failed".into()))?
            .map_err(io)
    })
}
