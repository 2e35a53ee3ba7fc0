//! The AWS Lambda runtime lifecycle: a dated table of managed runtimes with their deprecation,
//! create-block and update-block dates, and whether the hashicorp/aws 5.x provider accepts the
//! identifier. Used by ZT0130 `lambda-runtime` and by lowering (handler and packaging per family).
//!
//! Source: the AWS Lambda Developer Guide, "Lambda runtimes"
//! (<https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html>), as mirrored in
//! cfn-lint's `LmbdRuntimeLifecycle.json` on 2026-06-02 (cfn-lint PR #4532: AWS extended many
//! create/update-block dates to 2027-02-01 / 2027-03-03, and python3.11 by a year). The
//! `provider_5x` column is the enum of `aws_lambda_function.runtime` in hashicorp/aws 5.100.0
//! (`terraform validate` rejects every other value).
//!
//! Update this table when AWS changes the schedule: bump [`TABLE_DATE`] and the rows.

/// When the table was last checked against the AWS documentation.
pub const TABLE_DATE: &str = "2026-06-02";

/// One managed runtime.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Runtime {
    /// Identifier, e.g. `python3.11`.
    pub id: &'static str,
    /// Deprecation date (no more security patches), `YYYY-MM-DD`; None when not scheduled.
    pub deprecated: Option<&'static str>,
    /// From this date, new functions cannot be created with the runtime.
    pub create_block: Option<&'static str>,
    /// From this date, existing functions cannot be updated.
    pub update_block: Option<&'static str>,
    /// Accepted by `aws_lambda_function.runtime` of hashicorp/aws 5.x (5.100.0).
    pub provider_5x: bool,
}

const fn rt(
    id: &'static str,
    deprecated: &'static str,
    create_block: &'static str,
    update_block: &'static str,
    provider_5x: bool,
) -> Runtime {
    Runtime {
        id,
        deprecated: Some(deprecated),
        create_block: Some(create_block),
        update_block: Some(update_block),
        provider_5x,
    }
}

/// Every Lambda-managed runtime identifier, newest first within a family.
pub const RUNTIMES: &[Runtime] = &[
    // Node.js
    rt(
        "nodejs24.x",
        "2028-04-30",
        "2028-06-01",
        "2028-07-01",
        false,
    ),
    rt("nodejs22.x", "2027-04-30", "2027-06-01", "2027-07-01", true),
    rt("nodejs20.x", "2026-04-30", "2027-02-01", "2027-03-03", true),
    rt("nodejs18.x", "2025-09-01", "2027-02-01", "2027-03-03", true),
    rt("nodejs16.x", "2024-06-12", "2027-02-01", "2027-03-03", true),
    rt("nodejs14.x", "2023-12-04", "2024-01-09", "2027-03-03", true),
    rt("nodejs12.x", "2023-03-31", "2023-03-31", "2023-04-30", true),
    rt("nodejs10.x", "2021-07-30", "2021-07-30", "2022-02-14", true),
    rt("nodejs8.10", "2020-03-06", "2020-02-04", "2020-03-06", true),
    rt("nodejs6.10", "2019-08-12", "2019-07-12", "2019-08-12", true),
    rt(
        "nodejs4.3-edge",
        "2020-03-05",
        "2019-03-31",
        "2019-04-30",
        true,
    ),
    rt("nodejs4.3", "2020-03-05", "2020-02-03", "2020-03-05", true),
    rt("nodejs", "2016-08-30", "2016-09-30", "2016-10-31", true),
    // Python
    rt(
        "python3.14",
        "2029-06-30",
        "2029-07-31",
        "2029-08-31",
        false,
    ),
    rt("python3.13", "2029-06-30", "2029-07-31", "2029-08-31", true),
    rt("python3.12", "2028-10-31", "2028-11-30", "2029-01-10", true),
    rt("python3.11", "2027-06-30", "2027-07-31", "2027-08-31", true),
    rt("python3.10", "2026-10-31", "2027-02-01", "2027-03-03", true),
    rt("python3.9", "2025-12-15", "2027-02-01", "2027-03-03", true),
    rt("python3.8", "2024-10-14", "2027-02-01", "2027-03-03", true),
    rt("python3.7", "2023-12-04", "2024-01-09", "2027-03-03", true),
    rt("python3.6", "2022-07-18", "2022-07-18", "2022-08-29", true),
    rt("python2.7", "2021-07-15", "2021-07-15", "2022-05-30", true),
    // Java
    rt("java25", "2029-06-30", "2029-07-31", "2029-08-31", false),
    rt("java21", "2029-06-30", "2029-07-31", "2029-08-31", true),
    rt("java17", "2027-06-30", "2027-07-31", "2027-08-31", true),
    rt("java11", "2027-06-30", "2027-07-31", "2027-08-31", true),
    rt("java8.al2", "2027-06-30", "2027-07-31", "2027-08-31", true),
    rt("java8", "2024-01-08", "2024-02-08", "2027-03-03", true),
    // .NET
    rt("dotnet10", "2028-11-14", "2028-12-14", "2029-01-15", false),
    Runtime {
        // container images only: no create/update-block dates for .zip functions
        id: "dotnet9",
        deprecated: Some("2026-11-10"),
        create_block: None,
        update_block: None,
        provider_5x: false,
    },
    rt("dotnet8", "2026-11-10", "2027-02-01", "2027-03-03", true),
    rt("dotnet6", "2024-12-20", "2027-02-01", "2027-03-03", true),
    rt(
        "dotnetcore3.1",
        "2023-04-03",
        "2023-04-03",
        "2023-05-03",
        true,
    ),
    rt(
        "dotnetcore2.1",
        "2022-01-05",
        "2022-01-05",
        "2022-04-13",
        true,
    ),
    rt(
        "dotnetcore2.0",
        "2019-05-30",
        "2019-04-30",
        "2019-05-30",
        true,
    ),
    rt(
        "dotnetcore1.0",
        "2019-06-27",
        "2019-06-30",
        "2019-07-30",
        true,
    ),
    // Ruby
    rt("ruby4.0", "2029-03-31", "2029-04-30", "2029-05-31", false),
    rt("ruby3.4", "2028-03-31", "2028-04-30", "2028-05-31", true),
    rt("ruby3.3", "2027-03-31", "2027-04-30", "2027-05-31", true),
    rt("ruby3.2", "2026-03-31", "2027-02-01", "2027-03-03", true),
    rt("ruby2.7", "2023-12-07", "2024-01-09", "2027-03-03", true),
    rt("ruby2.5", "2021-07-30", "2021-07-30", "2022-03-31", true),
    // OS-only and Go
    rt(
        "provided.al2023",
        "2029-06-30",
        "2029-07-31",
        "2029-08-31",
        true,
    ),
    rt(
        "provided.al2",
        "2026-07-31",
        "2027-02-01",
        "2027-03-03",
        true,
    ),
    rt("provided", "2024-01-08", "2024-02-08", "2027-03-03", true),
    rt("go1.x", "2024-01-08", "2024-02-08", "2027-03-03", true),
];

/// Look a runtime up by identifier.
pub fn lookup(id: &str) -> Option<&'static Runtime> {
    RUNTIMES.iter().find(|r| r.id == id)
}

/// Language family of an identifier: `python`, `nodejs`, `java`, `dotnet`, `ruby`, `provided`,
/// `go`.
pub fn family(id: &str) -> &str {
    let end = id
        .find(|c: char| c.is_ascii_digit() || c == '.')
        .unwrap_or(id.len());
    match &id[..end] {
        "dotnetcore" => "dotnet",
        f => f,
    }
}

/// Numeric version of an identifier (`python3.11` → [3, 11], `nodejs20.x` → [20]).
pub fn version(id: &str) -> Vec<u32> {
    let start = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    id[start..]
        .split('.')
        .map_while(|p| p.parse().ok())
        .collect()
}

/// The newest runtime of a family that hashicorp/aws 5.x accepts and that is not deprecated by
/// `today`, if any.
pub fn newest_supported(family_name: &str, today: &str) -> Option<&'static Runtime> {
    RUNTIMES.iter().find(|r| {
        family(r.id) == family_name && r.provider_5x && r.deprecated.map_or(true, |d| d > today)
    })
}

/// `YYYY-MM-DD` plus `months` calendar months (the day is kept; string order still works for the
/// comparisons made with it).
pub fn add_months(date: &str, months: u32) -> String {
    let mut parts = date.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return date.to_string();
    };
    let (Ok(y), Ok(m)) = (y.parse::<u32>(), m.parse::<u32>()) else {
        return date.to_string();
    };
    let total = y * 12 + (m - 1) + months;
    format!("{:04}-{:02}-{d}", total / 12, total % 12 + 1)
}

/// Where a runtime stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Creating functions with it is blocked (since the date).
    CreateBlocked(&'static str),
    /// Deprecated (since the date): no security patches; creation blocked from the second date.
    Deprecated(&'static str, Option<&'static str>),
    /// Deprecated within the next six months (on the date).
    DeprecatedSoon(&'static str),
    /// Supported.
    Supported,
}

/// The status of `r` on `today` (`YYYY-MM-DD`).
pub fn status(r: &Runtime, today: &str) -> Status {
    if let Some(c) = r.create_block.filter(|c| *c <= today) {
        return Status::CreateBlocked(c);
    }
    match r.deprecated {
        Some(d) if d <= today => Status::Deprecated(d, r.create_block),
        Some(d) if d <= add_months(today, 6).as_str() => Status::DeprecatedSoon(d),
        _ => Status::Supported,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_well_formed() {
        let mut ids: Vec<&str> = RUNTIMES.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), RUNTIMES.len(), "identifiers are unique");
        let is_date = |d: &str| d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-';
        for r in RUNTIMES {
            for d in [r.deprecated, r.create_block, r.update_block]
                .into_iter()
                .flatten()
            {
                assert!(is_date(d), "{}: {d}", r.id);
            }
            if let (Some(c), Some(u)) = (r.create_block, r.update_block) {
                assert!(c <= u, "{}: create-block after update-block", r.id);
            }
        }
    }

    #[test]
    fn families_and_versions() {
        assert_eq!(family("python3.11"), "python");
        assert_eq!(family("nodejs20.x"), "nodejs");
        assert_eq!(family("dotnetcore3.1"), "dotnet");
        assert_eq!(family("provided.al2023"), "provided");
        assert_eq!(version("python3.11"), vec![3, 11]);
        assert_eq!(version("nodejs20.x"), vec![20]);
        assert!(version("python3.9") < version("python3.11"));
    }

    #[test]
    fn statuses() {
        let s = |id: &str, today: &str| status(lookup(id).unwrap(), today);
        assert_eq!(
            s("nodejs14.x", "2026-11-24"),
            Status::CreateBlocked("2024-01-09")
        );
        assert_eq!(
            s("nodejs18.x", "2026-11-24"),
            Status::Deprecated("2025-09-01", Some("2027-02-01"))
        );
        assert_eq!(
            s("nodejs18.x", "2027-02-01"),
            Status::CreateBlocked("2027-02-01")
        );
        assert_eq!(
            s("nodejs22.x", "2026-11-24"),
            Status::DeprecatedSoon("2027-04-30")
        );
        assert_eq!(s("python3.11", "2026-11-24"), Status::Supported);
        assert_eq!(
            s("python3.11", "2026-12-30"),
            Status::DeprecatedSoon("2027-06-30")
        );
        assert_eq!(s("python3.13", "2026-11-24"), Status::Supported);
        assert_eq!(add_months("2026-11-24", 6), "2027-05-24");
        assert_eq!(add_months("2026-06-30", 6), "2026-12-30");
    }

    #[test]
    fn newest() {
        assert_eq!(
            newest_supported("nodejs", "2026-11-24").map(|r| r.id),
            Some("nodejs22.x")
        );
        assert_eq!(
            newest_supported("python", "2026-11-24").map(|r| r.id),
            Some("python3.13")
        );
    }
}
