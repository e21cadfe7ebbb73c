//! Whether the headers a request is given are known to be a dict, so
//! that a fix may merge the token into them with a plain `{**h, ...}`.
//!
//! The analyser's value of a name is the last one written, whichever
//! branch wrote it (`h = None`, then `h = {...}` in an `if`): it cannot
//! tell that a name holds a dict on every path. This module reads the
//! code instead: a name is known to hold a dict when every binding of it
//! in the scope that owns it assigns a dict literal or comprehension, and
//! no other code (another cell, code left out of analysis) names it.
//! Anything else gets `{**(h or {}), ...}`, which survives `None`.

use imds_lint_parser::Lang;
use tree_sitter::Node;

use super::walk::{Binding, CellWalk};
use super::{child_in, kind_of};

/// Values that are dicts whenever they are evaluated.
const DICT_KINDS: &[&str] = &["dictionary", "dictionary_comprehension"];

impl<'t> CellWalk<'_, '_, 't> {
    /// Whether the headers value `value` (a request's `headers=`
    /// argument) is a dict on every path to the request.
    pub(super) fn always_a_dict(&self, value: Node<'t>) -> bool {
        if DICT_KINDS.contains(&kind_of(value)) {
            return true;
        }
        if kind_of(value) != "identifier" {
            return false;
        }
        let name = &self.code[value.byte_range()];

        // The innermost function that binds the name owns it; a class
        // body between makes the lookup too subtle to follow.
        let mut at = value.parent();
        while let Some(node) = at {
            let owner = matches!(kind_of(node), "function_definition" | "class_definition");
            let bindings = if owner {
                self.bindings_in(name, node)
            } else {
                Vec::new()
            };
            if !bindings.is_empty() {
                return kind_of(node) == "function_definition"
                    && all_dict_assignments(node, &bindings);
            }
            at = node.parent();
        }

        // A module-level name may also be bound in code this cell's tree
        // does not hold.
        if self.named_outside_this_tree(name) {
            return false;
        }
        let mut root = value;
        while let Some(parent) = root.parent() {
            root = parent;
        }
        let bindings = self.bindings_in(name, root);
        !bindings.is_empty() && all_dict_assignments(root, &bindings)
    }

    /// Whether another Python cell of the file, or code of this file left
    /// out of analysis, holds `name` anywhere (read as text: it may bind it).
    fn named_outside_this_tree(&self, name: &str) -> bool {
        let other_cells = self.file.cells.iter().enumerate().any(|(i, cell)| {
            i != self.index && cell.lang == Lang::Python && cell.code.contains(name)
        });
        let hidden = self.file.hidden.iter().any(|piece| {
            piece.lang == Lang::Python
                && self
                    .file
                    .whole_code(piece.cell)
                    .and_then(|text| text.get(piece.chunk.range.clone()))
                    .is_some_and(|text| text.contains(name))
        });
        other_cells || hidden
    }
}

/// Whether each of `bindings` (in `scope`) is a plain assignment of a
/// dict literal or comprehension to the name.
fn all_dict_assignments(scope: Node, bindings: &[Binding]) -> bool {
    bindings.iter().all(|binding| {
        if binding.wildcard {
            return false;
        }
        let Some(id) = scope.descendant_for_byte_range(binding.range.start, binding.range.end)
        else {
            return false;
        };
        let Some(assignment) = id.parent().filter(|p| kind_of(p) == "assignment") else {
            return false;
        };
        child_in(assignment, "left") == Some(id)
            && child_in(assignment, "right").is_some_and(|r| DICT_KINDS.contains(&kind_of(r)))
    })
}
