//! Magics that decide the language of a whole notebook cell: IPython cell
//! magics (`%%bash`, `%%script sh`) and Databricks magics (`%sh`, `%python`,
//! `%md`...), written on the cell's first line.
//!
//! The magic line is not code: the cell becomes its body, in the magic's
//! language. Cells whose body no analyser reads (`%%writefile`, `%%html`,
//! Databricks `%run`, `%pip`, `%fs`, unknown magics) become
//! [`Lang::Markdown`] cells: kept, so that numbering and output name them,
//! and never analysed. Python cells then go through [`bang`](crate::bang)
//! for IPython's line-level `!cmd` and `%magic` syntax.

use std::ops::Range;

use crate::bang;
use crate::cell::{Cell, Origin};
use crate::lang::Lang;

/// Where a cell's text comes from, which decides what a `%` line means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// A notebook code cell: `%%` cell magics and the Databricks language
    /// magics decide the language; any other `%name` on the first line is an
    /// IPython line magic, and the rest of the cell is the notebook's code.
    CodeCell,
    /// The text of a Databricks `MAGIC` cell: every `%name` on its first
    /// line is the cell's magic (`%pip`, `%run`, `%fs` included).
    MagicCell,
}

/// A magic found on a cell's first line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CellMagic {
    /// The magic without `%`, as [`Origin::MagicCell`] records it.
    pub name: String,
    /// The language of the body.
    pub lang: Lang,
    /// Where the body starts in the cell's code.
    pub body_start: usize,
}

/// The cells a notebook code cell runs as: the cell itself, or its magic's
/// body; for Python, followed by the shell cells of its `!` lines.
pub(crate) fn expand(cell: Cell, dialect: Dialect) -> Vec<Cell> {
    let cell = match cell_magic(&cell.code, dialect) {
        Some(magic) => {
            let body = magic.body_start..cell.code.len();
            cell.part(body, magic.lang, Origin::MagicCell { magic: magic.name })
        }
        None => cell,
    };
    if cell.lang == Lang::Python {
        bang::split(cell)
    } else {
        vec![cell]
    }
}

/// The magic on the first non-blank line of `code`, if that line holds one.
///
/// After `%%name args` the body starts on the next line. After a single-`%`
/// Databricks magic it starts right after the name when text follows on
/// the same line (`%sh ls` runs `ls`), else on the next line.
pub(crate) fn cell_magic(code: &str, dialect: Dialect) -> Option<CellMagic> {
    let (line, next_line) = first_non_blank_line(code)?;
    let text = &code[line.clone()];

    if let Some(rest) = text.strip_prefix("%%") {
        let (name, args) = split_word(rest);
        let (lang, name) = cell_magic_lang(name, args);
        return Some(CellMagic {
            name,
            lang,
            body_start: next_line,
        });
    }

    // An ipython-sql `%sql` line followed by Python reads as a SQL cell:
    // its Python is then not analysed.
    let rest = text.strip_prefix('%')?;
    let (name, args) = split_word(rest);
    let lang = match (name, dialect) {
        ("sh", _) => Lang::Shell,
        ("python", _) => Lang::Python,
        ("scala", _) => Lang::Scala,
        ("sql", _) => Lang::Sql,
        ("r", _) => Lang::R,
        ("md" | "md-sandbox", _) | (_, Dialect::MagicCell) => Lang::Markdown,
        (_, Dialect::CodeCell) => return None,
    };
    let body_start = if args.trim_end().is_empty() {
        next_line
    } else {
        line.start + (text.len() - args.len())
    };
    Some(CellMagic {
        name: name.to_owned(),
        lang,
        body_start,
    })
}

/// The language of a `%%name args` cell's body, and the name to record.
fn cell_magic_lang(name: &str, args: &str) -> (Lang, String) {
    let lang = match name {
        "bash" | "sh" => Lang::Shell,
        "script" => {
            let program = args.split_whitespace().next().unwrap_or_default();
            let program = program.rsplit('/').next().unwrap_or_default();
            match program {
                "sh" | "bash" | "dash" | "zsh" | "ksh" => Lang::Shell,
                p if p.starts_with("python") => Lang::Python,
                _ => Lang::Markdown,
            }
        }
        // These run the body as Python in the notebook's own namespace.
        "python" | "python2" | "python3" | "pypy" | "time" | "timeit" | "capture" | "prun" => {
            Lang::Python
        }
        "sql" => Lang::Sql,
        "R" => Lang::R,
        _ => Lang::Markdown,
    };
    let recorded = match args.split_whitespace().next() {
        Some(program) if name == "script" => format!("script {program}"),
        _ => name.to_owned(),
    };
    (lang, recorded)
}

/// The byte range of the first line holding more than whitespace, without
/// its line ending, and where the line after it starts.
fn first_non_blank_line(code: &str) -> Option<(Range<usize>, usize)> {
    let mut start = 0;
    for line in code.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        if !line.trim().is_empty() {
            return Some((start..end, start + line.len()));
        }
        start += line.len();
    }
    None
}

/// Splits `text` into its first word and the rest, which is a suffix of
/// `text` (leading whitespace dropped).
fn split_word(text: &str) -> (&str, &str) {
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], text[end..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::SpanMap;

    fn magic(code: &str, dialect: Dialect) -> Option<(String, Lang, &str)> {
        cell_magic(code, dialect).map(|m| (m.name, m.lang, &code[m.body_start..]))
    }

    fn cell(code: &str) -> Cell {
        let mut cell = Cell::whole_file(Lang::Python, code);
        cell.origin = Origin::NotebookCell;
        cell.number = Some(4);
        cell
    }

    #[test]
    fn ipython_cell_magics() {
        let code = Dialect::CodeCell;
        assert_eq!(
            magic("%%bash\ncurl x\n", code),
            Some(("bash".into(), Lang::Shell, "curl x\n"))
        );
        assert_eq!(
            magic("\n  \n%%sh -e\r\ncurl x", code),
            Some(("sh".into(), Lang::Shell, "curl x"))
        );
        assert_eq!(
            magic("%%script /bin/bash\nls", code),
            Some(("script /bin/bash".into(), Lang::Shell, "ls"))
        );
        assert_eq!(
            magic("%%script perl\nprint 1", code),
            Some(("script perl".into(), Lang::Markdown, "print 1"))
        );
        assert_eq!(
            magic("%%time\nx = 1", code),
            Some(("time".into(), Lang::Python, "x = 1"))
        );
        assert_eq!(
            magic("%%writefile init.sh\ncurl x", code),
            Some(("writefile".into(), Lang::Markdown, "curl x"))
        );
        assert_eq!(
            magic("%%bash", code),
            Some(("bash".into(), Lang::Shell, ""))
        );
    }

    #[test]
    fn databricks_language_magics() {
        for dialect in [Dialect::CodeCell, Dialect::MagicCell] {
            assert_eq!(
                magic("%sh\ncurl x\n", dialect),
                Some(("sh".into(), Lang::Shell, "curl x\n"))
            );
            assert_eq!(
                magic("%sh  curl x \nls\n", dialect),
                Some(("sh".into(), Lang::Shell, "curl x \nls\n"))
            );
            assert_eq!(
                magic("%scala\nval x = 1", dialect),
                Some(("scala".into(), Lang::Scala, "val x = 1"))
            );
            assert_eq!(
                magic("%md # Title", dialect).map(|m| m.1),
                Some(Lang::Markdown)
            );
        }
    }

    #[test]
    fn other_line_magics_decide_only_in_magic_cells() {
        assert_eq!(magic("%pip install x\nimport x", Dialect::CodeCell), None);
        assert_eq!(
            magic("%pip install x", Dialect::MagicCell),
            Some(("pip".into(), Lang::Markdown, "install x"))
        );
        assert_eq!(
            magic("%run ./setup", Dialect::MagicCell).map(|m| m.1),
            Some(Lang::Markdown)
        );
    }

    #[test]
    fn no_magic_in_plain_code() {
        for code in ["x = 1\n%%bash\n", "  %%bash\nls", "", "\n\n", "# %sh\nls"] {
            assert_eq!(magic(code, Dialect::CodeCell), None, "{code:?}");
        }
    }

    #[test]
    fn expand_maps_the_body_to_the_file() {
        let mut c = cell("%%bash\ncurl x\n");
        c.map = SpanMap::verbatim(100, c.code.len());
        let cells = expand(c, Dialect::CodeCell);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].code, "curl x\n");
        assert_eq!(cells[0].number, Some(4));
        assert_eq!(
            cells[0].origin,
            Origin::MagicCell {
                magic: "bash".into()
            }
        );
        assert_eq!(cells[0].map.file_range(0..4), 107..111);
    }

    #[test]
    fn expand_python_body_splits_bang_lines() {
        let cells = expand(cell("%%time\n!ls\n"), Dialect::CodeCell);
        let summary: Vec<_> = cells.iter().map(|c| (c.lang, c.code.as_str())).collect();
        assert_eq!(summary, [(Lang::Python, "0  \n"), (Lang::Shell, "ls")]);
    }

    #[test]
    fn expand_leaves_plain_cells_alone() {
        let cells = expand(cell("x = 1\n"), Dialect::CodeCell);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].code, "x = 1\n");
        assert_eq!(cells[0].origin, Origin::NotebookCell);
    }
}
