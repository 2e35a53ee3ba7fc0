//! ZT0107 `iam-session-length`: role session length within AWS's range, 1 hour under strict profiles.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Duration, Profile};

/// `iam.roles.*.max_session` must be 3600-43200 seconds, and 1 hour under pci-dss-v4 / zero-trust.
pub struct IamSessionLength;

const MIN: i64 = 3600;
const MAX: i64 = 43_200;

static META: RuleMeta = RuleMeta {
    code: "ZT0107",
    slug: "iam-session-length",
    severity: Severity::Error,
    pci: &["8.2.8"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["8.2.8"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-IAM-2"], Severity::Error),
    ],
    summary: "role sessions must last 1-12 hours (AWS's range), and at most 1 hour under pci-dss-v4 or zero-trust",
    explain: r##"## What it does

Checks `iam.roles.*.max_session` (seconds, or `1h`-style sugar):

- **error** when it is outside 3600-43200 seconds (1-12 hours), or not a duration in seconds,
  minutes, hours or days;
- **warning** when it is above 3600 seconds under the `pci-dss-v4` or `zero-trust` profile.

## Why

IAM rejects any other `MaxSessionDuration` (`expected max_session_duration to be in the range
(3600 - 43200)`). One hour is therefore both the profile maximum and the shortest a role can be set
to; a caller may still request shorter sessions with `DurationSeconds`, and role chaining is
capped at one hour anyway.

Short sessions limit how long leaked temporary credentials stay usable. PCI DSS v4.0.1 has no
requirement that fixes a maximum session length; the closest is 8.2.8 (re-authenticate after 15
minutes of idle time), which is why ztc uses it as the reference and applies the 1-hour ceiling of
the zero-trust baseline as a warning.

## Example

```yaml
iam:
  roles:
    payment-app:
      trust: {account: {var: trusted_account_id}}
      external_id: {var: external_id, sensitive: true}
      max_session: 30m
```

## Fix

```yaml
      max_session: 1h
```

## References

- PCI DSS v4.0.1 8.2.8 (idle session re-authentication); 8.6 (system and application accounts)
- IAM User Guide: "Update the maximum session duration for a role"; IAM API Reference: `CreateRole` `MaxSessionDuration`
"##,
};

impl Rule for IamSessionLength {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let strict = cx.has_profile(Profile::PciDssV4) || cx.has_profile(Profile::ZeroTrust);
        for (name, role) in &cx.spec.iam.roles {
            let at = value_span(cx, &["iam", "roles", name, "max_session"]);
            let element = scope(&["iam", "roles", name]);
            let written = match &role.max_session {
                Duration::Num(n) => n.to_string(),
                Duration::Text(t) => t.clone(),
            };
            let Some(secs) = role.max_session.seconds() else {
                out.push(
                    Diagnostic::new(META.code, Severity::Error, format!("session length `{written}` of role `{name}` is not a duration in seconds"))
                        .at(at)
                        .label("use seconds, minutes, hours or days")
                        .help("write `max_session: 1h` (3600 seconds); AWS accepts 1 to 12 hours")
                        .scope(element),
                );
                continue;
            };
            if !(MIN..=MAX).contains(&secs) {
                let (why, fix) = if secs < MIN {
                    (
                        "shorter than 1 hour, which is also the minimum AWS accepts",
                        "1h".to_string(),
                    )
                } else {
                    (
                        "longer than 12 hours, the maximum AWS accepts",
                        if strict { "1h" } else { "12h" }.to_string(),
                    )
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("session length of role `{name}` is {} ({why})", human(secs)),
                    )
                    .at(at)
                    .label("must be 3600-43200 seconds")
                    .help(format!(
                        "set `max_session: {fix}`; callers can still ask for shorter sessions with `DurationSeconds` \
                         (`aws sts assume-role --duration-seconds 900`)"
                    ))
                    .scope(element),
                );
                continue;
            }
            if secs > MIN && strict {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("session length of role `{name}` is {}; the profile maximum is 1 hour", human(secs)),
                    )
                    .at(at)
                    .label("longer than 1 hour")
                    .help("set `max_session: 1h` (3600 seconds), or waive it with a reason if a longer session is needed")
                    .scope(element),
                );
            }
        }
    }
}

/// `5400` → `1h 30m (5400 s)`.
fn human(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
    let mut parts = Vec::new();
    if h != 0 {
        parts.push(format!("{h}h"));
    }
    if m != 0 {
        parts.push(format!("{m}m"));
    }
    if s != 0 || parts.is_empty() {
        parts.push(format!("{s}s"));
    }
    format!("{} ({secs} s)", parts.join(" "))
}
