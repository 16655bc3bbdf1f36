//! KEEL `.dat` and Weka ARFF: a typed `@attribute` header, then `@data` rows.
//!
//! KEEL adds `@inputs`/`@outputs` lines naming the features and the target
//! and writes numeric ranges (`real [0.0, 4.5]`); ARFF has `numeric` types and
//! `%` comments. Both mark missing values with `?` (KEEL also `<null>`).

use std::io::{BufRead, Write};
use std::path::Path;

use crate::dataset::{Dataset, FeatureKind};
use crate::error::{DataError, Result};
use crate::io::{format_number, resolve_target, target_column, ReadOptions};
use crate::table::{Declared, TableBuilder};

/// Which dialect to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Keel,
    Arff,
}

/// Splits a leading attribute name (possibly quoted) from the rest of the line.
fn split_name(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    let q = s.chars().next()?;
    if q == '\'' || q == '"' {
        let end = s[1..].find(q)? + 1;
        Some((s[1..end].to_string(), &s[end + 1..]))
    } else {
        let end = s.find(|c: char| c.is_whitespace() || c == '{').unwrap_or(s.len());
        Some((s[..end].to_string(), &s[end..]))
    }
}

fn unquote(s: &str) -> &str {
    let s = s.trim();
    for q in ['\'', '"'] {
        if s.len() >= 2 && s.starts_with(q) && s.ends_with(q) {
            return &s[1..s.len() - 1];
        }
    }
    s
}

fn parse_type(t: &str) -> std::result::Result<Declared, String> {
    let t = t.trim();
    if let Some(rest) = t.strip_prefix('{') {
        let inner = rest
            .trim_end()
            .strip_suffix('}')
            .ok_or("a '{' list without its closing '}'")?;
        let values = inner
            .split(',')
            .map(|v| unquote(v).to_string())
            .filter(|v| !v.is_empty());
        return Ok(Declared::Categorical(Some(values.collect())));
    }
    let word = t.split(|c: char| c.is_whitespace() || c == '[').next().unwrap_or("");
    match word.to_ascii_lowercase().as_str() {
        "real" | "integer" | "numeric" => Ok(Declared::Numeric),
        "string" => Ok(Declared::Categorical(None)),
        other => Err(format!(
            "attribute type {other:?} is not supported: use real, integer, numeric, string or {{a, b, ...}}"
        )),
    }
}

/// Reads a KEEL or ARFF file. `path` only names the source in error messages.
pub fn read_keel<R: BufRead>(reader: R, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
    let syntax = |line: u64, message: String| DataError::Syntax {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut names = Vec::new();
    let mut declared = Vec::new();
    let mut outputs: Vec<String> = Vec::new();
    let mut table: Option<TableBuilder> = None;
    let mut saw_anything = false;
    for (i, line) in reader.lines().enumerate() {
        let line_no = i as u64 + 1;
        let line = line.map_err(|e| DataError::Io {
            action: "read",
            path: path.to_path_buf(),
            source: e,
        })?;
        let t = line.trim();
        if t.is_empty() || t.starts_with('%') {
            continue;
        }
        saw_anything = true;
        if let Some(tb) = table.as_mut() {
            if t.starts_with('{') {
                return Err(syntax(line_no, "sparse ARFF rows are not supported".into()));
            }
            let fields: Vec<&str> = t.split(',').map(unquote).collect();
            if fields.len() != tb.n_columns() {
                return Err(DataError::Ragged {
                    line: line_no,
                    expected: tb.n_columns(),
                    found: fields.len(),
                });
            }
            tb.push_row(fields.into_iter(), line_no);
            continue;
        }
        let lower = t.to_ascii_lowercase();
        if lower.starts_with("@attribute") {
            let (name, rest) = split_name(&t["@attribute".len()..])
                .ok_or_else(|| syntax(line_no, "@attribute without a name".into()))?;
            declared.push(parse_type(rest).map_err(|m| syntax(line_no, m))?);
            names.push(name);
        } else if lower.starts_with("@output") {
            let rest = t.split_once(char::is_whitespace).map_or("", |x| x.1);
            outputs = rest
                .split(',')
                .map(|s| unquote(s).to_string())
                .filter(|s| !s.is_empty())
                .collect();
        } else if lower.starts_with("@data") {
            if names.is_empty() {
                return Err(syntax(line_no, "@data before any @attribute".into()));
            }
            let wanted = opts
                .target
                .clone()
                .or_else(|| (outputs.len() == 1).then(|| outputs[0].clone()));
            let target = target_column(&names, wanted.as_deref(), opts)?;
            let mut declared = std::mem::take(&mut declared);
            for c in &opts.categorical {
                let j = resolve_target(&names, Some(c))?;
                if !matches!(declared[j], Declared::Categorical(_)) {
                    declared[j] = Declared::Categorical(None);
                }
            }
            crate::table::select_columns(&names, target, &mut declared, opts)?;
            table = Some(TableBuilder::new(std::mem::take(&mut names), target, declared)?);
        } else if lower.starts_with("@relation") || lower.starts_with("@input") {
            // The relation name and the inputs list carry nothing we need.
        } else {
            return Err(syntax(line_no, format!("unexpected header line {t:?} before @data")));
        }
    }
    match table {
        Some(tb) => tb.finish(path, opts.impute),
        None if !saw_anything => Err(DataError::Empty {
            path: path.to_path_buf(),
        }),
        None => Err(syntax(0, "no @data line: the header must end with @data".into())),
    }
}

fn quote_name(name: &str) -> String {
    if name.is_empty() || name.contains(|c: char| c.is_whitespace() || ",{}'\"%".contains(c)) {
        format!("'{}'", name.replace('\'', "\\'"))
    } else {
        name.to_string()
    }
}

/// Writes `ds` as KEEL `.dat` or ARFF, named `relation`.
pub fn write_keel<W: Write>(ds: &Dataset, relation: &str, dialect: Dialect, mut w: W) -> Result<()> {
    let io = |e: std::io::Error| DataError::Invalid(format!("cannot write: {e}"));
    writeln!(w, "@relation {}", quote_name(relation)).map_err(io)?;
    let num = ds.numeric();
    let mut attrs: Vec<String> = ds
        .features()
        .iter()
        .map(|f| {
            let ty = match f.kind {
                FeatureKind::Categorical => format!("{{{}}}", ds.categories()[f.index].join(", ")),
                FeatureKind::Numeric if dialect == Dialect::Arff => "numeric".to_string(),
                FeatureKind::Numeric => {
                    let col = num.column(f.index);
                    let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    format!("real [{}, {}]", format_number(lo), format_number(hi))
                }
            };
            format!("@attribute {} {ty}", quote_name(&f.name))
        })
        .collect();
    if ds.is_labelled() {
        attrs.insert(
            ds.target_position(),
            format!(
                "@attribute {} {{{}}}",
                quote_name(ds.target_name()),
                ds.classes().join(", ")
            ),
        );
    }
    for a in &attrs {
        writeln!(w, "{a}").map_err(io)?;
    }
    if dialect == Dialect::Keel {
        let inputs: Vec<String> = ds.features().iter().map(|f| quote_name(&f.name)).collect();
        writeln!(w, "@inputs {}", inputs.join(", ")).map_err(io)?;
        if ds.is_labelled() {
            writeln!(w, "@outputs {}", quote_name(ds.target_name())).map_err(io)?;
        }
    }
    writeln!(w, "@data").map_err(io)?;
    let mut row = Vec::new();
    for i in 0..ds.n_samples() {
        ds.row_text(i, &mut row);
        writeln!(w, "{}", row.join(", ")).map_err(io)?;
    }
    w.flush().map_err(io)
}
