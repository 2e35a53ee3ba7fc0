//! The committed schema is generated from the Rust model and must not go stale; it must be a
//! draft-07 schema that documents every property and closes every object.

use serde_json::Value;

fn committed() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/zerotrust.schema.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn committed_schema_is_up_to_date() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schema/zerotrust.schema.json"
    ))
    .unwrap();
    assert_eq!(
        text.trim_end(),
        ztc::cli::schema_text().trim_end(),
        "schema/zerotrust.schema.json is stale: run `cargo run -- schema > schema/zerotrust.schema.json`"
    );
}

#[test]
fn schema_is_draft_07() {
    assert_eq!(
        committed()["$schema"],
        "http://json-schema.org/draft-07/schema#"
    );
}

fn walk(v: &Value, path: &str, missing: &mut Vec<String>, open: &mut Vec<String>) {
    if let Some(o) = v.as_object() {
        if let Some(props) = o.get("properties").and_then(Value::as_object) {
            if o.get("additionalProperties") != Some(&Value::Bool(false)) {
                open.push(path.to_string());
            }
            for (k, p) in props {
                let documented = p.get("description").is_some();
                if !documented {
                    missing.push(format!("{path}/{k}"));
                }
            }
        }
        for (k, x) in o {
            walk(x, &format!("{path}/{k}"), missing, open);
        }
    } else if let Some(a) = v.as_array() {
        for (i, x) in a.iter().enumerate() {
            walk(x, &format!("{path}/{i}"), missing, open);
        }
    }
}

#[test]
fn every_property_is_described_and_every_object_closed() {
    let mut missing = Vec::new();
    let mut open = Vec::new();
    walk(&committed(), "", &mut missing, &mut open);
    assert!(
        missing.is_empty(),
        "properties without description: {missing:#?}"
    );
    assert!(
        open.is_empty(),
        "objects without additionalProperties: false: {open:#?}"
    );
}

#[test]
fn closed_sets_are_enums() {
    let s = committed().to_string();
    for v in [
        "\"GOVERNANCE\"",
        "\"COMPLIANCE\"",
        "\"ephemeral\"",
        "\"pci-dss-v4\"",
        "\"gateway\"",
        "\"interface\"",
    ] {
        assert!(s.contains(v), "{v} should be an enum value in the schema");
    }
}
