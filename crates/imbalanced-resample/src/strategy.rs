//! `sampling_strategy`: which classes a sampler touches and how many samples
//! they end with, exactly as imbalanced-learn's `check_sampling_strategy`.

use std::collections::BTreeMap;

use crate::error::{ResampleError, Result};

/// What kind of sampler resolves a strategy; the same strategy means
/// different things to each (see imbalanced-learn's user guide).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SamplingKind {
    /// The resolved map gives the number of samples to *generate* per class.
    Over,
    /// The resolved map gives the number of samples to *keep* per class.
    Under,
    /// The resolved map's keys are the classes to clean.
    Clean,
}

/// The forms of imbalanced-learn's `sampling_strategy`. Default: `Auto`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum SamplingStrategy {
    /// `'auto'`: `NotMajority` for over-samplers, `NotMinority` otherwise.
    #[default]
    Auto,
    /// `'minority'`: the smallest class only (over-samplers only).
    Minority,
    /// `'majority'`: the largest class only (under-samplers and cleaners).
    Majority,
    /// `'not minority'`: every class but the smallest.
    NotMinority,
    /// `'not majority'`: every class but the largest.
    NotMajority,
    /// `'all'`: every class.
    All,
    /// A float in (0, 1], binary targets only: the desired ratio
    /// minority / majority after resampling.
    Ratio(f64),
    /// Desired number of samples per class label (`{"pos": 50}`).
    Counts(BTreeMap<String, usize>),
    /// Labels of the classes to clean (cleaning samplers only).
    Classes(Vec<String>),
}

/// Number of samples of every present class, keyed by class code in
/// ascending order (`np.unique(y, return_counts=True)`).
pub fn class_counts(y: &[usize]) -> BTreeMap<usize, usize> {
    // Class codes are usually 0..n_classes: count into an array, a tree
    // insertion per row being most of RandomUnderSampler's time.
    let top = y.iter().copied().max().unwrap_or(0);
    if top <= y.len() {
        let mut dense = vec![0usize; top + 1];
        y.iter().for_each(|&c| dense[c] += 1);
        return dense.into_iter().enumerate().filter(|&(_, n)| n > 0).collect();
    }
    let mut m = BTreeMap::new();
    for &c in y {
        *m.entry(c).or_insert(0) += 1;
    }
    m
}

/// The class with the fewest samples; ties go to the lowest code, as
/// Python's `min(dict, key=...)` over `np.unique`'s order.
pub fn minority_class(counts: &BTreeMap<usize, usize>) -> usize {
    let min = counts.values().min().copied().unwrap_or(0);
    counts.iter().find(|(_, &n)| n == min).map_or(0, |(&c, _)| c)
}

/// The class with the most samples; ties go to the lowest code.
pub fn majority_class(counts: &BTreeMap<usize, usize>) -> usize {
    let max = counts.values().max().copied().unwrap_or(0);
    counts.iter().find(|(_, &n)| n == max).map_or(0, |(&c, _)| c)
}

/// The minority class as `min(Counter(y), key=...)` picks it: among the
/// smallest classes, the one whose first sample comes first in `y`. Several
/// imbalanced-learn samplers (NearMiss, RENN, AllKNN, CNN, OSS, NCR) use
/// this order rather than the sorted one; it matters only for tied counts.
pub fn minority_class_by_appearance(y: &[usize], counts: &BTreeMap<usize, usize>) -> usize {
    let min = counts.values().min().copied().unwrap_or(0);
    y.iter().copied().find(|c| counts[c] == min).unwrap_or(0)
}

impl SamplingStrategy {
    /// Resolves the strategy for the data being fitted: class `counts` by
    /// code, and `classes`, the label of each code, which the label-keyed
    /// forms name (see [`class_code`]).
    pub fn resolve(
        &self,
        counts: &BTreeMap<usize, usize>,
        kind: SamplingKind,
        classes: &[String],
    ) -> Result<BTreeMap<usize, usize>> {
        use SamplingKind::*;
        if counts.len() <= 1 {
            return Err(ResampleError::SingleClass(counts.len()));
        }
        let n_max = counts.values().max().copied().unwrap_or(0);
        let n_min = counts.values().min().copied().unwrap_or(0);
        let maj = majority_class(counts);
        let min = minority_class(counts);
        let err = |m: &str| Err(ResampleError::Strategy(m.to_string()));
        let select = |keep: &dyn Fn(usize) -> bool| -> BTreeMap<usize, usize> {
            counts
                .iter()
                .filter(|(&c, _)| keep(c))
                .map(|(&c, &n)| (c, if kind == Over { n_max - n } else { n_min }))
                .collect()
        };
        match self {
            SamplingStrategy::Auto if kind == Over => Ok(select(&|c| c != maj)),
            SamplingStrategy::Auto => Ok(select(&|c| c != min)),
            SamplingStrategy::Minority if kind == Over => Ok(select(&|c| c == min)),
            SamplingStrategy::Minority => err("'minority' cannot be used with under-samplers and cleaning samplers"),
            SamplingStrategy::Majority if kind == Over => err("'majority' cannot be used with over-samplers"),
            SamplingStrategy::Majority => Ok(select(&|c| c == maj)),
            SamplingStrategy::NotMinority => Ok(select(&|c| c != min)),
            SamplingStrategy::NotMajority => Ok(select(&|c| c != maj)),
            SamplingStrategy::All => Ok(select(&|_| true)),
            SamplingStrategy::Ratio(r) => {
                if !(*r > 0.0 && *r <= 1.0) {
                    return err(&format!("a float must be in (0, 1], got {r}"));
                }
                if counts.len() != 2 {
                    return err(
                        "a float is allowed only for binary targets: for multi-class data give per-class counts",
                    );
                }
                match kind {
                    Over => {
                        let out: BTreeMap<usize, usize> = counts
                            .iter()
                            .filter(|(&c, _)| c != maj)
                            .map(|(&c, &n)| (c, (n_max as f64 * r - n as f64).trunc()))
                            .map(|(c, v)| (c, v.max(0.0) as usize))
                            .collect();
                        if out.values().any(|&v| v == 0) {
                            return err(&format!(
                                "ratio {r} would remove samples from the minority class: increase the ratio"
                            ));
                        }
                        Ok(out)
                    }
                    Under => {
                        let out: BTreeMap<usize, usize> = counts
                            .keys()
                            .filter(|&&c| c != min)
                            .map(|&c| (c, (n_min as f64 / r).trunc() as usize))
                            .collect();
                        if out.iter().any(|(c, &v)| v > counts[c]) {
                            return err(&format!(
                                "ratio {r} would need new samples in the majority class: increase the ratio"
                            ));
                        }
                        Ok(out)
                    }
                    Clean => err("cleaning samplers do not take a ratio: give a list of classes to clean"),
                }
            }
            SamplingStrategy::Counts(map) => {
                if kind == Clean {
                    return err("cleaning samplers do not take per-class counts: give a list of classes to clean");
                }
                let mut out = BTreeMap::new();
                for (label, &want) in map {
                    let c = present(label, counts, classes)?;
                    let have = counts[&c];
                    match kind {
                        Over if want < have => {
                            return err(&format!(
                                "over-samplers cannot shrink a class: class {c} has {have} samples and {want} were asked; ask for at least {have}"
                            ))
                        }
                        Over => out.insert(c, want - have),
                        _ if want > have => {
                            return err(&format!(
                                "under-samplers cannot grow a class: class {c} has {have} samples and {want} were asked; ask for at most {have}"
                            ))
                        }
                        _ => out.insert(c, want),
                    };
                }
                Ok(out)
            }
            SamplingStrategy::Classes(list) => {
                if kind != Clean {
                    return err("a list of classes is only for cleaning samplers: give per-class counts");
                }
                let mut out = BTreeMap::new();
                for label in list {
                    out.insert(present(label, counts, classes)?, n_min);
                }
                Ok(out)
            }
        }
    }
}

/// The code of class `label` among `classes` (the label of each code),
/// matching numerically when both sides are numbers (so `1` finds the
/// class `1.0`).
pub fn class_code(label: &str, classes: &[String]) -> Option<usize> {
    classes.iter().position(|c| c == label).or_else(|| {
        let v = label.parse::<f64>().ok()?;
        classes.iter().position(|c| c.parse::<f64>().ok() == Some(v))
    })
}

/// The code of `label`, which must be a class present in `counts`.
pub(crate) fn present(label: &str, counts: &BTreeMap<usize, usize>, classes: &[String]) -> Result<usize> {
    class_code(label, classes)
        .filter(|c| counts.contains_key(c))
        .ok_or_else(|| {
            let have: Vec<&str> = counts
                .keys()
                .filter_map(|&c| classes.get(c).map(String::as_str))
                .collect();
            ResampleError::Strategy(format!(
                "class {label:?} is not present in the data (classes: {})",
                have.join(", ")
            ))
        })
}

/// A strategy with the labels of the data it is resolved on, for helpers
/// shared by several samplers.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bound<'a> {
    pub strategy: &'a SamplingStrategy,
    pub classes: &'a [String],
}

impl Bound<'_> {
    pub(crate) fn resolve(
        &self,
        counts: &BTreeMap<usize, usize>,
        kind: SamplingKind,
    ) -> Result<BTreeMap<usize, usize>> {
        self.strategy.resolve(counts, kind, self.classes)
    }
}

/// The labels of codes `0..n`: what label-keyed strategies name when a
/// sampler is given class codes only ([`Resampler::fit_resample`](crate::Resampler::fit_resample)).
pub fn code_labels(y: &[usize]) -> Vec<String> {
    let n = y.iter().max().map_or(0, |&m| m + 1);
    (0..n).map(|c| c.to_string()).collect()
}

/// As imbalanced-learn writes it: `"auto"`, `"not minority"`, `0.5`,
/// `{"label": count}` or `["label", ...]`.
impl serde::Serialize for SamplingStrategy {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        match self {
            SamplingStrategy::Auto => s.serialize_str("auto"),
            SamplingStrategy::Minority => s.serialize_str("minority"),
            SamplingStrategy::Majority => s.serialize_str("majority"),
            SamplingStrategy::NotMinority => s.serialize_str("not minority"),
            SamplingStrategy::NotMajority => s.serialize_str("not majority"),
            SamplingStrategy::All => s.serialize_str("all"),
            SamplingStrategy::Ratio(r) => s.serialize_f64(*r),
            SamplingStrategy::Counts(m) => m.serialize(s),
            SamplingStrategy::Classes(v) => v.serialize(s),
        }
    }
}

/// Reads the forms imbalanced-learn users write (see [`SamplingStrategy`]'s
/// `Serialize`); `not-minority` and `not_minority` are accepted too, and
/// numeric labels may be given as numbers (`[1]`).
impl<'de> serde::Deserialize<'de> for SamplingStrategy {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error;
        use serde_json::Value;
        let label = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        Ok(match Value::deserialize(d)? {
            Value::String(t) => match t.trim().to_ascii_lowercase().replace(['-', '_'], " ").as_str() {
                "auto" => SamplingStrategy::Auto,
                "minority" => SamplingStrategy::Minority,
                "majority" => SamplingStrategy::Majority,
                "not minority" => SamplingStrategy::NotMinority,
                "not majority" => SamplingStrategy::NotMajority,
                "all" => SamplingStrategy::All,
                _ => {
                    return Err(D::Error::custom(format!(
                        "{t:?} is not a strategy: use auto, minority, majority, not minority, not majority, all, \
                         a float, an object {{\"label\": count}} or a list [\"label\", ...]"
                    )))
                }
            },
            Value::Number(n) => SamplingStrategy::Ratio(n.as_f64().unwrap_or(f64::NAN)),
            Value::Object(map) => SamplingStrategy::Counts(
                map.into_iter()
                    .map(|(k, v)| {
                        v.as_u64().map(|n| (k.clone(), n as usize)).ok_or_else(|| {
                            D::Error::custom(format!("the count for class {k:?} must be a non-negative integer"))
                        })
                    })
                    .collect::<std::result::Result<_, _>>()?,
            ),
            Value::Array(items) => SamplingStrategy::Classes(items.iter().map(label).collect()),
            other => return Err(D::Error::custom(format!("{other} is not a strategy"))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(v: serde_json::Value) -> std::result::Result<SamplingStrategy, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn forms_read_and_write_as_imbalanced_learn_writes_them() {
        use serde_json::json;
        assert_eq!(read(json!("not-minority")).unwrap(), SamplingStrategy::NotMinority);
        assert_eq!(read(json!(0.5)).unwrap(), SamplingStrategy::Ratio(0.5));
        let counts = SamplingStrategy::Counts(BTreeMap::from([("0".into(), 100), ("pos".into(), 50)]));
        assert_eq!(read(json!({"0": 100, "pos": 50})).unwrap(), counts);
        assert_eq!(
            read(json!([1, "b"])).unwrap(),
            SamplingStrategy::Classes(vec!["1".into(), "b".into()])
        );
        assert!(read(json!("sideways")).is_err());
        assert!(read(json!({"0": -1})).is_err());
        for s in [
            SamplingStrategy::Auto,
            SamplingStrategy::NotMajority,
            SamplingStrategy::Ratio(0.25),
            counts,
        ] {
            assert_eq!(read(serde_json::to_value(&s).unwrap()).unwrap(), s);
        }
    }

    #[test]
    fn labels_resolve_against_the_classes_fitted_on() {
        let counts = BTreeMap::from([(0, 10), (1, 4)]);
        let s = SamplingStrategy::Counts(BTreeMap::from([("pos".into(), 8)]));
        let classes = ["neg".to_string(), "pos".to_string()];
        assert_eq!(
            s.resolve(&counts, SamplingKind::Over, &classes).unwrap(),
            BTreeMap::from([(1, 4)])
        );
        let err = s
            .resolve(&counts, SamplingKind::Over, &code_labels(&[0, 1]))
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("\"pos\" is not present in the data (classes: 0, 1)"),
            "{err}"
        );
        let numeric = SamplingStrategy::Classes(vec!["1".into()]);
        let float_labels = ["0.0".to_string(), "1.0".to_string()];
        assert_eq!(
            numeric.resolve(&counts, SamplingKind::Clean, &float_labels).unwrap(),
            BTreeMap::from([(1, 4)])
        );
    }

    #[test]
    fn class_counts_skip_absent_codes_and_take_large_ones() {
        assert_eq!(class_counts(&[3, 0, 3, 3]), BTreeMap::from([(0, 1), (3, 3)]));
        assert_eq!(class_counts(&[7, 1 << 40, 7]), BTreeMap::from([(7, 2), (1 << 40, 1)]));
        assert!(class_counts(&[]).is_empty());
    }

    #[test]
    fn appearance_order_breaks_minority_ties() {
        let y = [2, 2, 1, 0, 0, 1];
        let counts = class_counts(&y);
        assert_eq!(minority_class(&counts), 0);
        assert_eq!(minority_class_by_appearance(&y, &counts), 2);
    }
}
