//! `predict` checks the data against what the model was trained on.

mod common;
use std::path::Path;

use common::*;

/// Trains the default pipeline on `file` into `dir/m.json`.
fn train(dir: &Path, file: &Path) -> String {
    let model = dir.join("m.json");
    ok(&["train", file.to_str().unwrap(), "--out", model.to_str().unwrap()]);
    model.to_str().unwrap().to_string()
}

/// glass4.csv with its columns rearranged by `edit` (a function of the
/// fields of each line, header included).
fn edited(dir: &Path, name: &str, edit: impl Fn(Vec<&str>) -> Vec<String>) -> String {
    let text = std::fs::read_to_string(data("glass4.csv")).unwrap();
    let out: String = text
        .lines()
        .map(|l| edit(l.split(',').collect()).join(",") + "\n")
        .collect();
    let p = dir.join(name);
    std::fs::write(&p, out).unwrap();
    p.to_str().unwrap().to_string()
}

fn predict(model: &str, file: &str, out: &Path) -> std::process::Output {
    run(&["predict", model, file, "--out", out.to_str().unwrap()])
}

#[test]
fn reordered_columns_are_matched_by_name_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), &data("glass4.csv"));
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    let o = predict(&model, data("glass4.csv").to_str().unwrap(), &a);
    assert!(o.status.success() && !stderr(&o).contains("note"), "{}", stderr(&o));
    let reversed = edited(dir.path(), "rev.csv", |f| {
        f.into_iter().rev().map(str::to_string).collect()
    });
    let o = predict(&model, &reversed, &b);
    assert!(o.status.success(), "{}", stderr(&o));
    says(&o, "matched by name");
    assert_eq!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "same predictions"
    );
}

#[test]
fn extra_missing_and_retyped_columns_are_errors_that_name_them() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), &data("glass4.csv"));
    let out = dir.path().join("p.csv");
    let extra = edited(dir.path(), "extra.csv", |f| {
        let mut f: Vec<String> = f.into_iter().map(str::to_string).collect();
        let v = if f[0] == "f0" {
            "leak".to_string()
        } else {
            "1".to_string()
        };
        f.insert(0, v);
        f
    });
    let e = stderr(&predict(&model, &extra, &out));
    assert!(e.contains("column \"leak\" was not among the model's inputs"), "{e}");
    let missing = edited(dir.path(), "missing.csv", |f| {
        f.into_iter().skip(1).map(str::to_string).collect()
    });
    let e = stderr(&predict(&model, &missing, &out));
    assert!(e.contains("numeric input \"f0\" is missing"), "{e}");
    let text = edited(dir.path(), "text.csv", |f| {
        let mut f: Vec<String> = f.into_iter().map(str::to_string).collect();
        if f[0] != "f0" {
            f[0] = "high".into();
        }
        f
    });
    let e = stderr(&predict(&model, &text, &out));
    assert!(e.contains("\"f0\" was numeric in training but holds text here"), "{e}");
    assert!(!out.exists(), "no predictions written");
}

#[test]
fn unseen_categories_are_errors_and_unknown_labels_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), &data("flare-F.dat"));
    let text = std::fs::read_to_string(data("flare-F.dat")).unwrap();
    let out = dir.path().join("p.csv");
    // A category the training data did not have.
    let mut done = false;
    let unseen: String = text
        .lines()
        .map(|l| {
            if !done && l.starts_with("X, O,") {
                done = true;
                l.replacen("X, O,", "Z, O,", 1) + "\n"
            } else {
                l.to_string() + "\n"
            }
        })
        .collect();
    let unseen = unseen.replacen("{A,", "{Z, A,", 1).replacen("{ A,", "{ Z, A,", 1);
    let p = dir.path().join("unseen.dat");
    std::fs::write(&p, &unseen).unwrap();
    let e = stderr(&predict(&model, p.to_str().unwrap(), &out));
    assert!(e.contains("categories the model never saw: \"Z\""), "{e}");
    // A label the model does not know: predicted anyway, with a warning.
    let relabelled = text
        .replacen("negative\n", "maybe\n", 1)
        .replacen("{negative", "{maybe, negative", 1);
    let p = dir.path().join("labels.dat");
    std::fs::write(&p, relabelled).unwrap();
    let o = predict(&model, p.to_str().unwrap(), &out);
    assert!(o.status.success(), "{}", stderr(&o));
    says(&o, "1 row has the label \"maybe\", which the model does not know");
}

#[test]
fn predict_reads_files_as_users_have_them() {
    let dir = tempfile::tempdir().unwrap();
    let model = train(dir.path(), &data("glass4.csv"));
    // An id column to leave out, semicolons, gzip: --drop and the detection do it.
    let with_id = edited(dir.path(), "ids.csv", |f| {
        let id = if f[0] == "f0" {
            "id".to_string()
        } else {
            format!("r{}", f[0])
        };
        std::iter::once(id).chain(f.into_iter().map(str::to_string)).collect()
    });
    let semi = dir.path().join("ids.csv.gz");
    convert(Path::new(&with_id), &semi, &["--target", "target"]);
    let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.csv"));
    ok(&[
        "predict",
        &model,
        data("glass4.csv").to_str().unwrap(),
        "--out",
        a.to_str().unwrap(),
    ]);
    ok(&[
        "predict",
        &model,
        semi.to_str().unwrap(),
        "--drop",
        "id",
        "--out",
        b.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}
