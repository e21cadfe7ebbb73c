//! What a `sys.process` command does, through the shell analyser's argv
//! model: an HTTP request (curl, wget, httpie), an IMDSv1-only client
//! (IMD003), or shell code run by `bash -c`, read as a nested shell cell.

use imds_lint_parser::strings::{self, Decoded};

use super::clients::{Found, ProcessSlot, Site, StringEdit};
use super::process::Origin;
use super::walk::ProcessRun;
use crate::finding::Finding;
use crate::shell::argv::{self, Client, CommandRequest, HttpCommand, Word};
use crate::shell::options::OptionValue;

/// The client name in messages: the program, run through `sys.process`.
pub fn client_name(program: &str) -> String {
    format!("{program} via sys.process")
}

/// What one command run does that the rules care about.
#[derive(Debug)]
pub enum Read {
    /// An HTTP request, judged with the others of the cell.
    Request(Found),
    /// A finding made already (IMD003).
    Finding(Finding),
    /// Shell code in a string literal, for a nested shell cell.
    Shell(Decoded),
    /// Nothing the rules care about, or shell code whose text is not one
    /// literal.
    Nothing,
}

/// Reads one command run in cell `cell` of `code`.
pub fn read(run: &ProcessRun, code: &str, cell: usize) -> Read {
    let words = &run.command.words;
    if let Some(script) = argv::shell_code(words) {
        // Shell code built from values (not one literal) is not read.
        let range = words[script].range.clone();
        if run.command.origins.get(script) != Some(&Origin::Element) {
            return Read::Nothing;
        }
        return match strings::scala_literal(&code[range.clone()]) {
            Some(decoded) => Read::Shell(decoded.shifted(range.start)),
            None => Read::Nothing,
        };
    }

    match argv::request_from_argv(words, run.range.clone()) {
        Some(CommandRequest::Http(http)) => {
            let proxied = through_a_proxy(words, &http);
            let mut request = http.request;
            request.client = client_name(&request.client);
            let at = if http.client == Client::Httpie {
                http.url
            } else {
                http.program
            };
            Read::Request(Found {
                request,
                site: Site::Process {
                    // A token fetched here does not serve a command that
                    // runs elsewhere or again and again.
                    slot: match (http.runs.why(), proxied) {
                        (Some(why), _) => Err(why.to_owned()),
                        (None, Some(option)) => Err(format!(
                            "the command goes through a proxy (`{option}`) and a token fetched \
                             with `java.net.URL` would not: fetch the token with the same command, \
                             through the same proxy"
                        )),
                        (None, None) => slot(run, code, at, http.client),
                    },
                },
                token: run.token.clone(),
                method_at: None,
            })
        }
        Some(command @ CommandRequest::Imdsv1Only { .. }) => match command.finding(cell) {
            Some(finding) => Read::Finding(finding),
            None => Read::Nothing,
        },
        None => Read::Nothing,
    }
}

/// The option that sends the request `http` through a proxy, if one may
/// (a proxy value the code does not show counts): the fix's token fetch,
/// made with `java.net.URL`, goes straight to the service. Options that
/// turn proxies off (`--noproxy`, `--no-proxy`, `-e use_proxy=off`) send
/// it straight too.
fn through_a_proxy(words: &[Word], http: &HttpCommand) -> Option<String> {
    let options = match argv::token_options(words, http) {
        Ok(options) => options,
        Err(route) => return Some(route.option.to_owned()),
    };
    options
        .into_iter()
        .filter(|option| option.route)
        .find(|option| {
            let value = match &option.value {
                Some(OptionValue::Shown(value)) => value.to_ascii_lowercase(),
                _ => String::new(),
            };
            let off = matches!(option.name, "--noproxy" | "--no-proxy")
                || value.contains("use_proxy=no")
                || value.contains("use_proxy=off");
            !off
        })
        .map(|option| option.name.to_owned())
}

/// Where a header option can be written after word `at`.
fn slot(run: &ProcessRun, code: &str, at: usize, client: Client) -> Result<ProcessSlot, String> {
    let word = &run.command.words[at];
    match &run.command.origins[at] {
        Origin::Element => Ok(ProcessSlot {
            at: word.range.end,
            client,
            string: None,
        }),
        Origin::Literal { literal } => {
            if word.text.as_literal() != Some(&code[word.range.clone()]) {
                return Err("the command word is written with escapes or interpolation".to_owned());
            }
            Ok(ProcessSlot {
                at: word.range.end,
                client,
                string: Some(string_edit(&code[literal.clone()], literal.start)?),
            })
        }
        Origin::Value => Err("the command is built in a value written elsewhere".to_owned()),
    }
}

/// How a literal becomes an `s` interpolated string that can take the
/// token: `None` changes when it is one already.
fn string_edit(literal: &str, start: usize) -> Result<StringEdit, String> {
    if literal.starts_with("s\"") || literal.starts_with("f\"") || literal.starts_with("raw\"") {
        return Ok(StringEdit {
            interpolator_at: None,
            dollars: Vec::new(),
        });
    }
    let triple = literal.starts_with("\"\"\"");
    let quote = if triple { 3 } else { 1 };
    let body = &literal[quote..literal.len().saturating_sub(quote).max(quote)];
    if triple && body.contains('\\') {
        return Err("an `s` interpolator would decode the backslashes of this string".to_owned());
    }
    if !triple && body.contains("\\\"") {
        return Err(
            "Scala 2.11 and 2.12 do not accept `\\\"` in an interpolated string".to_owned(),
        );
    }
    let dollars = body
        .match_indices('$')
        .map(|(i, _)| start + quote + i)
        .collect();
    Ok(StringEdit {
        interpolator_at: Some(start),
        dollars,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_become_interpolated() {
        let edit = string_edit(r#""curl $x""#, 10).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edit.interpolator_at, Some(10));
        assert_eq!(edit.dollars, [16]);
        let edit = string_edit(r#"s"curl $x""#, 0).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(edit.interpolator_at, None);
    }

    #[test]
    fn strings_an_interpolator_would_change_are_left() {
        assert!(string_edit(r#""curl -H \"a\" u""#, 0).is_err());
        assert!(string_edit(r#""""curl \n""""#, 0).is_err());
        assert!(string_edit(r#""curl \t u""#, 0).is_ok());
    }
}
