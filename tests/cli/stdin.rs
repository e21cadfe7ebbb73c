//! Standard input: `-`, with `--stdin-filename` deciding the kind.

use crate::support::{imds_lint_with_stdin, write, IMDSV1_SCRIPT};

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

/// Standard input named as a file that is also checked on disk: both are
/// checked, whichever is named first, and the disk file once.
#[test]
fn stdin_named_as_a_file_on_disk_does_not_hide_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.sh", IMDSV1_SCRIPT);
    let clean = b"#!/bin/sh\necho hi\n";
    for args in [
        ["--stdin-filename", "a.sh", "-", "a.sh", "."],
        ["--stdin-filename", "a.sh", "a.sh", "-", "."],
        ["--stdin-filename", "a.sh", ".", "-", "a.sh"],
    ] {
        let mut args = args.to_vec();
        args.extend(["--output-format", "concise"]);
        let run = imds_lint_with_stdin(dir.path(), &args, clean);
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert_eq!(
            run.stdout.matches("a.sh:2:1: IMD001").count(),
            1,
            "{args:?}: {run:?}"
        );
        assert!(
            run.stdout.contains("(2 files checked)"),
            "{args:?}: {run:?}"
        );
    }
}

/// Found by a fresh tester: `- -` checked standard input twice, and
/// `--fix` wrote the fixed text out twice (every request ran twice).
#[test]
fn stdin_named_twice_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    let script = IMDSV1_SCRIPT.as_bytes();
    let args = [
        "--stdin-filename",
        "q.sh",
        "-",
        "-",
        "--output-format",
        "concise",
    ];
    let run = imds_lint_with_stdin(dir.path(), &args, script);
    assert_eq!(run.stdout.matches("q.sh:2:1: IMD001").count(), 1, "{run:?}");
    assert!(run.stdout.contains("(1 file checked)"), "{run:?}");

    let run = imds_lint_with_stdin(
        dir.path(),
        &["--fix", "--stdin-filename", "q.sh", "-", "-"],
        script,
    );
    assert_eq!(run.stdout.matches("#!/bin/").count(), 1, "{run:?}");
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

// Regression (tester): standard input was checked whatever the excludes
// said of its name; as for a named path, an excluded name is not checked.
#[test]
fn stdin_named_in_an_excluded_folder_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &[
            "--stdin-filename",
            "venv/x.sh",
            "--output-format",
            "concise",
        ],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stdout.contains("IMD001"), "{run:?}");
    assert_eq!(run.stderr, "");
}

#[test]
fn stdin_named_as_an_exclude_flag_or_file_matches_is_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    let by_flag = imds_lint_with_stdin(
        dir.path(),
        &["--exclude", "*.sh", "--stdin-filename", "x.sh", "-"],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(by_flag.code, 0, "{by_flag:?}");
    assert!(!by_flag.stdout.contains("IMD001"), "{by_flag:?}");

    write(
        dir.path(),
        "imds-lint.toml",
        "extend-exclude = [\"gen/\"]\n",
    );
    let by_file = imds_lint_with_stdin(
        dir.path(),
        &["--stdin-filename", "gen/x.sh"],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(by_file.code, 0, "{by_file:?}");
    assert!(!by_file.stdout.contains("IMD001"), "{by_file:?}");

    // Not excluded: still checked.
    let kept = imds_lint_with_stdin(
        dir.path(),
        &["--exclude", "*.py", "--stdin-filename", "x.sh"],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(kept.code, 1, "{kept:?}");
}

#[test]
fn fixing_excluded_stdin_passes_it_through_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint_with_stdin(
        dir.path(),
        &[
            "--fix",
            "--exclude",
            "*.sh",
            "--stdin-filename",
            "x.sh",
            "-",
        ],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stdout, IMDSV1_SCRIPT, "{run:?}");
    assert!(!run.stderr.contains("IMD001"), "{run:?}");
}

/// `--stdin-filename` with PATHs that do not include `-` reads no standard
/// input: the run says so instead of dropping the text without a word.
#[test]
fn stdin_filename_without_a_dash_among_paths_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.sh", "#!/bin/sh\necho hi\n");
    let run = imds_lint_with_stdin(
        dir.path(),
        &["--stdin-filename", "jobs/init.sh", "a.sh"],
        IMDSV1_SCRIPT.as_bytes(),
    );
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.lines().any(|line| line
            == "warning: --stdin-filename jobs/init.sh is not used: standard input is read \
                only when `-` is among the paths"),
        "{run:?}"
    );
    // With `-`, or with no PATHs at all, it is used and nothing is said.
    for args in [
        &["--stdin-filename", "jobs/init.sh", "a.sh", "-"][..],
        &["--stdin-filename", "jobs/init.sh"][..],
    ] {
        let run = imds_lint_with_stdin(dir.path(), args, IMDSV1_SCRIPT.as_bytes());
        assert_eq!(run.code, 1, "{args:?}: {run:?}");
        assert!(!run.stderr.contains("not used"), "{args:?}: {run:?}");
    }
}
