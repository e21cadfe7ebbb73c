//! Where each cell's `source` is written in a notebook's JSON text, decoded
//! with a span map through the JSON escapes.
//!
//! `serde_json` validates a notebook and gives its structure but forgets where
//! values were written, so this small scanner walks the same text again to
//! find them, jumping over the values `serde_json` only checked (outputs,
//! attachments: most of a notebook's bytes), whose places it noted. It only
//! runs on text `serde_json` accepted; should the two ever disagree it
//! answers `None`, never panics. It loops rather than recurses, so deep
//! nesting cannot overflow the stack.

use std::ops::Range;

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

/// Where each cell's `source` value starts, one entry per element of the
/// top-level `cells` list (`None` for an element without one). `start` is
/// where the JSON begins (after a byte order mark). `skips` are values known
/// to be valid JSON, by where they start and end, in order: they are jumped
/// over, not read.
pub(crate) fn locate_sources(
    text: &str,
    start: usize,
    skips: &[Range<usize>],
) -> Option<Vec<Option<usize>>> {
    let scanner = |pos| Scanner { text, pos, skips };
    let cells = scanner(start).member("cells")??;
    scanner(cells)
        .elements()?
        .into_iter()
        .map(|cell| match text.as_bytes().get(cell) {
            Some(b'{') => scanner(cell).member("source"),
            _ => Some(None),
        })
        .collect()
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
    /// Values to jump over, by where they start and end, in order.
    skips: &'a [Range<usize>],
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str, pos: usize) -> Self {
        Scanner {
            text,
            pos,
            skips: &[],
        }
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

    /// Where the value starting at `pos` ends, if it is one to jump over.
    fn skip_at(&self, pos: usize) -> Option<usize> {
        if self.skips.is_empty() {
            return None;
        }
        let i = self
            .skips
            .binary_search_by_key(&pos, |skip| skip.start)
            .ok()?;
        Some(self.skips[i].end)
    }

    /// Steps over the value starting here, however deeply nested.
    fn skip_value(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            if let Some(end) = self.skip_at(self.pos) {
                self.pos = end;
                if depth == 0 {
                    return Some(());
                }
                continue;
            }
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

    fn source_at(text: &str, cell: usize) -> Source {
        let at = locate_sources(text, 0, &[]).unwrap_or_default()[cell].unwrap_or_default();
        decode_source(text, at).unwrap_or_else(|| panic!("no source in cell {cell}"))
    }

    #[test]
    fn locates_sources_past_other_keys_and_nesting() {
        let text = r#"{"metadata": {"cells": [1]}, "cells": [
            {"source": "a", "outputs": [{"text": ["\"source\": ]"]}]},
            3,
            {"cell_type": "raw"},
            {"source": "first", "source": "second"}
        ]}"#;
        let found = locate_sources(text, 0, &[]).unwrap_or_default();
        assert_eq!(found.len(), 4);
        assert_eq!(found[0].map(|at| &text[at..at + 3]), Some("\"a\""));
        assert_eq!(found[1], None);
        assert_eq!(found[2], None);
        assert_eq!(source_at(text, 3).code, "second");
    }

    #[test]
    fn values_already_checked_are_jumped_over() {
        let text = r#"{"cells": [{"outputs": [{"source": 1}, "]"], "source": "a"}]}"#;
        let outputs = text.find("[{").unwrap_or_default();
        let end = text.find(", \"source\": \"a").unwrap_or_default();
        let read = |skips: &[Range<usize>]| locate_sources(text, 0, skips);
        let skip = outputs..end;
        assert_eq!(read(std::slice::from_ref(&skip)), read(&[]));
        assert_eq!(read(&[]).unwrap_or_default().len(), 1);

        // What a skip covers is not read at all.
        let broken = r#"{"cells": [{"outputs": [}}}, "source": "a"}]}"#;
        let outputs = broken.find("[}").unwrap_or_default();
        let skip = outputs..outputs + "[}}}".len();
        let found = locate_sources(broken, 0, std::slice::from_ref(&skip)).unwrap_or_default();
        assert_eq!(found.len(), 1);
        assert_eq!(locate_sources(broken, 0, &[]), None);
    }

    #[test]
    fn escaped_key_still_matches() {
        let text = r#"{"cells": [{"sour\u0063e": "x"}]}"#;
        assert_eq!(source_at(text, 0).code, "x");
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
            let found = locate_sources(text, 0, &[]);
            let decoded = found
                .into_iter()
                .flatten()
                .flatten()
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
