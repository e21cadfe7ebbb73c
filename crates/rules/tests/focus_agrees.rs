//! Analysing only the code tied to the metadata service (`check`) must
//! find exactly what analysing all of it does (`check_all_code`): the same
//! findings, messages, helps and fix edits, on every file of the sample
//! workspace, every fix fixture, and the notebooks of `fixtures/focus`,
//! which tie cells together in the ways the focus must follow.
//!
//! `IMDS_LINT_FOCUS_TREE=DIR` checks the files under DIR too (for example a
//! workspace made by `bench/generate.py`).

use std::path::{Path, PathBuf};

use imds_lint_parser::{split, FileKind, SourceFile};
use imds_lint_rules::{check, check_all_code, prefilter, Settings};

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

/// Compares the two checks on one file; returns a description of the
/// difference, if any.
fn disagreement(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path).ok()?;
    let head = &bytes[..bytes.len().min(512)];
    let kind = FileKind::detect(path, head)?;
    if !prefilter::worth_checking(&bytes) {
        return None;
    }
    let source = SourceFile::from_bytes(path, kind, bytes).ok()?;
    let cells = split(&source).ok()?;
    let settings = Settings::default();
    let (_, focused) = check(cells.clone(), &settings);
    let (_, everything) = check_all_code(cells, &settings);
    let focused = format!("{focused:#?}");
    let everything = format!("{everything:#?}");
    (focused != everything).then(|| {
        let diff = similar::TextDiff::from_lines(&everything, &focused);
        format!(
            "{}:\n{}",
            path.display(),
            diff.unified_diff()
                .context_radius(3)
                .header("all code", "focused")
        )
    })
}

#[test]
fn focused_checks_find_what_checking_everything_finds() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    files_under(&root.join("fixtures/workspace"), &mut files);
    files_under(&root.join("fixtures/fix"), &mut files);
    files_under(&root.join("fixtures/focus"), &mut files);
    if let Ok(extra) = std::env::var("IMDS_LINT_FOCUS_TREE") {
        files_under(Path::new(&extra), &mut files);
    }
    assert!(
        files.len() > 100,
        "fixtures not found under {}",
        root.display()
    );

    let differences: Vec<String> = files.iter().filter_map(|f| disagreement(f)).collect();
    assert!(
        differences.is_empty(),
        "{} of {} files differ:\n{}",
        differences.len(),
        files.len(),
        differences.join("\n")
    );
}
