//! Findings: what a rule reports about one place in a cell.

use std::fmt;
use std::ops::Range;

use imds_lint_parser::Fix;

use crate::rules::imd001_metadata_request_without_token as imd001;
use crate::rules::imd002_malformed_token_request as imd002;
use crate::rules::imd003_imdsv1_only_client as imd003;

/// The rules imds-lint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Rule {
    /// IMD001: a request to IMDS that sends no session token.
    MetadataRequestWithoutToken,
    /// IMD002: a token request IMDS will refuse.
    MalformedTokenRequest,
    /// IMD003: a client that can only speak IMDSv1.
    Imdsv1OnlyClient,
}

impl Rule {
    /// Every rule, in code order.
    pub const ALL: [Rule; 3] = [
        Rule::MetadataRequestWithoutToken,
        Rule::MalformedTokenRequest,
        Rule::Imdsv1OnlyClient,
    ];

    /// The rule's code, such as `IMD001`.
    pub fn code(self) -> &'static str {
        match self {
            Rule::MetadataRequestWithoutToken => "IMD001",
            Rule::MalformedTokenRequest => "IMD002",
            Rule::Imdsv1OnlyClient => "IMD003",
        }
    }

    /// The rule's name, such as `metadata-request-without-token`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::MetadataRequestWithoutToken => "metadata-request-without-token",
            Rule::MalformedTokenRequest => "malformed-token-request",
            Rule::Imdsv1OnlyClient => "imdsv1-only-client",
        }
    }

    /// One line on what the rule flags.
    pub fn summary(self) -> &'static str {
        match self {
            Rule::MetadataRequestWithoutToken => imd001::SUMMARY,
            Rule::MalformedTokenRequest => imd002::SUMMARY,
            Rule::Imdsv1OnlyClient => imd003::SUMMARY,
        }
    }

    /// The rule's documentation, in Markdown, with fixed headings: what it
    /// flags, why, example, fix, fix safety, known limits.
    pub fn doc(self) -> &'static str {
        match self {
            Rule::MetadataRequestWithoutToken => include_str!("../../../docs/rules/IMD001.md"),
            Rule::MalformedTokenRequest => include_str!("../../../docs/rules/IMD002.md"),
            Rule::Imdsv1OnlyClient => include_str!("../../../docs/rules/IMD003.md"),
        }
    }

    /// Whether the rule offers fixes that `--fix` can apply.
    pub fn fixable(self) -> bool {
        !matches!(self, Rule::Imdsv1OnlyClient)
    }

    /// How serious a finding is for security dashboards, from 0.1 to 10 (the
    /// scale GitHub code scanning reads as `security-severity`): requests
    /// that break under enforcement and keep credentials reachable without
    /// a token rank high.
    pub fn security_severity(self) -> &'static str {
        match self {
            Rule::MetadataRequestWithoutToken | Rule::Imdsv1OnlyClient => "7.5",
            Rule::MalformedTokenRequest => "5.0",
        }
    }

    /// The rule for a code or a name, in any case.
    pub fn from_code(code: &str) -> Option<Rule> {
        Rule::ALL
            .into_iter()
            .find(|r| r.code().eq_ignore_ascii_case(code) || r.name() == code)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One problem at one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rule that found it.
    pub rule: Rule,
    /// Index of the cell in the file's cell list.
    pub cell: usize,
    /// The range of the request, in the cell's coordinates.
    pub range: Range<usize>,
    /// What is wrong, naming the client and the metadata path.
    pub message: String,
    /// Why it matters more than usual (role credentials exposed).
    pub note: Option<String>,
    /// How to fix it, when a fix can be made.
    pub fix: Option<Fix>,
    /// Why no fix is offered, and what to change by hand.
    pub help: Option<String>,
}

/// Drops the fixes of `findings`, in `language` code that does not parse:
/// read from a guessed tree, it is reported, not rewritten (the rewriter
/// would refuse the fix; showing one would mislead).
pub(crate) fn withhold_fixes_in_unparsed_code(findings: &mut [Finding], language: &str) {
    for finding in findings.iter_mut().filter(|f| f.fix.is_some()) {
        finding.fix = None;
        finding.help = Some(format!(
            "no automatic fix: the {language} code around it does not parse, so where a token \
             fetch may go is a guess; fix it by hand"
        ));
    }
}

impl Finding {
    /// A finding with no fix yet.
    pub fn new(rule: Rule, cell: usize, range: Range<usize>, message: impl Into<String>) -> Self {
        Finding {
            rule,
            cell,
            range,
            message: message.into(),
            note: None,
            fix: None,
            help: None,
        }
    }
}
