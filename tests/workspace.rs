//! The sample workspace, end to end: every request in the truth file is
//! reported at its line, and nothing else is; the whole concise report is
//! kept as a snapshot so any change to it is seen in review.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

fn imds_lint(args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_imds-lint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
    )
}

/// `(path relative to the workspace, line, code)` with how often each occurs.
type Places = BTreeMap<(String, u64, String), usize>;

fn truth() -> Places {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/workspace.truth.jsonl")).unwrap();
    let mut places = Places::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = (
            v["path"].as_str().unwrap().to_owned(),
            v["line"].as_u64().unwrap(),
            v["code"].as_str().unwrap().to_owned(),
        );
        *places.entry(key).or_default() += 1;
    }
    places
}

#[test]
fn sample_workspace_findings_match_the_truth_file() {
    let (code, stdout) = imds_lint(&["--output-format", "json", "fixtures/workspace"]);
    assert_eq!(code, 1, "findings exit 1");

    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout).unwrap();
    let mut places = Places::new();
    for f in &found {
        let path = f["path"].as_str().unwrap();
        let path = path
            .strip_prefix("fixtures/workspace/")
            .unwrap_or(path)
            .to_owned();
        let key = (
            path,
            f["line"].as_u64().unwrap(),
            f["code"].as_str().unwrap().to_owned(),
        );
        *places.entry(key).or_default() += 1;
    }

    let expected = truth();
    let missed: Vec<_> = expected
        .iter()
        .filter(|(k, n)| places.get(*k) < Some(n))
        .collect();
    let extra: Vec<_> = places
        .iter()
        .filter(|(k, n)| expected.get(*k) < Some(n))
        .collect();
    assert!(
        missed.is_empty() && extra.is_empty(),
        "missed (in the truth file, not reported): {missed:#?}\nextra (reported, not in the truth file): {extra:#?}"
    );
}

#[test]
fn sample_workspace_concise_report() {
    let (code, stdout) = imds_lint(&["--output-format", "concise", "fixtures/workspace"]);
    assert_eq!(code, 1);
    insta::assert_snapshot!(stdout);
}
