//! Relational data for minority over-sampling (a Rel-MOSS spin-off, Yin et
//! al. 2026; our formulation): a parent table that holds the label and a key,
//! child tables that point at it by a foreign key, flattened into one row per
//! parent whose columns form blocks, one per relation: the parent's own
//! numeric columns, then per child table its row count and, per numeric
//! column, the mean, min, max and last value (in file order) of the parent's
//! rows there, and per categorical column of at most [`MAX_LEVELS`] values the
//! share of the parent's rows holding each value. `RelationalSMOTE`
//! (imbalanced-resample) over-samples such a table block by block.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use imbalanced_data::{format_number, quote_field, read, Dataset, Feature, FeatureKind, ReadOptions};
use imbalanced_eval::Method;
use imbalanced_resample::{RelationGate, RelationalSmote, Smote};
use ndarray::Array2;
use serde::Serialize;

/// What is wrong with a set of tables, naming the table and column.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RelationalError {
    #[error("{table}: no column {column:?} ({role}); its columns are: {columns}")]
    MissingColumn {
        table: String,
        column: String,
        role: &'static str,
        columns: String,
    },
    #[error("{table}: key {value:?} of column {column:?} appears more than once (rows {first} and {second}); a parent's key must be unique")]
    DuplicateKey {
        table: String,
        column: String,
        value: String,
        first: usize,
        second: usize,
    },
    #[error(
        "{table}: row {row}'s {column:?} is {value:?}, which no row of {parent} has: remove the row or add its parent"
    )]
    DanglingForeignKey {
        table: String,
        column: String,
        value: String,
        row: usize,
        parent: String,
    },
    #[error("{0}: a child table is given as FILE:FOREIGN_KEY (orders.csv:customer_id)")]
    BadChild(String),
    #[error("{table}: {source}")]
    Read {
        table: String,
        source: imbalanced_data::DataError,
    },
}

/// A child table: its file and the column that holds its parent's key.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildSpec {
    pub path: PathBuf,
    pub foreign_key: String,
}

impl std::str::FromStr for ChildSpec {
    type Err = RelationalError;

    /// `FILE:FOREIGN_KEY`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.rsplit_once(':') {
            Some((path, key)) if !path.is_empty() && !key.is_empty() => Ok(ChildSpec {
                path: PathBuf::from(path),
                foreign_key: key.to_string(),
            }),
            _ => Err(RelationalError::BadChild(s.to_string())),
        }
    }
}

/// One block of the flat table: the relation it comes from and its width.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Block {
    pub relation: String,
    pub width: usize,
}

/// The most values a child table's categorical column may take to become
/// share columns; one with more (an identifier, a free text) is left out.
pub const MAX_LEVELS: usize = 20;

/// Where a child table's aggregates are in the flat table.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildColumns {
    /// The child table's name (its file name).
    pub table: String,
    pub foreign_key: String,
    /// The column of its row count.
    pub count: usize,
    /// Per numeric column of the child: its name and the columns of its
    /// mean, min, max and last.
    pub values: Vec<(String, [usize; 4])>,
    /// Per categorical column of the child: its name and, per value, the
    /// value and the column of its share.
    pub levels: Vec<(String, Vec<(String, usize)>)>,
}

/// The flat table: one row per parent, the label, the blocks.
#[derive(Debug, Clone)]
pub struct Flat {
    pub data: Dataset,
    pub blocks: Vec<Block>,
    /// Columns that count rows (whole numbers).
    pub integral: Vec<usize>,
    /// Columns left out (`table.column`) and why: the parent's categorical
    /// columns, and child columns of more than [`MAX_LEVELS`] values.
    pub skipped: Vec<(String, String)>,
    /// The parent table's name (its file name) and how many of its own
    /// numeric columns lead the flat table.
    pub parent: String,
    pub own: usize,
    /// Each child table's columns, in order.
    pub children: Vec<ChildColumns>,
}

impl Flat {
    /// `RelationalSMOTE` over this table's blocks and counts, with `gate`
    /// and seed `seed`.
    pub fn sampler(&self, gate: RelationGate, seed: u64) -> RelationalSmote {
        RelationalSmote {
            blocks: self.blocks.iter().map(|b| b.width).collect(),
            integral: self.integral.clone(),
            gate,
            random_state: seed,
            ..Default::default()
        }
    }

    /// What `imbalanced relational --evaluate` compares, labelled: no
    /// resampling, SMOTE on the flat table, and `RelationalSMOTE` with each
    /// gate (the learned one fitted on each training fold).
    pub fn comparison(&self, seed: u64) -> Vec<Method> {
        let smote = Smote {
            random_state: seed,
            ..Default::default()
        };
        let relational = |gate, label: &str| Method::Sampler(Arc::new(self.sampler(gate, seed)), Some(label.into()));
        vec![
            Method::None,
            Method::Sampler(Arc::new(smote), Some("SMOTE (flat)".into())),
            relational(RelationGate::Uniform, "RelationalSMOTE (uniform gate)"),
            relational(RelationGate::Association, "RelationalSMOTE (association gate)"),
            relational(RelationGate::BalancedAccuracy, "RelationalSMOTE (learned gate)"),
        ]
    }

    /// The blocks as a table, with each block's gate `weights` (one per
    /// block) under the heading `weight`: a header and a row per relation.
    pub fn blocks_table(&self, weight: &str, weights: &[f64]) -> (Vec<String>, Vec<Vec<String>>) {
        let header = vec!["relation".into(), "columns".into(), weight.to_string()];
        let rows = self
            .blocks
            .iter()
            .zip(weights)
            .map(|(b, w)| vec![b.relation.clone(), b.width.to_string(), format!("{w:.3}")])
            .collect();
        (header, rows)
    }
}

/// Child rows whose aggregates are a flat row's (our formulation): `count`
/// rows (rounded, at least 0); per value column, rows holding its min and
/// max, the last row holding its last value, and the others one value that
/// brings the mean to the flat row's mean as nearly as `[min, max]` allows.
/// Count, min, max and last are met exactly when the flat row is
/// consistent (min <= last <= max; one row: all equal).
pub fn child_rows(flat_row: &[f64], child: &ChildColumns) -> Vec<Vec<f64>> {
    let k = flat_row[child.count].round().max(0.0) as usize;
    let mut rows = vec![vec![0.0; child.values.len()]; k];
    for (v, (_, [mean, min, max, last])) in child.values.iter().enumerate() {
        let (mean, lo, hi, last) = (flat_row[*mean], flat_row[*min], flat_row[*max], flat_row[*last]);
        let column: Vec<f64> = match k {
            0 => Vec::new(),
            1 => vec![last],
            2 => vec![if (last - lo).abs() <= (last - hi).abs() { hi } else { lo }, last],
            _ => {
                let fill = if k > 3 {
                    ((mean * k as f64 - lo - hi - last) / (k - 3) as f64).clamp(lo.min(hi), hi.max(lo))
                } else {
                    0.0
                };
                let mut c = vec![lo, hi];
                c.extend(std::iter::repeat_n(fill, k - 3));
                c.push(last);
                c
            }
        };
        for (row, value) in rows.iter_mut().zip(column) {
            row[v] = value;
        }
    }
    rows
}

/// The categorical values of the child rows of a flat row ([`child_rows`]
/// gives their numbers), per row one value per categorical column: each
/// value on as many rows as its share of the `count` rows, rounded by
/// largest remainder (ties to the earlier value), values in order.
pub fn child_levels<'a>(flat_row: &[f64], child: &'a ChildColumns) -> Vec<Vec<&'a str>> {
    let k = flat_row[child.count].round().max(0.0) as usize;
    let mut rows = vec![Vec::with_capacity(child.levels.len()); k];
    for (_, levels) in &child.levels {
        let shares: Vec<f64> = levels.iter().map(|(_, j)| flat_row[*j].max(0.0)).collect();
        let total: f64 = shares.iter().sum();
        let exact: Vec<f64> = shares
            .iter()
            .enumerate()
            .map(|(v, s)| match total > 0.0 {
                true => s / total * k as f64,
                false if v == 0 => k as f64,
                false => 0.0,
            })
            .collect();
        let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
        let mut by_remainder: Vec<usize> = (0..levels.len()).collect();
        by_remainder.sort_by(|&a, &b| (exact[b] - exact[b].floor()).total_cmp(&(exact[a] - exact[a].floor())));
        for &v in by_remainder.iter().cycle().take(k.saturating_sub(counts.iter().sum())) {
            counts[v] += 1;
        }
        let column = levels
            .iter()
            .zip(&counts)
            .flat_map(|((level, _), &c)| std::iter::repeat_n(level.as_str(), c));
        for (row, level) in rows.iter_mut().zip(column) {
            row.push(level);
        }
    }
    rows
}

/// The name a table is known by in messages: its file name.
fn table_name(path: &Path) -> String {
    path.file_name()
        .map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// Each row's value of column `column` as text (numbers as written back).
fn key_values(data: &Dataset, table: &str, column: &str, role: &'static str) -> Result<Vec<String>, RelationalError> {
    let feature = data
        .features()
        .iter()
        .find(|f| f.name == column)
        .ok_or_else(|| RelationalError::MissingColumn {
            table: table.to_string(),
            column: column.to_string(),
            role,
            columns: data
                .features()
                .iter()
                .map(|f| f.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    Ok((0..data.n_samples())
        .map(|i| match feature.kind {
            FeatureKind::Numeric => format_number(data.numeric()[(i, feature.index)]),
            FeatureKind::Categorical => {
                data.categories()[feature.index][data.categorical()[(i, feature.index)] as usize].clone()
            }
        })
        .collect())
}

/// The numeric and the categorical columns of `data` other than `key`:
/// names and indices.
type Columns = Vec<(String, usize)>;
fn split_columns(data: &Dataset, key: &str) -> (Columns, Columns) {
    let (mut numeric, mut categorical) = (Vec::new(), Vec::new());
    for f in data.features().iter().filter(|f| f.name != key) {
        match f.kind {
            FeatureKind::Numeric => numeric.push((f.name.clone(), f.index)),
            FeatureKind::Categorical => categorical.push((f.name.clone(), f.index)),
        }
    }
    (numeric, categorical)
}

/// Reads the parent (`key` and `target` columns) and its children, checks
/// the keys, and flattens them. `opts` applies to every file (its target
/// is the parent's; children are read unlabelled).
pub fn flatten(parent: &Path, key: &str, children: &[ChildSpec], opts: &ReadOptions) -> Result<Flat, RelationalError> {
    let parent_name = table_name(parent);
    let data = read(parent, opts).map_err(|source| RelationalError::Read {
        table: parent_name.clone(),
        source,
    })?;
    let keys = key_values(&data, &parent_name, key, "the key")?;
    let mut row_of: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
    for (i, k) in keys.iter().enumerate() {
        if let Some(first) = row_of.insert(k, i) {
            return Err(RelationalError::DuplicateKey {
                table: parent_name,
                column: key.to_string(),
                value: k.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    let n = data.n_samples();
    let (own, own_categorical) = split_columns(&data, key);
    let mut skipped: Vec<(String, String)> = own_categorical
        .into_iter()
        .map(|(c, _)| {
            (
                format!("{parent_name}.{c}"),
                "a categorical column of the parent".into(),
            )
        })
        .collect();
    let mut names: Vec<String> = own.iter().map(|(c, _)| format!("{parent_name}.{c}")).collect();
    let mut columns: Vec<Vec<f64>> = own.iter().map(|&(_, j)| data.numeric().column(j).to_vec()).collect();
    let mut blocks = Vec::new();
    if !own.is_empty() {
        blocks.push(Block {
            relation: parent_name.clone(),
            width: own.len(),
        });
    }
    let mut integral = Vec::new();
    let mut child_columns = Vec::new();
    let child_opts = ReadOptions {
        unlabelled: true,
        target: None,
        ..opts.clone()
    };
    for spec in children {
        let name = table_name(&spec.path);
        let child = read(&spec.path, &child_opts).map_err(|source| RelationalError::Read {
            table: name.clone(),
            source,
        })?;
        let parents = key_values(&child, &name, &spec.foreign_key, "the foreign key")?;
        let owner: Vec<usize> = parents
            .iter()
            .enumerate()
            .map(|(r, v)| {
                row_of
                    .get(v.as_str())
                    .copied()
                    .ok_or_else(|| RelationalError::DanglingForeignKey {
                        table: name.clone(),
                        column: spec.foreign_key.clone(),
                        value: v.clone(),
                        row: r + 1,
                        parent: parent_name.clone(),
                    })
            })
            .collect::<Result<_, _>>()?;
        let (values, categorical) = split_columns(&child, &spec.foreign_key);
        let mut count = vec![0.0; n];
        owner.iter().for_each(|&p| count[p] += 1.0);
        let mut layout = ChildColumns {
            table: name.clone(),
            foreign_key: spec.foreign_key.clone(),
            count: names.len(),
            values: Vec::new(),
            levels: Vec::new(),
        };
        integral.push(names.len());
        names.push(format!("{name}.count"));
        columns.push(count.clone());
        for (column, j) in &values {
            let (mut sum, mut min, mut max, mut last) = (
                vec![0.0; n],
                vec![f64::INFINITY; n],
                vec![f64::NEG_INFINITY; n],
                vec![0.0; n],
            );
            for (r, &p) in owner.iter().enumerate() {
                let v = child.numeric()[(r, *j)];
                sum[p] += v;
                min[p] = min[p].min(v);
                max[p] = max[p].max(v);
                last[p] = v;
            }
            // A parent without rows here has 0 for every aggregate.
            let fill = |v: Vec<f64>| -> Vec<f64> {
                v.into_iter()
                    .zip(&count)
                    .map(|(x, &c)| if c > 0.0 { x } else { 0.0 })
                    .collect()
            };
            let mean: Vec<f64> = sum
                .iter()
                .zip(&count)
                .map(|(s, &c)| if c > 0.0 { s / c } else { 0.0 })
                .collect();
            let at = names.len();
            layout.values.push((column.clone(), [at, at + 1, at + 2, at + 3]));
            for (agg, v) in [
                ("mean", mean),
                ("min", fill(min)),
                ("max", fill(max)),
                ("last", fill(last)),
            ] {
                names.push(format!("{name}.{column}.{agg}"));
                columns.push(v);
            }
        }
        for (column, j) in categorical {
            let levels = &child.categories()[j];
            if levels.len() > MAX_LEVELS {
                let why = format!("{} values, more than {MAX_LEVELS}", levels.len());
                skipped.push((format!("{name}.{column}"), why));
                continue;
            }
            let mut shares = vec![vec![0.0; n]; levels.len()];
            for (r, &p) in owner.iter().enumerate() {
                shares[child.categorical()[(r, j)] as usize][p] += 1.0;
            }
            let mut columns_of = Vec::with_capacity(levels.len());
            for (level, mut share) in levels.iter().zip(shares) {
                share
                    .iter_mut()
                    .zip(&count)
                    .filter(|(_, &c)| c > 0.0)
                    .for_each(|(s, c)| *s /= c);
                columns_of.push((level.clone(), names.len()));
                names.push(format!("{name}.{column}={level}"));
                columns.push(share);
            }
            layout.levels.push((column, columns_of));
        }
        blocks.push(Block {
            relation: name,
            width: names.len() - layout.count,
        });
        child_columns.push(layout);
    }
    let d = columns.len();
    let numeric = Array2::from_shape_fn((n, d), |(i, j)| columns[j][i]);
    let features = names
        .into_iter()
        .enumerate()
        .map(|(index, name)| Feature {
            name,
            kind: FeatureKind::Numeric,
            index,
        })
        .collect();
    let flat = Dataset::from_parts(
        features,
        numeric,
        Array2::zeros((n, 0)),
        Vec::new(),
        data.target_name().to_string(),
        d,
        data.classes().to_vec(),
        data.y().to_vec(),
    )
    .map_err(|source| RelationalError::Read {
        table: parent_name.clone(),
        source,
    })?;
    Ok(Flat {
        data: flat,
        blocks,
        integral,
        skipped,
        parent: parent_name,
        own: own.len(),
        children: child_columns,
    })
}

/// The rows a resampling added, as relational tables (CSV text by file
/// name): the parent's new rows (`key` `synthetic-<i>`, the parent's own
/// numeric columns, the label) and each child table's rows for them
/// ([`child_rows`], [`child_levels`]; the foreign key, the numeric, then the
/// categorical columns). `resampled` is
/// `flat.data` over-sampled: its first `flat.data.n_samples()` rows are the
/// input's, the rest are new. Append them to the original tables.
pub fn synthetic_tables(flat: &Flat, resampled: &Dataset, key: &str) -> Vec<(String, String)> {
    let n = flat.data.n_samples();
    let x = resampled.numeric();
    let own = flat.own;
    let prefix = format!("{}.", flat.parent);
    let strip = |name: &str| name.strip_prefix(&prefix).unwrap_or(name).to_string();
    let mut parent = String::new();
    let header: Vec<String> = std::iter::once(key.to_string())
        .chain(flat.data.features()[..own].iter().map(|f| strip(&f.name)))
        .chain(std::iter::once(resampled.target_name().to_string()))
        .collect();
    parent.push_str(&header.join(","));
    parent.push('\n');
    let mut children: Vec<String> = flat
        .children
        .iter()
        .map(|c| {
            let cols = c
                .values
                .iter()
                .map(|(v, _)| v.as_str())
                .chain(c.levels.iter().map(|(v, _)| v.as_str()));
            format!(
                "{}\n",
                std::iter::once(c.foreign_key.as_str())
                    .chain(cols)
                    .collect::<Vec<_>>()
                    .join(",")
            )
        })
        .collect();
    for r in n..resampled.n_samples() {
        let id = format!("synthetic-{}", r - n + 1);
        let row = x.row(r).to_vec();
        let values: Vec<String> = row[..own].iter().map(|&v| format_number(v)).collect();
        parent.push_str(&format!(
            "{id},{}{}{}\n",
            values.join(","),
            if own > 0 { "," } else { "" },
            quote_field(&resampled.classes()[resampled.y()[r]], b',')
        ));
        for (c, text) in flat.children.iter().zip(children.iter_mut()) {
            for (child, levels) in child_rows(&row, c).into_iter().zip(child_levels(&row, c)) {
                let cells: Vec<String> = child
                    .iter()
                    .map(|&v| format_number(v))
                    .chain(levels.into_iter().map(|l| quote_field(l, b',')))
                    .collect();
                text.push_str(&format!(
                    "{id}{}{}\n",
                    if cells.is_empty() { "" } else { "," },
                    cells.join(",")
                ));
            }
        }
    }
    std::iter::once((flat.parent.clone(), parent))
        .chain(flat.children.iter().map(|c| c.table.clone()).zip(children))
        .collect()
}
