//! ZT0124 `metric-filter-unknown-group`: a metric filter on a log group the spec does not define.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// `metric_filters.NAME.group` that is not `logs.GROUP` of `logs.groups`.
pub struct MetricFilterUnknownGroup;

static META: RuleMeta = RuleMeta {
    code: "ZT0124",
    slug: "metric-filter-unknown-group",
    severity: Severity::Error,
    pci: &["10.4.1.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.4.1.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Error),
    ],
    summary: "a metric filter reads a log group that the spec does not define",
    explain: r##"## What it does

Reports a metric filter whose `group` is not `logs.NAME` for a group under `logs.groups`.

## Why

A metric filter belongs to one log group and the filter cannot be created before the group exists.
Groups created outside the stack are not retained or encrypted by it, and a typo in the reference
would silently give an alarm that never fires. ztc only filters groups it manages, so the filter
is rejected.

## Example

```yaml
logs:
  groups: {trail: {}}
metric_filters:
  root-usage: {group: logs.cloudtrail, pattern: root-usage}
```

## Fix

```yaml
metric_filters:
  root-usage: {group: logs.trail, pattern: root-usage}
```

## References

- PCI DSS v4.0.1 10.4.1.1 (automated audit-log reviews)
- Amazon CloudWatch Logs User Guide: "Creating metrics from log events using filters"
"##,
};

impl Rule for MetricFilterUnknownGroup {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        let wanted: Vec<String> = spec
            .logs
            .groups
            .keys()
            .map(|g| format!("logs.{g}"))
            .collect();
        for (name, f) in &spec.metric_filters {
            let known = f
                .group
                .strip_prefix("logs.")
                .is_some_and(|g| spec.logs.groups.contains_key(g));
            if known {
                continue;
            }
            let help = match crate::validate::did_you_mean(&f.group, &wanted) {
                Some(s) => format!("did you mean `{s}`?"),
                None if wanted.is_empty() => {
                    "define the group under `logs.groups:` and reference it as `logs.NAME`"
                        .to_string()
                }
                None => format!("expected one of: {}", wanted.join(", ")),
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!(
                        "metric filter `{name}` reads `{}`, which is not a log group of this spec",
                        f.group
                    ),
                )
                .at(value_span(cx, &["metric_filters", name, "group"]))
                .label("unknown log group")
                .help(help)
                .scope(scope(&["metric_filters", name])),
            );
        }
    }
}
