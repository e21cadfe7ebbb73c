//! Code the shell analyser parses: a cell, or shell code inside a piece of
//! it (`sh -c '...'`, `bash <<EOF`, `bash <<< "..."`), with a map from
//! its offsets back to the cell's and the quoting that text inserted into
//! it must go through.

use std::ops::Range;

use imds_lint_parser::{Layer, ShellQuoting, SpanMap, SpanMapBuilder};
use tree_sitter::Node;

use super::kind_of;

/// How nested code is written in the code around it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Quoting {
    /// `'...'`: anything but `'` stands for itself.
    Single,
    /// `"..."`: `\`, `"`, `$` and `` ` `` must be escaped.
    Double,
    /// An unquoted heredoc body: `\`, `$` and `` ` `` must be escaped.
    Heredoc,
    /// A quoted heredoc body (`<<'EOF'`): text stands for itself.
    Verbatim,
    /// An unquoted word: inserted text would need quoting of its own.
    Unquoted,
}

/// A piece of shell code and where its bytes are in the cell.
#[derive(Debug, Clone)]
pub(super) struct Code {
    /// The code, as the shell that runs it sees it.
    pub text: String,
    /// Cell offset of each byte of `text`, and of its end; empty when the
    /// code is the cell itself.
    offsets: Vec<usize>,
    /// How text inserted here is written into the cell, innermost first.
    pub quoting: Vec<Quoting>,
}

impl Code {
    /// The cell's own code.
    pub fn cell(text: &str) -> Code {
        Code {
            text: text.to_owned(),
            offsets: Vec::new(),
            quoting: Vec::new(),
        }
    }

    /// The cell offset of offset `pos` of this code.
    pub fn to_cell(&self, pos: usize) -> usize {
        if self.offsets.is_empty() {
            return pos;
        }
        self.offsets
            .get(pos)
            .or(self.offsets.last())
            .copied()
            .unwrap_or(pos)
    }

    /// A range of this code in cell offsets.
    pub fn range_to_cell(&self, range: Range<usize>) -> Range<usize> {
        self.to_cell(range.start)..self.to_cell(range.end)
    }

    /// The shell code a string, word or heredoc body of this code holds.
    pub fn nested(&self, node: Node, heredoc_quoted: bool) -> Option<Code> {
        self.nested_at(kind_of(node), node.byte_range(), heredoc_quoted)
    }

    /// The shell code of the body of a heredoc at `range`, which may be more
    /// than tree-sitter's `heredoc_body` node (see `stdin_code`).
    pub fn heredoc(&self, range: Range<usize>, quoted: bool) -> Option<Code> {
        self.nested_at("heredoc_body", range, quoted)
    }

    /// [`Code::nested`] of a node of `kind` at `range`.
    fn nested_at(&self, kind: &str, range: Range<usize>, heredoc_quoted: bool) -> Option<Code> {
        let src = self.text.get(range.clone())?;
        let start = range.start;
        let (body, at, quoting) = match kind {
            "raw_string" => (
                src.get(1..src.len().checked_sub(1)?)?,
                start + 1,
                Quoting::Single,
            ),
            "string" => (
                src.get(1..src.len().checked_sub(1)?)?,
                start + 1,
                Quoting::Double,
            ),
            "heredoc_body" if heredoc_quoted => (src, start, Quoting::Verbatim),
            "heredoc_body" => (src, start, Quoting::Heredoc),
            "word" => (src, start, Quoting::Unquoted),
            _ => return None,
        };

        let mut text = String::with_capacity(body.len());
        let mut offsets = Vec::with_capacity(body.len() + 1);
        let bytes = body.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let next = bytes.get(i + 1).copied();
            let escaped = bytes[i] == b'\\' && next.is_some_and(|n| is_escape(quoting, n));
            if escaped && next == Some(b'\n') {
                i += 2;
                continue;
            }
            // An escaped character stands for itself and starts at its backslash.
            let first = i;
            if escaped {
                i += 1;
            }
            let len = utf8_len(bytes[i]);
            text.push_str(body.get(i..i + len)?);
            offsets.push(self.to_cell(at + first));
            offsets.extend((1..len).map(|k| self.to_cell(at + i + k)));
            i += len;
        }
        offsets.push(self.to_cell(at + body.len()));

        let mut layers = vec![quoting];
        layers.extend(self.quoting.iter().copied());
        Some(Code {
            text,
            offsets,
            quoting: layers,
        })
    }

    /// Offsets of this code to offsets of the cell, as a span map: an
    /// escaped character maps as a whole, with its backslash.
    pub fn span_map(&self) -> SpanMap {
        if self.offsets.is_empty() {
            return SpanMap::verbatim(0, self.text.len());
        }
        let mut map = SpanMapBuilder::new(self.to_cell(0));
        let mut run = 0;
        for (at, pair) in self.offsets.windows(2).enumerate() {
            let (from, to) = (pair[0], pair[1]);
            if to == from + 1 {
                run += 1;
                continue;
            }
            // What lies between (a backslash, a line continuation the
            // shell drops) maps with the whole character before it: a
            // segment never starts inside a character.
            let start = (0..=at)
                .rev()
                .find(|&i| self.text.is_char_boundary(i))
                .unwrap_or(0);
            run -= at - start;
            if run > 0 {
                map.verbatim(run);
                run = 0;
            }
            map.seek(self.offsets[start]);
            map.escaped(at + 1 - start, to.saturating_sub(self.offsets[start]));
        }
        if run > 0 {
            map.verbatim(run);
        }
        map.finish()
    }

    /// How text inserted into this code is written into the cell, as the
    /// rewriter's layers (innermost first); `None` when some quoting
    /// cannot hold inserted text (an unquoted word).
    pub fn layers(&self) -> Option<Vec<Layer>> {
        self.quoting
            .iter()
            .map(|quoting| {
                let quoting = match quoting {
                    Quoting::Single => ShellQuoting::Single,
                    Quoting::Double => ShellQuoting::Double,
                    Quoting::Heredoc => ShellQuoting::Heredoc,
                    Quoting::Verbatim => ShellQuoting::Verbatim,
                    Quoting::Unquoted => return None,
                };
                Some(Layer::ShellString { quoting })
            })
            .collect()
    }

    /// `text` as it must be written into the cell to reach this code, or
    /// `None` when it cannot be written there safely.
    #[cfg(test)]
    pub fn escape(&self, text: &str) -> Option<String> {
        escape(text, &self.quoting)
    }
}

/// `text` as it must be written through `quoting` (innermost first), or
/// `None` when it cannot be written there safely.
pub(super) fn escape(text: &str, quoting: &[Quoting]) -> Option<String> {
    let mut out = text.to_owned();
    for quoting in quoting {
        out = match quoting {
            Quoting::Single if out.contains('\'') => return None,
            Quoting::Single | Quoting::Verbatim => out,
            Quoting::Double => escape_with(&out, &['\\', '"', '$', '`']),
            Quoting::Heredoc => escape_with(&out, &['\\', '$', '`']),
            Quoting::Unquoted => return None,
        };
    }
    Some(out)
}

/// Whether `\` followed by `next` is an escape in code quoted this way.
fn is_escape(quoting: Quoting, next: u8) -> bool {
    match quoting {
        Quoting::Double => matches!(next, b'\\' | b'"' | b'$' | b'`' | b'\n'),
        Quoting::Heredoc => matches!(next, b'\\' | b'$' | b'`' | b'\n'),
        Quoting::Unquoted => true,
        Quoting::Single | Quoting::Verbatim => false,
    }
}

fn utf8_len(first: u8) -> usize {
    match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

fn escape_with(text: &str, special: &[char]) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    for c in text.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{syntax, Lang};

    /// The first node of `kind` in `code`, searched breadth-first.
    fn nested_of(code: &str, kind: &str, quoted: bool) -> Code {
        let tree = syntax::parse(Lang::Shell, code).unwrap_or_else(|| panic!("parses"));
        let mut queue = vec![tree.root_node()];
        while let Some(node) = queue.pop() {
            if kind_of(node) == kind {
                return Code::cell(code)
                    .nested(node, quoted)
                    .unwrap_or_else(|| panic!("nested"));
            }
            let mut cursor = node.walk();
            queue.extend(node.children(&mut cursor));
        }
        panic!("no {kind} in {code}")
    }

    #[test]
    fn double_quoted_code_decodes_escapes_and_maps_back() {
        let code = r#"sh -c "curl -H \"A: b\" é/x""#;
        let nested = nested_of(code, "string", false);
        assert_eq!(nested.text, r#"curl -H "A: b" é/x"#);
        let quote = nested.text.find('"').unwrap_or_default();
        assert_eq!(
            &code[nested.to_cell(quote)..=nested.to_cell(quote) + 1],
            "\\\""
        );
        let x = nested.text.find('x').unwrap_or_default();
        assert_eq!(&code[nested.to_cell(x)..nested.to_cell(x + 1)], "x");
        assert_eq!(nested.to_cell(nested.text.len()), code.len() - 1);
        assert_eq!(nested.escape("a \"$T\"").as_deref(), Some(r#"a \"\$T\""#));
    }

    #[test]
    fn single_quoted_code_is_verbatim() {
        let code = "bash -c 'curl \"$U\"'";
        let nested = nested_of(code, "raw_string", false);
        assert_eq!(nested.text, "curl \"$U\"");
        assert_eq!(nested.to_cell(0), 9);
        assert_eq!(nested.escape("\"$T\"").as_deref(), Some("\"$T\""));
        assert_eq!(nested.escape("it's"), None);
    }

    #[test]
    fn span_maps_and_layers_follow_the_quoting() {
        let code = r#"sh -c "a\"b\$c é""#;
        let nested = nested_of(code, "string", false);
        assert_eq!(nested.text, "a\"b$c é");
        let map = nested.span_map();
        for (at, len) in nested.text.char_indices().map(|(i, c)| (i, c.len_utf8())) {
            assert_eq!(map.file_start(at), nested.to_cell(at), "{at}");
            assert_eq!(map.file_end(at + len), nested.to_cell(at + len), "{at}");
        }
        assert_eq!(
            nested.layers(),
            Some(vec![Layer::ShellString {
                quoting: ShellQuoting::Double
            }])
        );
        assert_eq!(nested_of("echo x", "word", false).layers(), None);
    }

    /// Bug 21, found by fuzzing: a line continuation the body drops,
    /// right after a character of several bytes, was mapped with that
    /// character's last byte, so a span map segment started inside it.
    #[test]
    fn a_line_continuation_after_a_wide_character_maps_with_all_of_it() {
        for code in ["python3 <<E\n\u{85}\\\nx = 1\nE\n", "sh -c \"é\\\nx\""] {
            let kind = if code.contains("<<") {
                "heredoc_body"
            } else {
                "string"
            };
            let nested = nested_of(code, kind, false);
            assert!(!nested.text.contains("\\\n"), "{:?}", nested.text);
            let map = nested.span_map();
            for segment in map.segments() {
                let file = segment.file..segment.file + segment.file_len;
                let cell = segment.cell..segment.cell + segment.cell_len;
                assert!(
                    code.is_char_boundary(file.start) && code.is_char_boundary(file.end),
                    "{segment:?} in {code:?}"
                );
                assert!(
                    nested.text.is_char_boundary(cell.start)
                        && nested.text.is_char_boundary(cell.end),
                    "{segment:?} in {:?}",
                    nested.text
                );
            }
        }
    }

    #[test]
    fn heredoc_bodies_escape_expansions_unless_quoted() {
        let code = "bash <<EOF\ncurl \\$X\nEOF\n";
        let nested = nested_of(code, "heredoc_body", false);
        assert_eq!(nested.text.trim_end(), "curl $X");
        assert_eq!(nested.escape("$T").as_deref(), Some("\\$T"));
        let quoted = nested_of("bash <<'EOF'\ncurl $X\nEOF\n", "heredoc_body", true);
        assert_eq!(quoted.escape("$T").as_deref(), Some("$T"));
    }
}
