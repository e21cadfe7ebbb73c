//! Reading a configuration file's text without trusting what sits at its
//! name: only a regular file is opened (links followed), and only up to
//! [`MAX_LEN`] bytes are read. A committed link to `/dev/zero` would
//! otherwise fill memory, and a FIFO would block the run forever.

use std::io::{self, Read};
use std::path::Path;

/// The largest configuration file read. Real ones are a few kilobytes;
/// the cap only keeps a runaway file from filling memory.
pub const MAX_LEN: u64 = 1 << 20;

/// What is at a configuration file's name.
#[derive(Debug)]
pub enum Reading {
    /// No file by that name: none, or a path too long to name.
    Absent(io::Error),
    /// The file's text.
    Text(String),
    /// A file that cannot be used.
    Unusable(Unusable),
}

/// A configuration file that is there but cannot be used.
#[derive(Debug)]
pub struct Unusable {
    /// Why, in the words that follow `cannot be read: `.
    pub why: String,
    /// Whether the bytes that were read name imds-lint: a `pyproject.toml`
    /// that does not belongs to other tools, and is passed over.
    pub names_us: bool,
}

/// Reads the configuration file at `path`.
pub fn read(path: &Path) -> Reading {
    match read_bytes(path) {
        Ok(bytes) => decode(bytes),
        Err(err) if is_absent(&err) => Reading::Absent(err),
        Err(err) => unusable(crate::reason::io(&err), false),
    }
}

/// The file's bytes, up to one past [`MAX_LEN`] (so that a file over the
/// cap shows as one). Opened without waiting, since opening a FIFO waits
/// for a writer, then checked to be a regular file.
fn read_bytes(path: &Path) -> io::Result<Vec<u8>> {
    let file = match imds_lint_rewriter::open_without_waiting(path) {
        Ok(file) => file,
        // A link at the name is a file meant to be there.
        Err(err) if err.kind() == io::ErrorKind::NotFound && is_link(path) => {
            return Err(io::Error::other("a symbolic link to nothing"));
        }
        Err(err) if err.kind() == io::ErrorKind::IsADirectory => return Err(a_folder()),
        Err(err) => return Err(err),
    };
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(a_folder());
    }
    if !meta.is_file() {
        return Err(not_regular());
    }

    let mut bytes = Vec::new();
    file.take(MAX_LEN + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Text from bytes that fit the cap and are UTF-8.
fn decode(bytes: Vec<u8>) -> Reading {
    let names_us = memchr::memmem::find(&bytes, b"imds-lint").is_some();
    if bytes.len() as u64 > MAX_LEN {
        let why = format!("too large (over {})", crate::reason::human_size(MAX_LEN));
        return unusable(why, names_us);
    }
    match String::from_utf8(bytes) {
        Ok(text) => Reading::Text(text),
        Err(_) => unusable("not UTF-8".to_owned(), names_us),
    }
}

fn unusable(why: String, names_us: bool) -> Reading {
    Reading::Unusable(Unusable { why, names_us })
}

/// Whether `path` is a symbolic link (wherever it leads).
fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
}

/// The error for a folder at a configuration file's name.
fn a_folder() -> io::Error {
    io::Error::other("a folder, not a file")
}

/// The error for a pipe, socket or device at a configuration file's name.
fn not_regular() -> io::Error {
    io::Error::other("not a regular file")
}

/// Whether a read failed because there is no such file to read. A path
/// too long for the system to name counts as none too: in a folder chain
/// deeper than the system's path limit no file can be opened by its path,
/// so none can be a configuration file, and the files there get their own
/// error.
fn is_absent(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
    ) || is_name_too_long(err)
}

/// Whether the system refused a path as too long (`ENAMETOOLONG`).
/// `io::ErrorKind::InvalidFilename` says so from Rust 1.87, past our
/// minimum version, so the OS error number is compared.
fn is_name_too_long(err: &io::Error) -> bool {
    // ENAMETOOLONG on Linux, then on macOS and the BSDs; Windows's
    // ERROR_FILENAME_EXCED_RANGE. Elsewhere such a path stays an error.
    const NAME_TOO_LONG: Option<i32> = if cfg!(any(target_os = "linux", target_os = "android")) {
        Some(36)
    } else if cfg!(any(
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    )) {
        Some(63)
    } else if cfg!(windows) {
        Some(206)
    } else {
        None
    };
    NAME_TOO_LONG.is_some() && err.raw_os_error() == NAME_TOO_LONG
}
