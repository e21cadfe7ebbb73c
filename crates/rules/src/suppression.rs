//! Suppression comments: `imds-lint: ignore[IMD001]` (or a bare
//! `imds-lint: ignore`) in a comment on a line of a finding, and
//! `imds-lint: skip-file` for a whole file.
//!
//! They are read from the file as stored, line by line, so one reader
//! serves every container: a comment inside a `# MAGIC` line, inside a
//! notebook's JSON string or after a `!` command reads the same. A finding
//! is silenced by an ignore on any line its range touches in that file.

use std::ops::RangeInclusive;

use imds_lint_parser::{Cell, SourceFile};

use crate::finding::{Finding, Rule};

const MARKER: &str = "imds-lint:";

/// What opens a comment in the languages imds-lint reads: `#` (Python,
/// shell, R, Databricks `# MAGIC`), `//` and `/*` (Scala), `--` (SQL).
const COMMENT_OPENERS: [&str; 4] = ["#", "//", "/*", "--"];

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

impl Ignore {
    /// Whether the comment silences `rule`.
    pub fn covers(&self, rule: Rule) -> bool {
        self.rules
            .as_ref()
            .is_none_or(|rules| rules.contains(&rule))
    }

    /// The comment as read, in a normal spelling: `imds-lint: ignore`, or
    /// `imds-lint: ignore[IMD001, IMD009]` with rule codes and unknown codes
    /// in the order written.
    pub fn directive(&self) -> String {
        let Some(rules) = &self.rules else {
            return format!("{MARKER} ignore");
        };
        let codes: Vec<&str> = rules
            .iter()
            .map(|rule| rule.code())
            .chain(self.unknown.iter().map(String::as_str))
            .collect();
        format!("{MARKER} ignore[{}]", codes.join(", "))
    }
}

/// A comment that starts like a suppression but cannot be read; it
/// silences nothing, and says so rather than fail quietly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    /// 0-based line of the file.
    pub line: usize,
    /// Byte offset of the marker in the file.
    pub offset: usize,
    /// What is wrong with it.
    pub problem: &'static str,
}

/// The suppression comments of one file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppressions {
    /// Whether `imds-lint: skip-file` appears in a comment.
    pub skip_file: bool,
    /// The ignore comments, in file order.
    pub ignores: Vec<Ignore>,
    /// Comments with the marker that are not a directive imds-lint reads.
    pub malformed: Vec<Malformed>,
}

/// Findings after suppression: those still reported, and for each ignore
/// comment (by index) the rules it silenced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Silenced {
    /// Findings no comment silences, in the order given.
    pub kept: Vec<Finding>,
    /// For each ignore comment, the rules of the findings it silenced,
    /// each once, in the order met.
    pub silenced: Vec<Vec<Rule>>,
}

/// An ignore comment that silenced less than it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unused<'a> {
    /// The comment.
    pub ignore: &'a Ignore,
    /// `None` when the comment silenced nothing at all; else the rules it
    /// names (and that ran) that it silenced nothing of.
    pub rules: Option<Vec<Rule>>,
}

impl Suppressions {
    /// Reads the suppression comments of `text`, the file as stored.
    pub fn parse(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut found = Suppressions::default();
        let finder = memchr::memmem::Finder::new(MARKER);
        let mut line = 0;
        let mut counted_to = 0;

        for offset in finder.find_iter(bytes) {
            line += memchr::memchr_iter(b'\n', &bytes[counted_to..offset]).count();
            counted_to = offset;
            let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
            if !opens_comment(&text[line_start..offset]) {
                continue;
            }

            let line_end =
                memchr::memchr(b'\n', &bytes[offset..]).map_or(text.len(), |i| offset + i);
            match directive(&text[offset + MARKER.len()..line_end]) {
                Directive::SkipFile => found.skip_file = true,
                Directive::Ignore { rules, unknown } => found.ignores.push(Ignore {
                    line,
                    offset,
                    rules,
                    unknown,
                }),
                Directive::Malformed(problem) => found.malformed.push(Malformed {
                    line,
                    offset,
                    problem,
                }),
            }
        }
        found
    }

    /// The first ignore comment that silences `rule` on any of `lines`.
    pub fn find(&self, lines: RangeInclusive<usize>, rule: Rule) -> Option<usize> {
        self.ignores
            .iter()
            .position(|ignore| lines.contains(&ignore.line) && ignore.covers(rule))
    }

    /// Drops the findings an ignore comment silences; `lines_of` gives the
    /// 0-based file lines a finding's range touches. Every comment that
    /// covers a finding counts as used, not only the first.
    pub fn silence(
        &self,
        findings: Vec<Finding>,
        lines_of: impl Fn(&Finding) -> RangeInclusive<usize>,
    ) -> Silenced {
        let mut silenced = vec![Vec::new(); self.ignores.len()];
        let mut kept = Vec::with_capacity(findings.len());

        for finding in findings {
            let lines = lines_of(&finding);
            let mut covered = false;
            for (ignore, rules) in self.ignores.iter().zip(&mut silenced) {
                if lines.contains(&ignore.line) && ignore.covers(finding.rule) {
                    covered = true;
                    if !rules.contains(&finding.rule) {
                        rules.push(finding.rule);
                    }
                }
            }
            if !covered {
                kept.push(finding);
            }
        }
        Silenced { kept, silenced }
    }
}

impl Silenced {
    /// The ignore comments of `suppressions` that silenced less than they
    /// name. `ran` tells which rules ran on the file: naming a rule that
    /// did not run (disabled by configuration) is not a stale comment.
    pub fn unused<'a>(
        &self,
        suppressions: &'a Suppressions,
        ran: impl Fn(Rule) -> bool,
    ) -> Vec<Unused<'a>> {
        let mut unused = Vec::new();
        for (ignore, silenced) in suppressions.ignores.iter().zip(&self.silenced) {
            let Some(named) = &ignore.rules else {
                if silenced.is_empty() {
                    unused.push(Unused {
                        ignore,
                        rules: None,
                    });
                }
                continue;
            };

            let idle: Vec<Rule> = named
                .iter()
                .copied()
                .filter(|&rule| ran(rule) && !silenced.contains(&rule))
                .collect();
            if idle.is_empty() {
                continue;
            }
            let rules = if silenced.is_empty() {
                None
            } else {
                Some(idle)
            };
            unused.push(Unused { ignore, rules });
        }
        unused
    }
}

/// The 0-based lines of the file as stored that `finding`'s range touches.
pub fn file_lines(source: &SourceFile, cells: &[Cell], finding: &Finding) -> RangeInclusive<usize> {
    let range = cells[finding.cell].map.file_range(finding.range.clone());
    let last = if range.end > range.start {
        range.end - 1
    } else {
        range.start
    };
    source.lines.line_of(range.start)..=source.lines.line_of(last)
}

/// Whether the text before the marker on its line ends in a comment
/// opener: the marker must begin a comment (`# imds-lint: ignore`), which
/// may follow another one (`# noqa  # imds-lint: ignore`).
fn opens_comment(before: &str) -> bool {
    let before = before.trim_end();
    COMMENT_OPENERS
        .iter()
        .any(|opener| before.ends_with(opener))
}

/// What follows the marker.
#[derive(Debug, PartialEq, Eq)]
enum Directive {
    SkipFile,
    Ignore {
        rules: Option<Vec<Rule>>,
        unknown: Vec<String>,
    },
    Malformed(&'static str),
}

/// Reads the directive after `imds-lint:`, up to the end of the line.
fn directive(rest: &str) -> Directive {
    let rest = rest.trim_start();
    if word(rest, "skip-file").is_some() {
        return Directive::SkipFile;
    }
    let Some(after) = word(rest, "ignore") else {
        return Directive::Malformed(
            "not a directive imds-lint reads; expected `ignore`, `ignore[CODE, ...]` or `skip-file`",
        );
    };

    // `ignore [IMD001]` is read as a list too: taken as a bare ignore it
    // would silence every rule, more than was asked for.
    let Some(list) = after.trim_start().strip_prefix('[') else {
        return Directive::Ignore {
            rules: None,
            unknown: Vec::new(),
        };
    };
    let Some(end) = list.find(']') else {
        return Directive::Malformed("`ignore[` has no closing `]`; it silences nothing");
    };
    let codes: Vec<&str> = list[..end]
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|code| !code.is_empty())
        .collect();
    if codes.is_empty() {
        return Directive::Malformed(
            "`ignore[]` names no rule; it silences nothing (a bare `ignore` silences every rule)",
        );
    }

    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for code in codes {
        match Rule::from_code(code) {
            Some(rule) if !rules.contains(&rule) => rules.push(rule),
            Some(_) => {}
            None => unknown.push(code.to_owned()),
        }
    }
    Directive::Ignore {
        rules: Some(rules),
        unknown,
    }
}

/// `text` after `word`, when `text` starts with it as a whole word.
fn word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
    let after = text.strip_prefix(word)?;
    let continues = after
        .chars()
        .next()
        .is_some_and(|c| c.is_alphanumeric() || c == '-' || c == '_');
    (!continues).then_some(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMD001: Rule = Rule::MetadataRequestWithoutToken;
    const IMD002: Rule = Rule::MalformedTokenRequest;
    const IMD003: Rule = Rule::Imdsv1OnlyClient;

    fn finding(rule: Rule, line: usize) -> Finding {
        // The range carries the line, for `lines_of` below.
        Finding::new(rule, 0, line..line, "m")
    }

    fn lines(finding: &Finding) -> RangeInclusive<usize> {
        finding.range.start..=finding.range.end
    }

    #[test]
    fn ignore_with_and_without_codes() {
        let text = "a\ncurl x  # imds-lint: ignore[IMD001]\nb // imds-lint: ignore\n";
        let s = Suppressions::parse(text);
        assert_eq!(s.ignores.len(), 2);
        assert_eq!(s.find(1..=1, IMD001), Some(0));
        assert_eq!(s.find(1..=1, IMD003), None);
        assert_eq!(s.find(2..=2, IMD003), Some(1));
        assert_eq!(s.find(0..=0, IMD001), None);
        assert_eq!(s.find(0..=2, IMD003), Some(1));
    }

    #[test]
    fn every_comment_syntax() {
        let text = "a # imds-lint: ignore\nb // imds-lint: ignore\nc -- imds-lint: ignore\n\
                    d /* imds-lint: ignore */\ne #imds-lint: ignore\n";
        let s = Suppressions::parse(text);
        let lines: Vec<usize> = s.ignores.iter().map(|i| i.line).collect();
        assert_eq!(lines, vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn markers_outside_comments_do_not_count() {
        let s = Suppressions::parse("print('imds-lint: ignore')\nx = 1 # see imds-lint: ignore\n");
        assert!(s.ignores.is_empty());
        assert!(s.malformed.is_empty());
    }

    #[test]
    fn the_marker_may_follow_another_comment() {
        let s = Suppressions::parse("curl x  # noqa  # imds-lint: ignore[IMD001]\n");
        assert_eq!(s.ignores.len(), 1);
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
        assert_eq!(s.ignores[0].rules, Some(vec![IMD001]));
        assert_eq!(s.ignores[1].rules, None);
    }

    #[test]
    fn bare_ignore_before_a_json_escape_is_bare() {
        let s = Suppressions::parse("    \"curl x # imds-lint: ignore\\n\",\n");
        assert_eq!(s.ignores.len(), 1);
        assert_eq!(s.ignores[0].rules, None);
    }

    #[test]
    fn skip_file_and_unknown_codes() {
        let s =
            Suppressions::parse("# imds-lint: skip-file\nx # imds-lint: ignore[IMD009, IMD002]\n");
        assert!(s.skip_file);
        assert_eq!(s.ignores[0].unknown, vec!["IMD009".to_owned()]);
        assert_eq!(s.ignores[0].rules, Some(vec![IMD002]));
        assert_eq!(
            s.ignores[0].directive(),
            "imds-lint: ignore[IMD002, IMD009]"
        );
    }

    #[test]
    fn skip_file_only_in_a_comment() {
        assert!(!Suppressions::parse("x = 'imds-lint: skip-file'\n").skip_file);
        assert!(Suppressions::parse("-- imds-lint: skip-file\n").skip_file);
    }

    #[test]
    fn names_codes_in_any_case_and_spaces() {
        let s = Suppressions::parse(
            "# imds-lint: ignore[imd001 metadata-request-without-token,imdsv1-only-client]\n",
        );
        assert_eq!(s.ignores[0].rules, Some(vec![IMD001, IMD003]));
        let s = Suppressions::parse("# imds-lint: ignore [IMD002]\n");
        assert_eq!(s.ignores[0].rules, Some(vec![IMD002]));
    }

    #[test]
    fn malformed_comments_silence_nothing() {
        let text = "# imds-lint: ignored\n# imds-lint: ignore[IMD001\n# imds-lint: ignore[]\n\
                    # imds-lint: skip-files\n";
        let s = Suppressions::parse(text);
        assert!(s.ignores.is_empty());
        assert!(!s.skip_file);
        assert_eq!(
            s.malformed.iter().map(|m| m.line).collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        assert!(s.malformed[1].problem.contains("closing"));
    }

    #[test]
    fn silence_drops_covered_findings_and_records_use() {
        let s = Suppressions::parse("a\nb # imds-lint: ignore[IMD001]\nc # imds-lint: ignore\n");
        let findings = vec![
            finding(IMD001, 1),
            finding(IMD003, 1),
            finding(IMD002, 2),
            finding(IMD001, 0),
        ];
        let out = s.silence(findings, lines);
        let kept: Vec<(Rule, usize)> = out.kept.iter().map(|f| (f.rule, f.range.start)).collect();
        assert_eq!(kept, vec![(IMD003, 1), (IMD001, 0)]);
        assert_eq!(out.silenced, vec![vec![IMD001], vec![IMD002]]);
    }

    #[test]
    fn a_finding_over_several_lines_is_silenced_from_any_of_them() {
        let s = Suppressions::parse("a\nb\nc # imds-lint: ignore\n");
        let multi = Finding::new(IMD001, 0, 1..2, "m");
        assert!(s.silence(vec![multi.clone()], |_| 0..=2).kept.is_empty());
        assert_eq!(s.silence(vec![multi], |_| 0..=1).kept.len(), 1);
    }

    #[test]
    fn unused_whole_and_partial() {
        let text = "a # imds-lint: ignore\nb # imds-lint: ignore[IMD001, IMD002]\n\
                    c # imds-lint: ignore[IMD003]\nd # imds-lint: ignore[IMD001]\n";
        let s = Suppressions::parse(text);
        let out = s.silence(vec![finding(IMD001, 1), finding(IMD001, 3)], lines);
        let unused = out.unused(&s, |rule| rule != IMD003);
        let seen: Vec<(usize, Option<Vec<Rule>>)> = unused
            .iter()
            .map(|u| (u.ignore.line, u.rules.clone()))
            .collect();
        // Line 2 names only a rule that did not run: not stale.
        assert_eq!(seen, vec![(0, None), (1, Some(vec![IMD002]))]);
    }

    #[test]
    fn file_lines_of_a_range() {
        let text = "x\ncurl \\\n  y\nz\n";
        let source = SourceFile::from_bytes(
            std::path::Path::new("a.sh"),
            imds_lint_parser::FileKind::Shell,
            text.as_bytes().to_vec(),
        );
        let Ok(source) = source else {
            panic!("shell text reads");
        };
        let cells = vec![Cell::whole_file(imds_lint_parser::Lang::Shell, text)];
        let start = text.find("curl").unwrap_or_default();
        let end = text.find("\nz").unwrap_or_default();
        let f = Finding::new(IMD001, 0, start..end, "m");
        assert_eq!(file_lines(&source, &cells, &f), 1..=2);
        let empty = Finding::new(IMD001, 0, start..start, "m");
        assert_eq!(file_lines(&source, &cells, &empty), 1..=1);
    }
}
