//! Finds the matches of read patterns in a syntax tree: one walk of the
//! tree in pre-order, and at each node only the patterns whose root is of
//! that node's kind.
//!
//! The semantics are tree-sitter's for the constructs the reader takes:
//! child patterns match children in order, not necessarily adjacent; a
//! field-prefixed child must sit in that field; `.` before a first child
//! lets no named child come before it; every distinct way of matching
//! (distinct captures) is a match, as tree-sitter yields them.

use tree_sitter::{Node, TreeCursor};

use super::element::{Element, FieldId, Form, Pattern};
use super::{Capture, Match};

/// The children of one node, read once for every element that looks at
/// them, with the cursor that reads them. There is one per level below a
/// pattern's root, so that matching allocates nothing per node once warm.
struct Level<'t> {
    cursor: TreeCursor<'t>,
    /// The node whose children `children` holds.
    loaded: Option<Node<'t>>,
    children: Vec<(Node<'t>, Option<FieldId>)>,
}

impl<'t> Level<'t> {
    /// Reads the children of `node` (with the field each sits in), unless
    /// they are the ones read last: several patterns share a root kind.
    fn load(&mut self, node: Node<'t>) {
        if self.loaded == Some(node) {
            return;
        }
        self.loaded = Some(node);
        self.children.clear();
        self.cursor.reset(node);
        if !self.cursor.goto_first_child() {
            return;
        }
        loop {
            // Known limit: a comment inside a hidden node that fills a field
            // is in that field for tree-sitter's queries and in none here (the
            // cursor hides hidden nodes); the differential test has met none.
            let field = self.cursor.field_id();
            self.children.push((self.cursor.node(), field));
            if !self.cursor.goto_next_sibling() {
                return;
            }
        }
    }
}

/// Every match of `patterns` in the tree under `root` (root included), in
/// pre-order of the node each pattern's root matched, then pattern index.
pub(super) fn matches<'t>(
    patterns: &[Pattern],
    by_kind: &[Vec<usize>],
    depth: usize,
    root: Node<'t>,
    code: &[u8],
) -> Vec<Match<'t>> {
    let mut found = Vec::new();
    let mut matcher = Matcher::new(depth, root);
    for node in crate::syntax::preorder(root) {
        matcher.at(patterns, by_kind, node, code, &mut found);
    }
    found
}

/// What matching needs from one node to the next, kept so that it
/// allocates nothing per node once warm.
pub(super) struct Matcher<'t> {
    levels: Vec<Level<'t>>,
    ways: Vec<Vec<Capture<'t>>>,
}

impl<'t> Matcher<'t> {
    /// A matcher for patterns looking `depth` levels below their root, in
    /// the tree `node` belongs to.
    pub(super) fn new(depth: usize, node: Node<'t>) -> Self {
        Matcher {
            levels: (0..depth)
                .map(|_| Level {
                    cursor: node.walk(),
                    loaded: None,
                    children: Vec::new(),
                })
                .collect(),
            ways: Vec::new(),
        }
    }

    /// Appends to `found` the matches of the patterns whose root is
    /// `node` itself, by pattern index.
    pub(super) fn at(
        &mut self,
        patterns: &[Pattern],
        by_kind: &[Vec<usize>],
        node: Node<'t>,
        code: &[u8],
        found: &mut Vec<Match<'t>>,
    ) {
        let candidates = by_kind.get(usize::from(node.kind_id()));
        for &index in candidates.into_iter().flatten() {
            let pattern = &patterns[index];
            self.ways.clear();
            element(
                &pattern.root,
                node,
                None,
                &mut self.levels,
                code,
                &mut self.ways,
            );
            distinct(&mut self.ways);
            found.extend(self.ways.drain(..).map(|captures| Match {
                pattern: index,
                captures,
            }));
        }
    }
}

/// Appends to `out` every way `element` matches `node`, which sits in
/// `field` of its parent: the captures of each, in pre-order of the nodes.
fn element<'t>(
    element: &Element,
    node: Node<'t>,
    field: Option<FieldId>,
    levels: &mut [Level<'t>],
    code: &[u8],
    out: &mut Vec<Vec<Capture<'t>>>,
) {
    if element.field.is_some() && element.field != field {
        return;
    }
    if let Form::Node { kind, .. } = &element.form {
        if !kind.admits(node) {
            return;
        }
    }
    if !element.checks.iter().all(|check| check.admits(node, code)) {
        return;
    }

    let first = out.len();
    match &element.form {
        Form::Choice(alternatives) => {
            for alternative in alternatives {
                self::element(alternative, node, field, levels, code, out);
            }
        }
        Form::Node { children, .. } if children.is_empty() => {
            let own = element
                .captures
                .iter()
                .map(|&index| Capture { index, node });
            out.push(own.collect());
            return;
        }
        Form::Node { children, .. } => {
            if let Some((level, deeper)) = levels.split_first_mut() {
                level.load(node);
                sequence(children, &level.children, 0, deeper, code, out);
            }
        }
    }

    if element.captures.is_empty() {
        return;
    }
    let own = element
        .captures
        .iter()
        .map(|&index| Capture { index, node });
    for captures in &mut out[first..] {
        captures.splice(0..0, own.clone());
    }
}

/// Appends to `out` every way `elements` match `children[from..]` in order.
fn sequence<'t>(
    elements: &[Element],
    children: &[(Node<'t>, Option<FieldId>)],
    from: usize,
    levels: &mut [Level<'t>],
    code: &[u8],
    out: &mut Vec<Vec<Capture<'t>>>,
) {
    let Some((first, rest)) = elements.split_first() else {
        out.push(Vec::new());
        return;
    };
    let mut heads = Vec::new();
    let mut tails = Vec::new();
    for (i, &(child, field)) in children.iter().enumerate().skip(from) {
        heads.clear();
        element(first, child, field, levels, code, &mut heads);
        if rest.is_empty() {
            out.append(&mut heads);
        } else if !heads.is_empty() {
            tails.clear();
            sequence(rest, children, i + 1, levels, code, &mut tails);
            for head in &heads {
                out.extend(tails.iter().map(|tail| [head.as_slice(), tail].concat()));
            }
        }
        // Anonymous nodes may come before an anchored first child; a named
        // one may not.
        if first.anchored && child.is_named() {
            break;
        }
    }
}

/// Keeps the first of each set of identical ways (the same nodes under the
/// same captures), as tree-sitter reports one match for them.
fn distinct(ways: &mut Vec<Vec<Capture<'_>>>) {
    if ways.len() < 2 {
        return;
    }
    let mut kept: Vec<Vec<Capture<'_>>> = Vec::with_capacity(ways.len());
    for way in ways.drain(..) {
        if !kept.contains(&way) {
            kept.push(way);
        }
    }
    *ways = kept;
}

#[cfg(test)]
mod tests {
    use super::super::Patterns;
    use crate::{syntax, Lang};

    /// The matches of `patterns` in the Python `code`, each as its pattern
    /// index and the text of its captures (`name=text`).
    fn found(patterns: &str, code: &str) -> Vec<(usize, Vec<String>)> {
        let language = syntax::language(Lang::Python).unwrap();
        let patterns = Patterns::new(&language, patterns).unwrap();
        // Tree-sitter's own parser: `syntax::parse` refuses code nested
        // deeper than Python takes, and the matcher must bear any depth.
        let mut parser = tree_sitter::Parser::new();
        parser.set_language(&language).unwrap();
        let tree = parser.parse(code, None).unwrap();
        let names = patterns.capture_names();
        patterns
            .matches(tree.root_node(), code)
            .into_iter()
            .map(|m| {
                let captures = m
                    .captures
                    .iter()
                    .map(|c| format!("{}={}", names[c.index as usize], &code[c.node.byte_range()]));
                (m.pattern, captures.collect())
            })
            .collect()
    }

    fn texts(found: &[(usize, Vec<String>)]) -> Vec<String> {
        found.iter().map(|(_, c)| c.join(" ")).collect()
    }

    #[test]
    fn children_match_in_order_and_need_not_be_adjacent() {
        let found = found(
            "(argument_list (identifier) @x (integer) @y)",
            "f(a, 1, b, 2)\n",
        );
        assert_eq!(texts(&found), ["x=a y=1", "x=a y=2", "x=b y=2"]);
        let reversed = "(argument_list (integer) (identifier) @x)";
        assert!(self::found(reversed, "f(a, 1)\n").is_empty());
    }

    #[test]
    fn ways_without_distinct_captures_are_one_match() {
        let found = found(
            "(argument_list (identifier) (integer)) @args",
            "f(a, b, 1, 2)\n",
        );
        assert_eq!(texts(&found), ["args=(a, b, 1, 2)"]);
    }

    #[test]
    fn an_anchored_child_is_the_first_named_child() {
        let pattern = "(argument_list . (_) @first)";
        assert_eq!(texts(&found(pattern, "f(a, b)\n")), ["first=a"]);
        // A comment is a named child like any other.
        assert_eq!(texts(&found(pattern, "f(  # c\n  a)\n")), ["first=# c"]);
        assert!(found(pattern, "f()\n").is_empty());
        let unanchored = "(argument_list (_) @any)";
        assert_eq!(texts(&found(unanchored, "f(a, b)\n")), ["any=a", "any=b"]);
    }

    #[test]
    fn a_field_prefixed_child_must_be_in_that_field() {
        let left = "(assignment left: (identifier) @name)";
        assert_eq!(texts(&found(left, "a = b\n")), ["name=a"]);
        let right = "(assignment right: (identifier) @name)";
        assert_eq!(texts(&found(right, "a = b\n")), ["name=b"]);
        assert!(found(right, "a = 1\n").is_empty());
    }

    #[test]
    fn strings_match_anonymous_nodes_and_wildcards_named_ones() {
        let plus = "(augmented_assignment operator: \"+=\") @augment";
        assert_eq!(texts(&found(plus, "x += 1\n")), ["augment=x += 1"]);
        assert!(found(plus, "x -= 1\n").is_empty());
        let any = "(argument_list (_) @x)";
        assert_eq!(texts(&found(any, "f(a)\n")), ["x=a"]);
    }

    #[test]
    fn alternatives_each_yield_their_matches() {
        let pattern = "(argument_list [(identifier) (integer)] @x)";
        assert_eq!(texts(&found(pattern, "f(a, 1, 's')\n")), ["x=a", "x=1"]);
        let tokens = "(augmented_assignment operator: [\"-=\" \"*=\"]) @forget";
        assert_eq!(found(tokens, "x -= 1\ny *= 2\nz += 3\n").len(), 2);
    }

    #[test]
    fn predicates_filter_matches() {
        let eq = "(call function: (identifier) @f (#eq? @f \"get\")) @call";
        assert_eq!(texts(&found(eq, "get(u)\nput(u)\n")), ["call=get(u) f=get"]);
        let any = "(call function: (identifier) @f (#any-of? @f \"get\" \"put\"))";
        assert_eq!(
            texts(&found(any, "get(u)\nput(u)\npost(u)\n")),
            ["f=get", "f=put"]
        );
    }

    #[test]
    fn matches_come_in_pre_order_then_pattern_order() {
        let found = found(
            "(call arguments: (argument_list) @b) @outer\n(call) @a",
            "f(g(x))\n",
        );
        let order: Vec<(usize, String)> = found
            .into_iter()
            .map(|(pattern, captures)| (pattern, captures[0].clone()))
            .collect();
        assert_eq!(
            order,
            [
                (0, "outer=f(g(x))".to_owned()),
                (1, "a=f(g(x))".to_owned()),
                (0, "outer=g(x)".to_owned()),
                (1, "a=g(x)".to_owned()),
            ]
        );
    }

    #[test]
    fn a_node_captured_twice_is_listed_under_each_name() {
        let found = found("(call function: (identifier) @a @b)", "f()\n");
        assert_eq!(texts(&found), ["a=f b=f"]);
    }

    #[test]
    fn deep_trees_do_not_overflow_the_stack() {
        let code = format!("x = {}1{}\n", "[".repeat(5000), "]".repeat(5000));
        let found = found("(list) @list", &code);
        assert_eq!(found.len(), 5000);
    }
}
