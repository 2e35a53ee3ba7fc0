//! `targets.policy_documents: data-source`: identity and trust policies written as
//! `data "aws_iam_policy_document"` blocks instead of `jsonencode` (seed 003, S3-IAM-2; C28).
//!
//! A pass over the finished module: every policy argument of an IAM policy, inline role policy or
//! role trust that is a `jsonencode` document of plain statements moves into a data source named
//! after its resource, and the argument refers to the document's `json`. Scanner skips of the
//! resource whose check also evaluates policy documents go with it.

use super::{checkov_types, Lowerer};
use crate::ir::*;

/// Resource types and the argument holding their policy; the suffix names the data source.
const POLICY_ARGS: &[(&str, &str, &str)] = &[
    ("aws_iam_policy", "policy", ""),
    ("aws_iam_role_policy", "policy", "_inline"),
    ("aws_iam_role", "assume_role_policy", "_trust"),
];

pub fn lower(l: &mut Lowerer<'_>) {
    let mut docs = Vec::new();
    for b in l.module.resources.iter_mut() {
        let Some((_, arg, suffix)) = POLICY_ARGS.iter().find(|(ty, ..)| *ty == b.addr.ty) else {
            continue;
        };
        let Some(i) = b.body.items.iter().position(|(k, _)| k == arg) else {
            continue;
        };
        let Item::Attr(Expr::JsonEncode(doc)) = &b.body.items[i].1 else {
            continue;
        };
        let Some(body) = document(doc) else {
            continue; // a statement this data source cannot say stays inline
        };
        let addr = Address::data(
            "aws_iam_policy_document",
            &format!("{}{suffix}", b.addr.name),
        );
        b.body.items[i].1 = Item::Attr(addr.attr("json"));
        let skips = b
            .skips
            .iter()
            .filter(|s| {
                checkov_types(&s.id)
                    .map_or(true, |t| t.iter().any(|ty| ty == "aws_iam_policy_document"))
            })
            .cloned()
            .collect();
        docs.push(Block {
            addr,
            body,
            concern: b.concern,
            span: b.span,
            origin: b.origin.clone(),
            depends_on: vec![],
            skips,
            comment: None,
            provider: b.provider.clone(),
        });
    }
    l.module.data.extend(docs);
}

/// The data-source body of a `{Version, Statement: [...]}` document, if every statement converts.
fn document(doc: &Expr) -> Option<Body> {
    let Expr::Object(top) = doc else {
        return None;
    };
    let mut body = Body::new();
    for (k, v) in top {
        match (k.as_str(), v) {
            ("Version", Expr::Str(ver)) => body.push_attr("version", Expr::str(ver)),
            ("Statement", Expr::List(stmts)) => {
                for s in stmts {
                    body.push_block("statement", statement(s)?);
                }
            }
            _ => return None,
        }
    }
    Some(body)
}

fn statement(s: &Expr) -> Option<Body> {
    let Expr::Object(kv) = s else {
        return None;
    };
    let mut body = Body::new();
    for (k, v) in kv {
        match k.as_str() {
            "Sid" => body.push_attr("sid", v.clone()),
            "Effect" => body.push_attr("effect", v.clone()),
            "Action" => body.push_attr("actions", list(v)),
            "NotAction" => body.push_attr("not_actions", list(v)),
            "Resource" => body.push_attr("resources", list(v)),
            "NotResource" => body.push_attr("not_resources", list(v)),
            "Principal" | "NotPrincipal" => {
                let block = if k == "Principal" {
                    "principals"
                } else {
                    "not_principals"
                };
                match v {
                    Expr::Str(star) if star == "*" => body.push_block(
                        block,
                        Body::new()
                            .attr("type", Expr::str("*"))
                            .attr("identifiers", Expr::List(vec![Expr::str("*")])),
                    ),
                    Expr::Object(kinds) => {
                        for (kind, ids) in kinds {
                            body.push_block(
                                block,
                                Body::new()
                                    .attr("type", Expr::str(kind))
                                    .attr("identifiers", list(ids)),
                            );
                        }
                    }
                    _ => return None,
                }
            }
            "Condition" => {
                let Expr::Object(ops) = v else {
                    return None;
                };
                for (op, tests) in ops {
                    let Expr::Object(tests) = tests else {
                        return None;
                    };
                    for (variable, values) in tests {
                        body.push_block(
                            "condition",
                            Body::new()
                                .attr("test", Expr::str(op))
                                .attr("variable", Expr::str(variable))
                                .attr("values", list(values)),
                        );
                    }
                }
            }
            _ => return None,
        }
    }
    Some(body)
}

/// A policy element as a list (`"s3:GetObject"` and `["s3:GetObject"]` mean the same).
fn list(v: &Expr) -> Expr {
    match v {
        Expr::List(_) => v.clone(),
        other => Expr::List(vec![other.clone()]),
    }
}
