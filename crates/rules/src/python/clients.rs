//! The Python HTTP clients imds-lint knows: which calls make requests,
//! which build client objects, and where their URL, method and headers are.
//!
//! pycurl is reported at `c.perform()`, where the request is made: options
//! set before it (`URL`, `HTTPHEADER`, `CUSTOMREQUEST`) are all known there.

use std::ops::Range;

use tree_sitter::Node;

use crate::request::{Headers, Method, Request};
use crate::text::{Piece, Text};

use super::args::Args;
use super::eval::Eval;
use super::functions;
use super::shell_run;
use super::value::{Dict, Object, Value};
use super::{child_in, kind_of};

/// Functions that make one request with the method in their name.
const METHOD_FUNCTIONS: &[&str] = &["get", "post", "put", "head", "delete", "patch", "options"];

/// Client classes whose instances make requests with `obj.get(url)`.
const SESSION_CLASSES: &[&str] = &[
    "requests.Session",
    "httpx.Client",
    "httpx.AsyncClient",
    "aiohttp.ClientSession",
];

/// Where a fix can put the token header in a request's call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum HeaderSlot {
    /// A `headers=` keyword: absent (added before `)` of `arguments`), or
    /// present with its value's range; `dict` when that value is a dict
    /// literal that can gain a key.
    Keyword {
        /// The `argument_list` range.
        arguments: Range<usize>,
        /// The keyword argument's value, if given.
        value: Option<Range<usize>>,
        /// Whether that value is a dict literal.
        dict: bool,
        /// Where positional headers would go: a fix writes the keyword,
        /// which is right whatever the position.
        keyword: &'static str,
    },
    /// `urlopen(url)`: the URL argument is wrapped in a `Request`.
    WrapUrl {
        /// The URL argument's range.
        url: Range<usize>,
        /// The module `Request` comes from (`urllib.request`, `urllib2`).
        module: &'static str,
    },
    /// A command list (`["curl", "-s", url]`): header words go in after
    /// the item at `after`.
    Argv {
        /// Where the new list items go (the end of an item).
        after: usize,
        /// The program's option style.
        style: ArgvHeader,
        /// The program as the command names it (`curl`, `/usr/bin/curl`),
        /// for the token fetch to run; empty when not known.
        program: String,
        /// The request's options the token fetch takes too (time limits,
        /// retries, proxy choice), as words.
        options: Vec<String>,
    },
    /// The token cannot be added in the call (pycurl, a prepared request
    /// object): the finding says what to change by hand.
    None(&'static str),
}

/// How a command-line client takes a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ArgvHeader {
    /// `"-H", "Name: value"` (curl).
    Option,
    /// `"--header=Name: value"` (wget).
    Equals,
    /// `"Name:value"` after the URL (httpie).
    Item,
}

/// Where a fix can make a request's method PUT (for a token request sent
/// with GET, IMD002).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum MethodSlot {
    /// The method is the called function's name (`requests.get`,
    /// `s.get`): the name's range, which becomes `put`.
    Name(Range<usize>),
    /// A plain string literal (`request("GET", url)`): the range of its
    /// text between the quotes, which becomes `PUT`.
    Literal(Range<usize>),
    /// `Request(url, ...)` sends GET when given no `method=`: the
    /// `argument_list` range, which gains the keyword.
    Keyword(Range<usize>),
    /// Not written where a fix can change it with certainty.
    None,
}

/// A request found in a call, with where its header would go.
#[derive(Debug, Clone)]
pub(super) struct Found {
    /// The request, ready to judge.
    pub request: Request,
    /// Where the token header can be added.
    pub slot: HeaderSlot,
    /// Where the method is written.
    pub method: MethodSlot,
    /// The time limit of the client the request goes through, in seconds
    /// as written (`httpx.Client(timeout=2.0)`), for its token request.
    pub limit: Option<String>,
}

/// The object a constructor call makes (`requests.Session()`,
/// `urllib.request.Request(url, ...)`), or `None` for other calls.
pub(super) fn construct(eval: &Eval, name: &str, args: &Args) -> Option<Object> {
    let arg = |index: usize, keyword: &str| args.get(index, keyword).map(|n| eval.value(n));
    let class = match name {
        "requests.Session" | "requests.session" | "requests.sessions.Session" => "requests.Session",
        "httpx.Client" => "httpx.Client",
        "httpx.AsyncClient" => "httpx.AsyncClient",
        "aiohttp.ClientSession" => "aiohttp.ClientSession",
        "urllib3.PoolManager" | "urllib3.poolmanager.PoolManager" | "urllib3.ProxyManager" => {
            "urllib3.PoolManager"
        }
        "urllib3.HTTPConnectionPool" | "urllib3.connectionpool.HTTPConnectionPool" => {
            let mut pool = Object::new("urllib3.HTTPConnectionPool");
            pool.attributes.insert(
                "base".to_owned(),
                Value::Str(base_url("http", arg(0, "host").as_ref(), arg(1, "port"))),
            );
            merge_headers(&mut pool, args.keyword("headers").map(|n| eval.value(n)));
            keep_timeout(&mut pool, args.keyword("timeout"), eval);
            return Some(pool);
        }
        "http.client.HTTPConnection" | "httplib.HTTPConnection" => {
            return Some(connection(eval, args, "http"));
        }
        "http.client.HTTPSConnection" | "httplib.HTTPSConnection" => {
            return Some(connection(eval, args, "https"));
        }
        "urllib.request.Request" | "urllib2.Request" => return Some(url_request(eval, args)),
        "urllib.request.build_opener" | "urllib2.build_opener" => {
            // Its `addheaders` starts with urllib's User-agent only.
            let mut opener = Object::new("urllib.request.OpenerDirector");
            opener
                .attributes
                .insert("addheaders".to_owned(), Value::List(Vec::new()));
            return Some(opener);
        }
        "pycurl.Curl" => return Some(Object::new("pycurl.Curl")),
        "requests.auth.HTTPBasicAuth"
        | "requests.auth.HTTPDigestAuth"
        | "requests.auth.HTTPProxyAuth"
        | "httpx.BasicAuth"
        | "httpx.DigestAuth"
        | "aiohttp.BasicAuth" => return Some(Object::new(PASSWORD_AUTH)),
        // IPython's shell, whose methods run shell commands (see `shell_run`).
        "get_ipython" | "IPython.get_ipython" | "IPython.core.getipython.get_ipython" => {
            return Some(Object::new(shell_run::IPYTHON_SHELL))
        }
        _ => return None,
    };
    let mut object = Object::new(class);
    merge_headers(&mut object, args.keyword("headers").map(|n| eval.value(n)));
    if !args.dict_splats.is_empty() {
        merge_headers(&mut object, Some(Value::Unknown));
    }
    keep_timeout(&mut object, args.keyword("timeout"), eval);
    if let Some(auth) = args.keyword("auth") {
        object
            .attributes
            .insert("auth".to_owned(), eval.value(auth));
    }
    if let Some(base) = args.keyword("base_url") {
        object
            .attributes
            .insert("base_url".to_owned(), Value::Str(eval.text(base)));
    }
    Some(object)
}

/// Keeps a client's `timeout=` when it is a number written there, or a
/// `Timeout(connect=0.5, read=1.0)` of numbers (its largest, which every
/// library takes): the token request a fix adds for its requests gives up
/// about as soon as they do.
fn keep_timeout(object: &mut Object, timeout: Option<Node>, eval: &Eval) {
    let is_number = |n: &Node| matches!(kind_of(*n), "integer" | "float");
    let Some(timeout) = timeout else { return };
    let number = if is_number(&timeout) {
        Some(timeout)
    } else {
        largest_of_timeout(timeout, eval)
    };
    if let Some(number) = number {
        let seconds = Value::Number(eval.source(number).to_owned());
        object.attributes.insert("timeout".to_owned(), seconds);
    }
}

/// The largest limit of `Timeout(...)` (urllib3's or httpx's), when every
/// argument is a number written there.
fn largest_of_timeout<'t>(call: Node<'t>, eval: &Eval) -> Option<Node<'t>> {
    let function = child_in(call, "function").filter(|_| kind_of(call) == "call")?;
    let name = match kind_of(function) {
        "attribute" => child_in(function, "attribute")?,
        _ => function,
    };
    if eval.source(name) != "Timeout" {
        return None;
    }
    let arguments = child_in(call, "arguments")?;
    let mut cursor = arguments.walk();
    let mut largest: Option<(f64, Node<'t>)> = None;
    for argument in arguments.named_children(&mut cursor) {
        let value = match kind_of(argument) {
            "keyword_argument" => child_in(argument, "value")?,
            "comment" => continue,
            _ => argument,
        };
        if !matches!(kind_of(value), "integer" | "float") {
            return None;
        }
        let seconds: f64 = eval.source(value).replace('_', "").parse().ok()?;
        if largest.is_none_or(|(most, _)| seconds > most) {
            largest = Some((seconds, value));
        }
    }
    largest.map(|(_, node)| node)
}

fn merge_headers(object: &mut Object, headers: Option<Value>) {
    if let (Some(headers), Some(dict)) = (headers, object.headers_mut()) {
        match headers {
            Value::List(_) => dict.open = true,
            // `headers=None` adds none.
            Value::None => {}
            other => dict.merge(&other),
        }
    }
}

/// `http://host[:port]` of a connection. A port whose value is not known
/// is left out: the service answers only on 80, so code that reaches it
/// passes 80 or nothing.
fn base_url(scheme: &str, host: Option<&Value>, port: Option<Value>) -> Text {
    let mut base = Text::lit(format!("{scheme}://"));
    let mut host = host.map_or_else(Text::unknown, Value::text);
    let mut port = port
        .filter(|port| matches!(port, Value::Str(_) | Value::Number(_)))
        .map(|port| port.text());
    if let Some(literal) = host.as_literal().map(str::to_owned) {
        // With no port given, http.client takes one from the host after its
        // last `:` outside brackets (`"169.254.169.254:80"`), then drops
        // the brackets of an IPv6 host.
        let mut name = literal.as_str();
        if port.is_none() {
            if let Some(colon) = name.rfind(':').filter(|&at| name.rfind(']') < Some(at)) {
                let given = &name[colon + 1..];
                port = (!given.is_empty()).then(|| Text::lit(given));
                name = &name[..colon];
            }
        }
        let name = name
            .strip_prefix('[')
            .and_then(|inner| inner.strip_suffix(']'))
            .unwrap_or(name);
        // An IPv6 host is given bare (`"fd00:ec2::254"`); a URL brackets it.
        host = if name.contains(':') {
            Text::lit(format!("[{name}]"))
        } else {
            Text::lit(name)
        };
    }
    base.push_text(&host);
    if let Some(port) = port {
        base.push_lit(":");
        base.push_text(&port);
    }
    base
}

fn connection(eval: &Eval, args: &Args, scheme: &str) -> Object {
    let class = if scheme == "https" {
        "http.client.HTTPSConnection"
    } else {
        "http.client.HTTPConnection"
    };
    let mut conn = Object::new(class);
    keep_timeout(&mut conn, args.get(2, "timeout"), eval);
    let host = args.get(0, "host").map(|n| eval.value(n));
    let port = args.get(1, "port").map(|n| eval.value(n));
    conn.attributes.insert(
        "base".to_owned(),
        Value::Str(base_url(scheme, host.as_ref(), port)),
    );
    conn
}

fn url_request(eval: &Eval, args: &Args) -> Object {
    let mut request = Object::new("urllib.request.Request");
    let url = args
        .get(0, "url")
        .map_or_else(Text::unknown, |n| eval.text(n));
    request.attributes.insert("url".to_owned(), Value::Str(url));
    merge_headers(&mut request, args.get(2, "headers").map(|n| eval.value(n)));
    let method = match args.keyword("method") {
        Some(node) => eval.value(node),
        None if args.get(1, "data").is_some_and(|n| kind_of(n) != "none") => {
            Value::Str(Text::lit("POST"))
        }
        None => Value::Str(Text::lit("GET")),
    };
    request.attributes.insert("method".to_owned(), method);
    request
}

/// The method `value` names, for a client that upper-cases it.
fn method_of(value: &Text) -> Method {
    value
        .as_literal()
        .map_or(Method::Unknown, Method::from_name)
}

/// The method `value` names, for a client that sends it as written
/// (`urllib.request.Request`, `http.client`, pycurl).
fn method_sent(value: &Text) -> Method {
    value
        .as_literal()
        .map_or(Method::Unknown, Method::from_sent)
}

/// Headers of a call to `url`: `base` (a session's), then the call's
/// `headers=` (or the positional argument at `index`), then `**kwargs`.
fn call_headers(
    eval: &Eval,
    args: &Args,
    index: Option<usize>,
    base: Headers,
    url: &Text,
) -> Headers {
    let mut headers = base;
    let given = match index {
        Some(index) => args.get(index, "headers"),
        None => args.keyword("headers"),
    };
    if let Some(node) = given {
        let more = given_headers(eval, node, url).headers();
        headers.open |= more.open;
        headers.known.extend(more.known);
    }
    headers.open |= args.list_splat
        || args
            .dict_splats
            .iter()
            .any(|splat| !holds_no_headers(&eval.value(*splat)));
    headers.open |= args
        .keyword("auth")
        .is_some_and(|auth| may_set_headers(&eval.value(auth)));
    headers
}

/// The class the analyser gives the libraries' basic, digest and proxy
/// auth objects, which set only `Authorization` or `Proxy-Authorization`.
const PASSWORD_AUTH: &str = "password auth";

/// Whether an `auth=` value may set any header: an auth class of the
/// code's own (requests' `AuthBase`, httpx's `Auth`) may send the token.
/// A user and password pair, or a library's password auth, sends none.
fn may_set_headers(auth: &Value) -> bool {
    match auth {
        Value::List(_) | Value::None | Value::Str(_) | Value::Number(_) => false,
        Value::Object(object) => object.class != PASSWORD_AUTH,
        _ => true,
    }
}

/// Whether a `**kwargs` value is a dict known whole that gives no
/// `headers=` (`{"timeout": 2}`): it adds no header, and a fix may add a
/// `headers=` keyword beside it.
fn holds_no_headers(value: &Value) -> bool {
    matches!(value, Value::Dict(dict) if !dict.open && dict.get("headers").is_none()
        && dict.entries.iter().all(|(key, _)| key.as_literal().is_some()))
}

/// The value of a call's headers argument: a parameter of the function
/// the call is in stands for its default, which a call of the function
/// without that argument sends. Not when the URL comes from a parameter
/// too: such a request is judged at each call of the function, which
/// may pass other headers.
fn given_headers(eval: &Eval, node: Node, url: &Text) -> Value {
    let value = eval.value(node);
    if kind_of(node) != "identifier" || functions::has_markers(url) {
        return value;
    }
    eval.scopes
        .parameter_default(eval.source(node), eval.frame)
        .cloned()
        .unwrap_or(value)
}

fn keyword_slot(
    args_node: Node,
    args: &Args,
    index: Option<usize>,
    keyword: &'static str,
) -> HeaderSlot {
    let given = match index {
        Some(index) => args.get(index, keyword),
        None => args.keyword(keyword),
    };
    HeaderSlot::Keyword {
        arguments: args_node.byte_range(),
        value: given.map(|n| n.byte_range()),
        dict: given.is_some_and(|n| kind_of(n) == "dictionary"),
        keyword,
    }
}

/// The request a call of the module-level function `name` makes.
pub(super) fn function_request(
    eval: &Eval,
    name: &str,
    call: Node,
    args_node: Node,
) -> Option<Found> {
    let args = Args::of(args_node, eval.code);
    let (module, function) = name.rsplit_once('.')?;
    let library = match module {
        "requests" | "requests.api" => "requests",
        "httpx" => "httpx",
        "aiohttp" => "aiohttp",
        "urllib3" => "urllib3",
        "urllib.request" if function == "urlretrieve" => {
            return urlretrieve(eval, name, &args, call);
        }
        "urllib.request" | "urllib2" => {
            if function != "urlopen" {
                return None;
            }
            let module = if module == "urllib2" {
                "urllib2"
            } else {
                "urllib.request"
            };
            return urlopen(eval, name, &args, call, None, module);
        }
        _ => return None,
    };
    let (method, url) = if METHOD_FUNCTIONS.contains(&function) && library != "urllib3" {
        (Method::from_name(function), args.get(0, "url"))
    } else if function == "request" || (function == "stream" && library == "httpx") {
        let method = args
            .get(0, "method")
            .map_or(Method::Unknown, |n| method_of(&eval.text(n)));
        (method, args.get(1, "url"))
    } else {
        return None;
    };
    let url = url.map_or_else(Text::unknown, |n| eval.text(n));
    let method_slot = if function == "request" || function == "stream" {
        literal_slot(args.get(0, "method"), eval.code)
    } else {
        name_slot(call, &args)
    };
    let headers = call_headers(eval, &args, None, Headers::none(), &url);
    Some(Found {
        limit: None,
        request: Request {
            client: name.to_owned(),
            method,
            url,
            headers,
            range: call.byte_range(),
        },
        slot: keyword_slot(args_node, &args, None, "headers"),
        method: method_slot,
    })
}

/// `urlretrieve(url, filename, reporthook, data)`: a GET (a POST with
/// `data`) that can send no header.
fn urlretrieve(eval: &Eval, client: &str, args: &Args, call: Node) -> Option<Found> {
    let url = eval.text(args.get(0, "url")?);
    let data = args.get(3, "data").is_some_and(|n| kind_of(n) != "none");
    Some(Found {
        limit: None,
        request: Request {
            client: client.to_owned(),
            method: if data {
                Method::Other("POST".to_owned())
            } else {
                Method::Get
            },
            url,
            headers: Headers::none(),
            range: call.byte_range(),
        },
        slot: HeaderSlot::None(
            "`urlretrieve` cannot send a header; download with `urlopen` of a `Request` instead",
        ),
        method: MethodSlot::None,
    })
}

/// Where the method is when it is the called function's name
/// (`requests.get(url)`): that name, if the callee is an attribute and
/// the call passes only the URL by position (the second parameter of
/// `put` is the body, where that of `get` is the query).
fn name_slot(call: Node, args: &Args) -> MethodSlot {
    if args.positional.len() > 1 || args.list_splat {
        return MethodSlot::None;
    }
    child_in(call, "function")
        .filter(|callee| kind_of(callee) == "attribute")
        .and_then(|callee| child_in(callee, "attribute"))
        .map_or(MethodSlot::None, |name| MethodSlot::Name(name.byte_range()))
}

/// Where the method is when `node` gives it: the text of a string
/// literal without prefix letters or interpolation.
fn literal_slot(node: Option<Node>, code: &str) -> MethodSlot {
    let Some(node) = node.filter(|n| kind_of(n) == "string") else {
        return MethodSlot::None;
    };
    let mut cursor = node.walk();
    let parts: Vec<Node> = node.children(&mut cursor).collect();
    match parts.as_slice() {
        [start, content, end]
            if kind_of(start) == "string_start"
                && kind_of(content) == "string_content"
                && kind_of(end) == "string_end"
                && code[start.byte_range()].starts_with(['"', '\'']) =>
        {
            MethodSlot::Literal(content.byte_range())
        }
        _ => MethodSlot::None,
    }
}

/// `urlopen(url_or_request)`, with the headers of an opener if any.
/// Functions that make an opener the one `urlopen` uses.
pub(super) const INSTALL_OPENER: &[&str] =
    &["urllib.request.install_opener", "urllib2.install_opener"];

/// The module-level name the analyser keeps the installed opener under: no
/// Python name has a space.
pub(super) const INSTALLED_OPENER: &str = "urlopen's opener";

fn urlopen(
    eval: &Eval,
    client: &str,
    args: &Args,
    call: Node,
    opener: Option<&Object>,
    module: &'static str,
) -> Option<Found> {
    let target = args.get(0, "url")?;
    let opener_headers = |o: &Object| {
        o.attributes
            .get("addheaders")
            .map_or_else(Headers::none, Value::headers)
    };
    // `urlopen` sends what an installed opener adds.
    let base = match (opener, eval.scopes.get(INSTALLED_OPENER, eval.frame)) {
        (Some(opener), _) => opener_headers(opener),
        // `install_opener(None)` puts the default one back.
        (None, None | Some(Value::None)) => Headers::none(),
        (None, Some(Value::Object(installed))) => opener_headers(installed),
        (None, Some(_)) => Headers::unknown(),
    };
    let (request, slot, method_slot) = match eval.value(target) {
        Value::Object(object) if object.class == "urllib.request.Request" => {
            let mut headers = base;
            let own = object.headers();
            headers.open |= own.open;
            headers.known.extend(own.known);
            let method = object.text("method").map_or(Method::Unknown, method_sent);
            let url = object.text("url").cloned().unwrap_or_else(Text::unknown);
            // A call of a function of the code's own that returns the
            // Request has no canonical name, nor a Request's arguments.
            let made_here = kind_of(target) == "call"
                && child_in(target, "function").is_some_and(|f| eval.canonical(f).is_some());
            let (slot, method_slot) = if made_here {
                // `urlopen(Request(url, ...))`: the Request call takes the header.
                match child_in(target, "arguments") {
                    Some(inner) => {
                        let inner_args = Args::of(inner, eval.code);
                        (
                            keyword_slot(inner, &inner_args, Some(2), "headers"),
                            request_method_slot(inner, &inner_args, eval.code),
                        )
                    }
                    None => (
                        HeaderSlot::None("add the header to the Request"),
                        MethodSlot::None,
                    ),
                }
            } else {
                (
                    HeaderSlot::None("add the header to the Request with `add_header`"),
                    MethodSlot::None,
                )
            };
            (
                Request {
                    client: client.to_owned(),
                    method,
                    url,
                    headers,
                    range: call.byte_range(),
                },
                slot,
                method_slot,
            )
        }
        Value::Object(_) => return None,
        value => {
            let data = args.get(1, "data").is_some_and(|n| kind_of(n) != "none");
            let method = if data {
                Method::Other("POST".to_owned())
            } else {
                Method::Get
            };
            let request = Request {
                client: client.to_owned(),
                method,
                url: value.text(),
                headers: base,
                range: call.byte_range(),
            };
            // The URL gets wrapped in a `Request`, which can take the
            // method too: the header slot says so.
            (
                request,
                HeaderSlot::WrapUrl {
                    url: target.byte_range(),
                    module,
                },
                MethodSlot::None,
            )
        }
    };
    Some(Found {
        request,
        slot,
        method: method_slot,
        limit: None,
    })
}

/// Where the method of `Request(url, ...)` is: its `method=` literal, or
/// where that keyword can be added (it must not be given by position too).
fn request_method_slot(arguments: Node, args: &Args, code: &str) -> MethodSlot {
    match args.keyword("method") {
        Some(method) => literal_slot(Some(method), code),
        None if args.positional.len() <= 5 && !args.has_splat() => {
            MethodSlot::Keyword(arguments.byte_range())
        }
        None => MethodSlot::None,
    }
}

/// The request `object.method(...)` makes, for client objects.
pub(super) fn method_request(
    eval: &Eval,
    object: &Object,
    method: &str,
    call: Node,
    args_node: Node,
) -> Option<Found> {
    let args = Args::of(args_node, eval.code);
    let client = format!("{}.{method}", object.class);
    let found = |request_method: Method, url: Text, headers: Headers, slot: HeaderSlot| Found {
        limit: match object.attributes.get("timeout") {
            Some(Value::Number(seconds)) => Some(seconds.clone()),
            _ => None,
        },
        request: Request {
            client: client.clone(),
            method: request_method,
            url,
            headers,
            range: call.byte_range(),
        },
        slot,
        method: literal_slot(args.get(0, "method"), eval.code),
    };
    let text_arg = |index: usize, keyword: &str| {
        args.get(index, keyword)
            .map_or_else(Text::unknown, |n| eval.text(n))
    };

    if SESSION_CLASSES.contains(&object.class) {
        let (request_method, url) = if METHOD_FUNCTIONS.contains(&method) {
            (Method::from_name(method), text_arg(0, "url"))
        } else if method == "request" || method == "stream" {
            (method_of(&text_arg(0, "method")), text_arg(1, "url"))
        } else {
            return None;
        };
        let url = match object.text("base_url") {
            Some(base) => with_base(base, url),
            None => url,
        };
        let mut headers = call_headers(eval, &args, None, object.headers(), &url);
        // The client's own auth (`s.auth = ...`, `Client(auth=...)`).
        headers.open |= object.attributes.get("auth").is_some_and(may_set_headers);
        let slot = keyword_slot(args_node, &args, None, "headers");
        let mut found = found(request_method, url, headers, slot);
        if METHOD_FUNCTIONS.contains(&method) {
            found.method = name_slot(call, &args);
        }
        return Some(found);
    }

    match (object.class, method) {
        ("urllib3.PoolManager", "request" | "urlopen" | "request_encode_url") => {
            let url = text_arg(1, "url");
            let headers = call_headers(eval, &args, None, object.headers(), &url);
            let slot = keyword_slot(args_node, &args, None, "headers");
            Some(found(method_of(&text_arg(0, "method")), url, headers, slot))
        }
        ("urllib3.HTTPConnectionPool", "request" | "urlopen") => {
            let url = joined(object, &text_arg(1, "url"));
            let headers = call_headers(eval, &args, None, object.headers(), &url);
            let slot = keyword_slot(args_node, &args, None, "headers");
            Some(found(method_of(&text_arg(0, "method")), url, headers, slot))
        }
        ("http.client.HTTPConnection" | "http.client.HTTPSConnection", "request") => {
            let url = joined(object, &text_arg(1, "url"));
            let headers = call_headers(eval, &args, Some(3), Headers::none(), &url);
            let slot = keyword_slot(args_node, &args, Some(3), "headers");
            Some(found(
                method_sent(&text_arg(0, "method")),
                url,
                headers,
                slot,
            ))
        }
        ("urllib.request.OpenerDirector", "open") => {
            urlopen(eval, &client, &args, call, Some(object), "urllib.request")
        }
        ("pycurl.Curl", "perform" | "perform_rb" | "perform_rs") => {
            let url = object.text("url")?.clone();
            let request_method = object.text("method").map_or(Method::Get, method_sent);
            let mut found = found(
                request_method,
                url,
                object.headers(),
                HeaderSlot::None("add the header to the HTTPHEADER option"),
            );
            found.method = MethodSlot::None;
            Some(found)
        }
        _ => None,
    }
}

/// A connection's base URL followed by a request path.
/// The URL an httpx or aiohttp client with a `base_url` requests for
/// `url`: a relative URL joins the base, with one `/` between them, as
/// both libraries join them; an absolute one, or one whose start is not
/// known, is left as it is.
fn with_base(base: &Text, url: Text) -> Text {
    let start = url.known_prefix();
    if start.is_empty() || start.contains("://") {
        return url;
    }
    let mut joined = base.clone();
    if !matches!(joined.pieces().last(), Some(Piece::Lit(end)) if end.ends_with('/')) {
        joined.push_lit("/");
    }
    for (index, piece) in url.pieces().iter().enumerate() {
        match piece {
            Piece::Lit(text) if index == 0 => joined.push_lit(text.trim_start_matches('/')),
            Piece::Lit(text) => joined.push_lit(text),
            Piece::Unknown => joined.push_unknown(),
        }
    }
    joined
}

fn joined(object: &Object, path: &Text) -> Text {
    object
        .text("base")
        .map_or_else(Text::unknown, |base| base.concat(path))
}

/// Applies `curl.setopt(option, value)` to a pycurl handle.
pub(super) fn setopt(object: &mut Object, option: &str, value: Value) {
    match option {
        "URL" => {
            object.attributes.insert("url".to_owned(), value);
        }
        "HTTPHEADER" => {
            let headers = match value {
                Value::List(items) => Value::List(items),
                _ => Value::Dict(Dict::unknown()),
            };
            object.attributes.insert("headers".to_owned(), headers);
        }
        "CUSTOMREQUEST" => {
            object.attributes.insert("method".to_owned(), value);
        }
        "UPLOAD" | "PUT" => {
            object
                .attributes
                .insert("method".to_owned(), Value::Str(Text::lit("PUT")));
        }
        "POST" => {
            object
                .attributes
                .insert("method".to_owned(), Value::Str(Text::lit("POST")));
        }
        "NOBODY" => {
            object
                .attributes
                .insert("method".to_owned(), Value::Str(Text::lit("HEAD")));
        }
        _ => {}
    }
}
