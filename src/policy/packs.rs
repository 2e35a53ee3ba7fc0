//! Rule packs: what each profile of `compliance.profiles` selects.
//!
//! Every rule declares, in its own file, the packs it belongs to ([`PackRef`]): the pack's
//! control references, the highest severity its findings get under that pack, and whether the
//! pack makes it mandatory or advisory. A spec gets the rules of the packs it selects, and nothing
//! else. Each pack also names the rules that can never be waived under it.

use crate::diag::Severity;
use crate::spec::Profile;

/// How a pack treats a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Enforcement {
    /// A recommendation: findings are reported as warnings at most and never fail a build
    /// under `--fail-on error`.
    Advisory,
    /// A required control: findings keep the severity the rule gives them.
    Mandatory,
}

impl std::fmt::Display for Enforcement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Enforcement::Advisory => "advisory",
            Enforcement::Mandatory => "mandatory",
        })
    }
}

/// A rule's membership in one pack.
#[derive(Debug, Clone, Copy)]
pub struct PackRef {
    pub profile: Profile,
    /// The pack's control references: PCI DSS v4.0.1 requirements, SOC 2 Trust Services
    /// Criteria, or zero-trust baseline IDs ([`ZERO_TRUST_BASELINE`]).
    pub controls: &'static [&'static str],
    /// Severity of the rule's findings under this pack: the rule's own for a mandatory ref;
    /// for an advisory ref the highest a finding gets (at most a warning).
    pub severity: Severity,
    pub enforcement: Enforcement,
}

impl PackRef {
    /// A mandatory control: findings keep the severity the rule gives them (`severity` is the
    /// rule's default).
    pub const fn mandatory(
        profile: Profile,
        controls: &'static [&'static str],
        severity: Severity,
    ) -> Self {
        PackRef {
            profile,
            controls,
            severity,
            enforcement: Enforcement::Mandatory,
        }
    }
    /// A recommendation: findings are reported at `severity`, at most a warning.
    pub const fn advisory(
        profile: Profile,
        controls: &'static [&'static str],
        severity: Severity,
    ) -> Self {
        PackRef {
            profile,
            controls,
            severity,
            enforcement: Enforcement::Advisory,
        }
    }
}

/// One control of a catalogued standard other than PCI DSS (the zero-trust baseline, the SOC 2
/// criteria), in ztc's words.
#[derive(Debug)]
pub struct Control {
    pub id: &'static str,
    pub title: &'static str,
    /// Where the control comes from.
    pub basis: &'static str,
    /// The PCI DSS requirements (of `evidence::CATALOG`) whose spec elements are this control's
    /// evidence in `ztc report --standard ...`: the same spec elements serve both.
    pub evidence_from: &'static [&'static str],
}

/// The zero-trust baseline: ztc's own control IDs, each grounded in the tenets of NIST SP 800-207
/// (section 2.1) as they apply to an AWS network, identity and data plane.
pub static ZERO_TRUST_BASELINE: &[Control] = &[
    Control {
        id: "ZTB-NET-1",
        title: "No implicit trust from network location: nothing private is reachable from the internet",
        basis: "NIST SP 800-207 tenets 2 (all communication secured regardless of location) and 6 (access strictly enforced before it is granted)",
        evidence_from: &["1.3.1", "1.4.1", "1.4.2"],
    },
    Control {
        id: "ZTB-NET-2",
        title: "Flows between zones name their peers by identity (security groups), not by address ranges",
        basis: "NIST SP 800-207 tenets 3 (per-session access to individual resources) and 6",
        evidence_from: &["1.2.5", "1.3.1"],
    },
    Control {
        id: "ZTB-NET-3",
        title: "Cloud APIs are reached over private endpoints; egress is explicit and inspected",
        basis: "NIST SP 800-207 tenet 2",
        evidence_from: &["1.2.6", "1.3.2"],
    },
    Control {
        id: "ZTB-IAM-1",
        title: "Least privilege: explicit actions on explicit resources",
        basis: "NIST SP 800-207 tenets 3 and 4 (access decided by policy per resource)",
        evidence_from: &["7.2.1", "7.2.2", "7.2.5"],
    },
    Control {
        id: "ZTB-IAM-2",
        title: "Short-lived, conditioned sessions; no long-lived credentials",
        basis: "NIST SP 800-207 tenets 3 and 6 (authentication dynamic and re-evaluated)",
        evidence_from: &["8.2.8", "8.3.1", "8.4.2", "8.6.2"],
    },
    Control {
        id: "ZTB-DATA-1",
        title: "Data and secrets encrypted with customer-managed, rotated keys",
        basis: "NIST SP 800-207 tenets 1 (data sources are resources) and 2",
        evidence_from: &["3.5.1", "3.6.1", "3.7.4", "8.3.2", "8.6.3"],
    },
    Control {
        id: "ZTB-MON-1",
        title: "Access and flows are logged; logs are retained and protected",
        basis: "NIST SP 800-207 tenet 7 (collect information on assets, network and communications)",
        evidence_from: &["10.2.1", "10.3.2", "10.3.3", "10.5.1"],
    },
    Control {
        id: "ZTB-MON-2",
        title: "Posture and threats are monitored continuously and alerts reach someone",
        basis: "NIST SP 800-207 tenets 5 (monitor integrity and posture of every asset) and 7",
        evidence_from: &["10.4.1.1", "10.7.2", "11.5.1"],
    },
    Control {
        id: "ZTB-RES-1",
        title: "Every resource is inventoried and attributed (classification, owner, scope)",
        basis: "NIST SP 800-207 tenet 1",
        evidence_from: &["12.5.1", "12.5.2"],
    },
    Control {
        id: "ZTB-OPS-1",
        title: "The declared state deploys and tears down as declared",
        basis: "ztc operational baseline (not an SP 800-207 tenet): the spec is the policy only if AWS accepts it as written",
        evidence_from: &[],
    },
];

/// A compliance profile's pack.
/// The SOC 2 criteria the `soc2` pack references, each summarised in ztc's words.
pub static SOC2_CRITERIA: &[Control] = &[
    Control {
        id: "CC6.1",
        title: "Logical access security protects information assets: encryption, key management, least-privilege access.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC6.1",
        evidence_from: &["3.5.1", "3.6.1", "3.7.4", "3.7.5", "7.2.1", "7.2.2", "8.3.2", "8.6.2", "8.6.3"],
    },
    Control {
        id: "CC6.2",
        title: "Access is registered and authorised before it is granted, and each use is attributable.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC6.2",
        evidence_from: &["7.2.1", "8.2.2"],
    },
    Control {
        id: "CC6.3",
        title: "Access is granted, changed and removed by role, with the least privileges needed.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC6.3",
        evidence_from: &["7.2.2", "7.2.5"],
    },
    Control {
        id: "CC6.6",
        title: "Logical access measures protect against threats from outside the system boundary.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC6.6",
        evidence_from: &["1.3.1", "1.4.1", "1.4.2", "8.2.8", "8.4.2"],
    },
    Control {
        id: "CC6.7",
        title: "Transmission and movement of information are restricted and protected.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC6.7",
        evidence_from: &["1.2.6", "1.3.2"],
    },
    Control {
        id: "CC7.1",
        title: "Configuration changes and new vulnerabilities are detected and monitored.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC7.1",
        evidence_from: &["6.3.3", "10.4.1.1", "12.5.1"],
    },
    Control {
        id: "CC7.2",
        title: "System components are monitored for anomalies that indicate malicious acts, errors or failures.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC7.2",
        evidence_from: &["10.2.1", "10.2.1.1", "10.3.2", "10.3.3", "10.3.4", "10.5.1", "10.7.2", "11.5.1"],
    },
    Control {
        id: "CC7.3",
        title: "Security events are evaluated to decide whether they are incidents.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC7.3",
        evidence_from: &["10.4.1.1", "10.7.2"],
    },
    Control {
        id: "CC8.1",
        title: "Infrastructure changes are authorised, designed, tested and carried out as approved.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), CC8.1",
        evidence_from: &["1.2.1", "12.3.4"],
    },
    Control {
        id: "C1.1",
        title: "Confidential information is identified and protected for as long as it is kept.",
        basis: "AICPA Trust Services Criteria (2017, revised points of focus 2022), C1.1",
        evidence_from: &["3.5.1", "12.5.1", "12.5.2"],
    },
];

/// The catalogued controls of a profile's standard, in report order; empty for PCI DSS, whose
/// requirements and their spec elements are `evidence::CATALOG`.
pub fn catalog(p: Profile) -> &'static [Control] {
    match p {
        Profile::PciDssV4 => &[],
        Profile::Soc2 => SOC2_CRITERIA,
        Profile::ZeroTrust => ZERO_TRUST_BASELINE,
    }
}

#[derive(Debug)]
pub struct Pack {
    pub profile: Profile,
    /// The profile's name in `compliance.profiles`.
    pub id: &'static str,
    /// The framework its control references belong to.
    pub framework: &'static str,
    /// Codes of the rules no waiver may cover under this profile.
    pub non_waivable: &'static [&'static str],
    /// Why those rules cannot be waived (shown with the error).
    pub non_waivable_reason: &'static str,
}

/// Every pack.
pub static PACKS: &[Pack] = &[
    Pack {
        profile: Profile::PciDssV4,
        id: "pci-dss-v4",
        framework: "PCI DSS v4.0.1",
        // open ingress, wildcard IAM, public buckets, a path from the internet into the CDE
        non_waivable: &["ZT0104", "ZT0105", "ZT0109", "ZT0140"],
        non_waivable_reason: "an accepted risk cannot open the cardholder data environment to untrusted networks \
                              (1.3.1, 1.4.1) or grant unrestricted privileges (7.2.1, 7.2.2)",
    },
    Pack {
        profile: Profile::Soc2,
        id: "soc2",
        framework: "SOC 2 Trust Services Criteria (2017, revised points of focus 2022)",
        non_waivable: &["ZT0109", "ZT0140"],
        non_waivable_reason: "CC6.6 requires logical access security measures against threats from sources outside \
                              the system boundary; a public bucket or an internet path into a private tier removes them",
    },
    Pack {
        profile: Profile::ZeroTrust,
        id: "zero-trust",
        framework: "ztc zero-trust baseline (NIST SP 800-207 tenets)",
        non_waivable: &["ZT0104", "ZT0105", "ZT0140", "ZT0142"],
        non_waivable_reason: "zero trust grants no implicit trust: a network path from the internet, an open \
                              ingress rule, wildcard privileges or long-lived credentials contradict the baseline itself",
    },
];

/// The pack of a profile.
pub fn pack(p: Profile) -> &'static Pack {
    PACKS
        .iter()
        .find(|k| k.profile == p)
        .expect("every profile has a pack")
}

/// The profile's name in `compliance.profiles`.
pub fn profile_id(p: Profile) -> &'static str {
    pack(p).id
}

/// Title of a zero-trust baseline control.
pub fn baseline_control(id: &str) -> Option<&'static Control> {
    ZERO_TRUST_BASELINE.iter().find(|c| c.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::registry;

    #[test]
    fn every_profile_has_a_pack_and_its_name() {
        for p in [Profile::PciDssV4, Profile::Soc2, Profile::ZeroTrust] {
            let k = pack(p);
            let json = serde_json::to_value(p).unwrap();
            assert_eq!(json.as_str(), Some(k.id));
        }
    }

    #[test]
    fn non_waivable_rules_exist_and_belong_to_their_pack_as_mandatory() {
        for k in PACKS {
            for code in k.non_waivable {
                let r = crate::policy::find(code).unwrap_or_else(|| panic!("{}: {code}", k.id));
                let m = r.meta();
                let pr = m
                    .pack(k.profile)
                    .unwrap_or_else(|| panic!("{code} is not in {}", k.id));
                assert_eq!(pr.enforcement, Enforcement::Mandatory, "{code} in {}", k.id);
            }
        }
    }

    #[test]
    fn pack_refs_are_consistent() {
        for r in registry() {
            let m = r.meta();
            assert!(!m.packs.is_empty(), "{} is in no pack", m.code);
            for (i, a) in m.packs.iter().enumerate() {
                assert!(
                    m.packs[i + 1..].iter().all(|b| b.profile != a.profile),
                    "{}: a pack listed twice",
                    m.code
                );
                match a.enforcement {
                    Enforcement::Advisory => {
                        assert!(
                            a.severity < Severity::Error,
                            "{}: advisory refs are warnings at most",
                            m.code
                        )
                    }
                    Enforcement::Mandatory => {
                        assert_eq!(
                            a.severity, m.severity,
                            "{}: a mandatory ref keeps the rule's severity",
                            m.code
                        )
                    }
                }
                match a.profile {
                    Profile::PciDssV4 => assert_eq!(a.controls, m.pci, "{}: PCI refs", m.code),
                    Profile::Soc2 => {
                        assert!(!a.controls.is_empty(), "{}: no SOC 2 criteria", m.code);
                        for c in a.controls {
                            assert!(
                                ["CC", "A1.", "C1.", "PI1.", "P"]
                                    .iter()
                                    .any(|p| c.starts_with(p)),
                                "{}: `{c}` is not a Trust Services Criterion",
                                m.code
                            );
                        }
                    }
                    Profile::ZeroTrust => {
                        assert!(!a.controls.is_empty(), "{}: no baseline control", m.code);
                        for c in a.controls {
                            assert!(
                                baseline_control(c).is_some(),
                                "{}: unknown baseline control `{c}`",
                                m.code
                            );
                        }
                    }
                }
            }
            if !m.pci.is_empty() {
                assert!(
                    m.pack(Profile::PciDssV4).is_some(),
                    "{}: PCI refs but not in the PCI pack",
                    m.code
                );
            }
        }
    }
}
