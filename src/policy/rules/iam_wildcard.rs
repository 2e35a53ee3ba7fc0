//! ZT0105 `iam-wildcard`: no wildcard actions, and `*` resources only where IAM requires them.

use super::no_resource_level::is_resource_less;
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Effect, Profile};

/// Wildcards in the allow statements of customer-managed policies.
pub struct IamWildcard;

static META: RuleMeta = RuleMeta {
    code: "ZT0105",
    slug: "iam-wildcard",
    severity: Severity::Error,
    pci: &["7.2.1", "7.2.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["7.2.1", "7.2.2"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC6.3"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-IAM-1"], Severity::Error),
    ],
    summary: "IAM allow statements must name actions and resources; `*` only for actions without resource-level permissions",
    explain: r##"## What it does

For every `allow` statement of `iam.policies.*`:

- an **error** at every action containing `*` (`*`, `s3:*`, `s3:Get*`);
- an **error** at a `"*"` resource when some action of the statement supports resource-level
  permissions;
- an **info** at a `"*"` resource when *every* action of the statement is in ztc's table of actions
  without resource-level permissions (`ec2:Describe*`, `sts:GetCallerIdentity`,
  `s3:ListAllMyBuckets`, `cloudwatch:PutMetricData`, ...): for those, `"*"` is the only
  resource IAM accepts.

`deny` statements are not checked: a broad deny only removes access.

## Why

PCI DSS 7.2.1 and 7.2.2 require access to be granted on least privilege: only the actions and the
resources a job needs. A wildcard action silently grows whenever AWS adds an action to the service,
and a `*` resource grants the action on every resource of the account, including other systems'
cardholder data.

Some actions cannot be scoped: the Service Authorization Reference lists no resource type for them,
and IAM ignores any ARN but `*`. Those are accepted, in a statement of their own.

## Example

```yaml
iam:
  policies:
    app:
      statements:
        - {actions: ["s3:*"], resources: ["*"]}
```

## Fix

Name the actions, and the resources by ARN or spec reference; keep actions without resource-level
permissions in a separate statement:

```yaml
      statements:
        - {actions: ["s3:GetObject", "s3:PutObject"], resources: ["buckets.data"]}
        - {actions: ["sts:GetCallerIdentity"], resources: ["*"]}
```

## References

- PCI DSS v4.0.1 7.2.1 (access control model), 7.2.2 (least privileges)
- AWS Service Authorization Reference: "Actions, resources, and condition keys for AWS services"
- IAM User Guide: "Security best practices in IAM" (apply least-privilege permissions)
"##,
};

impl Rule for IamWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (pname, policy) in &cx.spec.iam.policies {
            let element = scope(&["iam", "policies", pname]);
            for (si, st) in policy.statements.iter().enumerate() {
                if st.effect != Effect::Allow {
                    continue;
                }
                let si = si.to_string();
                for (ai, action) in st.actions.iter().enumerate() {
                    if !action.contains('*') {
                        continue;
                    }
                    let ai = ai.to_string();
                    out.push(
                        Diagnostic::new(META.code, Severity::Error, format!("wildcard action `{action}` in policy `{pname}`"))
                            .at(value_span(cx, &["iam", "policies", pname, "statements", &si, "actions", &ai]))
                            .label("grants every matching action, including future ones")
                            .help(format!(
                                "list the exact actions the workload calls instead of `{action}`, e.g. `actions: [\"{}\"]`; \
                                 the AWS Service Authorization Reference lists each service's actions",
                                example_action(action)
                            ))
                            .scope(element.clone()),
                    );
                }
                let resource_less =
                    !st.actions.is_empty() && st.actions.iter().all(|a| is_resource_less(a));
                for (ri, resource) in st.resources.iter().enumerate() {
                    if resource.trim() != "*" {
                        continue;
                    }
                    let at = value_span(
                        cx,
                        &[
                            "iam",
                            "policies",
                            pname,
                            "statements",
                            &si,
                            "resources",
                            &ri.to_string(),
                        ],
                    );
                    if resource_less {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Info,
                                format!("`*` resource in policy `{pname}` is allowed: its actions have no resource-level permissions"),
                            )
                            .at(at)
                            .label("IAM only accepts `*` for these actions")
                            .help(format!(
                                "no change needed; keep this statement limited to actions without resource-level permissions ({})",
                                st.actions.join(", ")
                            ))
                            .scope(element.clone()),
                        );
                    } else {
                        let scoped: Vec<&str> = st
                            .actions
                            .iter()
                            .filter(|a| !is_resource_less(a))
                            .map(String::as_str)
                            .collect();
                        out.push(
                            Diagnostic::new(META.code, Severity::Error, format!("`*` resource in policy `{pname}`"))
                                .at(at)
                                .label("grants the actions on every resource in the account")
                                .help(format!(
                                    "name the resources of {}: an ARN, or a spec reference such as `keys.NAME`, `buckets.NAME`, \
                                     `logs.NAME` or `parameters.*`; move actions without resource-level permissions \
                                     (e.g. `sts:GetCallerIdentity`) into their own statement with `resources: [\"*\"]`",
                                    scoped.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ")
                                ))
                                .scope(element.clone()),
                        );
                    }
                }
            }
        }
    }
}

/// A concrete example for a wildcard action: `s3:*` → `s3:GetObject`.
fn example_action(action: &str) -> String {
    match action.split_once(':') {
        Some((svc, _)) if !svc.contains('*') => format!("{svc}:{}", example_verb(svc)),
        _ => "ssm:GetParameter".into(),
    }
}

fn example_verb(service: &str) -> &'static str {
    match service {
        "s3" => "GetObject",
        "kms" => "Decrypt",
        "ssm" => "GetParameter",
        "logs" => "PutLogEvents",
        "secretsmanager" => "GetSecretValue",
        "dynamodb" => "GetItem",
        "sqs" => "SendMessage",
        "sns" => "Publish",
        _ => "ActionName",
    }
}
