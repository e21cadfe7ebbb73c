//! Finds IMDSv1 requests in parsed cells and proposes fixes.
//!
//! Input: a file's cells. Output: [`Finding`]s. Nothing here reads files or
//! prints. Each language has an analyser ([`shell`], [`python`], [`scala`])
//! that reconstructs [`Request`]s from syntax trees, resolving URLs and
//! headers held in variables; the [`rules`] judge them; the analysers then
//! attach fixes, because only they know the syntax to write.

pub mod endpoint;
mod finding;
pub mod prefilter;
pub mod python;
pub mod request;
pub mod rules;
pub mod scala;
mod settings;
pub mod shell;
pub mod suppression;
pub mod text;

pub use finding::{Finding, Rule};
pub use request::{Header, Headers, Method, Request};
pub use settings::Settings;
pub use text::{Env, Piece, Text};

use imds_lint_parser::{Cell, Lang, Origin};

/// The cells of one file, and the findings so far. Analysers append nested
/// cells (shell code inside host strings) to `cells` as they find them.
#[derive(Debug)]
pub struct FileCheck<'a> {
    /// The file's cells; nested cells are appended after the file's own.
    pub cells: Vec<Cell>,
    /// Findings, in the order found.
    pub findings: Vec<Finding>,
    /// The settings in force.
    pub settings: &'a Settings,
}

impl FileCheck<'_> {
    /// Adds a shell cell found in a string of another cell, analyses it
    /// with `outer` as the variables it can see, and returns its index.
    pub fn add_nested_shell(&mut self, cell: Cell, outer: &Env) -> usize {
        self.cells.push(cell);
        let index = self.cells.len() - 1;
        shell::check_cell(self, index, outer);
        index
    }
}

/// Checks the cells of one file; returns them (with any nested cells
/// appended) and the findings sorted by cell and position.
pub fn check(cells: Vec<Cell>, settings: &Settings) -> (Vec<Cell>, Vec<Finding>) {
    let mut file = FileCheck {
        cells,
        findings: Vec::new(),
        settings,
    };
    let mut python = python::Analyzer::default();
    let mut scala = scala::Analyzer::default();
    let own = file.cells.len();

    for index in 0..own {
        let cell = &file.cells[index];
        match (cell.lang, &cell.origin) {
            (Lang::Python, _) => python.check_cell(&mut file, index),
            (Lang::Scala, _) => scala.check_cell(&mut file, index),
            (Lang::Shell, Origin::BangLine) => {
                let outer = python.globals().clone();
                shell::check_cell(&mut file, index, &outer);
            }
            (Lang::Shell, _) => shell::check_cell(&mut file, index, &Env::new()),
            (Lang::Sql | Lang::R | Lang::Markdown, _) => {}
        }
    }

    let FileCheck {
        cells,
        mut findings,
        ..
    } = file;
    findings.sort_by_key(|f| (position_key(&cells, f), f.rule));
    findings.dedup_by(|a, b| a.rule == b.rule && a.cell == b.cell && a.range == b.range);
    (cells, findings)
}

/// Findings sort by where they are in the file as stored.
fn position_key(cells: &[Cell], finding: &Finding) -> (usize, usize) {
    let range = cells[finding.cell].map.file_range(finding.range.clone());
    (range.start, range.end)
}
