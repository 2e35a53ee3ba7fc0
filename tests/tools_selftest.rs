//! Self-tests of the external-tool helpers in `tests/common`: each helper is run on tiny
//! hand-written inputs with a known verdict. A test whose tool is absent is a SKIP
//! (a failure with `ZTC_REQUIRE_TOOLS=1`).

mod common;

use std::fs;
use std::path::Path;

use common::ToolError;

const PROVIDER: &str = r#"terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

provider "aws" {
  region = "us-east-1"
}
"#;

fn module(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = tempfile::tempdir().expect("tempdir");
    for (name, body) in files {
        let p = d.path().join(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(p, body).expect("write");
    }
    d
}

fn has_tf_and_mirror(test: &str) -> bool {
    if common::terraform().is_none() {
        common::tool_missing(
            "terraform",
            &format!("{test}: {}", common::terraform_missing_reason()),
        );
        return false;
    }
    if common::provider_mirror().is_none() {
        common::tool_missing(
            "terraform provider mirror",
            &format!("{test}: {}", common::provider_mirror_missing_reason()),
        );
        return false;
    }
    true
}

#[test]
fn tools_dir_defaults_under_the_repo() {
    if std::env::var_os("ZTC_TOOLS").is_none() {
        assert_eq!(
            common::tools_dir(),
            Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools")
        );
    }
}

#[test]
fn hcl2json_parses_valid_hcl_and_rejects_broken_hcl() {
    let good = module(&[
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
        ("vars.tf", "variable \"n\" {\n  default = 3\n}\n"),
        ("ignored.txt", "not hcl {"),
    ]);
    let v = match common::hcl2json(good.path()) {
        Err(ToolError::Missing(why)) => return common::tool_missing("hcl2json", &why),
        r => r.unwrap_or_else(|e| panic!("valid HCL rejected: {e}")),
    };
    let obj = v.as_object().expect("one object keyed by file name");
    assert_eq!(
        obj.keys().collect::<Vec<_>>(),
        ["main.tf", "vars.tf"],
        "{v}"
    );
    assert_eq!(
        v.pointer("/main.tf/resource/aws_s3_bucket/b/0/bucket"),
        Some(&"x".into()),
        "{v:#}"
    );
    assert_eq!(
        v.pointer("/vars.tf/variable/n/0/default"),
        Some(&3.into()),
        "{v:#}"
    );

    let bad = module(&[
        ("ok.tf", "locals {\n  a = 1\n}\n"),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n",
        ),
    ]);
    match common::hcl2json(bad.path()) {
        Err(ToolError::Failed(msg)) => {
            assert!(msg.contains("main.tf"), "error should name the file: {msg}")
        }
        other => panic!("broken HCL must be a parse failure, got {other:?}"),
    }

    let empty = module(&[]);
    assert_eq!(
        common::hcl2json(empty.path()).expect("empty dir"),
        serde_json::json!({})
    );
}

#[test]
fn terraform_fmt_check_accepts_canonical_and_rejects_misformatted() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    let good = module(&[(
        "main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n  tags   = {}\n}\n",
    )]);
    common::terraform_fmt_check(good.path()).expect("canonical file must pass");

    let bad = module(&[
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
        (
            "sub/x.tf",
            "resource \"aws_s3_bucket\" \"b\" {\nbucket=\"x\"\n    tags = {}\n}\n",
        ),
    ]);
    let err = common::terraform_fmt_check(bad.path()).expect_err("misformatted file must fail");
    assert!(err.contains("x.tf"), "diff should name the file: {err}");
}

#[test]
fn terraform_validate_hcl_with_the_real_provider() {
    if !has_tf_and_mirror("terraform_validate") {
        return;
    }
    let good = module(&[
        ("versions.tf", PROVIDER),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"x\"\n}\n",
        ),
    ]);
    let v = common::terraform_validate(good.path())
        .unwrap_or_else(|e| panic!("valid module rejected: {e}"));
    assert_eq!(v["valid"], true);
    assert!(
        !good.path().join(".terraform").exists(),
        "the input dir must not be written"
    );

    let bad = module(&[
        ("versions.tf", PROVIDER),
        (
            "main.tf",
            "resource \"aws_s3_bucket\" \"b\" {\n  bucket      = \"x\"\n  not_an_argument = 1\n}\n",
        ),
    ]);
    let err = common::terraform_validate(bad.path()).expect_err("unknown argument must fail");
    assert!(
        err.contains("Unsupported argument") && err.contains("not_an_argument"),
        "{err}"
    );
}

#[test]
fn terraform_validate_terraform_json_with_the_real_provider() {
    if !has_tf_and_mirror("terraform_validate (json)") {
        return;
    }
    let json = |extra: &str| {
        format!(
            r#"{{
  "terraform": {{ "required_providers": {{ "aws": {{ "source": "hashicorp/aws", "version": "~> 5.0" }} }} }},
  "provider": {{ "aws": [ {{ "region": "us-east-1" }} ] }},
  "resource": {{ "aws_s3_bucket": {{ "b": {{ "bucket": "x"{extra} }} }} }}
}}"#
        )
    };
    let good = module(&[("main.tf.json", &json(""))]);
    common::terraform_validate(good.path())
        .unwrap_or_else(|e| panic!("valid JSON module rejected: {e}"));
    let bad = module(&[("main.tf.json", &json(r#", "not_an_argument": 1"#))]);
    let err = common::terraform_validate(bad.path()).expect_err("unknown argument must fail");
    assert!(err.contains("not_an_argument"), "{err}");
}

#[test]
fn checkov_flags_unencrypted_bucket_and_honours_skip_comment() {
    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    let d = module(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "plain" {
  bucket = "plain"
}

resource "aws_s3_bucket" "skipped" {
  #checkov:skip=CKV_AWS_18:reason
  bucket = "skipped"
}
"#,
    )]);
    let rep = common::checkov_report(d.path(), "terraform").unwrap_or_else(|e| panic!("{e}"));
    let has = |id: &str, res: &str| {
        rep.failures
            .iter()
            .any(|f| f.check_id == id && f.resource == res)
    };
    // CKV_AWS_145: "Ensure that S3 buckets are encrypted with KMS by default"
    assert!(
        has("CKV_AWS_145", "aws_s3_bucket.plain"),
        "{:#?}",
        rep.failures
    );
    // CKV_AWS_18 (access logging) fails on the plain bucket, is suppressed on the other
    assert!(
        has("CKV_AWS_18", "aws_s3_bucket.plain"),
        "{:#?}",
        rep.failures
    );
    assert!(
        !has("CKV_AWS_18", "aws_s3_bucket.skipped"),
        "{:#?}",
        rep.failures
    );
    assert_eq!(rep.skipped, 1);
    let f = rep
        .failures
        .iter()
        .find(|f| f.check_id == "CKV_AWS_145" && f.resource == "aws_s3_bucket.plain")
        .unwrap();
    assert_eq!((f.file.as_str(), f.lines), ("main.tf", (1, 3)));
    assert_eq!(common::checkov_skipped(d.path(), "terraform"), Ok(1));
    assert_eq!(
        common::checkov(d.path(), "terraform").map(|v| v.len()),
        Ok(rep.failures.len())
    );

    // parse errors are failures (checkov itself does not fail on them)
    let bad = module(&[(
        "main.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \n",
    )]);
    let err = common::checkov(bad.path(), "terraform").expect_err("parse error must be an Err");
    assert!(err.contains("parsing error"), "{err}");

    // Terraform JSON
    let j = module(&[(
        "main.tf.json",
        r#"{"resource": {"aws_s3_bucket": {"b": {"bucket": "x"}}}}"#,
    )]);
    let fails = common::checkov(j.path(), "terraform_json").unwrap_or_else(|e| panic!("{e}"));
    assert!(
        fails
            .iter()
            .any(|f| f.check_id == "CKV_AWS_145" && f.file == "main.tf.json"),
        "{fails:#?}"
    );

    // nothing to scan: a bare summary, no failure
    let empty = module(&[]);
    assert_eq!(common::checkov(empty.path(), "terraform"), Ok(vec![]));
}

#[test]
fn trivy_flags_bucket_without_logging_and_honours_ignore_comment() {
    if common::trivy_bin().is_none() {
        return common::tool_missing("trivy", &common::trivy_missing_reason());
    }
    let d = module(&[(
        "main.tf",
        r#"resource "aws_s3_bucket" "plain" {
  bucket = "plain"
}

#trivy:ignore:AVD-AWS-0089
resource "aws_s3_bucket" "ignored" {
  bucket = "ignored"
}
"#,
    )]);
    let (passed, failures) = common::trivy_scan(d.path()).unwrap_or_else(|e| panic!("{e}"));
    let has = |res: &str| {
        failures
            .iter()
            .any(|f| f.id == "AVD-AWS-0089" && f.resource == res)
    };
    // AVD-AWS-0089: S3 bucket logging (reported by trivy under the slug `s3-bucket-logging`)
    assert!(
        has("aws_s3_bucket.plain"),
        "{failures:#?} ({passed} passed)"
    );
    assert!(!has("aws_s3_bucket.ignored"), "{failures:#?}");
}
