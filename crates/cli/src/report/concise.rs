//! The `concise` format: one line per finding,
//! `path:line:col: CODE message`, or for notebooks
//! `path:cell N:line:col: CODE message` with the line and column counted
//! in the cell. A finding `--fix` can fix has `[fix]` (or `[unsafe fix]`)
//! before its message.

use std::fmt::Write;

use imds_lint_parser::Applicability;

use super::paint::Paint;
use super::{escape, location};
use crate::check::Checked;

/// Appends one line per finding of `checked` to `out`.
pub fn render(checked: &Checked, paint: Paint, out: &mut String) {
    for located in &checked.findings {
        let marker = match located.fix.as_ref().map(|fix| fix.applicability) {
            Some(Applicability::Safe) => paint.yellow("[fix]") + " ",
            Some(Applicability::Unsafe) => paint.yellow("[unsafe fix]") + " ",
            Some(Applicability::DisplayOnly) | None => String::new(),
        };
        let _ = writeln!(
            out,
            "{}: {} {marker}{}",
            paint.bold(&location(&checked.source.path, located)),
            paint.red(located.rule.code()),
            escape::line(&located.message)
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::{checked_notebook, checked_shell};
    use super::*;

    #[test]
    fn one_line_per_finding() {
        let mut out = String::new();
        render(&checked_shell(), Paint::PLAIN, &mut out);
        assert_eq!(
            out,
            "init.sh:2:8: IMD001 [fix] IMDSv1 request without a session token: curl \
             /latest/meta-data/iam/security-credentials/\n"
        );
    }

    #[test]
    fn notebooks_name_the_cell_and_count_lines_in_it() {
        let mut out = String::new();
        render(&checked_notebook(), Paint::PLAIN, &mut out);
        assert!(out.starts_with("nb.ipynb:cell 2:2:1: IMD001 "), "{out}");
    }
}
