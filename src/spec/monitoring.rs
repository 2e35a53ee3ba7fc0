use super::common::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An SNS topic, encrypted with a customer-managed key.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topic {
    /// Encryption key: `keys.NAME` (AWS-managed `alias/aws/sns` cannot serve EventBridge or alarms).
    pub key: String,
    /// Who may publish: `events` (EventBridge), `cloudwatch` (alarms), `config`, or `functions.NAME`
    /// (granted in the function role's policy, not the topic policy).
    #[serde(default)]
    pub publishers: Vec<String>,
    /// Email or HTTPS subscriptions (email needs manual confirmation).
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

/// A topic subscription.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Protocol.
    pub protocol: SubscriptionProtocol,
    /// Endpoint (address or URL), or a variable.
    pub endpoint: StrOrVar,
}

/// Subscription protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum SubscriptionProtocol {
    /// Email (confirmed manually by the recipient).
    Email,
    /// HTTPS endpoint.
    Https,
}

/// A CloudWatch Logs metric filter.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricFilter {
    /// Log group the filter reads: `logs.NAME`.
    pub group: String,
    /// Filter pattern, or a preset: `unauthorized-api-calls`, `root-usage`, `security-group-changes`,
    /// `iam-policy-changes`, `flow-log-rejects`.
    pub pattern: String,
    /// Metric namespace.
    #[serde(default = "default_namespace")]
    pub namespace: String,
}

fn default_namespace() -> String {
    "ZeroTrust/Security".into()
}

/// A CloudWatch alarm.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alarm {
    /// What to watch: `metric_filters.NAME`, or an AWS metric.
    pub metric: AlarmMetric,
    /// Statistic.
    #[serde(default)]
    pub statistic: Statistic,
    /// Period in seconds.
    #[serde(default = "default_period")]
    pub period: u32,
    /// Evaluation periods.
    #[serde(default = "one")]
    pub evaluation_periods: u32,
    /// Comparison with the threshold.
    #[serde(default)]
    pub comparison: Comparison,
    /// Threshold.
    #[serde(default = "one_f")]
    pub threshold: f64,
    /// Topics notified: `topics.NAME`.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
}

fn default_period() -> u32 {
    300
}
fn one() -> u32 {
    1
}
fn one_f() -> f64 {
    1.0
}

/// The metric of an alarm.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum AlarmMetric {
    /// A metric filter of this spec: `metric_filters.NAME`.
    Filter(String),
    /// An AWS metric.
    Aws(AwsMetric),
}

/// An AWS-published metric.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AwsMetric {
    /// Namespace, e.g. `AWS/Lambda`.
    pub namespace: String,
    /// Metric name, e.g. `Errors`.
    pub name: String,
    /// Dimensions: name → `functions.NAME`, `network.nat`, or a literal.
    #[serde(default)]
    pub dimensions: BTreeMap<String, String>,
}

/// Alarm statistic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Statistic {
    /// Sum.
    #[default]
    Sum,
    /// Average.
    Average,
    /// Maximum.
    Maximum,
    /// Minimum.
    Minimum,
    /// SampleCount.
    SampleCount,
}

/// Alarm comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub enum Comparison {
    /// `>= threshold`.
    #[default]
    GreaterThanOrEqualToThreshold,
    /// `> threshold`.
    GreaterThanThreshold,
    /// `< threshold`.
    LessThanThreshold,
    /// `<= threshold`.
    LessThanOrEqualToThreshold,
}

/// EventBridge rules.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventRule {
    /// Description.
    #[serde(default)]
    pub description: Option<String>,
    /// Schedule expression, e.g. `cron(0 2 * * ? *)` (exclusive with `pattern`).
    #[serde(default)]
    pub schedule: Option<String>,
    /// Event pattern (a JSON object written as YAML), or a preset name: `security-group-changes`,
    /// `config-noncompliant`, `root-console-signin`, `guardduty-findings`.
    #[serde(default)]
    pub pattern: Option<serde_json::Value>,
    /// Targets: `topics.NAME` or `functions.NAME`.
    pub targets: Vec<String>,
}

/// AWS Config.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `create` a recorder + delivery channel (account singleton), or use the `existing` one.
    pub recorder: RecorderMode,
    /// Delivery bucket for configuration snapshots: `buckets.NAME` (with `create`).
    #[serde(default)]
    pub bucket: Option<String>,
    /// Topic for configuration notifications: `topics.NAME`.
    #[serde(default)]
    pub topic: Option<String>,
    /// Managed rules: identifier → parameters.
    pub rules: BTreeMap<String, ConfigRule>,
}

/// Recorder mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum RecorderMode {
    /// Create the recorder and delivery channel.
    Create,
    /// Use the account's existing recorder.
    Existing,
}

/// A managed Config rule.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigRule {
    /// Managed rule identifier, e.g. `S3_BUCKET_SERVER_SIDE_ENCRYPTION_ENABLED` (default: the key).
    #[serde(default)]
    pub identifier: Option<String>,
    /// Input parameters.
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
}

/// GuardDuty.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardDuty {
    /// `create` a detector (account singleton), use the `existing` one, or `off`.
    pub mode: GuardDutyMode,
    /// Finding publishing frequency.
    #[serde(default)]
    pub frequency: Frequency,
    /// Detector features to enable, e.g. `S3_DATA_EVENTS`.
    #[serde(default)]
    pub features: Vec<String>,
    /// Why GuardDuty is off or existing (required for `off`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// GuardDuty mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum GuardDutyMode {
    /// Create a detector.
    Create,
    /// Read the existing detector.
    Existing,
    /// No GuardDuty in this stack.
    Off,
}

/// Finding frequency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Frequency {
    /// 15 minutes.
    FifteenMinutes,
    /// 1 hour.
    OneHour,
    /// 6 hours.
    #[default]
    SixHours,
}
