//! Building file trees in temporary folders, running `imds-lint` in them,
//! and reading its concise output.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use tempfile::TempDir;

/// One IMDSv1 request per language, each on line 2 column 1 (IMD001).
pub const SH: &str = "#!/bin/sh\ncurl http://169.254.169.254/latest/meta-data/\n";
/// A Python IMDSv1 request on line 2 (IMD001).
pub const PY: &str =
    "import requests\nrequests.get(\"http://169.254.169.254/latest/meta-data/\")\n";
/// A client that only speaks IMDSv1, on line 2 (IMD003).
pub const BOTO: &str = "from boto.utils import get_instance_metadata\nget_instance_metadata()\n";
/// A token request sent with GET, on line 2 column 9 (IMD002).
pub const BAD_TOKEN: &str = "#!/bin/sh\nTOKEN=$(curl -s http://169.254.169.254/latest/api/token)\n";

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
    /// Each concise finding as `location CODE`, such as `a.sh:2:1 IMD001`.
    pub fn findings(&self) -> Vec<String> {
        self.stdout
            .lines()
            .filter_map(|line| {
                let (location, rest) = line.split_once(": IMD")?;
                Some(format!("{location} IMD{}", rest.get(..3)?))
            })
            .collect()
    }

    /// The non-empty lines of standard error.
    pub fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().filter(|l| !l.is_empty()).collect()
    }
}

/// A temporary folder holding `files` (name, content); folders are made.
pub fn tree(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, content) in files {
        write(dir.path(), name, content);
    }
    dir
}

/// Writes `content` to `dir/name`, making folders.
pub fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Runs `imds-lint ARGS` in `dir`.
pub fn imds_lint(dir: &Path, args: &[&str]) -> Run {
    imds_lint_with_stdin(dir, args, b"")
}

/// Runs `imds-lint ARGS` in `dir` with `input` on standard input.
pub fn imds_lint_with_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_imds-lint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    let output = child.wait_with_output().unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// Runs a concise check of `dir` with `args` and returns the findings.
pub fn found(dir: &Path, args: &[&str]) -> Vec<String> {
    let run = imds_lint(dir, &[&["--output-format", "concise"], args].concat());
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    run.findings()
}
