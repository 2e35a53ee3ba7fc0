//! Terraform JSON printer (CDKTF `cdk.tf.json` layout). Implementation in progress.
use crate::ir::Module;

/// Print a module as `cdktf.out/manifest.json` + `cdktf.out/stacks/<stack>/cdk.tf.json`.
pub fn emit(_module: &Module) -> Vec<(String, String)> {
    Vec::new()
}
