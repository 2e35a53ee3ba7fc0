//! ZT0110 `resource-names`: physical names fit AWS's length and character limits.

use super::util::{key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::source::Span;
use crate::spec::Profile;

/// Physical names, computed from `naming.pattern` with the longest suffix, must be valid.
pub struct ResourceNames;

static META: RuleMeta = RuleMeta {
    code: "ZT0110",
    slug: "resource-names",
    severity: Severity::Error,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "physical names (naming pattern + longest suffix) must fit AWS's length and character limits",
    explain: r##"## What it does

Computes every physical name the way lowering does: `naming.pattern` with `{name}` replaced by the
element's name and `{suffix}` by a suffix of `naming.max_suffix_length` characters. Then checks:

- the pattern itself: it must contain `{name}` and end with `{suffix}`, and use no other `{token}`;
- S3 buckets: 3-63 characters of `a-z 0-9 . -`, starting and ending with a letter or digit, no
  `..`, no `xn--`, `sthree-` or `amzn-s3-demo-` prefix, no `-s3alias`, `--ol-s3`, `.mrap`,
  `--x-s3` or `--table-s3` suffix, not an IP address;
- IAM roles (including the roles ztc derives for CloudTrail and flow-log delivery): at most 64
  characters of `A-Z a-z 0-9 + = , . @ _ -`; IAM policies: at most 128;
- the Network Firewall, its policy (`<name>-policy`) and its rule group (`<name>-allow`): at most
  128 characters of `A-Z a-z 0-9 -`;
- the CloudTrail trail: 3-128 characters of `A-Z a-z 0-9 . _ -`, starting and ending with a letter
  or digit, no adjacent `.`, `_` or `-`;
- log groups (the pattern, or `name:` when given): 1-512 characters of `A-Z a-z 0-9 . - _ / #`;
- security groups: at most 255 characters, not starting with `sg-`;
- KMS aliases (`alias/<name>`): at most 256 characters of `A-Z a-z 0-9 / _ -`, not under `alias/aws/`.

The finding points at the element's name in the spec (the key, or its `name:` value).

## Why

These limits are checked by AWS at apply time, often after other resources were created, and the
naming pattern plus a long environment suffix easily pushes a name past them (an IAM role of 64
characters, a bucket of 63). The suffix is last so that every name of one deployment can be found
and cleaned up by it.

## Example

```yaml
naming:
  pattern: "{suffix}-{name}"
buckets:
  Audit_Logs: {key: keys.s3}
```

## Fix

```yaml
naming:
  pattern: "{name}-{suffix}"
buckets:
  audit-logs: {key: keys.s3}
```

or shorten the element's name, or lower `naming.max_suffix_length`.

## References

- Amazon S3 User Guide: "General purpose bucket naming rules"
- IAM User Guide: "IAM and AWS STS quotas" (name lengths), IAM API Reference: `CreateRole` `RoleName`
- AWS Network Firewall API Reference: `CreateFirewall` `FirewallName`
- AWS CloudTrail User Guide: "CloudTrail trail naming requirements"
- Amazon CloudWatch Logs API Reference: `CreateLogGroup` `logGroupName`
- Amazon EC2 API Reference: `CreateSecurityGroup` `GroupName`; AWS KMS API Reference: `CreateAlias` `AliasName`
"##,
};

/// The physical name of an element: `pattern` with `{name}` and `{suffix}` replaced, and the
/// other tokens by the placeholder values the rule checks lengths with.
pub fn physical_name(pattern: &str, name: &str, suffix: &str) -> String {
    crate::naming::render(pattern, |t| match t {
        "name" => name.to_string(),
        "suffix" => suffix.to_string(),
        other => format!("{{{other}}}"),
    })
}

/// Placeholder values for the tokens other than `{name}` (longest plausible values).
fn token_value(spec: &crate::spec::Spec, suffix: &str, tok: &str) -> String {
    match tok {
        "suffix" => suffix.to_string(),
        "env" => spec
            .environment
            .name
            .as_ref()
            .and_then(|v| v.default.as_ref())
            .and_then(|d| d.as_str().map(String::from))
            .unwrap_or_else(|| "a".repeat(suffix.len())),
        "service" => spec.naming.service.clone().unwrap_or_default(),
        "account_id" => "123456789012".into(),
        "region" => spec.region.clone(),
        _ => String::new(),
    }
}

/// Problems with an S3 bucket name.
pub fn s3_bucket_problems(n: &str) -> Vec<String> {
    let mut p = Vec::new();
    let len = n.chars().count();
    if !(3..=63).contains(&len) {
        p.push(format!("is {len} characters; S3 bucket names are 3-63"));
    }
    let bad: String = unique(
        n.chars()
            .filter(|c| !matches!(c, 'a'..='z' | '0'..='9' | '.' | '-')),
    );
    if !bad.is_empty() {
        p.push(format!(
            "contains {bad}; only lower-case letters, digits, `.` and `-` are allowed"
        ));
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    p.extend(ends(n, alnum, "a lower-case letter or digit"));
    if n.contains("..") {
        p.push("contains `..`".into());
    }
    for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] {
        if n.starts_with(prefix) {
            p.push(format!("starts with the reserved prefix `{prefix}`"));
        }
    }
    for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] {
        if n.ends_with(suffix) {
            p.push(format!("ends with the reserved suffix `{suffix}`"));
        }
    }
    if n.split('.').count() == 4
        && n.split('.')
            .all(|o| !o.is_empty() && o.len() <= 3 && o.chars().all(|c| c.is_ascii_digit()))
    {
        p.push("is formatted as an IP address".into());
    }
    p
}

/// Problems with a name limited in length and character set.
fn generic_problems(
    n: &str,
    what: &str,
    min: usize,
    max: usize,
    ok: fn(char) -> bool,
    charset: &str,
) -> Vec<String> {
    let mut p = Vec::new();
    let len = n.chars().count();
    if len < min || len > max {
        let range = if min <= 1 {
            format!("at most {max}")
        } else {
            format!("{min}-{max}")
        };
        p.push(format!("is {len} characters; {what} names are {range}"));
    }
    let bad = unique(n.chars().filter(|c| !ok(*c)));
    if !bad.is_empty() {
        p.push(format!("contains {bad}; {what} names allow only {charset}"));
    }
    p
}

/// Problems with the first and last character of a name.
fn ends(n: &str, ok: impl Fn(Option<char>) -> bool, what: &str) -> Vec<String> {
    let mut p = Vec::new();
    if !ok(n.chars().next()) {
        p.push(format!("must start with {what}"));
    }
    if n.chars().count() > 1 && !ok(n.chars().last()) {
        p.push(format!("must end with {what}"));
    }
    p
}

/// The distinct characters, each quoted: `` `A`, `_` ``.
fn unique(chars: impl Iterator<Item = char>) -> String {
    let mut seen = Vec::new();
    for c in chars {
        if !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn iam_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}
const IAM_CHARSET: &str = "letters, digits and `+=,.@_-`";

fn role_problems(n: &str) -> Vec<String> {
    generic_problems(n, "IAM role", 1, 64, iam_char, IAM_CHARSET)
}

fn trail_problems(n: &str) -> Vec<String> {
    let mut p = generic_problems(
        n,
        "CloudTrail trail",
        3,
        128,
        |c| c.is_ascii_alphanumeric() || "._-".contains(c),
        "letters, digits and `._-`",
    );
    p.extend(ends(
        n,
        |c| c.is_some_and(|c| c.is_ascii_alphanumeric()),
        "a letter or digit",
    ));
    let chars: Vec<char> = n.chars().collect();
    if chars
        .windows(2)
        .any(|w| "._-".contains(w[0]) && "._-".contains(w[1]))
    {
        p.push("has adjacent `.`, `_` or `-`".into());
    }
    p
}

/// One name to check: what it names, the physical name, where to point and the scope.
struct Named {
    what: String,
    physical: String,
    problems: Vec<String>,
    at: Span,
    scope: String,
    /// How to fix it, besides shortening the pattern or the suffix.
    fix: String,
}

impl Rule for ResourceNames {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let spec = cx.spec;
        let pattern = spec.naming.pattern.as_str();
        let max_sfx = spec.naming.max_suffix_length as usize;
        let suffix = "a".repeat(max_sfx);
        let pattern_at = value_span(cx, &["naming", "pattern"]);

        // the pattern itself
        let mut pattern_problems = Vec::new();
        if !pattern.ends_with("{suffix}") {
            pattern_problems.push((
                "names must end with the environment suffix".to_string(),
                "`naming.pattern` must end with `{suffix}`".to_string(),
            ));
        }
        if !pattern.contains("{name}") {
            pattern_problems.push((
                "naming pattern has no `{name}`: every resource of a kind would get the same name"
                    .into(),
                "`naming.pattern` must contain `{name}`".into(),
            ));
        }
        for p in std::iter::once(pattern).chain(spec.naming.bucket_pattern.as_deref()) {
            if let Err(e) = crate::naming::parse(p) {
                pattern_problems.push((
                    format!("{e} in the naming pattern `{p}`"),
                    format!(
                        "tokens: {}",
                        crate::naming::TOKENS
                            .iter()
                            .map(|t| format!("{{{t}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                ));
            }
        }
        if let Some(bp) = spec.naming.bucket_pattern.as_deref() {
            if !bp.contains("{name}") || !bp.contains("{suffix}") {
                pattern_problems.push((
                    "`naming.bucket_pattern` must contain `{name}` and `{suffix}`".into(),
                    "bucket names need the element name and the environment suffix".into(),
                ));
            }
        }
        for (msg, label) in pattern_problems {
            out.push(
                Diagnostic::new(META.code, Severity::Error, msg)
                    .at(pattern_at)
                    .label(label)
                    .help("use the tokens {name}, {suffix}, {env}, {service}, {account_id}, {region}, with the suffix last, e.g. `naming: {pattern: \"{name}-{suffix}\"}`")
                    .scope("naming"),
            );
        }

        let phys = |name: &str| {
            crate::naming::render(pattern, |t| {
                if t == "name" {
                    name.to_string()
                } else {
                    token_value(spec, &suffix, t)
                }
            })
        };
        let bucket_pattern = spec.naming.bucket_pattern.as_deref().unwrap_or(pattern);
        let phys_bucket = |name: &str| {
            crate::naming::render(bucket_pattern, |t| {
                if t == "name" {
                    name.to_string()
                } else {
                    token_value(spec, &suffix, t)
                }
            })
        };
        let mut names: Vec<Named> = Vec::new();

        for name in spec.buckets.keys() {
            let n = phys_bucket(name);
            names.push(Named {
                what: "S3 bucket".into(),
                problems: s3_bucket_problems(&n),
                physical: n,
                at: key_span(cx, &["buckets", name]),
                scope: scope(&["buckets", name]),
                fix:
                    "rename the bucket with lower-case letters, digits and `-` (e.g. `audit-logs`)"
                        .into(),
            });
        }
        for name in spec.keys.keys() {
            let n = format!("alias/{}", phys(name));
            let mut problems = generic_problems(
                &n,
                "KMS alias",
                1,
                256,
                |c| c.is_ascii_alphanumeric() || "/_-".contains(c),
                "letters, digits and `/_-`",
            );
            if n.starts_with("alias/aws/") {
                problems.push("is under the reserved `alias/aws/` prefix".into());
            }
            names.push(Named {
                what: "KMS alias".into(),
                problems,
                physical: n,
                at: key_span(cx, &["keys", name]),
                scope: scope(&["keys", name]),
                fix: "rename the key with letters, digits, `_` and `-`".into(),
            });
        }
        for name in spec.iam.roles.keys() {
            let n = phys(name);
            names.push(Named {
                what: "IAM role".into(),
                problems: role_problems(&n),
                physical: n,
                at: key_span(cx, &["iam", "roles", name]),
                scope: scope(&["iam", "roles", name]),
                fix: "shorten the role's name".into(),
            });
        }
        for name in spec.iam.policies.keys() {
            let n = phys(name);
            names.push(Named {
                what: "IAM policy".into(),
                problems: generic_problems(&n, "IAM policy", 1, 128, iam_char, IAM_CHARSET),
                physical: n,
                at: key_span(cx, &["iam", "policies", name]),
                scope: scope(&["iam", "policies", name]),
                fix: "shorten the policy's name".into(),
            });
        }
        for (name, g) in &spec.logs.groups {
            let (n, at, fix) = match &g.name {
                Some(full) => (
                    full.clone(),
                    value_span(cx, &["logs", "groups", name, "name"]),
                    "fix the log group's `name:`",
                ),
                None => (
                    phys(name),
                    key_span(cx, &["logs", "groups", name]),
                    "rename the log group",
                ),
            };
            names.push(Named {
                what: "log group".into(),
                problems: generic_problems(
                    &n,
                    "log group",
                    1,
                    512,
                    |c| c.is_ascii_alphanumeric() || "._-/#".contains(c),
                    "letters, digits and `._-/#`",
                ),
                physical: n,
                at,
                scope: scope(&["logs", "groups", name]),
                fix: fix.into(),
            });
        }
        if let Some(t) = &spec.trail {
            let at = value_span(cx, &["trail", "name"]);
            let n = phys(&t.name);
            names.push(Named {
                what: "CloudTrail trail".into(),
                problems: trail_problems(&n),
                physical: n,
                at,
                scope: "trail".into(),
                fix: "rename the trail with letters, digits and single `-`".into(),
            });
            if t.cloudwatch.is_some() {
                let n = phys(&format!("{}-cloudwatch", t.name));
                names.push(Named {
                    what: "IAM role (CloudTrail delivery to CloudWatch Logs)".into(),
                    problems: role_problems(&n),
                    physical: n,
                    at,
                    scope: "trail".into(),
                    fix: "shorten the trail's name (the role is named `<trail>-cloudwatch`)".into(),
                });
            }
        }
        if let Some(net) = &spec.network {
            for name in net.security_groups.keys() {
                let n = phys(name);
                let mut problems = generic_problems(
                    &n,
                    "security group",
                    1,
                    255,
                    |c| !c.is_control(),
                    "printable characters",
                );
                if n.to_ascii_lowercase().starts_with("sg-") {
                    problems.push("starts with `sg-`, which AWS reserves for group ids".into());
                }
                names.push(Named {
                    what: "security group".into(),
                    problems,
                    physical: n,
                    at: key_span(cx, &["network", "security_groups", name]),
                    scope: scope(&["network", "security_groups", name]),
                    fix: "rename the security group".into(),
                });
            }
            if let Some(fw) = &net.firewall {
                let at = value_span(cx, &["network", "firewall", "name"]);
                for (what, logical) in [
                    ("Network Firewall", fw.name.clone()),
                    ("firewall policy", format!("{}-policy", fw.name)),
                    ("firewall rule group", format!("{}-allow", fw.name)),
                ] {
                    let n = phys(&logical);
                    names.push(Named {
                        what: what.into(),
                        problems: generic_problems(
                            &n,
                            what,
                            1,
                            128,
                            |c| c.is_ascii_alphanumeric() || c == '-',
                            "letters, digits and `-`",
                        ),
                        physical: n,
                        at,
                        scope: "network.firewall".into(),
                        fix: "rename the firewall with letters, digits and `-` only".into(),
                    });
                }
            }
            if net
                .flow_logs
                .iter()
                .any(|f| f.destination.starts_with("logs."))
            {
                let n = phys(&format!("{}-flow-logs", net.name));
                names.push(Named {
                    what: "IAM role (flow-log delivery to CloudWatch Logs)".into(),
                    problems: role_problems(&n),
                    physical: n,
                    at: value_span(cx, &["network", "name"]),
                    scope: "network".into(),
                    fix: "shorten the VPC's name (the role is named `<vpc>-flow-logs`)".into(),
                });
            }
        }

        for n in names {
            for problem in &n.problems {
                out.push(
                    Diagnostic::new(META.code, Severity::Error, format!("{} name `{}` {problem}", n.what, n.physical))
                        .at(n.at)
                        .label(format!("invalid {} name", n.what))
                        .help(format!(
                            "{}; names are computed with `naming.pattern` = `{pattern}` and a {max_sfx}-character suffix \
                             (`naming.max_suffix_length`), which can also be shortened",
                            n.fix
                        ))
                        .scope(n.scope.clone()),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn physical() {
        assert_eq!(
            physical_name("{name}-{suffix}", "audit", "dev"),
            "audit-dev"
        );
        assert_eq!(
            physical_name("zt-{name}-{suffix}", "a{suffix}", "x"),
            "zt-a{suffix}-x"
        );
        assert_eq!(physical_name("{env}-{name}", "a", "x"), "{env}-a");
        assert_eq!(physical_name("{env}-{bogus}", "a", "x"), "{env}-{bogus}");
    }
    #[test]
    fn buckets() {
        assert!(s3_bucket_problems("audit-logs-aaaaaaaa").is_empty());
        assert!(!s3_bucket_problems("Audit_Logs-aaaa").is_empty());
        assert!(!s3_bucket_problems("xn--abc").is_empty());
        assert!(!s3_bucket_problems("a..b").is_empty());
        assert!(!s3_bucket_problems("192.168.5.4").is_empty());
        assert!(!s3_bucket_problems(&"a".repeat(64)).is_empty());
    }
    #[test]
    fn trails() {
        assert!(trail_problems("audit-trail-aaaaaaaa").is_empty());
        assert!(!trail_problems("my--trail").is_empty());
        assert!(!trail_problems("ab").is_empty());
    }
}
