//! Every classifier by name (the CLI's `--model`, `evaluate`, `train`,
//! the Python package): the models of `imbalanced-models` and the balanced
//! ensembles of `imbalanced-ensemble` in one catalogue, [`MODELS`]; what
//! any of them fits, [`FittedModel`], is what a model file stores.
//!
//! Why a crate of its own: the ensembles under-sample with the samplers of
//! `imbalanced-resample`, which itself builds on `imbalanced-models`, so the
//! catalogue of both sits above both.

#![forbid(unsafe_code)]

use imbalanced_data::Xy;
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use imbalanced_catalog::{Described, Value};
use imbalanced_ensemble::{
    AdaBoostClassifier, BalancedBaggingClassifier, BalancedRandomForestClassifier, EasyEnsembleClassifier,
    FittedBagging, FittedBoosting, FittedEasyEnsemble, FittedHistGradientBoosting, HistGradientBoostingClassifier,
    RusBoostClassifier,
};
use imbalanced_losses::LossSpec;
use imbalanced_models::persist::Validate;
use imbalanced_models::{
    ClassWeight, DecisionTreeClassifier, EpochReport, Fit, FitWeighted, FittedForest, FittedGaussianNB, FittedKnn,
    FittedLogistic, FittedMlp, FittedSoftmax, FittedTree, GaussianNB, KNeighborsClassifier, LogisticRegression,
    MlpClassifier, ModelError, OutOfBag, Predict, RandomForestClassifier, SoftmaxRegression, WarmStart,
};

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
    BalancedRandomForest(BalancedRandomForestClassifier),
    RusBoost(RusBoostClassifier),
    EasyEnsemble(EasyEnsembleClassifier),
    AdaBoost(AdaBoostClassifier),
    BalancedBagging(BalancedBaggingClassifier),
    HistGradientBoosting(HistGradientBoostingClassifier),
}

imbalanced_catalog::catalog!(
    /// Every classifier, by scikit-learn's or imbalanced-learn's class name
    /// or an alias (`logreg`, `knn`, `tree`, `forest`, `nb`, `softmax`,
    /// `mlp`, `brf`, `rusboost`, `easy-ensemble`, `adaboost`, `balanced-bagging`, `hgb`).
    pub static MODELS: AnyClassifier = "model", |m| Box::new(m.into());
    [
        LogisticRegression,
        KNeighborsClassifier,
        DecisionTreeClassifier,
        RandomForestClassifier,
        GaussianNB,
        SoftmaxRegression,
        MlpClassifier,
        BalancedRandomForestClassifier,
        RusBoostClassifier,
        EasyEnsembleClassifier,
        AdaBoostClassifier,
        BalancedBaggingClassifier,
        HistGradientBoostingClassifier,
    ]
);

/// A fitted classifier of any kind: what [`AnyClassifier`] fits, and what
/// a model file stores (`{"model": "LogisticRegression", ...fields}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model")]
pub enum FittedModel {
    #[serde(rename = "LogisticRegression")]
    Logistic(FittedLogistic),
    #[serde(rename = "KNeighborsClassifier")]
    KNeighbors(FittedKnn),
    #[serde(rename = "DecisionTreeClassifier")]
    DecisionTree(FittedTree),
    #[serde(rename = "RandomForestClassifier")]
    RandomForest(FittedForest),
    #[serde(rename = "GaussianNB")]
    GaussianNB(FittedGaussianNB),
    #[serde(rename = "SoftmaxRegression")]
    Softmax(FittedSoftmax),
    #[serde(rename = "MLPClassifier")]
    Mlp(FittedMlp),
    #[serde(rename = "BalancedRandomForestClassifier")]
    BalancedRandomForest(FittedForest),
    #[serde(rename = "RUSBoostClassifier")]
    RusBoost(FittedBoosting),
    #[serde(rename = "EasyEnsembleClassifier")]
    EasyEnsemble(FittedEasyEnsemble),
    #[serde(rename = "AdaBoostClassifier")]
    AdaBoost(FittedBoosting),
    #[serde(rename = "BalancedBaggingClassifier")]
    BalancedBagging(FittedBagging),
    #[serde(rename = "HistGradientBoostingClassifier")]
    HistGradientBoosting(FittedHistGradientBoosting),
}

impl FittedModel {
    /// The boosting votes of a boosted model (AdaBoost, RUSBoost, and
    /// EasyEnsemble's mean over its members) or the raw scores of gradient
    /// boosting, from which scikit-learn's `decision_function` follows;
    /// `None` for other models.
    pub fn votes(&self, x: ArrayView2<'_, f64>) -> Option<Result<Array2<f64>, ModelError>> {
        match self {
            FittedModel::AdaBoost(m) | FittedModel::RusBoost(m) => Some(m.votes(x)),
            FittedModel::EasyEnsemble(m) => Some(m.votes(x)),
            FittedModel::HistGradientBoosting(m) => Some(m.raw_scores(x)),
            _ => None,
        }
    }

    /// scikit-learn's impurity-based `feature_importances_` of the tree
    /// models (a tree, the forests, AdaBoost and RUSBoost), the gain shares
    /// of gradient boosting; `None` for the others (and for trees of model
    /// files written before they were kept).
    pub fn feature_importances(&self) -> Option<Vec<f64>> {
        match self {
            FittedModel::DecisionTree(t) => t.feature_importances().map(<[f64]>::to_vec),
            FittedModel::RandomForest(f) | FittedModel::BalancedRandomForest(f) => f.feature_importances(),
            FittedModel::AdaBoost(b) | FittedModel::RusBoost(b) => b.feature_importances(),
            FittedModel::HistGradientBoosting(b) => Some(b.feature_importances()),
            _ => None,
        }
    }

    /// The out-of-bag estimate of a fit that asked for one (the balanced
    /// forest's and balanced bagging's `oob_score`); not kept in model files.
    pub fn out_of_bag(&self) -> Option<&OutOfBag> {
        match self {
            FittedModel::BalancedRandomForest(f) => f.oob.as_ref(),
            FittedModel::BalancedBagging(b) => b.oob.as_ref(),
            _ => None,
        }
    }

    /// Reads a model written by `serde_json::to_string(&model)` and checks
    /// it (see [`crate::persist`]); errors name the field.
    pub fn from_json(text: &str) -> Result<Self, ModelError> {
        let model: FittedModel = imbalanced_catalog::from_params(
            serde_json::from_str(text).map_err(|e| ModelError::Corrupt(e.to_string()))?,
        )
        .map_err(|e| ModelError::Corrupt(e.replace('\u{0}', ": ")))?;
        model.validate().map_err(ModelError::Corrupt)?;
        Ok(model)
    }
}

macro_rules! variants {
    ($($variant:ident($ty:ty, $fitted:ty)),* $(,)?) => {
        $(impl From<$ty> for AnyClassifier {
            fn from(m: $ty) -> Self {
                AnyClassifier::$variant(m)
            }
        })*

        impl Fit for AnyClassifier {
            type Fitted = FittedModel;

            fn fit_finite(&self, data: Xy<'_>) -> Result<FittedModel, ModelError> {
                Ok(match self {
                    $(AnyClassifier::$variant(m) => FittedModel::$variant(m.fit_finite(data)?),)*
                })
            }
        }

        impl FittedModel {
            /// The scikit-learn class name of the model that was fitted.
            pub fn name(&self) -> &'static str {
                match self {
                    $(FittedModel::$variant(_) => <$ty>::INFO.name,)*
                }
            }
        }

        impl Validate for FittedModel {
            fn validate(&self) -> Result<(), String> {
                match self {
                    $(FittedModel::$variant(m) => m.validate(),)*
                }
            }
        }

        impl Predict for FittedModel {
            fn n_classes(&self) -> usize {
                match self {
                    $(FittedModel::$variant(m) => m.n_classes(),)*
                }
            }
            fn n_features(&self) -> usize {
                match self {
                    $(FittedModel::$variant(m) => m.n_features(),)*
                }
            }
            fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>, ModelError> {
                match self {
                    $(FittedModel::$variant(m) => m.predict_proba(x),)*
                }
            }
        }

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
    Logistic(LogisticRegression, FittedLogistic),
    KNeighbors(KNeighborsClassifier, FittedKnn),
    DecisionTree(DecisionTreeClassifier, FittedTree),
    RandomForest(RandomForestClassifier, FittedForest),
    GaussianNB(GaussianNB, FittedGaussianNB),
    Softmax(SoftmaxRegression, FittedSoftmax),
    Mlp(MlpClassifier, FittedMlp),
    BalancedRandomForest(BalancedRandomForestClassifier, FittedForest),
    RusBoost(RusBoostClassifier, FittedBoosting),
    EasyEnsemble(EasyEnsembleClassifier, FittedEasyEnsemble),
    AdaBoost(AdaBoostClassifier, FittedBoosting),
    BalancedBagging(BalancedBaggingClassifier, FittedBagging),
    HistGradientBoosting(HistGradientBoostingClassifier, FittedHistGradientBoosting),
);

impl AnyClassifier {
    /// The classifier of a scikit-learn class name or alias
    /// (case-insensitive), with default parameters.
    pub fn from_name(name: &str) -> Result<Self, ModelError> {
        Ok(*MODELS.build(name, &[], &[])?)
    }

    /// [`Fit::fit_checked`], reporting each epoch to `progress` for the
    /// models trained in epochs (the MLP); the others report nothing.
    pub fn fit_with_progress(
        &self,
        data: Xy<'_>,
        progress: &mut dyn FnMut(EpochReport),
    ) -> Result<FittedModel, ModelError> {
        match self {
            AnyClassifier::Mlp(m) => Ok(FittedModel::Mlp(m.fit_with_progress(data, progress)?)),
            other => other.fit_checked(data),
        }
    }

    /// Fits on `data` with per-row `sample_weight` (scikit-learn's
    /// `fit(X, y, sample_weight)`): the balanced forest (without a
    /// bootstrap), RUSBoost, AdaBoost and gradient boosting; an error for
    /// the others.
    pub fn fit_with_weights(&self, mut data: Xy<'_>, sample_weight: &[f64]) -> Result<FittedModel, ModelError> {
        data.require_finite()?;
        Ok(match self {
            AnyClassifier::BalancedRandomForest(m) => {
                FittedModel::BalancedRandomForest(m.fit_with_weights(data, sample_weight)?)
            }
            AnyClassifier::RusBoost(m) => FittedModel::RusBoost(m.fit_with_weights(data, sample_weight)?),
            AnyClassifier::AdaBoost(m) => FittedModel::AdaBoost(m.fit_with_weights(data, sample_weight)?),
            AnyClassifier::HistGradientBoosting(m) => {
                FittedModel::HistGradientBoosting(m.fit_with_weights(data, sample_weight)?)
            }
            other => {
                return Err(ModelError::Parameter(format!(
                    "{} takes no sample weights here: BalancedRandomForestClassifier, RUSBoostClassifier, \
                     AdaBoostClassifier and HistGradientBoostingClassifier do (or use class_weight)",
                    other.name()
                )))
            }
        })
    }

    /// `fitted` grown to this classifier's `n_estimators` on `data`
    /// (scikit-learn's `warm_start`): the ensembles that take it (the
    /// balanced forest, balanced bagging, EasyEnsemble) keep their members
    /// and fit the missing ones; an error for the others or for a model of
    /// another kind.
    pub fn fit_more(&self, fitted: FittedModel, mut data: Xy<'_>) -> Result<FittedModel, ModelError> {
        data.require_finite()?;
        Ok(match (self, fitted) {
            (AnyClassifier::BalancedRandomForest(m), FittedModel::BalancedRandomForest(f)) => {
                FittedModel::BalancedRandomForest(m.fit_more(f, data)?)
            }
            (AnyClassifier::BalancedBagging(m), FittedModel::BalancedBagging(f)) => {
                FittedModel::BalancedBagging(m.fit_more(f, data)?)
            }
            (AnyClassifier::EasyEnsemble(m), FittedModel::EasyEnsemble(f)) => {
                FittedModel::EasyEnsemble(m.fit_more(f, data)?)
            }
            (m, f) => {
                return Err(ModelError::Parameter(format!(
                    "a warm start grows a fitted {} with the same class: {} cannot (warm start takes \
                     BalancedRandomForestClassifier, BalancedBaggingClassifier, EasyEnsembleClassifier)",
                    m.name(),
                    f.name()
                )))
            }
        })
    }

    /// The same classifier with `class_weight` set; an error for the
    /// models scikit-learn gives no `class_weight` (k-NN, naive Bayes).
    pub fn with_class_weight(&self, weight: ClassWeight) -> Result<Self, ModelError> {
        let mut out = self.clone();
        match &mut out {
            AnyClassifier::Logistic(m) => m.class_weight = weight,
            AnyClassifier::DecisionTree(m) => m.class_weight = weight,
            AnyClassifier::RandomForest(m) => m.class_weight = weight,
            AnyClassifier::BalancedRandomForest(m) => m.class_weight = weight,
            AnyClassifier::HistGradientBoosting(m) => m.class_weight = weight,
            AnyClassifier::KNeighbors(_)
            | AnyClassifier::GaussianNB(_)
            | AnyClassifier::Softmax(_)
            | AnyClassifier::Mlp(_)
            | AnyClassifier::RusBoost(_)
            | AnyClassifier::EasyEnsemble(_)
            | AnyClassifier::AdaBoost(_)
            | AnyClassifier::BalancedBagging(_) => {
                return Err(ModelError::Parameter(format!(
                    "{} has no class_weight: use LogisticRegression, DecisionTreeClassifier, \
                     RandomForestClassifier, BalancedRandomForestClassifier or \
                     HistGradientBoostingClassifier for class weighting (or the weighted-ce loss)",
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
            AnyClassifier::HistGradientBoosting(m) => {
                AnyClassifier::HistGradientBoosting(HistGradientBoostingClassifier { loss, ..m.clone() })
            }
            _ => {
                return Err(ModelError::Parameter(format!(
                    "{} is not trained by a loss: use LogisticRegression (trained as SoftmaxRegression), \
                     SoftmaxRegression, MLPClassifier or HistGradientBoostingClassifier with a loss",
                    self.name()
                )))
            }
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
