//! End-to-end tests of the Python analyser through [`crate::check`].

#![allow(clippy::unwrap_used)]

mod bindings;
mod clients;
mod fix_class_bodies;
mod fix_endpoints;
mod fix_paths;
mod fix_quotes;
mod fixes;
mod flow;
mod ipython;
mod mutations;
mod negatives;
mod requests;
mod returns;
mod shapes;
mod shell;
mod token_requests;
mod token_reuse;
mod values;

use imds_lint_parser::{Cell, Lang, Origin};

use crate::{check, Finding, Settings};

/// The metadata service's base, for building test code.
pub(super) const MD: &str = "http://169.254.169.254/latest/meta-data/";

/// Findings for a plain Python file.
pub(super) fn findings(code: &str) -> (Vec<Cell>, Vec<Finding>) {
    check(
        vec![Cell::whole_file(Lang::Python, code)],
        &Settings::default(),
    )
}

/// Findings for notebook cells of Python, in order.
pub(super) fn notebook(cells: &[&str]) -> (Vec<Cell>, Vec<Finding>) {
    let mut all = Vec::new();
    let mut offset = 0;
    for (i, code) in cells.iter().enumerate() {
        let mut cell = Cell::whole_file(Lang::Python, code);
        cell.map = imds_lint_parser::SpanMap::verbatim(offset, code.len());
        cell.origin = Origin::NotebookCell;
        cell.number = Some(i + 1);
        offset += code.len() + 1;
        all.push(cell);
    }
    check(all, &Settings::default())
}

/// Each finding as `CODE text-of-its-range`.
pub(super) fn shown(result: &(Vec<Cell>, Vec<Finding>)) -> Vec<String> {
    let (cells, findings) = result;
    findings
        .iter()
        .map(|f| format!("{} {}", f.rule.code(), &cells[f.cell].code[f.range.clone()]))
        .collect()
}

/// The findings of `code`, shown.
pub(super) fn found(code: &str) -> Vec<String> {
    shown(&findings(code))
}

/// Asserts that `code` has no finding.
#[track_caller]
pub(super) fn quiet(code: &str) {
    let got = found(code);
    assert!(got.is_empty(), "unexpected findings {got:?} in:\n{code}");
}

/// Asserts that `code` has exactly the findings whose ranges are `calls`,
/// all IMD001.
#[track_caller]
pub(super) fn flags(code: &str, calls: &[&str]) {
    let want: Vec<String> = calls.iter().map(|c| format!("IMD001 {c}")).collect();
    assert_eq!(found(code), want, "in:\n{code}");
}
