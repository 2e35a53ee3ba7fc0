//! ZT0117 `account-level-settings`: account-wide settings in an ephemeral stack.

use super::util::{key_span, scope};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// `account_settings.*` in an ephemeral stack.
pub struct AccountLevelSettings;

static META: RuleMeta = RuleMeta {
    code: "ZT0117",
    slug: "account-level-settings",
    severity: Severity::Warning,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Warning),
    ],
    summary:
        "account-level settings in an ephemeral stack are reset for the whole Region on destroy",
    explain: r##"## What it does

When `compliance.lifecycle` is `ephemeral`, reports every setting under `account_settings:`
(today `ebs_encryption_by_default`).

## Why

`ebs_encryption_by_default` lowers to `aws_ebs_encryption_by_default` and `aws_ebs_default_kms_key`.
These are singletons of the account and Region, not resources of this stack: destroying the stack
turns default EBS encryption off (and resets the default key) for **every volume created later in
this Region**, by anyone. Two stacks managing it overwrite each other. And the default key is this
stack's key, scheduled for deletion on destroy, so volumes created meanwhile become unusable.

## Example

```yaml
compliance: {lifecycle: ephemeral}
account_settings:
  ebs_encryption_by_default: {key: keys.ebs}
```

## Fix

Manage account settings once, in a long-lived account-baseline stack with
`compliance: {lifecycle: persistent}`, and remove them from test stacks; encrypt this stack's
volumes with their own `kms_key_id` (launch templates). If the test account is dedicated to this
stack, accept it with a waiver that says so.

## References

- Amazon EBS User Guide: "Enable Amazon EBS encryption by default" (per Region setting)
- Terraform AWS provider: `aws_ebs_encryption_by_default`, `aws_ebs_default_kms_key` (destroy resets the setting)
"##,
};

impl Rule for AccountLevelSettings {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.ephemeral() {
            return;
        }
        if let Some(ebs) = &cx.spec.account_settings.ebs_encryption_by_default {
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    "EBS encryption by default is an account setting: destroying this ephemeral stack resets it for the whole Region",
                )
                .at(key_span(cx, &["account_settings", "ebs_encryption_by_default"]))
                .label("account-wide, not owned by this stack")
                .help(format!(
                    "move `account_settings.ebs_encryption_by_default` to a persistent account-baseline stack and remove it here \
                     (destroy resets the default for every volume created later in this Region, and its key {} is scheduled \
                     for deletion); or waive this finding with the reason if the account is dedicated to this stack",
                    ebs.key
                ))
                .scope(scope(&["account_settings", "ebs_encryption_by_default"])),
            );
        }
    }
}
