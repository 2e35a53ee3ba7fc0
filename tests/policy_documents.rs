//! `targets.policy_documents: data-source` (S3-IAM-2, C28): identity and trust policies become
//! `aws_iam_policy_document` data sources that say exactly what the inline documents said.

mod common;

use common::{build_hcl, build_spec, repo_root};
use std::collections::BTreeMap;
use ztc::ir::{Body, Expr, Item, Module};

fn attr<'a>(body: &'a Body, name: &str) -> Option<&'a Expr> {
    body.items.iter().find_map(|(k, v)| match v {
        Item::Attr(e) if k == name => Some(e),
        _ => None,
    })
}

/// The policy arguments of IAM policies, inline role policies and role trusts, by resource.
fn policy_args(m: &Module) -> BTreeMap<String, Expr> {
    let mut out = BTreeMap::new();
    for b in &m.resources {
        let arg = match b.addr.ty.as_str() {
            "aws_iam_policy" | "aws_iam_role_policy" => "policy",
            "aws_iam_role" => "assume_role_policy",
            _ => continue,
        };
        if let Some(e) = attr(&b.body, arg) {
            out.insert(format!("{}.{}", b.addr.ty, b.addr.name), e.clone());
        }
    }
    out
}

/// A policy element as a list, as IAM reads it.
fn as_list(e: &Expr) -> Vec<Expr> {
    match e {
        Expr::List(xs) => xs.clone(),
        other => vec![other.clone()],
    }
}

/// An inline statement in a canonical form: (field, values) pairs, principals and conditions
/// flattened to (kind/operator, key, values).
fn canon_inline(s: &Expr) -> Vec<(String, String, Vec<Expr>)> {
    let Expr::Object(kv) = s else {
        panic!("statement {s:?}")
    };
    let mut out = Vec::new();
    for (k, v) in kv {
        match (k.as_str(), v) {
            ("Principal", Expr::Object(kinds)) => {
                for (kind, ids) in kinds {
                    out.push(("principal".into(), kind.clone(), as_list(ids)));
                }
            }
            ("Condition", Expr::Object(ops)) => {
                for (op, tests) in ops {
                    let Expr::Object(tests) = tests else { panic!() };
                    for (var, vals) in tests {
                        out.push((op.clone(), var.clone(), as_list(vals)));
                    }
                }
            }
            (k, v) => out.push((k.to_lowercase(), String::new(), as_list(v))),
        }
    }
    out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
    out
}

fn canon_document(b: &Body) -> Vec<Vec<(String, String, Vec<Expr>)>> {
    let mut statements = Vec::new();
    for (k, item) in &b.items {
        let Item::Block(s) = item else { continue };
        assert_eq!(k, "statement");
        let mut out = Vec::new();
        for (k, item) in &s.items {
            match item {
                Item::Attr(v) => {
                    let name = match k.as_str() {
                        "actions" => "action",
                        "resources" => "resource",
                        "not_actions" => "notaction",
                        "not_resources" => "notresource",
                        other => other,
                    };
                    out.push((name.to_string(), String::new(), as_list(v)));
                }
                Item::Block(inner) if k == "principals" => {
                    let Some(Expr::Str(kind)) = attr(inner, "type") else {
                        panic!()
                    };
                    out.push((
                        "principal".into(),
                        kind.clone(),
                        as_list(attr(inner, "identifiers").unwrap()),
                    ));
                }
                Item::Block(inner) if k == "condition" => {
                    let (Some(Expr::Str(test)), Some(Expr::Str(var))) =
                        (attr(inner, "test"), attr(inner, "variable"))
                    else {
                        panic!()
                    };
                    out.push((
                        test.clone(),
                        var.clone(),
                        as_list(attr(inner, "values").unwrap()),
                    ));
                }
                Item::Block(_) => panic!("unexpected block {k}"),
            }
        }
        out.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        statements.push(out);
    }
    statements
}

#[test]
fn documents_say_what_the_inline_policies_said() {
    let with_docs = build_spec("specs/three-tier.yaml");
    let text = std::fs::read_to_string(repo_root().join("specs/three-tier.yaml")).unwrap();
    let inline_text = text.replacen(
        "policy_documents: data-source",
        "policy_documents: inline",
        1,
    );
    assert_ne!(inline_text, text);
    let inline = build_hcl("three-tier.yaml", &inline_text);

    let docs = with_docs.module();
    let before = policy_args(inline.module());
    let after = policy_args(docs);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    assert_eq!(before.len(), 4, "{before:?}");
    for (resource, inline_doc) in &before {
        let Expr::JsonEncode(doc) = inline_doc else {
            panic!("{resource}: inline form is jsonencode")
        };
        // the argument now reads the document's json
        let Expr::Ref(r) = &after[resource] else {
            panic!("{resource}: {:?}", after[resource])
        };
        let ztc::ir::RefTarget::Block(addr) = &r.target else {
            panic!()
        };
        assert_eq!(addr.ty, "aws_iam_policy_document");
        let data = docs
            .data
            .iter()
            .find(|b| &b.addr == addr)
            .unwrap_or_else(|| panic!("{resource}: {addr:?} missing"));
        let Expr::Object(top) = doc.as_ref() else {
            panic!()
        };
        let statements = top.iter().find(|(k, _)| k == "Statement").unwrap();
        let Expr::List(statements) = &statements.1 else {
            panic!()
        };
        let want: Vec<_> = statements.iter().map(canon_inline).collect();
        assert_eq!(canon_document(&data.body), want, "{resource}");
        assert_eq!(attr(&data.body, "version"), Some(&Expr::str("2012-10-17")));
    }
}

#[test]
fn key_and_bucket_policies_stay_inline() {
    let built = build_spec("specs/three-tier.yaml");
    for b in &built.module().resources {
        if matches!(
            b.addr.ty.as_str(),
            "aws_kms_key" | "aws_s3_bucket_policy" | "aws_sns_topic_policy"
        ) {
            assert!(
                matches!(attr(&b.body, "policy"), Some(Expr::JsonEncode(_))),
                "{:?}",
                b.addr
            );
        }
    }
}

#[test]
fn default_is_inline_with_no_document_data_sources() {
    let built = build_spec("specs/payment.yaml");
    assert!(!built
        .module()
        .data
        .iter()
        .any(|b| b.addr.ty == "aws_iam_policy_document"));
    let role = built
        .module()
        .resources
        .iter()
        .find(|b| b.addr.ty == "aws_iam_role")
        .unwrap();
    assert!(matches!(
        attr(&role.body, "assume_role_policy"),
        Some(Expr::JsonEncode(_))
    ));
}

#[test]
fn hcl_with_documents_is_accepted_by_terraform() {
    let built = build_spec("specs/three-tier.yaml");
    // the settings/resources layout puts the module under lib/
    common::assert_terraform_accepts(&built.dir.path().join("lib"));
}
