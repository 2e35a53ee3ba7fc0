//! The HCL printer on a hand-built module: the output is what `terraform fmt` produces.

mod common;

use std::fs;
use std::path::Path;

use ztc::emit::hcl;
use ztc::ir::*;
use ztc::source::Span;

fn local(name: &str) -> Expr {
    Expr::Ref(Ref {
        target: RefTarget::Local(name.into()),
        path: vec![],
    })
}

fn block(addr: Address, concern: Concern, body: Body) -> Block {
    Block {
        addr,
        body,
        concern,
        span: Span::default(),
        origin: "test".into(),
        depends_on: vec![],
        skips: vec![],
        comment: None,
        provider: None,
    }
}

fn sample_module() -> Module {
    let vpc = Address::resource("aws_vpc", "main");
    let azs = Address::data("aws_availability_zones", "available");
    let key = Address::resource("aws_kms_key", "data");
    let bucket = Address::resource("aws_s3_bucket", "audit_logs");
    let caller = Address::data("aws_caller_identity", "current");

    let variables = vec![
        Variable {
            name: "environment".into(),
            ty: VarType::String,
            description: "Deployment environment (\"prod\" or \"staging\").".into(),
            default: Some(Expr::str("prod")),
            sensitive: false,
            validations: vec![Validation {
                condition: Expr::Call(
                    Func::CanRegex,
                    vec![Expr::str("^(prod|staging)$"), Expr::var("environment")],
                ),
                error_message: "environment must be \"prod\" or \"staging\".".into(),
            }],
            span: Span::default(),
        },
        Variable {
            name: "allowed_cidrs".into(),
            ty: VarType::ListString,
            description: "CIDR blocks allowed to reach the load balancer.".into(),
            default: Some(Expr::list_str(["10.0.0.0/8"])),
            sensitive: false,
            validations: vec![
                Validation {
                    condition: Expr::Eq(
                        Box::new(Expr::Call(Func::Length, vec![Expr::var("allowed_cidrs")])),
                        Box::new(Expr::Int(1)),
                    ),
                    error_message: "Exactly one CIDR.".into(),
                },
                Validation {
                    condition: Expr::Eq(
                        Box::new(Expr::Call(
                            Func::Length,
                            vec![Expr::For {
                                var: "c".into(),
                                coll: Box::new(Expr::var("allowed_cidrs")),
                                value: Box::new(local("c")),
                                cond: Some(Box::new(Expr::Eq(
                                    Box::new(local("c")),
                                    Box::new(Expr::str("0.0.0.0/0")),
                                ))),
                            }],
                        )),
                        Box::new(Expr::Int(0)),
                    ),
                    error_message: "No ${open} world access: 100%{sure}.".into(),
                },
            ],
            span: Span::default(),
        },
        Variable {
            name: "db_password".into(),
            ty: VarType::String,
            description: "Master password.".into(),
            default: None,
            sensitive: true,
            validations: vec![],
            span: Span::default(),
        },
        Variable {
            name: "retention_days".into(),
            ty: VarType::Number,
            description: String::new(),
            default: Some(Expr::Int(365)),
            sensitive: false,
            validations: vec![],
            span: Span::default(),
        },
        Variable {
            name: "enable_flow_logs".into(),
            ty: VarType::Bool,
            description: "Turn on VPC flow logs.".into(),
            default: Some(Expr::Bool(true)),
            sensitive: false,
            validations: vec![],
            span: Span::default(),
        },
    ];

    let providers = vec![
        Provider {
            name: "aws".into(),
            alias: None,
            body: Body::new().attr("region", Expr::str("eu-west-1")).block(
                "default_tags",
                Body::new().attr(
                    "tags",
                    Expr::obj([
                        ("Environment", Expr::var("environment")),
                        ("ManagedBy", Expr::str("ztc")),
                        ("pci-dss:scope", Expr::str("cde")),
                        ("Owner Team", Expr::str("Platform – Zürich")),
                    ]),
                ),
            ),
        },
        Provider {
            name: "aws".into(),
            alias: Some("us_east_1".into()),
            body: Body::new().attr("region", Expr::str("us-east-1")),
        },
    ];

    let data = vec![
        block(
            azs.clone(),
            Concern::Networking,
            Body::new().attr("state", Expr::str("available")),
        ),
        block(caller.clone(), Concern::Security, Body::new()),
    ];

    let mut vpc_block = block(
        vpc.clone(),
        Concern::Networking,
        Body::new()
            .attr("cidr_block", Expr::str("10.0.0.0/16"))
            .attr("enable_dns_support", Expr::Bool(true))
            .attr("enable_dns_hostnames", Expr::Bool(true))
            .attr(
                "tags",
                Expr::obj([
                    (
                        "Name",
                        Expr::Template(vec![Expr::var("environment"), Expr::str("-vpc")]),
                    ),
                    ("日本", Expr::str("unicode key")),
                    ("é", Expr::str("accent")),
                ]),
            ),
    );
    vpc_block.comment = Some("The cardholder-data VPC.".into());

    let mut subnet = block(
        Address::resource("aws_subnet", "private_a"),
        Concern::Networking,
        Body::new()
            .attr("vpc_id", vpc.attr("id"))
            .attr("cidr_block", Expr::str("10.0.1.0/24"))
            .attr(
                "availability_zone",
                azs.path(vec![Step::Attr("names".into()), Step::Index(0)]),
            )
            .attr("map_public_ip_on_launch", Expr::Bool(false)),
    );
    subnet.depends_on = vec![vpc.clone()];

    let sg = block(
        Address::resource("aws_security_group", "alb"),
        Concern::Networking,
        Body::new()
            .attr("name", Expr::str("alb"))
            .attr(
                "description",
                Expr::str("Load balancer: HTTPS from allowed CIDRs only"),
            )
            .attr("vpc_id", vpc.attr("id"))
            .block(
                "ingress",
                Body::new()
                    .attr("description", Expr::str("HTTPS"))
                    .attr("from_port", Expr::Int(443))
                    .attr("to_port", Expr::Int(443))
                    .attr("protocol", Expr::str("tcp"))
                    .attr("cidr_blocks", Expr::var("allowed_cidrs")),
            )
            .block(
                "egress",
                Body::new()
                    .attr("description", Expr::str("To the application subnets"))
                    .attr("from_port", Expr::Int(8443))
                    .attr("to_port", Expr::Int(8443))
                    .attr("protocol", Expr::str("tcp"))
                    .attr(
                        "cidr_blocks",
                        Expr::list_str([
                            "10.0.1.0/24",
                            "10.0.2.0/24",
                            "10.0.3.0/24",
                            "10.0.4.0/24",
                            "10.0.5.0/24",
                            "10.0.6.0/24",
                        ]),
                    ),
            ),
    );

    let policy = Expr::JsonEncode(Box::new(Expr::obj([
        ("Version", Expr::str("2012-10-17")),
        (
            "Statement",
            Expr::List(vec![
                Expr::obj([
                    ("Sid", Expr::str("DenyInsecureTransport")),
                    ("Effect", Expr::str("Deny")),
                    ("Principal", Expr::str("*")),
                    ("Action", Expr::str("s3:*")),
                    (
                        "Resource",
                        Expr::List(vec![
                            bucket.attr("arn"),
                            Expr::Template(vec![bucket.attr("arn"), Expr::str("/*")]),
                        ]),
                    ),
                    (
                        "Condition",
                        Expr::obj([(
                            "Bool",
                            Expr::obj([("aws:SecureTransport", Expr::str("false"))]),
                        )]),
                    ),
                ]),
                Expr::obj([
                    ("Sid", Expr::str("TeamAccess")),
                    ("Effect", Expr::str("Allow")),
                    (
                        "Principal",
                        Expr::obj([(
                            "AWS",
                            Expr::Template(vec![
                                Expr::str("arn:aws:iam::"),
                                caller.attr("account_id"),
                                Expr::str(":root"),
                            ]),
                        )]),
                    ),
                    ("Action", Expr::list_str(["s3:GetObject", "s3:PutObject"])),
                    (
                        "Resource",
                        Expr::Template(vec![
                            bucket.attr("arn"),
                            Expr::str("/${aws:PrincipalTag/Team}/*"),
                        ]),
                    ),
                ]),
            ]),
        ),
    ])));

    let mut bucket_block = block(
        bucket.clone(),
        Concern::Storage,
        Body::new()
            .attr(
                "bucket",
                Expr::Template(vec![Expr::str("audit-logs-"), Expr::var("environment")]),
            )
            .attr("force_destroy", Expr::Bool(false))
            .attr("tags", Expr::Object(vec![])),
    );
    bucket_block.comment = Some("Audit log bucket (PCI-DSS 10.5).\nKept for a year.".into());
    bucket_block.skips = vec![
        ScannerSkip {
            id: "CKV_AWS_144".into(),
            reason: "Cross-region\nreplication is handled by backup.".into(),
        },
        ScannerSkip {
            id: "CKV2_AWS_62".into(),
            reason: "No event notifications needed".into(),
        },
        ScannerSkip {
            id: "AVD-AWS-0089".into(),
            reason: "This is the log bucket".into(),
        },
    ];

    let mut bucket_policy = block(
        Address::resource("aws_s3_bucket_policy", "audit_logs"),
        Concern::Storage,
        Body::new()
            .attr("bucket", bucket.attr("id"))
            .attr("policy", policy),
    );
    bucket_policy.depends_on = vec![bucket.clone(), key.clone()];

    let encryption = block(
        Address::resource(
            "aws_s3_bucket_server_side_encryption_configuration",
            "audit_logs",
        ),
        Concern::Storage,
        Body::new().attr("bucket", bucket.attr("id")).block(
            "rule",
            Body::new()
                .block(
                    "apply_server_side_encryption_by_default",
                    Body::new()
                        .attr("sse_algorithm", Expr::str("aws:kms"))
                        .attr("kms_master_key_id", key.attr("arn")),
                )
                .attr("bucket_key_enabled", Expr::Bool(true)),
        ),
    );

    let kms = block(
        key.clone(),
        Concern::Security,
        Body::new()
            .attr(
                "description",
                Expr::str("Data key \\ with \"quotes\"\tand tabs"),
            )
            .attr("enable_key_rotation", Expr::Bool(true))
            .attr("deletion_window_in_days", Expr::Int(30))
            .attr("multi_region", Expr::Bool(false))
            .attr("rotation_period_in_days", Expr::Float(90.0)),
    );

    let lambda = block(
        Address::resource("aws_lambda_function", "rotate"),
        Concern::Compliance,
        Body::new()
            .attr("function_name", Expr::str("rotate"))
            .attr("filename", Expr::str("functions/rotate.zip"))
            .attr(
                "source_code_hash",
                Expr::Call(
                    Func::FileBase64Sha256,
                    vec![Expr::str("functions/rotate.zip")],
                ),
            )
            .attr(
                "subnet_ids_from_for",
                Expr::For {
                    var: "s".into(),
                    coll: Box::new(Expr::var("allowed_cidrs")),
                    value: Box::new(Expr::obj([
                        ("cidr", local("s")),
                        ("note-key", Expr::str("x")),
                    ])),
                    cond: None,
                },
            )
            .block(
                "environment",
                Body::new().attr("variables", Expr::obj([("LOG_LEVEL", Expr::str("info"))])),
            )
            .attr("layers", Expr::List(vec![]))
            .attr("architectures", Expr::list_str(["arm64"]))
            .attr("timeout", Expr::Int(30))
            .attr(
                "first_az",
                Expr::Index(Box::new(azs.attr("names")), Box::new(Expr::Int(0))),
            ),
    );

    let alarm = block(
        Address::resource("aws_cloudwatch_metric_alarm", "root_login"),
        Concern::Monitoring,
        Body::new()
            .attr("alarm_name", Expr::str("root-login"))
            .attr(
                "comparison_operator",
                Expr::str("GreaterThanOrEqualToThreshold"),
            )
            .attr("threshold", Expr::Float(1.5))
            .attr(
                "alarm_description",
                Expr::str("Root user login: %{ not a directive } ${ not interpolated }"),
            )
            .attr(
                "dimensions",
                Expr::obj([("null", Expr::Null), ("for", Expr::str("key named for"))]),
            ),
    );

    Module {
        backend: None,
        hcl_files: None,
        name: "sample".into(),
        required_version: ">= 1.5.0".into(),
        providers_required: vec![ProviderReq {
            name: "aws".into(),
            source: "hashicorp/aws".into(),
            version: "~> 5.0".into(),
        }],
        providers,
        variables,
        data,
        resources: vec![
            vpc_block,
            subnet,
            sg,
            kms,
            bucket_block,
            bucket_policy,
            encryption,
            lambda,
            alarm,
        ],
        outputs: vec![
            Output {
                name: "vpc_id".into(),
                description: "The VPC id.".into(),
                value: vpc.attr("id"),
                sensitive: false,
                span: Span::default(),
            },
            Output {
                name: "bucket_arn_template".into(),
                description: "Interpolation-only template, printed bare.".into(),
                value: Expr::Template(vec![bucket.attr("arn")]),
                sensitive: true,
                span: Span::default(),
            },
        ],
        notes: vec![],
        assets: vec![Asset {
            path: "functions/rotate/index.py".into(),
            contents: b"def handler(e, c):\n    pass\n".to_vec(),
        }],
    }
}

fn write_files(dir: &Path, files: &[(String, String)]) {
    for (path, contents) in files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(&target, contents).expect("write file");
    }
}

#[test]
fn emits_expected_files_deterministically() {
    let module = sample_module();
    let first = hcl::emit(&module);
    let second = hcl::emit(&module.clone());
    assert_eq!(first, second, "the printer is not deterministic");

    let names: Vec<&str> = first.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(
        names,
        [
            "versions.tf",
            "providers.tf",
            "variables.tf",
            "networking.tf",
            "security.tf",
            "storage.tf",
            "monitoring.tf",
            "compliance.tf",
            "outputs.tf",
        ]
    );
    for (path, contents) in &first {
        if path.ends_with(".tf") {
            assert!(
                contents.ends_with('\n') && !contents.ends_with("\n\n"),
                "{path} must end with one newline"
            );
            assert!(
                !contents.contains("\n\n\n"),
                "{path} has more than one blank line in a row"
            );
        }
    }
    let file = |name: &str| &first.iter().find(|(p, _)| p == name).unwrap().1;
    let storage = file("storage.tf");
    assert!(storage
        .contains("#trivy:ignore:AVD-AWS-0089\nresource \"aws_s3_bucket\" \"audit_logs\" {\n"));
    assert!(storage.contains(
        "  #checkov:skip=CKV_AWS_144:Cross-region replication is handled by backup.\n  \
         #checkov:skip=CKV2_AWS_62:No event notifications needed\n"
    ));
    assert!(storage.contains("$${aws:PrincipalTag/Team}"));
    assert!(storage.contains("  depends_on = [aws_s3_bucket.audit_logs, aws_kms_key.data]\n"));
    assert!(file("outputs.tf").contains("  value       = aws_s3_bucket.audit_logs.arn\n"));
    assert!(file("versions.tf")
        .contains("      source  = \"hashicorp/aws\"\n      version = \"~> 5.0\"\n"));
    let all = ztc::emit::emit(&module, ztc::emit::Target::Hcl, &[]);
    let asset = all
        .iter()
        .find(|(p, _)| p == "functions/rotate/index.py")
        .expect("asset placed beside the module");
    assert_eq!(asset.1, b"def handler(e, c):\n    pass\n");
}

#[test]
fn output_is_terraform_fmt_canonical() {
    if common::terraform().is_none() {
        common::tool_missing("terraform", &common::terraform_missing_reason());
        return;
    }
    let files = hcl::emit(&sample_module());
    let dir = tempfile::tempdir().expect("tempdir");
    write_files(dir.path(), &files);
    if let Err(diff) = common::terraform_fmt_check(dir.path()) {
        panic!("generated HCL differs from `terraform fmt`:\n{diff}");
    }
}

// ------------------------------------------------------------------------------------------------
// generated shapes: many small random modules, all canonical under `terraform fmt`
// ------------------------------------------------------------------------------------------------

/// xorshift64: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const KEYS: &[&str] = &[
    "a",
    "Name",
    "aws:SecureTransport",
    "pci-dss:scope",
    "日本",
    "é",
    "e\u{301}x",
    "नमस्ते",
    "🇺🇸",
    "👨\u{200d}👩",
    "with space",
    "null",
    "for",
    "x_y-z",
    "${x}",
    "q\"uote",
    "가각",
    "a\u{200d}b",
    "tab\tkey",
    "✈\u{200d}✈",
];
const STRS: &[&str] = &[
    "",
    "plain",
    "${aws:PrincipalTag/Team}",
    "%{if}",
    "$${x}",
    "a\"b\\c",
    "line\nbreak",
    "日本語",
    "\u{1}ctl",
    "a longer string that takes up some of the line",
];

fn scalar(r: &mut Rng) -> Expr {
    match r.below(7) {
        0 => Expr::Int(r.below(100_000) as i64 - 50),
        1 => Expr::Bool(r.below(2) == 0),
        2 => Expr::Null,
        3 => Expr::Float(-1.25),
        4 => Expr::var(r.pick(&["x", "a_long_variable_name_here"])),
        5 => Address::resource("aws_s3_bucket", "b").path(vec![
            Step::Attr("arn".into()),
            Step::Index(0),
            Step::Key("k".into()),
        ]),
        _ => Expr::str(r.pick(STRS)),
    }
}

fn random_expr(r: &mut Rng, depth: u32) -> Expr {
    if depth == 0 {
        return scalar(r);
    }
    let sub = |r: &mut Rng| random_expr(r, depth - 1);
    match r.below(12) {
        0 | 1 => Expr::List((0..r.below(12)).map(|_| scalar(r)).collect()),
        2 => Expr::List((0..r.below(4)).map(|_| sub(r)).collect()),
        3 | 4 => Expr::Object(
            (0..r.below(5))
                .map(|_| (r.pick(KEYS).to_string(), sub(r)))
                .collect(),
        ),
        5 => Expr::Template(vec![
            Expr::str(r.pick(STRS)),
            sub(r),
            Expr::str(r.pick(STRS)),
        ]),
        6 => Expr::Template(vec![sub(r)]),
        7 => Expr::JsonEncode(Box::new(sub(r))),
        8 => Expr::For {
            var: "v".into(),
            coll: Box::new(sub(r)),
            value: Box::new(sub(r)),
            cond: match r.below(2) {
                0 => Some(Box::new(Expr::Eq(Box::new(sub(r)), Box::new(scalar(r))))),
                _ => None,
            },
        },
        9 => Expr::Call(
            r.pick(&[Func::Length, Func::CanRegex, Func::FileBase64Sha256]),
            vec![sub(r), sub(r)],
        ),
        10 => Expr::Index(Box::new(sub(r)), Box::new(scalar(r))),
        _ => scalar(r),
    }
}

fn random_body(r: &mut Rng, depth: u32) -> Body {
    let mut body = Body::new();
    for i in 0..r.below(8) {
        let name = format!(
            "{}{i}",
            r.pick(&["a", "cidr_blocks", "a_much_longer_attribute_name", "tags"])
        );
        if depth > 0 && r.below(4) == 0 {
            body.push_block(&name, random_body(r, depth - 1));
        } else {
            body.push_attr(&name, random_expr(r, 3));
        }
    }
    body
}

#[test]
fn generated_shapes_are_terraform_fmt_canonical() {
    if common::terraform().is_none() {
        common::tool_missing("terraform", &common::terraform_missing_reason());
        return;
    }
    let root = tempfile::tempdir().expect("tempdir");
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for m in 0..60 {
        let mut module = Module::default();
        for i in 0..4 {
            let mut b = block(
                Address::resource("aws_x", &format!("r{i}")),
                Concern::Storage,
                random_body(&mut rng, 2),
            );
            b.depends_on = (0..rng.below(6))
                .map(|k| Address::resource("aws_some_long_resource_type", &format!("name_{k}")))
                .collect();
            module.resources.push(b);
        }
        module.outputs.push(Output {
            name: "o".into(),
            description: String::new(),
            value: random_expr(&mut rng, 3),
            sensitive: false,
            span: Span::default(),
        });
        let files = hcl::emit(&module);
        assert_eq!(
            files,
            hcl::emit(&module),
            "the printer is not deterministic"
        );
        write_files(&root.path().join(format!("m{m}")), &files);
    }
    if let Err(diff) = common::terraform_fmt_check(root.path()) {
        panic!("generated HCL differs from `terraform fmt`:\n{diff}");
    }
}
