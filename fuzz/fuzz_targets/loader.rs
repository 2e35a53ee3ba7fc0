//! Arbitrary bytes through the YAML loader (encoding checks, BOM, limits, the event-stream tree
//! builder) and, when a tree comes out, schema validation and the diagnostic renderer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ztc::yaml::{load_bytes, Limits};

fuzz_target!(|data: &[u8]| {
    let (source, loaded) = load_bytes(data, "fuzz.yaml", Limits::default());
    let diags = match loaded {
        Ok(root) => {
            // the views of the tree the later stages use
            let json = root.to_json();
            let len = source.text().len();
            let index = root.index();
            for (pointer, (span, key)) in index.iter().take(256) {
                assert!(
                    span.start <= span.end && span.end <= len,
                    "{pointer}: span {span:?} outside the source"
                );
                if let Some(k) = key {
                    assert!(
                        k.start <= k.end && k.end <= len,
                        "{pointer}: key span {k:?} outside the source"
                    );
                }
                let (node, _) = root
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("indexed pointer {pointer} does not resolve"));
                assert_eq!(node.span, *span, "{pointer}: index and pointer disagree");
            }
            let _ = serde_json::to_string(&json).expect("a loaded tree serialises to JSON");
            ztc::validate::validate(&root)
        }
        Err(diags) => diags,
    };
    // every span a diagnostic carries must be renderable against the source it came from
    let _ = ztc::diag::render(&diags, &source, false, 100);
});
