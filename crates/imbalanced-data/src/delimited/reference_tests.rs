//! CSV with a header line.

use std::io::{Read, Write};
use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::{resolve_target, target_column, ReadOptions};
use crate::table::{Declared, TableBuilder};

/// Reads CSV text. `path` only names the source in error messages.
pub fn read_csv<R: Read>(reader: R, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
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
    if header.is_empty() || (header.len() == 1 && header[0].is_empty()) {
        return Err(DataError::Empty {
            path: path.to_path_buf(),
        });
    }
    let names: Vec<String> = header.iter().map(str::to_string).collect();
    let target = target_column(&names, opts.target.as_deref(), opts)?;
    let mut declared = vec![Declared::Infer; names.len()];
    for c in &opts.categorical {
        let j = resolve_target(&names, Some(c))?;
        declared[j] = Declared::Categorical(None);
    }
    let mut table = TableBuilder::new(names, target, declared)?;
    let mut record = csv::StringRecord::new();
    while rdr.read_record(&mut record).map_err(csv_err)? {
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].is_empty() {
            continue; // a blank line
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

/// Writes `ds` as CSV: the original column order and names, the target in
/// its original position, original label and category strings.
pub fn write_csv<W: Write>(ds: &Dataset, writer: W) -> Result<()> {
    let mut w = csv::Writer::from_writer(writer);
    let to_io = |e: csv::Error| DataError::Invalid(format!("cannot write CSV: {e}"));
    let mut header: Vec<&str> = ds.features().iter().map(|f| f.name.as_str()).collect();
    header.insert(ds.target_position(), ds.target_name());
    w.write_record(&header).map_err(to_io)?;
    let mut row: Vec<String> = Vec::with_capacity(header.len());
    for i in 0..ds.n_samples() {
        ds.row_text(i, &mut row);
        w.write_record(&row).map_err(to_io)?;
    }
    w.flush()
        .map_err(|e| DataError::Invalid(format!("cannot write CSV: {e}")))?;
    Ok(())
}
