//! S3 buckets (hardened by default), SSM parameters and opt-in account settings.

use super::{ident, policy_doc, Lowerer, Stmt};
use crate::ir::*;
use crate::spec::*;

pub fn lower(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    let ephemeral = spec.compliance.lifecycle == Lifecycle::Ephemeral;
    for (name, b) in &spec.buckets {
        let at = ["buckets", name.as_str()];
        let origin = format!("buckets.{name}");
        let span = l.key_span(&at);
        let id = ident(name);
        let mut body = Body::new()
            .attr("bucket", l.bucket_name(name))
            .attr("force_destroy", Expr::Bool(ephemeral && !b.protect));
        if b.object_lock.is_some() {
            body.push_attr("object_lock_enabled", Expr::Bool(true));
        }
        body.push_attr("tags", l.name_tag(name));
        let bucket = l.resource("aws_s3_bucket", &id, Concern::Storage, &origin, span, body);
        if b.protect {
            super::keys::protect(l, &bucket);
        }
        let bid = bucket.attr("id");

        // ownership: ACLs off
        l.resource(
            "aws_s3_bucket_ownership_controls",
            &id,
            Concern::Storage,
            &origin,
            span,
            Body::new().attr("bucket", bid.clone()).block(
                "rule",
                Body::new().attr("object_ownership", Expr::str("BucketOwnerEnforced")),
            ),
        );
        // public access block
        let pab = l.resource(
            "aws_s3_bucket_public_access_block",
            &id,
            Concern::Storage,
            &origin,
            l.span(&["buckets", name, "block_public_access"]),
            Body::new()
                .attr("bucket", bid.clone())
                .attr("block_public_acls", Expr::Bool(b.block_public_access))
                .attr("block_public_policy", Expr::Bool(b.block_public_access))
                .attr("ignore_public_acls", Expr::Bool(b.block_public_access))
                .attr("restrict_public_buckets", Expr::Bool(b.block_public_access)),
        );
        // versioning (Object Lock requires it)
        let versioning_on = b.versioning || b.object_lock.is_some();
        let mut vc = Body::new().attr(
            "status",
            Expr::str(if versioning_on {
                "Enabled"
            } else {
                "Suspended"
            }),
        );
        let mut vbody = Body::new().attr("bucket", bid.clone());
        if b.mfa_delete == MfaDelete::Native {
            vc.push_attr("mfa_delete", Expr::str("Enabled"));
            let v = VarSpec {
                var: "mfa_device".into(),
                default: None,
                description: Some("Root user's MFA device serial and current code, \"SERIAL CODE\" (S3 MFA Delete)".into()),
                sensitive: true,
            };
            let e = l.var(&v, VarType::String, &["buckets", name, "mfa_delete"]);
            vbody.push_attr("mfa", e);
        }
        vbody.push_block("versioning_configuration", vc);
        let versioning = l.resource(
            "aws_s3_bucket_versioning",
            &id,
            Concern::Storage,
            &origin,
            l.span(&["buckets", name, "versioning"]),
            vbody,
        );
        // SSE-KMS with the bucket key
        if let Some(key) = l.key_ref(&b.key, &["buckets", name, "key"]) {
            l.resource(
                "aws_s3_bucket_server_side_encryption_configuration",
                &id,
                Concern::Storage,
                &origin,
                l.span(&["buckets", name, "key"]),
                Body::new().attr("bucket", bid.clone()).block(
                    "rule",
                    Body::new()
                        .block(
                            "apply_server_side_encryption_by_default",
                            Body::new()
                                .attr("sse_algorithm", Expr::str("aws:kms"))
                                .attr("kms_master_key_id", key.attr("arn")),
                        )
                        .attr("bucket_key_enabled", Expr::Bool(true)),
                ),
            );
        }
        // Object Lock default retention
        if let Some(lock) = &b.object_lock {
            let mode = match lock.mode {
                LockMode::Governance => "GOVERNANCE",
                LockMode::Compliance => "COMPLIANCE",
            };
            let mut ret = Body::new().attr("mode", Expr::str(mode));
            match &lock.retention {
                Duration::Text(t) if t.ends_with('y') => {
                    ret.push_attr(
                        "years",
                        Expr::Int(t.trim_end_matches('y').parse().unwrap_or(1)),
                    );
                }
                d => ret.push_attr("days", Expr::Int(d.days().unwrap_or(1))),
            }
            let olc = l.resource(
                "aws_s3_bucket_object_lock_configuration",
                &id,
                Concern::Storage,
                &origin,
                l.key_span(&["buckets", name, "object_lock"]),
                Body::new()
                    .attr("bucket", bid.clone())
                    .block("rule", Body::new().block("default_retention", ret)),
            );
            l.depends(&olc, versioning.clone());
        }
        // access logging
        if let Some(target) = &b.access_logs {
            if let Some((tname, t)) = l.bucket_ref(target, &["buckets", name, "access_logs"]) {
                let _ = tname;
                l.resource(
                    "aws_s3_bucket_logging",
                    &id,
                    Concern::Storage,
                    &origin,
                    l.span(&["buckets", name, "access_logs"]),
                    Body::new()
                        .attr("bucket", bid.clone())
                        .attr("target_bucket", t.attr("id"))
                        .attr("target_prefix", Expr::str(format!("{name}/"))),
                );
            }
        }
        // lifecycle
        if let Some(lc) = &b.lifecycle {
            let mut rule = Body::new()
                .attr("id", Expr::str("retention"))
                .attr("status", Expr::str("Enabled"))
                .block("filter", Body::new());
            if let Some(d) = lc.expiration.as_ref().and_then(Duration::days) {
                rule.push_block("expiration", Body::new().attr("days", Expr::Int(d)));
            }
            if let Some(d) = lc.noncurrent_expiration.as_ref().and_then(Duration::days) {
                rule.push_block(
                    "noncurrent_version_expiration",
                    Body::new().attr("noncurrent_days", Expr::Int(d)),
                );
            }
            rule.push_block(
                "abort_incomplete_multipart_upload",
                Body::new().attr(
                    "days_after_initiation",
                    Expr::Int(lc.abort_incomplete_uploads_days),
                ),
            );
            let lca = l.resource(
                "aws_s3_bucket_lifecycle_configuration",
                &id,
                Concern::Storage,
                &origin,
                l.key_span(&["buckets", name, "lifecycle"]),
                Body::new().attr("bucket", bid.clone()).block("rule", rule),
            );
            l.depends(&lca, versioning.clone());
        }
        // bucket policy
        let stmts = bucket_statements(l, name, b, &bucket);
        if !stmts.is_empty() {
            let pol = l.resource(
                "aws_s3_bucket_policy",
                &id,
                Concern::Storage,
                &origin,
                l.key_span(&["buckets", name, "transport"]),
                Body::new()
                    .attr("bucket", bid.clone())
                    .attr("policy", policy_doc(stmts)),
            );
            l.depends(&pol, pab.clone());
        }
    }
}

fn bucket_statements(l: &mut Lowerer<'_>, name: &str, b: &Bucket, bucket: &Address) -> Vec<Expr> {
    let arn = bucket.attr("arn");
    let objects = Expr::concat(vec![arn.clone(), Expr::str("/*")]);
    let both = Expr::List(vec![arn.clone(), objects.clone()]);
    let mut s = Vec::new();
    if b.transport.deny_insecure {
        s.push(
            Stmt::deny("DenyInsecureTransport")
                .anyone()
                .actions(&["s3:*"])
                .resource(both.clone())
                .when("Bool", "aws:SecureTransport", Expr::str("false"))
                .build(),
        );
    }
    let tls = match b.transport.min_tls {
        TlsVersion::V1_2 => "1.2",
        TlsVersion::V1_3 => "1.3",
    };
    s.push(
        Stmt::deny("DenyOutdatedTls")
            .anyone()
            .actions(&["s3:*"])
            .resource(both.clone())
            .when("NumericLessThan", "s3:TlsVersion", Expr::str(tls))
            .build(),
    );
    if b.transport.deny_unencrypted_uploads {
        s.push(
            Stmt::deny("DenyNonKmsUploads")
                .anyone()
                .actions(&["s3:PutObject"])
                .resource(objects.clone())
                .when(
                    "StringNotEqualsIfExists",
                    "s3:x-amz-server-side-encryption",
                    Expr::str("aws:kms"),
                )
                .build(),
        );
    }
    if b.mfa_delete == MfaDelete::Policy {
        let deployer = l.deployer_principal("buckets");
        s.push(
            Stmt::deny("DenyDeleteWithoutMfa")
                .anyone()
                .actions(&[
                    "s3:DeleteObject",
                    "s3:DeleteObjectVersion",
                    "s3:PutBucketVersioning",
                    "s3:PutLifecycleConfiguration",
                ])
                .resource(both.clone())
                .when(
                    "BoolIfExists",
                    "aws:MultiFactorAuthPresent",
                    Expr::str("false"),
                )
                .when("ArnNotEquals", "aws:PrincipalArn", deployer)
                .build(),
        );
    }
    let account = l.account_id();
    let log_prefix = Expr::concat(vec![
        arn.clone(),
        Expr::str("/AWSLogs/"),
        account.clone(),
        Expr::str("/*"),
    ]);
    if b.log_delivery.contains(&LogDelivery::Cloudtrail) {
        let trail_arn = match &l.spec.trail {
            Some(t) => {
                let n = l.name(&t.name);
                l.arn("cloudtrail", true, vec![Expr::str("trail/"), n])
            }
            None => l.arn("cloudtrail", true, vec![Expr::str("trail/*")]),
        };
        s.push(
            Stmt::allow("AllowCloudTrailAclCheck")
                .service("cloudtrail.amazonaws.com")
                .actions(&["s3:GetBucketAcl"])
                .resource(arn.clone())
                .when("StringEquals", "aws:SourceArn", trail_arn.clone())
                .build(),
        );
        s.push(
            Stmt::allow("AllowCloudTrailWrite")
                .service("cloudtrail.amazonaws.com")
                .actions(&["s3:PutObject"])
                .resource(log_prefix.clone())
                .when(
                    "StringEquals",
                    "s3:x-amz-acl",
                    Expr::str("bucket-owner-full-control"),
                )
                .when("StringEquals", "aws:SourceArn", trail_arn)
                .build(),
        );
    }
    for (service, sid) in [
        (LogDelivery::VpcFlowLogs, "VpcFlowLogs"),
        (LogDelivery::Config, "Config"),
    ] {
        if !b.log_delivery.contains(&service) {
            continue;
        }
        let principal = if service == LogDelivery::Config {
            "config.amazonaws.com"
        } else {
            "delivery.logs.amazonaws.com"
        };
        s.push(
            Stmt::allow(&format!("Allow{sid}AclCheck"))
                .service(principal)
                .actions(&["s3:GetBucketAcl", "s3:ListBucket"])
                .resource(arn.clone())
                .when("StringEquals", "aws:SourceAccount", account.clone())
                .build(),
        );
        let mut write = Stmt::allow(&format!("Allow{sid}Write"))
            .service(principal)
            .actions(&["s3:PutObject"])
            .resource(log_prefix.clone());
        if service == LogDelivery::VpcFlowLogs {
            write = write.when(
                "StringEquals",
                "s3:x-amz-acl",
                Expr::str("bucket-owner-full-control"),
            );
        }
        s.push(
            write
                .when("StringEquals", "aws:SourceAccount", account.clone())
                .build(),
        );
    }
    if b.log_delivery.contains(&LogDelivery::S3AccessLogs) {
        let sources: Vec<Expr> = l
            .spec
            .buckets
            .iter()
            .filter(|(_, o)| o.access_logs.as_deref() == Some(&format!("buckets.{name}")))
            .map(|(n, _)| Address::resource("aws_s3_bucket", &ident(n)).attr("arn"))
            .collect();
        s.push(
            Stmt::allow("AllowS3ServerAccessLogs")
                .service("logging.s3.amazonaws.com")
                .actions(&["s3:PutObject"])
                .resource(objects)
                .when("StringEquals", "aws:SourceAccount", account)
                .when("ArnLike", "aws:SourceArn", Expr::List(sources))
                .build(),
        );
    }
    s
}

pub fn parameters(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (path, p) in &spec.parameters {
        let at = ["parameters", path.as_str()];
        let origin = format!("parameters.{path}");
        let span = l.key_span(&at);
        let name = param_name(l, path);
        let value = l.str_or_var(&p.value, &["parameters", path, "value"]);
        let mut body = Body::new()
            .attr("name", name)
            .attr(
                "description",
                Expr::str(p.description.clone().unwrap_or_else(|| path.clone())),
            )
            .attr(
                "type",
                Expr::str(match p.kind {
                    ParamType::SecureString => "SecureString",
                    ParamType::String => "String",
                }),
            )
            .attr("value", value);
        if let Some(k) = l.key_ref(&p.key, &["parameters", path, "key"]) {
            body.push_attr("key_id", k.attr("arn"));
        }
        body.push_attr("tags", l.name_tag(&param_ident(path).replace('_', "-")));
        l.resource(
            "aws_ssm_parameter",
            &param_ident(path),
            Concern::Storage,
            &origin,
            span,
            body,
        );
    }
}

/// `/payment/{suffix}/app/config` → `payment_suffix_app_config`
pub fn param_ident(path: &str) -> String {
    ident(&path.replace(['{', '}'], ""))
}

fn param_name(l: &Lowerer<'_>, path: &str) -> Expr {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(i) = rest.find("{suffix}") {
        parts.push(Expr::str(&rest[..i]));
        parts.push(Expr::var(&l.spec.environment.suffix.var));
        rest = &rest[i + "{suffix}".len()..];
    }
    parts.push(Expr::str(rest));
    Expr::concat(parts)
}

pub fn account_settings(l: &mut Lowerer<'_>) {
    if let Some(ebs) = l.spec.account_settings.ebs_encryption_by_default.clone() {
        let span = l.key_span(&["account_settings", "ebs_encryption_by_default"]);
        let origin = "account_settings.ebs_encryption_by_default";
        l.resource(
            "aws_ebs_encryption_by_default",
            "this",
            Concern::Compliance,
            origin,
            span,
            Body::new().attr("enabled", Expr::Bool(true)),
        );
        if let Some(k) = l.key_ref(
            &ebs.key,
            &["account_settings", "ebs_encryption_by_default", "key"],
        ) {
            l.resource(
                "aws_ebs_default_kms_key",
                "this",
                Concern::Compliance,
                origin,
                span,
                Body::new().attr("key_arn", k.attr("arn")),
            );
        }
    }
}
