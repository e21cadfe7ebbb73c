//! The languages a cell can be written in.

use std::fmt;

/// The language of a cell, as its interpreter sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Lang {
    /// Python, including IPython notebooks' Python cells.
    Python,
    /// POSIX shell or bash.
    Shell,
    /// Scala (2.11 to 2.13).
    Scala,
    /// SQL: read, never analysed (it cannot make HTTP requests).
    Sql,
    /// R: read, not analysed yet.
    R,
    /// Markdown: documentation, never analysed.
    Markdown,
}

impl Lang {
    /// Whether imds-lint looks for requests in this language.
    pub fn is_analysed(self) -> bool {
        matches!(self, Lang::Python | Lang::Shell | Lang::Scala)
    }

    /// The line comment marker of the language, used by Databricks exports.
    pub fn line_comment(self) -> &'static str {
        match self {
            Lang::Python | Lang::Shell | Lang::R | Lang::Markdown => "#",
            Lang::Scala => "//",
            Lang::Sql => "--",
        }
    }

    /// Lower-case name, as used in output and configuration.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Python => "python",
            Lang::Shell => "shell",
            Lang::Scala => "scala",
            Lang::Sql => "sql",
            Lang::R => "r",
            Lang::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
