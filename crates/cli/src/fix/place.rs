//! Where fixed files live: the folders `--fix` may write into through a
//! symbolic link, and the path a diff names so that `git apply` and
//! `patch -p1` find the file from the current folder.

use std::collections::HashMap;
use std::fs;
use std::path::{Component, Path, PathBuf};

use crate::inputs::{plainness, Input, InputSource};

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

/// Whether `folder`, or a folder above it as written, is a symbolic link
/// (for a file's path: the file or a folder on the way).
fn through_a_link(folder: &Path) -> bool {
    folder
        .ancestors()
        .filter(|step| !step.as_os_str().is_empty())
        .any(|step| fs::symlink_metadata(step).is_ok_and(|meta| meta.file_type().is_symlink()))
}

/// `inputs` with each file once. Two paths to one file (a symbolic link
/// and its target, a path through a linked folder) would fix it twice, the
/// second write refused because the first changed it; the path with no
/// link on the way is kept. Two names of one file (hard links) are two
/// files here: writing one replaces its file and leaves the other.
pub fn one_path_per_file(inputs: &[Input]) -> Vec<Input> {
    one_per_file(inputs.to_vec(), |input| input)
}

/// `items` with each file once, as [`one_path_per_file`] keeps inputs: of
/// two paths to one file, the one with no link on the way, else the
/// plainer spelling ([`plainness`](crate::inputs::plainness)), else the earlier. The order of the
/// items kept is theirs.
pub fn one_per_file<T>(items: Vec<T>, input_of: impl Fn(&T) -> &Input) -> Vec<T> {
    let mut folders = HashMap::new();
    let mut kept: Vec<Option<T>> = Vec::with_capacity(items.len());
    let mut seen: HashMap<FileId, usize> = HashMap::new();
    for item in items {
        let input = input_of(&item);
        let canonical = match input.source {
            InputSource::File { .. } => file_id(&input.path, &mut folders),
            InputSource::Stdin { .. } | InputSource::Failed(_) => None,
        };
        let Some(canonical) = canonical else {
            kept.push(Some(item));
            continue;
        };
        // `seen` points only at items still kept.
        let earlier = seen
            .get(&canonical)
            .and_then(|&at| Some((at, &input_of(kept[at].as_ref()?).path)));
        if let Some((at, earlier)) = earlier {
            let rank = |path: &Path| (through_a_link(path), plainness(path));
            if rank(&input.path) >= rank(earlier) {
                log::debug!("{}: same file as an earlier path", input.path.display());
                continue;
            }
            kept[at] = None;
        }
        seen.insert(canonical, kept.len());
        kept.push(Some(item));
    }
    kept.into_iter().flatten().collect()
}

/// What tells one file from another, whatever path leads to it: the
/// folder it is in (device and inode) and its name there.
#[cfg(unix)]
type FileId = ((u64, u64), std::ffi::OsString);
#[cfg(not(unix))]
type FileId = PathBuf;

/// The folder and name `path` leads to, a link in its last part resolved
/// (folders are told by a stat each, which follows links, and remembered in
/// `folders`: resolving every path would cost a system call for each folder
/// on the way, for every file of a run).
#[cfg(unix)]
fn file_id(path: &Path, folders: &mut HashMap<PathBuf, (u64, u64)>) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let resolved;
    let path = if fs::symlink_metadata(path).ok()?.file_type().is_symlink() {
        resolved = fs::canonicalize(path).ok()?;
        resolved.as_path()
    } else {
        path
    };
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let folder_id = if let Some(&id) = folders.get(folder) {
        id
    } else {
        let meta = fs::metadata(folder).ok()?;
        let id = (meta.dev(), meta.ino());
        folders.insert(folder.to_owned(), id);
        id
    };
    Some((folder_id, path.file_name()?.to_owned()))
}

#[cfg(not(unix))]
fn file_id(path: &Path, _folders: &mut HashMap<PathBuf, (u64, u64)>) -> Option<FileId> {
    fs::canonicalize(path).ok()
}

/// `path` as a diff names it: relative to `cwd` when it is under it, `./`
/// and `..`-free prefixes dropped, `/` between components. It is bytes, not
/// text: on Unix a name need not be UTF-8, and the diff must name the very
/// file it changes (its header quotes such a name as git does).
///
/// An absolute path outside `cwd` loses its leading `/`: such a diff
/// applies from the root folder only. git refuses a `..` in a diff's path,
/// so a path with one is named from `cwd` without it when that name leads
/// to the same file; it refuses a path through a linked folder too, so
/// such a path is named by where it leads, when that is under `cwd`.
pub fn diff_path(path: &Path, cwd: &Path) -> Vec<u8> {
    let shorter;
    let real;
    let relative = if let Some(under) = real_path_under(path, cwd) {
        real = under;
        real.as_path()
    } else if path.is_absolute() {
        path.strip_prefix(cwd).unwrap_or(path)
    } else if path.components().any(|c| c == Component::ParentDir) {
        shorter = without_steps_up(path, cwd);
        shorter.as_deref().unwrap_or(path)
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

/// Where `path` (relative to `cwd`), if it is a link or goes through a
/// linked folder, leads, relative to `cwd`, when that is under `cwd`.
fn real_path_under(path: &Path, cwd: &Path) -> Option<PathBuf> {
    if path.is_absolute() {
        return None;
    }
    let is_link = |p: &Path| {
        fs::symlink_metadata(cwd.join(p)).is_ok_and(|meta| meta.file_type().is_symlink())
    };
    if is_link(path) {
        // git holds a link as a link, and patches only the file it leads to.
        let real = fs::canonicalize(cwd.join(path)).ok()?;
        let cwd = fs::canonicalize(cwd).ok()?;
        return real.strip_prefix(&cwd).ok().map(Path::to_path_buf);
    }
    let folder = path.parent().filter(|p| !p.as_os_str().is_empty())?;
    let linked = folder
        .ancestors()
        .filter(|step| !step.as_os_str().is_empty())
        .any(is_link);
    if !linked {
        return None;
    }
    let real = fs::canonicalize(cwd.join(folder))
        .ok()?
        .join(path.file_name()?);
    let cwd = fs::canonicalize(cwd).ok()?;
    real.strip_prefix(&cwd).ok().map(Path::to_path_buf)
}

/// `path` (relative to `cwd`, with `..` in it) as a path under `cwd`
/// without `..`, if that names the same file.
fn without_steps_up(path: &Path, cwd: &Path) -> Option<PathBuf> {
    let mut normal = PathBuf::new();
    for component in cwd.join(path).components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    let relative = normal.strip_prefix(cwd).ok()?.to_path_buf();
    same_file(&cwd.join(&relative), &cwd.join(path)).then_some(relative)
}

/// Whether two paths lead to one file (a `..` after a linked folder leads
/// elsewhere than the same words read without it).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let id = |path: &Path| fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
        id(a).is_some() && id(a) == id(b)
    }
    #[cfg(not(unix))]
    {
        let real = |path: &Path| fs::canonicalize(path).ok();
        real(a).is_some() && real(a) == real(b)
    }
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
    fn a_step_up_is_dropped_only_where_it_names_the_same_file() {
        let dir = tempfile::tempdir().unwrap();
        let cwd = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(cwd.join("a/b")).unwrap();
        fs::create_dir_all(cwd.join("far/inner")).unwrap();
        fs::write(cwd.join("a/x.sh"), "x").unwrap();
        fs::write(cwd.join("far/x.sh"), "x").unwrap();
        assert_eq!(diff_path(Path::new("a/b/../x.sh"), &cwd), b"a/x.sh");
        // `link/..` is the folder above where the link leads, not `a`.
        std::os::unix::fs::symlink(cwd.join("far/inner"), cwd.join("a/link")).unwrap();
        assert_eq!(diff_path(Path::new("a/link/../x.sh"), &cwd), b"far/x.sh");
        // git refuses a path through a linked folder: it is named by where
        // it leads, when that is under the current folder.
        fs::write(cwd.join("far/inner/y.sh"), "y").unwrap();
        assert_eq!(diff_path(Path::new("a/link/y.sh"), &cwd), b"far/inner/y.sh");
        let outside = tempfile::tempdir().unwrap();
        fs::write(outside.path().join("z.sh"), "z").unwrap();
        std::os::unix::fs::symlink(outside.path(), cwd.join("out")).unwrap();
        assert_eq!(diff_path(Path::new("out/z.sh"), &cwd), b"out/z.sh");
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

        // Two names of one file (hard links) are fixed each: the write
        // replaces one name's file and leaves the other as it was.
        fs::hard_link(dir.path().join("zz.sh"), dir.path().join("hard.sh")).unwrap();
        let both = [input("hard.sh"), input("zz.sh")];
        assert_eq!(one_path_per_file(&both), both);

        // Through a linked folder: the path with no link on the way is
        // kept, whichever comes first (git refuses a diff through a link).
        fs::create_dir(dir.path().join("sub")).unwrap();
        fs::write(dir.path().join("sub/c.sh"), "x").unwrap();
        std::os::unix::fs::symlink("sub", dir.path().join("dirlink")).unwrap();
        for order in [["dirlink/c.sh", "sub/c.sh"], ["sub/c.sh", "dirlink/c.sh"]] {
            let kept = one_path_per_file(&order.map(input));
            assert_eq!(kept, vec![input("sub/c.sh")], "{order:?}");
        }
        let same = [
            input("sub/c.sh"),
            input("./sub/c.sh"),
            input("sub/../sub/c.sh"),
        ];
        assert_eq!(one_path_per_file(&same), vec![input("sub/c.sh")]);
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
