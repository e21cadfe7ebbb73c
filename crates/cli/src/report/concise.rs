//! The `concise` format: one line per finding,
//! `path:line:col: CODE message`, or for notebooks
//! `path:cell N:line:col: CODE message` with the line and column counted
//! in the cell.

use std::fmt::Write;

use super::paint::Paint;
use super::{escape, location};
use crate::check::Checked;

/// Appends one line per finding of `checked` to `out`.
pub fn render(checked: &Checked, paint: Paint, out: &mut String) {
    for located in &checked.findings {
        let _ = writeln!(
            out,
            "{}: {} {}",
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
            "init.sh:2:8: IMD001 IMDSv1 request without a session token: curl \
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
