//! libFuzzer target: see `imds_lint_fuzz::scan_then_fix` for the properties checked.

#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| imds_lint_fuzz::scan_then_fix(data));
