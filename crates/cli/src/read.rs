//! Reading a file's bytes under a size limit: the first bytes alone decide
//! whether a file is read at all, and a file over the limit is never read
//! into memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::reason;

/// How many bytes are read before deciding a file's kind: enough for a
/// shebang or a Databricks header line.
pub const HEAD_LEN: usize = 512;

/// An open file whose first bytes have been read.
#[derive(Debug)]
pub struct Opened {
    file: File,
    /// The first bytes (up to [`HEAD_LEN`]).
    pub head: Vec<u8>,
    /// The size of a regular file; `None` for pipes and devices.
    pub size: Option<u64>,
}

/// Opens `path` and reads its first bytes. A file the walk found (not
/// `named` on the command line) was a regular file then; anything else in
/// its place now (a named pipe, whose open would wait for a writer, a
/// device) is not read, and the error says why.
pub fn open(path: &Path, named: bool) -> io::Result<Opened> {
    let file = if named {
        File::open(path)?
    } else {
        imds_lint_rewriter::open_without_waiting(path)?
    };
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::from(io::ErrorKind::IsADirectory));
    }
    if !named && !meta.is_file() {
        return Err(io::Error::other(
            "not a regular file any more (something took its place after the walk found it)",
        ));
    }
    let size = meta.is_file().then_some(meta.len());

    let mut head = Vec::with_capacity(HEAD_LEN);
    (&file).take(HEAD_LEN as u64).read_to_end(&mut head)?;
    Ok(Opened { file, head, size })
}

impl Opened {
    /// Reads the whole file into `buffer`, replacing what it held, failing
    /// with a reason when it is larger than `limit` bytes (checked before
    /// reading when the size is known). A buffer kept from file to file spares
    /// an allocation, and the page faults of touching fresh memory, per
    /// file: most files are read only to be searched once.
    pub fn read_into(self, limit: u64, buffer: &mut Vec<u8>) -> Result<(), String> {
        if let Some(size) = self.size.filter(|&size| size > limit) {
            return Err(reason::too_large(Some(size), limit));
        }
        let Opened { file, head, size } = self;
        buffer.clear();
        // One more byte than the size, so that reading to the end needs no
        // second allocation to learn that the end is there.
        let expected = size.map_or(0, |size| size.saturating_add(1).min(limit + 1));
        let expected = usize::try_from(expected).unwrap_or(0);
        // A buffer too small is replaced, not grown: growing it would copy
        // the bytes of the file read before (4% of a sparse scan's
        // instructions went to such copies).
        if buffer.capacity() < expected {
            *buffer = Vec::with_capacity(expected);
        }
        buffer.extend_from_slice(&head);
        let rest_limit = (limit + 1).saturating_sub(head.len() as u64);
        file.take(rest_limit)
            .read_to_end(buffer)
            .map_err(|err| reason::io(&err))?;
        // The file grew since it was measured, or it is a stream.
        if buffer.len() as u64 > limit {
            return Err(reason::too_large(size.filter(|&s| s > limit), limit));
        }
        Ok(())
    }
}

/// A stream that could not be read whole: why, and the bytes read before
/// giving up, which `--fix` passes on with the rest of the stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unread {
    /// Why, in the words that follow `error: <path>: `.
    pub why: String,
    /// The bytes read before the limit was passed or the read failed.
    pub head: Vec<u8>,
}

/// Reads a stream (standard input) to its end, up to `limit` bytes.
pub fn read_stream(stream: &mut dyn Read, limit: u64) -> Result<Vec<u8>, Unread> {
    let mut bytes = Vec::new();
    if let Err(err) = stream.take(limit + 1).read_to_end(&mut bytes) {
        return Err(Unread {
            why: reason::io(&err),
            head: bytes,
        });
    }
    if bytes.len() as u64 > limit {
        return Err(Unread {
            why: reason::too_large(None, limit),
            head: bytes,
        });
    }
    Ok(bytes)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::io::Write;

    use super::*;

    impl Opened {
        fn read_all(self, limit: u64) -> Result<Vec<u8>, String> {
            let mut bytes = Vec::new();
            self.read_into(limit, &mut bytes)?;
            Ok(bytes)
        }
    }

    #[test]
    fn a_walked_file_that_became_a_named_pipe_is_not_waited_for() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("init.sh");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        assert!(made.is_ok_and(|status| status.success()));
        let (send, receive) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = send.send(open(&path, false).map(|_| ()));
        });
        let opened = receive
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap_or_else(|_| panic!("the open waited for a writer"));
        let err = opened.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("not a regular file any more"), "{err}");
    }

    #[test]
    fn reads_head_then_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sh");
        let text = "x".repeat(HEAD_LEN * 3);
        std::fs::write(&path, &text).unwrap();

        let opened = open(&path, true).unwrap();
        assert_eq!(opened.head.len(), HEAD_LEN);
        assert_eq!(opened.size, Some(text.len() as u64));
        assert_eq!(opened.read_all(1 << 20).unwrap(), text.as_bytes());
    }

    #[test]
    fn a_kept_buffer_holds_only_the_last_file() {
        let dir = tempfile::tempdir().unwrap();
        let long = dir.path().join("long.sh");
        let short = dir.path().join("short.sh");
        std::fs::write(&long, "y".repeat(HEAD_LEN * 4)).unwrap();
        std::fs::write(&short, "echo hi\n").unwrap();

        let mut buffer = Vec::new();
        open(&long, true)
            .unwrap()
            .read_into(1 << 20, &mut buffer)
            .unwrap();
        assert_eq!(buffer.len(), HEAD_LEN * 4);
        open(&short, true)
            .unwrap()
            .read_into(1 << 20, &mut buffer)
            .unwrap();
        assert_eq!(buffer, b"echo hi\n");
        assert!(open(&long, true)
            .unwrap()
            .read_into(100, &mut buffer)
            .is_err());
    }

    #[test]
    fn large_file_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.sh");
        let file = File::create(&path).unwrap();
        // Sparse: no disk space, and reading it would take 200 MiB of memory.
        file.set_len(200 << 20).unwrap();

        let err = open(&path, true).unwrap().read_all(50 << 20).unwrap_err();
        assert!(err.contains("200 MiB"), "{err}");
        assert!(err.contains("50 MiB"), "{err}");
    }

    #[test]
    fn limit_is_inclusive() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.sh");
        std::fs::File::create(&path)
            .unwrap()
            .write_all(b"12345")
            .unwrap();
        assert!(open(&path, true).unwrap().read_all(5).is_ok());
        assert!(open(&path, true).unwrap().read_all(4).is_err());
    }

    #[test]
    fn streams_are_cut_at_the_limit() {
        let mut input: &[u8] = b"0123456789";
        let unread = read_stream(&mut input, 8).unwrap_err();
        // What was read is kept, and the rest is left in the stream.
        assert_eq!(unread.head, b"012345678");
        assert_eq!(input, b"9");
        let mut input: &[u8] = b"0123456789";
        assert_eq!(read_stream(&mut input, 10).unwrap(), b"0123456789");
    }

    #[test]
    fn a_folder_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        assert!(open(dir.path(), true).is_err());
    }
}
