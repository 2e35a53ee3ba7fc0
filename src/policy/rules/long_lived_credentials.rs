//! ZT0142 `long-lived-credentials`: policies must not let a workload mint long-lived IAM
//! credentials (users, access keys, passwords, service-specific credentials).

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Effect, Profile};

/// Allow statements granting actions that create or re-activate long-lived credentials.
pub struct LongLivedCredentials;

static META: RuleMeta = RuleMeta {
    code: "ZT0142",
    slug: "long-lived-credentials",
    severity: Severity::Error,
    pci: &["8.6.3"],
    packs: &[
        PackRef::advisory(Profile::PciDssV4, &["8.6.3"], Severity::Warning),
        PackRef::advisory(Profile::Soc2, &["CC6.1", "CC6.2"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-IAM-2"], Severity::Error),
    ],
    summary: "policies must not allow creating IAM users, access keys, passwords or other long-lived credentials",
    explain: r##"## What it does

Reports every action of an `allow` statement in `iam.policies` that creates or re-activates a
long-lived credential: `iam:CreateUser`, `iam:CreateAccessKey`, `iam:UpdateAccessKey`,
`iam:CreateLoginProfile`, `iam:UpdateLoginProfile`, `iam:CreateServiceSpecificCredential`,
`iam:ResetServiceSpecificCredential`, `iam:UploadSSHPublicKey`, `iam:UploadSigningCertificate`
(case-insensitive). Wildcards such as `iam:*` are reported by `iam-wildcard` (ZT0105).

Severity depends on the profiles: an **error** under `zero-trust` (mandatory), a **warning** when
only `pci-dss-v4` or `soc2` select it (advisory).

## Why

The spec declares roles only, whose credentials expire (at most an hour under `pci-dss-v4` and
`zero-trust`). A role that may create an IAM user with an access key or a password turns that into
a credential that never expires, is not bound to a session, and outlives the stack that made it.
The zero-trust baseline (ZTB-IAM-2, NIST SP 800-207 tenets 3 and 6) requires short-lived,
re-evaluated sessions; PCI DSS 8.6.3 protects the credentials of system accounts against misuse;
SOC 2 CC6.1/CC6.2 expect credentials issued through a controlled registration process.

## Example

```yaml
iam:
  policies:
    provisioner:
      statements:
        - {actions: ["iam:CreateUser", "iam:CreateAccessKey"], resources: ["arn:aws:iam::*:user/ci-*"]}
```

## Fix

Give the caller a role to assume instead (with `external_id` or `mfa`, and a 1-hour session), or
IAM Identity Center for people; remove the credential actions:

```yaml
iam:
  roles:
    ci:
      trust: {account: {var: ci_account_id}}
      external_id: {var: ci_external_id, sensitive: true}
      max_session: 1h
```

## References

- ztc zero-trust baseline ZTB-IAM-2; NIST SP 800-207 section 2.1 tenets 3 and 6
- PCI DSS v4.0.1 8.6.3 (system and application account credentials protected against misuse)
- SOC 2 TSC CC6.1, CC6.2
- AWS IAM User Guide: "Security best practices in IAM" (use temporary credentials)
"##,
};

/// Actions that create or re-activate a credential that does not expire.
const CREDENTIAL_ACTIONS: &[&str] = &[
    "iam:CreateUser",
    "iam:CreateAccessKey",
    "iam:UpdateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "iam:CreateServiceSpecificCredential",
    "iam:ResetServiceSpecificCredential",
    "iam:UploadSSHPublicKey",
    "iam:UploadSigningCertificate",
];

impl Rule for LongLivedCredentials {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (pname, policy) in &cx.spec.iam.policies {
            for (si, st) in policy.statements.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let si = si.to_string();
                for (ai, action) in st.actions.iter().enumerate() {
                    let Some(known) = CREDENTIAL_ACTIONS
                        .iter()
                        .find(|a| a.eq_ignore_ascii_case(action.trim()))
                    else {
                        continue;
                    };
                    let ai = ai.to_string();
                    out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            format!("policy `{pname}` allows `{known}`, which creates a credential that never expires"),
                        )
                        .at(value_span(cx, &["iam", "policies", pname, "statements", &si, "actions", &ai]))
                        .label("mints a long-lived credential")
                        .help(
                            "remove the action; let the caller assume a role (`iam.roles` with `external_id` or `mfa` and \
                             `max_session: 1h`) or use IAM Identity Center for people",
                        )
                        .scope(scope(&["iam", "policies", pname])),
                    );
                }
            }
        }
    }
}
