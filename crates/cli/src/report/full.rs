//! The `full` format: each finding as a compiler-style diagnostic (miette),
//! with the code around it and the request underlined, then its note and
//! help. Notebook findings show the cell's code, numbered as in the cell.

use std::collections::HashMap;
use std::fmt::{self, Write};

use imds_lint_parser::Applicability;
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError,
    MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};

use super::escape::{self, Code};
use super::location;
use super::paint::Paint;
use crate::check::Checked;
use crate::located::{CellText, Located};

/// Appends the diagnostics of `checked` to `out`.
pub fn render(checked: &Checked, paint: Paint, out: &mut String) {
    let theme = if paint.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        // A wrapped URL is harder to read than a long line.
        .with_wrap_lines(false)
        .without_primary_span_start()
        .with_context_lines(1);

    // Escaped and indexed once per file or cell, however many findings it
    // holds.
    let mut shown: HashMap<Option<usize>, (Code, Vec<usize>)> = HashMap::new();
    for located in &checked.findings {
        let key = located.cell.as_ref().map(|spot| spot.index);
        let (code, line_starts) = shown.entry(key).or_insert_with(|| {
            let code = match key {
                Some(index) => {
                    let written = CellText::of(&checked.source, &checked.cells, index);
                    Code::cell(&written.text).into_owned()
                }
                None => Code::new(&checked.source.text),
            };
            let line_starts = line_starts(&code.text);
            (code, line_starts)
        });
        let report = Report::new(checked, located, code, line_starts);
        let mut text = String::new();
        // A snippet of a minified or generated line is unreadable, and
        // miette cannot draw a label past column 65,535: name the place.
        if too_wide(report.snippet.text, line_starts, report.span)
            || handler.render_report(&mut text, &report).is_err()
        {
            // miette refuses spans it cannot read; the location still helps.
            text = format!(
                "{}: {} {}\n",
                report.snippet.name,
                located.rule.code(),
                report.message
            );
        }
        out.push_str(&text);

        if let Some(note) = &located.note {
            let _ = writeln!(out, "  {} {}", paint.blue("note:"), escape::line(note));
        }
        if let Some(fix) = &located.fix {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                paint.cyan("help:"),
                fix_kind(fix.applicability),
                escape::line(&fix.message)
            );
        }
        if let Some(help) = &located.help {
            let _ = writeln!(out, "  {} {}", paint.cyan("help:"), escape::line(help));
        }
        out.push('\n');
    }
}

/// The widest line a snippet shows, in bytes.
const MAX_SNIPPET_LINE: usize = 4096;

/// Whether a line the snippet would show (the span's lines and one on each
/// side) is wider than [`MAX_SNIPPET_LINE`]. The lines are found in
/// `line_starts` (of `text`), not searched for: thousands of findings on
/// one long line would each search it.
fn too_wide(text: &str, line_starts: &[usize], span: SourceSpan) -> bool {
    let line_of = |offset: usize| line_starts.partition_point(|&s| s <= offset) - 1;
    let start = span.offset().min(text.len());
    let end = (span.offset() + span.len()).min(text.len());
    let first = line_of(start).saturating_sub(1);
    let last = (line_of(end) + 1).min(line_starts.len() - 1);
    (first..=last).any(|line| {
        // A line's width without its line break.
        let line_end = line_starts
            .get(line + 1)
            .map_or(text.len(), |&next| next - 1);
        line_end - line_starts[line] > MAX_SNIPPET_LINE
    })
}

/// What a fix of this kind is to the reader: whether `--fix` applies it.
fn fix_kind(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "safe fix available (--fix)",
        Applicability::Unsafe => "unsafe fix available (--fix --unsafe-fixes)",
        Applicability::DisplayOnly => "suggested change, not applied by --fix",
    }
}

/// One finding as a miette diagnostic.
#[derive(Debug)]
struct Report<'a> {
    located: &'a Located,
    message: String,
    snippet: Snippet<'a>,
    span: SourceSpan,
}

impl<'a> Report<'a> {
    /// `code` is the escaped text of the file, or of the finding's cell as
    /// written ([`CellText`]), and `line_starts` where its lines start.
    fn new(
        checked: &Checked,
        located: &'a Located,
        code: &'a Code<'_>,
        line_starts: &'a [usize],
    ) -> Self {
        let name = location(&checked.source.path, located);
        // A notebook's JSON line is unreadable; the cell's text is what its
        // author wrote. Other files show the file as stored.
        let (range, lines_before) = match &located.cell {
            Some(spot) => (spot.range.clone(), spot.lines_before),
            None => (located.range.clone(), 0),
        };
        let range = code.offset(range.start)..code.offset(range.end);
        Report {
            located,
            message: escape::line(&located.message).into_owned(),
            snippet: Snippet {
                name,
                text: &code.text,
                line_starts,
                lines_before,
            },
            span: SourceSpan::from(range),
        }
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.located.rule.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.snippet)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_primary_with_span(
            Some(self.located.rule.name().to_owned()),
            self.span,
        );
        Some(Box::new(std::iter::once(label)))
    }
}

/// Where the lines of `text` start.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|at| at + 1))
        .collect()
}

/// The text a snippet is cut from, named with the finding's location, its
/// line numbers shifted by the lines the cell's code does not hold.
#[derive(Debug)]
struct Snippet<'a> {
    name: String,
    text: &'a str,
    /// Where the lines of `text` start.
    line_starts: &'a [usize],
    lines_before: usize,
}

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        // miette reads a span by counting lines from the start of the text:
        // for every finding of a long file, the square of its length. It is
        // given only the lines around the span: the context and one more
        // line on each side, so that it sees the line breaks it would see.
        let line_of = |offset: usize| self.line_starts.partition_point(|&s| s <= offset) - 1;
        let (start, end) = (span.offset(), span.offset() + span.len());
        let first = line_of(start.min(self.text.len())).saturating_sub(context_lines_before + 1);
        let last = line_of(end.min(self.text.len())) + context_lines_after + 2;
        let from = self.line_starts[first];
        let to = self.line_starts.get(last).map_or(self.text.len(), |&at| at);
        let window = self.text.get(from..to).ok_or(MietteError::OutOfBounds)?;
        let inner = window.read_span(
            &SourceSpan::from(start - from..end - from),
            context_lines_before,
            context_lines_after,
        )?;
        let shown = SourceSpan::from(
            inner.span().offset() + from..inner.span().offset() + from + inner.span().len(),
        );
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            shown,
            inner.line() + first + self.lines_before,
            inner.column(),
            inner.line_count(),
        )))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::tests::{checked_notebook, checked_shell};
    use super::*;

    fn plain(checked: &Checked) -> String {
        let mut out = String::new();
        render(checked, Paint::PLAIN, &mut out);
        out
    }

    #[test]
    fn shows_code_location_snippet_note_and_help() {
        let out = plain(&checked_shell());
        assert!(out.contains("IMD001"), "{out}");
        assert!(out.contains("[init.sh:2:8]"), "{out}");
        assert!(
            out.contains("2 │ ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/"),
            "{out}"
        );
        assert!(out.contains("metadata-request-without-token"), "{out}");
        assert!(out.contains("note: this returns role credentials"), "{out}");
        assert!(
            out.contains("help: safe fix available (--fix): fetch a token"),
            "{out}"
        );
        assert!(!out.contains('\x1b'), "{out}");
    }

    #[test]
    fn snippets_read_from_their_window_what_miette_reads_from_the_text() {
        for text in [
            "a\nbb\n\nccc\ndddd\ne",
            "a\r\nbb\r\n\r\nccc\r\n",
            "\n\n\nx\n",
            "one line",
            "",
        ] {
            let starts = line_starts(text);
            let snippet = Snippet {
                name: "f".to_owned(),
                text,
                line_starts: &starts,
                lines_before: 0,
            };
            for start in 0..=text.len() {
                for end in start..=text.len() {
                    for context in 0..3 {
                        let span = SourceSpan::from(start..end);
                        let whole = text.read_span(&span, context, context);
                        let cut = snippet.read_span(&span, context, context);
                        let (Ok(whole), Ok(cut)) = (whole, cut) else {
                            panic!("{text:?} {start}..{end}: one of them failed");
                        };
                        let what = format!("{text:?} {start}..{end} context {context}");
                        assert_eq!(whole.data(), cut.data(), "{what}");
                        assert_eq!(whole.span(), cut.span(), "{what}");
                        assert_eq!(whole.line(), cut.line(), "{what}");
                        assert_eq!(whole.column(), cut.column(), "{what}");
                        // Not `line_count`: miette counts the lines from the
                        // start of what it reads, and uses the count only to
                        // join the snippets of several labels (a report has
                        // one).
                    }
                }
            }
        }
    }

    #[test]
    fn a_request_past_column_65535_is_named_not_drawn() {
        // Regression: miette panicked drawing a label that far right.
        let text = format!(
            "x = 1  # {}\ncurl http://169.254.169.254/latest/meta-data/\n",
            "y".repeat(70_000)
        );
        let wide = format!(
            "{}curl http://169.254.169.254/latest/meta-data/\n",
            "z ".repeat(40_000)
        );
        for code in [text, wide] {
            let span = SourceSpan::from(code.find("curl").unwrap_or_default()..code.len() - 1);
            assert!(too_wide(&code, &line_starts(&code), span));
        }
        let narrow = "a\ncurl http://169.254.169.254/\nb\n";
        assert!(!too_wide(
            narrow,
            &line_starts(narrow),
            SourceSpan::from(2..31)
        ));
    }

    #[test]
    fn too_wide_judges_the_lines_shown_by_their_starts() {
        // Regression (tester): each finding searched its line for the line
        // breaks around it, so a one-line file with thousands of findings
        // took quadratic time. The line starts must say what the search
        // said: the span's lines and one on each side, breaks not counted.
        let wide = "w".repeat(MAX_SNIPPET_LINE + 1);
        let fits = "f".repeat(MAX_SNIPPET_LINE);
        let text = format!("{fits}\n{wide}\n{fits}\n\n{fits}\r\nx\n{fits}\n{wide}");
        let starts = line_starts(&text);
        let by_search = |start: usize, end: usize| {
            let from = text[..start]
                .rfind('\n')
                .map_or(0, |i| text[..i].rfind('\n').map_or(0, |j| j + 1));
            let to = text[end..].find('\n').map_or(text.len(), |i| {
                let after = end + i + 1;
                text[after..].find('\n').map_or(text.len(), |j| after + j)
            });
            text[from..to]
                .split('\n')
                .any(|line| line.len() > MAX_SNIPPET_LINE)
        };
        let mut offsets: Vec<usize> = starts
            .iter()
            .flat_map(|&s| [s.saturating_sub(1), s, s + 1])
            .collect();
        offsets.push(text.len());
        for &start in &offsets {
            for &end in offsets
                .iter()
                .filter(|&&end| end >= start && end <= text.len())
            {
                let span = SourceSpan::from(start..end);
                assert_eq!(
                    too_wide(&text, &starts, span),
                    by_search(start, end),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn notebook_snippet_is_the_cell_numbered_as_in_the_cell() {
        let out = plain(&checked_notebook());
        assert!(out.contains("[nb.ipynb:cell 2:2:1]"), "{out}");
        assert!(out.contains("2 │ curl http://169.254.169.254/"), "{out}");
        // the JSON of the file is not shown
        assert!(!out.contains("\\n"), "{out}");
    }

    #[test]
    fn color_is_written_only_when_asked() {
        let mut out = String::new();
        render(&checked_shell(), Paint { color: true }, &mut out);
        assert!(out.contains('\x1b'), "{out}");
    }
}
