//! Where fixed files live: the folders `--fix` may write into through a
//! symbolic link, and the path a diff names so that `git apply` and
//! `patch -p1` find the file from the current folder.

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::inputs::{Input, InputSource};

/// The canonical folders the command line named: each folder itself, and
/// for a named file the folder it was named in (the folder of the link, not
/// of its target, so a named link cannot widen the roots to its target).
/// A file named through a linked folder (`dirlink/a.py`) adds no folder:
/// naming one file there says nothing of the others the link leads to.
pub fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    paths
        .iter()
        .filter(|path| path.as_os_str() != "-")
        .filter_map(|path| {
            let folder = if path.is_dir() {
                path.as_path()
            } else {
                let folder = match path.parent() {
                    Some(parent) if !parent.as_os_str().is_empty() => parent,
                    _ => Path::new("."),
                };
                if through_a_link(folder) {
                    return None;
                }
                folder
            };
            fs::canonicalize(folder).ok()
        })
        .collect()
}

/// Whether `folder`, or a folder above it as written, is a symbolic link.
fn through_a_link(folder: &Path) -> bool {
    folder
        .ancestors()
        .filter(|step| !step.as_os_str().is_empty())
        .any(|step| fs::symlink_metadata(step).is_ok_and(|meta| meta.file_type().is_symlink()))
}

/// `inputs` with each file once. Two paths to one file (a symbolic link
/// and its target) would fix it twice, the second write refused because
/// the first changed it; the path that is not a link is kept.
pub fn one_path_per_file(inputs: &[Input]) -> Vec<Input> {
    let is_link =
        |path: &Path| fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    let mut kept: Vec<Option<Input>> = Vec::with_capacity(inputs.len());
    let mut seen: HashMap<FileId, usize> = HashMap::new();
    for input in inputs {
        let canonical = match input.source {
            InputSource::File { .. } => file_id(&input.path),
            InputSource::Stdin { .. } | InputSource::Failed(_) => None,
        };
        let Some(canonical) = canonical else {
            kept.push(Some(input.clone()));
            continue;
        };
        if let Some(&at) = seen.get(&canonical) {
            let earlier = kept[at].as_ref().map(|earlier| earlier.path.as_path());
            if earlier.is_some_and(is_link) && !is_link(&input.path) {
                kept[at] = None;
            } else {
                log::debug!("{}: same file as an earlier path", input.path.display());
                continue;
            }
        }
        seen.insert(canonical, kept.len());
        kept.push(Some(input.clone()));
    }
    kept.into_iter().flatten().collect()
}

/// What tells one file from another, whatever path leads to it.
#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

/// The file `path` leads to, links followed: its device and inode (one
/// system call, where resolving the path takes one for each folder on the
/// way, for every file of a run).
#[cfg(unix)]
fn file_id(path: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata(path).ok().map(|meta| (meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path) -> Option<FileId> {
    fs::canonicalize(path).ok()
}

/// `path` as a diff names it: relative to `cwd` when it is under it, `./`
/// and `..`-free prefixes dropped, `/` between components. It is bytes, not
/// text: on Unix a name need not be UTF-8, and the diff must name the very
/// file it changes (its header quotes such a name as git does).
///
/// An absolute path outside `cwd` loses its leading `/`: such a diff
/// applies from the root folder only.
pub fn diff_path(path: &Path, cwd: &Path) -> Vec<u8> {
    let relative = if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else {
        path
    };
    let parts: Vec<&[u8]> = relative
        .components()
        .filter_map(|component| match component {
            Component::Normal(name) => Some(name.as_encoded_bytes()),
            Component::ParentDir => Some(b"..".as_slice()),
            Component::CurDir | Component::RootDir | Component::Prefix(_) => None,
        })
        .collect();
    parts.join(b"/".as_slice())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn diff_paths_are_relative_with_slashes() {
        let cwd = Path::new("/work/repo");
        let path = |path: &str| diff_path(Path::new(path), cwd);
        assert_eq!(path("./a/b.sh"), b"a/b.sh");
        assert_eq!(path("a/./b.sh"), b"a/b.sh");
        assert_eq!(path("/work/repo/x/y.py"), b"x/y.py");
        assert_eq!(path("/elsewhere/y.py"), b"elsewhere/y.py");
        assert_eq!(path("../up.sh"), b"../up.sh");
        assert_ne!(path("/work/repository/z.sh"), b"sitory/z.sh");
    }

    #[test]
    fn a_diff_path_keeps_the_bytes_of_a_name_not_in_utf8() {
        use std::os::unix::ffi::OsStrExt;

        let name = std::ffi::OsStr::from_bytes(b"./jobs/a\xff.sh");
        assert_eq!(diff_path(Path::new(name), Path::new("/")), b"jobs/a\xff.sh");
    }

    #[test]
    fn a_file_reached_by_a_link_too_is_fixed_once_under_its_own_name() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("real.sh"), "x").unwrap();
        fs::write(dir.path().join("zz.sh"), "x").unwrap();
        std::os::unix::fs::symlink("real.sh", dir.path().join("alias.sh")).unwrap();
        let input = |name: &str| Input {
            path: dir.path().join(name),
            source: InputSource::File { named: false },
        };
        let stdin = Input {
            path: PathBuf::from("-"),
            source: InputSource::Stdin { named: false },
        };
        let inputs = [
            input("alias.sh"),
            input("real.sh"),
            input("zz.sh"),
            stdin.clone(),
        ];
        let kept = one_path_per_file(&inputs);
        assert_eq!(kept, vec![input("real.sh"), input("zz.sh"), stdin]);

        // A hard link is the same file too: the second write would be
        // refused, the file having changed since it was read.
        fs::hard_link(dir.path().join("zz.sh"), dir.path().join("hard.sh")).unwrap();
        let kept = one_path_per_file(&[input("hard.sh"), input("zz.sh")]);
        assert_eq!(kept, vec![input("hard.sh")]);
    }

    #[test]
    fn a_named_file_roots_at_its_own_folder_not_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let inside = dir.path().join("inside");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&inside).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("t.sh"), "x").unwrap();
        let link = inside.join("link.sh");
        std::os::unix::fs::symlink(outside.join("t.sh"), &link).unwrap();

        let roots = roots(&[link, PathBuf::from("-")]);
        assert_eq!(roots, vec![fs::canonicalize(&inside).unwrap()]);
        let folder_roots = super::roots(std::slice::from_ref(&outside));
        assert_eq!(folder_roots, vec![fs::canonicalize(&outside).unwrap()]);

        // Named through a linked folder: no folder is added.
        let folder_link = inside.join("to-outside");
        std::os::unix::fs::symlink(&outside, &folder_link).unwrap();
        assert!(super::roots(&[folder_link.join("t.sh")]).is_empty());
        // The linked folder itself, named, is a root.
        assert_eq!(
            super::roots(std::slice::from_ref(&folder_link)),
            vec![fs::canonicalize(&outside).unwrap()]
        );
    }
}
