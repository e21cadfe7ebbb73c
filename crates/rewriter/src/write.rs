//! Writing a fixed file without ever leaving it half-written: a temporary
//! file in the same folder, flushed to disk, then renamed over the original,
//! and only if the original did not change since it was read.

use std::fs;
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf};

/// Why a fixed file was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The file changed on disk after it was read.
    #[error("the file changed since it was read; run imds-lint again")]
    Changed,
    /// The file was removed after it was read; it is not made again.
    #[error("the file was removed since it was read")]
    Removed,
    /// The file's permissions allow no one to write it.
    #[error("the file is read-only")]
    ReadOnly,
    /// The path is not a regular file (a pipe, a device, a folder).
    #[error("not a regular file")]
    NotAFile,
    /// The path is a symbolic link to a file outside the scanned folders.
    #[error("the path is a symbolic link to {0}, outside the scanned folders")]
    OutsideRoots(PathBuf),
    /// Another program wrote the file, or put another in its place, in
    /// the instant between the last look and the rename; the file was left
    /// (or put back) as that program left it.
    #[error(
        "another program changed the file as it was being replaced: it is left as that \
         program left it, unfixed; run imds-lint again"
    )]
    Raced,
    /// As [`WriteError::Raced`], but the other program changed the file
    /// again while the change was undone: one version is in place, the
    /// other kept at the path given.
    #[error(
        "another program changed the file twice as it was being replaced: the file holds its \
         first change, {} its second (written over the fixed text, or a version of its own); \
         merge them by hand", .0.display()
    )]
    RacedTwice(PathBuf),
    /// As [`WriteError::Raced`], but the other program's text could not be
    /// put back: the file holds the fixed text.
    #[error(
        "another program changed the file as it was being replaced, and its version could not \
         be put back ({0}): the file holds the fixed text, and a `.imds-lint.*.tmp` file beside \
         it may hold that version; check them by hand"
    )]
    RacedNotPutBack(Box<WriteError>),
    /// No temporary file could be made beside the file (the folder is not
    /// writable, or full): the fixed text is written there first.
    #[error(
        "cannot make a temporary file in {} ({}): the fixed text is written beside the file, \
         then takes its place", .folder.display(), .source
    )]
    NoTemporaryFile {
        /// The folder.
        folder: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The file system refused.
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// How sure a written file is to survive a crash.
#[derive(Debug)]
pub enum Durability {
    /// Its bytes were synced, and so was its folder (or its file system
    /// syncs no folders, and keeps renames by other means).
    Synced,
    /// Its bytes were synced, but its folder could not be, and why: a
    /// crash before the system writes the folder out may bring back the
    /// old file (whole; never a mix).
    FolderNotSynced(io::Error),
}

/// Replaces the file at `path` with `new`, if it still holds `original`.
///
/// A symbolic link is followed only to a file inside one of `roots`
/// (canonical folders); the link itself stays. Permissions, and ownership
/// where allowed, are kept. A file whose permissions let no one write it is
/// left alone, also when the process could write it anyway (root).
///
/// The original is never opened for writing: until the new text takes its
/// place (an exchange of the two files on Linux, else a rename) it is whole
/// and old, after it whole and new; a file another program changed or put
/// in its place in that instant is left as that program left it (see
/// [`WriteError::Raced`]). A process killed in between leaves a
/// `.imds-lint.*.tmp` file beside it, never a truncated original.
pub fn write_atomic(
    path: &Path,
    original: &[u8],
    new: &[u8],
    roots: &[PathBuf],
) -> Result<Durability, WriteError> {
    replace(path, original, new, roots, |_| {})
}

/// The moments of [`replace`] at which the tests write the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Moment {
    /// After the last look, before the new text takes the file's place.
    BeforeExchange,
    /// After the exchange, when a change was found, before it is undone.
    AfterExchange,
}

/// [`write_atomic`], running `at` at each [`Moment`].
fn replace(
    path: &Path,
    original: &[u8],
    new: &[u8],
    roots: &[PathBuf],
    mut at: impl FnMut(Moment),
) -> Result<Durability, WriteError> {
    let (target, metadata) = writable(path, original.len(), roots)?;

    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let temp = synced_copy(dir, new, &metadata)?;

    // A last look narrows the window in which another writer could be lost.
    let old = still_holds(&target, original)?;
    at(Moment::BeforeExchange);
    match exchange(temp.path(), &target) {
        Ok(()) => settle_exchange(temp, &target, &old, original, new, &mut at)?,
        // No exchange on this system or file system: a rename, and what
        // another program wrote to the old file in between is copied back.
        Err(err) if cannot_exchange(&err) => {
            rename_over(temp, &target, &old, original, new, &metadata)?;
        }
        Err(err) => return Err(removed_or_io(err)),
    }
    // Syncing each folder once at the end of a run was tried: done one
    // after another, those syncs took longer than these, which overlap.
    Ok(folder_synced(
        fs::File::open(dir).and_then(|dir| dir.sync_all()),
    ))
}

/// Settles the exchange that put `temp`'s text, `new`, at `target`. What
/// it displaced (now at the temporary path) must be `old`, the file looked
/// at, still holding `original`; if not (or if it cannot be read), another
/// program wrote it or put another in its place meanwhile, and the two are
/// exchanged back. Then what returns to the temporary path must be `new`
/// as written, or that program changed the file a second time, and it is
/// kept. What is left at the temporary path is removed.
fn settle_exchange(
    temp: tempfile::NamedTempFile,
    target: &Path,
    old: &fs::File,
    original: &[u8],
    new: &[u8],
    at: &mut impl FnMut(Moment),
) -> Result<(), WriteError> {
    let untouched = same_file(old, temp.path())
        .and_then(|same| Ok(same && holds(old, original)?))
        .unwrap_or(false);
    if untouched {
        // The old file goes before the folder is synced.
        let _ = temp.close();
        return Ok(());
    }
    at(Moment::AfterExchange);
    if let Err(err) = exchange(temp.path(), target) {
        // That program's version stays, at the temporary path.
        let _ = temp.keep();
        return Err(WriteError::RacedNotPutBack(Box::new(WriteError::Io(err))));
    }
    let ours = same_file(temp.as_file(), temp.path())
        .and_then(|same| Ok(same && holds(temp.as_file(), new)?))
        .unwrap_or(false);
    if ours {
        return Err(WriteError::Raced);
    }
    let path = temp.path().to_owned();
    let kept = temp.into_temp_path().keep().unwrap_or(path);
    let plain = kept.components().filter(|c| *c != Component::CurDir);
    Err(WriteError::RacedTwice(plain.collect()))
}

/// Renames `temp`, holding `new`, over `target`, whose old file `old`
/// held `original` at the last look; what another program wrote to the
/// old file in between is copied back.
fn rename_over(
    temp: tempfile::NamedTempFile,
    target: &Path,
    old: &fs::File,
    original: &[u8],
    new: &[u8],
    metadata: &fs::Metadata,
) -> Result<(), WriteError> {
    let dir = temp.path().parent().unwrap_or(Path::new(".")).to_owned();
    temp.persist(target).map_err(|e| WriteError::Io(e.error))?;
    if holds(old, original)? {
        return Ok(());
    }
    Err(match put_back(target, &dir, old, new, metadata) {
        Ok(()) => WriteError::Raced,
        Err(err) => WriteError::RacedNotPutBack(Box::new(err)),
    })
}

/// A temporary file in `dir` holding `text`, flushed to disk, with the
/// permissions (and owner, where allowed) of `metadata`'s file.
fn synced_copy(
    dir: &Path,
    text: &[u8],
    metadata: &fs::Metadata,
) -> Result<tempfile::NamedTempFile, WriteError> {
    let mut temp = tempfile::Builder::new()
        .prefix(".imds-lint.")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|source| WriteError::NoTemporaryFile {
            folder: dir.to_owned(),
            source,
        })?;
    temp.write_all(text)?;
    // Owner before mode: changing the owner clears set-user-ID and
    // set-group-ID bits, which the mode then puts back.
    keep_owner(temp.path(), metadata);
    temp.as_file().set_permissions(metadata.permissions())?;
    temp.as_file().sync_all()?;
    Ok(temp)
}

/// Swaps the files at `a` and `b` in one step, where the system can.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// Whether `err`, from [`exchange`], says the system or the file system
/// cannot exchange files, rather than that these two could not be
/// (`EXDEV`: some layered file systems refuse an exchange a rename does).
fn cannot_exchange(err: &io::Error) -> bool {
    #[cfg(unix)]
    let unsupported = matches!(
        err.raw_os_error(),
        Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP | libc::EXDEV)
    );
    #[cfg(not(unix))]
    let unsupported = false;
    unsupported || err.kind() == io::ErrorKind::Unsupported
}

/// Whether `path` names the file `file` has open.
#[cfg(unix)]
fn same_file(file: &fs::File, path: &Path) -> io::Result<bool> {
    use std::os::unix::fs::MetadataExt;
    let (open, named) = (file.metadata()?, fs::symlink_metadata(path)?);
    Ok(open.dev() == named.dev() && open.ino() == named.ino())
}

#[cfg(not(unix))]
fn same_file(_file: &fs::File, _path: &Path) -> io::Result<bool> {
    Ok(true)
}

/// Whether the open `file` holds exactly `text`, read from its start.
fn holds(mut file: &fs::File, text: &[u8]) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))?;
    let mut now = Vec::with_capacity(text.len() + 1);
    file.take(text.len() as u64 + 1).read_to_end(&mut now)?;
    Ok(now == text)
}

/// Puts the text of `old`, the file a rename replaced, back at `target`,
/// if `target` still holds the `new` text the rename put there.
fn put_back(
    target: &Path,
    dir: &Path,
    mut old: &fs::File,
    new: &[u8],
    metadata: &fs::Metadata,
) -> Result<(), WriteError> {
    use std::io::{Read, Seek, SeekFrom};
    old.seek(SeekFrom::Start(0))?;
    let mut text = Vec::new();
    old.read_to_end(&mut text)?;
    let temp = synced_copy(dir, &text, metadata)?;
    still_holds(target, new)?;
    temp.persist(target).map_err(|e| WriteError::Io(e.error))?;
    Ok(())
}

/// What the sync of a written file's folder tells. Some file systems sync
/// no folders (`EINVAL`, `ENOTSUP`): the rename is theirs to keep.
fn folder_synced(synced: io::Result<()>) -> Durability {
    match synced {
        Err(err)
            if !matches!(
                err.kind(),
                io::ErrorKind::InvalidInput | io::ErrorKind::Unsupported
            ) =>
        {
            Durability::FolderNotSynced(err)
        }
        _ => Durability::Synced,
    }
}

/// Whether [`write_atomic`] would write the file at `path`, read as
/// `original_len` bytes: the file it writes (a symbolic link resolved)
/// and that file's metadata, or why not. `--diff` asks too, so that it
/// shows no change `--fix` would refuse.
pub fn writable(
    path: &Path,
    original_len: usize,
    roots: &[PathBuf],
) -> Result<(PathBuf, fs::Metadata), WriteError> {
    let link = fs::symlink_metadata(path).map_err(removed_or_io)?;
    // A path that is no link is written where it is: resolving it would
    // cost a system call for each folder on the way, for every file.
    let (target, metadata) = if link.file_type().is_symlink() {
        // What the link leads to first: a link to a pipe (`/dev/fd/63` of
        // a shell's `<(…)`) resolves to no path at all.
        let metadata = fs::metadata(path).map_err(removed_or_io)?;
        if !metadata.is_file() {
            return Err(WriteError::NotAFile);
        }
        let target = fs::canonicalize(path).map_err(removed_or_io)?;
        if !roots.iter().any(|r| target.starts_with(r)) {
            return Err(WriteError::OutsideRoots(target));
        }
        (target, metadata)
    } else {
        (path.to_owned(), link)
    };
    if !metadata.is_file() {
        return Err(WriteError::NotAFile);
    }
    if metadata.permissions().readonly() {
        return Err(WriteError::ReadOnly);
    }
    // The bytes are compared just before the rename; a new size is enough
    // to stop here.
    if usize::try_from(metadata.len()).ok() != Some(original_len) {
        return Err(WriteError::Changed);
    }
    Ok((target, metadata))
}

/// The file at `target`, open, if it still holds `original`. Something
/// else in its place (a named pipe, a device) is a change, and is not read.
fn still_holds(target: &Path, original: &[u8]) -> Result<fs::File, WriteError> {
    let file = open_without_waiting(target).map_err(removed_or_io)?;
    if !file.metadata()?.is_file() {
        return Err(WriteError::Changed);
    }
    if holds(&file, original)? {
        Ok(file)
    } else {
        Err(WriteError::Changed)
    }
}

/// Opens `path` for reading without waiting: a named pipe put in a
/// file's place would otherwise hold the open until something writes to
/// it, and the run with it, deaf to Ctrl-C. The caller checks what it
/// opened (`metadata().is_file()`) before reading; for a regular file the
/// flag changes nothing.
pub fn open_without_waiting(path: &Path) -> io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// A file that is not found any more was removed after it was read.
fn removed_or_io(err: io::Error) -> WriteError {
    if err.kind() == io::ErrorKind::NotFound {
        WriteError::Removed
    } else {
        WriteError::Io(err)
    }
}

#[cfg(unix)]
fn keep_owner(path: &Path, metadata: &fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; for others the owner is already theirs.
    let _ = std::os::unix::fs::chown(path, Some(metadata.uid()), Some(metadata.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_path: &Path, _metadata: &fs::Metadata) {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Runs `f` on a thread, failing the test if it does not finish in
    /// a few seconds (rather than hanging the test run).
    fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(f());
        });
        receive
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("blocked for 5 s"))
    }

    fn mkfifo(path: &Path) {
        let made = std::process::Command::new("mkfifo")
            .arg(path)
            .status()
            .unwrap();
        assert!(made.success());
    }

    #[test]
    fn a_folder_sync_fails_only_on_a_real_error() {
        let err = |code| Err(io::Error::from_raw_os_error(code));
        assert!(matches!(folder_synced(Ok(())), Durability::Synced));
        assert!(matches!(
            folder_synced(err(libc::EINVAL)),
            Durability::Synced
        ));
        assert!(matches!(
            folder_synced(err(libc::EOPNOTSUPP)),
            Durability::Synced
        ));
        assert!(matches!(
            folder_synced(err(libc::EIO)),
            Durability::FolderNotSynced(_)
        ));
    }

    #[test]
    fn a_file_turned_into_a_named_pipe_is_changed_not_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        mkfifo(&path);
        let target = path.clone();
        let held = within_seconds(move || still_holds(&target, b"old"));
        assert!(matches!(held, Err(WriteError::Changed)), "{held:?}");
        let opened = within_seconds(move || open_without_waiting(&path).map(|_| ()));
        assert!(opened.is_ok(), "{opened:?}");
    }

    #[test]
    fn a_write_in_the_instant_before_the_rename_is_put_back() {
        // Found by a tester: a program appending to a file as `--fix`
        // replaced it lost two of half a million appends, made to the old
        // file between the last look and the rename. Its text comes back.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old\n").unwrap();
        let append = || {
            let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
            file.write_all(b"appended\n").unwrap();
        };
        let written = replace(&path, b"old\n", b"new\n", &[], before(append));
        assert!(matches!(written, Err(WriteError::Raced)), "{written:?}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\nappended\n");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
        // With no other writer, the file is replaced.
        let written = replace(&path, b"old\nappended\n", b"new\n", &[], |_| {});
        assert!(matches!(written, Ok(Durability::Synced)), "{written:?}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "new\n");
    }

    #[test]
    fn a_file_replaced_by_rename_in_that_instant_is_left_as_replaced() {
        // Found by a tester: a program that saves by renaming (editors,
        // `sed -i`, git) put its version in place between the last look
        // and the rename, and the fix replaced it, silently: the look after
        // the rename read the old file, which that program never touched.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old\n").unwrap();
        let theirs = dir.path().join("theirs");
        let save = || {
            fs::write(&theirs, "their version\n").unwrap();
            fs::rename(&theirs, &path).unwrap();
        };
        let written = replace(&path, b"old\n", b"new\n", &[], before(save));
        assert!(matches!(written, Err(WriteError::Raced)), "{written:?}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "their version\n");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    /// Found by a tester: a file in a folder imds-lint may not write to
    /// was "not written: permission denied", though the file itself was
    /// writable. The error names the folder the temporary file goes in.
    #[test]
    fn a_temporary_file_that_cannot_be_made_names_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old\n").unwrap();
        let metadata = fs::metadata(&path).unwrap();
        let gone = dir.path().join("gone");
        let made = synced_copy(&gone, b"new\n", &metadata);
        let Err(err) = made else {
            panic!("a temporary file was made in a missing folder")
        };
        let shown = err.to_string();
        assert!(
            shown.contains("cannot make a temporary file in") && shown.contains("gone"),
            "{shown}"
        );
    }

    #[test]
    fn without_an_exchange_a_write_to_the_old_file_is_copied_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old\n").unwrap();
        let metadata = fs::metadata(&path).unwrap();
        let temp = synced_copy(dir.path(), b"new\n", &metadata).unwrap();
        let old = still_holds(&path, b"old\n").unwrap();
        let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
        file.write_all(b"appended\n").unwrap();
        let renamed = rename_over(temp, &path, &old, b"old\n", b"new\n", &metadata);
        assert!(matches!(renamed, Err(WriteError::Raced)), "{renamed:?}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\nappended\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    /// Runs `f` at the moment before the exchange.
    fn before(f: impl FnOnce()) -> impl FnMut(Moment) {
        let mut f = Some(f);
        move |moment| {
            if moment == Moment::BeforeExchange {
                if let Some(f) = f.take() {
                    f();
                }
            }
        }
    }

    #[test]
    fn a_second_change_between_the_two_exchanges_is_kept_beside_the_file() {
        // Found by a tester: a program that wrote the file once before the
        // exchange and again, by its name, after it, wrote the second time
        // to the fixed file, which the exchange back then removed.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        let append = |text: &str| {
            let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
            file.write_all(text.as_bytes()).unwrap();
        };
        fs::write(&path, "old\n").unwrap();
        let written = replace(&path, b"old\n", b"new\n", &[], |moment| match moment {
            Moment::BeforeExchange => append("A\n"),
            Moment::AfterExchange => append("B\n"),
        });
        let Err(WriteError::RacedTwice(kept)) = written else {
            panic!("{written:?}");
        };
        assert_eq!(fs::read_to_string(&path).unwrap(), "old\nA\n");
        assert_eq!(fs::read_to_string(&kept).unwrap(), "new\nB\n");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);

        // The same with a program that saves by renaming: both versions stay.
        fs::remove_file(&kept).unwrap();
        fs::write(&path, "old\n").unwrap();
        let save = |text: &str| {
            let theirs = dir.path().join("theirs");
            fs::write(&theirs, text).unwrap();
            fs::rename(&theirs, &path).unwrap();
        };
        let written = replace(&path, b"old\n", b"new\n", &[], |moment| match moment {
            Moment::BeforeExchange => save("v1\n"),
            Moment::AfterExchange => save("v2\n"),
        });
        let Err(WriteError::RacedTwice(kept)) = written else {
            panic!("{written:?}");
        };
        let mut versions = [
            fs::read_to_string(&path).unwrap(),
            fs::read_to_string(&kept).unwrap(),
        ];
        versions.sort();
        assert_eq!(versions, ["v1\n", "v2\n"]);
    }

    #[test]
    fn a_file_removed_in_that_instant_is_not_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old\n").unwrap();
        let written = replace(
            &path,
            b"old\n",
            b"new\n",
            &[],
            before(|| fs::remove_file(&path).unwrap()),
        );
        assert!(matches!(written, Err(WriteError::Removed)), "{written:?}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn replaces_content_and_keeps_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o750)).unwrap();
        write_atomic(&path, b"old", b"new", &[]).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o750
        );
        let leftovers = fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 1, "no temporary file left behind");
    }

    #[test]
    fn file_changed_since_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "changed by someone else").unwrap();
        let err = write_atomic(&path, b"what we read", b"fixed", &[]).unwrap_err();
        assert!(matches!(err, WriteError::Changed));
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "changed by someone else"
        );

        // Same size, other bytes: the comparison before the rename sees it.
        fs::write(&path, "WHAT WE READ").unwrap();
        let err = write_atomic(&path, b"what we read", b"fixed", &[]).unwrap_err();
        assert!(matches!(err, WriteError::Changed));
        assert_eq!(fs::read_to_string(&path).unwrap(), "WHAT WE READ");
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary file left behind"
        );
    }

    #[test]
    fn symlink_out_of_the_roots_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let root = tempfile::tempdir().unwrap();
        let target = outside.path().join("t.sh");
        fs::write(&target, "old").unwrap();
        let link = root.path().join("link.sh");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let roots = vec![fs::canonicalize(root.path()).unwrap()];
        let err = write_atomic(&link, b"old", b"new", &roots).unwrap_err();
        assert!(matches!(err, WriteError::OutsideRoots(_)));
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
    }

    #[test]
    fn symlink_inside_the_roots_writes_its_target_and_stays_a_link() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("real.sh");
        fs::write(&target, "old").unwrap();
        let link = root.path().join("link.sh");
        std::os::unix::fs::symlink("real.sh", &link).unwrap();
        let roots = vec![fs::canonicalize(root.path()).unwrap()];
        write_atomic(&link, b"old", b"new", &roots).unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "new");
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn set_group_id_bit_survives_the_owner_being_kept() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("init.sh");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o2755)).unwrap();
        write_atomic(&path, b"old", b"new", &[]).unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
            0o2755
        );
    }

    #[test]
    fn read_only_file_is_not_written_even_by_root() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.py");
        fs::write(&path, "old").unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o444)).unwrap();
        let err = write_atomic(&path, b"old", b"new", &[]).unwrap_err();
        assert!(matches!(err, WriteError::ReadOnly), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn removed_file_is_not_made_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gone.sh");
        let err = write_atomic(&path, b"old", b"new", &[]).unwrap_err();
        assert!(matches!(err, WriteError::Removed), "{err}");
        assert!(!path.exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_link_to_a_pipe_is_not_a_file_not_a_removed_one() {
        // Regression (tester): `--fix <(cat init.sh)` names /dev/fd/63, a
        // link to `pipe:[…]`, which resolves to no path; it was reported
        // as removed since it was read.
        use std::os::fd::AsRawFd;
        let (reader, _writer) = io::pipe().unwrap();
        let path = PathBuf::from(format!("/proc/self/fd/{}", reader.as_raw_fd()));
        let roots = [PathBuf::from("/")];
        let result = writable(&path, 3, &roots);
        assert!(matches!(result, Err(WriteError::NotAFile)), "{result:?}");
    }

    #[test]
    fn folder_is_not_a_file_to_write() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_atomic(dir.path(), b"", b"new", &[]).unwrap_err();
        assert!(matches!(err, WriteError::NotAFile), "{err}");
    }
}
