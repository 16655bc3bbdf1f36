//! Samplers by name, with imbalanced-learn's parameter names: what the CLI
//! and other front ends use to build a sampler from text.

use std::collections::{BTreeMap, HashMap};

use crate::error::{ResampleError, Result};
use crate::over::{
    Adasyn, BorderlineKind, BorderlineSmote, KMeansSmote, RandomOverSampler, Shrinkage, Smote, SmoteN, SmoteNc,
    SvmSmote,
};
use crate::strategy::SamplingStrategy;
use crate::under::{
    AllKnn, ClusterCentroids, CondensedNearestNeighbour, EditedNearestNeighbours, InstanceHardnessThreshold, KindSel,
    NearMiss, NeighbourhoodCleaningRule, OneSidedSelection, RandomUnderSampler, RepeatedEditedNearestNeighbours,
    TomekLinks, Voting,
};
use crate::{Resampler, SmoteEnn, SmoteTomek};
use imbalanced_random::RngKind;

/// One entry of the sampler catalogue.
#[derive(Debug, Clone, Copy)]
pub struct SamplerInfo {
    /// imbalanced-learn's class name.
    pub name: &'static str,
    /// Other accepted names (matched ignoring case, `-` and `_`).
    pub aliases: &'static [&'static str],
    /// `over`, `under`, `generation` (under-sampling by synthetic prototypes),
    /// `cleaning` or `combined`.
    pub kind: &'static str,
    /// One line: what it does.
    pub summary: &'static str,
    /// Its parameters with their defaults.
    pub params: &'static str,
}

/// Every sampler, in imbalanced-learn's documentation order.
pub const SAMPLERS: &[SamplerInfo] = &[
    SamplerInfo {
        name: "RandomOverSampler",
        aliases: &["ros", "random-over"],
        kind: "over",
        summary: "duplicate random rows of the smaller classes (smoothed bootstrap with shrinkage)",
        params: "sampling_strategy=auto shrinkage=none",
    },
    SamplerInfo {
        name: "SMOTE",
        aliases: &[],
        kind: "over",
        summary: "interpolate between a row and one of its k nearest same-class neighbours",
        params: "sampling_strategy=auto k_neighbors=5",
    },
    SamplerInfo {
        name: "BorderlineSMOTE",
        aliases: &["borderline"],
        kind: "over",
        summary: "SMOTE seeded only from rows near the class border",
        params: "sampling_strategy=auto k_neighbors=5 m_neighbors=10 kind=borderline-1",
    },
    SamplerInfo {
        name: "SMOTENC",
        aliases: &["smote-nc"],
        kind: "over",
        summary: "SMOTE for mixed numeric and categorical features (declare them with --categorical)",
        params: "sampling_strategy=auto k_neighbors=5",
    },
    SamplerInfo {
        name: "SMOTEN",
        aliases: &["smote-n"],
        kind: "over",
        summary: "SMOTE for categorical features only (value difference metric)",
        params: "sampling_strategy=auto k_neighbors=5",
    },
    SamplerInfo {
        name: "SVMSMOTE",
        aliases: &["svm-smote"],
        kind: "over",
        summary: "SMOTE from an RBF SVM's support vectors, extrapolating from the safe ones",
        params: "sampling_strategy=auto k_neighbors=5 m_neighbors=10 out_step=0.5 C=1.0",
    },
    SamplerInfo {
        name: "KMeansSMOTE",
        aliases: &["kmeans-smote"],
        kind: "over",
        summary: "SMOTE inside the k-means clusters where the class is common, more in sparse ones",
        params: "sampling_strategy=auto k_neighbors=2 kmeans_estimator=8 cluster_balance_threshold=auto density_exponent=auto",
    },
    SamplerInfo {
        name: "ADASYN",
        aliases: &[],
        kind: "over",
        summary: "SMOTE with more samples where other classes crowd the neighbourhood",
        params: "sampling_strategy=auto n_neighbors=5",
    },
    SamplerInfo {
        name: "RandomUnderSampler",
        aliases: &["rus", "random-under"],
        kind: "under",
        summary: "keep a random subset of the larger classes",
        params: "sampling_strategy=auto replacement=false",
    },
    SamplerInfo {
        name: "ClusterCentroids",
        aliases: &["cc"],
        kind: "generation",
        summary: "replace the larger classes by k-means centroids (soft) or the rows nearest them (hard)",
        params: "sampling_strategy=auto voting=auto max_iter=300",
    },
    SamplerInfo {
        name: "NearMiss",
        aliases: &["nm"],
        kind: "under",
        summary: "keep the larger-class rows closest to the minority (versions 1, 2, 3)",
        params: "sampling_strategy=auto version=1 n_neighbors=3 n_neighbors_ver3=3",
    },
    SamplerInfo {
        name: "InstanceHardnessThreshold",
        aliases: &["iht"],
        kind: "under",
        summary: "keep the rows a cross-validated random forest finds easiest",
        params: "sampling_strategy=auto cv=5 n_estimators=100",
    },
    SamplerInfo {
        name: "TomekLinks",
        aliases: &["tomek"],
        kind: "cleaning",
        summary: "remove rows that form a cross-class mutual-nearest-neighbour pair",
        params: "sampling_strategy=auto",
    },
    SamplerInfo {
        name: "EditedNearestNeighbours",
        aliases: &["enn", "EditedNearestNeighbors"],
        kind: "cleaning",
        summary: "remove rows whose nearest neighbours disagree with their class",
        params: "sampling_strategy=auto n_neighbors=3 kind_sel=all",
    },
    SamplerInfo {
        name: "RepeatedEditedNearestNeighbours",
        aliases: &["renn", "RepeatedEditedNearestNeighbors"],
        kind: "cleaning",
        summary: "ENN repeated until nothing changes",
        params: "sampling_strategy=auto n_neighbors=3 max_iter=100 kind_sel=all",
    },
    SamplerInfo {
        name: "AllKNN",
        aliases: &["all-knn"],
        kind: "cleaning",
        summary: "ENN with 1, 2, ..., n_neighbors neighbours in turn",
        params: "sampling_strategy=auto n_neighbors=3 kind_sel=all allow_minority=false",
    },
    SamplerInfo {
        name: "CondensedNearestNeighbour",
        aliases: &["cnn", "CondensedNearestNeighbor"],
        kind: "cleaning",
        summary: "keep the rows a growing 1-NN classifier gets wrong",
        params: "sampling_strategy=auto n_neighbors=1 n_seeds_S=1",
    },
    SamplerInfo {
        name: "OneSidedSelection",
        aliases: &["oss"],
        kind: "cleaning",
        summary: "keep rows a 1-NN classifier on the minority gets wrong, then remove Tomek links",
        params: "sampling_strategy=auto n_neighbors=1 n_seeds_S=1",
    },
    SamplerInfo {
        name: "NeighbourhoodCleaningRule",
        aliases: &["ncr", "NeighborhoodCleaningRule"],
        kind: "cleaning",
        summary: "ENN plus the neighbours of misclassified minority rows",
        params: "sampling_strategy=auto n_neighbors=3 threshold_cleaning=0.5",
    },
    SamplerInfo {
        name: "SMOTEENN",
        aliases: &["smote-enn"],
        kind: "combined",
        summary: "SMOTE, then ENN on every class",
        params: "sampling_strategy=auto",
    },
    SamplerInfo {
        name: "SMOTETomek",
        aliases: &["smote-tomek"],
        kind: "combined",
        summary: "SMOTE, then remove Tomek links in every class",
        params: "sampling_strategy=auto",
    },
];

fn normalise(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '-' && *c != '_')
        .flat_map(char::to_lowercase)
        .collect()
}

/// The catalogue entry for a name or alias (case, `-` and `_` ignored).
pub fn describe(name: &str) -> Option<&'static SamplerInfo> {
    let n = normalise(name);
    SAMPLERS
        .iter()
        .find(|s| normalise(s.name) == n || s.aliases.iter().any(|a| normalise(a) == n))
}

/// Parameters given as text, consumed one by one so that leftovers can be reported.
struct Params<'a> {
    sampler: &'static str,
    values: HashMap<String, String>,
    classes: &'a [String],
}

impl Params<'_> {
    fn take<T>(&mut self, key: &str, default: T, parse: impl Fn(&str) -> Option<T>, expected: &str) -> Result<T> {
        match self.values.remove(key) {
            None => Ok(default),
            Some(v) => parse(v.trim()).ok_or_else(|| ResampleError::Parameter {
                name: key.into(),
                value: v,
                expected: format!("{expected} (for {})", self.sampler),
            }),
        }
    }

    fn usize(&mut self, key: &str, default: usize) -> Result<usize> {
        self.take(key, default, |v| v.parse().ok(), "a non-negative integer")
    }

    fn f64(&mut self, key: &str, default: f64) -> Result<f64> {
        self.take(key, default, |v| v.parse().ok(), "a number")
    }

    fn bool(&mut self, key: &str, default: bool) -> Result<bool> {
        self.take(
            key,
            default,
            |v| match v.to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => None,
            },
            "true or false",
        )
    }

    fn strategy(&mut self) -> Result<SamplingStrategy> {
        match self.values.remove("sampling_strategy") {
            None => Ok(SamplingStrategy::Auto),
            Some(v) => SamplingStrategy::parse(&v, self.classes),
        }
    }

    fn kind_sel(&mut self) -> Result<KindSel> {
        self.take("kind_sel", KindSel::All, |v| v.parse().ok(), "'all' or 'mode'")
    }

    fn finish(self, accepted: &str) -> Result<()> {
        match self.values.into_keys().next() {
            None => Ok(()),
            Some(k) => Err(ResampleError::Parameter {
                name: k,
                value: String::new(),
                expected: format!("not a parameter of {}; it takes {accepted} random_state", self.sampler),
            }),
        }
    }
}

/// Builds a sampler from its name and imbalanced-learn-style parameters
/// (`("k_neighbors", "3")`, `("sampling_strategy", "{\"1\": 50}")`, ...).
/// `classes` are the dataset's labels, for strategies that name classes;
/// `seed` and `rng` apply to randomised samplers (a `random_state`
/// parameter overrides `seed`).
pub fn build(
    name: &str,
    params: &[(String, String)],
    seed: u64,
    rng: RngKind,
    classes: &[String],
) -> Result<Box<dyn Resampler>> {
    let info = describe(name).ok_or_else(|| ResampleError::UnknownSampler { name: name.into() })?;
    let mut p = Params {
        sampler: info.name,
        values: params.iter().cloned().collect(),
        classes,
    };
    let seed = p.take("random_state", seed, |v| v.parse().ok(), "a non-negative integer seed")?;
    let strategy = p.strategy()?;
    let sampler: Box<dyn Resampler> = match info.name {
        "RandomOverSampler" => {
            let shrinkage = p.take(
                "shrinkage",
                None,
                |v| parse_shrinkage(v, classes),
                "a number >= 0 or a JSON object {\"label\": factor}",
            )?;
            Box::new(
                RandomOverSampler::default()
                    .sampling_strategy(strategy)
                    .random_state(seed)
                    .rng(rng)
                    .shrinkage(shrinkage),
            )
        }
        "SMOTE" => Box::new(
            Smote::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .k_neighbors(p.usize("k_neighbors", 5)?),
        ),
        "BorderlineSMOTE" => Box::new(
            BorderlineSmote::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .k_neighbors(p.usize("k_neighbors", 5)?)
                .m_neighbors(p.usize("m_neighbors", 10)?)
                .kind(p.take(
                    "kind",
                    BorderlineKind::Borderline1,
                    |v| match v {
                        "borderline-1" => Some(BorderlineKind::Borderline1),
                        "borderline-2" => Some(BorderlineKind::Borderline2),
                        _ => None,
                    },
                    "'borderline-1' or 'borderline-2'",
                )?),
        ),
        "SMOTENC" => Box::new(
            SmoteNc::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .k_neighbors(p.usize("k_neighbors", 5)?),
        ),
        "SMOTEN" => Box::new(
            SmoteN::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .k_neighbors(p.usize("k_neighbors", 5)?),
        ),
        "SVMSMOTE" => Box::new(
            SvmSmote::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .k_neighbors(p.usize("k_neighbors", 5)?)
                .m_neighbors(p.usize("m_neighbors", 10)?)
                .out_step(p.f64("out_step", 0.5)?)
                .c(p.f64("C", 1.0)?),
        ),
        "KMeansSMOTE" => {
            let auto_or = |v: &str| match v {
                "auto" => Some(None),
                other => other.parse().ok().map(Some),
            };
            let n_clusters = p.usize("n_clusters", 8)?;
            Box::new(
                KMeansSmote::default()
                    .sampling_strategy(strategy)
                    .random_state(seed)
                    .rng(rng)
                    .k_neighbors(p.usize("k_neighbors", 2)?)
                    .n_clusters(p.usize("kmeans_estimator", n_clusters)?)
                    .cluster_balance_threshold(p.take(
                        "cluster_balance_threshold",
                        None,
                        auto_or,
                        "'auto' or a number",
                    )?)
                    .density_exponent(p.take("density_exponent", None, auto_or, "'auto' or a number")?),
            )
        }
        "ADASYN" => Box::new(
            Adasyn::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .n_neighbors(p.usize("n_neighbors", 5)?),
        ),
        "RandomUnderSampler" => Box::new(
            RandomUnderSampler::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .replacement(p.bool("replacement", false)?),
        ),
        "ClusterCentroids" => Box::new(
            ClusterCentroids::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .max_iter(p.usize("max_iter", 300)?)
                .voting(p.take(
                    "voting",
                    Voting::Auto,
                    |v| match v {
                        "auto" => Some(Voting::Auto),
                        "hard" => Some(Voting::Hard),
                        "soft" => Some(Voting::Soft),
                        _ => None,
                    },
                    "'auto', 'hard' or 'soft'",
                )?),
        ),
        "NearMiss" => Box::new(
            NearMiss::default()
                .sampling_strategy(strategy)
                .version(p.take("version", 1, |v| v.parse().ok(), "1, 2 or 3")?)
                .n_neighbors(p.usize("n_neighbors", 3)?)
                .n_neighbors_ver3(p.usize("n_neighbors_ver3", 3)?),
        ),
        "InstanceHardnessThreshold" => Box::new(
            InstanceHardnessThreshold::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .cv(p.usize("cv", 5)?)
                .n_estimators(p.usize("n_estimators", 100)?),
        ),
        "TomekLinks" => Box::new(TomekLinks::default().sampling_strategy(strategy)),
        "EditedNearestNeighbours" => Box::new(
            EditedNearestNeighbours::default()
                .sampling_strategy(strategy)
                .n_neighbors(p.usize("n_neighbors", 3)?)
                .kind_sel(p.kind_sel()?),
        ),
        "RepeatedEditedNearestNeighbours" => Box::new(
            RepeatedEditedNearestNeighbours::default()
                .sampling_strategy(strategy)
                .n_neighbors(p.usize("n_neighbors", 3)?)
                .max_iter(p.usize("max_iter", 100)?)
                .kind_sel(p.kind_sel()?),
        ),
        "AllKNN" => Box::new(
            AllKnn::default()
                .sampling_strategy(strategy)
                .n_neighbors(p.usize("n_neighbors", 3)?)
                .kind_sel(p.kind_sel()?)
                .allow_minority(p.bool("allow_minority", false)?),
        ),
        "CondensedNearestNeighbour" => Box::new(
            CondensedNearestNeighbour::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .n_neighbors(p.usize("n_neighbors", 1)?)
                .n_seeds_s(p.usize("n_seeds_S", 1)?),
        ),
        "OneSidedSelection" => Box::new(
            OneSidedSelection::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng)
                .n_neighbors(p.usize("n_neighbors", 1)?)
                .n_seeds_s(p.usize("n_seeds_S", 1)?),
        ),
        "NeighbourhoodCleaningRule" => Box::new(
            NeighbourhoodCleaningRule::default()
                .sampling_strategy(strategy)
                .n_neighbors(p.usize("n_neighbors", 3)?)
                .threshold_cleaning(p.f64("threshold_cleaning", 0.5)?),
        ),
        "SMOTEENN" => Box::new(
            SmoteEnn::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng),
        ),
        "SMOTETomek" => Box::new(
            SmoteTomek::default()
                .sampling_strategy(strategy)
                .random_state(seed)
                .rng(rng),
        ),
        other => unreachable!("{other} is in SAMPLERS but has no constructor"),
    };
    p.finish(info.params)?;
    Ok(sampler)
}

fn parse_shrinkage(v: &str, classes: &[String]) -> Option<Option<Shrinkage>> {
    if v.eq_ignore_ascii_case("none") {
        return Some(None);
    }
    if let Ok(f) = v.parse::<f64>() {
        return Some(Some(Shrinkage::All(f)));
    }
    let map: BTreeMap<String, f64> = serde_json::from_str(v).ok()?;
    let mut out = BTreeMap::new();
    for (label, f) in map {
        out.insert(classes.iter().position(|c| *c == label)?, f);
    }
    Some(Some(Shrinkage::PerClass(out)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_sampler_builds_by_name_and_alias() {
        let classes = vec!["0".to_string(), "1".to_string()];
        for info in SAMPLERS {
            let s = build(info.name, &[], 0, RngKind::Default, &classes).unwrap();
            assert_eq!(s.name().to_lowercase(), info.name.to_lowercase());
            for a in info.aliases {
                assert!(build(a, &[], 0, RngKind::Default, &classes).is_ok(), "{a}");
            }
        }
        assert!(build("smote_tomek", &[], 0, RngKind::Default, &classes).is_ok());
    }

    #[test]
    fn unknown_names_and_parameters_are_errors() {
        let classes = vec!["0".to_string(), "1".to_string()];
        assert!(matches!(
            build("SMOOTE", &[], 0, RngKind::Default, &classes),
            Err(ResampleError::UnknownSampler { .. })
        ));
        let bad = vec![("k_neighbours".to_string(), "3".to_string())];
        let err = build("SMOTE", &bad, 0, RngKind::Default, &classes).err().unwrap();
        assert!(err.to_string().contains("k_neighbors=5"), "{err}");
        let bad = vec![("k_neighbors".to_string(), "three".to_string())];
        assert!(build("SMOTE", &bad, 0, RngKind::Default, &classes).is_err());
    }
}
