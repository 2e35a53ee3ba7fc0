//! Arbitrary spec text through the whole pipeline as `ztc check` and `ztc build --target all` run
//! it, in memory: load, validate, model, check, lower, the diagnostics in every report format, and
//! the three printers through `emit::build`. Terraform JSON output must parse as JSON, and
//! `emit::build` must agree with printing each target on its own (`target_diagnostics` + `emit`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ztc::compile::{compile, Options};
use ztc::emit::{self, Target};
use ztc::report::{self, Format};

fuzz_target!(|data: &[u8]| {
    // non-UTF-8 input stops at the first check; the loader target covers those bytes
    if std::str::from_utf8(data).is_err() {
        return;
    }
    let c = compile("fuzz.yaml", data, &Options::default());
    let opts = report::Options::default();
    let compiled = std::slice::from_ref(&c);
    for format in [Format::Human, Format::Json, Format::Junit] {
        let _ = report::render(format, compiled, &opts);
    }
    let Some(module) = &c.module else {
        return;
    };
    let built = emit::build(module, &Target::ALL, &c.diagnostics);
    let mut findings = c.diagnostics.clone();
    findings.extend(built.diagnostics.iter().cloned());
    let _ = ztc::diag::render(&findings, &c.source, false, 100);

    let separate: Vec<_> = Target::ALL
        .iter()
        .flat_map(|t| emit::target_diagnostics(module, *t))
        .collect();
    assert_eq!(built.diagnostics, separate, "emit::build diagnostics");
    assert_eq!(built.files.len(), Target::ALL.len());
    for (target, files) in &built.files {
        for (path, bytes) in files {
            if *target == Target::Cdktf && path.ends_with(".json") {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
                    panic!("{path} is not JSON: {e}");
                }
            }
        }
        assert!(
            emit::emit(module, *target, &findings) == *files,
            "emit::build and emit differ for {}",
            target.name()
        );
    }
});
