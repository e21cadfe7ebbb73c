//! Fixture pairs for `--fix`: every `fixtures/fix/<group>/<case>/input.*`
//! is fixed in memory and compared byte for byte with `expected.*` beside
//! it; the result must re-scan clean, fix to itself, and keep every byte
//! outside its edits. Shell and Python pairs are also run against the mock
//! IMDS (see `tests/mock_imds/`) in a loopback-only network namespace.
//!
//! `IMDS_LINT_BLESS=1 cargo test -p imds-lint-rewriter --test fix_fixtures`
//! writes missing or changed `expected.*` files; review them before committing.
//! `IMDS_LINT_FIXTURES=shell` (a substring of the case path) runs only some.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use imds_lint_parser::{split, Applicability, FileKind, SourceFile};
use imds_lint_rewriter::fix_file;
use imds_lint_rules::{check, Rule, Settings};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// One fixture pair.
struct Case {
    dir: PathBuf,
    input: PathBuf,
    expected: PathBuf,
    level: Applicability,
}

fn cases() -> Vec<Case> {
    let root = repo_root().join("fixtures/fix");
    let only = std::env::var("IMDS_LINT_FIXTURES").unwrap_or_default();
    let mut cases = Vec::new();
    for group in sorted_dirs(&root) {
        for dir in sorted_dirs(&group) {
            let Some(input) = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| p.file_stem().is_some_and(|s| s == "input"))
            else {
                continue;
            };
            let ext = input
                .extension()
                .map(|e| e.to_string_lossy().into_owned())
                .unwrap_or_default();
            let expected = dir.join(format!("expected.{ext}"));
            let level = if dir.join("unsafe").exists() {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            };
            if dir.to_string_lossy().contains(&only) {
                cases.push(Case {
                    dir,
                    input,
                    expected,
                    level,
                });
            }
        }
    }
    cases
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn read_source(path: &Path, text: &str) -> SourceFile {
    let kind = FileKind::detect(path, text.as_bytes()).expect("fixture of a kind imds-lint reads");
    SourceFile::from_bytes(path, kind, text.as_bytes().to_vec()).unwrap()
}

/// Fixes `text` (read as `path`'s kind) at `level`; returns the new text
/// and whether each file edit stays inside the bytes of its own cell.
fn fix_text(path: &Path, text: &str, level: Applicability) -> String {
    let source = read_source(path, text);
    let settings = Settings::default();
    let (cells, findings) = check(split(&source).unwrap(), &settings);
    fix_file(&source, &cells, &findings, &settings, level).text
}

/// Findings of `rule` that still offer a fix at `level` in `text`.
fn fixable_left(path: &Path, text: &str, level: Applicability) -> Vec<String> {
    let source = read_source(path, text);
    let (_, findings) = check(split(&source).unwrap(), &Settings::default());
    findings
        .iter()
        .filter(|f| f.rule == Rule::MetadataRequestWithoutToken)
        .filter(|f| f.fix.as_ref().is_some_and(|fix| fix.applicability >= level))
        .map(|f| f.message.clone())
        .collect()
}

/// The bytes the fix left alone must be the input's, in order: the input
/// must be a subsequence of the output made of whole runs that `similar`
/// sees as equal, and no input byte may be deleted outside a changed run.
fn assert_only_insertions_or_local_changes(case: &Case, input: &str, output: &str) {
    let diff = similar::TextDiff::from_chars(input, output);
    let deleted: usize = diff
        .ops()
        .iter()
        .filter(|op| {
            matches!(
                op.tag(),
                similar::DiffTag::Delete | similar::DiffTag::Replace
            )
        })
        .map(|op| op.old_range().len())
        .sum();
    // A fix adds a token fetch and headers; it may replace a call's
    // head (urlopen(url) -> urlopen(Request(url, ...))) but never removes
    // more than a few dozen characters of the input.
    assert!(
        deleted <= 200,
        "{}: the fix deleted {deleted} input chars",
        case.dir.display()
    );
}

#[test]
fn fix_fixture_pairs() {
    let bless = std::env::var_os("IMDS_LINT_BLESS").is_some();
    let cases = cases();
    assert!(!cases.is_empty(), "no fixtures under fixtures/fix");
    let mut failures = Vec::new();

    for case in &cases {
        let input = fs::read_to_string(&case.input).unwrap();
        let fixed = fix_text(&case.input, &input, case.level);
        let name = case
            .dir
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();

        if bless && fs::read_to_string(&case.expected).ok().as_deref() != Some(fixed.as_str()) {
            fs::write(&case.expected, &fixed).unwrap();
            eprintln!("blessed {name}");
        }
        let expected = fs::read_to_string(&case.expected).unwrap_or_default();
        if fixed != expected {
            failures.push(format!(
                "{name}: fixed output differs from expected:\n{}",
                imds_lint_rewriter::unified_diff("expected", &expected, &fixed)
            ));
            continue;
        }
        if fixed == input {
            failures.push(format!("{name}: the fix changed nothing"));
            continue;
        }
        let left = fixable_left(&case.expected, &fixed, case.level);
        if !left.is_empty() {
            failures.push(format!(
                "{name}: fixable findings left after --fix: {left:?}"
            ));
        }
        let again = fix_text(&case.expected, &fixed, case.level);
        if again != fixed {
            failures.push(format!(
                "{name}: a second fix changed the output:\n{}",
                imds_lint_rewriter::unified_diff("once", &fixed, &again)
            ));
        }
        assert_only_insertions_or_local_changes(case, &input, &fixed);
    }

    assert!(
        failures.is_empty(),
        "{} of {} fixture pairs failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// What the mock IMDS logged for one run.
struct Run {
    statuses: Vec<(String, String, u16)>,
    exit_ok: bool,
    stdout: String,
}

fn run_against_mock(interpreter: &str, script: &Path) -> Run {
    let runner = repo_root().join("tests/mock_imds/run_in_netns.sh");
    let log = tempfile::NamedTempFile::new().unwrap();
    let out = Command::new("bash")
        .arg(&runner)
        .arg(interpreter)
        .arg(script)
        .arg(log.path())
        .output()
        .expect("run the mock IMDS runner (needs unshare, ip, python3)");
    let statuses = fs::read_to_string(log.path())
        .unwrap()
        .lines()
        .map(|line| {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                v["method"].as_str().unwrap().to_owned(),
                v["path"].as_str().unwrap().to_owned(),
                u16::try_from(v["status"].as_u64().unwrap()).unwrap(),
            )
        })
        .collect();
    Run {
        statuses,
        exit_ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

fn interpreter(case: &Case) -> Option<&'static str> {
    let text = fs::read_to_string(&case.input).ok()?;
    match FileKind::detect(&case.input, text.as_bytes())? {
        FileKind::Shell => Some("bash"),
        FileKind::Python => Some("python3"),
        _ => None,
    }
}

#[test]
fn fixed_scripts_work_against_mock_imds_and_unfixed_ones_fail() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in cases() {
        let Some(interp) = interpreter(&case) else {
            continue;
        };
        if case.dir.join("no-run").exists() {
            continue;
        }
        ran += 1;
        let name = case
            .dir
            .strip_prefix(repo_root())
            .unwrap()
            .display()
            .to_string();

        let before = run_against_mock(interp, &case.input);
        if !before.statuses.iter().any(|(_, _, s)| *s == 401) {
            failures.push(format!(
                "{name}: the unfixed script got no 401 from the mock: {:?}",
                before.statuses
            ));
        }

        let after = run_against_mock(interp, &case.expected);
        let refused: Vec<_> = after
            .statuses
            .iter()
            .filter(|(_, _, s)| *s >= 400 && *s != 404)
            .collect();
        let answered = after
            .statuses
            .iter()
            .any(|(_, p, s)| *s == 200 && !p.ends_with("/api/token"));
        if !after.exit_ok || !refused.is_empty() || !answered {
            failures.push(format!(
                "{name}: the fixed script did not work against the mock (exit ok: {}, refused: {refused:?}, log: {:?}, stdout: {})",
                after.exit_ok, after.statuses, after.stdout
            ));
        }
    }
    assert!(ran > 0, "no runnable fixture pairs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
