//! ZT0103 `s3-object-lock-compliance-ephemeral`: COMPLIANCE-mode Object Lock cannot be destroyed.

use super::util::{present, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{LockMode, Profile};

/// Object Lock in COMPLIANCE mode in an ephemeral stack.
pub struct ObjectLockComplianceEphemeral;

static META: RuleMeta = RuleMeta {
    code: "ZT0103",
    slug: "s3-object-lock-compliance-ephemeral",
    severity: Severity::Error,
    pci: &["10.3.3"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.3.3"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "Object Lock COMPLIANCE mode makes an ephemeral stack undeletable",
    explain: r##"## What it does

Reports a bucket whose `object_lock.mode` is `COMPLIANCE` in a stack with
`compliance.lifecycle: ephemeral`:

- an **error** by default;
- a **warning** when the bucket opts in with `object_lock.accept_undeletable_objects: true`.

## Why

In COMPLIANCE mode no one, the root user included, can delete a locked object version before its
retention date, and a bucket that still holds objects cannot be deleted. The provider's
`force_destroy` empties buckets with `BypassGovernanceRetention`, which works for GOVERNANCE mode
only. CloudTrail and other log deliveries fill an audit bucket within minutes, so destroying the
stack fails until the retention expires (years, for audit logs), and the bucket and its objects are
orphaned and keep costing money.

GOVERNANCE mode still protects audit logs against modification (PCI DSS 10.3.3 asks that audit
logs are kept where they are difficult to modify) while letting a privileged, audited principal
remove them, which is what a test stack needs.

## Example

```yaml
compliance:
  lifecycle: ephemeral
buckets:
  audit-logs:
    key: keys.s3
    object_lock: {mode: COMPLIANCE, retention: 7y}
```

## Fix

For a test stack, use GOVERNANCE mode (and a short retention):

```yaml
    object_lock: {mode: GOVERNANCE, retention: 7y}
```

For production, keep COMPLIANCE and declare `compliance: {lifecycle: persistent}`. If the test
stack must use COMPLIANCE anyway, accept the consequence explicitly with
`accept_undeletable_objects: true` (still a warning).

## References

- PCI DSS v4.0.1 10.3.3 (audit logs backed up to media that is difficult to modify), 10.5.1
- Amazon S3 User Guide: "Locking objects with Object Lock" (retention modes)
- Terraform AWS provider: `aws_s3_bucket.force_destroy`, `aws_s3_bucket_object_lock_configuration`
"##,
};

impl Rule for ObjectLockComplianceEphemeral {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.ephemeral() {
            return;
        }
        for (name, b) in &cx.spec.buckets {
            let Some(lock) = &b.object_lock else { continue };
            if lock.mode != LockMode::Compliance {
                continue;
            }
            let at = value_span(cx, &["buckets", name, "object_lock", "mode"]);
            let element = scope(&["buckets", name]);
            let mut d = if lock.accept_undeletable_objects {
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("`{element}` is COMPLIANCE-locked in an ephemeral stack: destroy will fail until retention expires"),
                )
                .label("objects cannot be deleted before their retention date")
                .help(
                    "the bucket and its objects will be orphaned by destroy; prefer `mode: GOVERNANCE` (destroyable through \
                     `force_destroy`) for test stacks, or `compliance: {lifecycle: persistent}` for production",
                )
                .related(value_span(cx, &["buckets", name, "object_lock", "accept_undeletable_objects"]), "accepted here")
            } else {
                Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!("`{element}` uses Object Lock COMPLIANCE mode in an ephemeral stack, which cannot be destroyed"),
                )
                .label("no one can delete locked objects, so destroy fails")
                .help(
                    "use `object_lock: {mode: GOVERNANCE, retention: ...}` for a test stack; keep COMPLIANCE only with \
                     `compliance: {lifecycle: persistent}`, or accept the orphaned bucket with \
                     `accept_undeletable_objects: true`",
                )
            };
            d = d.at(at).scope(element);
            if present(cx, &["compliance", "lifecycle"]) {
                d = d.related(
                    value_span(cx, &["compliance", "lifecycle"]),
                    "stack declared ephemeral here",
                );
            }
            out.push(d);
        }
    }
}
