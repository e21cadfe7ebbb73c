//! `imds-lint config [PATH]`: the settings in force for a file or folder,
//! which configuration file they come from, and each key's value. The text
//! form is itself valid TOML (provenance in comments), so it can be copied
//! into a configuration file; `--output-format json` is for programs.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use imds_lint_rules::Rule;
use serde_json::{json, Value};

use super::discover::{self, Choice, Resolver};
use super::file::{ConfigError, KEYS};
use super::folder::{FolderSettings, Overrides};
use crate::report::escape;
use crate::run::{Console, Exit};
use crate::{inputs, reason};

/// Show the settings in force for a path: the configuration file they come
/// from, and each key's value.
#[derive(Debug, Clone, clap::Args)]
pub struct ConfigArgs {
    /// The file or folder to show the settings for.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Read this configuration file instead of looking for one.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,

    /// Read no configuration file: defaults only.
    #[arg(long)]
    pub isolated: bool,

    /// How the settings are printed.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = ShowFormat::Text)]
    pub output_format: ShowFormat,
}

impl ConfigArgs {
    /// These arguments with `--config` and `--isolated` given before the
    /// command (`imds-lint --isolated config`) taken in too.
    #[must_use]
    pub fn inherit(&self, outer: &crate::args::Args) -> ConfigArgs {
        ConfigArgs {
            config: self.config.clone().or_else(|| outer.config.clone()),
            isolated: self.isolated || (outer.isolated && self.config.is_none()),
            ..self.clone()
        }
    }
}

/// The formats of `imds-lint config`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// TOML, with where each value comes from in comments.
    Text,
    /// One JSON object.
    Json,
}

/// Runs `imds-lint config`: prints the settings, or why they cannot be
/// read (exit 2).
pub fn run(args: &ConfigArgs, console: &mut Console<'_>) -> Exit {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let shown = match not_there(&args.path) {
        Some(why) => Err(format!("{}: {why}", args.path.display())),
        None => shown_settings(args, &cwd).map_err(|err| err.to_string()),
    };
    match shown {
        Ok(text) => {
            let written = console
                .stdout
                .write_all(text.as_bytes())
                .and_then(|()| console.stdout.flush());
            match written {
                Ok(()) => Exit::Clean,
                // The reader left (`| head`): no one to tell.
                Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => Exit::Clean,
                Err(err) => {
                    let why = reason::output(&err);
                    let _ = writeln!(console.stderr, "error: cannot write output: {why}");
                    Exit::Error
                }
            }
        }
        Err(why) => {
            let _ = writeln!(console.stderr, "error: {}", escape::line(&why));
            Exit::Error
        }
    }
}

/// Why `path` is not there to show settings for (missing, a broken link,
/// in a folder that cannot be searched), in the words a check uses for a
/// path it cannot read: settings shown for a mistyped path would answer
/// a question no one asked.
fn not_there(path: &Path) -> Option<String> {
    let err = fs::metadata(path).err()?;
    let is_link = fs::symlink_metadata(path).is_ok_and(|link| link.file_type().is_symlink());
    Some(if is_link {
        inputs::bad_link(path, &err)
    } else {
        reason::io(&err)
    })
}

/// The settings for `args.path`, rendered in the format asked for.
fn shown_settings(args: &ConfigArgs, cwd: &Path) -> Result<String, ConfigError> {
    let choice = Choice::from_flags(args.config.as_deref(), args.isolated);
    let resolver = Resolver::new(&choice, Overrides::default(), cwd.to_owned())?;

    // A folder's settings come from the folder itself, a file's from the
    // folder holding it.
    let is_dir = args.path.is_dir();
    let folder = if is_dir {
        resolver.for_folder(&args.path)?
    } else {
        resolver.for_file(&args.path)?
    };
    let view = View {
        path: &args.path,
        absolute: discover::absolute(&args.path, cwd),
        is_dir,
        folder: &folder,
        excluded: resolver.excludes_named(&args.path, is_dir),
        isolated: args.isolated,
    };
    Ok(match args.output_format {
        ShowFormat::Text => view.text(),
        ShowFormat::Json => view.json(),
    })
}

/// What is shown about one path.
struct View<'a> {
    path: &'a Path,
    absolute: PathBuf,
    is_dir: bool,
    folder: &'a FolderSettings,
    excluded: bool,
    isolated: bool,
}

impl View<'_> {
    /// Each key: its value as TOML, and whether the file sets it.
    fn entries(&self) -> Vec<(&'static str, String, Value, bool)> {
        let file = &self.folder.file;
        let settings = &self.folder.settings;
        let names = &settings.token_variable;
        let (exclude, extend_exclude) = self.folder.exclude_globs();
        let select = file.select.clone().unwrap_or_else(|| Rule::ALL.to_vec());
        let ignore = file.ignore.clone().unwrap_or_default();
        let per_file: Vec<(String, Vec<Rule>)> = file.per_file_ignores.clone().unwrap_or_default();
        let format = file
            .output_format
            .and_then(|f| f.to_possible_value())
            .map_or_else(|| "full".to_owned(), |v| v.get_name().to_owned());
        let token_ttl = file
            .token_ttl
            .unwrap_or(imds_lint_rules::Settings::default().token_ttl);

        let entries = vec![
            (
                "select",
                toml_rules(&select),
                json!(codes(&select)),
                file.select.is_some(),
            ),
            (
                "ignore",
                toml_rules(&ignore),
                json!(codes(&ignore)),
                file.ignore.is_some(),
            ),
            (
                "exclude",
                toml_strings(&exclude),
                json!(exclude),
                file.exclude.is_some(),
            ),
            (
                "extend-exclude",
                toml_strings(&extend_exclude),
                json!(extend_exclude),
                file.extend_exclude.is_some(),
            ),
            (
                "per-file-ignores",
                toml_table(
                    per_file
                        .iter()
                        .map(|(glob, rules)| (glob.as_str(), toml_rules(rules))),
                ),
                Value::Object(
                    per_file
                        .iter()
                        .map(|(glob, rules)| (glob.clone(), json!(codes(rules))))
                        .collect(),
                ),
                file.per_file_ignores.is_some(),
            ),
            (
                "token-ttl",
                token_ttl.to_string(),
                json!(token_ttl),
                file.token_ttl.is_some(),
            ),
            (
                "token-variable",
                toml_table([
                    ("shell", toml_string(&names.shell)),
                    ("python", toml_string(&names.python)),
                    ("scala", toml_string(&names.scala)),
                ]),
                json!({"shell": names.shell, "python": names.python, "scala": names.scala}),
                file.token_variable_shell.is_some()
                    || file.token_variable_python.is_some()
                    || file.token_variable_scala.is_some(),
            ),
            (
                "output-format",
                toml_string(&format),
                json!(format),
                file.output_format.is_some(),
            ),
        ];
        debug_assert!(entries.iter().map(|e| e.0).eq(KEYS));
        entries
    }

    /// The `per-file-ignores` entries that apply to the path, and the rules
    /// that run on it.
    fn rules_here(&self) -> (Vec<(&str, &[Rule])>, Vec<Rule>) {
        let applied = self.folder.ignores_for(&self.absolute, self.is_dir);
        let rules = self
            .folder
            .settings
            .rules
            .iter()
            .copied()
            .filter(|rule| !applied.iter().any(|(_, rules)| rules.contains(rule)))
            .collect();
        (applied, rules)
    }

    fn source(&self) -> String {
        match &self.folder.origin {
            Some(origin) => origin.shown.display().to_string(),
            None if self.isolated => "--isolated: no configuration file read".to_owned(),
            None => "no configuration file found: defaults".to_owned(),
        }
    }

    fn text(&self) -> String {
        let path = escape::line(&self.path.display().to_string()).into_owned();
        let mut out = String::new();
        let _ = writeln!(out, "# Settings in force for {path}");
        match &self.folder.origin {
            Some(_) => {
                let _ = writeln!(
                    out,
                    "# from {} (\"default\": not set there)",
                    escape::line(&self.source())
                );
            }
            None => {
                let _ = writeln!(out, "# {}", self.source());
            }
        }
        for (key, value, _, set) in self.entries() {
            let mark = if set || self.folder.origin.is_none() {
                ""
            } else {
                "  # default"
            };
            let _ = writeln!(out, "{key} = {value}{mark}");
        }

        let (applied, rules) = self.rules_here();
        let mut ran = if rules.is_empty() {
            "none".to_owned()
        } else {
            codes(&rules).join(", ")
        };
        for (glob, dropped) in &applied {
            let _ = write!(
                ran,
                " (per-file-ignores {} drops {})",
                toml_string(glob),
                codes(dropped).join(", ")
            );
        }
        let _ = writeln!(out, "\n# Rules that run on {path}: {ran}");
        let excluded = if self.excluded {
            "yes (exclude or extend-exclude)"
        } else {
            "no"
        };
        let _ = writeln!(out, "# Excluded: {excluded}");
        out
    }

    fn json(&self) -> String {
        let from = self
            .folder
            .origin
            .as_ref()
            .map(|origin| origin.shown.display().to_string());
        let settings: serde_json::Map<String, Value> = self
            .entries()
            .into_iter()
            .map(|(key, _, value, set)| {
                let source = match (&from, set) {
                    (Some(file), true) => json!(file),
                    _ => json!("default"),
                };
                (key.to_owned(), json!({"value": value, "source": source}))
            })
            .collect();
        let (applied, rules) = self.rules_here();
        let applied: Vec<Value> = applied
            .iter()
            .map(|(glob, rules)| json!({"glob": glob, "rules": codes(rules)}))
            .collect();
        let object = json!({
            "path": self.path.display().to_string(),
            "config_file": from,
            "isolated": self.isolated,
            "settings": settings,
            "rules": codes(&rules),
            "per_file_ignores_applied": applied,
            "excluded": self.excluded,
        });
        // Serializing strings, numbers and lists cannot fail.
        let mut text =
            crate::report::escape::json(serde_json::to_string_pretty(&object).unwrap_or_default());
        text.push('\n');
        text
    }
}

fn codes(rules: &[Rule]) -> Vec<&'static str> {
    rules.iter().map(|rule| rule.code()).collect()
}

fn toml_rules(rules: &[Rule]) -> String {
    toml_strings(rules.iter().map(|rule| rule.code()))
}

fn toml_strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items.into_iter().map(|s| toml_string(s.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// An inline table; keys are quoted, so any glob is a valid key.
fn toml_table<'a>(entries: impl IntoIterator<Item = (&'a str, String)>) -> String {
    let entries: Vec<String> = entries
        .into_iter()
        .map(|(key, value)| {
            let bare = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            let key = if bare {
                key.to_owned()
            } else {
                toml_string(key)
            };
            format!("{key} = {value}")
        })
        .collect();
    if entries.is_empty() {
        "{}".to_owned()
    } else {
        format!("{{ {} }}", entries.join(", "))
    }
}

/// A TOML basic string; control characters are escaped, so nothing in a
/// value reaches the terminal raw, and so is the `#` of `##[`, which
/// GitHub's runner would read as a workflow command.
fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for (i, c) in text.char_indices() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '#' if text[i..].starts_with("##[") => out.push_str("\\u0023"),
            c if c.is_control() || crate::report::escape::is_hidden(c) => {
                let _ = match u32::from(c) {
                    code @ 0..=0xffff => write!(out, "\\u{code:04X}"),
                    code => write!(out, "\\U{code:08X}"),
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::config::file::{parse, Layout};

    #[test]
    fn toml_values_read_back() {
        let text = format!(
            "a = {}\nb = {}\nc = {}\n",
            toml_string("x\"y\\z\u{1b}"),
            toml_strings(["p/", "*.py"]),
            toml_table([
                ("tests/**", toml_rules(&[Rule::Imdsv1OnlyClient])),
                ("k", "1".to_owned())
            ])
        );
        assert!(!text.contains('\u{1b}'));
        // The output is TOML: a config file reader gets the same values.
        let err = parse(&text, Layout::Standalone, Path::new("t")).unwrap_err();
        assert!(err.message.starts_with("unknown key `a`"), "{err}");
        assert_eq!(toml_table(std::iter::empty()), "{}");
    }

    /// `##[` would be an old-style GitHub workflow command in a log: its
    /// `#` is a TOML escape, which reads back as the same text.
    /// Regression (tester): `config` printed it raw.
    #[test]
    fn workflow_commands_are_toml_escapes() {
        let shown = toml_string("x/##[error]y");
        assert_eq!(shown, "\"x/\\u0023#[error]y\"");
        let text = format!("exclude = [{shown}]\n");
        let read = parse(&text, Layout::Standalone, Path::new("t"))
            .unwrap()
            .unwrap();
        assert_eq!(read.exclude, Some(vec!["x/##[error]y".to_owned()]));
        assert_eq!(toml_string("# a ## [b"), "\"# a ## [b\"");
    }

    #[test]
    fn hidden_characters_are_toml_escapes() {
        let shown = toml_string("a\u{200b}b\u{202e}c\u{e0041}");
        assert_eq!(shown, "\"a\\u200Bb\\u202Ec\\U000E0041\"");
        let text = format!("a = {shown}\n");
        let err = parse(&text, Layout::Standalone, Path::new("t")).unwrap_err();
        assert!(err.message.starts_with("unknown key `a`"), "{err}");
    }

    /// The JSON view escapes what a terminal would obey, as the check's
    /// JSON does; a reader decodes the same text. Regression: a key with a
    /// bidi override and a C1 control, and such a path, were written raw.
    #[test]
    fn json_escapes_what_a_terminal_would_obey() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("imds-lint.toml"),
            "[per-file-ignores]\n\"x\\u202e\\u0085\" = [\"IMD001\"]\n",
        )
        .unwrap();
        let args = ConfigArgs {
            path: PathBuf::from("a\u{202e}\u{7f}.sh"),
            config: None,
            isolated: false,
            output_format: ShowFormat::Json,
        };
        let text = shown_settings(&args, root).unwrap();
        for c in ['\u{202e}', '\u{85}', '\u{7f}'] {
            assert!(!text.contains(c), "{c:?} raw in {text}");
        }
        let view: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(view["path"], "a\u{202e}\u{7f}.sh");
        let ignores = &view["settings"]["per-file-ignores"]["value"];
        assert_eq!(
            ignores["x\u{202e}\u{85}"],
            serde_json::json!(["IMD001"]),
            "{ignores}"
        );
    }

    #[test]
    fn shown_text_is_a_config_file_with_the_same_values() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("imds-lint.toml"),
            "ignore = [\"IMD003\"]\nper-file-ignores = { \"tests/\" = [\"IMD001\"] }\n",
        )
        .unwrap();
        let args = ConfigArgs {
            path: PathBuf::from("tests/a.py"),
            config: None,
            isolated: false,
            output_format: ShowFormat::Text,
        };
        let text = shown_settings(&args, root).unwrap();
        assert!(text.contains("# from imds-lint.toml"), "{text}");
        assert!(text.contains("ignore = [\"IMD003\"]\n"), "{text}");
        assert!(text.contains("token-ttl = 21600  # default\n"), "{text}");
        assert!(
            text.contains(
                "# Rules that run on tests/a.py: IMD002 (per-file-ignores \"tests/\" drops IMD001)"
            ),
            "{text}"
        );
        let again = parse(&text, Layout::Standalone, Path::new("shown"))
            .unwrap()
            .unwrap();
        assert_eq!(again.ignore, Some(vec![Rule::Imdsv1OnlyClient]));
        assert_eq!(again.token_ttl, Some(21_600));
    }
}
