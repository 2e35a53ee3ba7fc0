//! Presets and vocabulary of the monitoring sections (`metric_filters`, `events`, `topics`,
//! `guardduty`), shared by the rules ZT0119-ZT0129 and by lowering, so that both read one table.

use crate::policy::Ctx;
use crate::source::Span;
use crate::spec::{EventRule, Spec};
use serde_json::{json, Value};

/// CIS: unauthorized API calls (REQUIREMENTS P-UNAUTH).
pub const P_UNAUTH: &str =
    r#"{ ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }"#;
/// CIS: root account usage (P-ROOT).
pub const P_ROOT: &str = r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#;
/// CIS: security-group changes (P-SG).
pub const P_SG: &str = "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }";
/// CIS: IAM policy changes (P-IAM).
pub const P_IAM: &str = "{ ($.eventName=DeleteGroupPolicy) || ($.eventName=DeleteRolePolicy) || ($.eventName=DeleteUserPolicy) || ($.eventName=PutGroupPolicy) || ($.eventName=PutRolePolicy) || ($.eventName=PutUserPolicy) || ($.eventName=CreatePolicy) || ($.eventName=DeletePolicy) || ($.eventName=CreatePolicyVersion) || ($.eventName=DeletePolicyVersion) || ($.eventName=AttachRolePolicy) || ($.eventName=DetachRolePolicy) || ($.eventName=AttachUserPolicy) || ($.eventName=DetachUserPolicy) || ($.eventName=AttachGroupPolicy) || ($.eventName=DetachGroupPolicy) }";
/// Rejected connections in the default (version 2) VPC flow-log format (S3-MON-4).
pub const P_FLOW_REJECT: &str = r#"[version, account, eni, source, destination, srcport, destport, protocol, packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]"#;

/// What a metric-filter preset reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterSource {
    /// CloudTrail events delivered to CloudWatch Logs by the trail.
    Trail {
        /// The events are global-service events (IAM, root sign-in): the trail must be
        /// multi-Region with global-service events.
        global: bool,
    },
    /// VPC flow-log records.
    FlowLogs,
}

/// Metric-filter presets: (name, pattern, source).
pub const FILTER_PRESETS: &[(&str, &str, FilterSource)] = &[
    (
        "unauthorized-api-calls",
        P_UNAUTH,
        FilterSource::Trail { global: false },
    ),
    ("root-usage", P_ROOT, FilterSource::Trail { global: true }),
    (
        "security-group-changes",
        P_SG,
        FilterSource::Trail { global: false },
    ),
    (
        "iam-policy-changes",
        P_IAM,
        FilterSource::Trail { global: true },
    ),
    ("flow-log-rejects", P_FLOW_REJECT, FilterSource::FlowLogs),
];

/// The preset a metric-filter pattern names, if any.
pub fn filter_preset(pattern: &str) -> Option<(&'static str, FilterSource)> {
    FILTER_PRESETS
        .iter()
        .find(|(n, _, _)| *n == pattern.trim())
        .map(|(_, p, s)| (*p, *s))
}

/// The filter pattern text: a preset's expansion or the pattern as written.
pub fn filter_pattern(pattern: &str) -> String {
    filter_preset(pattern)
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| pattern.to_string())
}

/// Names of the EventBridge pattern presets.
pub const EVENT_PRESETS: &[&str] = &[
    "security-group-changes",
    "config-noncompliant",
    "root-console-signin",
    "guardduty-findings",
];

/// The event pattern of a preset.
pub fn event_preset(name: &str) -> Option<Value> {
    Some(match name {
        "security-group-changes" => json!({
            "source": ["aws.ec2"],
            "detail-type": ["AWS API Call via CloudTrail"],
            "detail": {
                "eventSource": ["ec2.amazonaws.com"],
                "eventName": [
                    "AuthorizeSecurityGroupIngress",
                    "AuthorizeSecurityGroupEgress",
                    "RevokeSecurityGroupIngress",
                    "RevokeSecurityGroupEgress"
                ]
            }
        }),
        "config-noncompliant" => json!({
            "source": ["aws.config"],
            "detail-type": ["Config Rules Compliance Change"],
            "detail": {"newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}}
        }),
        "root-console-signin" => json!({
            "source": ["aws.signin"],
            "detail-type": ["AWS Console Sign In via CloudTrail"],
            "detail": {"userIdentity": {"type": ["Root"]}}
        }),
        "guardduty-findings" => json!({
            "source": ["aws.guardduty"],
            "detail-type": ["GuardDuty Finding"]
        }),
        _ => return None,
    })
}

/// The event pattern of a rule as JSON: a preset expanded, an object as written; None for a
/// schedule rule, an unknown preset or a pattern that is not an object (rule ZT0127 reports those).
pub fn event_pattern(e: &EventRule) -> Option<Value> {
    match e.pattern.as_ref()? {
        Value::String(s) => event_preset(s.trim()),
        v @ Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

/// Where to point at a rule's pattern: the value of a preset name, the `pattern:` key of a
/// mapping (a block mapping's value starts on the next line).
pub(crate) fn pattern_span(cx: &Ctx<'_>, name: &str, e: &EventRule) -> Span {
    let path = ["events", name, "pattern"];
    match e.pattern {
        Some(Value::Object(_) | Value::Array(_)) => super::util::key_span(cx, &path),
        _ => super::util::value_span(cx, &path),
    }
}

/// Values of a pattern field (`source`, `detail-type`, `detail.eventSource`) as strings.
fn field<'v>(pattern: &'v Value, path: &[&str]) -> Vec<&'v str> {
    let mut v = pattern;
    for p in path {
        match v.get(p) {
            Some(x) => v = x,
            None => return vec![],
        }
    }
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// True when the pattern matches events EventBridge only receives from CloudTrail (API calls and
/// console sign-ins "via CloudTrail").
pub fn pattern_needs_trail(pattern: &Value) -> bool {
    field(pattern, &["detail-type"])
        .iter()
        .any(|t| t.ends_with("via CloudTrail"))
}

/// True when the pattern matches IAM API calls (a global service: delivered in us-east-1 only).
pub fn pattern_matches_iam(pattern: &Value) -> bool {
    field(pattern, &["source"]).contains(&"aws.iam")
        || field(pattern, &["detail", "eventSource"]).contains(&"iam.amazonaws.com")
}

/// Service publishers a topic may list, with their service principals.
pub const SERVICE_PUBLISHERS: &[(&str, &str)] = &[
    ("events", "events.amazonaws.com"),
    ("cloudwatch", "cloudwatch.amazonaws.com"),
    ("config", "config.amazonaws.com"),
];

/// The service principal of a publisher name (`events` → `events.amazonaws.com`).
pub fn publisher_service(p: &str) -> Option<&'static str> {
    SERVICE_PUBLISHERS
        .iter()
        .find(|(n, _)| *n == p)
        .map(|(_, s)| *s)
}

/// `topics.NAME` → `NAME` when the spec defines it.
pub fn topic_ref<'s>(spec: &'s Spec, r: &str) -> Option<&'s str> {
    let n = r.strip_prefix("topics.")?;
    spec.topics.get_key_value(n).map(|(k, _)| k.as_str())
}

/// The services that deliver to topic `name`: the service publishers it lists, plus `events` when
/// an EventBridge rule targets it and `cloudwatch` when an alarm notifies it.
pub fn topic_services(spec: &Spec, name: &str) -> Vec<&'static str> {
    let Some(t) = spec.topics.get(name) else {
        return vec![];
    };
    let target = format!("topics.{name}");
    let mut out = Vec::new();
    for (p, svc) in SERVICE_PUBLISHERS {
        let listed = t.publishers.iter().any(|x| x == p);
        let used = match *p {
            "events" => spec.events.values().any(|e| e.targets.contains(&target)),
            "cloudwatch" => spec.alarms.values().any(|a| a.actions.contains(&target)),
            _ => false,
        };
        if listed || used {
            out.push(*svc);
        }
    }
    out
}

/// GuardDuty detector features of hashicorp/aws 5.x (`aws_guardduty_detector_feature.name`).
pub const GUARDDUTY_FEATURES: &[&str] = &[
    "S3_DATA_EVENTS",
    "EKS_AUDIT_LOGS",
    "EBS_MALWARE_PROTECTION",
    "RDS_LOGIN_EVENTS",
    "EKS_RUNTIME_MONITORING",
    "LAMBDA_NETWORK_LOGS",
    "RUNTIME_MONITORING",
];

/// True for names that mean "CloudWatch Events" (EventBridge), which is not a GuardDuty data source.
pub fn is_cloudwatch_events(feature: &str) -> bool {
    let f: String = feature
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    f == "cloudwatchevents" || f == "eventbridge"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets() {
        assert_eq!(filter_pattern("root-usage"), P_ROOT);
        assert_eq!(filter_pattern("{ $.x = 1 }"), "{ $.x = 1 }");
        for p in EVENT_PRESETS {
            assert!(event_preset(p).is_some(), "{p}");
        }
        assert!(pattern_needs_trail(
            &event_preset("security-group-changes").unwrap()
        ));
        assert!(!pattern_needs_trail(
            &event_preset("config-noncompliant").unwrap()
        ));
        assert!(pattern_matches_iam(
            &json!({"detail": {"eventSource": "iam.amazonaws.com"}})
        ));
        assert!(is_cloudwatch_events("CloudWatch Events"));
        assert!(is_cloudwatch_events("CLOUDWATCH_EVENTS"));
        assert!(!is_cloudwatch_events("S3_DATA_EVENTS"));
    }
}
