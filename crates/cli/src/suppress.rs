//! Suppression comments applied to one file's findings, and the notes
//! they leave: ignores that silenced nothing (`--report-unused-ignores`),
//! rule codes that do not exist, and comments that cannot be read.
//!
//! Notes go to standard error, one line each, so that every output format
//! on standard output stays what it promises (a JSON array stays one).

use std::io;
use std::path::Path;

use imds_lint_parser::{Cell, SourceFile};
use imds_lint_rules::suppression::{self, Suppressions, Unused};
use imds_lint_rules::{Finding, Rule, Settings};

use crate::check::Outcome;
use crate::report::Emitter;

/// What a note is, which decides whether it is shown and what it costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    /// An ignore comment that silenced nothing: shown under
    /// `--report-unused-ignores`, where it counts like a finding.
    Unused,
    /// A comment imds-lint cannot fully read: always shown, as a warning
    /// that changes no exit code.
    Warning,
}

/// A note about a suppression comment, at its place in the file as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// What kind of note.
    pub kind: NoteKind,
    /// 1-based line of the comment's marker in the file as stored.
    pub line: usize,
    /// 1-based column (in characters) of the marker.
    pub column: usize,
    /// What it says.
    pub message: String,
}

impl Note {
    /// `path:line:col`, where the comment is.
    pub fn location(&self, path: &Path) -> String {
        format!("{}:{}:{}", path.display(), self.line, self.column)
    }

    /// The line shown for an unused ignore:
    /// `path:line:col: unused suppression imds-lint: ignore[IMD001]`.
    pub fn finding_line(&self, path: &Path) -> String {
        format!("{}: {}", self.location(path), self.message)
    }
}

/// The findings of one file that no comment silences (in the order
/// given), and notes on the file's suppression comments in file order.
/// `findings` are those of rules that ran under `settings`.
pub fn apply(
    source: &SourceFile,
    cells: &[Cell],
    findings: Vec<Finding>,
    suppressions: &Suppressions,
    settings: &Settings,
) -> (Vec<Finding>, Vec<Note>) {
    if suppressions.ignores.is_empty() && suppressions.malformed.is_empty() {
        return (findings, Vec::new());
    }
    let silenced =
        suppressions.silence(findings, |finding| suppression::file_range(cells, finding));

    let mut notes = Vec::new();
    let at = |offset: usize, kind: NoteKind, message: String| {
        let place = source.line_col(offset);
        Note {
            kind,
            line: place.line,
            column: place.column,
            message,
        }
    };
    for unused in silenced.unused(suppressions, |rule| settings.enabled(rule)) {
        notes.push(at(
            unused.ignore.offset,
            NoteKind::Unused,
            unused_message(&unused),
        ));
    }
    for ignore in &suppressions.ignores {
        for code in &ignore.unknown {
            let message = format!(
                "unknown rule `{code}` in {}; known rules: {}",
                ignore.directive(),
                known_codes()
            );
            notes.push(at(ignore.offset, NoteKind::Warning, message));
        }
    }
    for malformed in &suppressions.malformed {
        let message = format!("suppression comment not read: {}", malformed.problem);
        notes.push(at(malformed.offset, NoteKind::Warning, message));
    }

    notes.sort_by_key(|note| (note.line, note.column));
    (silenced.kept, notes)
}

/// The notes of a checked file that are shown: warnings always, unused
/// ignores only when `report_unused` (`--report-unused-ignores`).
pub fn notes_shown(outcome: &Outcome, report_unused: bool) -> Vec<Note> {
    let Outcome::Checked(checked) = outcome else {
        return Vec::new();
    };
    checked
        .notes
        .iter()
        .filter(|note| report_unused || note.kind != NoteKind::Unused)
        .cloned()
        .collect()
}

/// Writes the notes of the file at `path` after its findings; the
/// emitter counts the unused ignores (they count like findings).
pub fn emit(emitter: &mut Emitter<'_>, path: &Path, notes: &[Note]) -> io::Result<()> {
    for note in notes {
        match note.kind {
            NoteKind::Unused => emitter.unused_ignore(&note.finding_line(path))?,
            NoteKind::Warning => emitter.warning(&note.location(path), &note.message)?,
        }
    }
    Ok(())
}

fn unused_message(unused: &Unused<'_>) -> String {
    let directive = unused.ignore.directive();
    match &unused.rules {
        None => format!("unused suppression {directive}"),
        Some(rules) => {
            let codes: Vec<&str> = rules.iter().map(|rule| rule.code()).collect();
            format!(
                "unused suppression {directive} ({} silenced nothing)",
                codes.join(", ")
            )
        }
    }
}

fn known_codes() -> String {
    Rule::ALL
        .iter()
        .map(|rule| rule.code())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use imds_lint_parser::{FileKind, Lang};

    use super::*;

    const IMD001: Rule = Rule::MetadataRequestWithoutToken;

    fn file(text: &str) -> (SourceFile, Vec<Cell>) {
        let source =
            SourceFile::from_bytes(Path::new("a.sh"), FileKind::Shell, text.into()).unwrap();
        (source, vec![Cell::whole_file(Lang::Shell, text)])
    }

    fn on_line(text: &str, line: usize, rule: Rule) -> Finding {
        let start: usize = text
            .split_inclusive('\n')
            .take(line - 1)
            .map(str::len)
            .sum();
        Finding::new(rule, 0, start..start + 4, "m")
    }

    #[test]
    fn silenced_findings_go_and_unused_ignores_are_noted() {
        let text = "curl a # imds-lint: ignore[IMD001]\ncurl b\n  # imds-lint: ignore\n";
        let (source, cells) = file(text);
        let findings = vec![on_line(text, 1, IMD001), on_line(text, 2, IMD001)];
        let suppressions = Suppressions::read(&source, &cells);
        let (kept, notes) = apply(
            &source,
            &cells,
            findings,
            &suppressions,
            &Settings::default(),
        );

        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].range.start, text.find("curl b").unwrap());
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].kind, NoteKind::Unused);
        assert_eq!(
            notes[0].finding_line(Path::new("a.sh")),
            "a.sh:3:5: unused suppression imds-lint: ignore"
        );
    }

    #[test]
    fn ignores_of_rules_that_did_not_run_are_not_stale() {
        let text = "curl a # imds-lint: ignore[IMD003]\n";
        let (source, cells) = file(text);
        let suppressions = Suppressions::read(&source, &cells);
        let mut settings = Settings::default();
        settings
            .rules
            .retain(|rule| *rule != Rule::Imdsv1OnlyClient);
        let (_, notes) = apply(&source, &cells, Vec::new(), &suppressions, &settings);
        assert!(notes.is_empty(), "{notes:?}");
        let (_, notes) = apply(
            &source,
            &cells,
            Vec::new(),
            &suppressions,
            &Settings::default(),
        );
        assert_eq!(notes.len(), 1);
    }

    #[test]
    fn unknown_codes_and_malformed_comments_are_warnings() {
        let text = "curl a # imds-lint: ignore[IMD001, IMD042]\n# imds-lint: ignroe\n";
        let (source, cells) = file(text);
        let suppressions = Suppressions::read(&source, &cells);
        let findings = vec![on_line(text, 1, IMD001)];
        let (kept, notes) = apply(
            &source,
            &cells,
            findings,
            &suppressions,
            &Settings::default(),
        );

        assert!(kept.is_empty());
        let seen: Vec<(NoteKind, String)> = notes
            .iter()
            .map(|n| (n.kind, n.finding_line(Path::new("a.sh"))))
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    NoteKind::Warning,
                    "a.sh:1:10: unknown rule `IMD042` in imds-lint: ignore[IMD001, IMD042]; \
                     known rules: IMD001, IMD002, IMD003"
                        .to_owned()
                ),
                (
                    NoteKind::Warning,
                    "a.sh:2:3: suppression comment not read: not a directive imds-lint reads; \
                     expected `ignore`, `ignore[CODE, ...]` or `skip-file`"
                        .to_owned()
                ),
            ]
        );
    }

    #[test]
    fn partly_used_ignores_name_what_was_idle() {
        let text = "curl a # imds-lint: ignore[IMD001, IMD002]\n";
        let (source, cells) = file(text);
        let suppressions = Suppressions::read(&source, &cells);
        let findings = vec![on_line(text, 1, IMD001)];
        let (_, notes) = apply(
            &source,
            &cells,
            findings,
            &suppressions,
            &Settings::default(),
        );
        assert_eq!(
            notes[0].message,
            "unused suppression imds-lint: ignore[IMD001, IMD002] (IMD002 silenced nothing)"
        );
    }

    #[test]
    fn files_without_comments_pass_through() {
        let text = "curl a\n";
        let (source, cells) = file(text);
        let findings = vec![on_line(text, 1, IMD001)];
        let (kept, notes) = apply(
            &source,
            &cells,
            findings,
            &Suppressions::default(),
            &Settings::default(),
        );
        assert_eq!(kept.len(), 1);
        assert!(notes.is_empty());
    }
}
