//! The samplers that read rows' nearest rows of the whole table, where
//! one side is small: the cleaning samplers `TomekLinks`,
//! `EditedNearestNeighbours` and `NeighbourhoodCleaningRule`, and the
//! over-samplers `BorderlineSMOTE` and `ADASYN` (which read the nearest
//! rows of each row of the classes they grow).
//!
//! Every class but the largest is gathered (the minority index, which
//! every chunk of the largest class is searched against); the largest
//! class streams past it in chunks; the rows to remove are found by their
//! key and dropped by an anti-join.
//!
//! ENN and NCR ask for each cleaned row's `k` nearest rows of the whole
//! table, which for a row of the largest class is a k-NN self-join of that
//! class. It is exact here, in two passes over the largest class:
//! 1. each chunk's rows are searched among the chunk and the gathered
//!    rows. Rows of the gathered classes found among a row's nearest in
//!    the whole table are among its nearest in that subset (a subset puts
//!    fewer rows before them), and any row added to the subset is of the
//!    row's own class; so a row kept on the subset's neighbours is kept on
//!    the table's, by either rule (all or most of its class). Most rows far
//!    from the gathered classes are settled so;
//! 2. the rows left unsettled (near the gathered classes) and the gathered
//!    rows that are cleaned are searched among every chunk, each only as
//!    far as its nearest so far reach, their nearest merged: the exact
//!    answer. These rows must fit in memory, as the gathered classes must.
//!    How many there are depends on the data, and grows with the chunks'
//!    number (each chunk holds a sparser sample of the class).
//!
//! The first pass costs about (rows x chunk) distances, the second
//! (unsettled x rows): quadratic in the end, as the in-memory search is.
//!
//! Distance ties go to the lower row key (in memory, to the earlier row of
//! the file): the same rows as the in-memory sampler wherever no two rows
//! are at the same distance from a cleaned row.

use std::collections::{BTreeMap, HashMap};

use datafusion::arrow::array::{AsArray, RecordBatch, UInt64Array};
use datafusion::arrow::datatypes::{DataType, Field, Schema};
use datafusion::common::JoinType;
use datafusion::prelude::*;
use imbalanced_neighbors::{squared_distance, KnnIndex};
use imbalanced_resample::{
    Adasyn, BorderlineKind, BorderlineSmote, EditedNearestNeighbours, KindSel, NeighbourhoodCleaningRule,
    ResampleError, SamplerSpec, SamplingKind, SamplingStrategy,
};
use ndarray::ArrayView2;

use crate::{
    batch_rows, cast_expr, col_named, entry_params, finish, is_label, with_draws, ClassCounts, Engine, Result,
    ScaleError, Table, KEY, LABEL,
};

/// The default rows per chunk for a largest class of `n` rows:
/// `sqrt(1024 n)`, within [8,192, 1,048,576]. The first pass costs about
/// `n x chunk` distances; the second `unsettled x n`, where the unsettled
/// rows grow as `n / chunk`: a chunk of order `sqrt(n)` balances them
/// (measured: BENCHMARKS.md).
fn auto_chunk(n: u64) -> usize {
    ((1024.0 * n as f64).sqrt() as usize).clamp(1 << 13, 1 << 20)
}

/// The largest class, the first of equal counts: the one searched in
/// chunks.
fn largest(counts: &ClassCounts) -> usize {
    (0..counts.0.len())
        .rev()
        .max_by_key(|&c| counts.0[c].1)
        .expect("a class")
}

/// How many nearest rows of the whole table (the row itself first) an
/// over-sampler of [`crate::LOCAL_SAMPLERS`] reads around each row of the
/// classes it grows: `None` for SMOTE (it reads only those classes),
/// `m_neighbors + 1` for BorderlineSMOTE, `n_neighbors + 1` for ADASYN.
/// BorderlineSMOTE's `borderline-2` is refused: it interpolates towards
/// rows of the other classes picked by their position among all of them.
pub(crate) fn neighbourhood_width(spec: &SamplerSpec) -> Result<Option<usize>> {
    let unsupported = |e: imbalanced_catalog::CatalogError| ScaleError::Unsupported(e.to_string());
    let entry = imbalanced_resample::SAMPLERS.find(&spec.name).map_err(unsupported)?;
    let given: Vec<(String, serde_json::Value)> = spec.params.clone().into_iter().collect();
    let params = entry.configure(&given, &[]).map_err(unsupported)?;
    match entry.info.name {
        "BorderlineSMOTE" => {
            let b: BorderlineSmote = entry_params(entry, &params)?;
            if b.kind != BorderlineKind::Borderline1 {
                return Err(ScaleError::Unsupported(
                    "BorderlineSMOTE: kind='borderline-2' is not supported on DataFusion (it interpolates towards \
                     rows of the other classes picked by their position among all of them); use borderline-1"
                        .into(),
                ));
            }
            Ok(Some(b.m_neighbors + 1))
        }
        "ADASYN" => Ok(Some(entry_params::<Adasyn>(entry, &params)?.n_neighbors + 1)),
        _ => Ok(None),
    }
}

/// The column of keys in the key joins.
const KEYS: &str = "__imbalanced_keys";

/// Gathered rows: features (`Float64`, row-major), row keys and class
/// codes, sorted by key (so that the search's ties, by index, go by key).
struct Rows {
    x: Vec<f64>,
    keys: Vec<u64>,
    class: Vec<usize>,
    d: usize,
}

impl Rows {
    fn gather(t: &Table, batches: &[RecordBatch], code: &HashMap<&str, usize>) -> Result<Rows> {
        let d = t.features.len();
        let (mut x, mut keys, mut class) = (Vec::new(), Vec::new(), Vec::new());
        for b in batches {
            let (xb, kb) = batch_rows(t, b)?;
            x.extend(xb);
            keys.extend(kb);
            let labels = b.column_by_name(LABEL).expect("the label column").as_string::<i32>();
            class.extend((0..b.num_rows()).map(|i| code[labels.value(i)]));
        }
        let mut order: Vec<usize> = (0..keys.len()).collect();
        order.sort_by_key(|&i| keys[i]);
        Ok(Rows {
            x: order
                .iter()
                .flat_map(|&i| x[i * d..(i + 1) * d].iter().copied())
                .collect(),
            keys: order.iter().map(|&i| keys[i]).collect(),
            class: order.iter().map(|&i| class[i]).collect(),
            d,
        })
    }

    fn len(&self) -> usize {
        self.keys.len()
    }

    fn row(&self, i: usize) -> &[f64] {
        &self.x[i * self.d..(i + 1) * self.d]
    }

    fn view(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.len(), self.d), &self.x).expect("rows of d values")
    }

    /// The `width` rows here nearest each of `queries` (row-major), among
    /// those within its bound (squared; infinite: any).
    fn nearest(&self, index: &KnnIndex<'_>, queries: &[f64], width: usize, bounds: &[f64]) -> Result<Vec<Near>> {
        let n = queries.len() / self.d.max(1);
        let queries = ArrayView2::from_shape((n, self.d), queries).expect("rows of d values");
        let bounds: Vec<f64> = bounds.iter().map(|b| b.sqrt()).collect();
        let found = index
            .query_within(queries, width, &bounds)
            .map_err(|e| ScaleError::Unsupported(e.to_string()))?;
        Ok(found
            .into_iter()
            .zip(queries.rows())
            .map(|(found, q)| {
                let q = q.as_slice().expect("a row-major query");
                found
                    .into_iter()
                    .map(|(j, _)| (squared_distance(q, self.row(j)), self.keys[j], self.class[j]))
                    .collect()
            })
            .collect())
    }
}

/// A row near another: (squared distance, key, class).
type Neighbour = (f64, u64, usize);

/// A row's nearest rows so far, nearest first, ties by key.
type Near = Vec<Neighbour>;

/// `more` merged into `near`, keeping the `width` nearest.
fn merge(near: &mut Near, more: Near, width: usize) {
    near.extend(more);
    near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    near.truncate(width);
}

/// How far a row's nearest `width` reach (squared): nothing beyond can
/// join them.
fn reach(near: &Near, width: usize) -> f64 {
    if near.len() == width {
        near[width - 1].0
    } else {
        f64::INFINITY
    }
}

fn classes(near: &[Neighbour]) -> impl Iterator<Item = usize> + '_ {
    near.iter().map(|e| e.2)
}

/// A row whose nearest rows of the whole table are known (once every
/// chunk is merged in).
struct Asked {
    key: u64,
    class: usize,
    near: Near,
    /// A squared distance its `width` nearest lie within (those of a
    /// subset of the table reach at least as far).
    bound: f64,
}

/// What ENN and NCR start from: the class counts, the largest class (the
/// first of equal counts: searched in chunks) and the classes the sampling
/// strategy cleans.
struct Cleaning {
    counts: ClassCounts,
    large: usize,
    cleaned: BTreeMap<usize, usize>,
}

/// Whether a row of the largest class (its key, its nearest among its
/// chunk and the gathered rows) is settled without the whole table.
type Settles<'a> = &'a dyn Fn(u64, &[Neighbour]) -> bool;

/// Which rows [`Engine::neighbourhoods`] finds the nearest of.
struct Ask<'a> {
    /// Rows per query: the row itself (or an identical one) first.
    width: usize,
    /// The classes other than the largest whose rows are asked about.
    small: &'a dyn Fn(usize) -> bool,
    /// For the largest class's rows, when they are asked about: whether
    /// a row (its key, its nearest among its chunk and the gathered rows)
    /// is settled without the whole table; the others are asked about.
    settles: Option<Settles<'a>>,
}

impl Engine {
    /// The table's features as `Float64`, its target, label and row key
    /// (of the values as read, as [`with_draws`] computes it for the
    /// output).
    fn keyed(&self, t: &Table) -> Result<DataFrame> {
        t.float_schema()?;
        let mut columns: Vec<Expr> = t
            .features
            .iter()
            .map(|f| cast_expr(col_named(f), DataType::Float64).alias(f))
            .collect();
        columns.extend([col_named(&t.target), col(LABEL), col(KEY)]);
        Ok(with_draws(t, 0)?.select(columns)?)
    }

    /// The table without the rows whose key is in `removed`, in the output
    /// order: an anti-join with the staged keys.
    fn without_keys(&self, t: &Table, removed: Vec<u64>) -> Result<DataFrame> {
        let kept = with_draws(t, 0)?;
        if removed.is_empty() {
            return finish(t, kept);
        }
        finish(t, self.join_keys(kept, removed, JoinType::LeftAnti)?)
    }

    /// `df` (with a key column) joined (`how`: semi, anti) with `keys`,
    /// staged.
    fn join_keys(&self, df: DataFrame, mut keys: Vec<u64>, how: JoinType) -> Result<DataFrame> {
        keys.sort_unstable();
        keys.dedup();
        let schema = Schema::new(vec![Field::new(KEYS, DataType::UInt64, false)]);
        let batch = RecordBatch::try_new(schema.into(), vec![std::sync::Arc::new(UInt64Array::from(keys))])?;
        let keys = self.stage(batch)?;
        Ok(df.join(keys, how, &[KEY], &[KEYS], None)?)
    }

    /// The rows of classes other than `grown` among the `width` nearest
    /// rows of the whole table of each row of `grown` (gathered; the
    /// largest class is searched in chunks, as ENN does), as
    /// [`Engine::keyed`] gives them.
    pub(crate) fn nearest_others(
        &self,
        t: &Table,
        counts: &ClassCounts,
        grown: &[usize],
        width: usize,
    ) -> Result<Vec<RecordBatch>> {
        let large = largest(counts);
        if grown.contains(&large) {
            return Err(ScaleError::Unsupported(format!(
                "the sampling strategy grows the largest class ({}): on DataFusion only the other classes are \
                 gathered",
                counts.0[large].0
            )));
        }
        let ask = Ask {
            width,
            small: &|c| grown.contains(&c),
            settles: None,
        };
        let keys: Vec<u64> = self
            .neighbourhoods(t, counts, large, &ask)?
            .iter()
            .flat_map(|a| a.near.iter().filter(|e| !grown.contains(&e.2)).map(|e| e.1))
            .collect();
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let near = self.join_keys(self.keyed(t)?, keys, JoinType::LeftSemi)?;
        Ok(self.block_on(near.collect())?)
    }

    /// Runs `f` on `rows` in chunks of at least `size` rows (whole
    /// batches), each with its index.
    fn for_each_chunk(
        &self,
        t: &Table,
        rows: DataFrame,
        code: &HashMap<&str, usize>,
        size: usize,
        mut f: impl FnMut(&Rows, &KnnIndex<'_>) -> Result<()>,
    ) -> Result<()> {
        let mut pending: Vec<RecordBatch> = Vec::new();
        let mut run = |pending: &mut Vec<RecordBatch>| -> Result<()> {
            let chunk = Rows::gather(t, pending, code)?;
            pending.clear();
            f(&chunk, &KnnIndex::new(chunk.view()))
        };
        self.for_each_batch(rows, |b| {
            pending.push(b.clone());
            if pending.iter().map(|b| b.num_rows()).sum::<usize>() >= size {
                run(&mut pending)?;
            }
            Ok(())
        })?;
        if !pending.is_empty() {
            run(&mut pending)?;
        }
        Ok(())
    }

    /// The rows asked about (see the module's passes), each with its
    /// `ask.width` nearest rows of the whole table (Euclidean, ties by key);
    /// `large` is the class searched in chunks.
    fn neighbourhoods(&self, t: &Table, counts: &ClassCounts, large: usize, ask: &Ask<'_>) -> Result<Vec<Asked>> {
        let labels = counts.labels();
        let code: HashMap<&str, usize> = labels.iter().enumerate().map(|(c, l)| (l.as_str(), c)).collect();
        let keyed = self.keyed(t)?;
        let small_rows = keyed.clone().filter(is_label(&labels[large]).not())?;
        let small = Rows::gather(t, &self.block_on(small_rows.collect())?, &code)?;
        let small_index = KnnIndex::new(small.view());
        let picked: Vec<usize> = (0..small.len()).filter(|&i| (ask.small)(small.class[i])).collect();
        let queries: Vec<f64> = picked.iter().flat_map(|&i| small.row(i).iter().copied()).collect();
        let unbounded = |n: usize| vec![f64::INFINITY; n];
        let mut asked: Vec<Asked> = picked
            .iter()
            .zip(small.nearest(&small_index, &queries, ask.width, &unbounded(picked.len()))?)
            .map(|(&i, near)| Asked {
                key: small.keys[i],
                class: small.class[i],
                bound: reach(&near, ask.width),
                near,
            })
            .collect();
        if asked.is_empty() && ask.settles.is_none() {
            return Ok(asked);
        }
        let large_rows = keyed.filter(is_label(&labels[large]))?;
        let size = self.chunk_rows.unwrap_or_else(|| auto_chunk(counts.0[large].1));
        // Pass 1: the gathered rows asked about meet every chunk; each
        // chunk's own rows are settled or asked about.
        let (mut unsettled, mut unsettled_x): (Vec<Asked>, Vec<f64>) = (Vec::new(), Vec::new());
        let meet = |asked: &mut [Asked], x: &[f64], chunk: &Rows, index: &KnnIndex<'_>| -> Result<()> {
            let bounds: Vec<f64> = asked.iter().map(|a| a.bound.min(reach(&a.near, ask.width))).collect();
            for (a, more) in asked.iter_mut().zip(chunk.nearest(index, x, ask.width, &bounds)?) {
                merge(&mut a.near, more, ask.width);
            }
            Ok(())
        };
        self.for_each_chunk(t, large_rows.clone(), &code, size, |chunk, index| {
            meet(&mut asked, &queries, chunk, index)?;
            let Some(settles) = ask.settles else { return Ok(()) };
            let n = chunk.len();
            let within = chunk.nearest(index, &chunk.x, ask.width, &unbounded(n))?;
            // The gathered rows beyond the chunk's nearest cannot join them.
            let reaches: Vec<f64> = within.iter().map(|near| reach(near, ask.width)).collect();
            let gathered = small.nearest(&small_index, &chunk.x, ask.width, &reaches)?;
            for (i, (mut near, from_small)) in within.into_iter().zip(gathered).enumerate() {
                merge(&mut near, from_small, ask.width);
                if !settles(chunk.keys[i], &near) {
                    // Pass 2 searches every chunk again, this one too: it starts from the
                    // gathered rows alone. Those beyond this list cannot join the answer.
                    let bound = reach(&near, ask.width);
                    near.retain(|e| e.2 != large);
                    unsettled.push(Asked {
                        key: chunk.keys[i],
                        class: large,
                        near,
                        bound,
                    });
                    unsettled_x.extend_from_slice(chunk.row(i));
                }
            }
            Ok(())
        })?;
        // Pass 2: the unsettled rows meet every chunk, each searched only as
        // far as its nearest so far reach.
        if !unsettled.is_empty() {
            self.for_each_chunk(t, large_rows, &code, size, |chunk, index| {
                meet(&mut unsettled, &unsettled_x, chunk, index)
            })?;
        }
        asked.extend(unsettled);
        Ok(asked)
    }

    /// What ENN and NCR start from ([`Cleaning`]), once the table is
    /// checked to have the `k + 1` rows a neighbourhood needs.
    fn cleaning(&self, t: &Table, k: usize, strategy: &SamplingStrategy) -> Result<Cleaning> {
        let counts = self.class_counts(t)?;
        let n = counts.total() as usize;
        if k + 1 > n {
            return Err(ResampleError::TooFewSamples {
                class: "(all)".into(),
                n,
                needed: k + 1,
                param: "n_neighbors",
                k,
            }
            .into());
        }
        let large = largest(&counts);
        let cleaned = strategy.resolve(&counts.by_code(), SamplingKind::Clean, &counts.labels())?;
        Ok(Cleaning { counts, large, cleaned })
    }

    /// ENN's removals with `kind` and `k` neighbours (the keys of the
    /// cleaned rows whose neighbours disagree), and the neighbourhoods
    /// found: of the rows it could not settle, and of class `also`'s.
    fn edit(
        &self,
        t: &Table,
        c: &Cleaning,
        k: usize,
        kind: KindSel,
        also: Option<usize>,
    ) -> Result<(Vec<u64>, Vec<Asked>)> {
        let large = c.large;
        let settles = |key: u64, near: &[Neighbour]| near[0].1 == key && kind.agrees(large, classes(&near[1..]));
        let ask = Ask {
            width: k + 1,
            small: &|class| Some(class) == also || c.cleaned.contains_key(&class),
            settles: c.cleaned.contains_key(&large).then_some(&settles as _),
        };
        let asked = self.neighbourhoods(t, &c.counts, large, &ask)?;
        let removed = asked
            .iter()
            .filter(|a| c.cleaned.contains_key(&a.class) && !kind.agrees(a.class, classes(&a.near[1..])))
            .map(|a| a.key)
            .collect();
        Ok((removed, asked))
    }

    /// imbalanced-learn's `EditedNearestNeighbours` where every class but
    /// the largest fits in memory: a row of a cleaned class is removed
    /// unless all (`kind_sel = "all"`) or most (`"mode"`) of its
    /// `n_neighbors` nearest rows share its class. Exact (see the module's
    /// two passes).
    pub fn edited_nearest_neighbours(&self, t: &Table, enn: &EditedNearestNeighbours) -> Result<DataFrame> {
        enn.check()?;
        let c = self.cleaning(t, enn.n_neighbors, &enn.sampling_strategy)?;
        let (removed, _) = self.edit(t, &c, enn.n_neighbors, enn.kind_sel, None)?;
        self.without_keys(t, removed)
    }

    /// imbalanced-learn's `NeighbourhoodCleaningRule` where every class but
    /// the largest fits in memory: the rows ENN (`kind_sel = "mode"`)
    /// removes, and the rows of the classes it cleans (more than
    /// `threshold_cleaning` times the minority's rows) among the
    /// `n_neighbors` nearest of a minority row that they misclassify.
    /// Exact (see the module's two passes). The minority is the smallest
    /// class, the first in class order among equal counts (in memory, the
    /// first to appear in the file).
    pub fn neighbourhood_cleaning_rule(&self, t: &Table, ncr: &NeighbourhoodCleaningRule) -> Result<DataFrame> {
        ncr.check()?;
        let k = ncr.n_neighbors;
        let c = self.cleaning(t, k, &ncr.sampling_strategy)?;
        let minority = (0..c.counts.0.len())
            .min_by_key(|&class| c.counts.0[class].1)
            .expect("a class");
        let n = |class: usize| c.counts.0[class].1 as usize;
        let (mut removed, asked) = self.edit(t, &c, k, KindSel::Mode, Some(minority))?;
        for a in asked.iter().filter(|a| a.class == minority) {
            if NeighbourhoodCleaningRule::misclassified(minority, classes(&a.near[..k])) {
                removed.extend(
                    a.near[1..]
                        .iter()
                        .filter(|e| ncr.cleans_around_minority(c.cleaned.contains_key(&e.2), n(e.2), n(minority)))
                        .map(|e| e.1),
                );
            }
        }
        self.without_keys(t, removed)
    }

    /// imbalanced-learn's `TomekLinks` on a binary table whose minority
    /// fits in memory: the majority rows that form a Tomek link (a pair of
    /// mutual nearest neighbours, Euclidean, of different classes) with a
    /// minority row are removed. The minority is gathered; the majority
    /// streams past it twice: once for each minority row's nearest majority
    /// row, once to check that no majority row is nearer to that row than
    /// its minority partner. A distance tie goes to the row's own class (no
    /// link). O(majority x minority) distances.
    pub fn tomek_links(&self, t: &Table) -> Result<DataFrame> {
        let counts = self.class_counts(t)?;
        if counts.0.len() != 2 {
            return Err(ScaleError::Unsupported(format!(
                "TomekLinks on DataFusion takes two classes (the minority gathered, the majority streamed); this table \
                 has {}",
                counts.0.len()
            )));
        }
        let minority = if counts.0[0].1 <= counts.0[1].1 { 0 } else { 1 };
        let (small, large) = (counts.0[minority].0.clone(), counts.0[1 - minority].0.clone());
        let keyed = self.keyed(t)?;
        let d = t.features.len();
        let rows_of = |batches: &[RecordBatch]| -> Result<(Vec<f64>, Vec<u64>)> {
            let (mut x, mut k) = (Vec::new(), Vec::new());
            for b in batches {
                let (xb, kb) = batch_rows(t, b)?;
                x.extend(xb);
                k.extend(kb);
            }
            Ok((x, k))
        };
        let (s, _) = rows_of(&self.block_on(keyed.clone().filter(is_label(&small))?.collect())?)?;
        let n_small = s.len() / d.max(1);
        let majority = keyed.filter(is_label(&large))?;
        // Pass 1: each minority row's nearest majority row.
        let mut nearest: Vec<(f64, u64, Vec<f64>)> = vec![(f64::INFINITY, 0, Vec::new()); n_small];
        self.for_each_batch(majority.clone(), |b| {
            let (x, k) = batch_rows(t, b)?;
            use rayon::prelude::*;
            // Nearest by (distance, key): the same row whatever order the batches come in.
            nearest.par_iter_mut().enumerate().for_each(|(i, best)| {
                let own = &s[i * d..(i + 1) * d];
                for (j, row) in x.chunks_exact(d.max(1)).enumerate() {
                    let dist = squared_distance(own, row);
                    if dist < best.0 || (dist == best.0 && k[j] < best.1) {
                        *best = (dist, k[j], row.to_vec());
                    }
                }
            });
            Ok(())
        })?;
        // Candidates: a minority row nearer its nearest majority row than any other minority row, and
        // that majority row nearer it than any other minority row.
        let mut candidates: Vec<(u64, Vec<f64>, f64)> = Vec::new();
        for i in 0..n_small {
            let (dist, key, row) = &nearest[i];
            let own = &s[i * d..(i + 1) * d];
            let other_small = nearest_row(own, &s, d, Some(i)).map_or(f64::INFINITY, |(dd, _)| dd);
            let partner = nearest_row(row, &s, d, None);
            if dist.is_finite() && *dist < other_small && partner.is_some_and(|(_, j)| j == i) {
                let second = nearest_row(row, &s, d, Some(i)).map_or(f64::INFINITY, |(dd, _)| dd);
                if *dist < second {
                    candidates.push((*key, row.clone(), *dist));
                }
            }
        }
        // Pass 2: no other majority row nearer a candidate than its minority partner.
        let mut rivals = vec![(f64::INFINITY, 0usize); candidates.len()];
        self.for_each_batch(majority, |b| {
            let (x, k) = batch_rows(t, b)?;
            for (c, (key, row, _)) in candidates.iter().enumerate() {
                for j in 0..k.len() {
                    if k[j] == *key {
                        rivals[c].1 += 1;
                    } else {
                        rivals[c].0 = rivals[c].0.min(squared_distance(row, &x[j * d..(j + 1) * d]));
                    }
                }
            }
            Ok(())
        })?;
        let removed = candidates
            .iter()
            .zip(&rivals)
            .filter(|((_, _, dist), (rival, copies))| *copies == 1 && rival > dist)
            .map(|((key, _, _), _)| *key)
            .collect();
        self.without_keys(t, removed)
    }
}

/// The row of `rows` (row-major, `d` columns) nearest `query` other than
/// row `skip`: its squared distance and index (the first among ties).
fn nearest_row(query: &[f64], rows: &[f64], d: usize, skip: Option<usize>) -> Option<(f64, usize)> {
    rows.chunks_exact(d.max(1))
        .enumerate()
        .filter(|(j, _)| Some(*j) != skip)
        .map(|(j, r)| (squared_distance(query, r), j))
        .fold(None, |best, (dist, j)| match best {
            Some((b, _)) if b <= dist => best,
            _ => Some((dist, j)),
        })
}
