//! Datasets for imbalanced learning and their file formats.
//!
//! A [`Dataset`] holds numeric features (`f64`), categorical features (codes
//! plus their original strings) and class labels (codes plus the original
//! label strings, sorted as NumPy sorts them). [`read()`] and [`write()`] handle
//! CSV, KEEL `.dat`, ARFF and (feature `parquet`) Parquet, chosen by file
//! extension; writes are atomic.

mod alloc;
mod checked;
mod csv_io;
mod dataset;
mod error;
mod io;
mod keel;
mod long_tail;
mod parquet_io;
mod predictions;
mod split;
mod table;

pub use alloc::PrefaultAlloc;
pub use checked::{InputError, Xy};
pub use csv_io::{read_csv, write_csv};
pub use dataset::{first_non_finite, median, sort_labels, take_rows, Dataset, Feature, FeatureKind};
pub use error::{DataError, Result};
pub use io::{format_number, read, write, write_atomic, write_text, Format, ReadOptions};
pub use keel::{read_keel, write_keel, Dialect};
pub use long_tail::{exponential_counts, step_counts};
pub use predictions::{read_predictions, write_multilabel_predictions, write_predictions, Predictions};
pub use split::{stratified_kfold, FoldShuffle};
