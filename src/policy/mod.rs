//! Compliance rules. One rule per file under `rules/`, each with its code, PCI DSS v4.0.1
//! references and explain text; `registry()` lists them all.

pub mod packs;
pub mod rules;
pub mod waivers;

use crate::diag::{Diagnostic, Severity};
use crate::source::Span;
use crate::spec::{Profile, Spec};
use crate::yaml::Node;

/// Static description of a rule: what `ztc explain CODE` prints.
#[derive(Debug)]
pub struct RuleMeta {
    /// Stable code, `ZT01nn`.
    pub code: &'static str,
    /// Stable slug, usable in waivers instead of the code.
    pub slug: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// PCI DSS v4.0.1 requirement references.
    pub pci: &'static [&'static str],
    /// The rule packs (profiles) the rule belongs to, with each pack's control references,
    /// severity and enforcement. The `pci-dss-v4` entry repeats `pci`.
    pub packs: &'static [packs::PackRef],
    /// One-line summary.
    pub summary: &'static str,
    /// Long text in Markdown: What it does / Why / Example / Fix.
    pub explain: &'static str,
}

impl RuleMeta {
    /// The rule's entry in a profile's pack, if it belongs to it.
    pub fn pack(&self, profile: Profile) -> Option<&'static packs::PackRef> {
        self.packs.iter().find(|p| p.profile == profile)
    }
    /// True when one of the profiles selects the rule.
    pub fn selected_by(&self, profiles: &[Profile]) -> bool {
        profiles.iter().any(|p| self.pack(*p).is_some())
    }
    /// The severity a finding the rule reports at `emitted` gets under the selected profiles:
    /// unchanged when a selecting pack makes the rule mandatory; when every selecting pack is
    /// advisory, capped at the highest severity those packs give it.
    pub fn effective_severity(&self, profiles: &[Profile], emitted: Severity) -> Severity {
        let refs: Vec<&packs::PackRef> = profiles.iter().filter_map(|p| self.pack(*p)).collect();
        if refs.is_empty()
            || refs
                .iter()
                .any(|r| r.enforcement == packs::Enforcement::Mandatory)
        {
            return emitted;
        }
        let cap = refs
            .iter()
            .map(|r| r.severity)
            .max()
            .unwrap_or(Severity::Warning);
        emitted.min(cap)
    }
    /// The profiles of `profiles` under which the rule can never be waived.
    pub fn non_waivable_under(&self, profiles: &[Profile]) -> Vec<Profile> {
        profiles
            .iter()
            .copied()
            .filter(|p| packs::pack(*p).non_waivable.contains(&self.code))
            .collect()
    }
}

/// A compliance rule.
pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Push findings. Each finding's code, severity and PCI refs are filled in from `meta()`
    /// unless the rule set them; rules set `span`, `scope`, `message`, `label` and `help`.
    fn check(&self, cx: &Ctx<'_>, out: &mut Vec<Diagnostic>);
}

/// What rules see: the typed spec plus the YAML tree for locations.
pub struct Ctx<'a> {
    pub spec: &'a Spec,
    pub doc: &'a Node,
    /// Pointer → (value span, key span): lookups stay O(1) however large the spec.
    index: std::collections::HashMap<String, (Span, Option<Span>)>,
}

impl<'a> Ctx<'a> {
    pub fn new(spec: &'a Spec, doc: &'a Node) -> Self {
        Ctx {
            spec,
            doc,
            index: doc.index(),
        }
    }
    /// Span of the value at a JSON pointer (`/buckets/audit-logs/key`); when the node is absent
    /// (a default applies), the span of the nearest ancestor's key.
    pub fn span(&self, pointer: &str) -> Span {
        if let Some((s, _)) = self.index.get(pointer) {
            return *s;
        }
        self.key_span(pointer)
    }
    /// Span of the mapping key at a pointer, or of the nearest ancestor that exists.
    pub fn key_span(&self, pointer: &str) -> Span {
        let mut p = pointer;
        loop {
            if let Some((s, k)) = self.index.get(p) {
                return k.unwrap_or(Span::new(s.start, s.start + 1));
            }
            match p.rfind('/') {
                Some(i) => p = &p[..i],
                None => return Span::new(0, 0),
            }
        }
    }
    /// True when the node at the pointer is written in the spec (not defaulted).
    pub fn present(&self, pointer: &str) -> bool {
        self.index.contains_key(pointer)
    }
    pub fn has_profile(&self, p: Profile) -> bool {
        self.spec.compliance.profiles.contains(&p)
    }
    pub fn ephemeral(&self) -> bool {
        self.spec.compliance.lifecycle == crate::spec::Lifecycle::Ephemeral
    }
}

/// JSON pointer segment escaping.
pub fn ptr(segments: &[&str]) -> String {
    let mut s = String::new();
    for seg in segments {
        s.push('/');
        s.push_str(&seg.replace('~', "~0").replace('/', "~1"));
    }
    s
}

/// Every rule, in code order.
pub fn registry() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// Find a rule by code or slug.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    registry()
        .iter()
        .copied()
        .find(|r| r.meta().code.eq_ignore_ascii_case(id) || r.meta().slug == id)
}

/// Run every rule, then apply the spec's waivers.
pub fn check(cx: &Ctx<'_>) -> Vec<Diagnostic> {
    let mut out = run_rules(cx);
    waivers::apply(cx, &mut out);
    out
}

/// Run the rules of the packs the spec's profiles select (no waivers applied). A finding of a
/// rule that only advisory packs select is reported as a warning at most.
pub fn run_rules(cx: &Ctx<'_>) -> Vec<Diagnostic> {
    let profiles = &cx.spec.compliance.profiles;
    let mut out = Vec::new();
    for rule in registry() {
        let meta = rule.meta();
        if !meta.selected_by(profiles) {
            continue;
        }
        let mut found = Vec::new();
        rule.check(cx, &mut found);
        for mut d in found {
            if d.code.is_empty() {
                d.code = meta.code;
            }
            if d.pci.is_empty() {
                d.pci = meta.pci;
            }
            if d.code == meta.code {
                d.severity = meta.effective_severity(profiles, d.severity);
            }
            out.push(d);
        }
    }
    out
}
