//! IMD003 imdsv1-only-client: clients that can only speak IMDSv1.
//!
//! The rule's documentation (what it flags, why, example, fix, fix safety,
//! known limits) is `docs/rules/IMD003.md`, shown by `imds-lint rule IMD003`.

use std::ops::Range;

use crate::finding::{Finding, Rule};

/// Summary for rule listings.
pub const SUMMARY: &str = "a client that can only speak IMDSv1 (boto 2, ec2metadata)";

/// A finding for the IMDSv1-only `client` called at `range` in `cell`.
pub fn finding(cell: usize, range: Range<usize>, client: &str, instead: &str) -> Finding {
    let mut finding = Finding::new(
        Rule::Imdsv1OnlyClient,
        cell,
        range,
        format!("{client} can only speak IMDSv1 and fails once IMDSv2 is enforced"),
    );
    finding.help = Some(format!("replace it with {instead}"));
    finding
}
