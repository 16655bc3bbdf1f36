//! The sampler catalogue: every sampler's entry, in imbalanced-learn's
//! documentation order, then smote-variants' samplers, then our synthesis beyond SMOTE. Names, parameters, docs and defaults come from the
//! samplers' own definitions (`#[derive(Estimator)]` and `Default`); this
//! list only collects them.

use imbalanced_catalog::Value;
use imbalanced_random::RngKind;

use crate::over::{
    Adasyn, AssembledSmote, BorderlineSmote, BucketedSmoteNc, Ccr, DiffusionOverSampler, GSmote, KMeansSmote,
    LabelConsistentOverSampler, Lee, LvqSmote, PolynomFitSmoteBus, PolynomFitSmoteMesh, PolynomFitSmotePoly,
    PolynomFitSmoteStar, ProWSyn, RandomOverSampler, RelationalSmote, Smobd, Smote, SmoteIpf, SmoteN, SmoteNc,
    SmoteTomekLinks, SvmSmote,
};
use crate::under::{
    AllKnn, ClusterCentroids, CondensedNearestNeighbour, EditedNearestNeighbours, InstanceHardnessThreshold, NearMiss,
    NeighbourhoodCleaningRule, OneSidedSelection, RandomUnderSampler, RepeatedEditedNearestNeighbours, TomekLinks,
};
use crate::{Resampler, SmoteEnn, SmoteTomek};

imbalanced_catalog::catalog!(
    /// Every sampler, by imbalanced-learn's class name or an alias.
    pub static SAMPLERS: dyn Resampler = "sampler", |s| Box::new(s);
    [
        RandomOverSampler,
        Smote,
        BorderlineSmote,
        SmoteNc,
        SmoteN,
        SvmSmote,
        KMeansSmote,
        Adasyn,
        RandomUnderSampler,
        ClusterCentroids,
        NearMiss,
        InstanceHardnessThreshold,
        TomekLinks,
        EditedNearestNeighbours,
        RepeatedEditedNearestNeighbours,
        AllKnn,
        CondensedNearestNeighbour,
        OneSidedSelection,
        NeighbourhoodCleaningRule,
        SmoteEnn,
        SmoteTomek,
        // smote-variants' (Kovács 2019) strongest variants.
        PolynomFitSmoteStar,
        PolynomFitSmoteBus,
        PolynomFitSmotePoly,
        PolynomFitSmoteMesh,
        ProWSyn,
        SmoteIpf,
        Lee,
        Smobd,
        GSmote,
        Ccr,
        LvqSmote,
        AssembledSmote,
        SmoteTomekLinks,
        // Synthesis beyond SMOTE.
        LabelConsistentOverSampler,
        BucketedSmoteNc,
        DiffusionOverSampler,
        RelationalSmote,
    ]
);

/// The seed and generator a front end applies to every sampler that takes
/// them (`random_state`, `rng`), as [`Catalog::build`]'s ambient values.
pub fn randomness(seed: u64, rng: RngKind) -> [(&'static str, Value); 2] {
    [
        ("random_state", Value::from(seed)),
        ("rng", imbalanced_catalog::to_value(rng).expect("a unit variant")),
    ]
}

/// Takes SMOTENC's `categorical_features` out of `params` and returns the
/// column names it gives (a list, or one comma-separated text). They say
/// which columns of a file are categorical, which is the dataset's to
/// know, not the sampler's: give them to the reader (`ReadOptions::categorical`).
pub fn take_categorical_features(params: &mut Vec<(String, Value)>) -> Vec<String> {
    let mut names = Vec::new();
    params.retain(|(k, v)| {
        if k != "categorical_features" {
            return true;
        }
        match v {
            Value::Array(list) => names.extend(list.iter().map(imbalanced_catalog::value_text)),
            other => names.extend(
                imbalanced_catalog::value_text(other)
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty()),
            ),
        }
        false
    });
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_sampler_builds_by_name_and_alias_and_says_its_name() {
        for e in SAMPLERS.entries {
            let s = SAMPLERS
                .build(e.info.name, &[], &randomness(3, RngKind::Numpy))
                .unwrap();
            assert_eq!(s.name(), e.info.name);
            for a in e.info.aliases {
                assert_eq!(SAMPLERS.find(a).unwrap().info.name, e.info.name, "{a}");
            }
            assert!(
                e.info.summary.len() < 100 && !e.info.summary.ends_with('.'),
                "{}",
                e.info.summary
            );
        }
        assert_eq!(SAMPLERS.find("smote_tomek").unwrap().info.name, "SMOTETomek");
    }

    #[test]
    fn unknown_names_and_parameters_suggest_the_nearest() {
        let err = SAMPLERS.find("SMOOTE").err().unwrap().to_string();
        assert!(err.contains("did you mean \"SMOTE\"?"), "{err}");
        let bad = vec![("k_neighbours".to_string(), json!(3))];
        let err = SAMPLERS.build("SMOTE", &bad, &[]).err().unwrap().to_string();
        assert!(err.contains("did you mean \"k_neighbors\"?"), "{err}");
        let bad = vec![("k_neighbors".to_string(), json!("three"))];
        let err = SAMPLERS.build("SMOTE", &bad, &[]).err().unwrap().to_string();
        assert!(err.contains("k_neighbors"), "{err}");
    }

    #[test]
    fn defaults_are_imbalanced_learns() {
        let smote = SAMPLERS.find("SMOTE").unwrap();
        assert_eq!(
            smote.signature(),
            "sampling_strategy=auto random_state=0 rng=default k_neighbors=5"
        );
        let kmeans = SAMPLERS.find("KMeansSMOTE").unwrap().defaults();
        assert_eq!(kmeans["kmeans_estimator"], json!(8));
        assert_eq!(kmeans["cluster_balance_threshold"], json!("auto"));
        assert_eq!(SAMPLERS.find("SVMSMOTE").unwrap().defaults()["C"], json!(1.0));
        assert_eq!(SAMPLERS.find("CNN").unwrap().defaults()["n_seeds_S"], json!(1));
        assert_eq!(SAMPLERS.find("ROS").unwrap().defaults()["shrinkage"], Value::Null);
    }

    #[test]
    fn nested_steps_are_configurable() {
        let given = vec![("smote__k_neighbors".to_string(), json!(3))];
        let params = SAMPLERS
            .find("SMOTETomek")
            .unwrap()
            .configure(&given, &randomness(11, RngKind::Numpy))
            .unwrap();
        let st: SmoteTomek = serde_json::from_value(params).unwrap();
        let smote = st.smote.clone().unwrap();
        assert_eq!(
            (smote.k_neighbors, smote.random_state, smote.rng),
            (3, 11, RngKind::Numpy)
        );
        assert_eq!(st.tomek, None);
    }

    #[test]
    fn categorical_features_leave_the_parameters_as_column_names() {
        let mut p = vec![
            ("k_neighbors".to_string(), Value::from(3)),
            ("categorical_features".to_string(), Value::from("colour, shape")),
            ("categorical_features".to_string(), serde_json::json!(["size"])),
        ];
        assert_eq!(take_categorical_features(&mut p), ["colour", "shape", "size"]);
        assert_eq!(p, vec![("k_neighbors".to_string(), Value::from(3))]);
    }
}
