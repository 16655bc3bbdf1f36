//! The KEEL datasets bundled with the toolkit (`data/keel`; its README
//! gives the source), embedded so that they are at hand from any directory:
//! `imbalanced bench` without a folder, examples, doc tests.
//!
//! `glass4.dat` (the same data as `glass4.csv` in KEEL's own format) is not
//! embedded: one dataset per name, as a folder benchmark keeps it.

use std::path::Path;

use crate::dataset::Dataset;
use crate::error::{DataError, Result};
use crate::io::{parse, ReadOptions};
use crate::source::Bytes;

/// File names and contents, in name order.
const FILES: [(&str, &[u8]); 12] = [
    ("abalone9_18.csv", include_bytes!("../../../data/keel/abalone9_18.csv")),
    ("ecoli.csv", include_bytes!("../../../data/keel/ecoli.csv")),
    ("ecoli2.csv", include_bytes!("../../../data/keel/ecoli2.csv")),
    ("flare-F.dat", include_bytes!("../../../data/keel/flare-F.dat")),
    ("glass.csv", include_bytes!("../../../data/keel/glass.csv")),
    ("glass4.csv", include_bytes!("../../../data/keel/glass4.csv")),
    (
        "glass_0_1_6_vs_5.csv",
        include_bytes!("../../../data/keel/glass_0_1_6_vs_5.csv"),
    ),
    ("haberman.csv", include_bytes!("../../../data/keel/haberman.csv")),
    ("newthyroid.csv", include_bytes!("../../../data/keel/newthyroid.csv")),
    ("vehicle0.csv", include_bytes!("../../../data/keel/vehicle0.csv")),
    ("wisconsin.csv", include_bytes!("../../../data/keel/wisconsin.csv")),
    ("yeast6.csv", include_bytes!("../../../data/keel/yeast6.csv")),
];

/// The names of the bundled datasets (their file stems), in order.
pub fn bundled_names() -> impl Iterator<Item = &'static str> {
    FILES
        .iter()
        .map(|(f, _)| f.rsplit_once('.').map_or(*f, |(stem, _)| stem))
}

/// The bundled dataset `name` (`"yeast6"`, see [`bundled_names`]), read
/// with `opts` as its file would be.
pub fn bundled(name: &str, opts: &ReadOptions) -> Result<Dataset> {
    let (file, bytes) = FILES
        .iter()
        .zip(bundled_names())
        .find(|(_, stem)| *stem == name)
        .map(|(f, _)| *f)
        .ok_or_else(|| {
            DataError::Invalid(format!(
                "no bundled dataset {name:?}: the bundled ones are {}",
                bundled_names().collect::<Vec<_>>().join(", ")
            ))
        })?;
    parse(Bytes::Static(bytes), Path::new(file), opts)
}

/// Every bundled dataset with its name, read with `opts`.
pub fn bundled_all(opts: &ReadOptions) -> Result<Vec<(String, Dataset)>> {
    bundled_names()
        .map(|n| Ok((n.to_string(), bundled(n, opts)?)))
        .collect()
}
