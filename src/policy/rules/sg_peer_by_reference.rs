//! ZT0141 `sg-peer-by-reference`: under the zero-trust baseline, flows inside the VPC name their
//! peer by security group, not by an address range.

use super::util::{sg_rules, v4_range, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{EndpointType, Profile};

/// Security-group rules whose peer is `vpc` or a range that includes the VPC's own addresses.
pub struct SgPeerByReference;

static META: RuleMeta = RuleMeta {
    code: "ZT0141",
    slug: "sg-peer-by-reference",
    severity: Severity::Error,
    pci: &[],
    packs: &[PackRef::mandatory(
        Profile::ZeroTrust,
        &["ZTB-NET-2"],
        Severity::Error,
    )],
    summary: "zero-trust: a flow between tiers names its peer by security group (`security_groups.NAME`), not `vpc` or a CIDR",
    explain: r##"## What it does

Under the `zero-trust` profile, reports every security-group rule whose peer (`from` for ingress,
`to` for egress) is `vpc`, or a CIDR (literal or a variable's default) that contains addresses of
the VPC, at the peer. Peers that are security groups pass, and so do ranges wholly outside the VPC
(a partner network, the internet; other rules judge those).

Exempt: the ingress of a security group attached to interface endpoints. An endpoint serves every
workload of the VPC by design, AWS documents the VPC CIDR as its peer, and who may call the service
is decided by IAM (and the endpoint policy), not by the source address.

## Why

The zero-trust baseline (ZTB-NET-2, from NIST SP 800-207 tenets 3 and 6) grants access to a
resource per identity, never because of where a packet comes from. A rule `from: vpc` trusts every
address of the VPC: any instance, function or ENI in any tier, today's and tomorrow's, reaches the
port. A rule `from: security_groups.app` admits exactly the network interfaces that carry the `app`
group, wherever their addresses are, and follows them when the subnets change.

## Example

```yaml
compliance: {profiles: [zero-trust]}
network:
  security_groups:
    db:
      description: Database
      ingress:
        - {protocol: tcp, port: 5432, from: vpc, description: PostgreSQL}
```

## Fix

Name the security group of the callers (and give them an egress rule to this group):

```yaml
    db:
      description: Database
      ingress:
        - {protocol: tcp, port: 5432, from: security_groups.app, description: PostgreSQL from the application}
    app:
      description: Application
      egress:
        - {protocol: tcp, port: 5432, to: security_groups.db, description: PostgreSQL}
```

## References

- ztc zero-trust baseline ZTB-NET-2; NIST SP 800-207 section 2.1 tenets 3 and 6
- Amazon VPC User Guide: "Security group referencing"
"##,
};

impl Rule for SgPeerByReference {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(net) = &cx.spec.network else { return };
        let Some(vpc) = v4_range(&net.cidr) else {
            return;
        };
        let endpoint_groups: Vec<&str> = net
            .endpoints
            .values()
            .filter(|e| e.kind == EndpointType::Interface)
            .filter_map(|e| e.security_group.as_deref())
            .collect();
        for r in sg_rules(cx) {
            let ingress = r.dir == "ingress";
            if ingress && endpoint_groups.contains(&r.sg) {
                continue;
            }
            let Some(peer) = (if ingress { &r.rule.from } else { &r.rule.to }).as_deref() else {
                continue;
            };
            let peer = peer.trim();
            let range = if peer == "vpc" {
                Some(("the whole VPC".to_string(), vpc))
            } else if let Some(c) = v4_range(peer) {
                Some((format!("`{peer}`"), c))
            } else if let Some(v) = peer.strip_prefix("var.") {
                cx.spec
                    .variables
                    .get(v)
                    .and_then(|d| d.default.as_ref()?.as_str().map(str::to_string))
                    .and_then(|d| v4_range(&d).map(|c| (format!("`{peer}` (default `{d}`)"), c)))
            } else {
                None
            };
            let Some((what, (lo, hi))) = range else {
                continue;
            };
            if hi < vpc.0 || lo > vpc.1 {
                continue; // wholly outside the VPC
            }
            let (field, verb) = if ingress {
                ("from", "admits")
            } else {
                ("to", "sends to")
            };
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!(
                        "security group `{}` {verb} {what} by address; under zero-trust a flow inside the VPC names its peer's security group",
                        r.sg
                    ),
                )
                .at(value_span(cx, &r.path(field)))
                .label(format!("{what} includes every tier of `{}`", net.name))
                .help(format!(
                    "replace `{field}: {peer}` with `{field}: security_groups.NAME` for the group of the workloads this rule is for, \
                     and give that group the matching {} rule",
                    if ingress { "egress" } else { "ingress" }
                ))
                .scope(r.scope()),
            );
        }
    }
}
