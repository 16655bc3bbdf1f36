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
/// permutation weight.
#[derive(Debug, Clone, Copy)]
struct PathElement {
    feature: Option<usize>,
    zero: f64,
    one: f64,
    weight: f64,
}

/// Adds a feature to the path, updating the permutation weights of the
/// subsets of every size.
fn extend(path: &mut Vec<PathElement>, zero: f64, one: f64, feature: Option<usize>) {
    let depth = path.len();
    path.push(PathElement {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    });
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / (depth + 1) as f64;
        path[i].weight = zero * path[i].weight * (depth - i) as f64 / (depth + 1) as f64;
    }
}

/// Removes the path's element `index`, undoing its [`extend`].
fn unwind(path: &mut Vec<PathElement>, index: usize) {
    let depth = path.len() - 1;
    let (one, zero) = (path[index].one, path[index].zero);
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let w = path[i].weight;
            path[i].weight = next * (depth + 1) as f64 / ((i + 1) as f64 * one);
            next = w - path[i].weight * zero * (depth - i) as f64 / (depth + 1) as f64;
        } else {
            path[i].weight = path[i].weight * (depth + 1) as f64 / (zero * (depth - i) as f64);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
    path.pop();
}

/// The total permutation weight of the path without element `index`.
fn unwound_sum(path: &[PathElement], index: usize) -> f64 {
    let depth = path.len() - 1;
    let (one, zero) = (path[index].one, path[index].zero);
    let mut next = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let w = next * (depth + 1) as f64 / ((i + 1) as f64 * one);
            total += w;
            next = path[i].weight - w * zero * ((depth - i) as f64 / (depth + 1) as f64);
        } else if zero != 0.0 {
            total += (path[i].weight / zero) / ((depth - i) as f64 / (depth + 1) as f64);
        }
    }
    total
}

/// The recursion of algorithm 2 from `node`, whose path so far is `parent`
/// and which the split above reached with the fractions `zero`, `one` on
/// `feature`; adds to `phi` (`d x k`, feature-major).
#[allow(clippy::too_many_arguments)]
fn recurse(
    t: &dyn TreeView,
    cover: &[f64],
    row: &[f64],
    node: usize,
    parent: &[PathElement],
    (zero, one, feature): (f64, f64, Option<usize>),
    phi: &mut [f64],
    k: usize,
) {
    let mut path = Vec::with_capacity(parent.len() + 1);
    path.extend_from_slice(parent);
    extend(&mut path, zero, one, feature);
    if let Some(value) = t.leaf_value(node) {
        for i in 1..path.len() {
            let w = unwound_sum(&path, i);
            let el = path[i];
            let f = el.feature.expect("only the root element has no feature");
            for (c, v) in value.iter().enumerate() {
                phi[f * k + c] += w * (el.one - el.zero) * v;
            }
        }
        return;
    }
    let (left, right) = t.children(node).expect("a split has children");
    let (split_feature, threshold) = t.split(node).expect("a split");
    let (hot, cold) = if row[split_feature] <= threshold {
        (left, right)
    } else {
        (right, left)
    };
    let w = cover[node];
    let (hot_zero, cold_zero) = if w > 0.0 {
        (cover[hot] / w, cover[cold] / w)
    } else {
        (0.0, 0.0)
    };
    let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
    // A feature split on before: undo that split and redo it here.
    if let Some(index) = path.iter().position(|e| e.feature == Some(split_feature)) {
        incoming_zero = path[index].zero;
        incoming_one = path[index].one;
        unwind(&mut path, index);
    }
    let f = Some(split_feature);
    recurse(
        t,
        cover,
        row,
        hot,
        &path,
        (hot_zero * incoming_zero, incoming_one, f),
        phi,
        k,
    );
    recurse(t, cover, row, cold, &path, (cold_zero * incoming_zero, 0.0, f), phi, k);
}

/// The tree's expected output: its leaves' values weighted by their rows.
fn expected_value(t: &dyn TreeView, cover: &[f64], k: usize) -> Vec<f64> {
    let root = cover[0];
    let mut out = vec![0.0; k];
    for (id, &w) in cover.iter().enumerate() {
        if let Some(v) = t.leaf_value(id) {
            for (o, x) in out.iter_mut().zip(v) {
                *o += x * w / root;
            }
        }
    }
    out
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
    let covers: Vec<Vec<f64>> = members.iter().map(|m| m.tree.covers()).collect::<Result<_, _>>()?;
    if covers.iter().any(|c| c.first().is_none_or(|&root| root <= 0.0)) {
        return Err(ExplainError::Input("a tree's root has no training weight".into()));
    }
    // Each member's outputs, and the model output each one adds to.
    let width = |m: &Member<'_>| if m.output.is_some() { 1 } else { k };
    let mut base_values = base.to_vec();
    for (m, cover) in members.iter().zip(&covers) {
        for (o, v) in expected_value(m.tree, cover, width(m)).into_iter().enumerate() {
            base_values[m.output.unwrap_or(o)] += m.scale * v;
        }
    }
    let rows: Vec<Vec<f64>> = x
        .rows()
        .into_iter()
        .collect::<Vec<_>>()
        .par_iter()
        .map(|row| {
            let mut phi = vec![0.0; d * k];
            for (m, cover) in members.iter().zip(&covers) {
                let w = width(m);
                let local: Vec<f64> = match m.features {
                    Some(f) => f.iter().map(|&j| row[j]).collect(),
                    None => row.to_vec(),
                };
                let mut one = vec![0.0; local.len() * w];
                recurse(m.tree, cover, &local, 0, &[], (1.0, 1.0, None), &mut one, w);
                for (j, values) in one.chunks(w).enumerate() {
                    let column = m.features.map_or(j, |f| f[j]);
                    for (o, v) in values.iter().enumerate() {
                        phi[column * k + m.output.unwrap_or(o)] += m.scale * v;
                    }
                }
            }
            phi
        })
        .collect();
    let values = Array3::from_shape_fn((k, x.nrows(), d), |(c, i, j)| rows[i][j * k + c]);
    Ok(Attributions { base_values, values })
}

/// TreeSHAP values of the rows `x` for the mean of `trees` (a forest; one
/// tree for a single tree), on the class shares.
pub fn forest(trees: &[FittedTree], x: ArrayView2<'_, f64>) -> Result<Attributions, ExplainError> {
    let first = trees
        .first()
        .ok_or_else(|| ExplainError::Input("no trees to explain".into()))?;
    let (k, d) = first.shape();
    if trees.iter().any(|t| t.shape() != (k, d)) {
        return Err(ExplainError::Input("the trees disagree on classes or features".into()));
    }
    let scale = 1.0 / trees.len() as f64;
    let members: Vec<Member<'_>> = trees
        .iter()
        .map(|t| Member {
            tree: t,
            features: None,
            output: None,
            scale,
        })
        .collect();
    ensemble(&members, &vec![0.0; k], d, x)
}

/// TreeSHAP values of the rows `x` for one tree.
pub fn tree(t: &FittedTree, x: ArrayView2<'_, f64>) -> Result<Attributions, ExplainError> {
    forest(std::slice::from_ref(t), x)
}
