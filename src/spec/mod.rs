//! The typed `zerotrust.yaml` model. The JSON Schema in `schema/zerotrust.schema.json` is generated
//! from these types (doc comments become descriptions), so the two can never disagree.

mod common;
mod compute;
mod database;
mod iam;
mod monitoring;
mod network;
mod org;
mod resources;

pub use common::*;
pub use compute::*;
pub use database::*;
pub use iam::*;
pub use monitoring::*;
pub use network::*;
pub use org::*;
pub use resources::*;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A zero-trust infrastructure spec (`zerotrust.yaml`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "ztc zerotrust.yaml spec")]
pub struct Spec {
    /// Spec format version. Always `1`.
    #[schemars(range(min = 1, max = 1))]
    pub ztc: u32,
    /// What this system is and where its requirements come from.
    pub metadata: Metadata,
    /// AWS Region the stack deploys to, e.g. `us-east-1`.
    #[schemars(
        regex(pattern = r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$"),
        example = "us-east-1"
    )]
    pub region: String,
    /// Choose the Region at deploy time: the name of a deployment variable whose default is
    /// `region`. The provider reads the variable; resource arguments (ARNs, service principals,
    /// endpoint service names) take the Region from `data.aws_region.current`, never a literal.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"), example = &"aws_region")]
    pub region_variable: Option<String>,
    /// Environment naming: the suffix every physical name carries.
    #[serde(default)]
    pub environment: Environment,
    /// Per-target options.
    #[serde(default)]
    pub targets: Targets,
    /// Deployment variables referenced as `var.NAME` where a field takes a reference (e.g. a
    /// security-group peer CIDR).
    #[serde(default)]
    pub variables: BTreeMap<String, VariableDecl>,
    /// How physical resource names are formed.
    #[serde(default)]
    pub naming: Naming,
    /// Compliance profiles, stack lifecycle and waivers.
    #[serde(default)]
    pub compliance: Compliance,
    /// Tags every taggable resource carries (through the provider's `default_tags`).
    #[serde(default)]
    pub tags: Tags,
    /// The VPC: tiers of subnets per AZ, firewall, endpoints, security groups, NACLs, flow logs.
    #[serde(default)]
    pub network: Option<Network>,
    /// Customer-managed KMS keys, by name.
    #[serde(default)]
    pub keys: BTreeMap<String, Key>,
    /// S3 buckets, by name (the name is the `{name}` of the naming pattern).
    #[serde(default)]
    pub buckets: BTreeMap<String, Bucket>,
    /// CloudWatch log groups and their defaults.
    #[serde(default)]
    pub logs: Logs,
    /// The CloudTrail trail (log file integrity validation lives here).
    #[serde(default)]
    pub trail: Option<Trail>,
    /// IAM roles and customer-managed policies.
    #[serde(default)]
    pub iam: Iam,
    /// SSM Parameter Store parameters, by path. `{suffix}` in a path is replaced by the environment suffix.
    #[serde(default)]
    pub parameters: BTreeMap<String, Parameter>,
    /// SNS topics, by name.
    #[serde(default)]
    pub topics: BTreeMap<String, Topic>,
    /// CloudWatch Logs metric filters, by name (the metric name).
    #[serde(default)]
    pub metric_filters: BTreeMap<String, MetricFilter>,
    /// CloudWatch alarms, by name.
    #[serde(default)]
    pub alarms: BTreeMap<String, Alarm>,
    /// EventBridge rules, by name.
    #[serde(default)]
    pub events: BTreeMap<String, EventRule>,
    /// AWS Config recorder and managed rules.
    #[serde(default)]
    pub config: Option<Config>,
    /// GuardDuty.
    #[serde(default)]
    pub guardduty: Option<GuardDuty>,
    /// Lambda functions, by name.
    #[serde(default)]
    pub functions: BTreeMap<String, Function>,
    /// Secrets Manager secrets, by name.
    #[serde(default)]
    pub secrets: BTreeMap<String, Secret>,
    /// Aurora Serverless v2 clusters, by name.
    #[serde(default)]
    pub databases: BTreeMap<String, Database>,
    /// Session Manager preferences, instance profile and access policy.
    #[serde(default)]
    pub session_manager: Option<SessionManager>,
    /// Other accounts reached through assumed roles (multi-account deployments).
    #[serde(default)]
    pub accounts: BTreeMap<String, Account>,
    /// Service control policies, deployed from the organization's management account.
    #[serde(default)]
    pub organization: Option<Organization>,
    /// Remote Terraform state.
    #[serde(default)]
    pub state: Option<State>,
    /// Account-level settings: singletons whose destroy changes the whole account. Opt-in only.
    #[serde(default)]
    pub account_settings: AccountSettings,
    /// Read-only lookups (data sources).
    #[serde(default)]
    pub lookups: Lookups,
    /// Stack outputs.
    #[serde(default)]
    pub outputs: Vec<OutputSpec>,
    /// Documentation carried into the generated code (manual steps, notes).
    #[serde(default)]
    pub docs: Docs,
}

/// Per-target options.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Terraform HCL output.
    #[serde(default)]
    pub hcl: HclOptions,
    /// How identity and trust policies (`aws_iam_policy`, `aws_iam_role_policy`, a role's
    /// `assume_role_policy`) are written: `inline` (`jsonencode`) or `data-source` (a
    /// `data "aws_iam_policy_document"` each, which Terraform renders to JSON; Pulumi calls
    /// `aws.iam.getPolicyDocument`). Key, bucket and topic policies stay inline: scanners read
    /// policy-document data sources as identity policies.
    #[serde(default)]
    pub policy_documents: PolicyDocuments,
}

/// How identity and trust policies are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyDocuments {
    /// `jsonencode({...})` in the resource.
    #[default]
    Inline,
    /// `data "aws_iam_policy_document"` referenced as `.json`.
    DataSource,
}

/// Options of the HCL target.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HclOptions {
    /// Two-file layout instead of one file per concern: `settings` gets the terraform, provider
    /// and variable blocks, `resources` everything else (e.g. `lib/provider.tf`, `lib/main.tf`).
    #[serde(default)]
    pub files: Option<HclFiles>,
}

/// A two-file HCL layout.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HclFiles {
    /// File for terraform settings, providers and variables.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_./-]+\.tf$"))]
    pub settings: String,
    /// File for data sources, resources and outputs.
    #[schemars(regex(pattern = r"^[A-Za-z0-9_./-]+\.tf$"))]
    pub resources: String,
}

/// A declared deployment variable.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VariableDecl {
    /// What the variable is for.
    pub description: String,
    /// Default value.
    #[serde(default)]
    pub default: Option<serde_json::Value>,
    /// Secret: never printed in plans or outputs.
    #[serde(default)]
    pub sensitive: bool,
}

/// Identification of the system.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metadata {
    /// Short machine name of the system (lower-case, dashes). Used as the stack name.
    #[schemars(
        regex(pattern = r"^[a-z][a-z0-9-]{0,62}$"),
        example = "zero-trust-payments"
    )]
    pub name: String,
    /// Human title.
    #[serde(default)]
    pub title: Option<String>,
    /// Where the requirements come from (a document, a ticket).
    #[serde(default)]
    pub source: Option<String>,
    /// Longer description.
    #[serde(default)]
    pub description: Option<String>,
    /// Owning team.
    #[serde(default)]
    pub owner: Option<String>,
}

/// Environment settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// The environment suffix appended to every physical name; a deployment variable.
    #[serde(default = "default_suffix")]
    pub suffix: VarSpec,
    /// The environment name (`dev`, `prod`), for the `{env}` naming token; a deployment variable.
    #[serde(default)]
    pub name: Option<VarSpec>,
}

impl Default for Environment {
    fn default() -> Self {
        Environment {
            suffix: default_suffix(),
            name: None,
        }
    }
}

fn default_suffix() -> VarSpec {
    VarSpec {
        var: "environment_suffix".into(),
        default: None,
        description: Some(
            "Suffix appended to every physical resource name (unique per deployment)".into(),
        ),
        sensitive: false,
    }
}

/// Naming of physical resources.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Naming {
    /// Pattern of physical names. Tokens: `{name}` (the element's name in the spec; include the
    /// resource type in it when the convention wants one, e.g. `kms-app`), `{suffix}` (the
    /// environment suffix), `{env}` (the environment name), `{service}`, `{account_id}`,
    /// `{region}`. The pattern must end with `{suffix}`.
    #[serde(default = "default_pattern")]
    #[schemars(example = "{name}-{suffix}")]
    pub pattern: String,
    /// Pattern for S3 bucket names (globally unique), e.g. `s3-{name}-{suffix}-{account_id}`.
    /// Default: `pattern`.
    #[serde(default)]
    pub bucket_pattern: Option<String>,
    /// The `{service}` token, e.g. `payments`.
    #[serde(default)]
    pub service: Option<String>,
    /// The longest environment suffix a deployment may use; name length limits are checked with it.
    #[serde(default = "default_max_suffix")]
    #[schemars(range(min = 1, max = 32))]
    pub max_suffix_length: u32,
}

impl Default for Naming {
    fn default() -> Self {
        Naming {
            pattern: default_pattern(),
            bucket_pattern: None,
            service: None,
            max_suffix_length: default_max_suffix(),
        }
    }
}

fn default_pattern() -> String {
    "{name}-{suffix}".into()
}
fn default_max_suffix() -> u32 {
    8
}

/// Compliance settings.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Compliance {
    /// Compliance profiles: each selects its rule pack, and the spec is checked against the rules
    /// of the selected packs only (`ztc explain CODE` lists a rule's packs). Default `[pci-dss-v4]`.
    #[serde(default = "default_profiles")]
    #[schemars(length(min = 1))]
    pub profiles: Vec<Profile>,
    /// `ephemeral`: every resource must be destroyable (test stacks). `persistent`: retention wins.
    #[serde(default)]
    pub lifecycle: Lifecycle,
    /// Accepted deviations from a rule, each with a reason. A waived finding is still reported.
    #[serde(default)]
    pub waivers: Vec<Waiver>,
    /// Audit frameworks the system is assessed against (recorded in outputs and docs).
    #[serde(default)]
    pub frameworks: Vec<String>,
}

impl Default for Compliance {
    fn default() -> Self {
        Compliance {
            profiles: default_profiles(),
            lifecycle: Lifecycle::default(),
            waivers: vec![],
            frameworks: vec![],
        }
    }
}

fn default_profiles() -> Vec<Profile> {
    vec![Profile::PciDssV4]
}

/// A compliance profile: a rule pack with its control references, enforcement levels and the
/// rules it never lets a waiver cover.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Profile {
    /// PCI DSS v4.0.1 requirements. Never waivable: open ingress, wildcard IAM, public buckets, a
    /// path from the internet into a private tier.
    #[serde(rename = "pci-dss-v4")]
    PciDssV4,
    /// SOC 2 Trust Services Criteria (CC6.x, CC7.x, CC8.1, C1.x). Never waivable: public buckets,
    /// a path from the internet into a private tier.
    #[serde(rename = "soc2")]
    Soc2,
    /// ztc's zero-trust baseline (ZTB-* controls from the NIST SP 800-207 tenets): peers named by
    /// security group, no long-lived credentials. Never waivable: open ingress, wildcard IAM,
    /// long-lived credentials, a path from the internet into a private tier.
    #[serde(rename = "zero-trust")]
    ZeroTrust,
}

/// Stack lifecycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lifecycle {
    /// Every resource destroyable: `force_destroy`, 7-day key deletion, no protections.
    #[default]
    Ephemeral,
    /// Long-lived: deletion windows of 30 days, retention wins over destroyability.
    Persistent,
}

/// An accepted deviation from a rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Waiver {
    /// Rule code (`ZT0103`) or slug (`s3-object-lock-compliance-ephemeral`), or a scanner check
    /// id (`CKV_AWS_144`) to skip in the generated code. A rule a selected profile marks as never
    /// waivable is rejected here.
    pub rule: String,
    /// Spec element the waiver covers (`buckets.audit-logs`); `*` or a trailing `.*` for many.
    #[serde(default = "default_scope")]
    pub scope: String,
    /// Why the deviation is acceptable. Required; carried into the generated code.
    #[schemars(length(min = 10))]
    pub reason: String,
    /// Date after which the waiver no longer applies (YYYY-MM-DD); an expired waiver is an error
    /// and waives nothing.
    #[serde(default)]
    #[schemars(regex(pattern = r"^\d{4}-\d{2}-\d{2}$"))]
    pub expires: Option<String>,
    /// Who accepted the risk.
    #[serde(default)]
    pub owner: Option<String>,
}

fn default_scope() -> String {
    "*".into()
}

/// Mandatory tags.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tags {
    /// Tag keys and values every taggable resource carries. Keys are exact (case-sensitive).
    #[serde(default)]
    pub required: BTreeMap<String, StrOrVar>,
}

/// Opt-in account-level settings.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    /// Turn on EBS encryption by default for the Region, with this key (`keys.NAME`).
    #[serde(default)]
    pub ebs_encryption_by_default: Option<EbsDefault>,
}

/// EBS default encryption.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EbsDefault {
    /// The key new EBS volumes are encrypted with: `keys.NAME`.
    pub key: String,
}

/// Read-only lookups.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Lookups {
    /// AMI lookups (`data "aws_ami"`), by name.
    #[serde(default)]
    pub amis: BTreeMap<String, AmiLookup>,
}

/// An AMI lookup: the most recent image matching the filters.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AmiLookup {
    /// Owner account ids or aliases (`amazon`).
    pub owners: Vec<String>,
    /// Image name pattern, e.g. `al2023-ami-*-x86_64`.
    pub name_pattern: String,
    /// CPU architecture.
    #[serde(default = "default_arch")]
    pub architecture: String,
}

fn default_arch() -> String {
    "x86_64".into()
}

/// A stack output.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Output name (snake_case).
    #[schemars(regex(pattern = r"^[a-z][a-z0-9_]*$"))]
    pub name: String,
    /// What to output: `SECTION.NAME.ATTR` or `SECTION.*.ATTR` for a map of all, e.g.
    /// `keys.*.arn`, `buckets.*.name`, `network.endpoints.*.dns_names`, `network.vpc.id`.
    pub value: String,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Mark as sensitive.
    #[serde(default)]
    pub sensitive: bool,
}

/// Documentation carried into the output.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Docs {
    /// Steps a person must do outside this stack.
    #[serde(default)]
    pub manual_steps: Vec<String>,
    /// Notes for reviewers.
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Generate the JSON Schema (draft-07) for specs.
pub fn json_schema() -> serde_json::Value {
    let gen = schemars::generate::SchemaSettings::draft07().into_generator();
    let schema = gen.into_root_schema_for::<Spec>();
    let mut v = serde_json::to_value(schema).unwrap_or_default();
    strip_null(&mut v);
    editor_annotations(&mut v);
    conditional_requirements(&mut v);
    if let Some(o) = v.as_object_mut() {
        o.insert("$id".into(), SCHEMA_ID.into());
    }
    v
}

/// The schema's `$id` (and the URL `ztc init` points specs at outside this repository).
pub const SCHEMA_ID: &str = "https://ztc.dev/schema/zerotrust.schema.json";

/// Editor annotations (YAML language server, VS Code): every property gets a `markdownDescription`
/// equal to its `description` (the doc comments are Markdown). A property whose type is a `$ref`
/// (wrapped in a one-element `allOf`) carries it on the reference too: the language server shows
/// the first description it meets, and the referenced definition's own text comes first.
fn editor_annotations(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get_mut("properties") {
                for p in props.values_mut() {
                    let Some(p) = p.as_object_mut() else { continue };
                    let Some(desc) = p.get("description").cloned() else {
                        continue;
                    };
                    p.entry("markdownDescription").or_insert(desc.clone());
                    if let Some(Value::Array(all)) = p.get_mut("allOf") {
                        if let [Value::Object(r)] = all.as_mut_slice() {
                            if r.contains_key("$ref") {
                                r.entry("markdownDescription").or_insert(desc);
                            }
                        }
                    }
                }
            }
            o.values_mut().for_each(editor_annotations);
        }
        Value::Array(a) => a.iter_mut().for_each(editor_annotations),
        _ => {}
    }
}

/// `if`/`then` where one field implies another. Each mirrors a check lowering makes anyway, so no
/// spec that compiled before is rejected; editors now flag it while typing. The conditions test a
/// field's value through `patternProperties` (`^type$`): a condition is not an object shape, so it
/// stays out of the `properties` that tests/schema.rs requires to be described and closed.
fn conditional_requirements(v: &mut serde_json::Value) {
    let rules = [
        // interface endpoints need a security group (lowering: "interface endpoints need a security group")
        (
            "Endpoint",
            serde_json::json!({
                "if": {"patternProperties": {"^type$": {"const": "interface"}}, "required": ["type"]},
                "then": {"required": ["security_group"]}
            }),
        ),
        // tcp/udp NACL rules need a port (lowering: "tcp/udp NACL rules need a `port`")
        (
            "NaclRule",
            serde_json::json!({
                "if": {"patternProperties": {"^protocol$": {"enum": ["tcp", "udp"]}}, "required": ["protocol"]},
                "then": {"required": ["port"]}
            }),
        ),
    ];
    for (def, cond) in rules {
        if let (Some(d), serde_json::Value::Object(c)) = (
            v.pointer_mut(&format!("/definitions/{def}"))
                .and_then(serde_json::Value::as_object_mut),
            cond,
        ) {
            d.extend(c);
        }
    }
}

/// Optional fields are "may be absent", not "may be null": drop the `null` alternatives schemars
/// adds for `Option<T>`, so errors point into the value instead of at an `anyOf`.
fn strip_null(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(types)) = o.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types[0].clone();
                    o.insert("type".into(), t);
                }
            }
            if o.get("default") == Some(&Value::Null) {
                o.remove("default");
            }
            let single = match o.get_mut("anyOf") {
                Some(Value::Array(alts))
                    if alts
                        .iter()
                        .any(|a| a == &serde_json::json!({"type": "null"})) =>
                {
                    alts.retain(|a| a != &serde_json::json!({"type": "null"}));
                    (alts.len() == 1).then(|| alts.remove(0))
                }
                _ => None,
            };
            if let Some(alt) = single {
                o.remove("anyOf");
                match alt {
                    Value::Object(a) if a.contains_key("$ref") => {
                        o.insert("allOf".into(), Value::Array(vec![Value::Object(a)]));
                    }
                    Value::Object(a) => {
                        for (k, x) in a {
                            o.entry(k).or_insert(x);
                        }
                    }
                    other => {
                        o.insert("allOf".into(), Value::Array(vec![other]));
                    }
                }
            }
            for x in o.values_mut() {
                strip_null(x);
            }
        }
        Value::Array(a) => a.iter_mut().for_each(strip_null),
        _ => {}
    }
}
