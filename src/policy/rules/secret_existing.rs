//! ZT0136 `secret-existing`: fields that contradict a secret's `source` (REQUIREMENTS C8).

use super::util::{key_span, present, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, Rotation2, SecretSource};

/// Existing secrets cannot be configured by this stack; created secrets are named by the pattern.
pub struct SecretExisting;

static META: RuleMeta = RuleMeta {
    code: "ZT0136",
    slug: "secret-existing",
    severity: Severity::Error,
    pci: &["3.6.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["3.6.1"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "an existing secret takes only `name` and `rotation`; `key`, `generate` and `recovery_window_days` are for created secrets",
    explain: r##"## What it does

For `source: existing` secrets (read with `data "aws_secretsmanager_secret"`):

- **error** on `key`: a stack cannot set the KMS key of a secret it does not manage, and a secret
  that exists before this stack cannot already be encrypted with a key this stack creates;
- **error** on `generate` and `recovery_window_days`: they configure the secret's value and its
  deletion, which belong to whoever created it;
- **error** when `name` is missing: the data source finds the secret by name;
- **warning** on `rotation` with a function: the stack then owns the rotation of someone else's
  secret, and `terraform destroy` turns that rotation off.

For `source: create` secrets, **error** on `name`: created secrets are named by
`naming.pattern` (so every deployment gets its own).

## Why

These combinations cannot be expressed: `aws_secretsmanager_secret` data sources have no
`kms_key_id` argument, and pretending they do hides that the secret may be encrypted with the
AWS-managed key. The data source also fails at plan time when the secret does not exist yet,
which is why a greenfield stack usually creates its secrets.

## Example

```yaml
secrets:
  db:
    source: existing
    name: {var: db_secret_name}
    key: keys.secrets
```

## Fix

```yaml
secrets:
  db:
    source: existing
    name: {var: db_secret_name}
```

or create it here:

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    generate: {username: app}
```

## References

- PCI DSS v4.0.1 3.6.1 (key management procedures)
- Terraform AWS provider: data source `aws_secretsmanager_secret`, resource `aws_secretsmanager_secret`
"##,
};

impl Rule for SecretExisting {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, s) in &cx.spec.secrets {
            let sc = scope(&["secrets", name]);
            let d = |sev: Severity, field: &str, msg: String, label: &str, help: String| {
                Diagnostic::new(META.code, sev, msg)
                    .at(key_span(cx, &["secrets", name, field]))
                    .label(label)
                    .help(help)
                    .scope(&sc)
            };
            match s.source {
                SecretSource::Existing => {
                    if s.key.is_some() {
                        out.push(d(
                            Severity::Error,
                            "key",
                            format!("existing secret `{name}` cannot take a key from this stack"),
                            "not settable on an existing secret",
                            "remove `key`: the secret keeps the key it was created with; to encrypt it with a key \
                             of this stack, use `source: create`"
                                .into(),
                        ));
                    }
                    if s.generate.is_some() {
                        out.push(d(
                            Severity::Error,
                            "generate",
                            format!(
                                "existing secret `{name}` cannot have its value generated here"
                            ),
                            "only for created secrets",
                            "remove `generate`, or use `source: create`".into(),
                        ));
                    }
                    if s.recovery_window_days.is_some() {
                        out.push(d(
                            Severity::Error,
                            "recovery_window_days",
                            format!("existing secret `{name}` is not deleted by this stack"),
                            "only for created secrets",
                            "remove `recovery_window_days`".into(),
                        ));
                    }
                    if s.name.is_none() {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Error,
                                format!("existing secret `{name}` needs its `name`"),
                            )
                            .at(key_span(cx, &["secrets", name]))
                            .label("no `name`")
                            .help("add `name: <secret name>` or `name: {var: db_secret_name}`")
                            .scope(&sc),
                        );
                    }
                    if let Some(Rotation2::With(_)) = &s.rotation {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Warning,
                                format!("this stack takes over the rotation of existing secret `{name}`"),
                            )
                            .at(value_span(cx, &["secrets", name, "rotation"]))
                            .label("rotation of a secret this stack does not own")
                            .help(format!(
                                "`terraform destroy` turns the rotation off for every user of the secret; if that is \
                                 intended, waive it: `{{rule: secret-existing, scope: {sc}, reason: ...}}`"
                            ))
                            .scope(&sc),
                        );
                    }
                }
                SecretSource::Create => {
                    if present(cx, &["secrets", name, "name"]) {
                        out.push(d(
                            Severity::Error,
                            "name",
                            format!("created secret `{name}` is named by `naming.pattern`"),
                            "only for existing secrets",
                            format!(
                                "remove `name`: the secret is called `{name}` plus the environment suffix, so every \
                                 deployment gets its own"
                            ),
                        ));
                    }
                }
            }
        }
    }
}
