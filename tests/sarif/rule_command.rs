//! `imds-lint rule`: a rule's page by code or name, the list of rules, JSON,
//! unknown rules, and folders that happen to be called `rule`.

use crate::support::{imds_lint, repo, write, IMDSV1_SCRIPT};

#[test]
fn rule_prints_its_documentation_page() {
    let dir = tempfile::tempdir().unwrap();
    for code in ["IMD001", "IMD002", "IMD003"] {
        let page = std::fs::read_to_string(repo().join(format!("docs/rules/{code}.md"))).unwrap();
        let run = imds_lint(dir.path(), &["rule", code]);
        assert_eq!(run.code, 0, "{run:?}");
        assert_eq!(run.stdout, page);
        assert_eq!(run.stderr, "");
    }
    let by_name = imds_lint(dir.path(), &["rule", "metadata-request-without-token"]);
    assert_eq!(
        by_name.stdout,
        imds_lint(dir.path(), &["rule", "imd001"]).stdout
    );
    assert!(by_name.stdout.starts_with("# IMD001 "), "{by_name:?}");
}

#[test]
fn rule_all_lists_code_name_fix_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["rule", "--all"]);
    assert_eq!(run.code, 0, "{run:?}");
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", run.stdout);
    assert!(lines[0].starts_with("CODE"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("IMD001  metadata-request-without-token"),
        "{}",
        run.stdout
    );
    assert!(lines[1].contains(" yes "), "{}", run.stdout);
    assert!(
        lines[3].starts_with("IMD003  imdsv1-only-client"),
        "{}",
        run.stdout
    );
    assert!(lines[3].contains(" no "), "{}", run.stdout);
}

#[test]
fn rule_output_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let all = imds_lint(dir.path(), &["rule", "--all", "--output-format", "json"]).json();
    let all = all.as_array().unwrap();
    assert_eq!(all.len(), 3);
    assert_eq!(all[1]["code"], "IMD002");
    assert_eq!(all[1]["name"], "malformed-token-request");
    assert_eq!(all[2]["fixable"], false);

    let one = imds_lint(dir.path(), &["rule", "IMD002", "--output-format", "json"]).json();
    assert_eq!(one, all[1]);
    let page = std::fs::read_to_string(repo().join("docs/rules/IMD002.md")).unwrap();
    assert_eq!(one["doc"], page.as_str());
}

#[test]
fn unknown_rule_exits_2_and_names_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let run = imds_lint(dir.path(), &["rule", "IMD999"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.stdout, "");
    assert!(
        run.stderr.starts_with("error: unknown rule `IMD999`"),
        "{run:?}"
    );
    for known in ["IMD001", "metadata-request-without-token", "IMD003"] {
        assert!(run.stderr.contains(known), "{run:?}");
    }

    let run = imds_lint(dir.path(), &["rule"]);
    assert_eq!(run.code, 2, "a rule or --all is needed: {run:?}");
}

#[test]
fn a_folder_called_rule_is_checked_as_a_path() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "rule/init.sh", IMDSV1_SCRIPT);

    let run = imds_lint(dir.path(), &["--output-format", "concise", "./rule"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("rule/init.sh:2:"), "{run:?}");

    // After another path, `rule` is a path too.
    write(dir.path(), "jobs/clean.sh", "#!/bin/sh\necho hi\n");
    let run = imds_lint(dir.path(), &["--output-format", "concise", "jobs", "rule"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("rule/init.sh:2:"), "{run:?}");
}
