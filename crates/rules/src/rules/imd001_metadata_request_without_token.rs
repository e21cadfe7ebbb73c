//! IMD001 metadata-request-without-token: requests to IMDS that send no session token.
//!
//! The rule's documentation (what it flags, why, example, fix, fix safety,
//! known limits) is `docs/rules/IMD001.md`, shown by `imds-lint rule IMD001`.

use super::Judgement;
use crate::endpoint::Endpoint;
use crate::finding::Rule;
use crate::request::{Request, TOKEN_HEADER};

/// Summary for rule listings.
pub const SUMMARY: &str = "a request to IMDS with no session token header";

/// Flags `request` when it may reach IMDS without a token.
pub fn check(request: &Request, endpoint: Endpoint) -> Option<Judgement> {
    if request.headers.may_have(TOKEN_HEADER) {
        return None;
    }
    let message = format!(
        "IMDSv1 request without a session token: {} {}",
        request.client,
        endpoint.display_path()
    );
    let note = endpoint.is_credentials_path().then(|| {
        "this request returns the instance role's credentials; it fails once IMDSv2 is enforced"
            .to_owned()
    });
    Some(Judgement {
        rule: Rule::MetadataRequestWithoutToken,
        message,
        note,
        endpoint,
    })
}
