//! The `sarif` format: SARIF 2.1.0, as GitHub code scanning and other SARIF
//! viewers read it. The fields are documented in `docs/sarif.md`.
//!
//! Unlike the streaming formats, SARIF is one JSON document, written once
//! every file is checked: workers render each file's results (one JSON
//! object per line of the file's report text), and the [`Collector`]
//! gathers them, with the files that could not be checked, into one run.

mod fingerprint;
mod rules;
mod uri;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use imds_lint_parser::LineCol;
use serde_json::{json, Map, Value};

use super::escape;
use crate::check::Checked;
use crate::located::Located;
use uri::ArtifactLocation;

/// Code scanning rejects a run with more results than this.
pub const MAX_RESULTS: usize = 25_000;

/// The schema the document declares (code scanning's own examples use it).
const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// `automationDetails.id` when `--sarif-category` is not given.
const DEFAULT_CATEGORY: &str = "imds-lint/";

/// What every file's results share: where the repository is, and which
/// analysis the run belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The repository root (canonical): artifact URIs are relative to it.
    pub root: PathBuf,
    /// The folder relative paths are relative to.
    pub cwd: PathBuf,
    /// `automationDetails.id`: a category, then `/`.
    pub automation_id: String,
}

impl Options {
    /// Options for a run over `first_path` (the first PATH given): the root
    /// is its repository's top level, or the current folder outside any
    /// repository. `category` names the analysis (default `imds-lint`).
    pub fn new(first_path: &Path, category: Option<&str>) -> Self {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        let root = uri::source_root(first_path, &cwd);
        let mut automation_id = category.map_or(DEFAULT_CATEGORY, str::trim).to_owned();
        if !automation_id.ends_with('/') {
            automation_id.push('/');
        }
        Options {
            root,
            cwd,
            automation_id,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Options::new(Path::new("."), None)
    }
}

/// Appends one SARIF result object per finding of `checked`, one a line.
pub fn render(checked: &Checked, options: &Options, out: &mut String) {
    if checked.findings.is_empty() {
        return;
    }
    let location = uri::artifact_location(&checked.source.path, &options.root, &options.cwd);
    let mut fingerprints = fingerprint::Fingerprints::default();

    for located in &checked.findings {
        let stored = checked
            .source
            .text
            .get(located.range.clone())
            .unwrap_or_default();
        let print = fingerprints.next(located.rule, &location.uri, stored);
        let result = result(checked, located, &location, print);
        // Serializing values made of strings and numbers cannot fail.
        out.push_str(&serde_json::to_string(&result).unwrap_or_default());
        out.push('\n');
    }
}

/// One `result` object.
fn result(
    checked: &Checked,
    located: &Located,
    location: &ArtifactLocation,
    print: String,
) -> Value {
    let mut fingerprints = Map::new();
    fingerprints.insert(fingerprint::KEY.to_owned(), Value::String(print));

    let mut result = json!({
        "ruleId": located.rule.code(),
        "ruleIndex": rules::index(located.rule),
        "level": rules::level(located.rule),
        "message": { "text": message(located) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": location,
                "region": region(located.start, located.end),
            },
        }],
        "partialFingerprints": fingerprints,
    });
    if let Some(fix) = fix(checked, located, location) {
        result["fixes"] = json!([fix]);
    }
    if let Some(spot) = &located.cell {
        result["properties"] = json!({
            "notebookCell": spot.number,
            "notebookCellLine": spot.start.line,
            "notebookCellColumn": spot.start.column,
        });
    }
    result
}

/// The message: the finding's own first (code scanning shows the first
/// sentence where space is short), then the notebook cell, note, help and
/// fix, which code scanning shows nowhere else.
fn message(located: &Located) -> String {
    let mut text = located.message.clone();
    if let Some(spot) = &located.cell {
        let _ = write!(
            text,
            " (notebook cell {}, line {})",
            spot.number, spot.start.line
        );
    }
    if let Some(note) = &located.note {
        let _ = write!(text, "\n\nNote: {note}");
    }
    if let Some(help) = &located.help {
        let _ = write!(text, "\n\nHelp: {help}");
    }
    if let Some(fix) = &located.fix {
        let _ = write!(
            text,
            "\n\nFix ({}): {}",
            fix.applicability.name(),
            fix.message
        );
    }
    text
}

/// A text region; columns count UTF-16 code units (`run.columnKind`), and
/// the end is the position just after the last character.
fn region(start: LineCol, end: LineCol) -> Value {
    json!({
        "startLine": start.line,
        "startColumn": start.utf16_column,
        "endLine": end.line,
        "endColumn": end.utf16_column,
    })
}

/// The finding's fix as SARIF `fixes[0]`: its edits as replacements in the
/// file as stored, the new text as it is stored (JSON-escaped in a
/// notebook). None when the fix cannot be written into its container.
fn fix(checked: &Checked, located: &Located, location: &ArtifactLocation) -> Option<Value> {
    let summary = located.fix.as_ref()?;
    let edits = summary.edits.as_ref().filter(|edits| !edits.is_empty())?;
    let source = &checked.source;

    let replacements: Vec<Value> = edits
        .iter()
        .map(|edit| {
            let deleted = region(
                source.line_col(edit.range.start),
                source.line_col(edit.range.end),
            );
            if edit.content.is_empty() {
                json!({ "deletedRegion": deleted })
            } else {
                json!({ "deletedRegion": deleted, "insertedContent": { "text": edit.content } })
            }
        })
        .collect();
    Some(json!({
        "description": { "text": summary.message },
        "artifactChanges": [{ "artifactLocation": location, "replacements": replacements }],
        "properties": { "applicability": summary.applicability.name() },
    }))
}

/// The results and failures of a whole run, gathered in input order.
#[derive(Debug, Default)]
pub struct Collector {
    results: Vec<String>,
    failures: Vec<(PathBuf, String)>,
}

/// The finished document.
#[derive(Debug)]
pub struct Document {
    /// The SARIF log, serialized, ending with a line break.
    pub text: String,
    /// How many results were left out to stay within code scanning's cap.
    pub left_out: usize,
}

impl Collector {
    /// Adds one file's rendered results.
    pub fn add(&mut self, rendered: &str) {
        let lines = rendered.lines().filter(|line| !line.is_empty());
        self.results.extend(lines.map(str::to_owned));
    }

    /// Records an input that could not be checked, and why.
    pub fn failed(&mut self, path: &Path, why: &str) {
        self.failures.push((path.to_owned(), why.to_owned()));
    }

    /// The SARIF log of the run: one run, its results capped at
    /// [`MAX_RESULTS`].
    pub fn finish(self, options: &Options) -> Document {
        let total = self.results.len();
        let left_out = total.saturating_sub(MAX_RESULTS);
        let results: Vec<Value> = self
            .results
            .iter()
            .take(MAX_RESULTS)
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect();

        let mut notifications: Vec<Value> = self
            .failures
            .iter()
            .map(|(path, why)| {
                json!({
                    "level": "error",
                    "message": { "text": why },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation":
                                uri::artifact_location(path, &options.root, &options.cwd),
                        },
                    }],
                })
            })
            .collect();
        if left_out > 0 {
            notifications.push(json!({
                "level": "warning",
                "message": { "text": cap_warning(total) },
            }));
        }

        let log = json!({
            "$schema": SCHEMA,
            "version": "2.1.0",
            "runs": [{
                "tool": { "driver": driver() },
                "automationDetails": { "id": options.automation_id },
                "originalUriBaseIds": {
                    (uri::SRCROOT): { "uri": uri::file_uri(&options.root, true) },
                },
                "invocations": [{
                    "executionSuccessful": self.failures.is_empty(),
                    "toolExecutionNotifications": notifications,
                }],
                "columnKind": "utf16CodeUnits",
                "results": results,
            }],
        });
        // Serializing a `Value` cannot fail.
        let mut text = escape::json(serde_json::to_string_pretty(&log).unwrap_or_default());
        text.push('\n');
        Document { text, left_out }
    }
}

/// Why results are missing from the document.
pub fn cap_warning(total: usize) -> String {
    format!(
        "only the first {MAX_RESULTS} of {total} results are in the SARIF output: \
         GitHub code scanning rejects a run with more; check fewer files at a time"
    )
}

/// `tool.driver`: imds-lint and every rule it has.
fn driver() -> Value {
    json!({
        "name": "imds-lint",
        "version": env!("CARGO_PKG_VERSION"),
        "semanticVersion": env!("CARGO_PKG_VERSION"),
        "informationUri": rules::INFORMATION_URI,
        "rules": rules::descriptors(),
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::{checked_notebook, checked_shell};
    use super::*;

    fn options() -> Options {
        let cwd = std::env::current_dir().unwrap().canonicalize().unwrap();
        Options {
            root: cwd.clone(),
            cwd,
            automation_id: DEFAULT_CATEGORY.to_owned(),
        }
    }

    fn results(checked: &Checked) -> Vec<Value> {
        let mut out = String::new();
        render(checked, &options(), &mut out);
        out.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    fn document(collector: Collector) -> (Value, usize) {
        let document = collector.finish(&options());
        (
            serde_json::from_str(&document.text).unwrap(),
            document.left_out,
        )
    }

    #[test]
    fn result_of_a_plain_file() {
        let checked = checked_shell();
        let results = results(&checked);
        assert_eq!(results.len(), 1);
        let r = &results[0];

        assert_eq!(r["ruleId"], "IMD001");
        assert_eq!(r["ruleIndex"], 0);
        assert_eq!(r["level"], "error");
        let text = r["message"]["text"].as_str().unwrap();
        assert!(text.starts_with(&checked.findings[0].message), "{text}");
        assert!(
            text.contains("\n\nNote: this returns role credentials"),
            "{text}"
        );
        assert!(text.contains("Fix (safe): fetch a token"), "{text}");

        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "init.sh");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let region = &location["region"];
        assert_eq!(
            (region["startLine"].as_u64(), region["startColumn"].as_u64()),
            (Some(2), Some(8))
        );
        assert_eq!(
            (region["endLine"].as_u64(), region["endColumn"].as_u64()),
            (Some(2), Some(81))
        );
        assert!(r["partialFingerprints"][fingerprint::KEY].is_string());
        assert!(r.get("properties").is_none(), "no notebook cell");
    }

    #[test]
    fn fix_is_a_replacement_in_file_coordinates() {
        let checked = checked_shell();
        let r = &results(&checked)[0];
        let fix = &r["fixes"][0];
        assert_eq!(fix["description"]["text"], "fetch a token and send it");
        assert_eq!(fix["properties"]["applicability"], "safe");
        let change = &fix["artifactChanges"][0];
        assert_eq!(change["artifactLocation"]["uri"], "init.sh");
        let replacement = &change["replacements"][0];
        // The insertion sits where the request starts: an empty region.
        assert_eq!(
            replacement["deletedRegion"],
            json!({ "startLine": 2, "startColumn": 8, "endLine": 2, "endColumn": 8 })
        );
        assert_eq!(replacement["insertedContent"]["text"], "-H x ");
    }

    #[test]
    fn notebook_result_is_placed_in_the_json_file_and_names_the_cell() {
        let checked = checked_notebook();
        let r = &results(&checked)[0];
        let region = &r["locations"][0]["physicalLocation"]["region"];
        let line = region["startLine"].as_u64().unwrap() as usize;
        let stored = checked.source.text.lines().nth(line - 1).unwrap();
        assert!(stored.contains("curl http://169.254.169.254/"), "{stored}");
        let column = region["startColumn"].as_u64().unwrap() as usize;
        assert!(stored[column - 1..].starts_with("curl"), "{stored}");

        assert_eq!(r["properties"]["notebookCell"], 2);
        assert_eq!(r["properties"]["notebookCellLine"], 2);
        assert!(r["message"]["text"]
            .as_str()
            .unwrap()
            .contains("(notebook cell 2, line 2)"));
        assert!(r.get("fixes").is_none(), "the finding has no fix");
    }

    #[test]
    fn a_byte_order_mark_is_no_column() {
        // GitHub shows a file without its byte order mark: a request at the
        // start of line 1 is in column 1 there.
        let settings = imds_lint_rules::Settings::default();
        let cx = crate::check::Context {
            settings: &settings,
            config: None,
            max_file_size: u64::MAX,
            stdin: None,
            stdin_excluded: false,
        };
        let text = "\u{feff}curl http://169.254.169.254/latest/meta-data/\n";
        let outcome = crate::check::check_text(
            Path::new("bom.sh"),
            imds_lint_parser::FileKind::Shell,
            text.into(),
            &cx,
        );
        let crate::check::Outcome::Checked(checked) = outcome else {
            panic!("not checked: {outcome:?}");
        };
        let region = &results(&checked)[0]["locations"][0]["physicalLocation"]["region"];
        assert_eq!(
            (&region["startLine"], &region["startColumn"]),
            (&json!(1), &json!(1))
        );
    }

    #[test]
    fn columns_count_utf16_code_units() {
        let start = LineCol {
            line: 1,
            column: 3,
            utf16_column: 4,
        };
        let end = LineCol {
            line: 1,
            column: 5,
            utf16_column: 6,
        };
        assert_eq!(region(start, end)["startColumn"], 4);
        assert_eq!(region(start, end)["endColumn"], 6);
    }

    #[test]
    fn empty_run_is_a_whole_document() {
        let (log, left_out) = document(Collector::default());
        assert_eq!(left_out, 0);
        assert_eq!(log["version"], "2.1.0");
        let run = &log["runs"][0];
        assert_eq!(run["results"], json!([]));
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
        assert_eq!(
            run["invocations"][0]["toolExecutionNotifications"],
            json!([])
        );
        assert_eq!(run["tool"]["driver"]["name"], "imds-lint");
        assert_eq!(run["tool"]["driver"]["rules"].as_array().unwrap().len(), 3);
        assert_eq!(run["automationDetails"]["id"], "imds-lint/");
        let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
            .as_str()
            .unwrap();
        assert!(
            root.starts_with("file:///") && root.ends_with('/'),
            "{root}"
        );
    }

    #[test]
    fn failed_files_are_notifications_and_fail_the_execution() {
        let mut collector = Collector::default();
        collector.failed(Path::new("broken.ipynb"), "not valid JSON");
        let (log, _) = document(collector);
        let invocation = &log["runs"][0]["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        let note = &invocation["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "error");
        assert_eq!(note["message"]["text"], "not valid JSON");
        assert_eq!(
            note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "broken.ipynb"
        );
    }

    #[test]
    fn results_beyond_the_cap_are_left_out_with_a_notification() {
        let mut collector = Collector::default();
        // Small stand-ins keep the test quick; the collector does not look inside.
        for i in 0..=MAX_RESULTS {
            collector.add(&format!("{{\"ruleId\":\"IMD001\",\"n\":{i}}}\n"));
        }
        let (log, left_out) = document(collector);
        assert_eq!(left_out, 1);
        let run = &log["runs"][0];
        let results = run["results"].as_array().unwrap();
        assert_eq!(results.len(), MAX_RESULTS);
        assert_eq!(
            results[MAX_RESULTS - 1]["n"],
            MAX_RESULTS - 1,
            "the first ones are kept"
        );
        let note = &run["invocations"][0]["toolExecutionNotifications"][0];
        assert_eq!(note["level"], "warning");
        assert_eq!(note["message"]["text"], cap_warning(MAX_RESULTS + 1));
        assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    }

    #[test]
    fn the_emitter_writes_one_document_and_warns_about_the_cap() {
        use super::super::{Emitter, FileReport, OutputFormat, Paint, Reporter, Status};

        let reporter = Reporter {
            format: OutputFormat::Sarif,
            statistics: false,
            quiet: false,
            paint: Paint::PLAIN,
            error_paint: Paint::PLAIN,
            sarif: options(),
        };
        let report = |path: &str, status: Status, text: String| FileReport {
            path: path.into(),
            status,
            text,
            tally: Vec::new(),
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut emitter = Emitter::new(&reporter, &mut out, &mut err);
        emitter.start().unwrap();
        let many = "{\"ruleId\":\"IMD001\"}\n".repeat(MAX_RESULTS + 2);
        emitter
            .file(&report("a.sh", Status::Checked, many))
            .unwrap();
        let failed = Status::Failed("not JSON".into());
        emitter
            .file(&report("b.ipynb", failed, String::new()))
            .unwrap();
        emitter.finish().unwrap();
        drop(emitter);

        let log: Value = serde_json::from_slice(&out).unwrap();
        let run = &log["runs"][0];
        assert_eq!(run["results"].as_array().unwrap().len(), MAX_RESULTS);
        assert_eq!(run["invocations"][0]["executionSuccessful"], false);
        let notes = run["invocations"][0]["toolExecutionNotifications"]
            .as_array()
            .unwrap();
        assert_eq!(
            (notes[0]["level"].as_str(), notes[1]["level"].as_str()),
            (Some("error"), Some("warning"))
        );
        assert_eq!(
            String::from_utf8(err).unwrap(),
            format!(
                "error: b.ipynb: not JSON\nwarning: sarif: {}\n",
                cap_warning(MAX_RESULTS + 2)
            )
        );
    }

    #[test]
    fn category_names_the_analysis() {
        assert_eq!(
            Options::new(Path::new("."), None).automation_id,
            "imds-lint/"
        );
        assert_eq!(
            Options::new(Path::new("."), Some("imds-lint/jobs")).automation_id,
            "imds-lint/jobs/"
        );
    }
}
