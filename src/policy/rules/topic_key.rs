//! ZT0125 `topic-key`: SNS topics are encrypted with a customer-managed key of this spec (C27).

use super::util::{key_ref, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// A topic key that is not `keys.NAME` of this spec (error); a function publisher, whose role
/// needs the grants (info).
pub struct TopicKey;

static META: RuleMeta = RuleMeta {
    code: "ZT0125",
    slug: "topic-key",
    severity: Severity::Error,
    pci: &["3.5.1", "10.7.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.5.1", "10.7.2"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.1", "CC6.7"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-DATA-1"], Severity::Error),
    ],
    summary: "an SNS topic must be encrypted with a customer-managed key of this spec",
    explain: r##"## What it does

- Reports, as an **error**, a topic under `topics:` whose `key` is not `keys.NAME` for a key the
  spec defines: the AWS-managed `alias/aws/sns`, another alias, a key ARN or a typo.
- Reports, as **info**, each `functions.NAME` publisher of a topic: the function publishes with its
  execution role, so the grants live in that role's policy, not in the topic or key policy.

## Why

ztc derives the key policy from the key's consumers: for a topic it grants `events.amazonaws.com`
and `cloudwatch.amazonaws.com` `kms:GenerateDataKey*` and `kms:Decrypt` on the topic's key. Without
those grants EventBridge and alarm deliveries to the encrypted topic fail silently, and the
AWS-managed `alias/aws/sns` key cannot carry them at all (its policy cannot be edited). A key of
another stack would need the grants there.

A Lambda function publishes with its role's credentials: a topic-policy grant to
`lambda.amazonaws.com` has no effect (C27). Its role needs `sns:Publish` on the topic and
`kms:GenerateDataKey*` + `kms:Decrypt` on the topic's key.

## Example

```yaml
topics:
  alerts: {key: alias/aws/sns, publishers: [events, cloudwatch, functions.checker]}
```

## Fix

```yaml
keys:
  alerts: {description: Security alert topic}
topics:
  alerts: {key: keys.alerts, publishers: [events, cloudwatch, functions.checker]}
```

## References

- PCI DSS v4.0.1 3.5.1 (stored data rendered unreadable), 10.7.2 (alerts on security-control failures)
- Amazon SNS Developer Guide: "Encryption at rest", "Enable compatibility between event sources from AWS services and encrypted topics"
- REQUIREMENTS C27
"##,
};

impl Rule for TopicKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        for (name, t) in &spec.topics {
            let ours = key_ref(&t.key).is_some_and(|k| spec.keys.contains_key(k));
            if !ours {
                let (label, help) = if t.key.starts_with("alias/aws/") {
                    (
                        "AWS-managed key",
                        "the AWS-managed key's policy cannot grant EventBridge and CloudWatch alarms; define a key \
                         under `keys:` and write `key: keys.NAME`"
                            .to_string(),
                    )
                } else if t.key.starts_with("alias/") || t.key.starts_with("arn:") {
                    (
                        "not a key of this spec",
                        "ztc derives the key-policy grants for the topic's publishers only on keys it manages; \
                         define a key under `keys:` and write `key: keys.NAME`"
                            .to_string(),
                    )
                } else {
                    let wanted: Vec<String> =
                        spec.keys.keys().map(|k| format!("keys.{k}")).collect();
                    (
                        "unknown key",
                        match crate::validate::did_you_mean(&t.key, &wanted) {
                            Some(s) => format!("did you mean `{s}`?"),
                            None if wanted.is_empty() => {
                                "define a key under `keys:` and write `key: keys.NAME`".into()
                            }
                            None => format!("expected one of: {}", wanted.join(", ")),
                        },
                    )
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("topic `{name}` is not encrypted with a customer-managed key of this spec (`{}`)", t.key),
                    )
                    .at(value_span(cx, &["topics", name, "key"]))
                    .label(label)
                    .help(help)
                    .scope(scope(&["topics", name])),
                );
            }
            for (i, p) in t.publishers.iter().enumerate() {
                let Some(f) = p.strip_prefix("functions.") else {
                    continue;
                };
                if !spec.functions.contains_key(f) {
                    continue; // ZT0126
                }
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Info,
                        format!("function `{f}` publishes to topic `{name}` with its execution role, not through the topic policy"),
                    )
                    .at(value_span(cx, &["topics", name, "publishers", &i.to_string()]))
                    .label("granted in the function's role")
                    .help(format!(
                        "the role of `functions.{f}` needs `sns:Publish` on `topics.{name}` and `kms:GenerateDataKey*` + \
                         `kms:Decrypt` on `{}`; a topic-policy grant to lambda.amazonaws.com would have no effect",
                        t.key
                    ))
                    .scope(scope(&["topics", name])),
                );
            }
        }
    }
}
