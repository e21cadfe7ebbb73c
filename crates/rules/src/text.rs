//! Strings whose value is only partly known, as constant folding sees them.
//!
//! `f"{BASE}/iam/{role}"` with `BASE` a known constant and `role` a function
//! argument is `[Lit("http://169.254.169.254/latest/meta-data"), Lit("/iam/"),
//! Unknown]`: enough to know where the request goes, not what it asks for.

use std::collections::HashMap;
use std::fmt;

/// One part of a [`Text`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Piece {
    /// A part whose value is known.
    Lit(String),
    /// A part whose value is not known (an argument, a call result...).
    Unknown,
}

/// A string value assembled from known and unknown parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Text {
    pieces: Vec<Piece>,
    /// Bytes of the known parts.
    known: usize,
}

/// The most known bytes one value holds; what is appended past it is
/// unknown. Values that double (`X="$X $X"`, twenty times over) would
/// otherwise take memory to the power of the code: a 6 KB script asked for
/// 1.6 GB. A URL, a header or a command is far shorter.
const MAX_KNOWN: usize = 256 << 10;

/// Names bound to string values in one scope.
pub type Env = HashMap<String, Text>;

impl Text {
    /// A fully known string.
    pub fn lit(s: impl Into<String>) -> Self {
        let mut text = Text::default();
        text.push_lit(&s.into());
        text
    }

    /// A wholly unknown string.
    pub fn unknown() -> Self {
        Text {
            pieces: vec![Piece::Unknown],
            known: 0,
        }
    }

    /// Appends a known part.
    pub fn push_lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.known + s.len() > MAX_KNOWN {
            // What fits stays known: a very long URL keeps its address.
            let mut fits = MAX_KNOWN - self.known;
            while !s.is_char_boundary(fits) {
                fits -= 1;
            }
            if fits > 0 {
                self.push_lit(&s[..fits]);
            }
            self.push_unknown();
            return;
        }
        self.known += s.len();
        if let Some(Piece::Lit(last)) = self.pieces.last_mut() {
            last.push_str(s);
        } else {
            self.pieces.push(Piece::Lit(s.to_owned()));
        }
    }

    /// Appends an unknown part (consecutive unknowns merge).
    pub fn push_unknown(&mut self) {
        if self.pieces.last() != Some(&Piece::Unknown) {
            self.pieces.push(Piece::Unknown);
        }
    }

    /// Appends another text.
    pub fn push_text(&mut self, other: &Text) {
        for piece in &other.pieces {
            match piece {
                Piece::Lit(s) => self.push_lit(s),
                Piece::Unknown => self.push_unknown(),
            }
        }
    }

    /// `self` followed by `other`.
    #[must_use]
    pub fn concat(&self, other: &Text) -> Text {
        let mut out = self.clone();
        out.push_text(other);
        out
    }

    /// The parts.
    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// The known text before the first unknown part.
    pub fn known_prefix(&self) -> &str {
        match self.pieces.first() {
            Some(Piece::Lit(s)) => s,
            _ => "",
        }
    }

    /// The whole value, when every part is known.
    pub fn as_literal(&self) -> Option<&str> {
        match self.pieces.as_slice() {
            [] => Some(""),
            [Piece::Lit(s)] => Some(s),
            _ => None,
        }
    }

    /// Whether any part is unknown.
    pub fn has_unknown(&self) -> bool {
        self.pieces.contains(&Piece::Unknown)
    }

    /// Whether nothing at all is known.
    pub fn is_unknown(&self) -> bool {
        self.pieces.iter().all(|p| *p == Piece::Unknown) && !self.pieces.is_empty()
    }

    /// This text with each marker in its known parts (`open`, a label,
    /// `close`: what an analyser writes for a function's parameter) made
    /// what `replace` gives for the label, or an unknown part for `None`.
    /// A marker with no `close` (a long value was cut inside it) makes the
    /// rest unknown: what it stood for is not known, and nothing after it
    /// was kept.
    #[must_use]
    pub fn replace_markers(
        &self,
        open: char,
        close: char,
        replace: impl Fn(&str) -> Option<Text>,
    ) -> Text {
        let mut out = Text::default();
        for piece in &self.pieces {
            let Piece::Lit(s) = piece else {
                out.push_unknown();
                continue;
            };
            let mut rest = s.as_str();
            while let Some(at) = rest.find(open) {
                out.push_lit(&rest[..at]);
                let after = &rest[at + open.len_utf8()..];
                let Some(end) = after.find(close) else {
                    out.push_unknown();
                    rest = "";
                    break;
                };
                match replace(&after[..end]) {
                    Some(text) => out.push_text(&text),
                    None => out.push_unknown(),
                }
                rest = &after[end + close.len_utf8()..];
            }
            out.push_lit(rest);
        }
        out
    }

    /// Whether a known part contains `needle`, ignoring ASCII case.
    pub fn contains_ignore_case(&self, needle: &str) -> bool {
        let needle = needle.to_ascii_lowercase();
        self.pieces.iter().any(|p| match p {
            Piece::Lit(s) => s.to_ascii_lowercase().contains(&needle),
            Piece::Unknown => false,
        })
    }
}

impl fmt::Display for Text {
    /// Known parts as they are, unknown parts as `…`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for piece in &self.pieces {
            match piece {
                Piece::Lit(s) => f.write_str(s)?,
                Piece::Unknown => f.write_str("…")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by a fresh tester: twelve `X="$X ; $X"` lines over a 6 KB
    /// command, then `sh -c "$X12"`, asked for 1.6 GB and aborted the run.
    #[test]
    fn a_value_stops_being_known_past_its_limit() {
        let mut value = Text::lit("curl http://x/ | cat");
        for _ in 0..40 {
            value = value.concat(&value);
        }
        assert!(value.known <= MAX_KNOWN, "{}", value.known);
        assert!(value.known_prefix().starts_with("curl http://x/"));
        assert_eq!(value.pieces().last(), Some(&Piece::Unknown));
    }

    /// Found by a fresh tester: a URL literal longer than the limit was
    /// wholly unknown, and its request went unreported.
    #[test]
    fn a_literal_past_the_limit_keeps_what_fits() {
        let long = format!(
            "http://169.254.169.254/latest/?q={}é",
            "a".repeat(MAX_KNOWN)
        );
        let value = Text::lit(long);
        assert!(value.known <= MAX_KNOWN, "{}", value.known);
        assert!(value
            .known_prefix()
            .starts_with("http://169.254.169.254/latest/?q=aaa"));
        assert_eq!(value.pieces().last(), Some(&Piece::Unknown));
        // Cut at a character's boundary.
        let value = Text::lit("é".repeat(MAX_KNOWN));
        assert_eq!(value.known, MAX_KNOWN);
    }

    #[test]
    fn adjacent_parts_merge() {
        let mut t = Text::lit("http://");
        t.push_lit("169.254.169.254");
        t.push_unknown();
        t.push_unknown();
        t.push_lit("/x");
        assert_eq!(t.pieces().len(), 3);
        assert_eq!(t.known_prefix(), "http://169.254.169.254");
        assert_eq!(t.as_literal(), None);
        assert_eq!(t.to_string(), "http://169.254.169.254…/x");
    }

    #[test]
    fn empty_text_is_a_known_empty_string() {
        assert_eq!(Text::default().as_literal(), Some(""));
        assert!(!Text::default().is_unknown());
        assert!(Text::unknown().is_unknown());
    }
}
