//! Tree-sitter parsing, one reusable parser per language and thread.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter::{Language, Node, Parser, Tree, TreeCursor};

use crate::lang::Lang;

/// The tree-sitter grammar of an analysed language.
pub fn language(lang: Lang) -> Option<Language> {
    match lang {
        Lang::Python => Some(tree_sitter_python::LANGUAGE.into()),
        Lang::Shell => Some(tree_sitter_bash::LANGUAGE.into()),
        Lang::Scala => Some(tree_sitter_scala::LANGUAGE.into()),
        Lang::Sql | Lang::R | Lang::Markdown => None,
    }
}

thread_local! {
    static PARSERS: RefCell<Vec<(Lang, Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Indentation levels past which Python code is not parsed: the grammar's
/// scanner keeps one byte per level in a 1 KiB state buffer and aborts the
/// process when it overflows. Real code stays far below this.
const MAX_PYTHON_INDENT_LEVELS: usize = 400;

/// Bracket levels past which Python refuses code ("too many nested
/// parentheses"): such code makes no request, and its tree costs the parser
/// and the analysers memory in proportion to its depth (3 MB of nested
/// calls took 1.6 GB).
const MAX_PYTHON_BRACKET_LEVELS: usize = 200;

/// The most words and symbols parsed in one piece. tree-sitter's tree
/// takes memory in proportion to the tokens it reads, from about 0.5 KB
/// each (a megabyte of `echo ab ab ...`: 170 MB) to 1.7 KB (a shell
/// pipeline of `| cat`: 6 MB took 3.5 GB); a long comment or string is
/// one token, whatever its size. Real scripts and cells hold a few
/// thousand.
pub const MAX_PARSED_TOKENS: usize = 400_000;

/// Why `code` (of it, the bytes in `ranges` when there are some) is not
/// parsed as `lang`: too many tokens to parse in one piece (see
/// [`MAX_PARSED_TOKENS`]), or Python nested more deeply than Python takes
/// (see [`too_deep`]). `None` when it is parsed.
pub fn refusal(lang: Lang, code: &str, ranges: &[std::ops::Range<usize>]) -> Option<String> {
    let bytes = code.as_bytes();
    let whole = 0..bytes.len();
    let parsed = if ranges.is_empty() {
        std::slice::from_ref(&whole)
    } else {
        ranges
    };
    // A token is a byte at least: most code needs no counting.
    let tokens = if parsed.iter().map(ExactSizeIterator::len).sum::<usize>() <= MAX_PARSED_TOKENS {
        0
    } else {
        parsed
            .iter()
            .map(|r| tokens_in(lang, &bytes[r.clone()]))
            .sum()
    };
    if tokens > MAX_PARSED_TOKENS {
        return Some(format!(
            "not analysed: {} code of about {tokens} words and symbols in one piece is more \
             than the {MAX_PARSED_TOKENS} imds-lint parses at once",
            lang.name(),
        ));
    }
    (lang == Lang::Python && too_deep(code)).then(|| {
        format!(
            "not analysed: Python code nested more than {MAX_PYTHON_BRACKET_LEVELS} brackets or \
             {MAX_PYTHON_INDENT_LEVELS} indentation levels deep, which Python itself refuses"
        )
    })
}

/// About how many tokens the parser of `lang` finds in `code`: runs of
/// word bytes (letters, digits, `_`, anything not ASCII) and every other
/// byte that is not white space, with each comment, quoted string and
/// shell here-document counted as one. Escapes are followed; nesting
/// (`${...}` in a string, `$(...)`) is not, so the count errs either way
/// by little, never by the size of a comment, a string or a heredoc.
fn tokens_in(lang: Lang, code: &[u8]) -> usize {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80;
    let line_end = |at: usize| memchr::memchr(b'\n', &code[at..]).map_or(code.len(), |n| at + n);
    let mut tokens = 0;
    let mut at = 0;
    while at < code.len() {
        let b = code[at];
        let after_space = at == 0 || code[at - 1].is_ascii_whitespace();
        let next = code.get(at + 1).copied();
        if b.is_ascii_whitespace() {
            at += 1;
            continue;
        }
        tokens += 1;
        at = if word(b) {
            code[at..]
                .iter()
                .position(|&c| !word(c))
                .map_or(code.len(), |n| at + n)
        } else if (b == b'#' && lang != Lang::Scala && (lang == Lang::Python || after_space))
            || (b == b'/' && next == Some(b'/') && lang == Lang::Scala)
        {
            line_end(at)
        } else if b == b'/' && next == Some(b'*') && lang == Lang::Scala {
            memchr::memmem::find(&code[at + 2..], b"*/").map_or(code.len(), |n| at + 2 + n + 2)
        } else if b == b'"' || b == b'\'' {
            let end = quoted_end(code, at, lang);
            tokens += holes(lang, code, at, &code[at..end]);
            end
        } else if b == b'<' && next == Some(b'<') && lang == Lang::Shell {
            match heredoc_end(code, at) {
                Some((end, quoted)) => {
                    if !quoted {
                        tokens += holes(lang, code, at, &code[at..end]);
                    }
                    end
                }
                None => at + 2,
            }
        } else {
            at + 1
        };
    }
    tokens
}

/// Tokens for the expansions in `text`, a string or here-document that
/// opens at `at` in `code`: each `$x`, `${...}`, `$(...)` or backtick of a
/// shell double-quoted string or here-document, each `$` of a Scala
/// string, each `{` of a Python f-string is a few nodes of the tree (a
/// string of a million `$x` took 690 MB), counted as three.
fn holes(lang: Lang, code: &[u8], at: usize, text: &[u8]) -> usize {
    let count = |marks: &[u8]| text.iter().filter(|b| marks.contains(b)).count();
    3 * match lang {
        Lang::Shell if code[at] != b'\'' => count(b"$`"),
        Lang::Scala => count(b"$"),
        Lang::Python => {
            let prefix = code[..at]
                .iter()
                .rev()
                .take_while(|b| b"rRbBuUfF".contains(b))
                .count();
            let f_string = code[at - prefix..at].iter().any(|b| b"fF".contains(b));
            if f_string {
                count(b"{")
            } else {
                0
            }
        }
        _ => 0,
    }
}

/// Where the string that opens at `at` (a quote) ends: past its closing
/// quote, or at the end of the code. Python's and Scala's triple quotes
/// close only with three; a backslash escapes, except in shell's single
/// quotes.
fn quoted_end(code: &[u8], at: usize, lang: Lang) -> usize {
    let quote = code[at];
    let triple = lang != Lang::Shell && code[at..].starts_with(&[quote; 3]);
    let raw = lang == Lang::Shell && quote == b'\'';
    let mut i = at + if triple { 3 } else { 1 };
    while i < code.len() {
        match code[i] {
            b'\\' if !raw => i += 2,
            c if c == quote && (!triple || code[i..].starts_with(&[quote; 3])) => {
                return i + if triple { 3 } else { 1 };
            }
            _ => i += 1,
        }
    }
    code.len()
}

/// Where the shell here-document whose `<<` is at `at` ends: past the line
/// that closes it, and whether its delimiter is quoted (then its body is
/// text, expanding nothing). `None` when `<<` opens none (`<<<`,
/// arithmetic).
fn heredoc_end(code: &[u8], at: usize) -> Option<(usize, bool)> {
    let mut i = at + 2;
    if code.get(i) == Some(&b'<') {
        return None;
    }
    let strip_tabs = code.get(i) == Some(&b'-');
    i += usize::from(strip_tabs);
    while code.get(i).is_some_and(|&b| b == b' ' || b == b'\t') {
        i += 1;
    }
    let word: Vec<u8> = code[i..]
        .iter()
        .take_while(|&&b| !b.is_ascii_whitespace() && !b";&|<>()".contains(&b))
        .copied()
        .collect();
    let quoted = word.iter().any(|b| b"'\"\\".contains(b));
    let delimiter: Vec<u8> = word.into_iter().filter(|b| !b"'\"\\".contains(b)).collect();
    if delimiter.is_empty() {
        return None;
    }
    let mut line = memchr::memchr(b'\n', &code[i..]).map(|n| i + n + 1)?;
    while line < code.len() {
        let end = memchr::memchr(b'\n', &code[line..]).map_or(code.len(), |n| line + n);
        let text = &code[line..end];
        let text = if strip_tabs {
            &text[text.iter().take_while(|&&b| b == b'\t').count()..]
        } else {
            text
        };
        if text == delimiter.as_slice() {
            return Some((end, quoted));
        }
        line = end + 1;
    }
    Some((code.len(), quoted))
}

/// Parses `code` as `lang`; `None` for languages without a grammar, and for
/// code [`refusal`] gives a reason not to parse.
pub fn parse(lang: Lang, code: &str) -> Option<Tree> {
    parse_within(lang, code, &[])
}

/// Parses only the bytes of `code` in `ranges` (sorted, apart, each
/// starting at a line's start), as if the rest were blank; all of it when
/// `ranges` is empty. Nodes keep their offsets in `code`.
pub fn parse_within(lang: Lang, code: &str, ranges: &[std::ops::Range<usize>]) -> Option<Tree> {
    parse_or_refuse(lang, code, ranges).unwrap_or_else(|why| {
        log::debug!("{why}");
        None
    })
}

/// [`parse_within`], with the reason [`refusal`] gives when the code is
/// not parsed at all.
pub fn parse_or_refuse(
    lang: Lang,
    code: &str,
    ranges: &[std::ops::Range<usize>],
) -> Result<Option<Tree>, String> {
    if let Some(why) = refusal(lang, code, ranges) {
        return Err(why);
    }
    Ok(parse_unchecked(lang, code, ranges))
}

fn parse_unchecked(lang: Lang, code: &str, ranges: &[std::ops::Range<usize>]) -> Option<Tree> {
    let language = language(lang)?;
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let idx = if let Some(idx) = parsers.iter().position(|(l, _)| *l == lang) {
            idx
        } else {
            let mut parser = Parser::new();
            parser.set_language(&language).ok()?;
            parsers.push((lang, parser));
            parsers.len() - 1
        };
        let parser = &mut parsers[idx].1;
        if !ranges.is_empty() {
            parser.set_included_ranges(&included(code, ranges)).ok()?;
        }
        let mut tree = parser.parse(code, None);
        if lang == Lang::Shell {
            if let Some(mended) = tree.as_ref().and_then(|t| mend_line_start_escapes(code, t)) {
                tree = parser.parse(&mended, None);
            }
        }
        if !ranges.is_empty() {
            // The next parse on this thread reads all of its code.
            parser.set_included_ranges(&[]).ok()?;
        }
        tree
    })
}

/// tree-sitter-bash reads a newline and the backslash that starts the next
/// line as the start of a word, so that line joins the command before it:
/// `echo hi` then `\curl URL` parse as one `echo` command, and `MD=...`
/// then `\curl "$MD/x"` as one command with MD set for it alone, where
/// bash ends each command at the newline (`\curl` is the idiom that skips
/// aliases). A `;` in place of such a newline says the same to bash and
/// keeps every offset. `code` with those newlines replaced, when `tree`,
/// its parse, has any: not after a continued line, a comment, or a line
/// that starts a heredoc (whose body the next line is).
fn mend_line_start_escapes(code: &str, tree: &Tree) -> Option<String> {
    let bytes = code.as_bytes();
    let root = tree.root_node();
    let mut mended: Option<String> = None;
    for newline in memchr::memmem::find_iter(bytes, b"\n\\") {
        let word = root.descendant_for_byte_range(newline, newline + 1);
        if newline == 0 || !word.is_some_and(|w| w.kind() == "word" && w.start_byte() == newline) {
            continue;
        }
        let line_start = memchr::memrchr(b'\n', &bytes[..newline]).map_or(0, |n| n + 1);
        let line = &bytes[line_start..newline];
        let continued = line.iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1;
        let after_comment = root
            .descendant_for_byte_range(newline - 1, newline)
            .is_some_and(|n| n.kind() == "comment");
        let heredoc = memchr::memmem::find_iter(line, b"<<").any(|at| {
            let at = line_start + at;
            root.descendant_for_byte_range(at, at + 2).is_some_and(|n| {
                n.kind() == "heredoc_redirect"
                    || n.parent().is_some_and(|p| p.kind() == "heredoc_redirect")
            })
        });
        if continued || after_comment || heredoc {
            continue;
        }
        mended
            .get_or_insert_with(|| code.to_owned())
            .replace_range(newline..=newline, ";");
    }
    mended
}

/// `ranges` of `code` as tree-sitter takes them, with rows and columns.
fn included(code: &str, ranges: &[std::ops::Range<usize>]) -> Vec<tree_sitter::Range> {
    let bytes = code.as_bytes();
    let mut row = 0;
    let mut line_start = 0;
    let mut counted = 0;
    let mut point = |offset: usize| {
        for at in memchr::memchr_iter(b'\n', &bytes[counted..offset]) {
            row += 1;
            line_start = counted + at + 1;
        }
        counted = offset;
        tree_sitter::Point::new(row, offset - line_start)
    };
    ranges
        .iter()
        .map(|range| tree_sitter::Range {
            start_byte: range.start,
            start_point: point(range.start),
            end_byte: range.end,
            end_point: point(range.end),
        })
        .collect()
}

/// The name of `node`'s kind, where `node` comes from `lang`'s grammar:
/// what [`Node::kind`] gives, read from a table made once per grammar.
/// `Node::kind` measures the name and checks its UTF-8 on every call, a
/// cost that showed in profiles of the analysers' walks.
pub fn kind_name(lang: Lang, node: Node<'_>) -> &str {
    let name = names(lang)
        .kinds
        .get(usize::from(node.kind_id()))
        .map_or_else(|| node.kind(), |name| &**name);
    debug_assert_eq!(
        name,
        node.kind(),
        "a node of another grammar than {lang:?}'s"
    );
    name
}

/// The child of `node` (from `lang`'s grammar) in its field `field`: what
/// [`Node::child_by_field_name`] gives, with the field's id found in a
/// table made once per grammar. Tree-sitter finds it by comparing the name
/// with every field's name in turn, a cost that showed in profiles.
pub fn field_child<'t>(lang: Lang, node: Node<'t>, field: &str) -> Option<Node<'t>> {
    let fields = &names(lang).fields;
    let at = fields
        .binary_search_by(|(name, _)| (**name).cmp(field))
        .ok()?;
    node.child_by_field_id(fields[at].1)
}

/// The names a grammar gives its node kinds and fields.
#[derive(Default)]
struct Names {
    /// Kind names by kind id. `ERROR` (id 65535) is past the end.
    kinds: Vec<Box<str>>,
    /// Field names with their ids, sorted by name.
    fields: Vec<(Box<str>, u16)>,
}

/// The names of `lang`'s grammar (none for a language without one).
fn names(lang: Lang) -> &'static Names {
    static NAMES: [OnceLock<Names>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    static NONE: Names = Names {
        kinds: Vec::new(),
        fields: Vec::new(),
    };
    let slot = match lang {
        Lang::Python => &NAMES[0],
        Lang::Shell => &NAMES[1],
        Lang::Scala => &NAMES[2],
        Lang::Sql | Lang::R | Lang::Markdown => return &NONE,
    };
    slot.get_or_init(|| {
        let Some(language) = language(lang) else {
            return Names::default();
        };
        let kinds = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id)
                    .ok()
                    .and_then(|id| language.node_kind_for_id(id))
                    .unwrap_or_default()
                    .into()
            })
            .collect();
        // Field ids run from 1 to the count.
        let mut fields: Vec<(Box<str>, u16)> = (1..=language.field_count())
            .filter_map(|id| {
                let id = u16::try_from(id).ok()?;
                Some((language.field_name_for_id(id)?.into(), id))
            })
            .collect();
        fields.sort_unstable();
        Names { kinds, fields }
    })
}

/// The nodes of the subtree under `node`, itself first, in pre-order (a
/// node before its children, children in source order), found with one
/// cursor: no recursion, so code nested thousands deep cannot overflow
/// the stack.
pub fn preorder(node: Node<'_>) -> Preorder<'_> {
    Preorder {
        cursor: Some(node.walk()),
    }
}

/// The iterator [`preorder`] returns.
pub struct Preorder<'t> {
    /// `None` once the subtree is done.
    cursor: Option<TreeCursor<'t>>,
}

impl<'t> Iterator for Preorder<'t> {
    type Item = Node<'t>;

    fn next(&mut self) -> Option<Node<'t>> {
        let cursor = self.cursor.as_mut()?;
        let node = cursor.node();
        if !cursor.goto_first_child() {
            // Up until a node has a next sibling; the cursor's own root
            // has none, and no parent.
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    self.cursor = None;
                    break;
                }
            }
        }
        Some(node)
    }
}

/// Whether Python code is nested too deeply to parse: more brackets open
/// at once than Python takes, or more indentation levels than the
/// grammar's scanner can hold, counted the way the scanner counts them: a
/// stack of increasing indentation widths (a tab counts eight).
pub fn too_deep(code: &str) -> bool {
    if brackets_too_deep(code) {
        return true;
    }
    // Cheap first: no line indented that far means no stack that deep.
    let widest = code.lines().map(indent_width).max().unwrap_or(0);
    if widest < MAX_PYTHON_INDENT_LEVELS {
        return false;
    }

    let mut stack: Vec<usize> = vec![0];
    for line in code.lines().filter(|l| !l.trim().is_empty()) {
        let width = indent_width(line);
        while stack.last().is_some_and(|&top| top > width) {
            stack.pop();
        }
        if stack.last().is_none_or(|&top| top < width) {
            stack.push(width);
            if stack.len() > MAX_PYTHON_INDENT_LEVELS {
                return true;
            }
        }
    }
    false
}

/// Whether more than [`MAX_PYTHON_BRACKET_LEVELS`] brackets are open at
/// once somewhere in Python code, strings and comments aside.
fn brackets_too_deep(code: &str) -> bool {
    let bytes = code.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_PYTHON_BRACKET_LEVELS {
                    return true;
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'#' => {
                at = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n);
                continue;
            }
            b'\'' | b'"' => {
                at = string_end(bytes, at);
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    false
}

/// One past the end of the Python string literal whose opening quote is at
/// `at`: its closing quote, or the end of its line (of the code, for a
/// triple-quoted one) when it is left open.
fn string_end(bytes: &[u8], at: usize) -> usize {
    let quote = bytes[at];
    let triple = bytes.get(at..at + 3) == Some(&[quote; 3][..]);
    let mut i = at + if triple { 3 } else { 1 };
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'\n' if !triple => return i,
            b if b == quote && !triple => return i + 1,
            b if b == quote && bytes.get(i..i + 3) == Some(&[quote; 3][..]) => return i + 3,
            _ => i += 1,
        }
    }
    bytes.len()
}

fn indent_width(line: &str) -> usize {
    line.bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
        .map(|b| if b == b'\t' { 8 } else { 1 })
        .sum()
}

/// Whether `code` parses as `lang` without syntax errors.
pub fn parses_cleanly(lang: Lang, code: &str) -> bool {
    parse(lang, code).is_some_and(|tree| !tree.root_node().has_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_words_and_symbols_not_bytes() {
        let sh = |code: &str| tokens_in(Lang::Shell, code.as_bytes());
        assert_eq!(sh("curl -s http://x/a | cat\n"), 12);
        assert_eq!(
            sh(&format!("# {}\necho a\n", "the cat ".repeat(1 << 16))),
            3
        );
        assert_eq!(sh("echo a#b\n"), 4);
        assert_eq!(sh(&format!("P='{}' ; x\n", "a+b/c= ".repeat(1000))), 5);
        assert_eq!(sh("echo \"a \\\" b\" c\n"), 3);
        let heredoc = format!(
            "cat <<-'EOF' > f\n{}\tEOF\ncurl x\n",
            "{\"a\": [1, 2]}\n".repeat(1000)
        );
        assert_eq!(sh(&heredoc), 4);
        assert_eq!(sh("cat <<< \"$x\"\n"), 7);
        // Expansions in double quotes and unquoted here-documents count.
        assert_eq!(sh(&format!("X=\"{}\"\n", "$x$y ".repeat(1000))), 3 + 6000);
        assert_eq!(
            sh(&format!("cat <<EOF\n{}EOF\n", "$(a b)\n".repeat(100))),
            2 + 300
        );
        assert_eq!(
            sh(&format!("cat <<'EOF'\n{}EOF\n", "$(a b)\n".repeat(100))),
            2
        );
        let f_string = format!("x = f'{}'\n", "{a}".repeat(100));
        assert_eq!(tokens_in(Lang::Python, f_string.as_bytes()), 4 + 300);
        assert_eq!(tokens_in(Lang::Shell, "é_1 x".as_bytes()), 2);
        let py = |code: &str| tokens_in(Lang::Python, code.as_bytes());
        assert_eq!(
            py(&format!(
                "\"\"\"{}\"\"\"\nx = 1  # a b c\n",
                "a \" b\n".repeat(100)
            )),
            5
        );
        let scala = |code: &str| tokens_in(Lang::Scala, code.as_bytes());
        assert_eq!(scala("val x = \"a b\" // c d\n/* e\n f */ y\n"), 7);
    }

    #[test]
    fn code_of_too_many_tokens_is_refused_long_lines_are_not() {
        let pipeline = format!("curl x{}\n", " | cat".repeat(MAX_PARSED_TOKENS / 2));
        let why = refusal(Lang::Shell, &pipeline, &[]).unwrap();
        assert!(
            why.starts_with("not analysed: shell code of about"),
            "{why}"
        );
        assert!(parse(Lang::Shell, &pipeline).is_none());
        // Only the ranges count.
        let start = std::slice::from_ref(&(0..100));
        assert_eq!(refusal(Lang::Shell, &pipeline, start), None);
        let comment = format!("# {}\ncurl x\n", "a".repeat(8 << 20));
        assert_eq!(refusal(Lang::Shell, &comment, &[]), None);
    }

    #[test]
    fn deeply_indented_python_is_refused_not_crashed() {
        let mut code = String::new();
        for depth in 0..1200 {
            code.push_str(&" ".repeat(depth));
            code.push_str("if x:\n");
        }
        code.push_str(&" ".repeat(1200));
        code.push_str("pass\n");
        assert!(too_deep(&code));
        assert!(parse(Lang::Python, &code).is_none());

        let wide_but_shallow = format!("if x:\n{}pass\n", " ".repeat(2000));
        assert!(!too_deep(&wide_but_shallow));
        assert!(parse(Lang::Python, &wide_but_shallow).is_some());
    }

    #[test]
    fn python_nested_deeper_than_cpython_takes_is_refused() {
        let nested = |levels: usize| format!("x = {}1{}\n", "(".repeat(levels), ")".repeat(levels));
        assert!(!too_deep(&nested(200)));
        assert!(too_deep(&nested(201)));
        assert!(parse(Lang::Python, &nested(100_000)).is_none());
        // Brackets in strings and comments open nothing.
        let quoted = format!(
            "s = '{0}'\nt = \"\"\"\n{0}\"\"\"\n# {0}\nu = 'a\\'{0}'\n",
            "(".repeat(300)
        );
        assert!(!too_deep(&quoted));
        assert!(parses_cleanly(Lang::Python, &quoted));
    }

    #[test]
    fn parsing_within_ranges_gives_the_tree_of_the_blanked_code() {
        let kept = [
            "import requests\r\n",
            "s = '''a\r\n\r\nb'''\r\nif s:\r\n    f(s)\r\n",
        ];
        let left_out = "x = [1,\r\n  2]\r\n";
        let code = format!("{}{left_out}{}", kept[0], kept[1]);
        let blank: String = left_out
            .chars()
            .map(|c| if c == '\r' || c == '\n' { c } else { ' ' })
            .collect();
        let blanked = format!("{}{blank}{}", kept[0], kept[1]);
        let second = kept[0].len() + left_out.len();
        let ranges = [0..kept[0].len(), second..code.len()];
        let (Some(within), Some(whole)) = (
            parse_within(Lang::Python, &code, &ranges),
            parse(Lang::Python, &blanked),
        ) else {
            panic!("both parse");
        };
        assert!(!within.root_node().has_error());
        assert_eq!(within.root_node().to_sexp(), whole.root_node().to_sexp());
        let call = |tree: &Tree| {
            let node = tree
                .root_node()
                .named_child(2)?
                .named_descendant_for_byte_range(code.len() - 6, code.len() - 5)?;
            Some((node.byte_range(), node.start_position()))
        };
        assert_eq!(call(&within), call(&whole));
        // The parser reads whole code again afterwards.
        assert!(parses_cleanly(Lang::Python, "a = (1,\n 2)\n"));
    }

    #[test]
    fn a_line_that_starts_with_a_backslash_is_a_command_of_its_own() {
        let commands = |code: &str| {
            let tree = parse(Lang::Shell, code).unwrap();
            let root = tree.root_node();
            let mut cursor = root.walk();
            let kinds: Vec<String> = root
                .named_children(&mut cursor)
                .map(|n| format!("{}@{}", n.kind(), n.start_byte()))
                .collect();
            kinds.join(" ")
        };
        assert_eq!(commands("echo hi\n\\curl x\n"), "command@0 command@8");
        assert_eq!(
            commands("MD=\"u\"\n\\curl \"$MD\"\n"),
            "variable_assignment@0 command@7"
        );
        assert_eq!(
            commands("export MD=u\n\\wget x\n"),
            "declaration_command@0 command@12"
        );
        assert_eq!(commands("\n\\curl x\n"), "command@1");
        // Not when bash joins the lines too, or reads the next line as text.
        assert_eq!(commands("echo hi \\\n\\curl x\n"), "command@0");
        assert_eq!(commands("cat <<E\n\\curl x\nE\n"), "redirected_statement@0");
        assert_eq!(commands("echo \"a\n\\curl\"\n"), "command@0");
        // `<<` that starts no heredoc (a tester found these left joined).
        assert_eq!(
            commands("tr a b <<<\"x\"\n\\curl x\n"),
            "command@0 command@14"
        );
        assert_eq!(
            commands("x=$(( 1 << 4 ))\n\\curl x\n"),
            "variable_assignment@0 command@16"
        );
        assert_eq!(
            commands("echo \"<<\" hi\n\\curl x\n"),
            "command@0 command@13"
        );
    }

    #[test]
    fn parses_each_language() {
        assert!(parses_cleanly(
            Lang::Python,
            "import requests\nrequests.get('x')\n"
        ));
        assert!(parses_cleanly(
            Lang::Shell,
            "X=$(curl -s http://a/b)\necho \"$X\"\n"
        ));
        assert!(parses_cleanly(
            Lang::Scala,
            "object Main { val x = \"a\" }\n"
        ));
        assert!(!parses_cleanly(Lang::Python, "def (:\n"));
        assert!(parse(Lang::Sql, "select 1").is_none());
    }
}
