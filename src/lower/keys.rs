//! KMS keys with key policies derived from the services that use each key (REQUIREMENTS C18).

use super::{ident, policy_doc, Lowerer, Stmt};
use crate::ir::*;
use crate::spec::{Lifecycle, LogDelivery};
use std::collections::BTreeSet;

fn key_name(r: &str) -> Option<&str> {
    r.strip_prefix("keys.")
}

pub fn lower(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    let consumers = Consumers::of(spec);
    for (name, key) in &spec.keys {
        let at = ["keys", name.as_str()];
        let origin = format!("keys.{name}");
        let span = l.key_span(&at);
        let account = l.account_id();
        let root = l.root_principal();

        let mut stmts = vec![Stmt::allow("EnableAccountAdministration")
            .aws(root)
            .actions(&["kms:*"])
            .resource(Expr::str("*"))
            .build()];
        let uses = |set: &BTreeSet<&str>| set.contains(name.as_str());

        if uses(&consumers.logs) {
            let ctx = l.arn("logs", true, vec![Expr::str("log-group:*")]);
            stmts.push(
                Stmt::allow("AllowCloudWatchLogs")
                    .service_expr(l.in_region("logs.", ".amazonaws.com"))
                    .actions(&[
                        "kms:Decrypt*",
                        "kms:Describe*",
                        "kms:Encrypt*",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ])
                    .resource(Expr::str("*"))
                    .when("ArnLike", "kms:EncryptionContext:aws:logs:arn", ctx)
                    .build(),
            );
        }
        if spec.trail.as_ref().and_then(|t| key_name(&t.key)) == Some(name.as_str()) {
            let partition = l.partition();
            let ctx = Expr::concat(vec![
                Expr::str("arn:"),
                partition,
                Expr::str(":cloudtrail:*:"),
                account.clone(),
                Expr::str(":trail/*"),
            ]);
            stmts.push(
                Stmt::allow("AllowCloudTrailEncrypt")
                    .service("cloudtrail.amazonaws.com")
                    .actions(&["kms:GenerateDataKey*"])
                    .resource(Expr::str("*"))
                    .when("StringEquals", "aws:SourceAccount", account.clone())
                    .when(
                        "StringLike",
                        "kms:EncryptionContext:aws:cloudtrail:arn",
                        ctx,
                    )
                    .build(),
            );
            stmts.push(
                Stmt::allow("AllowCloudTrailDescribe")
                    .service("cloudtrail.amazonaws.com")
                    .actions(&["kms:DescribeKey"])
                    .resource(Expr::str("*"))
                    .build(),
            );
        }
        if uses(&consumers.access_logs) {
            stmts.push(
                Stmt::allow("AllowS3ServerAccessLogDelivery")
                    .service("logging.s3.amazonaws.com")
                    .actions(&["kms:Decrypt", "kms:GenerateDataKey*"])
                    .resource(Expr::str("*"))
                    .when("StringEquals", "aws:SourceAccount", account.clone())
                    .build(),
            );
        }
        // SNS topics encrypted with this key: EventBridge / alarm / Config deliveries (C27)
        stmts.extend(super::monitoring::topic_key_grants(l, name));

        // VPC flow logs delivered to an SSE-KMS bucket write with the delivery service's identity
        if uses(&consumers.flow_logs) {
            stmts.push(
                Stmt::allow("AllowVpcFlowLogDelivery")
                    .service("delivery.logs.amazonaws.com")
                    .actions(&[
                        "kms:Decrypt",
                        "kms:Encrypt",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ])
                    .resource(Expr::str("*"))
                    .when("StringEquals", "aws:SourceAccount", account.clone())
                    .build(),
            );
        }
        // usage grants for the roles the spec names
        let users: Vec<Expr> = (key.users.iter().enumerate())
            .filter_map(|(i, u)| key_principal(l, name, "users", i, u))
            .collect();
        // administration without data access for the principals the spec names
        let admins: Vec<Expr> = (key.administrators.iter().enumerate())
            .filter_map(|(i, a)| key_principal(l, name, "administrators", i, a))
            .collect();
        if !admins.is_empty() {
            stmts.push(
                Stmt::allow("AllowKeyAdministration")
                    .aws(Expr::List(admins))
                    .actions(ADMIN_ACTIONS)
                    .resource(Expr::str("*"))
                    .build(),
            );
        }
        if !users.is_empty() {
            stmts.push(
                Stmt::allow("AllowUseByNamedRoles")
                    .aws(Expr::List(users))
                    .actions(&[
                        "kms:Decrypt",
                        "kms:DescribeKey",
                        "kms:Encrypt",
                        "kms:GenerateDataKey*",
                        "kms:ReEncrypt*",
                    ])
                    .resource(Expr::str("*"))
                    .build(),
            );
        }

        let window = key
            .deletion_window_days
            .unwrap_or(match spec.compliance.lifecycle {
                Lifecycle::Ephemeral => 7,
                Lifecycle::Persistent => 30,
            });
        let desc = key
            .description
            .clone()
            .unwrap_or_else(|| format!("{name} key"));
        let mut body = Body::new()
            .attr(
                "description",
                Expr::str(format!("{desc} ({})", spec.metadata.name)),
            )
            .attr("enable_key_rotation", Expr::Bool(key.rotation.enabled));
        if let (true, Some(p)) = (key.rotation.enabled, key.rotation.period_days) {
            body.push_attr("rotation_period_in_days", Expr::Int(p));
        }
        body.push_attr("deletion_window_in_days", Expr::Int(window));
        if key.multi_region {
            body.push_attr("multi_region", Expr::Bool(true));
            l.diags.push(
                crate::diag::Diagnostic::warning(super::codes::MULTI_REGION, format!("multi-Region key `{name}` has no replica in this stack"))
                    .at(l.key_span(&["keys", name, "multi_region"]))
                    .label("primary only")
                    .scope(&origin)
                    .help("a multi-Region key helps disaster recovery only with an `aws_kms_replica_key` in the DR Region's stack; rotation set here is shared by the replicas"),
            );
        }
        body.push_attr("policy", policy_doc(stmts));
        let mut tags = vec![("Name".to_string(), l.name(name))];
        if let Some(c) = &key.data_classification {
            tags.push(("DataClassification".into(), Expr::str(c)));
        }
        body.push_attr("tags", Expr::Object(tags));
        let k = l.resource(
            "aws_kms_key",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            body,
        );
        if key.protect {
            protect(l, &k);
        }
        let alias = Expr::concat(vec![Expr::str("alias/"), l.name(name)]);
        l.resource(
            "aws_kms_alias",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            Body::new()
                .attr("name", alias)
                .attr("target_key_id", k.attr("key_id")),
        );
    }
}

/// Key administration without cryptographic use (no Encrypt/Decrypt/GenerateDataKey).
const ADMIN_ACTIONS: &[&str] = &[
    "kms:CancelKeyDeletion",
    "kms:Create*",
    "kms:Delete*",
    "kms:Describe*",
    "kms:Disable*",
    "kms:Enable*",
    "kms:Get*",
    "kms:List*",
    "kms:Put*",
    "kms:Revoke*",
    "kms:RotateKeyOnDemand",
    "kms:ScheduleKeyDeletion",
    "kms:TagResource",
    "kms:UntagResource",
    "kms:Update*",
];

/// The ARN a key-policy principal reference stands for: `iam.roles.NAME`, `functions.NAME` (its
/// execution role) or, for administrators, `deployer`. An unknown reference is an error at it.
fn key_principal(
    l: &mut Lowerer<'_>,
    key: &str,
    field: &str,
    i: usize,
    reference: &str,
) -> Option<Expr> {
    let spec = l.spec;
    if field == "administrators" && reference == "deployer" {
        return Some(l.deployer_principal(&format!("keys.{key}")));
    }
    if let Some(r) = reference
        .strip_prefix("iam.roles.")
        .filter(|r| spec.iam.roles.contains_key(*r))
    {
        return Some(Address::resource("aws_iam_role", &ident(r)).attr("arn"));
    }
    if let Some(f) = reference
        .strip_prefix("functions.")
        .filter(|f| spec.functions.contains_key(*f))
    {
        return Some(
            Address::resource("aws_iam_role", &format!("{}_function", ident(f))).attr("arn"),
        );
    }
    let mut known: Vec<String> = spec
        .iam
        .roles
        .keys()
        .map(|r| format!("iam.roles.{r}"))
        .collect();
    known.extend(spec.functions.keys().map(|f| format!("functions.{f}")));
    if field == "administrators" {
        known.insert(0, "deployer".into());
    }
    let at = ["keys", key, field, &i.to_string()];
    l.diags.push(
        crate::diag::Diagnostic::error(
            super::codes::UNKNOWN_REF,
            format!("`{reference}` is not a role or function of this spec"),
        )
        .at(l.span(&at))
        .label(if field == "users" {
            "unknown key user"
        } else {
            "unknown key administrator"
        })
        .help(match crate::validate::did_you_mean(reference, &known) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "name `iam.roles.NAME` or `functions.NAME`{}; known: {}",
                if field == "administrators" {
                    " or `deployer`"
                } else {
                    ""
                },
                known.join(", ")
            ),
        }),
    );
    None
}

/// Keys whose consumers need a grant in the key policy, computed once for all keys.
struct Consumers<'s> {
    /// Keys of log groups: `logs.groups` and the `/aws/lambda/...` groups of functions.
    logs: BTreeSet<&'s str>,
    /// Keys of buckets receiving S3 server access logs.
    access_logs: BTreeSet<&'s str>,
    /// Keys of buckets receiving VPC flow logs.
    flow_logs: BTreeSet<&'s str>,
}

impl<'s> Consumers<'s> {
    fn of(spec: &'s crate::spec::Spec) -> Self {
        let bucket_keys = |d: LogDelivery| {
            spec.buckets
                .values()
                .filter(move |b| b.log_delivery.contains(&d))
                .filter_map(|b| key_name(&b.key))
                .collect()
        };
        let mut logs: BTreeSet<&str> = spec
            .logs
            .groups
            .values()
            .filter_map(|g| {
                g.key
                    .as_deref()
                    .or(spec.logs.defaults.key.as_deref())
                    .and_then(key_name)
            })
            .collect();
        logs.extend(spec.functions.values().filter_map(|f| key_name(&f.key)));
        logs.extend(spec.databases.values().filter_map(|d| key_name(&d.key)));
        Consumers {
            logs,
            access_logs: bucket_keys(LogDelivery::S3AccessLogs),
            flow_logs: bucket_keys(LogDelivery::VpcFlowLogs),
        }
    }
}

/// `lifecycle { prevent_destroy = true }` on a block.
pub fn protect(l: &mut Lowerer<'_>, addr: &Address) {
    if let Some(b) = l.module.resources.iter_mut().find(|b| &b.addr == addr) {
        b.body.push_block(
            "lifecycle",
            Body::new().attr("prevent_destroy", Expr::Bool(true)),
        );
    }
}
