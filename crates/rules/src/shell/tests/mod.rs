//! Shell analysis end to end: cells in, findings out, through
//! [`crate::check`] as the CLI calls it.

mod clients;
mod fixes;
mod nested;
mod placement;
mod python;
mod quiet;
mod shapes;
mod values;

use imds_lint_parser::{Cell, Interpolation, Lang, Origin};

use crate::{check, Env, Finding, Rule, Settings, Text};

#[test]
fn the_query_compiles() {
    assert!(super::query().is_some());
}

/// The findings for a shell script.
fn findings(code: &str) -> Vec<Finding> {
    check(
        vec![Cell::whole_file(Lang::Shell, code)],
        &Settings::default(),
    )
    .1
}

/// Checks one shell cell of the given origin, with `outer` visible, and
/// gives what `read` takes from the check.
fn check_one<R>(
    code: &str,
    origin: Origin,
    outer: &Env,
    read: impl FnOnce(crate::FileCheck) -> R,
) -> R {
    let mut cell = Cell::whole_file(Lang::Shell, code);
    cell.origin = origin;
    let settings = Settings::default();
    let mut file = crate::FileCheck {
        cells: vec![cell],
        findings: Vec::new(),
        settings: &settings,
        hidden: Vec::new(),
        whole: None,
        part_ranges: Vec::new(),
        syntax_errors: Vec::new(),
        refused: Vec::new(),
    };
    super::check_cell(&mut file, 0, outer);
    read(file)
}

/// The findings for a cell of the given origin, with `outer` visible.
fn findings_in(code: &str, origin: Origin, outer: &Env) -> Vec<Finding> {
    check_one(code, origin, outer, |file| file.findings)
}

/// Whether a cell of the given origin parses with errors, as the warning
/// about unparsed code decides it.
fn parses_with_errors(code: &str, origin: Origin) -> Option<bool> {
    check_one(code, origin, &Env::new(), |file| {
        file.syntax_errors.first().copied().flatten()
    })
}

/// The text each finding covers, with its rule.
fn reported(code: &str) -> Vec<(Rule, String)> {
    findings(code)
        .into_iter()
        .map(|f| (f.rule, code[f.range].to_owned()))
        .collect()
}

/// Asserts that `code` has exactly one IMD001, covering `command`.
#[track_caller]
fn assert_v1(code: &str, command: &str) {
    assert_eq!(
        reported(code),
        vec![(Rule::MetadataRequestWithoutToken, command.to_owned())],
        "in:\n{code}"
    );
}

/// Asserts that `code` has exactly one IMD001, covering all of `code`
/// but its trailing newline.
#[track_caller]
fn assert_v1_whole(code: &str) {
    assert_v1(code, code.trim_end());
}

/// Asserts that `code` has no finding.
#[track_caller]
fn assert_quiet(code: &str) {
    assert_eq!(reported(code), vec![], "in:\n{code}");
}

fn outer(pairs: &[(&str, &str)]) -> Env {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Text::lit(*v)))
        .collect()
}
