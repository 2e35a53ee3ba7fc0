//! The pipeline: load → validate → model → check → lower. Pure: bytes in, module and diagnostics out.

use crate::diag::{Diagnostic, Severity};
use crate::ir::Module;
use crate::policy::Ctx;
use crate::source::{SourceFile, Span};
use crate::spec::Spec;
use crate::yaml::{self, Limits, Node};

/// Options for one compilation.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub limits: Limits,
}

/// What a compilation produced.
#[derive(Debug)]
pub struct Compiled {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    /// The spec (when it parsed and matched the schema).
    pub spec: Option<Spec>,
    /// The lowered module, present only when no unwaived error was found.
    pub module: Option<Module>,
    /// True when the input could not be read as a YAML document at all.
    pub input_error: bool,
}

impl Compiled {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_blocking)
    }
    pub fn count(&self, sev: Severity) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == sev && d.waived.is_none())
            .count()
    }
}

/// Compile spec bytes.
pub fn compile(name: &str, bytes: &[u8], opts: &Options) -> Compiled {
    let (source, loaded) = yaml::load_bytes(bytes, name, opts.limits);
    let doc = match loaded {
        Ok(d) => d,
        Err(diags) => {
            return Compiled {
                source,
                diagnostics: diags,
                spec: None,
                module: None,
                input_error: true,
            }
        }
    };
    let mut diagnostics = crate::validate::validate(&doc);
    if !diagnostics.is_empty() {
        return Compiled {
            source,
            diagnostics,
            spec: None,
            module: None,
            input_error: false,
        };
    }
    let spec = match serde_json::from_value::<Spec>(doc.to_json()) {
        Ok(s) => s,
        Err(e) => {
            diagnostics.push(
                Diagnostic::error(
                    crate::validate::codes::MODEL,
                    format!("spec does not match the model: {e}"),
                )
                .at(Span::new(0, 0))
                .help("`ztc schema` prints the expected structure"),
            );
            return Compiled {
                source,
                diagnostics,
                spec: None,
                module: None,
                input_error: false,
            };
        }
    };
    let (module, mut d) = check_and_lower(&spec, &doc);
    diagnostics.append(&mut d);
    diagnostics.sort_by_key(|d| (d.span.map(|s| s.start).unwrap_or(0), d.code));
    let blocked = diagnostics.iter().any(Diagnostic::is_blocking);
    Compiled {
        source,
        diagnostics,
        spec: Some(spec),
        module: if blocked { None } else { Some(module) },
        input_error: false,
    }
}

fn check_and_lower(spec: &Spec, doc: &Node) -> (Module, Vec<Diagnostic>) {
    let cx = Ctx::new(spec, doc);
    let mut diags = crate::policy::run_rules(&cx);
    let (module, mut lowered) = crate::lower::lower(&cx);
    diags.append(&mut lowered);
    // waivers cover rule findings and the warnings lowering raises alike
    crate::policy::waivers::apply(&cx, &mut diags);
    (module, diags)
}
