//! Checking one input: bytes, kind, cells, findings, each placed in the
//! file. A file that cannot be checked yields a reason, never a panic.

use std::panic::{self, AssertUnwindSafe};
use std::path::Path;
use std::sync::Arc;

use imds_lint_parser::{Cell, FileKind, SourceFile};
use imds_lint_rules::prefilter::{self, Look};
use imds_lint_rules::suppression::Suppressions;
use imds_lint_rules::{Finding, Settings};

use crate::config::Resolver;
use crate::inputs::{self, Input, InputSource};
use crate::located::{self, Located};
use crate::read;
use crate::suppress::{self, Note, NoteKind};

/// What checking needs besides the input.
#[derive(Debug)]
pub struct Context<'a> {
    /// Rule settings, where no configuration file applies.
    pub settings: &'a Settings,
    /// The configuration files in force, per folder (`None`: `settings`
    /// everywhere).
    pub config: Option<&'a Resolver>,
    /// Files larger than this many bytes are not read.
    pub max_file_size: u64,
    /// Standard input, read before checking began (if `-` was given).
    pub stdin: Option<&'a Result<Vec<u8>, read::Unread>>,
    /// Whether `--stdin-filename` names a path the excludes cover: then
    /// standard input is skipped, as a named path would be (and `--fix`
    /// passes it through unchanged).
    pub stdin_excluded: bool,
}

/// The outcome for one input.
#[derive(Debug)]
pub enum Outcome {
    /// Not a kind of file imds-lint reads.
    Skipped,
    /// Checked; the findings are in file order.
    Checked(Checked),
    /// Read, and found to hold nothing to report: no spelling of the
    /// service, no IMDSv1-only client, no suppression comment. Such a file
    /// is neither decoded nor parsed, whatever its encoding or syntax.
    Clean,
    /// Could not be checked, and why.
    Failed(String),
}

/// A checked file, with what reporters need to show its findings.
#[derive(Debug)]
pub struct Checked {
    /// The file as read.
    pub source: SourceFile,
    /// Its cells, nested ones included (snippets of notebook cells come
    /// from their code).
    pub cells: Vec<Cell>,
    /// The findings, placed.
    pub findings: Vec<Located>,
    /// Notes on the file's suppression comments (unused ignores, unknown
    /// codes) and on code that does not parse, in file order.
    pub notes: Vec<Note>,
    /// The cells (indexes into `cells`) whose code does not parse,
    /// mentions the service and got no finding: each has a warning in
    /// `notes`.
    pub unparsed: Vec<usize>,
}

impl Context<'_> {
    /// The rule settings for the file at `path`: those of the nearest
    /// configuration file, `per-file-ignores` applied. The run has
    /// reported bad configuration files before checking, so none fails
    /// here; if one did, `settings` would be used.
    pub fn settings_for(&self, path: &Path) -> Arc<Settings> {
        self.config
            .and_then(|config| config.settings_for(path).ok())
            .unwrap_or_else(|| Arc::new(self.settings.clone()))
    }
}

/// Checks one input. A panic in the analysis is caught and reported as
/// this file's failure, so one file cannot stop the run.
pub fn check_input(input: &Input, cx: &Context) -> Outcome {
    let run = || match &input.source {
        InputSource::Failed(why) => Outcome::Failed(why.clone()),
        InputSource::File { named } => check_file(&input.path, *named, cx),
        InputSource::Stdin { named } => check_stdin(&input.path, *named, cx),
    };
    panic::catch_unwind(AssertUnwindSafe(run)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Outcome::Failed(format!(
            "internal error, please report it: {}",
            what.lines().next().unwrap_or("panic")
        ))
    })
}

/// Whether a file's name says imds-lint never reads it, whatever it holds:
/// an extension other than those of the kinds it reads. Named on the
/// command line, such a file gets a warning; one without an extension, or
/// a `.sql` or `.r` file without the Databricks header, is passed over
/// without a word, as the pre-commit hooks pass every such file.
fn never_read(path: &Path) -> bool {
    let Some(extension) = path.extension().and_then(|e| e.to_str()) else {
        return false;
    };
    !["sql", "r"].contains(&extension.to_ascii_lowercase().as_str())
        && FileKind::detect(path, b"").is_none()
}

fn check_file(path: &Path, named: bool, cx: &Context) -> Outcome {
    let opened = match read::open(path, named) {
        Ok(opened) => opened,
        // A file whose name says nothing about its kind may be anything: its
        // being unreadable is no concern of ours unless it was named.
        Err(err) if named || inputs::kind_by_name(path) => {
            return Outcome::Failed(crate::reason::io(&err))
        }
        Err(err) => {
            log::debug!("{}: skipped, unreadable: {err}", path.display());
            return Outcome::Skipped;
        }
    };

    let Some(kind) = FileKind::detect(path, &opened.head) else {
        if named && never_read(path) {
            log::warn!(
                "{}: not checked: imds-lint reads notebooks, Databricks exports, and Python, \
                 shell and Scala files (docs/cli.md, \"Which files\")",
                crate::report::escape::line(&path.display().to_string())
            );
        } else {
            log::debug!(
                "{}: skipped, not a kind of file imds-lint reads",
                path.display()
            );
        }
        return Outcome::Skipped;
    };

    BUFFER.with_borrow_mut(|buffer| {
        if let Err(why) = opened.read_into(cx.max_file_size, buffer) {
            return Outcome::Failed(why);
        }
        let Some(service) = worth_reading(buffer) else {
            if buffer.capacity() > KEPT_BUFFER {
                *buffer = Vec::new();
            }
            return Outcome::Clean;
        };
        // The bytes become the file's text, uncopied; the next file read
        // on this thread gets a buffer of its own size.
        check_looked(
            path,
            kind,
            std::mem::take(buffer),
            &cx.settings_for(path),
            service,
        )
    })
}

thread_local! {
    /// The bytes of the file being read on this thread, kept for the next
    /// file when they are only searched and not too large.
    static BUFFER: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The largest buffer a thread keeps from one file to the next.
const KEPT_BUFFER: usize = 16 << 20;

/// Whether a file's bytes must be decoded and looked at, and if so whether
/// they may hold a request (`Some(true)`) or only suppression comments
/// (`Some(false)`). Bytes in an encoding that would hide both from a byte
/// search (UTF-16, recognised by its byte order mark or by NUL bytes near
/// the start, and JSON escapes of ASCII characters) are decoded too.
fn worth_reading(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(read::HEAD_LEN)];
    if head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
        || memchr::memchr(0, head).is_some()
    {
        return Some(true);
    }
    match prefilter::look(bytes) {
        Look::Service => Some(true),
        _ if escaped_in_json(bytes) => Some(true),
        Look::MarkerOnly => Some(false),
        Look::Nothing => None,
    }
}

/// Whether the bytes may hold a request: a needle, or for JSON (a
/// notebook) an escape that may spell one.
fn may_hold_request(bytes: &[u8]) -> bool {
    prefilter::worth_checking(bytes) || escaped_in_json(bytes)
}

/// Whether the bytes start as a JSON object does (after a byte order mark)
/// and hold a `\u` escape of a printable character, which may spell a
/// needle the bytes do not show.
fn escaped_in_json(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(read::HEAD_LEN)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    head.trim_ascii_start().starts_with(b"{") && prefilter::escapes_printable_ascii(bytes)
}

fn check_stdin(name: &Path, named: bool, cx: &Context) -> Outcome {
    let bytes = match cx.stdin {
        Some(Ok(bytes)) => bytes.clone(),
        Some(Err(unread)) => return Outcome::Failed(unread.why.clone()),
        None => return Outcome::Failed("standard input was not read".to_owned()),
    };
    // After reading: text that could not be read whole is still reported
    // (`--fix` passes it through), since it was not checked.
    if cx.stdin_excluded {
        return Outcome::Skipped;
    }
    match stdin_kind(name, named, &bytes) {
        // As for a file: bytes that cannot hold a request are not decoded.
        Some(kind) => match worth_reading(&bytes) {
            Some(service) => check_looked(name, kind, bytes, &cx.settings_for(name), service),
            None => Outcome::Clean,
        },
        None => Outcome::Failed(
            "cannot tell the kind of file from --stdin-filename; \
             use a name ending in .py, .ipynb, .sh, .bash, .scala or .sc \
             (.sql and .r for Databricks exports)"
                .to_owned(),
        ),
    }
}

/// Checks `bytes` held in memory as the file at `path` of `kind`: the way
/// `--fix` reads the text it made before writing it.
pub fn check_text(path: &Path, kind: FileKind, bytes: Vec<u8>, cx: &Context) -> Outcome {
    check_bytes(path, kind, bytes, &cx.settings_for(path))
}

/// The kind of standard input: from `--stdin-filename` when given; else a
/// shebang decides, and Python is assumed (the language most notebooks
/// and scripts this tool reads are in).
fn stdin_kind(name: &Path, named: bool, bytes: &[u8]) -> Option<FileKind> {
    let head = &bytes[..bytes.len().min(512)];
    if named {
        return FileKind::detect(name, head);
    }
    // Unnamed: a notebook or an export as `databricks workspace export`
    // gives it, else a shell script by its shebang, else Python.
    FileKind::from_content(head)
        .or_else(|| FileKind::detect(name, head))
        .or(Some(FileKind::Python))
}

/// Reads bytes of a known kind into cells and checks them.
fn check_bytes(path: &Path, kind: FileKind, bytes: Vec<u8>, settings: &Settings) -> Outcome {
    let service = may_hold_request(&bytes);
    check_looked(path, kind, bytes, settings, service)
}

/// [`check_bytes`] once the prefilter has said whether the bytes may hold
/// a request (`service`).
fn check_looked(
    path: &Path,
    kind: FileKind,
    bytes: Vec<u8>,
    settings: &Settings,
    service: bool,
) -> Outcome {
    // An empty file holds no request; a zero-byte notebook is not worth an
    // error either.
    let empty = bytes.is_empty();
    let source = match SourceFile::from_bytes(path, kind, bytes) {
        Ok(source) => source,
        Err(err) => return Outcome::Failed(err.to_string()),
    };
    if empty {
        return Outcome::Checked(Checked {
            source,
            cells: Vec::new(),
            findings: Vec::new(),
            notes: Vec::new(),
            unparsed: Vec::new(),
        });
    }
    // A notebook's suppression comments are in its code cells: it is split
    // before they are read.
    let cells = if service || Suppressions::need_cells(&source) {
        match imds_lint_parser::split(&source) {
            Ok(cells) => cells,
            Err(err) if service => return Outcome::Failed(err.to_string()),
            // A notebook that cannot hold a request is not worth an error
            // (see below); its comments have nothing to silence.
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    let suppressions = Suppressions::read(&source, &cells);
    if suppressions.skip_file {
        log::debug!("{}: skipped, imds-lint: skip-file", path.display());
        return Outcome::Skipped;
    }

    // Most files never mention the service: they are not parsed at all
    // (a broken notebook among them is not reported: it cannot hold a
    // request, and reading every notebook's JSON would cost more than the
    // rest of the run).
    if !service {
        // Nothing to silence: every ignore comment here is unused.
        let (_, notes) = suppress::apply(&source, &[], Vec::new(), &suppressions, settings);
        return Outcome::Checked(Checked {
            source,
            cells: Vec::new(),
            findings: Vec::new(),
            notes,
            unparsed: Vec::new(),
        });
    }

    let imds_lint_rules::Refusing {
        cells,
        findings,
        refused,
        unparsed,
    } = imds_lint_rules::check_refusing(cells, settings);
    // A cell too big to parse or nested too deeply may hold requests that
    // are not reported: the file is an error, as one that cannot be read.
    if let Some(first) = refused.first() {
        let mut why = match cells[first.cell].number {
            Some(number) => format!("cell {number}: {}", first.why),
            None => first.why.clone(),
        };
        let mut others: Vec<usize> = refused[1..]
            .iter()
            .filter_map(|r| cells[r.cell].number)
            .filter(|&n| Some(n) != cells[first.cell].number)
            .collect();
        others.dedup();
        if !others.is_empty() {
            let list: Vec<String> = others.iter().map(ToString::to_string).collect();
            why = format!("{why}; not analysed either: cell {}", list.join(", "));
        }
        return Outcome::Failed(why);
    }
    let mut checked = report_findings(source, cells, findings, &suppressions, settings);
    warn_of_unparsed_code(&mut checked, unparsed);
    Outcome::Checked(checked)
}

/// A warning at the start of each cell whose code does not parse, that
/// mentions the service and got no finding: what the parser skipped to
/// recover may hold a request.
fn warn_of_unparsed_code(checked: &mut Checked, unparsed: Vec<usize>) {
    for &cell in &unparsed {
        let Some(code) = checked.cells.get(cell) else {
            continue;
        };
        // A notebook's place is a place in its JSON: the cell's number
        // says which code it is.
        let which = code
            .number
            .map(|n| format!("cell {n}: "))
            .unwrap_or_default();
        let place = checked.source.line_col(code.map.file_start(0));
        checked.notes.push(Note {
            kind: NoteKind::Warning,
            line: place.line,
            column: place.column,
            message: format!(
                "{which}this code does not parse and mentions the metadata service, but no \
                 request was found in it: one after the syntax error may be missed"
            ),
        });
    }
    checked.notes.sort_by_key(|note| (note.line, note.column));
    checked.unparsed = unparsed;
}

/// Gives `fixed`, the text `old` became by fixing, the warnings of `old`'s
/// code that does not parse. A fix never edits such code (none is planned
/// there), so each such cell is in `fixed` unchanged, maybe moved: the
/// cell of the same notebook cell, language, kind and code. Its place is
/// then the new one.
pub fn carry_unparsed(old: &Checked, fixed: &mut Checked) {
    let same = |a: &Cell, b: &Cell| {
        a.number == b.number
            && a.lang == b.lang
            && std::mem::discriminant(&a.origin) == std::mem::discriminant(&b.origin)
            && a.code == b.code
    };
    let mut carried: Vec<usize> = Vec::new();
    for &index in &old.unparsed {
        let cell = &old.cells[index];
        let found = (0..fixed.cells.len())
            .find(|&new| !carried.contains(&new) && same(cell, &fixed.cells[new]));
        carried.extend(found);
    }
    carried.sort_unstable();
    warn_of_unparsed_code(fixed, carried);
}

/// A file checked by the rules, as `--fix` has it after reading its fixed
/// text again: its findings filtered by the settings and the file's
/// suppression comments, and placed.
pub fn checked(
    source: SourceFile,
    cells: Vec<Cell>,
    findings: Vec<Finding>,
    cx: &Context,
) -> Checked {
    let suppressions = Suppressions::read(&source, &cells);
    let settings = cx.settings_for(&source.path);
    report_findings(source, cells, findings, &suppressions, &settings)
}

fn report_findings(
    source: SourceFile,
    cells: Vec<Cell>,
    findings: Vec<Finding>,
    suppressions: &Suppressions,
    settings: &Settings,
) -> Checked {
    let findings = findings
        .into_iter()
        .filter(|finding| settings.enabled(finding.rule))
        .collect();
    let (findings, notes) = suppress::apply(&source, &cells, findings, suppressions, settings);
    let findings = located::locate_all(&source, &cells, findings);
    Checked {
        source,
        cells,
        findings,
        notes,
        unparsed: Vec::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn cx(settings: &Settings) -> Context<'_> {
        Context {
            settings,
            config: None,
            max_file_size: 1 << 20,
            stdin: None,
            stdin_excluded: false,
        }
    }

    fn file_input(path: PathBuf, named: bool) -> Input {
        Input {
            path,
            source: InputSource::File { named },
        }
    }

    fn failure(outcome: Outcome) -> String {
        match outcome {
            Outcome::Failed(why) => why,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn files_of_no_kind_are_skipped_even_when_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notes.txt");
        std::fs::write(&path, "curl http://169.254.169.254/\n").unwrap();
        let settings = Settings::default();
        let outcome = check_input(&file_input(path, true), &cx(&settings));
        assert!(matches!(outcome, Outcome::Skipped), "{outcome:?}");
    }

    #[test]
    fn empty_files_are_checked_without_error() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::default();
        for name in ["empty.py", "empty.sh", "empty.ipynb"] {
            let path = dir.path().join(name);
            std::fs::write(&path, "").unwrap();
            let outcome = check_input(&file_input(path, false), &cx(&settings));
            assert!(matches!(&outcome, Outcome::Clean), "{name}: {outcome:?}");
        }
    }

    #[test]
    fn bad_bytes_fail_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::default();
        let cases: [(&str, &[u8], &str); 4] = [
            ("bin.py", b"import x\0\x01", "binary"),
            ("latin1.py", b"caf\xe9 = '169.254.169.254'\n", "UTF-8"),
            ("wide.sh", b"\xff\xfec\0u\0", "UTF-16"),
            ("wide-no-bom.sh", b"c\0u\0r\0l\0", "binary"),
        ];
        for (name, bytes, expected) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let why = failure(check_input(&file_input(path, false), &cx(&settings)));
            assert!(why.contains(expected), "{name}: {why}");
        }
    }

    #[test]
    fn bytes_that_cannot_hold_a_request_are_not_decoded() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::default();
        let cases: [(&str, &[u8]); 3] = [
            ("latin1.py", b"caf\xe9 = 1\n"),
            (
                "late-nul.sh",
                &[b"echo hi\n".repeat(100).as_slice(), b"\0"].concat(),
            ),
            ("broken.ipynb", b"{\"cells\": [ {\"source\": \"x = 1\""),
        ];
        for (name, bytes) in cases {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).unwrap();
            let outcome = check_input(&file_input(path, false), &cx(&settings));
            assert!(matches!(outcome, Outcome::Clean), "{name}: {outcome:?}");
        }
        // A suppression comment is reason enough to read a file.
        let path = dir.path().join("ignored.py");
        std::fs::write(&path, "x = 1  # imds-lint: ignore\n").unwrap();
        let outcome = check_input(&file_input(path, false), &cx(&settings));
        assert!(matches!(outcome, Outcome::Checked(_)), "{outcome:?}");
    }

    #[test]
    fn missing_named_file_fails_but_unnamed_unknown_one_is_skipped() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings::default();
        let why = failure(check_input(
            &file_input(dir.path().join("gone.txt"), true),
            &cx(&settings),
        ));
        assert_eq!(why, "no such file or directory");
        let outcome = check_input(
            &file_input(dir.path().join("gone.txt"), false),
            &cx(&settings),
        );
        assert!(matches!(outcome, Outcome::Skipped));
        let outcome = check_input(
            &file_input(dir.path().join("gone.sh"), false),
            &cx(&settings),
        );
        assert!(matches!(outcome, Outcome::Failed(_)));
    }

    #[test]
    fn stdin_kind_comes_from_the_name_then_the_shebang_then_python() {
        let sh = b"#!/bin/bash\ncurl x\n";
        assert_eq!(
            stdin_kind(Path::new("init.sh"), true, b"x"),
            Some(FileKind::Shell)
        );
        assert_eq!(stdin_kind(Path::new("-"), false, sh), Some(FileKind::Shell));
        assert_eq!(
            stdin_kind(Path::new("-"), false, b"print(1)"),
            Some(FileKind::Python)
        );
        assert_eq!(stdin_kind(Path::new("notes.txt"), true, b"x"), None);
    }

    #[test]
    fn unnamed_stdin_holding_a_notebook_or_an_export_is_read_as_one() {
        use imds_lint_parser::Lang;
        // Regression (fresh tester): `databricks workspace export ... |
        // imds-lint -` read a notebook's JSON as Python, and an export's
        // `%sh` cells as Python, and said the input was clean.
        let unnamed = |bytes: &[u8]| stdin_kind(Path::new("-"), false, bytes);
        assert_eq!(
            unnamed(b"\n  {\"cells\": [], \"nbformat\": 4}"),
            Some(FileKind::Jupyter)
        );
        assert_eq!(
            unnamed(b"\xEF\xBB\xBF{\"cells\": []}"),
            Some(FileKind::Jupyter)
        );
        assert_eq!(
            unnamed(b"# Databricks notebook source\nprint(1)\n"),
            Some(FileKind::Databricks(Lang::Python))
        );
        assert_eq!(
            unnamed(b"// Databricks notebook source\nval x = 1\n"),
            Some(FileKind::Databricks(Lang::Scala))
        );
        assert_eq!(
            unnamed(b"-- Databricks notebook source\nSELECT 1\n"),
            Some(FileKind::Databricks(Lang::Sql))
        );
        // A name still decides.
        assert_eq!(
            stdin_kind(Path::new("a.sh"), true, b"{\"cells\": []}"),
            Some(FileKind::Shell)
        );
    }

    #[test]
    fn excluded_stdin_is_skipped_unless_it_could_not_be_read() {
        let settings = Settings::default();
        let stdin = Input {
            path: PathBuf::from("venv/x.sh"),
            source: InputSource::Stdin { named: true },
        };
        let read: Result<Vec<u8>, read::Unread> = Ok(b"curl http://169.254.169.254/\n".to_vec());
        let excluded = Context {
            stdin: Some(&read),
            stdin_excluded: true,
            ..cx(&settings)
        };
        assert!(matches!(check_input(&stdin, &excluded), Outcome::Skipped));

        let unread: Result<Vec<u8>, read::Unread> = Err(read::Unread {
            why: "input too large".to_owned(),
            head: Vec::new(),
        });
        let excluded = Context {
            stdin: Some(&unread),
            stdin_excluded: true,
            ..cx(&settings)
        };
        assert!(matches!(check_input(&stdin, &excluded), Outcome::Failed(_)));
    }

    #[test]
    fn stdin_bytes_are_checked_under_their_name() {
        let settings = Settings::default();
        // Text that cannot hold a request is clean unread, as a file's is.
        let bytes: Result<Vec<u8>, read::Unread> = Ok(b"echo 169.254.169.254\n".to_vec());
        let context = Context {
            stdin: Some(&bytes),
            ..cx(&settings)
        };
        let input = Input {
            path: PathBuf::from("job.sh"),
            source: InputSource::Stdin { named: true },
        };
        match check_input(&input, &context) {
            Outcome::Checked(checked) => {
                assert_eq!(checked.source.kind, FileKind::Shell);
                assert_eq!(checked.source.path, PathBuf::from("job.sh"));
            }
            other => panic!("{other:?}"),
        }
    }
}
