//! The values of shell words: quotes removed, escapes decoded, `$X`,
//! `${X}` and `${X:-default}` looked up, and unquoted expansions split
//! into fields, as far as the cell tells.

use std::ops::Range;

use tree_sitter::Node;

use super::argv::Word;
use super::env::ShellEnv;
use super::kind_of;
use crate::text::{Piece, Text};

/// Expansions nest (`${A:-${B:-...}}`); deeper than this, a value is
/// taken as unknown rather than followed.
const MAX_DEPTH: usize = 32;

/// Reads word nodes of one piece of shell code.
pub(super) struct Expander<'a, 'o> {
    /// The code the nodes are in.
    pub source: &'a str,
    /// The variables in force.
    pub env: &'a ShellEnv<'o>,
}

impl Expander<'_, '_> {
    /// The value of a word-like node (word, string, expansion...).
    pub fn text(&self, node: Node) -> Text {
        let mut text = Text::default();
        self.push_value(node, 0, &mut text);
        if self.env.braces() {
            text = self.host_braces(&text);
        }
        text
    }

    /// The arguments a word node stands for: an unquoted expansion is
    /// split into fields (and vanishes when empty); `"$@"` and unknown
    /// unquoted expansions are spread words. Ranges are the node's.
    pub fn words(&self, node: Node, out: &mut Vec<Word>) {
        let range = node.byte_range();
        // `$CURL url`: a command name is split like any other word.
        let node = match node.named_child(0) {
            Some(only) if kind_of(node) == "command_name" && node.named_child_count() == 1 => only,
            _ => node,
        };
        let text = self.text(node);
        match kind_of(node) {
            "simple_expansion" | "expansion" | "command_substitution" => {
                split_fields(&text, &range, out);
            }
            "string" if text.is_unknown() && is_all_arguments(node, self.source) => {
                out.push(Word::spread(text, range));
            }
            "concatenation" => {
                let unquoted_unknown = children(node).iter().any(|c| {
                    matches!(
                        kind_of(c),
                        "simple_expansion" | "expansion" | "command_substitution"
                    )
                }) && text.has_unknown();
                out.push(Word {
                    text,
                    range,
                    spread: unquoted_unknown,
                    verbatim: self.is_verbatim(node),
                });
            }
            _ => out.push(Word {
                verbatim: self.is_verbatim(node),
                ..Word::new(text, range)
            }),
        }
    }

    /// Whether the value of `node` is written out in the code: quoted or
    /// not, with no expansion in it, nor a `{expr}` the host expands.
    fn is_verbatim(&self, node: Node) -> bool {
        match kind_of(node) {
            "word" | "raw_string" | "ansi_c_string" | "number" | "string_content" => {
                !self.env.braces() || !self.source[node.byte_range()].contains('{')
            }
            "string" | "translated_string" | "concatenation" => children(node)
                .into_iter()
                .filter(Node::is_named)
                .all(|child| self.is_verbatim(child)),
            _ => false,
        }
    }

    fn push_value(&self, node: Node, depth: usize, out: &mut Text) {
        if depth > MAX_DEPTH {
            out.push_unknown();
            return;
        }
        let src = &self.source[node.byte_range()];
        match kind_of(node) {
            "word" => out.push_lit(&unescape_unquoted(src)),
            "number" | "brace_expression" | "regex" => out.push_lit(src),
            "raw_string" => out.push_lit(strip_quotes(src, 1, 1)),
            "ansi_c_string" => out.push_lit(&unescape_ansi_c(strip_quotes(src, 2, 1))),
            "string" | "translated_string" => self.push_string(node, depth, out),
            "concatenation" | "command_name" => self.push_children(node, depth, out),
            "simple_expansion" => match node.named_child(0) {
                Some(name) if kind_of(name) == "variable_name" => {
                    self.push_variable(&self.source[name.byte_range()], out);
                }
                _ => out.push_unknown(),
            },
            "expansion" => self.push_expansion(node, depth, out),
            _ => out.push_unknown(),
        }
    }

    /// Children one after another; any text between them is literal.
    fn push_children(&self, node: Node, depth: usize, out: &mut Text) {
        let mut at = node.start_byte();
        for child in children(node) {
            out.push_lit(&unescape_unquoted(&self.source[at..child.start_byte()]));
            self.push_value(child, depth + 1, out);
            at = child.end_byte();
        }
        out.push_lit(&unescape_unquoted(&self.source[at..node.end_byte()]));
    }

    /// A double-quoted string: literal text with `\"`, `\$`... decoded,
    /// and expansions.
    fn push_string(&self, node: Node, depth: usize, out: &mut Text) {
        let open = if kind_of(node) == "translated_string" {
            2
        } else {
            1
        };
        let start = (node.start_byte() + open).min(node.end_byte());
        let end = node.end_byte().saturating_sub(1).max(start);
        let mut at = start;
        for child in children(node) {
            if child.end_byte() <= start || child.start_byte() >= end {
                continue;
            }
            if kind_of(child) == "string_content" || !child.is_named() {
                continue;
            }
            // Error recovery can hand out children that overlap the quotes
            // or each other: take only the text between them, if any.
            let between = self.source.get(at..child.start_byte()).unwrap_or_default();
            out.push_lit(&unescape_double(between));
            self.push_value(child, depth + 1, out);
            at = at.max(child.end_byte());
        }
        out.push_lit(&unescape_double(
            self.source.get(at..end).unwrap_or_default(),
        ));
    }

    fn push_variable(&self, name: &str, out: &mut Text) {
        match self.env.get(name) {
            Some(value) => out.push_text(value),
            None => out.push_unknown(),
        }
    }

    /// `${NAME}`, `${NAME:-default}`, `${NAME%suffix}`...
    fn push_expansion(&self, node: Node, depth: usize, out: &mut Text) {
        let parts = children(node);
        let Some(name_at) = parts.iter().position(|c| kind_of(c) == "variable_name") else {
            // `${#X}`, `${!X}`, `${A[0]}`, `${@}`: nothing to know.
            out.push_unknown();
            return;
        };
        let before = &parts[..name_at];
        if before.iter().any(|c| kind_of(c) != "${") {
            out.push_unknown();
            return;
        }
        let name = &self.source[parts[name_at].byte_range()];
        let value = self.env.get(name);
        let rest = &parts[name_at + 1..];
        let Some(op) = rest.first() else {
            self.push_variable(name, out);
            return;
        };
        if kind_of(op) == "}" {
            self.push_variable(name, out);
            return;
        }

        // The operand: what stands between the operator and `}`.
        let operand_end = rest
            .last()
            .filter(|c| kind_of(*c) == "}")
            .map_or(node.end_byte(), Node::start_byte);
        let mut operand = Text::default();
        let mut at = op.end_byte();
        for child in &rest[1..] {
            if child.start_byte() >= operand_end {
                break;
            }
            operand.push_lit(&unescape_unquoted(&self.source[at..child.start_byte()]));
            self.push_value(*child, depth + 1, &mut operand);
            at = child.end_byte();
        }
        operand.push_lit(&unescape_unquoted(
            &self.source[at.min(operand_end)..operand_end],
        ));

        let op = &self.source[op.byte_range()];
        match (op, value) {
            (":-" | ":=", Some(v)) if v.as_literal() == Some("") => out.push_text(&operand),
            (":-" | "-" | ":=" | "=" | ":?" | "?", Some(v)) => out.push_text(v),
            (":-" | "-" | ":=" | "=", None) | (":+" | "+", Some(_)) => out.push_text(&operand),
            (":+" | "+", None) => {}
            ("%" | "%%", Some(v)) => out.push_text(&strip_suffix(v, &operand)),
            ("#" | "##", Some(v)) => out.push_text(&strip_prefix(v, &operand)),
            _ => out.push_unknown(),
        }
    }

    /// Replaces `{expr}` in known parts by host values (`{{` is a brace).
    fn host_braces(&self, text: &Text) -> Text {
        let mut out = Text::default();
        for piece in text.pieces() {
            let Piece::Lit(s) = piece else {
                out.push_unknown();
                continue;
            };
            let mut rest = s.as_str();
            while let Some(open) = rest.find('{') {
                out.push_lit(&rest[..open]);
                let after = &rest[open + 1..];
                if let Some(more) = after.strip_prefix('{') {
                    out.push_lit("{");
                    rest = more;
                    continue;
                }
                if let Some(close) = after.find('}') {
                    let value = self.env.host_value(&after[..close]).unwrap_or_default();
                    out.push_text(&value);
                    rest = &after[close + 1..];
                } else {
                    out.push_lit("{");
                    rest = after;
                }
            }
            out.push_lit(&rest.replace("}}", "}"));
        }
        out
    }
}

/// The children of `node`, named and not.
fn children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.children(&mut cursor).collect()
}

/// Whether a string is `"$@"`, `"$*"` or `"${arr[@]}"`: all arguments.
fn is_all_arguments(node: Node, source: &str) -> bool {
    let text = &source[node.byte_range()];
    matches!(text, "\"$@\"" | "\"${@}\"") || text.ends_with("[@]}\"")
}

/// Splits an unquoted expansion's value into fields at blanks; a field
/// holding an unknown part may be several.
fn split_fields(text: &Text, range: &Range<usize>, out: &mut Vec<Word>) {
    let mut field = Text::default();
    let mut open = false;
    let flush = |field: &mut Text, open: &mut bool, out: &mut Vec<Word>| {
        if *open {
            let spread = field.has_unknown();
            out.push(Word {
                text: std::mem::take(field),
                range: range.clone(),
                spread,
                verbatim: false,
            });
        }
        *open = false;
    };
    for piece in text.pieces() {
        match piece {
            Piece::Unknown => {
                field.push_unknown();
                open = true;
            }
            Piece::Lit(s) => {
                for (i, part) in s.split([' ', '\t', '\n']).enumerate() {
                    if i > 0 {
                        flush(&mut field, &mut open, out);
                    }
                    if !part.is_empty() {
                        field.push_lit(part);
                        open = true;
                    }
                }
            }
        }
    }
    flush(&mut field, &mut open, out);
}

fn strip_quotes(s: &str, open: usize, close: usize) -> &str {
    s.get(open..s.len().saturating_sub(close))
        .unwrap_or_default()
}

/// Unquoted text: `\x` is `x`, backslash-newline joins lines.
pub(super) fn unescape_unquoted(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\n') => {}
            Some(next) => out.push(next),
            None => out.push('\\'),
        }
    }
    out
}

/// Inside double quotes only `\$`, `` \` ``, `\"`, `\\` and
/// backslash-newline are escapes.
pub(super) fn unescape_double(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('\n') => {
                chars.next();
            }
            Some(&next @ ('$' | '`' | '"' | '\\')) => {
                chars.next();
                out.push(next);
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// `$'...'` bodies, decoded as bash does: the C escapes, `\e`, octal,
/// `\x`, `\u` and `\U` code points and `\cX` controls; an unknown escape
/// keeps its backslash, and a NUL ends the string.
fn unescape_ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let escape = &rest[at + 1..];
        let Some(c) = escape.chars().next() else {
            out.push('\\');
            return out;
        };
        let (value, used) = match c {
            'a' => (Some('\u{7}'), 1),
            'b' => (Some('\u{8}'), 1),
            'e' | 'E' => (Some('\u{1b}'), 1),
            'f' => (Some('\u{c}'), 1),
            'n' => (Some('\n'), 1),
            'r' => (Some('\r'), 1),
            't' => (Some('\t'), 1),
            'v' => (Some('\u{b}'), 1),
            '\\' | '\'' | '"' | '?' => (Some(c), 1),
            '0'..='7' => code_point(escape, 0, 3, 8),
            'x' => code_point(escape, 1, 2, 16),
            'u' => code_point(escape, 1, 4, 16),
            'U' => code_point(escape, 1, 8, 16),
            'c' => match escape[1..].chars().next() {
                Some(x) if x.is_ascii() => (Some(char::from(x as u8 & 0x1f)), 2),
                _ => (None, 0),
            },
            _ => (None, 0),
        };
        match value {
            Some('\0') => return out,
            Some(value) => {
                out.push(value);
                rest = &escape[used..];
            }
            // Not an escape bash knows: the backslash stays.
            None => {
                out.push('\\');
                rest = escape;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character whose code is written in `base` by up to `max` digits
/// after the `skip` letters that start `escape`, and the bytes used.
fn code_point(escape: &str, skip: usize, max: usize, base: u32) -> (Option<char>, usize) {
    let digits = escape[skip..]
        .chars()
        .take(max)
        .take_while(|c| c.is_digit(base))
        .count();
    if digits == 0 {
        return (None, 0);
    }
    let value = u32::from_str_radix(&escape[skip..skip + digits], base).ok();
    // bash keeps only the low byte of a large octal escape.
    let value = if base == 8 {
        value.map(|v| v & 0xff)
    } else {
        value
    };
    match value.and_then(char::from_u32) {
        Some(c) => (Some(c), skip + digits),
        None => (None, 0),
    }
}

/// `${X%suffix}`: exact for a known value and a plain suffix; otherwise
/// the value's known start (the address survives) and an unknown end.
fn strip_suffix(value: &Text, pattern: &Text) -> Text {
    match (value.as_literal(), pattern.as_literal()) {
        (Some(v), Some(p)) if !p.contains(['*', '?', '[']) => {
            Text::lit(v.strip_suffix(p).unwrap_or(v))
        }
        _ => {
            let mut out = Text::lit(value.known_prefix());
            out.push_unknown();
            out
        }
    }
}

/// `${X#prefix}`: exact for a known value and a plain prefix.
fn strip_prefix(value: &Text, pattern: &Text) -> Text {
    match (value.as_literal(), pattern.as_literal()) {
        (Some(v), Some(p)) if !p.contains(['*', '?', '[']) => {
            Text::lit(v.strip_prefix(p).unwrap_or(v))
        }
        _ => Text::unknown(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_decode_by_quoting() {
        assert_eq!(unescape_unquoted(r"a\ b\\c\$"), r"a b\c$");
        assert_eq!(unescape_unquoted("a\\\nb"), "ab");
        assert_eq!(unescape_double(r#"a\"b\$c\d\\"#), r#"a"b$c\d\"#);
        assert_eq!(unescape_ansi_c(r"a\nb\'"), "a\nb'");
    }

    #[test]
    fn ansi_c_strings_decode_as_bash_does() {
        // Regression (tester): `\e` and `\u202e` were read as `e` and
        // `u202e`, so a message misstated the URL.
        for (written, value) in [
            (r"\e[31m\E", "\u{1b}[31m\u{1b}"),
            (r"\u202e\U0001F600\u41z", "\u{202e}\u{1f600}Az"),
            (r"\x41\x4\xg", "A\u{4}\\xg"),
            (r"\101\1018\012", "AA8\n"),
            (r"ab\0cd", "ab"),
            (r#"\a\b\f\v\?\\\'\""#, "\u{7}\u{8}\u{c}\u{b}?\\'\""),
            (r"\cA\c[", "\u{1}\u{1b}"),
            (r"\q\", "\\q\\"),
        ] {
            assert_eq!(unescape_ansi_c(written), value, "{written}");
        }
    }

    #[test]
    fn fields_split_at_blanks_and_keep_unknown_parts() {
        let mut text = Text::lit(" -s  -H X-aws-ec2-metadata-token:");
        text.push_unknown();
        let mut out = Vec::new();
        split_fields(&text, &(0..3), &mut out);
        let fields: Vec<String> = out.iter().map(|w| w.text.to_string()).collect();
        assert_eq!(fields, ["-s", "-H", "X-aws-ec2-metadata-token:…"]);
        assert!(out[2].spread && !out[0].spread);

        let mut out = Vec::new();
        split_fields(&Text::lit(""), &(0..3), &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn pattern_removal() {
        let md = Text::lit("http://169.254.169.254/latest/");
        assert_eq!(
            strip_suffix(&md, &Text::lit("/")).as_literal(),
            Some("http://169.254.169.254/latest")
        );
        let glob = strip_suffix(&md, &Text::lit("/*"));
        assert_eq!(glob.known_prefix(), "http://169.254.169.254/latest/");
        assert!(glob.has_unknown());
        assert_eq!(
            strip_prefix(&md, &Text::lit("http://")).as_literal(),
            Some("169.254.169.254/latest/")
        );
    }
}
