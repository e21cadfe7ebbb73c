//! What one Python call does: a request (reported), a client object's
//! headers changed, shell code run, or a call of the file's own function
//! (kept for requests whose URL is a parameter).

use imds_lint_parser::syntax;
use tree_sitter::Node;

use crate::endpoint;
use crate::finding::{Finding, Rule};
use crate::request::{Method, Request, TTL_HEADER};
use crate::rules::{self, imd003_imdsv1_only_client};
use crate::text::Text;

use super::args::Args;
use super::clients::{self, Found};
use super::functions::{self, CallSite};
use super::imports::chain;
use super::mutation;
use super::query::Match;
use super::shell_run;
use super::token_request;
use super::value::Value;
use super::walk::CellWalk;
use super::Site;
use super::{child_in, kind_of};

/// Nodes of a call looked at for calls of the file's own functions; a
/// real request is a few dozen.
const MAX_CALL_NODES: usize = 256;

/// boto 2 functions that can only speak IMDSv1.
const BOTO_METADATA: &[&str] = &[
    "boto.utils.get_instance_metadata",
    "boto.utils.get_instance_identity",
    "boto.utils.get_instance_userdata",
];

impl<'t> CellWalk<'_, '_, 't> {
    /// Acts on one call.
    pub(super) fn call(&mut self, m: &Match<'t>, frame: Option<usize>) {
        let call = m.node;
        let (Some(arguments), Some(callee)) = (m.arguments, child_in(call, "function")) else {
            return;
        };

        self.walk_functions_called_in(call, frame);
        let canonical = self.eval(frame).canonical(callee);
        if let Some(name) = &canonical {
            if self.library_call(name, call, arguments, frame) {
                return;
            }
        }
        if !self.volatile.is_empty() && self.may_run_unfollowed_code(m, canonical.is_some(), frame)
        {
            self.forget_volatile();
        }
        // A function the analyser cannot follow may change a dict it is
        // given (add the token to headers, say).
        let changes_arguments = canonical
            .as_deref()
            .is_none_or(|n| !mutation::reads_only(n));
        if let Some(function) = m.function {
            let name = self.code[function.byte_range()].to_owned();
            self.walk_called(&name, frame);
            self.call_site(name, false, arguments, frame);
            if changes_arguments {
                self.may_change_arguments(arguments, frame);
            }
            return;
        }

        let (Some(receiver), Some(method)) = (m.receiver, m.method) else {
            return;
        };
        let method = &self.code[method.byte_range()];
        match self.eval(frame).value(receiver) {
            Value::Object(object) if shell_run::is_ipython_shell(&object) => {
                self.run_ipython(call, method, arguments, frame);
            }
            Value::Object(object) => {
                let eval = self.eval(frame);
                match clients::method_request(&eval, &object, method, call, arguments) {
                    Some(found) => self.report(found, frame),
                    None => self.change_object(receiver, method, arguments, frame),
                }
            }
            Value::Dict(_) => self.dict_method(receiver, method, arguments, frame),
            Value::Instance(_) => {
                self.call_site(method.to_owned(), true, arguments, frame);
                self.may_change_arguments(arguments, frame);
            }
            Value::List(_) => self.list_method(receiver, method, arguments, frame),
            // String methods leave their arguments as they were.
            Value::Str(_) | Value::Number(_) => {}
            _ if changes_arguments => self.may_change_arguments(arguments, frame),
            _ => {}
        }
    }

    /// Whether a call may run code of the file that the walk does not
    /// follow there: a function of the file not defined in this cell (or
    /// given as a callback), a method of an object the walk does not know.
    /// Library calls by canonical name and builtins cannot reach it; nor
    /// can methods of known strings, dicts, lists and clients.
    fn may_run_unfollowed_code(&self, m: &Match<'t>, library: bool, frame: Option<usize>) -> bool {
        let eval = self.eval(frame);
        let callback = m.arguments.is_some_and(|arguments| {
            let args = Args::of(arguments, self.code);
            let given = args
                .positional
                .iter()
                .chain(args.keywords.iter().map(|(_, v)| v));
            given.into_iter().any(|n| {
                kind_of(*n) == "identifier" && matches!(eval.value(*n), Value::Function(_))
            })
        });
        if callback {
            return true;
        }
        if let Some(function) = m.function {
            let name = &self.code[function.byte_range()];
            return self.scopes.is_bound(name, frame) && !self.defined.contains_key(name);
        }
        match m.receiver.map(|receiver| eval.value(receiver)) {
            Some(
                Value::Object(_)
                | Value::Dict(_)
                | Value::List(_)
                | Value::Str(_)
                | Value::Number(_),
            ) => false,
            Some(Value::Instance(_)) => true,
            _ => !library,
        }
    }

    /// Makes the names a function of the file rebinds through `global`
    /// unknown: a call the walk did not follow may have run it.
    fn forget_volatile(&mut self) {
        let names: Vec<String> = self.volatile.iter().cloned().collect();
        for name in names {
            self.bind(&name, Value::Unknown, None);
        }
    }

    /// Walks the bodies of this cell's functions that `call` calls in its
    /// arguments or receiver (`requests.get(url("x"))`,
    /// `session().get(...)`), so that what they return is known when the
    /// call is judged; their own calls come later in the walk.
    fn walk_functions_called_in(&mut self, call: Node<'t>, frame: Option<usize>) {
        if self.defined.is_empty() {
            return;
        }
        for node in syntax::preorder(call).take(MAX_CALL_NODES) {
            if kind_of(node) != "call" {
                continue;
            }
            if let Some(callee) = child_in(node, "function").filter(|f| kind_of(*f) == "identifier")
            {
                let name = &self.code[callee.byte_range()];
                if self.defined.contains_key(name) {
                    self.walk_called(name, frame);
                }
            }
        }
    }

    /// A call of a library function by its canonical name; `true` when
    /// the name is one imds-lint knows.
    fn library_call(
        &mut self,
        name: &str,
        call: Node<'t>,
        arguments: Node<'t>,
        frame: Option<usize>,
    ) -> bool {
        if BOTO_METADATA.contains(&name) {
            if self.file.settings.enabled(crate::Rule::Imdsv1OnlyClient) {
                let finding = imd003_imdsv1_only_client::finding(
                    self.index,
                    call.byte_range(),
                    name,
                    "boto3's `InstanceMetadataFetcher`, or `requests` with an IMDSv2 token",
                );
                self.file.findings.push(finding);
            }
            return true;
        }
        if shell_run::is_runner(name) {
            self.run_shell(call, arguments, frame);
            return true;
        }
        if name == shell_run::WRITE_FILE {
            self.written_script(arguments, frame);
            return true;
        }
        if clients::INSTALL_OPENER.contains(&name) {
            let opener = Args::of(arguments, self.code)
                .get(0, "opener")
                .map_or(Value::Unknown, |node| self.eval(frame).value(node));
            self.scopes.bind(clients::INSTALLED_OPENER, opener, None);
            return true;
        }
        let eval = self.eval(frame);
        match clients::function_request(&eval, name, call, arguments) {
            Some(found) => {
                self.report(found, frame);
                true
            }
            None => false,
        }
    }

    /// Judges a request and reports it, or keeps it pending when its URL
    /// is a parameter of the function it is in.
    pub(super) fn report(&mut self, found: Found, frame: Option<usize>) {
        let Found {
            request,
            slot,
            method,
            limit,
        } = found;
        let judged = Request {
            url: functions::unmark(&request.url),
            headers: functions::unmark_headers(&request.headers),
            ..request.clone()
        };
        if let Some(judgement) = rules::judge(&judged) {
            if !self.file.settings.enabled(judgement.rule)
                || self.calls.is_reported(self.index, &judged.range)
            {
                return;
            }
            let mut finding = Finding::new(
                judgement.rule,
                self.index,
                judged.range.clone(),
                judgement.message,
            );
            finding.note = judgement.note;
            let base = judgement.endpoint.token_base(&judged.url);
            if judgement.rule != Rule::MetadataRequestWithoutToken {
                // The token fix adds a token; a malformed token request
                // needs its method or TTL mended instead, if it can be.
                finding.help = Some(format!(
                    "send the token request with PUT and a `{TTL_HEADER}` header of 1 to 21600 seconds"
                ));
                self.file.findings.push(finding);
                if let Some(mend) = token_request::Mend::of(&judged, method) {
                    self.sites.push(Site {
                        finding: self.file.findings.len() - 1,
                        frame,
                        call: judged.range,
                        slot,
                        client: judged.client,
                        base,
                        mend: Some(mend),
                        limit,
                    });
                }
                return;
            }
            self.file.findings.push(finding);
            self.sites.push(Site {
                finding: self.file.findings.len() - 1,
                frame,
                call: judged.range,
                slot,
                client: judged.client,
                base,
                mend: None,
                limit,
            });
            return;
        }
        if is_token_fetch(&judged) {
            self.tokens.push((frame, judged.range.clone()));
            return;
        }
        if functions::has_markers(&request.url) && endpoint::classify(&judged.url).is_none() {
            if let Some(function) = self.scopes.function_of(frame) {
                let pending = Request {
                    headers: judged.headers,
                    ..request
                };
                let found = self.calls.add_pending(function, self.index, pending);
                self.push_findings(found);
            }
        }
    }

    /// Adds findings made through call sites, for the rules that run.
    pub(super) fn push_findings(&mut self, findings: Vec<Finding>) {
        let settings = self.file.settings;
        self.file
            .findings
            .extend(findings.into_iter().filter(|f| settings.enabled(f.rule)));
    }

    /// Records a call of a function by name when its arguments may be
    /// metadata URLs (or carry the caller's parameters on).
    fn call_site(&mut self, name: String, method: bool, arguments: Node, frame: Option<usize>) {
        let eval = self.eval(frame);
        let args = Args::of(arguments, self.code);
        let mut positional: Vec<Option<Text>> = Vec::new();
        if method {
            positional.push(None);
        }
        positional.extend(
            args.positional
                .iter()
                .map(|n| eval.value(*n).as_text().cloned()),
        );
        let keywords: Vec<(String, Text)> = args
            .keywords
            .iter()
            .filter_map(|(k, v)| Some(((*k).to_owned(), eval.value(*v).as_text()?.clone())))
            .collect();
        let interesting = |t: &Text| {
            functions::has_markers(t) || endpoint::classify(&functions::unmark(t)).is_some()
        };
        if !positional.iter().flatten().any(interesting)
            && !keywords.iter().any(|(_, t)| interesting(t))
        {
            return;
        }
        let site = CallSite {
            name,
            positional,
            keywords,
            caller: self.scopes.function_of(frame),
        };
        let found = self.calls.add_site(site);
        self.push_findings(found);
    }

    /// `req.add_header(k, v)`, `curl.setopt(option, value)`.
    fn change_object(
        &mut self,
        receiver: Node,
        method: &str,
        arguments: Node,
        frame: Option<usize>,
    ) {
        let eval = self.eval(frame);
        let args = Args::of(arguments, self.code);
        let (Some(first), Some(second)) = (args.positional.first(), args.positional.get(1)) else {
            return;
        };
        match method {
            "add_header" | "add_unredirected_header" | "putheader" => {
                let key = eval.text(*first);
                let value = eval.value(*second);
                if let Some(Value::Object(object)) = self.place(receiver, frame) {
                    if let Some(headers) = object.headers_mut() {
                        headers.insert(key, value);
                    }
                }
            }
            "setopt" | "setopt_string" => {
                let Some(option) = chain(*first, self.code).and_then(|parts| parts.last().copied())
                else {
                    return;
                };
                let option = option.to_owned();
                let value = eval.value(*second);
                if let Some(Value::Object(object)) = self.place(receiver, frame) {
                    clients::setopt(object, &option, value);
                }
            }
            _ => {}
        }
    }
}

/// Whether a request is a token fetch IMDS accepts (the rules judged it
/// fine): a PUT to the token path with a TTL header.
fn is_token_fetch(request: &Request) -> bool {
    request.method == Method::Put
        && request.headers.has(TTL_HEADER)
        && endpoint::classify(&request.url).is_some_and(|e| e.is_token_path())
}
