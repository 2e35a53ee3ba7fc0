//! Diagnostics: one type for every problem ztc reports, from YAML syntax to compliance rules.

use crate::source::{SourceFile, Span};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A waiver that matched a finding: the finding is still reported, marked as waived.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Waived {
    pub reason: String,
    #[serde(skip)]
    pub span: Span,
}

/// A secondary location with its own label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    pub span: Span,
    pub label: String,
}

/// One diagnostic, located in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code, e.g. `ZT0102`; `ztc explain CODE` prints its long text.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Option<Span>,
    /// Short text under the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// PCI DSS v4.0.1 requirement references.
    pub pci: &'static [&'static str],
    pub related: Vec<Related>,
    pub waived: Option<Waived>,
    /// Spec path of the element the finding is about (`buckets.audit-logs`), used for waiver scopes.
    pub scope: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static str, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            span: None,
            label: None,
            help: None,
            pci: &[],
            related: Vec::new(),
            waived: None,
            scope: None,
        }
    }
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }
    pub fn info(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }
    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.span = span.or(self.span);
        self
    }
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn pci(mut self, refs: &'static [&'static str]) -> Self {
        self.pci = refs;
        self
    }
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }
    pub fn related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push(Related {
            span,
            label: label.into(),
        });
        self
    }
    /// An error that is not waived fails the run.
    pub fn is_blocking(&self) -> bool {
        self.severity == Severity::Error && self.waived.is_none()
    }
}

/// A diagnostic bound to its source, rendered by miette.
pub struct Rendered<'a> {
    pub diag: &'a Diagnostic,
    pub source: &'a SourceFile,
    named: miette::NamedSource<String>,
    /// false when a span sits on a line too long to draw: the location is written out instead
    snippet: bool,
}

/// Longest line (in bytes) drawn under a diagnostic. miette pads labels with `{:width$}`, and a
/// width over `u16::MAX` panics ("Formatting argument out of range"), so a spec with a 70,000
/// character line would crash `ztc check`; such lines are not shown.
const MAX_SNIPPET_LINE: usize = 10_000;

/// Length of the line holding byte `at`.
fn line_len(text: &str, at: usize) -> usize {
    let b = text.as_bytes();
    let at = at.min(b.len());
    let start = b[..at]
        .iter()
        .rposition(|&c| c == b'\n')
        .map_or(0, |i| i + 1);
    let end = b[at..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |i| at + i);
    end - start
}

impl<'a> Rendered<'a> {
    pub fn new(diag: &'a Diagnostic, source: &'a SourceFile) -> Self {
        let named = source.named_source();
        let text = source.text();
        let spans = diag
            .span
            .into_iter()
            .chain(diag.related.iter().map(|r| r.span))
            .chain(diag.waived.iter().map(|w| w.span));
        let snippet = spans
            .flat_map(|s| [s.start, s.end])
            .all(|at| line_len(text, at) <= MAX_SNIPPET_LINE);
        Rendered {
            diag,
            source,
            named: miette::NamedSource::new(visible(named.name()), visible_source(text)),
            snippet,
        }
    }
}

fn is_hidden_control(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

/// Text from the spec (or its file name) as it may reach a terminal: control characters (ESC,
/// BEL, C1 ...) are written as `\u{1b}`, so a hostile spec cannot send escape sequences through a
/// diagnostic.
fn visible(s: &str) -> String {
    s.chars()
        .map(|c| {
            if is_hidden_control(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The same for the source text shown around a span, keeping every byte offset (the spans point
/// into it): each control character becomes as many `?` as its UTF-8 length; CR stays before LF.
fn visible_source(s: &str) -> String {
    if !s.chars().any(is_hidden_control) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if is_hidden_control(c) && !(c == '\r' && chars.peek() == Some(&'\n')) {
            out.extend(std::iter::repeat('?').take(c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    out
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.diag, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&visible(&self.diag.message))?;
        if let (false, Some(span)) = (self.snippet, self.diag.span) {
            let (line, col) = self.source.line_col(span.start);
            write!(
                f,
                "\n  at {}:{line}:{col} (the line is too long to show)",
                visible(self.source.name())
            )?;
        }
        if let Some(w) = &self.diag.waived {
            write!(f, " [waived: {}]", visible(&w.reason))?;
        }
        Ok(())
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.diag.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match (self.diag.severity, &self.diag.waived) {
            (_, Some(_)) => miette::Severity::Advice,
            (Severity::Error, None) => miette::Severity::Error,
            (Severity::Warning, None) => miette::Severity::Warning,
            (Severity::Info, None) => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let mut parts = Vec::new();
        if let Some(h) = &self.diag.help {
            parts.push(visible(h));
        }
        if !self.diag.pci.is_empty() {
            parts.push(format!("PCI DSS v4.0.1: {}", self.diag.pci.join(", ")));
        }
        parts.push(format!("more: ztc explain {}", self.diag.code));
        Some(Box::new(parts.join("\n")))
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.diag
            .span
            .filter(|_| self.snippet)
            .map(|_| &self.named as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.diag.span.filter(|_| self.snippet)?;
        let mut labels = vec![miette::LabeledSpan::new_primary_with_span(
            self.diag.label.as_deref().map(visible),
            span,
        )];
        for r in &self.diag.related {
            labels.push(miette::LabeledSpan::new_with_span(
                Some(visible(&r.label)),
                r.span,
            ));
        }
        if let Some(w) = &self.diag.waived {
            labels.push(miette::LabeledSpan::new_with_span(
                Some("waived here".into()),
                w.span,
            ));
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Render diagnostics as plain text (no colour) at a fixed width; used by tests and `--color never`.
pub fn render_plain(diags: &[Diagnostic], source: &SourceFile, width: usize) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(width)
            .with_links(false);
    let mut out = String::new();
    for d in diags {
        let r = Rendered::new(d, source);
        let _ = handler.render_report(&mut out, &r);
        out.push('\n');
    }
    out
}

/// Render with colours (when `color`) for a terminal.
pub fn render(diags: &[Diagnostic], source: &SourceFile, color: bool, width: usize) -> String {
    if !color {
        return render_plain(diags, source, width);
    }
    let handler = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode())
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    for d in diags {
        let _ = handler.render_report(&mut out, &Rendered::new(d, source));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_control_characters_never_reach_the_terminal() {
        let text = "a: \"x\u{1b}]0;t\u{7}\u{9b}2J\"\r\nb: 1\n";
        let src = SourceFile::new("f\u{1b}[31m.yaml", text);
        let d = Diagnostic::error("ZT0001", "bad \u{1b}[2J").at(Span::new(3, 14));
        let out = render_plain(&[d], &src, 100);
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
        assert!(out.contains("bad \\u{1b}[2J"), "{out}");
        assert!(out.contains("f\\u{1b}[31m.yaml:1:4"), "{out}");
        assert_eq!(visible_source(text).len(), text.len());
    }

    #[test]
    fn a_span_far_right_on_a_long_line_is_located_without_a_snippet() {
        // miette panics when a label is padded past u16::MAX columns
        let text = format!("a: [{}x]\n", "1, ".repeat(30_000));
        let src = SourceFile::new("long.yaml", text.as_str());
        let at = text.len() - 3;
        let d = Diagnostic::error("ZT0001", "here").at(Span::new(at, at + 1));
        let out = render_plain(&[d], &src, 100);
        assert!(out.contains("at long.yaml:1:90005"), "{out}");
    }
}
