//! ZT0123 `metric-filter-source`: a metric-filter preset on a log group that does not receive
//! the records it matches (C17).

use super::monitoring_presets::{filter_preset, FilterSource};
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// A CloudTrail preset on a group the trail does not feed, or `flow-log-rejects` on a group no
/// flow log writes to.
pub struct MetricFilterSource;

static META: RuleMeta = RuleMeta {
    code: "ZT0123",
    slug: "metric-filter-source",
    severity: Severity::Warning,
    pci: &["10.2.1", "10.4.1.1"],
    packs: &[
        PackRef::mandatory(
            Profile::PciDssV4,
            &["10.2.1", "10.4.1.1"],
            Severity::Warning,
        ),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Warning),
    ],
    summary: "a metric-filter preset reads a log group that never receives the records it matches",
    explain: r##"## What it does

Reports a metric filter under `metric_filters:` whose `pattern` is a preset that reads:

- CloudTrail events (`unauthorized-api-calls`, `root-usage`, `security-group-changes`,
  `iam-policy-changes`) on a `group` that is not the trail's `cloudwatch` group (or the spec has no
  trail). For the global-service presets (`root-usage`, `iam-policy-changes`) it also reports a
  trail that is not multi-Region or does not include global-service events;
- VPC flow-log records (`flow-log-rejects`) on a group that no `network.flow_logs` entry
  delivers to.

## Why

A metric filter only counts what is written to its group. The CIS alarms read CloudTrail's JSON
events, so the group must be the one the trail delivers to (`trail.cloudwatch`); otherwise the
metric stays at zero and the alarm never fires (C17). IAM and root sign-in events are global
service events: a single-Region trail without global events never records them.

## Example

```yaml
logs:
  groups: {app: {}, trail: {}}
trail: {name: audit, bucket: buckets.audit, key: keys.audit, cloudwatch: logs.trail}
metric_filters:
  root-usage: {group: logs.app, pattern: root-usage}
```

## Fix

```yaml
metric_filters:
  root-usage: {group: logs.trail, pattern: root-usage}
```

## References

- PCI DSS v4.0.1 10.2.1 (audit logs enabled and active), 10.4.1.1 (automated audit-log reviews)
- CIS AWS Foundations Benchmark, section "Monitoring" (metric filters and alarms on the trail's log group)
- AWS CloudTrail User Guide: "Sending events to CloudWatch Logs"
"##,
};

impl Rule for MetricFilterSource {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        for (name, f) in &spec.metric_filters {
            let Some((_, source)) = filter_preset(&f.pattern) else {
                continue;
            };
            let preset = f.pattern.trim();
            let diag = |msg: String, label: &str, help: String| {
                Diagnostic::new(META.code, Severity::Warning, msg)
                    .at(value_span(cx, &["metric_filters", name, "group"]))
                    .label(label)
                    .help(help)
                    .scope(scope(&["metric_filters", name]))
            };
            match source {
                FilterSource::Trail { global } => {
                    let trail_group = spec.trail.as_ref().and_then(|t| t.cloudwatch.as_deref());
                    if trail_group != Some(f.group.as_str()) {
                        let help = match trail_group {
                            Some(g) => format!("use `group: {g}`, the group the trail delivers to"),
                            None if spec.trail.is_some() => {
                                "set `trail.cloudwatch: logs.NAME` and use that group here".to_string()
                            }
                            None => "add a `trail:` with `cloudwatch: logs.NAME` and use that group here".to_string(),
                        };
                        out.push(diag(
                            format!(
                                "metric filter `{name}` (preset `{preset}`) reads CloudTrail events, but the trail does not deliver to `{}`",
                                f.group
                            ),
                            "no CloudTrail events in this group",
                            help,
                        ));
                    } else if global
                        && spec
                            .trail
                            .as_ref()
                            .is_some_and(|t| !t.multi_region || !t.global_events)
                    {
                        out.push(diag(
                            format!(
                                "metric filter `{name}` (preset `{preset}`) needs global-service events, which the trail does not record"
                            ),
                            "global events missing",
                            "set `trail.multi_region: true` and `trail.global_events: true` (IAM and root sign-in \
                             events are global-service events)"
                                .to_string(),
                        ));
                    }
                }
                FilterSource::FlowLogs => {
                    let fed = spec
                        .network
                        .as_ref()
                        .is_some_and(|n| n.flow_logs.iter().any(|fl| fl.destination == f.group));
                    if !fed {
                        out.push(diag(
                            format!(
                                "metric filter `{name}` (preset `flow-log-rejects`) reads VPC flow-log records, but no flow log delivers to `{}`",
                                f.group
                            ),
                            "no flow-log records in this group",
                            format!(
                                "add `{{destination: {}, traffic: ALL}}` to `network.flow_logs`",
                                f.group
                            ),
                        ));
                    }
                }
            }
        }
    }
}
