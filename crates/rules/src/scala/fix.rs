//! Fixes for Scala requests without a session token: fetch a token with an
//! `HttpURLConnection` PUT, once per function (or per cell at top level),
//! before the first request that needs it, from the scheme, host and port
//! of that request's URL, and send it with `setRequestProperty` or
//! `.header(...)`.
//!
//! The code written compiles on Scala 2.11 to 2.13: no Scala 3 syntax, no
//! trailing commas, only `java.net` and `scala.io`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use imds_lint_parser::{syntax, Applicability, Edit, Fix};
use tree_sitter::Node;

use super::clients::{Found, ProcessSlot, Site};
use super::{child_in, kind_of};
use crate::request::{TOKEN_HEADER, TTL_HEADER};
use crate::shell::argv::Client;
use crate::Settings;

/// What a finding needs fixed: the request, and where its token comes
/// from.
#[derive(Debug, Clone)]
pub struct Need<'a> {
    /// The request.
    pub found: &'a Found,
    /// `scheme://host[:port]` of its URL
    /// ([`crate::endpoint::Endpoint::token_base`]).
    pub base: String,
}

/// Where a function's (or the cell's) token fetch goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place<'tree> {
    /// Before `statement`, a statement of `container`: a block, a class
    /// body or the top level.
    Before {
        statement: Node<'tree>,
        container: Node<'tree>,
    },
    /// Before `statement` of `body`, a body written on the lines after
    /// its `=` or `=>` without braces. Scala 3 reads that as a block;
    /// Scala 2 wants an expression there, so the body gets braces: `{`
    /// after the arrow at `open`, `}` on a line of its own after it.
    Braces {
        statement: Node<'tree>,
        body: Node<'tree>,
        open: usize,
    },
    /// Around `body`, the expression body of a `def` or lambda, which
    /// becomes a block.
    Wrap { body: Node<'tree> },
}

/// The name of the connection val a rewritten expression opens (a
/// number is added when the cell has it already).
pub(super) const CONNECTION: &str = "imdsConn";

/// Writes fixes for the requests of one cell.
#[derive(Debug)]
pub struct Fixer<'a, 'tree> {
    pub(super) code: &'a str,
    root: Node<'tree>,
    /// The name of a token val the fix adds.
    token: String,
    /// The name of a connection val inside a rewritten expression.
    pub(super) connection: String,
    /// The token lifetime fixes ask for.
    pub(super) ttl: u32,
}

impl<'a, 'tree> Fixer<'a, 'tree> {
    /// A fixer whose new names clash with no name of the cell (`root`) or
    /// of the cells before (`earlier`).
    pub fn new(
        code: &'a str,
        root: Node<'tree>,
        settings: &Settings,
        earlier: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut names: HashSet<String> = earlier.into_iter().collect();
        let bases = [settings.token_variable.scala.as_str(), CONNECTION];
        names.extend(identifiers_starting_with(root, code, &bases));
        let token = unique(bases[0], &names);
        names.insert(token.clone());
        let connection = unique(CONNECTION, &names);
        Fixer {
            code,
            root,
            token,
            connection,
            ttl: settings.token_ttl,
        }
    }

    /// A fix for each need, in order, or why there is none.
    pub fn fixes(&self, needs: &[Need<'_>]) -> Vec<Result<Fix, String>> {
        // Each request's own edits, with the token it sends.
        let own: Vec<Result<Vec<Edit>, String>> = needs
            .iter()
            .map(|need| {
                let token = need.found.token.as_deref().unwrap_or(&self.token);
                self.header_edits(need.found, token)
            })
            .collect();

        // Requests that need a new token share one fetch per place.
        // Each with whether (and why) its request may run where the fetch
        // does not, or the fetch fail where the request's failure was handled.
        let mut places: Vec<Option<Result<Placed<'tree>, String>>> = Vec::new();
        let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
        for (i, need) in needs.iter().enumerate() {
            let place = match (&own[i], &need.found.token) {
                (Ok(_), None) => Some(self.place(&need.found.request.range)),
                _ => None,
            };
            if let Some(Ok((place, _))) = &place {
                groups.entry(place_id(*place)).or_default().push(i);
            }
            places.push(place);
        }
        let mut shared: HashMap<usize, (Vec<Edit>, HashSet<usize>)> = HashMap::new();
        for (id, members) in &groups {
            let first = &needs[members[0]];
            let Some(Some(Ok((place, _)))) = places.get(members[0]) else {
                continue;
            };
            let member_edits: Vec<(usize, &Vec<Edit>)> = members
                .iter()
                .filter_map(|&m| own[m].as_ref().ok().map(|e| (m, e)))
                .collect();
            // A command run by `sys.process` fails with an exit code, not
            // an exception: a token fetch for one must not throw either.
            let quiet = members
                .iter()
                .any(|&m| matches!(needs[m].found.site, Site::Process { .. }));
            shared.insert(
                *id,
                self.token_edits(*place, &first.base, quiet, &member_edits),
            );
        }

        // Each fix: its own edits (less any folded into the shared ones),
        // and its place's shared edits.
        needs
            .iter()
            .enumerate()
            .map(|(i, need)| {
                let mut edits = own[i].clone()?;
                let mut message = format!(
                    "send the session token in `{}` in the {TOKEN_HEADER} header",
                    need.found.token.as_deref().unwrap_or(&self.token)
                );
                let mut applicability = applicability(&need.found.site);
                match &places[i] {
                    Some(Err(why)) => return Err(why.clone()),
                    Some(Ok((place, detached))) => {
                        if let Some((shared_edits, folded)) = shared.get(&place_id(*place)) {
                            if folded.contains(&i) {
                                edits.clear();
                            }
                            edits.extend(shared_edits.iter().cloned());
                        }
                        message = format!(
                            "fetch an IMDSv2 session token into `{}` and send it in the {TOKEN_HEADER} header",
                            self.token
                        );
                        if let Some(detached) = detached {
                            applicability = Applicability::Unsafe;
                            message.push_str(detached.reason());
                        }
                    }
                    None => {}
                }
                // The fetch may have been merged with the rewrite of another
                // request that holds this one: no rewriter can apply both.
                if edits
                    .iter()
                    .enumerate()
                    .any(|(j, a)| edits[j + 1..].iter().any(|b| a.overlaps(b)))
                {
                    return Err("the request is inside another request whose fix rewrites it; \
                                --fix fixes that one, then this one"
                        .to_owned());
                }
                Ok(Fix::new(message, edits, applicability))
            })
            .collect()
    }

    /// The edits that make one request send `token`.
    fn header_edits(&self, found: &Found, token: &str) -> Result<Vec<Edit>, String> {
        let set = |conn: &str| format!("{conn}.setRequestProperty(\"{TOKEN_HEADER}\", {token})");
        let c = &self.connection;
        let range = found.request.range.clone();
        match &found.site {
            Site::FromUrl { url, is_url_object } => {
                let call = self
                    .node_at(&range)
                    .ok_or_else(|| "the call could not be found again".to_owned())?;
                let function = call
                    .child_by_field_name("function")
                    .ok_or_else(|| "the call has no function".to_owned())?;
                let rename = match child_in(function, "field") {
                    Some(field) => Edit::replacement(field.byte_range(), "fromInputStream"),
                    None => {
                        Edit::replacement(function.byte_range(), "scala.io.Source.fromInputStream")
                    }
                };
                let src = &self.code[url.clone()];
                let open = if *is_url_object {
                    format!("{src}.openConnection()")
                } else {
                    format!("new java.net.URL({src}).openConnection()")
                };
                let stream = format!("{{ val {c} = {open}; {}; {c}.getInputStream }}", set(c));
                Ok(vec![rename, Edit::replacement(url.clone(), stream)])
            }
            Site::OpenStream { target } => {
                let src = &self.code[target.clone()];
                let block = format!(
                    "{{ val {c} = {src}.openConnection(); {}; {c}.getInputStream }}",
                    set(c)
                );
                Ok(vec![Edit::replacement(
                    range.clone(),
                    self.enclosed(range.start, block),
                )])
            }
            Site::Connection {
                holder: Some(holder),
            } => {
                let joint = match line_indent(self.code, holder.statement.start) {
                    Some(indent) => format!("\n{indent}"),
                    None => "; ".to_owned(),
                };
                Ok(vec![Edit::insertion(
                    holder.statement.end,
                    format!("{joint}{}", set(&holder.name)),
                )])
            }
            Site::Connection { holder: None } => {
                let src = &self.code[range.clone()];
                let block = format!("{{ val {c} = {src}; {}; {c} }}", set(c));
                Ok(vec![Edit::replacement(
                    range.clone(),
                    self.enclosed(range.start, block),
                )])
            }
            Site::Builder { new_builder_end } => Ok(vec![Edit::insertion(
                *new_builder_end,
                format!(".header(\"{TOKEN_HEADER}\", {token})"),
            )]),
            Site::Process { slot } => Ok(process_edits(slot.as_ref()?, token)),
        }
    }

    /// A block written at `at`: in parentheses when it starts a line, where
    /// Scala would take it as an argument block of the line before.
    pub(super) fn enclosed(&self, at: usize, block: String) -> String {
        let before = self.code[..at].trim_end_matches([' ', '\t']);
        if before.is_empty() || before.ends_with('\n') {
            format!("({block})")
        } else {
            block
        }
    }

    /// Where the token fetch for the request at `range` goes, and whether
    /// (and why) a fetch there is detached from the request.
    fn place(&self, range: &Range<usize>) -> Result<Placed<'tree>, String> {
        let path = self
            .path_to(range)
            .ok_or_else(|| "the request could not be found again".to_owned())?;
        let place = place_on(&path, range)?;
        Ok((place, detached(&path, place, self.code)))
    }

    /// The token fetch for one place, merged with the edits of the
    /// requests there that touch the same point; returns the edits and
    /// which requests' own edits were folded in.
    fn token_edits(
        &self,
        place: Place<'tree>,
        base: &str,
        quiet: bool,
        members: &[(usize, &Vec<Edit>)],
    ) -> (Vec<Edit>, HashSet<usize>) {
        let fetch = self.token_statement(base, quiet);
        match place {
            Place::Before { statement, .. } => {
                self.fetch_before(statement.start_byte(), &fetch, members)
            }
            Place::Braces {
                statement,
                body,
                open,
            } => {
                let (mut edits, mut folded) =
                    self.fetch_before(statement.start_byte(), &fetch, members);
                self.add_braces(body, open, members, &mut edits, &mut folded);
                (edits, folded)
            }
            Place::Wrap { body } => {
                // The body is rewritten whole: its requests' edits go inside.
                let range = body.byte_range();
                let mut inner: Vec<&Edit> = members
                    .iter()
                    .flat_map(|(_, edits)| edits.iter())
                    .filter(|e| range.start <= e.range.start && e.range.end <= range.end)
                    .collect();
                inner.sort_by_key(|e| (e.range.start, e.range.end));
                inner.dedup();
                let mut text = String::new();
                let mut at = range.start;
                for edit in inner {
                    if edit.range.start < at {
                        continue;
                    }
                    text.push_str(&self.code[at..edit.range.start]);
                    text.push_str(&edit.content);
                    at = edit.range.end;
                }
                text.push_str(&self.code[at..range.end]);
                let folded = members.iter().map(|(m, _)| *m).collect();
                (
                    vec![Edit::replacement(range, format!("{{ {fetch}; {text} }}"))],
                    folded,
                )
            }
        }
    }

    /// The token fetch `fetch` inserted before the statement at `at`,
    /// merged with a request's edit at the same point; returns the edits
    /// and which requests' own edits were folded in.
    fn fetch_before(
        &self,
        at: usize,
        fetch: &str,
        members: &[(usize, &Vec<Edit>)],
    ) -> (Vec<Edit>, HashSet<usize>) {
        // A statement that opens with `{` would be read as an
        // argument of the fetch's block unless a `;` ends it.
        let end = if self.code[at..].starts_with('{') {
            ";"
        } else {
            ""
        };
        let joint = match line_indent(self.code, at) {
            Some(indent) => format!("{fetch}{end}\n{indent}"),
            None => format!("{fetch}; "),
        };
        // A request's edit at the very same point would overlap the
        // insertion: write both as one edit.
        for (member, edits) in members {
            if let Some(edit) = edits.iter().find(|e| e.range.start == at) {
                let merged =
                    Edit::replacement(edit.range.clone(), format!("{joint}{}", edit.content));
                let mut all: Vec<Edit> = vec![merged];
                all.extend(edits.iter().filter(|e| *e != edit).cloned());
                return (all, HashSet::from([*member]));
            }
        }
        (vec![Edit::insertion(at, joint)], HashSet::new())
    }

    /// Adds the braces of [`Place::Braces`] to a place's `edits`: `{` at
    /// `open`, and `}` on a line of its own after `body`, after any
    /// request's insertion at the body's end (which is then `folded`).
    fn add_braces(
        &self,
        body: Node<'tree>,
        open: usize,
        members: &[(usize, &Vec<Edit>)],
        edits: &mut Vec<Edit>,
        folded: &mut HashSet<usize>,
    ) {
        edits.push(Edit::insertion(open, " {"));
        // An indented body's node may reach over the line break after it,
        // and over comments after it (those belong to what follows).
        let mut cursor = body.walk();
        let last_code = body
            .named_children(&mut cursor)
            .filter(|n| !matches!(kind_of(*n), "comment" | "block_comment"))
            .last();
        let reach = last_code.map_or(body.end_byte(), |n| n.end_byte());
        let end = body.start_byte() + self.code[body.start_byte()..reach].trim_end().len();
        let mut close = format!("\n{}}}", leading_indent(self.code, open));

        // A request's insertion at the body's end would overlap the
        // closing brace: it goes in front of it, in one edit.
        let last = members.iter().find_map(|(member, own)| {
            own.iter()
                .find(|e| e.range == (end..end))
                .map(|last| (*member, *own, last))
        });
        if let Some((member, own, last)) = last {
            close = format!("{}{close}", last.content);
            edits.retain(|e| e != last);
            for edit in own.iter().filter(|e| *e != last) {
                if !edits.contains(edit) {
                    edits.push(edit.clone());
                }
            }
            folded.insert(member);
        }
        edits.push(Edit::insertion(end, close));
    }

    /// `val imdsToken = { ... }`: a token PUT with the TTL header to
    /// `base` (`scheme://host[:port]`); `quiet`, an empty token where the
    /// PUT fails, instead of its exception.
    fn token_statement(&self, base: &str, quiet: bool) -> String {
        let fetch = format!(
            "{{ val c = new java.net.URL(\"{base}/latest/api/token\").openConnection().asInstanceOf[java.net.HttpURLConnection]; \
             c.setRequestMethod(\"PUT\"); c.setRequestProperty(\"{TTL_HEADER}\", \"{ttl}\"); \
             scala.io.Source.fromInputStream(c.getInputStream).mkString }}",
            ttl = self.ttl,
        );
        if quiet {
            format!(
                "val {} = scala.util.Try {fetch}.getOrElse(\"\")",
                self.token
            )
        } else {
            format!("val {} = {fetch}", self.token)
        }
    }

    /// The nodes from the root down to the outermost node spanning exactly
    /// `range`, found going down (climbing with `parent()` costs the depth
    /// on each step).
    fn path_to(&self, range: &Range<usize>) -> Option<Vec<Node<'tree>>> {
        let mut path = vec![self.root];
        let mut cursor = self.root.walk();
        while cursor.node().byte_range() != *range {
            cursor.goto_first_child_for_byte(range.start)?;
            let node = cursor.node();
            if node.start_byte() > range.start || node.end_byte() < range.end {
                return None;
            }
            path.push(node);
        }
        Some(path)
    }

    pub(super) fn node_at(&self, range: &Range<usize>) -> Option<Node<'tree>> {
        self.path_to(range)?.pop()
    }
}

/// Where the token fetch for the request at the end of `path` (from the
/// root down) goes: the function (def or lambda) it is in, or the class
/// body or top level.
fn place_on<'tree>(path: &[Node<'tree>], range: &Range<usize>) -> Result<Place<'tree>, String> {
    for at in (1..path.len()).rev() {
        let (node, parent) = (path[at], path[at - 1]);
        match kind_of(parent) {
            "compilation_unit" | "template_body" | "with_template_body" => {
                if matches!(
                    kind_of(node),
                    "class_definition" | "object_definition" | "trait_definition"
                ) {
                    return Err("the request is in a class or object header".to_owned());
                }
                return Ok(Place::Before {
                    statement: node,
                    container: parent,
                });
            }
            "function_definition" if child_in(parent, "body") == Some(node) => {
                return in_body(node, range, false);
            }
            "lambda_expression" if is_lambda_body(parent, node) => {
                // `xs.map { x => ... }`: the braces around the lambda
                // make its body a block in Scala 2 too.
                let braced = at >= 2 && kind_of(path[at - 2]) == "block";
                return in_body(node, range, braced);
            }
            // `xs.map { case x => ... }`: a case block that is an
            // argument is a function literal, each case a body.
            "case_clause"
                if at >= 3 && matches!(kind_of(path[at - 3]), "call_expression" | "arguments") =>
            {
                return Ok(Place::Before {
                    statement: node,
                    container: parent,
                });
            }
            _ => {}
        }
    }
    Err("the request is outside any statement".to_owned())
}

/// Where a request's token fetch goes, and whether (and why) it is
/// detached from the request there.
type Placed<'tree> = (Place<'tree>, Option<Detached>);

/// Why a token fetched at its place may run where the request does not,
/// or fail where the request's failure was handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Detached {
    /// The request runs on only some of the paths that run the fetch: in
    /// a branch, a loop's body, a case, a catch, the right of `&&` or
    /// `||`, or a lazy val. The fetch would reach for the service, and
    /// fail where there is none, on paths that never did.
    SomePaths,
    /// The request is in a `try` body, or in the argument of `Try` or
    /// `Future`, and the fetch before it: where the request's failure
    /// was caught (a fallback off EC2), the fetch's is not.
    Guarded,
}

impl Detached {
    /// Why a fix of such a request is unsafe, for its message.
    fn reason(self) -> &'static str {
        match self {
            Detached::SomePaths => {
                " (unsafe: the request runs only on some paths, and the token is fetched \
                 before it on every path)"
            }
            Detached::Guarded => {
                " (unsafe: the token is fetched outside the `try`, `Try` or `Future` around \
                 the request: where the request's failure was handled, a fallback off EC2, \
                 a failing token fetch is not)"
            }
        }
    }
}

/// Whether (and why) the request at the end of `path` is detached from
/// its token fetch at `place` (see [`Detached`]); the stronger reason when
/// there are both.
fn detached(path: &[Node<'_>], place: Place<'_>, code: &str) -> Option<Detached> {
    let anchor = match place {
        Place::Before { statement, .. } | Place::Braces { statement, .. } => statement,
        Place::Wrap { body } => body,
    };
    let mut found = None;
    for pair in path.windows(2).rev() {
        let (parent, child) = (pair[0], pair[1]);
        if child == anchor {
            break;
        }
        let here = if guards(child, parent, code) {
            Some(Detached::Guarded)
        } else {
            runs_later(child, parent, code).then_some(Detached::SomePaths)
        };
        found = found.max(here);
    }
    found
}

/// Whether `child`, a part of `parent`, runs where its failure is caught
/// by `parent`: a `try`'s body, the argument of `Try(...)` or `Future
/// {...}` (by name: evaluated inside them).
fn guards(child: Node<'_>, parent: Node<'_>, code: &str) -> bool {
    match kind_of(parent) {
        "try_expression" => child_in(parent, "body") == Some(child),
        "call_expression" => {
            child_in(parent, "arguments") == Some(child)
                && child_in(parent, "function").is_some_and(|function| {
                    let name = match kind_of(function) {
                        "field_expression" => child_in(function, "field"),
                        _ => Some(function),
                    };
                    name.is_some_and(|name| matches!(&code[name.byte_range()], "Try" | "Future"))
                })
        }
        _ => false,
    }
}

/// Whether `child`, a part of `parent`, runs only on some of the paths
/// that evaluate `parent`, or later: see [`Detached::SomePaths`].
fn runs_later(child: Node<'_>, parent: Node<'_>, code: &str) -> bool {
    let is = |field: &str| child_in(parent, field) == Some(child);
    match kind_of(parent) {
        "if_expression" => is("consequence") || is("alternative"),
        // A loop's body, and a `match`'s cases: `body` is all of them.
        "while_expression" | "for_expression" | "match_expression" => is("body"),
        // `for (a <- xs; b <- f(a))`: only the first generator always runs;
        // a guard (`if ...`) runs once per element, if there is one.
        "enumerators" => parent.named_child(0) != Some(child),
        "enumerator" => kind_of(child) == "guard",
        // `o.getOrElse(req)`, `o.orElse(req)`: the argument is by name, and
        // runs only when the option is empty.
        "call_expression" => {
            is("arguments")
                && child_in(parent, "function")
                    .and_then(|function| child_in(function, "field"))
                    .is_some_and(|field| {
                        matches!(&code[field.byte_range()], "getOrElse" | "orElse")
                    })
        }
        "catch_clause" => true,
        "infix_expression" => {
            is("right")
                && child_in(parent, "operator")
                    .is_some_and(|op| matches!(&code[op.byte_range()], "&&" | "||"))
        }
        "val_definition" => {
            is("value")
                && parent.named_children(&mut parent.walk()).any(|part| {
                    kind_of(part) == "modifiers" && code[part.byte_range()].contains("lazy")
                })
        }
        _ => false,
    }
}

/// The header option for a command, in the command's own syntax.
fn process_edits(slot: &ProcessSlot, token: &str) -> Vec<Edit> {
    let Some(string) = &slot.string else {
        // A new element of `Seq(...)`.
        let words = match slot.client {
            Client::Curl => format!("\"-H\", \"{TOKEN_HEADER}: \" + {token}"),
            Client::Wget => format!("\"--header={TOKEN_HEADER}: \" + {token}"),
            Client::Httpie | Client::Ec2Metadata => format!("\"{TOKEN_HEADER}:\" + {token}"),
        };
        return vec![Edit::insertion(slot.at, format!(", {words}"))];
    };

    // Words of a string split on whitespace: the header has none.
    let option = match slot.client {
        Client::Curl => format!(" -H {TOKEN_HEADER}:${{{token}}}"),
        Client::Wget => format!(" --header={TOKEN_HEADER}:${{{token}}}"),
        Client::Httpie | Client::Ec2Metadata => format!(" {TOKEN_HEADER}:${{{token}}}"),
    };
    let mut edits = vec![Edit::insertion(slot.at, option)];
    edits.extend(string.interpolator_at.map(|at| Edit::insertion(at, "s")));
    edits.extend(
        string
            .dollars
            .iter()
            .map(|at| Edit::replacement(*at..*at + 1, "$$")),
    );
    edits
}

/// How safe a fix is: adding a header and a token fetch is safe; turning a
/// call into another is not.
fn applicability(site: &Site) -> Applicability {
    match site {
        Site::Connection { holder: Some(_) } | Site::Builder { .. } | Site::Process { .. } => {
            Applicability::Safe
        }
        _ => Applicability::Unsafe,
    }
}

/// A key for a place, shared by the requests fixed there.
fn place_id(place: Place<'_>) -> usize {
    match place {
        Place::Before { container, .. } => container.id(),
        Place::Braces { body, .. } | Place::Wrap { body } => body.id(),
    }
}

/// The place in a function body: before the body's statement that holds
/// the request, or around an expression body. An indented body that is
/// not `braced` (in braces Scala 2 reads as a block) gets braces.
fn in_body<'tree>(
    body: Node<'tree>,
    range: &Range<usize>,
    braced: bool,
) -> Result<Place<'tree>, String> {
    if matches!(kind_of(body), "block" | "indented_block") {
        let mut cursor = body.walk();
        let statement = body
            .named_children(&mut cursor)
            .find(|s| s.start_byte() <= range.start && range.end <= s.end_byte());
        if let Some(statement) = statement {
            if kind_of(body) == "block" || braced {
                return Ok(Place::Before {
                    statement,
                    container: body,
                });
            }
            let open = arrow_end(body).ok_or_else(|| {
                "the body on the lines after `=` or `=>` could not be put in braces".to_owned()
            })?;
            return Ok(Place::Braces {
                statement,
                body,
                open,
            });
        }
    }
    Ok(Place::Wrap { body })
}

/// The end of the `=` or `=>` that `body` follows, comments skipped.
fn arrow_end(body: Node<'_>) -> Option<usize> {
    let mut before = body.prev_sibling();
    while let Some(node) = before {
        match kind_of(node) {
            "=" | "=>" => return Some(node.end_byte()),
            "comment" | "block_comment" => before = node.prev_sibling(),
            _ => return None,
        }
    }
    None
}

/// The whitespace that starts the line holding `offset`.
fn leading_indent(code: &str, offset: usize) -> &str {
    let start = code[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &code[start..offset];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

fn is_lambda_body(lambda: Node<'_>, node: Node<'_>) -> bool {
    child_in(lambda, "parameters") != Some(node)
        && lambda.named_child(lambda.named_child_count().saturating_sub(1) as u32) == Some(node)
}

/// The indentation of the line at `offset`, when only whitespace precedes
/// `offset` on its line.
pub(super) fn line_indent(code: &str, offset: usize) -> Option<&str> {
    let start = code[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &code[start..offset];
    before
        .chars()
        .all(|c| c == ' ' || c == '\t')
        .then_some(before)
}

/// The identifiers written in the cell that start with one of `bases`.
fn identifiers_starting_with(root: Node<'_>, code: &str, bases: &[&str]) -> HashSet<String> {
    // A name that starts with none of `bases` cannot clash with a new one
    // (see `unique`), and code that holds none of them has no such name:
    // the walk over the whole tree is skipped where it would find nothing.
    let held = |base: &&str| memchr::memmem::find(code.as_bytes(), base.as_bytes()).is_some();
    if !bases.iter().any(held) {
        return HashSet::new();
    }
    syntax::preorder(root)
        .filter(|node| kind_of(*node) == "identifier")
        .map(|node| &code[node.byte_range()])
        .filter(|name| bases.iter().any(|base| name.starts_with(base)))
        .map(str::to_owned)
        .collect()
}

/// `base`, or `base2`, `base3`... whichever is free.
fn unique(base: &str, in_use: &HashSet<String>) -> String {
    if !in_use.contains(base) {
        return base.to_owned();
    }
    // More names than a cell can hold: one of them is free.
    (2..=in_use.len() + 2)
        .map(|n| format!("{base}{n}"))
        .find(|name| !in_use.contains(name))
        .unwrap_or_else(|| base.to_owned())
}
