//! Finds IMDSv1 requests in parsed cells and proposes fixes.
//!
//! Input: a file's cells. Output: [`Finding`]s. Nothing here reads files or
//! prints. Each language has an analyser ([`shell`], [`python`], [`scala`])
//! that reconstructs [`Request`]s from syntax trees, resolving URLs and
//! headers held in variables; the [`rules`] judge them; the analysers then
//! attach fixes, because only they know the syntax to write.

pub mod endpoint;
mod finding;
pub mod focus;
mod node_map;
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

use std::collections::{HashMap, HashSet};

use imds_lint_parser::encode::encode;
use imds_lint_parser::{bang_host, syntax, Cell, Interpolation, Lang, Origin};

use crate::focus::Focus;

/// Why a request in Python that shell code runs gets no fix, when the fix
/// needs a character the shell's quoting cannot hold.
const UNQUOTABLE_HELP: &str = "no automatic fix: the fix needs characters that the code \
     around this Python cannot hold as they are (a `'` inside a single-quoted shell word, a \
     quote in a raw string, a `{` in an f-string, a `$` on a `!` line); fetch a token and send \
     it in the `X-aws-ec2-metadata-token` header by hand";

/// How deep cells found in other cells' strings may nest when the
/// languages alternate (shell running Python running shell...): each
/// level is analysed by a fresh call, so the depth is bounded for the
/// stack's sake; real code nests one or two levels.
const MAX_NESTED_CELLS: usize = 8;

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
    /// Code left out of analysis (see [`focus`]).
    pub hidden: Vec<focus::Hidden>,
    /// The whole code of the cell being analysed while a part of it stands
    /// in its place.
    pub whole: Option<(usize, String)>,
    /// Where the statements analysed in that part are (see
    /// [`focus::Part`]); empty while a whole cell is analysed.
    pub part_ranges: Vec<std::ops::Range<usize>>,
    /// By cell, whether the analyser's parse of its whole code had syntax
    /// errors; `None` for a cell not parsed whole (see [`check_verifying`]).
    pub syntax_errors: Vec<Option<bool>>,
    /// Cells an analyser did not parse, and why (see [`syntax::refusal`]).
    pub refused: Vec<Refused>,
}

/// A cell an analyser did not parse: too big, or nested too deeply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The cell's index.
    pub cell: usize,
    /// Why, for the user.
    pub why: String,
}

impl FileCheck<'_> {
    /// The tree of `code` (of it, the bytes in `ranges`) for the analyser
    /// of cell `index`; `None` when it is not parsed, and the cell noted as
    /// refused when it is too big or nested too deeply.
    pub fn parse(
        &mut self,
        index: usize,
        lang: Lang,
        code: &str,
        ranges: &[std::ops::Range<usize>],
    ) -> Option<tree_sitter::Tree> {
        syntax::parse_or_refuse(lang, code, ranges).unwrap_or_else(|why| {
            self.refused.push(Refused { cell: index, why });
            None
        })
    }

    /// Adds a shell cell found in a string of another cell, analyses it
    /// with `outer` as the variables it can see, and returns its index.
    pub fn add_nested_shell(&mut self, cell: Cell, outer: &Env) -> usize {
        self.cells.push(cell);
        let index = self.cells.len() - 1;
        shell::check_cell(self, index, outer);
        index
    }

    /// Adds a Python cell found in shell code (`python3 -c`, a heredoc),
    /// analysed as the separate process it is: with none of the file's
    /// other names. `broken`: the shell code around it does not parse, so
    /// where its text is, and a fix's, is a guess. Nesting that alternates
    /// languages stops at [`MAX_NESTED_CELLS`] deep.
    pub fn add_nested_python(&mut self, cell: Cell, broken: bool) {
        if self.nesting_depth(&cell) >= MAX_NESTED_CELLS {
            return;
        }
        self.cells.push(cell);
        let index = self.cells.len() - 1;
        let first = self.findings.len();
        python::Analyzer::default().check_cell(self, index);
        let expanded = self.expanded_by_hosts(index);
        // Its findings, and those of shell code it runs in turn.
        for finding in &mut self.findings[first..] {
            let Some(fix) = &finding.fix else {
                continue;
            };
            let cell = &self.cells[finding.cell];
            let unwritable =
                |text: &str| encode(cell, text).is_err() || text.contains(&expanded[..]);
            if broken {
                finding.help = Some(shell::UNPARSED_HELP.to_owned());
            } else if fix.edits.iter().any(|e| unwritable(&e.content)) {
                finding.help = Some(UNQUOTABLE_HELP.to_owned());
            } else {
                continue;
            }
            finding.fix = None;
        }
    }

    /// The characters some host of cell `index` reads as its own before
    /// the code runs: `{` and `}` of a Python f-string, `$` of a Scala
    /// `s"..."`, both on an IPython `!` line. Text a fix writes with one
    /// of them would be read as the host's value.
    fn expanded_by_hosts(&self, index: usize) -> Vec<char> {
        let chain = std::iter::once(index).chain(hosts(&self.cells, index));
        let mut expanded = Vec::new();
        for cell in chain.take(MAX_NESTED_CELLS + 1) {
            let interpolation = match self.cells.get(cell).map(|c| &c.origin) {
                Some(Origin::BangLine) => Interpolation::IPython,
                Some(Origin::HostString { interpolation, .. }) => *interpolation,
                _ => Interpolation::None,
            };
            expanded.extend(match interpolation {
                Interpolation::None => &[][..],
                Interpolation::Braces => &['{', '}'],
                Interpolation::Dollar => &['$'],
                Interpolation::IPython => &['$', '{', '}'],
            });
        }
        expanded
    }

    /// Whether cell `index` is Python that shell code runs: a process of
    /// its own, which none of the file's code left out of analysis binds
    /// names for.
    fn runs_apart(&self, index: usize) -> bool {
        self.cells.get(index).is_some_and(|cell| {
            cell.lang == Lang::Python && matches!(cell.origin, Origin::HostString { .. })
        })
    }

    /// How many cells `cell` is nested in, counted up to one past
    /// [`MAX_NESTED_CELLS`].
    fn nesting_depth(&self, cell: &Cell) -> usize {
        match cell.origin {
            Origin::HostString { host, .. } => {
                1 + hosts(&self.cells, host).take(MAX_NESTED_CELLS).count()
            }
            _ => 0,
        }
    }

    /// Names starting with `prefix` in code left out of analysis that a
    /// new variable in cell `index` must not take (see
    /// [`focus::hidden_names`]).
    pub fn hidden_names(&self, index: usize, lang: Lang, prefix: &str) -> HashSet<String> {
        if self.runs_apart(index) {
            return HashSet::new();
        }
        focus::hidden_names(
            |cell| self.whole_code(cell),
            &self.hidden,
            index,
            lang,
            prefix,
        )
    }

    /// Whether code left out of analysis binds `name` before the fixes of
    /// cell `index` are made (see [`focus::hidden_binds`]).
    pub fn hidden_binds(&self, index: usize, lang: Lang, name: &str) -> bool {
        if self.runs_apart(index) {
            return false;
        }
        focus::hidden_binds(
            |cell| self.whole_code(cell),
            &self.hidden,
            index,
            lang,
            name,
        )
    }

    /// Whether cell `index` is analysed whole, not a part of it.
    fn analysing_whole(&self, index: usize) -> bool {
        !matches!(&self.whole, Some((part, _)) if *part == index)
    }

    /// Notes whether the tree of cell `index`'s whole code has errors.
    fn note_parse(&mut self, index: usize, has_errors: bool) {
        if self.syntax_errors.len() <= index {
            self.syntax_errors.resize(index + 1, None);
        }
        self.syntax_errors[index] = Some(has_errors);
    }

    /// A cell's whole code, even while a part of it stands in its place.
    fn whole_code(&self, cell: usize) -> Option<&str> {
        match &self.whole {
            Some((index, whole)) if *index == cell => Some(whole.as_str()),
            _ => self.cells.get(cell).map(|c| c.code.as_str()),
        }
    }
}

/// Checks the cells of one file; returns them (with any nested cells
/// appended) and the findings sorted by cell and position. Only the code
/// [`focus`] finds related to the metadata service is analysed.
pub fn check(cells: Vec<Cell>, settings: &Settings) -> (Vec<Cell>, Vec<Finding>) {
    let checked = check_refusing(cells, settings);
    (checked.cells, checked.findings)
}

/// What [`check_refusing`] finds.
#[derive(Debug)]
pub struct Refusing {
    /// The file's cells, nested ones after them.
    pub cells: Vec<Cell>,
    /// The findings, as [`check`] gives them.
    pub findings: Vec<Finding>,
    /// The cells not analysed because they are too big to parse or nested
    /// too deeply: their requests, if any, are not among the findings.
    pub refused: Vec<Refused>,
    /// The cells analysed whole whose code does not parse, that mention
    /// the service and got no finding: the parser's recovery may have
    /// swallowed a request (the commands after `echo (((`).
    pub unparsed: Vec<usize>,
}

/// [`check`], with the cells it could not vouch for.
pub fn check_refusing(cells: Vec<Cell>, settings: &Settings) -> Refusing {
    let plan = focus::plan(&cells);
    let checked = check_planned(cells, settings, plan);
    let own_cells = checked.syntax_errors.len().min(checked.cells.len());
    let unparsed = (0..own_cells)
        .filter(|&cell| checked.syntax_errors[cell] == Some(true))
        .filter(|&cell| {
            !checked
                .findings
                .iter()
                .any(|f| nested_in(&checked.cells, f.cell, cell))
        })
        .filter(|&cell| prefilter::worth_checking(checked.cells[cell].code.as_bytes()))
        .collect();
    Refusing {
        cells: checked.cells,
        findings: checked.findings,
        refused: checked.refused,
        unparsed,
    }
}

/// Whether cell `index` is cell `host` or nested in it, through the
/// strings and heredocs that hold code.
fn nested_in(cells: &[Cell], index: usize, host: usize) -> bool {
    index == host
        || hosts(cells, index)
            .take(2 * MAX_NESTED_CELLS)
            .any(|at| at == host)
}

/// The cells that cell `index` is nested in, nearest first: the host of
/// each cell found in another's string or heredoc, up to a cell of the
/// file's own.
fn hosts(cells: &[Cell], index: usize) -> impl Iterator<Item = usize> + '_ {
    std::iter::successors(Some(index), move |&at| match cells.get(at)?.origin {
        Origin::HostString { host, .. } => Some(host),
        _ => None,
    })
    .skip(1)
}

/// [`check`], with the cells `whole` analysed whole, and by cell whether
/// its whole code parsed with syntax errors (`None` where it was not parsed
/// whole: a cell left out, a part, a language not analysed). For the
/// rewriter, which must know whether the cells it changed still parse, and
/// so need not parse them again.
pub fn check_verifying(
    cells: Vec<Cell>,
    settings: &Settings,
    whole: &[usize],
) -> (Vec<Cell>, Vec<Finding>, Vec<Option<bool>>) {
    let mut plan = focus::plan(&cells);
    for &index in whole {
        if let Some(focus) = plan.cells.get_mut(index) {
            *focus = Focus::Whole;
        }
    }
    let Checked {
        cells,
        findings,
        syntax_errors: mut errors,
        ..
    } = check_planned(cells, settings, plan);
    errors.resize(cells.len(), None);
    (cells, findings, errors)
}

/// Checks every line of every cell: what [`check`] must agree with, at
/// several times the cost. For tests, and for telling a bug in [`focus`]
/// from one in an analyser.
pub fn check_all_code(cells: Vec<Cell>, settings: &Settings) -> (Vec<Cell>, Vec<Finding>) {
    let plan = focus::Plan {
        cells: vec![Focus::Whole; cells.len()],
        hidden: Vec::new(),
    };
    let checked = check_planned(cells, settings, plan);
    (checked.cells, checked.findings)
}

/// What [`check_planned`] gives.
struct Checked {
    cells: Vec<Cell>,
    findings: Vec<Finding>,
    syntax_errors: Vec<Option<bool>>,
    refused: Vec<Refused>,
}

fn check_planned(cells: Vec<Cell>, settings: &Settings, plan: focus::Plan) -> Checked {
    let mut file = FileCheck {
        cells,
        findings: Vec::new(),
        settings,
        hidden: plan.hidden,
        whole: None,
        part_ranges: Vec::new(),
        syntax_errors: Vec::new(),
        refused: Vec::new(),
    };
    let mut python = python::Analyzer::default();
    let mut scala = scala::Analyzer::default();
    let own = file.cells.len();

    for (index, focus) in plan.cells.into_iter().enumerate().take(own) {
        // The analysers read the cell's code: a part is put in its place
        // while they do, at the same offsets, and the code put back after.
        match focus {
            Focus::Skip => continue,
            Focus::Whole => {}
            Focus::Part(part) => {
                let whole = std::mem::replace(&mut file.cells[index].code, part.code);
                file.whole = Some((index, whole));
                file.part_ranges = part.analysed;
            }
        }
        analyse(&mut file, index, &mut python, &mut scala);
        if let Some((index, whole)) = file.whole.take() {
            file.cells[index].code = whole;
            file.part_ranges.clear();
        }
    }
    withhold_fixes_of_bang_lines_in_unparsed_cells(&mut file);

    let FileCheck {
        cells,
        mut findings,
        syntax_errors,
        refused,
        ..
    } = file;
    findings.sort_by_key(|f| (position_key(&cells, f), f.rule));
    findings.dedup_by(|a, b| a.rule == b.rule && a.cell == b.cell && a.range == b.range);
    Checked {
        cells,
        findings,
        syntax_errors,
        refused,
    }
}

/// Drops the fixes of `!` lines cut from a Python cell that does not parse:
/// a fix of the line changes that cell too (the line is blanked in it), and
/// the rewriter does not rewrite code it cannot read.
fn withhold_fixes_of_bang_lines_in_unparsed_cells(file: &mut FileCheck) {
    let mut parses: HashMap<usize, bool> = HashMap::new();
    for at in 0..file.findings.len() {
        let cell = file.findings[at].cell;
        if file.findings[at].fix.is_none() {
            continue;
        }
        let Some(host) = bang_host(&file.cells, cell) else {
            continue;
        };
        let known = file.syntax_errors.get(host).copied().flatten();
        let cells = &file.cells;
        let parses = *parses.entry(host).or_insert_with(|| match known {
            Some(has_errors) => !has_errors,
            None => syntax::parses_cleanly(cells[host].lang, &cells[host].code),
        });
        if !parses {
            finding::withhold_fixes_in_unparsed_code(&mut file.findings[at..=at], "Python");
        }
    }
}

/// Runs the analyser of cell `index`'s language on it.
fn analyse(
    file: &mut FileCheck,
    index: usize,
    python: &mut python::Analyzer,
    scala: &mut scala::Analyzer,
) {
    let cell = &file.cells[index];
    let bang = cell.origin == Origin::BangLine;
    match (cell.lang, bang) {
        (Lang::Python, _) => python.check_cell(file, index),
        (Lang::Scala, _) => scala.check_cell(file, index),
        (Lang::Shell, true) => {
            let outer = python.globals().clone();
            shell::check_cell(file, index, &outer);
        }
        (Lang::Shell, false) => shell::check_cell(file, index, &Env::new()),
        (Lang::Sql | Lang::R | Lang::Markdown, _) => {}
    }
}

/// Findings sort by where they are in the file as stored.
fn position_key(cells: &[Cell], finding: &Finding) -> (usize, usize) {
    let range = cells[finding.cell].map.file_range(finding.range.clone());
    (range.start, range.end)
}
