//! Seed 000 (`specs/payment.yaml`) end to end: the HCL module is checked by real tools, and every
//! S0-* requirement of the catalogue is checked on the output (or on the diagnostic that answers it).

mod common;

use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;
use ztc::compile::{compile, Options};
use ztc::emit::{emit, Target};

fn built() -> &'static common::Built {
    static B: OnceLock<common::Built> = OnceLock::new();
    B.get_or_init(|| common::build_spec("specs/payment.yaml"))
}

fn out_dir() -> PathBuf {
    built().dir.path().to_path_buf()
}

/// The module as HashiCorp's parser reads it, all files merged.
fn parsed() -> Option<&'static Value> {
    static P: OnceLock<Option<Value>> = OnceLock::new();
    P.get_or_init(|| common::parsed_hcl(&out_dir())).as_ref()
}

fn res<'a>(p: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    p["resource"][ty]
        .as_object()
        .map(|o| o.iter().collect())
        .unwrap_or_default()
}

fn files() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn text(file: &str) -> String {
    std::fs::read_to_string(out_dir().join(file)).unwrap()
}

fn all_text() -> String {
    files()
        .iter()
        .filter(|f| f.ends_with(".tf"))
        .map(|f| text(f))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A policy document of a block as JSON: the jsonencode() argument evaluated by ztc's IR with
/// references kept as `${...}` strings.
fn policy(ty: &str, name: &str, attr: &str) -> Value {
    let m = built().compiled.module.as_ref().unwrap();
    let b = m
        .resources
        .iter()
        .find(|b| b.addr.ty == ty && b.addr.name == name)
        .unwrap_or_else(|| panic!("{ty}.{name}"));
    match b.body.get_attr(attr) {
        Some(ztc::ir::Expr::JsonEncode(inner)) => ir_json(inner),
        other => panic!("{ty}.{name}.{attr} is not a policy document: {other:?}"),
    }
}

fn ir_json(e: &ztc::ir::Expr) -> Value {
    use ztc::ir::Expr;
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
        // a template prints as a quoted HCL string: its content is the JSON string value
        Expr::Template(_) => {
            let q = ztc::emit::hcl::expr_to_string(e);
            Value::String(q[1..q.len() - 1].to_string())
        }
        other => Value::String(format!("${{{}}}", ztc::emit::hcl::expr_to_string(other))),
    }
}

fn has_diag(code: &str, scope: &str) -> bool {
    built()
        .compiled
        .diagnostics
        .iter()
        .any(|d| d.code == code && d.scope.as_deref() == Some(scope))
}

// ---- real tools ------------------------------------------------------------------------------

#[test]
fn output_parses_with_hashicorps_hcl_parser() {
    let Some(p) = parsed() else { return };
    assert!(p["resource"].as_object().unwrap().len() > 20);
}

#[test]
fn output_is_fmt_clean_and_passes_terraform_validate_with_the_real_provider() {
    common::assert_terraform_accepts(&out_dir());
}

#[test]
fn checkov_has_no_unwaived_failure_and_skips_carry_reasons() {
    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    let report = common::checkov_report(&out_dir(), "terraform").unwrap();
    assert!(
        report.failures.is_empty(),
        "checkov failures: {:#?}",
        report.failures
    );
    assert!(
        report.skipped > 0,
        "the spec's scanner waivers must reach checkov as skips"
    );
    for line in all_text().lines().filter(|l| l.contains("#checkov:skip=")) {
        let reason = line.split_once(':').map(|x| x.1).unwrap_or("");
        assert!(reason.len() > 10, "skip without a reason: {line}");
    }
}

#[test]
fn output_is_deterministic() {
    let path = common::repo_root().join("specs/payment.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let a = compile("p", &bytes, &Options::default());
    let b = compile("p", &bytes, &Options::default());
    assert_eq!(
        emit(a.module.as_ref().unwrap(), Target::Hcl, &a.diagnostics),
        emit(b.module.as_ref().unwrap(), Target::Hcl, &b.diagnostics)
    );
}

// ---- S0-* requirements -------------------------------------------------------------------------

#[test]
fn s0_reg_1_region_us_east_1() {
    let Some(p) = parsed() else { return };
    assert_eq!(p["provider"]["aws"][0]["region"], "us-east-1");
}

#[test]
fn s0_net_1_one_vpc_with_dns() {
    let Some(p) = parsed() else { return };
    let vpcs = res(p, "aws_vpc");
    assert_eq!(vpcs.len(), 1);
    assert_eq!(vpcs[0].1["enable_dns_support"], true);
    assert_eq!(vpcs[0].1["enable_dns_hostnames"], true);
}

#[test]
fn s0_net_2_and_3_private_subnets_in_three_azs_from_the_data_source() {
    let Some(p) = parsed() else { return };
    assert_eq!(
        p["data"]["aws_availability_zones"]["available"]["state"],
        "available"
    );
    let subnets = res(p, "aws_subnet");
    let private: Vec<_> = subnets
        .iter()
        .filter(|(n, _)| n.starts_with("private_"))
        .collect();
    assert_eq!(private.len(), 3);
    let mut azs: Vec<&str> = private
        .iter()
        .map(|(_, s)| s["availability_zone"].as_str().unwrap())
        .collect();
    azs.sort();
    azs.dedup();
    assert_eq!(azs.len(), 3, "distinct AZ indices: {azs:?}");
    for (_, s) in &subnets {
        assert!(s["availability_zone"]
            .as_str()
            .unwrap()
            .contains("data.aws_availability_zones.available.names["));
        assert_eq!(s["map_public_ip_on_launch"], false);
    }
}

#[test]
fn s0_net_4_and_5_no_internet_path() {
    let Some(p) = parsed() else { return };
    for ty in [
        "aws_internet_gateway",
        "aws_egress_only_internet_gateway",
        "aws_nat_gateway",
        "aws_eip",
        "aws_lb",
        "aws_instance",
    ] {
        assert!(res(p, ty).is_empty(), "{ty} must not exist");
    }
    for (_, r) in res(p, "aws_route") {
        for k in ["gateway_id", "nat_gateway_id", "egress_only_gateway_id"] {
            assert!(r.get(k).is_none(), "route via {k}");
        }
    }
    assert!(!all_text().contains("associate_public_ip_address = true"));
}

#[test]
fn s0_net_6_ami_lookup_through_a_data_source() {
    let Some(p) = parsed() else { return };
    let ami = &p["data"]["aws_ami"]["al2023"];
    assert_eq!(ami["most_recent"], true);
    assert_eq!(ami["owners"][0], "amazon");
}

#[test]
fn s0_fw_1_firewall_with_one_endpoint_per_az_in_dedicated_subnets() {
    let Some(p) = parsed() else { return };
    let fws = res(p, "aws_networkfirewall_firewall");
    assert_eq!(fws.len(), 1);
    let maps = fws[0].1["subnet_mapping"].as_array().unwrap();
    assert_eq!(maps.len(), 3);
    let mapped: Vec<&str> = maps
        .iter()
        .map(|m| m["subnet_id"].as_str().unwrap())
        .collect();
    for m in &mapped {
        assert!(m.starts_with("${aws_subnet.firewall_az"), "{m}");
    }
    // nothing else lives in the firewall subnets
    for (_, ep) in res(p, "aws_vpc_endpoint") {
        for s in ep["subnet_ids"].as_array().into_iter().flatten() {
            assert!(!mapped.contains(&s.as_str().unwrap()));
        }
    }
}

#[test]
fn s0_fw_2_stateful_https_only_allowlist() {
    let Some(p) = parsed() else { return };
    let groups = res(p, "aws_networkfirewall_rule_group");
    assert_eq!(groups.len(), 1);
    let g = groups[0].1;
    assert_eq!(g["type"], "STATEFUL");
    let rg = &g["rule_group"][0];
    let list = &rg["rules_source"][0]["rules_source_list"][0];
    assert_eq!(list["generated_rules_type"], "ALLOWLIST");
    assert_eq!(list["target_types"], serde_json::json!(["TLS_SNI"]));
    assert_eq!(rg["stateful_rule_options"][0]["rule_order"], "STRICT_ORDER");
    assert_eq!(
        rg["rule_variables"][0]["port_sets"][0]["port_set"][0]["definition"],
        serde_json::json!(["443"])
    );
}

#[test]
fn s0_fw_3_deny_by_default_in_strict_order() {
    let Some(p) = parsed() else { return };
    let pol = &res(p, "aws_networkfirewall_firewall_policy")[0].1["firewall_policy"][0];
    let defaults: Vec<&str> = pol["stateful_default_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(defaults.iter().any(|a| a.starts_with("aws:drop")));
    assert_eq!(
        pol["stateful_engine_options"][0]["rule_order"],
        "STRICT_ORDER"
    );
    assert!(!pol["stateless_default_actions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a == "aws:pass"));
    assert!(pol["stateful_rule_group_reference"][0]["resource_arn"]
        .as_str()
        .unwrap()
        .contains("aws_networkfirewall_rule_group."));
}

#[test]
fn s0_fw_4_every_workload_route_table_sends_traffic_to_the_firewall() {
    let Some(p) = parsed() else { return };
    let routes = res(p, "aws_route");
    for (name, _) in res(p, "aws_route_table")
        .iter()
        .filter(|(n, _)| n.starts_with("private_") || n.starts_with("endpoints_"))
    {
        let via_fw = routes
            .iter()
            .filter(|(_, r)| r["route_table_id"] == format!("${{aws_route_table.{name}.id}}"))
            .count();
        assert_eq!(
            via_fw, 3,
            "route table {name} must route to each peer subnet through the firewall"
        );
    }
    for (_, r) in &routes {
        let ep = r["vpc_endpoint_id"].as_str().unwrap();
        assert!(
            ep.contains("aws_networkfirewall_firewall.payment_fw.firewall_status[0].sync_states"),
            "{ep}"
        );
    }
    assert!(
        has_diag("ZT0034", "network.firewall"),
        "the inspection lowering is documented"
    );
}

#[test]
fn s0_fw_5_flow_and_alert_logging() {
    let Some(p) = parsed() else { return };
    let cfg = &res(p, "aws_networkfirewall_logging_configuration")[0].1["logging_configuration"][0]
        ["log_destination_config"];
    let types: Vec<&str> = cfg
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["log_type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["FLOW", "ALERT"]);
}

#[test]
fn s0_fw_6_firewall_deletable() {
    let Some(p) = parsed() else { return };
    let fw = res(p, "aws_networkfirewall_firewall")[0].1;
    for k in [
        "delete_protection",
        "subnet_change_protection",
        "firewall_policy_change_protection",
    ] {
        assert_eq!(fw[k], false, "{k}");
    }
}

#[test]
fn s0_kms_1_to_3_separate_rotating_destroyable_keys() {
    let Some(p) = parsed() else { return };
    let keys = res(p, "aws_kms_key");
    let names: Vec<&str> = keys.iter().map(|(n, _)| n.as_str()).collect();
    for k in ["ebs", "s3", "rds"] {
        assert!(names.contains(&k), "{k} key");
    }
    for (_, k) in &keys {
        assert_eq!(k["enable_key_rotation"], true);
        assert_eq!(k["deletion_window_in_days"], 7);
    }
    assert_eq!(res(p, "aws_kms_alias").len(), keys.len());
    // the S3 key encrypts every bucket, the EBS key is the account default
    for (_, sse) in res(p, "aws_s3_bucket_server_side_encryption_configuration") {
        let d = &sse["rule"][0]["apply_server_side_encryption_by_default"][0];
        assert_eq!(d["sse_algorithm"], "aws:kms");
        assert_eq!(d["kms_master_key_id"], "${aws_kms_key.s3.arn}");
    }
    assert_eq!(
        p["resource"]["aws_ebs_default_kms_key"]["this"]["key_arn"],
        "${aws_kms_key.ebs.arn}"
    );
    // the RDS key has no consumer yet: answered by a waived diagnostic
    assert!(built()
        .compiled
        .diagnostics
        .iter()
        .any(|d| d.scope.as_deref() == Some("keys.rds") && d.waived.is_some()));
    assert!(!all_text().contains("prevent_destroy"));
}

#[test]
fn s0_kms_4_every_key_policy_keeps_an_administrator() {
    for k in ["ebs", "s3", "rds", "logs"] {
        let doc = policy("aws_kms_key", k, "policy");
        let admin = doc["Statement"].as_array().unwrap().iter().any(|s| {
            s["Effect"] == "Allow"
                && s["Action"] == "kms:*"
                && s["Principal"]["AWS"]
                    .as_str()
                    .unwrap_or("")
                    .ends_with(":root")
        });
        assert!(admin, "key {k} policy has no admin: {doc:#}");
    }
    let logs = policy("aws_kms_key", "logs", "policy");
    assert!(logs.to_string().contains("logs.us-east-1.amazonaws.com"));
    let s3 = policy("aws_kms_key", "s3", "policy");
    assert!(s3.to_string().contains("cloudtrail.amazonaws.com"));
}

#[test]
fn s0_kms_5_log_groups_and_parameters_use_a_cmk() {
    let Some(p) = parsed() else { return };
    for (_, g) in res(p, "aws_cloudwatch_log_group") {
        assert!(g["kms_key_id"]
            .as_str()
            .unwrap()
            .starts_with("${aws_kms_key."));
    }
    for (_, s) in res(p, "aws_ssm_parameter") {
        assert!(s["key_id"].as_str().unwrap().starts_with("${aws_kms_key."));
    }
}

#[test]
fn s0_s3_1_to_6_audit_bucket_hardening() {
    let Some(p) = parsed() else { return };
    let b = &p["resource"]["aws_s3_bucket"]["audit_logs"];
    assert_eq!(b["object_lock_enabled"], true);
    assert_eq!(b["force_destroy"], true);
    assert_eq!(
        p["resource"]["aws_s3_bucket_versioning"]["audit_logs"]["versioning_configuration"][0]
            ["status"],
        "Enabled"
    );
    let lock = &p["resource"]["aws_s3_bucket_object_lock_configuration"]["audit_logs"]["rule"][0]
        ["default_retention"][0];
    assert_eq!(lock["mode"], "GOVERNANCE");
    assert_eq!(lock["years"], 7);
    // COMPLIANCE + destroyable is answered by a diagnostic (S0-DEST-2), MFA delete by a warning (C1)
    assert!(has_diag("ZT0112", "buckets.audit-logs"));
    for (name, _) in res(p, "aws_s3_bucket") {
        let pab = &p["resource"]["aws_s3_bucket_public_access_block"][name];
        for k in [
            "block_public_acls",
            "block_public_policy",
            "ignore_public_acls",
            "restrict_public_buckets",
        ] {
            assert_eq!(pab[k], true, "{name}.{k}");
        }
        assert_eq!(
            p["resource"]["aws_s3_bucket_server_side_encryption_configuration"][name]["rule"][0]
                ["bucket_key_enabled"],
            true
        );
    }
    let doc = policy("aws_s3_bucket_policy", "audit_logs", "policy");
    assert!(
        doc.to_string().contains("aws:MultiFactorAuthPresent"),
        "MFA-deny fallback present"
    );
}

#[test]
fn s0_s3_7_and_tls_1_every_bucket_policy_denies_insecure_transport_and_old_tls() {
    let Some(p) = parsed() else { return };
    for (name, _) in res(p, "aws_s3_bucket") {
        let doc = policy("aws_s3_bucket_policy", name, "policy");
        let st = doc["Statement"].as_array().unwrap();
        assert!(
            st.iter().any(|s| s["Effect"] == "Deny"
                && s["Condition"]["Bool"]["aws:SecureTransport"] == "false"),
            "{name}"
        );
        assert!(
            st.iter().any(|s| s["Effect"] == "Deny"
                && s["Condition"]["NumericLessThan"]["s3:TlsVersion"] == "1.2"),
            "{name}"
        );
    }
}

#[test]
fn s0_s3_8_and_log_3_trail_writes_to_the_locked_bucket_with_validation() {
    let Some(p) = parsed() else { return };
    let trails = res(p, "aws_cloudtrail");
    assert_eq!(trails.len(), 1);
    let t = trails[0].1;
    assert_eq!(t["s3_bucket_name"], "${aws_s3_bucket.audit_logs.id}");
    assert_eq!(t["enable_log_file_validation"], true);
    assert_eq!(t["is_multi_region_trail"], true);
    assert_eq!(t["include_global_service_events"], true);
    assert!(t["kms_key_id"].as_str().unwrap().contains("aws_kms_key.s3"));
    assert_eq!(
        t["cloud_watch_logs_group_arn"],
        "${aws_cloudwatch_log_group.trail.arn}:*"
    );
    assert!(has_diag("ZT0034", "trail"), "C3 mapping explained");
}

#[test]
fn s0_ep_1_to_5_endpoints() {
    let Some(p) = parsed() else { return };
    let eps = &p["resource"]["aws_vpc_endpoint"];
    for gw in ["s3", "dynamodb"] {
        assert_eq!(eps[gw]["vpc_endpoint_type"], "Gateway");
        assert_eq!(
            eps[gw]["service_name"],
            format!("com.amazonaws.us-east-1.{gw}")
        );
        assert_eq!(
            eps[gw]["route_table_ids"].as_array().unwrap().len(),
            3,
            "covers every private route table"
        );
    }
    for i in ["ec2", "ssm", "ssmmessages", "ec2messages"] {
        assert_eq!(eps[i]["vpc_endpoint_type"], "Interface");
        assert_eq!(eps[i]["private_dns_enabled"], true);
        assert_eq!(eps[i]["subnet_ids"].as_array().unwrap().len(), 3);
        assert_eq!(
            eps[i]["security_group_ids"],
            serde_json::json!(["${aws_security_group.endpoints.id}"])
        );
    }
    let ingress: Vec<_> = res(p, "aws_vpc_security_group_ingress_rule")
        .into_iter()
        .filter(|(_, r)| r["security_group_id"] == "${aws_security_group.endpoints.id}")
        .collect();
    assert_eq!(ingress.len(), 1);
    assert_eq!(ingress[0].1["ip_protocol"], "tcp");
    assert_eq!(ingress[0].1["from_port"], 443);
    assert_eq!(ingress[0].1["to_port"], 443);
    assert_eq!(
        ingress[0].1["cidr_ipv4"],
        "${aws_vpc.payment_vpc.cidr_block}"
    );
}

#[test]
fn s0_log_1_2_4_seven_year_encrypted_deletable_log_groups() {
    let Some(p) = parsed() else { return };
    let groups = res(p, "aws_cloudwatch_log_group");
    assert_eq!(groups.len(), 4);
    for (_, g) in groups {
        assert_eq!(g["retention_in_days"], 2557);
        assert_eq!(g["skip_destroy"], false);
    }
}

#[test]
fn s0_log_5_vpc_flow_logs() {
    let Some(p) = parsed() else { return };
    let fl = res(p, "aws_flow_log");
    assert_eq!(fl.len(), 1);
    assert_eq!(fl[0].1["traffic_type"], "ALL");
    assert_eq!(fl[0].1["log_destination_type"], "cloud-watch-logs");
}

#[test]
fn s0_iam_1_to_3_roles() {
    let Some(p) = parsed() else { return };
    for (_, r) in res(p, "aws_iam_role") {
        assert_eq!(r["max_session_duration"], 3600);
    }
    let trust = policy("aws_iam_role", "payment_app", "assume_role_policy");
    assert_eq!(
        trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "${var.external_id}"
    );
    assert!(trust["Statement"][0]["Principal"]["AWS"]
        .as_str()
        .unwrap()
        .contains("var.trusted_account_id"));
    let v = &p["variable"]["external_id"];
    assert_eq!(v["sensitive"], true);
    let read = policy("aws_iam_policy", "payment_app_read", "policy");
    for s in read["Statement"].as_array().unwrap() {
        for a in s["Action"].as_array().unwrap() {
            assert!(!a.as_str().unwrap().contains('*'), "wildcard action {a}");
        }
        for r in s["Resource"].as_array().unwrap() {
            assert_ne!(r, "*");
        }
    }
}

#[test]
fn s0_sg_1_to_3_default_deny_minimal_allow_and_explicit_nacl_deny() {
    let Some(p) = parsed() else { return };
    let d = &p["resource"]["aws_default_security_group"]["default"];
    assert!(d.get("ingress").is_none() && d.get("egress").is_none());
    for (_, sg) in res(p, "aws_security_group") {
        assert!(
            sg.get("ingress").is_none() && sg.get("egress").is_none(),
            "no inline rules"
        );
    }
    for ty in [
        "aws_vpc_security_group_ingress_rule",
        "aws_vpc_security_group_egress_rule",
    ] {
        for (_, r) in res(p, ty) {
            assert_ne!(r["ip_protocol"], "-1");
            assert_ne!(
                r.get("cidr_ipv4").and_then(Value::as_str),
                Some("0.0.0.0/0")
            );
            assert!(r["description"].as_str().unwrap().len() > 5);
        }
    }
    let rules = res(p, "aws_network_acl_rule");
    let denies = rules
        .iter()
        .filter(|(_, r)| r["rule_action"] == "deny")
        .count();
    assert_eq!(denies, 2, "explicit deny in both directions");
    // derived ephemeral return for the HTTPS allow
    assert!(rules.iter().any(|(_, r)| r["rule_number"] == 101
        && r["egress"] == true
        && r["from_port"] == 1024
        && r["to_port"] == 65535));
}

#[test]
fn s0_ssm_1_secure_string_parameters() {
    let Some(p) = parsed() else { return };
    let ps = res(p, "aws_ssm_parameter");
    assert_eq!(ps.len(), 1);
    assert_eq!(ps[0].1["type"], "SecureString");
    assert_eq!(
        ps[0].1["name"],
        "/payment/${var.environment_suffix}/app/config"
    );
    assert_eq!(p["variable"]["app_config"]["sensitive"], true);
}

#[test]
fn s0_tag_1_mandatory_tags_through_default_tags() {
    let Some(p) = parsed() else { return };
    let tags = &p["provider"]["aws"][0]["default_tags"][0]["tags"];
    assert_eq!(tags["CostCenter"], "${var.cost_center}");
    assert_eq!(tags["DataClassification"], "${var.data_classification}");
    assert_eq!(tags["ComplianceScope"], "PCI-DSS");
}

#[test]
fn s0_name_1_every_name_carries_the_suffix() {
    let Some(p) = parsed() else { return };
    let mut checked = 0;
    for (ty, names) in p["resource"].as_object().unwrap() {
        for (n, body) in names.as_object().unwrap() {
            for attr in ["name", "bucket"] {
                if attr == "bucket" && ty != "aws_s3_bucket" {
                    continue; // other S3 resources reference the bucket by id
                }
                if ty == "aws_iam_role_policy_attachment"
                    || ty == "aws_networkfirewall_logging_configuration"
                {
                    continue;
                }
                if let Some(v) = body.get(attr).and_then(Value::as_str) {
                    assert!(
                        v.contains("${var.environment_suffix}"),
                        "{ty}.{n}.{attr} = {v}"
                    );
                    checked += 1;
                }
            }
            if let Some(v) = body
                .get("tags")
                .and_then(|t| t.get("Name"))
                .and_then(Value::as_str)
            {
                assert!(
                    v.ends_with("-${var.environment_suffix}"),
                    "{ty}.{n} Name tag = {v}"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 40);
    assert_eq!(
        p["resource"]["aws_vpc"]["payment_vpc"]["tags"]["Name"],
        "payment-vpc-${var.environment_suffix}"
    );
    assert_eq!(
        p["resource"]["aws_s3_bucket"]["audit_logs"]["bucket"],
        "audit-logs-${var.environment_suffix}"
    );
}

#[test]
fn s0_dest_1_nothing_retained() {
    let t = all_text();
    assert!(!t.contains("prevent_destroy"));
    assert!(!t.contains("deletion_protection = true"));
    assert!(!t.contains("skip_destroy = true"));
}

#[test]
fn s0_out_1_to_3_outputs() {
    let Some(p) = parsed() else { return };
    let o = &p["output"];
    let dns = o["vpc_endpoint_dns_names"]["value"].as_object().unwrap();
    assert_eq!(dns.len(), 4, "interface endpoints only (C32)");
    assert_eq!(dns["ssm"], "${aws_vpc_endpoint.ssm.dns_entry[0].dns_name}");
    assert_eq!(o["kms_key_arns"]["value"].as_object().unwrap().len(), 4);
    assert_eq!(
        o["s3_bucket_names"]["value"]["audit-logs"],
        "${aws_s3_bucket.audit_logs.bucket}"
    );
}

#[test]
fn s0_doc_1_to_3_docs_files_and_profile() {
    let f = files();
    for want in [
        "networking.tf",
        "security.tf",
        "monitoring.tf",
        "compliance.tf",
        "storage.tf",
        "variables.tf",
        "outputs.tf",
        "versions.tf",
        "providers.tf",
    ] {
        assert!(f.contains(&want.to_string()), "{want} in {f:?}");
    }
    let readme = text("README.md");
    assert!(readme.contains("IAM Identity Center"));
    let spec = built().compiled.spec.as_ref().unwrap();
    assert!(spec
        .compliance
        .profiles
        .contains(&ztc::spec::Profile::PciDssV4));
    assert!(spec
        .compliance
        .frameworks
        .iter()
        .any(|f| f.contains("SOC 2")));
}

#[test]
fn s0_db_1_no_database_declared() {
    let Some(p) = parsed() else { return };
    assert!(res(p, "aws_db_instance").is_empty() && res(p, "aws_rds_cluster").is_empty());
}
