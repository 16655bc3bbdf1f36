//! A dataset split over clients, as `imbalanced partition` writes it: the
//! rows of each partition, one data file per client with a manifest, a
//! summary of the class counts per client, and its heat map.

use std::path::{Path, PathBuf};

use imbalanced_data::{write, write_text, DataError, Dataset};
use serde::Serialize;

use crate::long_tail::LongTail;
use crate::partition::{Column, Partition, PartitionError, Partitions};

/// What splitting a dataset can fail on.
#[derive(Debug, thiserror::Error)]
pub enum FederatedError {
    /// The partitioner refused its parameters or the data.
    #[error(transparent)]
    Partition(#[from] PartitionError),
    /// Reading a column or writing a file failed.
    #[error(transparent)]
    Data(#[from] DataError),
}

/// The partitions of `data` by `partitioner`, split by its `partition_by`
/// column (the class label when it names none); with `long_tail`, of the
/// long-tailed subsample of the rows (by class label) only. Rows are
/// `data`'s either way.
pub fn partition_dataset(
    data: &Dataset,
    partitioner: &dyn Partition,
    long_tail: Option<&LongTail>,
) -> Result<Partitions, FederatedError> {
    let (distinct, codes) = data.column_codes(partitioner.partition_by())?;
    let Some(long_tail) = long_tail else {
        return Ok(partitioner.partition(Column::new(&codes, distinct.len())?)?);
    };
    let (classes, y) = data.column_codes(None)?;
    let kept = long_tail.rows(Column::new(&y, classes.len())?)?;
    let kept_codes: Vec<usize> = kept.iter().map(|&r| codes[r]).collect();
    let parts = partitioner.partition(Column::new(&kept_codes, distinct.len())?)?;
    Ok(parts
        .into_iter()
        .map(|p| p.into_iter().map(|i| kept[i]).collect())
        .collect())
}

/// One client of a split.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Client {
    /// The partition's number (flwr-datasets' `partition_id`).
    pub partition: usize,
    /// Its rows.
    pub rows: usize,
    /// Its rows of each class, in the order of [`Split::classes`].
    pub class_counts: Vec<usize>,
    /// Its data file, relative to the manifest (when written).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// A split described: the partitioner as run, and each client's classes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Split {
    /// The partitioner's class name.
    pub partitioner: String,
    /// Its parameters, defaults included.
    pub params: serde_json::Value,
    /// The data file split.
    pub input: String,
    /// The class labels, in sorted order.
    pub classes: Vec<String>,
    pub clients: Vec<Client>,
}

impl Split {
    /// The description of `partitions` of `data`.
    pub fn new(
        partitioner: &str,
        params: serde_json::Value,
        input: &str,
        data: &Dataset,
        partitions: &Partitions,
    ) -> Self {
        let classes = data.classes().to_vec();
        let clients = partitions
            .iter()
            .enumerate()
            .map(|(partition, rows)| {
                let mut class_counts = vec![0; classes.len()];
                rows.iter().for_each(|&r| class_counts[data.y()[r]] += 1);
                Client {
                    partition,
                    rows: rows.len(),
                    class_counts,
                    file: None,
                }
            })
            .collect();
        Split {
            partitioner: partitioner.to_string(),
            params,
            input: input.to_string(),
            classes,
            clients,
        }
    }

    /// The clients x classes counts as a heat map, PNG or SVG by `out`'s
    /// extension, written whole or not at all.
    pub fn save_heatmap(&self, out: &Path) -> Result<(), FederatedError> {
        let format = imbalanced_charts::ImageFormat::from_path(out).ok_or_else(|| {
            DataError::Invalid(format!(
                "cannot tell the plot format of {}: name it .svg or .png",
                out.display()
            ))
        })?;
        let rows: Vec<String> = self
            .clients
            .iter()
            .map(|c| format!("client {} ({} rows)", c.partition, c.rows))
            .collect();
        let counts: Vec<Vec<usize>> = self.clients.iter().map(|c| c.class_counts.clone()).collect();
        let title = format!("{} of {}", self.partitioner, self.input);
        let scene = imbalanced_charts::heatmap(&title, "rows of each class", &rows, &self.classes, &counts);
        let bytes = match format {
            imbalanced_charts::ImageFormat::Svg => scene.svg().into_bytes(),
            imbalanced_charts::ImageFormat::Png => scene.png().map_err(|e| DataError::Invalid(e.to_string()))?,
        };
        imbalanced_data::write_atomic(out, |w| {
            std::io::Write::write_all(w, &bytes).map_err(|e| DataError::Invalid(e.to_string()))
        })?;
        Ok(())
    }

    /// Writes each client's rows of `data` to `dir/client_<i>.<extension>`
    /// (the input's columns, rows in partition order) and the split to
    /// `dir/manifest.json`. All or nothing: the files go to a hidden
    /// sibling folder first, renamed to `dir` at the end; `dir` must not
    /// exist or be empty.
    pub fn write(
        &mut self,
        data: &Dataset,
        partitions: &Partitions,
        dir: &Path,
        extension: &str,
    ) -> Result<(), FederatedError> {
        let io = |action: &'static str, path: &Path| {
            let path = path.to_path_buf();
            move |source| DataError::Io { action, path, source }
        };
        if dir.exists() && std::fs::read_dir(dir).map_err(io("read", dir))?.next().is_some() {
            return Err(DataError::Invalid(format!(
                "{} exists and is not empty: name a new folder, or empty it first",
                dir.display()
            ))
            .into());
        }
        let name = dir
            .file_name()
            .map_or_else(|| "partitions".into(), |n| n.to_string_lossy().into_owned());
        let partial = dir.with_file_name(format!(".{name}.partial-{}", std::process::id()));
        std::fs::create_dir_all(&partial).map_err(io("create", &partial))?;
        let result = self.write_into(data, partitions, &partial, extension).and_then(|()| {
            if dir.exists() {
                std::fs::remove_dir(dir).map_err(io("replace", dir))?;
            }
            std::fs::rename(&partial, dir).map_err(io("rename", &partial))?;
            Ok(())
        });
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&partial);
        }
        result
    }

    fn write_into(
        &mut self,
        data: &Dataset,
        partitions: &Partitions,
        dir: &Path,
        extension: &str,
    ) -> Result<(), FederatedError> {
        let width = partitions.len().saturating_sub(1).to_string().len();
        for (client, rows) in self.clients.iter_mut().zip(partitions) {
            let file = format!("client_{:0width$}.{extension}", client.partition);
            write(&data.select_rows(rows), dir.join(&file))?;
            client.file = Some(file);
        }
        let manifest = serde_json::to_string_pretty(self).map_err(|e| DataError::Invalid(e.to_string()))?;
        write_text(&PathBuf::from(dir).join("manifest.json"), &(manifest + "\n"))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partition::{IidPartitioner, NaturalIdPartitioner};

    fn data() -> Dataset {
        let x = ndarray::Array2::from_shape_fn((12, 2), |(i, j)| if j == 0 { (i % 3) as f64 } else { i as f64 });
        let labels: Vec<&str> = (0..12).map(|i| if i % 4 == 0 { "rare" } else { "common" }).collect();
        Dataset::from_numeric(x, &labels).unwrap()
    }

    #[test]
    fn splits_by_the_label_or_a_named_column() {
        let d = data();
        let iid = partition_dataset(&d, &IidPartitioner { num_partitions: 5 }, None).unwrap();
        assert_eq!(
            iid,
            vec![vec![0, 1, 2], vec![3, 4, 5], vec![6, 7], vec![8, 9], vec![10, 11]]
        );
        let natural = NaturalIdPartitioner {
            partition_by: Some("f0".into()),
        };
        let by_client = partition_dataset(&d, &natural, None).unwrap();
        assert_eq!(by_client, vec![vec![0, 3, 6, 9], vec![1, 4, 7, 10], vec![2, 5, 8, 11]]);
        let missing = NaturalIdPartitioner {
            partition_by: Some("nope".into()),
        };
        assert!(matches!(
            partition_dataset(&d, &missing, None),
            Err(FederatedError::Data(DataError::UnknownColumn { .. }))
        ));
        // With a long tail, the rows dealt are the subsample's, numbered as in the data.
        let tail = LongTail {
            profile: crate::Profile::Step,
            imbalance_ratio: 9.0,
            seed: 0,
        };
        let parts = partition_dataset(&d, &IidPartitioner { num_partitions: 2 }, Some(&tail)).unwrap();
        let rows: Vec<usize> = parts.concat();
        let rare = rows.iter().filter(|&&r| r % 4 == 0).count();
        assert_eq!((rows.len(), rare), (10, 1), "{rows:?}");
    }

    #[test]
    fn writes_one_file_per_client_and_a_manifest_or_nothing() {
        let d = data();
        let parts = partition_dataset(&d, &IidPartitioner { num_partitions: 3 }, None).unwrap();
        let mut split = Split::new(
            "IidPartitioner",
            serde_json::json!({"num_partitions": 3}),
            "x.csv",
            &d,
            &parts,
        );
        assert_eq!(split.clients[0].class_counts, vec![3, 1]);
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("clients");
        split.write(&d, &parts, &dir, "csv").unwrap();
        let manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("manifest.json")).unwrap()).unwrap();
        assert_eq!(manifest["clients"][2]["file"], "client_2.csv");
        assert_eq!(manifest["classes"], serde_json::json!(["common", "rare"]));
        let back = imbalanced_data::read(dir.join("client_1.csv"), &Default::default()).unwrap();
        assert_eq!(back.n_samples(), 4);
        // A folder that holds files is not overwritten.
        assert!(split.write(&d, &parts, &dir, "csv").is_err());
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "no partial folder left behind"
        );
        split.save_heatmap(&tmp.path().join("map.svg")).unwrap();
        assert!(split.save_heatmap(&tmp.path().join("map.txt")).is_err());
    }
}
