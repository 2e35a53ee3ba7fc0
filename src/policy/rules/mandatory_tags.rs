//! ZT0101 `mandatory-tags`: cost center, data classification and compliance scope tags.

use super::util::{key_span, scope, value_span};
use crate::diag::{Diagnostic, Severity};
use crate::policy::packs::PackRef;
use crate::policy::{Ctx, Rule, RuleMeta};
use crate::spec::{Profile, StrOrVar};

/// `tags.required` must carry the three mandatory tags, with non-empty values.
pub struct MandatoryTags;

static META: RuleMeta = RuleMeta {
    code: "ZT0101",
    slug: "mandatory-tags",
    severity: Severity::Error,
    pci: &["12.5.1", "12.5.2"],
    packs: &[
        PackRef::mandatory(Profile::PciDssV4, &["12.5.1", "12.5.2"], Severity::Error),
        PackRef::mandatory(Profile::Soc2, &["C1.1"], Severity::Error),
        PackRef::advisory(Profile::ZeroTrust, &["ZTB-RES-1"], Severity::Warning),
    ],
    summary:
        "`tags.required` must carry cost center, data classification and compliance scope tags",
    explain: r##"## What it does

Checks that `tags.required` has a tag for each of:

- the **cost center** (a key such as `CostCenter`, `cost-center`, `cost_center`);
- the **data classification** (`DataClassification`, `data-classification`, ...);
- the **compliance scope** (`ComplianceScope`, or `Compliance`).

Key names are compared case-insensitively, ignoring `-`, `_` and spaces, because teams spell them
differently; the key you write is the key every resource gets. A required tag with an empty
literal value (or an empty variable default) is also an error.

## Why

Every taggable resource carries `tags.required` through the provider's `default_tags`. The tags
make the inventory of in-scope system components (PCI DSS 12.5.1) and the documented CDE scope
(12.5.2) readable from the resources themselves, drive cost allocation, and feed AWS Config's
`REQUIRED_TAGS` rule. A tag with an empty value carries no information.

## Example

```yaml
tags:
  required:
    Owner: platform
    CostCenter: ""
```

## Fix

```yaml
tags:
  required:
    CostCenter: {var: cost_center, description: Cost center billed for this stack}
    DataClassification: Confidential
    ComplianceScope: PCI-DSS
```

## References

- PCI DSS v4.0.1 12.5.1 (inventory of in-scope system components), 12.5.2 (scope documented and confirmed)
- AWS Tagging Best Practices whitepaper; AWS Config managed rule `required-tags`
- Terraform AWS provider: `default_tags`
"##,
};

/// A mandatory tag: what it records, the normalised key names that satisfy it, and a suggestion.
struct Mandatory {
    what: &'static str,
    accepts: &'static [&'static str],
    key: &'static str,
    example: &'static str,
}

const MANDATORY: &[Mandatory] = &[
    Mandatory {
        what: "cost center",
        accepts: &["costcenter"],
        key: "CostCenter",
        example: "{var: cost_center, description: Cost center billed for this stack}",
    },
    Mandatory {
        what: "data classification",
        accepts: &["dataclassification"],
        key: "DataClassification",
        example: "Confidential",
    },
    Mandatory {
        what: "compliance scope",
        accepts: &["compliancescope", "compliance"],
        key: "ComplianceScope",
        example: "PCI-DSS",
    },
];

/// Lower-case a tag key and drop `-`, `_` and spaces: `Cost-Center` → `costcenter`.
pub fn normalise(key: &str) -> String {
    key.chars()
        .filter(|c| !matches!(c, '-' | '_' | ' '))
        .flat_map(char::to_lowercase)
        .collect()
}

impl Rule for MandatoryTags {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
        let tags = &cx.spec.tags.required;
        let normalised: Vec<String> = tags.keys().map(|k| normalise(k)).collect();
        let at = key_span(cx, &["tags", "required"]);
        for m in MANDATORY {
            if normalised.iter().any(|k| m.accepts.contains(&k.as_str())) {
                continue;
            }
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("mandatory {} tag is missing", m.what))
                    .at(at)
                    .label(format!("no {} tag here", m.what))
                    .help(format!(
                        "add it to `tags.required`:\n\n  tags:\n    required:\n      {}: {}\n\nany spelling of the key works \
                         (`{}`, `{}`), compared case-insensitively without `-`, `_` and spaces",
                        m.key,
                        m.example,
                        m.key,
                        kebab(m.key),
                    ))
                    .scope("tags"),
            );
        }
        for (key, value) in tags {
            let (empty, path): (bool, Vec<&str>) = match value {
                StrOrVar::Lit(s) => (s.trim().is_empty(), vec!["tags", "required", key]),
                StrOrVar::Var(v) => (
                    v.default
                        .as_ref()
                        .and_then(|d| d.as_str())
                        .is_some_and(|s| s.trim().is_empty()),
                    vec!["tags", "required", key, "default"],
                ),
            };
            if !empty {
                continue;
            }
            out.push(
                Diagnostic::new(META.code, Severity::Error, format!("tag `{key}` has an empty value"))
                    .at(value_span(cx, &path))
                    .label("empty tag value")
                    .help(format!(
                        "give `{key}` a value, or make it a deployment variable without an empty default: \
                         `{key}: {{var: {}}}`",
                        snake(key)
                    ))
                    .scope(scope(&["tags"])),
            );
        }
    }
}

/// `CostCenter` → `cost-center`.
fn kebab(key: &str) -> String {
    let mut s = String::new();
    for (i, c) in key.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            s.push('-');
        }
        s.extend(c.to_lowercase());
    }
    s
}

/// `CostCenter` / `cost-center` → `cost_center` (a variable name).
fn snake(key: &str) -> String {
    let s = kebab(key)
        .replace(['-', ' ', '.', ':', '/'], "_")
        .replace("__", "_");
    let s: String = s
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    match s.chars().next() {
        Some(c) if c.is_ascii_lowercase() => s,
        _ => format!("tag_{s}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn normalises_spellings() {
        assert_eq!(normalise("Cost-Center"), "costcenter");
        assert_eq!(normalise("data_classification"), "dataclassification");
        assert_eq!(normalise("Compliance Scope"), "compliancescope");
        assert_eq!(snake("CostCenter"), "cost_center");
        assert_eq!(snake("Data-Classification"), "data_classification");
    }
}
