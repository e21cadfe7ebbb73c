//! Bad input: each bad file gets one line on standard error naming the
//! file and the reason, the run goes on, and the exit code is 2.

use std::fs::{self, File};
use std::os::unix::fs::{symlink, PermissionsExt};
use std::os::unix::net::UnixListener;
use std::path::Path;

use crate::support::{imds_lint, note_skipped, write, Run, IMDSV2_SCRIPT};

/// Checks `dir` holding the bad file `name` and one good file; the bad
/// file's error line must be the only one, and must contain `reason`.
fn assert_one_error(dir: &Path, name: &str, reason: &str) -> Run {
    write(dir, "good.sh", IMDSV2_SCRIPT);
    let run = imds_lint(dir, &["."]);

    assert_eq!(run.code, 2, "{run:?}");
    let errors = run.errors();
    assert_eq!(errors.len(), 1, "{run:?}");
    let prefix = format!("error: {name}: ");
    assert!(errors[0].starts_with(&prefix), "{run:?}");
    assert!(errors[0].contains(reason), "{run:?}");
    assert!(!run.stderr.contains("panicked"), "{run:?}");
    // The run went on: the good file was checked.
    assert!(run.stdout.contains("1 file checked"), "{run:?}");
    run
}

#[test]
fn invalid_notebook_json() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "bad.ipynb",
        "{\"metadata\": {\"about\": \"http://169.254.169.254/\"}, \"cells\": [1, 2,",
    );
    assert_one_error(dir.path(), "bad.ipynb", "JSON");
}

/// A file that cannot hold a request is not decoded: its defects are no
/// concern of this tool, and finding them would mean parsing every file.
#[test]
fn broken_files_that_cannot_hold_a_request_are_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.ipynb", "{\"cells\": [1, 2,");
    write(dir.path(), "latin1.py", b"name = 'caf\xe9'\n");
    write(dir.path(), "good.sh", IMDSV2_SCRIPT);
    let run = imds_lint(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
    assert!(run.stdout.contains("3 files checked"), "{run:?}");
}

#[test]
fn nbformat_other_than_4() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.ipynb",
        r#"{"nbformat": 3, "nbformat_minor": 0, "worksheets": [], "metadata": {"about": "http://169.254.169.254/"}}"#,
    );
    assert_one_error(dir.path(), "old.ipynb", "nbformat");
}

#[test]
fn non_utf8_bytes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "latin1.py",
        b"name = 'caf\xe9'\nurl = 'http://169.254.169.254/'\n",
    );
    assert_one_error(dir.path(), "latin1.py", "UTF-8");
}

#[test]
fn binary_file() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "tool.sh", b"\x7fELF\x02\x01\x01\0\0\0");
    assert_one_error(dir.path(), "tool.sh", "binary");
}

#[test]
fn utf16_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend("print(1)\n".encode_utf16().flat_map(u16::to_le_bytes));
    write(dir.path(), "wide.py", bytes);
    assert_one_error(dir.path(), "wide.py", "UTF-16");
}

#[test]
fn huge_file_is_refused_by_its_size() {
    let dir = tempfile::tempdir().unwrap();
    // Sparse: takes no disk, but reading it would take 200 MiB of memory.
    File::create(dir.path().join("big.sh"))
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    let run = assert_one_error(dir.path(), "big.sh", "too large");
    assert!(run.stderr.contains("200 MiB"), "{run:?}");
}

#[test]
fn max_file_size_flag_sets_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "small.sh", "echo 0123456789\n");
    let run = imds_lint(dir.path(), &["--max-file-size", "10", "small.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.errors().len(), 1, "{run:?}");
    let run = imds_lint(dir.path(), &["--max-file-size", "1K", "small.sh"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn broken_symlink() {
    let dir = tempfile::tempdir().unwrap();
    symlink("nowhere.sh", dir.path().join("link.sh")).unwrap();
    assert_one_error(dir.path(), "link.sh", "broken symbolic link");

    let run = imds_lint(dir.path(), &["link.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn nonexistent_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "good.sh", IMDSV2_SCRIPT);
    let run = imds_lint(dir.path(), &["missing.sh", "missing-folder", "good.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.errors(),
        vec![
            "error: missing-folder: no such file or directory",
            "error: missing.sh: no such file or directory",
        ],
        "{run:?}"
    );
    assert!(run.stdout.contains("1 file checked"), "{run:?}");
}

#[test]
fn unreadable_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret.sh");
    write(dir.path(), "secret.sh", IMDSV2_SCRIPT);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();

    // As root (CI runs as root) permissions do not stop reads.
    if File::open(&path).is_ok() {
        note_skipped(
            "unreadable_file",
            "mode 000 does not stop this user's reads (root?), see unreadable_socket",
        );
        return;
    }
    assert_one_error(dir.path(), "secret.sh", "permission denied");
}

#[test]
fn unreadable_socket() {
    // A socket cannot be opened as a file, whoever runs the test.
    let dir = tempfile::tempdir().unwrap();
    let _listener = UnixListener::bind(dir.path().join("sock.sh")).unwrap();
    write(dir.path(), "good.sh", IMDSV2_SCRIPT);

    let run = imds_lint(dir.path(), &["sock.sh", "good.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.errors().len(), 1, "{run:?}");
    assert!(run.errors()[0].starts_with("error: sock.sh: "), "{run:?}");

    // Found by the walk, a socket is no file to check.
    let run = imds_lint(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn unreadable_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "locked/inner.sh", IMDSV2_SCRIPT);
    let locked = dir.path().join("locked");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();

    if fs::read_dir(&locked).is_ok() {
        note_skipped(
            "unreadable_folder",
            "mode 000 does not stop this user's reads (root?)",
        );
        return;
    }
    assert_one_error(dir.path(), "locked", "permission denied");
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn empty_files_are_fine() {
    let dir = tempfile::tempdir().unwrap();
    for name in ["empty.py", "empty.sh", "empty.ipynb", "empty.scala"] {
        write(dir.path(), name, "");
    }
    let run = imds_lint(dir.path(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(run.stdout.contains("4 files checked"), "{run:?}");
}

#[test]
fn every_bad_input_at_once_gets_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "a_bad.ipynb", "{\"about\": \"169.254.169.254\"");
    write(
        d,
        "b_old.ipynb",
        r#"{"nbformat": 3, "metadata": {"about": "169.254.169.254"}}"#,
    );
    write(d, "c_latin1.py", b"x = '\xe9'  # 169.254.169.254\n");
    write(d, "d_binary.sh", b"ab\0cd");
    write(d, "e_wide.py", b"\xff\xfep\0");
    File::create(d.join("f_big.sh"))
        .unwrap()
        .set_len(200 << 20)
        .unwrap();
    symlink("gone.py", d.join("g_link.py")).unwrap();
    write(d, "h_empty.py", "");
    write(d, "i_good.sh", IMDSV2_SCRIPT);

    let run = imds_lint(d, &["."]);
    assert_eq!(run.code, 2, "{run:?}");
    let names: Vec<&str> = run
        .errors()
        .iter()
        .map(|line| line.split(": ").nth(1).unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        vec![
            "a_bad.ipynb",
            "b_old.ipynb",
            "c_latin1.py",
            "d_binary.sh",
            "e_wide.py",
            "f_big.sh",
            "g_link.py"
        ],
        "{run:?}"
    );
    assert_eq!(run.stderr.lines().count(), 7, "{run:?}");
    assert!(run.stdout.contains("2 files checked"), "{run:?}");
    assert!(
        run.stdout.contains("7 paths could not be checked"),
        "{run:?}"
    );
}
