//! Functions and secrets: Lambda functions built from the source templates ztc ships (with their
//! deployment package, pre-created log group and execution role), and Secrets Manager secrets
//! (created with a generated password, or existing) with rotation by a function.
//!
//! KMS: the function's key encrypts its environment variables (Lambda uses the deployer's grant)
//! and its log group. Secrets Manager, S3 and SNS use a key with the *caller's* permissions through
//! `kms:ViaService`, so their grants live in the callers' identity policies (derived here), and the
//! key policy only needs its root administration statement, which lets IAM policies grant use.
//! CloudWatch Logs is different: it encrypts as its own service principal, so a key that encrypts
//! a function's log group needs the `logs.<region>.amazonaws.com` statement (added to the key
//! policy here when keys.rs did not derive it from `logs.groups`).
//!
//! Rules ZT0130-ZT0139 report invalid runtimes, settings and secret fields; lowering skips what it
//! cannot build and reports unknown references itself (ZT0030).

use super::{codes, ident, Lowerer, ServiceRole};
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::policy::rules::function_facts::{self as ff, EnvValue, Template};
use crate::policy::rules::log_retention::nearest_retention;
use crate::spec::*;

/// The source templates, by name (see `function_facts::TEMPLATES` for their facts).
fn template_text(name: &str) -> Option<&'static str> {
    match name {
        "compliance-checker" => Some(include_str!(
            "../../backends/functions/compliance-checker/lambda_function.py"
        )),
        "secrets-rotation" => Some(include_str!(
            "../../backends/functions/secrets-rotation/index.mjs"
        )),
        _ => None,
    }
}

/// Directory of the function assets, relative to the generated root module.
pub const ASSET_DIR: &str = "functions";

/// `functions/<name>.zip`: the deployment package of a function.
pub fn package_path(name: &str) -> String {
    format!("{ASSET_DIR}/{name}.zip")
}

pub fn lower(l: &mut Lowerer<'_>) {
    functions(l);
    secrets(l);
}

// ---- addresses ----------------------------------------------------------------------------------

fn function_addr(name: &str) -> Address {
    Address::resource("aws_lambda_function", &ident(name))
}

/// Role, policy and attachment of a function (`aws_iam_role.<id>_function`, the convention
/// keys.rs uses for `keys.*.users: [functions.NAME]`).
fn function_aux(name: &str) -> String {
    format!("{}_function", ident(name))
}

/// The ARN of secret `name` (created: the resource; existing: the data source).
fn secret_arn(spec: &Spec, name: &str) -> Expr {
    if ff::secret_is_created(spec, name) {
        Address::resource("aws_secretsmanager_secret", &ident(name)).attr("arn")
    } else {
        Address::data("aws_secretsmanager_secret", &ident(name)).attr("arn")
    }
}

/// The customer-managed key of a created secret.
fn secret_key(spec: &Spec, name: &str) -> Option<Address> {
    let s = spec.secrets.get(name)?;
    if s.source != SecretSource::Create {
        return None;
    }
    let k = s.key.as_deref()?.strip_prefix("keys.")?;
    spec.keys
        .contains_key(k)
        .then(|| Address::resource("aws_kms_key", &ident(k)))
}

fn topic_key(spec: &Spec, name: &str) -> Option<Address> {
    let k = spec.topics.get(name)?.key.strip_prefix("keys.")?;
    spec.keys
        .contains_key(k)
        .then(|| Address::resource("aws_kms_key", &ident(k)))
}

fn bucket_key(spec: &Spec, name: &str) -> Option<Address> {
    let k = spec.buckets.get(name)?.key.strip_prefix("keys.")?;
    spec.keys
        .contains_key(k)
        .then(|| Address::resource("aws_kms_key", &ident(k)))
}

// ---- policy statements --------------------------------------------------------------------------

/// `Sid` from a prefix and a spec name: `Publish` + `security-alerts` → `PublishSecurityAlerts`.
fn sid(prefix: &str, name: &str) -> String {
    let mut s = prefix.to_string();
    for part in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut cs = part.chars();
        if let Some(c) = cs.next() {
            s.push(c.to_ascii_uppercase());
            s.extend(cs);
        }
    }
    s
}

fn statement(sid: &str, actions: &[&str], resource: Expr, condition: Option<Expr>) -> Expr {
    let mut kv = vec![
        ("Sid".to_string(), Expr::str(sid)),
        ("Effect".to_string(), Expr::str("Allow")),
        (
            "Action".to_string(),
            if actions.len() == 1 {
                Expr::str(actions[0])
            } else {
                Expr::list_str(actions.iter().copied())
            },
        ),
        ("Resource".to_string(), resource),
    ];
    if let Some(c) = condition {
        kv.push(("Condition".to_string(), c));
    }
    Expr::Object(kv)
}

/// `{"StringEquals": {"kms:ViaService": "<service>.<region>.amazonaws.com", ...extra}}`
fn via_service(service: &str, region: &Expr, extra: Vec<(String, Expr)>) -> Expr {
    let mut eq = vec![(
        "kms:ViaService".to_string(),
        Expr::concat(vec![
            Expr::str(format!("{service}.")),
            region.clone(),
            Expr::str(".amazonaws.com"),
        ]),
    )];
    eq.extend(extra);
    Expr::obj([("StringEquals", Expr::Object(eq))])
}

/// Lambda-in-VPC ENI management: no resource-level permissions exist for these (C19); the
/// actions of the AWS-managed AWSLambdaVPCAccessExecutionRole policy.
const VPC_ENI_ACTIONS: &[&str] = &[
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeSubnets",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

/// Read-only calls of the compliance checker that have no resource-level permissions (C19).
const CHECKER_READ_ACTIONS: &[&str] = &[
    "ec2:DescribeFlowLogs",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeVolumes",
    "ec2:DescribeVpcs",
    "logs:DescribeLogGroups",
    "s3:ListAllMyBuckets",
];

/// Bucket-level reads of the compliance checker: every bucket of the account.
const CHECKER_BUCKET_ACTIONS: &[&str] = &["s3:GetBucketLocation", "s3:GetEncryptionConfiguration"];

// ---- functions ----------------------------------------------------------------------------------

/// What a resolved environment value refers to.
enum EnvTarget {
    Literal,
    Topic(String),
    Bucket(String),
    Secret(String),
}

/// Resolve an environment value: the expression, and what it refers to.
fn env_expr(l: &mut Lowerer<'_>, value: &str, at: &[&str]) -> Option<(Expr, EnvTarget)> {
    let spec = l.spec;
    match ff::env_value(value) {
        EnvValue::Literal(s) => Some((Expr::str(s), EnvTarget::Literal)),
        EnvValue::Topic(_) => {
            let names: Vec<String> = spec.topics.keys().cloned().collect();
            let n = l.resolve(value, "topics", names.iter(), at)?;
            let arn = Address::resource("aws_sns_topic", &ident(&n)).attr("arn");
            Some((arn, EnvTarget::Topic(n)))
        }
        EnvValue::Bucket(_) => {
            let (n, a) = l.bucket_ref(value, at)?;
            Some((a.attr("bucket"), EnvTarget::Bucket(n)))
        }
        EnvValue::Secret(_) => {
            let names: Vec<String> = spec.secrets.keys().cloned().collect();
            let n = l.resolve(value, "secrets", names.iter(), at)?;
            Some((secret_arn(spec, &n), EnvTarget::Secret(n)))
        }
    }
}

/// The rendered source of a function: the template with the header values filled in.
pub fn render_source(
    t: &Template,
    text: &str,
    stack: &str,
    function: &str,
    runtime: &str,
) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_keep_trailing_newline(true);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template(t.file, text)?;
    env.get_template(t.file)?.render(minijinja::context! {
        stack => stack,
        function => function,
        source => t.name,
        runtime => runtime,
        ztc_version => env!("CARGO_PKG_VERSION"),
    })
}

fn functions(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, f) in &spec.functions {
        function(l, name, f);
    }
}

fn function(l: &mut Lowerer<'_>, name: &str, f: &Function) {
    let spec = l.spec;
    let at = ["functions", name];
    let origin = format!("functions.{name}");
    let span = l.key_span(&at);
    let id = ident(name);
    let aux = function_aux(name);
    let Some(t) = ff::template(&f.source) else {
        return; // reported by ZT0133
    };
    let Some(text) = template_text(t.name) else {
        return;
    };
    let concern = if t.name == "secrets-rotation" {
        Concern::Security
    } else {
        Concern::Compliance
    };
    let region = l.region();

    // ---- deployment package: rendered source + a deterministic zip (C29: no archive provider)
    let source = match render_source(t, text, &spec.metadata.name, name, &f.runtime) {
        Ok(s) => s,
        Err(e) => {
            l.diags.push(
                Diagnostic::error(
                    codes::LOWERING_NOTE,
                    format!("the `{}` source template does not render: {e}", t.name),
                )
                .at(l.span(&["functions", name, "source"]))
                .label("template error")
                .help("this is a bug in ztc's function templates; please report it"),
            );
            return;
        }
    };
    let package = package_path(name);
    l.module.assets.push(Asset {
        path: format!("{ASSET_DIR}/{name}/{}", t.file),
        contents: source.clone().into_bytes(),
    });
    l.module.assets.push(Asset {
        path: package.clone(),
        contents: zip_stored(&[(t.file, source.as_bytes())]),
    });

    let key = l.key_ref(&f.key, &["functions", name, "key"]);
    let fn_name = l.name(name);

    // ---- environment
    let mut env_vars: Vec<(String, Expr)> = Vec::new();
    let mut buckets: Vec<String> = Vec::new();
    let mut topics: Vec<String> = Vec::new();
    let mut read_secrets: Vec<String> = Vec::new();
    for (k, v) in &f.environment {
        let here = ["functions", name, "environment", k.as_str()];
        let Some((e, what)) = env_expr(l, v, &here) else {
            continue;
        };
        match what {
            EnvTarget::Bucket(b) => buckets.push(b),
            EnvTarget::Topic(t) => topics.push(t),
            EnvTarget::Secret(s) => read_secrets.push(s),
            EnvTarget::Literal => {}
        }
        env_vars.push((k.clone(), e));
    }
    let rotated = ff::rotated_secrets(spec, name);
    if t.name == "secrets-rotation" {
        // the password policy of the secrets it rotates, when they agree (C40)
        let policies: Vec<(u32, bool)> = rotated
            .iter()
            .filter_map(|s| spec.secrets[*s].generate.as_ref())
            .map(|g| (g.length, g.special))
            .collect();
        if let Some(&(len, special)) = policies.first() {
            if policies.iter().all(|p| *p == (len, special)) {
                if !f.environment.contains_key("PASSWORD_LENGTH") {
                    env_vars.push(("PASSWORD_LENGTH".into(), Expr::str(len.to_string())));
                }
                if !f.environment.contains_key("EXCLUDE_PUNCTUATION") {
                    env_vars.push((
                        "EXCLUDE_PUNCTUATION".into(),
                        Expr::str(if special { "false" } else { "true" }),
                    ));
                }
            }
        }
    }
    env_vars.sort_by(|a, b| a.0.cmp(&b.0));

    if t.name == "secrets-rotation" && ff::has_database(f) {
        l.module.notes.push(format!(
            "Manual step: function `{name}` rotates a PostgreSQL password (DB_HOST is set) and needs the `pg` \
             client, which the Lambda runtime does not ship: add it to `{package}` (node_modules/pg) or attach \
             a layer that provides it; without it the rotation stops at setSecret with an error"
        ));
        l.note(
            l.span(&["functions", name, "environment", "DB_HOST"]),
            &origin,
            format!("function `{name}` needs the `pg` module to rotate the database password"),
            "the deployment package ztc builds holds only index.mjs; bundle node_modules/pg or attach a layer (see the README's manual steps)",
        );
    }

    // ---- placement
    let mut vpc_config = None;
    if let FunctionVpc::In(v) = &f.vpc {
        vpc_config = function_vpc(l, name, v);
    }

    // ---- the function (first block of the element: its primary block)
    let timeout = f.timeout.seconds().unwrap_or(60);
    let mut body = Body::new()
        .attr("function_name", fn_name.clone())
        .attr(
            "description",
            Expr::str(format!("{} ({})", t.summary, spec.metadata.name)),
        )
        .attr("role", Address::resource("aws_iam_role", &aux).attr("arn"))
        .attr("runtime", Expr::str(&f.runtime))
        .attr("handler", Expr::str(t.handler))
        .attr("filename", Expr::str(&package))
        .attr(
            "source_code_hash",
            Expr::Call(Func::FileBase64Sha256, vec![Expr::str(&package)]),
        )
        .attr("memory_size", Expr::Int(f.memory as i64))
        .attr("timeout", Expr::Int(timeout));
    if let Some(k) = &key {
        body.push_attr("kms_key_arn", k.attr("arn"));
    }
    if !env_vars.is_empty() {
        body.push_block(
            "environment",
            Body::new().attr("variables", Expr::Object(env_vars)),
        );
    }
    if let Some(vc) = vpc_config {
        body.push_block("vpc_config", vc);
    }
    body.push_block(
        "tracing_config",
        Body::new().attr("mode", Expr::str("Active")),
    );
    body.push_attr("tags", l.name_tag(name));
    let lambda = l.resource("aws_lambda_function", &id, concern, &origin, span, body);

    // ---- its log group, pre-created so that retention and the key apply (C26)
    let retention = f
        .log_retention
        .as_ref()
        .or(spec.logs.defaults.retention.as_ref())
        .and_then(Duration::days)
        .map(nearest_retention)
        .unwrap_or(365);
    let mut lg = Body::new()
        .attr(
            "name",
            Expr::concat(vec![Expr::str("/aws/lambda/"), fn_name.clone()]),
        )
        .attr("retention_in_days", Expr::Int(retention));
    if let Some(k) = &key {
        lg.push_attr("kms_key_id", k.attr("arn"));
    }
    lg.push_attr("skip_destroy", Expr::Bool(false));
    lg.push_attr("tags", l.name_tag(&format!("{name}-logs")));
    let log_group = l.resource(
        "aws_cloudwatch_log_group",
        &aux,
        Concern::Monitoring,
        &origin,
        span,
        lg,
    );
    l.note(
        span,
        &origin,
        format!("the log group of function `{name}` is created by the stack: `/aws/lambda/<function name>`"),
        "Lambda would otherwise create it on first invocation, without retention or key, outside the state (it would survive destroy); its name is dictated by Lambda, not by naming.pattern",
    );

    // ---- execution role: customer-managed policy + attachments, no inline policies
    let mut stmts = vec![statement(
        "WriteOwnLogs",
        &["logs:CreateLogStream", "logs:PutLogEvents"],
        Expr::concat(vec![log_group.attr("arn"), Expr::str(":*")]),
        None,
    )];
    if matches!(f.vpc, FunctionVpc::In(_)) {
        stmts.push(statement(
            "ManageVpcNetworkInterfaces",
            VPC_ENI_ACTIONS,
            Expr::str("*"),
            None,
        ));
    }
    stmts.push(statement(
        "WriteTraces",
        &["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
        Expr::str("*"),
        None,
    ));
    if let Some(k) = &key {
        stmts.push(statement(
            "DecryptEnvironment",
            &["kms:Decrypt"],
            k.attr("arn"),
            None,
        ));
    }
    if t.name == "compliance-checker" {
        stmts.push(statement(
            "ReadSecurityConfiguration",
            CHECKER_READ_ACTIONS,
            Expr::str("*"),
            None,
        ));
        let partition = l.partition();
        stmts.push(statement(
            "ReadBucketEncryption",
            CHECKER_BUCKET_ACTIONS,
            Expr::concat(vec![Expr::str("arn:"), partition, Expr::str(":s3:::*")]),
            None,
        ));
        for b in &buckets {
            let arn = Address::resource("aws_s3_bucket", &ident(b)).attr("arn");
            stmts.push(statement(
                &sid("WriteReports", b),
                &["s3:PutObject"],
                Expr::concat(vec![arn, Expr::str("/reports/*")]),
                None,
            ));
            if let Some(k) = bucket_key(spec, b) {
                stmts.push(statement(
                    &sid("EncryptReports", b),
                    &["kms:GenerateDataKey", "kms:Decrypt"],
                    k.attr("arn"),
                    Some(via_service("s3", &region, vec![])),
                ));
            }
        }
    }
    // topics it publishes to: `topics.*.publishers: [functions.NAME]`, and the checker's topic
    let mut publish: Vec<&str> = ff::published_topics(spec, name);
    if t.name == "compliance-checker" {
        publish.extend(topics.iter().map(String::as_str));
    }
    publish.sort_unstable();
    publish.dedup();
    for tp in &publish {
        stmts.push(statement(
            &sid("Publish", tp),
            &["sns:Publish"],
            Address::resource("aws_sns_topic", &ident(tp)).attr("arn"),
            None,
        ));
        if let Some(k) = topic_key(spec, tp) {
            stmts.push(statement(
                &sid("EncryptMessages", tp),
                &["kms:GenerateDataKey", "kms:Decrypt"],
                k.attr("arn"),
                Some(via_service("sns", &region, vec![])),
            ));
        }
    }
    // secrets it reads (environment references), unless it rotates them
    for s in read_secrets
        .iter()
        .filter(|s| !rotated.contains(&s.as_str()))
    {
        let arn = secret_arn(spec, s);
        stmts.push(statement(
            &sid("ReadSecret", s),
            &[
                "secretsmanager:GetSecretValue",
                "secretsmanager:DescribeSecret",
            ],
            arn.clone(),
            None,
        ));
        stmts.extend(secret_kms(spec, &region, s, &["kms:Decrypt"], arn));
    }
    // secrets it rotates (Secrets Manager's rotation-function policy)
    if !rotated.is_empty() {
        for s in &rotated {
            let arn = secret_arn(spec, s);
            stmts.push(statement(
                &sid("RotateSecret", s),
                &[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:GetSecretValue",
                    "secretsmanager:PutSecretValue",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                arn.clone(),
                None,
            ));
            stmts.extend(secret_kms(
                spec,
                &region,
                s,
                &["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey"],
                arn,
            ));
        }
        stmts.push(statement(
            "GenerateRandomPasswords",
            &["secretsmanager:GetRandomPassword"],
            Expr::str("*"),
            None,
        ));
    }
    let description = format!("Execution role of function {name}");
    let (_role, attachment) = l.service_role(
        ServiceRole {
            id: &aux,
            logical: &format!("{name}-function"),
            service: "lambda.amazonaws.com",
            description: &description,
            concern: Concern::Security,
            origin: &origin,
            span,
        },
        stmts,
    );
    let mut attachments = vec![attachment];
    let policy_names: Vec<String> = spec.iam.policies.keys().cloned().collect();
    for (pi, p) in f.policies.iter().enumerate() {
        let reference = format!("iam.policies.{p}");
        let Some(pn) = l.resolve(
            &reference,
            "iam.policies",
            policy_names.iter(),
            &["functions", name, "policies", &pi.to_string()],
        ) else {
            continue;
        };
        attachments.push(
            l.resource(
                "aws_iam_role_policy_attachment",
                &format!("{aux}_{}", ident(&pn)),
                Concern::Security,
                &origin,
                span,
                Body::new()
                    .attr("role", Address::resource("aws_iam_role", &aux).attr("name"))
                    .attr(
                        "policy_arn",
                        Address::resource("aws_iam_policy", &ident(&pn)).attr("arn"),
                    ),
            ),
        );
    }
    // the role must carry its permissions before Lambda validates it; the log group must exist
    // before the first invocation writes to it
    l.depends(&lambda, log_group);
    for a in attachments {
        l.depends(&lambda, a);
    }
}

/// `vpc_config` of an in-VPC function: the subnets of its tiers and its security group.
fn function_vpc(l: &mut Lowerer<'_>, name: &str, v: &FunctionVpcIn) -> Option<Body> {
    let net = l.network_for(
        &format!("function `{name}` runs in the VPC"),
        &["functions", name, "vpc"],
        "define `network:` with the tiers, or use `vpc: {none: reason}`",
    )?;
    let mut subnets = Vec::new();
    for (i, t) in v.tiers.iter().enumerate() {
        let here = ["functions", name, "vpc", "tiers", &i.to_string()];
        subnets.extend(l.tier_subnet_ids(net, t, &here).unwrap_or_default());
    }
    let sgs: Vec<String> = net.security_groups.keys().cloned().collect();
    let sg = l.resolve(
        &format!("security_groups.{}", v.security_group),
        "security_groups",
        sgs.iter(),
        &["functions", name, "vpc", "security_group"],
    )?;
    l.note(
        l.span(&["functions", name, "vpc"]),
        &format!("functions.{name}"),
        format!("function `{name}` runs in the VPC: destroying it waits until Lambda releases its network interfaces"),
        "Lambda's Hyperplane ENIs are deleted asynchronously; `terraform destroy` of the subnets and security group can take 20-40 minutes (C39)",
    );
    Some(Body::new().attr("subnet_ids", Expr::List(subnets)).attr(
        "security_group_ids",
        Expr::List(vec![
            Address::resource("aws_security_group", &ident(&sg)).attr("id"),
        ]),
    ))
}

/// KMS statements a caller needs to use secret `name` through Secrets Manager: on the secret's
/// key (created with a key), limited to this secret by its encryption context; for an existing
/// secret, whose key this stack does not know, on any key of the account under the same
/// conditions. Created secrets on the AWS-managed key need none.
fn secret_kms(spec: &Spec, region: &Expr, name: &str, actions: &[&str], arn: Expr) -> Vec<Expr> {
    let cond = via_service(
        "secretsmanager",
        region,
        vec![("kms:EncryptionContext:SecretARN".into(), arn)],
    );
    if ff::secret_is_created(spec, name) {
        match secret_key(spec, name) {
            Some(k) => vec![statement(
                &sid("UseKeyOfSecret", name),
                actions,
                k.attr("arn"),
                Some(cond),
            )],
            None => vec![],
        }
    } else {
        vec![statement(
            &sid("UseKeyOfSecret", name),
            actions,
            Expr::str("*"),
            Some(cond),
        )]
    }
}

// ---- secrets ------------------------------------------------------------------------------------

fn secrets(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, s) in &spec.secrets {
        let at = ["secrets", name.as_str()];
        let origin = format!("secrets.{name}");
        let span = l.key_span(&at);
        let id = ident(name);
        let mut version = None;
        let secret_id = match s.source {
            SecretSource::Create => {
                let ephemeral = spec.compliance.lifecycle == Lifecycle::Ephemeral;
                let window = s
                    .recovery_window_days
                    .unwrap_or(if ephemeral { 0 } else { 30 });
                let mut body = Body::new().attr("name", l.name(name)).attr(
                    "description",
                    Expr::str(match &s.generate {
                        Some(g) => format!(
                            "Credentials of {} ({}): JSON {{username, password}}",
                            g.username, spec.metadata.name
                        ),
                        None => format!("{name} ({})", spec.metadata.name),
                    }),
                );
                if let Some(k) = &s.key {
                    if let Some(a) = l.key_ref(k, &["secrets", name, "key"]) {
                        body.push_attr("kms_key_id", a.attr("arn"));
                    }
                }
                body.push_attr("recovery_window_in_days", Expr::Int(window));
                body.push_attr("tags", l.name_tag(name));
                let secret = l.resource(
                    "aws_secretsmanager_secret",
                    &id,
                    Concern::Security,
                    &origin,
                    span,
                    body,
                );
                if s.recovery_window_days.is_none() {
                    l.note(
                        span,
                        &origin,
                        format!("secret `{name}` is deleted {} on destroy", if window == 0 { "at once (recovery window 0)".to_string() } else { format!("after a {window}-day recovery window") }),
                        if ephemeral {
                            "ephemeral stacks delete secrets without a recovery window, so a redeploy can reuse the name (C30)"
                        } else {
                            "persistent stacks keep deleted secrets recoverable for 30 days"
                        },
                    );
                }
                if let Some(g) = &s.generate {
                    version = Some(generated_version(l, name, g, &secret, span, &origin));
                }
                secret.attr("arn")
            }
            SecretSource::Existing => {
                let Some(n) = &s.name else {
                    continue; // reported by ZT0136
                };
                let n = l.str_or_var(n, &["secrets", name, "name"]);
                let data = l.data(
                    "aws_secretsmanager_secret",
                    &id,
                    Concern::Security,
                    &origin,
                    Body::new().attr("name", n),
                );
                data.attr("arn")
            }
        };
        let Some(Rotation2::With(r)) = &s.rotation else {
            continue;
        };
        let functions: Vec<String> = spec.functions.keys().cloned().collect();
        let Some(fname) = l.resolve(
            &r.function,
            "functions",
            functions.iter(),
            &["secrets", name, "rotation", "function"],
        ) else {
            continue;
        };
        if ff::template(&spec.functions[&fname].source)
            .map_or(true, |t| t.name != "secrets-rotation")
        {
            continue; // reported by ZT0137
        }
        let lambda = function_addr(&fname);
        // Secrets Manager may invoke the function for this secret only (no confused deputy)
        let account = l.account_id();
        let permission = l.resource(
            "aws_lambda_permission",
            &format!("{}_{id}", ident(&fname)),
            Concern::Security,
            &origin,
            l.key_span(&["secrets", name, "rotation"]),
            Body::new()
                .attr(
                    "statement_id",
                    Expr::str(format!("AllowSecretsManagerRotation-{name}")),
                )
                .attr("action", Expr::str("lambda:InvokeFunction"))
                .attr("function_name", lambda.attr("function_name"))
                .attr("principal", Expr::str("secretsmanager.amazonaws.com"))
                .attr("source_account", account)
                .attr("source_arn", secret_id.clone()),
        );
        let rotation = l.resource(
            "aws_secretsmanager_secret_rotation",
            &id,
            Concern::Security,
            &origin,
            l.key_span(&["secrets", name, "rotation"]),
            Body::new()
                .attr("secret_id", secret_id)
                .attr("rotation_lambda_arn", lambda.attr("arn"))
                .attr("rotate_immediately", Expr::Bool(r.immediately))
                .block(
                    "rotation_rules",
                    Body::new().attr("automatically_after_days", Expr::Int(r.days as i64)),
                ),
        );
        l.depends(&rotation, permission);
        if let Some(v) = version {
            // the first rotation needs an AWSCURRENT value
            l.depends(&rotation, v);
        }
    }
}

/// The initial value of a created secret: `{username, password}` with a password from
/// `aws_secretsmanager_random_password` (no hashicorp/random provider, C29).
///
/// `via: ephemeral`: the ephemeral resource feeds the write-only `secret_string_wo`, so the
/// password is in neither plan nor state; `secret_string_wo_version` stays 1, so later runs (a new
/// password each time) change nothing and rotation owns the value. `via: data-source`: the data
/// source is read at every plan (and stored in the state), so the version ignores later changes
/// of `secret_string`. Both ignore the version stages that rotation moves.
fn generated_version(
    l: &mut Lowerer<'_>,
    name: &str,
    g: &Generate,
    secret: &Address,
    span: crate::source::Span,
    origin: &str,
) -> Address {
    let id = ident(name);
    let args = Body::new()
        .attr("password_length", Expr::Int(g.length as i64))
        .attr("exclude_punctuation", Expr::Bool(!g.special))
        .attr("exclude_characters", Expr::str("/@\"'\\"))
        .attr("require_each_included_type", Expr::Bool(true));
    const PASSWORD: &str = "aws_secretsmanager_random_password";
    let password = match g.via {
        GenerateVia::Ephemeral => l.ephemeral(PASSWORD, &id, Concern::Security, origin, args),
        GenerateVia::DataSource => l.data(PASSWORD, &id, Concern::Security, origin, args),
    };
    let value = Expr::JsonEncode(Box::new(Expr::obj([
        ("username", Expr::str(&g.username)),
        ("password", password.attr("random_password")),
    ])));
    let body = Body::new().attr("secret_id", secret.attr("id"));
    let (body, ignored): (Body, &[&str]) = match g.via {
        GenerateVia::Ephemeral => (
            body.attr("secret_string_wo", value)
                .attr("secret_string_wo_version", Expr::Int(1)),
            &["version_stages"],
        ),
        GenerateVia::DataSource => (
            body.attr("secret_string", value),
            &["secret_string", "version_stages"],
        ),
    };
    let ignored = ignored
        .iter()
        .map(|a| {
            Expr::Ref(Ref {
                target: RefTarget::Local((*a).to_string()),
                path: vec![],
            })
        })
        .collect();
    l.resource(
        "aws_secretsmanager_secret_version",
        &id,
        Concern::Security,
        origin,
        span,
        body.block(
            "lifecycle",
            Body::new().attr("ignore_changes", Expr::List(ignored)),
        ),
    )
}

// ---- deployment packages ------------------------------------------------------------------------

/// CRC-32 (IEEE 802.3, reflected), as zip uses it.
fn crc32(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut t = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 != 0 {
                    0xEDB8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            t[i] = c;
            i += 1;
        }
        t
    };
    let mut c = 0xFFFF_FFFFu32;
    for &b in data {
        c = TABLE[((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    c ^ 0xFFFF_FFFF
}

/// A zip archive of `files` (path inside the archive, contents), uncompressed (method 0,
/// "stored") and deterministic: fixed timestamps (1980-01-01 00:00), Unix mode 0644, no extra
/// fields, entries in the given order. Lambda accepts stored entries; the same input always gives
/// the same bytes, so `source_code_hash` only changes when the source does.
pub fn zip_stored(files: &[(&str, &[u8])]) -> Vec<u8> {
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = (1 << 5) | 1; // 1980-01-01
    const VERSION: u16 = 20; // 2.0
    const MADE_BY: u16 = (3 << 8) | VERSION; // Unix
    const MODE: u32 = 0o100644;
    fn u16le(out: &mut Vec<u8>, v: u16) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    fn u32le(out: &mut Vec<u8>, v: u32) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    let mut out = Vec::new();
    let mut central = Vec::new();
    for (name, data) in files {
        let flags: u16 = if name.is_ascii() { 0 } else { 1 << 11 }; // UTF-8 names
        let crc = crc32(data);
        let size = data.len() as u32;
        let offset = out.len() as u32;
        // local file header
        u32le(&mut out, 0x0403_4b50);
        u16le(&mut out, VERSION);
        u16le(&mut out, flags);
        u16le(&mut out, 0); // stored
        u16le(&mut out, DOS_TIME);
        u16le(&mut out, DOS_DATE);
        u32le(&mut out, crc);
        u32le(&mut out, size);
        u32le(&mut out, size);
        u16le(&mut out, name.len() as u16);
        u16le(&mut out, 0);
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(data);
        // central directory entry
        u32le(&mut central, 0x0201_4b50);
        u16le(&mut central, MADE_BY);
        u16le(&mut central, VERSION);
        u16le(&mut central, flags);
        u16le(&mut central, 0);
        u16le(&mut central, DOS_TIME);
        u16le(&mut central, DOS_DATE);
        u32le(&mut central, crc);
        u32le(&mut central, size);
        u32le(&mut central, size);
        u16le(&mut central, name.len() as u16);
        u16le(&mut central, 0); // extra
        u16le(&mut central, 0); // comment
        u16le(&mut central, 0); // disk
        u16le(&mut central, 0); // internal attributes
        u32le(&mut central, MODE << 16);
        u32le(&mut central, offset);
        central.extend_from_slice(name.as_bytes());
    }
    let cd_offset = out.len() as u32;
    let cd_size = central.len() as u32;
    out.extend_from_slice(&central);
    // end of central directory
    u32le(&mut out, 0x0605_4b50);
    u16le(&mut out, 0);
    u16le(&mut out, 0);
    u16le(&mut out, files.len() as u16);
    u16le(&mut out, files.len() as u16);
    u32le(&mut out, cd_size);
    u32le(&mut out, cd_offset);
    u16le(&mut out, 0);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_values() {
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn zip_is_deterministic() {
        let a = zip_stored(&[("index.mjs", b"export const handler = async () => 1;\n")]);
        let b = zip_stored(&[("index.mjs", b"export const handler = async () => 1;\n")]);
        assert_eq!(a, b);
        assert_eq!(&a[..4], b"PK\x03\x04");
        let c = zip_stored(&[("index.mjs", b"export const handler = async () => 2;\n")]);
        assert_ne!(a, c);
    }

    /// Python's `zipfile` reads the archive back: names, contents, CRCs, Unix mode.
    #[test]
    fn python_zipfile_reads_it() {
        let py = std::process::Command::new("python3")
            .arg("--version")
            .output();
        if py.map(|o| !o.status.success()).unwrap_or(true) {
            eprintln!("SKIP: python3 is not available");
            return;
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f.zip");
        let body = "print('héllo')\n".repeat(100);
        std::fs::write(
            &path,
            zip_stored(&[
                ("lambda_function.py", body.as_bytes()),
                ("lib/data.json", b"{}"),
                ("empty", b""),
            ]),
        )
        .unwrap();
        let script = r#"
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, "bad CRC"
names = z.namelist()
assert names == ["lambda_function.py", "lib/data.json", "empty"], names
assert z.read("lambda_function.py").decode() == "print('héllo')\n" * 100
assert z.read("lib/data.json") == b"{}"
assert z.read("empty") == b""
for i in z.infolist():
    assert (i.external_attr >> 16) == 0o100644, oct(i.external_attr >> 16)
    assert i.compress_type == zipfile.ZIP_STORED
    assert i.date_time == (1980, 1, 1, 0, 0, 0)
print("ok")
"#;
        let out = std::process::Command::new("python3")
            .arg("-c")
            .arg(script)
            .arg(&path)
            .output()
            .expect("python3 runs");
        assert!(
            out.status.success(),
            "python zipfile rejected the archive:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");
    }

    /// The templates render to themselves with only the header values replaced: no stray
    /// template syntax in the code.
    #[test]
    fn templates_render_only_their_headers() {
        for t in ff::TEMPLATES {
            let text = template_text(t.name).expect("every template has a text");
            let out = render_source(t, text, "stk", "fn-a", "rt-x").expect("renders");
            let expected = text
                .replace("{{ stack }}", "stk")
                .replace("{{ function }}", "fn-a")
                .replace("{{ source }}", t.name)
                .replace("{{ runtime }}", "rt-x")
                .replace("{{ ztc_version }}", env!("CARGO_PKG_VERSION"));
            assert_eq!(out, expected, "{}", t.name);
            assert!(!out.contains("{{") && !out.contains("{%"), "{}", t.name);
        }
    }

    #[test]
    fn sids() {
        assert_eq!(sid("Publish", "security-alerts"), "PublishSecurityAlerts");
        assert_eq!(sid("ReadSecret", "db_creds"), "ReadSecretDbCreds");
    }
}
