//! Which code of a file is worth analysing: the statements that mention the
//! metadata service, and those tied to them by names.
//!
//! A file that passed the prefilter mentions the service somewhere, but in
//! a notebook most cells, and in a module most statements, have nothing to
//! do with it; parsing and walking them was most of the cost of a scan.
//! Python code is cut into top-level statements ([`chunks`]); a statement
//! is analysed when it holds a spelling of the service or an IMDSv1-only
//! client, or when it shares a name with an analysed statement and that
//! name is bound somewhere in the file, so that a constant, a headers dict,
//! a session or a function defined in one cell and used in another is
//! seen wherever it flows. Imports and docstrings are analysed where fixes
//! read them (`keep_only_what_fixes_read`). The rest is blanked out (bytes
//! turned to spaces, line breaks kept), so positions do not move and the
//! analysers need not know; the parser is given the analysed statements'
//! ranges and reads only those ([`Part::analysed`]). Python shares names across cells and `!` lines, Scala across
//! cells (whole cells: a Scala cell is analysed all or not at all); a
//! `%sh` cell runs in a shell of its own and is analysed only if it
//! mentions the service.

pub mod chunks;
mod scala;

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use imds_lint_parser::{Cell, Lang, Origin};

use crate::prefilter;

use self::chunks::Chunk;

/// What to analyse of one cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Focus {
    /// Nothing: no finding can come from it.
    Skip,
    /// All of it.
    Whole,
    /// Only some statements: the cell's code with the others blanked out.
    Part(Part),
}

/// A cell's code as analysed when only some of its statements are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The code with the bytes of the statements left out turned to
    /// spaces, line breaks kept: offsets do not move.
    pub code: String,
    /// Where the analysed statements are, in order, neighbours joined: the
    /// parser reads only these (blank lines still cost it time).
    pub analysed: Vec<Range<usize>>,
}

/// The focus of every cell of a file, and the code left out.
#[derive(Debug, Default)]
pub struct Plan {
    /// One per cell, in cell order.
    pub cells: Vec<Focus>,
    /// The code left out: where a fix looks for names a new variable must
    /// not take.
    pub hidden: Vec<Hidden>,
}

/// A piece of code left out of analysis.
#[derive(Debug, Clone)]
pub struct Hidden {
    /// The cell it is in.
    pub cell: usize,
    /// The cell's language.
    pub lang: Lang,
    /// The statement (a whole cell, for Scala).
    pub chunk: Chunk,
}

/// One piece of code that names flow into and out of: a Python statement,
/// a Scala cell or a `!` line.
struct Piece<'a> {
    cell: usize,
    range: Range<usize>,
    /// Where its logical lines start (Python statements only).
    lines: Vec<usize>,
    /// Words of the piece that some piece binds.
    words: Vec<&'a str>,
    /// Whether it is tied to the service: its names are followed.
    chosen: bool,
    /// Whether it is analysed though not tied to the service (an import,
    /// a docstring): its names are not followed, or every cell that uses an
    /// imported module would be analysed.
    kept: bool,
    /// Whether it imports a module that fixes write requests with: a fix
    /// anywhere in the file names the module as this import does.
    imports_fix_module: bool,
}

impl Piece<'_> {
    /// A cell taken as one piece (a Scala cell, a `!` line), chosen if it
    /// mentions the service.
    fn whole_cell(index: usize, cell: &Cell) -> Self {
        Piece {
            cell: index,
            range: 0..cell.code.len(),
            lines: Vec::new(),
            words: Vec::new(),
            chosen: mentions_service(&cell.code),
            kept: false,
            imports_fix_module: false,
        }
    }

    fn analysed(&self) -> bool {
        self.chosen || self.kept
    }
}

/// A hasher for the short words of code: the standard one is built to
/// resist chosen keys, which the words of one file need not, at several
/// times the cost (it showed in profiles of dense workspaces).
#[derive(Default)]
struct WordHasher(u64);

impl Hasher for WordHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type Words<'a> = HashSet<&'a str, BuildHasherDefault<WordHasher>>;

/// Decides what to analyse in `cells`.
pub fn plan(cells: &[Cell]) -> Plan {
    let mut focus: Vec<Focus> = cells.iter().map(|_| Focus::Whole).collect();
    let mut pieces: Vec<Piece> = Vec::new();
    // Python cells, their statements, and the index of the first
    // statement's piece.
    let mut chunked: Vec<(usize, Vec<Chunk>, usize)> = Vec::new();
    let mut bound: Words = Words::default();

    for (index, cell) in cells.iter().enumerate() {
        match (cell.lang, &cell.origin) {
            (Lang::Python, _) => {
                let chunks = chunks::split(&cell.code);
                // A statement mentions the service only if its cell does:
                // one search of the cell spares one per statement in most.
                let cell_mentions = mentions_service(&cell.code);
                let first = pieces.len();
                for chunk in &chunks {
                    bound.extend(chunks::bound_names(&cell.code, chunk));
                    let text = &cell.code[chunk.range.clone()];
                    let kept = kept_for_fixes(&cell.code, chunk);
                    pieces.push(Piece {
                        cell: index,
                        range: chunk.range.clone(),
                        lines: chunk.lines.clone(),
                        words: Vec::new(),
                        chosen: cell_mentions && mentions_service_in_code(text),
                        kept: kept != Kept::No,
                        imports_fix_module: kept == Kept::FixModuleImport,
                    });
                }
                chunked.push((index, chunks, first));
            }
            (Lang::Scala, _) => {
                bound.extend(scala::bound_names(&cell.code));
                pieces.push(Piece::whole_cell(index, cell));
            }
            (Lang::Shell, Origin::BangLine) => pieces.push(Piece::whole_cell(index, cell)),
            (Lang::Shell, _) if !mentions_service(&cell.code) => focus[index] = Focus::Skip,
            _ => {}
        }
    }
    for piece in &mut pieces {
        let text = &cells[piece.cell].code[piece.range.clone()];
        let mut words: Vec<&str> = chunks::words(text).filter(|w| bound.contains(w)).collect();
        words.sort_unstable();
        words.dedup();
        piece.words = words;
    }

    close_over_names(&mut pieces);
    keep_only_what_fixes_read(&mut pieces, cells.len());

    let mut plan = Plan::default();
    for (index, chunks, first) in &chunked {
        let cell_pieces = &pieces[*first..*first + chunks.len()];
        focus[*index] = if cell_pieces.iter().all(Piece::analysed) {
            Focus::Whole
        } else if !cell_pieces.iter().any(Piece::analysed) {
            Focus::Skip
        } else {
            let left_out: Vec<Range<usize>> = cell_pieces
                .iter()
                .filter(|p| !p.analysed())
                .map(|p| p.range.clone())
                .collect();
            let mut analysed: Vec<Range<usize>> = Vec::new();
            for piece in cell_pieces.iter().filter(|p| p.analysed()) {
                match analysed.last_mut() {
                    Some(last) if last.end == piece.range.start => last.end = piece.range.end,
                    _ => analysed.push(piece.range.clone()),
                }
            }
            Focus::Part(Part {
                code: blank(&cells[*index].code, &left_out),
                analysed,
            })
        };
    }
    for piece in pieces.iter().filter(|p| !p.analysed()) {
        let cell = &cells[piece.cell];
        if cell.origin == Origin::BangLine {
            // A `!` line binds no Python name.
            focus[piece.cell] = Focus::Skip;
            continue;
        }
        if cell.lang == Lang::Scala {
            focus[piece.cell] = Focus::Skip;
        }
        plan.hidden.push(Hidden {
            cell: piece.cell,
            lang: cell.lang,
            chunk: Chunk {
                range: piece.range.clone(),
                lines: piece.lines.clone(),
            },
        });
    }
    plan.cells = focus;
    plan
}

/// Chooses every piece that shares a bound name with a chosen one, and so
/// on, until no more can be: each name and each piece is taken up once.
fn close_over_names(pieces: &mut [Piece]) {
    let mut holding: HashMap<&str, Vec<usize>, BuildHasherDefault<WordHasher>> = HashMap::default();
    for (index, piece) in pieces.iter().enumerate() {
        for &word in &piece.words {
            holding.entry(word).or_default().push(index);
        }
    }
    let mut seen: Words = Words::default();
    let mut names: Vec<&str> = Vec::new();
    for piece in pieces.iter().filter(|p| p.chosen) {
        for &word in &piece.words {
            if seen.insert(word) {
                names.push(word);
            }
        }
    }
    while let Some(name) = names.pop() {
        for &index in holding.get(name).map_or(&[][..], Vec::as_slice) {
            let piece = &mut pieces[index];
            if piece.chosen {
                continue;
            }
            piece.chosen = true;
            for &word in &piece.words {
                if seen.insert(word) {
                    names.push(word);
                }
            }
        }
    }
}

/// Whether `text` holds a spelling of the service or an IMDSv1-only client.
fn mentions_service(text: &str) -> bool {
    prefilter::worth_checking(text.as_bytes())
}

/// The same for a Python statement, outside its comments: a comment that
/// names the address (and they are common) makes no request, and choosing
/// its statement would pull in every statement tied to it by names.
fn mentions_service_in_code(statement: &str) -> bool {
    mentions_service(statement) && mentions_service(&chunks::without_comments(statement))
}

/// Why a statement is analysed though not tied to the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kept {
    No,
    /// An import or a docstring: a fix that adds an import to its cell
    /// places it after them, in their style.
    Placement,
    /// An import of a module fixes write requests with (`requests`,
    /// `urllib.request`...): a fix in any cell names the module through it.
    FixModuleImport,
}

/// The modules (or their packages) whose names fixes write.
const FIX_MODULES: [&str; 5] = ["requests", "httpx", "urllib3", "urllib", "http"];

fn kept_for_fixes(code: &str, chunk: &Chunk) -> Kept {
    let text = code[chunk.range.clone()].trim_start();
    let mut words = chunks::words(text);
    if matches!(words.next(), Some("import" | "from")) {
        if words.any(|word| FIX_MODULES.contains(&word)) {
            Kept::FixModuleImport
        } else {
            Kept::Placement
        }
    } else if chunk.range.start == code.len() - code.trim_start().len()
        && text.starts_with(['"', '\''])
    {
        Kept::Placement
    } else {
        Kept::No
    }
}

/// Imports and docstrings kept for a fix's placement matter only in a cell
/// a fix can be in: one with code tied to the service. Elsewhere, only the
/// imports of modules fixes name are still read.
fn keep_only_what_fixes_read(pieces: &mut [Piece], cells: usize) {
    let mut fixable_cell = vec![false; cells];
    for piece in pieces.iter().filter(|p| p.chosen) {
        fixable_cell[piece.cell] = true;
    }
    for piece in pieces.iter_mut() {
        if piece.kept && !piece.chosen && !fixable_cell[piece.cell] {
            piece.kept = piece.imports_fix_module;
        }
    }
}

/// `code` with the bytes of `ranges` turned to spaces, line breaks kept.
fn blank(code: &str, ranges: &[Range<usize>]) -> String {
    let mut bytes = code.as_bytes().to_vec();
    for range in ranges {
        for byte in &mut bytes[range.clone()] {
            if !matches!(*byte, b'\n' | b'\r') {
                *byte = b' ';
            }
        }
    }
    // Whole ranges of a valid string become ASCII: still valid UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|_| code.to_owned())
}

/// Names starting with `prefix` that code left out of analysis holds,
/// as analysing all of it would have seen them when fixing cell `index`:
/// the module-level names bound in earlier cells, and every name of the
/// cell itself (comments aside). `code` gives a cell's whole code.
pub fn hidden_names<'a>(
    code: impl Fn(usize) -> Option<&'a str>,
    hidden: &[Hidden],
    index: usize,
    lang: Lang,
    prefix: &str,
) -> HashSet<String> {
    let mut names = HashSet::new();
    for piece in hidden.iter().filter(|h| h.lang == lang && h.cell <= index) {
        let Some(text) = code(piece.cell) else {
            continue;
        };
        let Some(chunk_text) = text.get(piece.chunk.range.clone()) else {
            continue;
        };
        if !chunk_text.contains(prefix) {
            continue;
        }
        if piece.cell == index {
            let code_only = chunks::without_comments(chunk_text);
            names.extend(
                chunks::words(&code_only)
                    .filter(|w| w.starts_with(prefix))
                    .map(str::to_owned),
            );
        } else {
            names.extend(
                bound_in(text, piece)
                    .into_iter()
                    .filter(|w| w.starts_with(prefix))
                    .map(str::to_owned),
            );
        }
    }
    names
}

/// Whether code left out of analysis, in cell `index` or before it, binds
/// `name` at module level: a fix must not take it for a module or a class.
pub fn hidden_binds<'a>(
    code: impl Fn(usize) -> Option<&'a str>,
    hidden: &[Hidden],
    index: usize,
    lang: Lang,
    name: &str,
) -> bool {
    hidden
        .iter()
        .filter(|h| h.lang == lang && h.cell <= index)
        .any(|piece| {
            code(piece.cell).is_some_and(|text| {
                text.get(piece.chunk.range.clone())
                    .is_some_and(|t| t.contains(name))
                    && bound_in(text, piece).contains(&name)
            })
        })
}

/// The names a left-out piece binds for the code after it.
fn bound_in<'a>(code: &'a str, piece: &Hidden) -> Vec<&'a str> {
    match piece.lang {
        Lang::Scala => code
            .get(piece.chunk.range.clone())
            .map(scala::bound_names)
            .unwrap_or_default(),
        _ => chunks::bound_names(code, &piece.chunk),
    }
}

#[cfg(test)]
mod tests;
