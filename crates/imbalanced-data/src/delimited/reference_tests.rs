//! The parallel reader against a sequential reference (the `csv` crate,
//! as the reader was before it), and the writer against `format_number`.

use std::io::Read;
use std::path::Path;

use proptest::prelude::*;

use super::write::push_number;
use super::{read_in_chunks, scan, split, utf8_in_parallel};
use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::{format_number, resolve_target, target_column, ReadOptions};
use crate::table::{Declared, TableBuilder};

/// The reader as it was: the `csv` crate, one record at a time.
fn reference<R: Read>(reader: R, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(reader);
    let csv_err = |e: csv::Error| DataError::Syntax {
        path: path.to_path_buf(),
        line: e.position().map_or(0, |p| p.line()),
        message: e.to_string(),
    };
    let header = rdr.headers().map_err(csv_err)?.clone();
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let target = target_column(&names, opts.target.as_deref(), opts)?;
    let mut declared = vec![Declared::Infer; names.len()];
    for c in &opts.categorical {
        declared[resolve_target(&names, Some(c))?] = Declared::Categorical(None);
    }
    crate::table::select_columns(&names, target, &mut declared, opts)?;
    let mut table = TableBuilder::new(names, target, declared)?;
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue;
        }
        if record.len() != table.n_columns() {
            return Err(DataError::Ragged {
                line,
                expected: table.n_columns(),
                found: record.len(),
            });
        }
        table.push_row(record.iter(), line);
    }
    table.finish(path, opts.impute)
}

fn ours(text: &str, chunks: usize) -> Result<Dataset> {
    read_with(text, chunks, &comma()).map(|(data, _)| data)
}

fn comma() -> ReadOptions {
    ReadOptions {
        delimiter: Some(b','),
        ..Default::default()
    }
}

/// Our reader in `chunks` pieces, keeping the records.
fn read_with(text: &str, chunks: usize, opts: &ReadOptions) -> Result<(Dataset, Option<super::Kept>)> {
    read_cut(text.as_bytes(), chunks, super::HEAD, opts)
}

/// Our reader in `chunks` pieces after a head of `head` bytes, keeping the
/// records; each piece is gone through in blocks of about `head` bytes too.
fn read_cut(bytes: &[u8], chunks: usize, head: usize, opts: &ReadOptions) -> Result<(Dataset, Option<super::Kept>)> {
    let keep = super::Keep {
        delimiter: b',',
        features: true,
    };
    let cuts = super::Cuts {
        chunks: Some(chunks),
        head,
        block: head,
    };
    read_in_chunks(bytes, Path::new("t.csv"), opts, None, cuts, Some(keep))
}

/// Numbers as people and programs write them: every bit pattern's shortest
/// form, subnormals, long mantissas, exponents, signs, leading zeros.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| format!("{v}")),
        any::<u64>()
            .prop_map(f64::from_bits)
            .prop_filter("finite", |v| v.is_finite())
            .prop_map(|v| format!("{v:e}")),
        (1u64..u64::MAX).prop_map(|m| format!("4.9{m}e-324")),
        "[-+]?[0-9]{1,25}(\\.[0-9]{0,30})?([eE][-+]?[0-9]{1,3})?",
        "[-+]?\\.[0-9]{1,20}",
        Just("-0".to_string()),
        Just("-0.0".to_string()),
        Just("1e400".to_string()),
    ]
}

/// Category strings with the characters that need quoting.
fn word() -> impl Strategy<Value = String> {
    "[a-z ,\"\\n]{1,8}".prop_filter("not blank", |s| !s.trim().is_empty() && !crate::table::is_missing(s))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// A CSV text: a numeric column, a categorical one and a label column,
/// with `\n` or `\r\n` line ends, some blank lines (which, like quoted
/// line breaks, leave a piece fewer records than lines) and now and then a
/// line with a field too many or too few; and the numbers as written.
fn table() -> impl Strategy<Value = (String, Vec<String>)> {
    table_of(word())
}

/// [`table`] with the categories drawn from `words`.
fn table_of(words: impl Strategy<Value = String>) -> impl Strategy<Value = (String, Vec<String>)> {
    (
        prop::collection::vec((number(), words, 0u8..3, prop::bool::weighted(0.1)), 1..40),
        any::<bool>(),
        prop::option::weighted(0.1, (any::<prop::sample::Index>(), any::<bool>())),
    )
        .prop_map(|(rows, crlf, ragged)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut s = format!("x,c,y{eol}");
            for (i, (x, c, y, blank)) in rows.iter().enumerate() {
                if *blank {
                    s += eol;
                }
                match ragged {
                    // One line with a field too many or too few.
                    Some((at, more)) if at.index(rows.len()) == i => match more {
                        true => s += &format!("{x},{},{y},{y}{eol}", quote(c)),
                        false => s += &format!("{x},{y}{eol}"),
                    },
                    _ => s += &format!("{x},{},{y}{eol}", quote(c)),
                }
            }
            (s, rows.into_iter().map(|r| r.0).collect())
        })
}

/// An error message without its line number.
fn without_line(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(i) = rest.find("line ") {
        out += &rest[..i + 5];
        rest = rest[i + 5..].trim_start_matches(|c: char| c.is_ascii_digit());
    }
    out + rest
}

fn same(a: &Dataset, b: &Dataset) -> bool {
    a.numeric()
        .iter()
        .zip(b.numeric().iter())
        .all(|(p, q)| p.to_bits() == q.to_bits())
        && a.numeric().dim() == b.numeric().dim()
        && a.categorical() == b.categorical()
        && a.categories() == b.categories()
        && a.classes() == b.classes()
        && a.y() == b.y()
        && a.features() == b.features()
}

/// Whether `a` and `b` hold the same rows: numbers bit for bit, the same
/// category and label strings (their dictionaries may differ: a file holds
/// only the values its rows have).
fn same_rows(a: &Dataset, b: &Dataset) -> bool {
    let strings = |d: &Dataset| -> Vec<Vec<String>> {
        (0..d.n_samples())
            .map(|i| {
                let mut row: Vec<String> = (0..d.categorical().ncols())
                    .map(|j| d.categories()[j][d.categorical()[(i, j)] as usize].clone())
                    .collect();
                row.push(d.classes()[d.y()[i]].clone());
                row
            })
            .collect()
    };
    a.numeric().dim() == b.numeric().dim()
        && a.numeric()
            .iter()
            .zip(b.numeric().iter())
            .all(|(p, q)| p.to_bits() == q.to_bits())
        && a.features() == b.features()
        && strings(a) == strings(b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn parallel_reads_equal_the_sequential_reference_and_str_parse(
        (text, xs) in table(),
        chunks in 1usize..9,
        drop in prop::sample::select(vec![vec![], vec!["x"], vec!["c"], vec!["x", "c"]]),
        head in 1usize..400,
    ) {
        let opts = ReadOptions {
            drop: drop.iter().map(|d| d.to_string()).collect(),
            ..comma()
        };
        let want = reference(text.as_bytes(), Path::new("t.csv"), &opts);
        let one = read_with(&text, 1, &opts).map(|(data, _)| data);
        // A head shorter than the header or than the delimiter's sample, or inside the body.
        let many = read_cut(text.as_bytes(), chunks, head, &opts).map(|(data, _)| data);
        match (&want, &one, &many) {
            (Ok(w), Ok(o), Ok(m)) => {
                prop_assert!(same(w, o), "one chunk differs from the reference");
                prop_assert!(same(w, m), "{chunks} chunks differ from the reference");
                // The numbers are str::parse's, bit for bit.
                if drop.is_empty() {
                    for (x, v) in xs.iter().zip(m.numeric().column(0)) {
                        prop_assert_eq!(x.parse::<f64>().unwrap().to_bits(), v.to_bits(), "{}", x);
                    }
                }
            }
            (Err(w), Err(o), Err(m)) => {
                // The csv crate numbers the lines of a quoted record after a
                // \r\n one too low; ours are checked by line_numbers_are_the_files.
                prop_assert_eq!(without_line(&w.to_string()), without_line(&o.to_string()));
                prop_assert_eq!(o.to_string(), m.to_string());
            }
            _ => prop_assert!(false, "reference {want:?}, ours {one:?} / {many:?}"),
        }
    }

    #[test]
    fn reads_without_numbers_to_place_equal_the_reference_and_keep_the_records(
        (quoted, _) in table(),
        (plain, _) in table_of("[a-z]{1,8}"),
        chunks in 1usize..9,
        drop in prop::sample::select(vec![vec!["x"], vec!["x", "c"]]),
        unquoted in any::<bool>(),
        head in 1usize..400,
    ) {
        // Where no value is placed in the matrix (x and c dropped), a read
        // goes through each piece once, block by block; a quote sends it to
        // the general read.
        let text = if unquoted { plain } else { quoted };
        let opts = ReadOptions {
            drop: drop.iter().map(|d| d.to_string()).collect(),
            ..comma()
        };
        let want = reference(text.as_bytes(), Path::new("t.csv"), &opts);
        let got = read_cut(text.as_bytes(), chunks, head, &opts);
        match (&want, &got) {
            (Ok(w), Ok((data, kept))) => {
                prop_assert!(same(w, data), "{chunks} chunks differ from the reference");
                let kept = kept.as_ref().expect("records kept");
                prop_assert_eq!(kept.spans.len(), data.n_samples());
                if unquoted {
                    // Every record is one line: its text without the line break.
                    let lines: Vec<&str> = text
                        .lines()
                        .skip(1)
                        .filter(|l| !l.trim().is_empty())
                        .collect();
                    let spans: Vec<&str> = kept.spans.iter().map(|r| &text[r.clone()]).collect();
                    prop_assert_eq!(spans, lines);
                }
            }
            (Err(w), Err(g)) if unquoted => {
                // The first line with a field too many or too few, as the
                // file numbers it (the csv crate's count is off after blank
                // lines and \r\n).
                prop_assert_eq!(without_line(&w.to_string()), without_line(&g.to_string()));
                let ragged = text
                    .split('\n')
                    .enumerate()
                    .skip(1)
                    .find(|(_, l)| !l.trim().is_empty() && l.split(',').count() != 3)
                    .map(|(i, _)| i + 1);
                prop_assert!(ragged.is_some_and(|n| g.to_string().starts_with(&format!("line {n} has "))), "{g}");
            }
            (Err(w), Err(g)) => prop_assert_eq!(without_line(&w.to_string()), without_line(&g.to_string())),
            _ => prop_assert!(false, "reference {want:?}, ours {:?}", got.as_ref().map(|(data, _)| data)),
        }
    }

    #[test]
    fn text_that_is_not_utf8_is_refused_at_its_first_bad_byte(
        (text, _) in table(),
        at in any::<prop::sample::Index>(),
        bad in prop::sample::select(vec![0x80u8, 0xff, 0xc3]),
        chunks in 1usize..9,
        head in 1usize..400,
        labels_only in any::<bool>(),
    ) {
        let mut bytes = text.into_bytes();
        bytes.insert(at.index(bytes.len()), bad);
        // Reading only the labels goes through each piece once: the same error.
        let drop = if labels_only { vec!["x".to_string(), "c".to_string()] } else { vec![] };
        let opts = ReadOptions { drop, ..comma() };
        if let Err(e) = std::str::from_utf8(&bytes) {
            let got = read_cut(&bytes, chunks, head, &opts).map(|_| ()).unwrap_err().to_string();
            prop_assert!(got.contains(&format!("(at byte {})", e.valid_up_to())), "{got}");
        }
    }

    #[test]
    fn copied_records_and_formatted_rows_read_back_as_the_rows_they_stand_for(
        (text, _) in table(),
        chunks in 1usize..5,
        picks in prop::collection::vec((any::<prop::sample::Index>(), prop::bool::weighted(0.3)), 0..60),
    ) {
        if let Ok((ds, Some(kept))) = read_with(&text, chunks, &comma()) {
            prop_assert_eq!(kept.spans.len(), ds.n_samples());
            // Rows of the input in any order, repeated, some of them formatted (None).
            let rows: Vec<usize> = picks.iter().map(|(i, _)| i.index(ds.n_samples())).collect();
            let origin: Vec<Option<usize>> = picks.iter().zip(&rows).map(|((_, fmt), &r)| (!fmt).then_some(r)).collect();
            let out = ds
                .with_rows(
                    crate::take_rows(ds.numeric(), &rows),
                    crate::take_rows(ds.categorical(), &rows),
                    rows.iter().map(|&r| ds.y()[r]).collect(),
                )
                .unwrap();
            let copied = super::Copied { text: text.as_bytes(), kept: &kept, origin: &origin };
            let mut written = Vec::new();
            super::write_with_copies(&out, Some(copied), &mut written, b',', 0).unwrap();
            match ours(std::str::from_utf8(&written).unwrap(), chunks) {
                Ok(back) => prop_assert!(same_rows(&out, &back), "{}", String::from_utf8_lossy(&written)),
                // No rows: a header alone.
                Err(e) => prop_assert!(rows.is_empty(), "{e}"),
            }
        }
    }

    #[test]
    fn written_text_reads_back_to_the_same_bits((text, _) in table(), chunks in 1usize..5) {
        if let Ok(ds) = ours(&text, 1) {
            let mut out = Vec::new();
            super::write_delimited(&ds, &mut out, b',').unwrap();
            let back = ours(std::str::from_utf8(&out).unwrap(), chunks).unwrap();
            prop_assert!(same(&ds, &back));
        }
    }

    #[test]
    fn text_checked_in_pieces_is_from_utf8s(
        parts in prop::collection::vec(prop_oneof![
            "[a-z,\"\\n]{0,5}".prop_map(String::into_bytes),
            "[é€𝄞ß]{1,3}".prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 1..3),
        ], 0..40),
        pieces in 1usize..9,
    ) {
        let bytes = parts.concat();
        let want = std::str::from_utf8(&bytes).map(str::len).map_err(|e| e.valid_up_to());
        let got = utf8_in_parallel(&bytes, pieces).map(str::len);
        prop_assert_eq!(got, want, "{:?} in {} pieces", bytes, pieces);
        // One pass in blocks of `pieces` bytes: the same verdict, the quotes and line breaks.
        let scanned = scan(&bytes, pieces);
        prop_assert_eq!(scanned.map(|_| bytes.len()), want);
        if let Ok(found) = scanned {
            prop_assert_eq!(found.quotes, bytes.contains(&b'"'));
            prop_assert_eq!(found.newlines, bytes.iter().filter(|&&b| b == b'\n').count() as u64);
        }
    }

    #[test]
    fn numbers_are_written_shortest_and_read_back_to_the_same_bits(bits in any::<u64>()) {
        let v = f64::from_bits(bits);
        prop_assert!(same_as_format_number(v));
    }

    #[test]
    fn chunks_never_start_inside_a_quoted_field(
        fields in prop::collection::vec("[a\\n\",]{0,6}", 1..60),
        n in 1usize..20,
    ) {
        let text: String = fields.iter().map(|f| format!("{},1\n", quote(f))).collect();
        let starts = split::chunk_starts(text.as_bytes(), b',', n, text.contains('"'));
        let spans = split::quoted_spans(text.as_bytes(), b',');
        for s in starts {
            prop_assert!(s == 0 || text.as_bytes()[s - 1] == b'\n');
            prop_assert!(!spans.iter().any(|&(o, c)| o < s && s <= c), "start {s} inside a quote");
        }
    }
}

/// Whether `push_number` writes `v` as `format_number` does: the same
/// layout and length (both shortest), reading back to the same bits. The
/// digits may differ where the exact value lies halfway between two
/// shortest candidates (-244440893673282.125): Żmij, like Python's repr,
/// takes the even one (.12), `Display` the other (.13); both read back exactly.
fn same_as_format_number(v: f64) -> bool {
    let mut out = Vec::new();
    push_number(&mut out, v);
    let ours = String::from_utf8(out).unwrap();
    let theirs = format_number(v);
    let back = |s: &str| s.parse::<f64>().map(f64::to_bits).ok();
    let shape = |s: &str| {
        s.chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect::<String>()
    };
    (ours == theirs || (shape(&ours) == shape(&theirs) && back(&ours) == Some(v.to_bits())))
        && (v.is_nan() || back(&ours) == back(&theirs))
}

#[test]
fn a_halfway_value_is_written_with_the_even_digit() {
    let v = f64::from_bits(14045542147111381060);
    let mut out = Vec::new();
    push_number(&mut out, v);
    assert_eq!(String::from_utf8(out).unwrap(), "-244440893673282.12");
    assert!(same_as_format_number(v));
}

#[test]
fn numbers_at_the_edges_are_written_as_format_number_writes_them() {
    for v in [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.1,
        1e-5,
        9.99999e-6,
        1e15,
        999999999999999.9,
        1e15 + 0.5,
        5e-324,
        f64::MAX,
        f64::MIN_POSITIVE,
        1.0 / 3.0,
        -2.5e-7,
        6.02e23,
        123456.789,
        0.000123,
        f64::NAN,
        f64::INFINITY,
    ] {
        let mut out = Vec::new();
        push_number(&mut out, v);
        assert_eq!(String::from_utf8(out).unwrap(), format_number(v), "{v:e}");
    }
}

#[test]
fn line_numbers_are_the_files() {
    let cases = [
        ("x,y\n1,0\ninf,1\n", 3),
        ("x,y\r\n1,0\r\ninf,1\r\n", 3),
        ("x,c,y\r\n1,\",\",0\r\n1e400,a,1\r\n", 3),
        ("x,c,y\n1,\"two\nlines\",0\n1e400,a,1\n", 4),
        ("\n\nx,y\n\n1,0\n-inf,1\n", 6),
    ];
    for (text, line) in cases {
        for chunks in [1, 3] {
            let e = ours(text, chunks).unwrap_err().to_string();
            assert!(e.contains(&format!("line {line}:")), "{text:?}: {e}");
        }
    }
}
