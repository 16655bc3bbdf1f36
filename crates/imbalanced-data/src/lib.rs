//! Datasets for imbalanced learning and their file formats.
//!
//! A [`Dataset`] holds numeric features (`f64`), categorical features (codes
//! plus their original strings) and class labels (codes plus the original
//! label strings, sorted as NumPy sorts them). [`read()`] and [`write()`] handle
//! CSV (any common delimiter, read and written in parallel), TSV, KEEL `.dat`,
//! ARFF and (feature `parquet`) Parquet, chosen by file extension, plain or
//! gzip / zstd / bzip2 compressed, and the standard streams (`-`); writes
//! are atomic. [`read_rows()`] and [`write_rows()`] let a command whose output
//! rows are mostly input rows (a sampler's) copy those from the input text
//! as they stand; [`Passthrough::begin_output`] copies them into the output
//! while the rows after them are computed, where the output starts with them.

mod alloc;
mod bundled;
mod checked;
mod dataset;
mod delimited;
mod error;
mod identifiers;
mod io;
mod keel;
mod long_tail;
mod parquet_io;
mod passthrough;
mod predictions;
mod size;
mod source;
mod split;
mod table;

pub use alloc::PrefaultAlloc;
pub use bundled::{bundled, bundled_all, bundled_names};
pub use checked::{InputError, Xy};
pub use dataset::{first_non_finite, median, sort_labels, take_rows, Dataset, Feature, FeatureKind};
pub use delimited::{parse_delimiter, quote_field, read_csv, write_csv, write_delimited};
pub use error::{DataError, Result};
pub use identifiers::{identifier_columns, Identifier};
pub use io::{format_number, read, write, write_atomic, write_text, Format, ReadOptions};
pub use keel::{read_keel, write_keel, Dialect};
pub use long_tail::{exponential_counts, step_counts};
pub use passthrough::{read_rows, write_rows, BegunOutput, Passthrough};
pub use predictions::{read_predictions, write_multilabel_predictions, write_predictions, Predictions};
pub use size::parse_size;
pub use source::{is_stdio, read_bytes, write_output, Bytes, Compression};
pub use split::{stratified_kfold, FoldShuffle};
