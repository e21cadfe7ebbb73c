//! Python: finds HTTP requests to the metadata service (requests, urllib,
//! urllib2, http.client, httpx, aiohttp, urllib3, pycurl), boto 2's
//! IMDSv1-only helpers, and shell run through `subprocess` and `os`, and
//! proposes fixes for them.
//!
//! A notebook's Python cells share one interpreter, so one [`Analyzer`]
//! lives across the cells of a file: names and imports bound in one cell
//! are seen by the next. In a cell, top-level code is walked in order; a
//! function body is walked when the cell first calls it by name, or else
//! after the top level, seeing the names as they are then. Parameters are
//! unknown inside the body; a request whose URL is a parameter is judged
//! at the function's call sites (see `functions`). What a function returns
//! is read from its `return` statements once its body is walked, and a
//! call of it in a request's arguments or receiver walks it first.
//!
//! Known limits, each costing missed findings unless said otherwise:
//! - a receiver whose type is not known (`client.get(url)` with `client` a
//!   parameter, or the result of a function of another file) is no client:
//!   its requests are not seen;
//! - call sites are matched by name only for plain calls and `self.name(...)`;
//! - `http.client`'s `putrequest`/`putheader` API, `urllib3.connection_from_url`
//!   and `urllib.request.build_opener` handlers are not modelled;
//! - a name assigned in a branch keeps the last value written, whichever
//!   branch runs (may also report a request the other branch makes), except
//!   that an `except` handler binding an unknown value keeps the try body's;
//! - `lib = requests` makes an alias at module level only: inside a
//!   function, requests made through `lib` are missed;
//! - class constants are read as `Cfg.NAME` for strings and numbers set in
//!   the class body or on the class, not through a subclass.

mod args;
mod argv_run;
mod call;
mod clients;
mod eval;
mod fix;
mod formatting;
mod functions;
mod imports;
mod literal;
mod mapping;
mod mutation;
mod query;
mod quotes;
mod reuse;
mod scope;
mod shell_run;
mod token_request;
mod value;
mod walk;

#[cfg(test)]
mod tests;

use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::Range;

use imds_lint_parser::Lang;

use crate::finding::withhold_fixes_in_unparsed_code;
use crate::node_map::NodeSet;
use crate::text::Env;
use crate::FileCheck;

use self::clients::HeaderSlot;
use self::functions::Calls;
use self::imports::Imports;
use self::scope::Scopes;
use self::value::Value;
use self::walk::CellWalk;

/// Python analysis state shared by the cells of one notebook.
#[derive(Debug, Default)]
pub struct Analyzer {
    /// Module-level names bound to strings.
    globals: Env,
    /// Module-level names, all values.
    module: HashMap<String, Value>,
    imports: Imports,
    calls: Calls,
    /// Module-level names a function of the file declares `global` and
    /// assigns (see `CellWalk::forget_volatile`).
    volatile: HashSet<String>,
}

/// A request reported in a cell, with what a fix needs to know.
#[derive(Debug, Clone)]
struct Site {
    /// Index of the finding in the file's findings.
    finding: usize,
    /// The frame the request is in (`None`: the cell's top level).
    frame: Option<usize>,
    /// The call's range.
    call: Range<usize>,
    /// Where the token header goes.
    slot: HeaderSlot,
    /// The client, canonically (`requests.get`, `requests.Session.get`).
    client: String,
    /// Where a token for this request is fetched from: `scheme://host[:port]`
    /// of its URL ([`crate::endpoint::Endpoint::token_base`]).
    base: String,
    /// A token request IMDS refuses (IMD002): its fix mends the request
    /// instead of sending it a token.
    mend: Option<token_request::Mend>,
    /// A time limit of the request not written in its call (its client's,
    /// its command's), in seconds as written.
    limit: Option<String>,
}

impl Analyzer {
    /// Module-level string constants seen so far.
    pub fn globals(&self) -> &Env {
        &self.globals
    }

    /// Analyses Python cell `index`.
    pub fn check_cell(&mut self, file: &mut FileCheck, index: usize) {
        let Some(cell) = file.cells.get(index) else {
            return;
        };
        let code = cell.code.clone();
        if indentation_depth(&code) > MAX_INDENT_LEVELS {
            // tree-sitter-python's scanner aborts the process on very deep
            // indentation; such a cell is not parsed, and the user told.
            file.refused.push(crate::Refused {
                cell: index,
                why: format!(
                    "not analysed: Python code nested more than {MAX_INDENT_LEVELS} indentation \
                     levels deep"
                ),
            });
            return;
        }
        // Of a part, only the statements analysed are parsed.
        let within = match &file.whole {
            Some((part, _)) if *part == index => file.part_ranges.clone(),
            _ => Vec::new(),
        };
        let Some(tree) = file.parse(index, Lang::Python, &code, &within) else {
            return;
        };
        if file.analysing_whole(index) {
            file.note_parse(index, tree.root_node().has_error());
        }

        let scopes = Scopes {
            module: std::mem::take(&mut self.module),
            strings: std::mem::take(&mut self.globals),
            frames: Vec::new(),
        };
        let mut walk = CellWalk {
            file,
            index,
            code: &code,
            shapes: query::Shapes::new(),
            scopes,
            imports: &mut self.imports,
            calls: &mut self.calls,
            volatile: &mut self.volatile,
            deferred: VecDeque::new(),
            walked: NodeSet::default(),
            defined: HashMap::new(),
            inline_depth: 0,
            defaults: HashMap::new(),
            sites: Vec::new(),
            tokens: Vec::new(),
            bindings: std::cell::RefCell::default(),
        };
        let first = walk.file.findings.len();
        walk.run(tree.root_node());
        walk.attach_fixes(tree.root_node());
        // The rewriter refuses to rewrite a cell that does not parse; the
        // part parsed here tells for the statements analysed.
        if tree.root_node().has_error() {
            withhold_fixes_in_unparsed_code(&mut walk.file.findings[first..], "Python");
        }

        let CellWalk { scopes, .. } = walk;
        self.module = scopes.module;
        self.globals = scopes.strings;
    }
}

/// Indentation levels beyond which a cell is not parsed: far beyond real
/// code, well below the depth that makes the grammar's scanner abort.
const MAX_INDENT_LEVELS: usize = 200;

/// How many nested indentation levels the code's lines open.
fn indentation_depth(code: &str) -> usize {
    let mut stack: Vec<usize> = vec![0];
    let mut deepest = 0;
    for line in code.lines() {
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        let width = line.len() - body.len();
        while stack.last().is_some_and(|top| *top > width) {
            stack.pop();
        }
        if stack.last().is_some_and(|top| *top < width) {
            stack.push(width);
        }
        deepest = deepest.max(stack.len() - 1);
    }
    deepest
}

/// The kind of a node of a Python tree (see [`imds_lint_parser::syntax::kind_name`]).
pub(crate) fn kind_of<'t>(node: impl std::borrow::Borrow<tree_sitter::Node<'t>>) -> &'t str {
    imds_lint_parser::syntax::kind_name(imds_lint_parser::Lang::Python, *node.borrow())
}

/// The identifiers of the subtree under `root`, in source order.
pub(crate) fn identifiers(
    root: tree_sitter::Node<'_>,
) -> impl Iterator<Item = tree_sitter::Node<'_>> {
    imds_lint_parser::syntax::preorder(root).filter(|node| kind_of(*node) == "identifier")
}

/// The child of a node of a Python tree in one of its fields (see
/// [`imds_lint_parser::syntax::field_child`]).
pub(crate) fn child_in<'t>(
    node: impl std::borrow::Borrow<tree_sitter::Node<'t>>,
    field: &str,
) -> Option<tree_sitter::Node<'t>> {
    imds_lint_parser::syntax::field_child(imds_lint_parser::Lang::Python, *node.borrow(), field)
}
