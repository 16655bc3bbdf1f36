//! A classifier chosen at run time, by name (the CLI's `--model`).

use ndarray::ArrayView2;

use crate::class_weight::ClassWeight;
use crate::forest::RandomForestClassifier;
use crate::knn::KNeighborsClassifier;
use crate::logistic::LogisticRegression;
use crate::mlp::MlpClassifier;
use crate::naive_bayes::GaussianNB;
use crate::softmax::SoftmaxRegression;
use crate::traits::{Fit, Predict};
use crate::tree::DecisionTreeClassifier;
use crate::ModelError;
use imbalanced_losses::LossSpec;

/// One of the classifiers, with its parameters.
#[derive(Debug, Clone, PartialEq)]
pub enum AnyClassifier {
    Logistic(LogisticRegression),
    KNeighbors(KNeighborsClassifier),
    DecisionTree(DecisionTreeClassifier),
    RandomForest(RandomForestClassifier),
    GaussianNB(GaussianNB),
    Softmax(SoftmaxRegression),
    Mlp(MlpClassifier),
}

/// scikit-learn class names and the short aliases the CLI accepts.
pub const MODEL_NAMES: &[(&str, &[&str])] = &[
    ("LogisticRegression", &["logreg", "lr", "logistic"]),
    ("KNeighborsClassifier", &["knn", "kneighbors"]),
    ("DecisionTreeClassifier", &["tree", "cart", "dt"]),
    ("RandomForestClassifier", &["forest", "rf"]),
    ("GaussianNB", &["nb", "gnb", "naive-bayes"]),
    ("SoftmaxRegression", &["softmax"]),
    ("MLPClassifier", &["mlp"]),
];

impl AnyClassifier {
    /// The classifier of a scikit-learn class name or alias
    /// (case-insensitive), with default parameters.
    pub fn from_name(name: &str) -> Result<Self, ModelError> {
        let lower = name.to_ascii_lowercase();
        let canonical = MODEL_NAMES
            .iter()
            .find(|(n, aliases)| n.to_ascii_lowercase() == lower || aliases.contains(&lower.as_str()))
            .map(|(n, _)| *n);
        Ok(match canonical {
            Some("LogisticRegression") => AnyClassifier::Logistic(LogisticRegression::default()),
            Some("KNeighborsClassifier") => AnyClassifier::KNeighbors(KNeighborsClassifier::default()),
            Some("DecisionTreeClassifier") => AnyClassifier::DecisionTree(DecisionTreeClassifier::default()),
            Some("RandomForestClassifier") => AnyClassifier::RandomForest(RandomForestClassifier::default()),
            Some("GaussianNB") => AnyClassifier::GaussianNB(GaussianNB::default()),
            Some("SoftmaxRegression") => AnyClassifier::Softmax(SoftmaxRegression::default()),
            Some("MLPClassifier") => AnyClassifier::Mlp(MlpClassifier::default()),
            _ => {
                let known: Vec<String> = MODEL_NAMES
                    .iter()
                    .map(|(n, a)| format!("{n} ({})", a.join(", ")))
                    .collect();
                return Err(ModelError::Parameter(format!(
                    "unknown model {name:?}: choose one of {}",
                    known.join("; ")
                )));
            }
        })
    }

    /// The scikit-learn class name.
    pub fn name(&self) -> &'static str {
        match self {
            AnyClassifier::Logistic(_) => "LogisticRegression",
            AnyClassifier::KNeighbors(_) => "KNeighborsClassifier",
            AnyClassifier::DecisionTree(_) => "DecisionTreeClassifier",
            AnyClassifier::RandomForest(_) => "RandomForestClassifier",
            AnyClassifier::GaussianNB(_) => "GaussianNB",
            AnyClassifier::Softmax(_) => "SoftmaxRegression",
            AnyClassifier::Mlp(_) => "MLPClassifier",
        }
    }

    /// The same classifier with `class_weight` set; an error for the
    /// models scikit-learn gives no `class_weight` (k-NN, naive Bayes).
    pub fn with_class_weight(&self, weight: ClassWeight) -> Result<Self, ModelError> {
        let mut out = self.clone();
        match &mut out {
            AnyClassifier::Logistic(m) => m.class_weight = weight,
            AnyClassifier::DecisionTree(m) => m.class_weight = weight,
            AnyClassifier::RandomForest(m) => m.class_weight = weight,
            AnyClassifier::KNeighbors(_)
            | AnyClassifier::GaussianNB(_)
            | AnyClassifier::Softmax(_)
            | AnyClassifier::Mlp(_) => {
                return Err(ModelError::Parameter(format!(
                    "{} has no class_weight: use LogisticRegression, DecisionTreeClassifier or \
                     RandomForestClassifier for class weighting (or the weighted-ce loss)",
                    self.name()
                )))
            }
        }
        Ok(out)
    }

    /// The same classifier trained with `loss`: LogisticRegression becomes a
    /// SoftmaxRegression with its C; an error for models without a loss.
    pub fn with_loss(&self, loss: LossSpec) -> Result<Self, ModelError> {
        Ok(match self {
            AnyClassifier::Logistic(m) => AnyClassifier::Softmax(SoftmaxRegression {
                loss,
                c: m.c,
                ..SoftmaxRegression::default()
            }),
            AnyClassifier::Softmax(m) => AnyClassifier::Softmax(SoftmaxRegression { loss, ..m.clone() }),
            AnyClassifier::Mlp(m) => AnyClassifier::Mlp(MlpClassifier { loss, ..m.clone() }),
            _ => {
                return Err(ModelError::Parameter(format!(
                    "{} is not trained by a loss: use --model logreg, softmax or mlp with losses",
                    self.name()
                )))
            }
        })
    }
}

impl Fit for AnyClassifier {
    type Fitted = Box<dyn Predict>;

    fn fit(&self, x: ArrayView2<'_, f64>, y: &[usize], n_classes: usize) -> Result<Box<dyn Predict>, ModelError> {
        Ok(match self {
            AnyClassifier::Logistic(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::KNeighbors(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::DecisionTree(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::RandomForest(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::GaussianNB(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::Softmax(m) => Box::new(m.fit(x, y, n_classes)?),
            AnyClassifier::Mlp(m) => Box::new(m.fit(x, y, n_classes)?),
        })
    }
}
