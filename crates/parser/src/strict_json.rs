//! A JSON cursor that checks what it steps over as strictly as
//! `serde_json` checks the values it ignores, without building anything:
//! the notebook reader's quick path. A string costs it about what it costs
//! serde; what it saves is the work around them (about a sixth of reading
//! a notebook, 1.5% of a dense scan). Every method gives `None` where the
//! text is not what it expects, valid JSON or not; the caller then leaves
//! the text to `serde_json`, which says what is wrong.

use std::ops::Range;

/// A position in JSON text.
pub(crate) struct Strict<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Strict<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Strict { text, pos: 0 }
    }

    /// Where the cursor is, in bytes.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    pub(crate) fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// Nothing but whitespace is left.
    pub(crate) fn at_end(&mut self) -> bool {
        self.skip_ws();
        self.pos == self.text.len()
    }

    /// Steps over an object, calling `member` with each key (at its value)
    /// in order. Keys with an escape are left to serde: their text is not
    /// their name.
    pub(crate) fn members(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.skip_ws();
            let key = self.string()?;
            let key = &self.text[key.start + 1..key.end - 1];
            if key.contains('\\') {
                return None;
            }
            self.eat(b':')?;
            self.skip_ws();
            member(self, key)?;
            if self.eat(b',').is_none() {
                return self.eat(b'}');
            }
        }
    }

    /// Steps over an array, calling `element` at each element.
    pub(crate) fn elements(
        &mut self,
        mut element: impl FnMut(&mut Self) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'[')?;
        if self.eat(b']').is_some() {
            return Some(());
        }
        loop {
            self.skip_ws();
            element(self)?;
            if self.eat(b',').is_none() {
                return self.eat(b']');
            }
        }
    }

    /// Steps over one value, however deeply nested; gives its text and how
    /// deeply it nests (0 for a scalar, 1 for `[1]`, 2 for `[[1]]`...).
    pub(crate) fn value(&mut self) -> Option<(&'a str, usize)> {
        self.skip_ws();
        let start = self.pos;
        // The closing bracket each open array or object waits for.
        let mut open: Vec<u8> = Vec::new();
        let mut deepest = 0;
        loop {
            self.skip_ws();
            match self.peek()? {
                b'"' => {
                    self.string()?;
                }
                bracket @ (b'[' | b'{') => {
                    self.pos += 1;
                    let close = if bracket == b'[' { b']' } else { b'}' };
                    deepest = deepest.max(open.len() + 1);
                    if self.eat(close).is_none() {
                        open.push(close);
                        if close == b'}' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                _ => self.number()?,
            }
            // After a value: close what it ends, or go on to the next one.
            loop {
                let Some(&close) = open.last() else {
                    return Some((&self.text[start..self.pos], deepest));
                };
                self.skip_ws();
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        if close == b'}' {
                            self.key()?;
                        }
                        break;
                    }
                    byte if byte == close => {
                        self.pos += 1;
                        open.pop();
                    }
                    _ => return None,
                }
            }
        }
    }

    /// An object's key and the colon after it.
    fn key(&mut self) -> Option<()> {
        self.skip_ws();
        self.string()?;
        self.eat(b':')
    }

    /// Steps over a string; gives its range, quotes included. No control
    /// character, and only the escapes JSON has.
    fn string(&mut self) -> Option<Range<usize>> {
        let bytes = self.text.as_bytes();
        let start = self.pos;
        if bytes.get(start) != Some(&b'"') {
            return None;
        }
        let mut at = start + 1;
        loop {
            at += next_special(bytes.get(at..)?)?;
            match bytes[at] {
                b'"' => {
                    self.pos = at + 1;
                    return Some(start..self.pos);
                }
                b'\\' => {}
                _control => return None,
            }
            at += match bytes.get(at + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => 2,
                b'u' if bytes.get(at + 2..at + 6)?.iter().all(u8::is_ascii_hexdigit) => 6,
                _ => return None,
            };
        }
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text[self.pos..]
            .starts_with(word)
            .then(|| self.pos += word.len())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        let digits = |from: usize| {
            from + bytes[from..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count()
        };
        let mut at = self.pos;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        at = match bytes.get(at)? {
            b'0' => at + 1,
            b'1'..=b'9' => digits(at + 1),
            _ => return None,
        };
        if bytes.get(at) == Some(&b'.') {
            let end = digits(at + 1);
            if end == at + 1 {
                return None;
            }
            at = end;
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            let end = digits(at);
            if end == at {
                return None;
            }
            at = end;
        }
        self.pos = at;
        Some(())
    }
}

/// Where the first quote, backslash or control character (below 0x20,
/// which a JSON string may not hold) is in `text`. Outputs hold megabytes
/// of text and base64: whole blocks are checked without branching, so that
/// the compiler can use vector instructions.
fn next_special(text: &[u8]) -> Option<usize> {
    let special = |b: &u8| *b < 0x20 || *b == b'"' || *b == b'\\';
    let mut blocks = text.chunks_exact(16);
    let block = blocks
        .by_ref()
        .position(|block| block.iter().fold(false, |seen, b| seen | special(b)));
    let (skipped, searched) = match block {
        Some(block) => (block * 16, &text[block * 16..block * 16 + 16]),
        None => (text.len() - blocks.remainder().len(), blocks.remainder()),
    };
    searched.iter().position(special).map(|at| skipped + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether the cursor takes `text` as one value and nothing after.
    fn one_value(text: &str) -> bool {
        let mut cursor = Strict::new(text);
        cursor.value().is_some() && cursor.at_end()
    }

    #[test]
    fn accepts_what_serde_accepts() {
        for text in [
            "0",
            "-0.5e+10",
            "12E3",
            "true",
            " null ",
            r#""a\"b\\c\/\b\f\n\r\t\u00e9""#,
            "\"\u{7f}\u{e9}\"",
            "[]",
            "{}",
            r#"[1, [2, {"a": [3, {}]}], "x", false]"#,
            r#"{"a" : 1 , "b":{"c":[]}}"#,
            // Escapes of lone surrogates are only checked for their digits
            // where a value is ignored.
            r#""\ud800""#,
        ] {
            assert!(one_value(text), "{text}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok(),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_what_serde_refuses() {
        for text in [
            "",
            "01",
            "1.",
            ".5",
            "1e",
            "1e+",
            "-",
            "+1",
            "NaN",
            "tru",
            "nul",
            "\"a\u{1}b\"",
            "\"tab\tin\"",
            r#""\x""#,
            r#""\u12g4""#,
            r#""\u12""#,
            "\"open",
            "[1,]",
            "[1 2]",
            r#"{"a":1,}"#,
            r#"{"a" 1}"#,
            "{1:2}",
            "[",
            "[1]]",
            "1 2",
        ] {
            assert!(!one_value(text), "{text:?}");
            assert!(
                serde_json::from_str::<serde::de::IgnoredAny>(text).is_err(),
                "{text:?}"
            );
        }
    }

    #[test]
    fn specials_are_found_at_every_place_of_a_block() {
        for len in [1, 15, 16, 17, 32, 47, 200] {
            for at in 0..len {
                for special in [b'\n', 0, 0x1f, b'"', b'\\'] {
                    let mut run = vec![b'a'; len];
                    run[at] = special;
                    if at + 1 < len {
                        run[at + 1] = b'"';
                    }
                    assert_eq!(next_special(&run), Some(at), "{len} {at} {special}");
                }
            }
            assert_eq!(next_special(&vec![b' '; len]), None);
            assert_eq!(next_special(&vec![0x7f; len]), None);
        }
    }

    #[test]
    fn nesting_is_measured_not_limited() {
        let deep = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
        let mut cursor = Strict::new(&deep);
        assert_eq!(cursor.value().map(|(_, depth)| depth), Some(5000));
        let mut cursor = Strict::new(r#"{"a": [1, {"b": []}], "c": {}}"#);
        assert_eq!(cursor.value().map(|(_, depth)| depth), Some(4));
    }

    #[test]
    fn members_and_elements_are_visited_in_order() {
        let mut seen = Vec::new();
        let mut cursor = Strict::new(r#"{"a": [1, 2], "b\u0020c": 3}"#);
        let read = cursor.members(|cursor, key| {
            seen.push(key.to_owned());
            cursor.elements(|cursor| cursor.value().map(drop))
        });
        // The escaped key is left to serde.
        assert_eq!(read, None);
        assert_eq!(seen, ["a"]);
    }
}
