//! A cheap first look at a file's bytes: can it hold a metadata reference
//! at all? Files that cannot are never parsed.
//!
//! Every spelling [`crate::endpoint`] recognises starts with one of these
//! needles, and so does every IMDSv1-only client the rules know. The check is
//! one pass of a literal-set search, so a 20,000-file workspace where 1% of
//! the files mention the service costs little more than reading it.

use std::sync::OnceLock;

use regex::bytes::Regex;

/// Needles, case-insensitive. The first bytes of every IPv4 spelling: a
/// decimal `169.` followed by a second part (`254`, `16689662`, hex or
/// octal), hex `0xa9.` or `0xa9fea9fe` (leading zeros allowed after `0x`),
/// octal `0251.` or `025177524776`,
/// and the decimal number; the IPv6 address (its second group with or
/// without a leading zero), the IPv4-mapped IPv6 address
/// in hex from its `ffff` (`::ffff:a9fe:a9fe`: starting the needle at
/// `a9fe` cost 4% of a scan of notebooks, whose base64 images often hold
/// `a9f`; at `:`, a quarter), the host names, and the
/// IMDSv1-only clients (`ec2metadata`, boto 2's `get_instance_metadata` and
/// friends). Each needle is specific enough not to match numbers in output
/// tables or base64 images, which are most of a notebook's bytes.
const NEEDLES: &str = concat!(
    r"(?i)169\.(?:254|16689662|0x|0[0-7])|0x0*a9(?:\.|fea9fe)|0251(?:\.|77524776)|2852039166",
    r"|fd00:0?ec2|ffff:a9fe:a9fe|instance-data|ec2metadata|get_instance_"
);

/// The start of every suppression comment (see [`crate::suppression`]).
const MARKER: &str = "imds-lint:";

fn needles() -> Option<&'static Regex> {
    static NEEDLES_RE: OnceLock<Option<Regex>> = OnceLock::new();
    NEEDLES_RE.get_or_init(|| Regex::new(NEEDLES).ok()).as_ref()
}

fn needles_or_marker() -> Option<&'static Regex> {
    static RE: OnceLock<Option<Regex>> = OnceLock::new();
    RE.get_or_init(|| Regex::new(&format!("{NEEDLES}|{MARKER}")).ok())
        .as_ref()
}

/// Whether `bytes` may hold a request the rules report. `false` is a
/// promise: checking the file would find nothing.
pub fn worth_checking(bytes: &[u8]) -> bool {
    needles().is_none_or(|re| re.is_match(bytes))
}

/// What a first look at a file's bytes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Look {
    /// Neither a needle nor a suppression comment: nothing to report, not
    /// even an unused `imds-lint: ignore`; the file is not decoded.
    Nothing,
    /// Suppression comments, but nothing that can be a request.
    MarkerOnly,
    /// Something that may be a request (see [`worth_checking`]).
    Service,
}

/// Looks for needles and the suppression marker in one search, the
/// needles alone being searched again only past a marker found first.
pub fn look(bytes: &[u8]) -> Look {
    let Some(re) = needles_or_marker() else {
        return Look::Service;
    };
    match re.find(bytes) {
        None => Look::Nothing,
        Some(found) if found.as_bytes() != MARKER.as_bytes() => Look::Service,
        Some(found) if worth_checking(&bytes[found.end()..]) => Look::Service,
        Some(_) => Look::MarkerOnly,
    }
}

/// Whether JSON text holds a `\u` escape of a printable ASCII character,
/// which could spell a needle the bytes do not show (`169\u002e254...`).
/// Writers escape only control and non-ASCII characters, so notebooks with
/// these are few; a search of its own, run only on notebooks the needles
/// missed, costs less than a longer needle search over every file.
pub fn escapes_printable_ascii(json: &[u8]) -> bool {
    memchr::memmem::find_iter(json, br"\u00").any(|at| {
        let code = json.get(at + 4..at + 6);
        code.is_some_and(|hex| matches!(hex[0], b'2'..=b'7') && hex[1].is_ascii_hexdigit())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spelling_passes() {
        for text in [
            "curl http://169.254.169.254/latest/meta-data/",
            "requests.get('http://2852039166/latest/')",
            "curl http://0XA9FEA9FE/",
            "curl http://0xa9.0xfe.0xa9.0xfe/",
            "curl http://025177524776/",
            "curl http://0251.0376.0251.0376/",
            "curl http://169.16689662/",
            "curl http://169.0xfe.0xa9.0xfe/",
            "curl http://169.0376.169.254/",
            "curl http://[FD00:ec2::254]/latest/",
            "curl http://[::FFFF:A9FE:A9FE]/latest/",
            "curl http://[::ffff:169.254.169.254]/latest/",
            "wget http://Instance-Data.ec2.internal/latest/",
            "ec2metadata --instance-id",
            "boto.utils.get_instance_metadata()",
        ] {
            assert!(worth_checking(text.as_bytes()), "{text}");
        }
    }

    /// Every spelling of the IPv6 address passes: each group with leading
    /// zeros or without, either case, the zeros written out or not.
    /// Regression (fuzzing, seventeenth session): `[fd00:0ec2::254]`, the
    /// same address to every HTTP client, was missed, so a request to it
    /// went unreported.
    #[test]
    fn every_ipv6_spelling_passes() {
        let widths = |group: u16| -> Vec<String> {
            let digits = format!("{group:x}").len();
            (digits..=4).map(|w| format!("{group:0w$x}")).collect()
        };
        let mut checked = 0;
        for ec2 in widths(0xec2) {
            for end in widths(0x254) {
                for zero in widths(0) {
                    let zeros = [zero.as_str(); 5].join(":");
                    for host in [
                        format!("fd00:{ec2}::{end}"),
                        format!("fd00:{ec2}:{zeros}:{end}"),
                    ] {
                        for host in [host.clone(), host.to_uppercase()] {
                            let text = format!("curl http://[{host}]/latest/meta-data/");
                            assert!(worth_checking(text.as_bytes()), "{text}");
                            checked += 1;
                        }
                    }
                }
            }
        }
        assert_eq!(checked, 2 * 2 * 4 * 2 * 2);
    }

    /// Every way `inet_aton` spells the address in one to four parts,
    /// decimal, octal or hex, with extra leading zeros and either case,
    /// passes. Regression (fuzzing, bug 18): `0x0a9fea9fe` was missed.
    #[test]
    fn every_dotted_spelling_passes() {
        fn spellings(value: u64) -> Vec<String> {
            let mut out = vec![value.to_string()];
            for zeros in ["", "0", "00"] {
                out.push(format!("0{zeros}{value:o}"));
                out.push(format!("0x{zeros}{value:x}"));
                out.push(format!("0X{zeros}{value:X}"));
            }
            out
        }
        let splits: [&[u64]; 4] = [
            &[169, 254, 169, 254],
            &[169, 254, 0xa9fe],
            &[169, 0x00fe_a9fe],
            &[0xa9fe_a9fe],
        ];
        let mut checked = 0;
        for parts in splits {
            let mut hosts = vec![String::new()];
            for (i, &part) in parts.iter().enumerate() {
                let dot = if i == 0 { "" } else { "." };
                hosts = hosts
                    .iter()
                    .flat_map(|host| {
                        spellings(part)
                            .into_iter()
                            .map(move |s| format!("{host}{dot}{s}"))
                    })
                    .collect();
            }
            for host in hosts {
                assert_eq!(
                    crate::endpoint::parse_ipv4(&host),
                    Some(0xa9fe_a9fe),
                    "{host}"
                );
                let text = format!("curl http://{host}/latest/meta-data/");
                assert!(worth_checking(text.as_bytes()), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 2000, "{checked}");
    }

    #[test]
    fn one_look_finds_needles_and_markers() {
        let code = b"x = 1  # imds-lint: ignore[IMD001]\n";
        assert_eq!(look(code), Look::MarkerOnly);
        assert!(!worth_checking(code));
        assert_eq!(look(b"curl http://169.254.169.254/"), Look::Service);
        assert_eq!(
            look(b"# imds-lint: ignore\ncurl http://169.254.169.254/"),
            Look::Service
        );
        assert_eq!(look(b"print('imds-lint')"), Look::Nothing);
    }

    #[test]
    fn escaped_characters_may_hide_a_needle() {
        assert!(escapes_printable_ascii(
            br#""http://169\u002e254\u002e169.254/""#
        ));
        assert!(escapes_printable_ascii(br#""\u0072equests.get(u)""#));
        // Control characters (ANSI colours in tracebacks) spell no needle.
        assert!(!escapes_printable_ascii(
            br#""\u001b[0;31mValueError\u001b[0m""#
        ));
        assert!(!escapes_printable_ascii(br#""caf\u00e9", "\u00""#));
        assert_eq!(look(br#""169\u002e254\u002e169\u002e254""#), Look::Nothing);
    }

    #[test]
    fn ordinary_code_is_skipped() {
        let code = "df = spark.table('main.gold.orders')\ndisplay(df.limit(20))\n";
        assert!(!worth_checking(code.as_bytes()));
        let table = "|  169.23|  orders|\n| 1169.5 | 2169.254 |";
        assert!(
            worth_checking(table.as_bytes()),
            "2169.254 may be part of a URL"
        );
        assert!(!worth_checking(b"|  169.23|  orders|  169.99 |"));
        assert!(
            !worth_checking(b"iVBORw0KGgo0251AAAA0XA9bQ+/0xa9zz"),
            "base64 is not a URL"
        );
    }
}
