//! Commands Python gives as a list (`["curl", "-s", url]`) or as a string
//! built at run time (`"curl -s " + url`): turned into words and judged by
//! the shell analyser's argv model. Such findings point at the Python call
//! and carry no fix.

use std::ops::Range;

use tree_sitter::Node;

use crate::endpoint;
use crate::request::TOKEN_HEADER;
use crate::shell::argv::{
    request_from_argv, shell_code, time_limit_seconds, token_options, Client, CommandRequest, Runs,
    Word,
};
use crate::shell::options::TokenOption;
use crate::text::{Piece, Text};

use super::clients::{ArgvHeader, HeaderSlot};
use super::kind_of;
use super::value::Value;
use super::walk::CellWalk;
use super::Site;

/// How a command's words are written.
#[derive(Debug, Clone, Copy)]
enum Written {
    /// A list literal in `frame`, one item per word: a fix can add items.
    List {
        /// The frame the list is in.
        frame: Option<usize>,
    },
    /// Any other way (a variable, a string built at run time).
    Other,
}

impl<'t> CellWalk<'_, '_, 't> {
    /// `subprocess.run(["curl", "-s", url])`.
    pub(super) fn argv_list(&mut self, list: Node<'t>, call: Node<'t>, frame: Option<usize>) {
        let eval = self.eval(frame);
        let mut words = Vec::new();
        let mut nodes = Vec::new();
        let mut cursor = list.walk();
        for item in list.named_children(&mut cursor) {
            match kind_of(item) {
                "comment" => continue,
                "list_splat" => words.push(Word::spread(Text::unknown(), item.byte_range())),
                _ => words.push(Word::new(eval.text(item), item.byte_range())),
            }
            nodes.push(item);
        }
        if let Some(script) = shell_code(&words) {
            let node = nodes[script];
            if kind_of(node) != "string" || !self.nested_shell(node, frame) {
                self.shell_text(node, call, frame);
            }
            return;
        }
        self.judge_words(&words, call.byte_range(), Written::List { frame });
    }

    /// A command held in a variable: a list of words, or a string of
    /// shell code whose value is known only in part. With `shell=True`, a
    /// list's first item is the script the shell runs (the others are its
    /// `$0`, `$1`...).
    pub(super) fn argv_value(
        &mut self,
        value: Node<'t>,
        call: Node<'t>,
        frame: Option<usize>,
        shell: bool,
    ) {
        let range = value.byte_range();
        match self.eval(frame).value(value) {
            Value::List(items) if shell => {
                if let Some(Value::Str(script)) = items.first() {
                    self.judge_script(script, &range, call.byte_range());
                }
            }
            Value::List(items) => {
                let words: Vec<Word> = items
                    .iter()
                    .map(|item| match item {
                        Value::Str(text) => Word::new(text.clone(), range.clone()),
                        _ => Word::spread(Text::unknown(), range.clone()),
                    })
                    .collect();
                if let Some(script) = shell_code(&words) {
                    let script = words[script].text.clone();
                    self.judge_script(&script, &range, call.byte_range());
                    return;
                }
                self.judge_words(&words, call.byte_range(), Written::Other);
            }
            Value::Str(text) => self.judge_script(&text, &range, call.byte_range()),
            _ => {}
        }
    }

    /// Shell code in an expression that is not one string literal.
    pub(super) fn shell_text(&mut self, node: Node<'t>, call: Node<'t>, frame: Option<usize>) {
        let text = self.eval(frame).text(node);
        self.judge_script(&text, &node.byte_range(), call.byte_range());
    }

    fn judge_script(&mut self, script: &Text, range: &Range<usize>, call: Range<usize>) {
        for words in commands(script, range) {
            self.judge_words(&words, call.clone(), Written::Other);
        }
    }

    /// Judges one command written as `written`.
    fn judge_words(&mut self, words: &[Word], call: Range<usize>, written: Written) {
        let Some(command) = request_from_argv(words, call) else {
            return;
        };
        let Some(mut finding) = command.finding(self.index) else {
            return;
        };
        if !self.file.settings.enabled(finding.rule) {
            return;
        }
        let limit = match &command {
            CommandRequest::Http(http) => time_limit_seconds(words, http),
            CommandRequest::Imdsv1Only { .. } => None,
        };
        let slot = match (&command, written) {
            // A token fetched here does not serve a command that runs
            // elsewhere or again and again: its finding has help.
            (CommandRequest::Http(http), Written::List { frame })
                if finding.rule == crate::Rule::MetadataRequestWithoutToken
                    && http.runs == Runs::Here =>
            {
                let (word, style) = match http.client {
                    Client::Curl | Client::Ec2Metadata => (http.program, ArgvHeader::Option),
                    Client::Wget => (http.program, ArgvHeader::Equals),
                    Client::Httpie => (http.url, ArgvHeader::Item),
                };
                let url = &http.request.url;
                let base = endpoint::classify(url).map(|e| e.token_base(url));
                let program = program_name(words, http.program, http.client);
                match token_options(words, http) {
                    Ok(options) => words.get(word).zip(base).map(|(w, base)| {
                        (
                            frame,
                            HeaderSlot::Argv {
                                after: w.range.end,
                                style,
                                program,
                                options: options.iter().flat_map(TokenOption::argv).collect(),
                            },
                            base,
                        )
                    }),
                    Err(route) => {
                        finding.help = Some(format!(
                            "the token request must go where the request goes, and the value of \
                             its `{}` is not known here: fetch a token with `PUT /latest/api/token` \
                             through the same proxy and send it in the `{TOKEN_HEADER}` header",
                            route.option
                        ));
                        None
                    }
                }
            }
            _ => None,
        };
        let Some((frame, slot, base)) = slot else {
            finding.help.get_or_insert_with(|| format!(
                "send the `{TOKEN_HEADER}` header from a token fetched with `PUT /latest/api/token`; \
                 imds-lint rewrites a command only when it is a list of literal items or one string literal, \
                 not one built at run time"
            ));
            self.file.findings.push(finding);
            return;
        };
        let range = finding.range.clone();
        self.file.findings.push(finding);
        self.sites.push(Site {
            finding: self.file.findings.len() - 1,
            frame,
            call: range,
            slot,
            client: "subprocess".to_owned(),
            base,
            mend: None,
            limit,
        });
    }
}

/// The program word at `at` as written (`curl`, `/usr/bin/curl`), when it
/// runs `client` (after curl's `--next` it is that option); else empty.
fn program_name(words: &[Word], at: usize, client: Client) -> String {
    words
        .get(at)
        .and_then(|word| word.text.as_literal())
        .filter(|name| {
            let file = name.rsplit('/').next().unwrap_or(name);
            Client::from_program(file) == Some(client)
        })
        .map(str::to_owned)
        .unwrap_or_default()
}

/// The words `shlex.split` makes of `text`, known in part: an item whose
/// text is not all known is unknown. (`shlex` also keeps `;`, `|` and `&`
/// inside words, where this ends a command; either way the words of the
/// request are the same.)
pub(super) fn split_words(text: &Text) -> Vec<Value> {
    commands(text, &(0..0))
        .into_iter()
        .flatten()
        .map(|word| {
            if word.spread {
                Value::Unknown
            } else {
                Value::Str(word.text)
            }
        })
        .collect()
}

/// Splits shell code known in part into simple commands of words, the way
/// the shell would for plain code: whitespace separates words, quotes
/// group them, `;`, `|`, `&` and newlines end commands. Every word gets
/// `range` (the expression that holds the code).
fn commands(script: &Text, range: &Range<usize>) -> Vec<Vec<Word>> {
    let mut out = Vec::new();
    let mut words: Vec<Word> = Vec::new();
    let mut word: Option<Text> = None;
    let mut quote: Option<char> = None;
    let finish_word = |word: &mut Option<Text>, words: &mut Vec<Word>| {
        if let Some(text) = word.take() {
            if text.is_unknown() {
                words.push(Word::spread(text, range.clone()));
            } else {
                words.push(Word::new(text, range.clone()));
            }
        }
    };
    for piece in script.pieces() {
        let Piece::Lit(s) = piece else {
            word.get_or_insert_with(Text::default).push_unknown();
            continue;
        };
        for c in s.chars() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (None, '\'' | '"') => {
                    quote = Some(c);
                    word.get_or_insert_with(Text::default);
                }
                (None, ' ' | '\t') => finish_word(&mut word, &mut words),
                (None, ';' | '|' | '&' | '\n' | '(' | ')' | '`') => {
                    finish_word(&mut word, &mut words);
                    if !words.is_empty() {
                        out.push(std::mem::take(&mut words));
                    }
                }
                // Quoted characters, and unquoted ones that are no syntax.
                (_, c) => word
                    .get_or_insert_with(Text::default)
                    .push_lit(c.encode_utf8(&mut [0; 4])),
            }
        }
    }
    finish_word(&mut word, &mut words);
    if !words.is_empty() {
        out.push(words);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_split_on_separators_and_keep_quotes_together() {
        let mut script = Text::lit("curl -s 'a b' ");
        script.push_unknown();
        script.push_lit(" | jq .; echo \"x\"");
        let split = commands(&script, &(0..1));
        let shown: Vec<Vec<String>> = split
            .iter()
            .map(|ws| ws.iter().map(|w| w.text.to_string()).collect())
            .collect();
        assert_eq!(
            shown,
            vec![
                vec!["curl", "-s", "a b", "…"],
                vec!["jq", "."],
                vec!["echo", "x"]
            ]
        );
        assert!(split[0][3].spread && !split[0][2].spread);
    }
}
