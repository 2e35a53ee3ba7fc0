use super::common::*;
use super::iam::Statement;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Another AWS account this stack reaches through an assumed role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// What the account is for (security, audit, production).
    #[serde(default)]
    pub description: Option<String>,
    /// 12-digit account id (a variable: ids are never written into specs).
    pub id: VarSpec,
    /// Role ztc's deployment assumes in that account.
    pub role_arn: VarSpec,
    /// External ID required by that role.
    #[serde(default)]
    pub external_id: Option<VarSpec>,
}

/// The AWS Organizations deployment unit: service control policies.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Organization {
    /// The management (or delegated administrator) account: `accounts.NAME`.
    pub account: String,
    /// Service control policies, by name.
    pub scps: BTreeMap<String, Scp>,
}

/// A service control policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Scp {
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Statements (SCPs conventionally use `Resource: "*"`).
    pub statements: Vec<Statement>,
    /// OU or account ids the policy attaches to (variables).
    pub targets: Vec<VarSpec>,
    /// Principals exempt from every Deny (`aws:PrincipalArn` patterns), e.g. the deployer or a
    /// break-glass role, so that this stack stays destroyable.
    #[serde(default)]
    pub exempt_principals: Vec<String>,
}

/// Remote Terraform state in S3 (bucket and lock table must exist before `init`).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// State bucket name.
    pub bucket: String,
    /// Object key of the state file.
    pub key: String,
    /// Region of the bucket (default: the stack's region).
    #[serde(default)]
    pub region: Option<String>,
    /// KMS key ARN or alias for the state object.
    #[serde(default)]
    pub kms_key: Option<String>,
    /// DynamoDB table for state locking.
    #[serde(default)]
    pub dynamodb_table: Option<String>,
}
