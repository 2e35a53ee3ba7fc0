use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// An Aurora Serverless v2 cluster in the VPC: encrypted with a customer key, master password
/// generated and rotated by RDS in Secrets Manager, IAM authentication, engine logs exported to a
/// pre-created log group, enhanced monitoring and Performance Insights.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// Engine: `aurora-postgresql` or `aurora-mysql`.
    #[serde(default)]
    pub engine: DbEngine,
    /// Engine version. Default: `16.6` (PostgreSQL), `8.0.mysql_aurora.3.08.0` (MySQL).
    #[serde(default)]
    pub engine_version: Option<String>,
    /// Tier whose subnets hold the cluster (`NAME` of `network.tiers`; at least two AZs).
    pub tier: String,
    /// Security group of the cluster: `NAME` of `network.security_groups`.
    pub security_group: String,
    /// Key for storage, the master-user secret, Performance Insights and the log group: `keys.NAME`.
    pub key: String,
    /// Serverless v2 capacity in Aurora capacity units.
    #[serde(default)]
    pub capacity: Capacity,
    /// Number of instances (one writer, the rest readers), 1-15.
    #[serde(default = "one")]
    #[schemars(range(min = 1, max = 15))]
    pub instances: u32,
    /// Name of the database created with the cluster.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]{0,62}$"))]
    pub database_name: Option<String>,
    /// Master user name. Its password is generated, stored and rotated by RDS in Secrets Manager,
    /// encrypted with `key`; it never appears in the state or the code.
    #[serde(default = "default_master")]
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]{0,15}$"))]
    pub master_username: String,
    /// Days automated backups are kept (1-35).
    #[serde(default = "seven")]
    #[schemars(range(min = 1, max = 35))]
    pub backup_retention_days: u32,
    /// Days the exported engine logs are kept. Default: `logs.defaults.retention`.
    #[serde(default)]
    pub log_retention_days: Option<i64>,
    /// Deletion protection and a final snapshot on destroy. Rejected in ephemeral stacks, which
    /// skip the final snapshot so that `destroy` leaves nothing behind.
    #[serde(default)]
    pub protect: bool,
}

/// Aurora engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum DbEngine {
    /// Aurora PostgreSQL (port 5432).
    #[default]
    #[serde(rename = "aurora-postgresql")]
    AuroraPostgresql,
    /// Aurora MySQL (port 3306).
    #[serde(rename = "aurora-mysql")]
    AuroraMysql,
}

impl DbEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            DbEngine::AuroraPostgresql => "aurora-postgresql",
            DbEngine::AuroraMysql => "aurora-mysql",
        }
    }
    pub fn default_version(self) -> &'static str {
        match self {
            DbEngine::AuroraPostgresql => "16.6",
            DbEngine::AuroraMysql => "8.0.mysql_aurora.3.08.0",
        }
    }
    /// Log types the engine can export to CloudWatch Logs (all of them are exported).
    pub fn log_exports(self) -> &'static [&'static str] {
        match self {
            DbEngine::AuroraPostgresql => &["postgresql"],
            DbEngine::AuroraMysql => &["audit", "error", "general", "slowquery"],
        }
    }
    /// Parameter-group family of an engine version (`aurora-postgresql16`, `aurora-mysql8.0`).
    pub fn family(self, version: &str) -> String {
        match self {
            DbEngine::AuroraPostgresql => {
                format!(
                    "aurora-postgresql{}",
                    version.split('.').next().unwrap_or(version)
                )
            }
            DbEngine::AuroraMysql => {
                let v: Vec<&str> = version.split('.').take(2).collect();
                format!("aurora-mysql{}", v.join("."))
            }
        }
    }
    /// Audit logging of the engine (PCI DSS 10.2): connections and schema or privilege changes.
    pub fn audit_parameters(self) -> &'static [(&'static str, &'static str)] {
        match self {
            DbEngine::AuroraPostgresql => &[
                ("log_connections", "1"),
                ("log_disconnections", "1"),
                ("log_min_duration_statement", "1000"),
                ("log_statement", "ddl"),
            ],
            DbEngine::AuroraMysql => &[
                ("server_audit_events", "CONNECT,QUERY_DCL,QUERY_DDL"),
                ("server_audit_logging", "1"),
            ],
        }
    }
    pub fn port(self) -> u16 {
        match self {
            DbEngine::AuroraPostgresql => 5432,
            DbEngine::AuroraMysql => 3306,
        }
    }
}

/// Serverless v2 scaling range.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Minimum capacity (ACUs, 0-256 in steps of 0.5; 0 lets the cluster pause).
    #[serde(default = "half")]
    #[schemars(range(min = 0.0, max = 256.0))]
    pub min: f64,
    /// Maximum capacity (ACUs, 1-256 in steps of 0.5).
    #[serde(default = "four")]
    #[schemars(range(min = 1.0, max = 256.0))]
    pub max: f64,
}

impl Default for Capacity {
    fn default() -> Self {
        Capacity {
            min: half(),
            max: four(),
        }
    }
}

fn one() -> u32 {
    1
}
fn seven() -> u32 {
    7
}
fn half() -> f64 {
    0.5
}
fn four() -> f64 {
    4.0
}
fn default_master() -> String {
    "dbadmin".into()
}
