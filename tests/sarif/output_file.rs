//! `--output-file`: every format written to a file, byte for byte what
//! standard output would hold; nothing half-written when it cannot be.

use crate::support::{assert_valid, imds_lint, write, IMDSV1_SCRIPT};

const FORMATS: [&str; 6] = ["full", "concise", "json", "json-lines", "github", "sarif"];

#[test]
fn every_format_goes_to_the_file_instead_of_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scan/init.sh", IMDSV1_SCRIPT);

    for format in FORMATS {
        let printed = imds_lint(dir.path(), &["--output-format", format, "scan"]);
        let out = format!("report.{format}");
        let run = imds_lint(
            dir.path(),
            &["--output-format", format, "--output-file", &out, "scan"],
        );
        assert_eq!(run.code, printed.code, "{format}: {run:?}");
        assert_eq!(run.stdout, "", "{format}: nothing on standard output");
        let written = std::fs::read_to_string(dir.path().join(&out)).unwrap();
        assert_eq!(written, printed.stdout, "{format}");
        assert!(!written.is_empty(), "{format}");
    }
}

#[test]
fn a_sarif_file_is_written_when_nothing_is_found() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scan/clean.py", "print('hello')\n");
    let run = imds_lint(
        dir.path(),
        &[
            "--output-format",
            "sarif",
            "--output-file",
            "out.sarif",
            "scan",
        ],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("out.sarif")).unwrap())
            .unwrap();
    assert_valid(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn errors_still_go_to_standard_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "scan/broken.ipynb",
        "{\"about\": \"169.254.169.254\"",
    );
    let run = imds_lint(dir.path(), &["--output-file", "out.txt", "scan"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("error: scan/broken.ipynb: "), "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        dir.path().join("out.txt").exists(),
        "the report itself is complete"
    );
}

#[test]
fn an_unwritable_path_is_an_error_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "scan/init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(
        dir.path(),
        &["--output-file", "no/such/folder/out.txt", "scan"],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: cannot write no/such/folder/out.txt: "),
        "{run:?}"
    );
    assert_eq!(run.stdout, "");
}

#[test]
fn a_bad_argument_does_not_replace_an_earlier_report() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "out.sarif", "earlier");
    let run = imds_lint(
        dir.path(),
        &["--output-file", "out.sarif", "--exclude", "{a", "."],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.sarif")).unwrap(),
        "earlier"
    );
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
}
