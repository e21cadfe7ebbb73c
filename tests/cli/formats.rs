//! Output formats: full, concise, json, json-lines, github, statistics,
//! quiet and color.

use serde_json::Value;

use crate::support::{imds_lint, write, IMDSV1_SCRIPT};

/// A notebook whose cell 2 runs a `%%bash` magic with an IMDSv1 request
/// on the cell's second line.
const NOTEBOOK: &str = r##"{
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Region\n"]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["%%bash\n", "curl -s http://169.254.169.254/latest/meta-data/placement/region\n"]}
 ],
 "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    dir
}

#[test]
fn full_format_shows_the_snippet_underlined() {
    let dir = workspace();
    let run = imds_lint(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("IMD001"), "{run:?}");
    assert!(run.stdout.contains("[init.sh:2:1]"), "{run:?}");
    assert!(
        run.stdout
            .contains(" 2 │ curl http://169.254.169.254/latest/meta-data/"),
        "{run:?}"
    );
    assert!(run.stdout.contains("──┬──"), "{run:?}");
    assert!(
        run.stdout
            .ends_with("Found 1 finding in 1 file (1 file checked).\n1 fixable with --fix.\n"),
        "{run:?}"
    );
    assert!(
        !run.stdout.contains('\x1b'),
        "not a terminal: no color\n{run:?}"
    );
}

#[test]
fn concise_format_is_one_line_per_finding() {
    let dir = workspace();
    let run = imds_lint(dir.path(), &["--output-format", "concise", "--quiet"]);
    assert_eq!(run.code, 1, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 1, "{run:?}");
    assert!(lines[0].starts_with("init.sh:2:1: IMD001 "), "{run:?}");
    assert!(lines[0].contains("/latest/meta-data/"), "{run:?}");
}

#[test]
fn json_format_is_one_array_with_every_field() {
    let dir = workspace();
    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    assert_eq!(run.code, 1, "{run:?}");
    let findings: Value = serde_json::from_str(&run.stdout).unwrap();
    let findings = findings.as_array().unwrap();
    assert_eq!(findings.len(), 1, "{run:?}");
    let f = &findings[0];
    assert_eq!(f["path"], "init.sh");
    assert_eq!(f["cell"], Value::Null);
    assert_eq!(f["cell_line"], Value::Null);
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(f["end_line"], 2);
    assert!(f["end_column"].as_u64().unwrap() > 40, "{f}");
    assert_eq!(f["code"], "IMD001");
    assert_eq!(f["name"], "metadata-request-without-token");
    assert!(f["message"].as_str().unwrap().contains("curl"), "{f}");
    assert!(f.get("note").is_some() && f.get("help").is_some() && f.get("fix").is_some());
}

#[test]
fn json_without_findings_is_an_empty_array() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ok.sh", "echo fine\n");
    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, "[]\n"), "{run:?}");
}

#[test]
fn json_lines_format_is_one_object_per_line() {
    let dir = workspace();
    write(dir.path(), "b/second.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--output-format", "json-lines"]);
    assert_eq!(run.code, 1, "{run:?}");
    let paths: Vec<String> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["path"].to_string())
        .collect();
    assert_eq!(paths, vec!["\"b/second.sh\"", "\"init.sh\""], "{run:?}");
}

#[test]
fn github_format_writes_workflow_commands() {
    let dir = workspace();
    let run = imds_lint(dir.path(), &["--output-format", "github", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("::error file=init.sh,line=2,col=1,endLine=2,endColumn="),
        "{run:?}"
    );
    assert!(run.stdout.contains(",title=IMD001::"), "{run:?}");
}

#[test]
fn statistics_count_per_rule() {
    let dir = workspace();
    write(dir.path(), "again.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--statistics"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .starts_with("    2  IMD001  metadata-request-without-token\n"),
        "{run:?}"
    );
    assert!(
        !run.stdout.contains("──┬──"),
        "no snippets under --statistics\n{run:?}"
    );

    let run = imds_lint(dir.path(), &["--statistics", "--output-format", "json"]);
    let stats: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(stats[0]["code"], "IMD001");
    assert_eq!(stats[0]["count"], 2);

    // Found by a fresh tester in the tenth session: json-lines printed the
    // array over several lines, and sarif dropped the flag without a word.
    let run = imds_lint(
        dir.path(),
        &["--statistics", "--output-format", "json-lines"],
    );
    let lines: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["code"], "IMD001", "{run:?}");
    assert_eq!(lines[0]["count"], 2, "{run:?}");
    let run = imds_lint(dir.path(), &["--statistics", "--output-format", "sarif"]);
    assert!(
        run.stderr
            .contains("warning: --statistics does not apply to the sarif format"),
        "{run:?}"
    );
}

/// Flags that only change what `--fix` or `--diff` do are pointed out in a
/// check, rather than silently dropped.
#[test]
fn fix_flags_without_fix_or_diff_are_pointed_out() {
    let dir = workspace();
    let run = imds_lint(
        dir.path(),
        &[
            "--unsafe-fixes",
            "--show-fixes",
            "--output-format",
            "concise",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("warning: --unsafe-fixes does nothing without --fix or --diff"),
        "{run:?}"
    );
    assert!(
        run.stderr
            .contains("warning: --show-fixes does nothing without --fix or --diff"),
        "{run:?}"
    );
    let run = imds_lint(dir.path(), &["--sarif-category", "jobs", "-q"]);
    assert!(
        run.stderr
            .contains("warning: --sarif-category does nothing without the sarif format"),
        "{run:?}"
    );
}

#[test]
fn quiet_prints_findings_only() {
    let dir = workspace();
    let run = imds_lint(dir.path(), &["--quiet", "--output-format", "concise"]);
    assert!(!run.stdout.contains("Found"), "{run:?}");
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["-q"]);
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{run:?}");
}

#[test]
fn color_always_never_and_no_color() {
    let dir = workspace();
    let args = ["--output-format", "concise"];
    let always = imds_lint(dir.path(), &[&args[..], &["--color", "always"]].concat());
    assert!(always.stdout.contains("\x1b["), "{always:?}");
    let never = imds_lint(dir.path(), &[&args[..], &["--color", "never"]].concat());
    assert!(!never.stdout.contains('\x1b'), "{never:?}");

    // NO_COLOR turns off `auto` even where it would color; `always` wins.
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_imds-lint"));
    let out = command
        .args(["--output-format", "concise", "--color", "always"])
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("\x1b["));
}

#[test]
fn notebook_findings_name_the_cell_and_the_line_in_it() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "region.ipynb", NOTEBOOK);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("region.ipynb:cell 2:2:1: IMD001 "),
        "{run:?}"
    );

    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    let f = &serde_json::from_str::<Value>(&run.stdout).unwrap()[0];
    assert_eq!(
        (f["cell"].as_u64(), f["cell_line"].as_u64()),
        (Some(2), Some(2))
    );
    // In the file as stored, the request is on line 5, after `"`.
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(5), Some(28))
    );

    let run = imds_lint(dir.path(), &[]);
    assert!(run.stdout.contains("[region.ipynb:cell 2:2:1]"), "{run:?}");
}

#[test]
fn bang_line_findings_count_lines_of_their_python_cell() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = r#"{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
  "source": "import os\n!curl -s http://169.254.169.254/latest/meta-data/instance-id\n"}],
 "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
 "nbformat": 4, "nbformat_minor": 5}
"#;
    write(dir.path(), "bang.ipynb", notebook);
    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("bang.ipynb:cell 1:2:2: IMD001 "),
        "{run:?}"
    );
}

#[test]
fn databricks_magic_cell_findings_count_the_magic_line() {
    let dir = tempfile::tempdir().unwrap();
    let export = "# Databricks notebook source\nprint('setup')\n\n# COMMAND ----------\n\n\
                  # MAGIC %sh\n# MAGIC curl -s http://169.254.169.254/latest/meta-data/instance-id\n";
    write(dir.path(), "setup.py", export);
    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("setup.py:cell 2:2:1: IMD001 "),
        "{run:?}"
    );

    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    let f = &serde_json::from_str::<Value>(&run.stdout).unwrap()[0];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(7), Some(9))
    );
}

#[test]
fn output_file_dash_is_standard_output() {
    // Regression (tester): `--output-file -` made a file named `-`.
    let dir = workspace();
    let run = imds_lint(
        dir.path(),
        &[
            "--output-file",
            "-",
            "--output-format",
            "concise",
            "-q",
            "init.sh",
        ],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("init.sh:2:1: IMD001 "), "{run:?}");
    assert!(!dir.path().join("-").exists(), "a file named `-` was made");
}

/// Found by a fresh tester: `--output-file /dev/stdout` renamed a regular
/// file over the `/dev/stdout` link (as root, over the machine's), and a
/// link to a file was replaced by the report. The process's own streams
/// are written into; a link to a regular file is refused, left as it was.
#[test]
fn output_file_into_own_stream_or_through_a_link() {
    let dir = workspace();
    let args = ["--output-format", "concise", "-q", "init.sh"];
    // `/proc/self/fd/1` rather than `/dev/stdout`: were this broken again,
    // the rename would fail there instead of replacing a system file.
    let run = imds_lint(
        dir.path(),
        &[&["--output-file", "/proc/self/fd/1"][..], &args].concat(),
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.starts_with("init.sh:2:1: IMD001 "), "{run:?}");

    std::fs::write(dir.path().join("real.txt"), "old").unwrap();
    std::os::unix::fs::symlink("real.txt", dir.path().join("report.txt")).unwrap();
    let run = imds_lint(
        dir.path(),
        &[&["--output-file", "report.txt"][..], &args].concat(),
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr
            .starts_with("error: cannot write report.txt: it is a symbolic link"),
        "{run:?}"
    );
    let link = std::fs::symlink_metadata(dir.path().join("report.txt")).unwrap();
    assert!(link.file_type().is_symlink());
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.txt")).unwrap(),
        "old"
    );
}

/// Found by a tester: with standard output (or error) a regular file,
/// `--output-file /dev/stdout` opened that file again, at an offset of its
/// own, so what the shell wrote after the run landed over the report's
/// start. Each is written through the stream the process was given.
#[test]
fn output_file_naming_an_own_stream_keeps_its_place_in_a_file() {
    use std::io::Write as _;

    let dir = workspace();
    for fd in [1, 2] {
        let log = dir.path().join(format!("log{fd}"));
        let file = std::fs::File::create(&log).unwrap();
        let own_stream = format!("/proc/self/fd/{fd}");
        let args = [
            "--output-format",
            "concise",
            "-q",
            "--output-file",
            &own_stream,
            "init.sh",
        ];
        let (stdout, stderr) = if fd == 1 {
            (Some(&file), None)
        } else {
            (None, Some(&file))
        };
        assert_eq!(run_into_files(dir.path(), &args, stdout, stderr), Some(1));
        (&file).write_all(b"END\n").unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.starts_with("init.sh:2:1: IMD001 "), "{fd}: {text:?}");
        assert!(text.ends_with("\nEND\n"), "{fd}: {text:?}");
    }
}

/// Found by a tester: a run with `--output-file log`, its streams appended
/// to `log` by the shell (`>>log 2>&1`), renamed the report over `log`,
/// and what the shell had written there, and the run's own error lines,
/// were lost. A report file that is the file standard output or error
/// goes to is refused.
#[test]
fn output_file_that_is_where_standard_error_goes_is_refused() {
    use std::io::Write as _;

    let dir = workspace();
    let log = dir.path().join("log");
    std::fs::write(&log, "BEFORE\n").unwrap();
    for stream in ["stdout", "stderr"] {
        let file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        let args = ["-q", "--output-file", "log", "init.sh"];
        let stdout = (stream == "stdout").then_some(&file);
        let code = run_into_files(dir.path(), &args, stdout, Some(&file));
        assert_eq!(code, Some(2), "{stream}");
        (&file).write_all(b"END\n").unwrap();
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.starts_with("BEFORE\n"), "{stream}: {text:?}");
        assert!(
            text.contains("error: cannot write log: it is the file standard"),
            "{stream}: {text:?}"
        );
        assert!(text.ends_with("END\n"), "{stream}: {text:?}");
    }
}

/// Runs imds-lint in `dir` with `args`, no standard input, and standard
/// output and error going to the files given (nowhere for `None`), as a
/// shell's redirections would send them; returns the exit code.
fn run_into_files(
    dir: &std::path::Path,
    args: &[&str],
    stdout: Option<&std::fs::File>,
    stderr: Option<&std::fs::File>,
) -> Option<i32> {
    use std::process::{Command, Stdio};

    let to = |file: Option<&std::fs::File>| {
        file.map_or_else(Stdio::null, |f| f.try_clone().unwrap().into())
    };
    Command::new(env!("CARGO_BIN_EXE_imds-lint"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(to(stdout))
        .stderr(to(stderr))
        .status()
        .unwrap()
        .code()
}

/// Found by a fresh tester: a run that reported only errors (exit 2, an
/// empty report with `-q`) left the previous run's report in place, which
/// CI would then upload as this run's. A run stopped by a bad argument
/// still leaves it.
#[test]
fn output_file_of_a_run_with_errors_replaces_the_old_report() {
    let dir = workspace();
    std::fs::write(dir.path().join("clean.sh"), "#!/bin/sh\necho hi\n").unwrap();
    let report = dir.path().join("r.txt");
    std::fs::write(&report, "OLD").unwrap();
    let run = imds_lint(
        dir.path(),
        &[
            "-q",
            "--output-format",
            "concise",
            "--output-file",
            "r.txt",
            "missing.sh",
            "clean.sh",
        ],
    );
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "", "{run:?}");

    std::fs::write(&report, "OLD").unwrap();
    std::fs::write(
        dir.path().join("imds-lint.toml"),
        "token-ttl = [
",
    )
    .unwrap();
    let run = imds_lint(dir.path(), &["--output-file", "r.txt", "clean.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("imds-lint.toml"), "{run:?}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), "OLD", "{run:?}");
}

/// Found by a fresh tester: `--output-file /dev/fd/0 - < a.sh` appended
/// the report (with `--fix`, the fixed text) to `a.sh`, the file standard
/// input was read from.
#[test]
fn output_file_may_not_be_the_file_standard_input_comes_from() {
    let dir = workspace();
    let script = dir.path().join("init.sh");
    let before = std::fs::read(&script).unwrap();
    for args in [
        &["--output-file", "/dev/fd/0", "-"][..],
        &[
            "--fix",
            "--stdin-filename",
            "zz.sh",
            "--output-file",
            "/proc/self/fd/0",
            "-",
        ][..],
    ] {
        let stdin = std::fs::File::open(&script).unwrap();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_imds-lint"))
            .current_dir(dir.path())
            .args(args)
            .stdin(stdin)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        // Refused as the input, or before that as an open regular file
        // other than standard output or error.
        assert!(
            stderr.contains("is also checked") || stderr.contains("name the file itself"),
            "{args:?}: {stderr}"
        );
        assert_eq!(std::fs::read(&script).unwrap(), before, "{args:?}");
    }
}

/// Found by a fresh tester: `imds-lint . --output-file results.sarif` ran
/// once; from the second run on, the report left in the folder counted as
/// a checked file and the run refused to replace it. A file of no kind
/// imds-lint reads is never read, so it is no input to protect.
#[test]
fn output_file_in_the_checked_folder_can_be_written_again() {
    let dir = workspace();
    for _ in 0..2 {
        let run = imds_lint(
            dir.path(),
            &[
                ".",
                "--output-format",
                "sarif",
                "--output-file",
                "results.sarif",
            ],
        );
        assert_eq!(run.code, 1, "{run:?}");
        assert!(run.stderr.is_empty(), "{run:?}");
    }
    let report = std::fs::read_to_string(dir.path().join("results.sarif")).unwrap();
    assert!(report.contains("IMD001"), "{report}");
    // A file the run reads is still protected.
    let run = imds_lint(dir.path(), &[".", "--output-file", "init.sh"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("is also checked"), "{run:?}");
}
