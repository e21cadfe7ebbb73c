//! Requests whose URL is a parameter of the function they are written in:
//! the URL is known only at the function's call sites, so the analyser
//! keeps such requests pending and judges them against every call it sees.
//!
//! While a function body is analysed, its parameters hold markers (private
//! Unicode characters) instead of values; substituting a call's arguments
//! for them gives the URL that call requests.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use crate::finding::Finding;
use crate::request::{Header, Headers, Request, TOKEN_HEADER};
use crate::rules;
use crate::text::{Piece, Text};

use super::value::{Dict, Object, Value};

const OPEN: char = '\u{E000}';
const CLOSE: char = '\u{E001}';

/// How many pending requests one file may hold: recursion between
/// functions must not make the analysis run away.
const MAX_PENDING: usize = 1000;

/// The marker standing for parameter `index` of function `function`.
pub(super) fn marker(function: usize, index: usize) -> Text {
    Text::lit(format!("{OPEN}{function}:{index}{CLOSE}"))
}

/// Whether a text holds a marker.
pub(super) fn has_markers(text: &Text) -> bool {
    text.pieces()
        .iter()
        .any(|p| matches!(p, Piece::Lit(s) if s.contains(OPEN)))
}

/// `text` with every parameter marker an unknown part.
pub(super) fn unmark(text: &Text) -> Text {
    substitute(text, usize::MAX, &[])
}

/// Headers with parameter markers made unknown parts.
pub(super) fn unmark_headers(headers: &Headers) -> Headers {
    let mut out = Headers::none();
    out.open = headers.open;
    for header in &headers.known {
        out.push(Header::new(unmark(&header.name), unmark(&header.value)));
    }
    out
}

/// `text` with the markers of `function` replaced by `args` (unknown
/// where no argument is given); other functions' markers are kept.
fn substitute(text: &Text, function: usize, args: &[Option<Text>]) -> Text {
    text.replace_markers(OPEN, CLOSE, |inside| {
        let parsed = inside
            .split_once(':')
            .and_then(|(f, i)| Some((f.parse::<usize>().ok()?, i.parse::<usize>().ok()?)));
        match parsed {
            Some((f, i)) if f == function => args.get(i).cloned().flatten(),
            Some(_) if function != usize::MAX => Some(Text::lit(format!("{OPEN}{inside}{CLOSE}"))),
            _ => None,
        }
    })
}

/// A parameter of a function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Param {
    /// Its name.
    pub name: String,
    /// Whether a positional argument can fill it.
    pub positional: bool,
    /// Its default value, when it has a string one.
    pub default: Option<Text>,
}

/// A function defined in the file.
#[derive(Debug, Clone)]
pub(super) struct Function {
    /// Its name.
    pub name: String,
    /// Its parameters, in order (`self` included for methods).
    pub params: Vec<Param>,
}

/// What a function of the file gives its callers, as far as its `return`
/// statements (or a lambda's body) show: a value holding the function's
/// parameter markers, which a call's arguments replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Returns {
    /// The `def` or `lambda` node's id: a name still bound to this value
    /// has not been bound again since the definition.
    pub def: usize,
    /// The function's index, whose markers the value holds; `None` for a
    /// lambda, whose parameters are not modelled.
    pub function: Option<usize>,
    /// Its parameters.
    pub params: Vec<Param>,
    /// What it returns; unknown until its body is walked.
    pub value: Value,
    /// The module-level names its code reads, with the values they had
    /// when `value` was read: Python reads globals when a function runs,
    /// so once one is bound to something else, `value` no longer holds.
    pub reads: Vec<(String, Option<Value>)>,
    /// An `async def`: a call gives a coroutine, and only `await` its value.
    pub coroutine: bool,
}

impl Returns {
    /// A function whose body has not been walked yet.
    pub(super) fn unknown(def: usize) -> Self {
        Returns {
            def,
            function: None,
            params: Vec::new(),
            value: Value::Unknown,
            reads: Vec::new(),
            coroutine: false,
        }
    }

    /// What a call passing `positional` and `keywords` gets back.
    pub(super) fn called(&self, positional: &[Option<Text>], keywords: &[(String, Text)]) -> Value {
        match self.function {
            Some(function) => {
                let args = bind_params(&self.params, positional, keywords);
                substitute_value(&self.value, function, &args)
            }
            None => self.value.clone(),
        }
    }
}

impl Returns {
    /// What a call gets back when which argument fills which parameter is
    /// not known (`f(*args)`): every parameter unknown.
    pub(super) fn called_with_unknown_arguments(&self) -> Value {
        match self.function {
            Some(function) => substitute_value(&self.value, function, &[]),
            None => self.value.clone(),
        }
    }
}

/// `value` with the markers of `function` replaced by `args`, in every
/// string it holds.
fn substitute_value(value: &Value, function: usize, args: &[Option<Text>]) -> Value {
    let text = |t: &Text| substitute(t, function, args);
    match value {
        Value::Str(t) => Value::Str(text(t)),
        Value::Dict(dict) => Value::Dict(Dict {
            entries: dict
                .entries
                .iter()
                .map(|(k, v)| (text(k), substitute_value(v, function, args)))
                .collect(),
            open: dict.open,
        }),
        Value::List(items) => Value::List(
            items
                .iter()
                .map(|v| substitute_value(v, function, args))
                .collect(),
        ),
        Value::Object(object) => Value::Object(Object {
            class: object.class,
            attributes: object
                .attributes
                .iter()
                .map(|(k, v)| (k.clone(), substitute_value(v, function, args)))
                .collect(),
        }),
        other => other.clone(),
    }
}

/// A call of a function by name, with its arguments' values.
#[derive(Debug, Clone)]
pub(super) struct CallSite {
    /// The name called.
    pub name: String,
    /// Positional arguments (`None` where not a string).
    pub positional: Vec<Option<Text>>,
    /// Keyword arguments.
    pub keywords: Vec<(String, Text)>,
    /// The function the call is written in, if any: its markers may be in
    /// the arguments.
    pub caller: Option<usize>,
}

/// A request whose URL depends on a parameter of `function`.
#[derive(Debug, Clone)]
struct Pending {
    function: usize,
    cell: usize,
    request: Request,
}

/// The functions, pending requests and call sites of one file.
#[derive(Debug, Default)]
pub(super) struct Calls {
    /// Functions by index (markers name them by index).
    pub functions: Vec<Function>,
    /// Pending requests by the name of their function.
    pending: HashMap<String, Vec<Pending>>,
    pending_count: usize,
    /// Call sites by the name called.
    sites: HashMap<String, Vec<CallSite>>,
    reported: HashSet<(usize, Range<usize>)>,
}

impl Calls {
    /// Records a request in `cell` whose URL holds markers of `function`;
    /// returns the findings calls seen so far give it.
    pub(super) fn add_pending(
        &mut self,
        function: usize,
        cell: usize,
        request: Request,
    ) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut work = vec![Pending {
            function,
            cell,
            request,
        }];
        while let Some(pending) = work.pop() {
            let Some(name) = self.functions.get(pending.function).map(|f| f.name.clone()) else {
                continue;
            };
            let known = self.pending.get(&name).is_some_and(|all| {
                all.iter().any(|p| {
                    p.function == pending.function
                        && p.cell == pending.cell
                        && p.request == pending.request
                })
            });
            if known || self.pending_count >= MAX_PENDING {
                continue;
            }
            let sites = self.sites.get(&name).cloned().unwrap_or_default();
            for site in &sites {
                self.apply(&pending, site, &mut findings, &mut work);
            }
            self.pending.entry(name).or_default().push(pending);
            self.pending_count += 1;
        }
        findings
    }

    /// Records a call; returns the findings it gives pending requests.
    pub(super) fn add_site(&mut self, site: CallSite) -> Vec<Finding> {
        let mut findings = Vec::new();
        let mut work = Vec::new();
        let pending = self.pending.get(&site.name).cloned().unwrap_or_default();
        for pending in &pending {
            self.apply(pending, &site, &mut findings, &mut work);
        }
        self.sites.entry(site.name.clone()).or_default().push(site);
        for pending in work {
            findings.extend(self.add_pending(pending.function, pending.cell, pending.request));
        }
        findings
    }

    /// Judges `pending` with the arguments of `site`: a finding when they
    /// make it a metadata request, a new pending request on the caller
    /// when they pass the caller's parameters on.
    fn apply(
        &mut self,
        pending: &Pending,
        site: &CallSite,
        findings: &mut Vec<Finding>,
        work: &mut Vec<Pending>,
    ) {
        let Some(function) = self.functions.get(pending.function) else {
            return;
        };
        if function.name != site.name {
            return;
        }
        let args = bind(function, site);
        let url = substitute(&pending.request.url, pending.function, &args);
        let mut request = pending.request.clone();
        request.url = unmark(&url);
        request.headers = unmark_headers(&request.headers);
        if let Some(judgement) = rules::judge(&request) {
            if self.reported.insert((pending.cell, request.range.clone())) {
                let mut finding = Finding::new(
                    judgement.rule,
                    pending.cell,
                    request.range.clone(),
                    judgement.message,
                );
                finding.note = judgement.note;
                finding.help = Some(format!(
                    "the URL comes from an argument of `{}`, and a call of it in this file passes \
                     a metadata URL: add the `{TOKEN_HEADER}` header by hand where the URL is known",
                    function.name
                ));
                findings.push(finding);
            }
            return;
        }
        if let (Some(caller), true) = (site.caller, has_markers(&url)) {
            let mut request = pending.request.clone();
            request.url = url;
            work.push(Pending {
                function: caller,
                cell: pending.cell,
                request,
            });
        }
    }

    /// Whether a request site has been reported through a call.
    pub(super) fn is_reported(&self, cell: usize, range: &Range<usize>) -> bool {
        self.reported.contains(&(cell, range.clone()))
    }
}

/// The arguments a call passes to each parameter, defaults filling the rest.
fn bind(function: &Function, site: &CallSite) -> Vec<Option<Text>> {
    bind_params(&function.params, &site.positional, &site.keywords)
}

/// The arguments given to each of `params`, defaults filling the rest.
fn bind_params(
    params: &[Param],
    positional: &[Option<Text>],
    keywords: &[(String, Text)],
) -> Vec<Option<Text>> {
    let mut positional = positional.iter();
    params
        .iter()
        .map(|param| {
            let by_position = if param.positional {
                positional.next().cloned()
            } else {
                None
            };
            by_position
                .or_else(|| {
                    keywords
                        .iter()
                        .find(|(k, _)| *k == param.name)
                        .map(|(_, v)| Some(v.clone()))
                })
                .unwrap_or_else(|| param.default.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::Method;

    fn calls_with_fetch() -> Calls {
        let mut calls = Calls::default();
        calls.functions.push(Function {
            name: "fetch".to_owned(),
            params: vec![Param {
                name: "url".to_owned(),
                positional: true,
                default: None,
            }],
        });
        calls
    }

    fn pending_request() -> Request {
        Request {
            client: "requests.get".to_owned(),
            method: Method::Get,
            url: marker(0, 0),
            headers: Headers::none(),
            range: 10..20,
        }
    }

    fn site(arg: &str) -> CallSite {
        CallSite {
            name: "fetch".to_owned(),
            positional: vec![Some(Text::lit(arg))],
            keywords: Vec::new(),
            caller: None,
        }
    }

    #[test]
    fn markers_round_trip() {
        let mut text = Text::lit("http://");
        text.push_text(&marker(3, 1));
        text.push_lit("/x");
        assert!(has_markers(&text));
        assert_eq!(unmark(&text).to_string(), "http://…/x");
        let args = vec![None, Some(Text::lit("h"))];
        assert_eq!(substitute(&text, 3, &args).to_string(), "http://h/x");
        assert!(has_markers(&substitute(&text, 2, &args)));
    }

    #[test]
    fn a_call_passing_a_metadata_url_reports_the_request_once() {
        let mut calls = calls_with_fetch();
        assert!(calls.add_pending(0, 0, pending_request()).is_empty());
        assert!(calls.add_site(site("http://example.com/")).is_empty());
        let found = calls.add_site(site("http://169.254.169.254/latest/meta-data/"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].range, 10..20);
        assert!(found[0].help.is_some() && found[0].fix.is_none());
        assert!(calls
            .add_site(site("http://169.254.169.254/latest/user-data"))
            .is_empty());
    }

    #[test]
    fn calls_seen_before_the_request_count_too() {
        let mut calls = calls_with_fetch();
        assert!(calls
            .add_site(site("http://169.254.169.254/latest/"))
            .is_empty());
        assert_eq!(calls.add_pending(0, 0, pending_request()).len(), 1);
    }

    #[test]
    fn arguments_passed_on_by_another_function() {
        let mut calls = calls_with_fetch();
        calls.functions.push(Function {
            name: "outer".to_owned(),
            params: vec![Param {
                name: "u".to_owned(),
                positional: true,
                default: None,
            }],
        });
        calls.add_pending(0, 0, pending_request());
        let inner = CallSite {
            name: "fetch".to_owned(),
            positional: vec![Some(marker(1, 0))],
            keywords: Vec::new(),
            caller: Some(1),
        };
        assert!(calls.add_site(inner).is_empty());
        let outer = CallSite {
            name: "outer".to_owned(),
            positional: Vec::new(),
            keywords: vec![("u".to_owned(), Text::lit("http://169.254.169.254/latest/"))],
            caller: None,
        };
        assert_eq!(calls.add_site(outer).len(), 1);
    }
}
