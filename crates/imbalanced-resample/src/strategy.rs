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
    /// Desired number of samples per class code.
    Counts(BTreeMap<usize, usize>),
    /// Classes to clean (cleaning samplers only).
    Classes(Vec<usize>),
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
    /// Resolves the strategy for labels with these class `counts`.
    pub fn resolve(&self, counts: &BTreeMap<usize, usize>, kind: SamplingKind) -> Result<BTreeMap<usize, usize>> {
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
                for (&c, &want) in map {
                    let have = *counts
                        .get(&c)
                        .ok_or_else(|| ResampleError::Strategy(format!("class {c} is not present in the data")))?;
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
                for &c in list {
                    if !counts.contains_key(&c) {
                        return err(&format!("class {c} is not present in the data"));
                    }
                    out.insert(c, n_min);
                }
                Ok(out)
            }
        }
    }

    /// Parses the text forms imbalanced-learn users write: `auto`,
    /// `minority`, `majority`, `not minority` (or `not-minority`,
    /// `not_minority`), `not majority`, `all`, a float, a JSON object of
    /// label -> count (`{"0": 100, "1": 50}`) or a JSON list of labels.
    /// Labels are matched against `classes` (the original label strings).
    pub fn parse(text: &str, classes: &[String]) -> Result<Self> {
        let t = text.trim();
        let norm = t.to_ascii_lowercase().replace(['-', '_'], " ");
        let strategy = match norm.as_str() {
            "auto" => SamplingStrategy::Auto,
            "minority" => SamplingStrategy::Minority,
            "majority" => SamplingStrategy::Majority,
            "not minority" => SamplingStrategy::NotMinority,
            "not majority" => SamplingStrategy::NotMajority,
            "all" => SamplingStrategy::All,
            _ => {
                if let Ok(r) = t.parse::<f64>() {
                    return Ok(SamplingStrategy::Ratio(r));
                }
                let bad = |m: String| ResampleError::Strategy(m);
                let value: serde_json::Value = serde_json::from_str(t).map_err(|_| {
                    bad(format!(
                        "{t:?} is not a strategy: use auto, minority, majority, not minority, not majority, all, \
                         a float, a JSON object {{\"label\": count}} or a JSON list [\"label\", ...]"
                    ))
                })?;
                let code = |v: &serde_json::Value| -> Result<usize> {
                    let label = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    lookup_label(&label, classes).ok_or_else(|| {
                        bad(format!(
                            "class {label:?} is not present in the data (classes: {})",
                            classes.join(", ")
                        ))
                    })
                };
                match value {
                    serde_json::Value::Object(map) => {
                        let mut counts = BTreeMap::new();
                        for (k, v) in map {
                            let n = v.as_u64().ok_or_else(|| {
                                bad(format!("the count for class {k:?} must be a non-negative integer"))
                            })?;
                            counts.insert(code(&serde_json::Value::String(k))?, n as usize);
                        }
                        SamplingStrategy::Counts(counts)
                    }
                    serde_json::Value::Array(items) => {
                        SamplingStrategy::Classes(items.iter().map(code).collect::<Result<_>>()?)
                    }
                    _ => return Err(bad(format!("{t:?} is not a strategy"))),
                }
            }
        };
        Ok(strategy)
    }
}

/// The code of `label`, matching numerically when both sides are numbers
/// (so `1` finds the class `1.0`).
fn lookup_label(label: &str, classes: &[String]) -> Option<usize> {
    classes.iter().position(|c| c == label).or_else(|| {
        let v = label.parse::<f64>().ok()?;
        classes.iter().position(|c| c.parse::<f64>().ok() == Some(v))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_forms() {
        let classes = vec!["0".to_string(), "1".to_string()];
        assert_eq!(
            SamplingStrategy::parse("not-minority", &classes).unwrap(),
            SamplingStrategy::NotMinority
        );
        assert_eq!(
            SamplingStrategy::parse("0.5", &classes).unwrap(),
            SamplingStrategy::Ratio(0.5)
        );
        assert_eq!(
            SamplingStrategy::parse(r#"{"0": 100, "1": 50}"#, &classes).unwrap(),
            SamplingStrategy::Counts(BTreeMap::from([(0, 100), (1, 50)]))
        );
        assert_eq!(
            SamplingStrategy::parse("[1]", &classes).unwrap(),
            SamplingStrategy::Classes(vec![1])
        );
        assert!(SamplingStrategy::parse(r#"{"7": 1}"#, &classes).is_err());
        assert!(SamplingStrategy::parse("sideways", &classes).is_err());
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
