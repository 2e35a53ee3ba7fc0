//! ZT0104 `open-ingress`: no inbound traffic from every address.

use super::util::{is_any_cidr, scope, sg_rules, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Direction, Profile, RuleAction};

/// Security-group ingress or NACL allow-ingress from a `/0` CIDR.
pub struct OpenIngress;

static META: RuleMeta = RuleMeta {
    code: "ZT0104",
    slug: "open-ingress",
    severity: Severity::Error,
    pci: &["1.3.1", "1.4.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["1.3.1", "1.4.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.6"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-NET-1"], Severity::Error),
    ],
    summary: "inbound rules must not allow traffic from every address (`0.0.0.0/0`, `::/0`)",
    explain: r##"## What it does

Reports, at the CIDR:

- a security-group `ingress` rule whose `from` is a CIDR with prefix length 0 (`0.0.0.0/0`,
  `::/0`, or any `x/0`);
- a NACL rule with `direction: ingress` and `action: allow` whose `cidr` has prefix length 0.

NACL **deny** rules from `0.0.0.0/0` are fine: they are how a NACL closes everything else.

## Why

PCI DSS 1.3.1 restricts inbound traffic to the cardholder data environment to what is necessary,
and 1.4.1 requires network security controls between trusted and untrusted networks. A `/0`
source admits the whole internet (and every other network routed to the VPC), which contradicts a
private-only, zero-trust network: every inbound flow should name its peer.

## Example

```yaml
network:
  security_groups:
    web:
      description: Web tier
      ingress:
        - {protocol: tcp, port: 443, from: 0.0.0.0/0, description: HTTPS}
```

## Fix

Name the peer: the VPC, a narrower CIDR, or another security group.

```yaml
        - {protocol: tcp, port: 443, from: vpc, description: HTTPS from inside the VPC}
        - {protocol: tcp, port: 443, from: security_groups.alb, description: HTTPS from the load balancer}
```

## References

- PCI DSS v4.0.1 1.3.1 (inbound traffic to the CDE restricted), 1.4.1 (NSCs between trusted and untrusted networks)
- Amazon VPC User Guide: "Security group rules", "Network ACL rules"
- AWS Security Hub controls EC2.18 (unrestricted incoming traffic) and EC2.21 (NACL ingress from 0.0.0.0/0)
"##,
};

impl Rule for OpenIngress {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for r in sg_rules(cx) {
            if r.dir != "ingress" {
                continue;
            }
            let Some(from) = r.rule.from.as_deref() else {
                continue;
            };
            if !is_any_cidr(from) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!("security group `{}` allows inbound traffic from every address (`{from}`)", r.sg),
                )
                .at(value_span(cx, &r.path("from")))
                .label("open to every address")
                .help(
                    "allow only the peers that need this port: `from: vpc`, a narrower CIDR (`from: 10.0.0.0/16`), or \
                     another security group (`from: security_groups.NAME`)",
                )
                .scope(r.scope()),
            );
        }
        let Some(net) = &cx.spec.network else { return };
        for (name, nacl) in &net.nacls {
            for (i, rule) in nacl.rules.iter().enumerate() {
                if rule.direction != Direction::Ingress
                    || rule.action != RuleAction::Allow
                    || !is_any_cidr(&rule.cidr)
                {
                    continue;
                }
                let idx = i.to_string();
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("NACL `{name}` rule {} allows inbound traffic from every address (`{}`)", rule.number, rule.cidr),
                    )
                    .at(value_span(cx, &["network", "nacls", name, "rules", &idx, "cidr"]))
                    .label("allow rule open to every address")
                    .help(format!(
                        "narrow the source: `cidr: vpc` or the smallest CIDR that needs access; a `/0` CIDR belongs only in \
                         deny rules, e.g. `{{number: {}, direction: ingress, action: deny, protocol: all, cidr: {}}}`",
                        rule.number, rule.cidr
                    ))
                    .scope(scope(&["network", "nacls", name])),
                );
            }
        }
    }
}
