//! A pattern as the reader leaves it for the matcher: node kinds and fields
//! already turned into the grammar's ids, captures into indexes.

use std::num::NonZeroU16;

use tree_sitter::Node;

/// A field id of the grammar, as tree-sitter gives it.
pub(super) type FieldId = NonZeroU16;

/// One pattern of a file.
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    /// The pattern's outermost node, its predicates placed on the elements
    /// whose captures they test.
    pub root: Element,
}

impl Pattern {
    /// How many levels of children below its root the pattern looks at.
    pub fn depth(&self) -> usize {
        self.root.depth()
    }
}

/// A place in a pattern that one node fills.
#[derive(Debug, Clone)]
pub(super) struct Element {
    /// The field of its parent the node must sit in (`name: ...`).
    pub field: Option<FieldId>,
    /// Whether the node must be its parent's first named child (`. ...`);
    /// only a first child pattern is ever anchored.
    pub anchored: bool,
    /// Capture indexes given to the node (`@a @b`).
    pub captures: Vec<u32>,
    /// The pattern's predicates on those captures, which the node's text
    /// must pass.
    pub checks: Vec<Predicate>,
    /// What the node must be.
    pub form: Form,
}

/// What a node must be to fill an [`Element`].
#[derive(Debug, Clone)]
pub(super) enum Form {
    /// A node of `kind` whose children match `children` in order.
    Node {
        /// The node's kind.
        kind: Kind,
        /// Patterns for some of its children, in order, not necessarily
        /// adjacent.
        children: Vec<Element>,
    },
    /// Any one of several elements (`[ ... ]`).
    Choice(Vec<Element>),
}

/// Which nodes a node pattern takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Nodes of one kind id: `(identifier)` for a named kind, `"+="` for an
    /// anonymous one (the grammar gives the two different ids).
    Id(u16),
    /// `(_)`: any named node except an `ERROR` node.
    AnyNamed,
}

impl Kind {
    /// Whether `node` is of this kind.
    pub fn admits(self, node: Node) -> bool {
        match self {
            Kind::Id(id) => node.kind_id() == id,
            Kind::AnyNamed => node.is_named() && !node.is_error(),
        }
    }
}

impl Element {
    /// Gives this element and those inside it the `predicates` on their
    /// captures. A predicate must hold for every node its capture takes, so
    /// testing it where each node is captured means the same as testing it
    /// on a whole match, and rejects a match as early as possible.
    pub fn attach(&mut self, predicates: &[Predicate]) {
        self.checks = predicates
            .iter()
            .filter(|p| self.captures.contains(&p.capture()))
            .cloned()
            .collect();
        let inner = match &mut self.form {
            Form::Node { children, .. } => children,
            Form::Choice(alternatives) => alternatives,
        };
        for element in inner {
            element.attach(predicates);
        }
    }

    /// How many levels of children below this element it looks at.
    pub fn depth(&self) -> usize {
        match &self.form {
            Form::Node { children, .. } if children.is_empty() => 0,
            Form::Node { children, .. } => {
                1 + children.iter().map(Element::depth).max().unwrap_or(0)
            }
            Form::Choice(alternatives) => {
                alternatives.iter().map(Element::depth).max().unwrap_or(0)
            }
        }
    }
}

/// A text condition on a capture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Predicate {
    /// `(#eq? @capture "text")`.
    Eq {
        /// The capture index.
        capture: u32,
        /// The text the node must have.
        text: String,
    },
    /// `(#any-of? @capture "a" "b" ...)`.
    AnyOf {
        /// The capture index.
        capture: u32,
        /// The texts the node may have.
        texts: Vec<String>,
    },
}

impl Predicate {
    /// Whether `node`, in `code`, has the text the predicate asks for.
    pub fn admits(&self, node: Node, code: &[u8]) -> bool {
        code.get(node.byte_range())
            .is_some_and(|text| self.accepts(text))
    }

    /// The index of the capture the predicate tests.
    pub fn capture(&self) -> u32 {
        match self {
            Predicate::Eq { capture, .. } | Predicate::AnyOf { capture, .. } => *capture,
        }
    }

    fn accepts(&self, text: &[u8]) -> bool {
        match self {
            Predicate::Eq { text: wanted, .. } => text == wanted.as_bytes(),
            Predicate::AnyOf { texts, .. } => texts.iter().any(|t| text == t.as_bytes()),
        }
    }
}
