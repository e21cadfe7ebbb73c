//! wget's command line: URLs, `--header`, `--method` and the POST options.

use super::argv::{Parsed, Word};
use super::options::{
    carried_options, scan, shell_word, written_value, Arg, Carried, Carry, OptionValue, Spec,
    TokenOption, UnshownRoute,
};
use crate::request::{Header, Method};
use crate::text::Text;

/// Long options that take a value (GNU Wget 1.21), without `--`.
const LONG_VALUED: &[&str] = &[
    "execute",
    "output-file",
    "append-output",
    "report-speed",
    "input-file",
    "base",
    "config",
    "rejected-log",
    "tries",
    "retry-on-http-error",
    "output-document",
    "backups",
    "start-pos",
    "progress",
    "timeout",
    "dns-timeout",
    "connect-timeout",
    "read-timeout",
    "wait",
    "waitretry",
    "quota",
    "bind-address",
    "bind-dns-address",
    "dns-servers",
    "limit-rate",
    "restrict-file-names",
    "prefer-family",
    "user",
    "password",
    "use-askpass",
    "local-encoding",
    "remote-encoding",
    "directory-prefix",
    "cut-dirs",
    "http-user",
    "http-password",
    "default-page",
    "header",
    "compression",
    "max-redirect",
    "proxy-user",
    "proxy-password",
    "referer",
    "user-agent",
    "load-cookies",
    "save-cookies",
    "post-data",
    "post-file",
    "method",
    "body-data",
    "body-file",
    "secure-protocol",
    "certificate",
    "certificate-type",
    "private-key",
    "private-key-type",
    "ca-certificate",
    "ca-directory",
    "crl-file",
    "pinnedpubkey",
    "random-file",
    "egd-file",
    "ciphers",
    "hsts-file",
    "ftp-user",
    "ftp-password",
    "warc-file",
    "warc-header",
    "warc-max-size",
    "warc-dedup",
    "warc-tempdir",
    "level",
    "accept",
    "reject",
    "accept-regex",
    "reject-regex",
    "regex-type",
    "domains",
    "exclude-domains",
    "follow-tags",
    "ignore-tags",
    "include-directories",
    "exclude-directories",
];

const SPEC: Spec = Spec {
    short_valued: "eoaiBtOTwQPlARDIXU",
    short_lettered: "n",
    long_valued: LONG_VALUED,
    long_prefix: "",
    stop_at_operand: false,
};

/// The request's time limits, which the token request takes too (see
/// curl's).
const TIME_LIMITS: &[Carried] = &[
    Carried::new("-T", "--timeout", Carry::Number),
    Carried::new("--timeout", "--timeout", Carry::Number),
    Carried::new("--connect-timeout", "--connect-timeout", Carry::Number),
    Carried::new("--read-timeout", "--read-timeout", Carry::Number),
    Carried::new("--dns-timeout", "--dns-timeout", Carry::Number),
];

/// The request's retries and proxy choice, which the token request takes
/// too (see curl's).
const CARRIED: &[Carried] = &[
    Carried::new("-t", "--tries", Carry::Number),
    Carried::new("--tries", "--tries", Carry::Number),
    Carried::new("--waitretry", "--waitretry", Carry::Number),
    Carried::new("--retry-connrefused", "--retry-connrefused", Carry::Flag),
    Carried::new(
        "--retry-on-http-error",
        "--retry-on-http-error",
        Carry::Value,
    ),
    Carried::new("--no-proxy", "--no-proxy", Carry::RouteFlag),
    Carried::new("--proxy-user", "--proxy-user", Carry::Route),
    Carried::new("--proxy-password", "--proxy-password", Carry::Route),
];

/// The wgetrc commands (`-e use_proxy=no`) the token request takes too,
/// as wget names them: without case, `_` or `-`. Proxy ones decide where
/// it goes; the others are retries and time limits.
const CARRIED_COMMANDS: &[(&str, Carry)] = &[
    ("useproxy", Carry::Route),
    ("httpproxy", Carry::Route),
    ("httpsproxy", Carry::Route),
    ("noproxy", Carry::Route),
    ("proxyuser", Carry::Route),
    ("proxypassword", Carry::Route),
    ("tries", Carry::Number),
    ("waitretry", Carry::Number),
    ("retryconnrefused", Carry::Value),
    ("retryonhttperror", Carry::Value),
    ("timeout", Carry::Number),
    ("connecttimeout", Carry::Number),
    ("readtimeout", Carry::Number),
    ("dnstimeout", Carry::Number),
];

/// The request's time limits with a literal number of seconds, to give the
/// token request too: `--timeout` (`-T`) and the connect, read and DNS ones.
pub(super) fn time_limits(words: &[Word], program: usize) -> Vec<TokenOption> {
    carried_options(words, program + 1, &SPEC, TIME_LIMITS, "=").unwrap_or_default()
}

/// The request's options that the token request takes too: its time
/// limits, retries and proxy choice, as options ([`TIME_LIMITS`],
/// [`CARRIED`]) or as `-e` commands ([`CARRIED_COMMANDS`]), which come
/// after the options.
pub(super) fn token_options(
    words: &[Word],
    program: usize,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    let wanted: Vec<Carried> = TIME_LIMITS.iter().chain(CARRIED).copied().collect();
    let mut options = carried_options(words, program + 1, &SPEC, &wanted, "=")?;

    for arg in scan(words, program + 1, &SPEC) {
        let Arg::Option {
            name,
            value: Some(command),
            value_word,
            word: word_of_option,
        } = arg
        else {
            continue;
        };
        if name != "-e" && name != "--execute" {
            continue;
        }
        let Some(carry) = carried_command(&command) else {
            continue;
        };
        let route = carry == Carry::Route;
        let from_word = value_word.filter(|&w| route && !words[w].verbatim);
        if let Some(from) = from_word {
            options.push(TokenOption {
                name: "-e",
                joiner: " ",
                value: Some(written_value(&command)),
                route,
                from_word,
                in_option_word: from == word_of_option,
            });
            continue;
        }
        match command
            .as_literal()
            .filter(|c| shell_word(c, '\'').is_some())
        {
            Some(command) => options.push(TokenOption {
                name: "-e",
                joiner: " ",
                value: Some(OptionValue::Shown(command.to_owned())),
                route,
                from_word: None,
                in_option_word: false,
            }),
            None if route => return Err(UnshownRoute { option: "-e" }),
            None => {}
        }
    }
    Ok(options)
}

/// How a `-e` command is carried to the token request, if it is.
fn carried_command(command: &Text) -> Option<Carry> {
    let (key, _) = command.known_prefix().split_once('=')?;
    let key: String = key
        .trim()
        .chars()
        .filter(|c| !matches!(c, '_' | '-'))
        .map(|c| c.to_ascii_lowercase())
        .collect();
    CARRIED_COMMANDS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, carry)| carry)
}

/// Reads wget's arguments after the program word at `program`.
pub(super) fn parse(words: &[Word], program: usize) -> Option<Parsed> {
    let mut parsed = Parsed::default();
    let mut explicit: Option<Method> = None;
    let mut post = false;

    for arg in scan(words, program + 1, &SPEC) {
        let (name, value) = match arg {
            Arg::Operand { word } => {
                parsed.urls.push((words[word].text.clone(), word));
                continue;
            }
            Arg::Opaque => {
                parsed.opaque = true;
                continue;
            }
            Arg::Option { name, value, .. } => (name, value),
        };

        match (name.as_str(), value) {
            ("-h" | "--help" | "-V" | "--version", _) => return None,
            ("--method", Some(v)) => {
                explicit = Some(v.as_literal().map_or(Method::Unknown, Method::from_name));
            }
            ("--post-data" | "--post-file", _) => post = true,
            ("--header", Some(v)) => push_header(&mut parsed, &v),
            ("-e" | "--execute", Some(v)) => execute(&mut parsed, &v),
            ("--config", _) => parsed.headers.open = true,
            _ => {}
        }
    }

    parsed.method_explicit = explicit.is_some();
    parsed.method = match explicit {
        Some(method) => method,
        None if parsed.opaque => Method::Unknown,
        None if post => Method::Other("POST".to_owned()),
        None => Method::Get,
    };
    Some(parsed)
}

fn push_header(parsed: &mut Parsed, value: &Text) {
    if value.is_unknown() {
        parsed.headers.open = true;
    } else {
        parsed.headers.push(Header::from_line(value));
    }
}

/// `-e 'header = Name: value'` runs a wgetrc command; only `header`
/// matters here, and any command nobody can read may be one.
fn execute(parsed: &mut Parsed, command: &Text) {
    let prefix = command.known_prefix();
    let Some((key, _)) = prefix.split_once('=') else {
        parsed.headers.open |= command.has_unknown();
        return;
    };
    if key.trim().eq_ignore_ascii_case("header") {
        let at = prefix.find('=').map_or(0, |i| i + 1);
        let value = super::options::drop_prefix(command, at);
        let trimmed = value.known_prefix().len() - value.known_prefix().trim_start().len();
        push_header(parsed, &super::options::drop_prefix(&value, trimmed));
    }
}
