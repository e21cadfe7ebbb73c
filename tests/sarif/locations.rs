//! SARIF regions against the files as stored: notebook findings on the
//! line of the `.ipynb` JSON that holds the code, columns in UTF-16 code
//! units, and the same bytes the JSON output names.

use serde_json::Value;

use crate::support::{
    fingerprint, has_ext, imds_lint, offset, region, repo, results, sarif, uri, write,
};

/// The sample workspace's SARIF results with the stored text of each file.
fn workspace() -> Vec<(Value, String)> {
    let (log, _) = sarif(&repo(), &["fixtures/workspace"]);
    results(&log)
        .iter()
        .map(|r| {
            let text = std::fs::read_to_string(repo().join(uri(r))).unwrap();
            (r.clone(), text)
        })
        .collect()
}

#[test]
fn regions_cover_the_bytes_the_json_output_names() {
    let json = imds_lint(&repo(), &["--output-format", "json", "fixtures/workspace"]).json();
    let json = json.as_array().unwrap();
    let sarif = workspace();
    assert_eq!(sarif.len(), json.len());

    for ((result, text), finding) in sarif.iter().zip(json) {
        assert_eq!(finding["path"].as_str().unwrap(), uri(result));
        let (line, column, end_line, end_column) = region(result);
        let start = offset(text, line, column);
        let end = offset(text, end_line, end_column);
        assert_eq!(
            (start as u64, end as u64),
            (
                finding["offset"].as_u64().unwrap(),
                finding["end_offset"].as_u64().unwrap()
            ),
            "{result}"
        );
    }
}

#[test]
fn notebook_regions_sit_on_the_json_line_holding_the_code() {
    let notebooks: Vec<(Value, String)> = workspace()
        .into_iter()
        .filter(|(r, _)| has_ext(uri(r), "ipynb"))
        .collect();
    assert!(notebooks.len() >= 5, "the workspace has notebook findings");

    for (result, text) in &notebooks {
        // What the notebook holds at the finding, read independently: the
        // cell's source, its line, from its column.
        let notebook: Value = serde_json::from_str(text).unwrap();
        let props = &result["properties"];
        let cell = props["notebookCell"].as_u64().unwrap() as usize;
        let cell_line = props["notebookCellLine"].as_u64().unwrap() as usize;
        let cell_column = props["notebookCellColumn"].as_u64().unwrap() as usize;
        let source = match &notebook["cells"][cell - 1]["source"] {
            Value::String(s) => s.clone(),
            Value::Array(lines) => lines.iter().map(|l| l.as_str().unwrap()).collect(),
            other => panic!("cell source {other}"),
        };
        let code_line = source.lines().nth(cell_line - 1).unwrap();
        let code: String = code_line.chars().skip(cell_column - 1).collect();

        // What the stored file holds at the region: the rest of that JSON
        // string, decoded.
        let (line, column, ..) = region(result);
        let start = offset(text, line, column);
        let stored = decode_json_string_from(&text[start..]);
        assert!(
            stored.starts_with(&code),
            "{}:{line}:{column}: stored {stored:?} does not start with the cell's {code:?}",
            uri(result)
        );
        let json_line = text.lines().nth(line - 1).unwrap();
        let word = code
            .split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .find(|word| !word.is_empty())
            .unwrap();
        assert!(json_line.contains(word), "{word:?} in {json_line}");
    }
}

/// The text of a JSON string from the middle of its literal in `rest` to
/// its closing quote, escapes decoded.
fn decode_json_string_from(rest: &str) -> String {
    let mut end = 0;
    let mut escaped = false;
    for (at, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => {
                end = at;
                break;
            }
            _ => {}
        }
    }
    serde_json::from_str(&format!("\"{}\"", &rest[..end])).unwrap()
}

#[test]
fn columns_count_utf16_code_units() {
    let dir = tempfile::tempdir().unwrap();
    // `é` is one UTF-16 unit, the rocket two: `curl` starts at character
    // 12 but UTF-16 column 13.
    write(
        dir.path(),
        "init.sh",
        "#!/bin/sh\necho 'é🚀'; curl http://169.254.169.254/latest/meta-data/\n",
    );
    let (log, _) = sarif(dir.path(), &["."]);
    let result = &results(&log)[0];
    let (line, column, end_line, end_column) = region(result);
    assert_eq!((line, column), (2, 13));
    assert_eq!(end_line, 2);
    let text = std::fs::read_to_string(dir.path().join("init.sh")).unwrap();
    let start = offset(&text, line, column);
    let end = offset(&text, end_line, end_column);
    assert_eq!(
        &text[start..end],
        "curl http://169.254.169.254/latest/meta-data/"
    );
    assert!(!fingerprint(result).is_empty());
}

#[test]
fn fixes_apply_to_the_stored_notebook_as_the_rewriter_would() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "region.ipynb", NOTEBOOK);
    let (log, _) = sarif(dir.path(), &["."]);
    let result = &results(&log)[0];
    let text = std::fs::read_to_string(dir.path().join("region.ipynb")).unwrap();

    // Apply the SARIF fix by hand, last replacement first.
    let change = &result["fixes"][0]["artifactChanges"][0];
    assert_eq!(change["artifactLocation"]["uri"], "region.ipynb");
    let mut fixed = text.clone();
    let mut replacements: Vec<&Value> = change["replacements"].as_array().unwrap().iter().collect();
    replacements.reverse();
    for replacement in replacements {
        let deleted = &replacement["deletedRegion"];
        let at = |line: &str, column: &str| {
            offset(
                &text,
                deleted[line].as_u64().unwrap() as usize,
                deleted[column].as_u64().unwrap() as usize,
            )
        };
        let (start, end) = (at("startLine", "startColumn"), at("endLine", "endColumn"));
        let inserted = replacement["insertedContent"]["text"]
            .as_str()
            .unwrap_or("");
        fixed.replace_range(start..end, inserted);
    }

    // The same bytes `--fix` writes.
    let run = imds_lint(dir.path(), &["--fix", "--quiet", "region.ipynb"]);
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    let rewritten = std::fs::read_to_string(dir.path().join("region.ipynb")).unwrap();
    assert_ne!(rewritten, text, "the fix changed the notebook");
    assert_eq!(fixed, rewritten);
    serde_json::from_str::<Value>(&fixed).unwrap();
}

/// A notebook whose code cell fetches the region with IMDSv1 from Python.
const NOTEBOOK: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": ["# Region \"check\"\n"]
  },
  {
   "cell_type": "code",
   "execution_count": null,
   "metadata": {},
   "outputs": [],
   "source": [
    "import requests\n",
    "region = requests.get(\"http://169.254.169.254/latest/meta-data/placement/region\").text\n",
    "print(region)\n"
   ]
  }
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;
