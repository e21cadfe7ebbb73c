//! Fingerprints that let code scanning recognise a finding from one run to
//! the next: they depend on what the finding is and which file it is in,
//! never on its line number.
//!
//! A fingerprint hashes the rule code, the file's URI and the text of the
//! finding (the request as stored, with runs of whitespace made one space),
//! then counts findings with the same hash in the file: `HASH:N` for the
//! N-th. Lines added or removed elsewhere, re-indentation and edits to the
//! rest of the line change nothing; editing the request itself, moving the
//! file, or adding an identical request above it does.

use std::collections::HashMap;

use imds_lint_rules::Rule;

/// The `partialFingerprints` key; the version changes with the recipe.
pub const KEY: &str = "imdsLint/v1";

/// Hands out fingerprints for the findings of one file, in file order.
#[derive(Debug, Default)]
pub struct Fingerprints {
    seen: HashMap<u128, usize>,
}

impl Fingerprints {
    /// The fingerprint of the next finding of `rule` in the file at `uri`,
    /// whose text as stored is `text`.
    pub fn next(&mut self, rule: Rule, uri: &str, text: &str) -> String {
        let mut hash = Fnv128::default();
        hash.write(rule.code().as_bytes());
        hash.write(&[0]);
        hash.write(uri.as_bytes());
        hash.write(&[0]);
        for (i, word) in text.split_whitespace().enumerate() {
            if i > 0 {
                hash.write(b" ");
            }
            hash.write(word.as_bytes());
        }

        let count = self.seen.entry(hash.0).or_default();
        *count += 1;
        format!("{:032x}:{count}", hash.0)
    }
}

/// 128-bit FNV-1a: defined by its constants, so it gives the same value
/// with every Rust version and on every platform (the standard library's
/// hasher promises neither).
struct Fnv128(u128);

impl Default for Fnv128 {
    fn default() -> Self {
        Fnv128(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }
}

impl Fnv128 {
    const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 ^= u128::from(byte);
            self.0 = self.0.wrapping_mul(Self::PRIME);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CURL: &str = "curl -s http://169.254.169.254/latest/meta-data/";

    fn one(rule: Rule, uri: &str, text: &str) -> String {
        Fingerprints::default().next(rule, uri, text)
    }

    #[test]
    fn fnv_matches_the_published_test_vector() {
        // FNV-1a 128 of "a", from the FNV reference test suite.
        let mut hash = Fnv128::default();
        hash.write(b"a");
        assert_eq!(hash.0, 0xd228_cb69_6f1a_8caf_7891_2b70_4e4a_8964);
    }

    #[test]
    fn whitespace_does_not_count() {
        let rule = Rule::MetadataRequestWithoutToken;
        assert_eq!(
            one(rule, "a.sh", CURL),
            one(
                rule,
                "a.sh",
                "curl   -s\n  http://169.254.169.254/latest/meta-data/ "
            )
        );
    }

    #[test]
    fn rule_file_and_text_count() {
        let rule = Rule::MetadataRequestWithoutToken;
        let base = one(rule, "a.sh", CURL);
        assert_ne!(base, one(Rule::MalformedTokenRequest, "a.sh", CURL));
        assert_ne!(base, one(rule, "b.sh", CURL));
        assert_ne!(
            base,
            one(rule, "a.sh", &CURL.replace("meta-data/", "user-data"))
        );
        // Word boundaries are kept: joining two words is a different text.
        assert_ne!(one(rule, "a.sh", "curl x"), one(rule, "a.sh", "curlx"));
    }

    #[test]
    fn identical_findings_are_numbered_in_order() {
        let rule = Rule::MetadataRequestWithoutToken;
        let mut prints = Fingerprints::default();
        let first = prints.next(rule, "a.sh", CURL);
        let other = prints.next(rule, "a.sh", "wget x");
        let second = prints.next(rule, "a.sh", CURL);

        assert!(first.ends_with(":1"), "{first}");
        assert!(other.ends_with(":1"), "{other}");
        assert!(second.ends_with(":2"), "{second}");
        assert_eq!(first.split(':').next(), second.split(':').next());
    }
}
