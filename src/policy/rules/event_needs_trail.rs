//! ZT0122 `event-needs-trail`: EventBridge rules on CloudTrail events that will never arrive (C17).

use super::monitoring_presets::{
    event_pattern, pattern_matches_iam, pattern_needs_trail, pattern_span,
};
use super::util::scope;
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// An event pattern on "... via CloudTrail" events without a `trail`, or on IAM API calls outside
/// us-east-1.
pub struct EventNeedsTrail;

static META: RuleMeta = RuleMeta {
    code: "ZT0122",
    slug: "event-needs-trail",
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
    summary: "an EventBridge rule matches CloudTrail events that this stack never receives",
    explain: r##"## What it does

Reports an EventBridge rule under `events:` whose pattern (a preset or written out):

- matches events whose `detail-type` ends in `via CloudTrail` (`AWS API Call via CloudTrail`,
  `AWS Console Sign In via CloudTrail`, the presets `security-group-changes` and
  `root-console-signin`) while the spec has no `trail:`;
- matches IAM API calls (`source: aws.iam` or `detail.eventSource: iam.amazonaws.com`) while the
  stack's Region is not `us-east-1`.

## Why

EventBridge receives API-call events from CloudTrail: AWS documents that a trail with logging
enabled is needed for them. Without it the rule is deployed, looks healthy, and never fires.

IAM is a global service whose CloudTrail events are recorded in **us-east-1** only, so an
EventBridge rule for IAM API calls in any other Region never matches (C17). Monitor IAM changes
with a multi-Region trail into a log group of this Region and the `iam-policy-changes` metric
filter, or deploy the rule in us-east-1.

## Example

```yaml
region: ap-southeast-1
events:
  sg-changes: {pattern: security-group-changes, targets: [topics.alerts]}
  iam-changes:
    pattern: {source: [aws.iam], detail-type: [AWS API Call via CloudTrail]}
    targets: [topics.alerts]
```

## Fix

```yaml
trail:
  name: audit
  bucket: buckets.audit
  key: keys.audit
  cloudwatch: logs.trail
metric_filters:
  iam-changes: {group: logs.trail, pattern: iam-policy-changes}
```

## References

- PCI DSS v4.0.1 10.2.1 (audit logs enabled and active), 10.4.1.1 (automated audit-log reviews)
- Amazon EventBridge User Guide: "Events from AWS services" (events delivered via CloudTrail)
- AWS CloudTrail User Guide: "Viewing events for global services" (IAM in us-east-1)
"##,
};

impl Rule for EventNeedsTrail {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        for (name, e) in &spec.events {
            let Some(p) = event_pattern(e) else { continue };
            let at = pattern_span(cx, name, e);
            if pattern_needs_trail(&p) && spec.trail.is_none() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("event rule `{name}` matches CloudTrail events, but the spec has no `trail`"),
                    )
                    .at(at)
                    .label("delivered by CloudTrail")
                    .help(
                        "add a `trail:` (multi-Region, with logging enabled) so that EventBridge receives API-call \
                         and sign-in events, or match events the service emits itself",
                    )
                    .scope(scope(&["events", name])),
                );
            }
            if pattern_matches_iam(&p) && spec.region != "us-east-1" {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!(
                            "event rule `{name}` matches IAM API calls, which are delivered in us-east-1 only, not in {}",
                            spec.region
                        ),
                    )
                    .at(at)
                    .label("never fires outside us-east-1")
                    .help(
                        "use a multi-Region trail into a log group of this Region with a metric filter \
                         `pattern: iam-policy-changes`, or deploy this rule in us-east-1",
                    )
                    .scope(scope(&["events", name])),
                );
            }
        }
    }
}
