//! The `github` format: GitHub Actions workflow commands, which turn each
//! finding into an annotation on the file and line as stored.

use std::fmt::Write;

use super::{escape, location_in_cell};
use crate::check::Checked;

/// Appends one `::error` command per finding of `checked` to `out`.
pub fn render(checked: &Checked, out: &mut String) {
    let file = property(&escape::line(&checked.source.path.display().to_string()));
    for located in &checked.findings {
        let message = match &located.cell {
            Some(_) => format!("{}: {}", location_in_cell(located), located.message),
            None => located.message.clone(),
        };
        let _ = writeln!(
            out,
            "::error file={file},line={},col={},endLine={},endColumn={},title={}::{}",
            located.start.line,
            located.start.column,
            located.end.line,
            located.end.column,
            property(located.rule.code()),
            data(&escape::line(&message)),
        );
    }
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::{checked_notebook, checked_shell};
    use super::*;

    #[test]
    fn one_annotation_per_finding() {
        let mut out = String::new();
        render(&checked_shell(), &mut out);
        assert_eq!(
            out,
            "::error file=init.sh,line=2,col=8,endLine=2,endColumn=81,title=IMD001::\
             IMDSv1 request without a session token: curl \
             /latest/meta-data/iam/security-credentials/\n"
        );
    }

    #[test]
    fn notebook_annotations_name_the_cell() {
        let mut out = String::new();
        render(&checked_notebook(), &mut out);
        assert!(out.contains("::cell 2, line 2: IMDSv1"), "{out}");
    }

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
