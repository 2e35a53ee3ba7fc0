//! HCL ≡ Terraform JSON: the HCL target as HashiCorp's parser reads it (`hcl2json`) and the
//! Terraform JSON target, both brought to one canonical shape and compared. Shared by
//! `tests/tfjson.rs` and `tests/properties.rs`.

use std::path::Path;

use serde_json::{json, Value};

/// A token of an HCL expression, whitespace and commas dropped (HCL's multi-line objects have no
/// commas, one-line ones do).
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Punct(char),
    Str(Vec<Piece>),
}

/// A part of a template: literal text as written (escapes kept) or an interpolation.
#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    Interp(Vec<Tok>),
}

/// Parse the text of a template (a JSON string value / hcl2json string) into pieces.
fn template_pieces(s: &str) -> Vec<Piece> {
    let cs: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let pieces = pieces_until(&cs, &mut pos, None);
    assert_eq!(pos, cs.len(), "unbalanced template {s:?}");
    pieces
}

/// Pieces up to `end` (the closing quote of an HCL string) or the end of input.
fn pieces_until(cs: &[char], pos: &mut usize, end: Option<char>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::new();
    let mut lit = String::new();
    while *pos < cs.len() {
        let c = cs[*pos];
        let next = cs.get(*pos + 1).copied();
        if Some(c) == end {
            break;
        }
        if end.is_some() && c == '\\' {
            // an HCL string escape inside an expression: kept as written
            lit.push(c);
            if let Some(n) = next {
                lit.push(n);
            }
            *pos += 2;
            continue;
        }
        if (c == '$' || c == '%') && next == Some(c) && cs.get(*pos + 2) == Some(&'{') {
            lit.push(c);
            lit.push(c);
            lit.push('{');
            *pos += 3;
            continue;
        }
        if (c == '$' || c == '%') && next == Some('{') {
            *pos += 2;
            let toks = tokens(cs, pos);
            // `${"text"}` is the literal text (the printer writes a `$` before an interpolation
            // and a lone CR this way)
            match toks.as_slice() {
                [Tok::Str(inner)] if inner.iter().all(|p| matches!(p, Piece::Lit(_))) => {
                    for p in inner {
                        if let Piece::Lit(l) = p {
                            lit.push_str(&hcl_unescape(l));
                        }
                    }
                }
                _ => {
                    if !lit.is_empty() {
                        out.push(Piece::Lit(std::mem::take(&mut lit)));
                    }
                    out.push(Piece::Interp(toks));
                }
            }
            continue;
        }
        lit.push(c);
        *pos += 1;
    }
    if !lit.is_empty() {
        out.push(Piece::Lit(lit));
    }
    out
}

/// The backslash escapes of an HCL quoted string decoded (template escapes `$${` kept).
fn hcl_unescape(s: &str) -> String {
    let mut out = String::new();
    let mut cs = s.chars();
    while let Some(c) = cs.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match cs.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('u') => {
                let hex: String = cs.by_ref().take(4).collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            Some(c) => out.push(c),
            None => {}
        }
    }
    out
}

/// Tokens of an HCL expression up to the `}` closing an interpolation (consumed) or the end.
fn tokens(cs: &[char], pos: &mut usize) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    while *pos < cs.len() {
        let c = cs[*pos];
        match c {
            c if c.is_whitespace() || c == ',' => *pos += 1,
            '"' => {
                *pos += 1;
                let pieces = pieces_until(cs, pos, Some('"'));
                *pos += 1; // closing quote
                out.push(Tok::Str(pieces));
            }
            '{' => {
                depth += 1;
                out.push(Tok::Punct(c));
                *pos += 1;
            }
            '}' if depth == 0 => {
                *pos += 1;
                return out;
            }
            '}' => {
                depth -= 1;
                out.push(Tok::Punct(c));
                *pos += 1;
            }
            c if c.is_alphanumeric() || c == '_' => {
                let mut w = String::new();
                while *pos < cs.len()
                    && (cs[*pos].is_alphanumeric() || cs[*pos] == '_' || cs[*pos] == '-')
                {
                    w.push(cs[*pos]);
                    *pos += 1;
                }
                out.push(Tok::Word(w));
            }
            c => {
                out.push(Tok::Punct(c));
                *pos += 1;
            }
        }
    }
    out
}

/// Escape a literal as a Terraform JSON template (written here, independently of the printer).
fn tmpl_escape(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

/// A literal value (variable default) in template form, as hcl2json prints it.
fn tmpl_escape_value(v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(tmpl_escape(s)),
        Value::Array(xs) => Value::Array(xs.iter().map(tmpl_escape_value).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (tmpl_escape(k), tmpl_escape_value(v)))
                .collect(),
        ),
        v => v.clone(),
    }
}

/// `"${x}"` → `"x"` (hcl2json writes references in `depends_on`, `provider`, `lifecycle` and
/// type expressions as interpolations; Terraform JSON has them bare).
fn unwrap_interp(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with("${") && s.ends_with('}') => {
            Value::String(s[2..s.len() - 1].trim().to_string())
        }
        Value::Array(xs) => Value::Array(xs.iter().map(unwrap_interp).collect()),
        v => v.clone(),
    }
}

fn obj_mut<'a>(v: &'a mut Value, k: &str) -> &'a mut serde_json::Map<String, Value> {
    map_mut(v.as_object_mut().unwrap(), k)
}

fn map_mut<'a>(
    m: &'a mut serde_json::Map<String, Value>,
    k: &str,
) -> &'a mut serde_json::Map<String, Value> {
    m.entry(k.to_string())
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()
        .unwrap()
}

/// hcl2json's per-file output of the HCL target as one canonical document:
/// `{resource|data|ephemeral: {T: {N: body}}, variable|output: {N: body}, provider: {P: [body]},
/// terraform: {required_version, required_providers: {...}}}`; nested blocks stay arrays,
/// `lifecycle` becomes one object.
pub fn canon_hcl(files: &Value) -> Value {
    let mut doc = json!({});
    for (_, f) in files.as_object().unwrap() {
        for (kind, v) in f.as_object().unwrap() {
            match kind.as_str() {
                "resource" | "data" | "ephemeral" => {
                    for (ty, names) in v.as_object().unwrap() {
                        for (n, bodies) in names.as_object().unwrap() {
                            assert_eq!(bodies.as_array().unwrap().len(), 1);
                            let mut body = bodies[0].clone();
                            let m = body.as_object_mut().unwrap();
                            for meta in ["depends_on", "provider"] {
                                if let Some(d) = m.get(meta) {
                                    let d = unwrap_interp(d);
                                    m.insert(meta.into(), d);
                                }
                            }
                            if let Some(Value::Array(l)) = m.get("lifecycle") {
                                assert_eq!(l.len(), 1);
                                let lc: serde_json::Map<String, Value> = l[0]
                                    .as_object()
                                    .unwrap()
                                    .iter()
                                    .map(|(k, v)| (k.clone(), unwrap_interp(v)))
                                    .collect();
                                m.insert("lifecycle".into(), Value::Object(lc));
                            }
                            map_mut(obj_mut(&mut doc, kind), ty).insert(n.clone(), body);
                        }
                    }
                }
                "variable" | "output" => {
                    for (n, bodies) in v.as_object().unwrap() {
                        assert_eq!(bodies.as_array().unwrap().len(), 1);
                        let mut body = bodies[0].clone();
                        if kind == "variable" {
                            let ty = unwrap_interp(&body["type"]);
                            body["type"] = ty;
                        }
                        obj_mut(&mut doc, kind).insert(n.clone(), body);
                    }
                }
                "provider" => {
                    for (p, bodies) in v.as_object().unwrap() {
                        let slot = obj_mut(&mut doc, "provider")
                            .entry(p.clone())
                            .or_insert_with(|| json!([]));
                        slot.as_array_mut()
                            .unwrap()
                            .extend(bodies.as_array().unwrap().iter().cloned());
                    }
                }
                "terraform" => {
                    for t in v.as_array().unwrap() {
                        for (k, x) in t.as_object().unwrap() {
                            match k.as_str() {
                                "required_providers" => {
                                    for r in x.as_array().unwrap() {
                                        for (p, req) in r.as_object().unwrap() {
                                            map_mut(obj_mut(&mut doc, "terraform"), k)
                                                .insert(p.clone(), req.clone());
                                        }
                                    }
                                }
                                "backend" => {
                                    for (ty, bodies) in x.as_object().unwrap() {
                                        assert_eq!(bodies.as_array().unwrap().len(), 1);
                                        map_mut(obj_mut(&mut doc, "terraform"), k)
                                            .insert(ty.clone(), bodies[0].clone());
                                    }
                                }
                                _ => {
                                    obj_mut(&mut doc, "terraform").insert(k.clone(), x.clone());
                                }
                            }
                        }
                    }
                }
                other => panic!("unexpected top-level block `{other}` in the HCL output"),
            }
        }
    }
    doc
}

/// The Terraform JSON document in the same canonical shape: `"//"` dropped, the literal (not
/// template) positions written in template form as hcl2json does, `required_version` taken from
/// the metadata where the printer records it.
pub fn canon_json(doc: &Value) -> Value {
    let mut out = json!({});
    for (kind, v) in doc.as_object().unwrap() {
        match kind.as_str() {
            "//" => {
                if let Some(rv) = v.pointer("/ztc/terraformRequiredVersion") {
                    obj_mut(&mut out, "terraform").insert("required_version".into(), rv.clone());
                }
            }
            "resource" | "data" | "ephemeral" => {
                for (ty, names) in v.as_object().unwrap() {
                    for (n, body) in names.as_object().unwrap() {
                        let mut body = body.clone();
                        body.as_object_mut().unwrap().remove("//");
                        map_mut(obj_mut(&mut out, kind), ty).insert(n.clone(), body);
                    }
                }
            }
            "variable" | "output" => {
                for (n, body) in v.as_object().unwrap() {
                    let mut body = body.clone();
                    let m = body.as_object_mut().unwrap();
                    for k in ["description", "default"] {
                        if let Some(x) = m.get(k) {
                            let x = tmpl_escape_value(x);
                            m.insert(k.into(), x);
                        }
                    }
                    obj_mut(&mut out, kind).insert(n.clone(), body);
                }
            }
            "terraform" => {
                for (k, x) in v.as_object().unwrap() {
                    obj_mut(&mut out, "terraform").insert(k.clone(), x.clone());
                }
            }
            _ => {
                out.as_object_mut().unwrap().insert(kind.clone(), v.clone());
            }
        }
    }
    out
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 300 {
        format!("{}…", s.chars().take(300).collect::<String>())
    } else {
        s
    }
}

/// Differences between the canonical HCL (`a`) and JSON (`b`) documents, one line each.
pub fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, av) in x {
                match y.get(k) {
                    Some(bv) => diff(&format!("{path}.{k}"), av, bv, out),
                    None => out.push(format!("{path}.{k}: only in HCL: {}", short(av))),
                }
            }
            for (k, bv) in y {
                if !x.contains_key(k) {
                    out.push(format!("{path}.{k}: only in JSON: {}", short(bv)));
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            if x.len() != y.len() {
                out.push(format!(
                    "{path}: {} items in HCL, {} in JSON:\n    HCL:  {}\n    JSON: {}",
                    x.len(),
                    y.len(),
                    short(a),
                    short(b)
                ));
            } else {
                for (i, (av, bv)) in x.iter().zip(y).enumerate() {
                    diff(&format!("{path}[{i}]"), av, bv, out);
                }
            }
        }
        (Value::String(x), Value::String(y)) => {
            // hcl2json renders the `${"$"}` guard (a literal `$` before an interpolation) as a bare
            // `$`; compare the JSON side the same way
            let unguard = |t: &str| {
                t.replace("${\\\"$$\\\"}", "$$")
                    .replace("${\\\"$\\\"}", "$")
                    .replace("${\"$$\"}", "$$")
                    .replace("${\"$\"}", "$")
            };
            let (x, y) = (&unguard(x), &unguard(y));
            if x != y && template_pieces(x) != template_pieces(y) {
                out.push(format!("{path}:\n    HCL:  {x:?}\n    JSON: {y:?}"));
            }
        }
        (Value::Number(x), Value::Number(y)) => {
            if x.as_f64() != y.as_f64() {
                out.push(format!("{path}: HCL {x} JSON {y}"));
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(format!(
            "{path}:\n    HCL:  {}\n    JSON: {}",
            short(a),
            short(b)
        )),
    }
}

pub fn assert_equivalent(hcl_dir: &Path, doc: &Value) {
    let files = match super::hcl2json(hcl_dir) {
        Ok(f) => f,
        Err(super::ToolError::Missing(why)) => return super::tool_missing("hcl2json", &why),
        Err(super::ToolError::Failed(e)) => panic!("HashiCorp's HCL parser rejected the HCL: {e}"),
    };
    let a = canon_hcl(&files);
    let b = canon_json(doc);
    let mut out = Vec::new();
    diff("", &a, &b, &mut out);
    if !out.is_empty() {
        let n = out.len();
        out.truncate(25);
        panic!(
            "HCL and Terraform JSON describe different configurations ({n} difference(s); first {}):\n{}",
            out.len(),
            out.join("\n")
        );
    }
}
