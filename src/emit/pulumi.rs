//! Pulumi YAML printer. Implementation in progress.
use crate::diag::Diagnostic;
use crate::ir::Module;

/// Print a module as a Pulumi YAML project (`Pulumi.yaml`).
pub fn emit(_module: &Module) -> Vec<(String, String)> {
    Vec::new()
}

/// Divergences between the hashicorp/aws vocabulary of the IR and pulumi-aws.
pub fn diagnostics(_module: &Module) -> Vec<Diagnostic> {
    Vec::new()
}
