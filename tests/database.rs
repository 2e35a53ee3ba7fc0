//! Aurora Serverless v2 (`databases:`, S4-DB-1): what a cluster lowers to, in which cases the
//! spec is rejected, and that the HCL is accepted by the real provider.

mod common;

use common::{build_hcl, build_spec, repo_root};
use ztc::ir::{Address, Body, Expr, Item};

fn attr<'a>(body: &'a Body, name: &str) -> Option<&'a Expr> {
    body.items.iter().find_map(|(k, v)| match v {
        Item::Attr(e) if k == name => Some(e),
        _ => None,
    })
}

fn blocks<'a>(body: &'a Body, name: &str) -> Vec<&'a Body> {
    body.items
        .iter()
        .filter_map(|(k, v)| match v {
            Item::Block(b) if k == name => Some(b),
            _ => None,
        })
        .collect()
}

fn resource<'a>(m: &'a ztc::ir::Module, ty: &str, name: &str) -> &'a Body {
    let a = Address::resource(ty, name);
    &m.resources
        .iter()
        .find(|b| b.addr == a)
        .unwrap_or_else(|| panic!("{ty}.{name} missing"))
        .body
}

fn spec_text() -> String {
    std::fs::read_to_string(repo_root().join("specs/privatelink-abac.yaml")).unwrap()
}

fn errors_of(text: &str) -> String {
    let c = ztc::compile::compile(
        "privatelink-abac.yaml",
        text.as_bytes(),
        &ztc::compile::Options::default(),
    );
    assert!(c.module.is_none(), "must not compile");
    ztc::diag::render_plain(&c.diagnostics, &c.source, 100)
}

#[test]
fn cluster_is_encrypted_private_audited_and_destroyable() {
    let built = build_spec("specs/privatelink-abac.yaml");
    let m = built.module();
    let c = resource(m, "aws_rds_cluster", "payments_db");
    let s = |n: &str| attr(c, n).unwrap_or_else(|| panic!("{n} missing"));
    assert_eq!(s("engine"), &Expr::str("aurora-postgresql"));
    assert_eq!(s("engine_mode"), &Expr::str("provisioned"));
    assert_eq!(s("storage_encrypted"), &Expr::Bool(true));
    assert_eq!(s("manage_master_user_password"), &Expr::Bool(true));
    assert_eq!(s("iam_database_authentication_enabled"), &Expr::Bool(true));
    assert_eq!(s("skip_final_snapshot"), &Expr::Bool(true));
    assert_eq!(s("deletion_protection"), &Expr::Bool(false));
    let key = Address::resource("aws_kms_key", "kms_database").attr("arn");
    assert_eq!(s("kms_key_id"), &key);
    assert_eq!(s("master_user_secret_kms_key_id"), &key);
    assert!(
        attr(c, "master_password").is_none(),
        "no password in the state"
    );
    let scaling = blocks(c, "serverlessv2_scaling_configuration");
    assert_eq!(scaling.len(), 1);
    assert_eq!(attr(scaling[0], "min_capacity"), Some(&Expr::Float(0.5)));
    assert_eq!(attr(scaling[0], "max_capacity"), Some(&Expr::Int(2)));

    // every instance is serverless, private, with Performance Insights on the key
    let i = resource(m, "aws_rds_cluster_instance", "payments_db_1");
    assert_eq!(attr(i, "instance_class"), Some(&Expr::str("db.serverless")));
    assert_eq!(attr(i, "publicly_accessible"), Some(&Expr::Bool(false)));
    assert_eq!(attr(i, "performance_insights_kms_key_id"), Some(&key));

    // subnets of the private tier, in every AZ
    let g = resource(m, "aws_db_subnet_group", "payments_db");
    match attr(g, "subnet_ids") {
        Some(Expr::List(ids)) => assert_eq!(ids.len(), 3),
        other => panic!("subnet_ids: {other:?}"),
    }

    // audit logging of the engine, and its log group pre-created on the key
    let p = resource(m, "aws_rds_cluster_parameter_group", "payments_db");
    assert_eq!(attr(p, "family"), Some(&Expr::str("aurora-postgresql16")));
    let names: Vec<&Expr> = blocks(p, "parameter")
        .iter()
        .filter_map(|b| attr(b, "name"))
        .collect();
    for want in [
        "log_statement",
        "log_min_duration_statement",
        "log_connections",
    ] {
        assert!(names.contains(&&Expr::str(want)), "{want} missing");
    }
    let lg = resource(m, "aws_cloudwatch_log_group", "payments_db_postgresql");
    assert_eq!(attr(lg, "kms_key_id"), Some(&key));
    let cluster = m
        .resources
        .iter()
        .find(|b| b.addr == Address::resource("aws_rds_cluster", "payments_db"))
        .unwrap();
    assert!(cluster.depends_on.contains(&Address::resource(
        "aws_cloudwatch_log_group",
        "payments_db_postgresql"
    )));
}

#[test]
fn the_log_key_grants_cloudwatch_logs() {
    let built = build_spec("specs/privatelink-abac.yaml");
    let files = ztc::emit::emit(
        built.module(),
        ztc::emit::Target::Cdktf,
        &built.compiled.diagnostics,
    );
    let (_, json) = files
        .iter()
        .find(|(p, _)| p.ends_with("cdk.tf.json"))
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(json).unwrap();
    let policy = doc["resource"]["aws_kms_key"]["kms_database"]["policy"]
        .as_str()
        .unwrap();
    assert!(policy.contains("AllowCloudWatchLogs"), "{policy}");
}

#[test]
fn protect_keeps_a_final_snapshot_when_persistent() {
    let text = spec_text()
        .replacen("lifecycle: ephemeral", "lifecycle: persistent", 1)
        .replacen(
            "    database_name: payments\n",
            "    database_name: payments\n    protect: true\n",
            1,
        );
    let built = build_hcl("privatelink-abac.yaml", &text);
    let c = resource(built.module(), "aws_rds_cluster", "payments_db");
    assert_eq!(attr(c, "deletion_protection"), Some(&Expr::Bool(true)));
    assert_eq!(attr(c, "skip_final_snapshot"), Some(&Expr::Bool(false)));
    assert!(attr(c, "final_snapshot_identifier").is_some());
}

#[test]
fn protect_in_an_ephemeral_stack_is_an_error_at_the_flag() {
    let text = spec_text().replacen(
        "    database_name: payments\n",
        "    database_name: payments\n    protect: true\n",
        1,
    );
    let out = errors_of(&text);
    assert!(out.contains("ZT0102"), "{out}");
    assert!(
        out.contains("database `databases.payments-db` is protected"),
        "{out}"
    );
}

#[test]
fn unknown_references_point_at_the_field() {
    let text = spec_text()
        .replacen("    tier: private\n", "    tier: privte\n", 1)
        .replacen(
            "    security_group: database\n",
            "    security_group: databse\n",
            1,
        );
    let out = errors_of(&text);
    assert!(
        out.contains("did you mean `network.tiers.private`?"),
        "{out}"
    );
    assert!(
        out.contains("did you mean `security_groups.database`?"),
        "{out}"
    );
}

#[test]
fn mysql_gets_its_family_logs_and_audit_plugin() {
    let text = spec_text().replacen("engine: aurora-postgresql", "engine: aurora-mysql", 1);
    let built = build_hcl("privatelink-abac.yaml", &text);
    let m = built.module();
    let p = resource(m, "aws_rds_cluster_parameter_group", "payments_db");
    assert_eq!(attr(p, "family"), Some(&Expr::str("aurora-mysql8.0")));
    let c = resource(m, "aws_rds_cluster", "payments_db");
    assert_eq!(attr(c, "port"), Some(&Expr::Int(3306)));
    for kind in ["audit", "error", "general", "slowquery"] {
        resource(
            m,
            "aws_cloudwatch_log_group",
            &format!("payments_db_{kind}"),
        );
    }
}

#[test]
fn hcl_is_accepted_by_terraform() {
    let built = build_spec("specs/privatelink-abac.yaml");
    common::assert_terraform_accepts(built.dir.path());
}
