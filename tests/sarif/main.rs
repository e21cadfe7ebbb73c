//! End-to-end tests of `--output-format sarif`, `--output-file` and the
//! `rule` command: SARIF from the sample workspace checked against the
//! SARIF 2.1.0 schema, locations checked against the files as stored,
//! fingerprints that survive edits above a finding, empty runs and
//! failures.

#![allow(clippy::unwrap_used)]

mod fingerprints;
mod locations;
mod output_file;
mod rule_command;
mod runs;
mod support;
