//! Parquet (cargo feature `parquet`).

use std::fs::File;
use std::io::BufWriter;
use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::ReadOptions;

#[cfg(not(feature = "parquet"))]
pub(crate) fn read_parquet(_path: &Path, _opts: &ReadOptions) -> Result<Dataset> {
    Err(DataError::FeatureDisabled {
        format: "Parquet",
        feature: "parquet",
    })
}

#[cfg(not(feature = "parquet"))]
pub(crate) fn write_parquet(_ds: &Dataset, _w: &mut BufWriter<File>) -> Result<()> {
    Err(DataError::FeatureDisabled {
        format: "Parquet",
        feature: "parquet",
    })
}
