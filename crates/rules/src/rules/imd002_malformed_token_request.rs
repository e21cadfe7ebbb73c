//! IMD002 malformed-token-request: token requests that IMDS refuses.
//!
//! The rule's documentation (what it flags, why, example, fix, fix safety,
//! known limits) is `docs/rules/IMD002.md`, shown by `imds-lint rule IMD002`.

use super::Judgement;
use crate::endpoint::Endpoint;
use crate::finding::Rule;
use crate::request::{Method, Request, TTL_HEADER};

/// Summary for rule listings.
pub const SUMMARY: &str = "a token request IMDS will refuse: not PUT, or a missing or bad TTL";

/// The largest token lifetime IMDS accepts, in seconds.
pub const MAX_TTL: u32 = 21_600;

/// Flags a token request that IMDS refuses, saying why.
pub fn check(request: &Request, endpoint: Endpoint) -> Option<Judgement> {
    let reason = problem(request)?;
    let message = format!(
        "token request that IMDS refuses: {reason} ({})",
        request.client
    );
    Some(Judgement {
        rule: Rule::MalformedTokenRequest,
        message,
        note: None,
        endpoint,
    })
}

fn problem(request: &Request) -> Option<String> {
    match &request.method {
        Method::Put | Method::Unknown => {}
        other => {
            return Some(format!(
                "sent with {} instead of PUT (IMDS answers 405)",
                other.name()
            ))
        }
    }
    let Some(ttl) = request.headers.get(TTL_HEADER) else {
        if request.headers.open {
            return None;
        }
        return Some(format!("no {TTL_HEADER} header (IMDS answers 400)"));
    };
    let value = ttl.value.as_literal()?.trim();
    match value.parse::<u64>() {
        Ok(n) if (1..=u64::from(MAX_TTL)).contains(&n) => None,
        _ => Some(format!(
            "TTL {value:?} is outside 1..={MAX_TTL} seconds (IMDS answers 400)"
        )),
    }
}
