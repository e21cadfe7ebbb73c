//! Replays the fuzz corpora on stable Rust: every file of
//! `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/` goes through
//! the same property checks the libFuzzer targets run (the checks live in
//! `fuzz/src/lib.rs` and are included here), so `cargo test` catches a
//! regression without cargo-fuzz.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../../fuzz/src/lib.rs"]
mod properties;

use std::fs;
use std::panic;
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// The inputs kept for `target`: its minimized corpus and the inputs of
/// bugs fuzzing found.
fn inputs(target: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let Ok(entries) = fs::read_dir(fuzz_dir().join(kind).join(target)) else {
            continue;
        };
        files.extend(entries.map(|e| e.unwrap().path()).filter(|p| p.is_file()));
    }
    files.sort();
    files
}

/// Runs `check` on every input of `target`; fails listing each input whose
/// check panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let files = inputs(target);
    assert!(!files.is_empty(), "no corpus for {target}");
    let failed: Vec<String> = files
        .iter()
        .filter(|path| {
            let bytes = fs::read(path).unwrap();
            panic::catch_unwind(|| check(&bytes)).is_err()
        })
        .map(|path| {
            path.strip_prefix(fuzz_dir())
                .unwrap_or(path)
                .display()
                .to_string()
        })
        .collect();
    assert!(
        failed.is_empty(),
        "{} of {} {target} inputs break a property (see the panics above):\n{}",
        failed.len(),
        files.len(),
        failed.join("\n")
    );
}

#[test]
fn notebook_span_map_corpus() {
    replay("notebook_span_map", properties::notebook_span_map);
}

#[test]
fn detection_corpus() {
    replay("detection", properties::detection);
}

#[test]
fn scan_then_fix_corpus() {
    replay("scan_then_fix", properties::scan_then_fix);
}
