//! One run of `imds-lint`: arguments, inputs, parallel checking, output in
//! order, and the exit code.

use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::num::NonZeroUsize;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use crate::args::{Args, Command};
use crate::check::{self, Context};
use crate::inputs::{self, Input, WalkOptions};
use crate::report::{escape, Emitter, FileReport, OutputFormat, Paint, Reporter, SarifOptions};
use crate::suppress::Note;
use crate::{config, fix, logger, output_file, read, reason, rule, suppress};

/// The streams a run reads and writes, and what is known about them.
pub struct Console<'a> {
    /// Read when `-` is among the paths.
    pub stdin: &'a mut dyn Read,
    /// Findings and the summary.
    pub stdout: &'a mut dyn Write,
    /// Standard output, when `--output-file` has taken `stdout` for the
    /// report: where `--fix -` writes the fixed text.
    pub beside_report: Option<&'a mut dyn Write>,
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
    let args: Vec<OsString> = args.into_iter().collect();
    let raw_args = args.clone();
    let args = match Args::parse_from_args(args) {
        Ok(args) => args,
        Err(err) => return usage_error(&err, &raw_args, &mut console),
    };
    logger::init(args.verbose);

    let paint = Paint {
        color: args.color.enabled(
            console.stdout_is_terminal && args.report_file().is_none(),
            no_color.as_deref(),
        ),
    };
    let error_paint = Paint {
        color: args
            .color
            .enabled(console.stderr_is_terminal, no_color.as_deref()),
    };

    if let Some(Command::Rule(rule_args)) = &args.command {
        return rule::run(rule_args, &mut console, error_paint);
    }
    if let Some(Command::Config(config_args)) = &args.command {
        if config::Overrides::from_args(&args) != config::Overrides::default() {
            log::warn!(
                "--select, --ignore, --token-ttl and --output-format given before `config` \
                 change nothing it shows: it shows the configuration files' settings \
                 (its own --output-format is given after it)"
            );
        }
        return config::show::run(&config_args.inherit(&args), &mut console);
    }
    match args.report_file() {
        Some(path) => output_file::run_into(path, &mut console, error_paint, |console| {
            check_paths(&args, paint, error_paint, console)
        }),
        None => check_paths(&args, paint, error_paint, console),
    }
}

/// A warning for each flag given that changes nothing in this run, so
/// that it is not taken to have done something.
fn warn_of_flags_without_effect(args: &Args, format: OutputFormat) {
    if !args.fix && !args.diff {
        for (given, flag) in [
            (args.unsafe_fixes, "--unsafe-fixes"),
            (args.show_fixes, "--show-fixes"),
        ] {
            if given {
                log::warn!("{flag} does nothing without --fix or --diff");
            }
        }
    }
    if format == OutputFormat::Sarif && args.statistics {
        log::warn!(
            "--statistics does not apply to the sarif format: the SARIF report lists every finding"
        );
    }
    if format != OutputFormat::Sarif && args.sarif_category.is_some() {
        log::warn!("--sarif-category does nothing without the sarif format");
    }
}

/// Checks (or fixes) the PATHs that `args` names, writing the report on
/// `console`.
fn check_paths(args: &Args, paint: Paint, error_paint: Paint, mut console: Console<'_>) -> Exit {
    let paths = args.paths();
    if let Some(name) = &args.stdin_filename {
        if !paths.iter().any(|path| path == Path::new("-")) {
            log::warn!(
                "--stdin-filename {} is not used: standard input is read only when `-` is among \
                 the paths",
                name.display()
            );
        }
    }
    // Configuration files: the working folder's decides the output format.
    let (config, format) = match config::resolver(args).and_then(|config| {
        let format = config.for_folder(Path::new("."))?.output_format;
        Ok((Arc::new(config), format))
    }) {
        Ok(found) => found,
        Err(err) => return config_errors(&[err], error_paint, console.stderr),
    };
    let reporter = Reporter {
        format,
        statistics: args.statistics,
        quiet: args.quiet,
        paint,
        error_paint,
        sarif: SarifOptions::new(&paths[0], args.sarif_category.as_deref()),
    };
    warn_of_flags_without_effect(args, format);
    let threads = std::thread::available_parallelism().map_or(1, NonZeroUsize::get);

    let options = WalkOptions {
        exclude: args.exclude.clone(),
        no_ignore: args.no_ignore,
        stdin_filename: args.stdin_filename.clone(),
        threads,
        config: Some(Arc::clone(&config)),
    };
    let started = std::time::Instant::now();
    // Standard input is read first, on the thread that owns it.
    let stdin = paths
        .iter()
        .any(|path| path == Path::new("-"))
        .then(|| read::read_stream(console.stdin, args.max_file_size));
    // A name the excludes cover is skipped, as a named path would be.
    let stdin_excluded = match inputs::stdin_excluded(&options) {
        Ok(excluded) => stdin.is_some() && excluded,
        Err(why) => return walk_error(&why, error_paint, console.stderr),
    };
    let settings = args.settings();
    let cx = Context {
        settings: &settings,
        config: Some(&config),
        max_file_size: args.max_file_size,
        stdin: stdin.as_ref(),
        stdin_excluded,
    };

    if let Some(mode) = fix::Mode::from_args(args) {
        let inputs = match inputs::collect(&paths, &options) {
            Ok(inputs) => inputs,
            Err(why) => return walk_error(&why, error_paint, console.stderr),
        };
        log::debug!(
            "{} inputs, found in {:.1?}",
            inputs.len(),
            started.elapsed()
        );
        if let Some(exit) = report_file_clash(args, &inputs, error_paint, console.stderr) {
            return exit;
        }
        let errors = config::errors_for(&config, &inputs);
        if !errors.is_empty() {
            return config_errors(&errors, error_paint, console.stderr);
        }
        warn_of_config(&config);
        return fix::run(&mode, &inputs, &cx, &reporter, threads, console);
    }

    // Check files as the walk finds them; write in path order.
    let checked = inputs::collect_with(&paths, &options, |input| {
        let outcome = check::check_input(input, &cx);
        let notes = suppress::notes_shown(&outcome, args.report_unused_ignores);
        (reporter.report(&input.path, outcome), notes)
    });
    let checked = match checked {
        Ok(checked) => checked,
        Err(why) => return walk_error(&why, error_paint, console.stderr),
    };

    log::debug!(
        "{} inputs, found and checked in {:.1?}",
        checked.len(),
        started.elapsed()
    );
    // A configuration file that cannot be read ends the run before
    // anything is reported, as if nothing had been checked.
    let inputs: Vec<&Input> = checked.iter().map(|(input, _)| input).collect();
    if let Some(exit) = report_file_clash(args, inputs.iter().copied(), error_paint, console.stderr)
    {
        return exit;
    }
    let errors = config::errors_for(&config, inputs.iter().copied());
    if !errors.is_empty() {
        return config_errors(&errors, error_paint, console.stderr);
    }
    warn_of_config(&config);

    let exit = write_reports(&checked, &reporter, error_paint, &mut console);
    log::debug!("reported in {:.1?}", started.elapsed());
    exit
}

/// Writes the reports of checked files in order, then the summary; the
/// exit code follows from what was written.
fn write_reports(
    checked: &[(Input, (FileReport, Vec<Note>))],
    reporter: &Reporter,
    error_paint: Paint,
    console: &mut Console<'_>,
) -> Exit {
    let mut emitter = Emitter::new(reporter, &mut *console.stdout, &mut *console.stderr);
    let mut written = emitter.start();
    for (_, (report, notes)) in checked {
        if written.is_err() {
            break;
        }
        written = emitter
            .file(report)
            .and_then(|()| suppress::emit(&mut emitter, &report.path, notes));
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
            let _ = writeln!(
                console.stderr,
                "{red} cannot write output: {}",
                reason::output(&err)
            );
            return Exit::Error;
        }
    }
    if totals.failed > 0 {
        Exit::Error
    } else if totals.findings() > 0 || totals.unused_ignores > 0 {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// Ends the run before anything is written when `--output-file` names one
/// of the files checked: the report would replace it (and `--fix` would
/// write it first).
fn report_file_clash<'a>(
    args: &Args,
    inputs: impl IntoIterator<Item = &'a Input>,
    error_paint: Paint,
    stderr: &mut dyn Write,
) -> Option<Exit> {
    let target = args.report_file()?;
    let input = output_file::input_at(target, inputs)?;
    let why = format!(
        "{}: --output-file names a file that is also checked ({}); the report would replace it",
        target.display(),
        input.display()
    );
    Some(walk_error(&why, error_paint, stderr))
}

/// Prints why the paths could not be walked (a bad `--exclude` glob), with
/// the arguments it repeats escaped.
fn walk_error(why: &str, error_paint: Paint, stderr: &mut dyn Write) -> Exit {
    let _ = writeln!(
        stderr,
        "{} {}",
        error_paint.red("error:"),
        escape::line(why)
    );
    Exit::Error
}

/// Prints the warnings about the configuration files the run met, in the
/// same order whatever order the walk met them in.
fn warn_of_config(config: &config::Resolver) {
    for warning in config.warnings() {
        log::warn!("{warning}");
    }
}

/// Prints configuration errors, one `error:` line each; they end the run.
fn config_errors(
    errors: &[config::ConfigError],
    error_paint: Paint,
    stderr: &mut dyn Write,
) -> Exit {
    for err in errors {
        let red = error_paint.red("error:");
        let _ = writeln!(stderr, "{red} {}", escape::line(&err.to_string()));
    }
    Exit::Error
}

/// Prints a clap error (or `--help`, `--version`) where it belongs.
fn usage_error(err: &clap::Error, args: &[OsString], console: &mut Console<'_>) -> Exit {
    if err.use_stderr() {
        // clap repeats the value or option it refuses, with any escape
        // sequence in it dropped and other controls kept. The message is
        // made again from the arguments with such characters written as
        // escapes, and printed in plain text: in colour, clap's own escape
        // sequences could not be told from one in an argument.
        let unsafe_args = args.iter().any(|a| escape::needed(&a.to_string_lossy()));
        let text = err.render();
        let plain = text.to_string();
        if unsafe_args || escape::needed(&plain) {
            let visible = args.iter().map(|a| match a.to_str() {
                Some(s) => OsString::from(escape::line(s).into_owned()),
                None => a.clone(),
            });
            let again = match Args::parse_from_args(visible) {
                Err(again) if again.use_stderr() => again.render().to_string(),
                _ => plain,
            };
            let _ = write!(console.stderr, "{}", escape::Code::new(&again).text);
            return Exit::Error;
        }
        let color = console.stderr_is_terminal && std::env::var_os("NO_COLOR").is_none();
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Runs `args` with `stdin` as standard input; returns the exit, standard
    /// output and standard error.
    fn run_on(args: &[&str], stdin: &[u8]) -> (Exit, Vec<u8>, String) {
        let mut input = stdin;
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let args = std::iter::once("imds-lint").chain(args.iter().copied());
        let exit = run(
            args.map(OsString::from),
            Console {
                stdin: &mut input,
                stdout: &mut stdout,
                beside_report: None,
                stderr: &mut stderr,
                stdout_is_terminal: false,
                stderr_is_terminal: false,
            },
        );
        (exit, stdout, String::from_utf8(stderr).unwrap())
    }

    #[test]
    fn fix_passes_stdin_over_the_size_limit_through_unchanged() {
        // Regression (tester): `--fix - < big > out` wrote nothing to
        // standard output when the input passed `--max-file-size`, so a
        // pipeline that replaces the file with the output lost it.
        let text = "echo hello world\n".repeat(750);
        let args = [
            "--isolated",
            "--fix",
            "--max-file-size",
            "1K",
            "--stdin-filename",
            "big.sh",
            "-",
        ];
        let (exit, stdout, stderr) = run_on(&args, text.as_bytes());
        assert_eq!(exit, Exit::Error);
        assert!(stdout == text.as_bytes(), "{} bytes out", stdout.len());
        assert_eq!(
            stderr.lines().filter(|l| l.starts_with("error:")).count(),
            1,
            "{stderr}"
        );
        assert!(stderr.contains("big.sh: input too large"), "{stderr}");
    }

    #[test]
    fn stdin_that_cannot_hold_a_request_is_not_decoded_as_a_file_is_not() {
        // Regression (tester): Latin-1 text that does not mention the
        // service is clean as a file, but was "not valid UTF-8" (exit 2)
        // on standard input.
        let text = b"x = 'caf\xe9'\n";
        let check = ["--isolated", "--stdin-filename", "x.py", "-"];
        let (exit, _, stderr) = run_on(&check, text);
        assert_eq!(exit, Exit::Clean, "{stderr}");
        let fix = ["--isolated", "--fix", "--stdin-filename", "x.py", "-"];
        let (exit, stdout, stderr) = run_on(&fix, text);
        assert_eq!(exit, Exit::Clean, "{stderr}");
        assert_eq!(stdout, text);
        // Text that may hold one is still decoded, and refused.
        let text = b"u = 'http://169.254.169.254/caf\xe9'\n";
        let (exit, _, stderr) = run_on(&check, text);
        assert_eq!(exit, Exit::Error, "{stderr}");
        assert!(stderr.contains("not valid UTF-8"), "{stderr}");
    }

    #[test]
    fn a_usage_error_shows_the_argument_it_repeats_escaped() {
        // Regression (tester): clap repeats a bad value or an unknown
        // option as given, so an escape sequence or a bidirectional control
        // in it reached the terminal raw.
        for args in [
            &["--max-file-size=\u{1b}[31mX\u{202e}", "a.sh"][..],
            &["--\u{1b}[31mfoo\u{202e}", "a.sh"][..],
            &["--select", "IMD9\u{1b}[2J\u{202e}", "a.sh"][..],
        ] {
            // Also on a terminal, where clap would colour its message.
            let mut stderr = Vec::new();
            let exit = run(
                std::iter::once("imds-lint")
                    .chain(args.iter().copied())
                    .map(OsString::from),
                Console {
                    stdin: &mut &b""[..],
                    stdout: &mut Vec::new(),
                    beside_report: None,
                    stderr: &mut stderr,
                    stdout_is_terminal: true,
                    stderr_is_terminal: true,
                },
            );
            assert_eq!(exit, Exit::Error);
            let on_terminal = String::from_utf8(stderr).unwrap();
            assert!(
                !on_terminal.contains('\u{1b}')
                    && on_terminal.contains("\\u{1b}[")
                    && on_terminal.contains("\\u{202e}"),
                "{on_terminal:?}"
            );

            let (exit, _, stderr) = run_on(args, b"");
            assert_eq!(exit, Exit::Error, "{stderr}");
            assert!(
                !stderr.contains('\u{1b}') && !stderr.contains('\u{202e}'),
                "{stderr:?}"
            );
            // Shown, not dropped: clap leaves escape sequences out of what
            // it repeats, which garbled the message (a second tester).
            assert!(
                stderr.contains("\\u{1b}[") && stderr.contains("\\u{202e}"),
                "{stderr:?}"
            );
        }
    }

    #[test]
    fn code_that_does_not_parse_and_mentions_the_service_gets_a_warning() {
        // Regression (tester): tree-sitter's recovery swallowed the `curl`
        // after `echo (((`, and the script was reported clean in silence.
        let text = "#!/bin/sh\necho (((\ncurl http://169.254.169.254/latest/meta-data/\n";
        let args = ["--isolated", "--stdin-filename", "a.sh", "-"];
        let (exit, stdout, stderr) = run_on(&args, text.as_bytes());
        assert_eq!(exit, Exit::Clean, "{stderr}");
        assert!(stdout.is_empty() || String::from_utf8_lossy(&stdout).contains("No findings"));
        assert!(
            stderr.contains("warning: a.sh:1:1: this code does not parse"),
            "{stderr}"
        );
        // Not for code that parses, nor where a request was reported.
        for text in [
            "#!/bin/sh\ncurl -H 'X-aws-ec2-metadata-token: t' http://169.254.169.254/latest/meta-data/\n",
            "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/\necho (((\n",
        ] {
            let (_, _, stderr) = run_on(&args, text.as_bytes());
            assert!(!stderr.contains("does not parse"), "{stderr}");
        }
    }

    #[test]
    fn a_report_file_in_a_missing_folder_is_named_without_its_temporary_name() {
        // Regression (tester): the error showed the temporary file and the
        // OS error number.
        let dir = tempfile::tempdir().unwrap();
        let report = dir.path().join("nodir/x.txt");
        let report_arg = report.to_str().unwrap();
        let args = ["--isolated", "--output-file", report_arg, "-"];
        let (exit, _, stderr) = run_on(&args, b"echo\n");
        assert_eq!(exit, Exit::Error);
        assert_eq!(
            stderr.trim_end(),
            format!("error: cannot write {report_arg}: no such file or directory")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_file_the_walk_reaches_also_through_a_link_is_checked_once() {
        // Regression (tester): a link beside its target in the tree was
        // reported twice (twice in SARIF too), and under the link's path it
        // escaped a per-file-ignores that exempted the target, while
        // `--fix` fixed the target once and found nothing to do.
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("init")).unwrap();
        let text = "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/\n";
        std::fs::write(root.join("init/region.sh"), text).unwrap();
        std::os::unix::fs::symlink("init/region.sh", root.join("linked.sh")).unwrap();
        // A link to a file the walk does not reach is checked as itself.
        std::fs::create_dir(root.join(".hidden")).unwrap();
        std::fs::write(root.join(".hidden/zone.sh"), text).unwrap();
        std::os::unix::fs::symlink(".hidden/zone.sh", root.join("zone.sh")).unwrap();
        let tree = root.to_str().unwrap();

        let args = ["--isolated", "--output-format", "concise", tree];
        let (exit, stdout, _) = run_on(&args, b"");
        assert_eq!(exit, Exit::Findings);
        let stdout = String::from_utf8(stdout).unwrap();
        let reported: Vec<&str> = stdout.lines().filter(|l| l.contains("IMD001")).collect();
        assert_eq!(reported.len(), 2, "{stdout}");
        assert!(reported[0].contains("init/region.sh"), "{stdout}");
        assert!(reported[1].contains("zone.sh"), "{stdout}");

        // Exempting the target exempts it whatever path reaches it.
        let config = root.join("imds-lint.toml");
        std::fs::write(&config, "[per-file-ignores]\n\"init/\" = [\"IMD001\"]\n").unwrap();
        let config_arg = config.to_str().unwrap();
        let args = ["--config", config_arg, "--output-format", "concise", tree];
        let (_, stdout, stderr) = run_on(&args, b"");
        let stdout = String::from_utf8(stdout).unwrap();
        assert!(
            !stdout.contains("region.sh") && !stdout.contains("linked.sh"),
            "{stdout}{stderr}"
        );
        // So does a link named on the command line beside its target
        // (tester: `imds-lint a_t.sh tests` reported the link's path).
        let linked = root.join("linked.sh");
        let init = root.join("init");
        let target = root.join("init/region.sh");
        for paths in [
            [linked.to_str().unwrap(), init.to_str().unwrap()],
            [linked.to_str().unwrap(), target.to_str().unwrap()],
        ] {
            let mut args = vec!["--config", config_arg, "--output-format", "concise"];
            args.extend(paths);
            let (exit, stdout, stderr) = run_on(&args, b"");
            let stdout = String::from_utf8(stdout).unwrap();
            assert_eq!(exit, Exit::Clean, "{paths:?}: {stdout}{stderr}");
            assert!(stdout.contains("1 file checked"), "{paths:?}: {stdout}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_report_never_replaces_a_file_it_checks() {
        // Regression (tester): `--output-file a.sh a.sh` overwrote the
        // scanned script with the report.
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("a.sh");
        let text = "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/\n";
        std::fs::write(&script, text).unwrap();
        let script_arg = script.to_str().unwrap();
        let dir_arg = dir.path().to_str().unwrap();
        let linked = dir.path().join("link.txt");
        std::os::unix::fs::symlink(&script, &linked).unwrap();
        let linked_arg = linked.to_str().unwrap();

        for args in [
            vec!["--isolated", "--output-file", script_arg, script_arg],
            vec!["--isolated", "--output-file", script_arg, dir_arg],
            vec!["--isolated", "--fix", "--output-file", script_arg, dir_arg],
            vec![
                "--isolated",
                "--output-format",
                "json",
                "--output-file",
                linked_arg,
                script_arg,
            ],
            // Standard input standing for the file: the file is what the
            // pipeline read, and would be lost.
            vec![
                "--isolated",
                "--output-file",
                script_arg,
                "--stdin-filename",
                script_arg,
                "-",
            ],
        ] {
            let (exit, stdout, stderr) = run_on(&args, text.as_bytes());
            assert_eq!(exit, Exit::Error, "{args:?}");
            assert!(stdout.is_empty(), "{args:?}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            // A link is refused as such (see `output_file`) before it is
            // looked at as a checked file.
            let why = if args.contains(&linked_arg) {
                "it is a symbolic link"
            } else {
                "is also checked"
            };
            assert!(stderr.contains(why), "{args:?}: {stderr}");
            assert_eq!(std::fs::read_to_string(&script).unwrap(), text);
        }
        let names = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(names, 2, "no temporary file left");
    }
}
