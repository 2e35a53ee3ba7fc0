//! The schema in a real editor: yaml-language-server 1.25 (what VS Code, JetBrains and Neovim run)
//! driven over stdio LSP by `tests/lsp/client.js`. Documents name the committed schema with the
//! `# yaml-language-server: $schema=...` modeline; the schema store is off, nothing touches the
//! network.
//!
//! Completion (top-level sections, every section's keys, enum values), hover (descriptions),
//! diagnostics (bad enum value, unknown key; none on the committed specs and on `ztc init`
//! output), and a coverage figure: how many of the schema's properties complete as keys in a
//! document generated from the schema (printed; recorded in the README).

mod common;

use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

fn schema_path() -> PathBuf {
    common::repo_root()
        .join("schema")
        .join("zerotrust.schema.json")
}

fn schema() -> Value {
    serde_json::from_str(&std::fs::read_to_string(schema_path()).unwrap()).unwrap()
}

fn modeline() -> String {
    format!(
        "# yaml-language-server: $schema={}\n",
        schema_path().display()
    )
}

fn uri(p: &Path) -> String {
    format!("file://{}", p.display())
}

/// `node_modules` holding yaml-language-server, or why the test cannot run.
fn server_modules() -> Result<PathBuf, String> {
    let nm = common::tools_dir().join("node").join("node_modules");
    if !nm
        .join("yaml-language-server")
        .join("package.json")
        .is_file()
    {
        return Err(format!(
            "yaml-language-server is not installed under {} (bash scripts/install-test-tools.sh)",
            nm.display()
        ));
    }
    match Command::new("node").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(nm),
        _ => Err("`node` is not on PATH".into()),
    }
}

/// Run the LSP client on a request; None (after `tool_missing`) without the server.
fn lsp(request: &Value) -> Option<Value> {
    let nm = match server_modules() {
        Ok(nm) => nm,
        Err(why) => {
            common::tool_missing("yaml-language-server", &why);
            return None;
        }
    };
    let t0 = Instant::now();
    let mut child = Command::new("node")
        .arg(
            common::repo_root()
                .join("tests")
                .join("lsp")
                .join("client.js"),
        )
        .env("NODE_PATH", &nm)
        .env("ZTC_LSP_TIMEOUT_MS", "300000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(request.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "client.js failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("client JSON");
    eprintln!(
        "yaml-language-server {}: {} document(s) in {:.1}s",
        v["server"],
        request["documents"].as_array().map_or(0, Vec::len),
        t0.elapsed().as_secs_f64()
    );
    Some(v)
}

/// One document; returns its result.
fn lsp_doc(
    path: &str,
    text: &str,
    completions: &[(usize, usize)],
    hovers: &[(usize, usize)],
) -> Option<Value> {
    let v = lsp(&json!({"documents": [{
        "uri": format!("file:///ztc-lsp-test/{path}"),
        "text": text,
        "completions": completions.iter().map(|(l, c)| json!([l, c])).collect::<Vec<_>>(),
        "hovers": hovers.iter().map(|(l, c)| json!([l, c])).collect::<Vec<_>>(),
    }]}))?;
    Some(v["documents"][0].clone())
}

fn labels(v: &Value) -> BTreeSet<String> {
    v["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap().to_string())
        .collect()
}

/// Follow `$ref` and one-element `allOf` wrappers to the schema that says what a value is.
fn resolve<'a>(root: &'a Value, mut s: &'a Value) -> (&'a Value, Option<String>) {
    let mut def = None;
    loop {
        if let Some(r) = s.get("$ref").and_then(Value::as_str) {
            def = Some(r.to_string());
            s = root.pointer(r.trim_start_matches('#')).expect("ref");
        } else if let Some([one]) = s.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            s = one;
        } else {
            return (s, def);
        }
    }
}

fn props(s: &Value) -> Option<&serde_json::Map<String, Value>> {
    s.get("properties").and_then(Value::as_object)
}

// ------------------------------------------------------------------------------------------------
// completion
// ------------------------------------------------------------------------------------------------

#[test]
fn top_level_completion_lists_every_section() {
    let text = format!("{}\n", modeline());
    let Some(doc) = lsp_doc("top.yaml", &text, &[(1, 0)], &[]) else {
        return;
    };
    let got = labels(&doc["completions"][0]);
    let want: BTreeSet<String> = props(&schema()).unwrap().keys().cloned().collect();
    let missing: Vec<_> = want.difference(&got).collect();
    assert!(
        missing.is_empty(),
        "top-level sections not completed: {missing:?} (got {got:?})"
    );
}

#[test]
fn every_object_section_completes_its_keys() {
    let root = schema();
    let mut text = modeline();
    let mut probes = Vec::new();
    let mut expected = Vec::new();
    // one document per section would start a server each: put every section in one document,
    // each with an empty line to complete on
    for (name, p) in props(&root).unwrap() {
        let (s, _) = resolve(&root, p);
        let Some(keys) = props(s) else { continue };
        text.push_str(&format!("{name}:\n  \n"));
        let line = text.lines().count() - 1;
        probes.push((line, 2));
        expected.push((name.clone(), keys.keys().cloned().collect::<BTreeSet<_>>()));
    }
    assert!(expected.len() >= 15, "object sections: {}", expected.len());
    let Some(doc) = lsp_doc("sections.yaml", &text, &probes, &[]) else {
        return;
    };
    let mut failures = Vec::new();
    for ((name, want), got) in expected.iter().zip(doc["completions"].as_array().unwrap()) {
        let got = labels(got);
        let missing: Vec<_> = want.difference(&got).collect();
        if !missing.is_empty() {
            failures.push(format!("{name}: missing {missing:?}, got {got:?}"));
        }
    }
    eprintln!(
        "{} object sections complete all their keys",
        expected.len() - failures.len()
    );
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn enum_values_complete() {
    let text = format!(
        "{}ztc: 1\ncompliance:\n  lifecycle: \nnetwork:\n  endpoints:\n    s3:\n      type: \n  tiers:\n    private:\n      role: \n",
        modeline()
    );
    let Some(doc) = lsp_doc("enums.yaml", &text, &[(3, 13), (7, 12), (10, 12)], &[]) else {
        return;
    };
    let c = doc["completions"].as_array().unwrap();
    let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(labels(&c[0]), set(&["ephemeral", "persistent"]));
    assert_eq!(labels(&c[1]), set(&["gateway", "interface"]));
    assert_eq!(
        labels(&c[2]),
        set(&["workload", "endpoints", "firewall", "public"])
    );
}

// ------------------------------------------------------------------------------------------------
// hover
// ------------------------------------------------------------------------------------------------

#[test]
fn hover_shows_the_property_description() {
    let root = schema();
    let text = format!(
        "{}ztc: 1\nmetadata:\n  name: payments\nregion: us-east-1\nnetwork:\n  cidr: 10.0.0.0/16\ncompliance: {{}}\n",
        modeline()
    );
    let Some(doc) = lsp_doc(
        "hover.yaml",
        &text,
        &[],
        &[(3, 3), (4, 2), (5, 3), (6, 4), (7, 3)],
    ) else {
        return;
    };
    let desc = |ptr: &str| {
        root.pointer(ptr)
            .and_then(Value::as_str)
            .unwrap()
            .to_string()
    };
    let want = [
        desc("/definitions/Metadata/properties/name/description"),
        desc("/properties/region/description"),
        desc("/properties/network/description"),
        desc("/definitions/Network/properties/cidr/description"),
        desc("/properties/compliance/description"),
    ];
    for (h, want) in doc["hovers"].as_array().unwrap().iter().zip(want) {
        let text = h["text"].as_str().unwrap_or_default();
        // the server renders Markdown: compare on the words
        let words = |s: &str| {
            s.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(
            words(text).contains(&words(&want)),
            "hover at {} shows {text:?}, not the description {want:?}",
            h["at"]
        );
    }
}

// ------------------------------------------------------------------------------------------------
// diagnostics
// ------------------------------------------------------------------------------------------------

#[test]
fn diagnostics_for_a_bad_enum_value_and_an_unknown_key() {
    let text = format!(
        "{}ztc: 1\nmetadata:\n  name: payments\n  colour: blue\nregion: us-east-1\ncompliance:\n  lifecycle: forever\n",
        modeline()
    );
    let Some(doc) = lsp_doc("bad.yaml", &text, &[], &[]) else {
        return;
    };
    let diags = doc["diagnostics"].as_array().unwrap();
    let at = |line: u64| {
        diags
            .iter()
            .filter(|d| d["line"] == line)
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let unknown = at(4);
    assert!(
        unknown
            .iter()
            .any(|m| m.contains("colour") && m.contains("not allowed")),
        "unknown key: {diags:#?}"
    );
    let bad = at(7);
    assert!(
        bad.iter()
            .any(|m| m.contains("ephemeral") && m.contains("persistent")),
        "bad enum value: {diags:#?}"
    );
    assert_eq!(diags.len(), 2, "{diags:#?}");
}

#[test]
fn conditional_requirement_is_flagged() {
    // schema `if`/`then`: an interface endpoint needs a security group
    let text = format!(
        "{}ztc: 1\nmetadata: {{name: demo}}\nregion: us-east-1\nnetwork:\n  name: v\n  cidr: 10.0.0.0/16\n  tiers: {{private: {{prefix: 24}}}}\n  endpoints:\n    ec2: {{type: interface, tiers: [private]}}\n    s3: {{type: gateway, tiers: [private]}}\n",
        modeline()
    );
    let Some(doc) = lsp_doc("cond.yaml", &text, &[], &[]) else {
        return;
    };
    let diags = doc["diagnostics"].as_array().unwrap();
    assert!(
        diags
            .iter()
            .any(|d| d["line"] == 9 && d["message"].as_str().unwrap().contains("security_group")),
        "{diags:#?}"
    );
    assert_eq!(diags.len(), 1, "{diags:#?}");
}

#[test]
fn committed_specs_and_init_output_have_no_diagnostics() {
    let root = common::repo_root();
    let mut docs = Vec::new();
    let mut specs: Vec<PathBuf> = std::fs::read_dir(root.join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    for p in &specs {
        let text = std::fs::read_to_string(p).unwrap();
        assert!(text.contains("# yaml-language-server: $schema=../schema/zerotrust.schema.json"));
        docs.push(json!({"uri": uri(p), "text": text}));
    }
    // `ztc init` run in the repository root: the modeline is the relative path to the schema
    for profile in ["pci-dss-v4", "soc2", "zero-trust"] {
        let out = Command::new(env!("CARGO_BIN_EXE_ztc"))
            .args([
                "init",
                "-o",
                "-",
                "--profile",
                profile,
                "--name",
                "payments",
                "--region",
                "eu-west-1",
            ])
            .current_dir(&root)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.starts_with("# yaml-language-server: $schema=./schema/zerotrust.schema.json\n")
        );
        docs.push(
            json!({"uri": uri(&root.join(format!("init-{profile}.zerotrust.yaml"))), "text": text}),
        );
    }
    let Some(v) = lsp(&json!({ "documents": docs })) else {
        return;
    };
    let mut noisy = Vec::new();
    for d in v["documents"].as_array().unwrap() {
        if !d["diagnostics"].as_array().unwrap().is_empty() {
            noisy.push(format!("{}: {:#}", d["uri"], d["diagnostics"]));
        }
    }
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
}

// ------------------------------------------------------------------------------------------------
// coverage: every schema property, key completion in a generated full document
// ------------------------------------------------------------------------------------------------

/// Writes a document holding every object of the schema once (definitions are instantiated at the
/// first place they are reached), and remembers where each property key is.
struct Gen<'a> {
    root: &'a Value,
    lines: Vec<String>,
    /// (line, column at the end of the key, key, schema pointer of the property)
    probes: Vec<(usize, usize, String, String)>,
    seen: BTreeSet<String>,
}

fn def_ptr(d: Option<String>) -> String {
    d.map(|d| d.trim_start_matches('#').to_string())
        .unwrap_or_default()
}

impl<'a> Gen<'a> {
    fn object(&mut self, s: &'a Value, ptr: &str, indent: usize) {
        let Some(ps) = props(s) else { return };
        for (k, p) in ps {
            let line = self.lines.len();
            self.probes.push((
                line,
                indent + k.len(),
                k.clone(),
                format!("{ptr}/properties/{k}"),
            ));
            let pad = " ".repeat(indent);
            match self.value(p) {
                Val::Scalar(v) => self.lines.push(format!("{pad}{k}: {v}")),
                Val::Object(o, optr) => {
                    self.lines.push(format!("{pad}{k}:"));
                    self.object(o, &optr, indent + 2);
                }
                // maps and lists take another entry while their value type still leads to a
                // definition not written yet (e.g. the second object alternative of a union)
                Val::Map(o, optr) => {
                    self.lines.push(format!("{pad}{k}:"));
                    for n in 1..=4 {
                        let name = if n == 1 {
                            "example".to_string()
                        } else {
                            format!("example{n}")
                        };
                        self.lines.push(format!("{pad}  {name}:"));
                        self.object(o, &optr, indent + 4);
                        if !self.unseen_below(o, &mut BTreeSet::new()) {
                            break;
                        }
                    }
                }
                Val::List(o, optr) => {
                    self.lines.push(format!("{pad}{k}:"));
                    for _ in 1..=4 {
                        let first = self.lines.len();
                        self.object(o, &optr, indent + 4);
                        if first < self.lines.len() {
                            let l = &mut self.lines[first];
                            l.replace_range(indent + 2..indent + 4, "- ");
                        }
                        if !self.unseen_below(o, &mut BTreeSet::new()) {
                            break;
                        }
                    }
                }
            }
        }
    }

    /// Does a value of schema `p` lead to a definition not written yet?
    fn unseen_below(&self, p: &'a Value, stack: &mut BTreeSet<String>) -> bool {
        let (s, def) = resolve(self.root, p);
        if let Some(d) = &def {
            let d = def_ptr(Some(d.clone()));
            if props(s).is_some() && !self.seen.contains(&d) {
                return true;
            }
            if !stack.insert(d) {
                return false;
            }
        }
        let mut subs: Vec<&Value> = Vec::new();
        if let Some(ps) = props(s) {
            subs.extend(ps.values());
        }
        for k in ["oneOf", "anyOf"] {
            if let Some(a) = s.get(k).and_then(Value::as_array) {
                subs.extend(a);
            }
        }
        for k in ["additionalProperties", "items"] {
            if let Some(x) = s.get(k).filter(|x| x.is_object()) {
                subs.push(x);
            }
        }
        subs.into_iter().any(|x| self.unseen_below(x, stack))
    }

    /// What to write for a value of schema `p`: a nested object the first time a definition is
    /// met, or again when it leads to one not met yet (preferring, in unions, such an
    /// alternative); else a scalar.
    fn value(&mut self, p: &'a Value) -> Val<'a> {
        let (s, def) = resolve(self.root, p);
        if props(s).is_some() {
            let ptr = def_ptr(def);
            if self.seen.insert(ptr.clone()) || self.unseen_below(s, &mut BTreeSet::new()) {
                return Val::Object(s, ptr);
            }
            return Val::Scalar("{}".into());
        }
        if let Some(alts) = s.get("oneOf").or(s.get("anyOf")).and_then(Value::as_array) {
            if let Some(a) = alts
                .iter()
                .find(|a| self.unseen_below(a, &mut BTreeSet::new()))
            {
                return self.value(a);
            }
            return match alts
                .iter()
                .find(|a| props(resolve(self.root, a).0).is_none())
            {
                Some(a) => self.value(a),
                None => Val::Scalar("{}".into()),
            };
        }
        if let Some(add) = s.get("additionalProperties").filter(|a| a.is_object()) {
            let (x, d) = resolve(self.root, add);
            if props(x).is_some() {
                let ptr = def_ptr(d);
                if self.seen.insert(ptr.clone()) || self.unseen_below(x, &mut BTreeSet::new()) {
                    return Val::Map(x, ptr);
                }
            }
            return Val::Scalar("{}".into());
        }
        if let Some(items) = s.get("items") {
            let (x, d) = resolve(self.root, items);
            if props(x).is_some() {
                let ptr = def_ptr(d);
                if self.seen.insert(ptr.clone()) || self.unseen_below(x, &mut BTreeSet::new()) {
                    return Val::List(x, ptr);
                }
            }
            return Val::Scalar("[]".into());
        }
        let scalar = if let Some(c) = s.get("const") {
            c.to_string()
        } else if let Some(e) = s.get("enum").and_then(|e| e.get(0)) {
            e.to_string()
        } else {
            match s.get("type").and_then(Value::as_str) {
                Some("integer") | Some("number") => "1".into(),
                Some("boolean") => "true".into(),
                Some("array") => "[]".into(),
                Some("object") => "{}".into(),
                _ => "x".into(),
            }
        };
        Val::Scalar(scalar)
    }
}

enum Val<'a> {
    Scalar(String),
    Object(&'a Value, String),
    Map(&'a Value, String),
    List(&'a Value, String),
}

/// Every property of the schema, by pointer (conditions' `patternProperties` are not properties).
fn all_properties(v: &Value, ptr: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(o) => {
            if let Some(ps) = o.get("properties").and_then(Value::as_object) {
                for k in ps.keys() {
                    out.insert(format!("{ptr}/properties/{k}"));
                }
            }
            for (k, x) in o {
                all_properties(x, &format!("{ptr}/{k}"), out);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                all_properties(x, &format!("{ptr}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[test]
fn key_completion_coverage_of_the_schema() {
    let root = schema();
    let mut g = Gen {
        root: &root,
        lines: vec![modeline().trim_end().to_string()],
        probes: vec![],
        seen: BTreeSet::new(),
    };
    g.object(&root, "", 0);
    // control: a key the schema does not have is not offered (the server does not echo the key
    // under the cursor)
    g.lines.push("not_a_section: x".into());
    let control = (g.lines.len() - 1, "not_a_section".len());
    let text = g.lines.join("\n") + "\n";
    let mut probes: Vec<(usize, usize)> = g.probes.iter().map(|(l, c, _, _)| (*l, *c)).collect();
    probes.push(control);
    let Some(doc) = lsp_doc("full.yaml", &text, &probes, &[]) else {
        return;
    };
    let control = labels(doc["completions"].as_array().unwrap().last().unwrap());
    assert!(
        !control.contains("not_a_section"),
        "control probe: {control:?}"
    );
    let mut all = BTreeSet::new();
    all_properties(&root, "", &mut all);
    let mut working = BTreeSet::new();
    let mut failing = BTreeMap::new();
    for ((line, _, key, ptr), c) in g.probes.iter().zip(doc["completions"].as_array().unwrap()) {
        if labels(c).contains(key) {
            working.insert(ptr.clone());
        } else {
            failing.insert(ptr.clone(), (line + 1, labels(c)));
        }
    }
    let unreached: Vec<&String> = all
        .iter()
        .filter(|p| !g.probes.iter().any(|x| &x.3 == *p))
        .collect();
    let covered = all.iter().filter(|p| working.contains(*p)).count();
    println!(
        "LSP key completion coverage: {covered} of {} schema properties ({:.1}%) complete in a generated {}-line document; {} unreached, {} failing",
        all.len(),
        100.0 * covered as f64 / all.len() as f64,
        g.lines.len(),
        unreached.len(),
        failing.len()
    );
    for (p, (line, got)) in &failing {
        println!("  no completion: {p} (line {line}; got {got:?})");
    }
    for p in &unreached {
        println!("  not in the document: {p}");
    }
    assert!(unreached.is_empty(), "the generator missed {unreached:?}");
    assert_eq!(
        covered,
        all.len(),
        "properties without key completion: {failing:#?}"
    );
}

// ------------------------------------------------------------------------------------------------
// SchemaStore-style catalog
// ------------------------------------------------------------------------------------------------

#[test]
fn catalog_entry_associates_the_schema_by_file_name() {
    let catalog: Value = serde_json::from_str(
        &std::fs::read_to_string(common::repo_root().join("schema").join("catalog.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        catalog["$schema"],
        "https://json.schemastore.org/schema-catalog.json"
    );
    assert_eq!(catalog["version"], 1);
    let entry = &catalog["schemas"][0];
    assert_eq!(
        entry["url"],
        schema()["$id"],
        "the catalog points at the schema's $id"
    );
    let globs: Vec<String> = entry["fileMatch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g.as_str().unwrap().to_string())
        .collect();
    for g in [
        "zerotrust.yaml",
        "zerotrust.yml",
        "*.zerotrust.yaml",
        "*.zerotrust.yml",
    ] {
        assert!(globs.iter().any(|x| x == g), "fileMatch lacks {g}");
    }
    // what an editor does with the entry: associate the schema (here the local file instead of
    // the URL) with the entry's globs; documents without a modeline are then checked by name
    let bad =
        "ztc: 1\nmetadata: {name: demo}\nregion: us-east-1\ncompliance: {lifecycle: forever}\n";
    let names = ["zerotrust.yaml", "payments.zerotrust.yml", "other.yaml"];
    let docs: Vec<Value> = names
        .iter()
        .map(|n| json!({"uri": format!("file:///ztc-lsp-test/dir/{n}"), "text": bad}))
        .collect();
    let settings = json!({"schemas": {uri(&schema_path()): globs}});
    let Some(v) = lsp(&json!({"documents": docs, "settings": settings})) else {
        return;
    };
    let counts: Vec<usize> = v["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["diagnostics"].as_array().unwrap().len())
        .collect();
    assert_eq!(
        counts,
        [1, 1, 0],
        "diagnostics per document {names:?}: {v:#}"
    );
}
