//! CART classification trees (Breiman et al. 1984), as scikit-learn's
//! `DecisionTreeClassifier` with the "best" splitter.

use imbalanced_random::{RngKind, SamplerRng};
use ndarray::{Array2, ArrayView1, ArrayView2};

use crate::class_weight::ClassWeight;
use crate::traits::{check_predict_input, Fit, Predict};
use crate::ModelError;

/// Impurity measure of a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
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

/// Parameters of a tree. Defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionTreeClassifier {
    /// Default: `Gini`.
    pub criterion: Criterion,
    /// Default: `None` (grow until leaves are pure or too small).
    pub max_depth: Option<usize>,
    /// Default: 2.
    pub min_samples_split: usize,
    /// Default: 1.
    pub min_samples_leaf: usize,
    /// Default: `All`.
    pub max_features: MaxFeatures,
    /// Seed of the feature order. Default: 0.
    pub random_state: u64,
    /// Per-class multipliers of the sample weights. Default: uniform.
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
            random_state: 0,
            class_weight: ClassWeight::Uniform,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    Leaf(Vec<f64>),
}

/// A fitted tree.
#[derive(Debug, Clone, PartialEq)]
pub struct FittedTree {
    nodes: Vec<Node>,
    n_classes: usize,
    n_features: usize,
}

fn impurity(counts: &[f64], total: f64, criterion: Criterion) -> f64 {
    if total <= 0.0 {
        return 0.0;
    }
    match criterion {
        Criterion::Gini => 1.0 - counts.iter().map(|c| (c / total) * (c / total)).sum::<f64>(),
        Criterion::Entropy => -counts
            .iter()
            .filter(|&&c| c > 0.0)
            .map(|c| (c / total) * (c / total).log2())
            .sum::<f64>(),
    }
}

struct Builder<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [usize],
    w: &'a [f64],
    n_classes: usize,
    params: &'a DecisionTreeClassifier,
    n_features: usize,
    rng: SamplerRng,
    nodes: Vec<Node>,
}

impl Builder<'_> {
    fn counts(&self, idx: &[usize]) -> (Vec<f64>, f64) {
        let mut c = vec![0.0; self.n_classes];
        for &i in idx {
            c[self.y[i]] += self.w[i];
        }
        let total = c.iter().sum();
        (c, total)
    }

    /// Best (feature, threshold, position) split of `idx`, or `None`.
    fn best_split(&mut self, idx: &[usize], parent: &[f64], total: f64) -> Option<(usize, f64)> {
        let d = self.x.ncols();
        let mut order: Vec<usize> = (0..d).collect();
        self.rng.shuffle(&mut order);
        let parent_imp = impurity(parent, total, self.params.criterion);
        // As scikit-learn, the best valid split is taken even when it gains nothing.
        let (mut best_gain, mut best) = (f64::NEG_INFINITY, None);
        let mut examined = 0;
        let min_leaf = self.params.min_samples_leaf;
        let mut left = vec![0.0; self.n_classes];
        let mut right = vec![0.0; self.n_classes];
        let mut column: Vec<(f64, usize)> = Vec::with_capacity(idx.len());
        for &f in &order {
            if examined >= self.n_features && best.is_some() {
                break;
            }
            column.clear();
            column.extend(idx.iter().map(|&i| (self.x[(i, f)], i)));
            column.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            if column[0].0 == column[column.len() - 1].0 {
                continue; // constant here: does not count against max_features
            }
            examined += 1;
            left.iter_mut().for_each(|v| *v = 0.0);
            let mut wl = 0.0;
            for p in 0..column.len() - 1 {
                let (v, i) = column[p];
                left[self.y[i]] += self.w[i];
                wl += self.w[i];
                let next = column[p + 1].0;
                if v == next || p + 1 < min_leaf || column.len() - p - 1 < min_leaf {
                    continue;
                }
                for ((r, a), b) in right.iter_mut().zip(parent).zip(&left) {
                    *r = a - b;
                }
                let wr = total - wl;
                let child = (wl * impurity(&left, wl, self.params.criterion)
                    + wr * impurity(&right, wr, self.params.criterion))
                    / total;
                let gain = parent_imp - child;
                if gain > best_gain {
                    best_gain = gain;
                    let mut t = v / 2.0 + next / 2.0;
                    if t >= next || !t.is_finite() {
                        t = v;
                    }
                    best = Some((f, t));
                }
            }
        }
        best
    }

    fn grow(&mut self, idx: &mut [usize], depth: usize) -> usize {
        let (counts, total) = self.counts(idx);
        let id = self.nodes.len();
        self.nodes.push(Node::Leaf(counts.iter().map(|c| c / total).collect()));
        let pure = counts.iter().filter(|&&c| c > 0.0).count() <= 1;
        let deep = self.params.max_depth.is_some_and(|m| depth >= m);
        if pure || deep || idx.len() < self.params.min_samples_split.max(2 * self.params.min_samples_leaf) {
            return id;
        }
        let Some((feature, threshold)) = self.best_split(idx, &counts, total) else {
            return id;
        };
        // Partition: left rows (<= threshold) first, original relative order kept.
        let (l, r): (Vec<usize>, Vec<usize>) = idx.iter().partition(|&&i| self.x[(i, feature)] <= threshold);
        let nl = l.len();
        idx[..nl].copy_from_slice(&l);
        idx[nl..].copy_from_slice(&r);
        let (li, ri) = idx.split_at_mut(nl);
        let left = self.grow(li, depth + 1);
        let right = self.grow(ri, depth + 1);
        self.nodes[id] = Node::Split {
            feature,
            threshold,
            left,
            right,
        };
        id
    }
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
        crate::check_xy(x, y, n_classes)?;
        if self.min_samples_leaf == 0 || self.min_samples_split < 2 {
            return Err(ModelError::Parameter(
                "min_samples_leaf must be >= 1 and min_samples_split >= 2".into(),
            ));
        }
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
        let w = w.as_slice();
        let mut idx: Vec<usize> = (0..y.len()).filter(|&i| w[i] > 0.0).collect();
        if idx.is_empty() {
            return Err(ModelError::Parameter("every sample weight is zero".into()));
        }
        let mut b = Builder {
            x,
            y,
            w,
            n_classes,
            params: self,
            n_features: self.max_features.resolve(x.ncols()),
            rng: SamplerRng::new(RngKind::Default, self.random_state),
            nodes: Vec::new(),
        };
        b.grow(&mut idx, 0);
        Ok(FittedTree {
            nodes: b.nodes,
            n_classes,
            n_features: x.ncols(),
        })
    }
}

impl Fit for DecisionTreeClassifier {
    type Fitted = FittedTree;

    fn fit(&self, x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<FittedTree, ModelError> {
        self.fit_weighted(x, y, n_classes, None)
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
    fn leaf(&self, row: ArrayView1<'_, f64>) -> &[f64] {
        let mut n = 0;
        loop {
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

    /// Class shares of each row's leaf; `x` is already checked.
    pub(crate) fn proba(&self, x: ArrayView2<'_, f64>) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        for (r, row) in x.rows().into_iter().enumerate() {
            out.row_mut(r).iter_mut().zip(self.leaf(row)).for_each(|(o, p)| *o = *p);
        }
        out
    }

    /// Number of nodes (splits and leaves).
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

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
}
