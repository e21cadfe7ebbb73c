//! Running the `imds-lint` binary in a temporary folder, and reading what
//! it printed.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// A shell script with one IMDSv1 request on line 2, column 1: the main
/// positive case.
pub const IMDSV1_SCRIPT: &str = "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/\n";

/// The same request with a session token: nothing to report.
pub const IMDSV2_SCRIPT: &str = "#!/bin/sh\n\
    TOKEN=$(curl -s -X PUT http://169.254.169.254/latest/api/token \
    -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n\
    curl -s -H \"X-aws-ec2-metadata-token: $TOKEN\" http://169.254.169.254/latest/meta-data/\n";

/// What a run printed, and how it ended.
#[derive(Debug)]
pub struct Run {
    /// The exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// The `error: ...` lines of standard error.
    pub fn errors(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|line| line.starts_with("error: "))
            .collect()
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_imds-lint"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("COLUMNS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    command
}

fn finish(command: &mut Command, input: Option<&[u8]>) -> Run {
    command.stdin(if input.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    let mut child = command.spawn().unwrap();
    if let Some(input) = input {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs `imds-lint ARGS` in `dir` with no standard input.
pub fn imds_lint(dir: &Path, args: &[&str]) -> Run {
    finish(&mut command(dir, args), None)
}

/// Runs `imds-lint ARGS` in `dir` with `input` on standard input.
pub fn imds_lint_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    finish(&mut command(dir, args), Some(input))
}

/// A spawned run whose output the test reads itself.
pub fn spawn(dir: &Path, args: &[&str]) -> std::process::Child {
    command(dir, args).stdin(Stdio::null()).spawn().unwrap()
}

/// Writes `content` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, content).unwrap();
}

/// A file the tool must fail on if it reads it: a Python file holding a
/// NUL byte. Where such a probe is found, the walk went.
pub fn write_probe(dir: &Path, name: &str) {
    write(dir, name, b"import os\0\n");
}

/// Tells whoever runs the tests that an assertion cannot run here, and why.
#[expect(clippy::print_stderr, reason = "the note must show in the test output")]
pub fn note_skipped(test: &str, why: &str) {
    eprintln!("note: {test}: {why}; assertion skipped");
}
