//! A cell's `source` as written in a notebook's JSON text, checked and
//! decoded with a span map through the JSON escapes.
//!
//! `serde_json` validates a notebook and says where each source starts;
//! this small scanner reads the source from there. It only runs on text
//! `serde_json` accepted; should the two ever disagree it answers `None`,
//! never panics. It loops rather than recurses, so deep nesting cannot
//! overflow the stack.

use crate::cell::Layer;
use crate::span::{SpanMap, SpanMapBuilder};

/// A cell's `source`, decoded.
#[derive(Debug)]
pub(crate) struct Source {
    /// The cell's code: the string, or the list's strings joined.
    pub code: String,
    /// Code offsets to file offsets.
    pub map: SpanMap,
    /// [`Layer::JsonString`] or [`Layer::JsonLines`].
    pub layer: Layer,
}

/// Checks that the value at `at` in valid JSON `text` is a string or a
/// list of strings, as a cell's `source` must be; the error says what is
/// wrong with it.
pub(crate) fn check_source(text: &str, at: usize) -> Result<(), String> {
    match text.as_bytes().get(at) {
        Some(b'"') => Ok(()),
        Some(b'[') => {
            let items = Scanner::new(text, at)
                .elements()
                .ok_or("its `source` could not be read")?;
            match items
                .into_iter()
                .enumerate()
                .find(|&(_, item)| text.as_bytes().get(item) != Some(&b'"'))
            {
                Some((i, item)) => Err(format!(
                    "`source` item {} is {}, not a string",
                    i + 1,
                    kind_at(text, item)
                )),
                None => Ok(()),
            }
        }
        _ => Err(format!(
            "`source` is {}; expected a string or a list of strings",
            kind_at(text, at)
        )),
    }
}

/// The kind of the JSON value at `at`, told by its first byte, for
/// error messages.
fn kind_at(text: &str, at: usize) -> &'static str {
    match text.as_bytes().get(at) {
        Some(b'n') => "null",
        Some(b't' | b'f') => "a boolean",
        Some(b'"') => "a string",
        Some(b'[') => "a list",
        Some(b'{') => "an object",
        // Digits, `-`, and the `NaN` or `Infinity` Python writes.
        _ => "a number",
    }
}

/// The text of the top-level member `key`'s value, as written.
pub(crate) fn member_text<'a>(text: &'a str, start: usize, key: &str) -> Option<&'a str> {
    let at = Scanner::new(text, start).member(key)??;
    let mut scanner = Scanner::new(text, at);
    scanner.skip_value()?;
    text.get(at..scanner.pos)
}

/// Decodes the `source` value (a string or a list of strings) at `at`.
///
/// A list's strings are joined; the newline ending one string and the
/// `",\n    "` before the next map together as one escaped segment, so an
/// insertion at a line start lands inside the next string.
pub(crate) fn decode_source(text: &str, at: usize) -> Option<Source> {
    match text.as_bytes().get(at)? {
        b'"' => {
            let mut code = String::new();
            let mut map = SpanMapBuilder::new(at + 1);
            decode_string(text, at, &mut code, &mut map, false)?;
            Some(Source {
                code,
                map: map.finish(),
                layer: Layer::JsonString,
            })
        }
        b'[' => decode_lines(text, at),
        _ => None,
    }
}

/// Decodes a list of strings, the `[` at `at`.
fn decode_lines(text: &str, at: usize) -> Option<Source> {
    let mut scanner = Scanner::new(text, at + 1);
    scanner.skip_ws();
    let first = scanner.pos;
    let mut code = String::new();
    let mut map = SpanMapBuilder::new(at + 1);
    let mut joint = None;
    // Start of the previous string's final `\n` escape, not yet mapped.
    let mut held: Option<usize> = None;

    if scanner.peek() != Some(b']') {
        loop {
            let open = scanner.pos;
            match held {
                Some(newline) => {
                    code.push('\n');
                    map.escaped(1, open + 1 - newline);
                }
                None => map.seek(open + 1),
            }
            let (close, newline) = decode_string(text, open, &mut code, &mut map, true)?;
            scanner.pos = close + 1;
            scanner.skip_ws();
            match scanner.peek()? {
                b',' => {
                    scanner.pos += 1;
                    scanner.skip_ws();
                    joint.get_or_insert_with(|| text[close + 1..scanner.pos].to_owned());
                    held = newline;
                }
                b']' => {
                    if let Some(newline) = newline {
                        code.push('\n');
                        map.escaped(1, close - newline);
                    }
                    break;
                }
                _ => return None,
            }
        }
    }

    // With fewer than two strings there is no joint to copy; one written
    // like the list's opening is what the next line would get.
    // An empty list has no string to insert into: an edit there lacks the
    // quotes this layer does not add; costs fixes in empty cells only.
    let joint = joint.unwrap_or_else(|| format!(",{}", &text[at + 1..first]));
    Some(Source {
        code,
        map: map.finish(),
        layer: Layer::JsonLines { joint },
    })
}

/// Decodes the JSON string whose opening quote is at `open`, appending to
/// `code` and `map` (already at `open + 1`); returns the closing quote's
/// offset. With `hold_newline`, a newline escape just before the closing
/// quote is left out of both and its offset returned, for the caller to map
/// together with the joint that follows.
fn decode_string(
    text: &str,
    open: usize,
    code: &mut String,
    map: &mut SpanMapBuilder,
    hold_newline: bool,
) -> Option<(usize, Option<usize>)> {
    let bytes = text.as_bytes();
    if bytes.get(open) != Some(&b'"') {
        return None;
    }
    let mut run = open + 1;
    let mut i = run;
    loop {
        match *bytes.get(i)? {
            b'"' => break,
            b'\\' => {
                code.push_str(&text[run..i]);
                map.verbatim(i - run);
                let (c, len) = escape(text, i)?;
                if hold_newline && c == '\n' && bytes.get(i + len) == Some(&b'"') {
                    return Some((i + len, Some(i)));
                }
                code.push(c);
                map.escaped(c.len_utf8(), len);
                i += len;
                run = i;
            }
            // Control characters must be escaped in JSON.
            0..0x20 => return None,
            _ => i += 1,
        }
    }
    code.push_str(&text[run..i]);
    map.verbatim(i - run);
    Some((i, None))
}

/// The character a JSON escape at `at` (a backslash) stands for, and the
/// escape's length. Lone surrogates become U+FFFD.
fn escape(text: &str, at: usize) -> Option<(char, usize)> {
    let c = match *text.as_bytes().get(at + 1)? {
        b'"' => '"',
        b'\\' => '\\',
        b'/' => '/',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => return unicode_escape(text, at),
        _ => return None,
    };
    Some((c, 2))
}

/// A `\uXXXX` escape at `at`, or a surrogate pair of two of them.
fn unicode_escape(text: &str, at: usize) -> Option<(char, usize)> {
    let high = hex4(text, at + 2)?;
    if (0xD800..0xDC00).contains(&high) && text.get(at + 6..at + 8) == Some("\\u") {
        if let Some(low) = hex4(text, at + 8).filter(|low| (0xDC00..0xE000).contains(low)) {
            let value = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            return Some((char::from_u32(value)?, 12));
        }
    }
    Some((
        char::from_u32(high).unwrap_or(char::REPLACEMENT_CHARACTER),
        6,
    ))
}

fn hex4(text: &str, at: usize) -> Option<u32> {
    let digits = text.get(at..at + 4)?;
    if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(digits, 16).ok()
}

/// A cursor over JSON text that steps over values without building them.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Scanner { text, pos }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_ws();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    /// In the object starting here, where the value of `key` starts (the
    /// last one when the key repeats, as `serde_json` keeps the last).
    /// `None` if this is not an object.
    #[expect(
        clippy::option_option,
        reason = "the outer None is malformed text, the inner one a missing key"
    )]
    fn member(&mut self, key: &str) -> Option<Option<usize>> {
        self.eat(b'{')?;
        let mut found = None;
        self.skip_ws();
        if self.peek()? == b'}' {
            return Some(None);
        }
        loop {
            self.skip_ws();
            let open = self.pos;
            let close = self.skip_string()?;
            let matches = key_is(self.text, open, close, key)?;
            self.eat(b':')?;
            self.skip_ws();
            if matches {
                found = Some(self.pos);
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => return Some(found),
                _ => return None,
            }
        }
    }

    /// In the array starting here, where each element starts.
    fn elements(&mut self) -> Option<Vec<usize>> {
        self.eat(b'[')?;
        let mut starts = Vec::new();
        self.skip_ws();
        if self.peek()? == b']' {
            return Some(starts);
        }
        loop {
            self.skip_ws();
            starts.push(self.pos);
            self.skip_value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => return Some(starts),
                _ => return None,
            }
        }
    }

    /// Steps over the string starting here; returns its closing quote.
    fn skip_string(&mut self) -> Option<usize> {
        if self.peek()? != b'"' {
            return None;
        }
        // Outputs hold megabytes of base64 and text: jump between quotes and
        // backslashes instead of stepping byte by byte.
        let bytes = self.text.as_bytes();
        let mut i = self.pos + 1;
        loop {
            i += memchr::memchr2(b'"', b'\\', bytes.get(i..)?)?;
            match bytes[i] {
                b'"' => break,
                _ => i += 2,
            }
        }
        self.pos = i + 1;
        Some(i)
    }

    /// Steps over the value starting here, however deeply nested.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.skip_string()?;
                }
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth > 0 => {
                    // Indentation and separators: step to the next byte that
                    // is not one, a run at a time.
                    let bytes = self.text.as_bytes();
                    self.pos += bytes[self.pos..]
                        .iter()
                        .position(|b| !matches!(b, b',' | b':' | b' ' | b'\t' | b'\n' | b'\r'))
                        .unwrap_or(bytes.len() - self.pos);
                }
                _ => {
                    // A number, `true`, `false` or `null`.
                    let bytes = self.text.as_bytes();
                    let len = bytes[self.pos..]
                        .iter()
                        .take_while(|b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.')
                        })
                        .count();
                    if len == 0 {
                        return None;
                    }
                    self.pos += len;
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }
}

/// Whether the key string `open..=close` decodes to `key`.
fn key_is(text: &str, open: usize, close: usize, key: &str) -> Option<bool> {
    let raw = &text[open + 1..close];
    if !raw.contains('\\') {
        return Some(raw == key);
    }
    let mut decoded = String::new();
    let mut map = SpanMapBuilder::new(open + 1);
    decode_string(text, open, &mut decoded, &mut map, false)?;
    Some(decoded == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Where cell `cell`'s source starts (the reader has it from serde).
    fn source_start(text: &str, cell: usize) -> Option<usize> {
        let cells = Scanner::new(text, 0).member("cells")??;
        let at = *Scanner::new(text, cells).elements()?.get(cell)?;
        Scanner::new(text, at).member("source")?
    }

    fn source_at(text: &str, cell: usize) -> Source {
        source_start(text, cell)
            .and_then(|at| decode_source(text, at))
            .unwrap_or_else(|| panic!("no source in cell {cell}"))
    }

    #[test]
    fn sources_must_be_strings_or_lists_of_strings() {
        let text = r#"["a", ["b", "c"], 1, {"x": 1}, ["a", null, 2], [[[]]], NaN, true]"#;
        let items = Scanner::new(text, 0).elements().unwrap_or_default();
        let checked: Vec<_> = items.iter().map(|&at| check_source(text, at)).collect();
        let expected: [Result<(), &str>; 8] = [
            Ok(()),
            Ok(()),
            Err("`source` is a number; expected a string or a list of strings"),
            Err("`source` is an object; expected a string or a list of strings"),
            Err("`source` item 2 is null, not a string"),
            Err("`source` item 1 is a list, not a string"),
            Err("`source` is a number; expected a string or a list of strings"),
            Err("`source` is a boolean; expected a string or a list of strings"),
        ];
        for (got, want) in checked.into_iter().zip(expected) {
            assert_eq!(got, want.map_err(str::to_owned));
        }
    }

    #[test]
    fn list_joint_maps_with_the_newline() {
        let text = "{\"cells\": [{\"source\": [\n    \"a\\n\",\n    \"b\"\n   ]}]}";
        let s = source_at(text, 0);
        assert_eq!(s.code, "a\nb");
        assert_eq!(
            s.layer,
            Layer::JsonLines {
                joint: ",\n    ".to_owned()
            }
        );
        assert_eq!(&text[s.map.file_range(1..2)], "\\n\",\n    \"");
        // an insertion at the start of line 2 goes inside the second string
        let at = s.map.file_start(2);
        assert_eq!(&text[at..at + 2], "b\"");
        // an insertion at the end goes before the closing quote
        let end = s.map.file_start(3);
        assert_eq!(&text[end..=end], "\"");
    }

    #[test]
    fn strings_without_newline_are_joined_directly() {
        let text = r#"{"cells":[{"source":["ab","cd\n"]}]}"#;
        let s = source_at(text, 0);
        assert_eq!(s.code, "abcd\n");
        assert_eq!(&text[s.map.file_range(1..3)], r#"b","c"#);
        assert_eq!(&text[s.map.file_range(4..5)], "\\n");
        assert_eq!(
            s.layer,
            Layer::JsonLines {
                joint: ",".to_owned()
            }
        );
    }

    #[test]
    fn single_string_list_gets_a_joint_like_its_opening() {
        let text = "{\"cells\":[{\"source\":[\n  \"x\"\n]}]}";
        assert_eq!(
            source_at(text, 0).layer,
            Layer::JsonLines {
                joint: ",\n  ".to_owned()
            }
        );
    }

    #[test]
    fn escapes_decode_and_map_whole() {
        let text = r#"{"cells":[{"source":"\"\\\/\b\f\r\t\u00e9\ud83d\ude00\ud800x"}]}"#;
        let s = source_at(text, 0);
        assert_eq!(s.code, "\"\\/\u{8}\u{c}\r\té\u{1F600}\u{FFFD}x");
        let smile = s.code.find('\u{1F600}').unwrap_or_default();
        assert_eq!(&text[s.map.file_range(smile..smile + 4)], r"\ud83d\ude00");
        let lone = s.code.find('\u{FFFD}').unwrap_or_default();
        assert_eq!(&text[s.map.file_range(lone..lone + 3)], r"\ud800");
        assert_eq!(s.layer, Layer::JsonString);
    }

    #[test]
    fn empty_sources() {
        let text = r#"{"cells":[{"source":""},{"source":[]}]}"#;
        let s = source_at(text, 0);
        assert_eq!(s.code, "");
        assert_eq!(&text[s.map.file_start(0)..][..1], "\"");
        assert_eq!(source_at(text, 1).code, "");
    }

    #[test]
    fn malformed_text_gives_none() {
        for text in [
            "",
            "[",
            "{\"cells\": [",
            "{\"cells\": [{\"source\": \"abc",
            "{\"cells\" 1}",
            "{\"cells\": [}",
            "{\"cells\": [{\"source\": [\"a\" \"b\"]}]}",
        ] {
            let decoded = (0..2)
                .filter_map(|cell| source_start(text, cell))
                .filter_map(|at| decode_source(text, at))
                .count();
            assert_eq!(decoded, 0, "{text}");
        }
        assert!(decode_source("\"a\\q\"", 0).is_none());
        assert!(decode_source("\"a\nb\"", 0).is_none());
        assert!(decode_source("7", 0).is_none());
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        let text = format!("{{\"x\": {deep}, \"cells\": [{{\"source\": \"ok\"}}]}}");
        assert_eq!(source_at(&text, 0).code, "ok");
    }
}
