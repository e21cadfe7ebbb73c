//! The rules as SARIF describes them (`reportingDescriptor`s): what code
//! scanning shows beside each alert, and how it ranks them.

use imds_lint_rules::Rule;
use serde_json::{json, Value};

/// Where the project lives; rule pages are under `docs/rules/` there.
pub const INFORMATION_URI: &str = env!("CARGO_PKG_REPOSITORY");

/// Code scanning cuts `shortDescription` and `fullDescription` at this many
/// characters.
const MAX_DESCRIPTION: usize = 1024;

/// The SARIF level of a rule's findings.
///
/// IMD001 and IMD002 are requests the tool sees fail once IMDSv2 is
/// enforced: `error`. IMD003 names a client, not a request: the tool does
/// not see what the client asks for or whether that path runs, and the
/// remedy is replacing a dependency rather than editing the line: `warning`.
/// All three carry a `security-severity`, which code scanning shows instead
/// of the level for security results.
pub fn level(rule: Rule) -> &'static str {
    match rule {
        Rule::MetadataRequestWithoutToken | Rule::MalformedTokenRequest => "error",
        Rule::Imdsv1OnlyClient => "warning",
    }
}

/// The rule's index in `tool.driver.rules`.
pub fn index(rule: Rule) -> usize {
    Rule::ALL
        .iter()
        .position(|r| *r == rule)
        .unwrap_or_default()
}

/// `tool.driver.rules`: every rule, in code order.
pub fn descriptors() -> Vec<Value> {
    Rule::ALL.into_iter().map(descriptor).collect()
}

/// The documentation page of `rule` on the project's site.
pub fn help_uri(rule: Rule) -> String {
    format!("{INFORMATION_URI}/blob/main/docs/rules/{}.md", rule.code())
}

fn descriptor(rule: Rule) -> Value {
    let doc = rule.doc();
    json!({
        "id": rule.code(),
        "name": rule.name(),
        "shortDescription": { "text": capped(&sentence(rule.summary())) },
        "fullDescription": { "text": capped(&full_description(rule)) },
        "help": { "text": doc, "markdown": doc },
        "helpUri": help_uri(rule),
        "defaultConfiguration": { "level": level(rule) },
        "properties": {
            "tags": ["security", "aws", "imds"],
            "precision": "high",
            "security-severity": rule.security_severity(),
        },
    })
}

/// The page's "What it flags" section on one line (whitespace made single
/// spaces); the summary when the page has none.
fn full_description(rule: Rule) -> String {
    let section: Vec<&str> = rule
        .doc()
        .lines()
        .skip_while(|line| line.trim() != "## What it flags")
        .skip(1)
        .take_while(|line| !line.starts_with("## "))
        .flat_map(str::split_whitespace)
        .collect();
    if section.is_empty() {
        sentence(rule.summary())
    } else {
        section.join(" ")
    }
}

/// `text` with a capital first letter and a full stop.
fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    let mut out: String = chars
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default();
    out.push_str(chars.as_str());
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// `text` cut to what code scanning keeps, at a word, with an ellipsis.
fn capped(text: &str) -> String {
    if text.chars().count() <= MAX_DESCRIPTION {
        return text.to_owned();
    }
    let cut: String = text.chars().take(MAX_DESCRIPTION - 1).collect();
    let at_word = cut.rfind(' ').map_or(cut.as_str(), |space| &cut[..space]);
    format!("{at_word}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_is_described_in_code_order() {
        let rules = descriptors();
        assert_eq!(rules.len(), Rule::ALL.len());
        for (i, rule) in Rule::ALL.into_iter().enumerate() {
            assert_eq!(rules[i]["id"], rule.code());
            assert_eq!(index(rule), i);
            assert_eq!(rules[i]["help"]["markdown"], rule.doc());
            assert_eq!(
                rules[i]["properties"]["security-severity"],
                rule.security_severity()
            );
        }
    }

    #[test]
    fn full_description_is_what_it_flags_on_one_line() {
        let text = full_description(Rule::MetadataRequestWithoutToken);
        assert!(
            text.starts_with("A request to the EC2 instance metadata service"),
            "{text}"
        );
        assert!(text.contains("Clients: `curl`"), "{text}");
        assert!(!text.contains('\n') && !text.contains("  "), "{text}");
        assert!(!text.contains("## Why"), "{text}");
        for rule in Rule::ALL {
            let text = full_description(rule);
            assert!(!text.is_empty() && text.chars().count() <= MAX_DESCRIPTION);
        }
    }

    #[test]
    fn help_points_at_the_rule_page() {
        assert_eq!(
            help_uri(Rule::Imdsv1OnlyClient),
            "https://github.com/imds-lint/imds-lint/blob/main/docs/rules/IMD003.md"
        );
    }

    #[test]
    fn requests_that_fail_are_errors_and_clients_warnings() {
        assert_eq!(level(Rule::MetadataRequestWithoutToken), "error");
        assert_eq!(level(Rule::MalformedTokenRequest), "error");
        assert_eq!(level(Rule::Imdsv1OnlyClient), "warning");
    }

    #[test]
    fn long_text_is_cut_at_a_word() {
        let long = "word ".repeat(400);
        let cut = capped(&long);
        assert!(cut.chars().count() <= MAX_DESCRIPTION);
        assert!(cut.ends_with("word…"), "{cut}");
        assert_eq!(capped("short"), "short");
        assert_eq!(sentence("a rule"), "A rule.");
    }
}
