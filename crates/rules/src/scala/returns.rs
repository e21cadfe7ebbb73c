//! What a `def` with parameters returns: its expression body read with
//! each parameter standing as a marker (private Unicode characters), which
//! a call's arguments replace.

use crate::text::{Piece, Text};

use super::scope::Value;

const OPEN: char = '\u{E002}';
const CLOSE: char = '\u{E003}';

/// A `def`'s parameters and the value its body gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Def {
    /// The definition's node id, which its markers name.
    pub id: usize,
    /// Parameter names, in order.
    pub params: Vec<String>,
    /// A string or URL, with markers where the parameters go.
    pub returns: Value,
}

impl Def {
    /// What a call passing `args` (by position; `None` where not known)
    /// gets back.
    pub fn called(&self, args: &[Option<Text>]) -> Value {
        let text = |t: &Text| substitute(t, self.id, args);
        capped(match &self.returns {
            Value::Text(t) => Value::Text(text(t)),
            Value::Url(t) => Value::Url(text(t)),
            _ => Value::Other,
        })
    }
}

/// Known text kept of a value a def returns: URLs are short, and defs
/// that double a string must not grow it without bound.
const MAX_TEXT: usize = 4096;

/// `value` with a string or URL cut after [`MAX_TEXT`] known bytes, an
/// unknown part standing for the rest.
pub fn capped(value: Value) -> Value {
    let cap = |text: Text| {
        let known: usize = text
            .pieces()
            .iter()
            .map(|p| match p {
                Piece::Lit(s) => s.len(),
                Piece::Unknown => 0,
            })
            .sum();
        if known <= MAX_TEXT {
            return text;
        }
        let mut out = Text::default();
        let mut left = MAX_TEXT;
        for piece in text.pieces() {
            match piece {
                Piece::Lit(s) if s.len() <= left => {
                    out.push_lit(s);
                    left -= s.len();
                }
                Piece::Lit(s) => {
                    let mut cut = left;
                    while !s.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    out.push_lit(&s[..cut]);
                    break;
                }
                Piece::Unknown => out.push_unknown(),
            }
        }
        out.push_unknown();
        out
    };
    match value {
        Value::Text(t) => Value::Text(cap(t)),
        Value::Url(t) => Value::Url(cap(t)),
        other => other,
    }
}

/// The marker standing for parameter `index` of the def `id`.
pub fn marker(id: usize, index: usize) -> Text {
    Text::lit(format!("{OPEN}{id}:{index}{CLOSE}"))
}

/// `text` with the markers of def `id` replaced by `args` (unknown where
/// none is given), and any other marker made unknown.
fn substitute(text: &Text, id: usize, args: &[Option<Text>]) -> Text {
    text.replace_markers(OPEN, CLOSE, |inside| {
        let (def, index) = inside.split_once(':')?;
        if def.parse() != Ok(id) {
            return None;
        }
        args.get(index.parse::<usize>().ok()?).cloned().flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_replaced_by_arguments_or_made_unknown() {
        let mut body = Text::lit("http://");
        body.push_text(&marker(7, 0));
        body.push_lit("/latest/");
        body.push_text(&marker(7, 1));
        let def = Def {
            id: 7,
            params: vec!["host".into(), "path".into()],
            returns: Value::Text(body),
        };
        let called = def.called(&[Some(Text::lit("h")), Some(Text::lit("x"))]);
        assert_eq!(called, Value::Text(Text::lit("http://h/latest/x")));
        let Value::Text(partly) = def.called(&[Some(Text::lit("h"))]) else {
            panic!("not text");
        };
        assert_eq!(partly.known_prefix(), "http://h/latest/");
        assert!(partly.has_unknown());
        // Another def's marker is unknown here.
        let other = Def { id: 8, ..def };
        let Value::Text(unknown) = other.called(&[Some(Text::lit("h"))]) else {
            panic!("not text");
        };
        assert_eq!(unknown.known_prefix(), "http://");
    }
}
