//! Fixes for Python findings: fetch a token once per scope (a cell's top
//! level, or a function body), on its own line before the statement that
//! holds the scope's first request, and send it in each request's headers.
//! A request where the code's own variable holds a token from a correct
//! token request sends that instead (see `reuse`). A comprehension or
//! lambda in a class body cannot see the class's names: its token is
//! fetched before the class statement. Strings inserted inside an
//! f-string take a quote that does not end it (see `quotes`). The fetch
//! uses the request's own library, and the scheme, host and port of the
//! first request's URL. The fix is unsafe, saying why, when the request
//! may not run where the fetch does (see `Detached`); headers held in a
//! name not known to be a dict are merged as `{**dict(h or {}), ...}`:
//!
//! ```python
//! imds_token = requests.put("http://169.254.169.254/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"}).text
//! region = requests.get(MD + "placement/region", headers={"X-aws-ec2-metadata-token": imds_token}).text
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;
use std::ops::Range;

use imds_lint_parser::{syntax, Applicability, Edit, Fix, Lang};
use tree_sitter::Node;

use crate::request::{TOKEN_HEADER, TTL_HEADER};

use super::clients::{ArgvHeader, HeaderSlot};
use super::quotes::{self, quoted};
use super::value::Value;
use super::walk::CellWalk;
use super::Site;
use super::{child_in, identifiers, kind_of};

/// The library a scope's token fetch is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Requests,
    Httpx,
    Urllib,
    Urllib3,
    HttpClient,
    /// A command-line client run by `subprocess`, the way the request's
    /// command is: its failure makes no exception, as the command's does
    /// not.
    Command(ArgvHeader),
}

impl Family {
    /// The family of a request's client; `None` for clients a fetch
    /// cannot be written for in one statement (aiohttp, urllib2, pycurl).
    fn of(client: &str) -> Option<Family> {
        let module = client.split('.').next()?;
        Some(match module {
            "requests" => Family::Requests,
            "httpx" => Family::Httpx,
            "urllib3" => Family::Urllib3,
            "http" if client.starts_with("http.client.") => Family::HttpClient,
            "urllib" if client.starts_with("urllib.request.") => Family::Urllib,
            _ => return None,
        })
    }
}

/// The library a request's own fetch would use: a command gets its token
/// from its own program.
fn site_family(site: &Site) -> Option<Family> {
    match site.slot {
        HeaderSlot::Argv { style, .. } => Some(Family::Command(style)),
        _ => Family::of(&site.client),
    }
}

/// What all fixes of one scope share.
#[derive(Debug, Clone)]
struct Plan {
    /// The token variable.
    token: String,
    /// The library the token is fetched with (`None`: reused).
    family: Option<Family>,
    /// Edits every fix of the scope carries: the token fetch (with any
    /// import it needs) and names added to `from ... import` lines.
    shared: Vec<Edit>,
    /// The most a fix of the scope can be: unsafe when the fetch runs
    /// where the request might not have, or reuses a token request whose
    /// own fix is unsafe.
    applicability: Applicability,
    /// Why the scope's fetch makes its fixes unsafe, if it does.
    reason: Option<&'static str>,
    /// Whether the token variable already existed.
    reused: bool,
    /// Where the token is fetched: the token request, or the statement the
    /// fetch goes before.
    fetched_at: usize,
    /// The statement the fetch goes before, when it was taken out of the
    /// branch, loop, `try` or `with` its request is in.
    moved_over: Option<Range<usize>>,
}

/// Lines and edits that make a name usable in the inserted code.
#[derive(Debug, Default)]
struct Needs {
    /// `import x` lines to put before the token fetch.
    lines: Vec<String>,
    /// `, Name` insertions into `from ... import` statements.
    edits: Vec<Edit>,
}

impl<'t> CellWalk<'_, '_, 't> {
    /// Attaches a fix, or a help saying why there is none, to each
    /// finding reported in this cell.
    pub(super) fn attach_fixes(&mut self, root: Node<'t>) {
        if self.sites.is_empty() {
            return;
        }
        let in_use = self.names_in_use(root);
        let token = unique(&self.file.settings.token_variable.python, &in_use);

        // Placing a fix asks for a request's ancestors, and tree-sitter
        // finds each by walking down from the root: code nested thousands
        // deep would take the square of its depth. No real code nests so
        // deep; such a request keeps its finding and gets no fix.
        let (deep, sites): (Vec<Site>, Vec<Site>) = std::mem::take(&mut self.sites)
            .into_iter()
            .partition(|s| deeper_than(root, &s.call, MAX_FIX_DEPTH));
        for site in deep {
            self.file.findings[site.finding].help = Some(format!(
                "no automatic fix: the request is nested more than {MAX_FIX_DEPTH} levels deep; \
                 send the `{TOKEN_HEADER}` header by hand"
            ));
        }
        let (mend, sites): (Vec<Site>, Vec<Site>) =
            sites.into_iter().partition(|s| s.mend.is_some());
        // A token request mended here is the code's own token fetch: the
        // requests after it reuse its variable, their fixes carrying its
        // edits so that each works alone.
        let mut mended: Vec<(Range<usize>, Fix)> = Vec::new();
        for site in &mend {
            let Some(mend) = &site.mend else {
                continue;
            };
            // Without a fix the finding keeps its help.
            if let Ok(fix) = self.mend_fix(root, site, mend) {
                self.tokens.push((site.frame, site.call.clone()));
                mended.push((site.call.clone(), fix.clone()));
                let finding = &mut self.file.findings[site.finding];
                finding.fix = Some(fix);
                finding.help = None;
            }
        }

        let mut scopes: Vec<(Option<usize>, Vec<Site>)> = Vec::new();
        for site in sites {
            let frame = self.fetch_frame(root, &site);
            match scopes.iter_mut().find(|(f, _)| *f == frame) {
                Some((_, sites)) => sites.push(site),
                None => scopes.push((frame, vec![site])),
            }
        }
        for (frame, mut sites) in scopes {
            sites.sort_by_key(|s| s.call.start);
            // A request where the code holds a token already sends it; the
            // others share one fetch, before the first of them a fix can
            // change, in the library of the first whose library can fetch.
            let reuse: Vec<Option<Plan>> = sites
                .iter()
                .map(|s| self.reuse_plan(root, frame, s, &mended))
                .collect();
            let fixable = |(s, reuse): &(&Site, &Option<Plan>)| {
                reuse.is_none() && !matches!(s.slot, HeaderSlot::None(_))
            };
            let mut needing = sites.iter().zip(&reuse).filter(fixable).map(|(s, _)| s);
            let family = needing.clone().find_map(site_family);
            let fetch = match needing.next() {
                Some(first) => self.plan(root, frame, first, family, &token),
                None => Err(String::new()),
            };
            for (site, reuse) in sites.iter().zip(reuse) {
                let outcome = reuse
                    .map_or_else(|| fetch.clone(), Ok)
                    .and_then(|plan| self.site_fix(root, site, &plan));
                let finding = &mut self.file.findings[site.finding];
                match outcome {
                    Ok(fix) => finding.fix = Some(fix),
                    // No request of the scope could be fixed, so no plan was
                    // made: each says why by itself.
                    Err(help) if help.is_empty() => {
                        finding.help = Some(match &site.slot {
                            HeaderSlot::None(what) => format!(
                                "{what}: send the token in the `{TOKEN_HEADER}` header by hand"
                            ),
                            _ => by_hand(&site.client, &site.base),
                        });
                    }
                    Err(help) => finding.help = Some(help),
                }
            }
        }
    }

    /// The frame whose body fetches the token for `site`: its own, except
    /// that a comprehension or lambda in a class body cannot see the
    /// class's names, so its token is fetched where the class statement
    /// is (outside every class it is nested in).
    fn fetch_frame(&self, root: Node<'t>, site: &Site) -> Option<usize> {
        let mut frame = site.frame;
        let in_class_body = self.scopes.class_frame(frame).is_some();
        if !in_class_body || !in_own_scope(root, &site.call) {
            return frame;
        }
        while let Some(class) = self.scopes.class_frame(frame) {
            frame = self.scopes.frames[class].parent;
        }
        frame
    }

    /// The plan that sends the code's own token variable in `site`, when
    /// it holds the token there (see `reuse`); `mended` holds the token
    /// requests fixed in this cell, whose edits the fix must carry.
    fn reuse_plan(
        &self,
        root: Node<'t>,
        frame: Option<usize>,
        site: &Site,
        mended: &[(Range<usize>, Fix)],
    ) -> Option<Plan> {
        let (token, request) = self.token_before(root, frame, &site.call)?;
        let (shared, mut applicability) = match mended.iter().find(|(r, _)| *r == request) {
            Some((_, fix)) => (fix.edits.clone(), fix.applicability),
            None => (Vec::new(), Applicability::Safe),
        };
        let outlived = outlives(node_at(root, &site.call)?, request.start, self.code);
        if outlived.is_some() {
            applicability = Applicability::Unsafe;
        }
        Some(Plan {
            token,
            family: None,
            shared,
            applicability,
            reason: outlived.map(Detached::reason),
            reused: true,
            fetched_at: request.start,
            moved_over: None,
        })
    }

    /// The token fetch into `fresh` a scope needs before `first`, the
    /// first of its requests that has no token to reuse.
    fn plan(
        &self,
        root: Node<'t>,
        frame: Option<usize>,
        first: &Site,
        family: Option<Family>,
        fresh: &str,
    ) -> Result<Plan, String> {
        let call = node_at(root, &first.call).ok_or("the request was not found again")?;
        // A request whose token is fetched outside its class body (see
        // `fetch_frame`) gets it before the class statement.
        let through_classes = frame != first.frame;
        let (statement, moved) = top_statement(call, through_classes, self.code)
            .ok_or("the request's statement was not found")?;

        let family = family.ok_or_else(|| by_hand(&first.client, &first.base))?;
        let line_start = self.code[..statement.start_byte()]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let indent = &self.code[line_start..statement.start_byte()];
        if !indent.chars().all(|c| c == ' ' || c == '\t') {
            return Err(format!(
                "the request shares its line with other code; fetch a token on a line of its own \
                 and send it in the `{TOKEN_HEADER}` header"
            ));
        }

        let mut needs = Needs::default();
        let limit = self
            .time_limit(call, moved.is_none().then_some(statement), first.frame)
            .or(first.limit.clone());
        let kept = moved.is_none().then_some(statement);
        let mut run_keywords = String::new();
        if matches!(first.slot, HeaderSlot::Argv { .. }) {
            // The fetch runs where and as the command does.
            for keyword in ["cwd", "env"] {
                match self.carried_keyword(call, keyword, kept, first.frame) {
                    Carried::Absent => {}
                    Carried::Written(text) => {
                        run_keywords.push_str(", ");
                        run_keywords.push_str(keyword);
                        run_keywords.push('=');
                        run_keywords.push_str(&text);
                    }
                    Carried::Unsure => {
                        return Err(format!(
                            "the command runs with a `{keyword}=` the token fetch cannot be sure \
                             to have before it: fetch a token with the same command and send it \
                             in the `{TOKEN_HEADER}` header"
                        ))
                    }
                }
            }
        }
        let command = match &first.slot {
            HeaderSlot::Argv {
                program, options, ..
            } => (program.as_str(), options.as_slice(), run_keywords.as_str()),
            _ => ("", &[][..], ""),
        };
        let fetch = self.fetch_lines(
            family,
            fresh,
            &first.base,
            limit.as_deref(),
            command,
            &mut needs,
        );
        let mut text = String::new();
        for line in needs.lines.iter().chain(&fetch) {
            text.push_str(indent);
            text.push_str(line);
            text.push('\n');
        }
        let mut shared = needs.edits;
        shared.push(Edit::insertion(line_start, text));
        let async_client = first.client.starts_with("httpx.AsyncClient");
        Ok(Plan {
            token: fresh.to_owned(),
            family: Some(family),
            shared,
            applicability: if moved.is_some() || async_client {
                Applicability::Unsafe
            } else {
                Applicability::Safe
            },
            reason: moved.map(Detached::reason),
            reused: false,
            fetched_at: statement.start_byte(),
            moved_over: moved.map(|_| statement.byte_range()),
        })
    }

    /// The lines that fetch a token into `token` with `family` from
    /// `base` (`scheme://host[:port]`), within the request's time `limit`
    /// (seconds as written) if it has one; a command's with its program
    /// and the options it carries over.
    fn fetch_lines(
        &self,
        family: Family,
        token: &str,
        base: &str,
        limit: Option<&str>,
        (program, options, run_keywords): (&str, &[String], &str),
        needs: &mut Needs,
    ) -> Vec<String> {
        let ttl = self.file.settings.token_ttl;
        let ttl_headers = format!("{{\"{TTL_HEADER}\": \"{ttl}\"}}");
        let token_url = format!("{base}{TOKEN_PATH}");
        let timeout = limit
            .map(|seconds| format!(", timeout={seconds}"))
            .unwrap_or_default();
        match family {
            Family::Requests | Family::Httpx => {
                let module = if family == Family::Requests {
                    "requests"
                } else {
                    "httpx"
                };
                let module = self.module(module, needs);
                vec![format!(
                    "{token} = {module}.put(\"{token_url}\", headers={ttl_headers}{timeout}).text"
                )]
            }
            Family::Urllib3 => {
                let module = self.module("urllib3", needs);
                vec![format!(
                    "{token} = {module}.PoolManager().request(\"PUT\", \"{token_url}\", headers={ttl_headers}{timeout}).data.decode()"
                )]
            }
            Family::Urllib => {
                let urlopen = self.object("urllib.request", "urlopen", needs);
                let request = self.object("urllib.request", "Request", needs);
                vec![format!(
                    "{token} = {urlopen}({request}(\"{token_url}\", headers={ttl_headers}, method=\"PUT\"){timeout}).read().decode()"
                )]
            }
            Family::HttpClient => {
                let module = self.module("http.client", needs);
                let (scheme, host) = base.split_once("://").unwrap_or(("http", base));
                let class = if scheme.eq_ignore_ascii_case("https") {
                    "HTTPSConnection"
                } else {
                    "HTTPConnection"
                };
                // The token variable holds the connection until the token
                // replaces it: no second name to keep apart from the code's.
                vec![
                    format!("{token} = {module}.{class}(\"{host}\"{timeout})"),
                    format!("{token}.request(\"PUT\", \"{TOKEN_PATH}\", headers={ttl_headers})"),
                    format!("{token} = {token}.getresponse().read().decode()"),
                ]
            }
            Family::Command(style) => {
                let module = self.module("subprocess", needs);
                let words = command_fetch(style, program, options, &token_url, ttl, limit)
                    .iter()
                    .map(|word| python_string(word))
                    .collect::<Vec<_>>()
                    .join(", ");
                // `run` without `check`: a failed fetch leaves the token
                // empty, and the request fails as it did without one.
                vec![format!(
                    "{token} = {module}.run([{words}], capture_output=True, text=True{run_keywords}).stdout"
                )]
            }
        }
    }

    /// How inserted code names `module`, adding `import module` if needed.
    fn module(&self, module: &str, needs: &mut Needs) -> String {
        if let Some(reference) = self.imports.reference(module) {
            return reference;
        }
        // `import http.client` would rebind `http`: when the code uses
        // that name for something else, the module gets a name of its own.
        let head = module.split('.').next().unwrap_or(module);
        let bound = |name: &str| {
            self.scopes.module.contains_key(name)
                || self.file.hidden_binds(self.index, Lang::Python, name)
        };
        let (line, name) = if bound(head) {
            let mut taken: HashSet<String> = self.scopes.module.keys().cloned().collect();
            taken.extend(self.file.hidden_names(self.index, Lang::Python, "imds_"));
            let alias = unique(&format!("imds_{}", module.replace('.', "_")), &taken);
            (format!("import {module} as {alias}"), alias)
        } else {
            (format!("import {module}"), module.to_owned())
        };
        if !needs.lines.contains(&line) {
            needs.lines.push(line);
        }
        name
    }

    /// How inserted code names `module.name`: as imported, else added to
    /// this cell's `from module import` line, else through the module.
    fn object(&self, module: &str, name: &str, needs: &mut Needs) -> String {
        let canonical = format!("{module}.{name}");
        if let Some(reference) = self.imports.reference(&canonical) {
            return reference;
        }
        // A name the code binds to something else (its own `Request`
        // class) is not imported over it: the module's is used instead.
        let bound = self.scopes.module.contains_key(name)
            || self.file.hidden_binds(self.index, Lang::Python, name);
        if let Some(from) = self
            .imports
            .statement_importing_from(module, self.index)
            .filter(|_| !bound)
        {
            let edit = Edit::insertion(from.after_last, format!(", {name}"));
            if !needs.edits.contains(&edit) {
                needs.edits.push(edit);
            }
            return name.to_owned();
        }
        format!("{}.{name}", self.module(module, needs))
    }

    /// The fix of one request, given its scope's plan.
    fn site_fix(&self, root: Node<'t>, site: &Site, plan: &Plan) -> Result<Fix, String> {
        let quote = self.insertion_quote(root, &site.call)?;
        let header = format!("{}: {}", quoted(TOKEN_HEADER, quote), plan.token);
        let mut edits = plan.shared.clone();
        let mut applicability = plan.applicability;
        let mut reason = plan.reason;
        // A request after the statement the fetch was taken out of is not
        // in it: its fix is unsafe for the fetch it shares.
        if let Some(over) = &plan.moved_over {
            if site.call.start >= over.end || site.call.end <= over.start {
                reason = Some(SHARED_MOVED_FETCH);
            }
        }
        // A fresh fetch before a lambda runs when the lambda is made: each
        // request in a lambda's body says so, whichever came first.
        let call = node_at(root, &site.call).ok_or("the request was not found again")?;
        if !plan.reused && in_lambda_body(call) {
            applicability = Applicability::Unsafe;
            reason = Some(Detached::Lambda.reason());
        }
        // A later request of the scope, in a loop or lambda the fetch
        // before the first is not in, may outlive the token.
        if let Some(why) = outlives(call, plan.fetched_at, self.code) {
            applicability = Applicability::Unsafe;
            reason = Some(why.reason());
        }
        match &site.slot {
            HeaderSlot::Keyword {
                arguments,
                value,
                dict,
                keyword,
            } => {
                edits.push(self.keyword_edit(
                    root,
                    arguments,
                    value.as_ref(),
                    *dict,
                    keyword,
                    &header,
                )?);
            }
            HeaderSlot::WrapUrl { url, module } => {
                if *module != "urllib.request" {
                    return Err(by_hand(&site.client, &site.base));
                }
                let request = self.request_class(root, site, &mut edits)?;
                let url_text = &self.code[url.clone()];
                edits.push(Edit::replacement(
                    url.clone(),
                    format!("{request}({url_text}, headers={{{header}}})"),
                ));
                applicability = Applicability::Unsafe;
            }
            HeaderSlot::Argv { after, style, .. } => {
                let token = &plan.token;
                let q = |text: &str| quoted(text, quote);
                let items = match style {
                    ArgvHeader::Option => {
                        format!(
                            ", {}, {} + {token}",
                            q("-H"),
                            q(&format!("{TOKEN_HEADER}: "))
                        )
                    }
                    ArgvHeader::Equals => {
                        format!(", {} + {token}", q(&format!("--header={TOKEN_HEADER}: ")))
                    }
                    ArgvHeader::Item => format!(", {} + {token}", q(&format!("{TOKEN_HEADER}:"))),
                };
                edits.push(Edit::insertion(*after, items));
            }
            HeaderSlot::None(what) => {
                return Err(format!(
                    "{what}: send the token in the `{TOKEN_HEADER}` header by hand"
                ));
            }
        }
        // A fetch in another library than the request's may not suit
        // its code (a blocking call in async code).
        if !plan.reused && site_family(site) != plan.family {
            applicability = Applicability::Unsafe;
        }
        let mut message = if plan.reused {
            format!(
                "send the token in `{}` in the `{TOKEN_HEADER}` header",
                plan.token
            )
        } else {
            format!(
                "fetch an IMDSv2 token into `{}` and send it in the `{TOKEN_HEADER}` header",
                plan.token
            )
        };
        if let Some(reason) = reason.filter(|_| applicability == Applicability::Unsafe) {
            message.push_str(" (unsafe: ");
            message.push_str(reason);
            message.push(')');
        }
        Ok(Fix::new(message, edits, applicability))
    }

    /// The quote of the strings a fix inserts in the request at `call`
    /// (see [`quotes`]).
    pub(super) fn insertion_quote(
        &self,
        root: Node<'t>,
        call: &Range<usize>,
    ) -> Result<char, String> {
        let node = root
            .descendant_for_byte_range(call.start, call.end)
            .ok_or("the request was not found again")?;
        quotes::for_insertion(node, self.code).ok_or_else(|| quotes::no_quote_help(TOKEN_HEADER))
    }

    /// How the code at `site` (an `urlopen` or opener `open` call) names
    /// `urllib.request.Request`: through the module it calls `urlopen` on,
    /// or as imported, with any edit to a `from` import that takes it.
    pub(super) fn request_class(
        &self,
        root: Node<'t>,
        site: &Site,
        edits: &mut Vec<Edit>,
    ) -> Result<String, String> {
        let call = node_at(root, &site.call).ok_or("the request was not found again")?;
        // An opener's `open` is called on the opener, not on the module.
        let through_module = site.client == "urllib.request.urlopen";
        match child_in(call, "function") {
            Some(callee) if kind_of(callee) == "attribute" && through_module => {
                let object = child_in(callee, "object").ok_or("no module")?;
                Ok(format!("{}.Request", &self.code[object.byte_range()]))
            }
            _ => {
                let mut needs = Needs::default();
                let request = self.object("urllib.request", "Request", &mut needs);
                if !needs.lines.is_empty() {
                    return Err(by_hand(&site.client, &site.base));
                }
                edits.extend(needs.edits);
                Ok(request)
            }
        }
    }

    /// The edit that sends `header` through a `headers=` argument.
    pub(super) fn keyword_edit(
        &self,
        root: Node<'t>,
        arguments: &Range<usize>,
        value: Option<&Range<usize>>,
        dict: bool,
        keyword: &str,
        header: &str,
    ) -> Result<Edit, String> {
        if let Some(value) = value {
            let node = node_at(root, value).ok_or("the headers were not found again")?;
            if dict {
                return Ok(match last_item(node) {
                    Some(last) => Edit::insertion(last.end_byte(), format!(", {header}")),
                    None => Edit::insertion(node.start_byte() + 1, header.to_owned()),
                });
            }
            if kind_of(node) == "none" {
                return Ok(Edit::replacement(value.clone(), format!("{{{header}}}")));
            }
            // Headers that may be `None`, or pairs (httpx takes a list of
            // them), on some path would make `**` raise: they are merged
            // through `dict(... or {})`, which takes both, unless the code
            // gives `dict` another meaning.
            let text = &self.code[value.clone()];
            let dict_rebound = self.scopes.module.contains_key("dict")
                || self.file.hidden_binds(self.index, Lang::Python, "dict");
            let merged = if self.always_a_dict(node) {
                format!("{{**{text}, {header}}}")
            } else if dict_rebound {
                format!("{{**({text} or {{}}), {header}}}")
            } else {
                format!("{{**dict({text} or {{}}), {header}}}")
            };
            return Ok(Edit::replacement(value.clone(), merged));
        }
        let node = node_at(root, arguments)
            .filter(|n| kind_of(n) == "argument_list")
            .ok_or("the arguments were not found again")?;
        Ok(match last_item(node) {
            Some(last) => Edit::insertion(last.end_byte(), format!(", {keyword}={{{header}}}")),
            None => Edit::insertion(node.start_byte() + 1, format!("{keyword}={{{header}}}")),
        })
    }

    /// The names a new token variable must not take: the module's, and
    /// those of the cell that start with the variable's name.
    fn names_in_use(&self, root: Node) -> HashSet<String> {
        let mut names: HashSet<String> = self.scopes.module.keys().cloned().collect();
        // Code left out of analysis (see `focus`) may use the names a fix
        // would take: the token variable's, and the `imds_` aliases'.
        let hidden = |prefix: &str| self.file.hidden_names(self.index, Lang::Python, prefix);
        names.extend(hidden(&self.file.settings.token_variable.python));
        names.extend(hidden("imds_"));
        // Only a name that starts with the token variable's can clash (see
        // `unique`), and code that does not hold it has none: the walk
        // over the whole tree is skipped where it would find nothing.
        let base = self.file.settings.token_variable.python.as_str();
        if memchr::memmem::find(self.code.as_bytes(), base.as_bytes()).is_some() {
            names.extend(
                identifiers(root)
                    .map(|node| &self.code[node.byte_range()])
                    .filter(|name| name.starts_with(base))
                    .map(str::to_owned),
            );
        }
        names
    }
}

/// The token endpoint's path.
const TOKEN_PATH: &str = "/latest/api/token";

impl CellWalk<'_, '_, '_> {
    /// The request's `timeout=` argument as the token request can say it
    /// too, or off EC2 (or past a container's hop limit) the fixed code
    /// would wait where the request gave up: a number; and, when the
    /// fetch goes right before `statement`, the request's own, a
    /// module-level name (`TIMEOUT`) or an attribute of a method's `self`
    /// (`self._timeout`) that the statement does not bind itself.
    /// The keyword argument `name` of `call`, for a fetch written before
    /// `statement` (`None`: elsewhere): literals (a string, a dict of
    /// them) and names as [`Self::time_limit`] takes them.
    fn carried_keyword(
        &self,
        call: Node,
        name: &str,
        statement: Option<Node>,
        frame: Option<usize>,
    ) -> Carried {
        let code = self.code;
        let Some(arguments) = child_in(call, "arguments") else {
            return Carried::Absent;
        };
        let mut cursor = arguments.walk();
        let Some(value) = arguments
            .named_children(&mut cursor)
            .filter(|arg| kind_of(arg) == "keyword_argument")
            .find(|arg| child_in(arg, "name").is_some_and(|n| &code[n.byte_range()] == name))
            .and_then(|arg| arg.child_by_field_name("value"))
        else {
            return Carried::Absent;
        };
        let plain_string = |node: Node| {
            kind_of(node) == "string" && {
                let mut cursor = node.walk();
                let plain = node
                    .named_children(&mut cursor)
                    .all(|part| kind_of(part) != "interpolation");
                plain
            }
        };
        let literal = match kind_of(value) {
            "string" => plain_string(value),
            "none" => true,
            "dictionary" => {
                let mut cursor = value.walk();
                let all_plain = value.named_children(&mut cursor).all(|pair| {
                    kind_of(pair) == "pair"
                        && child_in(pair, "key").is_some_and(plain_string)
                        && child_in(pair, "value").is_some_and(plain_string)
                });
                all_plain
            }
            _ => false,
        };
        if literal {
            return Carried::Written(code[value.byte_range()].to_owned());
        }
        match statement.and_then(|statement| self.name_usable_before(value, statement, frame)) {
            Some(text) => Carried::Written(text),
            None => Carried::Unsure,
        }
    }

    fn time_limit(
        &self,
        call: Node,
        statement: Option<Node>,
        frame: Option<usize>,
    ) -> Option<String> {
        let code = self.code;
        let arguments = child_in(call, "arguments")?;
        let mut cursor = arguments.walk();
        let value = arguments
            .named_children(&mut cursor)
            .filter(|arg| kind_of(arg) == "keyword_argument")
            .find(|arg| {
                child_in(arg, "name").is_some_and(|name| &code[name.byte_range()] == "timeout")
            })?
            .child_by_field_name("value")?;
        let text = &code[value.byte_range()];
        let number = |node: Node| matches!(kind_of(node), "integer" | "float");
        // `(1, 3)`: requests' connect and read limits; the fetch uses the
        // request's own library, which takes them as written.
        let numbers = kind_of(value) == "tuple" && {
            let mut cursor = value.walk();
            let items: Vec<Node> = value.named_children(&mut cursor).collect();
            !items.is_empty() && items.into_iter().all(number)
        };
        if number(value) || numbers {
            return Some(text.to_owned());
        }
        self.name_usable_before(value, statement?, frame)
    }

    /// `value`'s text, when it is a name (or an attribute of one) that means
    /// the same in a fetch written right before `statement`: one bound at
    /// module level and not in `frame`, or an attribute of `self`, and
    /// not bound by the statement itself.
    fn name_usable_before(
        &self,
        value: Node,
        statement: Node,
        frame: Option<usize>,
    ) -> Option<String> {
        let code = self.code;
        let text = &code[value.byte_range()];
        let mut root = value;
        while kind_of(root) == "attribute" {
            root = child_in(root, "object")?;
        }
        if kind_of(root) != "identifier" {
            return None;
        }
        let name = &code[root.byte_range()];
        // `(TIMEOUT := 2)`, `[... for TIMEOUT in ...]` in the statement.
        let binds_it = syntax::preorder(statement)
            .take(MAX_STATEMENT_SCAN)
            .any(|n| {
                let target = match kind_of(n) {
                    "named_expression" => child_in(n, "name"),
                    "for_in_clause" => child_in(n, "left"),
                    _ => None,
                };
                target.is_some_and(|t| identifiers(t).any(|id| &code[id.byte_range()] == name))
            });
        if binds_it {
            return None;
        }
        let usable = if name == "self" {
            root != value && matches!(self.scopes.get(name, frame), Some(Value::Instance(_)))
        } else {
            let module_level =
                self.scopes.get(name, frame).is_some() || self.imports.resolve(name).is_some();
            module_level && !self.scopes.is_bound_in_frame(name, frame)
        };
        usable.then(|| text.to_owned())
    }
}

/// Nodes of a request's statement looked at for a name it binds.
const MAX_STATEMENT_SCAN: usize = 10_000;

/// How deep in the syntax tree a request may sit and still get a fix.
const MAX_FIX_DEPTH: usize = 256;

/// The words of a command that fetches a token from `token_url` with the
/// client of header `style`, run as `program`, with the request's
/// `options` (or, when they set no time limit, within `limit` seconds):
/// the shell fix's fetch, as a list.
fn command_fetch(
    style: ArgvHeader,
    program: &str,
    options: &[String],
    token_url: &str,
    ttl: u32,
    limit: Option<&str>,
) -> Vec<String> {
    let timed = options
        .iter()
        .any(|o| o.contains("timeout") || o == "--max-time");
    let limit = limit.filter(|_| !timed);
    let named = |default: &str| {
        if program.is_empty() {
            default.to_owned()
        } else {
            program.to_owned()
        }
    };
    let mut words = Vec::new();
    match style {
        ArgvHeader::Option => {
            words.extend([named("curl"), "-s".to_owned()]);
            words.extend_from_slice(options);
            if let Some(seconds) = limit {
                words.extend(["--max-time".to_owned(), seconds.to_owned()]);
            }
            words.extend(["-X", "PUT", token_url, "-H"].map(str::to_owned));
            words.push(format!("{TTL_HEADER}: {ttl}"));
        }
        ArgvHeader::Equals => {
            words.extend([named("wget"), "-q".into(), "-O".into(), "-".into()]);
            words.extend_from_slice(options);
            if let Some(seconds) = limit {
                words.push(format!("--timeout={seconds}"));
            }
            words.push("--method=PUT".to_owned());
            words.push(format!("--header={TTL_HEADER}: {ttl}"));
            words.push(token_url.to_owned());
        }
        ArgvHeader::Item => {
            words.push(named("http"));
            words.extend_from_slice(options);
            if let Some(seconds) = limit {
                words.push(format!("--timeout={seconds}"));
            }
            words.extend(["--ignore-stdin", "--body", "PUT", token_url].map(str::to_owned));
            words.push(format!("{TTL_HEADER}:{ttl}"));
        }
    }
    words
}

/// `text` as a Python string literal in double quotes.
fn python_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            // `\u001b`: Python reads four hex digits (control characters
            // all fit).
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A keyword argument of a request's call, for the token fetch to take.
enum Carried {
    /// Not given.
    Absent,
    /// Given as this text, which means the same before the statement.
    Written(String),
    /// Given, but its text may not mean the same before the statement.
    Unsure,
}

/// Why the fix of a request outside the statement a shared fetch was
/// taken out of is unsafe.
const SHARED_MOVED_FETCH: &str = "the token fetch it shares with an earlier request goes before \
     that request's statement, outside the branch, loop, `try` or `with` around that request, \
     where it may run, or fail, when that request would not";

/// Whether the node at `range` lies more than `limit` levels below `root`,
/// found with one walk down a cursor.
fn deeper_than(root: Node, range: &Range<usize>, limit: usize) -> bool {
    let mut cursor = root.walk();
    let mut depth = 0;
    while depth <= limit && cursor.goto_first_child_for_byte(range.start).is_some() {
        let node = cursor.node();
        if node.start_byte() > range.start {
            return false;
        }
        depth += 1;
        if node.byte_range() == *range {
            break;
        }
    }
    depth > limit
}

/// Help for clients a fix is not written for.
fn by_hand(client: &str, base: &str) -> String {
    format!(
        "imds-lint does not rewrite {client} calls: fetch a token with `PUT {base}{TOKEN_PATH}` \
         and the `{TTL_HEADER}` header, then send it in the `{TOKEN_HEADER}` header"
    )
}

/// The node spanning exactly `range`.
pub(super) fn node_at<'t>(root: Node<'t>, range: &Range<usize>) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    while node.byte_range() != *range {
        node = node.parent()?;
    }
    Some(node)
}

/// Why a token fetched before a request's statement may run when the
/// request does not, or long before it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detached {
    /// The request is evaluated on some of the statement's paths only: a
    /// branch or loop body, the right of `and`/`or`, a branch of a
    /// conditional expression, an `elif` condition, a comprehension's
    /// element or condition.
    SomePaths,
    /// The request is in a `try` or `with` body: the fetch goes before
    /// the statement, where its handlers (or the context manager, as
    /// `contextlib.suppress` does) do not catch its failure.
    Guarded,
    /// The request is in a `while` loop's condition or body, or in the
    /// body of a `for` loop that sleeps: it runs on each pass, the fetch
    /// once before the loop, and a polling loop may outlive the token.
    Repeated,
    /// The request is in a lambda's body: it runs when the lambda is
    /// called, the fetch when the lambda is made.
    Lambda,
}

impl Detached {
    /// Why a fix of such a request is unsafe, for its message.
    fn reason(self) -> &'static str {
        match self {
            Detached::SomePaths => {
                "the request is evaluated only on some paths, and the token is fetched \
                 before its statement on every path"
            }
            Detached::Guarded => {
                "the token is fetched before the request's statement, outside the `try` or \
                 `with` around the request: where the request's failure was handled (a \
                 fallback off EC2, `contextlib.suppress`), a failing token fetch is not"
            }
            Detached::Repeated => {
                "the request runs on each pass of a `while` loop (or a `for` loop that sleeps), \
                 and a token fetched before the loop may expire while the loop runs (a polling \
                 loop then gets 401 on each pass): fetch the token in the loop, before the request"
            }
            Detached::Lambda => {
                "a lambda cannot hold the token fetch: the token is fetched when the lambda \
                 is made, not when it runs, and may expire while the lambda lives"
            }
        }
    }
}

/// The statement of the scope's body (cell, function or class body) that
/// holds `node`, and whether (and why) `node` may run where the statement
/// does not (see [`Detached`]). With `through_classes`, class bodies are
/// not scope bodies: the statement is the outermost class's.
fn top_statement<'t>(
    node: Node<'t>,
    through_classes: bool,
    code: &str,
) -> Option<(Node<'t>, Option<Detached>)> {
    let mut child = node;
    let mut nested = None;
    while let Some(parent) = child.parent() {
        let body_of = parent
            .parent()
            .filter(|_| kind_of(parent) == "block")
            .map(kind_of);
        let class_body = body_of == Some("class_definition");
        let is_scope_body = kind_of(parent) == "module"
            || body_of == Some("function_definition")
            || (class_body && !through_classes);
        if is_scope_body {
            return Some((child, nested));
        }
        // A class body runs whenever its class statement does; a `try` or
        // `with` body does too, but what handles its failure there does
        // not cover the fetch.
        let block_of = |kind: &str| {
            body_of == Some(kind)
                && parent
                    .parent()
                    .is_some_and(|statement| child_in(statement, "body") == Some(parent))
        };
        let in_block = kind_of(parent) == "block" && !class_body;
        let block = if block_of("try_statement") || block_of("with_statement") {
            Detached::Guarded
        } else if block_of("while_statement") || (block_of("for_statement") && polls(parent, code))
        {
            Detached::Repeated
        } else {
            Detached::SomePaths
        };
        let here = detached_in(child, parent).or(in_block.then_some(block));
        nested = nested.max(here);
        child = parent;
    }
    None
}

/// Whether `child`, a part of `parent`, runs only when or long after
/// `parent` is evaluated, and why.
fn detached_in(child: Node, parent: Node) -> Option<Detached> {
    let is = |field: &str| child_in(parent, field) == Some(child);
    let later = match kind_of(parent) {
        "boolean_operator" => is("right"),
        // `body if condition else alternative`: only the condition always runs.
        "conditional_expression" => child.prev_sibling().map(kind_of) != Some("if"),
        "elif_clause" => is("condition"),
        "list_comprehension"
        | "set_comprehension"
        | "dictionary_comprehension"
        | "generator_expression" => !comprehension_part_always_runs(child, parent),
        "lambda" => {
            return (is("body") && !called_at_once(parent)).then_some(Detached::Lambda);
        }
        "while_statement" if is("condition") => return Some(Detached::Repeated),
        // `assert test, message`: the message only when the test fails.
        "assert_statement" => non_comment_index(child, parent) > Some(0),
        // `a < b < c`: `c` only when `a < b`.
        "comparison_operator" => non_comment_index(child, parent) > Some(1),
        "case_clause" => kind_of(child) == "if_clause",
        "except_clause" | "except_group_clause" => kind_of(child) != "block",
        _ => false,
    };
    later.then_some(Detached::SomePaths)
}

/// Whether the loop body `body` sleeps (`time.sleep(5)`, `await
/// asyncio.sleep(5)`): a `for` loop that does is a polling loop, which may
/// outlive a token.
fn polls(body: Node, code: &str) -> bool {
    syntax::preorder(body)
        .take(MAX_STATEMENT_SCAN)
        .filter(|n| kind_of(*n) == "call")
        .filter_map(|call| child_in(call, "function"))
        .any(|function| {
            let name = match kind_of(function) {
                "attribute" => child_in(function, "attribute"),
                "identifier" => Some(function),
                _ => None,
            };
            name.is_some_and(|name| &code[name.byte_range()] == "sleep")
        })
}

/// Why the request `call` may run long after a token fetched at `since`,
/// a byte before it in a block that holds it: the request is in a `while`
/// loop, a `for` loop that sleeps, or a lambda's body, that the fetch is
/// not in. (The first request of a plan is judged by [`top_statement`].)
fn outlives(call: Node, since: usize, code: &str) -> Option<Detached> {
    let mut child = call;
    let mut why = None;
    while let Some(parent) = child.parent() {
        if parent.byte_range().contains(&since) {
            break;
        }
        let loop_body = matches!(kind_of(parent), "while_statement" | "for_statement")
            && child_in(parent, "body") == Some(child)
            && (kind_of(parent) == "while_statement" || polls(child, code));
        let here = match detached_in(child, parent) {
            Some(d @ (Detached::Repeated | Detached::Lambda)) => Some(d),
            _ => loop_body.then_some(Detached::Repeated),
        };
        why = why.max(here);
        child = parent;
    }
    why
}

/// Whether `part` of the comprehension `comprehension` runs whenever the
/// comprehension is evaluated: its first iterable always does; its
/// element only in an eager comprehension with one `for`, no `if`, over
/// a literal list, tuple or set with an item.
fn comprehension_part_always_runs(part: Node, comprehension: Node) -> bool {
    let mut cursor = comprehension.walk();
    let clauses: Vec<Node> = comprehension
        .named_children(&mut cursor)
        .filter(|n| matches!(kind_of(n), "for_in_clause" | "if_clause"))
        .collect();
    if clauses.first() == Some(&part) {
        return true;
    }
    let is_element = child_in(comprehension, "body") == Some(part);
    let eager = kind_of(comprehension) != "generator_expression";
    let one_loop = clauses.len() == 1 && kind_of(clauses[0]) == "for_in_clause";
    is_element
        && eager
        && one_loop
        && child_in(clauses[0], "right").is_some_and(|items| {
            let mut cursor = items.walk();
            let literal = matches!(kind_of(items), "list" | "tuple" | "set");
            let has_item = items.named_children(&mut cursor).any(|item| {
                !matches!(
                    kind_of(item),
                    "comment" | "list_splat" | "parenthesized_list_splat"
                )
            });
            literal && has_item
        })
}

/// Whether `lambda` is called where it is made: `(lambda: ...)()`.
fn called_at_once(lambda: Node) -> bool {
    let mut callee = lambda;
    while let Some(parent) = callee
        .parent()
        .filter(|p| kind_of(p) == "parenthesized_expression")
    {
        callee = parent;
    }
    callee.id() != lambda.id()
        && callee.parent().is_some_and(|call| {
            kind_of(call) == "call" && child_in(call, "function") == Some(callee)
        })
}

/// The position of `child` among the named children of `parent`,
/// comments aside.
fn non_comment_index(child: Node, parent: Node) -> Option<usize> {
    let mut cursor = parent.walk();
    let position = parent
        .named_children(&mut cursor)
        .filter(|n| kind_of(n) != "comment")
        .position(|n| n == child);
    position
}

/// Whether the request `call` sits in the body of a lambda that is not
/// called where it is made, in its function or cell.
fn in_lambda_body(call: Node) -> bool {
    let mut child = call;
    while let Some(parent) = child.parent() {
        if matches!(kind_of(parent), "function_definition" | "module") {
            return false;
        }
        if detached_in(child, parent) == Some(Detached::Lambda) {
            return true;
        }
        child = parent;
    }
    false
}

/// Whether the code at `range` runs in a scope of its own inside its
/// function or class body: a lambda's or a comprehension's.
fn in_own_scope(root: Node, range: &Range<usize>) -> bool {
    let mut at = root.descendant_for_byte_range(range.start, range.end);
    while let Some(node) = at {
        match kind_of(node) {
            "lambda"
            | "list_comprehension"
            | "set_comprehension"
            | "dictionary_comprehension"
            | "generator_expression" => return true,
            "function_definition" | "class_definition" | "module" => return false,
            _ => at = node.parent(),
        }
    }
    false
}

/// The last item of a dict or argument list (comments aside).
pub(super) fn last_item(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| kind_of(n) != "comment")
        .last()
}

/// `base`, or `base_2`, `base_3`... whichever is not taken.
fn unique(base: &str, taken: &HashSet<String>) -> String {
    if !taken.contains(base) {
        return base.to_owned();
    }
    // A cell holds fewer names than this, so one of them is free.
    (2..=taken.len() + 2)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| base.to_owned())
}

#[cfg(test)]
mod tests {
    use super::python_string;

    #[test]
    fn python_strings_escape_what_python_reads() {
        assert_eq!(python_string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(python_string("x\ny\u{1b}"), r#""x\ny\u001b""#);
        assert_eq!(python_string("é *"), "\"é *\"");
    }
}
