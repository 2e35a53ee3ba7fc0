//! ZT0102 `destroyable`: an ephemeral stack must be destroyable.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Under `lifecycle: ephemeral`, nothing may be protected against deletion.
pub struct Destroyable;

static META: RuleMeta = RuleMeta {
    code: "ZT0102",
    slug: "destroyable",
    severity: Severity::Error,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "an ephemeral stack must be destroyable: no `protect: true`, 7-day key deletion",
    explain: r##"## What it does

When `compliance.lifecycle` is `ephemeral` (the default), reports:

- an **error** at every `protect: true` on a key, bucket, log group, database or the Network
  Firewall; `protect` lowers to `lifecycle { prevent_destroy = true }`, deletion protection (and a
  final snapshot) or `skip_destroy`, so `terraform destroy` (or `pulumi destroy`) would fail or leave the resource behind;
- a **warning** at a key's `deletion_window_days` above 7.

## Why

Ephemeral stacks are test and review environments that must be created and destroyed by CI,
leaving nothing behind. A protected resource makes the destroy fail (or orphans the resource,
which then blocks the next deploy with the same suffix).

KMS keys are never deleted at once: destroy schedules deletion after a waiting period of 7-30
days. Pending keys are not billed, but every test run leaves its keys in the account for the whole
window (counting against the Region's KMS key quota and cluttering audits), so ephemeral stacks
use the shortest window, 7 days.

## Example

```yaml
compliance:
  lifecycle: ephemeral
keys:
  data:
    protect: true
    deletion_window_days: 30
```

## Fix

Remove `protect: true` and the long deletion window:

```yaml
keys:
  data: {usage: [s3]}
```

or, when the stack is long-lived, say so: `compliance: {lifecycle: persistent}`.

## References

- AWS KMS Developer Guide: "Deleting AWS KMS keys" (waiting period 7-30 days)
- AWS Network Firewall Developer Guide: "Deleting a firewall" (delete protection)
- Terraform: the `lifecycle` meta-argument (`prevent_destroy`)
"##,
};

impl Rule for Destroyable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.ephemeral() {
            return;
        }
        let spec = cx.spec;
        let mut protected: Vec<(Vec<&str>, &str)> = Vec::new();
        for (name, k) in &spec.keys {
            if k.protect {
                protected.push((vec!["keys", name], "key"));
            }
        }
        for (name, b) in &spec.buckets {
            if b.protect {
                protected.push((vec!["buckets", name], "bucket"));
            }
        }
        for (name, g) in &spec.logs.groups {
            if g.protect {
                protected.push((vec!["logs", "groups", name], "log group"));
            }
        }
        for (name, d) in &spec.databases {
            if d.protect {
                protected.push((vec!["databases", name], "database"));
            }
        }
        if let Some(fw) = spec.network.as_ref().and_then(|n| n.firewall.as_ref()) {
            if fw.protect {
                protected.push((vec!["network", "firewall"], "firewall"));
            }
        }
        for (path, what) in protected {
            let mut at = path.clone();
            at.push("protect");
            let element = scope(&path);
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("{what} `{element}` is protected against deletion in an ephemeral stack"))
                    .at(value_span(cx, &at))
                    .label("destroy would fail here")
                    .help(format!(
                        "remove `protect: true` from `{element}` (ephemeral stacks must be destroyable), or declare the stack \
                         long-lived with `compliance: {{lifecycle: persistent}}`"
                    ))
                    .scope(element),
            );
        }
        for (name, k) in &spec.keys {
            let Some(days) = k.deletion_window_days else {
                continue;
            };
            if !(8..=30).contains(&days) {
                continue; // 7 is the target; out-of-range values are ZT0108's
            }
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("key `keys.{name}` waits {days} days before deletion in an ephemeral stack"),
                )
                .at(value_span(cx, &["keys", name, "deletion_window_days"]))
                .label(format!("{days}-day waiting period"))
                .help(
                    "remove `deletion_window_days` (ephemeral stacks default to 7, the minimum) or set `deletion_window_days: 7`; \
                     every destroyed test stack otherwise leaves its keys pending deletion for the longer window, \
                     counting against the KMS key quota",
                )
                .scope(scope(&["keys", name])),
            );
        }
    }
}
