//! JSON Schemas: in sync with the types, and real records validate against them.

mod common;

use common::Env;

fn yaml_to_json(text: &str) -> serde_json::Value {
    serde_saphyr::from_str(text).unwrap()
}

#[test]
fn committed_schemas_match_the_types() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    for (name, text) in presales::schema::all() {
        let committed = std::fs::read_to_string(dir.join(&name)).unwrap_or_default();
        assert!(
            committed == text,
            "schemas/{name} is stale: run `cargo run -- schema --out schemas/`"
        );
    }
}

#[test]
fn records_written_by_the_tool_validate_and_broken_ones_do_not() {
    let env = Env::new();
    let cus = env.customer("华东银行");
    let req = env.request(
        &cus,
        "智慧园区",
        &["--skill", "network", "--due", "2026-12-20"],
    );
    env.run_as("zhang.wei", &["assign", &req, "--auto"]).ok();
    env.run_as(
        "li.na",
        &[
            "assess",
            &req,
            "--feasibility",
            "feasible",
            "--difficulty",
            "2",
        ],
    )
    .ok();
    env.run_as("li.na", &["advance", &req]).ok();
    let sol = env
        .run_as("li.na", &["solution", "new", "--request", &req])
        .ok();
    env.run_as(
        "li.na",
        &[
            "solution",
            "quote",
            &sol,
            "--item",
            "x",
            "--qty",
            "2",
            "--unit-price",
            "9.99",
        ],
    )
    .ok();
    let schema_dir = env.root().join("schemas");
    let check = |kind: &str, path: std::path::PathBuf| -> bool {
        let text = std::fs::read_to_string(&path).unwrap();
        let header = format!("$schema=../../schemas/{kind}.schema.json");
        let header_cus = format!("$schema=../schemas/{kind}.schema.json");
        assert!(
            text.starts_with("# yaml-language-server: ")
                && (text.lines().next().unwrap().ends_with(&header)
                    || text.lines().next().unwrap().ends_with(&header_cus)),
            "{text}"
        );
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(schema_dir.join(format!("{kind}.schema.json"))).unwrap(),
        )
        .unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        validator.is_valid(&yaml_to_json(&text))
    };
    assert!(check("request", env.path_of(&req)));
    assert!(check("customer", env.path_of(&cus)));
    let sol_path = env.root().join(format!("solutions/2026/{sol}.yaml"));
    assert!(check("solution", sol_path.clone()));
    let bad = std::fs::read_to_string(env.path_of(&req))
        .unwrap()
        .replace("priority: P3", "priority: P9");
    std::fs::write(env.path_of(&req), bad).unwrap();
    assert!(!check("request", env.path_of(&req)));
    let bad = std::fs::read_to_string(&sol_path)
        .unwrap()
        .replace("version: 1", "version: first");
    std::fs::write(&sol_path, bad).unwrap();
    assert!(!check("solution", sol_path));
}

#[test]
fn the_config_template_validates_against_its_schema() {
    let env = Env::new();
    let text = std::fs::read_to_string(env.root().join("presales.toml")).unwrap();
    assert!(text.starts_with("#:schema ./schemas/presales.toml.schema.json"));
    let value: serde_json::Value =
        serde_json::to_value(toml::from_str::<toml::Table>(&text).unwrap()).unwrap();
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(env.root().join("schemas/presales.toml.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn fmt_check_lists_non_canonical_files_and_fmt_fixes_them_idempotently() {
    let env = Env::new();
    let cus = env.customer("ACME");
    let id = env.request(&cus, "t", &[]);
    assert_eq!(env.run(&["fmt", "--check"]).ok(), "");
    let path = env.path_of(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    // Reordered keys, a flow list and a missing header: same data, not canonical.
    let messy = text
        .lines()
        .skip(1)
        .collect::<Vec<_>>()
        .join("\n")
        .replace("type: solution\n", "")
        + "\ntype: solution\n";
    std::fs::write(&path, &messy).unwrap();
    let r = env.run(&["fmt", "--check"]);
    assert_eq!(r.code(), 1);
    assert!(
        r.stdout().contains(&format!("requests/2026/{id}.yaml")),
        "{}",
        r.stdout()
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        messy,
        "--check writes nothing"
    );
    env.run(&["fmt"]).ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
    env.run(&["fmt"]).ok();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text, "idempotent");
    assert_eq!(env.run(&["fmt", "--check"]).code(), 0);
}
