//! The `ztc` binary as users run it: exit codes, located JSON diagnostics, atomic output.

mod common;

use common::{repo_root as root, ztc};
use serde_json::Value;
use std::path::Path;

#[test]
fn check_clean_spec_exits_0() {
    let o = ztc(&["check", "specs/payment.yaml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Every rule fixture `err_*.yaml` marks the offending lines with `# expect: CODE [severity]`;
/// `ztc check --format json` must report that code on that line, at a column inside the line's
/// text, and exit 1 when an error is expected.
#[test]
fn each_rule_violation_is_reported_at_its_line_with_exit_1() {
    let dir = root().join("tests/fixtures/rules");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("err_") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let expects: Vec<(usize, String, String)> = text
            .lines()
            .enumerate()
            .filter_map(|(i, l)| {
                let m = l.split("# expect: ").nth(1)?;
                let mut parts = m.split_whitespace();
                let code = parts.next()?.to_string();
                let default = ztc::policy::find(&code)
                    .map(|r| r.meta().severity.to_string())
                    .unwrap_or_else(|| "error".into());
                let sev = parts.next().map(String::from).unwrap_or(default);
                Some((i + 1, code, sev))
            })
            .collect();
        assert!(!expects.is_empty(), "{name} has no expect marker");
        let rel = format!("tests/fixtures/rules/{name}");
        let o = ztc(&["check", "--format", "json", &rel]);
        let diags: Value =
            serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want_exit = if expects.iter().any(|(_, _, s)| s == "error") {
            1
        } else {
            0
        };
        assert_eq!(
            o.status.code(),
            Some(want_exit),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        for (line, code, _) in &expects {
            let hit = diags
                .as_array()
                .unwrap()
                .iter()
                .find(|d| d["code"] == code.as_str() && d["line"] == *line as u64);
            let d = hit.unwrap_or_else(|| panic!("{name}: no {code} at line {line}: {diags:#}"));
            let col = d["column"].as_u64().unwrap() as usize;
            let src_line = text.lines().nth(line - 1).unwrap();
            let ch = src_line.chars().nth(col - 1).unwrap_or(' ');
            assert!(
                !ch.is_whitespace(),
                "{name}: column {col} of line {line} is blank"
            );
            assert!(
                d["help"].as_str().is_some_and(|h| !h.is_empty()),
                "{name}: {code} without a fix"
            );
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} rule fixtures");
}

#[test]
fn malformed_input_exits_2_and_never_panics() {
    for f in [
        "err_yaml_syntax.yaml",
        "err_alias_bomb.yaml",
        "err_yaml_tag.yaml",
        "err_duplicate_key.yaml",
    ] {
        let o = ztc(&["check", &format!("tests/fixtures/invalid/{f}")]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{f}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!String::from_utf8_lossy(&o.stderr).contains("panicked"));
    }
    let o = ztc(&["check", "does/not/exist.yaml"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ztc(&["check"]);
    assert_eq!(o.status.code(), Some(2), "usage error");
}

#[test]
fn schema_and_type_errors_exit_1() {
    for f in [
        "err_unknown_key_typo.yaml",
        "err_wrong_type.yaml",
        "err_missing_field.yaml",
        "err_bad_enum.yaml",
    ] {
        let o = ztc(&["check", &format!("tests/fixtures/invalid/{f}")]);
        assert_eq!(o.status.code(), Some(1), "{f}");
    }
}

fn tree(dir: &Path) -> Vec<(String, String)> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        v.push((
            p.file_name().unwrap().to_string_lossy().into_owned(),
            std::fs::read_to_string(&p).unwrap(),
        ));
    }
    v.sort();
    v
}

#[test]
fn build_writes_atomically_and_a_failed_build_leaves_the_previous_output() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("payment");
    let out_s = out.to_str().unwrap();
    let o = ztc(&[
        "build",
        "specs/payment.yaml",
        "--target",
        "hcl",
        "-o",
        out_s,
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let first = tree(&out);
    assert!(first.iter().any(|(n, _)| n == "networking.tf"));

    // a failing build must not touch the existing directory
    let o = ztc(&[
        "build",
        "tests/fixtures/invalid/err_unknown_reference.yaml",
        "-o",
        out_s,
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        tree(&out),
        first,
        "previous output changed by a failed build"
    );
    let o = ztc(&[
        "build",
        "tests/fixtures/invalid/err_yaml_syntax.yaml",
        "-o",
        out_s,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(tree(&out), first);

    // a stale file disappears on a successful rebuild (the directory is replaced, not merged)
    std::fs::write(out.join("stale.tf"), "# stale\n").unwrap();
    let o = ztc(&["build", "specs/payment.yaml", "-o", out_s]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(tree(&out), first);
    // no temporary directories are left beside it
    let siblings: Vec<_> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(siblings.len(), 1, "{siblings:?}");
}

#[test]
fn build_refuses_to_write_when_the_output_parent_is_a_file() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let o = ztc(&[
        "build",
        "specs/payment.yaml",
        "-o",
        file.join("out").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(74));
}

#[test]
fn explain_prints_the_long_text() {
    let o = ztc(&["explain", "ZT0105"]);
    assert_eq!(o.status.code(), Some(0));
    let s = String::from_utf8_lossy(&o.stdout);
    for h in [
        "## What it does",
        "## Why",
        "## Example",
        "## Fix",
        "PCI DSS v4.0.1: 7.2.1",
    ] {
        assert!(s.contains(h), "{h} missing in:\n{s}");
    }
    let o = ztc(&["explain", "iam-wildcard"]);
    assert_eq!(o.status.code(), Some(0));
    let o = ztc(&["explain", "ZT9999"]);
    assert_eq!(o.status.code(), Some(2));
    let o = ztc(&["explain", "--list"]);
    let list = String::from_utf8_lossy(&o.stdout);
    assert!(list.lines().count() >= 40, "{list}");
}

#[test]
fn schema_command_prints_the_committed_schema() {
    let o = ztc(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&o.stdout).unwrap();
    let committed: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schema/zerotrust.schema.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn json_format_carries_waivers() {
    let o = ztc(&["check", "--format", "json", "specs/payment.yaml"]);
    let diags: Value = serde_json::from_slice(&o.stdout).unwrap();
    let waived = diags
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "ZT0113")
        .unwrap();
    assert!(waived["waived"]
        .as_str()
        .unwrap()
        .contains("database stack"));
    assert_eq!(waived["scope"], "keys.rds");
}

/// `--max-nodes` and `--max-size` bound every command that reads a spec; a spec past a bound is
/// an input error that names the flag, and raising the bound lets it through.
#[test]
fn input_bounds_are_flags_and_name_themselves_when_hit() {
    let dir = tempfile::tempdir().unwrap();
    let spec = root().join("specs/payment.yaml");
    let s = spec.to_str().unwrap();
    for cmd in [vec!["check", s], vec!["graph", s], vec!["report", s]] {
        let mut args = cmd.clone();
        args.extend(["--max-nodes", "100"]);
        let o = ztc(&args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{cmd:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("more than 100 nodes") && err.contains("--max-nodes"),
            "{err}"
        );
        let mut args = cmd.clone();
        args.extend(["--max-nodes", "1000000"]);
        assert_eq!(ztc(&args).status.code(), Some(0), "{cmd:?}");
    }
    // a 1.5 MiB spec (comment padding): over `--max-size 1`, within the default 8
    let big = dir.path().join("big.yaml");
    let mut text = std::fs::read_to_string(&spec).unwrap();
    text.push_str(&format!("# {}\n", "x".repeat(1536 * 1024)));
    std::fs::write(&big, text).unwrap();
    let b = big.to_str().unwrap();
    let o = ztc(&["check", b, "--max-size", "1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--max-size"));
    assert_eq!(ztc(&["check", b]).status.code(), Some(0));
    // the bounds have bounds
    assert_eq!(ztc(&["check", s, "--max-size", "0"]).status.code(), Some(2));
}
