//! The HTTP clients Scala code uses, turned into [`Request`]s: what each
//! request shape sends, given the values in scope.

use std::ops::Range;

use tree_sitter::Node;

use super::scope::Value;
use super::shapes::Shape;
use super::value::{is_comment, Eval};
use super::{child_in, kind_of};
use crate::request::{Header, Headers, Method, Request};
use crate::shell::argv::Client;
use crate::text::Text;

/// `scala.io.Source.fromURL`.
pub const SOURCE_FROM_URL: &str = "scala.io.Source.fromURL";
/// `java.net.URL.openStream`.
pub const URL_OPEN_STREAM: &str = "java.net.URL.openStream";
/// `java.net.URL.openConnection`.
pub const URL_OPEN_CONNECTION: &str = "java.net.URL.openConnection";
/// `java.net.http.HttpClient`.
pub const HTTP_CLIENT: &str = "java.net.http.HttpClient";

/// A request found in a cell, with what a fix needs to know about it.
#[derive(Debug, Clone)]
pub struct Found {
    /// The request as the rules judge it.
    pub request: Request,
    /// How it is written.
    pub site: Site,
    /// A val in scope that holds a session token the code fetched itself.
    pub token: Option<String>,
    /// Where the request names its method (`None`: it does not, and the
    /// client sends GET).
    pub method_at: Option<MethodAt>,
}

/// Where a request names its method, for a fix that makes it PUT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MethodAt {
    /// A plain string literal (`setRequestMethod("GET")`,
    /// `.method("GET", body)`), which becomes `"PUT"`.
    Literal(Range<usize>),
    /// A builder step (`.GET()`) from its name to its end, which becomes
    /// a `PUT(...)` step.
    Step(Range<usize>),
    /// Written where a fix cannot change it with certainty (a val).
    Other,
}

/// How a request is written, for the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Site {
    /// `Source.fromURL(url)`: the range of the URL argument.
    FromUrl {
        /// The URL argument.
        url: Range<usize>,
        /// Whether the argument is a `java.net.URL` rather than a string.
        is_url_object: bool,
    },
    /// `url.openStream()`: the range of the URL expression.
    OpenStream {
        /// The expression the stream is opened on.
        target: Range<usize>,
    },
    /// `url.openConnection()`, and the `val` holding the connection.
    Connection {
        /// The name and statement of the `val`, when there is one.
        holder: Option<Holder>,
    },
    /// An `HttpRequest.newBuilder(...)` chain: headers can follow the
    /// `newBuilder(...)` call, which ends here.
    Builder {
        /// Where the `newBuilder(...)` call ends.
        new_builder_end: usize,
    },
    /// A `sys.process` command, and where a header option can go (or why
    /// none can).
    Process {
        /// Where the option goes.
        slot: Result<ProcessSlot, String>,
    },
}

/// Where a `sys.process` command can take a header option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessSlot {
    /// The offset right after the word the option follows (curl's and
    /// wget's program name, httpie's URL).
    pub at: usize,
    /// The client, which decides how the option is spelled.
    pub client: Client,
    /// For a word inside a string literal: how the literal takes the token.
    pub string: Option<StringEdit>,
}

/// What makes a string literal interpolate the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringEdit {
    /// Where to write the `s` interpolator, when the literal has none.
    pub interpolator_at: Option<usize>,
    /// Offsets of `$` signs that must become `$$` once it is interpolated.
    pub dollars: Vec<usize>,
}

/// The `val` a connection is held in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The val's name.
    pub name: String,
    /// The `val` statement.
    pub statement: Range<usize>,
}

/// What `url.openStream()` / `url.openConnection()` opened.
#[derive(Debug)]
pub enum Opened<'tree> {
    /// A stream: the request is made here.
    Stream(Found),
    /// A connection: settings may follow; `node` is the call that made it.
    Connection(Found, Node<'tree>),
}

/// A setting made on a connection.
#[derive(Debug)]
pub enum Setting {
    /// `setRequestProperty` / `addRequestProperty`.
    Header(Header),
    /// `setRequestMethod`, and where its argument is.
    Method(Method, MethodAt),
}

/// The call around a method reference: `x.f` in `x.f(...)` is the call.
/// `path` runs from the root to the reference (node lookups go down the
/// tree only: climbing with `parent()` costs the depth each time).
pub fn call_of<'tree>(path: &[Node<'tree>]) -> Option<Node<'tree>> {
    let (node, above) = path.split_last()?;
    match above.last() {
        Some(parent)
            if kind_of(parent) == "call_expression"
                && child_in(parent, "function") == Some(*node) =>
        {
            Some(*parent)
        }
        _ => Some(*node),
    }
}

/// The arguments of a call, comments left out.
pub fn arguments(node: Option<Node<'_>>) -> Vec<Node<'_>> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| !is_comment(*n))
        .collect()
}

fn get(url: Text, client: &str, range: Range<usize>) -> Request {
    Request {
        client: client.to_owned(),
        method: Method::Get,
        url,
        headers: Headers::none(),
        range,
    }
}

/// `Source.fromURL(url)` and its imported forms.
pub fn from_url(eval: &Eval<'_>, shape: &Shape<'_>) -> Option<Found> {
    let receiver = shape.capture("receiver")?;
    let url = shape.capture("url")?;
    let qualified = eval.qualified(receiver)?;
    let expected = if kind_of(receiver) == "identifier" && eval.source(receiver) == "fromURL" {
        SOURCE_FROM_URL
    } else {
        "scala.io.Source"
    };
    if qualified != expected {
        return None;
    }
    let value = eval.value(url);
    let request = get(value.text(), SOURCE_FROM_URL, shape.node.byte_range());
    Some(Found {
        request,
        site: Site::FromUrl {
            url: url.byte_range(),
            is_url_object: matches!(value, Value::Url(_)),
        },
        token: None,
        method_at: None,
    })
}

/// `url.openStream()` or `url.openConnection()` on a `java.net.URL`;
/// `path` runs from the root to the shape's node.
pub fn open<'tree>(
    eval: &Eval<'_>,
    shape: &Shape<'tree>,
    path: &[Node<'tree>],
) -> Option<Opened<'tree>> {
    let target = shape.capture("target")?;
    let Value::Url(url) = eval.value(target) else {
        return None;
    };
    let call = call_of(path)?;
    if eval.source(shape.capture("method")?) == "openStream" {
        return Some(Opened::Stream(Found {
            request: get(url, URL_OPEN_STREAM, call.byte_range()),
            site: Site::OpenStream {
                target: target.byte_range(),
            },
            token: None,
            method_at: None,
        }));
    }
    let found = Found {
        request: get(url, URL_OPEN_CONNECTION, call.byte_range()),
        site: Site::Connection { holder: None },
        token: None,
        method_at: None,
    };
    Some(Opened::Connection(found, call))
}

/// `conn.setRequestProperty(name, value)` and friends: which connection,
/// and what is set.
pub fn connection_setting(eval: &Eval<'_>, shape: &Shape<'_>) -> Option<(usize, Setting)> {
    let Value::Connection(id) = eval.value(shape.capture("connection")?) else {
        return None;
    };
    let args = arguments(shape.capture("arguments"));
    let setting = match eval.source(shape.capture("method")?) {
        "setRequestMethod" => {
            let name = *args.first()?;
            Setting::Method(method_named(&eval.text(name)), literal_at(name, eval))
        }
        _ => Setting::Header(Header::new(
            eval.text(*args.first()?),
            args.get(1).map_or_else(Text::unknown, |v| eval.text(*v)),
        )),
    };
    Some((id, setting))
}

/// The method `name` names: Java's `setRequestMethod` refuses a name it
/// does not know as written, and sttp sends it as written.
fn method_named(name: &Text) -> Method {
    name.as_literal().map_or(Method::Unknown, Method::from_sent)
}

/// Where a method argument is: a plain string literal, or something else.
fn literal_at(node: Node<'_>, eval: &Eval<'_>) -> MethodAt {
    let source = eval.source(node);
    let plain = kind_of(node) == "string"
        && source.starts_with('"')
        && !source.starts_with("\"\"\"")
        && !source.contains('\\');
    if plain {
        MethodAt::Literal(node.byte_range())
    } else {
        MethodAt::Other
    }
}

/// `HttpRequest.newBuilder(...)` and the chain on it: the request, the
/// last node of the chain, and whether the chain ends in `build()`;
/// `path` runs from the root to the shape's node.
pub fn new_builder<'tree>(
    eval: &Eval<'_>,
    shape: &Shape<'tree>,
    path: &[Node<'tree>],
) -> Option<(Found, Node<'tree>, bool)> {
    let receiver = shape.capture("receiver")?;
    if eval.qualified(receiver).as_deref() != Some("java.net.http.HttpRequest") {
        return None;
    }
    let url = arguments(shape.capture("arguments"))
        .first()
        .map_or_else(Text::default, |uri| eval.text(*uri));
    let mut found = Found {
        request: get(url, HTTP_CLIENT, shape.node.byte_range()),
        site: Site::Builder {
            new_builder_end: shape.node.end_byte(),
        },
        token: None,
        method_at: None,
    };
    let (last, built) = apply_chain(eval, path, &mut found)?;
    found.request.range = shape.node.start_byte()..last.end_byte();
    Some((found, last, built))
}

/// Applies the builder methods chained on the last node of `path` (which
/// runs from the root) to the request `found`; returns the chain's last
/// builder node and whether it is `build()`.
pub fn apply_chain<'tree>(
    eval: &Eval<'_>,
    path: &[Node<'tree>],
    found: &mut Found,
) -> Option<(Node<'tree>, bool)> {
    let request = &mut found.request;
    let mut at = path.len().checked_sub(1)?;
    let mut node = path[at];
    while at > 0 {
        let parent = path[at - 1];
        if kind_of(parent) != "field_expression" || child_in(parent, "value") != Some(node) {
            break;
        }
        let Some(method) = child_in(parent, "field").map(|f| eval.source(f)) else {
            break;
        };
        let Some(step) = call_of(&path[..at]) else {
            break;
        };
        let args = arguments(
            (step != parent)
                .then(|| child_in(step, "arguments"))
                .flatten(),
        );
        let text = |i: usize| args.get(i).map_or_else(Text::unknown, |a| eval.text(*a));
        match method {
            "uri" => request.url = text(0),
            "header" | "setHeader" => request.headers.push(Header::new(text(0), text(1))),
            "headers" => {
                for pair in (0..args.len()).step_by(2) {
                    request
                        .headers
                        .push(Header::new(text(pair), text(pair + 1)));
                }
            }
            "GET" | "PUT" | "POST" | "DELETE" | "HEAD" => {
                request.method = Method::from_name(method);
                let name = parent
                    .child_by_field_name("field")
                    .map_or(step.start_byte(), |f| f.start_byte());
                found.method_at = Some(MethodAt::Step(name..step.end_byte()));
            }
            "method" => {
                request.method = method_named(&text(0));
                found.method_at = Some(
                    args.first()
                        .map_or(MethodAt::Other, |a| literal_at(*a, eval)),
                );
            }
            "timeout" | "version" | "expectContinue" | "copy" => {}
            "build" => return Some((step, true)),
            _ => break,
        }
        node = step;
        at -= if step == parent { 1 } else { 2 };
    }
    Some((node, false))
}
