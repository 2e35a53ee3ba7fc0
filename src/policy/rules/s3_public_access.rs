//! ZT0109 `s3-public-access`: buckets block every form of public access.

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// A bucket with `block_public_access: false`.
pub struct S3PublicAccess;

static META: RuleMeta = RuleMeta {
    code: "ZT0109",
    slug: "s3-public-access",
    severity: Severity::Error,
    pci: &["1.4.1", "1.3.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["1.4.1", "1.3.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.6", "C1.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-NET-1"], Severity::Error),
    ],
    summary: "S3 buckets must block all public access",
    explain: r##"## What it does

Reports a bucket with `block_public_access: false`. By default ztc emits an
`aws_s3_bucket_public_access_block` with all four settings true (`block_public_acls`,
`block_public_policy`, `ignore_public_acls`, `restrict_public_buckets`).

## Why

A bucket without Block Public Access can be opened to the internet by one ACL or policy change.
Buckets of a cardholder-data environment hold audit logs and application data that must never be
reachable from untrusted networks (PCI DSS 1.3.1, 1.4.1).

## Example

```yaml
buckets:
  reports:
    key: keys.s3
    block_public_access: false
```

## Fix

Remove the line (the default blocks public access). Share data with named principals in a bucket
policy, through a VPC endpoint, or with presigned URLs instead.

```yaml
buckets:
  reports:
    key: keys.s3
```

## References

- PCI DSS v4.0.1 1.3.1 (inbound traffic to the CDE restricted), 1.4.1 (NSCs between trusted and untrusted networks)
- Amazon S3 User Guide: "Blocking public access to your Amazon S3 storage"
- AWS Security Hub control S3.8 (S3 general purpose buckets should block public access)
"##,
};

impl Rule for S3PublicAccess {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, b) in &cx.spec.buckets {
            if b.block_public_access {
                continue;
            }
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("bucket `{name}` does not block public access"))
                    .at(value_span(cx, &["buckets", name, "block_public_access"]))
                    .label("public access allowed")
                    .help(
                        "remove `block_public_access: false` (the default blocks every form of public access); grant access \
                         to named principals in the bucket policy or through a VPC endpoint instead",
                    )
                    .scope(scope(&["buckets", name])),
            );
        }
    }
}
