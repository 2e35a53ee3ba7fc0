//! ZT0111 `sg-deny`: security groups cannot deny.

use super::util::{port_yaml, protocol_yaml, sg_rules, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, Protocol, RuleAction};

/// A security-group rule with `action: deny`.
pub struct SgDeny;

static META: RuleMeta = RuleMeta {
    code: "ZT0111",
    slug: "sg-deny",
    severity: Severity::Error,
    pci: &["1.2.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["1.2.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.6"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-NET-2"], Severity::Error),
    ],
    summary: "security groups cannot deny traffic; use a NACL rule",
    explain: r##"## What it does

Reports a security-group rule (ingress or egress) with `action: deny`. `action: allow` is the
default and is fine.

## Why

Security groups are allow-lists: each rule *allows* a flow, and anything not allowed is denied
implicitly. AWS has no deny rule for security groups, so a "deny" rule cannot be expressed and
silently dropping it (or turning it into an allow) would misrepresent the network's ruleset, which
PCI DSS 1.2.1 requires to be defined and implemented as documented. Explicit denies belong in
network ACLs, which have numbered allow and deny rules evaluated in order.

## Example

```yaml
network:
  security_groups:
    app:
      description: Payment application
      ingress:
        - {protocol: tcp, port: 22, from: 10.0.0.0/8, description: No SSH, action: deny}
```

## Fix

Remove the rule from the security group (traffic that is not allowed is already denied) and, if
an explicit deny is wanted, add it to a NACL on the tier:

```yaml
  nacls:
    private:
      tiers: [private]
      rules:
        - {number: 90, direction: ingress, action: deny, protocol: tcp, cidr: 10.0.0.0/8, port: 22}
```

## References

- PCI DSS v4.0.1 1.2.1 (configuration standards for NSC rulesets defined and implemented)
- Amazon VPC User Guide: "Security group rules" (rules are permissive only), "Control subnet traffic with network access control lists"
"##,
};

impl Rule for SgDeny {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for r in sg_rules(cx) {
            if r.rule.action != Some(RuleAction::Deny) {
                continue;
            }
            let peer = if r.dir == "ingress" {
                &r.rule.from
            } else {
                &r.rule.to
            };
            let peer = peer.as_deref().unwrap_or("vpc");
            let (cidr, note) = match peer.strip_prefix("security_groups.") {
                Some(sg) => ("CIDR", format!("\n\nNACLs match CIDRs, not security groups: use the CIDR of the tier that holds `{sg}`")),
                None => (peer, String::new()),
            };
            let port = match r.rule.protocol {
                Protocol::All => String::new(),
                _ => format!(", port: {}", port_yaml(&r.rule.port)),
            };
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("security group `{}` has a deny rule; security groups cannot deny", r.sg))
                    .at(value_span(cx, &r.path("action")))
                    .label("security groups only allow")
                    .help(format!(
                        "remove this rule (traffic a security group does not allow is already denied) and, for an explicit deny, \
                         add a NACL rule on the tier instead:\n\n  nacls:\n    NAME:\n      tiers: [TIER]\n      rules:\n        \
                         - {{number: 90, direction: {}, action: deny, protocol: {}, cidr: {cidr}{port}}}{note}",
                        r.dir,
                        protocol_yaml(r.rule.protocol),
                    ))
                    .scope(r.scope()),
            );
        }
    }
}
