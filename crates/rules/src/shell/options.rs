//! Splitting a command's arguments into options and operands, the way
//! getopt-style programs (curl, wget, httpie, sudo, env...) read them.
//!
//! The scanner knows only which options take a value; what an option
//! means is each client's business.

use super::argv::Word;
use crate::text::{Piece, Text};

/// Which options of one program take a value.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec {
    /// Short options that take a value, as letters (`"HXd"` for `-H`...).
    /// The value is the rest of the word (`-XPUT`) or the next word.
    pub short_valued: &'static str,
    /// Short options that take exactly one more letter (wget's `-nv`).
    pub short_lettered: &'static str,
    /// Long options that take a value, without dashes. The value is after
    /// `=` or in the next word.
    pub long_valued: &'static [&'static str],
    /// A prefix long options may carry that leaves their value as it is
    /// (curl's `--expand-header`); names are reported without it.
    pub long_prefix: &'static str,
    /// Whether the first operand ends the options (wrappers such as `sudo`:
    /// what follows is the wrapped command's own argv).
    pub stop_at_operand: bool,
}

/// One option or operand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Arg {
    /// An option: `-X PUT` is `{ name: "-X", value: Some("PUT") }`; each
    /// letter of a cluster (`-sSf`) is an option of its own.
    Option {
        /// The option with its dashes: `-X`, `--request`.
        name: String,
        /// Its value, when the option takes one and it is there.
        value: Option<Text>,
        /// Index of the word that holds the value.
        value_word: Option<usize>,
        /// Index of the word the option is written in.
        word: usize,
    },
    /// A word that is not an option: a URL, a request item, a command.
    Operand {
        /// Index of the word.
        word: usize,
    },
    /// A word that may expand to any options and operands (an unquoted
    /// expansion of an unknown value).
    Opaque,
}

/// Reads `words[start..]` as options and operands.
pub(super) fn scan(words: &[Word], start: usize, spec: &Spec) -> Vec<Arg> {
    let mut args = Vec::new();
    let mut i = start;
    let mut options_end = false;

    while i < words.len() {
        let word = &words[i];
        let prefix = word.text.known_prefix();
        let at = i;
        i += 1;

        if word.spread && prefix.is_empty() {
            args.push(Arg::Opaque);
            continue;
        }
        if options_end || !prefix.starts_with('-') || prefix == "-" {
            args.push(Arg::Operand { word: i - 1 });
            if spec.stop_at_operand {
                break;
            }
            continue;
        }
        if prefix == "--" && word.text.as_literal().is_some() {
            options_end = true;
            continue;
        }

        if let Some(long) = prefix.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, _)) => (name, Some(drop_prefix(&word.text, name.len() + 3))),
                None => (long, None),
            };
            let name = name
                .strip_prefix(spec.long_prefix)
                .filter(|_| !spec.long_prefix.is_empty())
                .unwrap_or(name)
                .to_owned();
            if value.is_some() {
                args.push(Arg::Option {
                    name: format!("--{name}"),
                    value,
                    value_word: Some(at),
                    word: at,
                });
            } else if spec.long_valued.contains(&name.as_str()) {
                let next = words.get(i).map(|w| w.text.clone());
                let value_word = next.as_ref().map(|_| i);
                i += usize::from(next.is_some());
                args.push(Arg::Option {
                    name: format!("--{name}"),
                    value: next,
                    value_word,
                    word: at,
                });
            } else {
                args.push(Arg::Option {
                    name: format!("--{name}"),
                    value: None,
                    value_word: None,
                    word: at,
                });
            }
            continue;
        }

        i = short_cluster(words, i - 1, spec, &mut args);
    }
    args
}

/// Reads the short options clustered in `words[at]` (`-sSfXPUT`); returns
/// the index of the next word to read.
fn short_cluster(words: &[Word], at: usize, spec: &Spec, args: &mut Vec<Arg>) -> usize {
    let word = &words[at];
    let letters = word.text.known_prefix();
    let mut next = at + 1;
    let mut offset = 1;

    while let Some(letter) = letters[offset..].chars().next() {
        let name = format!("-{letter}");
        offset += letter.len_utf8();
        if spec.short_valued.contains(letter) {
            let rest = drop_prefix(&word.text, offset);
            let (value, value_word) = if !rest.pieces().is_empty() {
                (Some(rest), Some(at))
            } else if let Some(w) = words.get(next) {
                next += 1;
                (Some(w.text.clone()), Some(next - 1))
            } else {
                (None, None)
            };
            args.push(Arg::Option {
                name,
                value,
                value_word,
                word: at,
            });
            return next;
        }
        let name = match letters[offset..].chars().next() {
            Some(extra) if spec.short_lettered.contains(letter) => {
                offset += extra.len_utf8();
                format!("-{letter}{extra}")
            }
            _ => name,
        };
        args.push(Arg::Option {
            name,
            value: None,
            value_word: None,
            word: at,
        });
    }
    next
}

/// `text` without its first `n` bytes, which must lie in its known prefix.
pub(super) fn drop_prefix(text: &Text, n: usize) -> Text {
    let mut out = Text::default();
    let mut skip = n;
    for piece in text.pieces() {
        match piece {
            Piece::Lit(s) if skip >= s.len() => skip -= s.len(),
            Piece::Lit(s) => {
                out.push_lit(s.get(skip..).unwrap_or_default());
                skip = 0;
            }
            Piece::Unknown => out.push_unknown(),
        }
    }
    out
}

/// What an option of the request is to the token request that takes it
/// too, and so how it is carried there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Carry {
    /// An option without a value (`--retry-connrefused`).
    Flag,
    /// A number (seconds, a count of tries): written as its value when the
    /// code shows it, else left out (it may not be set where the token
    /// request goes), which costs only patience.
    Number,
    /// Any other value that changes only how hard the request tries
    /// (`--retry-on-http-error=503,504`): written when the code shows it
    /// and a shell word can hold it, else left out.
    Value,
    /// A value that decides where the request goes (a proxy): a token
    /// request without it may go elsewhere, and the request then gets 401,
    /// so when the code does not show it no token request is written.
    Route,
    /// A flag that decides where the request goes (wget's `--no-proxy`).
    RouteFlag,
}

/// An option of the request that the token request takes too.
#[derive(Debug, Clone, Copy)]
pub(super) struct Carried {
    /// The option as the request may write it (`-m`, `--max-time`).
    pub as_named: &'static str,
    /// The option as the token request writes it (`--max-time`).
    pub written: &'static str,
    /// What it is.
    pub carry: Carry,
}

impl Carried {
    pub const fn new(as_named: &'static str, written: &'static str, carry: Carry) -> Self {
        Carried {
            as_named,
            written,
            carry,
        }
    }
}

/// A value that decides where the request goes and that the code does not
/// show, or that cannot be written back: no token request is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnshownRoute {
    /// The option, as the token request would write it.
    pub option: &'static str,
}

/// An option of the request that the token request takes too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TokenOption {
    /// The option as the token request writes it (`--max-time`, `-e`).
    pub name: &'static str,
    /// What goes between the option and its value (` ` or `=`).
    pub joiner: &'static str,
    /// Its value; `None` for a flag.
    pub value: Option<OptionValue>,
    /// Whether it decides where the request goes ([`Carry::Route`]).
    pub route: bool,
    /// For a route value: the word it is written in, when that word is not
    /// written out as it is (`--proxy "$P"`): the value shown is then only
    /// what the analyser takes the variable to hold.
    pub from_word: Option<usize>,
    /// Whether that word holds the option too (`--proxy="$P"`): it cannot
    /// be written apart from it.
    pub in_option_word: bool,
}

/// The value of a [`TokenOption`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum OptionValue {
    /// The value as the code shows it, which [`shell_word`] can write.
    Shown(String),
    /// A value from a variable or substitution the code does not show
    /// (`"$P"` with `P` set outside): only the words as written give it.
    Unshown,
    /// Shell text that gives the value where the token request runs, as
    /// the request writes it (`"$P"`).
    AsWritten(String),
}

impl TokenOption {
    /// The option as the token request writes it in shell code, a value
    /// that needs quoting in `quote` (`'` or `"`).
    pub fn written(&self, quote: char) -> String {
        let value = match &self.value {
            None => return self.name.to_owned(),
            Some(OptionValue::Shown(value)) => shell_word(value, quote).unwrap_or_default(),
            Some(OptionValue::AsWritten(text)) => text.clone(),
            Some(OptionValue::Unshown) => String::new(),
        };
        format!("{}{}{value}", self.name, self.joiner)
    }

    /// The option as the words of a command given as a list (no quoting).
    pub fn argv(&self) -> Vec<String> {
        let value = match &self.value {
            Some(OptionValue::Shown(value) | OptionValue::AsWritten(value)) => value,
            // A flag. (An unshown value is never written: a list
            // command's unshown route gets no fix.)
            None | Some(OptionValue::Unshown) => return vec![self.name.to_owned()],
        };
        if self.joiner == "=" {
            vec![format!("{}={value}", self.name)]
        } else {
            vec![self.name.to_owned(), value.clone()]
        }
    }
}

/// The options of `words[start..]` named in `wanted`, for the token
/// request, with `joiner` between option and value: `--max-time 2` and
/// `-m 2` both give `--max-time 2` (or `--max-time=2`). The last one
/// given wins, as for the clients; they come in the order they are last
/// given.
pub(super) fn carried_options(
    words: &[Word],
    start: usize,
    spec: &Spec,
    wanted: &[Carried],
    joiner: &'static str,
) -> Result<Vec<TokenOption>, UnshownRoute> {
    let mut found: Vec<TokenOption> = Vec::new();
    for arg in scan(words, start, spec) {
        let Arg::Option {
            name,
            value,
            value_word,
            word,
        } = arg
        else {
            continue;
        };
        let Some(carried) = wanted.iter().find(|c| c.as_named == name) else {
            continue;
        };
        let route = matches!(carried.carry, Carry::Route | Carry::RouteFlag);
        let from_word = value_word.filter(|&w| route && !words[w].verbatim);
        if let (Some(from), Some(value)) = (from_word, &value) {
            // A route value from variables: the shell writes the word as
            // the request does, where the variables hold the same.
            found.retain(|option| option.name != carried.written);
            found.push(TokenOption {
                name: carried.written,
                joiner,
                value: Some(written_value(value)),
                route,
                from_word,
                in_option_word: from == word,
            });
            continue;
        }
        let value = match (carried.carry, value) {
            (Carry::Flag | Carry::RouteFlag, _) => None,
            (Carry::Number, Some(value)) => match value.as_literal().filter(|v| is_seconds(v)) {
                Some(number) => Some(number.to_owned()),
                None => continue,
            },
            (Carry::Value | Carry::Route, Some(value)) => {
                match value.as_literal().filter(|v| shell_word(v, '\'').is_some()) {
                    Some(value) => Some(value.to_owned()),
                    None if !route => continue,
                    None => {
                        return Err(UnshownRoute {
                            option: carried.written,
                        })
                    }
                }
            }
            // A missing value: the client refuses the command.
            (_, None) => continue,
        };
        found.retain(|option| option.name != carried.written);
        found.push(TokenOption {
            name: carried.written,
            joiner: if value.is_some() { joiner } else { "" },
            value: value.map(OptionValue::Shown),
            route,
            from_word: None,
            in_option_word: false,
        });
    }
    Ok(found)
}

/// The value of a word that is not written out as it is: as far as the
/// code shows it, else unshown.
pub(super) fn written_value(value: &Text) -> OptionValue {
    value
        .as_literal()
        .filter(|v| shell_word(v, '\'').is_some())
        .map_or(OptionValue::Unshown, |v| OptionValue::Shown(v.to_owned()))
}

/// `value` written as one shell word that means it wherever a fix puts
/// it: as it is when it is plain, else in `quote`s (`'` or `"`); `None`
/// for a character that some place a fix writes into reads (a quote, `$`,
/// a backquote, a backslash, a brace, `!`, a line break).
pub(super) fn shell_word(value: &str, quote: char) -> Option<String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_./:@%+,=-".contains(c);
    if !value.is_empty() && value.chars().all(plain) {
        return Some(value.to_owned());
    }
    let unwritable = |c: char| "'\"$`\\{}!".contains(c) || c.is_control();
    (!value.chars().any(unwritable)).then(|| format!("{quote}{value}{quote}"))
}

/// Whether `text` is a plain number of seconds (`2`, `0.5`).
fn is_seconds(text: &str) -> bool {
    let mut parts = text.splitn(2, '.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or("0");
    (1..=9).contains(&whole.len())
        && (1..=9).contains(&fraction.len())
        && whole
            .bytes()
            .chain(fraction.bytes())
            .all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: Spec = Spec {
        short_valued: "XH",
        short_lettered: "n",
        long_valued: &["header", "request"],
        long_prefix: "expand-",
        stop_at_operand: false,
    };

    fn words(args: &[&str]) -> Vec<Word> {
        args.iter()
            .map(|a| Word::new(Text::lit(*a), 0..0))
            .collect()
    }

    fn opt(word: usize, name: &str, value: Option<&str>, value_word: Option<usize>) -> Arg {
        Arg::Option {
            name: name.to_owned(),
            value: value.map(Text::lit),
            value_word,
            word,
        }
    }

    #[test]
    fn clusters_long_options_and_operands() {
        let w = words(&[
            "curl",
            "-sXPUT",
            "--header=A: b",
            "u",
            "--request",
            "GET",
            "-H",
            "C: d",
        ]);
        assert_eq!(
            scan(&w, 1, &SPEC),
            vec![
                opt(1, "-s", None, None),
                opt(1, "-X", Some("PUT"), Some(1)),
                opt(2, "--header", Some("A: b"), Some(2)),
                Arg::Operand { word: 3 },
                opt(4, "--request", Some("GET"), Some(5)),
                opt(6, "-H", Some("C: d"), Some(7)),
            ]
        );
    }

    #[test]
    fn double_dash_ends_options_and_lettered_pairs() {
        let w = words(&["wget", "-nvq", "--", "-x"]);
        assert_eq!(
            scan(&w, 1, &SPEC),
            vec![
                opt(1, "-nv", None, None),
                opt(1, "-q", None, None),
                Arg::Operand { word: 3 }
            ]
        );
    }

    #[test]
    fn wrappers_stop_at_their_command() {
        let spec = Spec {
            stop_at_operand: true,
            ..SPEC
        };
        let w = words(&["sudo", "-E", "curl", "-X", "PUT"]);
        assert_eq!(
            scan(&w, 1, &spec),
            vec![opt(1, "-E", None, None), Arg::Operand { word: 2 }]
        );
    }

    #[test]
    fn unknown_spread_words_are_opaque() {
        let w = vec![
            Word::new(Text::lit("curl"), 0..4),
            Word::spread(Text::unknown(), 5..10),
        ];
        assert_eq!(scan(&w, 1, &SPEC), vec![Arg::Opaque]);
    }

    #[test]
    fn carried_values_are_written_as_one_word_or_refused() {
        assert_eq!(
            shell_word("http://proxy:3128", '\'').as_deref(),
            Some("http://proxy:3128")
        );
        assert_eq!(shell_word("*", '\'').as_deref(), Some("'*'"));
        assert_eq!(shell_word("*", '"').as_deref(), Some("\"*\""));
        assert_eq!(shell_word("", '\'').as_deref(), Some("''"));
        assert_eq!(shell_word("a b", '\'').as_deref(), Some("'a b'"));
        for value in ["it's", "$P", "{x}", "a\\b", "`x`", "a\nb", "a\"b"] {
            assert_eq!(shell_word(value, '"'), None, "{value}");
        }
    }

    #[test]
    fn dropping_a_prefix_keeps_unknown_parts() {
        let mut t = Text::lit("-H");
        t.push_unknown();
        let rest = drop_prefix(&t, 2);
        assert!(rest.is_unknown());
        assert_eq!(
            drop_prefix(&Text::lit("-XPUT"), 2).as_literal(),
            Some("PUT")
        );
    }
}
