//! ZT0113 `kms-key-without-consumer`: every key encrypts something.

use super::util::{key_ref, key_span, scope};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;
use std::collections::BTreeSet;

/// A key no element of the spec uses.
pub struct KmsKeyWithoutConsumer;

static META: RuleMeta = RuleMeta {
    code: "ZT0113",
    slug: "kms-key-without-consumer",
    severity: Severity::Warning,
    pci: &["3.6.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.6.1"], Severity::Warning),
        PackRef::advisory(Profile::Soc2, &["CC6.1"], Severity::Warning),
        PackRef::advisory(Profile::ZeroTrust, &["ZTB-DATA-1"], Severity::Warning),
    ],
    summary: "a customer-managed key that nothing in the spec encrypts with",
    explain: r##"## What it does

Reports a key under `keys:` that no element references as its key. The consumers are
`buckets.*.key`, `trail.key`, `logs.defaults.key`, `logs.groups.*.key`, `parameters.*.key`,
`network.firewall.key` and `account_settings.ebs_encryption_by_default.key`, each written as
`keys.NAME`. A grant in an IAM policy (`resources: [keys.NAME]`) and the key's `usage` list do not
make a consumer.

## Why

An unused key costs money every month, widens the key inventory that PCI DSS 3.6.1 requires to be
documented and protected, and usually means a reference was forgotten: for example data that
should be encrypted with this key falls back to an AWS-managed key.

## Example

```yaml
keys:
  rds: {description: RDS storage, usage: [rds]}
```

## Fix

Reference the key where it is used (`buckets.data.key: keys.rds`), remove it, or, when a later
stack is its consumer, waive the finding with that reason:

```yaml
compliance:
  waivers:
    - {rule: kms-key-without-consumer, scope: keys.rds, reason: Used by the database stack deployed next.}
```

## References

- PCI DSS v4.0.1 3.6.1 (procedures to protect cryptographic keys)
- AWS KMS pricing; AWS KMS Developer Guide: "Determining past usage of a KMS key"
"##,
};

impl Rule for KmsKeyWithoutConsumer {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        let mut refs: Vec<&str> = Vec::new();
        refs.extend(spec.buckets.values().map(|b| b.key.as_str()));
        refs.extend(spec.trail.as_ref().map(|t| t.key.as_str()));
        refs.extend(spec.logs.defaults.key.as_deref());
        refs.extend(spec.logs.groups.values().filter_map(|g| g.key.as_deref()));
        refs.extend(spec.parameters.values().map(|p| p.key.as_str()));
        refs.extend(spec.topics.values().map(|t| t.key.as_str()));
        refs.extend(spec.functions.values().map(|f| f.key.as_str()));
        refs.extend(spec.secrets.values().filter_map(|s| s.key.as_deref()));
        refs.extend(spec.databases.values().map(|d| d.key.as_str()));
        refs.extend(spec.session_manager.as_ref().map(|m| m.key.as_str()));
        refs.extend(
            spec.network
                .as_ref()
                .and_then(|n| n.firewall.as_ref())
                .and_then(|f| f.key.as_deref()),
        );
        refs.extend(
            spec.account_settings
                .ebs_encryption_by_default
                .as_ref()
                .map(|e| e.key.as_str()),
        );
        let used: BTreeSet<&str> = refs.into_iter().filter_map(key_ref).collect();
        for name in spec.keys.keys() {
            if used.contains(name.as_str()) {
                continue;
            }
            out.push(
                Diagnostic::new(META.code, Severity::Warning, format!("key `keys.{name}` is not used by any element"))
                    .at(key_span(cx, &["keys", name]))
                    .label("nothing encrypts with this key")
                    .help(format!(
                        "reference it where data should be encrypted with it (e.g. `buckets.NAME.key: keys.{name}`, \
                         `databases.NAME.key`, `logs.defaults.key`, `parameters.PATH.key`, `trail.key`, `network.firewall.key`, \
                         `account_settings.ebs_encryption_by_default.key`), remove it, or waive this finding with \
                         `{{rule: kms-key-without-consumer, scope: keys.{name}, reason: ...}}` if another stack uses it"
                    ))
                    .scope(scope(&["keys", name])),
            );
        }
    }
}
