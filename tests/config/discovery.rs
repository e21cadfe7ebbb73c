//! Which configuration file is in force where: the nearest above each
//! file, pyproject.toml only with its table, `--config`, `--isolated`;
//! excludes, per-file ignores, and flags over files.

use serde_json::Value;

use crate::support::{found, imds_lint, imds_lint_with_stdin, tree, BAD_TOKEN, BOTO, PY, SH};

#[test]
fn pyproject_counts_only_with_a_tool_imds_lint_table() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\n\n[tool.imds-lint]\nignore = [\"IMD003\"]\n",
        ),
        ("boto.py", BOTO),
        // No table: the root's settings still apply below it.
        (
            "plain/pyproject.toml",
            "[project]\nname = \"q\"\n[tool.ruff]\nline-length = 99\n",
        ),
        ("plain/boto.py", BOTO),
        // A table: this folder's own settings, nothing inherited.
        (
            "own/pyproject.toml",
            "[tool.imds-lint]\nselect = [\"IMD003\"]\n",
        ),
        ("own/boto.py", BOTO),
        ("own/x.sh", SH),
    ]);
    assert_eq!(found(dir.path(), &[]), vec!["own/boto.py:2:1 IMD003"]);
}

#[test]
fn a_subfolder_file_overrides_the_parent_and_the_nearest_wins() {
    let dir = tree(&[
        ("imds-lint.toml", "ignore = [\"IMD001\"]\n"),
        ("x.sh", SH),
        ("team/imds-lint.toml", "ignore = [\"IMD002\"]\n"),
        ("team/x.sh", SH),
        ("team/token.sh", BAD_TOKEN),
        ("team/deep/er/x.sh", SH),
        // A hidden name counts too.
        ("ops/.imds-lint.toml", "select = [\"IMD002\"]\n"),
        ("ops/x.sh", SH),
        ("ops/token.sh", BAD_TOKEN),
    ]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "ops/token.sh:2:9 IMD002",
            "team/deep/er/x.sh:2:1 IMD001",
            "team/x.sh:2:1 IMD001",
        ]
    );
}

#[test]
fn imds_lint_toml_wins_over_pyproject_in_one_folder() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[tool.imds-lint]\nignore = [\"IMD001\"]\n",
        ),
        ("imds-lint.toml", "ignore = [\"IMD003\"]\n"),
        ("x.sh", SH),
        ("boto.py", BOTO),
    ]);
    assert_eq!(found(dir.path(), &[]), vec!["x.sh:2:1 IMD001"]);
}

#[test]
fn third_party_folders_are_excluded_until_exclude_says_otherwise() {
    let dir = tree(&[
        ("venv/lib/x.sh", SH),
        ("node_modules/pkg/x.sh", SH),
        ("lib/python3.11/site-packages/boto/x.py", PY),
        ("src/x.sh", SH),
        // `extend-exclude` keeps the defaults and adds to them.
        ("extended/imds-lint.toml", "extend-exclude = [\"gen/\"]\n"),
        ("extended/gen/x.sh", SH),
        ("extended/venv/x.sh", SH),
        ("extended/x.sh", SH),
        // `exclude` replaces them.
        ("replaced/imds-lint.toml", "exclude = [\"gen/\"]\n"),
        ("replaced/gen/x.sh", SH),
        ("replaced/venv/x.sh", SH),
    ]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "extended/x.sh:2:1 IMD001",
            "replaced/venv/x.sh:2:1 IMD001",
            "src/x.sh:2:1 IMD001"
        ]
    );
}

#[test]
fn exclude_globs_are_read_from_the_config_files_folder() {
    let dir = tree(&[
        (
            "sub/imds-lint.toml",
            "extend-exclude = [\"/gen/\", \"*.gen.sh\"]\n",
        ),
        ("sub/gen/x.sh", SH),
        ("sub/deeper/gen/x.sh", SH),
        ("sub/deeper/y.gen.sh", SH),
        ("gen/x.sh", SH),
    ]);
    assert_eq!(
        found(dir.path(), &[]),
        vec!["gen/x.sh:2:1 IMD001", "sub/deeper/gen/x.sh:2:1 IMD001"]
    );
    // Named paths are excluded as well (as pre-commit names each file).
    assert_eq!(
        found(
            dir.path(),
            &["sub/gen/x.sh", "sub/deeper/y.gen.sh", "gen/x.sh"]
        ),
        vec!["gen/x.sh:2:1 IMD001"]
    );
    // `--exclude` adds to the configuration's excludes.
    assert_eq!(
        found(dir.path(), &["--exclude", "/gen"]),
        vec!["sub/deeper/gen/x.sh:2:1 IMD001"]
    );
}

#[test]
fn per_file_ignores_match_globs_below_the_config_file() {
    let dir = tree(&[
        (
            "imds-lint.toml",
            "[per-file-ignores]\n\"tests/\" = [\"IMD001\"]\n\"*_legacy.py\" = [\"imdsv1-only-client\"]\n\
             \"/scripts/*.sh\" = [\"IMD001\", \"IMD002\"]\n",
        ),
        ("tests/unit/x.sh", SH),
        ("tests/unit/token.sh", BAD_TOKEN),
        ("app/boto_legacy.py", BOTO),
        ("app/boto.py", BOTO),
        ("scripts/x.sh", SH),
        ("scripts/token.sh", BAD_TOKEN),
        ("app/scripts/x.sh", SH),
    ]);
    assert_eq!(
        found(dir.path(), &[]),
        vec![
            "app/boto.py:2:1 IMD003",
            "app/scripts/x.sh:2:1 IMD001",
            "tests/unit/token.sh:2:9 IMD002"
        ]
    );
}

#[test]
fn config_flag_reads_one_file_for_every_path() {
    let dir = tree(&[
        ("imds-lint.toml", "ignore = [\"IMD001\"]\n"),
        ("team/imds-lint.toml", "ignore = [\"IMD002\"]\n"),
        ("team/x.sh", SH),
        ("team/token.sh", BAD_TOKEN),
        ("strict.toml", "extend-exclude = [\"/team/token.sh\"]\n"),
        (
            "conf/strict.toml",
            "extend-exclude = [\"/team/token.sh\"]\n",
        ),
    ]);
    assert_eq!(found(dir.path(), &[]), vec!["team/x.sh:2:1 IMD001"]);
    // Neither file in the tree counts; globs are read from the named
    // file's folder, so only the one at the top excludes `team/token.sh`.
    assert_eq!(
        found(dir.path(), &["--config", "strict.toml"]),
        vec!["team/x.sh:2:1 IMD001"]
    );
    assert_eq!(
        found(dir.path(), &["--config", "conf/strict.toml"]),
        vec!["team/token.sh:2:9 IMD002", "team/x.sh:2:1 IMD001"]
    );
    let conf = tree(&[("strict.toml", "select = [\"IMD002\"]\n")]);
    let elsewhere = conf.path().join("strict.toml");
    assert_eq!(
        found(dir.path(), &["--config", elsewhere.to_str().unwrap()]),
        vec!["team/token.sh:2:9 IMD002"]
    );
}

#[test]
fn config_flag_names_a_pyproject_table_too() {
    let dir = tree(&[
        (
            "shared/pyproject.toml",
            "[tool.imds-lint]\nselect = [\"IMD002\"]\n",
        ),
        ("x.sh", SH),
        ("token.sh", BAD_TOKEN),
    ]);
    assert_eq!(
        found(dir.path(), &["--config", "shared/pyproject.toml"]),
        vec!["token.sh:2:9 IMD002"]
    );
}

#[test]
fn isolated_reads_no_configuration_file() {
    let dir = tree(&[
        ("imds-lint.toml", "ignore = [\"IMD001\"]\nexclude = []\n"),
        ("x.sh", SH),
        ("venv/x.sh", SH),
        ("bad/imds-lint.toml", "not a key = at all\n"),
        ("bad/y.sh", SH),
    ]);
    assert_eq!(
        found(dir.path(), &["--isolated"]),
        vec!["bad/y.sh:2:1 IMD001", "x.sh:2:1 IMD001"]
    );
}

#[test]
fn select_flag_replaces_the_files_choice_and_ignore_flag_adds() {
    let dir = tree(&[
        (
            "imds-lint.toml",
            "select = [\"IMD001\", \"IMD003\"]\nignore = [\"IMD003\"]\n",
        ),
        ("x.sh", SH),
        ("token.sh", BAD_TOKEN),
        ("boto.py", BOTO),
    ]);
    assert_eq!(found(dir.path(), &[]), vec!["x.sh:2:1 IMD001"]);
    assert_eq!(
        found(dir.path(), &["--select", "IMD002,IMD003"]),
        vec!["boto.py:2:1 IMD003", "token.sh:2:9 IMD002"]
    );
    assert_eq!(
        found(dir.path(), &["--ignore", "IMD001"]),
        Vec::<String>::new()
    );
}

#[test]
fn output_format_flag_wins_over_the_file() {
    let dir = tree(&[
        ("imds-lint.toml", "output-format = \"json\"\n"),
        ("x.sh", SH),
    ]);
    let run = imds_lint(dir.path(), &[]);
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json[0]["code"], "IMD001", "{json}");
    let run = imds_lint(dir.path(), &["--output-format", "concise"]);
    assert_eq!(run.findings(), vec!["x.sh:2:1 IMD001"]);
    // The working folder's file decides, not one found deeper.
    let dir = tree(&[
        ("sub/imds-lint.toml", "output-format = \"json\"\n"),
        ("sub/x.sh", SH),
    ]);
    let run = imds_lint(dir.path(), &["--quiet"]);
    assert!(run.stdout.contains("IMD001"), "{run:?}");
    assert!(
        serde_json::from_str::<Value>(&run.stdout).is_err(),
        "{run:?}"
    );
}

/// The texts a SARIF report's fixes insert.
fn inserted(run: &crate::support::Run) -> Vec<String> {
    let sarif: Value = serde_json::from_str(&run.stdout).unwrap();
    let mut texts = Vec::new();
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        for fix in result["fixes"].as_array().into_iter().flatten() {
            for change in fix["artifactChanges"].as_array().unwrap() {
                for replacement in change["replacements"].as_array().unwrap() {
                    texts.push(
                        replacement["insertedContent"]["text"]
                            .as_str()
                            .unwrap()
                            .to_owned(),
                    );
                }
            }
        }
    }
    texts
}

#[test]
fn token_settings_reach_the_fixes_and_the_flag_wins() {
    let dir = tree(&[
        (
            "imds-lint.toml",
            "token-ttl = 300\n[token-variable]\nshell = \"MY_TOKEN\"\npython = \"my_token\"\n",
        ),
        ("x.sh", SH),
        ("other/imds-lint.toml", "\n"),
        ("other/x.sh", SH),
    ]);
    let fixes = inserted(&imds_lint(
        dir.path(),
        &["--output-format", "sarif", "x.sh"],
    ))
    .concat();
    assert!(fixes.contains("MY_TOKEN=$(curl"), "{fixes}");
    assert!(fixes.contains("ttl-seconds: 300\""), "{fixes}");

    let fixes = inserted(&imds_lint(
        dir.path(),
        &["--output-format", "sarif", "--token-ttl", "60", "x.sh"],
    ))
    .concat();
    assert!(fixes.contains("ttl-seconds: 60\""), "{fixes}");
    assert!(fixes.contains("MY_TOKEN"), "{fixes}");

    // An empty file nearer is a configuration of defaults.
    let fixes = inserted(&imds_lint(
        dir.path(),
        &["--output-format", "sarif", "other/x.sh"],
    ))
    .concat();
    assert!(
        fixes.contains("IMDS_TOKEN=$(curl") && fixes.contains("ttl-seconds: 21600\""),
        "{fixes}"
    );
}

#[test]
fn standard_input_takes_the_settings_of_its_name() {
    let dir = tree(&[("tests/imds-lint.toml", "ignore = [\"IMD001\"]\n")]);
    let args = |name| ["--output-format", "concise", "--stdin-filename", name];
    let run = imds_lint_with_stdin(dir.path(), &args("tests/init.sh"), SH.as_bytes());
    assert_eq!((run.code, run.findings()), (0, vec![]), "{run:?}");
    let run = imds_lint_with_stdin(dir.path(), &args("init.sh"), SH.as_bytes());
    assert_eq!(
        (run.code, run.findings()),
        (1, vec!["init.sh:2:1 IMD001".to_owned()])
    );
}

/// A table spelt the way Python package names often are (`imds_lint`) is
/// not read, and the run says so instead of checking with the defaults in
/// silence. Found by a tester.
#[test]
fn a_pyproject_table_spelt_with_an_underscore_is_warned_about() {
    let dir = tree(&[
        (
            "pyproject.toml",
            "[project]\nname = \"p\"\n[tool.imds_lint]\nignore = [\"IMD003\"]\n",
        ),
        ("boto.py", BOTO),
    ]);
    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.code, 1, "{run:#?}");
    assert!(run.stdout.contains("boto.py:2:1: IMD003"), "{run:#?}");
    assert_eq!(
        run.stderr
            .lines()
            .filter(|line| line.starts_with("warning: "))
            .collect::<Vec<_>>(),
        vec![
            "warning: pyproject.toml: [tool.imds_lint] is not read: imds-lint's table is \
             [tool.imds-lint]"
        ],
        "{run:#?}"
    );
}

/// Settings that leave no rule to run check nothing: a CI gate turned off
/// by `select = []` or by ignoring every rule says so. Found by a tester.
#[test]
fn settings_that_run_no_rule_are_warned_about() {
    let dir = tree(&[("imds-lint.toml", "select = []\n"), ("x.sh", SH)]);
    let run = imds_lint(dir.path(), &["--output-format", "concise", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(
            "warning: imds-lint.toml: no rule runs (its select and ignore leave none): \
             nothing it governs is reported"
        ),
        "{run:#?}"
    );
    let run = imds_lint(
        dir.path(),
        &["--isolated", "--ignore", "IMD001,IMD002,IMD003", "."],
    );
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.contains(
            "warning: no rule runs (--select and --ignore leave none): nothing is reported"
        ),
        "{run:#?}"
    );
}

/// The `[tool.imds_lint]` warning reads the TOML, not the text: any
/// spelling of the table, beside ours or after a comment naming us, and
/// not a comment that only mentions it. Found by a tester.
#[test]
fn the_underscore_table_is_found_in_the_toml_not_the_text() {
    for (pyproject, warned) in [
        (
            "# imds-lint settings\n[tool.imds_lint]\nselect = []\n",
            true,
        ),
        (
            "[tool.imds-lint]\nignore = [\"IMD003\"]\n[tool.imds_lint]\nselect = []\n",
            true,
        ),
        ("[tool.\"imds_lint\"]\nselect = []\n", true),
        ("[ tool.imds_lint ]\nselect = []\n", true),
        ("[tool]\nimds_lint = { select = [] }\n", true),
        (
            "# see [tool.imds_lint]\n[tool.black]\nline-length = 99\n",
            false,
        ),
    ] {
        let dir = tree(&[("pyproject.toml", pyproject), ("x.sh", SH)]);
        let run = imds_lint(dir.path(), &["-q", "."]);
        assert_eq!(
            run.stderr.contains("[tool.imds_lint] is not read"),
            warned,
            "{pyproject}: {run:#?}"
        );
    }
}

/// Warnings about configuration files come in the same order whatever
/// order the walk meets the files in, and name the flags when they take
/// part. Found by a tester.
#[test]
fn configuration_warnings_are_sorted_and_name_the_flags() {
    let dir = tree(&[
        ("sub1/imds-lint.toml", "select = []\n"),
        ("sub1/x.sh", SH),
        (
            "sub2/.imds-lint.toml",
            "ignore = [\"IMD001\", \"IMD002\", \"IMD003\"]\n",
        ),
        ("sub2/x.sh", SH),
        ("sub3/pyproject.toml", "[tool.imds-lint]\nselect = []\n"),
        ("sub3/x.sh", SH),
        ("sub4/imds-lint.toml", "select = [\"IMD001\"]\n"),
        ("sub4/x.sh", SH),
    ]);
    let warnings = |args: &[&str]| -> Vec<String> {
        let run = imds_lint(dir.path(), args);
        run.stderr
            .lines()
            .filter(|line| line.starts_with("warning: "))
            .map(str::to_owned)
            .collect()
    };
    let first = warnings(&["-q", "."]);
    assert_eq!(first.len(), 3, "{first:#?}");
    assert!(first.windows(2).all(|w| w[0] <= w[1]), "{first:#?}");
    for _ in 0..5 {
        assert_eq!(warnings(&["-q", "."]), first);
    }
    assert_eq!(
        warnings(&["-q", "--ignore", "IMD001", "sub4"]),
        vec![
            "warning: sub4/imds-lint.toml: no rule runs (its select and ignore, with --select \
             and --ignore, leave none): nothing it governs is reported"
        ]
    );
}
