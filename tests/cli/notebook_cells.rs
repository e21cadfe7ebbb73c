//! Where a finding is placed and shown inside a notebook cell whose code
//! the parser cut out of it: IPython `!` lines, and a magic written on the
//! same line as the code it runs.

use serde_json::Value;

use crate::support::{imds_lint, imds_lint_with_stdin, write};

/// A Python notebook whose one code cell runs three IMDSv1 requests through
/// IPython shell escapes, on lines 2, 3 and 4 of the cell.
const BANG_NOTEBOOK: &str = r#"{
 "cells": [
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": [
    "import os\n",
    "!curl -s http://169.254.169.254/latest/meta-data/iam/info\n",
    "files = !curl -s http://169.254.169.254/latest/meta-data/\n",
    "ami = %sx  curl -s http://169.254.169.254/latest/meta-data/ami-id\n",
    "print(files)\n"
   ]}
 ],
 "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

/// A notebook whose cell 2 is a Databricks `%sh` magic with its command on
/// the magic's own line.
const ONE_LINE_SH_NOTEBOOK: &str = r#"{
 "cells": [
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": "print('setup')"},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": "%sh curl -s http://169.254.169.254/latest/meta-data/local-ipv4"}
 ],
 "metadata": {"kernelspec": {"language": "python", "name": "python3", "display_name": "Python 3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

/// A Databricks export whose cell 2 is `# MAGIC %sh curl ...` on one line.
const ONE_LINE_SH_EXPORT: &str = "# Databricks notebook source\nprint('setup')\n\n\
    # COMMAND ----------\n\n\
    # MAGIC %sh curl -s http://169.254.169.254/latest/meta-data/local-ipv4\n";

/// The snippet line of the full report that shows `code` with a finding in
/// it, and the line under it, which underlines the finding.
fn snippet_line<'a>(out: &'a str, code: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = out.lines().collect();
    lines
        .windows(2)
        .find(|pair| {
            let underline = pair[1].trim_start().starts_with('·') && pair[1].contains('─');
            pair[0].ends_with(code) && pair[0].contains(" │ ") && underline
        })
        .map_or_else(
            || panic!("no underlined snippet line showing {code:?} in:\n{out}"),
            |pair| (pair[0], pair[1]),
        )
}

/// Asserts that the underline below `shown` starts under `request` in it.
fn underlines(shown: &str, underline: &str, request: &str) {
    let column = |line: &str, at: usize| line[..at].chars().count();
    let request_at = column(shown, shown.find(request).unwrap());
    let underline_at = column(underline, underline.find('─').unwrap());
    assert_eq!(request_at, underline_at, "\n{shown}\n{underline}");
}

#[test]
fn bang_line_snippet_shows_the_line_as_written_not_the_blanked_python() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bang.ipynb", BANG_NOTEBOOK);

    let run = imds_lint(dir.path(), &[]);
    assert_eq!(run.code, 1, "{run:?}");
    for (number, code, request) in [
        (
            2,
            "!curl -s http://169.254.169.254/latest/meta-data/iam/info",
            "curl",
        ),
        (
            3,
            "files = !curl -s http://169.254.169.254/latest/meta-data/",
            "curl",
        ),
        (
            4,
            "ami = %sx  curl -s http://169.254.169.254/latest/meta-data/ami-id",
            "curl",
        ),
    ] {
        let (shown, underline) = snippet_line(&run.stdout, code);
        assert!(
            shown.trim_start().starts_with(&format!("{number} │ ")),
            "{shown}"
        );
        underlines(shown, underline, request);
    }
    assert!(!run.stdout.contains("= 0 "), "{}", run.stdout);
}

#[test]
fn bang_line_positions_stay_those_of_the_cell() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bang.ipynb", BANG_NOTEBOOK);

    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    let found: Vec<Value> = serde_json::from_str(&run.stdout).unwrap();
    let places: Vec<_> = found
        .iter()
        .map(|f| (f["cell_line"].as_u64(), f["cell_column"].as_u64()))
        .collect();
    assert_eq!(
        places,
        [(Some(2), Some(2)), (Some(3), Some(10)), (Some(4), Some(12))]
    );
}

#[test]
fn one_line_sh_magic_cell_is_placed_on_the_magic_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "ipv4.ipynb", ONE_LINE_SH_NOTEBOOK);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("ipv4.ipynb:cell 2:1:5: IMD001 "),
        "{run:?}"
    );

    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    let f = &serde_json::from_str::<Value>(&run.stdout).unwrap()[0];
    assert_eq!(
        (
            f["cell"].as_u64(),
            f["cell_line"].as_u64(),
            f["cell_column"].as_u64()
        ),
        (Some(2), Some(1), Some(5))
    );
    // In the file as stored, the request is on line 6, after `"%sh `.
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(6), Some(19))
    );

    let run = imds_lint(dir.path(), &[]);
    assert!(run.stdout.contains("[ipv4.ipynb:cell 2:1:5]"), "{run:?}");
    let (shown, underline) = snippet_line(
        &run.stdout,
        "%sh curl -s http://169.254.169.254/latest/meta-data/local-ipv4",
    );
    assert!(shown.trim_start().starts_with("1 │ "), "{shown}");
    underlines(shown, underline, "curl");
}

#[test]
fn one_line_sh_magic_in_a_databricks_export_is_placed_on_the_magic_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "setup.py", ONE_LINE_SH_EXPORT);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.starts_with("setup.py:cell 2:1:5: IMD001 "),
        "{run:?}"
    );

    let run = imds_lint(dir.path(), &["--output-format", "json"]);
    let f = &serde_json::from_str::<Value>(&run.stdout).unwrap()[0];
    assert_eq!(
        (f["line"].as_u64(), f["column"].as_u64()),
        (Some(6), Some(13))
    );
    assert_eq!(
        (f["cell_line"].as_u64(), f["cell_column"].as_u64()),
        (Some(1), Some(5))
    );

    let run = imds_lint(dir.path(), &["--output-format", "github"]);
    assert!(run.stdout.contains("cell 2, line 1"), "{run:?}");

    let run = imds_lint(dir.path(), &[]);
    let (shown, underline) = snippet_line(
        &run.stdout,
        "%sh curl -s http://169.254.169.254/latest/meta-data/local-ipv4",
    );
    assert!(shown.trim_start().starts_with("1 │ "), "{shown}");
    underlines(shown, underline, "curl");
}

#[test]
fn sh_magic_on_its_own_line_still_counts_the_magic_line() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = ONE_LINE_SH_NOTEBOOK.replace("\"%sh curl", "\"%sh\\ncurl");
    write(dir.path(), "ipv4.ipynb", notebook);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "-q"]);
    assert!(
        run.stdout.starts_with("ipv4.ipynb:cell 2:2:1: IMD001 "),
        "{run:?}"
    );
}

/// JSON may escape any character of a cell's code; the quick look at the
/// bytes must not take a request so written for no request at all.
#[test]
fn a_request_written_in_json_escapes_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let notebook = r#"{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": [
        "import requests\n",
        "requests.get(\"http://169\u002e254\u002e169\u002e254/latest/meta-data/\")\n"
    ]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    write(dir.path(), "escaped.ipynb", notebook);

    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("escaped.ipynb:cell 1:2:1: IMD001"),
        "{run:?}"
    );

    // The same on standard input.
    let args = [
        "--output-format",
        "concise",
        "--stdin-filename",
        "escaped.ipynb",
        "-",
    ];
    let run = imds_lint_with_stdin(dir.path(), &args, notebook.as_bytes());
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("escaped.ipynb:cell 1:2:1: IMD001"),
        "{run:?}"
    );

    // And with a suppression comment elsewhere in the file.
    let marked = notebook.replacen(
        r#""import requests\n","#,
        r#""import requests  # imds-lint: ignore[IMD003]\n","#,
        1,
    );
    assert_ne!(marked, notebook);
    write(dir.path(), "escaped.ipynb", &marked);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("escaped.ipynb:cell 1:2:1: IMD001"),
        "{run:?}"
    );
}
