//! `ztc init`: scaffold a commented `zerotrust.yaml` for a compliance profile.
//!
//! The scaffold is a complete, private-only system (VPC with endpoints, NACLs and flow logs,
//! customer-managed keys, audit-log buckets, CloudTrail, log groups) that passes `ztc check` with
//! no error or warning, and carries the YAML language server modeline so an editor completes and
//! checks it from the first keystroke.

use crate::cli::exit;
use clap::{Args, ValueEnum};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Component, Path, PathBuf};

/// Compliance profile of the scaffold.
#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
pub enum InitProfile {
    /// PCI DSS v4.0.1 (with a Network Firewall inspecting traffic between tiers).
    PciDssV4,
    /// SOC 2 Type II.
    Soc2,
    /// Zero-trust baseline (with a Network Firewall inspecting traffic between tiers).
    ZeroTrust,
}

impl InitProfile {
    /// The profile's name in the spec (`compliance.profiles`).
    pub fn slug(self) -> &'static str {
        match self {
            InitProfile::PciDssV4 => "pci-dss-v4",
            InitProfile::Soc2 => "soc2",
            InitProfile::ZeroTrust => "zero-trust",
        }
    }
    fn framework(self) -> &'static str {
        match self {
            InitProfile::PciDssV4 => "PCI DSS v4.0.1",
            InitProfile::Soc2 => "SOC 2 Type II",
            InitProfile::ZeroTrust => "NIST SP 800-207 Zero Trust Architecture",
        }
    }
    fn scope(self) -> &'static str {
        match self {
            InitProfile::PciDssV4 => "PCI-DSS",
            InitProfile::Soc2 => "SOC2",
            InitProfile::ZeroTrust => "Zero-Trust",
        }
    }
    fn firewall(self) -> bool {
        self != InitProfile::Soc2
    }
}

/// `ztc init` arguments. Missing values are asked for when stdin is a terminal, else defaulted.
#[derive(Args, Debug, Clone)]
pub struct InitArgs {
    /// Compliance profile [default: pci-dss-v4].
    #[arg(long, value_enum)]
    pub profile: Option<InitProfile>,
    /// AWS Region [default: us-east-1].
    #[arg(long)]
    pub region: Option<String>,
    /// System name: lower-case letters, digits and dashes; the stack name [default: the
    /// directory's name].
    #[arg(long)]
    pub name: Option<String>,
    /// Output file; `-` prints to stdout.
    #[arg(long, short, default_value = "zerotrust.yaml")]
    pub out: PathBuf,
    /// Overwrite an existing output file.
    #[arg(long)]
    pub force: bool,
    /// Schema for the editor modeline [default: the relative path to `schema/zerotrust.schema.json`
    /// inside a ztc checkout, else the schema's `$id` URL].
    #[arg(long)]
    pub schema_url: Option<String>,
}

/// Everything the scaffold text depends on.
#[derive(Debug, Clone)]
pub struct Scaffold {
    pub name: String,
    pub region: String,
    pub profile: InitProfile,
    pub schema_url: String,
    /// How the commands in the header comment name the file.
    pub file: String,
}

const NAME_RE: &str =
    "lower-case letters, digits and dashes, starting with a letter, at most 63 characters";

/// Is `s` a valid `metadata.name`?
pub fn valid_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// Is `s` shaped like an AWS Region (`us-east-1`, `us-gov-west-1`)?
pub fn valid_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let alpha = |p: &str| !p.is_empty() && p.bytes().all(|c| c.is_ascii_lowercase());
    let (geo, rest) = match parts.as_slice() {
        [geo, "gov", rest @ ..] | [geo, rest @ ..] => (*geo, rest),
        [] => return false,
    };
    geo.len() == 2
        && alpha(geo)
        && matches!(rest, [dir, n] if alpha(dir) && n.len() == 1 && n.bytes().all(|c| c.is_ascii_digit()))
}

/// Run `ztc init`; returns the exit code.
pub fn run(args: InitArgs, quiet: bool) -> i32 {
    let to_stdout = args.out.as_os_str() == "-";
    if !to_stdout && args.out.exists() && !args.force {
        eprintln!(
            "error: {} exists; pass --force to overwrite it",
            args.out.display()
        );
        return exit::INPUT;
    }
    let interactive = std::io::stdin().is_terminal();
    let dir = if to_stdout {
        std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
    } else {
        absolute(args.out.parent().unwrap_or(Path::new("")))
    };
    let default_name = dir
        .file_name()
        .map(|n| sanitize_name(&n.to_string_lossy()))
        .filter(|n| valid_name(n))
        .unwrap_or_else(|| "zero-trust-system".into());

    let name = match args.name {
        Some(n) => n,
        None if interactive => ask("system name", &default_name, valid_name, NAME_RE),
        None => default_name,
    };
    let region = match args.region {
        Some(r) => r,
        None if interactive => ask("AWS Region", "us-east-1", valid_region, "e.g. eu-west-1"),
        None => "us-east-1".into(),
    };
    let profile = match args.profile {
        Some(p) => p,
        None if interactive => {
            let slugs = "pci-dss-v4, soc2 or zero-trust";
            let p = ask(
                "compliance profile",
                "pci-dss-v4",
                |s| InitProfile::from_str(s, false).is_ok(),
                slugs,
            );
            InitProfile::from_str(&p, false).unwrap_or(InitProfile::PciDssV4)
        }
        None => InitProfile::PciDssV4,
    };
    if !valid_name(&name) {
        eprintln!("error: invalid --name `{name}`: {NAME_RE}");
        return exit::INPUT;
    }
    if !valid_region(&region) {
        eprintln!("error: invalid --region `{region}`: expected an AWS Region such as `eu-west-1`");
        return exit::INPUT;
    }
    let schema_url = args.schema_url.unwrap_or_else(|| default_schema_url(&dir));
    let file = if to_stdout {
        "zerotrust.yaml".to_string()
    } else {
        args.out.display().to_string()
    };
    let text = scaffold(&Scaffold {
        name,
        region,
        profile,
        schema_url,
        file,
    });
    if to_stdout {
        print!("{text}");
        return exit::OK;
    }
    let written = (|| {
        if let Some(p) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(p)?;
        }
        let mut f = if args.force {
            std::fs::File::create(&args.out)?
        } else {
            // never clobber a file that appeared since the check above
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&args.out)?
        };
        f.write_all(text.as_bytes())
    })();
    match written {
        Ok(()) => {
            if !quiet {
                eprintln!(
                    "wrote {} ({} profile); next: ztc check {}",
                    args.out.display(),
                    profile.slug(),
                    args.out.display()
                );
            }
            exit::OK
        }
        Err(e) => {
            eprintln!("error: cannot write {}: {e}", args.out.display());
            exit::IO
        }
    }
}

/// Prompt on stderr until the answer is valid; an empty answer takes the default.
fn ask(label: &str, default: &str, ok: impl Fn(&str) -> bool, hint: &str) -> String {
    let stdin = std::io::stdin();
    loop {
        eprint!("{label} [{default}]: ");
        let _ = std::io::stderr().flush();
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).unwrap_or(0) == 0 {
            return default.to_string(); // end of input
        }
        let answer = line.trim();
        let answer = if answer.is_empty() { default } else { answer };
        if ok(answer) {
            return answer.to_string();
        }
        eprintln!("  `{answer}` is not valid: {hint}");
    }
}

fn sanitize_name(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() { c } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    let out = out.trim_end_matches('-');
    out.chars()
        .take(63)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

fn absolute(p: &Path) -> PathBuf {
    let base = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let joined = base.join(p);
    std::fs::canonicalize(&joined).unwrap_or(joined)
}

/// The relative path from `dir` to the schema of the ztc checkout `dir` lies in, else the `$id`.
pub fn default_schema_url(dir: &Path) -> String {
    let dir = absolute(dir);
    for root in dir.ancestors() {
        let schema = root.join("schema").join("zerotrust.schema.json");
        let ours = std::fs::read_to_string(&schema)
            .map(|t| t.contains(crate::spec::SCHEMA_ID))
            .unwrap_or(false);
        if !ours {
            continue;
        }
        let depth = dir
            .strip_prefix(root)
            .map(|rest| {
                rest.components()
                    .filter(|c| matches!(c, Component::Normal(_)))
                    .count()
            })
            .unwrap_or(0);
        return if depth == 0 {
            "./schema/zerotrust.schema.json".into()
        } else {
            format!("{}schema/zerotrust.schema.json", "../".repeat(depth))
        };
    }
    crate::spec::SCHEMA_ID.to_string()
}

fn title(name: &str) -> String {
    name.split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scaffold text.
pub fn scaffold(s: &Scaffold) -> String {
    let fw = s.profile.firewall();
    let mut t = String::new();
    let commands = [
        (
            format!("ztc check {}", s.file),
            "compliance findings, each pointing at a line here",
        ),
        (
            format!("ztc build {}", s.file),
            "Terraform HCL (--target cdktf|pulumi|all)",
        ),
        (
            format!("ztc graph {}", s.file),
            "network diagram (Mermaid; --format dot)",
        ),
        (
            "ztc explain CODE".to_string(),
            "what a finding means and how to fix it",
        ),
    ];
    let width = commands.iter().map(|(c, _)| c.len()).max().unwrap_or(0);
    let commands: String = commands
        .iter()
        .map(|(c, what)| format!("#   {c:<width$}   {what}\n"))
        .collect();
    t.push_str(&HEADER.replace("@COMMANDS@", &commands));
    t.push_str(
        &BODY
            .replace("@TITLE@", &title(&s.name))
            .replace("@NAME@", &s.name)
            .replace("@REGION@", &s.region)
            .replace("@PROFILE@", s.profile.slug())
            .replace("@FRAMEWORK@", s.profile.framework())
            .replace("@SCOPE@", s.profile.scope()),
    );
    let tiers_fw = if fw {
        "    firewall: {prefix: 28, role: firewall}    # Network Firewall endpoints only\n"
    } else {
        ""
    };
    let firewall = if fw { FIREWALL } else { NO_FIREWALL };
    let logs_usage = if fw { "[logs, firewall]" } else { "[logs]" };
    let fw_groups = if fw {
        "    nfw-flow: {}\n    nfw-alert: {}\n"
    } else {
        ""
    };
    t = t
        .replace("@TIERS_FW@\n", tiers_fw)
        .replace("@FIREWALL@\n", firewall)
        .replace("@LOGS_USAGE@", logs_usage)
        .replace("@FW_GROUPS@\n", fw_groups);
    format!("# yaml-language-server: $schema={}\n{t}", s.schema_url)
}

const HEADER: &str = "\
# Scaffolded by `ztc init`. Edit freely: the editor completes and checks every field through the
# schema named on the first line (YAML language server: VS Code, JetBrains, Neovim).
#
@COMMANDS@#
# Secure by default: a field left out gets the strict control (key rotation, versioning, blocked
# public access, TLS-only bucket policies, 1-hour sessions, no internet). Every weakening is an
# explicit field here or a waiver with a reason.

";

const BODY: &str = "\
ztc: 1

metadata:
  # the stack name: lower-case letters, digits and dashes
  name: @NAME@
  title: @TITLE@
  owner: platform-security     # owning team
  # source: where the requirements come from (a document, a ticket)

region: @REGION@

environment:
  suffix:                      # every physical name ends with it; one value per deployment
    var: environment_suffix
    description: Suffix appended to every physical name (unique per deployment)

naming:
  pattern: \"{name}-{suffix}\"   # tokens: {name} {suffix} {env} {service} {account_id} {region}

compliance:
  # whose rules apply: pci-dss-v4, soc2, zero-trust (several may be listed)
  profiles: [@PROFILE@]
  frameworks: [@FRAMEWORK@]
  lifecycle: ephemeral         # every resource destroyable; `persistent` when retention must win
  waivers: []                  # - {rule: CODE or slug, scope: buckets.NAME, reason: why, expires: YYYY-MM-DD}

tags:
  required:                    # on every taggable resource (provider default_tags)
    CostCenter: {var: cost_center, description: Cost center billed for this stack}
    DataClassification: {var: data_classification, default: Confidential, description: Data classification of the workloads}
    ComplianceScope: @SCOPE@

network:
  name: vpc
  cidr: 10.0.0.0/16
  azs: 3                       # one subnet per AZ in each tier
  # zone_ids: [use1-az1, use1-az2, use1-az4]   # pin the AZs by zone ID (IDs differ per Region)
  internet: none               # no internet gateway, NAT or public IP; `nat` opts in to egress
  tiers:
    private: {prefix: 24}                     # workloads
    endpoints: {prefix: 24, role: endpoints}  # interface endpoint ENIs
@TIERS_FW@
@FIREWALL@
  endpoints:                   # AWS APIs without internet: gateway (S3, DynamoDB) or PrivateLink
    s3: {type: gateway, tiers: [private]}
    ssm: {type: interface, tiers: [endpoints], security_group: endpoints}
    logs: {type: interface, tiers: [endpoints], security_group: endpoints}
    kms: {type: interface, tiers: [endpoints], security_group: endpoints}
  security_groups:             # allow-only; anything not allowed is denied
    endpoints:
      description: HTTPS from inside the VPC to the interface endpoints
      ingress:
        - {protocol: tcp, port: 443, from: vpc, description: HTTPS to AWS service endpoints}
    app:
      description: Application workloads in the private tier
      egress:
        - {protocol: tcp, port: 443, to: security_groups.endpoints, description: AWS APIs through the interface endpoints}
  nacls:                       # stateless, numbered; return rules for ephemeral ports are derived
    private:
      tiers: [private, endpoints]
      rules:
        - {number: 100, direction: ingress, action: allow, protocol: tcp, cidr: vpc, port: 443}
        - {number: 100, direction: egress, action: allow, protocol: tcp, cidr: vpc, port: 443}
        - {number: 200, direction: ingress, action: deny, protocol: all, cidr: 0.0.0.0/0}
        - {number: 200, direction: egress, action: deny, protocol: all, cidr: 0.0.0.0/0}
  flow_logs:
    - {destination: logs.vpc-flow, traffic: ALL}

keys:                          # customer-managed KMS keys; rotation is on unless a field says otherwise
  logs: {description: CloudWatch Logs, usage: @LOGS_USAGE@}
  s3: {description: S3 buckets and CloudTrail log files, usage: [s3, cloudtrail]}

buckets:
  audit-logs:
    key: keys.s3
    access_logs: buckets.access-logs
    lifecycle: {noncurrent_expiration: 1y}
    log_delivery: [cloudtrail]
    # object_lock: {mode: GOVERNANCE, retention: 1y}   # immutable audit logs: with
    #   `lifecycle: persistent` and `protect: true` on keys.s3
  access-logs:
    key: keys.s3
    lifecycle: {noncurrent_expiration: 1y}
    log_delivery: [s3-access-logs]

logs:
  defaults: {retention: 1y, key: keys.logs}   # PCI DSS 10.5.1: at least a year
  groups:
    vpc-flow: {}
    trail: {}
@FW_GROUPS@

trail:                         # CloudTrail with log file validation, into the audit bucket
  name: audit-trail
  bucket: buckets.audit-logs
  key: keys.s3
  cloudwatch: logs.trail

outputs:
  - {name: vpc_id, value: network.vpc.id, description: ID of the VPC}
  - {name: private_subnet_ids, value: network.tiers.private.subnet_ids, description: IDs of the workload subnets}
";

const FIREWALL: &str =
    "  firewall:                    # AWS Network Firewall: TLS allowlist between the tiers
    name: fw
    tier: firewall
    inspect: [private, endpoints]
    allow:
      - {protocol: tls, port: 443, sni: [\".amazonaws.com\"]}
    logging: {flow: logs.nfw-flow, alert: logs.nfw-alert}
    key: keys.logs
";

const NO_FIREWALL: &str = "  # firewall: {name: fw, tier: firewall, inspect: [private, endpoints], allow: [...]}   # a TLS
  #   allowlist between the tiers (needs a tier with `role: firewall`)
";
