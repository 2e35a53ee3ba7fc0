//! ZT0106 `log-retention`: CloudWatch Logs retention values, and PCI's 12 months.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Duration, Profile};

/// Log-group retention must be a value CloudWatch Logs accepts, and a year or more under PCI.
pub struct LogRetention;

/// Retention periods (days) CloudWatch Logs accepts for `retention_in_days`, ascending. `0`
/// (never expire) is accepted too but is not in this table.
pub const RETENTION_DAYS: &[i64] = &[
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// PCI DSS 10.5.1: at least 12 months of audit log history.
const PCI_MIN_DAYS: i64 = 365;

/// The accepted retention closest to `days` (ties go to the longer one). `0` (never expire) is
/// returned unchanged; negative values map to the shortest retention.
/// The error for a number of days CloudWatch Logs does not accept (None when it does), naming the
/// nearest accepted value for `key: …`. The caller adds the location and scope.
pub fn not_accepted(code: &'static str, days: i64, key: &str) -> Option<Diagnostic> {
    if days == 0 || RETENTION_DAYS.contains(&days) {
        return None;
    }
    let n = nearest_retention(days);
    Some(
        Diagnostic::new(
            code,
            Severity::Error,
            format!(
                "log retention of {} is not a value CloudWatch Logs accepts",
                super::util::days(days)
            ),
        )
        .label(format!("did you mean {n}?"))
        .help(format!(
            "use `{key}: {n}`; CloudWatch Logs accepts {} days, or 0 to never expire (`7y` = 2557)",
            RETENTION_DAYS
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    )
}

pub fn nearest_retention(days: i64) -> i64 {
    if days == 0 {
        return 0;
    }
    let mut best = RETENTION_DAYS[0];
    for &v in RETENTION_DAYS {
        let (d, bd) = ((v - days).abs(), (best - days).abs());
        if d < bd || (d == bd && v > best) {
            best = v;
        }
    }
    best
}

static META: RuleMeta = RuleMeta {
    code: "ZT0106",
    slug: "log-retention",
    severity: Severity::Error,
    pci: &["10.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.5.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-1"], Severity::Error),
    ],
    summary: "log retention must be a value CloudWatch Logs accepts, and at least 12 months under pci-dss-v4",
    explain: r##"## What it does

Checks `logs.defaults.retention` and every `logs.groups.*.retention`:

- **error** when the value is not in days (`1h`, `30m`): retention is set in whole days;
- **error** when the number of days is not one CloudWatch Logs accepts: 1, 3, 5, 7, 14, 30, 60, 90,
  120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, or 0 (never
  expire). The message suggests the nearest accepted value;
- **warning**, under the `pci-dss-v4` profile, when the retention is shorter than 365 days.

Sugar in years maps to CloudWatch's own values: `1y` = 365, `2y` = 731, `5y` = 1827, `7y` = 2557,
`10y` = 3653.

## Why

The API rejects any other value (`expected retention_in_days to be one of [...]`), and only at
apply time; `2555` (7 × 365) is the classic mistake, as CloudWatch counts leap days (`2557`).

PCI DSS 10.5.1 keeps audit log history for at least 12 months, with the most recent three months
immediately available for analysis. Shorter retention is acceptable for test data only, with a
waiver that says so.

## Example

```yaml
logs:
  defaults:
    retention: 2555
  groups:
    app: {retention: 90d}
```

## Fix

```yaml
logs:
  defaults:
    retention: 7y       # 2557 days
  groups:
    app: {retention: 1y}
```

## References

- PCI DSS v4.0.1 10.5.1 (retain audit log history for at least 12 months)
- Amazon CloudWatch Logs API Reference: `PutRetentionPolicy` (valid `retentionInDays` values)
- Terraform AWS provider: `aws_cloudwatch_log_group.retention_in_days`
"##,
};

impl Rule for LogRetention {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let logs = &cx.spec.logs;
        if let Some(r) = &logs.defaults.retention {
            check_one(cx, r, &["logs", "defaults"], out);
        }
        for (name, g) in &logs.groups {
            if let Some(r) = &g.retention {
                check_one(cx, r, &["logs", "groups", name], out);
            }
        }
    }
}

fn written(r: &Duration) -> String {
    match r {
        Duration::Num(n) => n.to_string(),
        Duration::Text(t) => t.clone(),
    }
}

fn check_one(cx: &Ctx<'_>, r: &Duration, element: &[&str], out: &mut Vec<Diagnostic>) {
    let mut path = element.to_vec();
    path.push("retention");
    let at = value_span(cx, &path);
    let sc = scope(element);
    let w = written(r);
    let Some(days) = r.days() else {
        out.push(
            Diagnostic::new(META.code, Severity::Error, format!("log retention `{w}` is not a number of days"))
                .at(at)
                .label("CloudWatch Logs retention is set in whole days")
                .help(
                    "write days or years: `retention: 1` (one day, the shortest), `retention: 1y` (365 days, the PCI DSS \
                     minimum) or `retention: 7y`",
                )
                .scope(sc),
        );
        return;
    };
    if let Some(d) = not_accepted(META.code, days, "retention") {
        out.push(d.at(at).scope(sc));
        return;
    }
    if days != 0 && days < PCI_MIN_DAYS && cx.has_profile(Profile::PciDssV4) {
        out.push(
            Diagnostic::new(
                META.code,
                Severity::Warning,
                format!("log retention of {} is shorter than 12 months", super::util::days(days)),
            )
            .at(at)
            .label(format!("kept {}", super::util::days(days)))
            .help(format!(
                "PCI DSS 10.5.1 keeps audit log history at least 12 months: use `retention: 1y` (365 days) or longer; \
                 for test data, waive it with a reason: `{{rule: log-retention, scope: {sc}, reason: ...}}` under \
                 `compliance.waivers`"
            ))
            .scope(sc),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn nearest() {
        assert_eq!(nearest_retention(2555), 2557);
        assert_eq!(nearest_retention(2557), 2557);
        assert_eq!(nearest_retention(2), 3); // tie 1/3 → larger
        assert_eq!(nearest_retention(0), 0);
        assert_eq!(nearest_retention(-4), 1);
        assert_eq!(nearest_retention(100_000), 3653);
        assert_eq!(nearest_retention(1461), 1096);
    }
}
