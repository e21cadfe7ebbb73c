//! Which token variable of the code a request may reuse: one assigned the
//! token's text by a correct token request, in the request's scope, on
//! every path to the request, and not bound again before it.
//!
//! "Every path" is read simply: the assignment is a statement of a block
//! that holds the request (the cell, the function body, or a branch or
//! loop body the request is in too). A token fetched in an `if`, `try` or
//! loop the request is not in may not have been fetched at all.
//!
//! Known limit: a function called between the fetch and the request that
//! rebinds the variable (`global token; token = None`) is not seen; the
//! fix then sends what the variable holds.

use std::ops::Range;

use tree_sitter::Node;

use super::fix::node_at;
use super::walk::{Binding, CellWalk};
use super::{child_in, kind_of};

/// Methods of `str` that keep a token's text a token (`.text.strip()`).
const TEXT_METHODS: &[&str] = &["strip", "rstrip", "lstrip"];

/// Node kinds that run their body in a loop or a scope of its own: a
/// binding anywhere in one around the request may happen before it.
const REPEATING: &[&str] = &[
    "for_statement",
    "while_statement",
    "list_comprehension",
    "set_comprehension",
    "dictionary_comprehension",
    "generator_expression",
];

impl<'t> CellWalk<'_, '_, 't> {
    /// The variable holding the token at the request `request` in the
    /// scope `frame`, and the range of the token request that set it: the
    /// latest that qualifies (see the module's doc).
    pub(super) fn token_before(
        &self,
        root: Node<'t>,
        frame: Option<usize>,
        request: &Range<usize>,
    ) -> Option<(String, Range<usize>)> {
        let at = root.descendant_for_byte_range(request.start, request.end)?;
        self.tokens
            .iter()
            .filter(|(f, range)| *f == frame && range.end <= request.start)
            .filter_map(|(_, range)| {
                let call = node_at(root, range)?;
                let (name, statement) = self.text_assignment(call)?;
                let block = statement.parent()?;
                let holds = block.byte_range().contains(&at.start_byte())
                    && !self.rebound(&name, block, statement.end_byte(), at);
                holds.then(|| (name, range.clone()))
            })
            // Mended requests join the list after the others.
            .max_by_key(|(_, range)| range.start)
    }

    /// The name `call` (a token request) is assigned to, when what is
    /// assigned is the token's text (`requests.put(...).text`,
    /// `urlopen(...).read().decode()`), with the assignment's statement.
    fn text_assignment(&self, call: Node<'t>) -> Option<(String, Node<'t>)> {
        let mut node = call;
        let mut accessors: Vec<&str> = Vec::new();
        loop {
            let parent = node.parent()?;
            match kind_of(parent) {
                "attribute" if child_in(parent, "object") == Some(node) => {
                    let name = child_in(parent, "attribute")?;
                    accessors.push(&self.code[name.byte_range()]);
                }
                "call" if child_in(parent, "function") == Some(node) => {}
                "assignment" if child_in(parent, "right") == Some(node) => {
                    let left = child_in(parent, "left")?;
                    let statement = parent.parent()?;
                    let is_text = accessors
                        .iter()
                        .rev()
                        .find(|a| !TEXT_METHODS.contains(a))
                        .is_some_and(|a| matches!(*a, "text" | "decode"));
                    let plain = kind_of(left) == "identifier"
                        && kind_of(statement) == "expression_statement";
                    return (is_text && plain)
                        .then(|| (self.code[left.byte_range()].to_owned(), statement));
                }
                _ => return None,
            }
            node = parent;
        }
    }

    /// Whether `name` may be bound again in `block` between `from` and the
    /// request `at`: anywhere after `from` up to the request, or up to the
    /// end of a loop, comprehension or lambda around the request (which
    /// may run the binding before the request's next run).
    fn rebound(&self, name: &str, block: Node, from: usize, at: Node) -> bool {
        let mut until = at.start_byte();
        let mut node = Some(at);
        while let Some(n) = node.filter(|n| n.id() != block.id()) {
            if REPEATING.contains(&kind_of(n)) || kind_of(n) == "lambda" {
                until = until.max(n.end_byte());
            }
            node = n.parent();
        }

        // Each request of a block would otherwise walk the code between the
        // fetch and itself again: the square of the block's length.
        let key = (name.to_owned(), block.id());
        let mut known = self.bindings.borrow_mut();
        let bindings = known
            .entry(key)
            .or_insert_with(|| self.bindings_in(name, block));
        bindings.iter().any(|b| {
            let starts_after = b.range.start >= from || (b.wildcard && b.range.end > from);
            starts_after && b.range.start < until
        })
    }

    /// Every place in `block` that may bind `name`, in order.
    pub(super) fn bindings_in(&self, name: &str, block: Node) -> Vec<Binding> {
        let mut found = Vec::new();
        let mut cursor = block.walk();
        let mut stack = vec![block];
        while let Some(node) = stack.pop() {
            // `from module import *` may bind any name.
            let wildcard = kind_of(node) == "wildcard_import";
            let named = kind_of(node) == "identifier"
                && &self.code[node.byte_range()] == name
                && binds(node);
            if wildcard || named {
                found.push(Binding {
                    range: node.byte_range(),
                    wildcard,
                });
            }
            stack.extend(node.children(&mut cursor));
        }
        found.sort_by_key(|b| b.range.start);
        found
    }
}

/// Whether the identifier `id` may bind its name where it is written:
/// an assignment's or loop's target, a `del`, an import, a `def` or
/// `class` name, a walrus, an `as` or `except ... as` target, a `case`
/// pattern, a parameter, a `global`. Reads (`f(token)`, `x.token`, `f(token=1)`) do not.
fn binds(id: Node) -> bool {
    let mut child = id;
    while let Some(parent) = child.parent() {
        let field = |name: &str| child_in(parent, name) == Some(child);
        match kind_of(parent) {
            // Only a bare name is bound: `token.x = 1` and `token[0] = 1`
            // change an object, `f(token=1)` names a parameter. A block
            // ends the statement the name is in.
            "attribute" | "subscript" | "call" | "keyword_argument" | "block" | "module" => {
                return false
            }
            "assignment"
            | "augmented_assignment"
            | "for_statement"
            | "for_in_clause"
            | "type_alias_statement"
                if field("left") =>
            {
                return true
            }
            "named_expression" | "function_definition" | "class_definition" if field("name") => {
                return true
            }
            "except_clause" if field("alias") => return true,
            "import_statement"
            | "import_from_statement"
            | "delete_statement"
            | "global_statement"
            | "nonlocal_statement"
            | "as_pattern_target"
            | "case_pattern"
            | "parameters"
            | "lambda_parameters" => return true,
            _ => child = parent,
        }
    }
    false
}
