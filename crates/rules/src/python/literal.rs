//! The value of a Python string literal's text: its prefix (`r`, `b`,
//! `f`...) and its escape sequences, as the interpreter reads them.

/// What a string literal's prefix says about its body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) struct Prefix {
    /// `r`: backslashes are kept as written.
    pub raw: bool,
    /// `f`: `{expr}` is interpolated, `{{` is `{`.
    pub format: bool,
    /// `b`: a bytes literal (`\u` is not an escape there).
    pub bytes: bool,
}

impl Prefix {
    /// Reads the prefix of a `string_start` token such as `rb"` or `F'''`.
    pub(super) fn of(start: &str) -> Self {
        let letters = start.trim_end_matches(['"', '\'']).to_ascii_lowercase();
        Prefix {
            raw: letters.contains('r'),
            format: letters.contains('f'),
            bytes: letters.contains('b'),
        }
    }
}

/// The value of a piece of literal body text (between interpolations).
pub(super) fn decode(body: &str, prefix: Prefix) -> String {
    let body = if prefix.format {
        body.replace("{{", "{").replace("}}", "}")
    } else {
        body.to_owned()
    };
    if prefix.raw {
        return body;
    }
    unescape(&body, prefix.bytes)
}

fn unescape(body: &str, bytes: bool) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = chars.next() else {
            out.push('\\');
            break;
        };
        match e {
            '\n' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
            }
            '\\' | '\'' | '"' => out.push(e),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'v' => out.push('\u{b}'),
            '0'..='7' => {
                let mut value = e.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match chars.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            value = value * 8 + d;
                            chars.next();
                        }
                        None => break,
                    }
                }
                out.extend(char::from_u32(value));
            }
            'x' => push_hex(&mut out, &mut chars, 2, e),
            'u' if !bytes => push_hex(&mut out, &mut chars, 4, e),
            'U' if !bytes => push_hex(&mut out, &mut chars, 8, e),
            _ => {
                // Unknown escapes (and `\N{...}`, whose names we do not
                // carry a table for) stay as written.
                out.push('\\');
                out.push(e);
            }
        }
    }
    out
}

fn push_hex(
    out: &mut String,
    chars: &mut std::iter::Peekable<std::str::Chars>,
    digits: usize,
    letter: char,
) {
    let mut hex = String::new();
    while hex.len() < digits {
        match chars.peek() {
            Some(d) if d.is_ascii_hexdigit() => {
                hex.push(*d);
                chars.next();
            }
            _ => break,
        }
    }
    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
        Some(c) if hex.len() == digits => out.push(c),
        _ => {
            out.push('\\');
            out.push(letter);
            out.push_str(&hex);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(
            Prefix::of("Rb'"),
            Prefix {
                raw: true,
                format: false,
                bytes: true
            }
        );
        assert!(Prefix::of("f\"\"\"").format);
        assert_eq!(Prefix::of("'"), Prefix::default());
    }

    #[test]
    fn escapes_decode_unless_raw() {
        let plain = Prefix::default();
        assert_eq!(decode(r"a\nb\x41\u0042\103\\", plain), "a\nbABC\\");
        assert_eq!(decode("a\\\nb", plain), "ab");
        assert_eq!(decode(r"\d\N{DASH}", plain), r"\d\N{DASH}");
        assert_eq!(decode(r"\x4", plain), r"\x4");
        let raw = Prefix::of("r'");
        assert_eq!(decode(r"a\nb", raw), r"a\nb");
        let bytes = Prefix::of("b'");
        assert_eq!(decode(r"\u0041\x41", bytes), r"\u0041A");
    }

    #[test]
    fn format_strings_halve_braces() {
        assert_eq!(decode("{{x}}", Prefix::of("f'")), "{x}");
        assert_eq!(decode("{{x}}", Prefix::default()), "{{x}}");
    }
}
