//! CloudWatch log groups and the CloudTrail trail.

use super::{ident, Lowerer};
use crate::ir::*;
use crate::spec::Duration;

pub fn lower(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, g) in &spec.logs.groups {
        let at = ["logs", "groups", name.as_str()];
        let origin = format!("logs.groups.{name}");
        let span = l.key_span(&at);
        let retention = g
            .retention
            .as_ref()
            .or(spec.logs.defaults.retention.as_ref())
            .and_then(Duration::days)
            .map(crate::policy::rules::log_retention::nearest_retention)
            .unwrap_or(365);
        let mut body = Body::new()
            .attr(
                "name",
                g.name
                    .clone()
                    .map(Expr::str)
                    .unwrap_or_else(|| l.name(name)),
            )
            .attr("retention_in_days", Expr::Int(retention));
        let key = g
            .key
            .as_ref()
            .map(|k| (k.clone(), vec!["logs", "groups", name.as_str(), "key"]))
            .or_else(|| {
                spec.logs
                    .defaults
                    .key
                    .as_ref()
                    .map(|k| (k.clone(), vec!["logs", "defaults", "key"]))
            });
        if let Some((k, kat)) = key {
            if let Some(a) = l.key_ref(&k, &kat) {
                body.push_attr("kms_key_id", a.attr("arn"));
            }
        }
        body.push_attr("skip_destroy", Expr::Bool(g.protect));
        body.push_attr("tags", l.name_tag(name));
        let a = l.resource(
            "aws_cloudwatch_log_group",
            &ident(name),
            Concern::Monitoring,
            &origin,
            span,
            body,
        );
        if g.protect {
            super::keys::protect(l, &a);
        }
    }
    trail(l);
}

fn trail(l: &mut Lowerer<'_>) {
    let Some(t) = l.spec.trail.clone() else {
        return;
    };
    let span = l.key_span(&["trail"]);
    let origin = "trail";
    let id = ident(&t.name);
    let bucket = l.bucket_ref(&t.bucket, &["trail", "bucket"]);
    let key = l.key_ref(&t.key, &["trail", "key"]);
    if let Some((bname, _)) = &bucket {
        if !l.spec.buckets[bname]
            .log_delivery
            .contains(&crate::spec::LogDelivery::Cloudtrail)
        {
            l.diags.push(
                crate::diag::Diagnostic::error(
                    super::codes::UNKNOWN_REF,
                    format!("bucket `{bname}` does not accept CloudTrail delivery"),
                )
                .at(l.span(&["trail", "bucket"]))
                .label("the bucket policy has no CloudTrail statements")
                .help(format!(
                    "add `log_delivery: [cloudtrail]` to `buckets.{bname}`"
                )),
            );
        }
    }
    let mut body = Body::new()
        .attr("name", l.name(&t.name))
        .attr(
            "s3_bucket_name",
            bucket
                .as_ref()
                .map(|(_, b)| b.attr("id"))
                .unwrap_or(Expr::Null),
        )
        .attr(
            "enable_log_file_validation",
            Expr::Bool(t.log_file_validation),
        )
        .attr("is_multi_region_trail", Expr::Bool(t.multi_region))
        .attr("include_global_service_events", Expr::Bool(t.global_events))
        .attr("enable_logging", Expr::Bool(true));
    if let Some(k) = &key {
        body.push_attr("kms_key_id", k.attr("arn"));
    }
    let mut role = None;
    if let Some(g) = &t.cloudwatch {
        if let Some(group) = l.log_ref(g, &["trail", "cloudwatch"]) {
            let streams = Expr::concat(vec![group.attr("arn"), Expr::str(":*")]);
            let statement = Expr::obj([
                ("Sid", Expr::str("DeliverTrailEvents")),
                ("Effect", Expr::str("Allow")),
                (
                    "Action",
                    Expr::list_str(["logs:CreateLogStream", "logs:PutLogEvents"]),
                ),
                ("Resource", streams.clone()),
            ]);
            let rid = format!("{id}_cloudwatch");
            let logical = format!("{}-cloudwatch", t.name);
            let (r, rp) = l.service_role(
                super::ServiceRole {
                    id: &rid,
                    logical: &logical,
                    service: "cloudtrail.amazonaws.com",
                    description: "Lets CloudTrail deliver events to CloudWatch Logs",
                    concern: Concern::Compliance,
                    origin,
                    span,
                },
                vec![statement],
            );
            body.push_attr("cloud_watch_logs_group_arn", streams);
            body.push_attr("cloud_watch_logs_role_arn", r.attr("arn"));
            role = Some(rp);
        }
    }
    body.push_attr("tags", l.name_tag(&t.name));
    // the trail first among this element's blocks: it is the primary block
    let trail_addr = Address::resource("aws_cloudtrail", &id);
    let block = Block {
        addr: trail_addr.clone(),
        body,
        concern: Concern::Compliance,
        span,
        origin: origin.into(),
        depends_on: vec![],
        skips: vec![],
        comment: Some(
            "CloudTrail with log file integrity validation (signed SHA-256 digests)".into(),
        ),
        provider: None,
    };
    let first = l
        .module
        .resources
        .iter()
        .position(|b| b.origin == origin)
        .unwrap_or(l.module.resources.len());
    l.module.resources.insert(first, block);
    if let Some((_, b)) = &bucket {
        l.depends(
            &trail_addr,
            Address::resource("aws_s3_bucket_policy", &b.name),
        );
    }
    if let Some(rp) = role {
        l.depends(&trail_addr, rp);
    }
    l.note(
        span,
        "trail",
        "log integrity validation is CloudTrail's log file validation (signed SHA-256 digest files); CloudWatch Logs has no such feature",
        "PCI DSS 10.3.4: change detection on audit logs",
    );
}
