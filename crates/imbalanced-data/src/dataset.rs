use std::cmp::Ordering;

use ndarray::{Array2, ArrayView2, Axis};

use crate::error::{DataError, Result};

/// Whether a feature column holds numbers or category codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureKind {
    Numeric,
    Categorical,
}

/// One feature column: its name, its kind, and its column in
/// [`Dataset::numeric`] or [`Dataset::categorical`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feature {
    pub name: String,
    pub kind: FeatureKind,
    pub index: usize,
}

/// A labelled table: numeric features (`f64`), categorical features (codes
/// into per-column dictionaries) and one class label per row.
///
/// Classes are numbered `0..n_classes` in the order imbalanced-learn sorts
/// them (`np.unique`): numerically when every label is a number, else by
/// string. The original label and category strings are kept, so writing the
/// dataset back reproduces them.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    features: Vec<Feature>,
    numeric: Array2<f64>,
    categorical: Array2<u32>,
    categories: Vec<Vec<String>>,
    target_name: String,
    target_position: usize,
    classes: Vec<String>,
    y: Vec<usize>,
}

/// Sorts label or category strings as NumPy sorts them: numerically when all
/// parse as numbers, lexicographically otherwise.
pub fn sort_labels(labels: &mut [String]) {
    let numeric: Option<Vec<f64>> = labels.iter().map(|s| s.trim().parse::<f64>().ok()).collect();
    match numeric {
        Some(_) => labels.sort_by(|a, b| {
            let (x, y) = (
                a.trim().parse::<f64>().unwrap_or(0.0),
                b.trim().parse::<f64>().unwrap_or(0.0),
            );
            x.partial_cmp(&y).unwrap_or(Ordering::Equal).then_with(|| a.cmp(b))
        }),
        None => labels.sort(),
    }
}

/// Turns strings into codes into their sorted distinct values.
pub(crate) fn encode<S: AsRef<str>>(values: &[S]) -> (Vec<String>, Vec<usize>) {
    let mut distinct: Vec<String> = values.iter().map(|s| s.as_ref().to_string()).collect();
    distinct.sort_unstable();
    distinct.dedup();
    sort_labels(&mut distinct);
    let lookup: std::collections::HashMap<&str, usize> =
        distinct.iter().enumerate().map(|(i, s)| (s.as_str(), i)).collect();
    let codes = values.iter().map(|s| lookup[s.as_ref()]).collect();
    (distinct, codes)
}

impl Dataset {
    /// A dataset of numeric features only. `labels` are the class labels, one
    /// per row; feature columns are named `f0, f1, ...` and the target `target`.
    pub fn from_numeric<S: AsRef<str>>(x: Array2<f64>, labels: &[S]) -> Result<Self> {
        let names = (0..x.ncols()).map(|j| format!("f{j}")).collect::<Vec<_>>();
        Self::builder(names, x, labels)
    }

    fn builder<S: AsRef<str>>(names: Vec<String>, x: Array2<f64>, labels: &[S]) -> Result<Self> {
        if x.nrows() != labels.len() {
            return Err(DataError::Invalid(format!(
                "{} rows of features but {} labels",
                x.nrows(),
                labels.len()
            )));
        }
        let (classes, y) = encode(labels);
        let features = names
            .into_iter()
            .enumerate()
            .map(|(index, name)| Feature {
                name,
                kind: FeatureKind::Numeric,
                index,
            })
            .collect::<Vec<_>>();
        let n = x.nrows();
        let target_position = features.len();
        Self::from_parts(
            features,
            x,
            Array2::zeros((n, 0)),
            Vec::new(),
            "target".into(),
            target_position,
            classes,
            y,
        )
    }

    /// Assembles a dataset from its parts; checks that the shapes agree, that
    /// every code is in range and that numeric values are finite.
    #[allow(clippy::too_many_arguments)]
    pub fn from_parts(
        features: Vec<Feature>,
        numeric: Array2<f64>,
        categorical: Array2<u32>,
        categories: Vec<Vec<String>>,
        target_name: String,
        target_position: usize,
        classes: Vec<String>,
        y: Vec<usize>,
    ) -> Result<Self> {
        let ds = Self::from_finite_parts(
            features,
            numeric,
            categorical,
            categories,
            target_name,
            target_position,
            classes,
            y,
        )?;
        ds.check_finite()?;
        Ok(ds)
    }

    /// [`Dataset::from_parts`] for numeric values known finite (a reader
    /// that checked each one as it read it): the shapes and codes are
    /// checked, the values not scanned again.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_finite_parts(
        features: Vec<Feature>,
        numeric: Array2<f64>,
        categorical: Array2<u32>,
        categories: Vec<Vec<String>>,
        target_name: String,
        target_position: usize,
        classes: Vec<String>,
        y: Vec<usize>,
    ) -> Result<Self> {
        let ds = Dataset {
            features,
            numeric,
            categorical,
            categories,
            target_name,
            target_position,
            classes,
            y,
        };
        ds.validate()?;
        Ok(ds)
    }

    /// Shapes, the feature list, label and category codes; not the values
    /// ([`Dataset::check_finite`]).
    fn validate(&self) -> Result<()> {
        let n = self.y.len();
        let bad = |m: String| Err(DataError::Invalid(m));
        if self.numeric.nrows() != n || self.categorical.nrows() != n {
            return bad(format!(
                "{} labels, {} numeric rows, {} categorical rows",
                n,
                self.numeric.nrows(),
                self.categorical.nrows()
            ));
        }
        if self.categories.len() != self.categorical.ncols() {
            return bad("one category dictionary per categorical column is needed".into());
        }
        let n_num = self.features.iter().filter(|f| f.kind == FeatureKind::Numeric).count();
        if n_num != self.numeric.ncols() || self.features.len() - n_num != self.categorical.ncols() {
            return bad("the feature list does not match the matrices".into());
        }
        if self.target_position > self.features.len() {
            return bad("target position out of range".into());
        }
        if let Some(&c) = self.y.iter().find(|&&c| c >= self.classes.len()) {
            return bad(format!("class code {c} but only {} classes", self.classes.len()));
        }
        for (j, col) in self.categorical.axis_iter(Axis(1)).enumerate() {
            if col.iter().any(|&c| c as usize >= self.categories[j].len()) {
                return bad(format!("category code out of range in column {j}"));
            }
        }
        Ok(())
    }

    /// Every numeric value is finite (the file line of the first that is not).
    fn check_finite(&self) -> Result<()> {
        if let Some(((i, j), v)) = first_non_finite(self.numeric.view()) {
            let name = self.numeric_names().nth(j).unwrap_or_default();
            return Err(DataError::NonFinite {
                column: name.to_string(),
                line: i as u64 + 2,
                value: v.to_string(),
            });
        }
        Ok(())
    }

    /// Whether the rows have labels (`false` for data read with
    /// [`crate::ReadOptions::unlabelled`]).
    pub fn is_labelled(&self) -> bool {
        !self.target_name.is_empty()
    }

    /// Number of rows.
    pub fn n_samples(&self) -> usize {
        self.y.len()
    }

    /// Feature columns in file order (the target excluded).
    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    /// Names of the numeric columns, in the order of [`Dataset::numeric`]'s columns.
    pub fn numeric_names(&self) -> impl Iterator<Item = &str> {
        self.features
            .iter()
            .filter(|f| f.kind == FeatureKind::Numeric)
            .map(|f| f.name.as_str())
    }

    /// The numeric features, `n_samples x n_numeric`.
    pub fn numeric(&self) -> ArrayView2<'_, f64> {
        self.numeric.view()
    }

    /// The categorical features as codes, `n_samples x n_categorical`.
    pub fn categorical(&self) -> ArrayView2<'_, u32> {
        self.categorical.view()
    }

    /// The dictionary of categorical column `j`: code -> original string.
    pub fn categories(&self) -> &[Vec<String>] {
        &self.categories
    }

    /// Class code of every row (`0..n_classes`).
    pub fn y(&self) -> &[usize] {
        &self.y
    }

    /// Original label of every class code, in sorted order.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// Name of the target column.
    pub fn target_name(&self) -> &str {
        &self.target_name
    }

    /// Position of the target among all columns of the source file.
    pub fn target_position(&self) -> usize {
        self.target_position
    }

    /// Number of rows of each class, indexed by class code.
    pub fn class_counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.classes.len()];
        for &c in &self.y {
            counts[c] += 1;
        }
        counts
    }

    /// Whether any feature is categorical.
    pub fn has_categorical(&self) -> bool {
        self.categorical.ncols() > 0
    }

    /// The rows `indices` (in that order, repeats allowed), with the same schema.
    pub fn select_rows(&self, indices: &[usize]) -> Self {
        Dataset {
            numeric: take_rows(self.numeric.view(), indices),
            categorical: take_rows(self.categorical.view(), indices),
            y: indices.iter().map(|&i| self.y[i]).collect(),
            ..self.schema_clone()
        }
    }

    /// Takes the numeric feature columns `names` out of the features (for
    /// label columns read as features, e.g. multi-label targets): returns
    /// the dataset without them and their values, one column per name.
    pub fn take_numeric_columns(&self, names: &[&str]) -> Result<(Self, Array2<f64>)> {
        let mut taken = Vec::with_capacity(names.len());
        for &name in names {
            let Some(position) = self.features.iter().position(|f| f.name == name) else {
                return Err(DataError::UnknownColumn {
                    name: name.to_string(),
                    available: self
                        .features
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            };
            if self.features[position].kind != FeatureKind::Numeric {
                return Err(DataError::Invalid(format!(
                    "column {name:?} is categorical; a label column here must hold numbers (0/1)"
                )));
            }
            taken.push(position);
        }
        let values = self.numeric.select(
            Axis(1),
            &taken.iter().map(|&p| self.features[p].index).collect::<Vec<_>>(),
        );
        let mut features = Vec::new();
        let mut keep = Vec::new();
        let mut target_position = self.target_position;
        for (position, f) in self.features.iter().enumerate() {
            if taken.contains(&position) {
                if position < self.target_position {
                    target_position -= 1;
                }
                continue;
            }
            let mut f = f.clone();
            if f.kind == FeatureKind::Numeric {
                keep.push(f.index);
                f.index = keep.len() - 1;
            }
            features.push(f);
        }
        let ds = Dataset {
            features,
            numeric: self.numeric.select(Axis(1), &keep),
            categorical: self.categorical.clone(),
            target_position,
            y: self.y.clone(),
            ..self.schema_clone()
        };
        ds.validate()?;
        Ok((ds, values))
    }

    /// A dataset with this one's schema (columns, dictionaries, classes) and new rows.
    pub fn with_rows(&self, numeric: Array2<f64>, categorical: Array2<u32>, y: Vec<usize>) -> Result<Self> {
        let ds = Dataset {
            numeric,
            categorical,
            y,
            ..self.schema_clone()
        };
        ds.validate()?;
        ds.check_finite()?;
        Ok(ds)
    }

    /// [`Dataset::with_rows`] for rows derived from this dataset's by an
    /// operation that keeps values finite (a row selection, a fitted
    /// scaler): shapes and codes are validated, values are not scanned.
    pub fn with_derived_rows(&self, numeric: Array2<f64>, categorical: Array2<u32>, y: Vec<usize>) -> Result<Self> {
        let ds = Dataset {
            numeric,
            categorical,
            y,
            ..self.schema_clone()
        };
        ds.validate()?;
        Ok(ds)
    }

    fn schema_clone(&self) -> Self {
        Dataset {
            features: self.features.clone(),
            numeric: Array2::zeros((0, 0)),
            categorical: Array2::zeros((0, 0)),
            categories: self.categories.clone(),
            target_name: self.target_name.clone(),
            target_position: self.target_position,
            classes: self.classes.clone(),
            y: Vec::new(),
        }
    }

    /// One column's values as codes into its distinct values, sorted as
    /// NumPy and Python sort them (numbers by value, else text): the
    /// `(distinct, codes)` of feature `name`, or of the labels (`classes`,
    /// `y`) when `name` is `None` or the target's name. What federated
    /// partitioners split by (a class label, a client id column).
    pub fn column_codes(&self, name: Option<&str>) -> Result<(Vec<String>, Vec<usize>)> {
        if name.is_none() || name == Some(self.target_name.as_str()) {
            if !self.is_labelled() {
                return Err(DataError::Invalid(
                    "the data have no label column: name the column to split by".into(),
                ));
            }
            return Ok((self.classes.clone(), self.y.clone()));
        }
        let name = name.unwrap_or_default();
        let f = self
            .features
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| DataError::UnknownColumn {
                name: name.to_string(),
                available: self
                    .features
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let text: Vec<String> = (0..self.n_samples())
            .map(|i| match f.kind {
                FeatureKind::Numeric => crate::io::format_number(self.numeric[(i, f.index)]),
                FeatureKind::Categorical => self.categories[f.index][self.categorical[(i, f.index)] as usize].clone(),
            })
            .collect();
        Ok(encode(&text))
    }

    /// Row `i` as text in the source file's column order, the target (if
    /// labelled) in its place: numbers as [`crate::format_number`] writes
    /// them, categories and labels as their original strings. Fills `out`
    /// (cleared first).
    pub fn row_text(&self, i: usize, out: &mut Vec<String>) {
        out.clear();
        for f in &self.features {
            out.push(match f.kind {
                FeatureKind::Numeric => crate::io::format_number(self.numeric[(i, f.index)]),
                FeatureKind::Categorical => self.categories[f.index][self.categorical[(i, f.index)] as usize].clone(),
            });
        }
        if self.is_labelled() {
            out.insert(self.target_position, self.classes[self.y[i]].clone());
        }
    }
}

/// The first non-finite value of `x` in row-major order, with its (row,
/// column); `None` when every value is finite.
///
/// Why not `iter().find(..)`: an early exit per value keeps the check from
/// vectorising; folding blocks of values without one is ~5x faster, and only
/// a block that holds a bad value is searched again.
pub fn first_non_finite(x: ArrayView2<'_, f64>) -> Option<((usize, usize), f64)> {
    fn all_finite(values: &[f64]) -> bool {
        values.iter().fold(true, |ok, v| ok & v.is_finite())
    }
    let d = x.ncols().max(1);
    if let Some(values) = x.as_slice() {
        for (b, block) in values.chunks(4096).enumerate() {
            if !all_finite(block) {
                let p = b * 4096 + block.iter().position(|v| !v.is_finite())?;
                return Some(((p / d, p % d), values[p]));
            }
        }
        return None;
    }
    x.indexed_iter().find(|(_, v)| !v.is_finite()).map(|(at, &v)| (at, v))
}

/// The rows `rows` of `x` (in that order, repeats allowed).
///
/// Why not `ndarray`'s `select(Axis(0), ..)`: it builds one view per selected
/// row and concatenates them, which costs ~100 bytes per row and a slow
/// generic copy; this copies contiguous row slices into one allocation.
pub fn take_rows<T: Copy>(x: ArrayView2<'_, T>, rows: &[usize]) -> Array2<T> {
    let d = x.ncols();
    let mut out = Vec::with_capacity(rows.len() * d);
    match x.as_slice() {
        Some(all) => {
            let row = |r: usize| &all[r * d..(r + 1) * d];
            for (t, &r) in rows.iter().enumerate() {
                if let Some(&ahead) = rows.get(t + 8) {
                    prefetch(row(ahead));
                }
                out.extend_from_slice(row(r));
            }
        }
        None => rows.iter().for_each(|&r| out.extend(x.row(r).iter().copied())),
    }
    Array2::from_shape_vec((rows.len(), d), out).expect("rows x d values")
}

/// Asks the CPU to bring `values` into its caches, where it can (x86-64);
/// a hint that never faults and changes nothing else.
///
/// Why: rows gathered in random order (a mini-batch, an under-sample) are
/// each a cache miss that the hardware cannot foresee; asking for the row
/// eight ahead overlaps the misses (200 gathers of 1024 random rows out of
/// 100k rows of 20 features: 10.4 -> 5.4 ms, in a one-off program).
#[inline]
fn prefetch<T>(values: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let line = (64 / std::mem::size_of::<T>().max(1)).max(1);
        let starts = values.iter().step_by(line).chain(values.last());
        for v in starts {
            // SAFETY: prefetching reads nothing that the program sees and
            // never faults; the address is inside `values` anyway.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(std::ptr::from_ref(v).cast()) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = values;
}

/// Median as NumPy computes it (mean of the two middle values for even n).
pub fn median(v: &mut [f64]) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn column_codes_sort_values_as_python() {
        let x = ndarray::array![[10.0], [2.0], [10.0], [-1.5]];
        let d = Dataset::from_numeric(x, &["b", "a", "b", "c"]).unwrap();
        assert_eq!(
            d.column_codes(None).unwrap(),
            (vec!["a".into(), "b".into(), "c".into()], vec![1, 0, 1, 2])
        );
        assert_eq!(d.column_codes(Some("target")).unwrap().1, vec![1, 0, 1, 2]);
        let (distinct, codes) = d.column_codes(Some("f0")).unwrap();
        assert_eq!(distinct, vec!["-1.5", "2", "10"]);
        assert_eq!(codes, vec![2, 1, 2, 0]);
        assert!(matches!(
            d.column_codes(Some("nope")),
            Err(DataError::UnknownColumn { .. })
        ));
    }

    #[test]
    fn take_rows_gathers_rows_in_the_order_given() {
        let x = Array2::from_shape_fn((50, 3), |(i, j)| (10 * i + j) as f64);
        // Repeats, any order, longer than the prefetch distance.
        let rows: Vec<usize> = (0..40).map(|t| (t * 17 + 3) % 50).chain([0, 0, 49]).collect();
        let want = Array2::from_shape_fn((rows.len(), 3), |(t, j)| (10 * rows[t] + j) as f64);
        assert_eq!(take_rows(x.view(), &rows), want);
        // A strided view (every other column) takes the other path.
        let strided = x.slice(ndarray::s![.., ..;2]);
        assert_eq!(take_rows(strided, &rows), want.slice(ndarray::s![.., ..;2]));
        assert_eq!(take_rows(x.view(), &[]).dim(), (0, 3));
    }

    #[test]
    fn labels_sort_numerically_when_numeric() {
        let mut l = vec!["10".to_string(), "9".into(), "-1".into()];
        sort_labels(&mut l);
        assert_eq!(l, ["-1", "9", "10"]);
        let mut s = vec!["positive".to_string(), "negative".into()];
        sort_labels(&mut s);
        assert_eq!(s, ["negative", "positive"]);
    }

    #[test]
    fn from_numeric_encodes_sorted_classes() {
        let ds = Dataset::from_numeric(array![[1.0], [2.0], [3.0]], &["b", "a", "b"]).unwrap();
        assert_eq!(ds.classes(), ["a", "b"]);
        assert_eq!(ds.y(), [1, 0, 1]);
        assert_eq!(ds.class_counts(), [1, 2]);
        let sub = ds.select_rows(&[2, 2]);
        assert_eq!(sub.numeric(), array![[3.0], [3.0]]);
    }

    #[test]
    fn first_non_finite_finds_the_first_bad_value_in_any_layout() {
        // Past the 4096-value blocks, and in a transposed (non-contiguous) view.
        let mut x = Array2::<f64>::zeros((700, 7));
        assert_eq!(first_non_finite(x.view()), None);
        x[(650, 3)] = f64::INFINITY;
        x[(690, 1)] = f64::NAN;
        assert_eq!(first_non_finite(x.view()), Some(((650, 3), f64::INFINITY)));
        let t = first_non_finite(x.t()).unwrap();
        assert_eq!(t.0, (1, 690));
        assert!(t.1.is_nan());
        assert_eq!(first_non_finite(Array2::<f64>::zeros((0, 3)).view()), None);
    }

    #[test]
    fn rejects_mismatched_shapes_and_non_finite() {
        assert!(Dataset::from_numeric(array![[1.0], [2.0]], &["a"]).is_err());
        let err = Dataset::from_numeric(array![[1.0], [f64::INFINITY]], &["a", "b"]).unwrap_err();
        assert!(matches!(err, DataError::NonFinite { .. }), "{err}");
    }
}
