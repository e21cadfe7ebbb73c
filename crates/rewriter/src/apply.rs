//! Turning findings' fixes into a file's new text: choose the fixes, map
//! their edits to file bytes through the span maps, and apply them.

use std::collections::BTreeMap;
use std::ops::Range;

use imds_lint_parser::{Applicability, Cell};
use imds_lint_rules::Finding;

use imds_lint_parser::encode::{EncodeError, Encoder};

/// An edit in file coordinates, with its text already encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEdit {
    /// The bytes replaced in the file as stored.
    pub range: Range<usize>,
    /// What replaces them, as stored.
    pub content: String,
}

/// Why a fix was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Skipped {
    /// Its edits overlap those of a fix applied before it; a second run
    /// applies it.
    Overlap,
    /// Its text cannot be written into the container.
    Encode(EncodeError),
    /// The fixed code would not parse.
    Syntax(String),
    /// The fix itself is unsound (its own edits overlap): a bug of the
    /// analyser that made it, refused rather than applied.
    Malformed(String),
}

/// The fixes chosen for one file, as file edits.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Indexes of the findings whose fixes are in the plan.
    pub applied: Vec<usize>,
    /// Findings with a fix that is not in the plan, and why.
    pub skipped: Vec<(usize, Skipped)>,
    /// The edits, sorted, without duplicates.
    pub edits: Vec<FileEdit>,
}

/// Chooses the fixes at or above `level` that can be applied together.
///
/// Identical edits (the token fetch that findings of one scope share) are
/// applied once; a fix that overlaps one chosen before it is skipped.
/// `exclude` lists findings to leave out (fixes that broke the syntax, or
/// that were made in code that did not parse: see [`crate::verify`]).
pub fn plan(cells: &[Cell], findings: &[Finding], level: Applicability, exclude: &[usize]) -> Plan {
    let mut plan = Plan::default();
    let encoder = Encoder::new(cells);
    let mut chosen = Chosen::default();

    for (index, finding) in findings.iter().enumerate() {
        let Some(fix) = &finding.fix else { continue };
        if fix.applicability < level || exclude.contains(&index) {
            continue;
        }

        let edits = match file_edits(&encoder, finding.cell, fix) {
            Ok(edits) => edits,
            Err(e) => {
                plan.skipped.push((index, Skipped::Encode(e)));
                continue;
            }
        };
        if overlaps_itself(&edits) {
            plan.skipped.push((
                index,
                Skipped::Malformed(
                    "its edits overlap each other (an imds-lint bug; please report it)".to_owned(),
                ),
            ));
            continue;
        }
        if edits.iter().any(|e| chosen.conflicts(e)) {
            plan.skipped.push((index, Skipped::Overlap));
            continue;
        }

        for edit in edits {
            if chosen.insert(&edit) {
                plan.edits.push(edit);
            }
        }
        plan.applied.push(index);
    }

    plan.edits.sort_by_key(|e| (e.range.start, e.range.end));
    plan
}

/// Whether two different edits of one fix touch the same bytes (the same
/// edit twice is one edit).
fn overlaps_itself(edits: &[FileEdit]) -> bool {
    edits.iter().enumerate().any(|(i, a)| {
        edits[i + 1..]
            .iter()
            .any(|b| a != b && clash(&a.range, &b.range))
    })
}

/// Maps the edits of a fix in cell `cell` to encoded file edits.
fn file_edits(
    encoder: &Encoder,
    cell: usize,
    fix: &imds_lint_parser::Fix,
) -> Result<Vec<FileEdit>, EncodeError> {
    fix.edits
        .iter()
        .map(|edit| {
            Ok(FileEdit {
                range: encoder.cell(cell).map.file_range(edit.range.clone()),
                content: encoder.encode(cell, &edit.content)?,
            })
        })
        .collect()
}

/// Whether two different edits touch the same bytes: overlapping ranges,
/// an insertion inside another's range, or two insertions at one place.
fn clash(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    (a.start < b.end && b.start < a.end)
        || (a.is_empty() && a.start > b.start && a.start < b.end)
        || (b.is_empty() && b.start > a.start && b.start < a.end)
}

/// The edits chosen so far, by range, so that a new one is checked against
/// its neighbours only: a file with thousands of fixes would otherwise
/// compare each with all before it.
#[derive(Debug, Default)]
struct Chosen {
    /// The contents written at each range (one, unless a range is written
    /// twice with different texts, which [`Chosen::conflicts`] prevents).
    by_range: BTreeMap<(usize, usize), Vec<String>>,
}

impl Chosen {
    /// Whether `edit` touches bytes another, different, chosen edit touches.
    ///
    /// Chosen edits never clash, so sorted by start and end their ends do
    /// not decrease: of those starting before `edit`, only the last can
    /// reach into it; the others that can touch it start inside it.
    fn conflicts(&self, edit: &FileEdit) -> bool {
        let (start, end) = (edit.range.start, edit.range.end);
        let before = self.by_range.range(..(start, 0)).next_back();
        let inside = self.by_range.range((start, 0)..=(end, usize::MAX));
        before.into_iter().chain(inside).any(|(&(s, e), contents)| {
            contents.iter().any(|content| {
                let same = s == start && e == end && *content == edit.content;
                !same && clash(&edit.range, &(s..e))
            })
        })
    }

    /// Records `edit`; false when the same edit was chosen before.
    fn insert(&mut self, edit: &FileEdit) -> bool {
        let contents = self
            .by_range
            .entry((edit.range.start, edit.range.end))
            .or_default();
        if contents.contains(&edit.content) {
            return false;
        }
        contents.push(edit.content.clone());
        true
    }
}

/// Applies sorted, non-overlapping edits to `text`.
pub fn apply(text: &str, edits: &[FileEdit]) -> String {
    let added: usize = edits.iter().map(|e| e.content.len()).sum();
    let mut out = String::with_capacity(text.len() + added);
    let mut at = 0;
    for edit in edits {
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&edit.content);
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Where `offset` of the text `edits` made was in the text before them:
/// `None` for an offset inside text an edit wrote. `edits` are sorted and
/// do not overlap, as [`plan`] makes them.
pub fn old_offset(edits: &[FileEdit], offset: usize) -> Option<usize> {
    // How far the new text has moved from the old so far.
    let (mut added, mut removed) = (0usize, 0usize);
    for edit in edits {
        let new_start = edit.range.start + added - removed;
        if offset < new_start {
            break;
        }
        if offset < new_start + edit.content.len() {
            return None;
        }
        added += edit.content.len();
        removed += edit.range.len();
    }
    (offset + removed).checked_sub(added)
}

#[cfg(test)]
mod tests {
    use super::*;
    use imds_lint_parser::{Edit, Fix, Lang};
    use imds_lint_rules::Rule;

    fn finding(edits: Vec<Edit>) -> Finding {
        let mut f = Finding::new(Rule::MetadataRequestWithoutToken, 0, 0..1, "m");
        f.fix = Some(Fix::new("fix", edits, Applicability::Safe));
        f
    }

    #[test]
    fn shared_insertions_apply_once() {
        let cells = vec![Cell::whole_file(Lang::Shell, "curl a\ncurl b\n")];
        let token = Edit::insertion(0, "T=1\n");
        let findings = vec![
            finding(vec![token.clone(), Edit::insertion(4, " -H x")]),
            finding(vec![token, Edit::insertion(11, " -H x")]),
        ];
        let plan = plan(&cells, &findings, Applicability::Safe, &[]);
        assert_eq!(plan.applied, vec![0, 1]);
        assert_eq!(
            apply(&cells[0].code, &plan.edits),
            "T=1\ncurl -H x a\ncurl -H x b\n"
        );
    }

    /// The indexed check agrees with comparing a new edit with every chosen
    /// one, over every small set of edits built in order.
    #[test]
    fn conflicts_with_neighbours_are_conflicts_with_any() {
        let brute = |edit: &FileEdit, chosen: &[FileEdit]| {
            chosen
                .iter()
                .any(|other| other != edit && clash(&edit.range, &other.range))
        };
        let mut candidates = Vec::new();
        for start in 0..6 {
            for end in start..7 {
                for content in ["a", "b"] {
                    candidates.push(FileEdit {
                        range: start..end,
                        content: content.to_owned(),
                    });
                }
            }
        }
        // A simple generator: each order of a few candidates, chosen as
        // `plan` chooses (skipping conflicts), checked at every step.
        let mut seed = 7u64;
        for _ in 0..3000 {
            let (mut chosen, mut index) = (Vec::new(), Chosen::default());
            for _ in 0..8 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let edit = &candidates[(seed >> 33) as usize % candidates.len()];
                let expected = brute(edit, &chosen);
                assert_eq!(
                    index.conflicts(edit),
                    expected,
                    "{edit:?} against {chosen:?}"
                );
                if !expected && index.insert(edit) {
                    chosen.push(edit.clone());
                }
            }
        }
    }

    #[test]
    fn offsets_of_the_new_text_map_back_past_the_edits() {
        let edits = vec![
            FileEdit {
                range: 0..0,
                content: "T=1\n".into(),
            },
            FileEdit {
                range: 12..16,
                content: "b".into(),
            },
        ];
        // old: "curl a\n" "curl xxxx\n"; new: "T=1\ncurl a\ncurl b\n"
        let old = "curl a\ncurl xxxx\n";
        let new = apply(old, &edits);
        assert_eq!(new, "T=1\ncurl a\ncurl b\n");
        assert_eq!(old_offset(&edits, 0), None, "inside inserted text");
        assert_eq!(old_offset(&edits, 4), Some(0));
        assert_eq!(old_offset(&edits, 11), Some(7));
        assert_eq!(old_offset(&edits, 16), None, "inside replaced text");
        assert_eq!(old_offset(&edits, 17), Some(16));
        assert_eq!(old_offset(&[], 5), Some(5));
    }

    #[test]
    fn overlapping_fixes_wait_for_the_next_run() {
        let cells = vec![Cell::whole_file(Lang::Shell, "curl a\n")];
        let findings = vec![
            finding(vec![Edit::replacement(0..4, "wget")]),
            finding(vec![Edit::replacement(2..6, "xx")]),
        ];
        let plan = plan(&cells, &findings, Applicability::Safe, &[]);
        assert_eq!(plan.applied, vec![0]);
        assert_eq!(plan.skipped, vec![(1, Skipped::Overlap)]);
    }

    #[test]
    fn unsafe_fixes_need_the_unsafe_level() {
        let cells = vec![Cell::whole_file(Lang::Shell, "curl a\n")];
        let mut f = finding(vec![Edit::insertion(0, "x")]);
        if let Some(fix) = f.fix.as_mut() {
            fix.applicability = Applicability::Unsafe;
        }
        let findings = vec![f];
        assert!(plan(&cells, &findings, Applicability::Safe, &[])
            .applied
            .is_empty());
        assert_eq!(
            plan(&cells, &findings, Applicability::Unsafe, &[]).applied,
            vec![0]
        );
    }
}
