//! What a `--fix` or `--diff` run adds up to: the fixes applied per file
//! (`--show-fixes`), the closing line, and which files were and were not
//! changed when some could not be.

use std::fmt::Write;
use std::path::PathBuf;

use super::file::{Change, FileFix, FixNote};
use crate::report::escape;
use crate::report::summary::count;
use crate::report::{Paint, Totals};

/// Counts over a fixing run.
#[derive(Debug, Default)]
pub struct Tally {
    /// Findings whose fix reached a file (or a diff, or standard output).
    pub fixed: usize,
    /// Files changed (or diffed).
    pub files: usize,
    /// The fixes applied, in file order.
    pub applied: Vec<FixNote>,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files with fixes that were not written, and why.
    pub refused: Vec<(PathBuf, String)>,
    /// Files not checked because a signal stopped the run.
    pub unchecked: usize,
}

impl Tally {
    /// Counts one input's outcome.
    pub fn add(&mut self, fix: &FileFix) {
        let path = &fix.report.path;
        match &fix.change {
            Change::Written(_) => self.written.push(path.clone()),
            Change::Refused(why) => self.refused.push((path.clone(), why.clone())),
            Change::Unchecked => self.unchecked += 1,
            Change::None | Change::Diff(_) | Change::Text(_) | Change::PassThrough(_) => {}
        }
        if fix.changed() {
            self.fixed += fix.applied.len();
            self.files += 1;
            self.applied.extend(fix.applied.iter().cloned());
        }
    }
}

/// `--show-fixes`: one line per fix, `path:line:col: CODE what it does`,
/// under `heading`; empty when no fix was applied.
pub fn applied(tally: &Tally, heading: &str, paint: Paint) -> String {
    let mut out = String::new();
    if tally.applied.is_empty() {
        return out;
    }
    let _ = writeln!(out, "{}", paint.bold(heading));
    for note in &tally.applied {
        let _ = writeln!(
            out,
            "  {}: {} {}",
            note.location,
            paint.red(note.rule.code()),
            escape::line(&note.text)
        );
    }
    out
}

/// The closing line of `--fix`: `Fixed 12 findings in 5 files (3 left).`,
/// with how many of those left `--unsafe-fixes` would fix (when they were
/// not applied) and the paths that could not be checked or written.
pub fn fixed_line(tally: &Tally, totals: &Totals, unsafe_applied: bool, paint: Paint) -> String {
    let left = totals.findings();
    let mut text = if tally.fixed == 0 {
        format!("No fixes applied ({} left", count(left, "finding"))
    } else {
        format!(
            "Fixed {} in {} ({left} left",
            count(tally.fixed, "finding"),
            count(tally.files, "file")
        )
    };
    if !unsafe_applied && totals.unsafe_fixes > 0 {
        let _ = write!(
            text,
            "; {} fixable with --unsafe-fixes",
            totals.unsafe_fixes
        );
    }
    text.push_str(").");
    if totals.failed > 0 {
        let _ = write!(
            text,
            " {} could not be checked.",
            count(totals.failed, "path")
        );
    }
    if !tally.refused.is_empty() {
        let _ = write!(
            text,
            " {} could not be changed.",
            count(tally.refused.len(), "file")
        );
    }
    if tally.unchecked > 0 {
        let _ = write!(
            text,
            " Interrupted: {} not checked.",
            count(tally.unchecked, "path")
        );
    }
    crate::report::summary::unused_ignores(&mut text, totals);
    paint.bold(&text)
}

/// The closing line of `--diff`: `Would fix 12 findings in 5 files.`
pub fn would_fix_line(tally: &Tally, totals: &Totals) -> String {
    let mut text = if tally.fixed > 0 {
        format!(
            "Would fix {} in {}.",
            count(tally.fixed, "finding"),
            count(tally.files, "file")
        )
    } else if tally.refused.is_empty() {
        "Nothing to fix.".to_owned()
    } else {
        "No fix to show.".to_owned()
    };
    if totals.failed > 0 {
        let _ = write!(
            text,
            " {} could not be checked.",
            count(totals.failed, "path")
        );
    }
    if !tally.refused.is_empty() {
        let _ = write!(
            text,
            " {} could not be changed.",
            count(tally.refused.len(), "file")
        );
    }
    text
}

/// After a file could not be written, or a signal stopped the run: which
/// were changed and which were not, one per line, so that whoever reruns
/// knows where things stand.
pub fn changed_and_not(tally: &Tally, paint: Paint) -> String {
    let mut out = String::new();
    if tally.refused.is_empty() && tally.unchecked == 0 {
        return out;
    }
    for path in &tally.written {
        let _ = writeln!(
            out,
            "{} {}",
            paint.bold("changed:"),
            escape::line(&path.display().to_string())
        );
    }
    for (path, why) in &tally.refused {
        let _ = writeln!(
            out,
            "{} {} ({})",
            paint.red("not changed:"),
            escape::line(&path.display().to_string()),
            escape::line(why)
        );
    }
    if tally.unchecked > 0 {
        let _ = writeln!(
            out,
            "{} {} not checked: the run was interrupted; no other file was changed",
            paint.red("not changed:"),
            count(tally.unchecked, "path")
        );
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use imds_lint_rules::Rule;

    use super::*;
    use crate::report::{FileReport, Status};

    fn file_fix(path: &str, change: Change, fixes: usize) -> FileFix {
        let note = FixNote {
            location: format!("{path}:2:1"),
            rule: Rule::MetadataRequestWithoutToken,
            text: "send a token".to_owned(),
            at: (2, 1),
        };
        FileFix {
            report: FileReport {
                path: PathBuf::from(path),
                status: Status::Checked,
                text: String::new(),
                tally: Vec::new(),
            },
            notes: Vec::new(),
            applied: vec![note; fixes],
            refused: Vec::new(),
            change,
        }
    }

    fn tally(fixes: &[FileFix]) -> Tally {
        let mut tally = Tally::default();
        for fix in fixes {
            tally.add(fix);
        }
        tally
    }

    #[test]
    fn only_fixes_that_reached_a_file_count() {
        let t = tally(&[
            file_fix("a.sh", Change::Written(None), 2),
            file_fix(
                "b.sh",
                Change::Refused("not written: the file is read-only".into()),
                1,
            ),
            file_fix("c.sh", Change::None, 0),
        ]);
        assert_eq!((t.fixed, t.files, t.applied.len()), (2, 1, 2));
        let totals = Totals {
            failed: 1,
            ..Totals::default()
        };
        assert_eq!(
            fixed_line(&t, &totals, false, Paint::PLAIN),
            "Fixed 2 findings in 1 file (0 left). 1 path could not be checked. \
             1 file could not be changed."
        );
        assert_eq!(
            changed_and_not(&t, Paint::PLAIN),
            "changed: a.sh\nnot changed: b.sh (not written: the file is read-only)\n"
        );
    }

    #[test]
    fn nothing_fixed_says_so() {
        let t = tally(&[file_fix("c.sh", Change::None, 0)]);
        assert_eq!(
            fixed_line(&t, &Totals::default(), false, Paint::PLAIN),
            "No fixes applied (0 findings left)."
        );
        let unsafe_left = Totals {
            unsafe_fixes: 2,
            ..Totals::default()
        };
        assert_eq!(
            fixed_line(&t, &unsafe_left, false, Paint::PLAIN),
            "No fixes applied (0 findings left; 2 fixable with --unsafe-fixes)."
        );
        assert_eq!(
            fixed_line(&t, &unsafe_left, true, Paint::PLAIN),
            "No fixes applied (0 findings left)."
        );
        assert_eq!(would_fix_line(&t, &Totals::default()), "Nothing to fix.");
        // Regression (tester): a diff refused (`--diff <(cat x.sh)`) was
        // followed by "Nothing to fix." while the file had fixable findings.
        let refused = Tally {
            refused: vec![(PathBuf::from("x.sh"), "not a regular file".to_owned())],
            ..Tally::default()
        };
        assert_eq!(
            would_fix_line(&refused, &Totals::default()),
            "No fix to show. 1 file could not be changed."
        );
        assert_eq!(applied(&t, "Applied fixes:", Paint::PLAIN), "");
        assert_eq!(changed_and_not(&t, Paint::PLAIN), "");
    }

    #[test]
    fn standard_input_counts_only_when_its_text_changed() {
        let t = tally(&[
            file_fix("-", Change::Text(b"x".to_vec()), 0),
            file_fix("d.sh", Change::Diff("--- a/d.sh\n".into()), 1),
        ]);
        assert_eq!(
            would_fix_line(&t, &Totals::default()),
            "Would fix 1 finding in 1 file."
        );
        assert_eq!(
            applied(&t, "Applied fixes:", Paint::PLAIN),
            "Applied fixes:\n  d.sh:2:1: IMD001 send a token\n"
        );
    }
}
