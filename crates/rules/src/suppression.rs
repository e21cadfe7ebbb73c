//! Suppression comments: `imds-lint: ignore[IMD001]` (or a bare
//! `imds-lint: ignore`) in a comment on a line of a finding, and
//! `imds-lint: skip-file` for a whole file.
//!
//! In scripts they are read from the file as stored, line by line. In a
//! notebook (Jupyter, or a Databricks export) they are read from the code
//! of its code cells, so a comment in a `# MAGIC %sh` line reads as any
//! other: text in markdown (`%md` cells), outputs or metadata is no
//! comment, and a line of code is a
//! line of code however the notebook stores its cells (one JSON string per
//! line, or the whole cell in one). An ignore covers the bytes of the file
//! that hold its line of code, and silences a finding whose range touches
//! them. `skip-file` counts only in a comment of the code's language, which
//! a parse confirms where imds-lint has a grammar: a docstring quoting it
//! does not skip the file.

use std::ops::Range;

use imds_lint_parser::{syntax, Cell, FileKind, Lang, Origin, SourceFile, SpanMap};

use crate::finding::{Finding, Rule};

const MARKER: &str = "imds-lint:";

/// What opens a comment in the languages imds-lint reads: `#` (Python,
/// shell, R, Databricks `# MAGIC`), `//` and `/*` (Scala), `--` (SQL).
const COMMENT_OPENERS: [&str; 4] = ["#", "//", "/*", "--"];

/// One `imds-lint: ignore` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ignore {
    /// The bytes of the file holding the comment's line of code, its line
    /// ending included.
    pub line: Range<usize>,
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

    /// Whether a finding over the file bytes `range` touches the comment's
    /// line. An empty range touches the line it is on.
    pub fn on_line_of(&self, range: &Range<usize>) -> bool {
        let last = range.end.saturating_sub(1).max(range.start);
        range.start < self.line.end && last >= self.line.start
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
    /// Comments with the marker that are not a directive imds-lint reads,
    /// in file order.
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
    /// Whether reading the comments of `source` needs its cells: those of
    /// a notebook are in its code cells, and a notebook without the marker
    /// has none.
    pub fn need_cells(source: &SourceFile) -> bool {
        is_notebook(source.kind) && source.text.contains(MARKER)
    }

    /// Reads the suppression comments of `source`. A notebook's are read
    /// from the code of `cells`, its cells as split (empty when it was
    /// not: then it has none); other files' from their text.
    pub fn read(source: &SourceFile, cells: &[Cell]) -> Self {
        if !is_notebook(source.kind) {
            let (text, bom) = source.text_without_bom();
            let mut found = Suppressions::default();
            found.add(
                text,
                source.kind.lang(),
                &SpanMap::verbatim(bom, text.len()),
            );
            return found;
        }

        let mut found = Suppressions::default();
        for cell in cells.iter().filter(|cell| is_notebook_code(cell)) {
            found.add(&cell.code, cell.lang, &cell.map);
        }
        // A cell's `!` lines come after its Python code in the cell list.
        found.ignores.sort_by_key(|ignore| ignore.offset);
        found.malformed.sort_by_key(|malformed| malformed.offset);
        found
    }

    /// Reads the suppression comments of `text`, a whole file in `lang`
    /// as stored.
    pub fn parse(text: &str, lang: Lang) -> Self {
        let mut found = Suppressions::default();
        found.add(text, lang, &SpanMap::verbatim(0, text.len()));
        found
    }

    /// Adds the comments of `code`, written in `lang` and placed in the
    /// file by `map`.
    fn add(&mut self, code: &str, lang: Lang, map: &SpanMap) {
        for found in scan(code) {
            let offset = map.file_start(found.offset);
            match found.directive {
                Directive::SkipFile => {
                    self.skip_file = self.skip_file || in_comment(code, lang, found.offset);
                }
                Directive::Ignore { rules, unknown } => self.ignores.push(Ignore {
                    line: map.file_range(found.line),
                    offset,
                    rules,
                    unknown,
                }),
                Directive::Malformed(problem) => {
                    self.malformed.push(Malformed { offset, problem });
                }
            }
        }
    }

    /// Drops the findings an ignore comment silences; `range_of` gives the
    /// bytes of the file a finding's range covers (see [`file_range`]).
    /// Every comment that covers a finding counts as used, not only the
    /// first.
    pub fn silence(
        &self,
        findings: Vec<Finding>,
        range_of: impl Fn(&Finding) -> Range<usize>,
    ) -> Silenced {
        let mut silenced = vec![Vec::new(); self.ignores.len()];
        let mut kept = Vec::with_capacity(findings.len());

        for finding in findings {
            let range = range_of(&finding);
            let mut covered = false;
            for (ignore, rules) in self.ignores.iter().zip(&mut silenced) {
                if ignore.on_line_of(&range) && ignore.covers(finding.rule) {
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
    /// did not run (disabled by configuration) is not a stale comment, nor
    /// is naming none (all rules) when one did not run.
    pub fn unused<'a>(
        &self,
        suppressions: &'a Suppressions,
        ran: impl Fn(Rule) -> bool,
    ) -> Vec<Unused<'a>> {
        let all_ran = Rule::ALL.into_iter().all(&ran);
        let mut unused = Vec::new();
        for (ignore, silenced) in suppressions.ignores.iter().zip(&self.silenced) {
            let Some(named) = &ignore.rules else {
                if silenced.is_empty() && all_ran {
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
            // The whole comment is stale only when every rule it names ran
            // and silenced nothing.
            let rules = if silenced.is_empty() && idle.len() == named.len() {
                None
            } else {
                Some(idle)
            };
            unused.push(Unused { ignore, rules });
        }
        unused
    }
}

/// The bytes of the file that `finding`'s range covers.
pub fn file_range(cells: &[Cell], finding: &Finding) -> Range<usize> {
    cells[finding.cell].map.file_range(finding.range.clone())
}

/// Whether files of `kind` hold cells of several kinds, markdown among
/// them, whose comments are read cell by cell.
fn is_notebook(kind: FileKind) -> bool {
    matches!(kind, FileKind::Jupyter | FileKind::Databricks(_))
}

/// Whether `cell` is code a notebook runs, where its comments count:
/// not markdown or raw text, nor a string of another cell's code.
fn is_notebook_code(cell: &Cell) -> bool {
    cell.lang != Lang::Markdown && !matches!(cell.origin, Origin::HostString { .. })
}

/// A directive found in a text, at offsets of that text.
struct Found {
    /// The marker.
    offset: usize,
    /// The line holding it, its line ending included.
    line: Range<usize>,
    directive: Directive,
}

/// The directives of `text`, line by line: each marker that begins a
/// comment, and what follows it up to the end of its line.
fn scan(text: &str) -> Vec<Found> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for offset in memchr::memmem::find_iter(bytes, MARKER) {
        let line_start = memchr::memrchr(b'\n', &bytes[..offset]).map_or(0, |i| i + 1);
        if !opens_comment(&text[line_start..offset]) {
            continue;
        }
        let line_end = memchr::memchr(b'\n', &bytes[offset..]).map_or(text.len(), |i| offset + i);
        found.push(Found {
            offset,
            line: line_start..(line_end + 1).min(text.len()),
            directive: directive(&text[offset + MARKER.len()..line_end]),
        });
    }
    found
}

/// Whether the marker at `offset` of `code` is in a comment of `lang`, as
/// its grammar reads the code, and not in a string that quotes one. A
/// language without a grammar (SQL, R), or code too deep to parse, is
/// taken at the line's word.
fn in_comment(code: &str, lang: Lang, offset: usize) -> bool {
    let Some(tree) = syntax::parse(lang, code) else {
        return true;
    };
    tree.root_node()
        .descendant_for_byte_range(offset, offset + MARKER.len())
        .is_some_and(|node| node.kind().contains("comment"))
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
    if let Some(after) = word(rest, "skip-file") {
        if after.trim_start().starts_with('[') {
            return Directive::Malformed(
                "`skip-file` takes no rule list; it skips nothing \
                 (`per-file-ignores` in a configuration file leaves rules out of a file)",
            );
        }
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
    use imds_lint_parser::LineIndex;

    use super::*;

    const IMD001: Rule = Rule::MetadataRequestWithoutToken;
    const IMD002: Rule = Rule::MalformedTokenRequest;
    const IMD003: Rule = Rule::Imdsv1OnlyClient;

    /// Comments of a shell script.
    fn parse(text: &str) -> Suppressions {
        Suppressions::parse(text, Lang::Shell)
    }

    /// The 0-based lines of `text` the ignores of `s` are on.
    fn ignore_lines(s: &Suppressions, text: &str) -> Vec<usize> {
        let index = LineIndex::new(text);
        s.ignores
            .iter()
            .map(|ignore| index.line_of(ignore.line.start))
            .collect()
    }

    /// A finding at the start of 0-based `line` of `text`.
    fn finding(text: &str, rule: Rule, line: usize) -> Finding {
        let start = LineIndex::new(text).line_start(line);
        Finding::new(rule, 0, start..start + 1, "m")
    }

    fn kept_lines(text: &str, kept: &[Finding]) -> Vec<(Rule, usize)> {
        let index = LineIndex::new(text);
        kept.iter()
            .map(|f| (f.rule, index.line_of(f.range.start)))
            .collect()
    }

    fn silence(s: &Suppressions, findings: Vec<Finding>) -> Silenced {
        s.silence(findings, |finding| finding.range.clone())
    }

    fn source(kind: FileKind, text: &str) -> SourceFile {
        let read = SourceFile::from_bytes(std::path::Path::new("f"), kind, text.into());
        let Ok(source) = read else {
            panic!("the text reads");
        };
        source
    }

    /// A notebook of `cells` (JSON values) and its cells as split.
    fn notebook(cells: &str, compact: bool) -> (SourceFile, Vec<Cell>) {
        let sep = if compact { "" } else { "\n " };
        let text = format!(
            "{{{sep}\"cells\": [{cells}],{sep}\"metadata\": {{}},{sep}\
             \"nbformat\": 4,{sep}\"nbformat_minor\": 5\n}}\n"
        );
        let source = source(FileKind::Jupyter, &text);
        let Ok(cells) = imds_lint_parser::split(&source) else {
            panic!("the notebook reads: {text}");
        };
        (source, cells)
    }

    #[test]
    fn ignore_with_and_without_codes() {
        let text = "a\ncurl x  # imds-lint: ignore[IMD001]\nb // imds-lint: ignore\n";
        let s = parse(text);
        assert_eq!(ignore_lines(&s, text), vec![1, 2]);
        let findings = vec![
            finding(text, IMD001, 1),
            finding(text, IMD003, 1),
            finding(text, IMD003, 2),
            finding(text, IMD001, 0),
        ];
        let out = silence(&s, findings);
        assert_eq!(kept_lines(text, &out.kept), vec![(IMD003, 1), (IMD001, 0)]);
    }

    #[test]
    fn every_comment_syntax() {
        let text = "a # imds-lint: ignore\nb // imds-lint: ignore\nc -- imds-lint: ignore\n\
                    d /* imds-lint: ignore */\ne #imds-lint: ignore\n";
        let s = parse(text);
        assert_eq!(ignore_lines(&s, text), vec![0, 1, 2, 3, 4]);
    }

    #[test]
    fn markers_outside_comments_do_not_count() {
        let s = parse("print('imds-lint: ignore')\nx = 1 # see imds-lint: ignore\n");
        assert!(s.ignores.is_empty());
        assert!(s.malformed.is_empty());
    }

    #[test]
    fn the_marker_may_follow_another_comment() {
        let s = parse("curl x  # noqa  # imds-lint: ignore[IMD001]\n");
        assert_eq!(s.ignores.len(), 1);
    }

    /// The comments of a Databricks export, read from its cells.
    fn export(text: &str) -> Suppressions {
        let source = source(FileKind::Databricks(Lang::Python), text);
        let cells = imds_lint_parser::split(&source).unwrap_or_default();
        Suppressions::read(&source, &cells)
    }

    #[test]
    fn magic_lines_are_read_from_the_file() {
        let text = "# Databricks notebook source\n# MAGIC %sh\n\
                    # MAGIC curl y # imds-lint: ignore\n# MAGIC # imds-lint: skip-file\n";
        let s = export(text);
        assert_eq!(ignore_lines(&s, text), vec![2]);
        assert_eq!(s.ignores[0].rules, None);
        assert!(s.skip_file);
    }

    #[test]
    fn markdown_cells_of_an_export_hold_no_comments() {
        // Regression (fresh tester): a `%md` cell mentioning skip-file
        // skipped the export and its request for role credentials.
        let text = "# Databricks notebook source\n# MAGIC %md\n\
                    # MAGIC Marked with # imds-lint: skip-file\n# MAGIC # imds-lint: ignore\n\n\
                    # COMMAND ----------\n\nx = 1  # imds-lint: ignore[IMD001]\n";
        let s = export(text);
        assert!(!s.skip_file);
        assert_eq!(ignore_lines(&s, text), vec![7]);
        let plain = Suppressions::read(&source(FileKind::Python, text), &[]);
        assert!(plain.skip_file, "a plain script reads every line");
    }

    #[test]
    fn skip_file_and_unknown_codes() {
        let s = parse("# imds-lint: skip-file\nx # imds-lint: ignore[IMD009, IMD002]\n");
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
        assert!(!parse("x = 'imds-lint: skip-file'\n").skip_file);
        assert!(Suppressions::parse("-- imds-lint: skip-file\n", Lang::Sql).skip_file);
    }

    #[test]
    fn skip_file_quoted_in_a_string_is_no_comment() {
        let python = "\"\"\"Usage:\n\n# imds-lint: skip-file\n\"\"\"\nx = 1\n";
        assert!(!Suppressions::parse(python, Lang::Python).skip_file);
        assert!(Suppressions::parse("x = 1\n# imds-lint: skip-file\n", Lang::Python).skip_file);
        let shell = "cat <<EOF\n# imds-lint: skip-file\nEOF\n";
        assert!(!parse(shell).skip_file);
        let scala = "val s = \"\"\"\n// imds-lint: skip-file\n\"\"\"\n";
        assert!(!Suppressions::parse(scala, Lang::Scala).skip_file);
        assert!(Suppressions::parse("/* imds-lint: skip-file */\n", Lang::Scala).skip_file);
    }

    #[test]
    fn skip_file_takes_no_rule_list() {
        let s = parse("# imds-lint: skip-file[IMD001]\n# imds-lint: skip-file (generated)\n");
        assert!(s.skip_file);
        assert_eq!(s.malformed.len(), 1);
        assert_eq!(s.malformed[0].offset, 2);
        assert!(s.malformed[0].problem.contains("no rule list"));
        assert!(!parse("# imds-lint: skip-file [IMD001]\n").skip_file);
    }

    #[test]
    fn names_codes_in_any_case_and_spaces() {
        let s = parse(
            "# imds-lint: ignore[imd001 metadata-request-without-token,imdsv1-only-client]\n",
        );
        assert_eq!(s.ignores[0].rules, Some(vec![IMD001, IMD003]));
        let s = parse("# imds-lint: ignore [IMD002]\n");
        assert_eq!(s.ignores[0].rules, Some(vec![IMD002]));
    }

    #[test]
    fn malformed_comments_silence_nothing() {
        let text = "# imds-lint: ignored\n# imds-lint: ignore[IMD001\n# imds-lint: ignore[]\n\
                    # imds-lint: skip-files\n";
        let s = parse(text);
        assert!(s.ignores.is_empty());
        assert!(!s.skip_file);
        let index = LineIndex::new(text);
        assert_eq!(
            s.malformed
                .iter()
                .map(|m| index.line_of(m.offset))
                .collect::<Vec<_>>(),
            vec![0, 1, 2, 3]
        );
        assert!(s.malformed[1].problem.contains("closing"));
    }

    #[test]
    fn silence_drops_covered_findings_and_records_use() {
        let text = "a\nb # imds-lint: ignore[IMD001]\nc # imds-lint: ignore\n";
        let s = parse(text);
        let findings = vec![
            finding(text, IMD001, 1),
            finding(text, IMD003, 1),
            finding(text, IMD002, 2),
            finding(text, IMD001, 0),
        ];
        let out = silence(&s, findings);
        assert_eq!(kept_lines(text, &out.kept), vec![(IMD003, 1), (IMD001, 0)]);
        assert_eq!(out.silenced, vec![vec![IMD001], vec![IMD002]]);
    }

    #[test]
    fn a_finding_over_several_lines_is_silenced_from_any_of_them() {
        let text = "a\nb\nc # imds-lint: ignore\n";
        let s = parse(text);
        let c = text.find('c').unwrap_or_default();
        let to_c = Finding::new(IMD001, 0, 0..c + 1, "m");
        assert!(silence(&s, vec![to_c]).kept.is_empty());
        // A range ending where the comment's line starts does not touch it.
        let to_b = Finding::new(IMD001, 0, 0..c, "m");
        assert_eq!(silence(&s, vec![to_b]).kept.len(), 1);
        let empty = Finding::new(IMD001, 0, c..c, "m");
        assert!(silence(&s, vec![empty]).kept.is_empty());
    }

    #[test]
    fn unused_whole_and_partial() {
        let text = "a # imds-lint: ignore\nb # imds-lint: ignore[IMD001, IMD002]\n\
                    c # imds-lint: ignore[IMD003]\nd # imds-lint: ignore[IMD001]\n";
        let s = parse(text);
        let out = silence(&s, vec![finding(text, IMD001, 1), finding(text, IMD001, 3)]);
        let index = LineIndex::new(text);
        let seen = |ran: &dyn Fn(Rule) -> bool| -> Vec<(usize, Option<Vec<Rule>>)> {
            out.unused(&s, ran)
                .iter()
                .map(|u| (index.line_of(u.ignore.offset), u.rules.clone()))
                .collect()
        };
        assert_eq!(
            seen(&|_| true),
            vec![(0, None), (1, Some(vec![IMD002])), (2, None)]
        );
        // Line 3 names only a rule that did not run, and line 1 names no
        // rule, so covers that one too: neither is stale, since either may
        // be needed where every rule runs. Regression (tester): line 1's
        // bare ignore was reported.
        assert_eq!(seen(&|rule| rule != IMD003), vec![(1, Some(vec![IMD002]))]);
    }

    /// A comment that names a rule that ran and one that did not, and
    /// silenced nothing, is stale only for the rule that ran: the other
    /// may be needed where it runs. Regression (tester): the whole comment
    /// was reported, and deleting it brought a finding back.
    #[test]
    fn unused_names_only_the_rules_that_ran() {
        let text = "x # imds-lint: ignore[IMD001, IMD002]\n";
        let s = parse(text);
        let out = silence(&s, Vec::new());
        let unused = out.unused(&s, |rule| rule == IMD002);
        let rules: Vec<Option<Vec<Rule>>> = unused.iter().map(|u| u.rules.clone()).collect();
        assert_eq!(rules, vec![Some(vec![IMD002])]);
    }

    #[test]
    fn file_range_goes_through_the_cell_map() {
        // A byte order mark is not code: the cell starts after it.
        let text = "\u{feff}x\ncurl y\n";
        let code = &text[3..];
        let mut cell = Cell::whole_file(Lang::Shell, code);
        cell.map = SpanMap::verbatim(3, code.len());
        let start = code.find("curl").unwrap_or_default();
        let f = Finding::new(IMD001, 0, start..start + 4, "m");
        assert_eq!(file_range(&[cell], &f), start + 3..start + 7);
    }

    #[test]
    fn notebook_comments_count_only_in_code_cells() {
        let cells = r##"{"cell_type": "markdown", "metadata": {"tags": ["# imds-lint: ignore"]},
             "source": ["# imds-lint: skip-file\n", "# imds-lint: ignore\n"]},
            {"cell_type": "raw", "metadata": {}, "source": "# imds-lint: skip-file"},
            {"cell_type": "code", "execution_count": 1, "metadata": {},
             "outputs": [{"name": "stdout", "output_type": "stream",
                          "text": ["# imds-lint: skip-file\n", "# imds-lint: ignore\n"]}],
             "source": ["x = 1\n", "y = 2  # imds-lint: ignore[IMD001]\n",
                        "s = '''\n", "# imds-lint: skip-file\n", "'''"]}"##
            .replace('\n', " ");
        for compact in [false, true] {
            let (source, cells) = notebook(&cells, compact);
            let s = Suppressions::read(&source, &cells);
            assert!(!s.skip_file, "compact: {compact}");
            assert_eq!(s.ignores.len(), 1, "compact: {compact}");
            assert_eq!(s.ignores[0].rules, Some(vec![IMD001]));
            let at = source.text.find("# imds-lint: ignore[").unwrap_or_default();
            assert_eq!(s.ignores[0].offset, at + 2);
        }
        // A notebook not split has no comments that count.
        let (source, _) = notebook(&cells, true);
        assert_eq!(Suppressions::read(&source, &[]), Suppressions::default());
    }

    #[test]
    fn one_string_cells_match_by_line_of_code() {
        let cells = r#"{"cell_type": "code", "execution_count": null, "metadata": {},
             "outputs": [], "source": "!curl a\n!curl b  # imds-lint: ignore\nimport os\n# imds-lint: skip-file"}"#
            .replace('\n', " ");
        let (source, cells) = notebook(&cells, false);
        let s = Suppressions::read(&source, &cells);
        assert!(s.skip_file);
        assert_eq!(s.ignores.len(), 1);

        // Each `!` line is a cell of its own; a finding at its start.
        let bangs: Vec<Finding> = cells
            .iter()
            .enumerate()
            .filter(|(_, cell)| cell.origin == Origin::BangLine)
            .map(|(index, _)| Finding::new(IMD001, index, 0..4, "m"))
            .collect();
        assert_eq!(bangs.len(), 2);
        let out = s.silence(bangs, |finding| file_range(&cells, finding));
        assert_eq!(out.kept.len(), 1);
        assert!(cells[out.kept[0].cell].code.starts_with("curl a"));
    }
}
