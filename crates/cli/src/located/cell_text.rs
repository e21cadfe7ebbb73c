//! A notebook cell's text as its author wrote it, rebuilt around the code
//! the parser cut out of it: positions in a cell and snippets are given in
//! this text, not in the code an interpreter runs.
//!
//! The two differ in two ways. IPython `!` lines and line magics are
//! blanked in their Python cell (`0` and spaces), the `!` lines cut out
//! into shell cells of their own; they are put back. A magic written on the
//! line of the code it runs (`%sh curl ...`) is cut off that line; it is
//! put back in front.

use imds_lint_parser::{Cell, Origin, SourceFile};

use super::cell_range_of;

/// The text of the notebook cell that holds a top-level cell's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellText {
    /// The code with its `!` lines and line magics put back, after the
    /// magic that shares its first line.
    pub text: String,
    /// Where the code starts in `text`: offset `n` of the code is
    /// `code_start + n` here.
    pub code_start: usize,
    /// Lines of the notebook cell before `text` starts (a magic line).
    pub lines_before: usize,
}

impl CellText {
    /// The text around the code of `cells[index]`, a cell not nested in
    /// another one's string nor cut from another one as a `!` line.
    pub fn of(source: &SourceFile, cells: &[Cell], index: usize) -> CellText {
        let cell = &cells[index];

        let mut text = as_stored(source, cell);
        for bang in bang_lines(cells, index) {
            put_back(cell, bang, &mut text);
        }

        let (magic, lines_before) = match &cell.origin {
            Origin::MagicCell { magic } => match magic_on_code_line(source, cell, magic) {
                Some(written) => (written, 0),
                // Missing: the parser does not record where the code starts
                // in its notebook cell; a magic on its own line is assumed to
                // be the only line before it, so blank lines above it are
                // not counted.
                None => ("", 1),
            },
            _ => ("", 0),
        };
        text.insert_str(0, magic);
        CellText {
            text,
            code_start: magic.len(),
            lines_before,
        }
    }
}

/// The `!` lines cut from `cells[host]`: the cells that follow it, of its
/// notebook cell, before the next cell that is neither a `!` line nor a
/// string's code (the cells whose `bang_host` it is).
fn bang_lines(cells: &[Cell], host: usize) -> impl Iterator<Item = &Cell> {
    let number = cells[host].number;
    cells[host + 1..]
        .iter()
        .take_while(|cell| matches!(cell.origin, Origin::BangLine | Origin::HostString { .. }))
        .filter(move |cell| cell.origin == Origin::BangLine && cell.number == number)
}

/// Writes the command of the `!` line `bang` back into `text`, its host's
/// code: what [`as_stored`] could not bring back (escaped characters, such
/// as a JSON `\"`) is in the shell cell's code.
fn put_back(host: &Cell, bang: &Cell, text: &mut String) {
    let file = bang.map.file_range(0..bang.code.len());
    let Some(command) = cell_range_of(host, &file) else {
        return;
    };
    // The blanking kept every offset, so the command fits where it was.
    if command.len() == bang.code.len() && text.get(command.clone()).is_some() {
        text.replace_range(command, &bang.code);
    }
}

/// The magic that shares its line with `cell`'s code (`%sh ` before
/// `curl ...`), as written: the file's bytes just before the code, if they
/// are `%`, the magic's name and blanks.
///
/// No cell holds those bytes, so they are read around the span map: on the
/// code's own line they are stored as written, in a JSON string as in a
/// Databricks `MAGIC` line. A magic on a line of its own is followed by a
/// stored line break (`\n`, `",` or a `MAGIC` prefix), never by blanks.
fn magic_on_code_line<'a>(source: &'a SourceFile, cell: &Cell, magic: &str) -> Option<&'a str> {
    let before = source.text.get(..cell.map.file_start(0))?;
    let name_end = before.trim_end_matches([' ', '\t']);
    if name_end.len() == before.len() {
        return None;
    }
    let start = name_end.strip_suffix(magic)?.strip_suffix('%')?.len();
    Some(&before[start..])
}

/// `cell`'s code with every run the file stores as is read from the file:
/// what was blanked in the code (IPython escapes and line magics) comes back
/// as written, save for escaped characters (a JSON `\t`), left blanked.
fn as_stored(source: &SourceFile, cell: &Cell) -> String {
    let mut text = cell.code.clone();
    for seg in cell.map.segments() {
        let range = seg.cell..seg.cell + seg.cell_len;
        let stored = source.text.get(seg.file..seg.file + seg.file_len);
        if let Some(stored) = stored.filter(|s| s.len() == range.len()) {
            if text.get(range.clone()).is_some_and(|code| code != stored) {
                text.replace_range(range, stored);
            }
        }
    }
    text
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use imds_lint_parser::{FileKind, Lang};

    use super::*;

    /// A Python notebook of one code cell whose source is `code`.
    fn notebook(code: &str) -> SourceFile {
        let text = format!(
            r#"{{"cells": [{{"cell_type": "code", "metadata": {{}}, "outputs": [],
  "execution_count": null, "source": {}}}],
 "metadata": {{"kernelspec": {{"language": "python", "name": "python3"}}}},
 "nbformat": 4, "nbformat_minor": 5}}"#,
            serde_json::to_string(code).unwrap()
        );
        SourceFile::from_bytes(Path::new("t.ipynb"), FileKind::Jupyter, text.into_bytes()).unwrap()
    }

    fn databricks(text: &str) -> SourceFile {
        let kind = FileKind::Databricks(Lang::Python);
        SourceFile::from_bytes(Path::new("t.py"), kind, text.as_bytes().to_vec()).unwrap()
    }

    /// The text of the notebook cell holding `source`'s first cell.
    fn first(source: &SourceFile) -> CellText {
        let cells = imds_lint_parser::split(source).unwrap();
        CellText::of(source, &cells, 0)
    }

    #[test]
    fn bang_lines_and_line_magics_read_as_written() {
        let code = "import os\n!curl -s -H \"A: é\" http://x/\nfiles = !!ls -l\n\
                    r = %sx  curl y\n%pip install z\nx = 0\n  !echo \\\n    \"$x\"\n";
        let written = first(&notebook(code));
        assert_eq!(written.text, code);
        assert_eq!((written.code_start, written.lines_before), (0, 0));
    }

    #[test]
    fn a_bang_line_ending_in_an_escaped_character_reads_as_written() {
        // As Python's json writes it by default: every non-ASCII character
        // escaped, `é` (2 bytes in the code) as 6 bytes in the file.
        let text = r#"{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
  "source": "!curl -s http://x/ # caf\u00e9\nprint(\"d\u00e9j\u00e0\")"}],
 "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
        let source =
            SourceFile::from_bytes(Path::new("t.ipynb"), FileKind::Jupyter, text.into()).unwrap();
        let written = first(&source);
        assert_eq!(written.text, "!curl -s http://x/ # café\nprint(\"déjà\")");
    }

    #[test]
    fn bang_lines_of_a_databricks_python_cell_read_as_written() {
        let text = "# Databricks notebook source\n!curl -s http://x/\nout = %system ls\n";
        let written = first(&databricks(text));
        assert_eq!(written.text, "!curl -s http://x/\nout = %system ls\n");
    }

    #[test]
    fn plain_cells_are_their_code() {
        for code in ["x = 0\nprint(x)\n", "", "s = '0  '\n"] {
            let written = first(&notebook(code));
            assert_eq!((written.text.as_str(), written.code_start), (code, 0));
        }
    }

    #[test]
    fn magic_on_the_code_line_is_put_back_in_front() {
        let sources = [
            notebook("%sh  curl x\nls"),
            databricks("# Databricks notebook source\n# MAGIC %sh  curl x\n# MAGIC ls\n"),
        ];
        for source in &sources {
            let written = first(source);
            assert!(written.text.starts_with("%sh  curl x\nls"), "{written:?}");
            assert_eq!((written.code_start, written.lines_before), (5, 0));
        }
    }

    #[test]
    fn magic_on_its_own_line_is_counted_not_shown() {
        let sources = [
            notebook("%sh\ncurl x"),
            notebook("%sh  \ncurl x"),
            notebook("%%bash\ncurl x"),
            databricks("# Databricks notebook source\n# MAGIC %sh\n# MAGIC curl x\n"),
            databricks("# Databricks notebook source\n# MAGIC %sh \n# MAGIC  curl x\n"),
        ];
        for source in &sources {
            let written = first(source);
            assert!(
                written.text.trim_start().starts_with("curl x"),
                "{written:?}"
            );
            assert_eq!((written.code_start, written.lines_before), (0, 1));
        }
    }
}
