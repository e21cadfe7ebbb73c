//! Recognising the instance metadata service in a URL, in every spelling
//! an HTTP client accepts. Every language's analyser uses this one function.

use std::net::Ipv6Addr;

use crate::text::Text;

/// `169.254.169.254` as a number.
const IMDS_V4: u32 = 0xA9FE_A9FE;
/// `fd00:ec2::254`.
const IMDS_V6: Ipv6Addr = Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254);

/// How the metadata host is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `169.254.169.254` or another spelling of the same IPv4 address.
    Ipv4,
    /// `[fd00:ec2::254]`.
    Ipv6,
    /// `instance-data` or `instance-data.ec2.internal`.
    Name,
}

/// A URL that points at the metadata service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// How the host is spelled.
    pub host: Host,
    /// The path as far as it is known (`/latest/meta-data/iam/`), with no
    /// query or fragment; empty when the URL names only the host.
    pub path: String,
    /// Whether the path is known to its end.
    pub path_complete: bool,
}

impl Endpoint {
    /// Whether the path is the token endpoint (`/latest/api/token`, or the
    /// same under another version prefix).
    pub fn is_token_path(&self) -> bool {
        let segments: Vec<&str> = self.path.split('/').filter(|s| !s.is_empty()).collect();
        matches!(segments.as_slice(), [_, "api", "token"])
    }

    /// Whether the path asks for role credentials.
    pub fn is_credentials_path(&self) -> bool {
        self.path.contains("security-credentials") || self.path.contains("identity-credentials")
    }

    /// Whether the path belongs to another cloud's metadata service, served
    /// at the same address (GCP, Azure, OpenStack, Oracle).
    pub fn is_other_cloud(&self) -> bool {
        let path = self.path.to_ascii_lowercase();
        ["/computemetadata", "/metadata/", "/openstack", "/opc/"]
            .iter()
            .any(|p| path.starts_with(p))
            || path == "/metadata"
    }

    /// The path for messages: `/` when empty, `…` marking an unknown end.
    pub fn display_path(&self) -> String {
        let mut path = if self.path.is_empty() {
            "/".to_owned()
        } else {
            self.path.clone()
        };
        if !self.path_complete {
            path.push('…');
        }
        path
    }

    /// Where a fix fetches the token for a request to this endpoint whose
    /// URL is `url`: `scheme://host[:port]` as the URL writes them
    /// (`http://` when it names no scheme; user info left out). When they
    /// cannot go into a string literal as they are (quotes, `$`, spaces),
    /// the service's usual address of the same family.
    pub fn token_base(&self, url: &Text) -> String {
        let written = url.known_prefix().trim_start();
        let (scheme, rest) = match written.find("://") {
            Some(i) => (&written[..i], &written[i + 3..]),
            None => ("http", written),
        };
        let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
        let authority = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        let plain = !scheme.is_empty()
            && scheme.chars().all(|c| c.is_ascii_alphabetic())
            && !authority.is_empty()
            && authority
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "[]:.-_%".contains(c));
        if plain {
            return format!("{scheme}://{authority}");
        }
        match self.host {
            Host::Ipv6 => "http://[fd00:ec2::254]".to_owned(),
            Host::Ipv4 | Host::Name => "http://169.254.169.254".to_owned(),
        }
    }
}

/// Where a URL goes, if it is the metadata service.
///
/// The scheme (`http://`, `https://`) is optional, as curl allows; user
/// info is skipped; the port must be absent or 80.
pub fn classify(url: &Text) -> Option<Endpoint> {
    let prefix = url.known_prefix();
    let whole = url.as_literal().is_some();
    classify_str(prefix, whole)
}

/// [`classify`] for a string; `complete` says whether it is the whole URL.
pub fn classify_str(url: &str, complete: bool) -> Option<Endpoint> {
    let rest = url.trim_start();
    let rest = strip_scheme(rest)?;

    // An authority followed by an unknown part is taken as whole: what
    // follows a host is a path or a port far more often than more host.
    let auth_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..auth_end];
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = host_of(authority)?;

    let after = &rest[auth_end..];
    let path_end = after.find(['?', '#']);
    let path = &after[..path_end.unwrap_or(after.len())];
    Some(Endpoint {
        host,
        path: path.to_owned(),
        path_complete: complete || path_end.is_some(),
    })
}

fn strip_scheme(url: &str) -> Option<&str> {
    match url.find("://") {
        Some(i) => {
            let scheme = url[..i].to_ascii_lowercase();
            matches!(scheme.as_str(), "http" | "https").then(|| &url[i + 3..])
        }
        None => Some(url),
    }
}

/// The host, when `authority` (`host[:port]`) is the metadata service.
fn host_of(authority: &str) -> Option<Host> {
    let (host, port) = split_port(authority)?;
    if !matches!(port, None | Some("80")) {
        return None;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        let v6 = v6
            .split('%')
            .next()
            .unwrap_or(v6)
            .parse::<Ipv6Addr>()
            .ok()?;
        if v6
            .to_ipv4_mapped()
            .is_some_and(|v4| u32::from(v4) == IMDS_V4)
        {
            // `[::ffff:169.254.169.254]`: an IPv6 socket sends it as IPv4.
            return Some(Host::Ipv4);
        }
        return (v6 == IMDS_V6).then_some(Host::Ipv6);
    }
    let name = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if name == "instance-data" || name == "instance-data.ec2.internal" {
        return Some(Host::Name);
    }
    (parse_ipv4(&name)? == IMDS_V4).then_some(Host::Ipv4)
}

fn split_port(authority: &str) -> Option<(&str, Option<&str>)> {
    if authority.starts_with('[') {
        let close = authority.find(']')?;
        let (host, rest) = authority.split_at(close + 1);
        return match rest.strip_prefix(':') {
            Some(port) => Some((host, Some(port))),
            None if rest.is_empty() => Some((host, None)),
            None => None,
        };
    }
    Some(match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    })
}

/// Parses an IPv4 address the way `inet_aton` and HTTP clients do: one to
/// four parts, each decimal, octal (`0` prefix) or hex (`0x`), the last part
/// filling the bytes that remain.
pub fn parse_ipv4(host: &str) -> Option<u32> {
    let parts: Vec<&str> = host.split('.').collect();
    if parts.is_empty() || parts.len() > 4 {
        return None;
    }
    let values: Vec<u64> = parts.iter().map(|p| parse_part(p)).collect::<Option<_>>()?;
    let (last, init) = values.split_last()?;
    let mut addr: u64 = 0;
    for (i, v) in init.iter().enumerate() {
        if *v > 255 {
            return None;
        }
        addr |= v << (24 - 8 * i);
    }
    let room = 32 - 8 * init.len();
    if *last >= 1u64 << room {
        return None;
    }
    u32::try_from(addr | last).ok()
}

fn parse_part(part: &str) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    let lower = part.to_ascii_lowercase();
    if let Some(hex) = lower.strip_prefix("0x") {
        if hex.is_empty() {
            return Some(0);
        }
        return u64::from_str_radix(hex, 16).ok();
    }
    if lower.len() > 1 && lower.starts_with('0') {
        return u64::from_str_radix(&lower[1..], 8).ok();
    }
    if !lower.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    lower.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lit(url: &str) -> Option<Endpoint> {
        classify(&Text::lit(url))
    }

    #[test]
    fn every_spelling_of_the_ipv4_address() {
        for url in [
            "http://169.254.169.254/latest/meta-data/",
            "169.254.169.254/latest/meta-data/",
            "http://169.254.169.254:80/latest/meta-data/",
            "HTTP://169.254.169.254/latest",
            "https://169.254.169.254/latest",
            "http://2852039166/latest/",
            "http://0xa9fea9fe/latest/",
            "http://0xA9FEA9FE/latest/",
            "http://0251.0376.0251.0376/latest/",
            "http://0xa9.0xfe.0xa9.0xfe/latest/",
            "http://169.254.43518/latest/",
            "http://169.16689662/latest/",
            "http://0251.254.169.0376/latest/",
            "http://user@169.254.169.254/latest/",
        ] {
            let ep = lit(url).unwrap_or_else(|| panic!("not recognised: {url}"));
            assert_eq!(ep.host, Host::Ipv4, "{url}");
        }
    }

    #[test]
    fn ipv6_and_names() {
        assert_eq!(
            lit("http://[fd00:ec2::254]/latest/").map(|e| e.host),
            Some(Host::Ipv6)
        );
        assert_eq!(
            lit("http://[fd00:ec2:0:0:0:0:0:254]:80/latest/").map(|e| e.host),
            Some(Host::Ipv6)
        );
        // An IPv4-mapped IPv6 address goes out as IPv4.
        for url in [
            "http://[::ffff:169.254.169.254]/latest/",
            "http://[::FFFF:a9fe:a9fe]:80/latest/",
            "http://[0:0:0:0:0:ffff:a9fe:a9fe]/latest/",
        ] {
            assert_eq!(lit(url).map(|e| e.host), Some(Host::Ipv4), "{url}");
        }
        // The deprecated IPv4-compatible form does not.
        assert_eq!(lit("http://[::a9fe:a9fe]/latest/"), None);
        assert_eq!(
            lit("http://instance-data/latest/").map(|e| e.host),
            Some(Host::Name)
        );
        assert_eq!(
            lit("http://instance-data.ec2.internal/latest").map(|e| e.host),
            Some(Host::Name)
        );
    }

    #[test]
    fn other_hosts_and_ports_are_not_the_service() {
        for url in [
            "http://169.254.169.253/latest/",
            "http://169.254.170.2/v2/credentials",
            "http://169.254.169.254:8080/latest/",
            "http://169.254.169.2540/",
            "ftp://169.254.169.254/latest",
            "http://example.com/169.254.169.254",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://[fd00:ec2::253]/latest/",
            "http://256.254.169.254/",
        ] {
            assert_eq!(lit(url), None, "{url}");
        }
    }

    #[test]
    fn paths_and_partly_known_urls() {
        let ep = lit("http://169.254.169.254/latest/meta-data/iam/security-credentials/?x#y");
        let ep = ep.unwrap_or_else(|| panic!("not recognised"));
        assert_eq!(ep.path, "/latest/meta-data/iam/security-credentials/");
        assert!(ep.is_credentials_path());

        let mut t = Text::lit("http://169.254.169.254/latest/meta-data/");
        t.push_unknown();
        let ep = classify(&t).unwrap_or_else(|| panic!("not recognised"));
        assert!(!ep.path_complete);
        assert_eq!(ep.display_path(), "/latest/meta-data/…");

        // A host that is not the service's, even if more may follow.
        let mut t = Text::lit("http://169.254.169.25");
        t.push_unknown();
        assert_eq!(classify(&t), None);
        let mut t = Text::lit("http://169.254.169.254");
        t.push_unknown();
        assert!(classify(&t).is_some_and(|e| e.path.is_empty() && !e.path_complete));
    }

    #[test]
    fn token_base_keeps_scheme_host_and_port_as_written() {
        for (url, base) in [
            (
                "http://169.254.169.254/latest/meta-data/",
                "http://169.254.169.254",
            ),
            ("169.254.169.254/latest", "http://169.254.169.254"),
            (
                "HTTP://[fd00:ec2::254]:80/latest",
                "HTTP://[fd00:ec2::254]:80",
            ),
            (
                "http://instance-data.ec2.internal?x",
                "http://instance-data.ec2.internal",
            ),
            ("http://user@0xa9fea9fe/latest", "http://0xa9fea9fe"),
        ] {
            let endpoint = lit(url).unwrap_or_else(|| panic!("not recognised: {url}"));
            assert_eq!(endpoint.token_base(&Text::lit(url)), base, "{url}");
        }

        // Known up to the host: the host as written.
        let mut url = Text::lit("http://instance-data/latest/");
        url.push_unknown();
        let endpoint = classify(&url).unwrap_or_else(|| panic!("not recognised"));
        assert_eq!(endpoint.token_base(&url), "http://instance-data");
    }

    #[test]
    fn token_base_falls_back_to_the_usual_address_of_the_family() {
        // A scope id is no part of the address, but a quote in it cannot
        // be written into a string literal as it is.
        let url = "http://[fd00:ec2::254%\"x]/latest";
        let v6 = lit(url).unwrap_or_else(|| panic!("not recognised"));
        assert_eq!(v6.token_base(&Text::lit(url)), "http://[fd00:ec2::254]");

        // User info is left out, whatever it holds.
        let url = "http://a\"b@instance-data/latest";
        let name = lit(url).unwrap_or_else(|| panic!("not recognised"));
        assert_eq!(name.token_base(&Text::lit(url)), "http://instance-data");

        let v4 = lit("http://169.254.169.254/").unwrap_or_else(|| panic!("not recognised"));
        assert_eq!(
            v4.token_base(&Text::lit("http://$H/latest")),
            "http://169.254.169.254"
        );
    }

    #[test]
    fn token_and_other_cloud_paths() {
        let token = lit("http://169.254.169.254/latest/api/token");
        assert!(token.is_some_and(|e| e.is_token_path()));
        assert!(
            lit("http://169.254.169.254/computeMetadata/v1/").is_some_and(|e| e.is_other_cloud())
        );
        assert!(
            lit("http://169.254.169.254/metadata/instance?api-version=2021-02-01")
                .is_some_and(|e| e.is_other_cloud())
        );
        assert!(
            lit("http://169.254.169.254/openstack/latest/meta_data.json")
                .is_some_and(|e| e.is_other_cloud())
        );
        assert!(lit("http://169.254.169.254/opc/v2/instance/").is_some_and(|e| e.is_other_cloud()));
        assert!(
            !lit("http://169.254.169.254/latest/meta-data/").is_some_and(|e| e.is_other_cloud())
        );
    }
}
