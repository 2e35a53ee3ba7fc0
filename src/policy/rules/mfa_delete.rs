//! ZT0112 `mfa-delete`: what `mfa_delete` really does, and when it breaks destroy.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{MfaDelete, Profile};

/// `mfa_delete: native` (root-only, blocks destroy) and `mfa_delete: policy` (not S3 MFA Delete).
pub struct MfaDeleteRule;

static META: RuleMeta = RuleMeta {
    code: "ZT0112",
    slug: "mfa-delete",
    severity: Severity::Warning,
    pci: &["10.3.2", "10.3.3"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["10.3.2", "10.3.3"], Severity::Warning),
        PackRef::advisory(Profile::Soc2, &["CC7.2"], Severity::Warning),
        PackRef::advisory(Profile::ZeroTrust, &["ZTB-MON-1"], Severity::Warning),
    ],
    summary:
        "S3 MFA Delete needs the root user and blocks destroy; the policy form is not MFA Delete",
    explain: r##"## What it does

For every bucket with `mfa_delete`:

- `native` in an ephemeral stack: **error**;
- `native` in a persistent stack: **warning** (applying it needs the root user's credentials and a
  current MFA code);
- `policy`: **warning** that this is a bucket-policy control, not S3 MFA Delete.

## Why

S3 MFA Delete can only be enabled by the **root user**, with the `x-amz-mfa` header carrying a
current MFA code, so CI cannot apply it. Once it is on, permanently deleting object versions needs
the same header, which the provider's `force_destroy` does not send: `destroy` fails.

`mfa_delete: policy` instead adds a bucket-policy deny of `s3:DeleteObject`,
`s3:DeleteObjectVersion`, `s3:PutBucketVersioning` and `s3:PutLifecycleConfiguration` when
`aws:MultiFactorAuthPresent` is false (the deployer role is exempt). It protects audit logs against
deletion (PCI DSS 10.3.2, 10.3.3), but AWS Config's `S3_BUCKET_MFA_DELETE_ENABLED` and scanners that
look at the versioning configuration will still report the bucket NON_COMPLIANT. Say so in the
assessment, or enable native MFA Delete as a manual root-user step in a persistent stack.

## Example

```yaml
compliance: {lifecycle: ephemeral}
buckets:
  audit-logs:
    key: keys.s3
    mfa_delete: native
```

## Fix

In an ephemeral stack use the policy form (and accept the warning, or waive it with the reason):

```yaml
    mfa_delete: policy
```

For native MFA Delete, use `compliance: {lifecycle: persistent}` and plan the root-user step
(`aws s3api put-bucket-versioning --mfa "SERIAL CODE" ...`) in `docs.manual_steps`.

## References

- PCI DSS v4.0.1 10.3.2 (audit log files protected from modification), 10.3.3 (backed up to media difficult to modify)
- Amazon S3 User Guide: "Configuring MFA delete", "Deleting an object from an MFA delete-enabled bucket"
- AWS Config managed rule `s3-bucket-mfa-delete-enabled` (`S3_BUCKET_MFA_DELETE_ENABLED`)
"##,
};

impl Rule for MfaDeleteRule {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, b) in &cx.spec.buckets {
            let at = value_span(cx, &["buckets", name, "mfa_delete"]);
            let element = scope(&["buckets", name]);
            let d = match b.mfa_delete {
                MfaDelete::None => continue,
                MfaDelete::Native if cx.ephemeral() => Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!("native S3 MFA Delete on `{element}` makes the ephemeral stack undeletable"),
                )
                .label("destroy cannot delete object versions without the root user's MFA code")
                .help(
                    "use `mfa_delete: policy` (a bucket-policy deny of deletes without MFA), or keep `native` only with \
                     `compliance: {lifecycle: persistent}`",
                ),
                MfaDelete::Native => Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("native S3 MFA Delete on `{element}` needs the root user's credentials and MFA code at apply"),
                )
                .label("root user + MFA token required")
                .help(
                    "plan a manual root-user step (`aws s3api put-bucket-versioning --mfa \"SERIAL CODE\" \
                     --versioning-configuration Status=Enabled,MFADelete=Enabled`) and record it in `docs.manual_steps`; \
                     or use `mfa_delete: policy`",
                ),
                MfaDelete::Policy => Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("`mfa_delete: policy` on `{element}` is not S3 MFA Delete"),
                )
                .label("bucket-policy deny, not S3 MFA Delete")
                .help(
                    "this is not S3 MFA Delete: the bucket policy denies deletes and versioning changes without MFA; \
                     AWS Config S3_BUCKET_MFA_DELETE_ENABLED will report NON_COMPLIANT; enabling native MFA Delete needs \
                     the root user. Record this in the assessment (waive it with that reason), or use `mfa_delete: native` \
                     in a persistent stack",
                ),
            };
            out.push(d.at(at).scope(element));
        }
    }
}
