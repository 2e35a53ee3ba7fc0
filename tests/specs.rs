//! Every shipped spec (`specs/*.yaml`) through the validation ladder: the HCL is fmt-clean and
//! valid for `terraform validate` with the real provider and has no checkov failure the spec does
//! not waive; the Pulumi program constructs under the pulumi-aws SDK. (Terraform JSON validity and
//! HCL ≡ JSON for every spec are in tfjson.rs.)

mod common;

use ztc::emit::{emit, Target};

fn specs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(common::repo_root().join("specs"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| format!("specs/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    v.sort();
    assert_eq!(v.len(), 5, "one spec per seed system: {v:?}");
    v
}

/// The directory holding the root module's `.tf` files (the spec may choose a `lib/` layout).
fn root_module(dir: &std::path::Path) -> std::path::PathBuf {
    let lib = dir.join("lib");
    if lib.is_dir() {
        lib
    } else {
        dir.to_path_buf()
    }
}

#[test]
fn every_spec_passes_terraform_and_checkov() {
    for spec in specs() {
        let b = common::build_spec(&spec);
        let root = root_module(b.dir.path());
        common::assert_terraform_accepts(&root);
        if common::checkov_bin().is_none() {
            return common::tool_missing("checkov", &common::checkov_missing_reason());
        }
        let report = common::checkov_report(&root, "terraform").unwrap();
        assert!(
            report.failures.is_empty(),
            "{spec}: checkov failures not waived in the spec: {:#?}",
            report.failures
        );
    }
}

#[test]
fn every_spec_constructs_under_the_pulumi_aws_sdk() {
    for spec in specs() {
        let b = common::build_spec(&spec);
        let dir = tempfile::tempdir().unwrap();
        for (p, bytes) in emit(b.module(), Target::Pulumi, &b.compiled.diagnostics) {
            let f = dir.path().join(p);
            std::fs::create_dir_all(f.parent().unwrap()).unwrap();
            std::fs::write(f, bytes).unwrap();
        }
        match common::pulumi_construct(dir.path()) {
            Ok(report) => {
                let errors = report["errors"].as_array().cloned().unwrap_or_default();
                assert!(errors.is_empty(), "{spec}: {errors:#?}");
            }
            Err(common::ToolError::Missing(why)) => {
                return common::tool_missing("pulumi-aws SDK", &why)
            }
            Err(common::ToolError::Failed(e)) => panic!("{spec}: {e}"),
        }
    }
}
