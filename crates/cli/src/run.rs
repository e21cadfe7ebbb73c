//! One run of `imds-lint`: arguments, inputs, parallel checking, output in
//! order, and the exit code.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::ops::ControlFlow;
use std::process::ExitCode;

use clap::Parser;

use crate::args::Args;
use crate::check::{self, Context};
use crate::inputs::{self, InputSource, WalkOptions};
use crate::report::{Emitter, Paint, Reporter};
use crate::{logger, pipeline, read};

/// The streams a run reads and writes, and what is known about them.
pub struct Console<'a> {
    /// Read when `-` is among the paths.
    pub stdin: &'a mut dyn Read,
    /// Findings and the summary.
    pub stdout: &'a mut dyn Write,
    /// Usage and file errors.
    pub stderr: &'a mut dyn Write,
    /// Whether standard output is a terminal (for `--color auto`).
    pub stdout_is_terminal: bool,
    /// Whether standard error is a terminal.
    pub stderr_is_terminal: bool,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Nothing found.
    Clean,
    /// Findings.
    Findings,
    /// Usage, configuration or file errors.
    Error,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        match exit {
            Exit::Clean => ExitCode::SUCCESS,
            Exit::Findings => ExitCode::from(1),
            Exit::Error => ExitCode::from(2),
        }
    }
}

/// Runs the command line `args` (program name first) on `console`.
pub fn run(args: impl IntoIterator<Item = OsString>, mut console: Console<'_>) -> Exit {
    let no_color = std::env::var_os("NO_COLOR");
    let args = match Args::try_parse_from(args) {
        Ok(args) => args,
        Err(err) => return usage_error(&err, &mut console),
    };
    logger::init(args.verbose);

    let paint = Paint {
        color: args
            .color
            .enabled(console.stdout_is_terminal, no_color.as_deref()),
    };
    let error_paint = Paint {
        color: args
            .color
            .enabled(console.stderr_is_terminal, no_color.as_deref()),
    };
    let reporter = Reporter {
        format: args.output_format,
        statistics: args.statistics,
        quiet: args.quiet,
        paint,
        error_paint,
    };
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);

    // Find the inputs.
    let options = WalkOptions {
        exclude: args.exclude.clone(),
        no_ignore: args.no_ignore,
        stdin_filename: args.stdin_filename.clone(),
        threads,
    };
    let inputs = match inputs::collect(&args.paths(), &options) {
        Ok(inputs) => inputs,
        Err(why) => {
            let _ = writeln!(console.stderr, "{} {why}", error_paint.red("error:"));
            return Exit::Error;
        }
    };
    log::debug!("{} inputs", inputs.len());

    // Standard input is read here, on the thread that owns it.
    let stdin = inputs
        .iter()
        .any(|input| matches!(input.source, InputSource::Stdin { .. }))
        .then(|| read::read_stream(console.stdin, args.max_file_size));
    let settings = args.settings();
    let cx = Context {
        settings: &settings,
        max_file_size: args.max_file_size,
        stdin: stdin.as_ref(),
    };

    // Check in parallel, write in order.
    let mut emitter = Emitter::new(&reporter, &mut *console.stdout, &mut *console.stderr);
    let mut written = emitter.start();
    if written.is_ok() {
        pipeline::ordered(
            &inputs,
            threads,
            |input| reporter.report(&input.path, check::check_input(input, &cx)),
            |report| match emitter.file(&report) {
                Ok(()) => ControlFlow::Continue(()),
                Err(err) => {
                    written = Err(err);
                    ControlFlow::Break(())
                }
            },
        );
    }
    let written = written.and_then(|()| emitter.finish());
    let totals = emitter.totals().clone();

    match written {
        Ok(()) => {}
        // The reader left (`| head`): no one to tell; the exit code still
        // says what was found before.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {}
        Err(err) => {
            let red = error_paint.red("error:");
            let _ = writeln!(console.stderr, "{red} cannot write output: {err}");
            return Exit::Error;
        }
    }
    if totals.failed > 0 {
        Exit::Error
    } else if totals.findings() > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// Prints a clap error (or `--help`, `--version`) where it belongs.
fn usage_error(err: &clap::Error, console: &mut Console<'_>) -> Exit {
    if err.use_stderr() {
        let color = console.stderr_is_terminal && std::env::var_os("NO_COLOR").is_none();
        let text = err.render();
        let _ = if color {
            write!(console.stderr, "{}", text.ansi())
        } else {
            write!(console.stderr, "{text}")
        };
        Exit::Error
    } else {
        let _ = write!(console.stdout, "{}", err.render());
        let _ = console.stdout.flush();
        Exit::Clean
    }
}
