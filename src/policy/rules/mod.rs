//! The rule registry. Each rule lives in its own file, with its code, slug, PCI DSS v4.0.1
//! references and `explain` text; [`ALL`] lists them in code order.

use super::Rule;

mod util;

pub mod account_level_settings;
pub mod destroyable;
pub mod flow_logs;
pub mod iam_session_length;
pub mod iam_wildcard;
pub mod kms_key_without_consumer;
pub mod kms_rotation;
pub mod locked_bucket_key_destroyable;
pub mod log_retention;
pub mod mandatory_tags;
pub mod mfa_delete;
pub mod no_resource_level;
pub mod object_lock_compliance;
pub mod open_ingress;
pub mod resource_names;
pub mod s3_public_access;
pub mod sg_deny;
pub mod ssm_securestring;
pub mod trust_conditions;

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
