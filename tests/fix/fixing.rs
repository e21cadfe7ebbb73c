//! `--fix` on the sample workspace and on small cases: what is left, that
//! a second run changes nothing, that untouched files keep every byte,
//! exit codes, `--show-fixes`, `--unsafe-fixes`, `--token-ttl`, `--select`.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use crate::support::{
    changed, fix_kind, imds_lint, json_findings, snapshot, workspace_copy, write, CLEAN_SCRIPT,
    IMDSV1_SCRIPT,
};

const WORKSPACE: &str = "fixtures/workspace";

/// The files (relative to the copy) holding a finding whose fix is one of
/// `kinds`.
fn files_with_fixes(dir: &Path, kinds: &[&str]) -> BTreeSet<PathBuf> {
    json_findings(dir, &[WORKSPACE])
        .iter()
        .filter(|f| fix_kind(f).is_some_and(|kind| kinds.contains(&kind)))
        .map(|f| PathBuf::from(f["path"].as_str().unwrap()))
        .collect()
}

/// Locations (`path:line`) of findings whose fix is one of `kinds`.
fn fixable_left(dir: &Path, kinds: &[&str]) -> Vec<String> {
    json_findings(dir, &[WORKSPACE])
        .iter()
        .filter(|f| fix_kind(f).is_some_and(|kind| kinds.contains(&kind)))
        .map(|f| {
            format!(
                "{}:{} {}",
                f["path"].as_str().unwrap(),
                f["line"],
                f["code"]
            )
        })
        .collect()
}

/// `path:cell N:line:col: CODE` of each `warning:` line, as the JSON
/// output's `path:line CODE` cannot be compared with it: the path alone.
fn warned_paths(stderr: &str) -> BTreeSet<String> {
    stderr
        .lines()
        .filter_map(|line| line.strip_prefix("warning: "))
        .map(|rest| rest.split(':').next().unwrap().to_owned())
        .collect()
}

fn fix_and_check_settled(unsafe_fixes: bool) {
    let copy = workspace_copy();
    let dir = copy.path();
    let original = snapshot(dir);
    let kinds: &[&str] = if unsafe_fixes {
        &["safe", "unsafe"]
    } else {
        &["safe"]
    };
    let with_fixes = files_with_fixes(dir, kinds);
    assert!(!with_fixes.is_empty());

    let mut args = vec!["--fix", WORKSPACE];
    if unsafe_fixes {
        args.push("--unsafe-fixes");
    }
    let first = imds_lint(dir, &args);
    // Findings without a fix are left: exit 1, not 0 or 2.
    assert_eq!(first.code, 1, "{first:#?}");
    assert!(first.errors().is_empty(), "{first:#?}");
    let summary = first.stdout.lines().last().unwrap();
    assert!(summary.starts_with("Fixed "), "{summary}");

    // Only files with a fix changed; every other byte of the workspace is
    // as it was.
    let fixed = snapshot(dir);
    let touched: BTreeSet<PathBuf> = changed(&original, &fixed).into_iter().collect();
    assert!(!touched.is_empty());
    for path in &touched {
        assert!(
            with_fixes.contains(path),
            "{} changed without a fix",
            path.display()
        );
        assert!(
            original.contains_key(path) && fixed.contains_key(path),
            "{}",
            path.display()
        );
    }
    assert_eq!(original.len(), fixed.len(), "a file was added or removed");

    // Fixed notebooks are still JSON.
    for path in touched
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
    {
        serde_json::from_slice::<serde_json::Value>(&fixed[path])
            .unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    }

    // What is left with a fix of the kinds applied is what --fix said it
    // could not apply, and said so.
    let warned = warned_paths(&first.stderr);
    for left in fixable_left(dir, kinds) {
        let path = left.split(':').next().unwrap();
        assert!(
            warned.contains(path),
            "fixable finding left without a word: {left}"
        );
    }

    // A second --fix changes nothing, and finds no code the fixes broke:
    // the sample workspace has no code that does not parse.
    let second = imds_lint(dir, &args);
    assert_eq!(second.code, 1, "{second:#?}");
    let unparsed: Vec<&str> = second
        .stderr
        .lines()
        .filter(|line| line.contains("does not parse"))
        .collect();
    assert_eq!(unparsed, Vec::<&str>::new(), "{second:#?}");
    assert_eq!(snapshot(dir), fixed, "the second --fix changed files");
    assert!(
        second
            .stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("No fixes applied ("),
        "{second:#?}"
    );
}

#[test]
fn fix_on_the_sample_workspace_settles_and_touches_only_fixed_files() {
    fix_and_check_settled(false);
}

#[test]
fn unsafe_fixes_on_the_sample_workspace_settle_too() {
    fix_and_check_settled(true);
}

/// The issue's bar: after `--fix`, no finding with a safe fix is left and
/// no fix was refused. A fix the rules propose that does not resolve its
/// own finding shows here as a `warning:` line.
#[test]
fn every_safe_fix_of_the_sample_workspace_applies() {
    let copy = workspace_copy();
    let run = imds_lint(copy.path(), &["--fix", WORKSPACE]);
    assert_eq!(run.warnings(), Vec::<&str>::new(), "fixes refused");
    assert_eq!(fixable_left(copy.path(), &["safe"]), Vec::<String>::new());
}

#[test]
fn fix_exits_0_when_nothing_is_left_and_lists_fixes() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "init.sh",
        format!(
            "{IMDSV1_SCRIPT}{}",
            IMDSV1_SCRIPT.replace("#!/bin/sh\n", "")
        ),
    );
    write(dir.path(), "clean.sh", CLEAN_SCRIPT);

    let run = imds_lint(dir.path(), &["--fix", "--show-fixes", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(run.stderr, "");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "Applied fixes:", "{run:#?}");
    assert!(
        lines[1].starts_with("  init.sh:2:1: IMD001 fetch an IMDSv2 token"),
        "{run:#?}"
    );
    assert!(lines[2].starts_with("  init.sh:3:1: IMD001 "), "{run:#?}");
    assert_eq!(lines[3], "Fixed 2 findings in 1 file (0 left).");
    assert_eq!(lines.len(), 4, "{run:#?}");

    let text = fs::read_to_string(dir.path().join("init.sh")).unwrap();
    assert_eq!(
        text.matches("-X PUT").count(),
        1,
        "one token for the script: {text}"
    );
    assert_eq!(
        text.matches("X-aws-ec2-metadata-token: ").count(),
        2,
        "{text}"
    );
    assert_eq!(
        fs::read_to_string(dir.path().join("clean.sh")).unwrap(),
        CLEAN_SCRIPT
    );

    // Nothing left to do: --show-fixes lists nothing.
    let again = imds_lint(dir.path(), &["--fix", "--show-fixes", "."]);
    assert_eq!(again.code, 0, "{again:#?}");
    assert_eq!(again.stdout, "No fixes applied (0 findings left).\n");
}

/// A notebook whose cell 1 holds a fixable request, cell 2 code that does
/// not parse and mentions the service, and cell 3 Python whose shell
/// string does not parse and mentions it.
const NOTEBOOK_WITH_UNPARSED_CELLS: &str = r#"{
 "cells": [
  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
   "source": ["import requests\n", "r = requests.get(\"http://169.254.169.254/latest/meta-data/\", timeout=2)\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
   "source": ["URL = \"http://169.254.169.254/latest/meta-data/\" def (\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": null,
   "source": ["import subprocess\n", "subprocess.run(\"echo http://169.254.169.254/ $((\", shell=True)\n"]}
 ],
 "metadata": {},
 "nbformat": 4,
 "nbformat_minor": 5
}
"#;

/// The same in a Databricks export, where the fix adds lines before the
/// code that does not parse.
const EXPORT_WITH_UNPARSED_CELLS: &str = "# Databricks notebook source
import requests
r = requests.get(\"http://169.254.169.254/latest/meta-data/\", timeout=2)

# COMMAND ----------

URL = \"http://169.254.169.254/latest/meta-data/\" def (

# COMMAND ----------

# MAGIC %sh
# MAGIC echo http://169.254.169.254/ $((
";

#[test]
fn fix_keeps_the_warnings_of_code_that_does_not_parse() {
    for (name, text, moved) in [
        ("nb.ipynb", NOTEBOOK_WITH_UNPARSED_CELLS, false),
        ("export.py", EXPORT_WITH_UNPARSED_CELLS, true),
    ] {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), name, text);
        let args = ["--output-format", "concise", name];
        let before = imds_lint(dir.path(), &args);
        assert_eq!(before.warnings().len(), 2, "{name}: {before:#?}");

        // --fix reports what is left as a check of the fixed file does:
        // the same warnings, placed in the new text.
        let fix = imds_lint(dir.path(), &["--fix", "--output-format", "concise", name]);
        assert_eq!(fix.code, 0, "{name}: {fix:#?}");
        assert!(
            fix.stdout
                .ends_with("Fixed 1 finding in 1 file (0 left).\n"),
            "{name}: {fix:#?}"
        );
        let after = imds_lint(dir.path(), &args);
        assert_eq!(after.warnings().len(), 2, "{name}: {after:#?}");
        assert_eq!(fix.warnings(), after.warnings(), "{name}: {fix:#?}");
        assert_eq!(before.warnings() != after.warnings(), moved, "{name}");

        // Standard input's fix says the same, on standard error.
        let fixed = fs::read(dir.path().join(name)).unwrap();
        let piped = crate::support::imds_lint_with_stdin(
            dir.path(),
            &["--fix", "--stdin-filename", name, "-"],
            text.as_bytes(),
        );
        assert_eq!(piped.bytes, fixed, "{name}: {piped:#?}");
        assert_eq!(piped.warnings(), after.warnings(), "{name}: {piped:#?}");
    }
}

/// Found by a tester: the check called the lambda's fix unsafe, but a
/// plain `--fix` applied it in its second round, where the token the first
/// round fetched for the line before could be reused. Nothing `--fix`
/// applies may be a fix the check calls unsafe.
#[test]
fn fix_without_unsafe_fixes_leaves_what_the_check_calls_unsafe() {
    let dir = tempfile::tempdir().unwrap();
    let md = "http://169.254.169.254/latest/meta-data/";
    let code = format!(
        "import requests\n\nami = requests.get(\"{md}ami-id\", timeout=1).text\n\
         get = lambda p: requests.get(\"{md}\" + p, timeout=1).text\n\
         while requests.get(\"{md}spot/instance-action\", timeout=1).status_code == 404:\n    \
         pass\n"
    );
    write(dir.path(), "poll.py", &code);
    let args = ["--output-format", "concise", "poll.py"];
    let check = imds_lint(dir.path(), &args);
    assert!(
        check.stdout.contains("poll.py:3:7: IMD001 [fix] "),
        "{check:#?}"
    );
    assert!(
        check.stdout.contains("poll.py:4:17: IMD001 [unsafe fix] "),
        "{check:#?}"
    );
    assert!(
        check.stdout.contains("poll.py:5:7: IMD001 [unsafe fix] "),
        "{check:#?}"
    );

    let run = imds_lint(dir.path(), &[&["--fix"][..], &args].concat());
    assert_eq!(run.code, 1, "{run:#?}");
    let summary = "Fixed 1 finding in 1 file (2 left; 2 fixable with --unsafe-fixes).";
    assert!(run.stdout.contains(summary), "{run:#?}");
    let fixed = fs::read_to_string(dir.path().join("poll.py")).unwrap();
    let lines: Vec<&str> = fixed.lines().collect();
    assert!(
        lines[3].contains("X-aws-ec2-metadata-token\": imds_token"),
        "{fixed}"
    );
    assert_eq!(lines[4], code.lines().nth(3).unwrap(), "{fixed}");
    assert_eq!(lines[5], code.lines().nth(4).unwrap(), "{fixed}");
}

#[test]
fn fix_exits_1_when_findings_are_left_and_reports_them() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "old.sh",
        "#!/bin/sh\nec2metadata --instance-id\n",
    );
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &["--fix", "--output-format", "concise", "."]);
    assert_eq!(run.code, 1, "{run:#?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:#?}");
    assert!(lines[0].starts_with("old.sh:2:1: IMD003 "), "{run:#?}");
    assert_eq!(lines[1], "Fixed 1 finding in 1 file (1 left).");

    // The same in JSON: what is left, placed in the new text.
    let run = imds_lint(dir.path(), &["--fix", "--output-format", "json", "."]);
    let left: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(left.len(), 1, "{run:#?}");
    assert_eq!(left[0]["code"], "IMD003");
}

#[test]
fn fix_exits_2_on_a_file_error_and_fixes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.py", b"import os\0\n");
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &["--fix", "."]);
    assert_eq!(run.code, 2, "{run:#?}");
    assert_eq!(run.errors().len(), 1, "{run:#?}");
    assert!(
        run.errors()[0].starts_with("error: broken.py: binary file"),
        "{run:#?}"
    );
    assert!(
        run.stdout
            .ends_with("Fixed 1 finding in 1 file (0 left). 1 path could not be checked.\n"),
        "{run:#?}"
    );
    assert_ne!(
        fs::read_to_string(dir.path().join("init.sh")).unwrap(),
        IMDSV1_SCRIPT
    );
}

#[test]
fn text_formats_say_which_findings_have_which_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    // Requests with safe and with unsafe fixes, from the sample workspace.
    let ws = crate::support::repo_root().join(WORKSPACE);
    fs::copy(
        ws.join("jobs/node_inventory.py"),
        dir.path().join("node_inventory.py"),
    )
    .unwrap();

    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(
        run.stdout.contains(": IMD001 [fix] IMDSv1 request"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(": IMD001 [unsafe fix] IMDSv1 request"),
        "{}",
        run.stdout
    );
    let fixable = run.stdout.lines().last().unwrap();
    assert!(
        fixable.ends_with(" fixable with --fix (2 more with --unsafe-fixes)."),
        "{fixable}"
    );

    let run = imds_lint(dir.path(), &["."]);
    assert!(
        run.stdout.contains("help: safe fix available (--fix): "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("help: unsafe fix available (--fix --unsafe-fixes): "),
        "{}",
        run.stdout
    );
}

#[test]
fn token_ttl_reaches_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--fix", "--token-ttl", "300", "init.sh"]);
    assert_eq!(run.code, 0, "{run:#?}");
    let text = fs::read_to_string(dir.path().join("init.sh")).unwrap();
    assert!(
        text.contains("X-aws-ec2-metadata-token-ttl-seconds: 300\""),
        "{text}"
    );
    assert!(!text.contains("21600"), "{text}");
}

#[test]
fn only_reported_findings_are_fixed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--fix", "--ignore", "IMD001", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("init.sh")).unwrap(),
        IMDSV1_SCRIPT
    );
}

#[test]
fn suppressed_findings_are_not_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let text = "#!/bin/sh\n\
        curl -s http://169.254.169.254/latest/meta-data/ami-id  # imds-lint: ignore[IMD001]\n";
    write(dir.path(), "init.sh", text);
    let run = imds_lint(dir.path(), &["--fix", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("init.sh")).unwrap(),
        text
    );
    assert!(
        run.stdout
            .ends_with("No fixes applied (0 findings left).\n"),
        "{run:#?}"
    );
}

#[test]
fn configured_token_ttl_reaches_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "imds-lint.toml", "token-ttl = 900\n");
    write(dir.path(), "jobs/init.sh", IMDSV1_SCRIPT);
    let run = imds_lint(dir.path(), &["--fix", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    let text = fs::read_to_string(dir.path().join("jobs/init.sh")).unwrap();
    assert!(
        text.contains("X-aws-ec2-metadata-token-ttl-seconds: 900\""),
        "{text}"
    );
}

#[test]
fn fixed_file_keeps_its_mode_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let path = dir.path().join("init.sh");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o750)).unwrap();
    let run = imds_lint(dir.path(), &["--fix", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o7777,
        0o750
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("init.sh")]);
}

/// A fix in one cell can make one in a later cell possible (found by
/// fuzzing): the first cell's fix imports `Request` next to its `urlopen`,
/// which the later cell's `urlopen(url)` needs to be rewritten. One `--fix`
/// applies both, so a second has nothing left to do.
#[test]
fn one_fix_run_applies_the_fixes_another_fix_made_possible() {
    let dir = tempfile::tempdir().unwrap();
    let export = concat!(
        "# Databricks notebook source\n",
        "from urllib.request import urlopen\n",
        "ident = urlopen(\"http://169.254.169.254/latest/meta-data/instance-id\").read()\n",
        "\n# COMMAND ----------\n\n",
        "with urlopen(\"http://169.254.169.254/latest/dynamic/instance-identity/document\") as r:\n",
        "    doc = r.read()\n",
    );
    write(dir.path(), "probe.py", export);

    let first = imds_lint(dir.path(), &["--fix", "--unsafe-fixes", "probe.py"]);
    assert_eq!(first.code, 0, "{first:?}");
    let fixed = fs::read_to_string(dir.path().join("probe.py")).unwrap();
    assert_eq!(fixed.matches("api/token").count(), 2, "{fixed}");

    let second = imds_lint(dir.path(), &["--fix", "--unsafe-fixes", "probe.py"]);
    assert_eq!(second.code, 0, "{second:?}");
    assert_eq!(
        fs::read_to_string(dir.path().join("probe.py")).unwrap(),
        fixed
    );
}
