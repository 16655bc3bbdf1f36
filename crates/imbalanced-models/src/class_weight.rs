//! scikit-learn's `class_weight`: per-class multipliers of sample weights.

use crate::ModelError;

/// How samples of each class are weighted in the loss (or impurity).
#[derive(Debug, Clone, PartialEq, Default)]
pub enum ClassWeight {
    /// Every sample weighs 1. The default.
    #[default]
    Uniform,
    /// `n_samples / (n_classes · count_k)` (King & Zeng 2001), scikit-learn's
    /// `"balanced"`: every class carries the same total weight.
    Balanced,
    /// A weight per class code.
    Given(Vec<f64>),
}

/// As scikit-learn writes it: `null` (uniform), `"balanced"`, or (ours) a
/// list of weights in class order.
impl serde::Serialize for ClassWeight {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ClassWeight::Uniform => s.serialize_none(),
            ClassWeight::Balanced => s.serialize_str("balanced"),
            ClassWeight::Given(w) => serde::Serialize::serialize(w, s),
        }
    }
}

impl<'de> serde::Deserialize<'de> for ClassWeight {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value;
        match Value::deserialize(d)? {
            Value::Null => Ok(ClassWeight::Uniform),
            Value::String(s) if s == "balanced" => Ok(ClassWeight::Balanced),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_f64().ok_or_else(|| format!("{v} is not a weight")))
                .collect::<Result<Vec<f64>, String>>()
                .map(ClassWeight::Given)
                .map_err(serde::de::Error::custom),
            other => Err(serde::de::Error::custom(format!(
                "class_weight must be null, \"balanced\" or a list of weights in class order, not {other}"
            ))),
        }
    }
}

impl ClassWeight {
    /// Per-sample weights for labels `y`, or `None` when uniform. Classes
    /// without samples do not count in `n_classes` (as scikit-learn, which
    /// sees only the classes of `y`).
    pub fn sample_weights(&self, y: &[usize], n_classes: usize) -> Result<Option<Vec<f64>>, ModelError> {
        let per_class = match self {
            ClassWeight::Uniform => return Ok(None),
            ClassWeight::Balanced => {
                let mut counts = vec![0usize; n_classes];
                y.iter().for_each(|&c| counts[c] += 1);
                let present = counts.iter().filter(|&&c| c > 0).count() as f64;
                counts
                    .iter()
                    .map(|&c| {
                        if c == 0 {
                            0.0
                        } else {
                            y.len() as f64 / (present * c as f64)
                        }
                    })
                    .collect::<Vec<f64>>()
            }
            ClassWeight::Given(w) => {
                if w.len() != n_classes {
                    return Err(ModelError::Parameter(format!(
                        "class_weight has {} entries for {n_classes} classes: give one weight per class",
                        w.len()
                    )));
                }
                if let Some(bad) = w.iter().find(|v| !v.is_finite() || **v < 0.0) {
                    return Err(ModelError::Parameter(format!(
                        "class weight {bad} is not a finite non-negative number"
                    )));
                }
                w.clone()
            }
        };
        Ok(Some(y.iter().map(|&c| per_class[c]).collect()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_weights_equalise_class_totals() {
        let w = ClassWeight::Balanced.sample_weights(&[0, 0, 0, 1], 2).unwrap().unwrap();
        assert_eq!(w, vec![4.0 / 6.0, 4.0 / 6.0, 4.0 / 6.0, 2.0]);
        assert!(ClassWeight::Given(vec![1.0]).sample_weights(&[0, 1], 2).is_err());
        assert_eq!(ClassWeight::Uniform.sample_weights(&[0, 1], 2).unwrap(), None);
    }
}
