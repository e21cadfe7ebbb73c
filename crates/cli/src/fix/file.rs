//! Fixing one input: check it, apply its fixes in memory (again, while
//! fixes that overlapped an applied one wait for their turn), then write
//! the file, make its diff, or hand back standard input's new text.

use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use imds_lint_parser::Applicability;
use imds_lint_rewriter::{
    fix_file, old_offset, unified_diff, writable, write_atomic, Durability, FileEdit, Skipped,
    WriteError,
};
use imds_lint_rules::{Finding, Rule};

use super::{interrupt, pause, place};
use crate::check::{self, Checked, Context, Outcome};
use crate::inputs::{Input, InputSource};
use crate::located::Located;
use crate::reason;
use crate::report::{self, FileReport, Reporter, Status};
use crate::suppress::{self, Note};

/// How many times one file's fixes are applied. A fix whose edits overlap
/// those of a fix applied before it waits for the next time; more than a
/// few waits means fixes that keep undoing each other.
const ROUNDS: usize = 4;

/// What is done with fixed text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// `--fix`: write files; standard input's text goes to standard output.
    Write,
    /// `--diff`: make unified diffs; write nothing.
    Diff,
}

/// What fixing one input needs besides the input.
#[derive(Debug)]
pub struct Job<'a> {
    /// How inputs are checked.
    pub cx: &'a Context<'a>,
    /// How what is left is rendered.
    pub reporter: &'a Reporter,
    /// The least safe fixes applied.
    pub level: Applicability,
    /// What is done with fixed text.
    pub output: Output,
    /// Folders a symbolic link may lead into (see [`place::roots`]).
    pub roots: &'a [PathBuf],
    /// Whether unused suppression comments are reported.
    pub report_unused_ignores: bool,
    /// The current folder, that diff paths are relative to.
    pub cwd: &'a Path,
}

/// A finding whose fix was applied, or was not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixNote {
    /// `path:line:col` (or `path:cell N:line:col`) of the finding in the
    /// text the fix was applied to.
    pub location: String,
    /// The finding's rule.
    pub rule: Rule,
    /// What the fix does, or why it was not applied.
    pub text: String,
    /// Line and column of the finding in the file, which notes are
    /// shown in the order of.
    pub at: (usize, usize),
}

/// What became of an input's file.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    /// Nothing to change, or the input could not be checked.
    None,
    /// The fixed text was written; with why, when its folder could not be
    /// synced after (a crash may bring back the old text).
    Written(Option<String>),
    /// The fixed text was neither written nor diffed, and why.
    Refused(String),
    /// The unified diff from the old text to the fixed one.
    Diff(String),
    /// Standard input's text after fixing (changed or not), to print.
    Text(Vec<u8>),
    /// Standard input that could not be read whole: the bytes read, to
    /// print before the rest of standard input is copied through, so that
    /// `--fix - < a > b` never loses text.
    PassThrough(Vec<u8>),
    /// Not checked: a signal stopped the run first (see `interrupt`).
    Unchecked,
}

/// One input, fixed.
#[derive(Debug)]
pub struct FileFix {
    /// What is left in the file as it now is, rendered (status only for
    /// `--diff`).
    pub report: FileReport,
    /// Notes on its suppression comments, to print after the findings.
    pub notes: Vec<Note>,
    /// The fixes in the new text.
    pub applied: Vec<FixNote>,
    /// Fixes that were not applied because they would break the file.
    pub refused: Vec<FixNote>,
    /// What became of the file.
    pub change: Change,
}

impl FileFix {
    /// Whether the fixes in `applied` reached the file (or the diff, or
    /// standard output).
    pub fn changed(&self) -> bool {
        match &self.change {
            Change::Written(_) | Change::Diff(_) => true,
            Change::Text(_) => !self.applied.is_empty(),
            Change::None | Change::Refused(_) | Change::PassThrough(_) | Change::Unchecked => false,
        }
    }
}

/// Checks and fixes one input. A panic while fixing is caught: the file is
/// left as it was and reported.
pub fn fix_input(input: &Input, job: &Job) -> FileFix {
    // Standard input is always handed back, fixed or not.
    let stdin = matches!(input.source, InputSource::Stdin { .. });
    if !stdin && job.output == Output::Write && interrupt::interrupted() {
        let mut left = unchecked(input, Outcome::Skipped, job);
        left.change = Change::Unchecked;
        return left;
    }
    let checked = match check::check_input(input, job.cx) {
        Outcome::Checked(checked) => checked,
        outcome => return unchecked(input, outcome, job),
    };
    let path = input.path.as_path();

    let fixing = || fix_checked(path, stdin, checked, job);
    panic::catch_unwind(AssertUnwindSafe(fixing)).unwrap_or_else(|_| {
        let why = "internal error while fixing, please report it; the file was not changed";
        let change = match (stdin, job.output, job.cx.stdin) {
            (true, Output::Write, Some(Ok(bytes))) => Change::Text(bytes.clone()),
            _ => Change::None,
        };
        FileFix {
            report: FileReport {
                path: path.to_owned(),
                status: Status::Failed(why.to_owned()),
                text: String::new(),
                tally: Vec::new(),
            },
            notes: Vec::new(),
            applied: Vec::new(),
            refused: Vec::new(),
            change,
        }
    })
}

/// An input that was skipped or could not be checked. Standard input is
/// still passed through, so that `imds-lint --fix - < a > b` never loses
/// text it could not read.
fn unchecked(input: &Input, outcome: Outcome, job: &Job) -> FileFix {
    let change = match (&input.source, job.output, job.cx.stdin) {
        (InputSource::Stdin { .. }, Output::Write, Some(Ok(bytes))) => Change::Text(bytes.clone()),
        (InputSource::Stdin { .. }, Output::Write, Some(Err(unread))) => {
            Change::PassThrough(unread.head.clone())
        }
        _ => Change::None,
    };
    FileFix {
        notes: suppress::notes_shown(&outcome, job.report_unused_ignores),
        report: job.reporter.report(&input.path, outcome),
        applied: Vec::new(),
        refused: Vec::new(),
        change,
    }
}

/// Fixes a checked file in rounds, then writes it, diffs it, or hands its
/// text back (standard input).
fn fix_checked(path: &Path, stdin: bool, original: Checked, job: &Job) -> FileFix {
    // Apply fixes until none is left to apply.
    let mut applied = Vec::new();
    let mut refused: Vec<FixNote> = Vec::new();
    let mut fixed: Option<Checked> = None;
    for _ in 0..ROUNDS {
        let current = fixed.as_ref().unwrap_or(&original);
        if !current.findings.iter().any(|f| fixable(f, job.level)) {
            break;
        }
        let round = match fix_round(path, current, job) {
            Ok(round) => round,
            Err(why) => return refuse(path, original, refused, why, job),
        };
        for note in round.refused {
            if !refused.contains(&note) {
                refused.push(note);
            }
        }
        let Some(next) = round.fixed else { break };
        applied.extend(round.applied);
        fixed = Some(next);
        // Another round when fixes overlapped and waited, or when one fix
        // made another possible (an import a fix added in one cell is what
        // a request in a later cell needed): a second `--fix` must find
        // nothing left to do. The loop ends when a round applies nothing.
    }

    // Hand the new text on.
    let Some(fixed) = fixed.filter(|f| f.source.text != original.source.text) else {
        let change = if stdin && job.output == Output::Write {
            Change::Text(original.source.text.clone().into_bytes())
        } else {
            Change::None
        };
        let (report, notes) = report(path, original, job);
        return FileFix {
            report,
            notes,
            applied: Vec::new(),
            refused,
            change,
        };
    };
    // A fix must not make a file the next run refuses to read.
    let new_size = fixed.source.text.len() as u64;
    if !stdin && new_size > job.cx.max_file_size {
        let why = format!(
            "the fixed file would be larger than the limit ({}, see --max-file-size)",
            reason::human_size(job.cx.max_file_size)
        );
        return refuse(path, original, refused, not_written(job.output, &why), job);
    }
    // No change in the diff that --fix would refuse to write.
    if !stdin && job.output == Output::Diff {
        if let Err(err) = writable(path, original.source.text.len(), job.roots) {
            let why = not_written(job.output, &write_reason(&err));
            return refuse(path, original, refused, why, job);
        }
    }
    let change = match (job.output, stdin) {
        (Output::Diff, _) => Change::Diff(unified_diff(
            place::diff_path(path, job.cwd),
            &original.source.text,
            &fixed.source.text,
        )),
        (Output::Write, true) => Change::Text(fixed.source.text.clone().into_bytes()),
        (Output::Write, false) => {
            pause::before_write(path);
            if interrupt::interrupted() {
                let why = "not written: the run was interrupted".to_owned();
                return refuse(path, original, refused, why, job);
            }
            let old = original.source.text.as_bytes();
            let new = fixed.source.text.as_bytes();
            match write_atomic(path, old, new, job.roots) {
                Ok(Durability::Synced) => Change::Written(None),
                Ok(Durability::FolderNotSynced(err)) => Change::Written(Some(reason::io(&err))),
                Err(err) => return refuse(path, original, refused, write_error(&err), job),
            }
        }
    };
    let (report, notes) = report(path, fixed, job);
    FileFix {
        report,
        notes,
        applied,
        refused,
        change,
    }
}

/// One application of a file's fixes.
struct Round {
    /// The new text, checked, if any fix applied.
    fixed: Option<Checked>,
    applied: Vec<FixNote>,
    refused: Vec<FixNote>,
}

/// Applies the fixes of the findings `checked` reports, and checks the
/// result. Fails only when the fixed text cannot be checked.
fn fix_round(path: &Path, checked: &Checked, job: &Job) -> Result<Round, String> {
    // The settings of the file's own configuration, as its check used.
    let settings = &*job.cx.settings_for(path);
    let mut round = Round {
        fixed: None,
        applied: Vec::new(),
        refused: Vec::new(),
    };

    // Only what the report shows is fixed (a finding of a rule left out,
    // or silenced, is not); each keeps the finding the rules made.
    let cells = &checked.cells;
    let (mut found, mut shown): (Vec<Finding>, Vec<&Located>) = checked
        .findings
        .iter()
        .map(|located| (located.finding.clone(), located))
        .unzip();

    // Each pass leaves out at least one finding, so this ends.
    loop {
        let fixed = fix_file(&checked.source, cells, &found, settings, job.level);
        let note = |index: usize, text: String| fix_note(path, shown[index], text);
        for (index, why) in &fixed.skipped {
            let why = match why {
                Skipped::Overlap => continue,
                Skipped::Encode(err) => err.to_string(),
                Skipped::Syntax(why) | Skipped::Malformed(why) => why.clone(),
            };
            let note = note(*index, why);
            if !round.refused.contains(&note) {
                round.refused.push(note);
            }
        }
        if fixed.applied.is_empty() || fixed.text == checked.source.text {
            return Ok(round);
        }

        // The rewriter read the fixed text again to verify it; its reading
        // is the new report.
        let Some(rechecked) = fixed.rechecked else {
            return Err("the fixed text could not be read again; not changed".to_owned());
        };
        let mut next = check::checked(
            rechecked.source,
            rechecked.cells,
            rechecked.findings,
            job.cx,
        );
        check::carry_unparsed(checked, &mut next);

        // A fix whose finding is still where it was does not resolve it,
        // and every later run would apply it again: it is left out.
        let unsettled: Vec<usize> = fixed
            .applied
            .iter()
            .copied()
            .filter(|&index| still_there(shown[index], &next, &fixed.edits))
            .collect();
        if unsettled.is_empty() {
            round.applied = fixed
                .applied
                .iter()
                .map(|&index| {
                    let message = shown[index].fix.as_ref().map(|fix| fix.message.clone());
                    note(index, message.unwrap_or_default())
                })
                .collect();
            round.fixed = Some(next);
            return Ok(round);
        }
        for &index in unsettled.iter().rev() {
            let why = "the fix does not resolve the finding (an imds-lint bug; please report it)";
            round
                .refused
                .push(fix_note(path, shown[index], why.to_owned()));
            found.remove(index);
            shown.remove(index);
        }
    }
}

fn fix_note(path: &Path, finding: &Located, text: String) -> FixNote {
    FixNote {
        location: report::location(path, finding),
        rule: finding.rule,
        text,
        at: (finding.start.line, finding.start.column),
    }
}

/// Whether `finding` of the old text is reported again, at the same place,
/// in `next`, the text `edits` made.
fn still_there(finding: &Located, next: &Checked, edits: &[FileEdit]) -> bool {
    next.findings.iter().any(|left| {
        left.rule == finding.rule
            && old_offset(edits, left.range.start) == Some(finding.range.start)
    })
}

/// Whether `--fix` at `level` would apply the finding's fix.
pub fn fixable(finding: &Located, level: Applicability) -> bool {
    finding.fix.as_ref().is_some_and(|fix| {
        fix.applicability >= level && fix.applicability != Applicability::DisplayOnly
    })
}

/// The file left as it was: its findings are still there.
fn refuse(
    path: &Path,
    original: Checked,
    refused: Vec<FixNote>,
    why: String,
    job: &Job,
) -> FileFix {
    let (report, notes) = report(path, original, job);
    FileFix {
        report,
        notes,
        applied: Vec::new(),
        refused,
        change: Change::Refused(why),
    }
}

/// What is left in `checked`, rendered; under `--diff`, which prints no
/// findings, only that it was checked.
fn report(path: &Path, checked: Checked, job: &Job) -> (FileReport, Vec<Note>) {
    match job.output {
        Output::Write => {
            let outcome = Outcome::Checked(checked);
            let notes = suppress::notes_shown(&outcome, job.report_unused_ignores);
            (job.reporter.report(path, outcome), notes)
        }
        Output::Diff => {
            let report = FileReport {
                path: path.to_owned(),
                status: Status::Checked,
                text: String::new(),
                tally: Vec::new(),
            };
            (report, Vec::new())
        }
    }
}

/// Why a write failed, in the words of the other file errors.
fn write_error(err: &WriteError) -> String {
    not_written(Output::Write, &write_reason(err))
}

/// A file not written for `why`; under `--diff`, left out of the diff
/// for it.
fn not_written(output: Output, why: &str) -> String {
    match output {
        Output::Write => format!("not written: {why}"),
        Output::Diff => format!("not in the diff: --fix would not write it: {why}"),
    }
}

/// Why a file is not written, without the path.
fn write_reason(err: &WriteError) -> String {
    match err {
        WriteError::Io(err) => reason::io(err),
        WriteError::NoTemporaryFile { folder, source } => format!(
            "cannot make a temporary file in {} ({}): the fixed text is written beside the \
             file, then takes its place",
            folder.display(),
            reason::io(source)
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::report::tests::checked_shell;

    #[test]
    fn fixable_depends_on_the_level_asked_for() {
        let mut finding = checked_shell().findings.remove(0);
        assert!(fixable(&finding, Applicability::Safe));
        assert!(fixable(&finding, Applicability::Unsafe));

        let fix = finding.fix.as_mut().unwrap();
        fix.applicability = Applicability::Unsafe;
        assert!(!fixable(&finding, Applicability::Safe));
        assert!(fixable(&finding, Applicability::Unsafe));

        finding.fix.as_mut().unwrap().applicability = Applicability::DisplayOnly;
        assert!(!fixable(&finding, Applicability::Unsafe));
        finding.fix = None;
        assert!(!fixable(&finding, Applicability::Unsafe));
    }

    #[test]
    fn a_finding_moved_only_by_edits_before_it_is_still_there() {
        let old = checked_shell();
        let finding = &old.findings[0];
        let inserted = "T=1\n";
        let edits = [FileEdit {
            range: 0..0,
            content: inserted.to_owned(),
        }];

        // The same finding, after the insertion.
        let mut next = checked_shell();
        let moved = &mut next.findings[0];
        moved.range = moved.range.start + inserted.len()..moved.range.end + inserted.len();
        assert!(still_there(finding, &next, &edits));

        // Not when it was resolved, belongs to another rule, or sits
        // elsewhere.
        assert!(!still_there(finding, &checked_shell(), &edits));
        let mut other = next;
        other.findings[0].rule = Rule::Imdsv1OnlyClient;
        assert!(!still_there(finding, &other, &edits));
        let mut gone = checked_shell();
        gone.findings.clear();
        assert!(!still_there(finding, &gone, &edits));
    }
}
