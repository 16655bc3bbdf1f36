//! Path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent
//! individualized feature attribution for tree ensembles", algorithm 2, as
//! shap's C++ `tree_shap_recursive` runs it): exact Shapley values of a
//! tree's output in time `O(leaves x depth²)` per row, where the expected
//! output given a subset of features follows each split on a feature
//! outside the subset into both children, weighed by their training rows
//! (the node cover).

use imbalanced_ensemble::BoostedTree;
use imbalanced_models::FittedTree;
use ndarray::{Array3, ArrayView2};
use rayon::prelude::*;

use crate::{Attributions, ExplainError};

/// What TreeSHAP reads of a tree: its splits (rows with `x[feature] <=
/// threshold` go left), its leaves' output vectors and each node's cover
/// (the training weight that reached it).
pub trait TreeView: Sync {
    /// The children (left, right) of a split; `None` for a leaf.
    fn children(&self, node: usize) -> Option<(usize, usize)>;
    /// The feature and threshold of a split.
    fn split(&self, node: usize) -> Option<(usize, f64)>;
    /// The outputs of a leaf; `None` for a split.
    fn leaf_value(&self, node: usize) -> Option<&[f64]>;
    /// The cover of every node, or why there is none.
    fn covers(&self) -> Result<Vec<f64>, ExplainError>;
}

impl TreeView for FittedTree {
    fn children(&self, node: usize) -> Option<(usize, usize)> {
        FittedTree::children(self, node)
    }
    fn split(&self, node: usize) -> Option<(usize, f64)> {
        FittedTree::split(self, node)
    }
    fn leaf_value(&self, node: usize) -> Option<&[f64]> {
        FittedTree::leaf_value(self, node)
    }
    fn covers(&self) -> Result<Vec<f64>, ExplainError> {
        self.cover().map(<[f64]>::to_vec).ok_or_else(|| {
            ExplainError::Input(
                "the tree keeps no node weights (a model file from before they were kept): refit it to explain it"
                    .into(),
            )
        })
    }
}

/// A gradient-boosted tree: one output, the leaf's value; cover the
/// training rows that reached the node (scikit-learn's `count`, what shap
/// reads of a `HistGradientBoostingClassifier`).
impl TreeView for BoostedTree {
    fn children(&self, node: usize) -> Option<(usize, usize)> {
        let n = &self.nodes[node];
        (n.left != 0).then_some((n.left, n.right))
    }
    fn split(&self, node: usize) -> Option<(usize, f64)> {
        let n = &self.nodes[node];
        (n.left != 0).then_some((n.feature, n.threshold))
    }
    fn leaf_value(&self, node: usize) -> Option<&[f64]> {
        let n = &self.nodes[node];
        (n.left == 0).then_some(std::slice::from_ref(&n.value))
    }
    fn covers(&self) -> Result<Vec<f64>, ExplainError> {
        Ok(self.nodes.iter().map(|n| n.n_samples as f64).collect())
    }
}

/// A boosting round's tree as it votes (scikit-learn's SAMME): each leaf
/// outputs 1 for the class the tree predicts there (the first of the
/// largest shares) and 0 for the others, so that the rounds' weighted sum is
/// the boosting votes `decision_function` is made of.
pub struct Votes<'a> {
    tree: &'a FittedTree,
    leaves: Vec<Option<Vec<f64>>>,
}

impl<'a> Votes<'a> {
    pub fn new(tree: &'a FittedTree) -> Self {
        let leaves = (0..tree.node_count())
            .map(|node| {
                tree.leaf_value(node).map(|p| {
                    let best = (0..p.len()).fold(0, |best, k| if p[k] > p[best] { k } else { best });
                    (0..p.len()).map(|k| f64::from(u8::from(k == best))).collect()
                })
            })
            .collect();
        Votes { tree, leaves }
    }
}

impl TreeView for Votes<'_> {
    fn children(&self, node: usize) -> Option<(usize, usize)> {
        self.tree.children(node)
    }
    fn split(&self, node: usize) -> Option<(usize, f64)> {
        self.tree.split(node)
    }
    fn leaf_value(&self, node: usize) -> Option<&[f64]> {
        self.leaves.get(node)?.as_deref()
    }
    fn covers(&self) -> Result<Vec<f64>, ExplainError> {
        TreeView::covers(self.tree)
    }
}

/// One tree of an ensemble and how its attributions enter the model's:
/// the input column of each of its features (`None`: the same), the
/// model output of its single output (`None`: its outputs are the model's),
/// and its weight in the model's output.
pub struct Member<'a> {
    pub tree: &'a dyn TreeView,
    pub features: Option<&'a [usize]>,
    pub output: Option<usize>,
    pub scale: f64,
}

/// One feature on the path from the root: the share of the paths it lets
/// through when it is left out (`zero`) and in (`one`), and the path's
/// permutation weight. `usize::MAX` marks the root's element.
#[derive(Debug, Clone, Copy, Default)]
struct PathElement {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

/// The fractions the path updates multiply by, for every depth up to a
/// tree's: `(i + 1) / (d + 1)` and `(d - i) / (d + 1)` and their
/// reciprocals, computed once instead of divided in every step (the steps
/// of [`unwound_sum`], the bulk of TreeSHAP's time, then chain a multiply
/// and a subtraction, not a division).
struct Ratios {
    n: usize,
    up: Vec<f64>,
    down: Vec<f64>,
}

impl Ratios {
    fn new(max_depth: usize) -> Ratios {
        let n = max_depth + 2;
        let (mut up, mut down) = (vec![0.0; n * n], vec![0.0; n * n]);
        for d in 0..n {
            for i in 0..=d {
                up[d * n + i] = (i + 1) as f64 / (d + 1) as f64;
                down[d * n + i] = (d - i) as f64 / (d + 1) as f64;
            }
        }
        Ratios { n, up, down }
    }

    /// `(i + 1) / (d + 1)`.
    fn up(&self, d: usize, i: usize) -> f64 {
        self.up[d * self.n + i]
    }

    /// `(d - i) / (d + 1)`.
    fn down(&self, d: usize, i: usize) -> f64 {
        self.down[d * self.n + i]
    }
}

/// Appends a feature at `path[depth]`, updating the permutation weights
/// of the subsets of every size.
fn extend(path: &mut [PathElement], r: &Ratios, depth: usize, (zero, one, feature): (f64, f64, usize)) {
    path[depth] = PathElement {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    for i in (0..depth).rev() {
        let w = path[i].weight;
        path[i + 1].weight += one * w * r.up(depth, i);
        path[i].weight = zero * w * r.down(depth, i);
    }
}

/// Removes element `index` of `path[..=depth]`, undoing its [`extend`].
fn unwind(path: &mut [PathElement], r: &Ratios, depth: usize, index: usize) {
    let (one, zero) = (path[index].one, path[index].zero);
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let w = path[i].weight;
            path[i].weight = next / (r.up(depth, i) * one);
            next = w - path[i].weight * zero * r.down(depth, i);
        } else {
            path[i].weight /= zero * r.down(depth, i);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

/// The total permutation weight of `path[..=depth]` without element `index`.
fn unwound_sum(path: &[PathElement], r: &Ratios, depth: usize, index: usize) -> f64 {
    let (one, zero) = (path[index].one, path[index].zero);
    let mut total = 0.0;
    if one != 0.0 {
        let mut next = path[depth].weight;
        let inv_one = 1.0 / one;
        for i in (0..depth).rev() {
            let w = next * (inv_one / r.up(depth, i));
            total += w;
            next = path[i].weight - w * (zero * r.down(depth, i));
        }
    } else if zero != 0.0 {
        let inv_zero = 1.0 / zero;
        for i in (0..depth).rev() {
            total += path[i].weight * inv_zero / r.down(depth, i);
        }
    }
    total
}

/// A tree as arrays (what the recursion reads, without dispatch): `left`
/// 0 at leaves, `width` outputs per leaf.
struct Flat {
    left: Vec<usize>,
    right: Vec<usize>,
    feature: Vec<usize>,
    threshold: Vec<f64>,
    value: Vec<f64>,
    cover: Vec<f64>,
    width: usize,
    depth: usize,
    ratios: Ratios,
}

impl Flat {
    fn new(t: &dyn TreeView, width: usize) -> Result<Flat, ExplainError> {
        let cover = t.covers()?;
        if cover.first().is_none_or(|&root| root <= 0.0) {
            return Err(ExplainError::Input("a tree's root has no training weight".into()));
        }
        let n = cover.len();
        let mut f = Flat {
            left: vec![0; n],
            right: vec![0; n],
            feature: vec![0; n],
            threshold: vec![0.0; n],
            value: vec![0.0; n * width],
            cover,
            width,
            depth: 0,
            ratios: Ratios::new(0),
        };
        let mut depth = vec![0usize; n];
        for id in 0..n {
            if let Some((l, r)) = t.children(id) {
                let (feature, threshold) = t.split(id).expect("a split");
                (f.left[id], f.right[id], f.feature[id], f.threshold[id]) = (l, r, feature, threshold);
                depth[l] = depth[id] + 1;
                depth[r] = depth[id] + 1;
            } else if let Some(v) = t.leaf_value(id) {
                f.value[id * width..(id + 1) * width].copy_from_slice(&v[..width]);
            }
        }
        f.depth = depth.into_iter().max().unwrap_or(0);
        f.ratios = Ratios::new(f.depth + 1);
        Ok(f)
    }

    /// The expected output: the leaves' values weighted by their cover.
    fn expected_value(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.width];
        for id in (0..self.left.len()).filter(|&id| self.left[id] == 0) {
            for (o, v) in out.iter_mut().zip(&self.value[id * self.width..(id + 1) * self.width]) {
                *o += v * self.cover[id] / self.cover[0];
            }
        }
        out
    }

    /// Path elements one row's recursion needs: a segment per depth.
    fn buffer_len(&self) -> usize {
        (self.depth + 2) * (self.depth + 3) / 2
    }

    /// Algorithm 2 from `node`: its path is the segment of `buf` at `at`
    /// (the parent's `depth` elements copied from `parent`, then this
    /// split's), reached with `zero`, `one` on `feature`; adds to `phi`
    /// (`d x width`, feature-major).
    #[allow(clippy::too_many_arguments)]
    fn recurse(
        &self,
        row: &[f64],
        phi: &mut [f64],
        node: usize,
        buf: &mut [PathElement],
        (parent, at, mut depth): (usize, usize, usize),
        (zero, one, feature): (f64, f64, usize),
    ) {
        buf.copy_within(parent..parent + depth, at);
        let path = &mut buf[at..];
        let ratios = &self.ratios;
        extend(path, ratios, depth, (zero, one, feature));
        let w = self.width;
        if self.left[node] == 0 {
            let value = &self.value[node * w..(node + 1) * w];
            for i in 1..=depth {
                let el = path[i];
                let scale = unwound_sum(path, ratios, depth, i) * (el.one - el.zero);
                for (p, v) in phi[el.feature * w..(el.feature + 1) * w].iter_mut().zip(value) {
                    *p += scale * v;
                }
            }
            return;
        }
        let split = self.feature[node];
        let (hot, cold) = if row[split] <= self.threshold[node] {
            (self.left[node], self.right[node])
        } else {
            (self.right[node], self.left[node])
        };
        let cover = self.cover[node];
        let (hot_zero, cold_zero) = if cover > 0.0 {
            (self.cover[hot] / cover, self.cover[cold] / cover)
        } else {
            (0.0, 0.0)
        };
        let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
        // A feature split on before: undo that split and redo it here.
        if let Some(index) = (0..=depth).find(|&i| path[i].feature == split) {
            incoming_zero = path[index].zero;
            incoming_one = path[index].one;
            unwind(path, ratios, depth, index);
            depth -= 1;
        }
        let next = at + depth + 1;
        self.recurse(
            row,
            phi,
            hot,
            buf,
            (at, next, depth + 1),
            (hot_zero * incoming_zero, incoming_one, split),
        );
        self.recurse(
            row,
            phi,
            cold,
            buf,
            (at, next, depth + 1),
            (cold_zero * incoming_zero, 0.0, split),
        );
    }
}

fn check(x: ArrayView2<'_, f64>, d: usize) -> Result<(), ExplainError> {
    if x.ncols() != d {
        return Err(ExplainError::Input(format!(
            "{} columns to explain for a model of {d} features",
            x.ncols()
        )));
    }
    if let Some(v) = x.iter().find(|v| !v.is_finite()) {
        return Err(ExplainError::Input(format!(
            "{v} in the rows: impute or drop non-finite values first"
        )));
    }
    Ok(())
}

/// TreeSHAP values of the rows `x` (`d` columns) for a model whose
/// `k` outputs are `base + Σ member.scale x member's output`, rows in
/// parallel, the same on any thread count.
pub fn ensemble(
    members: &[Member<'_>],
    base: &[f64],
    d: usize,
    x: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    if members.is_empty() {
        return Err(ExplainError::Input("no trees to explain".into()));
    }
    check(x, d)?;
    let k = base.len();
    // Each member's outputs, and the model output each one adds to.
    let flats: Vec<Flat> = members
        .iter()
        .map(|m| Flat::new(m.tree, if m.output.is_some() { 1 } else { k }))
        .collect::<Result<_, _>>()?;
    let mut base_values = base.to_vec();
    for (m, flat) in members.iter().zip(&flats) {
        for (o, v) in flat.expected_value().into_iter().enumerate() {
            base_values[m.output.unwrap_or(o)] += m.scale * v;
        }
    }
    let buffer = flats.iter().map(Flat::buffer_len).max().unwrap_or(1);
    let rows: Vec<Vec<f64>> = x
        .rows()
        .into_iter()
        .collect::<Vec<_>>()
        .par_iter()
        .map_init(
            || (vec![PathElement::default(); buffer], Vec::new(), Vec::new()),
            |(buf, local, one), row| {
                let mut phi = vec![0.0; d * k];
                for (m, flat) in members.iter().zip(&flats) {
                    local.clear();
                    match m.features {
                        Some(f) => local.extend(f.iter().map(|&j| row[j])),
                        None => local.extend(row.iter()),
                    }
                    one.clear();
                    one.resize(local.len() * flat.width, 0.0);
                    flat.recurse(local, one, 0, buf, (0, 0, 0), (1.0, 1.0, usize::MAX));
                    for (j, values) in one.chunks(flat.width).enumerate() {
                        let column = m.features.map_or(j, |f| f[j]);
                        for (o, v) in values.iter().enumerate() {
                            phi[column * k + m.output.unwrap_or(o)] += m.scale * v;
                        }
                    }
                }
                phi
            },
        )
        .collect();
    let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| rows[i][j * k + c]);
    Ok(Attributions { base_values, values })
}

/// The members of the mean of `trees` (each weighing `1 / trees`), its
/// zero base per class and its features, checked to agree.
pub fn averaged(trees: &[FittedTree]) -> Result<(Vec<Member<'_>>, Vec<f64>, usize), ExplainError> {
    let first = trees
        .first()
        .ok_or_else(|| ExplainError::Input("no trees to explain".into()))?;
    let (k, d) = first.shape();
    if trees.iter().any(|t| t.shape() != (k, d)) {
        return Err(ExplainError::Input("the trees disagree on classes or features".into()));
    }
    let scale = 1.0 / trees.len() as f64;
    let members = trees
        .iter()
        .map(|t| Member {
            tree: t,
            features: None,
            output: None,
            scale,
        })
        .collect();
    Ok((members, vec![0.0; k], d))
}

/// TreeSHAP values of the rows `x` for the mean of `trees` (a forest; one
/// tree for a single tree), on the class shares.
pub fn forest(trees: &[FittedTree], x: ArrayView2<'_, f64>) -> Result<Attributions, ExplainError> {
    let (members, base, d) = averaged(trees)?;
    ensemble(&members, &base, d, x)
}

/// TreeSHAP values of the rows `x` for one tree.
pub fn tree(t: &FittedTree, x: ArrayView2<'_, f64>) -> Result<Attributions, ExplainError> {
    forest(std::slice::from_ref(t), x)
}

impl Flat {
    /// Interventional TreeSHAP of one row `x` against one background row
    /// `r` (Lundberg et al. 2020, the independent algorithm): a split where
    /// the two rows part ways is followed both ways, the feature taken from
    /// `x` down one branch and from `r` down the other; a leaf reached with
    /// `pos` features from `x` and `neg` from `r` gives each of the former
    /// `value · (pos-1)! neg! / (pos+neg)!` and takes from each of the
    /// latter `value · pos! (neg-1)! / (pos+neg)!`. The values add up to
    /// `f(x) - f(r)`.
    #[allow(clippy::too_many_arguments)]
    fn against(
        &self,
        x: &[f64],
        r: &[f64],
        node: usize,
        from: &mut [i8],
        path: &mut Vec<usize>,
        factorials: &[f64],
        phi: &mut [f64],
    ) {
        let w = self.width;
        if self.left[node] == 0 {
            let (pos, neg) = path
                .iter()
                .fold((0, 0), |(p, n), &j| if from[j] > 0 { (p + 1, n) } else { (p, n + 1) });
            if pos + neg == 0 {
                return;
            }
            let value = &self.value[node * w..(node + 1) * w];
            let total = factorials[pos + neg];
            for &j in path.iter() {
                let (sign, weight) = if from[j] > 0 {
                    (1.0, factorials[pos - 1] * factorials[neg] / total)
                } else {
                    (-1.0, factorials[pos] * factorials[neg - 1] / total)
                };
                for (p, v) in phi[j * w..(j + 1) * w].iter_mut().zip(value) {
                    *p += sign * weight * v;
                }
            }
            return;
        }
        let f = self.feature[node];
        let go = |v: f64| {
            if v <= self.threshold[node] {
                self.left[node]
            } else {
                self.right[node]
            }
        };
        match from[f] {
            1 => self.against(x, r, go(x[f]), from, path, factorials, phi),
            -1 => self.against(x, r, go(r[f]), from, path, factorials, phi),
            _ => {
                let (gx, gr) = (go(x[f]), go(r[f]));
                if gx == gr {
                    return self.against(x, r, gx, from, path, factorials, phi);
                }
                path.push(f);
                from[f] = 1;
                self.against(x, r, gx, from, path, factorials, phi);
                from[f] = -1;
                self.against(x, r, gr, from, path, factorials, phi);
                from[f] = 0;
                path.pop();
            }
        }
    }

    /// The tree's output for the row `r`.
    fn output(&self, r: &[f64]) -> &[f64] {
        let mut node = 0;
        while self.left[node] != 0 {
            node = if r[self.feature[node]] <= self.threshold[node] {
                self.left[node]
            } else {
                self.right[node]
            };
        }
        &self.value[node * self.width..(node + 1) * self.width]
    }
}

/// Interventional TreeSHAP (shap's `TreeExplainer(model, data,
/// feature_perturbation="interventional")`): the Shapley values of
/// `v(S) = mean over the background rows b of f(x_S, b_rest)`, exact, in
/// time linear in the background rows; for the members of an ensemble as in
/// [`ensemble`]. The base value is the model's mean output on the background.
pub fn ensemble_interventional(
    members: &[Member<'_>],
    base: &[f64],
    d: usize,
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    if members.is_empty() {
        return Err(ExplainError::Input("no trees to explain".into()));
    }
    check(x, d)?;
    if background.ncols() != d || background.nrows() == 0 {
        return Err(ExplainError::Input(
            "the background needs rows with the model's columns".into(),
        ));
    }
    check(background, d)?;
    let k = base.len();
    let flats: Vec<Flat> = members
        .iter()
        .map(|m| Flat::new(m.tree, if m.output.is_some() { 1 } else { k }))
        .collect::<Result<_, _>>()?;
    let factorials: Vec<f64> = (0..=d + 1)
        .scan(1.0, |f, i| {
            let out = *f;
            *f *= (i + 1) as f64;
            Some(out)
        })
        .collect();
    let nb = background.nrows() as f64;
    let local = |m: &Member<'_>, row: &[f64]| -> Vec<f64> {
        match m.features {
            Some(f) => f.iter().map(|&j| row[j]).collect(),
            None => row.to_vec(),
        }
    };
    let mut base_values = base.to_vec();
    for b in background.rows() {
        let b = b.to_vec();
        for (m, flat) in members.iter().zip(&flats) {
            for (o, v) in flat.output(&local(m, &b)).iter().enumerate() {
                base_values[m.output.unwrap_or(o)] += m.scale * v / nb;
            }
        }
    }
    let rows: Vec<Vec<f64>> = x
        .rows()
        .into_iter()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|row| {
            let row = row.to_vec();
            let mut phi = vec![0.0; d * k];
            for (m, flat) in members.iter().zip(&flats) {
                let xl = local(m, &row);
                let mut one = vec![0.0; xl.len() * flat.width];
                let mut from = vec![0i8; xl.len()];
                let mut path = Vec::new();
                for b in background.rows() {
                    let rl = local(m, &b.to_vec());
                    flat.against(&xl, &rl, 0, &mut from, &mut path, &factorials, &mut one);
                }
                for (j, values) in one.chunks(flat.width).enumerate() {
                    let column = m.features.map_or(j, |f| f[j]);
                    for (o, v) in values.iter().enumerate() {
                        phi[column * k + m.output.unwrap_or(o)] += m.scale * v / nb;
                    }
                }
            }
            phi
        })
        .collect();
    let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| rows[i][j * k + c]);
    Ok(Attributions { base_values, values })
}

/// Interventional TreeSHAP for the mean of `trees`, against `background`.
pub fn forest_interventional(
    trees: &[FittedTree],
    x: ArrayView2<'_, f64>,
    background: ArrayView2<'_, f64>,
) -> Result<Attributions, ExplainError> {
    let (members, base, d) = averaged(trees)?;
    ensemble_interventional(&members, &base, d, x, background)
}
