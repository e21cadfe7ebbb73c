//! curl's command line: which words are URLs, which headers are sent, and
//! which method is used.

use super::argv::{Parsed, Word};
use super::options::{scan, Arg, Spec};
use crate::request::{Header, Headers, Method};
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

/// The request's time limits with a literal number of seconds, to give the
/// token request too: `--max-time`, `--connect-timeout`.
pub(super) fn time_limits(words: &[Word], program: usize) -> Vec<String> {
    let wanted = [
        ("-m", "--max-time"),
        ("--max-time", "--max-time"),
        ("--connect-timeout", "--connect-timeout"),
    ];
    super::options::seconds_options(words, program + 1, &SPEC, &wanted)
        .into_iter()
        .map(|(option, seconds)| format!("{option} {seconds}"))
        .collect()
}

/// Reads curl's arguments after the program word at `program`.
pub(super) fn parse(words: &[Word], program: usize) -> Option<Parsed> {
    let mut parsed = Parsed::default();
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
            } => (name, value, value_word),
        };

        match (name.as_str(), value) {
            ("-h" | "--help" | "-V" | "--version" | "-M" | "--manual", _) => return None,
            ("-X" | "--request", Some(v)) => {
                explicit = Some(v.as_literal().map_or(Method::Unknown, Method::from_name));
            }
            ("-I" | "--head", _) => head = true,
            ("-T" | "--upload-file", _) => upload = true,
            ("-G" | "--get", _) => get = true,
            ("-d" | "-F" | "--json", _) => data = true,
            (long, _) if long.starts_with("--data") || long.starts_with("--form") => data = true,
            ("-H" | "--header", Some(v)) => push_header(&mut parsed.headers, &v),
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
/// (headers read from a file nobody can see).
fn push_header(headers: &mut Headers, value: &Text) {
    let line = value.known_prefix();
    if line.starts_with('@') || value.is_unknown() {
        headers.open = true;
        return;
    }
    if !line.contains(':') {
        if let Some(name) = line
            .strip_suffix(';')
            .filter(|_| value.as_literal().is_some())
        {
            headers.push(Header::new(Text::lit(name.trim()), Text::default()));
            return;
        }
    }
    headers.push(Header::from_line(value));
}
