//! ZT0118 `locked-bucket-key-destroyable`: a retained bucket's key must outlive its objects.

use super::util::{key_ref, key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// An Object-Locked bucket encrypted with a key that destroy schedules for deletion.
pub struct LockedBucketKeyDestroyable;

static META: RuleMeta = RuleMeta {
    code: "ZT0118",
    slug: "locked-bucket-key-destroyable",
    severity: Severity::Warning,
    pci: &["3.7.5", "10.5.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.7.5", "10.5.1"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC7.2"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-1"], Severity::Warning),
    ],
    summary: "an Object-Locked bucket's key is scheduled for deletion on destroy, making retained objects unreadable",
    explain: r##"## What it does

Reports a bucket with `object_lock` whose key (`key: keys.NAME`) is not protected
(`protect: false`, the default; ephemeral stacks cannot protect it, see ZT0102). Destroying the
stack schedules that key for deletion.

## Why

Object Lock keeps object versions for their retention period; destroy may even leave them behind
(COMPLIANCE mode, or a bucket that is not emptied). But once the KMS key is deleted, at the end of
its 7-30 day waiting period, every object encrypted with it is unreadable for good: the retention
that PCI DSS 10.5.1 asks for is defeated by the key's lifecycle, and key destruction must follow the
key-management procedures of 3.7.5, not a stack teardown.

## Example

```yaml
keys:
  s3: {usage: [s3]}
buckets:
  audit-logs:
    key: keys.s3
    object_lock: {mode: GOVERNANCE, retention: 7y}
```

## Fix

For real audit logs, use a persistent stack and protect the key:

```yaml
compliance: {lifecycle: persistent}
keys:
  s3: {usage: [s3], protect: true}
```

For a test stack whose locked objects are disposable, waive this finding with that reason.

## References

- PCI DSS v4.0.1 10.5.1 (audit log history retained), 3.7.5 (retirement and destruction of keys)
- AWS KMS Developer Guide: "Deleting AWS KMS keys" (data encrypted under a deleted key is unrecoverable)
- Amazon S3 User Guide: "Locking objects with Object Lock"
"##,
};

impl Rule for LockedBucketKeyDestroyable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, b) in &cx.spec.buckets {
            if b.object_lock.is_none() {
                continue;
            }
            let Some(kname) = key_ref(&b.key) else {
                continue;
            };
            let Some(key) = cx.spec.keys.get(kname) else {
                continue;
            }; // dangling refs are reported elsewhere
            if key.protect {
                continue;
            }
            let help = if cx.ephemeral() {
                format!(
                    "keep retained audit logs in a persistent stack with a protected key (`compliance: {{lifecycle: persistent}}` \
                     and `keys.{kname}.protect: true`); if the locked objects of this ephemeral stack are disposable test data, \
                     waive this finding with `{{rule: locked-bucket-key-destroyable, scope: buckets.{name}, reason: ...}}`"
                )
            } else {
                format!("protect the key: `keys: {{{kname}: {{protect: true}}}}` (keeps it out of destroy)")
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("Object-Locked bucket `{name}` is encrypted with `keys.{kname}`, which destroy schedules for deletion"),
                )
                .at(value_span(cx, &["buckets", name, "key"]))
                .label("retained objects become unreadable once this key is deleted")
                .related(key_span(cx, &["keys", kname]), "key is not protected")
                .help(help)
                .scope(scope(&["buckets", name])),
            );
        }
    }
}
