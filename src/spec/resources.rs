use super::common::*;
use super::network::yes;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A customer-managed KMS key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Key {
    /// Description shown in KMS.
    #[serde(default)]
    pub description: Option<String>,
    /// What the key encrypts. Drives the derived key-policy grants.
    #[serde(default)]
    pub usage: Vec<KeyUsage>,
    /// Automatic rotation.
    #[serde(default)]
    pub rotation: Rotation,
    /// Days between scheduling deletion and deletion (7-30). Default: 7 when the stack is
    /// ephemeral, 30 when persistent.
    #[serde(default)]
    pub deletion_window_days: Option<i64>,
    /// Protect against deletion (`prevent_destroy`, deletion protection). Rejected in ephemeral stacks.
    #[serde(default)]
    pub protect: bool,
    /// Roles allowed to use the key (encrypt/decrypt/generate data keys): `iam.roles.NAME` or
    /// `functions.NAME` (its execution role). Granted in the key policy.
    #[serde(default)]
    pub users: Vec<String>,
    /// Principals that administer the key (describe, enable/disable, rotate, tag, schedule
    /// deletion) without using it for data: `deployer` (the role running the deployment, resolved
    /// from its session so the grant does not change per run) or `iam.roles.NAME`. The account
    /// root always keeps full access, so the key cannot be locked out.
    #[serde(default)]
    #[schemars(example = vec!["deployer".to_string()])]
    pub administrators: Vec<String>,
    /// Multi-Region primary key (replicas are created in the DR Region's stack).
    #[serde(default)]
    pub multi_region: bool,
    /// Data classification of what the key protects (tagged `DataClassification` on the key).
    #[serde(default)]
    pub data_classification: Option<String>,
}

/// What a key is used for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum KeyUsage {
    /// S3 server-side encryption.
    S3,
    /// EBS volumes.
    Ebs,
    /// RDS / Aurora storage.
    Rds,
    /// CloudWatch Logs log groups.
    Logs,
    /// SSM Parameter Store SecureStrings.
    Ssm,
    /// CloudTrail log files.
    Cloudtrail,
    /// Network Firewall.
    Firewall,
}

/// Key rotation.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Rotate the key material automatically.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Days between rotations (90-2560; AWS default 365).
    #[serde(default)]
    pub period_days: Option<i64>,
}

impl Default for Rotation {
    fn default() -> Self {
        Rotation {
            enabled: true,
            period_days: None,
        }
    }
}

/// An S3 bucket, hardened by default.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Bucket {
    /// SSE-KMS key: `keys.NAME`.
    pub key: String,
    /// Versioning.
    #[serde(default = "yes")]
    pub versioning: bool,
    /// Block every form of public access.
    #[serde(default = "yes")]
    pub block_public_access: bool,
    /// Object Lock default retention (immutable storage).
    #[serde(default)]
    pub object_lock: Option<ObjectLock>,
    /// MFA protection of deletes. `native` is real S3 MFA Delete (root credentials and a
    /// token at apply time); `policy` denies deletes without MFA in the bucket policy.
    #[serde(default)]
    pub mfa_delete: MfaDelete,
    /// Bucket-policy controls for data in transit.
    #[serde(default)]
    pub transport: Transport,
    /// Server access logging into another bucket: `buckets.NAME`.
    #[serde(default)]
    pub access_logs: Option<String>,
    /// Lifecycle of noncurrent versions and incomplete uploads.
    #[serde(default)]
    pub lifecycle: Option<BucketLifecycle>,
    /// AWS services that deliver logs into this bucket.
    #[serde(default)]
    pub log_delivery: Vec<LogDelivery>,
    /// Protect against deletion (`prevent_destroy`, deletion protection). Rejected in ephemeral stacks.
    #[serde(default)]
    pub protect: bool,
}

/// Object Lock default retention.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ObjectLock {
    /// `GOVERNANCE` (privileged users may bypass; destroyable) or `COMPLIANCE` (no one can delete).
    pub mode: LockMode,
    /// Retention: `90d` or `7y`.
    pub retention: Duration,
    /// Accept that a COMPLIANCE-locked bucket in an ephemeral stack cannot be destroyed.
    #[serde(default)]
    pub accept_undeletable_objects: bool,
}

/// Object Lock mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum LockMode {
    /// Governance mode.
    Governance,
    /// Compliance mode.
    Compliance,
}

/// MFA delete mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MfaDelete {
    /// No MFA protection of deletes.
    #[default]
    None,
    /// Bucket-policy deny of deletes and versioning changes without MFA (deployer exempt).
    Policy,
    /// S3 MFA Delete (needs root credentials and an MFA token at apply; blocks destroy).
    Native,
}

/// Transport controls in the bucket policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transport {
    /// Deny any request not using TLS (`aws:SecureTransport`).
    #[serde(default = "yes")]
    pub deny_insecure: bool,
    /// Minimum TLS version (`s3:TlsVersion`).
    #[serde(default = "default_tls")]
    pub min_tls: TlsVersion,
    /// Deny uploads that ask for an encryption other than SSE-KMS
    /// (`StringNotEqualsIfExists s3:x-amz-server-side-encryption aws:kms`; uploads without the
    /// header get the default SSE-KMS, so AWS log delivery keeps working).
    #[serde(default = "yes")]
    pub deny_unencrypted_uploads: bool,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            deny_insecure: true,
            min_tls: default_tls(),
            deny_unencrypted_uploads: true,
        }
    }
}

fn default_tls() -> TlsVersion {
    TlsVersion::V1_2
}

/// TLS version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum TlsVersion {
    /// TLS 1.2.
    #[serde(rename = "1.2")]
    V1_2,
    /// TLS 1.3.
    #[serde(rename = "1.3")]
    V1_3,
}

/// Bucket lifecycle.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BucketLifecycle {
    /// Expire current objects after this long (`90d`).
    #[serde(default)]
    pub expiration: Option<Duration>,
    /// Expire noncurrent object versions after this long (`90d`, `7y`).
    #[serde(default)]
    pub noncurrent_expiration: Option<Duration>,
    /// Abort incomplete multipart uploads after this many days.
    #[serde(default = "default_abort")]
    pub abort_incomplete_uploads_days: i64,
}

fn default_abort() -> i64 {
    7
}

/// A log-delivery service writing into a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum LogDelivery {
    /// CloudTrail.
    Cloudtrail,
    /// S3 server access logging.
    #[serde(rename = "s3-access-logs")]
    S3AccessLogs,
    /// VPC flow logs (`delivery.logs.amazonaws.com`).
    #[serde(rename = "vpc-flow-logs")]
    VpcFlowLogs,
    /// AWS Config snapshots and history.
    Config,
}

/// CloudWatch Logs.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logs {
    /// Defaults for every group.
    #[serde(default)]
    pub defaults: LogDefaults,
    /// Log groups by name.
    #[serde(default)]
    pub groups: BTreeMap<String, LogGroup>,
}

/// Log group defaults.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogDefaults {
    /// Retention: days as a number or `7y`, `90d`. Must be a value CloudWatch Logs accepts.
    #[serde(default)]
    pub retention: Option<Duration>,
    /// Encryption key: `keys.NAME`.
    #[serde(default)]
    pub key: Option<String>,
}

/// A log group.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LogGroup {
    /// Retention (overrides the default).
    #[serde(default)]
    pub retention: Option<Duration>,
    /// Encryption key (overrides the default): `keys.NAME`.
    #[serde(default)]
    pub key: Option<String>,
    /// Full log-group name instead of the naming pattern (for names AWS dictates).
    #[serde(default)]
    pub name: Option<String>,
    /// Protect against deletion (`prevent_destroy`, deletion protection). Rejected in ephemeral stacks.
    #[serde(default)]
    pub protect: bool,
}

/// CloudTrail.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trail {
    /// Logical name (`{name}`).
    pub name: String,
    /// Record events of every Region.
    #[serde(default = "yes")]
    pub multi_region: bool,
    /// Record global-service events (IAM, STS, CloudFront).
    #[serde(default = "yes")]
    pub global_events: bool,
    /// Log file integrity validation (signed SHA-256 digest files).
    #[serde(default = "yes")]
    pub log_file_validation: bool,
    /// Destination bucket: `buckets.NAME`.
    pub bucket: String,
    /// Encryption key for log files: `keys.NAME`.
    pub key: String,
    /// Also deliver to this log group: `logs.NAME`.
    #[serde(default)]
    pub cloudwatch: Option<String>,
}

/// An SSM parameter.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// Parameter type. Only SecureString is accepted (KMS-encrypted).
    #[serde(rename = "type", default)]
    pub kind: ParamType,
    /// Key: `keys.NAME`.
    pub key: String,
    /// Value, or a deployment variable.
    pub value: StrOrVar,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

/// SSM parameter type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum ParamType {
    /// Encrypted with a KMS key.
    #[default]
    SecureString,
    /// Plain text: rejected by the compliance rules.
    String,
}
