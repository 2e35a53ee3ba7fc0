//! Network lowering: VPC, tiers of subnets per AZ, route tables, Network Firewall with routes
//! that send traffic through it, endpoints, security groups, NACLs and flow logs.

use super::{ident, Lowerer};
use crate::diag::Diagnostic;
use crate::ir::*;
use crate::spec::*;
use std::collections::BTreeMap;

/// Facts other sections need about the network.
#[derive(Default)]
pub struct NetFacts {
    pub vpc: Option<Address>,
    /// tier → subnet addresses (one per AZ) and CIDRs
    pub subnets: BTreeMap<String, Vec<(Address, String)>>,
    /// tier → route tables (one per AZ for inspected tiers, else one)
    pub route_tables: BTreeMap<String, Vec<Address>>,
}

/// Parse `a.b.c.d/n`.
pub fn parse_cidr(s: &str) -> Option<(u32, u8)> {
    let (ip, len) = s.split_once('/')?;
    let len: u8 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let mut v: u32 = 0;
    let octets: Vec<&str> = ip.split('.').collect();
    if octets.len() != 4 {
        return None;
    }
    for o in octets {
        v = (v << 8) | o.parse::<u8>().ok()? as u32;
    }
    Some((v, len))
}

pub fn fmt_cidr(ip: u32, len: u8) -> String {
    format!(
        "{}.{}.{}.{}/{}",
        ip >> 24,
        (ip >> 16) & 255,
        (ip >> 8) & 255,
        ip & 255,
        len
    )
}

fn mask(len: u8) -> u32 {
    if len == 0 {
        0
    } else {
        u32::MAX << (32 - len)
    }
}

fn contains(outer: (u32, u8), inner: (u32, u8)) -> bool {
    inner.1 >= outer.1 && (inner.0 & mask(outer.1)) == outer.0
}

fn overlaps(a: (u32, u8), b: (u32, u8)) -> bool {
    contains(a, b) || contains(b, a)
}

pub fn lower(l: &mut Lowerer<'_>) {
    let Some(net) = l.spec.network.clone() else {
        return;
    };
    let vpc_name = ident(&net.name);
    let span = l.key_span(&["network"]);
    let Some(vpc_cidr) = parse_cidr(&net.cidr).filter(|(ip, len)| ip & !mask(*len) == 0) else {
        l.diags.push(
            Diagnostic::error(super::codes::CIDR, format!("`{}` is not a valid network CIDR", net.cidr))
                .at(l.span(&["network", "cidr"]))
                .label("invalid CIDR")
                .help("write the network address with its prefix length, e.g. `10.0.0.0/16` (host bits zero)"),
        );
        return;
    };
    let vpc = l.resource(
        "aws_vpc",
        &vpc_name,
        Concern::Networking,
        "network",
        span,
        Body::new()
            .attr("cidr_block", Expr::str(&net.cidr))
            .attr("enable_dns_support", Expr::Bool(net.dns))
            .attr("enable_dns_hostnames", Expr::Bool(net.dns))
            .attr("tags", l.name_tag(&net.name)),
    );
    l.net.vpc = Some(vpc.clone());
    let mut az_body = Body::new().attr("state", Expr::str("available"));
    if !net.zone_ids.is_empty() {
        if net.zone_ids.len() < net.azs as usize {
            l.diags.push(
                Diagnostic::error(
                    super::codes::CIDR,
                    format!("{} zone IDs pinned for {} AZs", net.zone_ids.len(), net.azs),
                )
                .at(l.span(&["network", "zone_ids"]))
                .label("too few zones")
                .help("list at least as many zone IDs as `azs`"),
            );
        }
        az_body.push_block(
            "filter",
            Body::new()
                .attr("name", Expr::str("zone-id"))
                .attr("values", Expr::list_str(net.zone_ids.clone())),
        );
    }
    let azs = l.data(
        "aws_availability_zones",
        "available",
        Concern::Networking,
        "network",
        az_body,
    );

    // ---- subnets: allocate CIDRs in tier-name order -----------------------------------------
    let mut next = vpc_cidr.0;
    let mut taken: Vec<((u32, u8), String)> = Vec::new();
    for (tier, t) in &net.tiers {
        let at = ["network", "tiers", tier.as_str()];
        let cidrs: Vec<(u32, u8)> = if !t.cidrs.is_empty() {
            let mut v = Vec::new();
            for (i, c) in t.cidrs.iter().enumerate() {
                let here = ["network", "tiers", tier.as_str(), "cidrs", &i.to_string()];
                match parse_cidr(c).filter(|(ip, len)| ip & !mask(*len) == 0) {
                    Some(p) if contains(vpc_cidr, p) => v.push(p),
                    _ => l.diags.push(
                        Diagnostic::error(
                            super::codes::CIDR,
                            format!("subnet `{c}` is not a CIDR inside the VPC's {}", net.cidr),
                        )
                        .at(l.span(&here))
                        .label("outside the VPC or malformed")
                        .help("use a network address inside the VPC CIDR"),
                    ),
                }
            }
            if v.len() != net.azs as usize {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::CIDR,
                        format!(
                            "tier `{tier}` lists {} CIDRs for {} AZs",
                            t.cidrs.len(),
                            net.azs
                        ),
                    )
                    .at(l.span(&["network", "tiers", tier, "cidrs"]))
                    .label("one CIDR per AZ")
                    .help("give exactly one subnet CIDR per Availability Zone"),
                );
                continue;
            }
            v
        } else if let Some(prefix) = t.prefix {
            if prefix < vpc_cidr.1 {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::CIDR,
                        format!(
                            "tier `{tier}`: /{prefix} subnets do not fit in the /{} VPC",
                            vpc_cidr.1
                        ),
                    )
                    .at(l.span(&["network", "tiers", tier, "prefix"]))
                    .label("too large")
                    .help("use a longer prefix (smaller subnets)"),
                );
                continue;
            }
            let size: u64 = 1u64 << (32 - prefix);
            let mut v = Vec::new();
            for _ in 0..net.azs {
                let start = ((next as u64).div_ceil(size) * size) as u32;
                let end = start as u64 + size;
                if end > vpc_cidr.0 as u64 + (1u64 << (32 - vpc_cidr.1)) {
                    break;
                }
                v.push((start, prefix));
                next = end as u32;
            }
            if v.len() != net.azs as usize {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::CIDR,
                        format!("the VPC {} has no room left for tier `{tier}`", net.cidr),
                    )
                    .at(l.key_span(&at))
                    .label("does not fit")
                    .help("use a larger VPC CIDR or smaller subnets"),
                );
                continue;
            }
            v
        } else {
            l.diags.push(
                Diagnostic::error(
                    super::codes::CIDR,
                    format!("tier `{tier}` needs `prefix` or `cidrs`"),
                )
                .at(l.key_span(&at))
                .label("no subnet size")
                .help("add `prefix: 24` (one /24 per AZ, allocated for you) or `cidrs: [...]`"),
            );
            continue;
        };
        let mut subs = Vec::new();
        for (i, c) in cidrs.iter().enumerate() {
            let cidr = fmt_cidr(c.0, c.1);
            if let Some((_, other)) = taken.iter().find(|(o, _)| overlaps(*o, *c)) {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::CIDR,
                        format!("subnet {cidr} of tier `{tier}` overlaps tier `{other}`"),
                    )
                    .at(l.key_span(&at))
                    .label("overlap")
                    .help("give the tiers disjoint CIDRs"),
                );
            }
            taken.push((*c, tier.clone()));
            let az = i + 1;
            let name = format!("{tier}-az{az}");
            let a = l.resource(
                "aws_subnet",
                &ident(&name),
                Concern::Networking,
                &format!("network.tiers.{tier}"),
                l.key_span(&at),
                Body::new()
                    .attr("vpc_id", vpc.attr("id"))
                    .attr("cidr_block", Expr::str(&cidr))
                    .attr(
                        "availability_zone",
                        azs.path(vec![Step::Attr("names".into()), Step::Index(i as i64)]),
                    )
                    .attr("map_public_ip_on_launch", Expr::Bool(false))
                    .attr("tags", l.name_tag(&format!("{}-{name}", net.name))),
            );
            subs.push((a, cidr));
        }
        l.net.subnets.insert(tier.clone(), subs);
    }

    // ---- route tables -------------------------------------------------------------------
    let inspected: Vec<String> = net
        .firewall
        .as_ref()
        .map(|f| f.inspect.clone())
        .unwrap_or_default();
    for (tier, subs) in l.net.subnets.clone() {
        let origin = format!("network.tiers.{tier}");
        let span = l.key_span(&["network", "tiers", &tier]);
        let per_az = inspected.contains(&tier);
        let mut rts = Vec::new();
        if per_az {
            for (i, _) in subs.iter().enumerate() {
                let n = format!("{tier}-az{}", i + 1);
                rts.push(
                    l.resource(
                        "aws_route_table",
                        &ident(&n),
                        Concern::Networking,
                        &origin,
                        span,
                        Body::new()
                            .attr("vpc_id", vpc.attr("id"))
                            .attr("tags", l.name_tag(&format!("{}-{n}", net.name))),
                    ),
                );
            }
        } else {
            rts.push(
                l.resource(
                    "aws_route_table",
                    &ident(&tier),
                    Concern::Networking,
                    &origin,
                    span,
                    Body::new()
                        .attr("vpc_id", vpc.attr("id"))
                        .attr("tags", l.name_tag(&format!("{}-{tier}", net.name))),
                ),
            );
        }
        for (i, (s, _)) in subs.iter().enumerate() {
            let rt = if per_az { &rts[i] } else { &rts[0] };
            l.resource(
                "aws_route_table_association",
                &s.name,
                Concern::Networking,
                &origin,
                span,
                Body::new()
                    .attr("subnet_id", s.attr("id"))
                    .attr("route_table_id", rt.attr("id")),
            );
        }
        l.net.route_tables.insert(tier, rts);
    }

    internet(l, &net, &vpc);
    if let Some(fw) = &net.firewall {
        firewall(l, &net, fw, &vpc);
    }
    endpoints(l, &net, &vpc);
    security_groups(l, &net, &vpc);
    nacls(l, &net, &vpc);
    flow_logs(l, &net, &vpc);
}

/// `internet: nat`: an internet gateway for the public tier, one NAT gateway in its first subnet,
/// and default routes to the NAT for tiers with `egress: nat`.
fn internet(l: &mut Lowerer<'_>, net: &Network, vpc: &Address) {
    let public: Vec<&String> = net
        .tiers
        .iter()
        .filter(|(_, t)| t.role == TierRole::Public)
        .map(|(n, _)| n)
        .collect();
    let nat_tiers: Vec<&String> = net
        .tiers
        .iter()
        .filter(|(_, t)| t.egress == Egress::Nat)
        .map(|(n, _)| n)
        .collect();
    if net.internet == Internet::None {
        for t in public.iter().chain(nat_tiers.iter()) {
            l.diags.push(
                Diagnostic::error(super::codes::UNKNOWN_REF, format!("tier `{t}` needs internet access, but `network.internet` is `none`"))
                    .at(l.key_span(&["network", "tiers", t]))
                    .label("public tier or NAT egress in a private-only VPC")
                    .help("remove `role: public` / `egress: nat`, or set `network.internet: nat` (an explicit opt-in)"),
            );
        }
        return;
    }
    let span = l.span(&["network", "internet"]);
    let Some(pub_tier) = public.first().map(|s| s.to_string()) else {
        l.diags.push(
            Diagnostic::error(super::codes::UNKNOWN_REF, "`internet: nat` needs a tier with `role: public` for the NAT gateway")
                .at(span)
                .label("no public tier")
                .help("add e.g. `public: {prefix: 28, role: public}` under `network.tiers` (a NAT gateway in a private subnet has no way out, C6)"),
        );
        return;
    };
    let origin = "network.internet";
    let base = ident(&net.name);
    let igw = l.resource(
        "aws_internet_gateway",
        &base,
        Concern::Networking,
        origin,
        span,
        Body::new()
            .attr("vpc_id", vpc.attr("id"))
            .attr("tags", l.name_tag(&format!("{}-igw", net.name))),
    );
    for rt in l
        .net
        .route_tables
        .get(&pub_tier)
        .cloned()
        .unwrap_or_default()
    {
        l.resource(
            "aws_route",
            &format!("{}_internet", rt.name),
            Concern::Networking,
            origin,
            span,
            Body::new()
                .attr("route_table_id", rt.attr("id"))
                .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
                .attr("gateway_id", igw.attr("id")),
        );
    }
    let eip = l.resource(
        "aws_eip",
        &format!("{base}_nat"),
        Concern::Networking,
        origin,
        span,
        Body::new()
            .attr("domain", Expr::str("vpc"))
            .attr("tags", l.name_tag(&format!("{}-nat", net.name))),
    );
    let Some((subnet, _)) = l
        .net
        .subnets
        .get(&pub_tier)
        .and_then(|s| s.first())
        .cloned()
    else {
        return;
    };
    let nat = l.resource(
        "aws_nat_gateway",
        &base,
        Concern::Networking,
        origin,
        span,
        Body::new()
            .attr("allocation_id", eip.attr("id"))
            .attr("subnet_id", subnet.attr("id"))
            .attr("tags", l.name_tag(&format!("{}-nat", net.name))),
    );
    l.depends(&nat, igw);
    for t in &nat_tiers {
        for rt in l
            .net
            .route_tables
            .get(t.as_str())
            .cloned()
            .unwrap_or_default()
        {
            l.resource(
                "aws_route",
                &format!("{}_nat", rt.name),
                Concern::Networking,
                origin,
                l.key_span(&["network", "tiers", t, "egress"]),
                Body::new()
                    .attr("route_table_id", rt.attr("id"))
                    .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
                    .attr("nat_gateway_id", nat.attr("id")),
            );
        }
    }
    l.diags.push(
        Diagnostic::warning(super::codes::INTERNET, format!("tiers {} reach the internet through one NAT gateway", nat_tiers.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")))
            .at(span)
            .label("outbound internet access")
            .scope("network.internet")
            .pci(&["1.3.2", "1.4.1"])
            .help("egress from the cardholder-data environment is unrestricted by destination (route it through `network.firewall` to allowlist it), and a single NAT gateway is a single-AZ point of failure; waive with the reason if accepted"),
    );
}

fn tier_exists(l: &mut Lowerer<'_>, tier: &str, at: &[&str]) -> bool {
    let names: Vec<String> = l
        .spec
        .network
        .as_ref()
        .map(|n| n.tiers.keys().cloned().collect())
        .unwrap_or_default();
    if names.iter().any(|n| n == tier) {
        return true;
    }
    let mut d = Diagnostic::error(
        super::codes::UNKNOWN_REF,
        format!("`{tier}` is not a tier of `network.tiers`"),
    )
    .at(l.span(at))
    .label("unknown tier");
    d = match crate::validate::did_you_mean(tier, &names) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("tiers: {}", names.join(", "))),
    };
    l.diags.push(d);
    false
}

fn firewall(l: &mut Lowerer<'_>, net: &Network, fw: &Firewall, vpc: &Address) {
    let span = l.key_span(&["network", "firewall"]);
    let origin = "network.firewall";
    if !tier_exists(l, &fw.tier, &["network", "firewall", "tier"]) {
        return;
    }
    for (i, t) in fw.inspect.iter().enumerate() {
        tier_exists(l, t, &["network", "firewall", "inspect", &i.to_string()]);
    }
    let key = fw
        .key
        .as_ref()
        .and_then(|k| l.key_ref(k, &["network", "firewall", "key"]));
    let enc = key.as_ref().map(|k| {
        Body::new()
            .attr("key_id", k.attr("arn"))
            .attr("type", Expr::str("CUSTOMER_KMS"))
    });
    let base = ident(&fw.name);

    // rule group: TLS SNI allowlist on the allowed ports, strict order
    let mut targets: Vec<String> = fw
        .allow
        .iter()
        .flat_map(|a| a.sni.iter().cloned())
        .collect();
    targets.sort();
    targets.dedup();
    let ports: Vec<u32> = {
        let mut p: Vec<u32> = fw.allow.iter().map(|a| a.port).collect();
        p.sort();
        p.dedup();
        p
    };
    let mut rg_body = Body::new()
        .attr("name", l.name(&format!("{}-allow", fw.name)))
        .attr(
            "description",
            Expr::str(format!(
                "Allow TLS to {} on port {}",
                targets.join(", "),
                ports
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        )
        .attr("type", Expr::str("STATEFUL"))
        .attr("capacity", Expr::Int(fw.capacity as i64));
    let mut rule_group = Body::new()
        .block(
            "rule_variables",
            Body::new()
                .block(
                    "ip_sets",
                    Body::new().attr("key", Expr::str("HOME_NET")).block(
                        "ip_set",
                        Body::new().attr("definition", Expr::List(vec![vpc.attr("cidr_block")])),
                    ),
                )
                .block(
                    "port_sets",
                    Body::new().attr("key", Expr::str("HTTPS_PORTS")).block(
                        "port_set",
                        Body::new().attr(
                            "definition",
                            Expr::list_str(ports.iter().map(u32::to_string)),
                        ),
                    ),
                ),
        )
        .block(
            "rules_source",
            Body::new().block(
                "rules_source_list",
                Body::new()
                    .attr("generated_rules_type", Expr::str("ALLOWLIST"))
                    .attr("target_types", Expr::list_str(["TLS_SNI"]))
                    .attr("targets", Expr::list_str(targets.clone())),
            ),
        );
    rule_group.push_block(
        "stateful_rule_options",
        Body::new().attr("rule_order", Expr::str("STRICT_ORDER")),
    );
    rg_body.push_block("rule_group", rule_group);
    if let Some(e) = &enc {
        rg_body.push_block("encryption_configuration", e.clone());
    }
    let rg = l.resource(
        "aws_networkfirewall_rule_group",
        &format!("{base}_allow"),
        Concern::Security,
        origin,
        span,
        rg_body,
    );

    let (drop, alert) = match fw.default_action {
        FwDefault::DropEstablished => ("aws:drop_established", "aws:alert_established"),
        FwDefault::DropStrict => ("aws:drop_strict", "aws:alert_strict"),
    };
    let mut pol = Body::new()
        .attr(
            "stateless_default_actions",
            Expr::list_str(["aws:forward_to_sfe"]),
        )
        .attr(
            "stateless_fragment_default_actions",
            Expr::list_str(["aws:forward_to_sfe"]),
        )
        .attr("stateful_default_actions", Expr::list_str([drop, alert]))
        .block(
            "stateful_engine_options",
            Body::new().attr("rule_order", Expr::str("STRICT_ORDER")),
        )
        .block(
            "stateful_rule_group_reference",
            Body::new()
                .attr("priority", Expr::Int(100))
                .attr("resource_arn", rg.attr("arn")),
        );
    if fw.allow.iter().any(|a| a.port != 443) {
        // informational: non-443 TLS is allowed as declared
    }
    let mut pol_body = Body::new()
        .attr("name", l.name(&format!("{}-policy", fw.name)))
        .attr(
            "description",
            Expr::str("Deny by default; pass only the allowlisted TLS server names"),
        );
    pol_body.push_block("firewall_policy", std::mem::take(&mut pol));
    if let Some(e) = &enc {
        pol_body.push_block("encryption_configuration", e.clone());
    }
    let policy = l.resource(
        "aws_networkfirewall_firewall_policy",
        &format!("{base}_policy"),
        Concern::Security,
        origin,
        span,
        pol_body,
    );

    let fw_subnets = l.net.subnets.get(&fw.tier).cloned().unwrap_or_default();
    let mut fw_body = Body::new()
        .attr("name", l.name(&fw.name))
        .attr(
            "description",
            Expr::str("Inspects traffic between the private tiers and the AWS service endpoints"),
        )
        .attr("vpc_id", vpc.attr("id"))
        .attr("firewall_policy_arn", policy.attr("arn"))
        .attr("delete_protection", Expr::Bool(fw.protect))
        .attr("subnet_change_protection", Expr::Bool(fw.protect))
        .attr("firewall_policy_change_protection", Expr::Bool(fw.protect));
    for (s, _) in &fw_subnets {
        fw_body.push_block(
            "subnet_mapping",
            Body::new().attr("subnet_id", s.attr("id")),
        );
    }
    if let Some(e) = &enc {
        fw_body.push_block("encryption_configuration", e.clone());
    }
    fw_body.push_attr("tags", l.name_tag(&fw.name));
    // the firewall comes first: it is the element's primary block for scanner skips
    let fw_addr = Address::resource("aws_networkfirewall_firewall", &base);
    let fw_block = Block {
        addr: fw_addr.clone(),
        body: fw_body,
        concern: Concern::Security,
        span,
        origin: origin.into(),
        depends_on: vec![],
        skips: vec![],
        comment: Some(
            "Network Firewall: one endpoint per AZ in the dedicated firewall tier".into(),
        ),
        provider: None,
    };
    let first = l
        .module
        .resources
        .iter()
        .position(|b| b.addr == rg)
        .unwrap_or(l.module.resources.len());
    l.module.resources.insert(first, fw_block);

    if let Some(lg) = &fw.logging {
        let flow = l.log_ref(&lg.flow, &["network", "firewall", "logging", "flow"]);
        let alert = l.log_ref(&lg.alert, &["network", "firewall", "logging", "alert"]);
        if let (Some(flow), Some(alert)) = (flow, alert) {
            let mut cfg = Body::new();
            for (ty, g) in [("FLOW", &flow), ("ALERT", &alert)] {
                cfg.push_block(
                    "log_destination_config",
                    Body::new()
                        .attr("log_type", Expr::str(ty))
                        .attr("log_destination_type", Expr::str("CloudWatchLogs"))
                        .attr("log_destination", Expr::obj([("logGroup", g.attr("name"))])),
                );
            }
            l.resource(
                "aws_networkfirewall_logging_configuration",
                &base,
                Concern::Monitoring,
                origin,
                l.key_span(&["network", "firewall", "logging"]),
                Body::new()
                    .attr("firewall_arn", fw_addr.attr("arn"))
                    .block("logging_configuration", cfg),
            );
        }
    }

    // routes: flows between inspected tiers cross the firewall endpoint in the AZ of the
    // first-listed tier's subnet, in both directions (stateful inspection needs symmetry)
    let endpoint_of = |subnet: &Address| -> Expr {
        let coll = fw_addr.path(vec![
            Step::Attr("firewall_status".into()),
            Step::Index(0),
            Step::Attr("sync_states".into()),
        ]);
        let s = |attr: &str| {
            Expr::Ref(Ref {
                target: RefTarget::Local("s".into()),
                path: vec![
                    Step::Attr("attachment".into()),
                    Step::Index(0),
                    Step::Attr(attr.into()),
                ],
            })
        };
        Expr::Index(
            Box::new(Expr::For {
                var: "s".into(),
                coll: Box::new(coll),
                value: Box::new(s("endpoint_id")),
                cond: Some(Box::new(Expr::Eq(
                    Box::new(s("subnet_id")),
                    Box::new(subnet.attr("id")),
                ))),
            }),
            Box::new(Expr::Int(0)),
        )
    };
    let rspan = l.key_span(&["network", "firewall", "inspect"]);
    for (ai, a) in fw.inspect.iter().enumerate() {
        for b in fw.inspect.iter().skip(ai + 1) {
            let (Some(asubs), Some(bsubs)) =
                (l.net.subnets.get(a).cloned(), l.net.subnets.get(b).cloned())
            else {
                continue;
            };
            let (Some(art), Some(brt)) = (
                l.net.route_tables.get(a).cloned(),
                l.net.route_tables.get(b).cloned(),
            ) else {
                continue;
            };
            for (i, (asub, acidr)) in asubs.iter().enumerate() {
                let Some((fw_sub, _)) = fw_subnets.get(i) else {
                    continue;
                };
                let ep = endpoint_of(fw_sub);
                for (j, (_, bcidr)) in bsubs.iter().enumerate() {
                    l.resource(
                        "aws_route",
                        &format!("{}_to_{}_az{}", asub.name, ident(b), j + 1),
                        Concern::Networking,
                        origin,
                        rspan,
                        Body::new()
                            .attr("route_table_id", art[i].attr("id"))
                            .attr("destination_cidr_block", Expr::str(bcidr))
                            .attr("vpc_endpoint_id", ep.clone()),
                    );
                    l.resource(
                        "aws_route",
                        &format!("{}_az{}_to_{}", ident(b), j + 1, asub.name),
                        Concern::Networking,
                        origin,
                        rspan,
                        Body::new()
                            .attr("route_table_id", brt[j].attr("id"))
                            .attr("destination_cidr_block", Expr::str(acidr))
                            .attr("vpc_endpoint_id", ep.clone()),
                    );
                }
            }
        }
    }
    l.note(
        rspan,
        "network.firewall",
        format!(
            "traffic between tiers {} is routed through the firewall endpoints (more-specific VPC routes per subnet, symmetric per flow); traffic inside one subnet and to gateway endpoints is not inspected",
            fw.inspect.join(", ")
        ),
        "this is how Network Firewall inspects a VPC without an internet gateway",
    );
    let _ = net;
}

/// The tiers an endpoint names that exist (an error for each that does not), in spec order.
fn endpoint_tiers(l: &mut Lowerer<'_>, svc: &str, tiers: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, t) in tiers.iter().enumerate() {
        if tier_exists(
            l,
            t,
            &["network", "endpoints", svc, "tiers", &i.to_string()],
        ) {
            found.push(t.clone());
        }
    }
    found
}

fn endpoints(l: &mut Lowerer<'_>, net: &Network, vpc: &Address) {
    for (svc, ep) in &net.endpoints {
        let at = ["network", "endpoints", svc.as_str()];
        let origin = format!("network.endpoints.{svc}");
        let span = l.key_span(&at);
        let mut body = Body::new().attr("vpc_id", vpc.attr("id")).attr(
            "service_name",
            l.in_region("com.amazonaws.", &format!(".{svc}")),
        );
        match ep.kind {
            EndpointType::Gateway => {
                let rts: Vec<Expr> = endpoint_tiers(l, svc, &ep.tiers)
                    .iter()
                    .flat_map(|t| l.net.route_tables.get(t).into_iter().flatten())
                    .map(|a| a.attr("id"))
                    .collect();
                if ep.security_group.is_some() {
                    l.diags.push(
                        Diagnostic::error(
                            super::codes::UNKNOWN_REF,
                            "gateway endpoints cannot have a security group",
                        )
                        .at(l.span(&["network", "endpoints", svc, "security_group"]))
                        .label("not allowed on a gateway endpoint")
                        .help("remove `security_group`, or use `type: interface`"),
                    );
                }
                body = body
                    .attr("vpc_endpoint_type", Expr::str("Gateway"))
                    .attr("route_table_ids", Expr::List(rts));
                l.note(span, &origin, format!("`{svc}` is a gateway endpoint: a route-table entry, not PrivateLink, and it has no DNS names"), "use `type: interface` if PrivateLink is required");
            }
            EndpointType::Interface => {
                let subnets: Vec<Expr> = endpoint_tiers(l, svc, &ep.tiers)
                    .iter()
                    .flat_map(|t| l.net.subnets.get(t).into_iter().flatten())
                    .map(|(a, _)| a.attr("id"))
                    .collect();
                body = body
                    .attr("vpc_endpoint_type", Expr::str("Interface"))
                    .attr("subnet_ids", Expr::List(subnets))
                    .attr("private_dns_enabled", Expr::Bool(ep.private_dns));
                match &ep.security_group {
                    Some(sg) => {
                        let names: Vec<String> = net.security_groups.keys().cloned().collect();
                        if let Some(n) = l.resolve(&format!("security_groups.{sg}"), "security_groups", names.iter(), &["network", "endpoints", svc, "security_group"]) {
                            body = body.attr("security_group_ids", Expr::List(vec![Address::resource("aws_security_group", &ident(&n)).attr("id")]));
                        }
                    }
                    None => l.diags.push(
                        Diagnostic::error(super::codes::UNKNOWN_REF, "interface endpoints need a security group")
                            .at(span)
                            .label("no `security_group`")
                            .help("add `security_group: NAME` naming a group that allows only tcp/443 from the VPC"),
                    ),
                }
                if ep.private_dns && !net.dns {
                    l.diags.push(
                        Diagnostic::error(super::codes::UNKNOWN_REF, "private DNS on an interface endpoint needs VPC DNS support and hostnames")
                            .at(l.span(&["network", "dns"]))
                            .label("DNS is off")
                            .help("set `network.dns: true`, or `private_dns: false` on the endpoint"),
                    );
                }
            }
        }
        body.push_attr("tags", l.name_tag(&format!("{}-{svc}", net.name)));
        l.resource(
            "aws_vpc_endpoint",
            &ident(svc),
            Concern::Networking,
            &origin,
            span,
            body,
        );
    }
}

/// Peer of a rule: `vpc`, a CIDR or `security_groups.NAME`.
enum Peer {
    Cidr(Expr),
    Sg(Address),
}

fn peer(l: &mut Lowerer<'_>, net: &Network, vpc: &Address, s: &str, at: &[&str]) -> Option<Peer> {
    if s == "vpc" {
        return Some(Peer::Cidr(vpc.attr("cidr_block")));
    }
    if s.starts_with("security_groups.") {
        return l
            .resolve(s, "security_groups", net.security_groups.keys(), at)
            .map(|n| Peer::Sg(Address::resource("aws_security_group", &ident(&n))));
    }
    if parse_cidr(s).is_some() {
        return Some(Peer::Cidr(Expr::str(s)));
    }
    if let Some(v) = s.strip_prefix("var.") {
        if let Some(decl) = l.spec.variables.get(v).cloned() {
            let spec = crate::spec::VarSpec {
                var: v.to_string(),
                default: decl.default,
                description: Some(decl.description),
                sensitive: decl.sensitive,
            };
            return Some(Peer::Cidr(l.var(&spec, VarType::String, at)));
        }
    }
    l.diags.push(
        Diagnostic::error(
            super::codes::UNKNOWN_REF,
            format!("`{s}` is not `vpc`, a CIDR, `security_groups.NAME` or a declared `var.NAME`"),
        )
        .at(l.span(at))
        .label("unknown peer")
        .help("write `vpc`, a CIDR such as `10.0.0.0/16`, or `security_groups.NAME`"),
    );
    None
}

/// Port or range → (from, to) expressions.
fn ports(l: &mut Lowerer<'_>, p: &PortOrVar, at: &[&str]) -> (Expr, Expr) {
    match p {
        PortOrVar::Port(n) => (Expr::Int(*n as i64), Expr::Int(*n as i64)),
        PortOrVar::Range(r) => {
            let (a, b) = r.split_once('-').unwrap_or((r, r));
            let (a, b) = (a.parse::<i64>().unwrap_or(0), b.parse::<i64>().unwrap_or(0));
            if a > b || b > 65535 {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::UNKNOWN_REF,
                        format!("invalid port range `{r}`"),
                    )
                    .at(l.span(at))
                    .label("FROM must be ≤ TO ≤ 65535")
                    .help("write e.g. `1024-65535`"),
                );
            }
            (Expr::Int(a), Expr::Int(b))
        }
        PortOrVar::Var(v) => {
            let e = l.var(v, VarType::Number, at);
            (e.clone(), e)
        }
    }
}

fn proto(p: Protocol) -> &'static str {
    match p {
        Protocol::Tcp => "tcp",
        Protocol::Udp => "udp",
        Protocol::All => "-1",
    }
}

fn security_groups(l: &mut Lowerer<'_>, net: &Network, vpc: &Address) {
    // the default security group, adopted with no rules
    l.resource(
        "aws_default_security_group",
        "default",
        Concern::Security,
        "network.default_security_group",
        l.key_span(&["network"]),
        Body::new()
            .attr("vpc_id", vpc.attr("id"))
            .attr("tags", l.name_tag(&format!("{}-default-deny", net.name))),
    );
    for (name, sg) in &net.security_groups {
        let origin = format!("network.security_groups.{name}");
        let span = l.key_span(&["network", "security_groups", name]);
        let sg_addr = l.resource(
            "aws_security_group",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            Body::new()
                .attr("name", l.name(name))
                .attr("description", Expr::str(&sg.description))
                .attr("vpc_id", vpc.attr("id"))
                .attr("tags", l.name_tag(name)),
        );
        for (dir, rules, ty) in [
            (
                "ingress",
                &sg.ingress,
                "aws_vpc_security_group_ingress_rule",
            ),
            ("egress", &sg.egress, "aws_vpc_security_group_egress_rule"),
        ] {
            for (i, r) in rules.iter().enumerate() {
                let idx = i.to_string();
                let at = [
                    "network",
                    "security_groups",
                    name.as_str(),
                    dir,
                    idx.as_str(),
                ];
                if r.action == Some(RuleAction::Deny) {
                    continue; // reported by rule ZT0111
                }
                let (field, other) = if dir == "ingress" {
                    ("from", &r.from)
                } else {
                    ("to", &r.to)
                };
                let Some(p) = other.clone() else {
                    l.diags.push(
                        Diagnostic::error(
                            super::codes::UNKNOWN_REF,
                            format!("{dir} rule needs `{field}`"),
                        )
                        .at(l.key_span(&at))
                        .label(format!("no `{field}`"))
                        .help(format!(
                            "add `{field}: vpc`, a CIDR, or `security_groups.NAME`"
                        )),
                    );
                    continue;
                };
                let mut at_peer = at.to_vec();
                at_peer.push(field);
                let Some(peer) = peer(l, net, vpc, &p, &at_peer) else {
                    continue;
                };
                let mut at_port = at.to_vec();
                at_port.push("port");
                let mut body = Body::new()
                    .attr("security_group_id", sg_addr.attr("id"))
                    .attr("description", Expr::str(&r.description));
                if r.protocol == Protocol::All {
                    body.push_attr("ip_protocol", Expr::str("-1"));
                } else {
                    let (from, to) = ports(l, &r.port, &at_port);
                    body.push_attr("ip_protocol", Expr::str(proto(r.protocol)));
                    body.push_attr("from_port", from);
                    body.push_attr("to_port", to);
                }
                match peer {
                    Peer::Cidr(c) => body.push_attr("cidr_ipv4", c),
                    Peer::Sg(a) => body.push_attr("referenced_security_group_id", a.attr("id")),
                }
                body.push_attr("tags", l.name_tag(&format!("{name}-{dir}-{}", i + 1)));
                l.resource(
                    ty,
                    &format!("{}_{dir}_{}", ident(name), i + 1),
                    Concern::Security,
                    &format!("{origin}.{dir}.{i}"),
                    l.key_span(&at),
                    body,
                );
            }
        }
    }
}

fn nacls(l: &mut Lowerer<'_>, net: &Network, vpc: &Address) {
    let mut claimed: BTreeMap<String, String> = BTreeMap::new();
    for (name, acl) in &net.nacls {
        let origin = format!("network.nacls.{name}");
        let span = l.key_span(&["network", "nacls", name]);
        let mut subnet_ids = Vec::new();
        for (i, t) in acl.tiers.iter().enumerate() {
            let at = ["network", "nacls", name.as_str(), "tiers", &i.to_string()];
            if !tier_exists(l, t, &at) {
                continue;
            }
            if let Some(prev) = claimed.insert(t.clone(), name.clone()) {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::NACL_NUMBER,
                        format!("tier `{t}` is already covered by NACL `{prev}`"),
                    )
                    .at(l.span(&at))
                    .label("a subnet has exactly one NACL")
                    .help("list each tier in one NACL only"),
                );
            }
            subnet_ids.extend(
                l.net
                    .subnets
                    .get(t)
                    .cloned()
                    .unwrap_or_default()
                    .iter()
                    .map(|(a, _)| a.attr("id")),
            );
        }
        let acl_addr = l.resource(
            "aws_network_acl",
            &ident(name),
            Concern::Security,
            &origin,
            span,
            Body::new()
                .attr("vpc_id", vpc.attr("id"))
                .attr("subnet_ids", Expr::List(subnet_ids))
                .attr("tags", l.name_tag(&format!("{}-{name}", net.name))),
        );
        // user rules, then derived returns one number above each stateless allow
        struct R {
            number: u32,
            dir: Direction,
            action: RuleAction,
            protocol: Protocol,
            cidr: Expr,
            ports: Option<(Expr, Expr)>,
            span: crate::source::Span,
            origin: String,
        }
        let mut rules: Vec<R> = Vec::new();
        let rule_origin = |i: usize| format!("{origin}.rules.{i}");
        let mut numbers: BTreeMap<(Direction, u32), crate::source::Span> = BTreeMap::new();
        for (i, r) in acl.rules.iter().enumerate() {
            let idx = i.to_string();
            let at = ["network", "nacls", name.as_str(), "rules", idx.as_str()];
            let rspan = l.span(&["network", "nacls", name, "rules", &idx, "number"]);
            if let Some(first) = numbers.insert((r.direction, r.number), rspan) {
                l.diags.push(
                    Diagnostic::error(
                        super::codes::NACL_NUMBER,
                        format!(
                            "rule number {} is used twice for {:?} rules",
                            r.number, r.direction
                        )
                        .to_lowercase(),
                    )
                    .at(rspan)
                    .related(first, "first used here")
                    .label("duplicate")
                    .help("give every rule of one direction its own number"),
                );
            }
            let mut at_cidr = at.to_vec();
            at_cidr.push("cidr");
            let cidr = match peer(l, net, vpc, &r.cidr, &at_cidr) {
                Some(Peer::Cidr(c)) => c,
                Some(Peer::Sg(_)) => {
                    l.diags.push(
                        Diagnostic::error(
                            super::codes::UNKNOWN_REF,
                            "NACL rules match CIDRs, not security groups",
                        )
                        .at(l.span(&at_cidr))
                        .label("not a CIDR")
                        .help("use `vpc` or a CIDR"),
                    );
                    continue;
                }
                None => continue,
            };
            let p = match (&r.port, r.protocol) {
                (_, Protocol::All) => None,
                (Some(p), _) => {
                    let mut at_port = at.to_vec();
                    at_port.push("port");
                    Some(ports(l, p, &at_port))
                }
                (None, _) => {
                    l.diags.push(
                        Diagnostic::error(
                            super::codes::UNKNOWN_REF,
                            "tcp/udp NACL rules need a `port`",
                        )
                        .at(l.key_span(&at))
                        .label("no port")
                        .help("add `port: 443` or a range `1024-65535`"),
                    );
                    continue;
                }
            };
            rules.push(R {
                number: r.number,
                dir: r.direction,
                action: r.action,
                protocol: r.protocol,
                cidr,
                ports: p,
                span: rspan,
                origin: rule_origin(i),
            });
        }
        if acl.ephemeral_returns {
            let mut derived = Vec::new();
            for r in rules
                .iter()
                .filter(|r| r.action == RuleAction::Allow && r.protocol != Protocol::All)
            {
                let dir = if r.dir == Direction::Ingress {
                    Direction::Egress
                } else {
                    Direction::Ingress
                };
                let number = r.number + 1;
                if let Some(first) = numbers.get(&(dir, number)) {
                    l.diags.push(
                        Diagnostic::error(super::codes::NACL_NUMBER, format!("the derived return rule for rule {} needs number {number}, which is taken", r.number))
                            .at(*first)
                            .related(r.span, "allow rule that needs a return path")
                            .label("number taken")
                            .help("leave the number after every stateless allow rule free, or set `ephemeral_returns: false` and write the returns yourself"),
                    );
                    continue;
                }
                numbers.insert((dir, number), r.span);
                derived.push(R {
                    number,
                    dir,
                    action: RuleAction::Allow,
                    protocol: r.protocol,
                    cidr: r.cidr.clone(),
                    ports: Some((Expr::Int(1024), Expr::Int(65535))),
                    span: r.span,
                    origin: r.origin.clone(),
                });
            }
            rules.extend(derived);
        }
        rules.sort_by_key(|r| (r.dir, r.number));
        for r in rules {
            let d = if r.dir == Direction::Ingress {
                "in"
            } else {
                "out"
            };
            let mut body = Body::new()
                .attr("network_acl_id", acl_addr.attr("id"))
                .attr("rule_number", Expr::Int(r.number as i64))
                .attr("egress", Expr::Bool(r.dir == Direction::Egress))
                .attr("protocol", Expr::str(proto(r.protocol)))
                .attr(
                    "rule_action",
                    Expr::str(if r.action == RuleAction::Allow {
                        "allow"
                    } else {
                        "deny"
                    }),
                )
                .attr("cidr_block", r.cidr);
            let (from, to) = r.ports.unwrap_or((Expr::Int(0), Expr::Int(0)));
            body.push_attr("from_port", from);
            body.push_attr("to_port", to);
            l.resource(
                "aws_network_acl_rule",
                &format!("{}_{d}_{}", ident(name), r.number),
                Concern::Security,
                &r.origin,
                r.span,
                body,
            );
        }
    }
}

fn flow_logs(l: &mut Lowerer<'_>, net: &Network, vpc: &Address) {
    if net.flow_logs.is_empty() {
        return;
    }
    let mut role: Option<Address> = None;
    for (i, f) in net.flow_logs.iter().enumerate() {
        let idx = i.to_string();
        let at = ["network", "flow_logs", idx.as_str(), "destination"];
        let origin = "network.flow_logs".to_string();
        let span = l.key_span(&["network", "flow_logs", &idx]);
        let traffic = match f.traffic {
            Traffic::All => "ALL",
            Traffic::Accept => "ACCEPT",
            Traffic::Reject => "REJECT",
        };
        let mut body = Body::new()
            .attr("vpc_id", vpc.attr("id"))
            .attr("traffic_type", Expr::str(traffic))
            .attr("max_aggregation_interval", Expr::Int(60));
        let name;
        if f.destination.starts_with("logs.") {
            let Some(g) = l.log_ref(&f.destination, &at) else {
                continue;
            };
            name = g.name.clone();
            let role_addr = match &role {
                Some(r) => r.clone(),
                None => {
                    let r = flow_log_role(l, net, span);
                    role = Some(r.clone());
                    r
                }
            };
            body = body
                .attr("log_destination_type", Expr::str("cloud-watch-logs"))
                .attr("log_destination", g.attr("arn"))
                .attr("iam_role_arn", role_addr.attr("arn"));
        } else if f.destination.starts_with("buckets.") {
            let Some((bname, b)) = l.bucket_ref(&f.destination, &at) else {
                continue;
            };
            name = ident(&bname);
            let _ = bname;
            body = body
                .attr("log_destination_type", Expr::str("s3"))
                .attr("log_destination", b.attr("arn"));
        } else {
            l.diags.push(
                Diagnostic::error(
                    super::codes::UNKNOWN_REF,
                    format!(
                        "flow-log destination `{}` is not `logs.NAME` or `buckets.NAME`",
                        f.destination
                    ),
                )
                .at(l.span(&at))
                .label("unknown destination")
                .help("send flow logs to a log group (`logs.NAME`) or a bucket (`buckets.NAME`)"),
            );
            continue;
        }
        body.push_attr(
            "tags",
            l.name_tag(&format!("{}-flow-{}", net.name, name.replace('_', "-"))),
        );
        l.resource(
            "aws_flow_log",
            &format!("{}_{}", ident(&net.name), name),
            Concern::Monitoring,
            &origin,
            span,
            body,
        );
    }
}

fn flow_log_role(l: &mut Lowerer<'_>, net: &Network, span: crate::source::Span) -> Address {
    let mut groups = Vec::new();
    for f in &net.flow_logs {
        if let Some(n) = f.destination.strip_prefix("logs.") {
            if l.spec.logs.groups.contains_key(n) {
                let g = Address::resource("aws_cloudwatch_log_group", &ident(n));
                groups.push(g.attr("arn"));
                groups.push(Expr::concat(vec![g.attr("arn"), Expr::str(":*")]));
            }
        }
    }
    let statement = Expr::obj([
        ("Sid", Expr::str("WriteFlowLogs")),
        ("Effect", Expr::str("Allow")),
        (
            "Action",
            Expr::list_str([
                "logs:CreateLogStream",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
            ]),
        ),
        ("Resource", Expr::List(groups)),
    ]);
    let id = format!("{}_flow_logs", ident(&net.name));
    let logical = format!("{}-flow-logs", net.name);
    let role = super::ServiceRole {
        id: &id,
        logical: &logical,
        service: "vpc-flow-logs.amazonaws.com",
        description: "Lets VPC Flow Logs write to CloudWatch Logs",
        concern: Concern::Monitoring,
        origin: "network.flow_logs",
        span,
    };
    l.service_role(role, vec![statement]).0
}

pub fn lookups(l: &mut Lowerer<'_>) {
    for (name, ami) in l.spec.lookups.amis.clone() {
        let body = Body::new()
            .attr("most_recent", Expr::Bool(true))
            .attr("owners", Expr::list_str(ami.owners.clone()))
            .block(
                "filter",
                Body::new()
                    .attr("name", Expr::str("name"))
                    .attr("values", Expr::list_str([ami.name_pattern.clone()])),
            )
            .block(
                "filter",
                Body::new()
                    .attr("name", Expr::str("architecture"))
                    .attr("values", Expr::list_str([ami.architecture.clone()])),
            )
            .block(
                "filter",
                Body::new()
                    .attr("name", Expr::str("state"))
                    .attr("values", Expr::list_str(["available"])),
            );
        let addr = l.data(
            "aws_ami",
            &ident(&name),
            Concern::Compliance,
            &format!("lookups.amis.{name}"),
            body,
        );
        let span = l.key_span(&["lookups", "amis", &name]);
        if let Some(b) = l.module.data.iter_mut().find(|b| b.addr == addr) {
            b.span = span;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cidr_math() {
        assert_eq!(parse_cidr("10.0.0.0/16"), Some((0x0A00_0000, 16)));
        assert_eq!(fmt_cidr(0x0A00_0100, 24), "10.0.1.0/24");
        assert!(contains((0x0A00_0000, 16), (0x0A00_0100, 24)));
        assert!(!overlaps((0x0A00_0000, 24), (0x0A00_0100, 24)));
        assert_eq!(parse_cidr("10.0.0.256/16"), None);
    }
}
