//! ZT0137 `secret-rotation`: secrets are rotated periodically by a function that can rotate them
//! (REQUIREMENTS C40).

use super::function_facts::{function_ref, has_database, template};
use super::util::{key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, Rotation2};

/// Rotation of secrets: present under PCI, with a rotation function, a valid period, and no
/// immediate rotation against nothing.
pub struct SecretRotation;

static META: RuleMeta = RuleMeta {
    code: "ZT0137",
    slug: "secret-rotation",
    severity: Severity::Warning,
    pci: &["8.6.3"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["8.6.3"], Severity::Warning),
        PackRef::mandatory(Profile::Soc2, &["CC6.1"], Severity::Warning),
        PackRef::mandatory(Profile::ZeroTrust, &["ZTB-IAM-2"], Severity::Warning),
    ],
    summary: "secrets should rotate (pci-dss-v4) with a rotation function, every 1-1000 days",
    explain: r##"## What it does

- **warning**, under `pci-dss-v4`, for a secret without `rotation`, or with `rotation: {none: reason}`
  (the reason is quoted);
- **error** when `rotation.days` is outside 1-1000 (Secrets Manager's range for
  `automatically_after_days`);
- **error** when `rotation.function` names a function whose source cannot rotate secrets (only
  `secrets-rotation` implements the four rotation steps);
- **warning** when `rotation.immediately: true` but the rotation function has no database to
  rotate against (no `DB_HOST` in its environment): the first rotation then runs during the apply
  and only replaces the stored password.

Unknown function references are reported by lowering (ZT0030).

## Why

PCI DSS 8.6.3 protects passwords of application and system accounts against misuse by changing
them periodically. The AWS provider's `rotate_immediately` defaults to `true`, so a rotation is
attempted while the stack is being applied; where the database does not exist yet (or is not
reachable from the function), that rotation fails and the apply with it. ztc writes
`rotate_immediately = false` unless you ask for it.

## Example

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    generate: {username: app}
    rotation: {none: "no rotation in the test stack"}
```

## Fix

```yaml
secrets:
  db:
    source: create
    key: keys.secrets
    generate: {username: app}
    rotation: {days: 30, function: functions.rotate}
functions:
  rotate:
    runtime: nodejs22.x
    source: secrets-rotation
    vpc: {tiers: [private], security_group: lambda}
    key: keys.app
```

## References

- PCI DSS v4.0.1 8.6.3 (passwords of application and system accounts changed periodically)
- AWS Secrets Manager User Guide: "Rotate AWS Secrets Manager secrets", "Lambda rotation functions"
- Terraform AWS provider: `aws_secretsmanager_secret_rotation.rotate_immediately`
"##,
};

impl Rule for SecretRotation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let pci = cx.has_profile(Profile::PciDssV4);
        for (name, s) in &cx.spec.secrets {
            let sc = scope(&["secrets", name]);
            let waive = format!("`{{rule: secret-rotation, scope: {sc}, reason: ...}}`");
            match &s.rotation {
                None if pci => out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("secret `{name}` is never rotated"),
                    )
                    .at(key_span(cx, &["secrets", name]))
                    .label("no `rotation`")
                    .help(format!(
                        "add `rotation: {{days: 30, function: functions.NAME}}` with a `secrets-rotation` function, or \
                         state why not with `rotation: {{none: reason}}` and waive it: {waive}"
                    ))
                    .scope(&sc),
                ),
                None => {}
                Some(Rotation2::None(n)) if pci => out.push(
                    Diagnostic::new(
                        META.code,
                        Severity::Warning,
                        format!("secret `{name}` is not rotated"),
                    )
                    .at(value_span(cx, &["secrets", name, "rotation"]))
                    .label(format!("reason: {}", n.none.trim()))
                    .help(format!(
                        "PCI DSS 8.6.3 changes application and system account passwords periodically: rotate with \
                         `rotation: {{days: 30, function: functions.NAME}}`, or accept it: {waive}"
                    ))
                    .scope(&sc),
                ),
                Some(Rotation2::None(_)) => {}
                Some(Rotation2::With(r)) => {
                    if !(1..=1000).contains(&r.days) {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Error,
                                format!("rotation every {} days is outside 1-1000", r.days),
                            )
                            .at(value_span(cx, &["secrets", name, "rotation", "days"]))
                            .label("out of range")
                            .help("Secrets Manager rotates every 1 to 1000 days; e.g. `days: 30`")
                            .scope(&sc),
                        );
                    }
                    let Some(f) = function_ref(&r.function).and_then(|n| cx.spec.functions.get(n))
                    else {
                        continue; // unknown references are reported by lowering
                    };
                    let fname = function_ref(&r.function).unwrap_or_default();
                    if template(&f.source).is_some_and(|t| t.name != "secrets-rotation") {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Error,
                                format!("function `{fname}` cannot rotate secrets"),
                            )
                            .at(value_span(cx, &["secrets", name, "rotation", "function"]))
                            .label(format!("its source is `{}`", f.source))
                            .help("name a function with `source: secrets-rotation`")
                            .scope(&sc),
                        );
                        continue;
                    }
                    if r.immediately && !has_database(f) {
                        out.push(
                            Diagnostic::new(
                                META.code,
                                Severity::Warning,
                                format!("secret `{name}` is rotated during the apply, but there is no database to rotate"),
                            )
                            .at(value_span(cx, &["secrets", name, "rotation", "immediately"]))
                            .label(format!("`{fname}` has no `DB_HOST`"))
                            .help(format!(
                                "set `immediately: false` (the first rotation then happens after {} days), or give \
                                 `functions.{fname}.environment.DB_HOST`; a database created later must get its password \
                                 from the secret",
                                r.days
                            ))
                            .scope(&sc),
                        );
                    }
                }
            }
        }
    }
}
