//! Schema validation of the loaded YAML tree, with every error located at the right node:
//! an unknown key at the key (with "did you mean"), a missing field at its parent, a bad value at
//! the value.

use crate::diag::Diagnostic;
use crate::source::Span;
use crate::yaml::Node;
use jsonschema::error::ValidationErrorKind;
use serde_json::Value;
use std::sync::OnceLock;

pub mod codes {
    pub const UNKNOWN_KEY: &str = "ZT0020";
    pub const MISSING_FIELD: &str = "ZT0021";
    pub const WRONG_TYPE: &str = "ZT0022";
    pub const BAD_ENUM: &str = "ZT0023";
    pub const BAD_VALUE: &str = "ZT0024";
    pub const MODEL: &str = "ZT0025";
}

fn schema() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(crate::spec::json_schema)
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| jsonschema::draft7::new(schema()).expect("generated schema compiles"))
}

/// Validate a loaded document; every problem becomes a located diagnostic.
pub fn validate(root: &Node) -> Vec<Diagnostic> {
    let instance = root.to_json();
    let mut out: Vec<Diagnostic> = Vec::new();
    for err in validator().iter_errors(&instance) {
        map_error(&err, root, &mut out);
    }
    out.sort_by_key(|d| d.span.map(|s| s.start));
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

/// Turn one validation error into located diagnostics.
fn map_error(err: &jsonschema::ValidationError<'_>, root: &Node, out: &mut Vec<Diagnostic>) {
    let path = err.instance_path().as_str().to_string();
    let schema_path = err.schema_path().as_str().to_string();
    let (node, key_span) = nearest(root, &path);
    let d = match err.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for key in unexpected {
                let kp = format!("{}/{}", path, escape(key));
                let span = root.pointer(&kp).and_then(|(_, k)| k).unwrap_or(node.span);
                let allowed = allowed_keys(&schema_path);
                let mut d = Diagnostic::error(
                    codes::UNKNOWN_KEY,
                    format!("unknown key `{key}`{}", at(&path)),
                )
                .at(span)
                .label("not a field here");
                d = match did_you_mean(key, &allowed) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None if !allowed.is_empty() => {
                        d.help(format!("expected one of: {}", allowed.join(", ")))
                    }
                    None => d,
                };
                out.push(d);
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let p = property.as_str().unwrap_or_default();
            Diagnostic::error(
                codes::MISSING_FIELD,
                format!("missing required field `{p}`{}", at(&path)),
            )
            .at(key_span.unwrap_or(Span::new(node.span.start, node.span.start + 1)))
            .label(format!("`{p}` is required here"))
            .help(format!("add `{p}:`; `ztc schema` describes it"))
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(short).collect())
                .unwrap_or_default();
            let got = short(&node.to_json());
            let mut d =
                Diagnostic::error(codes::BAD_ENUM, format!("invalid value {got}{}", at(&path)))
                    .at(node.span)
                    .label(format!("expected one of {}", opts.join(", ")));
            if let Some(s) = node.as_str().and_then(|g| {
                did_you_mean(
                    g,
                    &opts
                        .iter()
                        .map(|o| o.trim_matches('"').to_string())
                        .collect::<Vec<_>>(),
                )
            }) {
                d = d.help(format!("did you mean `{s}`?"));
            } else {
                d = d.help(format!("use one of {}", opts.join(", ")));
            }
            d
        }
        ValidationErrorKind::Type { kind } => {
            let expected = format!("{kind:?}")
                .to_lowercase()
                .replace("single(", "")
                .replace("multiple(", "")
                .replace(')', "");
            Diagnostic::error(
                codes::WRONG_TYPE,
                format!("wrong type{}: expected {}", at(&path), expected),
            )
            .at(node.span)
            .label(format!("this is {}", type_name(&node.to_json())))
            .help(format!(
                "write {} {expected} here",
                if expected.starts_with(['a', 'e', 'i', 'o', 'u']) {
                    "an"
                } else {
                    "a"
                }
            ))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let consts = alternative_consts(&schema_path);
            if !consts.is_empty() {
                let got = short(&node.to_json());
                let quoted: Vec<String> = consts.iter().map(|c| format!("`{c}`")).collect();
                let mut d =
                    Diagnostic::error(codes::BAD_ENUM, format!("invalid value {got}{}", at(&path)))
                        .at(node.span)
                        .label(format!("expected one of {}", quoted.join(", ")));
                d = match node.as_str().and_then(|g| did_you_mean(g, &consts)) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!("use one of {}", quoted.join(", "))),
                };
                d
            } else if let Some(branch) = deepest_branch(context, &path) {
                // an untagged alternative that got further: report its errors instead
                for e in branch {
                    map_error(e, root, out);
                }
                return;
            } else {
                Diagnostic::error(codes::WRONG_TYPE, format!("invalid value{}", at(&path)))
                    .at(node.span)
                    .label("does not match any accepted form")
                    .help(describe_alternatives(&schema_path))
            }
        }
        _ => Diagnostic::error(
            codes::BAD_VALUE,
            format!("invalid value{}: {}", at(&path), err),
        )
        .at(node.span)
        .label("invalid")
        .help("see `ztc schema` for the accepted values"),
    };
    out.push(d);
}

fn escape(k: &str) -> String {
    k.replace('~', "~0").replace('/', "~1")
}

fn at(path: &str) -> String {
    if path.is_empty() {
        " at the top level".into()
    } else {
        format!(" in `{}`", dotted(path))
    }
}

/// `/network/tiers/private` → `network.tiers.private`
pub fn dotted(path: &str) -> String {
    path.trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

fn nearest<'a>(root: &'a Node, path: &str) -> (&'a Node, Option<Span>) {
    let mut p = path.to_string();
    loop {
        if let Some(r) = root.pointer(&p) {
            return r;
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => return (root, None),
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 40 {
        format!("{}…", &s[..40])
    } else {
        s
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

/// The schema object a schema path points into (following `#/definitions/...` refs).
fn schema_at(schema_path: &str) -> Option<&'static Value> {
    let mut cur = schema();
    for seg in schema_path.trim_start_matches('/').split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "$ref" {
            let r = cur.get("$ref")?.as_str()?;
            cur = schema().pointer(r.trim_start_matches('#'))?;
            continue;
        }
        cur = match cur {
            Value::Object(o) => o.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// When every alternative of an `anyOf`/`oneOf` is a constant, the constants (a documented enum).
fn alternative_consts(schema_path: &str) -> Vec<String> {
    let Some(alts) = schema_at(schema_path).and_then(Value::as_array) else {
        return vec![];
    };
    let mut out = Vec::new();
    for a in alts {
        let a = match a.get("$ref").and_then(Value::as_str) {
            Some(r) => match schema().pointer(r.trim_start_matches('#')) {
                Some(x) => x,
                None => return vec![],
            },
            None => a,
        };
        if let Some(c) = a.get("const").and_then(Value::as_str) {
            out.push(c.to_string());
        } else if let Some(e) = a.get("enum").and_then(Value::as_array) {
            out.extend(e.iter().filter_map(Value::as_str).map(String::from));
        } else {
            return vec![];
        }
    }
    out
}

/// The alternative whose errors reach deepest below `path`, if one gets past the value itself.
fn deepest_branch<'e>(
    context: &'e [Vec<jsonschema::ValidationError<'static>>],
    path: &str,
) -> Option<&'e Vec<jsonschema::ValidationError<'static>>> {
    let depth = |p: &str| p.matches('/').count();
    let base = depth(path);
    context
        .iter()
        .filter(|b| !b.is_empty())
        .map(|b| {
            let deepest = b
                .iter()
                .map(|e| depth(e.instance_path().as_str()))
                .max()
                .unwrap_or(0);
            // a branch that failed on more than the value's type matched its shape
            let shaped = b
                .iter()
                .any(|e| !matches!(e.kind(), ValidationErrorKind::Type { .. }));
            ((deepest, shaped), b)
        })
        .filter(|((d, shaped), _)| *d > base || *shaped)
        .max_by_key(|(score, _)| *score)
        .map(|(_, b)| b)
}

fn allowed_keys(schema_path: &str) -> Vec<String> {
    let parent = schema_path.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    schema_at(parent)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default()
}

fn describe_alternatives(schema_path: &str) -> String {
    let Some(alts) = schema_at(schema_path).and_then(Value::as_array) else {
        return "see `ztc schema` for the accepted forms".into();
    };
    let forms: Vec<String> = alts
        .iter()
        .filter_map(|a| {
            let a = match a.get("$ref").and_then(Value::as_str) {
                Some(r) => schema().pointer(r.trim_start_matches('#'))?,
                None => a,
            };
            let desc = a.get("description").and_then(Value::as_str).unwrap_or("");
            let ty = a
                .get("type")
                .map(|t| t.to_string().replace('"', ""))
                .unwrap_or_else(|| "object".into());
            Some(format!("{ty} ({})", desc.trim_end_matches('.')))
        })
        .collect();
    format!("accepted forms: {}", forms.join("; "))
}

/// The closest candidate within a small edit distance.
pub fn did_you_mean(got: &str, candidates: &[String]) -> Option<String> {
    candidates
        .iter()
        .map(|c| {
            (
                strsim::damerau_levenshtein(&got.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.clone())
}
