//! Records and fields of delimited text, and where it can be cut into
//! chunks that parse on their own.
//!
//! Quoting follows RFC 4180 as the `csv` crate reads it: a field that starts
//! with `"` is quoted, `""` inside it is one `"`, and it may hold delimiters
//! and line breaks; a `"` anywhere else is an ordinary character. A line
//! break is `\n` or `\r\n`; a line with nothing but white space is skipped.

use memchr::{memchr, memchr_iter};

use crate::error::{DataError, Result};

/// Byte ranges `[open, close]` of quoted fields' quotes in `body`, in order;
/// an unclosed one runs to the end. Only quotes are visited, so a file
/// without quotes costs one `memchr` pass.
pub(crate) fn quoted_spans(body: &[u8], delimiter: u8) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Option<usize> = None;
    let mut quotes = memchr_iter(b'"', body).peekable();
    while let Some(p) = quotes.next() {
        match open {
            None => {
                if p == 0 || body[p - 1] == delimiter || body[p - 1] == b'\n' {
                    open = Some(p);
                }
            }
            Some(o) => {
                if p + 1 < body.len() && body[p + 1] == b'"' {
                    quotes.next(); // an escaped quote
                } else {
                    spans.push((o, p));
                    open = None;
                }
            }
        }
    }
    if let Some(o) = open {
        spans.push((o, body.len()));
    }
    spans
}

/// Cuts `body` into about `n` pieces of whole records: each cut is just
/// after a line break that is not inside a quoted field (`quotes`: whether
/// `body` holds a `"`). Returns the start offsets (the first is 0).
pub(crate) fn chunk_starts(body: &[u8], delimiter: u8, n: usize, quotes: bool) -> Vec<usize> {
    let spans = if quotes {
        quoted_spans(body, delimiter)
    } else {
        Vec::new()
    };
    let inside = |pos: usize| {
        let i = spans.partition_point(|&(o, _)| o < pos);
        i > 0 && spans[i - 1].1 >= pos
    };
    let mut starts = vec![0];
    let step = body.len() / n.max(1);
    for k in 1..n {
        let mut from = (k * step).max(*starts.last().expect("starts has 0"));
        let cut = loop {
            match memchr(b'\n', &body[from..]) {
                Some(i) if inside(from + i) => from += i + 1,
                Some(i) => break Some(from + i + 1),
                None => break None,
            }
        };
        match cut {
            Some(c) if c < body.len() && c > *starts.last().expect("starts has 0") => starts.push(c),
            _ => break,
        }
    }
    starts
}

/// What receives the records of [`for_each_record`].
pub(crate) trait Records {
    /// A record on one line without quotes (`\r` removed), untrimmed; it
    /// starts at byte `at` of the text.
    fn line(&mut self, text: &str, at: usize, line: u64) -> Result<()>;
    /// A record with quoted fields, unquoted and untrimmed; `span` is where
    /// the record stands in the text (its line break and `\r` left out).
    fn fields(&mut self, fields: &[&str], span: std::ops::Range<usize>, line: u64) -> Result<()>;
}

/// Hands every record of `text`, whose first line is number `first_line`,
/// to `records`, skipping blank lines; returns the number of the line after
/// the last. `quotes` says whether `text` may hold quotes (without them
/// no line is searched for one).
pub(crate) fn for_each_record(
    text: &str,
    delimiter: u8,
    quotes: bool,
    first_line: u64,
    records: &mut impl Records,
) -> Result<u64> {
    let bytes = text.as_bytes();
    let (mut pos, mut line) = (0, first_line);
    while pos < bytes.len() {
        let end = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let raw = &text[pos..end];
        if quotes && memchr(b'"', raw.as_bytes()).is_some() {
            let (owned, next, lines) = quoted_record(text, pos, delimiter, line)?;
            let refs: Vec<&str> = owned.iter().map(String::as_str).collect();
            let record = &bytes[pos..next];
            let record = record.strip_suffix(b"\n").unwrap_or(record);
            let record = record.strip_suffix(b"\r").unwrap_or(record);
            records.fields(&refs, pos..pos + record.len(), line)?;
            pos = next;
            line += lines;
            continue;
        }
        let raw = raw.strip_suffix('\r').unwrap_or(raw);
        if !raw.trim().is_empty() {
            records.line(raw, pos, line)?;
        }
        pos = end + 1;
        line += 1;
    }
    Ok(line)
}

/// The first record of a text, found by [`first_record`].
pub(crate) struct FirstRecord {
    pub fields: Vec<String>,
    /// Byte offsets of its start and of what follows it.
    pub start: usize,
    pub end: usize,
    /// Its line number, and the number of the line after it.
    pub line: u64,
    pub next_line: u64,
}

/// The first non-blank record of `text` (the header, or the first row of a
/// header-less file).
pub(crate) fn first_record(text: &str, delimiter: u8) -> Result<Option<FirstRecord>> {
    let bytes = text.as_bytes();
    let (mut pos, mut line) = (0, 1);
    while pos < bytes.len() {
        let end = memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |i| pos + i);
        let raw = &text[pos..end];
        if raw.trim().is_empty() {
            pos = end + 1;
            line += 1;
            continue;
        }
        let (fields, next, lines) = if memchr(b'"', raw.as_bytes()).is_some() {
            quoted_record(text, pos, delimiter, line)?
        } else {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let fields = raw.split(delimiter as char).map(str::to_string).collect();
            (fields, (end + 1).min(bytes.len()), 1)
        };
        return Ok(Some(FirstRecord {
            fields,
            start: pos,
            end: next,
            line,
            next_line: line + lines,
        }));
    }
    Ok(None)
}

/// One record that holds quotes, starting at byte `start` (a line start):
/// its fields, the offset after it, and the lines it spans.
fn quoted_record(text: &str, start: usize, delimiter: u8, line: u64) -> Result<(Vec<String>, usize, u64)> {
    let bytes = text.as_bytes();
    let mut fields = Vec::new();
    let mut field: Vec<u8> = Vec::new();
    let (mut in_quotes, mut at_start, mut lines) = (false, true, 1);
    let mut i = start;
    let finish = |f: &mut Vec<u8>| {
        String::from_utf8(std::mem::take(f))
            .map_err(|_| DataError::Invalid(format!("line {line}: a field is not valid UTF-8")))
    };
    loop {
        let Some(&b) = bytes.get(i) else {
            if in_quotes {
                return Err(DataError::Invalid(format!(
                    "line {line}: a quoted field is never closed: end it with '\"' (a '\"' inside a quoted field is written '\"\"')"
                )));
            }
            fields.push(finish(&mut field)?);
            break;
        };
        i += 1;
        if in_quotes {
            if b == b'"' {
                if bytes.get(i) == Some(&b'"') {
                    field.push(b'"');
                    i += 1;
                } else {
                    in_quotes = false;
                }
            } else {
                lines += u64::from(b == b'\n');
                field.push(b);
            }
        } else if b == b'"' && at_start {
            in_quotes = true;
            at_start = false;
        } else if b == delimiter {
            fields.push(finish(&mut field)?);
            at_start = true;
        } else if b == b'\n' {
            if field.last() == Some(&b'\r') {
                field.pop();
            }
            fields.push(finish(&mut field)?);
            break;
        } else {
            field.push(b);
            at_start = false;
        }
    }
    Ok((fields, i, lines))
}
