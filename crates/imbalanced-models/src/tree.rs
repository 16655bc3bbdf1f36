//! CART classification trees (Breiman et al. 1984), as scikit-learn's
//! `DecisionTreeClassifier` with the "best" splitter.

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;

use crate::class_weight::ClassWeight;
use crate::persist::{ensure, finite, Validate, MAX_CLASSES};
use crate::traits::{check_predict_input, Fit, Predict};
use crate::ModelError;

/// Impurity measure of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Gini impurity `1 - Σ p_k²`. The default.
    #[default]
    Gini,
    /// Entropy `-Σ p_k log p_k`.
    Entropy,
}

/// How many features each split considers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MaxFeatures {
    /// All of them (a plain tree's default).
    #[default]
    All,
    /// `floor(sqrt(d))`, at least 1 (a forest's default).
    Sqrt,
    /// `floor(log2(d))`, at least 1.
    Log2,
    /// A fixed number (capped at `d`).
    Count(usize),
}

/// As scikit-learn writes it: `null` (all), `"sqrt"`, `"log2"` or a count.
impl Serialize for MaxFeatures {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            MaxFeatures::All => s.serialize_none(),
            MaxFeatures::Sqrt => s.serialize_str("sqrt"),
            MaxFeatures::Log2 => s.serialize_str("log2"),
            MaxFeatures::Count(n) => s.serialize_u64(*n as u64),
        }
    }
}

impl<'de> Deserialize<'de> for MaxFeatures {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        match Value::deserialize(d)? {
            Value::Null => Ok(MaxFeatures::All),
            Value::String(s) if s == "sqrt" => Ok(MaxFeatures::Sqrt),
            Value::String(s) if s == "log2" => Ok(MaxFeatures::Log2),
            Value::Number(n) if n.as_u64().is_some() => Ok(MaxFeatures::Count(n.as_u64().unwrap_or(0) as usize)),
            other => Err(serde::de::Error::custom(format!(
                "max_features must be null, \"sqrt\", \"log2\" or a count, not {other}"
            ))),
        }
    }
}

impl MaxFeatures {
    fn resolve(self, d: usize) -> usize {
        let m = match self {
            MaxFeatures::All => d,
            MaxFeatures::Sqrt => (d as f64).sqrt().floor() as usize,
            MaxFeatures::Log2 => (d as f64).log2().floor() as usize,
            MaxFeatures::Count(n) => n,
        };
        m.clamp(1, d.max(1))
    }
}

/// A CART decision tree, scikit-learn's `DecisionTreeClassifier`.
///
/// Parameters of a tree. Defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "DecisionTreeClassifier", kind = "classifier", aliases = ["tree", "cart", "dt", "decision-tree"])]
pub struct DecisionTreeClassifier {
    /// Impurity of a split: `gini` or `entropy`. Default: `gini`.
    pub criterion: Criterion,
    /// Deepest level of a tree; `null` grows until leaves are pure or too small. Default: `null`.
    pub max_depth: Option<usize>,
    /// Fewest rows a node needs to be split. Default: 2.
    pub min_samples_split: usize,
    /// Fewest rows a leaf may hold. Default: 1.
    pub min_samples_leaf: usize,
    /// Features each split considers: `null` (all), `sqrt`, `log2` or a count. Default: `null`.
    pub max_features: MaxFeatures,
    /// Smallest share of the total sample weight a leaf may hold. Default: 0.
    pub min_weight_fraction_leaf: f64,
    /// Most leaves, the tree grown best split first (`null`: depth first, no limit). Default: `null`.
    pub max_leaf_nodes: Option<usize>,
    /// Smallest weighted impurity decrease `w_t/w (I(t) - w_l/w_t I(l) - w_r/w_t I(r))` a split needs.
    /// Default: 0.
    pub min_impurity_decrease: f64,
    /// Minimal cost-complexity pruning: subtrees whose effective alpha is at most this are pruned.
    /// Default: 0 (none).
    pub ccp_alpha: f64,
    /// Seed of the feature order. Default: 0.
    pub random_state: u64,
    /// Per-class multipliers of the sample weights: `null` (uniform), `balanced` (`n / (n_classes *
    /// count)`) or a list, one weight per class in label order. Default: `null`.
    pub class_weight: ClassWeight,
}

impl Default for DecisionTreeClassifier {
    fn default() -> Self {
        DecisionTreeClassifier {
            criterion: Criterion::Gini,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            min_weight_fraction_leaf: 0.0,
            max_leaf_nodes: None,
            min_impurity_decrease: 0.0,
            ccp_alpha: 0.0,
            random_state: 0,
            class_weight: ClassWeight::Uniform,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf(Vec<f64>),
}

/// A fitted tree: nodes in creation order, the root first, children after
/// their parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedTree {
    nodes: Vec<Node>,
    n_classes: usize,
    n_features: usize,
    /// Impurity-based feature importances (empty in model files written
    /// before they were kept).
    #[serde(default)]
    importances: Vec<f64>,
    /// Each node's weighted training rows (scikit-learn's
    /// `weighted_n_node_samples`), what path-dependent TreeSHAP weighs the
    /// branches by; empty in model files written before it was kept.
    #[serde(default)]
    cover: Vec<f64>,
}

fn impurity(counts: &[f64], total: f64, criterion: Criterion) -> f64 {
    if total <= 0.0 {
        return 0.0;
    }
    match criterion {
        // scikit-learn's form: one division, not one per class.
        Criterion::Gini => 1.0 - counts.iter().map(|c| c * c).sum::<f64>() / (total * total),
        Criterion::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|c| (c / total) * (c / total).log2())
            .sum::<f64>(),
    }
}

/// The training rows column by column, each value replaced by its rank
/// among the column's distinct values, shared by all trees of a forest.
///
/// Why: a split search sorts the node's rows by one feature. Sorting `u64`
/// keys `rank << 32 | row` is plain integer sorting, about twice as fast as
/// comparing `(f64, row)` pairs, and gathering a node's ranks from one
/// contiguous column stays in cache where row-major values did not (a
/// forest on 80k rows spent 85% of its time in those two steps). Ranks
/// keep order and equality, so the splits are the same. Ensembles build it
/// once and fit every member on it with [`DecisionTreeClassifier::fit_columns`].
pub struct Columns {
    n: usize,
    /// `[feature][row]`.
    ranks: Vec<u32>,
    /// Per feature, its distinct values in increasing order.
    values: Vec<Vec<f64>>,
    /// `[feature][k]`: the row of the `k`-th smallest value (ties by row),
    /// so that a tree on all the rows does not sort its root (a boosting
    /// round's stump on the same rows, round after round).
    sorted: Vec<u32>,
}

impl Columns {
    /// The columns of `x` (finite values), ranked; the columns in parallel.
    pub fn new(x: ArrayView2<'_, f64>) -> Self {
        let (n, d) = x.dim();
        let keys = column_keys(x);
        let mut ranks = vec![0u32; n * d];
        let mut sorted = vec![0u32; n * d];
        let values = ranks
            .par_chunks_mut(n.max(1))
            .zip(sorted.par_chunks_mut(n.max(1)))
            .zip(keys.par_chunks(n.max(1)))
            .map(|((ranks, sorted), keys)| {
                // Rows by value, ties by row: keys `high << 32 | row`, with
                // `high` the upper half of the value's bits, sorted on three
                // radix digits; then the rare runs of one `high` with other
                // values are sorted by the whole value. Why: sorting 64-bit
                // values with their rows moved twice the bytes twice as many
                // times (a column of 100k rows took 3 ms, now about 1).
                let mut order: Vec<u64> = keys
                    .iter()
                    .enumerate()
                    .map(|(i, &k)| (k >> 32 << 32) | i as u64)
                    .collect();
                radix_sort_by(&mut order, &mut Vec::new(), 32, |k| k >> 32);
                let full = |k: u64| keys[(k & 0xFFFF_FFFF) as usize];
                let mut start = 0;
                while start < n {
                    let high = order[start] >> 32;
                    let end = start + order[start..].iter().take_while(|&&k| k >> 32 == high).count();
                    let run = &mut order[start..end];
                    if run.iter().any(|&k| full(k) != full(run[0])) {
                        run.sort_unstable_by_key(|&k| (full(k), k));
                    }
                    start = end;
                }
                let mut distinct: Vec<f64> = Vec::new();
                for (&k, s) in order.iter().zip(sorted.iter_mut()) {
                    let i = (k & 0xFFFF_FFFF) as u32;
                    *s = i;
                    let v = from_ordered_bits(keys[i as usize]);
                    if distinct.last() != Some(&v) {
                        distinct.push(v);
                    }
                    ranks[i as usize] = (distinct.len() - 1) as u32;
                }
                distinct
            })
            .collect();
        Columns {
            n,
            ranks,
            values,
            sorted,
        }
    }
}

/// The [`ordered_bits`] of `x`, column after column. Why: reading a column
/// of a row-major matrix touches one cache line per value; this reads the
/// matrix once, a block of rows at a time (a third of the columns' ranking
/// time on 100k x 20 went to strided reads).
fn column_keys(x: ArrayView2<'_, f64>) -> Vec<u64> {
    const BLOCK: usize = 64;
    let (n, d) = x.dim();
    let mut keys = vec![0u64; n * d];
    for start in (0..n).step_by(BLOCK) {
        let end = (start + BLOCK).min(n);
        for (f, column) in keys.chunks_mut(n).enumerate() {
            for (k, &v) in column[start..end].iter_mut().zip(x.slice(ndarray::s![start..end, f])) {
                *k = ordered_bits(v);
            }
        }
    }
    keys
}

/// A float's bits as an integer that sorts as `f64::total_cmp`, with -0
/// as 0 (they are one value, one rank: equal values sort by row).
fn ordered_bits(v: f64) -> u64 {
    let b = if v == 0.0 { 0u64 } else { v.to_bits() };
    if b >> 63 == 1 {
        !b
    } else {
        b | (1 << 63)
    }
}

/// The float of [`ordered_bits`].
fn from_ordered_bits(b: u64) -> f64 {
    f64::from_bits(if b >> 63 == 1 { b & !(1 << 63) } else { !b })
}

/// Nodes of at least this many rows search their features in parallel
/// (when every feature is searched): below it the threads' overhead eats
/// the gain.
const PARALLEL_ROWS: usize = 4096;

/// The widest digit of [`radix_sort_by`], in bits.
const RADIX_BITS: u32 = 11;

/// Sorts `items` by `key(item)`, a key of `key_bits <= 33` bits, stably: a
/// least-significant-digit radix sort in as few passes of at most 11 bits
/// as the key needs (three at most), the digits' counts taken in one read,
/// a pass skipped where every key has the same digit. Why: two or three
/// counting passes beat comparisons from a few hundred items on
/// (sorting was ~40% of a forest's time).
fn radix_sort_by<T: Copy>(items: &mut Vec<T>, scratch: &mut Vec<T>, key_bits: u32, key: impl Fn(T) -> u64) {
    debug_assert!(key_bits <= 3 * RADIX_BITS && items.len() < u32::MAX as usize);
    let passes = key_bits.max(1).div_ceil(RADIX_BITS) as usize;
    let digit_bits = key_bits.max(1).div_ceil(passes as u32);
    let mask = (1u64 << digit_bits) - 1;
    let mut counts = [[0u32; 1 << RADIX_BITS]; 3];
    for &item in items.iter() {
        let k = key(item);
        counts[0][(k & mask) as usize] += 1;
        counts[1][((k >> digit_bits) & mask) as usize] += 1;
        counts[2][((k >> (2 * digit_bits)) & mask) as usize] += 1;
    }
    let n = items.len() as u32;
    // Sized (its contents are overwritten): each pass reads `items`,
    // writes `scratch`, and the two swap.
    scratch.clear();
    scratch.extend_from_slice(items);
    for (p, c) in counts.iter_mut().take(passes).enumerate() {
        let c = &mut c[..1 << digit_bits];
        if c.contains(&n) {
            continue;
        }
        let mut at = 0;
        for v in c.iter_mut() {
            (*v, at) = (at, at + *v);
        }
        let shift = p as u32 * digit_bits;
        for &item in items.iter() {
            let digit = ((key(item) >> shift) & mask) as usize;
            scratch[c[digit] as usize] = item;
            c[digit] += 1;
        }
        std::mem::swap(items, scratch);
    }
}

/// Sorts keys `rank << 32 | position` (positions distinct, ranks below
/// `ranks`). Large runs go by a stable radix sort on the rank alone: the
/// keys arrive in position order, so equal ranks stay in position order,
/// as a full sort would leave them.
fn sort_keys(keys: &mut Vec<u64>, scratch: &mut Vec<u64>, ranks: usize) {
    if keys.len() < 256 {
        keys.sort_unstable();
        return;
    }
    debug_assert!(keys.windows(2).all(|w| (w[0] & 0xFFFF_FFFF) < (w[1] & 0xFFFF_FFFF)));
    let bits = usize::BITS - ranks.saturating_sub(1).leading_zeros();
    radix_sort_by(keys, scratch, bits, |k| k >> 32);
}

/// A training row as a node holds it: its class and weight travel with it,
/// so that a split search reads them in node order, not scattered.
#[derive(Clone, Copy)]
struct Row {
    index: u32,
    class: u32,
    weight: f64,
}

struct Builder<'a> {
    /// The ranks of the rows the tree trains on, `[feature][row]` (see
    /// [`Builder::new`]), and each feature's distinct values.
    ranks: std::borrow::Cow<'a, [u32]>,
    /// Rows the tree trains on (the root's).
    n_rows: usize,
    /// Where each of the tree's features starts in `ranks`.
    offsets: Vec<usize>,
    /// The columns' rows in value order (same offsets as `ranks`), when the
    /// tree trains on every row of the columns in row order: its root's
    /// positions are then the rows and need no sorting.
    presorted: Option<&'a [u32]>,
    values: Vec<&'a [f64]>,
    n_classes: usize,
    params: &'a DecisionTreeClassifier,
    n_features: usize,
    rng: SamplerRng,
    nodes: Vec<Node>,
    /// Per node, its weight and impurity (for importances and pruning).
    stats: Vec<(f64, f64)>,
    /// Scratch for partitions.
    spare: Vec<Row>,
    /// The root's weight, and the least weight of a leaf.
    root_weight: f64,
    min_weight_leaf: f64,
}

/// A split of a node: the feature, the threshold, the rank of the last
/// value that goes left, and scikit-learn's weighted impurity decrease.
#[derive(Clone, Copy)]
struct Cut {
    feature: usize,
    threshold: f64,
    last_left: u32,
    improvement: f64,
}

impl<'a> Builder<'a> {
    /// The ranks `rows` read: where the tree trains on under half of the
    /// columns' rows (a member of an ensemble), theirs gathered into a
    /// compact copy and the rows renumbered. Why: a split search reads the
    /// ranks of the node's rows at random; from the full columns (4 bytes x
    /// all rows x features) most reads missed the cache (a quarter of a
    /// balanced forest's time), from the copy they hit it.
    #[allow(clippy::type_complexity)]
    fn ranks(
        columns: &'a Columns,
        features: &[usize],
        rows: &mut [Row],
    ) -> (std::borrow::Cow<'a, [u32]>, Vec<usize>, Option<&'a [u32]>) {
        let (n, m) = (columns.n, rows.len());
        if m * 2 >= n {
            let offsets = features.iter().map(|&g| g * n).collect();
            // Every row, in row order (rows of weight 0 were left out).
            let presorted = (m == n).then_some(columns.sorted.as_slice());
            return (std::borrow::Cow::Borrowed(&columns.ranks), offsets, presorted);
        }
        let mut local = vec![0u32; m * features.len()];
        for (out, &g) in local.chunks_mut(m.max(1)).zip(features) {
            let column = &columns.ranks[g * n..(g + 1) * n];
            for (o, r) in out.iter_mut().zip(rows.iter()) {
                *o = column[r.index as usize];
            }
        }
        for (k, r) in rows.iter_mut().enumerate() {
            r.index = k as u32;
        }
        let offsets = (0..features.len()).map(|j| j * m).collect();
        (std::borrow::Cow::Owned(local), offsets, None)
    }

    #[inline]
    fn rank(&self, i: u32, f: usize) -> u32 {
        self.ranks[self.offsets[f] + i as usize]
    }

    fn counts(&self, rows: &[Row]) -> (Vec<f64>, f64) {
        let mut c = vec![0.0; self.n_classes];
        for r in rows {
            c[r.class as usize] += r.weight;
        }
        let total = c.iter().sum();
        (c, total)
    }

    /// scikit-learn's `proxy_impurity_improvement` of a split, larger for a
    /// better one: `-wr I(right) - wl I(left)`. Ranking by it ranks by the
    /// impurity decrease (the parent's impurity and weight are the same for
    /// every split of a node) with one division less than the decrease.
    #[inline]
    fn proxy(&self, left: &[f64], wl: f64, parent: &[f64], total: f64, right: &mut [f64]) -> f64 {
        let wr = total - wl;
        match self.params.criterion {
            // `impurity`'s arithmetic, inline and without the right counts' array.
            Criterion::Gini => {
                let (mut sq_l, mut sq_r) = (0.0, 0.0);
                for (&l, &p) in left.iter().zip(parent) {
                    let r = p - l;
                    sq_l += l * l;
                    sq_r += r * r;
                }
                -wr * (1.0 - sq_r / (wr * wr)) - wl * (1.0 - sq_l / (wl * wl))
            }
            Criterion::Entropy => {
                for ((r, a), b) in right.iter_mut().zip(parent).zip(left) {
                    *r = a - b;
                }
                -wr * impurity(right, wr, Criterion::Entropy) - wl * impurity(left, wl, Criterion::Entropy)
            }
        }
    }

    /// Best split of `rows` as (feature, threshold, rank of the last value
    /// that goes left), or `None`. Features in a random order, as
    /// scikit-learn: the first `max_features` that are not constant in the
    /// node, and more while none has a valid split; the first best wins.
    /// Where every feature is examined and the node is large, the features
    /// are searched in parallel and taken in the same order (the same
    /// split on any thread count). Why: a boosting stump searches all 20
    /// features of ~10k rows each round on one core otherwise.
    fn best_split(&mut self, rows: &[Row], parent: &[f64], total: f64) -> Option<(usize, f64, u32)> {
        let d = self.values.len();
        let mut order: Vec<usize> = (0..d).collect();
        self.rng.shuffle(&mut order);
        let this = &*self;
        let search = |f: usize, buffers: &mut (Vec<u64>, Vec<u64>)| this.feature_split(f, rows, parent, total, buffers);
        let found: Vec<Option<Option<(f64, f64, u32)>>> = if self.n_features >= d && rows.len() >= PARALLEL_ROWS {
            order
                .par_iter()
                .map_init(|| (Vec::new(), Vec::new()), |buffers, &f| search(f, buffers))
                .collect()
        } else {
            let mut buffers = (Vec::with_capacity(rows.len()), Vec::new());
            let (mut examined, mut any) = (0, false);
            let mut found = Vec::new();
            for &f in &order {
                if examined >= self.n_features && any {
                    break;
                }
                let split = search(f, &mut buffers);
                examined += usize::from(split.is_some());
                any |= matches!(split, Some(Some(_)));
                found.push(split);
            }
            found
        };
        // As scikit-learn, the best valid split is taken even when it gains nothing.
        let (mut best_proxy, mut best) = (f64::NEG_INFINITY, None);
        for (&f, split) in order.iter().zip(found) {
            if let Some(Some((proxy, threshold, rank))) = split {
                if proxy > best_proxy {
                    (best_proxy, best) = (proxy, Some((f, threshold, rank)));
                }
            }
        }
        best
    }

    /// The best split of `rows` on feature `f` as (proxy, threshold, rank of
    /// the last value that goes left): `None` where `f` is constant in the
    /// node (it does not count against `max_features`), `Some(None)` where
    /// no split is valid. `buffers`: scratch for the node's sorted keys.
    fn feature_split(
        &self,
        f: usize,
        rows: &[Row],
        parent: &[f64],
        total: f64,
        (column, scratch): &mut (Vec<u64>, Vec<u64>),
    ) -> Option<Option<(f64, f64, u32)>> {
        let min_leaf = self.params.min_samples_leaf;
        // Positions in the node by (value, row): rank in the high half,
        // position in the low one (positions follow row order).
        let unpack = |key: u64| ((key >> 32) as u32, (key & 0xFFFF_FFFF) as usize);
        column.clear();
        match self.presorted {
            // The root of a tree on every row: positions are rows.
            Some(sorted) if rows.len() == self.n_rows => {
                let at = self.offsets[f];
                column.extend(
                    sorted[at..at + rows.len()]
                        .iter()
                        .map(|&i| (u64::from(self.rank(i, f)) << 32) | u64::from(i)),
                );
            }
            _ => {
                column.extend(
                    rows.iter()
                        .enumerate()
                        .map(|(p, r)| (u64::from(self.rank(r.index, f)) << 32) | p as u64),
                );
                sort_keys(column, scratch, self.values[f].len());
            }
        }
        if unpack(column[0]).0 == unpack(column[column.len() - 1]).0 {
            return None;
        }
        let mut left = vec![0.0; self.n_classes];
        let mut right = vec![0.0; self.n_classes];
        let (mut best_proxy, mut best) = (f64::NEG_INFINITY, None);
        let mut wl = 0.0;
        for p in 0..column.len() - 1 {
            let (rank, at) = unpack(column[p]);
            let row = rows[at];
            left[row.class as usize] += row.weight;
            wl += row.weight;
            let next_rank = unpack(column[p + 1]).0;
            if rank == next_rank || p + 1 < min_leaf || column.len() - p - 1 < min_leaf {
                continue;
            }
            if wl < self.min_weight_leaf || total - wl < self.min_weight_leaf {
                continue;
            }
            let proxy = self.proxy(&left, wl, parent, total, &mut right);
            if proxy > best_proxy {
                best_proxy = proxy;
                best = Some((rank, next_rank));
            }
        }
        Some(best.map(|(rank, next_rank)| {
            let values = &self.values[f];
            let (v, next) = (values[rank as usize], values[next_rank as usize]);
            let mut t = v / 2.0 + next / 2.0;
            if t >= next || !t.is_finite() {
                t = v;
            }
            (best_proxy, t, rank)
        }))
    }

    /// Adds `rows` as a leaf node: its id, class weights and total weight.
    fn add_node(&mut self, rows: &[Row]) -> (usize, Vec<f64>, f64) {
        let (counts, total) = self.counts(rows);
        let id = self.nodes.len();
        self.nodes.push(Node::Leaf(counts.iter().map(|c| c / total).collect()));
        self.stats
            .push((total, impurity(&counts, total, self.params.criterion)));
        (id, counts, total)
    }

    /// The split of node `id` (rows `rows` at `depth`), or `None` where it
    /// stays a leaf: pure, at `max_depth`, too few rows or weight, no valid
    /// split, or one that decreases the impurity by less than asked.
    fn cut(&mut self, id: usize, rows: &[Row], counts: &[f64], total: f64, depth: usize) -> Option<Cut> {
        let p = self.params;
        let pure = counts.iter().filter(|&&c| c > 0.0).count() <= 1;
        let deep = p.max_depth.is_some_and(|m| depth >= m);
        if pure
            || deep
            || rows.len() < p.min_samples_split.max(2 * p.min_samples_leaf)
            || total < 2.0 * self.min_weight_leaf
        {
            return None;
        }
        let (feature, threshold, last_left) = self.best_split(rows, counts, total)?;
        // Only these two need the decrease (an extra pass over the rows).
        let mut improvement = 0.0;
        if p.min_impurity_decrease > 0.0 || p.max_leaf_nodes.is_some() {
            let (wl, wr, il, ir) = self.children_impurity(rows, feature, last_left);
            improvement = total / self.root_weight * (self.stats[id].1 - wr / total * ir - wl / total * il);
            if improvement + f64::EPSILON < p.min_impurity_decrease {
                return None;
            }
        }
        Some(Cut {
            feature,
            threshold,
            last_left,
            improvement,
        })
    }

    /// The weights and impurities of the two sides of a split.
    fn children_impurity(&self, rows: &[Row], feature: usize, last_left: u32) -> (f64, f64, f64, f64) {
        let (mut cl, mut cr) = (vec![0.0; self.n_classes], vec![0.0; self.n_classes]);
        for r in rows {
            let side = if self.rank(r.index, feature) <= last_left {
                &mut cl
            } else {
                &mut cr
            };
            side[r.class as usize] += r.weight;
        }
        let (wl, wr): (f64, f64) = (cl.iter().sum(), cr.iter().sum());
        let c = self.params.criterion;
        (wl, wr, impurity(&cl, wl, c), impurity(&cr, wr, c))
    }

    /// Moves the rows that go left first (their relative order kept);
    /// returns how many.
    fn partition(&mut self, rows: &mut [Row], cut: &Cut) -> usize {
        self.spare.clear();
        let mut nl = 0;
        for p in 0..rows.len() {
            let row = rows[p];
            if self.rank(row.index, cut.feature) <= cut.last_left {
                rows[nl] = row;
                nl += 1;
            } else {
                self.spare.push(row);
            }
        }
        rows[nl..].copy_from_slice(&self.spare);
        nl
    }

    /// Depth first, as scikit-learn's `DepthFirstTreeBuilder`.
    fn grow(&mut self, rows: &mut [Row], depth: usize) -> usize {
        let (id, counts, total) = self.add_node(rows);
        let Some(cut) = self.cut(id, rows, &counts, total, depth) else {
            return id;
        };
        let nl = self.partition(rows, &cut);
        let (lr, rr) = rows.split_at_mut(nl);
        let left = self.grow(lr, depth + 1);
        let right = self.grow(rr, depth + 1);
        self.nodes[id] = Node::Split {
            feature: cut.feature,
            threshold: cut.threshold,
            left,
            right,
        };
        id
    }

    /// Best split first until `max_leaf_nodes` leaves, as scikit-learn's
    /// `BestFirstTreeBuilder`: the open node whose split decreases the
    /// impurity most (the first among ties) is split next.
    fn grow_best_first(&mut self, rows: &mut [Row], max_leaf_nodes: usize) {
        // Open nodes: id, rows range, depth, and the split they would take.
        let mut open: Vec<(usize, usize, usize, usize, Cut)> = Vec::new();
        let (id, counts, total) = self.add_node(rows);
        if let Some(cut) = self.cut(id, rows, &counts, total, 0) {
            open.push((id, 0, rows.len(), 0, cut));
        }
        let mut leaves = 1;
        while leaves < max_leaf_nodes {
            let Some(best) = (0..open.len()).reduce(|b, i| {
                if open[i].4.improvement > open[b].4.improvement {
                    i
                } else {
                    b
                }
            }) else {
                break;
            };
            let (id, start, end, depth, cut) = open.remove(best);
            let nl = start + self.partition(&mut rows[start..end], &cut);
            let mut children = [0; 2];
            for (side, (a, b)) in [(start, nl), (nl, end)].into_iter().enumerate() {
                let (child, counts, total) = self.add_node(&rows[a..b]);
                children[side] = child;
                if let Some(c) = self.cut(child, &rows[a..b], &counts, total, depth + 1) {
                    open.push((child, a, b, depth + 1, c));
                }
            }
            self.nodes[id] = Node::Split {
                feature: cut.feature,
                threshold: cut.threshold,
                left: children[0],
                right: children[1],
            };
            leaves += 1;
        }
    }
}

/// Minimal cost-complexity pruning (Breiman et al. 1984, scikit-learn's
/// `ccp_alpha`): while some internal node's effective alpha
/// `(R(t) - R(T_t)) / (|leaves(T_t)| - 1)`, with `R` the node's weight share
/// times its impurity, is at most `alpha`, the weakest (the first among
/// ties) becomes a leaf.
fn prune(nodes: &mut [Node], stats: &[(f64, f64)], leaf_proba: &[Vec<f64>], alpha: f64) {
    let root = stats[0].0;
    let r = |i: usize| stats[i].0 / root * stats[i].1;
    loop {
        // Subtree cost and leaves, children after their parent: backwards.
        let mut branch = vec![0.0; nodes.len()];
        let mut leaves = vec![0usize; nodes.len()];
        for i in (0..nodes.len()).rev() {
            (branch[i], leaves[i]) = match &nodes[i] {
                Node::Leaf(_) => (r(i), 1),
                Node::Split { left, right, .. } => (branch[*left] + branch[*right], leaves[*left] + leaves[*right]),
            };
        }
        let live = reachable(nodes);
        let mut weakest: Option<(usize, f64)> = None;
        for (i, node) in nodes.iter().enumerate() {
            if matches!(node, Node::Split { .. }) && live[i] {
                let effective = (r(i) - branch[i]) / (leaves[i] - 1) as f64;
                if weakest.is_none_or(|(_, a)| effective < a) {
                    weakest = Some((i, effective));
                }
            }
        }
        match weakest {
            Some((i, a)) if a <= alpha => nodes[i] = Node::Leaf(leaf_proba[i].clone()),
            _ => return,
        }
    }
}

/// Which nodes hang from the root (pruning leaves the pruned subtrees
/// behind, unreachable); children come after their parent.
fn reachable(nodes: &[Node]) -> Vec<bool> {
    let mut keep = vec![false; nodes.len()];
    keep[0] = true;
    for i in 0..nodes.len() {
        if let (true, Node::Split { left, right, .. }) = (keep[i], &nodes[i]) {
            keep[*left] = true;
            keep[*right] = true;
        }
    }
    keep
}

/// The nodes reachable from the root, renumbered in their order, with
/// their statistics.
fn compact(nodes: Vec<Node>, stats: Vec<(f64, f64)>) -> (Vec<Node>, Vec<(f64, f64)>) {
    let keep = reachable(&nodes);
    let mut new_id = vec![0; nodes.len()];
    let mut at = 0;
    for (i, &k) in keep.iter().enumerate() {
        new_id[i] = at;
        at += usize::from(k);
    }
    let kept = nodes
        .into_iter()
        .zip(stats)
        .zip(&keep)
        .filter(|(_, &k)| k)
        .map(|(n, _)| n);
    kept.map(|(node, stat)| {
        let node = match node {
            Node::Split {
                feature,
                threshold,
                left,
                right,
            } => Node::Split {
                feature,
                threshold,
                left: new_id[left],
                right: new_id[right],
            },
            leaf => leaf,
        };
        (node, stat)
    })
    .unzip()
}

/// scikit-learn's `feature_importances_`: per feature, the summed
/// `w I(node) - w_l I(left) - w_r I(right)` of its splits, over the root's
/// weight, normalised to sum 1.
fn importances(nodes: &[Node], stats: &[(f64, f64)], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d];
    for (i, node) in nodes.iter().enumerate() {
        if let Node::Split {
            feature, left, right, ..
        } = node
        {
            let (w, imp) = stats[i];
            let ((wl, il), (wr, ir)) = (stats[*left], stats[*right]);
            out[*feature] += w * imp - wl * il - wr * ir;
        }
    }
    let root = stats[0].0;
    out.iter_mut().for_each(|v| *v = (*v / root).max(0.0));
    let sum: f64 = out.iter().sum();
    if sum > 0.0 {
        out.iter_mut().for_each(|v| *v /= sum);
    }
    out
}

impl DecisionTreeClassifier {
    /// Fits on rows `x` with class codes `y` (`< n_classes`) and optional
    /// non-negative sample weights (bootstrap counts for a forest), which
    /// `class_weight` multiplies.
    pub fn fit_weighted(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[usize],
        n_classes: usize,
        weights: Option<&[f64]>,
    ) -> Result<FittedTree, ModelError> {
        Xy::new(x, y, n_classes)?;
        self.fit_columns(&Columns::new(x), y, n_classes, weights)
    }

    /// [`DecisionTreeClassifier::fit_weighted`] on rows already turned into
    /// [`Columns`] (and checked); rows of weight 0 take no part, so a member
    /// of an ensemble fits on its own rows of shared columns.
    pub fn fit_columns(
        &self,
        columns: &Columns,
        y: &[usize],
        n_classes: usize,
        weights: Option<&[f64]>,
    ) -> Result<FittedTree, ModelError> {
        let all: Vec<usize> = (0..columns.values.len()).collect();
        self.fit_columns_of(columns, &all, y, n_classes, weights)
    }

    /// [`DecisionTreeClassifier::fit_columns`] on the columns `features`
    /// only, in that order: the tree's feature `j` is column `features[j]`
    /// (a bagging member's own features), as if fitted on those columns.
    pub fn fit_columns_of(
        &self,
        columns: &Columns,
        features: &[usize],
        y: &[usize],
        n_classes: usize,
        weights: Option<&[f64]>,
    ) -> Result<FittedTree, ModelError> {
        if let Some(&bad) = features.iter().find(|&&g| g >= columns.values.len()) {
            return Err(ModelError::Parameter(format!(
                "feature {bad} of {} columns",
                columns.values.len()
            )));
        }
        self.check()?;
        let mut w = weights.map_or_else(|| vec![1.0; y.len()], <[f64]>::to_vec);
        if w.len() != y.len() {
            return Err(ModelError::Parameter(format!(
                "{} sample weights for {} rows",
                w.len(),
                y.len()
            )));
        }
        if let Some(cw) = self.class_weight.sample_weights(y, n_classes)? {
            w.iter_mut().zip(cw).for_each(|(a, b)| *a *= b);
        }
        if y.len() > u32::MAX as usize {
            return Err(ModelError::Parameter(format!(
                "{} rows: trees take at most {} rows",
                y.len(),
                u32::MAX
            )));
        }
        let mut rows: Vec<Row> = (0..y.len())
            .filter(|&i| w[i] > 0.0)
            .map(|i| Row {
                index: i as u32,
                class: y[i] as u32,
                weight: w[i],
            })
            .collect();
        if rows.is_empty() {
            return Err(ModelError::Parameter("every sample weight is zero".into()));
        }
        let d = features.len();
        let root_weight: f64 = rows.iter().map(|r| r.weight).sum();
        let n_rows = rows.len();
        let (ranks, offsets, presorted) = Builder::ranks(columns, features, &mut rows);
        let mut b = Builder {
            ranks,
            n_rows,
            offsets,
            presorted,
            values: features.iter().map(|&g| columns.values[g].as_slice()).collect(),
            n_classes,
            params: self,
            n_features: self.max_features.resolve(d),
            rng: SamplerRng::new(RngKind::Default, self.random_state),
            nodes: Vec::new(),
            stats: Vec::new(),
            spare: Vec::new(),
            root_weight,
            min_weight_leaf: self.min_weight_fraction_leaf * root_weight,
        };
        match self.max_leaf_nodes {
            None => {
                b.grow(&mut rows, 0);
            }
            Some(m) => b.grow_best_first(&mut rows, m),
        }
        let (mut nodes, mut stats) = (b.nodes, b.stats);
        if self.ccp_alpha > 0.0 {
            // A split node's class shares, should it become a leaf.
            let shares = leaf_shares(&nodes, &stats, n_classes);
            prune(&mut nodes, &stats, &shares, self.ccp_alpha);
            (nodes, stats) = compact(nodes, stats);
        }
        Ok(FittedTree {
            importances: importances(&nodes, &stats, d),
            cover: stats.iter().map(|s| s.0).collect(),
            nodes,
            n_classes,
            n_features: d,
        })
    }

    fn check(&self) -> Result<(), ModelError> {
        let bad = |m: String| Err(ModelError::Parameter(m));
        if self.min_samples_leaf == 0 || self.min_samples_split < 2 {
            return bad("min_samples_leaf must be >= 1 and min_samples_split >= 2".into());
        }
        if !(0.0..=0.5).contains(&self.min_weight_fraction_leaf) {
            return bad(format!(
                "min_weight_fraction_leaf={}: use a share in [0, 0.5]",
                self.min_weight_fraction_leaf
            ));
        }
        if self.max_leaf_nodes.is_some_and(|m| m < 2) {
            return bad("max_leaf_nodes must be at least 2 (or null for no limit)".into());
        }
        for (name, v) in [
            ("min_impurity_decrease", self.min_impurity_decrease),
            ("ccp_alpha", self.ccp_alpha),
        ] {
            if !(v >= 0.0 && v.is_finite()) {
                return bad(format!("{name}={v}: give a number >= 0"));
            }
        }
        Ok(())
    }
}

/// A row of a row-major block as a slice.
fn row_slice<'a>(row: &'a ndarray::ArrayView1<'_, f64>) -> &'a [f64] {
    row.as_slice().expect("a row of a row-major block is contiguous")
}

/// Each node's class shares: a leaf's own; a split's, its leaves'
/// weighted together (children after their parent: backwards).
fn leaf_shares(nodes: &[Node], stats: &[(f64, f64)], n_classes: usize) -> Vec<Vec<f64>> {
    let mut weights = vec![vec![0.0; n_classes]; nodes.len()];
    for i in (0..nodes.len()).rev() {
        weights[i] = match &nodes[i] {
            Node::Leaf(p) => p.iter().map(|v| v * stats[i].0).collect(),
            Node::Split { left, right, .. } => weights[*left]
                .iter()
                .zip(&weights[*right])
                .map(|(a, b)| a + b)
                .collect(),
        };
    }
    weights
        .into_iter()
        .zip(stats)
        .map(|(w, &(total, _))| w.into_iter().map(|v| v / total).collect())
        .collect()
}

impl Fit for DecisionTreeClassifier {
    type Fitted = FittedTree;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedTree, ModelError> {
        self.fit_columns(&Columns::new(data.x()), data.y(), data.n_classes(), None)
    }
}

impl Predict for FittedTree {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.n_features
    }
    /// The (weighted) class shares of each row's leaf.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, self.n_features)?;
        Ok(self.proba(x))
    }
}

impl FittedTree {
    /// The nodes `row` passes through, root first, its leaf last.
    fn walk(&self, row: &[f64], mut visit: impl FnMut(usize)) -> &[f64] {
        let mut n = 0;
        loop {
            visit(n);
            match &self.nodes[n] {
                Node::Leaf(p) => return p,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => n = if row[*feature] <= *threshold { *left } else { *right },
            }
        }
    }

    fn leaf(&self, row: &[f64]) -> &[f64] {
        self.walk(row, |_| {})
    }

    /// `per_tree(tree, rows)`-style work on blocks of rows: `per_block(x_block,
    /// out_block)` for each block of 1024 rows of `x` and of `out`, blocks in
    /// parallel (each row's own arithmetic, so any thread count gives the
    /// same bytes); `x_block` row-major (see [`row_slice`]), copied only
    /// where `x` is not. Why
    /// blocks: a forest walks each tree over a block of rows, its nodes kept
    /// in cache; walking every tree for one row after another was twice as
    /// slow.
    fn blocks_into<T: Send + Sync>(
        x: ArrayView2<'_, f64>,
        out: &mut Array2<T>,
        per_block: impl Fn(ArrayView2<'_, f64>, &mut [T]) + Sync,
    ) {
        const BLOCK: usize = 1024;
        out.axis_chunks_iter_mut(Axis(0), BLOCK)
            .into_par_iter()
            .zip(x.axis_chunks_iter(Axis(0), BLOCK).into_par_iter())
            .for_each(|(mut o, rows)| {
                let rows = rows.as_standard_layout();
                let o = o.as_slice_mut().expect("a block of rows of a new array is contiguous");
                per_block(rows.view(), o);
            });
    }

    /// The predicted class of each row of `x`, whose values are known
    /// finite (a fit's own rows, as boosting predicts them every round):
    /// only the width is checked. The first most probable class of the leaf.
    pub fn predict_finite(&self, x: ArrayView2<'_, f64>) -> Result<Vec<usize>, ModelError> {
        if x.ncols() != self.n_features {
            return Err(ModelError::FeatureMismatch {
                got: x.ncols(),
                fitted: self.n_features,
            });
        }
        let mut out = Array2::zeros((x.nrows(), 1));
        Self::blocks_into(x, &mut out, |rows, o| {
            for (row, o) in rows.rows().into_iter().zip(o.iter_mut()) {
                let p = self.leaf(row_slice(&row));
                *o = (0..p.len()).fold(0, |best, k| if p[k] > p[best] { k } else { best });
            }
        });
        Ok(out.into_raw_vec_and_offset().0)
    }

    /// The path of each row of `x` through the tree: node ids (creation
    /// order, the root 0), root first, its leaf last (scikit-learn's
    /// `decision_path`, as lists; the last id is `apply`'s). The hook the
    /// explanations read.
    pub fn decision_paths(&self, x: ArrayView2<'_, f64>) -> Result<Vec<Vec<usize>>, ModelError> {
        check_predict_input(x, self.n_features)?;
        Ok(x.rows()
            .into_iter()
            .map(|row| {
                let mut path = Vec::new();
                self.walk(&row.to_vec(), |n| path.push(n));
                path
            })
            .collect())
    }

    /// scikit-learn's impurity-based `feature_importances_`: each feature's
    /// weighted impurity decrease over the tree's splits, summing to 1 (all
    /// 0 for a single leaf); `None` for a tree loaded from a model file
    /// written before they were kept.
    pub fn feature_importances(&self) -> Option<&[f64]> {
        (self.importances.len() == self.n_features).then_some(self.importances.as_slice())
    }

    /// The split of node `id`: its feature and threshold (rows with a value
    /// `<=` the threshold go left); `None` for a leaf or an unknown id.
    pub fn split(&self, id: usize) -> Option<(usize, f64)> {
        match self.nodes.get(id)? {
            Node::Split { feature, threshold, .. } => Some((*feature, *threshold)),
            Node::Leaf(_) => None,
        }
    }

    /// Class shares of each row's leaf; `x` is already checked.
    pub(crate) fn proba(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        Self::blocks_into(x, &mut out, |rows, o| {
            for (row, o) in rows.rows().into_iter().zip(o.chunks_mut(self.n_classes.max(1))) {
                o.copy_from_slice(self.leaf(row_slice(&row)));
            }
        });
        out
    }

    /// The mean class probabilities of a forest of `trees` (fitted on
    /// `n_features` features), the input checked once for all of them.
    pub fn mean_proba(
        trees: &[FittedTree],
        x: ArrayView2<'_, f64>,
        n_features: usize,
    ) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, n_features)?;
        let n_classes = trees.first().map_or(0, |t| t.n_classes);
        let mut sum = Array2::zeros((x.nrows(), n_classes));
        // Per row, the trees in order: the sums of adding tree after tree.
        Self::blocks_into(x, &mut sum, |rows, o| {
            for t in trees {
                for (row, o) in rows.rows().into_iter().zip(o.chunks_mut(n_classes.max(1))) {
                    o.iter_mut().zip(t.leaf(row_slice(&row))).for_each(|(s, p)| *s += p);
                }
            }
        });
        Ok(sum / trees.len() as f64)
    }

    /// Number of nodes (splits and leaves).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// The children (left, right) of node `id`; `None` for a leaf or an unknown id.
    pub fn children(&self, id: usize) -> Option<(usize, usize)> {
        match self.nodes.get(id)? {
            Node::Split { left, right, .. } => Some((*left, *right)),
            Node::Leaf(_) => None,
        }
    }

    /// The class shares of leaf `id`; `None` for a split or an unknown id.
    pub fn leaf_value(&self, id: usize) -> Option<&[f64]> {
        match self.nodes.get(id)? {
            Node::Leaf(p) => Some(p),
            Node::Split { .. } => None,
        }
    }

    /// Each node's weighted training rows; `None` for a tree from a model
    /// file written before they were kept.
    pub fn cover(&self) -> Option<&[f64]> {
        (self.cover.len() == self.nodes.len()).then_some(self.cover.as_slice())
    }

    /// Number of classes and of features.
    pub fn shape(&self) -> (usize, usize) {
        (self.n_classes, self.n_features)
    }

    /// A tree from scikit-learn's arrays (`tree_.children_left`,
    /// `children_right` (-1 at leaves), `feature`, `threshold`, `value`
    /// (class shares per node) and `weighted_n_node_samples`), to explain or
    /// predict with a tree fitted elsewhere; checked like a model file.
    pub fn from_arrays(
        children: &[(i64, i64)],
        feature: &[usize],
        threshold: &[f64],
        value: &[Vec<f64>],
        cover: &[f64],
        n_features: usize,
    ) -> Result<FittedTree, ModelError> {
        let n = children.len();
        if feature.len() != n || threshold.len() != n || value.len() != n || cover.len() != n {
            return Err(ModelError::Parameter(format!(
                "{n} nodes but {} features, {} thresholds, {} values and {} covers: give one of each per node",
                feature.len(),
                threshold.len(),
                value.len(),
                cover.len()
            )));
        }
        let as_id = |c: i64| usize::try_from(c).map_err(|_| ModelError::Parameter(format!("child {c} is not a node")));
        let nodes = (0..n)
            .map(|i| match children[i] {
                (l, r) if l < 0 && r < 0 => Ok(Node::Leaf(value[i].clone())),
                (l, r) => Ok(Node::Split {
                    feature: feature[i],
                    threshold: threshold[i],
                    left: as_id(l)?,
                    right: as_id(r)?,
                }),
            })
            .collect::<Result<Vec<_>, ModelError>>()?;
        let tree = FittedTree {
            nodes,
            n_classes: value.first().map_or(0, Vec::len),
            n_features,
            importances: Vec::new(),
            cover: cover.to_vec(),
        };
        tree.validate().map_err(ModelError::Parameter)?;
        Ok(tree)
    }
}

impl Validate for FittedTree {
    fn validate(&self) -> Result<(), String> {
        ensure(!self.nodes.is_empty(), || {
            "nodes: a tree needs at least its root".into()
        })?;
        ensure(self.n_classes >= 1 && self.n_classes <= MAX_CLASSES, || {
            format!("n_classes = {} is out of range", self.n_classes)
        })?;
        for (i, node) in self.nodes.iter().enumerate() {
            match node {
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    ensure(*feature < self.n_features, || {
                        format!("nodes[{i}].feature = {feature} for {} features", self.n_features)
                    })?;
                    ensure(threshold.is_finite(), || format!("nodes[{i}].threshold is not finite"))?;
                    for child in [left, right] {
                        ensure(*child > i && *child < self.nodes.len(), || {
                            format!(
                                "nodes[{i}]: child {child} is not a later node of the {}",
                                self.nodes.len()
                            )
                        })?;
                    }
                }
                Node::Leaf(p) => {
                    ensure(p.len() == self.n_classes, || {
                        format!("nodes[{i}]: {} probabilities for {} classes", p.len(), self.n_classes)
                    })?;
                    finite(&format!("nodes[{i}]"), p)?;
                }
            }
        }
        ensure(
            self.importances.is_empty() || self.importances.len() == self.n_features,
            || {
                format!(
                    "importances: {} values for {} features",
                    self.importances.len(),
                    self.n_features
                )
            },
        )?;
        finite("importances", &self.importances)?;
        ensure(self.cover.is_empty() || self.cover.len() == self.nodes.len(), || {
            format!("cover: {} values for {} nodes", self.cover.len(), self.nodes.len())
        })?;
        ensure(self.cover.iter().all(|c| c.is_finite() && *c >= 0.0), || {
            "cover: every node's weight must be finite and >= 0".into()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    proptest::proptest! {
        /// Ranking a column by radix on the upper half of the values' bits
        /// (then the runs that share it) orders rows as sorting `(value,
        /// row)` does, with equal values (and -0, 0) one rank; values that
        /// differ only in the lower half of their bits and repeats included.
        #[test]
        fn columns_rank_as_a_comparison_sort(
            picks in proptest::collection::vec((0usize..6, -3i64..3, 0u64..4), 1..2500),
        ) {
            let base = [0.0, -0.0, 1.5, -2.25, 1e300, 3.0e-310];
            let values: Vec<f64> = picks
                .iter()
                .map(|&(b, scale, low)| {
                    let v = base[b] * (scale as f64);
                    if v == 0.0 { v } else { f64::from_bits(v.to_bits() + low) }
                })
                .collect();
            let x = Array2::from_shape_vec((values.len(), 1), values.clone()).unwrap();
            let c = Columns::new(x.view());
            let mut want: Vec<(f64, usize)> = values.iter().enumerate().map(|(i, &v)| (v, i)).collect();
            want.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
            let sorted: Vec<usize> = c.sorted.iter().map(|&i| i as usize).collect();
            proptest::prop_assert_eq!(sorted, want.iter().map(|w| w.1).collect::<Vec<_>>());
            let mut distinct: Vec<f64> = want.iter().map(|w| w.0).collect();
            distinct.dedup();
            proptest::prop_assert_eq!(c.values[0].len(), distinct.len());
            for (i, &v) in values.iter().enumerate() {
                proptest::prop_assert_eq!(c.values[0][c.ranks[i] as usize], v);
            }
        }

        /// The radix path sorts as a comparison sort does.
        #[test]
        fn keys_sort_as_a_comparison_sort(
            ranks in proptest::collection::vec(0u32..70_000, 1..3000),
            spread in 1u32..70_000,
        ) {
            let limit = spread as usize;
            let mut keys: Vec<u64> = ranks
                .iter()
                .enumerate()
                .map(|(p, &r)| (u64::from(r % spread) << 32) | p as u64)
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            sort_keys(&mut keys, &mut Vec::new(), limit);
            proptest::prop_assert_eq!(keys, want);
        }
    }

    /// Nodes of `PARALLEL_ROWS` rows or more search their features in
    /// parallel: the tree is the same on any thread count.
    #[test]
    fn large_nodes_search_features_in_parallel_with_the_same_tree() {
        let n = 3 * PARALLEL_ROWS;
        let x = Array2::from_shape_fn((n, 6), |(i, j)| ((i * (7 + 2 * j) + j * 13) % 997) as f64 / 997.0);
        let y: Vec<usize> = (0..n)
            .map(|i| usize::from(x[(i, 2)] + 0.5 * x[(i, 4)] > 0.7) + usize::from(i % 11 == 0))
            .collect();
        let tree = DecisionTreeClassifier {
            max_depth: Some(6),
            ..Default::default()
        };
        let fit = |threads: usize| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| tree.fit(x.view(), &y, 3).unwrap())
        };
        let one = fit(1);
        assert_eq!(one, fit(4));
        assert_eq!(one, fit(2));
        // The root splits on a feature that carries the signal.
        assert!(matches!(one.split(0), Some((2 | 4, _))));
    }

    /// A forest's mean probabilities, block by block in parallel, are the
    /// sums of adding tree after tree, to the bit; for row-major and
    /// column-major input alike.
    #[test]
    fn mean_proba_adds_tree_after_tree_on_any_layout() {
        let n = 2500;
        let x = Array2::from_shape_fn((n, 3), |(i, j)| ((i * (5 + j) + 3 * j) % 211) as f64);
        let y: Vec<usize> = (0..n).map(|i| (i * 7 % 13) % 3).collect();
        let trees: Vec<FittedTree> = (0..4)
            .map(|s| {
                DecisionTreeClassifier {
                    max_depth: Some(4),
                    max_features: MaxFeatures::Count(1),
                    random_state: s,
                    ..Default::default()
                }
                .fit(x.view(), &y, 3)
                .unwrap()
            })
            .collect();
        let mut want = Array2::<f64>::zeros((n, 3));
        for t in &trees {
            want += &t.predict_proba(x.view()).unwrap();
        }
        want /= trees.len() as f64;
        let column_major = x.t().as_standard_layout().into_owned().reversed_axes();
        assert!(column_major.as_slice().is_none());
        for input in [x.view(), column_major.view()] {
            assert_eq!(FittedTree::mean_proba(&trees, input, 3).unwrap(), want);
            let predicted = trees[0].predict_finite(input).unwrap();
            assert_eq!(predicted, trees[0].predict(x.view()).unwrap());
        }
    }

    #[test]
    fn learns_a_threshold() {
        let x = array![[0.0], [1.0], [2.0], [3.0]];
        let t = DecisionTreeClassifier::default()
            .fit(x.view(), &[0, 0, 1, 1], 2)
            .unwrap();
        assert_eq!(t.node_count(), 3);
        let p = t.predict_proba(array![[1.4], [1.6]].view()).unwrap();
        assert_eq!(p, array![[1.0, 0.0], [0.0, 1.0]]);
    }

    #[test]
    fn depth_limit_gives_mixed_leaves() {
        let x = array![[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]];
        let y = [0, 1, 1, 0];
        let t = DecisionTreeClassifier {
            max_depth: Some(0),
            ..Default::default()
        }
        .fit(x.view(), &y, 2)
        .unwrap();
        assert_eq!(t.predict_proba(x.view()).unwrap().row(0).to_vec(), vec![0.5, 0.5]);
        let full = DecisionTreeClassifier::default().fit(x.view(), &y, 2).unwrap();
        let p = full.predict_proba(x.view()).unwrap();
        for (i, &c) in y.iter().enumerate() {
            assert_eq!(p[(i, c)], 1.0);
        }
    }

    #[test]
    fn decision_paths_end_in_the_leaf_that_predicts() {
        let x = Array2::from_shape_fn((30, 2), |(i, j)| ((i * 7 + j * 3) % 11) as f64);
        let y: Vec<usize> = (0..30).map(|i| usize::from((i * 7) % 11 > 5)).collect();
        let t = DecisionTreeClassifier::default().fit(x.view(), &y, 2).unwrap();
        let paths = t.decision_paths(x.view()).unwrap();
        for (i, path) in paths.iter().enumerate() {
            assert_eq!(path[0], 0);
            let (leaf, splits) = path.split_last().unwrap();
            assert!(t.split(*leaf).is_none());
            for (k, &node) in splits.iter().enumerate() {
                let (feature, threshold) = t.split(node).unwrap();
                let went_left = x[(i, feature)] <= threshold;
                assert!(path[k + 1] > node, "children come after their parent");
                let Node::Split { left, right, .. } = &t.nodes[node] else {
                    unreachable!()
                };
                assert_eq!(path[k + 1], if went_left { *left } else { *right });
            }
        }
        assert!(t.decision_paths(Array2::zeros((1, 3)).view()).is_err());
        assert_eq!(t.predict_finite(x.view()).unwrap(), t.predict(x.view()).unwrap());
        assert!(t.predict_finite(Array2::zeros((1, 3)).view()).is_err());
    }

    #[test]
    fn weights_count_like_repeated_rows() {
        let x = array![[0.0], [1.0], [2.0]];
        let t = DecisionTreeClassifier {
            max_depth: Some(0),
            ..Default::default()
        }
        .fit_weighted(x.view(), &[0, 1, 1], 2, Some(&[2.0, 1.0, 0.0]))
        .unwrap();
        let p = t.predict_proba(x.view()).unwrap();
        assert!((p[(0, 0)] - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn leaf_limits_pruning_and_their_bad_values() {
        let x = Array2::from_shape_fn((200, 3), |(i, j)| ((i * 37 + j * 11) % 101) as f64);
        let y: Vec<usize> = (0..200)
            .map(|i| usize::from((i * 37) % 101 > 40) + usize::from(i % 7 == 0))
            .collect();
        let full = DecisionTreeClassifier::default().fit(x.view(), &y, 3).unwrap();
        for m in [2, 5, 17] {
            let t = DecisionTreeClassifier {
                max_leaf_nodes: Some(m),
                ..Default::default()
            }
            .fit(x.view(), &y, 3)
            .unwrap();
            assert_eq!(t.node_count(), 2 * m - 1, "max_leaf_nodes {m}");
        }
        // Pruning only removes: more alpha, fewer nodes; a huge alpha leaves the root.
        let mut last = full.node_count();
        for alpha in [0.001, 0.01, 0.05, 10.0] {
            let t = DecisionTreeClassifier {
                ccp_alpha: alpha,
                ..Default::default()
            }
            .fit(x.view(), &y, 3)
            .unwrap();
            assert!(t.node_count() <= last, "alpha {alpha}");
            t.validate().unwrap();
            last = t.node_count();
        }
        assert_eq!(last, 1);
        let heavy = DecisionTreeClassifier {
            min_weight_fraction_leaf: 0.2,
            ..Default::default()
        }
        .fit(x.view(), &y, 3)
        .unwrap();
        assert!(heavy.node_count() <= 9, "at most 5 leaves of a fifth each");
        for bad in [
            DecisionTreeClassifier {
                max_leaf_nodes: Some(1),
                ..Default::default()
            },
            DecisionTreeClassifier {
                min_weight_fraction_leaf: 0.6,
                ..Default::default()
            },
            DecisionTreeClassifier {
                ccp_alpha: -1.0,
                ..Default::default()
            },
            DecisionTreeClassifier {
                min_impurity_decrease: f64::NAN,
                ..Default::default()
            },
        ] {
            assert!(
                matches!(bad.fit(x.view(), &y, 3), Err(ModelError::Parameter(_))),
                "{bad:?}"
            );
        }
    }
}
