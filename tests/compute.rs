//! Functions and secrets (`tests/fixtures/compute.yaml`) end to end: the HCL module is parsed by
//! HashiCorp's parser, formatted and validated by terraform with the real hashicorp/aws provider,
//! its shapes are checked, and the function sources ztc wrote are run by their own tests (the
//! compliance checker against moto, the rotation function with node).

mod common;

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use ztc::compile::{compile, Compiled, Options};
use ztc::diag::{Diagnostic, Severity};

fn built() -> &'static common::Built {
    static B: OnceLock<common::Built> = OnceLock::new();
    B.get_or_init(|| common::build_hcl("tests/fixtures/compute.yaml", &fixture_text()))
}

fn compile_text(name: &str, text: &str) -> Compiled {
    compile(name, text.as_bytes(), &Options::default())
}

fn fixture_text() -> String {
    std::fs::read_to_string(common::repo_root().join("tests/fixtures/compute.yaml"))
        .expect("tests/fixtures/compute.yaml")
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
    assert!(!v.is_null(), "resource {ty}.{name} is missing");
    v
}

fn data<'a>(p: &'a Value, ty: &str, name: &str) -> &'a Value {
    let v = &p["data"][ty][name];
    assert!(!v.is_null(), "data {ty}.{name} is missing");
    v
}

/// First block of a nested block list (hcl2json: `"vpc_config": [{...}]`).
fn block<'a>(v: &'a Value, name: &str) -> &'a Value {
    let b = &v[name][0];
    assert!(!b.is_null(), "no `{name}` block in {v}");
    b
}

fn text_of(file: &str) -> String {
    std::fs::read_to_string(out_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn all_tf() -> String {
    let mut s = String::new();
    for e in std::fs::read_dir(out_dir()).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "tf") {
            s.push_str(&std::fs::read_to_string(p).unwrap());
        }
    }
    s
}

fn findings(code: &str) -> Vec<&'static Diagnostic> {
    built()
        .compiled
        .diagnostics
        .iter()
        .filter(|d| d.code == code)
        .collect()
}

// ---- compilation and diagnostics ---------------------------------------------------------------

#[test]
fn compiles_with_the_expected_findings() {
    let c = &built().compiled;
    assert!(
        !c.has_errors(),
        "{}",
        ztc::diag::render_plain(&c.diagnostics, &c.source, 100)
    );
    // the checker runs outside the VPC: reported (C39) and waived by the spec
    let outside = findings("ZT0131");
    assert_eq!(outside.len(), 1);
    assert_eq!(outside[0].scope.as_deref(), Some("functions.checker"));
    assert!(outside[0].waived.is_some());
    // the generated password is write-only (via: ephemeral, the default): nothing to report
    assert!(findings("ZT0139").is_empty());
    // the existing secret has no rotation under PCI
    let rotation = findings("ZT0137");
    assert_eq!(rotation.len(), 1);
    assert_eq!(rotation[0].scope.as_deref(), Some("secrets.legacy"));
    assert_eq!(rotation[0].severity, Severity::Warning);
    // every endpoint the rotation function needs is declared
    assert!(findings("ZT0132").is_empty());
    // C26: the function log groups are an Info note
    assert!(c.diagnostics.iter().any(|d| d.code == "ZT0034"
        && d.severity == Severity::Info
        && d.message.contains("/aws/lambda/")));
}

// ---- assets ------------------------------------------------------------------------------------

/// The single entry of a stored zip written by ztc: (name, contents). Checks the signatures, the
/// method (stored) and the CRC-32 against the contents.
fn unzip_single(zip: &[u8]) -> (String, Vec<u8>) {
    let u16at = |i: usize| u16::from_le_bytes([zip[i], zip[i + 1]]);
    let u32at = |i: usize| u32::from_le_bytes([zip[i], zip[i + 1], zip[i + 2], zip[i + 3]]);
    assert_eq!(u32at(0), 0x0403_4b50, "local file header");
    assert_eq!(u16at(8), 0, "stored");
    let crc = u32at(14);
    let size = u32at(18) as usize;
    let name_len = u16at(26) as usize;
    let extra = u16at(28) as usize;
    let name = String::from_utf8(zip[30..30 + name_len].to_vec()).unwrap();
    let start = 30 + name_len + extra;
    let body = zip[start..start + size].to_vec();
    // CRC-32 (IEEE)
    let mut c = 0xFFFF_FFFFu32;
    for &b in &body {
        c ^= b as u32;
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    assert_eq!(c ^ 0xFFFF_FFFF, crc, "CRC of {name}");
    let eocd = zip.len() - 22;
    assert_eq!(u32at(eocd), 0x0605_4b50, "end of central directory");
    assert_eq!(u16at(eocd + 10), 1, "one entry");
    (name, body)
}

#[test]
fn function_sources_and_packages_are_written() {
    for (f, file, marker) in [
        ("checker", "lambda_function.py", "def lambda_handler("),
        ("rotate", "index.mjs", "export const handler"),
    ] {
        let src = std::fs::read(out_dir().join(format!("functions/{f}/{file}"))).unwrap();
        let text = String::from_utf8(src.clone()).unwrap();
        assert!(text.contains(marker), "{f}: {marker}");
        assert!(
            text.contains(&format!("`functions.{f}`")) && text.contains("compute-fixture"),
            "{f}: the header names the spec element and the stack"
        );
        assert!(!text.contains("{{"), "{f}: rendered");
        let zip = std::fs::read(out_dir().join(format!("functions/{f}.zip"))).unwrap();
        let (name, body) = unzip_single(&zip);
        assert_eq!(name, file);
        assert_eq!(body, src, "{f}: the package holds the written source");
    }
}

#[test]
fn packages_are_deterministic() {
    let again = compile_text("tests/fixtures/compute.yaml", &fixture_text());
    let a = &built().compiled.module.as_ref().unwrap().assets;
    let b = &again.module.as_ref().unwrap().assets;
    assert_eq!(a, b);
}

// ---- the module as terraform reads it ----------------------------------------------------------

#[test]
fn functions_have_the_expected_shape() {
    let Some(p) = parsed() else { return };
    let checker = res(p, "aws_lambda_function", "checker");
    assert_eq!(checker["runtime"], "python3.11");
    assert_eq!(checker["handler"], "lambda_function.lambda_handler");
    assert_eq!(checker["memory_size"], 256);
    assert_eq!(checker["timeout"], 300);
    assert_eq!(checker["filename"], "functions/checker.zip");
    assert_eq!(
        checker["source_code_hash"],
        "${filebase64sha256(\"functions/checker.zip\")}"
    );
    assert_eq!(checker["role"], "${aws_iam_role.checker_function.arn}");
    assert_eq!(checker["kms_key_arn"], "${aws_kms_key.app.arn}");
    assert!(
        checker.get("vpc_config").is_none(),
        "the checker runs outside the VPC"
    );
    assert_eq!(block(checker, "tracing_config")["mode"], "Active");
    let vars = &block(checker, "environment")["variables"];
    assert_eq!(vars["REPORTS_BUCKET"], "${aws_s3_bucket.reports.bucket}");
    assert_eq!(vars["LOG_LEVEL"], "INFO");
    let deps: Vec<&str> = checker["depends_on"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_str().unwrap())
        .collect();
    assert!(
        deps.contains(&"${aws_cloudwatch_log_group.checker_function}"),
        "{deps:?}"
    );
    assert!(
        deps.contains(&"${aws_iam_role_policy_attachment.checker_function}"),
        "{deps:?}"
    );

    let rotate = res(p, "aws_lambda_function", "rotate");
    assert_eq!(rotate["runtime"], "nodejs22.x");
    assert_eq!(rotate["handler"], "index.handler");
    assert_eq!(rotate["memory_size"], 128);
    assert_eq!(rotate["timeout"], 30);
    let vpc = block(rotate, "vpc_config");
    assert_eq!(
        vpc["subnet_ids"],
        serde_json::json!([
            "${aws_subnet.private_az1.id}",
            "${aws_subnet.private_az2.id}"
        ])
    );
    assert_eq!(
        vpc["security_group_ids"],
        serde_json::json!(["${aws_security_group.rotation.id}"])
    );
    // the password policy of the secret it rotates
    let vars = &block(rotate, "environment")["variables"];
    assert_eq!(vars["PASSWORD_LENGTH"], "32");
    assert_eq!(vars["EXCLUDE_PUNCTUATION"], "false");
}

#[test]
fn log_groups_are_precreated_with_retention_and_key() {
    let Some(p) = parsed() else { return };
    for f in ["checker", "rotate"] {
        let lg = res(p, "aws_cloudwatch_log_group", &format!("{f}_function"));
        assert_eq!(
            lg["name"],
            format!("/aws/lambda/{f}-${{var.environment_suffix}}")
        );
        assert_eq!(lg["retention_in_days"], 365);
        assert_eq!(lg["kms_key_id"], "${aws_kms_key.app.arn}");
    }
    // the function's name and its log group's name agree
    let fname = res(p, "aws_lambda_function", "rotate")["function_name"]
        .as_str()
        .unwrap();
    let lg = res(p, "aws_cloudwatch_log_group", "rotate_function")["name"]
        .as_str()
        .unwrap();
    assert_eq!(lg, format!("/aws/lambda/{fname}"));
    // CloudWatch Logs may use the key (C18)
    assert!(text_of("security.tf").contains("AllowCloudWatchLogs"));
}

#[test]
fn execution_roles_use_managed_policies_only() {
    let Some(p) = parsed() else { return };
    assert!(
        p["resource"]["aws_iam_role_policy"].is_null(),
        "no inline role policies"
    );
    for f in ["checker", "rotate"] {
        let id = format!("{f}_function");
        let role = res(p, "aws_iam_role", &id);
        assert_eq!(role["max_session_duration"], 3600);
        let trust = role["assume_role_policy"].as_str().unwrap();
        assert!(trust.contains("lambda.amazonaws.com"), "{trust}");
        assert!(trust.contains("aws:SourceAccount"), "{trust}");
        let att = res(p, "aws_iam_role_policy_attachment", &id);
        assert_eq!(att["role"], format!("${{aws_iam_role.{id}.name}}"));
        assert_eq!(att["policy_arn"], format!("${{aws_iam_policy.{id}.arn}}"));
        res(p, "aws_iam_policy", &id);
    }
    let tf = all_tf();
    // the rotation function: Secrets Manager's rotation policy on the secret it rotates
    let rot = awk_block(&tf, "resource \"aws_iam_policy\" \"rotate_function\"");
    for a in [
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:PutSecretValue",
        "secretsmanager:UpdateSecretVersionStage",
        "secretsmanager:GetRandomPassword",
        "ec2:CreateNetworkInterface",
        "kms:EncryptionContext:SecretARN",
    ] {
        assert!(rot.contains(a), "rotation policy lacks {a}:\n{rot}");
    }
    assert!(rot.contains("Resource = aws_secretsmanager_secret.db.arn"));
    // the checker: reads, writes its reports, no VPC permissions
    let chk = awk_block(&tf, "resource \"aws_iam_policy\" \"checker_function\"");
    assert!(
        chk.contains("\"${aws_s3_bucket.reports.arn}/reports/*\""),
        "{chk}"
    );
    assert!(chk.contains("ec2:DescribeVolumes"));
    assert!(!chk.contains("ec2:CreateNetworkInterface"));
    assert!(!chk.contains("secretsmanager:"));
}

/// The text of the top-level block starting with `head` (up to its closing brace at column 0).
fn awk_block(tf: &str, head: &str) -> String {
    let start = tf.find(head).unwrap_or_else(|| panic!("no block {head}"));
    let end = tf[start..].find("\n}\n").map(|e| start + e + 3).unwrap();
    tf[start..end].to_string()
}

#[test]
fn secrets_have_the_expected_shape() {
    let Some(p) = parsed() else { return };
    let db = res(p, "aws_secretsmanager_secret", "db");
    assert_eq!(db["recovery_window_in_days"], 0, "ephemeral stack (C30)");
    assert_eq!(db["kms_key_id"], "${aws_kms_key.app.arn}");
    assert_eq!(db["name"], "db-${var.environment_suffix}");
    // the password: an ephemeral resource feeding the write-only argument, so it is in neither
    // plan nor state; Terraform >= 1.11
    let pw = &p["ephemeral"]["aws_secretsmanager_random_password"]["db"];
    assert!(
        pw.is_object(),
        "ephemeral aws_secretsmanager_random_password.db is missing"
    );
    assert!(p["data"]["aws_secretsmanager_random_password"].is_null());
    assert_eq!(pw["password_length"], 32);
    assert_eq!(pw["exclude_punctuation"], false);
    let v = res(p, "aws_secretsmanager_secret_version", "db");
    assert!(v["secret_string"].is_null(), "{v}");
    let s = v["secret_string_wo"].as_str().unwrap();
    assert!(s.contains("username = \"payments_app\""), "{s}");
    assert!(
        s.contains("password = ephemeral.aws_secretsmanager_random_password.db.random_password"),
        "{s}"
    );
    assert_eq!(v["secret_string_wo_version"], 1);
    assert_eq!(
        block(v, "lifecycle")["ignore_changes"],
        serde_json::json!(["${version_stages}"])
    );
    assert_eq!(
        p["terraform"][0]["required_version"], ">= 1.11.0",
        "write-only arguments need Terraform 1.11"
    );

    let rot = res(p, "aws_secretsmanager_secret_rotation", "db");
    assert_eq!(rot["secret_id"], "${aws_secretsmanager_secret.db.arn}");
    assert_eq!(
        rot["rotation_lambda_arn"],
        "${aws_lambda_function.rotate.arn}"
    );
    assert_eq!(rot["rotate_immediately"], false);
    assert_eq!(block(rot, "rotation_rules")["automatically_after_days"], 30);
    let deps = rot["depends_on"].as_array().unwrap();
    assert!(deps.contains(&Value::from("${aws_lambda_permission.rotate_db}")));
    assert!(deps.contains(&Value::from("${aws_secretsmanager_secret_version.db}")));

    // one permission per rotated secret, limited to that secret (no confused deputy)
    let perm = res(p, "aws_lambda_permission", "rotate_db");
    assert_eq!(perm["principal"], "secretsmanager.amazonaws.com");
    assert_eq!(perm["source_arn"], "${aws_secretsmanager_secret.db.arn}");
    assert_eq!(perm["statement_id"], "AllowSecretsManagerRotation-db");
    assert_eq!(perm["action"], "lambda:InvokeFunction");
    assert_eq!(
        perm["function_name"],
        "${aws_lambda_function.rotate.function_name}"
    );
    assert_eq!(
        perm["source_account"],
        "${data.aws_caller_identity.current.account_id}"
    );

    // the existing secret is read, not created
    let legacy = data(p, "aws_secretsmanager_secret", "legacy");
    assert_eq!(legacy["name"], "${var.legacy_secret_name}");
    assert!(p["resource"]["aws_secretsmanager_secret"]["legacy"].is_null());
    assert!(
        p["resource"]["random_password"].is_null(),
        "no hashicorp/random (C29)"
    );
}

// ---- real tools --------------------------------------------------------------------------------

#[test]
fn terraform_fmt_accepts_the_module() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    common::terraform_fmt_check(&out_dir()).unwrap();
}

#[test]
fn terraform_validate_accepts_the_module() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    if common::provider_mirror().is_none() {
        return common::tool_missing(
            "terraform provider mirror",
            &common::provider_mirror_missing_reason(),
        );
    }
    // validate evaluates filebase64sha256(): the packages ztc wrote must be there
    assert!(out_dir().join("functions/checker.zip").is_file());
    common::terraform_validate(&out_dir()).unwrap();
}

fn run_tool(cmd: &mut Command, what: &str) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        out.status.success(),
        "{what} failed (exit {:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_generated_checker_passes_its_moto_tests() {
    let py = common::tools_dir().join("venv-moto/bin/python");
    if !py.is_file() {
        return common::tool_missing("venv-moto", &format!("{} is not installed", py.display()));
    }
    let source = out_dir().join("functions/checker/lambda_function.py");
    run_tool(
        Command::new(&py)
            .arg(common::repo_root().join("tests/functions/test_checker.py"))
            .env("ZTC_CHECKER", &source)
            .env_remove("AWS_PROFILE")
            .current_dir(common::repo_root()),
        "tests/functions/test_checker.py",
    );
}

fn node() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("node"))
        .find(|p| p.is_file())
}

#[test]
fn the_generated_rotation_function_parses_and_passes_its_tests() {
    let Some(node) = node() else {
        return common::tool_missing("node", "`node` is not on PATH");
    };
    let source = out_dir().join("functions/rotate/index.mjs");
    run_tool(
        Command::new(&node).arg("--check").arg(&source),
        "node --check index.mjs",
    );
    run_tool(
        Command::new(&node)
            .arg("--test")
            .arg(common::repo_root().join("tests/functions/test_rotation.mjs"))
            .env("ZTC_ROTATION", &source),
        "node --test tests/functions/test_rotation.mjs",
    );
}

// ---- lowering of variants ----------------------------------------------------------------------

const BASE: &str = r#"ztc: 1
metadata: {name: variant}
region: us-east-1
compliance: {profiles: [zero-trust]}
tags:
  required: {CostCenter: cc-1, DataClassification: Internal, ComplianceScope: none}
keys:
  fn: {}
"#;

fn variant(extra: &str) -> Compiled {
    compile_text("variant.yaml", &format!("{BASE}{extra}"))
}

fn errors(c: &Compiled) -> Vec<String> {
    c.diagnostics
        .iter()
        .filter(|d| d.is_blocking())
        .map(|d| format!("{} {}", d.code, d.message))
        .collect()
}

#[test]
fn a_key_used_only_by_functions_lets_cloudwatch_logs_encrypt() {
    let c = variant(
        r#"buckets:
  reports: {key: keys.fn}
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    environment: {REPORTS_BUCKET: buckets.reports}
    vpc: {none: read-only scanner}
    key: keys.fn
"#,
    );
    let m = c
        .module
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", errors(&c)));
    let key = m
        .resources
        .iter()
        .find(|b| b.addr.tf() == "aws_kms_key.fn")
        .unwrap();
    let policy = ztc::emit::hcl::expr_to_string(key.body.get_attr("policy").unwrap());
    assert!(policy.contains("AllowCloudWatchLogs"), "{policy}");
    assert!(policy.contains("logs.us-east-1.amazonaws.com"), "{policy}");
    assert_eq!(policy.matches("AllowCloudWatchLogs").count(), 1);
}

#[test]
fn a_function_in_the_vpc_needs_a_network() {
    let c = variant(
        r#"functions:
  rotate:
    runtime: nodejs22.x
    source: secrets-rotation
    vpc: {tiers: [private], security_group: lambda}
    key: keys.fn
"#,
    );
    let e = errors(&c);
    assert!(
        e.iter()
            .any(|m| m.starts_with("ZT0030") && m.contains("no `network`")),
        "{e:?}"
    );
}

#[test]
fn unknown_references_are_errors() {
    let c = variant(
        r#"functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    environment: {REPORTS_BUCKET: buckets.nope, OTHER: secrets.nope}
    vpc: {none: read-only scanner}
    key: keys.nope
    policies: [nope]
secrets:
  db:
    source: create
    rotation: {days: 30, function: functions.nope}
"#,
    );
    let e = errors(&c);
    for wanted in [
        "`buckets.nope`",
        "`secrets.nope`",
        "`keys.nope`",
        "`iam.policies.nope`",
        "`functions.nope`",
    ] {
        assert!(e.iter().any(|m| m.contains(wanted)), "{wanted}: {e:?}");
    }
}

#[test]
fn persistent_stacks_keep_deleted_secrets_recoverable() {
    let c = variant(
        r#"secrets:
  api:
    source: create
    key: keys.fn
    rotation: {none: "static API token issued by a partner"}
"#,
    );
    let c2 = compile_text(
        "variant.yaml",
        &format!("{BASE}secrets:\n  api:\n    source: create\n    key: keys.fn\n").replace(
            "compliance: {profiles: [zero-trust]}",
            "compliance: {profiles: [zero-trust], lifecycle: persistent}",
        ),
    );
    let window = |c: &Compiled| {
        let m = c
            .module
            .as_ref()
            .unwrap_or_else(|| panic!("{:?}", errors(c)));
        m.resources
            .iter()
            .find(|b| b.addr.tf() == "aws_secretsmanager_secret.api")
            .and_then(|b| b.body.get_attr("recovery_window_in_days").cloned())
    };
    assert_eq!(window(&c), Some(ztc::ir::Expr::Int(0)));
    assert_eq!(window(&c2), Some(ztc::ir::Expr::Int(30)));
    // no generate: no version, no password data source
    let m = c.module.as_ref().unwrap();
    assert!(m
        .blocks()
        .all(|b| b.addr.ty != "aws_secretsmanager_secret_version"
            && b.addr.ty != "aws_secretsmanager_random_password"));
}

#[test]
fn a_rotation_function_with_a_database_asks_for_pg() {
    let c = variant(
        r#"functions:
  rotate:
    runtime: nodejs22.x
    source: secrets-rotation
    environment: {DB_HOST: db.internal}
    vpc: {none: test}
    key: keys.fn
"#,
    );
    let m = c
        .module
        .as_ref()
        .unwrap_or_else(|| panic!("{:?}", errors(&c)));
    assert!(
        m.notes.iter().any(|n| n.starts_with("Manual step:")
            && n.contains("`pg`")
            && n.contains("functions/rotate.zip")),
        "{:?}",
        m.notes
    );
}
