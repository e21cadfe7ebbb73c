//! What a run adds up to: the closing summary line and the per-rule counts
//! of `--statistics`.

use std::fmt::Write;

use std::collections::BTreeMap;

use imds_lint_rules::Rule;
use serde::Serialize;

use super::paint::Paint;

/// Counts over the whole run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    /// Findings per rule: (count, how many offer a fix).
    pub by_rule: BTreeMap<Rule, (usize, usize)>,
    /// Files read and checked.
    pub checked: usize,
    /// Files with at least one finding.
    pub with_findings: usize,
    /// Files and paths that could not be checked.
    pub failed: usize,
    /// Findings whose fix `--fix` applies.
    pub safe_fixes: usize,
    /// Findings whose fix only `--fix --unsafe-fixes` applies.
    pub unsafe_fixes: usize,
    /// Suppression comments that silenced nothing, reported
    /// (`--report-unused-ignores`): they count like findings.
    pub unused_ignores: usize,
}

impl Totals {
    /// All findings.
    pub fn findings(&self) -> usize {
        self.by_rule.values().map(|(count, _)| count).sum()
    }
}

/// The summary line of the text formats.
pub fn line(totals: &Totals, paint: Paint) -> String {
    let checked = format!("{} checked", count(totals.checked, "file"));
    let mut text = match totals.findings() {
        0 => format!("No findings ({checked})."),
        n => format!(
            "Found {} in {} ({checked}).",
            count(n, "finding"),
            count(totals.with_findings, "file")
        ),
    };
    if totals.failed > 0 {
        let _ = write!(
            text,
            " {} could not be checked.",
            count(totals.failed, "path")
        );
    }
    unused_ignores(&mut text, totals);
    paint.bold(&text)
}

/// Adds the unused suppressions reported, if any, to a closing line: they
/// are why a run with no findings exits 1.
pub fn unused_ignores(text: &mut String, totals: &Totals) {
    if totals.unused_ignores > 0 {
        let _ = write!(
            text,
            " {}.",
            count(totals.unused_ignores, "unused suppression")
        );
    }
}

/// The line after the summary that says what `--fix` would do, if
/// anything: `3 fixable with --fix (2 more with --unsafe-fixes).`
pub fn fixable(totals: &Totals, paint: Paint) -> Option<String> {
    let text = match (totals.safe_fixes, totals.unsafe_fixes) {
        (0, 0) => return None,
        (0, more) => format!("{more} fixable with --fix --unsafe-fixes."),
        (safe, 0) => format!("{safe} fixable with --fix."),
        (safe, more) => format!("{safe} fixable with --fix ({more} more with --unsafe-fixes)."),
    };
    Some(paint.bold(&text))
}

/// `--statistics` as text: count, code and name per rule, most first.
pub fn statistics_text(totals: &Totals) -> String {
    let mut out = String::new();
    for stat in statistics(totals) {
        let _ = writeln!(out, "{:>5}  {}  {}", stat.count, stat.code, stat.name);
    }
    out
}

/// `--statistics` as a JSON array.
pub fn statistics_json(totals: &Totals) -> String {
    // Serializing plain strings and numbers cannot fail.
    let mut out = serde_json::to_string_pretty(&statistics(totals)).unwrap_or_default();
    out.push('\n');
    out
}

/// `--statistics` as JSON Lines: one object per rule.
pub fn statistics_json_lines(totals: &Totals) -> String {
    let mut out = String::new();
    for stat in statistics(totals) {
        // Serializing plain strings and numbers cannot fail.
        out.push_str(&serde_json::to_string(&stat).unwrap_or_default());
        out.push('\n');
    }
    out
}

#[derive(Debug, Serialize)]
struct Statistic {
    code: &'static str,
    name: &'static str,
    count: usize,
    fixable: usize,
}

fn statistics(totals: &Totals) -> Vec<Statistic> {
    let mut stats: Vec<Statistic> = totals
        .by_rule
        .iter()
        .map(|(rule, &(count, fixable))| Statistic {
            code: rule.code(),
            name: rule.name(),
            count,
            fixable,
        })
        .collect();
    // Stable for equal counts: `by_rule` is in code order.
    stats.sort_by_key(|stat| std::cmp::Reverse(stat.count));
    stats
}

/// `n` and `noun`, plural unless `n` is 1.
pub(crate) fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn totals() -> Totals {
        let mut t = Totals {
            checked: 4,
            with_findings: 1,
            ..Totals::default()
        };
        t.by_rule.insert(Rule::MetadataRequestWithoutToken, (1, 1));
        t.by_rule.insert(Rule::Imdsv1OnlyClient, (2, 0));
        t
    }

    #[test]
    fn summary_counts_findings_and_files() {
        assert_eq!(
            line(&totals(), Paint::PLAIN),
            "Found 3 findings in 1 file (4 files checked)."
        );
        let none = Totals {
            checked: 1,
            failed: 2,
            ..Totals::default()
        };
        assert_eq!(
            line(&none, Paint::PLAIN),
            "No findings (1 file checked). 2 paths could not be checked."
        );
    }

    /// Found by a fresh tester in the tenth session: with only unused
    /// suppressions the line said "No findings" and the run exited 1.
    #[test]
    fn summary_counts_unused_suppressions() {
        let unused = Totals {
            checked: 1,
            unused_ignores: 1,
            ..Totals::default()
        };
        assert_eq!(
            line(&unused, Paint::PLAIN),
            "No findings (1 file checked). 1 unused suppression."
        );
        let mut both = totals();
        both.unused_ignores = 2;
        assert_eq!(
            line(&both, Paint::PLAIN),
            "Found 3 findings in 1 file (4 files checked). 2 unused suppressions."
        );
    }

    #[test]
    fn fixable_line_counts_safe_and_unsafe_fixes() {
        let mut t = totals();
        assert_eq!(fixable(&t, Paint::PLAIN), None);
        t.safe_fixes = 3;
        assert_eq!(
            fixable(&t, Paint::PLAIN).as_deref(),
            Some("3 fixable with --fix.")
        );
        t.unsafe_fixes = 2;
        assert_eq!(
            fixable(&t, Paint::PLAIN).as_deref(),
            Some("3 fixable with --fix (2 more with --unsafe-fixes).")
        );
        t.safe_fixes = 0;
        assert_eq!(
            fixable(&t, Paint::PLAIN).as_deref(),
            Some("2 fixable with --fix --unsafe-fixes.")
        );
    }

    #[test]
    fn statistics_most_frequent_first() {
        assert_eq!(
            statistics_text(&totals()),
            "    2  IMD003  imdsv1-only-client\n    1  IMD001  metadata-request-without-token\n"
        );
        let json: serde_json::Value = serde_json::from_str(&statistics_json(&totals())).unwrap();
        assert_eq!(json[1]["code"], "IMD001");
        assert_eq!(json[1]["fixable"], 1);
        assert_eq!(json[0]["count"], 2);
    }
}
