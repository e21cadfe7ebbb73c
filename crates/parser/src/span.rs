//! Span maps: where each byte of a cell's code lives in the file as stored.
//!
//! A cell's code is what an interpreter sees: `MAGIC` prefixes stripped, JSON
//! escapes decoded, string literals unquoted. Every location the tool prints
//! and every edit it makes crosses from cell to file through a [`SpanMap`];
//! there is no second way to compute it.

use std::ops::Range;

/// One run of cell bytes and the file bytes they came from.
///
/// When both lengths are equal the run is verbatim and maps byte for byte.
/// Otherwise it is an escape or a joint (`\"` decoded to `"`, or a newline
/// plus the `# MAGIC ` prefix of the next line) and maps only as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Start of the run in the cell's code.
    pub cell: usize,
    /// Length of the run in the cell's code.
    pub cell_len: usize,
    /// Start of the run in the file.
    pub file: usize,
    /// Length of the run in the file.
    pub file_len: usize,
}

impl Segment {
    fn is_verbatim(&self) -> bool {
        self.cell_len == self.file_len
    }

    fn cell_end(&self) -> usize {
        self.cell + self.cell_len
    }

    fn file_end(&self) -> usize {
        self.file + self.file_len
    }
}

/// Maps byte offsets of a cell's code to byte offsets of the stored file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SpanMap {
    segments: Vec<Segment>,
    /// File offset of the cell's end, for empty cells and offsets at the end.
    end: usize,
}

impl SpanMap {
    /// A map for code taken verbatim from `file_start..file_start + len`.
    pub fn verbatim(file_start: usize, len: usize) -> Self {
        let mut builder = SpanMapBuilder::new(file_start);
        builder.verbatim(len);
        builder.finish()
    }

    /// The segments, in cell order, covering the cell without gaps.
    pub fn segments(&self) -> &[Segment] {
        &self.segments
    }

    /// Length of the cell's code this map covers.
    pub fn cell_len(&self) -> usize {
        self.segments.last().map_or(0, Segment::cell_end)
    }

    /// The file offset where a range starting at cell offset `offset` starts.
    ///
    /// An offset inside an escape maps to the escape's first byte.
    pub fn file_start(&self, offset: usize) -> usize {
        match self.segment_starting_at_or_covering(offset) {
            Some(seg) if seg.is_verbatim() => seg.file + (offset - seg.cell),
            Some(seg) => seg.file,
            None => self.end,
        }
    }

    /// The file offset where a range ending at cell offset `offset` ends.
    ///
    /// An offset inside an escape maps past the escape's last byte.
    pub fn file_end(&self, offset: usize) -> usize {
        if offset == 0 {
            return self.segments.first().map_or(self.end, |seg| seg.file);
        }
        match self.segment_ending_at_or_covering(offset) {
            Some(seg) if seg.is_verbatim() => seg.file + (offset - seg.cell),
            Some(seg) => seg.file_end(),
            None => self.end,
        }
    }

    /// Maps a cell range to the file range that holds it.
    pub fn file_range(&self, range: Range<usize>) -> Range<usize> {
        if range.is_empty() {
            let at = self.file_start(range.start);
            return at..at;
        }
        self.file_start(range.start)..self.file_end(range.end)
    }

    /// Chains `self` (nested cell -> host cell) with `host` (host cell ->
    /// file), giving nested cell -> file.
    #[must_use]
    pub fn compose(&self, host: &SpanMap) -> SpanMap {
        let mut segments = Vec::with_capacity(self.segments.len());
        for seg in &self.segments {
            if seg.is_verbatim() {
                push_verbatim_through(&mut segments, seg, host);
            } else {
                let file = host.file_range(seg.file..seg.file_end());
                push(
                    &mut segments,
                    Segment {
                        cell: seg.cell,
                        cell_len: seg.cell_len,
                        file: file.start,
                        file_len: file.len(),
                    },
                );
            }
        }
        SpanMap {
            segments,
            end: host.file_end(self.end),
        }
    }

    /// The same map with every file offset moved `by` bytes later: turns a
    /// map relative to a string literal into one relative to its host cell.
    #[must_use]
    pub fn shifted(&self, by: usize) -> SpanMap {
        SpanMap {
            segments: self
                .segments
                .iter()
                .map(|seg| Segment {
                    file: seg.file + by,
                    ..*seg
                })
                .collect(),
            end: self.end + by,
        }
    }

    fn segment_starting_at_or_covering(&self, offset: usize) -> Option<&Segment> {
        let idx = self
            .segments
            .partition_point(|seg| seg.cell_end() <= offset);
        self.segments.get(idx).filter(|seg| seg.cell <= offset)
    }

    fn segment_ending_at_or_covering(&self, offset: usize) -> Option<&Segment> {
        let idx = self.segments.partition_point(|seg| seg.cell_end() < offset);
        self.segments.get(idx).filter(|seg| seg.cell < offset)
    }
}

/// Splits a verbatim nested segment along the host's own segments.
fn push_verbatim_through(out: &mut Vec<Segment>, seg: &Segment, host: &SpanMap) {
    let (start, end) = (seg.file, seg.file_end());
    let first = host.segments.partition_point(|h| h.cell_end() <= start);
    for h in host.segments[first..].iter().take_while(|h| h.cell < end) {
        let lo = start.max(h.cell);
        let hi = end.min(h.cell_end());
        let cell = seg.cell + (lo - start);
        let piece = if h.is_verbatim() {
            Segment {
                cell,
                cell_len: hi - lo,
                file: h.file + (lo - h.cell),
                file_len: hi - lo,
            }
        } else {
            Segment {
                cell,
                cell_len: hi - lo,
                file: h.file,
                file_len: h.file_len,
            }
        };
        push(out, piece);
    }
}

/// Appends a segment, merging it into the previous one when both are
/// verbatim and contiguous.
fn push(out: &mut Vec<Segment>, seg: Segment) {
    if seg.cell_len == 0 && seg.file_len == 0 {
        return;
    }
    if let Some(last) = out.last_mut() {
        if last.is_verbatim()
            && seg.is_verbatim()
            && last.cell_end() == seg.cell
            && last.file_end() == seg.file
        {
            last.cell_len += seg.cell_len;
            last.file_len += seg.file_len;
            return;
        }
    }
    out.push(seg);
}

/// Builds a cell's code and its span map together, left to right.
#[derive(Debug)]
pub struct SpanMapBuilder {
    segments: Vec<Segment>,
    cell: usize,
    file: usize,
}

impl SpanMapBuilder {
    /// Starts a map whose first byte comes from `file_start`.
    pub fn new(file_start: usize) -> Self {
        SpanMapBuilder {
            segments: Vec::new(),
            cell: 0,
            file: file_start,
        }
    }

    /// The next `len` bytes are copied verbatim from the file.
    pub fn verbatim(&mut self, len: usize) {
        self.escaped(len, len);
    }

    /// The next `cell_len` bytes of code come from `file_len` file bytes
    /// that only map as a whole (an escape, or a line joint).
    pub fn escaped(&mut self, cell_len: usize, file_len: usize) {
        push(
            &mut self.segments,
            Segment {
                cell: self.cell,
                cell_len,
                file: self.file,
                file_len,
            },
        );
        self.cell += cell_len;
        self.file += file_len;
    }

    /// Skips file bytes that are not part of the code at all.
    ///
    /// Only valid between lines; inside a line use [`Self::escaped`].
    pub fn skip(&mut self, file_len: usize) {
        self.file += file_len;
    }

    /// Current position in the file.
    pub fn file_pos(&self) -> usize {
        self.file
    }

    /// Moves the file position (for formats whose code is scattered).
    pub fn seek(&mut self, file_pos: usize) {
        self.file = file_pos;
    }

    /// The finished map.
    pub fn finish(self) -> SpanMap {
        SpanMap {
            segments: self.segments,
            end: self.file,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbatim_maps_by_offset() {
        let map = SpanMap::verbatim(10, 5);
        assert_eq!(map.file_start(0), 10);
        assert_eq!(map.file_start(3), 13);
        assert_eq!(map.file_end(5), 15);
        assert_eq!(map.file_range(1..4), 11..14);
    }

    #[test]
    fn escape_maps_as_a_whole() {
        // cell `a"b` from file `a\"b` at offset 100
        let mut b = SpanMapBuilder::new(100);
        b.verbatim(1);
        b.escaped(1, 2);
        b.verbatim(1);
        let map = b.finish();
        assert_eq!(map.file_range(0..1), 100..101);
        assert_eq!(map.file_range(1..2), 101..103);
        assert_eq!(map.file_range(2..3), 103..104);
        assert_eq!(map.file_range(0..3), 100..104);
        assert_eq!(map.file_start(3), 104);
    }

    #[test]
    fn empty_range_inside_text_is_an_insertion_point() {
        let mut b = SpanMapBuilder::new(0);
        b.verbatim(2);
        b.escaped(1, 9); // "\n# MAGIC "
        b.verbatim(3);
        let map = b.finish();
        // inserting at the start of the second line goes after the prefix
        assert_eq!(map.file_range(3..3), 11..11);
    }

    #[test]
    fn compose_chains_nested_through_host() {
        // host cell: `x = "a\"b"` from JSON `x = \"a\\\"b\"` ... keep it small:
        // host: 4 verbatim bytes, 1 byte from a 2-byte escape, 3 verbatim.
        let mut h = SpanMapBuilder::new(50);
        h.verbatim(4);
        h.escaped(1, 2);
        h.verbatim(3);
        let host = h.finish();
        // nested: host bytes 3..7 verbatim
        let mut n = SpanMapBuilder::new(3);
        n.verbatim(4);
        let nested = n.finish().compose(&host);
        assert_eq!(nested.file_range(0..1), 53..54);
        assert_eq!(nested.file_range(1..2), 54..56);
        assert_eq!(nested.file_range(2..4), 56..58);
    }

    #[test]
    fn shifted_moves_file_offsets_only() {
        let mut b = SpanMapBuilder::new(1);
        b.verbatim(2);
        b.escaped(1, 2);
        let map = b.finish().shifted(10);
        assert_eq!(map.file_range(0..2), 11..13);
        assert_eq!(map.file_range(2..3), 13..15);
        assert_eq!(map.file_start(3), 15);
        assert_eq!(map.cell_len(), 3);
    }
}
