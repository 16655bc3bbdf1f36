//! Parquet (cargo feature `parquet`), through Arrow record batches.
//!
//! Reading: integer and floating-point columns are numeric, string and
//! boolean columns text (categorical unless declared otherwise); nulls are
//! missing values. Writing: numeric features as `Float64`, categorical
//! features as `Utf8`, and the target as `Int64` when every label is an
//! integer, else `Utf8`.

use std::io::Write;
use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::ReadOptions;

#[cfg(not(feature = "parquet"))]
pub(crate) fn read_parquet(_bytes: Vec<u8>, _path: &Path, _opts: &ReadOptions) -> Result<Dataset> {
    Err(DataError::FeatureDisabled {
        format: "Parquet",
        feature: "parquet",
    })
}

#[cfg(not(feature = "parquet"))]
pub(crate) fn write_parquet(_ds: &Dataset, _w: &mut (dyn Write + Send)) -> Result<()> {
    Err(DataError::FeatureDisabled {
        format: "Parquet",
        feature: "parquet",
    })
}

#[cfg(feature = "parquet")]
pub(crate) use enabled::{read_parquet, write_parquet};

#[cfg(feature = "parquet")]
mod enabled {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::types::{
        Float32Type, Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type,
        UInt8Type,
    };
    use arrow_array::{Array, ArrayRef, Float64Array, Int64Array, RecordBatch, StringArray};
    use arrow_schema::{DataType, Field, Schema};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;

    use super::*;
    use crate::dataset::FeatureKind;
    use crate::io::resolve_target;
    use crate::table::{Cell, Declared, TableBuilder};

    fn err(path: &Path, e: impl std::fmt::Display) -> DataError {
        DataError::Syntax {
            path: path.to_path_buf(),
            line: 0,
            message: e.to_string(),
        }
    }

    /// The value of row `i` of a column as a cell; `None` for an unsupported type.
    fn cell(col: &dyn Array, i: usize) -> Option<Cell<'_>> {
        if col.is_null(i) {
            return Some(Cell::Missing);
        }
        let n = |v: f64| Some(Cell::Number(v));
        match col.data_type() {
            DataType::Float64 => n(col.as_primitive::<Float64Type>().value(i)),
            DataType::Float32 => n(col.as_primitive::<Float32Type>().value(i) as f64),
            DataType::Int64 => n(col.as_primitive::<Int64Type>().value(i) as f64),
            DataType::Int32 => n(col.as_primitive::<Int32Type>().value(i) as f64),
            DataType::Int16 => n(col.as_primitive::<Int16Type>().value(i) as f64),
            DataType::Int8 => n(col.as_primitive::<Int8Type>().value(i) as f64),
            DataType::UInt64 => n(col.as_primitive::<UInt64Type>().value(i) as f64),
            DataType::UInt32 => n(col.as_primitive::<UInt32Type>().value(i) as f64),
            DataType::UInt16 => n(col.as_primitive::<UInt16Type>().value(i) as f64),
            DataType::UInt8 => n(col.as_primitive::<UInt8Type>().value(i) as f64),
            DataType::Utf8 => Some(Cell::Text(col.as_string::<i32>().value(i))),
            DataType::LargeUtf8 => Some(Cell::Text(col.as_string::<i64>().value(i))),
            DataType::Boolean => Some(Cell::Text(if col.as_boolean().value(i) { "true" } else { "false" })),
            _ => None,
        }
    }

    pub(crate) fn read_parquet(bytes: Vec<u8>, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes::Bytes::from(bytes)).map_err(|e| err(path, e))?;
        let schema = builder.schema().clone();
        let names: Vec<String> = schema.fields().iter().map(|f| f.name().clone()).collect();
        if names.is_empty() {
            return Err(DataError::Empty {
                path: path.to_path_buf(),
            });
        }
        let target = crate::io::target_column(&names, opts.target.as_deref(), opts)?;
        let mut declared = vec![Declared::Infer; names.len()];
        for c in &opts.categorical {
            declared[resolve_target(&names, Some(c))?] = Declared::Categorical(None);
        }
        crate::table::select_columns(&names, target, &mut declared, opts)?;
        let mut table = TableBuilder::new(names.clone(), target, declared)?;
        let mut row = 0u64;
        for batch in builder.build().map_err(|e| err(path, e))? {
            let batch = batch.map_err(|e| err(path, e))?;
            for i in 0..batch.num_rows() {
                row += 1;
                let mut cells = Vec::with_capacity(batch.num_columns());
                for (j, col) in batch.columns().iter().enumerate() {
                    cells.push(cell(col.as_ref(), i).ok_or_else(|| {
                        err(
                            path,
                            format!(
                                "column {:?} has type {}, which is not supported",
                                names[j],
                                col.data_type()
                            ),
                        )
                    })?);
                }
                table.push_cells(cells.into_iter(), row);
            }
        }
        table.finish(path, opts.impute)
    }

    pub(crate) fn write_parquet(ds: &Dataset, w: &mut (dyn Write + Send)) -> Result<()> {
        let io = |e: parquet::errors::ParquetError| DataError::Invalid(format!("cannot write Parquet: {e}"));
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        let (num, cat) = (ds.numeric(), ds.categorical());
        for f in ds.features() {
            match f.kind {
                FeatureKind::Numeric => {
                    fields.push(Field::new(&f.name, DataType::Float64, false));
                    columns.push(Arc::new(Float64Array::from(num.column(f.index).to_vec())));
                }
                FeatureKind::Categorical => {
                    fields.push(Field::new(&f.name, DataType::Utf8, false));
                    let dict = &ds.categories()[f.index];
                    let values = cat
                        .column(f.index)
                        .iter()
                        .map(|&c| dict[c as usize].as_str())
                        .collect::<Vec<_>>();
                    columns.push(Arc::new(StringArray::from(values)));
                }
            }
        }
        let labels: Vec<&str> = ds.y().iter().map(|&c| ds.classes()[c].as_str()).collect();
        let ints: Option<Vec<i64>> = ds.classes().iter().map(|l| l.parse().ok()).collect();
        let (field, column): (Field, ArrayRef) = match ints {
            Some(codes) => {
                let values: Vec<i64> = ds.y().iter().map(|&c| codes[c]).collect();
                (
                    Field::new(ds.target_name(), DataType::Int64, false),
                    Arc::new(Int64Array::from(values)),
                )
            }
            None => (
                Field::new(ds.target_name(), DataType::Utf8, false),
                Arc::new(StringArray::from(labels)),
            ),
        };
        if ds.is_labelled() {
            fields.insert(ds.target_position(), field);
            columns.insert(ds.target_position(), column);
        }
        let schema = Arc::new(Schema::new(fields));
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| DataError::Invalid(format!("cannot write Parquet: {e}")))?;
        let mut writer = ArrowWriter::try_new(w, schema, None).map_err(io)?;
        writer.write(&batch).map_err(io)?;
        writer.close().map_err(io)?;
        Ok(())
    }
}
