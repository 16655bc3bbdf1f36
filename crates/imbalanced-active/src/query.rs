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
    /// FairFAL's class-balanced query (Zong & Huang 2026), as its code selects.
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

/// BADGE's gradient embeddings (Ash et al. 2020, as its code and
/// FairFAL's compute them): the negative gradient of the cross-entropy with
/// respect to the last layer's weights, `(onehot(t) - p) ⊗ h`, for the
/// rows' penultimate features `h`, class probabilities `p` and target `t`:
/// the given `labels`, or (`None`) the predicted class `argmax p`, the
/// hypothetical label of an unlabelled row. `K x F` columns, class by class.
pub fn gradient_embeddings(
    proba: ArrayView2<'_, f64>,
    features: ArrayView2<'_, f64>,
    labels: Option<&[usize]>,
) -> Array2<f64> {
    let (n, k) = proba.dim();
    let d = features.ncols();
    let mut out = Array2::zeros((n, k * d));
    for (i, (p, h)) in proba.rows().into_iter().zip(features.rows()).enumerate() {
        let target = labels.map_or_else(|| argmax(&p.to_vec()), |l| l[i]);
        for c in 0..k {
            let g = f64::from(u8::from(c == target)) - p[c];
            for (j, &v) in h.iter().enumerate() {
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

/// Predictive entropy over `ln K`, with FairFAL's `p log(p + 1e-12)`.
fn normalised_entropy(p: &[f64]) -> f64 {
    let ln_k = (p.len() as f64).ln().max(f64::MIN_POSITIVE);
    -p.iter().map(|v| v * (v + 1e-12).ln()).sum::<f64>() / ln_k
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

/// FairFAL's temperature of the prototype pseudo-labels (their softmax is
/// monotone in the cosine, so only the argmax is used).
const TEMPERATURE: f64 = 1.5;
/// FairFAL's entropy prefilter keeps this many candidates per queried row.
const PREFILTER: f64 = 4.0;

/// FairFAL's prototype pseudo-labels: each unlabelled row's class is the
/// labelled class whose prototype (the mean of its labelled rows'
/// normalised features, normalised) is most cosine-similar to the row's
/// normalised features (softmax at temperature 1.5, classes without
/// labelled rows masked; the first class on ties).
pub fn prototype_pseudo_labels(
    features: ArrayView2<'_, f64>,
    labelled_features: ArrayView2<'_, f64>,
    labelled_y: &[usize],
    n_classes: usize,
) -> Vec<usize> {
    let feats = normalised(features);
    let labelled = normalised(labelled_features);
    let mut protos = Array2::<f64>::zeros((n_classes, feats.ncols()));
    let mut counts = vec![0usize; n_classes];
    for (r, &c) in labelled.rows().into_iter().zip(labelled_y) {
        protos.row_mut(c).scaled_add(1.0, &r);
        counts[c] += 1;
    }
    let protos = normalised(protos.view());
    feats
        .rows()
        .into_iter()
        .map(|f| {
            (0..n_classes)
                .filter(|&c| counts[c] > 0)
                .map(|c| (c, f.dot(&protos.row(c)) / TEMPERATURE))
                .fold((0, f64::NEG_INFINITY), |b, (c, s)| if s > b.1 { (c, s) } else { b })
                .0
        })
        .collect()
}

/// FairFAL's quotas: `budget / K` per class, the remainder one each to the
/// classes with the most pseudo-labelled rows, each quota capped by its
/// class's rows and what the caps leave handed out one row at a time, round
/// robin, to the classes (largest first) that have rows left.
fn quotas(sizes: &[usize], budget: usize) -> Vec<usize> {
    let k = sizes.len();
    let mut quota = vec![budget / k; k];
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by_key(|&c| std::cmp::Reverse(sizes[c]));
    for &c in &order[..budget % k] {
        quota[c] += 1;
    }
    let mut leftover = 0;
    for c in 0..k {
        if quota[c] > sizes[c] {
            leftover += quota[c] - sizes[c];
            quota[c] = sizes[c];
        }
    }
    let can_grow: Vec<usize> = order.iter().copied().filter(|&c| sizes[c] > quota[c]).collect();
    let mut j = 0;
    // The budget is at most the rows, so the loop ends.
    while leftover > 0 && !can_grow.is_empty() {
        let c = can_grow[j % can_grow.len()];
        if quota[c] < sizes[c] {
            quota[c] += 1;
            leftover -= 1;
        }
        j += 1;
    }
    quota
}

/// Squared Euclidean distances of `a`'s rows to `b`'s, as FairFAL computes
/// them (`|a|² + |b|² - 2 a·b`), so near-ties break as in its code.
fn expanded_distance(a: &[f64], b: &[f64], bb: f64) -> f64 {
    let (aa, ab) = a
        .iter()
        .zip(b)
        .fold((0.0, 0.0), |(s, t), (x, y)| (s + x * x, t + x * y));
    aa + bb - 2.0 * ab
}

/// Seeded k-center greedy (Sener & Savarese 2018, as FairFAL's code runs
/// it): `k` of the candidate rows `cand`, each the farthest from the
/// `anchors` (labelled rows) and the rows chosen before it, or, without
/// anchors, starting from the candidate of highest score; all candidates
/// when they are at most `k`.
fn k_center_seeded(cand: &[Vec<f64>], scores: &[f64], anchors: &[Vec<f64>], k: usize) -> Vec<usize> {
    let m = cand.len();
    if k == 0 || m == 0 {
        return Vec::new();
    }
    if m <= k {
        return (0..m).collect();
    }
    let norm = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
    let first_max = |v: &[f64]| (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b });
    let (mut selected, mut min_dist) = if anchors.is_empty() {
        let first = first_max(scores);
        let bb = norm(&cand[first]);
        let mut d: Vec<f64> = cand.iter().map(|c| expanded_distance(c, &cand[first], bb)).collect();
        d[first] = f64::NEG_INFINITY;
        (vec![first], d)
    } else {
        let norms: Vec<f64> = anchors.iter().map(|a| norm(a)).collect();
        let d = cand
            .iter()
            .map(|c| {
                anchors
                    .iter()
                    .zip(&norms)
                    .map(|(a, &bb)| expanded_distance(c, a, bb))
                    .fold(f64::INFINITY, f64::min)
            })
            .collect();
        (Vec::new(), d)
    };
    while selected.len() < k {
        let j = first_max(&min_dist);
        if !min_dist[j].is_finite() {
            break;
        }
        selected.push(j);
        let bb = norm(&cand[j]);
        for (i, c) in cand.iter().enumerate() {
            min_dist[i] = min_dist[i].min(expanded_distance(c, &cand[j], bb));
        }
        for &s in &selected {
            min_dist[s] = f64::NEG_INFINITY;
        }
    }
    selected
}

/// FairFAL's class-balanced selection (`balanced_sample_by_pred_kmeans_maxscore`
/// of the paper's code, with its defaults): the pool's rows grouped by
/// `pseudo` label, each class's quota (see `quotas`), per class the
/// `max(1, floor(4 x quota))` rows of highest `scores` (ties to the earlier
/// row), from which `quota` rows are taken by k-center greedy on
/// `embeddings`, seeded by the class's labelled rows (`labelled_embeddings`,
/// `labelled_y`). Returns pool rows in increasing order.
pub fn balanced_selection(
    pseudo: &[usize],
    n_classes: usize,
    scores: &[f64],
    embeddings: ArrayView2<'_, f64>,
    labelled_embeddings: ArrayView2<'_, f64>,
    labelled_y: &[usize],
    budget: usize,
) -> Vec<usize> {
    let n = pseudo.len();
    let mut buckets: Vec<Vec<usize>> = vec![Vec::new(); n_classes];
    for (i, &c) in pseudo.iter().enumerate() {
        buckets[c].push(i);
    }
    let sizes: Vec<usize> = buckets.iter().map(Vec::len).collect();
    let quota = quotas(&sizes, budget.min(n));
    let mut chosen = Vec::with_capacity(budget.min(n));
    for c in 0..n_classes {
        let rows = &buckets[c];
        if quota[c] == 0 || rows.is_empty() {
            continue;
        }
        let keep = rows.len().min(((PREFILTER * quota[c] as f64).floor() as usize).max(1));
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| scores[rows[b]].total_cmp(&scores[rows[a]]).then(a.cmp(&b)));
        order.truncate(keep);
        let cand: Vec<Vec<f64>> = order.iter().map(|&j| row(embeddings, rows[j])).collect();
        let cand_scores: Vec<f64> = order.iter().map(|&j| scores[rows[j]]).collect();
        let anchors: Vec<Vec<f64>> = labelled_y
            .iter()
            .enumerate()
            .filter(|(_, &y)| y == c)
            .map(|(i, _)| row(labelled_embeddings, i))
            .collect();
        chosen.extend(
            k_center_seeded(&cand, &cand_scores, &anchors, quota[c])
                .into_iter()
                .map(|j| rows[order[j]]),
        );
    }
    chosen.sort_unstable();
    chosen.dedup();
    chosen
}

/// FairFAL's class-balanced query (Zong & Huang, CVPR 2026, as its code
/// does it): prototype pseudo-labels from the features, normalised
/// predictive entropy as the score, then [`balanced_selection`] on the
/// gradient embeddings (the features without them).
fn class_balanced(pool: &Pool<'_>, budget: usize) -> Vec<usize> {
    let k = pool.proba.ncols();
    let pseudo = prototype_pseudo_labels(pool.features, pool.labelled_features, pool.labelled_y, k);
    let scores: Vec<f64> = pool
        .proba
        .rows()
        .into_iter()
        .map(|p| normalised_entropy(&p.to_vec()))
        .collect();
    let (embed, labelled_embed) = pool.gradients.unwrap_or((pool.features, pool.labelled_features));
    balanced_selection(&pseudo, k, &scores, embed, labelled_embed, pool.labelled_y, budget)
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
                let rows: Vec<Vec<f64>> = (0..n).map(|i| row(pool.features, i)).collect();
                k_center_seeded(&rows, &vec![0.0; n], &seeds, budget)
            }
            QueryStrategy::Badge => {
                let g = pool.gradients.map_or(pool.features, |g| g.0);
                kmeans_pp(g, budget, rng)
            }
            QueryStrategy::ClassBalanced => class_balanced(pool, budget),
        })
    }
}
