//! Fixes for Python findings: fetch a token once per scope (a cell's top
//! level, or a function body), on its own line before the statement that
//! holds the scope's first request, and send it in each request's headers.
//! A variable the scope already assigns from a correct token request is
//! reused instead. The fetch uses the request's own library:
//!
//! ```python
//! imds_token = requests.put("http://169.254.169.254/latest/api/token", headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"}).text
//! region = requests.get(MD + "placement/region", headers={"X-aws-ec2-metadata-token": imds_token}).text
//! ```

use std::collections::HashSet;
use std::ops::Range;

use imds_lint_parser::{Applicability, Edit, Fix};
use tree_sitter::Node;

use crate::request::{TOKEN_HEADER, TTL_HEADER};

use super::clients::{ArgvHeader, HeaderSlot};
use super::walk::CellWalk;
use super::Site;

/// Where fixes fetch tokens from.
const TOKEN_URL: &str = "http://169.254.169.254/latest/api/token";

/// The library a scope's token fetch is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Requests,
    Httpx,
    Urllib,
    Urllib3,
    HttpClient,
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

/// The library a request's own fetch would use: commands get their token
/// from the standard library.
fn site_family(site: &Site) -> Option<Family> {
    match site.slot {
        HeaderSlot::Argv { .. } => Some(Family::Urllib),
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
    /// Whether the fetch runs where the request might not have run.
    moved: bool,
    /// Whether the token variable already existed.
    reused: bool,
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

        let (mend, sites): (Vec<Site>, Vec<Site>) = std::mem::take(&mut self.sites)
            .into_iter()
            .partition(|s| s.mend_ttl);
        for site in &mend {
            if let Ok(fix) = self.ttl_fix(root, site) {
                let finding = &mut self.file.findings[site.finding];
                finding.fix = Some(fix);
                finding.help = None;
            }
        }

        let mut scopes: Vec<(Option<usize>, Vec<Site>)> = Vec::new();
        for site in sites {
            match scopes.iter_mut().find(|(frame, _)| *frame == site.frame) {
                Some((_, sites)) => sites.push(site),
                None => scopes.push((site.frame, vec![site])),
            }
        }
        for (frame, mut sites) in scopes {
            sites.sort_by_key(|s| s.call.start);
            // The fetch goes before the first request a fix can change, in
            // the library of the first whose library can fetch a token.
            let fixable = |s: &&Site| !matches!(s.slot, HeaderSlot::None(_));
            let family = sites.iter().filter(fixable).find_map(site_family);
            let plan = match sites.iter().find(fixable) {
                Some(first) => self.plan(root, frame, first, family, &token),
                None => Err(String::new()),
            };
            for site in &sites {
                let outcome = plan
                    .clone()
                    .and_then(|plan| self.site_fix(root, site, &plan));
                let finding = &mut self.file.findings[site.finding];
                match outcome {
                    Ok(fix) => finding.fix = Some(fix),
                    Err(help) => finding.help = Some(help),
                }
            }
        }
    }

    /// The token fetch a scope needs before its first request `first`.
    fn plan(
        &self,
        root: Node<'t>,
        frame: Option<usize>,
        first: &Site,
        family: Option<Family>,
        fresh: &str,
    ) -> Result<Plan, String> {
        let call = node_at(root, &first.call).ok_or("the request was not found again")?;
        let (statement, moved) =
            top_statement(call).ok_or("the request's statement was not found")?;
        if let Some(token) = self.token_before(root, frame, first.call.start) {
            return Ok(Plan {
                token,
                family: None,
                shared: Vec::new(),
                moved: false,
                reused: true,
            });
        }

        let family = family.ok_or_else(|| by_hand(&first.client))?;
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
        let fetch = self.fetch_lines(family, fresh, &mut needs);
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
            moved: moved || async_client,
            reused: false,
        })
    }

    /// A variable assigned from a correct token request earlier in the
    /// same scope of this cell.
    fn token_before(&self, root: Node<'t>, frame: Option<usize>, before: usize) -> Option<String> {
        self.tokens
            .iter()
            .filter(|(f, range)| *f == frame && range.end <= before)
            .filter_map(|(_, range)| {
                let mut node = node_at(root, range)?;
                while let Some(parent) = node.parent() {
                    if parent.kind() == "assignment" {
                        let left = parent.child_by_field_name("left")?;
                        let inside_right = parent
                            .child_by_field_name("right")?
                            .byte_range()
                            .contains(&range.start);
                        return (left.kind() == "identifier"
                            && inside_right
                            && parent.end_byte() <= before)
                            .then(|| self.code[left.byte_range()].to_owned());
                    }
                    if parent.kind().ends_with("statement")
                        || matches!(parent.kind(), "block" | "module")
                    {
                        return None;
                    }
                    node = parent;
                }
                None
            })
            .next_back()
    }

    /// The lines that fetch a token into `token` with `family`.
    fn fetch_lines(&self, family: Family, token: &str, needs: &mut Needs) -> Vec<String> {
        let ttl = self.file.settings.token_ttl;
        let ttl_headers = format!("{{\"{TTL_HEADER}\": \"{ttl}\"}}");
        match family {
            Family::Requests | Family::Httpx => {
                let module = if family == Family::Requests {
                    "requests"
                } else {
                    "httpx"
                };
                let module = self.module(module, needs);
                vec![format!(
                    "{token} = {module}.put(\"{TOKEN_URL}\", headers={ttl_headers}).text"
                )]
            }
            Family::Urllib3 => {
                let module = self.module("urllib3", needs);
                vec![format!(
                    "{token} = {module}.PoolManager().request(\"PUT\", \"{TOKEN_URL}\", headers={ttl_headers}).data.decode()"
                )]
            }
            Family::Urllib => {
                let urlopen = self.object("urllib.request", "urlopen", needs);
                let request = self.object("urllib.request", "Request", needs);
                vec![format!(
                    "{token} = {urlopen}({request}(\"{TOKEN_URL}\", headers={ttl_headers}, method=\"PUT\")).read().decode()"
                )]
            }
            Family::HttpClient => {
                let module = self.module("http.client", needs);
                // The token variable holds the connection until the token
                // replaces it: no second name to keep apart from the code's.
                vec![
                    format!("{token} = {module}.HTTPConnection(\"169.254.169.254\")"),
                    format!(
                        "{token}.request(\"PUT\", \"/latest/api/token\", headers={ttl_headers})"
                    ),
                    format!("{token} = {token}.getresponse().read().decode()"),
                ]
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
        let (line, name) = if self.scopes.module.contains_key(head) {
            let taken: HashSet<String> = self.scopes.module.keys().cloned().collect();
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
        if let Some(from) = self.imports.statement_importing_from(module, self.index) {
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
        let header = format!("\"{TOKEN_HEADER}\": {}", plan.token);
        let mut edits = plan.shared.clone();
        let mut applicability = if plan.moved {
            Applicability::Unsafe
        } else {
            Applicability::Safe
        };
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
                    return Err(by_hand(&site.client));
                }
                let call = node_at(root, &site.call).ok_or("the request was not found again")?;
                let request = match call.child_by_field_name("function") {
                    Some(callee) if callee.kind() == "attribute" => {
                        let object = callee.child_by_field_name("object").ok_or("no module")?;
                        format!("{}.Request", &self.code[object.byte_range()])
                    }
                    _ => {
                        let mut needs = Needs::default();
                        let request = self.object("urllib.request", "Request", &mut needs);
                        edits.extend(needs.edits);
                        if !needs.lines.is_empty() {
                            return Err(by_hand(&site.client));
                        }
                        request
                    }
                };
                let url_text = &self.code[url.clone()];
                edits.push(Edit::replacement(
                    url.clone(),
                    format!("{request}({url_text}, headers={{{header}}})"),
                ));
                applicability = Applicability::Unsafe;
            }
            HeaderSlot::Argv { after, style } => {
                let token = &plan.token;
                let items = match style {
                    ArgvHeader::Option => format!(", \"-H\", \"{TOKEN_HEADER}: \" + {token}"),
                    ArgvHeader::Equals => format!(", \"--header={TOKEN_HEADER}: \" + {token}"),
                    ArgvHeader::Item => format!(", \"{TOKEN_HEADER}:\" + {token}"),
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
        let message = if plan.reused {
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
        Ok(Fix::new(message, edits, applicability))
    }

    /// The edit that sends `header` through a `headers=` argument.
    /// Adds the TTL header to a token request sent without one (IMD002).
    fn ttl_fix(&self, root: Node<'t>, site: &Site) -> Result<Fix, String> {
        let HeaderSlot::Keyword {
            arguments,
            value,
            dict,
            keyword,
        } = &site.slot
        else {
            return Err(String::new());
        };
        let ttl = self.file.settings.token_ttl;
        let header = format!("\"{TTL_HEADER}\": \"{ttl}\"");
        let edit = self.keyword_edit(root, arguments, value.as_ref(), *dict, keyword, &header)?;
        Ok(Fix::new(
            format!("send the `{TTL_HEADER}` header with the token request"),
            vec![edit],
            Applicability::Safe,
        ))
    }

    fn keyword_edit(
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
            if node.kind() == "none" {
                return Ok(Edit::replacement(value.clone(), format!("{{{header}}}")));
            }
            let text = &self.code[value.clone()];
            return Ok(Edit::replacement(
                value.clone(),
                format!("{{**{text}, {header}}}"),
            ));
        }
        let node = node_at(root, arguments)
            .filter(|n| n.kind() == "argument_list")
            .ok_or("the arguments were not found again")?;
        Ok(match last_item(node) {
            Some(last) => Edit::insertion(last.end_byte(), format!(", {keyword}={{{header}}}")),
            None => Edit::insertion(node.start_byte() + 1, format!("{keyword}={{{header}}}")),
        })
    }

    /// Every name the cell uses, and the module's names, which a new
    /// variable must not clash with.
    fn names_in_use(&self, root: Node) -> HashSet<String> {
        let mut names: HashSet<String> = self.scopes.module.keys().cloned().collect();
        let mut cursor = root.walk();
        loop {
            let node = cursor.node();
            if node.kind() == "identifier" {
                names.insert(self.code[node.byte_range()].to_owned());
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    return names;
                }
            }
        }
    }
}

/// Help for clients a fix is not written for.
fn by_hand(client: &str) -> String {
    format!(
        "imds-lint does not rewrite {client} calls: fetch a token with `PUT {TOKEN_URL}` and the \
         `{TTL_HEADER}` header, then send it in the `{TOKEN_HEADER}` header"
    )
}

/// The node spanning exactly `range`.
fn node_at<'t>(root: Node<'t>, range: &Range<usize>) -> Option<Node<'t>> {
    let mut node = root.descendant_for_byte_range(range.start, range.end)?;
    while node.byte_range() != *range {
        node = node.parent()?;
    }
    Some(node)
}

/// The statement of the scope's body (cell, function or class body) that
/// holds `node`, and whether `node` sits in a nested block of it (a branch
/// or loop body, where it might not run).
fn top_statement(node: Node) -> Option<(Node, bool)> {
    let mut child = node;
    let mut nested = false;
    while let Some(parent) = child.parent() {
        let is_scope_body = parent.kind() == "module"
            || (parent.kind() == "block"
                && parent.parent().is_some_and(|p| {
                    matches!(p.kind(), "function_definition" | "class_definition")
                }));
        if is_scope_body {
            return Some((child, nested));
        }
        nested |= parent.kind() == "block";
        child = parent;
    }
    None
}

/// The last item of a dict or argument list (comments aside).
fn last_item(node: Node) -> Option<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
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
