//! The randomness of a row that does not depend on the partitioning: a
//! key hashed from the row's values (or an identity column), and a uniform
//! draw `u = hash(seed, key)` in [0, 1). DataFusion's `random()` cannot be
//! seeded and differs with the partitioning; these can and do not.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, Float64Array, ListArray, UInt32Array, UInt64Array};
use datafusion::arrow::buffer::OffsetBuffer;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::{exec_err, Result};
use datafusion::logical_expr::{ColumnarValue, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl, Signature, Volatility};

/// Registers this module's functions with `ctx` by name (`row_key`,
/// `seeded_uniform`, `copy_indices`): what a process that receives our plans
/// (SQL, or a Ballista executor) needs to find them.
pub fn register(ctx: &datafusion::prelude::SessionContext) {
    for f in functions() {
        ctx.register_udf(f);
    }
}

/// This module's functions: `row_key`, `seeded_uniform`, `copy_indices`.
pub fn functions() -> Vec<ScalarUDF> {
    vec![RowKey::udf(), SeededUniform::udf(), CopyIndices::udf()]
}

/// SplitMix64's finaliser (Steele, Lea & Flood 2014): a bijection of u64
/// whose output bits each depend on every input bit.
pub fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit hash of `bytes`: 8 bytes at a time through [`splitmix64`], the
/// length last. Written here, not taken from a hasher crate, because it
/// must never change: seeded draws are functions of it.
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        h = splitmix64(h ^ u64::from_le_bytes(c.try_into().expect("8 bytes")));
    }
    let mut tail = [0u8; 8];
    tail[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    splitmix64(splitmix64(h ^ u64::from_le_bytes(tail)) ^ bytes.len() as u64)
}

/// The uniform draw of the row with `key` under `seed`, in [0, 1) on the
/// 2^-53 grid.
pub fn uniform(seed: u64, key: u64) -> f64 {
    (splitmix64(key ^ splitmix64(seed)) >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `row_key(col, ...)`: a hash of the row's values (numbers by their bits,
/// other types in Arrow's row format; nulls distinct from values), the same
/// for the same values on any partition or machine running this build.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RowKey {
    signature: Signature,
}

impl RowKey {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::from(RowKey {
            signature: Signature::variadic_any(Volatility::Immutable),
        })
    }
}

impl ScalarUDFImpl for RowKey {
    fn name(&self) -> &str {
        "row_key"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let columns: Vec<ArrayRef> = args.args.iter().map(|a| a.to_array(n)).collect::<Result<_>>()?;
        let mut keys = vec![0x243F_6A88_85A3_08D3u64; n];
        // Numbers are absorbed column by column from their buffers (most of a
        // key's cost); any other type through Arrow's row format.
        let mut other = Vec::new();
        for c in &columns {
            if !absorb_numbers(&mut keys, c.as_ref()) {
                other.push(Arc::clone(c));
            }
        }
        if !other.is_empty() {
            let fields = other.iter().map(|c| SortField::new(c.data_type().clone())).collect();
            let rows = RowConverter::new(fields)?.convert_columns(&other)?;
            for (i, k) in keys.iter_mut().enumerate() {
                *k = absorb(*k, hash_bytes(rows.row(i).as_ref()));
            }
        }
        Ok(ColumnarValue::Array(Arc::new(UInt64Array::from(keys))))
    }
}

/// One more value into a running key.
fn absorb(key: u64, value: u64) -> u64 {
    splitmix64(key.rotate_left(23) ^ value)
}

/// A null's value in a key (any other value hashes differently but for a
/// 2^-64 chance).
const NULL: u64 = 0x6A09_E667_F3BC_C908;

/// Absorbs a column of numbers (their bits, widened to 64) into `keys`, or
/// says it is not one.
fn absorb_numbers(keys: &mut [u64], c: &dyn Array) -> bool {
    use datafusion::arrow::datatypes as t;
    fn each<T: t::ArrowPrimitiveType>(keys: &mut [u64], c: &dyn Array, bits: impl Fn(T::Native) -> u64) {
        let a = c.as_primitive::<T>();
        for (i, k) in keys.iter_mut().enumerate() {
            let v = if a.is_null(i) { NULL } else { bits(a.value(i)) };
            *k = absorb(*k, v);
        }
    }
    match c.data_type() {
        DataType::Float64 => each::<t::Float64Type>(keys, c, f64::to_bits),
        DataType::Float32 => each::<t::Float32Type>(keys, c, |v| u64::from(v.to_bits())),
        DataType::Int64 => each::<t::Int64Type>(keys, c, |v| v as u64),
        DataType::Int32 => each::<t::Int32Type>(keys, c, |v| v as i64 as u64),
        DataType::Int16 => each::<t::Int16Type>(keys, c, |v| v as i64 as u64),
        DataType::Int8 => each::<t::Int8Type>(keys, c, |v| v as i64 as u64),
        DataType::UInt64 => each::<t::UInt64Type>(keys, c, |v| v),
        DataType::UInt32 => each::<t::UInt32Type>(keys, c, u64::from),
        DataType::UInt16 => each::<t::UInt16Type>(keys, c, u64::from),
        DataType::UInt8 => each::<t::UInt8Type>(keys, c, u64::from),
        _ => return false,
    }
    true
}

/// `seeded_uniform(key, seed)`: [`uniform`] of each key under `seed` (a
/// UInt64 literal). The seed is an argument, not the function's state, so
/// that a plan sent to another process (Ballista's executors) names the
/// function and carries its seed.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct SeededUniform {
    signature: Signature,
}

impl SeededUniform {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::from(SeededUniform {
            signature: Signature::exact(vec![DataType::UInt64, DataType::UInt64], Volatility::Immutable),
        })
    }
}

impl ScalarUDFImpl for SeededUniform {
    fn name(&self) -> &str {
        "seeded_uniform"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::Float64)
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let n = args.number_rows;
        let (keys, seeds) = (args.args[0].to_array(n)?, args.args[1].to_array(n)?);
        let (Some(keys), Some(seeds)) = (
            keys.as_any().downcast_ref::<UInt64Array>(),
            seeds.as_any().downcast_ref::<UInt64Array>(),
        ) else {
            return exec_err!("seeded_uniform takes the UInt64 keys of row_key and a UInt64 seed");
        };
        let u: Float64Array = keys
            .iter()
            .zip(seeds.iter())
            .map(|(k, s)| Some(uniform(s?, k?)))
            .collect();
        Ok(ColumnarValue::Array(Arc::new(u)))
    }
}

/// `copy_indices(n)`: the list `[0, 1, ..., n - 1]` of each row, which
/// `unnest` turns into `n` copies of the row (0 copies drop it).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct CopyIndices {
    signature: Signature,
}

impl CopyIndices {
    pub fn udf() -> ScalarUDF {
        ScalarUDF::from(CopyIndices {
            signature: Signature::exact(vec![DataType::UInt32], Volatility::Immutable),
        })
    }
}

impl ScalarUDFImpl for CopyIndices {
    fn name(&self) -> &str {
        "copy_indices"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _: &[DataType]) -> Result<DataType> {
        Ok(DataType::List(Arc::new(Field::new_list_field(DataType::UInt32, false))))
    }
    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let counts = args.args[0].to_array(args.number_rows)?;
        let Some(counts) = counts.as_any().downcast_ref::<UInt32Array>() else {
            return exec_err!("copy_indices takes UInt32 counts");
        };
        let lengths = counts.iter().map(|c| c.unwrap_or(0) as usize);
        let values: UInt32Array = counts.iter().flat_map(|c| 0..c.unwrap_or(0)).collect();
        let list = ListArray::try_new(
            Arc::new(Field::new_list_field(DataType::UInt32, false)),
            OffsetBuffer::from_lengths(lengths),
            Arc::new(values),
            None,
        )?;
        Ok(ColumnarValue::Array(Arc::new(list)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_functions_are_found_by_name() {
        use datafusion::execution::FunctionRegistry;
        use datafusion::prelude::{col, lit};
        let ctx = datafusion::prelude::SessionContext::new();
        register(&ctx);
        let (row_key, seeded) = (ctx.udf("row_key").unwrap(), ctx.udf("seeded_uniform").unwrap());
        assert!(ctx.udf("copy_indices").is_ok());
        let batch = datafusion::arrow::record_batch::RecordBatch::try_from_iter([(
            "x",
            Arc::new(Float64Array::from(vec![1.5])) as ArrayRef,
        )])
        .unwrap();
        let df = ctx
            .read_batch(batch)
            .unwrap()
            .with_column("u", seeded.call(vec![row_key.call(vec![col("x")]), lit(7u64)]))
            .unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let batches = rt.block_on(df.collect()).unwrap();
        let u = batches[0]
            .column(1)
            .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
            .value(0);
        let mut key = 0x243F_6A88_85A3_08D3u64;
        key = absorb(key, 1.5f64.to_bits());
        assert_eq!(u, uniform(7, key));
    }

    #[test]
    fn uniform_draws_are_fixed_and_spread() {
        // Fixed forever: files written with a seed must re-read to the same rows.
        assert_eq!(hash_bytes(b""), hash_bytes(b""));
        assert_ne!(hash_bytes(b"a"), hash_bytes(b"a\0"));
        assert_eq!(splitmix64(0), 0xE220_A839_7B1D_CDAF);
        let u: Vec<f64> = (0..10_000).map(|k| uniform(7, k)).collect();
        assert!(u.iter().all(|u| (0.0..1.0).contains(u)));
        let mean = u.iter().sum::<f64>() / u.len() as f64;
        assert!((mean - 0.5).abs() < 0.01, "{mean}");
        assert_ne!(uniform(7, 1), uniform(8, 1));
    }
}
