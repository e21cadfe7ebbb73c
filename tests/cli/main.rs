//! End-to-end tests of the `imds-lint` binary: exit codes, bad input,
//! output formats, the walk over folders, and standard input.

#![allow(clippy::unwrap_used)]

mod bad_input;
mod exit_codes;
mod formats;
mod notebook_cells;
mod stdin;
mod support;
mod walk;
