//! `imds-lint config [PATH]`: the settings in force, where they come from,
//! as TOML text or JSON.

use serde_json::Value;

use crate::support::{imds_lint, tree};

const TREE: &[(&str, &str)] = &[
    (
        "pyproject.toml",
        "[tool.imds-lint]\nignore = [\"IMD003\"]\ntoken-ttl = 600\n\
         per-file-ignores = { \"tests/\" = [\"IMD001\"] }\n",
    ),
    ("tests/unit/test_a.py", "x = 1\n"),
    (
        "team/imds-lint.toml",
        "extend-exclude = [\"gen/\"]\n[token-variable]\nshell = \"TOK\"\n",
    ),
    ("team/gen/x.sh", "echo\n"),
];

#[test]
fn text_shows_each_key_and_where_it_comes_from() {
    let dir = tree(TREE);
    let run = imds_lint(dir.path(), &["config", "tests/unit/test_a.py"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(
        run.stdout,
        "# Settings in force for tests/unit/test_a.py\n\
         # from pyproject.toml (\"default\": not set there)\n\
         select = [\"IMD001\", \"IMD002\", \"IMD003\"]  # default\n\
         ignore = [\"IMD003\"]\n\
         exclude = [\"node_modules/\", \"site-packages/\", \"venv/\", \"__pypackages__/\"]  # default\n\
         extend-exclude = []  # default\n\
         per-file-ignores = { \"tests/\" = [\"IMD001\"] }\n\
         token-ttl = 600\n\
         token-variable = { shell = \"IMDS_TOKEN\", python = \"imds_token\", scala = \"imdsToken\" }  # default\n\
         output-format = \"full\"  # default\n\
         \n\
         # Rules that run on tests/unit/test_a.py: IMD002 (per-file-ignores \"tests/\" drops IMD001)\n\
         # Excluded: no\n"
    );
}

#[test]
fn a_folder_with_its_own_file_and_an_excluded_path() {
    let dir = tree(TREE);
    let run = imds_lint(dir.path(), &["config", "team"]);
    assert!(run
        .stdout
        .starts_with("# Settings in force for team\n# from team/imds-lint.toml"));
    assert!(
        run.stdout.contains("\nextend-exclude = [\"gen/\"]\n"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("shell = \"TOK\""), "{}", run.stdout);
    // Nothing is inherited from the parent's pyproject.toml.
    assert!(
        run.stdout.contains("\nignore = []  # default\n"),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("# Rules that run on team: IMD001, IMD002, IMD003\n"));

    let run = imds_lint(dir.path(), &["config", "team/gen/x.sh"]);
    assert!(
        run.stdout
            .ends_with("# Excluded: yes (exclude or extend-exclude)\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn json_gives_values_and_sources() {
    let dir = tree(TREE);
    let run = imds_lint(
        dir.path(),
        &["config", "--output-format", "json", "tests/unit/test_a.py"],
    );
    assert_eq!(run.code, 0, "{run:?}");
    let v: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["path"], "tests/unit/test_a.py");
    assert_eq!(v["config_file"], "pyproject.toml");
    assert_eq!(v["settings"]["token-ttl"]["value"], 600);
    assert_eq!(v["settings"]["token-ttl"]["source"], "pyproject.toml");
    assert_eq!(v["settings"]["select"]["source"], "default");
    assert_eq!(
        v["settings"]["ignore"]["value"],
        serde_json::json!(["IMD003"])
    );
    assert_eq!(v["rules"], serde_json::json!(["IMD002"]));
    assert_eq!(
        v["per_file_ignores_applied"],
        serde_json::json!([{"glob": "tests/", "rules": ["IMD001"]}])
    );
    assert_eq!(v["excluded"], false);
    let keys: Vec<&str> = v["settings"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "select",
            "ignore",
            "exclude",
            "extend-exclude",
            "per-file-ignores",
            "token-ttl",
            "token-variable",
            "output-format"
        ]
    );
}

#[test]
fn defaults_isolated_and_config_flag() {
    let dir = tree(TREE);
    let run = imds_lint(dir.path(), &["config", "--isolated", "tests"]);
    assert!(run.stdout.starts_with(
        "# Settings in force for tests\n# --isolated: no configuration file read\nselect = "
    ));
    assert!(!run.stdout.contains("# default"), "{}", run.stdout);

    let bare = tree(&[("a.sh", "echo\n")]);
    let run = imds_lint(bare.path(), &["config"]);
    assert!(run
        .stdout
        .starts_with("# Settings in force for .\n# no configuration file found: defaults\n"));

    // Given before the command, the flags count too.
    let run = imds_lint(dir.path(), &["--isolated", "config", "tests"]);
    assert!(
        run.stdout
            .contains("\n# --isolated: no configuration file read\n"),
        "{run:?}"
    );
    let run = imds_lint(
        dir.path(),
        &["--config", "team/imds-lint.toml", "config", "tests"],
    );
    assert!(run.stdout.contains("# from team/imds-lint.toml"), "{run:?}");

    let run = imds_lint(
        dir.path(),
        &["config", "--config", "team/imds-lint.toml", "tests"],
    );
    let v = imds_lint(
        dir.path(),
        &[
            "config",
            "--config",
            "team/imds-lint.toml",
            "--output-format",
            "json",
            "tests",
        ],
    );
    assert!(
        run.stdout.contains("# from team/imds-lint.toml"),
        "{}",
        run.stdout
    );
    let v: Value = serde_json::from_str(&v.stdout).unwrap();
    assert_eq!(v["config_file"], "team/imds-lint.toml");
}

#[test]
fn a_bad_file_is_the_same_error_as_for_a_check() {
    let dir = tree(&[("imds-lint.toml", "selct = []\n")]);
    let run = imds_lint(dir.path(), &["config"]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    assert!(run
        .stderr
        .starts_with("error: imds-lint.toml:1: unknown key `selct`; known keys: "));
}

/// Found by a fresh tester in the tenth session: settings that could not
/// be written (a full disk) were lost without a word, exit 0.
#[test]
fn settings_that_cannot_be_written_are_an_error() {
    let dir = tree(TREE);
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" config > /dev/full")
        .arg(env!("CARGO_BIN_EXE_imds-lint"))
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("error: cannot write output: no space left on device"),
        "{stderr}"
    );
}

/// Flags given before `config` that it does not take change nothing it
/// shows, and the run says so rather than show settings they seem to have
/// changed. Found by a tester: `imds-lint --ignore IMD001,IMD002,IMD003
/// config` showed IMD001 running.
#[test]
fn flags_before_config_that_it_does_not_take_are_warned_about() {
    let dir = tree(&[("x.sh", "true\n")]);
    let run = imds_lint(dir.path(), &["--ignore", "IMD001", "config", "."]);
    assert_eq!(run.code, 0, "{run:#?}");
    assert!(
        run.stderr.starts_with(
            "warning: --select, --ignore, --token-ttl and --output-format given before \
             `config` change nothing it shows"
        ),
        "{run:#?}"
    );
    let run = imds_lint(dir.path(), &["--isolated", "config", "."]);
    assert_eq!(run.stderr, "", "{run:#?}");
}
