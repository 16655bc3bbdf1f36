//! Helpers shared by the CLI's end-to-end tests.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_imbalanced"))
}

/// Runs `imbalanced ARGS`, whatever its exit status.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Runs `imbalanced ARGS` and asserts that it succeeded (showing its stderr if not).
pub fn ok(args: &[&str]) -> Output {
    let o = run(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    o
}

/// A bundled KEEL dataset (`data/keel/NAME`).
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/keel").join(name)
}

/// `imbalanced ARGS`, which must succeed, with its standard output read as JSON.
pub fn json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&ok(args).stdout).unwrap()
}

/// `imbalanced convert FROM TO EXTRA...`, which must succeed.
pub fn convert(from: &Path, to: &Path, extra: &[&str]) -> Output {
    let mut args = vec!["convert", from.to_str().unwrap(), to.to_str().unwrap()];
    args.extend_from_slice(extra);
    ok(&args)
}

/// Asserts that `output` (of `imbalanced ARGS`) failed with `text` in its
/// standard error, and without a panic.
pub fn refused(output: &Output, args: &[&str], text: &str) {
    assert!(!output.status.success(), "{args:?} should fail");
    let e = stderr(output);
    assert!(e.contains(text), "{args:?}: expected {text:?} in {e}");
    assert!(!e.contains("panicked"), "{args:?}: {e}");
}

/// Asserts that the command's standard error contains `text`.
pub fn says(o: &Output, text: &str) {
    assert!(stderr(o).contains(text), "expected {text:?} in: {}", stderr(o));
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
