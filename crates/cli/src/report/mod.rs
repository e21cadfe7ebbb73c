//! Output: one enum of formats behind one reporter. Workers render each
//! file's findings to text; the [`Emitter`] writes those texts in order,
//! file errors to standard error, and the closing summary.
//!
//! Adding a format is one file here with a `render` function, a variant of
//! [`OutputFormat`] and an arm in [`Reporter::report`].

mod concise;
pub(crate) mod escape;
mod full;
mod github;
mod json;
mod json_lines;
mod paint;
mod sarif;
pub(crate) mod summary;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use imds_lint_parser::Applicability;
use imds_lint_rules::Rule;

use crate::check::Outcome;
use crate::located::Located;
pub use paint::Paint;
pub use sarif::Options as SarifOptions;
pub use summary::Totals;

/// The output formats of `--output-format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Compiler-style diagnostics with the code around each finding.
    Full,
    /// One line per finding: `path:line:col: CODE message`.
    Concise,
    /// One JSON array of finding objects.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// SARIF 2.1.0 for GitHub code scanning: one document, written at the end.
    Sarif,
}

impl OutputFormat {
    /// Whether the output is for programs, with no summary line.
    pub fn is_machine_readable(self) -> bool {
        matches!(
            self,
            OutputFormat::Json | OutputFormat::JsonLines | OutputFormat::Sarif
        )
    }
}

/// Turns outcomes into text, the same way on every thread.
#[derive(Debug, Clone)]
pub struct Reporter {
    /// The format.
    pub format: OutputFormat,
    /// Print per-rule counts instead of findings.
    pub statistics: bool,
    /// No summary line.
    pub quiet: bool,
    /// Colors on standard output.
    pub paint: Paint,
    /// Colors on standard error.
    pub error_paint: Paint,
    /// Where the repository is and which analysis a SARIF run belongs to.
    pub sarif: SarifOptions,
}

/// One input's outcome, rendered: what the emitter writes and counts.
#[derive(Debug)]
pub struct FileReport {
    /// The input's path.
    pub path: PathBuf,
    /// Whether it was checked, skipped or failed.
    pub status: Status,
    /// Its findings, rendered in the format (empty under `--statistics`).
    pub text: String,
    /// Each finding's rule and the kind of fix it offers, if any.
    pub tally: Vec<(Rule, Option<Applicability>)>,
}

/// What became of an input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// Not a kind of file imds-lint reads.
    Skipped,
    /// Read and checked.
    Checked,
    /// Could not be checked, and why.
    Failed(String),
}

impl Reporter {
    /// Renders the outcome for the input at `path`; the file's text is
    /// dropped here, once its findings are rendered.
    pub fn report(&self, path: &Path, outcome: Outcome) -> FileReport {
        let checked = match outcome {
            Outcome::Skipped => return FileReport::empty(path, Status::Skipped),
            Outcome::Clean => return FileReport::empty(path, Status::Checked),
            Outcome::Failed(why) => return FileReport::empty(path, Status::Failed(why)),
            Outcome::Checked(checked) => checked,
        };

        let mut text = String::new();
        // SARIF is a document for code scanning, never replaced by counts.
        if self.format == OutputFormat::Sarif {
            sarif::render(&checked, &self.sarif, &mut text);
        } else if !self.statistics {
            match self.format {
                OutputFormat::Full => full::render(&checked, self.paint, &mut text),
                OutputFormat::Concise => concise::render(&checked, self.paint, &mut text),
                OutputFormat::Json => json::render(&checked, &mut text),
                OutputFormat::JsonLines => json_lines::render(&checked, &mut text),
                OutputFormat::Github => github::render(&checked, &mut text),
                OutputFormat::Sarif => {}
            }
        }
        FileReport {
            path: path.to_owned(),
            status: Status::Checked,
            text,
            tally: checked
                .findings
                .iter()
                .map(|f| (f.rule, f.fix.as_ref().map(|fix| fix.applicability)))
                .collect(),
        }
    }
}

impl FileReport {
    fn empty(path: &Path, status: Status) -> Self {
        FileReport {
            path: path.to_owned(),
            status,
            text: String::new(),
            tally: Vec::new(),
        }
    }
}

/// Writes rendered reports in order, and what frames them.
pub struct Emitter<'w> {
    reporter: &'w Reporter,
    stdout: &'w mut dyn Write,
    stderr: &'w mut dyn Write,
    wrote_findings: bool,
    totals: Totals,
    /// SARIF is written whole at the end: results gathered until then.
    sarif: Option<sarif::Collector>,
}

impl<'w> Emitter<'w> {
    /// An emitter writing findings to `stdout` and file errors to `stderr`.
    pub fn new(
        reporter: &'w Reporter,
        stdout: &'w mut dyn Write,
        stderr: &'w mut dyn Write,
    ) -> Self {
        Emitter {
            reporter,
            stdout,
            stderr,
            wrote_findings: false,
            totals: Totals::default(),
            sarif: (reporter.format == OutputFormat::Sarif).then(sarif::Collector::default),
        }
    }

    /// Writes what comes before the first file.
    pub fn start(&mut self) -> io::Result<()> {
        if self.writes_json_array() {
            self.stdout.write_all(json::OPEN.as_bytes())?;
        }
        Ok(())
    }

    /// Writes one input's report. Only errors writing standard output are
    /// returned; standard error that cannot be written is given up on.
    pub fn file(&mut self, report: &FileReport) -> io::Result<()> {
        match &report.status {
            Status::Skipped => return Ok(()),
            Status::Failed(why) => {
                self.totals.failed += 1;
                self.error(&report.path.display().to_string(), why)?;
                if let Some(sarif) = &mut self.sarif {
                    sarif.failed(&report.path, why);
                }
                return Ok(());
            }
            Status::Checked => self.totals.checked += 1,
        }

        if !report.tally.is_empty() {
            self.totals.with_findings += 1;
        }
        for (rule, fix) in &report.tally {
            let entry = self.totals.by_rule.entry(*rule).or_default();
            entry.0 += 1;
            entry.1 += usize::from(fix.is_some());
            match fix {
                Some(Applicability::Safe) => self.totals.safe_fixes += 1,
                Some(Applicability::Unsafe) => self.totals.unsafe_fixes += 1,
                Some(Applicability::DisplayOnly) | None => {}
            }
        }

        if let Some(sarif) = &mut self.sarif {
            sarif.add(&report.text);
            return Ok(());
        }
        if report.text.is_empty() {
            return Ok(());
        }
        if self.writes_json_array() {
            let joint = if self.wrote_findings {
                json::BETWEEN
            } else {
                json::FIRST
            };
            self.stdout.write_all(joint.as_bytes())?;
        }
        self.wrote_findings = true;
        self.stdout.write_all(report.text.as_bytes())
    }

    /// Writes `error: <what>: <why>` on standard error, after what standard
    /// output holds so far, so that a terminal shows both in order.
    pub fn error(&mut self, what: &str, why: &str) -> io::Result<()> {
        self.stdout.flush()?;
        let paint = self.reporter.error_paint;
        let _ = writeln!(
            self.stderr,
            "{} {}: {}",
            paint.red("error:"),
            escape::line(what),
            escape::line(why)
        );
        Ok(())
    }

    /// Writes `warning: <what>: <why>` on standard error, in order with
    /// standard output, like [`Emitter::error`]; counts nothing.
    pub fn warning(&mut self, what: &str, why: &str) -> io::Result<()> {
        self.stdout.flush()?;
        let paint = self.reporter.error_paint;
        let _ = writeln!(
            self.stderr,
            "{} {}: {}",
            paint.yellow("warning:"),
            escape::line(what),
            escape::line(why)
        );
        Ok(())
    }

    /// Writes the finding-like line of an unused suppression comment,
    /// which no output format holds, on standard error, in order with
    /// standard output; counts it.
    pub fn unused_ignore(&mut self, line: &str) -> io::Result<()> {
        self.totals.unused_ignores += 1;
        self.stdout.flush()?;
        let _ = writeln!(self.stderr, "{}", escape::line(line));
        Ok(())
    }

    /// The counts so far.
    pub fn totals(&self) -> &Totals {
        &self.totals
    }

    /// Writes what comes after the last file.
    pub fn finish(&mut self) -> io::Result<()> {
        let reporter = self.reporter;
        let machine = reporter.format.is_machine_readable();
        if let Some(collector) = self.sarif.take() {
            let document = collector.finish(&reporter.sarif);
            self.stdout.write_all(document.text.as_bytes())?;
            if document.left_out > 0 {
                let total = sarif::MAX_RESULTS + document.left_out;
                self.warning("sarif", &sarif::cap_warning(total))?;
            }
        }
        if self.writes_json_array() {
            let close = if self.wrote_findings {
                json::CLOSE
            } else {
                json::CLOSE_EMPTY
            };
            self.stdout.write_all(close.as_bytes())?;
        }
        if reporter.statistics && self.reporter.format != OutputFormat::Sarif {
            let stats = match self.reporter.format {
                OutputFormat::JsonLines => summary::statistics_json_lines(&self.totals),
                _ if machine => summary::statistics_json(&self.totals),
                _ => summary::statistics_text(&self.totals),
            };
            self.stdout.write_all(stats.as_bytes())?;
        }
        if !machine && !reporter.quiet {
            let line = summary::line(&self.totals, reporter.paint);
            writeln!(self.stdout, "{line}")?;
            if let Some(fixable) = summary::fixable(&self.totals, reporter.paint) {
                writeln!(self.stdout, "{fixable}")?;
            }
        }
        self.stdout.flush()
    }

    fn writes_json_array(&self) -> bool {
        self.reporter.format == OutputFormat::Json && !self.reporter.statistics
    }
}

/// `path:line:col`, or `path:cell N:line:col` with the line and column in
/// the cell for notebooks.
pub fn location(path: &Path, located: &Located) -> String {
    match &located.cell {
        Some(spot) => format!(
            "{}:cell {}:{}:{}",
            escape::line(&path.display().to_string()),
            spot.number,
            spot.start.line,
            spot.start.column
        ),
        None => format!(
            "{}:{}:{}",
            escape::line(&path.display().to_string()),
            located.start.line,
            located.start.column
        ),
    }
}

/// `cell N, line L` for notebook findings, as words.
fn location_in_cell(located: &Located) -> String {
    match &located.cell {
        Some(spot) => format!("cell {}, line {}", spot.number, spot.start.line),
        None => String::new(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    //! Checked files made by hand, so reporters are tested without the
    //! analysers.

    use std::path::Path;

    use imds_lint_parser::{
        Applicability, Cell, Edit, FileKind, Fix, Lang, Layer, Origin, SourceFile, SpanMapBuilder,
    };
    use imds_lint_rules::{Finding, Rule};

    use super::*;
    use crate::check::Checked;
    use crate::located::locate;

    const MESSAGE: &str =
        "IMDSv1 request without a session token: curl /latest/meta-data/iam/security-credentials/";

    pub fn checked_shell() -> Checked {
        let text = "#!/bin/sh\nROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)\necho \"$ROLE\"\n";
        let source =
            SourceFile::from_bytes(Path::new("init.sh"), FileKind::Shell, text.into()).unwrap();
        let cells = vec![Cell::whole_file(Lang::Shell, text)];
        let start = text.find("curl").unwrap();
        let end = text.find(")\necho").unwrap();
        let mut finding = Finding::new(Rule::MetadataRequestWithoutToken, 0, start..end, MESSAGE);
        finding.note = Some("this returns role credentials".into());
        finding.fix = Some(Fix::new(
            "fetch a token and send it",
            vec![Edit::insertion(start, "-H x ")],
            Applicability::Safe,
        ));
        let findings = vec![locate(&source, &cells, finding)];
        Checked {
            source,
            cells,
            findings,
            notes: Vec::new(),
            unparsed: Vec::new(),
        }
    }

    /// `nb.ipynb` whose cell 2 is `import os\ncurl ...` held in a JSON
    /// string with a `\n` escape.
    pub fn checked_notebook() -> Checked {
        let text = "{\"cells\": [\n {\"source\": \"x\"},\n {\"source\": \"import os\\ncurl http://169.254.169.254/\"}\n]}\n";
        let source =
            SourceFile::from_bytes(Path::new("nb.ipynb"), FileKind::Jupyter, text.into()).unwrap();
        let code_at = text.find("import os").unwrap();
        let mut b = SpanMapBuilder::new(code_at);
        b.verbatim("import os".len());
        b.escaped(1, 2);
        b.verbatim("curl http://169.254.169.254/".len());
        let code = "import os\ncurl http://169.254.169.254/";
        let cells = vec![Cell {
            lang: Lang::Python,
            code: code.into(),
            map: b.finish(),
            number: Some(2),
            origin: Origin::NotebookCell,
            layers: vec![Layer::JsonString],
        }];
        let start = code.find("curl").unwrap();
        let finding = Finding::new(
            Rule::MetadataRequestWithoutToken,
            0,
            start..code.len(),
            "IMDSv1 request without a session token: curl /",
        );
        let findings = vec![locate(&source, &cells, finding)];
        Checked {
            source,
            cells,
            findings,
            notes: Vec::new(),
            unparsed: Vec::new(),
        }
    }

    fn reporter(format: OutputFormat) -> Reporter {
        Reporter {
            format,
            statistics: false,
            quiet: false,
            paint: Paint::PLAIN,
            error_paint: Paint::PLAIN,
            sarif: SarifOptions::default(),
        }
    }

    fn emit(reporter: &Reporter, outcomes: Vec<Outcome>) -> (String, String, Totals) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let mut emitter = Emitter::new(reporter, &mut out, &mut err);
        emitter.start().unwrap();
        for (i, outcome) in outcomes.into_iter().enumerate() {
            let path = PathBuf::from(format!("f{i}"));
            emitter.file(&reporter.report(&path, outcome)).unwrap();
        }
        emitter.finish().unwrap();
        let totals = emitter.totals().clone();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
            totals,
        )
    }

    #[test]
    fn json_array_spans_files_and_stays_valid() {
        let r = reporter(OutputFormat::Json);
        let (out, err, totals) = emit(
            &r,
            vec![
                Outcome::Checked(checked_shell()),
                Outcome::Skipped,
                Outcome::Failed("binary file".into()),
                Outcome::Checked(checked_notebook()),
            ],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(2));
        assert_eq!(err, "error: f2: binary file\n");
        assert_eq!(
            (totals.checked, totals.failed, totals.findings()),
            (2, 1, 2)
        );
    }

    #[test]
    fn json_array_without_findings_is_empty() {
        let (out, _, _) = emit(&reporter(OutputFormat::Json), vec![Outcome::Skipped]);
        assert_eq!(out, "[]\n");
    }

    #[test]
    fn text_formats_end_with_a_summary_unless_quiet() {
        let (out, _, _) = emit(
            &reporter(OutputFormat::Concise),
            vec![Outcome::Checked(checked_shell())],
        );
        assert!(
            out.ends_with("Found 1 finding in 1 file (1 file checked).\n1 fixable with --fix.\n"),
            "{out}"
        );
        let quiet = Reporter {
            quiet: true,
            ..reporter(OutputFormat::Concise)
        };
        let (out, _, _) = emit(&quiet, vec![Outcome::Checked(checked_shell())]);
        assert_eq!(out.lines().count(), 1, "{out}");
    }

    #[test]
    fn statistics_replace_findings() {
        let stats = Reporter {
            statistics: true,
            quiet: true,
            ..reporter(OutputFormat::Full)
        };
        let (out, _, _) = emit(&stats, vec![Outcome::Checked(checked_shell())]);
        assert_eq!(out, "    1  IMD001  metadata-request-without-token\n");
        let json_stats = Reporter {
            statistics: true,
            ..reporter(OutputFormat::Json)
        };
        let (out, _, _) = emit(&json_stats, vec![Outcome::Checked(checked_shell())]);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["count"], 1);
    }
}
