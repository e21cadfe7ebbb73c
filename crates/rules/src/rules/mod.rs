//! The rules: each judges the requests analysers found, one file per rule.

pub mod imd001_metadata_request_without_token;
pub mod imd002_malformed_token_request;
pub mod imd003_imdsv1_only_client;

use crate::endpoint::{self, Endpoint};
use crate::finding::Rule;
use crate::request::Request;

/// What the rules make of one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The rule that applies.
    pub rule: Rule,
    /// The finding's message.
    pub message: String,
    /// An extra note (role credentials exposed).
    pub note: Option<String>,
    /// Where the request goes.
    pub endpoint: Endpoint,
}

/// Judges a request: `None` when it does not go to IMDS or is fine.
pub fn judge(request: &Request) -> Option<Judgement> {
    let endpoint = endpoint::classify(&request.url)?;
    if is_other_cloud(request, &endpoint) {
        return None;
    }
    if endpoint.is_token_path() {
        return imd002_malformed_token_request::check(request, endpoint);
    }
    imd001_metadata_request_without_token::check(request, endpoint)
}

/// Requests to the same address that speak another cloud's protocol.
fn is_other_cloud(request: &Request, endpoint: &Endpoint) -> bool {
    endpoint.is_other_cloud()
        || request.headers.has("Metadata-Flavor")
        || request
            .headers
            .get("Metadata")
            .is_some_and(|h| h.value.contains_ignore_case("true"))
}
