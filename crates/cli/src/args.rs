//! The command line: every flag `imds-lint` takes, parsed with clap.

use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use imds_lint_rules::{Rule, Settings};

use crate::report::OutputFormat;

/// The largest token lifetime IMDS accepts, in seconds.
const MAX_TOKEN_TTL: u32 = 21_600;

/// Default `--max-file-size`: 50 MiB. Exported notebooks with large
/// outputs reach tens of megabytes; beyond this a file is more likely data
/// than code, and reading it would only cost memory.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// Find IMDSv1 requests (instance metadata requests without a session
/// token) in notebooks and scripts.
#[derive(Debug, Parser)]
#[command(
    name = "imds-lint",
    version,
    max_term_width = 100,
    after_help = EXIT_CODES
)]
#[allow(clippy::struct_excessive_bools)] // each bool is an independent flag
pub struct Args {
    /// Files and folders to check; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// How findings are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = OutputFormat::Full)]
    pub output_format: OutputFormat,

    /// Write the report to this file instead of standard output (`-`:
    /// standard output); it appears once complete. Errors still go to
    /// standard error.
    #[arg(long, value_name = "PATH")]
    pub output_file: Option<PathBuf>,

    /// The SARIF run's category (`automationDetails.id`), so that several
    /// SARIF uploads for one commit sit side by side [default: imds-lint]
    #[arg(long, value_name = "NAME", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub sarif_category: Option<String>,

    /// Print a count per rule instead of each finding.
    #[arg(long)]
    pub statistics: bool,

    /// Print findings only: no summary line.
    #[arg(short, long)]
    pub quiet: bool,

    /// Skip files and folders matching a gitignore-style glob (repeatable);
    /// applies to paths named on the command line too.
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,

    /// Do not honour .gitignore, .ignore and git's exclude files.
    #[arg(long)]
    pub no_ignore: bool,

    /// The file name standard input stands for; decides how it is read
    /// (`.ipynb`, `.py`, `.sh`...). Without PATHs, implies `-`.
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<PathBuf>,

    /// Only these rules (codes or names, comma-separated or repeated).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_rule)]
    pub select: Vec<Rule>,

    /// Skip these rules (codes or names, comma-separated or repeated).
    #[arg(long, value_name = "CODE", value_delimiter = ',', value_parser = parse_rule)]
    pub ignore: Vec<Rule>,

    /// Lifetime in seconds of the tokens that fixes fetch (1 to 21600).
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = MAX_TOKEN_TTL,
        value_parser = clap::value_parser!(u32).range(1..=i64::from(MAX_TOKEN_TTL))
    )]
    pub token_ttl: u32,

    /// Apply the safe fixes, write the files, and report what is left.
    #[arg(long, conflicts_with = "diff")]
    pub fix: bool,

    /// With --fix or --diff, apply the unsafe fixes too.
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as unified diffs (for `git apply`) instead of
    /// findings; write nothing.
    #[arg(long)]
    pub diff: bool,

    /// With --fix, list each fix applied (with --diff, on standard error).
    #[arg(long)]
    pub show_fixes: bool,

    /// Files larger than this are reported, not read: bytes, or a number
    /// with K, M or G (powers of 1024).
    #[arg(long, value_name = "SIZE", default_value = "50M", value_parser = parse_size)]
    pub max_file_size: u64,

    /// When to color the output; `auto` colors a terminal unless `NO_COLOR`
    /// is set.
    #[arg(long, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Log what the tool does on standard error (`-vv` for more).
    #[arg(short, long, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// Read settings from this file only, for every path (instead of the
    /// nearest imds-lint.toml, .imds-lint.toml or pyproject.toml).
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Read no configuration file: defaults and flags only.
    #[arg(long)]
    pub isolated: bool,

    /// Report `imds-lint: ignore` comments that silenced nothing (on
    /// standard error; they count as findings for the exit code).
    #[arg(long)]
    pub report_unused_ignores: bool,

    /// Which flags with a default were given (configuration files yield to
    /// those only); set by [`Args::parse_from_args`].
    #[arg(skip)]
    pub given: Given,

    /// A command other than checking PATHs.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Commands besides checking, which takes PATHs. A folder named like a
/// command is checked when written as a path: `./rule`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print a rule's documentation, or list the rules.
    Rule(crate::rule::RuleArgs),
    /// Show the settings in force for a path, and the file they come from.
    Config(crate::config::show::ConfigArgs),
    /// Check PATHs as without a command, every word after `check` an option
    /// or a path (for hooks and scripts)
    #[command(disable_help_flag = true, disable_version_flag = true)]
    Check(CheckArgs),
}

/// The words after `check`, parsed again as the options and PATHs of a
/// check (see [`Args::parse_from_args`]).
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Options and PATHs, as without a command.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "OPTIONS AND PATHS"
    )]
    pub words: Vec<std::ffi::OsString>,
}

/// The end of `--help`.
const EXIT_CODES: &str = "Exit codes: 0 nothing found, 1 findings, 2 usage or file errors.";

/// The first word that makes every word after it an option or a path:
/// `imds-lint check config` checks a file named `config`. For hooks and
/// scripts that pass file names they do not know (pre-commit).
const CHECK: &str = "check";

/// `command`'s options and PATHs without its commands: what `imds-lint
/// check` parses.
fn without_commands(command: &clap::Command) -> clap::Command {
    let mut check = clap::Command::new("imds-lint check")
        .bin_name("imds-lint check")
        .about("Check PATHs, every word an option or a path, never a command")
        .max_term_width(100)
        .version(env!("CARGO_PKG_VERSION"))
        .after_help(EXIT_CODES);
    check = check.args(command.get_arguments().cloned());
    check.groups(command.get_groups().cloned())
}

/// Flags with a default value that the command line gave.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    /// `--output-format`.
    pub output_format: bool,
    /// `--token-ttl`.
    pub token_ttl: bool,
}

/// When output is colored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when writing to a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

impl ColorChoice {
    /// Whether to color a stream, given whether it is a terminal and the
    /// value of `NO_COLOR`. An explicit `always` wins over `NO_COLOR`, as the
    /// `NO_COLOR` convention allows.
    pub fn enabled(self, is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty),
        }
    }
}

impl Args {
    /// Parses `args` (program name first), noting which flags with a
    /// default value were given.
    pub fn parse_from_args<I, T>(args: I) -> Result<Args, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let mut args: Vec<std::ffi::OsString> = args.into_iter().map(Into::into).collect();
        let mut command = <Args as clap::CommandFactory>::command();
        if args.iter().any(|word| word == "help") {
            // `imds-lint help check`: the help of what `check` parses.
            let help = without_commands(&command).render_long_help();
            command = command.mut_subcommand(CHECK, |check| check.override_help(help));
        }
        if args.get(1).is_some_and(|word| word == CHECK) {
            args.remove(1);
            return Args::parse_check(args);
        }
        let matches = command.try_get_matches_from_mut(args.clone())?;
        if let Some((CHECK, check)) = matches.subcommand() {
            // `check` after options: the words as written, without it (the
            // last `check` before as many words as it was given).
            let words = check
                .get_many::<std::ffi::OsString>("words")
                .map_or(0, Iterator::count);
            if let Some(at) = (1..args.len() - words).rev().find(|&at| args[at] == CHECK) {
                args.remove(at);
                return Args::parse_check(args);
            }
        }
        Args::from_matches(&mut command, &matches)
    }

    /// Parses `args` (program name first) as the options and PATHs that
    /// follow `check`.
    fn parse_check(args: Vec<std::ffi::OsString>) -> Result<Args, clap::Error> {
        let mut command = without_commands(&<Args as clap::CommandFactory>::command());
        let matches = command.try_get_matches_from_mut(args)?;
        Args::from_matches(&mut command, &matches)
    }

    /// The arguments `matches` holds, noting which flags with a default
    /// value were given.
    fn from_matches(
        command: &mut clap::Command,
        matches: &clap::ArgMatches,
    ) -> Result<Args, clap::Error> {
        let mut args = <Args as clap::FromArgMatches>::from_arg_matches(matches)
            .map_err(|err| err.format(command))?;
        let given =
            |id: &str| matches.value_source(id) == Some(clap::parser::ValueSource::CommandLine);
        args.given = Given {
            output_format: given("output_format"),
            token_ttl: given("token_ttl"),
        };
        Ok(args)
    }

    /// The paths to check: `.` when none are given, `-` when only
    /// `--stdin-filename` is.
    pub fn paths(&self) -> Vec<PathBuf> {
        if !self.paths.is_empty() {
            return self.paths.clone();
        }
        let default = if self.stdin_filename.is_some() {
            "-"
        } else {
            "."
        };
        vec![PathBuf::from(default)]
    }

    /// The file `--output-file` names; `None` for standard output: no
    /// flag, `-`, which stands for standard output as it stands for
    /// standard input among the PATHs, or a name of the process's own
    /// standard output (`/dev/stdout`, `/proc/self/fd/1`).
    pub fn report_file(&self) -> Option<&Path> {
        self.output_file.as_deref().filter(|path| {
            *path != Path::new("-") && !crate::output_file::names_standard_output(path)
        })
    }

    /// The rule settings the flags ask for.
    pub fn settings(&self) -> Settings {
        let mut settings = Settings::default();
        if !self.select.is_empty() {
            settings.rules.retain(|rule| self.select.contains(rule));
        }
        settings.rules.retain(|rule| !self.ignore.contains(rule));
        settings.token_ttl = self.token_ttl;
        settings
    }
}

fn parse_rule(value: &str) -> Result<Rule, String> {
    Rule::from_code(value.trim()).ok_or_else(|| {
        let known: Vec<&str> = Rule::ALL.iter().map(|rule| rule.code()).collect();
        format!("unknown rule `{value}` (known: {})", known.join(", "))
    })
}

/// Reads a size: a number of bytes, optionally followed by K, M or G
/// (powers of 1024) and an optional `B` or `iB`.
pub fn parse_size(value: &str) -> Result<u64, String> {
    let text = value.trim();
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, unit) = text.split_at(digits);
    let number: u64 = number
        .parse()
        .map_err(|_| format!("`{value}` is not a size (examples: 1048576, 512K, 50M, 1G)"))?;
    if unit.starts_with(['.', ',']) {
        return Err(format!(
            "`{value}` is not a whole number (write 1536K rather than 1.5M)"
        ));
    }
    let factor: u64 = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" | "KIB" => 1 << 10,
        "M" | "MB" | "MIB" => 1 << 20,
        "G" | "GB" | "GIB" => 1 << 30,
        _ => return Err(format!("`{value}` has an unknown unit (use K, M or G)")),
    };
    let size = number
        .checked_mul(factor)
        .ok_or_else(|| format!("`{value}` is too large"))?;
    if size == 0 {
        return Err("the size limit must be at least one byte".to_owned());
    }
    Ok(size)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("imds-lint").chain(args.iter().copied()))
    }

    #[test]
    fn defaults_check_the_current_folder_with_every_rule() {
        let args = parse(&[]).unwrap();
        assert_eq!(args.paths(), vec![PathBuf::from(".")]);
        assert_eq!(args.settings().rules, Rule::ALL.to_vec());
        assert_eq!(args.max_file_size, DEFAULT_MAX_FILE_SIZE);
        assert_eq!(args.output_format, OutputFormat::Full);
    }

    #[test]
    fn stdin_filename_alone_reads_stdin() {
        let args = parse(&["--stdin-filename", "init.sh"]).unwrap();
        assert_eq!(args.paths(), vec![PathBuf::from("-")]);
        let args = parse(&["--stdin-filename", "init.sh", "a.py"]).unwrap();
        assert_eq!(args.paths(), vec![PathBuf::from("a.py")]);
    }

    #[test]
    fn select_and_ignore_take_codes_and_names() {
        let args = parse(&[
            "--select",
            "IMD001,imd003",
            "--ignore",
            "imdsv1-only-client",
        ])
        .unwrap();
        assert_eq!(
            args.settings().rules,
            vec![Rule::MetadataRequestWithoutToken]
        );
        assert!(parse(&["--select", "IMD999"]).is_err());
    }

    #[test]
    fn the_rule_command_leaves_paths_alone() {
        let args = parse(&["rule", "IMD001"]).unwrap();
        assert!(args.paths.is_empty());
        assert!(
            matches!(&args.command, Some(Command::Rule(r)) if r.rule.as_deref() == Some("IMD001"))
        );
        // Only as the first word: after a path, or written as a path, it is one.
        let args = parse(&["jobs", "rule"]).unwrap();
        assert_eq!(
            args.paths,
            vec![PathBuf::from("jobs"), PathBuf::from("rule")]
        );
        assert!(args.command.is_none());
        assert!(parse(&["./rule"]).unwrap().command.is_none());
        assert!(parse(&["rule"]).is_err(), "a rule or --all is needed");
        assert!(parse(&["rule", "IMD001", "--all"]).is_err());
    }

    /// Found by a fresh tester in the tenth session: pre-commit passes
    /// file names after the hook's entry, and a staged file named `config`
    /// that came first ran `imds-lint config`, which checked nothing and
    /// passed. After `check`, every word is an option or a path.
    #[test]
    fn after_check_every_word_is_an_option_or_a_path() {
        let parse = |args: &[&str]| {
            Args::parse_from_args(std::iter::once("imds-lint").chain(args.iter().copied()))
        };
        let args = parse(&["check", "config", "a.sh"]).unwrap();
        assert!(args.command.is_none());
        assert_eq!(args.paths, [PathBuf::from("config"), PathBuf::from("a.sh")]);

        let args = parse(&["check", "--fix", "rule", "help"]).unwrap();
        assert!(args.fix);
        assert_eq!(args.paths, [PathBuf::from("rule"), PathBuf::from("help")]);

        let args = parse(&["check", "--output-format", "concise"]).unwrap();
        assert_eq!(args.output_format, OutputFormat::Concise);
        assert!(args.given.output_format);
        assert_eq!(args.paths(), [PathBuf::from(".")]);

        // Its help names it; unknown flags are still errors.
        let help = parse(&["check", "--help"]).unwrap_err();
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(
            help.to_string()
                .contains("imds-lint check [OPTIONS] [PATH]..."),
            "{help}"
        );
        assert!(parse(&["check", "--no-such-flag"]).is_err());

        // After options, as a command does.
        let args = parse(&["-q", "check", "--fix", "config"]).unwrap();
        assert!(args.quiet && args.fix && args.command.is_none());
        assert_eq!(args.paths, [PathBuf::from("config")]);
        let args = parse(&["-q", "check", "--", "rule"]).unwrap();
        assert_eq!(args.paths, [PathBuf::from("rule")]);
        let help = parse(&["help", "check"]).unwrap_err();
        assert!(
            help.to_string()
                .contains("imds-lint check [OPTIONS] [PATH]..."),
            "{help}"
        );

        // After a path, a path.
        let args = parse(&["jobs", "check"]).unwrap();
        assert_eq!(args.paths, [PathBuf::from("jobs"), PathBuf::from("check")]);
    }

    #[test]
    fn output_file_and_sarif_category() {
        let args = parse(&["--output-file", "out.sarif", "--sarif-category", "jobs"]).unwrap();
        assert_eq!(args.output_file, Some(PathBuf::from("out.sarif")));
        assert_eq!(args.sarif_category.as_deref(), Some("jobs"));
        assert_eq!(args.report_file(), Some(Path::new("out.sarif")));
        assert_eq!(parse(&["--output-file", "-"]).unwrap().report_file(), None);
        let named_dash = parse(&["--output-file", "./-"]).unwrap();
        assert_eq!(named_dash.report_file(), Some(Path::new("./-")));
        assert!(parse(&["--sarif-category", ""]).is_err());
    }

    #[test]
    fn flags_given_are_told_from_defaults() {
        let parse_given = |args: &[&str]| {
            Args::parse_from_args(std::iter::once("imds-lint").chain(args.iter().copied()))
                .unwrap()
                .given
        };
        assert_eq!(parse_given(&[]), Given::default());
        let given = parse_given(&["--output-format", "full", "--token-ttl", "21600"]);
        assert!(given.output_format && given.token_ttl);
        assert!(Args::parse_from_args(["imds-lint", "--config", "a.toml", "--isolated"]).is_err());
    }

    #[test]
    fn token_ttl_is_bounded_like_imds() {
        assert_eq!(
            parse(&["--token-ttl", "300"]).unwrap().settings().token_ttl,
            300
        );
        assert!(parse(&["--token-ttl", "0"]).is_err());
        assert!(parse(&["--token-ttl", "21601"]).is_err());
    }

    #[test]
    fn fix_and_diff_exclude_each_other() {
        let err = parse(&["--fix", "--diff"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        let args = parse(&["--fix", "--unsafe-fixes", "--show-fixes"]).unwrap();
        assert!(args.fix && args.unsafe_fixes && args.show_fixes && !args.diff);
        assert!(parse(&["--diff"]).unwrap().diff);
    }

    #[test]
    fn sizes_with_units() {
        assert_eq!(parse_size("1024"), Ok(1024));
        assert_eq!(parse_size("512K"), Ok(512 * 1024));
        assert_eq!(parse_size("50MiB"), Ok(50 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert!(parse_size("ten").is_err());
        assert!(parse_size("5T").is_err());
        assert!(parse_size("1.5M").is_err_and(|e| e.contains("1536K")));
        assert!(parse_size("0").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
    }

    #[test]
    fn no_color_only_matters_for_auto() {
        let set = Some(std::ffi::OsStr::new("1"));
        let empty = Some(std::ffi::OsStr::new(""));
        assert!(ColorChoice::Auto.enabled(true, None));
        assert!(ColorChoice::Auto.enabled(true, empty));
        assert!(!ColorChoice::Auto.enabled(true, set));
        assert!(!ColorChoice::Auto.enabled(false, None));
        assert!(ColorChoice::Always.enabled(false, set));
        assert!(!ColorChoice::Never.enabled(true, None));
    }
}
