//! Python code cut into top-level statements ("chunks"), with the names each
//! may bind, by a lexer that knows only what decides where a statement
//! ends: strings, comments, brackets and line continuations.
//!
//! It is no parser: it never fails, and where it cannot be sure (a string
//! or bracket left open at the end) it gives the whole code as one chunk.

use std::ops::Range;

/// Keywords that continue the statement above them rather than start one.
const CONTINUING: [&str; 4] = ["else", "elif", "except", "finally"];

/// A top-level statement: its bytes and where its logical lines start
/// (after their indentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// The statement's bytes in the code, comments and blank lines after it
    /// included.
    pub range: Range<usize>,
    /// Offsets of the first non-blank byte of each logical line in it.
    pub lines: Vec<usize>,
}

/// Cuts `code` into top-level statements. One chunk holds the whole code
/// when a string or bracket is still open at its end.
pub fn split(code: &str) -> Vec<Chunk> {
    let bytes = code.as_bytes();
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut lines: Vec<usize> = Vec::new();
    let mut start = 0;
    let mut depth: usize = 0;
    let mut at = 0;
    // Whether the next line continues a logical line (brackets or `\`).
    let mut continued = false;
    // Whether the last logical line at column 0 was a decorator.
    let mut decorated = false;

    while at < bytes.len() {
        // At the start of a physical line.
        if !continued && depth == 0 {
            let indent = bytes[at..]
                .iter()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\x0c'))
                .count();
            let first = at + indent;
            match bytes.get(first) {
                None | Some(b'\n' | b'\r' | b'#') => {}
                Some(_) => {
                    let opens = indent == 0 && !decorated && !continues(&code[first..]);
                    if opens && first > start {
                        chunks.push(Chunk {
                            range: start..first,
                            lines: std::mem::take(&mut lines),
                        });
                        start = first;
                    }
                    if indent == 0 {
                        decorated = bytes[first] == b'@';
                    }
                    lines.push(first);
                }
            }
        }
        // Through the end of the physical line (or of a string that spans
        // lines).
        continued = false;
        // The last byte of the line that is neither blank nor a comment's.
        let mut last = None;
        while let Some(&byte) = bytes.get(at) {
            if !matches!(byte, b' ' | b'\t' | b'\r' | b'\x0c' | b'\n' | b'#') {
                last = Some(at);
            }
            match byte {
                b'\n' => {
                    at += 1;
                    break;
                }
                b'#' => {
                    at += memchr::memchr(b'\n', &bytes[at..]).unwrap_or(bytes.len() - at);
                }
                b'\\' => {
                    if bytes.get(at + 1) == Some(&b'\n') {
                        continued = true;
                        at += 2;
                        break;
                    }
                    if bytes.get(at + 1..at + 3) == Some(b"\r\n") {
                        continued = true;
                        at += 3;
                        break;
                    }
                    at += 1;
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    at += 1;
                }
                b')' | b']' | b'}' => {
                    // A bracket closed that was never opened: broken code.
                    let Some(outer) = depth.checked_sub(1) else {
                        return whole(code);
                    };
                    depth = outer;
                    at += 1;
                }
                b'"' | b'\'' => match string_extent(bytes, at) {
                    (end, true) => {
                        last = Some(end - 1);
                        at = end;
                    }
                    // A string left open: Python refuses the code, and
                    // tree-sitter's recovery may run the string past the
                    // line, into the next statement. No safe cut.
                    _ => return whole(code),
                },
                _ => at += 1,
            }
        }
        if depth > 0 {
            continued = true;
        } else if !continued && last.is_some_and(|end| ends_in_operator(&code[..=end])) {
            // Python refuses a line that ends in a binary operator, but
            // tree-sitter reads on into the next line as its operand: no
            // cut here is safe (the next statement would be parsed alone).
            return whole(code);
        }
    }
    if depth > 0 {
        return whole(code);
    }
    if start < bytes.len() || chunks.is_empty() {
        chunks.push(Chunk {
            range: start..bytes.len(),
            lines,
        });
    }
    chunks
}

/// Whether a logical line, `line` up to its last byte that is neither
/// blank nor a comment's, ends in an operator that wants an operand after
/// it (`x = a |`, `b = c and`), so that tree-sitter takes the next line
/// as that operand, or in a dot after a name (`import a.`). `from m
/// import *`, `x = 1.` and `x = ...` end in no such operator; a string
/// ends in its quote.
fn ends_in_operator(line: &str) -> bool {
    let Some(last) = line.bytes().last() else {
        return false;
    };
    if b"+-/%&|^<>=@~".contains(&last) {
        return true;
    }
    // `a.` wants an attribute after it (tree-sitter reads on for one);
    // `1.` is a float and `...` the ellipsis.
    if last == b'.' {
        let before = &line[..line.len() - 1];
        let word = before
            .rsplit(|c: char| !(c == '_' || c.is_alphanumeric()))
            .next()
            .unwrap_or("");
        let number = !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit() || b == b'_');
        return !(number || before.ends_with(".."));
    }
    if last == b'*' {
        return !line[..line.len() - 1].trim_end().ends_with("import");
    }
    let word = line
        .rsplit(|c: char| !(c == '_' || c.is_alphanumeric()))
        .next()
        .unwrap_or("");
    let attribute = line[..line.len() - word.len()].ends_with('.');
    !attribute
        && matches!(
            word,
            "and" | "or" | "not" | "in" | "is" | "if" | "else" | "lambda"
        )
}

fn whole(code: &str) -> Vec<Chunk> {
    vec![Chunk {
        range: 0..code.len(),
        lines: vec![0],
    }]
}

/// Whether a line starting with `text` continues the statement above.
fn continues(text: &str) -> bool {
    CONTINUING.iter().any(|keyword| {
        text.strip_prefix(keyword)
            .is_some_and(|rest| !rest.starts_with(|c: char| c == '_' || c.is_alphanumeric()))
    })
}

/// The end of the string literal whose quote is at `at`: one past its
/// closing quote. An unterminated one-line string ends at its line's end,
/// as Python's tokenizer gives up there; an unterminated triple-quoted one
/// gives `None`.
fn string_end(bytes: &[u8], at: usize) -> Option<usize> {
    let triple = bytes.get(at..at + 3) == Some(&[bytes[at]; 3][..]);
    match string_extent(bytes, at) {
        (end, true) => Some(end),
        (end, false) => (!triple).then_some(end),
    }
}

/// Where the string literal whose quote is at `at` ends, and whether it
/// is closed there (rather than left open at its line's end, or the code's).
fn string_extent(bytes: &[u8], at: usize) -> (usize, bool) {
    let quote = bytes[at];
    let triple = bytes.get(at..at + 3) == Some(&[quote, quote, quote][..]);
    let mut i = at + if triple { 3 } else { 1 };
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'\\' => i += 2,
            b'\n' if !triple => return (i, false),
            b if b == quote => {
                if !triple {
                    return (i + 1, true);
                }
                if bytes.get(i..i + 3) == Some(&[quote, quote, quote][..]) {
                    return (i + 3, true);
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    (bytes.len(), false)
}

/// Bytes that words are made of: ASCII letters and digits, `_`, and every
/// byte past ASCII (Python identifiers may hold any letter).
const WORD_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        table[byte] = b == b'_' || b.is_ascii_alphanumeric() || b >= 0x80;
        byte += 1;
    }
    table
};

/// Identifier-like words in `text` (bytes past ASCII count as letters, as
/// Python identifiers may hold them). Words inside strings and comments
/// are included: more words only make more code count as related.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let is_word = |at: usize| bytes.get(at).is_some_and(|&b| WORD_BYTE[usize::from(b)]);
    let mut at = 0;
    std::iter::from_fn(move || loop {
        while at < bytes.len() && !is_word(at) {
            at += 1;
        }
        if at >= bytes.len() {
            return None;
        }
        let start = at;
        while is_word(at) {
            at += 1;
        }
        // A number is skipped whole, so that `0x1f` gives no word `x1f`.
        // Only whole UTF-8 sequences: a word ends before a non-word byte,
        // which is ASCII, so the cut falls on a character boundary.
        if !bytes[start].is_ascii_digit() {
            return text.get(start..at);
        }
    })
}

/// The last of [`words`] of `text`, found from its end: taking it from
/// `words` reads every word before it, which for each `=` of a long line
/// (`a = 1; b = 2; ...`) costs the square of the line.
pub fn last_word(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let is_word = |at: usize| WORD_BYTE[usize::from(bytes[at])];
    let mut end = bytes.len();
    loop {
        while end > 0 && !is_word(end - 1) {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        let mut start = end;
        while start > 0 && is_word(start - 1) {
            start -= 1;
        }
        // As `words` does: a number is no word.
        if !bytes[start].is_ascii_digit() {
            return text.get(start..end);
        }
        end = start;
    }
}

/// Names a chunk may bind at module level: defined (`def`, `class`),
/// imported, assigned (`x = `, `x: T = `, `x += `, `a, b = `, `x[k] = `,
/// `x.attr = `, `A = B = `, `x = 1; y = 2`, `if c: y = 2`), bound by `for`,
/// `with`/`except ... as` and `:=`. A function or class binds its own name,
/// and the names its body declares `global`; its other names are its own.
/// An over-approximation otherwise: a word that only looks bound costs
/// nothing but some more code analysed.
pub fn bound_names<'a>(code: &'a str, chunk: &Chunk) -> Vec<&'a str> {
    let mut names = Vec::new();
    let text = &code[chunk.range.clone()];
    let first = words(text).next();
    if text.starts_with('@') || matches!(first, Some("def" | "class" | "async")) {
        let mut previous = "";
        for word in words(text) {
            if matches!(previous, "def" | "class") && names.is_empty() {
                names.push(word);
            }
            if matches!(previous, "global" | "nonlocal") {
                names.push(word);
            }
            previous = word;
        }
        return names;
    }
    for (i, &line_start) in chunk.lines.iter().enumerate() {
        let line_end = chunk.lines.get(i + 1).copied().unwrap_or(chunk.range.end);
        let line = &code[line_start..line_end];
        let assignments = top_level_assignments(line);
        statement_names(line, &assignments, &mut names);
        assigned_at_top(line, &assignments, &mut names);
    }
    // Forms that bind inside expressions or compound statement headers.
    let mut rest = text;
    while let Some(i) = rest.find(":=") {
        if let Some(name) = last_word(&rest[..i]) {
            names.push(name);
        }
        rest = &rest[i + 2..];
    }
    let mut previous = "";
    for word in words(text) {
        if matches!(previous, "as" | "for" | "global" | "nonlocal") {
            names.push(word);
        }
        previous = word;
    }
    names.retain(|name| !KEYWORDS.contains(name));
    names
}

/// Python's keywords, which no statement binds.
const KEYWORDS: [&str; 35] = [
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Names written just before an `=` (or `+=` and friends) outside any
/// bracket in `line`, whose `=` signs are at `assignments`: the targets of
/// chained, `;`-joined and one-line compound statements (`A = B = 1`,
/// `x = 1; y = 2`, `if c: y = 2`).
fn assigned_at_top<'a>(line: &'a str, assignments: &[usize], names: &mut Vec<&'a str>) {
    for &at in assignments {
        // `+=`, `//=`, `**=`, `>>=`...: the operator is no name.
        let target = line[..at].trim_end_matches(|c: char| "+-*/%&|^@<>".contains(c));
        if let Some(name) = last_word(target) {
            if target.trim_end().ends_with(name) {
                names.push(name);
            }
        }
    }
}

/// The offsets of the `=` of every assignment (`+=` and friends too) outside
/// any bracket, string or comment in `line`; comparisons (`==`, `!=`, `<=`,
/// `>=`) are none, shifts (`<<=`, `>>=`) are.
fn top_level_assignments(line: &str) -> Vec<usize> {
    let bytes = line.as_bytes();
    let mut found = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'"' | b'\'' => {
                i = string_end(bytes, i).unwrap_or(bytes.len());
                continue;
            }
            b'#' => {
                i += memchr::memchr(b'\n', &bytes[i..]).unwrap_or(bytes.len() - i);
                continue;
            }
            b'=' if depth == 0 => {
                if bytes.get(i + 1) == Some(&b'=') {
                    i += 2;
                    continue;
                }
                let before = &line[..i];
                let shift = before.ends_with("<<") || before.ends_with(">>");
                if shift || !before.ends_with(['=', '!', '<', '>']) {
                    found.push(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    found
}

/// `text` without its comments (turned to spaces): the words of code and
/// strings.
pub fn without_comments(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = bytes.to_vec();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' | b'\'' => i = string_end(bytes, i).unwrap_or(bytes.len()),
            b'#' => {
                let end = memchr::memchr(b'\n', &bytes[i..]).map_or(bytes.len(), |n| i + n);
                for byte in &mut out[i..end] {
                    *byte = b' ';
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    // Whole comments became spaces, so the text is still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

/// Names bound by the logical line `line`, whose top-level `=` signs are
/// at `assignments`.
fn statement_names<'a>(line: &'a str, assignments: &[usize], names: &mut Vec<&'a str>) {
    let mut first = words(line);
    match first.next() {
        Some("def" | "class") => names.extend(first.next()),
        Some("async") if first.next() == Some("def") => names.extend(first.next()),
        Some("import" | "from") => names.extend(
            words(line)
                .skip(1)
                .filter(|w| !matches!(*w, "import" | "as")),
        ),
        Some("for") => {
            let targets = line.split(" in ").next().unwrap_or(line);
            names.extend(words(targets).skip(1));
        }
        Some(first) => {
            // The text before the first `=`: the target of an assignment
            // statement.
            if let Some(target) = assignments.first().map(|&at| &line[..at]) {
                // After a compound statement's header (`if c: x = 1`), the
                // target follows the colon; in `name: T = value` it is
                // before it.
                let target = if KEYWORDS.contains(&first) {
                    target.rsplit(':').next().unwrap_or(target)
                } else {
                    target.split(':').next().unwrap_or(target)
                };
                names.extend(words(target));
            }
        }
        None => {}
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// Found by fuzzing: tree-sitter reads a line that ends in an operator
    /// on into the next (Python itself refuses it), so a cut between them made
    /// the focused check disagree with checking all of the code.
    #[test]
    fn a_line_ending_in_an_operator_leaves_the_cell_whole() {
        // A dot after a name (fuzzing again: `import urllib.reques0.`).
        for line in [
            "x = a |",
            "x = a +",
            "x = a and",
            "x = a *",
            "x = (b) if",
            "import urllib.request.",
            "x = a1.",
            "x = f().",
        ] {
            let code = format!("{line}\nprint(y)\nz = 1\n");
            assert_eq!(split(&code).len(), 1, "{line}");
        }
        for line in [
            "from m import *",
            "x = 1.",
            "x = ...",
            "x = 'a |'",
            "x = a  # b |",
            "x = y.and_",
        ] {
            let code = format!("{line}\nprint(y)\n");
            assert_eq!(split(&code).len(), 2, "{line}");
        }
    }

    fn texts(code: &str) -> Vec<&str> {
        split(code).into_iter().map(|c| &code[c.range]).collect()
    }

    #[test]
    fn statements_at_column_zero_start_chunks() {
        let code = "import os\nx = 1\n\ndef f():\n    return x\n\nprint(f())\n";
        assert_eq!(
            texts(code),
            [
                "import os\n",
                "x = 1\n\n",
                "def f():\n    return x\n\n",
                "print(f())\n"
            ]
        );
    }

    #[test]
    fn clauses_decorators_comments_and_brackets_stay_with_their_statement() {
        let code = concat!(
            "if a:\n    b()\nelse:\n    c()\n",
            "@cache\n@other(1)\ndef g():\n    pass\n",
            "try:\n    x\nexcept E as e:\n    y\nfinally:\n    z\n",
            "call(\n1,\n2)\n",
            "long = 1 + \\\n2\n",
            "# a comment at column 0\n",
            "elsewhere = 1\n",
        );
        assert_eq!(
            texts(code),
            [
                "if a:\n    b()\nelse:\n    c()\n",
                "@cache\n@other(1)\ndef g():\n    pass\n",
                "try:\n    x\nexcept E as e:\n    y\nfinally:\n    z\n",
                "call(\n1,\n2)\n",
                "long = 1 + \\\n2\n# a comment at column 0\n",
                "elsewhere = 1\n",
            ]
        );
    }

    #[test]
    fn strings_hide_what_looks_like_code() {
        let code = "doc = \"\"\"\nnot_a_statement = 1\n\"\"\"\nx = '# (' \ny = \"]\\\"\"\n";
        assert_eq!(
            texts(code),
            [
                "doc = \"\"\"\nnot_a_statement = 1\n\"\"\"\n",
                "x = '# (' \n",
                "y = \"]\\\"\"\n"
            ]
        );
    }

    #[test]
    fn open_strings_and_brackets_give_one_chunk() {
        for code in ["x = '''\nopen\ny = 1\n", "f(\n1\ny = 2\n"] {
            assert_eq!(texts(code), [code]);
        }
        // Broken code is not cut: tree-sitter may read a string left open,
        // or a stray bracket, across statements (found by fuzzing).
        for code in [
            "x = 'open\ny = 1\n",
            "x = 'open\\'\ny = 1\n",
            "x = 1)\ny = 2\n",
            "def\"\nval = 1\n",
        ] {
            assert_eq!(texts(code), [code]);
        }
        assert_eq!(
            texts("x = ''\ny = \"\"\"\"\"\"\n"),
            ["x = ''\n", "y = \"\"\"\"\"\"\n"]
        );
    }

    #[test]
    fn crlf_and_no_final_newline() {
        assert_eq!(texts("a = 1\r\nb = 2"), ["a = 1\r\n", "b = 2"]);
        assert_eq!(texts(""), [""]);
        assert_eq!(texts("\n\n# only a comment\n"), ["\n\n# only a comment\n"]);
    }

    #[test]
    fn words_skip_numbers_and_keep_unicode() {
        let found: Vec<&str> = words("x1 = 0x1f + größe_2 # ok\n'str'").collect();
        assert_eq!(found, ["x1", "größe_2", "ok", "str"]);
    }

    #[test]
    fn last_word_is_the_last_of_words() {
        for text in [
            "",
            " ",
            "x",
            "x1 = 0x1f",
            "größe_2 # 12",
            "a.b[c] ",
            "(x := ",
            "1 2 3",
            "é",
            "a é1 9z",
        ] {
            assert_eq!(last_word(text), words(text).last(), "{text:?}");
        }
    }

    fn bound(code: &str) -> Vec<&str> {
        let chunks = split(code);
        let mut names: Vec<&str> = chunks.iter().flat_map(|c| bound_names(code, c)).collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    #[test]
    fn binding_forms() {
        assert_eq!(
            bound("import a.b as c\nfrom m import (x,\n y as z)\n"),
            ["a", "b", "c", "m", "x", "y", "z"]
        );
        assert_eq!(bound("def f(p=1):\n    q = 2\nclass K: pass\n"), ["K", "f"]);
        assert_eq!(
            bound("s, t = 1, 2\nh[k] = v\no.attr += 1\nn: int = 3\n"),
            // `int` is over-counted: the word before `=` of an annotated
            // assignment; it only makes more code analysed.
            ["attr", "h", "int", "k", "n", "o", "s", "t"]
        );
        assert_eq!(
            bound("for i, j in x:\n    pass\nwith open(p) as fh: pass\n"),
            ["fh", "i", "j"]
        );
        assert_eq!(bound("if (m := f()):\n    global G\n"), ["G", "m"]);
        assert!(bound("f(a=1)\nx == y\nif a <= b: pass\nif a != b: pass\n").is_empty());
        assert_eq!(bound("x <<= 1\n"), ["x"]);
        assert_eq!(bound("A = B = 'u'\n"), ["A", "B"]);
        assert_eq!(bound("x = 1; MD = 'u'\n"), ["MD", "x"]);
        assert_eq!(bound("if True: MD = 'u'\n"), ["MD"]);
        assert_eq!(bound("with open(p) as fh: MD = 'u'\n"), ["MD", "fh"]);
        assert_eq!(bound("y = {'k': 1}  # z = 2\n"), ["y"]);
    }

    #[test]
    fn functions_and_classes_bind_their_name_and_globals_only() {
        assert_eq!(
            bound("def f():\n    global G\n    G = 1\n    local = 2\n"),
            ["G", "f"]
        );
        assert_eq!(bound("@dec\nclass K:\n    MD = 'u'\n"), ["K"]);
        assert_eq!(bound("async def g():\n    x = 1\n"), ["g"]);
    }

    #[test]
    fn comments_are_blanked_strings_kept() {
        assert_eq!(
            without_comments("a = '#x'  # b\nc # d\n"),
            "a = '#x'     \nc    \n"
        );
    }
}
