//! Query strategies: which unlabelled rows of the pool to label next.

use imbalanced_random::Generator;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::ActiveError;

/// How the next rows to label are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QueryStrategy {
    /// Uniformly at random.
    #[default]
    Random,
    /// Lowest top probability first.
    LeastConfident,
    /// Smallest gap between the two top probabilities first.
    Margin,
    /// Highest predictive entropy first.
    Entropy,
    /// k-center greedy on the embeddings from the labelled rows (Sener & Savarese 2018).
    Coreset,
    /// k-means++ seeding on gradient embeddings (Ash et al. 2020).
    Badge,
    /// FairFAL's class-balanced query (Zong & Huang 2026; our formulation).
    ClassBalanced,
}

impl std::str::FromStr for QueryStrategy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase().replace('_', "-"))).map_err(|_| {
            format!(
                "unknown query strategy {s:?}: use random, least-confident, margin, entropy, coreset, badge or \
                 class-balanced"
            )
        })
    }
}

/// What a query sees of the pool and the labelled rows.
#[derive(Debug, Clone, Copy)]
pub struct Pool<'a> {
    /// The model's class probabilities of the unlabelled rows (`n x K`).
    pub proba: ArrayView2<'a, f64>,
    /// The unlabelled rows' features (scaled), for coreset and the prototypes.
    pub features: ArrayView2<'a, f64>,
    /// The labelled rows' features and labels.
    pub labelled_features: ArrayView2<'a, f64>,
    pub labelled_y: &'a [usize],
    /// Gradient embeddings of the unlabelled and labelled rows (BADGE's; `None`: use the features).
    pub gradients: Option<(ArrayView2<'a, f64>, ArrayView2<'a, f64>)>,
}

/// BADGE's gradient embedding of a linear softmax model's rows: the
/// gradient of the cross-entropy at the predicted class with respect to the
/// last layer, `(p - onehot(argmax p)) ⊗ [x, 1]`.
pub fn gradient_embeddings(proba: ArrayView2<'_, f64>, features: ArrayView2<'_, f64>) -> Array2<f64> {
    let (n, k) = proba.dim();
    let d = features.ncols() + 1;
    let mut out = Array2::zeros((n, k * d));
    for (i, (p, x)) in proba.rows().into_iter().zip(features.rows()).enumerate() {
        let top = argmax(p.as_slice().unwrap_or(&p.to_vec()));
        for c in 0..k {
            let g = p[c] - f64::from(u8::from(c == top));
            for (j, &v) in x.iter().chain(std::iter::once(&1.0)).enumerate() {
                out[(i, c * d + j)] = g * v;
            }
        }
    }
    out
}

fn argmax(v: &[f64]) -> usize {
    (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b })
}

fn entropy(p: &[f64]) -> f64 {
    -p.iter().filter(|&&v| v > 0.0).map(|v| v * v.ln()).sum::<f64>()
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

fn row(m: ArrayView2<'_, f64>, i: usize) -> Vec<f64> {
    m.row(i).to_vec()
}

/// The `budget` rows (indices into the pool) of highest `score`, ties by row.
fn top(score: impl Fn(usize) -> f64, n: usize, budget: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score(b).total_cmp(&score(a)).then(a.cmp(&b)));
    order.truncate(budget);
    order
}

/// k-center greedy: from `candidates` (rows of `points`), `budget` rows each
/// farthest (squared Euclidean) from the centres so far, starting from
/// `seeds` (or, with none, from the first candidate).
fn k_center(points: ArrayView2<'_, f64>, candidates: &[usize], seeds: &[Vec<f64>], budget: usize) -> Vec<usize> {
    let cand: Vec<Vec<f64>> = candidates.iter().map(|&i| row(points, i)).collect();
    let mut nearest: Vec<f64> = cand
        .iter()
        .map(|c| {
            seeds
                .iter()
                .map(|s| squared_distance(c, s))
                .fold(f64::INFINITY, f64::min)
        })
        .collect();
    let mut chosen = Vec::with_capacity(budget.min(cand.len()));
    while chosen.len() < budget.min(cand.len()) {
        let pick = if seeds.is_empty() && chosen.is_empty() {
            0
        } else {
            (0..cand.len()).fold(0, |b, i| if nearest[i] > nearest[b] { i } else { b })
        };
        chosen.push(candidates[pick]);
        let centre = cand[pick].clone();
        for (m, c) in nearest.iter_mut().zip(&cand) {
            *m = m.min(squared_distance(c, &centre));
        }
        nearest[pick] = f64::NEG_INFINITY;
    }
    chosen
}

/// BADGE's seeding: the row of largest norm, then rows drawn with
/// probability proportional to their squared distance to the nearest chosen.
fn kmeans_pp(points: ArrayView2<'_, f64>, budget: usize, rng: &mut Generator) -> Vec<usize> {
    let n = points.nrows();
    if budget == 0 || n == 0 {
        return Vec::new();
    }
    let rows: Vec<Vec<f64>> = (0..n).map(|i| row(points, i)).collect();
    let norms: Vec<f64> = rows.iter().map(|r| r.iter().map(|v| v * v).sum()).collect();
    let first = (0..n).fold(0, |b, i| if norms[i] > norms[b] { i } else { b });
    let mut chosen = vec![first];
    let mut nearest: Vec<f64> = rows.iter().map(|r| squared_distance(r, &rows[first])).collect();
    while chosen.len() < budget.min(n) {
        let total: f64 = nearest.iter().sum();
        let pick = if total > 0.0 {
            let u = rng.random() * total;
            let mut acc = 0.0;
            (0..n)
                .find(|&i| {
                    acc += nearest[i];
                    acc > u && nearest[i] > 0.0
                })
                .unwrap_or_else(|| (0..n).rev().find(|&i| nearest[i] > 0.0).unwrap_or(0))
        } else {
            // Every row coincides with a centre: the next unchosen one.
            (0..n).find(|i| !chosen.contains(i)).unwrap_or(0)
        };
        chosen.push(pick);
        for (m, r) in nearest.iter_mut().zip(&rows) {
            *m = m.min(squared_distance(r, &rows[pick]));
        }
        nearest[pick] = 0.0;
    }
    chosen
}

/// Unit-length rows (zero rows left as they are).
fn normalised(m: ArrayView2<'_, f64>) -> Array2<f64> {
    let mut out = m.to_owned();
    for mut r in out.rows_mut() {
        let norm = r.iter().map(|v| v * v).sum::<f64>().sqrt();
        if norm > 0.0 {
            r.mapv_inplace(|v| v / norm);
        }
    }
    out
}

/// FairFAL's temperature of the prototype pseudo-labels.
const TEMPERATURE: f64 = 1.5;
/// FairFAL's entropy prefilter keeps this many candidates per queried row.
const PREFILTER: usize = 4;

/// FairFAL's class-balanced query (our formulation of the paper's
/// description): pseudo-label the pool by cosine similarity to the class
/// prototypes (means of the labelled rows' normalised features; softmax at
/// temperature 1.5, classes without labelled rows masked); split the budget
/// equally over the classes (the remainder to the classes with the fewest
/// labelled rows, a class's quota capped by its pseudo-labelled rows, what a
/// cap leaves passed on the same way); per class keep the `4 x quota` rows of
/// highest normalised predictive entropy, then take `quota` of them by
/// k-center greedy on the embeddings, seeded by that class's labelled rows.
fn class_balanced(pool: &Pool<'_>, budget: usize) -> Vec<usize> {
    let (n, k) = pool.proba.dim();
    let feats = normalised(pool.features);
    let labelled = normalised(pool.labelled_features);
    let mut protos = Array2::<f64>::zeros((k, feats.ncols()));
    let mut counts = vec![0usize; k];
    for (r, &c) in labelled.rows().into_iter().zip(pool.labelled_y) {
        protos.row_mut(c).scaled_add(1.0, &r);
        counts[c] += 1;
    }
    let protos = normalised(protos.view());
    let pseudo: Vec<usize> = feats
        .rows()
        .into_iter()
        .map(|f| {
            // The softmax of cos/T is monotone in cos: its argmax over the classes that have labels.
            (0..k)
                .filter(|&c| counts[c] > 0)
                .map(|c| (c, f.dot(&protos.row(c)) / TEMPERATURE))
                .fold(
                    (usize::MAX, f64::NEG_INFINITY),
                    |b, (c, s)| if s > b.1 { (c, s) } else { b },
                )
                .0
        })
        .collect();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &c) in pseudo.iter().enumerate() {
        if c < k {
            members[c].push(i);
        }
    }
    // Quotas: equal shares; the remainder and what caps leave go to the
    // classes with the fewest labelled rows first.
    let mut quota = vec![0usize; k];
    let mut by_need: Vec<usize> = (0..k).filter(|&c| !members[c].is_empty()).collect();
    by_need.sort_by_key(|&c| (counts[c], c));
    let mut left = budget.min(n);
    while left > 0 {
        let open: Vec<usize> = by_need
            .iter()
            .copied()
            .filter(|&c| quota[c] < members[c].len())
            .collect();
        if open.is_empty() {
            break;
        }
        let share = (left / open.len()).max(1);
        for &c in &open {
            let give = share.min(members[c].len() - quota[c]).min(left);
            quota[c] += give;
            left -= give;
            if left == 0 {
                break;
            }
        }
    }
    let ln_k = (k as f64).ln().max(f64::MIN_POSITIVE);
    let embed = pool.gradients.map_or(pool.features, |g| g.0);
    let labelled_embed = pool.gradients.map_or(pool.labelled_features, |g| g.1);
    let mut chosen = Vec::with_capacity(budget);
    for c in 0..k {
        if quota[c] == 0 {
            continue;
        }
        let p = |i: usize| pool.proba.row(i).to_vec();
        let candidates = {
            let m = &members[c];
            let kept = top(|j| entropy(&p(m[j])) / ln_k, m.len(), PREFILTER * quota[c]);
            let mut rows: Vec<usize> = kept.into_iter().map(|j| m[j]).collect();
            rows.sort_unstable();
            rows
        };
        let seeds: Vec<Vec<f64>> = pool
            .labelled_y
            .iter()
            .enumerate()
            .filter(|(_, &y)| y == c)
            .map(|(i, _)| row(labelled_embed, i))
            .collect();
        chosen.extend(k_center(embed, &candidates, &seeds, quota[c]));
    }
    chosen
}

impl QueryStrategy {
    /// The `budget` pool rows to label next (indices into the pool, distinct).
    pub fn query(&self, pool: &Pool<'_>, budget: usize, rng: &mut Generator) -> Result<Vec<usize>, ActiveError> {
        let (n, k) = pool.proba.dim();
        let lines_up = pool.features.nrows() == n
            && pool.labelled_features.nrows() == pool.labelled_y.len()
            && pool.labelled_features.ncols() == pool.features.ncols()
            && pool
                .gradients
                .is_none_or(|(g, l)| g.nrows() == n && l.nrows() == pool.labelled_y.len() && g.ncols() == l.ncols());
        if !lines_up {
            return Err(ActiveError::Parameter(
                "the pool's probabilities, features, embeddings and the labelled rows do not line up: one row \
                 each, the same columns"
                    .into(),
            ));
        }
        if budget > 0 && *self == QueryStrategy::ClassBalanced && pool.labelled_y.is_empty() {
            return Err(ActiveError::Parameter(
                "the class-balanced query needs labelled rows for its class prototypes: label a few rows first".into(),
            ));
        }
        if let Some(&c) = pool.labelled_y.iter().find(|&&c| c >= k) {
            return Err(ActiveError::Parameter(format!("label {c} of {k} classes")));
        }
        let budget = budget.min(n);
        let p = |i: usize| pool.proba.row(i).to_vec();
        Ok(match self {
            QueryStrategy::Random => rng.choice(n, budget, false, true).unwrap_or_default(),
            QueryStrategy::LeastConfident => top(|i| 1.0 - p(i).iter().copied().fold(f64::MIN, f64::max), n, budget),
            QueryStrategy::Margin => top(
                |i| {
                    let mut v = p(i);
                    v.sort_by(|a, b| b.total_cmp(a));
                    -(v[0] - v.get(1).copied().unwrap_or(0.0))
                },
                n,
                budget,
            ),
            QueryStrategy::Entropy => top(|i| entropy(&p(i)), n, budget),
            QueryStrategy::Coreset => {
                let seeds: Vec<Vec<f64>> = (0..pool.labelled_features.nrows())
                    .map(|i| row(pool.labelled_features, i))
                    .collect();
                k_center(pool.features, &(0..n).collect::<Vec<_>>(), &seeds, budget)
            }
            QueryStrategy::Badge => {
                let g = pool.gradients.map_or(pool.features, |g| g.0);
                kmeans_pp(g, budget, rng)
            }
            QueryStrategy::ClassBalanced => class_balanced(pool, budget),
        })
    }
}
