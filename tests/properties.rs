//! Property tests over generated specs.
//!
//! The strategy builds *valid* specs from the vocabulary of the committed specs and `ztc init`:
//! stack and element names, the Region, the VPC CIDR and its size, 1–3 workload tiers with their
//! subnet sizes, 2–3 AZs, gateway and interface endpoints, an optional Network Firewall (and with
//! it the PCI DSS and zero-trust profiles), NACL rules, keys, buckets, log groups with their
//! retention and keys, IAM roles and policies, SSM parameters, tags, outputs, and free-text
//! descriptions holding the characters the targets escape (`${`, `%{`, quotes, backslashes).
//!
//! Properties:
//! - every generated spec checks with no error and compiles to all three targets;
//! - the output is byte-identical across two compilations, and across a copy of the spec whose
//!   mapping keys are written in another order. Two things follow the spec's layout by design and
//!   are compared order- or position-free: the byte spans of spec nodes in the Terraform JSON
//!   metadata (they point into the spec text) and the order of the findings the generated README
//!   lists (spec line order);
//! - HCL ≡ Terraform JSON: the HCL as HashiCorp's parser reads it equals the Terraform JSON after
//!   normalising (`tests/common/equiv.rs`, shared with `tests/tfjson.rs`). Skipped when the parser
//!   is not installed, a failure with `ZTC_REQUIRE_TOOLS=1`.
//!
//! Case counts: 96 specs compiled, 48 compared across runs and key order, 12 through HashiCorp's
//! parser (`ZTC_PROPTEST_CASES=N` sets all three); the seed is fixed (`PROPTEST_RNG_SEED`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRng, TestRunner};
use serde_json::{json, Map, Value};
use ztc::compile::{compile, Compiled, Options};
use ztc::emit::{self, Target};

// ------------------------------------------------------------------------------------------------
// the generator
// ------------------------------------------------------------------------------------------------

const REGIONS: &[&str] = &[
    "us-east-1",
    "us-west-2",
    "eu-west-1",
    "eu-central-1",
    "ap-southeast-1",
];
/// Interface endpoints the committed specs use.
const INTERFACE_SERVICES: &[&str] = &[
    "ssm",
    "ssmmessages",
    "ec2messages",
    "logs",
    "kms",
    "sts",
    "secretsmanager",
    "ec2",
];
/// CloudWatch Logs retention values, in the spellings specs use.
const RETENTIONS: &[&str] = &["1y", "400d", "545d", "2y", "5y", "7y", "10y"];
const BUCKET_EXPIRATIONS: &[&str] = &["1y", "400d", "2y", "7y"];
/// Names the generator gives its fixed elements; generated names avoid them.
const RESERVED: &[&str] = &[
    "logs",
    "s3",
    "audit-logs",
    "access-logs",
    "vpc-flow",
    "trail",
    "nfw-flow",
    "nfw-alert",
    "endpoints",
    "firewall",
    "app",
    "private",
];

/// Everything a generated spec is made of; [`Plan::spec`] turns it into the spec's document.
#[derive(Debug, Clone)]
struct Plan {
    name: String,
    region: &'static str,
    persistent: bool,
    suffix_default: Option<String>,
    cost_center_var: bool,
    extra_tags: BTreeMap<String, String>,
    network: Option<NetPlan>,
    /// Extra keys for S3 data, each with the names of the buckets it encrypts (at least one).
    data_keys: BTreeMap<String, (String, BTreeSet<String>)>,
    bucket_expiration: &'static str,
    log_retention: &'static str,
    /// Extra log groups: name → (retention override, encrypted with the extra log key).
    log_groups: BTreeMap<String, (Option<&'static str>, bool)>,
    /// The extra log key's name, used when some extra group asks for it.
    log_key: String,
    /// Roles: name → (description, trust by variable (else a literal account), max session hours).
    roles: BTreeMap<String, (String, bool, u8)>,
    /// Policies: name → which kinds of statement it has (0 read buckets, 1 decrypt, 2 read logs,
    /// 3 read parameters).
    policies: BTreeMap<String, Vec<u8>>,
    parameters: BTreeSet<String>,
    outputs: Vec<bool>,
    key_description: String,
}

#[derive(Debug, Clone)]
struct NetPlan {
    name: String,
    /// Second octet of 10.x.0.0 / 172.(16+x%16).0.0.
    octet: u8,
    ten: bool,
    vpc_prefix: u8,
    azs: u8,
    /// Workload tiers: name → extra prefix bits over the smallest subnet size that fits.
    tiers: BTreeMap<String, u8>,
    endpoints_extra: u8,
    firewall: bool,
    interface: BTreeSet<&'static str>,
    dynamodb: bool,
    app_port: u16,
    app_port_var: bool,
    zero_trust: bool,
}

/// Element names as the specs write them: lower-case words joined by dashes.
fn element_name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{1,7}(-[a-z0-9]{1,6})?"
        .prop_filter("reserved name", |s| !RESERVED.contains(&s.as_str()))
}

/// Free text for descriptions: words plus the characters every target must escape.
fn description() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            6 => "[A-Za-z][a-z]{0,8}",
            1 => Just("${var.x}".to_string()),
            1 => Just("%{ if true }".to_string()),
            1 => Just("\"quoted\"".to_string()),
            1 => Just("back\\slash".to_string()),
            1 => Just("$${".to_string()),
            1 => Just("50%".to_string()),
            1 => Just("Zürich".to_string()),
            1 => Just("#1 */".to_string()),
        ],
        1..6,
    )
    .prop_map(|w| w.join(" "))
}

fn net_plan() -> impl Strategy<Value = NetPlan> {
    (
        (
            element_name(),
            any::<u8>(),
            any::<bool>(),
            prop::sample::select(vec![16u8, 18, 20]),
            2u8..=3,
            prop::collection::btree_map(element_name(), 0u8..=2, 1..=3),
            0u8..=2,
        ),
        (
            any::<bool>(),
            prop::collection::btree_set(prop::sample::select(INTERFACE_SERVICES), 0..=4),
            any::<bool>(),
            prop::sample::select(vec![443u16, 8443, 8080, 9000]),
            any::<bool>(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                (name, octet, ten, vpc_prefix, azs, tiers, endpoints_extra),
                (firewall, interface, dynamodb, app_port, app_port_var, zero_trust),
            )| NetPlan {
                name,
                octet,
                ten,
                vpc_prefix,
                azs,
                tiers,
                endpoints_extra,
                firewall,
                interface,
                dynamodb,
                app_port,
                app_port_var,
                zero_trust,
            },
        )
}

fn plan() -> impl Strategy<Value = Plan> {
    let head = (
        element_name(),
        prop::sample::select(REGIONS),
        any::<bool>(),
        prop::option::of("[a-z]{2,5}[0-9]?"),
        any::<bool>(),
        prop::collection::btree_map(
            "[A-Z][A-Za-z]{2,10}",
            "[A-Za-z0-9][A-Za-z0-9 ._-]{0,15}",
            0..=3,
        ),
        prop::option::weighted(0.8, net_plan()),
    );
    let data = (
        prop::collection::btree_map(
            element_name(),
            (
                description(),
                prop::collection::btree_set(element_name(), 1..=2),
            ),
            0..=2,
        ),
        prop::sample::select(BUCKET_EXPIRATIONS),
        prop::sample::select(RETENTIONS),
        prop::collection::btree_map(
            element_name(),
            (
                prop::option::of(prop::sample::select(RETENTIONS)),
                any::<bool>(),
            ),
            0..=3,
        ),
        element_name(),
    );
    let iam = (
        prop::collection::btree_map(
            element_name(),
            (description(), any::<bool>(), 1u8..=4),
            0..=3,
        ),
        prop::collection::btree_map(element_name(), prop::collection::vec(0u8..4, 1..=3), 0..=3),
        prop::collection::btree_set("[a-z]{2,8}", 0..=2),
        prop::collection::vec(any::<bool>(), 4),
        description(),
    );
    (head, data, iam).prop_map(
        |(
            (name, region, persistent, suffix_default, cost_center_var, extra_tags, network),
            (data_keys, bucket_expiration, log_retention, log_groups, log_key),
            (roles, policies, parameters, outputs, key_description),
        )| Plan {
            name,
            region,
            persistent,
            suffix_default,
            cost_center_var,
            extra_tags,
            network,
            data_keys,
            bucket_expiration,
            log_retention,
            log_groups,
            log_key,
            roles,
            policies,
            parameters,
            outputs,
            key_description,
        },
    )
}

impl Plan {
    /// The spec as a document whose mappings keep the order written here.
    fn spec(&self) -> Value {
        let mut spec = Map::new();
        spec.insert("ztc".into(), json!(1));
        spec.insert(
            "metadata".into(),
            json!({"name": self.name, "title": format!("Generated {}", self.name), "owner": "platform-security"}),
        );
        spec.insert("region".into(), json!(self.region));
        let mut suffix =
            json!({"var": "environment_suffix", "description": "Suffix of every physical name"});
        if let Some(d) = &self.suffix_default {
            suffix["default"] = json!(d);
        }
        spec.insert("environment".into(), json!({ "suffix": suffix }));
        spec.insert("naming".into(), json!({"pattern": "{name}-{suffix}"}));

        let fw = self.network.as_ref().is_some_and(|n| n.firewall);
        let mut profiles = vec!["soc2"];
        if fw {
            profiles.insert(0, "pci-dss-v4");
            if self.network.as_ref().is_some_and(|n| n.zero_trust) {
                profiles.push("zero-trust");
            }
        }
        spec.insert(
            "compliance".into(),
            json!({
                "profiles": profiles,
                "lifecycle": if self.persistent { "persistent" } else { "ephemeral" },
            }),
        );

        let mut required = Map::new();
        required.insert(
            "CostCenter".into(),
            if self.cost_center_var {
                json!({"var": "cost_center", "description": "Cost center billed for this stack"})
            } else {
                json!("cc-1234")
            },
        );
        required.insert(
            "DataClassification".into(),
            json!({"var": "data_classification", "default": "Confidential"}),
        );
        required.insert("ComplianceScope".into(), json!("PCI-DSS"));
        for (k, v) in &self.extra_tags {
            required.entry(k.clone()).or_insert_with(|| json!(v));
        }
        spec.insert("tags".into(), json!({ "required": required }));

        // keys
        let mut log_usage = vec!["logs"];
        if !self.parameters.is_empty() {
            log_usage.push("ssm");
        }
        if fw {
            log_usage.push("firewall");
        }
        let mut keys = Map::new();
        keys.insert(
            "logs".into(),
            json!({"description": self.key_description, "usage": log_usage}),
        );
        keys.insert(
            "s3".into(),
            json!({"description": "S3 buckets and CloudTrail log files", "usage": ["s3", "cloudtrail"]}),
        );
        for (k, (desc, _)) in &self.data_keys {
            keys.entry(k.clone())
                .or_insert_with(|| json!({"description": desc, "usage": ["s3"]}));
        }
        let log_key_used = self.log_groups.values().any(|(_, k)| *k);
        let log_key = (log_key_used && !keys.contains_key(&self.log_key)).then(|| {
            keys.insert(
                self.log_key.clone(),
                json!({"description": "Application log groups", "usage": ["logs"]}),
            );
            self.log_key.clone()
        });

        // network
        if let Some(n) = &self.network {
            spec.insert("network".into(), self.network_section(n));
        }
        spec.insert("keys".into(), Value::Object(keys.clone()));

        // buckets: the audit pair, then the data buckets of each data key
        let mut buckets = Map::new();
        buckets.insert(
            "audit-logs".into(),
            json!({"key": "keys.s3", "access_logs": "buckets.access-logs",
                   "lifecycle": {"noncurrent_expiration": self.bucket_expiration},
                   "log_delivery": ["cloudtrail"]}),
        );
        buckets.insert(
            "access-logs".into(),
            json!({"key": "keys.s3", "lifecycle": {"noncurrent_expiration": "1y"},
                   "log_delivery": ["s3-access-logs"]}),
        );
        for (k, (_, names)) in &self.data_keys {
            for b in names {
                if !buckets.contains_key(b) {
                    buckets.insert(
                        b.clone(),
                        json!({"key": format!("keys.{k}"), "access_logs": "buckets.access-logs",
                               "lifecycle": {"noncurrent_expiration": self.bucket_expiration}}),
                    );
                }
            }
        }
        // a data key that lost all its buckets to a name clash would have no consumer
        let used: BTreeSet<String> = buckets
            .values()
            .filter_map(|b| {
                b["key"]
                    .as_str()
                    .map(|k| k.trim_start_matches("keys.").to_string())
            })
            .collect();
        if let Some(Value::Object(ks)) = spec.get_mut("keys") {
            ks.retain(|k, v| used.contains(k) || v["usage"] != json!(["s3"]));
        }
        spec.insert("buckets".into(), Value::Object(buckets.clone()));

        // logs
        let mut groups = Map::new();
        groups.insert("trail".into(), json!({}));
        if self.network.is_some() {
            groups.insert("vpc-flow".into(), json!({}));
        }
        if fw {
            groups.insert("nfw-flow".into(), json!({}));
            groups.insert("nfw-alert".into(), json!({}));
        }
        for (g, (retention, with_key)) in &self.log_groups {
            let mut body = Map::new();
            if let Some(r) = retention {
                body.insert("retention".into(), json!(r));
            }
            if let (true, Some(k)) = (*with_key, &log_key) {
                body.insert("key".into(), json!(format!("keys.{k}")));
            }
            groups.entry(g.clone()).or_insert(Value::Object(body));
        }
        spec.insert(
            "logs".into(),
            json!({"defaults": {"retention": self.log_retention, "key": "keys.logs"}, "groups": groups}),
        );
        spec.insert(
            "trail".into(),
            json!({"name": "audit-trail", "bucket": "buckets.audit-logs", "key": "keys.s3",
                   "cloudwatch": "logs.trail"}),
        );

        // IAM: every policy attached to at least one role
        if !self.roles.is_empty() {
            let role_names: Vec<&String> = self.roles.keys().collect();
            let mut attached: BTreeMap<&String, Vec<String>> = BTreeMap::new();
            for (i, p) in self.policies.keys().enumerate() {
                attached
                    .entry(role_names[i % role_names.len()])
                    .or_default()
                    .push(p.clone());
            }
            let mut roles = Map::new();
            for (r, (desc, by_var, hours)) in &self.roles {
                let account = if *by_var {
                    json!({"var": "trusted_account_id", "description": "AWS account allowed to assume the roles"})
                } else {
                    json!("123456789012")
                };
                roles.insert(
                    r.clone(),
                    json!({
                        "description": desc,
                        "trust": {"account": account},
                        "external_id": {"var": "external_id", "sensitive": true, "description": "External ID callers pass"},
                        "max_session": format!("{hours}h"),
                        "policies": attached.get(r).cloned().unwrap_or_default(),
                    }),
                );
            }
            let data_buckets: Vec<String> =
                buckets.keys().map(|b| format!("buckets.{b}")).collect();
            let mut policies = Map::new();
            for (p, kinds) in &self.policies {
                let mut statements = Vec::new();
                for (i, kind) in kinds.iter().enumerate() {
                    let sid = format!("S{i}");
                    let st = match kind {
                        0 => json!({"sid": sid, "actions": ["s3:GetObject", "s3:ListBucket"],
                                    "resources": data_buckets[..data_buckets.len().min(2)]}),
                        1 => {
                            json!({"sid": sid, "actions": ["kms:Decrypt"], "resources": ["keys.s3"]})
                        }
                        2 => {
                            json!({"sid": sid, "actions": ["logs:GetLogEvents", "logs:FilterLogEvents"],
                                    "resources": ["logs.trail"]})
                        }
                        _ if !self.parameters.is_empty() => json!({"sid": sid,
                                    "actions": ["ssm:GetParameter", "ssm:GetParameters"],
                                    "resources": ["parameters.*"]}),
                        _ => {
                            json!({"sid": sid, "actions": ["kms:Decrypt"], "resources": ["keys.logs"]})
                        }
                    };
                    statements.push(st);
                }
                policies.insert(
                    p.clone(),
                    json!({"description": format!("Access for {p}"), "statements": statements}),
                );
            }
            let mut iam = Map::new();
            iam.insert("roles".into(), Value::Object(roles));
            if !policies.is_empty() {
                iam.insert("policies".into(), Value::Object(policies));
            }
            spec.insert("iam".into(), Value::Object(iam));
        }

        if !self.parameters.is_empty() {
            let mut params = Map::new();
            for (i, p) in self.parameters.iter().enumerate() {
                params.insert(
                    format!("/{}/{{suffix}}/{p}", self.name),
                    json!({"key": "keys.logs",
                           "value": {"var": format!("param_{i}"), "sensitive": true, "description": format!("Value of {p}")},
                           "description": format!("Configuration {p}")}),
                );
            }
            spec.insert("parameters".into(), Value::Object(params));
        }

        let mut outputs = Vec::new();
        if self.outputs[0] {
            outputs.push(json!({"name": "kms_key_arns", "value": "keys.*.arn", "description": "ARNs of the keys"}));
        }
        if self.outputs[1] {
            outputs.push(json!({"name": "s3_bucket_names", "value": "buckets.*.name", "description": "Names of the buckets"}));
        }
        if let Some(n) = &self.network {
            if self.outputs[2] {
                outputs.push(json!({"name": "vpc_id", "value": "network.vpc.id", "description": "ID of the VPC"}));
            }
            if self.outputs[3] {
                for t in n.tiers.keys() {
                    outputs.push(
                        json!({"name": format!("{}_subnet_ids", t.replace('-', "_")),
                                        "value": format!("network.tiers.{t}.subnet_ids"),
                                        "description": format!("Subnets of the {t} tier")}),
                    );
                }
            }
        }
        if !outputs.is_empty() {
            spec.insert("outputs".into(), Value::Array(outputs));
        }
        Value::Object(spec)
    }

    fn network_section(&self, n: &NetPlan) -> Value {
        let second = if n.ten { n.octet } else { 16 + n.octet % 16 };
        let first = if n.ten { 10 } else { 172 };
        // tiers × AZs subnets of at most 1/16 of the VPC each always fit
        let base = n.vpc_prefix + 4;
        let mut tiers = Map::new();
        for (t, extra) in &n.tiers {
            tiers.insert(t.clone(), json!({"prefix": (base + extra).min(28)}));
        }
        tiers.insert(
            "endpoints".into(),
            json!({"prefix": (base + n.endpoints_extra).min(28), "role": "endpoints"}),
        );
        let workload: Vec<&String> = n.tiers.keys().collect();
        let mut inspected: Vec<String> = workload.iter().map(|t| t.to_string()).collect();
        inspected.push("endpoints".into());
        if n.firewall {
            tiers.insert("firewall".into(), json!({"prefix": 28, "role": "firewall"}));
        }
        let mut endpoints = Map::new();
        endpoints.insert("s3".into(), json!({"type": "gateway", "tiers": workload}));
        if n.dynamodb {
            endpoints.insert(
                "dynamodb".into(),
                json!({"type": "gateway", "tiers": [workload[0]]}),
            );
        }
        for s in &n.interface {
            endpoints.insert(
                s.to_string(),
                json!({"type": "interface", "tiers": ["endpoints"], "security_group": "endpoints"}),
            );
        }
        let port = if n.app_port_var {
            json!({"var": "app_port", "default": n.app_port, "description": "Port of the application"})
        } else {
            json!(n.app_port)
        };
        let mut net = Map::new();
        net.insert("name".into(), json!(n.name));
        net.insert(
            "cidr".into(),
            json!(format!("{first}.{second}.0.0/{}", n.vpc_prefix)),
        );
        net.insert("azs".into(), json!(n.azs));
        net.insert("internet".into(), json!("none"));
        net.insert("tiers".into(), Value::Object(tiers));
        if n.firewall {
            net.insert(
                "firewall".into(),
                json!({"name": format!("{}-fw", n.name), "tier": "firewall", "inspect": inspected,
                       "default_action": "drop_established",
                       "allow": [{"protocol": "tls", "port": 443, "sni": [".amazonaws.com"]}],
                       "logging": {"flow": "logs.nfw-flow", "alert": "logs.nfw-alert"},
                       "key": "keys.logs"}),
            );
        }
        net.insert("endpoints".into(), Value::Object(endpoints));
        net.insert("default_security_group".into(), json!("locked"));
        // zero-trust: a flow inside the VPC names its peer's security group, not the VPC's range
        let app_egress = if n.firewall && n.zero_trust {
            json!([{"protocol": "tcp", "port": 443, "to": "security_groups.endpoints", "description": "AWS APIs"},
                   {"protocol": "tcp", "port": port, "to": "security_groups.app", "description": "Application peers"}])
        } else {
            json!([{"protocol": "tcp", "port": 443, "to": "security_groups.endpoints", "description": "AWS APIs"}])
        };
        let (app_from, endpoints_from) = if n.firewall && n.zero_trust {
            ("security_groups.app", "security_groups.app")
        } else {
            ("vpc", "vpc")
        };
        net.insert(
            "security_groups".into(),
            json!({
                "endpoints": {"description": "HTTPS from inside the VPC to the interface endpoints",
                              "ingress": [{"protocol": "tcp", "port": 443, "from": endpoints_from, "description": "HTTPS to AWS APIs"}]},
                "app": {"description": "Application workloads",
                        "ingress": [{"protocol": "tcp", "port": port, "from": app_from, "description": "Application traffic"}],
                        "egress": app_egress},
            }),
        );
        net.insert(
            "nacls".into(),
            json!({"private": {"tiers": inspected, "ephemeral_returns": true, "rules": [
                {"number": 100, "direction": "ingress", "action": "allow", "protocol": "tcp", "cidr": "vpc", "port": 443},
                {"number": 110, "direction": "ingress", "action": "allow", "protocol": "tcp", "cidr": "vpc", "port": port},
                {"number": 100, "direction": "egress", "action": "allow", "protocol": "tcp", "cidr": "vpc", "port": 443},
                {"number": 200, "direction": "ingress", "action": "deny", "protocol": "all", "cidr": "0.0.0.0/0"},
                {"number": 200, "direction": "egress", "action": "deny", "protocol": "all", "cidr": "0.0.0.0/0"},
            ]}}),
        );
        net.insert(
            "flow_logs".into(),
            json!([{"destination": "logs.vpc-flow", "traffic": "ALL"}]),
        );
        Value::Object(net)
    }
}

// ------------------------------------------------------------------------------------------------
// writing a document as YAML
// ------------------------------------------------------------------------------------------------

/// A YAML scalar: strings double-quoted with JSON escapes (a subset of YAML's), the rest as JSON.
fn scalar(v: &Value) -> String {
    v.to_string()
}

/// Block-style YAML of `v` at `indent`; mappings in the order `order` gives their keys.
fn yaml(
    v: &Value,
    indent: usize,
    order: &mut dyn FnMut(&[&String]) -> Vec<usize>,
    out: &mut String,
) {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            let keys: Vec<&String> = m.keys().collect();
            for i in order(&keys) {
                let k = keys[i];
                let val = &m[k];
                out.push_str(&format!("{pad}{}:", scalar(&json!(k))));
                match val {
                    Value::Object(o) if !o.is_empty() => {
                        out.push('\n');
                        yaml(val, indent + 2, order, out);
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push('\n');
                        yaml(val, indent + 2, order, out);
                    }
                    Value::Object(_) => out.push_str(" {}\n"),
                    Value::Array(_) => out.push_str(" []\n"),
                    _ => out.push_str(&format!(" {}\n", scalar(val))),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                match item {
                    Value::Object(o) if !o.is_empty() => {
                        // `- ` then the mapping's lines, the first on the dash's line
                        let mut inner = String::new();
                        yaml(item, indent + 2, order, &mut inner);
                        out.push_str(&format!("{pad}- {}", &inner[indent + 2..]));
                    }
                    Value::Array(a) if !a.is_empty() => {
                        out.push_str(&format!("{pad}-\n"));
                        yaml(item, indent + 2, order, out);
                    }
                    _ => out.push_str(&format!("{pad}- {}\n", scalar(item))),
                }
            }
        }
        _ => out.push_str(&format!("{pad}{}\n", scalar(v))),
    }
}

/// The spec as written: mapping keys in document order.
fn to_yaml(v: &Value) -> String {
    let mut out = String::from("# generated by tests/properties.rs\n");
    yaml(v, 0, &mut |keys| (0..keys.len()).collect(), &mut out);
    out
}

/// The spec with every mapping's keys in an order drawn from `seed` (sequences keep theirs: their
/// order means something).
fn to_yaml_shuffled(v: &Value, seed: [u8; 32]) -> String {
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut out = String::from("# generated by tests/properties.rs (keys shuffled)\n");
    yaml(
        v,
        0,
        &mut |keys| {
            let mut idx: Vec<usize> = (0..keys.len()).collect();
            // Fisher–Yates with the runner's deterministic RNG
            for i in (1..idx.len()).rev() {
                let j = (rng.next_u64() % (i as u64 + 1)) as usize;
                idx.swap(i, j);
            }
            idx
        },
        &mut out,
    );
    out
}

// ------------------------------------------------------------------------------------------------
// compiling
// ------------------------------------------------------------------------------------------------

type Files = Vec<(String, Vec<u8>)>;

fn compiled(text: &str) -> Compiled {
    compile("generated.yaml", text.as_bytes(), &Options::default())
}

/// Every target's files of spec text (`Err` with the rendered diagnostics when it does not compile).
fn build_all(text: &str) -> Result<(Compiled, BTreeMap<Target, Files>), String> {
    let c = compiled(text);
    let Some(module) = &c.module else {
        return Err(ztc::diag::render_plain(&c.diagnostics, &c.source, 100));
    };
    let mut findings = c.diagnostics.clone();
    let mut out = BTreeMap::new();
    for t in Target::ALL {
        let d = emit::target_diagnostics(module, t);
        if d.iter().any(|d| d.is_blocking()) {
            return Err(ztc::diag::render_plain(&d, &c.source, 100));
        }
        findings.extend(d);
    }
    for t in Target::ALL {
        out.insert(t, emit::emit(module, t, &findings));
    }
    Ok((c, out))
}

/// The Terraform JSON with the byte spans of spec nodes (`"//".ztc.span`) removed: they point into
/// the spec text, so they move when the spec's keys do.
fn without_spans(bytes: &[u8]) -> Vec<u8> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if let Some(Value::Object(meta)) = m.get_mut("ztc") {
                    meta.remove("span");
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v: Value = serde_json::from_slice(bytes).expect("Terraform JSON parses");
    strip(&mut v);
    serde_json::to_vec_pretty(&v).unwrap()
}

/// The generated README's lines in sorted order: it lists findings in the order of their spec
/// lines, which move with the keys; what it says must not change.
fn sorted_lines(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.lines().collect();
    lines.sort_unstable();
    lines.join("\n").into_bytes()
}

fn write(dir: &Path, files: &Files) {
    for (p, bytes) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, bytes).unwrap();
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("ZTC_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A runner with a fixed seed, so every run draws the same cases and a failure reproduces; set
/// `PROPTEST_RNG_SEED=N` to explore other cases.
fn runner(default_cases: u32) -> TestRunner {
    let defaults = Config::default();
    let seed = if std::env::var_os("PROPTEST_RNG_SEED").is_some() {
        defaults.rng_seed
    } else {
        RngSeed::Fixed(0x5eed_2c7c)
    };
    TestRunner::new(Config {
        cases: cases(default_cases),
        rng_algorithm: RngAlgorithm::ChaCha,
        rng_seed: seed,
        failure_persistence: None,
        ..defaults
    })
}

fn first_difference(a: &Files, b: &Files) -> Option<String> {
    let names = |f: &Files| f.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    if names(a) != names(b) {
        return Some(format!(
            "file lists differ: {:?} vs {:?}",
            names(a),
            names(b)
        ));
    }
    for ((p, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            let line = x
                .lines()
                .zip(y.lines())
                .position(|(l, r)| l != r)
                .unwrap_or(x.lines().count().min(y.lines().count()));
            return Some(format!(
                "{p} differs at line {}:\n  {:?}\n  {:?}",
                line + 1,
                x.lines().nth(line).unwrap_or("<end>"),
                y.lines().nth(line).unwrap_or("<end>")
            ));
        }
    }
    None
}

// ------------------------------------------------------------------------------------------------
// properties
// ------------------------------------------------------------------------------------------------

#[test]
fn generated_specs_check_clean_and_compile_to_every_target() {
    runner(96)
        .run(&plan(), |p| {
            let text = to_yaml(&p.spec());
            let c = compiled(&text);
            let errors: Vec<_> = c.diagnostics.iter().filter(|d| d.is_blocking()).collect();
            prop_assert!(
                errors.is_empty(),
                "generated spec has errors:\n{}\n{text}",
                ztc::diag::render_plain(
                    &errors.iter().map(|d| (*d).clone()).collect::<Vec<_>>(),
                    &c.source,
                    100
                )
            );
            let (_, files) =
                build_all(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
            for (t, fs) in &files {
                prop_assert!(!fs.is_empty(), "{t:?} wrote nothing");
                let main = match t {
                    Target::Hcl => fs.iter().any(|(p, b)| p.ends_with(".tf") && !b.is_empty()),
                    Target::Cdktf => fs.iter().any(|(p, _)| p.ends_with("/cdk.tf.json")),
                    Target::Pulumi => fs.iter().any(|(p, _)| p == "Pulumi.yaml"),
                };
                prop_assert!(
                    main,
                    "{t:?}: no code file among {:?}",
                    fs.iter().map(|f| &f.0).collect::<Vec<_>>()
                );
                for (path, bytes) in fs {
                    if path.ends_with(".json") {
                        prop_assert!(
                            serde_json::from_slice::<Value>(bytes).is_ok(),
                            "{path} is not JSON"
                        );
                    }
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn output_is_byte_identical_across_runs_and_key_order() {
    runner(48)
        .run(&(plan(), any::<[u8; 32]>()), |(p, seed)| {
            let doc = p.spec();
            let text = to_yaml(&doc);
            let shuffled = to_yaml_shuffled(&doc, seed);
            let (_, a) = build_all(&text).map_err(TestCaseError::fail)?;
            let (_, b) = build_all(&text).map_err(TestCaseError::fail)?;
            for t in Target::ALL {
                if let Some(d) = first_difference(&a[&t], &b[&t]) {
                    return Err(TestCaseError::fail(format!("{t:?}, two runs: {d}")));
                }
            }
            let (_, s) = build_all(&shuffled)
                .map_err(|e| TestCaseError::fail(format!("{e}\n{shuffled}")))?;
            for t in Target::ALL {
                let norm = |fs: &Files| -> Files {
                    fs.iter()
                        .map(|(p, b)| {
                            if t == Target::Cdktf && p.ends_with("cdk.tf.json") {
                                (p.clone(), without_spans(b))
                            } else if p.ends_with("README.md") {
                                (p.clone(), sorted_lines(b))
                            } else {
                                (p.clone(), b.clone())
                            }
                        })
                        .collect()
                };
                if let Some(d) = first_difference(&norm(&a[&t]), &norm(&s[&t])) {
                    return Err(TestCaseError::fail(format!(
                        "{t:?}, keys shuffled: {d}\n--- spec ---\n{text}\n--- shuffled ---\n{shuffled}"
                    )));
                }
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn hcl_and_terraform_json_describe_the_same_configuration() {
    if let Err(why) = common::hcl2json_modules() {
        return common::tool_missing("hcl2json", &why);
    }
    // each case runs HashiCorp's parser (node) once, ~3 s
    runner(12)
        .run(&plan(), |p| {
            let text = to_yaml(&p.spec());
            let (c, files) = build_all(&text).map_err(TestCaseError::fail)?;
            let hcl = tempfile::tempdir().unwrap();
            write(hcl.path(), &files[&Target::Hcl]);
            let (path, json) = files[&Target::Cdktf]
                .iter()
                .find(|(p, _)| p.ends_with("/cdk.tf.json"))
                .expect("cdk.tf.json");
            let doc: Value = serde_json::from_slice(json)
                .map_err(|e| TestCaseError::fail(format!("{path}: {e}")))?;
            let module = c.module.as_ref().unwrap();
            prop_assert!(
                module.hcl_files.is_none(),
                "generated specs use the default layout"
            );
            let result =
                std::panic::catch_unwind(|| common::equiv::assert_equivalent(hcl.path(), &doc));
            if let Err(e) = result {
                let msg = e
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                return Err(TestCaseError::fail(format!("{msg}\n--- spec ---\n{text}")));
            }
            Ok(())
        })
        .unwrap();
}

// ------------------------------------------------------------------------------------------------
// the generator itself
// ------------------------------------------------------------------------------------------------

/// The generator varies what it claims to: over a fixed number of draws, every dimension takes
/// more than one value, and shuffling actually reorders keys.
#[test]
fn the_generator_covers_its_dimensions() {
    let mut runner = runner(1);
    let strategy = plan();
    let mut seen: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    let mut note = |k: &'static str, v: String| {
        seen.entry(k).or_default().insert(v);
    };
    for _ in 0..200 {
        let p = strategy.new_tree(&mut runner).unwrap().current();
        let doc = p.spec();
        note("region", doc["region"].to_string());
        note("network", doc.get("network").is_some().to_string());
        if let Some(n) = doc.get("network") {
            note("cidr", n["cidr"].to_string());
            note("azs", n["azs"].to_string());
            note("tiers", n["tiers"].as_object().unwrap().len().to_string());
            note("firewall", n.get("firewall").is_some().to_string());
            note(
                "endpoints",
                n["endpoints"].as_object().unwrap().len().to_string(),
            );
        }
        note("keys", doc["keys"].as_object().unwrap().len().to_string());
        note(
            "buckets",
            doc["buckets"].as_object().unwrap().len().to_string(),
        );
        note(
            "log groups",
            doc["logs"]["groups"].as_object().unwrap().len().to_string(),
        );
        note(
            "roles",
            doc.get("iam")
                .map_or(0, |i| i["roles"].as_object().unwrap().len())
                .to_string(),
        );
        note("parameters", doc.get("parameters").is_some().to_string());
        note(
            "tags",
            doc["tags"]["required"]
                .as_object()
                .unwrap()
                .len()
                .to_string(),
        );
        note("name", doc["metadata"]["name"].to_string());
        let text = to_yaml(&doc);
        let shuffled = to_yaml_shuffled(&doc, [7; 32]);
        note(
            "shuffle changes text",
            (text.lines().skip(1).collect::<Vec<_>>()
                != shuffled.lines().skip(1).collect::<Vec<_>>())
            .to_string(),
        );
        let strip = |l: &str| l.trim().trim_start_matches("- ").to_string();
        let mut a: Vec<String> = text.lines().skip(1).map(strip).collect();
        let mut b: Vec<String> = shuffled.lines().skip(1).map(strip).collect();
        a.sort_unstable();
        b.sort_unstable();
        assert_eq!(a, b, "shuffling must only reorder lines of the same spec");
    }
    for (k, v) in &seen {
        if *k != "shuffle changes text" {
            assert!(v.len() > 1, "{k} never varies: {v:?}");
        }
    }
    assert!(seen["shuffle changes text"].contains("true"));
    assert!(
        seen["azs"].len() == 2 && seen["tiers"].len() >= 3,
        "{seen:?}"
    );
}
