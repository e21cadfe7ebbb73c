//! Whole SARIF runs: the sample workspace against the schema, an empty run,
//! files that could not be read, the rules, the source root and category.

use serde_json::Value;

use crate::support::{has_ext, repo, results, sarif, schema_errors, uri, write, IMDSV1_SCRIPT};

#[test]
fn workspace_sarif_validates_and_holds_every_finding() {
    let (log, run) = sarif(&repo(), &["fixtures/workspace"]);
    assert_eq!(run.code, 1, "{}", run.stderr);

    // The truth file lists every finding: file, line as stored, rule.
    let truth = std::fs::read_to_string(repo().join("fixtures/workspace.truth.jsonl")).unwrap();
    let mut expected: Vec<(String, u64, String)> = truth
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let v: Value = serde_json::from_str(line).unwrap();
            let path = v["path"].as_str().unwrap().replace(' ', "%20");
            let code = v["code"].as_str().unwrap().to_owned();
            (
                format!("fixtures/workspace/{path}"),
                v["line"].as_u64().unwrap(),
                code,
            )
        })
        .collect();
    let results = results(&log);
    let mut found: Vec<(String, u64, String)> = results
        .iter()
        .map(|r| {
            let line = r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64();
            let code = r["ruleId"].as_str().unwrap().to_owned();
            (uri(r).to_owned(), line.unwrap(), code)
        })
        .collect();
    expected.sort();
    found.sort();
    assert_eq!(found, expected);

    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for result in results {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(uri(result).starts_with("fixtures/workspace/"), "{result}");
        assert_eq!(
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            "%SRCROOT%"
        );
        assert!(result["message"]["text"]
            .as_str()
            .is_some_and(|t| !t.is_empty()));
    }
    assert!(
        results.iter().any(|r| r.get("fixes").is_some()),
        "the workspace has fixable findings"
    );
    assert!(
        results.iter().any(|r| has_ext(uri(r), "ipynb")),
        "the workspace has notebook findings"
    );
}

#[test]
fn the_schema_check_catches_what_code_scanning_refuses() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let (log, _) = sarif(dir.path(), &["."]);

    let mut zero_column = log.clone();
    zero_column["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
        ["startColumn"] = Value::from(0);
    assert!(!schema_errors(&zero_column).is_empty());

    let mut bad_level = log.clone();
    bad_level["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!schema_errors(&bad_level).is_empty());

    let mut bad_uri = log;
    bad_uri["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] = Value::from("not a uri");
    assert!(!schema_errors(&bad_uri).is_empty());
}

#[test]
fn driver_describes_every_rule_for_code_scanning() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = sarif(dir.path(), &[]);
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "imds-lint");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        driver["informationUri"],
        "https://github.com/imds-lint/imds-lint"
    );

    let rules = driver["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["IMD001", "IMD002", "IMD003"]);
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        let page = std::fs::read_to_string(repo().join(format!("docs/rules/{id}.md"))).unwrap();
        assert_eq!(rule["help"]["markdown"], page.as_str(), "{id}");
        assert_eq!(
            rule["helpUri"],
            format!("https://github.com/imds-lint/imds-lint/blob/main/docs/rules/{id}.md")
        );
        for text in [
            &rule["shortDescription"]["text"],
            &rule["fullDescription"]["text"],
        ] {
            let text = text.as_str().unwrap();
            assert!(
                !text.is_empty() && text.chars().count() <= 1024,
                "{id}: {text}"
            );
        }
        let severity: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(severity > 0.0 && severity <= 10.0, "{id}");
        assert!(rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .contains(&Value::from("security")));
    }
    assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
    assert_eq!(rules[2]["defaultConfiguration"]["level"], "warning");
}

#[test]
fn nothing_found_is_an_empty_run_not_an_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "clean.sh",
        "#!/bin/sh\necho http://169.254.169.254/\n",
    );
    let (log, run) = sarif(dir.path(), &["."]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");

    let run_object = &log["runs"][0];
    assert_eq!(run_object["results"], serde_json::json!([]));
    assert_eq!(run_object["invocations"][0]["executionSuccessful"], true);
    assert_eq!(
        run_object["invocations"][0]["toolExecutionNotifications"],
        serde_json::json!([])
    );
}

#[test]
fn unreadable_files_are_notifications_and_the_execution_failed() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    write(
        dir.path(),
        "broken.ipynb",
        "{\"about\": \"169.254.169.254\", \"cells\": [",
    );
    let (log, run) = sarif(dir.path(), &["."]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.starts_with("error: broken.ipynb: "),
        "{}",
        run.stderr
    );

    let run_object = &log["runs"][0];
    assert_eq!(
        results(&log).len(),
        1,
        "the readable file is still reported"
    );
    let invocation = &run_object["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1);
    assert_eq!(notes[0]["level"], "error");
    assert!(notes[0]["message"]["text"]
        .as_str()
        .is_some_and(|t| !t.is_empty()));
    let location = &notes[0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(location["uri"], "broken.ipynb");
    assert_eq!(location["uriBaseId"], "%SRCROOT%");
}

#[test]
fn uris_are_relative_to_the_git_top_level() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(top.join(".git")).unwrap();
    write(&top, "team/jobs/my init.sh", IMDSV1_SCRIPT);

    // Run from a subfolder, naming a folder below it.
    let (log, _) = sarif(&top.join("team"), &["jobs"]);
    let result = &results(&log)[0];
    assert_eq!(uri(result), "team/jobs/my%20init.sh");
    let root = &log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert_eq!(root.as_str().unwrap(), format!("file://{}/", top.display()));
}

#[test]
fn outside_a_repository_the_current_folder_is_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let top = dir.path().canonicalize().unwrap();
    write(&top, "jobs/init.sh", IMDSV1_SCRIPT);
    let (log, _) = sarif(&top.join("jobs"), &["."]);
    assert_eq!(uri(&results(&log)[0]), "init.sh");
    let root = &log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"];
    assert_eq!(
        root.as_str().unwrap(),
        format!("file://{}/", top.join("jobs").display())
    );
}

#[test]
fn category_sets_the_automation_id() {
    let dir = tempfile::tempdir().unwrap();
    let (log, _) = sarif(dir.path(), &[]);
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "imds-lint/");
    let (log, _) = sarif(dir.path(), &["--sarif-category", "imds-lint/jobs"]);
    assert_eq!(log["runs"][0]["automationDetails"]["id"], "imds-lint/jobs/");
}

#[test]
fn statistics_do_not_replace_the_sarif_document() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "init.sh", IMDSV1_SCRIPT);
    let (log, run) = sarif(dir.path(), &["--statistics", "."]);
    assert_eq!(run.code, 1);
    assert_eq!(results(&log).len(), 1);
}

#[test]
fn sarif_to_standard_input_names_the_stdin_filename() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_imds-lint"))
        .args([
            "--output-format",
            "sarif",
            "--stdin-filename",
            "jobs/init.sh",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), IMDSV1_SCRIPT.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let log: Value = serde_json::from_slice(&output.stdout).unwrap();
    crate::support::assert_valid(&log);
    assert_eq!(uri(&results(&log)[0]), "jobs/init.sh");
}
