//! Unified diffs that `git apply` and `patch -p1` accept as they are.

use std::fmt::Write;

use similar::{Algorithm, DiffOp, DiffTag};

/// Lines of context around each change.
const CONTEXT: usize = 3;

/// The unified diff from `old` to `new` for `path` (the bytes of a relative
/// path with `/` separators), with `a/` and `b/` prefixes and three lines
/// of context; empty when nothing changed.
pub fn unified_diff(path: impl AsRef<[u8]>, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    let path = path.as_ref();
    let old_lines = lines(old);
    let new_lines = lines(new);
    let ops = similar::capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);

    let mut out = format!(
        "--- {}\n+++ {}\n",
        header_name(b"a/", path),
        header_name(b"b/", path)
    );
    for hunk in similar::group_diff_ops(ops, CONTEXT) {
        write_hunk(&mut out, &hunk, &old_lines, &new_lines);
    }
    out
}

/// The lines of `text`, each with its `\n`. Only `\n` ends a line, as
/// `git apply` and `patch` read a patch: a `\r` anywhere else, alone or
/// before the `\n`, is part of the line.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// Writes one hunk: its `@@` line, then its lines, each marked as kept
/// (` `), removed (`-`) or added (`+`).
fn write_hunk(out: &mut String, ops: &[DiffOp], old_lines: &[&str], new_lines: &[&str]) {
    let (Some(first), Some(last)) = (ops.first(), ops.last()) else {
        return;
    };
    let old_range = first.old_range().start..last.old_range().end;
    let new_range = first.new_range().start..last.new_range().end;
    let _ = writeln!(
        out,
        "@@ -{} +{} @@",
        hunk_range(&old_range),
        hunk_range(&new_range)
    );

    for op in ops {
        let (tag, old_range, new_range) = op.as_tag_tuple();
        let old_part = &old_lines[old_range];
        let new_part = &new_lines[new_range];
        match tag {
            DiffTag::Equal => write_lines(out, ' ', old_part),
            DiffTag::Delete => write_lines(out, '-', old_part),
            DiffTag::Insert => write_lines(out, '+', new_part),
            DiffTag::Replace => {
                write_lines(out, '-', old_part);
                write_lines(out, '+', new_part);
            }
        }
    }
}

/// A hunk's line range as its `@@` line gives it: the first line (from 1)
/// and the count, the count left out when it is 1; an empty range names
/// the line before it.
fn hunk_range(range: &std::ops::Range<usize>) -> String {
    match range.len() {
        0 => format!("{},0", range.start),
        1 => format!("{}", range.start + 1),
        len => format!("{},{len}", range.start + 1),
    }
}

/// Writes `lines` each after `mark`; a last line without a `\n` is
/// followed by the marker that says so.
fn write_lines(out: &mut String, mark: char, lines: &[&str]) {
    for line in lines {
        out.push(mark);
        out.push_str(line);
        if !line.ends_with('\n') {
            out.push_str("\n\\ No newline at end of file\n");
        }
    }
}

/// `prefix` and `path` as a `---` or `+++` line names them, the way git
/// writes them so that `git apply` and `patch` read them back.
///
/// A name holding a byte the line cannot carry as it is (a control
/// character, which could end the line or reach the terminal, `"` or `\`,
/// or any byte outside ASCII, so that a name not in UTF-8 keeps its bytes)
/// is written in double quotes with C escapes. A name holding a space ends
/// with a tab, which tells `patch` where the name ends.
fn header_name(prefix: &[u8], path: &[u8]) -> String {
    let name = [prefix, path].concat();
    let mut out = if name.iter().any(|&byte| needs_quoting(byte)) {
        quoted(&name)
    } else {
        // Only ASCII here, so nothing is lost.
        String::from_utf8_lossy(&name).into_owned()
    };
    if out.contains(' ') {
        out.push('\t');
    }
    out
}

/// Whether git quotes a name holding `byte` (with its default
/// `core.quotePath`, which quotes every byte outside ASCII).
fn needs_quoting(byte: u8) -> bool {
    let printable_ascii = (0x20..0x7f).contains(&byte);
    !printable_ascii || byte == b'"' || byte == b'\\'
}

/// `name` in double quotes, each byte that needs it written as a C escape:
/// a letter for the common controls, three octal digits for the rest.
fn quoted(name: &[u8]) -> String {
    let mut out = String::with_capacity(name.len() + 8);
    out.push('"');
    for &byte in name {
        match byte {
            0x07 => out.push_str("\\a"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0b => out.push_str("\\v"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            _ if needs_quoting(byte) => {
                let _ = write!(out, "\\{byte:03o}");
            }
            _ => out.push(char::from(byte)),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_has_git_headers_and_hunks() {
        let d = unified_diff(b"x/a.sh", "a\nb\n", "a\nT\nb\n");
        assert_eq!(
            d,
            "--- a/x/a.sh\n+++ b/x/a.sh\n@@ -1,2 +1,3 @@\n a\n+T\n b\n"
        );
        assert_eq!(unified_diff(b"a", "same", "same"), "");
    }

    /// The `---` line of the diff of a file named `path`.
    fn old_name_line(path: &[u8]) -> String {
        let d = unified_diff(path, "a\n", "b\n");
        d.lines().next().unwrap_or_default().to_owned()
    }

    #[test]
    fn unusual_names_are_quoted_as_git_quotes_them() {
        let d = unified_diff(b"nl\nx.sh", "a\n", "b\n");
        assert!(
            d.starts_with("--- \"a/nl\\nx.sh\"\n+++ \"b/nl\\nx.sh\"\n@@ "),
            "{d}"
        );
        let cases: [(&[u8], &str); 6] = [
            (b"x/plain-name_1.sh", "a/x/plain-name_1.sh"),
            (b"t\tc\rb\x07\x08\x0b\x0c.sh", r#""a/t\tc\rb\a\b\v\f.sh""#),
            (b"esc\x1b[31m\x7f.sh", r#""a/esc\033[31m\177.sh""#),
            (b"q\"uote\\.sh", r#""a/q\"uote\\.sh""#),
            // Every byte outside ASCII, so a name not in UTF-8 keeps its
            // bytes and a bidirectional control cannot reach the terminal.
            (b"bad\xff\xfe.sh", r#""a/bad\377\376.sh""#),
            ("é\u{202e}.sh".as_bytes(), r#""a/\303\251\342\200\256.sh""#),
        ];
        for (path, name) in cases {
            assert_eq!(old_name_line(path), format!("--- {name}"));
        }
    }

    #[test]
    fn a_name_with_a_space_ends_with_a_tab_for_patch() {
        let d = unified_diff(b"my file.sh", "a\n", "b\n");
        assert!(
            d.starts_with("--- a/my file.sh\t\n+++ b/my file.sh\t\n@@ "),
            "{d}"
        );
        let d = unified_diff(b"my\nfile .sh", "a\n", "b\n");
        assert!(d.starts_with("--- \"a/my\\nfile .sh\"\t\n"), "{d}");
    }

    #[test]
    fn a_bare_carriage_return_does_not_split_a_line() {
        // Regression (tester): lines were split at a lone `\r` too, so a
        // `-` line was written without its `\n` and the next line glued
        // on, and `git apply` called the patch corrupt.
        let old = "x=1\rcurl a\nkeep\n";
        let new = "T\nx=1\rcurl b\nkeep\n";
        assert_eq!(
            unified_diff(b"a.sh", old, new),
            "--- a/a.sh\n+++ b/a.sh\n@@ -1,2 +1,3 @@\n-x=1\rcurl a\n+T\n+x=1\rcurl b\n keep\n"
        );
        let d = unified_diff(b"a.sh", "curl a\rFAKE\n", "T\ncurl a\rFAKE\n");
        assert_eq!(
            d,
            "--- a/a.sh\n+++ b/a.sh\n@@ -1 +1,2 @@\n+T\n curl a\rFAKE\n"
        );
        // A `\r` before the `\n` stays part of the line, as before.
        let d = unified_diff(b"a.sh", "a\r\nb\r\n", "a\r\nT\r\nb\r\n");
        assert_eq!(
            d,
            "--- a/a.sh\n+++ b/a.sh\n@@ -1,2 +1,3 @@\n a\r\n+T\r\n b\r\n"
        );
        // A last line that ends in a lone `\r` still has no newline.
        let d = unified_diff(b"a.sh", "a\r", "b\r");
        assert_eq!(
            d,
            "--- a/a.sh\n+++ b/a.sh\n@@ -1 +1 @@\n-a\r\n\\ No newline at end of file\n+b\r\n\\ No newline at end of file\n"
        );
    }

    #[test]
    fn missing_final_newline_is_marked() {
        let d = unified_diff(b"a", "x", "y");
        assert!(d.contains("\\ No newline at end of file"), "{d}");
    }
}
