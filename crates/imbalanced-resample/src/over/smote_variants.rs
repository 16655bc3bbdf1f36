//! What the samplers of smote-variants (Kovács 2019, version 1.0.1) share:
//! a binary core that adds `max(0, int((n_maj - n_min) x proportion))` rows
//! to the minority class (none when it has two rows or fewer), and for more
//! classes smote-variants' `MulticlassOversampling` with its default
//! strategy, `eq_1_vs_many_successive`.

use ndarray::{concatenate, Array2, ArrayView2, Axis};

use crate::error::Result;
use crate::util::class_indices;
use crate::{class_counts, Resampled};
use imbalanced_data::take_rows;

/// A binary smote-variants sampler: the synthetic minority rows for
/// `minority` against `majority`, `n` of them as the method counts
/// (some methods round it, as polynom_fit_SMOTE's star does).
pub(crate) trait BinaryVariant {
    fn generate(&self, majority: ArrayView2<'_, f64>, minority: ArrayView2<'_, f64>, n: usize) -> Result<Array2<f64>>;
}

/// The rows to generate: smote-variants' `det_n_to_sample`.
fn n_to_sample(n_maj: usize, n_min: usize, proportion: f64) -> usize {
    ((n_maj as f64 - n_min as f64) * proportion).max(0.0) as usize
}

/// One binary run, as smote-variants' `OverSampling.sample`: nothing for a
/// minority of two rows or fewer, or nothing to generate.
fn binary_run(
    variant: &dyn BinaryVariant,
    majority: ArrayView2<'_, f64>,
    minority: ArrayView2<'_, f64>,
    proportion: f64,
) -> Result<Array2<f64>> {
    let n = n_to_sample(majority.nrows(), minority.nrows(), proportion);
    if minority.nrows() <= 2 || n == 0 {
        return Ok(Array2::zeros((0, minority.ncols())));
    }
    variant.generate(majority, minority, n)
}

/// `variant` on `x` and class codes `y`: the input rows, then the
/// synthetic rows. Two classes: the smaller one (the second on a tie, as
/// smote-variants) is over-sampled with `proportion`. More classes:
/// `eq_1_vs_many_successive`: the classes by decreasing size (ties in code
/// order); each in turn is over-sampled against the majority class and
/// every class already done (its rows and its synthetic rows), with the
/// proportion that brings it to the majority's size (`proportion` is not
/// used, as in smote-variants); the synthetic rows follow in that order.
pub(crate) fn resample(
    variant: &dyn BinaryVariant,
    x: ArrayView2<'_, f64>,
    y: &[usize],
    proportion: f64,
) -> Result<Resampled> {
    let counts = class_counts(y);
    let mut order: Vec<(usize, usize)> = counts.iter().map(|(&c, &n)| (c, n)).collect();
    // Python's sorted by -count: stable, so ties keep the code order.
    order.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    let rows_of = |c: usize| take_rows(x, &class_indices(y, c));
    let mut synthetic: Vec<(usize, Array2<f64>)> = Vec::new();
    if order.len() == 2 {
        let (first, second) = (order[0], order[1]);
        // np.unique's order: the smaller code first; the minority is the
        // first only when strictly smaller.
        let (low, high) = if first.0 < second.0 {
            (first, second)
        } else {
            (second, first)
        };
        let (min, maj) = if low.1 < high.1 {
            (low.0, high.0)
        } else {
            (high.0, low.0)
        };
        let rows = binary_run(variant, rows_of(maj).view(), rows_of(min).view(), proportion)?;
        synthetic.push((min, rows));
    } else if order.len() > 2 {
        let n_majority = order[0].1;
        let mut majority = rows_of(order[0].0);
        for (i, &(c, n_c)) in order.iter().enumerate().skip(1) {
            let proportion = (n_majority as f64 - n_c as f64) / (i as f64 * n_majority as f64 - n_c as f64);
            let own = rows_of(c);
            let rows = binary_run(variant, majority.view(), own.view(), proportion)?;
            majority =
                concatenate(Axis(0), &[majority.view(), own.view(), rows.view()]).expect("rows of the same width");
            synthetic.push((c, rows));
        }
    }
    // One allocation for the output: the input rows, then each block.
    let (n, d) = x.dim();
    let total = n + synthetic.iter().map(|(_, rows)| rows.nrows()).sum::<usize>();
    let mut out_x = Array2::zeros((total, d));
    out_x.slice_mut(ndarray::s![..n, ..]).assign(&x);
    let mut out_y = y.to_vec();
    for (c, rows) in &synthetic {
        let start = out_y.len();
        out_x
            .slice_mut(ndarray::s![start..start + rows.nrows(), ..])
            .assign(rows);
        out_y.extend(std::iter::repeat_n(*c, rows.nrows()));
    }
    let origin = (0..out_y.len()).map(|r| (r < n).then_some(r)).collect();
    Ok(Resampled {
        x: out_x,
        y: out_y,
        origin,
    })
}
