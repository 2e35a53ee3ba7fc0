//! `ztc graph`: every spec in both views renders to DOT that Graphviz accepts and to Mermaid whose
//! structure holds (balanced subgraphs, declared ids, edges between declared ids); the network
//! view shows what it promises; output is deterministic; the README picture stays small.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;
use ztc::graph::{render, GraphFormat, GraphView};

fn specs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(common::repo_root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    v.sort();
    assert!(v.len() >= 5);
    v
}

fn compiled(p: &Path) -> ztc::compile::Compiled {
    let bytes = std::fs::read(p).unwrap();
    ztc::compile::compile(
        &p.display().to_string(),
        &bytes,
        &ztc::compile::Options::default(),
    )
}

fn draw(p: &Path, view: GraphView, format: GraphFormat) -> String {
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    render(&compiled(p), &name, view, format).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `dot` on PATH, or None after `tool_missing`.
fn dot() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|d| d.join("dot"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        common::tool_missing(
            "graphviz dot",
            "`dot` is not on PATH (scripts/install-test-tools.sh installs graphviz from apt as root)",
        );
    }
    found
}

/// Run `dot -T<format>` on DOT text; the output bytes.
fn run_dot(dot: &Path, text: &str, format: &str, what: &str) -> Vec<u8> {
    let mut child = Command::new(dot)
        .arg(format!("-T{format}"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start dot");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "dot -T{format} rejected {what}: {err}\n{text}"
    );
    assert!(
        !err.contains("Warning") && !err.contains("Error"),
        "dot -T{format} {what}: {err}"
    );
    out.stdout
}

#[test]
fn every_spec_renders_with_graphviz() {
    let Some(dot) = dot() else { return };
    let t0 = Instant::now();
    let mut n = 0;
    for p in specs() {
        for view in [GraphView::Network, GraphView::Resources] {
            let text = draw(&p, view, GraphFormat::Dot);
            let what = format!("{} {view:?}", p.display());
            let svg = String::from_utf8(run_dot(&dot, &text, "svg", &what)).unwrap();
            assert!(svg.contains("<svg") && svg.contains("</svg>"), "{what}");
            n += 1;
        }
    }
    eprintln!(
        "{n} graphs rendered to SVG in {:.1}s",
        t0.elapsed().as_secs_f64()
    );
}

/// A minimal structural parse of the Mermaid flowcharts ztc writes: header, balanced
/// `subgraph`/`end`, every node and subgraph id declared once, every edge between declared ids,
/// `class`/`style`/`linkStyle` naming declared things.
fn check_mermaid(text: &str, what: &str) -> (BTreeSet<String>, Vec<(String, String, String)>) {
    let mut lines = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("%%"));
    assert_eq!(lines.next(), Some("flowchart LR"), "{what}: header");
    let ident = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let mut ids = BTreeSet::new();
    let mut subgraphs = BTreeSet::new();
    let mut depth = 0usize;
    let mut edges = Vec::new();
    let mut class_defs = BTreeSet::new();
    let mut link_styles = Vec::new();
    let mut refs: Vec<String> = Vec::new();
    for l in lines {
        let t = l.trim();
        if let Some(rest) = t.strip_prefix("subgraph ") {
            let id = rest.split('[').next().unwrap();
            assert!(
                ident(id) && ids.insert(id.to_string()),
                "{what}: subgraph id {id}"
            );
            assert!(rest.ends_with("\"]"), "{what}: subgraph label {t}");
            subgraphs.insert(id.to_string());
            depth += 1;
        } else if t == "end" {
            assert!(depth > 0, "{what}: unbalanced end");
            depth -= 1;
        } else if t == "direction TB" {
        } else if let Some(rest) = t.strip_prefix("classDef ") {
            class_defs.insert(rest.split(' ').next().unwrap().to_string());
        } else if let Some(rest) = t.strip_prefix("class ") {
            let (members, class) = rest.rsplit_once(' ').unwrap();
            assert!(
                class_defs.contains(class),
                "{what}: class {class} not defined"
            );
            refs.extend(members.split(',').map(String::from));
        } else if let Some(rest) = t.strip_prefix("style ") {
            refs.push(rest.split(' ').next().unwrap().to_string());
        } else if let Some(rest) = t.strip_prefix("linkStyle ") {
            link_styles.extend(
                rest.split(' ')
                    .next()
                    .unwrap()
                    .split(',')
                    .map(|i| i.parse::<usize>().unwrap()),
            );
        } else if let Some((from, rest, arrow)) = t.split_once(' ').and_then(|(from, rest)| {
            ["-->", "--x", "x--x", "-.->", "==>"]
                .iter()
                .find(|a| rest.starts_with(*a))
                .map(|a| (from, rest, a))
        }) {
            let rest = &rest[arrow.len()..];
            let (label, to) = match rest.strip_prefix("|\"") {
                Some(r) => {
                    let (label, to) = r
                        .split_once("\"| ")
                        .unwrap_or_else(|| panic!("{what}: edge label {t}"));
                    assert!(!label.contains('"'), "{what}: unescaped quote in {t}");
                    (label.to_string(), to)
                }
                None => (String::new(), rest.trim_start()),
            };
            assert!(ident(from) && ident(to), "{what}: edge {t}");
            edges.push((from.to_string(), to.to_string(), label));
        } else {
            // a node: id followed by a shape
            let id: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let shape = &t[id.len()..];
            assert!(
                ident(&id) && ids.insert(id.clone()),
                "{what}: node id {id} (duplicate or invalid)"
            );
            let ok = [
                ("([\"", "\"])"),
                ("{{\"", "\"}}"),
                ("[/\"", "\"/]"),
                ("[[\"", "\"]]"),
                ("((\"", "\"))"),
                ("[(\"", "\")]"),
                (">\"", "\"]"),
                ("[\"", "\"]"),
            ]
            .iter()
            .any(|(a, b)| shape.starts_with(a) && shape.ends_with(b));
            assert!(ok, "{what}: node shape {t}");
            let inner = shape
                .trim_start_matches(['(', '[', '{', '/', '>'])
                .trim_end_matches([')', ']', '}', '/']);
            assert!(
                !inner.trim_matches('"').contains('"'),
                "{what}: unescaped quote in {t}"
            );
        }
    }
    assert_eq!(depth, 0, "{what}: unbalanced subgraphs");
    for (a, b, _) in &edges {
        assert!(
            ids.contains(a) && ids.contains(b),
            "{what}: edge {a} -> {b} to an undeclared id"
        );
    }
    for r in &refs {
        assert!(ids.contains(r), "{what}: class/style names undeclared {r}");
    }
    for i in link_styles {
        assert!(
            i < edges.len(),
            "{what}: linkStyle {i} past the {} edges",
            edges.len()
        );
    }
    (ids, edges)
}

#[test]
fn every_spec_renders_to_well_formed_mermaid() {
    for p in specs() {
        for view in [GraphView::Network, GraphView::Resources] {
            let text = draw(&p, view, GraphFormat::Mermaid);
            check_mermaid(&text, &format!("{} {view:?}", p.display()));
        }
    }
}

#[test]
fn output_is_deterministic() {
    for p in specs() {
        for view in [GraphView::Network, GraphView::Resources] {
            for format in [GraphFormat::Mermaid, GraphFormat::Dot] {
                assert_eq!(
                    draw(&p, view, format),
                    draw(&p, view, format),
                    "{}",
                    p.display()
                );
            }
        }
    }
}

#[test]
fn network_view_of_payment_shows_boundary_tiers_firewall_endpoints_flows_and_denies() {
    let p = common::repo_root().join("specs/payment.yaml");
    let text = draw(&p, GraphView::Network, GraphFormat::Mermaid);
    let (ids, edges) = check_mermaid(&text, "payment");
    // trust boundary: the VPC is a subgraph, the internet a node outside it
    assert!(
        text.contains("subgraph vpc[\"trust boundary: VPC payment-vpc · 10.0.0.0/16\"]"),
        "{text}"
    );
    let vpc_start = text.find("subgraph vpc").unwrap();
    assert!(
        text.find("  internet(").unwrap() < vpc_start,
        "internet drawn inside the VPC"
    );
    // tiers as subgraphs, one subnet per AZ with its allocated CIDR
    for tier in ["private", "endpoints", "firewall"] {
        assert!(ids.contains(&format!("tier_{tier}")), "tier {tier}");
        for az in 1..=3 {
            assert!(
                ids.contains(&format!("subnet_{tier}_{az}")),
                "{tier} AZ{az}"
            );
        }
    }
    assert!(text.contains("private AZ1<br/>10.0.4.0/24"), "{text}");
    // firewall inspecting both tiers
    assert!(text.contains("Network Firewall payment-fw"));
    for t in ["tier_private", "tier_endpoints"] {
        assert!(
            edges
                .iter()
                .any(|(a, b, l)| a == t && b == "firewall" && l == "inspected"),
            "{t}"
        );
    }
    // endpoints: gateway and interface
    for ep in ["s3", "dynamodb", "ec2", "ssm", "ssmmessages", "ec2messages"] {
        assert!(ids.contains(&format!("endpoint_{ep}")), "endpoint {ep}");
    }
    // security-group flows with protocol/port
    assert!(edges
        .iter()
        .any(|(a, b, l)| a == "sg_app" && b == "sg_endpoints" && l == "tcp/443"));
    assert!(edges
        .iter()
        .any(|(a, b, l)| a == "peer_vpc" && b == "sg_app" && l.contains("tcp/var.app_port")));
    // NACL denies between the internet and the tiers, in both directions
    for t in ["tier_private", "tier_endpoints"] {
        assert!(
            edges.iter().any(|(a, b, l)| a == "internet"
                && b == t
                && l.contains("deny all traffic in+out")
                && l.contains("#200")),
            "deny {t}: {edges:?}"
        );
    }
    assert!(text.contains("internet x--x|"));
}

#[test]
fn resources_view_follows_references() {
    let p = common::repo_root().join("specs/payment.yaml");
    let c = compiled(&p);
    let m = c.module.as_ref().unwrap();
    let text = render(
        &c,
        "payment.yaml",
        GraphView::Resources,
        GraphFormat::Mermaid,
    )
    .unwrap();
    let (ids, edges) = check_mermaid(&text, "payment resources");
    // one node per block, one subgraph per concern present
    let concerns: BTreeSet<_> = m.blocks().map(|b| b.concern).collect();
    assert_eq!(ids.len(), m.blocks().count() + concerns.len());
    // every reference of every block is an edge
    let id = |a: &ztc::ir::Address| a.tf().replace(['.', '-'], "_");
    for b in m.blocks() {
        let mut refs = Vec::new();
        b.body.refs(&mut refs);
        for r in refs.iter().filter(|r| **r != b.addr && m.find(r).is_some()) {
            assert!(
                edges
                    .iter()
                    .any(|(x, y, _)| *x == id(&b.addr) && *y == id(r)),
                "no edge {} -> {}",
                b.addr.tf(),
                r.tf()
            );
        }
    }
    let subnet = edges
        .iter()
        .find(|(a, _, _)| a.starts_with("aws_subnet_"))
        .expect("subnet edges");
    assert!(edges
        .iter()
        .any(|(a, b, _)| *a == subnet.0 && b.starts_with("aws_vpc_")));
}

#[test]
fn cli_writes_both_formats_and_fails_on_a_broken_spec() {
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_ztc");
    let spec = common::repo_root().join("specs/three-tier.yaml");
    let out = dir.path().join("g.dot");
    let o = Command::new(bin)
        .args([
            "graph",
            spec.to_str().unwrap(),
            "--format",
            "dot",
            "--view",
            "resources",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("// three-tier.yaml — resources"));
    let o = Command::new(bin)
        .args(["graph", spec.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(String::from_utf8(o.stdout)
        .unwrap()
        .contains("flowchart LR"));

    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "ztc: 1\nmetadata: {name: x}\nregion: nowhere\n").unwrap();
    let o = Command::new(bin)
        .args(["graph"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    let o = Command::new(bin)
        .args(["graph", "/nonexistent.yaml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The README's picture: `docs/network-payment.png`, regenerated with `ZTC_UPDATE_DOCS=1`.
#[test]
fn readme_picture_is_small() {
    let Some(dot) = dot() else { return };
    let p = common::repo_root().join("specs/payment.yaml");
    let png = run_dot(
        &dot,
        &draw(&p, GraphView::Network, GraphFormat::Dot),
        "png",
        "payment",
    );
    assert!(png.starts_with(b"\x89PNG"), "not a PNG");
    assert!(
        png.len() < 300_000,
        "network-payment.png is {} bytes",
        png.len()
    );
    let docs = common::repo_root().join("docs").join("network-payment.png");
    if std::env::var("ZTC_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(docs.parent().unwrap()).unwrap();
        std::fs::write(&docs, &png).unwrap();
    }
    let committed =
        std::fs::read(&docs).expect("docs/network-payment.png (ZTC_UPDATE_DOCS=1 writes it)");
    assert!(
        committed.starts_with(b"\x89PNG") && committed.len() < 300_000,
        "{} bytes",
        committed.len()
    );
}
