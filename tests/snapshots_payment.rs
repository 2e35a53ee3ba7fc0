//! Snapshots of the three outputs of `specs/payment.yaml`, for review of every change to the
//! generated code. Correctness is proven elsewhere by real tools (payment.rs, tfjson.rs,
//! pulumi.rs); these catch unintended changes.

use ztc::compile::{compile, Options};
use ztc::emit::{emit, Target};

fn outputs(target: Target) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/payment.yaml");
    let c = compile(
        "specs/payment.yaml",
        &std::fs::read(path).unwrap(),
        &Options::default(),
    );
    let m = c.module.as_ref().expect("payment.yaml compiles");
    let mut out = String::new();
    for (p, bytes) in emit(m, target, &c.diagnostics) {
        if p.ends_with(".zip") {
            continue;
        }
        out.push_str(&format!("=== {p}\n{}\n", String::from_utf8_lossy(&bytes)));
    }
    out
}

#[test]
fn payment_hcl() {
    insta::assert_snapshot!(outputs(Target::Hcl));
}

#[test]
fn payment_cdktf() {
    insta::assert_snapshot!(outputs(Target::Cdktf));
}
