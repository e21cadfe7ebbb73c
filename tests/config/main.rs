//! End-to-end tests of configuration files (discovery, keys, errors, the
//! `imds-lint config` command) and of suppression comments in every
//! language and container.

#![allow(clippy::unwrap_used)]

mod discovery;
mod errors;
mod show;
mod support;
mod suppressions;
