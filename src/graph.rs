//! `ztc graph`: draw a spec as a Mermaid flowchart or a Graphviz DOT graph.
//!
//! - **network** view: the trust boundary (internet outside, the VPC inside), tiers as subgraphs
//!   with one subnet per AZ, the Network Firewall and what it inspects, VPC endpoints,
//!   security-group flows (edges labelled protocol/port) and NACL denies.
//! - **resources** view: the lowered resource graph, one subgraph per concern, an edge from every
//!   block to each block its attributes reference (`Body::refs`), dashed for `depends_on`.
//!
//! Both are pure functions of the spec / IR; every collection is walked in a fixed order, so the
//! output is byte-for-byte reproducible.

use crate::cli::exit;
use crate::compile::{compile, Compiled, Options};
use crate::ir::{Address, Kind, Module};
use crate::spec::{
    Direction, EndpointType, PortOrVar, Protocol, RuleAction, SgRule, Spec, TierRole,
};
use clap::{Args, ValueEnum};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

/// Output format.
#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum GraphFormat {
    /// Mermaid flowchart (renders in GitHub, GitLab and most Markdown previews).
    Mermaid,
    /// Graphviz DOT (`dot -Tsvg`, `dot -Tpng`).
    Dot,
}

/// What to draw.
#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum GraphView {
    /// Trust boundary, tiers and subnets, firewall, endpoints, security-group flows, NACL denies.
    Network,
    /// The generated resources and the references between them.
    Resources,
}

/// `ztc graph` arguments.
#[derive(Args, Debug, Clone)]
pub struct GraphArgs {
    /// The spec file (zerotrust.yaml).
    pub spec: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    pub format: GraphFormat,
    /// What to draw.
    #[arg(long, value_enum, default_value = "network")]
    pub view: GraphView,
    /// Write to this file instead of stdout.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
}

// ------------------------------------------------------------------------------------------------
// the graph model both printers share
// ------------------------------------------------------------------------------------------------

/// What a node stands for (its shape and colour).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Outside the trust boundary: the internet, other networks, AWS service APIs.
    External,
    Subnet,
    Firewall,
    Endpoint,
    SecurityGroup,
    /// A rule peer inside the VPC (its CIDR) or a deployment variable.
    Peer,
    Gateway,
    Resource,
    Data,
    Note,
}

/// What an edge stands for.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum EdgeKind {
    /// Allowed traffic (security-group rule).
    Allow,
    /// Denied traffic (NACL deny rule).
    Deny,
    /// Routing (endpoints, NAT).
    Route,
    /// Traffic routed through the firewall for inspection.
    Inspect,
    /// An attribute reference (resources view).
    Ref,
    /// An explicit `depends_on` (resources view).
    DependsOn,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ClusterKind {
    /// The trust boundary (the VPC).
    Boundary,
    /// A subnet tier.
    Tier,
    /// A plain group.
    Group,
}

#[derive(Clone, Debug)]
pub struct Node {
    pub id: String,
    pub label: String,
    pub kind: NodeKind,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub id: String,
    pub label: String,
    pub kind: ClusterKind,
    pub nodes: Vec<Node>,
    pub clusters: Vec<Cluster>,
}

#[derive(Clone, Debug)]
pub struct Edge {
    pub from: String,
    pub to: String,
    pub label: String,
    pub kind: EdgeKind,
    /// Both directions (a NACL deny in and out).
    pub both: bool,
}

/// A graph: top-level nodes and clusters, and edges between nodes or clusters.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    pub title: String,
    pub nodes: Vec<Node>,
    pub clusters: Vec<Cluster>,
    pub edges: Vec<Edge>,
}

impl Cluster {
    fn new(id: &str, label: impl Into<String>, kind: ClusterKind) -> Self {
        Cluster {
            id: id.into(),
            label: label.into(),
            kind,
            nodes: vec![],
            clusters: vec![],
        }
    }
    fn node(&mut self, id: &str, label: impl Into<String>, kind: NodeKind) {
        self.nodes.push(Node {
            id: id.into(),
            label: label.into(),
            kind,
        });
    }
    fn is_empty(&self) -> bool {
        self.nodes.is_empty() && self.clusters.iter().all(Cluster::is_empty)
    }
    /// The first node inside (depth-first), for DOT edges to a cluster.
    fn anchor(&self) -> Option<&str> {
        self.nodes
            .first()
            .map(|n| n.id.as_str())
            .or_else(|| self.clusters.iter().find_map(Cluster::anchor))
    }
    fn find(&self, id: &str) -> Option<&Cluster> {
        if self.id == id {
            return Some(self);
        }
        self.clusters.iter().find_map(|c| c.find(id))
    }
}

impl Graph {
    fn cluster(&self, id: &str) -> Option<&Cluster> {
        self.clusters.iter().find_map(|c| c.find(id))
    }
    /// Add an edge, merging its label into an existing edge of the same kind between the same
    /// endpoints.
    fn edge(&mut self, from: &str, to: &str, label: impl Into<String>, kind: EdgeKind, both: bool) {
        let label = label.into();
        if let Some(e) = self
            .edges
            .iter_mut()
            .find(|e| e.from == from && e.to == to && e.kind == kind && e.both == both)
        {
            if !label.is_empty() && !e.label.split(", ").any(|l| l == label) {
                if !e.label.is_empty() {
                    e.label.push_str(", ");
                }
                e.label.push_str(&label);
            }
            return;
        }
        self.edges.push(Edge {
            from: from.into(),
            to: to.into(),
            label,
            kind,
            both,
        });
    }
}

/// Identifiers for Mermaid and DOT: `[A-Za-z0-9_]`, unique per key, stable in insertion order.
#[derive(Default)]
struct Ids {
    by_key: BTreeMap<String, String>,
    used: BTreeSet<String>,
}

impl Ids {
    fn get(&mut self, key: &str) -> String {
        if let Some(id) = self.by_key.get(key) {
            return id.clone();
        }
        let mut base: String = key
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            base.insert(0, 'n');
        }
        // words Mermaid reads as syntax
        if matches!(
            base.as_str(),
            "end" | "subgraph" | "graph" | "flowchart" | "style" | "class"
        ) {
            base.push('_');
        }
        let mut id = base.clone();
        let mut i = 2;
        while self.used.contains(&id) {
            id = format!("{base}_{i}");
            i += 1;
        }
        self.used.insert(id.clone());
        self.by_key.insert(key.into(), id.clone());
        id
    }
}

// ------------------------------------------------------------------------------------------------
// network view
// ------------------------------------------------------------------------------------------------

/// Subnet CIDRs per tier as lowering allocated them (from the module's `aws_subnet` blocks).
fn subnet_cidrs(module: Option<&Module>) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in module
        .into_iter()
        .flat_map(|m| m.resources_of("aws_subnet"))
    {
        let Some(tier) = b.origin.strip_prefix("network.tiers.") else {
            continue;
        };
        if let Some(crate::ir::Expr::Str(c)) = b.body.get_attr("cidr_block") {
            out.entry(tier.to_string()).or_default().push(c.clone());
        }
    }
    out
}

/// `a.b.c.d/n` as (network, prefix length).
fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok().filter(|l| *l <= 32)?;
    let octets: Vec<u8> = ip
        .split('.')
        .map(|o| o.parse().ok())
        .collect::<Option<_>>()?;
    let [a, b, c, d] = octets[..] else {
        return None;
    };
    Some((u32::from_be_bytes([a, b, c, d]), len))
}

fn cidr_contains(outer: (u32, u8), inner: (u32, u8)) -> bool {
    let mask = if outer.1 == 0 {
        0
    } else {
        u32::MAX << (32 - outer.1)
    };
    inner.1 >= outer.1 && inner.0 & mask == outer.0 & mask
}

fn port_label(protocol: Protocol, port: Option<&PortOrVar>) -> String {
    let proto = match protocol {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::All => return "all traffic".into(),
    };
    match port {
        None => proto.into(),
        Some(PortOrVar::Port(p)) => format!("{proto}/{p}"),
        Some(PortOrVar::Range(r)) => format!("{proto}/{r}"),
        Some(PortOrVar::Var(v)) => match &v.default {
            Some(d) => format!("{proto}/var.{} ({d})", v.var),
            None => format!("{proto}/var.{}", v.var),
        },
    }
}

/// The network view of a spec. `module` (when the spec compiled) supplies the subnet CIDRs.
pub fn network_graph(spec: &Spec, module: Option<&Module>, title: &str) -> Graph {
    let mut ids = Ids::default();
    let mut g = Graph {
        title: format!("{title} — network"),
        ..Graph::default()
    };
    let internet = ids.get("internet");
    let Some(net) = &spec.network else {
        g.nodes.push(Node {
            id: internet,
            label: "Internet".into(),
            kind: NodeKind::External,
        });
        g.nodes.push(Node {
            id: ids.get("note"),
            label: "no VPC in this spec (no `network` section)".into(),
            kind: NodeKind::Note,
        });
        return g;
    };
    let internet_label = match net.internet {
        crate::spec::Internet::None => "Internet\n(no gateway: internet: none)",
        crate::spec::Internet::Nat => "Internet",
    };
    g.nodes.push(Node {
        id: internet.clone(),
        label: internet_label.into(),
        kind: NodeKind::External,
    });
    let vpc_id = ids.get("vpc");
    let mut vpc = Cluster::new(
        &vpc_id,
        format!("trust boundary: VPC {} · {}", net.name, net.cidr),
        ClusterKind::Boundary,
    );
    let cidrs = subnet_cidrs(module);
    let mut tier_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut outside: Vec<Node> = Vec::new();

    // tiers, one subnet per AZ; the firewall, interface endpoints and the NAT gateway live in theirs
    let first_public = net
        .tiers
        .iter()
        .find(|(_, t)| t.role == TierRole::Public)
        .map(|(n, _)| n.clone());
    for (name, tier) in &net.tiers {
        let id = ids.get(&format!("tier {name}"));
        tier_ids.insert(name.clone(), id.clone());
        let role = match tier.role {
            TierRole::Workload => "workload",
            TierRole::Endpoints => "endpoints",
            TierRole::Firewall => "firewall",
            TierRole::Public => "public",
        };
        let egress = match tier.egress {
            crate::spec::Egress::Nat => " · egress via NAT",
            crate::spec::Egress::None => "",
        };
        let mut c = Cluster::new(
            &id,
            format!("{name} tier · {role}{egress}"),
            ClusterKind::Tier,
        );
        for az in 1..=net.azs as usize {
            let cidr = cidrs
                .get(name)
                .and_then(|v| v.get(az - 1).cloned())
                .or_else(|| tier.cidrs.get(az - 1).cloned())
                .or_else(|| tier.prefix.map(|p| format!("/{p}")))
                .unwrap_or_default();
            c.node(
                &ids.get(&format!("subnet {name} {az}")),
                format!("{name} AZ{az}\n{cidr}"),
                NodeKind::Subnet,
            );
        }
        if let Some(fw) = net.firewall.as_ref().filter(|f| &f.tier == name) {
            let allow: Vec<String> = fw
                .allow
                .iter()
                .map(|a| format!("tls/{} {}", a.port, a.sni.join(" ")))
                .collect();
            let default = match fw.default_action {
                crate::spec::FwDefault::DropEstablished => "drop_established",
                crate::spec::FwDefault::DropStrict => "drop_strict",
            };
            c.node(
                &ids.get("firewall"),
                format!(
                    "Network Firewall {}\nallow {}\nelse {default}",
                    fw.name,
                    allow.join("; ")
                ),
                NodeKind::Firewall,
            );
        }
        for (svc, ep) in &net.endpoints {
            if ep.kind == EndpointType::Interface && ep.tiers.first() == Some(name) {
                let sg = ep
                    .security_group
                    .as_deref()
                    .map(|s| format!(" · sg {s}"))
                    .unwrap_or_default();
                c.node(
                    &ids.get(&format!("endpoint {svc}")),
                    format!("{svc} endpoint\ninterface{sg}"),
                    NodeKind::Endpoint,
                );
            }
        }
        if net.internet == crate::spec::Internet::Nat && first_public.as_ref() == Some(name) {
            c.node(&ids.get("nat"), "NAT gateway", NodeKind::Gateway);
        }
        vpc.clusters.push(c);
    }
    if net.internet == crate::spec::Internet::Nat {
        vpc.node(&ids.get("igw"), "Internet gateway", NodeKind::Gateway);
    }
    for (svc, ep) in &net.endpoints {
        if ep.kind == EndpointType::Gateway {
            vpc.node(
                &ids.get(&format!("endpoint {svc}")),
                format!("{svc} endpoint\ngateway (route tables)"),
                NodeKind::Endpoint,
            );
        }
    }
    let mut sgs = Cluster::new(
        &ids.get("security groups"),
        "security groups (allow only)",
        ClusterKind::Group,
    );
    for name in net.security_groups.keys() {
        sgs.node(
            &ids.get(&format!("sg {name}")),
            format!("SG {name}"),
            NodeKind::SecurityGroup,
        );
    }

    // peers of rules, created on first use: the VPC CIDR, a subnet, another network inside the
    // VPC, or one outside it
    let vpc_net = parse_cidr(&net.cidr);
    let subnet_of: BTreeMap<String, (String, usize)> = cidrs
        .iter()
        .flat_map(|(t, v)| {
            v.iter()
                .enumerate()
                .map(move |(i, c)| (c.clone(), (t.clone(), i + 1)))
        })
        .collect();
    let mut vpc_peer = false;
    let mut inside: Vec<Node> = Vec::new();
    let mut peer = |s: &str, ids: &mut Ids, outside: &mut Vec<Node>| -> String {
        if s == "vpc" || s == net.cidr {
            vpc_peer = true;
            return ids.get("peer vpc");
        }
        if s == "0.0.0.0/0" {
            return ids.get("internet");
        }
        if let Some(sg) = s.strip_prefix("security_groups.") {
            return ids.get(&format!("sg {sg}"));
        }
        if let Some((tier, az)) = subnet_of.get(s) {
            return ids.get(&format!("subnet {tier} {az}"));
        }
        let key = format!("peer {s}");
        if let Some(id) = ids.by_key.get(&key) {
            return id.clone();
        }
        let id = ids.get(&key);
        let within = matches!((vpc_net, parse_cidr(s)), (Some(v), Some(c)) if cidr_contains(v, c));
        let node = Node {
            id: id.clone(),
            label: s.to_string(),
            kind: if within || s.starts_with("var.") {
                NodeKind::Peer
            } else {
                NodeKind::External
            },
        };
        if within {
            inside.push(node);
        } else {
            outside.push(node);
        }
        id
    };

    let mut edges: Vec<(String, String, String, EdgeKind, bool)> = Vec::new();
    // security-group rules
    for (name, sg) in &net.security_groups {
        let me = ids.get(&format!("sg {name}"));
        let mut rule = |r: &SgRule, ingress: bool, ids: &mut Ids, outside: &mut Vec<Node>| {
            let other = if ingress { &r.from } else { &r.to };
            let Some(other) = other.as_deref() else {
                return;
            };
            let p = peer(other, ids, outside);
            let label = port_label(r.protocol, Some(&r.port));
            let (a, b) = if ingress {
                (p, me.clone())
            } else {
                (me.clone(), p)
            };
            edges.push((a, b, label, EdgeKind::Allow, false));
        };
        for r in &sg.ingress {
            rule(r, true, &mut ids, &mut outside);
        }
        for r in &sg.egress {
            rule(r, false, &mut ids, &mut outside);
        }
    }
    // NACL denies, per tier: one edge per peer, tier and NACL; in and out together when both
    // (peer, tier, what, NACL) → rule numbers, [ingress, egress]
    type DenyKey = (String, String, String, String);
    let mut denies: Vec<(DenyKey, BTreeSet<u32>, [bool; 2])> = Vec::new();
    for (name, nacl) in &net.nacls {
        for r in nacl.rules.iter().filter(|r| r.action == RuleAction::Deny) {
            let p = peer(&r.cidr, &mut ids, &mut outside);
            let what = port_label(r.protocol, r.port.as_ref());
            for t in &nacl.tiers {
                let Some(tid) = tier_ids.get(t) else { continue };
                let key = (p.clone(), tid.clone(), what.clone(), name.clone());
                let i = match denies.iter().position(|(k, _, _)| *k == key) {
                    Some(i) => i,
                    None => {
                        denies.push((key, BTreeSet::new(), [false; 2]));
                        denies.len() - 1
                    }
                };
                denies[i].1.insert(r.number);
                denies[i].2[(r.direction == Direction::Egress) as usize] = true;
            }
        }
    }
    for ((p, tid, what, nacl), numbers, [ingress, egress]) in denies {
        let numbers: Vec<String> = numbers.iter().map(|n| format!("#{n}")).collect();
        let dirs = match (ingress, egress) {
            (true, true) => "in+out",
            (true, false) => "in",
            _ => "out",
        };
        let label = format!("deny {what} {dirs} · NACL {nacl} {}", numbers.join(" "));
        let (a, b) = if ingress { (p, tid) } else { (tid, p) };
        edges.push((a, b, label, EdgeKind::Deny, ingress && egress));
    }
    vpc.nodes.extend(inside);
    if vpc_peer {
        vpc.node(
            &ids.get("peer vpc"),
            format!("VPC CIDR {}", net.cidr),
            NodeKind::Peer,
        );
    }
    if !sgs.is_empty() {
        vpc.clusters.push(sgs);
    }

    // firewall inspection
    if let Some(fw) = &net.firewall {
        let fwid = ids.get("firewall");
        for t in &fw.inspect {
            if let Some(tid) = tier_ids.get(t) {
                edges.push((
                    tid.clone(),
                    fwid.clone(),
                    "inspected".into(),
                    EdgeKind::Inspect,
                    false,
                ));
            }
        }
    }
    // endpoints → AWS service APIs
    if !net.endpoints.is_empty() {
        let aws = ids.get("aws");
        g.nodes.push(Node {
            id: aws.clone(),
            label: "AWS service APIs".into(),
            kind: NodeKind::External,
        });
        for (svc, ep) in &net.endpoints {
            let eid = ids.get(&format!("endpoint {svc}"));
            match ep.kind {
                EndpointType::Gateway => {
                    for t in &ep.tiers {
                        if let Some(tid) = tier_ids.get(t) {
                            edges.push((
                                tid.clone(),
                                eid.clone(),
                                "route".into(),
                                EdgeKind::Route,
                                false,
                            ));
                        }
                    }
                    edges.push((eid, aws.clone(), "gateway".into(), EdgeKind::Route, false));
                }
                EndpointType::Interface => {
                    edges.push((
                        eid,
                        aws.clone(),
                        "PrivateLink".into(),
                        EdgeKind::Route,
                        false,
                    ));
                }
            }
        }
    }
    // NAT egress
    if net.internet == crate::spec::Internet::Nat {
        let nat = ids.get("nat");
        let igw = ids.get("igw");
        for (name, t) in &net.tiers {
            if t.egress == crate::spec::Egress::Nat {
                edges.push((
                    tier_ids[name].clone(),
                    nat.clone(),
                    "0.0.0.0/0".into(),
                    EdgeKind::Route,
                    false,
                ));
            }
        }
        if first_public.is_some() {
            edges.push((nat, igw.clone(), String::new(), EdgeKind::Route, false));
        }
        edges.push((igw, internet, "0.0.0.0/0".into(), EdgeKind::Route, false));
    }

    g.clusters.push(vpc);
    g.nodes.extend(outside);
    for (a, b, label, kind, both) in edges {
        g.edge(&a, &b, label, kind, both);
    }
    g
}

// ------------------------------------------------------------------------------------------------
// resources view
// ------------------------------------------------------------------------------------------------

/// The resources view: one node per block, one subgraph per concern, reference edges.
pub fn resources_graph(module: &Module, title: &str) -> Graph {
    let mut ids = Ids::default();
    let mut g = Graph {
        title: format!("{title} — resources"),
        ..Graph::default()
    };
    let key = |a: &Address| a.tf();
    for concern in crate::ir::Concern::ALL {
        let mut c = Cluster::new(
            &ids.get(&format!("concern {}", concern.name())),
            concern.name(),
            ClusterKind::Group,
        );
        for b in module.blocks().filter(|b| b.concern == concern) {
            let kind = match b.addr.kind {
                Kind::Resource => NodeKind::Resource,
                Kind::Data | Kind::Ephemeral => NodeKind::Data,
            };
            c.node(&ids.get(&key(&b.addr)), key(&b.addr), kind);
        }
        if !c.is_empty() {
            g.clusters.push(c);
        }
    }
    let known: BTreeSet<String> = module.blocks().map(|b| key(&b.addr)).collect();
    for b in module.blocks() {
        let from = ids.get(&key(&b.addr));
        let mut refs = Vec::new();
        b.body.refs(&mut refs);
        let refs: BTreeSet<String> = refs.iter().map(key).filter(|k| known.contains(k)).collect();
        for r in &refs {
            if *r != key(&b.addr) {
                let to = ids.get(r);
                g.edge(&from, &to, "", EdgeKind::Ref, false);
            }
        }
        let deps: BTreeSet<String> = b
            .depends_on
            .iter()
            .map(key)
            .filter(|k| known.contains(k))
            .collect();
        for d in deps.difference(&refs) {
            let to = ids.get(d);
            g.edge(&from, &to, "depends_on", EdgeKind::DependsOn, false);
        }
    }
    g
}

// ------------------------------------------------------------------------------------------------
// printers
// ------------------------------------------------------------------------------------------------

fn mermaid_text(s: &str) -> String {
    s.replace('&', "#amp;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
        .replace('\n', "<br/>")
}

fn mermaid_shape(kind: NodeKind, label: &str) -> String {
    let l = mermaid_text(label);
    match kind {
        NodeKind::External => format!("([\"{l}\"])"),
        NodeKind::Firewall => format!("{{{{\"{l}\"}}}}"),
        NodeKind::Endpoint => format!("[/\"{l}\"/]"),
        NodeKind::SecurityGroup => format!("[[\"{l}\"]]"),
        NodeKind::Gateway => format!("((\"{l}\"))"),
        NodeKind::Data => format!("[(\"{l}\")]"),
        NodeKind::Note => format!(">\"{l}\"]"),
        _ => format!("[\"{l}\"]"),
    }
}

fn class_name(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::External => "external",
        NodeKind::Subnet => "subnet",
        NodeKind::Firewall => "firewall",
        NodeKind::Endpoint => "endpoint",
        NodeKind::SecurityGroup => "sg",
        NodeKind::Peer => "peer",
        NodeKind::Gateway => "gateway",
        NodeKind::Resource => "resource",
        NodeKind::Data => "data",
        NodeKind::Note => "note",
    }
}

const CLASSES: [(&str, &str, &str); 10] = [
    ("external", "#fdecea", "#c0392b"),
    ("subnet", "#eaf2fb", "#2e6da4"),
    ("firewall", "#fff4e0", "#d35400"),
    ("endpoint", "#eafaf1", "#1e8449"),
    ("sg", "#f4ecf7", "#7d3c98"),
    ("peer", "#f2f3f4", "#5d6d7e"),
    ("gateway", "#fef9e7", "#b7950b"),
    ("resource", "#eaf2fb", "#2e6da4"),
    ("data", "#f2f3f4", "#5d6d7e"),
    ("note", "#fdfefe", "#5d6d7e"),
];

/// Mermaid flowchart text.
pub fn to_mermaid(g: &Graph) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "%% {} (generated by ztc graph)",
        g.title.replace('\n', " ")
    );
    s.push_str("flowchart LR\n");
    fn cluster(
        s: &mut String,
        c: &Cluster,
        depth: usize,
        used: &mut BTreeMap<&'static str, Vec<String>>,
    ) {
        let pad = "  ".repeat(depth);
        let _ = writeln!(s, "{pad}subgraph {}[\"{}\"]", c.id, mermaid_text(&c.label));
        let _ = writeln!(s, "{pad}  direction TB");
        for n in &c.nodes {
            let _ = writeln!(s, "{pad}  {}{}", n.id, mermaid_shape(n.kind, &n.label));
            used.entry(class_name(n.kind))
                .or_default()
                .push(n.id.clone());
        }
        for sub in &c.clusters {
            cluster(s, sub, depth + 1, used);
        }
        let _ = writeln!(s, "{pad}end");
    }
    let mut owned: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for n in &g.nodes {
        let _ = writeln!(s, "  {}{}", n.id, mermaid_shape(n.kind, &n.label));
        owned
            .entry(class_name(n.kind))
            .or_default()
            .push(n.id.clone());
    }
    for c in &g.clusters {
        cluster(&mut s, c, 1, &mut owned);
    }
    let mut link_styles: BTreeMap<&'static str, Vec<usize>> = BTreeMap::new();
    for (i, e) in g.edges.iter().enumerate() {
        let arrow = match e.kind {
            EdgeKind::Allow | EdgeKind::Ref => "-->",
            EdgeKind::Deny if e.both => "x--x",
            EdgeKind::Deny => "--x",
            EdgeKind::Route | EdgeKind::DependsOn => "-.->",
            EdgeKind::Inspect => "==>",
        };
        if e.label.is_empty() {
            let _ = writeln!(s, "  {} {arrow} {}", e.from, e.to);
        } else {
            let _ = writeln!(
                s,
                "  {} {arrow}|\"{}\"| {}",
                e.from,
                mermaid_text(&e.label),
                e.to
            );
        }
        let style = match e.kind {
            EdgeKind::Deny => "stroke:#c0392b,color:#c0392b",
            EdgeKind::Inspect => "stroke:#d35400,color:#d35400",
            EdgeKind::Allow => "stroke:#1e8449",
            _ => continue,
        };
        link_styles.entry(style).or_default().push(i);
    }
    for (name, fill, stroke) in CLASSES {
        if owned.contains_key(name) {
            let _ = writeln!(
                s,
                "  classDef {name} fill:{fill},stroke:{stroke},color:#1b2631"
            );
        }
    }
    for (name, members) in &owned {
        let _ = writeln!(s, "  class {} {name}", members.join(","));
    }
    fn styles(s: &mut String, c: &Cluster) {
        match c.kind {
            ClusterKind::Boundary => {
                let _ = writeln!(
                    s,
                    "  style {} fill:#fbfcfc,stroke:#c0392b,stroke-width:2px,stroke-dasharray:6 4",
                    c.id
                );
            }
            ClusterKind::Tier => {
                let _ = writeln!(s, "  style {} fill:#f4f8fb,stroke:#2e6da4", c.id);
            }
            ClusterKind::Group => {
                let _ = writeln!(s, "  style {} fill:#fdfefe,stroke:#aab7b8", c.id);
            }
        }
        c.clusters.iter().for_each(|x| styles(s, x));
    }
    g.clusters.iter().for_each(|c| styles(&mut s, c));
    for (style, idx) in &link_styles {
        let list: Vec<String> = idx.iter().map(usize::to_string).collect();
        let _ = writeln!(s, "  linkStyle {} {style}", list.join(","));
    }
    s
}

fn dot_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

fn dot_node(n: &Node) -> String {
    let (shape, class) = (
        match n.kind {
            NodeKind::External => "ellipse",
            NodeKind::Firewall => "hexagon",
            NodeKind::Endpoint => "parallelogram",
            NodeKind::SecurityGroup => "component",
            NodeKind::Gateway => "circle",
            NodeKind::Data => "cylinder",
            NodeKind::Note => "note",
            _ => "box",
        },
        class_name(n.kind),
    );
    let (fill, stroke) = CLASSES
        .iter()
        .find(|(c, _, _)| *c == class)
        .map(|(_, f, s)| (*f, *s))
        .unwrap_or(("#ffffff", "#000000"));
    format!(
        "\"{}\" [label=\"{}\", shape={shape}, fillcolor=\"{fill}\", color=\"{stroke}\"];",
        n.id,
        dot_text(&n.label)
    )
}

/// Graphviz DOT text.
pub fn to_dot(g: &Graph) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "// {} (generated by ztc graph)",
        g.title.replace('\n', " ")
    );
    s.push_str("digraph ztc {\n");
    let _ = writeln!(
        s,
        "  graph [rankdir=LR, compound=true, newrank=true, fontname=\"Helvetica\", fontsize=16, labelloc=t, label=\"{}\", nodesep=0.3, ranksep=0.6];",
        dot_text(&g.title)
    );
    s.push_str(
        "  node [fontname=\"Helvetica\", fontsize=11, style=\"filled,rounded\", penwidth=1.2];\n",
    );
    s.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#566573\", fontcolor=\"#34495e\"];\n",
    );
    for n in &g.nodes {
        let _ = writeln!(s, "  {}", dot_node(n));
    }
    fn cluster(s: &mut String, c: &Cluster, depth: usize) {
        let pad = "  ".repeat(depth);
        let _ = writeln!(s, "{pad}subgraph \"cluster_{}\" {{", c.id);
        let style = match c.kind {
            ClusterKind::Boundary => {
                "style=\"dashed,rounded\", color=\"#c0392b\", penwidth=2, bgcolor=\"#fbfcfc\""
            }
            ClusterKind::Tier => {
                "style=\"rounded,filled\", color=\"#2e6da4\", fillcolor=\"#f4f8fb\""
            }
            ClusterKind::Group => "style=\"rounded\", color=\"#aab7b8\"",
        };
        let _ = writeln!(
            s,
            "{pad}  graph [label=\"{}\", fontsize=12, {style}];",
            dot_text(&c.label)
        );
        for n in &c.nodes {
            let _ = writeln!(s, "{pad}  {}", dot_node(n));
        }
        for sub in &c.clusters {
            cluster(s, sub, depth + 1);
        }
        let _ = writeln!(s, "{pad}}}");
    }
    for c in &g.clusters {
        cluster(&mut s, c, 1);
    }
    for e in &g.edges {
        let mut attrs: Vec<String> = Vec::new();
        let end = |id: &str, head: bool, attrs: &mut Vec<String>| -> String {
            match g.cluster(id) {
                Some(c) => {
                    attrs.push(format!(
                        "{}=\"cluster_{}\"",
                        if head { "lhead" } else { "ltail" },
                        c.id
                    ));
                    c.anchor().unwrap_or(id).to_string()
                }
                None => id.to_string(),
            }
        };
        let from = end(&e.from, false, &mut attrs);
        let to = end(&e.to, true, &mut attrs);
        if !e.label.is_empty() {
            attrs.push(format!("label=\"{}\"", dot_text(&e.label)));
        }
        match e.kind {
            EdgeKind::Deny => {
                attrs.push(
                    "color=\"#c0392b\", fontcolor=\"#c0392b\", arrowhead=tee, style=bold".into(),
                );
                if e.both {
                    attrs.push("dir=both, arrowtail=tee".into());
                }
            }
            EdgeKind::Inspect => {
                attrs.push("color=\"#d35400\", fontcolor=\"#d35400\", penwidth=2".into())
            }
            EdgeKind::Route | EdgeKind::DependsOn => attrs.push("style=dashed".into()),
            EdgeKind::Allow => attrs.push("color=\"#1e8449\"".into()),
            EdgeKind::Ref => {}
        }
        let _ = writeln!(s, "  \"{from}\" -> \"{to}\" [{}];", attrs.join(", "));
    }
    s.push_str("}\n");
    s
}

// ------------------------------------------------------------------------------------------------
// command
// ------------------------------------------------------------------------------------------------

/// Render the compiled spec in the given view and format; Err(exit code) after printing why.
pub fn render(
    c: &Compiled,
    title: &str,
    view: GraphView,
    format: GraphFormat,
) -> Result<String, String> {
    let g = match view {
        GraphView::Network => {
            let spec = c
                .spec
                .as_ref()
                .ok_or("the spec does not match the schema")?;
            network_graph(spec, c.module.as_ref(), title)
        }
        GraphView::Resources => {
            let m = c
                .module
                .as_ref()
                .ok_or("the spec has errors; the resource graph needs a spec that compiles")?;
            resources_graph(m, title)
        }
    };
    Ok(match format {
        GraphFormat::Mermaid => to_mermaid(&g),
        GraphFormat::Dot => to_dot(&g),
    })
}

/// Run `ztc graph`; returns the exit code.
pub fn run(args: GraphArgs, color: bool, limits: crate::yaml::Limits) -> i32 {
    let bytes = match crate::cli::read(&args.spec, &limits) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INPUT;
        }
    };
    let c = compile(
        &args.spec.display().to_string(),
        &bytes,
        &Options { limits },
    );
    let title = args
        .spec
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "spec".into());
    let text = match render(&c, &title, args.view, args.format) {
        Ok(t) => t,
        Err(why) => {
            let blocking: Vec<_> = c
                .diagnostics
                .iter()
                .filter(|d| d.is_blocking())
                .cloned()
                .collect();
            eprint!("{}", crate::diag::render(&blocking, &c.source, color, 100));
            eprintln!("error: cannot draw {}: {why}", args.spec.display());
            return if c.input_error {
                exit::INPUT
            } else {
                exit::FINDINGS
            };
        }
    };
    match &args.out {
        None => {
            print!("{text}");
            exit::OK
        }
        Some(p) => match std::fs::write(p, text) {
            Ok(()) => exit::OK,
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", p.display());
                exit::IO
            }
        },
    }
}
