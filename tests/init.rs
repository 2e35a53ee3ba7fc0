//! `ztc init` scaffolds a spec that checks clean for every profile, never clobbers a file, and
//! points its modeline at the schema; plus the other pieces that put ztc into a user's
//! environment: shell completions, the man page, `--version`.

mod common;

use std::path::Path;
use std::process::{Command, Output};
use ztc::diag::Severity;

const PROFILES: [&str; 3] = ["pci-dss-v4", "soc2", "zero-trust"];

fn ztc(args: &[&str], cwd: &Path) -> Output {
    common::ztc_in(cwd, args)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn every_profile_scaffolds_a_spec_that_checks_clean() {
    let dir = tempfile::tempdir().unwrap();
    for profile in PROFILES {
        let file = format!("{profile}.zerotrust.yaml");
        let o = ztc(
            &[
                "init",
                "--profile",
                profile,
                "--name",
                "card-vault",
                "--region",
                "eu-west-1",
                "-o",
                &file,
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{profile}: {}", stderr(&o));
        let text = std::fs::read_to_string(dir.path().join(&file)).unwrap();
        assert!(text.contains(&format!("profiles: [{profile}]")), "{text}");
        assert!(text.contains("name: card-vault") && text.contains("region: eu-west-1"));

        // the library's view: no error, no warning, and it lowers
        let c = ztc::compile::compile(&file, text.as_bytes(), &ztc::compile::Options::default());
        let shown = ztc::diag::render_plain(&c.diagnostics, &c.source, 100);
        assert_eq!(c.count(Severity::Error), 0, "{profile}:\n{shown}");
        assert_eq!(c.count(Severity::Warning), 0, "{profile}:\n{shown}");
        assert!(c.module.is_some(), "{profile}: no module:\n{shown}");

        // the command's view
        let o = ztc(&["check", "--deny-warnings", &file], dir.path());
        assert!(o.status.success(), "ztc check {profile}: {}", stderr(&o));
    }
}

#[test]
fn pci_and_zero_trust_scaffolds_inspect_with_a_firewall_and_soc2_does_not() {
    let dir = tempfile::tempdir().unwrap();
    for (profile, firewall) in [("pci-dss-v4", true), ("soc2", false), ("zero-trust", true)] {
        let o = ztc(&["init", "-o", "-", "--profile", profile], dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let c = ztc::compile::compile("s.yaml", &o.stdout, &ztc::compile::Options::default());
        let spec = c.spec.expect("spec");
        let net = spec.network.expect("network");
        assert_eq!(net.firewall.is_some(), firewall, "{profile}");
        assert_eq!(
            net.internet,
            ztc::spec::Internet::None,
            "{profile}: private only"
        );
        assert!(spec.trail.is_some(), "{profile}: CloudTrail");
    }
}

#[test]
fn refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("zerotrust.yaml");
    std::fs::write(&file, "mine\n").unwrap();
    let o = ztc(&["init", "--name", "x"], dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--force"), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "mine\n",
        "the file was touched"
    );
    let o = ztc(&["init", "--name", "x", "--force"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::read_to_string(&file).unwrap().contains("name: x"));
}

#[test]
fn non_interactive_defaults_and_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    // stdin is not a terminal: no prompt, defaults for what is missing
    let o = ztc(&["init", "-o", "-", "--name", "defaults"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(text.contains("region: us-east-1") && text.contains("profiles: [pci-dss-v4]"));
    assert!(stderr(&o).is_empty(), "prompted or warned: {}", stderr(&o));

    for bad in [
        vec!["--name", "Payments"],
        vec!["--name", "-x"],
        vec!["--region", "mars-1"],
        vec!["--region", "us-east"],
    ] {
        let mut args = vec!["init", "-o", "-"];
        args.extend(bad.iter().copied());
        let o = ztc(&args, dir.path());
        assert_eq!(o.status.code(), Some(2), "{bad:?} accepted");
        assert!(o.stdout.is_empty(), "{bad:?} printed a spec");
    }
    let o = ztc(&["init", "-o", "-", "--profile", "hipaa"], dir.path());
    assert_eq!(o.status.code(), Some(2), "unknown profile accepted");
}

#[test]
fn output_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "init",
        "-o",
        "-",
        "--name",
        "same",
        "--region",
        "eu-north-1",
        "--profile",
        "soc2",
    ];
    assert_eq!(ztc(&args, dir.path()).stdout, ztc(&args, dir.path()).stdout);
}

fn modeline(text: &str) -> &str {
    text.lines()
        .next()
        .and_then(|l| l.strip_prefix("# yaml-language-server: $schema="))
        .unwrap_or_else(|| panic!("no modeline on the first line:\n{text}"))
}

#[test]
fn modeline_points_at_the_schema() {
    let root = common::repo_root();
    // inside this repository: a relative path that resolves to the committed schema
    let inside = tempfile::tempdir_in(root.join("target")).unwrap();
    let nested = inside.path().join("a").join("b");
    let o = ztc(&["init", "-o", "a/b/zerotrust.yaml"], inside.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(nested.join("zerotrust.yaml")).unwrap();
    let url = modeline(&text);
    assert!(url.starts_with("../"), "{url}");
    let resolved = nested.join(url).canonicalize().unwrap();
    assert_eq!(
        resolved,
        root.join("schema/zerotrust.schema.json")
            .canonicalize()
            .unwrap()
    );

    // run from the repository root, printing: `./schema/...`
    let o = ztc(&["init", "-o", "-"], &root);
    assert_eq!(
        modeline(&String::from_utf8(o.stdout).unwrap()),
        "./schema/zerotrust.schema.json"
    );

    // elsewhere: the schema's $id
    let outside = tempfile::tempdir().unwrap();
    if !outside.path().starts_with(&root) {
        let o = ztc(&["init", "-o", "-"], outside.path());
        assert_eq!(
            modeline(&String::from_utf8(o.stdout).unwrap()),
            ztc::spec::SCHEMA_ID
        );
    }

    // explicit
    let o = ztc(
        &[
            "init",
            "-o",
            "-",
            "--schema-url",
            "https://example.com/s.json",
        ],
        outside.path(),
    );
    assert_eq!(
        modeline(&String::from_utf8(o.stdout).unwrap()),
        "https://example.com/s.json"
    );
}

// ------------------------------------------------------------------------------------------------
// completions, man page, version
// ------------------------------------------------------------------------------------------------

#[test]
fn shell_completions_are_generated() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let o = ztc(&["completions", shell], dir.path());
        assert!(o.status.success(), "{shell}: {}", stderr(&o));
        let text = String::from_utf8(o.stdout).unwrap();
        assert!(text.len() > 500, "{shell}: {} bytes", text.len());
        for sub in ["build", "check", "init", "graph", "completions", "man"] {
            assert!(text.contains(sub), "{shell} completion lacks `{sub}`");
        }
    }
    // bash parses the bash script
    let script = ztc(&["completions", "bash"], dir.path()).stdout;
    let path = dir.path().join("ztc.bash");
    std::fs::write(&path, script).unwrap();
    let o = Command::new("bash").arg("-n").arg(&path).output();
    match o {
        Ok(o) => assert!(o.status.success(), "bash -n: {}", stderr(&o)),
        Err(e) => common::tool_missing("bash", &e.to_string()),
    }
    let o = ztc(&["completions", "tcsh"], dir.path());
    assert_eq!(o.status.code(), Some(2), "unknown shell accepted");
}

#[test]
fn man_page_is_roff() {
    let dir = tempfile::tempdir().unwrap();
    let o = ztc(&["man"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains(".TH ztc 1"), "{text}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS"] {
        assert!(text.contains(section), "man page lacks {section}");
    }
    assert!(text.contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn version_flag() {
    let dir = tempfile::tempdir().unwrap();
    let o = ztc(&["--version"], dir.path());
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8(o.stdout).unwrap().trim(),
        format!("ztc {}", env!("CARGO_PKG_VERSION"))
    );
}
