//! One boosted tree grown leaf-wise on binned features, as scikit-learn's
//! `TreeGrower`: per node a histogram of (Σ gradient, Σ Hessian, count) per
//! feature and bin, built for the smaller child and subtracted from the
//! parent for the larger; the split of largest gain
//! `G_L²/(H_L+λ) + G_R²/(H_R+λ) - G²/(H+λ)` (XGBoost's eq. 7) is taken first,
//! until `max_leaf_nodes` leaves; a leaf's value is `-G/(H+λ)` times the
//! learning rate.

use rayon::prelude::*;

use super::binning::Binned;

/// Bins per feature histogram (a `u8` code).
const BINS: usize = 256;

/// Row-features below which a node's histograms are built on one thread.
const PARALLEL_WORK: usize = 1 << 16;

/// The growth limits, scikit-learn's parameters.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    pub l2_regularization: f64,
    /// A child needs at least this Hessian sum (scikit-learn's 1e-3).
    pub min_hessian_to_split: f64,
    pub learning_rate: f64,
}

#[derive(Debug, Clone, Copy, Default)]
struct Bin {
    g: f64,
    h: f64,
    n: u32,
}

#[derive(Debug, Clone, Copy)]
struct Split {
    gain: f64,
    feature: usize,
    bin: u8,
    g_left: f64,
    h_left: f64,
    n_left: usize,
}

/// A node of a grown tree: a split (`left > 0`) of `feature` at bin
/// `bin` (codes `<= bin` go left), or a leaf with `value`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct GrownNode {
    pub feature: usize,
    pub bin: u8,
    pub left: usize,
    pub right: usize,
    pub value: f64,
    pub gain: f64,
    pub n_samples: usize,
}

/// A grown tree and, per leaf, its node and the range of `rows` it holds.
pub(crate) struct GrownTree {
    pub nodes: Vec<GrownNode>,
    pub leaves: Vec<(usize, usize, usize)>,
}

struct Growing {
    node: GrownNode,
    depth: usize,
    start: usize,
    end: usize,
    g: f64,
    h: f64,
    split: Option<Split>,
    hist: Option<Vec<Bin>>,
}

fn node_value(g: f64, h: f64, l2: f64) -> f64 {
    -g / (h + l2 + 1e-15)
}

/// Grows one tree on the rows `rows` (all rows, any order; reordered so
/// that each leaf's rows are contiguous) with per-row (gradient, Hessian)
/// pairs `gh`; `n_bins[f]` bins of feature `f` are used.
pub(crate) fn grow(binned: &Binned, n_bins: &[usize], gh: &[[f32; 2]], rows: &mut [u32], limits: &Limits) -> GrownTree {
    let d = n_bins.len();
    let mut root_hist = vec![Bin::default(); d * BINS];
    root_histogram(binned, gh, &mut root_hist);
    let (g, h) = root_hist[..BINS]
        .iter()
        .fold((0.0, 0.0), |(g, h), b| (g + b.g, h + b.h));
    let mut nodes = vec![Growing {
        node: leaf(0.0, rows.len()),
        depth: 0,
        start: 0,
        end: rows.len(),
        g,
        h,
        split: None,
        hist: None,
    }];
    let mut open: Vec<usize> = Vec::new();
    if rows.len() >= 2 * limits.min_samples_leaf && h >= limits.min_hessian_to_split {
        nodes[0].split = best_split(&root_hist, n_bins, rows.len(), g, h, limits);
        nodes[0].hist = Some(root_hist);
        if nodes[0].split.is_some() {
            open.push(0);
        }
    }
    let mut n_leaves = 1;
    let mut scratch = Vec::new();
    while let Some(pos) = best_open(&open, &nodes) {
        let id = open.remove(pos);
        let split = nodes[id].split.expect("an open node has a split");
        let (start, end, depth) = (nodes[id].start, nodes[id].end, nodes[id].depth);
        let col = binned.column(split.feature);
        let mid = start + partition(&mut rows[start..end], col, split.bin, &mut scratch);
        debug_assert_eq!(mid - start, split.n_left);
        let (g_right, h_right) = (nodes[id].g - split.g_left, nodes[id].h - split.h_left);
        let children = [(start, mid, split.g_left, split.h_left), (mid, end, g_right, h_right)];
        let ids = [nodes.len(), nodes.len() + 1];
        for (start, end, g, h) in children {
            nodes.push(Growing {
                node: leaf(node_value(g, h, limits.l2_regularization), end - start),
                depth: depth + 1,
                start,
                end,
                g,
                h,
                split: None,
                hist: None,
            });
        }
        let parent = &mut nodes[id].node;
        (parent.feature, parent.bin, parent.left, parent.right, parent.gain) =
            (split.feature, split.bin, ids[0], ids[1], split.gain);
        n_leaves += 1;
        let parent_hist = nodes[id].hist.take().expect("an open node keeps its histogram");
        if limits.max_leaf_nodes.is_some_and(|m| n_leaves >= m) {
            open.clear();
            break;
        }
        if limits.max_depth.is_some_and(|m| depth + 1 >= m) {
            continue;
        }
        let splittable: Vec<usize> = ids
            .into_iter()
            .filter(|&c| nodes[c].end - nodes[c].start >= 2 * limits.min_samples_leaf)
            .collect();
        if splittable.is_empty() {
            continue;
        }
        // The smaller child's histogram from its rows, the larger's by subtraction.
        let (small, large) = if nodes[ids[0]].end - nodes[ids[0]].start < nodes[ids[1]].end - nodes[ids[1]].start {
            (ids[0], ids[1])
        } else {
            (ids[1], ids[0])
        };
        let mut small_hist = vec![Bin::default(); d * BINS];
        node_histogram(binned, gh, &rows[nodes[small].start..nodes[small].end], &mut small_hist);
        let mut large_hist = parent_hist;
        large_hist.iter_mut().zip(&small_hist).for_each(|(l, s)| {
            l.g -= s.g;
            l.h -= s.h;
            l.n -= s.n;
        });
        for (c, hist) in [(small, small_hist), (large, large_hist)] {
            if !splittable.contains(&c) {
                continue;
            }
            let n = &nodes[c];
            let split = best_split(&hist, n_bins, n.end - n.start, n.g, n.h, limits);
            if split.is_some() {
                nodes[c].split = split;
                nodes[c].hist = Some(hist);
                open.push(c);
            }
        }
    }
    let mut leaves = Vec::new();
    let mut out: Vec<GrownNode> = Vec::with_capacity(nodes.len());
    for (id, n) in nodes.into_iter().enumerate() {
        let mut node = n.node;
        if node.left == 0 {
            node.value *= limits.learning_rate;
            leaves.push((id, n.start, n.end));
        }
        out.push(node);
    }
    GrownTree { nodes: out, leaves }
}

fn leaf(value: f64, n_samples: usize) -> GrownNode {
    GrownNode {
        feature: 0,
        bin: 0,
        left: 0,
        right: 0,
        value,
        gain: 0.0,
        n_samples,
    }
}

/// The open node of largest gain (the first among ties).
fn best_open(open: &[usize], nodes: &[Growing]) -> Option<usize> {
    let gain = |i: usize| nodes[open[i]].split.map_or(f64::NEG_INFINITY, |s| s.gain);
    (0..open.len()).reduce(|best, i| if gain(i) > gain(best) { i } else { best })
}

/// Moves the rows whose code is `<= bin` to the front, keeping their
/// order (so later histograms read the columns forwards); returns how many.
fn partition(rows: &mut [u32], col: &[u8], bin: u8, scratch: &mut Vec<u32>) -> usize {
    scratch.clear();
    let mut left = 0;
    for k in 0..rows.len() {
        let i = rows[k];
        if col[i as usize] <= bin {
            rows[left] = i;
            left += 1;
        } else {
            scratch.push(i);
        }
    }
    rows[left..].copy_from_slice(scratch);
    left
}

/// Histograms of all rows, one feature per task.
fn root_histogram(binned: &Binned, gh: &[[f32; 2]], out: &mut [Bin]) {
    out.par_chunks_mut(BINS).enumerate().for_each(|(f, hist)| {
        for (&b, &[g, h]) in binned.column(f).iter().zip(gh) {
            let e = &mut hist[usize::from(b)];
            e.g += f64::from(g);
            e.h += f64::from(h);
            e.n += 1;
        }
    });
}

/// Histograms of the rows `rows`, their (gradient, Hessian) pairs gathered
/// once in row order; one feature per task where the node is large enough
/// to repay the tasks.
fn node_histogram(binned: &Binned, gh: &[[f32; 2]], rows: &[u32], out: &mut [Bin]) {
    let ordered: Vec<[f32; 2]> = rows.iter().map(|&i| gh[i as usize]).collect();
    let one = |(f, hist): (usize, &mut [Bin])| {
        let col = binned.column(f);
        for (&i, &[g, h]) in rows.iter().zip(&ordered) {
            let e = &mut hist[usize::from(col[i as usize])];
            e.g += f64::from(g);
            e.h += f64::from(h);
            e.n += 1;
        }
    };
    if rows.len() * (out.len() / BINS) >= PARALLEL_WORK {
        out.par_chunks_mut(BINS).enumerate().for_each(one);
    } else {
        out.chunks_mut(BINS).enumerate().for_each(one);
    }
}

/// The best split over all features (the first feature among equal
/// gains), scanning each feature's bins left to right as scikit-learn.
fn best_split(hist: &[Bin], n_bins: &[usize], n: usize, g: f64, h: f64, limits: &Limits) -> Option<Split> {
    let l2 = limits.l2_regularization;
    let parent = g * node_value(g, h, l2);
    (0..n_bins.len())
        .filter_map(|f| {
            let bins = &hist[f * BINS..f * BINS + n_bins[f]];
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0usize);
            let mut best: Option<Split> = None;
            for (b, bin) in bins.iter().enumerate().take(n_bins[f].saturating_sub(1)) {
                gl += bin.g;
                hl += bin.h;
                nl += bin.n as usize;
                let (gr, hr, nr) = (g - gl, h - hl, n - nl);
                if nl < limits.min_samples_leaf {
                    continue;
                }
                if nr < limits.min_samples_leaf {
                    break;
                }
                if hl < limits.min_hessian_to_split {
                    continue;
                }
                if hr < limits.min_hessian_to_split {
                    break;
                }
                let gain = parent - gl * node_value(gl, hl, l2) - gr * node_value(gr, hr, l2);
                if gain > 0.0 && best.is_none_or(|s| gain > s.gain) {
                    best = Some(Split {
                        gain,
                        feature: f,
                        bin: b as u8,
                        g_left: gl,
                        h_left: hl,
                        n_left: nl,
                    });
                }
            }
            best
        })
        .reduce(|best, s| if s.gain > best.gain { s } else { best })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits {
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 1,
            l2_regularization: 0.0,
            min_hessian_to_split: 1e-3,
            learning_rate: 1.0,
        }
    }

    #[test]
    fn a_tree_separates_gradients_of_opposite_sign_and_leaves_newton_values() {
        // Feature codes 0..4; rows with code < 2 pull up, others down.
        let codes: Vec<u8> = (0..8).map(|i| (i % 4) as u8).collect();
        let binned = Binned { n_rows: 8, codes };
        let gh: Vec<[f32; 2]> = (0..8)
            .map(|i| if i % 4 < 2 { [-1.0, 0.5] } else { [1.0, 0.5] })
            .collect();
        let mut rows: Vec<u32> = (0..8).collect();
        let tree = grow(&binned, &[4], &gh, &mut rows, &limits());
        assert_eq!((tree.nodes[0].feature, tree.nodes[0].bin), (0, 1));
        assert_eq!(tree.leaves.len(), 2, "pure children do not split");
        let values: Vec<f64> = tree.leaves.iter().map(|&(n, _, _)| tree.nodes[n].value).collect();
        assert!(
            (values[0] - 2.0).abs() < 1e-9 && (values[1] + 2.0).abs() < 1e-9,
            "{values:?}"
        );
        let left: Vec<u32> = rows[tree.leaves[0].1..tree.leaves[0].2].to_vec();
        assert_eq!(left, vec![0, 1, 4, 5]);
    }

    #[test]
    fn limits_stop_the_growth() {
        let n = 64;
        let codes: Vec<u8> = (0..n).map(|i| i as u8).collect();
        let binned = Binned { n_rows: n, codes };
        let gh: Vec<[f32; 2]> = (0..n).map(|i| [((i * 37) % 11) as f32 - 5.0, 1.0]).collect();
        let mut rows: Vec<u32> = (0..n as u32).collect();
        let few = Limits {
            max_leaf_nodes: Some(4),
            ..limits()
        };
        assert_eq!(grow(&binned, &[n], &gh, &mut rows, &few).leaves.len(), 4);
        let shallow = Limits {
            max_depth: Some(2),
            max_leaf_nodes: None,
            ..limits()
        };
        assert!(grow(&binned, &[n], &gh, &mut rows, &shallow).leaves.len() <= 4);
        let big_leaves = Limits {
            min_samples_leaf: 20,
            ..limits()
        };
        let tree = grow(&binned, &[n], &gh, &mut rows, &big_leaves);
        assert!(tree.leaves.iter().all(|&(_, s, e)| e - s >= 20));
        // Every row sits in exactly one leaf.
        let mut seen: Vec<u32> = tree.leaves.iter().flat_map(|&(_, s, e)| rows[s..e].to_vec()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..n as u32).collect::<Vec<_>>());
    }
}
