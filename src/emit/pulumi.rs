//! Pulumi YAML printer: the IR as a Pulumi YAML project (`Pulumi.yaml`, `runtime: yaml`) for the
//! pulumi-aws provider (7.51.1).
//!
//! The IR speaks the hashicorp/aws vocabulary. pulumi-aws is bridged from terraform-provider-aws,
//! so every Terraform type has a token (`aws_vpc` → `aws:ec2/vpc:Vpc`) and every attribute a
//! camelCase property, except where the bridge renamed it: lists are pluralised
//! (`subnet_mapping` → `subnetMappings`), MaxItems=1 blocks become single objects
//! (`versioning_configuration` → `versioningConfiguration: {...}`), `*_id`/`*_arn`/`*_name` that
//! name another resource may lose the suffix. Both mappings are data, derived from the real
//! package by `backends/pulumi/derive.py` into `backends/pulumi/types.json` and
//! `backends/pulumi/properties.json`, embedded here and parsed once.
//!
//! What is written:
//! - `config:` one entry per IR variable (`type: string|integer|boolean|array`, `default`,
//!   `secret: true` for sensitive ones); a reference is `${name}`.
//! - `variables:` one `fn::invoke` per data source (`return:` when every use reads the same
//!   top-level attribute).
//! - `resources:` an explicit provider per IR provider (`aws-provider`, `aws-provider-<alias>`:
//!   `type: pulumi:providers:aws`, region, default tags, assumed role) and every resource with
//!   `options.provider` set to it, `dependsOn`, `customTimeouts` from `timeouts` blocks.
//! - `outputs:` sensitive ones wrapped in `fn::secret`.
//!
//! Logical names. Pulumi YAML has one namespace for config keys, variables and resources, and a
//! logical name is part of a resource's URN: renaming it replaces the resource. So names must be
//! unique *and* stable when the spec grows. Every resource is named `<type without aws_>-<IR name>`
//! (`aws_s3_bucket.audit_logs` → `s3_bucket-audit_logs`, `aws_s3_bucket_policy.audit_logs` →
//! `s3_bucket_policy-audit_logs`), every data source `data-<type without aws_>-<IR name>`. IR names
//! and types never contain `-`, so the scheme is injective and never collides with a config key
//! (an IR variable name, which has no `-`).
//!
//! Physical names are never left to Pulumi's auto-naming when the IR sets them: the IR's
//! `name`/`bucket`/... attributes become the explicit properties, nothing random is added.
//!
//! Escaping. Pulumi YAML interpolates every string (values *and* object keys): `${...}` is a
//! property access and `$$` stands for one `$` (pulumi-yaml `parseInterpolate`). A literal is
//! written so that it reads back as itself: every `$` that is followed by `$` or `{` (or ends a
//! literal that an interpolation follows) is doubled, so `${aws:PrincipalTag/Team}` is written
//! `$${aws:PrincipalTag/Team}` and `$HOME_NET` stays as is. Strings that YAML could read as
//! something else are double-quoted with YAML escapes.
//!
//! Divergences are reported by [`diagnostics`] (codes ZT0050–ZT0059, see [`explain_entries`]):
//! Terraform attributes pulumi-aws lacks, types without a token, expressions Pulumi YAML cannot
//! express (the firewall-endpoint lookup per subnet: a `for` filter), validations Pulumi config
//! cannot enforce, the state backend.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde_json::Value;

use crate::diag::{Diagnostic, Severity};
use crate::ir::{
    Address, Block, Body, Expr, Func, Item, Kind, Module, Ref, RefTarget, Step, VarType,
};
use crate::source::Span;

/// Diagnostic codes of this printer.
pub mod codes {
    /// A Terraform attribute or block has no pulumi-aws property.
    pub const NO_PROPERTY: &str = "ZT0050";
    /// A Terraform resource or data source type has no pulumi-aws token.
    pub const NO_TOKEN: &str = "ZT0051";
    /// An expression Pulumi YAML cannot express; the closest form is written.
    pub const EXPRESSION: &str = "ZT0052";
    /// A variable validation Pulumi config does not enforce.
    pub const VALIDATION: &str = "ZT0053";
    /// A type whose property names are not in the derived tables (bridge naming rule used).
    pub const UNMAPPED_TYPE: &str = "ZT0054";
    /// The pulumi-aws token is deprecated.
    pub const DEPRECATED: &str = "ZT0055";
    /// An object key Pulumi YAML reserves (`fn::`).
    pub const RESERVED_KEY: &str = "ZT0056";
    /// The state backend is configured differently in Pulumi.
    pub const BACKEND: &str = "ZT0057";
    /// A dependency Pulumi cannot express (`dependsOn` on a data source).
    pub const DEPENDENCY: &str = "ZT0058";
    /// A config value type Pulumi config cannot declare.
    pub const CONFIG_TYPE: &str = "ZT0059";
}

const TYPES_JSON: &str = include_str!("../../backends/pulumi/types.json");
const PROPERTIES_JSON: &str = include_str!("../../backends/pulumi/properties.json");

/// Logical name of the default provider resource.
pub const DEFAULT_PROVIDER: &str = "aws-provider";

// ------------------------------------------------------------------------------------------------
// public entry points
// ------------------------------------------------------------------------------------------------

/// Print a module as a Pulumi YAML project (`Pulumi.yaml`).
pub fn emit(module: &Module) -> Vec<(String, String)> {
    let (doc, _) = translate(module);
    vec![("Pulumi.yaml".to_string(), render_document(&doc))]
}

/// Divergences between the hashicorp/aws vocabulary of the IR and pulumi-aws: one diagnostic per
/// divergence, located at the spec node of the block it concerns.
pub fn diagnostics(module: &Module) -> Vec<Diagnostic> {
    translate(module).1
}

/// [`emit`] and [`diagnostics`] from one translation.
pub fn emit_with_diagnostics(module: &Module) -> (Vec<(String, String)>, Vec<Diagnostic>) {
    let (doc, diags) = translate(module);
    (
        vec![("Pulumi.yaml".to_string(), render_document(&doc))],
        diags,
    )
}

/// The Pulumi logical name of a block (see the module docs).
pub fn logical_name(addr: &Address) -> String {
    let ty = addr.ty.strip_prefix("aws_").unwrap_or(&addr.ty);
    match addr.kind {
        Kind::Resource => format!("{ty}-{}", addr.name),
        Kind::Data => format!("data-{ty}-{}", addr.name),
        // Pulumi has no ephemeral resources: a function call, like a data source
        Kind::Ephemeral => format!("ephemeral-{ty}-{}", addr.name),
    }
}

/// The logical name of the provider resource for an IR provider alias.
pub fn provider_name(alias: Option<&str>) -> String {
    match alias {
        None => DEFAULT_PROVIDER.to_string(),
        Some(a) => format!("{DEFAULT_PROVIDER}-{a}"),
    }
}

/// The pulumi-aws token of a Terraform resource type (`aws_vpc` → `aws:ec2/vpc:Vpc`).
pub fn resource_token(tf_type: &str) -> Option<&'static str> {
    tables().resource.get(tf_type).map(String::as_str)
}

/// The pulumi-aws function token of a Terraform data source type.
pub fn function_token(tf_type: &str) -> Option<&'static str> {
    tables().data.get(tf_type).map(String::as_str)
}

/// The Pulumi property a top-level Terraform attribute/block maps to: `Some(Some(name))`, or
/// `Some(None)` when pulumi-aws has no such property, `None` when the type is not in the tables.
pub fn property_name(kind: Kind, tf_type: &str, tf_attr: &str) -> Option<Option<String>> {
    let t = tables();
    let level = match kind {
        Kind::Resource => t.props_resource.get(tf_type)?,
        Kind::Data | Kind::Ephemeral => t.props_data.get(tf_type)?,
    };
    let p = lookup(Sub::Table(level), tf_attr);
    Some(p.name)
}

/// Escape a literal for a Pulumi YAML string (before YAML quoting): `$` doubled where Pulumi would
/// otherwise read an interpolation or an escape. `interp_follows`: an interpolation comes right
/// after this literal.
pub fn escape_interpolation(s: &str, interp_follows: bool) -> String {
    if !s.contains('$') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 1);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '$' {
            match chars.peek() {
                Some('$') | Some('{') => out.push('$'),
                None if interp_follows => out.push('$'),
                _ => {}
            }
        }
    }
    out
}

/// The text a Pulumi YAML string literal without interpolations stands for (`$$` → `$`); used by
/// tests to check [`escape_interpolation`] against Pulumi's rule.
pub fn unescape_interpolation(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("$$") {
            out.push('$');
            rest = &rest[2..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Explain texts of this printer's codes, for `ztc explain`.
pub fn explain_entries() -> Vec<crate::explain::Entry> {
    fn e(
        code: &'static str,
        slug: &'static str,
        severity: Severity,
        summary: &'static str,
        explain: &'static str,
    ) -> crate::explain::Entry {
        crate::explain::Entry {
            code,
            slug,
            severity,
            summary,
            pci: &[],
            explain,
        }
    }
    vec![
        e(codes::NO_PROPERTY, "pulumi-missing-property", Severity::Warning,
            "a Terraform attribute has no property in pulumi-aws",
            "## What it does\nReports an attribute or nested block of the generated Terraform that the pulumi-aws resource (or function) does not have. The Pulumi program leaves it out; a reference to such an attribute is written with its camelCase name and will not resolve.\n\n## Why\nThe HCL and CDKTF outputs target hashicorp/aws 5.x; pulumi-aws 7.x is bridged from terraform-provider-aws 6.x, which removed or renamed some arguments (`aws_flow_log.log_group_name`, `aws_eip.vpc`, `data.aws_region.name`). The three outputs must describe the same infrastructure, so each difference is reported.\n\n## Example\nA flow log that sets `log_group_name` (5.x) instead of `log_destination`.\n\n## Fix\nPrefer the attribute both providers share; otherwise accept the divergence for the Pulumi target (waive it with a reason)."),
        e(codes::NO_TOKEN, "pulumi-missing-type", Severity::Warning,
            "a Terraform resource or data source type has no pulumi-aws equivalent",
            "## What it does\nReports a resource or data source type that pulumi-aws 7.51.1 does not provide. The Pulumi program carries a comment in its place; references to it will not resolve.\n\n## Why\nTypes removed in terraform-provider-aws 6.x (OpsWorks, SimpleDB, ...) or never bridged exist only in the Terraform outputs.\n\n## Example\n`aws_simpledb_domain`.\n\n## Fix\nUse a type both providers support, or build this part with the Terraform targets only."),
        e(codes::EXPRESSION, "pulumi-expression", Severity::Warning,
            "an expression has no Pulumi YAML equivalent; the closest form is written",
            "## What it does\nReports an expression Pulumi YAML cannot write (a `for` expression with a filter, `==`, `length()`, `filebase64sha256()`), names the resource and says what was written instead.\n\n## Why\nPulumi YAML has property access, interpolation and a few `fn::` builtins (`fn::invoke`, `fn::select`, `fn::join`, `fn::toJSON`, `fn::secret`, assets), but no list filter or comparison. The routes through a Network Firewall need the firewall endpoint *in a given subnet*; Terraform filters `firewall_status[0].sync_states` by subnet, Pulumi YAML can only index the list. The printer indexes it by the position of the subnet among the firewall's subnet mappings, which the provider does not promise (Terraform keeps sync states in a set).\n\n## Example\n`vpc_endpoint_id = [for s in ...sync_states : s.attachment[0].endpoint_id if s.attachment[0].subnet_id == aws_subnet.x.id][0]`\n\n## Fix\nAfter `pulumi up`, check each route's `vpcEndpointId` against the firewall's endpoint in the same Availability Zone (`aws network-firewall describe-firewall`), or deploy the inspected routes with the Terraform targets."),
        e(codes::VALIDATION, "pulumi-config-validation", Severity::Warning,
            "Pulumi config does not enforce a variable validation",
            "## What it does\nReports a variable whose Terraform `validation` block (for example the `environment_suffix` pattern) has no counterpart in Pulumi project config.\n\n## Why\nPulumi config declares a type, a default and secrecy, but no pattern or condition. A bad value reaches AWS and fails there (or, for bucket names, may succeed with a name the spec forbids).\n\n## Example\n`environment_suffix` must match `^[a-z0-9][a-z0-9-]{0,7}$`.\n\n## Fix\nSet the config value carefully (`pulumi config set`), or check it in CI before `pulumi up`."),
        e(codes::UNMAPPED_TYPE, "pulumi-unmapped-type", Severity::Warning,
            "property names of a type are not in the derived tables",
            "## What it does\nReports a resource type whose Terraform → Pulumi property names are not in `backends/pulumi/properties.json`; the bridge's naming rule (camelCase, repeated blocks pluralised) is used and may be wrong.\n\n## Why\nThe tables are derived for the types ztc emits and common services; a new type needs the tables re-derived.\n\n## Example\nA new lowering that emits `aws_wafv2_web_acl`.\n\n## Fix\nRe-run `python3 backends/pulumi/derive.py backends/pulumi/pulumi-aws-7.51.1.digest.json.gz <aws provider schema>`."),
        e(codes::DEPRECATED, "pulumi-deprecated-type", Severity::Warning,
            "the pulumi-aws token is deprecated",
            "## What it does\nReports a resource type whose pulumi-aws token is deprecated in favour of another.\n\n## Why\nDeprecated tokens are removed in a later major version.\n\n## Example\n`aws:s3/bucketV2:BucketV2` (use `aws:s3/bucket:Bucket`).\n\n## Fix\nRe-derive the tables; report it if it persists."),
        e(codes::RESERVED_KEY, "pulumi-reserved-key", Severity::Warning,
            "an object key starts with `fn::`, which Pulumi YAML reserves",
            "## What it does\nReports a key of user data (a tag, a policy document) that starts with `fn::` (any case).\n\n## Why\nPulumi YAML reads a one-key object whose key is `fn::<name>` as a builtin call, and warns about other `fn::` keys; there is no escape for keys.\n\n## Example\n`tags: {\"fn::owner\": x}`.\n\n## Fix\nRename the key."),
        e(codes::BACKEND, "pulumi-backend", Severity::Info,
            "the Terraform S3 backend becomes a Pulumi login URL",
            "## What it does\nWrites the spec's state backend as `backend.url: s3://<bucket>?region=<region>` in `Pulumi.yaml` and reports what does not carry over.\n\n## Why\nPulumi keeps state under `.pulumi/` in the bucket and has no DynamoDB lock table (it locks with objects in the bucket); the KMS key encrypts secrets through the stack's secrets provider (`pulumi stack init --secrets-provider awskms://<key>?region=<region>`), not the state object.\n\n## Example\n`state: {bucket: tfstate, lock_table: tflock, key: alias/tfstate}`.\n\n## Fix\nNothing to fix; create the stack with the KMS secrets provider."),
        e(codes::DEPENDENCY, "pulumi-dependency", Severity::Info,
            "a dependency on a data source is not written",
            "## What it does\nReports `depends_on` entries that name a data source; Pulumi's `dependsOn` takes resources only.\n\n## Why\nA Pulumi function call runs when its arguments are known; it is not a resource that can be waited for.\n\n## Example\n`depends_on = [data.aws_iam_policy_document.x]`.\n\n## Fix\nNothing to fix unless the order matters; then reference an attribute of the data source."),
        e(codes::CONFIG_TYPE, "pulumi-config-type", Severity::Warning,
            "a variable's type or default has no Pulumi config equivalent",
            "## What it does\nReports a variable Pulumi project config cannot declare exactly (a number with a fractional default: Pulumi config numbers are integers).\n\n## Why\nThe program would read a different value than Terraform.\n\n## Example\n`ratio: {var: ratio, default: 0.5}`.\n\n## Fix\nUse an integer or a string."),
    ]
}

// ------------------------------------------------------------------------------------------------
// tables
// ------------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    List,
    Object,
    Map,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Name {
    /// snake_case → camelCase
    Camel,
    Renamed(String),
    /// pulumi-aws has no such property
    Missing,
}

#[derive(Debug, Default)]
struct Level(BTreeMap<String, TableEntry>);

#[derive(Debug)]
struct TableEntry {
    name: Name,
    shape: Option<Shape>,
    /// Terraform nests it as a list or set (so `x[0]` of a flattened one drops the index).
    tf_list: bool,
    props: Option<Level>,
    option: Option<String>,
}

struct Tables {
    resource: BTreeMap<String, String>,
    data: BTreeMap<String, String>,
    deprecated: BTreeMap<String, String>,
    provider_token: String,
    props_resource: BTreeMap<String, Level>,
    props_data: BTreeMap<String, Level>,
    provider: Level,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let types: Value = serde_json::from_str(TYPES_JSON).expect("backends/pulumi/types.json");
        let props: Value =
            serde_json::from_str(PROPERTIES_JSON).expect("backends/pulumi/properties.json");
        let strmap = |v: &Value| -> BTreeMap<String, String> {
            v.as_object()
                .map(|o| {
                    o.iter()
                        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
                        .collect()
                })
                .unwrap_or_default()
        };
        let levels = |v: &Value| -> BTreeMap<String, Level> {
            v.as_object()
                .map(|o| o.iter().map(|(k, v)| (k.clone(), parse_level(v))).collect())
                .unwrap_or_default()
        };
        Tables {
            resource: strmap(&types["resource"]),
            data: strmap(&types["data"]),
            deprecated: strmap(&types["deprecated"]),
            provider_token: types["provider"]
                .as_str()
                .unwrap_or("pulumi:providers:aws")
                .to_string(),
            props_resource: levels(&props["resource"]),
            props_data: levels(&props["data"]),
            provider: parse_level(&props["provider"]),
        }
    })
}

fn parse_level(v: &Value) -> Level {
    let mut out = BTreeMap::new();
    if let Some(o) = v.as_object() {
        for (k, e) in o {
            let name = match e.get("name") {
                None => Name::Camel,
                Some(Value::Null) => Name::Missing,
                Some(Value::String(s)) if *s == camel(k) => Name::Camel,
                Some(Value::String(s)) => Name::Renamed(s.clone()),
                Some(_) => Name::Camel,
            };
            let shape = match e.get("kind").and_then(Value::as_str) {
                Some("list") => Some(Shape::List),
                Some("object") => Some(Shape::Object),
                Some("map") => Some(Shape::Map),
                _ => None,
            };
            let tf_list = matches!(e.get("tf").and_then(Value::as_str), Some("list" | "set"));
            out.insert(
                k.clone(),
                TableEntry {
                    name,
                    shape,
                    tf_list,
                    props: e.get("props").map(parse_level),
                    option: e.get("option").and_then(Value::as_str).map(str::to_string),
                },
            );
        }
    }
    Level(out)
}

/// snake_case → camelCase, the bridge's default rename.
pub fn camel(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut up = false;
    for (i, c) in s.chars().enumerate() {
        if c == '_' && i > 0 {
            up = true;
        } else if up {
            out.extend(c.to_uppercase());
            up = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn plural(s: &str) -> String {
    if s.ends_with('s') {
        s.to_string()
    } else if s.ends_with('y') && !s.ends_with("ay") && !s.ends_with("ey") && !s.ends_with("oy") {
        format!("{}ies", &s[..s.len() - 1])
    } else {
        format!("{s}s")
    }
}

/// Where the names of a level come from.
#[derive(Clone, Copy)]
enum Sub<'t> {
    /// The derived table of this level (names absent from it are plain camelCase scalars).
    Table(&'t Level),
    /// No table: the bridge rule (camelCase, nested names too).
    Camel,
    /// User data (map keys, JSON documents): names verbatim.
    Data,
}

static EMPTY: Level = Level(BTreeMap::new());

struct Prop<'t> {
    /// None: pulumi-aws has no such property.
    name: Option<String>,
    shape: Option<Shape>,
    tf_list: bool,
    sub: Sub<'t>,
    option: Option<&'t str>,
}

fn lookup<'t>(sub: Sub<'t>, tf_name: &str) -> Prop<'t> {
    match sub {
        Sub::Table(level) => match level.0.get(tf_name) {
            Some(e) => Prop {
                name: match &e.name {
                    Name::Camel => Some(camel(tf_name)),
                    Name::Renamed(n) => Some(n.clone()),
                    Name::Missing => None,
                },
                shape: e.shape,
                tf_list: e.tf_list,
                sub: match (&e.props, e.shape) {
                    (Some(p), _) => Sub::Table(p),
                    (None, Some(Shape::List | Shape::Object)) => Sub::Table(&EMPTY),
                    _ => Sub::Data,
                },
                option: e.option.as_deref(),
            },
            None => Prop {
                name: Some(camel(tf_name)),
                shape: None,
                tf_list: false,
                sub: Sub::Data,
                option: None,
            },
        },
        Sub::Camel => Prop {
            name: Some(camel(tf_name)),
            shape: None,
            tf_list: false,
            sub: Sub::Camel,
            option: None,
        },
        Sub::Data => Prop {
            name: Some(tf_name.to_string()),
            shape: None,
            tf_list: false,
            sub: Sub::Data,
            option: None,
        },
    }
}

// ------------------------------------------------------------------------------------------------
// YAML tree
// ------------------------------------------------------------------------------------------------

/// A YAML value. Strings hold Pulumi YAML text (interpolations `${...}` and escapes `$$` already
/// in place); the printer only adds YAML quoting.
#[derive(Debug, Clone, PartialEq)]
enum Y {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Y>),
    Map(Vec<MapEntry>),
}

#[derive(Debug, Clone, PartialEq)]
struct MapEntry {
    /// None: a comment without an entry.
    key: Option<String>,
    value: Y,
    /// Comment lines printed above the entry.
    comment: Vec<String>,
}

impl Y {
    fn map() -> Y {
        Y::Map(Vec::new())
    }
    fn push(&mut self, key: impl Into<String>, value: Y) {
        if let Y::Map(m) = self {
            m.push(MapEntry {
                key: Some(key.into()),
                value,
                comment: Vec::new(),
            });
        }
    }
    fn push_commented(&mut self, key: impl Into<String>, value: Y, comment: Vec<String>) {
        if let Y::Map(m) = self {
            m.push(MapEntry {
                key: Some(key.into()),
                value,
                comment,
            });
        }
    }
    fn is_empty_map(&self) -> bool {
        matches!(self, Y::Map(m) if m.iter().all(|e| e.key.is_none()))
    }
    fn single(key: &str, value: Y) -> Y {
        let mut m = Y::map();
        m.push(key, value);
        m
    }
}

/// Print the document: block style, 2-space indentation, keys in the order given.
fn render_document(doc: &Y) -> String {
    let mut out = String::new();
    if let Y::Map(entries) = doc {
        for e in entries {
            render_entry(&mut out, e, 0);
        }
    }
    out
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push_str("  ");
    }
}

fn render_entry(out: &mut String, e: &MapEntry, level: usize) {
    for c in &e.comment {
        indent(out, level);
        if c.is_empty() {
            out.push_str("#\n");
        } else {
            let _ = writeln!(out, "# {c}");
        }
    }
    let Some(key) = &e.key else {
        return;
    };
    indent(out, level);
    push_yaml_string(out, key);
    out.push(':');
    render_value_after_key(out, &e.value, level);
}

/// After `key:` — a scalar or empty collection on the same line, else a nested block.
fn render_value_after_key(out: &mut String, v: &Y, level: usize) {
    match v {
        Y::Map(m) if !m.is_empty() => {
            out.push('\n');
            for e in m {
                render_entry(out, e, level + 1);
            }
        }
        Y::List(l) if !l.is_empty() => {
            out.push('\n');
            for item in l {
                render_list_item(out, item, level + 1);
            }
        }
        other => {
            out.push(' ');
            push_scalar(out, other);
            out.push('\n');
        }
    }
}

fn render_list_item(out: &mut String, v: &Y, level: usize) {
    indent(out, level);
    out.push('-');
    match v {
        Y::Map(m) if !m.is_empty() => {
            // `- key: value` with the following keys aligned under the first
            let mut first = true;
            for e in m {
                if let (true, true, Some(key)) = (first, e.comment.is_empty(), &e.key) {
                    out.push(' ');
                    push_yaml_string(out, key);
                    out.push(':');
                    render_value_after_key(out, &e.value, level + 1);
                } else {
                    if first {
                        out.push('\n');
                    }
                    render_entry(out, e, level + 1);
                }
                first = false;
            }
        }
        // a nested list or a scalar follows `-` as it follows `key:`
        other => render_value_after_key(out, other, level),
    }
}

fn push_scalar(out: &mut String, v: &Y) {
    match v {
        Y::Null => out.push_str("null"),
        Y::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Y::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Y::Float(f) => out.push_str(&float(*f)),
        Y::Str(s) => push_yaml_string(out, s),
        Y::List(_) => out.push_str("[]"),
        Y::Map(_) => out.push_str("{}"),
    }
}

/// A float YAML 1.1 and 1.2 loaders both read as a float (`1.0e+20`, `.inf`, `.nan`).
fn float(f: f64) -> String {
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    let s = format!("{f:?}");
    let (mant, exp) = match s.split_once('e') {
        Some((m, e)) => (m.to_string(), Some(e.to_string())),
        None => (s.clone(), None),
    };
    let mant = if mant.contains('.') {
        mant
    } else {
        format!("{mant}.0")
    };
    match exp {
        Some(e) if e.starts_with('-') => format!("{mant}e{e}"),
        Some(e) => format!("{mant}e+{e}"),
        None => mant,
    }
}

/// A YAML scalar for a string: plain when no YAML 1.1/1.2 loader can read it as anything else,
/// else double-quoted with escapes.
#[cfg(test)]
fn yaml_string(s: &str) -> String {
    let mut out = String::new();
    push_yaml_string(&mut out, s);
    out
}

/// [`yaml_string`], appended to `out`.
fn push_yaml_string(out: &mut String, s: &str) {
    if plain_ok(s) {
        out.push_str(s);
    } else {
        double_quoted_into(out, s);
    }
}

/// The bytes a plain scalar may hold: ASCII letters, digits and ` _-./:@${}()+=*,[]<>^~;?!&%`.
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_alphanumeric();
        c += 1;
    }
    let extra = b" _-./:@${}()+=*,[]<>^~;?!&%";
    let mut i = 0;
    while i < extra.len() {
        t[extra[i] as usize] = true;
        i += 1;
    }
    t
};

fn plain_ok(s: &str) -> bool {
    // ASCII only: every other character is quoted
    let b = s.as_bytes();
    let Some(&first) = b.first() else {
        return false;
    };
    if !(first.is_ascii_alphabetic() || matches!(first, b'_' | b'/' | b'$')) {
        return false;
    }
    let mut prev = 0u8;
    for &c in b {
        let ok = PLAIN[c as usize];
        // `: ` reads as a mapping, ` #` as a comment
        if !ok || (prev == b':' && c == b' ') || (prev == b' ' && c == b'#') {
            return false;
        }
        prev = c;
    }
    if matches!(prev, b' ' | b':') {
        return false;
    }
    const SPECIAL: [&str; 11] = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
    ];
    !(s.len() <= 5 && SPECIAL.iter().any(|w| w.eq_ignore_ascii_case(s)))
}

fn double_quoted_into(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{0}' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if (c as u32) < 0x20 || (0x7f..0xa0).contains(&(c as u32)) => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            '\u{feff}' | '\u{fffe}' | '\u{ffff}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

// ------------------------------------------------------------------------------------------------
// translation
// ------------------------------------------------------------------------------------------------

/// Where a diagnostic goes: the block (or variable/output) it concerns.
#[derive(Clone)]
struct At {
    span: Option<Span>,
    scope: Option<String>,
    what: String,
}

impl At {
    fn block(b: &Block) -> At {
        At {
            span: Some(b.span),
            scope: Some(b.origin.clone()),
            what: b.addr.tf(),
        }
    }
}

struct Tr<'m> {
    module: &'m Module,
    /// Each divergence with the block (or element) it is about.
    diags: Vec<(Diagnostic, String)>,
    /// Seen (code, what, detail) to report each divergence once.
    seen: BTreeSet<(String, String, String)>,
    /// Data sources invoked with `return:` → the Terraform attribute returned.
    returns: BTreeMap<Address, String>,
}

fn translate(module: &Module) -> (Y, Vec<Diagnostic>) {
    let mut tr = Tr {
        module,
        diags: Vec::new(),
        seen: BTreeSet::new(),
        returns: data_returns(module),
    };
    let doc = tr.document();
    (doc, merge_alike(tr.diags))
}

/// One diagnostic for the divergences that differ only in the block they are about (same code,
/// spec location, severity and fix, e.g. eighteen firewall routes): the first one's message,
/// followed by the other blocks.
fn merge_alike(diags: Vec<(Diagnostic, String)>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| {
        (
            d.code,
            d.severity,
            d.span.map(|s| (s.start, s.end)),
            d.help.clone(),
        )
    };
    let mut out: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    for (d, what) in diags {
        match out.iter_mut().find(|(o, _)| key(o) == key(&d)) {
            Some((_, others)) => others.push(what),
            None => out.push((d, Vec::new())),
        }
    }
    out.into_iter()
        .map(|(mut d, others)| {
            if !others.is_empty() {
                let list: Vec<String> = others.iter().map(|w| format!("`{w}`")).collect();
                d.message = format!(
                    "{}; the same for {} more: {}",
                    d.message,
                    others.len(),
                    list.join(", ")
                );
            }
            d
        })
        .collect()
}

/// For each data source whose every use reads the same top-level attribute (that pulumi-aws
/// has), that attribute: the invoke can `return:` it.
fn data_returns(module: &Module) -> BTreeMap<Address, String> {
    let mut uses: BTreeMap<Address, BTreeSet<Option<String>>> = BTreeMap::new();
    fn walk(e: &Expr, uses: &mut BTreeMap<Address, BTreeSet<Option<String>>>) {
        match e {
            Expr::Ref(Ref {
                target: RefTarget::Block(a),
                path,
            }) if a.kind != Kind::Resource => {
                let first = match path.first() {
                    Some(Step::Attr(s)) => Some(s.clone()),
                    _ => None,
                };
                uses.entry(a.clone()).or_default().insert(first);
            }
            Expr::List(xs) | Expr::Template(xs) | Expr::Call(_, xs) => {
                xs.iter().for_each(|x| walk(x, uses))
            }
            Expr::Object(kv) => kv.iter().for_each(|(_, v)| walk(v, uses)),
            Expr::JsonEncode(x) => walk(x, uses),
            Expr::For {
                coll, value, cond, ..
            } => {
                walk(coll, uses);
                walk(value, uses);
                if let Some(c) = cond {
                    walk(c, uses);
                }
            }
            Expr::Eq(a, b) | Expr::Index(a, b) => {
                walk(a, uses);
                walk(b, uses);
            }
            _ => {}
        }
    }
    fn body(b: &Body, uses: &mut BTreeMap<Address, BTreeSet<Option<String>>>) {
        for (_, item) in &b.items {
            match item {
                Item::Attr(e) => walk(e, uses),
                Item::Block(b) => body(b, uses),
            }
        }
    }
    for b in module.blocks() {
        body(&b.body, &mut uses);
    }
    for p in &module.providers {
        body(&p.body, &mut uses);
    }
    for o in &module.outputs {
        walk(&o.value, &mut uses);
    }
    let t = tables();
    uses.into_iter()
        .filter_map(|(addr, firsts)| {
            if firsts.len() != 1 {
                return None;
            }
            let attr = firsts.into_iter().next()??;
            if attr == "id" {
                return None;
            }
            let level = t.props_data.get(&addr.ty)?;
            lookup(Sub::Table(level), &attr).name?;
            Some((addr, attr))
        })
        .collect()
}

impl<'m> Tr<'m> {
    fn diag(
        &mut self,
        code: &'static str,
        sev: Severity,
        at: &At,
        detail: &str,
        msg: String,
        help: &str,
    ) {
        let key = (code.to_string(), at.what.clone(), detail.to_string());
        if !self.seen.insert(key) {
            return;
        }
        let mut d = Diagnostic::new(code, sev, msg).help(help);
        d.span = at.span;
        if let Some(s) = &at.scope {
            d = d.scope(s.clone());
        }
        self.diags.push((d, at.what.clone()));
    }

    fn document(&mut self) -> Y {
        let m = self.module;
        let mut doc = Y::map();
        doc.push("name", Y::Str(escape_interpolation(&m.name, false)));
        doc.push("runtime", Y::Str("yaml".into()));
        doc.push(
            "description",
            Y::Str(escape_interpolation(
                &format!(
                    "{}: zero-trust infrastructure generated by ztc from its spec; do not edit by hand",
                    m.name
                ),
                false,
            )),
        );
        if let Some(b) = &m.backend {
            let mut backend = Y::map();
            let url = format!("s3://{}?region={}", b.bucket, b.region);
            backend.push("url", Y::Str(escape_interpolation(&url, false)));
            doc.push("backend", backend);
            let mut parts = vec![format!(
                "Pulumi state goes to `{url}` (Pulumi keeps it under `.pulumi/`, not at key `{}`)",
                b.key
            )];
            if let Some(t) = &b.dynamodb_table {
                parts.push(format!(
                    "the DynamoDB lock table `{t}` has no Pulumi counterpart (Pulumi locks with objects in the bucket)"
                ));
            }
            if let Some(k) = &b.kms_key_id {
                parts.push(format!(
                    "KMS key `{k}` belongs in the stack's secrets provider: `pulumi stack init --secrets-provider \"awskms://{k}?region={}\"`",
                    b.region
                ));
            }
            let at = At {
                span: None,
                scope: Some("state".into()),
                what: "backend".into(),
            };
            self.diag(
                codes::BACKEND,
                Severity::Info,
                &at,
                "",
                parts.join("; "),
                "log in with `pulumi login` to this URL before `pulumi up`",
            );
        }
        let config = self.config();
        if !config.is_empty_map() {
            doc.push("config", config);
        }
        let variables = self.variables();
        if !variables.is_empty_map() {
            doc.push("variables", variables);
        }
        let resources = self.resources();
        doc.push("resources", resources);
        let outputs = self.outputs();
        if !outputs.is_empty_map() {
            doc.push("outputs", outputs);
        }
        doc
    }

    // ---- config -------------------------------------------------------------------------------

    fn config(&mut self) -> Y {
        let mut cfg = Y::map();
        for v in &self.module.variables {
            let at = At {
                span: Some(v.span),
                scope: None,
                what: format!("var.{}", v.name),
            };
            let mut e = Y::map();
            let ty = match v.ty {
                VarType::String => "string",
                VarType::Number => "integer",
                VarType::Bool => "boolean",
                VarType::ListString => "array",
            };
            e.push("type", Y::Str(ty.into()));
            if v.ty == VarType::ListString {
                e.push("items", Y::single("type", Y::Str("string".into())));
            }
            if !v.description.is_empty() {
                e.push(
                    "description",
                    Y::Str(escape_interpolation(&v.description, false)),
                );
            }
            if let Some(d) = &v.default {
                if let (VarType::Number, Expr::Float(f)) = (v.ty, d) {
                    if f.fract() != 0.0 {
                        self.diag(
                            codes::CONFIG_TYPE,
                            Severity::Warning,
                            &at,
                            "",
                            format!(
                                "variable `{}` has the fractional default {f}; Pulumi config numbers are integers",
                                v.name
                            ),
                            "use an integer or a string variable",
                        );
                    }
                }
                let val = self.expr(d, &at);
                e.push("default", val);
            }
            if v.sensitive {
                e.push("secret", Y::Bool(true));
            }
            for val in &v.validations {
                let cond = crate::emit::hcl::expr_to_string(&val.condition);
                self.diag(
                    codes::VALIDATION,
                    Severity::Warning,
                    &at,
                    &cond,
                    format!(
                        "Pulumi config cannot enforce the validation of `{}` (`{cond}`): {}",
                        v.name, val.error_message
                    ),
                    "check the value before `pulumi up` (e.g. in CI); the Terraform targets enforce it",
                );
            }
            cfg.push(v.name.clone(), e);
        }
        cfg
    }

    // ---- data sources ---------------------------------------------------------------------------

    fn variables(&mut self) -> Y {
        let mut vars = Y::map();
        let t = tables();
        for b in &self.module.data {
            let at = At::block(b);
            let name = logical_name(&b.addr);
            let Some(token) = t.data.get(&b.addr.ty) else {
                self.diag(
                    codes::NO_TOKEN,
                    Severity::Warning,
                    &at,
                    "",
                    format!(
                        "data source `{}` has no pulumi-aws function; the Pulumi program has no `{name}`",
                        b.addr.tf()
                    ),
                    "use a data source both providers support, or the Terraform targets",
                );
                continue;
            };
            let level = self.level_of(Kind::Data, &b.addr.ty, &at);
            let mut inv = Y::map();
            inv.push("function", Y::Str(token.clone()));
            let args = self.body(&b.body, level, &at, &mut Y::map());
            if !args.is_empty_map() {
                inv.push("arguments", args);
            }
            let mut opts = Y::map();
            opts.push(
                "provider",
                Y::Str(format!("${{{}}}", provider_name(b.provider.as_deref()))),
            );
            inv.push("options", opts);
            if let Some(attr) = self.returns.get(&b.addr).cloned() {
                if let Some(n) = lookup(level, &attr).name {
                    inv.push("return", Y::Str(n));
                }
            }
            for d in &b.depends_on {
                self.diag(
                    codes::DEPENDENCY,
                    Severity::Info,
                    &at,
                    &d.tf(),
                    format!(
                        "`{}` depends on `{}`; a Pulumi function call takes no `dependsOn`",
                        b.addr.tf(),
                        d.tf()
                    ),
                    "reference an attribute of the dependency in the arguments if the order matters",
                );
            }
            let mut comment = block_comment(b);
            if b.addr.kind == Kind::Ephemeral {
                comment.extend([
                    "ephemeral in the Terraform targets: never in their plan or state.".to_string(),
                    "Pulumi has no ephemeral resources: this call runs at every update, and the"
                        .to_string(),
                    "stack state records the inputs of the resources that use its result."
                        .to_string(),
                ]);
            }
            if let Y::Map(m) = &mut vars {
                m.push(MapEntry {
                    key: Some(name),
                    value: Y::single("fn::invoke", inv),
                    comment,
                });
            }
        }
        vars
    }

    fn level_of(&mut self, kind: Kind, ty: &str, at: &At) -> Sub<'static> {
        let t = tables();
        let level = match kind {
            Kind::Resource => t.props_resource.get(ty),
            Kind::Data | Kind::Ephemeral => t.props_data.get(ty),
        };
        match level {
            Some(l) => Sub::Table(l),
            None => {
                self.diag(
                    codes::UNMAPPED_TYPE,
                    Severity::Warning,
                    at,
                    ty,
                    format!(
                        "`{ty}` is not in the derived Pulumi property tables; its property names follow the bridge's naming rule and are unchecked"
                    ),
                    "re-derive backends/pulumi/properties.json with backends/pulumi/derive.py",
                );
                Sub::Camel
            }
        }
    }

    // ---- resources ------------------------------------------------------------------------------

    fn resources(&mut self) -> Y {
        let mut res = Y::map();
        let t = tables();
        for p in &self.module.providers {
            if p.name != "aws" {
                continue;
            }
            let at = At {
                span: None,
                scope: None,
                what: format!("provider.{}", p.name),
            };
            let mut r = Y::map();
            r.push("type", Y::Str(t.provider_token.clone()));
            let props = self.body(&p.body, Sub::Table(&t.provider), &at, &mut Y::map());
            if !props.is_empty_map() {
                r.push("properties", props);
            }
            res.push(provider_name(p.alias.as_deref()), r);
        }
        for b in &self.module.resources {
            let at = At::block(b);
            let name = logical_name(&b.addr);
            let mut comment = block_comment(b);
            let Some(token) = t.resource.get(&b.addr.ty) else {
                self.diag(
                    codes::NO_TOKEN,
                    Severity::Warning,
                    &at,
                    "",
                    format!(
                        "resource type `{}` has no pulumi-aws equivalent; `{}` is left out of the Pulumi program",
                        b.addr.ty,
                        b.addr.tf()
                    ),
                    "use a resource type both providers support, or the Terraform targets",
                );
                comment.push(format!(
                    "ztc: {} ({}) has no pulumi-aws equivalent and is not part of this program",
                    name,
                    b.addr.tf()
                ));
                // a comment keeps the gap visible in the program
                if let Y::Map(m) = &mut res {
                    m.push(MapEntry {
                        key: None,
                        value: Y::Null,
                        comment,
                    });
                }
                continue;
            };
            if let Some(msg) = t.deprecated.get(token) {
                self.diag(
                    codes::DEPRECATED,
                    Severity::Warning,
                    &at,
                    token,
                    format!(
                        "`{}` maps to the deprecated token `{token}`: {msg}",
                        b.addr.tf()
                    ),
                    "re-derive the Pulumi tables",
                );
            }
            let level = self.level_of(Kind::Resource, &b.addr.ty, &at);
            let mut extra = Y::map();
            let props = self.body_at(&b.body, level, &at, &mut extra, true);
            let mut r = Y::map();
            r.push("type", Y::Str(token.clone()));
            if !props.is_empty_map() {
                r.push("properties", props);
            }
            let mut opts = Y::map();
            opts.push(
                "provider",
                Y::Str(format!("${{{}}}", provider_name(b.provider.as_deref()))),
            );
            let mut deps = Vec::new();
            for d in &b.depends_on {
                if d.kind != Kind::Resource {
                    self.diag(
                        codes::DEPENDENCY,
                        Severity::Info,
                        &at,
                        &d.tf(),
                        format!(
                            "`{}` depends on the data source `{}`; Pulumi `dependsOn` takes resources only",
                            b.addr.tf(),
                            d.tf()
                        ),
                        "reference an attribute of the data source if the order matters",
                    );
                    continue;
                }
                deps.push(Y::Str(format!("${{{}}}", logical_name(d))));
            }
            if !deps.is_empty() {
                opts.push("dependsOn", Y::List(deps));
            }
            if let (Y::Map(o), Y::Map(x)) = (&mut opts, extra) {
                o.extend(x);
            }
            r.push("options", opts);
            if let Y::Map(m) = &mut res {
                m.push(MapEntry {
                    key: Some(name),
                    value: r,
                    comment,
                });
            }
        }
        res
    }

    /// Properties of a body. Repeated blocks become a list or (MaxItems=1 in Pulumi) an object;
    /// `timeouts` blocks become the `customTimeouts` option (added to the map `extra`).
    fn body(&mut self, body: &Body, level: Sub<'_>, at: &At, extra: &mut Y) -> Y {
        self.body_at(body, level, at, extra, false)
    }

    /// `resource_top`: the top level of a resource, where `id` is the resource id, not an input,
    /// and `lifecycle` the meta-argument block (resource options in Pulumi, added to `extra`).
    fn body_at(
        &mut self,
        body: &Body,
        level: Sub<'_>,
        at: &At,
        extra: &mut Y,
        resource_top: bool,
    ) -> Y {
        let mut out = Y::map();
        let mut order: Vec<&str> = Vec::new();
        let mut groups: BTreeMap<&str, Vec<&Item>> = BTreeMap::new();
        for (k, item) in &body.items {
            if !groups.contains_key(k.as_str()) {
                order.push(k);
            }
            groups.entry(k).or_default().push(item);
        }
        for k in order {
            let items = &groups[k];
            if k == "id" && resource_top {
                self.diag(
                    codes::NO_PROPERTY,
                    Severity::Warning,
                    at,
                    k,
                    format!(
                        "`{}` sets `id`, which is the resource id in Pulumi, not an input",
                        at.what
                    ),
                    "leave `id` to the provider",
                );
                continue;
            }
            if k == "lifecycle" && resource_top {
                for item in items {
                    if let Item::Block(b) = item {
                        self.lifecycle(b, level, at, extra);
                    }
                }
                continue;
            }
            let prop = lookup(level, k);
            if prop.option == Some("customTimeouts") {
                if let Some(Item::Block(b)) = items.first() {
                    let t = self.body(b, Sub::Data, at, &mut Y::map());
                    extra.push("customTimeouts", t);
                }
                continue;
            }
            let Some(pname) = prop.name.clone() else {
                self.diag(
                    codes::NO_PROPERTY,
                    Severity::Warning,
                    at,
                    k,
                    format!(
                        "`{}` sets `{k}`, which pulumi-aws {} does not have; the Pulumi program leaves it out",
                        at.what,
                        pulumi_aws_version()
                    ),
                    "use an attribute both providers share, or accept the divergence for the Pulumi target",
                );
                continue;
            };
            let blocks: Vec<&Body> = items
                .iter()
                .filter_map(|i| match i {
                    Item::Block(b) => Some(b),
                    Item::Attr(_) => None,
                })
                .collect();
            let value = if !blocks.is_empty() {
                let shape = match (prop.shape, level) {
                    (Some(s), _) => s,
                    (None, Sub::Camel) => Shape::List,
                    (None, _) => {
                        if blocks.len() == 1 {
                            Shape::Object
                        } else {
                            Shape::List
                        }
                    }
                };
                match shape {
                    Shape::Object => {
                        if blocks.len() > 1 {
                            self.diag(
                                codes::NO_PROPERTY,
                                Severity::Warning,
                                at,
                                k,
                                format!(
                                    "`{}` has {} `{k}` blocks; pulumi-aws takes one, the first is written",
                                    at.what,
                                    blocks.len()
                                ),
                                "keep one block",
                            );
                        }
                        self.body(blocks[0], prop.sub, at, &mut Y::map())
                    }
                    Shape::List | Shape::Map => Y::List(
                        blocks
                            .iter()
                            .map(|b| self.body(b, prop.sub, at, &mut Y::map()))
                            .collect(),
                    ),
                }
            } else {
                let Some(Item::Attr(e)) = items.last() else {
                    continue;
                };
                if matches!(e, Expr::Null) {
                    continue;
                }
                let v = self.attr_value(e, &prop, at);
                if k == "filename" && pname == "code" {
                    Y::single("fn::fileArchive", v)
                } else {
                    v
                }
            };
            if matches!(value, Y::Null) {
                continue;
            }
            let pname = if matches!(level, Sub::Camel) && blocks.len() > 1 {
                plural(&pname)
            } else {
                pname
            };
            out.push(pname, value);
        }
        out
    }

    /// Terraform's `lifecycle` meta-arguments as Pulumi resource options: `prevent_destroy` →
    /// `protect`, `ignore_changes` → `ignoreChanges` (Pulumi property names),
    /// `create_before_destroy = false` → `deleteBeforeReplace`; the rest is reported.
    fn lifecycle(&mut self, b: &Body, level: Sub<'_>, at: &At, extra: &mut Y) {
        for (k, item) in &b.items {
            let Item::Attr(e) = item else {
                self.diag(
                    codes::NO_PROPERTY,
                    Severity::Warning,
                    at,
                    &format!("lifecycle.{k}"),
                    format!("`{}` has a `lifecycle {{ {k} }}` block, which Pulumi has no option for; it is left out", at.what),
                    "check the condition outside Pulumi",
                );
                continue;
            };
            match (k.as_str(), e) {
                ("prevent_destroy", Expr::Bool(v)) => extra.push("protect", Y::Bool(*v)),
                ("create_before_destroy", Expr::Bool(true)) => {}
                ("create_before_destroy", Expr::Bool(false)) => {
                    extra.push("deleteBeforeReplace", Y::Bool(true))
                }
                ("ignore_changes", Expr::List(xs)) => {
                    let mut names = Vec::new();
                    for x in xs {
                        let path: Vec<String> = match x {
                            Expr::Ref(Ref {
                                target: RefTarget::Local(n),
                                path,
                            }) => {
                                let mut p = vec![n.clone()];
                                p.extend(path.iter().filter_map(|s| match s {
                                    Step::Attr(a) | Step::Key(a) => Some(a.clone()),
                                    Step::Index(_) => None,
                                }));
                                p
                            }
                            Expr::Str(s) => s.split('.').map(str::to_string).collect(),
                            _ => continue,
                        };
                        let mut sub = level;
                        let mut out = Vec::new();
                        for seg in &path {
                            let p = lookup(sub, seg);
                            match p.name {
                                Some(n) => out.push(n),
                                None => {
                                    out.clear();
                                    break;
                                }
                            }
                            sub = p.sub;
                        }
                        if !out.is_empty() {
                            names.push(Y::Str(out.join(".")));
                        }
                    }
                    if !names.is_empty() {
                        extra.push("ignoreChanges", Y::List(names));
                    }
                }
                _ => {
                    let text = crate::emit::hcl::expr_to_string(e);
                    self.diag(
                        codes::NO_PROPERTY,
                        Severity::Warning,
                        at,
                        &format!("lifecycle.{k}"),
                        format!("`{}` sets `lifecycle {{ {k} = {text} }}`, which has no Pulumi resource option; it is left out", at.what),
                        "check the behaviour after `pulumi up`",
                    );
                }
            }
        }
    }

    /// The value of an attribute: object-typed attributes (`[{...}]` written as attributes) get
    /// their keys renamed like blocks; everything else is data.
    fn attr_value(&mut self, e: &Expr, prop: &Prop<'_>, at: &At) -> Y {
        match (prop.shape, e) {
            (Some(Shape::Object), Expr::Object(kv)) => self.object_props(kv, prop.sub, at),
            (Some(Shape::Object), Expr::List(xs)) if xs.len() == 1 => {
                if let Expr::Object(kv) = &xs[0] {
                    self.object_props(kv, prop.sub, at)
                } else {
                    self.expr(e, at)
                }
            }
            (Some(Shape::List), Expr::List(xs)) => Y::List(
                xs.iter()
                    .map(|x| match x {
                        Expr::Object(kv) => self.object_props(kv, prop.sub, at),
                        x => self.expr(x, at),
                    })
                    .collect(),
            ),
            _ => self.expr(e, at),
        }
    }

    fn object_props(&mut self, kv: &[(String, Expr)], sub: Sub<'_>, at: &At) -> Y {
        let mut out = Y::map();
        for (k, v) in kv {
            let p = lookup(sub, k);
            match p.name.clone() {
                Some(n) => {
                    if matches!(v, Expr::Null) {
                        continue;
                    }
                    let y = self.attr_value(v, &p, at);
                    out.push(n, y);
                }
                None => self.diag(
                    codes::NO_PROPERTY,
                    Severity::Warning,
                    at,
                    k,
                    format!(
                        "`{}` sets `{k}`, which pulumi-aws {} does not have; the Pulumi program leaves it out",
                        at.what,
                        pulumi_aws_version()
                    ),
                    "use an attribute both providers share",
                ),
            }
        }
        out
    }

    // ---- expressions ----------------------------------------------------------------------------

    fn expr(&mut self, e: &Expr, at: &At) -> Y {
        match e {
            Expr::Null => Y::Null,
            Expr::Bool(b) => Y::Bool(*b),
            Expr::Int(i) => Y::Int(*i),
            Expr::Float(f) => Y::Float(*f),
            Expr::Str(s) => Y::Str(escape_interpolation(s, false)),
            Expr::List(xs) => Y::List(xs.iter().map(|x| self.expr(x, at)).collect()),
            Expr::Object(kv) => {
                let mut m = Y::map();
                for (k, v) in kv {
                    if k.len() >= 4 && k[..4].eq_ignore_ascii_case("fn::") {
                        self.diag(
                            codes::RESERVED_KEY,
                            Severity::Warning,
                            at,
                            k,
                            format!(
                                "`{}` has the object key `{k}`; Pulumi YAML reserves keys starting with `fn::`",
                                at.what
                            ),
                            "rename the key",
                        );
                    }
                    let y = self.expr(v, at);
                    m.push(escape_interpolation(k, false), y);
                }
                m
            }
            Expr::Ref(r) => match self.reference(r, at) {
                Some(s) => Y::Str(format!("${{{s}}}")),
                None => Y::Null,
            },
            Expr::Template(parts) => self.template(parts, at),
            Expr::JsonEncode(x) => Y::single("fn::toJSON", self.expr(x, at)),
            Expr::Call(f, args) => self.call(*f, args, at),
            Expr::Index(coll, idx) => self.index(coll, idx, at),
            Expr::For { .. } => {
                let text = crate::emit::hcl::expr_to_string(e);
                self.diag(
                    codes::EXPRESSION,
                    Severity::Warning,
                    at,
                    &text,
                    format!(
                        "`{}` uses a `for` expression (`{text}`), which Pulumi YAML cannot express; the collection is written unfiltered",
                        at.what
                    ),
                    "check the value after `pulumi up`",
                );
                match e {
                    Expr::For { coll, .. } => self.expr(coll, at),
                    _ => Y::Null,
                }
            }
            Expr::Eq(..) => {
                let text = crate::emit::hcl::expr_to_string(e);
                self.diag(
                    codes::EXPRESSION,
                    Severity::Warning,
                    at,
                    &text,
                    format!(
                        "`{}` compares values (`{text}`), which Pulumi YAML cannot express; the value is left out",
                        at.what
                    ),
                    "set the value explicitly",
                );
                Y::Null
            }
        }
    }

    fn template(&mut self, parts: &[Expr], at: &At) -> Y {
        // Pulumi interpolation takes property accesses only; anything else goes through fn::join.
        let simple = parts.iter().all(|p| {
            matches!(
                p,
                Expr::Str(_)
                    | Expr::Ref(Ref {
                        target: RefTarget::Block(_) | RefTarget::Var(_),
                        ..
                    })
            )
        });
        if simple {
            let mut s = String::new();
            for (i, p) in parts.iter().enumerate() {
                match p {
                    Expr::Str(lit) => {
                        let next_is_interp = matches!(parts.get(i + 1), Some(Expr::Ref(_)));
                        s.push_str(&escape_interpolation(lit, next_is_interp));
                    }
                    Expr::Ref(r) => {
                        if let Some(acc) = self.reference(r, at) {
                            let _ = write!(s, "${{{acc}}}");
                        }
                    }
                    _ => {}
                }
            }
            return Y::Str(s);
        }
        let items = parts.iter().map(|p| self.expr(p, at)).collect();
        Y::single(
            "fn::join",
            Y::List(vec![Y::Str(String::new()), Y::List(items)]),
        )
    }

    fn call(&mut self, f: Func, args: &[Expr], at: &At) -> Y {
        let text = crate::emit::hcl::expr_to_string(&Expr::Call(f, args.to_vec()));
        let (sev, msg, help) = match f {
            Func::FileBase64Sha256 => (
                Severity::Info,
                format!(
                    "`{}` hashes a file (`{text}`); Pulumi YAML has no hash function and hashes archives itself, so the value is left out",
                    at.what
                ),
                "nothing to do: Pulumi replaces the code when the archive changes",
            ),
            Func::Length | Func::CanRegex => (
                Severity::Warning,
                format!("`{}` calls `{text}`, which Pulumi YAML cannot express; the value is left out", at.what),
                "set the value explicitly",
            ),
        };
        self.diag(codes::EXPRESSION, sev, at, &text, msg, help);
        Y::Null
    }

    fn index(&mut self, coll: &Expr, idx: &Expr, at: &At) -> Y {
        // `x.path[i]` of a reference stays a property access
        if let (Expr::Ref(r), Expr::Int(i)) = (coll, idx) {
            if *i >= 0 {
                let mut r = r.clone();
                r.path.push(Step::Index(*i));
                return match self.reference(&r, at) {
                    Some(s) => Y::Str(format!("${{{s}}}")),
                    None => Y::Null,
                };
            }
        }
        if let Expr::For {
            var,
            coll: fc,
            value,
            cond,
        } = coll
        {
            if let Some(y) = self.filtered_lookup(var, fc, value, cond.as_deref(), idx, at) {
                return y;
            }
        }
        let i = self.expr(idx, at);
        let c = self.expr(coll, at);
        Y::single("fn::select", Y::List(vec![i, c]))
    }

    /// `[for s in X.coll : s.value if s.key == V][0]` — Pulumi YAML cannot filter. The closest
    /// expressible form indexes `coll` by the position of the element of the block `X` whose
    /// nested block holds `V` (for the firewall: the subnet mapping of the subnet), and says so.
    fn filtered_lookup(
        &mut self,
        var: &str,
        coll: &Expr,
        value: &Expr,
        cond: Option<&Expr>,
        idx: &Expr,
        at: &At,
    ) -> Option<Y> {
        let Expr::Ref(Ref {
            target: RefTarget::Block(owner),
            path: coll_path,
        }) = coll
        else {
            return None;
        };
        let local_path = |e: &Expr| -> Option<Vec<Step>> {
            match e {
                Expr::Ref(Ref {
                    target: RefTarget::Local(v),
                    path,
                }) if v == var => Some(path.clone()),
                _ => None,
            }
        };
        let value_path = local_path(value)?;
        let wanted = match cond {
            Some(Expr::Eq(a, b)) => match (local_path(a), local_path(b)) {
                (Some(_), None) => Some((**b).clone()),
                (None, Some(_)) => Some((**a).clone()),
                _ => None,
            },
            _ => None,
        };
        // position of the nested block of `owner` that carries the wanted value
        let mut position = None;
        let mut via = String::new();
        if let (Some(w), Some(block)) = (&wanted, self.module.find(owner)) {
            'outer: for (name, _) in &block.body.items {
                let same: Vec<&Body> = block.body.blocks(name).collect();
                for (i, b) in same.iter().enumerate() {
                    if b.items
                        .iter()
                        .any(|(_, it)| matches!(it, Item::Attr(x) if x == w))
                    {
                        position = Some(i as i64);
                        via = name.clone();
                        break 'outer;
                    }
                }
            }
        }
        let k = position.unwrap_or(0);
        if !matches!(idx, Expr::Int(0)) {
            return None;
        }
        let mut path = coll_path.clone();
        path.push(Step::Index(k));
        path.extend(value_path);
        let r = Ref {
            target: RefTarget::Block(owner.clone()),
            path,
        };
        let acc = self.reference(&r, at)?;
        let text = crate::emit::hcl::expr_to_string(&Expr::Index(
            Box::new(Expr::For {
                var: var.to_string(),
                coll: Box::new(coll.clone()),
                value: Box::new(value.clone()),
                cond: cond.map(|c| Box::new(c.clone())),
            }),
            Box::new(idx.clone()),
        ));
        let how = if position.is_some() {
            format!(
                "element #{k} is used, the position of the matching `{via}` block in `{}`; the provider does not promise that order (Terraform keeps these elements in a set)",
                owner.tf()
            )
        } else {
            format!(
                "no matching element was found in `{}`, so element #0 is used",
                owner.tf()
            )
        };
        self.diag(
            codes::EXPRESSION,
            Severity::Warning,
            at,
            &text,
            format!(
                "`{}` selects a list element by a condition (`{text}`), which Pulumi YAML cannot express: `${{{acc}}}` is written instead; {how}",
                at.what
            ),
            "after `pulumi up`, check the value (for firewall routes: the firewall endpoint in the route's Availability Zone), or deploy these routes with the Terraform targets",
        );
        Some(Y::Str(format!("${{{acc}}}")))
    }

    /// The property access (inside `${...}`) of a reference.
    fn reference(&mut self, r: &Ref, at: &At) -> Option<String> {
        match &r.target {
            RefTarget::Var(name) => {
                let mut s = name.clone();
                for st in &r.path {
                    push_step(&mut s, st);
                }
                Some(s)
            }
            RefTarget::Local(name) => {
                let text = crate::emit::hcl::expr_to_string(&Expr::Ref(r.clone()));
                self.diag(
                    codes::EXPRESSION,
                    Severity::Warning,
                    at,
                    &text,
                    format!(
                        "`{}` uses the iteration variable `{name}` outside a supported pattern (`{text}`); it is left out",
                        at.what
                    ),
                    "check the value",
                );
                None
            }
            RefTarget::Block(addr) => {
                let mut s = logical_name(addr);
                let mut sub: Sub<'_> = {
                    let t = tables();
                    let level = match addr.kind {
                        Kind::Resource => t.props_resource.get(&addr.ty),
                        Kind::Data | Kind::Ephemeral => t.props_data.get(&addr.ty),
                    };
                    level.map(Sub::Table).unwrap_or(Sub::Camel)
                };
                let mut steps: &[Step] = &r.path;
                if addr.kind != Kind::Resource {
                    if let Some(ret) = self.returns.get(addr).cloned() {
                        if let Some(Step::Attr(a)) = steps.first() {
                            if *a == ret {
                                let p = lookup(sub, a);
                                sub = p.sub;
                                steps = &steps[1..];
                                // a flattened list after `return:` drops its index
                                if p.tf_list && p.shape == Some(Shape::Object) {
                                    if let Some(Step::Index(0)) = steps.first() {
                                        steps = &steps[1..];
                                    }
                                }
                            }
                        }
                    }
                }
                let mut top = true;
                let mut drop_index = false;
                for st in steps {
                    match st {
                        Step::Attr(a) if top && a == "id" => {
                            s.push_str(".id");
                            sub = Sub::Data;
                            drop_index = false;
                        }
                        Step::Attr(a) => {
                            let p = lookup(sub, a);
                            let name = match p.name.clone() {
                                Some(n) => n,
                                None => {
                                    self.diag(
                                        codes::NO_PROPERTY,
                                        Severity::Warning,
                                        at,
                                        &format!("{}.{a}", addr.tf()),
                                        format!(
                                            "`{}` reads `{}.{a}`, which pulumi-aws {} does not have; the reference will not resolve",
                                            at.what,
                                            addr.tf(),
                                            pulumi_aws_version()
                                        ),
                                        "read an attribute both providers share",
                                    );
                                    camel(a)
                                }
                            };
                            push_step(&mut s, &Step::Attr(name));
                            drop_index = p.tf_list && p.shape == Some(Shape::Object);
                            sub = p.sub;
                        }
                        Step::Index(0) if drop_index => {
                            drop_index = false;
                        }
                        st => {
                            push_step(&mut s, st);
                            drop_index = false;
                        }
                    }
                    top = false;
                }
                Some(s)
            }
        }
    }

    fn outputs(&mut self) -> Y {
        let mut outs = Y::map();
        for o in &self.module.outputs {
            let at = At {
                span: Some(o.span),
                scope: None,
                what: format!("output.{}", o.name),
            };
            let v = self.expr(&o.value, &at);
            let v = if o.sensitive {
                Y::single("fn::secret", v)
            } else {
                v
            };
            let comment = if o.description.is_empty() {
                Vec::new()
            } else {
                comment_lines(&o.description)
            };
            outs.push_commented(o.name.clone(), v, comment);
        }
        outs
    }
}

fn pulumi_aws_version() -> &'static str {
    static V: OnceLock<String> = OnceLock::new();
    V.get_or_init(|| {
        serde_json::from_str::<Value>(TYPES_JSON)
            .ok()
            .and_then(|v| v["pulumi_aws_version"].as_str().map(str::to_string))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "7.51.1".into())
    })
}

/// Append one path step to a property access.
fn push_step(s: &mut String, st: &Step) {
    match st {
        Step::Attr(a) if is_ident(a) => {
            s.push('.');
            s.push_str(a);
        }
        Step::Attr(a) | Step::Key(a) => {
            s.push_str("[\"");
            s.push_str(&a.replace('"', "\\\""));
            s.push_str("\"]");
        }
        Step::Index(i) => {
            let _ = write!(s, "[{i}]");
        }
    }
}

/// A Pulumi YAML property name (`[a-zA-Z_$][a-zA-Z0-9_$]*`).
fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
}

fn comment_lines(text: &str) -> Vec<String> {
    text.trim_matches(['\n', '\r'])
        .split('\n')
        .map(|l| {
            l.chars()
                .map(|c| if c.is_control() { ' ' } else { c })
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect()
}

fn block_comment(b: &Block) -> Vec<String> {
    match b.comment.as_deref() {
        Some(c) if !c.trim().is_empty() => comment_lines(c),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_interpolation_minimally() {
        assert_eq!(
            escape_interpolation("${aws:PrincipalTag/Team}", false),
            "$${aws:PrincipalTag/Team}"
        );
        assert_eq!(escape_interpolation("$${x}", false), "$$$${x}");
        assert_eq!(escape_interpolation("$HOME_NET", false), "$HOME_NET");
        assert_eq!(escape_interpolation("a$", false), "a$");
        assert_eq!(escape_interpolation("a$", true), "a$$");
        assert_eq!(escape_interpolation("$$", false), "$$$");
        for s in ["${a}", "$${a}", "$", "$$", "a$b", "%{x}", "€${}$", "$$$"] {
            assert_eq!(unescape_interpolation(&escape_interpolation(s, false)), s);
        }
    }

    /// The plain-scalar rule, written out as the YAML spec states it.
    fn plain_by_the_rules(s: &str) -> bool {
        let Some(first) = s.chars().next() else {
            return false;
        };
        s.chars()
            .all(|c| c.is_ascii_alphanumeric() || " _-./:@${}()+=*,[]<>^~;?!&%".contains(c))
            && (first.is_ascii_alphabetic() || "_/$".contains(first))
            && !s.ends_with(' ')
            && !s.ends_with(':')
            && !s.contains(": ")
            && !s.contains(" #")
            && ![
                "true", "false", "yes", "no", "on", "off", "y", "n", "null", "nan", "inf",
            ]
            .contains(&s.to_ascii_lowercase().as_str())
    }

    #[test]
    fn plain_scalars_follow_the_rules() {
        let pieces = [
            "", "a", "Z", "_", "/", "$", "1", " ", ":", "#", "-", "é", "\n", "\"", "'", "{", "}",
            "%", "@", "true", "No", "NULL", "inf", "x:", ": ", " #", "\u{85}", "\t", "|", ">",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(plain_ok(&s), plain_by_the_rules(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn quoting() {
        assert_eq!(yaml_string("abc"), "abc");
        assert_eq!(yaml_string("10.0.0.0/16"), "\"10.0.0.0/16\"");
        assert_eq!(yaml_string("true"), "\"true\"");
        assert_eq!(yaml_string("No"), "\"No\"");
        assert_eq!(yaml_string("a: b"), "\"a: b\"");
        assert_eq!(yaml_string("${x.y}"), "${x.y}");
        assert_eq!(yaml_string("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
        assert_eq!(yaml_string(""), "\"\"");
        assert_eq!(yaml_string("é"), "\"é\"");
        assert_eq!(yaml_string("a\u{2028}b"), "\"a\\Lb\"");
    }

    #[test]
    fn floats_read_back_as_floats() {
        assert_eq!(float(1.5), "1.5");
        assert_eq!(float(1e20), "1.0e+20");
        assert_eq!(float(1e-7), "1.0e-7");
        assert_eq!(float(2.0), "2.0");
    }

    #[test]
    fn names() {
        assert_eq!(
            logical_name(&Address::resource("aws_s3_bucket", "audit_logs")),
            "s3_bucket-audit_logs"
        );
        assert_eq!(
            logical_name(&Address::data("aws_caller_identity", "current")),
            "data-caller_identity-current"
        );
        assert_eq!(camel("subnet_mapping"), "subnetMapping");
    }

    #[test]
    fn tables_map_the_core_types() {
        assert_eq!(resource_token("aws_vpc"), Some("aws:ec2/vpc:Vpc"));
        assert_eq!(
            resource_token("aws_s3_bucket"),
            Some("aws:s3/bucket:Bucket")
        );
        assert_eq!(
            resource_token("aws_cloudtrail"),
            Some("aws:cloudtrail/trail:Trail")
        );
        assert_eq!(
            function_token("aws_availability_zones"),
            Some("aws:index/getAvailabilityZones:getAvailabilityZones")
        );
        assert_eq!(
            property_name(
                Kind::Resource,
                "aws_networkfirewall_firewall",
                "subnet_mapping"
            ),
            Some(Some("subnetMappings".into()))
        );
        assert_eq!(
            property_name(Kind::Resource, "aws_flow_log", "log_group_name"),
            Some(None)
        );
    }
}
