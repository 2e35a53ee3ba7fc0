//! Lowering: typed spec → IR module. No target syntax here; every block remembers the spec node
//! that caused it.

mod compute;
mod database;
mod documents;
mod iam;
mod keys;
mod logs;
mod monitoring;
mod network;
mod org;
mod outputs;
mod session;
mod storage;

use crate::diag::Diagnostic;
use crate::ir::*;
use crate::policy::{ptr, Ctx};
use crate::source::Span;
use crate::spec::*;
use std::collections::BTreeMap;

pub mod codes {
    pub const UNKNOWN_REF: &str = "ZT0030";
    pub const CIDR: &str = "ZT0031";
    pub const NACL_NUMBER: &str = "ZT0032";
    pub const VARIABLE: &str = "ZT0033";
    pub const LOWERING_NOTE: &str = "ZT0034";
    pub const OUTPUT: &str = "ZT0035";
    pub const INTERNET: &str = "ZT0036";
    pub const SCP: &str = "ZT0037";
    pub const MULTI_REGION: &str = "ZT0038";
    pub const SESSION: &str = "ZT0039";
}

/// Lower a checked spec. Errors (bad references, impossible layouts) come back as diagnostics.
pub fn lower(cx: &Ctx<'_>) -> (Module, Vec<Diagnostic>) {
    let mut l = Lowerer::new(cx);
    l.run();
    (l.module, l.diags)
}

pub(crate) struct Lowerer<'a> {
    pub cx: &'a Ctx<'a>,
    pub spec: &'a Spec,
    pub module: Module,
    pub diags: Vec<Diagnostic>,
    /// Resolved per-element facts used across sections.
    pub net: network::NetFacts,
    vars: BTreeMap<String, usize>,
}

/// Terraform identifier from a spec name: `audit-logs` → `audit_logs`.
pub fn ident(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    while s.contains("__") {
        s = s.replace("__", "_");
    }
    let s = s.trim_matches('_').to_string();
    if s.is_empty() || s.as_bytes()[0].is_ascii_digit() {
        format!("r_{s}")
    } else {
        s
    }
}

impl<'a> Lowerer<'a> {
    fn new(cx: &'a Ctx<'a>) -> Self {
        Lowerer {
            cx,
            spec: cx.spec,
            module: Module::default(),
            diags: Vec::new(),
            net: Default::default(),
            vars: BTreeMap::new(),
        }
    }

    fn run(&mut self) {
        self.module.name = self.spec.metadata.name.clone();
        self.module.hcl_files = self
            .spec
            .targets
            .hcl
            .files
            .as_ref()
            .map(|f| (f.settings.clone(), f.resources.clone()));
        self.module.required_version = ">= 1.5.0".into();
        self.module.providers_required.push(ProviderReq {
            name: "aws".into(),
            source: "hashicorp/aws".into(),
            version: "~> 5.0".into(),
        });
        self.suffix_variable();
        self.provider();
        org::lower(self);
        self.common_data();
        network::lower(self);
        keys::lower(self);
        storage::lower(self);
        logs::lower(self);
        compute::lower(self);
        database::lower(self);
        iam::lower(self);
        monitoring::lower(self);
        session::lower(self);
        storage::parameters(self);
        storage::account_settings(self);
        network::lookups(self);
        outputs::lower(self);
        self.docs();
        self.scanner_skips();
        if self.spec.targets.policy_documents == PolicyDocuments::DataSource {
            documents::lower(self);
        }
    }

    // ---- locations ------------------------------------------------------------------------

    pub fn span(&self, segments: &[&str]) -> Span {
        self.cx.span(&ptr(segments))
    }
    pub fn key_span(&self, segments: &[&str]) -> Span {
        self.cx.key_span(&ptr(segments))
    }

    // ---- variables and names --------------------------------------------------------------

    /// Declare (once) the variable a `VarSpec` names and return a reference to it.
    pub fn var(&mut self, v: &VarSpec, ty: VarType, at: &[&str]) -> Expr {
        let span = self.span(at);
        match self.vars.get(&v.var) {
            Some(&i) => {
                let existing = &mut self.module.variables[i];
                if existing.ty != ty {
                    self.diags.push(
                        Diagnostic::error(
                            codes::VARIABLE,
                            format!("variable `{}` is used with two different types", v.var),
                        )
                        .at(span)
                        .related(existing.span, "first declared here")
                        .help("use a separate variable name for each value"),
                    );
                }
                if existing.default.is_none() {
                    existing.default = v.default.as_ref().map(json_to_expr);
                }
                if v.description.is_some() && existing.description.starts_with("Value of") {
                    existing.description = v.description.clone().unwrap_or_default();
                }
                existing.sensitive |= v.sensitive;
            }
            None => {
                let default = v.default.as_ref().map(json_to_expr);
                if let (Some(d), VarType::Number) = (&default, ty) {
                    if !matches!(d, Expr::Int(_) | Expr::Float(_)) {
                        self.diags.push(
                            Diagnostic::error(
                                codes::VARIABLE,
                                format!("default of `{}` must be a number", v.var),
                            )
                            .at(span)
                            .label("not a number")
                            .help("write the default as a number, e.g. `default: 8443`"),
                        );
                    }
                }
                self.vars.insert(v.var.clone(), self.module.variables.len());
                self.module.variables.push(Variable {
                    name: v.var.clone(),
                    ty,
                    description: v
                        .description
                        .clone()
                        .unwrap_or_else(|| format!("Value of {}", v.var)),
                    default,
                    sensitive: v.sensitive,
                    validations: vec![],
                    span,
                });
            }
        }
        Expr::var(&v.var)
    }

    pub fn str_or_var(&mut self, v: &StrOrVar, at: &[&str]) -> Expr {
        match v {
            StrOrVar::Lit(s) => Expr::str(s.clone()),
            StrOrVar::Var(v) => self.var(v, VarType::String, at),
        }
    }

    fn suffix_variable(&mut self) {
        if let Some(env) = self.spec.environment.name.clone() {
            self.var(&env, VarType::String, &["environment", "name"]);
        }
        let sfx = self.spec.environment.suffix.clone();
        let max = self.spec.naming.max_suffix_length;
        self.var(&sfx, VarType::String, &["environment", "suffix"]);
        let i = self.vars[&sfx.var];
        self.module.variables[i].validations.push(Validation {
            condition: Expr::Call(
                Func::CanRegex,
                vec![Expr::str(format!("^[a-z0-9][a-z0-9-]{{0,{}}}$", max.saturating_sub(1))), Expr::var(&sfx.var)],
            ),
            error_message: format!(
                "environment_suffix must be 1-{max} characters of lower-case letters, digits and hyphens (it ends up in S3 bucket names)."
            ),
        });
    }

    /// Physical name of a spec element: the naming pattern applied to `name`.
    pub fn name(&self, name: &str) -> Expr {
        self.name_with(&self.spec.naming.pattern, name)
    }

    /// Physical name of a bucket (`naming.bucket_pattern`, else the pattern).
    pub fn bucket_name(&self, name: &str) -> Expr {
        self.name_with(
            self.spec
                .naming
                .bucket_pattern
                .as_deref()
                .unwrap_or(&self.spec.naming.pattern),
            name,
        )
    }

    fn name_with(&self, pattern: &str, name: &str) -> Expr {
        let Ok(pieces) = crate::naming::parse(pattern) else {
            return Expr::str(name); // reported by the naming rule
        };
        let parts = pieces
            .iter()
            .map(|p| match p {
                crate::naming::Piece::Lit(s) => Expr::str(*s),
                crate::naming::Piece::Token("name") => Expr::str(name),
                crate::naming::Piece::Token("suffix") => {
                    Expr::var(&self.spec.environment.suffix.var)
                }
                crate::naming::Piece::Token("env") => match &self.spec.environment.name {
                    Some(v) => Expr::var(&v.var),
                    None => Expr::str("env"),
                },
                crate::naming::Piece::Token("service") => {
                    Expr::str(self.spec.naming.service.clone().unwrap_or_default())
                }
                crate::naming::Piece::Token("account_id") => {
                    Address::data("aws_caller_identity", "current").attr("account_id")
                }
                crate::naming::Piece::Token("region") => self.region(),
                crate::naming::Piece::Token(other) => Expr::str(*other),
            })
            .collect();
        Expr::concat(parts)
    }

    /// `tags = { Name = <physical name> }`, for resources named by their Name tag.
    pub fn name_tag(&self, name: &str) -> Expr {
        Expr::obj([("Name", self.name(name))])
    }

    // ---- blocks -------------------------------------------------------------------------

    pub fn resource(
        &mut self,
        ty: &str,
        name: &str,
        concern: Concern,
        origin: &str,
        span: Span,
        body: Body,
    ) -> Address {
        let addr = Address::resource(ty, name);
        self.module.resources.push(Block {
            addr: addr.clone(),
            body,
            concern,
            span,
            origin: origin.into(),
            depends_on: vec![],
            skips: vec![],
            comment: None,
            provider: None,
        });
        addr
    }

    pub fn data(
        &mut self,
        ty: &str,
        name: &str,
        concern: Concern,
        origin: &str,
        body: Body,
    ) -> Address {
        self.read(Address::data(ty, name), concern, origin, body)
    }

    /// An ephemeral resource (Terraform >= 1.11 for the write-only arguments it feeds): read at
    /// every run and kept out of the plan and the state. Raises the module's Terraform floor.
    pub fn ephemeral(
        &mut self,
        ty: &str,
        name: &str,
        concern: Concern,
        origin: &str,
        body: Body,
    ) -> Address {
        self.module.required_version = ">= 1.11.0".into();
        self.read(Address::ephemeral(ty, name), concern, origin, body)
    }

    fn read(&mut self, addr: Address, concern: Concern, origin: &str, body: Body) -> Address {
        if !self.module.data.iter().any(|b| b.addr == addr) {
            self.module.data.push(Block {
                addr: addr.clone(),
                body,
                concern,
                span: Span::new(0, 0),
                origin: origin.into(),
                depends_on: vec![],
                skips: vec![],
                comment: None,
                provider: None,
            });
        }
        addr
    }

    pub fn depends(&mut self, on: &Address, dep: Address) {
        // the block is almost always one just added: search from the end
        if let Some(b) = self
            .module
            .resources
            .iter_mut()
            .rev()
            .find(|b| &b.addr == on)
        {
            if !b.depends_on.contains(&dep) {
                b.depends_on.push(dep);
            }
        }
    }

    // ---- common values ------------------------------------------------------------------

    pub fn account_id(&mut self) -> Expr {
        Address::data("aws_caller_identity", "current").attr("account_id")
    }
    pub fn partition(&mut self) -> Expr {
        Address::data("aws_partition", "current").attr("partition")
    }
    /// The Region in resource arguments: the spec's literal, or `data.aws_region.current.name`
    /// when the Region is a deployment variable (`region_variable`).
    pub fn region(&self) -> Expr {
        match &self.spec.region_variable {
            None => Expr::str(self.spec.region.clone()),
            Some(_) => Address::data("aws_region", "current").attr("name"),
        }
    }
    /// `<prefix><region><suffix>`, e.g. `logs.` + region + `.amazonaws.com`.
    pub fn in_region(&self, prefix: &str, suffix: &str) -> Expr {
        Expr::concat(vec![Expr::str(prefix), self.region(), Expr::str(suffix)])
    }
    /// The Region the provider deploys to: the literal, or the deployment variable.
    pub fn provider_region(&mut self) -> Expr {
        match self.spec.region_variable.clone() {
            None => Expr::str(self.spec.region.clone()),
            Some(var) => {
                let v = VarSpec {
                    var,
                    default: Some(serde_json::Value::String(self.spec.region.clone())),
                    description: Some("AWS Region the stack deploys to".into()),
                    sensitive: false,
                };
                self.var(&v, VarType::String, &["region_variable"])
            }
        }
    }
    /// `arn:<partition>:<service>:<region>:<account>:<rest>`
    pub fn arn(&mut self, service: &str, region: bool, rest: Vec<Expr>) -> Expr {
        let mut parts = vec![
            Expr::str("arn:"),
            self.partition(),
            Expr::str(format!(":{service}:")),
        ];
        if region {
            parts.push(self.region());
        }
        parts.push(Expr::str(":"));
        parts.push(self.account_id());
        parts.push(Expr::str(":"));
        parts.extend(rest);
        Expr::concat(parts)
    }
    /// The role (not the session) that runs the deployment: `aws_caller_identity.arn` is a
    /// per-session `assumed-role/.../<session>` ARN in CI, so it is resolved to the role with
    /// `aws_iam_session_context.issuer_arn` and stays the same from run to run (C18).
    pub fn deployer_principal(&mut self, origin: &str) -> Expr {
        let caller = Address::data("aws_caller_identity", "current");
        let ctx = self.data(
            "aws_iam_session_context",
            "current",
            Concern::Security,
            origin,
            Body::new().attr("arn", caller.attr("arn")),
        );
        ctx.attr("issuer_arn")
    }

    pub fn root_principal(&mut self) -> Expr {
        let p = self.partition();
        let a = self.account_id();
        Expr::concat(vec![
            Expr::str("arn:"),
            p,
            Expr::str(":iam::"),
            a,
            Expr::str(":root"),
        ])
    }

    fn provider(&mut self) {
        let mut tags = Vec::new();
        let required = self.spec.tags.required.clone();
        for (k, v) in &required {
            let e = self.str_or_var(v, &["tags", "required", k]);
            tags.push((k.clone(), e));
        }
        let region = self.provider_region();
        let mut body = Body::new().attr("region", region);
        if !tags.is_empty() {
            body = body.block("default_tags", Body::new().attr("tags", Expr::Object(tags)));
        }
        self.module.providers.push(Provider {
            name: "aws".into(),
            alias: None,
            body,
        });
    }

    fn common_data(&mut self) {
        self.data(
            "aws_caller_identity",
            "current",
            Concern::Security,
            "region",
            Body::new(),
        );
        self.data(
            "aws_partition",
            "current",
            Concern::Security,
            "region",
            Body::new(),
        );
        if self.spec.region_variable.is_some() {
            self.data(
                "aws_region",
                "current",
                Concern::Security,
                "region_variable",
                Body::new(),
            );
        }
    }

    // ---- references -----------------------------------------------------------------------

    /// Resolve `SECTION.NAME` (e.g. `keys.s3`) against the names a section defines.
    pub fn resolve<'n>(
        &mut self,
        reference: &str,
        section: &str,
        names: impl Iterator<Item = &'n String> + Clone,
        at: &[&str],
    ) -> Option<String> {
        let prefix = format!("{section}.");
        if let Some(name) = reference.strip_prefix(&prefix) {
            if names.clone().any(|n| n == name) {
                return Some(name.to_string());
            }
        }
        // the error path only: suggestions need the names
        let names: Vec<String> = names.cloned().collect();
        let wanted: Vec<String> = names.iter().map(|n| format!("{section}.{n}")).collect();
        let mut d = Diagnostic::error(
            codes::UNKNOWN_REF,
            format!("`{reference}` does not name an entry of `{section}`"),
        )
        .at(self.span(at))
        .label("unknown reference");
        d = match crate::validate::did_you_mean(reference, &wanted) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if wanted.is_empty() => d.help(format!("define it under `{section}:` first")),
            None => d.help(format!("expected one of: {}", wanted.join(", "))),
        };
        self.diags.push(d);
        None
    }

    /// `resolve` against a map's keys with a logarithmic membership test.
    pub fn resolve_in<V>(
        &mut self,
        reference: &str,
        section: &str,
        map: &BTreeMap<String, V>,
        at: &[&str],
    ) -> Option<String> {
        match reference
            .strip_prefix(section)
            .and_then(|r| r.strip_prefix('.'))
        {
            Some(name) if map.contains_key(name) => Some(name.to_string()),
            _ => self.resolve(reference, section, map.keys(), at),
        }
    }

    /// The spec's network, or an error at `at` saying that `what` needs one.
    pub fn network_for(&mut self, what: &str, at: &[&str], help: &str) -> Option<&'a Network> {
        let spec: &'a Spec = self.spec;
        if spec.network.is_none() {
            self.diags.push(
                Diagnostic::error(
                    codes::UNKNOWN_REF,
                    format!("{what}, but the spec has no `network`"),
                )
                .at(self.span(at))
                .label("no VPC")
                .help(help),
            );
        }
        spec.network.as_ref()
    }

    /// Subnet ids (one per AZ) of tier `tier` of `net`, resolved with a diagnostic at `at`.
    pub fn tier_subnet_ids(&mut self, net: &Network, tier: &str, at: &[&str]) -> Option<Vec<Expr>> {
        let tier = self.resolve_in(
            &format!("network.tiers.{tier}"),
            "network.tiers",
            &net.tiers,
            at,
        )?;
        Some(
            self.net
                .subnets
                .get(&tier)
                .map(|s| s.iter().map(|(a, _)| a.attr("id")).collect())
                .unwrap_or_default(),
        )
    }

    pub fn key_ref(&mut self, reference: &str, at: &[&str]) -> Option<Address> {
        let spec = self.spec;
        self.resolve_in(reference, "keys", &spec.keys, at)
            .map(|n| Address::resource("aws_kms_key", &ident(&n)))
    }
    pub fn bucket_ref(&mut self, reference: &str, at: &[&str]) -> Option<(String, Address)> {
        let spec = self.spec;
        self.resolve_in(reference, "buckets", &spec.buckets, at)
            .map(|n| {
                let a = Address::resource("aws_s3_bucket", &ident(&n));
                (n, a)
            })
    }
    pub fn log_ref(&mut self, reference: &str, at: &[&str]) -> Option<Address> {
        let spec = self.spec;
        self.resolve_in(reference, "logs", &spec.logs.groups, at)
            .map(|n| Address::resource("aws_cloudwatch_log_group", &ident(&n)))
    }

    pub fn note(
        &mut self,
        span: Span,
        scope: &str,
        msg: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.diags.push(
            Diagnostic::info(codes::LOWERING_NOTE, msg)
                .at(span)
                .scope(scope)
                .help(help),
        );
    }

    fn docs(&mut self) {
        let c = &self.spec.compliance;
        let profiles: Vec<String> = c
            .profiles
            .iter()
            .map(|p| {
                serde_json::to_value(p)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect();
        let mut line = format!("Compliance profiles: {}", profiles.join(", "));
        if !c.frameworks.is_empty() {
            line.push_str(&format!("; assessed against: {}", c.frameworks.join(", ")));
        }
        self.module.notes.push(line);
        for s in &self.spec.docs.manual_steps {
            self.module.notes.push(format!("Manual step: {s}"));
        }
        for s in &self.spec.docs.notes {
            self.module.notes.push(s.clone());
        }
    }

    /// Waivers naming scanner checks become skip annotations on the element's primary block.
    fn scanner_skips(&mut self) {
        let waivers = self.spec.compliance.waivers.clone();
        for (i, w) in waivers.iter().enumerate() {
            if !crate::policy::waivers::is_scanner_id(&w.rule) {
                continue;
            }
            // a checkov check's skip goes on the resources of the element that the check
            // evaluates; trivy checks (no table) on every resource of the element
            let types = checkov_types(&w.rule);
            let mut used = false;
            for b in self.module.resources.iter_mut() {
                let applies = types
                    .as_ref()
                    .map_or(true, |t| t.iter().any(|ty| ty == &b.addr.ty));
                if applies && crate::policy::waivers::scope_matches(&w.scope, &b.origin) {
                    b.skips.push(ScannerSkip {
                        id: w.rule.clone(),
                        reason: w.reason.clone(),
                    });
                    used = true;
                }
            }
            if !used {
                self.diags.push(
                    Diagnostic::warning(crate::policy::waivers::codes::UNUSED, format!("waiver for `{}` in scope `{}` matches no generated resource", w.rule, w.scope))
                        .at(self.span(&["compliance", "waivers", &i.to_string(), "scope"]))
                        .label("unused waiver")
                        .help("check the scope: it names a spec element such as `buckets.audit-logs` or `buckets.*`"),
                );
            }
        }
    }
}

/// The resource types a checkov check evaluates (`backends/scanners/checkov-resource-types.json`,
/// derived from checkov's own registry); `None` for checks the table does not know.
fn checkov_types(id: &str) -> Option<Vec<String>> {
    static TABLE: std::sync::OnceLock<BTreeMap<String, Vec<String>>> = std::sync::OnceLock::new();
    TABLE
        .get_or_init(|| {
            serde_json::from_str(include_str!(
                "../../backends/scanners/checkov-resource-types.json"
            ))
            .unwrap_or_default()
        })
        .get(id)
        .cloned()
}

/// A role an AWS service assumes, with its permissions in a customer-managed policy (never an
/// inline policy) attached to it.
pub(crate) struct ServiceRole<'s> {
    /// Terraform name of the role, policy and attachment.
    pub id: &'s str,
    /// Logical name (physical name through the naming pattern).
    pub logical: &'s str,
    pub service: &'s str,
    pub description: &'s str,
    pub concern: Concern,
    pub origin: &'s str,
    pub span: Span,
}

impl Lowerer<'_> {
    /// Create the role, its policy and the attachment; returns (role, attachment).
    pub(crate) fn service_role(
        &mut self,
        r: ServiceRole<'_>,
        statements: Vec<Expr>,
    ) -> (Address, Address) {
        let account = self.account_id();
        let role = self.resource(
            "aws_iam_role",
            r.id,
            r.concern,
            r.origin,
            r.span,
            Body::new()
                .attr("name", self.name(r.logical))
                .attr("description", Expr::str(r.description))
                .attr("assume_role_policy", service_trust(r.service, account))
                .attr("max_session_duration", Expr::Int(3600)),
        );
        let policy = self.resource(
            "aws_iam_policy",
            r.id,
            r.concern,
            r.origin,
            r.span,
            Body::new()
                .attr("name", self.name(r.logical))
                .attr("description", Expr::str(r.description))
                .attr("policy", policy_doc(statements)),
        );
        let attachment = self.resource(
            "aws_iam_role_policy_attachment",
            r.id,
            r.concern,
            r.origin,
            r.span,
            Body::new()
                .attr("role", role.attr("name"))
                .attr("policy_arn", policy.attr("arn")),
        );
        (role, attachment)
    }
}

/// A JSON value from the spec (variable defaults) as an IR literal.
pub fn json_to_expr(v: &serde_json::Value) -> Expr {
    use serde_json::Value as J;
    match v {
        J::Null => Expr::Null,
        J::Bool(b) => Expr::Bool(*b),
        J::Number(n) => n
            .as_i64()
            .map(Expr::Int)
            .unwrap_or_else(|| Expr::Float(n.as_f64().unwrap_or(0.0))),
        J::String(s) => Expr::Str(s.clone()),
        J::Array(a) => Expr::List(a.iter().map(json_to_expr).collect()),
        J::Object(o) => Expr::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), json_to_expr(v)))
                .collect(),
        ),
    }
}

/// A spec statement's `conditions` (operator → key → values) as a policy `Condition` body.
pub fn condition_expr(
    conditions: &BTreeMap<String, BTreeMap<String, Vec<String>>>,
) -> Vec<(String, Expr)> {
    conditions
        .iter()
        .map(|(op, kv)| {
            (
                op.clone(),
                Expr::Object(
                    kv.iter()
                        .map(|(k, v)| (k.clone(), Expr::list_str(v.clone())))
                        .collect(),
                ),
            )
        })
        .collect()
}

/// An IAM policy document as an IR object (printed through `jsonencode`).
pub fn policy_doc(statements: Vec<Expr>) -> Expr {
    Expr::JsonEncode(Box::new(Expr::obj([
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::List(statements)),
    ])))
}

/// A policy statement under construction (keys in the conventional order: Sid, Effect,
/// Principal, Action, Resource, Condition; conditions grouped by operator in insertion order).
pub(crate) struct Stmt {
    head: Vec<(String, Expr)>,
    conditions: Vec<(String, Vec<(String, Expr)>)>,
}

impl Stmt {
    fn new(sid: &str, effect: &str) -> Self {
        Stmt {
            head: vec![
                ("Sid".into(), Expr::str(sid)),
                ("Effect".into(), Expr::str(effect)),
            ],
            conditions: vec![],
        }
    }
    pub fn allow(sid: &str) -> Self {
        Self::new(sid, "Allow")
    }
    pub fn deny(sid: &str) -> Self {
        Self::new(sid, "Deny")
    }
    /// `Principal: "*"`.
    pub fn anyone(mut self) -> Self {
        self.head.push(("Principal".into(), Expr::str("*")));
        self
    }
    /// `Principal: {Service: ...}`.
    pub fn service(self, service: &str) -> Self {
        self.service_expr(Expr::str(service))
    }
    /// `Principal: {Service: ...}` for a computed service name (a regional principal).
    pub fn service_expr(mut self, service: Expr) -> Self {
        self.head
            .push(("Principal".into(), Expr::obj([("Service", service)])));
        self
    }
    /// `Principal: {AWS: ...}`.
    pub fn aws(mut self, principal: Expr) -> Self {
        self.head
            .push(("Principal".into(), Expr::obj([("AWS", principal)])));
        self
    }
    /// One action as a string, several as a list.
    pub fn actions(mut self, actions: &[&str]) -> Self {
        let a = if actions.len() == 1 {
            Expr::str(actions[0])
        } else {
            Expr::list_str(actions.iter().copied())
        };
        self.head.push(("Action".into(), a));
        self
    }
    pub fn resource(mut self, r: Expr) -> Self {
        self.head.push(("Resource".into(), r));
        self
    }
    /// Add `Condition: {op: {key: value}}`.
    pub fn when(mut self, op: &str, key: &str, value: Expr) -> Self {
        match self.conditions.iter_mut().find(|(o, _)| o == op) {
            Some((_, kv)) => kv.push((key.into(), value)),
            None => self.conditions.push((op.into(), vec![(key.into(), value)])),
        }
        self
    }
    pub fn build(self) -> Expr {
        let mut kv = self.head;
        if !self.conditions.is_empty() {
            kv.push((
                "Condition".into(),
                Expr::Object(
                    self.conditions
                        .into_iter()
                        .map(|(op, c)| (op, Expr::Object(c)))
                        .collect(),
                ),
            ));
        }
        Expr::Object(kv)
    }
}

/// A trust policy for an AWS service principal, limited to this account.
pub fn service_trust(service: &str, account: Expr) -> Expr {
    policy_doc(vec![Expr::obj([
        ("Effect", Expr::str("Allow")),
        ("Principal", Expr::obj([("Service", Expr::str(service))])),
        ("Action", Expr::str("sts:AssumeRole")),
        (
            "Condition",
            Expr::obj([("StringEquals", Expr::obj([("aws:SourceAccount", account)]))]),
        ),
    ])])
}
