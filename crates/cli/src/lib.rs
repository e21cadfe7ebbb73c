//! The `imds-lint` command line: arguments, the walk over files, checking
//! in parallel, and output in the format asked for.
//!
//! The binary is a thin shell over [`main`]; tests run the whole command in
//! process with [`run`]. One run: [`args`] are parsed, [`inputs`] found
//! and sorted, each checked by [`check`] (read, split into cells, analysed,
//! findings placed by [`located`]) on worker threads, and the [`report`]
//! written in input order.

pub mod args;
pub mod check;
pub mod config;
pub mod fix;
pub mod inputs;
pub mod located;
mod logger;
mod output_file;
pub mod pipeline;
mod read;
mod reason;
pub mod report;
pub mod rule;
mod run;
pub mod suppress;

use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

pub use run::{Console, Exit};

/// Runs `imds-lint` on the process's arguments and standard streams.
pub fn main() -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let console = Console {
        stdin: &mut io::stdin().lock(),
        stdout: &mut io::BufWriter::new(stdout.lock()),
        beside_report: None,
        // Not locked for the run: worker threads log to standard error too.
        stderr: &mut io::stderr(),
        stdout_is_terminal: stdout.is_terminal(),
        stderr_is_terminal: stderr.is_terminal(),
    };
    run::run(std::env::args_os(), console).into()
}

/// Runs `imds-lint` with `args` (program name first), writing to `stdout`
/// and `stderr` as to files (no color unless `--color always`); `-` reads
/// the process's standard input.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> ExitCode
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let console = Console {
        stdin: &mut io::stdin().lock(),
        stdout,
        beside_report: None,
        stderr,
        stdout_is_terminal: false,
        stderr_is_terminal: false,
    };
    run_with(args, console).into()
}

/// Runs `imds-lint` with `args` on `console`, returning how it ended.
pub fn run_with<I, T>(args: I, console: Console<'_>) -> Exit
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    run::run(args.into_iter().map(Into::into), console)
}
