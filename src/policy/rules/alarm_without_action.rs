//! ZT0119 `alarm-without-action`: an alarm that notifies nobody (C46).

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// `alarms.NAME` with no `actions` under `pci-dss-v4`.
pub struct AlarmWithoutAction;

static META: RuleMeta = RuleMeta {
    code: "ZT0119",
    slug: "alarm-without-action",
    severity: Severity::Info,
    pci: &["10.4.1.1", "10.7.2"],
    packs: &[PackRef::mandatory(
        Profile::PciDssV4,
        &["10.4.1.1", "10.7.2"],
        Severity::Info,
    )],
    summary: "an alarm with no actions changes state without telling anyone",
    explain: r##"## What it does

Under the `pci-dss-v4` profile, reports an alarm under `alarms:` whose `actions` list is empty or
absent. The finding is informational: the alarm is still generated, without `alarm_actions`.

## Why

PCI DSS 10.4.1.1 asks for automated mechanisms to review audit logs, and 10.7.2 for failures of
critical security controls to be detected, alerted and addressed promptly. An alarm without an
action only changes colour in the CloudWatch console: nobody is paged when root signs in or a
security group opens up. Which team is notified is a decision the spec must make (email
subscriptions need a manual confirmation, so some stacks deliberately route to a topic without
subscribers that another system consumes).

## Example

```yaml
alarms:
  root-usage:
    metric: metric_filters.root-usage
```

## Fix

Route the alarm to a topic encrypted with a key of this spec:

```yaml
topics:
  security-alerts: {key: keys.alerts, publishers: [cloudwatch]}
alarms:
  root-usage:
    metric: metric_filters.root-usage
    actions: [topics.security-alerts]
```

or waive the finding with the reason the alarm is only watched on a dashboard.

## References

- PCI DSS v4.0.1 10.4.1.1 (automated audit-log reviews), 10.7.2 (failures of critical security controls detected and alerted)
- Amazon CloudWatch User Guide: "Using Amazon CloudWatch alarms", "Alarm actions"
- AWS Security Hub control CloudWatch.15 (alarms should have specified actions configured)
"##,
};

impl Rule for AlarmWithoutAction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.has_profile(Profile::PciDssV4) {
            return;
        }
        for (name, a) in &cx.spec.alarms {
            if !a.actions.is_empty() {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Info,
                    format!("alarm `{name}` has no actions: nobody is notified when it fires"),
                )
                .at(value_span(cx, &["alarms", name, "actions"]))
                .label("no alarm actions")
                .help(format!(
                    "add `actions: [topics.NAME]` to `alarms.{name}` (a topic listing `cloudwatch` as a publisher), \
                     or waive `alarm-without-action` for `alarms.{name}` with the reason"
                ))
                .scope(scope(&["alarms", name])),
            );
        }
    }
}
