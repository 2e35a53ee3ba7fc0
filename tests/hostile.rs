//! Hostile input: the built `ztc check` on every file of `tests/fixtures/hostile/` (see its
//! README: line 1 names the expected diagnostic code, or `ok`) and on generated cases too large to
//! commit. Each run is bounded; it must finish within seconds, never panic, exit 1 or 2 (0 for
//! `ok`), report the expected code (human output and `--format json`) and write no control
//! character taken from the input to the terminal.
//!
//! `ok_template_strings.yaml` is also built for all three targets: each of its strings must read
//! back as the literal through the targets' real parsers (HashiCorp's HCL parser, serde_json for
//! Terraform JSON, PyYAML for Pulumi YAML) once the target's own escapes are undone.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// What a run may take at most (the debug build; release is ~10x faster).
const LIMIT: Duration = Duration::from_secs(5);
/// When a run is killed.
const KILL_AFTER: Duration = Duration::from_secs(30);

fn fixtures_dir() -> PathBuf {
    common::repo_root().join("tests/fixtures/hostile")
}

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    took: Duration,
    timed_out: bool,
}

/// Run the built binary with a deadline; output goes to files (no pipe can fill up and block).
fn ztc(args: &[&str]) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let (out_p, err_p) = (tmp.path().join("out"), tmp.path().join("err"));
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_ztc"))
        .args(args)
        .current_dir(common::repo_root())
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out_p).unwrap())
        .stderr(fs::File::create(&err_p).unwrap())
        .spawn()
        .expect("run ztc");
    let mut timed_out = false;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > KILL_AFTER {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Run {
        code: status.and_then(|s| s.code()),
        stdout: fs::read(&out_p).unwrap_or_default(),
        stderr: fs::read(&err_p).unwrap_or_default(),
        took: start.elapsed(),
        timed_out,
    }
}

/// What a case expects: `Code("ZT0003")`, `Text("…")` (a message fragment, for errors reported
/// before there is a spec to locate them in), or `Ok`.
#[derive(Debug, Clone)]
enum Expect {
    Ok,
    Code(String),
    Text(String),
}

/// The expectation on line 1 of a fixture (after a BOM).
fn expectation(path: &Path) -> Expect {
    let bytes = fs::read(path).unwrap();
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    // UTF-16 fixtures: read the header from the ASCII bytes
    let ascii: String = bytes
        .iter()
        .filter(|b| b.is_ascii() && **b != 0)
        .map(|&b| b as char)
        .take(200)
        .collect();
    let line = ascii.lines().next().unwrap_or_default();
    let want = line
        .split_once("# expect:")
        .unwrap_or_else(|| panic!("{}: line 1 must be `# expect: CODE|ok`", path.display()))
        .1
        .trim();
    match want {
        "ok" => Expect::Ok,
        c if c.starts_with("ZT") && c.len() == 6 => Expect::Code(c.to_string()),
        other => panic!("{}: bad expectation `{other}`", path.display()),
    }
}

/// Every way `check` on `file` may be wrong, empty when it behaved.
fn judge(file: &Path, expect: &Expect, limit: Duration) -> Vec<String> {
    let f = file.to_str().unwrap();
    let mut problems = Vec::new();
    let human = ztc(&["check", f]);
    let stderr = String::from_utf8_lossy(&human.stderr);
    let show = |s: &str| s.chars().take(600).collect::<String>();
    if human.timed_out {
        return vec![format!("killed after {KILL_AFTER:?}")];
    }
    if human.took > limit {
        problems.push(format!("took {:?} (limit {limit:?})", human.took));
    }
    if stderr.contains("panicked") || human.code == Some(101) {
        problems.push(format!("panicked: {}", show(&stderr)));
    }
    // only the renderer's own characters: no ESC, BEL, NUL, CR ... copied from the input
    if let Some(c) = stderr
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        problems.push(format!(
            "control character {c:?} from the input reached the terminal"
        ));
    }
    match expect {
        Expect::Ok => {
            if human.code != Some(0) {
                problems.push(format!(
                    "expected to be accepted, exit {:?}: {}",
                    human.code,
                    show(&stderr)
                ));
            }
        }
        Expect::Code(code) | Expect::Text(code) => {
            if !matches!(human.code, Some(1) | Some(2)) {
                problems.push(format!("exit {:?}, expected 1 or 2", human.code));
            }
            if !stderr.contains(code.as_str()) {
                problems.push(format!("`{code}` not reported: {}", show(&stderr)));
            }
        }
    }
    // the machine-readable report carries the same code, located
    if let Expect::Code(code) = expect {
        let json = ztc(&["check", "--format", "json", f]);
        match serde_json::from_slice::<Value>(&json.stdout) {
            Ok(Value::Array(ds)) => {
                let hit = ds.iter().find(|d| d["code"] == code.as_str());
                match hit {
                    None => problems.push(format!("--format json: no {code} in {ds:?}")),
                    Some(d) if d["line"].as_u64().unwrap_or(0) == 0 => {
                        problems.push(format!("--format json: {code} has no line: {d}"))
                    }
                    Some(_) => {}
                }
            }
            other => problems.push(format!(
                "--format json printed no array: {other:?} / {}",
                show(&String::from_utf8_lossy(&json.stderr))
            )),
        }
    }
    problems
}

#[test]
fn every_hostile_fixture_is_rejected_with_its_code_or_accepted() {
    let mut files: Vec<PathBuf> = fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 25, "only {} fixtures", files.len());
    let mut failures = Vec::new();
    for f in &files {
        let expect = expectation(f);
        for p in judge(f, &expect, LIMIT) {
            failures.push(format!(
                "{} ({expect:?}): {p}",
                f.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs too large to commit, written to a temporary directory.
#[test]
fn generated_hostile_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    let head = "ztc: 1\nmetadata: {name: generated}\nregion: us-east-1\n";
    let mut cases: Vec<(&str, PathBuf, Expect)> = Vec::new();
    let mut add = |name: &'static str, text: String, expect: Expect| {
        let p = tmp.path().join(format!("{name}.yaml"));
        fs::write(&p, text).unwrap();
        cases.push((name, p, expect));
    };
    let deep = Expect::Code("ZT0004".into());
    add(
        "deep_flow_sequences",
        format!("{head}x: {}{}\n", "[".repeat(10_000), "]".repeat(10_000)),
        deep.clone(),
    );
    add(
        "deep_flow_mappings",
        format!(
            "{head}x: {}1{}\n",
            "{a: ".repeat(10_000),
            "}".repeat(10_000)
        ),
        deep.clone(),
    );
    add(
        "deep_block_sequences",
        format!("{head}x:\n  {}x\n", "- ".repeat(10_000)),
        deep.clone(),
    );
    // block mappings 10,000 deep (indentation grows: 100 MB at 10,000; 200 levels show the limit)
    let mut nested = String::from(head);
    for i in 0..200 {
        nested.push_str(&" ".repeat(i));
        nested.push_str("a:\n");
    }
    add("deep_block_mappings", nested, deep);
    // an error at column 75,000 and one whose span is 200,000 characters wide: miette pads labels
    // with `{:width$}` and panics past u16::MAX
    add(
        "error_far_right_on_a_long_line",
        format!("{head}x: [{}!!python/object y]\n", "1, ".repeat(25_000)),
        Expect::Code("ZT0006".into()),
    );
    add(
        "very_wide_span",
        format!(
            "ztc: 1\nmetadata: {{name: generated}}\nregion: {}\n",
            "k".repeat(200_000)
        ),
        Expect::Code("ZT0024".into()),
    );
    // an alias bomb that is wide rather than deep: 100,000 aliases of one 10-node list
    let mut wide = format!("{head}a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [");
    wide.push_str(&"*a, ".repeat(100_000));
    wide.push_str("*a]\n");
    add("wide_alias_bomb", wide, Expect::Code("ZT0003".into()));

    // 100 MB: rejected by its size before it is read. The file is sparse (instant to create);
    // the message names the exact size, which only the check before reading knows.
    let big = tmp.path().join("big.yaml");
    fs::File::create(&big)
        .unwrap()
        .set_len(100 * 1024 * 1024)
        .unwrap();
    cases.push((
        "100_mb",
        big,
        Expect::Text("is 104857600 bytes; specs are limited to 8388608 bytes".into()),
    ));
    // a device has no size to check first: the read itself is bounded
    if Path::new("/dev/zero").exists() {
        cases.push((
            "dev_zero",
            PathBuf::from("/dev/zero"),
            Expect::Text("is more than 8388608 bytes".into()),
        ));
    }

    let mut failures = Vec::new();
    for (name, path, expect) in &cases {
        for p in judge(path, expect, LIMIT) {
            failures.push(format!("{name} ({expect:?}): {p}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ------------------------------------------------------------------------------------------------
// strings that collide with the targets' syntax read back as the literal
// ------------------------------------------------------------------------------------------------

/// Terraform template escapes undone: `$${` is a literal `${`, `%%{` a literal `%{`.
fn tf_unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(c) = rest.chars().next() {
        if let Some(r) = rest.strip_prefix("$${") {
            out.push_str("${");
            rest = r;
        } else if let Some(r) = rest.strip_prefix("%%{") {
            out.push_str("%{");
            rest = r;
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// Pulumi YAML interpolation escape undone: `$$` is a literal `$`.
fn pulumi_unescape(s: &str) -> String {
    s.replace("$$", "$")
}

/// (tags, key description) as read back from one target.
type Strings = (serde_json::Map<String, Value>, String);

fn strings_of(tags: &Value, description: &Value, unescape: fn(&str) -> String) -> Strings {
    let tags = tags
        .as_object()
        .unwrap_or_else(|| panic!("no tags object: {tags}"))
        .iter()
        .map(|(k, v)| {
            let s = v
                .as_str()
                .unwrap_or_else(|| panic!("tag {k} is not a literal string: {v}"));
            (k.clone(), Value::String(unescape(s)))
        })
        .collect();
    let d = description
        .as_str()
        .unwrap_or_else(|| panic!("description is not a literal string: {description}"));
    (tags, unescape(d))
}

#[test]
fn template_strings_read_back_as_the_literal_in_every_target() {
    let fixture = fixtures_dir().join("ok_template_strings.yaml");
    let bytes = fs::read(&fixture).unwrap();
    // what the spec says, as the loader reads it ...
    let (_, loaded) = ztc::yaml::load_bytes(
        &bytes,
        "ok_template_strings.yaml",
        ztc::yaml::Limits::default(),
    );
    let spec = loaded.expect("the fixture loads").to_json();
    let want_tags = spec["tags"]["required"].as_object().unwrap().clone();
    let want_desc = format!(
        "{} (hostile-strings)",
        spec["keys"]["s3"]["description"].as_str().unwrap()
    );
    assert!(want_tags.len() >= 20);
    // ... and as PyYAML reads it (an independent YAML parser must agree on the literals)
    let pyyaml = common::pulumi_python().ok().map(|py| {
        let out = Command::new(py)
            .args([
                "-c",
                "import json, sys, yaml; d = yaml.safe_load(open(sys.argv[1], encoding='utf-8')); \
                 print(json.dumps({'tags': d['tags']['required'], \
                 'description': d['keys']['s3']['description']}))",
            ])
            .arg(&fixture)
            .output()
            .expect("run PyYAML");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    });
    if let Some(py) = &pyyaml {
        assert_eq!(
            py["tags"],
            Value::Object(want_tags.clone()),
            "ztc's loader and PyYAML disagree"
        );
    }

    let out = tempfile::tempdir().unwrap();
    let o = out.path().to_str().unwrap();
    let run = ztc(&[
        "build",
        fixture.to_str().unwrap(),
        "--target",
        "all",
        "-o",
        o,
    ]);
    assert_eq!(
        run.code,
        Some(0),
        "build: {}",
        String::from_utf8_lossy(&run.stderr)
    );

    let check = |target: &str, (tags, desc): Strings| {
        for (k, v) in &want_tags {
            assert_eq!(tags.get(k), Some(v), "{target}: tag {k} does not read back");
        }
        assert_eq!(tags.len(), want_tags.len(), "{target}: tags {tags:?}");
        assert_eq!(desc, want_desc, "{target}: key description");
    };

    // Terraform JSON
    let doc: Value = serde_json::from_slice(
        &fs::read(
            out.path()
                .join("cdktf/cdktf.out/stacks/hostile-strings/cdk.tf.json"),
        )
        .unwrap(),
    )
    .expect("cdk.tf.json is JSON");
    check(
        "Terraform JSON",
        strings_of(
            &doc["provider"]["aws"][0]["default_tags"][0]["tags"],
            &doc["resource"]["aws_kms_key"]["s3"]["description"],
            tf_unescape,
        ),
    );

    // HCL through HashiCorp's parser
    match common::hcl2json(&out.path().join("hcl")) {
        Ok(files) => {
            let doc = common::merge_hcl(&files);
            check(
                "HCL",
                strings_of(
                    &doc["provider"]["aws"][0]["default_tags"][0]["tags"],
                    &doc["resource"]["aws_kms_key"]["s3"]["description"],
                    tf_unescape,
                ),
            );
        }
        Err(common::ToolError::Missing(why)) => common::tool_missing("hcl2json", &why),
        Err(common::ToolError::Failed(e)) => panic!("HashiCorp's parser rejected the HCL: {e}"),
    }

    // Pulumi YAML through PyYAML
    match common::pulumi_python() {
        Ok(py) => {
            let out = Command::new(py)
                .args([
                    "-c",
                    "import json, sys, yaml\n\
                     d = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n\
                     r = d['resources']\n\
                     prov = [v for v in r.values() if v['type'] == 'pulumi:providers:aws']\n\
                     keys = [v for v in r.values() if v['type'] == 'aws:kms/key:Key']\n\
                     print(json.dumps({'tags': prov[0]['properties']['defaultTags']['tags'], \
                     'description': keys[0]['properties']['description']}))",
                ])
                .arg(out.path().join("pulumi/Pulumi.yaml"))
                .output()
                .expect("run PyYAML");
            assert!(
                out.status.success(),
                "PyYAML cannot read Pulumi.yaml: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            check(
                "Pulumi YAML",
                strings_of(&v["tags"], &v["description"], pulumi_unescape),
            );
        }
        Err(why) => common::tool_missing("venv-pulumi (PyYAML)", &why),
    }
}

#[test]
fn unescaping_helpers_follow_the_targets_rules() {
    assert_eq!(
        tf_unescape("$${x} %%{y} $$${z} $$ %% $"),
        "${x} %{y} $${z} $$ %% $"
    );
    assert_eq!(pulumi_unescape("a $${x} $$ $"), "a ${x} $ $");
}
