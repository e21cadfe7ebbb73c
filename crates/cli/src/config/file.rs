//! One configuration file read and checked: `imds-lint.toml`,
//! `.imds-lint.toml`, or the `[tool.imds-lint]` table of a
//! `pyproject.toml`. Every key and value is checked here, so a mistake is
//! reported with the file, the line, the key and what is allowed, before
//! anything is checked.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use ignore::gitignore::GitignoreBuilder;
use imds_lint_rules::Rule;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::report::OutputFormat;

/// The largest token lifetime IMDS accepts, in seconds.
const MAX_TOKEN_TTL: i64 = 21_600;

/// The keys of a configuration, in the order the documentation gives them.
pub const KEYS: [&str; 8] = [
    "select",
    "ignore",
    "exclude",
    "extend-exclude",
    "per-file-ignores",
    "token-ttl",
    "token-variable",
    "output-format",
];

/// The keys of the `token-variable` table.
const TOKEN_VARIABLE_KEYS: [&str; 3] = ["shell", "python", "scala"];

/// How a file holds its configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// The whole file (`imds-lint.toml`, `.imds-lint.toml`, `--config`).
    Standalone,
    /// The `[tool.imds-lint]` table of a `pyproject.toml`; a file without
    /// it is no configuration.
    Pyproject,
}

impl Layout {
    /// The layout a file's name implies: `pyproject.toml` holds a table.
    pub fn of(path: &Path) -> Layout {
        if path
            .file_name()
            .is_some_and(|name| name == "pyproject.toml")
        {
            Layout::Pyproject
        } else {
            Layout::Standalone
        }
    }

    /// How keys are named in messages about this layout.
    fn prefix(self) -> &'static str {
        match self {
            Layout::Standalone => "",
            Layout::Pyproject => "tool.imds-lint.",
        }
    }
}

/// What one configuration says; `None` for each key it leaves out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFile {
    /// `select`: the rules to run.
    pub select: Option<Vec<Rule>>,
    /// `ignore`: rules not to run.
    pub ignore: Option<Vec<Rule>>,
    /// `exclude`: globs replacing the default excludes.
    pub exclude: Option<Vec<String>>,
    /// `extend-exclude`: globs excluded as well.
    pub extend_exclude: Option<Vec<String>>,
    /// `per-file-ignores`: glob, and the rules not run on files it matches,
    /// in file order.
    pub per_file_ignores: Option<Vec<(String, Vec<Rule>)>>,
    /// `token-ttl`: seconds, 1..=21600.
    pub token_ttl: Option<u32>,
    /// `token-variable.shell`.
    pub token_variable_shell: Option<String>,
    /// `token-variable.python`.
    pub token_variable_python: Option<String>,
    /// `token-variable.scala`.
    pub token_variable_scala: Option<String>,
    /// `output-format`.
    pub output_format: Option<OutputFormat>,
}

/// A configuration that cannot be used: the file, the line when known,
/// and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ConfigError {
    /// The file as printed.
    pub file: PathBuf,
    /// 1-based line of the key or value at fault.
    pub line: Option<usize>,
    /// What is wrong, and what is allowed.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.file.display(), self.message),
            None => write!(f, "{}: {}", self.file.display(), self.message),
        }
    }
}

impl ConfigError {
    /// An error about the file as a whole.
    pub fn file(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_owned(),
            line: None,
            message: message.into(),
        }
    }
}

/// Reads the configuration in `text`, the content of the file printed as
/// `shown`. `Ok(None)`: a `pyproject.toml` without `[tool.imds-lint]`.
/// Whether a `pyproject.toml`'s text holds a `tool.imds_lint` table, the
/// spelling of Python package names, which is not read. Text that is not
/// TOML holds none.
pub fn has_underscore_table(text: &str) -> bool {
    text.contains("imds_lint")
        && DeTable::parse(text).is_ok_and(|document| {
            document
                .get_ref()
                .get("tool")
                .and_then(|tool| tool.get_ref().as_table())
                .is_some_and(|tool| tool.contains_key("imds_lint"))
        })
}

pub fn parse(text: &str, layout: Layout, shown: &Path) -> Result<Option<ConfigFile>, ConfigError> {
    let reader = Reader {
        text,
        shown,
        prefix: layout.prefix(),
    };
    let document = DeTable::parse(text).map_err(|err| {
        let line = err.span().map(|span| reader.line(span.start));
        let message = err.message().lines().next().unwrap_or("").trim().to_owned();
        ConfigError {
            file: shown.to_owned(),
            line,
            message: format!("invalid TOML: {message}"),
        }
    })?;

    let table = match layout {
        Layout::Standalone => document.get_ref(),
        Layout::Pyproject => {
            // Other tools' tables are none of our business, whatever they hold.
            let Some(ours) = document
                .get_ref()
                .get("tool")
                .and_then(|tool| tool.get_ref().as_table())
                .and_then(|tool| tool.get("imds-lint"))
            else {
                return Ok(None);
            };
            match ours.get_ref() {
                DeValue::Table(table) => table,
                other => {
                    return Err(reader.error(
                        ours.span(),
                        format!(
                            "bad value for `tool.imds-lint`: expected a table, found {}",
                            kind(other)
                        ),
                    ))
                }
            }
        }
    };
    reader.config(table).map(Some)
}

/// Reads the keys of one table, naming them as the file spells them.
struct Reader<'a> {
    text: &'a str,
    shown: &'a Path,
    prefix: &'static str,
}

impl Reader<'_> {
    fn config(&self, table: &DeTable<'_>) -> Result<ConfigFile, ConfigError> {
        let mut config = ConfigFile::default();
        for (key, value) in in_file_order(table) {
            let name = key.get_ref().as_ref();
            match name {
                "select" => config.select = Some(self.rules(name, value)?),
                "ignore" => config.ignore = Some(self.rules(name, value)?),
                "exclude" => config.exclude = Some(self.globs(name, value)?),
                "extend-exclude" => config.extend_exclude = Some(self.globs(name, value)?),
                "per-file-ignores" => {
                    config.per_file_ignores = Some(self.per_file_ignores(name, value)?);
                }
                "token-ttl" => config.token_ttl = Some(self.token_ttl(name, value)?),
                "token-variable" => self.token_variable(name, value, &mut config)?,
                "output-format" => config.output_format = Some(self.output_format(name, value)?),
                _ => return Err(self.unknown_key(key, "", &KEYS)),
            }
        }
        Ok(config)
    }

    /// A list of rule codes or names.
    fn rules(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<Rule>, ConfigError> {
        let mut rules = Vec::new();
        for item in self.strings(key, value, "a list of rule codes or names")? {
            let Some(rule) = Rule::from_code(item.get_ref().trim()) else {
                return Err(self.bad_value(
                    key,
                    item.span(),
                    format!(
                        "unknown rule `{}`; expected rule codes or names: {}",
                        item.get_ref(),
                        known_rules()
                    ),
                ));
            };
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        Ok(rules)
    }

    /// A list of gitignore-style globs.
    fn globs(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<Vec<String>, ConfigError> {
        let globs = self.strings(key, value, "a list of gitignore-style globs")?;
        for glob in &globs {
            self.glob(key, glob)?;
        }
        Ok(globs.into_iter().map(Spanned::into_inner).collect())
    }

    fn glob(&self, key: &str, glob: &Spanned<String>) -> Result<(), ConfigError> {
        if glob.get_ref().trim().is_empty() {
            return Err(self.bad_value(
                key,
                glob.span(),
                "an empty glob matches nothing".to_owned(),
            ));
        }
        let mut builder = GitignoreBuilder::new("/");
        builder
            .add_line(None, &super::glob_line(glob.get_ref()))
            .map_err(|err| {
                self.bad_value(
                    key,
                    glob.span(),
                    format!("invalid glob `{}`: {err}", glob.get_ref()),
                )
            })?;
        Ok(())
    }

    /// A table of glob = list of rule codes.
    fn per_file_ignores(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<Vec<(String, Vec<Rule>)>, ConfigError> {
        let DeValue::Table(table) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                format!(
                    "expected a table of glob = [rule codes], such as {{ \"tests/**\" = [\"IMD001\"] }}, found {}",
                    kind(value.get_ref())
                ),
            ));
        };
        let mut ignores = Vec::new();
        for (glob, rules) in in_file_order(table) {
            let glob = Spanned::new(glob.span(), glob.get_ref().to_string());
            let entry = format!("{key}.\"{}\"", glob.get_ref());
            if glob.get_ref().starts_with('!') {
                return Err(self.bad_value(
                    &entry,
                    glob.span(),
                    "negated globs (`!`) are not supported here; list the files to ignore"
                        .to_owned(),
                ));
            }
            self.glob(&entry, &glob)?;
            ignores.push((glob.into_inner(), self.rules(&entry, rules)?));
        }
        Ok(ignores)
    }

    fn token_ttl(&self, key: &str, value: &Spanned<DeValue<'_>>) -> Result<u32, ConfigError> {
        let expected = format!("expected an integer from 1 to {MAX_TOKEN_TTL} (seconds)");
        let DeValue::Integer(integer) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                format!("{expected}, found {}", kind(value.get_ref())),
            ));
        };
        let seconds = i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .filter(|s| (1..=MAX_TOKEN_TTL).contains(s))
            .and_then(|s| u32::try_from(s).ok());
        seconds.ok_or_else(|| self.bad_value(key, value.span(), format!("{integer}; {expected}")))
    }

    fn token_variable(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        config: &mut ConfigFile,
    ) -> Result<(), ConfigError> {
        let DeValue::Table(table) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                format!(
                    "expected a table with `shell`, `python` and `scala` names, found {}",
                    kind(value.get_ref())
                ),
            ));
        };
        for (lang, name) in in_file_order(table) {
            let entry = format!("{key}.{}", lang.get_ref());
            let language = match lang.get_ref().as_ref() {
                "shell" => Language::Shell,
                "python" => Language::Python,
                "scala" => Language::Scala,
                _ => return Err(self.unknown_key(lang, "token-variable.", &TOKEN_VARIABLE_KEYS)),
            };
            let Some(text) = name.get_ref().as_str() else {
                return Err(self.bad_value(
                    &entry,
                    name.span(),
                    format!(
                        "expected a {} variable name, found {}",
                        language.label(),
                        kind(name.get_ref())
                    ),
                ));
            };
            if let Err(why) = language.check_name(text) {
                return Err(self.bad_value(&entry, name.span(), why));
            }
            let slot = match language {
                Language::Shell => &mut config.token_variable_shell,
                Language::Python => &mut config.token_variable_python,
                Language::Scala => &mut config.token_variable_scala,
            };
            *slot = Some(text.to_owned());
        }
        Ok(())
    }

    fn output_format(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<OutputFormat, ConfigError> {
        let names: Vec<String> = OutputFormat::value_variants()
            .iter()
            .filter_map(ValueEnum::to_possible_value)
            .map(|value| value.get_name().to_owned())
            .collect();
        let expected = format!("expected one of {}", names.join(", "));
        let Some(text) = value.get_ref().as_str() else {
            return Err(self.bad_value(
                key,
                value.span(),
                format!("{expected}, found {}", kind(value.get_ref())),
            ));
        };
        OutputFormat::from_str(text, false)
            .map_err(|_| self.bad_value(key, value.span(), format!("`{text}`; {expected}")))
    }

    /// The strings of a list, each with its place.
    fn strings(
        &self,
        key: &str,
        value: &Spanned<DeValue<'_>>,
        expected: &str,
    ) -> Result<Vec<Spanned<String>>, ConfigError> {
        let DeValue::Array(items) = value.get_ref() else {
            return Err(self.bad_value(
                key,
                value.span(),
                format!("expected {expected}, found {}", kind(value.get_ref())),
            ));
        };
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(text) => Ok(Spanned::new(item.span(), text.to_string())),
                other => Err(self.bad_value(
                    key,
                    item.span(),
                    format!("expected {expected}, found {} in the list", kind(other)),
                )),
            })
            .collect()
    }

    fn unknown_key(
        &self,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        table: &str,
        known: &[&str],
    ) -> ConfigError {
        self.error(
            key.span(),
            format!(
                "unknown key `{}{table}{}`; known keys: {}",
                self.prefix,
                key.get_ref(),
                known.join(", ")
            ),
        )
    }

    fn bad_value(&self, key: &str, span: Range<usize>, mut why: String) -> ConfigError {
        why.insert_str(0, &format!("bad value for `{}{key}`: ", self.prefix));
        self.error(span, why)
    }

    fn error(&self, span: Range<usize>, message: String) -> ConfigError {
        ConfigError {
            file: self.shown.to_owned(),
            line: Some(self.line(span.start)),
            message,
        }
    }

    /// The 1-based line of byte `offset`.
    fn line(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        memchr::memchr_iter(b'\n', &self.text.as_bytes()[..end]).count() + 1
    }
}

/// The languages a token variable is named for.
#[derive(Debug, Clone, Copy)]
enum Language {
    Shell,
    Python,
    Scala,
}

impl Language {
    fn label(self) -> &'static str {
        match self {
            Language::Shell => "shell",
            Language::Python => "Python",
            Language::Scala => "Scala",
        }
    }

    /// Whether fixes can write `name` as a variable in this language.
    fn check_name(self, name: &str) -> Result<(), String> {
        let label = self.label();
        let mut chars = name.chars();
        let first_ok = chars.next().is_some_and(|c| match self {
            Language::Python => c.is_alphabetic() || c == '_',
            Language::Shell | Language::Scala => c.is_ascii_alphabetic() || c == '_',
        });
        let rest_ok = chars.all(|c| match self {
            Language::Python => c.is_alphanumeric() || c == '_',
            Language::Shell | Language::Scala => c.is_ascii_alphanumeric() || c == '_',
        });
        let letters = match self {
            Language::Python => "letters, digits and `_`",
            Language::Shell | Language::Scala => "ASCII letters, digits and `_`",
        };
        if !first_ok || !rest_ok {
            return Err(format!(
                "`{name}` is not a {label} variable name; expected {letters}, not starting with a digit"
            ));
        }
        let reserved = match self {
            Language::Shell => &[][..],
            Language::Python => &PYTHON_KEYWORDS[..],
            Language::Scala => &SCALA_RESERVED[..],
        };
        if reserved.contains(&name) || (matches!(self, Language::Scala) && name == "_") {
            return Err(format!(
                "`{name}` is a {label} keyword; expected a {label} variable name"
            ));
        }
        // A fix assigns the token to the variable: one the code or the
        // programs it runs already rely on would break them.
        if let Some(what) = self.taken(name) {
            return Err(format!(
                "`{name}` is {what}; expected a {label} variable name of its own"
            ));
        }
        Ok(())
    }

    /// What `name` already is for code in this language, if it is taken.
    fn taken(self, name: &str) -> Option<&'static str> {
        match self {
            Language::Shell => {
                let special = listed(SHELL_VARIABLES, name)
                    || SHELL_VARIABLE_PREFIXES.iter().any(|p| name.starts_with(p));
                special.then_some("a variable the shell or common programs use")
            }
            Language::Python if listed(PYTHON_BUILTINS, name) => Some("a Python builtin"),
            Language::Python if listed(NOTEBOOK_GLOBALS, name) => {
                Some("a name Databricks and IPython notebooks define")
            }
            Language::Python | Language::Scala => None,
        }
    }
}

/// Whether `name` is one of the blank-separated `names`.
fn listed(names: &str, name: &str) -> bool {
    names.split_ascii_whitespace().any(|n| n == name)
}

/// Variables the shell sets or reads, and ones common programs read
/// from the environment (assigning one already exported changes it for
/// every later command).
const SHELL_VARIABLES: &str = "\
    ALL_PROXY BASH BASHOPTS BASHPID CDPATH COLUMNS COMP_WORDBREAKS COPROC DIRSTACK DISPLAY \
    EDITOR ENV EPOCHREALTIME EPOCHSECONDS EUID FCEDIT FIGNORE FTP_PROXY FUNCNAME GLOBIGNORE \
    GROUPS HISTCMD HISTCONTROL HISTFILE HISTFILESIZE HISTIGNORE HISTSIZE HISTTIMEFORMAT HOME \
    HOSTFILE HOSTNAME HOSTTYPE HTTPS_PROXY HTTP_PROXY IFS IGNOREEOF INPUTRC LANG LANGUAGE LINENO \
    LINES LOGNAME MACHTYPE MAIL MAILCHECK MAILPATH MAPFILE NO_PROXY OLDPWD OPTARG OPTERR OPTIND \
    OSTYPE PAGER PATH PIPESTATUS POSIXLY_CORRECT PPID PROMPT_COMMAND PROMPT_DIRTRIM PS0 PS1 PS2 \
    PS3 PS4 PWD RANDOM READLINE_LINE READLINE_POINT REPLY SECONDS SHELL SHELLOPTS SHLVL SRANDOM \
    TERM TIMEFORMAT TMOUT TMPDIR TZ UID USER VISUAL all_proxy argv cdpath fpath ftp_proxy \
    http_proxy https_proxy manpath no_proxy path pipestatus prompt status";

/// Families of such variables: locales, bash's own, the dynamic linker's.
const SHELL_VARIABLE_PREFIXES: [&str; 3] = ["LC_", "BASH_", "LD_"];

/// The names of Python 3's `builtins` module (3.11, and the two 3.13
/// added), but the keywords `False`, `None` and `True`.
const PYTHON_BUILTINS: &str = "\
    ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup \
    BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError \
    ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError \
    DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception \
    ExceptionGroup FileExistsError FileNotFoundError FloatingPointError FutureWarning \
    GeneratorExit IOError ImportError ImportWarning IndentationError IndexError InterruptedError \
    IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError ModuleNotFoundError \
    NameError NotADirectoryError NotImplemented NotImplementedError OSError OverflowError \
    PendingDeprecationWarning PermissionError ProcessLookupError PythonFinalizationError \
    RecursionError ReferenceError ResourceWarning RuntimeError RuntimeWarning StopAsyncIteration \
    StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError \
    TypeError UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError \
    UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ZeroDivisionError \
    _IncompleteInputError __build_class__ __debug__ __doc__ __import__ __loader__ __name__ \
    __package__ __spec__ abs aiter all anext any ascii bin bool breakpoint bytearray bytes \
    callable chr classmethod compile complex copyright credits delattr dict dir divmod enumerate \
    eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input \
    int isinstance issubclass iter len license list locals map max memoryview min next object \
    oct open ord pow print property quit range repr reversed round set setattr slice sorted \
    staticmethod str sum super tuple type vars zip";

/// Names Databricks notebooks (`spark`, `dbutils`...) and IPython define
/// before the first cell runs.
const NOTEBOOK_GLOBALS: &str = "\
    In Out dbutils display displayHTML get_ipython getArgument sc spark sqlContext";

/// Words Python does not accept as a variable name.
const PYTHON_KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Words Scala 2 and 3 reserve.
const SCALA_RESERVED: [&str; 44] = [
    "abstract",
    "case",
    "catch",
    "class",
    "def",
    "do",
    "else",
    "enum",
    "export",
    "extends",
    "false",
    "final",
    "finally",
    "for",
    "forSome",
    "given",
    "if",
    "implicit",
    "import",
    "lazy",
    "macro",
    "match",
    "new",
    "null",
    "object",
    "override",
    "package",
    "private",
    "protected",
    "return",
    "sealed",
    "super",
    "then",
    "this",
    "throw",
    "trait",
    "true",
    "try",
    "type",
    "val",
    "var",
    "while",
    "with",
    "yield",
];

/// A table's entries in the order the file writes them (the parsed table
/// sorts its keys), so that the first mistake is the one reported.
fn in_file_order<'t, 'i>(
    table: &'t DeTable<'i>,
) -> Vec<(
    &'t Spanned<std::borrow::Cow<'i, str>>,
    &'t Spanned<DeValue<'i>>,
)> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(key, _)| key.span().start);
    entries
}

/// `IMD001 (metadata-request-without-token), ...`
fn known_rules() -> String {
    Rule::ALL
        .iter()
        .map(|rule| format!("{} ({})", rule.code(), rule.name()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A TOML value's type, with its article, for messages.
fn kind(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Option<ConfigFile>, String> {
        parse(text, Layout::Standalone, Path::new("imds-lint.toml")).map_err(|e| e.to_string())
    }

    fn error(text: &str) -> String {
        read(text).unwrap_err()
    }

    #[test]
    fn every_key_is_read() {
        let text = r#"
select = ["IMD001", "malformed-token-request", "imd003"]
ignore = ["IMD003"]
exclude = ["vendor/"]
extend-exclude = ["*.gen.py"]
token-ttl = 300
output-format = "concise"

[per-file-ignores]
"tests/**" = ["IMD001"]
"*.ipynb" = ["IMD002", "IMD003"]

[token-variable]
shell = "TOKEN"
python = "tok"
scala = "tok"
"#;
        let config = read(text).unwrap().unwrap();
        assert_eq!(config.select, Some(Rule::ALL.to_vec()));
        assert_eq!(config.ignore, Some(vec![Rule::Imdsv1OnlyClient]));
        assert_eq!(config.exclude, Some(vec!["vendor/".to_owned()]));
        assert_eq!(config.extend_exclude, Some(vec!["*.gen.py".to_owned()]));
        assert_eq!(config.token_ttl, Some(300));
        assert_eq!(config.output_format, Some(OutputFormat::Concise));
        assert_eq!(
            config.per_file_ignores,
            Some(vec![
                (
                    "tests/**".to_owned(),
                    vec![Rule::MetadataRequestWithoutToken]
                ),
                (
                    "*.ipynb".to_owned(),
                    vec![Rule::MalformedTokenRequest, Rule::Imdsv1OnlyClient]
                ),
            ])
        );
        assert_eq!(config.token_variable_shell.as_deref(), Some("TOKEN"));
        assert_eq!(config.token_variable_python.as_deref(), Some("tok"));
        assert_eq!(config.token_variable_scala.as_deref(), Some("tok"));
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        assert_eq!(read("").unwrap(), Some(ConfigFile::default()));
    }

    #[test]
    fn unknown_keys_name_the_known_ones() {
        assert_eq!(
            error("ignore = []\nselct = [\"IMD001\"]\n"),
            "imds-lint.toml:2: unknown key `selct`; known keys: select, ignore, exclude, \
             extend-exclude, per-file-ignores, token-ttl, token-variable, output-format"
        );
        assert_eq!(
            error("[token-variable]\nshel = \"T\"\n"),
            "imds-lint.toml:2: unknown key `token-variable.shel`; known keys: shell, python, scala"
        );
    }

    #[test]
    fn the_first_mistake_in_the_file_is_reported() {
        let e = error("zzz = 1\naaa = 2\n");
        assert!(e.starts_with("imds-lint.toml:1: unknown key `zzz`"), "{e}");
    }

    #[test]
    fn bad_rules() {
        assert_eq!(
            error("select = [\"IMD001\",\n  \"IMD009\"]\n"),
            "imds-lint.toml:2: bad value for `select`: unknown rule `IMD009`; expected rule codes \
             or names: IMD001 (metadata-request-without-token), IMD002 (malformed-token-request), \
             IMD003 (imdsv1-only-client)"
        );
        assert_eq!(
            error("ignore = \"IMD001\"\n"),
            "imds-lint.toml:1: bad value for `ignore`: expected a list of rule codes or names, \
             found a string"
        );
        assert_eq!(
            error("ignore = [1]\n"),
            "imds-lint.toml:1: bad value for `ignore`: expected a list of rule codes or names, \
             found an integer in the list"
        );
    }

    #[test]
    fn token_ttl_bounds() {
        let expected = "expected an integer from 1 to 21600 (seconds)";
        assert_eq!(
            error("token-ttl = 0\n"),
            format!("imds-lint.toml:1: bad value for `token-ttl`: 0; {expected}")
        );
        assert_eq!(
            error("token-ttl = 21601\n"),
            format!("imds-lint.toml:1: bad value for `token-ttl`: 21601; {expected}")
        );
        assert_eq!(
            error("token-ttl = \"300\"\n"),
            format!("imds-lint.toml:1: bad value for `token-ttl`: {expected}, found a string")
        );
        assert_eq!(read("token-ttl = 1\n").unwrap().unwrap().token_ttl, Some(1));
        assert_eq!(
            read("token-ttl = 21_600\n").unwrap().unwrap().token_ttl,
            Some(21_600)
        );
        assert!(error("token-ttl = 99999999999999999999\n").contains("token-ttl"));
    }

    #[test]
    fn token_variables_must_be_names_in_their_language() {
        assert_eq!(
            error("token-variable = { python = \"imds-token\" }\n"),
            "imds-lint.toml:1: bad value for `token-variable.python`: `imds-token` is not a \
             Python variable name; expected letters, digits and `_`, not starting with a digit"
        );
        assert_eq!(
            error("token-variable = { python = \"class\" }\n"),
            "imds-lint.toml:1: bad value for `token-variable.python`: `class` is a Python \
             keyword; expected a Python variable name"
        );
        assert!(error("token-variable = { scala = \"val\" }\n").contains("Scala keyword"));
        assert!(error("token-variable = { shell = \"1TOKEN\" }\n").contains("not a shell"));
        assert!(error("token-variable = { shell = \"TOKEN$\" }\n").contains("not a shell"));
        assert!(error("token-variable = { shell = \"\" }\n").contains("not a shell"));
        assert!(error("token-variable = { shell = 1 }\n").contains("found an integer"));
        assert!(error("token-variable = \"T\"\n").contains("expected a table"));
        // Python names may be non-ASCII; shell names may not.
        assert!(read("token-variable = { python = \"jeton_é\" }\n").is_ok());
        assert!(error("token-variable = { shell = \"JETON_É\" }\n").contains("not a shell"));
        // Soft keywords are names.
        assert!(read("token-variable = { python = \"match\" }\n").is_ok());
    }

    #[test]
    fn token_variables_must_not_take_names_the_code_relies_on() {
        // A safe fix wrote `PATH=$(curl ...)`, and every later command of
        // the script was not found; `print = ...` shadowed Python's print.
        assert_eq!(
            error("token-variable = { shell = \"PATH\", python = \"print\" }\n"),
            "imds-lint.toml:1: bad value for `token-variable.shell`: `PATH` is a variable the \
             shell or common programs use; expected a shell variable name of its own"
        );
        assert_eq!(
            error("token-variable = { python = \"print\" }\n"),
            "imds-lint.toml:1: bad value for `token-variable.python`: `print` is a Python \
             builtin; expected a Python variable name of its own"
        );
        for name in [
            "HOME",
            "IFS",
            "PWD",
            "OLDPWD",
            "SHELL",
            "USER",
            "LANG",
            "LC_ALL",
            "LC_CTYPE",
            "TERM",
            "TMPDIR",
            "PS1",
            "PS4",
            "PPID",
            "UID",
            "RANDOM",
            "SECONDS",
            "LINENO",
            "OPTIND",
            "BASH",
            "BASH_ENV",
            "BASH_REMATCH",
            "CDPATH",
            "ENV",
            "MAIL",
            "http_proxy",
        ] {
            let config = format!("token-variable = {{ shell = \"{name}\" }}\n");
            assert!(
                error(&config).contains("shell or common programs"),
                "{name}"
            );
        }
        for name in [
            "len",
            "str",
            "open",
            "id",
            "type",
            "list",
            "dict",
            "input",
            "ValueError",
        ] {
            let config = format!("token-variable = {{ python = \"{name}\" }}\n");
            assert!(error(&config).contains("Python builtin"), "{name}");
        }
        assert!(error("[token-variable]\npython = \"dbutils\"\n")
            .starts_with("imds-lint.toml:2: bad value for `token-variable.python`: `dbutils`"));
        // Names that only look alike are free.
        for config in [
            "token-variable = { shell = \"PATH_TOKEN\" }\n",
            "token-variable = { shell = \"LC\" }\n",
            "token-variable = { shell = \"BASHFUL\" }\n",
            "token-variable = { shell = \"home\" }\n",
            "token-variable = { python = \"Print\" }\n",
            "token-variable = { python = \"id_token\" }\n",
        ] {
            assert!(read(config).is_ok(), "{config}");
        }
    }

    #[test]
    fn output_format_names_the_formats() {
        let e = error("output-format = \"xml\"\n");
        assert!(
            e.starts_with("imds-lint.toml:1: bad value for `output-format`: `xml`; expected one of full, concise, json"),
            "{e}"
        );
        assert_eq!(
            read("output-format = \"json-lines\"\n")
                .unwrap()
                .unwrap()
                .output_format,
            Some(OutputFormat::JsonLines)
        );
    }

    #[test]
    fn globs_are_checked() {
        assert!(error("exclude = [\"[z-a]\"]\n")
            .starts_with("imds-lint.toml:1: bad value for `exclude`: invalid glob `[z-a]`"));
        assert!(error("extend-exclude = [\"\"]\n").contains("an empty glob"));
        assert!(error("per-file-ignores = { \"!x\" = [\"IMD001\"] }\n").contains("negated globs"));
        assert_eq!(
            error("per-file-ignores = { \"t/**\" = [\"IMD0\"] }\n")
                .split(';')
                .next()
                .unwrap(),
            "imds-lint.toml:1: bad value for `per-file-ignores.\"t/**\"`: unknown rule `IMD0`"
        );
        assert!(error("per-file-ignores = [\"t\"]\n").contains("expected a table of glob"));
    }

    #[test]
    fn invalid_toml_gives_the_line() {
        let e = error("select = [\"IMD001\"]\nignore = [\n");
        assert!(e.starts_with("imds-lint.toml:"), "{e}");
        assert!(e.contains("invalid TOML"), "{e}");
        let e = error("a = 1\na = 2\n");
        assert!(e.starts_with("imds-lint.toml:2: invalid TOML"), "{e}");
    }

    #[test]
    fn pyproject_reads_only_its_table() {
        let shown = Path::new("pyproject.toml");
        let without = "[project]\nname = \"x\"\n[tool.ruff]\nselect = [\"E\"]\n";
        assert_eq!(parse(without, Layout::Pyproject, shown).unwrap(), None);
        let with = "[project]\nname = \"x\"\n[tool.imds-lint]\nignore = [\"IMD003\"]\n";
        let config = parse(with, Layout::Pyproject, shown).unwrap().unwrap();
        assert_eq!(config.ignore, Some(vec![Rule::Imdsv1OnlyClient]));

        let bad = "[tool.imds-lint]\nselect = [\"IMD001\"]\nignor = []\n";
        assert_eq!(
            parse(bad, Layout::Pyproject, shown)
                .unwrap_err()
                .to_string(),
            "pyproject.toml:3: unknown key `tool.imds-lint.ignor`; known keys: select, ignore, \
             exclude, extend-exclude, per-file-ignores, token-ttl, token-variable, output-format"
        );
        let not_table = "[tool]\nimds-lint = 1\n";
        assert_eq!(
            parse(not_table, Layout::Pyproject, shown)
                .unwrap_err()
                .to_string(),
            "pyproject.toml:2: bad value for `tool.imds-lint`: expected a table, found an integer"
        );
        assert_eq!(Layout::of(Path::new("a/pyproject.toml")), Layout::Pyproject);
        assert_eq!(
            Layout::of(Path::new("a/imds-lint.toml")),
            Layout::Standalone
        );
    }
}
