//! httpie's command line (`http`, `https`, and `xh`, which reads the
//! same): `[METHOD] URL [ITEM...]`, where `Name:value` items are headers.

use super::argv::{Parsed, Word};
use super::options::{
    carried_options, drop_prefix, scan, Arg, Carried, Carry, Spec, TokenOption, UnshownRoute,
};
use crate::request::{Header, Method};
use crate::text::Text;

/// Long options that take a value (httpie 3), without `--`.
const LONG_VALUED: &[&str] = &[
    "pretty",
    "style",
    "format-options",
    "response-charset",
    "response-mime",
    "print",
    "history-print",
    "output",
    "session",
    "session-read-only",
    "auth",
    "auth-type",
    "max-redirects",
    "max-headers",
    "timeout",
    "verify",
    "ssl",
    "ciphers",
    "cert",
    "cert-key",
    "cert-key-pass",
    "proxy",
    "default-scheme",
    "boundary",
    "raw",
];

const SPEC: Spec = Spec {
    short_valued: "aAopPs",
    short_lettered: "",
    long_valued: LONG_VALUED,
    long_prefix: "",
    stop_at_operand: false,
};

/// Item separators, longest first where one begins another.
const SEPARATORS: &[&str] = &[":=@", "=@", "==", ":=", ":@", ":", "=", "@", ";"];

/// What a request item adds to the request.
enum Item {
    Header(Header),
    Data,
    Query,
    /// An item nobody can read: it may be a header.
    Unknown,
}

/// The request's `--timeout` with a literal number of seconds, to give
/// the token request too.
pub(super) fn time_limits(words: &[Word], program: usize) -> Vec<TokenOption> {
    let wanted = [Carried::new("--timeout", "--timeout", Carry::Number)];
    carried_options(words, program + 1, &SPEC, &wanted, "=").unwrap_or_default()
}

/// The request's options that the token request takes too: its
/// `--timeout`, and its `--proxy` (a token request sent where the request
/// is not goes unanswered).
pub(super) fn token_options(
    words: &[Word],
    program: usize,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    let wanted = [
        Carried::new("--timeout", "--timeout", Carry::Number),
        Carried::new("--proxy", "--proxy", Carry::Route),
    ];
    carried_options(words, program + 1, &SPEC, &wanted, "=")
}

/// Reads httpie's arguments after the program word at `program`.
pub(super) fn parse(words: &[Word], program: usize) -> Option<Parsed> {
    let mut parsed = Parsed::default();
    let mut operands = Vec::new();
    let mut raw_body = false;

    for arg in scan(words, program + 1, &SPEC) {
        match arg {
            Arg::Operand { word } => operands.push(word),
            Arg::Opaque => parsed.opaque = true,
            Arg::Option { name, .. } => match name.as_str() {
                "--help" | "--version" | "--offline" => return None,
                "--session" | "--session-read-only" => parsed.headers.open = true,
                "--raw" => raw_body = true,
                _ => {}
            },
        }
    }

    let mut explicit = None;
    let mut rest = operands.as_slice();
    if let [first, _, ..] = rest {
        let name = words[*first].text.as_literal().unwrap_or_default();
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphabetic()) {
            explicit = Some(Method::from_name(name));
            rest = &rest[1..];
        }
    }
    let (url, items) = rest.split_first()?;
    parsed.urls.push((words[*url].text.clone(), *url));

    let mut data = raw_body;
    for item in items {
        match item_of(&words[*item].text) {
            Item::Header(header) => parsed.headers.push(header),
            Item::Data => data = true,
            Item::Query => {}
            Item::Unknown => parsed.headers.open = true,
        }
    }

    parsed.method_explicit = explicit.is_some();
    parsed.method = match explicit {
        Some(method) => method,
        None if parsed.opaque => Method::Unknown,
        None if data => Method::Other("POST".to_owned()),
        None => Method::Get,
    };
    Some(parsed)
}

/// Reads one request item: the first separator decides what it is.
fn item_of(item: &Text) -> Item {
    let known = item.known_prefix();
    let mut escaped = false;
    let at = known.char_indices().find_map(|(i, c)| {
        let found = !escaped && matches!(c, ':' | '=' | '@' | ';');
        escaped = !escaped && c == '\\';
        found.then_some(i)
    });
    let Some(at) = at else {
        return Item::Unknown;
    };
    let Some(separator) = SEPARATORS.iter().find(|s| known[at..].starts_with(**s)) else {
        return Item::Unknown;
    };
    let name = Text::lit(known[..at].replace('\\', ""));
    match *separator {
        ":" | ":@" => Item::Header(Header::new(name, drop_prefix(item, at + separator.len()))),
        ";" => Item::Header(Header::new(name, Text::default())),
        "==" => Item::Query,
        _ => Item::Data,
    }
}
