//! Fixes for Python token requests IMDS refuses (IMD002): the request is
//! sent with PUT and the TTL header, in its own call.
//!
//! ```python
//! token = requests.get(TOKEN_URL).text
//! # becomes
//! token = requests.put(TOKEN_URL, headers={"X-aws-ec2-metadata-token-ttl-seconds": "21600"}).text
//! ```
//!
//! Left for a person, with the finding's help: a method other than GET, a
//! TTL out of range, and a method written where a fix cannot change it
//! with certainty (a variable, `from requests import get`, a `Request`
//! held in a variable, pycurl options).

use imds_lint_parser::{Applicability, Edit, Fix};
use tree_sitter::Node;

use crate::request::{Request, TTL_HEADER};
use crate::rules::imd002_malformed_token_request;

use super::clients::{HeaderSlot, MethodSlot};
use super::fix::{last_item, node_at};
use super::quotes::quoted;
use super::walk::CellWalk;
use super::Site;

/// What a token request's fix changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Mend {
    /// Where the method is written, when GET must become PUT.
    method: Option<MethodSlot>,
    /// Whether the TTL header must be added.
    ttl: bool,
}

impl Mend {
    /// What a token request judged IMD002 needs, its method written at
    /// `method`; `None` when adding to the call cannot make IMDS accept
    /// it (a method other than GET, a TTL out of range).
    pub(super) fn of(request: &Request, method: MethodSlot) -> Option<Mend> {
        let repair = imd002_malformed_token_request::repair(request)?;
        Some(Mend {
            method: repair.method.then_some(method),
            ttl: repair.ttl,
        })
    }

    /// What the fix says it does.
    fn message(&self) -> String {
        imd002_malformed_token_request::Repair {
            method: self.method.is_some(),
            ttl: self.ttl,
        }
        .message()
    }
}

impl<'t> CellWalk<'_, '_, 't> {
    /// The fix that makes the token request at `site` one IMDS accepts;
    /// `Err` when there is none (the finding's help stays).
    pub(super) fn mend_fix(&self, root: Node<'t>, site: &Site, mend: &Mend) -> Result<Fix, String> {
        let ttl = self.file.settings.token_ttl;
        // Without a quote the f-string around the request allows, the
        // finding keeps its help.
        let quote = self
            .insertion_quote(root, &site.call)
            .map_err(|_| String::new())?;
        let ttl_header = format!(
            "{}: {}",
            quoted(TTL_HEADER, quote),
            quoted(&ttl.to_string(), quote)
        );
        let method_put = format!("method={}", quoted("PUT", quote));
        let mut edits = Vec::new();

        // `urlopen(url)` sends GET and no headers: the URL becomes a
        // `Request` that says both. Unsafe as the token fix's is: the call
        // is restructured, not only added to.
        if let HeaderSlot::WrapUrl { url, module } = &site.slot {
            if *module != "urllib.request" {
                return Err(String::new());
            }
            let request = self.request_class(root, site, &mut edits)?;
            let mut arguments = vec![self.code[url.clone()].to_owned()];
            if mend.ttl {
                arguments.push(format!("headers={{{ttl_header}}}"));
            }
            if mend.method.is_some() {
                arguments.push(method_put);
            }
            edits.push(Edit::replacement(
                url.clone(),
                format!("{request}({})", arguments.join(", ")),
            ));
            return Ok(Fix::new(mend.message(), edits, Applicability::Unsafe));
        }

        if mend.ttl {
            let HeaderSlot::Keyword {
                arguments,
                value,
                dict,
                keyword,
            } = &site.slot
            else {
                return Err(String::new());
            };
            edits.push(self.keyword_edit(
                root,
                arguments,
                value.as_ref(),
                *dict,
                keyword,
                &ttl_header,
            )?);
        }
        match &mend.method {
            None => {}
            Some(MethodSlot::Name(name)) => edits.push(Edit::replacement(name.clone(), "put")),
            Some(MethodSlot::Literal(text)) => edits.push(Edit::replacement(text.clone(), "PUT")),
            Some(MethodSlot::Keyword(arguments)) => {
                let node = node_at(root, arguments).ok_or("the arguments were not found again")?;
                edits.push(match last_item(node) {
                    Some(last) => Edit::insertion(last.end_byte(), format!(", {method_put}")),
                    None => Edit::insertion(node.start_byte() + 1, method_put),
                });
            }
            Some(MethodSlot::None) => return Err(String::new()),
        }

        // Safe: IMDS refused the request (405 or 400), so nothing that
        // worked can change, and the call keeps its shape: only its
        // method and headers do.
        Ok(Fix::new(
            mend.message(),
            merge_insertions(edits),
            Applicability::Safe,
        ))
    }
}

/// The edits with insertions at one point made one (the TTL header and
/// the method keyword both go after a call's last argument): the rewriter
/// would take two as overlapping.
fn merge_insertions(edits: Vec<Edit>) -> Vec<Edit> {
    let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
    for edit in edits {
        let same_point = merged
            .iter_mut()
            .find(|e| e.range.is_empty() && edit.range.is_empty() && e.range == edit.range);
        match same_point {
            Some(earlier) => earlier.content.push_str(&edit.content),
            None => merged.push(edit),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::request::{Header, Headers, Method};
    use crate::text::Text;

    fn token_request(method: Method, ttl: Option<&str>) -> Request {
        let mut headers = Headers::none();
        if let Some(ttl) = ttl {
            headers.push(Header::new(Text::lit(TTL_HEADER), Text::lit(ttl)));
        }
        Request {
            client: "requests.get".to_owned(),
            method,
            url: Text::lit("http://169.254.169.254/latest/api/token"),
            headers,
            range: 0..1,
        }
    }

    #[test]
    fn the_method_slot_is_kept_only_when_the_method_changes() {
        let mend = Mend::of(&token_request(Method::Get, None), MethodSlot::Name(0..3));
        assert_eq!(
            mend,
            Some(Mend {
                method: Some(MethodSlot::Name(0..3)),
                ttl: true
            })
        );
        let mend = Mend::of(&token_request(Method::Put, None), MethodSlot::Name(0..3));
        assert_eq!(
            mend,
            Some(Mend {
                method: None,
                ttl: true
            })
        );
        let bad = token_request(Method::Get, Some("86400"));
        assert_eq!(Mend::of(&bad, MethodSlot::Name(0..3)), None);
    }

    #[test]
    fn insertions_at_one_point_become_one() {
        let edits = merge_insertions(vec![
            Edit::insertion(5, ", headers={}"),
            Edit::replacement(1..4, "put"),
            Edit::insertion(5, ", method=\"PUT\""),
        ]);
        assert_eq!(
            edits,
            vec![
                Edit::insertion(5, ", headers={}, method=\"PUT\""),
                Edit::replacement(1..4, "put"),
            ]
        );
    }
}
