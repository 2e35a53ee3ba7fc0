//! Detection and alerting: SNS topics, CloudWatch Logs metric filters, CloudWatch alarms and
//! EventBridge rules (`Concern::Monitoring`); AWS Config and GuardDuty (`Concern::Compliance`).
//!
//! References the compliance rules check (ZT0119-ZT0129: topic keys, publishers, metric-filter
//! groups, event-rule shapes, Config delivery, GuardDuty features) are resolved silently here: the
//! rule reports them once, with its explain text, and the element is skipped.

use super::{ident, json_to_expr, policy_doc, Lowerer};
use crate::ir::*;
use crate::policy::rules::monitoring_presets as presets;
use crate::spec::*;

pub fn lower(l: &mut Lowerer<'_>) {
    topics(l);
    metric_filters(l);
    alarms(l);
    events(l);
    config(l);
    guardduty(l);
}

// ---- references --------------------------------------------------------------------------

/// `keys.NAME` of this spec → its `aws_kms_key`.
fn key_addr(spec: &Spec, r: &str) -> Option<Address> {
    r.strip_prefix("keys.")
        .filter(|n| spec.keys.contains_key(*n))
        .map(|n| Address::resource("aws_kms_key", &ident(n)))
}

fn topic_addr(name: &str) -> Address {
    Address::resource("aws_sns_topic", &ident(name))
}

/// `functions.NAME` of this spec → NAME.
fn function_ref<'s>(spec: &'s Spec, r: &str) -> Option<&'s str> {
    let n = r.strip_prefix("functions.")?;
    spec.functions.get_key_value(n).map(|(k, _)| k.as_str())
}

/// The function's resource, by the address convention of the functions lowering.
fn function_addr(name: &str) -> Address {
    Address::resource("aws_lambda_function", &ident(name))
}

/// `[A-Za-z0-9_-]` only (Lambda statement ids, EventBridge target ids).
fn id_chars(s: &str, max: usize) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(max)
        .collect()
}

// ---- key policy grants (called by keys.rs) --------------------------------------------------

/// Key-policy statements for the services that deliver to SNS topics encrypted with key `key`
/// (C27): EventBridge and CloudWatch alarms publish as service principals and need
/// `kms:GenerateDataKey*` + `kms:Decrypt` on the topic's key, or deliveries fail silently.
pub(crate) fn topic_key_grants(l: &mut Lowerer<'_>, key: &str) -> Vec<Expr> {
    let spec = l.spec;
    let mut services: Vec<&'static str> = Vec::new();
    for (name, t) in &spec.topics {
        if t.key.strip_prefix("keys.") != Some(key) {
            continue;
        }
        for s in presets::topic_services(spec, name) {
            if !services.contains(&s) {
                services.push(s);
            }
        }
    }
    let mut out = Vec::new();
    for (publisher, svc) in presets::SERVICE_PUBLISHERS {
        if !services.contains(svc) {
            continue;
        }
        let sid = match *publisher {
            "events" => "AllowEventBridgeToEncryptedTopics",
            "cloudwatch" => "AllowCloudWatchAlarmsToEncryptedTopics",
            _ => "AllowConfigToEncryptedTopics",
        };
        out.push(Expr::obj([
            ("Sid", Expr::str(sid)),
            ("Effect", Expr::str("Allow")),
            ("Principal", Expr::obj([("Service", Expr::str(*svc))])),
            (
                "Action",
                Expr::list_str(["kms:Decrypt", "kms:GenerateDataKey*"]),
            ),
            ("Resource", Expr::str("*")),
        ]));
    }
    out
}

// ---- topics ------------------------------------------------------------------------------

fn topics(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, t) in &spec.topics {
        let at = ["topics", name.as_str()];
        let origin = format!("topics.{name}");
        let span = l.key_span(&at);
        let id = ident(name);
        let mut body = Body::new().attr("name", l.name(name));
        // a key that is not a CMK of this spec is reported by ZT0125
        if let Some(k) = key_addr(spec, &t.key) {
            body.push_attr("kms_master_key_id", k.attr("arn"));
        }
        body.push_attr("tags", l.name_tag(name));
        let topic = l.resource(
            "aws_sns_topic",
            &id,
            Concern::Monitoring,
            &origin,
            span,
            body,
        );

        // service publishers; functions publish with their execution role (C27, ZT0125)
        let account = l.account_id();
        let mut stmts = Vec::new();
        for svc in presets::topic_services(spec, name) {
            let (sid, source_arn) = match svc {
                "events.amazonaws.com" => (
                    "AllowEventBridgePublish",
                    Some(l.arn("events", true, vec![Expr::str("rule/*")])),
                ),
                "cloudwatch.amazonaws.com" => (
                    "AllowCloudWatchAlarmsPublish",
                    Some(l.arn("cloudwatch", true, vec![Expr::str("alarm:*")])),
                ),
                _ => ("AllowConfigPublish", None),
            };
            let mut cond = vec![(
                "StringEquals".to_string(),
                Expr::obj([("aws:SourceAccount", account.clone())]),
            )];
            if let Some(a) = source_arn {
                cond.push(("ArnLike".into(), Expr::obj([("aws:SourceArn", a)])));
            }
            stmts.push(Expr::obj([
                ("Sid", Expr::str(sid)),
                ("Effect", Expr::str("Allow")),
                ("Principal", Expr::obj([("Service", Expr::str(svc))])),
                ("Action", Expr::str("sns:Publish")),
                ("Resource", topic.attr("arn")),
                ("Condition", Expr::Object(cond)),
            ]));
        }
        if !stmts.is_empty() {
            l.resource(
                "aws_sns_topic_policy",
                &id,
                Concern::Monitoring,
                &origin,
                l.span(&["topics", name, "publishers"]),
                Body::new()
                    .attr("arn", topic.attr("arn"))
                    .attr("policy", policy_doc(stmts)),
            );
        }

        for (i, s) in t.subscriptions.iter().enumerate() {
            let is = i.to_string();
            let sat = ["topics", name.as_str(), "subscriptions", is.as_str()];
            let endpoint = l.str_or_var(&s.endpoint, &[&sat[..], &["endpoint"]].concat());
            let protocol = match s.protocol {
                SubscriptionProtocol::Email => "email",
                SubscriptionProtocol::Https => "https",
            };
            let sspan = l.span(&sat);
            l.resource(
                "aws_sns_topic_subscription",
                &format!("{id}_{i}"),
                Concern::Monitoring,
                &origin,
                sspan,
                Body::new()
                    .attr("topic_arn", topic.attr("arn"))
                    .attr("protocol", Expr::str(protocol))
                    .attr("endpoint", endpoint),
            );
            if s.protocol == SubscriptionProtocol::Email {
                l.note(
                    sspan,
                    &origin,
                    format!("the email subscription of topic `{name}` stays pending until the recipient confirms it"),
                    "the recipient must click the confirmation link AWS sends; until then no notification is delivered (C46)",
                );
                l.module.notes.push(format!(
                    "Manual step: confirm the email subscription {i} of topic `{name}` (AWS sends a confirmation link)."
                ));
            }
        }
    }
}

// ---- metric filters ------------------------------------------------------------------------

fn filter_addr(name: &str) -> Address {
    Address::resource("aws_cloudwatch_log_metric_filter", &ident(name))
}

fn metric_filters(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, f) in &spec.metric_filters {
        let at = ["metric_filters", name.as_str()];
        let origin = format!("metric_filters.{name}");
        // an unknown group is reported by ZT0124
        let Some(group) = f
            .group
            .strip_prefix("logs.")
            .filter(|g| spec.logs.groups.contains_key(*g))
        else {
            continue;
        };
        let span = l.key_span(&at);
        let group = Address::resource("aws_cloudwatch_log_group", &ident(group));
        let physical = l.name(name);
        l.resource(
            "aws_cloudwatch_log_metric_filter",
            &ident(name),
            Concern::Monitoring,
            &origin,
            span,
            Body::new()
                .attr("name", physical.clone())
                .attr("log_group_name", group.attr("name"))
                .attr("pattern", Expr::str(presets::filter_pattern(&f.pattern)))
                .block(
                    "metric_transformation",
                    Body::new()
                        .attr("name", physical)
                        .attr("namespace", Expr::str(&f.namespace))
                        .attr("value", Expr::str("1"))
                        .attr("default_value", Expr::str("0")),
                ),
        );
    }
}

// ---- alarms ----------------------------------------------------------------------------------

fn statistic(s: Statistic) -> &'static str {
    match s {
        Statistic::Sum => "Sum",
        Statistic::Average => "Average",
        Statistic::Maximum => "Maximum",
        Statistic::Minimum => "Minimum",
        Statistic::SampleCount => "SampleCount",
    }
}

fn comparison(c: Comparison) -> &'static str {
    match c {
        Comparison::GreaterThanOrEqualToThreshold => "GreaterThanOrEqualToThreshold",
        Comparison::GreaterThanThreshold => "GreaterThanThreshold",
        Comparison::LessThanThreshold => "LessThanThreshold",
        Comparison::LessThanOrEqualToThreshold => "LessThanOrEqualToThreshold",
    }
}

fn number(x: f64) -> Expr {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        Expr::Int(x as i64)
    } else {
        Expr::Float(x)
    }
}

fn alarms(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, a) in &spec.alarms {
        let at = ["alarms", name.as_str()];
        let origin = format!("alarms.{name}");
        let span = l.key_span(&at);
        let (namespace, metric, dims, what) = match &a.metric {
            AlarmMetric::Filter(r) => {
                let names: Vec<String> = spec.metric_filters.keys().cloned().collect();
                let Some(f) = l.resolve(
                    r,
                    "metric_filters",
                    names.iter(),
                    &["alarms", name, "metric"],
                ) else {
                    continue;
                };
                let metric = filter_addr(&f).path(vec![
                    Step::Attr("metric_transformation".into()),
                    Step::Index(0),
                    Step::Attr("name".into()),
                ]);
                (
                    Expr::str(&spec.metric_filters[&f].namespace),
                    metric,
                    vec![],
                    format!("metric filter {f}"),
                )
            }
            AlarmMetric::Aws(m) => {
                let mut dims = Vec::new();
                let mut ok = true;
                for (k, v) in &m.dimensions {
                    let dat = ["alarms", name.as_str(), "metric", "dimensions", k.as_str()];
                    let e = if v.starts_with("functions.") {
                        let names: Vec<String> = spec.functions.keys().cloned().collect();
                        l.resolve(v, "functions", names.iter(), &dat)
                            .map(|f| function_addr(&f).attr("function_name"))
                    } else if v == "network.nat" {
                        match &spec.network {
                            Some(n) => Some(
                                Address::resource("aws_nat_gateway", &ident(&n.name)).attr("id"),
                            ),
                            None => {
                                l.diags.push(
                                    crate::diag::Diagnostic::error(
                                        super::codes::UNKNOWN_REF,
                                        "`network.nat` names the NAT gateway, but the spec has no `network`",
                                    )
                                    .at(l.span(&dat))
                                    .label("no NAT gateway")
                                    .help("define `network:` with a NAT gateway, or give the dimension value literally"),
                                );
                                None
                            }
                        }
                    } else {
                        Some(Expr::str(v))
                    };
                    match e {
                        Some(e) => dims.push((k.clone(), e)),
                        None => ok = false,
                    }
                }
                if !ok {
                    continue;
                }
                (
                    Expr::str(&m.namespace),
                    Expr::str(&m.name),
                    dims,
                    format!("{} {}", m.namespace, m.name),
                )
            }
        };
        let mut actions = Vec::new();
        for (i, r) in a.actions.iter().enumerate() {
            let names: Vec<String> = spec.topics.keys().cloned().collect();
            if let Some(t) = l.resolve(
                r,
                "topics",
                names.iter(),
                &["alarms", name, "actions", &i.to_string()],
            ) {
                actions.push(topic_addr(&t).attr("arn"));
            }
        }
        let description = a.description.clone().unwrap_or_else(|| {
            format!(
                "{name}: {} of {what} {} {} over {} x {}s",
                statistic(a.statistic),
                comparison(a.comparison),
                a.threshold,
                a.evaluation_periods,
                a.period
            )
        });
        let mut body = Body::new()
            .attr("alarm_name", l.name(name))
            .attr("alarm_description", Expr::str(description))
            .attr("namespace", namespace)
            .attr("metric_name", metric)
            .attr("statistic", Expr::str(statistic(a.statistic)))
            .attr("period", Expr::Int(a.period.into()))
            .attr("evaluation_periods", Expr::Int(a.evaluation_periods.into()))
            .attr("threshold", number(a.threshold))
            .attr("comparison_operator", Expr::str(comparison(a.comparison)))
            .attr("treat_missing_data", Expr::str("notBreaching"));
        if !dims.is_empty() {
            body.push_attr("dimensions", Expr::Object(dims));
        }
        // no actions: reported by ZT0119 under pci-dss-v4
        if !actions.is_empty() {
            body.push_attr("actions_enabled", Expr::Bool(true));
            body.push_attr("alarm_actions", Expr::List(actions));
        }
        body.push_attr("tags", l.name_tag(name));
        l.resource(
            "aws_cloudwatch_metric_alarm",
            &ident(name),
            Concern::Monitoring,
            &origin,
            span,
            body,
        );
    }
}

// ---- EventBridge ------------------------------------------------------------------------------

fn events(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, e) in &spec.events {
        let at = ["events", name.as_str()];
        let origin = format!("events.{name}");
        let span = l.key_span(&at);
        let id = ident(name);
        let mut body = Body::new().attr("name", l.name(name));
        body.push_attr(
            "description",
            Expr::str(
                e.description
                    .clone()
                    .unwrap_or_else(|| format!("{name} ({})", spec.metadata.name)),
            ),
        );
        // exactly one of schedule and pattern, and known presets: checked by ZT0127
        match (&e.schedule, presets::event_pattern(e)) {
            (Some(s), None) if e.pattern.is_none() => {
                body.push_attr("schedule_expression", Expr::str(s));
            }
            (None, Some(p)) => {
                body.push_attr(
                    "event_pattern",
                    Expr::JsonEncode(Box::new(json_to_expr(&p))),
                );
            }
            _ => continue,
        }
        body.push_attr("tags", l.name_tag(name));
        let rule = l.resource(
            "aws_cloudwatch_event_rule",
            &id,
            Concern::Monitoring,
            &origin,
            span,
            body,
        );
        for (i, t) in e.targets.iter().enumerate() {
            let tspan = l.span(&["events", name, "targets", &i.to_string()]);
            if let Some(tn) = presets::topic_ref(spec, t) {
                l.resource(
                    "aws_cloudwatch_event_target",
                    &format!("{id}_{}", ident(tn)),
                    Concern::Monitoring,
                    &origin,
                    tspan,
                    Body::new()
                        .attr("rule", rule.attr("name"))
                        .attr("target_id", Expr::str(id_chars(&format!("topic-{tn}"), 64)))
                        .attr("arn", topic_addr(tn).attr("arn")),
                );
            } else if let Some(f) = function_ref(spec, t) {
                let func = function_addr(f);
                l.resource(
                    "aws_cloudwatch_event_target",
                    &format!("{id}_{}", ident(f)),
                    Concern::Monitoring,
                    &origin,
                    tspan,
                    Body::new()
                        .attr("rule", rule.attr("name"))
                        .attr(
                            "target_id",
                            Expr::str(id_chars(&format!("function-{f}"), 64)),
                        )
                        .attr("arn", func.attr("arn")),
                );
                l.resource(
                    "aws_lambda_permission",
                    &format!("{id}_{}", ident(f)),
                    Concern::Monitoring,
                    &origin,
                    tspan,
                    Body::new()
                        .attr(
                            "statement_id",
                            Expr::str(id_chars(&format!("AllowEventBridge-{name}"), 100)),
                        )
                        .attr("action", Expr::str("lambda:InvokeFunction"))
                        .attr("function_name", func.attr("function_name"))
                        .attr("principal", Expr::str("events.amazonaws.com"))
                        .attr("source_arn", rule.attr("arn")),
                );
            }
            // anything else is reported by ZT0127
        }
    }
}

// ---- AWS Config ---------------------------------------------------------------------------------

fn config(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    let Some(c) = &spec.config else { return };
    let origin = "config";
    let mut recorder = None;
    match c.recorder {
        RecorderMode::Create => recorder = config_recorder(l, c),
        RecorderMode::Existing => l.note(
            l.span(&["config", "recorder"]),
            origin,
            "the Config rules use the account's existing recorder and delivery channel; this stack creates neither",
            "rules are evaluated only while a recorder records in this Region: check with `aws configservice describe-configuration-recorder-status` (C35)",
        ),
    }
    for (key, r) in &c.rules {
        let at = ["config", "rules", key.as_str()];
        let identifier = r.identifier.clone().unwrap_or_else(|| key.clone());
        let rule_name = key.to_ascii_lowercase().replace('_', "-");
        let mut body = Body::new().attr("name", l.name(&rule_name)).block(
            "source",
            Body::new()
                .attr("owner", Expr::str("AWS"))
                .attr("source_identifier", Expr::str(identifier)),
        );
        if !r.parameters.is_empty() {
            body.push_attr(
                "input_parameters",
                Expr::JsonEncode(Box::new(Expr::Object(
                    r.parameters
                        .iter()
                        .map(|(k, v)| (k.clone(), Expr::str(v)))
                        .collect(),
                ))),
            );
        }
        body.push_attr("tags", l.name_tag(&rule_name));
        let a = l.resource(
            "aws_config_config_rule",
            &ident(key),
            Concern::Compliance,
            &format!("config.rules.{key}"),
            l.key_span(&at),
            body,
        );
        if let Some(rec) = &recorder {
            l.depends(&a, rec.clone());
        }
    }
}

/// Role, recorder, delivery channel and recorder status. Returns the recorder's address.
fn config_recorder(l: &mut Lowerer<'_>, c: &Config) -> Option<Address> {
    let spec = l.spec;
    let origin = "config";
    let span = l.span(&["config", "recorder"]);
    // a missing or unknown bucket / topic is reported by ZT0129
    let bucket = c
        .bucket
        .as_deref()
        .and_then(|b| b.strip_prefix("buckets."))
        .filter(|b| spec.buckets.contains_key(*b))?;
    let topic = match c.topic.as_deref() {
        Some(t) => Some(presets::topic_ref(spec, t)?),
        None => None,
    };
    let bucket_addr = Address::resource("aws_s3_bucket", &ident(bucket));
    let bucket_key = key_addr(spec, &spec.buckets[bucket].key);

    let account = l.account_id();
    let partition = l.partition();
    // delivery to a same-account bucket uses the role (the bucket policy needs no grant)
    let mut stmts = vec![
        Expr::obj([
            ("Sid", Expr::str("ConfigBucketAcl")),
            ("Effect", Expr::str("Allow")),
            ("Action", Expr::list_str(["s3:GetBucketAcl"])),
            ("Resource", Expr::List(vec![bucket_addr.attr("arn")])),
        ]),
        Expr::obj([
            ("Sid", Expr::str("ConfigDelivery")),
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list_str(["s3:PutObject", "s3:PutObjectAcl"]),
            ),
            (
                "Resource",
                Expr::List(vec![Expr::concat(vec![
                    bucket_addr.attr("arn"),
                    Expr::str("/AWSLogs/"),
                    account.clone(),
                    Expr::str("/*"),
                ])]),
            ),
            (
                "Condition",
                Expr::obj([(
                    "StringLike",
                    Expr::obj([("s3:x-amz-acl", Expr::str("bucket-owner-full-control"))]),
                )]),
            ),
        ]),
    ];
    let mut keys: Vec<Address> = bucket_key.iter().cloned().collect();
    if let Some(t) = topic {
        stmts.push(Expr::obj([
            ("Sid", Expr::str("ConfigNotify")),
            ("Effect", Expr::str("Allow")),
            ("Action", Expr::list_str(["sns:Publish"])),
            ("Resource", Expr::List(vec![topic_addr(t).attr("arn")])),
        ]));
        if let Some(k) = key_addr(spec, &spec.topics[t].key) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    if !keys.is_empty() {
        stmts.push(Expr::obj([
            ("Sid", Expr::str("ConfigEncrypt")),
            ("Effect", Expr::str("Allow")),
            (
                "Action",
                Expr::list_str(["kms:Decrypt", "kms:GenerateDataKey"]),
            ),
            (
                "Resource",
                Expr::List(keys.iter().map(|k| k.attr("arn")).collect()),
            ),
        ]));
    }
    let (role, delivery) = l.service_role(
        super::ServiceRole {
            id: "config_recorder",
            logical: "config-recorder",
            service: "config.amazonaws.com",
            description: "Lets AWS Config record resource configurations and deliver them",
            concern: Concern::Compliance,
            origin,
            span,
        },
        stmts,
    );
    let managed = l.resource(
        "aws_iam_role_policy_attachment",
        "config_recorder_managed",
        Concern::Compliance,
        origin,
        span,
        Body::new().attr("role", role.attr("name")).attr(
            "policy_arn",
            Expr::concat(vec![
                Expr::str("arn:"),
                partition,
                Expr::str(":iam::aws:policy/service-role/AWS_ConfigRole"),
            ]),
        ),
    );

    let recorder = l.resource(
        "aws_config_configuration_recorder",
        "config",
        Concern::Compliance,
        origin,
        span,
        Body::new()
            .attr("name", l.name("config"))
            .attr("role_arn", role.attr("arn"))
            .block(
                "recording_group",
                Body::new()
                    .attr("all_supported", Expr::Bool(true))
                    .attr("include_global_resource_types", Expr::Bool(true)),
            ),
    );
    l.depends(&recorder, managed.clone());
    let mut ch = Body::new()
        .attr("name", l.name("config"))
        .attr("s3_bucket_name", bucket_addr.attr("id"));
    if let Some(k) = &bucket_key {
        ch.push_attr("s3_kms_key_arn", k.attr("arn"));
    }
    if let Some(t) = topic {
        ch.push_attr("sns_topic_arn", topic_addr(t).attr("arn"));
    }
    let channel = l.resource(
        "aws_config_delivery_channel",
        "config",
        Concern::Compliance,
        origin,
        l.span(&["config", "bucket"]),
        ch,
    );
    l.depends(&channel, recorder.clone());
    l.depends(&channel, delivery);
    let status = l.resource(
        "aws_config_configuration_recorder_status",
        "config",
        Concern::Compliance,
        origin,
        span,
        Body::new()
            .attr("name", recorder.attr("name"))
            .attr("is_enabled", Expr::Bool(true)),
    );
    l.depends(&status, channel);
    Some(recorder)
}

// ---- GuardDuty ----------------------------------------------------------------------------------

fn guardduty(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    let Some(g) = &spec.guardduty else { return };
    let origin = "guardduty";
    let span = l.span(&["guardduty", "mode"]);
    match g.mode {
        GuardDutyMode::Create => {
            let freq = match g.frequency {
                Frequency::FifteenMinutes => "FIFTEEN_MINUTES",
                Frequency::OneHour => "ONE_HOUR",
                Frequency::SixHours => "SIX_HOURS",
            };
            let det = l.resource(
                "aws_guardduty_detector",
                "guardduty",
                Concern::Compliance,
                origin,
                span,
                Body::new()
                    .attr("enable", Expr::Bool(true))
                    .attr("finding_publishing_frequency", Expr::str(freq))
                    .attr("tags", l.name_tag("guardduty")),
            );
            let mut seen = Vec::new();
            for (i, f) in g.features.iter().enumerate() {
                // unknown, duplicate and "CloudWatch Events" features are reported by ZT0128
                if !presets::GUARDDUTY_FEATURES.contains(&f.as_str()) || seen.contains(f) {
                    continue;
                }
                seen.push(f.clone());
                let fspan = l.span(&["guardduty", "features", &i.to_string()]);
                l.resource(
                    "aws_guardduty_detector_feature",
                    &ident(f),
                    Concern::Compliance,
                    origin,
                    fspan,
                    Body::new()
                        .attr("detector_id", det.attr("id"))
                        .attr("name", Expr::str(f))
                        .attr("status", Expr::str("ENABLED")),
                );
            }
        }
        GuardDutyMode::Existing => {
            l.data(
                "aws_guardduty_detector",
                "current",
                Concern::Compliance,
                origin,
                Body::new(),
            );
            l.note(
                span,
                origin,
                "GuardDuty findings come from the account's existing detector (`data.aws_guardduty_detector.current`)",
                "plan fails if this Region has no detector; its features are managed where the detector is",
            );
        }
        GuardDutyMode::Off => {} // ZT0121
    }
}
