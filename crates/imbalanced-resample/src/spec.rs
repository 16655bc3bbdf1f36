//! A sampler of the catalogue named in another estimator's parameters.

use imbalanced_catalog::Value;
use serde::{Deserialize, Serialize};

use crate::SAMPLERS;

/// A sampler of the catalogue by name, with parameters: `"SMOTE"`, or
/// `{"name": "SMOTE", "k_neighbors": 3}` (imbalanced-learn's names).
#[derive(Debug, Clone, PartialEq)]
pub struct SamplerSpec {
    /// The sampler's catalogue name.
    pub name: String,
    /// Its parameters other than the defaults.
    pub params: serde_json::Map<String, Value>,
}

impl Default for SamplerSpec {
    fn default() -> Self {
        SamplerSpec {
            name: "RandomUnderSampler".into(),
            params: serde_json::Map::new(),
        }
    }
}

impl Serialize for SamplerSpec {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.params.is_empty() {
            return s.serialize_str(&self.name);
        }
        let mut map = self.params.clone();
        map.insert("name".into(), self.name.clone().into());
        map.serialize(s)
    }
}

/// Reads what `Serialize` writes; the name must be a sampler of the
/// catalogue and the parameters its own.
impl<'de> Deserialize<'de> for SamplerSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let (name, params) = match Value::deserialize(d)? {
            Value::String(name) => (name, serde_json::Map::new()),
            Value::Object(mut map) => match map.remove("name") {
                Some(Value::String(name)) => (name, map),
                _ => return Err(D::Error::custom("a sampler object needs a \"name\"")),
            },
            other => return Err(D::Error::custom(format!("{other} is not a sampler: give a name"))),
        };
        let entry = SAMPLERS.find(&name).map_err(D::Error::custom)?;
        let given: Vec<(String, Value)> = params.clone().into_iter().collect();
        entry.build_with(&given, &[]).map_err(D::Error::custom)?;
        Ok(SamplerSpec {
            name: entry.info.name.to_string(),
            params,
        })
    }
}
