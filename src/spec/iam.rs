use super::common::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// IAM.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Iam {
    /// Roles, by name.
    #[serde(default)]
    pub roles: BTreeMap<String, Role>,
    /// Customer-managed policies, by name.
    #[serde(default)]
    pub policies: BTreeMap<String, Policy>,
}

/// An IAM role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Who may assume the role.
    pub trust: Trust,
    /// External ID the caller must pass (`sts:ExternalId`); only for account principals.
    #[serde(default)]
    pub external_id: Option<StrOrVar>,
    /// Require MFA on assumption (`aws:MultiFactorAuthPresent`); account principals only.
    #[serde(default)]
    pub mfa: bool,
    /// Allow assumption only from these source CIDRs (`aws:SourceIp`).
    #[serde(default)]
    pub source_ips: Vec<String>,
    /// ABAC: session tags callers must pass at AssumeRole (`sts:TagSession` + `aws:RequestTag`).
    #[serde(default)]
    pub session_tags: Vec<String>,
    /// Maximum session: `1h` or seconds, 3600-43200.
    #[serde(default = "default_session")]
    pub max_session: Duration,
    /// Policies attached: names of `iam.policies`.
    #[serde(default)]
    pub policies: Vec<String>,
}

fn default_session() -> Duration {
    Duration::Text("1h".into())
}

/// Trust: exactly one of `account` or `service`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trust {
    /// A 12-digit AWS account id (or variable) whose principals may assume the role.
    #[serde(default)]
    pub account: Option<StrOrVar>,
    /// An AWS service principal, e.g. `lambda.amazonaws.com`.
    #[serde(default)]
    pub service: Option<String>,
}

/// A customer-managed policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Statements.
    pub statements: Vec<Statement>,
}

/// A policy statement.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Statement id.
    #[serde(default)]
    pub sid: Option<String>,
    /// Effect.
    #[serde(default)]
    pub effect: Effect,
    /// Actions, e.g. `ssm:GetParameter`.
    pub actions: Vec<String>,
    /// Resources: ARNs, or spec references (`keys.NAME`, `buckets.NAME`, `parameters.*`,
    /// `logs.NAME`), or `*` for actions without resource-level permissions.
    pub resources: Vec<String>,
    /// Conditions: operator → key → values.
    #[serde(default)]
    pub conditions: BTreeMap<String, BTreeMap<String, Vec<String>>>,
}

/// Statement effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Allow.
    #[default]
    Allow,
    /// Deny.
    Deny,
}
