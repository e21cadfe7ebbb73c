//! Shell: finds curl, wget, httpie and ec2metadata requests in shell cells
//! (scripts, `%sh` cells, IPython `!` lines, shell inside host strings).
//!
//! A cell is read once, in the order it is written: assignments feed an
//! environment of variables (`env`), and each command's words are
//! expanded through it (`value`) into the language-neutral [`argv`]
//! model, which tells which commands are requests. Shell code inside the
//! cell's strings and heredocs (`sh -c '...'`, `bash <<EOF`) is parsed and
//! read as nested code (`nested`). Findings get fixes from `fix`.
//!
//! Known limits, each costing missed findings unless said otherwise:
//! requests through `nc` or bash's `/dev/tcp` are not seen (no HTTP client
//! names them); curl and wget configuration files (`~/.curlrc`,
//! `~/.wgetrc`) are not read (a token header set there is missed, which
//! costs a false finding); aliases are not followed; code piped into a
//! shell (`echo "curl ..." | bash`) and `python -c` code are not read;
//! a `--next` that an unquoted variable of unknown value may hold is not
//! seen (its options count for the URLs after it); an empty token header
//! that wget or httpie is told to send counts as a token;
//! on `!` lines `{expr}` with blanks inside is not read as one host value.

pub mod argv;
mod curl;
mod env;
mod errexit;
mod fix;
mod httpie;
pub(crate) mod ipython;
mod nested;
pub(crate) mod options;
mod reach;
mod rebind;
mod scope;
mod token_request;
mod tree;
mod value;
mod wget;
mod wrapper;

use std::cell::OnceCell;
use std::collections::HashSet;
use std::ops::Range;
use std::sync::OnceLock;

use imds_lint_parser::pattern::Patterns;
use imds_lint_parser::{syntax, Cell, Interpolation, Lang, Origin};
use tree_sitter::{Node, Tree};

use self::argv::{CommandRequest, HttpCommand, Runs, Word};
use self::env::ShellEnv;
use self::fix::{Dollars, Found, RouteVariables, Site, Ttl};
use self::nested::Code;
use self::reach::TokenVar;
use self::rebind::Rebindings;
use self::scope::Layout;
use self::tree::Parents;
use self::value::Expander;
use crate::endpoint;
use crate::request::{Method, TTL_HEADER};
use crate::rules;
use crate::text::{Env, Text};
use crate::{FileCheck, Finding, Rule};

/// The command shapes, as tree-sitter query patterns.
const PATTERNS_SOURCE: &str = include_str!("../../../../grammars/bash.scm");

/// Shell code nested in shell code (`sh -c "bash -c '...'"`) is followed
/// this deep; deeper code is not read.
const MAX_NESTING: usize = 8;

/// Analyses shell cell `index`; `outer` holds variables visible from
/// outside the shell (a notebook's Python names, for `!` lines).
pub fn check_cell(file: &mut FileCheck, index: usize, outer: &Env) {
    // Code this code runs (`sh -c`, `eval`) is parsed through
    // `syntax::parse`, which refuses the same sizes without a word.
    if let Some(why) = syntax::refusal(Lang::Shell, &file.cells[index].code, &[]) {
        file.refused.push(crate::Refused { cell: index, why });
        return;
    }
    let cell = &file.cells[index];
    let code = Code::cell(&cell.code);
    let origin = cell.origin.clone();
    // A `!` line, or a command string IPython expands the same way.
    let ipython = matches!(
        origin,
        Origin::BangLine
            | Origin::HostString {
                interpolation: Interpolation::IPython,
                ..
            }
    );
    let braces = ipython
        || matches!(
            origin,
            Origin::HostString {
                interpolation: Interpolation::Braces,
                ..
            }
        );

    let mut analysis = Analysis {
        cell: index,
        layout: if ipython {
            Layout::Chained
        } else if matches!(origin, Origin::HostString { .. }) {
            Layout::Compact
        } else {
            Layout::Lines
        },
        found: Vec::new(),
        tokens: Vec::new(),
        names: outer.keys().cloned().collect(),
        reported: HashSet::new(),
        codes: 0,
        errexit: errexit::in_shebang(&cell.code),
        interpolated: (braces
            || matches!(
                origin,
                Origin::HostString {
                    interpolation: Interpolation::Dollar,
                    ..
                }
            ))
            && holds_host_value(&cell.code),
        syntax_errors: None,
        bang: origin == Origin::BangLine,
        python: Vec::new(),
    };
    let mut env = ShellEnv::new(outer, braces);
    analysis.code(&code, &mut env, 0, Around::default());
    let host_values = match origin {
        _ if braces => Some(Interpolation::Braces),
        Origin::HostString {
            interpolation: Interpolation::Dollar,
            ..
        } => Some(Interpolation::Dollar),
        _ => None,
    };
    if let Some(has_errors) = analysis
        .syntax_errors
        .filter(|_| file.analysing_whole(index))
    {
        let has_errors = has_errors
            && host_values
                .is_none_or(|host| !parses_with_host_values_in(&file.cells[index].code, host));
        file.note_parse(index, has_errors);
    }

    let context = fix::Context {
        code: &file.cells[index].code,
        braces,
        settings: file.settings,
        names: &analysis.names,
        errexit: analysis.errexit,
        dollars: match origin {
            _ if ipython => Dollars::BangLine,
            Origin::HostString {
                interpolation: Interpolation::Dollar,
                ..
            } => Dollars::ScalaInterpolated,
            _ => Dollars::Shell,
        },
    };
    let mut findings = fix::attach(analysis.found, &context);
    if ipython {
        ipython::withhold_unsure_fixes(&mut findings, &file.cells[index].code, outer);
    }
    let settings = file.settings;
    file.findings
        .extend(findings.into_iter().filter(|f| settings.enabled(f.rule)));
    check_python(file, index, analysis.python);
}

/// Analyses the Python code that shell cell `index` runs, each piece as a
/// cell of its own: a separate process, which sees none of the cell's
/// names. Code whose quoting cannot hold inserted text is left unread.
fn check_python(file: &mut FileCheck, index: usize, codes: Vec<(Code, bool)>) {
    let mut seen = HashSet::new();
    for (code, broken) in codes {
        // A `$(...)` inside `sh -c "..."` is read twice: as the outer
        // shell's and as the inner one's.
        if !seen.insert((code.to_cell(0), code.text.len())) {
            continue;
        }
        let Some(mut layers) = code.layers() else {
            continue;
        };
        let host = &file.cells[index];
        layers.extend(host.layers.iter().cloned());
        let cell = Cell {
            lang: Lang::Python,
            map: code.span_map().compose(&host.map),
            code: code.text,
            number: host.number,
            origin: Origin::HostString {
                host: index,
                interpolation: Interpolation::None,
            },
            layers,
        };
        file.add_nested_python(cell, broken);
    }
}

/// The compiled shapes, read on first use, or `None` if they do not
/// compile (a bug the tests catch).
fn query() -> Option<&'static Patterns> {
    static PATTERNS: OnceLock<Option<Patterns>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            let language = syntax::language(Lang::Shell)?;
            match Patterns::new(&language, PATTERNS_SOURCE) {
                Ok(patterns) => Some(patterns),
                Err(err) => {
                    log::error!("grammars/bash.scm: {err}");
                    None
                }
            }
        })
        .as_ref()
}

/// What one query match is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Command,
    Assignment,
    Loop,
    Unset,
    Name,
}

/// A piece of code being read: its text, its number, its tree and the
/// tree's parent links.
struct Source<'a, 't> {
    code: &'a Code,
    id: usize,
    tree: &'a Tree,
    parents: &'a Parents<'t>,
    /// Where it may rebind variables, found when a request first asks:
    /// most code never fetches a token to reuse.
    rebindings: OnceCell<Rebindings>,
    /// The scopes of the statements placed so far.
    scopes: scope::ScopeMemo<'t>,
    /// The `for` loops that poll.
    sleepers: scope::Sleepers,
}

impl Source<'_, '_> {
    fn rebindings(&self) -> &Rebindings {
        self.rebindings.get_or_init(|| {
            Rebindings::new(rebind::rebindings(self.tree, &self.code.text, self.parents))
        })
    }
}

/// A command as written: its node, the code it is in, its words, the
/// node each word came from and the variables it sees.
struct Written<'w, 'a, 't> {
    node: Node<'t>,
    source: &'w Source<'a, 't>,
    words: &'w [Word],
    sources: &'w [Node<'t>],
    env: &'w ShellEnv<'w>,
}

/// The state of reading one cell.
struct Analysis {
    cell: usize,
    /// How the cell takes a token fetch.
    layout: Layout,
    found: Vec<Found>,
    tokens: Vec<TokenVar>,
    /// Names in use in the cell and outside it.
    names: HashSet<String>,
    /// Commands already reported (nested code may be read twice: a `$(...)`
    /// in `sh -c "..."` is the outer shell's too).
    reported: HashSet<Range<usize>>,
    /// Pieces of code read so far; numbers them.
    codes: usize,
    /// Whether errexit (`set -e`) may be on somewhere in the cell.
    errexit: bool,
    /// Whether the cell's code holds host values (`{expr}`, `${expr}`: an
    /// f-string, a Scala `s"..."`, a `!` line): such code may not parse as
    /// it is written and still be sound once they are put in.
    interpolated: bool,
    /// Whether the cell's own code parsed with errors, once read.
    syntax_errors: Option<bool>,
    /// Whether the cell is a `!` line: a cell of its own, which `--fix`
    /// holds to parsing as written, interpolated or not.
    bang: bool,
    /// Python code the shell runs (`python3 -c '...'`, `python3 <<EOF`),
    /// and whether the shell code around it does not parse.
    python: Vec<(Code, bool)>,
}

/// Whether shell `code` whose host values are written as `host` says
/// (`{expr}` of a Python f-string or a `!` line, `${expr}` of a Scala
/// string) parses once they are put in: their text is the host's code,
/// not the shell's (`> {shlex.quote(dest)}`), so it is blanked out, at the
/// same length, for the parse that decides whether the code is broken.
fn parses_with_host_values_in(code: &str, host: Interpolation) -> bool {
    let mut bytes = code.as_bytes().to_vec();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'{', &bytes[at..]) {
        let open = at + found;
        at = open + 1;
        let is_value = match host {
            Interpolation::Dollar => open > 0 && bytes[open - 1] == b'$',
            // A `{ ` opens a shell group; `{}` is no expression.
            _ => bytes
                .get(open + 1)
                .is_some_and(|b| !b.is_ascii_whitespace() && *b != b'}'),
        };
        if !is_value {
            continue;
        }
        let mut depth = 0usize;
        let Some(close) = bytes[open..].iter().position(|&b| {
            depth = match b {
                b'{' => depth + 1,
                b'}' => depth - 1,
                _ => depth,
            };
            depth == 0
        }) else {
            break;
        };
        let close = open + close;
        bytes[open + 1..close].fill(b'_');
        at = close + 1;
    }
    // Whole characters were replaced: the text between two ASCII braces.
    String::from_utf8(bytes)
        .ok()
        .and_then(|text| syntax::parse(Lang::Shell, &text))
        .is_some_and(|tree| !tree.root_node().has_error())
}

/// Whether `code` may hold a host value: a `{expr}` or a `$name` (also
/// `${...}`), which the host puts in before the shell reads the code.
fn holds_host_value(code: &str) -> bool {
    code.contains('{')
        || code
            .as_bytes()
            .windows(2)
            .any(|w| w[0] == b'$' && (w[1].is_ascii_alphabetic() || w[1] == b'_'))
}

/// What the code holding a piece of nested code tells of it.
#[derive(Debug, Clone, Copy, Default)]
struct Around {
    /// The code around does not parse (in a string or heredoc of it), so
    /// neither is this code's place in it known.
    broken: bool,
    /// The code runs on another machine or in a container.
    elsewhere: bool,
}

/// Why a request in shell code that does not parse gets no fix.
pub(crate) const UNPARSED_HELP: &str = "no automatic fix: the shell code around it does not \
     parse, so where a token fetch may go is a guess; fix it by hand";

impl Analysis {
    /// Reads one piece of code with the variables `env`.
    /// `around`: what the code holding this one tells of it.
    fn code(&mut self, code: &Code, env: &mut ShellEnv, depth: usize, around: Around) {
        let Some(patterns) = query() else {
            return;
        };
        let Some(tree) = syntax::parse(Lang::Shell, &code.text) else {
            return;
        };
        if depth == 0 {
            self.syntax_errors = Some(tree.root_node().has_error());
        }
        let id = self.codes;
        self.codes += 1;

        // Matches in the order they are written, each node once.
        let mut events: Vec<(usize, Shape, Node)> = Vec::new();
        let names = patterns.capture_names();
        for m in patterns.matches(tree.root_node(), &code.text) {
            for capture in m.captures {
                let shape = match names[capture.index as usize].as_str() {
                    "command" => Shape::Command,
                    "assignment" => Shape::Assignment,
                    "loop" => Shape::Loop,
                    "unset" => Shape::Unset,
                    _ => Shape::Name,
                };
                events.push((capture.node.start_byte(), shape, capture.node));
            }
        }
        events.sort_by_key(|(start, shape, node)| (*start, *shape as u8, node.id()));
        events.dedup_by_key(|(_, shape, node)| (*shape, node.id()));

        let parents = Parents::of(&tree);
        let source = Source {
            code,
            id,
            tree: &tree,
            parents: &parents,
            rebindings: OnceCell::new(),
            scopes: scope::ScopeMemo::default(),
            sleepers: scope::Sleepers::default(),
        };
        // Nested code is read after this code, each with the variables
        // its command saw: a `$(...)` inside `sh -c "..."` or an unquoted
        // heredoc is run by this shell, and is reported (and fixed) here.
        let mut nested: Vec<(Code, ShellEnv, bool)> = Vec::new();
        let first_found = self.found.len();
        let first_python = self.python.len();
        for (_, shape, node) in events {
            match shape {
                Shape::Command => {
                    let codes = self.command(node, &source, env);
                    nested.extend(
                        codes
                            .into_iter()
                            .map(|(code, elsewhere)| (code, env.clone(), elsewhere)),
                    );
                    assign_defaults(node, &source, env);
                }
                Shape::Assignment => {
                    assign_defaults(node, &source, env);
                    assign(node, &source, env);
                }
                Shape::Loop => loop_variable(node, code, env),
                Shape::Unset => {
                    let mut cursor = node.walk();
                    for name in node.named_children(&mut cursor) {
                        if kind_of(name) == "variable_name" {
                            env.unset(&code.text[name.byte_range()]);
                        }
                    }
                }
                Shape::Name => {
                    self.names.insert(code.text[node.byte_range()].to_owned());
                }
            }
        }
        // Code that does not parse is read from a guessed tree: its
        // requests are reported, with help, and not fixed. The rewriter
        // refuses such fixes in a cell too, but cannot see into code held
        // in a string or heredoc of a cell that parses; and a fix shown,
        // then refused, would mislead.
        let broken = around.broken
            || ((depth > 0 || !self.interpolated || self.bang) && tree.root_node().has_error());
        for (_, python_broken) in &mut self.python[first_python..] {
            *python_broken |= broken;
        }
        // An IMDSv1-only client has no fix to withhold, and keeps its
        // own help (the client to use instead).
        let fixable = |found: &&mut Found| found.finding.rule != Rule::Imdsv1OnlyClient;
        let help = if broken {
            Some(UNPARSED_HELP.to_owned())
        } else if around.elsewhere {
            Runs::Elsewhere.help()
        } else {
            None
        };
        if let Some(help) = help {
            for found in self.found[first_found..].iter_mut().filter(fixable) {
                found.site = None;
                found.finding.help = Some(help.clone());
            }
        }
        if depth < MAX_NESTING {
            for (code, mut env, elsewhere) in nested {
                let around = Around {
                    broken,
                    elsewhere: around.elsewhere || elsewhere,
                };
                self.code(&code, &mut env, depth + 1, around);
            }
        }
    }

    /// Reads one simple command; returns the shell code it runs, each
    /// with whether it runs on another machine or in a container.
    fn command<'t>(
        &mut self,
        node: Node<'t>,
        source: &Source<'_, 't>,
        env: &mut ShellEnv,
    ) -> Vec<(Code, bool)> {
        let code = source.code;
        let (words, sources) = command_words(node, code, env);
        if words.is_empty() {
            return Vec::new();
        }
        track_builtins(&words, env);
        self.errexit |= errexit::turns_on(&words);
        let nested = nested_code(node, source, &words, &sources);
        let python = python_code(node, source, &words, &sources);
        self.python
            .extend(python.into_iter().map(|code| (code, false)));

        let range = code.range_to_cell(node.byte_range());
        let Some(request) = argv::request_from_argv(&words, range.clone()) else {
            return nested;
        };
        if let CommandRequest::Http(http) = &request {
            if let Some(token) = token_variable(node, source, http, &words) {
                self.tokens.push(token);
            }
        }
        let Some(finding) = request.finding(self.cell) else {
            return nested;
        };
        if !self.reported.insert(range) {
            return nested;
        }
        let CommandRequest::Http(http) = &request else {
            self.found.push(Found {
                finding,
                site: None,
            });
            return nested;
        };
        let written = Written {
            node,
            source,
            words: &words,
            sources: &sources,
            env,
        };
        self.report(http, finding, &written);
        // Each request curl's `--next` separates has options of its own,
        // and its own fix.
        for separate in &http.separate {
            if let Some(finding) = CommandRequest::Http(separate.clone()).finding(self.cell) {
                self.report(separate, finding, &written);
            }
        }
        nested
    }

    /// Records the `finding` of the request `http` written in `written`,
    /// with where its fix goes, and the findings of the request's other
    /// URLs, with no fix: one request's method and headers are all its
    /// URLs'.
    fn report(&mut self, http: &HttpCommand, finding: Finding, written: &Written) {
        // A token fetched before a command that runs elsewhere, or again
        // and again, does not serve it: the finding has help instead.
        let site = (http.runs == Runs::Here).then(|| self.site(written, http));
        self.found.push(Found { finding, site });
        for other in &http.others {
            let alone = CommandRequest::Http(argv::HttpCommand {
                request: other.clone(),
                others: Vec::new(),
                separate: Vec::new(),
                ..http.clone()
            });
            if let Some(finding) = alone.finding(self.cell) {
                self.found.push(Found {
                    finding,
                    site: None,
                });
            }
        }
    }

    /// Where a fix for the request `http` of the command `written` goes.
    fn site(&self, written: &Written, http: &HttpCommand) -> Site {
        let Written {
            node,
            source,
            words,
            sources,
            env,
        } = *written;
        let code = source.code;
        let written_once =
            |i: usize| sources.iter().filter(|n| n.id() == sources[i].id()).count() == 1;
        let program_literal = matches!(kind_of(sources[http.program]), "command_name" | "word")
            && written_once(http.program);
        let header_at = match http.client {
            argv::Client::Httpie => {
                written_once(http.url).then(|| code.to_cell(sources[http.url].end_byte()))
            }
            _ => program_literal.then(|| code.to_cell(sources[http.program].end_byte())),
        };
        let url_start =
            written_once(http.url).then(|| code.to_cell(sources[http.url].start_byte()));
        let root = source.tree.root_node();
        let polls = |body: Node| {
            source
                .sleepers
                .sleeps(body, root, &code.text, source.parents)
        };
        let (scope, insertion) = scope::placement(
            node,
            code,
            source.id,
            source.parents,
            &source.scopes,
            self.layout,
            &polls,
        );
        let token = reach::token_at(
            node,
            source.id,
            source.parents,
            &self.tokens,
            || source.rebindings(),
            &polls,
        );
        let position = code.to_cell(node.start_byte());
        // A token the code fetched along another route may be empty here.
        let route_written = route_as_written(node, source, words, sources, http);
        let (token_options, route_variables) = match route_written {
            Ok((options, variables)) => (Ok(options), variables),
            Err(unshown) => (Err(unshown), RouteVariables::default()),
        };
        let route = token_options.as_deref().ok().map(fix::route);
        // The URL's variables must hold at the fetch what they hold at
        // the request; in code nested in a string, a `$name` as written
        // may be the outer shell's, expanded before this code runs.
        let written_base = (written_once(http.url) && code.quoting.is_empty())
            .then(|| {
                let word = &code.text[sources[http.url].byte_range()];
                fix::written_base(word, &http.request.url, |name| env.get(name).cloned())
            })
            .flatten()
            .filter(|(_, names)| {
                names.iter().all(|name| {
                    !source.rebindings().of(name).any(|r| {
                        let at = code.to_cell(r.start);
                        insertion.at <= at && at < position
                    })
                })
            })
            .map(|(written, _)| written);
        Site {
            client: http.client,
            method: http.request.method.clone(),
            names_method: argv::names_method(words, http),
            empty_token: argv::sends_empty_token(words, http),
            ttl: Ttl::of(&http.request.headers),
            program: http.request.client.clone(),
            token: token
                .filter(|t| t.route.is_some() && t.route == route)
                .map(|t| t.name.clone()),
            token_options,
            route_variables,
            header_at,
            url_start,
            base: fix::base_url(&http.request.url),
            written_base,
            scope,
            insertion,
            quoting: code.quoting.clone(),
            position,
            several_urls: http.urls > 1,
        }
    }
}

/// The request's token options ([`argv::token_options`]), with each
/// route value that comes from variables written as the request writes
/// it (`--proxy "$P"`), not as the analyser takes it to be (a default, a
/// value set earlier); and those variables. An error when such a value
/// cannot be written so: in code nested in double quotes or a heredoc
/// (whose `$` may be the outer shell's), through a substitution or
/// quoting other than plain double quotes, or from a variable another
/// function may set at any time.
fn route_as_written(
    node: Node,
    source: &Source,
    words: &[Word],
    sources: &[Node],
    http: &HttpCommand,
) -> Result<(Vec<options::TokenOption>, RouteVariables), options::UnshownRoute> {
    let code = source.code;
    let mut options = argv::token_options_as_written(words, http)?;
    let function = rebind::enclosing_function(node, source.parents);
    let mut variables = RouteVariables {
        until: code.to_cell(loop_end(node, source.parents)),
        ..RouteVariables::default()
    };
    let own_quoting = code
        .quoting
        .iter()
        .all(|q| matches!(q, nested::Quoting::Single | nested::Quoting::Verbatim));

    for option in &mut options {
        let Some(word) = option.from_word else {
            continue;
        };
        let unshown = options::UnshownRoute {
            option: option.name,
        };
        let once = sources
            .iter()
            .filter(|n| n.id() == sources[word].id())
            .count()
            == 1;
        if !own_quoting || !once || option.in_option_word {
            return Err(unshown);
        }
        let text = &code.text[sources[word].byte_range()];
        let names = plain_variables(text).ok_or(unshown.clone())?;
        for name in &names {
            for rebinding in source.rebindings().of(name) {
                if rebinding.function == function {
                    variables.rebound.push(code.to_cell(rebinding.start));
                } else if rebinding.function.is_some() && !rebinding.local {
                    return Err(unshown.clone());
                }
            }
        }
        variables.names.extend(names);
        option.value = Some(options::OptionValue::AsWritten(text.to_owned()));
    }
    Ok((options, variables))
}

/// The end of the outermost loop around `node` in its function (or its
/// start, when there is none): a variable set anywhere before it may hold
/// another value at the request in a later pass.
fn loop_end(node: Node, parents: &Parents) -> usize {
    let mut until = node.start_byte();
    let mut at = node;
    while let Some(parent) = parents.parent(at) {
        match kind_of(parent) {
            "function_definition" => break,
            "for_statement" | "c_style_for_statement" | "while_statement" => {
                until = parent.end_byte();
            }
            _ => {}
        }
        at = parent;
    }
    until
}

/// The variable a `$` at byte `at` of `word` expands, written `$NAME` or
/// `${NAME}`, and the offset after it; `None` for anything else there.
pub(super) fn variable_at(word: &str, at: usize) -> Option<(&str, usize)> {
    let bytes = word.as_bytes();
    let braced = bytes.get(at + 1) == Some(&b'{');
    let start = at + 1 + usize::from(braced);
    let len = bytes
        .get(start..)?
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_')
        .count();
    let name = &word[start..start + len];
    if !wrapper::is_name(name) {
        return None;
    }
    let end = start + len;
    if !braced {
        return Some((name, end));
    }
    (bytes.get(end) == Some(&b'}')).then_some((name, end + 1))
}

/// The variables of a word written with nothing but plain characters,
/// double quotes and `$NAME` or `${NAME}` (`"$P"`, `http://$HOST:3128`);
/// `None` for any other word (a substitution, `${P:-x}`, single quotes,
/// an escape).
fn plain_variables(word: &str) -> Option<Vec<String>> {
    let bytes = word.as_bytes();
    let mut names = Vec::new();
    let mut quoted = false;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        match b {
            b'"' => quoted = !quoted,
            b'$' => {
                let (name, end) = variable_at(word, at)?;
                names.push(name.to_owned());
                at = end;
                continue;
            }
            b' ' | b'*' if quoted => {}
            b if b.is_ascii_alphanumeric() || b"_./:@%+,=-".contains(&b) => {}
            _ => return None,
        }
        at += 1;
    }
    (!quoted).then_some(names)
}

/// The words of a command (its name and arguments, not its prefix
/// assignments or redirections) in cell offsets, and the node each came from.
fn command_words<'t>(node: Node<'t>, code: &Code, env: &ShellEnv) -> (Vec<Word>, Vec<Node<'t>>) {
    let expander = Expander {
        source: &code.text,
        env,
    };
    let mut words: Vec<Word> = Vec::new();
    let mut sources = Vec::new();
    let mut cursor = node.walk();
    // Where the last argument ended, if it gave a word.
    let mut last_end = None;
    if cursor.goto_first_child() {
        loop {
            if matches!(cursor.field_name(), Some("name" | "argument")) {
                let child = cursor.node();
                let before = words.len();
                expander.words(child, &mut words);
                sources.extend(std::iter::repeat_n(child, words.len() - before));
                let produced = words.len() - before;
                // The grammar ends a word at a line continuation; the shell
                // does not (`http://169.254.\` + newline + `169.254/`).
                let joined =
                    last_end.is_some_and(|end| continues_line(&code.text, end, child.start_byte()));
                if joined && produced > 0 {
                    let next = words.remove(before);
                    sources.remove(before);
                    let word = &mut words[before - 1];
                    word.text.push_text(&next.text);
                    word.range.end = next.range.end;
                    word.spread |= next.spread;
                    word.verbatim &= next.verbatim;
                }
                // An expansion that gives no word joins nothing on.
                last_end = (produced > 0).then(|| child.end_byte());
            }
            if !cursor.goto_next_sibling() {
                break;
            }
        }
    }
    for word in &mut words {
        word.range = code.range_to_cell(word.range.clone());
    }
    (words, sources)
}

/// `read NAME` sets variables to values nobody can know.
fn track_builtins(words: &[Word], env: &mut ShellEnv) {
    if words[0].text.as_literal() != Some("read") {
        return;
    }
    let names = words[1..]
        .iter()
        .filter_map(|w| w.text.as_literal())
        .filter(|w| wrapper::is_name(w));
    for name in names {
        env.set(name, Text::unknown());
    }
}

/// Shell code the command runs: the `-c` argument of `sh`, `bash`...,
/// or a heredoc or here-string fed to a shell reading its script from
/// standard input; each with whether it runs on another machine or in a
/// container (`ssh host 'CODE'`, `docker exec c sh -c CODE`).
fn nested_code(node: Node, source: &Source, words: &[Word], sources: &[Node]) -> Vec<(Code, bool)> {
    let code = source.code;
    let mut out = Vec::new();
    if let Some(found) = argv::shell_code_run(words) {
        let elsewhere = found.runs == Runs::Elsewhere;
        let node = if found.in_option {
            option_value(sources[found.at])
        } else {
            Some(sources[found.at])
        };
        out.extend(
            node.and_then(|node| code.nested(node, false))
                .into_iter()
                .map(|code| (code, elsewhere)),
        );
    }
    if argv::reads_script_from_stdin(words) {
        let elsewhere = wrapper::look_through(words, 0).is_some_and(|t| t.runs == Runs::Elsewhere);
        out.extend(
            stdin_code(node, source)
                .into_iter()
                .map(|code| (code, elsewhere)),
        );
    }
    out
}

/// The quoted value of an option written in one word with it
/// (`--command='CODE'`, `-c"CODE"`): the string after the option's
/// plain text; `None` when the word is written otherwise.
fn option_value(word: Node) -> Option<Node> {
    if kind_of(word) != "concatenation" {
        return None;
    }
    let mut cursor = word.walk();
    let parts: Vec<Node> = word.named_children(&mut cursor).collect();
    match parts.as_slice() {
        [option, value]
            if kind_of(option) == "word" && matches!(kind_of(value), "string" | "raw_string") =>
        {
            Some(*value)
        }
        _ => None,
    }
}

/// Python code the command runs: the `-c` argument of `python3`, or a
/// heredoc or here-string fed to a Python reading its script from
/// standard input.
fn python_code(node: Node, source: &Source, words: &[Word], sources: &[Node]) -> Vec<Code> {
    let mut out = Vec::new();
    if let Some(i) = argv::python_code(words) {
        out.extend(source.code.nested(sources[i], false));
    }
    if argv::python_reads_stdin(words) {
        out.extend(stdin_code(node, source));
    }
    out
}

/// The code of the heredocs and here-strings fed to command `node`.
fn stdin_code(node: Node, source: &Source) -> Vec<Code> {
    let code = source.code;
    let mut out = Vec::new();
    // A here-string is part of the command; a heredoc belongs to the
    // redirected statement around it.
    let mut redirects = Vec::new();
    let mut cursor = node.walk();
    redirects.extend(
        node.children(&mut cursor)
            .filter(|c| kind_of(c) == "herestring_redirect"),
    );
    let statement = source.parents.parent(node);
    if let Some(parent) = statement.filter(|p| kind_of(p) == "redirected_statement") {
        let mut cursor = parent.walk();
        redirects.extend(
            parent
                .children(&mut cursor)
                .filter(|c| kind_of(c) == "heredoc_redirect"),
        );
    }
    for redirect in redirects {
        let mut cursor = redirect.walk();
        let children: Vec<Node> = redirect.named_children(&mut cursor).collect();
        let start = children.iter().find(|c| kind_of(*c) == "heredoc_start");
        let quoted = start.is_some_and(|c| code.text[c.byte_range()].contains(['\'', '"', '\\']));
        if let Some(body) = unterminated_heredoc(&code.text, start, &children) {
            out.extend(code.heredoc(body, quoted));
            continue;
        }
        for child in children {
            if matches!(
                kind_of(child),
                "heredoc_body" | "raw_string" | "string" | "word"
            ) {
                out.extend(code.nested(child, quoted));
            }
        }
    }
    out
}

/// The whole body of a heredoc that the file ends before its delimiter
/// line: bash runs every line to the end of the file, where tree-sitter-bash
/// takes the last piece (a last line, or what follows the last expansion)
/// for the delimiter. `None` for a heredoc that ends.
fn unterminated_heredoc(
    text: &str,
    start: Option<&Node>,
    children: &[Node],
) -> Option<Range<usize>> {
    let delimiter: String = text[start?.byte_range()]
        .chars()
        .filter(|c| !matches!(c, '\'' | '"' | '\\'))
        .collect();
    let end = children.iter().find(|c| kind_of(*c) == "heredoc_end")?;
    let written = text[end.byte_range()].trim_start_matches('\t');
    if written.trim_end_matches(['\n', '\r']) == delimiter {
        return None;
    }
    let body = children.iter().find(|c| kind_of(*c) == "heredoc_body");
    Some(body.unwrap_or(end).start_byte()..end.end_byte())
}

/// Records `NAME=value` (alone or declared); `NAME+=value` appends.
fn assign(node: Node, source: &Source, env: &mut ShellEnv) {
    let code = source.code;
    if source
        .parents
        .parent(node)
        .is_some_and(|p| kind_of(p) == "command")
    {
        return;
    }
    let Some(name) = child_in(node, "name") else {
        return;
    };
    if kind_of(name) != "variable_name" {
        return;
    }
    let name = &code.text[name.byte_range()];
    let value = match child_in(node, "value") {
        Some(value) => Expander {
            source: &code.text,
            env,
        }
        .text(value),
        None => Text::default(),
    };
    let append = node
        .child(1)
        .is_some_and(|op| &code.text[op.byte_range()] == "+=");
    let value = match env.get(name) {
        Some(old) if append => old.concat(&value),
        _ => value,
    };
    env.set(name, value);
}

/// `${NAME:=value}` and `${NAME=value}` in a command's words (or an
/// assignment's value) set NAME in this shell, to what they expand to (its
/// value when it was set), in the order written; not inside `$(...)`,
/// `( ... )` or a pipeline, whose shells end with them.
fn assign_defaults(command: Node, source: &Source, env: &mut ShellEnv) {
    const SUBSHELLS: [&str; 4] = [
        "command_substitution",
        "process_substitution",
        "subshell",
        "pipeline",
    ];
    let code = source.code;
    // Most commands hold no `${`: nothing to walk.
    if memchr::memmem::find(code.text[command.byte_range()].as_bytes(), b"${").is_none() {
        return;
    }
    let mut at = Some(command);
    while let Some(node) = at {
        if SUBSHELLS.contains(&kind_of(node)) {
            return;
        }
        at = source.parents.parent(node);
    }
    let mut assigning = Vec::new();
    let mut stack = vec![command];
    while let Some(node) = stack.pop() {
        match kind_of(node) {
            kind if SUBSHELLS.contains(&kind) => continue,
            "expansion" => {
                if let Some(name) = rebind::assigned_by_expansion(node, &code.text) {
                    assigning.push((node, name));
                }
            }
            _ => {}
        }
        let mut cursor = node.walk();
        stack.extend(node.named_children(&mut cursor));
    }
    assigning.sort_by_key(|(node, _)| node.start_byte());
    for (node, name) in assigning {
        let value = Expander {
            source: &code.text,
            env,
        }
        .text(node);
        env.set(&name, value);
    }
}

/// `for NAME in ONE; do` gives NAME that value; several values the first,
/// when all name the metadata service; the arguments (`for NAME; do`), or
/// values of other hosts among them, leave it unknown.
fn loop_variable(node: Node, code: &Code, env: &mut ShellEnv) {
    let Some(name) = child_in(node, "variable") else {
        return;
    };
    let mut cursor = node.walk();
    let values: Vec<Node> = node.children_by_field_name("value", &mut cursor).collect();
    let words = |node: &Node| kind_of(*node) != "simple_expansion" && kind_of(*node) != "expansion";
    let expand = |node: Node| {
        Expander {
            source: &code.text,
            env,
        }
        .text(node)
    };
    let value = match values.as_slice() {
        [one] if words(one) => expand(*one),
        // Several values that all name the metadata service: a request
        // with the variable goes there on every pass, so it stands for the
        // first. With another host among them, a fix would send that host
        // the token: unknown.
        [first, ..] if values.iter().all(words) => {
            let texts: Vec<Text> = values.iter().map(|node| expand(*node)).collect();
            if texts.iter().all(|text| endpoint::classify(text).is_some()) {
                expand(*first)
            } else {
                Text::unknown()
            }
        }
        _ => Text::unknown(),
    };
    env.set(&code.text[name.byte_range()], value);
}

/// The variable a correct token request's output is assigned to
/// (`NAME=$(curl -X PUT .../api/token -H "...-ttl-seconds: N")`), where
/// the assignment is sure to have run (see [`reach`]).
fn token_variable(
    node: Node,
    source: &Source,
    http: &HttpCommand,
    words: &[Word],
) -> Option<TokenVar> {
    let request = &http.request;
    let is_token = endpoint::classify(&request.url).is_some_and(|e| e.is_token_path());
    let well_formed = request.method == Method::Put
        && request.headers.has(TTL_HEADER)
        && rules::judge(request).is_none();
    if !is_token || !well_formed {
        return None;
    }
    let mut substituted = false;
    let mut at = source.parents.parent(node)?;
    loop {
        match kind_of(at) {
            "command_substitution" => substituted = true,
            "pipeline" | "string" | "redirected_statement" => {}
            "variable_assignment" if substituted => {
                let name = child_in(at, "name")?;
                let (list, end) = reach::assigned_for(at, source.parents)?;
                return Some(TokenVar {
                    name: source.code.text[name.byte_range()].to_owned(),
                    code: source.id,
                    list,
                    at: at.start_byte(),
                    end,
                    function: rebind::enclosing_function(at, source.parents),
                    route: argv::token_options(words, http)
                        .ok()
                        .filter(|options| options.iter().all(|o| o.from_word.is_none()))
                        .map(|options| fix::route(&options)),
                });
            }
            _ => return None,
        }
        at = source.parents.parent(at)?;
    }
}

#[cfg(test)]
mod tests;

/// The kind of a node of a shell tree (see [`imds_lint_parser::syntax::kind_name`]).
pub(crate) fn kind_of<'t>(node: impl std::borrow::Borrow<tree_sitter::Node<'t>>) -> &'t str {
    imds_lint_parser::syntax::kind_name(imds_lint_parser::Lang::Shell, *node.borrow())
}

/// The child of a node of a shell tree in one of its fields (see
/// [`imds_lint_parser::syntax::field_child`]).
pub(crate) fn child_in<'t>(
    node: impl std::borrow::Borrow<tree_sitter::Node<'t>>,
    field: &str,
) -> Option<tree_sitter::Node<'t>> {
    imds_lint_parser::syntax::field_child(imds_lint_parser::Lang::Shell, *node.borrow(), field)
}

/// Whether the text between offsets `end` and `start` is a backslash and a
/// line break only: one word the grammar cut in two.
fn continues_line(text: &str, end: usize, start: usize) -> bool {
    matches!(text.get(end..start), Some("\\\n" | "\\\r\n"))
}
