//! What a delimited file does not say about itself: its delimiter.

/// The delimiters recognised without being told, in order of preference.
pub(crate) const CANDIDATES: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Occurrences of `d` outside double quotes in `line`.
fn count_outside_quotes(line: &str, d: u8) -> usize {
    let mut quoted = false;
    let mut n = 0;
    for &b in line.as_bytes() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == d && !quoted {
            n += 1;
        }
    }
    n
}

/// The delimiter of `text` (without its byte-order mark), as Python's
/// `csv.Sniffer` decides: among comma, tab, semicolon and pipe, the one that
/// splits the first lines (up to 20) into the same number of fields, more
/// than one; if several do, the one giving the most fields, then the
/// earlier in that list. If none is consistent, the one that occurs most in
/// the first line; a comma when none occurs.
pub(crate) fn detect_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let Some(first) = lines.first() else {
        return b',';
    };
    let consistent = CANDIDATES
        .iter()
        .filter_map(|&d| {
            let n = count_outside_quotes(first, d);
            (n > 0 && lines.iter().all(|l| count_outside_quotes(l, d) == n)).then_some((n, d))
        })
        .max_by(|a, b| a.0.cmp(&b.0).then(position(b.1).cmp(&position(a.1))));
    if let Some((_, d)) = consistent {
        return d;
    }
    CANDIDATES
        .iter()
        .map(|&d| (count_outside_quotes(first, d), d))
        .filter(|&(n, _)| n > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(position(b.1).cmp(&position(a.1))))
        .map_or(b',', |(_, d)| d)
}

fn position(d: u8) -> usize {
    CANDIDATES.iter().position(|&c| c == d).unwrap_or(usize::MAX)
}

/// For a header that split into one column: the character that most likely
/// separates its names (a recognised delimiter, a space or a colon), if any
/// occurs in it.
pub(crate) fn likely_delimiter(header: &str) -> Option<u8> {
    CANDIDATES
        .iter()
        .chain(b" :")
        .map(|&d| (count_outside_quotes(header.trim(), d), d))
        .filter(|&(n, _)| n > 0)
        .max_by(|a, b| a.0.cmp(&b.0).then(position(b.1).cmp(&position(a.1))))
        .map(|(_, d)| d)
}

/// A delimiter as typed: one ASCII character other than a letter, a digit
/// or a quote, or `\t` / `tab` for a tab.
pub fn parse_delimiter(s: &str) -> Result<u8, String> {
    match s {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        _ if s.len() == 1 && s.is_ascii() && !s.chars().any(|c| c.is_alphanumeric() || c == '"') => Ok(s.as_bytes()[0]),
        _ => Err(format!(
            "{s:?} is not a delimiter: give one character such as , ; | or \\t"
        )),
    }
}

/// A delimiter as people write it: `','`, `'\t'` (tab).
pub(crate) fn show(d: u8) -> String {
    match d {
        b'\t' => "'\\t' (tab)".into(),
        b' ' => "' ' (space)".into(),
        d => format!("'{}'", d as char),
    }
}
