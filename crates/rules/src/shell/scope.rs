//! Scopes of shell code, and where a statement-level insertion (a token
//! fetch) goes in one.
//!
//! A scope is a piece of code (the cell, or shell code nested in it) or
//! the body of a function in it: a token fetched there serves the
//! requests after it in the same scope.

use tree_sitter::Node;

use super::nested::Code;
use super::tree::Parents;

/// A scope: a piece of code, or the body of a function in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) struct Scope {
    /// The piece of code (the cell is 0, nested code after it).
    pub code: usize,
    /// Start of the function definition, in that code's offsets.
    pub function: Option<usize>,
}

/// Where a token fetch goes for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Insertion {
    /// Cell offset of the insertion.
    pub at: usize,
    /// `Some(indentation)`: a line of its own, at the start of the
    /// statement's line; `None`: chained with `&&` before the statement.
    pub line: Option<String>,
}

/// The scope a node is in: the body of the function around it, or the
/// whole of code `code`.
pub(super) fn placement_scope(node: Node, code: usize, parents: &Parents) -> Scope {
    scope_and_statement(node, code, parents).0
}

/// How a cell takes a token fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Layout {
    /// A script or notebook shell cell: a line of its own at the top
    /// level; a one-line function body or nested code is chained.
    Lines,
    /// Shell inside a host string: chained where the scope is one line.
    Compact,
    /// An IPython `!` line: always chained, it is one line.
    Chained,
}

/// The scope of `node` and where a token fetch for it goes: a line of
/// its own before the statement that holds it, indented alike; or, when
/// the statement shares its line or the scope is one line (see
/// [`Layout`]), chained with `&&` before the statement.
pub(super) fn placement(
    node: Node,
    code: &Code,
    id: usize,
    parents: &Parents,
    layout: Layout,
) -> (Scope, Insertion) {
    let (scope, statement, scope_node) = scope_and_statement(node, id, parents);
    let start = statement.start_byte();
    let line_start = code.text[..start].rfind('\n').map_or(0, |i| i + 1);
    let indent = &code.text[line_start..start];
    let cell_top = layout == Layout::Lines && id == 0 && scope.function.is_none();
    let one_line = !cell_top && !code.text[scope_node.byte_range()].trim_end().contains('\n');
    let own_line =
        layout != Layout::Chained && !one_line && indent.chars().all(|c| c == ' ' || c == '\t');
    let insertion = if own_line {
        Insertion {
            at: code.to_cell(line_start),
            line: Some(indent.to_owned()),
        }
    } else {
        Insertion {
            at: code.to_cell(start),
            line: None,
        }
    };
    (scope, insertion)
}

/// The scope of `node`, the statement of that scope that holds it, and
/// the scope's node.
fn scope_and_statement<'t>(
    node: Node<'t>,
    code: usize,
    parents: &Parents<'t>,
) -> (Scope, Node<'t>, Node<'t>) {
    let mut statement = node;
    while let Some(parent) = parents.parent(statement) {
        let grandparent = parents.parent(parent);
        let function_body = grandparent
            .filter(|f| f.kind() == "function_definition")
            .filter(|f| f.child_by_field_name("body") == Some(parent));
        if let Some(function) = function_body {
            let scope = Scope {
                code,
                function: Some(function.start_byte()),
            };
            return (scope, statement, parent);
        }
        if grandparent.is_none() {
            return (
                Scope {
                    code,
                    function: None,
                },
                statement,
                parent,
            );
        }
        statement = parent;
    }
    (
        Scope {
            code,
            function: None,
        },
        statement,
        statement,
    )
}
