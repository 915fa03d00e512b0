//! The fields of a record (or of a part of one) that this version does not know, kept in key
//! order so that a rewrite never drops or reorders them.
//!
//! A sorted vector (`litemap`), not a `BTreeMap`: most history entries carry two or three
//! such keys (an assignment's `policy` and `turn`, a close's `outcome`), and a B-tree node
//! takes about a kilobyte even for one key, which made a whole-store `check` hold 17 KB per
//! request (16 GB at a million requests). Same order, same "last one wins" on a repeated
//! key, same text in every format.

use std::fmt;

use litemap::LiteMap;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extra(LiteMap<String, Value>);

impl Extra {
    pub fn new() -> Extra {
        Extra::default()
    }
}

impl std::ops::Deref for Extra {
    type Target = LiteMap<String, Value>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl std::ops::DerefMut for Extra {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl<'a> IntoIterator for &'a Extra {
    type Item = (&'a String, &'a Value);
    type IntoIter = Box<dyn Iterator<Item = (&'a String, &'a Value)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.0.iter())
    }
}

impl FromIterator<(String, Value)> for Extra {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        let mut map = Extra::new();
        for (k, v) in iter {
            map.insert(k, v);
        }
        map
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter())
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> Visitor<'de> for Keys {
            type Value = Extra;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut access: M) -> Result<Extra, M::Error> {
                let mut map = LiteMap::with_capacity(access.size_hint().unwrap_or(0));
                while let Some((k, v)) = access.next_entry::<String, Value>()? {
                    map.insert(k, v);
                }
                Ok(Extra(map))
            }
        }
        d.deserialize_map(Keys)
    }
}

/// Described as the map it is, so the JSON schemas stay what they were.
impl schemars::JsonSchema for Extra {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, Value>>::schema_name()
    }
    fn schema_id() -> std::borrow::Cow<'static, str> {
        <std::collections::BTreeMap<String, Value>>::schema_id()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        <std::collections::BTreeMap<String, Value>>::json_schema(generator)
    }
    fn inline_schema() -> bool {
        <std::collections::BTreeMap<String, Value>>::inline_schema()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys in order whatever order they were read in, the last of a repeated key kept, and
    /// the same JSON and YAML as a `BTreeMap`.
    #[test]
    fn an_extra_reads_and_writes_as_an_ordered_map() {
        let json = r#"{"b": 1, "a": {"x": [1, "y"]}, "c": null, "b": 2}"#;
        let extra: Extra = serde_json::from_str(json).unwrap();
        let tree: std::collections::BTreeMap<String, Value> = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            serde_json::to_string(&tree).unwrap()
        );
        assert_eq!(extra.get("b"), Some(&Value::from(2)));
        let keys: Vec<&String> = (&extra).into_iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(
            crate::store::yaml::to_canonical(&extra).unwrap(),
            crate::store::yaml::to_canonical(&tree).unwrap()
        );
        assert!(Extra::new().is_empty());
    }
}
