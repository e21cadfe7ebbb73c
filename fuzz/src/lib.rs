//! The properties the fuzz targets check, one function per target.
//!
//! Each function takes arbitrary bytes, runs them through one part of
//! imds-lint, and panics when a property breaks; returning is success.
//! libFuzzer calls them from `fuzz_targets/`, and the stable replay test
//! (`crates/rewriter/tests/fuzz_corpus_replay.rs`) includes this file with
//! `#[path]` and feeds it every file of `fuzz/corpus/`, so `cargo test`
//! checks the same properties without libFuzzer.

use std::ops::Range;
use std::path::Path;

use imds_lint_parser::{
    quick_read_agrees, split, syntax, Applicability, Cell, FileKind, Lang, Origin, SourceFile,
};
use imds_lint_rewriter::{apply, fix_file, plan, FileEdit};
use imds_lint_rules::{check, check_all_code, Finding, Settings};

/// How many more applications of the fixes a file may need: an
/// overlapping fix waits for the next one, and a fix can make another
/// possible (an import added in one cell that a later cell's fix uses).
/// `--fix` runs them in one go; past this the fixes do not settle.
const SETTLE_RUNS: usize = 8;

/// Target `notebook_span_map`: the bytes as a Jupyter notebook and as a
/// Databricks export in each language. Reading never panics, the quick
/// notebook reader agrees with serde, and every cell's span map is sound
/// against the file.
pub fn notebook_span_map(data: &[u8]) {
    // The notebook reader's quick path reads what serde reads, or leaves
    // the text to it.
    if let Ok(text) = std::str::from_utf8(data) {
        let json = text.strip_prefix('\u{feff}').unwrap_or(text);
        assert!(
            quick_read_agrees(json),
            "the quick reader disagrees with serde"
        );
    }
    for name in ["fuzz.ipynb", "fuzz.py", "fuzz.scala", "fuzz.sql", "fuzz.r"] {
        let Some((source, cells)) = read(name, data) else {
            continue;
        };
        for cell in &cells {
            assert_map_sound(&source.text, cell);
        }
        assert_numbers_ordered(&cells);
    }
}

/// Target `detection`: the bytes as one Python, one shell and one Scala
/// file through the rules. No panic; every cell (nested ones included) has
/// a sound map; every finding and fix edit lies inside its cell.
pub fn detection(data: &[u8]) {
    for (name, kind) in [
        ("fuzz.py", FileKind::Python),
        ("fuzz.sh", FileKind::Shell),
        ("fuzz.scala", FileKind::Scala),
    ] {
        let Ok(source) = SourceFile::from_bytes(Path::new(name), kind, data.to_vec()) else {
            continue;
        };
        let cells = match split(&source) {
            Ok(cells) => cells,
            Err(e) => panic!("a plain {name} must always split: {e}"),
        };
        let own = cells.len();
        // Code that parses: analysing only what the focus step keeps finds
        // exactly what analysing all of it does. (Broken code is analysed
        // from tree-sitter's guesses, which blanking may change.)
        let parses = cells
            .iter()
            .all(|cell| !cell.lang.is_analysed() || syntax::parses_cleanly(cell.lang, &cell.code));
        let everything = parses.then(|| {
            let (cells, findings) = check_all_code(cells.clone(), &Settings::default());
            comparable(&cells, &findings)
        });
        let (cells, findings) = check(cells, &Settings::default());
        assert_checked_sound(&source.text, own, &cells, &findings);
        if let Some(everything) = everything {
            assert_eq!(
                comparable(&cells, &findings),
                everything,
                "{name}: the focused check differs from checking all code"
            );
        }
    }
}

/// The findings as a user sees them, to compare two checks of one file:
/// each names its cell by where the cell starts in the file, not by its
/// index. Code in strings is numbered as the analysers meet it, after the
/// file's own cells, so a string left out of a focused check (it holds
/// no request) shifts the numbers of the strings after it.
fn comparable(cells: &[Cell], findings: &[Finding]) -> Vec<String> {
    findings
        .iter()
        .map(|finding| {
            let cell = &cells[finding.cell];
            let place = match cell.origin {
                Origin::HostString { .. } => format!("string at {}", cell.map.file_start(0)),
                _ => format!("cell {}", finding.cell),
            };
            let numbered = Finding {
                cell: 0,
                ..finding.clone()
            };
            format!("{place}: {numbered:?}")
        })
        .collect()
}

/// Target `scan_then_fix`: the bytes as a notebook (when they start like
/// JSON) or as a shell, Python and Scala file (Databricks exports when the
/// header is there), checked and fixed with unsafe fixes included.
///
/// A fix touches only bytes inside its own cell, the fixed text reads into
/// the same cells with no new syntax error, and applying the fixes again
/// settles within a few applications, as `--fix`'s own rounds do.
pub fn scan_then_fix(data: &[u8]) {
    let json = data
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{');
    let names: &[&str] = if json {
        &["fuzz.ipynb"]
    } else {
        &["fuzz.sh", "fuzz.py", "fuzz.scala"]
    };
    for name in names {
        let Some((source, cells)) = read(name, data) else {
            continue;
        };
        let settings = Settings::default();
        let own = cells.len();
        let (cells, findings) = check(cells, &settings);
        assert_checked_sound(&source.text, own, &cells, &findings);

        let fixed = fix_file(&source, &cells, &findings, &settings, Applicability::Unsafe);
        if fixed.applied.is_empty() {
            assert_eq!(
                fixed.text, source.text,
                "{name}: nothing applied, text changed"
            );
            continue;
        }
        let edits = applied_edits(&cells, &findings, &fixed.applied);
        assert_eq!(
            apply(&source.text, &edits),
            fixed.text,
            "{name}: the fixed text is not its edits applied"
        );
        assert_edits_inside_cells(&source.text, &cells, &findings, &fixed.applied);
        assert_outside_unchanged(&source.text, &fixed.text, &edits);
        assert_still_reads(&source, &cells, &fixed.text);
        assert_settles(&source, &fixed.text);
    }
}

/// Reads `data` as the file `name` the way the tool does; `None` when the
/// tool would refuse it (that refusal is the tested behaviour).
fn read(name: &str, data: &[u8]) -> Option<(SourceFile, Vec<Cell>)> {
    let path = Path::new(name);
    let kind = FileKind::detect(path, data)?;
    let source = SourceFile::from_bytes(path, kind, data.to_vec()).ok()?;
    let cells = split(&source).ok()?;
    Some((source, cells))
}

/// A span map covers its cell without gaps, runs forward through the file,
/// stays inside it on character boundaries, and its verbatim runs hold the
/// cell's own bytes.
pub fn assert_map_sound(text: &str, cell: &Cell) {
    let code = &cell.code;
    assert_eq!(cell.map.cell_len(), code.len(), "map length of {code:?}");

    let mut cell_at = 0;
    let mut file_at = 0;
    for seg in cell.map.segments() {
        assert_eq!(seg.cell, cell_at, "gap in the map of {code:?}");
        assert!(seg.file >= file_at, "map runs backwards in {code:?}");
        let file = seg.file..seg.file + seg.file_len;
        assert!(file.end <= text.len(), "map past the end: {file:?}");
        assert_boundaries(text, &file, "segment");
        if seg.cell_len == seg.file_len {
            assert_verbatim(
                cell,
                &text[file.clone()],
                &code[seg.cell..seg.cell + seg.cell_len],
            );
        }
        cell_at = seg.cell + seg.cell_len;
        file_at = file.end;
    }

    // Every offset maps inside the file, on a boundary, in order.
    let mut last = 0;
    for offset in (0..=code.len()).filter(|&i| code.is_char_boundary(i)) {
        let range = cell.map.file_range(offset..offset);
        assert!(range.start >= last, "offset {offset} maps backwards");
        assert!(
            range.start <= text.len(),
            "offset {offset} maps past the end"
        );
        let end = cell.map.file_end(offset);
        assert!(end <= text.len(), "end {offset} maps past the end");
        last = range.start;
        if blanked_inside_char(cell, text, offset, range.start) {
            continue;
        }
        assert!(
            text.is_char_boundary(range.start),
            "offset {offset} inside a char"
        );
        assert!(text.is_char_boundary(end), "end {offset} inside a char");
    }
    let whole = cell.map.file_range(0..code.len());
    assert!(
        whole.start <= whole.end && whole.end <= text.len(),
        "{whole:?}"
    );
}

/// A verbatim run holds the file's bytes, except IPython escapes and line
/// magics in a Python cell, which the parser blanks to `0` and spaces of the
/// same length so that offsets stay put.
fn assert_verbatim(cell: &Cell, stored: &str, code: &str) {
    if stored == code {
        return;
    }
    let blanked = cell.lang == Lang::Python
        && stored
            .bytes()
            .zip(code.bytes())
            .all(|(s, c)| s == c || c == b' ' || c == b'0');
    assert!(
        blanked,
        "verbatim run differs from the file:\n{stored:?}\n{code:?}"
    );
}

/// Whether cell `offset` falls between the spaces that blank one non-ASCII
/// character of an IPython escape in a Python cell (`!echo é` becomes `0`
/// and spaces of the same byte length): such an offset is a character
/// boundary in the cell but not in the file. No range a rule reports or
/// edits starts there; the edit checks of `scan_then_fix` would catch one.
fn blanked_inside_char(cell: &Cell, text: &str, offset: usize, at: usize) -> bool {
    cell.lang == Lang::Python
        && cell.code.as_bytes().get(offset) == Some(&b' ')
        && text
            .as_bytes()
            .get(at)
            .is_some_and(|b| (0x80..0xC0).contains(b))
}

/// Cell numbers never go down: cells are in notebook order.
fn assert_numbers_ordered(cells: &[Cell]) {
    let numbers: Vec<usize> = cells.iter().filter_map(|c| c.number).collect();
    assert!(
        numbers.windows(2).all(|w| w[0] <= w[1]),
        "cell numbers out of order: {numbers:?}"
    );
}

/// After the rules ran: nested cells point at an own host, every map is
/// sound, and every finding and every fix edit lies inside its cell.
pub fn assert_checked_sound(text: &str, own: usize, cells: &[Cell], findings: &[Finding]) {
    for (index, cell) in cells.iter().enumerate() {
        assert_map_sound(text, cell);
        if let Origin::HostString { host, .. } = cell.origin {
            assert!(host < index, "nested cell {index} has host {host}");
        } else {
            assert!(index < own, "cell {index} is not nested but was added");
        }
    }
    for finding in findings {
        let cell = cells
            .get(finding.cell)
            .unwrap_or_else(|| panic!("finding in cell {} of {}", finding.cell, cells.len()));
        assert_inside(&cell.code, &finding.range, "finding");
        for edit in finding.fix.iter().flat_map(|fix| &fix.edits) {
            assert_inside(&cell.code, &edit.range, "fix edit");
        }
    }
}

fn assert_inside(code: &str, range: &Range<usize>, what: &str) {
    assert!(
        range.start <= range.end && range.end <= code.len(),
        "{what} {range:?} outside a cell of {} bytes",
        code.len()
    );
    assert_boundaries(code, range, what);
}

fn assert_boundaries(text: &str, range: &Range<usize>, what: &str) {
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{what} {range:?} cuts a character"
    );
}

/// The file edits of exactly the applied findings, as the rewriter plans
/// them.
fn applied_edits(cells: &[Cell], findings: &[Finding], applied: &[usize]) -> Vec<FileEdit> {
    let others: Vec<usize> = (0..findings.len())
        .filter(|i| !applied.contains(i))
        .collect();
    let plan = plan(cells, findings, Applicability::Unsafe, &others);
    assert_eq!(plan.applied, applied, "the plan does not reproduce the fix");
    plan.edits
}

/// Each applied edit stays within the file bytes of its own cell.
fn assert_edits_inside_cells(text: &str, cells: &[Cell], findings: &[Finding], applied: &[usize]) {
    for &index in applied {
        let finding = &findings[index];
        let cell = &cells[finding.cell];
        let span = cell.map.file_range(0..cell.code.len());
        for edit in finding.fix.iter().flat_map(|fix| &fix.edits) {
            let range = cell.map.file_range(edit.range.clone());
            assert!(
                span.start <= range.start && range.end <= span.end,
                "edit {:?} -> {range:?} leaves its cell's bytes {span:?}",
                edit.range
            );
            assert_boundaries(text, &range, "file edit");
        }
    }
}

/// Between and around the edits, the new text holds the old bytes, in
/// order; edits are sorted and do not overlap.
fn assert_outside_unchanged(old: &str, new: &str, edits: &[FileEdit]) {
    let (mut old_at, mut new_at) = (0, 0);
    for edit in edits {
        assert!(edit.range.start >= old_at, "edits overlap or are unsorted");
        let gap = &old.as_bytes()[old_at..edit.range.start];
        assert_eq!(
            new.as_bytes().get(new_at..new_at + gap.len()),
            Some(gap),
            "bytes {old_at}..{} changed",
            edit.range.start
        );
        new_at += gap.len() + edit.content.len();
        old_at = edit.range.end;
    }
    assert_eq!(
        &new.as_bytes()[new_at..],
        &old.as_bytes()[old_at..],
        "tail changed"
    );
}

/// The fixed text reads as the same kind into the same own cells, and no
/// cell that parsed before has a syntax error now.
fn assert_still_reads(source: &SourceFile, cells: &[Cell], fixed: &str) {
    let again = SourceFile::from_bytes(&source.path, source.kind, fixed.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("the fixed file does not read: {e}"));
    let new_cells = split(&again).unwrap_or_else(|e| panic!("the fixed file does not split: {e}"));
    let own: Vec<&Cell> = cells
        .iter()
        .filter(|c| !matches!(c.origin, Origin::HostString { .. }))
        .collect();
    assert_eq!(new_cells.len(), own.len(), "the fix changed the cells");
    for (old, new) in own.iter().zip(&new_cells) {
        assert_eq!(old.lang, new.lang, "the fix changed a cell's language");
        if parses(old) {
            assert!(parses(new), "the fix broke a cell:\n{}", new.code);
        }
        assert_map_sound(fixed, new);
    }
}

fn parses(cell: &Cell) -> bool {
    !cell.lang.is_analysed() || imds_lint_parser::syntax::parses_cleanly(cell.lang, &cell.code)
}

/// Applying the fixes of the fixed text again reaches a text that no
/// further application changes within [`SETTLE_RUNS`].
fn assert_settles(source: &SourceFile, fixed: &str) {
    let runs = SETTLE_RUNS;
    let mut text = fixed.to_owned();
    for _ in 0..runs {
        let again = fix_text(source, &text);
        if again == text {
            return;
        }
        text = again;
    }
    panic!(
        "fixing again still changes the file after {runs} run(s):\n{}",
        imds_lint_rewriter::unified_diff("fixed", fixed, &text)
    );
}

/// One in-memory `--fix --unsafe-fixes` run over `text` read as `like`.
fn fix_text(like: &SourceFile, text: &str) -> String {
    let source = SourceFile::from_bytes(&like.path, like.kind, text.as_bytes().to_vec())
        .unwrap_or_else(|e| panic!("fixed text does not read: {e}"));
    let cells = split(&source).unwrap_or_else(|e| panic!("fixed text does not split: {e}"));
    let settings = Settings::default();
    let (cells, findings) = check(cells, &settings);
    fix_file(&source, &cells, &findings, &settings, Applicability::Unsafe).text
}
