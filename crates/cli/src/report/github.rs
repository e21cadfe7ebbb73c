//! The `github` format: GitHub Actions workflow commands, which turn each
//! finding into an annotation on the file and line as stored.

use std::fmt::Write;

use super::{escape, location_in_cell};
use crate::check::Checked;

/// Appends one `::error` command per finding of `checked` to `out`.
pub fn render(checked: &Checked, out: &mut String) {
    let file = file_property(&checked.source.path.display().to_string());
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

/// A file name as the `file` property: line breaks percent-encoded, which
/// GitHub decodes, so the annotation lands on the file of that name. Other
/// control and bidirectional characters have no encoding GitHub decodes;
/// they are written as visible escapes (`\u{1b}`), as the text formats
/// write them, so that they cannot reach a terminal that shows the log.
fn file_property(path: &str) -> String {
    let mut shown = String::with_capacity(path.len());
    for piece in path.split_inclusive(['\r', '\n']) {
        let text = piece.trim_end_matches(['\r', '\n']);
        shown.push_str(&escape::for_terminal(text));
        shown.push_str(&piece[text.len()..]);
    }
    property(&shown)
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

    /// The `file=` property of the annotation of `checked_shell` renamed
    /// to `name`.
    fn file_property_for(name: &str) -> String {
        let mut checked = checked_shell();
        checked.source.path = name.into();
        let mut out = String::new();
        render(&checked, &mut out);
        let after = out.strip_prefix("::error file=").unwrap_or_default();
        after[..after.find(",line=").unwrap_or_default()].to_owned()
    }

    #[test]
    fn line_breaks_in_a_file_name_are_percent_encoded_for_github() {
        assert_eq!(file_property_for("a\nb\r.sh"), "a%0Ab%0D.sh");
        assert_eq!(file_property_for("50%,a:b.sh"), "50%25%2Ca%3Ab.sh");
        assert_eq!(file_property_for("tab\there.sh"), "tab\there.sh");
        // GitHub decodes nothing else: other controls stay visible escapes.
        assert_eq!(
            file_property_for("esc\x1b[31m\u{202e}\n.sh"),
            "esc\\u{1b}[31m\\u{202e}%0A.sh"
        );
    }

    #[test]
    fn escapes_workflow_command_syntax() {
        assert_eq!(data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
