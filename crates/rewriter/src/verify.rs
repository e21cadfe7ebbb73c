//! Checking fixed text before anything is written: it must still split
//! into the same cells, and no cell may gain a syntax error.

use imds_lint_parser::{split, syntax, Cell, Origin, SourceFile};
use imds_lint_rules::{check_verifying, Finding, Settings};

/// A file's text read again after fixing: its cells and findings.
#[derive(Debug)]
pub struct Rechecked {
    /// The new text, read.
    pub source: SourceFile,
    /// The cells of the new text (nested cells included).
    pub cells: Vec<Cell>,
    /// What is left to report in the new text.
    pub findings: Vec<Finding>,
}

/// Why fixed text was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Broken {
    /// The file no longer reads (notebook JSON broken, cells merged).
    Structure(String),
    /// These cells of the original (indexes) no longer parse.
    Cells(Vec<usize>),
    /// These cells of the original did not parse before the fix either:
    /// their trees are guesses, and code is not rewritten from a guess.
    Unparsed(Vec<usize>),
    /// Shell code inside host strings no longer parses.
    NestedCells,
}

/// Reads `text` as `original`'s kind, and compares it with the original's
/// `cells`: same number of own cells, no new syntax errors.
pub fn verify(
    original: &SourceFile,
    cells: &[Cell],
    text: &str,
    settings: &Settings,
) -> Result<Rechecked, Broken> {
    let source = SourceFile::from_bytes(&original.path, original.kind, text.as_bytes().to_vec())
        .map_err(|e| Broken::Structure(e.to_string()))?;
    let new_cells = split(&source).map_err(|e| Broken::Structure(e.to_string()))?;

    let own = |cells: &[Cell]| cells.iter().filter(|c| !is_nested(c)).count();
    if own(&new_cells) != own(cells) {
        return Err(Broken::Structure(
            "the fix changed the file's cells".to_owned(),
        ));
    }

    // A cell the fix left as it was cannot have gained an error: only
    // changed cells are checked, analysed whole so that the analysers' own
    // parses tell (a cell they did not parse is parsed here), and the old
    // one only if the new one fails, to tell a fix that broke the code
    // from code that was broken.
    let changed: Vec<usize> = cells
        .iter()
        .zip(&new_cells)
        .enumerate()
        .filter(|(_, (old, new))| !is_nested(old) && old.code != new.code)
        .map(|(i, _)| i)
        .collect();
    let (new_cells, findings, parsed) = check_verifying(new_cells, settings, &changed);
    let new_has_error = |i: usize| parsed[i].unwrap_or_else(|| has_error(&new_cells[i]));
    let (unparsed, broken): (Vec<usize>, Vec<usize>) = changed
        .into_iter()
        .filter(|&i| new_has_error(i))
        .partition(|&i| has_error(&cells[i]));
    if !unparsed.is_empty() {
        return Err(Broken::Unparsed(unparsed));
    }
    if !broken.is_empty() {
        return Err(Broken::Cells(broken));
    }

    // Nested cells are not matched one to one (a fix may add a string), so
    // errors are counted; the original's only when the new text has some.
    let new_errors = (0..new_cells.len())
        .filter(|&i| is_nested(&new_cells[i]) && new_has_error(i))
        .count();
    let nested_errors = |cells: &[Cell]| {
        cells
            .iter()
            .filter(|c| is_nested(c) && has_error(c))
            .count()
    };
    if new_errors > 0 && new_errors > nested_errors(cells) {
        return Err(Broken::NestedCells);
    }
    Ok(Rechecked {
        source,
        cells: new_cells,
        findings,
    })
}

fn is_nested(cell: &Cell) -> bool {
    matches!(cell.origin, Origin::HostString { .. })
}

fn has_error(cell: &Cell) -> bool {
    cell.lang.is_analysed() && !syntax::parses_cleanly(cell.lang, &cell.code)
}
