//! ZT0116 `ssm-securestring`: parameters are SecureStrings.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{ParamType, Profile};

/// A parameter of type `String`.
pub struct SsmSecureString;

static META: RuleMeta = RuleMeta {
    code: "ZT0116",
    slug: "ssm-securestring",
    severity: Severity::Error,
    pci: &["3.5.1", "8.3.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.5.1", "8.3.2"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.1", "C1.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-DATA-1"], Severity::Error),
    ],
    summary: "SSM parameters must be SecureStrings encrypted with a customer-managed key",
    explain: r##"## What it does

Reports a parameter under `parameters:` with `type: String`. The default, `SecureString`, is the
only accepted type.

## Why

Every parameter names a customer-managed key (`key: keys.NAME`), and only a `SecureString` is
encrypted with it; a `String` parameter is stored and returned in plain text, readable by anyone
with `ssm:GetParameter` and visible in the Terraform plan and state. Configuration of a payment
system routinely carries credentials and connection strings, which PCI DSS 8.3.2 requires to be
unreadable in storage (and 3.5.1 for any account data).

## Example

```yaml
parameters:
  "/payment/{suffix}/app/config":
    type: String
    key: keys.ssm
    value: {var: app_config}
```

## Fix

Remove `type: String` (SecureString is the default):

```yaml
parameters:
  "/payment/{suffix}/app/config":
    key: keys.ssm
    value: {var: app_config, sensitive: true}
```

## References

- PCI DSS v4.0.1 3.5.1 (stored account data unreadable), 8.3.2 (authentication factors unreadable in storage)
- AWS Systems Manager User Guide: "SecureString parameters", "How AWS Systems Manager Parameter Store uses AWS KMS"
"##,
};

impl Rule for SsmSecureString {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (path, p) in &cx.spec.parameters {
            if p.kind != ParamType::String {
                continue;
            }
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("parameter `{path}` is a plain-text String"))
                    .at(value_span(cx, &["parameters", path, "type"]))
                    .label("not encrypted")
                    .help(format!(
                        "parameters are encrypted with a customer-managed key ({}); use SecureString: remove `type: String` \
                         (SecureString is the default) or write `type: SecureString`",
                        p.key
                    ))
                    .scope(scope(&["parameters", path])),
            );
        }
    }
}
