//! Arbitrary spec text through the whole pipeline as `ztc check` and `ztc build --target all` run
//! it, in memory: load, validate, model, check, lower, the diagnostics in every report format, and
//! the three printers. Terraform JSON output must parse as JSON.
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
    let mut findings = c.diagnostics.clone();
    for target in Target::ALL {
        findings.extend(emit::target_diagnostics(module, target));
    }
    let _ = ztc::diag::render(&findings, &c.source, false, 100);
    for target in Target::ALL {
        for (path, bytes) in emit::emit(module, target, &findings) {
            if target == Target::Cdktf && path.ends_with(".json") {
                if let Err(e) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                    panic!("{path} is not JSON: {e}");
                }
            }
        }
    }
});
