//! The argv model: a command as a list of words, whatever language wrote
//! it. The shell analyser builds words from shell syntax; the Python and
//! Scala analysers build them from list-form commands
//! (`subprocess.run(["curl", "-s", url])`, `Seq("curl", url).!!`).
//!
//! [`request_from_argv`] looks through wrappers (`sudo`, `timeout 5`,
//! `env A=1`...), recognises the client (curl, wget, httpie, ec2metadata),
//! reads its options and returns the request it makes.
//!
//! ```
//! use imds_lint_rules::shell::argv::{request_from_argv, CommandRequest, Word};
//! use imds_lint_rules::Text;
//!
//! let words = vec![
//!     Word::new(Text::lit("curl"), 1..7),
//!     Word::new(Text::lit("-s"), 9..13),
//!     Word::new(Text::lit("http://169.254.169.254/latest/meta-data/"), 15..58),
//! ];
//! let Some(CommandRequest::Http(http)) = request_from_argv(&words, 0..59) else {
//!     panic!("curl makes a request");
//! };
//! assert_eq!(http.request.client, "curl");
//! assert_eq!(http.url, 2);
//! assert!(CommandRequest::Http(http).finding(0).is_some());
//! ```

use std::ops::Range;

use super::options::{scan, Arg, OptionValue, Spec, TokenOption, UnshownRoute};
use super::{curl, httpie, wget, wrapper};
use crate::finding::{Finding, Rule};
use crate::request::{Headers, Method, Request};
use crate::rules::{self, imd003_imdsv1_only_client};
use crate::text::Text;

/// One argument of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// Its value, as far as it is known.
    pub text: Text,
    /// Where it is written, in cell coordinates (for list-form commands:
    /// the list element's range).
    pub range: Range<usize>,
    /// Whether it may stand for any number of arguments, options
    /// included: an unquoted shell expansion whose value is not known
    /// (`curl $OPTS url`), or `*args` in a list. A spread word whose value
    /// starts with an unknown part may hide a token header, so a command
    /// with one is not reported as missing the header.
    pub spread: bool,
    /// Whether its text is written out in the code as it is: no variable,
    /// substitution or host value is part of it. A value that is empty
    /// only here is surely empty (`-H "Name:"`); a variable's may not be
    /// when the command runs.
    pub verbatim: bool,
}

impl Word {
    /// A word that is exactly one argument, not known to be written out
    /// as it is.
    pub fn new(text: Text, range: Range<usize>) -> Self {
        Word {
            text,
            range,
            spread: false,
            verbatim: false,
        }
    }

    /// A word that may stand for any number of arguments (see [`Word::spread`]).
    pub fn spread(text: Text, range: Range<usize>) -> Self {
        Word {
            text,
            range,
            spread: true,
            verbatim: false,
        }
    }
}

/// A program that talks to the metadata service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Client {
    /// `curl`.
    Curl,
    /// GNU `wget` (and busybox's).
    Wget,
    /// httpie's `http` and `https`, and `xh`/`xhs`, which read the same.
    Httpie,
    /// `ec2metadata` from cloud-guest-utils: IMDSv1 only.
    Ec2Metadata,
}

impl Client {
    /// The client a program name runs (`curl`, `http`...), if any.
    pub fn from_program(name: &str) -> Option<Client> {
        match name {
            "curl" => Some(Client::Curl),
            "wget" => Some(Client::Wget),
            "http" | "https" | "xh" | "xhs" => Some(Client::Httpie),
            "ec2metadata" => Some(Client::Ec2Metadata),
            _ => None,
        }
    }
}

/// Where and how often a command runs, as its wrappers make it: what a
/// token fetched before it is worth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Runs {
    /// Here, once: a token fetched before it serves it.
    #[default]
    Here,
    /// Here, again and again (`watch`): a token fetched once before it
    /// expires while it still runs.
    Repeatedly,
    /// On another machine or in a container (`ssh`, `docker exec`,
    /// `kubectl exec`): a token fetched here is of no use there, or may
    /// not be fetched from there at all.
    Elsewhere,
}

impl Runs {
    /// Why a request sent without a token that runs this way gets no fix,
    /// and what to do by hand (`None` for [`Runs::Here`]).
    pub fn why(self) -> Option<&'static str> {
        match self {
            Runs::Here => None,
            Runs::Repeatedly => Some(
                "the command runs again and again, and a token fetched once before it \
                 expires; fetch the token in the command itself, for example `watch -n 5 \
                 'T=$(curl -s -X PUT .../latest/api/token -H \"X-aws-ec2-metadata-token-ttl-\
                 seconds: 300\"); curl -H \"X-aws-ec2-metadata-token: $T\" ...'`",
            ),
            Runs::Elsewhere => Some(
                "the request runs on another machine or in a container, where a token \
                 fetched here is of no use; fetch the token there, in the same remote command, \
                 with `PUT /latest/api/token`, and send it in the `X-aws-ec2-metadata-token` \
                 header",
            ),
        }
    }

    /// [`Runs::why`], as a finding's help.
    pub fn help(self) -> Option<String> {
        self.why().map(|why| format!("no automatic fix: {why}"))
    }
}

/// An HTTP request made by curl, wget or httpie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpCommand {
    /// The request, ready for [`rules::judge`]; its range is the one given
    /// to [`request_from_argv`].
    pub request: Request,
    /// The client.
    pub client: Client,
    /// Index in the words of the word the request's options start after:
    /// the client's name (after any wrappers), or for a request after
    /// curl's `--next`, that `--next`. A fix inserts curl's and wget's
    /// header option right after it.
    pub program: usize,
    /// Index of the word that holds the URL judged (httpie's header item
    /// goes right after it). For curl's `--url U` it is `U`'s word.
    pub url: usize,
    /// How many URLs the command requests (curl takes several, each with
    /// the same method and headers).
    pub urls: usize,
    /// The command's other requests that break another rule than `request`
    /// (a token URL fetched with GET next to a metadata URL): each is a
    /// finding of its own.
    pub others: Vec<Request>,
    /// The requests of the same command that curl's `--next` separates
    /// from this one and that break a rule: each with its own options,
    /// and written from its `--next` to the end of the command.
    pub separate: Vec<HttpCommand>,
    /// Where and how often the request runs, as wrappers make it: a fix
    /// that fetches a token before the command is made only for
    /// [`Runs::Here`].
    pub runs: Runs,
}

/// What a command does that the rules care about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandRequest {
    /// An HTTP request.
    Http(HttpCommand),
    /// A client that can only speak IMDSv1 (IMD003), such as `ec2metadata`.
    Imdsv1Only {
        /// The client's name as written.
        client: String,
        /// Index in the words of the client's name.
        program: usize,
        /// The command's range, as given to [`request_from_argv`].
        range: Range<usize>,
    },
}

impl CommandRequest {
    /// The range of the command.
    pub fn range(&self) -> Range<usize> {
        match self {
            CommandRequest::Http(http) => http.request.range.clone(),
            CommandRequest::Imdsv1Only { range, .. } => range.clone(),
        }
    }

    /// The finding this command earns in cell `cell`, judged by the rules;
    /// `None` when it is fine or does not reach the metadata service. The
    /// finding has no fix: the analyser that knows the syntax adds one.
    pub fn finding(&self, cell: usize) -> Option<Finding> {
        match self {
            CommandRequest::Http(http) => {
                let judgement = rules::judge(&http.request)?;
                let mut finding = Finding::new(
                    judgement.rule,
                    cell,
                    http.request.range.clone(),
                    judgement.message,
                );
                finding.note = judgement.note;
                if judgement.rule == Rule::MetadataRequestWithoutToken {
                    finding.help = http.runs.help();
                }
                Some(finding)
            }
            CommandRequest::Imdsv1Only { client, range, .. } => {
                Some(imd003_imdsv1_only_client::finding(
                    cell,
                    range.clone(),
                    client,
                    "`ec2-metadata` (amazon-ec2-utils) or curl with an IMDSv2 token",
                ))
            }
        }
    }
}

/// What a client's option reader makes of its arguments.
#[derive(Debug)]
pub(super) struct Parsed {
    /// The method.
    pub method: Method,
    /// The headers.
    pub headers: Headers,
    /// The URLs, each with the index of the word it is in.
    pub urls: Vec<(Text, usize)>,
    /// Whether a spread word of unknown value may hold any options.
    pub opaque: bool,
    /// Whether the method is named (`-X`, `--method`, httpie's method word).
    pub method_explicit: bool,
    /// Index of the word that ends this request and starts another
    /// (curl's `--next`).
    pub next: Option<usize>,
}

impl Default for Parsed {
    fn default() -> Self {
        Parsed {
            method: Method::Get,
            headers: Headers::none(),
            urls: Vec::new(),
            opaque: false,
            method_explicit: false,
            next: None,
        }
    }
}

/// The request the command `words` makes, written at `range`.
///
/// `words[0]` is the command name; wrappers (`sudo`, `timeout N`,
/// `env A=1`, `nohup`, `nice`, `command`, `exec`, `time`, `xargs`,
/// `stdbuf`, `setsid`, `busybox`, `runuser -u`, `flock`, `ionice`,
/// `taskset`, `chrt`, `setpriv`, `chroot`, `watch`, `ssh`, `docker exec`,
/// `kubectl exec`...) are looked through; [`HttpCommand::runs`] tells
/// where and how often the request then runs. Returns `None` when
/// the command is no client the rules know, or makes no request
/// (`curl --help`). When curl is given several URLs, the first sent
/// without a token is the one returned, else the first the rules report,
/// else the first on the metadata service, else the first. The requests
/// curl's `--next` separates are chosen from alike, and those that break a
/// rule after the one returned are in its [`HttpCommand::separate`].
pub fn request_from_argv(words: &[Word], range: Range<usize>) -> Option<CommandRequest> {
    let target = wrapper::look_through(words, 0).filter(|t| !t.code)?;
    let program = target.at;
    let name = wrapper::program_name(&words[program])?;
    let client = Client::from_program(name)?;
    if client == Client::Ec2Metadata {
        return Some(CommandRequest::Imdsv1Only {
            client: name.to_owned(),
            program,
            range,
        });
    }

    // One request per `--next`, each written from its first word on.
    let mut requests = Vec::new();
    let mut start = Some(program);
    while let Some(at) = start {
        let parsed = match client {
            Client::Curl => curl::parse(words, at)?,
            Client::Wget => wget::parse(words, program)?,
            Client::Httpie => httpie::parse(words, program)?,
            Client::Ec2Metadata => return None,
        };
        start = parsed.next;
        let written = if at == program {
            range.clone()
        } else {
            words[at].range.start.clamp(range.start, range.end)..range.end
        };
        let candidates = candidates(client, name, at, parsed, &written);
        requests.extend(pick(candidates));
    }

    // The request returned stands for the whole command; the requests
    // before it break no rule.
    let chosen = choose(requests.iter().map(|r| &r.request));
    let mut http = requests.remove(chosen?);
    http.request.range = range;
    http.runs = target.runs;
    http.separate = requests
        .into_iter()
        .filter(|r| rules::judge(&r.request).is_some())
        .map(|r| HttpCommand {
            runs: target.runs,
            ..r
        })
        .collect();
    Some(CommandRequest::Http(http))
}

/// One request per URL of what `parsed` read after word `program`,
/// written at `range`.
fn candidates(
    client: Client,
    name: &str,
    program: usize,
    parsed: Parsed,
    range: &Range<usize>,
) -> Vec<HttpCommand> {
    let mut headers = parsed.headers;
    headers.open |= parsed.opaque;
    let urls = parsed.urls.len();
    parsed
        .urls
        .into_iter()
        .map(|(url, word)| HttpCommand {
            request: Request {
                client: name.to_owned(),
                method: parsed.method.clone(),
                url: with_default_scheme(client, name, url),
                headers: headers.clone(),
                range: range.clone(),
            },
            client,
            program,
            url: word,
            urls,
            others: Vec::new(),
            separate: Vec::new(),
            runs: Runs::Here,
        })
        .collect()
}

/// The request to report of the URLs of one request, with the others
/// that break another rule in its [`HttpCommand::others`].
fn pick(candidates: Vec<HttpCommand>) -> Option<HttpCommand> {
    let chosen = choose(candidates.iter().map(|c| &c.request))?;
    let rule = |request: &Request| rules::judge(request).map(|j| j.rule);
    let chosen_rule = rule(&candidates[chosen].request);
    let others: Vec<Request> = candidates
        .iter()
        .enumerate()
        .filter(|&(i, c)| i != chosen && rule(&c.request).is_some_and(|r| Some(r) != chosen_rule))
        .map(|(_, c)| c.request.clone())
        .collect();
    let mut http = candidates.into_iter().nth(chosen)?;
    http.others = others;
    Some(http)
}

/// Which of `requests` matters most: the first sent without a token (it
/// breaks under enforcement), else the first the rules report, else the
/// first to the metadata service, else the first; `None` when there is
/// none.
fn choose<'r>(requests: impl Iterator<Item = &'r Request>) -> Option<usize> {
    let requests: Vec<&Request> = requests.collect();
    let judged: Vec<Option<Rule>> = requests
        .iter()
        .map(|r| rules::judge(r).map(|j| j.rule))
        .collect();
    judged
        .iter()
        .position(|rule| *rule == Some(Rule::MetadataRequestWithoutToken))
        .or_else(|| judged.iter().position(Option::is_some))
        .or_else(|| {
            requests
                .iter()
                .position(|r| crate::endpoint::classify(&r.url).is_some())
        })
        .or((!requests.is_empty()).then_some(0))
}

/// httpie reads `:/path` and `:8080/path` as localhost; nothing else
/// changes where a URL goes.
fn with_default_scheme(client: Client, name: &str, url: Text) -> Text {
    if client == Client::Httpie && url.known_prefix().starts_with(':') {
        let scheme = if name.ends_with('s') {
            "https://"
        } else {
            "http://"
        };
        return Text::lit(format!("{scheme}localhost")).concat(&url);
    }
    url
}

/// The index of the word holding shell code that `words` runs: the
/// operand after `-c` of `sh`, `bash`, `dash`, `zsh`, `ksh` or `ash`
/// (clustered too: `bash -lc CODE`), the single argument of `eval`, the
/// `-c` value of `su` and `runuser`, `flock FILE -c CODE`, or the one
/// word a wrapper has a shell read (`watch 'CODE'`); wrappers are looked
/// through. Analysers parse that word as a nested shell cell.
/// Code written in the option's own word (`su --command=CODE`) is left
/// out: the word is not the code.
pub fn shell_code(words: &[Word]) -> Option<usize> {
    shell_code_run(words)
        .filter(|code| !code.in_option)
        .map(|code| code.at)
}

/// A word of a command that holds shell code the command runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct ShellCode {
    /// Index of the word.
    pub at: usize,
    /// Where and how often the code runs.
    pub runs: Runs,
    /// Whether the word is an option with the code after it
    /// (`--command='CODE'`, `-c'CODE'`).
    pub in_option: bool,
}

/// [`shell_code`], with where and how often the code runs, and code in
/// an option's own word too.
pub(super) fn shell_code_run(words: &[Word]) -> Option<ShellCode> {
    let target = wrapper::look_through(words, 0)?;
    let code = |at: usize, in_option: bool| ShellCode {
        at,
        runs: target.runs,
        in_option,
    };
    if target.code {
        return Some(code(target.at, false));
    }
    // A shell's `-c CODE` among words a wrapper joins is split up again.
    if target.joined {
        return None;
    }
    let program = target.at;
    let name = wrapper::program_name(&words[program])?;
    match name {
        "eval" => (words.len() == program + 2).then(|| code(program + 1, false)),
        "su" | "runuser" => su_code(words, program).map(|(at, in_option)| code(at, in_option)),
        _ if is_shell(name) => shell_command_string(words, program).map(|at| code(at, false)),
        _ => None,
    }
}

/// The word holding the code of `-c` (`--command`, `--session-command`) of
/// `su [options] [-] [USER [ARGS]]`, which util-linux reads anywhere among
/// its arguments (`su ubuntu -c CODE`), and whether it is the option's own
/// word (`--command=CODE`).
fn su_code(words: &[Word], program: usize) -> Option<(usize, bool)> {
    const SU: Spec = Spec {
        short_valued: "cgGsw",
        short_lettered: "",
        long_valued: &[
            "command",
            "session-command",
            "group",
            "supp-group",
            "shell",
            "whitelist-environment",
            "user",
        ],
        long_prefix: "",
        stop_at_operand: false,
    };
    scan(words, program + 1, &SU)
        .into_iter()
        .filter_map(|arg| match arg {
            Arg::Option {
                name,
                value_word: Some(value),
                word,
                ..
            } if matches!(name.as_str(), "-c" | "--command" | "--session-command") => {
                Some((value, value == word))
            }
            _ => None,
        })
        .next_back()
}

/// The operand after `-c` of the shell at `words[program]`.
fn shell_command_string(words: &[Word], program: usize) -> Option<usize> {
    let mut command_string = false;
    let mut i = program + 1;
    while let Some(word) = words.get(i) {
        // The code itself may be built from values; options are not.
        let Some(text) = word.text.as_literal() else {
            break;
        };
        if text == "--" {
            i += 1;
            break;
        }
        let is_option = (text.starts_with('-') || text.starts_with('+')) && text.len() > 1;
        if !is_option {
            break;
        }
        if text.starts_with("--") {
            // `--rcfile FILE` and `--init-file FILE` take a value.
            i += usize::from(matches!(text, "--rcfile" | "--init-file"));
        } else {
            command_string |= text.starts_with('-') && text.contains('c');
            // `-o opt` and `-O shopt` take a value.
            i += usize::from(text.ends_with('o') || text.ends_with('O'));
        }
        i += 1;
    }
    (command_string && i < words.len()).then_some(i)
}

/// Whether `words` runs a shell that reads its script from standard input
/// (`bash`, `sudo sh -s`, `bash -x`), so a heredoc or here-string fed to
/// it is shell code.
pub fn reads_script_from_stdin(words: &[Word]) -> bool {
    let Some(program) = wrapper::unwrap(words, 0) else {
        return false;
    };
    if !wrapper::program_name(&words[program]).is_some_and(is_shell) {
        return false;
    }
    let mut reads_stdin = true;
    for word in &words[program + 1..] {
        let Some(text) = word.text.as_literal() else {
            return false;
        };
        if text.starts_with('-') && text.len() > 1 && !text.starts_with("--") {
            if text.contains('s') {
                return true;
            }
            reads_stdin &= !text.contains('c');
        } else if !text.starts_with('-') {
            // A script file operand.
            return false;
        }
    }
    reads_stdin
}

/// The time limits of the request `http` read from `words`, as the token
/// request writes them (see [`curl::time_limits`]).
pub(super) fn time_limits(words: &[Word], http: &HttpCommand) -> Vec<TokenOption> {
    match http.client {
        Client::Curl => curl::time_limits(words, http.program),
        Client::Wget => wget::time_limits(words, http.program),
        Client::Httpie => httpie::time_limits(words, http.program),
        Client::Ec2Metadata => Vec::new(),
    }
}

/// The options of the request `http` read from `words` that its token
/// request takes too: time limits, retries, proxy choice (see
/// [`curl::token_options`]); an error when one that decides where the
/// request goes is not shown by the code.
pub(crate) fn token_options(
    words: &[Word],
    http: &HttpCommand,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    let options = token_options_as_written(words, http)?;
    match options
        .iter()
        .find(|o| o.value == Some(OptionValue::Unshown))
    {
        Some(unshown) => Err(UnshownRoute {
            option: unshown.name,
        }),
        None => Ok(options),
    }
}

/// [`token_options`], with route values from words that are not written
/// out as they are (`--proxy "$P"`) marked with their word
/// ([`TokenOption::from_word`]), known or not: shell code can write them
/// as the request does.
pub(super) fn token_options_as_written(
    words: &[Word],
    http: &HttpCommand,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    match http.client {
        Client::Curl => curl::token_options(words, http.program),
        Client::Wget => wget::token_options(words, http.program),
        Client::Httpie => httpie::token_options(words, http.program),
        Client::Ec2Metadata => Ok(Vec::new()),
    }
}

/// The request's time limit in seconds as written, from its options: the
/// whole request's (`--max-time`, wget's and httpie's `--timeout`) rather
/// than the connection's (`--connect-timeout`) when both are given. For a
/// token request written in another language.
pub(crate) fn time_limit_seconds(words: &[Word], http: &HttpCommand) -> Option<String> {
    let limits = time_limits(words, http);
    let seconds = |limit: &TokenOption| match &limit.value {
        Some(OptionValue::Shown(seconds)) => Some(seconds.clone()),
        _ => None,
    };
    let whole = limits.iter().filter(|l| !l.name.contains("connect"));
    whole.chain(&limits).find_map(seconds)
}

/// Whether the request `http` read from `words` names its method
/// (`-X GET`, `--method=POST`, httpie's `GET`), rather than getting it
/// from other options or the client's default.
pub(super) fn names_method(words: &[Word], http: &HttpCommand) -> bool {
    let parsed = match http.client {
        Client::Curl => curl::parse(words, http.program),
        Client::Wget => wget::parse(words, http.program),
        Client::Httpie => httpie::parse(words, http.program),
        Client::Ec2Metadata => None,
    };
    parsed.is_some_and(|p| p.method_explicit)
}

/// Whether the request `http` read from `words` sends the token header
/// with an empty value (curl's `-H "X-aws-ec2-metadata-token;"`), which a
/// header added beside it would not replace.
pub(super) fn sends_empty_token(words: &[Word], http: &HttpCommand) -> bool {
    http.client == Client::Curl && curl::sends_empty_token(words, http.program)
}

/// Python code the command runs: the index of the code word of
/// `python3 -c CODE` (options before it, as Python reads them).
pub fn python_code(words: &[Word]) -> Option<usize> {
    match python_script(words)? {
        PythonScript::Code(at) => Some(at),
        PythonScript::Stdin | PythonScript::Other => None,
    }
}

/// Whether the command is a Python reading its script from standard input
/// (`python3`, `python3 -`, with options): a heredoc fed to it is Python.
pub fn python_reads_stdin(words: &[Word]) -> bool {
    python_script(words) == Some(PythonScript::Stdin)
}

/// Where a Python command takes its script from.
#[derive(Debug, PartialEq, Eq)]
enum PythonScript {
    /// The word at this index (`-c CODE`).
    Code(usize),
    /// Standard input (no script operand, or `-`).
    Stdin,
    /// A file or a module (`-m`), or options this reader does not know.
    Other,
}

fn python_script(words: &[Word]) -> Option<PythonScript> {
    let program = wrapper::unwrap(words, 0)?;
    if !wrapper::program_name(&words[program]).is_some_and(is_python) {
        return None;
    }
    let mut i = program + 1;
    while let Some(word) = words.get(i) {
        let Some(text) = word.text.as_literal() else {
            return Some(PythonScript::Other);
        };
        match text {
            "-" => return Some(PythonScript::Stdin),
            "--" => {
                i += 1;
                break;
            }
            // `--version`, `--help`: no script runs.
            _ if text.starts_with("--") => return Some(PythonScript::Other),
            _ if text.starts_with('-') && text.len() > 1 => {
                // A cluster of flags; `c`, `m`, `W` and `X` take the rest
                // of it, or the next word, as their value.
                let flags = &text[1..];
                if let Some(at) = flags.find(['c', 'm', 'W', 'X']) {
                    let attached = at + 1 < flags.len();
                    match flags.as_bytes()[at] {
                        // `-cCODE`: code in the same word is not followed.
                        b'c' if attached => return Some(PythonScript::Other),
                        // Without a word after it Python refuses to run.
                        b'c' if i + 1 < words.len() => return Some(PythonScript::Code(i + 1)),
                        b'c' | b'm' => return Some(PythonScript::Other),
                        _ => i += usize::from(!attached),
                    }
                }
                i += 1;
            }
            _ => return Some(PythonScript::Other),
        }
    }
    // No operand after the options (or after `--`): the script is read
    // from standard input, unless `--` is followed by a file.
    Some(match words.get(i) {
        None => PythonScript::Stdin,
        Some(word) if word.text.as_literal() == Some("-") => PythonScript::Stdin,
        Some(_) => PythonScript::Other,
    })
}

/// `python`, `python3`, `python3.11`, `python2.7`: the names a Python
/// interpreter goes by (Databricks runs `/databricks/python3/bin/python`).
fn is_python(name: &str) -> bool {
    name.strip_prefix("python")
        .is_some_and(|version| version.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
}

/// Whether a file at `path` is a shell script by its name (`.sh`, `.bash`).
pub fn named_as_shell_script(path: &str) -> bool {
    std::path::Path::new(path)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("sh") || e.eq_ignore_ascii_case("bash"))
}

/// Whether a `#!` line (what follows the `#!`) runs a shell:
/// `/bin/bash`, `/usr/bin/env bash`, `/bin/sh -e`.
pub fn shebang_names_a_shell(line: &str) -> bool {
    let mut words = line.split_whitespace();
    let mut program = words.next().and_then(|p| p.rsplit('/').next());
    if program == Some("env") {
        program = words.find(|w| !w.starts_with('-') && !w.contains('='));
    }
    program.is_some_and(is_shell)
}

fn is_shell(name: &str) -> bool {
    matches!(
        name,
        "sh" | "bash" | "dash" | "zsh" | "ksh" | "ash" | "mksh"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MD: &str = "http://169.254.169.254/latest/meta-data/instance-id";

    /// Words as a list-form command would give them, each at its index.
    fn words(args: &[&str]) -> Vec<Word> {
        args.iter()
            .enumerate()
            .map(|(i, a)| Word::new(Text::lit(*a), i * 10..i * 10 + a.len()))
            .collect()
    }

    fn http(args: &[&str]) -> HttpCommand {
        match request_from_argv(&words(args), 0..100) {
            Some(CommandRequest::Http(http)) => http,
            other => panic!("no HTTP request in {args:?}: {other:?}"),
        }
    }

    fn rule(args: &[&str]) -> Option<Rule> {
        request_from_argv(&words(args), 0..100)?
            .finding(0)
            .map(|f| f.rule)
    }

    #[test]
    fn list_form_curl_is_a_request() {
        let http = http(&["curl", "-s", MD]);
        assert_eq!(http.client, Client::Curl);
        assert_eq!((http.program, http.url), (0, 2));
        assert_eq!(http.request.method, Method::Get);
        assert_eq!(http.request.url.as_literal(), Some(MD));
        assert_eq!(http.request.range, 0..100);
        assert_eq!(
            rule(&["curl", "-s", MD]),
            Some(Rule::MetadataRequestWithoutToken)
        );
    }

    #[test]
    fn wrappers_are_looked_through() {
        let http = http(&["sudo", "-u", "root", "timeout", "5", "wget", "-qO-", MD]);
        assert_eq!((http.client, http.program, http.url), (Client::Wget, 5, 7));
    }

    #[test]
    fn token_header_and_token_request() {
        let token = "X-aws-ec2-metadata-token: abc";
        assert_eq!(rule(&["curl", "-H", token, MD]), None);
        let ttl = "X-aws-ec2-metadata-token-ttl-seconds: 21600";
        let put = [
            "curl",
            "-X",
            "PUT",
            "http://169.254.169.254/latest/api/token",
            "-H",
            ttl,
        ];
        assert_eq!(rule(&put), None);
        let get = ["curl", "http://169.254.169.254/latest/api/token", "-H", ttl];
        assert_eq!(rule(&get), Some(Rule::MalformedTokenRequest));
    }

    #[test]
    fn spread_words_of_unknown_value_may_hold_the_header() {
        let mut w = words(&["curl", MD]);
        w.insert(1, Word::spread(Text::unknown(), 5..9));
        let request = request_from_argv(&w, 0..100);
        assert!(request.is_some_and(|r| r.finding(0).is_none()));
        // A spread word that starts with a known URL is that URL.
        let mut url = Text::lit("http://169.254.169.254/latest/meta-data/");
        url.push_unknown();
        let w = vec![Word::new(Text::lit("curl"), 0..4), Word::spread(url, 5..9)];
        let request = request_from_argv(&w, 0..100);
        assert!(request.is_some_and(|r| r.finding(0).is_some()));
    }

    #[test]
    fn the_reported_url_of_several() {
        let first = http(&["curl", "http://example.com/", MD]);
        assert_eq!(first.url, 2);
        let neither = http(&["curl", "http://example.com/", "http://example.org/"]);
        assert_eq!(neither.url, 1);
    }

    #[test]
    fn ec2metadata_speaks_only_imdsv1() {
        let request = request_from_argv(&words(&["sudo", "ec2metadata", "--instance-id"]), 3..40);
        let Some(CommandRequest::Imdsv1Only {
            client,
            program,
            range,
        }) = request
        else {
            panic!("not IMD003");
        };
        assert_eq!((client.as_str(), program, range), ("ec2metadata", 1, 3..40));
        assert_eq!(rule(&["ec2metadata"]), Some(Rule::Imdsv1OnlyClient));
        assert_eq!(
            request_from_argv(&words(&["ec2-metadata", "-i"]), 0..1),
            None
        );
    }

    #[test]
    fn other_commands_are_no_requests() {
        for args in [
            &["echo", MD][..],
            &["ping", "169.254.169.254"],
            &["curl", "--help"],
            &["command", "-v", "curl"],
            &[],
        ] {
            assert_eq!(request_from_argv(&words(args), 0..1), None, "{args:?}");
        }
    }

    #[test]
    fn python_script_sources() {
        for (args, code) in [
            (&["python3", "-c", "x"][..], Some(2)),
            (&["python", "-u", "-c", "x"], Some(3)),
            (&["python3.11", "-uc", "x"], Some(2)),
            (&["python3", "-W", "ignore", "-c", "x"], Some(4)),
            (
                &[
                    "sudo",
                    "-u",
                    "x",
                    "/databricks/python3/bin/python",
                    "-c",
                    "x",
                ],
                Some(5),
            ),
            (&["python3", "-cx"], None),
            // Found by fuzzing: `-c` as the last word (Python refuses it).
            (&["python3", "-c"], None),
            (&["python3", "-u", "-c"], None),
            (&["python3", "-m", "mod"], None),
            (&["python3", "script.py", "-c", "x"], None),
            (&["pythonic", "-c", "x"], None),
            (&["bash", "-c", "x"], None),
        ] {
            assert_eq!(python_code(&words(args)), code, "{args:?}");
        }
        for (args, stdin) in [
            (&["python3"][..], true),
            (&["python3", "-"], true),
            (&["python3", "-u", "-", "arg"], true),
            (&["python3", "-X", "utf8"], true),
            (&["python3", "--", "-"], true),
            (&["python3", "script.py"], false),
            (&["python3", "-c", "x"], false),
            (&["python3", "-m", "pip"], false),
            (&["python3", "--version"], false),
            (&["sh"], false),
        ] {
            assert_eq!(python_reads_stdin(&words(args)), stdin, "{args:?}");
        }
    }

    #[test]
    fn shell_code_arguments() {
        assert_eq!(shell_code(&words(&["bash", "-c", "curl x"])), Some(2));
        assert_eq!(
            shell_code(&words(&["sudo", "sh", "-ec", "curl x"])),
            Some(3)
        );
        assert_eq!(
            shell_code(&words(&["bash", "-o", "pipefail", "-c", "x"])),
            Some(4)
        );
        assert_eq!(shell_code(&words(&["eval", "curl x"])), Some(1));
        let mut built = words(&["sh", "-c"]);
        built.push(Word::new(Text::lit("curl ").concat(&Text::unknown()), 5..9));
        assert_eq!(shell_code(&built), Some(2));
        assert_eq!(shell_code(&words(&["bash", "script.sh"])), None);
        assert_eq!(shell_code(&words(&["python", "-c", "x"])), None);
    }

    #[test]
    fn shells_reading_stdin() {
        assert!(reads_script_from_stdin(&words(&["bash"])));
        assert!(reads_script_from_stdin(&words(&[
            "sudo", "bash", "-s", "--", "x"
        ])));
        assert!(reads_script_from_stdin(&words(&["sh", "-x"])));
        assert!(!reads_script_from_stdin(&words(&["bash", "run.sh"])));
        assert!(!reads_script_from_stdin(&words(&["bash", "-c", "x"])));
        assert!(!reads_script_from_stdin(&words(&["cat"])));
    }
}
