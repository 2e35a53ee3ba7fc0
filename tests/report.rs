//! `ztc report`: the PCI DSS evidence report. Its JSON is checked against the spec text and the
//! generated code of every target (each reported line holds the element or resource it names),
//! its Markdown and HTML against the JSON, and the HTML is rendered by headless Chromium (Debian
//! package `chromium`; `ZTC_CHROMIUM` names another binary): every requirement row is in the
//! rendered DOM, nothing is logged to the console (script errors, blocked loads), and hostile
//! spec text stays text.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const SPECS: [&str; 5] = [
    "specs/payment.yaml",
    "specs/data-processing.yaml",
    "specs/multi-account.yaml",
    "specs/three-tier.yaml",
    "specs/privatelink-abac.yaml",
];

use common::{repo_root as root, ztc};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// `ztc report SPEC --format json`, exit 0, parsed.
fn report_json(spec: &str) -> Value {
    let o = ztc(&["report", spec, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{spec}: not JSON: {e}"))
}

fn requirement<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("requirement {id} missing"))
}

/// 1-based number of the first line of `text` containing `needle` (after `after` if given).
/// The check of `code` in a requirement of the report.
fn check_of<'a>(req: &'a Value, code: &str) -> &'a Value {
    req["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap_or_else(|| panic!("{} has no check {code}", req["id"]))
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .map(|i| i + 1)
        .unwrap_or_else(|| panic!("no line contains {needle:?}"))
}

fn line(text: &str, n: usize) -> &str {
    text.lines().nth(n - 1).unwrap_or("")
}

/// `ztc build SPEC --target all` into a temporary directory.
fn build_all(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = ztc(&[
        "build",
        spec,
        "--target",
        "all",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
    dir
}

// ------------------------------------------------------------------------------------------------
// JSON
// ------------------------------------------------------------------------------------------------

#[test]
fn payment_10_5_1_is_met_by_the_log_retention_elements_in_every_target() {
    let spec_text = fs::read_to_string(root().join("specs/payment.yaml")).unwrap();
    let report = report_json("specs/payment.yaml");
    assert_eq!(report["standard"], "PCI DSS v4.0.1");
    assert_eq!(report["spec"]["file"], "specs/payment.yaml");
    assert_eq!(report["spec"]["name"], "zero-trust-payments");
    assert_eq!(report["generated"], true);

    let r = requirement(&report, "10.5.1");
    assert!(r["title"].as_str().unwrap().contains("12 months"), "{r}");
    let evidence = r["evidence"].as_array().unwrap();
    let defaults = line_of(&spec_text, "defaults: {retention: 7y");
    let column = line(&spec_text, defaults).find("7y").unwrap() + 1;
    let built = build_all("specs/payment.yaml");
    let out = built.path().join("out");
    for group in ["nfw-flow", "nfw-alert", "trail", "vpc-flow"] {
        let element = format!("logs.groups.{group}");
        let e = evidence
            .iter()
            .find(|e| e["element"] == element.as_str())
            .unwrap_or_else(|| panic!("{element} is not evidence of 10.5.1: {r}"));
        // the group takes its retention from logs.defaults: that is the line that meets 10.5.1
        assert_eq!(e["pointer"], "/logs/defaults/retention");
        assert_eq!(e["line"], defaults, "{e}");
        assert_eq!(e["column"], column, "{e}");
        assert_eq!(e["location"], format!("specs/payment.yaml:{defaults}"));
        assert_eq!(e["written"], "7y");
        assert_eq!(e["defaulted"], false);
        assert_eq!(
            e["element_line"],
            line_of(&spec_text, &format!("    {group}: {{}}"))
        );
        let res = e["resources"].as_array().unwrap();
        assert_eq!(res.len(), 1, "{e}");
        let name = group.replace('-', "_");
        let x = &res[0];
        assert_eq!(
            x["address"],
            format!("aws_cloudwatch_log_group.{name}"),
            "{e}"
        );
        assert_eq!(x["attributes"][0]["name"], "retention_in_days");
        assert_eq!(x["attributes"][0]["value"], "2557");
        // HCL: the block's first line
        assert_eq!(x["hcl"]["file"], "monitoring.tf");
        assert_eq!(x["hcl"]["id"], format!("aws_cloudwatch_log_group.{name}"));
        let hcl = fs::read_to_string(out.join("hcl/monitoring.tf")).unwrap();
        assert_eq!(
            line(&hcl, x["hcl"]["line"].as_u64().unwrap() as usize),
            format!("resource \"aws_cloudwatch_log_group\" \"{name}\" {{")
        );
        // CDKTF: the logical id in cdk.tf.json
        let stack = "cdktf.out/stacks/zero-trust-payments/cdk.tf.json";
        assert_eq!(x["cdktf"]["file"], stack);
        assert_eq!(x["cdktf"]["id"], name.as_str());
        assert_eq!(
            x["cdktf"]["path"],
            format!("resource.aws_cloudwatch_log_group.{name}")
        );
        let tfjson = fs::read_to_string(out.join("cdktf").join(stack)).unwrap();
        assert_eq!(
            line(&tfjson, x["cdktf"]["line"].as_u64().unwrap() as usize),
            format!("      \"{name}\": {{")
        );
        let doc: Value = serde_json::from_str(&tfjson).unwrap();
        assert!(doc["resource"]["aws_cloudwatch_log_group"][&name].is_object());
        // Pulumi: the resource name in Pulumi.yaml
        let pname = format!("cloudwatch_log_group-{name}");
        assert_eq!(x["pulumi"]["file"], "Pulumi.yaml");
        assert_eq!(x["pulumi"]["id"], pname.as_str());
        assert_eq!(x["pulumi"]["type"], "aws:cloudwatch/logGroup:LogGroup");
        let pulumi = fs::read_to_string(out.join("pulumi/Pulumi.yaml")).unwrap();
        let at = x["pulumi"]["line"].as_u64().unwrap() as usize;
        assert_eq!(line(&pulumi, at), format!("  {pname}:"));
        assert_eq!(
            line(&pulumi, at + 1),
            "    type: aws:cloudwatch/logGroup:LogGroup"
        );
    }
    // the Object Lock retention of the audit bucket, at its own line
    let lock = evidence
        .iter()
        .find(|e| e["element"] == "buckets.audit-logs.object_lock")
        .unwrap_or_else(|| panic!("object lock is not evidence of 10.5.1: {r}"));
    let lock_line = line_of(&spec_text, "object_lock: {mode: GOVERNANCE, retention: 7y}");
    assert_eq!(lock["line"], lock_line);
    assert_eq!(lock["pointer"], "/buckets/audit-logs/object_lock/retention");
    assert_eq!(
        lock["resources"][0]["address"],
        "aws_s3_bucket_object_lock_configuration.audit_logs"
    );
    // the checks of 10.5.1: log-retention passes; the locked bucket's destroyable key warns
    let checks = r["checks"].as_array().unwrap();
    let outcome = |code: &str| {
        checks
            .iter()
            .find(|c| c["code"] == code)
            .map(|c| c["outcome"].as_str().unwrap().to_string())
    };
    assert_eq!(outcome("ZT0106").as_deref(), Some("pass"));
    assert_eq!(outcome("ZT0118").as_deref(), Some("warning"));
    assert_eq!(r["status"], "warning");
}

#[test]
fn a_waived_finding_is_reported_as_waived_with_its_waiver() {
    let spec_text = fs::read_to_string(root().join("specs/payment.yaml")).unwrap();
    let report = report_json("specs/payment.yaml");
    let r = requirement(&report, "3.6.1");
    assert_eq!(r["status"], "waived", "{r}");
    let check = check_of(r, "ZT0113");
    assert_eq!(check["slug"], "kms-key-without-consumer");
    assert_eq!(check["outcome"], "waived");
    let f = &check["findings"][0];
    assert_eq!(f["scope"], "keys.rds");
    assert_eq!(f["line"], line_of(&spec_text, "  rds: {"));
    let w = &f["waived"];
    assert!(w["reason"]
        .as_str()
        .unwrap()
        .starts_with("The seed asks for a dedicated RDS key"));
    assert_eq!(
        w["line"],
        line_of(&spec_text, "rule: kms-key-without-consumer")
    );
    assert!(w["owner"].is_null() && w["expires"].is_null(), "{w}");

    // the waiver list: every waiver of the spec, in spec order, with what it covers
    let waivers = report["waivers"].as_array().unwrap();
    let rules: Vec<&str> = spec_text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- rule: "))
        .collect();
    assert_eq!(
        waivers
            .iter()
            .map(|w| w["rule"].as_str().unwrap())
            .collect::<Vec<_>>(),
        rules
    );
    let kms = &waivers[0];
    assert_eq!(kms["kind"], "ztc rule");
    assert_eq!(kms["status"], "active");
    assert!(kms["covers"][0]
        .as_str()
        .unwrap()
        .starts_with("ZT0113 keys.rds"));
    let access_logs = waivers.iter().find(|w| w["rule"] == "CKV_AWS_18").unwrap();
    assert_eq!(access_logs["kind"], "scanner check");
    assert_eq!(
        access_logs["covers"],
        serde_json::json!(["aws_s3_bucket.access_logs"])
    );
}

/// A copy of payment.yaml whose first waiver has an owner and an expiry date.
fn payment_with_waiver(dir: &Path, expires: &str) -> PathBuf {
    let text = fs::read_to_string(root().join("specs/payment.yaml")).unwrap();
    let from = "      scope: keys.rds\n";
    assert!(text.contains(from));
    let text = text.replacen(
        from,
        &format!("      scope: keys.rds\n      owner: Jane <Risk> & Co | PCI\n      expires: {expires}\n"),
        1,
    );
    let path = dir.join("payment.yaml");
    fs::write(&path, text).unwrap();
    path
}

#[test]
fn owner_and_expiry_of_a_waiver_reach_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let spec = payment_with_waiver(dir.path(), "2999-12-31");
    let spec = spec.to_str().unwrap();
    let report = report_json(spec);
    let f = &check_of(requirement(&report, "3.6.1"), "ZT0113")["findings"][0];
    assert_eq!(f["waived"]["owner"], "Jane <Risk> & Co | PCI");
    assert_eq!(f["waived"]["expires"], "2999-12-31");
    assert_eq!(report["waivers"][0]["owner"], "Jane <Risk> & Co | PCI");
    assert_eq!(report["waivers"][0]["expires"], "2999-12-31");

    let md = String::from_utf8(ztc(&["report", spec, "--format", "md"]).stdout).unwrap();
    assert!(
        md.contains("(owner: Jane &lt;Risk&gt; &amp; Co \\| PCI; expires: 2999-12-31)"),
        "{md}"
    );
    let html = String::from_utf8(ztc(&["report", spec, "--format", "html"]).stdout).unwrap();
    assert!(
        html.contains("(owner: Jane &lt;Risk&gt; &amp; Co | PCI; expires: 2999-12-31)"),
        "owner not in the HTML"
    );
}

#[test]
fn an_expired_waiver_exits_1_and_the_report_shows_the_finding_unwaived() {
    let dir = tempfile::tempdir().unwrap();
    let spec = payment_with_waiver(dir.path(), "2001-01-01");
    let out = dir.path().join("evidence.json");
    let o = ztc(&[
        "report",
        spec.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("expired"), "{}", stderr(&o));
    let report: Value = serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["generated"], false);
    assert_eq!(report["waivers"][0]["status"], "expired");
    let r = requirement(&report, "3.6.1");
    assert_eq!(r["status"], "warning", "{r}");
    let check = check_of(r, "ZT0113");
    assert_eq!(check["outcome"], "warning");
    assert!(check["findings"][0]["waived"].is_null());
    // no code is generated from a spec with errors, so no resources are claimed
    assert!(report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["evidence"].as_array().unwrap())
        .all(|e| e["resources"].as_array().unwrap().is_empty()));
    assert!(report["notes"][0]
        .as_str()
        .unwrap()
        .contains("unwaived errors"));
}

#[test]
fn an_unwaived_rule_error_fails_its_requirements() {
    let spec = "tests/fixtures/rules/err_open-ingress.yaml";
    let o = ztc(&["report", spec, "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    for id in ["1.3.1", "1.4.1"] {
        let r = requirement(&report, id);
        assert_eq!(r["status"], "fail", "{r}");
        let check = check_of(r, "ZT0104");
        assert_eq!(check["outcome"], "fail");
        assert!(!check["findings"].as_array().unwrap().is_empty());
    }
    assert!(report["summary"]["fail"].as_u64().unwrap() >= 2);
}

/// For every spec: each evidence line holds what it names, and each resource line in every target
/// is that resource's declaration.
#[test]
fn every_reported_line_of_every_spec_points_at_what_it_names() {
    for spec in SPECS {
        let spec_text = fs::read_to_string(root().join(spec)).unwrap();
        let report = report_json(spec);
        let stack = report["spec"]["name"].as_str().unwrap().to_string();
        let built = build_all(spec);
        let out = built.path().join("out");
        let read = |p: PathBuf| fs::read_to_string(&p).unwrap_or_else(|e| panic!("{p:?}: {e}"));
        let pulumi = read(out.join("pulumi/Pulumi.yaml"));
        let tfjson = read(out.join(format!("cdktf/cdktf.out/stacks/{stack}/cdk.tf.json")));
        let mut resources = 0;
        for r in report["requirements"].as_array().unwrap() {
            assert!(
                ["pass", "fail", "warning", "waived", "not-evidenced"]
                    .contains(&r["status"].as_str().unwrap()),
                "{r}"
            );
            for e in r["evidence"].as_array().unwrap() {
                let at = e["line"].as_u64().unwrap() as usize;
                let text = line(&spec_text, at);
                if let Some(w) = e["written"].as_str() {
                    let col = e["column"].as_u64().unwrap() as usize;
                    let from: String = text.chars().skip(col - 1).collect();
                    assert!(
                        from.starts_with(w.trim_end_matches('…')),
                        "{spec}:{at}: {w:?} is not at column {col} of {text:?}"
                    );
                }
                let last = e["element"].as_str().unwrap().rsplit('.').next().unwrap();
                let element_line = line(&spec_text, e["element_line"].as_u64().unwrap() as usize);
                assert!(
                    last.parse::<usize>().is_ok() || element_line.contains(last),
                    "{spec}: element {} is not on line {:?}",
                    e["element"],
                    element_line
                );
                for x in e["resources"].as_array().unwrap() {
                    resources += 1;
                    let address = x["address"].as_str().unwrap();
                    let (kind, ty, name) = match address.strip_prefix("data.") {
                        Some(rest) => {
                            let (t, n) = rest.split_once('.').unwrap();
                            ("data", t, n)
                        }
                        None => {
                            let (t, n) = address.split_once('.').unwrap();
                            ("resource", t, n)
                        }
                    };
                    let hcl = read(out.join("hcl").join(x["hcl"]["file"].as_str().unwrap()));
                    assert_eq!(
                        line(&hcl, x["hcl"]["line"].as_u64().unwrap() as usize),
                        format!("{kind} \"{ty}\" \"{name}\" {{"),
                        "{spec}: {address} in HCL"
                    );
                    assert_eq!(
                        line(&tfjson, x["cdktf"]["line"].as_u64().unwrap() as usize),
                        format!("      \"{name}\": {{"),
                        "{spec}: {address} in cdk.tf.json"
                    );
                    assert_eq!(x["cdktf"]["path"], format!("{kind}.{ty}.{name}"));
                    if let Some(l) = x["pulumi"]["line"].as_u64() {
                        let id = x["pulumi"]["id"].as_str().unwrap();
                        assert_eq!(
                            line(&pulumi, l as usize),
                            format!("  {id}:"),
                            "{spec}: {address} in Pulumi.yaml"
                        );
                    }
                }
            }
        }
        assert!(resources > 20, "{spec}: only {resources} resources cited");
    }
}

#[test]
fn every_requirement_a_rule_references_is_reported() {
    let report = report_json("specs/data-processing.yaml");
    let ids: Vec<&str> = report["requirements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for rule in ztc::policy::registry() {
        for p in rule.meta().pci {
            assert!(
                ids.contains(p),
                "{} references {p}, not reported",
                rule.meta().code
            );
            let r = requirement(&report, p);
            let listed = r["checks"]
                .as_array()
                .unwrap()
                .iter()
                .any(|c| c["code"] == rule.meta().code);
            // data-processing selects pci-dss-v4 only: a rule outside that pack did not run
            let ran = rule.meta().selected_by(&[ztc::spec::Profile::PciDssV4]);
            assert_eq!(listed, ran, "{p} and {}", rule.meta().code);
        }
    }
    let mut sorted = ids.clone();
    sorted.sort_by(|a, b| ztc::evidence::requirement_order(a, b));
    assert_eq!(ids, sorted, "requirements in numeric order");
    let n = report["requirements"].as_array().unwrap().len() as u64;
    let s = &report["summary"];
    let counted: u64 = ["pass", "fail", "warning", "waived", "not-evidenced"]
        .iter()
        .map(|k| s[k].as_u64().unwrap())
        .sum();
    assert_eq!((s["requirements"].as_u64().unwrap(), counted), (n, n));
}

/// The payment spec with `profiles: [soc2]` only.
fn soc2_only_payment(dir: &Path) -> PathBuf {
    let text = fs::read_to_string(root().join("specs/payment.yaml")).unwrap();
    let from = "  profiles: [pci-dss-v4, soc2]\n";
    assert!(text.contains(from));
    let spec = dir.join("soc2.yaml");
    fs::write(&spec, text.replacen(from, "  profiles: [soc2]\n", 1)).unwrap();
    spec
}

/// Under another profile than pci-dss-v4, only the rules its pack selects ran, and only those are
/// listed as checks (a rule that did not run is not reported as passing); the report says so.
#[test]
fn checks_are_the_rules_the_spec_profiles_select() {
    let dir = tempfile::tempdir().unwrap();
    let spec = soc2_only_payment(dir.path());
    let o = ztc(&[
        "report",
        spec.to_str().unwrap(),
        "--format",
        "json",
        "--standard",
        "pci-dss-v4",
    ]);
    let report: Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stderr(&o)));
    assert!(report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("`pci-dss-v4`")));
    let soc2 = [ztc::spec::Profile::Soc2];
    let mut listed = 0;
    let mut absent = 0;
    for rule in ztc::policy::registry() {
        let m = rule.meta();
        for p in m.pci {
            let shown = requirement(&report, p)["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["code"] == m.code)
                .cloned();
            match (m.selected_by(&soc2), shown) {
                (true, Some(c)) => {
                    listed += 1;
                    let pack = m.pack(ztc::spec::Profile::Soc2).unwrap();
                    assert_eq!(c["enforcement"], serde_json::json!(pack.enforcement));
                }
                (false, None) => absent += 1,
                (selected, shown) => {
                    panic!(
                        "{} under soc2: selected {selected}, listed {shown:?}",
                        m.code
                    )
                }
            }
        }
    }
    assert!(listed > 0 && absent > 0, "listed {listed}, absent {absent}");
}

/// The SOC 2 and zero-trust reports: every criterion of the standard in catalogue order, each
/// check a rule whose pack for that profile references the criterion (and no other rule), its
/// findings those of the rule, and evidence drawn from the spec elements that meet the PCI DSS
/// requirements the criterion builds on.
#[test]
fn soc2_and_zero_trust_reports_list_their_criteria_and_the_rules_that_reference_them() {
    use ztc::spec::Profile;
    for (spec, standard, profile, ids) in [
        (
            "specs/payment.yaml",
            "soc2",
            Profile::Soc2,
            ztc::policy::packs::SOC2_CRITERIA
                .iter()
                .map(|c| c.id)
                .collect::<Vec<_>>(),
        ),
        (
            "specs/privatelink-abac.yaml",
            "zero-trust",
            Profile::ZeroTrust,
            ztc::policy::packs::ZERO_TRUST_BASELINE
                .iter()
                .map(|c| c.id)
                .collect(),
        ),
    ] {
        let o = ztc(&["report", spec, "--format", "json", "--standard", standard]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(report["profile"], standard);
        assert!(
            report["notes"].as_array().unwrap().is_empty(),
            "{spec} selects {standard}"
        );
        let reqs = report["requirements"].as_array().unwrap();
        let listed: Vec<&str> = reqs.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(
            &listed[..ids.len()],
            &ids[..],
            "{standard}: catalogue order"
        );
        for r in reqs {
            let id = r["id"].as_str().unwrap();
            assert!(r["title"].is_string(), "{standard} {id} has no title");
            let shown: Vec<&str> = r["checks"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["code"].as_str().unwrap())
                .collect();
            let expected: Vec<&str> = ztc::policy::registry()
                .iter()
                .map(|rule| rule.meta())
                .filter(|m| m.pack(profile).is_some_and(|p| p.controls.contains(&id)))
                .map(|m| m.code)
                .collect();
            assert_eq!(shown, expected, "{standard} {id}");
        }
        let n = reqs
            .iter()
            .filter(|r| !r["evidence"].as_array().unwrap().is_empty())
            .count();
        assert!(
            n * 2 > reqs.len(),
            "{standard}: only {n} of {} criteria have evidence",
            reqs.len()
        );
    }
    // boundary protection: the zone-reachability proof, the open-ingress rule and the network
    // elements that close the boundary
    let r = report_json_for("specs/payment.yaml", "soc2");
    let cc66 = requirement(&r, "CC6.6");
    let codes: Vec<&str> = cc66["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"ZT0140") && codes.contains(&"ZT0104"),
        "{codes:?}"
    );
    assert!(cc66["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["element"] == "network"));
    // a finding counts for every criterion its rule references: the key nothing uses (CC6.1)
    let waived: Vec<&Value> = requirement(&r, "CC6.1")["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["code"] == "ZT0113")
        .collect();
    assert_eq!(waived.len(), 1);
    assert_eq!(waived[0]["outcome"], "waived");
    // the Markdown title names the standard
    let o = ztc(&["report", "specs/payment.yaml", "--standard", "soc2"]);
    assert!(String::from_utf8_lossy(&o.stdout)
        .starts_with("# SOC 2 Trust Services Criteria evidence: "));
}

fn report_json_for(spec: &str, standard: &str) -> Value {
    let o = ztc(&["report", spec, "--format", "json", "--standard", standard]);
    assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// Without `--standard` a spec gets the PCI DSS report when it selects `pci-dss-v4`, else the
/// report of its first profile; asking for a standard the spec does not select says so.
#[test]
fn the_default_standard_follows_the_spec_profiles() {
    assert_eq!(report_json("specs/payment.yaml")["profile"], "pci-dss-v4");
    let dir = tempfile::tempdir().unwrap();
    let spec = soc2_only_payment(dir.path());
    let r = report_json(spec.to_str().unwrap());
    assert_eq!(r["profile"], "soc2");
    assert_eq!(r["standard"], "SOC 2 Trust Services Criteria");
    assert!(r["notes"].as_array().unwrap().is_empty());
    let r = report_json_for(spec.to_str().unwrap(), "zero-trust");
    assert!(r["notes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|n| n.as_str().unwrap().contains("`zero-trust`")));
}

// ------------------------------------------------------------------------------------------------
// Markdown, determinism, output file, exit codes
// ------------------------------------------------------------------------------------------------

#[test]
fn markdown_has_a_row_per_requirement_and_the_evidence_lines() {
    let o = ztc(&["report", "specs/payment.yaml", "--format", "md"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let md = String::from_utf8(o.stdout).unwrap();
    let report = report_json("specs/payment.yaml");
    assert!(
        md.starts_with("# PCI DSS v4.0.1 evidence: Zero-Trust Payment Processing Infrastructure\n")
    );
    for r in report["requirements"].as_array().unwrap() {
        let id = r["id"].as_str().unwrap();
        let anchor = id.replace('.', "-");
        let row = format!("| [{id}](#req-{anchor}) ");
        let summary_row = md
            .lines()
            .find(|l| l.starts_with(&row))
            .unwrap_or_else(|| panic!("no summary row for {id}"));
        assert!(
            summary_row.contains(&format!(" | {} | ", r["status"].as_str().unwrap())),
            "{summary_row}"
        );
        assert!(md.contains(&format!("<a id=\"req-{anchor}\"></a>\n### {id} ")));
    }
    let spec_text = fs::read_to_string(root().join("specs/payment.yaml")).unwrap();
    let defaults = line_of(&spec_text, "defaults: {retention: 7y");
    let section = &md[md.find("### 10.5.1 ").unwrap()..];
    let section = &section[..section[4..].find("### ").unwrap()];
    let row = section
        .lines()
        .find(|l| l.starts_with("| `logs.groups.vpc-flow` | "))
        .expect("vpc-flow evidence row of 10.5.1");
    assert!(
        row.contains(&format!("`specs/payment.yaml:{defaults}`")),
        "{row}"
    );
    assert!(
        row.contains("`aws_cloudwatch_log_group.vpc_flow` (`retention_in_days = 2557`)"),
        "{row}"
    );
    assert!(row.contains("`monitoring.tf:"), "{row}");
    assert!(
        row.contains("`cloudwatch_log_group-vpc_flow` (line "),
        "{row}"
    );
    assert!(md.contains("| kms-key-without-consumer | ztc rule | `keys.rds` | "));
    assert!(md.contains("waived at `specs/payment.yaml:"));

    // read by a CommonMark parser with GitHub's tables: every table row has the header's number of
    // cells, the spec paths and addresses are code spans, and the rules' own `code` stays code
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut widths: Vec<(usize, usize)> = Vec::new(); // (cells in the header, cells in the row)
    let mut cells = 0;
    let mut code: Vec<String> = Vec::new();
    let mut rows = 0;
    for ev in Parser::new_ext(&md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableHead) => widths.push((cells, cells)),
            Event::End(TagEnd::TableRow) => {
                rows += 1;
                let head = widths.last().expect("a row follows its header").0;
                assert_eq!(
                    cells, head,
                    "a table row has {cells} cells, its header {head}"
                );
            }
            Event::Code(c) => code.push(c.to_string()),
            _ => {}
        }
    }
    // every `|` line is a header, a delimiter or a row the parser read as one
    let lines = md.lines().filter(|l| l.starts_with('|')).count();
    let delimiters = md.lines().filter(|l| l.starts_with("|---")).count();
    assert_eq!(widths.len(), delimiters, "tables");
    assert_eq!(rows, lines - 2 * delimiters, "table rows");
    assert!(rows > 100, "{rows} rows");
    for want in [
        "aws_cloudwatch_log_group.vpc_flow",
        "retention_in_days = 2557",
        "logs.groups.vpc-flow",
        "keys.rds",
        "0.0.0.0/0",
        "network.endpoints",
    ] {
        assert!(code.iter().any(|c| c == want), "no code span `{want}`");
    }
    assert!(
        !code.iter().any(|c| c.contains('\\')),
        "an escape reached a code span: {:?}",
        code.iter().find(|c| c.contains('\\'))
    );
}

#[test]
fn output_is_deterministic_and_the_file_is_what_stdout_shows() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["json", "md", "html"] {
        let a = ztc(&["report", "specs/three-tier.yaml", "--format", format]);
        let b = ztc(&["report", "specs/three-tier.yaml", "--format", format]);
        assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
        assert_eq!(a.stdout, b.stdout, "{format} differs between runs");
        let file = dir.path().join(format!("evidence.{format}"));
        fs::write(&file, "previous").unwrap();
        let o = ztc(&[
            "report",
            "specs/three-tier.yaml",
            "--format",
            format,
            "-o",
            file.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        assert!(o.stdout.is_empty());
        assert_eq!(fs::read(&file).unwrap(), a.stdout);
    }
    // nothing but the three reports is left in the directory (no temporary files)
    let mut names: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["evidence.html", "evidence.json", "evidence.md"]);
}

#[test]
fn bad_input_writes_nothing_and_exits_2_or_74() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("evidence.html");
    fs::write(&out, "previous").unwrap();
    // not YAML: exit 2, the previous file untouched
    let bad = dir.path().join("bad.yaml");
    fs::write(&bad, "ztc: [1\n").unwrap();
    let o = ztc(&[
        "report",
        bad.to_str().unwrap(),
        "--format",
        "html",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("ZT0001"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous");
    // a missing file: exit 2
    let o = ztc(&["report", "specs/none.yaml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // valid YAML that breaks the schema: exit 1, nothing written
    let schema = dir.path().join("schema.yaml");
    fs::write(
        &schema,
        "ztc: 1\nmetadata: {name: x}\nregion: us-east-1\nbuckets: {b: {versionning: true}}\n",
    )
    .unwrap();
    let o = ztc(&[
        "report",
        schema.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("cannot report"), "{}", stderr(&o));
    assert_eq!(fs::read_to_string(&out).unwrap(), "previous");
    // an output directory that does not exist: exit 74, no file anywhere
    let missing = dir.path().join("no/such/dir/evidence.md");
    let o = ztc(&[
        "report",
        "specs/payment.yaml",
        "-o",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(74), "{}", stderr(&o));
    assert!(!dir.path().join("no").exists());
    // an unknown format: usage error
    let o = ztc(&["report", "specs/payment.yaml", "--format", "pdf"]);
    assert_eq!(o.status.code(), Some(2));
}

// ------------------------------------------------------------------------------------------------
// HTML in headless Chromium
// ------------------------------------------------------------------------------------------------

/// The Chromium binary: `$ZTC_CHROMIUM`, else `chromium` or `chromium-browser` on PATH.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("ZTC_CHROMIUM").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|d| [d.join("chromium"), d.join("chromium-browser")])
        .find(|p| p.is_file())
}

fn chromium_or_skip(test: &str) -> Option<PathBuf> {
    let found = chromium();
    if found.is_none() {
        common::tool_missing(
            "chromium",
            &format!(
                "{test}: no `chromium` on PATH (scripts/install-test-tools.sh installs Debian's \
                 chromium from apt as root; ZTC_CHROMIUM names another binary)"
            ),
        );
    }
    found
}

/// What one headless Chromium run gave: stdout, and the console messages it logged.
struct Rendered {
    stdout: String,
    console: Vec<String>,
}

/// Run headless Chromium on a file with `mode` (`--dump-dom`, `--screenshot=...`), in a fresh
/// profile, offline, bounded by `ZTC_TOOL_TIMEOUT` (default 300 s).
fn render(bin: &Path, page: &Path, mode: &[&str]) -> Rendered {
    let work = tempfile::tempdir().unwrap();
    let profile = work.path().join("profile");
    let (out, err) = (work.path().join("stdout"), work.path().join("stderr"));
    let mut child = Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(mode)
        .arg(format!("file://{}", page.display()))
        .current_dir(work.path())
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .expect("start chromium");
    let limit = std::env::var("ZTC_TOOL_TIMEOUT")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(300);
    let deadline = Instant::now() + Duration::from_secs(limit);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium took more than {limit} s on {}", page.display());
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    assert!(status.success(), "chromium failed ({status}): {stderr}");
    Rendered {
        stdout: fs::read_to_string(&out).unwrap_or_default(),
        console: stderr
            .lines()
            .filter(|l| l.contains(":CONSOLE"))
            .map(String::from)
            .collect(),
    }
}

fn html_report(spec: &str, dir: &Path) -> PathBuf {
    html_report_for(spec, None, dir)
}

/// The HTML report against `standard` (None: the spec's default) in `dir`.
fn html_report_for(spec: &str, standard: Option<&str>, dir: &Path) -> PathBuf {
    let stem = Path::new(spec).file_stem().unwrap().to_string_lossy();
    let file = dir.join(match standard {
        None => format!("{stem}.html"),
        Some(s) => format!("{stem}-{s}.html"),
    });
    let mut args = vec![
        "report",
        spec,
        "--format",
        "html",
        "-o",
        file.to_str().unwrap(),
    ];
    if let Some(s) = standard {
        args.extend(["--standard", s]);
    }
    let o = ztc(&args);
    assert_eq!(o.status.code(), Some(0), "{spec}: {}", stderr(&o));
    file
}

/// The attribute values of one attribute on the elements with a class, in document order.
fn attrs(dom: &str, class: &str, attr: &str) -> Vec<String> {
    let re = regex::Regex::new(&format!(r#"<tr class="{class}"[^>]*\s{attr}="([^"]*)""#)).unwrap();
    re.captures_iter(dom).map(|c| c[1].to_string()).collect()
}

/// The console check is not vacuous: a page with a failing script and an external image, blocked
/// by the same policy the report declares, logs messages.
#[test]
fn chromium_console_capture_sees_script_errors_and_blocked_loads() {
    let Some(bin) = chromium_or_skip("chromium_console_capture") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("bad.html");
    fs::write(
        &page,
        "<!DOCTYPE html><html><head><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\"></head>\
         <body><img src=\"https://example.invalid/x.png\"><script>missing()</script><p id=\"x\">x</p></body></html>",
    )
    .unwrap();
    let r = render(&bin, &page, &["--dump-dom"]);
    assert!(r.stdout.contains("<p id=\"x\">x</p>"), "{}", r.stdout);
    assert!(
        r.console.iter().any(|l| l.contains("example.invalid")),
        "{:?}",
        r.console
    );
    assert!(
        r.console.iter().any(|l| l.contains("inline script")),
        "{:?}",
        r.console
    );
}

#[test]
fn html_report_of_every_spec_renders_in_chromium_with_every_requirement_row() {
    let Some(bin) = chromium_or_skip("html_report_renders") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let links = regex::Regex::new(r#"href="([^"]*)""#).unwrap();
    let cases = SPECS.iter().map(|s| (*s, None)).chain([
        ("specs/payment.yaml", Some("soc2")),
        ("specs/privatelink-abac.yaml", Some("zero-trust")),
    ]);
    for (spec, standard) in cases {
        let report = match standard {
            None => report_json(spec),
            Some(s) => report_json_for(spec, s),
        };
        let page = html_report_for(spec, standard, dir.path());
        let source = fs::read_to_string(&page).unwrap();
        // self-contained: no scripts, no stylesheets or images from elsewhere, only local anchors
        for banned in [
            "<script", "<link", "<img", "<iframe", "src=", "url(", "@import",
        ] {
            assert!(
                !source.contains(banned),
                "{spec}: the page contains {banned}"
            );
        }
        for href in links.captures_iter(&source) {
            assert!(href[1].starts_with('#'), "{spec}: link to {}", &href[1]);
        }

        let r = render(&bin, &page, &["--dump-dom"]);
        assert!(
            r.console.is_empty(),
            "{spec}: console messages: {:?}",
            r.console
        );
        let dom = r.stdout;
        let title = format!("<title>{} evidence: ", report["standard"].as_str().unwrap());
        assert!(dom.contains(&title), "{spec} {standard:?}: {title}");
        let ids: Vec<String> = report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            attrs(&dom, "requirement", "data-requirement"),
            ids,
            "{spec}"
        );
        let statuses: Vec<String> = report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["status"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(
            attrs(&dom, "requirement", "data-status"),
            statuses,
            "{spec}"
        );
        for id in &ids {
            assert!(
                dom.contains(&format!("<section class=\"requirement\" id=\"req-{id}\"")),
                "{spec}: no section for {id}"
            );
        }
        let elements: usize = report["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["evidence"].as_array().unwrap().len())
            .sum();
        assert_eq!(
            attrs(&dom, "element", "data-element").len(),
            elements,
            "{spec}"
        );
        let waivers = report["waivers"].as_array().unwrap().len();
        assert_eq!(attrs(&dom, "waiver", "data-rule").len(), waivers, "{spec}");
    }
    // payment: the waived finding and the 10.5.1 evidence as a reader sees them
    let page = dir.path().join("payment.html");
    let dom = render(&bin, &page, &["--dump-dom"]).stdout;
    assert!(dom.contains(r#"<tr class="check" data-code="ZT0113" data-outcome="waived">"#));
    assert!(dom.contains(r#"<li class="finding" data-waived="true">"#));
    assert!(dom.contains(r#"<li class="mono" data-address="aws_cloudwatch_log_group.vpc_flow">"#));
}

#[test]
fn html_report_screenshot_is_a_rendered_page() {
    let Some(bin) = chromium_or_skip("html_report_screenshot") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = html_report("specs/payment.yaml", dir.path());
    let blank = dir.path().join("blank.html");
    fs::write(&blank, "<!DOCTYPE html><html><body></body></html>").unwrap();
    let shot = |p: &Path, name: &str| -> Vec<u8> {
        let png = dir.path().join(name);
        let r = render(
            &bin,
            p,
            &[
                "--window-size=1280,1600",
                &format!("--screenshot={}", png.display()),
            ],
        );
        assert!(r.console.is_empty(), "{:?}", r.console);
        fs::read(&png).unwrap_or_else(|e| panic!("no screenshot {png:?}: {e}"))
    };
    let png = shot(&page, "report.png");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(&png[12..16], b"IHDR");
    let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 1600));
    // tables, badges and text compress far worse than an empty page of the same size
    let empty = shot(&blank, "blank.png");
    assert!(
        png.len() > 5 * empty.len(),
        "the report's screenshot ({} bytes) is hardly bigger than an empty page's ({} bytes)",
        png.len(),
        empty.len()
    );
}

/// Spec text is data: markup in titles, reasons and owners is escaped in the HTML (Chromium
/// parses no element from it) and in the Markdown.
#[test]
fn hostile_spec_text_stays_text() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("specs/payment.yaml"))
        .unwrap()
        .replacen(
            "  title: Zero-Trust Payment Processing Infrastructure\n",
            "  title: \"Pay</title><script>alert(1)</script> | *x* <img src=x onerror=alert(2)>\"\n",
            1,
        )
        .replacen(
            "      scope: keys.rds\n",
            "      scope: keys.rds\n      owner: \"<iframe src=https://example.invalid></iframe>\"\n",
            1,
        );
    assert!(text.contains("<script>") && text.contains("<iframe"));
    let spec = dir.path().join("hostile.yaml");
    fs::write(&spec, &text).unwrap();
    let spec = spec.to_str().unwrap();

    let md = String::from_utf8(ztc(&["report", spec, "--format", "md"]).stdout).unwrap();
    assert!(md.starts_with("# PCI DSS v4.0.1 evidence: Pay&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; \\| \\*x\\* &lt;img src=x onerror=alert(2)&gt;\n"), "{md}");
    assert!(!md.contains("<script") && !md.contains("<iframe") && !md.contains("<img"));

    let page = dir.path().join("hostile.html");
    let o = ztc(&[
        "report",
        spec,
        "--format",
        "html",
        "-o",
        page.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let source = fs::read_to_string(&page).unwrap();
    for banned in ["<script", "<iframe", "<img"] {
        assert!(!source.contains(banned), "{banned} in the HTML");
    }
    let Some(bin) = chromium_or_skip("hostile_spec_text_stays_text") else {
        return;
    };
    let r = render(&bin, &page, &["--dump-dom"]);
    assert!(r.console.is_empty(), "{:?}", r.console);
    for banned in ["<script", "<iframe", "<img"] {
        assert!(
            !r.stdout.contains(banned),
            "Chromium built a {banned} element"
        );
    }
    assert!(r.stdout.contains(
        "<h1>PCI DSS v4.0.1 evidence: Pay&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; | *x* &lt;img src=x onerror=alert(2)&gt;</h1>"
    ), "title not shown as text");
}

/// 8.3.2 (authentication factors unreadable in storage): a generated password written through
/// the write-only argument is evidence (by default); one read through the data source is not,
/// and the finding that says so is waived in three-tier.
#[test]
fn write_only_generated_passwords_are_8_3_2_evidence() {
    let r = report_json("specs/privatelink-abac.yaml");
    let req = requirement(&r, "8.3.2");
    let e = req["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["element"] == "secrets.db-credentials.generate")
        .expect("the generated password is evidence");
    assert_eq!(e["defaulted"], true, "via: ephemeral is the default");
    let res = &e["resources"][0];
    assert_eq!(
        res["address"],
        "aws_secretsmanager_secret_version.db_credentials"
    );
    assert_eq!(res["attributes"][0]["name"], "secret_string_wo_version");
    assert_eq!(req["status"], "pass");

    let r = report_json("specs/three-tier.yaml");
    let req = requirement(&r, "8.3.2");
    assert!(!req["evidence"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["element"].as_str().unwrap().ends_with(".generate")));
    assert_eq!(check_of(req, "ZT0139")["outcome"], "waived");
}
