//! Compliance rules against their fixtures in `tests/fixtures/rules/`.
//!
//! - `err_<slug>.yaml` (or `err_<slug>.<variant>.yaml`) must make rule `<slug>` report a finding on
//!   every line that ends with a marker comment `# expect: ZT0xxx [error|warning|info]`, and on no
//!   other line; no other rule may report an error there.
//! - `ok_<slug>.yaml` (or `ok_<slug>.<variant>.yaml`) must not make rule `<slug>` report anything,
//!   and no rule may report a blocking error.
//!
//! Every fixture must be a valid spec (schema and typed model).
//!
//! `waivers/*.yaml` exercise waivers against rule packs (non-waivable rules per profile, expiry);
//! their markers must match exactly. The last tests check which rules each profile selects and
//! the severity advisory and mandatory packs give a finding.

use std::path::{Path, PathBuf};

use ztc::diag::{Diagnostic, Severity};
use ztc::policy::{self, Ctx, Rule};
use ztc::source::SourceFile;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Err,
    Ok,
}

struct Fixture {
    path: PathBuf,
    kind: Kind,
    slug: String,
}

impl Fixture {
    fn name(&self) -> String {
        self.path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    }
    fn rule(&self) -> &'static dyn Rule {
        policy::registry()
            .iter()
            .copied()
            .find(|r| r.meta().slug == self.slug)
            .unwrap_or_else(|| panic!("{}: no rule with slug `{}`", self.name(), self.slug))
    }
}

fn fixtures() -> Vec<Fixture> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .expect("tests/fixtures/rules exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let (kind, rest) = if let Some(r) = stem.strip_prefix("err_") {
            (Kind::Err, r)
        } else if let Some(r) = stem.strip_prefix("ok_") {
            (Kind::Ok, r)
        } else {
            panic!(
                "{}: fixture names start with `err_` or `ok_`",
                path.display()
            );
        };
        let slug = rest.split('.').next().unwrap().to_string();
        out.push(Fixture { path, kind, slug });
    }
    out
}

/// Load, validate, deserialise and check a spec file.
fn run(path: &Path) -> (SourceFile, Vec<Diagnostic>) {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    let (src, node) = ztc::yaml::load_bytes(&bytes, &name, ztc::yaml::Limits::default());
    let node = node.unwrap_or_else(|e| panic!("{name}: YAML errors: {e:#?}"));
    let schema_errors = ztc::validate::validate(&node);
    assert!(
        schema_errors.is_empty(),
        "{name}: not a valid spec:\n{}",
        ztc::diag::render_plain(&schema_errors, &src, 120)
    );
    let spec: ztc::spec::Spec = serde_json::from_value(node.to_json())
        .unwrap_or_else(|e| panic!("{name}: does not deserialise: {e}"));
    let diags = policy::check(&Ctx::new(&spec, &node));
    (src, diags)
}

/// `# expect: CODE [severity]` markers: (1-based line, code, severity if given).
fn markers(src: &SourceFile) -> Vec<(usize, String, Option<Severity>)> {
    let mut out = Vec::new();
    for (i, line) in src.text().lines().enumerate() {
        let Some(pos) = line.find("# expect:") else {
            continue;
        };
        let mut words = line[pos + "# expect:".len()..].split_whitespace();
        let code = words.next().expect("marker names a code").to_string();
        let sev = words.next().map(|w| match w {
            "error" => Severity::Error,
            "warning" => Severity::Warning,
            "info" => Severity::Info,
            other => panic!(
                "{}:{}: unknown severity `{other}` in marker",
                src.name(),
                i + 1
            ),
        });
        out.push((i + 1, code, sev));
    }
    out
}

fn line_of(src: &SourceFile, d: &Diagnostic) -> usize {
    src.line_col(d.span.expect("finding has a span").start).0
}

fn describe(src: &SourceFile, diags: &[Diagnostic]) -> String {
    diags
        .iter()
        .map(|d| {
            let line = d.span.map(|s| src.line_col(s.start).0).unwrap_or(0);
            format!(
                "  {}:{line} {} {} [{}] {}",
                src.name(),
                d.code,
                d.severity,
                d.scope.as_deref().unwrap_or("-"),
                d.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// What every rule finding must carry.
fn assert_well_formed(src: &SourceFile, d: &Diagnostic) {
    let rule = policy::find(d.code)
        .unwrap_or_else(|| panic!("{}: finding with unknown code {}", src.name(), d.code));
    let what = format!("{}: {} `{}`", src.name(), d.code, d.message);
    assert!(d.span.is_some_and(|s| !s.is_empty()), "{what}: no span");
    assert!(
        d.scope.as_deref().is_some_and(|s| !s.is_empty()),
        "{what}: no scope"
    );
    assert!(
        d.label.as_deref().is_some_and(|s| !s.is_empty()),
        "{what}: no label"
    );
    assert!(
        d.help.as_deref().is_some_and(|s| !s.is_empty()),
        "{what}: no help"
    );
    assert_eq!(d.pci, rule.meta().pci, "{what}: PCI refs");
}

#[test]
fn err_fixtures_report_their_rule_at_the_marked_lines() {
    let mut checked = 0;
    for f in fixtures().into_iter().filter(|f| f.kind == Kind::Err) {
        let code = f.rule().meta().code;
        let (src, diags) = run(&f.path);
        let all = describe(&src, &diags);
        let marks = markers(&src);
        assert!(
            marks.iter().any(|(_, c, _)| c == code),
            "{}: no `# expect: {code}` marker",
            f.name()
        );
        for (line, c, sev) in &marks {
            let hit = diags.iter().any(|d| {
                d.code == c.as_str()
                    && line_of(&src, d) == *line
                    && sev.map_or(true, |s| s == d.severity)
            });
            assert!(
                hit,
                "{}:{line}: expected a {c} finding{} on this line; got:\n{all}",
                f.name(),
                sev.map(|s| format!(" ({s})")).unwrap_or_default()
            );
        }
        for d in &diags {
            if d.code.starts_with("ZT01") {
                assert_well_formed(&src, d);
            }
            if d.code == code {
                let line = line_of(&src, d);
                assert!(
                    marks.iter().any(|(l, c, _)| *l == line && c == code),
                    "{}:{line}: {code} reported on a line without a marker: {}\n{all}",
                    f.name(),
                    d.message
                );
            } else {
                assert!(
                    !d.is_blocking(),
                    "{}: another rule reports an error:\n{all}",
                    f.name()
                );
            }
        }
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn ok_fixtures_do_not_trigger_their_rule() {
    let mut checked = 0;
    for f in fixtures().into_iter().filter(|f| f.kind == Kind::Ok) {
        let code = f.rule().meta().code;
        let (src, diags) = run(&f.path);
        let all = describe(&src, &diags);
        assert!(
            markers(&src).is_empty(),
            "{}: ok fixtures carry no markers",
            f.name()
        );
        assert!(
            !diags.iter().any(|d| d.code == code),
            "{}: {code} reported:\n{all}",
            f.name()
        );
        assert!(
            !diags.iter().any(Diagnostic::is_blocking),
            "{}: blocking findings:\n{all}",
            f.name()
        );
        for d in diags.iter().filter(|d| d.code.starts_with("ZT01")) {
            assert_well_formed(&src, d);
        }
        checked += 1;
    }
    assert!(checked > 0);
}

#[test]
fn every_rule_has_err_and_ok_fixtures() {
    let fx = fixtures();
    for rule in policy::registry() {
        let slug = rule.meta().slug;
        for kind in [Kind::Err, Kind::Ok] {
            assert!(
                fx.iter().any(|f| f.kind == kind && f.slug == slug),
                "rule {} `{slug}` has no {}_{slug}.yaml fixture",
                rule.meta().code,
                if kind == Kind::Err { "err" } else { "ok" }
            );
        }
    }
    for f in &fx {
        let _ = f.rule(); // every fixture names a rule
    }
}

#[test]
fn codes_and_slugs_are_unique() {
    let reg = policy::registry();
    assert!(!reg.is_empty());
    for (i, a) in reg.iter().enumerate() {
        for b in &reg[i + 1..] {
            assert_ne!(a.meta().code, b.meta().code, "duplicate code");
            assert_ne!(a.meta().slug, b.meta().slug, "duplicate slug");
        }
    }
    for w in reg.windows(2) {
        assert!(
            w[0].meta().code < w[1].meta().code,
            "registry is in code order"
        );
    }
    for r in reg {
        let m = r.meta();
        assert!(
            m.code.starts_with("ZT01") && m.code.len() == 6,
            "{}: rule codes are ZT01nn",
            m.code
        );
        assert!(
            m.slug
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: slug `{}`",
            m.code,
            m.slug
        );
        assert!(policy::find(m.code).is_some() && policy::find(m.slug).is_some());
        assert!(!m.summary.is_empty());
    }
}

#[test]
fn explain_texts_have_every_section() {
    for r in policy::registry() {
        let m = r.meta();
        let mut last = 0;
        for heading in [
            "## What it does",
            "## Why",
            "## Example",
            "## Fix",
            "## References",
        ] {
            let pos = m
                .explain
                .find(heading)
                .unwrap_or_else(|| panic!("{}: explain lacks `{heading}`", m.code));
            assert!(pos >= last, "{}: `{heading}` out of order", m.code);
            last = pos;
        }
        let example =
            &m.explain[m.explain.find("## Example").unwrap()..m.explain.find("## Fix").unwrap()];
        assert!(
            example.contains("```yaml"),
            "{}: the example is a YAML snippet",
            m.code
        );
    }
}

// ---- waivers and rule packs ----------------------------------------------------------------------

fn waiver_fixture(name: &str) -> (SourceFile, Vec<Diagnostic>) {
    run(&fixtures_dir().join("waivers").join(name))
}

/// Every marker is hit (code, line, severity), and every unwaived error sits on a marker.
fn assert_markers_exact(src: &SourceFile, diags: &[Diagnostic]) {
    let all = describe(src, diags);
    let marks = markers(src);
    assert!(!marks.is_empty(), "{}: no markers", src.name());
    for (line, c, sev) in &marks {
        assert!(
            diags.iter().any(|d| d.code == c.as_str()
                && line_of(src, d) == *line
                && sev.map_or(true, |s| s == d.severity)
                && d.waived.is_none()),
            "{}:{line}: expected an unwaived {c}; got:\n{all}",
            src.name()
        );
    }
    for d in diags.iter().filter(|d| d.is_blocking()) {
        let line = line_of(src, d);
        assert!(
            marks.iter().any(|(l, c, _)| *l == line && c == d.code),
            "{}:{line}: unexpected error {}:\n{all}",
            src.name(),
            d.code
        );
    }
}

#[test]
fn waiving_a_rule_the_profile_forbids_is_an_error_at_the_rule_value() {
    std::env::set_var("ZTC_TODAY", "2026-01-01");
    let (src, diags) = waiver_fixture("not-waivable.pci.yaml");
    assert_markers_exact(&src, &diags);
    let d = diags.iter().find(|d| d.code == "ZT0043").unwrap();
    assert!(
        d.message.contains("`iam-wildcard` (ZT0105)") && d.message.contains("`pci-dss-v4`"),
        "{}",
        d.message
    );
    assert!(d.help.as_deref().unwrap().contains("7.2.1"), "{:?}", d.help);
    // the finding the waiver names stays unwaived
    assert!(diags
        .iter()
        .any(|d| d.code == "ZT0105" && d.waived.is_none() && d.is_blocking()));
}

#[test]
fn the_same_waiver_is_accepted_where_the_profile_allows_it() {
    std::env::set_var("ZTC_TODAY", "2026-01-01");
    let (src, diags) = waiver_fixture("not-waivable.soc2.yaml");
    let all = describe(&src, &diags);
    assert!(!diags.iter().any(|d| d.code == "ZT0043"), "{all}");
    let f = diags.iter().find(|d| d.code == "ZT0105").expect(&all);
    assert_eq!(
        f.waived.as_ref().map(|w| w.reason.as_str()),
        Some("Needed for the migration window only.")
    );
    assert!(!diags.iter().any(Diagnostic::is_blocking), "{all}");
}

#[test]
fn an_expired_waiver_is_an_error_and_waives_nothing() {
    std::env::set_var("ZTC_TODAY", "2026-01-01");
    let (src, diags) = waiver_fixture("expired.yaml");
    assert_markers_exact(&src, &diags);
    let spec_text = src.text();
    assert!(
        spec_text.contains("owner: logging-team"),
        "the fixture carries an owner"
    );
}

#[test]
fn profiles_select_the_rules_of_their_packs() {
    for r in policy::registry() {
        let m = r.meta();
        for p in m.packs {
            let only = [p.profile];
            assert!(m.selected_by(&only));
            if p.enforcement == ztc::policy::packs::Enforcement::Advisory {
                assert_eq!(
                    m.effective_severity(&only, Severity::Error),
                    p.severity,
                    "{} advisory under {:?}",
                    m.code,
                    p.profile
                );
            } else {
                assert_eq!(
                    m.effective_severity(&only, Severity::Error),
                    Severity::Error
                );
            }
        }
    }
    // a zero-trust rule does not run for a pci-dss-v4 spec, and runs for a zero-trust one
    let zt = policy::find("sg-peer-by-reference").unwrap().meta();
    assert!(!zt.selected_by(&[ztc::spec::Profile::PciDssV4, ztc::spec::Profile::Soc2]));
    assert!(zt.selected_by(&[ztc::spec::Profile::ZeroTrust]));
    // advisory in pci-dss-v4, mandatory in zero-trust: selecting both keeps the error
    let llc = policy::find("long-lived-credentials").unwrap().meta();
    let both = [ztc::spec::Profile::PciDssV4, ztc::spec::Profile::ZeroTrust];
    assert_eq!(
        llc.effective_severity(&both, Severity::Error),
        Severity::Error
    );
    assert_eq!(
        llc.effective_severity(&[ztc::spec::Profile::PciDssV4], Severity::Error),
        Severity::Warning
    );
}

#[test]
fn a_soc2_spec_gets_no_pci_only_rule() {
    // the same spec, with a function outside the VPC (a pci-dss-v4-only rule) and a
    // `from: vpc` rule (a zero-trust-only rule), under each profile
    let spec = |profiles: &str| {
        format!(
            r#"ztc: 1
metadata: {{name: packs}}
region: us-east-1
compliance: {{profiles: [{profiles}]}}
tags:
  required: {{CostCenter: cc-1, DataClassification: Confidential, ComplianceScope: PCI-DSS}}
keys:
  app: {{usage: [logs]}}
logs:
  defaults: {{retention: 1y, key: keys.app}}
  groups: {{flow: {{}}}}
network:
  name: vpc
  cidr: 10.0.0.0/16
  tiers: {{private: {{prefix: 24}}}}
  security_groups:
    db:
      description: Database
      ingress:
        - {{protocol: tcp, port: 5432, from: vpc, description: PostgreSQL}}
  flow_logs:
    - {{destination: logs.flow}}
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    vpc: {{none: reads account configuration only}}
    key: keys.app
"#
        )
    };
    let codes = |profiles: &str| -> Vec<&'static str> {
        let dir = std::env::temp_dir().join(format!("ztc-packs-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{}.yaml", profiles.replace(", ", "+")));
        std::fs::write(&path, spec(profiles)).unwrap();
        let (_, diags) = run(&path);
        let _ = std::fs::remove_file(&path);
        diags.iter().map(|d| d.code).collect()
    };
    let pci = codes("pci-dss-v4");
    let soc2 = codes("soc2");
    let zt = codes("zero-trust");
    assert!(
        pci.contains(&"ZT0131") && !pci.contains(&"ZT0141"),
        "{pci:?}"
    );
    assert!(
        !soc2.contains(&"ZT0131") && !soc2.contains(&"ZT0141"),
        "{soc2:?}"
    );
    assert!(zt.contains(&"ZT0141") && !zt.contains(&"ZT0131"), "{zt:?}");
}
