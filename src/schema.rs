//! JSON Schemas of the record files and presales.toml, generated from the Rust types, and
//! the `yaml-language-server` header that points each record at its schema.

use crate::config::Config;
use crate::model::{Article, Customer, Gap, Kind, Request, Solution, Training};

/// The folder, relative to the store root, that holds the schemas.
pub const DIR: &str = "schemas";

/// File name of the schema for records of `kind`.
pub fn file_name(kind: Kind) -> String {
    format!("{}.schema.json", kind.noun())
}

pub const CONFIG_SCHEMA: &str = "presales.toml.schema.json";

/// Every schema as (file name, pretty JSON text with a trailing newline), sorted by name.
pub fn all() -> Vec<(String, String)> {
    let mut out = vec![
        (
            file_name(Kind::Request),
            render(schemars::schema_for!(Request)),
        ),
        (
            file_name(Kind::Solution),
            render(schemars::schema_for!(Solution)),
        ),
        (
            file_name(Kind::Customer),
            render(schemars::schema_for!(Customer)),
        ),
        (
            file_name(Kind::Article),
            render(schemars::schema_for!(Article)),
        ),
        (file_name(Kind::Gap), render(schemars::schema_for!(Gap))),
        (
            file_name(Kind::Training),
            render(schemars::schema_for!(Training)),
        ),
        (
            CONFIG_SCHEMA.to_string(),
            render(schemars::schema_for!(Config)),
        ),
    ];
    out.sort();
    out
}

fn render(schema: schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_else(|_| "{}".into());
    text.push('\n');
    text
}

/// The first line of a record file: editors (VS Code's YAML extension and others) validate
/// the file against its schema while people type.
pub fn header(kind: Kind) -> String {
    let up = if kind.by_year() { "../../" } else { "../" };
    format!(
        "# yaml-language-server: $schema={up}{DIR}/{}\n",
        file_name(kind)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_point_from_the_record_folder_to_the_schemas() {
        assert_eq!(
            header(Kind::Request),
            "# yaml-language-server: $schema=../../schemas/request.schema.json\n"
        );
        assert_eq!(
            header(Kind::Customer),
            "# yaml-language-server: $schema=../schemas/customer.schema.json\n"
        );
    }

    #[test]
    fn every_schema_is_a_json_object_with_a_title() {
        for (name, text) in all() {
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            assert!(v["title"].is_string(), "{name}");
        }
    }
}
