//! Actions without resource-level permissions: IAM only accepts `"Resource": "*"` for them.

/// IAM actions that do not support resource-level permissions, so a statement granting them must
/// use `"Resource": "*"`. Taken from the "Resource types" column of the AWS **Service
/// Authorization Reference** ("Actions, resources, and condition keys for AWS services"), where
/// these actions list no resource type. An entry ending in `*` matches every action with that
/// prefix (`ec2:Describe*`). Sorted (checked by a test); matched case-insensitively, as IAM does.
pub static NO_RESOURCE_LEVEL: &[&str] = &[
    "cloudwatch:PutMetricData",
    "config:PutEvaluations",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:Describe*",
    "ec2:DescribeNetworkInterfaces",
    "guardduty:ListDetectors",
    "iam:ListRoles",
    "kms:CreateKey",
    "kms:ListAliases",
    "kms:ListKeys",
    "logs:DescribeLogGroups",
    "s3:ListAllMyBuckets",
    "secretsmanager:GetRandomPassword",
    "ssm:DescribeParameters",
    "sts:GetCallerIdentity",
    "xray:PutTelemetryRecords",
    "xray:PutTraceSegments",
];

/// True when `action` (e.g. `ec2:DescribeSubnets`) has no resource-level permissions, so
/// `"Resource": "*"` is the only way to grant it.
pub fn is_resource_less(action: &str) -> bool {
    let action = action.trim().to_ascii_lowercase();
    NO_RESOURCE_LEVEL.iter().any(|entry| {
        let entry = entry.to_ascii_lowercase();
        match entry.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => action == entry,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn table_is_sorted_and_unique() {
        for w in NO_RESOURCE_LEVEL.windows(2) {
            assert!(w[0] < w[1], "{} must sort before {}", w[0], w[1]);
        }
    }
    #[test]
    fn matches() {
        assert!(is_resource_less("ec2:DescribeSubnets"));
        assert!(is_resource_less("ec2:Describe*"));
        assert!(is_resource_less("STS:GetCallerIdentity"));
        assert!(is_resource_less("s3:ListAllMyBuckets"));
        assert!(!is_resource_less("s3:GetObject"));
        assert!(!is_resource_less("ec2:*"));
        assert!(!is_resource_less("*"));
    }
}
