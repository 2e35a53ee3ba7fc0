//! ZT0134 `function-log-retention`: the retention of a function's log group
//! (`/aws/lambda/<name>`), like `log-retention` for `logs.groups`.

use super::log_retention::not_accepted;
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Duration, Profile};

/// `functions.*.log_retention`: a value CloudWatch Logs accepts, a year or more under PCI.
pub struct FunctionLogRetention;

const PCI_MIN_DAYS: i64 = 365;

static META: RuleMeta = RuleMeta {
    code: "ZT0134",
    slug: "function-log-retention",
    severity: Severity::Error,
    pci: &["10.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.5.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-1"], Severity::Error),
    ],
    summary: "a function's log retention must be a value CloudWatch Logs accepts, and at least 12 months under pci-dss-v4",
    explain: r##"## What it does

ztc creates each function's log group `/aws/lambda/<function name>` itself, so that its retention
and KMS key apply and destroy removes it. This rule checks `functions.*.log_retention` when it is
written (otherwise `logs.defaults.retention` applies, checked by `log-retention`, or 365 days):

- **error** when it is not in days, or not a retention CloudWatch Logs accepts (1, 3, 5, 7, 14,
  30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 or 0);
- **warning**, under `pci-dss-v4`, when it is shorter than 365 days.

## Why

The API rejects other values at apply time. Function logs are audit evidence of what the
function did (a rotation, a compliance scan); PCI DSS 10.5.1 keeps audit log history for at least
12 months.

## Example

```yaml
functions:
  rotate:
    runtime: nodejs22.x
    source: secrets-rotation
    vpc: {tiers: [private], security_group: lambda}
    key: keys.app
    log_retention: 2555
```

## Fix

```yaml
    log_retention: 7y     # 2557 days
```

## References

- PCI DSS v4.0.1 10.5.1 (retain audit log history for at least 12 months)
- Amazon CloudWatch Logs API Reference: `PutRetentionPolicy`
- AWS Lambda Developer Guide: "Sending Lambda function logs to CloudWatch Logs" (`/aws/lambda/<function name>`)
"##,
};

impl Rule for FunctionLogRetention {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, f) in &cx.spec.functions {
            let Some(r) = &f.log_retention else {
                continue;
            };
            let at = value_span(cx, &["functions", name, "log_retention"]);
            let sc = scope(&["functions", name]);
            let written = match r {
                Duration::Num(n) => n.to_string(),
                Duration::Text(t) => t.clone(),
            };
            let Some(days) = r.days() else {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("log retention `{written}` is not a number of days"),
                    )
                    .at(at)
                    .label("CloudWatch Logs retention is set in whole days")
                    .help("write days or years: `log_retention: 1y` (365 days) or `log_retention: 7y`")
                    .scope(&sc),
                );
                continue;
            };
            if let Some(d) = not_accepted(META.code, days, "log_retention") {
                out.push(d.at(at).scope(&sc));
                continue;
            }
            if days != 0 && days < PCI_MIN_DAYS && cx.has_profile(Profile::PciDssV4) {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("function `{name}` keeps its logs {}, shorter than 12 months", super::util::days(days)),
                    )
                    .at(at)
                    .label(format!("kept {}", super::util::days(days)))
                    .help(format!(
                        "PCI DSS 10.5.1 keeps audit log history at least 12 months: use `log_retention: 1y`; \
                         for test stacks waive it: `{{rule: function-log-retention, scope: {sc}, reason: ...}}`"
                    ))
                    .scope(&sc),
                );
            }
        }
    }
}
