//! ZT0130 `lambda-runtime`: function runtimes that AWS still lets you create, that get security
//! patches, that the hashicorp/aws 5.x provider accepts, and that can run the function's source.

use super::function_facts::template;
use super::lambda_runtimes::{self as rt, Status};
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Lambda runtimes: blocked, deprecated, unknown to the provider, or unable to run the source.
pub struct LambdaRuntime;

static META: RuleMeta = RuleMeta {
    code: "ZT0130",
    slug: "lambda-runtime",
    severity: Severity::Error,
    pci: &["6.3.3", "12.3.4"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["6.3.3", "12.3.4"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC7.1", "CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "function runtimes must be creatable, patched, accepted by hashicorp/aws 5.x and able to run the source",
    explain: r##"## What it does

Checks `functions.*.runtime` against ztc's dated table of AWS Lambda runtimes (deprecation,
create-block and update-block dates from the Lambda Developer Guide) on the day of the build (UTC;
`ZTC_TODAY=YYYY-MM-DD` pins the day for reproducible builds):

- **error** when the identifier is not a Lambda runtime;
- **error** when hashicorp/aws 5.x rejects it (its `runtime` enum predates `nodejs24.x`,
  `python3.14`, `java25`, `dotnet10` and `ruby4.0`: `terraform validate` fails);
- **error** when creating functions with the runtime is blocked;
- **warning** when the runtime is deprecated (no more security patches) or will be within six
  months; the message gives the date creation will be blocked;
- **error** when the runtime cannot run the function's `source` (the `compliance-checker` is
  Python >= 3.9; the `secrets-rotation` function is an ES module for Node.js >= 18, the first
  runtime that ships the AWS SDK v3).

## Why

A function on a runtime whose creation is blocked fails at apply time (`InvalidParameterValueException:
The runtime parameter of ... is no longer supported for creating or updating AWS Lambda functions`).
A deprecated runtime receives no security patches: PCI DSS 6.3.3 requires known vulnerabilities
in system components to be patched, and 12.3.4 asks for a review of technologies that approach end
of life. Node.js 18 reached end of support on 2025-09-01, Node.js 20 on 2026-04-30.

## Example

```yaml
functions:
  rotate:
    runtime: nodejs18.x
    source: secrets-rotation
```

## Fix

```yaml
functions:
  rotate:
    runtime: nodejs22.x   # newest Node.js runtime hashicorp/aws 5.x accepts
    source: secrets-rotation
```

## References

- PCI DSS v4.0.1 6.3.3 (security patches), 12.3.4 (hardware and software technologies reviewed)
- AWS Lambda Developer Guide: "Lambda runtimes" (supported and deprecated runtimes, block dates)
- Terraform AWS provider 5.x: `aws_lambda_function.runtime`
"##,
};

impl Rule for LambdaRuntime {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        check_on(cx, &crate::policy::waivers::today(), out);
    }
}

/// The check, on a given day (`YYYY-MM-DD`).
fn check_on(cx: &Ctx<'_>, today: &str, out: &mut Vec<Diagnostic>) {
    for (name, f) in &cx.spec.functions {
        let at = value_span(cx, &["functions", name, "runtime"]);
        let sc = scope(&["functions", name]);
        let id = f.runtime.as_str();
        let fam = rt::family(id);
        let replacement = rt::newest_supported(fam, today)
            .map(|r| r.id)
            .or_else(|| template(&f.source).map(|t| t.suggested_runtime));
        let suggest = |verb: &str| match replacement {
            Some(r) => format!("{verb} `runtime: {r}`"),
            None => format!("{verb} a supported runtime"),
        };
        let Some(r) = rt::lookup(id) else {
            let ids: Vec<String> = rt::RUNTIMES.iter().map(|r| r.id.to_string()).collect();
            let help = match crate::validate::did_you_mean(id, &ids) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!(
                        "use a Lambda runtime identifier such as `python3.13` or `nodejs22.x` (table of {})",
                        rt::TABLE_DATE
                    ),
                };
            out.push(
                Diagnostic::new(
                    META.code,
                    Severity::Error,
                    format!("`{id}` is not an AWS Lambda runtime"),
                )
                .at(at)
                .label("unknown runtime")
                .help(help)
                .scope(&sc),
            );
            continue;
        };
        if !r.provider_5x {
            out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("hashicorp/aws 5.x does not accept runtime `{id}`"),
                    )
                    .at(at)
                    .label("not in the provider's runtime list")
                    .help(format!(
                        "{}: the 5.x provider validates `runtime` against the runtimes it knows and `terraform validate` fails on newer ones",
                        suggest("use")
                    ))
                    .scope(&sc),
                );
        } else {
            match rt::status(r, today) {
                    Status::CreateBlocked(d) => out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            format!("AWS blocks creating functions on `{id}` since {d}"),
                        )
                        .at(at)
                        .label("creation blocked")
                        .help(format!(
                            "{}; the apply would fail with InvalidParameterValueException",
                            suggest("upgrade to")
                        ))
                        .scope(&sc),
                    ),
                    Status::Deprecated(d, block) => out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Warning,
                            format!("runtime `{id}` is deprecated since {d} and gets no security patches"),
                        )
                        .at(at)
                        .label(match block {
                            Some(b) => format!("deprecated; creation blocked from {b}"),
                            None => "deprecated".to_string(),
                        })
                        .help(format!(
                            "{} (PCI DSS 6.3.3: apply security patches); waive with a reason and a date if the upgrade is planned",
                            suggest("upgrade to")
                        ))
                        .scope(&sc),
                    ),
                    Status::DeprecatedSoon(d) => out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Warning,
                            format!("runtime `{id}` is deprecated on {d}, within six months"),
                        )
                        .at(at)
                        .label(format!("deprecated on {d}"))
                        .help(format!(
                            "{} before {d}; after it the runtime gets no security patches (PCI DSS 6.3.3)",
                            suggest("plan the upgrade to")
                        ))
                        .scope(&sc),
                    ),
                    Status::Supported => {}
                }
        }
        if let Some(t) = template(&f.source) {
            let v = rt::version(id);
            if fam != t.family || v.as_slice() < t.min_version {
                let min = t
                    .min_version
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(".");
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("runtime `{id}` cannot run the `{}` source", t.name),
                    )
                    .at(at)
                    .label(format!("`{}` needs {} >= {min}", t.name, t.family))
                    .help(format!("use `runtime: {}`", t.suggested_runtime))
                    .scope(&sc),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn findings(yaml: &str, today: &str) -> Vec<Diagnostic> {
        let (_src, node) =
            crate::yaml::load_bytes(yaml.as_bytes(), "t.yaml", crate::yaml::Limits::default());
        let node = node.expect("yaml");
        let spec: crate::spec::Spec = serde_json::from_value(node.to_json()).expect("spec");
        let cx = Ctx::new(&spec, &node);
        let mut out = Vec::new();
        check_on(&cx, today, &mut out);
        out
    }

    const SPEC: &str = "ztc: 1\nmetadata: {name: t}\nregion: us-east-1\nkeys: {k: {}}\nfunctions:\n  f:\n    runtime: RT\n    source: SRC\n    vpc: {none: test}\n    key: keys.k\n";

    fn spec(rt: &str, src: &str) -> String {
        SPEC.replace("RT", rt).replace("SRC", src)
    }

    #[test]
    fn runtime_findings_by_date() {
        let one = |rt: &str, src: &str, today: &str| {
            findings(&spec(rt, src), today)
                .into_iter()
                .map(|d| (d.severity, d.message))
                .collect::<Vec<_>>()
        };
        assert!(one("python3.13", "compliance-checker", "2026-11-24").is_empty());
        let f = one("nodejs22.x", "secrets-rotation", "2026-11-24");
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].0, Severity::Warning);
        assert!(f[0].1.contains("2027-04-30"), "{f:?}");
        let f = one("nodejs20.x", "secrets-rotation", "2026-11-24");
        assert_eq!(f[0].0, Severity::Warning);
        assert!(f[0].1.contains("deprecated since 2026-04-30"), "{f:?}");
        let f = one("nodejs18.x", "secrets-rotation", "2027-02-01");
        assert_eq!(f[0].0, Severity::Error);
        let f = one("nodejs24.x", "secrets-rotation", "2026-11-24");
        assert_eq!(f[0].0, Severity::Error);
        assert!(f[0].1.contains("hashicorp/aws 5.x"), "{f:?}");
        let f = one("python3.11", "secrets-rotation", "2026-11-24");
        assert_eq!(f.len(), 1);
        assert!(f[0].1.contains("cannot run"), "{f:?}");
        let f = one("python3.8", "compliance-checker", "2026-11-24");
        assert!(f.iter().any(|d| d.1.contains("cannot run")), "{f:?}");
        let f = one("pyhton3.12", "compliance-checker", "2026-11-24");
        assert_eq!(f[0].0, Severity::Error);
        assert!(f[0].1.contains("not an AWS Lambda runtime"), "{f:?}");
    }
}
