//! IMD003 imdsv1-only-client.
//!
//! ## What it flags
//! A client that can only speak IMDSv1: `boto.utils.get_instance_metadata`
//! and friends from boto 2, and `ec2metadata` from Debian and Ubuntu's
//! cloud-guest-utils. (`ec2-metadata` from amazon-ec2-utils uses tokens
//! and is not flagged.)
//!
//! ## Why
//! These clients never send a token, so they fail once IMDSv2 is enforced,
//! and no argument can change that.
//!
//! ## Example
//! ```python
//! from boto.utils import get_instance_metadata
//! region = get_instance_metadata()["placement"]["availability-zone"][:-1]
//! ```
//!
//! ## Fix
//! None is applied: replace the client. In Python, use `requests` with a
//! token, or boto3's `InstanceMetadataFetcher`; in shell, `ec2-metadata` or
//! `curl` with a token.
//!
//! ## Fix safety
//! Suggestion only.
//!
//! ## Known limits
//! Other IMDSv1-only tools are not known to the rule.

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
