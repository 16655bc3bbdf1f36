//! k-nearest-neighbour classification, as scikit-learn's `KNeighborsClassifier`
//! (Euclidean distance, exact search by `imbalanced-neighbors`).

use imbalanced_catalog::Estimator;
use imbalanced_data::Xy;
use serde::{Deserialize, Serialize};

use imbalanced_neighbors::KnnIndex;
use ndarray::{Array2, ArrayView2};

use crate::persist::{ensure, finite, Validate, MAX_CLASSES};
use crate::traits::{check_predict_input, Fit, Predict};
use crate::ModelError;

/// How neighbours vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KnnWeights {
    /// One vote each. The default.
    #[default]
    Uniform,
    /// A vote of `1 / distance`; neighbours at distance 0, if any, take all
    /// the votes (scikit-learn's rule).
    Distance,
}

/// k-nearest-neighbours vote, scikit-learn's `KNeighborsClassifier`.
///
/// Parameters. Defaults are scikit-learn's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Estimator)]
#[serde(default, deny_unknown_fields)]
#[estimator(name = "KNeighborsClassifier", kind = "classifier", aliases = ["knn", "kneighbors"])]
pub struct KNeighborsClassifier {
    /// Neighbours that vote. Default: 5.
    pub n_neighbors: usize,
    /// `uniform` (one vote each) or `distance` (a vote of 1 / distance). Default: `uniform`.
    pub weights: KnnWeights,
}

impl Default for KNeighborsClassifier {
    fn default() -> Self {
        KNeighborsClassifier {
            n_neighbors: 5,
            weights: KnnWeights::Uniform,
        }
    }
}

/// A fitted classifier: the training rows themselves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FittedKnn {
    #[serde(with = "crate::persist::matrix")]
    x: Array2<f64>,
    y: Vec<usize>,
    n_classes: usize,
    params: KNeighborsClassifier,
}

impl Fit for KNeighborsClassifier {
    type Fitted = FittedKnn;

    fn fit_finite(&self, data: Xy<'_>) -> Result<FittedKnn, ModelError> {
        let (x, y, n_classes) = (data.x(), data.y(), data.n_classes());
        if self.n_neighbors == 0 || self.n_neighbors > y.len() {
            return Err(ModelError::Parameter(format!(
                "n_neighbors={} but there are {} training rows: use 1 <= n_neighbors <= rows",
                self.n_neighbors,
                y.len()
            )));
        }
        Ok(FittedKnn {
            x: x.to_owned(),
            y: y.to_vec(),
            n_classes,
            params: self.clone(),
        })
    }
}

impl Predict for FittedKnn {
    fn n_classes(&self) -> usize {
        self.n_classes
    }
    fn n_features(&self) -> usize {
        self.x.ncols()
    }
    /// The (weighted) share of each class among a row's neighbours.
    fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
        check_predict_input(x, self.x.ncols())?;
        let index = KnnIndex::new(self.x.view());
        let nb = index
            .query(x, self.params.n_neighbors)
            .map_err(|e| ModelError::Parameter(e.to_string()))?;
        let mut out = Array2::zeros((x.nrows(), self.n_classes));
        for (r, (idx, dist)) in nb.indices.rows().into_iter().zip(nb.distances.rows()).enumerate() {
            let exact = dist.iter().any(|&d| d == 0.0);
            for (&i, &d) in idx.iter().zip(dist) {
                let w = match self.params.weights {
                    KnnWeights::Uniform => 1.0,
                    KnnWeights::Distance if exact => f64::from(u8::from(d == 0.0)),
                    KnnWeights::Distance => 1.0 / d,
                };
                out[(r, self.y[i])] += w;
            }
            let mut row = out.row_mut(r);
            let sum = row.sum();
            row.mapv_inplace(|v| v / sum);
        }
        Ok(out)
    }
}

impl Validate for FittedKnn {
    fn validate(&self) -> Result<(), String> {
        ensure(self.x.nrows() == self.y.len(), || {
            format!("x has {} rows but y {} labels", self.x.nrows(), self.y.len())
        })?;
        ensure(self.n_classes >= 1 && self.n_classes <= MAX_CLASSES, || {
            format!("n_classes = {} is out of range", self.n_classes)
        })?;
        ensure(self.y.iter().all(|&c| c < self.n_classes), || {
            format!("y: a label is not below n_classes = {}", self.n_classes)
        })?;
        ensure(
            self.params.n_neighbors >= 1 && self.params.n_neighbors <= self.y.len(),
            || {
                format!(
                    "params.n_neighbors = {} for {} rows",
                    self.params.n_neighbors,
                    self.y.len()
                )
            },
        )?;
        finite("x", self.x.iter())
    }
}
