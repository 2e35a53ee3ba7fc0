//! The Terraform JSON (CDKTF layout) target, checked by real tools: `terraform validate` with the
//! real provider, HashiCorp's HCL parser for equivalence with the HCL target, checkov in
//! `terraform_json` mode, and Terraform itself evaluating an escaping corpus in both syntaxes.

mod common;

use common::equiv::{assert_equivalent, canon_hcl, canon_json, diff};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde_json::{json, Value};
use ztc::compile::{compile, Compiled, Options};
use ztc::emit::{emit, Target};
use ztc::ir::{
    Address, Block, Body, Concern, Expr, Module, Output, Provider, ProviderReq, Ref, RefTarget,
    ScannerSkip, Validation, VarType, Variable,
};
use ztc::source::Span;

const STACK: &str = "zero-trust-payments";

struct Built {
    compiled: Compiled,
    /// `ztc build --target cdktf` output (cdktf.out/...).
    cdktf: tempfile::TempDir,
    /// `ztc build --target hcl` output of the same spec.
    hcl: tempfile::TempDir,
}

fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) {
    for (p, bytes) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, bytes).unwrap();
    }
}

fn built() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| {
        let path = common::repo_root().join("specs/payment.yaml");
        let bytes = std::fs::read(&path).expect("payment.yaml");
        let compiled = compile("specs/payment.yaml", &bytes, &Options::default());
        let module = compiled.module.as_ref().unwrap_or_else(|| {
            panic!(
                "payment.yaml must compile: {}",
                ztc::diag::render_plain(&compiled.diagnostics, &compiled.source, 100)
            )
        });
        let cdktf = tempfile::tempdir().expect("tempdir");
        write_files(
            cdktf.path(),
            emit(module, Target::Cdktf, &compiled.diagnostics),
        );
        let hcl = tempfile::tempdir().expect("tempdir");
        write_files(hcl.path(), emit(module, Target::Hcl, &compiled.diagnostics));
        Built {
            compiled,
            cdktf,
            hcl,
        }
    })
}

fn module() -> &'static Module {
    built().compiled.module.as_ref().unwrap()
}

fn stack_dir() -> PathBuf {
    built()
        .cdktf
        .path()
        .join("cdktf.out/stacks")
        .join(&module().name)
}

fn stack_text() -> String {
    std::fs::read_to_string(stack_dir().join("cdk.tf.json")).expect("cdk.tf.json")
}

fn stack_json() -> Value {
    serde_json::from_str(&stack_text()).expect("cdk.tf.json is JSON")
}

// ------------------------------------------------------------------------------------------------
// layout
// ------------------------------------------------------------------------------------------------

#[test]
fn layout_is_the_one_cdktf_synth_writes() {
    assert_eq!(module().name, STACK);
    let root = built().cdktf.path();
    let manifest: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("cdktf.out/manifest.json")).unwrap(),
    )
    .unwrap();
    let s = &manifest["stacks"][STACK];
    assert_eq!(s["name"], STACK);
    assert_eq!(s["constructPath"], STACK);
    assert_eq!(s["workingDirectory"], format!("stacks/{STACK}"));
    assert_eq!(
        s["synthesizedStackPath"],
        format!("stacks/{STACK}/cdk.tf.json")
    );
    assert_eq!(s["annotations"], json!([]));
    assert_eq!(s["dependencies"], json!([]));
    assert!(manifest["version"].as_str().unwrap().starts_with("0.20."));
    assert!(root
        .join("cdktf.out")
        .join(s["synthesizedStackPath"].as_str().unwrap())
        .is_file());

    let doc = stack_json();
    let meta = &doc["//"]["metadata"];
    assert_eq!(meta["backend"], "local");
    assert_eq!(meta["stackName"], STACK);
    let outs: Vec<&String> = doc["//"]["outputs"][STACK]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let ir_outs: Vec<&String> = module().outputs.iter().map(|o| &o.name).collect();
    assert_eq!(outs.len(), ir_outs.len());
    // provider as a list, like cdktf
    assert_eq!(doc["provider"]["aws"][0]["region"], "us-east-1");
    assert!(doc["provider"]["aws"][0]["default_tags"].is_array());
    // every resource / data block carries cdktf-style metadata and its spec origin
    for b in module().blocks() {
        let body = block_body(&doc, &b.addr);
        let m = &body["//"];
        assert_eq!(
            m["metadata"]["uniqueId"],
            b.addr.name.as_str(),
            "{}",
            b.addr.tf()
        );
        assert_eq!(
            m["metadata"]["path"],
            format!("{STACK}/{}", b.addr.tf()),
            "{}",
            b.addr.tf()
        );
        assert_eq!(m["ztc"]["origin"], b.origin.as_str());
        let skips: Vec<&str> = m["ztc"]["skips"]
            .as_array()
            .map(|a| a.iter().map(|s| s["id"].as_str().unwrap()).collect())
            .unwrap_or_default();
        let ir: Vec<&str> = b.skips.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(skips, ir, "skips of {}", b.addr.tf());
    }
    // required_version: not in the terraform block (checkov), recorded in the metadata
    assert!(doc["terraform"].get("required_version").is_none());
    assert_eq!(
        doc["//"]["ztc"]["terraformRequiredVersion"],
        module().required_version.as_str()
    );
    assert_eq!(
        doc["terraform"]["required_providers"]["aws"]["source"],
        "hashicorp/aws"
    );
}

fn block_body<'a>(doc: &'a Value, a: &Address) -> &'a Value {
    let v = &doc[a.kind.keyword()][&a.ty][&a.name];
    assert!(v.is_object(), "{} is missing from cdk.tf.json", a.tf());
    v
}

// ------------------------------------------------------------------------------------------------
// terraform validate
// ------------------------------------------------------------------------------------------------

fn tf_ready() -> bool {
    if common::terraform().is_none() {
        common::tool_missing("terraform", &common::terraform_missing_reason());
        return false;
    }
    if common::provider_mirror().is_none() {
        common::tool_missing("provider mirror", &common::provider_mirror_missing_reason());
        return false;
    }
    true
}

#[test]
fn stack_passes_terraform_validate_with_the_real_provider() {
    if !tf_ready() {
        return;
    }
    let v = common::terraform_validate(&stack_dir()).unwrap();
    assert_eq!(v["valid"], true, "{v:#}");
    assert_eq!(v["warning_count"], 0, "validate warnings: {v:#}");
}

#[test]
fn json_and_hcl_describe_the_same_configuration() {
    let doc = stack_json();
    // the same blocks as the IR, by address
    let mut in_json: Vec<String> = Vec::new();
    for (kind, prefix) in [("resource", ""), ("data", "data.")] {
        for (ty, names) in doc[kind].as_object().into_iter().flatten() {
            for n in names.as_object().unwrap().keys() {
                in_json.push(format!("{prefix}{ty}.{n}"));
            }
        }
    }
    in_json.sort();
    let mut in_ir: Vec<String> = module().blocks().map(|b| b.addr.tf()).collect();
    in_ir.sort();
    assert_eq!(in_json, in_ir);
    assert_eq!(
        doc["variable"].as_object().map_or(0, |m| m.len()),
        module().variables.len()
    );
    assert_eq!(
        doc["output"].as_object().map_or(0, |m| m.len()),
        module().outputs.len()
    );
    assert_equivalent(built().hcl.path(), &doc);
}

#[test]
fn the_comparison_catches_differences() {
    // The normaliser must not make everything equal: a changed reference, literal or attribute
    // name is reported.
    let a = json!({"x": "${aws_vpc.a.id}", "l": "v", "t": "p-${jsonencode({ A = \"x\" })}"});
    let same =
        json!({"x": "${ aws_vpc.a.id }", "l": "v", "t": "p-${jsonencode({\n A = \"x\"\n})}"});
    let mut out = Vec::new();
    diff("", &a, &same, &mut out);
    assert!(out.is_empty(), "{out:?}");
    for other in [
        json!({"x": "${aws_vpc.b.id}", "l": "v", "t": "p-${jsonencode({ A = \"x\" })}"}),
        json!({"x": "${aws_vpc.a.id}", "l": "w", "t": "p-${jsonencode({ A = \"x\" })}"}),
        json!({"x": "${aws_vpc.a.id}", "l": "v", "t": "p-${jsonencode({ A = \"y\" })}"}),
        json!({"x": "${aws_vpc.a.id}", "l": "v", "t": "p-$${jsonencode({ A = \"x\" })}"}),
        json!({"y": "${aws_vpc.a.id}", "l": "v", "t": "p-${jsonencode({ A = \"x\" })}"}),
    ] {
        let mut out = Vec::new();
        diff("", &a, &other, &mut out);
        assert!(!out.is_empty(), "not told apart: {other}");
    }
}

// ------------------------------------------------------------------------------------------------
// checkov
// ------------------------------------------------------------------------------------------------

/// Address of each resource / data block by the 1-based line its `"NAME": {` opens on (checkov
/// reports line ranges; in JSON mode it sometimes names a resource `resource.NAME`).
fn block_lines(text: &str) -> BTreeMap<u64, String> {
    let mut out = BTreeMap::new();
    let (mut section, mut ty) = (None::<&str>, String::new());
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        let key = line
            .trim_start()
            .strip_prefix('"')
            .and_then(|l| l.split_once("\": {"))
            .map(|(k, _)| k.to_string());
        match (indent, key) {
            (2, Some(k)) => {
                section = match k.as_str() {
                    "resource" => Some(""),
                    "data" => Some("data."),
                    _ => None,
                }
            }
            (2, None) => section = None,
            (4, Some(k)) => ty = k,
            (6, Some(n)) => {
                if let Some(prefix) = section {
                    out.insert(i as u64 + 1, format!("{prefix}{ty}.{n}"));
                }
            }
            _ => {}
        }
    }
    out
}

#[test]
fn checkov_reports_only_the_waived_checks() {
    if common::checkov_bin().is_none() {
        return common::tool_missing("checkov", &common::checkov_missing_reason());
    }
    let report = common::checkov_report(&stack_dir(), "terraform_json").unwrap();
    assert!(
        report.passed > 50,
        "checkov checked next to nothing: {report:?}"
    );
    let doc = stack_json();
    let lines = block_lines(&stack_text());
    assert_eq!(lines.len(), module().blocks().count());
    let mut unexpected = Vec::new();
    for f in &report.failures {
        let Some(addr) = lines.get(&f.lines.0) else {
            unexpected.push(format!("{f} (no block opens on line {})", f.lines.0));
            continue;
        };
        let named = f.resource == *addr
            || f.resource
                .strip_prefix("resource.")
                .is_some_and(|n| addr.ends_with(&format!(".{n}")));
        let block = module().blocks().find(|b| b.addr.tf() == *addr).unwrap();
        let skips = block_body(&doc, &block.addr)["//"]["ztc"]["skips"].clone();
        let waived = skips.as_array().into_iter().flatten().any(|s| {
            s["id"] == f.check_id.as_str() && s["reason"].as_str().is_some_and(|r| r.len() > 10)
        });
        if !named || !waived {
            unexpected.push(format!(
                "{f} (block at that line: {addr}; its skips: {skips})"
            ));
        }
    }
    assert!(
        unexpected.is_empty(),
        "checkov failures that the spec did not waive on that resource:\n{}",
        unexpected.join("\n")
    );
}

// ------------------------------------------------------------------------------------------------
// escaping, checked by Terraform's own parser and evaluator
// ------------------------------------------------------------------------------------------------

/// Strings a spec may carry that collide with template syntax, JSON or HCL escapes.
const NASTY: &[&str] = &[
    "${aws:PrincipalTag/Team}",
    "${",
    "%{",
    "$${x}",
    "%%{y}",
    "$$${z}",
    "a $ b % c {d}",
    "quote \" and backslash \\ and \\${x} and \\n",
    "new\nline\ttab\rcr",
    // precomposed: Terraform normalises every string to NFC in both syntaxes ("e\u{301}" is
    // read as "é"), which no escaping can (or should) prevent
    "é 日本 🎉 🇺🇸",
    "\r",
    "crlf\r\n",
    "$",
    "cost: 5$",
    "%",
    "{}",
    "}${}%{}",
    "\u{1b}[0m bell\u{7}",
    "//",
    "",
];

fn nasty_combined() -> String {
    NASTY.join("|")
}

fn var_ref(name: &str) -> Expr {
    Expr::var(name)
}

fn corpus_module() -> Module {
    let combined = nasty_combined();
    let mut outputs = Vec::new();
    let mut out = |name: String, description: String, value: Expr| {
        outputs.push(Output {
            name,
            description,
            value,
            sensitive: false,
            span: Span::default(),
        })
    };
    for (i, s) in NASTY.iter().enumerate() {
        out(format!("str_{i}"), format!("d{i} {s}"), Expr::str(*s));
        // literal / interpolation / literal: the literal must not merge with the `${`
        out(
            format!("tpl_{i}"),
            String::new(),
            Expr::Template(vec![Expr::str(*s), var_ref("v"), Expr::str(*s)]),
        );
    }
    out(
        "list".into(),
        combined.clone(),
        Expr::list_str(NASTY.iter().copied()),
    );
    out(
        "tags".into(),
        String::new(),
        Expr::Object(
            NASTY
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| (format!("k{s}"), Expr::str(*s)))
                .chain([
                    ("Team".to_string(), Expr::str("${aws:PrincipalTag/Team}")),
                    (
                        "Name".to_string(),
                        Expr::Template(vec![Expr::str("n-${x}-"), var_ref("v")]),
                    ),
                ])
                .collect(),
        ),
    );
    let statement = Expr::obj([
        ("Sid", Expr::str("AllowTeam${x}")),
        ("Effect", Expr::str("Allow")),
        (
            "Resource",
            Expr::Template(vec![
                Expr::str("arn:aws:s3:::b/${aws:PrincipalTag/Team}/"),
                var_ref("v"),
            ]),
        ),
        (
            "Condition",
            Expr::obj([(
                "StringEquals",
                Expr::obj([(
                    "aws:PrincipalTag/Team",
                    Expr::str("${aws:PrincipalTag/Team}"),
                )]),
            )]),
        ),
        ("Notes", Expr::list_str(NASTY.iter().copied())),
        (
            "Keys",
            Expr::Object(
                NASTY
                    .iter()
                    .map(|s| (format!("q{s}"), Expr::Int(1)))
                    .collect(),
            ),
        ),
    ]);
    out(
        "policy".into(),
        "policy ${aws:userid}".into(),
        Expr::JsonEncode(Box::new(Expr::obj([
            ("Version", Expr::str("2012-10-17")),
            ("Statement", Expr::List(vec![statement])),
        ]))),
    );
    let local = |n: &str| {
        Expr::Ref(Ref {
            target: RefTarget::Local(n.into()),
            path: vec![],
        })
    };
    out(
        "for_eq_index".into(),
        String::new(),
        Expr::Index(
            Box::new(Expr::For {
                var: "s".into(),
                coll: Box::new(var_ref("w")),
                value: Box::new(Expr::Template(vec![
                    Expr::str("<${"),
                    local("s"),
                    Expr::str("$"),
                ])),
                cond: Some(Box::new(Expr::Eq(
                    Box::new(local("s")),
                    Box::new(Expr::str("${aws:PrincipalTag/Team}")),
                ))),
            }),
            Box::new(Expr::Int(0)),
        ),
    );
    // a literal `$` right before an interpolation, inside a jsonencode
    out(
        "dollar_in_policy".into(),
        String::new(),
        Expr::JsonEncode(Box::new(Expr::obj([(
            "R",
            Expr::Template(vec![Expr::str("p/$$"), var_ref("v")]),
        )]))),
    );
    out("number".into(), String::new(), Expr::Float(1.5));
    out("whole".into(), String::new(), var_ref("w"));

    Module {
        name: "escaping-corpus".into(),
        required_version: ">= 1.5.0".into(),
        variables: vec![
            Variable {
                name: "v".into(),
                ty: VarType::String,
                description: format!("v: {combined}"),
                default: Some(Expr::str(combined.clone())),
                sensitive: false,
                validations: vec![Validation {
                    condition: Expr::Eq(Box::new(var_ref("v")), Box::new(var_ref("v"))),
                    error_message: format!("bad {combined}"),
                }],
                span: Span::default(),
            },
            Variable {
                name: "w".into(),
                ty: VarType::ListString,
                description: "w ${x} %{y}".into(),
                default: Some(Expr::list_str(NASTY.iter().copied())),
                sensitive: false,
                validations: vec![],
                span: Span::default(),
            },
        ],
        outputs,
        ..Module::default()
    }
}

/// What Terraform must print for each corpus output.
fn corpus_expected() -> BTreeMap<String, Value> {
    let v = nasty_combined();
    let mut m = BTreeMap::new();
    for (i, s) in NASTY.iter().enumerate() {
        m.insert(format!("str_{i}"), json!(s));
        m.insert(format!("tpl_{i}"), json!(format!("{s}{v}{s}")));
    }
    m.insert("list".into(), json!(NASTY));
    let mut tags = serde_json::Map::new();
    for s in NASTY.iter().filter(|s| !s.is_empty()) {
        tags.insert(format!("k{s}"), json!(s));
    }
    tags.insert("Team".into(), json!("${aws:PrincipalTag/Team}"));
    tags.insert("Name".into(), json!(format!("n-${{x}}-{v}")));
    m.insert("tags".into(), Value::Object(tags));
    let keys: serde_json::Map<String, Value> =
        NASTY.iter().map(|s| (format!("q{s}"), json!(1))).collect();
    // jsonencode's output is a string: compared as the JSON it holds
    m.insert(
        "policy".into(),
        json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowTeam${x}",
                "Effect": "Allow",
                "Resource": format!("arn:aws:s3:::b/${{aws:PrincipalTag/Team}}/{v}"),
                "Condition": {"StringEquals": {"aws:PrincipalTag/Team": "${aws:PrincipalTag/Team}"}},
                "Notes": NASTY,
                "Keys": keys,
            }]
        }),
    );
    m.insert("dollar_in_policy".into(), json!({"R": format!("p/$${v}")}));
    m.insert("for_eq_index".into(), json!("<${${aws:PrincipalTag/Team}$"));
    m.insert("number".into(), json!(1.5));
    m.insert("whole".into(), json!(NASTY));
    m
}

/// init + plan + apply + output in a copy of `dir`: (outputs, the plan's configuration).
fn terraform_eval(dir: &Path) -> Result<(Value, Value), String> {
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    for e in std::fs::read_dir(dir).map_err(|e| e.to_string())? {
        let e = e.map_err(|e| e.to_string())?;
        if e.file_type().map_err(|e| e.to_string())?.is_file() {
            std::fs::copy(e.path(), tmp.path().join(e.file_name())).map_err(|e| e.to_string())?;
        }
    }
    let run = |args: &[&str]| -> Result<Vec<u8>, String> {
        let o = common::terraform_offline(tmp.path(), args)?;
        if !o.status.success() {
            return Err(format!(
                "terraform {} in {} failed:\n{}\n{}",
                args.join(" "),
                dir.display(),
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ));
        }
        Ok(o.stdout)
    };
    run(&["init", "-input=false", "-no-color"])?;
    run(&["plan", "-input=false", "-no-color", "-out=plan.tfplan"])?;
    let plan: Value = serde_json::from_slice(&run(&["show", "-json", "-no-color", "plan.tfplan"])?)
        .map_err(|e| format!("show -json: {e}"))?;
    run(&[
        "apply",
        "-input=false",
        "-no-color",
        "-auto-approve",
        "plan.tfplan",
    ])?;
    let outputs: Value = serde_json::from_slice(&run(&["output", "-json", "-no-color"])?)
        .map_err(|e| format!("output -json: {e}"))?;
    Ok((outputs, plan["configuration"].clone()))
}

/// Compare Terraform's outputs and configuration with the corpus; the list of mismatches.
fn check_corpus(
    what: &str,
    outputs: &Value,
    config: &Value,
    module: &Module,
) -> Vec<(String, String)> {
    let mut bad = Vec::new();
    for (name, want) in corpus_expected() {
        let got = &outputs[&name]["value"];
        let got = if name == "policy" || name == "dollar_in_policy" {
            match got.as_str().map(serde_json::from_str::<Value>) {
                Some(Ok(v)) => v,
                _ => got.clone(),
            }
        } else {
            got.clone()
        };
        if got != want {
            bad.push((
                name.clone(),
                format!("{what}: output {name}:\n    want {want}\n    got  {got}"),
            ));
        }
    }
    let cfg = &config["root_module"];
    for o in &module.outputs {
        let got = cfg["outputs"][&o.name]["description"]
            .as_str()
            .unwrap_or("");
        if got != o.description {
            bad.push((
                format!("description of {}", o.name),
                format!(
                    "{what}: output {} description:\n    want {:?}\n    got  {got:?}",
                    o.name, o.description
                ),
            ));
        }
    }
    for v in &module.variables {
        let got = &cfg["variables"][&v.name];
        let want_default = match &v.default {
            Some(Expr::Str(s)) => json!(s),
            Some(Expr::List(xs)) => Value::Array(
                xs.iter()
                    .map(|x| match x {
                        Expr::Str(s) => json!(s),
                        other => panic!("{other:?}"),
                    })
                    .collect(),
            ),
            _ => Value::Null,
        };
        if got["description"] != json!(v.description) || got["default"] != want_default {
            bad.push((
                format!("variable {}", v.name),
                format!(
                    "{what}: variable {}:\n    want {:?} / {want_default}\n    got  {} / {}",
                    v.name, v.description, got["description"], got["default"]
                ),
            ));
        }
    }
    bad
}

#[test]
fn escaping_survives_terraforms_own_parser_in_both_syntaxes() {
    if common::terraform().is_none() {
        return common::tool_missing("terraform", &common::terraform_missing_reason());
    }
    let module = corpus_module();
    // HCL
    let hcl_dir = tempfile::tempdir().unwrap();
    for (p, t) in ztc::emit::hcl::emit(&module) {
        std::fs::write(hcl_dir.path().join(p), t).unwrap();
    }
    // Terraform JSON
    let root = tempfile::tempdir().unwrap();
    for (p, t) in ztc::emit::tfjson::emit(&module) {
        let f = root.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    }
    let json_dir = root.path().join("cdktf.out/stacks/escaping-corpus");

    let (outputs, config) = terraform_eval(&json_dir).unwrap();
    let bad = check_corpus("Terraform JSON", &outputs, &config, &module);
    assert!(
        bad.is_empty(),
        "Terraform read the JSON strings differently from the spec's literals:\n{}",
        bad.iter()
            .map(|b| b.1.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );

    let (outputs, config) = terraform_eval(hcl_dir.path()).unwrap();
    let real = check_corpus("HCL", &outputs, &config, &module);
    assert!(
        real.is_empty(),
        "Terraform read the HCL strings differently from the spec's literals:\n{}",
        real.iter()
            .map(|b| b.1.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );

    // HashiCorp's parser reads the HCL, and it says the same as the JSON
    match common::hcl2json(hcl_dir.path()) {
        Err(common::ToolError::Missing(why)) => common::tool_missing("hcl2json", &why),
        Err(common::ToolError::Failed(e)) => panic!("hcl2json rejected the corpus HCL: {e}"),
        Ok(files) => {
            let doc: Value = serde_json::from_str(
                &std::fs::read_to_string(json_dir.join("cdk.tf.json")).unwrap(),
            )
            .unwrap();
            let a = canon_hcl(&files);
            let b = canon_json(&doc);
            let mut out = Vec::new();
            diff("", &a, &b, &mut out);
            assert!(out.is_empty(), "corpus HCL vs JSON:\n{}", out.join("\n"));
        }
    }
}

// ------------------------------------------------------------------------------------------------
// meta-arguments on a small hand-built module
// ------------------------------------------------------------------------------------------------

fn meta_module() -> Module {
    let bucket = Address::resource("aws_s3_bucket", "logs");
    let key = Address::resource("aws_kms_key", "k");
    let block = |addr: Address, body: Body, deps: Vec<Address>| Block {
        addr,
        body,
        concern: Concern::Storage,
        span: Span::new(3, 9),
        origin: "buckets.logs".into(),
        depends_on: deps,
        skips: vec![ScannerSkip {
            id: "CKV_AWS_144".into(),
            reason: "single region ${x}".into(),
        }],
        comment: Some("a comment with ${x}".into()),
        provider: None,
    };
    Module {
        name: "meta".into(),
        required_version: ">= 1.5.0".into(),
        providers_required: vec![ProviderReq {
            name: "aws".into(),
            source: "hashicorp/aws".into(),
            version: "~> 5.0".into(),
        }],
        providers: vec![
            Provider {
                name: "aws".into(),
                alias: None,
                body: Body::new().attr("region", Expr::str("us-east-1")),
            },
            Provider {
                name: "aws".into(),
                alias: Some("west".into()),
                body: Body::new().attr("region", Expr::str("us-west-2")).block(
                    "default_tags",
                    Body::new().attr("tags", Expr::obj([("Team", Expr::str("${aws:x}"))])),
                ),
            },
        ],
        resources: vec![
            block(
                key.clone(),
                Body::new()
                    .attr("enable_key_rotation", Expr::Bool(true))
                    .block(
                        "lifecycle",
                        Body::new().attr("prevent_destroy", Expr::Bool(false)),
                    ),
                vec![],
            ),
            block(
                bucket,
                Body::new()
                    .attr("bucket", Expr::str("logs-${x}"))
                    .attr(
                        "tags",
                        Expr::obj([("KeyArn", key.attr("arn")), ("Note", Expr::str("%{ok}"))]),
                    )
                    .block(
                        "lifecycle",
                        Body::new().attr(
                            "ignore_changes",
                            Expr::List(vec![Expr::Ref(Ref {
                                target: RefTarget::Local("tags".into()),
                                path: vec![],
                            })]),
                        ),
                    ),
                vec![key],
            ),
        ],
        ..Module::default()
    }
}

#[test]
fn meta_arguments_and_aliased_providers_validate_and_match_hcl() {
    let module = meta_module();
    let root = tempfile::tempdir().unwrap();
    for (p, t) in ztc::emit::tfjson::emit(&module) {
        let f = root.path().join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, t).unwrap();
    }
    let dir = root.path().join("cdktf.out/stacks/meta");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("cdk.tf.json")).unwrap()).unwrap();
    let b = &doc["resource"]["aws_s3_bucket"]["logs"];
    assert_eq!(b["depends_on"], json!(["aws_kms_key.k"]));
    assert_eq!(b["lifecycle"], json!({"ignore_changes": ["tags"]}));
    assert_eq!(b["bucket"], "logs-$${x}");
    assert_eq!(b["tags"]["KeyArn"], "${aws_kms_key.k.arn}");
    assert_eq!(b["tags"]["Note"], "%%{ok}");
    assert_eq!(b["//"]["ztc"]["skips"][0]["id"], "CKV_AWS_144");
    assert_eq!(b["//"]["ztc"]["span"], json!([3, 9]));
    assert_eq!(doc["provider"]["aws"][1]["alias"], "west");

    let hcl = tempfile::tempdir().unwrap();
    for (p, t) in ztc::emit::hcl::emit(&module) {
        std::fs::write(hcl.path().join(p), t).unwrap();
    }
    assert_equivalent(hcl.path(), &doc);
    if tf_ready() {
        let v = common::terraform_validate(&dir).unwrap();
        assert_eq!(v["warning_count"], 0, "{v:#}");
    }
}

// ------------------------------------------------------------------------------------------------
// determinism
// ------------------------------------------------------------------------------------------------

fn assert_sorted(path: &str, v: &Value) {
    match v {
        Value::Object(m) => {
            let keys: Vec<&String> = m.keys().collect();
            let mut sorted = keys.clone();
            sorted.sort();
            assert_eq!(keys, sorted, "keys of {path} are not sorted");
            for (k, x) in m {
                assert_sorted(&format!("{path}.{k}"), x);
            }
        }
        Value::Array(xs) => {
            for (i, x) in xs.iter().enumerate() {
                assert_sorted(&format!("{path}[{i}]"), x);
            }
        }
        _ => {}
    }
}

#[test]
fn output_is_deterministic_sorted_and_pretty() {
    let path = common::repo_root().join("specs/payment.yaml");
    let bytes = std::fs::read(&path).unwrap();
    let a = compile("specs/payment.yaml", &bytes, &Options::default());
    let b = compile("specs/payment.yaml", &bytes, &Options::default());
    let ea = emit(a.module.as_ref().unwrap(), Target::Cdktf, &a.diagnostics);
    let eb = emit(b.module.as_ref().unwrap(), Target::Cdktf, &b.diagnostics);
    assert_eq!(ea, eb);
    let printed = ztc::emit::tfjson::emit(a.module.as_ref().unwrap());
    assert_eq!(printed, ztc::emit::tfjson::emit(a.module.as_ref().unwrap()));
    for (p, text) in printed {
        // serde_json (preserve_order) keeps the file's key order: it must be sorted already
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_sorted(&p, &v);
        assert!(text.ends_with("}\n") && !text.ends_with("\n\n"), "{p}");
        assert!(text.starts_with("{\n  \""), "{p}: 2-space indent");
        let again = serde_json::to_string_pretty(&v).unwrap() + "\n";
        assert_eq!(text, again, "{p} is not pretty-printed with 2 spaces");
    }
    assert_sorted(
        "corpus",
        &serde_json::from_str(&ztc::emit::tfjson::emit(&corpus_module())[1].1).unwrap(),
    );
}

// ------------------------------------------------------------------------------------------------
// every spec of the repository
// ------------------------------------------------------------------------------------------------

#[test]
fn every_spec_is_the_same_configuration_in_both_syntaxes_and_validates() {
    let mut specs: Vec<PathBuf> = std::fs::read_dir(common::repo_root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    specs.sort();
    let tf = tf_ready();
    for spec in specs {
        let bytes = std::fs::read(&spec).unwrap();
        let c = compile(&spec.to_string_lossy(), &bytes, &Options::default());
        let Some(m) = c.module.as_ref() else {
            eprintln!("{}: does not compile; not checked here", spec.display());
            continue;
        };
        let root = tempfile::tempdir().unwrap();
        write_files(root.path(), emit(m, Target::Cdktf, &c.diagnostics));
        let hcl = tempfile::tempdir().unwrap();
        write_files(hcl.path(), emit(m, Target::Hcl, &c.diagnostics));
        // the HCL root module: where the spec's HCL file layout puts the .tf files
        let hcl_root = match m.hcl_files.as_ref().and_then(|(_, r)| r.rsplit_once('/')) {
            Some((d, _)) => hcl.path().join(d),
            None => hcl.path().to_path_buf(),
        };
        let dir = root.path().join("cdktf.out/stacks").join(&m.name);
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("cdk.tf.json")).unwrap())
                .unwrap();
        assert_sorted(&spec.to_string_lossy(), &doc);
        eprintln!(
            "{}: comparing {} with the HCL",
            spec.display(),
            dir.display()
        );
        assert_equivalent(&hcl_root, &doc);
        if tf {
            let json_v = common::terraform_validate(&dir)
                .unwrap_or_else(|e| panic!("{}: Terraform JSON: {e}", spec.display()));
            let hcl_v = common::terraform_validate(&hcl_root)
                .unwrap_or_else(|e| panic!("{}: HCL: {e}", spec.display()));
            assert_eq!(
                json_v["warning_count"],
                hcl_v["warning_count"],
                "{}: validate warnings differ between the syntaxes:\nJSON {json_v:#}\nHCL {hcl_v:#}",
                spec.display()
            );
        }
    }
}
