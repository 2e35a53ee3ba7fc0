//! ZT0114 `flow-logs`: a VPC without flow logs under PCI DSS or the zero-trust baseline.

use super::util::value_span;
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// `network` without `flow_logs` under `pci-dss-v4` or `zero-trust`.
pub struct FlowLogs;

static META: RuleMeta = RuleMeta {
    code: "ZT0114",
    slug: "flow-logs",
    severity: Severity::Warning,
    pci: &["10.2.1", "10.2.1.1"],
    packs: &[
        PackRef::mandatory(
            Profile::PciDssV4,
            &["10.2.1", "10.2.1.1"],
            Severity::Warning,
        ),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-MON-1"], Severity::Warning),
    ],
    summary: "the VPC has no flow logs under the pci-dss-v4 or zero-trust profile",
    explain: r##"## What it does

Under the `pci-dss-v4` or `zero-trust` profile, reports a `network:` whose `flow_logs` list is
empty or absent.

## Why

PCI DSS 10.2.1 requires audit logs that capture activity on the system components of the
cardholder data environment, and 10.2.1.1 access to cardholder data. VPC flow logs are the record
of network connections into and inside the CDE: without them a connection to a payment workload
leaves no trace. Security Hub control EC2.6 and AWS Config `vpc-flow-logs-enabled` flag the VPC too.
The zero-trust baseline (ZTB-MON-1, NIST SP 800-207 tenet 7) asks for the same record of every
flow.

## Example

```yaml
network:
  name: payment-vpc
  cidr: 10.0.0.0/16
  tiers:
    private: {prefix: 24}
```

## Fix

```yaml
network:
  ...
  flow_logs:
    - {destination: logs.vpc-flow, traffic: ALL}
logs:
  groups:
    vpc-flow: {retention: 1y}
```

## References

- PCI DSS v4.0.1 10.2.1 (audit logs enabled and active), 10.2.1.1 (individual access to cardholder data)
- Amazon VPC User Guide: "Logging IP traffic using VPC Flow Logs"
- AWS Security Hub control EC2.6; AWS Config managed rule `vpc-flow-logs-enabled`
"##,
};

impl Rule for FlowLogs {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(net) = &cx.spec.network else { return };
        if !net.flow_logs.is_empty()
            || !(cx.has_profile(Profile::PciDssV4) || cx.has_profile(Profile::ZeroTrust))
        {
            return;
        }
        out.push(
            Diagnostic::new(META.code, Severity::Warning, format!("VPC `{}` has no flow logs", net.name))
                .at(value_span(cx, &["network", "flow_logs"]))
                .label("no flow logs")
                .help(
                    "add `flow_logs: [{destination: logs.vpc-flow, traffic: ALL}]` under `network` and a log group \
                     `logs.groups.vpc-flow` (or a bucket: `destination: buckets.NAME`)",
                )
                .scope("network"),
        );
    }
}
