//! Suppression comments: `imds-lint: ignore[IMD001]` (or a bare
//! `imds-lint: ignore`) in a comment on a finding's line, and
//! `imds-lint: skip-file` for a whole file.
//!
//! They are read from the file as stored, line by line, so one reader
//! serves every container: a comment inside a `# MAGIC` line, inside a
//! notebook's JSON string or after a `!` command reads the same.

use std::ops::RangeInclusive;

use crate::finding::Rule;

const MARKER: &str = "imds-lint:";

/// One `imds-lint: ignore` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// 0-based line of the file.
    pub line: usize,
    /// Byte offset of the marker in the file.
    pub offset: usize,
    /// The rules named, or `None` for all.
    pub rules: Option<Vec<Rule>>,
    /// Codes named that are not rules (reported, never silently dropped).
    pub unknown: Vec<String>,
}

/// The suppression comments of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Whether `imds-lint: skip-file` appears in a comment.
    pub skip_file: bool,
    /// The ignore comments, in file order.
    pub ignores: Vec<Ignore>,
}

impl Suppressions {
    /// Reads the suppression comments of `text`.
    pub fn parse(text: &str) -> Self {
        let mut found = Suppressions::default();
        let finder = memchr::memmem::Finder::new(MARKER);
        let mut line = 0;
        let mut counted_to = 0;

        for offset in finder.find_iter(text.as_bytes()) {
            line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted_to..offset]).count();
            counted_to = offset;
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            if !in_comment(&text[line_start..offset]) {
                continue;
            }
            let rest = text[offset + MARKER.len()..].trim_start();
            if rest.starts_with("skip-file") {
                found.skip_file = true;
            } else if let Some(after) = rest.strip_prefix("ignore") {
                let (rules, unknown) = codes(after);
                found.ignores.push(Ignore {
                    line,
                    offset,
                    rules,
                    unknown,
                });
            }
        }
        found
    }

    /// The ignore comment that silences `rule` on any of `lines`, if any.
    pub fn find(&self, lines: RangeInclusive<usize>, rule: Rule) -> Option<usize> {
        self.ignores.iter().position(|ignore| {
            lines.contains(&ignore.line)
                && ignore
                    .rules
                    .as_ref()
                    .is_none_or(|rules| rules.contains(&rule))
        })
    }
}

/// Whether the text before the marker on its line opens a comment in one
/// of the languages imds-lint reads (`#`, `//`, `--`).
fn in_comment(before: &str) -> bool {
    before.contains('#') || before.contains("//") || before.contains("--")
}

/// Reads `[IMD001, IMD002]` right after `ignore`; no list means all rules.
fn codes(after: &str) -> (Option<Vec<Rule>>, Vec<String>) {
    let Some(list) = after.strip_prefix('[') else {
        return (None, Vec::new());
    };
    let Some(end) = list.find(']') else {
        return (None, Vec::new());
    };
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for code in list[..end]
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        match Rule::from_code(code) {
            Some(rule) => rules.push(rule),
            None => unknown.push(code.to_owned()),
        }
    }
    (Some(rules), unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignore_with_and_without_codes() {
        let text = "a\ncurl x  # imds-lint: ignore[IMD001]\nb // imds-lint: ignore\n";
        let s = Suppressions::parse(text);
        assert_eq!(s.ignores.len(), 2);
        assert_eq!(s.find(1..=1, Rule::MetadataRequestWithoutToken), Some(0));
        assert_eq!(s.find(1..=1, Rule::Imdsv1OnlyClient), None);
        assert_eq!(s.find(2..=2, Rule::Imdsv1OnlyClient), Some(1));
        assert_eq!(s.find(0..=0, Rule::MetadataRequestWithoutToken), None);
    }

    #[test]
    fn markers_outside_comments_do_not_count() {
        let s = Suppressions::parse("print('imds-lint: ignore')\n");
        assert!(s.ignores.is_empty());
    }

    #[test]
    fn notebook_json_and_magic_lines() {
        let text =
            "    \"!curl x # imds-lint: ignore[IMD001]\\n\",\n# MAGIC curl y # imds-lint: ignore\n";
        let s = Suppressions::parse(text);
        assert_eq!(
            s.ignores.iter().map(|i| i.line).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn skip_file_and_unknown_codes() {
        let s =
            Suppressions::parse("# imds-lint: skip-file\nx # imds-lint: ignore[IMD009, IMD002]\n");
        assert!(s.skip_file);
        assert_eq!(s.ignores[0].unknown, vec!["IMD009".to_owned()]);
        assert_eq!(s.ignores[0].rules, Some(vec![Rule::MalformedTokenRequest]));
    }
}
