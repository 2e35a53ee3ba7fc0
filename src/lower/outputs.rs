//! Stack outputs: `SECTION.NAME.ATTR` or `SECTION.*.ATTR` resolved to resource attributes.

use super::{ident, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::spec::EndpointType;

pub fn lower(l: &mut Lowerer<'_>) {
    let outputs = l.spec.outputs.clone();
    for (i, o) in outputs.iter().enumerate() {
        let at = ["outputs", &i.to_string(), "value"];
        match resolve(l, &o.value) {
            Ok(value) => l.module.outputs.push(Output {
                name: o.name.clone(),
                description: o.description.clone().unwrap_or_else(|| o.value.clone()),
                value,
                sensitive: o.sensitive,
                span: l.span(&at),
            }),
            Err(msg) => l.diags.push(
                Diagnostic::error(super::codes::OUTPUT, format!("cannot output `{}`: {msg}", o.value))
                    .at(l.span(&at))
                    .label("unknown output value")
                    .help("outputs take `keys.*.arn`, `buckets.*.name`, `network.endpoints.*.dns_names`, `network.vpc.id`, `network.tiers.NAME.subnet_ids`, `logs.*.name`, `iam.roles.*.arn`, `parameters.*.name`, `lookups.amis.NAME.id` (a name instead of `*` for one)"),
            ),
        }
    }
}

fn resolve(l: &Lowerer<'_>, v: &str) -> Result<Expr, String> {
    let spec = l.spec;
    let parts: Vec<&str> = v.split('.').collect();
    let many = |names: Vec<String>, sel: &str, f: &dyn Fn(&str) -> Expr| -> Result<Expr, String> {
        if sel == "*" {
            Ok(Expr::Object(
                names.iter().map(|n| (n.clone(), f(n))).collect(),
            ))
        } else if names.iter().any(|n| n == sel) {
            Ok(f(sel))
        } else {
            Err(format!("no entry `{sel}`"))
        }
    };
    match parts.as_slice() {
        ["keys", sel, attr @ ("arn" | "id" | "key_id")] => {
            many(spec.keys.keys().cloned().collect(), sel, &|n| {
                Address::resource("aws_kms_key", &ident(n)).attr(attr)
            })
        }
        ["buckets", sel, attr @ ("name" | "arn")] => {
            many(spec.buckets.keys().cloned().collect(), sel, &|n| {
                Address::resource("aws_s3_bucket", &ident(n)).attr(if *attr == "name" {
                    "bucket"
                } else {
                    "arn"
                })
            })
        }
        ["logs", sel, attr @ ("name" | "arn")] => {
            many(spec.logs.groups.keys().cloned().collect(), sel, &|n| {
                Address::resource("aws_cloudwatch_log_group", &ident(n)).attr(attr)
            })
        }
        ["iam", "roles", sel, attr @ ("arn" | "name")] => {
            many(spec.iam.roles.keys().cloned().collect(), sel, &|n| {
                Address::resource("aws_iam_role", &ident(n)).attr(attr)
            })
        }
        ["parameters", "*", attr @ ("name" | "arn")] => Ok(Expr::Object(
            spec.parameters
                .keys()
                .map(|k| {
                    (
                        k.clone(),
                        Address::resource("aws_ssm_parameter", &super::storage::param_ident(k))
                            .attr(attr),
                    )
                })
                .collect(),
        )),
        ["network", "vpc", attr @ ("id" | "arn" | "cidr_block")] => l
            .net
            .vpc
            .as_ref()
            .map(|a| a.attr(attr))
            .ok_or("no network".into()),
        ["network", "tiers", tier, "subnet_ids"] => l
            .net
            .subnets
            .get(*tier)
            .map(|s| Expr::List(s.iter().map(|(a, _)| a.attr("id")).collect()))
            .ok_or(format!("no tier `{tier}`")),
        ["network", "endpoints", sel, "dns_names"] => {
            let net = spec.network.as_ref().ok_or("no network")?;
            let names: Vec<String> = net
                .endpoints
                .iter()
                .filter(|(_, e)| e.kind == EndpointType::Interface)
                .map(|(n, _)| n.clone())
                .collect();
            if *sel != "*" && !names.iter().any(|n| n == sel) {
                return Err(format!(
                    "`{sel}` is not an interface endpoint (gateway endpoints have no DNS names)"
                ));
            }
            many(names, sel, &|n| {
                let ep = Address::resource("aws_vpc_endpoint", &ident(n));
                ep.path(vec![
                    Step::Attr("dns_entry".into()),
                    Step::Index(0),
                    Step::Attr("dns_name".into()),
                ])
            })
        }
        ["network", "endpoints", sel, "id"] => {
            let net = spec.network.as_ref().ok_or("no network")?;
            many(net.endpoints.keys().cloned().collect(), sel, &|n| {
                Address::resource("aws_vpc_endpoint", &ident(n)).attr("id")
            })
        }
        ["lookups", "amis", name, "id"] if spec.lookups.amis.contains_key(*name) => {
            Ok(Address::data("aws_ami", &ident(name)).attr("id"))
        }
        _ => Err("not a supported output path".into()),
    }
}
