//! `imds-lint rule`: a rule's documentation page, or the list of rules, as
//! text or JSON.

use std::fmt::Write as _;
use std::io::{self, Write};

use clap::{ArgGroup, ValueEnum};
use imds_lint_rules::Rule;
use serde::Serialize;

use crate::report::Paint;
use crate::run::{Console, Exit};

/// Show what a rule flags and how it is fixed.
#[derive(Debug, Clone, clap::Args)]
#[command(group(ArgGroup::new("which").required(true).args(["rule", "all"])))]
pub struct RuleArgs {
    /// The rule: a code such as IMD001, or a name such as
    /// metadata-request-without-token.
    #[arg(value_name = "RULE")]
    pub rule: Option<String>,

    /// List every rule: code, name, whether it has fixes, summary.
    #[arg(long)]
    pub all: bool,

    /// Text (the Markdown page, or a table), or JSON.
    #[arg(long, value_enum, value_name = "FORMAT", default_value_t = RuleFormat::Text)]
    pub output_format: RuleFormat,
}

/// How `imds-lint rule` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// The documentation page as Markdown; with --all, one rule a line.
    Text,
    /// One JSON object per rule (an array with --all).
    Json,
}

/// A rule, as `imds-lint rule --output-format json` writes it.
#[derive(Debug, Serialize)]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    summary: &'static str,
    fixable: bool,
    security_severity: &'static str,
    doc: &'static str,
}

impl From<Rule> for RuleInfo {
    fn from(rule: Rule) -> Self {
        RuleInfo {
            code: rule.code(),
            name: rule.name(),
            summary: rule.summary(),
            fixable: rule.fixable(),
            security_severity: rule.security_severity(),
            doc: rule.doc(),
        }
    }
}

/// Runs `imds-lint rule` with `args`: exit 0, or 2 for an unknown rule
/// (`error_paint` colors the error).
pub fn run(args: &RuleArgs, console: &mut Console<'_>, error_paint: Paint) -> Exit {
    // clap lets exactly one of a rule and `--all` through.
    let text = if let Some(name) = &args.rule {
        let Some(rule) = Rule::from_code(name.trim()) else {
            let red = error_paint.red("error:");
            let _ = writeln!(console.stderr, "{red} {}", unknown(name));
            return Exit::Error;
        };
        page(rule, args.output_format)
    } else {
        list(args.output_format)
    };

    match write_out(console.stdout, &text) {
        Ok(()) => Exit::Clean,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Exit::Clean,
        Err(err) => {
            let red = error_paint.red("error:");
            let _ = writeln!(
                console.stderr,
                "{red} cannot write output: {}",
                crate::reason::output(&err)
            );
            Exit::Error
        }
    }
}

fn write_out(out: &mut dyn Write, text: &str) -> io::Result<()> {
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// One rule's page.
fn page(rule: Rule, format: RuleFormat) -> String {
    match format {
        RuleFormat::Text => {
            let mut doc = rule.doc().to_owned();
            if !doc.ends_with('\n') {
                doc.push('\n');
            }
            doc
        }
        RuleFormat::Json => json_line(&RuleInfo::from(rule)),
    }
}

/// Every rule, one a line under a heading, or a JSON array.
fn list(format: RuleFormat) -> String {
    match format {
        RuleFormat::Text => {
            let width = Rule::ALL.iter().map(|r| r.name().len()).max().unwrap_or(0);
            let mut out = format!("{:<6}  {:<width$}  {:<3}  SUMMARY\n", "CODE", "NAME", "FIX");
            for rule in Rule::ALL {
                let fix = if rule.fixable() { "yes" } else { "no" };
                let _ = writeln!(
                    out,
                    "{:<6}  {:<width$}  {fix:<3}  {}",
                    rule.code(),
                    rule.name(),
                    rule.summary()
                );
            }
            out
        }
        RuleFormat::Json => {
            let rules: Vec<RuleInfo> = Rule::ALL.into_iter().map(RuleInfo::from).collect();
            json_line(&rules)
        }
    }
}

fn json_line(value: &impl Serialize) -> String {
    // Serializing static strings and booleans cannot fail.
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    text
}

/// The error for a rule that does not exist, listing those that do.
fn unknown(name: &str) -> String {
    let known: Vec<String> = Rule::ALL
        .iter()
        .map(|rule| format!("{} ({})", rule.code(), rule.name()))
        .collect();
    format!(
        "unknown rule `{}`; the rules are: {}",
        crate::report::escape::line(name),
        known.join(", ")
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn page_is_the_markdown_doc() {
        let text = page(Rule::MetadataRequestWithoutToken, RuleFormat::Text);
        assert!(
            text.starts_with("# IMD001 metadata-request-without-token\n"),
            "{text}"
        );
        assert!(text.contains("## Fix safety"), "{text}");
        assert!(!page(Rule::Imdsv1OnlyClient, RuleFormat::Text).contains("# IMD001"));
    }

    #[test]
    fn page_as_json_has_every_field() {
        let v: serde_json::Value =
            serde_json::from_str(&page(Rule::Imdsv1OnlyClient, RuleFormat::Json)).unwrap();
        assert_eq!(v["code"], "IMD003");
        assert_eq!(v["name"], "imdsv1-only-client");
        assert_eq!(v["fixable"], false);
        assert_eq!(
            v["security_severity"],
            Rule::Imdsv1OnlyClient.security_severity()
        );
        assert_eq!(v["doc"], Rule::Imdsv1OnlyClient.doc());
    }

    #[test]
    fn list_has_a_line_per_rule_in_columns() {
        let text = list(RuleFormat::Text);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), Rule::ALL.len() + 1);
        assert!(lines[0].starts_with("CODE    NAME"), "{text}");
        let summary_at = lines[0].find("SUMMARY").unwrap();
        for (line, rule) in lines[1..].iter().zip(Rule::ALL) {
            assert!(line.starts_with(rule.code()), "{line}");
            assert_eq!(&line[summary_at..], rule.summary(), "{line}");
        }
        assert!(lines[1].contains(" yes "), "IMD001 has fixes: {text}");
        assert!(lines[3].contains(" no "), "IMD003 has none: {text}");
    }

    #[test]
    fn list_as_json_is_an_array() {
        let v: serde_json::Value = serde_json::from_str(&list(RuleFormat::Json)).unwrap();
        let codes: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["code"].as_str().unwrap())
            .collect();
        assert_eq!(codes, ["IMD001", "IMD002", "IMD003"]);
    }

    #[test]
    fn unknown_rule_lists_the_known_ones() {
        let text = unknown("IMD999");
        assert!(text.starts_with("unknown rule `IMD999`"), "{text}");
        for rule in Rule::ALL {
            assert!(
                text.contains(rule.code()) && text.contains(rule.name()),
                "{text}"
            );
        }
    }
}
