//! Text from scanned files and file names, made safe for a terminal:
//! control characters could move the cursor, recolor or clear the screen,
//! bidirectional controls could reorder what the reader sees (Trojan
//! Source), and invisible characters could make two names or two lines of
//! code look the same. They are written as visible escapes such as
//! `\u{1b}`. Nor can they write what GitHub's runner would read from a
//! log as a workflow command (a line opening with `::`, or `##[`).

use std::borrow::Cow;
use std::fmt::Write;

/// Whether `c`, after `prev`, must not reach a terminal raw: controls (C0
/// other than tab and line feed, DEL, C1), the Unicode bidirectional
/// controls, and characters that show as nothing.
fn is_unsafe(c: char, prev: Option<char>) -> bool {
    // Most of what is shown is ASCII, where only controls are unsafe.
    if c.is_ascii() {
        return c.is_ascii_control() && c != '\n' && c != '\t';
    }
    c.is_control()
        || is_bidi_control(c)
        || is_invisible(c)
        || (c == EMOJI_PRESENTATION && prev.is_none_or(|p| p.is_ascii()))
}

/// The variation selector that asks for an emoji's colour form: part of
/// most emoji as written, so kept after a character that is not ASCII,
/// and escaped after one that is (`init\u{fe0f}.sh` is not `init.sh`).
const EMOJI_PRESENTATION: char = '\u{fe0f}';

/// Each character of `text`, with its offset and whether it must be
/// escaped (see [`is_unsafe`]); with `commands`, also the `#` that opens
/// an old-style workflow command (`##[error]`), which GitHub's runner
/// reads anywhere in a line.
fn judged(text: &str, commands: bool) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let mut prev = None;
    text.char_indices().map(move |(i, c)| {
        let unsafe_here =
            is_unsafe(c, prev) || (commands && c == '#' && text[i..].starts_with("##["));
        prev = Some(c);
        (i, c, unsafe_here)
    })
}

/// Characters a terminal shows as nothing, or as blank space where no
/// space is: Unicode's default-ignorable code points (zero-width spaces
/// and joiners, the word joiner and invisible operators, the combining
/// grapheme joiner, a byte order mark inside text, the soft hyphen,
/// Hangul, Khmer and Mongolian fillers and selectors, variation selectors
/// but the emoji one, shorthand and musical format controls, tag
/// characters), the other format characters (Arabic number signs,
/// interlinear annotation marks, Egyptian hieroglyph controls), and line
/// and paragraph separators.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{ad}'
            | '\u{34f}'
            | '\u{600}'..='\u{605}'
            | '\u{6dd}'
            | '\u{70f}'
            | '\u{890}'..='\u{891}'
            | '\u{8e2}'
            | '\u{115f}'..='\u{1160}'
            | '\u{17b4}'..='\u{17b5}'
            | '\u{180b}'..='\u{180f}'
            | '\u{200b}'..='\u{200d}'
            | '\u{2028}'..='\u{2029}'
            | '\u{2060}'..='\u{206f}'
            | '\u{3164}'
            | '\u{fe00}'..='\u{fe0e}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{fff0}'..='\u{fffb}'
            | '\u{110bd}'
            | '\u{110cd}'
            | '\u{13430}'..='\u{1343f}'
            | '\u{1bca0}'..='\u{1bca3}'
            | '\u{1d173}'..='\u{1d17a}'
            | '\u{e0000}'..='\u{e0fff}'
    )
}

/// Whether `c` could hide or reorder text where no context tells an emoji
/// apart: the bidirectional controls, the invisible characters and every
/// variation selector.
pub fn is_hidden(c: char) -> bool {
    is_bidi_control(c) || is_invisible(c) || c == EMOJI_PRESENTATION
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn escape_char(c: char, out: &mut String) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    }
}

/// Whether `text` holds a character [`line`] or [`Code`] would escape,
/// line breaks aside.
pub fn needed(text: &str) -> bool {
    judged(text, true).any(|(_, _, unsafe_here)| unsafe_here)
}

/// `text` for a one-line field (a path, a message), which may open a line:
/// unsafe characters and line breaks escaped, so one finding stays one
/// line, and workflow commands too: `##[`, and a `::` that opens the field
/// after spaces (its first colon, `\u{3a}:`).
pub fn line(text: &str) -> Cow<'_, str> {
    let opens_command = text.trim_start().starts_with("::");
    let command_at = text.len() - text.trim_start().len();
    escaped_line(text, true, opens_command.then_some(command_at))
}

/// `text` for a one-line field that sits inside a workflow command's own
/// syntax (the `file` property of a GitHub annotation), where the runner
/// looks for no other command and the text must name the file as it is:
/// only what a terminal would obey, and line breaks, are escaped.
pub fn for_terminal(text: &str) -> Cow<'_, str> {
    escaped_line(text, false, None)
}

fn escaped_line(text: &str, commands: bool, also: Option<usize>) -> Cow<'_, str> {
    let escaped =
        |i: usize, c: char, unsafe_here: bool| c == '\n' || unsafe_here || also == Some(i);
    if !judged(text, commands).any(|(i, c, unsafe_here)| escaped(i, c, unsafe_here)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c, unsafe_here) in judged(text, commands) {
        if escaped(i, c, unsafe_here) {
            escape_char(c, &mut out);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Code shown in a snippet, with unsafe characters escaped and line breaks
/// (`\n`, `\r\n`) kept; offsets into the original map onto it.
#[derive(Debug)]
pub struct Code<'a> {
    /// The code as it is shown.
    pub text: Cow<'a, str>,
    /// For each escaped character: its end offset in the original, and how
    /// many bytes longer the text is from there on.
    growth: Vec<(usize, usize)>,
}

impl<'a> Code<'a> {
    /// Escapes the code of a whole file for showing.
    pub fn new(code: &'a str) -> Self {
        Self::escaped(code, true)
    }

    /// Escapes the code of a notebook cell for showing: a byte order mark
    /// that opens it is inside the file, and shown as such.
    pub fn cell(code: &'a str) -> Self {
        Self::escaped(code, false)
    }

    fn escaped(code: &'a str, opens_file: bool) -> Self {
        // A line break's CR, and the byte order mark that opens a file,
        // are shown as the file's editor shows them.
        let escaped = |i: usize, c: char, unsafe_here: bool| {
            unsafe_here
                && (c != '\r' || !code[i..].starts_with("\r\n"))
                && (c != '\u{feff}' || i > 0 || !opens_file)
        };
        if !judged(code, true).any(|(i, c, unsafe_here)| escaped(i, c, unsafe_here)) {
            return Code {
                text: Cow::Borrowed(code),
                growth: Vec::new(),
            };
        }

        let mut out = String::with_capacity(code.len() + 16);
        let mut growth = Vec::new();
        for (i, c, unsafe_here) in judged(code, true) {
            if escaped(i, c, unsafe_here) {
                escape_char(c, &mut out);
                let end = i + c.len_utf8();
                growth.push((end, out.len() - end));
            } else {
                out.push(c);
            }
        }
        Code {
            text: Cow::Owned(out),
            growth,
        }
    }

    /// The same, holding its text: for code made only to be shown.
    pub fn into_owned(self) -> Code<'static> {
        Code {
            text: Cow::Owned(self.text.into_owned()),
            growth: self.growth,
        }
    }

    /// Where offset `at` of the original code is in the shown text.
    pub fn offset(&self, at: usize) -> usize {
        let before = self.growth.partition_point(|&(end, _)| end <= at);
        match before {
            0 => at,
            n => at + self.growth[n - 1].1,
        }
    }
}

/// A serialized JSON document with the characters JSON leaves raw but a
/// terminal would obey (DEL, C1 controls, bidirectional controls), and the
/// `#` of an old-style workflow command (`##[`), written as `\uXXXX`
/// escapes; the decoded text is unchanged.
pub fn json(serialized: String) -> String {
    if !judged(&serialized, true).any(|(_, _, unsafe_here)| unsafe_here) {
        return serialized;
    }
    let mut out = String::with_capacity(serialized.len() + 16);
    for (_, c, unsafe_here) in judged(&serialized, true) {
        if unsafe_here {
            // Outside strings JSON holds only ASCII punctuation, so every
            // such character is inside a string, where an escape is valid;
            // one past U+FFFF is written as its UTF-16 surrogate pair.
            for unit in c.encode_utf16(&mut [0; 2]) {
                let _ = write!(out, "\\u{unit:04x}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn one_line_fields_escape_controls_bidi_and_breaks() {
        assert_eq!(line("plain/path.sh"), "plain/path.sh");
        assert!(matches!(line("plain"), Cow::Borrowed(_)));
        assert_eq!(line("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(line("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(line("a\nb\r\x07"), "a\\nb\\r\\u{7}");
        assert_eq!(line("tab\there é"), "tab\there é");
    }

    #[test]
    fn invisible_characters_are_shown() {
        assert_eq!(line("init.sh\u{200b}"), "init.sh\\u{200b}");
        assert_eq!(
            line("a\u{2060}b\u{feff}c\u{ad}d\u{2028}e\u{e0041}f\u{3164}"),
            "a\\u{2060}b\\u{feff}c\\u{ad}d\\u{2028}e\\u{e0041}f\\u{3164}"
        );
        // An emoji's variation selector is no trick.
        assert_eq!(line("ok \u{2764}\u{fe0f}"), "ok \u{2764}\u{fe0f}");
    }

    /// Every character found shown raw by a fresh tester (each looks like
    /// nothing, so two names differing by one looked the same), and the
    /// emoji selector after ASCII.
    #[test]
    fn every_default_ignorable_and_format_character_is_shown() {
        for c in [
            '\u{34f}',
            '\u{180b}',
            '\u{180d}',
            '\u{180f}',
            '\u{206a}',
            '\u{206f}',
            '\u{1bca0}',
            '\u{1bca3}',
            '\u{1d173}',
            '\u{1d17a}',
            '\u{fe00}',
            '\u{fe0e}',
            '\u{e0100}',
            '\u{e01ef}',
            '\u{e0fff}',
            '\u{600}',
            '\u{605}',
            '\u{6dd}',
            '\u{70f}',
            '\u{890}',
            '\u{891}',
            '\u{8e2}',
            '\u{110bd}',
            '\u{110cd}',
            '\u{13430}',
            '\u{13438}',
            '\u{fff0}',
        ] {
            let name = format!("init{c}.sh");
            let shown = line(&name);
            assert_eq!(
                shown,
                format!("init\\u{{{:x}}}.sh", u32::from(c)),
                "{:x}",
                u32::from(c)
            );
        }
        assert_eq!(line("init\u{fe0f}.sh"), "init\\u{fe0f}.sh");
        assert_eq!(line("\u{fe0f}x"), "\\u{fe0f}x");
        assert_eq!(
            Code::new("# \u{2705}\u{fe0f} ok\n").text,
            "# \u{2705}\u{fe0f} ok\n"
        );
    }

    #[test]
    fn json_escapes_past_the_basic_plane_as_surrogate_pairs() {
        let doc = serde_json::to_string("tag\u{e0041} music\u{1d173} end").unwrap();
        let safe = json(doc.clone());
        assert!(safe.is_ascii() || !safe.contains('\u{e0041}'), "{safe}");
        assert!(safe.contains("\\udb40\\udc41"), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, "tag\u{e0041} music\u{1d173} end");
    }

    #[test]
    fn code_keeps_line_breaks_and_maps_offsets() {
        let code = "a\r\nb\x1bc\u{202e}d\n";
        let shown = Code::new(code);
        assert_eq!(shown.text, "a\r\nb\\u{1b}c\\u{202e}d\n");
        let c = code.find('c').unwrap();
        assert_eq!(&shown.text[shown.offset(c)..=shown.offset(c)], "c");
        let d = code.find('d').unwrap();
        assert_eq!(&shown.text[shown.offset(d)..=shown.offset(d)], "d");
        assert_eq!(shown.offset(1), 1);
        assert_eq!(shown.offset(code.len()), shown.text.len());
    }

    /// GitHub's runner reads a log line that starts, after spaces, with
    /// `::` as a workflow command (`::stop-commands::` silences every
    /// annotation after it), and `##[` anywhere in a line as an old-style
    /// one. A file name or file text must make neither.
    #[test]
    fn workflow_commands_are_escaped() {
        assert_eq!(line("::stop-commands::x.sh"), "\\u{3a}:stop-commands::x.sh");
        assert_eq!(line("  ::error file=a::b"), "  \\u{3a}:error file=a::b");
        assert_eq!(line("x##[error]y.sh"), "x\\u{23}#[error]y.sh");
        assert_eq!(line("a::b.sh"), "a::b.sh");
        assert_eq!(line(":x ##y #[z"), ":x ##y #[z");
        assert!(needed("##[warning]"));
        // Snippet lines start with their number, so only `##[` matters.
        assert_eq!(Code::new("::a ##[b\n").text, "::a \\u{23}#[b\n");
        // Where a workflow command's own syntax holds the text, only what
        // a terminal would obey is escaped.
        assert_eq!(for_terminal("::x##[y\x1b"), "::x##[y\\u{1b}");
    }

    #[test]
    fn a_byte_order_mark_opening_a_cell_is_shown() {
        assert_eq!(Code::cell("\u{feff}curl x\n").text, "\\u{feff}curl x\n");
    }

    #[test]
    fn a_byte_order_mark_opening_the_code_is_no_trick() {
        assert_eq!(Code::new("\u{feff}curl x\n").text, "\u{feff}curl x\n");
        assert_eq!(Code::new("a\u{feff}b\n").text, "a\\u{feff}b\n");
    }

    #[test]
    fn code_without_anything_to_escape_is_borrowed() {
        let shown = Code::new("curl x\r\n");
        assert!(matches!(shown.text, Cow::Borrowed(_)));
        assert_eq!(shown.offset(5), 5);
        assert_eq!(Code::new("a\rb").text, "a\\rb");
    }

    #[test]
    fn json_escapes_what_serde_leaves_raw() {
        let doc = serde_json::to_string("del\u{7f} c1\u{85} bidi\u{202e} esc\x1b ##[x]").unwrap();
        let safe = json(doc.clone());
        assert!(
            !judged(&safe, true).any(|(_, _, unsafe_here)| unsafe_here),
            "{safe}"
        );
        assert!(safe.contains("\\u0023#[x]"), "{safe}");
        let back: String = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, serde_json::from_str::<String>(&doc).unwrap());
    }
}
