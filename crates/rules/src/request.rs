//! A request to some URL, as an analyser reconstructs it from code: the
//! language-neutral facts the rules judge.

use std::ops::Range;

use crate::text::Text;

/// The header that carries an IMDSv2 session token.
pub const TOKEN_HEADER: &str = "X-aws-ec2-metadata-token";
/// The header that asks for a token of a given lifetime.
pub const TTL_HEADER: &str = "X-aws-ec2-metadata-token-ttl-seconds";

/// The HTTP method of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// GET (what clients send when told nothing).
    Get,
    /// PUT.
    Put,
    /// Another method, as the client sends it.
    Other(String),
    /// Not known (held in a variable the analyser could not resolve).
    Unknown,
}

impl Method {
    /// The method named by `name`, in any case: for clients that
    /// upper-case it (wget, requests, httpx, urllib3) and for the names of
    /// functions (`requests.put`).
    pub fn from_name(name: &str) -> Method {
        Method::from_sent(&name.to_ascii_uppercase())
    }

    /// The method a client sends `name` as written: curl's `-X`, urllib's
    /// `Request(method=...)`, `http.client`, Java's `setRequestMethod`.
    /// Methods are case-sensitive: IMDS takes `put` for no PUT.
    pub fn from_sent(name: &str) -> Method {
        match name {
            "GET" => Method::Get,
            "PUT" => Method::Put,
            other => Method::Other(other.to_owned()),
        }
    }

    /// The name as sent, `?` when unknown.
    pub fn name(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Other(name) => name,
            Method::Unknown => "?",
        }
    }
}

/// One header a request sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The header's name.
    pub name: Text,
    /// The header's value.
    pub value: Text,
}

impl Header {
    /// A header from known name and value.
    pub fn new(name: Text, value: Text) -> Self {
        Header { name, value }
    }

    /// Parses `Name: value` (curl, wget) or `Name:value` (httpie).
    pub fn from_line(line: &Text) -> Header {
        let prefix = line.known_prefix();
        match prefix.split_once(':') {
            Some((name, _)) => {
                let name = Text::lit(name.trim());
                // The value is what follows the colon, known or not.
                let mut value = Text::default();
                let mut first = true;
                for piece in line.pieces() {
                    match piece {
                        crate::text::Piece::Lit(s) if first => {
                            value.push_lit(s.split_once(':').map_or("", |(_, v)| v).trim_start());
                        }
                        crate::text::Piece::Lit(s) => value.push_lit(s),
                        crate::text::Piece::Unknown => value.push_unknown(),
                    }
                    first = false;
                }
                Header { name, value }
            }
            None => Header {
                name: line.clone(),
                value: Text::unknown(),
            },
        }
    }

    /// Whether the name is `name`, ignoring case. An unknown name is not.
    pub fn is(&self, name: &str) -> bool {
        self.name
            .as_literal()
            .is_some_and(|n| n.trim().eq_ignore_ascii_case(name))
    }

    /// Whether nothing about the name is known.
    pub fn name_unknown(&self) -> bool {
        self.name.as_literal().is_none()
    }
}

/// The headers a request sends, as far as they are known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Headers {
    /// Headers whose names are known.
    pub known: Vec<Header>,
    /// Whether more headers may be sent that the analyser could not see
    /// (a headers variable it could not resolve, `-H "$H"`, `**kwargs`).
    pub open: bool,
}

impl Headers {
    /// No headers at all.
    pub fn none() -> Self {
        Headers::default()
    }

    /// Headers nothing is known about.
    pub fn unknown() -> Self {
        Headers {
            known: Vec::new(),
            open: true,
        }
    }

    /// Adds a header; a header whose name is not known opens the set.
    pub fn push(&mut self, header: Header) {
        if header.name_unknown() {
            self.open = true;
        }
        self.known.push(header);
    }

    /// The header named `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&Header> {
        self.known.iter().find(|h| h.is(name))
    }

    /// Whether a header with this name is sent for sure.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Whether a header with this name may be sent (it is, or unseen
    /// headers may hold it).
    pub fn may_have(&self, name: &str) -> bool {
        self.open || self.has(name)
    }

    /// Whether a header's name or value mentions `needle` (ignoring case).
    pub fn mention(&self, needle: &str) -> bool {
        self.known
            .iter()
            .any(|h| h.name.contains_ignore_case(needle) || h.value.contains_ignore_case(needle))
    }
}

/// A request an analyser found in a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The client as written, for messages: `curl`, `requests.get`,
    /// `urllib.request.urlopen`, `scala.io.Source.fromURL`.
    pub client: String,
    /// The HTTP method.
    pub method: Method,
    /// The URL, as far as it is known.
    pub url: Text,
    /// The headers sent.
    pub headers: Headers,
    /// The call or command that makes the request, in cell coordinates.
    pub range: Range<usize>,
}
