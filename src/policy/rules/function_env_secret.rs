//! ZT0135 `function-env-secret`: credentials written as literal environment values.

use super::function_facts::{env_value, EnvValue};
use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::Profile;

/// Environment variables that look like credentials and hold a literal.
pub struct FunctionEnvSecret;

static META: RuleMeta = RuleMeta {
    code: "ZT0135",
    slug: "function-env-secret",
    severity: Severity::Warning,
    pci: &["8.6.2", "8.3.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["8.6.2", "8.3.2"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC6.1"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-DATA-1"], Severity::Warning),
    ],
    summary: "credentials must not be literal function environment values; reference a secret",
    explain: r##"## What it does

Reports (**warning**) a function environment variable whose name says it holds a credential
(it contains `PASSWORD`, `PASSWD`, `SECRET`, `TOKEN`, `API_KEY`, `APIKEY`, `PRIVATE_KEY` or
`CREDENTIAL`) and whose value is a literal. Names that hold an identifier rather than the
credential (ending in `_ARN`, `_NAME`, `_ID`, `_URL`, `_ENDPOINT`, `_PATH`, `_LENGTH`, `_TTL`)
and references (`secrets.NAME`, `buckets.NAME`, `topics.NAME`) pass.

## Why

A literal ends up in the spec, in the generated code, in the Terraform state and in the
function's configuration, readable by anyone with `lambda:GetFunctionConfiguration`. PCI DSS 8.6.2
forbids passwords of application and system accounts hard-coded in scripts and configuration
files; 8.3.2 requires authentication factors to be unreadable in storage.

## Example

```yaml
functions:
  app:
    environment:
      DB_PASSWORD: hunter2
```

## Fix

```yaml
secrets:
  db:
    source: create
    key: keys.app
    generate: {username: app}
functions:
  app:
    environment:
      DB_SECRET_ARN: secrets.db   # the code reads the secret at run time
```

## References

- PCI DSS v4.0.1 8.6.2 (no hard-coded passwords for system and application accounts), 8.3.2
- AWS Lambda Developer Guide: "Securing environment variables"
"##,
};

const CREDENTIAL_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "SECRET",
    "TOKEN",
    "API_KEY",
    "APIKEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];
const IDENTIFIER_SUFFIXES: &[&str] = &[
    "_ARN",
    "_NAME",
    "_ID",
    "_URL",
    "_ENDPOINT",
    "_PATH",
    "_LENGTH",
    "_TTL",
];

/// True when a variable name says it holds a credential.
pub fn looks_like_credential(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    CREDENTIAL_WORDS.iter().any(|w| n.contains(w))
        && !IDENTIFIER_SUFFIXES.iter().any(|s| n.ends_with(s))
}

impl Rule for FunctionEnvSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, f) in &cx.spec.functions {
            for (k, v) in &f.environment {
                if !looks_like_credential(k) || v.trim().is_empty() {
                    continue;
                }
                if !matches!(env_value(v), EnvValue::Literal(_)) {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("`{k}` of function `{name}` holds a literal credential"),
                    )
                    .at(value_span(cx, &["functions", name, "environment", k]))
                    .label("hard-coded credential")
                    .help(format!(
                        "keep it in a secret and pass the reference: `{k}_ARN: secrets.NAME` (ztc grants \
                         `secretsmanager:GetSecretValue` on it); the code reads the value at run time"
                    ))
                    .scope(scope(&["functions", name])),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_like_credential;
    #[test]
    fn names() {
        assert!(looks_like_credential("DB_PASSWORD"));
        assert!(looks_like_credential("api_key"));
        assert!(!looks_like_credential("DB_SECRET_ARN"));
        assert!(!looks_like_credential("PASSWORD_LENGTH"));
        assert!(!looks_like_credential("DB_HOST"));
    }
}
