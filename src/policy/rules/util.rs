//! Helpers shared by the rules: spec paths, spans and walks over nested elements.

use crate::policy::{ptr, Ctx};
use crate::source::Span;
use crate::spec::{PortOrVar, Protocol, SgRule, StrOrVar};

/// Span of the value at a spec path (`["buckets", name, "key"]`); when the value is absent (a
/// default applies), the key span of the nearest ancestor that is written.
pub(crate) fn value_span(cx: &Ctx<'_>, path: &[&str]) -> Span {
    cx.span(&ptr(path))
}

/// Span of the mapping key at a spec path (`["keys", name]` → the `name:` key).
pub(crate) fn key_span(cx: &Ctx<'_>, path: &[&str]) -> Span {
    cx.key_span(&ptr(path))
}

/// True when the value at a spec path is written in the spec.
pub(crate) fn present(cx: &Ctx<'_>, path: &[&str]) -> bool {
    cx.present(&ptr(path))
}

/// Dotted spec path used as a finding's scope: `["buckets", "audit-logs"]` → `buckets.audit-logs`.
pub(crate) fn scope(path: &[&str]) -> String {
    path.join(".")
}

/// `keys.NAME` → `NAME`.
pub(crate) fn key_ref(reference: &str) -> Option<&str> {
    reference.strip_prefix("keys.").filter(|n| !n.is_empty())
}

/// True when a peer is a CIDR with prefix length 0 (`0.0.0.0/0`, `::/0`): every address.
pub(crate) fn is_any_cidr(peer: &str) -> bool {
    peer.trim()
        .rsplit_once('/')
        .is_some_and(|(addr, len)| len == "0" && !addr.is_empty())
}

/// An IPv4 CIDR as an inclusive range of addresses (host bits ignored); `None` if malformed.
pub(crate) fn v4_range(s: &str) -> Option<(u64, u64)> {
    let (ip, len) = s.trim().split_once('/')?;
    let len: u32 = len.parse().ok().filter(|l| *l <= 32)?;
    let mut n: u64 = 0;
    let mut parts = 0;
    for p in ip.split('.') {
        n = (n << 8) | p.parse::<u8>().ok()? as u64;
        parts += 1;
    }
    if parts != 4 {
        return None;
    }
    let size = 1u64 << (32 - len);
    let start = n & !(size - 1);
    Some((start, start + size - 1))
}

/// One security-group rule and where it sits in the spec.
pub(crate) struct SgRuleAt<'a> {
    /// The security group's name.
    pub sg: &'a str,
    /// `ingress` or `egress`.
    pub dir: &'static str,
    /// Index in the direction's list.
    pub index: String,
    pub rule: &'a SgRule,
}

impl SgRuleAt<'_> {
    /// Spec path of a field of the rule.
    pub fn path<'s>(&'s self, field: &'s str) -> Vec<&'s str> {
        vec![
            "network",
            "security_groups",
            self.sg,
            self.dir,
            &self.index,
            field,
        ]
    }
    /// Scope of the security group.
    pub fn scope(&self) -> String {
        scope(&["network", "security_groups", self.sg])
    }
}

/// Every security-group rule of the spec, ingress before egress, in spec order.
pub(crate) fn sg_rules<'a>(cx: &Ctx<'a>) -> Vec<SgRuleAt<'a>> {
    let mut out = Vec::new();
    let Some(net) = &cx.spec.network else {
        return out;
    };
    for (sg, group) in &net.security_groups {
        for (dir, rules) in [("ingress", &group.ingress), ("egress", &group.egress)] {
            for (i, rule) in rules.iter().enumerate() {
                out.push(SgRuleAt {
                    sg,
                    dir,
                    index: i.to_string(),
                    rule,
                });
            }
        }
    }
    out
}

/// A port as written in YAML: `443`, `1024-65535`, `{var: app_port}`.
pub(crate) fn port_yaml(p: &PortOrVar) -> String {
    match p {
        PortOrVar::Port(n) => n.to_string(),
        PortOrVar::Range(r) => r.clone(),
        PortOrVar::Var(v) => format!("{{var: {}}}", v.var),
    }
}

/// A protocol as written in YAML.
pub(crate) fn protocol_yaml(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::All => "all",
    }
}

/// A string or variable as written in YAML (for messages).
pub(crate) fn str_or_var(v: &StrOrVar) -> String {
    match v {
        StrOrVar::Lit(s) => s.clone(),
        StrOrVar::Var(v) => format!("{{var: {}}}", v.var),
    }
}

/// `1 day`, `7 days`.
pub fn days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn any_cidr() {
        assert!(is_any_cidr("0.0.0.0/0"));
        assert!(is_any_cidr("::/0"));
        assert!(is_any_cidr(" 10.0.0.0/0"));
        assert!(!is_any_cidr("10.0.0.0/16"));
        assert!(!is_any_cidr("vpc"));
        assert!(!is_any_cidr("/0"));
    }
    #[test]
    fn refs() {
        assert_eq!(key_ref("keys.s3"), Some("s3"));
        assert_eq!(key_ref("keys."), None);
        assert_eq!(key_ref("buckets.x"), None);
    }
}
