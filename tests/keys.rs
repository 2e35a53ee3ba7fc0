//! Key policies: administrators are separated from users (S2-KMS-5), the deployer is named by its
//! role rather than its session (S3-KMS-3, C18), and unknown principals are diagnosed.

mod common;

use common::{build_hcl, build_spec};
use ztc::emit::{emit, Target};

/// The key policies of a spec as the text each target writes for them, per key.
fn key_policies(rel: &str, target: Target) -> Vec<(String, String)> {
    let built = build_spec(rel);
    let files = emit(built.module(), target, &built.compiled.diagnostics);
    let mut out = Vec::new();
    for (path, bytes) in files {
        let Ok(text) = String::from_utf8(bytes) else {
            continue; // function archives
        };
        match target {
            Target::Cdktf if path.ends_with("cdk.tf.json") => {
                let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
                for (name, key) in doc["resource"]["aws_kms_key"].as_object().unwrap() {
                    out.push((name.clone(), key["policy"].as_str().unwrap().to_string()));
                }
            }
            Target::Pulumi if path.ends_with("Pulumi.yaml") => {
                // each resource is a block at indentation 2 under `resources:`
                let mut blocks: Vec<(String, String)> = Vec::new();
                for line in text.lines() {
                    let top = line.starts_with("  ") && !line.starts_with("   ");
                    if top {
                        blocks.push((line.trim().trim_end_matches(':').to_string(), String::new()));
                    } else if let Some((_, body)) = blocks.last_mut() {
                        body.push_str(line);
                        body.push('\n');
                    }
                }
                out.extend(
                    blocks
                        .into_iter()
                        .filter(|(_, b)| b.contains("type: aws:kms/key:Key")),
                );
            }
            _ => {}
        }
    }
    assert!(!out.is_empty(), "{rel}: no key policies in {target:?}");
    out
}

/// The text of the statement with `sid`, from its Sid to the next statement.
fn statement<'a>(policy: &'a str, sid: &str) -> Option<&'a str> {
    let at = policy.find(sid)?;
    let rest = &policy[at + sid.len()..];
    let end = rest.find("Sid").unwrap_or(rest.len());
    Some(&rest[..end])
}

const DATA_ACTIONS: &[&str] = &[
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:ReEncrypt",
    "kms:*",
];

#[test]
fn administrators_get_administration_without_data_access() {
    for spec in ["specs/multi-account.yaml", "specs/three-tier.yaml"] {
        for target in [Target::Cdktf, Target::Pulumi] {
            for (key, policy) in key_policies(spec, target) {
                let admin = statement(&policy, "AllowKeyAdministration")
                    .unwrap_or_else(|| panic!("{spec} {target:?} {key}: no administration"));
                assert!(
                    admin.contains("aws_iam_session_context.current.issuer_arn")
                        || admin.contains("${data-iam_session_context-current}"),
                    "{spec} {target:?} {key}: the deployer is named by its role: {admin}"
                );
                for a in ["kms:ScheduleKeyDeletion", "kms:Put*", "kms:Enable*"] {
                    assert!(admin.contains(a), "{spec} {key}: {a} missing: {admin}");
                }
                for a in DATA_ACTIONS {
                    assert!(
                        !admin.contains(a),
                        "{spec} {key}: administration grants {a}"
                    );
                }
                // the account root keeps full access: no lockout
                assert!(
                    statement(&policy, "EnableAccountAdministration").is_some(),
                    "{spec} {target:?} {key}: root statement missing"
                );
            }
        }
    }
}

#[test]
fn session_context_resolves_the_deployer_once() {
    let built = build_spec("specs/three-tier.yaml");
    let ctx: Vec<_> = built
        .module()
        .data
        .iter()
        .filter(|b| b.addr.ty == "aws_iam_session_context")
        .collect();
    assert_eq!(ctx.len(), 1, "one session-context data source");
}

#[test]
fn unknown_administrator_is_an_error_with_a_suggestion() {
    let text = std::fs::read_to_string(common::repo_root().join("specs/three-tier.yaml")).unwrap();
    let bad = text.replacen("administrators: [deployer]", "administrators: [deployr]", 1);
    assert_ne!(bad, text);
    let compiled = ztc::compile::compile(
        "three-tier.yaml",
        bad.as_bytes(),
        &ztc::compile::Options::default(),
    );
    let rendered = ztc::diag::render_plain(&compiled.diagnostics, &compiled.source, 100);
    assert!(compiled.module.is_none(), "must not compile:\n{rendered}");
    assert!(rendered.contains("`deployr` is not a role"), "{rendered}");
    assert!(rendered.contains("did you mean `deployer`?"), "{rendered}");
    // the label is at the list item
    let line = bad
        .lines()
        .position(|l| l.contains("[deployr]"))
        .map(|i| i + 1)
        .unwrap();
    assert!(
        rendered.contains(&format!("three-tier.yaml:{line}:")),
        "{rendered}"
    );
}

#[test]
fn users_and_administrators_stay_in_separate_statements() {
    let text = std::fs::read_to_string(common::repo_root().join("specs/three-tier.yaml")).unwrap();
    let function = text
        .lines()
        .skip_while(|l| !l.starts_with("functions:"))
        .nth(1)
        .map(|l| l.trim().trim_end_matches(':').to_string())
        .expect("three-tier.yaml has a function");
    let with_user = text.replacen(
        "administrators: [deployer]",
        &format!("administrators: [deployer], users: [functions.{function}]"),
        1,
    );
    let built = build_hcl("three-tier.yaml", &with_user);
    let files = emit(built.module(), Target::Cdktf, &built.compiled.diagnostics);
    let (_, json) = files
        .iter()
        .find(|(p, _)| p.ends_with("cdk.tf.json"))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
    let policy = doc["resource"]["aws_kms_key"]["kms_app_encryption"]["policy"]
        .as_str()
        .unwrap();
    let usage = statement(policy, "AllowUseByNamedRoles").expect("usage statement");
    assert!(usage.contains("kms:Decrypt") && !usage.contains("kms:ScheduleKeyDeletion"));
    let role = format!("aws_iam_role.{}_function.arn", function.replace('-', "_"));
    assert!(usage.contains(&role), "{usage}");
    let admin = statement(policy, "AllowKeyAdministration").expect("admin statement");
    assert!(!admin.contains("aws_iam_role."), "{admin}");
}
