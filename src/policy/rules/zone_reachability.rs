//! ZT0140 `zone-reachability`: no path from the internet into a private tier.
//!
//! The spec is read as a graph. Its nodes are *placements*: an element in a tier behind a
//! security group (an interface endpoint, a function, or a security group the spec attaches to
//! nothing, which anything launched in any tier may use). The internet reaches a placement when
//! the placement's tier routes 0.0.0.0/0 to the internet gateway, the tier's NACL lets some
//! internet address in on some port, and the security group admits an internet address on a port
//! the NACL also lets through. A placement that can open connections (anything but an interface
//! endpoint) reaches another placement when its security group's egress, its tier's NACL egress,
//! the firewall (when both tiers are inspected), the other tier's NACL ingress and the other
//! security group's ingress all allow one protocol and port. A breadth-first search from the
//! internet gives the shortest path to every reachable private tier; each one is reported with
//! every hop labelled at the spec line that allows it.
//!
//! The reasoning over-approximates: a NACL deny rule closes ports only for the addresses it
//! covers completely, and a variable without a default may be any address or port. So when no
//! path is reported, none exists in what the spec declares.

use std::collections::{BTreeMap, VecDeque};

use super::util::{key_span, scope, v4_range, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::source::Span;
use crate::spec::{
    Direction, EndpointType, FunctionVpc, Internet, Nacl, Network, PortOrVar, Profile, Protocol,
    RuleAction, SecurityGroup, TierRole,
};

/// Internet → private tier paths through routes, NACLs and security groups.
pub struct ZoneReachability;

static META: RuleMeta = RuleMeta {
    code: "ZT0140",
    slug: "zone-reachability",
    severity: Severity::Error,
    pci: &["1.3.1", "1.4.1", "1.4.2", "1.2.6"],
    packs: &[
        PackRef::mandatory(
            Profile::PciDssV4,
            &["1.3.1", "1.4.1", "1.4.2", "1.2.6"],
            Severity::Error,
        ),
        PackRef::mandatory(Profile::Soc2, &["CC6.6"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-NET-1"], Severity::Error),
    ],
    summary: "no network path may lead from the internet (0.0.0.0/0, ::/0) into a private tier",
    explain: r##"## What it does

Proves, from the spec alone, that no packet from the internet can reach a private tier (role
`workload`, `endpoints` or `firewall`), a function or a database, and reports every path it
finds hop by hop, each hop labelled at the spec line that allows it:

1. **Route**: the internet enters only through a tier whose route table sends 0.0.0.0/0 to the
   internet gateway: a `role: public` tier with `network.internet: nat`. NAT egress
   (`egress: nat`) is outbound only and admits nothing.
2. **NACL ingress** of that tier: some rule lets an internet address in (rules in number order; a
   tier without a NACL uses the VPC's default network ACL, which allows everything). The return
   rules derived by `ephemeral_returns` count too.
3. **Security group** of an element in that tier admits an internet address (any CIDR outside the
   VPC and the private ranges, `::/0`, or a variable without a default) on a port the NACL also
   lets through.
4. **Pivot**: from there, an element that can open connections reaches the next one when its
   security group's egress, its tier's NACL egress, the Network Firewall (when both tiers are
   inspected: only its allowed TCP ports pass), the next tier's NACL ingress and the next security
   group's ingress (`from: security_groups.NAME`, `vpc`, or a CIDR covering the first tier) all
   allow one protocol and port.

Elements are placed in tiers by the spec: interface endpoints (`network.endpoints.*.tiers`),
functions (`functions.*.vpc.tiers`), databases (`databases.*.tier`). A security group attached to
nothing in the spec is for resources deployed elsewhere, so it is assumed to be usable in every
tier but the firewall tier (which holds the firewall endpoints only). Interface endpoints and
databases only receive traffic; they are never a pivot.

The analysis over-approximates (a NACL deny narrows a path only when it covers every address in
question), so "no finding" is a proof over what the spec declares.

## Why

PCI DSS 1.3.1 restricts inbound traffic to the cardholder data environment to what is necessary;
1.4.1 and 1.4.2 require network security controls between trusted and untrusted networks and
restrict inbound traffic from untrusted networks to system components that provide authorized
publicly accessible services; 1.2.6 requires security features for every allowed service. A
single rule such as "open ingress" sees one line at a time. A path is made of several lines that
each look reasonable: a public subnet route, a NACL that lets return traffic in, a security group
that admits a partner range, a second security group that trusts the first one. Only the chain
shows that the internet reaches the cardholder data.

## Example

```yaml
network:
  internet: nat
  tiers:
    public: {prefix: 28, role: public}
    app: {prefix: 24, egress: nat}
  security_groups:
    app-tier:
      description: Application tier (attached to instances deployed by another stack)
      ingress:
        - {protocol: tcp, port: 443, from: 0.0.0.0/0, description: HTTPS from the load balancer}
      egress:
        - {protocol: tcp, port: 443, to: 0.0.0.0/0, description: HTTPS out}
```

`app-tier` is attached to nothing in the spec, so an instance in the internet-routed `public`
tier may carry it: the internet reaches it (hops 1-4), and from there the same group admits
`0.0.0.0/0`, which includes the public tier, into tier `app`.

## Fix

Break the chain at any hop, preferably more than one:

- no internet route: `network.internet: none` and VPC endpoints instead of NAT;
- a NACL on the public tier that admits only what the public service needs;
- security groups that name their peers: `from: security_groups.alb`, never a range that
  includes the internet;
- cross-tier rules that reference the security group of the tier allowed in, not `vpc` or `/0`.

```yaml
    app-tier:
      description: Application tier
      ingress:
        - {protocol: tcp, port: 443, from: security_groups.alb, description: HTTPS from the load balancer}
```

## References

- PCI DSS v4.0.1 1.3.1 (inbound CDE traffic restricted), 1.4.1 (NSCs between trusted and untrusted networks), 1.4.2 (inbound from untrusted networks restricted), 1.2.6 (security features for allowed services)
- Amazon VPC User Guide: "Internet gateways", "Control subnet traffic with network access control lists", "Security group rules"
"##,
};

// ---- sets of intervals ------------------------------------------------------------------------

/// Sorted, disjoint, non-adjacent inclusive intervals.
type Ranges = Vec<(u64, u64)>;

fn norm(mut v: Ranges) -> Ranges {
    v.sort_unstable();
    let mut out: Ranges = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn inter(a: &Ranges, b: &Ranges) -> Ranges {
    let mut out = Vec::new();
    for &(x, y) in a {
        for &(u, v) in b {
            let (lo, hi) = (x.max(u), y.min(v));
            if lo <= hi {
                out.push((lo, hi));
            }
        }
    }
    norm(out)
}

fn sub(a: &Ranges, b: &Ranges) -> Ranges {
    let mut cur = a.clone();
    for &(u, v) in b {
        let mut next = Vec::new();
        for (x, y) in cur {
            if v < x || u > y {
                next.push((x, y));
                continue;
            }
            if u > x {
                next.push((x, u - 1));
            }
            if v < y {
                next.push((v + 1, y));
            }
        }
        cur = next;
    }
    norm(cur)
}

fn union(a: &Ranges, b: &Ranges) -> Ranges {
    norm(a.iter().chain(b.iter()).copied().collect())
}

// ---- ports ------------------------------------------------------------------------------------

const PORTS: (u64, u64) = (0, 65535);

/// Protocols and ports: TCP and UDP port ranges, and "other protocols" (ICMP ...) as a flag.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Ports {
    tcp: Ranges,
    udp: Ranges,
    other: bool,
}

impl Ports {
    fn all() -> Self {
        Ports {
            tcp: vec![PORTS],
            udp: vec![PORTS],
            other: true,
        }
    }
    fn of(protocol: Protocol, range: Ranges) -> Self {
        match protocol {
            Protocol::All => Ports::all(),
            Protocol::Tcp => Ports {
                tcp: range,
                ..Ports::default()
            },
            Protocol::Udp => Ports {
                udp: range,
                ..Ports::default()
            },
        }
    }
    fn is_empty(&self) -> bool {
        self.tcp.is_empty() && self.udp.is_empty() && !self.other
    }
    fn and(&self, o: &Ports) -> Ports {
        Ports {
            tcp: inter(&self.tcp, &o.tcp),
            udp: inter(&self.udp, &o.udp),
            other: self.other && o.other,
        }
    }
    fn or(&self, o: &Ports) -> Ports {
        Ports {
            tcp: union(&self.tcp, &o.tcp),
            udp: union(&self.udp, &o.udp),
            other: self.other || o.other,
        }
    }
    fn minus(&self, o: &Ports) -> Ports {
        Ports {
            tcp: sub(&self.tcp, &o.tcp),
            udp: sub(&self.udp, &o.udp),
            other: self.other && !o.other,
        }
    }
    /// `tcp 443`, `tcp 1024-65535, udp 53`, `all traffic`.
    fn describe(&self) -> String {
        if *self == Ports::all() {
            return "all traffic".into();
        }
        let list = |name: &str, r: &Ranges| -> Option<String> {
            if r.is_empty() {
                return None;
            }
            let items: Vec<String> = r
                .iter()
                .map(|&(a, b)| {
                    if (a, b) == PORTS {
                        "any port".to_string()
                    } else if a == b {
                        a.to_string()
                    } else {
                        format!("{a}-{b}")
                    }
                })
                .collect();
            Some(format!("{name} {}", items.join(", ")))
        };
        let mut parts: Vec<String> = [list("tcp", &self.tcp), list("udp", &self.udp)]
            .into_iter()
            .flatten()
            .collect();
        if self.other {
            parts.push("other protocols".into());
        }
        parts.join(", ")
    }
}

/// The ports of a rule; a variable without a numeric default may be any port.
fn port_ranges(p: Option<&PortOrVar>) -> Ranges {
    match p {
        None => vec![PORTS],
        Some(PortOrVar::Port(n)) => vec![(*n as u64, *n as u64)],
        Some(PortOrVar::Range(r)) => {
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            match (a.trim().parse::<u64>(), b.trim().parse::<u64>()) {
                (Ok(a), Ok(b)) if a <= b && b <= 65535 => vec![(a, b)],
                _ => Vec::new(),
            }
        }
        Some(PortOrVar::Var(v)) => match v.default.as_ref().and_then(|d| d.as_u64()) {
            Some(n) if n <= 65535 => vec![(n, n)],
            _ => vec![PORTS],
        },
    }
}

// ---- addresses --------------------------------------------------------------------------------

/// IPv6 part of an address set (the VPC itself has no IPv6 in the spec's vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum V6 {
    None,
    /// Some global addresses.
    Some,
    /// Every IPv6 address (`::/0`).
    All,
}

/// A set of addresses: IPv4 ranges plus the IPv6 part.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Addrs {
    v4: Ranges,
    v6: V6,
}

impl Addrs {
    fn v4(r: Ranges) -> Self {
        Addrs {
            v4: r,
            v6: V6::None,
        }
    }
    fn everything() -> Self {
        Addrs {
            v4: vec![(0, u32::MAX as u64)],
            v6: V6::All,
        }
    }
    fn overlaps(&self, o: &Addrs) -> bool {
        !inter(&self.v4, &o.v4).is_empty() || (self.v6 != V6::None && o.v6 != V6::None)
    }
    /// True when every address of `o` is in `self`.
    fn covers(&self, o: &Addrs) -> bool {
        sub(&o.v4, &self.v4).is_empty()
            && match o.v6 {
                V6::None => true,
                _ => self.v6 == V6::All,
            }
    }
}

/// An IPv6 CIDR: every address for `/0`, nothing for unique-local and link-local ranges (never
/// routed from the internet), some global addresses otherwise.
fn parse_v6(s: &str) -> Option<V6> {
    let (ip, len) = s.trim().split_once('/')?;
    if !ip.contains(':') {
        return None;
    }
    let len: u32 = len.parse().ok().filter(|l| *l <= 128)?;
    if len == 0 {
        return Some(V6::All);
    }
    let first = ip.split(':').next().unwrap_or("").to_ascii_lowercase();
    let head = u16::from_str_radix(if first.is_empty() { "0" } else { &first }, 16).ok()?;
    let local = (head & 0xfe00) == 0xfc00 || (head & 0xffc0) == 0xfe80;
    Some(if local { V6::None } else { V6::Some })
}

fn parse_addrs(s: &str) -> Option<Addrs> {
    if let Some(r) = v4_range(s) {
        return Some(Addrs::v4(vec![r]));
    }
    parse_v6(s).map(|v6| Addrs { v4: Vec::new(), v6 })
}

/// Ranges never routed from the internet: RFC 1918, shared (RFC 6598), loopback, link-local,
/// "this network", multicast and reserved.
const NOT_INTERNET: &[&str] = &[
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "224.0.0.0/3",
];

/// What a peer (`from`, `to`, a NACL `cidr`) stands for.
enum Peer {
    Addrs(Addrs, String),
    Sg(String),
}

// ---- the model --------------------------------------------------------------------------------

/// A labelled location on a path.
#[derive(Clone)]
struct Hop {
    span: Span,
    label: String,
}

/// One edge of the path: its hops, and the peer the last security-group rule names.
struct Edge {
    hops: Vec<Hop>,
    peer: String,
}

/// An element in a tier behind a security group.
struct Placement {
    tier: String,
    sg: String,
    /// What it is, for messages: "function `rotate`".
    what: String,
    /// Where the spec places it.
    span: Span,
    /// Can open connections (a pivot); interface endpoints and databases cannot.
    pivot: bool,
    /// Processes or stores data wherever it runs (functions, databases).
    data: bool,
    /// Attached to nothing in the spec: assumed usable in every tier.
    unattached: bool,
}

/// A NACL rule with its derived return rule expanded.
#[derive(Clone)]
struct NRule {
    number: u32,
    dir: Direction,
    allow: bool,
    addrs: Addrs,
    peer: String,
    ports: Ports,
    span: Span,
    derived_from: Option<u32>,
}

/// A security-group rule.
struct SRule {
    peer: Peer,
    ports: Ports,
    span: Span,
}

struct Model<'a> {
    net: &'a Network,
    vpc: Addrs,
    internet: Addrs,
    tiers: BTreeMap<String, Addrs>,
    /// tier → (NACL name, expanded rules in number order).
    nacls: BTreeMap<String, (String, Vec<NRule>)>,
    sg_in: BTreeMap<String, Vec<SRule>>,
    sg_out: BTreeMap<String, Vec<SRule>>,
    places: Vec<Placement>,
}

impl<'a> Model<'a> {
    fn new(cx: &Ctx<'a>, net: &'a Network) -> Option<Self> {
        let vpc = Addrs::v4(vec![v4_range(&net.cidr)?]);
        let mut not_internet = vpc.v4.clone();
        for c in NOT_INTERNET {
            not_internet.extend(v4_range(c));
        }
        let internet = Addrs {
            v4: sub(&vec![(0, u32::MAX as u64)], &norm(not_internet)),
            v6: V6::Some,
        };
        let mut m = Model {
            net,
            tiers: tier_ranges(net, vpc.v4[0]),
            vpc,
            internet,
            nacls: BTreeMap::new(),
            sg_in: BTreeMap::new(),
            sg_out: BTreeMap::new(),
            places: Vec::new(),
        };
        for (name, acl) in &net.nacls {
            let rules = m.nacl_rules(cx, name, acl);
            for t in &acl.tiers {
                // a tier listed in two NACLs is an input error (ZT0012); the first one counts
                m.nacls
                    .entry(t.clone())
                    .or_insert_with(|| (name.clone(), Vec::new()))
                    .1
                    .extend(rules.iter().cloned());
            }
        }
        for (name, sg) in &net.security_groups {
            let (i, o) = m.sg_rules(cx, name, sg);
            m.sg_in.insert(name.clone(), i);
            m.sg_out.insert(name.clone(), o);
        }
        m.places = placements(cx, net);
        Some(m)
    }

    fn peer(&self, cx: &Ctx<'_>, s: &str) -> Option<Peer> {
        let s = s.trim();
        if s == "vpc" {
            return Some(Peer::Addrs(self.vpc.clone(), "the VPC".into()));
        }
        if let Some(sg) = s.strip_prefix("security_groups.") {
            return Some(Peer::Sg(sg.to_string()));
        }
        if let Some(a) = parse_addrs(s) {
            return Some(Peer::Addrs(a, format!("`{s}`")));
        }
        let v = s.strip_prefix("var.")?;
        let decl = cx.spec.variables.get(v)?;
        match decl.default.as_ref().and_then(|d| d.as_str()) {
            Some(d) => parse_addrs(d).map(|a| Peer::Addrs(a, format!("`var.{v}` (default `{d}`)"))),
            None => Some(Peer::Addrs(
                Addrs::everything(),
                format!("`var.{v}` (no default: any address)"),
            )),
        }
    }

    fn nacl_rules(&self, cx: &Ctx<'_>, name: &str, acl: &Nacl) -> Vec<NRule> {
        let mut out = Vec::new();
        for (i, r) in acl.rules.iter().enumerate() {
            let Some(Peer::Addrs(addrs, peer)) = self.peer(cx, &r.cidr) else {
                continue;
            };
            let idx = i.to_string();
            let span = value_span(cx, &["network", "nacls", name, "rules", &idx, "number"]);
            let ports = Ports::of(r.protocol, port_ranges(r.port.as_ref()));
            if acl.ephemeral_returns && r.action == RuleAction::Allow && r.protocol != Protocol::All
            {
                out.push(NRule {
                    number: r.number + 1,
                    dir: match r.direction {
                        Direction::Ingress => Direction::Egress,
                        Direction::Egress => Direction::Ingress,
                    },
                    allow: true,
                    addrs: addrs.clone(),
                    peer: peer.clone(),
                    ports: Ports::of(r.protocol, vec![(1024, 65535)]),
                    span,
                    derived_from: Some(r.number),
                });
            }
            out.push(NRule {
                number: r.number,
                dir: r.direction,
                allow: r.action == RuleAction::Allow,
                addrs,
                peer,
                ports,
                span,
                derived_from: None,
            });
        }
        out.sort_by_key(|r| r.number);
        out
    }

    fn sg_rules(&self, cx: &Ctx<'_>, name: &str, sg: &SecurityGroup) -> (Vec<SRule>, Vec<SRule>) {
        let mut res = (Vec::new(), Vec::new());
        for (dir, rules) in [("ingress", &sg.ingress), ("egress", &sg.egress)] {
            for (i, r) in rules.iter().enumerate() {
                if r.action == Some(RuleAction::Deny) {
                    continue; // security groups cannot deny: ZT0111
                }
                let field = if dir == "ingress" { "from" } else { "to" };
                let peer = if dir == "ingress" { &r.from } else { &r.to };
                let Some(peer) = peer.as_deref().and_then(|p| self.peer(cx, p)) else {
                    continue;
                };
                let idx = i.to_string();
                let span = value_span(cx, &["network", "security_groups", name, dir, &idx, field]);
                let ports = match r.protocol {
                    Protocol::All => Ports::all(),
                    p => Ports::of(p, port_ranges(Some(&r.port))),
                };
                let rule = SRule { peer, ports, span };
                if dir == "ingress" {
                    res.0.push(rule);
                } else {
                    res.1.push(rule);
                }
            }
        }
        res
    }

    fn internet_routed(&self, tier: &str) -> bool {
        self.net.internet == Internet::Nat
            && self
                .net
                .tiers
                .get(tier)
                .is_some_and(|t| t.role == TierRole::Public)
    }

    fn private(&self, p: &Placement) -> bool {
        p.data
            || self
                .net
                .tiers
                .get(&p.tier)
                .is_some_and(|t| t.role != TierRole::Public)
    }

    /// Ports a tier's NACL lets through in one direction for a set of peer addresses, with the
    /// allow rules that let each part through.
    fn nacl(&self, tier: &str, dir: Direction, peer: &Addrs) -> (Ports, NaclWhy) {
        let Some((name, rules)) = self.nacls.get(tier) else {
            return (Ports::all(), NaclWhy::Default);
        };
        let mut remaining = Ports::all();
        let mut allowed = Ports::default();
        let mut why = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if r.dir != dir || !r.addrs.overlaps(peer) {
                continue;
            }
            if r.allow {
                let got = remaining.and(&r.ports);
                if !got.is_empty() {
                    allowed = allowed.or(&got);
                    why.push((i, got));
                }
            }
            if r.addrs.covers(peer) {
                remaining = remaining.minus(&r.ports);
            }
        }
        (allowed, NaclWhy::Rules(name.clone(), why))
    }

    fn nacl_hop(&self, tier: &str, dir: Direction, why: &NaclWhy, used: &Ports, span: Span) -> Hop {
        let (way, prep) = match dir {
            Direction::Ingress => ("into", "from"),
            Direction::Egress => ("out of", "to"),
        };
        match why {
            NaclWhy::Default => Hop {
                span,
                label: format!(
                    "tier `{tier}` has no NACL: the VPC's default network ACL lets all traffic {way} it"
                ),
            },
            NaclWhy::Rules(name, rules) => {
                let (i, _) = rules
                    .iter()
                    .find(|(_, p)| !p.and(used).is_empty())
                    .or(rules.first())
                    .expect("a NACL that allowed traffic has a rule that did");
                let r = &self.nacls[tier].1[*i];
                let what = match r.derived_from {
                    Some(n) => format!("return rule {} derived from rule {n}", r.number),
                    None => format!("rule {}", r.number),
                };
                Hop {
                    span: r.span,
                    label: format!(
                        "NACL `{name}` {what} lets {} {way} tier `{tier}` {prep} {}",
                        r.ports.and(used).describe(),
                        r.peer
                    ),
                }
            }
        }
    }

    /// Ports a security group allows in one direction to/from a peer (addresses and/or a security
    /// group), with the first rule that allows each part.
    fn sg(
        &self,
        sg: &str,
        ingress: bool,
        addrs: Option<&Addrs>,
        peer_sg: Option<&str>,
    ) -> Vec<(&SRule, Ports)> {
        let rules = if ingress { &self.sg_in } else { &self.sg_out };
        let mut out = Vec::new();
        for r in rules.get(sg).map(Vec::as_slice).unwrap_or_default() {
            let hit = match &r.peer {
                Peer::Addrs(a, _) => addrs.is_some_and(|x| a.overlaps(x)),
                Peer::Sg(s) => peer_sg == Some(s.as_str()),
            };
            if hit {
                out.push((r, r.ports.clone()));
            }
        }
        out
    }

    fn tier_addrs(&self, tier: &str) -> Addrs {
        self.tiers
            .get(tier)
            .cloned()
            .unwrap_or_else(|| self.vpc.clone())
    }

    /// The internet → placement edge, when there is one.
    fn entry(&self, cx: &Ctx<'_>, p: &Placement) -> Option<Edge> {
        if !self.internet_routed(&p.tier) {
            return None;
        }
        let (nacl_ports, why) = self.nacl(&p.tier, Direction::Ingress, &self.internet);
        let sg = self.sg(&p.sg, true, Some(&self.internet), None);
        let sg_ports = sg.iter().fold(Ports::default(), |a, (_, p)| a.or(p));
        let used = nacl_ports.and(&sg_ports);
        if used.is_empty() {
            return None;
        }
        let tier_span = key_span(cx, &["network", "tiers", &p.tier]);
        let mut hops = vec![
            Hop {
                span: value_span(cx, &["network", "internet"]),
                label: "the internet gateway admits traffic from 0.0.0.0/0".into(),
            },
            Hop {
                span: value_span(cx, &["network", "tiers", &p.tier, "role"]),
                label: format!(
                    "tier `{}` routes 0.0.0.0/0 to the internet gateway (role: public)",
                    p.tier
                ),
            },
            self.nacl_hop(&p.tier, Direction::Ingress, &why, &used, tier_span),
        ];
        let (rule, ports) = sg
            .iter()
            .find(|(_, ports)| !ports.and(&used).is_empty())
            .expect("some rule allowed the ports");
        let peer = match &rule.peer {
            Peer::Addrs(_, d) => d.clone(),
            Peer::Sg(s) => format!("`security_groups.{s}`"),
        };
        hops.push(self.placed(p));
        hops.push(Hop {
            span: rule.span,
            label: format!(
                "security group `{}` admits {} from {peer}, which includes internet addresses",
                p.sg,
                ports.and(&used).describe()
            ),
        });
        Some(Edge { hops, peer })
    }

    fn placed(&self, p: &Placement) -> Hop {
        Hop {
            span: p.span,
            label: if p.unattached {
                format!(
                    "security group `{}` is attached to nothing in the spec: anything launched in tier `{}` may use it",
                    p.sg, p.tier
                )
            } else {
                format!(
                    "{} sits in tier `{}` behind security group `{}`",
                    p.what, p.tier, p.sg
                )
            },
        }
    }

    /// The placement → placement edge, when there is one.
    fn step(&self, cx: &Ctx<'_>, a: &Placement, b: &Placement) -> Option<Edge> {
        if !a.pivot {
            return None;
        }
        let (ta, tb) = (self.tier_addrs(&a.tier), self.tier_addrs(&b.tier));
        let out = self.sg(&a.sg, false, Some(&tb), Some(&b.sg));
        let inn = self.sg(&b.sg, true, Some(&ta), Some(&a.sg));
        let fold = |v: &[(&SRule, Ports)]| v.iter().fold(Ports::default(), |x, (_, p)| x.or(p));
        let mut used = fold(&out).and(&fold(&inn));
        if used.is_empty() {
            return None; // the security groups alone close it: no NACL to evaluate
        }
        let cross = a.tier != b.tier;
        let mut nacl_out = None;
        let mut nacl_in = None;
        let mut fw = None;
        if cross {
            let (p, w) = self.nacl(&a.tier, Direction::Egress, &tb);
            used = used.and(&p);
            nacl_out = Some(w);
            let (p, w) = self.nacl(&b.tier, Direction::Ingress, &ta);
            used = used.and(&p);
            nacl_in = Some(w);
            if let Some(f) = &self.net.firewall {
                if f.inspect.contains(&a.tier) && f.inspect.contains(&b.tier) {
                    let ports = norm(
                        f.allow
                            .iter()
                            .map(|x| (x.port as u64, x.port as u64))
                            .collect(),
                    );
                    used = used.and(&Ports::of(Protocol::Tcp, ports));
                    fw = Some(f);
                }
            }
        }
        if used.is_empty() {
            return None;
        }
        let sg_hop = |rules: &[(&SRule, Ports)], sg: &str, verb: &str, prep: &str| {
            let (r, p) = rules
                .iter()
                .find(|(_, p)| !p.and(&used).is_empty())
                .expect("some rule allowed the ports");
            let peer = match &r.peer {
                Peer::Addrs(_, d) => d.clone(),
                Peer::Sg(s) => format!("`security_groups.{s}`"),
            };
            (
                Hop {
                    span: r.span,
                    label: format!(
                        "security group `{sg}` {verb} {} {prep} {peer}",
                        p.and(&used).describe()
                    ),
                },
                peer,
            )
        };
        let mut hops = vec![sg_hop(&out, &a.sg, "lets", "out to").0];
        if let Some(w) = &nacl_out {
            let span = key_span(cx, &["network", "tiers", &a.tier]);
            hops.push(self.nacl_hop(&a.tier, Direction::Egress, w, &used, span));
        }
        if let Some(f) = fw {
            let i = f
                .allow
                .iter()
                .position(|x| {
                    used.tcp
                        .iter()
                        .any(|&(lo, hi)| (lo..=hi).contains(&(x.port as u64)))
                })
                .unwrap_or(0);
            hops.push(Hop {
                span: value_span(cx, &["network", "firewall", "allow", &i.to_string(), "port"]),
                label: format!(
                    "the firewall inspects `{}` → `{}` and passes TLS on this port whatever the destination",
                    a.tier, b.tier
                ),
            });
        }
        if let Some(w) = &nacl_in {
            let span = key_span(cx, &["network", "tiers", &b.tier]);
            hops.push(self.nacl_hop(&b.tier, Direction::Ingress, w, &used, span));
        }
        hops.push(self.placed(b));
        let (hop, peer) = sg_hop(&inn, &b.sg, "admits", "from");
        hops.push(hop);
        Some(Edge { hops, peer })
    }
}

enum NaclWhy {
    /// No NACL: the default one allows everything.
    Default,
    /// (NACL name, rule index → ports it allowed).
    Rules(String, Vec<(usize, Ports)>),
}

/// Subnet ranges of every tier, allocated as lowering does: explicit `cidrs`, or `prefix`-sized
/// subnets one per AZ in tier-name order.
fn tier_ranges(net: &Network, vpc: (u64, u64)) -> BTreeMap<String, Addrs> {
    let mut out = BTreeMap::new();
    let mut next = vpc.0;
    for (name, t) in &net.tiers {
        let mut r = Vec::new();
        if !t.cidrs.is_empty() {
            r.extend(t.cidrs.iter().filter_map(|c| v4_range(c)));
        } else if let Some(prefix) = t.prefix.filter(|p| *p <= 32) {
            let size = 1u64 << (32 - prefix as u32);
            for _ in 0..net.azs {
                let start = next.div_ceil(size) * size;
                if start + size - 1 > vpc.1 {
                    break;
                }
                r.push((start, start + size - 1));
                next = start + size;
            }
        }
        out.insert(name.clone(), Addrs::v4(norm(r)));
    }
    out
}

fn placements(cx: &Ctx<'_>, net: &Network) -> Vec<Placement> {
    let mut out = Vec::new();
    let mut attached: Vec<&str> = Vec::new();
    for (name, ep) in &net.endpoints {
        let (EndpointType::Interface, Some(sg)) = (ep.kind, &ep.security_group) else {
            continue;
        };
        attached.push(sg);
        for t in &ep.tiers {
            out.push(Placement {
                tier: t.clone(),
                sg: sg.clone(),
                what: format!("interface endpoint `{name}`"),
                span: value_span(cx, &["network", "endpoints", name, "tiers"]),
                pivot: false,
                data: false,
                unattached: false,
            });
        }
    }
    for (name, f) in &cx.spec.functions {
        let FunctionVpc::In(v) = &f.vpc else { continue };
        attached.push(&v.security_group);
        for t in &v.tiers {
            out.push(Placement {
                tier: t.clone(),
                sg: v.security_group.clone(),
                what: format!("function `{name}`"),
                span: value_span(cx, &["functions", name, "vpc", "tiers"]),
                pivot: true,
                data: true,
                unattached: false,
            });
        }
    }
    for (name, d) in &cx.spec.databases {
        attached.push(&d.security_group);
        out.push(Placement {
            tier: d.tier.clone(),
            sg: d.security_group.clone(),
            what: format!("database `{name}`"),
            span: value_span(cx, &["databases", name, "tier"]),
            pivot: false,
            data: true,
            unattached: false,
        });
    }
    for name in net.security_groups.keys() {
        if attached.contains(&name.as_str()) {
            continue;
        }
        // a firewall tier holds the firewall endpoints and nothing else
        let tiers = net
            .tiers
            .iter()
            .filter(|(_, t)| t.role != TierRole::Firewall);
        for (t, _) in tiers {
            out.push(Placement {
                tier: t.clone(),
                sg: name.clone(),
                what: format!("security group `{name}`"),
                span: key_span(cx, &["network", "security_groups", name]),
                pivot: true,
                data: false,
                unattached: true,
            });
        }
    }
    out.retain(|p| net.tiers.contains_key(&p.tier) && net.security_groups.contains_key(&p.sg));
    out
}

impl Rule for ZoneReachability {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let Some(net) = &cx.spec.network else { return };
        if net.internet == Internet::None {
            return; // no internet gateway: nothing enters
        }
        let Some(m) = Model::new(cx, net) else { return };
        let n = m.places.len();
        // breadth-first from the internet; prev[i] = (predecessor or None for the internet, hops)
        let mut prev: Vec<Option<(Option<usize>, Edge)>> = (0..n).map(|_| None).collect();
        let mut queue = VecDeque::new();
        for (i, p) in m.places.iter().enumerate() {
            if let Some(h) = m.entry(cx, p) {
                prev[i] = Some((None, h));
                queue.push_back(i);
            }
        }
        while let Some(i) = queue.pop_front() {
            let reached: Vec<(usize, Edge)> = prev
                .iter()
                .enumerate()
                .filter(|(_, p)| p.is_none())
                .filter_map(|(j, _)| m.step(cx, &m.places[i], &m.places[j]).map(|h| (j, h)))
                .collect();
            for (j, h) in reached {
                prev[j] = Some((Some(i), h));
                queue.push_back(j);
            }
        }
        // one finding per private tier (and per function in a public tier): the shortest path
        let mut reported: Vec<String> = Vec::new();
        let mut order: Vec<usize> = (0..n).filter(|&i| prev[i].is_some()).collect();
        order.sort_by_key(|&i| depth(&prev, i));
        for i in order {
            let p = &m.places[i];
            if !m.private(p) {
                continue;
            }
            let key = if p.data && !p.unattached {
                p.what.clone()
            } else {
                p.tier.clone()
            };
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            let mut chain = vec![i];
            let mut hops: Vec<Hop> = Vec::new();
            let mut cur = i;
            while let Some((Some(k), _)) = &prev[cur] {
                chain.push(*k);
                cur = *k;
            }
            chain.reverse();
            for &k in &chain {
                hops.extend(
                    prev[k]
                        .as_ref()
                        .expect("on the path")
                        .1
                        .hops
                        .iter()
                        .cloned(),
                );
            }
            let route: Vec<String> = std::iter::once("internet".to_string())
                .chain(chain.iter().map(|&k| {
                    let q = &m.places[k];
                    format!("`{}` ({})", q.tier, q.sg)
                }))
                .collect();
            let target = if p.data
                && m.net
                    .tiers
                    .get(&p.tier)
                    .is_some_and(|t| t.role == TierRole::Public)
            {
                format!("{} in the internet-routed tier `{}`", p.what, p.tier)
            } else {
                format!("private tier `{}`", p.tier)
            };
            let last = hops.pop().expect("a path has hops");
            let count = hops.len() + 1;
            let mut d = Diagnostic::new(
                META.code,
                Severity::Error,
                format!(
                    "the internet reaches {target}: {} ({count} hops)",
                    route.join(" → ")
                ),
            )
            .at(last.span)
            .label(format!("{count}. {}", last.label))
            .help(help(&m, &chain, &prev[i].as_ref().expect("reached").1.peer))
            .scope(scope(&["network", "tiers", &p.tier]));
            for (k, h) in hops.into_iter().enumerate() {
                d = d.related(h.span, format!("{}. {}", k + 1, h.label));
            }
            out.push(d);
        }
    }
}

fn depth(prev: &[Option<(Option<usize>, Edge)>], mut i: usize) -> usize {
    let mut d = 0;
    while let Some((Some(k), _)) = &prev[i] {
        d += 1;
        i = *k;
    }
    d
}

fn help(m: &Model<'_>, chain: &[usize], last_peer: &str) -> String {
    let first = &m.places[chain[0]];
    let mut parts = vec![format!(
        "break the path at any hop (numbered from the internet); the first is the strongest place: \
         `network.internet: none` with VPC endpoints removes the internet gateway, otherwise the \
         NACL of tier `{}` should admit only what its public service needs and security group `{}` \
         only the addresses that must reach it",
        first.tier, first.sg
    )];
    if first.unattached {
        parts.push(format!(
            "security group `{}` is attached to nothing in the spec, so it may be used in any tier: \
             keep internet ranges out of a group meant for a private tier",
            first.sg
        ));
    }
    if chain.len() > 1 {
        let last = &m.places[chain[chain.len() - 1]];
        let prev = &m.places[chain[chain.len() - 2]];
        parts.push(if last_peer.starts_with("`security_groups.") {
            format!(
                "`{}` trusts `{}`, which the internet reaches: a private tier should trust only groups that are not reachable from the internet",
                last.sg, prev.sg
            )
        } else {
            format!(
                "`{}` admits {last_peer}, which includes tier `{}`: name the security groups allowed in (`from: security_groups.NAME`)",
                last.sg, prev.tier
            )
        });
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_algebra() {
        assert_eq!(norm(vec![(5, 9), (1, 3), (4, 4)]), vec![(1, 9)]);
        assert_eq!(
            sub(&vec![(0, 100)], &vec![(10, 20), (50, 60)]),
            vec![(0, 9), (21, 49), (61, 100)]
        );
        assert_eq!(
            inter(&vec![(0, 10), (20, 30)], &vec![(5, 25)]),
            vec![(5, 10), (20, 25)]
        );
        assert!(sub(&vec![(3, 4)], &vec![(0, 10)]).is_empty());
    }

    #[test]
    fn addresses() {
        assert_eq!(v4_range("10.0.1.0/24"), Some((0x0a000100, 0x0a0001ff)));
        assert_eq!(v4_range("0.0.0.0/0"), Some((0, u32::MAX as u64)));
        assert_eq!(v4_range("10.0.0.0/33"), None);
        assert_eq!(parse_v6("::/0"), Some(V6::All));
        assert_eq!(parse_v6("fd00::/8"), Some(V6::None));
        assert_eq!(parse_v6("2001:db8::/32"), Some(V6::Some));
        let any = Addrs::everything();
        let ten = Addrs::v4(vec![v4_range("10.0.0.0/8").unwrap()]);
        assert!(any.covers(&ten) && !ten.covers(&any) && ten.overlaps(&any));
    }

    #[test]
    fn ports() {
        let https = Ports::of(Protocol::Tcp, vec![(443, 443)]);
        let eph = Ports::of(Protocol::Tcp, vec![(1024, 65535)]);
        assert!(https.and(&eph).is_empty());
        assert_eq!(Ports::all().minus(&https).and(&https), Ports::default());
        assert_eq!(https.or(&eph).describe(), "tcp 443, 1024-65535");
        assert_eq!(Ports::all().describe(), "all traffic");
        assert_eq!(
            port_ranges(Some(&PortOrVar::Range("1024-65535".into()))),
            vec![(1024, 65535)]
        );
    }
}
