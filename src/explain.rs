//! Every diagnostic code ztc can emit, with its long explanation (`ztc explain CODE`).
//! Compliance rules carry their own text (`policy::rules`); the input and lowering codes are here.

use crate::diag::Severity;

/// One explainable code.
#[derive(Debug, Clone)]
pub struct Entry {
    pub code: &'static str,
    pub slug: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub pci: &'static [&'static str],
    pub explain: &'static str,
}

macro_rules! entry {
    ($code:expr, $slug:expr, $sev:ident, $summary:expr, $explain:expr) => {
        Entry {
            code: $code,
            slug: $slug,
            severity: Severity::$sev,
            summary: $summary,
            pci: &[],
            explain: $explain,
        }
    };
}

/// Codes of the loader, schema validation, waivers and lowering.
pub fn input_codes() -> Vec<Entry> {
    use crate::lower::codes as l;
    use crate::policy::waivers::codes as w;
    use crate::validate::codes as v;
    use crate::yaml::codes as y;
    vec![
        entry!(y::SYNTAX, "yaml-syntax", Error, "the file is not valid YAML",
            "## What it does\nReports a YAML syntax error at the position the parser stopped.\n\n## Why\nA spec that does not parse cannot be checked.\n\n## Example\n```yaml\nnetwork: {name: vpc\n```\n\n## Fix\nClose the bracket or quote the parser points at."),
        entry!(y::DUPLICATE_KEY, "duplicate-key", Error, "a mapping defines the same key twice",
            "## What it does\nRejects a key written twice in one mapping.\n\n## Why\nMost YAML loaders silently keep the last value, so a reviewer reading the first one is misled. In a compliance spec that can hide a weakened control.\n\n## Example\n```yaml\nkeys:\n  s3: {rotation: {enabled: true}}\n  s3: {rotation: {enabled: false}}\n```\n\n## Fix\nDelete one of the two entries."),
        entry!(y::ALIAS_BUDGET, "alias-budget", Error, "alias expansion or node count exceeds the limit",
            "## What it does\nCounts the nodes a document expands to, including every copy an alias (`*name`) makes, and stops before copying past the limit (200,000 nodes).\n\n## Why\nA few lines of nested aliases (\"billion laughs\") expand to billions of nodes and exhaust memory. A pre-commit hook must never hang.\n\n## Example\n```yaml\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n```\n\n## Fix\nWrite the values out; specs do not need deep alias chains."),
        entry!(y::TOO_DEEP, "nesting-depth", Error, "nesting deeper than 64 levels",
            "## What it does\nRejects documents nested deeper than 64 levels.\n\n## Why\nDeep nesting is never needed in a spec and is a classic way to exhaust a parser's stack.\n\n## Example\n`[[[[[[...]]]]]]` 10,000 levels deep.\n\n## Fix\nFlatten the structure."),
        entry!(y::TOO_LARGE, "file-size", Error, "the spec file is larger than 8 MiB",
            "## What it does\nRefuses files over 8 MiB before reading them.\n\n## Why\nA spec is a few kilobytes; a huge file is a mistake or an attack.\n\n## Example\nA 100 MB generated file.\n\n## Fix\nSplit the estate into several specs."),
        entry!(y::TAG, "yaml-tag", Error, "YAML tags other than the core ones are rejected",
            "## What it does\nRejects tags such as `!!python/object` or `!Ref`; only `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map`, `!!seq` are accepted.\n\n## Why\nTags ask a loader to construct objects or run code. A spec is data.\n\n## Example\n```yaml\nregion: !!python/object/apply:os.system [\"id\"]\n```\n\n## Fix\nRemove the tag."),
        entry!(y::NUMBER_RANGE, "number-range", Error, "a number does not fit in 64 bits",
            "## What it does\nRejects integers that overflow 64 bits and floats that overflow to infinity.\n\n## Why\nSilent wrap-around or rounding would change a port or a retention period.\n\n## Example\n```yaml\nport: 99999999999999999999\n```\n\n## Fix\nUse a realistic number, or quote the value if it is text."),
        entry!(y::KEY_NOT_SCALAR, "complex-key", Error, "a mapping key is a list or mapping",
            "## What it does\nRejects complex keys (`? [a, b]: x`).\n\n## Why\nSpec keys are names.\n\n## Example\n```yaml\n? [a, b]\n: value\n```\n\n## Fix\nUse a string key."),
        entry!(y::MERGE_KEY, "merge-key", Error, "YAML merge keys (`<<`) are not supported",
            "## What it does\nRejects `<<: *anchor`.\n\n## Why\nMerge keys are a YAML 1.1 extension; they hide which values an element really gets, so a reviewer cannot see a weakened default.\n\n## Example\n```yaml\nbase: &b {versioning: true}\nbuckets:\n  logs:\n    <<: *b\n```\n\n## Fix\nWrite the fields out."),
        entry!(y::ENCODING, "encoding", Error, "the file is not UTF-8 text or contains NUL bytes",
            "## What it does\nRejects invalid UTF-8 and NUL bytes (a leading BOM is accepted and ignored).\n\n## Why\nSpecs are text; binary content would reach generated code.\n\n## Example\nA file saved as UTF-16.\n\n## Fix\nSave as UTF-8."),
        entry!(y::MULTI_DOC, "multiple-documents", Error, "more than one YAML document in a spec",
            "## What it does\nRejects a second `---` document.\n\n## Why\nOne file is one spec; a second document would be silently ignored by other tools.\n\n## Example\n```yaml\nztc: 1\n---\nztc: 1\n```\n\n## Fix\nPut each spec in its own file."),
        entry!(v::UNKNOWN_KEY, "unknown-key", Error, "a key the schema does not define",
            "## What it does\nReports keys the spec format does not know, at the key, with the closest valid key.\n\n## Why\nA misspelt control (`versionning: true`) would otherwise be ignored and the secure default silently kept or lost.\n\n## Example\n```yaml\nbuckets:\n  logs: {key: keys.s3, versionning: true}\n```\n\n## Fix\nUse the suggested key; `ztc schema` lists every field."),
        entry!(v::MISSING_FIELD, "missing-field", Error, "a required field is missing",
            "## What it does\nReports a required field that is absent, at the mapping that needs it.\n\n## Why\nSome values cannot be defaulted safely (a bucket's key, a VPC CIDR).\n\n## Example\n```yaml\nbuckets:\n  logs: {versioning: true}   # no key\n```\n\n## Fix\nAdd the field."),
        entry!(v::WRONG_TYPE, "wrong-type", Error, "a value has the wrong type",
            "## What it does\nReports a value of the wrong type, at the value.\n\n## Why\n`azs: three` cannot become a number of Availability Zones.\n\n## Example\n```yaml\nnetwork: {azs: three}\n```\n\n## Fix\nWrite the expected type."),
        entry!(v::BAD_ENUM, "bad-enum", Error, "a value is not one of the allowed values",
            "## What it does\nReports a value outside a closed set, with the closest allowed value.\n\n## Why\nClosed sets (lock modes, endpoint types) are case-sensitive in AWS.\n\n## Example\n```yaml\nobject_lock: {mode: governance, retention: 7y}\n```\n\n## Fix\nUse one of the listed values (`GOVERNANCE`)."),
        entry!(v::BAD_VALUE, "bad-value", Error, "a value breaks a schema constraint",
            "## What it does\nReports values outside a range or not matching a pattern.\n\n## Why\nAWS rejects them at apply time, long after review.\n\n## Example\n```yaml\nregion: US-East-1\n```\n\n## Fix\nFollow the constraint in the message."),
        entry!(v::MODEL, "model", Error, "the spec matches the schema but not the model",
            "## What it does\nReports a spec the typed model cannot read although the schema accepted it.\n\n## Why\nThis indicates a gap between schema and model.\n\n## Example\n-\n\n## Fix\nReport it; meanwhile follow `ztc schema`."),
        entry!(l::UNKNOWN_REF, "unknown-reference", Error, "a reference names nothing the spec defines, or an element is incomplete",
            "## What it does\nChecks every `SECTION.NAME` reference (keys, buckets, logs, tiers, security groups, policies) and the facts an element needs (an interface endpoint's security group, a rule's peer).\n\n## Why\nA dangling reference would produce code that fails at plan time.\n\n## Example\n```yaml\nbuckets:\n  logs: {key: keys.s4}\n```\n\n## Fix\nUse the suggested name or define the element."),
        entry!(l::CIDR, "cidr", Error, "a CIDR is malformed, outside the VPC, overlapping, or does not fit",
            "## What it does\nAllocates subnet CIDRs per tier and AZ and checks explicit ones.\n\n## Why\nOverlapping or out-of-range subnets fail at apply.\n\n## Example\n```yaml\nnetwork: {cidr: 10.0.0.0/24, tiers: {private: {prefix: 20}}}\n```\n\n## Fix\nUse a larger VPC or smaller subnets."),
        entry!(l::NACL_NUMBER, "nacl-number", Error, "NACL rule numbers collide or a tier has two NACLs",
            "## What it does\nChecks rule numbers are unique per direction, including the derived return rules (one above each stateless allow), and that each tier has one NACL.\n\n## Why\nAWS rejects duplicate numbers; a subnet has exactly one NACL.\n\n## Example\n```yaml\nrules:\n  - {number: 100, direction: ingress, action: allow, protocol: tcp, cidr: vpc, port: 443}\n  - {number: 101, direction: egress, action: deny, protocol: all, cidr: 0.0.0.0/0}\n```\n\n## Fix\nLeave the number after each allow rule free, or set `ephemeral_returns: false`."),
        entry!(l::VARIABLE, "variable", Error, "a deployment variable is declared inconsistently",
            "## What it does\nChecks that one variable name is used with one type and a default of that type.\n\n## Why\nTerraform and Pulumi would reject the variable.\n\n## Example\n```yaml\nport: {var: app, default: \"x\"}\n```\n\n## Fix\nUse separate variable names or fix the default."),
        entry!(l::LOWERING_NOTE, "lowering-note", Info, "how a requirement was lowered",
            "## What it does\nExplains a lowering that is not one-to-one: CloudTrail log file validation for \"log integrity\", gateway endpoints that are not PrivateLink, firewall routing.\n\n## Why\nReviewers and auditors should see how intent became resources.\n\n## Example\n`trail:` with log file validation.\n\n## Fix\nNothing to fix."),
        entry!(l::OUTPUT, "output", Error, "an output value cannot be resolved",
            "## What it does\nResolves `SECTION.NAME.ATTR` / `SECTION.*.ATTR` outputs.\n\n## Why\nOutputs feed other stacks; a wrong one breaks them.\n\n## Example\n```yaml\noutputs: [{name: x, value: network.endpoints.s3.dns_names}]\n```\n(gateway endpoints have no DNS names)\n\n## Fix\nUse a supported path."),
        entry!(l::INTERNET, "internet-egress", Warning, "tiers reach the internet through a NAT gateway",
            "## What it does\nWarns when `network.internet: nat` gives tiers a default route to a NAT gateway.\n\n## Why\nPCI DSS 1.3.2 limits outbound traffic from the cardholder-data environment to what is necessary; a NAT gateway allows any destination. One NAT gateway is also a single-AZ point of failure. The NAT sits in a dedicated public tier: a NAT in a private subnet has no route out (C6).\n\n## Example\n```yaml\nnetwork:\n  internet: nat\n  tiers:\n    public: {prefix: 28, role: public}\n    app: {prefix: 24, egress: nat}\n```\n\n## Fix\nPrefer VPC endpoints and `internet: none`; otherwise route egress through `network.firewall` and waive this warning with the reason.\n\n## References\nPCI DSS v4.0.1 1.3.2, 1.4.1"),
        entry!(l::SCP, "scp-blocks-destroy", Warning, "an SCP denies deleting security resources and exempts nobody",
            "## What it does\nWarns when a service control policy denies `kms:ScheduleKeyDeletion`, `cloudtrail:DeleteTrail`, `logs:DeleteLogGroup` or Config deletions without `exempt_principals`.\n\n## Why\nAttached to the account that runs this stack, the SCP blocks the stack's own destroy (C9), which the destroyability requirement forbids.\n\n## Example\n```yaml\norganization:\n  scps:\n    protect: {statements: [{effect: deny, actions: [\"kms:ScheduleKeyDeletion\"], resources: [\"*\"]}], targets: [{var: ou}]}\n```\n\n## Fix\nAdd `exempt_principals` naming the deployer or break-glass role.\n\n## References\nAWS Organizations: SCP evaluation; PCI DSS v4.0.1 10.3.2"),
        entry!(l::MULTI_REGION, "multi-region-without-replica", Warning, "a multi-Region key without a replica",
            "## What it does\nWarns when `multi_region: true` is set on a key and no replica is created.\n\n## Why\nA multi-Region primary gives disaster recovery only once a replica exists in the DR Region (C5); `multi_region` is ForceNew, so setting it later replaces the key.\n\n## Example\n```yaml\nkeys:\n  s3: {multi_region: true}\n```\n\n## Fix\nCreate `aws_kms_replica_key` in the DR Region's stack and record it, or waive with the reason.\n\n## References\nAWS KMS multi-Region keys; PCI DSS v4.0.1 3.6.1"),
        entry!(l::SESSION, "session-manager", Warning, "Session Manager cannot work as declared",
            "## What it does\nChecks Session Manager: the interface endpoints the agent needs in a VPC without internet (`ssm`, `ssmmessages`, `ec2messages`, `logs`, `kms`) and the idle timeout.\n\n## Why\nWithout the endpoints the agent never registers (C15, C37); PCI DSS 8.2.8 requires re-authentication after 15 idle minutes.\n\n## Example\n```yaml\nsession_manager: {log_group: logs.sessions, bucket: buckets.sessions, key: keys.logs, idle_timeout_minutes: 30}\n```\n\n## Fix\nAdd the endpoints; set `idle_timeout_minutes: 15`.\n\n## References\nPCI DSS v4.0.1 8.2.8; AWS Systems Manager: VPC endpoints"),
        entry!(w::UNKNOWN_RULE, "waiver-unknown-rule", Error, "a waiver names no known rule",
            "## What it does\nChecks that every waiver names a rule code, a rule slug, or a scanner check id.\n\n## Why\nA waiver for a misspelt rule waives nothing and hides the intent.\n\n## Example\n```yaml\nwaivers: [{rule: ZT9999, scope: '*', reason: because of reasons}]\n```\n\n## Fix\nUse `ztc explain --list`."),
        entry!(w::EXPIRED, "waiver-expired", Error, "a waiver's expiry date has passed",
            "## What it does\nRejects waivers past their `expires` date.\n\n## Why\nRisk acceptance is time-boxed (PCI DSS 12.3.1 targeted risk analysis).\n\n## Example\n```yaml\nwaivers: [{rule: log-retention, scope: logs.groups.x, reason: short test window, expires: 2020-01-01}]\n```\n\n## Fix\nFix the finding or renew the waiver after review."),
        entry!(w::NOT_WAIVABLE, "waiver-not-waivable", Error, "a waiver names a rule the spec's profile forbids waiving",
            "## What it does\nRejects, at the waiver's `rule:`, a waiver for a rule that one of the spec's `compliance.profiles` lists as non-waivable; the finding stays unwaived.\n\n- `pci-dss-v4`: ZT0104 `open-ingress`, ZT0105 `iam-wildcard`, ZT0109 `s3-public-access`, ZT0140 `zone-reachability`\n- `soc2`: ZT0109 `s3-public-access`, ZT0140 `zone-reachability`\n- `zero-trust`: ZT0104 `open-ingress`, ZT0105 `iam-wildcard`, ZT0140 `zone-reachability`, ZT0142 `long-lived-credentials`\n\n## Why\nSome deviations are never an acceptable risk under a framework: a path from the internet into the cardholder data environment, an inbound rule open to every address, wildcard privileges. A waiver would turn the control into a formality (PCI DSS 12.3.1 targeted risk analysis cannot accept them).\n\n## Example\n```yaml\ncompliance:\n  profiles: [pci-dss-v4]\n  waivers:\n    - {rule: iam-wildcard, scope: iam.policies.admin, reason: needed for the migration}\n```\n\n## Fix\nFix the finding and remove the waiver; `ztc explain CODE` shows how. `ztc explain --list` and `ztc explain CODE` show each rule's packs."),
        entry!(w::UNUSED, "waiver-unused", Warning, "a waiver matches nothing",
            "## What it does\nWarns about waivers that match no finding and no generated resource.\n\n## Why\nStale waivers hide what is really accepted.\n\n## Example\n```yaml\nwaivers: [{rule: CKV_AWS_18, scope: buckets.gone, reason: removed bucket}]\n```\n\n## Fix\nRemove it or fix its scope."),
    ]
}

/// Every code: input codes, target divergences, then the compliance rules.
pub fn all() -> Vec<Entry> {
    let mut v = input_codes();
    v.extend(crate::emit::pulumi::explain_entries());
    let texts = rule_texts();
    for (r, text) in crate::policy::registry().iter().zip(texts) {
        let m = r.meta();
        v.push(Entry {
            code: m.code,
            slug: m.slug,
            severity: m.severity,
            summary: m.summary,
            pci: m.pci,
            explain: text,
        });
    }
    v
}

/// The explain text of every rule (registry order) with a "Rule packs" section before the
/// references: each profile's control references, severity and enforcement, and whether the
/// profile forbids waiving the rule. Built once.
fn rule_texts() -> &'static [String] {
    static TEXTS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    TEXTS.get_or_init(|| {
        crate::policy::registry()
            .iter()
            .map(|r| {
                let m = r.meta();
                let section = packs_section(m);
                match m.explain.find("## References") {
                    Some(i) => format!("{}{section}\n{}", &m.explain[..i], &m.explain[i..]),
                    None => format!("{}\n\n{section}", m.explain.trim_end()),
                }
            })
            .collect()
    })
}

/// `## Rule packs`: one line per pack the rule belongs to.
pub fn packs_section(m: &crate::policy::RuleMeta) -> String {
    use crate::policy::packs;
    let mut s = String::from("## Rule packs\n\n");
    for k in packs::PACKS {
        let Some(r) = m.pack(k.profile) else {
            s.push_str(&format!(
                "- `{}`: not in this pack; the rule does not run under this profile alone\n",
                k.id
            ));
            continue;
        };
        let controls = if r.controls.is_empty() {
            "no control reference (AWS accepts the spec only this way)".to_string()
        } else if k.profile == crate::spec::Profile::ZeroTrust {
            r.controls
                .iter()
                .map(|c| match packs::baseline_control(c) {
                    Some(b) => format!("{c} ({})", b.title),
                    None => c.to_string(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            r.controls.join(", ")
        };
        let waivable = if k.non_waivable.contains(&m.code) {
            ", never waivable"
        } else {
            ""
        };
        s.push_str(&format!(
            "- `{}`, {}: {controls}; {}, {}{waivable}\n",
            k.id, k.framework, r.severity, r.enforcement
        ));
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_and_slugs_are_unique() {
        let all = super::all();
        let mut codes: Vec<_> = all.iter().map(|e| e.code).collect();
        let mut slugs: Vec<_> = all.iter().map(|e| e.slug).collect();
        codes.sort();
        slugs.sort();
        let n = codes.len();
        codes.dedup();
        slugs.dedup();
        assert_eq!(codes.len(), n, "duplicate code");
        assert_eq!(slugs.len(), n, "duplicate slug");
    }
    #[test]
    fn rule_explanations_list_their_packs() {
        let all = super::all();
        for r in crate::policy::registry() {
            let m = r.meta();
            let e = all.iter().find(|e| e.code == m.code).unwrap();
            assert!(e.explain.contains("## Rule packs"), "{}", m.code);
            assert!(
                e.explain.find("## Rule packs") < e.explain.find("## References"),
                "{}",
                m.code
            );
            for p in m.packs {
                for c in p.controls {
                    assert!(e.explain.contains(c), "{}: {c} missing", m.code);
                }
            }
        }
        let z = all.iter().find(|e| e.code == "ZT0140").unwrap();
        assert!(
            z.explain.contains("`zero-trust`, ztc zero-trust baseline"),
            "{}",
            z.explain
        );
        assert!(
            z.explain.contains("ZTB-NET-1 (No implicit trust"),
            "{}",
            z.explain
        );
        assert!(z.explain.contains("never waivable"), "{}", z.explain);
    }
    #[test]
    fn the_not_waivable_text_lists_every_pack_list() {
        let all = super::all();
        let e = all
            .iter()
            .find(|e| e.code == crate::policy::waivers::codes::NOT_WAIVABLE)
            .unwrap();
        for k in crate::policy::packs::PACKS {
            let line = e
                .explain
                .lines()
                .find(|l| l.starts_with(&format!("- `{}`:", k.id)))
                .unwrap_or_else(|| panic!("no line for {}", k.id));
            let listed = line.matches("ZT0").count();
            assert_eq!(listed, k.non_waivable.len(), "{line}");
            for code in k.non_waivable {
                let slug = crate::policy::find(code).unwrap().meta().slug;
                assert!(line.contains(&format!("{code} `{slug}`")), "{line}");
            }
        }
    }
    #[test]
    fn every_explanation_has_the_sections() {
        for e in super::all() {
            for h in ["## What it does", "## Why", "## Example", "## Fix"] {
                assert!(e.explain.contains(h), "{} lacks {h}", e.code);
            }
        }
    }
}
