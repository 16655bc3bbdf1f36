//! Files as users have them: delimiters, compression, standard streams,
//! byte-order marks, header-less files, identifier columns, `convert`.

mod common;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

use common::*;

/// A small two-class table: `rows` rows of two features and a label, with
/// `delimiter` between fields and `decimal` as the decimal separator.
fn table(delimiter: &str, decimal: &str, rows: usize) -> String {
    let mut s = format!("a{delimiter}b{delimiter}label\n");
    for i in 0..rows {
        let (x, y) = (i as f64 * 0.5, (i % 7) as f64 + 0.25);
        let fmt = |v: f64| format!("{v}").replace('.', decimal);
        s += &format!(
            "{}{delimiter}{}{delimiter}{}\n",
            fmt(x),
            fmt(y),
            if i % 4 == 0 { "rare" } else { "common" }
        );
    }
    s
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// The names of the files in `dir`, sorted.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.unwrap().file_name().into_string().ok())
        .collect();
    names.sort();
    names
}

/// `inspect --json` of a file: its row, feature and class counts.
fn shape(path: &Path, extra: &[&str]) -> (u64, u64, u64) {
    let mut args = vec!["inspect", path.to_str().unwrap(), "--json"];
    args.extend_from_slice(extra);
    let v: serde_json::Value = serde_json::from_slice(&ok(&args).stdout).unwrap();
    (
        v["n_samples"].as_u64().unwrap(),
        v["n_features"].as_u64().unwrap(),
        v["classes"].as_array().unwrap().len() as u64,
    )
}

#[test]
fn semicolon_tab_and_pipe_files_are_read_without_being_told() {
    let dir = tempfile::tempdir().unwrap();
    for (name, d) in [
        ("semi.csv", ";"),
        ("tabs.csv", "\t"),
        ("pipes.csv", "|"),
        ("data.tsv", "\t"),
    ] {
        let p = write(dir.path(), name, table(d, ".", 40).as_bytes());
        assert_eq!(shape(&p, &[]), (40, 2, 2), "{name}");
    }
    // A European file: semicolons and decimal commas.
    let p = write(dir.path(), "eu.csv", table(";", ",", 40).as_bytes());
    assert_eq!(shape(&p, &["--decimal", ","]), (40, 2, 2));
    // Without --decimal the commas are not read as wrong numbers: the error says what to do.
    let e = stderr(&run(&["inspect", p.to_str().unwrap()]));
    assert!(
        e.contains("a number with a decimal comma") && e.contains("hint: --decimal ,"),
        "{e}"
    );
}

#[test]
fn train_on_a_semicolon_file_fits_its_real_features() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "semi.csv", table(";", ".", 60).as_bytes());
    let model = dir.path().join("m.json");
    ok(&["train", p.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&model).unwrap()).unwrap();
    let text = m.to_string();
    assert!(
        text.contains("\"a\"") && text.contains("\"b\"") && text.contains("\"rare\""),
        "{text}"
    );
}

#[test]
fn a_file_that_splits_into_one_column_names_the_likely_delimiter() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "semi.csv", table(";", ".", 10).as_bytes());
    let o = run(&["inspect", p.to_str().unwrap(), "--delimiter", ","]);
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("only one column found") && e.contains("is the delimiter ';'?"),
        "{e}"
    );
    assert!(e.contains("hint: --delimiter ';'"), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    let p = write(dir.path(), "spaces.csv", b"a b label\n1 2 x\n3 4 y\n");
    let e = stderr(&run(&["train", p.to_str().unwrap(), "--out", "/tmp/never.json"]));
    assert!(e.contains("only one column found") && e.contains("' ' (space)"), "{e}");
}

#[test]
fn compressed_files_read_and_write_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(dir.path(), "t.csv", table(",", ".", 50).as_bytes());
    for (ext, magic) in [
        ("gz", &[0x1f, 0x8b][..]),
        ("zst", &[0x28, 0xb5, 0x2f, 0xfd][..]),
        ("bz2", b"BZh"),
    ] {
        let packed = dir.path().join(format!("t.csv.{ext}"));
        convert(&src, &packed, &[]);
        let bytes = std::fs::read(&packed).unwrap();
        assert!(bytes.starts_with(magic), "{ext} output is not {ext}");
        assert_eq!(shape(&packed, &[]), (50, 2, 2), "{ext}");
        // And back to plain text, the same as the source.
        let back = dir.path().join(format!("back-{ext}.csv"));
        convert(&packed, &back, &[]);
        assert_eq!(
            std::fs::read_to_string(&back).unwrap(),
            std::fs::read_to_string(&src).unwrap()
        );
    }
}

#[test]
fn standard_input_and_output_are_dash() {
    let text = table(";", ".", 30);
    let mut child = bin()
        .args(["convert", "-", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), table(",", ".", 30), "semicolons in, commas out");

    let mut child = bin()
        .args(["resample", "-", "--method", "rus", "--out", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(table(",", ".", 40).as_bytes())
        .unwrap();
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o).lines().count(), 1 + 2 * 10, "only the data on stdout");
    assert!(stderr(&o).contains("RandomUnderSampler"), "the summary on stderr");
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_first_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(table(",", ".", 20).bytes());
    let p = write(dir.path(), "bom.csv", &bytes);
    let out = dir.path().join("out.csv");
    convert(&p, &out, &["--drop", "a"]);
    assert!(std::fs::read_to_string(&out).unwrap().starts_with("b,label\n"));
}

#[test]
fn header_less_files_name_columns_by_position() {
    let dir = tempfile::tempdir().unwrap();
    let body: String = table(",", ".", 20).lines().skip(1).map(|l| format!("{l}\n")).collect();
    let p = write(dir.path(), "raw.csv", body.as_bytes());
    assert_eq!(shape(&p, &["--no-header"]), (20, 2, 2));
    let out = dir.path().join("out.csv");
    convert(&p, &out, &["--no-header", "--target", "2"]);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("0,1,2\n0,0.25,rare\n"));
}

#[test]
fn identifier_columns_are_warned_about_and_can_be_dropped_or_kept_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,a,b,label\n");
    for (i, line) in table(",", ".", 40).lines().skip(1).enumerate() {
        text += &format!("{},{line}\n", 1000 + i);
    }
    let p = write(dir.path(), "ids.csv", text.as_bytes());
    let o = ok(&["inspect", p.to_str().unwrap(), "--json"]);
    let e = stderr(&o);
    assert!(
        e.contains("column \"id\" looks like an identifier") && e.contains("--drop id"),
        "{e}"
    );
    let o = ok(&["inspect", p.to_str().unwrap(), "--json", "--drop", "id"]);
    assert!(!stderr(&o).contains("identifier"), "{}", stderr(&o));
    assert_eq!(shape(&p, &["--drop", "id"]), (40, 2, 2));
    assert_eq!(shape(&p, &["--keep", "?"]), (40, 2, 2), "globs: one-letter names");
    // A pattern that matches nothing names the columns; the target cannot be dropped.
    let e = stderr(&run(&["inspect", p.to_str().unwrap(), "--drop", "idd"]));
    assert!(
        e.contains("unknown column \"idd\"") && e.contains("id, a, b, label"),
        "{e}"
    );
    let e = stderr(&run(&["inspect", p.to_str().unwrap(), "--drop", "lab*"]));
    assert!(e.contains("would drop the target column"), "{e}");
}

#[test]
fn convert_round_trips_through_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let src = data("glass4.csv");
    let original = std::fs::read_to_string(&src).unwrap();
    let mut previous = src.clone();
    for name in ["a.parquet", "b.tsv", "c.arff", "d.dat", "e.csv.zst", "f.csv"] {
        let next = dir.path().join(name);
        convert(&previous, &next, &["--target", "target"]);
        previous = next;
    }
    let back = std::fs::read_to_string(&previous).unwrap();
    assert_eq!(back.lines().next(), original.lines().next(), "same columns");
    let nums = |t: &str| -> Vec<f64> {
        t.lines()
            .skip(1)
            .flat_map(|l| {
                l.split(',')
                    .map(|f| f.parse::<f64>().unwrap_or(f64::NAN))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (a, b) = (nums(&original), nums(&back));
    assert_eq!(a.len(), b.len());
    assert!(a
        .iter()
        .zip(&b)
        .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan())));
}

/// `imbalanced resample SRC -m METHOD --out OUT EXTRA...`, whatever its exit status.
fn resample(src: &Path, method: &str, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "resample",
        src.to_str().unwrap(),
        "-m",
        method,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    run(&args)
}

/// Asserts that a command succeeded, showing its standard error if not.
fn ok_or_show(o: &std::process::Output) {
    assert!(o.status.success(), "{}", stderr(o));
}

/// Rows as people write them: numbers not in their shortest form, `\r\n`
/// line ends, a blank line; two classes, 12 rare rows of 48.
fn unshortened() -> String {
    let mut s = String::from("x1,x2,label\r\n");
    for i in 0..48 {
        let rare = i % 4 == 0;
        s += &format!(
            "{:.2},+{}.0e0,{}\r\n",
            i as f64 * 0.5,
            i % 7,
            if rare { "rare" } else { "common" }
        );
        if i == 20 {
            s += "\r\n";
        }
    }
    s
}

#[test]
fn resampled_rows_that_are_input_rows_are_copied_as_they_stand() {
    let dir = tempfile::tempdir().unwrap();
    // As people write them, and as plain as text gets (`\n` ends, no blank
    // line): an over-sampler's output then starts as the input's text, copied
    // while it runs.
    let plain = unshortened().replace("\r\n\r\n", "\r\n").replace("\r\n", "\n");
    for (name, source) in [("in.csv", unshortened()), ("plain.csv", plain)] {
        let src = write(dir.path(), name, source.as_bytes());
        let input: Vec<String> = source
            .lines()
            .skip(1)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
        let methods: [(&str, &[&str]); 7] = [
            ("smote", &[]),
            ("ros", &[]),
            ("rus", &[]),
            ("nearmiss", &[]),
            ("smote-tomek", &[]),
            ("adasyn", &[]),
            // Categorical values in new rows: SMOTENC.
            ("smotenc", &["--param", "categorical_features=x2"]),
        ];
        for (method, extra) in methods {
            let copied = dir.path().join(format!("{method}.csv"));
            let formatted = dir.path().join(format!("{method}-formatted.csv"));
            ok_or_show(&resample(&src, method, &copied, extra));
            // `--keep '*'` reads the same columns but turns copying off: every row formatted.
            ok_or_show(&resample(&src, method, &formatted, &[extra, &["--keep", "*"]].concat()));
            let text = std::fs::read_to_string(&copied).unwrap();
            assert_eq!(text.lines().next(), Some("x1,x2,label"), "{method}: the header");
            let rows: Vec<&str> = text.lines().skip(1).collect();
            let as_written = rows.iter().filter(|r| input.iter().any(|l| l == *r)).count();
            let synthetic = rows.len() - as_written;
            // Input rows keep their text ("0.50", "+3.0e0"), without the "\r".
            match method {
                "smote" | "adasyn" | "smote-tomek" | "smotenc" => {
                    assert!(as_written > 0 && synthetic > 0, "{method}: {text}")
                }
                _ => assert_eq!(synthetic, 0, "{method}: every row is an input row as written: {text}"),
            }
            if name == "plain.csv" && matches!(method, "smote" | "ros" | "adasyn" | "smotenc") {
                assert!(text.starts_with(&source), "{method}: {text}");
            }
            // The same dataset as the formatted file: both read and written again.
            let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
            convert(&copied, &a, &[]);
            convert(&formatted, &b, &[]);
            assert_eq!(
                std::fs::read_to_string(&a).unwrap(),
                std::fs::read_to_string(&b).unwrap(),
                "{method}"
            );
        }
    }
    // No temporary file is left beside the outputs.
    let names = files_in(dir.path());
    assert!(!names.iter().any(|n| n.starts_with('.')), "{names:?}");
}

/// An over-sampler whose output was begun with the input's records, then
/// failed (a class too small for its neighbours), leaves no file behind.
#[test]
fn an_over_sampler_that_fails_leaves_no_begun_output() {
    let dir = tempfile::tempdir().unwrap();
    let src = write(
        dir.path(),
        "in.csv",
        b"a,b,y\n1,2,0\n2,3,0\n3,4,0\n4,5,0\n5,6,0\n6,7,1\n7,8,1\n",
    );
    for method in ["smote", "adasyn", "borderline"] {
        let o = resample(&src, method, &dir.path().join("out.csv"), &[]);
        assert!(!o.status.success(), "{method}");
        assert_eq!(files_in(dir.path()), ["in.csv"], "{method}: {}", stderr(&o));
    }
}

#[test]
fn samplers_that_only_pick_rows_read_only_the_labels() {
    let dir = tempfile::tempdir().unwrap();
    // A missing value and a word among the numbers: imbalanced-learn's
    // RandomUnderSampler and RandomOverSampler take any values.
    let mut text = unshortened().replace("\r\n", "\n");
    text = text.replacen("\n0.50,", "\n,", 1).replacen("\n1.50,", "\nabc,", 1);
    let src = write(dir.path(), "odd.csv", text.as_bytes());
    for method in ["rus", "ros"] {
        let out = dir.path().join(format!("{method}.csv"));
        ok_or_show(&resample(&src, method, &out, &[]));
        let written = std::fs::read_to_string(&out).unwrap();
        assert!(
            written.lines().skip(1).all(|r| text.lines().any(|l| l == r)),
            "{method}: {written}"
        );
    }
    // Samplers that compute on the values still refuse them, and so does a
    // picking sampler whose output is formatted (another format, --impute aside).
    let smote = resample(&src, "smote", &dir.path().join("smote.csv"), &[]);
    refused(&smote, &["smote"], "missing");
    let rus = resample(&src, "rus", &dir.path().join("rus.parquet"), &[]);
    refused(&rus, &["rus", "parquet"], "missing");
    // With --impute the values are imputed, so the rows are formatted.
    let out = dir.path().join("imputed.csv");
    ok_or_show(&resample(&src, "ros", &out, &["--impute", "--categorical", "x1"]));
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(!written.lines().any(|l| l.starts_with(',')), "{written}");
}
