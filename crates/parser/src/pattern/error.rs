//! Why a `.scm` pattern file could not be read, and where.

use thiserror::Error;

/// A pattern file that cannot be used: what is wrong, at which line and
/// column of the file.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("line {line}, column {column}: {problem}")]
pub struct PatternError {
    /// 1-based line of the offending text.
    pub line: usize,
    /// 1-based column (in characters) of the offending text.
    pub column: usize,
    /// What is wrong there.
    pub problem: Problem,
}

/// What is wrong with a pattern file. Each variant is one thing the author
/// of the file has to change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Problem {
    /// The text breaks the query syntax.
    #[error("expected {expected}, found {found}")]
    Syntax {
        /// What the reader could take here.
        expected: &'static str,
        /// What is there instead (`end of file` at the end).
        found: String,
    },
    /// A string without its closing quote.
    #[error("string not closed")]
    UnclosedString,
    /// A node kind the grammar does not have.
    #[error("the grammar has no node kind `{0}`")]
    UnknownKind(String),
    /// An anonymous node (a string pattern) the grammar does not have.
    #[error("the grammar has no anonymous node \"{0}\"")]
    UnknownToken(String),
    /// A field name the grammar does not have.
    #[error("the grammar has no field `{0}`")]
    UnknownField(String),
    /// A predicate names a capture its pattern does not define.
    #[error("capture @{0} is not defined in this pattern")]
    UnknownCapture(String),
    /// A construct of the tree-sitter query language that this reader does
    /// not take (quantifiers, `#match?`, negated fields...).
    #[error("{0} is not supported")]
    Unsupported(String),
    /// A predicate with the wrong arguments.
    #[error("#{predicate} takes {takes}")]
    PredicateArguments {
        /// The predicate's name, without `#`.
        predicate: &'static str,
        /// What it takes.
        takes: &'static str,
    },
}
