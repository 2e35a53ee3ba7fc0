//! Session Manager: a session-preferences document with encrypted CloudWatch and S3 logging, the
//! instance role and profile for the SSM agent, and an ABAC access policy for operators.

use super::{policy_doc, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;

pub fn lower(l: &mut Lowerer<'_>) {
    let Some(sm) = l.spec.session_manager.clone() else {
        return;
    };
    let span = l.key_span(&["session_manager"]);
    let origin = "session_manager";
    let (Some(group), Some((_, bucket)), Some(key)) = (
        l.log_ref(&sm.log_group, &["session_manager", "log_group"]),
        l.bucket_ref(&sm.bucket, &["session_manager", "bucket"]),
        l.key_ref(&sm.key, &["session_manager", "key"]),
    ) else {
        return;
    };
    if sm.idle_timeout_minutes > 15 && l.cx.has_profile(crate::spec::Profile::PciDssV4) {
        l.diags.push(
            Diagnostic::warning(super::codes::SESSION, format!("idle sessions stay open {} minutes", sm.idle_timeout_minutes))
                .at(l.span(&["session_manager", "idle_timeout_minutes"]))
                .label("more than 15 minutes")
                .scope(origin)
                .pci(&["8.2.8"])
                .help("PCI DSS 8.2.8 requires re-authentication after 15 minutes of idle time: `idle_timeout_minutes: 15`"),
        );
    }
    // the agent needs these interface endpoints in a VPC without internet (C15, C37)
    if let Some(net) = &l.spec.network {
        let missing: Vec<&str> = ["ssm", "ssmmessages", "ec2messages", "logs", "kms"]
            .into_iter()
            .filter(|s| !net.endpoints.contains_key(*s))
            .collect();
        if !missing.is_empty() && net.internet == crate::spec::Internet::None {
            l.diags.push(
                Diagnostic::warning(
                    super::codes::SESSION,
                    format!(
                        "Session Manager needs interface endpoints {} in a VPC without internet",
                        missing.join(", ")
                    ),
                )
                .at(span)
                .label("agent cannot reach Systems Manager")
                .scope(origin)
                .help(format!(
                    "add under `network.endpoints`: {}",
                    missing
                        .iter()
                        .map(|m| format!(
                            "`{m}: {{type: interface, tiers: [...], security_group: ...}}`"
                        ))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            );
        }
    }
    let doc_name = l.name("session-preferences");
    let content = Expr::obj([
        ("schemaVersion", Expr::str("1.0")),
        (
            "description",
            Expr::str(
                "Session Manager preferences: encrypted sessions logged to CloudWatch Logs and S3",
            ),
        ),
        ("sessionType", Expr::str("Standard_Stream")),
        (
            "inputs",
            Expr::obj([
                ("s3BucketName", bucket.attr("id")),
                ("s3KeyPrefix", Expr::str("sessions/")),
                ("s3EncryptionEnabled", Expr::Bool(true)),
                ("cloudWatchLogGroupName", group.attr("name")),
                ("cloudWatchEncryptionEnabled", Expr::Bool(true)),
                ("cloudWatchStreamingEnabled", Expr::Bool(true)),
                ("kmsKeyId", key.attr("key_id")),
                (
                    "idleSessionTimeout",
                    Expr::str(sm.idle_timeout_minutes.to_string()),
                ),
                ("runAsEnabled", Expr::Bool(false)),
                (
                    "shellProfile",
                    Expr::obj([("linux", Expr::str("")), ("windows", Expr::str(""))]),
                ),
            ]),
        ),
    ]);
    let document = l.resource(
        "aws_ssm_document",
        "session_preferences",
        Concern::Security,
        origin,
        span,
        Body::new()
            .attr("name", doc_name)
            .attr("document_type", Expr::str("Session"))
            .attr("document_format", Expr::str("JSON"))
            .attr("content", Expr::JsonEncode(Box::new(content))),
    );
    l.note(
        span,
        origin,
        "the preferences document is named by the naming pattern, not `SSM-SessionManagerRunShell`: start sessions with `--document-name` (creating the account default would fail where preferences were ever saved, C36/C37)",
        "aws ssm start-session --target <instance> --document-name <document name output>",
    );

    // instance role for the SSM agent
    let bucket_arn = bucket.attr("arn");
    let logs_arn = Expr::concat(vec![group.attr("arn"), Expr::str(":*")]);
    let statements = vec![
        Expr::obj([
            ("Sid", Expr::str("WriteSessionTranscripts")),
            ("Effect", Expr::str("Allow")),
            ("Action", Expr::list_str(["s3:PutObject"])),
            (
                "Resource",
                Expr::concat(vec![bucket_arn.clone(), Expr::str("/sessions/*")]),
            ),
        ]),
        Expr::obj([
            ("Sid", Expr::str("ReadBucketEncryption")),
            ("Effect", Expr::str("Allow")),
            ("Action", Expr::list_str(["s3:GetEncryptionConfiguration"])),
            ("Resource", bucket_arn),
        ]),
        Expr::obj([
            ("Sid", Expr::str("StreamSessionLogs")),
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list_str([
                    "logs:CreateLogStream",
                    "logs:DescribeLogStreams",
                    "logs:PutLogEvents",
                ]),
            ),
            ("Resource", logs_arn),
        ]),
        Expr::obj([
            // DescribeLogGroups has no resource-level permissions
            ("Sid", Expr::str("FindLogGroup")),
            ("Effect", Expr::str("Allow")),
            ("Action", Expr::list_str(["logs:DescribeLogGroups"])),
            ("Resource", Expr::str("*")),
        ]),
        Expr::obj([
            ("Sid", Expr::str("EncryptSessions")),
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list_str(["kms:Decrypt", "kms:GenerateDataKey"]),
            ),
            ("Resource", key.attr("arn")),
        ]),
    ];
    let (role, _) = l.service_role(
        super::ServiceRole {
            id: "session_instance",
            logical: "session-instance",
            service: "ec2.amazonaws.com",
            description:
                "Instance role for the SSM agent: Session Manager with encrypted, logged sessions",
            concern: Concern::Security,
            origin,
            span,
        },
        statements,
    );
    let partition = l.partition();
    l.resource(
        "aws_iam_role_policy_attachment",
        "session_instance_core",
        Concern::Security,
        origin,
        span,
        Body::new().attr("role", role.attr("name")).attr(
            "policy_arn",
            Expr::concat(vec![
                Expr::str("arn:"),
                partition,
                Expr::str(":iam::aws:policy/AmazonSSMManagedInstanceCore"),
            ]),
        ),
    );
    l.resource(
        "aws_iam_instance_profile",
        "session_instance",
        Concern::Security,
        origin,
        span,
        Body::new()
            .attr("name", l.name("session-instance"))
            .attr("role", role.attr("name")),
    );

    // operator access: start sessions only on instances whose tags match the caller's session tags
    let instances = l.arn("ec2", true, vec![Expr::str("instance/*")]);
    let sessions = l.arn("ssm", true, vec![Expr::str("session/${aws:userid}-*")]);
    let mut start = vec![
        (
            "Sid".to_string(),
            Expr::str("StartSessionOnMatchingInstances"),
        ),
        ("Effect".into(), Expr::str("Allow")),
        ("Action".into(), Expr::list_str(["ssm:StartSession"])),
        (
            "Resource".into(),
            Expr::List(vec![instances, document.attr("arn")]),
        ),
    ];
    if !sm.abac_tags.is_empty() {
        start.push((
            "Condition".into(),
            Expr::obj([(
                "StringEquals",
                Expr::Object(
                    sm.abac_tags
                        .iter()
                        .map(|t| {
                            (
                                format!("ssm:resourceTag/{t}"),
                                Expr::str(format!("${{aws:PrincipalTag/{t}}}")),
                            )
                        })
                        .collect(),
                ),
            )]),
        ));
    }
    l.resource(
        "aws_iam_policy",
        "session_access",
        Concern::Security,
        origin,
        span,
        Body::new()
            .attr("name", l.name("session-access"))
            .attr("description", Expr::str("Start, resume and end Session Manager sessions on instances whose tags match the caller's session tags"))
            .attr(
                "policy",
                policy_doc(vec![
                    Expr::Object(start),
                    Expr::obj([
                        ("Sid", Expr::str("ManageOwnSessions")),
                        ("Effect", Expr::str("Allow")),
                        ("Action", Expr::list_str(["ssm:ResumeSession", "ssm:TerminateSession"])),
                        ("Resource", sessions),
                    ]),
                ]),
            ),
    );
}
