//! ZT0131 `lambda-outside-vpc`: functions that run outside the VPC under the PCI profile.

use super::util::{key_span, scope};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{FunctionVpc, Profile};

/// Functions outside the VPC (Security Hub Lambda.3, Config `LAMBDA_INSIDE_VPC`).
pub struct LambdaOutsideVpc;

static META: RuleMeta = RuleMeta {
    code: "ZT0131",
    slug: "lambda-outside-vpc",
    severity: Severity::Warning,
    pci: &["1.3.1", "1.3.2"],
    packs: &[PackRef::mandatory(
        Profile::PciDssV4,
        &["1.3.1", "1.3.2"],
        Severity::Warning,
    )],
    summary:
        "under pci-dss-v4, functions should run inside the VPC; `vpc: {none: reason}` is reported",
    explain: r##"## What it does

Under the `pci-dss-v4` profile, reports every function declared with `vpc: {none: <reason>}`
(a **warning** that quotes the reason). Functions with `vpc: {tiers: [...], security_group: NAME}`
pass.

## Why

A function outside the VPC reaches AWS APIs and the internet over Lambda's own network: its
traffic is not subject to the security groups, NACLs, firewall and flow logs of the cardholder
data environment (PCI DSS 1.3.1, 1.3.2 restrict inbound and outbound CDE traffic to what is
necessary). AWS Config `LAMBDA_INSIDE_VPC` and Security Hub control Lambda.3 flag it, and checkov
reports CKV_AWS_117.

Some functions have a good reason, for example a read-only compliance scanner that touches no
VPC-internal resource. Then keep `vpc: {none: ...}` and waive this finding for that function with
the same reason, so the decision is recorded in the generated code.

Functions inside a VPC have a cost too: destroy waits while Lambda releases the function's
Hyperplane ENIs (often 20-40 minutes), and every AWS API the code calls needs a VPC endpoint
(rule `lambda-endpoints`).

## Example

```yaml
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    vpc: {none: "reads account configuration only"}
    key: keys.app
```

## Fix

```yaml
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    vpc: {tiers: [private], security_group: lambda}
    key: keys.app
```

or accept it:

```yaml
compliance:
  waivers:
    - {rule: lambda-outside-vpc, scope: functions.checker, reason: "reads account configuration only"}
```

## References

- PCI DSS v4.0.1 1.3.1, 1.3.2 (inbound and outbound traffic of the CDE restricted)
- AWS Security Hub control Lambda.3; AWS Config rule `LAMBDA_INSIDE_VPC`
"##,
};

impl Rule for LambdaOutsideVpc {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.has_profile(Profile::PciDssV4) {
            return;
        }
        for (name, f) in &cx.spec.functions {
            let FunctionVpc::None(none) = &f.vpc else {
                continue;
            };
            let sc = scope(&["functions", name]);
            let reason = none.none.trim();
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Warning,
                    format!("function `{name}` runs outside the VPC"),
                )
                .at(key_span(cx, &["functions", name, "vpc"]))
                .label(if reason.is_empty() {
                    "no reason given".to_string()
                } else {
                    format!("reason: {reason}")
                })
                .help(format!(
                    "run it in the VPC with `vpc: {{tiers: [...], security_group: NAME}}`, or record the decision: \
                     `{{rule: lambda-outside-vpc, scope: {sc}, reason: ...}}` under `compliance.waivers`"
                ))
                .scope(sc),
            );
        }
    }
}
