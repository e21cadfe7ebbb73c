//! `--output-file`: the report written to a file instead of standard output,
//! appearing only once it is complete. The text goes to a hidden temporary
//! file beside the target, which replaces the target at the end; a run that
//! fails to write leaves the target as it was.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::inputs::Input;
use crate::report::Paint;
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
                "{red} cannot write {}: {err}",
                path.display()
            );
            return Exit::Error;
        }
    };

    let exit = run(Console {
        stdin: &mut *console.stdin,
        stdout: &mut file,
        stderr: &mut *console.stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: console.stderr_is_terminal,
    });

    // A failed write was reported where it happened.
    if file.failed || (exit == Exit::Error && !file.wrote) {
        return exit;
    }
    match file.commit() {
        Ok(()) => exit,
        Err(err) => {
            let red = error_paint.red("error:");
            let _ = writeln!(
                console.stderr,
                "{red} cannot write {}: {err}",
                path.display()
            );
            Exit::Error
        }
    }
}

/// A report file being written.
#[derive(Debug)]
pub struct OutputFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<BufWriter<File>>,
    /// Whether anything was written.
    wrote: bool,
    /// Whether a write failed.
    failed: bool,
}

impl OutputFile {
    /// Starts writing the report that will become `target`.
    pub fn create(target: &Path) -> io::Result<Self> {
        let name = target
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".{}.tmp", std::process::id()));
        let temp = target.with_file_name(temp_name);

        let file = File::create(&temp)?;
        Ok(OutputFile {
            target: target.to_owned(),
            temp,
            file: Some(BufWriter::new(file)),
            wrote: false,
            failed: false,
        })
    }

    /// Puts the finished report in place.
    pub fn commit(mut self) -> io::Result<()> {
        if let Some(file) = self.file.take() {
            file.into_inner().map_err(io::IntoInnerError::into_error)?;
        }
        fs::rename(&self.temp, &self.target)
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
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = self.file()?.flush();
        self.failed |= flushed.is_err();
        flushed
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        // Not committed (or the rename failed): nothing half-written stays.
        drop(self.file.take());
        let _ = fs::remove_file(&self.temp);
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
    inputs
        .into_iter()
        .find(|input| FileId::of(&input.path).as_ref() == Some(&target))
        .map(|input| input.path.as_path())
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

    #[test]
    fn an_abandoned_report_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("report.json");
        let mut out = OutputFile::create(&target).unwrap();
        out.write_all(b"[").unwrap();
        drop(out);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_missing_folder_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(OutputFile::create(&dir.path().join("no/such/dir/out.txt")).is_err());
        assert!(OutputFile::create(Path::new("/")).is_err());
    }
}
