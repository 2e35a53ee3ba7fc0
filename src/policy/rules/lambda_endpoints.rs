//! ZT0132 `lambda-endpoints`: an in-VPC function needs a VPC endpoint for every AWS API it calls.

use super::function_facts::{declared_endpoints, in_vpc, needed_endpoints};
use super::util::{key_span, scope};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// In-VPC functions whose AWS API calls have no endpoint (REQUIREMENTS C15).
pub struct LambdaEndpoints;

static META: RuleMeta = RuleMeta {
    code: "ZT0132",
    slug: "lambda-endpoints",
    severity: Severity::Warning,
    pci: &["1.3.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["1.3.2"], Severity::Warning),
        PackRef::advisory(Profile::Soc2, &["CC6.6"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-NET-3"], Severity::Warning),
    ],
    summary: "an in-VPC function needs a `network.endpoints` entry for every AWS API it calls",
    explain: r##"## What it does

For each function with `vpc: {tiers: ..., security_group: ...}`, derives the AWS services the
function calls and reports (**warning**) the ones without an entry in `network.endpoints`:

- what the source calls by itself: the `compliance-checker` calls EC2, S3 and CloudWatch Logs;
  the `secrets-rotation` function calls Secrets Manager;
- `secretsmanager` for a function that rotates a secret (`secrets.*.rotation.function`);
- `s3` when an environment value names a bucket (`buckets.NAME`), `sns` when it names a topic,
  `secretsmanager` when it names a secret.

The function's own logs and X-Ray traces are delivered by Lambda outside the VPC, so they need no
`logs` or `xray` endpoint. An `s3` endpoint of either type (gateway or interface) satisfies `s3`.

## Why

A VPC without an internet path (`network.internet: none`) reaches AWS APIs only through VPC
endpoints. Without one, the SDK call times out at run time: the rotation never completes, the
report is never written. Nothing fails at deploy time, so the gap goes unnoticed until the
function runs.

## Example

```yaml
network:
  endpoints:
    s3: {type: gateway, tiers: [private]}
functions:
  rotate:
    runtime: nodejs22.x
    source: secrets-rotation
    vpc: {tiers: [private], security_group: lambda}
    key: keys.app
```

## Fix

```yaml
network:
  endpoints:
    s3: {type: gateway, tiers: [private]}
    secretsmanager: {type: interface, tiers: [endpoints], security_group: endpoints}
```

## References

- PCI DSS v4.0.1 1.3.2 (outbound traffic from the CDE restricted to what is necessary)
- AWS Lambda Developer Guide: "Giving Lambda functions access to resources in an Amazon VPC"
  (interface VPC endpoints for AWS services from VPC functions)
- AWS Secrets Manager User Guide: "Network access for rotation functions"
"##,
};

impl Rule for LambdaEndpoints {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let declared = declared_endpoints(cx.spec);
        for (name, f) in &cx.spec.functions {
            if !in_vpc(f) {
                continue;
            }
            let missing: Vec<(&str, String)> = needed_endpoints(cx.spec, name, f)
                .into_iter()
                .filter(|(svc, _)| !declared.contains(svc))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let list = missing
                .iter()
                .map(|(s, _)| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let why = missing
                .iter()
                .map(|(s, w)| format!("{s}: {w}"))
                .collect::<Vec<_>>()
                .join("; ");
            let example = missing
                .iter()
                .map(|(s, _)| {
                    if *s == "s3" {
                        "s3: {type: gateway, tiers: [...]}".to_string()
                    } else {
                        format!("{s}: {{type: interface, tiers: [...], security_group: ...}}")
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("function `{name}` runs in the VPC without endpoints for {list}"),
                )
                .at(key_span(cx, &["functions", name, "vpc"]))
                .label(format!("missing network.endpoints: {list}"))
                .help(format!("{why}. Add under `network.endpoints`: {example}"))
                .scope(scope(&["functions", name])),
            );
        }
    }
}
