//! Output formats of `ztc check`: human (miette), JSON, SARIF 2.1.0 and JUnit XML.
//!
//! The CLI chooses the format and where to print it; this module only renders. Every function
//! takes the compilations of one run (one [`Compiled`] per spec, in command-line order) and
//! returns the whole document as a `String`. Nothing here reads files or the environment, so the
//! same findings always render to the same bytes.

use crate::compile::Compiled;
use crate::diag::{self, Diagnostic, Severity};
use crate::explain::Entry;
use crate::source::{SourceFile, Span};
use serde_json::{json, Map, Value};

/// Output format of `ztc check`.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    /// Annotated source snippets on stderr.
    #[default]
    Human,
    /// A JSON array of located diagnostics on stdout.
    Json,
    /// SARIF 2.1.0 on stdout (GitHub code scanning, IDE SARIF viewers).
    Sarif,
    /// JUnit XML on stdout (CI test reports).
    Junit,
}

/// Which unwaived findings make `ztc check` exit 1.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum FailOn {
    /// Errors.
    #[default]
    Error,
    /// Errors and warnings.
    Warning,
    /// Nothing: report only (input errors still exit 2).
    Never,
}

impl FailOn {
    /// True when this diagnostic counts against the run (waived findings never do).
    pub fn counts(self, d: &Diagnostic) -> bool {
        if d.waived.is_some() {
            return false;
        }
        match self {
            FailOn::Error => d.severity == Severity::Error,
            FailOn::Warning => d.severity >= Severity::Warning,
            FailOn::Never => false,
        }
    }
    /// True when the spec fails the run.
    pub fn fails(self, c: &Compiled) -> bool {
        c.diagnostics.iter().any(|d| self.counts(d))
    }
}

/// Rendering a format, with what only some formats need.
#[derive(Copy, Clone, Debug)]
pub struct Options {
    /// Colours in the human format.
    pub color: bool,
    /// Human format: errors only, no summary line.
    pub quiet: bool,
    /// Human format: notes too (how the spec was lowered); without it they are counted only.
    pub verbose: bool,
    /// Human format: wrap width.
    pub width: usize,
    /// JUnit: which findings become `<failure>`s.
    pub fail_on: FailOn,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            color: false,
            quiet: false,
            verbose: false,
            width: 100,
            fail_on: FailOn::Error,
        }
    }
}

/// Render in the chosen format.
pub fn render(format: Format, compiled: &[Compiled], opts: &Options) -> String {
    match format {
        Format::Human => human(compiled, opts),
        Format::Json => json(compiled),
        Format::Sarif => sarif(compiled),
        Format::Junit => junit(compiled, opts.fail_on),
    }
}

// --- human ---------------------------------------------------------------------------------------

/// The miette rendering of every spec's diagnostics, each spec followed by its summary line.
pub fn human(compiled: &[Compiled], opts: &Options) -> String {
    let mut out = String::new();
    for c in compiled {
        out.push_str(&human_diagnostics(
            c,
            opts.color,
            opts.quiet,
            opts.verbose,
            opts.width,
        ));
        if !opts.quiet {
            out.push_str(&summary(c, opts.verbose));
            out.push('\n');
        }
    }
    out
}

/// The miette rendering of one spec's diagnostics (blocking ones only when `quiet`).
pub fn human_diagnostics(
    c: &Compiled,
    color: bool,
    quiet: bool,
    verbose: bool,
    width: usize,
) -> String {
    let shown: Vec<Diagnostic> = c
        .diagnostics
        .iter()
        .filter(|d| shown(d, quiet, verbose))
        .cloned()
        .collect();
    if shown.is_empty() {
        return String::new();
    }
    diag::render(&shown, &c.source, color, width)
}

/// Whether the human format prints a diagnostic: `quiet` keeps what blocks the build; notes
/// (the lowering explaining itself) only under `verbose`; everything else, waived findings too.
pub fn shown(d: &Diagnostic, quiet: bool, verbose: bool) -> bool {
    if quiet {
        d.is_blocking()
    } else {
        verbose || d.severity != Severity::Info || d.waived.is_some()
    }
}

/// `FILE: N error(s), N warning(s), N note(s), N waived` (no newline); notes not printed are
/// pointed at `--verbose`.
pub fn summary(c: &Compiled, verbose: bool) -> String {
    let waived = c.diagnostics.iter().filter(|d| d.waived.is_some()).count();
    let notes = c.count(Severity::Info);
    format!(
        "{}: {} error(s), {} warning(s), {} note(s){}, {} waived",
        c.source.name(),
        c.count(Severity::Error),
        c.count(Severity::Warning),
        notes,
        if notes > 0 && !verbose {
            " (--verbose shows them)"
        } else {
            ""
        },
        waived
    )
}

// --- JSON ----------------------------------------------------------------------------------------

/// A JSON array of every diagnostic of every spec (see [`diag_json`]), pretty-printed.
pub fn json(compiled: &[Compiled]) -> String {
    let all: Vec<Value> = compiled
        .iter()
        .flat_map(|c| c.diagnostics.iter().map(move |d| diag_json(d, c)))
        .collect();
    serde_json::to_string_pretty(&Value::Array(all)).unwrap_or_default()
}

/// A diagnostic as JSON (file, line, column, code, severity, message, help, PCI refs, waiver).
pub fn diag_json(d: &Diagnostic, c: &Compiled) -> Value {
    let (line, col) = d.span.map(|s| c.source.line_col(s.start)).unwrap_or((0, 0));
    json!({
        "file": c.source.name(),
        "line": line,
        "column": col,
        "code": d.code,
        "severity": d.severity,
        "message": d.message,
        "help": d.help,
        "scope": d.scope,
        "pci": d.pci,
        "waived": d.waived.as_ref().map(|w| w.reason.clone()),
    })
}

// --- SARIF 2.1.0 ---------------------------------------------------------------------------------

/// Where the long text of a rule is published: `https://ztc.dev/rules/<CODE>`.
pub const HELP_URI_BASE: &str = "https://ztc.dev/rules/";
/// The tool's home page in SARIF's `tool.driver.informationUri`.
pub const INFORMATION_URI: &str = "https://ztc.dev/";
/// Key of the fingerprint in `partialFingerprints`; bump the version if the hashed text changes.
pub const FINGERPRINT_KEY: &str = "ztc/v1";

/// SARIF `level` of a severity.
pub fn sarif_level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0.0–10.0) of a severity: error 8.0 (high), warning 5.0
/// (medium), info 2.0 (low).
pub fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "8.0",
        Severity::Warning => "5.0",
        Severity::Info => "2.0",
    }
}

/// A stable fingerprint of a finding: FNV-1a (64 bit, hex) of code, scope and message. Stable
/// across runs, platforms and line moves, so code scanning keeps tracking an alert when lines
/// above it change.
pub fn fingerprint(d: &Diagnostic) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let scope = d.scope.as_deref().unwrap_or("");
    for part in [d.code, scope, d.message.as_str()] {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// SARIF 2.1.0: one run of `ztc`, every explainable code as a rule, one result per diagnostic.
/// Waived findings carry an `inSource` suppression with the waiver's reason.
pub fn sarif(compiled: &[Compiled]) -> String {
    let entries = crate::explain::all();
    let mut rules: Vec<Value> = entries.iter().map(sarif_rule).collect();
    let mut ids: Vec<&'static str> = entries.iter().map(|e| e.code).collect();
    let mut results = Vec::new();
    for c in compiled {
        for d in &c.diagnostics {
            let index = match ids.iter().position(|id| *id == d.code) {
                Some(i) => i,
                None => {
                    // a code without an explain entry still gets a rule, so ruleIndex is valid
                    ids.push(d.code);
                    rules.push(json!({
                        "id": d.code,
                        "shortDescription": {"text": d.code},
                        "helpUri": format!("{HELP_URI_BASE}{}", d.code),
                        "defaultConfiguration": {"level": sarif_level(d.severity)},
                    }));
                    ids.len() - 1
                }
            };
            results.push(sarif_result(d, c, index));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ztc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

fn sarif_rule(e: &Entry) -> Value {
    let mut tags = vec![Value::from("security")];
    tags.extend(
        e.pci
            .iter()
            .map(|r| Value::from(format!("PCI-DSS-4.0.1/{r}"))),
    );
    // the controls of the other packs the rule belongs to (SOC 2 criteria, zero-trust baseline)
    if let Some(rule) = crate::policy::find(e.code) {
        for p in rule.meta().packs {
            let prefix = match p.profile {
                crate::spec::Profile::PciDssV4 => continue,
                crate::spec::Profile::Soc2 => "SOC2",
                crate::spec::Profile::ZeroTrust => "zero-trust",
            };
            tags.extend(
                p.controls
                    .iter()
                    .map(|c| Value::from(format!("{prefix}/{c}"))),
            );
        }
    }
    let what = markdown_section(e.explain, "What it does").unwrap_or(e.summary);
    let mut help_md = format!(
        "**{} {}**: {}\n\n{}",
        e.code,
        e.slug,
        e.summary,
        e.explain.trim()
    );
    if !e.pci.is_empty() {
        help_md.push_str(&format!("\n\nPCI DSS v4.0.1: {}", e.pci.join(", ")));
    }
    help_md.push_str(&format!("\n\n`ztc explain {}` prints this text.", e.code));
    json!({
        "id": e.code,
        "name": e.slug,
        "shortDescription": {"text": e.summary},
        "fullDescription": {"text": what, "markdown": e.explain.trim()},
        "help": {"text": e.explain.trim(), "markdown": help_md},
        "helpUri": format!("{HELP_URI_BASE}{}", e.code),
        "defaultConfiguration": {"level": sarif_level(e.severity)},
        "properties": {
            "tags": tags,
            "precision": "very-high",
            "security-severity": security_severity(e.severity),
        },
    })
}

/// The body of a `## heading` section of an explain text, as one line of plain text.
fn markdown_section<'a>(md: &'a str, heading: &str) -> Option<&'a str> {
    let start = md.find(&format!("## {heading}\n"))? + heading.len() + 4;
    let rest = &md[start..];
    let end = rest.find("\n## ").unwrap_or(rest.len());
    let body = rest[..end].trim();
    (!body.is_empty()).then_some(body)
}

fn sarif_result(d: &Diagnostic, c: &Compiled, rule_index: usize) -> Value {
    let mut message = Map::new();
    message.insert("text".into(), d.message.clone().into());
    if let Some(h) = &d.help {
        message.insert(
            "markdown".into(),
            format!("{}\n\n**Fix:** {h}", d.message).into(),
        );
    }
    let mut r = Map::new();
    r.insert("ruleId".into(), d.code.into());
    r.insert("ruleIndex".into(), rule_index.into());
    r.insert("level".into(), sarif_level(d.severity).into());
    r.insert("message".into(), Value::Object(message));
    r.insert(
        "locations".into(),
        json!([{"physicalLocation": physical_location(&c.source, d.span)}]),
    );
    r.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(d) }),
    );
    if !d.related.is_empty() {
        let related: Vec<Value> = d
            .related
            .iter()
            .enumerate()
            .map(|(i, rel)| {
                json!({
                    "id": i + 1,
                    "physicalLocation": physical_location(&c.source, Some(rel.span)),
                    "message": {"text": rel.label},
                })
            })
            .collect();
        r.insert("relatedLocations".into(), related.into());
    }
    if let Some(w) = &d.waived {
        r.insert(
            "suppressions".into(),
            json!([{
                "kind": "inSource",
                "status": "accepted",
                "justification": w.reason,
                "location": {"physicalLocation": physical_location(&c.source, Some(w.span))},
            }]),
        );
    }
    let mut props = Map::new();
    if let Some(s) = &d.scope {
        props.insert("scope".into(), s.clone().into());
    }
    if let Some(h) = &d.help {
        props.insert("help".into(), h.clone().into());
    }
    if !d.pci.is_empty() {
        props.insert("pci".into(), json!(d.pci));
    }
    if !props.is_empty() {
        r.insert("properties".into(), Value::Object(props));
    }
    Value::Object(r)
}

fn physical_location(source: &SourceFile, span: Option<Span>) -> Value {
    json!({
        "artifactLocation": artifact_location(source.name()),
        "region": region(source, span),
    })
}

/// The spec path as given on the command line: relative paths stay relative (to `%SRCROOT%`,
/// the directory `ztc` ran in, which in CI is the repository root); absolute ones become `file:`
/// URIs.
fn artifact_location(path: &str) -> Value {
    let slashed = path.replace('\\', "/");
    let slashed = slashed.strip_prefix("./").unwrap_or(&slashed);
    let windows_abs = slashed.len() >= 2
        && slashed.as_bytes()[1] == b':'
        && slashed.as_bytes()[0].is_ascii_alphabetic();
    if slashed.starts_with('/') || windows_abs {
        let prefix = if windows_abs { "file:///" } else { "file://" };
        json!({"uri": format!("{prefix}{}", uri_escape(slashed))})
    } else {
        json!({"uri": uri_escape(slashed), "uriBaseId": "%SRCROOT%"})
    }
}

/// Percent-encode what may not appear in a URI path (RFC 3986 `pchar` plus `/`).
fn uri_escape(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A SARIF region: 1-based lines and columns (Unicode code points), `endColumn` exclusive.
fn region(source: &SourceFile, span: Option<Span>) -> Value {
    let Some(span) = span else {
        return json!({"startLine": 1, "startColumn": 1});
    };
    let (start_line, start_col) = source.line_col(span.start);
    let (mut end_line, mut end_col) = source.line_col(span.end);
    // a span that ends just after a newline ends at the end of the previous line
    if end_col == 1 && span.end > span.start && end_line > start_line {
        let (l, c) = source.line_col(span.end - 1);
        end_line = l;
        end_col = c + 1;
    }
    json!({
        "startLine": start_line,
        "startColumn": start_col,
        "endLine": end_line,
        "endColumn": end_col.max(1),
    })
}

// --- JUnit XML -----------------------------------------------------------------------------------

/// JUnit XML: one `<testsuite>` per spec, one `<testcase>` per finding. An unwaived error (and an
/// unwaived warning when `fail_on` is `warning`) is a `<failure>` (an `<error>` when the spec
/// could not be read as YAML), a waived finding is `<skipped>` with the waiver's reason, other
/// findings (notes, warnings) pass with their text in `<system-out>`. A spec without failing
/// findings also gets a passing `ztc check` test case, so every suite records its verdict.
pub fn junit(compiled: &[Compiled], fail_on: FailOn) -> String {
    let slugs: Vec<(&str, &str)> = crate::explain::all()
        .iter()
        .map(|e| (e.code, e.slug))
        .collect();
    let mut suites = String::new();
    let (mut t_tests, mut t_fail, mut t_err, mut t_skip) = (0usize, 0usize, 0usize, 0usize);
    for c in compiled {
        let file = c.source.name();
        let (mut tests, mut failures, mut errors, mut skipped) = (0usize, 0usize, 0usize, 0usize);
        let mut cases = String::new();
        for d in &c.diagnostics {
            tests += 1;
            let (line, col) = d.span.map(|s| c.source.line_col(s.start)).unwrap_or((0, 0));
            let slug = slugs
                .iter()
                .find(|(code, _)| *code == d.code)
                .map(|(_, slug)| *slug)
                .unwrap_or("");
            let name = if slug.is_empty() {
                format!("{} at {line}:{col}", d.code)
            } else {
                format!("{} {slug} at {line}:{col}", d.code)
            };
            cases.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{line}\">\n",
                xml_escape(&name),
                xml_escape(file),
                xml_escape(file)
            ));
            let body = finding_text(d, file, line, col);
            if let Some(w) = &d.waived {
                skipped += 1;
                cases.push_str(&format!(
                    "      <skipped message=\"{}\"/>\n      <system-out>{}</system-out>\n",
                    xml_escape(&format!("waived: {}", w.reason)),
                    xml_text(&body)
                ));
            } else if d.is_blocking() || fail_on.counts(d) {
                let tag = if c.input_error { "error" } else { "failure" };
                if c.input_error {
                    errors += 1;
                } else {
                    failures += 1;
                }
                cases.push_str(&format!(
                    "      <{tag} message=\"{}\" type=\"{}\">{}</{tag}>\n",
                    xml_escape(&d.message),
                    xml_escape(d.code),
                    xml_text(&body)
                ));
            } else {
                cases.push_str(&format!(
                    "      <system-out>{}</system-out>\n",
                    xml_text(&body)
                ));
            }
            cases.push_str("    </testcase>\n");
        }
        if failures + errors == 0 {
            tests += 1;
            cases.push_str(&format!(
                "    <testcase name=\"ztc check\" classname=\"{}\" file=\"{}\"/>\n",
                xml_escape(file),
                xml_escape(file)
            ));
        }
        suites.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" time=\"0\">\n{cases}  </testsuite>\n",
            xml_escape(file)
        ));
        t_tests += tests;
        t_fail += failures;
        t_err += errors;
        t_skip += skipped;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"ztc check\" tests=\"{t_tests}\" failures=\"{t_fail}\" errors=\"{t_err}\" skipped=\"{t_skip}\" time=\"0\">\n{suites}</testsuites>\n"
    )
}

/// `file:line:col: severity[CODE]: message`, then help, scope, PCI references and waiver.
fn finding_text(d: &Diagnostic, file: &str, line: usize, col: usize) -> String {
    let mut s = format!(
        "{file}:{line}:{col}: {}[{}]: {}",
        d.severity, d.code, d.message
    );
    if let Some(l) = &d.label {
        s.push_str(&format!("\n  label: {l}"));
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("\n  help: {h}"));
    }
    if let Some(sc) = &d.scope {
        s.push_str(&format!("\n  scope: {sc}"));
    }
    if !d.pci.is_empty() {
        s.push_str(&format!("\n  PCI DSS v4.0.1: {}", d.pci.join(", ")));
    }
    if let Some(w) = &d.waived {
        s.push_str(&format!("\n  waived: {}", w.reason));
    }
    s.push_str(&format!("\n  more: ztc explain {}", d.code));
    s
}

/// Escape text for an XML attribute value; characters XML 1.0 cannot carry become U+FFFD, and
/// line breaks survive as character references (a parser would normalise them to spaces).
pub fn xml_escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Escape text for XML element content (line breaks and tabs stay as they are).
pub fn xml_text(s: &str) -> String {
    escape_xml(s, false)
}

fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\n' | '\t' if !attribute => out.push(ch),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escape_handles_metacharacters_and_control_characters() {
        assert_eq!(
            xml_escape("a<b>&\"c\"'d'\n\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;\u{FFFD}"
        );
        assert_eq!(xml_text("a<b\n\tc\r"), "a&lt;b\n\tc&#13;");
    }

    #[test]
    fn fingerprint_is_stable_and_ignores_location() {
        let a = Diagnostic::error("ZT0106", "m").scope("logs.groups.x");
        let b = a.clone().at(Span::new(10, 12));
        assert_eq!(fingerprint(&a), fingerprint(&b));
        // pinned: changing the hashed text must come with a new FINGERPRINT_KEY
        assert_eq!(fingerprint(&a), "d74b2f747c6adf48");
        assert_ne!(
            fingerprint(&a),
            fingerprint(&a.clone().scope("logs.groups.y"))
        );
    }

    #[test]
    fn uris_are_relative_and_escaped() {
        assert_eq!(
            artifact_location("./specs/my spec.yaml"),
            json!({"uri": "specs/my%20spec.yaml", "uriBaseId": "%SRCROOT%"})
        );
        assert_eq!(
            artifact_location("/abs/x.yaml"),
            json!({"uri": "file:///abs/x.yaml"})
        );
    }

    #[test]
    fn markdown_section_extracts_the_body() {
        assert_eq!(
            markdown_section(
                "## What it does\nChecks.\n\n## Why\nBecause.",
                "What it does"
            ),
            Some("Checks.")
        );
    }
}
