//! `--fix` and `--diff`: every input is checked and fixed on the worker
//! threads ([`file`]); here the results are handed on in input order, as
//! written files and what is left in them, or as unified diffs.
//!
//! `--fix` prints what is left as a check would (in the format asked for),
//! then `--show-fixes`'s list and a closing line. Standard input's fixed
//! text goes to standard output; the report then goes to standard error.
//! `--diff` prints only the diffs on standard output; errors, the list and
//! the closing line go to standard error.

mod file;
mod interrupt;
mod pause;
pub(crate) mod place;
mod summary;

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::ops::ControlFlow;
use std::path::PathBuf;

use imds_lint_parser::Applicability;

pub use file::{Change, FileFix, FixNote, Output};

use self::file::Job;
use self::summary::Tally;
use crate::args::Args;
use crate::check::Context;
use crate::inputs::{Input, InputSource};
use crate::report::{Emitter, Reporter};
use crate::run::{Console, Exit};
use crate::{pipeline, suppress};

/// How a fixing run goes, from the flags.
#[derive(Debug, Clone)]
pub struct Mode {
    /// Write files, or print diffs.
    pub output: Output,
    /// The least safe fixes applied.
    pub level: Applicability,
    /// Whether to list the fixes applied.
    pub show_fixes: bool,
    /// Folders a symbolic link may lead into.
    pub roots: Vec<PathBuf>,
    /// Whether unused suppression comments are reported.
    pub report_unused_ignores: bool,
}

impl Mode {
    /// The fixing mode `args` ask for, or `None` for a check.
    pub fn from_args(args: &Args) -> Option<Mode> {
        let output = if args.fix {
            Output::Write
        } else if args.diff {
            Output::Diff
        } else {
            return None;
        };
        Some(Mode {
            output,
            level: if args.unsafe_fixes {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
            show_fixes: args.show_fixes,
            roots: place::roots(&args.paths()),
            report_unused_ignores: args.report_unused_ignores,
        })
    }
}

/// Fixes `inputs` as `mode` says, with `threads` workers.
pub fn run(
    mode: &Mode,
    inputs: &[Input],
    cx: &Context,
    reporter: &Reporter,
    threads: usize,
    console: Console<'_>,
) -> Exit {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let job = Job {
        cx,
        reporter,
        level: mode.level,
        output: mode.output,
        roots: &mode.roots,
        report_unused_ignores: mode.report_unused_ignores,
        cwd: &cwd,
    };
    let inputs = place::one_path_per_file(inputs);
    match mode.output {
        Output::Write => fix(mode, &job, &inputs, threads, console),
        Output::Diff => diff(mode, &job, &inputs, threads, console),
    }
}

/// Workers per core for `--fix`: each written file waits for two `fsync`
/// calls, during which another worker can use the core.
const WRITERS_PER_CORE: usize = 4;

/// `--fix`.
fn fix(mode: &Mode, job: &Job, inputs: &[Input], threads: usize, console: Console<'_>) -> Exit {
    let Console {
        stdin,
        stdout,
        beside_report,
        stderr,
        ..
    } = console;
    let reporter = job.reporter;

    // Standard input's fixed text owns standard output; the report moves
    // to standard error, shared with the error lines, unless it has a
    // file of its own (`--output-file`).
    let stdin_text = inputs
        .iter()
        .any(|input| matches!(input.source, InputSource::Stdin { .. }));
    let stderr = RefCell::new(stderr);
    let mut report_to_stderr = Shared(&stderr);
    let mut errors = Shared(&stderr);
    let (report_out, mut text_out): (&mut dyn Write, Option<&mut dyn Write>) =
        match (stdin_text, beside_report) {
            (true, Some(real_stdout)) => (stdout, Some(real_stdout)),
            (true, None) => (&mut report_to_stderr, Some(stdout)),
            (false, _) => (stdout, None),
        };

    // What is left, file by file; the closing line is written below.
    let quiet = Reporter {
        quiet: true,
        ..reporter.clone()
    };
    interrupt::listen();
    let mut tally = Tally::default();
    let mut emitter = Emitter::new(&quiet, &mut *report_out, &mut errors);
    let mut written = emitter.start();
    if written.is_ok() {
        pipeline::ordered(
            inputs,
            threads * WRITERS_PER_CORE,
            |input| file::fix_input(input, job),
            |fixed| {
                tally.add(&fixed);
                match emit(&mut emitter, &fixed, text_out.as_deref_mut(), &mut *stdin) {
                    Ok(()) => ControlFlow::Continue(()),
                    Err(err) => {
                        written = Err(err);
                        ControlFlow::Break(())
                    }
                }
            },
        );
    }
    let written = written.and_then(|()| emitter.finish());
    let totals = emitter.totals().clone();
    drop(emitter);

    // The list of fixes, the closing line, and which files changed.
    let machine = reporter.format.is_machine_readable();
    let written = written.and_then(|()| {
        if mode.show_fixes {
            let list = summary::applied(&tally, "Applied fixes:", reporter.paint);
            if machine {
                Shared(&stderr).write_all(list.as_bytes())?;
            } else {
                report_out.write_all(list.as_bytes())?;
            }
        }
        if !machine && !reporter.quiet {
            let unsafe_applied = mode.level == Applicability::Unsafe;
            let line = summary::fixed_line(&tally, &totals, unsafe_applied, reporter.paint);
            writeln!(report_out, "{line}")?;
        }
        // Standard input's fixed text is output too: a write that fails
        // only when its buffer is flushed must not pass.
        if let Some(text_out) = text_out {
            text_out.flush()?;
        }
        report_out.flush()
    });
    let changes = summary::changed_and_not(&tally, reporter.error_paint);
    let _ = Shared(&stderr).write_all(changes.as_bytes());

    if let Some(exit) = output_failed(written, &stderr, reporter) {
        return exit;
    }
    if totals.failed > 0 || !tally.refused.is_empty() || tally.unchecked > 0 {
        Exit::Error
    } else if totals.findings() > 0 || totals.unused_ignores > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// Writes one input's part of a `--fix` run: what is left, notes on its
/// suppression comments, fixes refused, why it was not written, and
/// standard input's text (with what is still unread in `stdin`, when it
/// could not be read whole).
fn emit<'w>(
    emitter: &mut Emitter<'_>,
    fixed: &FileFix,
    text_out: Option<&mut (dyn Write + 'w)>,
    stdin: &mut dyn Read,
) -> io::Result<()> {
    emitter.file(&fixed.report)?;
    suppress::emit(emitter, &fixed.report.path, &fixed.notes)?;
    refused_fixes(emitter, fixed)?;
    match (&fixed.change, text_out) {
        (Change::Refused(why), _) => {
            emitter.error(&fixed.report.path.display().to_string(), why)?;
        }
        (Change::Written(Some(why)), _) => {
            let why = format!(
                "written, but its folder could not be synced ({why}): a crash before the \
                 system writes it out may bring back the old file"
            );
            emitter.warning(&fixed.report.path.display().to_string(), &why)?;
        }
        (Change::Text(text), Some(out)) => out.write_all(text)?,
        (Change::PassThrough(head), Some(out)) => pass_through(head, stdin, out)?,
        _ => {}
    }
    Ok(())
}

/// Writes standard input unchanged: `head`, the bytes read before it was
/// given up on, then the rest of `stdin`, copied a buffer at a time, never
/// held whole (it may be far larger than `--max-file-size`). Only a failed
/// write is an error here: a read that fails part way leaves the output as
/// short as the input could be read, and the run already ends in an error
/// for this input.
fn pass_through(head: &[u8], stdin: &mut dyn Read, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(head)?;
    let mut buffer = vec![0; 64 * 1024];
    loop {
        let read = match stdin.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => {
                log::debug!("standard input: copy stopped: {err}");
                return Ok(());
            }
        };
        out.write_all(&buffer[..read])?;
    }
}

/// `--diff`.
fn diff(mode: &Mode, job: &Job, inputs: &[Input], threads: usize, console: Console<'_>) -> Exit {
    let Console { stdout, stderr, .. } = console;
    let reporter = job.reporter;

    // Findings are not printed: only diffs reach standard output.
    let quiet = Reporter {
        quiet: true,
        statistics: false,
        ..reporter.clone()
    };
    let mut tally = Tally::default();
    let mut no_findings = io::sink();
    let mut emitter = Emitter::new(&quiet, &mut no_findings, &mut *stderr);
    let mut written = Ok(());
    pipeline::ordered(
        inputs,
        threads,
        |input| file::fix_input(input, job),
        |fixed| {
            tally.add(&fixed);
            let wrote = emit_diff(&mut emitter, &fixed, &mut *stdout);
            match wrote {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => {
                    written = Err(err);
                    ControlFlow::Break(())
                }
            }
        },
    );
    let totals = emitter.totals().clone();
    drop(emitter);
    let written = written.and_then(|()| stdout.flush());

    if mode.show_fixes {
        let list = summary::applied(&tally, "Fixes in the diff:", reporter.error_paint);
        let _ = stderr.write_all(list.as_bytes());
    }
    if !reporter.quiet {
        let _ = writeln!(stderr, "{}", summary::would_fix_line(&tally, &totals));
    }

    let stderr = RefCell::new(stderr);
    if let Some(exit) = output_failed(written, &stderr, reporter) {
        return exit;
    }
    if totals.failed > 0 || !tally.refused.is_empty() || tally.unchecked > 0 {
        Exit::Error
    } else if tally.files > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// Writes one input's part of a `--diff` run; errors after the diffs
/// before them, so that a terminal shows both in order.
fn emit_diff(emitter: &mut Emitter<'_>, fixed: &FileFix, stdout: &mut dyn Write) -> io::Result<()> {
    if let Change::Diff(diff) = &fixed.change {
        stdout.write_all(diff.as_bytes())?;
    }
    stdout.flush()?;
    emitter.file(&fixed.report)?;
    refused_fixes(emitter, fixed)?;
    if let Change::Refused(why) = &fixed.change {
        emitter.error(&fixed.report.path.display().to_string(), why)?;
    }
    Ok(())
}

/// A warning per fix that was not applied because it would break the file,
/// in the order of the findings in the file (rounds of fixes find them in
/// another).
fn refused_fixes(emitter: &mut Emitter<'_>, fixed: &FileFix) -> io::Result<()> {
    for note in in_file_order(&fixed.refused) {
        let what = format!("{}: {}", note.location, note.rule.code());
        emitter.warning(&what, &format!("fix not applied: {}", note.text))?;
    }
    Ok(())
}

/// `notes` in the order of their findings in the file.
fn in_file_order(notes: &[FixNote]) -> Vec<&FixNote> {
    let mut ordered: Vec<&FixNote> = notes.iter().collect();
    ordered.sort_by_key(|note| note.at);
    ordered
}

/// The exit for output that could not be written, if it could not: a
/// closed pipe ends the run quietly, any other failure is an error.
fn output_failed(
    written: io::Result<()>,
    stderr: &RefCell<&mut dyn Write>,
    reporter: &Reporter,
) -> Option<Exit> {
    match written {
        Ok(()) => None,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => None,
        Err(err) => {
            let red = reporter.error_paint.red("error:");
            let _ = writeln!(
                Shared(stderr),
                "{red} cannot write output: {}",
                crate::reason::output(&err)
            );
            Some(Exit::Error)
        }
    }
}

/// One stream written from two places (the report and the error lines,
/// when standard output holds fixed text).
struct Shared<'a, 'w>(&'a RefCell<&'w mut dyn Write>);

impl Write for Shared<'_, '_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.borrow_mut().flush()
    }
}

#[cfg(test)]
mod tests {
    use imds_lint_rules::Rule;

    use super::*;

    /// Found by a fresh tester: refusals came out in the order rounds of
    /// fixes met them (`cell 3` before `cell 1`).
    #[test]
    fn refused_fixes_are_shown_in_file_order() {
        let note = |at: (usize, usize)| FixNote {
            location: format!("nb.ipynb:{}:{}", at.0, at.1),
            rule: Rule::MetadataRequestWithoutToken,
            text: "why".to_owned(),
            at,
        };
        let notes = [note((9, 2)), note((2, 5)), note((9, 1))];
        let order: Vec<(usize, usize)> = in_file_order(&notes).iter().map(|n| n.at).collect();
        assert_eq!(order, [(2, 5), (9, 1), (9, 2)]);
    }
}
