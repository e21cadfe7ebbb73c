//! Standard input: `-`, with `--stdin-filename` deciding the kind.

use crate::support::{imds_lint_with_stdin, IMDSV1_SCRIPT};

#[test]
fn stdin_is_read_as_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &[
            "--stdin-filename",
            "jobs/init.sh",
            "--output-format",
            "concise",
            "-",
        ],
        // No shebang: only the name says it is shell.
        b"curl http://169.254.169.254/latest/meta-data/\n",
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("jobs/init.sh:1:1: IMD001 "),
        "{run:?}"
    );
}

#[test]
fn stdin_filename_alone_implies_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &[
            "--stdin-filename",
            "init.sh",
            "-q",
            "--output-format",
            "concise",
        ],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("init.sh:2:1: "), "{run:?}");
}

#[test]
fn unnamed_stdin_goes_by_its_shebang() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &["-", "--output-format", "concise", "-q"],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("-:2:1: IMD001 "), "{run:?}");
}

#[test]
fn unnamed_stdin_without_shebang_is_python() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &["-", "--output-format", "concise", "-q"],
        b"import requests\nrequests.get('http://169.254.169.254/latest/meta-data/')\n",
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("-:2:1: IMD001 "), "{run:?}");
}

#[test]
fn clean_stdin_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(dir.path(), &["-"], b"print('hello')\n");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1 file checked"), "{run:?}");
}

#[test]
fn bad_stdin_is_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(dir.path(), &["-"], b"\x00\x01binary");
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.errors().len(), 1, "{run:?}");
    assert!(run.errors()[0].starts_with("error: -: binary"), "{run:?}");

    let run = imds_lint_with_stdin(dir.path(), &["--stdin-filename", "notes.txt"], b"hi\n");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.errors()[0].starts_with("error: notes.txt: "), "{run:?}");

    let run = imds_lint_with_stdin(dir.path(), &["--max-file-size", "4", "-"], b"print(1)\n");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.errors()[0].contains("too large"), "{run:?}");
}
