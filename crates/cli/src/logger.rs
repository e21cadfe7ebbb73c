//! The `-v` log: internals at debug and trace level, one line each on
//! standard error. Warnings are always shown.

use std::io::Write;

use log::{Level, LevelFilter, Log, Metadata, Record};

use crate::report::escape;

/// Writes log records to standard error.
struct StderrLog;

static LOGGER: StderrLog = StderrLog;

impl Log for StderrLog {
    fn enabled(&self, metadata: &Metadata) -> bool {
        // At `-v` only our own crates speak; `-vv` lets the walker's in too.
        metadata.level() <= log::max_level()
            && (metadata.level() <= Level::Warn
                || log::max_level() >= LevelFilter::Trace
                || metadata.target().starts_with("imds_lint"))
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        // A log line that cannot be written has nowhere else to go.
        let _ = writeln!(std::io::stderr().lock(), "{}", log_line(record));
    }

    fn flush(&self) {}
}

/// The line `record` is written as. Its message often names a file, and a
/// file name may hold escape sequences, bidirectional controls or a line
/// break: they are written as visible escapes, as in the text formats, so
/// that a name cannot recolor the terminal or forge a line.
fn log_line(record: &Record) -> String {
    let level = match record.level() {
        Level::Error => "error",
        Level::Warn => "warning",
        Level::Info => "info",
        Level::Debug => "debug",
        Level::Trace => "trace",
    };
    let message = record.args().to_string();
    format!("{level}: {}", escape::line(&message))
}

/// Installs the logger (once per process) and sets the level for
/// `verbosity` (the number of `-v`).
pub fn init(verbosity: u8) {
    // A second call (tests run the CLI in one process) keeps the logger
    // installed first, which is this same one.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level_for(verbosity));
}

fn level_for(verbosity: u8) -> LevelFilter {
    match verbosity {
        0 => LevelFilter::Warn,
        1 => LevelFilter::Debug,
        _ => LevelFilter::Trace,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn each_v_shows_more() {
        assert_eq!(level_for(0), LevelFilter::Warn);
        assert_eq!(level_for(1), LevelFilter::Debug);
        assert_eq!(level_for(5), LevelFilter::Trace);
    }

    #[test]
    fn log_lines_escape_what_a_file_name_could_make_the_terminal_do() {
        let line = |args: std::fmt::Arguments| {
            log_line(&Record::builder().level(Level::Debug).args(args).build())
        };
        let name = "skip\x1b[31mme\u{202e}\n.txt";
        assert_eq!(
            line(format_args!("{name}: skipped")),
            "debug: skip\\u{1b}[31mme\\u{202e}\\n.txt: skipped"
        );
        assert_eq!(
            line(format_args!("plain\tname.sh")),
            "debug: plain\tname.sh"
        );
    }
}
