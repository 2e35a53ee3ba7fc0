//! Agreement with checkov, rule by rule. Each ztc rule that has checkov counterparts gets a small
//! spec that breaks it; with the finding waived, ztc still generates the code, and checkov must
//! fail exactly the counterpart checks on exactly the resources generated from the offending
//! element, beyond what it reports on the same spec without the violation. Without the waiver ztc
//! reports the rule at the line that was changed. So a scanner finding on generated code is one
//! ztc already reported on the spec, and ztc reports nothing the scanner would not.
//!
//! `tests/specs.rs` keeps the shipped specs' HCL free of unwaived checkov failures and
//! `tests/tfjson.rs` the payment stack's Terraform JSON; here the Terraform JSON of every shipped
//! spec: each failure is a check the spec waived on that very resource (JSON has no skip comments).

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use serde_json::Value;
use ztc::compile::{compile, Options};
use ztc::emit::{emit, Target};

/// A spec with no finding of any of the rules below under any profile. Its web port is 8443, not
/// 22: checkov 3.3 fails CKV_AWS_24 on an SSH rule whose source is a security group (no CIDR at
/// all), which ztc rightly accepts.
const BASE: &str = r#"ztc: 1
metadata: {name: agreement}
region: us-east-1
tags:
  required:
    CostCenter: cc-1234
    DataClassification: Confidential
    ComplianceScope: PCI-DSS
network:
  name: fx-vpc
  cidr: 10.0.0.0/16
  tiers:
    private: {prefix: 24}
  security_groups:
    client:
      description: Clients of the web tier
    web:
      description: Web tier
      ingress:
        - {protocol: tcp, port: 8443, from: security_groups.client, description: TLS from the clients}
  nacls:
    private:
      tiers: [private]
      rules:
        - {number: 100, direction: ingress, action: allow, protocol: tcp, cidr: vpc, port: 22}
        - {number: 200, direction: ingress, action: deny, protocol: all, cidr: 0.0.0.0/0}
  flow_logs:
    - {destination: logs.vpc-flow}
keys:
  logs: {description: logs, usage: [logs]}
  s3: {description: s3, usage: [s3]}
buckets:
  data: {key: keys.s3}
logs:
  defaults: {retention: 1y, key: keys.logs}
  groups:
    vpc-flow: {}
iam:
  policies:
    reader:
      description: read
      statements:
        - {sid: Read, actions: ["s3:GetObject"], resources: [buckets.data]}
"#;

/// One rule and its checkov counterparts.
struct Case {
    /// ztc rule slug.
    rule: &'static str,
    code: &'static str,
    /// Text replacements that break the rule (each must apply).
    edits: &'static [(&'static str, &'static str)],
    /// Text on each spec line ztc reports the rule at.
    at: &'static [&'static str],
    /// (checkov check id, resource address) that fail because of the violation, and only those.
    checkov: &'static [(&'static str, &'static str)],
}

const CASES: &[Case] = &[
    Case {
        rule: "open-ingress",
        code: "ZT0104",
        edits: &[
            (
                "{protocol: tcp, port: 8443, from: security_groups.client, description: TLS from the clients}",
                "{protocol: tcp, port: 22, from: 0.0.0.0/0, description: SSH from anywhere}",
            ),
            (
                "action: allow, protocol: tcp, cidr: vpc, port: 22}",
                "action: allow, protocol: tcp, cidr: 0.0.0.0/0, port: 22}",
            ),
        ],
        at: &["from: 0.0.0.0/0", "cidr: 0.0.0.0/0, port: 22"],
        checkov: &[
            (
                "CKV_AWS_24",
                "aws_vpc_security_group_ingress_rule.web_ingress_1",
            ),
            ("CKV_AWS_232", "aws_network_acl_rule.private_in_100"),
        ],
    },
    Case {
        rule: "kms-rotation",
        code: "ZT0108",
        edits: &[(
            "s3: {description: s3, usage: [s3]}",
            "s3: {description: s3, usage: [s3], rotation: {enabled: false}}",
        )],
        at: &["rotation: {enabled: false}"],
        checkov: &[("CKV_AWS_7", "aws_kms_key.s3")],
    },
    Case {
        rule: "log-retention",
        code: "ZT0106",
        edits: &[("retention: 1y", "retention: 90d")],
        at: &["retention: 90d"],
        checkov: &[("CKV_AWS_338", "aws_cloudwatch_log_group.vpc_flow")],
    },
    Case {
        rule: "s3-public-access",
        code: "ZT0109",
        edits: &[(
            "data: {key: keys.s3}",
            "data: {key: keys.s3, block_public_access: false}",
        )],
        at: &["block_public_access: false"],
        checkov: &[
            ("CKV2_AWS_6", "aws_s3_bucket.data"),
            ("CKV_AWS_53", "aws_s3_bucket_public_access_block.data"),
            ("CKV_AWS_54", "aws_s3_bucket_public_access_block.data"),
            ("CKV_AWS_55", "aws_s3_bucket_public_access_block.data"),
            ("CKV_AWS_56", "aws_s3_bucket_public_access_block.data"),
        ],
    },
    Case {
        rule: "flow-logs",
        code: "ZT0114",
        edits: &[("  flow_logs:\n    - {destination: logs.vpc-flow}\n", "")],
        at: &["network:"],
        checkov: &[("CKV2_AWS_11", "aws_vpc.fx_vpc")],
    },
    Case {
        rule: "iam-wildcard",
        code: "ZT0105",
        edits: &[(
            r#"actions: ["s3:GetObject"], resources: [buckets.data]"#,
            r#"actions: ["*"], resources: ["*"]"#,
        )],
        at: &[r#"actions: ["*"]"#],
        checkov: &[
            ("CKV2_AWS_40", "aws_iam_policy.reader"),
            ("CKV_AWS_62", "aws_iam_policy.reader"),
            ("CKV_AWS_63", "aws_iam_policy.reader"),
            ("CKV_AWS_286", "aws_iam_policy.reader"),
            ("CKV_AWS_287", "aws_iam_policy.reader"),
            ("CKV_AWS_288", "aws_iam_policy.reader"),
            ("CKV_AWS_289", "aws_iam_policy.reader"),
            ("CKV_AWS_290", "aws_iam_policy.reader"),
            ("CKV_AWS_355", "aws_iam_policy.reader"),
        ],
    },
];

fn broken(case: &Case) -> String {
    let mut text = BASE.to_string();
    for (from, to) in case.edits {
        assert!(
            text.contains(from),
            "{}: {from:?} not in the base spec",
            case.rule
        );
        text = text.replacen(from, to, 1);
    }
    text
}

/// The first profile that selects the rule and lets it be waived (some packs never waive some
/// rules): the one the rule's spec is compiled under.
fn profile_for(rule: &str) -> &'static str {
    use ztc::spec::Profile;
    let meta = ztc::policy::find(rule)
        .unwrap_or_else(|| panic!("no rule {rule}"))
        .meta();
    [Profile::PciDssV4, Profile::ZeroTrust, Profile::Soc2]
        .into_iter()
        .find(|p| meta.selected_by(&[*p]) && meta.non_waivable_under(&[*p]).is_empty())
        .map(ztc::policy::packs::profile_id)
        .unwrap_or_else(|| panic!("{rule} is waivable under no profile"))
}

/// The spec text with a `compliance` section: the profile, and a waiver of `waive` if given.
fn with_compliance(text: &str, profile: &str, waive: Option<&str>) -> String {
    let mut out = format!("{text}compliance:\n  profiles: [{profile}]\n");
    if let Some(rule) = waive {
        out.push_str(&format!(
            "  waivers:\n    - {{rule: {rule}, scope: '*', reason: accepted to compare the generated code with checkov}}\n"
        ));
    }
    out
}

/// Compile spec text (it must generate code) and write its HCL module to `dir`.
fn write_hcl(name: &str, text: &str, dir: &Path) {
    let c = compile(name, text.as_bytes(), &Options::default());
    let module = c.module.as_ref().unwrap_or_else(|| {
        panic!(
            "{name} must compile:\n{}",
            ztc::diag::render_plain(&c.diagnostics, &c.source, 100)
        )
    });
    for (p, bytes) in emit(module, Target::Hcl, &c.diagnostics) {
        let f = dir.join(p);
        fs::create_dir_all(f.parent().unwrap()).unwrap();
        fs::write(f, bytes).unwrap();
    }
}

#[test]
fn ztc_rules_and_their_checkov_counterparts_flag_the_same_violations() {
    let work = tempfile::tempdir().unwrap();
    for case in CASES {
        let profile = profile_for(case.rule);
        let base_text = with_compliance(BASE, profile, None);
        let base = compile("base.yaml", base_text.as_bytes(), &Options::default());
        assert!(
            !base.diagnostics.iter().any(|d| d.code == case.code),
            "the base spec already breaks {}",
            case.rule
        );
        // ztc flags the broken spec at the changed lines
        let text = with_compliance(&broken(case), profile, None);
        let c = compile(case.rule, text.as_bytes(), &Options::default());
        let lines: BTreeSet<String> = c
            .diagnostics
            .iter()
            .filter(|d| d.code == case.code)
            .filter_map(|d| d.span)
            .map(|s| {
                let (line, _) = c.source.line_col(s.start);
                text.lines().nth(line - 1).unwrap_or("").to_string()
            })
            .collect();
        for at in case.at {
            assert!(
                lines.iter().any(|l| l.contains(at)),
                "{}: no {} finding on a line with {at:?}; found on {lines:?}",
                case.rule,
                case.code
            );
        }
        write_hcl(
            case.rule,
            &with_compliance(&broken(case), profile, Some(case.rule)),
            &work.path().join(case.rule),
        );
        // the base module under each profile a case uses (profiles change no resource here)
        let base_dir = work.path().join(format!("base-{profile}"));
        if !base_dir.exists() {
            write_hcl("base.yaml", &base_text, &base_dir);
        }
    }

    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    // one checkov run over every module (a folder each)
    let report = common::checkov_report(work.path(), "terraform").unwrap();
    let failed = |folder: &str| -> BTreeSet<(String, String)> {
        report
            .failures
            .iter()
            .filter(|f| f.file.split('/').next() == Some(folder))
            .map(|f| (f.check_id.clone(), f.resource.clone()))
            .collect()
    };
    for case in CASES {
        let base_failures = failed(&format!("base-{}", profile_for(case.rule)));
        let expected: BTreeSet<(String, String)> = case
            .checkov
            .iter()
            .map(|(id, r)| (id.to_string(), r.to_string()))
            .collect();
        for (id, _) in &expected {
            assert!(
                !base_failures.iter().any(|(b, _)| b == id),
                "{}: checkov fails {id} on the base spec, which ztc finds clean",
                case.rule
            );
        }
        let new: BTreeSet<(String, String)> = failed(case.rule)
            .difference(&base_failures)
            .cloned()
            .collect();
        assert_eq!(
            new, expected,
            "{}: what checkov fails beyond the base spec is not the rule's counterpart set",
            case.rule
        );
    }
}

/// The Terraform JSON of every shipped spec: a checkov failure is a check the spec waived on the
/// block it names (recorded in the block's `"//".ztc.skips`, since JSON has no skip comments).
/// The block whose key opens on 1-based `line` of a `cdk.tf.json` (sorted keys, two spaces per
/// level): (`resource` or `data`, type, name).
fn block_at(text: &str, line: usize) -> Option<(&'static str, String, String)> {
    let (mut section, mut ty) = (None, String::new());
    for (i, l) in text.lines().enumerate().take(line) {
        let indent = l.len() - l.trim_start().len();
        let key = l
            .trim_start()
            .strip_suffix(": {")
            .and_then(|k| serde_json::from_str::<String>(k).ok());
        match (indent, key) {
            (2, Some(k)) => {
                section = match k.as_str() {
                    "resource" => Some("resource"),
                    "data" => Some("data"),
                    _ => None,
                }
            }
            (4, Some(k)) => ty = k,
            (6, Some(name)) if i + 1 == line => return section.map(|s| (s, ty, name)),
            _ => {}
        }
    }
    None
}

#[test]
fn every_spec_terraform_json_fails_only_waived_checks() {
    let work = tempfile::tempdir().unwrap();
    let specs = shipped_specs();
    let mut stacks = Vec::new();
    for spec in &specs {
        let rel = format!("specs/{spec}.yaml");
        let text = fs::read_to_string(common::repo_root().join(&rel)).unwrap();
        let c = compile(&rel, text.as_bytes(), &Options::default());
        let module = c.module.as_ref().expect("every shipped spec compiles");
        for (p, bytes) in emit(module, Target::Cdktf, &c.diagnostics) {
            if p.ends_with("cdk.tf.json") {
                let f = work.path().join(spec).join("cdk.tf.json");
                fs::create_dir_all(f.parent().unwrap()).unwrap();
                fs::write(&f, &bytes).unwrap();
                let text = String::from_utf8(bytes.clone()).unwrap();
                let doc: Value = serde_json::from_str(&text).unwrap();
                stacks.push((spec.clone(), text, doc));
            }
        }
    }
    assert_eq!(stacks.len(), specs.len());
    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    let report = common::checkov_report(work.path(), "terraform_json").unwrap();
    assert!(
        report.passed > 200,
        "checkov checked next to nothing: {report:?}"
    );
    // JSON carries no skip comments, so the checks the specs waive do show up as failures
    assert!(
        !report.failures.is_empty(),
        "no failure at all: the specs' waived checks were not scanned"
    );
    let mut unexpected = Vec::new();
    for f in &report.failures {
        let folder = f.file.split('/').next().unwrap_or("");
        let Some((_, text, doc)) = stacks.iter().find(|(s, _, _)| s == folder) else {
            unexpected.push(format!("{f} (not a stack of this run)"));
            continue;
        };
        // checkov names a JSON resource `resource.<name>`; the block opens on its first line
        let Some((section, ty, name)) = block_at(text, f.lines.0 as usize) else {
            unexpected.push(format!("{f} (no block opens on line {})", f.lines.0));
            continue;
        };
        if f.resource.rsplit('.').next() != Some(name.as_str()) {
            unexpected.push(format!("{f} (the block on that line is {ty}.{name})"));
            continue;
        }
        let skips = &doc[section][&ty][&name]["//"]["ztc"]["skips"];
        let waived = skips.as_array().into_iter().flatten().any(|s| {
            s["id"] == f.check_id.as_str() && s["reason"].as_str().is_some_and(|r| r.len() >= 10)
        });
        if !waived {
            unexpected.push(format!("{f} (its skips: {skips})"));
        }
    }
    assert!(
        unexpected.is_empty(),
        "checkov failures on Terraform JSON that no spec waived on that resource:\n{}",
        unexpected.join("\n")
    );
}

/// trivy on every spec × Terraform target. In HCL, every failure trivy reports once the
/// `#trivy:ignore` comments are taken out is a check the spec waived on that resource, and with
/// the comments in place nothing fails. In Terraform JSON (no comments), every failure is waived
/// on that resource, or trivy's JSON reader alone reports it: the same resource passes that check
/// in the HCL of the same module (HCL ≡ JSON is proven by tests/tfjson.rs).
#[test]
fn trivy_agrees_on_every_spec_and_target() {
    if common::trivy_bin().is_none() {
        return common::tool_missing("trivy", &common::trivy_missing_reason());
    }
    let specs = shipped_specs();
    let mut problems = Vec::new();
    let mut json_only = BTreeSet::new();
    for spec in &specs {
        let rel = format!("specs/{spec}.yaml");
        let text = fs::read_to_string(common::repo_root().join(&rel)).unwrap();
        let c = compile(&rel, text.as_bytes(), &Options::default());
        let module = c.module.as_ref().expect("every shipped spec compiles");
        let waived: BTreeSet<(String, String)> = module
            .resources
            .iter()
            .flat_map(|b| {
                b.skips
                    .iter()
                    .map(move |s| (s.id.clone(), format!("{}.{}", b.addr.ty, b.addr.name)))
            })
            .collect();
        let work = tempfile::tempdir().unwrap();
        let (hcl, raw, json) = (
            work.path().join("hcl"),
            work.path().join("raw"),
            work.path().join("json"),
        );
        for (dir, target) in [
            (&hcl, Target::Hcl),
            (&raw, Target::Hcl),
            (&json, Target::Cdktf),
        ] {
            for (p, bytes) in emit(module, target, &c.diagnostics) {
                let keep = p.ends_with(".tf") || p.ends_with("cdk.tf.json");
                if !keep {
                    continue;
                }
                let name = Path::new(&p).file_name().unwrap();
                let mut bytes = bytes;
                if dir == &raw {
                    let t = String::from_utf8(bytes).unwrap();
                    let stripped: Vec<&str> = t
                        .lines()
                        .filter(|l| !l.trim_start().starts_with("#trivy:ignore"))
                        .collect();
                    bytes = stripped.join("\n").into_bytes();
                }
                fs::create_dir_all(dir).unwrap();
                fs::write(dir.join(name), bytes).unwrap();
            }
        }
        let (passed, with_comments) = common::trivy_scan(&hcl).unwrap();
        assert!(
            passed > 30,
            "{spec}: trivy checked next to nothing ({passed})"
        );
        for f in &with_comments {
            problems.push(format!(
                "{spec} HCL: {} on {} is not ignored",
                f.id, f.resource
            ));
        }
        let (_, raw_failures) = common::trivy_scan(&raw).unwrap();
        let raw_set: BTreeSet<(String, String)> = raw_failures
            .iter()
            .map(|f| (f.id.clone(), f.resource.clone()))
            .collect();
        for (id, res) in &raw_set {
            if !waived.contains(&(id.clone(), res.clone())) {
                problems.push(format!(
                    "{spec} HCL: {id} fails on {res}, not waived in the spec"
                ));
            }
        }
        let (_, json_failures) = common::trivy_scan(&json).unwrap();
        for f in &json_failures {
            let key = (f.id.clone(), f.resource.clone());
            if waived.contains(&key) {
                continue;
            }
            if raw_set.contains(&key) {
                problems.push(format!(
                    "{spec} JSON: {} fails on {}, not waived",
                    f.id, f.resource
                ));
            } else {
                json_only.insert(format!("{} on {}", f.id, f.resource));
            }
        }
    }
    println!(
        "trivy: {} finding(s) only trivy's JSON reader reports (the HCL twin passes):",
        json_only.len()
    );
    for x in &json_only {
        println!("  {x}");
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

/// The names of the specs in `specs/` (`payment`, ...), sorted.
fn shipped_specs() -> Vec<String> {
    let mut specs: Vec<String> = fs::read_dir(common::repo_root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    specs.sort();
    specs
}
