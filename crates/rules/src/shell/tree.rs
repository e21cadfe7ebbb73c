//! Parent links for one syntax tree, made in one pass.
//!
//! tree-sitter finds a node's parent by walking down from the root, so
//! asking for every ancestor of a deeply nested node costs the square of
//! its depth; a cell of thousands of nested `$(` would take minutes.

use tree_sitter::{Node, Tree};

use crate::node_map::NodeMap;

/// Each node's parent, by node id.
pub(super) struct Parents<'t> {
    parents: NodeMap<Node<'t>>,
}

impl<'t> Parents<'t> {
    /// The parent links of `tree`, found with one walk of a cursor.
    pub fn of(tree: &'t Tree) -> Self {
        let mut parents = NodeMap::default();
        let mut cursor = tree.walk();
        let mut stack: Vec<Node<'t>> = Vec::new();
        loop {
            let node = cursor.node();
            if let Some(parent) = stack.last() {
                parents.insert(node.id(), *parent);
            }
            if cursor.goto_first_child() {
                stack.push(node);
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return Parents { parents };
                }
                stack.pop();
            }
        }
    }

    /// The parent of `node`, `None` for the root.
    pub fn parent(&self, node: Node<'t>) -> Option<Node<'t>> {
        self.parents.get(&node.id()).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    #[test]
    fn parents_match_tree_sitter() {
        let tree = syntax::parse(Lang::Shell, "a=$(b | c) && { d; }\n")
            .unwrap_or_else(|| panic!("parses"));
        let parents = Parents::of(&tree);
        let mut stack = vec![tree.root_node()];
        let mut seen = 0;
        while let Some(node) = stack.pop() {
            assert_eq!(parents.parent(node), node.parent());
            seen += 1;
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        assert!(seen > 10);
    }
}
