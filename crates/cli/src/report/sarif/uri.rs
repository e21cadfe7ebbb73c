//! Where SARIF says a file is: a URI relative to the repository root (the
//! `%SRCROOT%` base), so that code scanning can match it to a file in the
//! repository, and the root itself as a `file:` URI.

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

/// The base every relative artifact URI is resolved against.
pub const SRCROOT: &str = "%SRCROOT%";

/// A file's `artifactLocation`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArtifactLocation {
    /// Relative to the root when the file is inside it, else an absolute
    /// `file:` URI.
    pub uri: String,
    /// `%SRCROOT%` for a relative `uri`.
    #[serde(rename = "uriBaseId", skip_serializing_if = "Option::is_none")]
    pub uri_base_id: Option<&'static str>,
}

/// The repository root for `path` (as given, relative to `cwd`): the
/// closest folder at or above it that holds `.git` (a folder, or a file in
/// worktrees and submodules, as `git rev-parse --show-toplevel` finds it);
/// `cwd` when there is none.
pub fn source_root(path: &Path, cwd: &Path) -> PathBuf {
    let start = real(path, cwd);
    let mut folder = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(dir) = folder {
        if dir.join(".git").exists() {
            return dir.to_owned();
        }
        folder = dir.parent();
    }
    real(Path::new("."), cwd)
}

/// Where the file at `path` (as given, relative to `cwd`) is, for SARIF:
/// symbolic links resolved, since code scanning cannot place a result in
/// a file it knows only by a link.
pub fn artifact_location(path: &Path, root: &Path, cwd: &Path) -> ArtifactLocation {
    let file = real(path, cwd);
    match file.strip_prefix(root) {
        Ok(inside) => ArtifactLocation {
            uri: encode_path(inside),
            uri_base_id: Some(SRCROOT),
        },
        Err(_) => ArtifactLocation {
            uri: file_uri(&file, false),
            uri_base_id: None,
        },
    }
}

/// `file:///abs/folder/` for a folder (the trailing `/` makes relative URIs
/// resolve inside it), `file:///abs/file` for a file.
pub fn file_uri(path: &Path, folder: bool) -> String {
    let mut uri = format!("file:///{}", encode_path(path));
    if folder && !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

/// `path` made absolute against `cwd` with links resolved; when it does
/// not exist (standard input's `--stdin-filename`, `-`), made absolute
/// and cleaned of `.` and `..` by its text alone.
fn real(path: &Path, cwd: &Path) -> PathBuf {
    let absolute = cwd.join(path);
    std::fs::canonicalize(&absolute).unwrap_or_else(|_| lexical(&absolute))
}

fn lexical(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The path's normal components, each percent-encoded, joined with `/`.
fn encode_path(path: &Path) -> String {
    let segments: Vec<String> = path
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(encode_segment(name)),
            _ => None,
        })
        .collect();
    segments.join("/")
}

/// Percent-encodes one path segment (RFC 3986): everything but unreserved
/// characters and a few harmless sub-delimiters. `:` is encoded too, so a
/// first segment such as `a:b.py` cannot be read as a URI scheme.
fn encode_segment(name: &OsStr) -> String {
    let mut out = String::new();
    for &byte in name.as_encoded_bytes() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(
                byte,
                b'-' | b'.'
                    | b'_'
                    | b'~'
                    | b'!'
                    | b'$'
                    | b'&'
                    | b'\''
                    | b'('
                    | b')'
                    | b'*'
                    | b'+'
                    | b','
                    | b';'
                    | b'='
                    | b'@'
            );
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment(OsStr::new("a b%#?.py")), "a%20b%25%23%3F.py");
        assert_eq!(encode_segment(OsStr::new("a:b.py")), "a%3Ab.py");
        assert_eq!(encode_segment(OsStr::new("é.ipynb")), "%C3%A9.ipynb");
        assert_eq!(
            encode_segment(OsStr::new("init-v1_(x).sh")),
            "init-v1_(x).sh"
        );
    }

    #[test]
    fn folder_uris_end_with_a_slash() {
        assert_eq!(
            file_uri(Path::new("/home/me/repo"), true),
            "file:///home/me/repo/"
        );
        assert_eq!(file_uri(Path::new("/"), true), "file:///");
        assert_eq!(
            file_uri(Path::new("/tmp/a b.py"), false),
            "file:///tmp/a%20b.py"
        );
    }

    #[test]
    fn root_is_the_closest_folder_with_git() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("repo/.git")).unwrap();
        std::fs::create_dir_all(top.join("repo/jobs/etl")).unwrap();
        std::fs::write(top.join("repo/jobs/etl/init.sh"), "").unwrap();

        assert_eq!(source_root(Path::new("repo/jobs"), &top), top.join("repo"));
        assert_eq!(
            source_root(Path::new("repo/jobs/etl/init.sh"), &top),
            top.join("repo")
        );
        // Outside any repository: the current folder.
        std::fs::create_dir_all(top.join("loose")).unwrap();
        let loose = top.join("loose");
        assert_eq!(source_root(Path::new("."), &loose), loose);
    }

    #[test]
    fn files_inside_the_root_are_relative_and_outside_absolute() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(top.join("repo/jobs")).unwrap();
        std::fs::write(top.join("repo/jobs/a b.py"), "").unwrap();
        std::fs::write(top.join("other.py"), "").unwrap();
        let root = top.join("repo");

        let inside = artifact_location(Path::new("jobs/./a b.py"), &root, &root);
        assert_eq!(inside.uri, "jobs/a%20b.py");
        assert_eq!(inside.uri_base_id, Some(SRCROOT));

        let outside = artifact_location(Path::new("../other.py"), &root, &root);
        assert_eq!(outside.uri, file_uri(&top.join("other.py"), false));
        assert_eq!(outside.uri_base_id, None);

        // A name that is not on disk (standard input) is placed by its text.
        let named = artifact_location(Path::new("jobs/../new.sh"), &root, &root);
        assert_eq!(named.uri, "new.sh");
    }

    #[cfg(unix)]
    #[test]
    fn links_are_resolved() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("real")).unwrap();
        std::fs::write(root.join("real/init.sh"), "").unwrap();
        std::os::unix::fs::symlink(root.join("real/init.sh"), root.join("link.sh")).unwrap();

        let location = artifact_location(Path::new("link.sh"), &root, &root);
        assert_eq!(location.uri, "real/init.sh");
    }
}
