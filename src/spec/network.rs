use super::common::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The VPC.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Logical name of the VPC (`{name}` in the naming pattern), e.g. `payment-vpc`.
    pub name: String,
    /// IPv4 CIDR of the VPC.
    #[schemars(
        regex(pattern = r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}/\d{1,2}$"),
        example = "10.0.0.0/16"
    )]
    pub cidr: String,
    /// Number of Availability Zones (taken from `data.aws_availability_zones`, state `available`).
    #[serde(default = "default_azs")]
    #[schemars(range(min = 1, max = 6))]
    pub azs: u32,
    /// Pin the Availability Zones by zone ID (e.g. `use1-az1`): the AZ data source is filtered on
    /// them, so a zone AWS adds later never changes the layout. Names differ per account; IDs do not.
    #[serde(default)]
    pub zone_ids: Vec<String>,
    /// Internet access. `none`: no internet gateway, NAT or public IPs anywhere.
    #[serde(default)]
    pub internet: Internet,
    /// VPC DNS support and hostnames (both needed by private-DNS interface endpoints).
    #[serde(default = "yes")]
    pub dns: bool,
    /// Subnet tiers: one subnet per AZ in each tier.
    pub tiers: BTreeMap<String, Tier>,
    /// AWS Network Firewall.
    #[serde(default)]
    pub firewall: Option<Firewall>,
    /// VPC endpoints, by AWS service name (`s3`, `ec2`, `ssm`, ...).
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Manage the VPC's default security group with no rules (deny all).
    #[serde(default)]
    pub default_security_group: DefaultSg,
    /// Security groups, by name. Rules are allow-only (security groups cannot deny).
    #[serde(default)]
    pub security_groups: BTreeMap<String, SecurityGroup>,
    /// Network ACLs, by name: numbered allow/deny rules on tiers.
    #[serde(default)]
    pub nacls: BTreeMap<String, Nacl>,
    /// VPC flow logs.
    #[serde(default)]
    pub flow_logs: Vec<FlowLog>,
}

fn default_azs() -> u32 {
    3
}
pub(crate) fn yes() -> bool {
    true
}

/// Internet access of the VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Internet {
    /// Fully private: no internet gateway, NAT gateway, egress-only gateway or public IP.
    #[default]
    None,
    /// Outbound only: an internet gateway for a `public` tier holding one NAT gateway; tiers with
    /// `egress: nat` route 0.0.0.0/0 to it.
    Nat,
}

/// What to do with the VPC's default security group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DefaultSg {
    /// Adopt it and remove every rule.
    #[default]
    Locked,
}

/// A subnet tier.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Prefix length of each subnet (one per AZ), allocated in tier-name order from the VPC CIDR.
    #[serde(default)]
    #[schemars(range(min = 16, max = 28))]
    pub prefix: Option<u8>,
    /// Explicit subnet CIDRs, one per AZ (instead of `prefix`).
    #[serde(default)]
    pub cidrs: Vec<String>,
    /// What the tier is for.
    #[serde(default)]
    pub role: TierRole,
    /// Default route of the tier (`nat` needs `internet: nat`).
    #[serde(default)]
    pub egress: Egress,
}

/// A tier's default route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Egress {
    /// No default route: the VPC only.
    #[default]
    None,
    /// 0.0.0.0/0 through the NAT gateway.
    Nat,
}

/// Role of a tier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TierRole {
    /// Workloads (cardholder-data environment).
    #[default]
    Workload,
    /// Interface endpoint ENIs.
    Endpoints,
    /// Network Firewall endpoints only (nothing else may live here).
    Firewall,
    /// Public subnets (NAT gateway only), routed to the internet gateway.
    Public,
}

/// AWS Network Firewall.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Firewall {
    /// Logical name (`{name}`), e.g. `payment-fw`.
    pub name: String,
    /// The dedicated tier holding the firewall endpoints (role `firewall`).
    pub tier: String,
    /// Tiers whose traffic to each other is routed through the firewall. The firewall endpoint in
    /// the AZ of the first-listed tier's subnet inspects both directions of a flow (symmetric).
    pub inspect: Vec<String>,
    /// Stateful default action for traffic no rule passes (strict rule order is always used).
    #[serde(default)]
    pub default_action: FwDefault,
    /// Allowed traffic; everything else is dropped.
    pub allow: Vec<FwAllow>,
    /// Where flow and alert logs go: `logs.NAME`.
    #[serde(default)]
    pub logging: Option<FwLogging>,
    /// Customer-managed key for the firewall, its policy and rule group: `keys.NAME`.
    #[serde(default)]
    pub key: Option<String>,
    /// Rule group capacity.
    #[serde(default = "default_capacity")]
    #[schemars(range(min = 1, max = 30000))]
    pub capacity: u32,
    /// Protect against deletion (`prevent_destroy`, deletion protection). Rejected in ephemeral stacks.
    #[serde(default)]
    pub protect: bool,
}

fn default_capacity() -> u32 {
    100
}

/// Stateful default action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FwDefault {
    /// `aws:drop_established` + `aws:alert_established`.
    #[default]
    DropEstablished,
    /// `aws:drop_strict` + `aws:alert_strict`.
    DropStrict,
}

/// An allow rule of the firewall.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FwAllow {
    /// Protocol. Only TLS (matched on the SNI of the ClientHello).
    pub protocol: FwProtocol,
    /// Destination port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u32,
    /// Allowed server names; a leading dot matches all subdomains (`.amazonaws.com`).
    pub sni: Vec<String>,
}

/// Firewall protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FwProtocol {
    /// TLS.
    Tls,
}

/// Firewall logging.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FwLogging {
    /// Log group for FLOW logs: `logs.NAME`.
    pub flow: String,
    /// Log group for ALERT logs: `logs.NAME`.
    pub alert: String,
}

/// A VPC endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// `gateway` (S3, DynamoDB: route-table entries) or `interface` (PrivateLink ENIs).
    #[serde(rename = "type")]
    pub kind: EndpointType,
    /// Gateway: tiers whose route tables get the route. Interface: the tier holding the ENIs.
    pub tiers: Vec<String>,
    /// Interface only: security group (`NAME` of `network.security_groups`).
    #[serde(default)]
    pub security_group: Option<String>,
    /// Interface only: private DNS names.
    #[serde(default = "yes")]
    pub private_dns: bool,
}

/// Endpoint type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum EndpointType {
    /// Gateway endpoint.
    Gateway,
    /// Interface endpoint (PrivateLink).
    Interface,
}

/// A security group. Rules only allow; anything not allowed is denied.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroup {
    /// Description (required by AWS; shown in the console).
    pub description: String,
    /// Inbound allow rules.
    #[serde(default)]
    pub ingress: Vec<SgRule>,
    /// Outbound allow rules. Empty means no egress at all.
    #[serde(default)]
    pub egress: Vec<SgRule>,
}

/// A security-group rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SgRule {
    /// IP protocol.
    pub protocol: Protocol,
    /// Port, range `FROM-TO`, or variable.
    pub port: PortOrVar,
    /// Ingress peer: `vpc`, a CIDR, or `security_groups.NAME`.
    #[serde(default)]
    pub from: Option<String>,
    /// Egress peer: `vpc`, a CIDR, or `security_groups.NAME`.
    #[serde(default)]
    pub to: Option<String>,
    /// Why the port is open (PCI DSS 1.2.5).
    pub description: String,
    /// Security groups only allow. `deny` is rejected with a pointer to NACLs.
    #[serde(default)]
    pub action: Option<RuleAction>,
}

/// IP protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// Every protocol (NACLs only).
    All,
}

/// Rule action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RuleAction {
    /// Allow.
    Allow,
    /// Deny.
    Deny,
}

/// A network ACL.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nacl {
    /// Tiers whose subnets use this NACL.
    pub tiers: Vec<String>,
    /// Derive the stateless return rules (ephemeral ports 1024-65535) for every TCP/UDP allow
    /// rule, numbered one above it in the other direction.
    #[serde(default = "yes")]
    pub ephemeral_returns: bool,
    /// Numbered rules; lower numbers are evaluated first.
    pub rules: Vec<NaclRule>,
}

/// A NACL rule.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NaclRule {
    /// Rule number, 1-32766, unique per direction.
    #[schemars(range(min = 1, max = 32766))]
    pub number: u32,
    /// Direction.
    pub direction: Direction,
    /// Allow or deny.
    pub action: RuleAction,
    /// IP protocol.
    pub protocol: Protocol,
    /// Peer: `vpc` or a CIDR.
    pub cidr: String,
    /// Port or range (not for `all`).
    #[serde(default)]
    pub port: Option<PortOrVar>,
}

/// Traffic direction.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Inbound.
    Ingress,
    /// Outbound.
    Egress,
}

/// A VPC flow log.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowLog {
    /// Destination: `logs.NAME` (CloudWatch Logs) or `buckets.NAME` (S3).
    pub destination: String,
    /// Traffic captured.
    #[serde(default)]
    pub traffic: Traffic,
}

/// Flow-log traffic type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "UPPERCASE")]
pub enum Traffic {
    /// Accepted and rejected.
    #[default]
    All,
    /// Accepted only.
    Accept,
    /// Rejected only.
    Reject,
}
