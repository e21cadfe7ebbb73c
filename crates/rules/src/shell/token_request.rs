//! Fixes for token requests IMDS refuses (IMD002): send them with PUT
//! and a TTL header.
//!
//! ```sh
//! TOKEN=$(curl -s http://169.254.169.254/latest/api/token)
//! # becomes
//! TOKEN=$(curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" -s http://169.254.169.254/latest/api/token)
//! ```
//!
//! A method the command names (`-X GET`) or implies (`-d`, `-I`), and a
//! TTL out of range, are left for a person: changing them is more than
//! adding to the command.

use imds_lint_parser::{Applicability, Edit, Fix};

use super::argv::Client;
use super::fix::{escape, Context, Site, Ttl};
use crate::request::{Method, TTL_HEADER};

/// The fix for a malformed token request at `site`, if one can be made
/// by adding to the command.
pub(super) fn fix(site: &Site, context: &Context) -> Option<Fix> {
    let ttl = context.settings.token_ttl;
    let mut after_program: Vec<String> = Vec::new();
    let mut edits = Vec::new();

    if site.method != Method::Put {
        if site.names_method || site.method != Method::Get {
            return None;
        }
        match site.client {
            Client::Curl => after_program.push(" -X PUT".to_owned()),
            Client::Wget => after_program.push(" --method=PUT".to_owned()),
            Client::Httpie => edits.push(Edit::insertion(site.url_start?, "PUT ")),
            Client::Ec2Metadata => return None,
        }
    }

    match (site.ttl, site.client) {
        (Ttl::Fine | Ttl::Unknown, _) => {}
        (Ttl::Bad, _) | (Ttl::Missing, Client::Ec2Metadata) => return None,
        (Ttl::Missing, Client::Curl) => {
            after_program.push(format!(" -H \"{TTL_HEADER}: {ttl}\""));
        }
        (Ttl::Missing, Client::Wget) => {
            after_program.push(format!(" --header=\"{TTL_HEADER}: {ttl}\""));
        }
        (Ttl::Missing, Client::Httpie) => {
            let item = format!(" \"{TTL_HEADER}:{ttl}\"");
            let at = site.header_at?;
            edits.push(Edit::insertion(at, escape(&item, site, context, at)?));
        }
    }

    if !after_program.is_empty() {
        let at = site.header_at?;
        let text = escape(&after_program.concat(), site, context, at)?;
        edits.push(Edit::insertion(at, text));
    }
    if edits.is_empty() {
        return None;
    }
    Some(Fix::new(
        format!("send the token request with PUT and a {TTL_HEADER} header"),
        edits,
        Applicability::Safe,
    ))
}
