//! A file as stored: its bytes as text, its kind, and its line index.

use std::path::{Path, PathBuf};

use crate::error::ReadError;
use crate::kind::FileKind;

/// A line and column, both 1-based, for output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    /// 1-based line.
    pub line: usize,
    /// 1-based column in Unicode scalar values.
    pub column: usize,
    /// 1-based column in UTF-16 code units (what SARIF counts by default).
    pub utf16_column: usize,
}

/// Byte offsets of line starts, to turn offsets into lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    /// Indexes the lines of `text` (`\n` ends a line; `\r\n` too).
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        LineIndex { starts }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset where 0-based `line` starts.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(usize::MAX)
    }

    /// The number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether there are no lines (never: an empty text has one).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// Line and column of byte `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        self.line_col_near(text, None, offset)
    }

    /// Line and column of byte `offset` in `text`, counted on from `known`
    /// (an offset and the place this index gave it) when that is on the
    /// same line and nearer than the line's start. Asked in order, the
    /// places of many findings on one long line (a minified script, a
    /// notebook's JSON line) cost the distance between them, not each its
    /// distance from the line's start, which made such files quadratic.
    pub fn line_col_near(
        &self,
        text: &str,
        known: Option<(usize, LineCol)>,
        offset: usize,
    ) -> LineCol {
        let offset = column_offset(text, offset);
        let line = self.line_of(offset);
        let line_start = column_offset(text, self.starts[line]);

        if let Some((from, at)) = known {
            let from = column_offset(text, from);
            if self.line_of(from) == line && from.abs_diff(offset) < offset - line_start {
                return step(text, from, at, offset);
            }
        }
        let before = &text[line_start..offset];
        LineCol {
            line: line + 1,
            column: before.chars().count() + 1,
            utf16_column: before.encode_utf16().count() + 1,
        }
    }
}

/// `offset` moved to where a column can be counted to: into the text, onto
/// a character boundary, and past a leading byte order mark, which is no
/// column (editors do not show it).
fn column_offset(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let bom = '\u{feff}'.len_utf8();
    if offset < bom && text.starts_with('\u{feff}') {
        bom
    } else {
        offset
    }
}

/// The place of `to`, counted from `from` at `at` on the same line, both
/// on character boundaries.
fn step(text: &str, from: usize, at: LineCol, to: usize) -> LineCol {
    if to >= from {
        let between = &text[from..to];
        LineCol {
            line: at.line,
            column: at.column + between.chars().count(),
            utf16_column: at.utf16_column + between.encode_utf16().count(),
        }
    } else {
        let between = &text[to..from];
        LineCol {
            line: at.line,
            column: at.column.saturating_sub(between.chars().count()),
            utf16_column: at
                .utf16_column
                .saturating_sub(between.encode_utf16().count()),
        }
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// A file read into memory as UTF-8 text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as given or found by the walk.
    pub path: PathBuf,
    /// What kind of file it is.
    pub kind: FileKind,
    /// The whole file, byte for byte (a BOM, if any, included).
    pub text: String,
    /// Line starts of `text`.
    pub lines: LineIndex,
}

impl SourceFile {
    /// Makes a source file from bytes already read. Rejects binary,
    /// UTF-16, UTF-32 and non-UTF-8 content with the reason.
    pub fn from_bytes(path: &Path, kind: FileKind, bytes: Vec<u8>) -> Result<Self, ReadError> {
        // UTF-32 first: its little-endian mark starts with UTF-16's, and
        // its big-endian one with NUL bytes, which would say "binary".
        if bytes.starts_with(b"\xFF\xFE\0\0") || bytes.starts_with(b"\0\0\xFE\xFF") {
            return Err(ReadError::Utf32);
        }
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            return Err(ReadError::Utf16);
        }
        if let Some(offset) = memchr::memchr(0, &bytes) {
            return Err(ReadError::Binary { offset });
        }
        let text = String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
            offset: e.utf8_error().valid_up_to(),
        })?;
        let lines = LineIndex::new(&text);
        Ok(SourceFile {
            path: path.to_owned(),
            kind,
            text,
            lines,
        })
    }

    /// Line and column of a byte offset in the file.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.lines.line_col(&self.text, offset)
    }

    /// The text without a leading byte order mark, and the BOM's length.
    pub fn text_without_bom(&self) -> (&str, usize) {
        match self.text.strip_prefix('\u{feff}') {
            Some(rest) => (rest, '\u{feff}'.len_utf8()),
            None => (&self.text, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_utf16() {
        let text = "ab\né𝄞x\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_col(text, 0).line, 1);
        let x = text.find('x').unwrap_or_default();
        let lc = index.line_col(text, x);
        assert_eq!((lc.line, lc.column, lc.utf16_column), (2, 3, 4));
        let last = text.find("last").unwrap_or_default();
        assert_eq!(index.line_col(text, last).line, 3);
    }

    #[test]
    fn line_col_near_a_known_place_matches_line_col() {
        // Many findings on one long line were each counted from the line's
        // start; counted from the place before, they must land the same.
        let text = "\u{feff}a é𝄞 curl x; curl y;\r\n\n𝄞𝄞 z\u{feff}q\nlast";
        let index = LineIndex::new(text);
        let offsets: Vec<usize> = (0..=text.len() + 2).collect();
        let forward = offsets.iter();
        let backward = offsets.iter().rev();
        let jumping = offsets
            .iter()
            .step_by(3)
            .chain(offsets.iter().step_by(2).rev());
        for order in [
            forward.collect::<Vec<_>>(),
            backward.collect(),
            jumping.collect(),
        ] {
            let mut known = None;
            for &offset in order {
                let near = index.line_col_near(text, known, offset);
                assert_eq!(near, index.line_col(text, offset), "offset {offset}");
                known = Some((offset, near));
            }
        }
    }

    #[test]
    fn byte_order_mark_is_not_a_column() {
        let text = "\u{feff}curl x\n";
        let index = LineIndex::new(text);
        let lc = index.line_col(text, text.find("curl").unwrap_or_default());
        assert_eq!((lc.line, lc.column, lc.utf16_column), (1, 1, 1));
    }

    #[test]
    fn rejects_binary_and_bad_encodings() {
        let p = Path::new("x.py");
        let k = FileKind::Python;
        assert!(matches!(
            SourceFile::from_bytes(p, k, b"a\0b".to_vec()),
            Err(ReadError::Binary { offset: 1 })
        ));
        assert!(matches!(
            SourceFile::from_bytes(p, k, b"ok\xff".to_vec()),
            Err(ReadError::NotUtf8 { offset: 2 })
        ));
        assert!(matches!(
            SourceFile::from_bytes(p, k, b"\xff\xfea\0".to_vec()),
            Err(ReadError::Utf16)
        ));
    }

    #[test]
    fn utf32_is_not_taken_for_utf16_or_binary() {
        // Regression (tester): `FF FE 00 00` was reported as UTF-16, whose
        // byte order mark it starts with, and `00 00 FE FF` as binary.
        let p = Path::new("x.sh");
        let k = FileKind::Shell;
        let little_endian = b"\xff\xfe\0\0c\0\0\0".to_vec();
        let big_endian = b"\0\0\xfe\xff\0\0\0c".to_vec();
        for bytes in [little_endian, big_endian] {
            let err = SourceFile::from_bytes(p, k, bytes).err();
            assert!(matches!(err, Some(ReadError::Utf32)), "{err:?}");
        }
    }
}
