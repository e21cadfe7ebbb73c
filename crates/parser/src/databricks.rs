//! Databricks notebook source exports (`.py`, `.scala`, `.sql`, `.r`) into
//! cells.
//!
//! An export is the header line `<comment> Databricks notebook source`,
//! then cells separated by `<comment> COMMAND ----------` with a blank line
//! on each side (those blank lines belong to no cell). A cell may start with
//! `<comment> DBTITLE ...` lines, which are not code. A cell written wholly
//! in `<comment> MAGIC ...` lines runs under the magic on its first line
//! (`%sh`, `%python`, `%md`...): the prefixes are stripped, and the line
//! break plus the next line's prefix map as one escaped segment, so text
//! inserted at a line start lands after `# MAGIC `.

use crate::cell::{Cell, Layer, Origin};
use crate::kind::databricks_header;
use crate::lang::Lang;
use crate::magic::{self, Dialect};
use crate::source::SourceFile;
use crate::span::{SpanMap, SpanMapBuilder};

/// One line of the file.
#[derive(Debug, Clone, Copy)]
struct Line {
    /// Where it starts.
    start: usize,
    /// Where its `\n` is, or the end of the file: a `\r` before the `\n`
    /// is inside the line.
    end: usize,
    /// Where the next line starts.
    next: usize,
}

/// The markers of one export language.
struct Markers {
    separator: String,
    title: String,
    /// `# MAGIC`, as written on an empty line.
    magic: String,
}

/// The cells of a Databricks source export in `lang`, numbered from 1.
///
/// A file with the header and nothing else has no cells.
pub fn cells(source: &SourceFile, lang: Lang) -> Vec<Cell> {
    let text = source.text.as_str();
    let (_, bom) = source.text_without_bom();
    let comment = lang.line_comment();
    let markers = Markers {
        separator: format!("{comment} COMMAND ----------"),
        title: format!("{comment} DBTITLE"),
        magic: format!("{comment} MAGIC"),
    };

    let mut lines = lines(text, bom);
    if lines
        .first()
        .is_some_and(|l| content(text, l).trim_end() == databricks_header(lang))
    {
        lines.remove(0);
    }
    let first_start = lines.first().map_or(text.len(), |l| l.start);
    let chunks = chunks(text, &lines, first_start, &markers.separator);
    if chunks.len() == 1 && chunks[0].lines.iter().all(|l| is_blank(text, l)) {
        return Vec::new();
    }

    let mut out = Vec::new();
    for (index, chunk) in chunks.iter().enumerate() {
        let code_lines = strip_titles(text, &chunk.lines, &markers.title);
        let at = code_lines.first().map_or(chunk.start, |l| l.start);
        let cell = Cell {
            lang,
            code: String::new(),
            map: SpanMap::verbatim(at, 0),
            number: Some(index + 1),
            origin: Origin::NotebookCell,
            layers: Vec::new(),
        };
        out.extend(read_cell(text, cell, code_lines, &markers));
    }
    out
}

/// The cells one chunk of lines runs as.
fn read_cell(text: &str, mut cell: Cell, lines: &[Line], markers: &Markers) -> Vec<Cell> {
    if let Some(magic_cell) = magic_cell(text, &cell, lines, markers) {
        if magic::cell_magic(&magic_cell.code, Dialect::MagicCell).is_some() {
            return magic::expand(magic_cell, Dialect::MagicCell);
        }
    }
    if let (Some(first), Some(last)) = (lines.first(), lines.last()) {
        text[first.start..last.next].clone_into(&mut cell.code);
        cell.map = SpanMap::verbatim(first.start, cell.code.len());
    }
    magic::expand(cell, Dialect::CodeCell)
}

/// The cell's code with `MAGIC` prefixes stripped, if every line but
/// trailing blank ones has the prefix.
fn magic_cell(text: &str, cell: &Cell, lines: &[Line], markers: &Markers) -> Option<Cell> {
    let last = lines.iter().rposition(|l| !is_blank(text, l))?;
    let lines = &lines[..=last];
    let prefixes = lines
        .iter()
        .map(|l| magic_prefix_len(text, l, &markers.magic))
        .collect::<Option<Vec<usize>>>()?;

    let mut code = String::new();
    let mut map = SpanMapBuilder::new(lines[0].start + prefixes[0]);
    for (i, line) in lines.iter().enumerate() {
        let body = &text[line.start + prefixes[i]..line.end];
        code.push_str(body);
        map.verbatim(body.len());
        if line.next > line.end {
            code.push('\n');
            match prefixes.get(i + 1) {
                Some(next_prefix) => map.escaped(1, 1 + next_prefix),
                None => map.verbatim(1),
            }
        }
    }

    Some(Cell {
        lang: cell.lang,
        code,
        map: map.finish(),
        number: cell.number,
        origin: Origin::NotebookCell,
        layers: vec![Layer::MagicLines {
            prefix: format!("{} ", markers.magic),
        }],
    })
}

/// The length of the `# MAGIC ` prefix of a line (`# MAGIC` alone on an
/// empty line), or `None` if the line has none.
fn magic_prefix_len(text: &str, line: &Line, magic: &str) -> Option<usize> {
    let content = content(text, line);
    let rest = content.strip_prefix(magic)?;
    if rest.is_empty() {
        Some(magic.len())
    } else if rest.starts_with(' ') {
        Some(magic.len() + 1)
    } else {
        None
    }
}

/// The lines between separators, and where each chunk starts.
#[derive(Debug, Default)]
struct Chunk {
    /// Where the cell's text would start, even when it has no lines.
    start: usize,
    lines: Vec<Line>,
}

/// Splits the lines at separators, dropping the blank line on each side of
/// every separator.
fn chunks(text: &str, lines: &[Line], first_start: usize, separator: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let mut current = Chunk {
        start: first_start,
        lines: Vec::new(),
    };
    let mut after_separator = false;
    for line in lines {
        let blank = is_blank(text, line);
        if content(text, line).trim_end() == separator {
            if current.lines.last().is_some_and(|l| is_blank(text, l)) {
                current.lines.pop();
            }
            let next = Chunk {
                start: line.next,
                lines: Vec::new(),
            };
            chunks.push(std::mem::replace(&mut current, next));
            after_separator = true;
            continue;
        }
        if after_separator && blank {
            current.start = line.next;
        } else {
            current.lines.push(*line);
        }
        after_separator = false;
    }
    chunks.push(current);
    chunks
}

/// The chunk without its leading `DBTITLE` lines.
fn strip_titles<'a>(text: &str, chunk: &'a [Line], title: &str) -> &'a [Line] {
    let titles = chunk
        .iter()
        .take_while(|l| content(text, l).starts_with(title))
        .count();
    &chunk[titles..]
}

/// The lines of `text` from `start`.
fn lines(text: &str, start: usize) -> Vec<Line> {
    let mut out = Vec::new();
    let mut at = start;
    while at < text.len() {
        let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let next = (end + 1).min(text.len());
        out.push(Line {
            start: at,
            end,
            next,
        });
        at = next;
    }
    out
}

/// A line without its line ending.
fn content<'a>(text: &'a str, line: &Line) -> &'a str {
    text[line.start..line.end].trim_end_matches('\r')
}

fn is_blank(text: &str, line: &Line) -> bool {
    content(text, line).trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::FileKind;
    use std::path::Path;

    fn read(name: &str, text: &str) -> (String, Vec<Cell>) {
        let kind = FileKind::detect(Path::new(name), text.as_bytes());
        let Some(FileKind::Databricks(lang)) = kind else {
            panic!("{name} is not a Databricks export: {kind:?}");
        };
        let source =
            SourceFile::from_bytes(Path::new(name), FileKind::Databricks(lang), text.into())
                .unwrap_or_else(|e| panic!("{e}"));
        let cells = cells(&source, lang);
        (source.text, cells)
    }

    /// Every verbatim segment must point at the same bytes in the file.
    fn assert_maps(text: &str, cells: &[Cell]) {
        for cell in cells {
            for seg in cell.map.segments() {
                if seg.cell_len == seg.file_len {
                    assert_eq!(
                        &cell.code[seg.cell..seg.cell + seg.cell_len],
                        &text[seg.file..seg.file + seg.file_len],
                        "cell {:?}",
                        cell.number
                    );
                }
            }
        }
    }

    fn summary(cells: &[Cell]) -> Vec<(Option<usize>, Lang, &str)> {
        cells
            .iter()
            .map(|c| (c.number, c.lang, c.code.as_str()))
            .collect()
    }

    const PY: &str = "# Databricks notebook source\n\
        import requests\n\
        \n\
        # COMMAND ----------\n\
        \n\
        # DBTITLE 1,Get the region\n\
        # MAGIC %sh\n\
        # MAGIC curl -s http://x\n\
        # MAGIC\n\
        # MAGIC echo done\n\
        \n\
        # COMMAND ----------\n\
        \n\
        # MAGIC %md # Notes \n\
        # MAGIC \n\
        # MAGIC text\n\
        \n\
        # COMMAND ----------\n\
        \n\
        x = 1\n";

    #[test]
    fn python_export_cells() {
        let (text, cells) = read("nb.py", PY);
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Python, "import requests\n"),
                (Some(2), Lang::Shell, "curl -s http://x\n\necho done\n"),
                (Some(3), Lang::Markdown, "# Notes \n\ntext\n"),
                (Some(4), Lang::Python, "x = 1\n"),
            ]
        );
        assert_eq!(cells[0].origin, Origin::NotebookCell);
        assert_eq!(cells[1].origin, Origin::MagicCell { magic: "sh".into() });
        assert_eq!(
            cells[1].layers,
            [Layer::MagicLines {
                prefix: "# MAGIC ".into()
            }]
        );
        assert!(cells[0].layers.is_empty());
        assert_maps(&text, &cells);
    }

    #[test]
    fn insertion_at_a_magic_line_start_lands_after_the_prefix() {
        let (text, cells) = read("nb.py", PY);
        let sh = &cells[1];
        let echo = sh.code.find("echo").unwrap_or_default();
        let at = sh.map.file_start(echo);
        assert_eq!(&text[at - 8..at + 4], "# MAGIC echo");
        // the line break and the next prefix map as one segment
        let newline = sh.code.find('\n').unwrap_or_default();
        assert_eq!(&text[sh.map.file_range(newline..newline + 1)], "\n# MAGIC");
        // the empty line's prefix is the bare one
        let end = sh.map.file_start(0);
        assert_eq!(&text[end - 8..end], "# MAGIC ");
    }

    #[test]
    fn crlf_and_bom() {
        let crlf = PY.replace('\n', "\r\n");
        let (text, cells) = read("nb.py", &format!("\u{feff}{crlf}"));
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Python, "import requests\r\n"),
                (
                    Some(2),
                    Lang::Shell,
                    "curl -s http://x\r\n\r\necho done\r\n"
                ),
                (Some(3), Lang::Markdown, "# Notes \r\n\r\ntext\r\n"),
                (Some(4), Lang::Python, "x = 1\r\n"),
            ]
        );
        assert_maps(&text, &cells);
        let sh = &cells[1];
        let newline = sh.code.find('\n').unwrap_or_default();
        assert_eq!(&text[sh.map.file_range(newline..newline + 1)], "\n# MAGIC");
    }

    #[test]
    fn empty_cells_keep_their_numbers() {
        let text = "# Databricks notebook source\n\n# COMMAND ----------\n\n\n\
            # COMMAND ----------\n\n# COMMAND ----------\n\nls = 1\n";
        let (text, cells) = read("nb.py", text);
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Python, ""),
                (Some(2), Lang::Python, ""),
                (Some(3), Lang::Python, ""),
                (Some(4), Lang::Python, "ls = 1\n"),
            ]
        );
        // an empty cell's insertion point lies between its separators
        let second = cells[1].map.file_start(0);
        assert!(text[..second].matches("COMMAND").count() == 1, "{second}");
    }

    #[test]
    fn header_without_cells() {
        for text in [
            "# Databricks notebook source",
            "# Databricks notebook source\n",
            "# Databricks notebook source\r\n\r\n",
        ] {
            assert!(read("nb.py", text).1.is_empty(), "{text:?}");
        }
    }

    #[test]
    fn scala_and_sql_prefixes() {
        let scala = "// Databricks notebook source\nval x = 1\n\n// COMMAND ----------\n\n\
            // MAGIC %python\n// MAGIC !curl x\n// MAGIC y = 2\n";
        let (text, cells) = read("nb.scala", scala);
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Scala, "val x = 1\n"),
                (Some(2), Lang::Python, "0      \ny = 2\n"),
                (Some(2), Lang::Shell, "curl x"),
            ]
        );
        assert_eq!(cells[2].origin, Origin::BangLine);
        assert_maps(&text, &cells[2..]);
        assert_eq!(
            cells[1].layers,
            [Layer::MagicLines {
                prefix: "// MAGIC ".into()
            }]
        );

        let sql = "-- Databricks notebook source\nselect 1\n\n-- COMMAND ----------\n\n\
            -- MAGIC %sh ls /tmp\n";
        let (_, cells) = read("q.sql", sql);
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Sql, "select 1\n"),
                (Some(2), Lang::Shell, "ls /tmp\n")
            ]
        );
    }

    #[test]
    fn other_magics_are_kept_but_not_analysed() {
        let text = "# Databricks notebook source\n# MAGIC %run ./setup\n\n# COMMAND ----------\n\n\
            # MAGIC %pip install requests\n";
        let (_, cells) = read("nb.py", text);
        let origins: Vec<_> = cells.iter().map(|c| (c.lang, c.origin.clone())).collect();
        assert_eq!(
            origins,
            [
                (
                    Lang::Markdown,
                    Origin::MagicCell {
                        magic: "run".into()
                    }
                ),
                (
                    Lang::Markdown,
                    Origin::MagicCell {
                        magic: "pip".into()
                    }
                ),
            ]
        );
    }

    #[test]
    fn magic_lines_without_a_magic_stay_comments() {
        let text = "# Databricks notebook source\n# MAGIC just a comment\n";
        let (_, cells) = read("nb.py", text);
        assert_eq!(
            summary(&cells),
            [(Some(1), Lang::Python, "# MAGIC just a comment\n")]
        );
        assert!(cells[0].layers.is_empty());
    }

    #[test]
    fn mixed_cells_are_code() {
        let text = "# Databricks notebook source\n# MAGIC %sh\nls\n# MAGICx\n";
        let (_, cells) = read("nb.py", text);
        assert_eq!(cells.len(), 1);
        assert_eq!(cells[0].lang, Lang::Python);
        assert_eq!(cells[0].origin, Origin::NotebookCell);
    }

    #[test]
    fn code_cells_read_magics_and_bang_lines() {
        let text = "# Databricks notebook source\n%sh\ncurl x\n\n# COMMAND ----------\n\n!ls\n";
        let (_, cells) = read("nb.py", text);
        assert_eq!(
            summary(&cells),
            [
                (Some(1), Lang::Shell, "curl x\n"),
                (Some(2), Lang::Python, "0  \n"),
                (Some(2), Lang::Shell, "ls"),
            ]
        );
    }
}
