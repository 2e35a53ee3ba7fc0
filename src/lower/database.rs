//! Aurora Serverless v2 clusters (seed 004, S4-DB-1): subnet group on a tier, customer-key
//! encryption of storage, master-user secret and Performance Insights, RDS-managed master
//! password, IAM authentication, engine logs into a pre-created log group, and destroyability.

use super::{codes, ident, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::policy::rules::log_retention::nearest_retention;
use crate::spec::{Database, Duration, Lifecycle};

pub fn lower(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, db) in &spec.databases {
        lower_one(l, name, db);
    }
}

fn lower_one(l: &mut Lowerer<'_>, name: &str, db: &Database) {
    let spec = l.spec;
    let origin = format!("databases.{name}");
    let span = l.key_span(&["databases", name]);
    let id = ident(name);

    let key = l.key_ref(&db.key, &["databases", name, "key"]);
    let subnets = tier_subnets(l, name, db);
    let sg = match &spec.network {
        Some(net) => l
            .resolve_in(
                &format!("security_groups.{}", db.security_group),
                "security_groups",
                &net.security_groups,
                &["databases", name, "security_group"],
            )
            .map(|s| Address::resource("aws_security_group", &ident(&s))),
        None => None,
    };
    let (Some(key), Some(subnets), Some(sg)) = (key, subnets, sg) else {
        return; // each missing piece has its diagnostic
    };
    if subnets.len() < 2 {
        l.diags.push(
            Diagnostic::error(
                codes::UNKNOWN_REF,
                format!("database `{name}` needs subnets in at least two Availability Zones"),
            )
            .at(l.span(&["databases", name, "tier"]))
            .label(format!(
                "tier `{}` has {} subnet(s)",
                db.tier,
                subnets.len()
            ))
            .help("an RDS subnet group must cover two AZs; give the network `azs: 2` or more"),
        );
        return;
    }

    let cluster_name = l.name(name);
    let engine = db.engine;
    let version = db
        .engine_version
        .clone()
        .unwrap_or_else(|| engine.default_version().to_string());

    // ---- subnet group on the tier's subnets
    let group = l.resource(
        "aws_db_subnet_group",
        &id,
        Concern::Storage,
        &origin,
        span,
        Body::new()
            .attr("name", cluster_name.clone())
            .attr(
                "description",
                Expr::str(format!(
                    "Subnets of tier {} for database {name} ({})",
                    db.tier, spec.metadata.name
                )),
            )
            .attr("subnet_ids", Expr::List(subnets))
            .attr("tags", l.name_tag(name)),
    );

    // ---- engine log groups, created by the stack so that retention and the key apply (C26)
    let retention = db
        .log_retention_days
        .or_else(|| {
            spec.logs
                .defaults
                .retention
                .as_ref()
                .and_then(Duration::days)
        })
        .map(nearest_retention)
        .unwrap_or(365);
    let mut log_groups = Vec::new();
    for kind in engine.log_exports() {
        let lg = l.resource(
            "aws_cloudwatch_log_group",
            &format!("{id}_{kind}"),
            Concern::Monitoring,
            &origin,
            span,
            Body::new()
                .attr(
                    "name",
                    Expr::concat(vec![
                        Expr::str("/aws/rds/cluster/"),
                        cluster_name.clone(),
                        Expr::str(format!("/{kind}")),
                    ]),
                )
                .attr("retention_in_days", Expr::Int(retention))
                .attr("kms_key_id", key.attr("arn"))
                .attr("skip_destroy", Expr::Bool(false))
                .attr("tags", l.name_tag(&format!("{name}-{kind}-logs"))),
        );
        log_groups.push(lg);
    }
    l.note(
        span,
        &origin,
        format!("the engine log groups of database `{name}` are created by the stack: `/aws/rds/cluster/<cluster>/<log>`"),
        "RDS would otherwise create them on first export, without retention or key, outside the state (they would survive destroy)",
    );

    // ---- audit logging of the engine: connections, schema and privilege changes, slow queries
    let mut params = Body::new()
        .attr("name", cluster_name.clone())
        .attr("family", Expr::str(engine.family(&version)))
        .attr(
            "description",
            Expr::str(format!(
                "Audit logging of database {name} ({})",
                spec.metadata.name
            )),
        );
    for (k, v) in engine.audit_parameters() {
        params.push_block(
            "parameter",
            Body::new()
                .attr("name", Expr::str(*k))
                .attr("value", Expr::str(*v)),
        );
    }
    params.push_attr("tags", l.name_tag(name));
    let params = l.resource(
        "aws_rds_cluster_parameter_group",
        &id,
        Concern::Storage,
        &origin,
        span,
        params,
    );

    // ---- the cluster
    let ephemeral = spec.compliance.lifecycle == Lifecycle::Ephemeral;
    let mut body = Body::new()
        .attr("cluster_identifier", cluster_name.clone())
        .attr("engine", Expr::str(engine.as_str()))
        .attr("engine_mode", Expr::str("provisioned"))
        .attr("engine_version", Expr::str(&version));
    if let Some(d) = &db.database_name {
        body.push_attr("database_name", Expr::str(d));
    }
    body.push_attr("master_username", Expr::str(&db.master_username));
    body.push_attr("manage_master_user_password", Expr::Bool(true));
    body.push_attr("master_user_secret_kms_key_id", key.attr("arn"));
    body.push_attr("storage_encrypted", Expr::Bool(true));
    body.push_attr("kms_key_id", key.attr("arn"));
    body.push_attr("db_subnet_group_name", group.attr("name"));
    body.push_attr("db_cluster_parameter_group_name", params.attr("name"));
    body.push_attr("vpc_security_group_ids", Expr::List(vec![sg.attr("id")]));
    body.push_attr("port", Expr::Int(engine.port() as i64));
    body.push_attr("iam_database_authentication_enabled", Expr::Bool(true));
    body.push_attr(
        "enabled_cloudwatch_logs_exports",
        Expr::List(engine.log_exports().iter().map(|k| Expr::str(*k)).collect()),
    );
    body.push_attr(
        "backup_retention_period",
        Expr::Int(db.backup_retention_days as i64),
    );
    body.push_attr("copy_tags_to_snapshot", Expr::Bool(true));
    body.push_attr("deletion_protection", Expr::Bool(db.protect && !ephemeral));
    if db.protect && !ephemeral {
        body.push_attr("skip_final_snapshot", Expr::Bool(false));
        body.push_attr(
            "final_snapshot_identifier",
            Expr::concat(vec![cluster_name.clone(), Expr::str("-final")]),
        );
    } else {
        body.push_attr("skip_final_snapshot", Expr::Bool(true));
    }
    body.push_attr("apply_immediately", Expr::Bool(ephemeral));
    body.push_block(
        "serverlessv2_scaling_configuration",
        Body::new()
            .attr("max_capacity", capacity(db.capacity.max))
            .attr("min_capacity", capacity(db.capacity.min)),
    );
    body.push_attr("tags", l.name_tag(name));
    let cluster = l.resource(
        "aws_rds_cluster",
        &id,
        Concern::Storage,
        &origin,
        span,
        body,
    );
    // the log groups exist before the cluster starts exporting into them
    if let Some(b) = l.module.resources.iter_mut().find(|b| b.addr == cluster) {
        b.depends_on.extend(log_groups);
    }

    // ---- instances: Serverless v2 capacity, private, Performance Insights on the key
    for n in 1..=db.instances {
        l.resource(
            "aws_rds_cluster_instance",
            &format!("{id}_{n}"),
            Concern::Storage,
            &origin,
            span,
            Body::new()
                .attr(
                    "identifier",
                    Expr::concat(vec![cluster_name.clone(), Expr::str(format!("-{n}"))]),
                )
                .attr("cluster_identifier", cluster.attr("id"))
                .attr("instance_class", Expr::str("db.serverless"))
                .attr("engine", cluster.attr("engine"))
                .attr("engine_version", cluster.attr("engine_version"))
                .attr("db_subnet_group_name", group.attr("name"))
                .attr("publicly_accessible", Expr::Bool(false))
                .attr("auto_minor_version_upgrade", Expr::Bool(true))
                .attr("performance_insights_enabled", Expr::Bool(true))
                .attr("performance_insights_kms_key_id", key.attr("arn"))
                .attr("performance_insights_retention_period", Expr::Int(7))
                .attr("apply_immediately", Expr::Bool(ephemeral))
                .attr("tags", l.name_tag(&format!("{name}-{n}"))),
        );
    }
}

/// ACUs: whole numbers print as integers, halves as decimals.
fn capacity(v: f64) -> Expr {
    if v.fract() == 0.0 {
        Expr::Int(v as i64)
    } else {
        Expr::Float(v)
    }
}

/// Subnet ids of the database's tier, or `None` with a diagnostic.
fn tier_subnets(l: &mut Lowerer<'_>, name: &str, db: &Database) -> Option<Vec<Expr>> {
    let net = l.network_for(
        &format!("database `{name}` needs a VPC"),
        &["databases", name, "tier"],
        "define `network:` with the tier the database lives in",
    )?;
    l.tier_subnet_ids(net, &db.tier, &["databases", name, "tier"])
}
