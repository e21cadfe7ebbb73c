//! A configuration that cannot be used stops the run before any check,
//! with one `error:` line naming the file, the line, the key and what is
//! allowed, and exit code 2.

use crate::support::{imds_lint, tree, SH};

const KNOWN_KEYS: &str = "known keys: select, ignore, exclude, extend-exclude, \
                          per-file-ignores, token-ttl, token-variable, output-format";

/// Runs a check in a tree holding `name` with `text` and a finding, and
/// returns the one line of standard error; nothing may reach standard
/// output, and the exit code must be 2.
fn config_error(name: &str, text: &str) -> String {
    let dir = tree(&[(name, text), ("x.sh", SH)]);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    let lines = run.stderr_lines();
    assert_eq!(lines.len(), 1, "{run:?}");
    lines[0].to_owned()
}

#[test]
fn unknown_keys() {
    assert_eq!(
        config_error(
            "imds-lint.toml",
            "ignore = [\"IMD003\"]\nselct = [\"IMD001\"]\n"
        ),
        format!("error: imds-lint.toml:2: unknown key `selct`; {KNOWN_KEYS}")
    );
    assert_eq!(
        config_error(
            "pyproject.toml",
            "[project]\nname = \"x\"\n\n[tool.imds-lint]\ntoken_ttl = 300\n"
        ),
        format!("error: pyproject.toml:5: unknown key `tool.imds-lint.token_ttl`; {KNOWN_KEYS}")
    );
    assert_eq!(
        config_error(".imds-lint.toml", "[token-variable]\nbash = \"T\"\n"),
        "error: .imds-lint.toml:2: unknown key `token-variable.bash`; known keys: shell, python, scala"
    );
}

#[test]
fn bad_values() {
    let cases = [
        (
            "select = [\"IMD001\", \"IMD010\"]\n",
            "error: imds-lint.toml:1: bad value for `select`: unknown rule `IMD010`; expected rule \
             codes or names: IMD001 (metadata-request-without-token), IMD002 \
             (malformed-token-request), IMD003 (imdsv1-only-client)",
        ),
        (
            "ignore = \"IMD001\"\n",
            "error: imds-lint.toml:1: bad value for `ignore`: expected a list of rule codes or \
             names, found a string",
        ),
        (
            "\n\ntoken-ttl = 86400\n",
            "error: imds-lint.toml:3: bad value for `token-ttl`: 86400; expected an integer from \
             1 to 21600 (seconds)",
        ),
        (
            "token-ttl = 1.5\n",
            "error: imds-lint.toml:1: bad value for `token-ttl`: expected an integer from 1 to \
             21600 (seconds), found a float",
        ),
        (
            "[token-variable]\nshell = \"IMDS-TOKEN\"\n",
            "error: imds-lint.toml:2: bad value for `token-variable.shell`: `IMDS-TOKEN` is not a \
             shell variable name; expected ASCII letters, digits and `_`, not starting with a digit",
        ),
        (
            "token-variable = { python = \"lambda\" }\n",
            "error: imds-lint.toml:1: bad value for `token-variable.python`: `lambda` is a Python \
             keyword; expected a Python variable name",
        ),
        (
            "token-variable = { scala = \"2tok\" }\n",
            "error: imds-lint.toml:1: bad value for `token-variable.scala`: `2tok` is not a Scala \
             variable name; expected ASCII letters, digits and `_`, not starting with a digit",
        ),
        (
            "per-file-ignores = { \"tests/**\" = \"IMD001\" }\n",
            "error: imds-lint.toml:1: bad value for `per-file-ignores.\"tests/**\"`: expected a \
             list of rule codes or names, found a string",
        ),
        (
            "exclude = [\"[z-a]\"]\n",
            "", // checked by prefix below: the glob library words the reason
        ),
    ];
    for (text, expected) in cases {
        let line = config_error("imds-lint.toml", text);
        if expected.is_empty() {
            assert!(
                line.starts_with(
                    "error: imds-lint.toml:1: bad value for `exclude`: invalid glob `[z-a]`"
                ),
                "{line}"
            );
        } else {
            assert_eq!(line, expected, "{text}");
        }
    }
}

#[test]
fn output_format_lists_the_formats() {
    let line = config_error("imds-lint.toml", "output-format = \"text\"\n");
    assert!(
        line.starts_with(
            "error: imds-lint.toml:1: bad value for `output-format`: `text`; expected one of full, \
             concise, json, json-lines, github"
        ),
        "{line}"
    );
}

#[test]
fn invalid_toml_names_the_line() {
    let line = config_error(
        "imds-lint.toml",
        "select = [\"IMD001\"]\nignore = [\"IMD003\"\n",
    );
    assert!(line.starts_with("error: imds-lint.toml:"), "{line}");
    assert!(line.contains(": invalid TOML: "), "{line}");
    let line = config_error("imds-lint.toml", "select = []\nselect = []\n");
    assert!(
        line.starts_with("error: imds-lint.toml:2: invalid TOML: "),
        "{line}"
    );
}

#[test]
fn a_bad_file_deep_in_the_tree_stops_the_run() {
    let dir = tree(&[
        ("a.sh", SH),
        ("z/imds-lint.toml", "token-ttl = 0\n"),
        ("z/y.sh", SH),
        ("q/pyproject.toml", "[tool.imds-lint]\nfoo = 1\n"),
        ("q/y.sh", SH),
    ]);
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr_lines(),
        vec![
            format!("error: q/pyproject.toml:2: unknown key `tool.imds-lint.foo`; {KNOWN_KEYS}")
                .as_str(),
            "error: z/imds-lint.toml:1: bad value for `token-ttl`: 0; expected an integer from 1 \
             to 21600 (seconds)",
        ]
    );
    // Checking only what no bad file governs works.
    assert_eq!(imds_lint(dir.path(), &["a.sh"]).code, 1);
}

#[test]
fn a_broken_pyproject_that_is_not_ours_is_left_alone() {
    let dir = tree(&[("pyproject.toml", "[tool.black\n"), ("x.sh", SH)]);
    assert_eq!(imds_lint(dir.path(), &[]).code, 1);
}

#[test]
fn config_flag_errors() {
    let dir = tree(&[
        ("x.sh", SH),
        ("pyproject.toml", "[project]\nname = \"imds-lint-demo\"\n"),
    ]);
    let run = imds_lint(dir.path(), &["--config", "nope.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr_lines(),
        vec!["error: nope.toml: cannot be read: no such file or directory"]
    );
    let run = imds_lint(dir.path(), &["--config", "pyproject.toml"]);
    assert_eq!(run.code, 2);
    assert_eq!(
        run.stderr_lines(),
        vec!["error: pyproject.toml: has no [tool.imds-lint] table"]
    );
    let run = imds_lint(dir.path(), &["--config", "pyproject.toml", "--isolated"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{run:?}");
}
