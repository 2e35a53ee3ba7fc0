//! The rule registry. Each rule lives in its own file, with its code, slug, PCI DSS v4.0.1
//! references and `explain` text; [`ALL`] lists them in code order.

use super::Rule;

pub mod monitoring_presets;
mod util;

pub mod account_level_settings;
pub mod account_singleton;
pub mod alarm_without_action;
pub mod config_delivery;
pub mod destroyable;
pub mod event_needs_trail;
pub mod event_rule_shape;
pub mod flow_logs;
pub mod function_env_secret;
pub mod function_facts;
pub mod function_log_retention;
pub mod guardduty_features;
pub mod guardduty_off;
pub mod iam_session_length;
pub mod iam_wildcard;
pub mod kms_key_without_consumer;
pub mod kms_rotation;
pub mod lambda_endpoints;
pub mod lambda_outside_vpc;
pub mod lambda_runtime;
pub mod lambda_runtimes;
pub mod lambda_settings;
pub mod locked_bucket_key_destroyable;
pub mod log_retention;
pub mod long_lived_credentials;
pub mod mandatory_tags;
pub mod metric_filter_source;
pub mod metric_filter_unknown_group;
pub mod mfa_delete;
pub mod no_resource_level;
pub mod object_lock_compliance;
pub mod open_ingress;
pub mod resource_names;
pub mod s3_public_access;
pub mod secret_existing;
pub mod secret_recovery_window;
pub mod secret_rotation;
pub mod secret_storage;
pub mod sg_deny;
pub mod sg_peer_by_reference;
pub mod ssm_securestring;
pub mod topic_key;
pub mod topic_publishers;
pub mod trust_conditions;
pub mod zone_reachability;

/// Every compliance rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &mandatory_tags::MandatoryTags,                             // ZT0101
    &destroyable::Destroyable,                                  // ZT0102
    &object_lock_compliance::ObjectLockComplianceEphemeral,     // ZT0103
    &open_ingress::OpenIngress,                                 // ZT0104
    &iam_wildcard::IamWildcard,                                 // ZT0105
    &log_retention::LogRetention,                               // ZT0106
    &iam_session_length::IamSessionLength,                      // ZT0107
    &kms_rotation::KmsRotation,                                 // ZT0108
    &s3_public_access::S3PublicAccess,                          // ZT0109
    &resource_names::ResourceNames,                             // ZT0110
    &sg_deny::SgDeny,                                           // ZT0111
    &mfa_delete::MfaDeleteRule,                                 // ZT0112
    &kms_key_without_consumer::KmsKeyWithoutConsumer,           // ZT0113
    &flow_logs::FlowLogs,                                       // ZT0114
    &trust_conditions::TrustConditions,                         // ZT0115
    &ssm_securestring::SsmSecureString,                         // ZT0116
    &account_level_settings::AccountLevelSettings,              // ZT0117
    &locked_bucket_key_destroyable::LockedBucketKeyDestroyable, // ZT0118
    &alarm_without_action::AlarmWithoutAction,                  // ZT0119
    &account_singleton::AccountSingleton,                       // ZT0120
    &guardduty_off::GuardDutyOff,                               // ZT0121
    &event_needs_trail::EventNeedsTrail,                        // ZT0122
    &metric_filter_source::MetricFilterSource,                  // ZT0123
    &metric_filter_unknown_group::MetricFilterUnknownGroup,     // ZT0124
    &topic_key::TopicKey,                                       // ZT0125
    &topic_publishers::TopicPublishers,                         // ZT0126
    &event_rule_shape::EventRuleShape,                          // ZT0127
    &guardduty_features::GuardDutyFeatures,                     // ZT0128
    &config_delivery::ConfigDelivery,                           // ZT0129
    &lambda_runtime::LambdaRuntime,                             // ZT0130
    &lambda_outside_vpc::LambdaOutsideVpc,                      // ZT0131
    &lambda_endpoints::LambdaEndpoints,                         // ZT0132
    &lambda_settings::LambdaSettings,                           // ZT0133
    &function_log_retention::FunctionLogRetention,              // ZT0134
    &function_env_secret::FunctionEnvSecret,                    // ZT0135
    &secret_existing::SecretExisting,                           // ZT0136
    &secret_rotation::SecretRotation,                           // ZT0137
    &secret_recovery_window::SecretRecoveryWindow,              // ZT0138
    &secret_storage::SecretStorage,                             // ZT0139
    &zone_reachability::ZoneReachability,                       // ZT0140
    &sg_peer_by_reference::SgPeerByReference,                   // ZT0141
    &long_lived_credentials::LongLivedCredentials,              // ZT0142
];

#[cfg(test)]
mod tests {
    use super::ALL;

    #[test]
    fn codes_in_order_and_unique() {
        for w in ALL.windows(2) {
            assert!(
                w[0].meta().code < w[1].meta().code,
                "{} before {}",
                w[0].meta().code,
                w[1].meta().code
            );
        }
        let mut slugs: Vec<&str> = ALL.iter().map(|r| r.meta().slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ALL.len(), "slugs must be unique");
    }
}
