//! Why a file could not be read into cells.

use thiserror::Error;

/// A file that cannot be scanned, and why. Each variant is one kind of
/// failure a user can act on.
#[derive(Debug, Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    /// The file holds a NUL byte: it is binary, not code.
    #[error("binary file (NUL byte at offset {offset})")]
    Binary {
        /// Where the first NUL byte is.
        offset: usize,
    },
    /// The file is not valid UTF-8.
    #[error("not valid UTF-8 (invalid byte at offset {offset}); re-save the file as UTF-8")]
    NotUtf8 {
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The file is UTF-16 (it starts with a UTF-16 byte order mark).
    #[error("UTF-16 text is not supported; re-save the file as UTF-8")]
    Utf16,
    /// The file is UTF-32 (it starts with a UTF-32 byte order mark).
    #[error("UTF-32 text is not supported; re-save the file as UTF-8")]
    Utf32,
    /// The file is larger than the configured limit.
    #[error("file too large ({size} bytes; the limit is {limit} bytes)")]
    TooLarge {
        /// The file's size.
        size: u64,
        /// The limit in force.
        limit: u64,
    },
    /// An `.ipynb` file that is not valid JSON.
    #[error("invalid notebook JSON: {message} at line {line}, column {column}")]
    InvalidJson {
        /// What the JSON parser said.
        message: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column of the error.
        column: usize,
    },
    /// An `.ipynb` file in JSON that is not an nbformat 4 notebook.
    #[error("not a Jupyter notebook: {0}")]
    NotNotebook(String),
    /// A notebook cell that breaks the nbformat 4 schema (a cell that is
    /// not an object, a `source` that is neither a string nor a list of
    /// strings...).
    #[error("notebook cell {cell} is malformed: {reason}")]
    InvalidCell {
        /// 1-based number of the cell.
        cell: usize,
        /// What is wrong with it.
        reason: String,
    },
    /// A notebook in an nbformat other than 4.
    #[error("unsupported nbformat {0}; only nbformat 4 is read")]
    UnsupportedNbformat(String),
}
