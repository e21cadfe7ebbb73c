//! Applies imds-lint's fixes: maps the edits of findings to the bytes of the
//! file as stored, verifies that the result still parses, and produces
//! unified diffs or writes files atomically.
//!
//! Everything outside the edited ranges stays byte for byte: line endings,
//! BOM, indentation, notebook JSON layout, escapes and outputs.

mod apply;
mod diff;
mod verify;
mod write;

pub use apply::{apply, old_offset, plan, FileEdit, Plan, Skipped};
pub use diff::unified_diff;
pub use imds_lint_parser::encode::{encode, json_escape, EncodeError, Encoder};
pub use verify::{verify, Broken, Rechecked};
pub use write::{open_without_waiting, writable, write_atomic, Durability, WriteError};

use imds_lint_parser::{bang_host, Applicability, Cell, Interpolation, Origin, SourceFile};
use imds_lint_rules::{Finding, Settings};

/// The result of fixing one file in memory.
#[derive(Debug)]
pub struct Fixed {
    /// The new text (equal to the old when nothing applied).
    pub text: String,
    /// Indexes of the findings whose fixes were applied.
    pub applied: Vec<usize>,
    /// Findings with a fix that was not applied, and why.
    pub skipped: Vec<(usize, Skipped)>,
    /// The new text read and checked again (`None` when nothing applied):
    /// what is left to report in it.
    pub rechecked: Option<Rechecked>,
    /// The edits that made the new text, sorted (none when nothing applied).
    pub edits: Vec<FileEdit>,
}

/// How many times fixes that break a cell are dropped and the rest tried
/// again before the file is left as it is.
const ROUNDS: usize = 4;

/// Fixes `source` in memory: applies the fixes of `findings` at or above
/// `level`, and keeps only a result that still parses.
pub fn fix_file(
    source: &SourceFile,
    cells: &[Cell],
    findings: &[Finding],
    settings: &Settings,
    level: Applicability,
) -> Fixed {
    // Shell code held in a string is not matched one to one after a fix
    // (see `verify`), so a fix inside such code that did not parse is left
    // out here: its tree is a guess. (The shell analyser offers none; this
    // holds whatever an analyser offers.)
    let mut exclude: Vec<usize> = in_unparsed_nested_code(cells, findings, level);
    let mut skipped: Vec<(usize, Skipped)> = exclude
        .iter()
        .map(|&i| (i, Skipped::Syntax(describe(&Broken::Unparsed(Vec::new())))))
        .collect();

    for _ in 0..ROUNDS {
        let plan = plan(cells, findings, level, &exclude);
        if plan.applied.is_empty() {
            // Why each fix left was not taken (an encoding it cannot have,
            // edits that overlap) is the last word on it.
            skipped.extend(plan.skipped);
            break;
        }
        let text = apply(&source.text, &plan.edits);

        match verify(source, cells, &text, settings) {
            Ok(rechecked) => {
                skipped.extend(plan.skipped);
                return Fixed {
                    text,
                    applied: plan.applied,
                    skipped,
                    rechecked: Some(rechecked),
                    edits: plan.edits,
                };
            }
            Err(broken) => {
                let culprits = culprits(cells, findings, &plan.applied, &broken);
                let reason = describe(&broken);
                skipped.extend(
                    culprits
                        .iter()
                        .map(|&i| (i, Skipped::Syntax(reason.clone()))),
                );
                exclude.extend(culprits);
            }
        }
    }

    let unexplained: Vec<(usize, Skipped)> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.fix.as_ref().is_some_and(|fix| fix.applicability >= level))
        .filter(|(i, _)| !skipped.iter().any(|(s, _)| s == i))
        .map(|(i, _)| {
            (
                i,
                Skipped::Syntax("the fixed file did not verify".to_owned()),
            )
        })
        .collect();
    skipped.extend(unexplained);
    Fixed {
        text: source.text.clone(),
        applied: Vec::new(),
        skipped,
        rechecked: None,
        edits: Vec::new(),
    }
}

/// The applied findings to drop after a failed verification.
/// The findings with a fix at or above `level` that sit in shell code held
/// in a plain string of another language that does not parse.
fn in_unparsed_nested_code(
    cells: &[Cell],
    findings: &[Finding],
    level: Applicability,
) -> Vec<usize> {
    let mut unparsed: Vec<Option<bool>> = vec![None; cells.len()];
    findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.fix.as_ref().is_some_and(|fix| fix.applicability >= level))
        .filter(|(_, f)| {
            let Some(cell) = cells.get(f.cell) else {
                return false;
            };
            // Host values in the string (`{expr}`) may be what does not
            // parse as written: only plain strings are judged.
            matches!(
                cell.origin,
                Origin::HostString {
                    interpolation: Interpolation::None,
                    ..
                }
            ) && *unparsed[f.cell].get_or_insert_with(|| {
                cell.lang.is_analysed()
                    && !imds_lint_parser::syntax::parses_cleanly(cell.lang, &cell.code)
            })
        })
        .map(|(i, _)| i)
        .collect()
}

fn culprits(
    cells: &[Cell],
    findings: &[Finding],
    applied: &[usize],
    broken: &Broken,
) -> Vec<usize> {
    let own_cell = |index: usize| match cells[index].origin {
        Origin::HostString { host, .. } => host,
        _ => index,
    };
    // A `!` line is a cell of its own, cut from a Python cell: a fix of it
    // changes either, and either may be the one named.
    let named = |bad: &[usize], index: usize| {
        bad.contains(&own_cell(index))
            || bang_host(cells, index).is_some_and(|host| bad.contains(&host))
    };
    let suspects: Vec<usize> = applied
        .iter()
        .copied()
        .filter(|&i| match broken {
            Broken::Structure(_) => true,
            Broken::Cells(bad) | Broken::Unparsed(bad) => named(bad, findings[i].cell),
            Broken::NestedCells => {
                matches!(cells[findings[i].cell].origin, Origin::HostString { .. })
            }
        })
        .collect();
    // In a cell a fix broke, the fixes that break it on their own are the
    // culprits; the others still apply (a plain script is one cell, and one
    // bad fix would hold back all of them). When none breaks it alone, the
    // fixes break it together, and all are dropped.
    let Broken::Cells(_) = broken else {
        return suspects;
    };
    let alone: Vec<usize> = suspects
        .iter()
        .copied()
        .filter(|&i| breaks_alone(&cells[findings[i].cell], &findings[i]))
        .collect();
    if alone.is_empty() {
        suspects
    } else {
        alone
    }
}

/// Whether the fix of `finding`, applied alone to `cell`, leaves a syntax
/// error there.
fn breaks_alone(cell: &Cell, finding: &Finding) -> bool {
    let Some(fix) = &finding.fix else {
        return false;
    };
    if matches!(cell.origin, Origin::HostString { .. }) || !cell.lang.is_analysed() {
        return true;
    }
    let mut edits: Vec<_> = fix.edits.iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse((edit.range.start, edit.range.end)));
    edits.dedup();
    let mut code = cell.code.clone();
    for edit in edits {
        if code.get(edit.range.clone()).is_none() {
            return true;
        }
        code.replace_range(edit.range.clone(), &edit.content);
    }
    !imds_lint_parser::syntax::parses_cleanly(cell.lang, &code)
}

fn describe(broken: &Broken) -> String {
    match broken {
        Broken::Structure(why) => format!("the fixed file would not read: {why}"),
        Broken::Cells(_) => "the fixed code would not parse".to_owned(),
        Broken::Unparsed(_) => "the code around it does not parse".to_owned(),
        Broken::NestedCells => "the fixed shell command inside a string would not parse".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use imds_lint_parser::{split, Edit, FileKind, Fix};
    use imds_lint_rules::Rule;

    use super::*;

    /// `fix_file` with the default settings.
    fn fix_with_defaults(
        source: &SourceFile,
        cells: &[Cell],
        findings: &[Finding],
        level: Applicability,
    ) -> Fixed {
        fix_file(source, cells, findings, &Settings::default(), level)
    }

    fn fixed(kind: FileKind, text: &str, edit: Edit) -> Fixed {
        let source = SourceFile::from_bytes(Path::new("x"), kind, text.into())
            .unwrap_or_else(|e| panic!("{e}"));
        let cells = split(&source).unwrap_or_else(|e| panic!("{e}"));
        let mut finding = Finding::new(Rule::MetadataRequestWithoutToken, 0, 0..1, "m");
        finding.fix = Some(Fix::new("fix", vec![edit], Applicability::Safe));
        fix_with_defaults(&source, &cells, &[finding], Applicability::Safe)
    }

    #[test]
    fn code_that_does_not_parse_is_not_rewritten() {
        // Regression (fuzzing): a fix made in a broken Python cell did not
        // settle, each run changing the guess of the tree.
        let out = fixed(
            FileKind::Python,
            "requests.get(URL m[t\n",
            Edit::insertion(0, "t = 1\n"),
        );
        assert!(out.applied.is_empty());
        assert!(out.rechecked.is_none());
        assert!(
            matches!(&out.skipped[..], [(0, Skipped::Syntax(why))] if why.contains("does not parse")),
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn one_breaking_fix_does_not_hold_back_the_others_of_its_cell() {
        // Regression (fresh tester): one unsafe Scala fix that would not
        // parse kept every fix of the file from applying.
        let source =
            SourceFile::from_bytes(Path::new("x"), FileKind::Python, "x = 1\ny = 2\n".into())
                .unwrap_or_else(|e| panic!("{e}"));
        let cells = split(&source).unwrap_or_else(|e| panic!("{e}"));
        let finding = |at: usize, text: &str| {
            let mut f = Finding::new(Rule::MetadataRequestWithoutToken, 0, at..at + 1, "m");
            f.fix = Some(Fix::new(
                "fix",
                vec![Edit::insertion(at, text)],
                Applicability::Safe,
            ));
            f
        };
        let findings = [finding(0, "a = 0\n"), finding(6, "(\n")];
        let out = fix_with_defaults(&source, &cells, &findings, Applicability::Safe);
        assert_eq!(out.applied, vec![0]);
        assert_eq!(out.text, "a = 0\nx = 1\ny = 2\n");
        assert!(
            matches!(&out.skipped[..], [(1, Skipped::Syntax(_))]),
            "{:?}",
            out.skipped
        );
    }

    /// `text` read as a file of `kind`, checked, with the finding at
    /// `offered` given a fix as an analyser could offer it: `true; ` before
    /// the request, which parses wherever a command can start.
    fn checked_with_a_fix(
        kind: FileKind,
        text: &str,
        offered: usize,
    ) -> (SourceFile, Vec<Cell>, Vec<Finding>) {
        let source = SourceFile::from_bytes(Path::new("x"), kind, text.into())
            .unwrap_or_else(|e| panic!("{e}"));
        let cells = split(&source).unwrap_or_else(|e| panic!("{e}"));
        let (cells, mut findings) = imds_lint_rules::check(cells, &Settings::default());
        let at = findings[offered].range.start;
        findings[offered].fix = Some(Fix::new(
            "fix",
            vec![Edit::insertion(at, "true; ")],
            Applicability::Safe,
        ));
        (source, cells, findings)
    }

    /// Found by a fresh tester: a `!` line's fix in a Python cell that did
    /// not parse (an escaped NUL in a comment) was refused as "the fixed
    /// file did not verify": the refusal named the Python cell, and a `!`
    /// line is a cell of its own. It is the Python cell's now.
    #[test]
    fn a_bang_line_fix_in_a_cell_that_does_not_parse_says_why_it_is_refused() {
        let text = r#"{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": "!curl -s http://169.254.169.254/latest/meta-data/instance-id\n# \u0000"}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
        // The check offers no fix there now.
        let (source, cells, findings) = checked_with_a_fix(FileKind::Jupyter, text, 0);
        assert_eq!(findings.len(), 1, "{findings:?}");
        let out = fix_with_defaults(&source, &cells, &findings, Applicability::Safe);
        assert!(out.applied.is_empty());
        assert!(
            matches!(&out.skipped[..], [(0, Skipped::Syntax(why))] if why.contains("does not parse")),
            "{:?}",
            out.skipped
        );
    }

    /// Found by a fresh tester: a `!` line whose shell does not parse held
    /// back every fix of the notebook ("the fixed file did not verify"):
    /// its cell was named by verification, and the blame went to its host.
    #[test]
    fn a_bang_line_that_does_not_parse_holds_back_only_its_own_fix() {
        let md = "http://169.254.169.254/latest/meta-data";
        let text = format!(
            r#"{{"cells": [{{"cell_type": "code", "metadata": {{}}, "outputs": [], "source": "import requests\nr = requests.get('{md}/placement/region')"}}, {{"cell_type": "code", "metadata": {{}}, "outputs": [], "source": "!curl -s {md}/mac ; if then"}}], "metadata": {{}}, "nbformat": 4, "nbformat_minor": 5}}"#
        );
        let (source, cells, findings) = checked_with_a_fix(FileKind::Jupyter, &text, 1);
        assert_eq!(findings.len(), 2, "{findings:?}");
        let out = fix_with_defaults(&source, &cells, &findings, Applicability::Safe);
        assert_eq!(out.applied, vec![0], "{:?}", out.skipped);
        assert!(
            matches!(&out.skipped[..], [(1, Skipped::Syntax(why))] if why.contains("does not parse")),
            "{:?}",
            out.skipped
        );
    }

    /// Found by `scan_then_fix`: fixes inside shell code held in a string
    /// that did not parse were applied (only own cells were held to "no
    /// rewrite from a guessed tree"), and one never settled. The shell
    /// analyser now offers none there; the rewriter refuses one whatever
    /// offers it, in a plain string, and not in an f-string, whose
    /// `{expr}` is what fails to parse as written.
    #[test]
    fn shell_code_in_a_plain_string_that_does_not_parse_is_not_rewritten() {
        let url = "http://169.254.169.254/latest/meta-data/iam/";
        for (text, refused) in [
            (format!("import os\nos.system('curl {url}; fi )')\n"), true),
            (
                format!("import os\nos.system(f'curl {url}{{role()}}')\n"),
                false,
            ),
        ] {
            let (source, cells, findings) = checked_with_a_fix(FileKind::Python, &text, 0);
            assert_eq!(findings.len(), 1, "{text}: {findings:?}");
            let out = fix_with_defaults(&source, &cells, &findings, Applicability::Safe);
            let said = format!("{text}: {:?}", out.skipped);
            if refused {
                assert!(out.applied.is_empty(), "{said}");
                assert_eq!(out.text, text);
                assert!(
                    matches!(&out.skipped[..], [(0, Skipped::Syntax(why))] if why.contains("does not parse")),
                    "{said}"
                );
            } else {
                assert_eq!(out.applied, vec![0], "{said}");
            }
        }
    }

    /// Found by `scan_then_fix`: a Scala fix whose token fetch was merged
    /// with another request's rewrite held an edit inside its own shared
    /// edit; once the other request's fix was left out, the plan took both
    /// and applying them panicked. A fix whose edits overlap each other is
    /// refused.
    #[test]
    fn a_fix_whose_own_edits_overlap_is_refused_not_applied() {
        let source =
            SourceFile::from_bytes(Path::new("x"), FileKind::Python, "x = 1\ny = 2\n".into())
                .unwrap_or_else(|e| panic!("{e}"));
        let cells = split(&source).unwrap_or_else(|e| panic!("{e}"));
        let mut finding = Finding::new(Rule::MetadataRequestWithoutToken, 0, 0..5, "m");
        finding.fix = Some(Fix::new(
            "fix",
            vec![
                Edit::replacement(0..11, "z = 3\nw = 4"),
                Edit::replacement(6..11, "v = 5"),
            ],
            Applicability::Safe,
        ));
        let out = fix_with_defaults(&source, &cells, &[finding], Applicability::Safe);
        assert!(out.applied.is_empty());
        assert_eq!(out.text, "x = 1\ny = 2\n");
        assert!(
            matches!(&out.skipped[..], [(0, Skipped::Malformed(_))]),
            "{:?}",
            out.skipped
        );
    }

    #[test]
    fn a_fix_that_breaks_the_code_is_not_applied() {
        let out = fixed(FileKind::Python, "x = 1\n", Edit::insertion(0, "(\n"));
        assert!(out.applied.is_empty());
        assert!(
            matches!(&out.skipped[..], [(0, Skipped::Syntax(why))] if why.contains("would not parse")),
            "{:?}",
            out.skipped
        );
        let out = fixed(FileKind::Python, "x = 1\n", Edit::insertion(0, "t = 1\n"));
        assert_eq!(out.applied, vec![0]);
        assert_eq!(out.text, "t = 1\nx = 1\n");
    }
}
