//! Scopes of shell code, and where a statement-level insertion (a token
//! fetch) goes in one.
//!
//! A scope is a piece of code (the cell, or shell code nested in it), the
//! body of a function in it, or the body or condition of a loop that may
//! run for hours (`while`, `until`, C-style `for`): a token fetched there
//! serves the requests after it in the same scope. Such a loop is a scope
//! of its own so that each iteration fetches a fresh token: one fetched
//! before an endless loop expires after its TTL, and from then on every
//! request of the loop is refused. A `for` over a list is not, unless its
//! body sleeps: then it polls.

use std::cell::{OnceCell, RefCell};
use std::collections::HashSet;

use imds_lint_parser::syntax;

use tree_sitter::Node;

use super::errexit;
use super::nested::Code;
use super::tree::Parents;
use super::{child_in, kind_of};
use crate::node_map::NodeMap;

/// What [`scope_and_statement`] found for each node it walked through, per
/// piece of code: the walk up from a command stops at the first node
/// already placed, so the commands of a long `&&` list (each list nested
/// in the one before) cost one walk together, not one walk each.
#[derive(Default)]
pub(super) struct ScopeMemo<'t>(RefCell<NodeMap<(Opens, Node<'t>, Node<'t>)>>);

/// A scope: a piece of code, or a function body or loop part in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Scope {
    /// The piece of code (the cell is 0, nested code after it).
    pub code: usize,
    /// Start of the innermost function body, loop body or loop condition
    /// around the request, in that code's offsets; `None` at the top level.
    pub body: Option<usize>,
}

/// Where a token fetch goes for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Insertion {
    /// Cell offset of the insertion.
    pub at: usize,
    /// How the fetch is joined to the statement after it.
    pub form: Form,
    /// Whether a failure of the request itself would stop a `set -e`
    /// script right there; if not, a failing fetch must not stop it either.
    pub exposed: bool,
}

/// How a token fetch is joined to the statement it goes before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Form {
    /// A line of its own at the start of the statement's line, with this
    /// indentation.
    Line(String),
    /// Chained with `&&` before the statement.
    Chained,
    /// Before a statement of a loop's condition, with `;`: the condition's
    /// status stays the request's.
    Condition,
}

/// How a cell takes a token fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// A script or notebook shell cell: a line of its own at the top
    /// level; a one-line function or loop body or nested code is chained.
    Lines,
    /// Shell inside a host string: chained where the scope is one line.
    Compact,
    /// An IPython `!` line: always chained, it is one line.
    Chained,
}

/// The bodies of `for` loops over a list that run `sleep` (node ids), found
/// with one walk of the code's tree the first time a request asks: such a
/// loop polls, and may outlive a token fetched before it.
#[derive(Default)]
pub(super) struct Sleepers(OnceCell<HashSet<usize>>);

impl Sleepers {
    /// Whether `body`, a `for` loop's `do_group`, runs `sleep`.
    pub fn sleeps(&self, body: Node, root: Node, text: &str, parents: &Parents) -> bool {
        self.0
            .get_or_init(|| sleeping_bodies(root, text, parents))
            .contains(&body.id())
    }
}

fn sleeping_bodies(root: Node, text: &str, parents: &Parents) -> HashSet<usize> {
    let mut bodies = HashSet::new();
    for node in syntax::preorder(root).filter(|n| kind_of(*n) == "command") {
        let name = child_in(node, "name").map_or("", |n| text[n.byte_range()].trim());
        if name != "sleep" && !name.ends_with("/sleep") {
            continue;
        }
        let mut child = node;
        while let Some(parent) = parents.parent(child) {
            // An enclosing body already marked: so are those around it.
            let body = kind_of(child) == "do_group" && kind_of(parent) == "for_statement";
            if body && !bodies.insert(child.id()) {
                break;
            }
            child = parent;
        }
    }
    bodies
}

/// Whether a node is in a loop body that polls (see [`Sleepers`]).
pub(super) type Polls<'f> = &'f dyn Fn(Node) -> bool;

/// What kind of scope a node's parent opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opens {
    /// The parent is the root of the code.
    Top,
    /// The parent is a function's body or a loop's body.
    Body,
    /// The child is a statement of the parent loop's condition.
    Condition,
}

/// The scope of `node` and where a token fetch for it goes: a line of
/// its own before the statement that holds it, indented alike; or, when
/// the statement shares its line or the scope is one line (see
/// [`Layout`]), chained with `&&` before the statement.
pub(super) fn placement<'t>(
    node: Node<'t>,
    code: &Code,
    id: usize,
    parents: &Parents<'t>,
    memo: &ScopeMemo<'t>,
    layout: Layout,
    polls: Polls,
) -> (Scope, Insertion) {
    let (opens, statement, scope_node) = scope_and_statement(node, parents, memo, polls);
    let scope = Scope {
        code: id,
        body: (opens != Opens::Top).then(|| scope_node.start_byte()),
    };
    let exposed = errexit::stops_at(node, statement, parents);
    let start = statement.start_byte();
    if opens == Opens::Condition {
        let form = Form::Condition;
        let at = code.to_cell(start);
        return (scope, Insertion { at, form, exposed });
    }

    let line_start = code.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &code.text[line_start..start];
    let cell_top = layout == Layout::Lines && id == 0 && opens == Opens::Top;
    let one_line = !cell_top && !code.text[scope_node.byte_range()].trim_end().contains('\n');
    let own_line =
        layout != Layout::Chained && !one_line && indent.chars().all(|c| c == ' ' || c == '\t');
    let (at, form) = if own_line {
        (line_start, Form::Line(indent.to_owned()))
    } else {
        (start, Form::Chained)
    };
    let at = code.to_cell(at);
    (scope, Insertion { at, form, exposed })
}

/// What scope `node` is in, the statement of that scope that holds it,
/// and the scope's node (the code's root, a function or loop body, or
/// the loop whose condition holds the statement).
fn scope_and_statement<'t>(
    node: Node<'t>,
    parents: &Parents<'t>,
    memo: &ScopeMemo<'t>,
    polls: Polls,
) -> (Opens, Node<'t>, Node<'t>) {
    // Most walks are a few steps long; only a longer one is worth
    // remembering, and looking up.
    const SHORT: usize = 16;
    let mut statement = node;
    let mut walked = Vec::new();
    let found = loop {
        if walked.len() >= SHORT {
            if let Some(&known) = memo.0.borrow().get(&statement.id()) {
                break known;
            }
        }
        walked.push(statement.id());
        let Some(parent) = parents.parent(statement) else {
            break (Opens::Top, statement, statement);
        };
        if let Some(opens) = opens_scope(parent, statement, parents, polls) {
            break (opens, statement, parent);
        }
        statement = parent;
    };
    // The walk from each node passed on the way is the rest of this one.
    if walked.len() > SHORT {
        let mut memo = memo.0.borrow_mut();
        for id in walked {
            memo.insert(id, found);
        }
    }
    found
}

/// The scope `parent` opens for its child `child`, if any.
fn opens_scope(parent: Node, child: Node, parents: &Parents, polls: Polls) -> Option<Opens> {
    let Some(grandparent) = parents.parent(parent) else {
        return Some(Opens::Top);
    };
    let function_body = kind_of(grandparent) == "function_definition"
        && child_in(grandparent, "body") == Some(parent);
    let loop_body = kind_of(parent) == "do_group" && repeats(grandparent, parent, polls);
    if function_body || loop_body {
        return Some(Opens::Body);
    }
    let condition = kind_of(parent) == "while_statement"
        && child_in(parent, "body") != Some(child)
        && child.is_named();
    condition.then_some(Opens::Condition)
}

/// Whether `node` runs in each iteration of the loop `parent`, its child
/// on the way down being `child`, in a loop that may run for hours: a
/// `while` or `until` loop (body or condition), a C-style `for` (body),
/// or a `for` over a list whose body sleeps (a polling loop, `for i in
/// $(seq 1 17280); do ...; sleep 5; done`). Any other `for` over a list
/// ends with its list; one token fetched before it serves every iteration.
pub(super) fn repeats(parent: Node, child: Node, polls: Polls) -> bool {
    match kind_of(parent) {
        "while_statement" => true,
        "c_style_for_statement" => child_in(parent, "body") == Some(child),
        "for_statement" => child_in(parent, "body") == Some(child) && polls(child),
        _ => false,
    }
}
