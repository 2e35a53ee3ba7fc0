//! IAM roles (trust with external ID, 1-hour sessions) and customer-managed policies whose
//! resources are spec references resolved to ARNs.

use super::{ident, policy_doc, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::spec::*;

pub fn lower(l: &mut Lowerer<'_>) {
    let spec = l.spec;
    for (name, p) in &spec.iam.policies {
        let origin = format!("iam.policies.{name}");
        let span = l.key_span(&["iam", "policies", name]);
        let mut stmts = Vec::new();
        for (si, s) in p.statements.iter().enumerate() {
            let sis = si.to_string();
            let mut resources = Vec::new();
            for (ri, r) in s.resources.iter().enumerate() {
                let at = [
                    "iam",
                    "policies",
                    name.as_str(),
                    "statements",
                    sis.as_str(),
                    "resources",
                    &ri.to_string(),
                ];
                resources.extend(resource_arns(l, r, &at));
            }
            let mut st = Vec::new();
            if let Some(sid) = &s.sid {
                st.push(("Sid".to_string(), Expr::str(sid)));
            }
            st.push((
                "Effect".into(),
                Expr::str(if s.effect == Effect::Allow {
                    "Allow"
                } else {
                    "Deny"
                }),
            ));
            st.push(("Action".into(), Expr::list_str(s.actions.clone())));
            st.push(("Resource".into(), Expr::List(resources)));
            if !s.conditions.is_empty() {
                st.push((
                    "Condition".into(),
                    Expr::Object(super::condition_expr(&s.conditions)),
                ));
            }
            stmts.push(Expr::Object(st));
        }
        l.resource(
            "aws_iam_policy",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            Body::new()
                .attr("name", l.name(name))
                .attr(
                    "description",
                    Expr::str(p.description.clone().unwrap_or_else(|| name.clone())),
                )
                .attr("policy", policy_doc(stmts)),
        );
    }
    for (name, r) in &spec.iam.roles {
        let origin = format!("iam.roles.{name}");
        let at = ["iam", "roles", name.as_str()];
        let span = l.key_span(&at);
        let mut stmt = vec![("Effect".to_string(), Expr::str("Allow"))];
        match (&r.trust.account, &r.trust.service) {
            (Some(acct), None) => {
                let a = match acct {
                    crate::spec::StrOrVar::Lit(r) if r.starts_with("accounts.") => {
                        let names: Vec<String> = spec.accounts.keys().cloned().collect();
                        match l.resolve(
                            r,
                            "accounts",
                            names.iter(),
                            &["iam", "roles", name, "trust", "account"],
                        ) {
                            Some(n) => Expr::var(&spec.accounts[&n].id.var),
                            None => continue,
                        }
                    }
                    other => l.str_or_var(other, &["iam", "roles", name, "trust", "account"]),
                };
                let p = l.partition();
                stmt.push((
                    "Principal".into(),
                    Expr::obj([(
                        "AWS",
                        Expr::concat(vec![
                            Expr::str("arn:"),
                            p,
                            Expr::str(":iam::"),
                            a,
                            Expr::str(":root"),
                        ]),
                    )]),
                ));
                if r.session_tags.is_empty() {
                    stmt.push(("Action".into(), Expr::str("sts:AssumeRole")));
                } else {
                    stmt.push((
                        "Action".into(),
                        Expr::list_str(["sts:AssumeRole", "sts:TagSession"]),
                    ));
                }
                let mut cond: Vec<(String, Expr)> = Vec::new();
                if let Some(x) = &r.external_id {
                    let e = l.str_or_var(x, &["iam", "roles", name, "external_id"]);
                    cond.push(("StringEquals".into(), Expr::obj([("sts:ExternalId", e)])));
                }
                if r.mfa {
                    cond.push((
                        "Bool".into(),
                        Expr::obj([("aws:MultiFactorAuthPresent", Expr::str("true"))]),
                    ));
                    cond.push((
                        "NumericLessThan".into(),
                        Expr::obj([("aws:MultiFactorAuthAge", Expr::str("3600"))]),
                    ));
                }
                if !r.source_ips.is_empty() {
                    cond.push((
                        "IpAddress".into(),
                        Expr::obj([("aws:SourceIp", Expr::list_str(r.source_ips.clone()))]),
                    ));
                }
                if !r.session_tags.is_empty() {
                    // every listed tag must be passed, and no other tag key is accepted
                    cond.push((
                        "StringLike".into(),
                        Expr::Object(
                            r.session_tags
                                .iter()
                                .map(|t| (format!("aws:RequestTag/{t}"), Expr::str("?*")))
                                .collect(),
                        ),
                    ));
                    cond.push((
                        "ForAllValues:StringEquals".into(),
                        Expr::obj([("aws:TagKeys", Expr::list_str(r.session_tags.clone()))]),
                    ));
                }
                if !cond.is_empty() {
                    stmt.push(("Condition".into(), Expr::Object(cond)));
                }
            }
            (None, Some(svc)) => {
                stmt.push(("Principal".into(), Expr::obj([("Service", Expr::str(svc))])));
                stmt.push(("Action".into(), Expr::str("sts:AssumeRole")));
            }
            _ => continue, // reported by rule ZT0115
        }
        let session = r.max_session.seconds().unwrap_or(3600);
        let role = l.resource(
            "aws_iam_role",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            Body::new()
                .attr("name", l.name(name))
                .attr(
                    "description",
                    Expr::str(r.description.clone().unwrap_or_else(|| name.clone())),
                )
                .attr("assume_role_policy", policy_doc(vec![Expr::Object(stmt)]))
                .attr("max_session_duration", Expr::Int(session)),
        );
        for (pi, p) in r.policies.iter().enumerate() {
            let reference = format!("iam.policies.{p}");
            if let Some(pn) = l.resolve_in(
                &reference,
                "iam.policies",
                &spec.iam.policies,
                &["iam", "roles", name, "policies", &pi.to_string()],
            ) {
                l.resource(
                    "aws_iam_role_policy_attachment",
                    &format!("{}_{}", ident(name), ident(&pn)),
                    Concern::Security,
                    &origin,
                    span,
                    Body::new().attr("role", role.attr("name")).attr(
                        "policy_arn",
                        Address::resource("aws_iam_policy", &ident(&pn)).attr("arn"),
                    ),
                );
            }
        }
    }
}

/// A statement resource: an ARN or `*` as written, or a spec reference resolved to ARNs.
fn resource_arns(l: &mut Lowerer<'_>, r: &str, at: &[&str]) -> Vec<Expr> {
    let spec = l.spec;
    if r == "*" || r.starts_with("arn:") {
        return vec![Expr::str(r)];
    }
    let (section, name) = r.split_once('.').unwrap_or((r, ""));
    let all = name == "*";
    match section {
        "keys" => names_of(l, r, "keys", &spec.keys, all, at)
            .into_iter()
            .map(|n| Address::resource("aws_kms_key", &ident(&n)).attr("arn"))
            .collect(),
        "buckets" => names_of(l, r, "buckets", &spec.buckets, all, at)
            .into_iter()
            .flat_map(|n| {
                let a = Address::resource("aws_s3_bucket", &ident(&n)).attr("arn");
                [a.clone(), Expr::concat(vec![a, Expr::str("/*")])]
            })
            .collect(),
        "logs" => names_of(l, r, "logs", &spec.logs.groups, all, at)
            .into_iter()
            .map(|n| {
                Expr::concat(vec![
                    Address::resource("aws_cloudwatch_log_group", &ident(&n)).attr("arn"),
                    Expr::str(":*"),
                ])
            })
            .collect(),
        "parameters" => {
            if all {
                return spec
                    .parameters
                    .keys()
                    .map(|k| {
                        Address::resource("aws_ssm_parameter", &super::storage::param_ident(k))
                            .attr("arn")
                    })
                    .collect();
            }
            let p = &r["parameters.".len()..];
            if spec.parameters.contains_key(p) {
                return vec![Address::resource(
                    "aws_ssm_parameter",
                    &super::storage::param_ident(p),
                )
                .attr("arn")];
            }
            unknown(l, r, at);
            vec![]
        }
        _ => {
            unknown(l, r, at);
            vec![]
        }
    }
}

fn names_of<V>(
    l: &mut Lowerer<'_>,
    r: &str,
    section: &str,
    names: &std::collections::BTreeMap<String, V>,
    all: bool,
    at: &[&str],
) -> Vec<String> {
    if all {
        return names.keys().cloned().collect();
    }
    l.resolve_in(r, section, names, at).into_iter().collect()
}

fn unknown(l: &mut Lowerer<'_>, r: &str, at: &[&str]) {
    l.diags.push(
        Diagnostic::error(super::codes::UNKNOWN_REF, format!("`{r}` is not an ARN, `*`, or a reference to keys, buckets, logs or parameters"))
            .at(l.span(at))
            .label("unknown resource")
            .help("write an ARN, or reference a spec element: `keys.NAME`, `buckets.NAME`, `logs.NAME`, `parameters.*`"),
    );
}
