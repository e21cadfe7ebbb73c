//! IMD001 metadata-request-without-token.
//!
//! ## What it flags
//! A request to the instance metadata service that sends no
//! `X-aws-ec2-metadata-token` header.
//!
//! ## Why
//! With "Enforce AWS instance metadata v2" on, IMDS answers such a request
//! with `401 Unauthorized`, and the notebook, job or init script fails.
//!
//! ## Example
//! ```sh
//! ROLE=$(curl -s http://169.254.169.254/latest/meta-data/iam/security-credentials/)
//! ```
//!
//! ## Fix
//! Fetch a token once with `PUT /latest/api/token`, then send it in the
//! `X-aws-ec2-metadata-token` header of each request.
//!
//! ## Fix safety
//! Safe when only the header and the token fetch are added; unsafe when the
//! rewrite must restructure the call.
//!
//! ## Known limits
//! Headers held in values the analyser cannot resolve (function results,
//! `**kwargs`) are assumed to carry the token, so such requests are not
//! reported.

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
