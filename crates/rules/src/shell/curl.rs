//! curl's command line: which words are URLs, which headers are sent, and
//! which method is used.
//!
//! `--next` (`-:`) splits one command line into requests of their own:
//! the options before it do not count for the URLs after it. Each request
//! is read from the word its options start after (the program, or the
//! `--next` before them) up to the next `--next`.

use super::argv::{Parsed, Word};
use super::options::{carried_options, scan, Arg, Carried, Carry, Spec, TokenOption, UnshownRoute};
use crate::request::{Header, Headers, Method, TOKEN_HEADER};
use crate::text::Text;

/// Long options that take a value (curl 8), without `--`.
const LONG_VALUED: &[&str] = &[
    "abstract-unix-socket",
    "alt-svc",
    "aws-sigv4",
    "cacert",
    "capath",
    "cert",
    "cert-type",
    "ciphers",
    "config",
    "connect-timeout",
    "connect-to",
    "continue-at",
    "cookie",
    "cookie-jar",
    "create-file-mode",
    "crlfile",
    "curves",
    "data",
    "data-ascii",
    "data-binary",
    "data-raw",
    "data-urlencode",
    "delegation",
    "dns-interface",
    "dns-ipv4-addr",
    "dns-ipv6-addr",
    "dns-servers",
    "doh-url",
    "dump-header",
    "ech",
    "egd-file",
    "engine",
    "etag-compare",
    "etag-save",
    "expect100-timeout",
    "form",
    "form-escape",
    "form-string",
    "ftp-account",
    "ftp-alternative-to-user",
    "ftp-method",
    "ftp-port",
    "ftp-ssl-ccc-mode",
    "happy-eyeballs-timeout-ms",
    "haproxy-clientip",
    "header",
    "hostpubmd5",
    "hostpubsha256",
    "hsts",
    "interface",
    "ip-tos",
    "ipfs-gateway",
    "json",
    "keepalive-cnt",
    "keepalive-time",
    "key",
    "key-type",
    "krb",
    "libcurl",
    "limit-rate",
    "local-port",
    "login-options",
    "mail-auth",
    "mail-from",
    "mail-rcpt",
    "max-filesize",
    "max-redirs",
    "max-time",
    "netrc-file",
    "noproxy",
    "oauth2-bearer",
    "output",
    "output-dir",
    "parallel-max",
    "pass",
    "pinnedpubkey",
    "preproxy",
    "proto",
    "proto-default",
    "proto-redir",
    "proxy",
    "proxy-cacert",
    "proxy-capath",
    "proxy-cert",
    "proxy-cert-type",
    "proxy-ciphers",
    "proxy-crlfile",
    "proxy-header",
    "proxy-key",
    "proxy-key-type",
    "proxy-pass",
    "proxy-pinnedpubkey",
    "proxy-service-name",
    "proxy-tls13-ciphers",
    "proxy-tlsauthtype",
    "proxy-tlspassword",
    "proxy-tlsuser",
    "proxy-user",
    "proxy1.0",
    "pubkey",
    "quote",
    "random-file",
    "range",
    "rate",
    "referer",
    "request",
    "request-target",
    "resolve",
    "retry",
    "retry-delay",
    "retry-max-time",
    "sasl-authzid",
    "service-name",
    "socks4",
    "socks4a",
    "socks5",
    "socks5-gssapi-service",
    "socks5-hostname",
    "speed-limit",
    "speed-time",
    "stderr",
    "telnet-option",
    "tftp-blksize",
    "time-cond",
    "tls-max",
    "tls13-ciphers",
    "tlsauthtype",
    "tlspassword",
    "tlsuser",
    "trace",
    "trace-ascii",
    "trace-config",
    "unix-socket",
    "upload-file",
    "url",
    "url-query",
    "user",
    "user-agent",
    "variable",
    "write-out",
];

const SPEC: Spec = Spec {
    short_valued: "ACDEFHKPQTUXYbcdehmortuwxyz",
    short_lettered: "",
    long_valued: LONG_VALUED,
    long_prefix: "expand-",
    stop_at_operand: false,
};

/// The request's time limits, which the token request takes too: off EC2,
/// or past a container's hop limit, it would otherwise wait where the
/// request gave up.
const TIME_LIMITS: &[Carried] = &[
    Carried::new("-m", "--max-time", Carry::Number),
    Carried::new("--max-time", "--max-time", Carry::Number),
    Carried::new("--connect-timeout", "--connect-timeout", Carry::Number),
];

/// The request's other options that the token request takes too: its
/// retries (a request that retries through a flaky start would otherwise
/// lose its token at the first failure), and its proxy choice (a token
/// request sent to a proxy the request avoids, or the other way round, is
/// not answered by IMDS).
const CARRIED: &[Carried] = &[
    Carried::new("--retry", "--retry", Carry::Number),
    Carried::new("--retry-delay", "--retry-delay", Carry::Number),
    Carried::new("--retry-max-time", "--retry-max-time", Carry::Number),
    Carried::new("--retry-connrefused", "--retry-connrefused", Carry::Flag),
    Carried::new("--retry-all-errors", "--retry-all-errors", Carry::Flag),
    Carried::new("-x", "--proxy", Carry::Route),
    Carried::new("--proxy", "--proxy", Carry::Route),
    Carried::new("--proxy1.0", "--proxy1.0", Carry::Route),
    Carried::new("--preproxy", "--preproxy", Carry::Route),
    Carried::new("--socks4", "--socks4", Carry::Route),
    Carried::new("--socks4a", "--socks4a", Carry::Route),
    Carried::new("--socks5", "--socks5", Carry::Route),
    Carried::new("--socks5-hostname", "--socks5-hostname", Carry::Route),
    Carried::new("-U", "--proxy-user", Carry::Route),
    Carried::new("--proxy-user", "--proxy-user", Carry::Route),
    Carried::new("--noproxy", "--noproxy", Carry::Route),
];

/// The request's time limits with a literal number of seconds, to give the
/// token request too: `--max-time`, `--connect-timeout`.
pub(super) fn time_limits(words: &[Word], program: usize) -> Vec<TokenOption> {
    let words = request_words(words, program);
    carried_options(words, program + 1, &SPEC, TIME_LIMITS, " ").unwrap_or_default()
}

/// The request's options that the token request takes too: its time
/// limits, retries and proxy choice ([`TIME_LIMITS`], [`CARRIED`]).
pub(super) fn token_options(
    words: &[Word],
    program: usize,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    let words = request_words(words, program);
    let wanted: Vec<Carried> = TIME_LIMITS.iter().chain(CARRIED).copied().collect();
    carried_options(words, program + 1, &SPEC, &wanted, " ")
}

/// The index of the word holding the `--next` (`-:`) that ends the request
/// whose options start after word `program`, if one does.
fn next_request(words: &[Word], program: usize) -> Option<usize> {
    scan(words, program + 1, &SPEC)
        .into_iter()
        .find_map(|arg| match arg {
            Arg::Option { name, word, .. } if name == "--next" || name == "-:" => Some(word),
            _ => None,
        })
}

/// The words up to the end of the request whose options start after word
/// `program`.
fn request_words(words: &[Word], program: usize) -> &[Word] {
    &words[..next_request(words, program).unwrap_or(words.len())]
}

/// Reads the arguments of the request whose options start after word
/// `program` (the program's name, or a `--next`), up to the next `--next`.
pub(super) fn parse(words: &[Word], program: usize) -> Option<Parsed> {
    let next = next_request(words, program);
    let words = &words[..next.unwrap_or(words.len())];
    let mut parsed = Parsed {
        next,
        ..Parsed::default()
    };
    let mut explicit: Option<Method> = None;
    let (mut head, mut upload, mut data, mut get) = (false, false, false, false);

    for arg in scan(words, program + 1, &SPEC) {
        let (name, value, value_word) = match arg {
            Arg::Operand { word } => {
                parsed.urls.push((words[word].text.clone(), word));
                continue;
            }
            Arg::Opaque => {
                parsed.opaque = true;
                continue;
            }
            Arg::Option {
                name,
                value,
                value_word,
                ..
            } => (name, value, value_word),
        };

        match (name.as_str(), value) {
            ("-h" | "--help" | "-V" | "--version" | "-M" | "--manual", _) => return None,
            ("-X" | "--request", Some(v)) => {
                explicit = Some(v.as_literal().map_or(Method::Unknown, Method::from_sent));
            }
            ("-I" | "--head", _) => head = true,
            ("-T" | "--upload-file", _) => upload = true,
            ("-G" | "--get", _) => get = true,
            ("-d" | "-F" | "--json", _) => data = true,
            (long, _) if long.starts_with("--data") || long.starts_with("--form") => data = true,
            ("-H" | "--header", Some(v)) => {
                let verbatim = value_word.is_some_and(|w| words[w].verbatim);
                push_header(&mut parsed.headers, &v, verbatim);
            }
            ("-K" | "--config", _) => parsed.headers.open = true,
            ("--url", Some(v)) => {
                if let Some(word) = value_word {
                    parsed.urls.push((v, word));
                }
            }
            _ => {}
        }
    }

    parsed.method_explicit = explicit.is_some();
    parsed.method = match explicit {
        Some(method) => method,
        None if parsed.opaque => Method::Unknown,
        None if head => Method::Other("HEAD".to_owned()),
        None if upload => Method::Put,
        None if data && !get => Method::Other("POST".to_owned()),
        None => Method::Get,
    };
    Some(parsed)
}

/// Adds a `-H` value: `Name: value`, `Name;` (empty value) or `@file`
/// (headers read from a file nobody can see). `verbatim` tells that the
/// value is written out as it is, not taken from variables.
///
/// curl sends no header for `Name:` with nothing after the colon (that
/// form removes one curl would add itself), and sends `Name;` with an
/// empty value, which as a token IMDS refuses: neither is a token.
fn push_header(headers: &mut Headers, value: &Text, verbatim: bool) {
    let line = value.known_prefix();
    if line.starts_with('@') || value.is_unknown() {
        headers.open = true;
        return;
    }
    if let Some(name) = value.as_literal().and_then(emptied_name) {
        if !name.eq_ignore_ascii_case(TOKEN_HEADER) {
            headers.push(Header::new(Text::lit(name), Text::default()));
        }
        return;
    }
    let header = Header::from_line(value);
    let removed = header
        .value
        .as_literal()
        .is_some_and(|v| v.trim().is_empty());
    if !(verbatim && removed) {
        headers.push(header);
    }
}

/// Whether the request after word `program` sends the token header empty
/// (`-H "X-aws-ec2-metadata-token;"`): a token header added beside it
/// would not replace it.
pub(super) fn sends_empty_token(words: &[Word], program: usize) -> bool {
    let words = request_words(words, program);
    scan(words, program + 1, &SPEC).into_iter().any(|arg| {
        let Arg::Option {
            name,
            value: Some(value),
            ..
        } = arg
        else {
            return false;
        };
        let emptied = value.as_literal().and_then(emptied_name);
        matches!(name.as_str(), "-H" | "--header")
            && emptied.is_some_and(|n| n.eq_ignore_ascii_case(TOKEN_HEADER))
    })
}

/// The name in a `Name;` header line, which curl sends with an empty value.
fn emptied_name(line: &str) -> Option<&str> {
    if line.contains(':') {
        return None;
    }
    line.strip_suffix(';').map(str::trim)
}
