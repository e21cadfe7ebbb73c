//! The `json-lines` format: one JSON object per finding, one per line,
//! with the fields of the `json` format.

use super::json::JsonFinding;
use crate::check::Checked;

/// Appends one line per finding of `checked` to `out`.
pub fn render(checked: &Checked, out: &mut String) {
    for located in &checked.findings {
        out.push_str(&JsonFinding::new(&checked.source.path, located).to_line());
        out.push('\n');
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::checked_shell;
    use super::*;

    #[test]
    fn each_line_is_an_object() {
        let mut out = String::new();
        render(&checked_shell(), &mut out);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 1);
        let v: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
        assert_eq!(v["code"], "IMD001");
    }
}
