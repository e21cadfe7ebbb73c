//! Reads the files imds-lint scans into cells: pieces of code in one
//! language, each with a span map back to the bytes of the file as stored.
//!
//! The flow is `bytes -> SourceFile -> cells -> syntax trees`: [`FileKind`]
//! decides how a file is read, [`split`] cuts it into [`Cell`]s (notebook
//! cells, Databricks `MAGIC` cells, IPython `!` lines), and [`syntax`] parses
//! a cell with tree-sitter. The edit and fix types, and how inserted text
//! is written into a cell's stored form ([`encode`]), live here too, so
//! that rules and the rewriter agree on them.

mod bang;
mod cell;
mod databricks;
mod edit;
pub mod encode;
mod error;
mod kind;
mod lang;
mod magic;
mod notebook;
mod notebook_json;
pub mod pattern;
mod source;
mod span;
mod strict_json;
pub mod strings;
pub mod syntax;

pub use cell::{bang_host, Cell, Interpolation, Layer, Origin, ShellQuoting};
pub use edit::{Applicability, Edit, Fix};
pub use error::ReadError;
pub use kind::{databricks_header, FileKind};
pub use lang::Lang;
#[doc(hidden)]
pub use notebook::quick_read_agrees;
pub use source::{LineCol, LineIndex, SourceFile};
pub use span::{Segment, SpanMap, SpanMapBuilder};

/// Cuts a file into the cells its interpreters would run, in file order.
///
/// Markdown, SQL and R cells are kept (with their language) so that cell
/// numbers match the notebook; rules skip what they do not analyse.
pub fn split(source: &SourceFile) -> Result<Vec<Cell>, ReadError> {
    match source.kind {
        FileKind::Jupyter => notebook::cells(source),
        FileKind::Databricks(lang) => Ok(databricks::cells(source, lang)),
        FileKind::Python | FileKind::Shell | FileKind::Scala => {
            let (text, bom) = source.text_without_bom();
            let mut cell = Cell::whole_file(source.kind.lang(), text);
            cell.map = SpanMap::verbatim(bom, text.len());
            Ok(vec![cell])
        }
    }
}
