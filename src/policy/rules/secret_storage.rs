//! ZT0139 `secret-storage`: where a created secret's value is stored, and under which key.

use super::util::{key_span, scope};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{GenerateVia, Profile, SecretSource};

/// Created secrets under the PCI profile: a customer-managed key, and a generated password read
/// through the data source (kept in the Terraform state).
pub struct SecretStorage;

static META: RuleMeta = RuleMeta {
    code: "ZT0139",
    slug: "secret-storage",
    severity: Severity::Warning,
    pci: &["8.3.2", "3.6.1"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["8.3.2", "3.6.1"], Severity::Warning),
    ],
    summary: "under pci-dss-v4, created secrets use a customer-managed key, and a generated password read through the data source (`via: data-source`) is also kept in the Terraform state",
    explain: r##"## What it does

Under the `pci-dss-v4` profile, for `source: create` secrets:

- **warning** when the secret has no `key`: Secrets Manager then uses the AWS-managed key
  `aws/secretsmanager`, whose key policy you cannot restrict;
- **warning** when the secret has `generate` with `via: data-source`: the password comes from the
  data source `aws_secretsmanager_random_password` (hashicorp/aws 5.x; ztc uses no other
  provider), and data source results are stored in the Terraform state in plain text. The secret
  version ignores later changes of the value, so rotation keeps working, but the first password
  stays readable to anyone who can read the state.

`via: ephemeral` (the default) is not reported: the ephemeral resource of the same name feeds the
write-only argument `secret_string_wo`, and Terraform keeps neither in the plan or the state.

## Why

PCI DSS 8.3.2 requires authentication factors to be unreadable in storage, and the Terraform state
is storage. The fix is `via: ephemeral` (Terraform >= 1.11; the module's `required_version` says
so). Where the Terraform version must stay below 1.11, rotate the secret right after the first
apply (`rotation` with `immediately: true`, where a database exists), which replaces the password
that is in the state, and keep the state in an encrypted backend with access limited like the
secret itself.

## Example

```yaml
secrets:
  db:
    source: create
    generate: {username: app, length: 32, via: data-source}
```

## Fix

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    generate: {username: app, length: 32}   # via: ephemeral, the default
```

or, held below Terraform 1.11:

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    generate: {username: app, length: 32, via: data-source}
    rotation: {days: 30, function: functions.rotate, immediately: true}
compliance:
  waivers:
    - {rule: secret-storage, scope: secrets.db, reason: "state in an S3 backend encrypted with keys.state; first password rotated at apply"}
```

## References

- PCI DSS v4.0.1 8.3.2 (authentication factors unreadable in storage), 3.6.1 (key management)
- Terraform AWS provider: data source and ephemeral resource `aws_secretsmanager_random_password`,
  `aws_secretsmanager_secret_version.secret_string_wo`
- Terraform: "Sensitive data in state"
"##,
};

impl Rule for SecretStorage {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.has_profile(Profile::PciDssV4) {
            return;
        }
        for (name, s) in &cx.spec.secrets {
            if s.source != SecretSource::Create {
                continue;
            }
            let sc = scope(&["secrets", name]);
            if s.key.is_none() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("secret `{name}` is encrypted with the AWS-managed key"),
                    )
                    .at(key_span(cx, &["secrets", name]))
                    .label("no `key`")
                    .help("add `key: keys.NAME`: a customer-managed key whose policy this stack controls")
                    .scope(&sc),
                );
            }
            if s.generate
                .as_ref()
                .is_some_and(|g| g.via == GenerateVia::DataSource)
            {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("the generated password of secret `{name}` is stored in the Terraform state"),
                    )
                    .at(key_span(cx, &["secrets", name, "generate"]))
                    .label("data source result kept in state")
                    .help(format!(
                        "use `via: ephemeral` (Terraform >= 1.11: write-only, never in state); held below \
                         1.11, keep the state encrypted and access-limited, rotate right after the first \
                         apply (`rotation.immediately: true` with a database), and record it: \
                         `{{rule: secret-storage, scope: {sc}, reason: ...}}`"
                    ))
                    .scope(&sc),
                );
            }
        }
    }
}
