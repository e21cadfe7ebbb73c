//! Running the binary, validating SARIF against the schema, and reading
//! what a SARIF log says.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// A shell script with one IMDSv1 request on line 2.
pub const IMDSV1_SCRIPT: &str =
    "#!/bin/sh\ncurl -s http://169.254.169.254/latest/meta-data/instance-id\n";

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Standard output read as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", self.stdout))
    }
}

/// Runs `imds-lint ARGS` in `dir`.
pub fn imds_lint(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_imds-lint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `imds-lint --output-format sarif ARGS` in `dir`, checks that the
/// log validates, and returns it with the run.
pub fn sarif(dir: &Path, args: &[&str]) -> (Value, Run) {
    let mut all = vec!["--output-format", "sarif"];
    all.extend_from_slice(args);
    let run = imds_lint(dir, &all);
    let log = run.json();
    assert_valid(&log);
    (log, run)
}

/// The repository this test runs in.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `content` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// Panics with every schema violation in `log`.
pub fn assert_valid(log: &Value) {
    let errors = schema_errors(log);
    assert!(
        errors.is_empty(),
        "SARIF does not validate:\n{}",
        errors.join("\n")
    );
}

/// Where `log` breaks the SARIF schema, and how.
pub fn schema_errors(log: &Value) -> Vec<String> {
    validator()
        .iter_errors(log)
        .map(|err| format!("{}: {err}", err.instance_path()))
        .collect()
}

/// The SARIF 2.1.0 schema (draft-07), compiled once, with `format`
/// (`uri`, `uri-reference`, `date-time`) checked too.
fn validator() -> &'static jsonschema::Validator {
    static VALIDATOR: OnceLock<jsonschema::Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| {
        let path = schema_path();
        let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
            panic!(
                "cannot read the SARIF schema at {} ({err}); set IMDS_LINT_SARIF_SCHEMA \
                 to a copy of sarif-schema-2.1.0.json",
                path.display()
            )
        });
        // The schema's language-tag patterns end in a lone `]`: a literal
        // `]` to JavaScript's lenient regex syntax, an error to the crate's
        // strict check of the schema itself. Escaping it keeps the meaning;
        // imds-lint never writes a language tag anyway.
        let stray = r#"-[a-zA-Z]{2}]?$""#;
        assert!(text.contains(stray), "the schema changed; revisit");
        let text = text.replace(stray, r#"-[a-zA-Z]{2}\\]?$""#);
        let schema: Value = serde_json::from_str(&text).unwrap();
        jsonschema::draft7::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap()
    })
}

/// `IMDS_LINT_SARIF_SCHEMA`, or the team's copy beside the repository.
fn schema_path() -> PathBuf {
    std::env::var_os("IMDS_LINT_SARIF_SCHEMA").map_or_else(
        || repo().join("../shared/schemas/sarif-schema-2.1.0.json"),
        PathBuf::from,
    )
}

/// The results of the log's only run.
pub fn results(log: &Value) -> &Vec<Value> {
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    log["runs"][0]["results"].as_array().unwrap()
}

/// Whether `uri` names a file with extension `ext`.
pub fn has_ext(uri: &str, ext: &str) -> bool {
    Path::new(uri)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// A result's artifact URI.
pub fn uri(result: &Value) -> &str {
    result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
}

/// A result's region as (startLine, startColumn, endLine, endColumn).
pub fn region(result: &Value) -> (usize, usize, usize, usize) {
    let region = &result["locations"][0]["physicalLocation"]["region"];
    let get = |key: &str| usize::try_from(region[key].as_u64().unwrap()).unwrap();
    (
        get("startLine"),
        get("startColumn"),
        get("endLine"),
        get("endColumn"),
    )
}

/// A result's `imdsLint/v1` fingerprint.
pub fn fingerprint(result: &Value) -> &str {
    result["partialFingerprints"]["imdsLint/v1"]
        .as_str()
        .unwrap()
}

/// The byte offset in `text` of 1-based `line` and 1-based `column`
/// counted in UTF-16 code units, as SARIF counts them.
pub fn offset(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let mut units = 1;
    for (at, c) in text[line_start..].char_indices() {
        if units >= column {
            return line_start + at;
        }
        units += c.len_utf16();
    }
    text.len()
}
