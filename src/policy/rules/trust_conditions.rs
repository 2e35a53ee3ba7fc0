//! ZT0115 `trust-conditions`: who a role trusts, and with which conditions.

use super::util::{scope, str_or_var, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Role trust: exactly one principal; external IDs for accounts, never for services.
pub struct TrustConditions;

static META: RuleMeta = RuleMeta {
    code: "ZT0115",
    slug: "trust-conditions",
    severity: Severity::Warning,
    pci: &["8.2.2", "8.3.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["8.2.2", "8.3.1"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC6.1", "CC6.2"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-IAM-2"], Severity::Warning),
    ],
    summary: "roles trust exactly one principal; account trusts need an external ID, service trusts cannot use one",
    explain: r##"## What it does

For every role in `iam.roles`:

- **error** when `trust` names both `account` and `service`, or neither: exactly one is required;
- **error** when a role trusting a `service` has `external_id`: service principals cannot pass an
  external ID, so the role could never be assumed;
- **warning** when a role trusting an `account` has no `external_id` (the confused-deputy problem).

## Why

`sts:ExternalId` (like MFA and source-IP conditions) only applies to AWS account principals. A
service principal (`lambda.amazonaws.com`) assumes the role without it, so a trust policy requiring
it breaks the service.

A role trusting another account without an external ID can be used by anyone in that account who
can call `sts:AssumeRole`, including a third-party service acting for a different customer. The
external ID binds the trust to the intended caller. PCI DSS 8.2.2 restricts shared and generic
credentials, and 8.3.1 requires every access to be authenticated.

## Example

```yaml
iam:
  roles:
    partner:
      trust: {account: "123456789012"}
    fn:
      trust: {service: lambda.amazonaws.com}
      external_id: {var: fn_external_id}
```

## Fix

```yaml
iam:
  roles:
    partner:
      trust: {account: "123456789012"}
      external_id: {var: partner_external_id, sensitive: true}
    fn:
      trust: {service: lambda.amazonaws.com}
```

## References

- PCI DSS v4.0.1 8.2.2 (shared and generic accounts), 8.3.1 (all access authenticated)
- IAM User Guide: "The confused deputy problem", "Access to AWS accounts owned by third parties" (external ID)
- IAM User Guide: "AWS STS condition keys" (`sts:ExternalId`)
"##,
};

impl Rule for TrustConditions {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, role) in &cx.spec.iam.roles {
            let element = scope(&["iam", "roles", name]);
            let trust = &role.trust;
            match (&trust.account, &trust.service) {
                (Some(_), Some(_)) | (None, None) => {
                    let both = trust.account.is_some();
                    out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            format!(
                                "role `{name}` must trust exactly one of `account` or `service` (it names {})",
                                if both { "both" } else { "neither" }
                            ),
                        )
                        .at(value_span(cx, &["iam", "roles", name, "trust"]))
                        .label(if both { "both `account` and `service`" } else { "no principal" })
                        .help(
                            "keep one principal per role, e.g. `trust: {service: lambda.amazonaws.com}` or \
                             `trust: {account: {var: trusted_account_id}}` with an `external_id`; declare a second role for the other",
                        )
                        .scope(element.clone()),
                    );
                }
                (None, Some(service)) => {
                    if role.external_id.is_some() {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Error,
                                format!("role `{name}` trusts the service `{service}`, which cannot pass an external ID"),
                            )
                            .at(value_span(cx, &["iam", "roles", name, "external_id"]))
                            .label("service principals never send `sts:ExternalId`")
                            .help(format!(
                                "remove `external_id` from `iam.roles.{name}`; the service could never assume the role with it"
                            ))
                            .scope(element.clone()),
                        );
                    }
                }
                (Some(account), None) => {
                    if role.external_id.is_none() {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Warning,
                                format!("role `{name}` trusts account `{}` without an external ID", str_or_var(account)),
                            )
                            .at(value_span(cx, &["iam", "roles", name, "trust", "account"]))
                            .label("any principal of this account may assume the role")
                            .help(format!(
                                "require an external ID (confused-deputy protection): add \
                                 `external_id: {{var: {}_external_id, sensitive: true}}` to `iam.roles.{name}`",
                                name.replace('-', "_").to_lowercase()
                            ))
                            .scope(element.clone()),
                        );
                    }
                }
            }
        }
    }
}
