//! Waivers: accepted deviations. A waiver names a rule (code or slug) or a scanner check id,
//! a scope and a reason; a waived finding stays in the output, marked as waived.

use super::Ctx;
use crate::diag::{Diagnostic, Waived};

pub mod codes {
    pub const UNKNOWN_RULE: &str = "ZT0040";
    pub const EXPIRED: &str = "ZT0041";
    pub const UNUSED: &str = "ZT0042";
    pub const NOT_WAIVABLE: &str = "ZT0043";
}

/// True when `scope` (from a waiver) covers the spec element `path` (`buckets.audit-logs`).
pub fn scope_matches(scope: &str, path: &str) -> bool {
    if scope == "*" || scope == path {
        return true;
    }
    if let Some(prefix) = scope.strip_suffix(".*") {
        return path.starts_with(prefix) && path[prefix.len()..].starts_with('.');
    }
    path.starts_with(scope) && path[scope.len()..].starts_with('.')
}

/// Is this a scanner check id (carried into the generated code as a skip annotation)?
pub fn is_scanner_id(rule: &str) -> bool {
    rule.starts_with("CKV_") || rule.starts_with("CKV2_") || rule.starts_with("AVD-")
}

/// Today's date as `YYYY-MM-DD` (UTC), or the value of `ZTC_TODAY` (for reproducible tests).
pub fn today() -> String {
    if let Ok(t) = std::env::var("ZTC_TODAY") {
        return t;
    }
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    // civil-from-days (Howard Hinnant)
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Validate the waivers and mark the findings they cover.
pub fn apply(cx: &Ctx<'_>, findings: &mut Vec<Diagnostic>) {
    let today = today();
    let mut extra = Vec::new();
    let entries = crate::explain::all();
    for (i, w) in cx.spec.compliance.waivers.iter().enumerate() {
        let base = format!("/compliance/waivers/{i}");
        let rule_span = cx.span(&format!("{base}/rule"));
        if is_scanner_id(&w.rule) {
            continue; // checked against the generated blocks by lowering
        }
        // any explainable finding can be waived: compliance rules and lowering warnings alike
        let Some(entry) = entries
            .iter()
            .find(|e| e.code.eq_ignore_ascii_case(&w.rule) || e.slug == w.rule)
        else {
            let all: Vec<String> = entries
                .iter()
                .flat_map(|e| [e.code.to_string(), e.slug.to_string()])
                .collect();
            let mut d = Diagnostic::error(
                codes::UNKNOWN_RULE,
                format!("waiver names unknown rule `{}`", w.rule),
            )
            .at(rule_span)
            .label("no such rule");
            d = match crate::validate::did_you_mean(&w.rule, &all) {
                Some(s) => d.help(format!("did you mean `{s}`? `ztc explain --list` lists every rule")),
                None => d.help("name a rule code (ZT0101) or slug, or a scanner check id (CKV_AWS_144); `ztc explain --list` lists the rules"),
            };
            extra.push(d);
            continue;
        };
        if let Some(rule) = super::find(entry.code) {
            let forbidden = rule.meta().non_waivable_under(&cx.spec.compliance.profiles);
            if let Some(first) = forbidden.first() {
                let pack = super::packs::pack(*first);
                let names: Vec<String> = forbidden
                    .iter()
                    .map(|p| format!("`{}`", super::packs::profile_id(*p)))
                    .collect();
                extra.push(
                    Diagnostic::error(
                        codes::NOT_WAIVABLE,
                        format!(
                            "`{}` ({}) cannot be waived under the {} profile{}",
                            entry.slug,
                            entry.code,
                            names.join(" and "),
                            if names.len() > 1 { "s" } else { "" }
                        ),
                    )
                    .at(rule_span)
                    .label(format!("`{}` forbids waiving this rule", pack.id))
                    .help(format!(
                        "fix the finding and remove this waiver: {}; `ztc explain {}` shows the fix",
                        pack.non_waivable_reason, entry.code
                    )),
                );
                continue;
            }
        }
        if let Some(exp) = &w.expires {
            if exp.as_str() < today.as_str() {
                extra.push(
                    Diagnostic::error(
                        codes::EXPIRED,
                        format!("waiver for `{}` expired on {exp}", w.rule),
                    )
                    .at(cx.span(&format!("{base}/expires")))
                    .label("expired")
                    .help(
                        "fix the finding, or renew the waiver with a new date and a fresh review",
                    ),
                );
                continue;
            }
        }
        let meta = entry;
        let mut used = false;
        for f in findings.iter_mut() {
            if f.code != meta.code || f.waived.is_some() {
                continue;
            }
            if f.scope
                .as_deref()
                .is_some_and(|s| scope_matches(&w.scope, s))
            {
                f.waived = Some(Waived {
                    reason: w.reason.clone(),
                    span: rule_span,
                });
                used = true;
            }
        }
        if !used {
            extra.push(
                Diagnostic::warning(
                    codes::UNUSED,
                    format!(
                        "waiver for `{}` in scope `{}` matches no finding",
                        w.rule, w.scope
                    ),
                )
                .at(rule_span)
                .label("unused waiver")
                .help("remove the waiver, or fix its scope"),
            );
        }
    }
    findings.extend(extra);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn scopes() {
        assert!(scope_matches("*", "buckets.a"));
        assert!(scope_matches("buckets.*", "buckets.a"));
        assert!(scope_matches("buckets", "buckets.a"));
        assert!(!scope_matches("buckets.a", "buckets.ab"));
        assert!(scope_matches("buckets.a", "buckets.a"));
        assert!(!scope_matches("keys.*", "buckets.a"));
    }
    #[test]
    fn today_is_a_date() {
        let t = today();
        assert_eq!(t.len(), 10);
        assert!(t.as_str() > "2024-01-01");
    }
}
