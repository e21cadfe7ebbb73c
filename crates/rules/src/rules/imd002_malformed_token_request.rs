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

/// What a fix changes in a token request this rule flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Repair {
    /// GET becomes PUT.
    pub method: bool,
    /// The TTL header is added.
    pub ttl: bool,
}

/// What makes `request` (flagged by this rule) one IMDS accepts, when
/// that is only a matter of adding to it or changing GET to PUT; `None`
/// for another method or a TTL out of range, which a person must decide.
pub fn repair(request: &Request) -> Option<Repair> {
    let method = match &request.method {
        Method::Get => true,
        Method::Put | Method::Unknown => false,
        Method::Other(_) => return None,
    };
    let ttl = match request.headers.get(TTL_HEADER) {
        // Headers nobody can see may hold it.
        None => !request.headers.open,
        Some(header) => {
            let in_range = header
                .value
                .as_literal()
                .is_none_or(|value| ttl_in_range(value.trim()));
            if !in_range {
                return None;
            }
            false
        }
    };
    (method || ttl).then_some(Repair { method, ttl })
}

impl Repair {
    /// What a fix making this repair says it does.
    pub fn message(self) -> String {
        match (self.method, self.ttl) {
            (true, true) => {
                format!("send the token request with PUT and the `{TTL_HEADER}` header")
            }
            (true, false) => "send the token request with PUT".to_owned(),
            (false, _) => format!("send the `{TTL_HEADER}` header with the token request"),
        }
    }
}

fn ttl_in_range(value: &str) -> bool {
    value
        .parse::<u64>()
        .is_ok_and(|n| (1..=u64::from(MAX_TTL)).contains(&n))
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
    (!ttl_in_range(value))
        .then(|| format!("TTL \"{value}\" is outside 1 to {MAX_TTL} seconds (IMDS answers 400)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Header, Headers};
    use crate::text::Text;

    fn token_request(method: Method, ttl: Option<&str>, open: bool) -> Request {
        let mut headers = Headers::none();
        if let Some(ttl) = ttl {
            headers.push(Header::new(Text::lit(TTL_HEADER), Text::lit(ttl)));
        }
        headers.open = open;
        Request {
            client: "curl".to_owned(),
            method,
            url: Text::lit("http://169.254.169.254/latest/api/token"),
            headers,
            range: 0..1,
        }
    }

    #[test]
    fn a_get_without_a_ttl_needs_both() {
        assert_eq!(
            repair(&token_request(Method::Get, None, false)),
            Some(Repair {
                method: true,
                ttl: true
            })
        );
        assert_eq!(
            repair(&token_request(Method::Put, None, false)),
            Some(Repair {
                method: false,
                ttl: true
            })
        );
    }

    #[test]
    fn unseen_headers_and_good_ttls_get_no_ttl() {
        for request in [
            token_request(Method::Get, None, true),
            token_request(Method::Get, Some("600"), false),
        ] {
            assert_eq!(
                repair(&request),
                Some(Repair {
                    method: true,
                    ttl: false
                })
            );
        }
    }

    #[test]
    fn other_methods_and_bad_ttls_need_a_person() {
        let post = Method::Other("POST".to_owned());
        assert_eq!(repair(&token_request(post, None, false)), None);
        for ttl in ["86400", "0", "x"] {
            assert_eq!(
                repair(&token_request(Method::Get, Some(ttl), false)),
                None,
                "{ttl}"
            );
            assert!(problem(&token_request(Method::Put, Some(ttl), false)).is_some());
        }
        // A request IMDS accepts needs nothing.
        assert_eq!(repair(&token_request(Method::Put, Some("60"), false)), None);
    }

    #[test]
    fn a_bad_ttl_is_quoted_as_written() {
        // Regression (tester): the value was shown Rust-escaped, so JSON and
        // SARIF carried `\\u{1b}` where other messages carry the character
        // (each output escapes it its own way), and the range read `1..=`.
        let ttl = "9\u{1b}[31m9";
        let problem = problem(&token_request(Method::Put, Some(ttl), false));
        assert_eq!(
            problem.as_deref(),
            Some("TTL \"9\u{1b}[31m9\" is outside 1 to 21600 seconds (IMDS answers 400)")
        );
    }
}
