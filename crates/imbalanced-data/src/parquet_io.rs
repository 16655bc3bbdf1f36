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
use crate::source::Bytes;

#[cfg(not(feature = "parquet"))]
pub(crate) fn read_parquet(_bytes: Bytes, _path: &Path, _opts: &ReadOptions) -> Result<Dataset> {
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
    use parquet::arrow::{ArrowWriter, ProjectionMask};
    use parquet::file::properties::WriterProperties;
    use parquet::schema::types::ColumnPath;
    use rayon::prelude::*;

    use super::*;
    use crate::dataset::FeatureKind;
    use crate::io::resolve_target;
    use crate::table::{Cell, ColumnWriter, Declared, TableBuilder};

    fn err(path: &Path, e: impl std::fmt::Display) -> DataError {
        DataError::Syntax {
            path: path.to_path_buf(),
            line: 0,
            message: e.to_string(),
        }
    }

    /// Gives every row of `col` to `w`, reading the typed array once (not
    /// the type per value); an unsupported type is an error.
    fn cells<'v>(col: &'v dyn Array, w: &mut ColumnWriter<'_, 'v>) -> std::result::Result<(), String> {
        fn numbers<T: arrow_array::ArrowPrimitiveType>(
            col: &dyn Array,
            w: &mut ColumnWriter<'_, '_>,
            to_f64: impl Fn(T::Native) -> f64,
        ) {
            let values = col.as_primitive::<T>();
            for (i, v) in values.values().iter().enumerate() {
                w.cell(
                    i,
                    if col.is_null(i) {
                        Cell::Missing
                    } else {
                        Cell::Number(to_f64(*v))
                    },
                );
            }
        }
        let mut cell = |i, c| w.cell(i, c);
        match col.data_type() {
            DataType::Float64 if col.null_count() == 0 => w.numbers(col.as_primitive::<Float64Type>().values()),
            DataType::Float64 => numbers::<Float64Type>(col, w, |v| v),
            DataType::Float32 => numbers::<Float32Type>(col, w, f64::from),
            DataType::Int64 => numbers::<Int64Type>(col, w, |v| v as f64),
            DataType::Int32 => numbers::<Int32Type>(col, w, f64::from),
            DataType::Int16 => numbers::<Int16Type>(col, w, f64::from),
            DataType::Int8 => numbers::<Int8Type>(col, w, f64::from),
            DataType::UInt64 => numbers::<UInt64Type>(col, w, |v| v as f64),
            DataType::UInt32 => numbers::<UInt32Type>(col, w, f64::from),
            DataType::UInt16 => numbers::<UInt16Type>(col, w, f64::from),
            DataType::UInt8 => numbers::<UInt8Type>(col, w, f64::from),
            DataType::Utf8 | DataType::LargeUtf8 => {
                let text = |i| match col.data_type() {
                    DataType::Utf8 => col.as_string::<i32>().value(i),
                    _ => col.as_string::<i64>().value(i),
                };
                (0..col.len()).for_each(|i| {
                    cell(
                        i,
                        if col.is_null(i) {
                            Cell::Missing
                        } else {
                            Cell::Text(text(i))
                        },
                    )
                });
            }
            DataType::Boolean => {
                let a = col.as_boolean();
                (0..col.len()).for_each(|i| {
                    let text = if a.value(i) { "true" } else { "false" };
                    cell(i, if a.is_null(i) { Cell::Missing } else { Cell::Text(text) })
                });
            }
            other => return Err(format!("type {other}, which is not supported")),
        }
        Ok(())
    }

    /// Reads Parquet from `bytes` without copying them (a mapped file stays mapped).
    /// The columns are decoded by one reader per thread, each reading every
    /// `threads`-th column (decoding is most of the time), a batch of rows
    /// at a time: each batch goes into the table while the next is decoded,
    /// then its memory is reused (decoding the whole file first held a
    /// second copy of it).
    pub(crate) fn read_parquet(bytes: Bytes, path: &Path, opts: &ReadOptions) -> Result<Dataset> {
        let bytes = bytes::Bytes::from_owner(bytes);
        let builder = ParquetRecordBatchReaderBuilder::try_new(bytes.clone()).map_err(|e| err(path, e))?;
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
        let rows = builder.metadata().file_metadata().num_rows();
        let groups = rayon::current_num_threads().clamp(1, names.len());
        let parquet_schema = builder.parquet_schema().clone();
        let mut readers = (0..groups)
            .map(|g| {
                let mask = ProjectionMask::roots(&parquet_schema, (g..names.len()).step_by(groups));
                ParquetRecordBatchReaderBuilder::try_new(bytes.clone())
                    .and_then(|b| b.with_projection(mask).with_batch_size(1 << 16).build())
                    .map_err(|e| err(path, e))
            })
            .collect::<Result<Vec<_>>>()?;
        // The next batch of every group, or `None` at the end.
        let mut decode = || -> Result<Option<Vec<RecordBatch>>> {
            let next: Vec<Option<std::result::Result<RecordBatch, _>>> =
                readers.par_iter_mut().map(Iterator::next).collect();
            if next.iter().all(Option::is_none) {
                return Ok(None);
            }
            // Every group reads the same row groups in batches of the same size.
            let disagree = || err(path, "the column readers disagree on the row batches");
            let batches = next
                .into_iter()
                .map(|b| b.ok_or_else(disagree)?.map_err(|e| err(path, e)))
                .collect::<Result<Vec<RecordBatch>>>()?;
            if batches.iter().any(|b| b.num_rows() != batches[0].num_rows()) {
                return Err(disagree());
            }
            Ok(Some(batches))
        };
        // Room for the file's rows is made while the first batch is decoded.
        let ((), mut batches) = rayon::join(|| table.reserve_rows(usize::try_from(rows).unwrap_or(0)), &mut decode);
        let mut row = 1u64;
        while let Some(current) = batches? {
            let n = current[0].num_rows();
            let push = || {
                table.push_columns(n, row, |j, cell| {
                    let column = current[j % groups].column(j / groups);
                    cells(column.as_ref(), cell).map_err(|m| err(path, format!("column {:?} has {m}", names[j])))
                })
            };
            let (next, pushed) = rayon::join(&mut decode, push);
            pushed?;
            batches = next;
            row += n as u64;
        }
        table.finish(path, opts.impute)
    }

    pub(crate) fn write_parquet(ds: &Dataset, w: &mut (dyn Write + Send)) -> Result<()> {
        let io = |e: parquet::errors::ParquetError| DataError::Invalid(format!("cannot write Parquet: {e}"));
        let mut fields = Vec::new();
        let mut columns: Vec<ArrayRef> = Vec::new();
        let (num, cat) = (ds.numeric(), ds.categorical());
        // The numeric columns in one pass over the rows: gathering each column
        // on its own strides through the whole matrix once per column.
        let mut numeric: Vec<Vec<f64>> = vec![Vec::with_capacity(num.nrows()); num.ncols()];
        for row in num.rows() {
            for (out, &v) in numeric.iter_mut().zip(row) {
                out.push(v);
            }
        }
        let mut numeric = numeric.into_iter().map(Some).collect::<Vec<_>>();
        for f in ds.features() {
            match f.kind {
                FeatureKind::Numeric => {
                    fields.push(Field::new(&f.name, DataType::Float64, false));
                    let values = numeric[f.index].take().unwrap_or_default();
                    columns.push(Arc::new(Float64Array::from(values)));
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
        // Snappy, as pyarrow writes by default; dictionaries only for text:
        // distinct floats make a dictionary that is built only to be dropped
        // (slower writes and a larger file).
        let mut props = WriterProperties::builder()
            .set_compression(parquet::basic::Compression::SNAPPY)
            .set_dictionary_enabled(false);
        for field in schema.fields().iter().filter(|f| f.data_type() == &DataType::Utf8) {
            props = props.set_column_dictionary_enabled(ColumnPath::from(field.name().as_str()), true);
        }
        let mut writer = ArrowWriter::try_new(w, schema, Some(props.build())).map_err(io)?;
        writer.write(&batch).map_err(io)?;
        writer.close().map_err(io)?;
        Ok(())
    }
}
