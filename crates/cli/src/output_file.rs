//! `--output-file`: the report written to a file instead of standard output,
//! appearing only once it is complete. The text goes to a hidden temporary
//! file beside the target, which replaces the target at the end; a run that
//! fails to write leaves the target as it was.
//!
//! Only a regular file (or a name not yet taken) is replaced. A device, a
//! named pipe or a socket (`/dev/null`, a FIFO a reader waits on) is
//! written into, never replaced: as root, a rename over `/dev/null` would
//! break the machine. A symbolic link is refused rather than followed or
//! replaced: a link planted in a checked-out repository must not send the
//! report over another file or into a device, and replacing the link would
//! drop what the user pointed it at. The process's own streams
//! (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`) are links too, and are
//! written into, appended to whatever they hold.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::inputs::{Input, InputSource};
use crate::reason;
use crate::report::{escape, Paint};
use crate::run::{Console, Exit};

/// Runs `run` with its standard output going to a new report file at
/// `path`, which replaces `path` once the run is over: unless writing it
/// failed, or the run ended in an error before writing anything (a bad
/// argument), when `path` is left as it was.
pub fn run_into(
    path: &Path,
    console: &mut Console<'_>,
    error_paint: Paint,
    run: impl FnOnce(Console<'_>) -> Exit,
) -> Exit {
    let mut file = match OutputFile::create(path) {
        Ok(file) => file,
        Err(err) => {
            let red = error_paint.red("error:");
            let _ = writeln!(
                console.stderr,
                "{red} cannot write {}: {}",
                escape::line(&path.display().to_string()),
                reason::io(&err)
            );
            return Exit::Error;
        }
    };

    let exit = run(Console {
        stdin: &mut *console.stdin,
        stdout: &mut file,
        beside_report: Some(&mut *console.stdout),
        stderr: &mut *console.stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: console.stderr_is_terminal,
    });

    // A failed write was reported where it happened. A run that ended
    // before reporting (a bad argument or configuration) leaves the old
    // report; one that reported, if only errors, replaces it, so that no
    // earlier run's findings pass for this one's.
    if file.failed || (exit == Exit::Error && !file.wrote && !file.reported) {
        return exit;
    }
    match file.commit() {
        Ok(()) => exit,
        Err(err) => {
            let red = error_paint.red("error:");
            let _ = writeln!(
                console.stderr,
                "{red} cannot write {}: {}",
                escape::line(&path.display().to_string()),
                reason::io(&err)
            );
            Exit::Error
        }
    }
}

/// A report file being written.
#[derive(Debug)]
pub struct OutputFile {
    target: PathBuf,
    /// The hidden file that replaces `target` at the end; `None` when the
    /// report is written into `target` itself (a device, a pipe).
    temp: Option<tempfile::TempPath>,
    file: Option<BufWriter<File>>,
    /// Whether anything was written.
    wrote: bool,
    /// Whether the report was flushed: the run got as far as reporting.
    reported: bool,
    /// Whether a write failed.
    failed: bool,
}

/// How a report reaches the path `--output-file` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    /// Through a temporary file renamed over it.
    Replace,
    /// Written into it (opened for writing, never created or renamed over).
    Into,
    /// Appended to it: one of the process's own streams.
    Append,
}

/// How the report is to reach `target`, or why it cannot.
fn way_to(target: &Path) -> io::Result<Way> {
    let link = match fs::symlink_metadata(target) {
        Ok(link) => link,
        Err(err) if err.kind() == io::ErrorKind::NotFound && is_own_stream(target) => {
            return Err(refused("a stream this process does not have open"));
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Way::Replace),
        Err(err) => return Err(err),
    };
    if link.file_type().is_symlink() {
        if is_own_stream(target) {
            // Standard output is `-`, standard error written through its
            // own descriptor; any other is opened again, with an offset of
            // its own, which is harmless for a pipe or a terminal only.
            let other = !matches!(own_stream_number(target), Some(1 | 2));
            if other && fs::metadata(target).is_ok_and(|meta| meta.is_file()) {
                return Err(refused(
                    "an open file other than standard output or error, which imds-lint would \
                     open again and write under what is written there next; name the file \
                     itself",
                ));
            }
            return Ok(Way::Append);
        }
        // Wherever it leads: a link planted in a checked-out repository
        // must not send the report over a file, nor into a device.
        return Err(refused(
            "a symbolic link; name what it leads to, if that is where the report goes",
        ));
    }
    let meta = link;
    if meta.is_dir() {
        return Err(refused("a folder"));
    }
    if meta.is_file() {
        if let Some(stream) = own_stream_in(&meta) {
            // Renamed over, the file would leave the stream writing into
            // the replaced one: what it held, and what comes after, lost.
            let instead = match stream {
                "output" => "leave --output-file out, or name another file",
                _ => "name another file",
            };
            return Err(refused(&format!(
                "the file standard {stream} goes to, which the report would replace; {instead}"
            )));
        }
        return Ok(Way::Replace);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if meta.file_type().is_block_device() {
            return Err(refused("a block device"));
        }
    }
    // A character device, a named pipe, a socket.
    Ok(Way::Into)
}

/// Which of the process's standard streams, if either, writes into the
/// file `meta` describes.
#[cfg(unix)]
fn own_stream_in(meta: &fs::Metadata) -> Option<&'static str> {
    use std::os::fd::AsFd;
    use std::os::unix::fs::MetadataExt;
    let same = |fd: std::os::fd::BorrowedFd<'_>| {
        fd.try_clone_to_owned()
            .map(File::from)
            .and_then(|stream| stream.metadata())
            .is_ok_and(|stream| stream.dev() == meta.dev() && stream.ino() == meta.ino())
    };
    if same(io::stdout().as_fd()) {
        Some("output")
    } else if same(io::stderr().as_fd()) {
        Some("error")
    } else {
        None
    }
}

#[cfg(not(unix))]
fn own_stream_in(_meta: &fs::Metadata) -> Option<&'static str> {
    None
}

/// Whether `path` names one of the process's own open files.
fn is_own_stream(path: &Path) -> bool {
    // `//dev/stdout` and `/dev/./stdout` name it too.
    let path: PathBuf = path.components().collect();
    let Some(text) = path.to_str() else {
        return false;
    };
    if matches!(text, "/dev/stdout" | "/dev/stderr") || text.starts_with("/dev/fd/") {
        return true;
    }
    text.strip_prefix("/proc/")
        .and_then(|rest| rest.split_once("/fd/"))
        .is_some_and(|(process, _)| {
            process == "self"
                || process == "thread-self"
                || process.bytes().all(|b| b.is_ascii_digit())
        })
}

/// The number of the process's own open file that `path` names, when it
/// names one by number (`/dev/stdout` is 1, `/dev/fd/3` is 3).
fn own_stream_number(path: &Path) -> Option<u32> {
    let path: PathBuf = path.components().collect();
    let text = path.to_str()?;
    match text {
        "/dev/stdout" => return Some(1),
        "/dev/stderr" => return Some(2),
        _ => {}
    }
    // Digits only: `+1` parses as a number but names no file.
    let parse = |number: &str| {
        number
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| number.parse().ok())
            .flatten()
    };
    if let Some(number) = text.strip_prefix("/dev/fd/") {
        return parse(number);
    }
    let (process, number) = text.strip_prefix("/proc/")?.split_once("/fd/")?;
    let ours =
        process == "self" || process == "thread-self" || process == std::process::id().to_string();
    ours.then(|| parse(number)).flatten()
}

/// Whether `path` names the process's standard output: then the report
/// goes there as with `-`, through the stream the process was given.
pub fn names_standard_output(path: &Path) -> bool {
    own_stream_number(path) == Some(1)
}

fn refused(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("it is {what}"))
}

impl OutputFile {
    /// Starts writing the report that will become `target`.
    pub fn create(target: &Path) -> io::Result<Self> {
        let way = way_to(target)?;
        if way != Way::Replace {
            let file = if way == Way::Append && own_stream_number(target) == Some(2) {
                // Standard error itself, not the file behind it opened
                // again: that would write at an offset of its own, under
                // what is written there after the run.
                use std::os::fd::AsFd;
                File::from(io::stderr().as_fd().try_clone_to_owned()?)
            } else {
                let mut options = fs::OpenOptions::new();
                match way {
                    Way::Append => options.append(true),
                    _ => options.write(true),
                };
                options.open(target)?
            };
            return Ok(OutputFile {
                target: target.to_owned(),
                temp: None,
                file: Some(BufWriter::new(file)),
                wrote: false,
                reported: false,
                failed: false,
            });
        }
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let folder = match target.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        // A random name, created only where nothing is: a link planted at
        // a name a run would use cannot send the report elsewhere.
        let mut prefix = std::ffi::OsString::from(".");
        prefix.push(name);
        prefix.push(".");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        #[cfg(unix)]
        {
            // What `File::create` gives a new file (the umask applies); a
            // report that replaces one keeps that one's mode.
            use std::os::unix::fs::PermissionsExt;
            builder.permissions(fs::Permissions::from_mode(0o666));
        }
        let temp = builder.tempfile_in(folder)?;
        if let Ok(old) = fs::metadata(target) {
            temp.as_file().set_permissions(old.permissions())?;
        }
        let (file, temp) = temp.into_parts();
        Ok(OutputFile {
            target: target.to_owned(),
            temp: Some(temp),
            file: Some(BufWriter::new(file)),
            wrote: false,
            reported: false,
            failed: false,
        })
    }

    /// Puts the finished report in place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        match self.temp.take() {
            Some(temp) => temp.persist(&self.target).map_err(|e| e.error),
            None => Ok(()),
        }
    }

    fn file(&mut self) -> io::Result<&mut BufWriter<File>> {
        self.file
            .as_mut()
            .ok_or_else(|| io::Error::other("the report file is closed"))
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = self.file()?.write(buf);
        self.wrote |= !buf.is_empty();
        self.failed |= written.is_err();
        written.map_err(|err| self.named(&err))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.reported = true;
        let flushed = self.file()?.flush();
        self.failed |= flushed.is_err();
        flushed.map_err(|err| self.named(&err))
    }
}

impl OutputFile {
    /// `err` with the report file's name in front, as the other file
    /// errors have theirs: `report.sarif: no space left on device`.
    fn named(&self, err: &io::Error) -> io::Error {
        let name = escape::line(&self.target.display().to_string()).into_owned();
        io::Error::new(err.kind(), format!("{name}: {}", reason::io(err)))
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // Not committed (or the rename failed): nothing half-written stays.
        drop(self.file.take());
        // The temporary file, if still there, is removed with its path.
        drop(self.temp.take());
    }
}

/// The input that is the report file `target` itself, if any: writing the
/// report would replace a file the run checks or fixes. Files are the same
/// when their device and inode are (links followed), so `./a.sh`, a link
/// to it and a hard link all count.
pub fn input_at<'a>(
    target: &Path,
    inputs: impl IntoIterator<Item = &'a Input>,
) -> Option<&'a Path> {
    // A report file that does not exist yet cannot be an input.
    let target = FileId::of(target)?;
    // Standard input counts under the name it stands for: a pipeline that
    // reads a file and names it so must not have the report replace it.
    // It counts as the file it is read from too (`--output-file /dev/fd/0
    // - < a.sh` would append the report to `a.sh`).
    let from_stdin = || FileId::of(Path::new("/proc/self/fd/0"));
    inputs
        .into_iter()
        .find(|input| match input.source {
            // A file of no kind imds-lint reads is passed over, never
            // read: a report left in a checked folder by the last run
            // (`imds-lint . --output-file results.sarif`, again) is no
            // input of this one.
            InputSource::File { .. } => {
                FileId::of(&input.path).as_ref() == Some(&target) && read_as_code(&input.path)
            }
            InputSource::Stdin { .. } => {
                FileId::of(&input.path).as_ref() == Some(&target)
                    || from_stdin().as_ref() == Some(&target)
            }
            InputSource::Failed(_) => false,
        })
        .map(|input| input.path.as_path())
}

/// Whether the file at `path` is of a kind imds-lint reads, by its name or
/// its first bytes, read as the check reads them (never waiting on a pipe).
fn read_as_code(path: &Path) -> bool {
    let head = crate::read::open(path, false).map_or_else(|_| Vec::new(), |opened| opened.head);
    imds_lint_parser::FileKind::detect(path, &head).is_some()
}

/// What makes a file the same file under any name.
#[derive(Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    device_inode: (u64, u64),
    #[cfg(not(unix))]
    canonical: PathBuf,
}

impl FileId {
    #[cfg(unix)]
    fn of(path: &Path) -> Option<FileId> {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(path).ok()?;
        Some(FileId {
            device_inode: (meta.dev(), meta.ino()),
        })
    }

    #[cfg(not(unix))]
    fn of(path: &Path) -> Option<FileId> {
        Some(FileId {
            canonical: fs::canonicalize(path).ok()?,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_report_appears_only_when_committed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.sarif");
        fs::write(&target, "old").unwrap();

        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"new report").unwrap();
        out.flush().unwrap();
        assert_eq!(fs::read_to_string(&target).unwrap(), "old");
        out.commit().unwrap();

        assert_eq!(fs::read_to_string(&target).unwrap(), "new report");
        let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    /// Found by a fresh tester in the tenth session: a report file on a
    /// full disk gave `cannot write output: No space left on device`,
    /// without the file's name.
    #[test]
    fn a_failed_write_names_the_report_file() {
        let mut out = OutputFile::create(Path::new("/dev/full")).unwrap();
        let written = out
            .write_all(&vec![b'x'; 64 * 1024])
            .and_then(|()| out.flush());
        let err = written.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::StorageFull);
        assert_eq!(err.to_string(), "/dev/full: no space left on device");
    }

    #[test]
    fn an_abandoned_report_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"[").unwrap();
        drop(out);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// Found by a fresh tester: as root, `--output-file /dev/null` renamed
    /// a regular file over `/dev/null`. A device is written into.
    #[test]
    fn a_device_is_written_into_not_replaced() {
        let out = OutputFile::create(Path::new("/dev/null")).unwrap();
        // Checked before committing: were it wrong, the commit would
        // replace the machine's /dev/null.
        assert!(out.temp.is_none());
        let mut out = out;
        out.write_all(b"report").unwrap();
        out.commit().unwrap();
        let full = OutputFile::create(Path::new("/dev/full"));
        if let Ok(mut full) = full {
            assert!(full.temp.is_none());
            let written = full
                .write_all(&vec![b'x'; 1 << 16])
                .and_then(|()| full.flush());
            assert!(
                written.is_err() && full.failed,
                "a full device must fail the write"
            );
        }
    }

    #[test]
    fn a_named_pipe_gets_the_report_and_stays_a_pipe() {
        use std::os::unix::fs::FileTypeExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("report.fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs::read(fifo).unwrap())
        };
        let mut out = OutputFile::create(&fifo).unwrap();
        out.write_all(b"report").unwrap();
        out.commit().unwrap();
        assert_eq!(reader.join().unwrap(), b"report");
        assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
    }

    #[test]
    fn a_link_to_a_file_is_refused_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("real.txt"), "old").unwrap();
        let link = dir.path().join("report.txt");
        std::os::unix::fs::symlink("real.txt", &link).unwrap();
        let err = OutputFile::create(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        let nowhere = dir.path().join("nowhere.txt");
        std::os::unix::fs::symlink("missing.txt", &nowhere).unwrap();
        assert!(OutputFile::create(&nowhere).is_err());
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read_to_string(dir.path().join("real.txt")).unwrap(),
            "old"
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 3);
    }

    #[test]
    fn a_link_to_a_device_is_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("report.txt");
        std::os::unix::fs::symlink("/dev/null", &link).unwrap();
        let err = OutputFile::create(&link).unwrap_err();
        assert!(err.to_string().contains("symbolic link"), "{err}");
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[test]
    fn own_streams_are_known_by_number() {
        let ours = format!("/proc/{}/fd/1", std::process::id());
        for (path, number) in [
            ("/dev/stdout", Some(1)),
            ("//dev/./stderr", Some(2)),
            ("/dev/fd/3", Some(3)),
            ("/proc/self/fd/1", Some(1)),
            ("/proc/thread-self/fd/2", Some(2)),
            (ours.as_str(), Some(1)),
            ("/proc/1/fd/1", None),
            ("/dev/fd/x", None),
            ("/dev/fd/+1", None),
            ("stdout", None),
        ] {
            assert_eq!(own_stream_number(Path::new(path)), number, "{path}");
        }
        assert!(names_standard_output(Path::new("/dev/fd/1")));
        assert!(!names_standard_output(Path::new("/dev/stderr")));
    }

    #[test]
    fn the_process_own_streams_are_appended_to() {
        for path in [
            "/dev/stdout",
            "/dev/stderr",
            "/dev/fd/1",
            "/proc/self/fd/2",
            "/proc/42/fd/1",
            "//dev/stdout",
            "/dev/./stdout",
        ] {
            assert!(is_own_stream(Path::new(path)), "{path}");
        }
        for path in [
            "/dev/stdout2",
            "/proc/self/fdx/1",
            "/proc/a1/fd/1",
            "dev/stdout",
        ] {
            assert!(!is_own_stream(Path::new(path)), "{path}");
        }
    }

    /// Found by a fresh tester: the temporary file was `.NAME.<pid>.tmp`,
    /// opened by following links, so a link planted at that name for a
    /// likely process id sent the report into any file.
    #[test]
    fn a_link_at_the_old_temporary_name_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("victim.txt"), "keep").unwrap();
        let planted = dir
            .path()
            .join(format!(".report.txt.{}.tmp", std::process::id()));
        std::os::unix::fs::symlink(dir.path().join("victim.txt"), &planted).unwrap();
        let target = dir.path().join("report.txt");
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"report").unwrap();
        out.commit().unwrap();
        assert_eq!(
            fs::read_to_string(dir.path().join("victim.txt")).unwrap(),
            "keep"
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "report");
        assert!(fs::symlink_metadata(&target).unwrap().is_file());
    }

    #[test]
    fn a_replaced_report_keeps_its_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.sarif");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"new").unwrap();
        out.commit().unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        // A new report gets what `File::create` gives: readable by others
        // under the usual umask, not the temporary file's 0600.
        let fresh = dir.path().join("fresh.sarif");
        OutputFile::create(&fresh).unwrap().commit().unwrap();
        let probe = dir.path().join("probe");
        File::create(&probe).unwrap();
        assert_eq!(
            fs::metadata(&fresh).unwrap().permissions().mode() & 0o777,
            fs::metadata(&probe).unwrap().permissions().mode() & 0o777
        );
    }

    /// An open file other than standard output or error cannot be written
    /// through its own descriptor (that takes unsafe code); opened again,
    /// it has an offset of its own, and a regular file behind it would get
    /// what its owner writes next over the report. Found by a tester: `{
    /// imds-lint --output-file /dev/fd/3 ...; echo END >&3; } 3>log`.
    #[test]
    fn another_open_regular_file_is_refused_and_a_pipe_is_not() {
        use std::os::fd::AsRawFd;
        let dir = tempfile::tempdir().unwrap();
        let log = File::create(dir.path().join("log")).unwrap();
        let target = format!("/proc/self/fd/{}", log.as_raw_fd());
        let err = OutputFile::create(Path::new(&target)).unwrap_err();
        assert!(err.to_string().contains("name the file itself"), "{err}");

        let (reader, writer) = io::pipe().unwrap();
        let target = format!("/dev/fd/{}", writer.as_raw_fd());
        let mut report = OutputFile::create(Path::new(&target)).unwrap();
        report.write_all(b"report\n").unwrap();
        report.commit().unwrap();
        drop(writer);
        let mut read = String::new();
        io::Read::read_to_string(&mut &reader, &mut read).unwrap();
        assert_eq!(read, "report\n");
    }

    #[test]
    fn a_stream_not_open_is_refused() {
        let err = OutputFile::create(Path::new("/proc/self/fd/987654")).unwrap_err();
        assert!(err.to_string().contains("not have open"), "{err}");
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = OutputFile::create(dir.path()).unwrap_err();
        assert!(err.to_string().contains("folder"), "{err}");
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(OutputFile::create(&dir.path().join("no/such/dir/out.txt")).is_err());
        assert!(OutputFile::create(Path::new("/")).is_err());
    }
}
