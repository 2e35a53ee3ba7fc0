//! Facts about `functions` and `secrets` shared by the ZT013x rules and by lowering: the function
//! source templates ztc ships, what an environment value refers to, which function rotates which
//! secret, and the VPC endpoints an in-VPC function needs (REQUIREMENTS C15).

use crate::spec::{Function, FunctionVpc, Rotation2, SecretSource, Spec};
use std::collections::BTreeSet;

/// A function source template shipped with ztc (`backends/functions/<name>/<file>`).
#[derive(Debug)]
pub struct Template {
    /// `source:` value in the spec.
    pub name: &'static str,
    /// File name inside the deployment package.
    pub file: &'static str,
    /// Lambda handler.
    pub handler: &'static str,
    /// Runtime family the source is written for.
    pub family: &'static str,
    /// Oldest runtime version the source supports (e.g. `[18]` for nodejs18.x).
    pub min_version: &'static [u32],
    /// The runtime it was written and tested for (suggested in messages).
    pub suggested_runtime: &'static str,
    /// AWS services the code calls by itself (interface/gateway endpoint names), beyond those
    /// implied by its environment references.
    pub services: &'static [&'static str],
    /// Environment variables the code reads, with what they must hold.
    pub env: &'static [(&'static str, &'static str)],
    /// One line for descriptions.
    pub summary: &'static str,
}

/// Every template, by name.
pub static TEMPLATES: &[Template] = &[
    Template {
        name: "compliance-checker",
        file: "lambda_function.py",
        handler: "lambda_function.lambda_handler",
        family: "python",
        min_version: &[3, 9],
        suggested_runtime: "python3.13",
        services: &["ec2", "s3", "logs"],
        env: &[
            ("REPORTS_BUCKET", "buckets.NAME: where JSON reports are written (reports/<timestamp>.json)"),
            ("SNS_TOPIC_ARN", "topics.NAME: where the summary is published (optional)"),
        ],
        summary: "Scans the account for PCI DSS misconfigurations, publishes a summary and writes a JSON report",
    },
    Template {
        name: "secrets-rotation",
        file: "index.mjs",
        handler: "index.handler",
        family: "nodejs",
        min_version: &[18],
        suggested_runtime: "nodejs22.x",
        services: &["secretsmanager"],
        env: &[
            ("DB_HOST", "PostgreSQL host whose user password is rotated (optional; needs `pg` bundled)"),
            ("DB_PORT", "PostgreSQL port (default 5432)"),
            ("DB_NAME", "database to connect to (default postgres)"),
            ("PASSWORD_LENGTH", "length of generated passwords (default 32)"),
            ("EXCLUDE_PUNCTUATION", "`true` to generate passwords without punctuation"),
        ],
        summary: "Rotates a {username, password} secret in four steps (AWS SDK v3)",
    },
];

/// The template named `name`.
pub fn template(name: &str) -> Option<&'static Template> {
    TEMPLATES.iter().find(|t| t.name == name)
}

/// What an environment value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvValue<'a> {
    /// `topics.NAME` → the topic ARN.
    Topic(&'a str),
    /// `buckets.NAME` → the bucket name.
    Bucket(&'a str),
    /// `secrets.NAME` → the secret ARN.
    Secret(&'a str),
    /// Anything else: the literal string.
    Literal(&'a str),
}

/// Classify an environment value.
pub fn env_value(v: &str) -> EnvValue<'_> {
    if let Some(n) = v.strip_prefix("topics.") {
        EnvValue::Topic(n)
    } else if let Some(n) = v.strip_prefix("buckets.") {
        EnvValue::Bucket(n)
    } else if let Some(n) = v.strip_prefix("secrets.") {
        EnvValue::Secret(n)
    } else {
        EnvValue::Literal(v)
    }
}

/// `functions.NAME` → `NAME`.
pub fn function_ref(r: &str) -> Option<&str> {
    r.strip_prefix("functions.").filter(|n| !n.is_empty())
}

/// Names of the secrets rotated by function `name`.
pub fn rotated_secrets<'a>(spec: &'a Spec, name: &str) -> Vec<&'a str> {
    spec.secrets
        .iter()
        .filter(|(_, s)| match &s.rotation {
            Some(Rotation2::With(r)) => function_ref(&r.function) == Some(name),
            _ => false,
        })
        .map(|(n, _)| n.as_str())
        .collect()
}

/// True when function `name` rotates at least one secret.
pub fn is_rotation_function(spec: &Spec, name: &str) -> bool {
    !rotated_secrets(spec, name).is_empty()
}

/// True when a secret is created by the stack (not `existing`).
pub fn secret_is_created(spec: &Spec, name: &str) -> bool {
    spec.secrets
        .get(name)
        .is_some_and(|s| s.source == SecretSource::Create)
}

/// Names of the topics that list `functions.<name>` as a publisher.
pub fn published_topics<'a>(spec: &'a Spec, name: &str) -> Vec<&'a str> {
    spec.topics
        .iter()
        .filter(|(_, t)| t.publishers.iter().any(|p| function_ref(p) == Some(name)))
        .map(|(n, _)| n.as_str())
        .collect()
}

/// The VPC endpoints (`network.endpoints` keys) function `name` needs to reach the AWS APIs it
/// calls from inside an isolated VPC, each with the reason. Lambda itself delivers the function's
/// logs and traces outside the VPC, so `logs` / `xray` are only needed when the code calls them.
pub fn needed_endpoints(spec: &Spec, name: &str, f: &Function) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> = Vec::new();
    let mut add = |svc: &'static str, why: String| {
        if !out.iter().any(|(s, _)| *s == svc) {
            out.push((svc, why));
        }
    };
    if let Some(t) = template(&f.source) {
        for s in t.services {
            add(s, format!("the `{}` code calls {s}", t.name));
        }
    }
    if is_rotation_function(spec, name) {
        add(
            "secretsmanager",
            "it rotates secrets through the Secrets Manager API".into(),
        );
    }
    for (k, v) in &f.environment {
        match env_value(v) {
            EnvValue::Bucket(_) => add("s3", format!("`{k}` names a bucket")),
            EnvValue::Topic(_) => add("sns", format!("`{k}` names a topic")),
            EnvValue::Secret(_) => add("secretsmanager", format!("`{k}` names a secret")),
            EnvValue::Literal(_) => {}
        }
    }
    out
}

/// True when the function runs inside the VPC.
pub fn in_vpc(f: &Function) -> bool {
    matches!(f.vpc, FunctionVpc::In(_))
}

/// The endpoints the spec declares.
pub fn declared_endpoints(spec: &Spec) -> BTreeSet<&str> {
    spec.network
        .as_ref()
        .map(|n| n.endpoints.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// True when the rotation function has a database to rotate against (`DB_HOST` set).
pub fn has_database(f: &Function) -> bool {
    f.environment
        .get("DB_HOST")
        .is_some_and(|v| !v.trim().is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn env_values() {
        assert_eq!(env_value("topics.alerts"), EnvValue::Topic("alerts"));
        assert_eq!(env_value("buckets.r"), EnvValue::Bucket("r"));
        assert_eq!(env_value("secrets.db"), EnvValue::Secret("db"));
        assert_eq!(env_value("INFO"), EnvValue::Literal("INFO"));
        assert_eq!(function_ref("functions.rotate"), Some("rotate"));
        assert_eq!(function_ref("functions."), None);
    }
    #[test]
    fn templates_are_known() {
        assert!(template("compliance-checker").is_some());
        assert!(template("secrets-rotation").is_some());
        assert!(template("nope").is_none());
    }
}
