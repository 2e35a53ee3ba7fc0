//! ZT0138 `secret-recovery-window`: the deletion recovery window of created secrets
//! (REQUIREMENTS C30).

use super::util::{scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, SecretSource};

/// `recovery_window_days`: 0 or 7-30, matching the stack's lifecycle.
pub struct SecretRecoveryWindow;

static META: RuleMeta = RuleMeta {
    code: "ZT0138",
    slug: "secret-recovery-window",
    severity: Severity::Error,
    pci: &[],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &[], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["CC8.1"], Severity::Error),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-OPS-1"], Severity::Error),
    ],
    summary: "`recovery_window_days` must be 0 or 7-30, and match the stack's lifecycle",
    explain: r##"## What it does

Checks `secrets.*.recovery_window_days` of created secrets:

- **error** when it is neither 0 (delete at once) nor 7-30 days;
- **warning** in `lifecycle: ephemeral` stacks when it is 7-30: the deleted secret keeps its name
  reserved for that long;
- **warning** in `lifecycle: persistent` stacks when it is 0: a destroy deletes the secret
  without any chance of recovery.

When it is not written, ztc uses 0 in ephemeral stacks and 30 in persistent ones.

## Why

A secret deleted with a recovery window is only *scheduled* for deletion; its name stays taken
until the window ends. A CI pipeline that destroys and redeploys the same environment suffix then
fails with `InvalidRequestException: You can't create this secret because a secret with this
name is already scheduled for deletion`. Long-lived stacks want the opposite: a window in which an
accidental deletion can be undone (`RestoreSecret`).

## Example

```yaml
compliance:
  lifecycle: ephemeral
secrets:
  db:
    source: create
    key: keys.secrets
    recovery_window_days: 30
```

## Fix

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    # recovery_window_days: 0 is the default of ephemeral stacks
```

## References

- AWS Secrets Manager API Reference: `DeleteSecret` (`RecoveryWindowInDays` 7-30,
  `ForceDeleteWithoutRecovery`)
- Terraform AWS provider: `aws_secretsmanager_secret.recovery_window_in_days` (0 forces deletion)
"##,
};

impl Rule for SecretRecoveryWindow {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        for (name, s) in &cx.spec.secrets {
            if s.source != SecretSource::Create {
                continue; // existing secrets: reported by secret-existing
            }
            let Some(w) = s.recovery_window_days else {
                continue;
            };
            let at = value_span(cx, &["secrets", name, "recovery_window_days"]);
            let sc = scope(&["secrets", name]);
            if w != 0 && !(7..=30).contains(&w) {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Error,
                        format!("a recovery window of {w} days is not 0 or 7-30"),
                    )
                    .at(at)
                    .label("Secrets Manager accepts 0 or 7-30")
                    .help("use `recovery_window_days: 0` (delete at once) or a value from 7 to 30")
                    .scope(&sc),
                );
            } else if w != 0 && cx.ephemeral() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("secret `{name}` keeps its name reserved {w} days after a destroy"),
                    )
                    .at(at)
                    .label("ephemeral stack")
                    .help("a redeploy with the same environment suffix fails until the window ends: remove the line (ephemeral stacks default to 0)")
                    .scope(&sc),
                );
            } else if w == 0 && !cx.ephemeral() {
                out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("secret `{name}` is deleted without recovery"),
                    )
                    .at(at)
                    .label("persistent stack")
                    .help("remove the line (persistent stacks default to 30 days) or use 7-30, so an accidental deletion can be undone")
                    .scope(&sc),
                );
            }
        }
    }
}
