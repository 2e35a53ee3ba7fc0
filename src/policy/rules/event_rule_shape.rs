//! ZT0127 `event-rule-shape`: an EventBridge rule has exactly one trigger and known targets.

use super::monitoring_presets::{pattern_span, topic_ref, EVENT_PRESETS};
use super::util::{key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;
use serde_json::Value;

/// Schedule and pattern both or neither, unknown presets, malformed schedules, unknown or no targets.
pub struct EventRuleShape;

static META: RuleMeta = RuleMeta {
    code: "ZT0127",
    slug: "event-rule-shape",
    severity: Severity::Error,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Error),
    ],
    summary: "an EventBridge rule needs exactly one of `schedule` and `pattern`, and targets this spec defines",
    explain: r##"## What it does

Reports an EventBridge rule under `events:` that:

- has both `schedule` and `pattern`, or neither (**error**);
- names a pattern preset that does not exist, or writes a pattern that is not an object (**error**);
  the presets are `security-group-changes`, `config-noncompliant`, `root-console-signin` and
  `guardduty-findings`;
- has a `schedule` that is not `cron(...)` or `rate(...)` (**error**);
- has a target that is not `topics.NAME` or `functions.NAME` of this spec (**error**);
- has no targets (**warning**: the rule matches and nothing happens).

## Why

`aws_cloudwatch_event_rule` accepts a schedule expression or an event pattern; the provider accepts
both at plan time but EventBridge rejects the combination at apply (only rules on the default bus
can be scheduled, and a scheduled rule has no pattern). A typo in a preset name or target would
otherwise become a rule that never fires or never notifies anyone.

## Example

```yaml
events:
  nightly:
    schedule: cron(0 2 * * ? *)
    pattern: config-noncompliant
    targets: [topics.alert]
```

## Fix

```yaml
events:
  nightly: {schedule: cron(0 2 * * ? *), targets: [functions.checker]}
  noncompliant: {pattern: config-noncompliant, targets: [topics.alerts]}
```

## References

- Amazon EventBridge User Guide: "Creating rules that run on a schedule", "Amazon EventBridge event patterns"
- Terraform AWS provider: `aws_cloudwatch_event_rule`, `aws_cloudwatch_event_target`
"##,
};

impl Rule for EventRuleShape {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        for (name, e) in &spec.events {
            let sc = scope(&["events", name]);
            let err = |at, msg: String, label: &str, help: String| {
                Diagnostic::new(META.code, Severity::Error, msg)
                    .at(at)
                    .label(label)
                    .help(help)
                    .scope(sc.clone())
            };
            match (&e.schedule, &e.pattern) {
                (Some(_), Some(_)) => out.push(err(
                    pattern_span(cx, name, e),
                    format!("event rule `{name}` has both a `schedule` and a `pattern`"),
                    "second trigger",
                    "split it into two rules: one with `schedule`, one with `pattern`".into(),
                )),
                (None, None) => out.push(err(
                    key_span(cx, &["events", name]),
                    format!("event rule `{name}` has neither a `schedule` nor a `pattern`"),
                    "no trigger",
                    format!(
                        "add `schedule: cron(...)` / `rate(...)`, or `pattern:` (an object or one of {})",
                        EVENT_PRESETS.join(", ")
                    ),
                )),
                _ => {}
            }
            if let Some(s) = &e.schedule {
                let s = s.trim();
                let ok = (s.starts_with("cron(") || s.starts_with("rate(")) && s.ends_with(')');
                if !ok {
                    out.push(err(
                        value_span(cx, &["events", name, "schedule"]),
                        format!("`{s}` is not an EventBridge schedule expression"),
                        "not cron(...) or rate(...)",
                        "write `cron(0 2 * * ? *)` (six fields, UTC) or `rate(1 hour)`".into(),
                    ));
                }
            }
            match &e.pattern {
                Some(Value::String(p)) if !EVENT_PRESETS.contains(&p.trim()) => {
                    let presets: Vec<String> = EVENT_PRESETS.iter().map(|s| s.to_string()).collect();
                    let help = match crate::validate::did_you_mean(p, &presets) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "the presets are {}; or write the pattern as an object",
                            EVENT_PRESETS.join(", ")
                        ),
                    };
                    out.push(err(
                        value_span(cx, &["events", name, "pattern"]),
                        format!("`{p}` is not an event-pattern preset"),
                        "unknown preset",
                        help,
                    ));
                }
                Some(Value::String(_) | Value::Object(_)) | None => {}
                Some(_) => out.push(err(
                    pattern_span(cx, name, e),
                    format!("the pattern of event rule `{name}` is neither an object nor a preset name"),
                    "not an event pattern",
                    "write the pattern as a YAML mapping, e.g. `{source: [aws.config]}`, or name a preset".into(),
                )),
            }
            for (i, t) in e.targets.iter().enumerate() {
                let ok = topic_ref(spec, t).is_some()
                    || t.strip_prefix("functions.")
                        .is_some_and(|f| spec.functions.contains_key(f));
                if ok {
                    continue;
                }
                let mut wanted: Vec<String> =
                    spec.topics.keys().map(|n| format!("topics.{n}")).collect();
                wanted.extend(spec.functions.keys().map(|n| format!("functions.{n}")));
                let help = match crate::validate::did_you_mean(t, &wanted) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if wanted.is_empty() => {
                        "define a topic under `topics:` or a function under `functions:`".into()
                    }
                    None => format!("expected one of: {}", wanted.join(", ")),
                };
                out.push(err(
                    value_span(cx, &["events", name, "targets", &i.to_string()]),
                    format!("event rule `{name}` targets `{t}`, which is not a topic or function of this spec"),
                    "unknown target",
                    help,
                ));
            }
            if e.targets.is_empty() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!(
                            "event rule `{name}` has no targets: it matches and nothing happens"
                        ),
                    )
                    .at(value_span(cx, &["events", name, "targets"]))
                    .label("no targets")
                    .help("add `targets: [topics.NAME]` or `[functions.NAME]`")
                    .scope(sc.clone()),
                );
            }
        }
    }
}
