//! Fixes for shell findings: fetch a token once per scope (the code, a
//! function body, a loop body or condition) before the first request that
//! needs it, and send it in each request's header. A token variable the
//! code already assigns from a correct token request, and that is set at
//! the request, is reused instead.
//!
//! ```sh
//! IMDS_TOKEN=$(curl -s -X PUT "http://169.254.169.254/latest/api/token" -H "X-aws-ec2-metadata-token-ttl-seconds: 21600")
//! ROLE=$(curl -H "X-aws-ec2-metadata-token: $IMDS_TOKEN" -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
//! ```
//!
//! A scope written on one line (an IPython `!` line, `bash -c '...'`, a
//! host string) gets `IMDS_TOKEN=$(...) && ` in front of the statement.
//! Where `set -e` may be on and the request's own failure would not stop
//! the script, the fetch is guarded (`IMDS_TOKEN=$(...) || IMDS_TOKEN=`)
//! so that its failure does not either.

use std::collections::HashSet;

use super::argv::Client;
use super::nested::Quoting;
use super::options::{OptionValue, TokenOption, UnshownRoute};
use super::scope::{Form, Insertion, Scope};
use super::token_request;
use crate::finding::{Finding, Rule};
use crate::request::{Headers, Method, TOKEN_HEADER, TTL_HEADER};
use crate::rules::imd002_malformed_token_request::MAX_TTL;
use crate::settings::Settings;
use crate::text::Text;
use imds_lint_parser::{Applicability, Edit, Fix};

/// A finding, and where a fix for it would go (IMD001 requests only).
#[derive(Debug)]
pub(super) struct Found {
    /// The finding, without a fix yet.
    pub finding: Finding,
    /// Where its request is written.
    pub site: Option<Site>,
}

/// Where a request is written, and what a fix must know of it.
#[derive(Debug, Clone)]
pub(super) struct Site {
    /// The client.
    pub client: Client,
    /// The request's method.
    pub method: Method,
    /// Whether the command names its method (`-X GET`).
    pub names_method: bool,
    /// Whether the request sends the token header empty: that header
    /// must go, by hand, for a token sent beside it to count.
    pub empty_token: bool,
    /// The request's TTL header.
    pub ttl: Ttl,
    /// The client's name as written (`http`, `xh`...).
    pub program: String,
    /// The request's options that the token request takes too, as it
    /// writes them (`--max-time 2`, `--retry 3`, `--noproxy '*'`); an
    /// error when the request's proxy is not shown by the code, so that no
    /// token request can be sure to go where the request goes.
    pub token_options: Result<Vec<TokenOption>, UnshownRoute>,
    /// Cell offset where a header option goes (after curl's and wget's
    /// name, after httpie's URL), when the command is written so that one
    /// can go there.
    pub header_at: Option<usize>,
    /// Cell offset of httpie's URL word, where its method word goes.
    pub url_start: Option<usize>,
    /// `scheme://host` of the request, for the token request.
    pub base: Option<String>,
    /// The request's URL as written up to its `latest/`, when that part
    /// expands variables and none of them is set between the token fetch
    /// and the request (`$IMDS/`): the token comes from there too, so an
    /// endpoint the environment overrides serves both.
    pub written_base: Option<String>,
    /// The request's scope.
    pub scope: Scope,
    /// The variables its route options are written with (`--proxy
    /// "$P"`), and where they may be set.
    pub route_variables: RouteVariables,
    /// Where a token fetch for this request would go.
    pub insertion: Insertion,
    /// A variable the code fetched a token into that is set at the
    /// request, to send instead of fetching another.
    pub token: Option<String>,
    /// How text inserted into the request's code is written in the cell.
    pub quoting: Vec<Quoting>,
    /// Cell offset of the request.
    pub position: usize,
    /// Whether the command requests several URLs: mending its method for
    /// one would change it for all.
    pub several_urls: bool,
}

/// The variables a request's route options are written with, which must
/// hold at its token fetch what they hold at the request.
#[derive(Debug, Clone, Default)]
pub(super) struct RouteVariables {
    /// The variables.
    pub names: Vec<String>,
    /// Cell offsets where the code may set one of them.
    pub rebound: Vec<usize>,
    /// Cell offset up to which a setting counts: the request, or the end
    /// of a loop around it (its later passes run after the setting).
    pub until: usize,
}

impl RouteVariables {
    /// Whether the variables hold the same from cell offset `fetch` to
    /// the request.
    fn hold_from(&self, fetch: usize) -> bool {
        !self
            .rebound
            .iter()
            .any(|&at| fetch <= at && at < self.until)
    }
}

/// A request's `X-aws-ec2-metadata-token-ttl-seconds` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Ttl {
    /// Not sent, for sure.
    Missing,
    /// Sent with a value IMDS accepts, or one nobody can read.
    Fine,
    /// Sent with a value IMDS refuses.
    Bad,
    /// Perhaps sent, by options nobody can read.
    Unknown,
}

impl Ttl {
    /// The TTL header of `headers`.
    pub fn of(headers: &Headers) -> Ttl {
        match headers.get(TTL_HEADER) {
            None if headers.open => Ttl::Unknown,
            None => Ttl::Missing,
            Some(header) => match header.value.as_literal() {
                Some(v)
                    if !v
                        .trim()
                        .parse::<u32>()
                        .is_ok_and(|n| (1..=MAX_TTL).contains(&n)) =>
                {
                    Ttl::Bad
                }
                _ => Ttl::Fine,
            },
        }
    }
}

/// What fixes need to know about the cell.
pub(super) struct Context<'a> {
    /// The cell's code: on a `!` line, whether IPython reads a `$` depends
    /// on the quotes after it.
    pub code: &'a str,
    /// Whether the host reads `{expr}` in the cell's code (a Python
    /// f-string, a `!` line) before the shell does.
    pub braces: bool,
    /// The settings in force (token TTL, variable name).
    pub settings: &'a Settings,
    /// Names in use, which a new token variable must not take.
    pub names: &'a HashSet<String>,
    /// Whether errexit (`set -e`) may be on in the cell.
    pub errexit: bool,
    /// How `$` is written in the cell.
    pub dollars: Dollars,
}

/// How a `$` the shell should see is written in a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Dollars {
    /// As it is.
    Shell,
    /// On an IPython `!` line `$name` is a Python value: `$$name` is
    /// the shell's. (`$(` stays: IPython leaves it alone.)
    BangLine,
    /// In a Scala `s"..."` string every `$` is Scala's: `$$name` is the
    /// shell's, and `$(...)` cannot be written, so a token is fetched
    /// with backticks.
    ScalaInterpolated,
}

/// A token fetch a fix writes, and the requests of its scope it serves.
struct Fetch {
    scope: Scope,
    /// The options that decide where it goes ([`route`]).
    route: Route,
    /// The variable it fetches the token into.
    variable: String,
    edit: Edit,
}

/// The options of a request that decide where it goes, in a form that
/// tells two requests' apart: option and value, sorted.
pub(super) type Route = Vec<(&'static str, Option<OptionValue>)>;

/// The options among `options` that decide where the request goes.
pub(super) fn route(options: &[TokenOption]) -> Route {
    let mut route: Route = options
        .iter()
        .filter(|option| option.route)
        .map(|option| (option.name, option.value.clone()))
        .collect();
    route.sort();
    route
}

/// Why a request that goes its own way gets no fetch of its own.
const CROWDED_HELP: &str = "another request of the same statement goes through other proxy \
     options, and a token fetch for each cannot be put before the statement where both need it; \
     fetch a token with `PUT /latest/api/token` for each, with the request's own proxy options, \
     and send it in the `X-aws-ec2-metadata-token` header";

/// The findings with fixes (or help) attached.
pub(super) fn attach(found: Vec<Found>, context: &Context) -> Vec<Finding> {
    // The token fetches: one at the first fixable request of a scope that
    // has no token variable to reuse, and one more at the first request
    // after it that goes another way (a proxy, or none), into a variable
    // of its own: a token fetched along another route may be empty.
    let mut names = context.names.clone();
    let mut variables: Vec<(Route, String)> = Vec::new();
    let mut fetches: Vec<Fetch> = Vec::new();
    let mut plans: Vec<Option<Result<usize, String>>> = vec![None; found.len()];
    let needing = found
        .iter()
        .enumerate()
        .filter(|(_, f)| f.finding.rule == Rule::MetadataRequestWithoutToken)
        .filter_map(|(i, f)| Some((i, f.site.as_ref()?)))
        .filter(|(_, site)| !site.empty_token && site.token.is_none());
    for (i, site) in needing {
        let Ok(options) = &site.token_options else {
            continue;
        };
        let route = route(options);
        let held = &site.route_variables;
        let shared = fetches.iter().position(|fetch| {
            fetch.scope == site.scope
                && fetch.route == route
                && fetch.edit.range.start <= site.position
                && held.hold_from(fetch.edit.range.start)
        });
        if let Some(shared) = shared {
            plans[i] = Some(Ok(shared));
            continue;
        }
        // Where the host reads `$` or braces, a variable as written is
        // the host's.
        let host_reads = context.dollars != Dollars::Shell || context.braces;
        if !held.names.is_empty() && (host_reads || !held.hold_from(site.insertion.at)) {
            plans[i] = Some(Err(changing_route_help(site)));
            continue;
        }
        let crowded = fetches
            .iter()
            .any(|fetch| fetch.scope == site.scope && fetch.edit.range.start == site.insertion.at);
        if crowded {
            plans[i] = Some(Err(CROWDED_HELP.to_owned()));
            continue;
        }
        let known = variables.iter().find(|(r, _)| *r == route);
        let variable = if let Some((_, variable)) = known {
            variable.clone()
        } else {
            let variable = fresh_name(&context.settings.token_variable.shell, &names);
            names.insert(variable.clone());
            variables.push((route.clone(), variable.clone()));
            variable
        };
        if let Some(edit) = fetch_edit(site, &variable, context) {
            plans[i] = Some(Ok(fetches.len()));
            fetches.push(Fetch {
                scope: site.scope,
                route,
                variable,
                edit,
            });
        }
    }

    found
        .into_iter()
        .zip(plans)
        .map(|(Found { mut finding, site }, plan)| {
            let (fix, help) = match finding.rule {
                Rule::MetadataRequestWithoutToken => (
                    site.as_ref()
                        .filter(|site| !site.empty_token)
                        .and_then(|site| {
                            let fetch = plan.clone().and_then(Result::ok).map(|k| &fetches[k]);
                            fix_for(site, fetch, context)
                        }),
                    match &plan {
                        Some(Err(why)) => why.clone(),
                        _ => missing_token_help(site.as_ref()),
                    },
                ),
                Rule::MalformedTokenRequest => (
                    site.as_ref()
                        .filter(|site| !site.several_urls)
                        .and_then(|site| token_request::fix(site, context)),
                    format!(
                        "send the token request with PUT and a {TTL_HEADER} header of 1 to \
                         {MAX_TTL} seconds"
                    ),
                ),
                Rule::Imdsv1OnlyClient => return finding,
            };
            match fix {
                Some(fix) => finding.fix = Some(fix),
                // Help the analysis gave (code that does not parse) stands.
                None => {
                    finding.help.get_or_insert(help);
                }
            }
            finding
        })
        .collect()
}

/// Why a request whose proxy options come from variables gets no fix.
fn changing_route_help(site: &Site) -> String {
    let names: Vec<String> = site
        .route_variables
        .names
        .iter()
        .map(|name| format!("`${name}`"))
        .collect();
    format!(
        "the token request must go where the request goes, and the request's proxy options \
         come from {}, which may hold another value where a token fetch would go: {}, with \
         the same proxy options where they hold what the request uses",
        names.join(", "),
        missing_token_help(Some(site))
    )
}

/// What to do by hand for a request sent without a token, in the
/// request's client's own header syntax.
fn missing_token_help(site: Option<&Site>) -> String {
    let header = match site.map(|site| site.client) {
        Some(Client::Wget) => format!("add --header=\"{TOKEN_HEADER}: $TOKEN\" to the command"),
        Some(Client::Httpie) => format!("add the item \"{TOKEN_HEADER}:$TOKEN\" to the command"),
        Some(Client::Curl | Client::Ec2Metadata) => {
            format!("add -H \"{TOKEN_HEADER}: $TOKEN\" to the command")
        }
        None => format!("send it in the `{TOKEN_HEADER}` header"),
    };
    let add = format!("fetch a token with `PUT /latest/api/token` and {header}");
    if let Some(Err(route)) = site.map(|site| &site.token_options) {
        return format!(
            "the token request must go where the request goes, and the value of its `{}` is \
             not known here: {add}, and give the token request the same proxy options",
            route.option
        );
    }
    if site.is_some_and(|site| site.empty_token) {
        format!(
            "the command sends an empty `{TOKEN_HEADER};` header, which IMDS refuses and which a \
             header added beside it would not replace: remove it, then {add}"
        )
    } else {
        add
    }
}

/// The fix for one request: it sends the token variable it reuses, or
/// the one `fetch` fetches.
fn fix_for(site: &Site, fetch: Option<&Fetch>, context: &Context) -> Option<Fix> {
    let reused = site.token.as_deref();
    let name = match reused {
        Some(token) => token,
        None => &fetch?.variable,
    };
    let header_at = site.header_at?;
    let header = escape(&header_text(site.client, name), site, context, header_at)?;
    let mut edits = vec![Edit::insertion(header_at, header)];
    if let (None, Some(fetch)) = (reused, fetch) {
        edits.push(fetch.edit.clone());
    }
    let message = match reused {
        Some(token) => format!("send the token in ${token} with the request"),
        None => format!("fetch an IMDSv2 token into ${name} and send it with the request"),
    };
    Some(Fix::new(message, edits, Applicability::Safe))
}

/// The edit that fetches a token before `site`'s statement.
fn fetch_edit(site: &Site, variable: &str, context: &Context) -> Option<Edit> {
    // Where the host reads `$` (a `!` line, a Scala string), a `$name` as
    // written is the host's: only the literal base is copied there.
    // Where the host reads braces (an f-string), the code no longer says
    // which braces were the host's: a written base holding one is not
    // copied either.
    let url = match (&site.written_base, context.dollars) {
        (Some(written), Dollars::Shell) if !(context.braces && written.contains(['{', '}'])) => {
            format!("{written}latest/api/token")
        }
        _ => format!("{}/latest/api/token", site.base.as_deref()?),
    };
    let ttl = context.settings.token_ttl;
    // Single-quoted code around cannot hold a single quote: a value that
    // needs quoting is written in double quotes there.
    let quote = if site.quoting.contains(&Quoting::Single) {
        '"'
    } else {
        '\''
    };
    let limits: String = site
        .token_options
        .as_ref()
        .ok()?
        .iter()
        .map(|option| option.written(quote) + " ")
        .collect();
    let command = match site.client {
        Client::Wget => {
            format!("wget -q -O - {limits}--method=PUT --header=\"{TTL_HEADER}: {ttl}\" \"{url}\"")
        }
        Client::Httpie => format!(
            "{} {limits}--ignore-stdin --body PUT \"{url}\" \"{TTL_HEADER}:{ttl}\"",
            site.program
        ),
        Client::Curl | Client::Ec2Metadata => {
            format!("curl -s {limits}-X PUT \"{url}\" -H \"{TTL_HEADER}: {ttl}\"")
        }
    };
    let fetch = if context.dollars == Dollars::ScalaInterpolated {
        format!("{variable}=`{command}`")
    } else {
        format!("{variable}=$({command})")
    };
    // Where the request's failure would not stop a `set -e` script, a
    // failing fetch must not either. (`set -e` does not act in a loop's
    // condition.)
    let form = &site.insertion.form;
    let guarded = context.errexit && !site.insertion.exposed && *form != Form::Condition;
    let fetch = if guarded {
        format!("{fetch} || {variable}=")
    } else {
        fetch
    };
    let text = match form {
        Form::Line(indent) => format!("{indent}{fetch}\n"),
        Form::Chained if guarded => format!("{fetch}; "),
        Form::Chained => format!("{fetch} && "),
        Form::Condition => format!("{fetch}; "),
    };
    let text = escape(&text, site, context, site.insertion.at)?;
    Some(Edit::insertion(site.insertion.at, text))
}

/// The header argument for `client`, placed right after the word it
/// follows.
fn header_text(client: Client, variable: &str) -> String {
    match client {
        Client::Wget => format!(" --header=\"{TOKEN_HEADER}: ${variable}\""),
        Client::Httpie => format!(" \"{TOKEN_HEADER}:${variable}\""),
        Client::Curl | Client::Ec2Metadata => format!(" -H \"{TOKEN_HEADER}: ${variable}\""),
    }
}

/// `text` as inserted at cell offset `at` for `site`: through the quoting
/// of nested code first (innermost first), then with `$name` doubled where
/// the host reads the cell's `$` ([`Dollars`]): the host reads the cell's
/// text before any shell does.
pub(super) fn escape(text: &str, site: &Site, context: &Context, at: usize) -> Option<String> {
    let text = super::nested::escape(text, &site.quoting)?;
    Some(
        if context.dollars == Dollars::Shell || ipython_leaves_dollars(context, at, &text) {
            text
        } else {
            let mut out = String::with_capacity(text.len() + 2);
            let mut chars = text.chars().peekable();
            while let Some(c) = chars.next() {
                out.push(c);
                let name = chars
                    .peek()
                    .is_some_and(|n| n.is_ascii_alphabetic() || *n == '_');
                if c == '$' && name {
                    out.push('$');
                }
            }
            out
        },
    )
}

/// Whether IPython leaves the `$name`s of `text`, inserted into a `!`
/// line at `at`, as they are: it reads a `$` only where an even number of
/// `'` follow it up to the next `{field}` (its `'...'` strings keep their
/// dollars; `{{` is a brace, no field). Text a fix inserts holds no `'` nor
/// `{` (a single-quoted nested code could not take the one, a host reading
/// braces is given no base with the other), so every `$` of it has the
/// quotes after `at`.
fn ipython_leaves_dollars(context: &Context, at: usize, text: &str) -> bool {
    if context.dollars != Dollars::BangLine || text.contains(['\'', '{']) {
        return false;
    }
    let rest = context.code.get(at..).unwrap_or_default().as_bytes();
    let mut quotes = 0;
    let mut i = 0;
    while let Some(&b) = rest.get(i) {
        match b {
            b'{' if rest.get(i + 1) == Some(&b'{') => i += 1,
            b'{' => break,
            b'\'' => quotes += 1,
            _ => {}
        }
        i += 1;
    }
    quotes % 2 == 1
}

/// `base` if no name in use takes it, else `base_2`, `base_3`...
fn fresh_name(base: &str, names: &HashSet<String>) -> String {
    if !names.contains(base) {
        return base.to_owned();
    }
    // One of these is free: there are not that many names in use.
    (2..=names.len() + 2)
        .map(|n| format!("{base}_{n}"))
        .find(|name| !names.contains(name))
        .unwrap_or_else(|| base.to_owned())
}

/// `scheme://host` of a URL as written (`http://` when it has no scheme).
pub(super) fn base_url(url: &Text) -> Option<String> {
    let url = url.known_prefix().trim_start();
    let (scheme, rest) = match url.find("://") {
        Some(i) => (&url[..i], &url[i + 3..]),
        None => ("http", url),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..end];
    let plain = !host.is_empty() && !host.contains(['"', '\'', '$', '`', '\\', ' ']);
    plain.then(|| format!("{scheme}://{host}"))
}

/// A URL word as written, up to (not including) its `latest/`, with its
/// double quotes taken off, and the variables it expands: when it expands
/// some and is otherwise plain (`$IMDS/`, `http://${HOST}:80/`), so that
/// written again in double quotes it means what it meant, and when it
/// stands for the scheme and host of `url`, the request's URL: its
/// variables, given their values by `value_of`, spell that and nothing
/// more (a variable holding a path as well, `${MD}/x/latest/`, does not).
/// What follows `latest/` does not matter (`$IMDS/latest/meta-data/$k`):
/// the token URL does not keep it. Command substitutions, single quotes
/// and escapes before `latest/` give `None`.
pub(super) fn written_base(
    word: &str,
    url: &Text,
    value_of: impl Fn(&str) -> Option<Text>,
) -> Option<(String, Vec<String>)> {
    let (written, names) = written_prefix(word)?;
    let expanded = expand_plain(&written, &value_of)?;
    let base = base_url(url)?;
    let stands_for_base = expanded.trim_end_matches('/') == base
        && url.known_prefix().trim_start().starts_with(&expanded);
    stands_for_base.then_some((written, names))
}

/// `written` (plain text and `$NAME`/`${NAME}`, as [`written_prefix`]
/// gives it) with each variable's value put in; `None` when one is not
/// known whole.
fn expand_plain(written: &str, value_of: &impl Fn(&str) -> Option<Text>) -> Option<String> {
    let mut out = String::with_capacity(written.len());
    let mut rest = written;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let (name, end) = super::variable_at(rest, at)?;
        out.push_str(value_of(name)?.as_literal()?);
        rest = &rest[end..];
    }
    out.push_str(rest);
    Some(out)
}

/// [`written_base`] before the written part is held to `url`'s base.
fn written_prefix(word: &str) -> Option<(String, Vec<String>)> {
    let word = word.replace('"', "");
    let bytes = word.as_bytes();
    let mut names = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'$' => {
                let (name, end) = super::variable_at(&word, at)?;
                names.push(name.to_owned());
                at = end;
            }
            b'l' if word[at..].starts_with("latest/") => {
                // A path segment's start: after `/`, or after `${NAME}`
                // whose value ends in one.
                let boundary = at > 0 && matches!(bytes[at - 1], b'/' | b'}');
                if names.is_empty() || !boundary {
                    return None;
                }
                return Some((word[..at].to_owned(), names));
            }
            b if b.is_ascii_alphanumeric() || b".:/[]-_%".contains(&b) => at += 1,
            _ => return None,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_bases_are_plain_words_with_variables() {
        let base = |word: &str| written_prefix(word).map(|(w, n)| (w, n.join(",")));
        assert_eq!(
            base("\"$IMDS/latest/meta-data/\""),
            Some(("$IMDS/".to_owned(), "IMDS".to_owned()))
        );
        assert_eq!(
            base("http://${H}:${P}/latest/x"),
            Some(("http://${H}:${P}/".to_owned(), "H,P".to_owned()))
        );
        for word in [
            "http://169.254.169.254/latest/",
            "\"$(echo x)/latest/\"",
            "`echo x`/latest/",
            "'$X'/latest/",
            "$X\\/latest/",
            "${X:-y}/latest/",
            "$1/latest/",
            "$Xlatest/",
            "$X/mylatest/",
        ] {
            assert_eq!(base(word), None, "{word}");
        }
    }

    #[test]
    fn a_written_base_must_stand_for_the_scheme_and_host_alone() {
        let value_of = |name: &str| match name {
            "IMDS" => Some(Text::lit("http://169.254.169.254")),
            "SLASHED" => Some(Text::lit("http://169.254.169.254/")),
            "MD" => Some(Text::lit("http://169.254.169.254/latest/meta-data")),
            _ => None,
        };
        let url = Text::lit("http://169.254.169.254/latest/meta-data/x");
        assert!(written_base("\"$IMDS/latest/meta-data/x\"", &url, value_of).is_some());
        assert!(written_base("${SLASHED}latest/meta-data/x", &url, value_of).is_some());
        // Found by fuzzing: MD held a path, and the token URL kept it.
        let url = Text::lit("http://169.254.169.254/latest/meta-data/y/latest/z");
        assert_eq!(written_base("\"${MD}/y/latest/z\"", &url, value_of), None);
        assert_eq!(written_base("$UNSET/latest/z", &url, value_of), None);
        // What follows `latest/` is not the base's business.
        let mut url = Text::lit("http://169.254.169.254/latest/meta-data/");
        url.push_unknown();
        assert!(written_base("\"$IMDS/latest/meta-data/$1\"", &url, value_of).is_some());
        assert_eq!(
            written_base("$MD/latest/z", &Text::unknown(), value_of),
            None
        );
    }

    #[test]
    fn base_keeps_the_address_as_written() {
        for (url, base) in [
            (
                "http://169.254.169.254/latest/meta-data/",
                "http://169.254.169.254",
            ),
            ("169.254.169.254/latest", "http://169.254.169.254"),
            ("https://[fd00:ec2::254]/latest", "https://[fd00:ec2::254]"),
            ("http://2852039166", "http://2852039166"),
            (
                "http://instance-data:80/latest?x",
                "http://instance-data:80",
            ),
        ] {
            assert_eq!(base_url(&Text::lit(url)).as_deref(), Some(base), "{url}");
        }
        assert_eq!(base_url(&Text::unknown()), None);
    }

    #[test]
    fn fresh_names_avoid_names_in_use() {
        let mut names = HashSet::new();
        assert_eq!(fresh_name("IMDS_TOKEN", &names), "IMDS_TOKEN");
        names.insert("IMDS_TOKEN".to_owned());
        names.insert("IMDS_TOKEN_2".to_owned());
        assert_eq!(fresh_name("IMDS_TOKEN", &names), "IMDS_TOKEN_3");
    }
}
