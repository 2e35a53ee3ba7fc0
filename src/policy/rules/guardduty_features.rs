//! ZT0128 `guardduty-features`: GuardDuty detector features are ones the provider knows (C7).

use super::monitoring_presets::{is_cloudwatch_events, GUARDDUTY_FEATURES};
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{GuardDutyMode, Profile};

/// Unknown or duplicate features (error), "CloudWatch Events" (warning), features of a detector
/// this stack does not create (warning).
pub struct GuardDutyFeatures;

static META: RuleMeta = RuleMeta {
    code: "ZT0128",
    slug: "guardduty-features",
    severity: Severity::Error,
    pci: &["11.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["11.5.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-2"], Severity::Error),
    ],
    summary:
        "a GuardDuty feature that does not exist, is listed twice, or is not managed by this stack",
    explain: r##"## What it does

Checks `guardduty.features`:

- **error** for a name that is not a detector feature of the AWS provider 5.x
  (`S3_DATA_EVENTS`, `EKS_AUDIT_LOGS`, `EBS_MALWARE_PROTECTION`, `RDS_LOGIN_EVENTS`,
  `EKS_RUNTIME_MONITORING`, `LAMBDA_NETWORK_LOGS`, `RUNTIME_MONITORING`), or one listed twice;
- **warning** for "CloudWatch Events" (`CLOUDWATCH_EVENTS`, `EventBridge`): it is not a GuardDuty
  data source, and is dropped;
- **warning** for features with `mode: existing` or `off`: this stack does not manage the
  detector, so they are not applied.

## Why

Offline `terraform validate` does not check feature names; a wrong one fails at apply. The
`datasources` block (`s3_logs`, ...) is deprecated in favour of `aws_guardduty_detector_feature`.
The foundational sources (CloudTrail management events, VPC flow logs, DNS logs) are always on and
need no feature. GuardDuty publishes findings **to** EventBridge; it does not read from it (C7).

## Example

```yaml
guardduty:
  mode: create
  features: [S3_LOGS, CloudWatch Events]
```

## Fix

```yaml
guardduty:
  mode: create
  features: [S3_DATA_EVENTS]
events:
  findings: {pattern: guardduty-findings, targets: [topics.alerts]}
```

## References

- PCI DSS v4.0.1 11.5.1 (intrusion-detection techniques)
- Amazon GuardDuty API Reference: `DetectorFeatureConfiguration`
- Terraform AWS provider: `aws_guardduty_detector_feature`
"##,
};

impl Rule for GuardDutyFeatures {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(g) = &cx.spec.guardduty else { return };
        let sc = scope(&["guardduty"]);
        if g.mode != GuardDutyMode::Create && !g.features.is_empty() {
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    "GuardDuty features are only applied to a detector this stack creates",
                )
                .at(value_span(cx, &["guardduty", "features"]))
                .label("not applied")
                .help("manage the features where the detector is managed, or remove `features`")
                .scope(sc.clone()),
            );
            return;
        }
        let known: Vec<String> = GUARDDUTY_FEATURES.iter().map(|s| s.to_string()).collect();
        for (i, f) in g.features.iter().enumerate() {
            let at = value_span(cx, &["guardduty", "features", &i.to_string()]);
            if is_cloudwatch_events(f) {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("`{f}` is not a GuardDuty data source; it is dropped"),
                    )
                    .at(at)
                    .label("not a data source")
                    .help(
                        "GuardDuty publishes findings to EventBridge: route them with an event rule \
                         `pattern: guardduty-findings` instead",
                    )
                    .scope(sc.clone()),
                );
            } else if !GUARDDUTY_FEATURES.contains(&f.as_str()) {
                let help = match crate::validate::did_you_mean(f, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if f.eq_ignore_ascii_case("S3_LOGS") => {
                        "the S3 data source is the feature `S3_DATA_EVENTS`".into()
                    }
                    None => format!("features are {}", GUARDDUTY_FEATURES.join(", ")),
                };
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("`{f}` is not a GuardDuty detector feature"),
                    )
                    .at(at)
                    .label("unknown feature")
                    .help(help)
                    .scope(sc.clone()),
                );
            } else if g.features[..i].contains(f) {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("feature `{f}` is listed twice"),
                    )
                    .at(at)
                    .label("duplicate")
                    .help("list each feature once")
                    .scope(sc.clone()),
                );
            }
        }
    }
}
