//! ZT0133 `lambda-settings`: values Lambda rejects at apply time, and what the function's source
//! template needs from its environment.

use super::function_facts::{env_value, template, EnvValue, TEMPLATES};
use super::util::{key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Memory, timeout, source template and environment of functions.
pub struct LambdaSettings;

/// Environment variables Lambda reserves (setting them fails with InvalidParameterValueException).
pub const RESERVED_ENV: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_DEFAULT_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "LAMBDA_RUNTIME_DIR",
    "LAMBDA_TASK_ROOT",
];

static META: RuleMeta = RuleMeta {
    code: "ZT0133",
    slug: "lambda-settings",
    severity: Severity::Error,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "function memory, timeout, source and environment must be values Lambda and the source accept",
    explain: r##"## What it does

Checks each function (**errors**):

- `memory` is 128-10240 MB;
- `timeout` is 1-900 seconds (`300s`, `5m`, `900`), not days or years;
- `source` names a template ztc ships: `compliance-checker` (Python) or `secrets-rotation`
  (Node.js, AWS SDK v3);
- environment variable names match `[a-zA-Z][a-zA-Z0-9_]+` and are not reserved by Lambda
  (`AWS_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, `_HANDLER`, ...);
- the environment the source needs: the `compliance-checker` writes its report to
  `REPORTS_BUCKET`, which must name a bucket (`buckets.NAME`), and publishes to `SNS_TOPIC_ARN`,
  which must name a topic (`topics.NAME`) when given.

## Why

Lambda rejects these values only at apply time (`InvalidParameterValueException`,
`ValidationException: 1 validation error detected: Value '1000' at 'timeout' failed to satisfy
constraint`). A checker without a report bucket runs, finds problems, and keeps them to itself.

## Example

```yaml
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    memory: 64
    timeout: 1h
    environment: {AWS_REGION: us-east-1}
    vpc: {none: "reads account configuration only"}
    key: keys.app
```

## Fix

```yaml
functions:
  checker:
    runtime: python3.13
    source: compliance-checker
    memory: 256
    timeout: 300s
    environment: {REPORTS_BUCKET: buckets.reports}
    vpc: {none: "reads account configuration only"}
    key: keys.app
```

## References

- AWS Lambda Developer Guide: "Lambda quotas" (memory 128-10,240 MB, timeout 900 seconds),
  "Defined runtime environment variables" (reserved names)
"##,
};

fn valid_env_name(k: &str) -> bool {
    let mut c = k.chars();
    k.len() >= 2
        && c.next().is_some_and(|c| c.is_ascii_alphabetic())
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Rule for LambdaSettings {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, f) in &cx.spec.functions {
            let sc = scope(&["functions", name]);
            let err = |path: &[&str], msg: String, label: &str, help: String| {
                let mut p = vec!["functions", name.as_str()];
                p.extend_from_slice(path);
                Diagnostic::new(META.code, Severity::Error, msg)
                    .at(value_span(cx, &p))
                    .label(label)
                    .help(help)
                    .scope(&sc)
            };
            if !(128..=10240).contains(&f.memory) {
                out.push(err(
                    &["memory"],
                    format!("memory of {} MB is outside Lambda's 128-10240 MB", f.memory),
                    "out of range",
                    "set `memory` between 128 and 10240 (MB), e.g. `memory: 256`".into(),
                ));
            }
            match f.timeout.seconds() {
                Some(s) if (1..=900).contains(&s) => {}
                Some(s) => out.push(err(
                    &["timeout"],
                    format!("timeout of {s} seconds is outside Lambda's 1-900 seconds"),
                    "out of range",
                    "use at most 15 minutes: `timeout: 900s` or `timeout: 15m`".into(),
                )),
                None => out.push(err(
                    &["timeout"],
                    "timeout is not a number of seconds".into(),
                    "not seconds",
                    "write seconds or minutes: `timeout: 300s`, `timeout: 5m`".into(),
                )),
            }
            let Some(t) = template(&f.source) else {
                let names: Vec<String> = TEMPLATES.iter().map(|t| t.name.to_string()).collect();
                let help = match crate::validate::did_you_mean(&f.source, &names) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("ztc ships these sources: {}", names.join(", ")),
                };
                out.push(err(
                    &["source"],
                    format!("`{}` is not a function source ztc ships", f.source),
                    "unknown source",
                    help,
                ));
                continue;
            };
            for k in f.environment.keys() {
                let at = || key_span(cx, &["functions", name, "environment", k]);
                if !valid_env_name(k) {
                    out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            format!("`{k}` is not a valid environment variable name"),
                        )
                        .at(at())
                        .label("invalid name")
                        .help("use letters, digits and `_`, starting with a letter, at least 2 characters")
                        .scope(&sc),
                    );
                } else if RESERVED_ENV.contains(&k.as_str()) {
                    out.push(
                        Diagnostic::new(
                            META.code,
                            Severity::Error,
                            format!("`{k}` is reserved by Lambda"),
                        )
                        .at(at())
                        .label("reserved variable")
                        .help("Lambda sets it itself; use another name")
                        .scope(&sc),
                    );
                }
            }
            if t.name == "compliance-checker" {
                match f.environment.get("REPORTS_BUCKET").map(|v| env_value(v)) {
                    Some(EnvValue::Bucket(_)) => {}
                    Some(_) => out.push(err(
                        &["environment", "REPORTS_BUCKET"],
                        "`REPORTS_BUCKET` must name a bucket of this spec".into(),
                        "not `buckets.NAME`",
                        "write `REPORTS_BUCKET: buckets.NAME`: ztc passes the bucket name and grants `s3:PutObject` on `reports/*`".into(),
                    )),
                    None => out.push(err(
                        &["environment"],
                        "the compliance checker needs `REPORTS_BUCKET`".into(),
                        "no report bucket",
                        "add `environment: {REPORTS_BUCKET: buckets.NAME}`; `SNS_TOPIC_ARN: topics.NAME` adds a summary notification".into(),
                    )),
                }
                if let Some(v) = f.environment.get("SNS_TOPIC_ARN") {
                    if !matches!(env_value(v), EnvValue::Topic(_)) {
                        out.push(err(
                            &["environment", "SNS_TOPIC_ARN"],
                            "`SNS_TOPIC_ARN` must name a topic of this spec".into(),
                            "not `topics.NAME`",
                            "write `SNS_TOPIC_ARN: topics.NAME`: ztc passes the topic ARN and grants `sns:Publish` on it".into(),
                        ));
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::valid_env_name;
    #[test]
    fn env_names() {
        assert!(valid_env_name("DB_HOST"));
        assert!(!valid_env_name("1X"));
        assert!(!valid_env_name("A"));
        assert!(!valid_env_name("A-B"));
    }
}
