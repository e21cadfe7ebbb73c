//! The `json` format: one JSON array of finding objects, streamed file by
//! file. The fields are documented in `docs/json-output.md`.

use std::path::Path;

use serde::Serialize;

use super::escape;
use crate::check::Checked;
use crate::located::Located;

/// Opens the array.
pub const OPEN: &str = "[";
/// Goes before the first file's objects.
pub const FIRST: &str = "\n";
/// Goes between two files' objects.
pub const BETWEEN: &str = ",\n";
/// Closes an array that holds objects.
pub const CLOSE: &str = "\n]\n";
/// Closes an empty array.
pub const CLOSE_EMPTY: &str = "]\n";

/// One finding, as the JSON formats write it.
#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    /// The file's path, as printed elsewhere.
    pub path: String,
    /// Notebook cell number (1-based), or null.
    pub cell: Option<usize>,
    /// Line within the notebook cell, or null.
    pub cell_line: Option<usize>,
    /// Column within that line of the cell, or null.
    pub cell_column: Option<usize>,
    /// 1-based line in the file as stored.
    pub line: usize,
    /// 1-based column (in characters) in the file as stored.
    pub column: usize,
    /// Line where the range ends.
    pub end_line: usize,
    /// Column where the range ends (exclusive).
    pub end_column: usize,
    /// Byte offset where the range starts in the file.
    pub offset: usize,
    /// Byte offset where it ends (exclusive).
    pub end_offset: usize,
    /// The rule code, such as `IMD001`.
    pub code: &'static str,
    /// The rule name.
    pub name: &'static str,
    /// What is wrong.
    pub message: &'a str,
    /// Why it matters more than usual, or null.
    pub note: Option<&'a str>,
    /// What to change by hand, or null.
    pub help: Option<&'a str>,
    /// The proposed fix, or null.
    pub fix: Option<JsonFix<'a>>,
}

/// A proposed fix, as the JSON formats write it.
#[derive(Debug, Serialize)]
pub struct JsonFix<'a> {
    /// `safe`, `unsafe` or `display-only`.
    pub applicability: &'static str,
    /// What the fix does.
    pub message: &'a str,
}

impl<'a> JsonFinding<'a> {
    /// The JSON view of `located`, found in the file at `path`.
    pub fn new(path: &Path, located: &'a Located) -> Self {
        let spot = located.cell.as_ref();
        JsonFinding {
            path: path.display().to_string(),
            cell: spot.map(|s| s.number),
            cell_line: spot.map(|s| s.start.line),
            cell_column: spot.map(|s| s.start.column),
            line: located.start.line,
            column: located.start.column,
            end_line: located.end.line,
            end_column: located.end.column,
            offset: located.range.start,
            end_offset: located.range.end,
            code: located.rule.code(),
            name: located.rule.name(),
            message: &located.message,
            note: located.note.as_deref(),
            help: located.help.as_deref(),
            fix: located.fix.as_ref().map(|fix| JsonFix {
                applicability: fix.applicability.name(),
                message: &fix.message,
            }),
        }
    }

    /// The object on one line.
    pub fn to_line(&self) -> String {
        // Serializing plain strings and numbers cannot fail.
        escape::json(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Appends the objects of `checked`, indented, separated by `,\n`.
pub fn render(checked: &Checked, out: &mut String) {
    for (i, located) in checked.findings.iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        out.push_str("  ");
        out.push_str(&JsonFinding::new(&checked.source.path, located).to_line());
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::{checked_notebook, checked_shell};
    use super::*;

    fn objects(checked: &Checked) -> Vec<serde_json::Value> {
        let mut out = String::new();
        render(checked, &mut out);
        serde_json::from_str(&format!("[{out}]")).unwrap()
    }

    #[test]
    fn fields_of_a_plain_file_finding() {
        let checked = checked_shell();
        let v = &objects(&checked)[0];
        assert_eq!(v["path"], "init.sh");
        assert_eq!(v["cell"], serde_json::Value::Null);
        assert_eq!(v["cell_line"], serde_json::Value::Null);
        assert_eq!(
            (v["line"].as_u64(), v["column"].as_u64()),
            (Some(2), Some(8))
        );
        assert_eq!(v["end_line"], 2);
        assert_eq!(v["code"], "IMD001");
        assert_eq!(v["name"], "metadata-request-without-token");
        assert_eq!(v["note"], "this returns role credentials");
        assert_eq!(v["fix"]["applicability"], "safe");
        assert_eq!(v["fix"]["message"], "fetch a token and send it");
        let start = v["offset"].as_u64().unwrap() as usize;
        assert!(checked.source.text[start..].starts_with("curl"));
    }

    #[test]
    fn notebook_findings_carry_cell_and_file_positions() {
        let v = &objects(&checked_notebook())[0];
        assert_eq!(
            (v["cell"].as_u64(), v["cell_line"].as_u64()),
            (Some(2), Some(2))
        );
        assert_eq!(v["cell_column"], 1);
        assert_eq!(v["line"], 3);
        assert_eq!(v["fix"], serde_json::Value::Null);
    }
}
