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
use imbalanced_catalog::{from_params, Catalog, Described, Entry, Value};
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

fn boxed<T: Described + Into<AnyClassifier>>(params: Value) -> Result<Box<AnyClassifier>, String> {
    Ok(Box::new(from_params::<T>(params)?.into()))
}

const fn entry<T: Described + Into<AnyClassifier>>() -> Entry<AnyClassifier> {
    Entry::of::<T>(boxed::<T>)
}

/// Every classifier, by scikit-learn's class name or an alias (`logreg`,
/// `knn`, `tree`, `forest`, `nb`, `softmax`, `mlp`).
pub static MODELS: Catalog<AnyClassifier> = Catalog {
    what: "model",
    entries: &[
        entry::<LogisticRegression>(),
        entry::<KNeighborsClassifier>(),
        entry::<DecisionTreeClassifier>(),
        entry::<RandomForestClassifier>(),
        entry::<GaussianNB>(),
        entry::<SoftmaxRegression>(),
        entry::<MlpClassifier>(),
    ],
};

macro_rules! variants {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        $(impl From<$ty> for AnyClassifier {
            fn from(m: $ty) -> Self {
                AnyClassifier::$variant(m)
            }
        })*

        impl AnyClassifier {
            /// The scikit-learn class name.
            pub fn name(&self) -> &'static str {
                match self {
                    $(AnyClassifier::$variant(_) => <$ty>::INFO.name,)*
                }
            }

            /// The parameters, as [`MODELS`] builds them back.
            pub fn params(&self) -> Value {
                match self {
                    $(AnyClassifier::$variant(m) => imbalanced_catalog::to_value(m).expect("parameters serialise"),)*
                }
            }
        }
    };
}

variants!(
    Logistic(LogisticRegression),
    KNeighbors(KNeighborsClassifier),
    DecisionTree(DecisionTreeClassifier),
    RandomForest(RandomForestClassifier),
    GaussianNB(GaussianNB),
    Softmax(SoftmaxRegression),
    Mlp(MlpClassifier),
);

impl AnyClassifier {
    /// The classifier of a scikit-learn class name or alias
    /// (case-insensitive), with default parameters.
    pub fn from_name(name: &str) -> Result<Self, ModelError> {
        Ok(*MODELS.build(name, &[], &[])?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_model_builds_by_name_and_alias_and_round_trips_its_parameters() {
        for e in MODELS.entries {
            let m = AnyClassifier::from_name(e.info.name).unwrap();
            assert_eq!(m.name(), e.info.name);
            assert_eq!(m.params(), e.defaults());
            for a in e.info.aliases {
                assert_eq!(AnyClassifier::from_name(a).unwrap().name(), e.info.name);
            }
            assert_eq!(*e.build(m.params()).unwrap(), m);
        }
    }

    #[test]
    fn scikit_learn_names_and_values() {
        let given = vec![
            ("C".to_string(), json!(0.5)),
            ("class_weight".to_string(), json!("balanced")),
        ];
        let m = MODELS.build("logreg", &given, &[]).unwrap();
        assert_eq!(
            *m,
            AnyClassifier::Logistic(LogisticRegression {
                c: 0.5,
                class_weight: ClassWeight::Balanced,
                ..Default::default()
            })
        );
        let forest = MODELS.find("rf").unwrap().defaults();
        assert_eq!(
            (forest["max_features"].clone(), forest["max_depth"].clone()),
            (json!("sqrt"), Value::Null)
        );
        let mlp = MODELS.find("mlp").unwrap().defaults();
        assert_eq!(
            (mlp["hidden_layer_sizes"].clone(), mlp["loss"].clone()),
            (json!([100]), json!("ce"))
        );
        let given = vec![("loss".to_string(), json!({"name": "focal", "gamma": 1.5}))];
        let AnyClassifier::Softmax(s) = *MODELS.build("softmax", &given, &[]).unwrap() else {
            panic!("not a softmax regression")
        };
        assert_eq!(s.loss.params["gamma"], "1.5");
        let err = MODELS
            .build("mlp", &[("loss".into(), json!("focall"))], &[])
            .err()
            .unwrap();
        assert!(err.to_string().contains("loss"), "{err}");
        let err = AnyClassifier::from_name("logreggg").err().unwrap().to_string();
        assert!(
            err.contains("did you mean \"logreg\"") || err.contains("did you mean \"LogisticRegression\""),
            "{err}"
        );
    }
}
