//! Terraform JSON printer in the layout `cdktf synth` writes:
//!
//! - `cdktf.out/manifest.json`: `{version, stacks: {<stack>: {name, constructPath, workingDirectory,
//!   synthesizedStackPath, annotations, dependencies}}}` as in cdktf 0.20's `Manifest`;
//! - `cdktf.out/stacks/<stack>/cdk.tf.json`: the module in Terraform's JSON syntax, keys sorted at
//!   every level, 2-space indent, trailing newline. Plain `terraform init/plan/apply` runs in that
//!   folder (the module's assets are placed beside it by [`crate::emit::emit`]).
//!
//! The stack is `module.name`. Logical ids: cdktf derives resource names from construct paths
//! (`Bucket_ABCD1234`); ztc keeps the IR names, which are already unique, stable and the same as
//! in the HCL target, so `terraform state` addresses agree across the two targets. The `"//"`
//! metadata of every resource/data block has cdktf's `path` / `uniqueId` and a `ztc` part with the
//! spec origin, byte span of the spec node, the concern, the comment and the scanner skips.
//!
//! The configuration is the one the HCL printer writes, in JSON form:
//!
//! - Attribute values are templates in Terraform JSON (strings *and* object keys): every literal
//!   `${` / `%{` is written `$${` / `%%{`; references and other expressions become `"${...}"` with
//!   the expression in HCL syntax on one line (string literals inside it are HCL strings, escaped by
//!   [`crate::emit::hcl::quote`]). Two spots where plain escaping is not enough are written as
//!   interpolations of string constants: a run of literal `$` right before an interpolation
//!   (it would merge with it into the `$${` escape) becomes `${"$"}`, and, in a template that
//!   interpolates, a carriage return not followed by a line feed becomes `${"\r"}` (Terraform's
//!   template scanner reads every interpolation after such a CR as literal text).
//! - Some values are *not* templates in JSON, because Terraform evaluates them without a context:
//!   `variable.description`, `variable.default`, `output.description`, `variable.type`. They are
//!   written as raw JSON (no escaping); `validation.error_message` is a template. Both checked with
//!   Terraform itself by `tests/tfjson.rs`.
//! - Nested blocks are arrays of objects (one object per block, as hcl2json and cdktf write them);
//!   the `lifecycle` meta-block is one object, as in Terraform's JSON documentation. `depends_on`
//!   and `lifecycle` references are bare traversal strings (`"aws_vpc.main"`).
//! - `terraform.backend.s3` when the module has a state backend (as cdktf writes it); else no
//!   backend block, Terraform's default local state, as in the HCL target. A block's provider
//!   alias is the meta-argument `"provider": "aws.<alias>"`.
//!
//! Deliberate divergences from the HCL target, both forced by scanners reading this file:
//!
//! - `terraform.required_version` is left out: checkov 3.3 (`--framework terraform_json`) fails to
//!   parse a file whose `terraform` block holds any non-object value ("this method receives only
//!   dicts"), so the whole file would be unscanned. The constraint is recorded in the stack's
//!   `"//"` metadata and in the manifest instead.
//! - Scanner skips: checkov and trivy read `#checkov:skip` / `#trivy:ignore` comments only in HCL.
//!   JSON has no comments, so the skips are recorded in the block's `"//".ztc.skips` for
//!   reviewers, and a JSON-mode scan reports those (and only those) checks as failures.

use serde_json::{Map, Value};

use crate::emit::hcl::quote;
use crate::ir::{Block, Body, Expr, Func, Item, Kind, Module, VarType};

/// The cdktf release whose `synth` layout these files follow (manifest and metadata `version`).
pub const CDKTF_VERSION: &str = "0.20.0";

/// Print a module as `cdktf.out/manifest.json` + `cdktf.out/stacks/<stack>/cdk.tf.json`.
pub fn emit(module: &Module) -> Vec<(String, String)> {
    let stack = &module.name;
    vec![
        (
            "cdktf.out/manifest.json".to_string(),
            to_text(manifest(module)),
        ),
        (
            format!("cdktf.out/stacks/{stack}/cdk.tf.json"),
            to_text(stack_document(module)),
        ),
    ]
}

/// Sorted, pretty-printed (2 spaces) JSON with a trailing newline.
fn to_text(v: Value) -> String {
    let mut s = serde_json::to_string_pretty(&sorted(v)).expect("JSON values serialise");
    s.push('\n');
    s
}

/// The value with the keys of every object in byte order (serde_json keeps insertion order here).
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(xs) => Value::Array(xs.into_iter().map(sorted).collect()),
        v => v,
    }
}

fn obj<const N: usize>(items: [(&str, Value); N]) -> Value {
    Value::Object(items.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

// ------------------------------------------------------------------------------------------------
// files
// ------------------------------------------------------------------------------------------------

fn manifest(module: &Module) -> Value {
    let stack = module.name.clone();
    let mut entry = obj([
        ("name", Value::from(stack.clone())),
        ("constructPath", Value::from(stack.clone())),
        ("workingDirectory", Value::from(format!("stacks/{stack}"))),
        (
            "synthesizedStackPath",
            Value::from(format!("stacks/{stack}/cdk.tf.json")),
        ),
        ("annotations", Value::Array(vec![])),
        ("dependencies", Value::Array(vec![])),
    ]);
    if !module.required_version.is_empty() {
        // Not in cdk.tf.json's `terraform` block: see the module docs (checkov).
        entry["ztc"] = obj([(
            "terraformRequiredVersion",
            Value::from(module.required_version.clone()),
        )]);
    }
    let mut stacks = Map::new();
    stacks.insert(stack, entry);
    obj([
        ("version", Value::from(CDKTF_VERSION)),
        ("stacks", Value::Object(stacks)),
    ])
}

fn stack_document(module: &Module) -> Value {
    let stack = module.name.as_str();
    let mut doc = Map::new();

    let mut outputs_meta = Map::new();
    for o in &module.outputs {
        outputs_meta.insert(o.name.clone(), Value::from(o.name.clone()));
    }
    let mut stack_outputs = Map::new();
    stack_outputs.insert(stack.to_string(), Value::Object(outputs_meta));
    let mut meta = obj([
        (
            "metadata",
            obj([
                (
                    "backend",
                    Value::from(if module.backend.is_some() {
                        "s3"
                    } else {
                        "local"
                    }),
                ),
                ("stackName", Value::from(stack)),
                ("version", Value::from(CDKTF_VERSION)),
            ]),
        ),
        ("outputs", Value::Object(stack_outputs)),
    ]);
    if !module.required_version.is_empty() {
        meta["ztc"] = obj([
            (
                "terraformRequiredVersion",
                Value::from(module.required_version.clone()),
            ),
            (
                "why",
                Value::from(
                    "required_version is not set in the terraform block: checkov cannot parse \
                     a Terraform JSON terraform block holding it; run with this Terraform version",
                ),
            ),
        ]);
    }
    doc.insert("//".into(), meta);

    let mut terraform = Map::new();
    if !module.providers_required.is_empty() {
        let mut reqs = Map::new();
        for p in &module.providers_required {
            let mut req = Map::new();
            req.insert("source".into(), Value::from(p.source.clone()));
            if !p.version.is_empty() {
                req.insert("version".into(), Value::from(p.version.clone()));
            }
            reqs.insert(p.name.clone(), Value::Object(req));
        }
        terraform.insert("required_providers".into(), Value::Object(reqs));
    }
    if let Some(b) = &module.backend {
        let mut s3 = Map::new();
        s3.insert("bucket".into(), Value::from(b.bucket.clone()));
        s3.insert("key".into(), Value::from(b.key.clone()));
        s3.insert("region".into(), Value::from(b.region.clone()));
        s3.insert("encrypt".into(), Value::Bool(true));
        if let Some(k) = &b.kms_key_id {
            s3.insert("kms_key_id".into(), Value::from(k.clone()));
        }
        if let Some(t) = &b.dynamodb_table {
            s3.insert("dynamodb_table".into(), Value::from(t.clone()));
        }
        terraform.insert("backend".into(), obj([("s3", Value::Object(s3))]));
    }
    if !terraform.is_empty() {
        doc.insert("terraform".into(), Value::Object(terraform));
    }

    if !module.providers.is_empty() {
        let mut providers = Map::new();
        for p in &module.providers {
            let mut body = body_object(&p.body, false);
            if let Some(alias) = &p.alias {
                body.insert("alias".into(), Value::from(alias.clone()));
            }
            match providers
                .entry(p.name.clone())
                .or_insert_with(|| Value::Array(vec![]))
            {
                Value::Array(list) => list.push(Value::Object(body)),
                _ => unreachable!("provider entries are lists"),
            }
        }
        doc.insert("provider".into(), Value::Object(providers));
    }

    if !module.variables.is_empty() {
        let mut vars = Map::new();
        for v in &module.variables {
            vars.insert(v.name.clone(), variable(v));
        }
        doc.insert("variable".into(), Value::Object(vars));
    }

    for (key, kind) in [("data", Kind::Data), ("resource", Kind::Resource)] {
        let mut types = Map::new();
        for b in module.blocks().filter(|b| b.addr.kind == kind) {
            let names = types
                .entry(b.addr.ty.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(names) = names {
                names.insert(b.addr.name.clone(), block(stack, b));
            }
        }
        if !types.is_empty() {
            doc.insert(key.into(), Value::Object(types));
        }
    }

    if !module.outputs.is_empty() {
        let mut outs = Map::new();
        for o in &module.outputs {
            let mut body = Map::new();
            if !o.description.is_empty() {
                // Evaluated without a context by Terraform: a literal, not a template.
                body.insert("description".into(), Value::from(o.description.clone()));
            }
            body.insert("value".into(), value(&o.value));
            if o.sensitive {
                body.insert("sensitive".into(), Value::Bool(true));
            }
            outs.insert(o.name.clone(), Value::Object(body));
        }
        doc.insert("output".into(), Value::Object(outs));
    }

    Value::Object(doc)
}

fn variable(v: &crate::ir::Variable) -> Value {
    let mut body = Map::new();
    if !v.description.is_empty() {
        // `description`, `default` and `type` are read without an evaluation context: literals.
        body.insert("description".into(), Value::from(v.description.clone()));
    }
    let ty = match v.ty {
        VarType::String => "string",
        VarType::Number => "number",
        VarType::Bool => "bool",
        VarType::ListString => "list(string)",
    };
    body.insert("type".into(), Value::from(ty));
    if let Some(d) = &v.default {
        body.insert("default".into(), literal(d));
    }
    if v.sensitive {
        body.insert("sensitive".into(), Value::Bool(true));
    }
    if !v.validations.is_empty() {
        let vals = v
            .validations
            .iter()
            .map(|val| {
                obj([
                    ("condition", value(&val.condition)),
                    // a template (it may interpolate the variable), unlike the description
                    ("error_message", Value::from(escape(&val.error_message))),
                ])
            })
            .collect();
        body.insert("validation".into(), Value::Array(vals));
    }
    Value::Object(body)
}

/// A resource or data block body with its `"//"` metadata and `depends_on`.
fn block(stack: &str, b: &Block) -> Value {
    let mut body = body_object(&b.body, true);
    if let Some(alias) = &b.provider {
        // A meta-argument: a bare provider reference, as `depends_on` entries.
        body.insert("provider".into(), Value::from(format!("aws.{alias}")));
    }
    if !b.depends_on.is_empty() {
        let deps = b.depends_on.iter().map(|a| Value::from(a.tf())).collect();
        body.insert("depends_on".into(), Value::Array(deps));
    }
    let mut ztc = Map::new();
    ztc.insert("origin".into(), Value::from(b.origin.clone()));
    // Byte range of the spec node (the IR has no line table); absent for synthesized blocks.
    if b.span != crate::source::Span::default() {
        ztc.insert(
            "span".into(),
            Value::Array(vec![Value::from(b.span.start), Value::from(b.span.end)]),
        );
    }
    ztc.insert("concern".into(), Value::from(b.concern.name()));
    if let Some(c) = b.comment.as_deref().filter(|c| !c.trim().is_empty()) {
        ztc.insert("comment".into(), Value::from(c.trim()));
    }
    if !b.skips.is_empty() {
        let skips = b
            .skips
            .iter()
            .map(|s| {
                obj([
                    ("id", Value::from(s.id.trim())),
                    ("reason", Value::from(s.reason.clone())),
                ])
            })
            .collect();
        ztc.insert("skips".into(), Value::Array(skips));
    }
    body.insert(
        "//".into(),
        obj([
            (
                "metadata",
                obj([
                    ("path", Value::from(format!("{stack}/{}", b.addr.tf()))),
                    ("uniqueId", Value::from(b.addr.name.clone())),
                ]),
            ),
            ("ztc", Value::Object(ztc)),
        ]),
    );
    Value::Object(body)
}

/// Attributes and nested blocks; blocks of one type become one array, in order.
/// `top`: a resource/data body (where `lifecycle` is the meta-argument block).
fn body_object(body: &Body, top: bool) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, item) in &body.items {
        match item {
            Item::Attr(e) => {
                out.insert(name.clone(), value(e));
            }
            Item::Block(b) if top && name == "lifecycle" => {
                out.insert(name.clone(), Value::Object(lifecycle(b)));
            }
            Item::Block(b) => {
                let slot = out
                    .entry(name.clone())
                    .or_insert_with(|| Value::Array(vec![]));
                if let Value::Array(list) = slot {
                    list.push(Value::Object(body_object(b, false)));
                } else {
                    // An attribute and a block of one name: invalid in any syntax; the block wins.
                    *slot = Value::Array(vec![Value::Object(body_object(b, false))]);
                }
            }
        }
    }
    out
}

/// The `lifecycle` meta-block: references (`ignore_changes`, `replace_triggered_by`) are bare
/// traversal strings, not templates.
fn lifecycle(body: &Body) -> Map<String, Value> {
    fn meta(e: &Expr) -> Value {
        match e {
            Expr::Ref(r) => Value::from(reference(r)),
            Expr::List(xs) => Value::Array(xs.iter().map(meta).collect()),
            e => value(e),
        }
    }
    let mut out = Map::new();
    for (name, item) in &body.items {
        match item {
            Item::Attr(e) => {
                out.insert(name.clone(), meta(e));
            }
            Item::Block(b) => {
                out.insert(
                    name.clone(),
                    Value::Array(vec![Value::Object(body_object(b, false))]),
                );
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------------------
// values
// ------------------------------------------------------------------------------------------------

/// An expression where Terraform JSON reads strings (and object keys) as templates.
fn value(e: &Expr) -> Value {
    match e {
        Expr::Null => Value::Null,
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Int(i) => Value::from(*i),
        // serde_json writes non-finite floats as null, as the HCL printer does.
        Expr::Float(f) => Value::from(*f),
        Expr::Str(s) => Value::String(escape(s)),
        Expr::List(xs) => Value::Array(xs.iter().map(value).collect()),
        Expr::Object(kv) => Value::Object(kv.iter().map(|(k, v)| (escape(k), value(v))).collect()),
        Expr::Template(parts) => Value::String(json_template(parts)),
        Expr::Ref(_)
        | Expr::JsonEncode(_)
        | Expr::Call(..)
        | Expr::For { .. }
        | Expr::Eq(..)
        | Expr::Index(..) => Value::String(interpolation(e)),
    }
}

/// An expression where Terraform JSON reads the value literally (variable defaults).
fn literal(e: &Expr) -> Value {
    match e {
        Expr::Str(s) => Value::String(s.clone()),
        Expr::List(xs) => Value::Array(xs.iter().map(literal).collect()),
        Expr::Object(kv) => {
            Value::Object(kv.iter().map(|(k, v)| (k.clone(), literal(v))).collect())
        }
        // Constant-only positions; anything else is not valid there in HCL either.
        e => value(e),
    }
}

/// `${expr}` with the expression in HCL syntax on one line.
fn interpolation(e: &Expr) -> String {
    let mut s = String::new();
    push_interpolation(&mut s, e);
    s
}

fn push_interpolation(out: &mut String, e: &Expr) {
    let inner = hcl_expr(e);
    out.push_str("${");
    // `${{` / `}}}` read fine, but spaced they match what `terraform fmt` writes.
    if inner.starts_with('{') {
        out.push(' ');
    }
    out.push_str(&inner);
    if inner.ends_with('}') {
        out.push(' ');
    }
    out.push('}');
}

/// Escape a literal for a Terraform template (a JSON string value): `${` → `$${`, `%{` → `%%{`.
/// JSON's own escaping (quotes, backslashes, control characters) is serde_json's.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(
        &mut out,
        s,
        Around {
            interpolating: false,
            before_interpolation: false,
        },
    );
    out
}

/// Where a literal sits in a template.
#[derive(Clone, Copy)]
struct Around {
    /// The template interpolates somewhere: Terraform's template scanner reads no interpolation
    /// after a carriage return that is not followed by a line feed (checked with terraform 1.11:
    /// `"a\rb${x}"` evaluates to the text `a\rb${x}`), so such a CR is written `${"\r"}`.
    interpolating: bool,
    /// An interpolation follows right after: a final `$` would form the `$${` escape with it, so
    /// the final run of `$` is written as an interpolation, `${"$$"}`.
    before_interpolation: bool,
}

fn escape_into(out: &mut String, s: &str, around: Around) {
    let (head, dollars) = if around.before_interpolation {
        let head = s.trim_end_matches('$');
        (head, &s[head.len()..])
    } else {
        (s, "")
    };
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            '\r' if around.interpolating && chars.peek() != Some(&'\n') => {
                out.push_str("${\"\\r\"}")
            }
            c => out.push(c),
        }
    }
    if !dollars.is_empty() {
        out.push_str("${\"");
        out.push_str(dollars);
        out.push_str("\"}");
    }
}

/// Template parts with nested templates flattened, adjacent literals merged, empty ones dropped.
fn template_parts(parts: &[Expr]) -> Vec<Expr> {
    fn walk(parts: &[Expr], out: &mut Vec<Expr>) {
        for p in parts {
            match p {
                Expr::Template(inner) => walk(inner, out),
                Expr::Str(s) if s.is_empty() => {}
                Expr::Str(s) => match out.last_mut() {
                    Some(Expr::Str(prev)) => prev.push_str(s),
                    _ => out.push(p.clone()),
                },
                p => out.push(p.clone()),
            }
        }
    }
    let mut out = Vec::new();
    walk(parts, &mut out);
    out
}

/// A template as the content of a JSON string.
fn json_template(parts: &[Expr]) -> String {
    let parts = template_parts(parts);
    let mut s = String::new();
    for (i, p) in parts.iter().enumerate() {
        match p {
            Expr::Str(lit) => escape_into(
                &mut s,
                lit,
                Around {
                    interpolating: parts.len() > 1,
                    before_interpolation: i + 1 < parts.len(),
                },
            ),
            p => push_interpolation(&mut s, p),
        }
    }
    s
}

// ------------------------------------------------------------------------------------------------
// HCL expressions inside `${...}`, on one line
// ------------------------------------------------------------------------------------------------

/// An expression in HCL native syntax on one line (for the inside of an interpolation).
fn hcl_expr(e: &Expr) -> String {
    match e {
        Expr::Null => "null".into(),
        Expr::Bool(b) => b.to_string(),
        Expr::Int(i) => i.to_string(),
        Expr::Float(f) if f.is_finite() => format!("{f}"),
        Expr::Float(_) => "null".into(),
        Expr::Str(s) => quote(s),
        Expr::Ref(r) => reference(r),
        Expr::List(xs) => {
            let items: Vec<String> = xs.iter().map(hcl_expr).collect();
            format!("[{}]", items.join(", "))
        }
        Expr::Object(kv) if kv.is_empty() => "{}".into(),
        Expr::Object(kv) => {
            let items: Vec<String> = kv
                .iter()
                .map(|(k, v)| format!("{} = {}", object_key(k), hcl_expr(v)))
                .collect();
            format!("{{ {} }}", items.join(", "))
        }
        Expr::Template(parts) => hcl_template(parts),
        Expr::JsonEncode(inner) => format!("jsonencode({})", hcl_expr(inner)),
        Expr::Call(f, args) => {
            let (open, close) = match f {
                Func::Length => ("length(", ")"),
                Func::CanRegex => ("can(regex(", "))"),
                Func::FileBase64Sha256 => ("filebase64sha256(", ")"),
            };
            let args: Vec<String> = args.iter().map(hcl_expr).collect();
            format!("{open}{}{close}", args.join(", "))
        }
        Expr::For {
            var,
            coll,
            value,
            cond,
        } => {
            let mut s = format!("[for {var} in {} : {}", hcl_expr(coll), hcl_expr(value));
            if let Some(c) = cond {
                s.push_str(" if ");
                s.push_str(&hcl_expr(c));
            }
            s.push(']');
            s
        }
        Expr::Eq(a, b) => format!("{} == {}", operand(a), operand(b)),
        Expr::Index(a, i) => {
            // As the HCL printer: `("s")[0]` and `x[(true)]` (a bare `x[true]` misparses).
            let base = match **a {
                Expr::Str(_) | Expr::Template(_) => format!("({})", hcl_expr(a)),
                _ => operand(a),
            };
            let index = match **i {
                Expr::Bool(_) | Expr::Null => format!("({})", hcl_expr(i)),
                _ => hcl_expr(i),
            };
            format!("{base}[{index}]")
        }
    }
}

fn operand(e: &Expr) -> String {
    let s = hcl_expr(e);
    if matches!(e, Expr::Eq(..)) {
        format!("({s})")
    } else {
        s
    }
}

/// A quoted HCL template: literals escaped as HCL strings, interpolations inline.
fn hcl_template(parts: &[Expr]) -> String {
    let parts = template_parts(parts);
    let mut s = String::from("\"");
    for (i, p) in parts.iter().enumerate() {
        match p {
            Expr::Str(lit) => {
                let q = quote(lit);
                let body = &q[1..q.len() - 1];
                // `quote` escapes `$` only before `{`: a final run of `$` is literal `$`s, which
                // would merge with the next `${`; they go into an interpolation of their own.
                let head = body.trim_end_matches('$');
                if i + 1 < parts.len() && head.len() < body.len() {
                    s.push_str(head);
                    s.push_str("${\"");
                    s.push_str(&body[head.len()..]);
                    s.push_str("\"}");
                } else {
                    s.push_str(body);
                }
            }
            p => push_interpolation(&mut s, p),
        }
    }
    s.push('"');
    s
}

// references and object keys are written exactly as in HCL
use super::hcl::{object_key, reference};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Address;

    #[test]
    fn escapes_literals() {
        assert_eq!(
            escape("${aws:PrincipalTag/Team}"),
            "$${aws:PrincipalTag/Team}"
        );
        assert_eq!(escape("%{if x}"), "%%{if x}");
        assert_eq!(escape("$${x}"), "$$${x}");
        assert_eq!(escape("a $ b % c {d} $"), "a $ b % c {d} $");
    }

    #[test]
    fn templates_and_refs() {
        let t = Expr::Template(vec![
            Expr::str("arn:${x}:"),
            Expr::var("name"),
            Expr::str("/$$"),
            Expr::Template(vec![
                Expr::str(""),
                Address::resource("aws_s3_bucket", "b").attr("id"),
            ]),
        ]);
        assert_eq!(
            value(&t),
            Value::from("arn:$${x}:${var.name}/${\"$$\"}${aws_s3_bucket.b.id}")
        );
        assert_eq!(
            value(&Expr::JsonEncode(Box::new(Expr::obj([
                ("Sid", Expr::str("${a}")),
                ("aws:x", Expr::List(vec![t.clone(), Expr::Int(1)])),
            ])))),
            Value::from(
                "${jsonencode({ Sid = \"$${a}\", \"aws:x\" = [\"arn:$${x}:${var.name}/${\"$$\"}${aws_s3_bucket.b.id}\", 1] })}"
            )
        );
        let cr = Expr::Template(vec![Expr::str("a\rb\r\nc"), Expr::var("v")]);
        assert_eq!(value(&cr), Value::from("a${\"\\r\"}b\r\nc${var.v}"));
        assert_eq!(value(&Expr::str("a\rb")), Value::from("a\rb"));
        let obj = value(&Expr::obj([("${k}", Expr::var("v"))]));
        assert_eq!(obj, serde_json::json!({"$${k}": "${var.v}"}));
    }

    #[test]
    fn output_is_sorted_and_ends_with_newline() {
        let out = emit(&Module {
            name: "s".into(),
            ..Module::default()
        });
        assert_eq!(out[0].0, "cdktf.out/manifest.json");
        assert_eq!(out[1].0, "cdktf.out/stacks/s/cdk.tf.json");
        assert!(out.iter().all(|(_, t)| t.ends_with("}\n")));
        assert!(out[0].1.find("\"version\"") > out[0].1.find("\"synthesizedStackPath\""));
    }
}
