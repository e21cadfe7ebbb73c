//! Findings placed in the file as stored: the one place where a finding's
//! cell range becomes file bytes, lines and columns, and, for notebooks, a
//! cell number and a line within that cell.

mod cell_text;

use std::ops::Range;

use imds_lint_parser::{
    bang_host, Applicability, Cell, Fix, LineCol, LineIndex, Origin, SourceFile,
};
use imds_lint_rewriter::{Encoder, FileEdit};
use imds_lint_rules::{Finding, Rule};

pub use self::cell_text::CellText;

/// A finding with every position a reporter prints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The rule that found it.
    pub rule: Rule,
    /// The range in the file as stored, in bytes.
    pub range: Range<usize>,
    /// Where the range starts in the file.
    pub start: LineCol,
    /// Where the range ends in the file (exclusive).
    pub end: LineCol,
    /// Where it is in a notebook cell, for notebooks.
    pub cell: Option<CellSpot>,
    /// What is wrong.
    pub message: String,
    /// Why it matters more than usual.
    pub note: Option<String>,
    /// What to change by hand, when no fix is offered.
    pub help: Option<String>,
    /// The fix the rule proposes, if any.
    pub fix: Option<FixSummary>,
    /// The finding as the rules made it, in cell coordinates with its whole
    /// fix: what `--fix` applies.
    pub finding: Finding,
}

/// A finding's place inside a notebook cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellSpot {
    /// 1-based number of the notebook cell.
    pub number: usize,
    /// Index (in the file's cell list) of the cell whose code the finding
    /// is in, or whose code holds the string or `!` line it is in.
    pub index: usize,
    /// The range in that cell's [`CellText`]: its code as the notebook
    /// cell has it.
    pub range: Range<usize>,
    /// Lines of the notebook cell before that text starts (a magic line).
    pub lines_before: usize,
    /// Where the range starts, counted from the notebook cell's first line.
    pub start: LineCol,
    /// Where the range ends (exclusive), likewise.
    pub end: LineCol,
}

/// What a reporter says about a proposed fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixSummary {
    /// How safe it is to apply.
    pub applicability: Applicability,
    /// What it does.
    pub message: String,
    /// Its edits in the file as stored, sorted, their text written the way
    /// the container stores it (as `--fix` writes it); `None` when the
    /// container cannot hold the new text.
    pub edits: Option<Vec<FileEdit>>,
}

/// Places `finding`, found in `cells` of `source`, in the file.
pub fn locate(source: &SourceFile, cells: &[Cell], finding: Finding) -> Located {
    Locator::new(source, cells).locate(finding)
}

/// Places the findings of one file ([`locate`] for each), in the order
/// given. They are placed in file order, so that lines and columns are
/// counted on from the finding before and a cell's text is rebuilt once:
/// thousands of findings on one line or in one cell cost no more than on
/// as many lines.
pub fn locate_all(source: &SourceFile, cells: &[Cell], findings: Vec<Finding>) -> Vec<Located> {
    let mut locator = Locator::new(source, cells);
    let mut order: Vec<(usize, Finding)> = findings.into_iter().enumerate().collect();
    order.sort_by_key(|(_, finding)| locator.file_start(finding));

    let mut placed: Vec<(usize, Located)> = order
        .into_iter()
        .map(|(at, finding)| (at, locator.locate(finding)))
        .collect();
    placed.sort_by_key(|(at, _)| *at);
    placed.into_iter().map(|(_, located)| located).collect()
}

/// Places the findings of one file, remembering what the last one needed:
/// the place of its end in the file, and the text of its notebook cell.
struct Locator<'a> {
    source: &'a SourceFile,
    encoder: Encoder<'a>,
    /// The last offset placed in the file, and its place.
    last: Option<(usize, LineCol)>,
    /// The notebook cell of the last finding placed in one.
    cell: Option<WrittenCell>,
}

/// A notebook cell's text as written, indexed, and the last offset placed
/// in it.
struct WrittenCell {
    index: usize,
    written: CellText,
    lines: LineIndex,
    last: Option<(usize, LineCol)>,
}

impl WrittenCell {
    fn line_col(&mut self, offset: usize) -> LineCol {
        let at = self
            .lines
            .line_col_near(&self.written.text, self.last, offset);
        self.last = Some((offset, at));
        at
    }
}

impl<'a> Locator<'a> {
    fn new(source: &'a SourceFile, cells: &'a [Cell]) -> Self {
        Locator {
            source,
            encoder: Encoder::new(cells),
            last: None,
            cell: None,
        }
    }

    /// Where `finding` starts in the file as stored.
    fn file_start(&self, finding: &Finding) -> usize {
        let cells = self.encoder.cells();
        cells[finding.cell].map.file_start(finding.range.start)
    }

    fn locate(&mut self, finding: Finding) -> Located {
        let cells = self.encoder.cells();
        let range = cells[finding.cell].map.file_range(finding.range.clone());
        let start = self.line_col(range.start);
        let end = self.line_col(range.end);
        let cell = self.cell_spot(&finding, &range);

        Located {
            rule: finding.rule,
            start,
            end,
            range,
            cell,
            message: finding.message.clone(),
            note: finding.note.clone(),
            help: finding.help.clone(),
            fix: finding.fix.as_ref().map(|fix| FixSummary {
                applicability: fix.applicability,
                edits: file_edits(&self.encoder, finding.cell, fix),
                message: fix.message.clone(),
            }),
            finding,
        }
    }

    /// The place of `offset` in the file.
    fn line_col(&mut self, offset: usize) -> LineCol {
        let source = self.source;
        let at = source.lines.line_col_near(&source.text, self.last, offset);
        self.last = Some((offset, at));
        at
    }

    /// The finding's place in its notebook cell, as a person counts lines
    /// in the notebook: code nested in a host string or cut from it as a
    /// `!` line is placed in the host cell, as written.
    fn cell_spot(&mut self, finding: &Finding, file_range: &Range<usize>) -> Option<CellSpot> {
        let cells = self.encoder.cells();
        let number = cells[finding.cell].number?;

        let (index, range) = match outermost(cells, finding.cell) {
            top if top == finding.cell => (top, finding.range.clone()),
            top => (top, cell_range_of(&cells[top], file_range)?),
        };

        let cell = self.written_cell(index);
        let range = cell.written.code_start + range.start..cell.written.code_start + range.end;
        let lines_before = cell.written.lines_before;
        let shift = |mut at: LineCol| {
            at.line += lines_before;
            at
        };
        Some(CellSpot {
            number,
            index,
            start: shift(cell.line_col(range.start)),
            end: shift(cell.line_col(range.end)),
            range,
            lines_before,
        })
    }

    /// The text of the notebook cell `index`, rebuilt only when it is not
    /// the cell of the last finding.
    fn written_cell(&mut self, index: usize) -> &mut WrittenCell {
        let source = self.source;
        let cells = self.encoder.cells();
        let cell = self.cell.take().filter(|cell| cell.index == index);
        self.cell.insert(cell.unwrap_or_else(|| {
            let written = CellText::of(source, cells, index);
            let lines = LineIndex::new(&written.text);
            WrittenCell {
                index,
                written,
                lines,
                last: None,
            }
        }))
    }
}

/// `fix`'s edits mapped through `cell`'s span map and encoded for its
/// container, the way the rewriter maps and encodes them.
fn file_edits(encoder: &Encoder, cell: usize, fix: &Fix) -> Option<Vec<FileEdit>> {
    let mut edits = fix
        .edits
        .iter()
        .map(|edit| {
            Some(FileEdit {
                range: encoder.cell(cell).map.file_range(edit.range.clone()),
                content: encoder.encode(cell, &edit.content).ok()?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    edits.sort_by_key(|edit| (edit.range.start, edit.range.end));
    Some(edits)
}

/// The notebook cell a cell's code finally sits in: a string's code sits
/// in its host, an IPython `!` line in the Python cell it was cut from.
fn outermost(cells: &[Cell], mut index: usize) -> usize {
    // Hosts come before the cells nested in them; the bound guards against
    // a malformed chain looping.
    for _ in 0..cells.len() {
        match cells[index].origin {
            Origin::HostString { host, .. } if host < cells.len() && host != index => index = host,
            Origin::BangLine => match bang_host(cells, index) {
                Some(host) => index = host,
                None => break,
            },
            _ => break,
        }
    }
    index
}

/// The range of `cell`'s code that maps to `file_range`, found through the
/// cell's own span map (which only maps cell to file): offsets are searched
/// for, since file offsets grow with cell offsets.
fn cell_range_of(cell: &Cell, file_range: &Range<usize>) -> Option<Range<usize>> {
    let len = cell.code.len();
    let start = first_offset(len, |at| cell.map.file_start(at) >= file_range.start);
    // The first offset whose byte starts at or past the range's end: an
    // offset inside an escaped character (`\u00e9`, two bytes of code for
    // six of the file) ends where the escape does, which would cut it.
    let end = first_offset(len, |at| cell.map.file_start(at) >= file_range.end);
    let inside = cell.map.file_start(start) == file_range.start && start <= end;
    inside.then_some(start..end)
}

/// The smallest offset in `0..=len` where `reached` holds (or `len`);
/// `reached` must be monotonic.
fn first_offset(len: usize, reached: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::Path;

    use imds_lint_parser::{
        Edit, FileKind, Fix, Interpolation, Lang, Layer, SpanMap, SpanMapBuilder,
    };

    use super::*;

    fn source(kind: FileKind, text: &str) -> SourceFile {
        SourceFile::from_bytes(Path::new("t"), kind, text.as_bytes().to_vec()).unwrap()
    }

    fn finding(cell: usize, range: Range<usize>) -> Finding {
        Finding::new(Rule::MetadataRequestWithoutToken, cell, range, "m")
    }

    #[test]
    fn plain_file_positions_are_file_lines_and_columns() {
        let text = "#!/bin/sh\nX=$(curl http://169.254.169.254/)\n";
        let src = source(FileKind::Shell, text);
        let cells = vec![Cell::whole_file(Lang::Shell, text)];
        let at = text.find("curl").unwrap();
        let located = locate(&src, &cells, finding(0, at..at + 4));

        assert_eq!(located.range, at..at + 4);
        assert_eq!((located.start.line, located.start.column), (2, 5));
        assert_eq!((located.end.line, located.end.column), (2, 9));
        assert_eq!(located.cell, None);
    }

    #[test]
    fn fix_is_summarised_and_text_kept() {
        let text = "curl x\n";
        let src = source(FileKind::Shell, text);
        let cells = vec![Cell::whole_file(Lang::Shell, text)];
        let mut f = finding(0, 0..6);
        f.note = Some("n".into());
        f.help = Some("h".into());
        f.fix = Some(Fix::new(
            "add token",
            vec![Edit::insertion(0, "x")],
            Applicability::Safe,
        ));
        let located = locate(&src, &cells, f);

        assert_eq!(located.note.as_deref(), Some("n"));
        assert_eq!(located.help.as_deref(), Some("h"));
        let fix = located.fix.unwrap();
        assert_eq!(
            (fix.applicability, fix.message.as_str()),
            (Applicability::Safe, "add token")
        );
    }

    #[test]
    fn fix_edits_are_file_bytes_encoded_for_the_container() {
        let (src, cells) = notebook();
        let mut f = finding(0, 4..8);
        f.fix = Some(Fix::new(
            "add token",
            vec![Edit::insertion(4, "a\"b\n")],
            Applicability::Safe,
        ));
        let located = locate(&src, &cells, f);

        let curl = src.text.find("curl").unwrap();
        assert_eq!(
            located.fix.unwrap().edits,
            Some(vec![FileEdit {
                range: curl..curl,
                content: "a\\\"b\\n".into(),
            }])
        );
    }

    #[test]
    fn fix_a_raw_string_cannot_hold_has_no_edits() {
        let text = "x = r'curl y'\n";
        let src = source(FileKind::Python, text);
        let cell = Cell {
            layers: vec![Layer::PythonString {
                quote: '\'',
                triple: false,
                raw: true,
            }],
            ..Cell::whole_file(Lang::Shell, text)
        };
        let mut f = finding(0, 6..10);
        f.fix = Some(Fix::new(
            "add token",
            vec![Edit::insertion(6, "'")],
            Applicability::Safe,
        ));
        let located = locate(&src, &[cell], f);
        assert_eq!(located.fix.unwrap().edits, None);
    }

    /// A notebook whose second cell's code `a\tcurl` sits in the file as
    /// JSON `a\\tcurl` (the tab is a two-byte escape).
    /// A finding at each `curl` in each cell's code, last cell first and
    /// backwards in each, so that no order of the findings is assumed.
    fn every_curl(cells: &[Cell]) -> Vec<Finding> {
        let mut findings = Vec::new();
        for (index, cell) in cells.iter().enumerate().rev() {
            for (at, _) in cell.code.rmatch_indices("curl") {
                findings.push(finding(index, at..at + 4));
            }
        }
        findings
    }

    #[test]
    fn many_findings_in_one_line_or_cell_are_placed_as_one_alone() {
        // Regression (tester): each finding counted its column from the
        // start of its line and rebuilt its cell's text, so a one-line file
        // or a cell with thousands of findings took quadratic time.
        // Placing them together must give what placing each alone gives.
        let request = "curl http://169.254.169.254/latest/meta-data/é; ";
        let one_line = format!("\u{feff}#!/bin/sh\n{}\n", request.repeat(40));
        let shell = source(FileKind::Shell, &one_line);
        let shell_cells = vec![Cell::whole_file(Lang::Shell, &one_line)];

        let cell = |code: String| {
            serde_json::json!({"cell_type": "code", "metadata": {}, "outputs": [],
                "execution_count": null, "source": code})
        };
        let many_lines = format!("%%sh\n{}", format!("{request}\n").repeat(30));
        let notebook_json = serde_json::json!({
            "cells": [
                cell(format!("%%sh\n{}", request.repeat(20))),
                cell(many_lines),
                cell("import os\n!curl -s x\nos.system('curl y; curl z')\n".to_owned()),
                cell("%sh curl a; curl b".to_owned()),
            ],
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4, "nbformat_minor": 5
        });
        let compact = serde_json::to_string(&notebook_json).unwrap();
        let jupyter = source(FileKind::Jupyter, &compact);
        let jupyter_cells = imds_lint_parser::split(&jupyter).unwrap();

        for (src, cells) in [(&shell, shell_cells), (&jupyter, jupyter_cells)] {
            let findings = every_curl(&cells);
            assert!(findings.len() >= 40);
            let alone: Vec<Located> = findings
                .iter()
                .map(|f| locate(src, &cells, f.clone()))
                .collect();
            assert_eq!(locate_all(src, &cells, findings), alone);
        }
    }

    fn notebook() -> (SourceFile, Vec<Cell>) {
        let text = "{\"cells\": [\"x\",\n \"a\\tb\\ncurl\"]}";
        let src = source(FileKind::Jupyter, text);
        let code_at = text.find("a\\t").unwrap();
        let mut b = SpanMapBuilder::new(code_at);
        b.verbatim(1);
        b.escaped(1, 2);
        b.verbatim(1);
        b.escaped(1, 2);
        b.verbatim(4);
        let cell = Cell {
            lang: Lang::Python,
            code: "a\tb\ncurl".into(),
            map: b.finish(),
            number: Some(2),
            origin: Origin::NotebookCell,
            layers: vec![Layer::JsonString],
        };
        (src, vec![cell])
    }

    #[test]
    fn notebook_finding_has_file_and_cell_positions() {
        let (src, cells) = notebook();
        let located = locate(&src, &cells, finding(0, 4..8));

        let curl = src.text.find("curl").unwrap();
        assert_eq!(located.range, curl..curl + 4);
        assert_eq!((located.start.line, located.start.column), (2, 9));
        let spot = located.cell.unwrap();
        assert_eq!((spot.number, spot.index, spot.range), (2, 0, 4..8));
        assert_eq!((spot.start.line, spot.start.column), (2, 1));
        assert_eq!((spot.end.line, spot.end.column), (2, 5));
    }

    #[test]
    fn nested_shell_is_placed_in_its_host_cell() {
        let (src, mut cells) = notebook();
        // nested code `curl` = host bytes 4..8
        let mut n = SpanMapBuilder::new(4);
        n.verbatim(4);
        let nested = Cell::nested(
            &cells[0],
            0,
            "curl".into(),
            &n.finish(),
            Layer::PythonString {
                quote: '"',
                triple: false,
                raw: false,
            },
            Interpolation::None,
        );
        cells.push(nested);
        let located = locate(&src, &cells, finding(1, 1..3));

        let spot = located.cell.unwrap();
        assert_eq!((spot.index, spot.range.clone()), (0, 5..7));
        assert_eq!((spot.start.line, spot.start.column), (2, 2));
        assert_eq!(&src.text[located.range], "ur");
    }

    #[test]
    fn magic_cells_count_the_magic_line() {
        let text = "# MAGIC %sh\n# MAGIC curl x\n";
        let src = source(FileKind::Databricks(Lang::Python), text);
        let at = text.find("curl").unwrap();
        let cell = Cell {
            lang: Lang::Shell,
            code: "curl x\n".into(),
            map: SpanMap::verbatim(at, 7),
            number: Some(1),
            origin: Origin::MagicCell { magic: "sh".into() },
            layers: Vec::new(),
        };
        let located = locate(&src, &[cell], finding(0, 0..4));

        let spot = located.cell.unwrap();
        assert_eq!(
            (spot.start.line, spot.start.column, spot.lines_before),
            (2, 1, 1)
        );
        assert_eq!((located.start.line, located.start.column), (2, 9));
    }

    /// A Databricks Python export and its cells, as the parser cuts them.
    fn databricks(text: &str) -> (SourceFile, Vec<Cell>) {
        let src = source(FileKind::Databricks(Lang::Python), text);
        let cells = imds_lint_parser::split(&src).unwrap();
        (src, cells)
    }

    #[test]
    fn magic_on_the_code_line_is_placed_on_that_line_after_it() {
        let (src, cells) = databricks("# Databricks notebook source\n# MAGIC %sh curl x\n");
        let located = locate(&src, &cells, finding(0, 0..4));

        let spot = located.cell.unwrap();
        assert_eq!((spot.start.line, spot.start.column), (1, 5));
        assert_eq!((spot.end.line, spot.end.column), (1, 9));
        assert_eq!((spot.range, spot.lines_before), (4..8, 0));
        assert_eq!((located.start.line, located.start.column), (2, 13));
    }

    #[test]
    fn bang_line_columns_count_characters_as_written() {
        // Regression: the blanked line held two spaces for `é`, so columns
        // after it were one too many.
        let (src, cells) = databricks(
            "# Databricks notebook source\nimport os\n!echo é; curl http://169.254.169.254/\n",
        );
        assert_eq!(cells[1].origin, Origin::BangLine);
        let at = cells[1].code.find("curl").unwrap();
        let located = locate(&src, &cells, finding(1, at..at + 4));

        let spot = located.cell.unwrap();
        assert_eq!((spot.index, spot.start.line, spot.start.column), (0, 2, 10));
    }

    #[test]
    fn bang_line_is_placed_in_its_python_cell() {
        let text = "import os\n!curl http://169.254.169.254/\n";
        let src = source(FileKind::Python, text);
        let python = Cell {
            code: format!(
                "import os\n0{}\n",
                " ".repeat("curl http://169.254.169.254/".len())
            ),
            number: Some(4),
            origin: Origin::NotebookCell,
            ..Cell::whole_file(Lang::Python, text)
        };
        let bang_at = text.find("curl").unwrap();
        let bang = Cell {
            lang: Lang::Shell,
            code: text[bang_at..text.len() - 1].into(),
            map: SpanMap::verbatim(bang_at, text.len() - 1 - bang_at),
            number: Some(4),
            origin: Origin::BangLine,
            layers: Vec::new(),
        };
        let located = locate(&src, &[python, bang], finding(1, 0..4));

        let spot = located.cell.unwrap();
        assert_eq!((spot.number, spot.index), (4, 0));
        assert_eq!((spot.start.line, spot.start.column), (2, 2));
    }

    #[test]
    fn bang_line_of_another_cell_is_not_its_host() {
        let text = "!curl x\n";
        let src = source(FileKind::Python, text);
        let other = Cell {
            number: Some(1),
            origin: Origin::NotebookCell,
            ..Cell::whole_file(Lang::Python, "")
        };
        let bang = Cell {
            lang: Lang::Shell,
            code: "curl x".into(),
            map: SpanMap::verbatim(1, 6),
            number: Some(2),
            origin: Origin::BangLine,
            layers: Vec::new(),
        };
        let located = locate(&src, &[other, bang], finding(1, 0..4));
        let spot = located.cell.unwrap();
        assert_eq!((spot.number, spot.index, spot.start.line), (2, 1, 1));
    }

    #[test]
    fn host_chain_that_loops_does_not_hang() {
        let text = "ab";
        let cell = Cell {
            origin: Origin::HostString {
                host: 0,
                interpolation: Interpolation::None,
            },
            number: Some(1),
            ..Cell::whole_file(Lang::Shell, text)
        };
        let src = source(FileKind::Shell, text);
        let located = locate(&src, &[cell], finding(0, 0..1));
        assert_eq!(located.cell.map(|s| s.index), Some(0));
    }
}
