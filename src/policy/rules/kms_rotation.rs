//! ZT0108 `kms-rotation`: key rotation on, and KMS's value ranges.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Customer-managed keys rotate, with periods and deletion windows AWS accepts.
pub struct KmsRotation;

static META: RuleMeta = RuleMeta {
    code: "ZT0108",
    slug: "kms-rotation",
    severity: Severity::Error,
    pci: &["3.6.1", "3.7.4"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.6.1", "3.7.4"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.1", "CC6.7"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-DATA-1"], Severity::Error),
    ],
    summary: "keys must rotate; rotation period 90-2560 days, deletion window 7-30 days",
    explain: r##"## What it does

For every key under `keys:` reports an error at:

- `rotation.enabled: false`;
- `rotation.period_days` outside 90-2560;
- `rotation.period_days` given while rotation is disabled;
- `deletion_window_days` outside 7-30.

## Why

PCI DSS 3.7.4 requires cryptographic key changes at the end of the defined cryptoperiod, and 3.6.1
procedures that protect keys. Automatic rotation of a symmetric KMS key does exactly that without
re-encrypting data (old key material stays available for decryption).

KMS accepts `RotationPeriodInDays` of 90-2560 only, and only together with rotation enabled;
`PendingWindowInDays` must be 7-30. The provider checks the ranges only at plan time (or the API at
apply), far from the spec line.

## Example

```yaml
keys:
  data:
    rotation: {enabled: false, period_days: 30}
    deletion_window_days: 3
```

## Fix

```yaml
keys:
  data:
    rotation: {period_days: 365}   # enabled by default
    deletion_window_days: 7
```

## References

- PCI DSS v4.0.1 3.6.1 (key-protection procedures), 3.7.4 (key changes at the end of the cryptoperiod)
- AWS KMS Developer Guide: "Rotating AWS KMS keys", "Deleting AWS KMS keys"
- AWS KMS API Reference: `EnableKeyRotation` (`RotationPeriodInDays`), `ScheduleKeyDeletion` (`PendingWindowInDays`)
"##,
};

impl Rule for KmsRotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, key) in &cx.spec.keys {
            let element = scope(&["keys", name]);
            let err = |msg: String, at: &[&str], label: &str, help: String| {
                Diagnostic::new(META.code, Severity::Error, msg)
                    .at(value_span(cx, at))
                    .label(label.to_string())
                    .help(help)
                    .scope(element.clone())
            };
            if !key.rotation.enabled {
                out.push(err(
                    format!("automatic rotation is disabled for key `{name}`"),
                    &["keys", name, "rotation", "enabled"],
                    "rotation off",
                    "remove `enabled: false` (rotation is on by default), e.g. `rotation: {period_days: 365}`".into(),
                ));
            }
            if let Some(p) = key.rotation.period_days {
                let at = ["keys", name.as_str(), "rotation", "period_days"];
                if !(90..=2560).contains(&p) {
                    let fix = p.clamp(90, 2560);
                    out.push(err(
                        format!("rotation period of key `{name}` is {p} days; KMS accepts 90-2560"),
                        &at,
                        "must be 90-2560 days",
                        format!("set `period_days: {fix}` (AWS's default is 365)"),
                    ));
                }
                if !key.rotation.enabled {
                    out.push(err(
                        format!("key `{name}` sets a rotation period but rotation is disabled"),
                        &at,
                        "period without rotation",
                        "enable rotation (drop `enabled: false`); a period is only accepted together with rotation".into(),
                    ));
                }
            }
            if let Some(d) = key.deletion_window_days {
                if !(7..=30).contains(&d) {
                    out.push(err(
                        format!("deletion window of key `{name}` is {d} days; KMS accepts 7-30"),
                        &["keys", name, "deletion_window_days"],
                        "must be 7-30 days",
                        format!(
                            "set `deletion_window_days: {}`, or remove it to get the lifecycle default (7 ephemeral, 30 persistent)",
                            d.clamp(7, 30)
                        ),
                    ));
                }
            }
        }
    }
}
