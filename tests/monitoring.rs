//! Monitoring and detection (`tests/fixtures/monitoring.yaml`) end to end: the HCL module is checked
//! by HashiCorp's parser, `terraform fmt` and `terraform validate` with the real provider, and the
//! S1-MON / S1-CFG / S1-EVT / S1-SNS / S3-GD shapes are checked on the output. Smaller inline specs
//! cover the other modes (existing recorder and detector, function targets, AWS metrics).

mod common;

use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::OnceLock;
use ztc::compile::{compile, Compiled, Options};
use ztc::emit::{emit, Target};
use ztc::ir::{Block, Expr, Module};
use ztc::policy::rules::monitoring_presets as presets;

fn built() -> &'static common::Built {
    static B: OnceLock<common::Built> = OnceLock::new();
    B.get_or_init(|| common::build_spec("tests/fixtures/monitoring.yaml"))
}

fn module() -> &'static Module {
    built().compiled.module.as_ref().unwrap()
}

fn out_dir() -> PathBuf {
    built().dir.path().to_path_buf()
}

/// The module as HashiCorp's parser reads it, all files merged.
fn parsed() -> Option<&'static Value> {
    static P: OnceLock<Option<Value>> = OnceLock::new();
    P.get_or_init(|| common::parsed_hcl(&out_dir())).as_ref()
}

fn res<'a>(p: &'a Value, ty: &str, name: &str) -> &'a Value {
    let v = &p["resource"][ty][name];
    assert!(!v.is_null(), "resource {ty}.{name} missing");
    v
}

fn count(p: &Value, ty: &str) -> usize {
    p["resource"][ty].as_object().map_or(0, |o| o.len())
}

fn block<'m>(m: &'m Module, ty: &str, name: &str) -> &'m Block {
    m.resources
        .iter()
        .chain(m.data.iter())
        .find(|b| b.addr.ty == ty && b.addr.name == name)
        .unwrap_or_else(|| panic!("{ty}.{name} missing"))
}

fn has(m: &Module, ty: &str) -> bool {
    m.resources.iter().any(|b| b.addr.ty == ty)
}

/// A jsonencode() attribute of a block as JSON, references kept as `${...}` strings.
fn doc(b: &Block, attr: &str) -> Value {
    match b.body.get_attr(attr) {
        Some(Expr::JsonEncode(inner)) => ir_json(inner),
        other => panic!("{}.{attr} is not a JSON document: {other:?}", b.addr.tf()),
    }
}

fn ir_json(e: &Expr) -> Value {
    match e {
        Expr::Null => Value::Null,
        Expr::Bool(b) => Value::Bool(*b),
        Expr::Int(i) => Value::from(*i),
        Expr::Float(f) => Value::from(*f),
        Expr::Str(s) => Value::String(s.clone()),
        Expr::List(xs) => Value::Array(xs.iter().map(ir_json).collect()),
        Expr::Object(kv) => {
            Value::Object(kv.iter().map(|(k, v)| (k.clone(), ir_json(v))).collect())
        }
        Expr::Template(_) => {
            let q = ztc::emit::hcl::expr_to_string(e);
            Value::String(q[1..q.len() - 1].to_string())
        }
        other => Value::String(format!("${{{}}}", ztc::emit::hcl::expr_to_string(other))),
    }
}

fn deps(b: &Block) -> Vec<String> {
    b.depends_on.iter().map(|a| a.tf()).collect()
}

fn compile_str(yaml: &str) -> Compiled {
    compile("inline.yaml", yaml.as_bytes(), &Options::default())
}

fn must_lower(c: &Compiled) -> &Module {
    c.module.as_ref().unwrap_or_else(|| {
        panic!(
            "must compile: {}",
            ztc::diag::render_plain(&c.diagnostics, &c.source, 100)
        )
    })
}

// ---- real tools ------------------------------------------------------------------------------

#[test]
fn output_parses_with_hashicorps_hcl_parser() {
    let Some(p) = parsed() else { return };
    assert!(p["resource"].as_object().unwrap().len() > 15);
}

#[test]
fn output_is_terraform_fmt_clean() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    common::terraform_fmt_check(&out_dir()).unwrap();
}

#[test]
fn output_passes_terraform_validate_with_the_real_provider() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    if common::provider_mirror().is_none() {
        return common::tool_missing("provider mirror", &common::provider_mirror_missing_reason());
    }
    let v = common::terraform_validate(&out_dir()).unwrap();
    assert_eq!(v["valid"], true, "{v:#}");
    assert_eq!(v["warning_count"], 0, "validate warnings: {v:#}");
}

#[test]
fn checkov_report_is_printed() {
    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    let report = common::checkov_report(&out_dir(), "terraform").unwrap();
    eprintln!(
        "checkov: {} passed, {} failed, {} skipped",
        report.passed,
        report.failures.len(),
        report.skipped
    );
    for f in &report.failures {
        eprintln!("  {f}");
    }
}

#[test]
fn output_is_deterministic() {
    let path = common::repo_root().join("tests/fixtures/monitoring.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let a = compile("m", &bytes, &Options::default());
    let b = compile("m", &bytes, &Options::default());
    assert_eq!(
        emit(a.module.as_ref().unwrap(), Target::Hcl, &a.diagnostics),
        emit(b.module.as_ref().unwrap(), Target::Hcl, &b.diagnostics)
    );
}

// ---- S1-MON: metric filters and alarms -----------------------------------------------------------

#[test]
fn s1_mon_1_preset_filters_on_the_trail_group() {
    let Some(p) = parsed() else { return };
    assert_eq!(count(p, "aws_cloudwatch_log_metric_filter"), 3);
    let expected = [
        ("unauthorized_api_calls", presets::P_UNAUTH),
        ("root_usage", presets::P_ROOT),
        ("sg_changes", presets::P_SG),
    ];
    for (name, pattern) in expected {
        let f = res(p, "aws_cloudwatch_log_metric_filter", name);
        assert_eq!(f["pattern"], pattern, "{name}");
        assert_eq!(
            f["log_group_name"],
            "${aws_cloudwatch_log_group.trail.name}"
        );
        let t = &f["metric_transformation"][0];
        assert_eq!(t["namespace"], "ZeroTrust/Security");
        assert_eq!(t["value"], "1");
        assert_eq!(t["default_value"], "0");
    }
    // the trail feeds that group (C17)
    let trail = res(p, "aws_cloudtrail", "audit_trail");
    assert_eq!(
        trail["cloud_watch_logs_group_arn"],
        "${aws_cloudwatch_log_group.trail.arn}:*"
    );
}

#[test]
fn s1_mon_3_root_usage_pattern_text() {
    let Some(p) = parsed() else { return };
    assert_eq!(
        res(p, "aws_cloudwatch_log_metric_filter", "root_usage")["pattern"],
        r#"{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }"#
    );
}

#[test]
fn s1_mon_2_alarms_sum_300s_ge_1_to_the_topic() {
    let Some(p) = parsed() else { return };
    assert_eq!(count(p, "aws_cloudwatch_metric_alarm"), 3);
    for name in ["unauthorized_api_calls", "root_usage", "sg_changes"] {
        let a = res(p, "aws_cloudwatch_metric_alarm", name);
        assert_eq!(a["statistic"], "Sum");
        assert_eq!(a["period"], 300);
        assert_eq!(a["evaluation_periods"], 1);
        assert_eq!(a["threshold"], 1);
        assert_eq!(a["comparison_operator"], "GreaterThanOrEqualToThreshold");
        assert_eq!(a["treat_missing_data"], "notBreaching");
        assert_eq!(a["namespace"], "ZeroTrust/Security");
        assert_eq!(
            a["metric_name"],
            format!("${{aws_cloudwatch_log_metric_filter.{name}.metric_transformation[0].name}}")
        );
        assert_eq!(
            a["alarm_actions"],
            json!(["${aws_sns_topic.security_alerts.arn}"])
        );
    }
    assert_eq!(
        res(p, "aws_cloudwatch_metric_alarm", "unauthorized_api_calls")["alarm_description"],
        "Unauthorized API calls (CIS)"
    );
}

// ---- S1-SNS: the encrypted topic, its policy and its key's grants (C27) --------------------------

#[test]
fn s1_sns_1_topic_encrypted_with_the_spec_key() {
    let Some(p) = parsed() else { return };
    let t = res(p, "aws_sns_topic", "security_alerts");
    assert_eq!(t["kms_master_key_id"], "${aws_kms_key.logs.arn}");
    assert_eq!(count(p, "aws_sns_topic_subscription"), 0);
}

#[test]
fn s1_sns_1_topic_policy_allows_the_service_publishers_of_this_account() {
    let pol = doc(
        block(module(), "aws_sns_topic_policy", "security_alerts"),
        "policy",
    );
    let stmts = pol["Statement"].as_array().unwrap();
    let mut principals: Vec<&str> = stmts
        .iter()
        .map(|s| s["Principal"]["Service"].as_str().unwrap())
        .collect();
    principals.sort_unstable();
    assert_eq!(
        principals,
        [
            "cloudwatch.amazonaws.com",
            "config.amazonaws.com",
            "events.amazonaws.com"
        ]
    );
    for s in stmts {
        assert_eq!(s["Effect"], "Allow");
        assert_eq!(s["Action"], "sns:Publish");
        assert_eq!(s["Resource"], "${aws_sns_topic.security_alerts.arn}");
        assert_eq!(
            s["Condition"]["StringEquals"]["aws:SourceAccount"],
            "${data.aws_caller_identity.current.account_id}"
        );
    }
    let events = stmts
        .iter()
        .find(|s| s["Principal"]["Service"] == "events.amazonaws.com")
        .unwrap();
    assert!(events["Condition"]["ArnLike"]["aws:SourceArn"]
        .as_str()
        .unwrap()
        .ends_with(":rule/*"));
}

#[test]
fn c27_topic_key_grants_eventbridge_and_cloudwatch() {
    let pol = doc(block(module(), "aws_kms_key", "logs"), "policy");
    let stmts = pol["Statement"].as_array().unwrap();
    for svc in ["events.amazonaws.com", "cloudwatch.amazonaws.com"] {
        let s = stmts
            .iter()
            .find(|s| s["Principal"]["Service"] == svc)
            .unwrap_or_else(|| panic!("no key-policy grant for {svc}: {pol:#}"));
        assert_eq!(s["Effect"], "Allow");
        let actions: Vec<&str> = s["Action"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert!(actions.contains(&"kms:GenerateDataKey*"), "{actions:?}");
        assert!(actions.contains(&"kms:Decrypt"), "{actions:?}");
    }
    // the account administrator statement is kept
    assert!(stmts
        .iter()
        .any(|s| s["Sid"] == "EnableAccountAdministration"));
    // a key no topic uses gets no SNS publisher grant
    let audit = doc(block(module(), "aws_kms_key", "audit"), "policy");
    assert!(!audit["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["Principal"]["Service"] == "events.amazonaws.com"));
}

// ---- S1-EVT: EventBridge rule to the topic --------------------------------------------------------

#[test]
fn s1_evt_1_config_noncompliant_rule_targets_the_topic() {
    let b = block(module(), "aws_cloudwatch_event_rule", "config_noncompliant");
    assert_eq!(
        doc(b, "event_pattern"),
        json!({
            "source": ["aws.config"],
            "detail-type": ["Config Rules Compliance Change"],
            "detail": {"newEvaluationResult": {"complianceType": ["NON_COMPLIANT"]}}
        })
    );
    assert!(b.body.get_attr("schedule_expression").is_none());
    let Some(p) = parsed() else { return };
    let t = res(
        p,
        "aws_cloudwatch_event_target",
        "config_noncompliant_security_alerts",
    );
    assert_eq!(t["arn"], "${aws_sns_topic.security_alerts.arn}");
    assert_eq!(
        t["rule"],
        "${aws_cloudwatch_event_rule.config_noncompliant.name}"
    );
    assert_eq!(t["target_id"], "topic-security-alerts");
}

// ---- S1-CFG: recorder, delivery channel, rules (C35) ----------------------------------------------

#[test]
fn s1_cfg_3_recorder_role_channel_and_status() {
    let Some(p) = parsed() else { return };
    let role = res(p, "aws_iam_role", "config_recorder");
    assert_eq!(role["max_session_duration"], 3600);
    let trust = doc(
        block(module(), "aws_iam_role", "config_recorder"),
        "assume_role_policy",
    );
    assert_eq!(
        trust["Statement"][0]["Principal"]["Service"],
        "config.amazonaws.com"
    );
    assert_eq!(
        res(
            p,
            "aws_iam_role_policy_attachment",
            "config_recorder_managed"
        )["policy_arn"],
        "arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AWS_ConfigRole"
    );
    // delivery permissions in a managed policy, never inline (S1-IAM-3)
    assert_eq!(count(p, "aws_iam_role_policy"), 0);
    let delivery = doc(
        block(module(), "aws_iam_policy", "config_recorder"),
        "policy",
    );
    let put = delivery["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "ConfigDelivery")
        .unwrap();
    assert_eq!(
        put["Resource"][0],
        "${aws_s3_bucket.config_history.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*"
    );
    assert_eq!(
        res(p, "aws_iam_role_policy_attachment", "config_recorder")["policy_arn"],
        "${aws_iam_policy.config_recorder.arn}"
    );

    let rec = res(p, "aws_config_configuration_recorder", "config");
    assert_eq!(rec["role_arn"], "${aws_iam_role.config_recorder.arn}");
    assert_eq!(rec["recording_group"][0]["all_supported"], true);
    assert_eq!(
        rec["recording_group"][0]["include_global_resource_types"],
        true
    );
    let ch = res(p, "aws_config_delivery_channel", "config");
    assert_eq!(ch["s3_bucket_name"], "${aws_s3_bucket.config_history.id}");
    assert_eq!(ch["sns_topic_arn"], "${aws_sns_topic.security_alerts.arn}");
    let status = res(p, "aws_config_configuration_recorder_status", "config");
    assert_eq!(status["is_enabled"], true);
    assert_eq!(
        status["name"],
        "${aws_config_configuration_recorder.config.name}"
    );

    let m = module();
    assert!(deps(block(m, "aws_config_delivery_channel", "config"))
        .contains(&"aws_config_configuration_recorder.config".to_string()));
    assert!(deps(block(
        m,
        "aws_config_configuration_recorder_status",
        "config"
    ))
    .contains(&"aws_config_delivery_channel.config".to_string()));
}

#[test]
fn s1_cfg_1_and_2_managed_rules_depend_on_the_recorder() {
    let m = module();
    let rules: Vec<&Block> = m.resources_of("aws_config_config_rule").collect();
    assert_eq!(rules.len(), 3);
    for r in &rules {
        assert_eq!(
            deps(r),
            ["aws_config_configuration_recorder.config"],
            "{}",
            r.addr.tf()
        );
    }
    let Some(p) = parsed() else { return };
    let enc = res(
        p,
        "aws_config_config_rule",
        "s3_bucket_server_side_encryption_enabled",
    );
    assert_eq!(enc["source"][0]["owner"], "AWS");
    assert_eq!(
        enc["source"][0]["source_identifier"],
        "S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED"
    );
    assert!(enc.get("input_parameters").is_none());
    assert_eq!(
        doc(
            block(m, "aws_config_config_rule", "required_tags"),
            "input_parameters"
        ),
        json!({"tag1Key": "DataClassification", "tag2Key": "CostCenter", "tag3Key": "ComplianceScope"})
    );
}

#[test]
fn c35_and_c7_singletons_are_warned_about() {
    let d = &built().compiled.diagnostics;
    for scope in ["config", "guardduty"] {
        assert!(
            d.iter().any(|d| d.code == "ZT0120"
                && d.scope.as_deref() == Some(scope)
                && d.severity == ztc::diag::Severity::Warning),
            "no ZT0120 for {scope}"
        );
    }
}

// ---- S3-GD: GuardDuty detector and feature (C7) --------------------------------------------------

#[test]
fn s3_gd_1_and_2_detector_with_the_s3_feature() {
    let Some(p) = parsed() else { return };
    let d = res(p, "aws_guardduty_detector", "guardduty");
    assert_eq!(d["enable"], true);
    assert_eq!(d["finding_publishing_frequency"], "FIFTEEN_MINUTES");
    assert!(d.get("datasources").is_none(), "datasources is deprecated");
    let f = res(p, "aws_guardduty_detector_feature", "s3_data_events");
    assert_eq!(f["detector_id"], "${aws_guardduty_detector.guardduty.id}");
    assert_eq!(f["name"], "S3_DATA_EVENTS");
    assert_eq!(f["status"], "ENABLED");
}

// ---- other modes (IR level) ------------------------------------------------------------------------

const BASE: &str = r#"
ztc: 1
metadata: {name: monitoring-modes}
region: us-east-1
tags:
  required: {CostCenter: cc-1, DataClassification: Confidential, ComplianceScope: PCI-DSS}
keys:
  logs: {usage: [logs]}
logs:
  defaults: {retention: 1y, key: keys.logs}
  groups: {app: {}}
topics:
  alerts:
    key: keys.logs
    subscriptions:
      - {protocol: https, endpoint: "https://hooks.example.com/alerts"}
"#;

#[test]
fn existing_recorder_and_detector_create_no_singletons() {
    let c = compile_str(&format!(
        "{BASE}
config:
  recorder: existing
  rules: {{ENCRYPTED_VOLUMES: {{}}}}
guardduty: {{mode: existing}}
"
    ));
    let m = must_lower(&c);
    for ty in [
        "aws_config_configuration_recorder",
        "aws_config_delivery_channel",
        "aws_config_configuration_recorder_status",
        "aws_guardduty_detector",
    ] {
        assert!(!has(m, ty), "{ty} must not be created");
    }
    let rule = block(m, "aws_config_config_rule", "encrypted_volumes");
    assert!(rule.depends_on.is_empty());
    assert!(m
        .data
        .iter()
        .any(|b| b.addr.tf() == "data.aws_guardduty_detector.current"));
    assert!(!c.diagnostics.iter().any(|d| d.code == "ZT0120"));
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == "ZT0034" && d.scope.as_deref() == Some("config")));
}

#[test]
fn derived_publishers_and_https_subscription() {
    let c = compile_str(&format!(
        "{BASE}
metric_filters:
  auth-failures: {{group: logs.app, pattern: '{{ $.event = \"login_failed\" }}'}}
alarms:
  auth-failures:
    metric: metric_filters.auth-failures
    comparison: GreaterThanThreshold
    threshold: 5
    actions: [topics.alerts]
"
    ));
    let m = must_lower(&c);
    // cloudwatch is not listed but an alarm notifies the topic: granted, and warned (ZT0126)
    let pol = doc(block(m, "aws_sns_topic_policy", "alerts"), "policy");
    assert_eq!(
        pol["Statement"][0]["Principal"]["Service"],
        "cloudwatch.amazonaws.com"
    );
    assert!(c.diagnostics.iter().any(|d| d.code == "ZT0126"));
    let key = doc(block(m, "aws_kms_key", "logs"), "policy");
    assert!(key["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["Principal"]["Service"] == "cloudwatch.amazonaws.com"));
    let a = block(m, "aws_cloudwatch_metric_alarm", "auth_failures");
    assert_eq!(
        a.body.get_attr("comparison_operator"),
        Some(&Expr::str("GreaterThanThreshold"))
    );
    assert_eq!(a.body.get_attr("threshold"), Some(&Expr::Int(5)));
    let f = block(m, "aws_cloudwatch_log_metric_filter", "auth_failures");
    assert_eq!(
        f.body.get_attr("pattern"),
        Some(&Expr::str("{ $.event = \"login_failed\" }"))
    );
    let s = block(m, "aws_sns_topic_subscription", "alerts_0");
    assert_eq!(s.body.get_attr("protocol"), Some(&Expr::str("https")));
}

#[test]
fn aws_metric_dimensions_and_schedule_rules() {
    let c = compile_str(&format!(
        "{BASE}
network:
  name: app-vpc
  cidr: 10.0.0.0/16
  tiers: {{private: {{prefix: 24}}}}
  flow_logs: [{{destination: logs.app}}]
alarms:
  nat-drops:
    metric: {{namespace: AWS/NATGateway, name: PacketsDropCount, dimensions: {{NatGatewayId: network.nat}}}}
    actions: [topics.alerts]
  literal:
    metric: {{namespace: AWS/Usage, name: CallCount, dimensions: {{Service: Logs}}}}
events:
  nightly:
    schedule: cron(0 2 * * ? *)
    targets: [topics.alerts]
"
    ));
    let m = must_lower(&c);
    let nat = block(m, "aws_cloudwatch_metric_alarm", "nat_drops");
    let dims = ir_json(nat.body.get_attr("dimensions").unwrap());
    assert_eq!(dims["NatGatewayId"], "${aws_nat_gateway.app_vpc.id}");
    let lit = block(m, "aws_cloudwatch_metric_alarm", "literal");
    assert_eq!(
        ir_json(lit.body.get_attr("dimensions").unwrap()),
        json!({"Service": "Logs"})
    );
    let r = block(m, "aws_cloudwatch_event_rule", "nightly");
    assert_eq!(
        r.body.get_attr("schedule_expression"),
        Some(&Expr::str("cron(0 2 * * ? *)"))
    );
    assert!(r.body.get_attr("event_pattern").is_none());
}

#[test]
fn rule_errors_block_lowering_without_duplicate_reference_errors() {
    let c = compile_str(&format!(
        "{BASE}
metric_filters:
  x: {{group: logs.nope, pattern: root-usage}}
events:
  both: {{schedule: rate(1 hour), pattern: guardduty-findings, targets: [topics.alerts]}}
guardduty: {{mode: off}}
"
    ));
    assert!(c.module.is_none());
    let codes: Vec<&str> = c
        .diagnostics
        .iter()
        .filter(|d| d.is_blocking())
        .map(|d| d.code)
        .collect();
    assert!(codes.contains(&"ZT0124"), "{codes:?}");
    assert!(codes.contains(&"ZT0127"), "{codes:?}");
    assert!(codes.contains(&"ZT0121"), "{codes:?}");
    assert!(!codes.contains(&"ZT0030"), "reported twice: {codes:?}");
}

#[test]
fn function_targets_get_a_lambda_permission_and_function_dimensions() {
    let c = compile_str(
        r#"
ztc: 1
metadata: {name: monitoring-functions}
region: us-east-1
compliance: {profiles: [soc2]}
tags:
  required: {CostCenter: cc-1, DataClassification: Confidential, ComplianceScope: PCI-DSS}
keys:
  logs: {usage: [logs]}
  reports: {usage: [s3]}
logs:
  defaults: {retention: 1y, key: keys.logs}
buckets:
  reports: {key: keys.reports}
functions:
  checker:
    runtime: python3.12
    source: compliance-checker
    vpc: {none: The checker only calls AWS APIs and has no network resources to reach.}
    key: keys.logs
    environment: {REPORTS_BUCKET: buckets.reports, ALERT_TOPIC: topics.alerts}
topics:
  alerts:
    key: keys.logs
    publishers: [cloudwatch, functions.checker]
    subscriptions:
      - {protocol: email, endpoint: {var: security_email, description: Security team address}}
alarms:
  checker-errors:
    metric: {namespace: AWS/Lambda, name: Errors, dimensions: {FunctionName: functions.checker}}
    actions: [topics.alerts]
events:
  nightly:
    schedule: cron(0 2 * * ? *)
    targets: [functions.checker]
"#,
    );
    let m = must_lower(&c);
    let t = block(m, "aws_cloudwatch_event_target", "nightly_checker");
    assert_eq!(
        ir_json(t.body.get_attr("arn").unwrap()),
        "${aws_lambda_function.checker.arn}"
    );
    let p = block(m, "aws_lambda_permission", "nightly_checker");
    assert_eq!(
        p.body.get_attr("principal"),
        Some(&Expr::str("events.amazonaws.com"))
    );
    assert_eq!(
        p.body.get_attr("action"),
        Some(&Expr::str("lambda:InvokeFunction"))
    );
    assert_eq!(
        ir_json(p.body.get_attr("source_arn").unwrap()),
        "${aws_cloudwatch_event_rule.nightly.arn}"
    );
    assert_eq!(
        ir_json(p.body.get_attr("function_name").unwrap()),
        "${aws_lambda_function.checker.function_name}"
    );
    let a = block(m, "aws_cloudwatch_metric_alarm", "checker_errors");
    assert_eq!(
        ir_json(a.body.get_attr("dimensions").unwrap()),
        json!({"FunctionName": "${aws_lambda_function.checker.function_name}"})
    );
    // the function publishes with its role: no topic-policy statement for it (C27), an Info
    let pol = doc(block(m, "aws_sns_topic_policy", "alerts"), "policy");
    assert_eq!(pol["Statement"].as_array().unwrap().len(), 1);
    assert!(c
        .diagnostics
        .iter()
        .any(|d| d.code == "ZT0125" && d.severity == ztc::diag::Severity::Info));
    // email subscriptions wait for a manual confirmation (C46)
    assert!(m
        .notes
        .iter()
        .any(|n| n.contains("confirm the email subscription")));
    assert!(m.variables.iter().any(|v| v.name == "security_email"));
}
