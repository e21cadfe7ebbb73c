//! What the focus keeps, and that it changes no finding.
//!
//! The code here is text the analysers read; none of it is run, so no
//! request to the metadata address is ever made.

use imds_lint_parser::{split, FileKind, SourceFile};

use super::*;

fn cells_of(name: &str, text: &str) -> Vec<Cell> {
    let kind =
        FileKind::detect(std::path::Path::new(name), text.as_bytes()).unwrap_or(FileKind::Python);
    let source = SourceFile::from_bytes(std::path::Path::new(name), kind, text.into())
        .unwrap_or_else(|e| panic!("{e}"));
    split(&source).unwrap_or_else(|e| panic!("{e}"))
}

/// The statements of the first cell that are analysed, in code order.
fn kept(code: &str) -> Vec<String> {
    let cells = cells_of("m.py", code);
    let plan = plan(&cells);
    match &plan.cells[0] {
        Focus::Skip => Vec::new(),
        Focus::Whole => vec![code.to_owned()],
        Focus::Part(part) => chunks::split(&cells[0].code)
            .into_iter()
            .filter(|c| !part.code[c.range.clone()].trim().is_empty())
            .map(|c| code[c.range].trim_end().to_owned())
            .collect(),
    }
}

#[test]
fn unrelated_statements_are_left_out() {
    let code = "import requests\n\ndf = spark.table('t')\ndisplay(df)\n\nr = requests.get('http://169.254.169.254/latest/meta-data/')\nprint(r.text)\n";
    assert_eq!(
        kept(code),
        [
            "import requests",
            "r = requests.get('http://169.254.169.254/latest/meta-data/')",
            "print(r.text)",
        ]
    );
}

#[test]
fn names_flow_both_ways_and_through_chains() {
    let code = concat!(
        "H = {'X-aws-ec2-metadata-token': tok}\n",
        "unrelated = 1\n",
        "BASE = 'http://169.254.169.254'\n",
        "URL = BASE + '/latest/meta-data/'\n",
        "def fetch():\n    return requests.get(URL, headers=H)\n",
        "other = 2\n",
        "fetch()\n",
    );
    assert_eq!(
        kept(code),
        [
            "H = {'X-aws-ec2-metadata-token': tok}",
            "BASE = 'http://169.254.169.254'",
            "URL = BASE + '/latest/meta-data/'",
            "def fetch():\n    return requests.get(URL, headers=H)",
            "fetch()",
        ]
    );
}

#[test]
fn a_file_with_every_statement_related_is_whole() {
    let code = "import requests\nrequests.get('http://169.254.169.254/')\n";
    let cells = cells_of("m.py", code);
    assert_eq!(plan(&cells).cells[0], Focus::Whole);
}

#[test]
fn notebook_cells_without_a_link_are_skipped() {
    let export = concat!(
        "# Databricks notebook source\n",
        "MD = 'http://169.254.169.254/latest/meta-data/'\n\n",
        "# COMMAND ----------\n\n",
        "df = spark.range(10)\n\n",
        "# COMMAND ----------\n\n",
        "requests.get(MD + 'instance-id')\n\n",
        "# COMMAND ----------\n\n",
        "# MAGIC %sh\n# MAGIC echo hello\n\n",
        "# COMMAND ----------\n\n",
        "# MAGIC %sh\n# MAGIC curl http://169.254.169.254/latest/meta-data/\n",
    );
    let cells = cells_of("n.py", export);
    let plan = plan(&cells);
    let focus: Vec<&Focus> = plan.cells.iter().collect();
    assert_eq!(
        focus,
        [
            &Focus::Whole,
            &Focus::Skip,
            &Focus::Whole,
            &Focus::Skip,
            &Focus::Whole
        ]
    );
}

#[test]
fn bang_lines_share_python_names() {
    let nb = r#"{"cells": [
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["MD = 'http://169.254.169.254/latest/'\n"]},
  {"cell_type": "code", "metadata": {}, "outputs": [], "source": ["!curl {MD}meta-data/\n", "!echo hi\n"]}
 ], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}"#;
    let cells = cells_of("n.ipynb", nb);
    let plan = plan(&cells);
    let bangs: Vec<(&str, &Focus)> = cells
        .iter()
        .zip(&plan.cells)
        .filter(|(c, _)| c.origin == Origin::BangLine)
        .map(|(c, f)| (c.code.trim(), f))
        .collect();
    assert_eq!(
        bangs,
        [
            ("curl {MD}meta-data/", &Focus::Whole),
            ("echo hi", &Focus::Skip)
        ]
    );
}

#[test]
fn parts_keep_offsets_and_line_breaks() {
    let code = "a = 1\r\nimport requests\r\nrequests.get('http://169.254.169.254/')\r\nb = 'é'\r\n";
    let cells = cells_of("m.py", code);
    let Focus::Part(part) = &plan(&cells).cells[0] else {
        panic!("expected a part");
    };
    assert_eq!(part.code.len(), code.len());
    assert_eq!(
        part.code.matches("\r\n").count(),
        code.matches("\r\n").count()
    );
    assert!(part.code.starts_with("     \r\nimport requests"));
    // One stretch: the import and the request, side by side.
    assert_eq!(part.analysed.len(), 1);
    assert_eq!(part.analysed[0], 7..code.len() - "b = 'é'\r\n".len());
}

#[test]
fn hidden_names_are_found_by_prefix() {
    let code = "imds_token = vault.read()\nrequests.get('http://169.254.169.254/')\n";
    let cells = cells_of("m.py", code);
    let plan = plan(&cells);
    let code = |i: usize| cells.get(i).map(|c| c.code.as_str());
    let names = hidden_names(code, &plan.hidden, 0, Lang::Python, "imds_");
    assert_eq!(names, HashSet::from(["imds_token".to_owned()]));
}
