//! Settings that change what rules report and how fixes are written.

use crate::finding::Rule;
use crate::rules::imd002_malformed_token_request::MAX_TTL;

/// What the rules need to know from configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// Rules that run.
    pub rules: Vec<Rule>,
    /// Lifetime of tokens fetched by fixes, in seconds (1..=21600).
    pub token_ttl: u32,
    /// Base name of the token variable fixes add, per language.
    pub token_variable: TokenVariables,
}

/// Token variable names fixes use, one per language's conventions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenVariables {
    /// Shell (`IMDS_TOKEN`).
    pub shell: String,
    /// Python (`imds_token`).
    pub python: String,
    /// Scala (`imdsToken`).
    pub scala: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rules: Rule::ALL.to_vec(),
            token_ttl: MAX_TTL,
            token_variable: TokenVariables {
                shell: "IMDS_TOKEN".to_owned(),
                python: "imds_token".to_owned(),
                scala: "imdsToken".to_owned(),
            },
        }
    }
}

impl Settings {
    /// Whether `rule` runs.
    pub fn enabled(&self, rule: Rule) -> bool {
        self.rules.contains(&rule)
    }
}
