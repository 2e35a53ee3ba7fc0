//! `ztc report`: the compliance evidence report of a spec.
//!
//! For every requirement ztc covers of a standard (PCI DSS v4.0.1 by default; the SOC 2 criteria
//! and the zero-trust baseline through [`Standard`], with evidence drawn from the PCI DSS
//! requirements each criterion builds on), the report lists
//!
//! - the spec elements that meet it, each at the spec line that writes the deciding value (or the
//!   element's own line when a default applies),
//! - the resources generated from those elements in every target: the Terraform address and its
//!   line in the HCL files, the logical id and line in `cdk.tf.json`, the Pulumi resource name and
//!   line in `Pulumi.yaml`, with the attribute values that carry the control,
//! - every check (compliance rule, or any other diagnostic with the requirement as a reference)
//!   and its outcome: pass, fail, warning or waived (with the waiver's reason, owner and expiry),
//!
//! and, once, every waiver of the spec with what it covers.
//!
//! Which spec elements meet which requirement is the table [`CATALOG`]; the checks come from the
//! rule registry (`policy::registry`) and the compilation's diagnostics, so a new rule with a PCI
//! reference shows up without touching this file. The report is a JSON value ([`build`]), printed
//! as is or rendered to Markdown or a self-contained HTML page ([`render`]). Everything is walked in
//! a fixed order (spec order, registry order, sorted addresses): the same spec always gives the
//! same bytes.

use crate::compile::Compiled;
use crate::diag::{Diagnostic, Severity};
use crate::emit::{hcl, pulumi, tfjson};
use crate::ir::{Block, Kind, Module};
use crate::source::{SourceFile, Span};
use crate::spec::Profile;
use crate::yaml::{self, Node, Value as Y};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Output format of `ztc report`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Markdown (tables per requirement), for reviews and wikis.
    #[default]
    Md,
    /// One self-contained HTML page (inline styles, no scripts, no external assets).
    Html,
    /// The report as JSON, for other tools.
    Json,
}

/// The standard the requirement ids refer to (the default report).
pub const STANDARD: &str = "PCI DSS v4.0.1";

/// The standard a report is written against: one per compliance profile.
#[derive(Copy, Clone, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Standard {
    /// PCI DSS v4.0.1 requirements.
    PciDssV4,
    /// SOC 2 Trust Services Criteria (CC6, CC7, CC8, C1).
    Soc2,
    /// ztc's zero-trust baseline (ZTB-* controls from the NIST SP 800-207 tenets).
    ZeroTrust,
}

impl Standard {
    pub fn profile(self) -> Profile {
        match self {
            Standard::PciDssV4 => Profile::PciDssV4,
            Standard::Soc2 => Profile::Soc2,
            Standard::ZeroTrust => Profile::ZeroTrust,
        }
    }
    /// The name in the report's title.
    pub fn name(self) -> &'static str {
        match self {
            Standard::PciDssV4 => STANDARD,
            Standard::Soc2 => "SOC 2 Trust Services Criteria",
            Standard::ZeroTrust => "ztc zero-trust baseline",
        }
    }
    /// The report a spec gets without `--standard`: PCI DSS when it selects `pci-dss-v4` (or no
    /// profile), else its first profile's.
    pub fn default_for(profiles: &[Profile]) -> Standard {
        let first = if profiles.contains(&Profile::PciDssV4) {
            Profile::PciDssV4
        } else {
            profiles.first().copied().unwrap_or(Profile::PciDssV4)
        };
        <Standard as clap::ValueEnum>::value_variants()
            .iter()
            .copied()
            .find(|s| s.profile() == first)
            .expect("a standard per profile")
    }
}

// ------------------------------------------------------------------------------------------------
// the catalog: which spec elements meet which requirement
// ------------------------------------------------------------------------------------------------

/// A PCI DSS requirement and the spec elements that can meet it.
#[derive(Debug)]
pub struct Requirement {
    pub id: &'static str,
    /// A short statement of the requirement, in ztc's words.
    pub title: &'static str,
    pub controls: &'static [Control],
}

/// A kind of spec element that meets a requirement.
#[derive(Debug, Clone, Copy)]
pub struct Control {
    /// The elements: a JSON pointer pattern into the spec where `*` matches any key or index
    /// (`/logs/groups/*`).
    pub each: &'static str,
    /// The field of the element that carries the control (`retention`, `rotation/enabled`);
    /// `""` for the element itself. Alternatives are separated by `|` and tried in order; an
    /// alternative starting with `/` is a pointer from the spec root (a section default).
    pub field: &'static str,
    /// Conditions on the element, all of which must hold: `path=value`, `path!=value`,
    /// `?path` (written), `!path` (not written); paths are relative to the element.
    pub when: &'static [&'static str],
    /// The element counts when none of the fields is written (ztc's default applies).
    pub defaulted: bool,
    /// What the element does for the requirement.
    pub claim: &'static str,
    /// Types of the generated blocks that carry the control out.
    pub types: &'static [&'static str],
    /// Attributes of those blocks shown as evidence.
    pub attrs: &'static [&'static str],
    /// Spec origin of those blocks when it is not the element's own path; `{0}`, `{1}` ... stand
    /// for the keys the `*`s of `each` matched.
    pub origin: Option<&'static str>,
}

const fn ctl(
    each: &'static str,
    field: &'static str,
    claim: &'static str,
    types: &'static [&'static str],
    attrs: &'static [&'static str],
) -> Control {
    Control {
        each,
        field,
        when: &[],
        defaulted: false,
        claim,
        types,
        attrs,
        origin: None,
    }
}

impl Control {
    const fn when(self, when: &'static [&'static str]) -> Self {
        Control { when, ..self }
    }
    const fn defaulted(self) -> Self {
        Control {
            defaulted: true,
            ..self
        }
    }
    const fn origin(self, origin: &'static str) -> Self {
        Control {
            origin: Some(origin),
            ..self
        }
    }
}

const SG_INGRESS: Control = ctl(
    "/network/security_groups/*/ingress/*",
    "",
    "inbound security-group rule: one protocol and port from a named source",
    &["aws_vpc_security_group_ingress_rule"],
    &[
        "ip_protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "referenced_security_group_id",
    ],
);
const SG_EGRESS: Control = ctl(
    "/network/security_groups/*/egress/*",
    "",
    "outbound security-group rule: one protocol and port to a named destination",
    &["aws_vpc_security_group_egress_rule"],
    &[
        "ip_protocol",
        "from_port",
        "to_port",
        "cidr_ipv4",
        "referenced_security_group_id",
    ],
);
const NACL_RULE_ATTRS: &[&str] = &[
    "rule_number",
    "egress",
    "rule_action",
    "protocol",
    "cidr_block",
    "from_port",
    "to_port",
];
const NACL_INGRESS: Control = ctl(
    "/network/nacls/*/rules/*",
    "",
    "stateless network ACL rule on inbound traffic",
    &["aws_network_acl_rule"],
    NACL_RULE_ATTRS,
)
.when(&["direction=ingress"]);
const NACL_EGRESS: Control = ctl(
    "/network/nacls/*/rules/*",
    "",
    "stateless network ACL rule on outbound traffic",
    &["aws_network_acl_rule"],
    NACL_RULE_ATTRS,
)
.when(&["direction=egress"]);
const NACLS: Control = ctl(
    "/network/nacls/*",
    "tiers",
    "network ACL on the subnets of the listed tiers",
    &["aws_network_acl"],
    &[],
);
const NO_INTERNET: Control = ctl(
    "/network",
    "internet",
    "no internet gateway, NAT gateway or public IP: nothing routes between the VPC and the internet",
    &["aws_vpc"],
    &["cidr_block"],
)
.when(&["internet!=nat"])
.defaulted();
const FIREWALL: Control = ctl(
    "/network/firewall",
    "inspect",
    "AWS Network Firewall inspects the traffic of the listed tiers (stateful, strict order, allowlist)",
    &[
        "aws_networkfirewall_firewall",
        "aws_networkfirewall_firewall_policy",
        "aws_networkfirewall_rule_group",
    ],
    &[],
);
const ENDPOINTS: Control = ctl(
    "/network/endpoints/*",
    "type",
    "AWS API traffic stays on the AWS network through a VPC endpoint",
    &["aws_vpc_endpoint"],
    &["vpc_endpoint_type", "private_dns_enabled"],
);
const FUNCTION_IN_VPC: Control = ctl(
    "/functions/*",
    "vpc",
    "function runs in the VPC's private subnets behind its security group",
    &["aws_lambda_function"],
    &[],
)
.when(&["?vpc", "!vpc/none"]);
const BUCKET_PUBLIC_BLOCK: Control = ctl(
    "/buckets/*",
    "block_public_access",
    "S3 Block Public Access on all four settings",
    &["aws_s3_bucket_public_access_block"],
    &[
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    ],
)
.when(&["block_public_access!=false"])
.defaulted();
const KEYS: Control = ctl(
    "/keys/*",
    "",
    "customer-managed KMS key whose key policy names its administrators and the services that use it",
    &["aws_kms_key", "aws_kms_alias"],
    &["enable_key_rotation", "deletion_window_in_days"],
);
const KEY_ROTATION: Control = ctl(
    "/keys/*",
    "rotation",
    "automatic key rotation",
    &["aws_kms_key"],
    &["enable_key_rotation", "rotation_period_in_days"],
)
.when(&["rotation/enabled!=false"])
.defaulted();
const ROLES: Control = ctl(
    "/iam/roles/*",
    "policies",
    "role with a trust policy for one principal and only the listed customer-managed policies",
    &["aws_iam_role", "aws_iam_role_policy_attachment"],
    &["max_session_duration"],
)
.defaulted();
const POLICIES: Control = ctl(
    "/iam/policies/*",
    "statements",
    "customer-managed policy with named actions on named resources",
    &["aws_iam_policy"],
    &[],
);
const FUNCTION_ROLES: Control = ctl(
    "/functions/*",
    "",
    "function role limited to the function's own log group, key and declared resources",
    &["aws_iam_role", "aws_iam_policy"],
    &[],
);
const SESSION_MANAGER_ROLE: Control = ctl(
    "/session_manager",
    "",
    "instance role for Session Manager with its logging destinations only",
    &["aws_iam_role", "aws_iam_policy"],
    &[],
);
const SECRET_KEYS: Control = ctl(
    "/secrets/*",
    "key",
    "secret encrypted with a customer-managed key",
    &["aws_secretsmanager_secret"],
    &["kms_key_id"],
);
const PARAMETER_KEYS: Control = ctl(
    "/parameters/*",
    "key",
    "SecureString parameter encrypted with a customer-managed key",
    &["aws_ssm_parameter"],
    &["type", "key_id"],
);
const TRAIL: Control = ctl(
    "/trail",
    "name",
    "CloudTrail trail recording management events in every Region",
    &["aws_cloudtrail"],
    &["is_multi_region_trail", "include_global_service_events"],
);
const FLOW_LOGS: Control = ctl(
    "/network/flow_logs/*",
    "traffic",
    "VPC flow logs",
    &["aws_flow_log"],
    &["traffic_type", "log_destination_type"],
)
.origin("network.flow_logs");
const FIREWALL_LOGS: Control = ctl(
    "/network/firewall/logging",
    "",
    "Network Firewall flow and alert logs",
    &["aws_networkfirewall_logging_configuration"],
    &[],
)
.origin("network.firewall");
const CONFIG_RECORDER: Control = ctl(
    "/config",
    "recorder",
    "AWS Config records configuration changes",
    &[
        "aws_config_configuration_recorder",
        "aws_config_configuration_recorder_status",
        "aws_config_delivery_channel",
    ],
    &[],
)
.defaulted();
const SESSION_LOGS: Control = ctl(
    "/session_manager",
    "log_group",
    "Session Manager sessions are logged",
    &["aws_ssm_document"],
    &[],
);
const ACCESS_LOGS: Control = ctl(
    "/buckets/*/access_logs",
    "",
    "S3 server access logging into the access-log bucket",
    &["aws_s3_bucket_logging"],
    &["target_bucket"],
)
.origin("buckets.{0}");
const OBJECT_LOCK: Control = ctl(
    "/buckets/*/object_lock",
    "mode",
    "S3 Object Lock: objects cannot be overwritten or deleted during the retention period",
    &["aws_s3_bucket_object_lock_configuration"],
    &[],
)
.origin("buckets.{0}");
const LOG_BUCKET_VERSIONING: Control = ctl(
    "/buckets/*",
    "versioning",
    "log bucket keeps every object version",
    &["aws_s3_bucket_versioning"],
    &[],
)
.when(&["?log_delivery", "versioning!=false"])
.defaulted();
const MFA_DELETE: Control = ctl(
    "/buckets/*/mfa_delete",
    "",
    "deleting objects or suspending versioning needs MFA",
    &["aws_s3_bucket_policy"],
    &[],
)
.when(&["!=none"])
.origin("buckets.{0}");
const METRIC_FILTERS: Control = ctl(
    "/metric_filters/*",
    "pattern",
    "metric filter turns matching log events into a metric",
    &["aws_cloudwatch_log_metric_filter"],
    &["log_group_name"],
);
const ALARMS: Control = ctl(
    "/alarms/*",
    "actions",
    "alarm notifies the listed targets",
    &["aws_cloudwatch_metric_alarm"],
    &["alarm_actions"],
);
const EVENTS: Control = ctl(
    "/events/*",
    "targets",
    "EventBridge rule forwards matching events to its targets",
    &["aws_cloudwatch_event_rule", "aws_cloudwatch_event_target"],
    &[],
);
const TOPICS: Control = ctl(
    "/topics/*",
    "",
    "encrypted SNS topic for alerts",
    &["aws_sns_topic", "aws_sns_topic_subscription"],
    &["kms_master_key_id"],
);
const GUARDDUTY: Control = ctl(
    "/guardduty",
    "mode",
    "Amazon GuardDuty threat detection",
    &["aws_guardduty_detector", "aws_guardduty_detector_feature"],
    &["enable", "finding_publishing_frequency"],
)
.when(&["mode!=off"]);
const RUNTIMES: Control = ctl(
    "/functions/*",
    "runtime",
    "function on a supported Lambda runtime",
    &["aws_lambda_function"],
    &["runtime"],
);
const REQUIRED_TAGS: Control = ctl(
    "/tags/required/*",
    "",
    "tag on every generated resource (provider default tags)",
    &[],
    &[],
);

const DB_STORAGE: Control = ctl(
    "/databases/*",
    "key",
    "database storage encrypted with a customer-managed key",
    &["aws_rds_cluster"],
    &["storage_encrypted", "kms_key_id"],
);
const DB_MASTER_SECRET: Control = ctl(
    "/databases/*",
    "",
    "master password generated and kept by RDS in Secrets Manager, never written in the spec or code",
    &["aws_rds_cluster"],
    &["manage_master_user_password"],
);

/// Every requirement ztc collects evidence for, in requirement order. Requirements referenced by
/// rules but not listed here are reported too, with their checks and without a title.
pub static CATALOG: &[Requirement] = &[
    Requirement {
        id: "1.2.1",
        title: "Configuration standards for network security controls are defined, implemented and maintained.",
        controls: &[
            ctl("/network/security_groups/*", "description", "security group: only the rules written in the spec, no default allow", &["aws_security_group"], &["description"]),
            ctl("/network/default_security_group", "", "the VPC's default security group is managed and kept without rules", &["aws_default_security_group"], &[]),
            NACLS,
        ],
    },
    Requirement {
        id: "1.2.5",
        title: "Every allowed service, protocol and port is identified, approved and has a defined business need.",
        controls: &[
            ctl("/network/security_groups/*/ingress/*", "description", "inbound rule with its stated purpose", &["aws_vpc_security_group_ingress_rule"], &["ip_protocol", "from_port", "to_port", "description"]),
            ctl("/network/security_groups/*/egress/*", "description", "outbound rule with its stated purpose", &["aws_vpc_security_group_egress_rule"], &["ip_protocol", "from_port", "to_port", "description"]),
            ctl("/network/firewall/allow/*", "", "firewall allowlist entry", &["aws_networkfirewall_rule_group"], &[]).origin("network.firewall"),
        ],
    },
    Requirement {
        id: "1.2.6",
        title: "Security features are defined and implemented for insecure services, protocols and ports in use.",
        controls: &[
            ctl(
                "/buckets/*",
                "transport",
                "bucket policy denies requests that do not use TLS",
                &["aws_s3_bucket_policy"],
                &[],
            )
            .when(&["transport/deny_insecure!=false"])
            .defaulted(),
            ctl(
                "/network/firewall/allow/*",
                "protocol",
                "firewall passes only the listed TLS destinations",
                &["aws_networkfirewall_rule_group"],
                &[],
            )
            .when(&["protocol=tls"])
            .origin("network.firewall"),
        ],
    },
    Requirement {
        id: "1.3.1",
        title: "Inbound traffic to the cardholder data environment is restricted to what is necessary.",
        controls: &[NO_INTERNET, SG_INGRESS, NACL_INGRESS, BUCKET_PUBLIC_BLOCK],
    },
    Requirement {
        id: "1.3.2",
        title: "Outbound traffic from the cardholder data environment is restricted to what is necessary.",
        controls: &[SG_EGRESS, NACL_EGRESS, FIREWALL, ENDPOINTS, FUNCTION_IN_VPC],
    },
    Requirement {
        id: "1.4.1",
        title: "Network security controls are implemented between trusted and untrusted networks.",
        controls: &[ctl("/databases/*", "tier", "database cluster in the subnets of a private tier", &["aws_db_subnet_group"], &[]), 
            NO_INTERNET,
            ctl("/network/tiers/*", "", "subnet tier with its own route tables", &["aws_subnet", "aws_route_table"], &["cidr_block"]),
            NACLS,
            FIREWALL,
            BUCKET_PUBLIC_BLOCK,
        ],
    },
    Requirement {
        id: "1.4.2",
        title: "Inbound traffic from untrusted networks to trusted networks is restricted.",
        controls: &[NO_INTERNET, SG_INGRESS, NACL_INGRESS],
    },
    Requirement {
        id: "3.5.1",
        title: "Stored account data is rendered unreadable with strong cryptography.",
        controls: &[DB_STORAGE,
            ctl("/buckets/*", "key", "SSE-KMS default encryption with a customer-managed key", &["aws_s3_bucket_server_side_encryption_configuration"], &[]),
            ctl("/logs/groups/*", "key|/logs/defaults/key", "log group encrypted with a customer-managed key", &["aws_cloudwatch_log_group"], &["kms_key_id"]),
            ctl("/functions/*", "key", "function environment and log group encrypted with a customer-managed key", &["aws_lambda_function"], &["kms_key_arn"]),
            PARAMETER_KEYS,
            SECRET_KEYS,
            ctl("/topics/*", "key", "SNS topic encrypted with a customer-managed key", &["aws_sns_topic"], &["kms_master_key_id"]),
            ctl("/trail", "key", "CloudTrail log files encrypted with a customer-managed key", &["aws_cloudtrail"], &["kms_key_id"]),
            ctl("/account_settings/ebs_encryption_by_default", "key", "EBS encryption by default with a customer-managed key", &["aws_ebs_encryption_by_default", "aws_ebs_default_kms_key"], &["enabled"]),
        ],
    },
    Requirement {
        id: "3.6.1",
        title: "Procedures protect the cryptographic keys that protect account data against disclosure and misuse.",
        controls: &[
            KEYS,
            ctl("/keys/*/administrators", "", "named key administrators in the key policy", &["aws_kms_key"], &[]).origin("keys.{0}"),
            ctl("/keys/*/users", "", "named key users in the key policy", &["aws_kms_key"], &[]).origin("keys.{0}"),
        ],
    },
    Requirement {
        id: "3.7.4",
        title: "Cryptographic keys are changed at the end of their cryptoperiod.",
        controls: &[KEY_ROTATION],
    },
    Requirement {
        id: "3.7.5",
        title: "Keys are retired or replaced when their integrity is weakened or they are no longer needed.",
        controls: &[ctl("/keys/*", "deletion_window_days", "key deletion only after a waiting period", &["aws_kms_key"], &["deletion_window_in_days"]).defaulted()],
    },
    Requirement {
        id: "6.3.3",
        title: "Security patches and updates are installed; critical ones within a month of release.",
        controls: &[RUNTIMES],
    },
    Requirement {
        id: "7.2.1",
        title: "An access control model is defined and grants access by need.",
        controls: &[ROLES, POLICIES],
    },
    Requirement {
        id: "7.2.2",
        title: "Access is assigned by job classification and function, with the least privileges needed.",
        controls: &[ROLES, POLICIES, FUNCTION_ROLES],
    },
    Requirement {
        id: "7.2.5",
        title: "System and application accounts get only the privileges they need.",
        controls: &[FUNCTION_ROLES, SESSION_MANAGER_ROLE],
    },
    Requirement {
        id: "8.2.2",
        title: "Shared or generic accounts are used only when necessary, and each use is attributable.",
        controls: &[ctl("/iam/roles/*/trust", "", "role assumable only by the named principal", &["aws_iam_role"], &[]).origin("iam.roles.{0}")],
    },
    Requirement {
        id: "8.2.8",
        title: "Sessions idle for more than 15 minutes require re-authentication.",
        controls: &[
            ctl("/iam/roles/*", "max_session", "role sessions end after the maximum session length", &["aws_iam_role"], &["max_session_duration"]).defaulted(),
            ctl("/session_manager", "idle_timeout_minutes", "Session Manager idle timeout", &["aws_ssm_document"], &[]).defaulted(),
        ],
    },
    Requirement {
        id: "8.3.1",
        title: "All access is authenticated with at least one authentication factor.",
        controls: &[ctl("/databases/*", "", "database users authenticate with IAM", &["aws_rds_cluster"], &["iam_database_authentication_enabled"]), 
            ctl("/iam/roles/*/external_id", "", "callers must present the external ID", &["aws_iam_role"], &[]).origin("iam.roles.{0}"),
            ctl("/iam/roles/*/source_ips", "", "role assumable only from the listed networks", &["aws_iam_role"], &[]).origin("iam.roles.{0}"),
            ctl("/iam/roles/*", "mfa", "role assumable only with MFA", &["aws_iam_role"], &[]).when(&["mfa=true"]),
        ],
    },
    Requirement {
        id: "8.3.2",
        title: "Strong cryptography renders authentication factors unreadable in transmission and storage.",
        controls: &[DB_MASTER_SECRET, SECRET_KEYS, PARAMETER_KEYS,
            ctl("/secrets/*/generate", "via", "generated password written through the write-only `secret_string_wo`: never in the plan or the state", &["aws_secretsmanager_secret_version"], &["secret_string_wo_version"]).when(&["via!=data-source"]).defaulted().origin("secrets.{0}")],
    },
    Requirement {
        id: "8.4.2",
        title: "Multi-factor authentication is used for all access into the cardholder data environment.",
        controls: &[ctl("/iam/roles/*", "mfa", "role assumable only with MFA", &["aws_iam_role"], &[]).when(&["mfa=true"])],
    },
    Requirement {
        id: "8.6.2",
        title: "Passwords of application and system accounts are not hard-coded.",
        controls: &[DB_MASTER_SECRET,
            ctl("/secrets/*", "", "credential kept in Secrets Manager, read at run time", &["aws_secretsmanager_secret"], &[]),
            ctl("/parameters/*", "value", "value passed in as a deployment variable into a SecureString parameter", &["aws_ssm_parameter"], &["type"]).when(&["?value/var"]),
        ],
    },
    Requirement {
        id: "8.6.3",
        title: "Passwords of application and system accounts are protected against misuse and changed periodically.",
        controls: &[ctl("/secrets/*/rotation", "days", "secret rotated by a function on a schedule", &["aws_secretsmanager_secret_rotation"], &[]).when(&["!none"]).origin("secrets.{0}")],
    },
    Requirement {
        id: "10.2.1",
        title: "Audit logs are enabled and active for all system components.",
        controls: &[ctl("/databases/*", "", "database engine logs exported to CloudWatch Logs", &["aws_rds_cluster", "aws_rds_cluster_parameter_group"], &["enabled_cloudwatch_logs_exports"]), TRAIL, FLOW_LOGS, FIREWALL_LOGS, CONFIG_RECORDER, SESSION_LOGS, ACCESS_LOGS],
    },
    Requirement {
        id: "10.2.1.1",
        title: "Audit logs capture all individual user access to cardholder data.",
        controls: &[TRAIL, FLOW_LOGS],
    },
    Requirement {
        id: "10.3.2",
        title: "Audit log files are protected against modification by individuals.",
        controls: &[OBJECT_LOCK, MFA_DELETE, LOG_BUCKET_VERSIONING],
    },
    Requirement {
        id: "10.3.3",
        title: "Audit log files are promptly backed up to a central store that is difficult to modify.",
        controls: &[
            ctl("/trail", "bucket", "trail delivers its log files to the audit bucket", &["aws_cloudtrail"], &["s3_bucket_name"]),
            ctl("/trail", "cloudwatch", "trail also delivers to CloudWatch Logs", &["aws_cloudtrail"], &["cloud_watch_logs_group_arn"]),
            OBJECT_LOCK,
            ACCESS_LOGS,
        ],
    },
    Requirement {
        id: "10.3.4",
        title: "File integrity monitoring or change detection is used on audit logs.",
        controls: &[ctl("/trail", "log_file_validation", "CloudTrail log file integrity validation (signed digest files)", &["aws_cloudtrail"], &["enable_log_file_validation"]).when(&["log_file_validation!=false"]).defaulted()],
    },
    Requirement {
        id: "10.4.1.1",
        title: "Automated mechanisms are used to review audit logs.",
        controls: &[METRIC_FILTERS, ALARMS, EVENTS, GUARDDUTY],
    },
    Requirement {
        id: "10.5.1",
        title: "Audit log history is kept for at least 12 months, the last three months immediately available.",
        controls: &[ctl("/databases/*", "log_retention_days|/logs/defaults/retention", "database engine log retention", &["aws_cloudwatch_log_group"], &["retention_in_days"]), 
            ctl("/logs/groups/*", "retention|/logs/defaults/retention", "log group retention", &["aws_cloudwatch_log_group"], &["retention_in_days"]),
            ctl("/functions/*", "log_retention", "function log group retention", &["aws_cloudwatch_log_group"], &["retention_in_days"]),
            ctl("/buckets/*/object_lock", "retention", "Object Lock default retention of the log bucket", &["aws_s3_bucket_object_lock_configuration"], &[]).origin("buckets.{0}"),
        ],
    },
    Requirement {
        id: "10.7.2",
        title: "Failures of critical security control systems are detected, alerted and addressed promptly.",
        controls: &[ALARMS, EVENTS, TOPICS],
    },
    Requirement {
        id: "11.5.1",
        title: "Intrusion-detection or intrusion-prevention techniques detect or prevent intrusions into the network.",
        controls: &[FIREWALL, GUARDDUTY],
    },
    Requirement {
        id: "12.3.4",
        title: "Hardware and software technologies in use are reviewed at least once every 12 months.",
        controls: &[RUNTIMES],
    },
    Requirement {
        id: "12.5.1",
        title: "An inventory of in-scope system components is maintained.",
        controls: &[REQUIRED_TAGS, ctl("/metadata", "owner", "owning team of the system", &[], &[])],
    },
    Requirement {
        id: "12.5.2",
        title: "PCI DSS scope is documented and confirmed.",
        controls: &[ctl("/compliance", "profiles", "compliance profiles the system is checked against", &[], &[]), REQUIRED_TAGS],
    },
];

/// Order requirement ids numerically, segment by segment (`1.4.1` < `10.2.1` < `10.2.1.1`).
pub fn requirement_order(a: &str, b: &str) -> std::cmp::Ordering {
    let key = |s: &str| -> Vec<(u64, String)> {
        s.split('.')
            .map(|p| (p.parse::<u64>().unwrap_or(u64::MAX), p.to_string()))
            .collect()
    };
    key(a).cmp(&key(b))
}

// ------------------------------------------------------------------------------------------------
// the spec tree: pointer patterns and conditions
// ------------------------------------------------------------------------------------------------

/// One element a pattern matched.
struct Match<'a> {
    /// Unescaped path segments.
    segments: Vec<String>,
    /// What each `*` matched.
    captures: Vec<String>,
    node: &'a Node,
    key_span: Option<Span>,
}

fn expand<'a>(doc: &'a Node, pattern: &str) -> Vec<Match<'a>> {
    let parts: Vec<&str> = pattern.split('/').skip(1).collect();
    let mut out = Vec::new();
    let start = Match {
        segments: Vec::new(),
        captures: Vec::new(),
        node: doc,
        key_span: None,
    };
    walk(start, &parts, &mut out);
    out
}

fn walk<'a>(at: Match<'a>, rest: &[&str], out: &mut Vec<Match<'a>>) {
    let Some((first, rest)) = rest.split_first() else {
        out.push(at);
        return;
    };
    let children: Vec<(String, &'a Node, Option<Span>)> = match &at.node.value {
        Y::Map(entries) => entries
            .iter()
            .filter(|e| *first == "*" || e.key == *first)
            .map(|e| (e.key.clone(), &e.value, Some(e.key_span)))
            .collect(),
        Y::Seq(items) => items
            .iter()
            .enumerate()
            .filter(|(i, _)| *first == "*" || first.parse::<usize>().ok() == Some(*i))
            .map(|(i, n)| (i.to_string(), n, None))
            .collect(),
        _ => Vec::new(),
    };
    for (key, node, key_span) in children {
        let mut segments = at.segments.clone();
        segments.push(key.clone());
        let mut captures = at.captures.clone();
        if *first == "*" {
            captures.push(key);
        }
        walk(
            Match {
                segments,
                captures,
                node,
                key_span,
            },
            rest,
            out,
        );
    }
}

/// The node at a `/`-separated path below `node` (`""` is the node itself).
fn relative<'a>(node: &'a Node, path: &str) -> Option<(&'a Node, Option<Span>)> {
    let mut cur = node;
    let mut key_span = None;
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        match &cur.value {
            Y::Map(entries) => {
                let e = entries.iter().find(|e| e.key == seg)?;
                key_span = Some(e.key_span);
                cur = &e.value;
            }
            Y::Seq(items) => {
                cur = items.get(seg.parse::<usize>().ok()?)?;
                key_span = None;
            }
            _ => return None,
        }
    }
    Some((cur, key_span))
}

fn scalar(node: &Node) -> Option<String> {
    match &node.value {
        Y::Null => Some("null".into()),
        Y::Bool(b) => Some(b.to_string()),
        Y::Int(i) => Some(i.to_string()),
        Y::Float(f) => Some(f.to_string()),
        Y::Str(s) => Some(s.clone()),
        _ => None,
    }
}

/// Does every condition hold on this element?
fn holds(node: &Node, when: &[&str]) -> bool {
    when.iter().all(|cond| {
        if let Some(path) = cond.strip_prefix('?') {
            return relative(node, path).is_some();
        }
        if let Some((path, value)) = cond.split_once("!=") {
            return relative(node, path)
                .and_then(|(n, _)| scalar(n))
                .map_or(true, |v| v != value);
        }
        if let Some((path, value)) = cond.split_once('=') {
            return relative(node, path)
                .and_then(|(n, _)| scalar(n))
                .is_some_and(|v| v == value);
        }
        if let Some(path) = cond.strip_prefix('!') {
            return relative(node, path).is_none();
        }
        false
    })
}

/// The spec text of a node when it sits on one line (a scalar or a short flow collection).
fn written(source: &SourceFile, node: &Node) -> Option<String> {
    let text = source.text().get(node.span.start..node.span.end)?.trim();
    if text.is_empty() || text.contains('\n') {
        return None;
    }
    const MAX: usize = 120;
    if text.chars().count() > MAX {
        let cut: String = text.chars().take(MAX).collect();
        return Some(format!("{cut}…"));
    }
    Some(text.to_string())
}

// ------------------------------------------------------------------------------------------------
// generated code: where each block is printed
// ------------------------------------------------------------------------------------------------

/// Where each block is printed in every target, from the printers' own output.
struct Printed {
    /// (kind, type, name) → (file, 1-based line) in the HCL files.
    hcl: HashMap<(Kind, String, String), (String, usize)>,
    /// Path of `cdk.tf.json` and (kind, type, name) → line.
    cdktf_file: String,
    cdktf: HashMap<(Kind, String, String), usize>,
    /// Pulumi logical name → line in `Pulumi.yaml`.
    pulumi: HashMap<String, usize>,
}

fn kind_of(word: &str) -> Option<Kind> {
    match word {
        "resource" => Some(Kind::Resource),
        "data" => Some(Kind::Data),
        "ephemeral" => Some(Kind::Ephemeral),
        _ => None,
    }
}

impl Printed {
    fn new(module: &Module) -> Self {
        let mut hcl_lines = HashMap::new();
        for (file, text) in hcl::emit(module) {
            for (i, line) in text.lines().enumerate() {
                // `resource "aws_vpc" "main" {`
                let parts: Vec<&str> = line.split('"').collect();
                if parts.len() == 5 && parts[4].trim() == "{" {
                    if let Some(kind) = kind_of(parts[0].trim()) {
                        hcl_lines.insert(
                            (kind, parts[1].to_string(), parts[3].to_string()),
                            (file.clone(), i + 1),
                        );
                    }
                }
            }
        }
        let mut cdktf_file = String::new();
        let mut cdktf = HashMap::new();
        for (file, text) in tfjson::emit(module) {
            if !file.ends_with("cdk.tf.json") {
                continue;
            }
            cdktf_file = file;
            // keys sorted, two spaces per level: `  "resource": {`, `    "aws_vpc": {`, `      "main": {`
            let (mut kind, mut ty) = (None, String::new());
            for (i, line) in text.lines().enumerate() {
                let indent = line.len() - line.trim_start().len();
                let Some(key) = line
                    .trim_start()
                    .strip_suffix(": {")
                    .and_then(|k| serde_json::from_str::<String>(k).ok())
                else {
                    continue;
                };
                match indent {
                    2 => kind = kind_of(&key),
                    4 => ty = key,
                    6 => {
                        if let Some(k) = kind {
                            cdktf.insert((k, ty.clone(), key), i + 1);
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut pulumi_lines = HashMap::new();
        for (_, text) in pulumi::emit(module) {
            let mut section = "";
            for (i, line) in text.lines().enumerate() {
                if !line.starts_with(' ') {
                    section = line.trim_end();
                    continue;
                }
                if !matches!(section, "resources:" | "variables:") {
                    continue;
                }
                if let Some(name) = line.strip_prefix("  ").and_then(|l| l.strip_suffix(':')) {
                    if !name.starts_with(' ') {
                        pulumi_lines.insert(name.trim_matches('"').to_string(), i + 1);
                    }
                }
            }
        }
        Printed {
            hcl: hcl_lines,
            cdktf_file,
            cdktf,
            pulumi: pulumi_lines,
        }
    }

    fn block(&self, b: &Block, attrs: &[&str]) -> Value {
        let key = (b.addr.kind, b.addr.ty.clone(), b.addr.name.clone());
        let address = b.addr.tf();
        let hcl = self
            .hcl
            .get(&key)
            .map(|(file, line)| json!({"file": file, "line": line, "id": address}));
        let section = b.addr.kind.keyword();
        let cdktf = self.cdktf.get(&key).map(|line| {
            json!({
                "file": self.cdktf_file,
                "line": line,
                "id": b.addr.name,
                "path": format!("{section}.{}.{}", b.addr.ty, b.addr.name),
            })
        });
        let name = pulumi::logical_name(&b.addr);
        let token = match b.addr.kind {
            Kind::Resource => pulumi::resource_token(&b.addr.ty),
            Kind::Data | Kind::Ephemeral => pulumi::function_token(&b.addr.ty),
        };
        let pulumi = self
            .pulumi
            .get(&name)
            .map(|line| json!({"file": "Pulumi.yaml", "line": line, "id": name, "type": token}));
        let attributes: Vec<Value> = attrs
            .iter()
            .filter_map(|a| {
                b.body
                    .get_attr(a)
                    .map(|e| json!({"name": a, "value": hcl::expr_to_string(e)}))
            })
            .collect();
        json!({
            "address": address,
            "type": b.addr.ty,
            "attributes": attributes,
            "hcl": hcl,
            "cdktf": cdktf,
            "pulumi": pulumi,
        })
    }
}

// ------------------------------------------------------------------------------------------------
// building the report
// ------------------------------------------------------------------------------------------------

/// What a check or requirement came to.
fn outcome(findings: &[&Diagnostic]) -> &'static str {
    let unwaived = |s: Severity| {
        findings
            .iter()
            .any(|d| d.waived.is_none() && d.severity == s)
    };
    if unwaived(Severity::Error) {
        "fail"
    } else if unwaived(Severity::Warning) {
        "warning"
    } else if findings.iter().any(|d| d.waived.is_some()) {
        "waived"
    } else {
        "pass"
    }
}

struct Builder<'a> {
    c: &'a Compiled,
    standard: Standard,
    doc: Node,
    printed: Option<Printed>,
    /// Span start of each waiver's `rule` value → waiver index.
    waiver_at: HashMap<usize, usize>,
}

impl<'a> Builder<'a> {
    fn location(&self, span: Span) -> (usize, usize, String) {
        let (line, col) = self.c.source.line_col(span.start);
        (line, col, format!("{}:{line}", self.c.source.name()))
    }

    fn evidence(&self, control: &Control) -> Vec<Value> {
        let mut out = Vec::new();
        for m in expand(&self.doc, control.each) {
            if !holds(m.node, control.when) {
                continue;
            }
            let element_span = m.key_span.unwrap_or(m.node.span);
            let mut found: Option<(String, &Node, Span)> = None;
            if control.field.is_empty() {
                // a one-line element is located at its value, a block at its key
                let span = if written(&self.c.source, m.node).is_some() {
                    m.node.span
                } else {
                    element_span
                };
                found = Some((
                    crate::policy::ptr(&m.segments.iter().map(String::as_str).collect::<Vec<_>>()),
                    m.node,
                    span,
                ));
            } else {
                for alt in control.field.split('|') {
                    let (pointer, hit) = if alt.starts_with('/') {
                        (alt.to_string(), self.doc.pointer(alt))
                    } else {
                        let mut segs: Vec<&str> = m.segments.iter().map(String::as_str).collect();
                        segs.extend(alt.split('/'));
                        (crate::policy::ptr(&segs), relative(m.node, alt))
                    };
                    if let Some((node, _)) = hit {
                        found = Some((pointer, node, node.span));
                        break;
                    }
                }
            }
            let defaulted = found.is_none();
            if defaulted && !control.defaulted {
                continue;
            }
            let (pointer, span, text) = match found {
                Some((p, node, span)) => (p, span, written(&self.c.source, node)),
                None => (
                    crate::policy::ptr(&m.segments.iter().map(String::as_str).collect::<Vec<_>>()),
                    element_span,
                    None,
                ),
            };
            let (line, column, location) = self.location(span);
            let path = m.segments.join(".");
            let origin = match control.origin {
                Some(o) => {
                    let mut o = o.to_string();
                    for (i, cap) in m.captures.iter().enumerate() {
                        o = o.replace(&format!("{{{i}}}"), cap);
                    }
                    o
                }
                None => path.clone(),
            };
            let resources = self.resources(&origin, control);
            out.push(json!({
                "element": path,
                "element_line": self.c.source.line_col(element_span.start).0,
                "claim": control.claim,
                "pointer": pointer,
                "line": line,
                "column": column,
                "location": location,
                "written": text,
                "defaulted": defaulted,
                "resources": resources,
            }));
        }
        out
    }

    fn resources(&self, origin: &str, control: &Control) -> Vec<Value> {
        let (Some(module), Some(printed)) = (&self.c.module, &self.printed) else {
            return Vec::new();
        };
        let mut blocks: Vec<&Block> = module
            .blocks()
            .filter(|b| control.types.contains(&b.addr.ty.as_str()))
            .filter(|b| {
                b.origin == origin
                    || (b.origin.starts_with(origin) && b.origin[origin.len()..].starts_with('.'))
            })
            .collect();
        blocks.sort_by(|a, b| a.addr.cmp(&b.addr));
        blocks.dedup_by(|a, b| a.addr == b.addr);
        blocks
            .into_iter()
            .map(|b| printed.block(b, control.attrs))
            .collect()
    }

    fn finding(&self, d: &Diagnostic) -> Value {
        let (line, column, location) =
            d.span
                .map(|s| self.location(s))
                .unwrap_or((0, 0, self.c.source.name().to_string()));
        let waived = d.waived.as_ref().map(|w| {
            let waiver = self
                .waiver_at
                .get(&w.span.start)
                .and_then(|i| self.spec_waivers().get(*i));
            let (wline, _, wloc) = self.location(w.span);
            json!({
                "reason": w.reason,
                "owner": waiver.and_then(|w| w.owner.clone()),
                "expires": waiver.and_then(|w| w.expires.clone()),
                "line": wline,
                "location": wloc,
            })
        });
        json!({
            "code": d.code,
            "severity": d.severity,
            "message": d.message,
            "scope": d.scope,
            "line": line,
            "column": column,
            "location": location,
            "waived": waived,
        })
    }

    fn profiles(&self) -> &[Profile] {
        self.c
            .spec
            .as_ref()
            .map(|s| s.compliance.profiles.as_slice())
            .unwrap_or(&[])
    }

    fn spec_waivers(&self) -> &[crate::spec::Waiver] {
        self.c
            .spec
            .as_ref()
            .map(|s| s.compliance.waivers.as_slice())
            .unwrap_or(&[])
    }

    /// Does a rule reference the requirement `id` of the report's standard?
    fn references(&self, m: &crate::policy::RuleMeta, id: &str) -> bool {
        match self.standard {
            Standard::PciDssV4 => m.pci.contains(&id),
            s => m
                .pack(s.profile())
                .is_some_and(|p| p.controls.contains(&id)),
        }
    }

    fn checks(&self, id: &str) -> Vec<Value> {
        let explain = crate::explain::all();
        // the rules that ran: those of the packs the spec's profiles select
        let profiles = self.profiles();
        let pci = self.standard == Standard::PciDssV4;
        let mut codes: Vec<&'static str> = crate::policy::registry()
            .iter()
            .map(|r| r.meta())
            .filter(|m| self.references(m, id) && m.selected_by(profiles))
            .map(|m| m.code)
            .collect();
        // other diagnostics name PCI DSS requirements only
        let mut extra: BTreeSet<&'static str> = BTreeSet::new();
        for d in self.c.diagnostics.iter().filter(|_| pci) {
            if d.pci.contains(&id) && !codes.contains(&d.code) {
                extra.insert(d.code);
            }
        }
        codes.extend(extra);
        codes
            .into_iter()
            .map(|code| {
                // under PCI DSS a rule's findings name the requirements they are about; under the
                // other standards every finding of the rule counts for each criterion it references
                let findings: Vec<&Diagnostic> = self
                    .c
                    .diagnostics
                    .iter()
                    .filter(|d| d.code == code && (!pci || d.pci.contains(&id)))
                    .collect();
                let entry = explain.iter().find(|e| e.code == code);
                let meta = crate::policy::find(code).map(|r| r.meta());
                // how the report standard's pack treats the rule when the spec selects it, else
                // the first selected pack that has it
                let own = self.standard.profile();
                let own_first = profiles
                    .iter()
                    .filter(|p| **p == own)
                    .chain(profiles.iter().filter(|p| **p != own));
                let pack = meta.and_then(|m| own_first.clone().find_map(|p| m.pack(*p)));
                let non_waivable: Vec<Value> = meta
                    .map(|m| m.non_waivable_under(profiles))
                    .unwrap_or_default()
                    .into_iter()
                    .map(|p| Value::from(crate::policy::packs::profile_id(p)))
                    .collect();
                json!({
                    "code": code,
                    "slug": entry.map(|e| e.slug),
                    "summary": entry.map(|e| e.summary),
                    "enforcement": pack.map(|p| p.enforcement),
                    "non_waivable_under": non_waivable,
                    "outcome": outcome(&findings),
                    "findings": findings.iter().map(|d| self.finding(d)).collect::<Vec<_>>(),
                })
            })
            .collect()
    }

    fn requirement(&self, id: &str, title: Option<&str>, controls: &[&Control]) -> Value {
        let mut evidence: Vec<Value> = Vec::new();
        for e in controls.iter().flat_map(|c| self.evidence(c)) {
            // one control may serve several PCI DSS requirements a criterion draws on
            if !evidence.contains(&e) {
                evidence.push(e);
            }
        }
        let checks = self.checks(id);
        let outcomes: Vec<&str> = checks
            .iter()
            .filter_map(|c| c["outcome"].as_str())
            .collect();
        let status = if outcomes.contains(&"fail") {
            "fail"
        } else if outcomes.contains(&"warning") {
            "warning"
        } else if outcomes.contains(&"waived") {
            "waived"
        } else if evidence.is_empty() {
            "not-evidenced"
        } else {
            "pass"
        };
        json!({
            "id": id,
            "title": title,
            "status": status,
            "evidence": evidence,
            "checks": checks,
        })
    }

    fn waivers(&self) -> Vec<Value> {
        let mut out = Vec::new();
        for (i, w) in self.spec_waivers().iter().enumerate() {
            let base = format!("/compliance/waivers/{i}");
            let span_of = |p: &str| {
                self.doc
                    .pointer(&format!("{base}/{p}"))
                    .map(|(n, _)| n.span)
            };
            let rule_span = span_of("rule").unwrap_or(Span::new(0, 0));
            let expires_span = span_of("expires");
            let raised = |code: &str, at: Option<Span>| {
                self.c
                    .diagnostics
                    .iter()
                    .any(|d| d.code == code && at.is_some() && d.span == at)
            };
            use crate::policy::waivers::codes;
            let status = if raised(codes::UNKNOWN_RULE, Some(rule_span)) {
                "unknown-rule"
            } else if raised(codes::EXPIRED, expires_span) {
                "expired"
            } else if raised(codes::UNUSED, Some(rule_span)) {
                "unused"
            } else {
                "active"
            };
            let scanner = crate::policy::waivers::is_scanner_id(&w.rule);
            let covers: Vec<Value> = if scanner {
                let mut addrs: Vec<String> = self
                    .c
                    .module
                    .iter()
                    .flat_map(|m| m.blocks())
                    .filter(|b| b.skips.iter().any(|s| s.id == w.rule))
                    .map(|b| b.addr.tf())
                    .collect();
                addrs.sort();
                addrs.dedup();
                addrs.into_iter().map(Value::from).collect()
            } else {
                self.c
                    .diagnostics
                    .iter()
                    .filter(|d| d.waived.as_ref().is_some_and(|x| x.span == rule_span))
                    .map(|d| {
                        Value::from(format!(
                            "{} {}: {}",
                            d.code,
                            d.scope.as_deref().unwrap_or("-"),
                            d.message
                        ))
                    })
                    .collect()
            };
            let (line, _, location) = self.location(rule_span);
            out.push(json!({
                "rule": w.rule,
                "kind": if scanner { "scanner check" } else { "ztc rule" },
                "scope": w.scope,
                "reason": w.reason,
                "owner": w.owner,
                "expires": w.expires,
                "status": status,
                "line": line,
                "location": location,
                "covers": covers,
            }));
        }
        out
    }
}

/// Build the report of a compilation against the spec's default standard
/// ([`Standard::default_for`]). `Err` when there is no spec model to report on (the file is not
/// YAML or does not match the schema); findings of a valid spec are part of the report.
pub fn build(c: &Compiled) -> Result<Value, String> {
    build_for(c, None)
}

/// The PCI DSS requirements of [`CATALOG`] with these ids.
fn catalog_controls(ids: &[&str]) -> Vec<&'static Control> {
    ids.iter()
        .filter_map(|id| CATALOG.iter().find(|r| r.id == *id))
        .flat_map(|r| r.controls.iter())
        .collect()
}

/// The requirements of a standard other than PCI DSS: (id, title, evidence controls), the
/// catalogued ones first, then any id a rule of the standard's pack references.
fn criteria(standard: Standard) -> Vec<(String, Option<&'static str>, Vec<&'static Control>)> {
    let mut out: Vec<(String, Option<&'static str>, Vec<&'static Control>)> =
        crate::policy::packs::catalog(standard.profile())
            .iter()
            .map(|c| {
                (
                    c.id.to_string(),
                    Some(c.title),
                    catalog_controls(c.evidence_from),
                )
            })
            .collect();
    for r in crate::policy::registry() {
        for id in r
            .meta()
            .pack(standard.profile())
            .map(|p| p.controls)
            .unwrap_or(&[])
        {
            if !out.iter().any(|(x, _, _)| x == id) {
                out.push((id.to_string(), None, Vec::new()));
            }
        }
    }
    out
}

/// [`build`] against a chosen standard (`None`: the spec's default).
pub fn build_for(c: &Compiled, standard: Option<Standard>) -> Result<Value, String> {
    let Some(spec) = &c.spec else {
        return Err("the spec does not match the schema".into());
    };
    let standard = standard.unwrap_or_else(|| Standard::default_for(&spec.compliance.profiles));
    let doc = yaml::load(&c.source, yaml::Limits::default())
        .map_err(|_| "the spec does not load".to_string())?;
    let mut waiver_at = HashMap::new();
    for i in 0..spec.compliance.waivers.len() {
        if let Some((n, _)) = doc.pointer(&format!("/compliance/waivers/{i}/rule")) {
            waiver_at.insert(n.span.start, i);
        }
    }
    let b = Builder {
        c,
        standard,
        printed: c.module.as_ref().map(Printed::new),
        doc,
        waiver_at,
    };

    let requirements: Vec<Value> = if standard == Standard::PciDssV4 {
        let mut ids: BTreeMap<String, Option<&Requirement>> = BTreeMap::new();
        for r in CATALOG {
            ids.insert(r.id.to_string(), Some(r));
        }
        for r in crate::policy::registry() {
            for p in r.meta().pci {
                ids.entry(p.to_string()).or_insert(None);
            }
        }
        for d in &c.diagnostics {
            for p in d.pci {
                ids.entry(p.to_string()).or_insert(None);
            }
        }
        let mut ordered: Vec<(String, Option<&Requirement>)> = ids.into_iter().collect();
        ordered.sort_by(|a, b| requirement_order(&a.0, &b.0));
        ordered
            .iter()
            .map(|(id, r)| {
                let controls: Vec<&Control> =
                    r.map(|r| r.controls.iter().collect()).unwrap_or_default();
                b.requirement(id, r.map(|r| r.title), &controls)
            })
            .collect()
    } else {
        criteria(standard)
            .iter()
            .map(|(id, title, controls)| b.requirement(id, *title, controls))
            .collect()
    };

    let mut summary = Map::new();
    summary.insert("requirements".into(), Value::from(requirements.len()));
    for status in ["pass", "fail", "warning", "waived", "not-evidenced"] {
        let n = requirements
            .iter()
            .filter(|r| r["status"] == status)
            .count();
        summary.insert(status.into(), Value::from(n));
    }

    let profiles: Vec<Value> = spec
        .compliance
        .profiles
        .iter()
        .map(|p| serde_json::to_value(p).unwrap_or(Value::Null))
        .collect();
    let mut notes: Vec<String> = Vec::new();
    if !spec.compliance.profiles.contains(&standard.profile()) {
        notes.push(format!(
            "the spec does not select the `{}` profile: only the rules of its own profiles ran, so requirements may list fewer checks",
            crate::policy::packs::profile_id(standard.profile())
        ));
    }
    if c.module.is_none() {
        notes.push(
            "the spec has unwaived errors, so no code would be generated: the report lists no resources"
                .into(),
        );
    }
    let targets = b.printed.as_ref().map(|p| {
        let mut hcl_files: Vec<&String> = p.hcl.values().map(|(f, _)| f).collect();
        hcl_files.sort();
        hcl_files.dedup();
        json!({
            "hcl": hcl_files,
            "cdktf": [p.cdktf_file],
            "pulumi": ["Pulumi.yaml"],
        })
    });
    let errors = c.count(Severity::Error);
    let warnings = c.count(Severity::Warning);
    let waived = c.diagnostics.iter().filter(|d| d.waived.is_some()).count();
    Ok(json!({
        "ztc": env!("CARGO_PKG_VERSION"),
        "standard": standard.name(),
        "profile": crate::policy::packs::profile_id(standard.profile()),
        "spec": {
            "file": c.source.name(),
            "name": spec.metadata.name,
            "title": spec.metadata.title,
            "owner": spec.metadata.owner,
            "profiles": profiles,
            "frameworks": spec.compliance.frameworks,
        },
        "generated": c.module.is_some(),
        "targets": targets,
        "findings": {"errors": errors, "warnings": warnings, "waived": waived},
        "summary": summary,
        "notes": notes,
        "requirements": requirements,
        "waivers": b.waivers(),
    }))
}

// ------------------------------------------------------------------------------------------------
// rendering
// ------------------------------------------------------------------------------------------------

const MD_TEMPLATE: &str = include_str!("../backends/report/report.md.j2");
const HTML_TEMPLATE: &str = include_str!("../backends/report/report.html.j2");

/// Escape text for a Markdown table cell or line: no line breaks, no table pipes, no inline
/// HTML, no emphasis, links or code spans from the spec's text.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// The `` `code` `` spans of ztc's own texts (rule summaries, messages, claims): (is code, text)
/// pieces in order, or None when the backticks do not pair up or a span is empty or multi-line.
fn code_spans(s: &str) -> Option<Vec<(bool, &str)>> {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len() % 2 == 0 {
        return None;
    }
    let pieces: Vec<(bool, &str)> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| (i % 2 == 1, *p))
        .collect();
    if pieces
        .iter()
        .any(|(code, p)| *code && (p.is_empty() || p.contains(['\n', '\r'])))
    {
        return None;
    }
    Some(pieces)
}

/// Like [`md_escape`], but the `` `code` `` spans of ztc's own texts stay code spans (a table pipe
/// inside one is escaped, as GitHub-flavoured Markdown asks).
pub fn md_with_code(s: &str) -> String {
    let Some(pieces) = code_spans(s) else {
        return md_escape(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    for (code, p) in pieces {
        if code {
            out.push('`');
            out.push_str(&p.replace('|', "\\|"));
            out.push('`');
        } else {
            out.push_str(&md_escape(p));
        }
    }
    out
}

/// A Markdown code span holding `s` (spec paths, addresses, file:line), or [`md_escape`] when `s`
/// cannot be one (it is empty or holds a backtick or a line break).
pub fn md_code(s: &str) -> String {
    if s.is_empty() || s.contains(['`', '\n', '\r']) {
        return md_escape(s);
    }
    format!("`{}`", s.replace('|', "\\|"))
}

/// HTML-escaped text whose `` `code` `` spans become `<code>` elements.
pub fn html_with_code(s: &str) -> String {
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#x27;")
    };
    let Some(pieces) = code_spans(s) else {
        return esc(s);
    };
    pieces
        .into_iter()
        .map(|(code, p)| {
            if code {
                format!("<code>{}</code>", esc(p))
            } else {
                esc(p)
            }
        })
        .collect()
}

/// Render the report in a format. The JSON is pretty-printed; Markdown and HTML come from the
/// templates in `backends/report/` (HTML with auto-escaping of every value).
pub fn render(format: Format, report: &Value) -> String {
    let (name, template) = match format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
            s.push('\n');
            return s;
        }
        Format::Md => ("report.md", MD_TEMPLATE),
        Format::Html => ("report.html", HTML_TEMPLATE),
    };
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("md", |s: Option<String>| md_escape(&s.unwrap_or_default()));
    env.add_filter("mdcode", |s: Option<String>| {
        md_with_code(&s.unwrap_or_default())
    });
    env.add_filter("code", |s: Option<String>| md_code(&s.unwrap_or_default()));
    env.add_filter("htmlcode", |s: Option<String>| {
        minijinja::Value::from_safe_string(html_with_code(&s.unwrap_or_default()))
    });
    env.add_template(name, template)
        .expect("report templates parse");
    env.get_template(name)
        .and_then(|t| t.render(report))
        .expect("report templates render every report")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_is_in_requirement_order_without_duplicates() {
        for w in CATALOG.windows(2) {
            assert_eq!(
                requirement_order(w[0].id, w[1].id),
                std::cmp::Ordering::Less,
                "{} before {}",
                w[0].id,
                w[1].id
            );
        }
    }

    #[test]
    fn other_standards_draw_evidence_from_catalogued_requirements() {
        for p in [Profile::Soc2, Profile::ZeroTrust] {
            for c in crate::policy::packs::catalog(p) {
                for id in c.evidence_from {
                    assert!(
                        CATALOG.iter().any(|r| r.id == *id),
                        "{}: {id} is not in the PCI DSS catalog",
                        c.id
                    );
                }
            }
        }
    }

    #[test]
    fn order_is_numeric() {
        let mut ids = vec![
            "10.2.1.1", "1.4.1", "10.2.1", "3.7.4", "1.2.5", "12.5.1", "8.2.8",
        ];
        ids.sort_by(|a, b| requirement_order(a, b));
        assert_eq!(
            ids,
            ["1.2.5", "1.4.1", "3.7.4", "8.2.8", "10.2.1", "10.2.1.1", "12.5.1"]
        );
    }

    #[test]
    fn markdown_escaping_neutralises_markup() {
        assert_eq!(
            md_escape("a|b <script> *x* [l](u) `c`\nd"),
            "a\\|b &lt;script&gt; \\*x\\* \\[l\\](u) \\`c\\` d"
        );
    }

    #[test]
    fn code_spans_of_ztc_texts_stay_code() {
        assert_eq!(
            md_with_code("no `0.0.0.0/0` in *x* | `a|b`"),
            "no `0.0.0.0/0` in \\*x\\* \\| `a\\|b`"
        );
        // unpaired, empty or multi-line spans: everything escaped
        assert_eq!(md_with_code("a `b"), "a \\`b");
        assert_eq!(md_with_code("a `` b"), "a \\`\\` b");
        assert_eq!(md_with_code("`a\nb`"), "\\`a b\\`");
        assert_eq!(md_code("aws_vpc.x"), "`aws_vpc.x`");
        assert_eq!(md_code("a`b"), "a\\`b");
        assert_eq!(md_code(""), "");
        assert_eq!(
            html_with_code("use `<x> & \"y\"` <b>"),
            "use <code>&lt;x&gt; &amp; &quot;y&quot;</code> &lt;b&gt;"
        );
    }

    #[test]
    fn conditions() {
        let src = SourceFile::new("t.yaml", "a: {direction: ingress, n: 1, vpc: {none: x}}\n");
        let doc = yaml::load(&src, yaml::Limits::default()).unwrap();
        let a = &doc.get("a").unwrap().value;
        assert!(holds(a, &["direction=ingress", "?n", "!m", "n!=2"]));
        assert!(!holds(a, &["direction=egress"]));
        assert!(!holds(a, &["!vpc/none"]));
        assert!(holds(a, &["missing!=x"]));
        assert_eq!(expand(&doc, "/a/*").len(), 3);
        assert_eq!(
            expand(&doc, "/a/vpc/none")[0].segments,
            ["a", "vpc", "none"]
        );
    }
}
