//! Exit codes: 0 nothing found, 1 findings, 2 usage or file errors (a
//! file error wins over findings, which are still printed).

use crate::support::{imds_lint, write, write_probe, IMDSV1_SCRIPT, IMDSV2_SCRIPT};

#[test]
fn imdsv1_request_in_a_shell_script_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &["init.sh"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("IMD001"), "{run:?}");
    assert!(run.stdout.contains("init.sh:2:1"), "{run:?}");
    assert_eq!(run.stderr, "");
}

#[test]
fn clean_files_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "token.sh", IMDSV2_SCRIPT);
    write(dir.path(), "job.py", "print('no metadata here')\n");
    write(dir.path(), "notes.txt", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("No findings (2 files checked)."),
        "{run:?}"
    );
    assert_eq!(run.stderr, "");
}

#[test]
fn nothing_to_check_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("No findings (0 files checked)."),
        "{run:?}"
    );
}

#[test]
fn file_error_wins_over_findings_which_are_still_printed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    write_probe(dir.path(), "broken.py");

    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stdout.contains("init.sh:2:1: IMD001 "), "{run:?}");
    assert_eq!(run.errors().len(), 1, "{run:?}");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--no-such-flag"][..],
        &["--select", "IMD999"],
        &["--token-ttl", "0"],
        &["--token-ttl", "21601"],
        &["--output-format", "xml"],
        &["--max-file-size", "lots"],
        &["--color", "sometimes"],
        &["--exclude", "[z-a]"],
    ] {
        let run = imds_lint(dir.path(), args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("error"), "{args:?}: {run:?}");
        assert_eq!(run.stdout, "", "{args:?}: {run:?}");
    }
}

#[test]
fn help_and_version_exit_0() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["--help"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("--output-format"), "{run:?}");
    let run = imds_lint(dir.path(), &["--version"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.starts_with("imds-lint "), "{run:?}");
}

#[test]
fn select_and_ignore_decide_which_rules_count() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &["--ignore", "IMD001"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = imds_lint(dir.path(), &["--select", "IMD002,IMD003"]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = imds_lint(dir.path(), &["--select", "metadata-request-without-token"]);
    assert_eq!(run.code, 1, "{run:?}");
}

#[test]
fn config_of_a_missing_path_is_an_error() {
    // Regression (tester): `imds-lint config nope/missing` showed the
    // defaults and exited 0.
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["config", "nope/missing"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(
        run.stderr, "error: nope/missing: no such file or directory\n",
        "{run:?}"
    );
    assert_eq!(run.stdout, "");
}
