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

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::emit::hcl::{object_key_into, quote_into, reference_into};
use crate::ir::{Block, Body, Expr, Func, Item, Kind, Module, VarType};

/// The cdktf release whose `synth` layout these files follow (manifest and metadata `version`).
pub const CDKTF_VERSION: &str = "0.20.0";

/// Print a module as `cdktf.out/manifest.json` + `cdktf.out/stacks/<stack>/cdk.tf.json`.
pub fn emit(module: &Module) -> Vec<(String, String)> {
    let stack = &module.name;
    vec![
        ("cdktf.out/manifest.json".to_string(), manifest(module)),
        (
            format!("cdktf.out/stacks/{stack}/cdk.tf.json"),
            stack_document(module),
        ),
    ]
}

// ------------------------------------------------------------------------------------------------
// JSON writer
// ------------------------------------------------------------------------------------------------

/// Writes JSON straight into a string in `serde_json::to_string_pretty`'s layout (2-space indent,
/// `"key": value`, `[]` / `{}` when empty) with a trailing newline. Callers write the keys of
/// every object in byte order; debug builds check that they do.
struct Json {
    out: String,
    level: usize,
    /// The innermost open object or array has no element yet.
    empty: bool,
    /// Scratch space for a string value before JSON escaping.
    buf: String,
    /// The last key written in every open object (debug builds: keys must ascend).
    #[cfg(debug_assertions)]
    keys: Vec<Option<String>>,
}

impl Json {
    fn new(capacity: usize) -> Self {
        Json {
            out: String::with_capacity(capacity),
            level: 0,
            empty: false,
            buf: String::new(),
            #[cfg(debug_assertions)]
            keys: Vec::new(),
        }
    }
    fn finish(mut self) -> String {
        self.out.push('\n');
        self.out
    }
    fn newline(&mut self) {
        self.out.push('\n');
        for _ in 0..self.level {
            self.out.push_str("  ");
        }
    }
    fn open(&mut self, bracket: char) {
        self.out.push(bracket);
        self.level += 1;
        self.empty = true;
        #[cfg(debug_assertions)]
        self.keys.push(None);
    }
    fn close(&mut self, bracket: char) {
        self.level -= 1;
        if !self.empty {
            self.newline();
        }
        self.out.push(bracket);
        self.empty = false;
        #[cfg(debug_assertions)]
        self.keys.pop();
    }
    fn begin_object(&mut self) {
        self.open('{');
    }
    fn end_object(&mut self) {
        self.close('}');
    }
    fn begin_array(&mut self) {
        self.open('[');
    }
    fn end_array(&mut self) {
        self.close(']');
    }
    /// Start an array element.
    fn item(&mut self) {
        if !self.empty {
            self.out.push(',');
        }
        self.newline();
        self.empty = false;
    }
    /// Start an object member: `"key": `.
    fn key(&mut self, k: &str) {
        #[cfg(debug_assertions)]
        if let Some(last) = self.keys.last_mut() {
            if let Some(prev) = last {
                debug_assert!(prev.as_str() < k, "keys out of order: {prev:?} then {k:?}");
            }
            *last = Some(k.to_string());
        }
        self.item();
        json_string(&mut self.out, k);
        self.out.push_str(": ");
    }
    fn str(&mut self, v: &str) {
        json_string(&mut self.out, v);
    }
    /// The string in `self.buf`.
    fn buffered(&mut self) {
        json_string(&mut self.out, &self.buf);
    }
    fn raw(&mut self, v: &str) {
        self.out.push_str(v);
    }
    fn int<T: std::fmt::Display>(&mut self, i: T) {
        let _ = write!(self.out, "{i}");
    }
    fn float(&mut self, f: f64) {
        // serde_json's own number printing (non-finite floats are null)
        self.out
            .push_str(&serde_json::to_string(&f).expect("floats serialise"));
    }
    fn bool(&mut self, b: bool) {
        self.out.push_str(if b { "true" } else { "false" });
    }
}

/// Bytes a JSON string escapes: `"`, `\` and the control characters.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        t[b] = true;
        b += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// A JSON string literal, escaped as serde_json escapes it: `"`, `\`, and control characters
/// (`\b \t \n \f \r`, others `\u00xx`).
fn json_string(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if !NEEDS_ESCAPE[b as usize] {
            continue;
        }
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            out.push_str("\\u00");
            out.push(HEX[(b >> 4) as usize] as char);
            out.push(HEX[(b & 0xf) as usize] as char);
        } else {
            out.push_str(esc);
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

// ------------------------------------------------------------------------------------------------
// files
// ------------------------------------------------------------------------------------------------

fn manifest(module: &Module) -> String {
    let stack = module.name.as_str();
    let mut w = Json::new(512);
    w.begin_object();
    w.key("stacks");
    w.begin_object();
    w.key(stack);
    w.begin_object();
    w.key("annotations");
    w.begin_array();
    w.end_array();
    w.key("constructPath");
    w.str(stack);
    w.key("dependencies");
    w.begin_array();
    w.end_array();
    w.key("name");
    w.str(stack);
    w.key("synthesizedStackPath");
    w.str(&format!("stacks/{stack}/cdk.tf.json"));
    w.key("workingDirectory");
    w.str(&format!("stacks/{stack}"));
    if !module.required_version.is_empty() {
        // Not in cdk.tf.json's `terraform` block: see the module docs (checkov).
        w.key("ztc");
        w.begin_object();
        w.key("terraformRequiredVersion");
        w.str(&module.required_version);
        w.end_object();
    }
    w.end_object();
    w.end_object();
    w.key("version");
    w.str(CDKTF_VERSION);
    w.end_object();
    w.finish()
}

fn stack_document(module: &Module) -> String {
    let stack = module.name.as_str();
    // 670 to 830 bytes a block in the specs and the generated scale specs: sized once, not grown
    let mut w = Json::new(4096 + 1024 * (module.resources.len() + module.data.len()));
    // Top-level keys in byte order: "//", data, output, provider, resource, terraform, variable.
    w.begin_object();

    w.key("//");
    w.begin_object();
    w.key("metadata");
    w.begin_object();
    w.key("backend");
    w.str(if module.backend.is_some() {
        "s3"
    } else {
        "local"
    });
    w.key("stackName");
    w.str(stack);
    w.key("version");
    w.str(CDKTF_VERSION);
    w.end_object();
    w.key("outputs");
    w.begin_object();
    w.key(stack);
    w.begin_object();
    let outputs: BTreeMap<&str, &crate::ir::Output> = module
        .outputs
        .iter()
        .map(|o| (o.name.as_str(), o))
        .collect();
    for name in outputs.keys() {
        w.key(name);
        w.str(name);
    }
    w.end_object();
    w.end_object();
    if !module.required_version.is_empty() {
        w.key("ztc");
        w.begin_object();
        w.key("terraformRequiredVersion");
        w.str(&module.required_version);
        w.key("why");
        w.str(
            "required_version is not set in the terraform block: checkov cannot parse \
             a Terraform JSON terraform block holding it; run with this Terraform version",
        );
        w.end_object();
    }
    w.end_object();

    // data and resource blocks by type, then name (a later block of one address replaces one before)
    let mut data: BTreeMap<&str, BTreeMap<&str, &Block>> = BTreeMap::new();
    let mut ephemeral: BTreeMap<&str, BTreeMap<&str, &Block>> = BTreeMap::new();
    let mut resources: BTreeMap<&str, BTreeMap<&str, &Block>> = BTreeMap::new();
    for b in module.blocks() {
        let by_type = match b.addr.kind {
            Kind::Data => &mut data,
            Kind::Ephemeral => &mut ephemeral,
            Kind::Resource => &mut resources,
        };
        by_type
            .entry(b.addr.ty.as_str())
            .or_default()
            .insert(b.addr.name.as_str(), b);
    }
    let blocks = |w: &mut Json, key: &str, types: &BTreeMap<&str, BTreeMap<&str, &Block>>| {
        if types.is_empty() {
            return;
        }
        w.key(key);
        w.begin_object();
        for (ty, names) in types {
            w.key(ty);
            w.begin_object();
            for (name, b) in names {
                w.key(name);
                block(w, stack, b);
            }
            w.end_object();
        }
        w.end_object();
    };
    blocks(&mut w, "data", &data);
    blocks(&mut w, "ephemeral", &ephemeral);

    if !outputs.is_empty() {
        w.key("output");
        w.begin_object();
        for (name, o) in &outputs {
            w.key(name);
            w.begin_object();
            if !o.description.is_empty() {
                // Evaluated without a context by Terraform: a literal, not a template.
                w.key("description");
                w.str(&o.description);
            }
            if o.sensitive {
                w.key("sensitive");
                w.bool(true);
            }
            w.key("value");
            value(&mut w, &o.value);
            w.end_object();
        }
        w.end_object();
    }

    if !module.providers.is_empty() {
        let mut providers: BTreeMap<&str, Vec<&crate::ir::Provider>> = BTreeMap::new();
        for p in &module.providers {
            providers.entry(p.name.as_str()).or_default().push(p);
        }
        w.key("provider");
        w.begin_object();
        for (name, list) in &providers {
            w.key(name);
            w.begin_array();
            for p in list {
                w.item();
                let alias = p.alias.as_deref().map(|a| ("alias", Extra::Str(a)));
                body_object(&mut w, &p.body, false, alias.into_iter().collect());
            }
            w.end_array();
        }
        w.end_object();
    }

    blocks(&mut w, "resource", &resources);

    if !module.providers_required.is_empty() || module.backend.is_some() {
        w.key("terraform");
        w.begin_object();
        if let Some(b) = &module.backend {
            w.key("backend");
            w.begin_object();
            w.key("s3");
            w.begin_object();
            w.key("bucket");
            w.str(&b.bucket);
            if let Some(t) = &b.dynamodb_table {
                w.key("dynamodb_table");
                w.str(t);
            }
            w.key("encrypt");
            w.bool(true);
            w.key("key");
            w.str(&b.key);
            if let Some(k) = &b.kms_key_id {
                w.key("kms_key_id");
                w.str(k);
            }
            w.key("region");
            w.str(&b.region);
            w.end_object();
            w.end_object();
        }
        if !module.providers_required.is_empty() {
            let reqs: BTreeMap<&str, &crate::ir::ProviderReq> = module
                .providers_required
                .iter()
                .map(|p| (p.name.as_str(), p))
                .collect();
            w.key("required_providers");
            w.begin_object();
            for (name, p) in reqs {
                w.key(name);
                w.begin_object();
                w.key("source");
                w.str(&p.source);
                if !p.version.is_empty() {
                    w.key("version");
                    w.str(&p.version);
                }
                w.end_object();
            }
            w.end_object();
        }
        w.end_object();
    }

    if !module.variables.is_empty() {
        let vars: BTreeMap<&str, &crate::ir::Variable> = module
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v))
            .collect();
        w.key("variable");
        w.begin_object();
        for (name, v) in vars {
            w.key(name);
            variable(&mut w, v);
        }
        w.end_object();
    }

    w.end_object();
    w.finish()
}

fn variable(w: &mut Json, v: &crate::ir::Variable) {
    // `description`, `default` and `type` are read without an evaluation context: literals.
    w.begin_object();
    if let Some(d) = &v.default {
        w.key("default");
        literal(w, d);
    }
    if !v.description.is_empty() {
        w.key("description");
        w.str(&v.description);
    }
    if v.sensitive {
        w.key("sensitive");
        w.bool(true);
    }
    w.key("type");
    w.str(match v.ty {
        VarType::String => "string",
        VarType::Number => "number",
        VarType::Bool => "bool",
        VarType::ListString => "list(string)",
    });
    if !v.validations.is_empty() {
        w.key("validation");
        w.begin_array();
        for val in &v.validations {
            w.item();
            w.begin_object();
            w.key("condition");
            value(w, &val.condition);
            // a template (it may interpolate the variable), unlike the description
            w.key("error_message");
            w.buf.clear();
            escape_into(&mut w.buf, &val.error_message, Around::PLAIN);
            w.buffered();
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
}

/// Members a printer adds to a body after its items (replacing items of the same name).
enum Extra<'a> {
    Str(&'a str),
    Owned(String),
    /// `depends_on`: bare traversal strings.
    Deps(&'a [crate::ir::Address]),
    /// The `"//"` metadata of a resource or data block.
    Meta(&'a str, &'a Block),
}

/// A resource or data block body with its `"//"` metadata and `depends_on`.
fn block(w: &mut Json, stack: &str, b: &Block) {
    let mut extra = Vec::with_capacity(3);
    if let Some(alias) = &b.provider {
        // A meta-argument: a bare provider reference, as `depends_on` entries.
        extra.push(("provider", Extra::Owned(format!("aws.{alias}"))));
    }
    if !b.depends_on.is_empty() {
        extra.push(("depends_on", Extra::Deps(&b.depends_on)));
    }
    extra.push(("//", Extra::Meta(stack, b)));
    body_object(w, &b.body, true, extra);
}

fn write_extra(w: &mut Json, e: &Extra<'_>) {
    match e {
        Extra::Str(s) => w.str(s),
        Extra::Owned(s) => w.str(s),
        Extra::Deps(deps) => {
            w.begin_array();
            for a in deps.iter() {
                w.item();
                w.buf.clear();
                if a.kind != Kind::Resource {
                    w.buf.push_str(a.kind.keyword());
                    w.buf.push('.');
                }
                w.buf.push_str(&a.ty);
                w.buf.push('.');
                w.buf.push_str(&a.name);
                w.buffered();
            }
            w.end_array();
        }
        Extra::Meta(stack, b) => {
            w.begin_object();
            w.key("metadata");
            w.begin_object();
            w.key("path");
            w.buf.clear();
            let _ = write!(w.buf, "{stack}/");
            if b.addr.kind != Kind::Resource {
                w.buf.push_str(b.addr.kind.keyword());
                w.buf.push('.');
            }
            w.buf.push_str(&b.addr.ty);
            w.buf.push('.');
            w.buf.push_str(&b.addr.name);
            w.buffered();
            w.key("uniqueId");
            w.str(&b.addr.name);
            w.end_object();
            w.key("ztc");
            w.begin_object();
            if let Some(c) = b.comment.as_deref().filter(|c| !c.trim().is_empty()) {
                w.key("comment");
                w.str(c.trim());
            }
            w.key("concern");
            w.str(b.concern.name());
            w.key("origin");
            w.str(&b.origin);
            if !b.skips.is_empty() {
                w.key("skips");
                w.begin_array();
                for s in &b.skips {
                    w.item();
                    w.begin_object();
                    w.key("id");
                    w.str(s.id.trim());
                    w.key("reason");
                    w.str(&s.reason);
                    w.end_object();
                }
                w.end_array();
            }
            // Byte range of the spec node (the IR has no line table); absent for synthesized blocks.
            if b.span != crate::source::Span::default() {
                w.key("span");
                w.begin_array();
                w.item();
                w.int(b.span.start);
                w.item();
                w.int(b.span.end);
                w.end_array();
            }
            w.end_object();
            w.end_object();
        }
    }
}

/// What a body member of one name comes to after all its items (in order): an attribute replaces
/// whatever came before; a block is appended to a list before it (blocks of one type form one
/// array; after a list attribute, the blocks follow its elements), or else replaces it.
enum Member<'a> {
    Attr(&'a Expr),
    /// Items of a list attribute, then blocks.
    Blocks(&'a [Expr], Vec<&'a Body>),
    /// The `lifecycle` meta-block of a resource/data body: one object.
    Lifecycle(&'a Body),
    Extra(&'a Extra<'a>),
}

/// Attributes and nested blocks; blocks of one type become one array, in order. `extra` members
/// come after the items and replace items of the same name.
/// `top`: a resource/data body (where `lifecycle` is the meta-argument block).
fn body_object(w: &mut Json, body: &Body, top: bool, extra: Vec<(&str, Extra<'_>)>) {
    // item indices grouped by name (stable: in order within a name)
    let mut order: Vec<usize> = (0..body.items.len()).collect();
    order.sort_by(|&a, &b| body.items[a].0.cmp(&body.items[b].0));
    let mut members: Vec<(&str, Member<'_>)> = Vec::with_capacity(order.len() + extra.len());
    let mut i = 0;
    while i < order.len() {
        let name = body.items[order[i]].0.as_str();
        let mut m: Option<Member<'_>> = None;
        while i < order.len() && body.items[order[i]].0 == name {
            m = Some(match (&body.items[order[i]].1, m) {
                (Item::Attr(e), _) => Member::Attr(e),
                (Item::Block(b), _) if top && name == "lifecycle" => Member::Lifecycle(b),
                (Item::Block(b), Some(Member::Blocks(items, mut blocks))) => {
                    blocks.push(b);
                    Member::Blocks(items, blocks)
                }
                (Item::Block(b), Some(Member::Attr(Expr::List(items)))) => {
                    Member::Blocks(items, vec![b])
                }
                (Item::Block(b), _) => Member::Blocks(&[], vec![b]),
            });
            i += 1;
        }
        if let Some(m) = m {
            members.push((name, m));
        }
    }
    if !extra.is_empty() {
        members.retain(|(name, _)| !extra.iter().any(|(k, _)| k == name));
        for (k, e) in &extra {
            members.push((k, Member::Extra(e)));
        }
        members.sort_by(|a, b| a.0.cmp(b.0));
    }
    w.begin_object();
    for (name, m) in &members {
        w.key(name);
        match m {
            Member::Attr(e) => value(w, e),
            Member::Blocks(items, blocks) => {
                w.begin_array();
                for e in items.iter() {
                    w.item();
                    value(w, e);
                }
                for b in blocks {
                    w.item();
                    body_object(w, b, false, Vec::new());
                }
                w.end_array();
            }
            Member::Lifecycle(b) => lifecycle(w, b),
            Member::Extra(e) => write_extra(w, e),
        }
    }
    w.end_object();
}

/// The `lifecycle` meta-block: references (`ignore_changes`, `replace_triggered_by`) are bare
/// traversal strings, not templates. A later item of one name replaces an earlier one.
fn lifecycle(w: &mut Json, body: &Body) {
    fn meta(w: &mut Json, e: &Expr) {
        match e {
            Expr::Ref(r) => {
                w.buf.clear();
                reference_into(&mut w.buf, r);
                w.buffered();
            }
            Expr::List(xs) => {
                w.begin_array();
                for x in xs {
                    w.item();
                    meta(w, x);
                }
                w.end_array();
            }
            e => value(w, e),
        }
    }
    let mut last: BTreeMap<&str, &Item> = BTreeMap::new();
    for (name, item) in &body.items {
        last.insert(name.as_str(), item);
    }
    w.begin_object();
    for (name, item) in last {
        w.key(name);
        match item {
            Item::Attr(e) => meta(w, e),
            Item::Block(b) => {
                w.begin_array();
                w.item();
                body_object(w, b, false, Vec::new());
                w.end_array();
            }
        }
    }
    w.end_object();
}

// ------------------------------------------------------------------------------------------------
// values
// ------------------------------------------------------------------------------------------------

/// Keys of an object in byte order, each once (the last value of a repeated key wins).
fn sorted_members<'e>(
    kv: &'e [(String, Expr)],
    key: impl Fn(&'e str) -> Cow<'e, str>,
) -> Vec<(Cow<'e, str>, &'e Expr)> {
    let mut members: Vec<(Cow<'e, str>, &'e Expr)> =
        kv.iter().map(|(k, v)| (key(k.as_str()), v)).collect();
    // stable: equal keys stay in order, and the last of them is kept
    members.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(Cow<'e, str>, &'e Expr)> = Vec::with_capacity(members.len());
    for m in members {
        match out.last_mut() {
            Some(last) if last.0 == m.0 => *last = m,
            _ => out.push(m),
        }
    }
    out
}

/// An expression where Terraform JSON reads strings (and object keys) as templates.
fn value(w: &mut Json, e: &Expr) {
    match e {
        Expr::Null => w.raw("null"),
        Expr::Bool(b) => w.bool(*b),
        Expr::Int(i) => w.int(i),
        // serde_json writes non-finite floats as null, as the HCL printer does.
        Expr::Float(f) => w.float(*f),
        Expr::Str(s) => {
            if s.bytes().any(|b| matches!(b, b'$' | b'%')) {
                w.buf.clear();
                escape_into(&mut w.buf, s, Around::PLAIN);
                w.buffered();
            } else {
                w.str(s);
            }
        }
        Expr::List(xs) => {
            w.begin_array();
            for x in xs {
                w.item();
                value(w, x);
            }
            w.end_array();
        }
        Expr::Object(kv) => {
            w.begin_object();
            for (k, v) in sorted_members(kv, |k| {
                if k.bytes().any(|b| matches!(b, b'$' | b'%')) {
                    Cow::Owned(escape(k))
                } else {
                    Cow::Borrowed(k)
                }
            }) {
                w.key(&k);
                value(w, v);
            }
            w.end_object();
        }
        Expr::Template(parts) => {
            w.buf.clear();
            json_template(&mut w.buf, parts);
            w.buffered();
        }
        Expr::Ref(_)
        | Expr::JsonEncode(_)
        | Expr::Call(..)
        | Expr::For { .. }
        | Expr::Eq(..)
        | Expr::Index(..) => {
            w.buf.clear();
            push_interpolation(&mut w.buf, e);
            w.buffered();
        }
    }
}

/// An expression where Terraform JSON reads the value literally (variable defaults).
fn literal(w: &mut Json, e: &Expr) {
    match e {
        Expr::Str(s) => w.str(s),
        Expr::List(xs) => {
            w.begin_array();
            for x in xs {
                w.item();
                literal(w, x);
            }
            w.end_array();
        }
        Expr::Object(kv) => {
            w.begin_object();
            for (k, v) in sorted_members(kv, Cow::Borrowed) {
                w.key(&k);
                literal(w, v);
            }
            w.end_object();
        }
        // Constant-only positions; anything else is not valid there in HCL either.
        e => value(w, e),
    }
}

/// `${expr}` with the expression in HCL syntax on one line.
fn push_interpolation(out: &mut String, e: &Expr) {
    out.push_str("${");
    let start = out.len();
    hcl_expr(out, e);
    // `${{` / `}}}` read fine, but spaced they match what `terraform fmt` writes.
    if out[start..].starts_with('{') {
        out.insert(start, ' ');
    }
    if out.len() > start && out.ends_with('}') {
        out.push(' ');
    }
    out.push('}');
}

/// Escape a literal for a Terraform template (a JSON string value): `${` → `$${`, `%{` → `%%{`.
/// JSON's own escaping (quotes, backslashes, control characters) is the JSON writer's.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, Around::PLAIN);
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

impl Around {
    /// A whole string value.
    const PLAIN: Around = Around {
        interpolating: false,
        before_interpolation: false,
    };
}

fn escape_into(out: &mut String, s: &str, around: Around) {
    let (head, dollars) = if around.before_interpolation {
        let head = s.trim_end_matches('$');
        (head, &s[head.len()..])
    } else {
        (s, "")
    };
    let bytes = head.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'$' | b'%' if bytes.get(i + 1) == Some(&b'{') => {
                out.push_str(&head[start..=i]);
                out.push(b as char);
                start = i + 1;
            }
            b'\r' if around.interpolating && bytes.get(i + 1) != Some(&b'\n') => {
                out.push_str(&head[start..i]);
                out.push_str("${\"\\r\"}");
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push_str(&head[start..]);
    if !dollars.is_empty() {
        out.push_str("${\"");
        out.push_str(dollars);
        out.push_str("\"}");
    }
}

/// A template as the content of a JSON string.
fn json_template(out: &mut String, parts: &[Expr]) {
    let parts = template_parts(parts);
    for (i, p) in parts.iter().enumerate() {
        match &**p {
            Expr::Str(lit) => escape_into(
                out,
                lit,
                Around {
                    interpolating: parts.len() > 1,
                    before_interpolation: i + 1 < parts.len(),
                },
            ),
            p => push_interpolation(out, p),
        }
    }
}

// ------------------------------------------------------------------------------------------------
// HCL expressions inside `${...}`, on one line
// ------------------------------------------------------------------------------------------------

/// An expression in HCL native syntax on one line (for the inside of an interpolation).
fn hcl_expr(out: &mut String, e: &Expr) {
    match e {
        Expr::Null => out.push_str("null"),
        Expr::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Expr::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Expr::Float(f) if f.is_finite() => {
            let _ = write!(out, "{f}");
        }
        Expr::Float(_) => out.push_str("null"),
        Expr::Str(s) => quote_into(out, s),
        Expr::Ref(r) => reference_into(out, r),
        Expr::List(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                hcl_expr(out, x);
            }
            out.push(']');
        }
        Expr::Object(kv) if kv.is_empty() => out.push_str("{}"),
        Expr::Object(kv) => {
            out.push_str("{ ");
            for (i, (k, v)) in kv.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                object_key_into(out, k);
                out.push_str(" = ");
                hcl_expr(out, v);
            }
            out.push_str(" }");
        }
        Expr::Template(parts) => hcl_template(out, parts),
        Expr::JsonEncode(inner) => {
            out.push_str("jsonencode(");
            hcl_expr(out, inner);
            out.push(')');
        }
        Expr::Call(f, args) => {
            let (open, close) = match f {
                Func::Length => ("length(", ")"),
                Func::CanRegex => ("can(regex(", "))"),
                Func::FileBase64Sha256 => ("filebase64sha256(", ")"),
            };
            out.push_str(open);
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                hcl_expr(out, a);
            }
            out.push_str(close);
        }
        Expr::For {
            var,
            coll,
            value,
            cond,
        } => {
            let _ = write!(out, "[for {var} in ");
            hcl_expr(out, coll);
            out.push_str(" : ");
            hcl_expr(out, value);
            if let Some(c) = cond {
                out.push_str(" if ");
                hcl_expr(out, c);
            }
            out.push(']');
        }
        Expr::Eq(a, b) => {
            operand(out, a);
            out.push_str(" == ");
            operand(out, b);
        }
        Expr::Index(a, i) => {
            // As the HCL printer: `("s")[0]` and `x[(true)]` (a bare `x[true]` misparses).
            match **a {
                Expr::Str(_) | Expr::Template(_) => {
                    out.push('(');
                    hcl_expr(out, a);
                    out.push(')');
                }
                _ => operand(out, a),
            }
            out.push('[');
            match **i {
                Expr::Bool(_) | Expr::Null => {
                    out.push('(');
                    hcl_expr(out, i);
                    out.push(')');
                }
                _ => hcl_expr(out, i),
            }
            out.push(']');
        }
    }
}

fn operand(out: &mut String, e: &Expr) {
    if matches!(e, Expr::Eq(..)) {
        out.push('(');
        hcl_expr(out, e);
        out.push(')');
    } else {
        hcl_expr(out, e);
    }
}

/// A quoted HCL template: literals escaped as HCL strings, interpolations inline.
fn hcl_template(out: &mut String, parts: &[Expr]) {
    let parts = template_parts(parts);
    out.push('"');
    for (i, p) in parts.iter().enumerate() {
        match &**p {
            Expr::Str(lit) => {
                let start = out.len();
                hcl_escape_into(out, lit);
                // the HCL escaping leaves `$` alone unless before `{`: a final run of `$` is
                // literal `$`s, which would merge with the next `${`; they go into an
                // interpolation of their own.
                let dollars = out.len() - start - out[start..].trim_end_matches('$').len();
                if i + 1 < parts.len() && dollars > 0 {
                    out.truncate(out.len() - dollars);
                    out.push_str("${\"");
                    for _ in 0..dollars {
                        out.push('$');
                    }
                    out.push_str("\"}");
                }
            }
            p => push_interpolation(out, p),
        }
    }
    out.push('"');
}

// references, object keys and template parts are written exactly as in HCL
use super::hcl::{escape_into as hcl_escape_into, template_parts};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Address;
    use serde_json::Value;

    /// The JSON text of a value, read back.
    fn value(e: &Expr) -> Value {
        let mut w = Json::new(0);
        super::value(&mut w, e);
        serde_json::from_str(&w.out).expect("valid JSON")
    }

    #[test]
    fn strings_escape_as_serde_json_does() {
        let all: String = (0u32..0x300)
            .chain([0x2028, 0x2029, 0xfeff, 0x1f600])
            .filter_map(char::from_u32)
            .collect();
        for s in [all.as_str(), "", "plain", "a\"b\\c\u{7f}\u{1}"] {
            let mut out = String::new();
            json_string(&mut out, s);
            assert_eq!(out, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn layout_is_serde_json_pretty() {
        let e = Expr::obj([
            (
                "b",
                Expr::List(vec![Expr::Int(1), Expr::Float(2.5), Expr::Null]),
            ),
            ("a", Expr::List(vec![])),
            ("c", Expr::Object(vec![])),
            ("d", Expr::Float(f64::NAN)),
            ("e", Expr::Float(1e21)),
            ("a", Expr::Bool(true)),
        ]);
        let mut w = Json::new(0);
        super::value(&mut w, &e);
        let expected = serde_json::to_string_pretty(&serde_json::json!({
            "a": true, "b": [1, 2.5, null], "c": {}, "d": null, "e": 1e21
        }))
        .unwrap();
        assert_eq!(w.finish(), expected + "\n");
    }

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
