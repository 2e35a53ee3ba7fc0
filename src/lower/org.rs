//! Multi-account providers, service control policies and the state backend.

use super::{ident, policy_doc, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;

pub fn lower(l: &mut Lowerer<'_>) {
    providers(l);
    scps(l);
    if let Some(st) = &l.spec.state {
        l.module.backend = Some(Backend {
            bucket: st.bucket.clone(),
            key: st.key.clone(),
            region: st.region.clone().unwrap_or_else(|| l.spec.region.clone()),
            kms_key_id: st.kms_key.clone(),
            dynamodb_table: st.dynamodb_table.clone(),
        });
        if st.dynamodb_table.is_some() {
            l.note(
                l.key_span(&["state"]),
                "state",
                "state locking uses the DynamoDB table as asked; Terraform 1.11 deprecates `dynamodb_table` in favour of `use_lockfile`, and the bucket and table must exist before `terraform init`",
                "create the state bucket and lock table in a bootstrap stack",
            );
        }
    }
}

/// One aliased provider per declared account, assuming its deployment role.
fn providers(l: &mut Lowerer<'_>) {
    let accounts = l.spec.accounts.clone();
    let tags = l.module.providers.first().and_then(|p| {
        p.body
            .items
            .iter()
            .find(|(k, _)| k == "default_tags")
            .cloned()
    });
    for (name, a) in &accounts {
        let role = l.var(
            &a.role_arn,
            VarType::String,
            &["accounts", name, "role_arn"],
        );
        l.var(&a.id, VarType::String, &["accounts", name, "id"]);
        let mut assume = Body::new()
            .attr("role_arn", role)
            .attr("session_name", Expr::str(format!("ztc-{name}")))
            .attr("duration", Expr::str("1h"));
        if let Some(x) = &a.external_id {
            let e = l.var(x, VarType::String, &["accounts", name, "external_id"]);
            assume.push_attr("external_id", e);
        }
        let mut body = Body::new()
            .attr("region", l.provider_region())
            .block("assume_role", assume);
        if let Some((k, item)) = &tags {
            body.items.push((k.clone(), item.clone()));
        }
        l.module.providers.push(Provider {
            name: "aws".into(),
            alias: Some(ident(name)),
            body,
        });
    }
}

fn scps(l: &mut Lowerer<'_>) {
    let Some(org) = l.spec.organization.clone() else {
        return;
    };
    let span = l.key_span(&["organization"]);
    let names: Vec<String> = l.spec.accounts.keys().cloned().collect();
    let Some(acct) = l.resolve(
        &org.account,
        "accounts",
        names.iter(),
        &["organization", "account"],
    ) else {
        return;
    };
    let alias = ident(&acct);
    for (name, scp) in &org.scps {
        let origin = format!("organization.scps.{name}");
        let at = ["organization", "scps", name.as_str()];
        let pspan = l.key_span(&at);
        if scp.targets.is_empty() {
            l.diags.push(
                Diagnostic::error(
                    super::codes::UNKNOWN_REF,
                    format!("SCP `{name}` has no targets"),
                )
                .at(pspan)
                .label("attached to nothing")
                .help("add `targets: [{var: payments_ou_id}]` (OU or account ids)"),
            );
        }
        let exempt = scp.exempt_principals.clone();
        let stmts: Vec<Expr> = scp
            .statements
            .iter()
            .map(|s| {
                let deny = s.effect == crate::spec::Effect::Deny;
                let mut st = Vec::new();
                if let Some(sid) = &s.sid {
                    st.push(("Sid".to_string(), Expr::str(sid)));
                }
                st.push((
                    "Effect".into(),
                    Expr::str(if deny { "Deny" } else { "Allow" }),
                ));
                st.push(("Action".into(), Expr::list_str(s.actions.clone())));
                st.push(("Resource".into(), Expr::list_str(s.resources.clone())));
                let mut cond = super::condition_expr(&s.conditions);
                if deny && !exempt.is_empty() {
                    cond.push((
                        "ArnNotLike".into(),
                        Expr::obj([("aws:PrincipalArn", Expr::list_str(exempt.clone()))]),
                    ));
                }
                if !cond.is_empty() {
                    st.push(("Condition".into(), Expr::Object(cond)));
                }
                Expr::Object(st)
            })
            .collect();
        let destroy_blocking = scp.statements.iter().any(|s| {
            s.effect == crate::spec::Effect::Deny
                && s.actions.iter().any(|a| {
                    [
                        "kms:ScheduleKeyDeletion",
                        "cloudtrail:DeleteTrail",
                        "logs:DeleteLogGroup",
                        "config:DeleteConfigRule",
                        "config:DeleteConfigurationRecorder",
                    ]
                    .contains(&a.as_str())
                })
        });
        if destroy_blocking && exempt.is_empty() {
            l.diags.push(
                Diagnostic::warning(super::codes::SCP, format!("SCP `{name}` denies deleting security resources and exempts nobody: this stack's own destroy will fail in the target accounts"))
                    .at(pspan)
                    .label("no exempt principals")
                    .scope(&origin)
                    .help("add `exempt_principals: [\"arn:aws:iam::*:role/<deployer-role>\"]` (the deployer or a break-glass role), or waive this with the reason"),
            );
        }
        let policy = l.resource(
            "aws_organizations_policy",
            &ident(name),
            Concern::Compliance,
            &origin,
            pspan,
            Body::new()
                .attr("name", l.name(name))
                .attr(
                    "description",
                    Expr::str(scp.description.clone().unwrap_or_else(|| name.clone())),
                )
                .attr("type", Expr::str("SERVICE_CONTROL_POLICY"))
                .attr("content", policy_doc(stmts)),
        );
        set_provider(l, &policy, &alias);
        for (i, t) in scp.targets.iter().enumerate() {
            let target = l.var(
                t,
                VarType::String,
                &["organization", "scps", name, "targets", &i.to_string()],
            );
            let a = l.resource(
                "aws_organizations_policy_attachment",
                &format!("{}_{}", ident(name), ident(&t.var)),
                Concern::Compliance,
                &origin,
                pspan,
                Body::new()
                    .attr("policy_id", policy.attr("id"))
                    .attr("target_id", target),
            );
            set_provider(l, &a, &alias);
        }
    }
    l.note(
        span,
        "organization",
        format!("service control policies are applied from the `{acct}` account (Organizations management or delegated administrator); they never restrict the management account itself"),
        "enable the SCP policy type on the organization root before applying",
    );
}

fn set_provider(l: &mut Lowerer<'_>, addr: &Address, alias: &str) {
    if let Some(b) = l.module.resources.iter_mut().find(|b| &b.addr == addr) {
        b.provider = Some(alias.to_string());
    }
}
