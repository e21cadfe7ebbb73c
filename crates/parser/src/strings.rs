//! Decoding string literals of host languages (Python, Scala) into the text
//! a shell receives, with a span map back to the literal's source text.
//!
//! Analysers call these on the string node of `subprocess.run("curl ...")`
//! or `"curl ...".!!`, then parse the decoded text as a nested shell cell.
//! Interpolated parts (`{expr}`, `$name`) stay in the decoded text verbatim,
//! so the analyser can resolve them from the host's variables.

use crate::cell::{Interpolation, Layer};
use crate::span::{SpanMap, SpanMapBuilder};

/// A decoded string literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The string's value, with interpolated parts left as written.
    pub code: String,
    /// Offsets of `code` to offsets in the literal's source text (the text
    /// passed in, prefix and quotes included). [`Decoded::shifted`] moves it
    /// to host-cell offsets.
    pub map: SpanMap,
    /// How new text must be written into this literal.
    pub layer: Layer,
    /// Which host interpolation is left visible in `code`.
    pub interpolation: Interpolation,
}

impl Decoded {
    /// The same value with its map moved to a literal that starts at `by`
    /// in the host cell, ready for [`crate::Cell::nested`].
    #[must_use]
    pub fn shifted(mut self, by: usize) -> Decoded {
        self.map = self.map.shifted(by);
        self
    }
}

/// Whether `text` can stand as it is inside a raw Python literal quoted
/// with `quote`: a raw literal cannot escape its quote, a line break
/// (unless triple-quoted) or a final backslash. A triple-quoted one holds
/// a quote that does not join another of the text into three; one that
/// joins the literal's own quotes makes code that does not parse, which
/// the rewriter refuses to write.
pub fn fits_raw_python(text: &str, quote: char, triple: bool) -> bool {
    let quotes_fit = if triple {
        !text.contains(&format!("{quote}{quote}"))
    } else {
        !text.contains(quote) && !text.contains('\n')
    };
    quotes_fit && !text.ends_with('\\')
}

/// Decodes the full source text of a Python string literal: optional prefix
/// (`r`, `b`, `u`, `f`, `rb`, `fr` in any case), then single or triple
/// quotes. `None` when `text` is not one well-formed literal.
///
/// `\N{NAME}` escapes become U+FFFD: no Unicode name table is carried, and
/// shell commands almost never spell characters by name.
pub fn python_literal(text: &str) -> Option<Decoded> {
    let prefix_len = text.find(['\'', '"'])?;
    let prefix = text[..prefix_len].to_ascii_lowercase();
    let (raw, bytes, fstring) = match prefix.as_str() {
        "" | "u" => (false, false, false),
        "r" => (true, false, false),
        "b" => (false, true, false),
        "f" => (false, false, true),
        "rb" | "br" => (true, true, false),
        "rf" | "fr" => (true, false, true),
        _ => return None,
    };
    let rest = &text[prefix_len..];
    let quote = if rest.starts_with('"') { '"' } else { '\'' };
    let triple = rest.starts_with(&quote.to_string().repeat(3)) && rest.len() >= 6;
    let quote_len = if triple { 3 } else { 1 };
    let body_start = prefix_len + quote_len;
    let body_end = text.len().checked_sub(quote_len)?;
    let closing = text.get(body_end..).filter(|_| body_end >= body_start)?;
    if !closing.chars().all(|c| c == quote) {
        return None;
    }

    let body = &text[body_start..body_end];
    let mut decoder = Decoder::new(body, body_start);
    let mut i = 0;
    while i < body.len() {
        let b = body.as_bytes()[i];
        i = if b == b'\\' && !raw {
            python_escape(&mut decoder, i, bytes)?
        } else if fstring && (b == b'{' || b == b'}') {
            decoder.brace(i, b)?
        } else {
            i + 1
        };
    }

    Some(Decoded {
        code: decoder.finish_code(),
        map: decoder.builder.finish(),
        layer: Layer::PythonString { quote, triple, raw },
        interpolation: if fstring {
            Interpolation::Braces
        } else {
            Interpolation::None
        },
    })
}

/// Decodes the full source text of a Scala string literal: `"..."` with
/// escapes, `"""..."""` taken as written, and the `s`, `f` and `raw`
/// interpolators (`$name` and `${expr}` kept, `$$` decoded to `$`). Other
/// interpolators give `None`: what they build is not known.
///
/// Unicode escapes in triple-quoted literals (decoded by Scala 2.12's lexer)
/// stay as written: rare in shell commands, and harmless to the analysis.
pub fn scala_literal(text: &str) -> Option<Decoded> {
    let prefix_len = text.find('"')?;
    let (escapes, interpolated) = match &text[..prefix_len] {
        "" => (true, false),
        "s" | "f" => (true, true),
        "raw" => (false, true),
        _ => return None,
    };
    let rest = &text[prefix_len..];
    let triple = rest.starts_with("\"\"\"") && rest.len() >= 6;
    let quote_len = if triple { 3 } else { 1 };
    let body_start = prefix_len + quote_len;
    let body_end = text.len().checked_sub(quote_len)?;
    let closing = text.get(body_end..).filter(|_| body_end >= body_start)?;
    if !closing.chars().all(|c| c == '"') {
        return None;
    }
    // A plain triple-quoted literal is raw; interpolators decide for themselves.
    let escapes = escapes && (interpolated || !triple);

    let body = &text[body_start..body_end];
    let mut decoder = Decoder::new(body, body_start);
    let mut i = 0;
    while i < body.len() {
        let b = body.as_bytes()[i];
        i = if b == b'\\' && escapes {
            scala_escape(&mut decoder, i)?
        } else if b == b'$' && interpolated {
            decoder.dollar(i)
        } else {
            i + 1
        };
    }

    Some(Decoded {
        code: decoder.finish_code(),
        map: decoder.builder.finish(),
        layer: Layer::ScalaString { triple },
        interpolation: if interpolated {
            Interpolation::Dollar
        } else {
            Interpolation::None
        },
    })
}

/// Builds the decoded text and its map: verbatim runs are copied lazily,
/// escapes are pushed as whole segments.
struct Decoder<'a> {
    body: &'a str,
    code: String,
    builder: SpanMapBuilder,
    /// Start of the verbatim run not yet copied.
    run: usize,
}

impl<'a> Decoder<'a> {
    fn new(body: &'a str, body_start: usize) -> Self {
        Decoder {
            body,
            code: String::with_capacity(body.len()),
            builder: SpanMapBuilder::new(body_start),
            run: 0,
        }
    }

    /// Copies the pending verbatim run up to `at`.
    fn flush(&mut self, at: usize) {
        self.code.push_str(&self.body[self.run..at]);
        self.builder.verbatim(at - self.run);
        self.run = at;
    }

    /// The source bytes `at..at + len` decode to `c`; returns the next offset.
    fn escape(&mut self, at: usize, len: usize, c: char) -> usize {
        self.flush(at);
        self.code.push(c);
        self.builder.escaped(c.len_utf8(), len);
        self.run = at + len;
        self.run
    }

    /// The source bytes `at..at + len` decode to nothing (a line
    /// continuation); returns the next offset.
    fn drop_bytes(&mut self, at: usize, len: usize) -> usize {
        self.flush(at);
        self.builder.skip(len);
        self.run = at + len;
        self.run
    }

    /// A `{` or `}` in a Python f-string: doubled ones are escapes, a single
    /// `{` opens an expression kept verbatim up to its matching `}`.
    fn brace(&mut self, at: usize, brace: u8) -> Option<usize> {
        let bytes = self.body.as_bytes();
        if bytes.get(at + 1) == Some(&brace) {
            return Some(self.escape(at, 2, char::from(brace)));
        }
        if brace == b'}' {
            // A lone `}` is a syntax error in Python.
            return None;
        }
        matching_close(bytes, at, b'{', b'}').map(|close| close + 1)
    }

    /// A `$` in a Scala interpolated string.
    fn dollar(&mut self, at: usize) -> usize {
        let bytes = self.body.as_bytes();
        match bytes.get(at + 1) {
            Some(b'$') => self.escape(at, 2, '$'),
            Some(b'"') => self.escape(at, 2, '"'),
            Some(b'{') => matching_close(bytes, at + 1, b'{', b'}').map_or(bytes.len(), |c| c + 1),
            _ => at + 1,
        }
    }

    fn finish_code(&mut self) -> String {
        self.flush(self.body.len());
        std::mem::take(&mut self.code)
    }
}

/// Offset of the bracket closing the one at `open_at`, counting nesting.
fn matching_close(bytes: &[u8], open_at: usize, open: u8, close: u8) -> Option<usize> {
    let mut depth = 0usize;
    for (i, &b) in bytes.iter().enumerate().skip(open_at) {
        if b == open {
            depth += 1;
        } else if b == close {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

/// Decodes the Python escape at `at` (a backslash); returns the next offset,
/// or `None` for an escape Python rejects.
fn python_escape(decoder: &mut Decoder, at: usize, bytes: bool) -> Option<usize> {
    let rest = &decoder.body.as_bytes()[at + 1..];
    let Some(&next) = rest.first() else {
        // A trailing backslash would have escaped the closing quote.
        return None;
    };
    let simple = match next {
        b'\\' => Some('\\'),
        b'\'' => Some('\''),
        b'"' => Some('"'),
        b'a' => Some('\u{7}'),
        b'b' => Some('\u{8}'),
        b'f' => Some('\u{c}'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\u{b}'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some(decoder.escape(at, 2, c));
    }

    match next {
        b'\n' => Some(decoder.drop_bytes(at, 2)),
        b'\r' if rest.get(1) == Some(&b'\n') => Some(decoder.drop_bytes(at, 3)),
        b'0'..=b'7' => {
            let digits = rest
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b));
            let len = digits.clone().count();
            let value = digits.fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
            let c = if bytes {
                byte_char(value)
            } else {
                scalar(value)
            };
            Some(decoder.escape(at, 1 + len, c))
        }
        b'x' => {
            let value = hex_value(rest.get(1..3)?)?;
            let c = if bytes {
                byte_char(value)
            } else {
                scalar(value)
            };
            Some(decoder.escape(at, 4, c))
        }
        b'u' if !bytes => {
            let value = hex_value(rest.get(1..5)?)?;
            Some(decoder.escape(at, 6, scalar(value)))
        }
        b'U' if !bytes => {
            let value = hex_value(rest.get(1..9)?)?;
            Some(decoder.escape(at, 10, scalar(value)))
        }
        b'N' if !bytes => {
            if rest.get(1) != Some(&b'{') {
                return None;
            }
            let close = rest.iter().position(|&b| b == b'}')?;
            Some(decoder.escape(at, 2 + close, char::REPLACEMENT_CHARACTER))
        }
        // Python keeps the backslash of an unknown escape (`\d`, `\$`).
        _ => Some(at + 1),
    }
}

/// Decodes the Scala escape at `at` (a backslash); returns the next offset,
/// or `None` for an escape Scala rejects.
fn scala_escape(decoder: &mut Decoder, at: usize) -> Option<usize> {
    let rest = &decoder.body.as_bytes()[at + 1..];
    let c = match rest.first()? {
        b'\\' => '\\',
        b'"' => '"',
        b'\'' => '\'',
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        b'u' => {
            // Scala allows any number of `u`s: `\uuu0041`.
            let us = rest.iter().take_while(|&&b| b == b'u').count();
            let value = hex_value(rest.get(us..us + 4)?)?;
            return Some(decoder.escape(at, 1 + us + 4, scalar(value)));
        }
        b'0'..=b'7' => {
            let digits = rest
                .iter()
                .take(3)
                .take_while(|b| (b'0'..=b'7').contains(b));
            let len = digits.clone().count();
            let value = digits.fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
            return Some(decoder.escape(at, 1 + len, scalar(value)));
        }
        _ => return None,
    };
    Some(decoder.escape(at, 2, c))
}

fn hex_value(digits: &[u8]) -> Option<u32> {
    let text = std::str::from_utf8(digits).ok()?;
    if !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(text, 16).ok()
}

/// A Unicode scalar value, or U+FFFD for surrogates and values past U+10FFFF.
fn scalar(value: u32) -> char {
    char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// A byte of a bytes literal as text: non-ASCII bytes are not text.
fn byte_char(value: u32) -> char {
    if value < 0x80 {
        scalar(value)
    } else {
        char::REPLACEMENT_CHARACTER
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh tester: `r"""..."""` refused every fix holding a `"`, which
    /// `r'''...'''` took. A triple-quoted raw literal holds a quote that does
    /// not join another into three.
    #[test]
    fn raw_triple_quoted_literals_hold_lone_quotes() {
        let header = "curl -H \"X: $T\" -s";
        assert!(fits_raw_python(header, '"', true));
        assert!(fits_raw_python("a\nb", '"', true));
        assert!(!fits_raw_python("a\"\"b", '"', true));
        assert!(!fits_raw_python("a\\", '"', true));
        assert!(!fits_raw_python(header, '"', false));
        assert!(!fits_raw_python("a\nb", '"', false));
    }

    /// Checks that every verbatim segment points at the same bytes in `text`.
    fn assert_verbatim_runs_match(text: &str, decoded: &Decoded) {
        for seg in decoded.map.segments() {
            if seg.cell_len == seg.file_len {
                assert_eq!(
                    &decoded.code[seg.cell..seg.cell + seg.cell_len],
                    &text[seg.file..seg.file + seg.file_len]
                );
            }
        }
        assert_eq!(decoded.map.cell_len(), decoded.code.len());
    }

    fn py(text: &str) -> Decoded {
        let decoded = python_literal(text).unwrap_or_else(|| panic!("{text} did not decode"));
        assert_verbatim_runs_match(text, &decoded);
        decoded
    }

    fn scala(text: &str) -> Decoded {
        let decoded = scala_literal(text).unwrap_or_else(|| panic!("{text} did not decode"));
        assert_verbatim_runs_match(text, &decoded);
        decoded
    }

    #[test]
    fn python_plain_string_maps_past_the_quote() {
        let d = py("'curl http://x'");
        assert_eq!(d.code, "curl http://x");
        assert_eq!(d.map.file_range(0..4), 1..5);
        assert_eq!(d.interpolation, Interpolation::None);
        assert_eq!(
            d.layer,
            Layer::PythonString {
                quote: '\'',
                triple: false,
                raw: false
            }
        );
    }

    #[test]
    fn python_escapes_map_as_a_whole() {
        let text = r#""a\"b\\c\td\x41\u00e9\U0001F600\101\N{BULLET}z""#;
        let d = py(text);
        assert_eq!(d.code, "a\"b\\c\td\u{41}\u{e9}\u{1F600}A\u{FFFD}z");
        let quote = d.code.find('"').unwrap_or_default();
        assert_eq!(&text[d.map.file_range(quote..quote + 1)], "\\\"");
        let e = d.code.find('é').unwrap_or_default();
        assert_eq!(&text[d.map.file_range(e..e + 2)], "\\u00e9");
        let smile = d.code.find('\u{1F600}').unwrap_or_default();
        assert_eq!(&text[d.map.file_range(smile..smile + 4)], "\\U0001F600");
        let z = d.code.len() - 1;
        assert_eq!(&text[d.map.file_range(z..z + 1)], "z");
    }

    #[test]
    fn python_unknown_escape_keeps_its_backslash() {
        let d = py(r"'grep \d \$HOME'");
        assert_eq!(d.code, r"grep \d \$HOME");
        assert_eq!(d.map.segments().len(), 1);
    }

    #[test]
    fn python_raw_and_bytes_prefixes() {
        let d = py(r#"R"a\nb\"""#);
        assert_eq!(d.code, r#"a\nb\""#);
        assert!(matches!(d.layer, Layer::PythonString { raw: true, .. }));
        assert_eq!(py(r"b'\x41\xff\u0041'").code, "A\u{FFFD}\\u0041");
        assert_eq!(py(r"Rb'\x41'").code, r"\x41");
        assert_eq!(py("u'x'").code, "x");
    }

    #[test]
    fn python_triple_quotes_and_line_continuation() {
        let text = "\"\"\"curl \\\n  -s 'x'\n\"\"\"";
        let d = py(text);
        assert_eq!(d.code, "curl   -s 'x'\n");
        assert!(matches!(d.layer, Layer::PythonString { triple: true, .. }));
        // `-s` maps after the backslash-newline
        let s = d.code.find("-s").unwrap_or_default();
        assert_eq!(&text[d.map.file_range(s..s + 2)], "-s");
    }

    #[test]
    fn python_fstring_keeps_expressions_and_decodes_doubled_braces() {
        let text = "f\"curl {base}/x {{a}} {d['k']:>{w}}\"";
        let d = py(text);
        assert_eq!(d.code, "curl {base}/x {a} {d['k']:>{w}}");
        assert_eq!(d.interpolation, Interpolation::Braces);
        let open = d.code.find("{a").unwrap_or_default();
        assert_eq!(&text[d.map.file_range(open..open + 1)], "{{");
        let base = d.code.find("{base}").unwrap_or_default();
        assert_eq!(&text[d.map.file_range(base..base + 6)], "{base}");
    }

    #[test]
    fn python_rejects_malformed_literals() {
        assert!(python_literal("x").is_none());
        assert!(python_literal("'abc").is_none());
        assert!(python_literal("'").is_none());
        assert!(python_literal("q'abc'").is_none());
        assert!(python_literal(r"'\x4'").is_none());
        assert!(python_literal(r"'\u12'").is_none());
        assert!(python_literal("f'a}b'").is_none());
        assert!(python_literal("'abc\"").is_none());
    }

    #[test]
    fn closing_quote_cut_inside_a_character_is_refused() {
        // `text.len() - 1` falls inside `é`: once a panic on slicing
        assert!(python_literal("'é").is_none());
        assert!(scala_literal("\"é").is_none());
    }

    #[test]
    fn python_empty_and_quote_only_literals() {
        assert_eq!(py("''").code, "");
        assert_eq!(py("\"\"\"\"\"\"").code, "");
        assert_eq!(py("''").map.file_start(0), 1);
    }

    #[test]
    fn shifted_map_points_into_the_host() {
        let host = "os.system(\"curl \\\"x\\\"\")";
        let start = host.find('"').unwrap_or_default();
        let end = host.len() - 1;
        let d = py(&host[start..end]).shifted(start);
        assert_eq!(d.code, "curl \"x\"");
        assert_eq!(&host[d.map.file_range(0..4)], "curl");
        assert_eq!(&host[d.map.file_range(5..6)], "\\\"");
        assert_eq!(&host[d.map.file_range(6..7)], "x");
    }

    #[test]
    fn scala_plain_and_escaped() {
        let text = r#""curl -H \"a\" \u0041\uu0042\101\n""#;
        let d = scala(text);
        assert_eq!(d.code, "curl -H \"a\" ABA\n");
        assert_eq!(d.layer, Layer::ScalaString { triple: false });
        let b = d.code.find('B').unwrap_or_default();
        assert_eq!(&text[d.map.file_range(b..b + 1)], "\\uu0042");
        assert!(scala_literal(r#""\q""#).is_none());
    }

    #[test]
    fn scala_triple_quoted_is_raw() {
        let d = scala(r#""""curl "x" \n""""#);
        assert_eq!(d.code, r#"curl "x" \n"#);
        assert_eq!(d.layer, Layer::ScalaString { triple: true });
        assert_eq!(scala("\"\"\"a\"\"\"\"").code, "a\"");
    }

    #[test]
    fn scala_interpolators() {
        let text = r#"s"curl $base/${path.x} $$HOME $"q\t""#;
        let d = scala(text);
        assert_eq!(d.code, "curl $base/${path.x} $HOME \"q\t");
        assert_eq!(d.interpolation, Interpolation::Dollar);
        let dollar = d.code.find("$HOME").unwrap_or_default();
        assert_eq!(&text[d.map.file_range(dollar..dollar + 1)], "$$");

        assert_eq!(scala(r#"raw"a\n$x""#).code, r"a\n$x");
        assert_eq!(scala(r#"f"$x%d\n""#).code, "$x%d\n");
        assert_eq!(scala(r#"s"""a\n$b""""#).code, "a\n$b");
        assert!(scala_literal(r#"sql"select 1""#).is_none());
        assert!(scala_literal("'c'").is_none());
        assert!(scala_literal("\"open").is_none());
    }
}
