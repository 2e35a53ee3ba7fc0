//! Requirements conformance: every requirement ID of every seed (`tests/conformance/*.yaml`) is
//! checked on the generated Terraform (parsed by HashiCorp's HCL parser) or on the diagnostic
//! that answers it. Prints the matrix `ID → pass | fail | answered-by-CODE | open` and totals.
//!
//! Assertion forms (a requirement passes when all of its assertions hold):
//! - `has: TYPE` / `count: [TYPE, N]` / `none: [TYPE, ...]` (resources; `data.TYPE` for data sources)
//! - `all: [TYPE, PATH, VALUE]` / `some: [TYPE, PATH, VALUE]` (PATH: dot-separated keys and indexes)
//! - `text: [TYPE, SUBSTRING]` / `text_all: [TYPE, SUBSTRING]` / `text_none: [TYPE, SUBSTRING]`
//!   (in the block's text as HashiCorp's parser returns it, expressions included)
//! - `where: [TYPE, FILTER_PATH, FILTER_VALUE, PATH, VALUE]` (every block passing the filter)
//! - `provider: [PATH, VALUE]`, `terraform: [PATH, VALUE]`, `output: NAME`, `file: NAME`,
//!   `file_contains: [NAME, SUBSTRING]`
//! - `diag: CODE` (the compiler reports it, waived or not)
//! - `open: REASON` (known gap: reported, not failed)

mod common;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use ztc::emit::Target;

#[derive(Debug, PartialEq)]
enum Status {
    Pass,
    Fail(String),
    Answered(String),
    Open(String),
}

struct Output {
    doc: Value,
    files: Vec<String>,
    texts: BTreeMap<String, String>,
    codes: Vec<&'static str>,
}

fn build(spec: &str) -> Option<Output> {
    let built = common::build_spec(spec);
    let doc = common::parsed_hcl(built.dir.path())?;
    let files = ztc::emit::emit(built.module(), Target::Hcl, &built.compiled.diagnostics);
    let texts = files
        .iter()
        .filter_map(|(p, b)| String::from_utf8(b.clone()).ok().map(|t| (p.clone(), t)))
        .collect();
    Some(Output {
        doc,
        files: files.into_iter().map(|(p, _)| p).collect(),
        texts,
        codes: built.compiled.diagnostics.iter().map(|d| d.code).collect(),
    })
}

fn blocks<'a>(doc: &'a Value, ty: &str) -> Vec<(&'a String, &'a Value)> {
    let (kind, ty) = match ty.strip_prefix("data.") {
        Some(t) => ("data", t),
        None => ("resource", ty),
    };
    doc[kind][ty]
        .as_object()
        .map(|o| o.iter().collect())
        .unwrap_or_default()
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    let mut cur = v;
    for seg in path.split('.') {
        cur = match seg.parse::<usize>() {
            Ok(i) if cur.is_array() => &cur[i],
            _ => &cur[seg],
        };
    }
    cur
}

fn as_list(v: &Value) -> Vec<Value> {
    v.as_array().cloned().unwrap_or_else(|| vec![v.clone()])
}

fn check(out: &Output, assertion: &Value) -> Result<(), String> {
    let (k, v) = assertion
        .as_object()
        .and_then(|o| o.iter().next())
        .ok_or("empty assertion")?;
    let arg = |i: usize| v.get(i).cloned().unwrap_or(Value::Null);
    let s = |x: Value| {
        x.as_str()
            .map(String::from)
            .unwrap_or_else(|| x.to_string())
    };
    match k.as_str() {
        "has" => (!blocks(&out.doc, v.as_str().unwrap_or("")).is_empty())
            .then_some(())
            .ok_or(format!("no {v}")),
        "count" => {
            let n = blocks(&out.doc, &s(arg(0))).len() as u64;
            (Some(n) == arg(1).as_u64()).then_some(()).ok_or(format!(
                "{} × {}, want {}",
                n,
                s(arg(0)),
                arg(1)
            ))
        }
        "none" => {
            for t in as_list(v) {
                if !blocks(&out.doc, &s(t.clone())).is_empty() {
                    return Err(format!("{} present", s(t)));
                }
            }
            Ok(())
        }
        "all" | "some" => {
            let bs = blocks(&out.doc, &s(arg(0)));
            if bs.is_empty() {
                return Err(format!("no {}", s(arg(0))));
            }
            let want = arg(2);
            let hits = bs
                .iter()
                .filter(|(_, b)| at(b, &s(arg(1))) == &want)
                .count();
            let ok = if k == "all" {
                hits == bs.len()
            } else {
                hits > 0
            };
            ok.then_some(()).ok_or(format!(
                "{k} {}.{} == {want}: {hits}/{}",
                s(arg(0)),
                s(arg(1)),
                bs.len()
            ))
        }
        "text_none" => {
            let bs = blocks(&out.doc, &s(arg(0)));
            let needle = s(arg(1));
            let hits: Vec<&String> = bs
                .iter()
                .filter(|(_, b)| b.to_string().contains(&needle))
                .map(|(n, _)| *n)
                .collect();
            hits.is_empty()
                .then_some(())
                .ok_or(format!("{} ∌ {needle} fails for {hits:?}", s(arg(0))))
        }
        "text" | "text_all" => {
            let bs = blocks(&out.doc, &s(arg(0)));
            let needle = s(arg(1));
            let hits = bs
                .iter()
                .filter(|(_, b)| b.to_string().contains(&needle))
                .count();
            let ok = if k == "text" {
                hits > 0
            } else {
                !bs.is_empty() && hits == bs.len()
            };
            ok.then_some(())
                .ok_or(format!("{k} {} ∋ {needle}: {hits}/{}", s(arg(0)), bs.len()))
        }
        "provider" | "terraform" => {
            let list = if k == "provider" {
                &out.doc["provider"]["aws"]
            } else {
                &out.doc["terraform"]
            };
            let list = list.as_array().cloned().unwrap_or_default();
            let want = arg(1);
            list.iter()
                .any(|p| at(p, &s(arg(0))) == &want)
                .then_some(())
                .ok_or(format!("no {k} with {} == {want}", s(arg(0))))
        }
        "where" => {
            // [TYPE, FILTER_PATH, FILTER_VALUE, PATH, VALUE]: every matching block has VALUE
            let bs: Vec<_> = blocks(&out.doc, &s(arg(0)))
                .into_iter()
                .filter(|(_, b)| at(b, &s(arg(1))) == &arg(2))
                .collect();
            if bs.is_empty() {
                return Err(format!("no {} with {} == {}", s(arg(0)), s(arg(1)), arg(2)));
            }
            let bad = bs
                .iter()
                .filter(|(_, b)| at(b, &s(arg(3))) != &arg(4))
                .count();
            (bad == 0).then_some(()).ok_or(format!(
                "{bad}/{} {} with {} == {} lack {} == {}",
                bs.len(),
                s(arg(0)),
                s(arg(1)),
                arg(2),
                s(arg(3)),
                arg(4)
            ))
        }
        "file_contains" => out
            .texts
            .get(&s(arg(0)))
            .filter(|t| t.contains(&s(arg(1))))
            .map(|_| ())
            .ok_or(format!("{} does not contain {}", s(arg(0)), s(arg(1)))),
        "output" => out.doc["output"]
            .get(v.as_str().unwrap_or(""))
            .map(|_| ())
            .ok_or(format!("no output {v}")),
        "file" => out
            .files
            .iter()
            .any(|f| f == v.as_str().unwrap_or(""))
            .then_some(())
            .ok_or(format!("no file {v}")),
        "diag" => out
            .codes
            .contains(&v.as_str().unwrap_or(""))
            .then_some(())
            .ok_or(format!("no diagnostic {v}")),
        other => Err(format!("unknown assertion `{other}`")),
    }
}

fn evaluate(out: &Output, assertions: &[Value]) -> Status {
    if let Some(reason) = assertions.iter().find_map(|a| a.get("open")) {
        return Status::Open(reason.as_str().unwrap_or("").to_string());
    }
    for a in assertions {
        if let Err(e) = check(out, a) {
            return Status::Fail(e);
        }
    }
    let diags: Vec<String> = assertions
        .iter()
        .filter_map(|a| a.get("diag").and_then(Value::as_str).map(String::from))
        .collect();
    if !diags.is_empty() && diags.len() == assertions.len() {
        return Status::Answered(diags.join("+"));
    }
    Status::Pass
}

fn load(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    let src = ztc::source::SourceFile::new(path.display().to_string(), text);
    ztc::yaml::load(&src, ztc::yaml::Limits::default())
        .unwrap_or_else(|e| panic!("{}: {:?}", path.display(), e))
        .to_json()
}

#[test]
fn every_requirement_is_verified_on_the_output() {
    let dir = common::repo_root().join("tests/conformance");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for file in entries {
        let data = load(&file);
        let spec = data["spec"].as_str().unwrap();
        let Some(out) = build(spec) else { return };
        for (id, assertions) in data["requirements"].as_object().unwrap() {
            let list = as_list(assertions);
            let st = evaluate(&out, &list);
            let (key, shown) = match &st {
                Status::Pass => ("pass", "pass".to_string()),
                Status::Answered(c) => ("answered", format!("answered-by-{c}")),
                Status::Open(r) => ("open", format!("open ({r})")),
                Status::Fail(e) => ("fail", format!("FAIL: {e}")),
            };
            *totals.entry(key).or_default() += 1;
            if let Status::Fail(_) = st {
                failures.push(format!("{id}: {shown}"));
            }
            lines.push(format!("{id:<12} {shown}"));
        }
    }
    println!("{}", lines.join("\n"));
    let total: usize = totals.values().sum();
    println!(
        "requirements: {total} total, {} pass, {} answered by a diagnostic, {} open, {} fail",
        totals.get("pass").unwrap_or(&0),
        totals.get("answered").unwrap_or(&0),
        totals.get("open").unwrap_or(&0),
        totals.get("fail").unwrap_or(&0)
    );
    assert!(
        failures.is_empty(),
        "requirements not met:\n{}",
        failures.join("\n")
    );
}
