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

/// The options of `words[start..]` named in `wanted` (as written, and as
/// the token request writes them) whose value is a literal number of
/// seconds, written for the token request with `joiner` between option and
/// value: `--max-time 2` and `-m 2` both give `--max-time 2` (or
/// `--max-time=2`). The last one given wins, as for the clients. A value
/// held in a variable the code does not show is left out: it may not be
/// set where the token request goes.
pub(super) fn seconds_options(
    words: &[Word],
    start: usize,
    spec: &Spec,
    wanted: &[(&str, &'static str)],
    joiner: &str,
) -> Vec<String> {
    let mut found: Vec<(&'static str, String)> = Vec::new();
    for arg in scan(words, start, spec) {
        let Arg::Option {
            name,
            value: Some(value),
            ..
        } = arg
        else {
            continue;
        };
        let Some(&(_, written)) = wanted.iter().find(|(as_named, _)| *as_named == name) else {
            continue;
        };
        let Some(seconds) = value.as_literal().filter(|v| is_seconds(v)) else {
            continue;
        };
        found.retain(|(option, _)| *option != written);
        found.push((written, seconds.to_owned()));
    }
    found
        .into_iter()
        .map(|(option, seconds)| format!("{option}{joiner}{seconds}"))
        .collect()
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
