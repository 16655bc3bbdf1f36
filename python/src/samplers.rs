//! The samplers of the catalogue on NumPy arrays.

use imbalanced::catalog::from_params;
use imbalanced::resample::{SmoteN, SmoteNc, JUDGES, SAMPLERS};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;

use crate::{class_codes, describe, given, mixed_dataset, on_threads, value_error, Described};

/// Every sampler of the catalogue: name, kind, summary, parameters.
#[pyfunction]
pub(crate) fn samplers() -> Vec<Described> {
    describe(&SAMPLERS)
}

/// Every classifier that can judge `LabelConsistentOverSampler`'s rows.
#[pyfunction]
pub(crate) fn judges() -> Vec<Described> {
    describe(&JUDGES)
}

/// The resampled rows (their numeric part), their class codes, the input
/// row each comes from (-1 for a synthetic row), and their category codes
/// where categorical columns were given.
type ResampledArrays<'py> = (
    Bound<'py, PyArray2<f64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Option<Bound<'py, PyArray2<i64>>>,
);

/// Resamples `x` (float64, any layout) with class codes `y` (0..len(labels));
/// `labels[c]` is the label of code `c`, which label-keyed strategies name.
/// `params` is a JSON object of the sampler's parameters, with
/// imbalanced-learn's names and values. SMOTENC and SMOTEN also take
/// `categorical`, category codes with column `j` below `n_categories[j]`
/// (`x` then holds the numeric columns only: none for SMOTEN); their output
/// is the input rows, then the new ones.
#[pyfunction]
#[pyo3(signature = (name, params, x, y, labels, n_jobs=None, categorical=None, n_categories=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_resample<'py>(
    py: Python<'py>,
    name: &str,
    params: &str,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    labels: Vec<String>,
    n_jobs: Option<i64>,
    categorical: Option<PyReadonlyArray2<'py, i64>>,
    n_categories: Option<Vec<usize>>,
) -> PyResult<ResampledArrays<'py>> {
    let codes = class_codes(&y, Some(labels.len()))?;
    // A C-contiguous array is read where it lies; another layout is copied once.
    let x = x.as_array();
    let x = x.as_standard_layout();
    if let Some(cat) = categorical {
        let n = codes.len() as i64;
        let n_categories = n_categories.unwrap_or_default();
        let (num, cat, y) =
            resample_categorical(py, name, params, x.view(), cat, &n_categories, &codes, &labels, n_jobs)?;
        let origin = (0..y.len() as i64)
            .map(|i| if i < n { i } else { -1 })
            .collect::<Array1<i64>>();
        let y = y.iter().map(|&c| c as i64).collect::<Array1<i64>>();
        return Ok((
            num.into_pyarray(py),
            y.into_pyarray(py),
            origin.into_pyarray(py),
            Some(cat.mapv(i64::from).into_pyarray(py)),
        ));
    }
    run(py, name, params, x.view(), &codes, &labels, n_jobs)
}

/// Builds sampler `name` and resamples; the arrays as [`fit_resample`] gives them.
fn run<'py>(
    py: Python<'py>,
    name: &str,
    params: &str,
    x: ArrayView2<'_, f64>,
    codes: &[usize],
    labels: &[String],
    n_jobs: Option<i64>,
) -> PyResult<ResampledArrays<'py>> {
    let sampler = SAMPLERS.build(name, &given(params)?, &[]).map_err(value_error)?;
    let out = on_threads(py, n_jobs, || sampler.fit_resample_labelled(x, codes, labels))?.map_err(value_error)?;
    let y = out.y.iter().map(|&c| c as i64).collect::<Array1<i64>>();
    let origin = out
        .origin
        .iter()
        .map(|o| o.map_or(-1, |i| i as i64))
        .collect::<Array1<i64>>();
    Ok((
        out.x.into_pyarray(py),
        y.into_pyarray(py),
        origin.into_pyarray(py),
        None,
    ))
}

/// Integer labels encoded: the distinct values ascending, each row's code
/// and each class's count (`np.unique(y, return_inverse=True,
/// return_counts=True)`), counted in an array over the values' range; None
/// when that range is much wider than the rows.
fn encode_integers(y: ArrayView1<'_, i64>) -> Option<(Vec<i64>, Vec<usize>, Vec<usize>)> {
    let (&lo, &hi) = (y.iter().min()?, y.iter().max()?);
    let span = usize::try_from(hi.checked_sub(lo)?).ok()?.checked_add(1)?;
    if span > 4 * y.len() + 1024 {
        return None;
    }
    let mut counts = vec![0usize; span];
    y.iter().for_each(|&v| counts[(v - lo) as usize] += 1);
    let mut code_of = vec![usize::MAX; span];
    let (mut labels, mut present) = (Vec::new(), Vec::new());
    for (offset, &n) in counts.iter().enumerate().filter(|(_, &n)| n > 0) {
        code_of[offset] = labels.len();
        labels.push(lo + offset as i64);
        present.push(n);
    }
    let codes = y.iter().map(|&v| code_of[(v - lo) as usize]).collect();
    Some((labels, codes, present))
}

/// The integer labels, the class counts and the resampled arrays.
type IntegerResampled<'py> = (Bound<'py, PyArray1<i64>>, Vec<usize>, ResampledArrays<'py>);

/// `fit_resample` of the common input, float64 rows and integer labels,
/// with the input checks done here in one pass each: the labels encoded
/// ([`encode_integers`]) and, when `finite`, the rows checked for NaN and
/// infinity. `None` sends the Python layer to its general path (which
/// raises imbalanced-learn's errors): labels of a wide range, one class,
/// a value that is not finite.
#[pyfunction]
#[pyo3(signature = (name, params, x, y, finite, n_jobs=None))]
pub(crate) fn fit_resample_integers<'py>(
    py: Python<'py>,
    name: &str,
    params: &str,
    x: PyReadonlyArray2<'py, f64>,
    y: PyReadonlyArray1<'py, i64>,
    finite: bool,
    n_jobs: Option<i64>,
) -> PyResult<Option<IntegerResampled<'py>>> {
    let (x, y) = (x.as_array(), y.as_array());
    let Some((labels, codes, counts)) = encode_integers(y) else {
        return Ok(None);
    };
    if counts.len() < 2 || x.nrows() != y.len() {
        return Ok(None);
    }
    let x = x.as_standard_layout();
    if finite && py.detach(|| imbalanced::data::first_non_finite(x.view()).is_some()) {
        return Ok(None);
    }
    let texts: Vec<String> = labels.iter().map(i64::to_string).collect();
    let out = run(py, name, params, x.view(), &codes, &texts, n_jobs)?;
    Ok(Some((Array1::from(labels).into_pyarray(py), counts, out)))
}

/// SMOTENC (numeric and categorical columns) or SMOTEN (categorical only).
#[allow(clippy::too_many_arguments)]
fn resample_categorical(
    py: Python<'_>,
    name: &str,
    params: &str,
    num: ArrayView2<'_, f64>,
    categorical: PyReadonlyArray2<'_, i64>,
    n_categories: &[usize],
    codes: &[usize],
    labels: &[String],
    n_jobs: Option<i64>,
) -> PyResult<(Array2<f64>, Array2<u32>, Vec<usize>)> {
    let entry = SAMPLERS.find(name).map_err(value_error)?;
    let full = entry.configure(&given(params)?, &[]).map_err(value_error)?;
    let cat = categorical.as_array();
    let width = cat.ncols();
    if width != n_categories.len()
        || cat
            .iter()
            .enumerate()
            .any(|(i, &c)| c < 0 || c as usize >= n_categories[i % width])
    {
        return Err(value_error(
            "category codes must lie below each column's number of categories",
        ));
    }
    let cat: Array2<u32> = cat.mapv(|c| c as u32);
    match entry.info.name {
        "SMOTENC" => {
            let s: SmoteNc = from_params(full).map_err(value_error)?;
            on_threads(py, n_jobs, || {
                s.fit_resample_mixed(num.view(), cat.view(), n_categories, codes, labels)
            })?
        }
        "SMOTEN" => {
            let s: SmoteN = from_params(full).map_err(value_error)?;
            on_threads(py, n_jobs, || {
                s.fit_resample_categorical(cat.view(), n_categories, codes, labels)
            })?
            .map(|(cat, y)| (Array2::zeros((y.len(), 0)), cat, y))
        }
        // Any other sampler on the dataset the columns make: those that
        // synthesise from categorical values (BucketedSMOTENC) do, the
        // others refuse them by name.
        _ => {
            let sampler = entry.build(full).map_err(value_error)?;
            let data = mixed_dataset(num, cat, n_categories, codes, labels).map_err(value_error)?;
            on_threads(py, n_jobs, || sampler.fit_resample_dataset(&data))?
                .map(|out| (out.numeric().to_owned(), out.categorical().to_owned(), out.y().to_vec()))
        }
    }
    .map_err(value_error)
}

/// The association-guided corruption test (imbalanced-diagnose) of a
/// synthetic table against a real one, as JSON: each table's numeric
/// columns, categorical codes (coded jointly, column `j` below
/// `n_categories[j]`) and class codes below `labels.len()`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
pub(crate) fn association_test(
    real_x: PyReadonlyArray2<'_, f64>,
    real_cat: PyReadonlyArray2<'_, i64>,
    real_y: PyReadonlyArray1<'_, i64>,
    synthetic_x: PyReadonlyArray2<'_, f64>,
    synthetic_cat: PyReadonlyArray2<'_, i64>,
    synthetic_y: PyReadonlyArray1<'_, i64>,
    n_categories: Vec<usize>,
    labels: Vec<String>,
    top: usize,
    seed: u64,
) -> PyResult<String> {
    let table = |x: PyReadonlyArray2<'_, f64>, cat: PyReadonlyArray2<'_, i64>, y: PyReadonlyArray1<'_, i64>| {
        let codes = class_codes(&y, Some(labels.len()))?;
        let cat = cat.as_array();
        let in_range = cat.ncols() == n_categories.len()
            && cat
                .rows()
                .into_iter()
                .all(|r| r.iter().zip(&n_categories).all(|(&c, &k)| c >= 0 && (c as usize) < k));
        if !in_range {
            return Err(value_error(
                "category codes must lie below each column's number of categories",
            ));
        }
        mixed_dataset(x.as_array(), cat.mapv(|c| c as u32), &n_categories, &codes, &labels).map_err(value_error)
    };
    let real = table(real_x, real_cat, real_y)?;
    let synthetic = table(synthetic_x, synthetic_cat, synthetic_y)?;
    let test =
        imbalanced::diagnose::associations::association_test(&real, &synthetic, top, seed).map_err(value_error)?;
    serde_json::to_string(&test).map_err(value_error)
}
