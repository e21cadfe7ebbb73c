//! Scala string literals and interpolated strings, decoded into parts that
//! remember where in the cell each part of the value was written.
//!
//! Values need only the decoded text; `sys.process` commands also need the
//! place of each word, so that a finding or a fix can point into the string.

use std::ops::Range;

use super::{child_in, kind_of};
use tree_sitter::Node;

/// One part of a decoded string literal.
#[derive(Debug, Clone)]
pub struct Part<'tree> {
    /// What the part holds.
    pub kind: PartKind<'tree>,
    /// Where the part is written, in cell coordinates.
    pub range: Range<usize>,
}

/// What a [`Part`] holds.
#[derive(Debug, Clone)]
pub enum PartKind<'tree> {
    /// Text written as it is: byte `i` of the value is byte `range.start + i`.
    Verbatim(String),
    /// Text written as an escape (`\t`, `\u0041`, `$$`): maps only as a whole.
    Escape(String),
    /// An interpolated expression (`$name`, `${expr}`).
    Hole {
        /// The expression.
        expr: Node<'tree>,
        /// Whether an `f""` format spec other than `%s` formats it, so the
        /// text it adds is not the value's own.
        formatted: bool,
    },
}

/// How a literal's body is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flavour {
    /// `"..."` and `s"..."`: backslash escapes are decoded.
    Escaped,
    /// `"""..."""` and `raw"..."`: backslashes are plain text.
    Raw,
    /// `f"..."`: escapes, and `%` format specs after holes.
    Format,
}

/// Decodes a `string` or an `s`/`f`/`raw` `interpolated_string_expression`
/// node; `None` for any other node, including other interpolators
/// (`json"..."`), whose value the analyser cannot know.
pub fn decode<'tree>(node: Node<'tree>, code: &str) -> Option<Vec<Part<'tree>>> {
    match kind_of(node) {
        "string" => Some(decode_plain(node, code)),
        "interpolated_string_expression" => {
            let interpolator = child_in(node, "interpolator")?;
            let flavour = match &code[interpolator.byte_range()] {
                "s" => Flavour::Escaped,
                "raw" => Flavour::Raw,
                "f" => Flavour::Format,
                _ => return None,
            };
            let body = node.named_child(1)?;
            (kind_of(body) == "interpolated_string")
                .then(|| decode_interpolated(body, code, flavour))
        }
        _ => None,
    }
}

fn decode_plain<'tree>(node: Node<'tree>, code: &str) -> Vec<Part<'tree>> {
    let range = node.byte_range();
    let text = &code[range.clone()];
    let (quote, flavour) = if text.starts_with("\"\"\"") {
        (3, Flavour::Raw)
    } else {
        (1, Flavour::Escaped)
    };
    let end = range.end.saturating_sub(quote).max(range.start + quote);
    let mut parts = Vec::new();
    push_body(&mut parts, code, range.start + quote..end, flavour, false);
    parts
}

fn decode_interpolated<'tree>(body: Node<'tree>, code: &str, flavour: Flavour) -> Vec<Part<'tree>> {
    let range = body.byte_range();
    let quote = if code[range.clone()].starts_with("\"\"\"") {
        3
    } else {
        1
    };
    let content = range.start + quote..range.end.saturating_sub(quote).max(range.start + quote);

    // Holes are children; the text between them is the literal's own.
    let mut parts = Vec::new();
    let mut at = content.start;
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        if kind_of(child) != "interpolation" {
            continue;
        }
        let hole = child.byte_range();
        push_text_after_hole(&mut parts, code, at..hole.start, flavour);
        if let Some(expr) = hole_expression(child) {
            parts.push(Part {
                kind: PartKind::Hole {
                    expr,
                    formatted: false,
                },
                range: hole.clone(),
            });
        }
        at = hole.end;
    }
    push_text_after_hole(&mut parts, code, at..content.end, flavour);
    parts
}

/// `$name` holds an identifier; `${expr}` a block whose one expression is
/// the value.
fn hole_expression(interpolation: Node<'_>) -> Option<Node<'_>> {
    let inner = interpolation.named_child(0)?;
    if kind_of(inner) == "block" && inner.named_child_count() == 1 {
        return inner.named_child(0);
    }
    Some(inner)
}

/// Text between holes; in `f""` a format spec right after a hole belongs
/// to the hole, and marks it formatted unless it is `%s`.
fn push_text_after_hole(
    parts: &mut Vec<Part<'_>>,
    code: &str,
    range: Range<usize>,
    flavour: Flavour,
) {
    let mut start = range.start;
    if flavour == Flavour::Format && start < range.end {
        let after_hole = matches!(parts.last(), Some(p) if p.range.end == start && matches!(p.kind, PartKind::Hole { .. }));
        if after_hole {
            let spec_len = format_spec_len(&code[range.clone()]);
            if spec_len > 0 {
                let plain_s = code[start..start + spec_len].eq_ignore_ascii_case("%s");
                if let Some(Part {
                    kind: PartKind::Hole { formatted, .. },
                    range: hole,
                }) = parts.last_mut()
                {
                    *formatted = !plain_s;
                    hole.end = start + spec_len;
                }
                start += spec_len;
            }
        }
    }
    push_body(parts, code, start..range.end, flavour, true);
}

/// Length of a `java.util.Formatter` spec at the start of `text` (`%s`,
/// `%-10.3f`, `%tY`), 0 when there is none.
fn format_spec_len(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.first() != Some(&b'%') {
        return 0;
    }
    let mut i = 1;
    while i < bytes.len() && (bytes[i].is_ascii_digit() || b"-#+ 0,(.<$".contains(&bytes[i])) {
        i += 1;
    }
    match bytes.get(i) {
        // A date conversion (`%tY`) names its field with one ASCII letter.
        Some(b't' | b'T') if bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) => i + 2,
        Some(c) if c.is_ascii_alphabetic() || *c == b'%' => i + 1,
        _ => 0,
    }
}

/// Decodes the literal text in `range`, splitting it into verbatim runs
/// and escapes; `$$` and `$"` are escapes only in interpolated strings.
fn push_body(
    parts: &mut Vec<Part<'_>>,
    code: &str,
    range: Range<usize>,
    flavour: Flavour,
    interpolated: bool,
) {
    // Error recovery can give an unterminated literal a range that ends
    // before it starts: there is no body to read then.
    let Some(text) = code.get(range.clone()) else {
        return;
    };
    let bytes = text.as_bytes();
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let escape = match (bytes[i], flavour) {
            (b'$', _)
                if interpolated && bytes.get(i + 1).is_some_and(|b| *b == b'$' || *b == b'"') =>
            {
                Some((2, text[i + 1..i + 2].to_owned()))
            }
            (b'\\', Flavour::Escaped | Flavour::Format) => backslash_escape(&text[i..]),
            (b'%', Flavour::Format) => match bytes.get(i + 1) {
                Some(b'%') => Some((2, "%".to_owned())),
                Some(b'n') => Some((2, "\n".to_owned())),
                _ => None,
            },
            _ => None,
        };
        let Some((len, decoded)) = escape else {
            i += 1;
            continue;
        };
        push_verbatim(parts, code, range.start + run_start..range.start + i);
        parts.push(Part {
            kind: PartKind::Escape(decoded),
            range: range.start + i..range.start + i + len,
        });
        i += len;
        run_start = i;
    }
    push_verbatim(parts, code, range.start + run_start..range.end);
}

fn push_verbatim(parts: &mut Vec<Part<'_>>, code: &str, range: Range<usize>) {
    if range.is_empty() {
        return;
    }
    parts.push(Part {
        kind: PartKind::Verbatim(code[range.clone()].to_owned()),
        range,
    });
}

/// A backslash escape at the start of `text`: its length and value.
fn backslash_escape(text: &str) -> Option<(usize, String)> {
    let next = *text.as_bytes().get(1)?;
    let simple = match next {
        b'b' => Some('\u{8}'),
        b't' => Some('\t'),
        b'n' => Some('\n'),
        b'f' => Some('\u{c}'),
        b'r' => Some('\r'),
        b'"' => Some('"'),
        b'\'' => Some('\''),
        b'\\' => Some('\\'),
        _ => None,
    };
    if let Some(c) = simple {
        return Some((2, c.to_string()));
    }
    if next == b'u' {
        // `\uuuu0041` is legal: any number of `u`s.
        let us = text[1..].bytes().take_while(|b| *b == b'u').count();
        let hex = text.get(1 + us..5 + us)?;
        let c = char::from_u32(u32::from_str_radix(hex, 16).ok()?)?;
        return Some((5 + us, c.to_string()));
    }
    if next.is_ascii_digit() && next < b'8' {
        // Octal escapes (removed in 2.13, still read by 2.11 and 2.12).
        let digits = text[1..]
            .bytes()
            .take(3)
            .take_while(|b| (b'0'..b'8').contains(b))
            .count();
        let value = u32::from_str_radix(&text[1..=digits], 8).ok()?;
        let c = char::from_u32(value)?;
        return Some((1 + digits, c.to_string()));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    /// Decodes the first string-like expression of `code` and renders it,
    /// holes as `{expr}` (`{!expr}` when formatted).
    fn render(code: &str) -> Option<String> {
        let tree = syntax::parse(Lang::Scala, code)?;
        let node = tree.root_node().named_child(0)?;
        let parts = decode(node, code)?;
        let mut out = String::new();
        for part in &parts {
            match &part.kind {
                PartKind::Verbatim(s) => {
                    assert_eq!(&code[part.range.clone()], s);
                    out.push_str(s);
                }
                PartKind::Escape(s) => out.push_str(s),
                PartKind::Hole { expr, formatted } => {
                    let bang = if *formatted { "!" } else { "" };
                    out.push('{');
                    out.push_str(bang);
                    out.push_str(&code[expr.byte_range()]);
                    out.push('}');
                }
            }
        }
        Some(out)
    }

    #[test]
    fn plain_literals_decode_escapes() {
        assert_eq!(
            render(r#""a\tb\u0041\\\"c""#).as_deref(),
            Some("a\tbA\\\"c")
        );
        assert_eq!(render(r#""""a\tb"c""""#).as_deref(), Some("a\\tb\"c"));
        assert_eq!(render(r#""\101\uu0042""#).as_deref(), Some("AB"));
        assert_eq!(render(r#""""#).as_deref(), Some(""));
        assert_eq!(render(r#""a$$b""#).as_deref(), Some("a$$b"));
    }

    #[test]
    fn interpolations_become_holes() {
        assert_eq!(render(r#"s"$a/x${b}y$$""#).as_deref(), Some("{a}/x{b}y$"));
        assert_eq!(render(r#"s"${M.base}/z""#).as_deref(), Some("{M.base}/z"));
        assert_eq!(render(r#"raw"a\tb$x""#).as_deref(), Some("a\\tb{x}"));
        assert_eq!(render(r#"s"""q"$a""""#).as_deref(), Some("q\"{a}"));
    }

    #[test]
    fn format_specs_belong_to_their_hole() {
        assert_eq!(render(r#"f"$a%s/x%%y""#).as_deref(), Some("{a}/x%y"));
        assert_eq!(render(r#"f"$n%05d/x""#).as_deref(), Some("{!n}/x"));
        assert_eq!(render(r#"f"$a/x""#).as_deref(), Some("{a}/x"));
        // Found by fuzzing (bug 17): `%t` before a character of several
        // bytes took the spec into the middle of it (a panic).
        assert_eq!(
            render("f\"$a%t\u{1b699}/x\"").as_deref(),
            Some("{!a}\u{1b699}/x")
        );
        assert_eq!(render(r#"f"$a%tY/x""#).as_deref(), Some("{!a}/x"));
    }

    #[test]
    fn other_interpolators_and_expressions_are_not_strings() {
        assert_eq!(render(r#"json"{}""#), None);
        assert_eq!(render("x + 1"), None);
    }
}
