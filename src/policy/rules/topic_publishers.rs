//! ZT0126 `topic-publishers`: a topic's publishers match who actually delivers to it (C27).

use super::monitoring_presets::{publisher_service, SERVICE_PUBLISHERS};
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Unknown publishers (error); alarms or EventBridge rules delivering to a topic that does not list
/// them (warning: ztc derives the grant).
pub struct TopicPublishers;

static META: RuleMeta = RuleMeta {
    code: "ZT0126",
    slug: "topic-publishers",
    severity: Severity::Warning,
    pci: &["10.7.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.7.2"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC7.3"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Warning),
    ],
    summary: "a topic's `publishers` do not match the services that deliver to it",
    explain: r##"## What it does

- Reports, as an **error**, a publisher that is none of `events`, `cloudwatch`, `config` or
  `functions.NAME` (for a function the spec defines), e.g. `lambda` or `sns`.
- Reports, as a **warning**, a topic that an alarm (`alarms.*.actions`) notifies without listing
  `cloudwatch`, or that an EventBridge rule (`events.*.targets`) targets without listing `events`.
  ztc still derives the topic-policy and key-policy grants for those services.

## Why

The topic policy ztc writes replaces SNS's default policy. Service principals are not covered by
account-level permissions: EventBridge needs an explicit `sns:Publish` grant to
`events.amazonaws.com`, and a custom policy must keep `cloudwatch.amazonaws.com` for alarms.
Both also need `kms:GenerateDataKey*` and `kms:Decrypt` on the topic's key. A missing grant does
not fail the deployment: the notifications are dropped silently (C27). Listing the publishers keeps
the spec an honest description of who can write to the topic.

## Example

```yaml
topics:
  alerts: {key: keys.alerts, publishers: [lambda]}
alarms:
  root-usage: {metric: metric_filters.root-usage, actions: [topics.alerts]}
```

## Fix

```yaml
topics:
  alerts: {key: keys.alerts, publishers: [cloudwatch, functions.checker]}
```

## References

- PCI DSS v4.0.1 10.7.2 (failures of critical security controls detected and alerted)
- Amazon SNS Developer Guide: "Amazon SNS access control use cases"; Amazon EventBridge User Guide: "Amazon SNS permissions"
- REQUIREMENTS C27
"##,
};

/// Who delivers to a topic (for the message) and the spec path of that reference.
type User = (String, Vec<String>);

impl Rule for TopicPublishers {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        for (name, t) in &spec.topics {
            for (i, p) in t.publishers.iter().enumerate() {
                let ok = publisher_service(p).is_some()
                    || p.strip_prefix("functions.")
                        .is_some_and(|f| spec.functions.contains_key(f));
                if ok {
                    continue;
                }
                let help = if p.starts_with("functions.") {
                    let fs: Vec<String> = spec
                        .functions
                        .keys()
                        .map(|f| format!("functions.{f}"))
                        .collect();
                    match crate::validate::did_you_mean(p, &fs) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "define the function under `functions:` first".to_string(),
                    }
                } else if p.contains("lambda") {
                    "functions publish with their execution role: write `functions.NAME` (a grant to \
                     lambda.amazonaws.com in the topic policy has no effect)"
                        .to_string()
                } else {
                    let names: Vec<&str> = SERVICE_PUBLISHERS.iter().map(|(n, _)| *n).collect();
                    format!("publishers are {} or `functions.NAME`", names.join(", "))
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("topic `{name}` lists an unknown publisher `{p}`"),
                    )
                    .at(value_span(
                        cx,
                        &["topics", name, "publishers", &i.to_string()],
                    ))
                    .label("unknown publisher")
                    .help(help)
                    .scope(scope(&["topics", name])),
                );
            }
            let target = format!("topics.{name}");
            let listed = |p: &str| t.publishers.iter().any(|x| x == p);
            let users: [(&str, Option<User>); 2] = [
                (
                    "cloudwatch",
                    spec.alarms.iter().find_map(|(a, al)| {
                        al.actions.iter().position(|x| x == &target).map(|i| {
                            (
                                format!("alarm `{a}`"),
                                vec!["alarms".into(), a.clone(), "actions".into(), i.to_string()],
                            )
                        })
                    }),
                ),
                (
                    "events",
                    spec.events.iter().find_map(|(e, ev)| {
                        ev.targets.iter().position(|x| x == &target).map(|i| {
                            (
                                format!("event rule `{e}`"),
                                vec!["events".into(), e.clone(), "targets".into(), i.to_string()],
                            )
                        })
                    }),
                ),
            ];
            for (publisher, user) in users {
                let Some((who, path)) = user else { continue };
                if listed(publisher) {
                    continue;
                }
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("{who} delivers to topic `{name}`, which does not list `{publisher}` as a publisher"),
                    )
                    .at(value_span(cx, &["topics", name, "publishers"]))
                    .label(format!("`{publisher}` missing"))
                    .related(value_span(cx, &path), "delivers to the topic here")
                    .help(format!(
                        "add `{publisher}` to `topics.{name}.publishers`; ztc derives the topic-policy and key-policy \
                         grants for it either way"
                    ))
                    .scope(scope(&["topics", name])),
                );
            }
        }
    }
}
