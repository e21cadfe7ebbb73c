//! Python that shell code runs: `python3 -c`, heredocs and here-strings
//! fed to a Python reading its script from standard input.

use super::*;

const MD: &str = "http://169.254.169.254/latest/meta-data/instance-id";

/// The file text each finding of a shell script covers, and whether it
/// has a fix.
fn found_in(code: &str) -> Vec<(String, bool, Option<String>)> {
    let (cells, found) = check(
        vec![Cell::whole_file(Lang::Shell, code)],
        &Settings::default(),
    );
    found
        .iter()
        .map(|f| {
            let range = cells[f.cell].map.file_range(f.range.clone());
            (code[range].to_owned(), f.fix.is_some(), f.help.clone())
        })
        .collect()
}

#[test]
fn python_code_a_shell_runs_is_analysed() {
    let request = format!("requests.get(\"{MD}\", timeout=2)");
    for code in [
        format!("python3 - <<'PY'\nimport requests\nr = {request}\nPY\n"),
        format!("python3 <<PY\nimport requests\nr = {request}\nPY\n"),
        format!(
            "/databricks/python3/bin/python -u <<-PY\n\timport requests\n\tr = {request}\n\tPY\n"
        ),
        format!("sudo -u svc python3.11 -c '\nimport requests\nr = {request}\n'\n"),
        format!(
            "python3 -c \"\nimport requests\nr = {}\n\"\n",
            request.replace('"', "\\\"")
        ),
        format!("bash -c 'python3 <<PY\nimport requests\nr = {request}\nPY\n'\n"),
        format!("python3 <<< '\nimport requests\nr = {request}\n'\n"),
    ] {
        let found = found_in(&code);
        assert_eq!(found.len(), 1, "{code}\n{found:?}");
        let (text, fixed, help) = &found[0];
        assert!(text.starts_with("requests.get("), "{code}\n{text}");
        assert!(fixed, "{code}\n{help:?}");
    }
}

#[test]
fn heredocs_and_words_that_are_not_python_code_are_not_read_as_python() {
    let body = format!("import requests\nrequests.get(\"{MD}\")\n");
    for code in [
        // Standard input of a script, not the script.
        format!("python3 job.py <<'PY'\n{body}PY\n"),
        format!("python3 -m json.tool <<'PY'\n{body}PY\n"),
        // Not a Python.
        format!("cat > job.py <<'PY'\n{body}PY\n"),
        format!("pythonista -c '{body}'\n"),
    ] {
        assert_eq!(found_in(&code), Vec::new(), "{code}");
    }
}

/// A one-line program shares its line with other statements: reported,
/// with help, as in a Python file.
#[test]
fn a_one_line_program_is_reported_with_help() {
    let code = format!("python3 -c 'import requests; print(requests.get(\"{MD}\").text)'\n");
    let found = found_in(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].1);
    assert!(found[0]
        .2
        .as_deref()
        .is_some_and(|h| h.contains("shares its line")));
}

#[test]
fn python_in_shell_that_does_not_parse_gets_no_fix() {
    let code = format!(
        "python3 - <<'PY'\nimport requests\nr = requests.get(\"{MD}\")\nPY\nif true; then\n"
    );
    let found = found_in(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].1);
    assert!(found[0]
        .2
        .as_deref()
        .is_some_and(|h| h.contains("does not parse")));
}

/// Inside an f-string the fix writes the other quote, `'`, which a
/// single-quoted shell word cannot hold: help instead of a fix `--fix`
/// would refuse.
#[test]
fn a_fix_the_shell_quoting_cannot_hold_is_withheld() {
    let code = format!(
        "python3 -c '\nimport requests\nURL = \"{MD}\"\nprint(f\"{{requests.get(URL).text}}\")\n'\n"
    );
    let found = found_in(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(!found[0].1, "{found:?}");
    assert!(found[0]
        .2
        .as_deref()
        .is_some_and(|h| h.contains("cannot hold")));
    // In a double-quoted word the same fix is written with escapes.
    let code = format!(
        "python3 -c \"\nimport requests\nURL = '{MD}'\nprint(f'{{requests.get(URL).text}}')\n\"\n"
    );
    let found = found_in(&code);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].1, "{found:?}");
}

/// The program runs in a process of its own: a shell variable named like
/// the token variable is no reason to rename it, and no Python names of a
/// notebook reach it.
#[test]
fn the_program_sees_none_of_the_scripts_names() {
    let code = format!(
        "imds_token=x\npython3 - <<'PY'\nimport requests\nr = requests.get(\"{MD}\")\nPY\n"
    );
    let (cells, found) = check(
        vec![Cell::whole_file(Lang::Shell, &code)],
        &Settings::default(),
    );
    assert_eq!(found.len(), 1);
    let fix = found[0].fix.as_ref().unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(cells[found[0].cell].lang, Lang::Python);
    assert!(
        fix.edits
            .iter()
            .any(|e| e.content.starts_with("imds_token = ")),
        "{fix:?}"
    );
}

/// A fresh tester: shell code that does not parse, whose Python got a
/// finding, was also said to have "no request found in it".
#[test]
fn findings_of_nested_python_count_for_the_unparsed_warning() {
    let code = format!(
        "python3 - <<'PY'\nimport requests\nr = requests.get(\"{MD}\")\nPY\nif true; then\n"
    );
    let checked = crate::check_refusing(
        vec![Cell::whole_file(Lang::Shell, &code)],
        &Settings::default(),
    );
    assert_eq!(checked.findings.len(), 1);
    assert_eq!(checked.unparsed, Vec::<usize>::new());
}
