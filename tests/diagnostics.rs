//! One fixture per invalid-spec case (`tests/fixtures/invalid/err_*.yaml`): each must fail with
//! located diagnostics, never panic, and its rendered diagnostics are snapshotted as plain text.

use ztc::compile::{compile, Options};

#[test]
fn invalid_specs_render_located_diagnostics() {
    std::env::set_var("ZTC_TODAY", "2026-01-01");
    insta::glob!("fixtures/invalid/err_*.yaml", |path| {
        let bytes = std::fs::read(path).unwrap();
        let name = format!(
            "fixtures/invalid/{}",
            path.file_name().unwrap().to_string_lossy()
        );
        let c = compile(&name, &bytes, &Options::default());
        assert!(c.has_errors(), "{name} must fail");
        assert!(c.module.is_none(), "{name}: no module may be produced");
        for d in c.diagnostics.iter().filter(|d| d.is_blocking()) {
            assert!(d.span.is_some(), "{name}: {} has no location", d.code);
            assert!(d.help.is_some(), "{name}: {} has no fix", d.code);
        }
        insta::assert_snapshot!(ztc::diag::render_plain(&c.diagnostics, &c.source, 100));
    });
}

#[test]
fn every_shipped_spec_compiles_without_errors() {
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/specs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("yaml") {
            continue;
        }
        let c = compile(
            &path.display().to_string(),
            &std::fs::read(&path).unwrap(),
            &Options::default(),
        );
        assert!(
            !c.has_errors(),
            "{}:\n{}",
            path.display(),
            ztc::diag::render_plain(&c.diagnostics, &c.source, 100)
        );
    }
}
