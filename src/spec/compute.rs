use super::common::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Lambda function whose source ztc emits from a template.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Runtime, e.g. `python3.11`, `nodejs20.x`.
    pub runtime: String,
    /// Source template shipped with ztc: `compliance-checker` (Python) or
    /// `secrets-rotation` (Node.js, AWS SDK v3).
    pub source: String,
    /// Memory in MB.
    #[serde(default = "default_memory")]
    pub memory: u32,
    /// Timeout, e.g. `300s` or `5m`.
    #[serde(default = "default_timeout")]
    pub timeout: Duration,
    /// Environment variables: name → literal, or a reference (`topics.NAME`, `buckets.NAME`,
    /// `secrets.NAME`) resolved to its ARN/name.
    #[serde(default)]
    pub environment: BTreeMap<String, String>,
    /// Run inside the VPC (`tiers` + `security_group`), or `none` with a reason.
    pub vpc: FunctionVpc,
    /// Key for environment variables and the function's log group: `keys.NAME`.
    pub key: String,
    /// Log retention of the function's log group (`/aws/lambda/<name>`).
    #[serde(default)]
    pub log_retention: Option<Duration>,
    /// Extra permissions of the execution role: policy names of `iam.policies`.
    #[serde(default)]
    pub policies: Vec<String>,
}

fn default_memory() -> u32 {
    256
}
fn default_timeout() -> Duration {
    Duration::Text("60s".into())
}

/// Where a function runs.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum FunctionVpc {
    /// Inside the VPC.
    In(FunctionVpcIn),
    /// Outside any VPC, with the reason.
    None(FunctionVpcNone),
}

/// In-VPC placement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionVpcIn {
    /// Tiers whose subnets the function uses.
    pub tiers: Vec<String>,
    /// Security group: `NAME` of `network.security_groups`.
    pub security_group: String,
}

/// Out-of-VPC placement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionVpcNone {
    /// Why the function runs outside the VPC (PCI: Lambda.3 / LAMBDA_INSIDE_VPC).
    pub none: String,
}

/// A Secrets Manager secret.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// `create` it here, or use an `existing` secret by name.
    pub source: SecretSource,
    /// Existing secret: its name (or a variable).
    #[serde(default)]
    pub name: Option<StrOrVar>,
    /// Key: `keys.NAME` (created secrets only).
    #[serde(default)]
    pub key: Option<String>,
    /// Created secrets: generate a password into a JSON `{username, password}` value.
    #[serde(default)]
    pub generate: Option<Generate>,
    /// Days the secret stays recoverable after deletion: 0 (immediately) or 7-30.
    #[serde(default)]
    pub recovery_window_days: Option<i64>,
    /// Rotation, or `{none: reason}`.
    #[serde(default)]
    pub rotation: Option<Rotation2>,
}

/// Secret source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SecretSource {
    /// Created by this stack.
    Create,
    /// Exists already (read with a data source).
    Existing,
}

/// Password generation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Generate {
    /// User name stored beside the password.
    pub username: String,
    /// Password length.
    #[serde(default = "default_len")]
    pub length: u32,
    /// Include punctuation.
    #[serde(default = "super::network::yes")]
    pub special: bool,
    /// How the password reaches the secret. `ephemeral` (the default): an ephemeral
    /// `aws_secretsmanager_random_password` feeds the write-only `secret_string_wo`, so the
    /// password is never in the plan or the state; needs Terraform >= 1.11. `data-source`: the
    /// data source of the same name, for Terraform 1.5-1.10; the password is then also stored in
    /// the state in plain text (ZT0139 warns).
    #[serde(default)]
    pub via: GenerateVia,
}

/// How a generated password reaches its secret.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum GenerateVia {
    /// Ephemeral resource + write-only argument: never in the plan or state (Terraform >= 1.11).
    #[default]
    Ephemeral,
    /// Data source + `secret_string`: works from Terraform 1.5, keeps the password in the state.
    DataSource,
}

fn default_len() -> u32 {
    32
}

/// Secret rotation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Rotation2 {
    /// Rotate with a function.
    With(RotationWith),
    /// No rotation, with the reason.
    None(FunctionVpcNone),
}

/// Rotation by a function.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RotationWith {
    /// Days between rotations (1-1000).
    pub days: u32,
    /// Rotation function: `functions.NAME`.
    pub function: String,
    /// Rotate at apply time (fails when no database exists yet).
    #[serde(default)]
    pub immediately: bool,
}

/// Session Manager: bastion-less shell access with logged, encrypted sessions.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionManager {
    /// Log group receiving session transcripts: `logs.NAME`.
    pub log_group: String,
    /// Bucket receiving session transcripts: `buckets.NAME`.
    pub bucket: String,
    /// Key encrypting sessions and transcripts: `keys.NAME`.
    pub key: String,
    /// Idle timeout in minutes (PCI DSS 8.2.8: at most 15).
    #[serde(default = "default_idle")]
    #[schemars(range(min = 1, max = 60))]
    pub idle_timeout_minutes: u32,
    /// ABAC: tag keys whose value on the instance must equal the caller's session tag.
    #[serde(default)]
    pub abac_tags: Vec<String>,
}

fn default_idle() -> u32 {
    15
}
