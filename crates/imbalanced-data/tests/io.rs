//! Readers and writers: real KEEL files, round trips, and every kind of bad input.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use imbalanced_data::{read, read_csv, read_keel, write, DataError, FeatureKind, ReadOptions};
use proptest::prelude::*;

fn repo_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/keel").join(name)
}

fn csv(text: &str) -> Result<imbalanced_data::Dataset, DataError> {
    read_csv(Cursor::new(text), Path::new("test.csv"), &ReadOptions::default())
}

fn csv_with(text: &str, opts: &ReadOptions) -> Result<imbalanced_data::Dataset, DataError> {
    read_csv(Cursor::new(text), Path::new("test.csv"), opts)
}

#[test]
fn reads_bundled_keel_csv() {
    let ds = read(repo_data("glass4.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(ds.n_samples(), 214);
    assert_eq!(ds.numeric().ncols(), 9);
    assert_eq!(ds.classes(), ["0", "1"]);
    assert_eq!(ds.class_counts(), [201, 13]);
    assert_eq!(ds.target_name(), "target");
}

#[test]
fn reads_keel_dat_with_its_output_attribute() {
    let ds = read(repo_data("glass4.dat"), &ReadOptions::default()).unwrap();
    assert_eq!(ds.n_samples(), 214);
    assert_eq!(ds.classes(), ["negative", "positive"]);
    assert_eq!(ds.class_counts(), [201, 13]);
    assert_eq!(ds.features()[0].name, "RI");
    // Same numbers as the CSV export of the same file.
    let csv = read(repo_data("glass4.csv"), &ReadOptions::default()).unwrap();
    assert_eq!(ds.numeric(), csv.numeric());
}

#[test]
fn keel_categorical_attributes_are_categorical() {
    let ds = read(repo_data("flare-F.dat"), &ReadOptions::default()).unwrap();
    assert_eq!(ds.n_samples(), 1066);
    assert!(ds.features().iter().all(|f| f.kind == FeatureKind::Categorical));
    assert_eq!(ds.categories()[0], ["A", "H", "K", "R", "S", "X"]);
    assert_eq!(ds.classes(), ["negative", "positive"]);
}

#[test]
fn round_trips_keep_names_order_and_strings() {
    let text = "colour,size,label,weight\nred,1.5,yes,10\nblue,2,no,11\nred,3.25,no,12\n";
    let ds = csv_with(
        text,
        &ReadOptions {
            target: Some("label".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(ds.target_position(), 2);
    let dir = tempfile::tempdir().unwrap();
    for ext in ["csv", "dat", "arff"] {
        let path = dir.path().join(format!("out.{ext}"));
        write(&ds, &path).unwrap();
        let opts = ReadOptions {
            target: Some("label".into()),
            ..Default::default()
        };
        let back = read(&path, &opts).unwrap();
        assert_eq!(back, ds, "{ext}");
    }
    let written = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    assert_eq!(written, text);
}

#[test]
fn words_make_a_column_categorical_and_declarations_force_it() {
    let ds = csv("a,b,y\nx,1,0\nz,2,1\n").unwrap();
    assert_eq!(ds.features()[0].kind, FeatureKind::Categorical);
    assert_eq!(ds.features()[1].kind, FeatureKind::Numeric);
    let opts = ReadOptions {
        categorical: vec!["b".into()],
        ..Default::default()
    };
    let ds = csv_with("a,b,y\nx,1,0\nz,2,1\n", &opts).unwrap();
    assert_eq!(ds.features()[1].kind, FeatureKind::Categorical);
}

#[test]
fn imputation_fills_median_and_mode() {
    let opts = ReadOptions {
        impute: true,
        ..Default::default()
    };
    let ds = csv_with("a,c,y\n1,u,0\n,v,1\n3,,0\n10,v,1\n", &opts).unwrap();
    assert_eq!(ds.numeric().column(0).to_vec(), [1.0, 3.0, 3.0, 10.0]);
    let cat: Vec<&str> = ds
        .categorical()
        .column(0)
        .iter()
        .map(|&c| ds.categories()[0][c as usize].as_str())
        .collect();
    assert_eq!(cat, ["u", "v", "v", "v"]);
}

fn err(text: &str) -> String {
    csv(text).unwrap_err().to_string()
}

#[test]
fn bad_csv_input_gets_a_message_that_says_what_to_fix() {
    assert!(err("").contains("empty"), "{}", err(""));
    assert!(err("a,b,y\n").contains("no data rows"));
    let e = err("a,b,y\n1,2,0\n1,2\n");
    assert!(e.contains("line 3") && e.contains("2 fields") && e.contains("3"), "{e}");
    let e = err("a,b,y\n1,2,0\nnan,2,1\n");
    assert!(
        e.contains("missing value") && !e.contains("--") && e.contains("impute missing values") && e.contains("\"a\""),
        "{e}"
    );
    let e = err("a,b,y\n1,2,0\ninf,2,1\n");
    assert!(e.contains("not finite"), "{e}");
    let e = err("a,b,y\n1,2,0\n1,oops,1\n3,4,0\n");
    assert!(
        e.contains("\"oops\" on line 3") && e.contains("declare the column categorical") && !e.contains("--"),
        "{e}"
    );
    let e = err("a,a,y\n1,2,0\n");
    assert!(e.contains("appears twice"), "{e}");
    let e = err("a,b,y\n1,2,\n");
    assert!(e.contains("missing label"), "{e}");
    let e = csv_with(
        "a,b,y\n1,2,0\n",
        &ReadOptions {
            target: Some("label".into()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("unknown column \"label\"") && e.contains("a, b, y"), "{e}");
}

#[test]
fn bad_keel_input_is_an_error() {
    let keel = |t: &str| read_keel(Cursor::new(t), Path::new("t.dat"), &ReadOptions::default());
    assert!(matches!(keel(""), Err(DataError::Empty { .. })));
    assert!(keel("@relation r\n@attribute a real\n")
        .unwrap_err()
        .to_string()
        .contains("@data"));
    assert!(keel("@relation r\n@attribute a date\n@data\n").is_err());
    let e = keel("@attribute a real\n@attribute c {p, n}\n@data\n1, p\n2\n").unwrap_err();
    assert!(matches!(e, DataError::Ragged { line: 5, .. }), "{e}");
    let e = keel("@attribute a real\n@attribute c {p, n}\n@data\nx, p\n").unwrap_err();
    assert!(e.to_string().contains("\"x\""), "{e}");
    let e = keel("@attribute a {u, v}\n@attribute c {p, n}\n@data\nw, p\n").unwrap_err();
    assert!(e.to_string().contains("does not declare"), "{e}");
    let ok = keel("% comment\n@attribute 'a b' real\n@attribute c {p, n}\n@data\n1, p\n?, n\n");
    assert!(ok.unwrap_err().to_string().contains("missing value"));
}

#[test]
fn unreadable_and_unwritable_paths_are_errors() {
    let e = read("/nonexistent/x.csv", &ReadOptions::default()).unwrap_err();
    assert!(e.to_string().contains("cannot open"), "{e}");
    let e = read(repo_data("README.md"), &ReadOptions::default()).unwrap_err();
    assert!(matches!(e, DataError::UnknownFormat { .. }), "{e}");
    let ds = csv("a,y\n1,0\n2,1\n").unwrap();
    assert!(write(&ds, "/nonexistent/dir/out.csv").is_err());
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let ds = csv("a,y\n1,0\n2,1\n").unwrap();
    let path = dir.path().join("out.csv");
    let r = imbalanced_data::write_atomic(&path, |_| Err(DataError::Invalid("boom".into())));
    assert!(r.is_err());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    write(&ds, &path).unwrap();
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

proptest! {
    // Fuzzing without a corpus: arbitrary text never makes a reader panic.
    #[test]
    fn csv_reader_never_panics(text in "[a-z0-9,.\\-\"\n ?]{0,200}") {
        let _ = csv(&text);
    }

    #[test]
    fn any_delimiter_option_and_text_never_panic(
        text in "[a-z0-9,;|\\t.\\-\"\\r\\n ?\u{feff}]{0,200}",
        delimiter in proptest::option::of(proptest::sample::select(vec![b',', b';', b'\t', b'|', b' '])),
        decimal_comma in any::<bool>(),
        no_header in any::<bool>(),
    ) {
        let opts = ReadOptions { delimiter, decimal_comma, no_header, ..Default::default() };
        let _ = read_csv(Cursor::new(text), Path::new("t.csv"), &opts);
    }

    #[test]
    fn damaged_compressed_files_are_errors_not_panics(
        magic in proptest::sample::select(vec![&[0x1f, 0x8b][..], &[0x28, 0xb5, 0x2f, 0xfd][..], &b"BZh"[..]]),
        tail in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.csv");
        let mut bytes = magic.to_vec();
        bytes.extend(tail);
        std::fs::write(&path, bytes).unwrap();
        prop_assert!(read(&path, &ReadOptions::default()).is_err());
    }

    #[test]
    fn keel_reader_never_panics(body in "[a-z0-9,.{}'@ \n?%\\[\\]]{0,200}") {
        let text = format!("@relation r\n@attribute a real\n@attribute c {{p, n}}\n{body}");
        let _ = read_keel(Cursor::new(text), Path::new("t.dat"), &ReadOptions::default());
    }

    #[test]
    fn numeric_csv_round_trips_exactly(values in proptest::collection::vec(-1e6f64..1e6, 2..40)) {
        let mut text = String::from("x,y\n");
        for (i, v) in values.iter().enumerate() {
            text.push_str(&format!("{v:?},{}\n", i % 2));
        }
        let ds = csv(&text).unwrap();
        let mut out = Vec::new();
        imbalanced_data::write_csv(&ds, &mut out).unwrap();
        let back = csv(std::str::from_utf8(&out).unwrap()).unwrap();
        prop_assert_eq!(back, ds);
    }
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_round_trips_numeric_categorical_and_labels() {
    let dir = tempfile::tempdir().unwrap();
    for (text, target) in [
        (
            "colour,size,label,weight\nred,1.5,yes,10\nblue,2,no,11\nred,3.25,no,12\n",
            "label",
        ),
        ("a,b,y\n0.5,1,0\n1.5,2,1\n2.5,3,1\n", "y"),
    ] {
        let opts = ReadOptions {
            target: Some(target.into()),
            ..Default::default()
        };
        let ds = csv_with(text, &opts).unwrap();
        let path = dir.path().join("out.parquet");
        write(&ds, &path).unwrap();
        assert_eq!(read(&path, &opts).unwrap(), ds);
    }
    let ds = read(repo_data("glass4.csv"), &ReadOptions::default()).unwrap();
    let path = dir.path().join("glass4.parquet");
    write(&ds, &path).unwrap();
    assert_eq!(read(&path, &ReadOptions::default()).unwrap(), ds);
    std::fs::write(dir.path().join("bad.parquet"), b"not parquet at all").unwrap();
    assert!(read(dir.path().join("bad.parquet"), &ReadOptions::default()).is_err());
}

/// More rows than one decoded batch (65,536), a column dropped, a
/// categorical and a numeric label column: the batches meet in one matrix,
/// compacted where it lies, equal to the CSV reading of the same table.
#[cfg(feature = "parquet")]
#[test]
fn parquet_over_many_batches_equals_the_csv_reading() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,a,colour,b,label\n");
    for i in 0..150_001u64 {
        let a = (i as f64).sqrt() * if i % 7 == 0 { -1.0 } else { 1.0 };
        let colour = ["red", "green", "blue"][(i % 3) as usize];
        text.push_str(&format!("{i},{a:?},{colour},{},{}\n", i % 11, (i * 7919) % 5));
    }
    let opts = ReadOptions {
        target: Some("label".into()),
        drop: vec!["id".into()],
        ..Default::default()
    };
    let ds = csv_with(&text, &opts).unwrap();
    assert_eq!(ds.n_samples(), 150_001);
    let full = csv_with(
        &text,
        &ReadOptions {
            target: Some("label".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let path = dir.path().join("many.parquet");
    write(&full, &path).unwrap();
    assert_eq!(read(&path, &opts).unwrap(), ds);
}

/// A float column without nulls is checked as its batch is copied into
/// the matrix: an infinite value in a later batch is an error that names
/// its column and line (the row counted from 1), and so is NaN there.
#[cfg(feature = "parquet")]
#[test]
fn parquet_non_finite_values_are_errors_that_name_their_row() {
    use std::sync::Arc;

    use arrow_array::{ArrayRef, Float64Array, Int64Array, RecordBatch};
    let dir = tempfile::tempdir().unwrap();
    for (bad, value) in [
        (100_000usize, f64::INFINITY),
        (3, f64::NAN),
        (70_000, f64::NEG_INFINITY),
    ] {
        let n = 140_000;
        let a: Vec<f64> = (0..n).map(|i| if i == bad { value } else { i as f64 * 0.5 }).collect();
        let b: Vec<f64> = (0..n).map(|i| -(i as f64)).collect();
        let y: Vec<i64> = (0..n).map(|i| (i % 3) as i64).collect();
        let columns: Vec<(&str, ArrayRef)> = vec![
            ("b", Arc::new(Float64Array::from(b))),
            ("a", Arc::new(Float64Array::from(a))),
            ("y", Arc::new(Int64Array::from(y))),
        ];
        let batch = RecordBatch::try_from_iter(columns).unwrap();
        let path = dir.path().join("bad.parquet");
        let mut w =
            parquet::arrow::ArrowWriter::try_new(std::fs::File::create(&path).unwrap(), batch.schema(), None).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let e = read(&path, &ReadOptions::default()).unwrap_err().to_string();
        let line = format!("line {}:", bad + 1);
        assert!(e.contains("column \"a\"") && e.contains(&line), "{e}");
    }
}

#[cfg(not(feature = "parquet"))]
#[test]
fn parquet_without_the_feature_says_how_to_enable_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.parquet");
    std::fs::write(&path, b"PAR1").unwrap();
    let e = read(&path, &ReadOptions::default()).unwrap_err().to_string();
    assert!(e.contains("--features parquet"), "{e}");
}

#[test]
fn unlabelled_data_reads_every_column_as_a_feature() {
    let opts = ReadOptions {
        unlabelled: true,
        target: Some("ignored".into()),
        ..Default::default()
    };
    let ds = csv_with("a,b,c\n1,x,3\n4,y,6\n", &opts).unwrap();
    assert!(!ds.is_labelled());
    assert_eq!(ds.numeric_names().collect::<Vec<_>>(), ["a", "c"]);
    assert_eq!(ds.categories(), [vec!["x".to_string(), "y".to_string()]]);
    assert_eq!(ds.y(), [0, 0]);
    let keel = "@relation r\n@attribute a real\n@attribute cls {p,n}\n@data\n1,p\n2,n\n";
    let ds = read_keel(Cursor::new(keel), Path::new("r.dat"), &opts).unwrap();
    assert!(!ds.is_labelled());
    assert_eq!(ds.features().len(), 2);
    assert!(csv("a,b\n1,x\n").unwrap().is_labelled());
    // Missing values in a feature are still an error naming the column.
    let e = csv_with("a,b\n1,\n2,3\n", &opts).unwrap_err().to_string();
    assert!(e.contains("\"b\""), "{e}");
}

#[test]
fn numeric_columns_can_be_taken_out_of_the_features() {
    let ds = csv("f1,l1,f2,l2,y\n1,0,2,1,a\n3,1,4,0,b\n").unwrap();
    let (rest, labels) = ds.take_numeric_columns(&["l2", "l1"]).unwrap();
    assert_eq!(labels, ndarray::array![[1.0, 0.0], [0.0, 1.0]]);
    assert_eq!(rest.numeric_names().collect::<Vec<_>>(), ["f1", "f2"]);
    assert_eq!(rest.numeric(), ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
    assert_eq!(rest.target_position(), 2);
    let mut row = Vec::new();
    rest.row_text(1, &mut row);
    assert_eq!(row, ["3", "4", "b"]);
    assert!(matches!(
        ds.take_numeric_columns(&["nope"]),
        Err(DataError::UnknownColumn { .. })
    ));
    let cat = csv("f1,l1,y\n1,u,a\n3,v,b\n").unwrap();
    let e = cat.take_numeric_columns(&["l1"]).unwrap_err().to_string();
    assert!(e.contains("categorical"), "{e}");
}
