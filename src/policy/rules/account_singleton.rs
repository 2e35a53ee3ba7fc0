//! ZT0120 `account-singleton`: the stack creates an account-wide singleton (C7, C35).

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{GuardDutyMode, Profile, RecorderMode};

/// `config.recorder: create` or `guardduty.mode: create`.
pub struct AccountSingleton;

static META: RuleMeta = RuleMeta {
    code: "ZT0120",
    slug: "account-singleton",
    severity: Severity::Warning,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Warning),
    ],
    summary: "the stack creates a per-account, per-Region singleton (Config recorder, GuardDuty detector)",
    explain: r##"## What it does

Reports `config.recorder: create` (a configuration recorder and delivery channel) and
`guardduty.mode: create` (a GuardDuty detector).

## Why

Both are singletons of the account and Region, not resources of one stack:

- AWS Config allows one customer-managed recorder and one delivery channel per Region. Applying
  fails when the account already has them (an account baseline, Control Tower, a second copy of
  this stack with another suffix), and destroying this stack **stops configuration recording for
  the whole account** (C35).
- GuardDuty allows one detector per Region. `CreateDetector` fails when one exists, and destroying
  the detector **deletes its findings and turns GuardDuty off account-wide** (C7).

## Example

```yaml
config:
  recorder: create
  bucket: buckets.config
  rules: {S3_BUCKET_VERSIONING_ENABLED: {}}
guardduty: {mode: create}
```

## Fix

Use what the account baseline already runs:

```yaml
config:
  recorder: existing
  rules: {S3_BUCKET_VERSIONING_ENABLED: {}}
guardduty: {mode: existing}
```

or keep `create` in the one stack that owns them and waive the finding with that reason:

```yaml
compliance:
  waivers:
    - {rule: account-singleton, scope: guardduty, reason: This stack is the account baseline that owns the detector.}
```

## References

- AWS Config Developer Guide: "Managing the configuration recorder" (one recorder per Region)
- Amazon GuardDuty User Guide: "Suspending or disabling GuardDuty" (disabling deletes findings)
- REQUIREMENTS C7, C35
"##,
};

impl Rule for AccountSingleton {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        if let Some(c) = &spec.config {
            if c.recorder == RecorderMode::Create {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        "`config.recorder: create` makes this stack own the Region's only Config recorder",
                    )
                    .at(value_span(cx, &["config", "recorder"]))
                    .label("account singleton")
                    .help(
                        "apply fails if the account already records in this Region, and destroy stops recording \
                         account-wide; use `recorder: existing` unless this stack is the account baseline \
                         (then waive `account-singleton` for `config`)",
                    )
                    .scope(scope(&["config"])),
                );
            }
        }
        if let Some(g) = &spec.guardduty {
            if g.mode == GuardDutyMode::Create {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        "`guardduty.mode: create` makes this stack own the Region's only GuardDuty detector",
                    )
                    .at(value_span(cx, &["guardduty", "mode"]))
                    .label("account singleton")
                    .help(
                        "apply fails if a detector exists, and destroy deletes its findings and disables GuardDuty \
                         account-wide; use `mode: existing` unless this stack is the account baseline \
                         (then waive `account-singleton` for `guardduty`)",
                    )
                    .scope(scope(&["guardduty"])),
                );
            }
        }
    }
}
