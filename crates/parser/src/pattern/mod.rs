//! Call shapes written as tree-sitter queries (`grammars/*.scm`), read and
//! matched by a small engine of our own.
//!
//! tree-sitter's `Query::new` analyses the whole grammar's parse tables
//! before it matches anything, which costs 5 to 35 ms per process and
//! language: more than a pre-commit run on one file may take. The `.scm`
//! files use a small part of the query language (see `read.rs`), which
//! needs no such analysis: kinds and fields are looked up once, and a
//! match is a table lookup by node kind followed by a check of a few
//! children.
//!
//! Known limit: patterns that the grammar makes impossible (a field on a
//! node kind that never has it) are not refused as tree-sitter refuses
//! them; they only never match (the differential test, which compiles each
//! file with tree-sitter too, catches them).

mod element;
mod error;
mod matching;
mod read;
#[cfg(test)]
mod read_tests;

use tree_sitter::{Language, Node};

pub use error::{PatternError, Problem};

/// The compiled patterns of one `.scm` file, for one grammar.
#[derive(Debug, Clone)]
pub struct Patterns {
    compiled: Vec<element::Pattern>,
    /// Pattern indexes by the kind id of their root node.
    by_kind: Vec<Vec<usize>>,
    capture_names: Vec<String>,
    /// The deepest level of children any pattern looks at.
    depth: usize,
}

/// One way a pattern matched: the pattern's index in its file and what
/// it captured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match<'t> {
    /// Index of the pattern, in the order of the file.
    pub pattern: usize,
    /// The captured nodes, in pre-order of the tree (a node before its
    /// children); a node captured under several names comes once per name.
    pub captures: Vec<Capture<'t>>,
}

/// A node captured by a pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Capture<'t> {
    /// Index of the capture's name in [`Patterns::capture_names`].
    pub index: u32,
    /// The captured node.
    pub node: Node<'t>,
}

impl Patterns {
    /// Reads `source` (the text of a `.scm` file) for `language`.
    ///
    /// Fails, with the line and column, on a syntax error, on a kind or
    /// field the grammar does not have, and on any construct of the query
    /// language the reader does not take.
    pub fn new(language: &Language, source: &str) -> Result<Patterns, PatternError> {
        let read = read::read(language, source)?;

        let mut by_kind: Vec<Vec<usize>> = vec![Vec::new(); language.node_kind_count()];
        for (index, pattern) in read.patterns.iter().enumerate() {
            if let element::Form::Node {
                kind: element::Kind::Id(id),
                ..
            } = pattern.root.form
            {
                if let Some(list) = by_kind.get_mut(usize::from(id)) {
                    list.push(index);
                }
            }
        }
        let depth = read
            .patterns
            .iter()
            .map(element::Pattern::depth)
            .max()
            .unwrap_or(0);

        Ok(Patterns {
            compiled: read.patterns,
            by_kind,
            capture_names: read.capture_names,
            depth,
        })
    }

    /// The names of the captures (without `@`), by index, in the order
    /// they first appear in the file.
    pub fn capture_names(&self) -> &[String] {
        &self.capture_names
    }

    /// How many patterns the file holds.
    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    /// Whether the file holds no pattern.
    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }

    /// A matcher of the patterns at one node at a time, for a walk that
    /// visits the nodes itself (see [`NodeMatcher::matches_at`]).
    pub fn matcher<'t>(&self) -> NodeMatcher<'_, 't> {
        NodeMatcher {
            patterns: self,
            state: None,
        }
    }

    /// Every match in the tree under `root` (itself included) of the code
    /// `code` it was parsed from: in pre-order of the node a pattern's root
    /// matched, then by pattern index, then in the order of the children
    /// the ways of matching take.
    pub fn matches<'t>(&self, root: Node<'t>, code: &str) -> Vec<Match<'t>> {
        matching::matches(
            &self.compiled,
            &self.by_kind,
            self.depth,
            root,
            code.as_bytes(),
        )
    }
}

/// Matches the patterns of a [`Patterns`] at nodes a caller visits, with
/// state kept from one node to the next. One per tree.
pub struct NodeMatcher<'p, 't> {
    patterns: &'p Patterns,
    state: Option<matching::Matcher<'t>>,
}

impl<'t> NodeMatcher<'_, 't> {
    /// Appends to `found` the matches of the patterns whose root is `node`
    /// itself, by pattern index: what [`Patterns::matches`] gives for
    /// `node` among the others. `code` is the text the tree was parsed from.
    pub fn matches_at(&mut self, node: Node<'t>, code: &str, found: &mut Vec<Match<'t>>) {
        let patterns = self.patterns;
        let state = self
            .state
            .get_or_insert_with(|| matching::Matcher::new(patterns.depth, node));
        state.at(
            &patterns.compiled,
            &patterns.by_kind,
            node,
            code.as_bytes(),
            found,
        );
    }
}
