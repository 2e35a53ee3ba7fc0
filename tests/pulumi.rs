//! The Pulumi YAML target, checked by the real pulumi-aws SDK: every resource of the generated
//! `Pulumi.yaml` is type-checked and constructed under mocks by `tests/pulumi/construct.py`
//! (venv-pulumi: pulumi 3.272.0, pulumi-aws 7.51.1, PyYAML), every Terraform block of the IR has
//! exactly one Pulumi twin with the mapped token and properties, and spec strings survive YAML
//! quoting and Pulumi's interpolation as the literal they are.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};
use ztc::compile::{compile, Compiled, Options};
use ztc::diag::Severity;
use ztc::emit::pulumi::{self as pl, codes};
use ztc::emit::{emit, Target};
use ztc::ir::{
    Address, Block, Body, Concern, Expr, Item, Kind, Module, Output, Provider, Ref, RefTarget,
    Step, VarType, Variable,
};
use ztc::source::Span;

struct Built {
    compiled: Compiled,
    dir: tempfile::TempDir,
}

fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) {
    for (p, bytes) in files {
        let f = dir.join(p);
        std::fs::create_dir_all(f.parent().unwrap()).unwrap();
        std::fs::write(f, bytes).unwrap();
    }
}

fn build(spec: &str) -> Built {
    let path = common::repo_root().join(spec);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{spec}: {e}"));
    let compiled = compile(spec, &bytes, &Options::default());
    let module = compiled.module.as_ref().unwrap_or_else(|| {
        panic!(
            "{spec} must compile: {}",
            ztc::diag::render_plain(&compiled.diagnostics, &compiled.source, 100)
        )
    });
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(
        dir.path(),
        emit(module, Target::Pulumi, &compiled.diagnostics),
    );
    Built { compiled, dir }
}

fn payment() -> &'static Built {
    static B: OnceLock<Built> = OnceLock::new();
    B.get_or_init(|| build("specs/payment.yaml"))
}

fn module(b: &Built) -> &Module {
    b.compiled.module.as_ref().unwrap()
}

/// The validator's report for a built program; None when the venv is missing (SKIP).
fn report_of(dir: &Path) -> Option<Value> {
    match common::pulumi_construct(dir) {
        Ok(r) => Some(r),
        Err(common::ToolError::Missing(why)) => {
            common::tool_missing("venv-pulumi (pulumi + pulumi-aws)", &why);
            None
        }
        Err(common::ToolError::Failed(e)) => panic!("the Pulumi validator did not run: {e}"),
    }
}

fn payment_report() -> Option<&'static Value> {
    static R: OnceLock<Option<Value>> = OnceLock::new();
    R.get_or_init(|| report_of(payment().dir.path())).as_ref()
}

fn assert_valid(report: &Value, what: &str) {
    let errors = report["errors"].as_array().cloned().unwrap_or_default();
    assert!(
        errors.is_empty(),
        "the pulumi-aws SDK rejected {what}:\n{}",
        errors
            .iter()
            .map(|e| e.as_str().unwrap_or("?").to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn pulumi_yaml(b: &Built) -> String {
    std::fs::read_to_string(b.dir.path().join("Pulumi.yaml")).expect("Pulumi.yaml")
}

// ------------------------------------------------------------------------------------------------
// seed 000 end to end
// ------------------------------------------------------------------------------------------------

#[test]
fn payment_program_is_accepted_by_the_pulumi_aws_sdk() {
    let Some(report) = payment_report() else {
        return;
    };
    assert_valid(report, "specs/payment.yaml's Pulumi.yaml");
    let m = module(payment());
    let resources = report["resources"].as_object().unwrap();
    // every IR resource + one provider resource per aws provider
    let providers = m.providers.iter().filter(|p| p.name == "aws").count();
    assert_eq!(resources.len(), m.resources.len() + providers);
    for (name, r) in resources {
        assert!(
            r["wire"].is_object(),
            "{name} was not constructed under mocks"
        );
    }
}

#[test]
fn every_terraform_block_has_exactly_one_pulumi_twin() {
    let Some(report) = payment_report() else {
        return;
    };
    let m = module(payment());
    let diags = pl::diagnostics(m);
    let resources = report["resources"].as_object().unwrap();
    let mut names = BTreeSet::new();
    for b in &m.resources {
        let name = pl::logical_name(&b.addr);
        assert!(
            names.insert(name.clone()),
            "two IR blocks share the Pulumi name {name}"
        );
        let token = pl::resource_token(&b.addr.ty)
            .unwrap_or_else(|| panic!("{} has no pulumi-aws token", b.addr.ty));
        let r = resources
            .get(&name)
            .unwrap_or_else(|| panic!("{} has no Pulumi resource `{name}`", b.addr.tf()));
        assert_eq!(r["type"], json!(token), "{}", b.addr.tf());
        assert_properties(b, &r["properties"], &diags);
    }
    let variables = report["variables"].as_object().unwrap();
    let yaml = pulumi_yaml(payment());
    for b in &m.data {
        let name = pl::logical_name(&b.addr);
        assert!(
            names.insert(name.clone()),
            "two IR blocks share the Pulumi name {name}"
        );
        assert!(
            variables.contains_key(&name),
            "{} has no variable `{name}`",
            b.addr.tf()
        );
        let token = pl::function_token(&b.addr.ty)
            .unwrap_or_else(|| panic!("{} has no pulumi-aws function", b.addr.ty));
        assert!(
            yaml.contains(&format!(
                "  {name}:\n    fn::invoke:\n      function: {token}\n"
            )),
            "{} is not invoked as {token}",
            b.addr.tf()
        );
    }
}

/// Every top-level Terraform attribute/block of `b` is a property of its Pulumi twin, under the
/// mapped name, unless a diagnostic names the divergence.
fn assert_properties(b: &Block, props: &Value, diags: &[ztc::diag::Diagnostic]) {
    let props = props.as_object().cloned().unwrap_or_default();
    let mut seen = BTreeSet::new();
    for (k, item) in &b.body.items {
        if !seen.insert(k.clone()) || matches!(k.as_str(), "lifecycle" | "timeouts") {
            continue;
        }
        if let Item::Attr(Expr::Null) = item {
            continue;
        }
        let explained = || {
            diags.iter().any(|d| {
                d.message.contains(&b.addr.tf()) && d.message.contains(&format!("`{k}`"))
                    || d.message.contains(&b.addr.tf())
                        && matches!(item, Item::Attr(Expr::Call(..)))
            })
        };
        match pl::property_name(Kind::Resource, &b.addr.ty, k) {
            Some(Some(p)) => assert!(
                props.contains_key(&p) || explained(),
                "{}.{k} → `{p}` is missing from the Pulumi properties {:?}",
                b.addr.tf(),
                props.keys().collect::<Vec<_>>()
            ),
            Some(None) => assert!(
                explained(),
                "{}.{k} has no pulumi-aws property and no diagnostic says so",
                b.addr.tf()
            ),
            None => panic!("{} is not in backends/pulumi/properties.json", b.addr.ty),
        }
    }
}

#[test]
fn references_use_logical_names_and_camel_case() {
    let yaml = pulumi_yaml(payment());
    for needle in [
        "  vpc-payment_vpc:\n    type: aws:ec2/vpc:Vpc\n",
        "vpcId: ${vpc-payment_vpc.id}",
        "  s3_bucket-audit_logs:\n    type: aws:s3/bucket:Bucket\n",
        "  s3_bucket_policy-audit_logs:\n    type: aws:s3/bucketPolicy:BucketPolicy\n",
        "  aws-provider:\n    type: pulumi:providers:aws\n",
        "provider: ${aws-provider}",
        "Name: payment-vpc-${environment_suffix}",
        "subnetMappings:\n        - subnetId: ${subnet-firewall_az1.id}",
        "versioningConfiguration:\n        status: Enabled",
        "fn::toJSON:",
        "CostCenter: ${cost_center}",
    ] {
        assert!(yaml.contains(needle), "Pulumi.yaml lacks {needle:?}");
    }
    // sensitive variables are secret config
    assert!(yaml.contains(
        "  external_id:\n    type: string\n    description: External ID callers must pass\n    secret: true\n"
    ));
}

#[test]
fn payment_pulumi_yaml_snapshot() {
    insta::assert_snapshot!("payment_pulumi_yaml", pulumi_yaml(payment()));
}

#[test]
fn emission_is_deterministic() {
    let m = module(payment());
    assert_eq!(pl::emit(m), pl::emit(m));
    assert_eq!(pl::diagnostics(m), pl::diagnostics(m));
}

// ------------------------------------------------------------------------------------------------
// diagnostics
// ------------------------------------------------------------------------------------------------

#[test]
fn divergences_are_located_warnings_with_explanations() {
    let m = module(payment());
    let diags = pl::diagnostics(m);
    let explained: BTreeSet<&str> = pl::explain_entries().iter().map(|e| e.code).collect();
    for d in &diags {
        assert!(explained.contains(d.code), "{} has no explain text", d.code);
        assert!(("ZT0050"..="ZT0059").contains(&d.code), "{}", d.code);
        assert!(d.help.is_some(), "{}: no help", d.message);
    }
    // the firewall-endpoint lookup of every inspected route is reported at the route's spec node
    let routes: Vec<&Block> = m
        .resources
        .iter()
        .filter(|b| b.addr.ty == "aws_route" && has_for(&b.body))
        .collect();
    assert!(
        !routes.is_empty(),
        "payment.yaml routes through the firewall"
    );
    for r in &routes {
        let d = diags
            .iter()
            .find(|d| {
                d.code == codes::EXPRESSION && d.message.contains(&format!("`{}`", r.addr.tf()))
            })
            .unwrap_or_else(|| panic!("no {} for {}", codes::EXPRESSION, r.addr.tf()));
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.span, Some(r.span));
        assert_eq!(d.scope.as_deref(), Some(r.origin.as_str()));
        assert!(d.message.contains("syncStates["), "{}", d.message);
    }
    // the suffix validation has no Pulumi config equivalent
    assert!(diags
        .iter()
        .any(|d| d.code == codes::VALIDATION && d.message.contains("environment_suffix")));
    let codes: Vec<&str> = pl::explain_entries().iter().map(|e| e.code).collect();
    let unique: BTreeSet<&&str> = codes.iter().collect();
    assert_eq!(unique.len(), codes.len(), "explain codes are unique");
}

fn has_for(body: &Body) -> bool {
    fn e(x: &Expr) -> bool {
        match x {
            Expr::For { .. } => true,
            Expr::Index(a, b) | Expr::Eq(a, b) => e(a) || e(b),
            Expr::List(xs) | Expr::Template(xs) | Expr::Call(_, xs) => xs.iter().any(e),
            Expr::Object(kv) => kv.iter().any(|(_, v)| e(v)),
            Expr::JsonEncode(x) => e(x),
            _ => false,
        }
    }
    body.items.iter().any(|(_, i)| match i {
        Item::Attr(x) => e(x),
        Item::Block(b) => has_for(b),
    })
}

#[test]
fn the_validator_rejects_what_pulumi_would_reject() {
    if common::pulumi_python().is_err() {
        common::tool_missing("venv-pulumi (pulumi + pulumi-aws)", "not installed");
        return;
    }
    let good = pulumi_yaml(payment());
    let cases = [
        ("unknown nested property", good.replacen("- subnetId: ${subnet-firewall_az1.id}", "- subnetIdd: ${subnet-firewall_az1.id}", 1)),
        ("unknown property", good.replacen("      enableDnsSupport: true", "      enableDnsSupportX: true", 1)),
        ("missing required", good.replacen("      firewallPolicyArn: ${networkfirewall_firewall_policy-payment_fw_policy.arn}\n", "", 1)),
        ("unknown reference", good.replacen("${vpc-payment_vpc.id}", "${vpc-payment_vpcc.id}", 1)),
        ("unknown attribute", good.replacen("${vpc-payment_vpc.id}", "${vpc-payment_vpc.idd}", 1)),
        ("unknown config key", good.replacen("${cost_center}", "${cost_centre}", 1)),
        ("unknown function", good.replacen("aws:index/getPartition:getPartition", "aws:index/getPartitions:getPartitions", 1)),
        ("wrong scalar type", good.replacen("      enableDnsSupport: true", "      enableDnsSupport: \"yes\"", 1)),
    ];
    for (what, text) in cases {
        assert_ne!(text, good, "{what}: the mutation did not apply");
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Pulumi.yaml"), text).unwrap();
        let Some(report) = report_of(dir.path()) else {
            return;
        };
        assert!(
            !report["errors"].as_array().unwrap().is_empty(),
            "the validator accepted a program with an {what}"
        );
    }
}

// ------------------------------------------------------------------------------------------------
// escaping (C43): strings are data
// ------------------------------------------------------------------------------------------------

const TRICKY: [&str; 15] = [
    "${aws:PrincipalTag/Team}",
    "$${already-escaped}",
    "%{ if true }x%{ endif }",
    "say \"hi\" and 'bye'",
    "C:\\dir\\file \\n not a newline",
    "line one\nline two\r\n\ttabbed",
    "unicode é 日本 🇺🇸 \u{200d} \u{2028} \u{85} \u{feff}",
    "$HOME_NET and $ alone and ends with $",
    "$$ double and $$$ triple",
    "true",
    "0123",
    "- not a list: # not a comment",
    "",
    "  padded  ",
    "controls \u{0} \u{7}\u{1b} \u{7f} \u{9b} \u{fffe}",
];

/// Deterministic strings over the characters YAML and Pulumi treat specially.
fn generated() -> Vec<String> {
    const ALPHABET: [&str; 24] = [
        "$", "{", "}", "$$", "${", "%{", ":", " ", "#", "-", "\"", "'", "\\", "\n", "\t", "a", "0",
        ".", "é", "🇺🇸", "\u{2028}", "[", "!", "&",
    ];
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    (0..300)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 7) as usize;
            (0..len)
                .map(|j| ALPHABET[((x >> (j * 5)) % ALPHABET.len() as u64) as usize])
                .collect()
        })
        .collect()
}

fn block(addr: Address, body: Body) -> Block {
    Block {
        addr,
        body,
        concern: Concern::Storage,
        span: Span::default(),
        origin: "escaping".into(),
        depends_on: vec![],
        skips: vec![],
        comment: Some("comment with ${x} and\nsecond line".into()),
        provider: None,
    }
}

fn escaping_module() -> Module {
    let bucket = Address::resource("aws_s3_bucket", "b");
    let tags = Expr::Object(
        TRICKY
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("k{i}"), Expr::str(*s)))
            .chain([(
                "${key}".to_string(),
                Expr::str("key with interpolation syntax"),
            )])
            .collect(),
    );
    let statement = Expr::obj([
        ("Sid", Expr::str("Abac")),
        ("Effect", Expr::str("Allow")),
        ("Action", Expr::str("s3:GetObject")),
        (
            "Resource",
            Expr::concat(vec![
                bucket.attr("arn"),
                Expr::str("/${aws:PrincipalTag/Team}/*"),
            ]),
        ),
        (
            "Condition",
            Expr::obj([(
                "StringEquals",
                Expr::obj([
                    (
                        "aws:ResourceTag/Team",
                        Expr::str("${aws:PrincipalTag/Team}"),
                    ),
                    ("s3:prefix", Expr::list_str(TRICKY)),
                ]),
            )]),
        ),
    ]);
    let policy = Expr::JsonEncode(Box::new(Expr::obj([
        ("Version", Expr::str("2012-10-17")),
        ("Statement", Expr::List(vec![statement])),
    ])));
    Module {
        name: "escaping".into(),
        providers: vec![Provider {
            name: "aws".into(),
            alias: None,
            body: Body::new().attr("region", Expr::str("us-east-1")),
        }],
        variables: vec![Variable {
            name: "suffix".into(),
            ty: VarType::String,
            description: "has ${not_a_ref} and \"quotes\"".into(),
            default: Some(Expr::str("${literal}$")),
            sensitive: false,
            validations: vec![],
            span: Span::default(),
        }],
        resources: vec![
            block(
                bucket.clone(),
                Body::new()
                    .attr(
                        "bucket",
                        Expr::concat(vec![Expr::str("b-$"), Expr::var("suffix")]),
                    )
                    .attr("tags", tags),
            ),
            block(
                Address::resource("aws_iam_policy", "p"),
                Body::new()
                    .attr("name", Expr::str("p"))
                    .attr("description", Expr::str(TRICKY.join(" | ")))
                    .attr("policy", policy),
            ),
        ],
        outputs: vec![Output {
            name: "literal".into(),
            description: "an output".into(),
            value: Expr::str("${aws:username}"),
            sensitive: true,
            span: Span::default(),
        }],
        ..Module::default()
    }
}

#[test]
fn escaping_round_trips_through_yaml_and_pulumi_interpolation() {
    let m = escaping_module();
    let files = pl::emit(&m);
    let yaml = &files[0].1;
    assert!(yaml.contains("$${aws:PrincipalTag/Team}"), "{yaml}");
    assert!(
        yaml.contains("$HOME_NET"),
        "a `$` not before `{{` or `$` stays single:\n{yaml}"
    );
    assert!(!pl::diagnostics(&m)
        .iter()
        .any(|d| d.severity == Severity::Error));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("Pulumi.yaml"), yaml).unwrap();
    let Some(report) = report_of(dir.path()) else {
        return;
    };
    assert_valid(&report, "the escaping program");
    let bucket = &report["resources"]["s3_bucket-b"]["properties"];
    for (i, s) in TRICKY.iter().enumerate() {
        assert_eq!(bucket["tags"][format!("k{i}")], json!(s), "tag k{i}");
    }
    assert_eq!(
        bucket["tags"]["${key}"],
        json!("key with interpolation syntax")
    );
    assert_eq!(
        bucket["bucket"],
        json!("b-$${literal}$"),
        "a `$` before an interpolation"
    );
    let policy = &report["resources"]["iam_policy-p"]["properties"];
    assert_eq!(policy["description"], json!(TRICKY.join(" | ")));
    let doc: Value = serde_json::from_str(policy["policy"].as_str().expect("policy is JSON text"))
        .expect("fn::toJSON gives JSON");
    let st = &doc["Statement"][0];
    assert_eq!(
        st["Resource"],
        json!("mock-s3_bucket-b.arn/${aws:PrincipalTag/Team}/*")
    );
    assert_eq!(
        st["Condition"]["StringEquals"]["aws:ResourceTag/Team"],
        json!("${aws:PrincipalTag/Team}")
    );
    assert_eq!(st["Condition"]["StringEquals"]["s3:prefix"], json!(TRICKY));
    assert_eq!(report["config"]["suffix"], json!("${literal}$"));
    assert_eq!(report["outputs"]["literal"], json!("${aws:username}"));
    // the wire (what the engine receives) carries the same literals
    let wire = &report["resources"]["s3_bucket-b"]["wire"];
    assert_eq!(wire["tags"]["k0"], json!(TRICKY[0]));
}

#[test]
fn interpolation_escape_matches_pulumis_rule() {
    let generated = generated();
    assert_eq!(generated.len(), 300);
    for s in TRICKY
        .iter()
        .copied()
        .chain(generated.iter().map(String::as_str))
    {
        assert_eq!(
            pl::unescape_interpolation(&pl::escape_interpolation(s, false)),
            s
        );
        let escaped = pl::escape_interpolation(s, false);
        assert!(!escaped.replace("$$", "").contains("${"), "{escaped}");
    }
    // a literal ending in `$` before an interpolation: `$$${x}` = `$` + `${x}`
    assert_eq!(pl::escape_interpolation("cost $", true), "cost $$");
}

#[test]
fn abac_policy_variables_reach_pulumi_literally() {
    let b = build("specs/privatelink-abac.yaml");
    let Some(report) = report_of(b.dir.path()) else {
        return;
    };
    assert_valid(&report, "specs/privatelink-abac.yaml's Pulumi.yaml");
    let all = serde_json::to_string(&report["resources"]).unwrap();
    assert!(
        all.contains("${aws:PrincipalTag/DataClassification}"),
        "the ABAC condition lost its policy variable"
    );
    assert!(
        !all.contains("$${aws:PrincipalTag"),
        "an escape reached the engine"
    );
}

#[test]
fn other_specs_are_accepted_too() {
    for spec in ["specs/multi-account.yaml"] {
        if !common::repo_root().join(spec).is_file() {
            continue;
        }
        let b = build(spec);
        let Some(report) = report_of(b.dir.path()) else {
            return;
        };
        assert_valid(&report, spec);
    }
}

#[test]
fn references_to_flattened_blocks_drop_the_index() {
    // `encryption_configuration[0].key_id` (MaxItems=1 list in Terraform) is
    // `encryptionConfiguration.keyId` (one object) in Pulumi.
    let fw = Address::resource("aws_networkfirewall_firewall", "fw");
    let key = Expr::Ref(Ref {
        target: RefTarget::Block(fw.clone()),
        path: vec![
            Step::Attr("encryption_configuration".into()),
            Step::Index(0),
            Step::Attr("key_id".into()),
        ],
    });
    let m = Module {
        name: "x".into(),
        outputs: vec![Output {
            name: "k".into(),
            description: String::new(),
            value: key,
            sensitive: false,
            span: Span::default(),
        }],
        ..Module::default()
    };
    let yaml = &pl::emit(&m)[0].1;
    assert!(
        yaml.contains("k: ${networkfirewall_firewall-fw.encryptionConfiguration.keyId}"),
        "{yaml}"
    );
}

/// Divergences that differ only in the block they are about come as one diagnostic that names
/// every block (payment's eighteen firewall routes), not one each.
#[test]
fn alike_divergences_are_reported_once() {
    let built = common::build_spec("specs/payment.yaml");
    let diags = ztc::emit::target_diagnostics(built.module(), ztc::emit::Target::Pulumi);
    let routes: Vec<&ztc::diag::Diagnostic> = diags
        .iter()
        .filter(|d| d.code == "ZT0052" && d.message.contains("selects a list element"))
        .collect();
    assert_eq!(routes.len(), 1, "{routes:#?}");
    let inspected: Vec<String> = built
        .module()
        .resources
        .iter()
        .filter(|b| b.addr.ty == "aws_route" && b.addr.name.contains("_to_"))
        .map(|b| format!("`aws_route.{}`", b.addr.name))
        .collect();
    assert_eq!(inspected.len(), 18);
    for r in &inspected {
        assert!(routes[0].message.contains(r.as_str()), "{r} not named");
    }
    assert!(routes[0].message.contains("the same for 17 more"));
}

/// A write-only generated password (`via: ephemeral`, privatelink-abac) reaches pulumi-aws as
/// `secretStringWo` with its version, never as `secretString`; the password comes from the same
/// function the Terraform ephemeral resource calls, the program says Pulumi has no ephemerals, and
/// the SDK marks the value secret.
#[test]
fn write_only_password_reaches_the_sdk_as_secret_string_wo() {
    let b = build("specs/privatelink-abac.yaml");
    let yaml = pulumi_yaml(&b);
    let name = "ephemeral-secretsmanager_random_password-db_credentials";
    assert!(
        yaml.contains(
            "  # Pulumi has no ephemeral resources: this call runs at every update, and the\n"
        ) && yaml.contains(&format!(
            "  {name}:\n    fn::invoke:\n      function: aws:secretsmanager/getRandomPassword:getRandomPassword\n"
        )),
        "no ephemeral password call"
    );
    let Some(report) = report_of(b.dir.path()) else {
        return;
    };
    assert_valid(&report, "specs/privatelink-abac.yaml's Pulumi.yaml");
    let wire = &report["resources"]["secretsmanager_secret_version-db_credentials"]["wire"];
    assert!(
        wire.is_object(),
        "the secret version was not constructed: {wire}"
    );
    // the SDK sends it as a Pulumi secret (the secret signature), so the stack state keeps it
    // encrypted
    assert_eq!(
        wire["secretStringWo"]["4dabf18193072939515e22adb298388d"],
        "1b47061264138c4ac30d75fd1eb44270",
        "{wire}"
    );
    assert_eq!(wire["secretStringWoVersion"].as_f64(), Some(1.0), "{wire}");
    assert!(wire.get("secretString").is_none(), "{wire}");
}
