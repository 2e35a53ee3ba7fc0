//! Printers from the IR to target languages, and the files every target gets beside its code.

pub mod hcl;
pub mod pulumi;
pub mod tfjson;

use crate::diag::{Diagnostic, Severity};
use crate::ir::Module;

/// An output target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Terraform HCL module.
    Hcl,
    /// Terraform JSON in the layout `cdktf synth` writes.
    Cdktf,
    /// Pulumi YAML program.
    Pulumi,
}

impl Target {
    pub const ALL: [Target; 3] = [Target::Hcl, Target::Cdktf, Target::Pulumi];
    pub fn name(self) -> &'static str {
        match self {
            Target::Hcl => "hcl",
            Target::Cdktf => "cdktf",
            Target::Pulumi => "pulumi",
        }
    }
}

/// Diagnostics a target raises about itself (features one provider lacks, documented
/// divergences). Computed without printing so that `check` and `build` report the same.
pub fn target_diagnostics(module: &Module, target: Target) -> Vec<Diagnostic> {
    match target {
        Target::Hcl | Target::Cdktf => Vec::new(),
        Target::Pulumi => pulumi::diagnostics(module),
    }
}

/// Print a module for a target: relative path → contents, in a stable order. Text files come
/// from the printer; the module's assets are placed beside the code the target loads.
pub fn emit(module: &Module, target: Target, findings: &[Diagnostic]) -> Files {
    let text = match target {
        Target::Hcl => hcl::emit(module),
        Target::Cdktf => tfjson::emit(module),
        Target::Pulumi => pulumi::emit(module),
    };
    package(module, target, text, findings)
}

/// Files as the printers give them: (path relative to the output folder, bytes).
pub type Files = Vec<(String, Vec<u8>)>;

/// What [`build`] produced.
#[derive(Debug)]
pub struct Built {
    /// The targets' own diagnostics, as [`target_diagnostics`] gives them, target by target.
    pub diagnostics: Vec<Diagnostic>,
    /// Each target's files, as [`emit`] gives them.
    pub files: Vec<(Target, Files)>,
}

/// Modules with at least this many blocks print their targets on threads of their own; below,
/// one after the other (a thread costs more than a small module's printing on a busy machine).
const PARALLEL_BLOCKS: usize = 2_000;

/// Every target of `targets` at once: the same diagnostics as [`target_diagnostics`] and the same
/// files as [`emit`] given `findings` followed by those diagnostics (what `ztc build` writes),
/// with each target printed once (large modules: each on its own thread).
pub fn build(module: &Module, targets: &[Target], findings: &[Diagnostic]) -> Built {
    let parallel = module.resources.len() + module.data.len() >= PARALLEL_BLOCKS;
    build_with(module, targets, findings, parallel)
}

fn build_with(
    module: &Module,
    targets: &[Target],
    findings: &[Diagnostic],
    parallel: bool,
) -> Built {
    let print = |t: Target| {
        let (text, diags) = match t {
            Target::Hcl => (hcl::emit(module), Vec::new()),
            Target::Cdktf => (tfjson::emit(module), Vec::new()),
            Target::Pulumi => pulumi::emit_with_diagnostics(module),
        };
        (t, text, diags)
    };
    type Printed = (Target, Vec<(String, String)>, Vec<Diagnostic>);
    let printed: Vec<Printed> = if !parallel || targets.len() < 2 {
        targets.iter().map(|&t| print(t)).collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = targets
                .iter()
                .map(|&t| scope.spawn(move || print(t)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let diagnostics: Vec<Diagnostic> = printed.iter().flat_map(|p| p.2.clone()).collect();
    let mut all = findings.to_vec();
    all.extend(diagnostics.iter().cloned());
    let files = printed
        .into_iter()
        .map(|(t, text, _)| (t, package(module, t, text, &all)))
        .collect();
    Built { diagnostics, files }
}

/// A target's text files with the module's assets beside its code and the README.
fn package(
    module: &Module,
    target: Target,
    text: Vec<(String, String)>,
    findings: &[Diagnostic],
) -> Files {
    let mut files: Files = text.into_iter().map(|(p, t)| (p, t.into_bytes())).collect();
    let root = match target {
        Target::Cdktf => format!("cdktf.out/stacks/{}/", module.name),
        // assets sit beside the root module's .tf files (paths in the code are relative to it)
        Target::Hcl => match module
            .hcl_files
            .as_ref()
            .and_then(|(_, r)| r.rsplit_once('/'))
        {
            Some((dir, _)) => format!("{dir}/"),
            None => String::new(),
        },
        Target::Pulumi => String::new(),
    };
    files.extend(
        module
            .assets
            .iter()
            .map(|a| (format!("{root}{}", a.path), a.contents.clone())),
    );
    files.push((
        "README.md".into(),
        readme(module, target, findings).into_bytes(),
    ));
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

const README_TEMPLATE: &str = include_str!("../../backends/common/README.md.j2");

/// The README written beside generated code: what it is, manual steps, waived findings.
pub fn readme(module: &Module, target: Target, findings: &[Diagnostic]) -> String {
    let mut env = minijinja::Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_template("readme", README_TEMPLATE)
        .expect("README template parses");
    let waived: Vec<_> = findings
        .iter()
        .filter(|d| d.waived.is_some())
        .map(|d| {
            minijinja::context! {
                code => d.code,
                scope => d.scope.clone().unwrap_or_default(),
                message => d.message.clone(),
                reason => d.waived.as_ref().map(|w| w.reason.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let warnings: Vec<_> = findings
        .iter()
        .filter(|d| d.waived.is_none() && d.severity == Severity::Warning)
        .map(|d| minijinja::context! { code => d.code, scope => d.scope.clone().unwrap_or_default(), message => d.message.clone() })
        .collect();
    let skips: Vec<_> = module
        .resources
        .iter()
        .flat_map(|b| b.skips.iter().map(move |s| minijinja::context! { id => s.id.clone(), address => b.addr.tf(), reason => s.reason.clone() }))
        .collect();
    env.get_template("readme")
        .and_then(|t| {
            t.render(minijinja::context! {
                name => module.name.clone(),
                target => target.name(),
                resources => module.resources.len(),
                data => module.data.len(),
                notes => module.notes.clone(),
                waived => waived,
                warnings => warnings,
                skips => skips,
            })
        })
        .unwrap_or_else(|e| format!("README could not be rendered: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `build` gives what `target_diagnostics` then `emit` give, on threads or not.
    #[test]
    fn build_is_diagnostics_then_emit() {
        let c = crate::compile::compile(
            "payment.yaml",
            include_bytes!("../../specs/payment.yaml"),
            &crate::compile::Options::default(),
        );
        let module = c.module.as_ref().expect("payment.yaml compiles");
        let diags: Vec<Diagnostic> = Target::ALL
            .iter()
            .flat_map(|t| target_diagnostics(module, *t))
            .collect();
        let mut all = c.diagnostics.clone();
        all.extend(diags.iter().cloned());
        for parallel in [false, true] {
            let built = build_with(module, &Target::ALL, &c.diagnostics, parallel);
            assert_eq!(built.diagnostics, diags);
            assert_eq!(built.files.len(), 3);
            for (t, files) in &built.files {
                assert!(*files == emit(module, *t, &all), "{}", t.name());
            }
        }
    }
}
