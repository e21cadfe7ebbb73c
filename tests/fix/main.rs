//! End-to-end tests of `--fix` and `--diff`: the sample workspace fixed
//! and diffed (the diffs checked with `git apply` and `patch -p1`),
//! idempotence, exit codes, standard input, `--show-fixes`, and faults
//! during `--fix` (a file changed, removed or locked between read and
//! write, a full disk, the process killed between writes).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod diff;
mod faults;
mod fixing;
mod stdin;
mod support;
