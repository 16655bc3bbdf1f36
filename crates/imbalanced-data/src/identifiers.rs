//! Columns that look like row identifiers rather than measurements.

use std::collections::HashSet;

use crate::dataset::{Dataset, FeatureKind};

/// A feature column that looks like a row identifier, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identifier {
    pub column: String,
    pub reason: &'static str,
}

impl std::fmt::Display for Identifier {
    /// The warning: what the column looks like and how to leave it out.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "column {:?} looks like an identifier ({}) and is used as a feature; \
             if it is not one, leave it out (drop {:?})",
            self.column, self.reason, self.column
        )
    }
}

/// Whether a column name is one that identifiers go by: `id`, `*_id`,
/// `*Id`, `index`, `uuid`, `key`, `row`, pandas' `Unnamed: 0`.
fn identifier_name(name: &str) -> bool {
    let lower = name.trim().to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "id" | "index" | "idx" | "uuid" | "guid" | "key" | "row" | "row_id" | "rowid"
    ) || lower.starts_with("unnamed:")
        || lower.ends_with("_id")
        || lower.ends_with("-id")
        || (name.ends_with("Id") && name.len() > 2)
        || (name.ends_with("ID") && name.len() > 2)
}

/// Feature columns of `ds` that look like identifiers: named like one, or
/// holding a different integer (or, categorical, a different string) on
/// every one of at least 20 rows. Learnt as a feature, such a column is
/// meaningless at best and a leak at worst; the caller should warn, not
/// refuse (a user may mean it).
pub fn identifier_columns(ds: &Dataset) -> Vec<Identifier> {
    let n = ds.n_samples();
    let numeric = ds.numeric();
    let mut out = Vec::new();
    for f in ds.features() {
        let reason = if identifier_name(&f.name) {
            Some("its name is an identifier's")
        } else if n >= 20 {
            match f.kind {
                FeatureKind::Numeric => {
                    let col = numeric.column(f.index);
                    // Most feature columns fail the first test at their first row.
                    let integers = col.iter().all(|v| v.fract() == 0.0);
                    let distinct = || col.iter().map(|v| v.to_bits()).collect::<HashSet<u64>>().len() == n;
                    (integers && distinct()).then_some("a different integer on every row")
                }
                FeatureKind::Categorical => {
                    (ds.categories()[f.index].len() == n).then_some("a different value on every row")
                }
            }
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(Identifier {
                column: f.name.clone(),
                reason,
            });
        }
    }
    out
}
