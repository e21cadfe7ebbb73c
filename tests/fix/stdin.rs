//! `--fix` and `--diff` on standard input: the fixed text goes to standard
//! output (unchanged text too, so a pipe never loses it) and the report to
//! standard error.

use crate::support::{imds_lint, imds_lint_with_stdin, write, CLEAN_SCRIPT, IMDSV1_SCRIPT};

#[test]
fn fixed_standard_input_is_printed_as_a_file_would_be_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--fix", "--stdin-filename", "init.sh", "-"];
    let run = imds_lint_with_stdin(dir.path(), &args, IMDSV1_SCRIPT.as_bytes());
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "Fixed 1 finding in 1 file (0 left).\n");

    // The same text fixed as a file.
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let file = imds_lint(dir.path(), &["--fix", "init.sh"]);
    assert_eq!(file.code, 0, "{file:#?}");
    assert_eq!(
        run.bytes,
        std::fs::read(dir.path().join("init.sh")).unwrap()
    );
    assert_ne!(run.stdout, IMDSV1_SCRIPT);
}

/// With `--output-file`, the report goes to that file and the fixed text
/// still to standard output. Regression (tester): the fixed text went
/// into the report file, standard output stayed empty (`> out.sh` left
/// an empty script) and the report went to standard error.
#[test]
fn fixed_standard_input_with_a_report_file_goes_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--fix",
        "--output-format",
        "concise",
        "--output-file",
        "report.txt",
        "--stdin-filename",
        "init.sh",
        "-",
    ];
    let run = imds_lint_with_stdin(dir.path(), &args, IMDSV1_SCRIPT.as_bytes());
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "", "{run:#?}");
    assert!(run.stdout.contains("X-aws-ec2-metadata-token"), "{run:#?}");
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert_eq!(report, "Fixed 1 finding in 1 file (0 left).\n");

    // What is left is reported in the file too.
    let text = "#!/bin/sh\nec2metadata --instance-id\n";
    let run = imds_lint_with_stdin(dir.path(), &args, text.as_bytes());
    assert_eq!((run.code, run.stdout.as_str()), (1, text), "{run:#?}");
    let report = std::fs::read_to_string(dir.path().join("report.txt")).unwrap();
    assert!(report.starts_with("init.sh:2:1: IMD003"), "{report}");
}

#[test]
fn standard_input_with_nothing_to_fix_passes_through() {
    let dir = tempfile::tempdir().unwrap();
    let text = "#!/bin/sh\nec2metadata --instance-id\n";
    let run = imds_lint_with_stdin(dir.path(), &["--fix", "-"], text.as_bytes());
    assert_eq!(run.code, 1, "{run:#?}");
    assert_eq!(run.stdout, text);
    assert!(
        run.stderr.contains("IMD003"),
        "the report goes to standard error: {run:#?}"
    );

    let run = imds_lint_with_stdin(dir.path(), &["--fix", "-"], CLEAN_SCRIPT.as_bytes());
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (0, CLEAN_SCRIPT),
        "{run:#?}"
    );
}

#[test]
fn unreadable_standard_input_passes_through_with_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let bytes = b"#!/bin/sh\necho \0\n";
    let run = imds_lint_with_stdin(dir.path(), &["--fix", "-"], bytes);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.bytes, bytes);
    assert_eq!(run.errors().len(), 1, "{run:#?}");
}

#[test]
fn standard_input_diff_names_the_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--diff", "--stdin-filename", "jobs/init.sh"];
    let run = imds_lint_with_stdin(dir.path(), &args, IMDSV1_SCRIPT.as_bytes());
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout
            .starts_with("--- a/jobs/init.sh\n+++ b/jobs/init.sh\n"),
        "{run:#?}"
    );
}

/// Found by a fresh tester in the tenth session: the fixed text of a
/// small standard input sat in a buffer that was never flushed, so a
/// failed write of it (a full disk) went unnoticed: exit 0.
#[test]
fn fixed_text_that_cannot_be_written_is_an_error() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" --fix --stdin-filename init.sh - > /dev/full")
        .arg(env!("CARGO_BIN_EXE_imds-lint"))
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(IMDSV1_SCRIPT.as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot write output: no space left on device"),
        "{stderr}"
    );
}
