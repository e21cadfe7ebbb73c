//! Edits and fixes: the vocabulary rules and the rewriter share.
//!
//! Ranges are byte offsets in the coordinates of one cell's code. The
//! rewriter maps them to the file through the cell's span map.

use std::ops::Range;

/// Replace a byte range of a cell's code with new text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Edit {
    /// The range replaced, in cell coordinates.
    pub range: Range<usize>,
    /// The new text, with `\n` line endings; the rewriter adapts them.
    pub content: String,
}

impl Edit {
    /// Inserts `content` at `offset`.
    pub fn insertion(offset: usize, content: impl Into<String>) -> Self {
        Edit {
            range: offset..offset,
            content: content.into(),
        }
    }

    /// Replaces `range` with `content`.
    pub fn replacement(range: Range<usize>, content: impl Into<String>) -> Self {
        Edit {
            range,
            content: content.into(),
        }
    }

    /// Deletes `range`.
    pub fn deletion(range: Range<usize>) -> Self {
        Edit {
            range,
            content: String::new(),
        }
    }

    /// Whether two edits touch overlapping bytes (two insertions at one
    /// point overlap unless they are identical).
    pub fn overlaps(&self, other: &Edit) -> bool {
        if self == other {
            return false;
        }
        if self.range.is_empty() && other.range.is_empty() {
            return self.range.start == other.range.start;
        }
        self.range.start < other.range.end && other.range.start < self.range.end
            || (self.range.is_empty() && other.range.contains(&self.range.start))
            || (other.range.is_empty() && self.range.contains(&other.range.start))
    }
}

/// How sure a fix is to keep the program's behaviour apart from IMDSv2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Applicability {
    /// Shown to the user, never applied.
    DisplayOnly,
    /// Applied only with `--unsafe-fixes`: may change behaviour otherwise.
    Unsafe,
    /// Changes only what IMDSv2 needs.
    Safe,
}

impl Applicability {
    /// Lower-case name for output.
    pub fn name(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// A proposed change for one finding: edits in one cell, applied together.
///
/// Findings in the same scope share a token fetch: each of their fixes
/// carries the same insertion edit, and the rewriter applies identical edits
/// once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, for `--show-fixes` and the JSON output.
    pub message: String,
    /// The edits, sorted by range.
    pub edits: Vec<Edit>,
    /// How safe it is to apply.
    pub applicability: Applicability,
}

impl Fix {
    /// A fix from edits, sorted.
    pub fn new(
        message: impl Into<String>,
        mut edits: Vec<Edit>,
        applicability: Applicability,
    ) -> Self {
        edits.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.content).cmp(&(b.range.start, b.range.end, &b.content))
        });
        edits.dedup();
        Fix {
            message: message.into(),
            edits,
            applicability,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_insertions_do_not_overlap() {
        let a = Edit::insertion(3, "x");
        assert!(!a.overlaps(&a.clone()));
        assert!(a.overlaps(&Edit::insertion(3, "y")));
        assert!(!a.overlaps(&Edit::insertion(4, "x")));
    }

    #[test]
    fn replacements_overlap_when_ranges_intersect() {
        let a = Edit::replacement(0..4, "x");
        assert!(a.overlaps(&Edit::replacement(3..6, "y")));
        assert!(!a.overlaps(&Edit::replacement(4..6, "y")));
        assert!(a.overlaps(&Edit::insertion(2, "y")));
        assert!(!a.overlaps(&Edit::insertion(4, "y")));
    }
}
