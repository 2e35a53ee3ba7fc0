//! ZT0121 `guardduty-off`: GuardDuty turned off (PCI DSS 11.5.1), or off without a reason.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{GuardDutyMode, Profile};

/// `guardduty.mode: off` without `reason` (error), or under `pci-dss-v4` (warning).
pub struct GuardDutyOff;

static META: RuleMeta = RuleMeta {
    code: "ZT0121",
    slug: "guardduty-off",
    severity: Severity::Warning,
    pci: &["11.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["11.5.1"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Warning),
    ],
    summary: "GuardDuty is off: no intrusion detection under the pci-dss-v4 profile",
    explain: r##"## What it does

Reports `guardduty.mode: off`:

- as an **error** when `reason` is missing: turning threat detection off is a decision that must
  be written down;
- as a **warning** under the `pci-dss-v4` profile, with or without a reason. Waive it when another
  control covers 11.5.1.

## Why

PCI DSS 11.5.1 requires intrusion-detection or intrusion-prevention techniques that detect and
alert on intrusions into the network. In AWS, GuardDuty is the managed detector: it analyses
CloudTrail management events, VPC flow logs and DNS logs without any agent. Some stacks must not
create it (it is an account singleton, C7), but then it should be `existing`, not `off`.

## Example

```yaml
guardduty: {mode: off}
```

## Fix

```yaml
guardduty: {mode: existing, reason: The security account's baseline owns the detector.}
```

or, when another IDS covers the CDE:

```yaml
guardduty: {mode: off, reason: Network intrusion detection runs on the inspection VPC's Suricata rules.}
compliance:
  waivers:
    - {rule: guardduty-off, scope: guardduty, reason: Intrusion detection is the inspection VPC's IDS.}
```

## References

- PCI DSS v4.0.1 11.5.1 (intrusion-detection and/or intrusion-prevention techniques)
- Amazon GuardDuty User Guide: "Foundational data sources"
- AWS Security Hub control GuardDuty.1 (GuardDuty should be enabled)
"##,
};

impl Rule for GuardDutyOff {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(g) = &cx.spec.guardduty else { return };
        if g.mode != GuardDutyMode::Off {
            return;
        }
        let at = value_span(cx, &["guardduty", "mode"]);
        if g.reason.as_deref().map_or(true, |r| r.trim().is_empty()) {
            out.push(
                Diagnostic::new(META.code, Severity::Error, "`guardduty.mode: off` needs a `reason`")
                    .at(at)
                    .label("off without a reason")
                    .help(
                        "add `reason: ...` saying why threat detection is off (or which control replaces it), \
                         or use `mode: existing` to read the account's detector",
                    )
                    .scope(scope(&["guardduty"])),
            );
        } else if cx.has_profile(Profile::PciDssV4) {
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    "GuardDuty is off under the pci-dss-v4 profile: no managed intrusion detection",
                )
                .at(at)
                .label("no intrusion detection (PCI DSS 11.5.1)")
                .help(
                    "use `mode: existing` (the account's detector) or `create`; if another IDS covers 11.5.1, \
                     waive `guardduty-off` for `guardduty` with that reason",
                )
                .scope(scope(&["guardduty"])),
            );
        }
    }
}
