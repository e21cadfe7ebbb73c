//! `imds-lint: ignore[...]`, bare `imds-lint: ignore` and
//! `imds-lint: skip-file` in every language and container: plain files,
//! Databricks `MAGIC` lines, notebook code cells (and nowhere else in a
//! notebook, however it is stored), IPython `!` lines and shell inside
//! Python strings; and `--report-unused-ignores`.

use serde_json::{json, Value};

use crate::support::{found, imds_lint, tree, SH};

const URL: &str = "http://169.254.169.254/latest/meta-data/";

/// `lines` joined with `\n`, each `{URL}` replaced by the metadata URL.
fn code(lines: &[&str]) -> String {
    let mut text = lines.join("\n").replace("{URL}", URL);
    text.push('\n');
    text
}

#[test]
fn python_file() {
    let text = code(&[
        "import requests, subprocess",
        "requests.get(\"{URL}\")  # imds-lint: ignore[IMD001]",
        "requests.get(\"{URL}x\")",
        "requests.get(",
        "    \"{URL}y\",  # imds-lint: ignore",
        ")",
        "requests.get(\"{URL}z\")",
        "# imds-lint: ignore",
        "subprocess.run(\"curl {URL}\", shell=True)  # imds-lint: ignore[IMD001]",
        "subprocess.run(\"curl {URL}\", shell=True)",
    ]);
    let dir = tree(&[("a.py", &text)]);
    // A comment on the line after a request does not silence it.
    assert_eq!(
        found(dir.path(), &[]),
        vec!["a.py:3:1 IMD001", "a.py:7:1 IMD001", "a.py:10:17 IMD001"]
    );
}

#[test]
fn shell_file() {
    let text = code(&[
        "#!/bin/sh",
        "curl {URL} # imds-lint: ignore",
        "curl \\",
        "  {URL}x # imds-lint: ignore[metadata-request-without-token]",
        "curl {URL}y  # imds-lint: ignore[IMD003]",
        "TOKEN=$(curl -s http://169.254.169.254/latest/api/token) # imds-lint: ignore[IMD002]",
        "ROLE=$(curl {URL}z)  # keep: imds-lint: ignore",
    ]);
    let dir = tree(&[("init.sh", &text)]);
    // An ignore naming another rule leaves the finding; the marker must
    // begin a comment.
    assert_eq!(
        found(dir.path(), &[]),
        vec!["init.sh:5:1 IMD001", "init.sh:7:8 IMD001"]
    );
}

#[test]
fn scala_file() {
    let text = code(&[
        "object Meta {",
        "  val a = scala.io.Source.fromURL(\"{URL}\").mkString // imds-lint: ignore",
        "  val b = scala.io.Source.fromURL(\"{URL}b\").mkString /* imds-lint: ignore[IMD001] */",
        "  val c = scala.io.Source.fromURL(\"{URL}c\").mkString",
        "}",
    ]);
    let dir = tree(&[("Meta.scala", &text)]);
    assert_eq!(found(dir.path(), &[]), vec!["Meta.scala:4:11 IMD001"]);
}

#[test]
fn databricks_magic_lines() {
    let python = code(&[
        "# Databricks notebook source",
        "x = 1",
        "",
        "# COMMAND ----------",
        "",
        "# MAGIC %sh",
        "# MAGIC curl {URL} # imds-lint: ignore[IMD001]",
        "# MAGIC curl {URL}x",
    ]);
    let sql = code(&[
        "-- Databricks notebook source",
        "-- MAGIC %sh",
        "-- MAGIC curl {URL} # imds-lint: ignore",
        "-- MAGIC curl {URL}x",
    ]);
    let dir = tree(&[("etl.py", &python), ("audit.sql", &sql)]);
    assert_eq!(
        found(dir.path(), &[]),
        vec!["audit.sql:cell 1:3:1 IMD001", "etl.py:cell 2:3:1 IMD001"]
    );
}

/// A notebook whose one code cell holds `lines` (list source, as Jupyter
/// writes it), so that each line of code is a line of the JSON file.
fn notebook(lines: &[&str]) -> String {
    let source: Vec<String> = code(lines)
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect();
    let nb = serde_json::json!({
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Notes\n"]},
            {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [], "source": source},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    });
    serde_json::to_string_pretty(&nb).unwrap()
}

#[test]
fn notebook_cells_and_bang_lines() {
    let text = notebook(&[
        "import requests",
        "requests.get(\"{URL}\")  # imds-lint: ignore",
        "!curl {URL} # imds-lint: ignore[IMD001]",
        "!curl {URL}x",
        "requests.get(\"{URL}y\")  # imds-lint: ignore[IMD002]",
    ]);
    assert!(text.contains(
        "  \"!curl http://169.254.169.254/latest/meta-data/ # imds-lint: ignore[IMD001]\\n\","
    ));
    let dir = tree(&[("explore.ipynb", &text)]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "explore.ipynb:cell 2:4:2 IMD001",
            "explore.ipynb:cell 2:5:1 IMD001"
        ]
    );
}

#[test]
fn skip_file_in_every_container() {
    let dir = tree(&[
        (
            "a.sh",
            &code(&["#!/bin/sh", "# imds-lint: skip-file", "curl {URL}"]),
        ),
        (
            "B.scala",
            &code(&[
                "// imds-lint: skip-file",
                "object B { val s = scala.io.Source.fromURL(\"{URL}\") }",
            ]),
        ),
        (
            "nb.ipynb",
            &notebook(&["# imds-lint: skip-file", "!curl {URL}"]),
        ),
        (
            "db.py",
            &code(&[
                "# Databricks notebook source",
                "# MAGIC %sh",
                "# MAGIC # imds-lint: skip-file",
                "# MAGIC curl {URL}",
            ]),
        ),
        ("kept.sh", SH),
        // Not in a comment: not a directive.
        (
            "c.py",
            &code(&[
                "import requests",
                "NOTE = 'imds-lint: skip-file'",
                "requests.get(\"{URL}\")",
            ]),
        ),
    ]);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(
        run.findings(),
        vec!["c.py:3:1 IMD001", "kept.sh:2:1 IMD001"]
    );
    // Skipped files are not counted as checked.
    assert!(run.stdout.contains("(2 files checked)"), "{}", run.stdout);
}

#[test]
fn unused_ignores_are_reported_on_request_and_count_as_findings() {
    let dir = tree(&[
        (
            "clean.sh",
            &code(&[
                "#!/bin/sh",
                "echo hi  # imds-lint: ignore[IMD001]",
                "date # imds-lint: ignore",
            ]),
        ),
        (
            "used.sh",
            &code(&[
                "#!/bin/sh",
                "curl {URL}  # imds-lint: ignore[IMD001, IMD002]",
            ]),
        ),
        ("off.py", &code(&["x = 1  # imds-lint: ignore[IMD003]"])),
    ]);
    let quiet = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (0, ""), "{quiet:?}");

    let run = imds_lint(
        dir.path(),
        &["--output-format", "concise", "--report-unused-ignores"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr_lines(),
        vec![
            "clean.sh:2:12: unused suppression imds-lint: ignore[IMD001]",
            "clean.sh:3:8: unused suppression imds-lint: ignore",
            "off.py:1:10: unused suppression imds-lint: ignore[IMD003]",
            "used.sh:2:50: unused suppression imds-lint: ignore[IMD001, IMD002] (IMD002 silenced nothing)",
        ]
    );
    assert!(run.findings().is_empty());

    // A rule that did not run leaves its ignores alone.
    let run = imds_lint(
        dir.path(),
        &["--report-unused-ignores", "--ignore", "IMD003", "off.py"],
    );
    assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{run:?}");
}

#[test]
fn notes_leave_machine_output_intact() {
    let dir = tree(&[(
        "a.sh",
        &code(&[
            "#!/bin/sh",
            "curl {URL}x",
            "echo # imds-lint: ignore[IMD001, IMD404]",
        ]),
    )]);
    let run = imds_lint(
        dir.path(),
        &["--output-format", "json", "--report-unused-ignores"],
    );
    assert_eq!(run.code, 1);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json.as_array().map(Vec::len), Some(1));
    assert_eq!(
        run.stderr_lines(),
        vec![
            "a.sh:3:8: unused suppression imds-lint: ignore[IMD001, IMD404]",
            "warning: a.sh:3:8: unknown rule `IMD404` in imds-lint: ignore[IMD001, IMD404]; known rules: IMD001, IMD002, IMD003",
        ]
    );
}

#[test]
fn unknown_codes_and_unreadable_comments_warn_without_changing_the_exit_code() {
    let dir = tree(&[(
        "a.sh",
        &code(&[
            "#!/bin/sh",
            "curl {URL} # imds-lint: ignore[IMD001,IMD999]",
            "curl {URL}x # imds-lint: ignore[IMD001",
            "echo # imds-lint: ignore-all",
        ]),
    )]);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 1);
    // The unclosed list silences nothing.
    assert_eq!(run.findings(), vec!["a.sh:3:1 IMD001"]);
    assert_eq!(
        run.stderr_lines(),
        vec![
            "warning: a.sh:2:49: unknown rule `IMD999` in imds-lint: ignore[IMD001, IMD999]; known rules: IMD001, IMD002, IMD003",
            "warning: a.sh:3:50: suppression comment not read: `ignore[` has no closing `]`; it silences nothing",
            "warning: a.sh:4:8: suppression comment not read: not a directive imds-lint reads; expected `ignore`, `ignore[CODE, ...]` or `skip-file`",
        ]
    );
    let clean = tree(&[("b.sh", "#!/bin/sh\necho # imds-lint: ignore[IMD999]\n")]);
    let run = imds_lint(clean.path(), &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr_lines().len(), 1);
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let dir = tree(&[(
        "a.sh",
        &code(&["#!/bin/sh", "curl {URL} # imds-lint: ignore", "curl {URL}x"]),
    )]);
    let run = imds_lint(dir.path(), &["--diff"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout
            .contains("\n curl http://169.254.169.254/latest/meta-data/ # imds-lint: ignore\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\n-curl http://169.254.169.254/latest/meta-data/x\n"),
        "{}",
        run.stdout
    );
}

/// A notebook of `cells` (JSON values), as Jupyter writes one.
fn notebook_of(cells: &[Value]) -> Value {
    json!({
        "cells": cells,
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    })
}

/// A code cell whose source is `lines` (a list, one string per line).
fn code_cell(lines: &[&str], outputs: &Value, metadata: &Value) -> Value {
    let source: Vec<String> = code(lines)
        .split_inclusive('\n')
        .map(str::to_owned)
        .collect();
    json!({
        "cell_type": "code",
        "execution_count": null,
        "metadata": metadata,
        "outputs": outputs,
        "source": source,
    })
}

fn markdown_cell(text: &str) -> Value {
    json!({"cell_type": "markdown", "metadata": {}, "source": [text]})
}

/// A stream output printing `text`.
fn stream(text: &str) -> Value {
    json!([{"name": "stdout", "output_type": "stream", "text": [text]}])
}

#[test]
fn skip_file_outside_code_skips_nothing() {
    let request = ["!curl {URL}a"];
    let in_markdown = notebook_of(&[
        markdown_cell("# imds-lint: skip-file\n"),
        code_cell(&request, &json!([]), &json!({})),
    ]);
    let in_output = notebook_of(&[code_cell(
        &request,
        &stream("# imds-lint: skip-file\n"),
        &json!({}),
    )]);
    let in_metadata = notebook_of(&[code_cell(
        &request,
        &json!([]),
        &json!({"tags": ["# imds-lint: skip-file"]}),
    )]);
    let in_docstring = code(&[
        "import requests",
        "\"\"\"Run imds-lint on this.",
        "",
        "# imds-lint: skip-file",
        "\"\"\"",
        "requests.get(\"{URL}\")",
    ]);
    let docstring_in_cell = notebook_of(&[code_cell(
        &["x = '''", "# imds-lint: skip-file", "'''", "!curl {URL}b"],
        &json!([]),
        &json!({}),
    )]);
    let pretty = |nb: &Value| serde_json::to_string_pretty(nb).unwrap();
    let dir = tree(&[
        ("md.ipynb", &pretty(&in_markdown)),
        ("out.ipynb", &pretty(&in_output)),
        ("meta.ipynb", &pretty(&in_metadata)),
        ("doc.py", &in_docstring),
        ("cell.ipynb", &pretty(&docstring_in_cell)),
    ]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "cell.ipynb:cell 1:4:2 IMD001",
            "doc.py:6:1 IMD001",
            "md.ipynb:cell 2:1:2 IMD001",
            "meta.ipynb:cell 1:1:2 IMD001",
            "out.ipynb:cell 1:1:2 IMD001",
        ]
    );
}

#[test]
fn skip_file_with_rules_warns_and_skips_nothing() {
    let dir = tree(&[(
        "a.sh",
        &code(&["#!/bin/sh", "# imds-lint: skip-file[IMD002]", "curl {URL}"]),
    )]);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.findings(), vec!["a.sh:3:1 IMD001"]);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.stderr_lines(),
        vec![
            "warning: a.sh:2:3: suppression comment not read: `skip-file` takes no rule list; \
             it skips nothing (`per-file-ignores` in a configuration file leaves rules out of a file)"
        ]
    );
}

#[test]
fn ignores_in_a_one_line_notebook_count_only_in_code_by_line_of_code() {
    // Source stored as one string: the whole cell is one line of the file.
    let mut cell = code_cell(
        &[],
        &stream("# imds-lint: ignore\n"),
        &json!({"tags": ["# imds-lint: ignore"]}),
    );
    cell["source"] = Value::from(code(&[
        "!curl {URL}a",
        "!curl {URL}b  # imds-lint: ignore[IMD001]",
        "import requests",
        "requests.get(",
        "    \"{URL}c\",  # imds-lint: ignore",
        ")",
        "requests.get(\"{URL}d\")",
    ]));
    let nb = notebook_of(&[
        markdown_cell("# imds-lint: ignore\n"),
        cell,
        code_cell(&["!curl {URL}e"], &json!([]), &json!({})),
    ]);
    let text = serde_json::to_string(&nb).unwrap();
    assert_eq!(text.lines().count(), 1);
    let dir = tree(&[("compact.ipynb", &text)]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "compact.ipynb:cell 2:1:2 IMD001",
            "compact.ipynb:cell 2:7:1 IMD001",
            "compact.ipynb:cell 3:1:2 IMD001",
        ]
    );

    // Each ignore in code silenced a finding.
    let run = imds_lint(
        dir.path(),
        &["--output-format", "concise", "--report-unused-ignores"],
    );
    assert!(run.stderr_lines().is_empty(), "{run:?}");
}

#[test]
fn unused_ignores_in_notebooks_are_those_in_code() {
    let nb = notebook_of(&[
        markdown_cell("x # imds-lint: ignore\n"),
        code_cell(
            &["x = 1", "y = 2  # imds-lint: ignore[IMD001]"],
            &json!([]),
            &json!({}),
        ),
    ]);
    let dir = tree(&[("nb.ipynb", &serde_json::to_string_pretty(&nb).unwrap())]);
    let run = imds_lint(
        dir.path(),
        &["--output-format", "concise", "--report-unused-ignores"],
    );
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        run.stderr_lines(),
        vec!["nb.ipynb:17:19: unused suppression imds-lint: ignore[IMD001]"]
    );
}
